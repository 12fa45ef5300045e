-- 006-sync-heal.sql: sync heals itself around resolutions and restores.
-- A resolution made on top of a value that changed since the conflict does not overwrite
-- it. The conflict closes as 'superseded' and a new one, between the value now held and
-- the one chosen, takes its place (superseded_by), so both are kept and a person decides
-- again (docs/PROTOCOL.md, "POST /v1/conflicts/{id}/resolve").
-- seq_reset: an administrator's `caseload-server device reset ID`. The device's next push
-- starts its numbering afresh from the seq it sends: what the server logged under that
-- seq and later ones is forgotten (docs/PROTOCOL.md, "When the server or a device goes
-- back").
-- Frozen once released.

ALTER TABLE conflict DROP CONSTRAINT conflict_resolution_check;
ALTER TABLE conflict ADD CONSTRAINT conflict_resolution_check
  CHECK (resolution IN ('theirs', 'mine', 'value', 'superseded'));
ALTER TABLE conflict ADD COLUMN superseded_by uuid REFERENCES conflict (id);
ALTER TABLE device ADD COLUMN seq_reset boolean NOT NULL DEFAULT false;
