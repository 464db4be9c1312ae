-- Mem0 platform exports: a snapshot of the memories that matched an export's filters when it was made, kept so that
-- POST /v1/exports/get/ answers the same document later (by id, or the latest one made with the same filters).
-- A user's /reset removes them with the memories they copy.
create table memory_exports (
  id         uuid primary key,
  user_id    uuid not null references users(id) on delete cascade,
  filters    jsonb not null,
  schema     jsonb not null,
  document   jsonb not null,
  created_at timestamptz not null default now()
);
create index memory_exports_user on memory_exports(user_id, created_at);
