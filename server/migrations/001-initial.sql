-- 001-initial.sql: the first caseload-server schema.
-- Frozen once released: later changes are new numbered migrations. Run by
-- `caseload-server migrate` in one transaction together with its seed step.

-- The global version clock (DESIGN.md §5). Every transaction that changes records takes
-- its versions while holding this row's lock, so versions become visible in commit order
-- and a reader's snapshot always holds a prefix of them. Never a sequence.
CREATE TABLE sync_clock (
  id integer PRIMARY KEY CHECK (id = 1),
  v bigint NOT NULL
);
INSERT INTO sync_clock VALUES (1, 0);

-- gc_horizon: the highest version whose tombstones or scope exits were purged. A pull
-- cursor below it (and above 0) has missed something for good: 410.
CREATE TABLE sync_meta (
  id integer PRIMARY KEY CHECK (id = 1),
  gc_horizon bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_meta VALUES (1, 0);

CREATE TABLE account (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username = lower(username)),
  role text NOT NULL CHECK (role IN ('advocate_dv', 'advocate_cv', 'supervisor', 'director',
                                     'data', 'admin')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- The commands an advocate works in or a supervisor oversees.
CREATE TABLE account_command (
  account_id uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  command text NOT NULL,
  PRIMARY KEY (account_id, command)
);

-- An enrolled workstation. The token is stored only as BLAKE2b-256 of its text.
CREATE TABLE device (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES account (id),
  name text NOT NULL,
  token_hash bytea UNIQUE,
  token_created_at timestamptz,
  token_used_at timestamptz,
  last_seq bigint NOT NULL DEFAULT 0,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  revoke_mode text CHECK (revoke_mode IN ('retire', 'lost')),
  erased_at timestamptz,
  CHECK ((revoked_at IS NULL) = (revoke_mode IS NULL))
);
CREATE INDEX device_account ON device (account_id);

-- Every synced record, whatever its type (common/cl-schema.h describes the types).
-- fields: field → value (absent = null); field_versions: field → the version at which the
-- field last changed. version: the record's last change (a field, a delete or a change of
-- scope). scope: the tokens whose holders may see it: 'cmd:<command code>',
-- 'user:<account id>' or 'ref' (reference data).
CREATE TABLE record (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  version bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  fields jsonb NOT NULL DEFAULT '{}',
  field_versions jsonb NOT NULL DEFAULT '{}',
  parent_id uuid,
  scope text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX record_version ON record (version) WHERE version > 0;
CREATE INDEX record_scope ON record USING gin (scope);
CREATE INDEX record_parent ON record (parent_id);
CREATE INDEX record_type ON record (type);
CREATE INDEX record_command_code ON record ((fields ->> 'code')) WHERE type = 'command';
CREATE INDEX record_tombstone ON record (deleted_at) WHERE deleted;

-- A record left the scope of a token at a version: pulls by holders of the token that no
-- longer see the record get a "remove".
CREATE TABLE scope_exit (
  version bigint NOT NULL,
  record_id uuid NOT NULL,
  type text NOT NULL,
  token text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (version, record_id, token)
);
CREATE INDEX scope_exit_token ON scope_exit (token, version);

-- One row per mutation a device pushed, applied, in conflict or rejected: the stored
-- result a replay gets back, and the hash that tells a replay from a reused seq.
CREATE TABLE mutation_log (
  device_id uuid NOT NULL REFERENCES device (id),
  seq bigint NOT NULL,
  mutation_id uuid NOT NULL,
  body_hash bytea NOT NULL,
  record_id uuid NOT NULL,
  type text NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
  code text,
  version bigint NOT NULL,
  result jsonb NOT NULL,
  body jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX mutation_log_record ON mutation_log (record_id);

-- A field on which the server kept its value and refused a device's: both values kept
-- until the advocate who made the losing edit or a supervisor of the command resolves it.
-- kind: 'field' (both edited), 'deleted' (edit of a deleted record), 'delete' (delete of a
-- record edited since the device saw it; field is '_deleted').
CREATE TABLE conflict (
  id uuid PRIMARY KEY,
  record_id uuid NOT NULL,
  type text NOT NULL,
  field text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('field', 'deleted', 'delete')),
  server_value text,
  client_value text,
  server_version bigint NOT NULL,
  account_id uuid NOT NULL REFERENCES account (id),
  device_id uuid NOT NULL REFERENCES device (id),
  seq bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by uuid REFERENCES account (id),
  resolution text CHECK (resolution IN ('theirs', 'mine', 'value')),
  resolved_version bigint
);
CREATE INDEX conflict_open ON conflict (record_id) WHERE resolved_at IS NULL;
CREATE INDEX conflict_account ON conflict (account_id) WHERE resolved_at IS NULL;

-- Who did what, when, from where: logins, denials, pushes, pulls, admin actions. Never a
-- client field value, a password or a token. security: events an administrator must see
-- (a reused seq, a forged device id).
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL,
  outcome text NOT NULL,
  account_id uuid,
  device_id uuid,
  address text,
  record_type text,
  record_id uuid,
  detail jsonb,
  security boolean NOT NULL DEFAULT false
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_security ON audit_log (at) WHERE security;

-- Failed logins per account ('user:' + hash of the name, so typos and passwords typed
-- into the name field are not stored) and per address, in a sliding window.
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_start timestamptz NOT NULL
);
