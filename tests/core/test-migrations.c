/* test-migrations.c: a vault made by every earlier schema version upgrades
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-drafts.h"
#include "cl-migrations.h"
#include "cl-sql.h"
#include "cl-test-util.h"
#include "cl-vault-private.h"

static void
test_upgrade_from (gconstpointer data)
{
  int from = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autofree char *parent = g_dir_make_tmp ("caseload-migrate-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (parent, "vault", NULL);
  g_autoptr(ClVault) old = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(ClRecord) client = NULL;
  g_autofree char *name = NULL;
  const char *restricted_case = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  const char *conflict_id = "9b2e4c1a-6d3f-4e8b-b7a5-0c1d2e3f4a5b";
  sqlite3 *db;
  gint64 n;

  old = _cl_vault_create_at_version (dir, pass, from, &recovery, &error);
  g_assert_no_error (error);
  db = cl_vault_get_db (old);
  g_assert_cmpint (cl_migrations_version (db, NULL), ==, from);

  /* Data written with the old schema, the way that version's store wrote it. */
  g_assert_true (cl_sql_exec_params (db, &error,
                                     "INSERT INTO client (id, version, created_at, updated_at, "
                                     "legal_name, phone) VALUES "
                                     "('0f8fad5b-d9cb-469f-a165-70867728950e', 0, "
                                     "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?)",
                                     "Old Schema Person", "(347) 555-5706", CL_SQL_END));
  g_assert_no_error (error);
  if (from >= 4)
    {
      g_assert_true (cl_sql_exec_params (db, &error,
                                         "INSERT INTO draft (id, kind, parent_id, case_id, "
                                         "form_values, created_at, updated_at) VALUES "
                                         "('5e0b3a4c-9f4e-4d8a-a1b2-3c4d5e6f7a8b', 'task', NULL, "
                                         "NULL, ?, '2026-01-01T00:00:00Z', "
                                         "'2026-01-01T00:00:00Z')",
                                         "{\"title\":\"Call the shelter\",\"due\":null}",
                                         CL_SQL_END));
      g_assert_no_error (error);
    }
  /* A restricted case; from migration 5 on with its named users. */
  g_assert_true (cl_sql_exec_params (db, &error,
                                     from >= 5
                                     ? "INSERT INTO cases (id, version, created_at, updated_at, "
                                       "client_id, command, track, status, restricted, "
                                       "named_users) VALUES (?, 0, '2026-01-01T00:00:00Z', "
                                       "'2026-01-01T00:00:00Z', "
                                       "'0f8fad5b-d9cb-469f-a165-70867728950e', '14', 'dv', "
                                       "'active', 1, 'ana;bob')"
                                     : "INSERT INTO cases (id, version, created_at, updated_at, "
                                       "client_id, command, track, status, restricted) "
                                       "VALUES (?, 0, '2026-01-01T00:00:00Z', "
                                       "'2026-01-01T00:00:00Z', "
                                       "'0f8fad5b-d9cb-469f-a165-70867728950e', '14', 'dv', "
                                       "'active', 1)",
                                     restricted_case, CL_SQL_END));
  g_assert_no_error (error);
  /* A resolution not yet uploaded (sync, migration 2); from migration 6 on with the server's
   * latest value of its field kept beside it. */
  if (from >= 2)
    {
      g_assert_true (cl_sql_exec_params (db, &error,
                                         from >= 6
                                         ? "INSERT INTO conflict (id, record_type, record_id, "
                                           "field, local_value, server_value, server_version, "
                                           "created_at, resolved_at, resolution, "
                                           "pulled_value, pulled_version) VALUES (?, 'case', "
                                           "?, 'status', 'closed', 'active', 3, "
                                           "'2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', "
                                           "'mine', 'on_hold', 5)"
                                         : "INSERT INTO conflict (id, record_type, record_id, "
                                           "field, local_value, server_value, server_version, "
                                           "created_at, resolved_at, resolution) VALUES (?, "
                                           "'case', ?, 'status', 'closed', 'active', 3, "
                                           "'2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', "
                                           "'mine')",
                                         conflict_id, restricted_case, CL_SQL_END));
      g_assert_no_error (error);
    }
  /* Refused mutations (migration 2): an edit and a delete; from migration 8 on with their
   * operation. */
  if (from >= 2)
    {
      g_assert_true (cl_sql_exec_params (db, &error,
                                         from >= 8
                                         ? "INSERT INTO rejected (mutation_id, seq, record_type, "
                                           "record_id, op, changes, code, at) VALUES "
                                           "('e1', 1, 'case', ?, 'put', ?, 'forbidden', "
                                           "'2026-01-01T00:00:00Z'), ('d1', 2, 'case', ?1, "
                                           "'delete', '{}', 'forbidden', '2026-01-01T00:00:00Z')"
                                         : "INSERT INTO rejected (mutation_id, seq, record_type, "
                                           "record_id, changes, code, at) VALUES "
                                           "('e1', 1, 'case', ?, ?, 'forbidden', "
                                           "'2026-01-01T00:00:00Z'), ('d1', 2, 'case', ?1, "
                                           "'{}', 'forbidden', '2026-01-01T00:00:00Z')",
                                         restricted_case,
                                         "{\"status\":{\"old\":\"active\",\"new\":\"closed\"}}",
                                         CL_SQL_END));
      g_assert_no_error (error);
    }
  cl_vault_lock (old);

  vault = cl_vault_unlock (dir, pass, &error);
  g_assert_no_error (error);
  db = cl_vault_get_db (vault);
  g_assert_cmpint (cl_migrations_version (db, NULL), ==, cl_migrations_latest ());

  store = cl_store_new (vault, "advocate1");
  client = cl_store_get (store, "client", "0f8fad5b-d9cb-469f-a165-70867728950e", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (client, "legal_name"), ==, "Old Schema Person");
  g_assert_true (cl_sql_query_int (db, "SELECT count(*) FROM conflict", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, from >= 2 ? 1 : 0);

  /* The server's latest value beside a waiting resolution (migration 6): kept from a vault
   * that had it; none otherwise (the conflict's server_value stands in), and the columns
   * take one after the upgrade. */
  if (from >= 2)
    {
      g_autofree char *kept = cl_sql_query_text (db, &error, "SELECT coalesce(pulled_value, "
                                                 "'none') || '@' || coalesce(pulled_version, "
                                                 "'none') || '/' || server_value FROM conflict "
                                                 "WHERE id = ?", conflict_id, CL_SQL_END);

      g_assert_no_error (error);
      g_assert_cmpstr (kept, ==, from >= 6 ? "on_hold@5/active" : "none@none/active");
      g_assert_true (cl_sql_exec_params (db, &error, "UPDATE conflict SET pulled_value = ?, "
                                         "pulled_version = 7 WHERE id = ?", "closed",
                                         conflict_id, CL_SQL_END));
      g_assert_no_error (error);
    }
  /* Each refused mutation knows its operation (migration 8). */
  if (from >= 2)
    {
      g_autofree char *ops = cl_sql_query_text (db, &error, "SELECT group_concat(mutation_id || "
                                                "'=' || op, ' ') FROM (SELECT * FROM rejected "
                                                "ORDER BY seq)", CL_SQL_END);

      g_assert_no_error (error);
      g_assert_cmpstr (ops, ==, "e1=put d1=delete");
    }
  g_assert_true (cl_sql_query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = "
                                   "'index' AND name = 'conflict_record'", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 1);

  /* The search documents, written again with the phone's digits (migration 9). */
  g_assert_true (cl_sql_query_int (db, "SELECT count(*) FROM case_search WHERE case_search "
                                   "MATCH '3475555706'", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, from < 9 ? 1 : 0);

  /* Drafts (migration 4): kept from a vault that had them, an empty table otherwise. */
  {
    g_autoptr(GPtrArray) drafts = cl_drafts_list (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (drafts->len, ==, from >= 4 ? 1 : 0);
    if (from >= 4)
      {
        ClDraft *draft = g_ptr_array_index (drafts, 0);
        const char *due = "";

        g_assert_cmpstr (draft->kind, ==, "task");
        g_assert_cmpuint (cl_changes_get_n (draft->values), ==, 2);
        g_assert_true (cl_changes_lookup (draft->values, "due", &due));
        g_assert_null (due);
      }
  }

  /* Named users (migration 5): kept from a vault that had them, none otherwise; they
   * can be set after the upgrade, normalized. */
  {
    g_autoptr(ClRecord) kase = cl_store_get (store, "case", restricted_case, &error);
    g_autoptr(ClRecord) named = NULL;
    g_autoptr(ClChanges) values = cl_changes_new ();

    g_assert_no_error (error);
    g_assert_true (cl_record_get_bool (kase, "restricted"));
    g_assert_cmpstr (cl_record_get (kase, "named_users"), ==, from >= 5 ? "ana;bob" : NULL);
    cl_changes_set (values, "named_users", "Carol, ana");
    g_assert_true (cl_store_update (store, "case", restricted_case, values, &error));
    g_assert_no_error (error);
    named = cl_store_get (store, "case", restricted_case, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cl_record_get (named, "named_users"), ==, "ana;carol");
  }

  /* The upgraded vault takes new edits, and new drafts. */
  g_free (cl_test_new_case (store, "After Upgrade"));
  {
    g_autoptr(ClChanges) values = cl_changes_new ();
    g_autofree char *id = NULL;

    cl_changes_set (values, "title", "After Upgrade");
    id = cl_drafts_save (store, NULL, "task", NULL, NULL, values, &error);
    g_assert_no_error (error);
    g_assert_nonnull (id);
  }

  g_clear_object (&store);
  cl_vault_lock (vault);
  cl_test_rm_rf (parent);
}

static void
test_too_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autofree char *parent = g_dir_make_tmp ("caseload-migrate-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (parent, "vault", NULL);
  g_autoptr(ClVault) vault = cl_vault_create (dir, pass, &recovery, &error);
  g_autoptr(ClVault) again = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          cl_migrations_latest () + 1);

  g_assert_no_error (error);
  g_assert_true (cl_sql_exec (cl_vault_get_db (vault), sql, &error));
  cl_vault_lock (vault);

  again = cl_vault_unlock (dir, pass, &error);
  g_assert_null (again);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_TOO_NEW);
  cl_test_rm_rf (parent);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

  /* Up to the latest: a vault of this version opens unchanged too. */
  for (int v = 1; v <= cl_migrations_latest (); v++)
    {
      g_autofree char *path = g_strdup_printf ("/core/migrations/upgrade-from-%d", v);
      g_test_add_data_func (path, GINT_TO_POINTER (v), test_upgrade_from);
    }
  g_test_add_func ("/core/migrations/too-new", test_too_new);

  return g_test_run ();
}
