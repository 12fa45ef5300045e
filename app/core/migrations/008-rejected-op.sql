-- 008-rejected-op.sql: whether a refused mutation was an edit or a delete, so that a person
-- can discard it (the vault shows the record as the server holds it again) or retry it (a
-- new mutation on the current version) (docs/SYNC.md, "Refused changes"). Rows refused
-- before this migration take the operation their copy in `sent` has, where it is still kept.
ALTER TABLE rejected ADD COLUMN op TEXT NOT NULL DEFAULT 'put';
UPDATE rejected SET op = 'delete'
  WHERE mutation_id IN (SELECT mutation_id FROM sent WHERE op = 'delete');
