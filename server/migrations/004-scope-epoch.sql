-- 004-scope-epoch.sql: an account's commands or role can change (caseload-server user set).
-- Records it may no longer read get scope exits under its own token, like any change of
-- scope. Records it may now read can be older than its devices' cursors: scope_epoch
-- counts such widenings, and a device records the epoch its vault was filled under when
-- it pulls from cursor 0. A pull from a later cursor by a device of an older epoch is
-- answered 410 scope_changed, and the device resynchronizes from the start
-- (docs/PROTOCOL.md, "Resets").
-- Frozen once released.

ALTER TABLE account ADD COLUMN scope_epoch integer NOT NULL DEFAULT 0;
ALTER TABLE device ADD COLUMN scope_epoch integer NOT NULL DEFAULT 0;
