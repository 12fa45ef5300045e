/* test-service.c: caseload-server as a systemd service: readiness and stopping told to
 * $NOTIFY_SOCKET, SIGHUP reloading the settings file, a socket in use left alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <sodium.h>

#include "cl-schema.h"
#include "srv-test.h"

/* ---- A fake service manager ------------------------------------------------------------- */

/* Waits for a datagram holding the line @want; every line received goes to @seen. */
static void
expect_notification (GSocket    *socket,
                     const char *want,
                     GString    *seen)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      char buffer[4096];
      gssize n;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) lines = NULL;
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0 || !g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        g_error ("No %s from caseload-server; it said:\n%s", want, seen->str);
      n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
      g_assert_no_error (error);
      buffer[n] = '\0';
      g_string_append_printf (seen, "%s\n--\n", buffer);
      lines = g_strsplit (buffer, "\n", -1);
      if (g_strv_contains ((const char * const *) lines, want))
        return;
    }
}

static void
test_notify (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint8 raw[6];
  char hex[13];

  /* An abstract name, as systemd gives: "@" on the variable, none on the socket. */
  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
  name = g_strconcat ("caseload-test-notify-", hex, NULL);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  env->server_env = g_new0 (char *, 2);
  env->server_env[0] = g_strconcat ("NOTIFY_SOCKET=@", name, NULL);

  srv_test_server_start (env);
  expect_notification (socket, "READY=1", seen);

  /* A reload is announced, then readiness again. */
  g_subprocess_send_signal (env->server, SIGHUP);
  expect_notification (socket, "RELOADING=1", seen);
  expect_notification (socket, "READY=1", seen);

  g_subprocess_send_signal (env->server, SIGTERM);
  expect_notification (socket, "STOPPING=1", seen);
  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  g_assert_nonnull (strstr (seen->str, "STATUS="));
}

/* ---- Reload ----------------------------------------------------------------------------- */

/* Sends SIGHUP and waits until the log gains an @outcome line. */
static char *
reload (SrvTestEnv *env,
        const char *config,
        const char *outcome)
{
  g_autofree char *before = srv_test_read_log (env);
  gsize n = strlen (before);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  srv_test_write_config (env, config);
  g_subprocess_send_signal (env->server, SIGHUP);
  for (;;)
    {
      char *log = srv_test_read_log (env);

      if (strlen (log) > n && strstr (log + n, outcome) != NULL)
        return log;
      if (g_get_monotonic_time () > deadline)
        g_error ("No “%s” after SIGHUP:\n%s", outcome, log);
      g_free (log);
      g_usleep (20000);
    }
}

/* The status of a push whose body is @size bytes (not JSON, but its size is checked
 * first). */
static guint
push_status (SrvTestEnv *env,
             gsize       size)
{
  g_autofree char *body = g_strnfill (size, 'x');
  g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", "/v1/push", "no-token",
                                                    body, (gssize) size);

  return reply->status;
}

static void
test_reload (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *log = NULL;

  g_assert_cmpuint (push_status (env, 5000), ==, 401);

  /* A limit changes at once. */
  log = reload (env, "[server]\nmax-body=4096\n", "Configuration reloaded");
  g_assert_cmpuint (push_status (env, 5000), ==, 413);
  g_assert_cmpuint (push_status (env, 4000), ==, 401);
  g_clear_pointer (&log, g_free);

  /* What cannot change live keeps its value and is named. */
  log = reload (env, "[server]\nmax-body=8192\nworkers=2\n[metrics]\nlisten=127.0.0.1:1\n",
                "Configuration reloaded");
  g_assert_nonnull (strstr (log, "[server] workers changed; it takes effect at the next "
                            "restart"));
  g_assert_nonnull (strstr (log, "[metrics] listen changed; it takes effect at the next "
                            "restart"));
  g_assert_cmpuint (push_status (env, 5000), ==, 401);
  g_assert_cmpuint (push_status (env, 9000), ==, 413);
  g_clear_pointer (&log, g_free);

  /* A file that does not load changes nothing, and the log says why. */
  log = reload (env, "[server]\nmax-body=12\n", "Reload failed");
  g_assert_nonnull (strstr (log, "the running configuration stays"));
  g_assert_nonnull (strstr (log, "max-body must be a whole number"));
  g_assert_cmpuint (push_status (env, 5000), ==, 401);
  g_assert_cmpuint (push_status (env, 9000), ==, 413);
  g_clear_pointer (&log, g_free);

  log = reload (env, "[server]\nmax-body=1024\n[tokens]\nidle-timout=60\n", "Reload failed");
  g_assert_nonnull (strstr (log, "unknown key “idle-timout” in [tokens]"));
  g_assert_cmpuint (push_status (env, 5000), ==, 401);
  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
}

/* ---- The socket --------------------------------------------------------------------------- */

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;
  char **output = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, output, NULL, &error);
  g_assert_no_error (error);
}

/* Runs `caseload-server serve` on the environment's settings (and @flag, when not NULL);
 * it must end by itself. */
static int
serve_once (SrvTestEnv  *env,
            const char  *flag,
            char       **output)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  *output = NULL;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              &error, srv_test_server_path (), "--config", env->config_path,
                              "serve", flag, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, exited_cb, output);
  while (*output == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (process);
          g_error ("A second caseload-server on the same socket kept running");
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_subprocess_wait (process, NULL, NULL);
  return g_subprocess_get_exit_status (process);
}

static void
test_socket_in_use (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *output = NULL;

  /* A second serve on the socket of one that answers refuses, and leaves it be. */
  g_assert_cmpint (serve_once (env, NULL, &output), ==, 1);
  g_assert_nonnull (strstr (output, "Another server answers on"));
  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);

  /* A socket left by a killed server is taken over. */
  g_assert_cmpint (srv_test_server_stop (env, SIGKILL), ==, -SIGKILL);
  g_assert_true (g_file_test (env->socket_path, G_FILE_TEST_EXISTS));
  srv_test_server_start (env);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
}

/* ---- Metrics ---------------------------------------------------------------------------- */

/* A scrape, parsed strictly: every line a "# HELP" or "# TYPE" comment or a sample
 * `name{label="value",…} number`, each sample's name declared by a TYPE line before it.
 * Returns series (name with labels) to values. */
static GHashTable *
scrape (SoupSession *metrics)
{
  g_autoptr(SrvTestReply) reply = srv_test_request_full (metrics, "http://localhost", "GET",
                                                         "/metrics", NULL, NULL, NULL, 0);
  g_autoptr(GRegex) comment = NULL;
  g_autoptr(GRegex) sample = NULL;
  g_autoptr(GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = NULL;
  const char *text;

  g_assert_cmpuint (reply->status, ==, 200);
  text = srv_test_reply_text (reply);
  g_assert_true (g_str_has_suffix (text, "\n"));
  comment = g_regex_new ("^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$", 0, 0, NULL);
  sample = g_regex_new ("^([a-zA-Z_:][a-zA-Z0-9_:]*)"
                        "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\""
                        "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\")*\\})? "
                        "(\\S+)$", 0, 0, NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      g_autoptr(GMatchInfo) m = NULL;

      if (g_regex_match (comment, lines[i], 0, &m))
        {
          g_autofree char *kind = g_match_info_fetch (m, 1);
          g_autofree char *name = g_match_info_fetch (m, 2);
          g_autofree char *rest = g_match_info_fetch (m, 3);

          if (strcmp (kind, "TYPE") == 0)
            {
              g_assert_true (g_strv_contains ((const char * const[]) {
                "counter", "gauge", "histogram", "summary", "untyped", NULL }, rest));
              g_assert_false (g_hash_table_contains (types, name));
              g_hash_table_insert (types, g_steal_pointer (&name), g_steal_pointer (&rest));
            }
          continue;
        }
      g_clear_pointer (&m, g_match_info_free);
      if (g_regex_match (sample, lines[i], 0, &m))
        {
          g_autofree char *name = g_match_info_fetch (m, 1);
          g_autofree char *labels = g_match_info_fetch (m, 2);
          g_autofree char *value = g_match_info_fetch (m, 3);
          g_autofree char *family = g_strdup (name);
          char *end = NULL;
          double v;

          /* A histogram's samples belong to the family without the suffix. */
          for (const char * const *suffix = (const char * const[]) { "_bucket", "_sum",
                                                                      "_count", NULL };
               *suffix != NULL && !g_hash_table_contains (types, family); suffix++)
            if (g_str_has_suffix (name, *suffix))
              family[strlen (name) - strlen (*suffix)] = '\0';
          if (!g_hash_table_contains (types, family))
            g_error ("A sample with no TYPE before it: %s", lines[i]);
          v = g_ascii_strtod (value, &end);
          if (end == value || *end != '\0')
            g_error ("Not a number: %s", lines[i]);
          g_assert_false (g_hash_table_contains (series, lines[i]));
          g_hash_table_insert (series, g_strconcat (name, labels, NULL),
                               g_memdup2 (&v, sizeof v));
          continue;
        }
      g_error ("Not exposition format: “%s”", lines[i]);
    }
  return series;
}

static double
value (GHashTable *series,
       const char *name)
{
  double *v = g_hash_table_lookup (series, name);

  if (v == NULL)
    g_error ("No series %s", name);
  return *v;
}

static void
test_metrics (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *metrics_path = g_build_filename (env->tmpdir, "metrics.sock", NULL);
  g_autofree char *config = g_strdup_printf ("[metrics]\nlisten=unix:%s\n", metrics_path);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (metrics_path);
  g_autoptr(SoupSession) metrics = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestDevice) ben = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *client = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;
  GHashTableIter iter;
  gpointer key;

  srv_test_write_config (env, config);
  srv_test_server_start (env);
  metrics = soup_session_new_with_options ("remote-connectable", address, NULL);
  srv_test_add_user (env, "ana", "advocate_dv", "14");
  srv_test_add_user (env, "ben", "advocate_cv", "14");
  /* A device that never synced. */
  srv_test_sql (env, "INSERT INTO device (id, account_id, name) "
                "SELECT gen_random_uuid(), id, 'spare' FROM account WHERE username = 'ana'",
                NULL);

  before = scrape (metrics);
  g_assert_cmpfloat (value (before, "caseload_conflicts_created_total"), ==, 0);
  g_assert_cmpfloat (value (before, "caseload_devices{last_sync=\"never\"}"), ==, 1);

  /* Two sign-ins, four pushes (one conflict), a pull, a resolution, a 404. */
  ana = srv_test_login (env, "ana");
  ben = srv_test_login (env, "ben");
  {
    g_autoptr(ClWireResult) r2 = NULL;
    g_autoptr(ClWireResult) r3 = NULL;
    g_autoptr(ClWirePullResponse) pulled = NULL;
    gint64 base;

    client = srv_test_new_client (env, ana, "A");
    g_free (srv_test_new_case (env, ana, client, "14"));
    base = srv_test_record_version (env, client);
    r2 = srv_test_push_one (env, ana, srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT,
                                                         base, "pseudonym", "B", NULL));
    r3 = srv_test_push_one (env, ben, srv_test_mutation (ben, "client", client, CL_WIRE_OP_PUT,
                                                         base, "pseudonym", "C", NULL));
    g_assert_cmpstr (r3->code, ==, NULL);
    g_assert_cmpint (r3->status, ==, CL_WIRE_STATUS_CONFLICT);
    pulled = srv_test_pull (env, ben, 0, 0);
    path = g_strdup_printf ("/v1/conflicts/%s/resolve",
                            ((ClWireConflict *) g_ptr_array_index (r3->conflicts, 0))->conflict_id);
  }
  reply = srv_test_request (env, "POST", path, ben->token, "{\"keep\":\"theirs\"}", -1);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "GET", "/v1/nothing-here", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 404);
  g_clear_pointer (&reply, srv_test_reply_free);

  after = scrape (metrics);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"/v1/login\","
                                   "status=\"200\"}"), ==, 2);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"/v1/push\","
                                   "status=\"200\"}"), ==, 4);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"/v1/pull\","
                                   "status=\"200\"}"), ==, 1);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"/v1/conflicts/{id}/"
                                   "resolve\",status=\"200\"}"), ==, 1);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"unmatched\","
                                   "status=\"404\"}"), ==, 1);
  g_assert_cmpfloat (value (after, "caseload_sync_duration_seconds_count{route=\"/v1/push\"}"),
                     ==, 4);
  g_assert_cmpfloat (value (after, "caseload_sync_duration_seconds_bucket{route=\"/v1/push\","
                                   "le=\"+Inf\"}"), ==, 4);
  g_assert_cmpfloat (value (after, "caseload_sync_duration_seconds_sum{route=\"/v1/push\"}"),
                     >, 0);
  g_assert_cmpfloat (value (after, "caseload_sync_duration_seconds_count{route=\"/v1/pull\"}"),
                     ==, 1);
  /* Four pushes and a resolution took the clock. */
  g_assert_cmpfloat (value (after, "caseload_clock_lock_wait_seconds_count"), >=, 5);
  g_assert_cmpfloat (value (after, "caseload_conflicts_created_total"), ==, 1);
  g_assert_cmpfloat (value (after, "caseload_devices{last_sync=\"1h\"}"), ==, 2);
  g_assert_cmpfloat (value (after, "caseload_devices{last_sync=\"never\"}"), ==, 1);
  g_assert_cmpfloat (value (after, "caseload_database_errors_total{kind=\"unavailable\"}"),
                     ==, 0);
  /* Labels name patterns, never paths with their ids. */
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_false (g_regex_match_simple ("[0-9a-f]{8}-[0-9a-f]{4}-", key, 0, 0));

  /* The database goes away: the errors are counted. */
  sql = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS false", env->dbname);
  srv_test_admin_sql (sql);
  g_free (srv_test_sql (env, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()", NULL));
  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 503);
  g_clear_pointer (&reply, srv_test_reply_free);
  g_free (sql);
  sql = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS true", env->dbname);
  srv_test_admin_sql (sql);
  g_clear_pointer (&after, g_hash_table_unref);
  after = scrape (metrics);
  g_assert_cmpfloat (value (after, "caseload_database_errors_total{kind=\"unavailable\"}"),
                     >=, 1);
  g_assert_cmpfloat (value (after, "caseload_http_requests_total{route=\"/v1/health\","
                                   "status=\"503\"}"), ==, 1);

  /* The two listeners answer their own paths only. */
  reply = srv_test_request (env, "GET", "/metrics", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 404);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request_full (metrics, "http://localhost", "GET", "/v1/health", NULL, NULL,
                                 NULL, 0);
  g_assert_cmpuint (reply->status, ==, 404);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request_full (metrics, "http://localhost", "POST", "/metrics", NULL,
                                 "application/json", "{}", -1);
  g_assert_cmpuint (reply->status, ==, 405);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* Stopping removes the metrics socket too. */
  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  g_assert_false (g_file_test (metrics_path, G_FILE_TEST_EXISTS));
}

/* Off by default; a network address is refused as for the API, given in the file or as a
 * flag. */
static void
test_metrics_listen (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *log = NULL;
  g_autofree char *output = NULL;

  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  log = srv_test_read_log (env);
  g_assert_null (strstr (log, "metrics on"));

  srv_test_write_config (env, "[metrics]\nlisten=0.0.0.0:9464\n");
  g_assert_cmpint (serve_once (env, NULL, &output), ==, 1);
  g_assert_nonnull (strstr (output, "[metrics] listen: caseload-server listens on a Unix "
                                    "socket or a loopback address only"));
  g_assert_false (g_file_test (env->socket_path, G_FILE_TEST_EXISTS));

  srv_test_write_config (env, NULL);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (serve_once (env, "--metrics-listen=192.0.2.1:9464", &output), ==, 1);
  g_assert_nonnull (strstr (output, "[metrics] listen: caseload-server listens on a Unix "
                                    "socket or a loopback address only"));
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/service/notify", test_notify);
  g_test_add_func ("/server/service/reload", test_reload);
  g_test_add_func ("/server/service/socket-in-use", test_socket_in_use);
  g_test_add_func ("/server/metrics/scrape", test_metrics);
  g_test_add_func ("/server/metrics/listen", test_metrics_listen);
  return g_test_run ();
}
