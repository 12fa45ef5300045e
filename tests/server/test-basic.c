/* test-basic.c: migrations, admin subcommands, health, HTTP errors, login and logout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "cl-refdata.h"
#include "cl-schema.h"
#include "cl-seed.h"
#include "srv-migrate.h"
#include "srv-test.h"

static void
test_migrate (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *output = NULL;
  g_autofree char *up_to_date = NULL;
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *id = cl_seed_id ("command", "PSA 2");
  const ClCommandSeed *commands;
  guint n;

  /* Already migrated by the fixture: running it again changes nothing, and says so. */
  g_assert_cmpint (srv_test_cli (env, &output, "migrate", NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT max(version) FROM schema_migrations", NULL),
                   ==, srv_migrate_latest ());
  up_to_date = g_strdup_printf ("The database is up to date (schema %d); nothing to do\n",
                                srv_migrate_latest ());
  g_assert_cmpstr (output, ==, up_to_date);
  g_clear_pointer (&output, g_free);

  /* An empty database: every migration, named, and no reminder to back up nothing. */
  g_free (srv_test_sql (env, "DROP SCHEMA public CASCADE", NULL));
  g_free (srv_test_sql (env, "CREATE SCHEMA public", NULL));
  g_assert_cmpint (srv_test_cli (env, &output, "migrate", NULL), ==, 0);
  for (int i = 1; i <= srv_migrate_latest (); i++)
    g_string_append_printf (all, "%s%03d", i > 1 ? ", " : "Applied migrations ", i);
  g_string_append_c (all, '\n');
  g_assert_cmpstr (output, ==, all->str);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT max(version) FROM schema_migrations", NULL),
                   ==, srv_migrate_latest ());
  g_assert_cmpint (srv_test_cli (env, &output, "migrate", NULL), ==, 0);
  g_assert_cmpstr (output, ==, up_to_date);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT v FROM sync_clock", NULL), ==, 0);

  /* The commands are seeded under the ids every vault gives them. */
  commands = cl_refdata_commands (&n);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE type = 'command'",
                                     NULL), ==, n);
  {
    g_autofree char *code = srv_test_sql (env, "SELECT fields ->> 'code' FROM record "
                                          "WHERE id = $1", id, NULL);
    g_assert_cmpstr (code, ==, "PSA 2");
  }
  (void) commands;

  /* A server refuses to start on a schema it does not know. */
  srv_test_sql (env, "INSERT INTO schema_migrations (version) VALUES (99)", NULL);
  g_assert_cmpint (srv_test_cli (env, &output, "migrate", NULL), !=, 0);
  g_assert_nonnull (strstr (output, "newer"));
}

static char *
password_file (SrvTestEnv *env,
               const char *password)
{
  char *path = g_build_filename (env->tmpdir, "password", NULL);

  g_assert_true (g_file_set_contents (path, password, -1, NULL));
  return path;
}

static void
test_cli_user (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *pw = password_file (env, SRV_TEST_PASSWORD "\n");
  g_autofree char *short_pw = NULL;
  g_autofree char *long_pw = NULL;
  const char * const add_eve[] = { "user", "add", "--username", "eve", "--role", "director",
                                   "--password-file", "-", NULL };
  g_autofree char *output = NULL;
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *hash = NULL;

  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "ana",
                                 "--role", "advocate_dv", "--command", "14",
                                 "--command", "psa 2", "--password-file", pw, NULL), ==, 0);
  g_clear_pointer (&output, g_free);

  /* Stored as Argon2id; commands normalized. */
  hash = srv_test_sql (env, "SELECT password_hash FROM account WHERE username = 'ana'", NULL);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM account_command c JOIN account a "
                                     "ON a.id = c.account_id WHERE a.username = 'ana' "
                                     "AND c.command IN ('14', 'PSA 2')", NULL), ==, 2);

  /* Refusals. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "ana", "--role",
                                 "advocate_dv", "--command", "14", "--password-file", pw, NULL),
                   !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "bo", "--role",
                                 "janitor", "--password-file", pw, NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "bo", "--role",
                                 "advocate_cv", "--password-file", pw, NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "bo", "--role",
                                 "advocate_cv", "--command", "999", "--password-file", pw, NULL),
                   !=, 0);
  g_assert_nonnull (strstr (output, "999"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "Bo Derek", "--role",
                                 "director", "--password-file", pw, NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "dora", "--role",
                                 "director", "--command", "14", "--password-file", pw, NULL),
                   !=, 0);
  g_clear_pointer (&output, g_free);
  short_pw = password_file (env, "short");
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "dora", "--role",
                                 "director", "--password-file", short_pw, NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "add", "--username", "dora", "--role",
                                 "director", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM account", NULL), ==, 1);

  g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "ana"));
  g_assert_nonnull (strstr (output, "14,PSA 2"));
  g_clear_pointer (&output, g_free);

  /* The account works; disabling it ends its sessions and sign-ins. */
  device = srv_test_login (env, "ana");
  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "ana", NULL),
                   ==, 0);
  g_clear_pointer (&output, g_free);
  reply = srv_test_request (env, "GET", "/v1/conflicts", device->token, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "POST", "/v1/login", NULL,
                            "{\"username\":\"ana\",\"password\":\"" SRV_TEST_PASSWORD "\","
                            "\"device_name\":\"x\"}", -1);
  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "nobody", NULL),
                   !=, 0);

  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event IN "
                                     "('admin.user_add', 'admin.user_disable')", NULL), ==, 2);

  /* "--password-file -" reads standard input (the caseload user cannot read root's files):
   * one line, 12 to 1024 characters, as from a file. */
  g_clear_pointer (&output, g_free);
  long_pw = g_strnfill (1025, 'x');
  g_assert_cmpint (srv_test_cli_input (env, long_pw, &output, add_eve), !=, 0);
  g_assert_nonnull (strstr (output, "1024"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli_input (env, "", &output, add_eve), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM account WHERE username = 'eve'",
                                     NULL), ==, 0);
  g_assert_cmpint (srv_test_cli_input (env, SRV_TEST_PASSWORD "\n", &output, add_eve), ==, 0);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&device, srv_test_device_free);
  device = srv_test_login (env, "eve");
  g_assert_nonnull (device);
  g_clear_pointer (&device, srv_test_device_free);
  g_unlink (pw);
  g_unlink (short_pw);
}

static void
test_cli_device (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autofree char *output = NULL;
  g_autofree char *other = cl_uuid_new ();

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");

  g_assert_cmpint (srv_test_cli (env, &output, "device", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (output, device->device_id));
  g_assert_nonnull (strstr (output, "active"));
  g_clear_pointer (&output, g_free);

  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "stolen", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", other, "--mode", "lost",
                                 NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "retire", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "list", "--username", "ana", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (output, "revoked (retire)"));
  g_clear_pointer (&output, g_free);

  /* Retire can be escalated to lost, never the other way. */
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "lost", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "retire", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  {
    g_autofree char *mode = srv_test_sql (env, "SELECT revoke_mode FROM device WHERE id = $1",
                                          device->device_id, NULL);
    g_assert_cmpstr (mode, ==, "lost");
  }
  g_assert_cmpint (srv_test_cli (env, &output, "frobnicate", NULL), !=, 0);
}

static void
test_config_file (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *output = NULL;
  g_autofree char *config = NULL;

  g_assert_true (g_file_get_contents (env->config_path, &config, NULL, NULL));
  {
    g_autofree char *bad = g_strconcat (config, "\n[tokens]\nidle-timeout=0\n", NULL);
    g_assert_true (g_file_set_contents (env->config_path, bad, -1, NULL));
  }

  /* A bad value is refused with its key named. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), !=, 0);
  g_assert_nonnull (strstr (output, "idle-timeout"));

  /* So is a key or a group nobody reads (a typo would leave the default in force), by
   * serve as by every command, with the file and the key named. */
  srv_test_write_config (env, "[tokens]\nidle-timout=60\n");
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "serve", NULL), ==, 1);
  g_assert_nonnull (strstr (output, env->config_path));
  g_assert_nonnull (strstr (output, "unknown key “idle-timout” in [tokens]"));
  g_assert_false (g_file_test (env->socket_path, G_FILE_TEST_EXISTS));

  srv_test_write_config (env, "[metric]\nlisten=127.0.0.1:9464\n");
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), ==, 1);
  g_assert_nonnull (strstr (output, "unknown group [metric]"));

  /* Every key of the shipped example is known. */
  {
    g_autofree char *example = g_test_build_filename (G_TEST_DIST, "..", "..", "data",
                                                      "caseload-server.conf", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (example, &text, NULL, NULL));
    g_assert_true (g_file_set_contents (env->config_path, text, -1, NULL));
    g_clear_pointer (&output, g_free);
    g_assert_cmpint (srv_test_cli (env, &output, "--db", env->conninfo, "user", "list", NULL),
                     ==, 0);
  }
}

static void
test_health (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *version = NULL;
  g_autofree char *code = NULL;
  g_autofree char *sql = NULL;

  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (srv_test_reply_text (reply), ==,
                   "{\"status\":\"ok\",\"database\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}");
  g_clear_pointer (&reply, srv_test_reply_free);

  /* HEAD answers as GET does, without the body. */
  reply = srv_test_request (env, "HEAD", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (reply->body), ==, 0);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "POST", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 405);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* The command line says the same version. */
  g_assert_cmpint (srv_test_cli (env, &version, "--version", NULL), ==, 0);
  g_assert_cmpstr (version, ==, "caseload-server " PACKAGE_VERSION "\n");

  /* The database goes away: 503, and back again: 200. */
  sql = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS false", env->dbname);
  srv_test_admin_sql (sql);
  g_free (srv_test_sql (env, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()", NULL));
  for (int i = 0; i < 8; i++)
    {
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
      if (reply->status == 503)
        break;
    }
  g_assert_cmpuint (reply->status, ==, 503);
  code = srv_test_reply_code (reply);
  g_assert_cmpstr (code, ==, "unavailable");
  g_assert_nonnull (reply->retry_after);

  g_free (sql);
  sql = g_strdup_printf ("ALTER DATABASE %s ALLOW_CONNECTIONS true", env->dbname);
  srv_test_admin_sql (sql);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
}

static void
assert_status (SrvTestEnv *env,
               const char *method,
               const char *path,
               const char *token,
               const char *content_type,
               const char *body,
               guint       status,
               const char *code)
{
  g_autoptr(SrvTestReply) reply = srv_test_request_full (env->session, "http://localhost",
                                                         method, path, token, content_type,
                                                         body, -1);
  g_autofree char *got = srv_test_reply_code (reply);

  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpstr (got, ==, code);
}

static void
test_http_errors (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(GString) big = g_string_new ("{\"cursor\":0,\"x\":\"");

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");

  assert_status (env, "GET", "/v1/nothing", NULL, NULL, NULL, 404, "not_found");
  assert_status (env, "GET", "/v1/push", NULL, NULL, NULL, 405, "method_not_allowed");
  assert_status (env, "POST", "/v1/conflicts/not-a-uuid/resolve", device->token,
                 "application/json", "{}", 404, "not_found");
  assert_status (env, "POST", "/v1/pull", device->token, "text/plain", "{\"cursor\":0}", 415,
                 "unsupported_media_type");
  assert_status (env, "POST", "/v1/pull", NULL, "application/json", "{\"cursor\":0}", 401,
                 "token_invalid");
  assert_status (env, "POST", "/v1/pull", "clt_short", "application/json", "{\"cursor\":0}",
                 401, "token_invalid");
  assert_status (env, "POST", "/v1/pull",
                 "clt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "application/json",
                 "{\"cursor\":0}", 401, "token_invalid");
  assert_status (env, "POST", "/v1/pull", device->token, "application/json; charset=utf-8",
                 "{\"cursor\":0}", 200, NULL);
  assert_status (env, "POST", "/v1/pull", device->token, "application/json", "{\"cursor\":\"0\"}",
                 400, "wrong_type");

  /* Above the body limit: 413 before any parsing. */
  while (big->len < 5 * 1024 * 1024)
    g_string_append (big, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  reply = srv_test_request (env, "POST", "/v1/pull", device->token, big->str, big->len);
  g_assert_cmpuint (reply->status, ==, 413);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* Still serving. */
  reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
}

static void
test_login_logout (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWireLoginResponse) login = NULL;
  g_autofree char *body = NULL;
  g_autofree char *hash = NULL;
  const char *text;

  srv_test_add_user (env, "ana", "advocate_dv", "14,20");
  reply = srv_test_request (env, "POST", "/v1/login", NULL,
                            "{\"username\":\"ANA\",\"password\":\"" SRV_TEST_PASSWORD "\","
                            "\"device_name\":\"ws-14\"}", -1);
  g_assert_cmpuint (reply->status, ==, 200);
  text = srv_test_reply_text (reply);
  login = cl_wire_login_response_decode (text, strlen (text), NULL);
  g_assert_nonnull (login);
  g_assert_cmpstr (login->role, ==, "advocate_dv");
  g_assert_cmpuint (g_strv_length (login->commands), ==, 2);
  g_assert_true (g_str_has_prefix (login->token, "clt_"));
  /* 32 random bytes, stored only as a hash. */
  g_assert_cmpuint (strlen (login->token), ==, 4 + 43);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM device WHERE token_hash = "
                                     "convert_to($1, 'UTF8')", login->token, NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT length(token_hash) FROM device WHERE id = $1",
                                     login->device_id, NULL), ==, 32);

  device = g_new0 (SrvTestDevice, 1);
  device->token = g_strdup (login->token);
  device->device_id = g_strdup (login->device_id);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "GET", "/v1/conflicts", device->token, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);

  reply = srv_test_request (env, "POST", "/v1/logout", device->token, "{\"x\":1}", -1);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "POST", "/v1/logout", device->token, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = srv_test_request (env, "GET", "/v1/conflicts", device->token, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* Signing in again on the same device keeps it (and its seq). */
  g_free (srv_test_sql (env, "UPDATE device SET last_seq = 41 WHERE id = $1", device->device_id,
                        NULL));
  body = g_strdup_printf ("{\"username\":\"ana\",\"password\":\"" SRV_TEST_PASSWORD "\","
                          "\"device_name\":\"ws-14\",\"device_id\":\"%s\"}", device->device_id);
  reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM device", NULL), ==, 1);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* Someone else's device id is refused. */
  srv_test_add_user (env, "bo", "advocate_cv", "14");
  g_free (body);
  body = g_strdup_printf ("{\"username\":\"bo\",\"password\":\"" SRV_TEST_PASSWORD "\","
                          "\"device_name\":\"ws\",\"device_id\":\"%s\"}", device->device_id);
  reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);
  g_assert_cmpuint (reply->status, ==, 403);

  hash = srv_test_sql (env, "SELECT count(*) FROM audit_log WHERE event = 'login' "
                       "AND outcome = 'ok'", NULL);
  g_assert_cmpstr (hash, ==, "2");
  srv_test_device_free (g_steal_pointer (&device));
}

static void
test_graceful_shutdown (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *log = NULL;

  g_assert_cmpint (srv_test_server_stop (env, SIGTERM), ==, 0);
  log = srv_test_read_log (env);
  g_assert_nonnull (strstr (log, "stopped"));
  g_assert_false (g_file_test (env->socket_path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/cli/migrate", test_migrate);
  g_test_add_func ("/server/cli/user", test_cli_user);
  g_test_add_func ("/server/cli/device", test_cli_device);
  g_test_add_func ("/server/cli/config-file", test_config_file);
  g_test_add_func ("/server/health", test_health);
  g_test_add_func ("/server/http/errors", test_http_errors);
  g_test_add_func ("/server/login/login-logout", test_login_logout);
  g_test_add_func ("/server/shutdown/sigterm", test_graceful_shutdown);
  return g_test_run ();
}
