/* test-e2e-conflicts.c: conflicts lost elsewhere reach the vault that can resolve them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two vaults of one advocate and one of her supervisor, against the real stack. A conflict
 * one vault's push lost is fetched by the others (GET /v1/conflicts after the pull) with
 * both values and who made each and when; resolving it anywhere closes it everywhere; a
 * resolution that comes second, or that the server refuses, says so; a hostile or
 * malformed list of cl_e2e_conflicts (made up by the fault proxy) is refused and changes nothing.
 */

#define G_LOG_DOMAIN "test-e2e-conflicts"

#include <string.h>

#include "cl-e2e.h"

#define CONFLICT_ROWS "SELECT id, record_type, record_id, field, local_value, server_value, " \
                      "server_version, local_by, local_at, server_by, server_at, created_at, " \
                      "resolved_at, resolution, resolved_value, uploaded FROM conflict ORDER BY id"

typedef struct {
  ClTestStack  *stack;
  ClFaultProxy *proxy;
  ClE2eClient  *a1;        /* ana, straight to nginx */
  ClE2eClient  *a2;        /* ana again, another workstation, through the proxy */
  ClE2eClient  *sue;       /* ana's supervisor, through the proxy */
  char         *case_id;
  GHashTable   *committed;
} Fixture;

static gboolean
elsewhere (JsonArray *list,
           guint      i)
{
  return json_object_get_boolean_member (json_array_get_object_element (list, i), "elsewhere");
}

static void
assert_utc_time (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), ==, 20);
  dt = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (dt);
}

static void
assert_value_everywhere (Fixture    *f,
                        const char *expected)
{
  ClE2eClient *clients[] = { f->a1, f->a2, f->sue };

  cl_e2e_assert_assigned (f->stack, clients, G_N_ELEMENTS (clients), f->case_id, expected);
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

  f->case_id = cl_e2e_new_case (f->a1, "Conflict Client", "14");
  token = g_strdup ("CONFLICTS-ana-0");
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

/* The other vault of the same advocate, and her supervisor's, list the conflict a2 lost,
 * with both values and who and when; a1 keeps a2's value ("mine"); after the next rounds
 * every vault agrees and none lists it. */
static void
test_fetched_and_resolved_elsewhere (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "alpha", "bravo");
  g_autoptr(JsonArray) own = cl_e2e_conflicts (f->a2);
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonArray) sue = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int rc;

  /* a2's own: who made the value that won is known after its round. */
  g_assert_false (elsewhere (own, 0));
  g_assert_cmpstr (cl_e2e_json_string (own, 0, "mine"), ==, "bravo");
  g_assert_cmpstr (cl_e2e_json_string (own, 0, "mine_by"), ==, "ana");
  g_assert_cmpstr (cl_e2e_json_string (own, 0, "theirs_by"), ==, "ana");
  assert_utc_time (cl_e2e_json_string (own, 0, "theirs_at"));

  /* a1 lists it after its next sync, as lost on another workstation. */
  cl_e2e_sync_expect (f->a1, "1 conflict lost on another workstation is listed here now");
  list = cl_e2e_conflicts (f->a1);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "id"), ==, id);
  g_assert_true (elsewhere (list, 0));
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "mine"), ==, "bravo");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, "alpha");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "mine_by"), ==, "ana");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs_by"), ==, "ana");
  assert_utc_time (cl_e2e_json_string (list, 0, "mine_at"));
  assert_utc_time (cl_e2e_json_string (list, 0, "theirs_at"));
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs_at"), <=, cl_e2e_json_string (list, 0, "mine_at"));
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs_at"), ==, cl_e2e_json_string (own, 0, "theirs_at"));

  /* So does the supervisor's; the list on the terminal says who and when too. */
  cl_e2e_sync_expect (f->sue, "1 conflict lost on another workstation is listed here now");
  sue = cl_e2e_conflicts (f->sue);
  g_assert_cmpuint (json_array_get_length (sue), ==, 1);
  g_assert_true (elsewhere (sue, 0));
  g_assert_cmpstr (cl_e2e_json_string (sue, 0, "mine_by"), ==, "ana");
  out = cl_e2e_ctl (f->sue, NULL, &rc, &err, "conflicts", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "mine=bravo\tby=ana\tat=20"));
  g_assert_nonnull (strstr (out, "theirs=alpha\tby=ana\tat=20"));
  g_assert_nonnull (strstr (out, "from=elsewhere"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = cl_e2e_ctl (f->a2, NULL, &rc, &err, "conflicts", "show", id, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "from: this-workstation\n"));
  g_assert_nonnull (strstr (out, "theirs by: ana\n"));

  /* a1 keeps the change a2 lost. */
  cl_e2e_resolve (f->a1, id, "mine");
  cl_e2e_sync_expect (f->a1, NULL);
  {
    g_autofree char *v = cl_e2e_server_field (f->stack, f->case_id, "assigned_to");
    g_assert_cmpstr (v, ==, "bravo");
  }
  g_clear_pointer (&list, json_array_unref);
  list = cl_e2e_conflicts (f->a1);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);

  /* Resolved on one device: gone from the others after their next sync. */
  cl_e2e_sync_expect (f->a2, "1 conflict was resolved elsewhere");
  cl_e2e_sync_expect (f->sue, "1 conflict was resolved elsewhere");
  assert_value_everywhere (f, "bravo");
  {
    g_autofree char *closed = cl_e2e_vault_rows (f->a2, "SELECT resolution, uploaded FROM "
                                                        "conflict WHERE resolved_at IS NOT NULL");
    g_assert_cmpstr (closed, ==, "elsewhere|1\n");
  }
  converged (f);
}

/* Both resolve offline; the second to reach the server learns its choice came too late:
 * the conflict goes, the first choice stands. */
static void
test_resolved_twice (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "charlie", "delta");

  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_resolve (f->a2, id, "theirs");
  cl_e2e_resolve (f->a1, id, "mine");
  {
    g_autofree char *v = cl_e2e_field (f->a1, "case", f->case_id, "assigned_to");
    g_assert_cmpstr (v, ==, "delta");
  }
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_sync_expect (f->a1, "1 conflict you resolved had already been settled elsewhere");
  {
    g_autoptr(JsonArray) list = cl_e2e_conflicts (f->a1);
    g_autofree char *v = cl_e2e_field (f->a1, "case", f->case_id, "assigned_to");

    g_assert_cmpuint (json_array_get_length (list), ==, 0);
    /* The vault shows the value that stands again. */
    g_assert_cmpstr (v, ==, "charlie");
  }
  cl_e2e_sync_expect (f->sue, NULL);
  assert_value_everywhere (f, "charlie");
  converged (f);
}

/* The server refuses a choice (made up: 403 forbidden): the conflict is open again, with
 * the server's value; a later choice goes through. */
static void
test_resolution_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "echo", "foxtrot");
  g_autofree char *path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
  g_autoptr(JsonArray) list = NULL;

  cl_e2e_sync_expect (f->sue, NULL);
  cl_e2e_resolve (f->sue, id, "mine");
  list = cl_e2e_conflicts (f->sue);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  cl_fault_proxy_forge (f->proxy, 403, "{\"error\":{\"code\":\"forbidden\","
                                       "\"message\":\"You may not change this record\"}}");
  cl_fault_proxy_set (f->proxy, CL_FAULT_REPLAY, 0, path, 1);
  cl_e2e_sync_expect (f->sue, "The server did not accept your choice for 1 conflict");
  g_assert_cmpuint (cl_fault_proxy_get_hits (f->proxy), ==, 1);

  g_clear_pointer (&list, json_array_unref);
  list = cl_e2e_conflicts (f->sue);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "id"), ==, id);
  {
    g_autofree char *v = cl_e2e_field (f->sue, "case", f->case_id, "assigned_to");
    g_autofree char *open = cl_test_stack_sql (f->stack, "SELECT count(*) FROM conflict "
                                                         "WHERE resolved_at IS NULL");
    g_assert_cmpstr (v, ==, "echo");
    g_assert_cmpstr (open, ==, "1");
  }

  cl_e2e_resolve (f->sue, id, "mine");
  cl_e2e_sync_expect (f->sue, NULL);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  assert_value_everywhere (f, "foxtrot");
  converged (f);
}

/* A list of conflicts no server of ours sends, to a2 through the proxy. */
static void
assert_list_refused (Fixture    *f,
                     const char *body,
                     const char *expect)
{
  g_autofree char *before = cl_e2e_vault_rows (f->a2, CONFLICT_ROWS);
  g_autofree char *after = NULL;
  ClE2eSync s;

  cl_fault_proxy_forge (f->proxy, 200, body);
  cl_fault_proxy_set (f->proxy, CL_FAULT_REPLAY, 0, "/v1/conflicts", 1);
  cl_e2e_sync (f->a2, NULL, &s);
  g_test_message ("refused list: %d %s", s.status, s.err);
  g_assert_cmpint (s.status, ==, 7);
  g_assert_nonnull (strstr (s.err, expect));
  g_assert_nonnull (strstr (s.err, "nothing was changed"));
  cl_e2e_sync_clear (&s);
  cl_fault_proxy_heal (f->proxy);

  after = cl_e2e_vault_rows (f->a2, CONFLICT_ROWS);
  g_assert_cmpstr (after, ==, before);
}

static void
test_hostile_list (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "golf", "hotel");
  g_autofree char *stranger = g_strdup ("6f1f7a3e-2b1c-4d5e-8f90-123456789abc");
  g_autofree char *good = NULL;
  g_autofree char *twice = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *closing = NULL;

  cl_e2e_sync_expect (f->a1, NULL);
#define ITEM(id, type, value) \
  "{\"id\":\"" id "\",\"type\":\"" type "\",\"record\":\"%s\",\"field\":\"assigned_to\"," \
  "\"kind\":\"field\",\"server_value\":\"golf\",\"client_value\":\"" value "\"," \
  "\"server_version\":5,\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"ana\"," \
  "\"server_by\":\"ana\",\"server_at\":\"2026-11-28T15:40:00Z\",\"mine\":true," \
  "\"this_device\":true}"
  good = g_strdup_printf ("{\"conflicts\":[" ITEM ("%s", "case", "hotel") "]}", id,
                          f->case_id);
  twice = g_strdup_printf ("{\"conflicts\":[" ITEM ("%s", "case", "hotel") ","
                           ITEM ("%s", "case", "hotel") "]}", id, f->case_id, id, f->case_id);
  changed = g_strdup_printf ("{\"conflicts\":[" ITEM ("%s", "case", "forged") "]}", id,
                             f->case_id);
  unknown = g_strdup_printf ("{\"conflicts\":[" ITEM ("%s", "case", "hotel") ","
                             ITEM ("%s", "weapon", "x") "]}", id, f->case_id, stranger,
                             f->case_id);
#undef ITEM

  /* Not JSON; one conflict twice; members missing; a conflict whose values changed; a
   * kind of record nobody has. */
  assert_list_refused (f, "{\"conflicts\":[", "not understood");
  assert_list_refused (f, twice, "not understood");
  assert_list_refused (f, "{\"conflicts\":[{\"id\":\"x\"}]}", "not understood");
  assert_list_refused (f, changed, "contradicts");
  assert_list_refused (f, unknown, "does not know");

  /* The well-formed list passes, and the stack heals. */
  cl_fault_proxy_forge (f->proxy, 200, good);
  cl_fault_proxy_set (f->proxy, CL_FAULT_REPLAY, 0, "/v1/conflicts", 1);
  cl_e2e_sync_expect (f->a2, NULL);
  cl_fault_proxy_heal (f->proxy);
  closing = cl_e2e_vault_rows (f->a2, "SELECT count(*) FROM conflict WHERE resolved_at IS NULL");
  g_assert_cmpstr (closing, ==, "1\n");

  cl_e2e_resolve (f->a2, id, "theirs");
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->sue, NULL);
  assert_value_everywhere (f, "golf");
  converged (f);
}

int
main (int   argc,
      char *argv[])
{
  cl_e2e_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/e2e/conflicts/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("fetched-and-resolved-elsewhere", test_fetched_and_resolved_elsewhere);
  ADD ("resolved-twice", test_resolved_twice);
  ADD ("resolution-refused", test_resolution_refused);
  ADD ("hostile-list", test_hostile_list);
#undef ADD
  return g_test_run ();
}
