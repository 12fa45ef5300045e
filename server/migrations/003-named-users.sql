-- 003-named-users.sql: restricted cases are visible to their named users only (DOMAIN.md,
-- confidentiality rule 4). A case's named users are a field like any other (fields ->>
-- 'named_users'), so the table does not change; the scopes of cases and clients restricted
-- before this migration are recomputed by its C step (srv-migrate.c), with scope exits, so
-- the devices that may no longer see them remove them on their next pull.
-- Frozen once released.

COMMENT ON COLUMN record.scope IS
  'Tokens whose holders see the record: cmd:<command code>, user:<account id>, ref; '
  'restricted content: restricted (held by nobody), named:<username>:<command code> '
  '(a named advocate or supervisor of that command), named:<username> (a named director)';

COMMENT ON COLUMN scope_exit.token IS
  'A token the record lost; content: it became restricted, so unnamed directors lose it';
