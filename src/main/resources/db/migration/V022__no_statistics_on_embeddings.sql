-- No planner statistics on the embeddings. No query filters or joins on them, yet ANALYZE treats a real[] column as
-- an array column and counts the elements of every sampled row: 384 floats a row, 30,000 rows sampled, about 3 s of
-- CPU against 0.1 s for the whole table without it (PostgreSQL 18, a scratch table of 30,000 rows). Autovacuum
-- analyses a table again each time it grows by a tenth, so a scope of 45,000 memories paid about 0.7 ms of
-- PostgreSQL's CPU per add for those counts (performance notes).
alter table memories alter column embedding set statistics 0;
alter table passages alter column embedding set statistics 0;
