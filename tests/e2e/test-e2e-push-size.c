/* test-e2e-push-size.c: what a push leaves in the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A vault queues a few thousand changes and pushes them to the real server: the outbox is
 * empty, `sent` keeps every mutation packed, history still shows every change, and the
 * vault's file gives back the pages the outbox held (it switches to incremental
 * vacuuming and keeps no free page). A second push leaves no free pages behind either.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cl-e2e.h"
#include "cl-sql.h"
#include "cl-sync.h"
#include "cl-vault-private.h"

#define N_NOTES 3000
#define N_TASKS 500

static gint64
local_int (ClVault    *vault,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (cl_vault_get_db (vault), sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* The size of the vault's database file (its WAL apart). */
static gint64
file_size (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "caseload.db", NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
round_ok (ClSync       *sync,
          ClSyncReport *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_sync_run (sync, out, NULL, &error));
  g_assert_no_error (error);
}

static void
test_push_gives_back_space (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) client = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_E2E_PASSPHRASE);
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ClSyncReport) first = { 0 };
  g_auto(ClSyncReport) second = { 0 };
  g_autofree char *kase = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *on_server = NULL;
  gint64 history, outbox_bytes;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  client = cl_e2e_client_new (stack, "ana", NULL);
  vault = cl_vault_unlock (client->dir, pass, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, "ana");
  sync = cl_sync_new (store);

  g_assert_true (cl_store_begin (store, &error));
  {
    g_autoptr(ClChanges) c = cl_changes_new ();
    g_autoptr(ClChanges) k = cl_changes_new ();
    g_autofree char *client_id = NULL;

    cl_changes_set (c, "legal_name", "Rosa Peña");
    client_id = cl_store_create (store, "client", c, &error);
    cl_changes_set (k, "client_id", client_id);
    cl_changes_set (k, "command", "14");
    cl_changes_set (k, "track", "dv");
    cl_changes_set (k, "referral_received_at", "2026-11-01T10:00:00Z");
    kase = cl_store_create (store, "case", k, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < N_NOTES; i++)
    {
      g_autoptr(ClChanges) note = cl_changes_new ();
      g_autofree char *text = g_strdup_printf ("Note %u: met at the precinct, safety plan "
                                               "reviewed, shelter intake requested", i);
      g_autofree char *id = NULL;

      cl_changes_set (note, "case_id", kase);
      cl_changes_set (note, "at", "2026-11-02T10:00:00Z");
      cl_changes_set (note, "text", text);
      id = cl_store_create (store, "note", note, &error);
      g_assert_no_error (error);
      g_assert_nonnull (id);
    }
  g_assert_true (cl_store_commit (store, &error));
  g_assert_no_error (error);
  history = local_int (vault, "SELECT count(*) FROM history WHERE origin = 'local'");
  outbox_bytes = local_int (vault, "SELECT sum(length(changes)) FROM outbox");
  /* A new vault vacuums incrementally from the start. */
  g_assert_cmpint (local_int (vault, "PRAGMA auto_vacuum"), ==, 2);

  round_ok (sync, &first);
  g_assert_cmpuint (first.pushed, ==, N_NOTES + 2);
  g_assert_cmpint (local_int (vault, "SELECT count(*) FROM outbox"), ==, 0);
  /* Every mutation is kept, packed, for a server that goes back. */
  g_assert_cmpint (local_int (vault, "SELECT count(*) FROM sent WHERE typeof(changes) = 'blob'"),
                   ==, N_NOTES + 2);
  g_assert_cmpint (local_int (vault, "SELECT sum(length(changes)) FROM sent") * 3, <,
                   outbox_bytes * 2);
  g_assert_cmpint (local_int (vault, "SELECT min(seq) FROM sent"), ==, 1);
  g_assert_cmpint (local_int (vault, "SELECT max(seq) FROM sent"), ==, N_NOTES + 2);
  g_assert_cmpint (local_int (vault, "SELECT count(*) FROM history WHERE origin = 'local'"),
                   ==, history);
  sql = g_strdup_printf ("SELECT count(*) FROM record WHERE type = 'note' AND parent_id = '%s'",
                         kase);
  on_server = cl_test_stack_sql (stack, sql);
  g_assert_cmpint (g_ascii_strtoll (on_server, NULL, 10), ==, N_NOTES);

  /* The pages the outbox held went back to the file system: none is left free, and the
   * file holds no more than its pages. (The round's pull then wrote each pushed record's
   * field versions and a history line for it.) */
  g_assert_cmpint (local_int (vault, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_cmpint (local_int (vault, "PRAGMA freelist_count"), ==, 0);
  g_assert_cmpint (file_size (client->dir), <=, local_int (vault, "PRAGMA page_count") *
                   local_int (vault, "PRAGMA page_size"));

  /* More changes (tasks): pushed, their pages given back again. */
  for (guint i = 0; i < N_TASKS; i++)
    {
      g_autoptr(ClChanges) task = cl_changes_new ();
      g_autofree char *id = NULL;

      cl_changes_set (task, "case_id", kase);
      cl_changes_set (task, "title", "Call back about the shelter");
      cl_changes_set (task, "due", "2026-12-01");
      id = cl_store_create (store, "task", task, &error);
      g_assert_no_error (error);
    }
  round_ok (sync, &second);
  g_assert_cmpuint (second.pushed, ==, N_TASKS);
  g_assert_cmpint (local_int (vault, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (local_int (vault, "PRAGMA freelist_count"), ==, 0);
  g_assert_cmpint (file_size (client->dir), <=, local_int (vault, "PRAGMA page_count") *
                   local_int (vault, "PRAGMA page_size"));

  g_clear_object (&sync);
  g_clear_object (&store);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  cl_e2e_init (&argc, &argv);
  g_test_add_func ("/e2e/push-size/push-gives-back-space", test_push_gives_back_space);
  return g_test_run ();
}
