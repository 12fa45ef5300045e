/* cl-sql.h: small helpers over the SQLite C API (bound parameters only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Ends the parameter list of the variadic helpers; NULL in the list binds SQL NULL. */
extern const char cl_sql_end_marker[];
#define CL_SQL_END ((const char *) cl_sql_end_marker)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

typedef struct _ClSqlCache ClSqlCache;

gboolean      cl_sql_exec             (sqlite3      *db,
                                       const char   *sql,
                                       GError      **error);
gboolean      cl_sql_exec_params      (sqlite3      *db,
                                       GError      **error,
                                       const char   *sql,
                                       ...);
sqlite3_stmt *cl_sql_prepare          (sqlite3      *db,
                                       const char   *sql,
                                       GError      **error);
gboolean      cl_sql_bind_text        (sqlite3_stmt *stmt,
                                       int           index,
                                       const char   *value);
gboolean      cl_sql_step_done        (sqlite3_stmt *stmt,
                                       GError      **error);
gboolean      cl_sql_query_int        (sqlite3      *db,
                                       const char   *sql,
                                       gint64       *out,
                                       GError      **error);
char         *cl_sql_query_text       (sqlite3      *db,
                                       GError      **error,
                                       const char   *sql,
                                       ...);
void          cl_sql_set_error        (GError      **error,
                                       sqlite3      *db,
                                       int           rc);

ClSqlCache   *cl_sql_cache_new        (sqlite3      *db);
void          cl_sql_cache_free       (ClSqlCache   *cache);
sqlite3_stmt *cl_sql_cache_prepare    (ClSqlCache   *cache,
                                       const char   *sql,
                                       GError      **error);
void          cl_sql_cache_release    (ClSqlCache   *cache,
                                       sqlite3_stmt *stmt);
gboolean      cl_sql_cache_exec       (ClSqlCache   *cache,
                                       GError      **error,
                                       const char   *sql,
                                       ...);
char         *cl_sql_cache_query_text (ClSqlCache   *cache,
                                       GError      **error,
                                       const char   *sql,
                                       ...);

G_END_DECLS
