/* cl-test-stack.c: a throwaway sync stack for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stack is a fresh PostgreSQL database (in the cluster pg_virtualenv set up: PGHOST,
 * PGPORT, PGUSER, PGPASSWORD, or in a cluster of the test's own, ClTestCluster),
 * `caseload-server migrate` and `serve` on a Unix socket, and
 * nginx (master_process off, daemon off, from a temp prefix) terminating TLS with a
 * certificate of a test CA made by openssl. Children die with the test (PR_SET_PDEATHSIG).
 * Anything missing fails the test with the reason: a test never skips silently.
 */

#define G_LOG_DOMAIN "cl-test-stack"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cl-test-stack.h"

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

const char *
cl_test_binary (const char *env_name)
{
  const char *path = g_getenv (env_name);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not set to an executable (meson test sets it): %s", env_name,
             path != NULL ? path : "(unset)");
  return path;
}

/**
 * cl_test_run:
 * @status: (out): the exit status (a shell-style code; 128+N for a signal)
 * @err: (out) (optional): standard error
 *
 * Returns: (transfer full): standard output
 */
char *
cl_test_run (const char * const  *argv,
             const char * const  *envp,
             int                 *status,
             char               **err)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  char *errout = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH, die_with_parent,
                     NULL, &out, &errout, &wait_status, &error))
    g_error ("Cannot run %s: %s", argv[0], error->message);
  if (WIFEXITED (wait_status))
    *status = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    *status = 128 + WTERMSIG (wait_status);
  else
    *status = -1;
  if (err != NULL)
    *err = errout;
  else
    g_free (errout);
  return out;
}

static void
run_or_die (const char * const *argv,
            const char         *what)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = cl_test_run (argv, NULL, &status, &err);
  if (status != 0)
    g_error ("%s failed (%d): %s%s", what, status, out, err);
}

guint16
cl_test_free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, any, TRUE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
cl_test_wait_port (guint16 port,
                   guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) a = g_inet_socket_address_new (lo, port);

      if (g_socket_connect (s, a, NULL, NULL))
        return TRUE;
      g_usleep (20000);
    }
  return FALSE;
}

/* TLS ---------------------------------------------------------------------------------- */

static void
make_ca (const char *dir,
         const char *name,
         const char *cn)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *subj = g_strdup_printf ("/CN=%s", cn);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", pem, "-days", "30", "-subj", subj,
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL
  };

  run_or_die (argv, "openssl req (CA)");
}

/* A leaf certificate for @san signed by @ca; with @expired, valid only in 2020. */
static void
make_leaf (const char *dir,
           const char *name,
           const char *ca,
           const char *san,
           gboolean    expired)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *csr = g_strdup_printf ("%s/%s.csr", dir, name);
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *ext = g_strdup_printf ("%s/%s.ext", dir, name);
  g_autofree char *ca_pem = g_strdup_printf ("%s/%s.pem", dir, ca);
  g_autofree char *ca_key = g_strdup_printf ("%s/%s.key", dir, ca);
  g_autofree char *ext_text = g_strdup_printf ("subjectAltName=%s\nextendedKeyUsage=serverAuth\n"
                                               "basicConstraints=CA:FALSE\n", san);
  const char *req[] = {
    "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", csr, "-subj", "/CN=caseload-test", NULL
  };

  g_assert_true (g_file_set_contents (ext, ext_text, -1, NULL));
  run_or_die (req, "openssl req (leaf)");
  if (!expired)
    {
      g_autofree char *serial = g_strdup_printf ("%s/%s.srl", dir, ca);
      const char *sign[] = {
        "openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
        "-CAcreateserial", "-CAserial", serial, "-out", pem, "-days", "30", "-extfile", ext,
        NULL
      };
      run_or_die (sign, "openssl x509 -req");
    }
  else
    {
      /* openssl x509 cannot back-date; openssl ca can. */
      g_autofree char *cadir = g_strdup_printf ("%s/ca-db", dir);
      g_autofree char *conf = g_strdup_printf ("%s/ca.cnf", dir);
      g_autofree char *conf_text = g_strdup_printf (
        "[ca]\ndefault_ca = test\n[test]\ndatabase = %s/index.txt\nnew_certs_dir = %s\n"
        "serial = %s/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
        "[any]\ncommonName = supplied\n", cadir, cadir, cadir);
      g_autofree char *index = g_strdup_printf ("%s/index.txt", cadir);
      g_autofree char *serial = g_strdup_printf ("%s/serial", cadir);
      const char *sign[] = {
        "openssl", "ca", "-batch", "-config", conf, "-cert", ca_pem, "-keyfile", ca_key,
        "-in", csr, "-out", pem, "-startdate", "20200101000000Z", "-enddate",
        "20200201000000Z", "-extfile", ext, "-notext", NULL
      };

      g_mkdir_with_parents (cadir, 0700);
      g_assert_true (g_file_set_contents (conf, conf_text, -1, NULL));
      g_assert_true (g_file_set_contents (index, "", -1, NULL));
      g_assert_true (g_file_set_contents (serial, "1000\n", -1, NULL));
      run_or_die (sign, "openssl ca (expired)");
    }
}

ClTestTls *
cl_test_tls_new (const char *dir)
{
  ClTestTls *tls = g_new0 (ClTestTls, 1);

  if (g_find_program_in_path ("openssl") == NULL)
    g_error ("openssl is not installed: the end-to-end tests make their certificates with "
             "it (apt-get install openssl)");
  tls->dir = g_strdup (dir);
  g_mkdir_with_parents (dir, 0700);
  make_ca (dir, "ca", "Caseload Test CA");
  make_ca (dir, "other-ca", "Some Other CA");
  make_leaf (dir, "server", "ca", "DNS:localhost,IP:127.0.0.1", FALSE);
  make_leaf (dir, "wrong-host", "ca", "DNS:wrong.example", FALSE);
  make_leaf (dir, "other", "other-ca", "DNS:localhost,IP:127.0.0.1", FALSE);
  make_leaf (dir, "expired", "ca", "DNS:localhost,IP:127.0.0.1", TRUE);

#define P(field, name) tls->field = g_build_filename (dir, name, NULL)
  P (ca, "ca.pem");
  P (server_cert, "server.pem");
  P (server_key, "server.key");
  P (expired_cert, "expired.pem");
  P (expired_key, "expired.key");
  P (wrong_host_cert, "wrong-host.pem");
  P (wrong_host_key, "wrong-host.key");
  P (other_ca, "other-ca.pem");
  P (other_cert, "other.pem");
  P (other_key, "other.key");
#undef P
  return tls;
}

void
cl_test_tls_free (ClTestTls *tls)
{
  if (tls == NULL)
    return;
  g_free (tls->dir);
  g_free (tls->ca);
  g_free (tls->server_cert);
  g_free (tls->server_key);
  g_free (tls->expired_cert);
  g_free (tls->expired_key);
  g_free (tls->wrong_host_cert);
  g_free (tls->wrong_host_key);
  g_free (tls->other_ca);
  g_free (tls->other_cert);
  g_free (tls->other_key);
  g_free (tls);
}

/* PostgreSQL ----------------------------------------------------------------------------- */

/* @database in the stack's cluster: pg_virtualenv's (the environment's), or its own. */
static char *
psql (ClTestStack *stack,
      const char  *database,
      const char  *sql,
      int         *status,
      char       **err)
{
  g_autofree char *conninfo = g_strdup_printf ("%sdbname=%s", stack->conninfo_prefix, database);
  const char *argv[] = { "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d",
                         conninfo, "-c", sql, NULL };
  return cl_test_run (argv, NULL, status, err);
}

char *
cl_test_stack_sql (ClTestStack *stack,
                   const char  *sql)
{
  g_autofree char *err = NULL;
  int status;
  char *out = psql (stack, stack->database, sql, &status, &err);

  if (status != 0)
    g_error ("SQL failed: %s\n%s", sql, err);
  return g_strchomp (out);
}

/* A PostgreSQL cluster of the test's own ------------------------------------------------ */

/* @program and the arguments in @args (NULL-terminated; @args may be NULL), run as root as
 * the postgres user (initdb refuses root), otherwise as the test's own user. */
static GPtrArray *
cluster_argv (const char *program,
              va_list    *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *arg;

  if (getuid () == 0)
    {
      g_ptr_array_add (argv, "runuser");
      g_ptr_array_add (argv, "-u");
      g_ptr_array_add (argv, "postgres");
      g_ptr_array_add (argv, "--");
    }
  g_ptr_array_add (argv, (gpointer) program);
  while (args != NULL && (arg = va_arg (*args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  return argv;
}

static char *
cluster_run_argv (ClTestCluster  *cluster,
                  GPtrArray      *argv,
                  int            *status,
                  char          **err)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "PGHOST", cluster->dir, TRUE);
  g_autofree char *port = g_strdup_printf ("%u", cluster->port);
  char *out = NULL;
  char *errout = NULL;
  int wait_status = 0;

  envp = g_environ_setenv (envp, "PGPORT", port, TRUE);
  envp = g_environ_setenv (envp, "PGUSER", "postgres", TRUE);
  envp = g_environ_unsetenv (envp, "PGPASSWORD");
  envp = g_environ_unsetenv (envp, "PGDATABASE");
  g_ptr_array_add (argv, NULL);
  /* In the cluster's folder: the postgres user may not enter the test's own. */
  if (!g_spawn_sync (cluster->dir, (char **) argv->pdata, envp, G_SPAWN_SEARCH_PATH,
                     die_with_parent, NULL, &out, &errout, &wait_status, &error))
    g_error ("Cannot run %s: %s", (char *) argv->pdata[0], error->message);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  if (err != NULL)
    *err = errout;
  else
    g_free (errout);
  return out;
}

/**
 * cl_test_cluster_run:
 * @program: a program, then its arguments (NULL-terminated)
 *
 * Runs @program as the cluster's owner, with PGHOST, PGPORT and PGUSER naming the cluster.
 * Returns: (transfer full): standard output
 */
char *
cl_test_cluster_run (ClTestCluster  *cluster,
                     int            *status,
                     char          **err,
                     const char     *program,
                     ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  va_list args;

  va_start (args, program);
  argv = cluster_argv (program, &args);
  va_end (args);
  return cluster_run_argv (cluster, argv, status, err);
}

/* Like cl_test_cluster_run(); fails the test when the program fails. */
void
cl_test_cluster_run_ok (ClTestCluster *cluster,
                        const char    *program,
                        ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;
  int status;

  va_start (args, program);
  argv = cluster_argv (program, &args);
  va_end (args);
  out = cluster_run_argv (cluster, argv, &status, &err);
  if (status != 0)
    g_error ("%s failed (%d): %s%s", program, status, out, err);
}

/* Writes @text to @path, a file of the cluster's owner (one PostgreSQL reads). */
void
cl_test_cluster_write (ClTestCluster *cluster,
                       const char    *path,
                       const char    *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    g_error ("Cannot write %s: %s", path, error->message);
  g_assert_cmpint (chown (path, cluster->uid, cluster->gid), ==, 0);
}

/* PostgreSQL ends with the test: the test's death sends SIGTERM to it (or to runuser,
 * which passes it on). */
static void
term_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts PostgreSQL in the foreground, a child of the test (so it ends with it), logging to
 * its log; returns once it accepts connections. */
void
cl_test_cluster_start (ClTestCluster *cluster)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = cluster_argv (CL_TEST_PG_BIN "/postgres", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", cluster->port);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  int log_fd;

  g_assert_null (cluster->postgres);
  log_fd = open (cluster->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (log_fd, >=, 0);
  g_assert_cmpint (fchown (log_fd, cluster->uid, cluster->gid), ==, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (log_fd));
  g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  g_subprocess_launcher_set_cwd (launcher, cluster->dir);
  g_subprocess_launcher_set_child_setup (launcher, term_with_parent, NULL, NULL);
  g_ptr_array_add (argv, "-D");
  g_ptr_array_add (argv, cluster->data);
  g_ptr_array_add (argv, NULL);
  cluster->postgres = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) argv->pdata, &error);
  if (cluster->postgres == NULL)
    g_error ("Cannot start PostgreSQL: %s", error->message);

  for (;;)
    {
      const char *ready[] = { CL_TEST_PG_BIN "/pg_isready", "-q", "-h", cluster->dir, "-p",
                              port, "-d", "postgres", "-U", "postgres", NULL };
      g_autofree char *out = NULL;
      int status;

      out = cl_test_run (ready, NULL, &status, NULL);
      if (status == 0)
        return;
      if (g_subprocess_get_identifier (cluster->postgres) == NULL ||
          g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = NULL;
          g_file_get_contents (cluster->log, &log, NULL, NULL);
          g_error ("PostgreSQL did not start:\n%s", log);
        }
      g_usleep (20000);
    }
}

/* pg_ctl stop in @mode ("fast": the connected sessions are ended), waiting until it has
 * stopped. */
static void
cluster_stop (ClTestCluster *cluster,
              const char    *mode)
{
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode);

  if (cluster->postgres == NULL)
    return;
  cl_test_cluster_run_ok (cluster, CL_TEST_PG_BIN "/pg_ctl", "--pgdata", cluster->data,
                          mode_arg, "--wait", "stop", NULL);
  g_subprocess_wait (cluster->postgres, NULL, NULL);
  g_clear_object (&cluster->postgres);
}

void
cl_test_cluster_stop (ClTestCluster *cluster)
{
  cluster_stop (cluster, "fast");
}

/**
 * cl_test_cluster_new:
 *
 * A new PostgreSQL 15 cluster (initdb) in a temporary folder, listening only on a Unix
 * socket in that folder on a free port, started. Its data directory is DIR/data; DIR/conf.d
 * is included by postgresql.conf, as on Debian. As root the folder belongs to postgres.
 */
ClTestCluster *
cl_test_cluster_new (void)
{
  ClTestCluster *cluster = g_new0 (ClTestCluster, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *added = NULL;
  g_autofree char *conf_d = NULL;

  if (!g_file_test (CL_TEST_PG_BIN "/initdb", G_FILE_TEST_IS_EXECUTABLE))
    g_error ("PostgreSQL 15 is not installed (%s): apt-get install postgresql-15",
             CL_TEST_PG_BIN "/initdb");
  cluster->dir = g_dir_make_tmp ("caseload-pg-XXXXXX", &error);
  g_assert_no_error (error);
  cluster->uid = getuid ();
  cluster->gid = getgid ();
  if (getuid () == 0)
    {
      struct passwd *pw = getpwnam ("postgres");

      if (pw == NULL)
        g_error ("There is no postgres user to run the cluster as (initdb refuses root): "
                 "apt-get install postgresql-15");
      cluster->uid = pw->pw_uid;
      cluster->gid = pw->pw_gid;
      g_assert_cmpint (chown (cluster->dir, cluster->uid, cluster->gid), ==, 0);
    }
  cluster->data = g_build_filename (cluster->dir, "data", NULL);
  cluster->log = g_build_filename (cluster->dir, "postgresql.log", NULL);
  cluster->port = cl_test_free_port ();
  conf_d = g_build_filename (cluster->dir, "conf.d", NULL);
  cl_test_cluster_run_ok (cluster, CL_TEST_PG_BIN "/initdb", "--pgdata", cluster->data,
                          "--username=postgres", "--auth=trust", "--no-sync",
                          "--encoding=UTF8", "--locale=C.UTF-8", NULL);
  cl_test_cluster_run_ok (cluster, "mkdir", conf_d, NULL);

  conf_path = g_build_filename (cluster->data, "postgresql.conf", NULL);
  g_assert_true (g_file_get_contents (conf_path, &conf, NULL, NULL));
  added = g_strdup_printf ("%s\n# The test's own\nlisten_addresses = ''\nport = %u\n"
                           "unix_socket_directories = '%s'\nfsync = off\n"
                           "include_dir = '%s'\n", conf, cluster->port, cluster->dir, conf_d);
  cl_test_cluster_write (cluster, conf_path, added);
  cl_test_cluster_start (cluster);
  return cluster;
}

void
cl_test_cluster_free (ClTestCluster *cluster)
{
  if (cluster == NULL)
    return;
  cluster_stop (cluster, "immediate");
  if (g_getenv ("CASELOAD_TEST_KEEP") == NULL)
    {
      const char *argv[] = { "rm", "-rf", cluster->dir, NULL };
      g_autofree char *out = NULL;
      int status;

      out = cl_test_run (argv, NULL, &status, NULL);
    }
  else
    g_printerr ("kept the PostgreSQL cluster in %s\n", cluster->dir);
  g_free (cluster->dir);
  g_free (cluster->data);
  g_free (cluster->log);
  g_free (cluster);
}

/* caseload-server --------------------------------------------------------------------- */

char *
cl_test_stack_admin (ClTestStack *stack,
                     int         *status,
                     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *db = g_strdup_printf ("--db=%s", stack->conninfo);
  g_autofree char *config = g_strdup_printf ("--config=%s", stack->config);
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  char *out;

  g_ptr_array_add (argv, (gpointer) cl_test_binary ("CASELOAD_SERVER_BIN"));
  g_ptr_array_add (argv, db);
  g_ptr_array_add (argv, config);
  va_start (args, status);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  out = cl_test_run ((const char * const *) argv->pdata, NULL, status, &err);
  if (*status != 0)
    g_test_message ("caseload-server %s: %s", (char *) argv->pdata[3], err);
  return out;
}

void
cl_test_stack_user_add (ClTestStack *stack,
                        const char  *username,
                        const char  *role,
                        const char  *commands)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pw = g_build_filename (stack->dir, "server-password", NULL);
  g_auto(GStrv) codes = g_strsplit (commands != NULL ? commands : "", ",", -1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_file_set_contents (pw, CL_TEST_SERVER_PASSWORD "\n", -1, NULL);
  g_ptr_array_add (argv, g_strdup (cl_test_binary ("CASELOAD_SERVER_BIN")));
  g_ptr_array_add (argv, g_strdup_printf ("--db=%s", stack->conninfo));
  g_ptr_array_add (argv, g_strdup ("user"));
  g_ptr_array_add (argv, g_strdup ("add"));
  g_ptr_array_add (argv, g_strdup_printf ("--username=%s", username));
  g_ptr_array_add (argv, g_strdup_printf ("--role=%s", role));
  g_ptr_array_add (argv, g_strdup_printf ("--password-file=%s", pw));
  for (guint i = 0; codes[i] != NULL; i++)
    if (*codes[i] != '\0')
      g_ptr_array_add (argv, g_strdup_printf ("--command=%s", codes[i]));
  g_ptr_array_add (argv, NULL);
  out = cl_test_run ((const char * const *) argv->pdata, NULL, &status, &err);
  if (status != 0)
    g_error ("caseload-server user add %s failed: %s%s", username, out, err);
}

void
cl_test_stack_start_server (ClTestStack *stack)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup_printf ("--db=%s", stack->conninfo);
  g_autofree char *config = g_strdup_printf ("--config=%s", stack->config);
  g_autofree char *listen = g_strdup_printf ("--listen=unix:%s", stack->socket);
  g_autofree char *log = g_build_filename (stack->dir, "server.log", NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_unlink (stack->socket);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_take_stderr_fd (launcher, dup (STDERR_FILENO));
  stack->server = g_subprocess_launcher_spawn (launcher, &error,
                                               cl_test_binary ("CASELOAD_SERVER_BIN"),
                                               db, config, listen, "serve", NULL);
  if (stack->server == NULL)
    g_error ("Cannot start caseload-server: %s", error->message);
  while (!g_file_test (stack->socket, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline ||
          g_subprocess_get_identifier (stack->server) == NULL)
        g_error ("caseload-server did not start listening on %s (see %s)", stack->socket, log);
      g_usleep (20000);
    }
}

void
cl_test_stack_stop_server (ClTestStack *stack)
{
  if (stack->server == NULL)
    return;
  g_subprocess_send_signal (stack->server, SIGTERM);
  g_subprocess_wait (stack->server, NULL, NULL);
  g_clear_object (&stack->server);
}

static char *
replace_all (char       *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  g_free (text);
  return g_strjoinv (to, parts);
}

/* nginx as deployed: data/nginx-caseload.conf (rate limits, body and time limits, TLS
 * settings), filled in for this stack, inside a minimal main configuration. */
static void
start_nginx (ClTestStack *stack)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = g_build_filename (stack->dir, "nginx.conf", NULL);
  g_autofree char *site_path = g_build_filename (stack->dir, "site.conf", NULL);
  g_autofree char *errlog = g_build_filename (stack->dir, "nginx-error.log", NULL);
  g_autofree char *tmp = g_build_filename (stack->dir, "tmp", NULL);
  g_autofree char *template_path = NULL;
  g_autofree char *site = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *upstream = NULL;
  g_autofree char *text = NULL;
  const char *nginx = "/usr/sbin/nginx";
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (!g_file_test (nginx, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("nginx is not installed at %s: the end-to-end tests need it (apt-get install "
             "nginx-light)", nginx);
  template_path = g_build_filename (srcdir != NULL ? srcdir : ".", "..", "data",
                                    "nginx-caseload.conf", NULL);
  if (!g_file_get_contents (template_path, &site, NULL, &error))
    g_error ("the nginx template is missing (%s): %s", template_path, error->message);
  g_mkdir_with_parents (tmp, 0700);

  if (stack->port == 0)
    stack->port = cl_test_free_port ();
  listen = g_strdup_printf ("127.0.0.1:%u", stack->port);
  upstream = g_strdup_printf ("server unix:%s max_fails=0;", stack->socket);
  site = replace_all (site, "@LISTEN@", listen);
  site = replace_all (site, "@SERVER_NAME@", "localhost");
  site = replace_all (site, "@CERTIFICATE@",
                      stack->cert != NULL ? stack->cert : stack->tls->server_cert);
  site = replace_all (site, "@CERTIFICATE_KEY@",
                      stack->key != NULL ? stack->key : stack->tls->server_key);
  site = replace_all (site, "@UPSTREAM@", upstream);
  site = replace_all (site, "@LOG_DIR@", stack->dir);
  g_assert_true (g_file_set_contents (site_path, site, -1, NULL));

  text = g_strdup_printf (
    "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
    "error_log %s info;\nevents { worker_connections 1024; }\n"
    "http {\n"
    "  client_body_temp_path %s/body; proxy_temp_path %s/proxy;\n"
    "  fastcgi_temp_path %s/fcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n"
    "  include %s;\n"
    "%s\n"
    "}\n",
    stack->dir, errlog, tmp, tmp, tmp, tmp, tmp, site_path,
    stack->nginx_conf_extra != NULL ? stack->nginx_conf_extra : "");
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  stack->nginx = g_subprocess_launcher_spawn (launcher, &error, nginx, "-p", stack->dir,
                                              "-c", conf, "-e", errlog, NULL);
  if (stack->nginx == NULL)
    g_error ("Cannot start nginx: %s", error->message);
  if (!cl_test_wait_port (stack->port, 10000))
    {
      g_autofree char *log = NULL;
      g_file_get_contents (errlog, &log, NULL, NULL);
      g_error ("nginx did not start on port %u: %s", stack->port, log);
    }
}

static ClTestStack *
stack_new (ClTestTls     *tls,
           ClTestCluster *cluster,
           const char    *server_config,
           const char    *nginx_extra)
{
  static guint counter = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *create = NULL;
  ClTestStack *stack = g_new0 (ClTestStack, 1);
  int status;

  stack->conninfo_prefix = cluster != NULL
    ? g_strdup_printf ("host=%s port=%u user=postgres ", cluster->dir, cluster->port)
    : g_strdup ("");
  if (cluster == NULL && g_getenv ("PGHOST") == NULL && g_getenv ("PGPORT") == NULL)
    g_error ("PostgreSQL is not configured (no PGHOST/PGPORT): run the e2e suite under "
             "pg_virtualenv, as tools/run-tests does");
  out = psql (stack, "postgres", "SELECT 1", &status, &err);
  if (status != 0)
    g_error ("PostgreSQL is unreachable (%s)%s", err,
             cluster == NULL ? ": run the e2e suite under pg_virtualenv" : "");

  stack->tls = tls;
  stack->dir = g_dir_make_tmp ("caseload-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  stack->database = g_strdup_printf ("e2e_%d_%u", (int) getpid (), counter++);
  stack->conninfo = g_strdup_printf ("%sdbname=%s", stack->conninfo_prefix, stack->database);
  stack->socket = g_build_filename (stack->dir, "server.sock", NULL);
  stack->config = g_build_filename (stack->dir, "server.conf", NULL);
  stack->nginx_conf_extra = g_strdup (nginx_extra);
  g_assert_true (g_file_set_contents (stack->config,
                                      server_config != NULL ? server_config
                                                            : "[server]\nworkers = 4\n",
                                      -1, NULL));

  create = g_strdup_printf ("CREATE DATABASE %s", stack->database);
  g_free (out);
  g_free (err);
  out = psql (stack, "postgres", create, &status, &err);
  if (status != 0)
    g_error ("Cannot create database %s: %s", stack->database, err);

  g_free (out);
  out = cl_test_stack_admin (stack, &status, "migrate", NULL);
  if (status != 0)
    g_error ("caseload-server migrate failed");

  cl_test_stack_start_server (stack);
  start_nginx (stack);
  stack->url = g_strdup_printf ("https://localhost:%u", stack->port);
  return stack;
}

/**
 * cl_test_stack_new:
 * @server_config: (nullable): extra keyfile text for caseload-server (e.g. "[tokens]…")
 * @nginx_extra: (nullable): extra nginx `server { }` blocks
 *
 * A stack on a database of pg_virtualenv's cluster (PGHOST, PGPORT…).
 */
ClTestStack *
cl_test_stack_new (ClTestTls  *tls,
                   const char *server_config,
                   const char *nginx_extra)
{
  return stack_new (tls, NULL, server_config, nginx_extra);
}

/**
 * cl_test_stack_new_in:
 * @cluster: the PostgreSQL cluster that holds the stack's database (it must outlive the
 *   stack)
 *
 * A stack on a database of @cluster, whatever the environment says.
 */
ClTestStack *
cl_test_stack_new_in (ClTestTls     *tls,
                      ClTestCluster *cluster,
                      const char    *server_config)
{
  return stack_new (tls, cluster, server_config, NULL);
}

static void
stop_nginx (ClTestStack *stack)
{
  if (stack->nginx != NULL)
    {
      g_subprocess_send_signal (stack->nginx, SIGTERM);
      g_subprocess_wait (stack->nginx, NULL, NULL);
      g_clear_object (&stack->nginx);
    }
}

/**
 * cl_test_stack_restart_nginx:
 * @cert: the certificate nginx shows from now on (PEM), on the same address
 * @key: its key
 *
 * A server certificate replaced, as in a CA rollover.
 */
void
cl_test_stack_restart_nginx (ClTestStack *stack,
                             const char  *cert,
                             const char  *key)
{
  stop_nginx (stack);
  g_free (stack->cert);
  g_free (stack->key);
  stack->cert = g_strdup (cert);
  stack->key = g_strdup (key);
  start_nginx (stack);
}

void
cl_test_stack_free (ClTestStack *stack)
{
  g_autofree char *drop = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *keep = g_getenv ("CASELOAD_TEST_KEEP");
  int status;

  if (stack == NULL)
    return;
  stop_nginx (stack);
  cl_test_stack_stop_server (stack);
  if (keep == NULL)
    {
      const char *argv[] = { "rm", "-rf", stack->dir, NULL };

      drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s", stack->database);
      out = psql (stack, "postgres", drop, &status, &err);
      g_free (out);
      out = cl_test_run (argv, NULL, &status, NULL);
    }
  else
    g_printerr ("kept %s and database %s\n", stack->dir, stack->database);
  g_free (stack->dir);
  g_free (stack->database);
  g_free (stack->conninfo);
  g_free (stack->conninfo_prefix);
  g_free (stack->socket);
  g_free (stack->config);
  g_free (stack->url);
  g_free (stack->nginx_conf_extra);
  g_free (stack->cert);
  g_free (stack->key);
  g_free (stack);
}
