-- Core memory becomes memory blocks (Letta's model): any number per agent, each a labelled text with a character
-- limit, shareable by several agents of one user. Agents gain Letta's fields. Users' presets (the /api templates of
-- system prompts) get a table; their humans and personas are blocks with is_template set.

create table blocks (
  id            uuid primary key,
  user_id       uuid not null references users(id) on delete cascade,
  label         text not null,
  value         text not null,
  "limit"       integer not null check ("limit" >= 0),
  description   text,
  metadata      jsonb not null default '{}',
  read_only     boolean not null default false,
  is_template   boolean not null default false,
  template_name text,
  tags          text[] not null default '{}',
  -- bumped by every write: an edit names the version it read, and a write that lost a race is retried on the newer
  -- value (two agents appending to one shared block both get in)
  version       bigint not null default 1,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  -- char_length counts code points; the server checks the stricter UTF-16 length before it writes
  check (char_length(value) <= "limit"),
  -- the key agent_blocks refers to, so that a block's label is known to be unique within each agent it is in
  unique (id, label)
);
create index blocks_user on blocks(user_id, created_at, id);
create index blocks_templates on blocks(user_id, label, template_name) where is_template;

-- The blocks of each agent's core memory, in the order the system prompt shows them. A block may be in several
-- agents. The label is repeated here (kept equal by the cascade) so that one agent never has two blocks of one label.
create table agent_blocks (
  agent_id uuid not null references agents(id) on delete cascade,
  block_id uuid not null,
  label    text not null,
  position integer not null,
  primary key (agent_id, block_id),
  unique (agent_id, label),
  foreign key (block_id, label) references blocks(id, label) on update cascade on delete cascade
);
create index agent_blocks_block on agent_blocks(block_id);

alter table agents
  add column agent_type    text not null default 'memgpt_agent',
  add column description   text,
  add column metadata      jsonb not null default '{}',
  add column tags          text[] not null default '{}',
  -- the instructions of the system prompt when they are not the preset's (Letta's `system`, a user preset's text)
  add column system_prompt text,
  -- the embedding handle asked for at creation (null: the server's)
  add column embedding     text,
  add column timezone      text,
  add column updated_at    timestamptz;
update agents set updated_at = created_at;
alter table agents alter column updated_at set not null;

-- every agent's persona and human become its first two blocks, with ids derived from the agent's
insert into blocks(id, user_id, label, value, "limit", created_at, updated_at)
select md5(a.id::text || ':' || s.label)::uuid, a.user_id, s.label, s.value, a.core_limit, a.created_at,
  coalesce(a.last_run_at, a.created_at)
from agents a cross join lateral (values ('persona', a.persona), ('human', a.human)) as s(label, value);
insert into agent_blocks(agent_id, block_id, label, position)
select a.id, md5(a.id::text || ':' || s.label)::uuid, s.label, s.position
from agents a cross join lateral (values ('persona', 0), ('human', 1)) as s(label, position);

-- the blocks are now the one place core memory lives
alter table agents drop column persona, drop column human, drop column core_limit;

-- Presets of the MemGPT /api (system prompt, persona and human texts, function schemas), per user. The built-in
-- ones are not rows: the server knows them.
create table presets (
  id               uuid primary key,
  user_id          uuid not null references users(id) on delete cascade,
  name             text not null,
  description      text,
  system           text not null,
  persona          text,
  persona_name     text,
  human            text,
  human_name       text,
  functions_schema jsonb not null default '[]',
  created_at       timestamptz not null default now(),
  unique (user_id, name)
);
