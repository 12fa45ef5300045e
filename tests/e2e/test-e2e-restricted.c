/* test-e2e-restricted.c: a restricted case end to end (DOMAIN.md rule 4), vaults driven
 * through caseloadctl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two advocates of the same command hold a case. One marks it restricted, naming only
 * herself: after both sync, the other's vault no longer holds the case, its client, its
 * note or its contact (no row, no trace of the client's name in the database), hers still
 * does, and the other's own case stays. Opened up again, it comes back on the next sync.
 *
 * A client with cases in two commands: once its case in the second command is deleted, the
 * second command's advocate's vault no longer holds the client after a sync.
 */

#define G_LOG_DOMAIN "test-e2e-restricted"

#include <string.h>

#include "cl-e2e.h"

static void
test_restrict_and_open (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a = NULL;
  g_autoptr(ClE2eClient) b = NULL;
  const char *marker = "Qvrestrictedmarker";
  g_auto(ClE2eHeld) h = { 0 };
  g_autofree char *own = NULL;
  g_autofree char *case_arg = NULL;
  g_autofree char *value = NULL;
  ClE2eSync s = { 0 };

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "ben", "advocate_cv", "14");
  a = cl_e2e_client_new (stack, "ana", NULL);
  b = cl_e2e_client_new (stack, "ben", NULL);

  h.kase = cl_e2e_new_case (a, marker, "14");
  h.client = cl_e2e_field (a, "case", h.kase, "client_id");
  h.note = cl_e2e_note (a, h.kase, "Qvrestrictedmarker note");
  case_arg = g_strdup_printf ("case_id=%s", h.kase);
  h.contact = cl_e2e_add (a, "contact", case_arg, "at=2026-11-02T11:00:00Z", "channel=phone",
                          "outcome=reached", NULL);
  own = cl_e2e_new_case (b, "Bens Own Client", "14");
  cl_e2e_sync_logged (a, &s);
  cl_e2e_sync_logged (b, &s);
  cl_e2e_sync_logged (a, &s);

  /* Both advocates of 14 hold it. */
  g_assert_cmpuint (cl_e2e_count_held (a, &h), ==, 4);
  g_assert_cmpuint (cl_e2e_count_held (b, &h), ==, 4);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (b, marker), >, 0);

  /* Ana restricts it, naming only herself. Ben, not yet told, edits it offline: his edit
   * is refused as an edit of a case that does not exist (audited), and the same sync
   * purges the case. */
  cl_e2e_set (a, "case", h.kase, "restricted=1", "named_users=ana", NULL);
  cl_e2e_sync_logged (a, &s);
  cl_e2e_set (b, "case", h.kase, "status=active", NULL);
  cl_e2e_sync_logged (b, &s);
  g_assert_cmpuint (s.pushed, ==, 1);
  g_assert_cmpuint (s.rejected, ==, 1);
  g_assert_cmpuint (s.purged, >=, 4);
  value = cl_test_stack_sql (stack, "SELECT (fields ->> 'status') || ' ' || "
                             "(SELECT count(*) FROM audit_log WHERE event = 'denied' "
                             "AND outcome = 'hidden') FROM record WHERE type = 'case' "
                             "AND fields ->> 'restricted' = '1'");
  g_assert_cmpstr (value, ==, "referred 1");
  g_clear_pointer (&value, g_free);

  /* Gone from ben's vault, kept in ana's; ben's own case stays. */
  g_assert_cmpuint (cl_e2e_count_held (b, &h), ==, 0);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (b, marker), ==, 0);
  g_assert_cmpuint (cl_e2e_count_held (a, &h), ==, 4);
  value = cl_e2e_field (a, "case", h.kase, "named_users");
  g_assert_cmpstr (value, ==, "ana");
  g_clear_pointer (&value, g_free);
  value = cl_e2e_field (b, "case", own, "id");
  g_assert_cmpstr (value, ==, own);
  g_clear_pointer (&value, g_free);

  /* Opened up again: back in ben's vault on his next sync. */
  cl_e2e_set (a, "case", h.kase, "restricted=0", NULL);
  cl_e2e_sync_logged (a, &s);
  cl_e2e_sync_logged (b, &s);
  g_assert_cmpuint (cl_e2e_count_held (b, &h), ==, 4);
  value = cl_e2e_field (b, "note", h.note, "text");
  g_assert_cmpstr (value, ==, "Qvrestrictedmarker note");
  g_clear_pointer (&value, g_free);
  value = cl_e2e_field (b, "case", h.kase, "restricted");
  g_assert_cmpstr (value, ==, "0");
  g_clear_pointer (&value, g_free);

  cl_e2e_assert_vault_matches_server (b, stack, "case", FALSE);
  cl_e2e_sync_clear (&s);
}

static void
test_deleted_case_takes_client_away (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a = NULL;
  g_autoptr(ClE2eClient) sup = NULL;
  g_autoptr(ClE2eClient) c = NULL;
  const char *marker = "Qvdeletedcasemarker";
  g_autofree char *kase = NULL;
  g_autofree char *client = NULL;
  g_autofree char *client_arg = NULL;
  g_autofree char *case20 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  ClE2eSync s = { 0 };
  int rc;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "sue", "supervisor", "14,20");
  cl_test_stack_user_add (stack, "cy", "advocate_cv", "20");
  a = cl_e2e_client_new (stack, "ana", NULL);
  sup = cl_e2e_client_new (stack, "sue", NULL);
  c = cl_e2e_client_new (stack, "cy", NULL);

  /* Ana's client gets a second case, in 20, from their supervisor: cy holds the client. */
  kase = cl_e2e_new_case (a, marker, "14");
  client = cl_e2e_field (a, "case", kase, "client_id");
  cl_e2e_sync_logged (a, &s);
  cl_e2e_sync_logged (sup, &s);
  client_arg = g_strdup_printf ("client_id=%s", client);
  case20 = cl_e2e_add (sup, "case", client_arg, "command=20", "track=cv", NULL);
  cl_e2e_sync_logged (sup, &s);
  cl_e2e_sync_logged (c, &s);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (c, marker), >, 0);

  /* The case in 20 is deleted: at cy's next sync the client leaves his vault. */
  out = cl_e2e_ctl (sup, NULL, &rc, &err, "delete", "case", case20, NULL);
  g_assert_cmpint (rc, ==, 0);
  cl_e2e_sync_logged (sup, &s);
  cl_e2e_sync_logged (c, &s);
  g_assert_cmpuint (s.purged, >=, 1);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (c, marker), ==, 0);
  /* Ana, whose case is live, keeps it. */
  cl_e2e_sync_logged (a, &s);
  g_assert_cmpuint (cl_e2e_count_in_vault_db (a, marker), >, 0);
  cl_e2e_sync_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/restricted/restrict-and-open", test_restrict_and_open);
  g_test_add_func ("/e2e/restricted/deleted-case-takes-client-away",
                   test_deleted_case_takes_client_away);
  return g_test_run ();
}
