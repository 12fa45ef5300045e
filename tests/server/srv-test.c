/* srv-test.c: a throwaway database, a real caseload-server process and an HTTP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server tests run against a real PostgreSQL: `pg_virtualenv -- meson test --suite
 * server` provides one through PGHOST, PGPORT, PGUSER, PGPASSWORD. Without it they fail
 * (never skip) and say so. Each test gets its own database and its own server process.
 */

#define G_LOG_DOMAIN "srv-test"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "cl-schema.h"
#include "srv-test.h"

static char *password_hash;

/* Children die with the test: an aborted test leaves no server or nginx behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

const char *
srv_test_server_path (void)
{
  const char *path = g_getenv ("CASELOAD_SERVER");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("CASELOAD_SERVER must name the caseload-server binary (meson sets it)");
  return path;
}

void
srv_test_init (int    *argc,
               char ***argv)
{
  g_test_init (argc, argv, NULL);
  if (sodium_init () < 0)
    g_error ("libsodium failed to initialize");
}

static PGconn *
admin_connect (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("The server tests need PostgreSQL. Run them under pg_virtualenv, e.g. "
             "`pg_virtualenv -- meson test -C build --suite server` (PGHOST=%s PGPORT=%s): %s",
             g_getenv ("PGHOST") ? g_getenv ("PGHOST") : "(unset)",
             g_getenv ("PGPORT") ? g_getenv ("PGPORT") : "(unset)",
             PQerrorMessage (conn));
  return conn;
}

static void
exec_or_die (PGconn     *conn,
             const char *sql)
{
  PGresult *r = PQexec (conn, sql);

  if (PQresultStatus (r) != PGRES_COMMAND_OK && PQresultStatus (r) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (r);
}

/* The server's settings file: the test database and socket, then @config. */
void
srv_test_write_config (SrvTestEnv *env,
                       const char *config)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_string_append_printf (text, "[database]\nconninfo=%s\n\n", env->conninfo);
  g_string_append_printf (text, "[server]\nlisten=unix:%s\nworkers=4\nshutdown-timeout=10\n\n",
                          env->socket_path);
  if (config != NULL)
    g_string_append (text, config);
  if (!g_file_set_contents (env->config_path, text->str, -1, &error))
    g_error ("%s", error->message);
}

SrvTestEnv *
srv_test_env_new_stopped (const char *config)
{
  SrvTestEnv *env = g_new0 (SrvTestEnv, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *create = NULL;
  g_autofree char *output = NULL;
  guint8 raw[6];
  char hex[13];
  PGconn *admin;

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
  env->dbname = g_strconcat ("cl_test_", hex, NULL);
  env->conninfo = g_strdup_printf ("dbname=%s", env->dbname);

  admin = admin_connect ("");
  create = g_strdup_printf ("CREATE DATABASE %s", env->dbname);
  exec_or_die (admin, create);
  PQfinish (admin);

  env->tmpdir = g_dir_make_tmp ("caseload-server-test-XXXXXX", &error);
  g_assert_no_error (error);
  env->socket_path = g_build_filename (env->tmpdir, "server.sock", NULL);
  env->config_path = g_build_filename (env->tmpdir, "server.conf", NULL);
  env->log_path = g_build_filename (env->tmpdir, "server.log", NULL);
  srv_test_write_config (env, config);

  if (srv_test_cli (env, &output, "migrate", NULL) != 0)
    g_error ("caseload-server migrate failed: %s", output);

  env->conn = admin_connect (env->conninfo);
  exec_or_die (env->conn, "SET client_min_messages = warning");

  env->session = srv_test_session_new (env);
  return env;
}

/* A client session to the server's socket; one per thread. */
SoupSession *
srv_test_session_new (SrvTestEnv *env)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (env->socket_path);

  return soup_session_new_with_options ("remote-connectable", address, "timeout", 60, NULL);
}

static SrvTestReply *
device_request (SrvTestEnv    *env,
                SrvTestDevice *device,
                const char    *path,
                const char    *body,
                gssize         len)
{
  return srv_test_request_full (device->session != NULL ? device->session : env->session,
                                "http://localhost", "POST", path, device->token,
                                "application/json", body, len);
}

SrvTestEnv *
srv_test_env_new (const char *config)
{
  SrvTestEnv *env = srv_test_env_new_stopped (config);

  srv_test_server_start (env);
  return env;
}

void
srv_test_env_free (SrvTestEnv *env)
{
  g_autofree char *drop = NULL;
  PGconn *admin;

  if (env == NULL)
    return;
  if (env->server != NULL)
    srv_test_server_stop (env, SIGTERM);
  g_clear_object (&env->session);
  g_clear_pointer (&env->conn, PQfinish);

  admin = admin_connect ("");
  drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", env->dbname);
  exec_or_die (admin, drop);
  PQfinish (admin);

  /* Everything in it is the test's (second sockets, logs, password files). */
  g_free (srv_test_run ("rm", "-rf", env->tmpdir, NULL));
  g_free (env->dbname);
  g_free (env->conninfo);
  g_free (env->tmpdir);
  g_free (env->socket_path);
  g_free (env->config_path);
  g_free (env->log_path);
  g_strfreev (env->server_env);
  g_free (env);
}

void
srv_test_server_start (SrvTestEnv *env)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  g_assert_null (env->server);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (env->quiet)
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  else
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  for (guint i = 0; env->server_env != NULL && env->server_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env->server_env[i], "=", 2);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  /* Appending keeps the log of earlier runs of this environment (restarts). */
  {
    int fd = g_open (env->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    g_assert_cmpint (fd, >=, 0);
    g_subprocess_launcher_take_stdout_fd (launcher, fd);
  }
  env->server = g_subprocess_launcher_spawn (launcher, &error, srv_test_server_path (),
                                             "--config", env->config_path, "serve", NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(SrvTestReply) reply = NULL;

      if (g_file_test (env->socket_path, G_FILE_TEST_EXISTS))
        {
          reply = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
          if (reply->status == 200)
            return;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = srv_test_read_log (env);
          g_error ("caseload-server did not become healthy:\n%s", log);
        }
      g_usleep (20000);
    }
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  gboolean *done = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/**
 * srv_test_server_stop:
 * @signum: SIGTERM for a graceful stop, SIGKILL for a crash
 *
 * Returns: the exit status (or the signal as a negative number)
 */
int
srv_test_server_stop (SrvTestEnv *env,
                      int         signum)
{
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int status;

  g_assert_nonnull (env->server);
  g_subprocess_send_signal (env->server, signum);
  g_subprocess_wait_async (env->server, NULL, wait_cb, &done);
  while (!done)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (env->server);
          deadline = G_MAXINT64;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (g_subprocess_get_if_exited (env->server))
    status = g_subprocess_get_exit_status (env->server);
  else
    status = -g_subprocess_get_term_sig (env->server);
  g_clear_object (&env->server);
  return status;
}

char *
srv_test_read_log (SrvTestEnv *env)
{
  char *contents = NULL;

  if (!g_file_get_contents (env->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* caseload-server --config ENV's ARGS …, with @input (if any) on its standard input (a
 * pipe): its exit status, and stdout and stderr together in @output. */
int
srv_test_cli_input (SrvTestEnv         *env,
                    const char         *input,
                    char              **output,
                    const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE;

  g_ptr_array_add (argv, (gpointer) srv_test_server_path ());
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, env->config_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  process = g_subprocess_newv ((const char * const *) argv->pdata, flags, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return g_subprocess_get_exit_status (process);
}

/* The same with nothing on standard input, the arguments NULL-terminated. */
int
srv_test_cli (SrvTestEnv  *env,
              char       **output,
              const char  *first_arg,
              ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return srv_test_cli_input (env, NULL, output, (const char * const *) args->pdata);
}

/* Accounts straight into the database with one hash made per run: the CLI path has its
 * own test, and Argon2id per account would only slow the suite. */
char *
srv_test_add_user (SrvTestEnv *env,
                   const char *username,
                   const char *role,
                   const char *commands)
{
  g_autofree char *id = cl_uuid_new ();
  g_auto(GStrv) codes = NULL;
  const char *params[4];
  PGresult *r;

  if (password_hash == NULL)
    {
      password_hash = g_malloc0 (crypto_pwhash_STRBYTES);
      g_assert_cmpint (crypto_pwhash_str (password_hash, SRV_TEST_PASSWORD,
                                          strlen (SRV_TEST_PASSWORD),
                                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE), ==, 0);
    }

  params[0] = id;
  params[1] = username;
  params[2] = role;
  params[3] = password_hash;
  r = PQexecParams (env->conn, "INSERT INTO account (id, username, role, password_hash) "
                    "VALUES ($1, $2, $3, $4)", 4, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (r), ==, PGRES_COMMAND_OK);
  PQclear (r);

  codes = g_strsplit (commands != NULL ? commands : "", ",", -1);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      if (*codes[i] == '\0')
        continue;
      params[1] = codes[i];
      r = PQexecParams (env->conn, "INSERT INTO account_command VALUES ($1, $2)", 2, NULL,
                        params, NULL, NULL, 0);
      g_assert_cmpint (PQresultStatus (r), ==, PGRES_COMMAND_OK);
      PQclear (r);
    }
  return g_steal_pointer (&id);
}

static gboolean
connection_lost (PGconn   *conn,
                 PGresult *r)
{
  const char *state;

  if (PQresultStatus (r) == PGRES_COMMAND_OK || PQresultStatus (r) == PGRES_TUPLES_OK)
    return FALSE;
  state = PQresultErrorField (r, PG_DIAG_SQLSTATE);
  return PQstatus (conn) != CONNECTION_OK || state == NULL || g_str_has_prefix (state, "57P") ||
         g_str_has_prefix (state, "08");
}

static PGresult *
sql_va (SrvTestEnv *env,
        const char *sql,
        va_list     ap)
{
  const char *params[16];
  int n = 0;
  PGresult *r;

  for (const char *p = va_arg (ap, const char *); p != NULL; p = va_arg (ap, const char *))
    {
      g_assert_cmpint (n, <, 16);
      params[n++] = p;
    }
  r = PQexecParams (env->conn, sql, n, NULL, params, NULL, NULL, 0);
  /* PostgreSQL was restarted under us (R4): reconnect, waiting for it to be back. */
  for (int attempt = 0; attempt < 100 && connection_lost (env->conn, r); attempt++)
    {
      PQclear (r);
      g_usleep (100000);
      PQreset (env->conn);
      r = PQexecParams (env->conn, sql, n, NULL, params, NULL, NULL, 0);
    }
  if (PQresultStatus (r) != PGRES_COMMAND_OK && PQresultStatus (r) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (env->conn));
  return r;
}

/* A statement on the default database (ALTER DATABASE of the test's own, …). */
void
srv_test_admin_sql (const char *sql)
{
  PGconn *admin = admin_connect ("");

  exec_or_die (admin, sql);
  PQfinish (admin);
}

/* The first value of the first row, or NULL. Parameters end with NULL. */
char *
srv_test_sql (SrvTestEnv *env,
              const char *sql,
              ...)
{
  va_list ap;
  PGresult *r;
  char *value = NULL;

  va_start (ap, sql);
  r = sql_va (env, sql, ap);
  va_end (ap);
  if (PQntuples (r) > 0 && PQnfields (r) > 0 && !PQgetisnull (r, 0, 0))
    value = g_strdup (PQgetvalue (r, 0, 0));
  PQclear (r);
  return value;
}

gint64
srv_test_sql_int (SrvTestEnv *env,
                  const char *sql,
                  ...)
{
  va_list ap;
  PGresult *r;
  gint64 value = -1;

  va_start (ap, sql);
  r = sql_va (env, sql, ap);
  va_end (ap);
  if (PQntuples (r) > 0 && !PQgetisnull (r, 0, 0))
    value = g_ascii_strtoll (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  return value;
}

SrvTestReply *
srv_test_request_full (SoupSession *session,
                       const char  *base_uri,
                       const char  *method,
                       const char  *path,
                       const char  *token,
                       const char  *content_type,
                       const char  *body,
                       gssize       len)
{
  g_autofree char *uri = g_strconcat (base_uri, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  SrvTestReply *reply = g_new0 (SrvTestReply, 1);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, len < 0 ? strlen (body) : (gsize) len);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  reply->body = soup_session_send_and_read (session, msg, NULL, &error);
  if (error != NULL)
    {
      /* No answer at all (connection refused, reset): status 0. */
      reply->status = 0;
      g_clear_pointer (&reply->body, g_bytes_unref);
      reply->body = g_bytes_new (error->message, strlen (error->message));
      return reply;
    }
  reply->status = soup_message_get_status (msg);
  reply->retry_after = g_strdup (soup_message_headers_get_one (
                                   soup_message_get_response_headers (msg), "Retry-After"));
  return reply;
}

SrvTestReply *
srv_test_request (SrvTestEnv *env,
                  const char *method,
                  const char *path,
                  const char *token,
                  const char *body,
                  gssize      len)
{
  return srv_test_request_full (env->session, "http://localhost", method, path, token,
                                "application/json", body, len);
}

void
srv_test_reply_free (SrvTestReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->retry_after);
  g_free (reply);
}

/* The body as text (the tests' bodies are JSON, NUL-free); borrowed. */
const char *
srv_test_reply_text (SrvTestReply *reply)
{
  gsize len;
  const char *data;

  if (reply->body == NULL)
    return "";
  data = g_bytes_get_data (reply->body, &len);
  if (data == NULL)
    return "";
  /* GBytes from libsoup are not NUL-terminated: keep a terminated copy alongside. */
  if (len == 0 || data[len - 1] != '\0')
    {
      GBytes *terminated;
      char *copy = g_malloc (len + 1);

      memcpy (copy, data, len);
      copy[len] = '\0';
      terminated = g_bytes_new_take (copy, len + 1);
      g_bytes_unref (reply->body);
      reply->body = terminated;
      return copy;
    }
  return data;
}

/* The stable error code of an error answer, decoded by the same code the client uses. */
char *
srv_test_reply_code (SrvTestReply *reply)
{
  const char *text = srv_test_reply_text (reply);
  g_autoptr(ClWireErrorReply) e = cl_wire_error_reply_decode (text, strlen (text), NULL);

  return e != NULL ? g_strdup (e->code) : NULL;
}

SrvTestDevice *
srv_test_login (SrvTestEnv *env,
                const char *username)
{
  ClWireLoginRequest request = { (char *) username, (char *) SRV_TEST_PASSWORD,
                                 (char *) "test workstation", NULL };
  g_autofree char *body = cl_wire_login_request_encode (&request, NULL);
  g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);
  g_autoptr(ClWireLoginResponse) login = NULL;
  g_autoptr(GError) error = NULL;
  SrvTestDevice *device;
  const char *text = srv_test_reply_text (reply);

  g_assert_cmpuint (reply->status, ==, 200);
  login = cl_wire_login_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);

  device = g_new0 (SrvTestDevice, 1);
  device->username = g_strdup (username);
  device->token = g_strdup (login->token);
  device->refresh_token = g_strdup (login->refresh_token);
  device->device_id = g_strdup (login->device_id);
  device->next_seq = 1;
  return device;
}

void
srv_test_device_free (SrvTestDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->username);
  g_free (device->token);
  g_free (device->refresh_token);
  g_free (device->device_id);
  g_clear_object (&device->session);
  g_free (device);
}

/**
 * srv_test_mutation:
 * @...: field, new value (NULL for null), …, then NULL after a field name list ends
 *
 * The list is pairs ending with a NULL field name. The seq is left 0: pushing gives it the
 * device's next one, in batch order (argument evaluation order is unspecified in C).
 */
ClWireMutation *
srv_test_mutation (SrvTestDevice *device,
                   const char    *type,
                   const char    *record,
                   ClWireOp       op,
                   gint64         base_version,
                   ...)
{
  ClWireMutation *m = cl_wire_mutation_new ();
  va_list ap;

  m->seq = 0;  /* given at push time, in batch order */
  m->id = cl_uuid_new ();
  m->type = g_strdup (type);
  m->record = g_strdup (record);
  m->op = op;
  m->base_version = base_version;
  m->at = cl_now_utc ();

  va_start (ap, base_version);
  for (const char *field = va_arg (ap, const char *); field != NULL;
       field = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);
      cl_wire_mutation_add_change (m, field, NULL, value);
    }
  va_end (ap);
  return m;
}

SrvTestReply *
srv_test_push_raw (SrvTestEnv    *env,
                   SrvTestDevice *device,
                   GPtrArray     *mutations)
{
  ClWirePushRequest request = { device->device_id, mutations };
  g_autofree char *body = NULL;
  gsize len;

  for (guint i = 0; i < mutations->len; i++)
    {
      ClWireMutation *m = g_ptr_array_index (mutations, i);
      if (m->seq == 0)
        m->seq = device->next_seq++;
    }
  body = cl_wire_push_request_encode (&request, &len);
  return device_request (env, device, "/v1/push", body, len);
}

/* Pushes a batch (taking ownership of the mutations) and expects 200. */
ClWirePushResponse *
srv_test_push (SrvTestEnv     *env,
               SrvTestDevice  *device,
               ClWireMutation *first,
               ...)
{
  g_autoptr(GPtrArray) mutations =
    g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  ClWirePushResponse *response;
  const char *text;
  va_list ap;

  va_start (ap, first);
  for (ClWireMutation *m = first; m != NULL; m = va_arg (ap, ClWireMutation *))
    g_ptr_array_add (mutations, m);
  va_end (ap);

  reply = srv_test_push_raw (env, device, mutations);
  text = srv_test_reply_text (reply);
  if (reply->status != 200)
    g_error ("push answered %u: %s", reply->status, text);
  response = cl_wire_push_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->results->len, ==, mutations->len);
  return response;
}

ClWireResult *
srv_test_push_one (SrvTestEnv     *env,
                   SrvTestDevice  *device,
                   ClWireMutation *mutation)
{
  g_autoptr(ClWirePushResponse) response = srv_test_push (env, device, mutation, NULL);

  return g_ptr_array_steal_index (response->results, 0);
}

SrvTestReply *
srv_test_pull_raw (SrvTestEnv    *env,
                   SrvTestDevice *device,
                   gint64         cursor,
                   gint64         limit,
                   const char    *digest)
{
  ClWirePullRequest request = { cursor, limit, (char *) digest };
  g_autofree char *body = cl_wire_pull_request_encode (&request, NULL);

  return device_request (env, device, "/v1/pull", body, -1);
}

ClWirePullResponse *
srv_test_pull (SrvTestEnv    *env,
               SrvTestDevice *device,
               gint64         cursor,
               gint64         limit)
{
  g_autoptr(SrvTestReply) reply = srv_test_pull_raw (env, device, cursor, limit, NULL);
  g_autoptr(GError) error = NULL;
  const char *text = srv_test_reply_text (reply);
  ClWirePullResponse *response;

  if (reply->status != 200)
    g_error ("pull answered %u: %s", reply->status, text);
  response = cl_wire_pull_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  return response;
}

/**
 * srv_test_pull_all:
 * @state: (nullable) (transfer full): record id → ClWirePullItem, updated in place
 *
 * Pulls from the device's cursor until the server has no more, applying every page as a
 * client would (put replaces, delete and remove drop).
 *
 * Returns: (transfer full): the state
 */
GHashTable *
srv_test_pull_all (SrvTestEnv    *env,
                   SrvTestDevice *device,
                   GHashTable    *state)
{
  if (state == NULL)
    state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) cl_wire_pull_item_free);
  for (;;)
    {
      g_autoptr(ClWirePullResponse) page = srv_test_pull (env, device, device->cursor, 0);

      g_assert_cmpint (page->cursor, >=, device->cursor);
      for (guint i = 0; i < page->changes->len; i++)
        {
          ClWirePullItem *item = g_ptr_array_index (page->changes, i);

          if (item->op == CL_WIRE_PULL_PUT)
            g_hash_table_replace (state, g_strdup (item->record),
                                  g_steal_pointer (&page->changes->pdata[i]));
          else
            g_hash_table_remove (state, item->record);
        }
      device->cursor = page->cursor;
      if (!page->more)
        break;
    }
  return state;
}

char *
srv_test_new_client (SrvTestEnv    *env,
                     SrvTestDevice *device,
                     const char    *pseudonym)
{
  char *id = cl_uuid_new ();
  g_autoptr(ClWireResult) result = NULL;

  result = srv_test_push_one (env, device,
                              srv_test_mutation (device, "client", id, CL_WIRE_OP_PUT, 0,
                                                 "pseudonym", pseudonym, NULL));
  g_assert_cmpstr (cl_wire_status_to_string (result->status), ==, "applied");
  return id;
}

char *
srv_test_new_case (SrvTestEnv    *env,
                   SrvTestDevice *device,
                   const char    *client,
                   const char    *command)
{
  char *id = cl_uuid_new ();
  g_autoptr(ClWireResult) result = NULL;

  result = srv_test_push_one (env, device,
                              srv_test_mutation (device, "case", id, CL_WIRE_OP_PUT, 0,
                                                 "client_id", client, "command", command,
                                                 "track", "dv", "status", "referred", NULL));
  g_assert_cmpstr (cl_wire_status_to_string (result->status), ==, "applied");
  return id;
}

gint64
srv_test_record_version (SrvTestEnv *env,
                         const char *record)
{
  return srv_test_sql_int (env, "SELECT version FROM record WHERE id = $1", record, NULL);
}

/* ---- nginx ------------------------------------------------------------------------------ */

/* Runs a program and fails the test if it fails. Returns its output. */
char *
srv_test_run (const char *first_arg,
              ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &error);
  if (process == NULL)
    g_error ("%s is needed by this test: %s", first_arg, error->message);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("%s failed:\n%s", first_arg, out);
  return out;
}

guint16
srv_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
replace_all (const char *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);
  return g_strjoinv (to, parts);
}

static void
make_certificates (SrvTestNginx *nginx)
{
  g_autofree char *ca_key = g_build_filename (nginx->dir, "ca.key", NULL);
  g_autofree char *key = g_build_filename (nginx->dir, "server.key", NULL);
  g_autofree char *csr = g_build_filename (nginx->dir, "server.csr", NULL);
  g_autofree char *cert = g_build_filename (nginx->dir, "server.pem", NULL);
  g_autofree char *ext = g_build_filename (nginx->dir, "server.ext", NULL);
  g_autofree char *serial = g_build_filename (nginx->dir, "ca.srl", NULL);

  nginx->ca_path = g_build_filename (nginx->dir, "ca.pem", NULL);
  g_free (srv_test_run ("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
                        "-out", nginx->ca_path, "-days", "2", "-subj", "/CN=Caseload Test CA",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL));
  g_free (srv_test_run ("openssl", "req", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
                        "-subj", "/CN=localhost", NULL));
  g_assert_true (g_file_set_contents (ext, "basicConstraints=CA:FALSE\n"
                                      "keyUsage=critical,digitalSignature\n"
                                      "extendedKeyUsage=serverAuth\n"
                                      "subjectAltName=DNS:localhost,IP:127.0.0.1\n", -1, NULL));
  g_free (srv_test_run ("openssl", "x509", "-req", "-in", csr, "-CA", nginx->ca_path,
                        "-CAkey", ca_key, "-CAserial", serial, "-CAcreateserial",
                        "-out", cert, "-days", "2", "-extfile", ext, NULL));
}

/**
 * srv_test_nginx_start:
 * @sockets: the Unix sockets of the caseload-server instances behind it
 *
 * Starts an unprivileged-config nginx (its own prefix and configuration in a temporary
 * directory) with the shipped site template, TLS from a test CA, on a free port.
 */
SrvTestNginx *
srv_test_nginx_start (const char * const *sockets)
{
  return srv_test_nginx_start_full (sockets, TRUE);
}

/* Without its per-address rate limits (benchmarks measure throughput, not the limiter). */
static char *
without_rate_limits (const char *site)
{
  g_auto(GStrv) lines = g_strsplit (site, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      while (*l == ' ')
        l++;
      if (g_str_has_prefix (l, "limit_req zone=") || g_str_has_prefix (l, "limit_conn caseload"))
        continue;
      g_string_append (out, lines[i]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

SrvTestNginx *
srv_test_nginx_start_full (const char * const *sockets,
                           gboolean            rate_limits)
{
  SrvTestNginx *nginx = g_new0 (SrvTestNginx, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) upstream = g_string_new (NULL);
  g_autoptr(GString) conf = g_string_new (NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *template = NULL;
  g_autofree char *template_path = NULL;
  g_autofree char *site = NULL;
  g_autofree char *site_path = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *log_path = NULL;
  gint64 deadline;

  nginx->dir = g_dir_make_tmp ("caseload-nginx-XXXXXX", &error);
  g_assert_no_error (error);
  make_certificates (nginx);
  cert = g_build_filename (nginx->dir, "server.pem", NULL);
  key = g_build_filename (nginx->dir, "server.key", NULL);
  tmp = g_build_filename (nginx->dir, "tmp", NULL);
  g_mkdir (tmp, 0700);

  for (guint i = 0; sockets[i] != NULL; i++)
    g_string_append_printf (upstream, "server unix:%s max_fails=0;\n    ",
                            sockets[i]);

  template_path = g_test_build_filename (G_TEST_DIST, "..", "..", "data", "nginx-caseload.conf",
                                         NULL);
  if (!g_file_get_contents (template_path, &template, NULL, &error))
    g_error ("%s: %s", template_path, error->message);
  nginx->port = srv_test_free_port ();
  listen = g_strdup_printf ("127.0.0.1:%u", nginx->port);
  site = replace_all (template, "@LISTEN@", listen);
  site = replace_all (g_steal_pointer (&site), "@SERVER_NAME@", "localhost");
  site = replace_all (g_steal_pointer (&site), "@CERTIFICATE@", cert);
  site = replace_all (g_steal_pointer (&site), "@CERTIFICATE_KEY@", key);
  site = replace_all (g_steal_pointer (&site), "@UPSTREAM@", upstream->str);
  site = replace_all (g_steal_pointer (&site), "@LOG_DIR@", nginx->dir);
  if (!rate_limits)
    {
      char *plain = without_rate_limits (site);
      g_free (site);
      site = plain;
    }
  site_path = g_build_filename (nginx->dir, "site.conf", NULL);
  g_assert_true (g_file_set_contents (site_path, site, -1, NULL));

  if (geteuid () == 0)
    g_string_append (conf, "user root root;\n");
  g_string_append_printf (conf,
                          "worker_processes 1;\n"
                          "worker_rlimit_nofile 16384;\n"
                          "pid %s/nginx.pid;\n"
                          "error_log %s/error.log info;\n"
                          /* As data/nginx-caseload.conf asks of nginx.conf. */
                          "events { worker_connections 4096; }\n"
                          "http {\n"
                          "  client_body_temp_path %s/body;\n"
                          "  proxy_temp_path %s/proxy;\n"
                          "  fastcgi_temp_path %s/fastcgi;\n"
                          "  uwsgi_temp_path %s/uwsgi;\n"
                          "  scgi_temp_path %s/scgi;\n"
                          "  include %s;\n"
                          "}\n",
                          nginx->dir, nginx->dir, tmp, tmp, tmp, tmp, tmp, site_path);
  conf_path = g_build_filename (nginx->dir, "nginx.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf->str, -1, NULL));

  /* The template must pass nginx's own check. */
  g_free (srv_test_run ("nginx", "-t", "-q", "-p", nginx->dir, "-c", conf_path, NULL));

  log_path = g_build_filename (nginx->dir, "stderr.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  nginx->process = g_subprocess_launcher_spawn (launcher, &error, "nginx", "-p", nginx->dir,
                                                "-c", conf_path, "-g", "daemon off;", NULL);
  g_assert_no_error (error);
  nginx->base_uri = g_strdup_printf ("https://localhost:%u", nginx->port);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                        nginx->port, NULL,
                                                                        NULL);
      if (c != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
  return nginx;
}

void
srv_test_nginx_stop (SrvTestNginx *nginx)
{
  g_autoptr(GError) error = NULL;

  if (nginx == NULL)
    return;
  if (nginx->process != NULL)
    {
      g_subprocess_send_signal (nginx->process, SIGQUIT);
      g_subprocess_wait (nginx->process, NULL, &error);
      g_clear_object (&nginx->process);
    }
  g_free (srv_test_run ("rm", "-rf", nginx->dir, NULL));
  g_free (nginx->dir);
  g_free (nginx->ca_path);
  g_free (nginx->base_uri);
  g_free (nginx);
}

/* An HTTPS client that trusts only the test CA, optionally from another source address
 * (127.0.0.2 …) so per-address limits see a different client. */
SoupSession *
srv_test_nginx_session (SrvTestNginx *nginx,
                        const char   *local_address)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  SoupSession *session;

  database = g_tls_file_database_new (nginx->ca_path, &error);
  g_assert_no_error (error);
  if (local_address != NULL)
    {
      g_autoptr(GInetAddress) a = g_inet_address_new_from_string (local_address);
      g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (a, 0);
      session = soup_session_new_with_options ("tls-database", database, "timeout", 60,
                                               "local-address", sa, NULL);
    }
  else
    session = soup_session_new_with_options ("tls-database", database, "timeout", 60, NULL);
  return session;
}

/* Another caseload-server on the same database (a second instance behind nginx). */
GSubprocess *
srv_test_server_spawn (SrvTestEnv *env,
                       const char *socket_path,
                       const char *log_path)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = g_strconcat ("unix:", socket_path, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (socket_path);
  g_autoptr(SoupSession) session = NULL;
  GSubprocess *process;
  gint64 deadline;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  process = g_subprocess_launcher_spawn (launcher, &error, srv_test_server_path (),
                                         "--config", env->config_path, "--listen", listen,
                                         "serve", NULL);
  g_assert_no_error (error);

  session = soup_session_new_with_options ("remote-connectable", address, NULL);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(SrvTestReply) reply = NULL;

      if (g_file_test (socket_path, G_FILE_TEST_EXISTS))
        {
          reply = srv_test_request_full (session, "http://localhost", "GET", "/v1/health",
                                         NULL, NULL, NULL, 0);
          if (reply->status == 200)
            return process;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}
