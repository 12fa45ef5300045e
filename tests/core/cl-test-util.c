/* cl-test-util.c: fixtures shared by the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cl-test-util.h"

void
cl_test_init (int    *argc,
              char ***argv)
{
  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_test_init (argc, argv, NULL);
}

void
cl_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          cl_test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
cl_test_vault_setup (ClTestVault   *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autofree char *parent = g_dir_make_tmp ("caseload-test-XXXXXX", &error);

  g_assert_no_error (error);
  fixture->dir = g_build_filename (parent, "vault", NULL);
  fixture->vault = cl_vault_create (fixture->dir, pass, &recovery, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->vault);
  fixture->store = cl_store_new (fixture->vault, "advocate1");
}

void
cl_test_vault_teardown (ClTestVault   *fixture,
                        gconstpointer  data)
{
  g_autofree char *parent = g_path_get_dirname (fixture->dir);

  g_clear_object (&fixture->store);
  if (fixture->vault != NULL)
    cl_vault_lock (fixture->vault);
  g_clear_object (&fixture->vault);
  cl_test_rm_rf (parent);
  g_free (fixture->dir);
}

/* cl_test_create (store, "client", "legal_name", "Ana", NULL) */
char *
cl_test_create (ClStore    *store,
                const char *type,
                ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  char *id;
  va_list args;

  va_start (args, type);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);

  id = cl_store_create (store, type, values, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

char *
cl_test_new_case (ClStore    *store,
                  const char *legal_name)
{
  g_autofree char *client = cl_test_create (store, "client", "legal_name", legal_name, NULL);

  return cl_test_create (store, "case", "client_id", client, "command", "14", "track", "dv",
                         "referral_received_at", "2026-11-01T10:00:00Z", NULL);
}

static gsize
count_in_buffer (const char *data,
                 gsize       len,
                 const char *needle)
{
  gsize n = 0, nlen = strlen (needle);
  const char *p = data, *end = data + len;

  while (p + nlen <= end && (p = memmem (p, end - p, needle, nlen)) != NULL)
    {
      n++;
      p += nlen;
    }
  return n;
}

/* Counts @needle in every regular file below @dir. */
gsize
cl_test_count_in_files (const char *dir,
                        const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gsize n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += cl_test_count_in_files (path, needle);
      else if (g_file_get_contents (path, &data, &len, NULL))
        n += count_in_buffer (data, len, needle);
    }
  return n;
}

static char *
run_poppler (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  /* poppler-utils is a test dependency: a missing tool fails here, loudly. */
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

/* The text of the PDF at @path as `pdftotext -layout` gives it: page @page (from 1), or
 * every page when @page is 0. */
char *
cl_test_pdf_text (const char *path,
                  guint       page)
{
  g_autofree char *n = g_strdup_printf ("%u", page);
  const char *one[] = { "pdftotext", "-layout", "-f", n, "-l", n, path, "-", NULL };
  const char *all[] = { "pdftotext", "-layout", path, "-", NULL };

  return run_poppler (page > 0 ? one : all);
}

/* The number of pages of the PDF at @path (pdfinfo). */
guint
cl_test_pdf_pages (const char *path)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *info = run_poppler (argv);
  const char *line = strstr (info, "\nPages:");

  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("\nPages:"), NULL, 10);
}
