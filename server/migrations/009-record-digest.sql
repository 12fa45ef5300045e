-- 009-record-digest.sql: the digest of each scope kept as records are written, so an
-- idle pull checks a device's digest without reading every record it may read.
-- record_digest: for each record type and scope (a record's token set, as stored), how
-- many live records with a version above 0 it holds and the sum modulo 2^64 of the first
-- 8 bytes of SHA-256("<id>:<version>") over them (docs/PROTOCOL.md, "Digest"). A pull adds
-- the rows its user reads, with the same rule as for the records themselves.
-- A trigger on record keeps it up to date in the writing transaction, whatever writes:
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

CREATE FUNCTION record_digest_track () RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted = NEW.deleted AND OLD.version = NEW.version
     AND OLD.id = NEW.id AND OLD.type = NEW.type AND OLD.scope = NEW.scope THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.deleted AND OLD.version > 0 THEN
    INSERT INTO record_digest AS d (type, scope, n, h)
      VALUES (OLD.type, OLD.scope, -1,
              18446744073709551616 - record_digest_term (OLD.id, OLD.version))
      ON CONFLICT (type, scope) DO UPDATE
        SET n = d.n + excluded.n, h = (d.h + excluded.h) % 18446744073709551616;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.deleted AND NEW.version > 0 THEN
    INSERT INTO record_digest AS d (type, scope, n, h)
      VALUES (NEW.type, NEW.scope, 1, record_digest_term (NEW.id, NEW.version))
      ON CONFLICT (type, scope) DO UPDATE
        SET n = d.n + excluded.n, h = (d.h + excluded.h) % 18446744073709551616;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_digest AFTER INSERT OR UPDATE OR DELETE ON record
  FOR EACH ROW EXECUTE FUNCTION record_digest_track ();

INSERT INTO record_digest (type, scope, n, h)
  SELECT type, scope, count(*), sum(record_digest_term (id, version)) % 18446744073709551616
  FROM record WHERE NOT deleted AND version > 0
  GROUP BY type, scope;
