/* test-pull.c: pull semantics, one by one: order, pages, tombstones, scope and removals,
 * 410 (cursor older than garbage collection, forged cursor), 412 (digest), and the clock's
 * promise that no reader ever skips a version
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "cl-seed.h"
#include "srv-test.h"

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *ana;   /* advocate, 14 */
  SrvTestDevice *ana2;  /* ana's second workstation */
  SrvTestDevice *cy;    /* advocate, 20 */
  SrvTestDevice *sue;   /* supervisor, 14 and 20 */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->env = srv_test_env_new (data);
  srv_test_add_user (f->env, "ana", "advocate_dv", "14");
  srv_test_add_user (f->env, "cy", "advocate_cv", "20");
  srv_test_add_user (f->env, "sue", "supervisor", "14,20");
  f->ana = srv_test_login (f->env, "ana");
  f->ana2 = srv_test_login (f->env, "ana");
  f->cy = srv_test_login (f->env, "cy");
  f->sue = srv_test_login (f->env, "sue");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  srv_test_device_free (f->ana);
  srv_test_device_free (f->ana2);
  srv_test_device_free (f->cy);
  srv_test_device_free (f->sue);
  srv_test_env_free (f->env);
}

static ClWirePullItem *
find (ClWirePullResponse *r,
      const char         *record)
{
  for (guint i = 0; i < r->changes->len; i++)
    {
      ClWirePullItem *item = g_ptr_array_index (r->changes, i);
      if (strcmp (item->record, record) == 0)
        return item;
    }
  return NULL;
}

static char *
new_note (Fixture    *f,
          const char *kase)
{
  char *id = cl_uuid_new ();
  g_autoptr(ClWireResult) r = srv_test_push_one (f->env, f->ana,
                                                 srv_test_mutation (f->ana, "note", id,
                                                                    CL_WIRE_OP_PUT, 0,
                                                                    "case_id", kase,
                                                                    "at", "2026-11-28T10:00:00Z",
                                                                    "text", "Met at precinct",
                                                                    NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  return id;
}

static void
test_basic (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *note = new_note (f, kase);
  g_autoptr(ClWirePullResponse) r = srv_test_pull (f->env, f->ana2, 0, 0);
  g_autoptr(ClWirePullResponse) own = srv_test_pull (f->env, f->ana, 0, 0);
  g_autoptr(ClWirePullResponse) empty = NULL;
  ClWirePullItem *item;
  gint64 previous = 0;

  g_assert_cmpuint (r->changes->len, ==, 3);
  g_assert_false (r->more);
  g_assert_cmpint (r->cursor, ==, srv_test_sql_int (f->env, "SELECT v FROM sync_clock", NULL));
  g_assert_cmpint (r->last_seq, ==, 0);
  g_assert_cmpint (own->last_seq, ==, 3);
  for (guint i = 0; i < r->changes->len; i++)
    {
      item = g_ptr_array_index (r->changes, i);
      g_assert_cmpint (item->op, ==, CL_WIRE_PULL_PUT);
      g_assert_cmpint (item->version, >, previous);
      previous = item->version;
    }

  item = find (r, kase);
  g_assert_cmpstr (item->type, ==, "case");
  g_assert_cmpstr (g_hash_table_lookup (item->fields, "command"), ==, "14");
  g_assert_cmpstr (g_hash_table_lookup (item->fields, "client_id"), ==, client);
  g_assert_cmpint (*(gint64 *) g_hash_table_lookup (item->field_versions, "status"), ==,
                   item->version);
  item = find (r, note);
  g_assert_cmpstr (g_hash_table_lookup (item->fields, "text"), ==, "Met at precinct");

  /* From the cursor: nothing new. */
  empty = srv_test_pull (f->env, f->ana2, r->cursor, 0);
  g_assert_cmpuint (empty->changes->len, ==, 0);
  g_assert_cmpint (empty->cursor, ==, r->cursor);

  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'pull'", NULL), ==, 3);
}

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 cursor = 0, previous = 0;
  guint pages = 0;

  for (int i = 0; i < 10; i++)
    g_free (srv_test_new_client (f->env, f->ana, "Rose"));

  for (;;)
    {
      g_autoptr(ClWirePullResponse) r = srv_test_pull (f->env, f->ana2, cursor, 3);

      pages++;
      g_assert_cmpuint (r->changes->len, <=, 3);
      for (guint i = 0; i < r->changes->len; i++)
        {
          ClWirePullItem *item = g_ptr_array_index (r->changes, i);

          g_assert_cmpint (item->version, >, previous);
          g_assert_cmpint (item->version, <=, r->cursor);
          previous = item->version;
          g_assert_true (g_hash_table_add (seen, g_strdup (item->record)));
        }
      g_assert_cmpint (r->cursor, >=, cursor);
      cursor = r->cursor;
      if (!r->more)
        break;
      g_assert_cmpuint (r->changes->len, ==, 3);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 10);
  g_assert_cmpuint (pages, ==, 4);
}

static void
test_tombstone (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *task = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(ClWirePullResponse) p = NULL;
  gint64 cursor;
  ClWirePullItem *item;

  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT, 0,
                                            "case_id", kase, "due", "2026-12-01",
                                            "title", "Follow up", NULL));
  g_clear_pointer (&p, cl_wire_pull_response_free);
  p = srv_test_pull (f->env, f->ana2, 0, 0);
  cursor = p->cursor;
  g_assert_nonnull (find (p, task));

  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, task), NULL));
  g_clear_pointer (&p, cl_wire_pull_response_free);
  p = srv_test_pull (f->env, f->ana2, cursor, 0);
  g_assert_cmpuint (p->changes->len, ==, 1);
  item = g_ptr_array_index (p->changes, 0);
  g_assert_cmpint (item->op, ==, CL_WIRE_PULL_DELETE);
  g_assert_cmpstr (item->record, ==, task);
  g_assert_null (item->fields);

  /* A fresh device never hears of what was deleted before it came. */
  g_clear_pointer (&p, cl_wire_pull_response_free);
  p = srv_test_pull (f->env, f->ana2, 0, 0);
  item = find (p, task);
  g_assert_cmpint (item->op, ==, CL_WIRE_PULL_DELETE);
}

static void
test_scope_by_role (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SrvTestDevice) dir = NULL;
  g_autoptr(SrvTestDevice) data_user = NULL;
  g_autoptr(SrvTestDevice) admin = NULL;
  g_autofree char *c14 = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *k14 = srv_test_new_case (f->env, f->ana, c14, "14");
  g_autofree char *c20 = srv_test_new_client (f->env, f->cy, "Lily");
  g_autofree char *k20 = srv_test_new_case (f->env, f->cy, c20, "20");
  g_autofree char *lone = srv_test_new_client (f->env, f->ana, "Iris");
  g_autofree char *partner = cl_uuid_new ();
  g_autofree char *audit = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(GHashTable) s_ana2 = NULL;
  g_autoptr(GHashTable) s_cy = NULL;
  g_autoptr(GHashTable) s_sue = NULL;
  g_autoptr(GHashTable) s_dir = NULL;
  g_autoptr(GHashTable) s_data = NULL;
  g_autoptr(GHashTable) s_admin = NULL;

  srv_test_add_user (f->env, "dir", "director", NULL);
  srv_test_add_user (f->env, "dat", "data", NULL);
  srv_test_add_user (f->env, "root", "admin", NULL);
  dir = srv_test_login (f->env, "dir");
  data_user = srv_test_login (f->env, "dat");
  admin = srv_test_login (f->env, "root");

  r = srv_test_push_one (f->env, admin, srv_test_mutation (admin, "partner", partner,
                                                           CL_WIRE_OP_PUT, 0, "name", "Shelter",
                                                           NULL));
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "audit", audit,
                                                            CL_WIRE_OP_PUT, 0, "user", "ana",
                                                            "at", "2026-11-28T10:00:00Z",
                                                            "action", "print", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);

  s_ana2 = srv_test_pull_all (f->env, f->ana2, NULL);
  s_cy = srv_test_pull_all (f->env, f->cy, NULL);
  s_sue = srv_test_pull_all (f->env, f->sue, NULL);
  s_dir = srv_test_pull_all (f->env, dir, NULL);
  s_data = srv_test_pull_all (f->env, data_user, NULL);
  s_admin = srv_test_pull_all (f->env, admin, NULL);

  /* ana: her command, her lone client, her audit event, reference data. */
  g_assert_true (g_hash_table_contains (s_ana2, k14));
  g_assert_true (g_hash_table_contains (s_ana2, c14));
  g_assert_true (g_hash_table_contains (s_ana2, lone));
  g_assert_true (g_hash_table_contains (s_ana2, audit));
  g_assert_true (g_hash_table_contains (s_ana2, partner));
  g_assert_false (g_hash_table_contains (s_ana2, k20));
  g_assert_false (g_hash_table_contains (s_ana2, c20));
  g_assert_cmpuint (g_hash_table_size (s_ana2), ==, 5);

  g_assert_true (g_hash_table_contains (s_cy, k20));
  g_assert_false (g_hash_table_contains (s_cy, k14));
  g_assert_false (g_hash_table_contains (s_cy, lone));
  g_assert_false (g_hash_table_contains (s_cy, audit));
  g_assert_cmpuint (g_hash_table_size (s_cy), ==, 3);

  /* The supervisor of both commands; not ana's lone client nor her audit event. */
  g_assert_true (g_hash_table_contains (s_sue, k14));
  g_assert_true (g_hash_table_contains (s_sue, k20));
  g_assert_false (g_hash_table_contains (s_sue, lone));
  g_assert_cmpuint (g_hash_table_size (s_sue), ==, 5);

  /* The director reads all case content, but not others' audit events. */
  g_assert_true (g_hash_table_contains (s_dir, lone));
  g_assert_false (g_hash_table_contains (s_dir, audit));
  g_assert_cmpuint (g_hash_table_size (s_dir), ==, 6);

  /* Data and admin roles: reference data only. */
  g_assert_cmpuint (g_hash_table_size (s_data), ==, 1);
  g_assert_true (g_hash_table_contains (s_data, partner));
  g_assert_cmpuint (g_hash_table_size (s_admin), ==, 1);
}

/* A case moves to another command: the old command's devices remove it and what hangs off
 * it, the new command's get it. R10's server half. */
static void
test_remove_on_reassign (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *note = new_note (f, kase);
  g_autofree char *safe = cl_uuid_new ();
  g_autofree char *client2 = srv_test_new_client (f->env, f->ana, "Lily");
  g_autofree char *kase2a = srv_test_new_case (f->env, f->ana, client2, "14");
  g_autofree char *kase2b = NULL;
  g_autoptr(GHashTable) s_ana = NULL;
  g_autoptr(GHashTable) s_cy = NULL;
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(ClWirePullResponse) p = NULL;
  guint removes = 0;

  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "safe_contact", safe,
                                                            CL_WIRE_OP_PUT, 0,
                                                            "client_id", client,
                                                            "channel", "sms", "safe", "yes",
                                                            NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  kase2b = srv_test_new_case (f->env, f->sue, client2, "20");

  s_ana = srv_test_pull_all (f->env, f->ana2, NULL);
  s_cy = srv_test_pull_all (f->env, f->cy, NULL);
  g_assert_true (g_hash_table_contains (s_ana, note));
  g_assert_true (g_hash_table_contains (s_cy, client2));
  g_assert_false (g_hash_table_contains (s_cy, client));

  /* An advocate cannot move a case out of her commands. */
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT,
                                                            srv_test_record_version (f->env, kase),
                                                            "command", "20", NULL));
  g_assert_cmpstr (r->code, ==, "forbidden");

  /* The supervisor of both can. */
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->sue, srv_test_mutation (f->sue, "case", kase, CL_WIRE_OP_PUT,
                                                            srv_test_record_version (f->env, kase),
                                                            "command", "20", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);

  p = srv_test_pull (f->env, f->ana2, f->ana2->cursor, 0);
  for (guint i = 0; i < p->changes->len; i++)
    {
      ClWirePullItem *item = g_ptr_array_index (p->changes, i);
      g_assert_cmpint (item->op, ==, CL_WIRE_PULL_REMOVE);
      removes++;
    }
  /* The case, its note, its client and the client's safe-contact preference. */
  g_assert_cmpuint (removes, ==, 4);
  g_assert_nonnull (find (p, kase));
  g_assert_nonnull (find (p, note));
  g_assert_nonnull (find (p, client));
  g_assert_nonnull (find (p, safe));

  srv_test_pull_all (f->env, f->ana2, s_ana);
  srv_test_pull_all (f->env, f->cy, s_cy);
  g_assert_false (g_hash_table_contains (s_ana, kase));
  g_assert_false (g_hash_table_contains (s_ana, note));
  g_assert_false (g_hash_table_contains (s_ana, client));
  g_assert_true (g_hash_table_contains (s_cy, kase));
  g_assert_true (g_hash_table_contains (s_cy, note));
  g_assert_true (g_hash_table_contains (s_cy, safe));
  g_assert_cmpstr (g_hash_table_lookup (((ClWirePullItem *) g_hash_table_lookup (s_cy, kase))->fields,
                                        "command"), ==, "20");

  /* A client with a case in each command stays with both. */
  g_assert_true (g_hash_table_contains (s_ana, client2));
  g_assert_true (g_hash_table_contains (s_cy, client2));
  g_assert_true (g_hash_table_contains (s_ana, kase2a));
  g_assert_false (g_hash_table_contains (s_ana, kase2b));
}

static void
test_gc_410 (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *task = cl_uuid_new ();
  g_autofree char *output = NULL;
  g_autofree char *code = NULL;
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWirePullResponse) p = NULL;
  gint64 old_cursor;

  old_cursor = srv_test_sql_int (f->env, "SELECT v FROM sync_clock", NULL);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT,
                                                            0, "case_id", kase, "due",
                                                            "2026-12-01", "title", "x", NULL));
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, task), NULL));
  g_free (srv_test_sql (f->env, "UPDATE record SET deleted_at = now() - interval '40 days' "
                        "WHERE id = $1", task, NULL));

  g_assert_cmpint (srv_test_cli (f->env, &output, "gc", "--tombstone-days", "30", NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1", task,
                                     NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT gc_horizon FROM sync_meta", NULL), >,
                   old_cursor);

  reply = srv_test_pull_raw (f->env, f->ana2, old_cursor, 0, NULL);
  g_assert_cmpuint (reply->status, ==, 410);
  code = srv_test_reply_code (reply);
  g_assert_cmpstr (code, ==, "cursor_expired");

  /* From the start, or from after the horizon: fine. */
  p = srv_test_pull (f->env, f->ana2, 0, 0);
  g_assert_null (find (p, task));
  g_clear_pointer (&p, cl_wire_pull_response_free);
  p = srv_test_pull (f->env, f->ana2, srv_test_sql_int (f->env, "SELECT gc_horizon FROM sync_meta",
                                                        NULL), 0);
}

static void
test_forged_cursor (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *code = NULL;

  g_free (srv_test_new_client (f->env, f->ana, "Rose"));
  reply = srv_test_pull_raw (f->env, f->ana,
                             srv_test_sql_int (f->env, "SELECT v FROM sync_clock", NULL) + 1000000,
                             0, NULL);
  g_assert_cmpuint (reply->status, ==, 410);
  code = srv_test_reply_code (reply);
  g_assert_cmpstr (code, ==, "cursor_invalid");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE security AND "
                                     "outcome = 'cursor_invalid'", NULL), ==, 1);
}

/* What a device computes over what it holds: every live record it pulled. Seeded records
 * nobody edited (version 0) are left out on both sides: a device seeds them itself. */
static char *
device_digest (GHashTable *state)
{
  GHashTableIter iter;
  gpointer k, v;
  guint64 digest = 0;

  g_hash_table_iter_init (&iter, state);
  while (g_hash_table_iter_next (&iter, &k, &v))
    cl_wire_digest_add (&digest, k, ((ClWirePullItem *) v)->version);
  return cl_wire_digest_to_hex (digest);
}

static void
test_digest (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SrvTestDevice) admin = NULL;
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *note = new_note (f, kase);
  g_autofree char *digest = NULL;
  g_autofree char *command = cl_seed_id ("command", "14");
  g_autofree char *code = NULL;
  g_autoptr(GHashTable) state = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWireResult) r = NULL;

  srv_test_add_user (f->env, "root", "admin", NULL);
  admin = srv_test_login (f->env, "root");
  /* An edited seed: pulled like any record, under the same id. */
  r = srv_test_push_one (f->env, admin, srv_test_mutation (admin, "command", command,
                                                           CL_WIRE_OP_PUT, 0,
                                                           "name", "Midtown South", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);

  state = srv_test_pull_all (f->env, f->ana2, NULL);
  g_assert_true (g_hash_table_contains (state, command));
  digest = device_digest (state);
  reply = srv_test_pull_raw (f->env, f->ana2, f->ana2->cursor, 0, digest);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* The digest is checked only when the device is up to date. */
  g_free (srv_test_new_client (f->env, f->ana, "Iris"));
  reply = srv_test_pull_raw (f->env, f->ana2, f->ana2->cursor, 0, "0000000000000000");
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);
  srv_test_pull_all (f->env, f->ana2, state);

  /* A device that lost a record (an old backup restored): 412. */
  g_hash_table_remove (state, note);
  g_free (digest);
  digest = device_digest (state);
  reply = srv_test_pull_raw (f->env, f->ana2, f->ana2->cursor, 0, digest);
  g_assert_cmpuint (reply->status, ==, 412);
  code = srv_test_reply_code (reply);
  g_assert_cmpstr (code, ==, "digest_mismatch");
}

/* The digest sums kept per type and scope as records are written (migration 9) equal the
 * sums over the records themselves, through creates, edits, deletes and a case moving to
 * another command (which rescopes it, its client and their children); and the digest a
 * pull checks is the one the device computes. */
static const char digest_drift_sql[] =
  "WITH kept AS (SELECT type, scope, n, h FROM record_digest WHERE n <> 0 OR h <> 0),"
  " computed AS (SELECT type, scope, count(*) AS n,"
  "   sum(record_digest_term (id, version)) % 18446744073709551616 AS h"
  "   FROM record WHERE NOT deleted AND version > 0 GROUP BY type, scope)"
  " SELECT count(*) FROM ((TABLE kept EXCEPT TABLE computed)"
  "                       UNION ALL (TABLE computed EXCEPT TABLE kept)) d";

static void
test_digest_kept (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *note = new_note (f, kase);
  g_autofree char *task = cl_uuid_new ();
  g_autofree char *other = cl_uuid_new ();
  g_autofree char *digest = NULL;
  g_autoptr(GHashTable) state = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  ClWireResult *r;

  for (guint i = 0; i < 2; i++)
    {
      r = srv_test_push_one (f->env, f->ana,
                             srv_test_mutation (f->ana, "task", i == 0 ? task : other,
                                                CL_WIRE_OP_PUT, 0, "case_id", kase,
                                                "due", "2026-12-01", "title", "Follow up",
                                                NULL));
      g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
      cl_wire_result_free (r);
    }
  g_assert_cmpint (srv_test_sql_int (f->env, digest_drift_sql, NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT sum(n) FROM record_digest WHERE type IN "
                                     "('client', 'case', 'note', 'task')", NULL), ==, 5);

  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT,
                                                            srv_test_record_version (f->env, task),
                                                            "title", "Call back", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  cl_wire_result_free (r);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", other,
                                                            CL_WIRE_OP_DELETE,
                                                            srv_test_record_version (f->env, other),
                                                            NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  cl_wire_result_free (r);
  g_assert_cmpint (srv_test_sql_int (f->env, digest_drift_sql, NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT sum(n) FROM record_digest "
                                     "WHERE type = 'task'", NULL), ==, 1);

  r = srv_test_push_one (f->env, f->sue, srv_test_mutation (f->sue, "case", kase, CL_WIRE_OP_PUT,
                                                            srv_test_record_version (f->env, kase),
                                                            "command", "20", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  cl_wire_result_free (r);
  g_assert_cmpint (srv_test_sql_int (f->env, digest_drift_sql, NULL), ==, 0);
  /* Each transaction folded what it wrote when it committed. */
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT (SELECT count(*) FROM record_digest_delta)"
                                     " + (SELECT count(*) FROM record_digest_fold)", NULL), ==, 0);

  /* Cy now reads the moved case: his device's digest over what he pulled matches. */
  state = srv_test_pull_all (f->env, f->cy, NULL);
  g_assert_true (g_hash_table_contains (state, note));
  g_assert_true (g_hash_table_contains (state, task));
  g_assert_false (g_hash_table_contains (state, other));
  digest = device_digest (state);
  reply = srv_test_pull_raw (f->env, f->cy, f->cy->cursor, 0, digest);
  g_assert_cmpuint (reply->status, ==, 200);
}

/* Writers push while a reader pulls incrementally: because versions are taken under the
 * clock row's lock, the reader never moves its cursor past a version that commits later. */
typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *device;
  gint           stop;
  guint          created;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  SrvTestDevice *device = w->device;

  while (!g_atomic_int_get (&w->stop))
    {
      g_autofree char *id = cl_uuid_new ();
      g_autofree char *id2 = cl_uuid_new ();
      g_autoptr(ClWirePushResponse) r = NULL;

      r = srv_test_push (w->env, device,
                         srv_test_mutation (device, "client", id, CL_WIRE_OP_PUT, 0,
                                            "pseudonym", "x", NULL),
                         srv_test_mutation (device, "client", id2, CL_WIRE_OP_PUT, 0,
                                            "pseudonym", "y", NULL),
                         NULL);
      w->created += 2;
    }
  return NULL;
}

static void
test_no_skipped_versions (Fixture       *f,
                          gconstpointer  data)
{
  Writer writers[4];
  GThread *threads[4];
  g_autoptr(GHashTable) state = NULL;
  g_autoptr(SrvTestDevice) dir = NULL;
  gint64 deadline;
  guint pulls = 0, total = 0;

  srv_test_add_user (f->env, "dir", "director", NULL);
  dir = srv_test_login (f->env, "dir");
  for (int i = 0; i < 4; i++)
    {
      writers[i] = (Writer) { f->env, srv_test_login (f->env, i % 2 ? "ana" : "cy"), 0, 0 };
      writers[i].device->session = srv_test_session_new (f->env);
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }

  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      state = srv_test_pull_all (f->env, dir, g_steal_pointer (&state));
      pulls++;
    }
  for (int i = 0; i < 4; i++)
    {
      g_atomic_int_set (&writers[i].stop, 1);
      g_thread_join (threads[i]);
      total += writers[i].created;
      srv_test_device_free (writers[i].device);
    }
  state = srv_test_pull_all (f->env, dir, g_steal_pointer (&state));

  g_test_message ("%u records written by 4 writers, read by %u incremental pulls", total, pulls);
  g_assert_cmpuint (total, >, 20);
  g_assert_cmpuint (g_hash_table_size (state), ==, total);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE type = 'client'",
                                     NULL), ==, total);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/server/pull/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("basic", test_basic);
  ADD ("paging", test_paging);
  ADD ("tombstone", test_tombstone);
  ADD ("scope-by-role", test_scope_by_role);
  ADD ("remove-on-reassign", test_remove_on_reassign);
  ADD ("gc-410", test_gc_410);
  ADD ("forged-cursor-410", test_forged_cursor);
  ADD ("digest-412", test_digest);
  ADD ("digest-kept", test_digest_kept);
  ADD ("no-skipped-versions", test_no_skipped_versions);
#undef ADD
  return g_test_run ();
}
