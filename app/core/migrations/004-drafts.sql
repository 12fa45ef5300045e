-- 004-drafts.sql: entries an advocate was still typing into a new-record dialog when the
-- vault locked, kept so the dialog comes back after unlock. Local to this device: never
-- synced, never queued in the outbox, never searched, never counted in reports.
CREATE TABLE draft (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,          -- 'new-referral', or the record type of a new record
  parent_id TEXT,              -- the case or client the new record belongs to
  case_id TEXT,                -- the case it was typed on, if any
  form_values TEXT NOT NULL,   -- JSON object: field -> value, as typed
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
