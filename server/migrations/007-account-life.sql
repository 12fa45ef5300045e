-- 007-account-life.sql: accounts and devices through their life.
-- password_must_change: set by an administrator's `caseload-server user passwd`; the next
-- sign-in must carry a new password (docs/PROTOCOL.md, "POST /v1/login").
-- A device's name is optional: enrollment may send none (`device list` shows "-").
-- Frozen once released.

ALTER TABLE account ADD COLUMN password_must_change boolean NOT NULL DEFAULT false;
ALTER TABLE device ALTER COLUMN name DROP NOT NULL;
