-- Runs: every send to an agent (on /api and /v1) is a run, and its events are kept so that a client can replay them
-- from any point, also after the run ended and after a restart. A run's row and its events are written in the same
-- transaction as the step they belong to (see AgentRepository.SAVE_AGENT); only runs that must exist before they
-- start (async sends, sends with an idempotency key) are inserted on their own first, with status 'created'.

create table runs (
  id                uuid primary key,
  agent_id          uuid not null references agents(id) on delete cascade,
  user_id           uuid not null,
  status            text not null check (status in ('created', 'running', 'completed', 'failed', 'cancelled')),
  stop_reason       text,
  background        boolean not null default false,
  idempotency_key   text,
  -- the send as the agent runs it (inputs, options) and as the client asked to see it (message types)
  request           jsonb not null,
  prompt_tokens     integer,
  completion_tokens integer,
  total_tokens      integer,
  step_count        integer,
  -- the seq of the run's last event once it has ended; stop_reason and usage follow it when it is replayed
  event_count       integer,
  error_status      integer,
  error             text,
  created_at        timestamptz not null,
  completed_at      timestamptz,
  ttft_ns           bigint,
  total_duration_ns bigint
);
-- run ids are time-ordered (UUIDv7), so id order is creation order: lists page by id
create index runs_agent on runs(agent_id, id);
create index runs_user on runs(user_id, id);
create unique index runs_idempotency on runs(agent_id, idempotency_key) where idempotency_key is not null;
create index runs_unfinished on runs(status) where status in ('created', 'running');

-- A run's events, numbered from 1 in the order they went out: one row per write of the run (a step's events), its
-- events as parallel arrays, so that a step adds one row, one index entry and one foreign-key check, whatever its
-- number of events. Renderers turn the events (StepEvent) into /api or /v1 messages when they are replayed.
create table run_events (
  run_id     uuid not null references runs(id) on delete cascade,
  first_seq  integer not null,
  seq        integer[] not null,
  kind       text[] not null,
  content    text[] not null,
  status     text[] not null,
  message_id uuid[] not null,
  date       timestamptz[] not null,
  call_id    text[] not null,
  call_name  text[] not null,
  call_args  text[] not null,
  primary key (run_id, first_seq)
);
