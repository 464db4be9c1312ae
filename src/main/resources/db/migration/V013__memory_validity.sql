-- Facts with time. A memory is valid from valid_from until valid_to (null: still true). When the add pipeline decides
-- that a new fact supersedes a memory, the memory keeps its id and takes the new text from now on, and its earlier
-- version is kept as a closed row (valid_to set) whose superseded_by names it; a fact the pipeline deletes is closed
-- the same way. Only an explicit delete removes rows. expiration_date (Mem0's platform field) hides a memory from
-- that time on.
alter table memories add column valid_from timestamptz;
alter table memories add column valid_to timestamptz;
alter table memories add column expiration_date timestamptz;
alter table memories add column superseded_by uuid;
update memories set valid_from = created_at;
alter table memories alter column valid_from set not null;
alter table memories alter column valid_from set default now();
create index memories_superseded on memories(superseded_by) where superseded_by is not null;
