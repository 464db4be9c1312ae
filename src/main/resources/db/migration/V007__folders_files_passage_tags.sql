-- Letta's folders and files on the existing sources, jobs and documents (one upload = one job = one document; a
-- file's id is its job's id), and tags on archival passages.

-- Passages: tags (Letta's archival tags); created_at may now be given by the client.
alter table passages add column tags text[] not null default '{}';

-- Folders (sources): Letta's instructions and metadata, the chunk size their uploads are split with (null: the
-- server's), and when they last changed.
alter table sources
  add column instructions text,
  add column metadata jsonb not null default '{}',
  add column chunk_tokens integer check (chunk_tokens > 0),
  add column updated_at timestamptz not null default now();

-- Files (jobs): the name shown (unique among the folder's files, "notes_(1).txt" for a second "notes.txt"), the
-- name it was uploaded under, its MIME type, the chunk size it splits with, and its progress (total_chunks is null
-- until the text has been split).
alter table jobs
  add column file_name text,
  add column original_file_name text,
  add column file_type text,
  add column chunk_tokens integer check (chunk_tokens > 0),
  add column total_chunks integer,
  add column chunks_embedded integer not null default 0,
  add column updated_at timestamptz not null default now();
update jobs set file_name = metadata->>'filename', original_file_name = metadata->>'filename',
  updated_at = coalesce(completed_at, created_at);
create index jobs_source on jobs(source_id, created_at, id) where source_id is not null;
create index jobs_user on jobs(user_id, created_at, id);

-- Documents keep the text extracted from their file (a file's content on request); null for older documents,
-- whose content is then read back from their passages.
alter table documents add column text text;
create index documents_job on documents(job_id) where job_id is not null;
