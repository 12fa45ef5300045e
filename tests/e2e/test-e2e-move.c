/* test-e2e-move.c: an advocate moves to another command (caseload-server user set), vaults
 * driven through caseloadctl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ana works in 14, Cole in 75; each has a case with a note, and Ana an edit of hers still
 * queued. The administrator moves Ana to 75. Her next sync resynchronizes from the start:
 * her queued edit of 14's case is refused (forbidden), 14's case, client and note leave her
 * vault (no row, no trace of the client's name), and 75's, older than her cursor, arrive.
 * Cole's vault is untouched and he resynchronizes nothing.
 *
 * And a case that left a vault's scope while the vault was away so long that the server's
 * gc purged the scope exit (the pull answers 410 cursor_expired): the full resync does not
 * send it, and the vault drops it before it checks its digest, so the round succeeds.
 */

#define G_LOG_DOMAIN "test-e2e-move"

#include <string.h>

#include "cl-e2e.h"

static void
make_case (ClE2eClient *client,
           const char  *name,
           const char  *command,
           ClE2eHeld   *h)
{
  g_autofree char *text = g_strconcat (name, " note", NULL);

  h->kase = cl_e2e_new_case (client, name, command);
  h->client = cl_e2e_field (client, "case", h->kase, "client_id");
  h->note = cl_e2e_note (client, h->kase, text);
}

static void
test_move (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) ana = NULL;
  g_autoptr(ClE2eClient) cole = NULL;
  const char *marker14 = "Qvmovemarkerfourteen";
  const char *marker75 = "Qvmovemarkerseventyfive";
  g_auto(ClE2eHeld) h14 = { 0 };
  g_auto(ClE2eHeld) h75 = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *value = NULL;
  ClE2eSync s = { 0 };
  int status;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "cole", "advocate_dv", "75");
  ana = cl_e2e_client_new (stack, "ana", NULL);
  cole = cl_e2e_client_new (stack, "cole", NULL);

  /* 75's case first: its versions are below anything Ana's cursor will be. */
  make_case (cole, marker75, "75", &h75);
  cl_e2e_sync_logged (cole, &s);
  make_case (ana, marker14, "14", &h14);
  cl_e2e_sync_logged (ana, &s);
  g_assert_cmpuint (cl_e2e_count_held (ana, &h14), ==, 3);
  g_assert_cmpuint (cl_e2e_count_held (ana, &h75), ==, 0);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (ana, marker75), ==, 0);

  /* An edit of her 14 case, still queued when she is moved. */
  cl_e2e_set (ana, "case", h14.kase, "status=active", NULL);

  out = cl_test_stack_admin (stack, &status, "user", "set", "--username", "ana",
                             "--command", "75", NULL);
  g_assert_cmpint (status, ==, 0);

  cl_e2e_sync_logged (ana, &s);
  g_assert_true (s.full_resync);
  g_assert_cmpuint (s.pushed, ==, 1);
  g_assert_cmpuint (s.rejected, ==, 1);
  g_assert_cmpuint (s.purged, >=, 3);
  g_assert_cmpuint (cl_e2e_count_held (ana, &h14), ==, 0);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (ana, marker14), ==, 0);
  g_assert_cmpuint (cl_e2e_count_held (ana, &h75), ==, 3);
  value = cl_e2e_field (ana, "note", h75.note, "text");
  g_assert_cmpstr (value, ==, "Qvmovemarkerseventyfive note");
  g_clear_pointer (&value, g_free);
  cl_e2e_assert_vault_matches_server (ana, stack, "case", FALSE);
  cl_e2e_assert_vault_matches_server (ana, stack, "note", FALSE);
  /* The server kept 14's case as it was: the queued edit did not apply. */
  value = cl_test_stack_sql (stack, "SELECT fields ->> 'status' FROM record WHERE type = 'case' "
                             "AND fields ->> 'command' = '14'");
  g_assert_cmpstr (value, !=, "active");
  g_clear_pointer (&value, g_free);

  /* Settled: the next sync resynchronizes nothing. */
  cl_e2e_sync_logged (ana, &s);
  g_assert_false (s.full_resync);
  g_assert_cmpuint (cl_e2e_count_held (ana, &h75), ==, 3);

  /* Cole is not affected. */
  cl_e2e_sync_logged (cole, &s);
  g_assert_false (s.full_resync);
  g_assert_cmpuint (s.purged, ==, 0);
  g_assert_cmpuint (cl_e2e_count_held (cole, &h75), ==, 3);
  g_assert_cmpuint (cl_e2e_count_held (cole, &h14), ==, 0);
  cl_e2e_sync_clear (&s);
}

static void
test_exit_purged_by_gc (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) ana = NULL;
  g_autoptr(ClE2eClient) sam = NULL;
  const char *marker = "Qvgcexitmarker";
  g_auto(ClE2eHeld) moved = { 0 };
  g_auto(ClE2eHeld) kept = { 0 };
  g_autofree char *clock = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;
  ClE2eSync s = { 0 };

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "sam", "supervisor", "14,75");
  ana = cl_e2e_client_new (stack, "ana", NULL);
  sam = cl_e2e_client_new (stack, "sam", NULL);

  make_case (ana, marker, "14", &moved);
  make_case (ana, "Qvgcstays", "14", &kept);
  cl_e2e_sync_logged (ana, &s);
  cl_e2e_sync_logged (sam, &s);
  g_assert_cmpuint (cl_e2e_count_held (sam, &moved), ==, 3);

  /* The supervisor moves the case to 75, out of Ana's reach; Ana is away. */
  cl_e2e_set (sam, "case", moved.kase, "command=75", NULL);
  cl_e2e_sync_logged (sam, &s);
  g_assert_cmpuint (s.pushed, ==, 1);

  /* Long enough for gc to purge every scope exit up to now: the horizon moves with it. */
  clock = cl_test_stack_sql (stack, "SELECT v FROM sync_clock");
  sql = g_strdup_printf ("UPDATE sync_meta SET gc_horizon = %s", clock);
  g_free (cl_test_stack_sql (stack, "DELETE FROM scope_exit"));
  out = cl_test_stack_sql (stack, sql);

  cl_e2e_sync_logged (ana, &s);
  g_assert_true (s.full_resync);
  g_assert_cmpuint (s.purged, >=, 3);
  g_assert_cmpuint (cl_e2e_count_held (ana, &moved), ==, 0);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (ana, marker), ==, 0);
  g_assert_cmpuint (cl_e2e_count_held (ana, &kept), ==, 3);
  cl_e2e_assert_vault_matches_server (ana, stack, "case", FALSE);

  /* Settled: the digest agrees, nothing more to do. */
  cl_e2e_sync_logged (ana, &s);
  g_assert_false (s.full_resync);
  g_assert_cmpuint (s.pulled, ==, 0);
  cl_e2e_sync_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/move/command", test_move);
  g_test_add_func ("/e2e/move/exit-purged-by-gc", test_exit_purged_by_gc);
  return g_test_run ();
}
