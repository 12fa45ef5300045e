-- 009-record-digest.sql: the digest of each scope kept as records are written, so an
-- idle pull checks a device's digest without reading every record it may read.
-- record_digest: for each record type and scope (a record's token set, as stored), how
-- many live records with a version above 0 it holds and the sum modulo 2^64 of the first
-- 8 bytes of SHA-256("<id>:<version>") over them (docs/PROTOCOL.md, "Digest"). A pull adds
-- the rows its user reads, with the same rule as for the records themselves.
-- Triggers on record keep it up to date in the writing transaction, whatever writes:
-- push, scope changes, conflict resolutions, administration, purges.
-- Frozen once released.

CREATE TABLE record_digest (
  type text NOT NULL,
  scope text[] NOT NULL,
  n bigint NOT NULL,
  h numeric NOT NULL,
  PRIMARY KEY (type, scope)
);

-- The digest term of one record version, as an unsigned 64-bit number.
CREATE FUNCTION record_digest_term (id uuid, version bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN x < 0 THEN x::numeric + 18446744073709551616 ELSE x::numeric END
  FROM (SELECT ('x' || encode(substring(sha256(convert_to(id::text || ':' || version::text,
                                                          'UTF8')) FROM 1 FOR 8),
                              'hex'))::bit(64)::bigint AS x) t
$$;

-- A write appends to record_digest_delta the record versions it removes (n = -1) and adds
-- (n = 1); the first write of a transaction also queues one deferred trigger, which folds
-- the transaction's rows into record_digest when it commits, set-based. Adding to the same
-- row of record_digest at every write would make a push of n records in one scope cost
-- O(n^2): each update of a row the transaction already updated walks its chain of
-- versions.
CREATE TABLE record_digest_delta (
  type text NOT NULL,
  scope text[] NOT NULL,
  id uuid NOT NULL,
  version bigint NOT NULL,
  n smallint NOT NULL
);

CREATE TABLE record_digest_fold (
  txid bigint NOT NULL
);

CREATE FUNCTION record_digest_track () RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted = NEW.deleted AND OLD.version = NEW.version
     AND OLD.id = NEW.id AND OLD.type = NEW.type AND OLD.scope = NEW.scope THEN
    RETURN NULL;
  END IF;
  IF coalesce (current_setting ('caseload.digest_txid', true), '') <> txid_current ()::text THEN
    PERFORM set_config ('caseload.digest_txid', txid_current ()::text, true);
    INSERT INTO record_digest_fold VALUES (txid_current ());
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted AND OLD.version > 0 THEN
    INSERT INTO record_digest_delta VALUES (OLD.type, OLD.scope, OLD.id, OLD.version, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted AND NEW.version > 0 THEN
    INSERT INTO record_digest_delta VALUES (NEW.type, NEW.scope, NEW.id, NEW.version, 1);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_digest AFTER INSERT OR UPDATE OR DELETE ON record
  FOR EACH ROW EXECUTE FUNCTION record_digest_track ();

-- The rows of record_digest_delta and record_digest_fold a transaction sees are its own:
-- the others fold theirs before they commit.
CREATE FUNCTION record_digest_fold () RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_digest_fold;
  WITH d AS (DELETE FROM record_digest_delta RETURNING type, scope, id, version, n)
  INSERT INTO record_digest AS r (type, scope, n, h)
    SELECT type, scope, sum (n),
           sum (CASE WHEN n > 0 THEN record_digest_term (id, version)
                     ELSE 18446744073709551616 - record_digest_term (id, version) END)
           % 18446744073709551616
    FROM d GROUP BY type, scope
    ON CONFLICT (type, scope) DO UPDATE
      SET n = r.n + excluded.n, h = (r.h + excluded.h) % 18446744073709551616;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER record_digest_fold AFTER INSERT ON record_digest_fold
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_digest_fold ();

INSERT INTO record_digest (type, scope, n, h)
  SELECT type, scope, count(*), sum(record_digest_term (id, version)) % 18446744073709551616
  FROM record WHERE NOT deleted AND version > 0
  GROUP BY type, scope;
