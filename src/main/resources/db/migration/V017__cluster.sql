-- Cluster mode (CLUSTER=true): the nodes, the leases that say which node's agent verticle owns which agents, and the
-- change log the nodes' search indexes catch up from. Unused (and empty) outside cluster mode.

-- The live nodes: each writes its row every second; a node not seen for a lease's length is dead.
create table cluster_nodes (
  id         text primary key,      -- the node's name and a random suffix: new at every start
  name       text not null,
  verticles  int not null,          -- how many agent verticles it runs: its share of the shards
  started_at timestamptz not null default now(),
  seen_at    timestamptz not null default now()
);

-- One lease per shard (agents hash into shards): the agent verticle (node, slot) that runs them. A takeover raises
-- the epoch; an agent's writes carry the epoch they were made under and commit only while it is current.
create table agent_shard_leases (
  shard      int primary key,
  node       text,
  slot       int,
  epoch      bigint not null default 0,
  expires_at timestamptz not null default '-infinity'
);

-- What changed in the rows the search indexes are derived from, in commit-ish order: each node applies it to its own
-- index (an upsert of the row as it is now, or a delete). Pruned by the nodes after an hour.
create table index_changes (
  seq     bigserial primary key,
  feed    text not null,          -- archival, recall, memories
  id      uuid not null,
  deleted boolean not null,
  at      timestamptz not null default now()
);

create function engram_index_change() returns trigger language plpgsql as $$
begin
  insert into index_changes(feed, id, deleted) select tg_argv[0], id, tg_op = 'DELETE' from changed_rows;
  return null;
end $$;

create function engram_recall_change() returns trigger language plpgsql as $$
begin
  insert into index_changes(feed, id, deleted)
    select 'recall', id, tg_op = 'DELETE' from changed_rows where role in ('user', 'assistant');
  return null;
end $$;

-- which node inserted a job (its connection's application_name in cluster mode), so that the jobs of a dead node can
-- be ended by the others
alter table jobs add column node text default current_setting('application_name', true);
