-- An upload's bytes live in PostgreSQL while its job runs, so that any node (or the process after a crash) can run
-- the job to its end: written in the transaction that creates the job, deleted in the one that ends it, and with the
-- job when it is deleted. At most MAX_UPLOAD_BYTES (20 MiB by default) per unfinished job.
create table job_files (
  job_id uuid primary key references jobs(id) on delete cascade,
  bytes  bytea not null
);
-- stored out of line uncompressed: the bytes are kept only while their job runs, and compressing them would cost the
-- upload request CPU (PDFs hardly compress anyway)
alter table job_files alter column bytes set storage external;

-- jobs.node is the runner that runs a job now (the node's id in cluster mode, the process's outside it), set when the
-- job is created and moved by a claim; no longer the inserting connection's application_name (V017)
alter table jobs alter column node drop default;
