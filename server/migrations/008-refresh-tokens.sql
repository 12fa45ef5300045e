-- 008-refresh-tokens.sql: a device stays signed in with rotating refresh tokens.
-- signed_in_at: the device's last sign-in with a password; refresh stops refresh-max-age
-- after it (docs/PROTOCOL.md, "POST /v1/refresh").
-- refresh_token: the BLAKE2b-256 of each refresh token a device was given since that
-- sign-in. The current one has rotated_at NULL; a rotated one presented again means a copy
-- is in other hands, and the device's tokens are revoked. A sign-in with a password starts
-- a new chain (the device's rows go).
-- Frozen once released.

ALTER TABLE device ADD COLUMN signed_in_at timestamptz;
UPDATE device SET signed_in_at = token_created_at;

CREATE TABLE refresh_token (
  hash bytea PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES device (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);
CREATE INDEX refresh_token_device ON refresh_token (device_id);
