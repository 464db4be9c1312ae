-- Users, their API keys (stored only as SHA-256 hashes), agents and every message of every agent (recall memory).

create table users (
  id         uuid primary key,
  created_at timestamptz not null default now()
);

create table api_keys (
  id         uuid primary key,
  user_id    uuid not null references users(id) on delete cascade,
  key_hash   bytea not null unique,
  key_hint   text not null,
  name       text,
  created_at timestamptz not null default now()
);
create index api_keys_user on api_keys(user_id);

create table agents (
  id               uuid primary key,
  user_id          uuid not null references users(id) on delete cascade,
  name             text not null,
  preset           text not null,
  persona_template text,
  human_template   text,
  persona          text not null,
  human            text not null,
  core_limit       integer not null,
  tools            text[] not null,
  in_context_ids   uuid[] not null,
  memory_alerted   boolean not null default false,
  model            text not null,
  context_window   integer not null,
  recall_count     bigint not null default 0,
  created_at       timestamptz not null,
  last_run_at      timestamptz,
  unique (user_id, name)
);

create table messages (
  seq          bigserial unique,
  id           uuid primary key,
  agent_id     uuid not null references agents(id) on delete cascade,
  user_id      uuid not null,
  role         text not null check (role in ('system', 'user', 'assistant', 'tool')),
  text         text,
  name         text,
  tool_calls   jsonb,
  tool_call_id text,
  model        text,
  tokens       integer not null,
  created_at   timestamptz not null
);
create index messages_agent_seq on messages(agent_id, seq desc);

-- The user that the admin password acts as on /api routes.
insert into users(id) values ('00000000-0000-0000-0000-000000000000');
