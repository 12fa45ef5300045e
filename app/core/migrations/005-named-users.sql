-- 005-named-users.sql: the staff who may see a case while it (or its client) is restricted
-- (DOMAIN.md, confidentiality rule 4): usernames, lower-case, sorted, joined by ';'. The
-- assigned advocate always counts as named. The server enforces it; the vault only keeps
-- the value.
ALTER TABLE cases ADD COLUMN named_users TEXT;
