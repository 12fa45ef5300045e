/* srv-db.c: libpq helpers (bound parameters only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every statement sends its values as parameters. A statement with parameters is
 * prepared on its connection the first time it runs there and executed prepared after
 * that (a push runs the same few statements for every mutation: PostgreSQL then parses
 * and plans each once per connection, not once per row). The names live with the
 * connection (a libpq event procedure frees them with it). Error messages
 * carry the SQLSTATE only: PostgreSQL's own text may quote a value, and a value may be
 * client data. The admin subcommands turn on verbose messages (they print to the
 * operator's terminal, never to the server's log).
 */

#define G_LOG_DOMAIN "srv-db"

#include <stdarg.h>
#include <string.h>

#include "srv-db.h"

#include <libpq-events.h>

G_DEFINE_QUARK (srv-db-error-quark, srv_db_error)

const char srv_db_end_marker[] = "srv-db-end";

static gboolean verbose_errors = FALSE;

void
srv_db_set_verbose (gboolean verbose)
{
  verbose_errors = verbose;
}

static void
set_error_from_result (GError   **error,
                       PGconn    *conn,
                       PGresult  *result)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  SrvDbError code = SRV_DB_ERROR_FAILED;

  if (PQstatus (conn) != CONNECTION_OK || state == NULL || g_str_has_prefix (state, "08") ||
      g_str_has_prefix (state, "57P"))
    code = SRV_DB_ERROR_CONNECTION;
  else if (strcmp (state, "40001") == 0 || strcmp (state, "40P01") == 0)
    code = SRV_DB_ERROR_RETRY;
  else if (strcmp (state, "23505") == 0)
    code = SRV_DB_ERROR_UNIQUE;

  if (verbose_errors)
    {
      const char *primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY)
                                           : NULL;
      g_set_error (error, SRV_DB_ERROR, code, "Database error %s: %s",
                   state != NULL ? state : "(connection)",
                   primary != NULL ? primary : PQerrorMessage (conn));
    }
  else
    g_set_error (error, SRV_DB_ERROR, code, "Database error %s",
                 state != NULL ? state : "(connection)");
}

PGconn *
srv_db_connect (const char  *conninfo,
                GError     **error)
{
  PGconn *conn = PQconnectdb (conninfo != NULL ? conninfo : "");

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      if (verbose_errors && conn != NULL)
        g_set_error (error, SRV_DB_ERROR, SRV_DB_ERROR_CONNECTION,
                     "Cannot connect to the database: %s", PQerrorMessage (conn));
      else
        g_set_error (error, SRV_DB_ERROR, SRV_DB_ERROR_CONNECTION,
                     "Cannot connect to the database");
      PQfinish (conn);
      return NULL;
    }
  /* Timestamps as UTC text; never let a session setting change what clients see. */
  {
    g_autoptr(PGresult) r = PQexec (conn, "SET TIME ZONE 'UTC'; "
                                    "SET client_min_messages = 'warning'");
    if (PQresultStatus (r) != PGRES_COMMAND_OK)
      {
        set_error_from_result (error, conn, r);
        PQfinish (conn);
        return NULL;
      }
  }
  return conn;
}

/**
 * srv_db_ensure:
 * @conn: (inout): a connection or %NULL
 *
 * Makes *@conn a live connection, reconnecting if it was lost.
 */
gboolean
srv_db_ensure (PGconn     **conn,
               const char  *conninfo,
               GError     **error)
{
  if (*conn != NULL && PQstatus (*conn) == CONNECTION_OK &&
      PQtransactionStatus (*conn) == PQTRANS_IDLE)
    return TRUE;
  g_clear_pointer (conn, PQfinish);
  *conn = srv_db_connect (conninfo, error);
  return *conn != NULL;
}

/* The statements prepared on one connection: SQL text (copied) → name. At most
 * MAX_PREPARED; statements beyond run unprepared. */
#define MAX_PREPARED 256

typedef struct {
  GHashTable *names;
  guint       next;
} Prepared;

static int
prepared_event (PGEventId  id,
                void      *info,
                void      *pass_through)
{
  if (id == PGEVT_CONNDESTROY)
    {
      PGEventConnDestroy *e = info;
      Prepared *p = PQinstanceData (e->conn, prepared_event);

      if (p != NULL)
        {
          g_hash_table_unref (p->names);
          g_free (p);
        }
    }
  else if (id == PGEVT_CONNRESET)
    {
      /* A reset connection is a new session: nothing is prepared on it. */
      PGEventConnReset *e = info;
      Prepared *p = PQinstanceData (e->conn, prepared_event);

      if (p != NULL)
        g_hash_table_remove_all (p->names);
    }
  return TRUE;
}

static Prepared *
prepared_of (PGconn *conn)
{
  Prepared *p = PQinstanceData (conn, prepared_event);

  if (p == NULL && PQregisterEventProc (conn, prepared_event, "srv-db prepared", NULL))
    {
      p = g_new0 (Prepared, 1);
      p->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (!PQsetInstanceData (conn, prepared_event, p))
        {
          g_hash_table_unref (p->names);
          g_clear_pointer (&p, g_free);
        }
    }
  return p;
}

PGresult *
srv_db_execv (PGconn              *conn,
              const char          *sql,
              int                  n_params,
              const char * const  *params,
              GError             **error)
{
  Prepared *p = n_params > 0 ? prepared_of (conn) : NULL;
  const char *name = NULL;
  PGresult *result;
  ExecStatusType status;

  if (p != NULL && (name = g_hash_table_lookup (p->names, sql)) == NULL &&
      g_hash_table_size (p->names) < MAX_PREPARED)
    {
      char *new_name = g_strdup_printf ("srv_%u", p->next++);

      result = PQprepare (conn, new_name, sql, n_params, NULL);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          set_error_from_result (error, conn, result);
          PQclear (result);
          g_free (new_name);
          return NULL;
        }
      PQclear (result);
      g_hash_table_insert (p->names, g_strdup (sql), new_name);
      name = new_name;
    }

  if (name != NULL)
    result = PQexecPrepared (conn, name, n_params, params, NULL, NULL, 0);
  else
    result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_error_from_result (error, conn, result);
      PQclear (result);
      return NULL;
    }
  return result;
}

/**
 * srv_db_exec:
 * @conn: a connection
 * @error: return location for a #SRV_DB_ERROR
 * @sql: one statement with $1, $2, … placeholders
 * @...: the parameters as strings (NULL for SQL NULL), then %SRV_DB_END
 *
 * Returns: (transfer full) (nullable): the result
 */
PGresult *
srv_db_exec (PGconn      *conn,
             GError     **error,
             const char  *sql,
             ...)
{
  const char *params[32];
  int n = 0;
  va_list ap;

  va_start (ap, sql);
  for (;;)
    {
      const char *p = va_arg (ap, const char *);
      if (p == SRV_DB_END)
        break;
      g_assert (n < (int) G_N_ELEMENTS (params));
      params[n++] = p;
    }
  va_end (ap);

  return srv_db_execv (conn, sql, n, params, error);
}

gboolean
srv_db_command (PGconn      *conn,
                const char  *sql,
                GError     **error)
{
  g_autoptr(PGresult) r = srv_db_execv (conn, sql, 0, NULL, error);
  return r != NULL;
}

/* Rolls back whatever is open; harmless when nothing is. */
void
srv_db_rollback (PGconn *conn)
{
  if (conn != NULL && PQstatus (conn) == CONNECTION_OK &&
      PQtransactionStatus (conn) != PQTRANS_IDLE)
    {
      g_autoptr(PGresult) r = PQexec (conn, "ROLLBACK");
    }
}

const char *
srv_db_get (PGresult *result,
            int       row,
            int       column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return PQgetvalue (result, row, column);
}

gint64
srv_db_get_int (PGresult *result,
                int       row,
                int       column)
{
  const char *v = srv_db_get (result, row, column);
  return v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
}

gboolean
srv_db_get_bool (PGresult *result,
                 int       row,
                 int       column)
{
  const char *v = srv_db_get (result, row, column);
  return v != NULL && v[0] == 't';
}

char *
srv_db_int (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}
