/* test-reports-server.c: the same fixture through the vault and the server, the same numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report fixture (tests/core/cl-report-fixture.c) is written into a vault through the
 * store, then every record (deleted ones as deletes) is pushed to a real caseload-server on
 * a throwaway PostgreSQL. Each report, over several periods and filters, is run on the
 * vault and asked of the server (POST /v1/reports/NAME): the JSON answers must be the
 * same, but for the generation time. Then who may ask what: directors and data staff all
 * commands, supervisors theirs, advocates and administrators nothing.
 */

#define G_LOG_DOMAIN "test-reports-server"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-report.h"
#include "cl-report-fixture.h"
#include "cl-report-vault.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"
#include "srv-test.h"

static SrvTestEnv *env;
static ClTestVault vault;
static ClReportFixture ids;
static SrvTestDevice *director;

/* Types in the order parents come before children; commands are seeded on both sides. */
static const char *const push_types[] = {
  "client", "safe_contact", "case", "referral", "victimization", "contact", "service",
  "immigration", "legal_matter", "compensation", "task", "safety_plan", "release",
  "outbound_referral", "note",
};

static void
push_batch (SrvTestDevice *device,
            GPtrArray     *mutations)
{
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWirePushResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  if (mutations->len == 0)
    return;
  reply = srv_test_push_raw (env, device, mutations);
  text = srv_test_reply_text (reply);
  if (reply->status != 200)
    g_error ("push answered %u: %s", reply->status, text);
  response = cl_wire_push_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < response->results->len; i++)
    {
      ClWireResult *result = g_ptr_array_index (response->results, i);

      if (result->status != CL_WIRE_STATUS_APPLIED)
        g_error ("mutation %u not applied: %s %s", i, result->code, result->message);
    }
  g_ptr_array_set_size (mutations, 0);
}

/* Every record of the vault, as the sync engine would push it. The writer is named on no
 * restricted case: those are pushed open, then restricted last (as when an advocate marks
 * a case restricted), so the writer may still add what hangs off them. They name the
 * director, who then counts them as the vault does. */
static void
push_vault (SrvTestDevice *device)
{
  sqlite3 *db = cl_vault_get_db (cl_store_get_vault (vault.store));
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(GPtrArray) deletes = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(GPtrArray) restrictions = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);

  for (guint t = 0; t < G_N_ELEMENTS (push_types); t++)
    {
      const ClType *type = cl_schema_lookup_type (push_types[t]);
      g_autoptr(GString) sql = g_string_new ("SELECT id, deleted");
      g_autoptr(GError) error = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;

      for (guint i = 0; i < type->n_fields; i++)
        g_string_append_printf (sql, ", %s", type->fields[i].name);
      g_string_append_printf (sql, " FROM %s ORDER BY rowid", type->table);
      stmt = cl_sql_prepare (db, sql->str, &error);
      g_assert_no_error (error);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          ClWireMutation *m = cl_wire_mutation_new ();
          const char *id = (const char *) sqlite3_column_text (stmt, 0);

          m->id = cl_uuid_new ();
          m->type = g_strdup (type->name);
          m->record = g_strdup (id);
          m->op = CL_WIRE_OP_PUT;
          m->base_version = 0;
          m->at = cl_now_utc ();
          for (guint i = 0; i < type->n_fields; i++)
            {
              const char *value = (const char *) sqlite3_column_text (stmt, (int) i + 2);

              if (value == NULL || (type->fields[i].flags & CL_FIELD_DERIVED))
                continue;
              if (strcmp (type->fields[i].name, "restricted") == 0 && strcmp (value, "1") == 0)
                {
                  ClWireMutation *r = cl_wire_mutation_new ();

                  r->id = cl_uuid_new ();
                  r->type = g_strdup (type->name);
                  r->record = g_strdup (id);
                  r->op = CL_WIRE_OP_PUT;
                  r->at = cl_now_utc ();
                  cl_wire_mutation_add_change (r, "restricted", NULL, value);
                  cl_wire_mutation_add_change (r, "named_users", NULL, "boss");
                  g_ptr_array_add (restrictions, r);
                  continue;
                }
              cl_wire_mutation_add_change (m, type->fields[i].name, NULL, value);
            }
          g_ptr_array_add (mutations, m);
          if (sqlite3_column_int (stmt, 1))
            {
              ClWireMutation *d = cl_wire_mutation_new ();

              d->id = cl_uuid_new ();
              d->type = g_strdup (type->name);
              d->record = g_strdup (id);
              d->op = CL_WIRE_OP_DELETE;
              d->at = cl_now_utc ();
              g_ptr_array_add (deletes, d);
            }
          if (mutations->len == 200)
            push_batch (device, mutations);
        }
      push_batch (device, mutations);
    }
  push_batch (device, deletes);
  push_batch (device, restrictions);
}

/* The JSON of a result without its generation time. */
static char *
normalize (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonObject *root;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_remove_member (root, "generated_at");
  json_object_remove_member (root, "source");
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static ClReportParams *
params_from_json (const char *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  ClReportParams *p = cl_report_params_new ();
  JsonObject *o;

  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  p->today = cl_day_parse (CL_REPORT_FIXTURE_TODAY);
  p->from = cl_day_parse (json_object_get_string_member (o, "from"));
  p->to = cl_day_parse (json_object_get_string_member (o, "to"));
  if (json_object_has_member (o, "commands"))
    {
      JsonArray *a = json_object_get_array_member (o, "commands");
      GStrvBuilder *b = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (a); i++)
        g_strv_builder_add (b, json_array_get_string_element (a, i));
      p->commands = g_strv_builder_end (b);
      g_strv_builder_unref (b);
    }
  if (json_object_has_member (o, "borough"))
    p->borough = g_strdup (json_object_get_string_member (o, "borough"));
  if (json_object_has_member (o, "advocate"))
    p->advocate = g_strdup (json_object_get_string_member (o, "advocate"));
  if (json_object_has_member (o, "track"))
    p->track = g_strdup (json_object_get_string_member (o, "track"));
  if (json_object_has_member (o, "funding"))
    p->funding = g_strdup (json_object_get_string_member (o, "funding"));
  p->outside = !json_object_has_member (o, "outside") ||
               json_object_get_boolean_member (o, "outside");
  return p;
}

static SrvTestReply *
ask (SrvTestDevice *device,
     const char    *name,
     const char    *body)
{
  g_autofree char *path = g_strconcat ("/v1/reports/", name, NULL);

  return srv_test_request (env, "POST", path, device->token, body, -1);
}

static void
test_same_results (void)
{
  /* Internal figures (small cells shown) unless "outside" is left to its default. */
  static const char *const bodies[] = {
    "{\"from\": \"2025-10-01\", \"to\": \"2025-12-31\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"outside\": false}",
    "{\"from\": \"2026-04-01\", \"to\": \"2026-06-30\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"commands\": [\"75\", \"PSA 2\"], \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"borough\": \"manhattan\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"advocate\": \"ana\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"track\": \"cv\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"funding\": \"voca\", \"outside\": false}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"outside\": true}",
    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\"}",
  };
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  for (guint b = 0; b < G_N_ELEMENTS (bodies); b++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(ClReportParams) p = params_from_json (bodies[b]);
        g_autoptr(ClReportResult) local = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(SrvTestReply) reply = NULL;
        g_autofree char *body = NULL;
        g_autofree char *local_json = NULL;
        g_autofree char *a = NULL, *c = NULL;

        /* Outside the server only aggregates: compare with the vault's result for
         * outside use (lists of cases left out). */
        local = cl_report_run_vault (vault.store, list[i].name, p, CL_REPORT_RUN_NONE, &error);
        g_assert_no_error (error);
        for (guint t = 0; t < local->tables->len; t++)
          {
            ClReportTable *table = g_ptr_array_index (local->tables, t);

            if (table->internal_only)
              g_ptr_array_set_size (table->rows, 0);
          }
        local_json = cl_report_result_to_json (local, NULL);

        {
          /* The same request, with the fixture's today. */
          g_autofree char *inner = g_strndup (bodies[b] + 1, strlen (bodies[b]) - 2);

          body = g_strdup_printf ("{%s, \"today\": \"%s\"}", inner, CL_REPORT_FIXTURE_TODAY);
        }
        reply = ask (director, list[i].name, body);
        if (reply->status != 200)
          g_error ("%s %s: %u %s", list[i].name, body, reply->status, srv_test_reply_text (reply));
        a = normalize (local_json);
        c = normalize (srv_test_reply_text (reply));
        if (g_strcmp0 (a, c) != 0)
          g_error ("%s %s: the vault and the server differ\n--- vault\n%s\n--- server\n%s",
                   list[i].name, body, a, c);
        g_assert_nonnull (strstr (local_json, "\"source\" : \"vault\""));

        /* The app reads the answer back as the server wrote it. */
        {
          gsize len;
          const char *text = srv_test_reply_text (reply);
          g_autoptr(ClReportResult) back = cl_report_result_from_json (text, strlen (text), &error);
          g_autofree char *again = NULL;

          g_assert_no_error (error);
          g_assert_cmpint (back->source, ==, CL_REPORT_SOURCE_SERVER);
          again = cl_report_result_to_json (back, &len);
          g_assert_cmpstr (again, ==, text);
        }
      }
}

/* Whether a report's answer had small cells suppressed. */
static gboolean
suppressed (SrvTestReply *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, srv_test_reply_text (reply), -1, &error);
  g_assert_no_error (error);
  return json_object_get_boolean_member (json_node_get_object (json_parser_get_root (parser)),
                                         "suppressed");
}

static void
test_who_may_ask (void)
{
  g_autoptr(SrvTestDevice) admin = srv_test_login (env, "root");
  g_autoptr(SrvTestDevice) supervisor = srv_test_login (env, "sup");
  g_autoptr(SrvTestDevice) advocate = srv_test_login (env, "ana");
  g_autoptr(SrvTestDevice) data = srv_test_login (env, "numbers");
  const char *q2 = "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", \"today\": \"2026-05-15\"}";
  g_autoptr(SrvTestReply) r1 = ask (admin, "referrals", q2);
  g_autoptr(SrvTestReply) r2 = ask (advocate, "referrals", q2);
  g_autoptr(SrvTestReply) r3 = ask (advocate, "referrals",
                                    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", "
                                    "\"commands\": [\"75\"]}");
  g_autoptr(SrvTestReply) r4 = ask (supervisor, "referrals",
                                    "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", "
                                    "\"outside\": false}");
  g_autoptr(SrvTestReply) r5 = ask (data, "referrals", q2);
  g_autoptr(SrvTestReply) r6 = ask (director, "referrals", "{\"from\": \"2026-03-31\", \"to\": \"2026-01-01\"}");
  g_autoptr(SrvTestReply) r7 = srv_test_request (env, "POST", "/v1/reports/referrals", NULL, q2, -1);
  g_autoptr(SrvTestReply) r8 = ask (director, "referrals", "[[[[[[[[[[[[1]]]]]]]]]]]]");
  g_autoptr(SrvTestReply) r9 = ask (director, "deadlines", q2);
  g_autoptr(SrvTestReply) r10 = ask (data, "referrals",
                                     "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\", "
                                     "\"outside\": false}");

  g_assert_cmpuint (r1->status, ==, 403);
  /* Advocates ask none: their reports run on their vaults. */
  g_assert_cmpuint (r2->status, ==, 403);
  g_assert_cmpuint (r3->status, ==, 403);
  /* The supervisor of 75 and PSA 2: CA2, CA4, CA8. */
  g_assert_cmpuint (r4->status, ==, 200);
  g_assert_null (strstr (srv_test_reply_text (r4), "Midtown South"));
  /* Data staff: figures for outside use only. */
  g_assert_cmpuint (r5->status, ==, 200);
  g_assert_true (suppressed (r5));
  g_assert_false (suppressed (r4));
  g_assert_cmpuint (r10->status, ==, 403);
  g_assert_cmpuint (r6->status, ==, 422);
  g_assert_cmpuint (r7->status, ==, 401);
  g_assert_cmpuint (r8->status, ==, 422);
  /* Aggregates only: no case number leaves the server. */
  g_assert_cmpuint (r9->status, ==, 200);
  for (guint i = 1; i <= 10; i++)
    g_assert_null (strstr (srv_test_reply_text (r9), ids.number[i]));
  g_assert_null (strstr (srv_test_reply_text (r9), "MARKER"));
  /* Each answer was audited. */
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'report'",
                                     NULL), >=, 7);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SrvTestDevice) writer = NULL;
  int rc;

  cl_test_init (&argc, &argv);
  env = srv_test_env_new (NULL);
  g_free (srv_test_add_user (env, "writer", "supervisor", "14,75,PSA 2"));
  g_free (srv_test_add_user (env, "boss", "director", NULL));
  g_free (srv_test_add_user (env, "sup", "supervisor", "75,PSA 2"));
  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "numbers", "data", NULL));
  g_free (srv_test_add_user (env, "root", "admin", NULL));

  cl_test_vault_setup (&vault, NULL);
  cl_report_fixture_build (vault.store, &ids);
  writer = srv_test_login (env, "writer");
  push_vault (writer);
  director = srv_test_login (env, "boss");

  g_test_add_func ("/server/reports/same-results", test_same_results);
  g_test_add_func ("/server/reports/who-may-ask", test_who_may_ask);
  rc = g_test_run ();

  srv_test_device_free (director);
  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  srv_test_env_free (env);
  return rc;
}
