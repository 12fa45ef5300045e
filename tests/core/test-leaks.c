/* test-leaks.c: S1 through the store, marker strings in 1,000 records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Records go through everything that copies client data (the record tables, the outbox,
 * history, the full-text index, search); afterwards the marker must not appear in any file
 * of the vault directory (database, WAL, shared memory, journal, keys), in the temporary
 * directory, or in anything logged.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cl-test-util.h"

#define MARKER "QQLEAKMARKERQQ"

static GString *logged;

static GLogWriterOutput
record_log (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      g_string_append_printf (logged, "%s\n", (const char *) fields[i].value);
  return G_LOG_WRITER_HANDLED;
}

static void
test_no_marker_on_disk (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("caseload-s1-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (tmp, "vault", NULL);
  g_autofree char *private_tmp = g_build_filename (tmp, "tmp", NULL);
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(GListModel) found = NULL;

  g_mkdir (private_tmp, 0700);
  g_setenv ("TMPDIR", private_tmp, TRUE);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  vault = cl_vault_create (dir, pass, &recovery, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, "advocate1");

  g_assert_true (cl_store_begin (store, &error));
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf (MARKER "%04u Person", i);
      g_autofree char *note = g_strdup_printf ("Met at the precinct " MARKER "%04u", i);
      g_autofree char *case_id = cl_test_new_case (store, name);
      g_autoptr(ClChanges) edit = cl_changes_new ();

      g_free (cl_test_create (store, "note", "case_id", case_id, "at", "2026-11-02T10:00:00Z",
                              "text", note, NULL));
      cl_changes_set (edit, "assigned_to", MARKER "advocate");
      g_assert_true (cl_store_update (store, "case", case_id, edit, &error));
    }
  g_assert_true (cl_store_commit (store, &error));
  g_assert_no_error (error);

  /* The marker is really in the vault: search finds it. */
  found = cl_store_search (store, MARKER "0042", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);

  g_clear_object (&found);
  g_clear_object (&store);
  cl_vault_lock (vault);

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (cl_test_count_in_files (dir, MARKER), ==, 0);
  g_assert_cmpuint (cl_test_count_in_files (dir, "Person"), ==, 0);
  g_assert_cmpuint (cl_test_count_in_files (private_tmp, MARKER), ==, 0);
  g_assert_null (strstr (logged->str, MARKER));

  g_clear_object (&vault);
  cl_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);
  logged = g_string_new (NULL);
  g_log_set_writer_func (record_log, NULL, NULL);
  g_test_add_func ("/core/leaks/no-marker-on-disk", test_no_marker_on_disk);
  return g_test_run ();
}
