/* test-service.c: caseload-server as a systemd service: readiness and stopping told to
 * $NOTIFY_SOCKET, SIGHUP reloading the settings file, a socket in use left alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <sodium.h>

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

/* Runs `caseload-server serve` on the environment's settings; it must end by itself. */
static int
serve_once (SrvTestEnv  *env,
            char       **output)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  *output = NULL;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              &error, srv_test_server_path (), "--config", env->config_path,
                              "serve", NULL);
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
  g_assert_cmpint (serve_once (env, &output), ==, 1);
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

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/service/notify", test_notify);
  g_test_add_func ("/server/service/reload", test_reload);
  g_test_add_func ("/server/service/socket-in-use", test_socket_in_use);
  return g_test_run ();
}
