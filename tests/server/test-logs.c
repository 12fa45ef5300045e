/* test-logs.c: S13, after a full run with marker data (every kind of request, success and
 * failure, with debug logging on), the server's log and its audit table hold no client
 * data, no token and no password
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include <sodium.h>

#include "cl-schema.h"
#include "srv-audit.h"
#include "srv-test.h"

static char *
marker (const char *kind)
{
  guint8 raw[6];
  char hex[13];

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
  return g_strdup_printf ("Mk%s%s", kind, hex);
}

static char *
lower_marker (const char *kind)
{
  g_autofree char *m = marker (kind);
  return g_ascii_strdown (m, -1);
}

static void
assert_absent (const char *haystack,
               const char *what,
               const char *needle)
{
  g_autofree char *h = g_ascii_strdown (haystack, -1);
  g_autofree char *n = g_ascii_strdown (needle, -1);

  if (strstr (h, n) != NULL)
    g_error ("The %s holds “%s”", what, needle);
}

/* Ana and ben edit @client's pseudonym from the same version, each with a marker: the
 * path to resolve ben's conflict. */
static char *
make_conflict (SrvTestEnv    *env,
               SrvTestDevice *ana,
               SrvTestDevice *ben,
               const char    *client,
               GPtrArray     *markers)
{
  gint64 base = srv_test_record_version (env, client);
  char *a = marker ("conflicta");
  char *b = marker ("conflictb");
  g_autoptr(ClWireResult) r1 = NULL;
  g_autoptr(ClWireResult) r2 = NULL;

  g_ptr_array_add (markers, a);
  g_ptr_array_add (markers, b);
  r1 = srv_test_push_one (env, ana, srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT,
                                                       base, "pseudonym", a, NULL));
  r2 = srv_test_push_one (env, ben, srv_test_mutation (ben, "client", client, CL_WIRE_OP_PUT,
                                                       base, "pseudonym", b, NULL));
  g_assert_cmpint (r2->status, ==, CL_WIRE_STATUS_CONFLICT);
  return g_strdup_printf ("/v1/conflicts/%s/resolve",
                          ((ClWireConflict *) g_ptr_array_index (r2->conflicts, 0))->conflict_id);
}

static void
test_s13 (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(GPtrArray) markers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestDevice) ben = NULL;
  g_autofree char *client = cl_uuid_new ();
  g_autofree char *kase = cl_uuid_new ();
  g_autofree char *note = cl_uuid_new ();
  g_autofree char *contact = cl_uuid_new ();
  g_autofree char *log = NULL;
  g_autofree char *audit = NULL;
  const char *client_fields[] = { "legal_name", "preferred_name", "pseudonym", "address",
                                  "phone", "email", "gender_self" };
  gint64 base;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  srv_test_add_user (env, "ben", "advocate_cv", "14");
  ana = srv_test_login (env, "ana");
  ben = srv_test_login (env, "ben");
  g_ptr_array_add (secrets, g_strdup (ana->token));
  g_ptr_array_add (secrets, g_strdup (ben->token));
  g_ptr_array_add (secrets, g_strdup (SRV_TEST_PASSWORD));

  /* Records full of markers. */
  {
    ClWireMutation *m = srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT, 0, NULL);
    g_autoptr(ClWireResult) r = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (client_fields); i++)
      {
        char *value = marker ("client");
        cl_wire_mutation_add_change (m, client_fields[i], NULL, value);
        g_ptr_array_add (markers, value);
      }
    r = srv_test_push_one (env, ana, m);
    g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  }
  {
    g_autofree char *number = marker ("casenumber");
    g_autofree char *text = marker ("note");
    g_autofree char *contact_note = marker ("contact");
    g_autoptr(ClWirePushResponse) r = NULL;

    r = srv_test_push (env, ana,
                       srv_test_mutation (ana, "case", kase, CL_WIRE_OP_PUT, 0,
                                          "client_id", client, "command", "14", "track", "dv",
                                          "status", "referred", "case_number", number, NULL),
                       srv_test_mutation (ana, "note", note, CL_WIRE_OP_PUT, 0,
                                          "case_id", kase, "at", "2026-11-28T10:00:00Z",
                                          "text", text, NULL),
                       srv_test_mutation (ana, "contact", contact, CL_WIRE_OP_PUT, 0,
                                          "case_id", kase, "at", "2026-11-28T10:00:00Z",
                                          "channel", "phone", "outcome", "reached",
                                          "note", contact_note, NULL),
                       NULL);
    g_ptr_array_add (markers, g_steal_pointer (&number));
    g_ptr_array_add (markers, g_steal_pointer (&text));
    g_ptr_array_add (markers, g_steal_pointer (&contact_note));
  }

  /* Rejections, conflicts, resolutions, denials: all with markers in them. */
  base = srv_test_record_version (env, client);
  {
    g_autofree char *bad = marker ("invalid");
    g_autofree char *fieldname = lower_marker ("field");
    g_autofree char *resolved = marker ("resolved");
    g_autofree char *path = make_conflict (env, ana, ben, client, markers);
    g_autofree char *body = NULL;
    g_autoptr(ClWireResult) r3 = NULL;
    g_autoptr(ClWireResult) r4 = NULL;
    g_autoptr(SrvTestReply) reply = NULL;

    r3 = srv_test_push_one (env, ben, srv_test_mutation (ben, "case", kase, CL_WIRE_OP_PUT,
                                                         base, "status", bad, NULL));
    g_assert_cmpint (r3->status, ==, CL_WIRE_STATUS_REJECTED);
    r4 = srv_test_push_one (env, ben, srv_test_mutation (ben, "case", kase, CL_WIRE_OP_PUT,
                                                         base, fieldname, bad, NULL));
    g_assert_cmpint (r4->status, ==, CL_WIRE_STATUS_REJECTED);

    body = g_strdup_printf ("{\"keep\":\"value\",\"value\":\"%s\"}", resolved);
    reply = srv_test_request (env, "POST", path, ben->token, body, -1);
    g_assert_cmpuint (reply->status, ==, 200);
    g_clear_pointer (&reply, srv_test_reply_free);
    reply = srv_test_request (env, "GET", "/v1/conflicts", ana->token, NULL, 0);
    g_clear_pointer (&reply, srv_test_reply_free);

    /* Invalid JSON carrying a marker. */
    g_free (body);
    body = g_strdup_printf ("{\"device_id\":\"%s\",\"mutations\":[{\"x\":\"%s\"", ana->device_id,
                            bad);
    reply = srv_test_request (env, "POST", "/v1/push", ana->token, body, -1);
    g_assert_cmpuint (reply->status, ==, 400);

    g_ptr_array_add (markers, g_steal_pointer (&bad));
    g_ptr_array_add (markers, g_steal_pointer (&fieldname));
    g_ptr_array_add (markers, g_steal_pointer (&resolved));
  }

  /* Failed sign-ins: a marker as a name, as a password, as a device name. */
  {
    g_autofree char *name = lower_marker ("username");
    g_autofree char *password = marker ("password");
    g_autofree char *device = marker ("device");
    g_autofree char *b1 = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"x\","
                                           "\"device_name\":\"%s\"}", name, device);
    g_autofree char *b2 = g_strdup_printf ("{\"username\":\"ana\",\"password\":\"%s\","
                                           "\"device_name\":\"%s\"}", password, device);
    g_autofree char *b3 = g_strdup_printf ("{\"username\":\"ana\",\"password\":\""
                                           SRV_TEST_PASSWORD "\",\"device_name\":\"%s\"}",
                                           device);
    g_autoptr(SrvTestReply) r1 = srv_test_request (env, "POST", "/v1/login", NULL, b1, -1);
    g_autoptr(SrvTestReply) r2 = srv_test_request (env, "POST", "/v1/login", NULL, b2, -1);
    g_autoptr(SrvTestReply) r3 = srv_test_request (env, "POST", "/v1/login", NULL, b3, -1);

    g_assert_cmpuint (r1->status, ==, 401);
    g_assert_cmpuint (r2->status, ==, 401);
    g_assert_cmpuint (r3->status, ==, 200);
    {
      const char *text = srv_test_reply_text (r3);
      g_autoptr(ClWireLoginResponse) l = cl_wire_login_response_decode (text, strlen (text),
                                                                        NULL);
      g_ptr_array_add (secrets, g_strdup (l->token));
    }
    g_ptr_array_add (markers, g_steal_pointer (&name));
    g_ptr_array_add (markers, g_steal_pointer (&password));
    g_ptr_array_add (markers, g_steal_pointer (&device));
  }

  /* Pulls, a logout, a request with a wrong token. */
  {
    g_autoptr(GHashTable) state = srv_test_pull_all (env, ben, NULL);
    g_autoptr(SrvTestReply) out = srv_test_request (env, "POST", "/v1/logout", ana->token,
                                                    NULL, 0);
    g_autoptr(SrvTestReply) stale = srv_test_pull_raw (env, ana, 0, 0, NULL);

    g_assert_true (g_hash_table_contains (state, note));
    g_assert_cmpuint (stale->status, ==, 401);
  }

  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  log = srv_test_read_log (env);
  audit = srv_test_sql (env, "SELECT coalesce(string_agg(a::text, E'\\n'), '') "
                        "FROM audit_log a", NULL);

  /* The log is not empty: debug logging was on and every request left a line. */
  g_assert_nonnull (strstr (log, "audit login"));
  g_assert_nonnull (strstr (log, "audit push"));
  for (guint i = 0; i < markers->len; i++)
    {
      assert_absent (log, "server log", g_ptr_array_index (markers, i));
      assert_absent (audit, "audit log", g_ptr_array_index (markers, i));
    }
  for (guint i = 0; i < secrets->len; i++)
    {
      assert_absent (log, "server log", g_ptr_array_index (secrets, i));
      assert_absent (audit, "audit log", g_ptr_array_index (secrets, i));
    }
  /* A generic "Mk" check catches markers this list forgot. */
  g_assert_null (strstr (log, "Mkclient"));
  g_test_message ("%u markers and %u secrets checked against %" G_GSIZE_FORMAT
                  " bytes of log and %" G_GSIZE_FORMAT " of audit", markers->len, secrets->len,
                  strlen (log), strlen (audit));
}

/* Each audit entry as the log line it must have left: "audit" or "SECURITY", the event,
 * the outcome, then the account's name, id, device, route and address. */
static GPtrArray *
expected_audit_lines (SrvTestEnv *env)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *all = srv_test_sql (
    env,
    "SELECT string_agg(concat_ws(' ', CASE WHEN l.security THEN 'SECURITY' ELSE 'audit' END, "
    "l.event, l.outcome, 'user=' || coalesce(a.username, '-'), "
    "'account=' || coalesce(l.account_id::text, '-'), "
    "'device=' || coalesce(l.device_id::text, '-')), E'\n' ORDER BY l.id) "
    "FROM audit_log l LEFT JOIN account a ON a.id = l.account_id", NULL);
  g_auto(GStrv) rows = g_strsplit (all, "\n", -1);

  for (guint i = 0; rows[i] != NULL; i++)
    g_ptr_array_add (lines, g_strdup (rows[i]));
  return lines;
}

/* As deployed: no G_MESSAGES_DEBUG, no journal (the log goes to a file, so GLib writes to
 * stderr). Every audit entry is a "Message" line with its fields, and no client data. */
static void
test_audit_lines_kept (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autoptr(GPtrArray) markers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestDevice) ben = NULL;
  g_autofree char *client = cl_uuid_new ();
  g_autofree char *kase = cl_uuid_new ();
  g_autofree char *elsewhere = cl_uuid_new ();
  g_autofree char *log = NULL;
  g_autofree char *resolve_line = NULL;
  g_auto(GStrv) log_lines = NULL;

  env->quiet = TRUE;
  srv_test_server_start (env);
  srv_test_add_user (env, "ana", "advocate_dv", "14");
  srv_test_add_user (env, "ben", "advocate_cv", "14");
  ana = srv_test_login (env, "ana");
  ben = srv_test_login (env, "ben");

  {
    g_autofree char *pseudonym = marker ("client");
    g_autofree char *number = marker ("casenumber");
    g_autoptr(ClWireResult) r = NULL;
    g_autoptr(ClWireResult) denied = NULL;

    r = srv_test_push_one (env, ana, srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT,
                                                        0, "pseudonym", pseudonym, NULL));
    g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
    g_clear_pointer (&r, cl_wire_result_free);
    r = srv_test_push_one (env, ana, srv_test_mutation (ana, "case", kase, CL_WIRE_OP_PUT, 0,
                                                        "client_id", client, "command", "14",
                                                        "track", "dv", "status", "referred",
                                                        "case_number", number, NULL));
    g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
    /* A case in a command ben does not work in: denied. */
    denied = srv_test_push_one (env, ben,
                                srv_test_mutation (ben, "case", elsewhere, CL_WIRE_OP_PUT, 0,
                                                   "client_id", client, "command", "99",
                                                   "track", "cv", "status", "referred", NULL));
    g_assert_cmpint (denied->status, ==, CL_WIRE_STATUS_REJECTED);
    g_ptr_array_add (markers, g_steal_pointer (&pseudonym));
    g_ptr_array_add (markers, g_steal_pointer (&number));
  }

  /* A conflict and its resolution. */
  {
    g_autofree char *path = make_conflict (env, ana, ben, client, markers);
    g_autoptr(SrvTestReply) reply = NULL;

    reply = srv_test_request (env, "POST", path, ben->token, "{\"keep\":\"mine\"}", -1);
    g_assert_cmpuint (reply->status, ==, 200);
  }

  /* A failed sign-in with a marker as the name and as the device's name, a wrong token, a
   * pull and a logout. */
  {
    g_autofree char *name = lower_marker ("username");
    g_autofree char *device = marker ("device");
    g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"x\","
                                             "\"device_name\":\"%s\"}", name, device);
    g_autoptr(SrvTestReply) failed = srv_test_request (env, "POST", "/v1/login", NULL, body,
                                                       -1);
    g_autoptr(SrvTestReply) wrong = srv_test_request (env, "POST", "/v1/pull",
                                                      "not-a-token", "{}", -1);
    g_autoptr(GHashTable) state = srv_test_pull_all (env, ben, NULL);
    g_autoptr(SrvTestReply) out = srv_test_request (env, "POST", "/v1/logout", ana->token,
                                                    NULL, 0);

    g_assert_cmpuint (failed->status, ==, 401);
    g_assert_cmpuint (wrong->status, ==, 401);
    g_assert_cmpuint (out->status, ==, 200);
    g_ptr_array_add (markers, g_steal_pointer (&name));
    g_ptr_array_add (markers, g_steal_pointer (&device));
  }

  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  log = srv_test_read_log (env);
  log_lines = g_strsplit (log, "\n", -1);
  expected = expected_audit_lines (env);

  /* Debug and info lines are dropped, as in production. */
  g_assert_null (strstr (log, "-DEBUG"));
  g_assert_null (strstr (log, "-INFO"));

  g_assert_cmpuint (expected->len, >=, 10);
  for (guint i = 0; i < expected->len; i++)
    {
      const char *want = g_ptr_array_index (expected, i);
      gboolean found = FALSE;

      for (guint j = 0; log_lines[j] != NULL && !found; j++)
        found = g_str_has_prefix (log_lines[j], "srv-audit-Message: ") &&
                strstr (log_lines[j], want) != NULL &&
                strstr (log_lines[j], " route=/v1/") != NULL &&
                strstr (log_lines[j], " address=") != NULL;
      if (!found)
        g_error ("No log line for the audit entry “%s” in:\n%s", want, log);
    }

  /* The events this run made, each named; the route is the pattern, never the path. */
  for (const char * const *e = (const char * const[]) {
         "audit login ok user=ana ", "audit login failed user=- ", "audit push ok user=ana ",
         "audit denied forbidden user=ben ", "audit pull ok user=ben ",
         "audit logout ok user=ana ", "audit conflict.resolve mine user=ben ", NULL };
       *e != NULL; e++)
    if (strstr (log, *e) == NULL)
      g_error ("No “%s” line in:\n%s", *e, log);
  for (guint j = 0; log_lines[j] != NULL; j++)
    if (strstr (log_lines[j], "conflict.resolve") != NULL)
      resolve_line = g_strdup (log_lines[j]);
  g_assert_nonnull (resolve_line);
  g_assert_nonnull (strstr (resolve_line, " route=/v1/conflicts/{id}/resolve "));

  for (guint i = 0; i < markers->len; i++)
    assert_absent (log, "server log", g_ptr_array_index (markers, i));
  g_assert_null (strstr (log, "Mk"));
}

/* The fields each audit line carries to the journal, caught on their way to the writer. */
static GPtrArray *audit_records;   /* (element-type GHashTable): field → value */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         data)
{
  GHashTable *record = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gboolean audit = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      g_hash_table_insert (record, g_strdup (fields[i].key),
                           fields[i].length < 0
                           ? g_strdup (fields[i].value)
                           : g_strndup (fields[i].value, (gsize) fields[i].length));
      audit = audit || (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 &&
                        g_strcmp0 (fields[i].value, "srv-audit") == 0);
    }
  if (!audit)
    {
      g_hash_table_unref (record);
      return g_log_writer_default (level, fields, n_fields, data);
    }
  g_assert_cmpint (level, ==, G_LOG_LEVEL_MESSAGE);
  g_ptr_array_add (audit_records, record);
  return G_LOG_WRITER_HANDLED;
}

static void
assert_field (GHashTable *record,
              const char *key,
              const char *expected)
{
  g_assert_cmpstr (g_hash_table_lookup (record, key), ==, expected);
}

static void
test_audit_fields (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *ana = srv_test_add_user (env, "ana", "advocate_dv", "14");
  g_autofree char *record = cl_uuid_new ();
  g_autoptr(GError) error = NULL;
  SrvAuditEntry allowed = { "push", "ok", ana, NULL, "192.0.2.7" };
  SrvAuditEntry denied = { "denied", "forbidden", ana, NULL, "192.0.2.7", "case", record,
                           .security = TRUE };
  SrvAuditEntry unknown = { "login", "failed", NULL, NULL, "192.0.2.8" };
  GHashTable *r;

  audit_records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  srv_audit_set_route ("/v1/push");
  g_assert_true (srv_audit (env->conn, &allowed, &error));
  g_assert_true (srv_audit (env->conn, &denied, &error));
  srv_audit_set_route (NULL);
  g_assert_true (srv_audit (env->conn, &unknown, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (audit_records->len, ==, 3);

  r = g_ptr_array_index (audit_records, 0);
  assert_field (r, "PRIORITY", "5");
  assert_field (r, "CASELOAD_EVENT", "push");
  assert_field (r, "CASELOAD_RESULT", "ok");
  assert_field (r, "CASELOAD_SECURITY", "0");
  assert_field (r, "CASELOAD_USER", "ana");
  assert_field (r, "CASELOAD_ACCOUNT", ana);
  assert_field (r, "CASELOAD_DEVICE", NULL);
  assert_field (r, "CASELOAD_ROUTE", "/v1/push");
  assert_field (r, "CASELOAD_ADDRESS", "192.0.2.7");
  assert_field (r, "CASELOAD_RECORD", NULL);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (r, "MESSAGE"),
                                   "audit push ok user=ana account="));

  /* A denial: a warning in the journal, with the record's id (never its content). */
  r = g_ptr_array_index (audit_records, 1);
  assert_field (r, "PRIORITY", "4");
  assert_field (r, "CASELOAD_EVENT", "denied");
  assert_field (r, "CASELOAD_RESULT", "forbidden");
  assert_field (r, "CASELOAD_SECURITY", "1");
  assert_field (r, "CASELOAD_RECORD", record);
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (r, "MESSAGE"),
                                   "SECURITY denied forbidden user=ana "));

  /* No account, no route: the fields are left out, not filled with a placeholder. */
  r = g_ptr_array_index (audit_records, 2);
  assert_field (r, "CASELOAD_USER", NULL);
  assert_field (r, "CASELOAD_ACCOUNT", NULL);
  assert_field (r, "CASELOAD_ROUTE", NULL);
  assert_field (r, "CASELOAD_ADDRESS", "192.0.2.8");
  g_clear_pointer (&audit_records, g_ptr_array_unref);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/logs/s13-no-client-data", test_s13);
  g_test_add_func ("/server/logs/audit-lines-kept", test_audit_lines_kept);
  /* Last: it replaces the process's log writer. */
  g_test_add_func ("/server/logs/audit-fields", test_audit_fields);
  return g_test_run ();
}
