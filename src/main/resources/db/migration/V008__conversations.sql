-- Conversations (Letta's /v1/conversations): independent threads on one agent, for one agent serving many end users.
-- A thread shares the agent's blocks, tools, settings and archival memory, and has its own messages, context window
-- and runs. The agent's own thread is where it was (its messages and runs have no conversation_id): /api and
-- /v1/agents/{id}/messages keep using it.

create table conversations (
  id              uuid primary key,
  agent_id        uuid not null references agents(id) on delete cascade,
  user_id         uuid not null,
  summary         text,
  description     text,
  -- overrides of the agent's model and context window for this thread (null: the agent's)
  model           text,
  context_window  integer check (context_window > 0),
  -- hidden from listings (Letta's create option); archived (Letta's update) is listed on request only
  hidden          boolean not null default false,
  archived_at     timestamptz,
  -- the thread's context window and recall size, written with each of its steps as the agent's are
  in_context_ids  uuid[] not null,
  memory_alerted  boolean not null default false,
  recall_count    bigint not null default 0,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  last_message_at timestamptz
);
-- as the agents' (V004): rewritten at every save and never compressible
alter table conversations alter column in_context_ids set storage external;
-- ids are time-ordered (UUIDv7), so id order is creation order: lists page by id
create index conversations_agent on conversations(agent_id, id);
create index conversations_user on conversations(user_id, id);

-- A thread's messages and runs; deleting a conversation deletes them.
alter table messages add column conversation_id uuid references conversations(id) on delete cascade;
alter table runs add column conversation_id uuid references conversations(id) on delete cascade;

-- The agent's own thread reads (agent_id, conversation_id is null, seq); a conversation's reads (conversation_id,
-- seq), which the foreign key's cascade uses too. Only conversation messages enter the second index.
drop index messages_agent_seq;
create index messages_thread_seq on messages(agent_id, conversation_id, seq desc);
create index messages_conversation_seq on messages(conversation_id, seq desc) where conversation_id is not null;
create index runs_conversation on runs(conversation_id, id) where conversation_id is not null;
