/* srv-db.h: libpq helpers (bound parameters only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define SRV_DB_ERROR (srv_db_error_quark ())

typedef enum {
  SRV_DB_ERROR_CONNECTION,     /* the connection is gone: answer 503, reconnect */
  SRV_DB_ERROR_RETRY,          /* serialization failure or deadlock: retry the transaction */
  SRV_DB_ERROR_UNIQUE,         /* unique violation */
  SRV_DB_ERROR_FAILED,         /* anything else */
} SrvDbError;

/* Ends the parameter list of srv_db_exec(); NULL in the list binds SQL NULL. */
extern const char srv_db_end_marker[];
#define SRV_DB_END ((const char *) srv_db_end_marker)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)

GQuark      srv_db_error_quark    (void);

PGconn     *srv_db_connect        (const char  *conninfo,
                                   GError     **error);
gboolean    srv_db_ensure         (PGconn     **conn,
                                   const char  *conninfo,
                                   GError     **error);
PGresult   *srv_db_exec           (PGconn      *conn,
                                   GError     **error,
                                   const char  *sql,
                                   ...);
PGresult   *srv_db_execv          (PGconn      *conn,
                                   const char  *sql,
                                   int          n_params,
                                   const char * const *params,
                                   GError     **error);
gboolean    srv_db_command        (PGconn      *conn,
                                   const char  *sql,
                                   GError     **error);
void        srv_db_rollback       (PGconn      *conn);

const char *srv_db_get            (PGresult    *result,
                                   int          row,
                                   int          column);
gint64      srv_db_get_int        (PGresult    *result,
                                   int          row,
                                   int          column);
gboolean    srv_db_get_bool       (PGresult    *result,
                                   int          row,
                                   int          column);

char       *srv_db_int            (gint64       value);
void        srv_db_set_verbose    (gboolean     verbose);

G_END_DECLS
