/* test-conflicts.c: listing and resolving conflicts, and who may
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *ana;    /* advocate, 14: makes the winning edit */
  SrvTestDevice *ben;    /* advocate, 14: makes the losing edit */
  SrvTestDevice *sue;    /* supervisor, 14 */
  SrvTestDevice *sam;    /* supervisor, 20 */
  SrvTestDevice *dir;    /* director */
  char          *client;
  char          *kase;
  char          *conflict;
} Fixture;

static GPtrArray *
list (Fixture       *f,
      SrvTestDevice *device)
{
  g_autoptr(SrvTestReply) reply = srv_test_request (f->env, "GET", "/v1/conflicts",
                                                    device->token, NULL, 0);
  g_autoptr(GError) error = NULL;
  const char *text = srv_test_reply_text (reply);
  GPtrArray *infos;

  g_assert_cmpuint (reply->status, ==, 200);
  infos = cl_wire_conflict_list_decode (text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  return infos;
}

static ClWireConflictInfo *
find_info (GPtrArray  *infos,
           const char *id)
{
  for (guint i = 0; i < infos->len; i++)
    {
      ClWireConflictInfo *info = g_ptr_array_index (infos, i);

      if (strcmp (info->id, id) == 0)
        return info;
    }
  g_error ("conflict %s is not listed", id);
}

static SrvTestReply *
resolve (Fixture       *f,
         SrvTestDevice *device,
         const char    *id,
         const char    *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
  return srv_test_request (f->env, "POST", path, device->token, body, -1);
}

/* ana and ben both change the status of one case from the same version. */
static char *
make_conflict (Fixture    *f,
               const char *field,
               const char *mine,
               const char *theirs)
{
  gint64 base = srv_test_record_version (f->env, f->kase);
  g_autoptr(ClWireResult) a = NULL;
  g_autoptr(ClWireResult) b = NULL;

  a = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "case", f->kase,
                                                            CL_WIRE_OP_PUT, base,
                                                            field, theirs, NULL));
  g_assert_cmpint (a->status, ==, CL_WIRE_STATUS_APPLIED);
  b = srv_test_push_one (f->env, f->ben, srv_test_mutation (f->ben, "case", f->kase,
                                                            CL_WIRE_OP_PUT, base,
                                                            field, mine, NULL));
  g_assert_cmpint (b->status, ==, CL_WIRE_STATUS_CONFLICT);
  return g_strdup (((ClWireConflict *) g_ptr_array_index (b->conflicts, 0))->conflict_id);
}

/* One push of 500 edits that each conflict on three fields: the server answers for the
 * first ones (at most 100 conflicts a request), commits them and leaves the rest to the
 * next requests, so no request holds the version clock for long; in the end every edit has
 * its answer and every conflict its row, exactly once. */
static void
test_conflict_budget (Fixture       *f,
                      gconstpointer  data)
{
  gint64 base = srv_test_record_version (f->env, f->kase);
  g_autoptr(ClWireResult) a = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  guint answered = 0, requests = 0;
  gint64 slowest = 0;

  a = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "case", f->kase,
                                                            CL_WIRE_OP_PUT, base,
                                                            "assigned_to", "ana",
                                                            "opened_at", "2026-11-01",
                                                            "closed_at", "2026-11-30", NULL));
  g_assert_cmpint (a->status, ==, CL_WIRE_STATUS_APPLIED);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *who = g_strdup_printf ("ben%u", i);
      g_autofree char *opened = g_strdup_printf ("2026-10-%02u", 1 + i % 28);

      g_ptr_array_add (batch, srv_test_mutation (f->ben, "case", f->kase, CL_WIRE_OP_PUT, base,
                                                 "assigned_to", who, "opened_at", opened,
                                                 "closed_at", "2026-12-01", NULL));
    }

  while (answered < batch->len)
    {
      g_autoptr(GPtrArray) rest = g_ptr_array_new ();
      g_autoptr(SrvTestReply) reply = NULL;
      g_autoptr(ClWirePushResponse) response = NULL;
      g_autoptr(GError) error = NULL;
      const char *text;
      gint64 start = g_get_monotonic_time ();

      for (guint i = answered; i < batch->len; i++)
        g_ptr_array_add (rest, g_ptr_array_index (batch, i));
      reply = srv_test_push_raw (f->env, f->ben, rest);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
      g_assert_cmpuint (reply->status, ==, 200);
      text = srv_test_reply_text (reply);
      response = cl_wire_push_response_decode (text, strlen (text), &error);
      g_assert_no_error (error);
      /* A prefix of what was sent, answered in order, and last_seq its end. */
      g_assert_cmpuint (response->results->len, >=, 1);
      g_assert_cmpuint (response->results->len, <=, 34);
      for (guint i = 0; i < response->results->len; i++)
        {
          ClWireResult *r = g_ptr_array_index (response->results, i);
          ClWireMutation *m = g_ptr_array_index (batch, answered + i);

          g_assert_cmpint (r->seq, ==, m->seq);
          g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_CONFLICT);
          g_assert_cmpuint (r->conflicts->len, ==, 3);
        }
      answered += response->results->len;
      g_assert_cmpint (response->last_seq, ==,
                       ((ClWireMutation *) g_ptr_array_index (batch, answered - 1))->seq);
      requests++;
    }
  g_test_message ("500 edits conflicting on 3 fields each: %u requests, the slowest %.3f s",
                  requests, slowest / 1e6);
  g_assert_cmpuint (requests, ==, 15);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM conflict WHERE account_id = "
                                     "(SELECT account_id FROM device WHERE id = $1) AND seq > 0",
                                     f->ben->device_id, NULL), ==, 1 + 1500);
}

/* A device may hold so many open conflicts ([sync] max-open-conflicts, 3 here): past it, an
 * edit that could add more is refused whole; an edit on the latest version still goes
 * through; once a conflict is resolved, edits of older versions are taken again. */
static void
test_conflict_cap (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[sync]\nmax-open-conflicts=3\n");
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestDevice) ben = NULL;
  g_autofree char *client = NULL;
  g_autofree char *kase = NULL;
  gint64 base;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "ben", "advocate_cv", "14"));
  ana = srv_test_login (env, "ana");
  ben = srv_test_login (env, "ben");
  client = srv_test_new_client (env, ana, "Rose");
  kase = srv_test_new_case (env, ana, client, "14");
  base = srv_test_record_version (env, kase);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *a_value = g_strdup_printf ("ana%u", i);
      g_autofree char *b_value = g_strdup_printf ("ben%u", i);
      g_autoptr(ClWireResult) a = NULL;
      g_autoptr(ClWireResult) b = NULL;

      a = srv_test_push_one (env, ana, srv_test_mutation (ana, "case", kase, CL_WIRE_OP_PUT,
                                                          srv_test_record_version (env, kase),
                                                          "assigned_to", a_value, NULL));
      g_assert_cmpint (a->status, ==, CL_WIRE_STATUS_APPLIED);
      b = srv_test_push_one (env, ben, srv_test_mutation (ben, "case", kase, CL_WIRE_OP_PUT,
                                                          base, "assigned_to", b_value, NULL));
      if (i < 3)
        g_assert_cmpint (b->status, ==, CL_WIRE_STATUS_CONFLICT);
      else
        {
          g_assert_cmpint (b->status, ==, CL_WIRE_STATUS_REJECTED);
          g_assert_cmpstr (b->code, ==, "too_many_conflicts");
        }
    }
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM conflict WHERE device_id = $1 "
                                     "AND resolved_at IS NULL", ben->device_id, NULL), ==, 3);

  /* On the latest version: nothing to conflict with, so it goes through. */
  {
    g_autoptr(ClWireResult) b = srv_test_push_one (env, ben, srv_test_mutation (
                                  ben, "case", kase, CL_WIRE_OP_PUT,
                                  srv_test_record_version (env, kase), "assigned_to", "ben-now",
                                  NULL));
    g_assert_cmpint (b->status, ==, CL_WIRE_STATUS_APPLIED);
  }

  /* One resolved: room again. */
  g_free (srv_test_sql (env, "UPDATE conflict SET resolved_at = now(), resolution = 'theirs' "
                        "WHERE id = (SELECT id FROM conflict WHERE device_id = $1 LIMIT 1)",
                        ben->device_id, NULL));
  {
    g_autoptr(ClWireResult) b = srv_test_push_one (env, ben, srv_test_mutation (
                                  ben, "case", kase, CL_WIRE_OP_PUT, base, "opened_at",
                                  "2026-10-02", NULL));
    g_assert_cmpint (b->status, !=, CL_WIRE_STATUS_REJECTED);
  }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->env = srv_test_env_new (NULL);
  srv_test_add_user (f->env, "ana", "advocate_dv", "14");
  srv_test_add_user (f->env, "ben", "advocate_cv", "14");
  srv_test_add_user (f->env, "sue", "supervisor", "14");
  srv_test_add_user (f->env, "sam", "supervisor", "20");
  srv_test_add_user (f->env, "dir", "director", NULL);
  f->ana = srv_test_login (f->env, "ana");
  f->ben = srv_test_login (f->env, "ben");
  f->sue = srv_test_login (f->env, "sue");
  f->sam = srv_test_login (f->env, "sam");
  f->dir = srv_test_login (f->env, "dir");
  f->client = srv_test_new_client (f->env, f->ana, "Rose");
  f->kase = srv_test_new_case (f->env, f->ana, f->client, "14");
  f->conflict = make_conflict (f, "status", "active", "outreach");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_free (f->client);
  g_free (f->kase);
  g_free (f->conflict);
  srv_test_device_free (f->ana);
  srv_test_device_free (f->ben);
  srv_test_device_free (f->sue);
  srv_test_device_free (f->sam);
  srv_test_device_free (f->dir);
  srv_test_env_free (f->env);
}

static void
test_visibility (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) ben = list (f, f->ben);
  g_autoptr(GPtrArray) sue = list (f, f->sue);
  g_autoptr(GPtrArray) ana = list (f, f->ana);
  g_autoptr(GPtrArray) sam = list (f, f->sam);
  g_autoptr(GPtrArray) dir = list (f, f->dir);
  ClWireConflictInfo *info;

  /* The one who made the losing edit, and the command's supervisor. */
  g_assert_cmpuint (ben->len, ==, 1);
  info = g_ptr_array_index (ben, 0);
  g_assert_cmpstr (info->id, ==, f->conflict);
  g_assert_cmpstr (info->record, ==, f->kase);
  g_assert_cmpstr (info->type, ==, "case");
  g_assert_cmpstr (info->field, ==, "status");
  g_assert_cmpstr (info->kind, ==, "field");
  g_assert_cmpstr (info->server_value, ==, "outreach");
  g_assert_cmpstr (info->client_value, ==, "active");
  g_assert_true (info->mine);
  g_assert_cmpuint (sue->len, ==, 1);
  g_assert_false (((ClWireConflictInfo *) g_ptr_array_index (sue, 0))->mine);

  /* Nobody else. */
  g_assert_cmpuint (ana->len, ==, 0);
  g_assert_cmpuint (sam->len, ==, 0);
  g_assert_cmpuint (dir->len, ==, 0);
}

/* ben, moved to director, reads all content but restricted: he still sees his own open
 * conflict and may close it (the one read rule, not only his scope tokens). */
static void
test_moved_to_director (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) ben = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *output = NULL;

  if (srv_test_cli (f->env, &output, "user", "set", "--username", "ben", "--role", "director",
                    NULL) != 0)
    g_error ("user set: %s", output);
  ben = list (f, f->ben);
  g_assert_cmpuint (ben->len, ==, 1);
  g_assert_cmpstr (((ClWireConflictInfo *) g_ptr_array_index (ben, 0))->id, ==, f->conflict);
  reply = resolve (f, f->ben, f->conflict, "{\"keep\":\"theirs\"}");
  g_assert_cmpuint (reply->status, ==, 200);
}

/* Who made each side, and when: the losing edit (ben) and the value that won (ana), the
 * same for everyone who sees the conflict; only the device that lost it is "this device". */
static void
test_who_and_when (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SrvTestDevice) ben2 = srv_test_login (f->env, "ben");
  g_autoptr(GPtrArray) ben = list (f, f->ben);
  g_autoptr(GPtrArray) sue = list (f, f->sue);
  g_autoptr(GPtrArray) other = list (f, ben2);
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(SrvTestReply) value = NULL;
  g_autofree char *created = NULL;
  ClWireConflictInfo *info;
  gint64 stale;

  info = find_info (ben, f->conflict);
  g_assert_cmpstr (info->client_by, ==, "ben");
  g_assert_cmpstr (info->server_by, ==, "ana");
  g_assert_nonnull (info->server_at);
  /* Times as the server received the changes: ana's first. */
  g_assert_cmpstr (info->server_at, <=, info->created_at);
  created = srv_test_sql (f->env, "SELECT to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                          "FROM conflict WHERE id = $1", f->conflict, NULL);
  g_assert_cmpstr (info->created_at, ==, created);
  g_assert_true (info->mine);
  g_assert_true (info->this_device);

  info = find_info (sue, f->conflict);
  g_assert_cmpstr (info->client_by, ==, "ben");
  g_assert_cmpstr (info->server_by, ==, "ana");
  g_assert_false (info->mine);
  g_assert_false (info->this_device);

  /* Another of ben's devices sees his conflict, as not its own. */
  info = find_info (other, f->conflict);
  g_assert_true (info->mine);
  g_assert_false (info->this_device);

  /* A value a resolution wrote was made by the one who resolved: sue. A later push of
   * the same value changes nothing and does not take it over. */
  stale = srv_test_record_version (f->env, f->kase);
  value = resolve (f, f->sue, f->conflict, "{\"keep\":\"value\",\"value\":\"on_hold\"}");
  g_assert_cmpuint (value->status, ==, 200);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "case", f->kase,
                                                            CL_WIRE_OP_PUT, stale,
                                                            "status", "on_hold", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ben, srv_test_mutation (f->ben, "case", f->kase,
                                                            CL_WIRE_OP_PUT, stale,
                                                            "status", "active", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_CONFLICT);
  later = list (f, f->ben);
  g_assert_cmpuint (later->len, ==, 1);
  info = g_ptr_array_index (later, 0);
  g_assert_cmpstr (info->id, !=, f->conflict);
  g_assert_cmpstr (info->client_by, ==, "ben");
  g_assert_cmpstr (info->server_by, ==, "sue");
  g_assert_cmpstr (info->server_value, ==, "on_hold");

  /* Every conflict recorded since the server knew who won. */
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM conflict WHERE "
                                     "server_by IS NULL", NULL), ==, 0);
}

static void
test_resolve_theirs (Fixture       *f,
                     gconstpointer  data)
{
  gint64 version = srv_test_record_version (f->env, f->kase);
  g_autoptr(SrvTestReply) reply = resolve (f, f->ben, f->conflict, "{\"keep\":\"theirs\"}");
  g_autoptr(SrvTestReply) again = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autofree char *code = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (srv_test_record_version (f->env, f->kase), ==, version);
  left = list (f, f->ben);
  g_assert_cmpuint (left->len, ==, 0);

  again = resolve (f, f->sue, f->conflict, "{\"keep\":\"mine\"}");
  g_assert_cmpuint (again->status, ==, 409);
  code = srv_test_reply_code (again);
  g_assert_cmpstr (code, ==, "already_resolved");
}

static void
test_resolve_mine (Fixture       *f,
                   gconstpointer  data)
{
  gint64 version = srv_test_record_version (f->env, f->kase);
  g_autoptr(SrvTestReply) reply = resolve (f, f->ben, f->conflict, "{\"keep\":\"mine\"}");
  g_autoptr(ClWirePullResponse) pulled = NULL;
  g_autofree char *status = NULL;
  g_autofree char *resolution = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (srv_test_record_version (f->env, f->kase), >, version);
  status = srv_test_sql (f->env, "SELECT fields ->> 'status' FROM record WHERE id = $1",
                         f->kase, NULL);
  g_assert_cmpstr (status, ==, "active");
  resolution = srv_test_sql (f->env, "SELECT resolution FROM conflict WHERE id = $1",
                             f->conflict, NULL);
  g_assert_cmpstr (resolution, ==, "mine");

  /* Everyone's devices pull the resolution like any change. */
  pulled = srv_test_pull (f->env, f->ana, version, 0);
  g_assert_cmpuint (pulled->changes->len, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (((ClWirePullItem *) g_ptr_array_index (pulled->changes,
                                                                              0))->fields,
                                        "status"), ==, "active");
}

static void
test_resolve_value (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SrvTestReply) bad = resolve (f, f->sue, f->conflict,
                                         "{\"keep\":\"value\",\"value\":\"fabulous\"}");
  g_autoptr(SrvTestReply) empty = resolve (f, f->sue, f->conflict,
                                           "{\"keep\":\"value\",\"value\":null}");
  g_autoptr(SrvTestReply) ok = resolve (f, f->sue, f->conflict,
                                        "{\"keep\":\"value\",\"value\":\"on_hold\"}");
  g_autofree char *status = NULL;
  g_autofree char *code = srv_test_reply_code (bad);

  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpstr (code, ==, "invalid_value");
  g_assert_cmpuint (empty->status, ==, 400);
  g_assert_cmpuint (ok->status, ==, 200);
  status = srv_test_sql (f->env, "SELECT fields ->> 'status' FROM record WHERE id = $1",
                         f->kase, NULL);
  g_assert_cmpstr (status, ==, "on_hold");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'conflict.resolve'", NULL), ==, 1);
}

static void
test_resolve_denied (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *unknown = cl_uuid_new ();
  g_autoptr(SrvTestReply) ana = resolve (f, f->ana, f->conflict, "{\"keep\":\"mine\"}");
  g_autoptr(SrvTestReply) sam = resolve (f, f->sam, f->conflict, "{\"keep\":\"theirs\"}");
  g_autoptr(SrvTestReply) dir = resolve (f, f->dir, f->conflict, "{\"keep\":\"theirs\"}");
  g_autoptr(SrvTestReply) none = resolve (f, f->ben, unknown, "{\"keep\":\"theirs\"}");
  g_autoptr(SrvTestReply) junk = resolve (f, f->ben, f->conflict, "{\"keep\":\"both\"}");

  /* Not theirs to see: as if it did not exist. */
  g_assert_cmpuint (ana->status, ==, 404);
  g_assert_cmpuint (sam->status, ==, 404);
  g_assert_cmpuint (dir->status, ==, 404);
  g_assert_cmpuint (none->status, ==, 404);
  g_assert_cmpuint (junk->status, ==, 400);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM conflict WHERE resolved_at "
                                     "IS NOT NULL", NULL), ==, 0);
}

/* A delete that lost to an edit, resolved by keeping the delete. */
static void
test_resolve_delete (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *task = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(SrvTestReply) value = NULL;
  g_autoptr(SrvTestReply) mine = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  ClWireConflictInfo *info;
  gint64 base;
  const char *id;

  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT,
                                                            0, "case_id", f->kase,
                                                            "due", "2026-12-01", "title", "Call",
                                                            NULL));
  base = r->version;
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT,
                                                            base, "title", "Call again", NULL));
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ben, srv_test_mutation (f->ben, "task", task,
                                                            CL_WIRE_OP_DELETE, base, NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_CONFLICT);
  id = ((ClWireConflict *) g_ptr_array_index (r->conflicts, 0))->conflict_id;
  /* The side that won is ana's edit of the title. */
  listed = list (f, f->sue);
  info = find_info (listed, id);
  g_assert_cmpstr (info->kind, ==, "delete");
  g_assert_cmpstr (info->client_by, ==, "ben");
  g_assert_cmpstr (info->server_by, ==, "ana");

  value = resolve (f, f->ben, id, "{\"keep\":\"value\",\"value\":\"x\"}");
  g_assert_cmpuint (value->status, ==, 400);
  mine = resolve (f, f->ben, id, "{\"keep\":\"mine\"}");
  g_assert_cmpuint (mine->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1 AND "
                                     "deleted", task, NULL), ==, 1);
}

/* An edit that lost to a delete, resolved by keeping the edit: the record lives again. */
static void
test_resolve_deleted (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *task = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(SrvTestReply) mine = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autofree char *deleted_at = NULL;
  g_autofree char *title = NULL;
  ClWireConflictInfo *info;
  gint64 base;
  const char *id;

  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT,
                                                            0, "case_id", f->kase,
                                                            "due", "2026-12-01", "title", "Call",
                                                            NULL));
  base = r->version;
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "task", task,
                                                            CL_WIRE_OP_DELETE, base, NULL));
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ben, srv_test_mutation (f->ben, "task", task, CL_WIRE_OP_PUT,
                                                            base, "title", "Call at 5", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_CONFLICT);
  id = ((ClWireConflict *) g_ptr_array_index (r->conflicts, 0))->conflict_id;
  /* The side that won is ana's delete, when she deleted it. */
  listed = list (f, f->ben);
  info = find_info (listed, id);
  g_assert_cmpstr (info->kind, ==, "deleted");
  g_assert_cmpstr (info->server_by, ==, "ana");
  deleted_at = srv_test_sql (f->env, "SELECT to_char(deleted_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                             "FROM record WHERE id = $1", task, NULL);
  g_assert_cmpstr (info->server_at, ==, deleted_at);

  mine = resolve (f, f->sue, id, "{\"keep\":\"mine\"}");
  g_assert_cmpuint (mine->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1 AND NOT "
                                     "deleted", task, NULL), ==, 1);
  title = srv_test_sql (f->env, "SELECT fields ->> 'title' FROM record WHERE id = $1", task, NULL);
  g_assert_cmpstr (title, ==, "Call at 5");
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/server/conflicts/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("budget", test_conflict_budget);
  g_test_add_func ("/server/conflicts/cap", test_conflict_cap);
  ADD ("visibility", test_visibility);
  ADD ("moved-to-director", test_moved_to_director);
  ADD ("who-and-when", test_who_and_when);
  ADD ("resolve-theirs", test_resolve_theirs);
  ADD ("resolve-mine", test_resolve_mine);
  ADD ("resolve-value", test_resolve_value);
  ADD ("resolve-denied", test_resolve_denied);
  ADD ("resolve-delete", test_resolve_delete);
  ADD ("resolve-deleted", test_resolve_deleted);
#undef ADD
  return g_test_run ();
}
