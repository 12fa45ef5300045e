/* test-e2e-progress.c: `caseloadctl sync` tells a first pull's progress on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A workstation's first pull asks the server to count what it will send; caseloadctl,
 * its output a terminal, rewrites one line with the records pulled of that total. Its
 * output a pipe (a script, a log), it prints the round's summary alone.
 */

#define G_LOG_DOMAIN "test-e2e-progress"

#include <errno.h>
#include <pty.h>
#include <string.h>
#include <unistd.h>

#include "cl-e2e.h"

/* caseloadctl sync with its output on a terminal: what it wrote there. */
static char *
sync_on_tty (ClE2eClient *client)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vault = g_strdup_printf ("--vault=%s", client->dir);
  g_autofree char *pass = g_strdup_printf ("--passphrase-file=%s", client->pass_file);
  const char *argv[] = { cl_test_binary ("CASELOADCTL_BIN"), vault, pass, "sync", NULL };
  GString *out = g_string_new (NULL);
  int master, slave;
  char buf[4096];
  gssize n;

  g_assert_cmpint (openpty (&master, &slave, NULL, NULL, NULL), ==, 0);
  g_subprocess_launcher_setenv (launcher, "CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "CASELOAD_USER", client->username, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_take_stdout_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);   /* closes this side's copy of the terminal */

  /* Read until the program is gone (the terminal then reads EIO). */
  while ((n = read (master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (out, buf, n);
  close (master);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
  return g_string_free (out, FALSE);
}

static void
test_progress (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a1 = NULL;
  g_autoptr(ClE2eClient) a2 = NULL;
  g_autoptr(ClE2eClient) a3 = NULL;
  g_autofree char *shown = NULL;
  ClE2eSync s = { 0 };

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  a1 = cl_e2e_client_new (stack, "ana", NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("Progress Client %u", i);
      g_autofree char *kase = cl_e2e_new_case (a1, name, "14");
      g_free (cl_e2e_note (a1, kase, "progress note"));
    }
  cl_e2e_sync_logged (a1, &s);
  g_assert_cmpuint (s.pushed, ==, 9);
  cl_e2e_sync_clear (&s);

  /* A first pull on a terminal: 9 records (3 clients, cases, notes) of 9. */
  a2 = cl_e2e_client_new (stack, "ana", NULL);
  shown = sync_on_tty (a2);
  g_test_message ("%s", shown);
  g_assert_nonnull (strstr (shown, "\r9 of 9 records pulled\r\n"));
  g_assert_nonnull (strstr (shown, "pulled 9,"));

  /* Into a pipe: the summary only. */
  a3 = cl_e2e_client_new (stack, "ana", NULL);
  cl_e2e_sync_logged (a3, &s);
  g_assert_cmpuint (s.pulled, ==, 9);
  g_assert_null (strstr (s.out, "records pulled"));
  cl_e2e_sync_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/progress/first-pull", test_progress);
  return g_test_run ();
}
