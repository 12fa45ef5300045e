/* cl-sql.c: small helpers over the SQLite C API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-sql"

#include <glib/gi18n.h>

#include "cl-sql.h"
#include "cl-vault.h"

const char cl_sql_end_marker[] = "";

/* Maps SQLite failures to the vault's error codes so the person at the screen learns
 * whether the disk is full or the database is damaged. SQLite's own message carries no
 * client data (values are always bound, never part of the SQL text). */
void
cl_sql_set_error (GError  **error,
                  sqlite3  *db,
                  int       rc)
{
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The disk is full: nothing was saved. Free some space and try again."));
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The vault could not be read or written (%s)."), msg);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                   _("The vault database is damaged (%s). Restore it from a backup or "
                     "from the server."), msg);
      break;
    default:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("Database error: %s"), msg);
      break;
    }
}

gboolean
cl_sql_exec (sqlite3     *db,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
cl_sql_prepare (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
cl_sql_bind_text (sqlite3_stmt *stmt,
                  int           index,
                  const char   *value)
{
  if (value == NULL)
    return sqlite3_bind_null (stmt, index) == SQLITE_OK;
  return sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

gboolean
cl_sql_step_done (sqlite3_stmt  *stmt,
                  GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, sqlite3_db_handle (stmt), rc);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare_va (sqlite3     *db,
            GError     **error,
            const char  *sql,
            va_list      args)
{
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, error);
  const char *value;
  int i = 1;

  if (stmt == NULL)
    return NULL;
  while ((value = va_arg (args, const char *)) != CL_SQL_END)
    cl_sql_bind_text (stmt, i++, value);
  g_assert (i - 1 == sqlite3_bind_parameter_count (stmt));
  return g_steal_pointer (&stmt);
}

gboolean
cl_sql_exec_params (sqlite3     *db,
                    GError     **error,
                    const char  *sql,
                    ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  va_list args;

  va_start (args, sql);
  stmt = prepare_va (db, error, sql, args);
  va_end (args);
  return stmt != NULL && cl_sql_step_done (stmt, error);
}

char *
cl_sql_query_text (sqlite3     *db,
                   GError     **error,
                   const char  *sql,
                   ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  va_list args;
  int rc;

  va_start (args, sql);
  stmt = prepare_va (db, error, sql, args);
  va_end (args);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    cl_sql_set_error (error, db, rc);
  return NULL;
}

gboolean
cl_sql_query_int (sqlite3     *db,
                  const char  *sql,
                  gint64      *out,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    {
      *out = 0;
      return TRUE;
    }
  cl_sql_set_error (error, db, rc);
  return FALSE;
}
