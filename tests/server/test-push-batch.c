/* test-push-batch.c: what a batch loads once holds only until it writes something else
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server loads a batch's records with one statement at its start, a creation's parent
 * once, and inserts the mutation log's rows together. One batch here deletes a parent and
 * then names it, names a parent before creating it, and edits a record it created on top
 * of its own creation: each mutation must see what the ones before it in the batch did.
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

#define STATUS(r) cl_wire_status_to_string ((r)->status)

static void
test_sees_its_own_writes (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autofree char *client = NULL;
  g_autofree char *kase = NULL;
  g_autofree char *kase2 = cl_uuid_new ();
  g_autofree char *note_a = cl_uuid_new ();
  g_autofree char *note_b = cl_uuid_new ();
  g_autofree char *note_c = cl_uuid_new ();
  g_autofree char *note_d = cl_uuid_new ();
  g_autofree char *task = cl_uuid_new ();
  g_autofree char *upper = NULL;
  g_autofree char *title = NULL;
  g_autoptr(ClWirePushResponse) r = NULL;
  static const char *const expected[][2] = {
    { "applied", NULL },                    /* a note on the case */
    { "applied", NULL },                    /* the case deleted */
    { "rejected", "parent_not_found" },     /* a note on the deleted case */
    { "rejected", "parent_not_found" },     /* a note on a case not made yet */
    { "applied", NULL },                    /* that case */
    { "applied", NULL },                    /* a note on it now */
    { "applied", NULL },                    /* a task, its id in capitals */
    { "applied", NULL },                    /* the task edited on top of its creation */
  };

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  ana = srv_test_login (env, "ana");
  client = srv_test_new_client (env, ana, "Rose");
  kase = srv_test_new_case (env, ana, client, "14");
  upper = g_ascii_strup (task, -1);

  r = srv_test_push (env, ana,
                     srv_test_mutation (ana, "note", note_a, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase, "at", "2026-11-28T10:00:00Z",
                                        "text", "First call", NULL),
                     srv_test_mutation (ana, "case", kase, CL_WIRE_OP_DELETE,
                                        srv_test_record_version (env, kase), NULL),
                     srv_test_mutation (ana, "note", note_b, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase, "at", "2026-11-28T11:00:00Z",
                                        "text", "After the delete", NULL),
                     srv_test_mutation (ana, "note", note_c, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase2, "at", "2026-11-28T12:00:00Z",
                                        "text", "Too early", NULL),
                     srv_test_mutation (ana, "case", kase2, CL_WIRE_OP_PUT, 0,
                                        "client_id", client, "command", "14", "track", "dv",
                                        "status", "referred", NULL),
                     srv_test_mutation (ana, "note", note_d, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase2, "at", "2026-11-28T13:00:00Z",
                                        "text", "On time", NULL),
                     srv_test_mutation (ana, "task", upper, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase2, "due", "2026-12-01",
                                        "title", "Call back", NULL),
                     srv_test_mutation (ana, "task", task, CL_WIRE_OP_PUT, 0,
                                        "title", "Call back after court", NULL),
                     NULL);
  g_assert_cmpuint (r->results->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ClWireResult *res = g_ptr_array_index (r->results, i);

      g_test_message ("mutation %u: %s %s", i, STATUS (res), res->code);
      g_assert_cmpstr (STATUS (res), ==, expected[i][0]);
      g_assert_cmpstr (res->code, ==, expected[i][1]);
    }

  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE id IN ($1, $2)",
                                     note_b, note_c, NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE id IN ($1, $2) "
                                     "AND NOT deleted", note_d, kase2, NULL), ==, 2);
  title = srv_test_sql (env, "SELECT fields ->> 'title' FROM record WHERE id = $1", task, NULL);
  g_assert_cmpstr (title, ==, "Call back after court");
  /* Every mutation logged once, with its result, in order. */
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM mutation_log "
                                     "WHERE device_id = $1", ana->device_id, NULL), ==,
                   2 + G_N_ELEMENTS (expected));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM mutation_log WHERE "
                                     "device_id = $1 AND status = 'rejected' AND "
                                     "code = 'parent_not_found' AND seq IN (5, 6)",
                                     ana->device_id, NULL), ==, 2);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT last_seq FROM device WHERE id = $1",
                                     ana->device_id, NULL), ==, 2 + G_N_ELEMENTS (expected));
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);
  g_test_add_func ("/server/push-batch/sees-its-own-writes", test_sees_its_own_writes);
  return g_test_run ();
}
