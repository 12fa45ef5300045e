/* srv-push.c: POST /v1/push
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One PostgreSQL transaction per batch: lock the device row, answer the seqs it already
 * has from the mutation log (a different body under a used seq is 422 and a security
 * entry), refuse a gap (409 with the expected seq), lock the version clock, then authorize,
 * validate and apply each new mutation field by field, record its result, advance last_seq
 * and commit. The answer leaves only after the commit. A mutation that can never apply is
 * recorded as rejected and still acknowledged, so one bad record never blocks a queue.
 */

#define G_LOG_DOMAIN "srv-push"

#include <string.h>

#include <libsoup/soup.h>
#include <sodium.h>

#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-metrics.h"
#include "srv-push.h"
#include "srv-records.h"

typedef struct {
  SrvWorker        *worker;
  PGconn           *conn;
  const SrvSession *session;
  const char       *address;
  SrvClock          clock;
  guint             n_applied;
  guint             n_conflict;
  guint             n_rejected;
  guint             n_duplicate;
  guint             n_conflict_rows;
  gint64            open_conflicts;   /* this device's open conflicts; -1: not counted yet */
  guint             conflicts_made;   /* conflict rows inserted */
  /* What the batch knows of the records it writes, loaded with one statement at its start:
   * lower-case id → SrvRecord, or %NULL for an id no record has. %NULL once forgotten. */
  GHashTable       *known;
  /* Parents that creations name: lower-case id → Parent. */
  GHashTable       *parents;
  /* Set by a mutation that wrote only the record it created (no case: a case rescopes its
   * client): what the batch knows of other records still holds after it. */
  gboolean          wrote_only_itself;
  /* The mutation log's rows not inserted yet, one PostgreSQL array literal per column
   * (LOG_COLUMNS): inserted with one statement before anything reads the log. */
  GString          *log[10];
  guint             n_log;
} Push;

typedef struct {
  SrvRecord *record;    /* nullable */
  gboolean   visible;
} Parent;

static void
parent_free (Parent *parent)
{
  g_clear_pointer (&parent->record, srv_record_free);
  g_free (parent);
}

static void
push_init (Push *push)
{
  push->parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) parent_free);
  for (guint i = 0; i < G_N_ELEMENTS (push->log); i++)
    push->log[i] = g_string_new ("{");
}

static void
push_clear (Push *push)
{
  g_clear_pointer (&push->known, g_hash_table_unref);
  g_clear_pointer (&push->parents, g_hash_table_unref);
  for (guint i = 0; i < G_N_ELEMENTS (push->log); i++)
    if (push->log[i] != NULL)
      g_string_free (g_steal_pointer (&push->log[i]), TRUE);
}

/* After a mutation that may have written other records than its own (an update, a delete,
 * a case, a rescoping): every record and parent is loaded again when next needed. */
static void
push_forget_all (Push *push)
{
  g_clear_pointer (&push->known, g_hash_table_unref);
  g_hash_table_remove_all (push->parents);
}

/* Loads and locks every record the batch's new mutations (from @from on) name, with one
 * statement, after the clock (the order every writer keeps). */
static gboolean
push_load_records (Push               *push,
                   ClWirePushRequest  *request,
                   guint               from,
                   GError            **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (from >= request->mutations->len)
    return TRUE;
  for (guint i = from; i < request->mutations->len; i++)
    g_ptr_array_add (ids, g_ascii_strdown (((ClWireMutation *)
                                            g_ptr_array_index (request->mutations, i))->record,
                                           -1));
  if (!srv_clock_lock (&push->clock, error))
    return FALSE;
  push->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) srv_record_free);
  if (!srv_record_load_many (push->conn, ids, push->known, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!g_hash_table_contains (push->known, g_ptr_array_index (ids, i)))
      g_hash_table_insert (push->known, g_strdup (g_ptr_array_index (ids, i)), NULL);
  return TRUE;
}

/* The record @id, locked until the transaction ends, or %NULL (without an error) when
 * there is none: from what the batch loaded at its start, or from the database. */
static SrvRecord *
push_load_record (Push        *push,
                  const char  *id,
                  GError     **error)
{
  g_autofree char *key = g_ascii_strdown (id, -1);
  gpointer stolen_key = NULL;
  gpointer value = NULL;
  SrvRecord *record;

  if (push->known == NULL ||
      !g_hash_table_steal_extended (push->known, key, &stolen_key, &value))
    return srv_record_load (push->conn, id, TRUE, error);
  /* Taken out: this mutation may change it. */
  g_free (stolen_key);
  if ((record = value) != NULL)
    {
      g_free (record->id);
      record->id = g_strdup (id);
    }
  return record;
}

/* The parent @id that a creation names, and whether the user may read it. */
static const Parent *
push_load_parent (Push        *push,
                  const char  *id,
                  GError     **error)
{
  g_autofree char *key = g_ascii_strdown (id, -1);
  Parent *parent = g_hash_table_lookup (push->parents, key);
  GError *local_error = NULL;

  if (parent != NULL)
    return parent;
  parent = g_new0 (Parent, 1);
  parent->record = srv_record_load (push->conn, id, FALSE, &local_error);
  if (local_error != NULL ||
      (parent->record != NULL &&
       !srv_records_readable (push->conn, push->session, parent->record->id, &parent->visible,
                              &local_error)))
    {
      parent_free (parent);
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_hash_table_insert (push->parents, g_steal_pointer (&key), parent);
  return parent;
}

/* Adds @value (nullable) to a PostgreSQL array literal opened with "{". */
static void
log_array_add (GString    *array,
               const char *value)
{
  if (array->len > 1)
    g_string_append_c (array, ',');
  if (value == NULL)
    {
      g_string_append (array, "NULL");
      return;
    }
  g_string_append_c (array, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (array, '\\');
      g_string_append_c (array, *p);
    }
  g_string_append_c (array, '"');
}

/* Inserts the mutation log's rows kept so far. */
static gboolean
flush_log (Push    *push,
           GError **error)
{
  const char *params[1 + G_N_ELEMENTS (push->log)];
  g_autoptr(PGresult) r = NULL;

  if (push->n_log == 0)
    return TRUE;
  params[0] = push->session->device_id;
  for (guint i = 0; i < G_N_ELEMENTS (push->log); i++)
    {
      g_string_append_c (push->log[i], '}');
      params[i + 1] = push->log[i]->str;
    }
  r = srv_db_execv (push->conn,
                    "INSERT INTO mutation_log (device_id, seq, mutation_id, body_hash, record_id, "
                    "type, status, code, version, result, body) "
                    "SELECT $1, u.seq, u.mutation_id, decode (u.hash, 'hex'), u.record_id, u.type, "
                    "u.status, u.code, u.version, u.result::jsonb, u.body::jsonb "
                    "FROM unnest ($2::bigint[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], "
                    "$7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[]) "
                    "AS u (seq, mutation_id, hash, record_id, type, status, code, version, "
                    "result, body) ORDER BY u.seq",
                    G_N_ELEMENTS (params), params, error);
  for (guint i = 0; i < G_N_ELEMENTS (push->log); i++)
    g_string_assign (push->log[i], "{");
  push->n_log = 0;
  return r != NULL;
}

/* One push request records at most this many conflicts (about 0.1 s of work under the
 * version clock's lock, which every other push waits on). Past it, the mutations applied so
 * far are committed and answered; the device sends the rest again (PROTOCOL.md, "POST
 * /v1/push"). A batch of edits that each conflict on every field cannot hold the clock for
 * seconds. */
#define CONFLICT_BUDGET 100

static ClWireResult *
reject (ClWireResult *result,
        const char   *code,
        const char   *message)
{
  result->status = CL_WIRE_STATUS_REJECTED;
  g_free (result->code);
  g_free (result->message);
  result->code = g_strdup (code);
  result->message = g_strdup (message);
  return result;
}

/* "“field” what": field names are schema identifiers, never client data. */
static ClWireResult *
reject_field (ClWireResult *result,
              const char   *code,
              const char   *field,
              const char   *what)
{
  g_autofree char *message = g_strdup_printf ("“%s” %s", field, what);
  return reject (result, code, message);
}

/**
 * srv_push_check_value:
 * @field: the field of the schema
 * @value: (nullable): the value a client sent
 * @code: (out): a stable code when the value is refused
 *
 * Values travel in the normalized form cl_field_normalize() produces: anything else is
 * refused rather than silently changed, so client and server never hold different text.
 */
gboolean
srv_push_check_value (const ClField  *field,
                      const char     *value,
                      const char    **code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  if (value == NULL)
    return TRUE;
  normalized = cl_field_normalize (field, value, &error);
  if (error != NULL || normalized == NULL || strcmp (normalized, value) != 0)
    {
      *code = "invalid_value";
      return FALSE;
    }
  return TRUE;
}

static gboolean
audit_denial (Push           *push,
              ClWireMutation *m,
              const char     *code,
              GError        **error)
{
  SrvAuditEntry entry = { "denied", code, .address = push->address,
                          .record_type = m->type, .record_id = m->record };

  srv_audit_session (&entry, push->session);
  return srv_audit (push->conn, &entry, error);
}

/* Who gave @field of @record_id the value it holds since @version, and when: the earliest
 * mutation logged at or after that version that changed the field (and did not lose it in
 * a conflict), or a resolution that wrote it ("mine" or "value"). A later change that set
 * the same value again does not count: it comes after. *by and *at stay NULL when nothing
 * says (older history). */
gboolean
srv_push_field_writer (PGconn      *conn,
                       const char  *record_id,
                       const char  *field,
                       gint64       version,
                       char       **by,
                       char       **at,
                       GError     **error)
{
  g_autofree char *v = srv_db_int (version);
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT w.by, w.at FROM ("
                   "  SELECT c.resolved_by AS by, c.resolved_at AS at, "
                   "         c.resolved_version AS v, 0 AS o, 0 AS seq FROM conflict c "
                   "  WHERE c.record_id = $1 AND c.field = $2 "
                   "  AND c.resolution IN ('mine', 'value') AND c.resolved_version >= $3 "
                   "  UNION ALL "
                   "  SELECT d.account_id, l.at, l.version, 1, l.seq FROM mutation_log l "
                   "  JOIN device d ON d.id = l.device_id "
                   "  WHERE l.record_id = $1 AND l.status <> 'rejected' AND l.version >= $3 "
                   "  AND (l.body -> 'changes') ? $2 AND NOT (l.result -> 'conflicts') @> "
                   "  jsonb_build_array(jsonb_build_object('field', $2::text))"
                   ") w ORDER BY w.v, w.o, w.at, w.seq LIMIT 1",
                   record_id, field, v, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  if (PQntuples (r) == 1)
    {
      *by = g_strdup (srv_db_get (r, 0, 0));
      *at = g_strdup (srv_db_get (r, 0, 1));
    }
  return TRUE;
}

/* Who deleted @record_id, and when: a deleted record changes no more, so its last writer. */
static gboolean
deleter (Push        *push,
         const char  *record_id,
         char       **by,
         char       **at,
         GError     **error)
{
  g_autoptr(PGresult) r = srv_db_exec (push->conn, error,
                                       "SELECT updated_by, deleted_at FROM record "
                                       "WHERE id = $1 AND updated_by IS NOT NULL "
                                       "AND deleted_at IS NOT NULL",
                                       record_id, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  if (PQntuples (r) == 1)
    {
      *by = g_strdup (srv_db_get (r, 0, 0));
      *at = g_strdup (srv_db_get (r, 0, 1));
    }
  return TRUE;
}

/* Whether the device has as many open conflicts as it may have ([sync] max-open-conflicts):
 * then an edit that could conflict is refused whole (too_many_conflicts) until a person
 * resolves some. One account cannot fill the supervisors' lists without end. */
static gboolean
conflicts_full (Push     *push,
                gboolean *full,
                GError  **error)
{
  if (push->open_conflicts < 0)
    {
      g_autoptr(PGresult) r = srv_db_exec (push->conn, error,
                                           "SELECT count(*) FROM conflict WHERE device_id = $1 "
                                           "AND resolved_at IS NULL",
                                           push->session->device_id, SRV_DB_END);
      if (r == NULL)
        return FALSE;
      push->open_conflicts = srv_db_get_int (r, 0, 0);
    }
  *full = push->open_conflicts >= srv_worker_get_config (push->worker)->max_open_conflicts;
  return TRUE;
}

/* Records the conflict, with who made the value that won (docs/PROTOCOL.md, "Conflicts"):
 * the writer of @winner (a field) at @winner_version, or for a "deleted" conflict the one
 * who deleted the record. */
static gboolean
insert_conflict (Push           *push,
                 ClWireMutation *m,
                 const char     *field,
                 const char     *kind,
                 const char     *server_value,
                 const char     *client_value,
                 gint64          server_version,
                 const char     *winner,
                 gint64          winner_version,
                 ClWireResult   *result,
                 GError        **error)
{
  g_autofree char *id = cl_uuid_new ();
  g_autofree char *version = srv_db_int (server_version);
  g_autofree char *seq = srv_db_int (m->seq);
  g_autofree char *by = NULL;
  g_autofree char *at = NULL;
  g_autoptr(PGresult) r = NULL;

  if (!flush_log (push, error))
    return FALSE;
  if (strcmp (kind, "deleted") == 0
      ? !deleter (push, m->record, &by, &at, error)
      : !srv_push_field_writer (push->conn, m->record, winner, winner_version, &by, &at,
                                 error))
    return FALSE;
  r = srv_db_exec (push->conn, error,
                   "INSERT INTO conflict (id, record_id, type, field, kind, server_value, "
                   "client_value, server_version, account_id, device_id, seq, server_by, "
                   "server_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   id, m->record, m->type, field, kind, server_value, client_value, version,
                   push->session->account_id, push->session->device_id, seq, by, at,
                   SRV_DB_END);
  if (r == NULL)
    return FALSE;
  cl_wire_result_add_conflict (result, field, server_value, client_value, id);
  push->conflicts_made++;
  if (push->open_conflicts >= 0)
    push->open_conflicts++;
  return TRUE;
}

/* The fields a mutation may carry: known, not derived, in normalized form. */
static gboolean
check_changes (const ClType   *type,
               ClWireMutation *m,
               ClWireResult   *result)
{
  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      const ClField *field = cl_type_lookup_field (type, c->field);
      const char *code = NULL;

      if (field == NULL)
        {
          reject_field (result, "unknown_field", c->field, "is not a field of this type");
          return FALSE;
        }
      if (field->flags & CL_FIELD_DERIVED)
        {
          reject_field (result, "derived_field", c->field, "is computed, never sent");
          return FALSE;
        }
      if (!srv_push_check_value (field, c->new_value, &code))
        {
          reject_field (result, code, c->field, "holds a value that is not valid for it");
          return FALSE;
        }
    }
  return TRUE;
}

/* Command codes must name a command the server knows. */
static gboolean
check_commands (Push           *push,
                const ClType   *type,
                ClWireMutation *m,
                ClWireResult   *result,
                GError        **error)
{
  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      const ClField *field = cl_type_lookup_field (type, c->field);
      gboolean exists = FALSE;

      if (field->kind != CL_FIELD_COMMAND || c->new_value == NULL)
        continue;
      if (!srv_record_command_exists (push->conn, c->new_value, &exists, error))
        return FALSE;
      if (!exists)
        {
          reject_field (result, "unknown_command", c->field, "names no known command");
          return TRUE;
        }
    }
  return TRUE;
}

/* The value a mutation gives @field, or %NULL. */
static const char *
change_value (ClWireMutation *m,
              const char     *field)
{
  const ClWireFieldChange *c = cl_wire_mutation_get_change (m, field);

  return c != NULL ? c->new_value : NULL;
}

/* @taken: the id is a record the user may not read: answered as for an unused id, but
 * what would be created is refused. */
static ClWireResult *
apply_create (Push           *push,
              const ClType   *type,
              ClWireMutation *m,
              gboolean        taken,
              ClWireResult   *result,
              GError        **error)
{
  SrvRecord *parent = NULL;
  g_autoptr(SrvRecord) record = NULL;
  g_auto(GStrv) scope = NULL;
  const char *parent_id = NULL;
  const char *command = NULL;
  gboolean visible = FALSE;
  gint64 v;

  if (m->op == CL_WIRE_OP_DELETE || m->base_version != 0)
    return reject (result, "not_found", "No such record");

  /* Every required field. */
  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *f = &type->fields[i];
      const ClWireFieldChange *c;

      if (!(f->flags & CL_FIELD_REQUIRED) || (f->flags & CL_FIELD_DERIVED))
        continue;
      c = cl_wire_mutation_get_change (m, f->name);
      if (c == NULL || c->new_value == NULL)
        return reject_field (result, "required_field", f->name, "is required");
    }

  if (type->parent != NULL)
    {
      const ClField *pf = cl_type_lookup_field (type, type->parent);
      const Parent *loaded;

      parent_id = cl_wire_mutation_get_change (m, type->parent)->new_value;
      if ((loaded = push_load_parent (push, parent_id, error)) == NULL)
        return NULL;
      parent = loaded->record;
      visible = loaded->visible;
      if (parent == NULL || !visible || parent->deleted || strcmp (parent->type, pf->target) != 0)
        return reject (result, "parent_not_found", "The record it belongs to does not exist");
    }
  if (strcmp (type->name, "case") == 0)
    {
      command = cl_wire_mutation_get_change (m, "command")->new_value;
      scope = srv_scope_for_case (command,
                                  g_strcmp0 (change_value (m, "restricted"), "1") == 0 ||
                                  (parent != NULL &&
                                   g_strcmp0 (srv_record_get (parent, "restricted"), "1") == 0),
                                  change_value (m, "named_users"),
                                  change_value (m, "assigned_to"),
                                  push->session->account_id);
    }
  else
    scope = srv_scope_for_new (type, push->session->account_id,
                               parent != NULL ? parent->scope : NULL,
                               g_strcmp0 (change_value (m, "restricted"), "1") == 0);
  /* The user must be allowed to write where the record goes (a restricted case: named on
   * it), and to write its parent: a case opened elsewhere for a client one cannot see would
   * widen that client's scope. */
  if (!srv_scope_can_write (push->session, type, scope) ||
      (parent != NULL &&
       !srv_scope_can_write (push->session, cl_schema_lookup_type (parent->type),
                             parent->scope)) ||
      (command != NULL && !srv_scope_can_use_command (push->session, command)) || taken)
    {
      if (!taken && !audit_denial (push, m, "forbidden", error))
        return NULL;
      return reject (result, "forbidden", "You may not create this record");
    }

  if (!check_commands (push, type, m, result, error))
    return NULL;
  if (result->status == CL_WIRE_STATUS_REJECTED)
    return result;

  if (!srv_clock_take (&push->clock, &v, error))
    return NULL;
  record = srv_record_new (m->record, type->name);
  record->version = v;
  record->parent_id = g_strdup (parent_id);
  record->created_by = g_strdup (push->session->account_id);
  g_strfreev (record->scope);
  record->scope = g_steal_pointer (&scope);
  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      if (c->new_value != NULL)
        srv_record_set (record, c->field, c->new_value, v);
    }
  if (!srv_record_insert (push->conn, record, push->session->account_id, error))
    return NULL;
  if (strcmp (type->name, "case") == 0 &&
      !srv_records_refresh_case (push->conn, &push->clock, record, error))
    return NULL;

  push->wrote_only_itself = strcmp (type->name, "case") != 0;
  result->status = CL_WIRE_STATUS_APPLIED;
  result->version = record->version;
  return result;
}

/* Whether @field's last change (at @field_version) came from an earlier mutation of this
 * same device: then a newer mutation of the device that was based on an older version is
 * made on top of its own edit, and is no conflict (docs/SYNC.md, "Own writes"). A write by
 * anyone else afterwards has a higher version than the one that mutation was logged with,
 * and a field that mutation lost in a conflict does not count. */
static gboolean
own_write (Push            *push,
           ClWireMutation  *m,
           const char      *field,
           gint64           field_version,
           gboolean        *own,
           GError         **error)
{
  g_autofree char *fv = srv_db_int (field_version);
  g_autoptr(PGresult) r = NULL;

  if (!flush_log (push, error))
    return FALSE;
  r = srv_db_exec (push->conn, error,
                   "SELECT 1 FROM mutation_log WHERE device_id = $1 AND record_id = $2 "
                   "AND status <> 'rejected' AND version >= $3 AND (body -> 'changes') ? $4 "
                   "AND NOT (result -> 'conflicts') @> "
                   "jsonb_build_array(jsonb_build_object('field', $4::text)) LIMIT 1",
                   push->session->device_id, m->record, fv, field, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  *own = PQntuples (r) > 0;
  return TRUE;
}

static int
compare_versions_desc (gconstpointer a,
                       gconstpointer b,
                       gpointer      versions)
{
  gint64 va = *(gint64 *) g_hash_table_lookup (versions, *(const char * const *) a);
  gint64 vb = *(gint64 *) g_hash_table_lookup (versions, *(const char * const *) b);

  return (vb > va) - (vb < va);
}

/* The field someone other than this device changed last after @m's base version, or %NULL
 * when nobody did. */
static gboolean
edited_since (Push            *push,
              SrvRecord       *record,
              ClWireMutation  *m,
              const char     **field,
              GError         **error)
{
  g_autoptr(GPtrArray) newer = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer k, v;

  *field = NULL;
  g_hash_table_iter_init (&iter, record->versions);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (*(gint64 *) v > m->base_version)
      g_ptr_array_add (newer, k);
  g_ptr_array_sort_with_data (newer, compare_versions_desc, record->versions);

  for (guint i = 0; i < newer->len; i++)
    {
      const char *name = g_ptr_array_index (newer, i);
      gboolean own = FALSE;

      if (!own_write (push, m, name, srv_record_field_version (record, name), &own, error))
        return FALSE;
      if (!own)
        {
          *field = name;
          return TRUE;
        }
    }
  return TRUE;
}

static ClWireResult *
apply_delete (Push           *push,
              const ClType   *type,
              SrvRecord      *record,
              ClWireMutation *m,
              ClWireResult   *result,
              GError        **error)
{
  const char *edited = NULL;
  gint64 v;

  result->version = record->version;
  if (record->deleted)
    {
      result->status = CL_WIRE_STATUS_APPLIED;
      return result;
    }
  /* Edited since this device last saw it: the edit stays, the delete waits for a person. */
  if (!edited_since (push, record, m, &edited, error))
    return NULL;
  if (edited != NULL)
    {
      gboolean full = FALSE;

      if (!conflicts_full (push, &full, error))
        return NULL;
      if (full)
        return reject (result, "too_many_conflicts", "This workstation has too many open "
                       "conflicts; resolve some, then make this change again");
      if (!insert_conflict (push, m, "_deleted", "delete", "0", "1", record->version, edited,
                            srv_record_field_version (record, edited), result, error))
        return NULL;
      result->status = CL_WIRE_STATUS_CONFLICT;
      return result;
    }

  if (!srv_clock_take (&push->clock, &v, error))
    return NULL;
  record->deleted = TRUE;
  record->version = v;
  if (!srv_record_update (push->conn, record, push->session->account_id, error) ||
      !srv_records_refresh_deleted (push->conn, &push->clock, record, error))
    return NULL;
  result->status = CL_WIRE_STATUS_APPLIED;
  result->version = v;
  return result;
}

static ClWireResult *
apply_update (Push           *push,
              const ClType   *type,
              SrvRecord      *record,
              ClWireMutation *m,
              ClWireResult   *result,
              GError        **error)
{
  gboolean rescope = FALSE;
  gint64 v = 0;

  /* Immutable and required fields first: a mutation applies whole or not at all. */
  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      const ClField *f = cl_type_lookup_field (type, c->field);

      if ((f->flags & CL_FIELD_IMMUTABLE) &&
          g_strcmp0 (srv_record_get (record, c->field), c->new_value) != 0)
        return reject_field (result, "immutable_field", c->field, "cannot change");
      if ((f->flags & CL_FIELD_REQUIRED) && c->new_value == NULL)
        return reject_field (result, "required_field", c->field, "is required");
    }

  /* A new command must be one of the user's, and known. */
  if (strcmp (type->name, "case") == 0)
    {
      const ClWireFieldChange *c = cl_wire_mutation_get_change (m, "command");

      if (c != NULL && g_strcmp0 (c->new_value, srv_record_get (record, "command")) != 0 &&
          !srv_scope_can_use_command (push->session, c->new_value))
        {
          if (!audit_denial (push, m, "forbidden", error))
            return NULL;
          return reject (result, "forbidden", "You may not move a case to that command");
        }
    }
  /* A new restriction, named users, assigned advocate or command rescopes records: the
   * user must see every one of them. (An edit of a deleted record rescopes nothing: it
   * becomes a conflict, checked again when resolved.) */
  for (guint i = 0; !record->deleted && i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      gboolean visible = FALSE;

      if (!srv_records_scope_field (type->name, c->field) ||
          g_strcmp0 (srv_record_get (record, c->field), c->new_value) == 0)
        continue;
      if (!srv_records_rescope_readable (push->conn, push->session, record, &visible, error))
        return NULL;
      if (!visible)
        {
          if (!audit_denial (push, m, "affects_hidden", error))
            return NULL;
          return reject (result, "affects_hidden",
                         "This change would affect records you may not see");
        }
      break;
    }
  if (!check_commands (push, type, m, result, error))
    return NULL;
  if (result->status == CL_WIRE_STATUS_REJECTED)
    return result;

  /* Only an edit made on an older version, or of a deleted record, can conflict. */
  if (record->deleted || m->base_version < record->version)
    {
      gboolean full = FALSE;

      if (!conflicts_full (push, &full, error))
        return NULL;
      if (full)
        return reject (result, "too_many_conflicts", "This workstation has too many open "
                       "conflicts; resolve some, then make this change again");
    }

  result->status = CL_WIRE_STATUS_APPLIED;
  result->version = record->version;

  /* An edit of a deleted record: every change is kept as a conflict, nothing revives. */
  if (record->deleted)
    {
      for (guint i = 0; i < m->changes->len; i++)
        {
          const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);

          if (!insert_conflict (push, m, c->field, "deleted", srv_record_get (record, c->field),
                                c->new_value, record->version, NULL, 0, result, error))
            return NULL;
        }
      if (m->changes->len > 0)
        result->status = CL_WIRE_STATUS_CONFLICT;
      return result;
    }

  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      const char *current = srv_record_get (record, c->field);
      gint64 fv = srv_record_field_version (record, c->field);
      gboolean own = FALSE;

      if (g_strcmp0 (current, c->new_value) == 0)
        continue;  /* already so: nothing to do, nothing to conflict with */
      if (fv > m->base_version && !own_write (push, m, c->field, fv, &own, error))
        return NULL;
      if (fv > m->base_version && !own)
        {
          if (!insert_conflict (push, m, c->field, "field", current, c->new_value, fv, c->field,
                                fv, result, error))
            return NULL;
          result->status = CL_WIRE_STATUS_CONFLICT;
          continue;
        }
      if (v == 0 && !srv_clock_take (&push->clock, &v, error))
        return NULL;
      srv_record_set (record, c->field, c->new_value, v);
      rescope |= srv_records_scope_field (type->name, c->field);
    }

  if (v == 0)
    return result;
  record->version = v;
  if (!srv_record_update (push->conn, record, push->session->account_id, error))
    return NULL;
  if (rescope && !srv_records_refresh_scope (push->conn, &push->clock, record, error))
    return NULL;
  result->version = record->version;
  return result;
}

/* Returns %NULL only on a database error; every other outcome is a result. */
static ClWireResult *
apply_mutation (Push           *push,
                ClWireMutation *m,
                GError        **error)
{
  g_autoptr(ClWireResult) result = cl_wire_result_new ();
  g_autoptr(SrvRecord) record = NULL;
  GError *local_error = NULL;
  const ClType *type;
  ClWireResult *out;
  gboolean visible = FALSE;

  result->seq = m->seq;
  result->id = g_strdup (m->id);

  type = cl_schema_lookup_type (m->type);
  if (type == NULL || (type->flags & CL_TYPE_LOCAL_ONLY))
    return reject (g_steal_pointer (&result), "unknown_type", "Unknown record type");
  if (!check_changes (type, m, result))
    return g_steal_pointer (&result);

  record = push_load_record (push, m->record, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  /* A record the user may not read answers as one that does not exist. */
  if (record != NULL &&
      !srv_records_readable (push->conn, push->session, record->id, &visible, error))
    return NULL;
  if (record != NULL && !visible && !audit_denial (push, m, "hidden", error))
    return NULL;

  if (record == NULL || !visible)
    out = apply_create (push, type, m, record != NULL, result, error);
  else if (strcmp (record->type, type->name) != 0)
    out = reject (result, "type_mismatch", "The record exists with another type");
  else if (!srv_scope_can_write (push->session, type, record->scope))
    {
      if (!audit_denial (push, m, "forbidden", error))
        return NULL;
      out = reject (result, "forbidden", "You may not change this record");
    }
  else if (type->flags & CL_TYPE_APPEND_ONLY)
    out = reject (result, "append_only", "This kind of record is never changed or deleted");
  else if (m->op == CL_WIRE_OP_DELETE)
    out = apply_delete (push, type, record, m, result, error);
  else
    out = apply_update (push, type, record, m, result, error);

  if (out == NULL)
    return NULL;
  g_assert (out == result);
  return g_steal_pointer (&result);
}

/* Keeps @m's row of the mutation log, inserted by flush_log(). */
static void
log_mutation (Push           *push,
              ClWireMutation *m,
              ClWireResult   *result)
{
  guint8 hash[32];
  char hex[65];
  g_autofree char *seq = srv_db_int (m->seq);
  g_autofree char *version = srv_db_int (result->version);
  g_autofree char *canonical = cl_wire_mutation_canonical (m);
  g_autoptr(JsonNode) node = cl_wire_result_to_json (result);
  g_autofree char *result_json = cl_wire_node_to_data (node, NULL);
  const char *values[G_N_ELEMENTS (push->log)];

  cl_wire_mutation_hash (m, hash);
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  values[0] = seq;
  values[1] = m->id;
  values[2] = hex;
  values[3] = m->record;
  values[4] = m->type;
  values[5] = cl_wire_status_to_string (result->status);
  values[6] = result->code;
  values[7] = version;
  values[8] = result_json;
  values[9] = canonical;
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    log_array_add (push->log[i], values[i]);
  push->n_log++;
}

static ClWireResult *
parse_stored_result (const char *json)
{
  g_autoptr(JsonParser) p = json_parser_new_immutable ();

  if (!json_parser_load_from_data (p, json, -1, NULL))
    return NULL;
  return cl_wire_result_from_json (json_parser_get_root (p), "stored", NULL);
}

static void
seq_error (SrvResponse *response,
           guint        status,
           const char  *code,
           const char  *message,
           const char  *member,
           gint64       seq)
{
  g_autoptr(JsonObject) extra = json_object_new ();

  json_object_set_int_member (extra, member, seq);
  srv_response_error_extra (response, status, code, message, extra);
}

typedef enum {
  PUSH_OK,
  PUSH_ANSWERED,
  PUSH_DB_ERROR,
} PushOutcome;

static PushOutcome
push_transaction (Push               *push,
                  ClWirePushRequest  *request,
                  ClWirePushResponse *reply,
                  SrvResponse        *response,
                  GError            **error)
{
  g_autoptr(PGresult) d = NULL;
  g_autoptr(PGresult) stored = NULL;
  gint64 last_seq;
  guint n = request->mutations->len;
  gint64 first, last;
  int row = 0;

  if (!srv_db_command (push->conn, "BEGIN", error))
    return PUSH_DB_ERROR;

  d = srv_db_exec (push->conn, error,
                   "SELECT last_seq, revoke_mode, seq_reset FROM device WHERE id = $1 FOR UPDATE",
                   push->session->device_id, SRV_DB_END);
  if (d == NULL)
    return PUSH_DB_ERROR;
  if (PQntuples (d) != 1)
    {
      srv_db_rollback (push->conn);
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid", "Sign in again");
      return PUSH_ANSWERED;
    }
  if (g_strcmp0 (srv_db_get (d, 0, 1), "lost") == 0)
    {
      srv_db_rollback (push->conn);
      srv_auth_revoked_error (response, "lost");
      return PUSH_ANSWERED;
    }
  last_seq = srv_db_get_int (d, 0, 0);
  reply->last_seq = last_seq;
  if (n == 0)
    return srv_db_command (push->conn, "COMMIT", error) ? PUSH_OK : PUSH_DB_ERROR;

  first = ((ClWireMutation *) g_ptr_array_index (request->mutations, 0))->seq;
  last = first + n - 1;
  if (srv_db_get_bool (d, 0, 2))
    {
      /* An administrator reset the device's count (caseload-server device reset): this
       * batch's first seq starts it afresh. */
      g_autofree char *from = srv_db_int (first);
      g_autofree char *previous = srv_db_int (first - 1);
      g_autoptr(PGresult) cleared = srv_db_exec (push->conn, error,
                                                 "DELETE FROM mutation_log WHERE "
                                                 "device_id = $1 AND seq >= $2",
                                                 push->session->device_id, from, SRV_DB_END);
      g_autoptr(PGresult) reset = NULL;

      if (cleared == NULL)
        return PUSH_DB_ERROR;
      reset = srv_db_exec (push->conn, error,
                           "UPDATE device SET last_seq = $2, seq_reset = false WHERE id = $1",
                           push->session->device_id, previous, SRV_DB_END);
      if (reset == NULL)
        return PUSH_DB_ERROR;
      last_seq = first - 1;
      reply->last_seq = last_seq;
    }
  if (first > last_seq + 1)
    {
      srv_db_rollback (push->conn);
      seq_error (response, SOUP_STATUS_CONFLICT, "seq_gap",
                 "Mutations are missing before this batch", "expected_seq", last_seq + 1);
      return PUSH_ANSWERED;
    }

  /* Seqs already seen: a replay gets its stored result; a new body under one is refused. */
  if (first <= last_seq)
    {
      g_autofree char *from = srv_db_int (first);
      g_autofree char *to = srv_db_int (MIN (last, last_seq));

      stored = srv_db_exec (push->conn, error,
                            "SELECT seq, encode(body_hash, 'hex'), result::text FROM mutation_log "
                            "WHERE device_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
                            push->session->device_id, from, to, SRV_DB_END);
      if (stored == NULL)
        return PUSH_DB_ERROR;
    }

  if (!push_load_records (push, request, (guint) CLAMP (last_seq + 1 - first, 0, n), error))
    return PUSH_DB_ERROR;

  for (guint i = 0; i < n; i++)
    {
      ClWireMutation *m = g_ptr_array_index (request->mutations, i);
      ClWireResult *result = NULL;

      /* This request did its share: answer for what it applied. */
      if (push->n_conflict_rows >= CONFLICT_BUDGET && m->seq > last_seq)
        {
          last = m->seq - 1;
          break;
        }

      if (m->seq <= last_seq)
        {
          guint8 hash[32];
          char hex[65];

          cl_wire_mutation_hash (m, hash);
          sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
          while (row < PQntuples (stored) && srv_db_get_int (stored, row, 0) < m->seq)
            row++;
          if (row < PQntuples (stored) && srv_db_get_int (stored, row, 0) == m->seq)
            {
              if (strcmp (srv_db_get (stored, row, 1), hex) != 0)
                {
                  SrvAuditEntry entry = { "push", "seq_reused", .address = push->address,
                                          .record_type = m->type, .record_id = m->record,
                                          .security = TRUE };
                  g_autoptr(JsonObject) detail = json_object_new ();

                  srv_db_rollback (push->conn);
                  json_object_set_int_member (detail, "seq", m->seq);
                  entry.detail = detail;
                  srv_audit_session (&entry, push->session);
                  if (!srv_audit (push->conn, &entry, error))
                    return PUSH_DB_ERROR;
                  seq_error (response, SOUP_STATUS_UNPROCESSABLE_ENTITY, "seq_reused",
                             "This seq was already used for a different mutation", "seq",
                             m->seq);
                  return PUSH_ANSWERED;
                }
              result = parse_stored_result (srv_db_get (stored, row, 2));
            }
          if (result == NULL)
            {
              result = cl_wire_result_new ();
              result->seq = m->seq;
              result->id = g_strdup (m->id);
              reject (result, "seq_expired", "This seq's result is no longer kept");
            }
          push->n_duplicate++;
          g_ptr_array_add (reply->results, result);
          continue;
        }

      /* The clock first, before any record row: writers never deadlock. */
      if (!srv_clock_lock (&push->clock, error))
        return PUSH_DB_ERROR;
      push->wrote_only_itself = FALSE;
      result = apply_mutation (push, m, error);
      if (result == NULL)
        return PUSH_DB_ERROR;
      if (!push->wrote_only_itself)
        push_forget_all (push);
      log_mutation (push, m, result);
      switch (result->status)
        {
        case CL_WIRE_STATUS_APPLIED: push->n_applied++; break;
        case CL_WIRE_STATUS_CONFLICT:
          push->n_conflict++;
          push->n_conflict_rows += result->conflicts != NULL ? result->conflicts->len : 1;
          break;
        case CL_WIRE_STATUS_REJECTED: push->n_rejected++; break;
        default: g_assert_not_reached ();
        }
      g_ptr_array_add (reply->results, result);
    }

  if (!flush_log (push, error))
    return PUSH_DB_ERROR;
  if (last > last_seq)
    {
      g_autofree char *seq = srv_db_int (last);
      g_autoptr(PGresult) u = srv_db_exec (push->conn, error,
                                           "UPDATE device SET last_seq = $2, "
                                           "last_seen_at = now() WHERE id = $1",
                                           push->session->device_id, seq, SRV_DB_END);
      if (u == NULL)
        return PUSH_DB_ERROR;
      reply->last_seq = last;
    }

  {
    SrvAuditEntry entry = { "push", "ok", .address = push->address };
    g_autoptr(JsonObject) detail = json_object_new ();

    json_object_set_int_member (detail, "applied", push->n_applied);
    json_object_set_int_member (detail, "conflict", push->n_conflict);
    json_object_set_int_member (detail, "rejected", push->n_rejected);
    json_object_set_int_member (detail, "duplicate", push->n_duplicate);
    json_object_set_int_member (detail, "last_seq", reply->last_seq);
    entry.detail = detail;
    srv_audit_session (&entry, push->session);
    if (!srv_clock_finish (&push->clock, error) ||
        !srv_audit (push->conn, &entry, error) ||
        !srv_db_command (push->conn, "COMMIT", error))
      return PUSH_DB_ERROR;
  }
  return PUSH_OK;
}

void
srv_handle_push (SrvWorker   *worker,
                 SrvRequest  *request,
                 SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(ClWirePushRequest) push_request = NULL;
  g_autoptr(GError) error = NULL;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_RETIRING_OK, response);
  if (session == NULL)
    return;

  push_request = cl_wire_push_request_decode (g_bytes_get_data (request->body, NULL),
                                              g_bytes_get_size (request->body), &error);
  if (push_request == NULL)
    {
      srv_response_wire_error (response, error);
      return;
    }
  if (strcmp (push_request->device_id, session->device_id) != 0)
    {
      SrvAuditEntry entry = { "push", "device_mismatch", .address = request->address,
                              .security = TRUE };

      srv_audit_session (&entry, session);
      g_clear_error (&error);
      if (!srv_audit (worker->conn, &entry, &error))
        g_message ("Cannot write an audit entry: %s", error->message);
      srv_response_error (response, SOUP_STATUS_FORBIDDEN, "device_mismatch",
                          "The device id is not the one this token belongs to");
      return;
    }
  for (guint i = 1; i < push_request->mutations->len; i++)
    {
      ClWireMutation *a = g_ptr_array_index (push_request->mutations, i - 1);
      ClWireMutation *b = g_ptr_array_index (push_request->mutations, i);

      if (b->seq != a->seq + 1)
        {
          srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_batch",
                              "The mutations of a push have consecutive seqs");
          return;
        }
    }

  /* A serialization failure or deadlock is retried; nothing was committed. */
  for (int attempt = 0; ; attempt++)
    {
      g_autoptr(ClWirePushResponse) reply = cl_wire_push_response_new ();
      Push push = { worker, worker->conn, session, request->address, .open_conflicts = -1 };
      PushOutcome outcome;

      srv_clock_init (&push.clock, worker->conn);
      push_init (&push);
      g_clear_error (&error);
      outcome = push_transaction (&push, push_request, reply, response, &error);
      push_clear (&push);
      if (outcome == PUSH_ANSWERED)
        return;
      if (outcome == PUSH_DB_ERROR)
        {
          srv_db_rollback (worker->conn);
          if (attempt < 3 && g_error_matches (error, SRV_DB_ERROR, SRV_DB_ERROR_RETRY))
            continue;
          srv_response_db_error (response, error);
          return;
        }

      srv_metrics_conflicts (push.conflicts_made);
      reply->revoked = g_strdup (session->revoke_mode);
      body = cl_wire_push_response_encode (reply, &len);
      srv_response_take_json (response, SOUP_STATUS_OK, body, len);
      return;
    }
}
