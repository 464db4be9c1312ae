-- Mem0 scopes attached to agents, as sources are: the agent's archival search also ranks the memories the scope
-- selects (a null part matches any value, as in a Mem0 search), and with archival_inserts the agent's own
-- archival_memory_insert stores a memory in the scope instead of a passage. scope_id is the id the scope's memories
-- are stored under (memory_scopes.id, derived from the tenant and the three parts), so one agent attaches a scope once.
-- At most one attachment of an agent takes its inserts.
create table agent_memory_scopes (
  agent_id         uuid not null references agents(id) on delete cascade,
  scope_id         uuid not null,
  user_id          uuid not null references users(id) on delete cascade,
  scope_user       text,
  scope_agent      text,
  scope_run        text,
  archival_inserts boolean not null default false,
  attached_at      timestamptz not null default now(),
  primary key (agent_id, scope_id)
);
create unique index agent_memory_scopes_inserts on agent_memory_scopes(agent_id) where archival_inserts;

-- Where a memory came from: the messages of the add it was extracted from (or the one message a verbatim add stored),
-- the chat session of a chat message, the agent whose archival insert it is, with the time it was received. Null for
-- memories stored before this column existed.
alter table memories add column provenance jsonb;
