/* cl-migrations.c: numbered schema migrations of the vault database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Migration N is the SQL file migrations/NNN-*.sql plus, where a step seeds data, a C
 * function. Each runs in its own BEGIN IMMEDIATE transaction that also sets user_version,
 * so a crash leaves the vault at N-1 or N, never between. The SQL files are frozen once
 * released; the schema test checks that the registry and the tables still agree.
 */

#define G_LOG_DOMAIN "cl-migrations"

#include <glib/gi18n.h>

#include "cl-core-resources.h"
#include "cl-migrations.h"
#include "cl-refdata.h"
#include "cl-seed.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-vault.h"

typedef gboolean (*SeedFunc) (sqlite3 *db, GError **error);

typedef struct {
  const char *resource;
  SeedFunc    seed;
} Migration;

static gboolean seed_initial (sqlite3 *db, GError **error);
static gboolean rebuild_search (sqlite3 *db, GError **error);

static const Migration migrations[] = {
  { "/io/github/caseload/core/migrations/001-initial.sql", seed_initial },
  { "/io/github/caseload/core/migrations/002-sync.sql", NULL },
  { "/io/github/caseload/core/migrations/003-list-indexes.sql", NULL },
  { "/io/github/caseload/core/migrations/004-drafts.sql", NULL },
  { "/io/github/caseload/core/migrations/005-named-users.sql", NULL },
  { "/io/github/caseload/core/migrations/006-resolution-pulled.sql", NULL },
  { "/io/github/caseload/core/migrations/007-sent.sql", NULL },
  { "/io/github/caseload/core/migrations/008-rejected-op.sql", NULL },
  { "/io/github/caseload/core/migrations/009-search-phone-digits.sql", rebuild_search },
  { "/io/github/caseload/core/migrations/010-sync-digest.sql", NULL },
};

/* Writes every case's search document again. */
static gboolean
rebuild_search (sqlite3  *db,
                GError  **error)
{
  return cl_sql_exec (db, "INSERT INTO case_search (docid, body) " CL_CASE_SEARCH_DOCUMENTS_SQL,
                      error);
}

static gboolean
seed_initial (sqlite3  *db,
              GError  **error)
{
  const ClCommandSeed *commands;
  const ClCategoryList *lists;
  g_autofree char *now = cl_now_utc ();
  g_autofree char *device = cl_uuid_new ();
  guint n;

  commands = cl_refdata_commands (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_seed_id ("command", commands[i].code);

      if (!cl_sql_exec_params (db, error,
                               "INSERT INTO command (id, version, created_at, updated_at, "
                               "code, type, name, borough, active_from) "
                               "VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?)",
                               id, now, now, commands[i].code, commands[i].type,
                               commands[i].name, commands[i].borough,
                               commands[i].active_from, CL_SQL_END))
        return FALSE;
    }

  lists = cl_refdata_category_lists (&n);
  for (guint i = 0; i < n; i++)
    {
      const ClCategoryList *l = &lists[i];

      if (l->entries == NULL)
        {
          const ClEnum *e = cl_schema_lookup_enum (l->enumeration);

          g_assert (e != NULL);
          for (guint j = 0; j < e->n_values; j++)
            if (!cl_sql_exec_params (db, error,
                                     "INSERT INTO category VALUES (?, ?, ?, ?, ?, ?)",
                                     l->list, l->version, l->valid_from, e->values[j].code,
                                     e->values[j].code, e->values[j].label, CL_SQL_END))
              return FALSE;
        }
      else
        {
          for (guint j = 0; j < l->n_entries; j++)
            if (!cl_sql_exec_params (db, error,
                                     "INSERT INTO category VALUES (?, ?, ?, ?, ?, ?)",
                                     l->list, l->version, l->valid_from,
                                     l->entries[j].local_code, l->entries[j].funder_code,
                                     l->entries[j].funder_label, CL_SQL_END))
              return FALSE;
        }
    }

  return cl_sql_exec_params (db, error,
                             "INSERT INTO meta (key, value) VALUES ('device_id', ?), "
                             "('next_seq', '1'), ('created_at', ?)",
                             device, now, CL_SQL_END);
}

int
cl_migrations_latest (void)
{
  return G_N_ELEMENTS (migrations);
}

int
cl_migrations_version (sqlite3  *db,
                       GError  **error)
{
  gint64 v = -1;

  if (!cl_sql_query_int (db, "PRAGMA user_version", &v, error))
    return -1;
  return (int) v;
}

static gboolean
apply_one (sqlite3  *db,
           int       number,
           GError  **error)
{
  const Migration *m = &migrations[number - 1];
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *set_version = NULL;
  gsize len;

  bytes = g_resources_lookup_data (m->resource, 0, error);
  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  if (!cl_sql_exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  set_version = g_strdup_printf ("PRAGMA user_version = %d", number);
  if (!cl_sql_exec (db, sql, error) ||
      (m->seed != NULL && !m->seed (db, error)) ||
      !cl_sql_exec (db, set_version, error) ||
      !cl_sql_exec (db, "COMMIT", error))
    {
      cl_sql_exec (db, "ROLLBACK", NULL);
      g_prefix_error (error, _("Schema migration %d failed: "), number);
      return FALSE;
    }
  g_debug ("Vault schema migrated to version %d", number);
  return TRUE;
}

/**
 * cl_migrations_apply:
 * @db: an open, keyed vault database
 * @target: the version to reach, or -1 for the latest
 * @error: return location for an error
 *
 * Brings the schema to @target. A database made by a newer Caseload fails with
 * %CL_VAULT_ERROR_TOO_NEW and is left untouched.
 */
gboolean
cl_migrations_apply (sqlite3  *db,
                     int       target,
                     GError  **error)
{
  static gsize registered = 0;
  int current;

  g_return_val_if_fail (db != NULL, FALSE);

  if (target < 0)
    target = cl_migrations_latest ();
  g_return_val_if_fail (target <= cl_migrations_latest (), FALSE);

  if (g_once_init_enter (&registered))
    {
      cl_core_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  current = cl_migrations_version (db, error);
  if (current < 0)
    return FALSE;
  if (current > cl_migrations_latest ())
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_TOO_NEW,
                   _("This vault was made by a newer version of Caseload (schema %d; this "
                     "version knows up to %d). Update Caseload to open it."),
                   current, cl_migrations_latest ());
      return FALSE;
    }

  for (int n = current + 1; n <= target; n++)
    if (!apply_one (db, n, error))
      return FALSE;
  return TRUE;
}
