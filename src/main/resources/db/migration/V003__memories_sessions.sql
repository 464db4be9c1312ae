-- Mem0-style memories and the sessions of the semantic-memory chat API. Every row belongs to an authenticated user
-- (user_id, the tenant); Mem0's user_id/agent_id/run_id are scopes inside it (scope_user/scope_agent/scope_run).
-- The vector/text index "memories" is derived from the memories table and rebuilt from it.

-- One row per distinct (tenant, user, agent, run) combination: the index filters memories by scope id, so a search
-- in "user alice, any agent, any run" looks up the matching scope ids here first.
create table memory_scopes (
  id          uuid primary key,
  user_id     uuid not null references users(id) on delete cascade,
  scope_user  text,
  scope_agent text,
  scope_run   text
);
create index memory_scopes_user on memory_scopes(user_id, scope_user);
create index memory_scopes_agent on memory_scopes(user_id, scope_agent);
create index memory_scopes_run on memory_scopes(user_id, scope_run);

create table chat_sessions (
  id               uuid primary key,
  user_id          uuid not null references users(id) on delete cascade,
  external_user_id text not null,
  name             text,
  created_at       timestamptz not null default now()
);
create index chat_sessions_user on chat_sessions(user_id, created_at);

create table memories (
  seq             bigserial unique,
  id              uuid primary key,
  user_id         uuid not null references users(id) on delete cascade,
  scope_id        uuid not null references memory_scopes(id) on delete cascade,
  scope_user      text,
  scope_agent     text,
  scope_run       text,
  session_id      uuid references chat_sessions(id) on delete cascade,
  actor_id        text,
  role            text,
  memory_type     text,
  text            text not null,
  hash            text not null,   -- md5 hex of the text, as Mem0 reports it
  norm_hash       text not null,   -- md5 of the normalised text: one scope never holds the same fact twice
  metadata        jsonb not null default '{}',
  embedding       real[] not null,
  embedding_model text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index memories_user_order on memories(user_id, created_at, id);
create index memories_scope_order on memories(scope_id, created_at, id);
create index memories_dedup on memories(scope_id, norm_hash);
create index memories_session on memories(session_id) where session_id is not null;

-- What happened to each memory, kept after the memory itself is deleted (memory_id is deliberately not a foreign key).
create table memory_history (
  seq        bigserial primary key,
  id         uuid not null unique,
  user_id    uuid not null references users(id) on delete cascade,
  memory_id  uuid not null,
  old_memory text,
  new_memory text,
  event      text not null check (event in ('ADD', 'UPDATE', 'DELETE')),
  created_at timestamptz not null,
  updated_at timestamptz,
  is_deleted boolean not null default false,
  actor_id   text,
  role       text
);
create index memory_history_memory on memory_history(memory_id, seq);
