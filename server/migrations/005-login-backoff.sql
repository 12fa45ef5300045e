-- 005-login-backoff.sql: sign-in throttling per account and address with backoff.
-- Rows keyed 'pair:' + hash of the account name and the address count attempts of one
-- account from one address; 'addr:' rows count an address over every account. An attempt
-- is counted before the password is checked (a success gives it back); once a key reaches
-- its limit, each further attempt sets next_at further away (backoff doubling up to the
-- window), and attempts before next_at are refused uncounted.
-- The 'user:' rows of the hard per-account lockout go.
-- Frozen once released.

DELETE FROM login_throttle WHERE key LIKE 'user:%';
ALTER TABLE login_throttle ADD COLUMN next_at timestamptz;
