/* srv-records.c: records in PostgreSQL, the version clock and scope upkeep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scope rules (docs/PROTOCOL.md, "Scope"): a case is in the scope of its command, or, when
 * it or its client is restricted, of its named users; a record hanging off a case is in the
 * scope of that case; a client is in the scope of all its cases, or of its creator while it
 * has none; a record hanging off a client is in the client's scope. When a case is created,
 * moves to another command, or its restriction, named users or assigned advocate change,
 * or a client's restriction changes, the scopes that derive from it are recomputed here,
 * each changed record gets a new version and every token it lost is recorded in
 * scope_exit so those pulls learn to remove it.
 */

#define G_LOG_DOMAIN "srv-records"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-schema.h"
#include "srv-db.h"
#include "srv-metrics.h"
#include "srv-records.h"
#include "srv-scope.h"

void
srv_clock_init (SrvClock *clock,
                PGconn   *conn)
{
  memset (clock, 0, sizeof *clock);
  clock->conn = conn;
}

/**
 * srv_clock_lock:
 *
 * Locks the clock row until the transaction ends. Every writer takes this lock before it
 * locks any record row, so writers never deadlock on the clock.
 *
 * The clock never runs behind the wall clock in units of 10 µs (a hybrid logical clock):
 * a database restored from an earlier dump gives out versions above every version it gave
 * out before, so a device's cursor and base versions keep their meaning across a restore
 * (docs/PROTOCOL.md, "When the server goes back"). 15 digits last until the year 2286.
 */
gboolean
srv_clock_lock (SrvClock  *clock,
                GError   **error)
{
  g_autoptr(PGresult) r = NULL;
  gint64 start;

  if (clock->locked)
    return TRUE;
  start = g_get_monotonic_time ();
  r = srv_db_exec (clock->conn, error,
                   "UPDATE sync_clock SET v = greatest(v + 1, "
                   "floor(extract(epoch FROM clock_timestamp()) * 100000)::bigint) "
                   "WHERE id = 1 RETURNING v", SRV_DB_END);
  if (r == NULL)
    return FALSE;
  srv_metrics_clock_wait (g_get_monotonic_time () - start);
  clock->first = srv_db_get_int (r, 0, 0);
  clock->last = clock->first - 1;
  clock->locked = TRUE;
  return TRUE;
}

/**
 * srv_clock_take:
 * @version: (out): a version no committed or concurrent transaction has or will have
 *
 * Must run inside a transaction. The row lock taken by the first call serializes every
 * writer until its commit, so versions become visible in the order they were taken.
 */
gboolean
srv_clock_take (SrvClock  *clock,
                gint64    *version,
                GError   **error)
{
  if (!srv_clock_lock (clock, error))
    return FALSE;
  *version = ++clock->last;
  return TRUE;
}

/**
 * srv_clock_take_n:
 * @n: how many versions, at least 1
 * @first: (out): the first of @n consecutive versions, as srv_clock_take() would give them
 */
gboolean
srv_clock_take_n (SrvClock  *clock,
                  gint64     n,
                  gint64    *first,
                  GError   **error)
{
  g_return_val_if_fail (n >= 1, FALSE);

  if (!srv_clock_lock (clock, error))
    return FALSE;
  *first = clock->last + 1;
  clock->last += n;
  return TRUE;
}

/* Stores the last version taken; the row lock already holds the first. */
gboolean
srv_clock_finish (SrvClock  *clock,
                  GError   **error)
{
  g_autofree char *last = NULL;
  g_autoptr(PGresult) r = NULL;

  if (!clock->locked || clock->last <= clock->first)
    return TRUE;
  last = srv_db_int (clock->last);
  r = srv_db_exec (clock->conn, error, "UPDATE sync_clock SET v = $1 WHERE id = 1",
                   last, SRV_DB_END);
  return r != NULL;
}

SrvRecord *
srv_record_new (const char *id,
                const char *type)
{
  SrvRecord *r = g_new0 (SrvRecord, 1);

  r->id = g_strdup (id);
  r->type = g_strdup (type);
  r->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->scope = g_new0 (char *, 1);
  return r;
}

void
srv_record_free (SrvRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->type);
  g_hash_table_unref (record->fields);
  g_hash_table_unref (record->versions);
  g_free (record->parent_id);
  g_strfreev (record->scope);
  g_free (record->created_by);
  g_free (record);
}

const char *
srv_record_get (SrvRecord  *record,
                const char *field)
{
  return g_hash_table_lookup (record->fields, field);
}

gint64
srv_record_field_version (SrvRecord  *record,
                          const char *field)
{
  const gint64 *v = g_hash_table_lookup (record->versions, field);
  return v != NULL ? *v : 0;
}

void
srv_record_set (SrvRecord  *record,
                const char *field,
                const char *value,
                gint64      version)
{
  if (value != NULL)
    g_hash_table_replace (record->fields, g_strdup (field), g_strdup (value));
  else
    g_hash_table_remove (record->fields, field);
  g_hash_table_replace (record->versions, g_strdup (field), g_memdup2 (&version, sizeof version));
}

char *
srv_json_strv (GStrv strv)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) g = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  return json_generator_to_data (g, NULL);
}

/* Parses a JSON array of strings that PostgreSQL produced (trusted). */
GStrv
srv_json_parse_strv (const char *json)
{
  g_autoptr(JsonParser) p = json_parser_new_immutable ();
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  JsonNode *root;

  if (json != NULL && json_parser_load_from_data (p, json, -1, NULL) &&
      (root = json_parser_get_root (p)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *a = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *s = json_array_get_string_element (a, i);
          if (s != NULL)
            g_strv_builder_add (b, s);
        }
    }
  return g_strv_builder_end (b);
}

static void
parse_object (const char *json,
              GHashTable *fields,
              GHashTable *versions)
{
  g_autoptr(JsonParser) p = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *o;
  g_autoptr(GList) names = NULL;

  if (json == NULL || !json_parser_load_from_data (p, json, -1, NULL))
    return;
  root = json_parser_get_root (p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  o = json_node_get_object (root);
  names = json_object_get_members (o);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *n = json_object_get_member (o, l->data);

      if (fields != NULL && JSON_NODE_HOLDS_VALUE (n) &&
          json_node_get_value_type (n) == G_TYPE_STRING)
        g_hash_table_replace (fields, g_strdup (l->data), g_strdup (json_node_get_string (n)));
      else if (versions != NULL && JSON_NODE_HOLDS_VALUE (n))
        {
          gint64 v = json_node_get_int (n);
          g_hash_table_replace (versions, g_strdup (l->data), g_memdup2 (&v, sizeof v));
        }
    }
}

static char *
fields_json (SrvRecord *record)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) g = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer k, v;

  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, record->fields);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      json_builder_set_member_name (b, k);
      json_builder_add_string_value (b, v);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  return json_generator_to_data (g, NULL);
}

static char *
versions_json (SrvRecord *record)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) g = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer k, v;

  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, record->versions);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      json_builder_set_member_name (b, k);
      json_builder_add_int_value (b, *(gint64 *) v);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  return json_generator_to_data (g, NULL);
}

#define RECORD_COLUMNS "type, version, deleted, fields::text, field_versions::text, " \
                       "parent_id, array_to_json(scope)::text, created_by"

/* The record in @row of @r, whose columns from @col are RECORD_COLUMNS. */
static SrvRecord *
record_from_row (PGresult   *r,
                 int         row,
                 int         col,
                 const char *id)
{
  SrvRecord *record = srv_record_new (id, srv_db_get (r, row, col));

  record->version = srv_db_get_int (r, row, col + 1);
  record->deleted = srv_db_get_bool (r, row, col + 2);
  parse_object (srv_db_get (r, row, col + 3), record->fields, NULL);
  parse_object (srv_db_get (r, row, col + 4), NULL, record->versions);
  record->parent_id = g_strdup (srv_db_get (r, row, col + 5));
  g_strfreev (record->scope);
  record->scope = srv_json_parse_strv (srv_db_get (r, row, col + 6));
  record->created_by = g_strdup (srv_db_get (r, row, col + 7));
  return record;
}

/**
 * srv_record_load:
 * @for_update: lock the row until the transaction ends
 *
 * Returns: (transfer full) (nullable): the record; %NULL without an error if there is none
 */
SrvRecord *
srv_record_load (PGconn      *conn,
                 const char  *id,
                 gboolean     for_update,
                 GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   for_update
                   ? "SELECT " RECORD_COLUMNS " FROM record WHERE id = $1 FOR UPDATE"
                   : "SELECT " RECORD_COLUMNS " FROM record WHERE id = $1",
                   id, SRV_DB_END);
  if (r == NULL || PQntuples (r) == 0)
    return NULL;
  return record_from_row (r, 0, 0, id);
}

/**
 * srv_record_load_many:
 * @ids: (element-type utf8): record ids (UUIDs, in any case)
 * @records: (element-type utf8 SrvRecord): filled with each record that exists, by its id
 *   in lower case
 *
 * Loads the records with one statement and locks their rows until the transaction ends,
 * as srv_record_load() with @for_update does for one.
 */
gboolean
srv_record_load_many (PGconn      *conn,
                      GPtrArray   *ids,
                      GHashTable  *records,
                      GError     **error)
{
  g_autoptr(GString) array = g_string_new ("{");
  g_autoptr(PGresult) r = NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      g_return_val_if_fail (cl_is_uuid (g_ptr_array_index (ids, i)), FALSE);
      g_string_append_printf (array, "%s%s", i > 0 ? "," : "",
                              (const char *) g_ptr_array_index (ids, i));
    }
  g_string_append_c (array, '}');
  r = srv_db_exec (conn, error,
                   "SELECT id::text, " RECORD_COLUMNS " FROM record "
                   "WHERE id = ANY ($1::uuid[]) FOR UPDATE",
                   array->str, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  for (int row = 0; row < PQntuples (r); row++)
    {
      const char *id = srv_db_get (r, row, 0);
      g_hash_table_replace (records, g_strdup (id), record_from_row (r, row, 1, id));
    }
  return TRUE;
}

gboolean
srv_record_insert (PGconn      *conn,
                   SrvRecord   *record,
                   const char  *account_id,
                   GError     **error)
{
  g_autofree char *version = srv_db_int (record->version);
  g_autofree char *fields = fields_json (record);
  g_autofree char *versions = versions_json (record);
  g_autofree char *scope = srv_json_strv (record->scope);
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "INSERT INTO record (id, type, version, fields, field_versions, parent_id, "
                   "scope, created_by, updated_by) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, "
                   "ARRAY(SELECT jsonb_array_elements_text($7::jsonb)), $8, $8)",
                   record->id, record->type, version, fields, versions, record->parent_id,
                   scope, account_id, SRV_DB_END);
  return r != NULL;
}

gboolean
srv_record_update (PGconn      *conn,
                   SrvRecord   *record,
                   const char  *account_id,
                   GError     **error)
{
  g_autofree char *version = srv_db_int (record->version);
  g_autofree char *fields = fields_json (record);
  g_autofree char *versions = versions_json (record);
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "UPDATE record SET version = $2, fields = $3::jsonb, "
                   "field_versions = $4::jsonb, deleted = $5, updated_at = now(), "
                   "updated_by = $6, deleted_at = CASE WHEN $5 THEN coalesce(deleted_at, now()) "
                   "END WHERE id = $1",
                   record->id, version, fields, versions, record->deleted ? "true" : "false",
                   account_id, SRV_DB_END);
  return r != NULL;
}

gboolean
srv_record_command_exists (PGconn      *conn,
                           const char  *code,
                           gboolean    *exists,
                           GError     **error)
{
  g_autoptr(PGresult) r = srv_db_exec (conn, error,
                                       "SELECT 1 FROM record WHERE type = 'command' "
                                       "AND fields ->> 'code' = $1 AND NOT deleted",
                                       code, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  *exists = PQntuples (r) > 0;
  return TRUE;
}

/* Gives one locked row a new scope and version, recording the tokens it lost. */
static gboolean
set_scope (PGconn      *conn,
           SrvClock    *clock,
           const char  *id,
           const char  *type,
           GStrv        old_scope,
           GStrv        new_scope,
           GError     **error)
{
  g_autofree char *scope_json = srv_json_strv (new_scope);
  g_autofree char *version = NULL;
  g_autoptr(GPtrArray) lost = g_ptr_array_new ();
  g_autoptr(PGresult) r = NULL;
  gint64 v;

  if (!srv_clock_take (clock, &v, error))
    return FALSE;
  version = srv_db_int (v);

  r = srv_db_exec (conn, error,
                   "UPDATE record SET scope = ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), "
                   "version = $3 WHERE id = $1",
                   id, scope_json, version, SRV_DB_END);
  if (r == NULL)
    return FALSE;

  for (guint i = 0; old_scope != NULL && old_scope[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) new_scope, old_scope[i]))
      g_ptr_array_add (lost, old_scope[i]);
  /* Restricted now: directors, who read content without holding its tokens, lose it too
   * (unless named). */
  if (srv_scope_is_restricted (new_scope) && !srv_scope_is_restricted (old_scope))
    g_ptr_array_add (lost, SRV_SCOPE_TOKEN_CONTENT);

  for (guint i = 0; i < lost->len; i++)
    {
      g_autoptr(PGresult) e = srv_db_exec (conn, error,
                                           "INSERT INTO scope_exit (version, record_id, type, "
                                           "token) VALUES ($1, $2, $3, $4) "
                                           "ON CONFLICT DO NOTHING",
                                           version, id, type,
                                           (const char *) g_ptr_array_index (lost, i),
                                           SRV_DB_END);
      if (e == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Gives every child of @parent_id (but those of @skip_type) the scope @scope. */
static gboolean
set_children_scope (PGconn      *conn,
                    SrvClock    *clock,
                    const char  *parent_id,
                    const char  *skip_type,
                    GStrv        scope,
                    GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT id, type, array_to_json(scope)::text FROM record "
                   "WHERE parent_id = $1 AND type <> $2 ORDER BY id FOR UPDATE",
                   parent_id, skip_type, SRV_DB_END);
  if (r == NULL)
    return FALSE;

  for (int i = 0; i < PQntuples (r); i++)
    {
      g_auto(GStrv) old = srv_json_parse_strv (srv_db_get (r, i, 2));

      if (srv_scope_equal (old, scope))
        continue;
      if (!set_scope (conn, clock, srv_db_get (r, i, 0), srv_db_get (r, i, 1), old, scope,
                      error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_restricted (SrvRecord *record)
{
  return record != NULL && g_strcmp0 (srv_record_get (record, "restricted"), "1") == 0;
}

/* Gives a case, and what hangs off it, the scope it derives from its fields and its
 * client's restricted flag. What hangs off a case always has the case's scope, so it
 * changes only with it. */
static gboolean
refresh_case_scope (PGconn      *conn,
                    SrvClock    *clock,
                    SrvRecord   *case_record,
                    SrvRecord   *client,
                    GError     **error)
{
  g_auto(GStrv) scope = srv_scope_for_case (srv_record_get (case_record, "command"),
                                            is_restricted (case_record) ||
                                            is_restricted (client),
                                            srv_record_get (case_record, "named_users"),
                                            srv_record_get (case_record, "assigned_to"),
                                            case_record->created_by);

  if (srv_scope_equal (case_record->scope, scope))
    return TRUE;
  if (!set_scope (conn, clock, case_record->id, case_record->type, case_record->scope, scope,
                  error))
    return FALSE;
  g_strfreev (case_record->scope);
  case_record->scope = g_strdupv (scope);
  case_record->version = clock->last;
  return set_children_scope (conn, clock, case_record->id, "", scope, error);
}

/* Gives a client, and what hangs off it but its cases, the tokens of all its live cases; it
 * is restricted content when every live case is. Without a live case it is its creator's,
 * restricted when it is itself or one of its deleted cases was: a deleted case never
 * widens its client's scope. */
static gboolean
refresh_client_scope (PGconn      *conn,
                      SrvClock    *clock,
                      SrvRecord   *client,
                      GError     **error)
{
  g_autoptr(PGresult) r = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) tokens = NULL;
  g_auto(GStrv) client_scope = NULL;
  gboolean has_cases, all_restricted, deleted_restricted;

  r = srv_db_exec (conn, error,
                   "SELECT coalesce((SELECT array_to_json(array_agg(DISTINCT t ORDER BY t))::text "
                   "FROM record, unnest(scope) AS t "
                   "WHERE type = 'case' AND parent_id = $1 AND NOT deleted AND t <> $2), '[]'), "
                   "EXISTS (SELECT 1 FROM record WHERE type = 'case' AND parent_id = $1 "
                   "AND NOT deleted), "
                   "NOT EXISTS (SELECT 1 FROM record WHERE type = 'case' AND parent_id = $1 "
                   "AND NOT deleted AND NOT $2 = ANY (scope)), "
                   "EXISTS (SELECT 1 FROM record WHERE type = 'case' AND parent_id = $1 "
                   "AND deleted AND $2 = ANY (scope))",
                   client->id, SRV_SCOPE_TOKEN_RESTRICTED, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  tokens = srv_json_parse_strv (srv_db_get (r, 0, 0));
  has_cases = srv_db_get_bool (r, 0, 1);
  all_restricted = srv_db_get_bool (r, 0, 2);
  deleted_restricted = srv_db_get_bool (r, 0, 3);

  g_strv_builder_addv (b, (const char **) tokens);
  if (!has_cases && client->created_by != NULL)
    srv_strv_builder_take (b, srv_scope_token_user (client->created_by));
  if (has_cases ? all_restricted : is_restricted (client) || deleted_restricted)
    g_strv_builder_add (b, SRV_SCOPE_TOKEN_RESTRICTED);
  client_scope = g_strv_builder_end (b);

  if (srv_scope_equal (client->scope, client_scope))
    return TRUE;
  if (!set_scope (conn, clock, client->id, client->type, client->scope, client_scope, error))
    return FALSE;
  g_strfreev (client->scope);
  client->scope = g_strdupv (client_scope);
  client->version = clock->last;
  return set_children_scope (conn, clock, client->id, "case", client_scope, error);
}

/**
 * srv_records_refresh_case:
 * @case_record: a case just created or changed, already written
 *
 * Recomputes the scopes that derive from the case: its own and its children's (from its
 * command, or its named users when it or its client is restricted), its client's and the
 * client's children's (from all the client's cases).
 */
gboolean
srv_records_refresh_case (PGconn      *conn,
                          SrvClock    *clock,
                          SrvRecord   *case_record,
                          GError     **error)
{
  g_autoptr(SrvRecord) client = NULL;
  g_autoptr(GError) local_error = NULL;

  if (case_record->parent_id != NULL)
    client = srv_record_load (conn, case_record->parent_id, TRUE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!refresh_case_scope (conn, clock, case_record, client, error))
    return FALSE;
  return client == NULL || refresh_client_scope (conn, clock, client, error);
}

/* A client's restricted flag changed: each of its cases, then the client. */
static gboolean
refresh_client (PGconn      *conn,
                SrvClock    *clock,
                SrvRecord   *client,
                GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT id FROM record WHERE type = 'case' AND parent_id = $1 ORDER BY id",
                   client->id, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (r); i++)
    {
      g_autoptr(SrvRecord) case_record = NULL;
      g_autoptr(GError) local_error = NULL;

      case_record = srv_record_load (conn, srv_db_get (r, i, 0), TRUE, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (case_record != NULL &&
          !refresh_case_scope (conn, clock, case_record, client, error))
        return FALSE;
    }
  return refresh_client_scope (conn, clock, client, error);
}

/**
 * srv_records_refresh_deleted:
 * @record: a record just deleted or restored, already written
 *
 * A case's client follows its live cases only: deleting a case takes its tokens out of its
 * client's scope (with scope exits), restoring it puts them back.
 */
gboolean
srv_records_refresh_deleted (PGconn      *conn,
                             SrvClock    *clock,
                             SrvRecord   *record,
                             GError     **error)
{
  if (strcmp (record->type, "case") != 0)
    return TRUE;
  return srv_records_refresh_case (conn, clock, record, error);
}

/**
 * srv_records_scope_field:
 *
 * Returns: whether a change of @field of a record of type @type changes scopes: a case's
 *   command, restricted flag, named users or assigned advocate; a client's restricted flag
 */
gboolean
srv_records_scope_field (const char *type,
                         const char *field)
{
  if (strcmp (type, "case") == 0)
    return strcmp (field, "command") == 0 || strcmp (field, "restricted") == 0 ||
           strcmp (field, "named_users") == 0 || strcmp (field, "assigned_to") == 0;
  return strcmp (type, "client") == 0 && strcmp (field, "restricted") == 0;
}

/**
 * srv_records_refresh_scope:
 * @record: a case or client whose field srv_records_scope_field() named just changed,
 *   already written
 *
 * Recomputes every scope that derives from it, as srv_records_refresh_case() does.
 */
gboolean
srv_records_refresh_scope (PGconn      *conn,
                           SrvClock    *clock,
                           SrvRecord   *record,
                           GError     **error)
{
  if (strcmp (record->type, "case") == 0)
    return srv_records_refresh_case (conn, clock, record, error);
  g_return_val_if_fail (strcmp (record->type, "client") == 0, FALSE);
  return refresh_client (conn, clock, record, error);
}

/* Whether @session may read every record matching @where (SQL on the alias r, with @id as
 * $3 and @parent_id, when not %NULL, as $4): SRV_RECORDS_SQL_READS, the one read rule. */
static gboolean
all_readable (PGconn            *conn,
              const SrvSession  *session,
              const char        *where,
              const char        *id,
              const char        *parent_id,
              gboolean          *readable,
              GError           **error)
{
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(PGresult) r = NULL;
  gboolean all_content;
  const char *params[4];

  tokens = srv_scope_read_tokens (session, &all_content);
  tokens_json = srv_json_strv (tokens);
  params[0] = tokens_json;
  params[1] = all_content ? "true" : "false";
  params[2] = id;
  params[3] = parent_id;
  sql = g_strconcat ("SELECT NOT EXISTS (SELECT 1 FROM record r WHERE (", where, ") AND NOT ",
                     SRV_RECORDS_SQL_READS ("r", "$1", "$2"), ")", NULL);
  r = srv_db_execv (conn, sql, parent_id != NULL ? 4 : 3, params, error);
  if (r == NULL)
    return FALSE;
  *readable = srv_db_get_bool (r, 0, 0);
  return TRUE;
}

/**
 * srv_records_readable:
 * @readable: (out): whether @session may read the record @id
 *
 * A record the session may not read is, to it, a record that does not exist.
 */
gboolean
srv_records_readable (PGconn            *conn,
                      const SrvSession  *session,
                      const char        *id,
                      gboolean          *readable,
                      GError           **error)
{
  return all_readable (conn, session, "r.id = $3::uuid", id, NULL, readable, error);
}

/**
 * srv_records_rescope_readable:
 * @record: a case or client whose scope field (srv_records_scope_field()) is to change
 * @readable: (out): whether @session may read every record whose scope derives from it
 *
 * A change of a case's scope fields rescopes the case (what hangs off it shares its scope)
 * and its client; a client's restricted flag rescopes every case of the client, deleted
 * ones included. Whoever changes them must see all of them: a user named on one case of a
 * restricted client may not open up the client's other cases.
 */
gboolean
srv_records_rescope_readable (PGconn            *conn,
                              const SrvSession  *session,
                              SrvRecord         *record,
                              gboolean          *readable,
                              GError           **error)
{
  return all_readable (conn, session,
                       record->parent_id != NULL
                       ? "r.id = $3::uuid OR r.id = $4::uuid"
                       : "r.id = $3::uuid OR (r.type = 'case' AND r.parent_id = $3::uuid)",
                       record->id, record->parent_id, readable, error);
}
