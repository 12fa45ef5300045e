/* test-e2e-resolution-race.c: a resolution that does not take shows the server's latest value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two vaults of one advocate and one of her supervisor, against the real stack. A vault
 * resolves a conflict, but before its resolution reaches the server someone else resolves
 * the same conflict and the field (or the record) changes again. When the server then turns
 * the resolution down (409: settled elsewhere; 403, made up by the fault proxy: refused),
 * the vault must show what the server holds now, not the value it held when the conflict
 * was made: its cursor is already past the newer version, so no later pull would repair it.
 *
 * The newer version reaches the vault either before the resolution (the field showed it
 * when the person chose) or while the resolution waits: a round's pull is applied after the
 * person resolved in the middle of that round, as in the desktop's conflict window during a
 * background sync. The proxy holds the pull's answer back for PULL_DELAY_MS, and
 * `caseloadctl conflicts resolve` runs meanwhile.
 */

#define G_LOG_DOMAIN "test-e2e-resolution-race"

#include <string.h>

#include "cl-e2e.h"

#define PULL_DELAY_MS 6000

typedef struct {
  ClTestStack  *stack;
  ClFaultProxy *proxy;
  ClE2eClient  *a1;        /* ana, straight to nginx */
  ClE2eClient  *a2;        /* ana again, another workstation, through the proxy */
  ClE2eClient  *sue;       /* ana's supervisor, through the proxy */
  char         *case_id;
  GHashTable   *committed;
} Fixture;

static void
assert_field (ClE2eClient *client,
              const char  *id,
              const char  *field,
              const char  *expected)
{
  g_autofree char *v = cl_e2e_field (client, "case", id, field);

  g_assert_cmpstr (v, ==, expected);
}

/* A round of @client that says @expect and pulls nothing (no full resync either): what the
 * vault shows afterwards it had pulled before. */
static void
sync_nothing_pulled (ClE2eClient *client,
                     const char  *expect)
{
  ClE2eSync s;

  cl_e2e_sync_ok (client, &s);
  g_test_message ("sync %s: %s", client->username, s.out);
  g_assert_nonnull (strstr (s.out, expect));
  g_assert_cmpuint (s.pulled, ==, 0);
  g_assert_false (s.full_resync);
  cl_e2e_sync_clear (&s);
}

/* Syncs one edit of @client, which makes @expected conflicts. */
static void
edit_sync (ClE2eClient *client,
           guint        expected)
{
  ClE2eSync s;

  cl_e2e_sync_ok (client, &s);
  g_test_message ("sync %s: %s", client->username, s.out);
  g_assert_cmpuint (s.pushed, ==, 1);
  g_assert_cmpuint (s.conflicts, ==, expected);
  cl_e2e_sync_clear (&s);
}

/* Resolves @id on @client in the middle of a round of @client: the round has sent its
 * resolutions (none) and its pull, whose answer the proxy holds back until the resolution
 * is made; so the pull is applied while the resolution waits to be sent. */
static void
resolve_during_pull (Fixture     *f,
                     ClE2eClient *client,
                     const char  *id,
                     const char  *keep)
{
  guint hits = cl_fault_proxy_get_hits (f->proxy);
  g_autoptr(GSubprocess) sync = NULL;
  gint64 deadline, held_at;

  cl_fault_proxy_set (f->proxy, CL_FAULT_DELAY, PULL_DELAY_MS, "/v1/pull", 1);
  sync = cl_e2e_ctl_spawn (client, NULL, "sync", NULL);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (cl_fault_proxy_get_hits (f->proxy) == hits)
    {
      g_assert_nonnull (g_subprocess_get_identifier (sync));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  held_at = g_get_monotonic_time ();

  cl_e2e_resolve (client, id, keep);
  /* Else the answer may have been applied first: the test would prove nothing. */
  if (g_get_monotonic_time () - held_at >= (gint64) PULL_DELAY_MS * 1000)
    g_error ("resolving took longer than the pull answer was held back (%d ms)",
             PULL_DELAY_MS);
  g_assert_cmpint (cl_e2e_wait (sync, 120000), ==, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  char *token;

  f->stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  cl_test_stack_user_add (f->stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (f->stack, "sue", "supervisor", "14");
  f->proxy = cl_e2e_https_proxy (f->stack);
  url = cl_e2e_proxy_url (f->proxy);
  f->a1 = cl_e2e_client_new (f->stack, "ana", NULL);
  f->a2 = cl_e2e_client_new (f->stack, "ana", url);
  f->sue = cl_e2e_client_new (f->stack, "sue", url);
  f->committed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  f->case_id = cl_e2e_new_case (f->a1, "Race Client", "14");
  token = g_strdup ("RESOLUTION-RACE-ana-0");
  g_free (cl_e2e_note (f->a1, f->case_id, token));
  g_hash_table_add (f->committed, token);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_sync_expect (f->sue, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->a1, cl_e2e_client_free);
  g_clear_pointer (&f->a2, cl_e2e_client_free);
  g_clear_pointer (&f->sue, cl_e2e_client_free);
  g_clear_pointer (&f->proxy, cl_fault_proxy_free);
  g_clear_pointer (&f->stack, cl_test_stack_free);
  g_clear_pointer (&f->case_id, g_free);
  g_clear_pointer (&f->committed, g_hash_table_unref);
}

static void
converged (Fixture *f)
{
  ClE2eClient *clients[] = { f->a1, f->a2, f->sue };

  cl_e2e_assert_converged (f->stack, clients, G_N_ELEMENTS (clients), f->committed);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autoptr(JsonArray) list = cl_e2e_conflicts (clients[i]);
      g_assert_cmpuint (json_array_get_length (list), ==, 0);
    }
}

/* a2 keeps its value ("mine") in the middle of a round; a1 had kept the server's
 * ("theirs") and then changed the field again. The round's pull brings that third value
 * while a2's choice waits; the next round's upload gets 409 and a2 shows the third value,
 * which is what the server holds. */
static void
test_superseded_after_pull (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "alpha", "bravo");
  g_autofree char *server = NULL;

  cl_e2e_sync_expect (f->a1, "1 conflict lost on another workstation is listed here now");
  cl_e2e_resolve (f->a1, id, "theirs");
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_set (f->a1, "case", f->case_id, "assigned_to=charlie", NULL);
  cl_e2e_sync_expect (f->a1, NULL);

  resolve_during_pull (f, f->a2, id, "mine");
  /* The choice stays on top of the pulled state until the server answers. */
  assert_field (f->a2, f->case_id, "assigned_to", "bravo");

  sync_nothing_pulled (f->a2, "1 conflict you resolved had already been settled elsewhere");
  assert_field (f->a2, f->case_id, "assigned_to", "charlie");
  server = cl_e2e_server_field (f->stack, f->case_id, "assigned_to");
  g_assert_cmpstr (server, ==, "charlie");

  /* The record's version covers the value shown: a2's next edit of the field is made on
   * top of it, no conflict; an edit elsewhere that a2 has not pulled still is one. */
  cl_e2e_set (f->a2, "case", f->case_id, "assigned_to=kilo", NULL);
  edit_sync (f->a2, 0);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_set (f->a1, "case", f->case_id, "assigned_to=lima", NULL);
  edit_sync (f->a1, 0);
  cl_e2e_set (f->a2, "case", f->case_id, "assigned_to=mike", NULL);
  edit_sync (f->a2, 1);
  {
    g_autoptr(JsonArray) list = cl_e2e_conflicts (f->a2);

    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, "lima");
    cl_e2e_resolve (f->a2, cl_e2e_json_string (list, 0, "id"), "mine");
  }
  cl_e2e_sync_expect (f->a2, NULL);
  converged (f);
  assert_field (f->a2, f->case_id, "assigned_to", "mike");
}

/* The same, but the server refuses a2's choice (made up: 403) while the conflict is still
 * open there and a1 changed the field meanwhile: the conflict is open again on a2 and its
 * record shows the server's latest value; the server's list still describes the conflict
 * as it was made. A later "mine" would overwrite a1's newer value: it becomes a new
 * conflict between the two, and a choice there goes through. */
static void
test_refused_after_pull (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "delta", "echo");
  g_autofree char *path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
  g_autoptr(JsonArray) list = NULL;
  guint hits;

  cl_e2e_set (f->a1, "case", f->case_id, "assigned_to=foxtrot", NULL);
  cl_e2e_sync_expect (f->a1, NULL);

  resolve_during_pull (f, f->a2, id, "mine");
  assert_field (f->a2, f->case_id, "assigned_to", "echo");

  cl_fault_proxy_forge (f->proxy, 403, "{\"error\":{\"code\":\"forbidden\","
                                       "\"message\":\"You may not change this record\"}}");
  hits = cl_fault_proxy_get_hits (f->proxy);
  cl_fault_proxy_set (f->proxy, CL_FAULT_REPLAY, 0, path, 1);
  sync_nothing_pulled (f->a2, "The server did not accept your choice for 1 conflict");
  g_assert_cmpuint (cl_fault_proxy_get_hits (f->proxy), ==, hits + 1);

  list = cl_e2e_conflicts (f->a2);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "id"), ==, id);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "mine"), ==, "echo");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, "delta");
  assert_field (f->a2, f->case_id, "assigned_to", "foxtrot");

  /* Choosing "mine" again would overwrite a1's later foxtrot: the server keeps both in a
   * new conflict instead, and a2 decides between them. */
  cl_e2e_resolve (f->a2, id, "mine");
  cl_e2e_sync_expect (f->a2, "1 field you resolved was changed again meanwhile");
  assert_field (f->a2, f->case_id, "assigned_to", "foxtrot");
  g_clear_pointer (&list, json_array_unref);
  list = cl_e2e_conflicts (f->a2);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "id"), !=, id);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "mine"), ==, "echo");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, "foxtrot");
  cl_e2e_resolve (f->a2, cl_e2e_json_string (list, 0, "id"), "mine");
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->sue, NULL);
  converged (f);
  assert_field (f->a2, f->case_id, "assigned_to", "echo");
  assert_field (f->a1, f->case_id, "assigned_to", "echo");
}

/* a1 changes the field again while the conflict is open; a2 pulls that value, then keeps
 * its own; the supervisor keeps the server's first. a2's upload gets 409: it shows the
 * value it had pulled (the server's), not the one the conflict was made with. */
static void
test_changed_before_resolving (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "golf", "hotel");

  cl_e2e_set (f->a1, "case", f->case_id, "assigned_to=india", NULL);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  assert_field (f->a2, f->case_id, "assigned_to", "india");
  cl_e2e_resolve (f->a2, id, "mine");
  assert_field (f->a2, f->case_id, "assigned_to", "hotel");

  cl_e2e_sync_expect (f->sue, "1 conflict lost on another workstation is listed here now");
  cl_e2e_resolve (f->sue, id, "theirs");
  cl_e2e_sync_expect (f->sue, NULL);

  sync_nothing_pulled (f->a2, "1 conflict you resolved had already been settled elsewhere");
  assert_field (f->a2, f->case_id, "assigned_to", "india");
  assert_field (f->sue, f->case_id, "assigned_to", "india");

  cl_e2e_set (f->a2, "case", f->case_id, "assigned_to=oscar", NULL);
  edit_sync (f->a2, 0);
  converged (f);
  assert_field (f->a2, f->case_id, "assigned_to", "oscar");
}

/* a2's delete lost against a1's edit; a2 deletes after all ("mine") in the middle of a
 * round, while a1 had kept the record ("theirs") and then deleted it itself. The round's
 * pull brings the deletion; the next round's upload gets 409 and the record stays
 * deleted on a2, as on the server, without a full resync. */
static void
test_deleted_after_pull (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *case_id = cl_e2e_new_case (f->a1, "Deleted Client", "14");
  g_autofree char *client = cl_e2e_field (f->a1, "case", case_id, "client_id");
  g_autofree char *client_arg = g_strdup_printf ("client_id=%s", client);
  /* Another case keeps the client in 14 (and in sue's vault) once this one is deleted: a
   * client follows its live cases. */
  g_autofree char *kept = cl_e2e_add (f->a1, "case", client_arg, "command=14", "track=dv",
                                      NULL);
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *deleted = NULL;
  ClE2eSync s;
  int rc;

  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_set (f->a1, "case", case_id, "assigned_to=juliet", NULL);
  out = cl_e2e_ctl (f->a2, NULL, &rc, &err, "delete", "case", case_id, NULL);
  g_assert_cmpint (rc, ==, 0);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_ok (f->a2, &s);
  g_assert_cmpuint (s.conflicts, ==, 1);
  cl_e2e_sync_clear (&s);
  list = cl_e2e_conflicts (f->a2);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "field"), ==, "_deleted");
  id = g_strdup (cl_e2e_json_string (list, 0, "id"));
  assert_field (f->a2, case_id, "deleted", "0");

  cl_e2e_sync_expect (f->a1, "1 conflict lost on another workstation is listed here now");
  cl_e2e_resolve (f->a1, id, "theirs");
  cl_e2e_sync_expect (f->a1, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = cl_e2e_ctl (f->a1, NULL, &rc, &err, "delete", "case", case_id, NULL);
  g_assert_cmpint (rc, ==, 0);
  cl_e2e_sync_expect (f->a1, NULL);

  resolve_during_pull (f, f->a2, id, "mine");
  assert_field (f->a2, case_id, "deleted", "1");

  /* Shown again as live, the record would make the digest differ and cost a full
   * resync. */
  sync_nothing_pulled (f->a2, "1 conflict you resolved had already been settled elsewhere");
  assert_field (f->a2, case_id, "deleted", "1");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT deleted::int FROM record WHERE id = '%s'",
                                            case_id);
    deleted = cl_test_stack_sql (f->stack, sql);
  }
  g_assert_cmpstr (deleted, ==, "1");
  converged (f);
  assert_field (f->a2, case_id, "deleted", "1");
}

int
main (int   argc,
      char *argv[])
{
  cl_e2e_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/e2e/resolution-race/" path, Fixture, NULL, fixture_set_up, fn, \
              fixture_tear_down)
  ADD ("superseded-after-pull", test_superseded_after_pull);
  ADD ("refused-after-pull", test_refused_after_pull);
  ADD ("changed-before-resolving", test_changed_before_resolving);
  ADD ("deleted-after-pull", test_deleted_after_pull);
#undef ADD
  return g_test_run ();
}
