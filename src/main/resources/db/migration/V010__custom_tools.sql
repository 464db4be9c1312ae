-- Users' own tools (Letta's custom tools): Python source with one function, run in the tool sandbox. A tool is known
-- by its name too (agents list their tools by name): one name per user, never a built-in tool's (checked before).
-- env holds the tool's secrets: stored as given (the database is the server's own), never rendered back in full.
create table tools (
  id                        uuid primary key,
  user_id                   uuid not null references users(id) on delete cascade,
  name                      text not null,
  description               text,
  source_code               text not null,
  source_type               text not null default 'python',
  json_schema               jsonb not null,
  tags                      text[] not null default '{}',
  return_char_limit         integer not null default 50000,
  default_requires_approval boolean not null default false,
  env                       jsonb not null default '{}',
  allow_network             boolean not null default false,
  metadata                  jsonb not null default '{}',
  created_at                timestamptz not null default now(),
  updated_at                timestamptz not null default now(),
  unique (user_id, name)
);
create index tools_user on tools(user_id, created_at, id);

-- What a tool printed, beside its return, on the run events that replay a step (null for events of other kinds and
-- for runs stored before this migration).
alter table run_events add column stdout text[], add column stderr text[];
