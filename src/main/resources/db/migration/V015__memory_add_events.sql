-- Asynchronous adds (Mem0's async_mode). The add's raw messages are stored at once as memories that name their event
-- in pending_event (searchable like any memory); the event row keeps the request until the background extraction
-- settles it. Settling replaces the raw memories with the extracted facts and marks the event SUCCEEDED in one
-- transaction; a failure marks it FAILED with the reason and leaves the raw memories. An event left RUNNING by a
-- process that stopped goes back to PENDING at the next start and is claimed again (one claim per run).
alter table memories add column pending_event uuid;
create index memories_pending on memories(pending_event) where pending_event is not null;

create table memory_add_events (
  id           uuid primary key,
  user_id      uuid not null references users(id) on delete cascade,
  status       text not null check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
  payload      jsonb not null,   -- the add as it was asked for (messages, ids, metadata, ...)
  results      jsonb,            -- the add results (ADD/UPDATE/DELETE) once SUCCEEDED
  error        text,             -- why it FAILED
  attempts     int not null default 0,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  started_at   timestamptz,
  completed_at timestamptz
);
create index memory_add_events_user on memory_add_events(user_id, created_at);
create index memory_add_events_open on memory_add_events(created_at) where status in ('PENDING', 'RUNNING');

-- Where a user wants the outcome of each asynchronous add POSTed (the Mem0 platform's webhooks, one project per
-- user here). The secret signs each delivery (HMAC-SHA256 of the body).
create table memory_webhooks (
  id          uuid primary key,
  user_id     uuid not null references users(id) on delete cascade,
  project     text not null,
  name        text not null,
  url         text not null,
  secret      text not null,
  event_types jsonb not null,
  is_active   boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index memory_webhooks_user on memory_webhooks(user_id, created_at);
