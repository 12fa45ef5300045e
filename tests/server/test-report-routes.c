/* test-report-routes.c: the server answers exactly the reports the engine lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app, caseloadctl and the server all take their reports from cl_report_list(): the
 * server has no list of its own. Every listed report is answered at /v1/reports/NAME and
 * audited under that path; any other name is not found.
 */

#define G_LOG_DOMAIN "test-report-routes"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-report.h"
#include "srv-test.h"

static SrvTestEnv *env;

#define PERIOD "{\"from\": \"2026-01-01\", \"to\": \"2026-03-31\"}"

static void
test_every_listed_report (void)
{
  g_autoptr(SrvTestDevice) director = srv_test_login (env, "boss");
  g_autofree char *log = NULL;
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat ("/v1/reports/", list[i].name, NULL);
      g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", path, director->token,
                                                        PERIOD, -1);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *root;

      g_assert_cmpuint (reply->status, ==, 200);
      json_parser_load_from_data (parser, srv_test_reply_text (reply), -1, &error);
      g_assert_no_error (error);
      root = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (root, "report"), ==, list[i].name);
    }

  /* Audited under the report's own path, as when each report had a route of its own. */
  log = srv_test_read_log (env);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *route = g_strdup_printf (" route=/v1/reports/%s ", list[i].name);

      if (strstr (log, route) == NULL)
        g_error ("no audit line with%s", route);
    }
}

static void
test_unknown_names (void)
{
  g_autoptr(SrvTestDevice) director = srv_test_login (env, "boss");
  static const char *const paths[] = {
    "/v1/reports/nope",
    "/v1/reports/CASELOAD",
    "/v1/reports/",
    "/v1/reports/caseload/extra",
    "/v1/reports/caseloads",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", paths[i], director->token,
                                                        PERIOD, -1);
      g_autofree char *code = srv_test_reply_code (reply);

      if (reply->status != 404)
        g_error ("%s: status %u, expected 404", paths[i], reply->status);
      g_assert_cmpstr (code, ==, "not_found");
    }
}

int
main (int    argc,
      char **argv)
{
  int rc;

  srv_test_init (&argc, &argv);
  env = srv_test_env_new (NULL);
  g_free (srv_test_add_user (env, "boss", "director", NULL));

  g_test_add_func ("/server/report-routes/every-listed-report", test_every_listed_report);
  g_test_add_func ("/server/report-routes/unknown-names", test_unknown_names);
  rc = g_test_run ();

  srv_test_env_free (env);
  return rc;
}
