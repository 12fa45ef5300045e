-- 008-rejected-op.sql: whether a refused mutation was an edit or a delete, so that a person
-- can discard it (the vault shows the record as the server holds it again) or retry it (a
-- new mutation on the current version) (docs/SYNC.md, "Refused changes"). For rows refused
-- before: a delete carries no changes (an edit or a creation always does; a record that
-- left the scope lost its changes, and is gone from the vault either way), or its copy in
-- `sent` says so.
ALTER TABLE rejected ADD COLUMN op TEXT NOT NULL DEFAULT 'put';
UPDATE rejected SET op = 'delete'
  WHERE changes = '{}' OR mutation_id IN (SELECT mutation_id FROM sent WHERE op = 'delete');
