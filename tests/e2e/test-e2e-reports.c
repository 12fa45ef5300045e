/* test-e2e-reports.c: reports for the whole agency, asked of the server through caseloadctl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hand-made fixture (two advocates in two commands, clients, cases received in and out of
 * the quarter, a closed case, services, contacts, a restricted case) reaches the server and
 * a supervisor's vault. For every report, `caseloadctl report NAME --format json` from the
 * vault and with --server give the same JSON apart from where and when it was made
 * (compared parsed), for internal use and for outside use. An advocate asking the server is
 * refused; an unreachable server is an error, or with --fallback the vault's report with a
 * note and exit status 7; an expired token is refreshed; a malformed answer is refused and
 * nothing is written. The server's internal figures, which cannot be suppressed in the
 * vault, are asked for again with their own parameters for outside use, as the Reports view
 * does to export or print them.
 */

#define G_LOG_DOMAIN "test-e2e-reports"

#include <string.h>

#include "cl-e2e.h"
#include "cl-report-export.h"
#include "cl-secret.h"
#include "cl-sync.h"
#include "cl-vault.h"

#define PERIOD "--from", "2026-10-01", "--to", "2026-12-31", "--as-of", "2026-12-31"

/* Cases, services and contacts in 14 (ana) and 20 (cy), as the advocates enter them. */
static void
make_fixture (ClE2eClient *ana,
              ClE2eClient *cy)
{
  static const struct {
    int         who;      /* 0: ana, 1: cy */
    const char *command;
    const char *gender;
    const char *race;
    const char *age;
    const char *track;
    const char *status;
    const char *received;
  } cases[] = {
    { 0, "14", "female", "asian", "25_59", "dv", "active", "2026-10-05T15:00:00Z" },
    { 0, "14", "female", "white", "18_24", "dv", "active", "2026-11-12T09:30:00Z" },
    { 0, "14", "male", "black", "25_59", "cv", "closed", "2026-10-20T12:00:00Z" },
    { 0, "14", "female", "hispanic", "60_plus", "dv", "referred", "2026-07-02T12:00:00Z" },
    { 1, "20", "male", "white", "25_59", "cv", "active", "2026-12-01T16:00:00Z" },
    { 1, "20", "female", "asian", "13_17", "dv", "active", "2026-10-30T04:30:00Z" },
    { 1, "20", "female", "black", "25_59", "dv", "active", "2026-11-03T20:00:00Z" },
  };
  static const char *codes[] = { "A1", "C1", "B2", "A1" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ClE2eClient *who = cases[i].who == 0 ? ana : cy;
      g_autofree char *gender = g_strconcat ("gender=", cases[i].gender, NULL);
      g_autofree char *race = g_strconcat ("race_ethnicity=", cases[i].race, NULL);
      g_autofree char *age = g_strconcat ("age_band=", cases[i].age, NULL);
      g_autofree char *name = g_strdup_printf ("legal_name=Client Number%u", i);
      g_autofree char *client = cl_e2e_add (who, "client", name, gender, race, age, NULL);
      g_autofree char *client_arg = g_strconcat ("client_id=", client, NULL);
      g_autofree char *command = g_strconcat ("command=", cases[i].command, NULL);
      g_autofree char *track = g_strconcat ("track=", cases[i].track, NULL);
      g_autofree char *status = g_strconcat ("status=", cases[i].status, NULL);
      g_autofree char *received = g_strconcat ("referral_received_at=", cases[i].received, NULL);
      g_autofree char *assigned = g_strconcat ("assigned_to=", who->username, NULL);
      g_autofree char *kase = NULL;
      g_autofree char *case_arg = NULL;
      g_autofree char *advocate = g_strconcat ("advocate=", who->username, NULL);

      kase = cl_e2e_add (who, "case", client_arg, command, track, received, NULL);
      if (g_str_equal (cases[i].status, "closed"))
        cl_e2e_set (who, "case", kase, status, assigned, "closed_at=2026-12-10",
                    "closure_reason=services_completed", NULL);
      else
        cl_e2e_set (who, "case", kase, status, assigned, NULL);
      case_arg = g_strconcat ("case_id=", kase, NULL);
      for (guint s = 0; s <= i % 3; s++)
        {
          g_autofree char *date = g_strdup_printf ("date=2026-%02u-%02u", 10 + s, 3 + i);
          g_autofree char *code = g_strconcat ("code=", codes[(i + s) % G_N_ELEMENTS (codes)], NULL);
          g_autofree char *times = g_strdup_printf ("times=%u", 1 + (i + s) % 3);

          g_free (cl_e2e_add (who, "service", case_arg, date, code, times, advocate, NULL));
        }
      if (i % 2 == 0)
        {
          g_autofree char *at = g_strdup_printf ("at=2026-11-%02uT17:00:00Z", 1 + i);

          g_free (cl_e2e_add (who, "contact", case_arg, at, "channel=phone",
                              "outcome=reached", "direction=outbound", NULL));
        }
      /* One restricted case, named to its advocate only: counted by neither side for the
       * supervisor. */
      if (i == 5)
        cl_e2e_set (who, "case", kase, "restricted=1", "named_users=cy", NULL);
    }
}

/* The report as JSON, without where and when it was made. */
static JsonNode *
report_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (o, "generated_at"));
  g_assert_true (json_object_has_member (o, "source"));
  json_object_remove_member (o, "generated_at");
  json_object_remove_member (o, "source");
  return json_node_copy (json_parser_get_root (parser));
}

static const char *
report_source (const char *text)
{
  return strstr (text, "\"source\" : \"server\"") != NULL ? "server"
         : strstr (text, "\"source\" : \"vault\"") != NULL ? "vault" : "none";
}

/* The supervisor's vault (sue, of 14 and 20) reaches the server through @proxy. */
static ClTestStack *
fixture_stack (ClE2eClient  **sue,
               ClFaultProxy **proxy)
{
  ClTestStack *stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) ana = NULL;
  g_autoptr(ClE2eClient) cy = NULL;
  g_autofree char *url = NULL;
  ClE2eSync s = { 0 };

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "cy", "advocate_cv", "20");
  cl_test_stack_user_add (stack, "sue", "supervisor", "14,20");
  ana = cl_e2e_client_new (stack, "ana", NULL);
  cy = cl_e2e_client_new (stack, "cy", NULL);
  make_fixture (ana, cy);
  cl_e2e_sync_logged (ana, &s);
  cl_e2e_sync_logged (cy, &s);
  *proxy = cl_e2e_https_proxy (stack);
  url = cl_e2e_proxy_url (*proxy);
  *sue = cl_e2e_client_new (stack, "sue", url);
  cl_e2e_sync_logged (*sue, &s);
  cl_e2e_sync_clear (&s);
  return stack;
}

/* The keys of @report's tables. */
static GHashTable *
table_keys (JsonNode *report)
{
  JsonArray *tables = json_object_get_array_member (json_node_get_object (report), "tables");
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (tables); i++)
    g_hash_table_add (keys, g_strdup (json_object_get_string_member (
                                        json_array_get_object_element (tables, i), "key")));
  return keys;
}

/* Leaves out of @report the tables not in @keys. */
static void
keep_tables (JsonNode   *report,
             GHashTable *keys)
{
  JsonArray *tables = json_object_get_array_member (json_node_get_object (report), "tables");

  for (guint i = json_array_get_length (tables); i-- > 0;)
    if (!g_hash_table_contains (keys, json_object_get_string_member (
                                  json_array_get_object_element (tables, i), "key")))
      json_array_remove_element (tables, i);
}

static char *
run_report (ClE2eClient *sue,
            const char  *name,
            gboolean     outside,
            gboolean     server)
{
  g_autofree char *err = NULL;
  char *out;
  int rc;

  /* The supervisor's commands, named: without --command the server names the commands
   * it counted, the vault none. An option not wanted is a repeated --format. */
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", name, PERIOD, "--command", "14",
                    "--command", "20", "--format=json", outside ? "--outside" : "--format=json",
                    server ? "--server" : "--format=json", NULL);
  if (rc != 0)
    g_printerr ("report %s: %s\n", name, err);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (report_source (out), ==, server ? "server" : "vault");
  return out;
}

static void
test_parity (void)
{
  g_autoptr(ClE2eClient) sue = NULL;
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(ClTestStack) stack = fixture_stack (&sue, &proxy);
  const ClReportInfo *list;
  guint n, counted = 0;

  list = cl_report_list (&n);
  g_assert_cmpuint (n, >=, 10);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GHashTable) outside_keys = NULL;

      for (int outside = 1; outside >= 0; outside--)
        {
          g_autofree char *vault_out = run_report (sue, list[i].name, outside, FALSE);
          g_autofree char *server_out = run_report (sue, list[i].name, outside, TRUE);
          g_autoptr(JsonNode) vault = report_json (vault_out);
          g_autoptr(JsonNode) server = report_json (server_out);

          if (outside)
            outside_keys = table_keys (vault);
          else
            {
              /* The server never lists cases: for internal use the vault's lists of cases
               * (the tables left out for outside use) are all that differs. */
              g_autoptr(GHashTable) server_keys = table_keys (server);
              GHashTableIter iter;
              gpointer key;

              g_hash_table_iter_init (&iter, server_keys);
              while (g_hash_table_iter_next (&iter, &key, NULL))
                g_assert_true (g_hash_table_contains (outside_keys, key));
              keep_tables (vault, outside_keys);
            }
          if (!json_node_equal (vault, server))
            {
              g_autofree char *a = json_to_string (vault, TRUE);
              g_autofree char *b = json_to_string (server, TRUE);

              g_printerr ("report %s%s differs:\n--- vault\n%s\n--- server\n%s\n",
                          list[i].name, outside ? " (outside)" : "", a, b);
            }
          g_assert_true (json_node_equal (vault, server));
          /* The fixture shows up: not every count is zero. */
          if (!outside && g_regex_match_simple ("\" : [1-9]", vault_out, 0, 0))
            counted++;
        }
    }
  g_assert_cmpuint (counted, >=, n - 1);
}

static void
test_text_says_source (void)
{
  g_autoptr(ClE2eClient) sue = NULL;
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(ClTestStack) stack = fixture_stack (&sue, &proxy);
  g_autofree char *out = NULL, *err = NULL;
  int rc;

  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, "--server", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "Whole agency (server), generated 20"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, "--format", "csv",
                    "--server", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "\r\nreport,source,,server,"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_nonnull (strstr (out, "This workstation’s vault"));
}

static void
test_advocate_refused (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) ana = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int rc;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  ana = cl_e2e_client_new (stack, "ana", NULL);
  g_free (cl_e2e_new_case (ana, "Refused Fixture", "14"));
  out = cl_e2e_ctl (ana, NULL, &rc, &err, "report", "services", PERIOD, "--server",
                    "--fallback", NULL);
  /* A refusal is not a reason to fall back: nothing is written. */
  g_assert_cmpint (rc, ==, 7);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "HTTP 403"));
  g_assert_nonnull (strstr (err, "supervisors, directors and data staff"));
  g_assert_null (strstr (err, "vault"));
}

static void
test_unreachable (void)
{
  g_autoptr(ClE2eClient) sue = NULL;
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(ClTestStack) stack = fixture_stack (&sue, &proxy);
  g_autofree char *out = NULL, *err = NULL;
  int rc;

  cl_fault_proxy_set (proxy, CL_FAULT_RESET, 0, NULL, 0);
  /* Without --fallback: an error, nothing written. */
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "caseload", PERIOD, "--server", NULL);
  g_assert_cmpint (rc, ==, 7);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "Could not reach the server"));
  g_assert_null (strstr (err, "covers only"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* With --fallback: the vault's report, said so on stderr, exit status 7. */
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "caseload", PERIOD, "--server",
                    "--fallback", "--format", "json", NULL);
  g_assert_cmpint (rc, ==, 7);
  g_assert_cmpstr (report_source (out), ==, "vault");
  g_assert_nonnull (strstr (err, "covers only this workstation’s vault"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A server error is the same. */
  cl_fault_proxy_forge (proxy, 500, "{\"error\":{\"code\":\"internal\",\"message\":\"x\"}}");
  cl_fault_proxy_set (proxy, CL_FAULT_REPLAY, 0, "/v1/reports/caseload", 1);
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "caseload", PERIOD, "--server",
                    "--fallback", "--format", "json", NULL);
  g_assert_cmpint (rc, ==, 7);
  g_assert_cmpstr (report_source (out), ==, "vault");
  g_assert_nonnull (strstr (err, "HTTP 500"));
}

/* An expired token is traded for new ones, as in a sync: the report comes, no password
 * asked. */
static void
test_token_refresh (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (),
                                                    "[tokens]\nidle-timeout = 2\n", NULL);
  g_autoptr(ClE2eClient) sue = NULL;
  g_autofree char *out = NULL, *err = NULL, *logged = NULL;
  int rc;

  cl_test_stack_user_add (stack, "sue", "supervisor", "14");
  sue = cl_e2e_client_new (stack, "sue", NULL);
  g_usleep (3 * G_USEC_PER_SEC);
  out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, "--server",
                    "--format", "json", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (report_source (out), ==, "server");
  logged = cl_test_stack_sql (stack, "SELECT count(*) FROM audit_log WHERE event = 'refresh' "
                                     "AND outcome = 'ok'");
  g_assert_cmpstr (logged, ==, "1");
}

/* Edits @text once at @from; the edit must apply. */
static char *
edit_once (const char *text,
           const char *from,
           const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static void
test_malformed_answer (void)
{
  g_autoptr(ClE2eClient) sue = NULL;
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(ClTestStack) stack = fixture_stack (&sue, &proxy);
  static const struct { const char *from; const char *to; } edits[] = {
    /* a count that is not a count */
    { "\"times\" : ", "\"times\" : -" },
    /* an unknown member */
    { "\"funder\" :", "\"extra\" : 1, \"funder\" :" },
    /* unsuppressed figures to a request for outside use */
    { "\"suppressed\" : true,\n  \"threshold\" : 4,", "\"suppressed\" : false," },
    /* another report than the one asked for */
    { "\"report\" : \"services\"", "\"report\" : \"caseload\"" },
    /* a row whose cells do not match the columns */
    { "\"cells\" : {", "\"cells\" : { \"surplus\" : 1," },
    /* not JSON */
    { "{", "[" },
  };
  g_autofree char *good = NULL, *err = NULL;
  int rc;

  /* A genuine answer, as the server wrote it for this request. */
  good = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, "--outside",
                     "--format", "json", "--server", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_clear_pointer (&err, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *bad = edit_once (good, edits[i].from, edits[i].to);
      g_autofree char *out = NULL;

      cl_fault_proxy_forge (proxy, 200, bad);
      cl_fault_proxy_set (proxy, CL_FAULT_REPLAY, 0, "/v1/reports/services", 1);
      out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD, "--outside",
                        "--format", "json", "--server", "--fallback", NULL);
      g_assert_cmpint (rc, ==, 7);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, "was not understood"));
      g_clear_pointer (&err, g_free);
    }

  /* The genuine answer, replayed, is taken. */
  cl_fault_proxy_forge (proxy, 200, good);
  cl_fault_proxy_set (proxy, CL_FAULT_REPLAY, 0, "/v1/reports/services", 1);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *out = cl_e2e_ctl (sue, NULL, &rc, &err, "report", "services", PERIOD,
                                       "--outside", "--format", "json", "--server", NULL);
    g_assert_cmpint (rc, ==, 0);
    g_assert_cmpstr (out, ==, good);
  }
}

/* How many of @result's cells are suppressed. */
static guint
count_suppressed (const ClReportResult *result)
{
  guint n = 0;

  for (guint t = 0; t < result->tables->len; t++)
    {
      const ClReportTable *table = g_ptr_array_index (result->tables, t);

      for (guint r = 0; r < table->rows->len; r++)
        {
          const ClReportRow *row = g_ptr_array_index (table->rows, r);

          for (guint c = 0; c < row->cells->len; c++)
            n += g_array_index (row->cells, ClReportCell, c).suppressed;
        }
    }
  return n;
}

/* A server result for internal use cannot leave for outside use; asked again, the server
 * gives the suppressed copy, which can. Unreachable, nothing comes. */
static void
test_outside_copy (void)
{
  g_autoptr(ClE2eClient) sue = NULL;
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(ClTestStack) stack = fixture_stack (&sue, &proxy);
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_E2E_PASSPHRASE);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = cl_vault_unlock (sue->dir, pass, &error);
  g_autoptr(ClStore) store = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(ClReportParams) params = cl_report_params_new ();
  g_autoptr(ClReportParams) asked = NULL;
  g_autoptr(ClReportResult) internal = NULL, outside = NULL, released = NULL;
  g_autoptr(ClReportResult) again = NULL;

  g_assert_no_error (error);
  store = cl_store_new (vault, "sue");
  sync = cl_sync_new (store);
  params->from = cl_day_parse ("2026-10-01");
  params->to = cl_day_parse ("2026-12-31");
  params->as_of = cl_day_parse ("2026-12-31");
  internal = cl_sync_run_report (sync, "services", params, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (internal->suppressed);
  g_assert_cmpuint (count_suppressed (internal), ==, 0);
  g_assert_null (cl_report_release (store, internal, "export", "csv", TRUE, &error));
  g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
  g_clear_error (&error);

  /* The result's own parameters, as read back from the server, ask for the same report. */
  asked = cl_report_params_copy (internal->params);
  asked->outside = TRUE;
  outside = cl_sync_run_report (sync, internal->name, asked, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outside->source, ==, CL_REPORT_SOURCE_SERVER);
  g_assert_cmpstr (outside->name, ==, "services");
  g_assert_true (outside->suppressed);
  g_assert_true (outside->params->outside);
  g_assert_cmpint (outside->params->from, ==, internal->params->from);
  g_assert_cmpint (outside->params->to, ==, internal->params->to);
  g_assert_cmpuint (count_suppressed (outside), >, 0);
  released = cl_report_release (store, outside, "export", "csv", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_suppressed (released), ==, count_suppressed (outside));

  /* The server out of reach: an error, no copy. */
  cl_fault_proxy_set (proxy, CL_FAULT_RESET, 0, NULL, 0);
  again = cl_sync_run_report (sync, internal->name, asked, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK);

  g_clear_object (&sync);
  g_clear_object (&store);
  cl_vault_lock (vault);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/reports/parity", test_parity);
  g_test_add_func ("/e2e/reports/text-says-source", test_text_says_source);
  g_test_add_func ("/e2e/reports/advocate-refused", test_advocate_refused);
  g_test_add_func ("/e2e/reports/unreachable", test_unreachable);
  g_test_add_func ("/e2e/reports/token-refresh", test_token_refresh);
  g_test_add_func ("/e2e/reports/malformed-answer", test_malformed_answer);
  g_test_add_func ("/e2e/reports/outside-copy", test_outside_copy);
  return g_test_run ();
}
