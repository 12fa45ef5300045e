-- 001-initial.sql: the first vault schema.
-- Frozen once released: later changes are new numbered migrations.

CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT
);

-- Every local edit and the mutation that carries it to the server are written in one
-- transaction (DESIGN.md §5). seq numbers this device's mutations 1, 2, 3 … without gaps.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY NOT NULL,
  mutation_id TEXT NOT NULL UNIQUE,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  op TEXT NOT NULL,
  base_version INTEGER NOT NULL,
  changes TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX outbox_record ON outbox (record_id);

-- The server version at which each field of a record last changed.
CREATE TABLE field_version (
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (record_id, field)
) WITHOUT ROWID;

-- What changed, when and by whom: the history shown on a case page.
CREATE TABLE history (
  id INTEGER PRIMARY KEY NOT NULL,
  case_id TEXT,
  client_id TEXT,
  record_type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  op TEXT NOT NULL,
  field TEXT,
  old_value TEXT,
  new_value TEXT,
  at TEXT NOT NULL,
  by TEXT,
  origin TEXT NOT NULL
);
CREATE INDEX history_case ON history (case_id, id);
CREATE INDEX history_record ON history (record_id, id);
CREATE INDEX history_client ON history (client_id, id);

-- Funder category lists as versioned reference data.
CREATE TABLE category (
  list TEXT NOT NULL,
  version TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  local_code TEXT NOT NULL,
  funder_code TEXT NOT NULL,
  funder_label TEXT NOT NULL,
  PRIMARY KEY (list, version, local_code)
);

-- One full-text document per case: the client's names and pseudonym, phone, case number,
-- complaint/DIR numbers, dockets and claim numbers. docid is the case's rowid.
CREATE VIRTUAL TABLE case_search USING fts4 (body, tokenize=unicode61 "remove_diacritics=1");

CREATE TABLE command (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  code TEXT,
  type TEXT,
  name TEXT,
  borough TEXT,
  active_from TEXT,
  active_to TEXT
);

CREATE TABLE staff (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  username TEXT,
  display_name TEXT,
  role TEXT,
  commands TEXT,
  languages TEXT,
  active INTEGER
);

CREATE TABLE partner (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  name TEXT,
  service_types TEXT,
  phone TEXT,
  address TEXT,
  notes TEXT
);

CREATE TABLE client (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  legal_name TEXT,
  preferred_name TEXT,
  pseudonym TEXT,
  date_of_birth TEXT,
  age_at_intake INTEGER,
  age_band TEXT,
  gender_self TEXT,
  gender TEXT,
  race_ethnicity TEXT,
  preferred_language TEXT,
  interpreter_needed INTEGER,
  special_classifications TEXT,
  acp_participant INTEGER,
  address TEXT,
  phone TEXT,
  email TEXT,
  restricted INTEGER
);

CREATE TABLE safe_contact (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  client_id TEXT,
  channel TEXT,
  safe TEXT,
  agency_ok TEXT,
  safe_times TEXT,
  alternate_contact TEXT,
  code_phrase TEXT,
  client_will_initiate INTEGER,
  confirmed_on TEXT,
  confirmed_by TEXT
);
CREATE INDEX safe_contact_client_id ON safe_contact (client_id);

CREATE TABLE cases (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  client_id TEXT,
  case_number TEXT,
  command TEXT,
  assigned_to TEXT,
  track TEXT,
  status TEXT,
  referral_received_at TEXT,
  opened_at TEXT,
  closed_at TEXT,
  closure_reason TEXT,
  victim_role TEXT,
  funding_sources TEXT,
  restricted INTEGER,
  first_attempt_at TEXT,
  first_contact_at TEXT,
  last_activity_at TEXT,
  next_due_on TEXT
);
CREATE INDEX cases_client_id ON cases (client_id);

CREATE TABLE referral (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  received_at TEXT,
  source TEXT,
  complaint_number TEXT,
  incident_date TEXT,
  incident_command TEXT
);
CREATE INDEX referral_case_id ON referral (case_id);

CREATE TABLE victimization (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  type TEXT,
  incident_from TEXT,
  incident_to TEXT,
  relationship TEXT,
  trafficking_type TEXT,
  minor_at_time INTEGER,
  foreign_national INTEGER,
  reported_to_police TEXT
);
CREATE INDEX victimization_case_id ON victimization (case_id);

CREATE TABLE contact (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  at TEXT,
  advocate TEXT,
  direction TEXT,
  channel TEXT,
  outcome TEXT,
  duration_minutes INTEGER,
  language TEXT,
  interpreter INTEGER,
  note TEXT
);
CREATE INDEX contact_case_id ON contact (case_id);

CREATE TABLE service (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  date TEXT,
  advocate TEXT,
  code TEXT,
  times INTEGER,
  funding_source TEXT,
  victimization_ids TEXT,
  note TEXT
);
CREATE INDEX service_case_id ON service (case_id);

CREATE TABLE outbound_referral (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  date TEXT,
  partner TEXT,
  service_type TEXT,
  release_id TEXT,
  outcome TEXT
);
CREATE INDEX outbound_referral_case_id ON outbound_referral (case_id);

CREATE TABLE release_of_info (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  client_id TEXT,
  recipient TEXT,
  purpose TEXT,
  categories TEXT,
  signed_on TEXT,
  expires_on TEXT,
  signer TEXT,
  signer_role TEXT,
  revoked_on TEXT,
  document_ref TEXT
);
CREATE INDEX release_of_info_client_id ON release_of_info (client_id);

CREATE TABLE disclosure (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  client_id TEXT,
  what TEXT,
  recipient TEXT,
  at TEXT,
  authority TEXT,
  release_id TEXT,
  victim_notified_on TEXT
);
CREATE INDEX disclosure_client_id ON disclosure (client_id);

CREATE TABLE immigration (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  type TEXT,
  certifying_agency TEXT,
  requested_on TEXT,
  urgency TEXT,
  ages_out_on TEXT,
  decision TEXT,
  decided_on TEXT,
  filed_on TEXT,
  expires_on TEXT,
  appeal INTEGER,
  attorney TEXT,
  release_id TEXT
);
CREATE INDEX immigration_case_id ON immigration (case_id);

CREATE TABLE legal_matter (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  type TEXT,
  court TEXT,
  docket TEXT,
  next_court_date TEXT,
  order_expires_on TEXT,
  status TEXT
);
CREATE INDEX legal_matter_case_id ON legal_matter (case_id);

CREATE TABLE compensation (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  crime_date TEXT,
  filed_on TEXT,
  filing_deadline TEXT,
  claim_number TEXT,
  status TEXT,
  award INTEGER
);
CREATE INDEX compensation_case_id ON compensation (case_id);

CREATE TABLE task (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  due TEXT,
  title TEXT,
  done INTEGER
);
CREATE INDEX task_case_id ON task (case_id);

CREATE TABLE safety_plan (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  completed_on TEXT,
  reviewed_on TEXT,
  items TEXT
);
CREATE INDEX safety_plan_case_id ON safety_plan (case_id);

CREATE TABLE note (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  case_id TEXT,
  at TEXT,
  author TEXT,
  text TEXT
);
CREATE INDEX note_case_id ON note (case_id);

CREATE TABLE audit_event (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  created_by TEXT,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  user TEXT,
  at TEXT,
  action TEXT,
  record_type TEXT,
  record_id TEXT,
  reason TEXT
);

CREATE UNIQUE INDEX command_code ON command (code);
CREATE INDEX cases_command_status ON cases (command, status);
CREATE INDEX cases_assigned_status ON cases (assigned_to, status);
CREATE INDEX cases_status_activity ON cases (status, last_activity_at);
CREATE INDEX cases_referral ON cases (referral_received_at);
CREATE INDEX contact_case_at ON contact (case_id, at);
CREATE INDEX service_date ON service (date);
CREATE INDEX task_due ON task (done, due);
CREATE INDEX audit_event_at ON audit_event (at);
