/* cl-sync-pull.c: pulling pages: apply, purge, digest; resolutions told to the server
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

/* Pull ----------------------------------------------------------------------------- */

/* Changes in one transaction from which it is a bulk one. */
#define PULL_BULK_MIN 1000

/* The digest of the live synced records this vault holds, kept by the triggers of
 * migration 10 in the transactions that write them (sync_digest). */
static char *
local_digest_locked (ClSync  *self,
                     GError **error)
{
  gint64 digest = 0;

  if (!cl_sql_query_int (_cl_sync_db_of (self), "SELECT value FROM sync_digest", &digest,
                         error))
    return NULL;
  return cl_wire_digest_to_hex ((guint64) digest);
}

static char *
local_digest (ClSync  *self,
              GError **error)
{
  char *digest;

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  digest = local_digest_locked (self, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return digest;
}

/* Removes a record that left this user's scope, and every trace of it: search document,
 * field versions, history, conflicts. Its pending mutations keep their seq (the server
 * needs every seq) but lose their content; the server will refuse them. */
gboolean
_cl_sync_purge_record (ClSync       *self,
                       const ClType *type,
                       const char   *id,
                       GError      **error)
{
  sqlite3 *db = _cl_sync_db_of (self);
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", type->table);

  if (strcmp (type->name, "case") == 0 &&
      !cl_sql_exec_params (db, error, "DELETE FROM case_search WHERE docid = "
                           "(SELECT rowid FROM cases WHERE id = ?)", id, CL_SQL_END))
    return FALSE;
  return cl_sql_exec_params (db, error, sql, id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM field_version WHERE record_id = ?", id,
                             CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM history WHERE record_id = ? OR case_id = ? "
                             "OR client_id = ?", id, id, id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM conflict WHERE record_id = ?", id,
                             CL_SQL_END) &&
         cl_sql_exec_params (db, error, "UPDATE rejected SET changes = '{}' WHERE record_id = ?",
                             id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "UPDATE outbox SET changes = '{}' WHERE record_id = ?",
                             id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM sent WHERE record_id = ?", id,
                             CL_SQL_END);
}

/* Pages applied in one transaction: at most about this many changes (whole pages of
 * PULL_LIMIT), so that a first pull commits (encrypts, writes and checkpoints its pages)
 * every few thousand records instead of every page. */
#define PULL_BATCH_CHANGES 5000

/* Field versions written by one statement: at most this many rows of three parameters. */
#define FV_ROWS 64

/* What a batch of pages reuses for every record, and whether any local work is pending. */
typedef struct {
  gboolean      pending;        /* the outbox or unsent resolutions hold something */
  gboolean      resolutions;    /* unsent resolutions wait */
  char         *now;
  GHashTable   *statements;     /* SQL text → sqlite3_stmt, reset and unbound for each use */
  GPtrArray    *touched;        /* ClRecord: one per case (or record) to refresh */
  GHashTable   *done;           /* "type:case or record id" of those */
} Batch;

static void
batch_clear (Batch *batch)
{
  g_clear_pointer (&batch->now, g_free);
  g_clear_pointer (&batch->statements, g_hash_table_unref);
  g_clear_pointer (&batch->touched, g_ptr_array_unref);
  g_clear_pointer (&batch->done, g_hash_table_unref);
}

static void
statement_free (gpointer data)
{
  sqlite3_finalize (data);
}

/* A statement prepared once per batch, reset and unbound for each use. */
static sqlite3_stmt *
batch_statement (ClSync      *self,
                 Batch       *batch,
                 const char  *sql,
                 GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (batch->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = cl_sql_prepare (_cl_sync_db_of (self), sql, error);
  if (stmt != NULL)
    g_hash_table_insert (batch->statements, g_strdup (sql), stmt);
  return stmt;
}

static gboolean
batch_init (ClSync  *self,
            Batch   *batch,
            GError **error)
{
  sqlite3 *db = _cl_sync_db_of (self);
  gint64 queued = 0;
  gint64 resolutions = 0;

  memset (batch, 0, sizeof *batch);
  batch->now = cl_now_utc ();
  batch->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, statement_free);
  batch->touched = g_ptr_array_new_with_free_func (g_object_unref);
  batch->done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!cl_sql_query_int (db, "SELECT count(*) FROM outbox", &queued, error) ||
      !cl_sql_query_int (db, "SELECT count(*) FROM conflict WHERE resolved_at IS NOT NULL "
                         "AND uploaded = 0", &resolutions, error))
    return FALSE;
  batch->resolutions = resolutions > 0;
  batch->pending = queued > 0 || batch->resolutions;
  return TRUE;
}

static gboolean
step_reset (sqlite3_stmt  *stmt,
            GError       **error)
{
  gboolean ok = cl_sql_step_done (stmt, error);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

/* The record as the server sent it, new to this vault: "INSERT OR IGNORE" (@ignore) leaves
 * a record the vault already holds, and the caller updates that one instead. */
static sqlite3_stmt *
insert_statement (ClSync          *self,
                  Batch           *batch,
                  const ClType    *type,
                  ClWirePullItem  *item,
                  const char      *version,
                  gboolean         ignore,
                  GError         **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) marks = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  sqlite3_stmt *stmt;

  g_string_append_printf (sql, "INSERT%s INTO %s (id, version, created_at, updated_at, "
                          "deleted", ignore ? " OR IGNORE" : "", type->table);
  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *f = &type->fields[i];
      gpointer value;

      if ((f->flags & CL_FIELD_DERIVED) || item->fields == NULL ||
          !g_hash_table_lookup_extended (item->fields, f->name, NULL, &value))
        continue;
      g_string_append_printf (sql, ", %s", f->name);
      g_string_append (marks, ", ?");
      g_ptr_array_add (values, value);
    }
  g_string_append_printf (sql, ") VALUES (?, ?, ?, ?, 0%s)", marks->str);
  if ((stmt = batch_statement (self, batch, sql->str, error)) == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, item->record);
  cl_sql_bind_text (stmt, 2, version);
  cl_sql_bind_text (stmt, 3, batch->now);
  cl_sql_bind_text (stmt, 4, batch->now);
  for (guint i = 0; i < values->len; i++)
    cl_sql_bind_text (stmt, 5 + i, g_ptr_array_index (values, i));
  return stmt;
}

/* The record's fields from the server, over those the vault holds, except the ones this
 * device changed and has not pushed yet: pending work stays on top of the pulled state. */
static sqlite3_stmt *
update_statement (ClSync          *self,
                  Batch           *batch,
                  const ClType    *type,
                  ClWirePullItem  *item,
                  const char      *version,
                  GError         **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  gboolean delete_pending = batch->pending &&
                            _cl_sync_field_pending (self, item->record, "_deleted", 0);
  sqlite3_stmt *stmt;

  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *f = &type->fields[i];
      gpointer value = NULL;

      if (f->flags & CL_FIELD_DERIVED)
        continue;
      /* The server sends every field it holds: one it does not hold is empty. */
      if (item->fields != NULL)
        g_hash_table_lookup_extended (item->fields, f->name, NULL, &value);
      if (batch->pending && _cl_sync_field_pending (self, item->record, f->name, 0))
        continue;
      g_ptr_array_add (names, (gpointer) f->name);
      g_ptr_array_add (values, value);
    }
  g_string_append_printf (sql, "UPDATE %s SET version = max(version, ?), updated_at = ?",
                          type->table);
  if (!delete_pending)
    g_string_append (sql, ", deleted = 0");
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (sql, ", %s = ?", (const char *) g_ptr_array_index (names, i));
  g_string_append (sql, " WHERE id = ?");
  if ((stmt = batch_statement (self, batch, sql->str, error)) == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, version);
  cl_sql_bind_text (stmt, 2, batch->now);
  for (guint i = 0; i < values->len; i++)
    cl_sql_bind_text (stmt, 3 + i, g_ptr_array_index (values, i));
  cl_sql_bind_text (stmt, 3 + values->len, item->record);
  return stmt;
}

/* The record's field versions, FV_ROWS rows a statement (a version replaces the one the
 * vault held). */
static gboolean
write_field_versions (ClSync          *self,
                      Batch           *batch,
                      ClWirePullItem  *item,
                      GError         **error)
{
  GHashTableIter iter;
  gpointer key, value;
  guint left = g_hash_table_size (item->field_versions);

  g_hash_table_iter_init (&iter, item->field_versions);
  while (left > 0)
    {
      guint rows = MIN (left, FV_ROWS);
      g_autoptr(GString) sql = g_string_new ("INSERT OR REPLACE INTO field_version "
                                             "(record_id, field, version) VALUES ");
      sqlite3_stmt *stmt;

      for (guint i = 0; i < rows; i++)
        g_string_append (sql, i > 0 ? ", (?, ?, ?)" : "(?, ?, ?)");
      if ((stmt = batch_statement (self, batch, sql->str, error)) == NULL)
        return FALSE;
      for (guint i = 0; i < rows && g_hash_table_iter_next (&iter, &key, &value); i++)
        {
          sqlite3_bind_text (stmt, 3 * i + 1, item->record, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3 * i + 2, key, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 3 * i + 3, *(gint64 *) value);
        }
      if (!step_reset (stmt, error))
        return FALSE;
      left -= rows;
    }
  return TRUE;
}

static gboolean
apply_put (ClSync          *self,
           Batch           *batch,
           const ClType    *type,
           ClWirePullItem  *item,
           GError         **error)
{
  sqlite3 *db = _cl_sync_db_of (self);
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, item->version);
  sqlite3_stmt *stmt;

  /* Inserted if new (the first pull: one statement); else updated. An insert ignored for
   * another reason than the id (a constraint the record breaks) updates nothing either:
   * the plain insert, run again, fails with that constraint's error. */
  if ((stmt = insert_statement (self, batch, type, item, version, TRUE, error)) == NULL ||
      !step_reset (stmt, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      if ((stmt = update_statement (self, batch, type, item, version, error)) == NULL ||
          !step_reset (stmt, error))
        return FALSE;
      if (sqlite3_changes (db) == 0)
        {
          if ((stmt = insert_statement (self, batch, type, item, version, FALSE,
                                        error)) == NULL ||
              !step_reset (stmt, error))
            return FALSE;
        }
    }

  if (item->field_versions != NULL && !write_field_versions (self, batch, item, error))
    return FALSE;
  stmt = batch_statement (self, batch, "INSERT INTO history (case_id, client_id, "
                          "record_type, record_id, op, at, origin) VALUES (?, ?, ?, ?, 'sync', "
                          "?, 'server')", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, strcmp (type->name, "case") == 0 ? item->record :
                    (item->fields != NULL ? g_hash_table_lookup (item->fields, "case_id") : NULL));
  cl_sql_bind_text (stmt, 2, strcmp (type->name, "client") == 0 ? item->record :
                    (item->fields != NULL ? g_hash_table_lookup (item->fields, "client_id") : NULL));
  cl_sql_bind_text (stmt, 3, type->name);
  cl_sql_bind_text (stmt, 4, item->record);
  cl_sql_bind_text (stmt, 5, batch->now);
  return step_reset (stmt, error);
}

static gboolean
apply_delete (ClSync          *self,
              Batch           *batch,
              const ClType    *type,
              ClWirePullItem  *item,
              GError         **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = 1, version = "
                                          "max(version, ?) WHERE id = ?", type->table);
  sqlite3_stmt *stmt = batch_statement (self, batch, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item->version);
  cl_sql_bind_text (stmt, 2, item->record);
  if (!step_reset (stmt, error))
    return FALSE;
  if (strcmp (type->name, "case") != 0)
    return TRUE;
  stmt = batch_statement (self, batch, "DELETE FROM case_search WHERE docid = "
                          "(SELECT rowid FROM cases WHERE id = ?)", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, item->record);
  return step_reset (stmt, error);
}

/* Which derived columns and search documents the record's change makes stale: its case's
 * (a page of 500 notes of one case recomputes that case once, not 500 times), or its
 * own. @fields holds case_id (the pulled record's fields, or the one the vault holds). */
static char *
touched_key (const ClType   *type,
             const char     *id,
             GHashTable     *fields,
             ClRecord       *record)
{
  gboolean by_case = type->parent != NULL && strcmp (type->parent, "case_id") == 0 &&
                     strcmp (type->name, "compensation") != 0;
  const char *case_id = NULL;

  if (by_case && record != NULL)
    case_id = cl_record_get (record, "case_id");
  else if (by_case && fields != NULL)
    case_id = g_hash_table_lookup (fields, "case_id");
  if (case_id != NULL)
    return g_strconcat (type->name, ":", case_id, NULL);
  return g_strconcat (type->name, ":", id, NULL);
}

static void
note_touched (ClSync          *self,
              Batch           *batch,
              const ClType    *type,
              ClWirePullItem  *item)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClRecord) record = NULL;
  g_autofree char *key = NULL;

  /* With nothing pending here, the vault holds what the server sent: a case already
   * noted needs no second read. */
  if (!batch->pending)
    {
      key = touched_key (type, item->record, item->fields, NULL);
      if (g_hash_table_contains (batch->done, key))
        return;
      g_clear_pointer (&key, g_free);
    }
  record = cl_store_get (self->store, type->name, item->record, &local_error);
  if (record == NULL)
    return;
  key = touched_key (type, item->record, NULL, record);
  if (g_hash_table_add (batch->done, g_steal_pointer (&key)))
    g_ptr_array_add (batch->touched, g_steal_pointer (&record));
}

/* A resolution made here and not yet taken by the server keeps its value on top of pulls
 * (field_pending()); the server's value of its field that a pulled change brings, and that
 * change's version, are kept beside it: if the server turns the resolution down, the vault
 * shows that value again (undo_resolution()), as the cursor is past it by then. */
static gboolean
keep_pulled (ClSync          *self,
             Batch           *batch,
             ClWirePullItem  *item,
             GError         **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = batch_statement (self, batch, "SELECT DISTINCT field FROM conflict WHERE record_id = ? "
                         "AND resolved_at IS NOT NULL AND uploaded = 0", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, item->record);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (fields, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      const char *value;

      if (strcmp (field, "_deleted") == 0)
        value = item->op == CL_WIRE_PULL_DELETE ? "1" : "0";
      else if (item->op == CL_WIRE_PULL_PUT)
        value = item->fields != NULL ? g_hash_table_lookup (item->fields, field) : NULL;
      else
        continue;  /* a tombstone leaves the fields as they were */

      stmt = batch_statement (self, batch, "UPDATE conflict SET pulled_value = ?, "
                             "pulled_version = ? WHERE record_id = ? AND field = ? AND "
                             "resolved_at IS NOT NULL AND uploaded = 0", error);
      if (stmt == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, value);
      sqlite3_bind_int64 (stmt, 2, item->version);
      cl_sql_bind_text (stmt, 3, item->record);
      cl_sql_bind_text (stmt, 4, field);
      if (!step_reset (stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Checks @pages (fetched from @cursor on, each after the one before) against what they
 * announce, before anything is written. */
static gboolean
check_pages (GPtrArray  *pages,
             gint64      cursor,
             gint64      acked,
             GError    **error)
{
  for (guint p = 0; p < pages->len; p++)
    {
      ClWirePullResponse *resp = g_ptr_array_index (pages, p);

      if (resp->cursor < cursor || resp->last_seq < acked)
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server's answer would move this workstation back in time "
                         "(cursor %lld after %lld); it was refused and nothing was changed."),
                       (long long) resp->cursor, (long long) cursor);
          return FALSE;
        }
      for (guint i = 0; i < resp->changes->len; i++)
        {
          ClWirePullItem *item = g_ptr_array_index (resp->changes, i);
          const ClType *type = cl_schema_lookup_type (item->type);

          if (item->version <= cursor || item->version > resp->cursor || type == NULL ||
              (type->flags & CL_TYPE_LOCAL_ONLY) || !cl_is_uuid (item->record))
            {
              g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                           _("The server sent a change outside the page it announced; the "
                             "page was refused and nothing was changed."));
              return FALSE;
            }
        }
      cursor = resp->cursor;
    }
  return TRUE;
}

/* Applies @pages, fetched one after the other from the vault's cursor, in one
 * transaction that also moves the cursor past the last: a crash applies all of them or
 * none, and the next round asks again from where the vault stands. */
static gboolean
apply_pages (ClSync        *self,
             GPtrArray     *pages,
             GHashTable    *seen,
             ClSyncReport  *report,
             GError       **error)
{
  gint64 cursor = _cl_sync_meta_get_int (self, "sync_cursor");
  gint64 acked = _cl_sync_meta_get_int (self, "sync_acked_seq");
  ClWirePullResponse *last;
  Batch batch = { 0 };
  guint total = 0;
  guint n = 0;

  if (pages->len == 0)
    return TRUE;
  if (!check_pages (pages, cursor, acked, error))
    return FALSE;
  last = g_ptr_array_index (pages, pages->len - 1);
  for (guint p = 0; p < pages->len; p++)
    total += ((ClWirePullResponse *) g_ptr_array_index (pages, p))->changes->len;

  /* A first pull's thousands of records: a bulk transaction keeps the pages it dirties
   * in memory until its commit (cl_store_begin_bulk()). */
  if (!(total >= PULL_BULK_MIN ? cl_store_begin_bulk (self->store, error)
                               : cl_store_begin (self->store, error)))
    return FALSE;
  /* The cursor moves only from the one these pages were asked with (compare and set). */
  if (_cl_sync_meta_get_int (self, "sync_cursor") != cursor)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_BUSY,
                   _("Another sync of this vault moved it on meanwhile; the page was not "
                     "applied."));
      goto fail;
    }
  if (!batch_init (self, &batch, error))
    goto fail;
  for (guint p = 0; p < pages->len; p++)
    {
      ClWirePullResponse *resp = g_ptr_array_index (pages, p);

      for (guint i = 0; i < resp->changes->len; i++, n++)
        {
          ClWirePullItem *item = g_ptr_array_index (resp->changes, i);
          const ClType *type = cl_schema_lookup_type (item->type);

          if (seen != NULL)
            g_hash_table_add (seen, g_strdup (item->record));
          if (n == total / 2)
            _cl_sync_crash_point ("mid-pull-apply");
          if (batch.resolutions && item->op != CL_WIRE_PULL_REMOVE &&
              !keep_pulled (self, &batch, item, error))
            goto fail;

          switch (item->op)
            {
            case CL_WIRE_PULL_PUT:
              if (!apply_put (self, &batch, type, item, error))
                goto fail;
              break;
            case CL_WIRE_PULL_DELETE:
              if (!apply_delete (self, &batch, type, item, error))
                goto fail;
              break;
            case CL_WIRE_PULL_REMOVE:
              if (!_cl_sync_purge_record (self, type, item->record, error))
                goto fail;
              report->purged++;
              break;
            default:
              g_assert_not_reached ();
            }
          report->pulled++;

          if (item->op != CL_WIRE_PULL_REMOVE)
            note_touched (self, &batch, type, item);
          _cl_store_emit_changed (self->store, type->name, item->record);
        }
    }

  /* Derived columns and search documents, once per case (or record) of the batch. */
  for (guint i = 0; i < batch.touched->len; i++)
    {
      ClRecord *record = g_ptr_array_index (batch.touched, i);

      if (!_cl_store_refresh_dependents (self->store, cl_record_get_record_type (record),
                                         record, error))
        goto fail;
    }

  if (!_cl_sync_meta_set_int (self, "sync_cursor", last->cursor, error))
    goto fail;
  batch_clear (&batch);
  if (!cl_store_commit (self->store, error))
    return FALSE;
  _cl_sync_crash_point ("after-pull-commit");
  return TRUE;

fail:
  batch_clear (&batch);
  cl_store_rollback (self->store);
  return FALSE;
}

/* After a full resync, synced records the server no longer sent are gone for this user. */
static gboolean
purge_unseen (ClSync        *self,
              GHashTable    *seen,
              ClSyncReport  *report,
              GError       **error)
{
  const ClType *types;
  guint n;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

      if (types[i].flags & CL_TYPE_LOCAL_ONLY)
        continue;
      sql = g_strdup_printf ("SELECT id FROM %s WHERE version > 0", types[i].table);
      if ((stmt = cl_sql_prepare (_cl_sync_db_of (self), sql, error)) == NULL)
        goto fail;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          if (!g_hash_table_contains (seen, id))
            g_ptr_array_add (gone, g_strdup (id));
        }
      for (guint j = 0; j < gone->len; j++)
        {
          if (!_cl_sync_purge_record (self, &types[i], g_ptr_array_index (gone, j), error))
            goto fail;
          report->purged++;
        }
    }
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* Applies the pages fetched and not yet applied (@pages), and empties the list. */
static gboolean
flush_pages (ClSync        *self,
             GPtrArray     *pages,
             GHashTable    *seen,
             ClSyncReport  *report,
             GError       **error)
{
  gboolean ok = apply_pages (self, pages, seen, report, error);

  g_ptr_array_set_size (pages, 0);
  return ok;
}

/* A pull that cannot go on (@error says why) still applies the pages it fetched before,
 * unless it was cancelled (the vault may be locking); pages not applied come again next
 * round. */
static gboolean
flush_failed (ClSync        *self,
              GPtrArray     *pages,
              GHashTable    *seen,
              ClSyncReport  *report,
              GError       **error)
{
  if (error == NULL || !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    flush_pages (self, pages, seen, report, NULL);
  return FALSE;
}

gboolean
_cl_sync_pull_all (ClSync        *self,
                   Conn          *conn,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                               cl_wire_pull_response_free);
  gboolean check = _cl_sync_meta_get_int (self, "sync_cursor") > 0;
  gboolean count_refused = FALSE;
  guint total = 0;
  guint received = 0;
  guint batched = 0;
  guint checks = 0;
  guint resets = 0;
  guint heals = 0;

  for (;;)
    {
      g_autoptr(ClWirePullRequest) req = cl_wire_pull_request_new ();
      g_autoptr(ClWirePullResponse) resp = NULL;
      g_autofree char *body = NULL;
      g_auto(Reply) reply = { 0 };
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      gboolean more, empty;
      const char *data;
      gsize len;

      /* From the last page fetched, or, with none waiting, from where the vault stands. */
      req->cursor = pages->len > 0
                    ? ((ClWirePullResponse *) g_ptr_array_index (pages, pages->len - 1))->cursor
                    : _cl_sync_meta_get_int (self, "sync_cursor");
      req->limit = PULL_LIMIT;
      /* From the start, the server counts what it will send: the progress shown. */
      req->count = req->cursor == 0 && !count_refused;
      /* The digest of what this device holds lets the server notice drift (412); the
       * server compares it when it has nothing newer to send. */
      if (check && (req->digest = local_digest (self, error)) == NULL)
        return FALSE;
      if (check)
        checks++;

      body = cl_wire_pull_request_encode (req, &len);
      if (!_cl_sync_http_send (conn, "POST", "/v1/pull", body, len, &reply, cancellable, error))
        return flush_failed (self, pages, seen, report, error);

      if ((reply.status == 410 || reply.status == 412) && resets++ == 0)
        {
          /* Full resync: start from nothing, keep (and later re-push) the outbox. Pages
           * fetched and not applied come again. */
          report->full_resync = TRUE;
          g_ptr_array_set_size (pages, 0);
          batched = 0;
          seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          if (!_cl_sync_meta_set_int (self, "sync_cursor", 0, error))
            return FALSE;
          check = FALSE;
          continue;
        }
      if (reply.status == 400 && req->count)
        {
          /* A server older than the count: the pull goes on without it. */
          count_refused = TRUE;
          continue;
        }
      if (reply.status != 200)
        {
          _cl_sync_reply_error (conn, &reply, &code, &mode, NULL, error);
          _cl_sync_note_revoked (report, code, mode);
          return flush_failed (self, pages, seen, report, error);
        }

      data = g_bytes_get_data (reply.body, &len);
      resp = cl_wire_pull_response_decode (data, len, error);
      if (resp == NULL)
        {
          _cl_sync_not_understood (error);
          return flush_failed (self, pages, seen, report, error);
        }
      if (resp->last_seq < _cl_sync_meta_get_int (self, "sync_acked_seq") && heals++ == 0)
        {
          /* The server recorded fewer of this device's changes than it had acknowledged:
           * its database went back. What it lost goes again, then the pull goes on. */
          if (!flush_pages (self, pages, seen, report, error) ||
              !_cl_sync_heal_server_behind (self, resp->last_seq, report, error) ||
              !_cl_sync_push_all (self, conn, report, cancellable, error))
            return FALSE;
          batched = 0;
          continue;
        }
      if (req->count && resp->total >= 0)
        {
          total = (guint) MIN (resp->total, (gint64) G_MAXUINT);
          received = 0;
        }
      received += resp->changes->len;
      if (total > 0)
        _cl_sync_progress (self, received, total);
      more = resp->more;
      empty = resp->changes->len == 0;
      batched += resp->changes->len;
      g_ptr_array_add (pages, g_steal_pointer (&resp));
      /* Several pages a transaction, while more come. */
      if (more && batched < PULL_BATCH_CHANGES)
        {
          check = FALSE;
          continue;
        }
      if (!flush_pages (self, pages, seen, report, error))
        return FALSE;
      batched = 0;
      if (more)
        {
          check = FALSE;
          continue;
        }
      /* A full resync has brought everything this user may read: what it did not bring
       * left their scope (its scope exit may be long purged by the server's gc), so it
       * goes before the digest compares what this device holds. */
      if (seen != NULL)
        {
          if (!purge_unseen (self, seen, report, error))
            return FALSE;
          g_clear_pointer (&seen, g_hash_table_unref);
        }
      /* Up to date: done if the digest was just checked against an empty page; else one
       * more (small) request checks it, so drift is found in this round. */
      if ((check && empty) || checks >= 2)
        break;
      check = TRUE;
    }

  if (report->purged > 0)
    {
      /* Purged client data must not linger in free pages, the search index or the WAL. */
      if (!cl_store_lock (self->store, CL_STORE_READ, error))
        return FALSE;
      cl_sql_exec (_cl_sync_db_of (self), "INSERT INTO case_search (case_search) VALUES ('optimize')", NULL);
      cl_sql_exec (_cl_sync_db_of (self), "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
      cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
    }
  return TRUE;
}

/* A resolution made here did not take: the vault shows the server's value again (it stood
 * all along), and the conflict is either settled (someone else resolved it first, or it is
 * no longer this user's to resolve) or open again (the server refused this choice). The
 * server's value is the latest this vault has seen of the field (keep_shown_value(),
 * keep_pulled()): the conflict's own server_value may be older, and the cursor past the
 * change that replaced it. The record's version is left as it is: it already covers that
 * value, and it only ever comes from a pull. */
static gboolean
undo_resolution (ClSync      *self,
                 const char  *id,
                 gboolean     reopen,
                 GError     **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *record_type = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *value = NULL;
  const ClType *type;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = _cl_sync_db_of (self);
  stmt = cl_sql_prepare (db, "SELECT record_type, record_id, field, CASE WHEN pulled_version "
                         "IS NULL THEN server_value ELSE pulled_value END FROM conflict "
                         "WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  cl_sql_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return cl_store_commit (self->store, error);
  record_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  field = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  g_clear_pointer (&stmt, sqlite3_finalize);
  type = cl_schema_lookup_type (record_type);

  if (_cl_sync_outbox_changes_field (self, record_id, field, 0))
    ; /* A local edit made since waits to be pushed: the vault keeps showing it. */
  else if (type != NULL && strcmp (field, "_deleted") == 0)
    {
      /* A delete that lost: the record lives on the server, unless deleted there since. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = ? WHERE id = ?",
                                              type->table);
      if (!cl_sql_exec_params (db, error, sql, g_strcmp0 (value, "1") == 0 ? "1" : "0",
                               record_id, CL_SQL_END))
        goto fail;
    }
  else if (type != NULL && cl_type_lookup_field (type, field) != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE id = ?",
                                              type->table, field);
      if (!cl_sql_exec_params (db, error, sql, value, record_id, CL_SQL_END))
        goto fail;
    }
  if (!cl_sql_exec_params (db, error,
                           reopen
                           ? "UPDATE conflict SET resolved_at = NULL, resolution = NULL, "
                             "resolved_value = NULL, uploaded = 0, pulled_value = NULL, "
                             "pulled_version = NULL WHERE id = ?"
                           : "UPDATE conflict SET resolution = 'elsewhere', uploaded = 1 "
                             "WHERE id = ?", id, CL_SQL_END))
    goto fail;
  _cl_store_emit_changed (self->store, record_type, record_id);
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* What a resolution sends. The person's last word on a field stands: a local edit of the
 * field made after resolving (queued in the outbox, shown in the vault) is what the
 * resolution writes, as a new value; the edit's own mutation then finds the field already
 * holding it. */
static void
resolution_request (ClSync               *self,
                    sqlite3_stmt         *row,
                    ClWireResolveRequest *req,
                    char                **current)
{
  const char *record_type = (const char *) sqlite3_column_text (row, 3);
  const char *record_id = (const char *) sqlite3_column_text (row, 4);
  const char *field = (const char *) sqlite3_column_text (row, 5);
  const ClType *type = cl_schema_lookup_type (record_type);

  req->keep = (char *) sqlite3_column_text (row, 1);
  req->value = (char *) sqlite3_column_text (row, 2);
  req->has_value = strcmp (req->keep, "value") == 0;
  if (type != NULL && strcmp (field, "_deleted") != 0 &&
      cl_type_lookup_field (type, field) != NULL &&
      _cl_sync_outbox_changes_field (self, record_id, field, 0))
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field,
                                              type->table);
      g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (_cl_sync_db_of (self), sql, NULL);

      if (stmt == NULL)
        return;
      cl_sql_bind_text (stmt, 1, record_id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        return;
      *current = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      req->keep = (char *) "value";
      req->value = *current;
      req->has_value = TRUE;
    }
}

/* Conflict resolutions made on this device, told to the server before this round's push
 * (so a later edit of the field, queued behind, lands on top of the resolution) and before
 * the pull (which brings back the version the resolution made). */
/* The oldest resolution not yet told to the server, read under the store's lock: its id
 * and its request body, or *id %NULL when there is none. */
static gboolean
next_resolution (ClSync   *self,
                 char    **id,
                 char    **body,
                 gsize    *len,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  *id = NULL;
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  stmt = cl_sql_prepare (_cl_sync_db_of (self), "SELECT id, resolution, resolved_value, record_type, "
                         "record_id, field FROM conflict WHERE resolved_at IS NOT NULL AND "
                         "uploaded = 0 ORDER BY resolved_at, id LIMIT 1", error);
  if (stmt == NULL)
    ok = FALSE;
  else if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClWireResolveRequest req = { 0 };
      g_autofree char *current = NULL;

      *id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      resolution_request (self, stmt, &req, &current);
      *body = cl_wire_resolve_request_encode (&req, len);
    }
  else if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, _cl_sync_db_of (self), rc);
      ok = FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

static gboolean
set_conflict_resolution (ClSync      *self,
                         const char  *sql,
                         const char  *id,
                         GError     **error)
{
  gboolean ok;

  if (!cl_store_lock (self->store, CL_STORE_WRITE, error))
    return FALSE;
  ok = cl_sql_exec_params (_cl_sync_db_of (self), error, sql, id, CL_SQL_END);
  if (!ok)
    {
      cl_store_unlock (self->store, CL_STORE_UNLOCK_ROLLBACK, NULL);
      return FALSE;
    }
  return cl_store_unlock (self->store, CL_STORE_UNLOCK_COMMIT, error);
}

/* Conflict resolutions made on this device, told to the server before this round's push
 * (so a later edit of the field, queued behind, lands on top of the resolution) and before
 * the pull (which brings back the version the resolution made). */
gboolean
_cl_sync_upload_resolutions (ClSync        *self,
                             Conn          *conn,
                             ClSyncReport  *report,
                             GCancellable  *cancellable,
                             GError       **error)
{
  for (;;)
    {
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      g_auto(Reply) reply = { 0 };
      gsize len = 0;

      if (!next_resolution (self, &id, &body, &len, error))
        return FALSE;
      if (id == NULL)
        return TRUE;
      path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
      if (!_cl_sync_http_send (conn, "POST", path, body, len, &reply, cancellable, error))
        return FALSE;
      switch (reply.status)
        {
        case 200:
          if (!set_conflict_resolution (self, "UPDATE conflict SET uploaded = 1 WHERE id = ?",
                                        id, error))
            return FALSE;
          break;
        case 404:
        case 409:
          _cl_sync_reply_error (conn, &reply, &code, &mode, NULL, NULL);
          /* Resolved by someone else first (or no longer this user's to see): their
           * choice stands, and the pull brings it. Or the field changed after the
           * conflict: the server kept both values as a new conflict, which this round
           * fetches; this one is settled. */
          if (!undo_resolution (self, id, FALSE, error))
            return FALSE;
          if (g_strcmp0 (code, "field_changed") == 0)
            {
              if (!set_conflict_resolution (self, "UPDATE conflict SET resolution = "
                                            "'renewed' WHERE id = ?", id, error))
                return FALSE;
              report->renewed++;
            }
          else
            report->superseded++;
          break;
        case 400:
        case 403:
          /* Not this choice (the record is no longer this user's to change, or the value
           * is not allowed): the conflict waits for another one. */
          if (!undo_resolution (self, id, TRUE, error))
            return FALSE;
          report->refused++;
          break;
        default:
          _cl_sync_reply_error (conn, &reply, &code, &mode, NULL, error);
          _cl_sync_note_revoked (report, code, mode);
          return FALSE;
        }
    }
}
