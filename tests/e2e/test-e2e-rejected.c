/* test-e2e-rejected.c: a change the server refuses, listed, retried and discarded through
 * caseloadctl rejected
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An advocate of command 14 moves her case to command 20, which she does not hold: the
 * server refuses it (`forbidden`) and `caseloadctl rejected` lists it. Once an
 * administrator gives her command 20, `rejected retry` queues it again and the next sync
 * applies it. A second move, to 75, refused too, is discarded: it leaves the list, the vault
 * shows the server's command again and nothing more is sent.
 */

#define G_LOG_DOMAIN "test-e2e-rejected"

#include <string.h>

#include "cl-e2e.h"

static JsonArray *
rejected (ClE2eClient *client)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = cl_e2e_ctl (client, NULL, &status, &err, "rejected", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static void
test_retry_and_discard (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) ana = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *kase = NULL;
  g_autofree char *id = NULL;
  g_autofree char *value = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *sql = NULL;
  JsonObject *changes;
  ClE2eSync s = { 0 };
  int status;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  ana = cl_e2e_client_new (stack, "ana", NULL);
  kase = cl_e2e_new_case (ana, "Qvrejectedmarker", "14");
  cl_e2e_sync_logged (ana, &s);
  sql = g_strdup_printf ("SELECT fields ->> 'command' FROM record WHERE id = '%s'", kase);

  /* Refused: she does not hold 20. Listed with the server's code; nothing applied. */
  cl_e2e_set (ana, "case", kase, "command=20", NULL);
  cl_e2e_sync_logged (ana, &s);
  g_assert_cmpuint (s.rejected, ==, 1);
  list = rejected (ana);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "record"), ==, kase);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "code"), ==, "forbidden");
  changes = json_object_get_object_member (json_array_get_object_element (list, 0), "changes");
  g_assert_cmpstr (json_object_get_string_member (changes, "command"), ==, "20");
  id = g_strdup (cl_e2e_json_string (list, 0, "id"));
  g_clear_pointer (&list, json_array_unref);
  value = cl_test_stack_sql (stack, sql);
  g_assert_cmpstr (value, ==, "14");
  g_clear_pointer (&value, g_free);

  /* The cause fixed, the retry goes through. */
  out = cl_test_stack_admin (stack, &status, "user", "set", "--username", "ana",
                             "--command", "14", "--command", "20", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  out = cl_e2e_ctl (ana, NULL, &status, &err, "rejected", "retry", id, NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cl_e2e_pending (ana), ==, 1);
  cl_e2e_sync_logged (ana, &s);
  g_assert_cmpuint (s.pushed, ==, 1);
  g_assert_cmpuint (s.rejected, ==, 0);
  value = cl_test_stack_sql (stack, sql);
  g_assert_cmpstr (value, ==, "20");
  g_clear_pointer (&value, g_free);
  list = rejected (ana);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  g_clear_pointer (&list, json_array_unref);

  /* Refused again (75 is not hers), then discarded: gone, the vault shows 20 again. */
  cl_e2e_set (ana, "case", kase, "command=75", NULL);
  cl_e2e_sync_logged (ana, &s);
  g_assert_cmpuint (s.rejected, ==, 1);
  list = rejected (ana);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_free (id);
  id = g_strdup (cl_e2e_json_string (list, 0, "id"));
  g_clear_pointer (&list, json_array_unref);
  value = cl_e2e_field (ana, "case", kase, "command");
  g_assert_cmpstr (value, ==, "75");
  g_clear_pointer (&value, g_free);
  out = cl_e2e_ctl (ana, NULL, &status, &err, "rejected", "discard", id, "--yes", NULL);
  g_assert_cmpint (status, ==, 0);
  list = rejected (ana);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  value = cl_e2e_field (ana, "case", kase, "command");
  g_assert_cmpstr (value, ==, "20");
  g_clear_pointer (&value, g_free);
  cl_e2e_sync_logged (ana, &s);
  g_assert_cmpuint (s.pushed, ==, 0);
  cl_e2e_assert_vault_matches_server (ana, stack, "case", FALSE);
  cl_e2e_sync_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/rejected/retry-and-discard", test_retry_and_discard);
  return g_test_run ();
}
