/* test-sync-digest.c: the digest of the synced records, kept by the vault (migration 10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kept value (sync_digest) equals the sum of cl_wire_digest_add()'s terms over the
 * live synced records, recomputed here, after every kind of write: creates (version 0:
 * no term), a version the server gives (as a pull writes it), edits, deletes, a purge,
 * and in a vault made by schema 9 and upgraded. The sync paths themselves (pull, purge of
 * a record that left scope, resolution) are in tests/e2e/test-e2e-digest.c.
 */

#include "cl-migrations.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-test-util.h"
#include "cl-vault-private.h"
#include "cl-wire.h"

static guint64
recomputed (sqlite3 *db)
{
  const ClType *types;
  guint64 digest = 0;
  guint n;

  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (types[i].flags & CL_TYPE_LOCAL_ONLY)
        continue;
      sql = g_strdup_printf ("SELECT id, version FROM %s WHERE version > 0 AND deleted = 0",
                             types[i].table);
      stmt = cl_sql_prepare (db, sql, NULL);
      g_assert_nonnull (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        cl_wire_digest_add (&digest, (const char *) sqlite3_column_text (stmt, 0),
                            sqlite3_column_int64 (stmt, 1));
    }
  return digest;
}

static guint64
kept (sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 0;

  g_assert_true (cl_sql_query_int (db, "SELECT value FROM sync_digest", &v, &error));
  g_assert_no_error (error);
  return (guint64) v;
}

static void
assert_kept (sqlite3 *db)
{
  guint64 want = recomputed (db);

  g_assert_cmphex (kept (db), ==, want);
}

static void
set_version (sqlite3    *db,
             const char *table,
             const char *id,
             gint64      version)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET version = ? WHERE id = ?", table);
  g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, version);

  g_assert_true (cl_sql_exec_params (db, &error, sql, v, id, CL_SQL_END));
  g_assert_no_error (error);
}

/* Every synced record table has the three triggers that keep the digest. */
static void
test_triggers (ClTestVault   *f,
               gconstpointer  data)
{
  sqlite3 *db = cl_vault_get_db (f->vault);
  const ClType *types;
  guint n;

  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      const char *kinds[] = { "insert", "update", "delete" };

      if (types[i].flags & CL_TYPE_LOCAL_ONLY)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          g_autofree char *name = g_strdup_printf ("%s_digest_%s", types[i].table, kinds[k]);
          g_autofree char *table = cl_sql_query_text (db, NULL, "SELECT tbl_name FROM "
                                                      "sqlite_master WHERE type = 'trigger' "
                                                      "AND name = ?", name, CL_SQL_END);
          g_assert_cmpstr (table, ==, types[i].table);
        }
    }
}

static void
test_writes (ClTestVault   *f,
             gconstpointer  data)
{
  sqlite3 *db = cl_vault_get_db (f->vault);
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = cl_test_new_case (f->store, "Digest Person");
  g_autoptr(ClRecord) kase = cl_store_get (f->store, "case", case_id, &error);
  const char *client_id = cl_record_get (kase, "client_id");
  g_autofree char *note_id = NULL;
  g_autofree char *task_id = NULL;
  g_autoptr(ClChanges) changes = cl_changes_new ();

  g_assert_no_error (error);
  /* Created here, never synced: version 0, no term. */
  g_assert_cmphex (kept (db), ==, 0);
  assert_kept (db);

  note_id = cl_test_create (f->store, "note", "case_id", case_id, "text", "first",
                            "at", "2026-11-02T10:00:00Z", NULL);
  task_id = cl_test_create (f->store, "task", "case_id", case_id, "title", "Call back",
                            "due", "2026-12-01", NULL);
  g_assert_cmphex (kept (db), ==, 0);

  /* The server's versions, as a pull writes them. */
  set_version (db, "client", client_id, 3);
  set_version (db, "cases", case_id, 4);
  set_version (db, "note", note_id, 5);
  set_version (db, "task", task_id, 6);
  g_assert_cmphex (kept (db), !=, 0);
  assert_kept (db);
  set_version (db, "cases", case_id, 9);
  assert_kept (db);

  /* An edit here leaves the version; the digest does not move. */
  {
    guint64 before = kept (db);

    cl_changes_set (changes, "title", "Call back today");
    g_assert_true (cl_store_update (f->store, "task", task_id, changes, &error));
    g_assert_no_error (error);
    g_assert_cmphex (kept (db), ==, before);
    assert_kept (db);
  }

  /* A delete takes the record's term away; undeleting brings it back. */
  g_assert_true (cl_store_delete (f->store, "task", task_id, &error));
  g_assert_no_error (error);
  assert_kept (db);
  g_assert_true (cl_sql_exec_params (db, &error, "UPDATE task SET deleted = 0, version = 7 "
                                     "WHERE id = ?", task_id, CL_SQL_END));
  g_assert_no_error (error);
  assert_kept (db);

  /* A purge (a record that left this vault's scope) removes it. */
  g_assert_true (cl_sql_exec_params (db, &error, "DELETE FROM note WHERE id = ?", note_id,
                                     CL_SQL_END));
  g_assert_no_error (error);
  assert_kept (db);

  /* A rolled-back transaction leaves the kept value as it was. */
  {
    guint64 before = kept (db);

    g_assert_true (cl_sql_exec (db, "BEGIN", &error));
    set_version (db, "cases", case_id, 12);
    g_assert_cmphex (kept (db), !=, before);
    g_assert_true (cl_sql_exec (db, "ROLLBACK", &error));
    g_assert_cmphex (kept (db), ==, before);
    assert_kept (db);
  }
}

/* A vault made by schema 9 with synced records gets their digest when it upgrades. */
static void
test_migrated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autofree char *parent = g_dir_make_tmp ("caseload-digest-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (parent, "vault", NULL);
  g_autoptr(ClVault) old = NULL;
  g_autoptr(ClVault) vault = NULL;
  guint64 want = 0;
  sqlite3 *db;

  old = _cl_vault_create_at_version (dir, pass, 9, &recovery, &error);
  g_assert_no_error (error);
  db = cl_vault_get_db (old);
  g_assert_true (cl_sql_exec (db,
                              "INSERT INTO client (id, version, created_at, updated_at, "
                              "legal_name, deleted) VALUES "
                              "('0f8fad5b-d9cb-469f-a165-70867728950e', 3, "
                              "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'A', 0), "
                              "('1f8fad5b-d9cb-469f-a165-70867728950e', 4, "
                              "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'B', 1), "
                              "('2f8fad5b-d9cb-469f-a165-70867728950e', 0, "
                              "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'C', 0);"
                              "INSERT INTO cases (id, version, created_at, updated_at, "
                              "client_id, command, track, status) VALUES "
                              "('7c9e6679-7425-40de-944b-e07fc1f90ae7', 8, "
                              "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
                              "'0f8fad5b-d9cb-469f-a165-70867728950e', '14', 'dv', 'active')",
                              &error));
  g_assert_no_error (error);
  cl_vault_lock (old);

  vault = cl_vault_unlock (dir, pass, &error);
  g_assert_no_error (error);
  db = cl_vault_get_db (vault);
  g_assert_cmpint (cl_migrations_version (db, NULL), ==, cl_migrations_latest ());
  cl_wire_digest_add (&want, "0f8fad5b-d9cb-469f-a165-70867728950e", 3);
  cl_wire_digest_add (&want, "7c9e6679-7425-40de-944b-e07fc1f90ae7", 8);
  g_assert_cmphex (kept (db), ==, want);
  assert_kept (db);
  cl_vault_lock (vault);
  cl_test_rm_rf (parent);
}

int
main (int    argc,
      char **argv)
{
  cl_test_init (&argc, &argv);

  g_test_add ("/sync-digest/triggers", ClTestVault, NULL, cl_test_vault_setup, test_triggers,
              cl_test_vault_teardown);
  g_test_add ("/sync-digest/writes", ClTestVault, NULL, cl_test_vault_setup, test_writes,
              cl_test_vault_teardown);
  g_test_add_func ("/sync-digest/migrated", test_migrated);
  return g_test_run ();
}
