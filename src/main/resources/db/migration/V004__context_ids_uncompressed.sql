-- An agent's in-context ids are rewritten at every save and, being random UUIDs, never compress: store them out of
-- line without trying to.
alter table agents alter column in_context_ids set storage external;
