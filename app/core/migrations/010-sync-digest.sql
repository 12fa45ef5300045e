-- 010-sync-digest.sql: the digest of the synced records this vault holds, kept.
--
-- A pull that finds nothing new sends the server the digest of what this vault holds
-- (the sum, modulo 2^64, of cl_wire_digest_add()'s term for each live synced record:
-- version > 0 and not deleted). It is kept here, in one row, by triggers on every synced
-- record table, in the transaction that writes, whatever writes (store, pull, purge,
-- resolution), instead of summed over every record at each idle round. The terms come
-- from cl_digest_move() and cl_digest_sum(), which cl-vault.c registers on the vault's
-- connection when it opens (SQLite's own integer sum would overflow into a float).
-- A new synced record table needs its three triggers and its line in the fill below;
-- /sync-digest/triggers checks that every synced type has them.
CREATE TABLE sync_digest (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
CREATE TRIGGER command_digest_insert AFTER INSERT ON command
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER command_digest_delete AFTER DELETE ON command
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER command_digest_update AFTER UPDATE OF id, version, deleted ON command
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER staff_digest_insert AFTER INSERT ON staff
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER staff_digest_delete AFTER DELETE ON staff
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER staff_digest_update AFTER UPDATE OF id, version, deleted ON staff
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER partner_digest_insert AFTER INSERT ON partner
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER partner_digest_delete AFTER DELETE ON partner
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER partner_digest_update AFTER UPDATE OF id, version, deleted ON partner
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER client_digest_insert AFTER INSERT ON client
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER client_digest_delete AFTER DELETE ON client
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER client_digest_update AFTER UPDATE OF id, version, deleted ON client
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER safe_contact_digest_insert AFTER INSERT ON safe_contact
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER safe_contact_digest_delete AFTER DELETE ON safe_contact
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER safe_contact_digest_update AFTER UPDATE OF id, version, deleted ON safe_contact
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER cases_digest_insert AFTER INSERT ON cases
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER cases_digest_delete AFTER DELETE ON cases
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER cases_digest_update AFTER UPDATE OF id, version, deleted ON cases
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER referral_digest_insert AFTER INSERT ON referral
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER referral_digest_delete AFTER DELETE ON referral
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER referral_digest_update AFTER UPDATE OF id, version, deleted ON referral
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER victimization_digest_insert AFTER INSERT ON victimization
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER victimization_digest_delete AFTER DELETE ON victimization
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER victimization_digest_update AFTER UPDATE OF id, version, deleted ON victimization
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER contact_digest_insert AFTER INSERT ON contact
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER contact_digest_delete AFTER DELETE ON contact
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER contact_digest_update AFTER UPDATE OF id, version, deleted ON contact
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER service_digest_insert AFTER INSERT ON service
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER service_digest_delete AFTER DELETE ON service
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER service_digest_update AFTER UPDATE OF id, version, deleted ON service
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER outbound_referral_digest_insert AFTER INSERT ON outbound_referral
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER outbound_referral_digest_delete AFTER DELETE ON outbound_referral
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER outbound_referral_digest_update AFTER UPDATE OF id, version, deleted ON outbound_referral
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER release_of_info_digest_insert AFTER INSERT ON release_of_info
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER release_of_info_digest_delete AFTER DELETE ON release_of_info
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER release_of_info_digest_update AFTER UPDATE OF id, version, deleted ON release_of_info
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER disclosure_digest_insert AFTER INSERT ON disclosure
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER disclosure_digest_delete AFTER DELETE ON disclosure
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER disclosure_digest_update AFTER UPDATE OF id, version, deleted ON disclosure
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER immigration_digest_insert AFTER INSERT ON immigration
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER immigration_digest_delete AFTER DELETE ON immigration
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER immigration_digest_update AFTER UPDATE OF id, version, deleted ON immigration
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER legal_matter_digest_insert AFTER INSERT ON legal_matter
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER legal_matter_digest_delete AFTER DELETE ON legal_matter
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER legal_matter_digest_update AFTER UPDATE OF id, version, deleted ON legal_matter
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER compensation_digest_insert AFTER INSERT ON compensation
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER compensation_digest_delete AFTER DELETE ON compensation
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER compensation_digest_update AFTER UPDATE OF id, version, deleted ON compensation
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER task_digest_insert AFTER INSERT ON task
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER task_digest_delete AFTER DELETE ON task
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER task_digest_update AFTER UPDATE OF id, version, deleted ON task
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER safety_plan_digest_insert AFTER INSERT ON safety_plan
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER safety_plan_digest_delete AFTER DELETE ON safety_plan
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER safety_plan_digest_update AFTER UPDATE OF id, version, deleted ON safety_plan
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER note_digest_insert AFTER INSERT ON note
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER note_digest_delete AFTER DELETE ON note
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER note_digest_update AFTER UPDATE OF id, version, deleted ON note
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
CREATE TRIGGER audit_event_digest_insert AFTER INSERT ON audit_event
WHEN NEW.version > 0 AND NEW.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, NEW.id, NEW.version, 1);
END;
CREATE TRIGGER audit_event_digest_delete AFTER DELETE ON audit_event
WHEN OLD.version > 0 AND OLD.deleted = 0 BEGIN
  UPDATE sync_digest SET value = cl_digest_move (value, OLD.id, OLD.version, -1);
END;
CREATE TRIGGER audit_event_digest_update AFTER UPDATE OF id, version, deleted ON audit_event
WHEN (OLD.id IS NOT NEW.id OR OLD.version IS NOT NEW.version OR OLD.deleted IS NOT NEW.deleted)
  AND ((OLD.version > 0 AND OLD.deleted = 0) OR (NEW.version > 0 AND NEW.deleted = 0)) BEGIN
  UPDATE sync_digest SET value = cl_digest_move (cl_digest_move (value, OLD.id, OLD.version,
    -(OLD.version > 0 AND OLD.deleted = 0)), NEW.id, NEW.version, NEW.version > 0 AND NEW.deleted = 0);
END;
INSERT INTO sync_digest (id, value) SELECT 1, cl_digest_sum (id, version) FROM (
  SELECT id, version FROM command WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM staff WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM partner WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM client WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM safe_contact WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM cases WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM referral WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM victimization WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM contact WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM service WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM outbound_referral WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM release_of_info WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM disclosure WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM immigration WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM legal_matter WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM compensation WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM task WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM safety_plan WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM note WHERE version > 0 AND deleted = 0
  UNION ALL SELECT id, version FROM audit_event WHERE version > 0 AND deleted = 0);
