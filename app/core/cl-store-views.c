/* cl-store-views.c: the case lists of the sidebar, and their counts
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

/* Case views ----------------------------------------------------------------------- */

/**
 * _cl_store_view_where:
 *
 * Returns: (transfer full): the SQL condition on "cases c" of @view; binds ?1 (user) and
 *   ?2 (command)
 */
char *
_cl_store_view_where (ClCaseView view)
{
  const char *cond;

  switch (view)
    {
    case CL_CASE_VIEW_ALL:
      cond = "c.status <> 'closed'";
      break;
    case CL_CASE_VIEW_MINE:
      cond = "c.status <> 'closed' AND c.assigned_to = ?1";
      break;
    case CL_CASE_VIEW_NEW_REFERRALS:
      cond = "c.status = 'referred'";
      break;
    case CL_CASE_VIEW_FOLLOW_UPS_DUE:
      cond = "c.status <> 'closed' AND c.next_due_on <= date('now', 'localtime')";
      break;
    case CL_CASE_VIEW_COMMAND:
      cond = "c.status <> 'closed' AND (?2 IS NULL OR c.command = ?2)";
      break;
    case CL_CASE_VIEW_CLOSED:
      cond = "c.status = 'closed'";
      break;
    case CL_CASE_VIEW_NEEDS_ATTENTION:
      cond = "c.status <> 'closed' AND c.id IN ("
             "SELECT coalesce(x.case_id, x.record_id) FROM ("
             "  SELECT f.record_id, (SELECT case_id FROM history h WHERE h.record_id = "
             "    f.record_id AND h.case_id IS NOT NULL LIMIT 1) AS case_id "
             "  FROM conflict f WHERE f.resolved_at IS NULL "
             "  UNION ALL SELECT r.record_id, (SELECT case_id FROM history h WHERE "
             "    h.record_id = r.record_id AND h.case_id IS NOT NULL LIMIT 1) "
             "  FROM rejected r WHERE r.dismissed = 0) x)";
      break;
    default:
      g_assert_not_reached ();
    }
  return g_strconcat ("c.deleted = 0 AND ", cond, NULL);
}

void
_cl_store_bind_view (ClStore      *self,
                     sqlite3_stmt *stmt)
{
  if (sqlite3_bind_parameter_count (stmt) >= 1)
    cl_sql_bind_text (stmt, 1, cl_store_get_user (self));
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    cl_sql_bind_text (stmt, 2, cl_store_get_command (self));
}

static gint64
store_count_view_unlocked (ClStore     *self,
                           ClCaseView   view,
                           GError     **error)
{
  g_autofree char *cond = _cl_store_view_where (view);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM cases c WHERE %s", cond);
  sqlite3_stmt *stmt;
  sqlite3 *db;
  gint64 n = -1;

  g_return_val_if_fail (CL_IS_STORE (self), -1);

  if ((db = _cl_store_open_db (self, error)) == NULL ||
      (stmt = cl_sql_cache_prepare (_cl_store_stmts (self), sql, error)) == NULL)
    return -1;
  _cl_store_bind_view (self, stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    cl_sql_set_error (error, db, sqlite3_errcode (db));
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return n;
}

gint64
cl_store_count_view (ClStore     *self,
                     ClCaseView   view,
                     GError     **error)
{
  gint64 n;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  _cl_store_read_lock (self);
  n = store_count_view_unlocked (self, view, error);
  _cl_store_read_unlock (self);
  return n;
}
