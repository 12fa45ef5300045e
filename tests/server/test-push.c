/* test-push.c: push semantics, one by one; R3 (lost response), R8, R9, S12
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <gio/gunixsocketaddress.h>

#include "cl-schema.h"
#include "srv-test.h"

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *ana;   /* advocate, command 14 */
  SrvTestDevice *ben;   /* advocate, command 14, another workstation */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->env = srv_test_env_new (NULL);
  srv_test_add_user (f->env, "ana", "advocate_dv", "14");
  srv_test_add_user (f->env, "ben", "advocate_cv", "14");
  f->ana = srv_test_login (f->env, "ana");
  f->ben = srv_test_login (f->env, "ben");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  srv_test_device_free (f->ana);
  srv_test_device_free (f->ben);
  srv_test_env_free (f->env);
}

#define STATUS(r) cl_wire_status_to_string ((r)->status)

static char *
field (SrvTestEnv *env,
       const char *record,
       const char *name)
{
  return srv_test_sql (env, "SELECT fields ->> $2 FROM record WHERE id = $1", record, name, NULL);
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *client = cl_uuid_new ();
  g_autofree char *kase = cl_uuid_new ();
  g_autofree char *note = cl_uuid_new ();
  g_autoptr(ClWirePushResponse) r = NULL;
  g_autofree char *v = NULL;

  r = srv_test_push (f->env, f->ana,
                     srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                        "pseudonym", "Rose", "age_band", "25_59", NULL),
                     srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, 0,
                                        "client_id", client, "command", "14", "track", "dv",
                                        "status", "referred", NULL),
                     srv_test_mutation (f->ana, "note", note, CL_WIRE_OP_PUT, 0,
                                        "case_id", kase, "at", "2026-11-28T10:00:00Z",
                                        "text", "First call", NULL),
                     NULL);
  g_assert_cmpint (r->last_seq, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      ClWireResult *res = g_ptr_array_index (r->results, i);
      g_assert_cmpstr (STATUS (res), ==, "applied");
      g_assert_cmpint (res->seq, ==, i + 1);
      g_assert_cmpint (res->version, >, 0);
    }

  v = field (f->env, kase, "status");
  g_assert_cmpstr (v, ==, "referred");
  /* The client took its case's command as its scope; the note its case's. */
  g_clear_pointer (&v, g_free);
  v = srv_test_sql (f->env, "SELECT array_to_string(scope, ',') FROM record WHERE id = $1",
                    client, NULL);
  g_assert_cmpstr (v, ==, "cmd:14");
  g_clear_pointer (&v, g_free);
  v = srv_test_sql (f->env, "SELECT array_to_string(scope, ',') FROM record WHERE id = $1",
                    note, NULL);
  g_assert_cmpstr (v, ==, "cmd:14");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT last_seq FROM device WHERE id = $1",
                                     f->ana->device_id, NULL), ==, 3);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM mutation_log", NULL), ==, 3);
  /* The clock is the highest version. */
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT v FROM sync_clock", NULL), ==,
                   srv_test_sql_int (f->env, "SELECT max(version) FROM record", NULL));
}

static void
test_update (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  gint64 base = srv_test_record_version (f->env, kase);
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(ClWireResult) same = NULL;
  g_autofree char *v = NULL;

  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, base,
                                            "status", "outreach", NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");
  g_assert_cmpint (r->version, >, base);
  v = field (f->env, kase, "status");
  g_assert_cmpstr (v, ==, "outreach");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT (field_versions ->> 'status')::bigint "
                                     "FROM record WHERE id = $1", kase, NULL), ==, r->version);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT (field_versions ->> 'track')::bigint "
                                     "FROM record WHERE id = $1", kase, NULL), ==, base);

  /* Setting what is already there changes nothing, not even the version. */
  same = srv_test_push_one (f->env, f->ana,
                            srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, base,
                                               "status", "outreach", NULL));
  g_assert_cmpstr (STATUS (same), ==, "applied");
  g_assert_cmpint (same->version, ==, r->version);

  /* null clears an optional field. */
  g_clear_pointer (&same, cl_wire_result_free);
  same = srv_test_push_one (f->env, f->ana,
                            srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, r->version,
                                               "status", "active", "victim_role", "primary",
                                               NULL));
  g_clear_pointer (&same, cl_wire_result_free);
  same = srv_test_push_one (f->env, f->ana,
                            srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT,
                                               srv_test_record_version (f->env, kase),
                                               "victim_role", NULL, NULL));
  g_assert_cmpstr (STATUS (same), ==, "applied");
  g_clear_pointer (&v, g_free);
  v = field (f->env, kase, "victim_role");
  g_assert_null (v);
}

/* R8: two devices, same case. */
static void
test_concurrent_edits (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  gint64 base = srv_test_record_version (f->env, kase);
  g_autoptr(ClWireResult) a = NULL;
  g_autoptr(ClWireResult) b = NULL;
  g_autoptr(ClWireResult) c = NULL;
  g_autoptr(ClWireResult) d = NULL;
  g_autoptr(ClWireResult) e = NULL;
  g_autoptr(SrvTestDevice) cy = NULL;
  ClWireConflict *conflict;
  g_autofree char *v = NULL;

  /* Different fields: both apply. */
  a = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, base,
                                            "status", "outreach", NULL));
  b = srv_test_push_one (f->env, f->ben,
                         srv_test_mutation (f->ben, "case", kase, CL_WIRE_OP_PUT, base,
                                            "victim_role", "primary", NULL));
  g_assert_cmpstr (STATUS (a), ==, "applied");
  g_assert_cmpstr (STATUS (b), ==, "applied");
  g_assert_cmpuint (b->conflicts->len, ==, 0);

  /* Same field, same value: no conflict. */
  cy = srv_test_login (f->env, "ana");
  c = srv_test_push_one (f->env, cy,
                         srv_test_mutation (cy, "case", kase, CL_WIRE_OP_PUT, base,
                                            "status", "outreach", NULL));
  g_assert_cmpstr (STATUS (c), ==, "applied");
  g_assert_cmpuint (c->conflicts->len, ==, 0);

  /* Same field, another value: exactly one conflict, both values kept, the server's
   * value stays; the other field of the mutation still applies. */
  d = srv_test_push_one (f->env, f->ben,
                         srv_test_mutation (f->ben, "case", kase, CL_WIRE_OP_PUT, base,
                                            "status", "active", "funding_sources", "voca",
                                            NULL));
  g_assert_cmpstr (STATUS (d), ==, "conflict");
  g_assert_cmpuint (d->conflicts->len, ==, 1);
  conflict = g_ptr_array_index (d->conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "status");
  g_assert_cmpstr (conflict->server_value, ==, "outreach");
  g_assert_cmpstr (conflict->client_value, ==, "active");
  g_assert_true (cl_is_uuid (conflict->conflict_id));

  v = field (f->env, kase, "status");
  g_assert_cmpstr (v, ==, "outreach");
  g_clear_pointer (&v, g_free);
  v = field (f->env, kase, "funding_sources");
  g_assert_cmpstr (v, ==, "voca");
  g_clear_pointer (&v, g_free);
  v = srv_test_sql (f->env, "SELECT server_value || '/' || client_value || '/' || kind "
                    "FROM conflict WHERE id = $1", conflict->conflict_id, NULL);
  g_assert_cmpstr (v, ==, "outreach/active/field");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM conflict", NULL), ==, 1);

  /* A device's own earlier write is no conflict for its next edit of the field. */
  e = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", kase, CL_WIRE_OP_PUT, base,
                                            "status", "active", NULL));
  g_assert_cmpstr (STATUS (e), ==, "applied");
  g_assert_cmpuint (e->conflicts->len, ==, 0);
}

/* R9: edit versus delete, both orders. */
static void
test_edit_delete (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *task = cl_uuid_new ();
  g_autofree char *task2 = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  gint64 base;
  g_autofree char *v = NULL;

  /* Delete, then an edit made before seeing it: the edit becomes a conflict and the record
   * stays deleted (no silent resurrection). */
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_PUT, 0,
                                            "case_id", kase, "due", "2026-12-01",
                                            "title", "Call back", NULL));
  base = r->version;
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_DELETE, base, NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ben,
                         srv_test_mutation (f->ben, "task", task, CL_WIRE_OP_PUT, base,
                                            "done", "1", NULL));
  g_assert_cmpstr (STATUS (r), ==, "conflict");
  g_assert_cmpuint (r->conflicts->len, ==, 1);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1 "
                                     "AND deleted", task, NULL), ==, 1);
  v = srv_test_sql (f->env, "SELECT kind || '/' || client_value FROM conflict "
                    "WHERE record_id = $1", task, NULL);
  g_assert_cmpstr (v, ==, "deleted/1");

  /* An edit, then a delete made before seeing it: the edit stays, the delete is a
   * conflict someone decides. */
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task2, CL_WIRE_OP_PUT, 0,
                                            "case_id", kase, "due", "2026-12-01",
                                            "title", "Court", NULL));
  base = r->version;
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task2, CL_WIRE_OP_PUT, base,
                                            "title", "Court date moved", NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ben,
                         srv_test_mutation (f->ben, "task", task2, CL_WIRE_OP_DELETE, base, NULL));
  g_assert_cmpstr (STATUS (r), ==, "conflict");
  g_assert_cmpstr (((ClWireConflict *) g_ptr_array_index (r->conflicts, 0))->field, ==,
                   "_deleted");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1 "
                                     "AND NOT deleted", task2, NULL), ==, 1);
  g_clear_pointer (&v, g_free);
  v = field (f->env, task2, "title");
  g_assert_cmpstr (v, ==, "Court date moved");

  /* Deleting twice is harmless. */
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "task", task, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, task), NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");
}

static void
assert_rejected (Fixture        *f,
                 ClWireMutation *m,
                 const char     *code)
{
  gint64 seq = f->ana->next_seq;
  g_autoptr(ClWireResult) r = srv_test_push_one (f->env, f->ana, m);

  g_assert_cmpstr (STATUS (r), ==, "rejected");
  g_assert_cmpstr (r->code, ==, code);
  g_assert_nonnull (r->message);
  /* Rejected but acknowledged: the queue moves on. */
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT last_seq FROM device WHERE id = $1",
                                     f->ana->device_id, NULL), ==, seq);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM mutation_log WHERE seq = $1 "
                                     "AND status = 'rejected' AND code = $2 AND device_id = $3",
                                     g_strdup_printf ("%" G_GINT64_FORMAT, seq), code,
                                     f->ana->device_id, NULL), ==, 1);
}

static void
test_rejections (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *missing = cl_uuid_new ();
  g_autofree char *fresh = cl_uuid_new ();
  g_autofree char *contact = cl_uuid_new ();
  gint64 v = srv_test_record_version (f->env, kase);
  gint64 clock_before;
  g_autoptr(ClWireResult) ok = NULL;

#define M(type, rec, op, base, ...) \
  srv_test_mutation (f->ana, type, rec, op, base, __VA_ARGS__)

  assert_rejected (f, M ("spaceship", fresh, CL_WIRE_OP_PUT, 0, "x", "1", NULL), "unknown_type");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "colour", "red", NULL),
                   "unknown_field");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "first_contact_at",
                         "2026-11-28T10:00:00Z", NULL), "derived_field");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "status", "fabulous", NULL),
                   "invalid_value");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "status", " active", NULL),
                   "invalid_value");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "opened_at", "2026-02-30", NULL),
                   "invalid_value");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "track", NULL, NULL),
                   "required_field");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "client_id", fresh, NULL),
                   "immutable_field");
  assert_rejected (f, M ("client", kase, CL_WIRE_OP_PUT, v, "pseudonym", "x", NULL),
                   "type_mismatch");
  assert_rejected (f, M ("case", missing, CL_WIRE_OP_PUT, 3, "status", "active", NULL),
                   "not_found");
  assert_rejected (f, M ("case", missing, CL_WIRE_OP_DELETE, 0, NULL), "not_found");
  assert_rejected (f, M ("case", fresh, CL_WIRE_OP_PUT, 0, "client_id", client,
                         "command", "14", "track", "dv", NULL), "required_field");
  assert_rejected (f, M ("case", fresh, CL_WIRE_OP_PUT, 0, "client_id", missing,
                         "command", "14", "track", "dv", "status", "referred", NULL),
                   "parent_not_found");
  assert_rejected (f, M ("case", fresh, CL_WIRE_OP_PUT, 0, "client_id", kase,
                         "command", "14", "track", "dv", "status", "referred", NULL),
                   "parent_not_found");
  assert_rejected (f, M ("case", kase, CL_WIRE_OP_PUT, v, "command", "999", NULL),
                   "forbidden");
  assert_rejected (f, M ("referral", fresh, CL_WIRE_OP_PUT, 0, "case_id", kase,
                         "received_at", "2026-11-28T10:00:00Z", "source", "walk_in",
                         "incident_command", "999", NULL), "unknown_command");

  /* Append-only records: created once, never edited or deleted. */
  ok = srv_test_push_one (f->env, f->ana,
                          M ("contact", contact, CL_WIRE_OP_PUT, 0, "case_id", kase,
                             "at", "2026-11-28T10:00:00Z", "channel", "phone",
                             "outcome", "reached", NULL));
  g_assert_cmpstr (STATUS (ok), ==, "applied");
  assert_rejected (f, M ("contact", contact, CL_WIRE_OP_PUT, ok->version, "outcome",
                         "no_answer", NULL), "append_only");
  assert_rejected (f, M ("contact", contact, CL_WIRE_OP_DELETE, ok->version, NULL),
                   "append_only");
#undef M

  /* Nothing of the rejected mutations reached the records. */
  clock_before = srv_test_sql_int (f->env, "SELECT v FROM sync_clock", NULL);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE type <> "
                                     "'command'", NULL), ==, 3);
  g_assert_cmpint (srv_test_record_version (f->env, kase), ==, v);
  g_assert_cmpint (clock_before, >=, v);
}

static void
test_authorization (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SrvTestDevice) cy = NULL;
  g_autoptr(SrvTestDevice) dir = NULL;
  g_autoptr(SrvTestDevice) admin = NULL;
  g_autofree char *client = srv_test_new_client (f->env, f->ana, "Rose");
  g_autofree char *kase = srv_test_new_case (f->env, f->ana, client, "14");
  g_autofree char *other = cl_uuid_new ();
  g_autofree char *partner = cl_uuid_new ();
  g_autoptr(ClWireResult) r = NULL;
  gint64 v = srv_test_record_version (f->env, kase);

  srv_test_add_user (f->env, "cy", "advocate_dv", "20");
  srv_test_add_user (f->env, "dir", "director", NULL);
  srv_test_add_user (f->env, "root", "admin", NULL);
  cy = srv_test_login (f->env, "cy");
  dir = srv_test_login (f->env, "dir");
  admin = srv_test_login (f->env, "root");

  /* Another command's advocate (to whom the case does not exist), a director (reads
   * only), an admin (no case content). */
  r = srv_test_push_one (f->env, cy, srv_test_mutation (cy, "case", kase, CL_WIRE_OP_PUT, v,
                                                        "status", "closed", NULL));
  g_assert_cmpstr (r->code, ==, "not_found");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, dir, srv_test_mutation (dir, "case", kase, CL_WIRE_OP_PUT, v,
                                                         "status", "closed", NULL));
  g_assert_cmpstr (r->code, ==, "forbidden");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, admin, srv_test_mutation (admin, "note", other,
                                                           CL_WIRE_OP_PUT, 0, "case_id", kase,
                                                           "at", "2026-11-28T10:00:00Z",
                                                           "text", "x", NULL));
  g_assert_cmpstr (r->code, ==, "parent_not_found");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, dir, srv_test_mutation (dir, "client", other, CL_WIRE_OP_PUT, 0,
                                                         "pseudonym", "x", NULL));
  g_assert_cmpstr (r->code, ==, "forbidden");
  g_clear_pointer (&r, cl_wire_result_free);
  /* A case in a command the advocate does not work in. */
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", other, CL_WIRE_OP_PUT, 0,
                                            "client_id", client, "command", "20", "track", "dv",
                                            "status", "referred", NULL));
  g_assert_cmpstr (r->code, ==, "forbidden");
  g_clear_pointer (&r, cl_wire_result_free);

  /* Reference data: the admin writes it, advocates do not. */
  r = srv_test_push_one (f->env, admin, srv_test_mutation (admin, "partner", partner,
                                                           CL_WIRE_OP_PUT, 0, "name", "Shelter",
                                                           NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana, srv_test_mutation (f->ana, "partner", partner,
                                                            CL_WIRE_OP_PUT, r == NULL ? 0 : 0,
                                                            "name", "Other", NULL));
  g_assert_cmpstr (r->code, ==, "forbidden");
  g_clear_pointer (&r, cl_wire_result_free);

  /* Everyone writes their own audit events. */
  r = srv_test_push_one (f->env, admin, srv_test_mutation (admin, "audit", other, CL_WIRE_OP_PUT,
                                                           0, "user", "root",
                                                           "at", "2026-11-28T10:00:00Z",
                                                           "action", "export", NULL));
  g_assert_cmpstr (STATUS (r), ==, "applied");

  /* Every denial is audited, without values. */
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'forbidden'", NULL), ==, 4);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'hidden'", NULL), ==, 1);
  g_assert_cmpstr (srv_test_sql (f->env, "SELECT fields ->> 'status' FROM record WHERE id = $1",
                                 kase, NULL), ==, "referred");
}

/* R3: the server committed, the answer never arrived; the retry gets the stored result and
 * nothing applies twice. */
static void
test_lost_response (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *client = cl_uuid_new ();
  g_autofree char *note = cl_uuid_new ();
  g_autofree char *kase = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  ClWirePushRequest request = { f->ana->device_id, batch };
  g_autofree char *body = NULL;
  g_autofree char *head = NULL;
  g_autofree char *first = NULL;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (f->env->socket_path);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SrvTestReply) retry = NULL;
  g_autoptr(ClWirePushResponse) response = NULL;
  gsize len;
  gint64 deadline;
  const char *text;

  kase = srv_test_new_case (f->env, f->ana, srv_test_new_client (f->env, f->ana, "Rose"), "14");
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "Lily", NULL));
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "note", note, CL_WIRE_OP_PUT, 0,
                                             "case_id", kase, "at", "2026-11-28T10:00:00Z",
                                             "text", "Token 7f3a", NULL));
  for (guint i = 0; i < batch->len; i++)
    ((ClWireMutation *) g_ptr_array_index (batch, i))->seq = f->ana->next_seq++;
  body = cl_wire_push_request_encode (&request, &len);
  head = g_strdup_printf ("POST /v1/push HTTP/1.1\r\nHost: localhost\r\n"
                          "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", f->ana->token, len);

  /* Send, then hang up without reading. */
  connection = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address), NULL,
                                        &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), head,
                             strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), body,
                             len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (srv_test_sql_int (f->env, "SELECT last_seq FROM device WHERE id = $1",
                           f->ana->device_id, NULL) < 4)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }

  /* The retry: the same batch. */
  retry = srv_test_request (f->env, "POST", "/v1/push", f->ana->token, body, len);
  g_assert_cmpuint (retry->status, ==, 200);
  text = srv_test_reply_text (retry);
  response = cl_wire_push_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->last_seq, ==, 4);
  for (guint i = 0; i < 2; i++)
    {
      ClWireResult *res = g_ptr_array_index (response->results, i);
      g_autofree char *stored = srv_test_sql (f->env, "SELECT result ->> 'version' FROM "
                                              "mutation_log WHERE device_id = $1 AND seq = $2",
                                              f->ana->device_id, i == 0 ? "3" : "4", NULL);
      g_assert_cmpstr (STATUS (res), ==, "applied");
      g_assert_cmpint (res->version, ==, g_ascii_strtoll (stored, NULL, 10));
    }
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id IN ($1, $2)",
                                     client, note, NULL), ==, 2);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM mutation_log", NULL), ==, 4);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM mutation_log WHERE seq > 2",
                                     NULL), ==, 2);
  /* A third time, still the same. */
  first = g_strdup (text);
  g_clear_pointer (&retry, srv_test_reply_free);
  retry = srv_test_request (f->env, "POST", "/v1/push", f->ana->token, body, len);
  g_assert_cmpstr (srv_test_reply_text (retry), ==, first);
}

static void
test_gap (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *client = cl_uuid_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWireErrorReply) e = NULL;
  const char *text;

  f->ana->next_seq = 5;
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "x", NULL));
  reply = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (reply->status, ==, 409);
  text = srv_test_reply_text (reply);
  e = cl_wire_error_reply_decode (text, strlen (text), NULL);
  g_assert_cmpstr (e->code, ==, "seq_gap");
  g_assert_cmpint (e->expected_seq, ==, 1);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM record WHERE id = $1",
                                     client, NULL), ==, 0);

  /* Seqs inside a batch follow each other. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "x", NULL));
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "y", NULL));
  ((ClWireMutation *) g_ptr_array_index (batch, 0))->seq = 1;
  ((ClWireMutation *) g_ptr_array_index (batch, 1))->seq = 3;
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (reply->status, ==, 400);
}

/* S12: a replayed push gets its stored result; the same seq with another body is 422 and
 * a security entry. */
static void
test_replay (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *client = cl_uuid_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(SrvTestReply) first = NULL;
  g_autoptr(SrvTestReply) again = NULL;
  g_autoptr(SrvTestReply) forged = NULL;
  g_autoptr(SrvTestReply) mixed = NULL;
  g_autofree char *code = NULL;
  g_autofree char *log = NULL;
  ClWireMutation *m;
  gint64 version;

  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "Iris", NULL));
  first = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (first->status, ==, 200);
  version = srv_test_record_version (f->env, client);

  again = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (srv_test_reply_text (again), ==, srv_test_reply_text (first));
  g_assert_cmpint (srv_test_record_version (f->env, client), ==, version);

  /* A replay with a new mutation after it: the old one is answered from the log, the new
   * one applied. */
  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, version,
                                             "age_band", "18_24", NULL));
  mixed = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (mixed->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT last_seq FROM device WHERE id = $1",
                                     f->ana->device_id, NULL), ==, 2);
  g_ptr_array_remove_index (batch, 1);

  m = g_ptr_array_index (batch, 0);
  cl_wire_mutation_add_change (m, "pseudonym", NULL, "Violet");
  forged = srv_test_push_raw (f->env, f->ana, batch);
  g_assert_cmpuint (forged->status, ==, 422);
  code = srv_test_reply_code (forged);
  g_assert_cmpstr (code, ==, "seq_reused");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE security "
                                     "AND outcome = 'seq_reused' AND device_id = $1",
                                     f->ana->device_id, NULL), ==, 1);
  g_assert_cmpstr (srv_test_sql (f->env, "SELECT fields ->> 'pseudonym' FROM record "
                                 "WHERE id = $1", client, NULL), ==, "Iris");
  log = srv_test_read_log (f->env);
  g_assert_nonnull (strstr (log, "SECURITY push seq_reused"));
  g_assert_null (strstr (log, "Violet"));
}

static void
test_device_mismatch (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *client = cl_uuid_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  ClWirePushRequest request = { f->ben->device_id, batch };
  g_autofree char *body = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  gsize len;

  g_ptr_array_add (batch, srv_test_mutation (f->ana, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "x", NULL));
  ((ClWireMutation *) g_ptr_array_index (batch, 0))->seq = 1;
  body = cl_wire_push_request_encode (&request, &len);
  reply = srv_test_request (f->env, "POST", "/v1/push", f->ana->token, body, len);
  g_assert_cmpuint (reply->status, ==, 403);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE security "
                                     "AND outcome = 'device_mismatch'", NULL), ==, 1);
}

static void
test_empty_push (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ClWirePushResponse) r = srv_test_push (f->env, f->ana, NULL, NULL);

  g_assert_cmpint (r->last_seq, ==, 0);
  g_assert_cmpuint (r->results->len, ==, 0);
  g_assert_null (r->revoked);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/server/push/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("create", test_create);
  ADD ("update", test_update);
  ADD ("concurrent-edits", test_concurrent_edits);
  ADD ("edit-versus-delete", test_edit_delete);
  ADD ("rejections", test_rejections);
  ADD ("authorization", test_authorization);
  ADD ("lost-response", test_lost_response);
  ADD ("gap", test_gap);
  ADD ("replay", test_replay);
  ADD ("device-mismatch", test_device_mismatch);
  ADD ("empty", test_empty_push);
#undef ADD
  return g_test_run ();
}
