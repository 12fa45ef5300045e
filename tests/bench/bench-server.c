/* bench-server.c: caseload-server throughput and latency, beside the raw cost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pushes and pulls per second with p50/p99 latency for 1, 8 and 32 simulated devices, on
 * the Unix socket directly and through nginx (TLS, the shipped template with its rate
 * limits taken out), with one and two server instances; the same rows inserted with plain
 * libpq; and the ceiling of the serialized version clock. Prints figures, never fails on
 * time. Run under pg_virtualenv (like the server tests):
 *
 *   pg_virtualenv -- meson test -C build --benchmark --suite bench server
 *
 * CASELOAD_BENCH_SECONDS sets the length of each measurement (default 3).
 * docs/BENCHMARKS-server.md holds the figures and how to read them.
 */

#include <signal.h>
#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

#define BATCH 10
#define PULL_LIMIT 100

static double seconds = 3.0;

typedef enum { PUSH, PULL } Kind;

typedef struct {
  SrvTestEnv    *env;
  SoupSession   *session;
  const char    *base;
  SrvTestDevice *device;
  char          *kase;
  Kind           kind;
  gint          *stop;
  GArray        *latency;   /* ms */
  guint          errors;
} Worker;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return 0;
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  while (!g_atomic_int_get (w->stop))
    {
      g_autoptr(SrvTestReply) reply = NULL;
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      if (w->kind == PUSH)
        {
          g_autoptr(GPtrArray) batch =
            g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
          ClWirePushRequest request = { w->device->device_id, batch };
          g_autofree char *body = NULL;
          gsize len;

          for (int i = 0; i < BATCH; i++)
            {
              g_autofree char *id = cl_uuid_new ();
              ClWireMutation *m = srv_test_mutation (w->device, "note", id, CL_WIRE_OP_PUT, 0,
                                                     "case_id", w->kase,
                                                     "at", "2026-11-28T10:00:00Z",
                                                     "text", "Called back, left no message",
                                                     NULL);
              m->seq = w->device->next_seq + i;
              g_ptr_array_add (batch, m);
            }
          body = cl_wire_push_request_encode (&request, &len);
          t0 = g_get_monotonic_time ();
          reply = srv_test_request_full (w->session, w->base, "POST", "/v1/push",
                                         w->device->token, "application/json", body, len);
          if (reply->status == 200)
            w->device->next_seq += BATCH;
        }
      else
        {
          g_autofree char *body = g_strdup_printf ("{\"cursor\":0,\"limit\":%d}", PULL_LIMIT);

          t0 = g_get_monotonic_time ();
          reply = srv_test_request_full (w->session, w->base, "POST", "/v1/pull",
                                         w->device->token, "application/json", body, -1);
        }
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      if (reply->status == 200)
        g_array_append_val (w->latency, ms);
      else
        w->errors++;
    }
  return NULL;
}

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *devices[32];
  char          *cases[32];
} Fleet;

/* 32 devices of two advocates, each with a case to write notes to. */
static void
fleet_init (Fleet      *fleet,
            SrvTestEnv *env)
{
  fleet->env = env;
  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "ben", "advocate_cv", "14"));
  for (int i = 0; i < 32; i++)
    {
      g_autofree char *client = NULL;

      fleet->devices[i] = srv_test_login (env, i % 2 ? "ana" : "ben");
      client = srv_test_new_client (env, fleet->devices[i], "Rose");
      fleet->cases[i] = srv_test_new_case (env, fleet->devices[i], client, "14");
    }
}

static void
run (Fleet      *fleet,
     const char *label,
     const char *base,
     gpointer    nginx,
     Kind        kind,
     guint       n)
{
  Worker workers[32];
  GThread *threads[32];
  gint stop = 0;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  guint errors = 0;
  gint64 t0, elapsed;
  double rate;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *local = g_strdup_printf ("127.0.1.%u", i + 1);

      workers[i] = (Worker) { fleet->env, NULL, base, fleet->devices[i], fleet->cases[i], kind,
                              &stop, g_array_new (FALSE, FALSE, sizeof (double)), 0 };
      workers[i].session = nginx != NULL ? srv_test_nginx_session (nginx, local)
                                         : srv_test_session_new (fleet->env);
    }
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    threads[i] = g_thread_new ("device", worker_thread, &workers[i]);
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < n; i++)
    {
      g_thread_join (threads[i]);
      g_array_append_vals (all, workers[i].latency->data, workers[i].latency->len);
      errors += workers[i].errors;
      g_array_unref (workers[i].latency);
      g_object_unref (workers[i].session);
    }
  elapsed = g_get_monotonic_time () - t0;
  g_array_sort (all, compare_doubles);
  rate = all->len / (elapsed / 1e6);
  g_print ("| %-28s | %4s | %2u | %8.0f | %9.0f | %7.1f | %7.1f | %4u |\n", label,
           kind == PUSH ? "push" : "pull", n, rate, rate * (kind == PUSH ? BATCH : PULL_LIMIT),
           percentile (all, 0.50), percentile (all, 0.99), errors);
}

/* The same rows with plain libpq: 10 INSERTs per transaction, no checks, no clock. */
typedef struct {
  const char *conninfo;
  gint       *stop;
  guint       transactions;
  GArray     *latency;
} Raw;

static gpointer
raw_thread (gpointer data)
{
  Raw *r = data;
  PGconn *conn = PQconnectdb (r->conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  while (!g_atomic_int_get (r->stop))
    {
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      PQclear (PQexec (conn, "BEGIN"));
      for (int i = 0; i < BATCH; i++)
        {
          g_autofree char *id = cl_uuid_new ();
          const char *params[] = { id };
          PGresult *res = PQexecParams (conn,
                                        "INSERT INTO raw_record (id, type, version, fields, "
                                        "field_versions, parent_id, scope) VALUES ($1, 'note', "
                                        "nextval('raw_version'), '{\"text\": \"Called back\"}', "
                                        "'{\"text\": 1}', $1, ARRAY['cmd:14'])",
                                        1, NULL, params, NULL, NULL, 0);
          g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
          PQclear (res);
        }
      PQclear (PQexec (conn, "COMMIT"));
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (r->latency, ms);
      r->transactions++;
    }
  PQfinish (conn);
  return NULL;
}

/* The clock alone: BEGIN; UPDATE sync_clock …; COMMIT — every push does at least this,
 * one after another. */
static gpointer
clock_thread (gpointer data)
{
  Raw *r = data;
  PGconn *conn = PQconnectdb (r->conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  while (!g_atomic_int_get (r->stop))
    {
      gint64 t0 = g_get_monotonic_time ();
      double ms;

      PQclear (PQexec (conn, "BEGIN"));
      PQclear (PQexecParams (conn, "UPDATE sync_clock SET v = v + 1 WHERE id = 1 RETURNING v",
                             0, NULL, NULL, NULL, NULL, 0));
      PQclear (PQexec (conn, "COMMIT"));
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (r->latency, ms);
      r->transactions++;
    }
  PQfinish (conn);
  return NULL;
}

static void
run_raw (SrvTestEnv *env,
         const char *label,
         GThreadFunc func,
         guint       n,
         guint       rows_per_tx)
{
  Raw raws[32];
  GThread *threads[32];
  gint stop = 0;
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 t0, elapsed;
  guint total = 0;
  double rate;

  for (guint i = 0; i < n; i++)
    {
      raws[i] = (Raw) { env->conninfo, &stop, 0, g_array_new (FALSE, FALSE, sizeof (double)) };
      threads[i] = g_thread_new ("raw", func, &raws[i]);
    }
  t0 = g_get_monotonic_time ();
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < n; i++)
    {
      g_thread_join (threads[i]);
      total += raws[i].transactions;
      g_array_append_vals (all, raws[i].latency->data, raws[i].latency->len);
      g_array_unref (raws[i].latency);
    }
  elapsed = g_get_monotonic_time () - t0;
  g_array_sort (all, compare_doubles);
  rate = total / (elapsed / 1e6);
  g_print ("| %-28s | %4s | %2u | %8.0f | %9.0f | %7.1f | %7.1f | %4u |\n", label, "tx", n,
           rate, rate * rows_per_tx, percentile (all, 0.50), percentile (all, 0.99), 0);
}

static void
header (const char *title)
{
  g_print ("\n%s\n\n", title);
  g_print ("| %-28s | %4s | %2s | %8s | %9s | %7s | %7s | %4s |\n", "setup", "op", "n",
           "req/s", "rows/s", "p50 ms", "p99 ms", "err");
  g_print ("|------------------------------|------|----|----------|-----------|---------|"
           "---------|------|\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SrvTestEnv) env = NULL;
  g_autofree char *socket2 = NULL;
  g_autofree char *log2 = NULL;
  g_autoptr(GSubprocess) second = NULL;
  SrvTestNginx *nginx1, *nginx2;
  Fleet fleet = { 0 };
  const guint counts[] = { 1, 8, 32 };
  const char *fsync_setting;

  srv_test_init (&argc, &argv);
  if (g_getenv ("CASELOAD_BENCH_SECONDS") != NULL)
    seconds = g_ascii_strtod (g_getenv ("CASELOAD_BENCH_SECONDS"), NULL);

  env = srv_test_env_new ("[server]\nworkers=8\n[login]\naccount-limit=1000\n"
                          "address-limit=1000\n");
  fleet_init (&fleet, env);
  fsync_setting = srv_test_sql (env, "SHOW fsync", NULL);
  g_print ("caseload-server benchmark: %u CPUs, PostgreSQL fsync=%s, %.0f s per figure, "
           "push = %d new notes, pull = a page of %d changes\n",
           g_get_num_processors (), fsync_setting, seconds, BATCH, PULL_LIMIT);

  header ("Direct (Unix socket), one instance");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "direct, 1 instance", "http://localhost", NULL, PUSH, counts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "direct, 1 instance", "http://localhost", NULL, PULL, counts[i]);

  {
    const char *one[] = { env->socket_path, NULL };
    nginx1 = srv_test_nginx_start_full (one, FALSE);
  }
  header ("Through nginx (TLS), one instance");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "nginx, 1 instance", nginx1->base_uri, nginx1, PUSH, counts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "nginx, 1 instance", nginx1->base_uri, nginx1, PULL, counts[i]);
  srv_test_nginx_stop (nginx1);

  socket2 = g_build_filename (env->tmpdir, "server2.sock", NULL);
  log2 = g_build_filename (env->tmpdir, "server2.log", NULL);
  second = srv_test_server_spawn (env, socket2, log2);
  {
    const char *two[] = { env->socket_path, socket2, NULL };
    nginx2 = srv_test_nginx_start_full (two, FALSE);
  }
  header ("Through nginx (TLS), two instances");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "nginx, 2 instances", nginx2->base_uri, nginx2, PUSH, counts[i]);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run (&fleet, "nginx, 2 instances", nginx2->base_uri, nginx2, PULL, counts[i]);
  srv_test_nginx_stop (nginx2);
  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);

  g_free (srv_test_sql (env, "CREATE TABLE raw_record (LIKE record INCLUDING ALL)", NULL));
  g_free (srv_test_sql (env, "CREATE SEQUENCE raw_version", NULL));
  header ("Raw libpq, the same rows (10 INSERTs per transaction)");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run_raw (env, "libpq INSERT", raw_thread, counts[i], BATCH);

  header ("The version clock alone (BEGIN; UPDATE sync_clock; COMMIT)");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    run_raw (env, "clock", clock_thread, counts[i], 1);

  for (int i = 0; i < 32; i++)
    {
      srv_test_device_free (fleet.devices[i]);
      g_free (fleet.cases[i]);
    }
  g_free ((char *) fsync_setting);
  return 0;
}
