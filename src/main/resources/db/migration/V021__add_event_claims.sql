-- Which runner claimed an asynchronous add's extraction (a cluster node's id; a single process's id of this start),
-- so that the extractions of a node that died are put back to PENDING by the live nodes within a lease, not left
-- RUNNING. Null for events claimed before this column existed.
alter table memory_add_events add column claimed_by text;
