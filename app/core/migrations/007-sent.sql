-- 007-sent.sql: mutations the server acknowledged, kept for a while (docs/SYNC.md, "When the
-- server goes back"). A server database restored from an earlier dump has lost what it
-- acknowledged after the dump; the device finds out (the server's last_seq for it is below
-- the one it acknowledged) and sends those mutations again, under fresh sequence numbers,
-- from here. Rows older than the keeping time, and every row of a record that leaves this
-- user's scope, are deleted.
CREATE TABLE sent (
  seq INTEGER PRIMARY KEY NOT NULL,
  mutation_id TEXT NOT NULL UNIQUE,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  op TEXT NOT NULL,
  base_version INTEGER NOT NULL,
  changes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  acked_at TEXT NOT NULL
);
CREATE INDEX sent_record ON sent (record_id);
CREATE INDEX sent_acked ON sent (acked_at);
