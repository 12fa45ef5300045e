/* test-crash.c: R4, kill -9 the server and restart PostgreSQL with -m immediate under load.
 * Devices push continuously, each mutation carrying a unique token, and retry whatever was
 * not acknowledged, exactly as the sync engine does. Pass: every token on the server exactly
 * once, every acknowledged push still there after every crash (no answer before commit),
 * no partial batch, seqs gapless, and everything converges after the faults.
 *
 * Restarting PostgreSQL disturbs every other test using it: this one runs alone
 * (is_parallel: false). It needs pg_virtualenv's cluster (PGVERSION, cluster "regress").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

#define N_DEVICES 4
#define BATCH 5

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *device;
  guint          index;
  GPtrArray     *outbox;       /* ClWireMutation, seq order, not yet acknowledged */
  gint64         generated;    /* mutations made so far (= highest seq) */
  gint64         acked;        /* highest seq acknowledged by a 200 */
  guint          failures;     /* answers that were not 200 (crashes, 503) */
  gint           stop;         /* 1: stop making new mutations, drain; 2: stopped */
  GMutex         lock;
  GPtrArray     *acked_tokens; /* tokens of acknowledged mutations */
} Device;

static ClWireMutation *
new_mutation (Device *d)
{
  g_autofree char *id = cl_uuid_new ();
  g_autofree char *token = g_strdup_printf ("tok-%u-%" G_GINT64_FORMAT, d->index,
                                            d->generated + 1);
  ClWireMutation *m = srv_test_mutation (d->device, "client", id, CL_WIRE_OP_PUT, 0,
                                         "pseudonym", token, NULL);

  m->seq = ++d->generated;
  return m;
}

static gpointer
device_thread (gpointer data)
{
  Device *d = data;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new ();
      g_autoptr(SrvTestReply) reply = NULL;
      g_autoptr(ClWirePushResponse) response = NULL;
      g_autoptr(GError) error = NULL;
      const char *text;

      if (g_atomic_int_get (&d->stop) == 0)
        while (d->outbox->len < BATCH)
          g_ptr_array_add (d->outbox, new_mutation (d));
      if (d->outbox->len == 0)
        break;

      for (guint i = 0; i < d->outbox->len && i < BATCH; i++)
        g_ptr_array_add (batch, g_ptr_array_index (d->outbox, i));
      reply = srv_test_push_raw (d->env, d->device, batch);
      g_ptr_array_set_size (batch, 0);

      if (reply->status != 200)
        {
          /* Crash, restart, database away: never a refusal of the batch itself. */
          g_assert_true (reply->status == 0 || reply->status == 503 || reply->status == 500);
          d->failures++;
          g_usleep (50000);
          continue;
        }

      text = srv_test_reply_text (reply);
      response = cl_wire_push_response_decode (text, strlen (text), &error);
      if (response == NULL)
        {
          /* A body cut short by the crash: the client takes it as no answer and sends the
           * batch again, as here. What counts is that nothing is lost or applied twice,
           * which the end of the test checks. */
          g_test_message ("push answered %u with a body that does not decode (%s): sent again",
                          reply->status, error->message);
          d->failures++;
          g_usleep (50000);
          continue;
        }
      g_assert_cmpint (response->last_seq, >=, d->acked);
      g_mutex_lock (&d->lock);
      for (guint i = 0; i < response->results->len; i++)
        {
          ClWireResult *r = g_ptr_array_index (response->results, i);
          ClWireMutation *m = g_ptr_array_index (d->outbox, 0);

          g_assert_cmpint (r->seq, ==, m->seq);
          g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
          g_ptr_array_add (d->acked_tokens,
                           g_strdup (cl_wire_mutation_get_change (m, "pseudonym")->new_value));
          g_ptr_array_remove_index (d->outbox, 0);
        }
      d->acked = response->last_seq;
      g_mutex_unlock (&d->lock);
    }
  g_atomic_int_set (&d->stop, 2);
  return NULL;
}

/* What must hold at any moment, even right after a crash: every acknowledged token is
 * stored, once. */
static void
check_acknowledged (SrvTestEnv *env,
                    Device     *devices)
{
  g_autoptr(GString) json = g_string_new ("[");

  /* Tokens are plain "tok-N-M": no JSON escaping needed. */
  for (guint i = 0; i < N_DEVICES; i++)
    {
      Device *d = &devices[i];

      g_mutex_lock (&d->lock);
      for (guint t = 0; t < d->acked_tokens->len; t++)
        g_string_append_printf (json, "%s\"%s\"", json->len > 1 ? "," : "",
                                (char *) g_ptr_array_index (d->acked_tokens, t));
      g_mutex_unlock (&d->lock);
    }
  g_string_append_c (json, ']');

  g_assert_cmpint (srv_test_sql_int (env,
                                     "WITH t AS (SELECT jsonb_array_elements_text($1::jsonb) AS tok), "
                                     "r AS (SELECT fields ->> 'pseudonym' AS tok, count(*) AS n "
                                     "FROM record WHERE type = 'client' GROUP BY 1) "
                                     "SELECT count(*) FROM t LEFT JOIN r USING (tok) "
                                     "WHERE coalesce(r.n, 0) <> 1", json->str, NULL), ==, 0);
}

static gboolean
pg_ctlcluster (const char  *action,
               char       **output)
{
  const char *version = g_getenv ("PGVERSION");
  const char *cluster = g_getenv ("CASELOAD_TEST_PG_CLUSTER");
  const char *argv[] = { "pg_ctlcluster", version, cluster != NULL ? cluster : "regress",
                         action, "-m", "immediate", NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (strcmp (action, "restart") != 0 && strcmp (action, "stop") != 0)
    argv[4] = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, output, NULL, &status, &error))
    g_error ("pg_ctlcluster: %s", error->message);
  return g_spawn_check_wait_status (status, NULL);
}

/* pg_ctlcluster restart -m immediate; under load its start half sometimes gives up while
 * the port is still held: start again until it runs. */
static void
restart_postgresql (void)
{
  g_autofree char *output = NULL;

  if (g_getenv ("PGVERSION") == NULL)
    g_error ("R4 restarts PostgreSQL: run it under pg_virtualenv (PGVERSION is unset)");
  if (pg_ctlcluster ("restart", &output))
    return;
  for (int attempt = 0; attempt < 20; attempt++)
    {
      g_autofree char *again = NULL;

      g_usleep (250000);
      if (pg_ctlcluster ("status", &again) || pg_ctlcluster ("start", &again))
        return;
    }
  g_error ("PostgreSQL did not come back after an immediate restart: %s", output);
}

static void
test_r4 (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[server]\nshutdown-timeout=2\n");
  Device devices[N_DEVICES];
  GThread *threads[N_DEVICES];
  gint64 total = 0, total_acked = 0;
  guint failures = 0;

  for (guint i = 0; i < N_DEVICES; i++)
    {
      g_autofree char *name = g_strdup_printf ("adv%u", i);

      g_free (srv_test_add_user (env, name, "advocate_dv", "14"));
      devices[i] = (Device) { env, srv_test_login (env, name), i };
      devices[i].device->session = srv_test_session_new (env);
      devices[i].outbox = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
      devices[i].acked_tokens = g_ptr_array_new_with_free_func (g_free);
      g_mutex_init (&devices[i].lock);
    }
  for (guint i = 0; i < N_DEVICES; i++)
    threads[i] = g_thread_new ("device", device_thread, &devices[i]);

  /* Faults, under load. */
  g_usleep (G_USEC_PER_SEC);
  srv_test_server_stop (env, SIGKILL);
  check_acknowledged (env, devices);
  srv_test_server_start (env);

  g_usleep (G_USEC_PER_SEC);
  restart_postgresql ();
  check_acknowledged (env, devices);

  g_usleep (G_USEC_PER_SEC);
  srv_test_server_stop (env, SIGKILL);
  restart_postgresql ();
  check_acknowledged (env, devices);
  srv_test_server_start (env);

  g_usleep (G_USEC_PER_SEC);

  /* Heal: stop making mutations, drain every outbox. */
  for (guint i = 0; i < N_DEVICES; i++)
    g_atomic_int_set (&devices[i].stop, 1);
  for (guint i = 0; i < N_DEVICES; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_DEVICES; i++)
    {
      Device *d = &devices[i];
      g_autofree char *seqs = NULL;

      total += d->generated;
      total_acked += d->acked_tokens->len;
      failures += d->failures;
      g_assert_cmpuint (d->outbox->len, ==, 0);
      g_assert_cmpint (d->acked, ==, d->generated);
      /* Gapless, once each, all applied: no partial batch survived a crash. */
      g_assert_cmpint (srv_test_sql_int (env, "SELECT last_seq FROM device WHERE id = $1",
                                         d->device->device_id, NULL), ==, d->generated);
      seqs = srv_test_sql (env, "SELECT count(*) || '/' || count(DISTINCT seq) || '/' || "
                           "coalesce(min(seq), 0) || '/' || coalesce(max(seq), 0) || '/' || "
                           "count(*) FILTER (WHERE status = 'applied') FROM mutation_log "
                           "WHERE device_id = $1", d->device->device_id, NULL);
      {
        g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                                     "/1/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                                     d->generated, d->generated, d->generated,
                                                     d->generated);
        g_assert_cmpstr (seqs, ==, expected);
      }
    }

  check_acknowledged (env, devices);
  /* Every token exactly once, and nothing without its logged mutation or vice versa. */
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE type = 'client'",
                                     NULL), ==, total);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(DISTINCT fields ->> 'pseudonym') FROM "
                                     "record WHERE type = 'client'", NULL), ==, total);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record r LEFT JOIN mutation_log m "
                                     "ON m.record_id = r.id WHERE r.type = 'client' AND "
                                     "m.record_id IS NULL", NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM mutation_log m LEFT JOIN record r "
                                     "ON r.id = m.record_id WHERE r.id IS NULL", NULL), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT v FROM sync_clock", NULL), >=,
                   srv_test_sql_int (env, "SELECT max(version) FROM record", NULL));

  g_test_message ("%" G_GINT64_FORMAT " mutations from %d devices through 2 server kills and 2 "
                  "PostgreSQL immediate restarts; %u failed attempts retried; all acknowledged "
                  "ones present once", total, N_DEVICES, failures);
  g_assert_cmpint (total_acked, ==, total);
  g_assert_cmpuint (failures, >, 0);

  for (guint i = 0; i < N_DEVICES; i++)
    {
      g_ptr_array_unref (devices[i].outbox);
      g_ptr_array_unref (devices[i].acked_tokens);
      g_mutex_clear (&devices[i].lock);
      srv_test_device_free (devices[i].device);
    }
}

/* Outages end when they end: PostgreSQL restarts under pull and push load through nginx
 * and two instances, once with requests under way and once between them (every worker
 * then holds a connection that died without it noticing). Every request gets 200 or a
 * retryable 5xx (never a 4xx, never a hang), and once the database is back every request
 * succeeds again: workers reconnect by themselves, and nginx does not keep instances out. */
typedef struct {
  SrvTestEnv    *env;
  SrvTestNginx  *nginx;
  SoupSession   *session;
  SrvTestDevice *device;
  GMutex         lock;
  GArray        *at;        /* gint64 monotonic µs of each answer */
  GArray        *status;    /* guint */
  gint           paused;
  gint           stop;
} Load;

/* One push (of a new client) or pull through nginx; records when it was answered and how. */
static void
load_once (Load *l)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autofree char *id = cl_uuid_new ();
  ClWirePushRequest request = { l->device->device_id, batch };
  const char *pull = "{\"cursor\":0,\"limit\":50}";
  g_autofree char *body = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  gboolean pushing = g_random_boolean ();
  gsize len = 0;
  gint64 now;

  if (pushing)
    {
      ClWireMutation *m = srv_test_mutation (l->device, "client", id, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "x", NULL);

      m->seq = l->device->next_seq;
      g_ptr_array_add (batch, m);
      body = cl_wire_push_request_encode (&request, &len);
    }
  reply = srv_test_request_full (l->session, l->nginx->base_uri, "POST",
                                 pushing ? "/v1/push" : "/v1/pull", l->device->token,
                                 "application/json", pushing ? body : pull,
                                 pushing ? (gssize) len : -1);
  if (pushing && reply->status == 200)
    l->device->next_seq++;
  now = g_get_monotonic_time ();
  g_mutex_lock (&l->lock);
  g_array_append_val (l->at, now);
  g_array_append_val (l->status, reply->status);
  g_mutex_unlock (&l->lock);
}

static gpointer
load_thread (gpointer data)
{
  Load *l = data;

  while (!g_atomic_int_get (&l->stop))
    {
      if (!g_atomic_int_get (&l->paused))
        load_once (l);
      g_usleep (20000);
    }
  return NULL;
}

static gpointer
direct_pull (gpointer data)
{
  Load *l = data;
  g_autoptr(SrvTestReply) reply = srv_test_request (l->env, "POST", "/v1/pull",
                                                    l->device->token,
                                                    "{\"cursor\":0,\"limit\":5}", -1);

  return GUINT_TO_POINTER (reply->status);
}

static void
test_outage (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *socket2 = g_build_filename (env->tmpdir, "server2.sock", NULL);
  g_autofree char *log2 = g_build_filename (env->tmpdir, "server2.log", NULL);
  g_autoptr(GSubprocess) second = srv_test_server_spawn (env, socket2, log2);
  const char *sockets[] = { env->socket_path, socket2, NULL };
  g_autoptr(SrvTestNginx) nginx = srv_test_nginx_start_full (sockets, FALSE);
  Load load = { env, nginx };
  GThread *thread;
  gint64 up, recovered = -1;
  guint failed = 0, failed_after = 0, answers_after = 0;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  load.device = srv_test_login (env, "ana");
  load.session = srv_test_nginx_session (nginx, NULL);
  load.at = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.status = g_array_new (FALSE, FALSE, sizeof (guint));
  g_mutex_init (&load.lock);
  thread = g_thread_new ("load", load_thread, &load);

  g_usleep (G_USEC_PER_SEC);
  restart_postgresql ();
  g_usleep (4 * G_USEC_PER_SEC);
  /* Between requests: nothing tells the workers their connections died. */
  g_atomic_int_set (&load.paused, 1);
  g_usleep (100000);
  restart_postgresql ();
  up = g_get_monotonic_time ();
  /* Straight to the first instance, no nginx to try the other: as many requests at once as
   * it has workers, twice, each served on the first try. */
  for (guint round = 0; round < 2; round++)
    {
      GThread *direct[4];

      for (guint i = 0; i < G_N_ELEMENTS (direct); i++)
        direct[i] = g_thread_new ("direct", direct_pull, &load);
      for (guint i = 0; i < G_N_ELEMENTS (direct); i++)
        g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (direct[i])), ==, 200);
    }
  g_atomic_int_set (&load.paused, 0);
  g_usleep (4 * G_USEC_PER_SEC);
  g_atomic_int_set (&load.stop, 1);
  g_thread_join (thread);

  for (guint i = 0; i < load.status->len; i++)
    {
      guint status = g_array_index (load.status, guint, i);
      gint64 at = g_array_index (load.at, gint64, i);

      /* 200, or an answer a device retries by itself. */
      if (status != 200 && !(status >= 500 && status <= 504))
        g_error ("a request got %u during the restart", status);
      if (status != 200)
        {
          failed++;
          if (at > up)
            {
              recovered = at;
              failed_after++;
            }
        }
      if (at > up)
        answers_after++;
    }
  g_test_message ("PostgreSQL restart under load through nginx and 2 instances: %u answers, "
                  "%u retryable failures (%u after the database was back), service back "
                  "%.2f s after the database", load.status->len, failed, failed_after,
                  recovered < 0 ? 0.0 : (recovered - up) / 1e6);
  g_assert_cmpuint (answers_after, >, 20);
  /* Nothing fails once the database is back (the target was: back within 5 s): no worker
   * keeps a dead connection, and nginx keeps no instance out for the outage's 503s. */
  g_assert_cmpuint (failed_after, ==, 0);

  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);
  g_object_unref (load.session);
  srv_test_device_free (load.device);
  g_array_unref (load.at);
  g_array_unref (load.status);
  g_mutex_clear (&load.lock);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/crash/r4-kill-and-restart", test_r4);
  g_test_add_func ("/server/crash/outage", test_outage);
  return g_test_run ();
}
