/* cl-store-history.c: what changed on a case, by whom and when
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the store (cl-store.c): every function here runs under the store's lock.
 */

#define G_LOG_DOMAIN "cl-store"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-sql.h"
#include "cl-store-private.h"

static void
owners (const ClType  *type,
        ClRecord      *record,
        const char   **case_id,
        const char   **client_id)
{
  *case_id = NULL;
  *client_id = NULL;
  if (_cl_store_type_is (type, "case"))
    {
      *case_id = cl_record_get_id (record);
      *client_id = cl_record_get (record, "client_id");
    }
  else if (_cl_store_type_is (type, "client"))
    *client_id = cl_record_get_id (record);
  else if (type->parent != NULL && strcmp (type->parent, "case_id") == 0)
    *case_id = cl_record_get (record, "case_id");
  else if (type->parent != NULL && strcmp (type->parent, "client_id") == 0)
    *client_id = cl_record_get (record, "client_id");
}

gboolean
_cl_store_add_history (ClStore      *self,
                       const ClType *type,
                       ClRecord     *record,
                       const char   *op,
                       const char   *field,
                       const char   *old_value,
                       const char   *new_value,
                       const char   *now,
                       GError      **error)
{
  const char *case_id, *client_id;

  if (_cl_store_type_is (type, "audit"))
    return TRUE;
  owners (type, record, &case_id, &client_id);
  return cl_sql_cache_exec (_cl_store_stmts (self), error,
                            "INSERT INTO history (case_id, client_id, record_type, record_id, "
                            "op, field, old_value, new_value, at, by, origin) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'local')",
                            case_id, client_id, type->name, cl_record_get_id (record), op,
                            field, old_value, new_value, now, cl_store_get_user (self), CL_SQL_END);
}

static GPtrArray *
store_history_unlocked (ClStore     *self,
                        const char  *case_id,
                        GError     **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) entries = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);

  if ((db = _cl_store_open_db (self, error)) == NULL)
    return NULL;
  stmt = cl_sql_cache_prepare (_cl_store_stmts (self),
                               "SELECT at, by, record_type, record_id, op, field, old_value, "
                               "new_value FROM history WHERE case_id = ?1 OR (case_id IS NULL "
                               "AND client_id = (SELECT client_id FROM cases WHERE id = ?1)) "
                               "ORDER BY id",
                               error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, case_id);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_history_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClHistoryEntry *e = g_new0 (ClHistoryEntry, 1);

      e->at = _cl_store_column_dup (stmt, 0);
      e->by = _cl_store_column_dup (stmt, 1);
      e->record_type = _cl_store_column_dup (stmt, 2);
      e->record_id = _cl_store_column_dup (stmt, 3);
      e->op = _cl_store_column_dup (stmt, 4);
      e->field = _cl_store_column_dup (stmt, 5);
      e->old_value = _cl_store_column_dup (stmt, 6);
      e->new_value = _cl_store_column_dup (stmt, 7);
      g_ptr_array_add (entries, e);
    }
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      g_clear_pointer (&entries, g_ptr_array_unref);
    }
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return g_steal_pointer (&entries);
}

/**
 * cl_store_history:
 *
 * Returns: (transfer full) (element-type ClHistoryEntry): what changed on the case, its
 *   records, its client and the client's own records, oldest first: never on another case
 *   of the client (which may be restricted, and shows only once opened)
 */
GPtrArray *
cl_store_history (ClStore     *self,
                  const char  *case_id,
                  GError     **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  _cl_store_read_lock (self);
  entries = store_history_unlocked (self, case_id, error);
  _cl_store_read_unlock (self);
  return entries;
}
