/* test-crash.c: R5, kill -9 during heavy local writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A writer process adds notes (each with a unique token) and edits a case as fast as it
 * can, printing each token only after its transaction committed. The test kills it with
 * SIGKILL at a random moment, then opens the vault: it must open, pass the integrity check,
 * hold every token the writer reported exactly once, and its outbox and data must agree.
 * CASELOAD_LONG=1 runs 200 iterations instead of 12.
 */

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

static int
run_writer (const char *dir,
            const char *case_id,
            const char *iteration)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;

  cl_secure_init ();
  vault = cl_vault_unlock (dir, pass, &error);
  if (vault == NULL)
    {
      g_printerr ("writer: %s\n", error->message);
      return 1;
    }
  store = cl_store_new (vault, "writer");
  for (guint n = 0; ; n++)
    {
      g_autofree char *token = g_strdup_printf ("R5TOKEN-%s-%u", iteration, n);
      g_autofree char *line = g_strconcat (token, "\n", NULL);
      g_autoptr(ClChanges) values = cl_changes_new ();
      g_autofree char *id = NULL;

      cl_changes_set (values, "case_id", case_id);
      cl_changes_set (values, "at", "2026-11-02T10:00:00Z");
      cl_changes_set (values, "text", token);
      id = cl_store_create (store, "note", values, &error);
      if (id == NULL)
        {
          g_printerr ("writer: %s\n", error->message);
          return 1;
        }
      if (n % 3 == 0)
        {
          g_autoptr(ClChanges) edit = cl_changes_new ();
          cl_changes_set (edit, "assigned_to", token);
          if (!cl_store_update (store, "case", case_id, edit, &error))
            return 1;
        }
      if (write (STDOUT_FILENO, line, strlen (line)) < 0)
        return 1;
    }
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (db, sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

static void
test_kill_during_writes (ClTestVault   *f,
                         gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Crash Test");
  g_autoptr(GPtrArray) committed = g_ptr_array_new_with_free_func (g_free);
  guint iterations = g_getenv ("CASELOAD_LONG") != NULL ? 200 : 12;

  g_clear_object (&f->store);
  cl_vault_lock (f->vault);

  for (guint it = 0; it < iterations; it++)
    {
      g_autofree char *iteration = g_strdup_printf ("%u", it);
      g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
      const char *argv[] = { self_exe, "--writer", f->dir, case_id, iteration, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
      g_autoptr(ClVault) vault = NULL;
      g_autoptr(GString) out = g_string_new (NULL);
      g_auto(GStrv) lines = NULL;
      GPid pid;
      int out_fd, status;
      gint64 deadline;
      char buf[4096];
      ssize_t r;
      sqlite3 *db;
      g_autofree char *integrity = NULL;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                               G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                               NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);

      /* Let it write for 100–600 ms (unlock included), then kill it mid-flight. */
      deadline = g_get_monotonic_time () + g_test_rand_int_range (100, 600) * 1000;
      g_unix_set_fd_nonblocking (out_fd, TRUE, NULL);
      while (g_get_monotonic_time () < deadline)
        {
          while ((r = read (out_fd, buf, sizeof buf)) > 0)
            g_string_append_len (out, buf, r);
          g_usleep (5000);
        }
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);
      g_unix_set_fd_nonblocking (out_fd, FALSE, NULL);
      while ((r = read (out_fd, buf, sizeof buf)) > 0)
        g_string_append_len (out, buf, r);
      close (out_fd);
      g_assert_true (WIFSIGNALED (status));

      /* Only whole lines were committed and reported. */
      lines = g_strsplit (out->str, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0' && (lines[i + 1] != NULL))
          g_ptr_array_add (committed, g_strdup (lines[i]));

      vault = cl_vault_unlock (f->dir, pass, &error);
      g_assert_no_error (error);
      db = cl_vault_get_db (vault);
      integrity = cl_sql_query_text (db, &error, "PRAGMA integrity_check", CL_SQL_END);
      g_assert_no_error (error);
      g_assert_cmpstr (integrity, ==, "ok");

      for (guint i = 0; i < committed->len; i++)
        {
          g_autofree char *n = cl_sql_query_text (db, &error,
                                                  "SELECT count(*) FROM note WHERE text = ?",
                                                  g_ptr_array_index (committed, i), CL_SQL_END);
          g_assert_no_error (error);
          g_assert_cmpstr (n, ==, "1");
        }

      /* Outbox and data agree: every note has its mutation, every mutation its record. */
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM note n WHERE NOT EXISTS "
                                      "(SELECT 1 FROM outbox o WHERE o.record_id = n.id)"), ==, 0);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM outbox o WHERE record_type = 'note' "
                                      "AND NOT EXISTS (SELECT 1 FROM note n WHERE n.id = o.record_id)"), ==, 0);
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM note"), ==,
                       query_int (db, "SELECT count(*) FROM outbox WHERE record_type = 'note'"));
      /* Every case edit is queued and the case holds the last one. */
      g_assert_cmpint (query_int (db, "SELECT count(*) FROM cases c WHERE c.assigned_to <> 'advocate1' "
                                      "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = c.id "
                                      "AND o.changes LIKE '%' || c.assigned_to || '\"%')"), ==, 0);
      /* seq has no gaps and continues where the counter says. */
      g_assert_cmpint (query_int (db, "SELECT max(seq) - min(seq) + 1 = count(*) FROM outbox"), ==, 1);
      g_assert_cmpint (query_int (db, "SELECT (SELECT value FROM meta WHERE key = 'next_seq') = "
                                      "max(seq) + 1 FROM outbox"), ==, 1);
      cl_vault_lock (vault);
    }

  g_test_message ("%u committed edits survived %u kills", committed->len, iterations);
  g_assert_cmpuint (committed->len, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 5 && strcmp (argv[1], "--writer") == 0)
    return run_writer (argv[2], argv[3], argv[4]);

  cl_test_init (&argc, &argv);
  g_test_add ("/core/crash/kill-during-writes", ClTestVault, NULL, cl_test_vault_setup,
              test_kill_during_writes, cl_test_vault_teardown);
  return g_test_run ();
}
