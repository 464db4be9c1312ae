-- Archival memory (passages with their vectors), sources of documents, their links to agents, and upload jobs.
-- PostgreSQL is the source of truth: the vector/text index is derived from passages and rebuilt from them.

create table sources (
  id              uuid primary key,
  user_id         uuid not null references users(id) on delete cascade,
  name            text not null,
  description     text,
  embedding_model text not null,
  embedding_dim   integer not null,
  created_at      timestamptz not null default now(),
  unique (user_id, name)
);

create table agent_sources (
  agent_id    uuid not null references agents(id) on delete cascade,
  source_id   uuid not null references sources(id) on delete cascade,
  attached_at timestamptz not null default now(),
  primary key (agent_id, source_id)
);
create index agent_sources_source on agent_sources(source_id);

create table jobs (
  id           uuid primary key,
  user_id      uuid not null references users(id) on delete cascade,
  source_id    uuid references sources(id) on delete set null,
  status       text not null check (status in ('created', 'running', 'completed', 'failed')),
  metadata     jsonb not null default '{}',
  file_path    text,
  created_at   timestamptz not null default now(),
  completed_at timestamptz
);
create index jobs_unfinished on jobs(status) where status in ('created', 'running');

create table documents (
  id         uuid primary key,
  user_id    uuid not null references users(id) on delete cascade,
  source_id  uuid not null references sources(id) on delete cascade,
  job_id     uuid references jobs(id) on delete set null,
  name       text not null,
  chars      integer not null,
  metadata   jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index documents_source on documents(source_id, created_at);

-- A passage belongs either to an agent (archival memory it inserted) or to a source (a chunk of a document).
create table passages (
  seq             bigserial unique,
  id              uuid primary key,
  user_id         uuid not null references users(id) on delete cascade,
  agent_id        uuid references agents(id) on delete cascade,
  source_id       uuid references sources(id) on delete cascade,
  document_id     uuid references documents(id) on delete cascade,
  text            text not null,
  embedding       real[] not null,
  embedding_model text not null,
  metadata        jsonb not null default '{}',
  created_at      timestamptz not null default now(),
  check ((agent_id is null) <> (source_id is null))
);
create index passages_agent on passages(agent_id, created_at, id) where agent_id is not null;
create index passages_source on passages(source_id, created_at, id) where source_id is not null;
