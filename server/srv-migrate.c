/* srv-migrate.c: numbered schema migrations of the server database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Migration N is migrations/NNN-*.sql (compiled in as a resource) plus, where a step seeds
 * data, a C function. Each runs in its own transaction holding an advisory lock, and
 * records itself in schema_migrations in that transaction, so two servers migrating at
 * once wait for each other and a crash leaves the schema at N-1 or N, never between.
 */

#define G_LOG_DOMAIN "srv-migrate"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-refdata.h"
#include "cl-seed.h"
#include "srv-db.h"
#include "srv-migrate.h"
#include "srv-records.h"
#include "srv-resources.h"

/* Any constant, the same in every caseload-server. */
#define MIGRATION_LOCK "7429385012"

typedef gboolean (*SeedFunc) (PGconn *conn, GError **error);

typedef struct {
  const char *resource;
  SeedFunc    seed;
} Migration;

static gboolean seed_commands (PGconn *conn, GError **error);
static gboolean rescope_restricted (PGconn *conn, GError **error);

static const Migration migrations[] = {
  { "/io/github/caseload/server/migrations/001-initial.sql", seed_commands },
  { "/io/github/caseload/server/migrations/002-conflict-authors.sql", NULL },
  { "/io/github/caseload/server/migrations/003-named-users.sql", rescope_restricted },
  { "/io/github/caseload/server/migrations/004-scope-epoch.sql", NULL },
  { "/io/github/caseload/server/migrations/005-login-backoff.sql", NULL },
  { "/io/github/caseload/server/migrations/006-sync-heal.sql", NULL },
  { "/io/github/caseload/server/migrations/007-account-life.sql", NULL },
  { "/io/github/caseload/server/migrations/008-refresh-tokens.sql", NULL },
  { "/io/github/caseload/server/migrations/009-record-digest.sql", NULL },
};

/* NYC's commands, with the ids every vault seeds them under (cl_seed_id()). Version 0:
 * devices have them from their own seed and never pull them until someone edits one. */
static gboolean
seed_commands (PGconn  *conn,
               GError **error)
{
  const ClCommandSeed *commands;
  guint n;

  commands = cl_refdata_commands (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_seed_id ("command", commands[i].code);
      g_autoptr(JsonBuilder) fb = json_builder_new_immutable ();
      g_autoptr(JsonBuilder) vb = json_builder_new_immutable ();
      g_autoptr(JsonNode) fields = NULL;
      g_autoptr(JsonNode) versions = NULL;
      g_autofree char *fields_json = NULL;
      g_autofree char *versions_json = NULL;
      g_autoptr(PGresult) r = NULL;
      const char *names[] = { "code", "type", "name", "borough", "active_from" };
      const char *values[] = { commands[i].code, commands[i].type, commands[i].name,
                               commands[i].borough, commands[i].active_from };

      json_builder_begin_object (fb);
      json_builder_begin_object (vb);
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          if (values[j] == NULL)
            continue;
          json_builder_set_member_name (fb, names[j]);
          json_builder_add_string_value (fb, values[j]);
          json_builder_set_member_name (vb, names[j]);
          json_builder_add_int_value (vb, 0);
        }
      json_builder_end_object (fb);
      json_builder_end_object (vb);
      fields = json_builder_get_root (fb);
      versions = json_builder_get_root (vb);
      fields_json = json_to_string (fields, FALSE);
      versions_json = json_to_string (versions, FALSE);

      r = srv_db_exec (conn, error,
                       "INSERT INTO record (id, type, version, fields, field_versions, scope) "
                       "VALUES ($1, 'command', 0, $2::jsonb, $3::jsonb, ARRAY['ref'])",
                       id, fields_json, versions_json, SRV_DB_END);
      if (r == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Restricted clients (with their cases) and restricted cases get the scopes of their
 * named users, as srv-records.c gives them from now on. */
static gboolean
rescope_restricted (PGconn  *conn,
                    GError **error)
{
  g_autoptr(PGresult) r = NULL;
  SrvClock clock;

  r = srv_db_exec (conn, error,
                   "SELECT id FROM record WHERE type IN ('client', 'case') "
                   "AND fields ->> 'restricted' = '1' ORDER BY type DESC, id",
                   SRV_DB_END);
  if (r == NULL)
    return FALSE;
  if (PQntuples (r) == 0)
    return TRUE;

  /* The clock before any record row, as every writer does. */
  srv_clock_init (&clock, conn);
  if (!srv_clock_lock (&clock, error))
    return FALSE;
  for (int i = 0; i < PQntuples (r); i++)
    {
      g_autoptr(SrvRecord) record = srv_record_load (conn, srv_db_get (r, i, 0), TRUE, error);

      if (record == NULL || !srv_records_refresh_scope (conn, &clock, record, error))
        return FALSE;
    }
  return srv_clock_finish (&clock, error);
}

int
srv_migrate_latest (void)
{
  return G_N_ELEMENTS (migrations);
}

/**
 * srv_migrate_version:
 *
 * Returns: the schema version of the database (0 for an empty one), or -1 on error
 */
int
srv_migrate_version (PGconn  *conn,
                     GError **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error, "SELECT to_regclass('schema_migrations') IS NOT NULL",
                   SRV_DB_END);
  if (r == NULL)
    return -1;
  if (!srv_db_get_bool (r, 0, 0))
    return 0;
  g_clear_pointer (&r, PQclear);
  r = srv_db_exec (conn, error, "SELECT coalesce(max(version), 0) FROM schema_migrations",
                   SRV_DB_END);
  if (r == NULL)
    return -1;
  return (int) srv_db_get_int (r, 0, 0);
}

static gboolean
apply_one (PGconn  *conn,
           int      number,
           GError **error)
{
  const Migration *m = &migrations[number - 1];
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *version = srv_db_int (number);
  g_autoptr(PGresult) r = NULL;

  bytes = g_resources_lookup_data (m->resource, 0, error);
  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  /* The migration file holds several statements: the simple protocol runs them in order.
   * It is our own compiled-in text, never input. */
  r = PQexec (conn, sql);
  if (PQresultStatus (r) != PGRES_COMMAND_OK && PQresultStatus (r) != PGRES_TUPLES_OK)
    {
      g_set_error (error, SRV_DB_ERROR, SRV_DB_ERROR_FAILED, "Migration %d failed: %s",
                   number, PQresultErrorMessage (r));
      return FALSE;
    }
  g_clear_pointer (&r, PQclear);

  if (m->seed != NULL && !m->seed (conn, error))
    return FALSE;
  r = srv_db_exec (conn, error, "INSERT INTO schema_migrations (version) VALUES ($1)",
                   version, SRV_DB_END);
  return r != NULL;
}

/* "Applied migrations 006, 007", after each migration's own commit. */
static void
print_applied (GString *applied)
{
  if (applied->len > 0)
    g_print ("Applied migration%s %s\n", strchr (applied->str, ',') != NULL ? "s" : "",
             applied->str);
}

/**
 * srv_migrate_apply:
 *
 * Brings the database to the latest schema, one migration per transaction, and says on
 * standard output what it did: the migrations applied (even those before one that
 * failed), or that there was nothing to do. Before migrating a database that holds a
 * schema already it reminds to back up: a migration is undone only by restoring a backup.
 */
gboolean
srv_migrate_apply (PGconn  *conn,
                   GError **error)
{
  g_autoptr(GString) applied = g_string_new (NULL);

  for (;;)
    {
      int current;

      if (!srv_db_command (conn, "BEGIN", error))
        goto fail;
      {
        g_autoptr(PGresult) l = srv_db_exec (conn, error, "SELECT pg_advisory_xact_lock($1)",
                                             MIGRATION_LOCK, SRV_DB_END);
        if (l == NULL ||
            !srv_db_command (conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version integer PRIMARY KEY, "
                             "applied_at timestamptz NOT NULL DEFAULT now())", error))
          goto fail;
      }
      current = srv_migrate_version (conn, error);
      if (current < 0)
        goto fail;
      if (current > srv_migrate_latest ())
        {
          g_set_error (error, SRV_DB_ERROR, SRV_DB_ERROR_FAILED,
                       "The database schema (%d) is newer than this caseload-server knows "
                       "(%d): update caseload-server", current, srv_migrate_latest ());
          goto fail;
        }
      if (current == srv_migrate_latest ())
        {
          if (!srv_db_command (conn, "COMMIT", error))
            goto fail;
          if (applied->len > 0)
            print_applied (applied);
          else
            g_print ("The database is up to date (schema %d); nothing to do\n", current);
          return TRUE;
        }

      if (applied->len == 0 && current > 0)
        g_print ("Migrating the database from schema %d to %d. A migration cannot be "
                 "undone: back up the database first (pg_dump; docs/DEPLOYMENT.md)\n",
                 current, srv_migrate_latest ());
      if (!apply_one (conn, current + 1, error) || !srv_db_command (conn, "COMMIT", error))
        goto fail;
      g_string_append_printf (applied, "%s%03d", applied->len > 0 ? ", " : "", current + 1);
    }

fail:
  srv_db_rollback (conn);
  print_applied (applied);
  return FALSE;
}
