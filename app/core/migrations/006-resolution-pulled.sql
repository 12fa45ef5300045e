-- 006-resolution-pulled.sql: a resolution made on this device keeps its value on top of
-- pulls until the server has it; what the server holds of the field meanwhile is kept
-- beside it (docs/SYNC.md, "Conflicts and their resolution"). If the server does not take
-- the resolution (settled elsewhere first, or refused), the vault shows that value again:
-- server_value is the value the conflict was made with, which may have changed since.
-- pulled_version NULL: nothing kept (then server_value). For the _deleted pseudo-field the
-- value is '1' (deleted) or '0'.
ALTER TABLE conflict ADD COLUMN pulled_value TEXT;
ALTER TABLE conflict ADD COLUMN pulled_version INTEGER;

-- A pull looks up the resolutions waiting on each record it applies.
CREATE INDEX conflict_record ON conflict (record_id, field);
