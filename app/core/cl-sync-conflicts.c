/* cl-sync-conflicts.c: the conflicts store and the refused changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the sync engine (cl-sync.c).
 */

#define G_LOG_DOMAIN "cl-sync"

#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cl-report.h"
#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-sync.h"
#include "cl-wire.h"
#include "cl-sync-private.h"

/* Fetched conflicts ----------------------------------------------------------------- */

/* Refuses a list that does not fit this vault: a record type or field the schema does
 * not have, or a conflict this vault holds that the list describes differently (a
 * conflict never changes what it is about, nor its values). */
static gboolean
check_conflicts (ClSync     *self,
                 GPtrArray  *infos,
                 GError    **error)
{
  for (guint i = 0; i < infos->len; i++)
    {
      const ClWireConflictInfo *info = g_ptr_array_index (infos, i);
      const ClType *type = cl_schema_lookup_type (info->type);
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (type == NULL || (type->flags & CL_TYPE_LOCAL_ONLY) ||
          (strcmp (info->field, "_deleted") != 0 &&
           cl_type_lookup_field (type, info->field) == NULL))
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server listed a conflict on a kind of record or a field this "
                         "workstation does not know; the list was refused and nothing was "
                         "changed."));
          return FALSE;
        }

      stmt = cl_sql_prepare (_cl_sync_db_of (self), "SELECT record_type, record_id, field, local_value, "
                             "server_value FROM conflict WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, info->id);
      if (sqlite3_step (stmt) == SQLITE_ROW &&
          (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), info->type) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), info->record) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), info->field) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), info->client_value) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), info->server_value) != 0))
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server's list of conflicts contradicts what this workstation "
                         "holds; the list was refused and nothing was changed."));
          return FALSE;
        }
    }
  return TRUE;
}

/* Brings the vault's conflicts in line with the server's open ones, in one transaction:
 * who and when for those it holds; those it does not hold (lost elsewhere) are added, once
 * the vault holds their record (a record not pulled yet waits for the next round); open
 * ones the server no longer lists were resolved elsewhere. A resolution made here and not
 * uploaded yet is never touched: only open conflicts are closed. */
static gboolean
apply_conflicts (ClSync        *self,
                 GPtrArray     *infos,
                 ClSyncReport  *report,
                 GError       **error)
{
  sqlite3 *db;
  g_autofree char *now = cl_now_utc ();
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = _cl_sync_db_of (self);
  for (guint i = 0; i < infos->len; i++)
    {
      const ClWireConflictInfo *info = g_ptr_array_index (infos, i);
      const ClType *type = cl_schema_lookup_type (info->type);
      g_autofree char *exists_sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?",
                                                     type->table);
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, info->server_version);
      g_autofree char *held = NULL;

      g_hash_table_add (listed, info->id);
      if (!cl_sql_exec_params (db, error, "UPDATE conflict SET local_by = ?, server_by = ?, "
                               "server_at = ? WHERE id = ?", info->client_by, info->server_by,
                               info->server_at, info->id, CL_SQL_END))
        goto fail;
      if (sqlite3_changes (db) > 0)
        {
          /* Open on the server but settled here, and the server had the outcome: the
           * server's database went back to before it. The conflict waits for a person
           * again. */
          if (!cl_sql_exec_params (db, error, "UPDATE conflict SET resolved_at = NULL, "
                                   "resolution = NULL, resolved_value = NULL, "
                                   "pulled_value = NULL, pulled_version = NULL WHERE id = ? "
                                   "AND resolved_at IS NOT NULL AND uploaded = 1", info->id,
                                   CL_SQL_END))
            goto fail;
          if (sqlite3_changes (db) > 0)
            report->reopened++;
          continue;
        }

      held = cl_sql_query_text (db, NULL, exists_sql, info->record, CL_SQL_END);
      if (held == NULL)
        continue;
      /* Lost on this device but not held (a vault restored from a copy): its time then
       * is the server's. A conflict lost elsewhere has no time of this workstation. */
      if (!cl_sql_exec_params (db, error,
                               "INSERT INTO conflict (id, record_type, record_id, field, "
                               "local_value, server_value, server_version, local_by, local_at, "
                               "server_by, server_at, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               info->id, info->type, info->record, info->field,
                               info->client_value, info->server_value, version, info->client_by,
                               info->this_device ? info->created_at : NULL, info->server_by,
                               info->server_at, info->created_at, CL_SQL_END))
        goto fail;
      if (!info->this_device)
        report->fetched++;
      _cl_store_emit_changed (self->store, info->type, info->record);
    }

  /* Every page was fetched: what the server no longer lists is settled. */
  {
    g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, "SELECT id FROM conflict "
                                                   "WHERE resolved_at IS NULL", error);

    if (stmt == NULL)
      goto fail;
    while (sqlite3_step (stmt) == SQLITE_ROW)
      if (!g_hash_table_contains (listed, sqlite3_column_text (stmt, 0)))
        g_ptr_array_add (gone, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  }
  for (guint i = 0; i < gone->len; i++)
    {
      const char *id = g_ptr_array_index (gone, i);
      g_autofree char *record_type = cl_sql_query_text (db, NULL, "SELECT record_type FROM "
                                                        "conflict WHERE id = ?", id, CL_SQL_END);
      g_autofree char *record_id = cl_sql_query_text (db, NULL, "SELECT record_id FROM "
                                                      "conflict WHERE id = ?", id, CL_SQL_END);

      if (!cl_sql_exec_params (db, error, "UPDATE conflict SET resolved_at = ?, "
                               "resolution = 'elsewhere', uploaded = 1 WHERE id = ? AND "
                               "resolved_at IS NULL", now, id, CL_SQL_END))
        goto fail;
      report->closed++;
      _cl_store_emit_changed (self->store, record_type, record_id);
    }
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* GET /v1/conflicts, after the pull: conflicts lost on other devices (another of the
 * user's, or an advocate's the user supervises) reach the person who can resolve them, and
 * each side says who and when. Every page is fetched (CL_WIRE_MAX_CONFLICTS each, oldest
 * first) before anything changes; a list that is not well formed, repeats a conflict, or
 * does not fit this vault, is refused whole. */
gboolean
_cl_sync_fetch_conflicts (ClSync        *self,
                          Conn          *conn,
                          ClSyncReport  *report,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  gboolean ok;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *after = NULL;
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(GPtrArray) infos = NULL;
      g_autofree char *path = NULL;
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      g_auto(Reply) reply = { 0 };
      gint64 total = 0;
      const char *data;
      gsize len;

      path = after != NULL ? g_strconcat ("/v1/conflicts?after=", after, NULL)
                           : g_strdup ("/v1/conflicts");
      if (!_cl_sync_http_send (conn, "GET", path, NULL, 0, &reply, cancellable, error))
        return FALSE;
      if (reply.status != 200)
        {
          _cl_sync_reply_error (conn, &reply, &code, &mode, NULL, error);
          _cl_sync_note_revoked (report, code, mode);
          return FALSE;
        }
      data = g_bytes_get_data (reply.body, &len);
      infos = cl_wire_conflict_list_decode (data, len, &total, &more, error);
      if (infos == NULL || (more && infos->len == 0) ||
          all->len + infos->len > (guint) MAX (total, 0) + CL_WIRE_MAX_CONFLICTS)
        {
          if (infos != NULL)
            g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                         _("The server's pages of conflicts do not add up."));
          g_prefix_error (error, _("The server's list of conflicts was not understood "
                                   "(nothing was changed): "));
          if (error != NULL && *error != NULL)
            {
              (*error)->domain = CL_SYNC_ERROR;
              (*error)->code = CL_SYNC_ERROR_PROTOCOL;
            }
          return FALSE;
        }
      for (guint i = 0; i < infos->len; i++)
        {
          ClWireConflictInfo *info = g_ptr_array_index (infos, i);

          if (!g_hash_table_add (ids, info->id))
            {
              g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                           _("The server listed a conflict twice; the list was refused and "
                             "nothing was changed."));
              return FALSE;
            }
        }
      if (infos->len > 0)
        {
          g_free (after);
          after = g_strdup (((ClWireConflictInfo *) g_ptr_array_index (infos, infos->len - 1))->id);
        }
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&infos));
    }
  /* Checked and applied with no other thread's write in between. */
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = check_conflicts (self, all, error) && apply_conflicts (self, all, report, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

static GPtrArray *
list_conflicts_locked (ClSync    *self,
                       gboolean   open_only,
                       GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_conflict_free);
  sqlite3 *db = _cl_sync_db_of (self);

  stmt = cl_sql_prepare (db, open_only
                         ? "SELECT id, record_type, record_id, field, local_value, server_value, "
                           "server_version, created_at, resolved_at, resolution, local_by, "
                           "local_at, server_by, server_at FROM conflict "
                           "WHERE resolved_at IS NULL ORDER BY created_at DESC"
                         : "SELECT id, record_type, record_id, field, local_value, server_value, "
                           "server_version, created_at, resolved_at, resolution, local_by, "
                           "local_at, server_by, server_at FROM conflict "
                           "ORDER BY created_at DESC", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClConflict *c = g_new0 (ClConflict, 1);

#define COL(i) g_strdup ((const char *) sqlite3_column_text (stmt, i))
      c->id = COL (0);
      c->record_type = COL (1);
      c->record_id = COL (2);
      c->field = COL (3);
      c->local_value = COL (4);
      c->server_value = COL (5);
      c->server_version = sqlite3_column_int64 (stmt, 6);
      c->created_at = COL (7);
      c->resolved_at = COL (8);
      c->resolution = COL (9);
      c->local_by = COL (10);
      c->local_at = COL (11);
      c->server_by = COL (12);
      c->server_at = COL (13);
#undef COL
      /* This workstation's own losses carry its own time of the edit (docs/SYNC.md). */
      c->elsewhere = c->local_at == NULL;
      g_ptr_array_add (out, c);
    }
  return g_steal_pointer (&out);
}

/**
 * cl_sync_list_conflicts:
 *
 * Returns: (transfer full) (element-type ClConflict): conflicts, newest first
 */
GPtrArray *
cl_sync_list_conflicts (ClSync    *self,
                        gboolean   open_only,
                        GError   **error)
{
  GPtrArray *out;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  out = list_conflicts_locked (self, open_only, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return out;
}

void
cl_rejected_free (ClRejected *r)
{
  if (r == NULL)
    return;
  g_free (r->mutation_id);
  g_free (r->record_type);
  g_free (r->record_id);
  g_free (r->op);
  g_free (r->changes);
  g_free (r->code);
  g_free (r->reason);
  g_free (r->at);
  g_free (r);
}

static GPtrArray *
list_rejected_locked (ClSync  *self,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_rejected_free);
  sqlite3 *db = _cl_sync_db_of (self);

  stmt = cl_sql_prepare (db, "SELECT mutation_id, seq, record_type, record_id, changes, code, "
                             "reason, at, op FROM rejected WHERE dismissed = 0 "
                             "ORDER BY at DESC, seq DESC", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClRejected *r = g_new0 (ClRejected, 1);

#define COL(i) g_strdup ((const char *) sqlite3_column_text (stmt, i))
      r->mutation_id = COL (0);
      r->seq = sqlite3_column_int64 (stmt, 1);
      r->record_type = COL (2);
      r->record_id = COL (3);
      r->changes = COL (4);
      r->code = COL (5);
      r->reason = COL (6);
      r->at = COL (7);
      r->op = COL (8);
#undef COL
      g_ptr_array_add (out, r);
    }
  return g_steal_pointer (&out);
}

/**
 * cl_sync_list_rejected:
 *
 * Returns: (transfer full) (element-type ClRejected): refused mutations not dismissed yet,
 *   newest first
 */
GPtrArray *
cl_sync_list_rejected (ClSync  *self,
                       GError **error)
{
  GPtrArray *out;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  out = list_rejected_locked (self, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return out;
}

/* The refused mutation @mutation_id still listed, or %NULL (NOT_FOUND). */
static ClRejected *
find_rejected (ClSync      *self,
               const char  *mutation_id,
               GError     **error)
{
  g_autoptr(GPtrArray) all = cl_sync_list_rejected (self, error);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((ClRejected *) g_ptr_array_index (all, i))->mutation_id, mutation_id) == 0)
      return g_ptr_array_steal_index (all, i);
  g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
               _("There is no refused change with id %s"), mutation_id);
  return NULL;
}

/**
 * cl_rejected_parse_changes:
 *
 * Returns: (transfer full): the refused mutation's changes, field → {"old", "new"}; an
 *   empty object if they cannot be read
 */
JsonObject *
cl_rejected_parse_changes (const ClRejected *r)
{
  g_autoptr(GPtrArray) changes = _cl_outbox_changes_parse (r->changes, NULL);
  JsonObject *out = json_object_new ();

  for (guint i = 0; changes != NULL && i < changes->len; i++)
    {
      ClOutboxChange *c = g_ptr_array_index (changes, i);
      JsonObject *change = json_object_new ();

      if (c->old_value != NULL)
        json_object_set_string_member (change, "old", c->old_value);
      else
        json_object_set_null_member (change, "old");
      if (c->new_value != NULL)
        json_object_set_string_member (change, "new", c->new_value);
      else
        json_object_set_null_member (change, "new");
      json_object_set_object_member (out, c->field, change);
    }
  return out;
}

/**
 * cl_rejected_change_value:
 * @member: "old" or "new"
 *
 * Returns: (nullable): that value of @field in @changes, %NULL when empty or absent
 */
const char *
cl_rejected_change_value (JsonObject *changes,
                          const char *field,
                          const char *member)
{
  JsonNode *node = json_object_get_member (changes, field);
  JsonObject *change;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  change = json_node_get_object (node);
  if (!json_object_has_member (change, member) || json_object_get_null_member (change, member))
    return NULL;
  return json_object_get_string_member (change, member);
}

/* Whether a mutation this device made after seq @seq (still queued, or taken by the server)
 * changes @field of @record_id: a person's later word stands over the refused one. */
static gboolean
changed_later (ClSync      *self,
               const char  *record_id,
               const char  *field,
               gint64       seq,
               gboolean    *later,
               GError     **error)
{
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  *later = FALSE;
  stmt = cl_sql_prepare (_cl_sync_db_of (self), "SELECT changes FROM outbox WHERE record_id = ?1 AND "
                         "seq > ?2 UNION ALL SELECT changes FROM sent WHERE record_id = ?1 AND "
                         "seq > ?2", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, record_id);
  cl_sql_bind_text (stmt, 2, after);
  while (!*later && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *changes = _cl_outbox_column_changes (stmt, 0, error);

      if (changes == NULL)
        return FALSE;
      *later = _cl_outbox_changes_has (changes, field);
    }
  return TRUE;
}

/* The first column of @sql's first row for @id; %NULL in @value when there is none. */
static gboolean
query_one (ClSync      *self,
           const char  *sql,
           const char  *id,
           char       **value,
           GError     **error)
{
  GError *local_error = NULL;

  *value = cl_sql_query_text (_cl_sync_db_of (self), &local_error, sql, id, CL_SQL_END);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Reads @field of the record (any column of its table the schema names). */
static gboolean
local_value (ClSync        *self,
             const ClType  *type,
             const char    *id,
             const char    *field,
             char         **value,
             GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field, type->table);

  return query_one (self, sql, id, value, error);
}

/* Sets @field of the record as a person's edit does (time, user, history). */
static gboolean
set_local_value (ClSync        *self,
                 const ClType  *type,
                 const char    *id,
                 const char    *field,
                 const char    *old_value,
                 const char    *new_value,
                 GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ?, "
                                          "updated_by = ? WHERE id = ?", type->table, field);
  g_autofree char *now = cl_now_utc ();
  const char *user = cl_store_get_user (self->store);

  return cl_sql_exec_params (_cl_sync_db_of (self), error, sql, new_value, now, user, id, CL_SQL_END) &&
         cl_sql_exec_params (_cl_sync_db_of (self), error,
                             "INSERT INTO history (record_type, record_id, op, field, "
                             "old_value, new_value, at, by, origin) "
                             "VALUES (?, ?, 'update', ?, ?, ?, ?, ?, 'local')",
                             type->name, id, field, old_value, new_value, now, user,
                             CL_SQL_END);
}

/* The record's version and whether it is deleted; @found is FALSE when the vault no longer
 * holds it (it left this user's scope). */
static gboolean
record_state (ClSync        *self,
              const ClType  *type,
              const char    *id,
              gboolean      *found,
              gint64        *version,
              gboolean      *deleted,
              GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT version, deleted FROM %s WHERE id = ?",
                                          type->table);
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (_cl_sync_db_of (self), sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  *version = *found ? sqlite3_column_int64 (stmt, 0) : 0;
  *deleted = *found && sqlite3_column_int (stmt, 1) != 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, _cl_sync_db_of (self), rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refresh_record (ClSync        *self,
                const ClType  *type,
                const char    *id,
                GError       **error)
{
  g_autoptr(ClRecord) record = cl_store_get (self->store, type->name, id, NULL);

  return record == NULL || _cl_store_refresh_dependents (self->store, type, record, error);
}

/* Whether a record of this vault names @id as its client or case. */
static gboolean
has_dependents (ClSync      *self,
                const char  *id,
                gboolean    *any,
                GError     **error)
{
  const ClType *types;
  guint n;

  *any = FALSE;
  types = cl_schema_types (&n);
  for (guint i = 0; i < n && !*any; i++)
    {
      g_autofree char *sql = NULL;
      g_autofree char *hit = NULL;

      if (types[i].parent == NULL)
        continue;
      sql = g_strdup_printf ("SELECT id FROM %s WHERE %s = ? LIMIT 1", types[i].table,
                             types[i].parent);
      if (!query_one (self, sql, id, &hit, error))
        return FALSE;
      *any = hit != NULL;
    }
  return TRUE;
}

/* Puts the record back as the server holds it: a refused delete is undone, a refused
 * creation removed, each refused field edit takes its former value back unless the field
 * changed since (a pull brought the server's value, or a later edit of this device). */
static gboolean
undo_rejected (ClSync        *self,
               const ClType  *type,
               ClRejected    *r,
               GError       **error)
{
  g_autoptr(JsonObject) changes = cl_rejected_parse_changes (r);
  g_autoptr(GList) fields = NULL;
  gboolean found, deleted, later;
  gint64 version;

  /* A record type this version does not know is not in the vault either. */
  if (type == NULL)
    return TRUE;
  if (!record_state (self, type, r->record_id, &found, &version, &deleted, error))
    return FALSE;
  if (!found)
    return TRUE;

  if (g_strcmp0 (r->op, "delete") == 0)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = 0 WHERE id = ?",
                                              type->table);

      if (!deleted || _cl_sync_field_pending (self, r->record_id, "_deleted", r->seq))
        return TRUE;
      return cl_sql_exec_params (_cl_sync_db_of (self), error, sql, r->record_id, CL_SQL_END) &&
             refresh_record (self, type, r->record_id, error);
    }

  if (version == 0)
    {
      gboolean any;

      /* Created here and never taken by the server. */
      if (!has_dependents (self, r->record_id, &any, error))
        return FALSE;
      if (any)
        {
          g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                       _("Other records of this vault belong to this %s: discard their "
                         "refused changes first."), type->name);
          return FALSE;
        }
      return _cl_sync_purge_record (self, type, r->record_id, error);
    }

  fields = json_object_get_members (changes);
  for (GList *l = fields; l != NULL; l = l->next)
    {
      const char *field = l->data;
      const ClField *f = cl_type_lookup_field (type, field);
      g_autofree char *shown = NULL;

      if (f == NULL || (f->flags & CL_FIELD_DERIVED))
        continue;
      if (!changed_later (self, r->record_id, field, r->seq, &later, error) ||
          !local_value (self, type, r->record_id, field, &shown, error))
        return FALSE;
      if (later || g_strcmp0 (shown, cl_rejected_change_value (changes, field, "new")) != 0)
        continue;
      if (!set_local_value (self, type, r->record_id, field, shown,
                            cl_rejected_change_value (changes, field, "old"), error))
        return FALSE;
    }
  return refresh_record (self, type, r->record_id, error);
}

typedef gboolean (*RejectedOp) (ClSync        *self,
                                const ClType  *type,
                                ClRejected    *r,
                                GError       **error);

/* Runs @op on the refused change @mutation_id and takes it off the list, in one
 * transaction. */
static gboolean
settle_rejected (ClSync      *self,
                 const char  *mutation_id,
                 RejectedOp   op,
                 GError     **error)
{
  g_autoptr(ClRejected) r = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (mutation_id != NULL, FALSE);

  if (!cl_store_begin (self->store, error))
    return FALSE;
  if ((r = find_rejected (self, mutation_id, error)) == NULL ||
      !op (self, cl_schema_lookup_type (r->record_type), r, error) ||
      /* The row stays, dismissed, so that the same refusal answered again (a server
       * restored from a dump) is not listed twice; the refused values go. */
      !cl_sql_exec_params (_cl_sync_db_of (self), error, "UPDATE rejected SET dismissed = 1, "
                           "changes = '{}' WHERE mutation_id = ?", mutation_id, CL_SQL_END))
    {
      cl_store_rollback (self->store);
      return FALSE;
    }
  if (!cl_store_commit (self->store, error))
    return FALSE;
  _cl_store_emit_changed (self->store, r->record_type, r->record_id);
  return TRUE;
}

/**
 * cl_sync_discard_rejected:
 *
 * Gives up a refused change: it leaves the "needs attention" list and the vault shows the
 * record as the server holds it (a refused delete is undone, a refused creation removed,
 * refused field values take their former values back; a field changed since keeps its
 * value). Nothing is sent.
 */
gboolean
cl_sync_discard_rejected (ClSync      *self,
                          const char  *mutation_id,
                          GError     **error)
{
  return settle_rejected (self, mutation_id, undo_rejected, error);
}

/* Queues the refused edit again on the record's current version: the refused values of the
 * fields no later edit of this device changed (for a record the server never took, its
 * creation with the values the vault shows). */
static gboolean
retry_put (ClSync        *self,
           const ClType  *type,
           ClRejected    *r,
           gint64         version,
           GError       **error)
{
  g_autoptr(JsonObject) changes = cl_rejected_parse_changes (r);
  g_autoptr(GList) fields = json_object_get_members (changes);
  g_autoptr(GString) json = _cl_outbox_changes_new ();
  g_autofree char *now = cl_now_utc ();
  guint n = 0;

  for (GList *l = fields; l != NULL; l = l->next)
    {
      const char *field = l->data;
      const ClField *f = cl_type_lookup_field (type, field);
      g_autofree char *shown = NULL;
      const char *value, *old;
      gboolean later = FALSE;

      if (f == NULL || (f->flags & CL_FIELD_DERIVED))
        continue;
      if ((version > 0 && !changed_later (self, r->record_id, field, r->seq, &later, error)) ||
          !local_value (self, type, r->record_id, field, &shown, error))
        return FALSE;
      if (later)
        continue;
      value = version > 0 ? cl_rejected_change_value (changes, field, "new") : shown;
      /* "old" is the server's value as far as this vault knows: what a pull brought since,
       * or else what the refused change replaced (a discard of this one puts it back). */
      old = version == 0 ? NULL : g_strcmp0 (value, shown) != 0 ? shown
                                : cl_rejected_change_value (changes, field, "old");
      if (g_strcmp0 (value, shown) != 0 &&
          !set_local_value (self, type, r->record_id, field, shown, value, error))
        return FALSE;
      _cl_outbox_changes_add (json, field, old, value);
      n++;
    }
  _cl_outbox_changes_close (json);
  if (n == 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("Every field of this change was changed again since: there is nothing "
                     "left to retry."));
      return FALSE;
    }
  return _cl_store_queue_mutation (self->store, type, r->record_id, "put", version, json->str,
                                   now, error) &&
         refresh_record (self, type, r->record_id, error);
}

static gboolean
retry_rejected (ClSync        *self,
                const ClType  *type,
                ClRejected    *r,
                GError       **error)
{
  gboolean found, deleted;
  g_autofree char *now = cl_now_utc ();
  gint64 version;

  if (type == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("This change is of a record type this version does not know."));
      return FALSE;
    }
  if (!record_state (self, type, r->record_id, &found, &version, &deleted, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                   _("The record of this change is no longer in this vault: the change can "
                     "only be discarded."));
      return FALSE;
    }
  if (g_strcmp0 (r->op, "delete") != 0)
    return retry_put (self, type, r, version, error);
  return deleted ? _cl_store_queue_mutation (self->store, type, r->record_id, "delete",
                                             version, "{}", now, error)
                 : cl_store_delete (self->store, type->name, r->record_id, error);
}

/**
 * cl_sync_retry_rejected:
 *
 * Puts a refused change back in the outbox as a new mutation on the record's current
 * version, so the next round sends it again (after whatever made the server refuse it was
 * fixed); it leaves the "needs attention" list. A refused field edit is sent for the fields
 * no later edit of this device changed; a record the server never took is sent whole as a
 * creation; a refused delete is sent again.
 */
gboolean
cl_sync_retry_rejected (ClSync      *self,
                        const char  *mutation_id,
                        GError     **error)
{
  return settle_rejected (self, mutation_id, retry_rejected, error);
}

/* Before a resolution of @c changes its record: keeps beside the conflict what the record
 * shows of the field, with the record's version: the server's latest value this vault knows
 * (a pull or a push answer put it there; a local edit still queued is pushed before the
 * resolution is uploaded). While another resolution of the field waits, the value kept for
 * that one instead. keep_pulled() replaces it with newer ones until the server takes the
 * resolution. @shown receives the value (the conflict's server_value when the record is
 * missing). */
static gboolean
keep_shown_value (ClSync            *self,
                  const ClType      *type,
                  const ClConflict  *c,
                  char             **shown,
                  GError           **error)
{
  sqlite3 *db = _cl_sync_db_of (self);
  g_autofree char *sql = NULL;
  g_autofree char *version = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT pulled_value, pulled_version, 0 AS o FROM conflict "
                         "WHERE record_id = ? AND field = ? AND resolved_at IS NOT NULL AND "
                         "uploaded = 0 AND pulled_version IS NOT NULL "
                         "UNION ALL SELECT %s, version, 1 FROM %s WHERE id = ? "
                         "ORDER BY o LIMIT 1",
                         strcmp (c->field, "_deleted") == 0 ? "deleted" : c->field,
                         type->table);
  if ((stmt = cl_sql_prepare (db, sql, error)) == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, c->record_id);
  cl_sql_bind_text (stmt, 2, c->field);
  cl_sql_bind_text (stmt, 3, c->record_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        {
          cl_sql_set_error (error, db, rc);
          return FALSE;
        }
      *shown = g_strdup (c->server_value);
      return TRUE;
    }
  *shown = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1));
  return cl_sql_exec_params (db, error, "UPDATE conflict SET pulled_value = ?, "
                             "pulled_version = ? WHERE id = ?", *shown, version, c->id,
                             CL_SQL_END);
}

/* cl_sync_resolve() with the store's lock held. */
static gboolean
resolve_locked (ClSync      *self,
                const char  *conflict_id,
                const char  *keep,
                const char  *value,
                GError     **error)
{
  g_autoptr(GPtrArray) all = NULL;
  ClConflict *c = NULL;
  g_autofree char *now = cl_now_utc ();
  g_autofree char *normalized = NULL;
  const char *chosen = NULL;
  const ClType *type;
  sqlite3 *db;

  if (g_strcmp0 (keep, "theirs") != 0 && g_strcmp0 (keep, "mine") != 0 &&
      g_strcmp0 (keep, "value") != 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("Keep “theirs”, “mine” or a new value."));
      return FALSE;
    }
  if ((all = cl_sync_list_conflicts (self, TRUE, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((ClConflict *) g_ptr_array_index (all, i))->id, conflict_id) == 0)
      c = g_ptr_array_index (all, i);
  if (c == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                   _("There is no open conflict with id %s"), conflict_id);
      return FALSE;
    }
  type = cl_schema_lookup_type (c->record_type);

  if (strcmp (c->field, "_deleted") == 0 && strcmp (keep, "value") == 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("A deleted record is kept (“theirs”) or deleted (“mine”), not given a "
                     "value."));
      return FALSE;
    }
  chosen = strcmp (keep, "mine") == 0 ? c->local_value : value;

  if (strcmp (keep, "value") == 0 && type != NULL && value != NULL &&
      cl_type_lookup_field (type, c->field) != NULL)
    {
      normalized = cl_field_normalize (cl_type_lookup_field (type, c->field), value, error);
      if (normalized == NULL)
        return FALSE;
      chosen = normalized;
    }
  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = _cl_sync_db_of (self);
  if (type != NULL && strcmp (c->field, "_deleted") == 0)
    {
      /* "theirs" keeps the record as the server holds it now: deleted since, maybe. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = ? WHERE id = ?",
                                              type->table);
      g_autofree char *shown = NULL;

      if (!keep_shown_value (self, type, c, &shown, error) ||
          !cl_sql_exec_params (db, error, sql,
                               strcmp (keep, "mine") == 0 || g_strcmp0 (shown, "1") == 0
                               ? "1" : "0", c->record_id, CL_SQL_END))
        goto fail;
    }
  else if (type != NULL && cl_type_lookup_field (type, c->field) != NULL)
    {
      /* Written beside the outbox: the server applies the resolution itself. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ?, "
                                              "updated_by = ? WHERE id = ?", type->table,
                                              c->field);
      g_autofree char *shown = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(ClRecord) record = NULL;

      if (!keep_shown_value (self, type, c, &shown, error))
        goto fail;
      /* "theirs" keeps what the server holds now, which may have changed since the
       * conflict was made. */
      if (strcmp (keep, "theirs") == 0)
        chosen = shown;
      if (!cl_sql_exec_params (db, error, sql, chosen, now, cl_store_get_user (self->store),
                               c->record_id, CL_SQL_END) ||
          !cl_sql_exec_params (db, error,
                               "INSERT INTO history (record_type, record_id, op, field, "
                               "old_value, new_value, at, by, origin) "
                               "VALUES (?, ?, 'resolve', ?, ?, ?, ?, ?, 'local')",
                               c->record_type, c->record_id, c->field, c->server_value, chosen,
                               now, cl_store_get_user (self->store), CL_SQL_END))
        goto fail;
      record = cl_store_get (self->store, c->record_type, c->record_id, &local_error);
      if (record != NULL &&
          !_cl_store_refresh_dependents (self->store, type, record, error))
        goto fail;
    }
  if (!cl_sql_exec_params (db, error,
                           "UPDATE conflict SET resolved_at = ?, resolution = ?, resolved_value = ?, "
                           "uploaded = 0 WHERE id = ?", now, keep,
                           strcmp (keep, "value") == 0 ? chosen : NULL, conflict_id, CL_SQL_END))
    goto fail;
  if (!cl_store_commit (self->store, error))
    return FALSE;
  _cl_store_emit_changed (self->store, c->record_type, c->record_id);
  return TRUE;

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/**
 * cl_sync_resolve:
 * @keep: "theirs", "mine" or "value"
 * @value: (nullable): the new value, with @keep = "value"
 *
 * Resolves a conflict. The vault shows the chosen value at once; the resolution is queued
 * in the conflict record (like an outbox mutation: it survives offline and crashes) and the
 * next round tells the server, which applies it as a new version of the record that every
 * device then pulls. Until then a pull keeps the chosen value on top.
 */
gboolean
cl_sync_resolve (ClSync      *self,
                 const char  *conflict_id,
                 const char  *keep,
                 const char  *value,
                 GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  /* The conflict is read and settled with no other thread's write in between. */
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = resolve_locked (self, conflict_id, keep, value, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}
