-- 002-sync.sql: what sync keeps beside the records.

-- A field on which the server kept a different value than this device's edit: both values
-- are kept until someone resolves it (keep theirs, keep mine, or a new value).
CREATE TABLE conflict (
  id TEXT PRIMARY KEY NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  local_value TEXT,
  server_value TEXT,
  server_version INTEGER NOT NULL,
  local_by TEXT,
  local_at TEXT,
  server_by TEXT,
  server_at TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  resolution TEXT,
  resolved_value TEXT,
  uploaded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conflict_open ON conflict (resolved_at, created_at);

-- Mutations the server refused for good ("needs attention"); they never block the queue.
CREATE TABLE rejected (
  mutation_id TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  changes TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT,
  at TEXT NOT NULL,
  dismissed INTEGER NOT NULL DEFAULT 0
);
