-- 002-conflict-authors.sql: who made the value a conflict kept, and when.
-- The losing side was already known (account_id, created_at). server_by is the account
-- whose change gave the record the value that won (the field's writer; for an edit of a
-- deleted record, who deleted it; for a delete that lost, who edited the record last),
-- server_at when the server received that change. Both are null when it is not known
-- (conflicts recorded before this migration).
ALTER TABLE conflict
  ADD COLUMN server_by uuid REFERENCES account (id),
  ADD COLUMN server_at timestamptz,
  ADD CHECK ((server_by IS NULL) = (server_at IS NULL));
