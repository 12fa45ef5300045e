/* test-nginx.c: the server behind nginx as deployed (data/nginx-caseload.conf, TLS from a
 * test CA): S8 (oversized bodies, slow clients, many idle connections rejected by nginx
 * while legitimate pushes are still served) and two stateless instances behind one upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

static SrvTestReply *
https (SoupSession   *session,
       SrvTestNginx  *nginx,
       const char    *path,
       const char    *token,
       const char    *body,
       gssize         len)
{
  return srv_test_request_full (session, nginx->base_uri, body != NULL ? "POST" : "GET", path,
                                token, "application/json", body, len);
}

static SrvTestDevice *
login_via (SoupSession  *session,
           SrvTestNginx *nginx,
           const char   *username)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\""
                                           SRV_TEST_PASSWORD "\",\"device_name\":\"ws\"}",
                                           username);
  g_autoptr(SrvTestReply) reply = https (session, nginx, "/v1/login", NULL, body, -1);
  g_autoptr(ClWireLoginResponse) login = NULL;
  const char *text = srv_test_reply_text (reply);
  SrvTestDevice *device;

  if (reply->status != 200)
    g_error ("login through nginx: %u %s", reply->status, text);
  login = cl_wire_login_response_decode (text, strlen (text), NULL);
  g_assert_nonnull (login);
  device = g_new0 (SrvTestDevice, 1);
  device->username = g_strdup (username);
  device->token = g_strdup (login->token);
  device->device_id = g_strdup (login->device_id);
  device->next_seq = 1;
  return device;
}

/* Pushes one new client through nginx; returns the HTTP status. */
static guint
push_client (SoupSession   *session,
             SrvTestNginx  *nginx,
             SrvTestDevice *device)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autofree char *id = cl_uuid_new ();
  g_autofree char *body = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  ClWirePushRequest request = { device->device_id, batch };
  ClWireMutation *m;
  gsize len;

  m = srv_test_mutation (device, "client", id, CL_WIRE_OP_PUT, 0, "pseudonym", "x", NULL);
  m->seq = device->next_seq;
  g_ptr_array_add (batch, m);
  body = cl_wire_push_request_encode (&request, &len);
  reply = https (session, nginx, "/v1/push", device->token, body, len);
  if (reply->status == 200)
    device->next_seq++;
  return reply->status;
}

/* A raw TLS connection to nginx from @local (an address on the loopback). */
static GIOStream *
tls_connect (SrvTestNginx *nginx,
             const char   *local)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", nginx->port);
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  if (local != NULL)
    {
      g_autoptr(GInetAddress) a = g_inet_address_new_from_string (local);
      g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (a, 0);
      g_socket_client_set_local_address (client, sa);
    }
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", nginx->port, NULL, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (nginx->ca_path, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  return tls;
}

static void
write_text (GIOStream  *stream,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
}

/* Reads what nginx answers before it closes (bounded); NULL-safe. */
static char *
read_answer (GIOStream *stream)
{
  char buf[4096];
  gssize n;
  g_autoptr(GError) error = NULL;

  n = g_input_stream_read (g_io_stream_get_input_stream (stream), buf, sizeof buf - 1, NULL,
                           &error);
  if (n < 0)
    return g_strdup ("");
  buf[n] = '\0';
  return g_strdup (buf);
}

typedef struct {
  GIOStream *stream;
  char      *answer;
  gint64     closed_after;   /* µs */
  gint       done;
} Slow;

static gpointer
slow_reader (gpointer data)
{
  Slow *slow = data;
  gint64 t0 = g_get_monotonic_time ();

  slow->answer = read_answer (slow->stream);
  slow->closed_after = g_get_monotonic_time () - t0;
  g_atomic_int_set (&slow->done, 1);
  return NULL;
}

static void
test_s8 (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  const char *sockets[] = { env->socket_path, NULL };
  g_autoptr(SrvTestNginx) nginx = srv_test_nginx_start (sockets);
  g_autoptr(SoupSession) legit = srv_test_nginx_session (nginx, "127.0.0.2");
  g_autoptr(SoupSession) attacker = srv_test_nginx_session (nginx, NULL);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(GString) big = g_string_new ("{\"device_id\":\"");
  GPtrArray *slow = g_ptr_array_new ();
  GPtrArray *threads = g_ptr_array_new ();
  GPtrArray *idle = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 pushes_before, t0;
  guint limited = 0;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  ana = login_via (legit, nginx, "ana");
  g_assert_cmpuint (push_client (legit, nginx, ana), ==, 200);
  reply = https (legit, nginx, "/v1/health", NULL, NULL, 0);
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&reply, srv_test_reply_free);

  /* An oversized body: 413 from nginx; the server never sees it. */
  pushes_before = srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'push'",
                                    NULL);
  while (big->len < 6 * 1024 * 1024)
    g_string_append (big, "0000000000000000000000000000000000000000000000000000000000000000");
  g_string_append (big, "\"}");
  reply = https (attacker, nginx, "/v1/push", ana->token, big->str, big->len);
  g_assert_cmpuint (reply->status, ==, 413);
  g_clear_pointer (&reply, srv_test_reply_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'push'",
                                     NULL), ==, pushes_before);

  /* Slow clients: 20 requests whose bodies never finish hold the address's 20 slots. */
  for (int i = 0; i < 20; i++)
    {
      Slow *s = g_new0 (Slow, 1);
      g_autofree char *head = g_strdup_printf ("POST /v1/push HTTP/1.1\r\nHost: localhost\r\n"
                                               "Authorization: Bearer %s\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: 1000\r\n\r\n{", ana->token);
      s->stream = tls_connect (nginx, NULL);
      write_text (s->stream, head);
      g_ptr_array_add (slow, s);
    }
  /* Headers that never end. */
  for (int i = 0; i < 5; i++)
    {
      Slow *s = g_new0 (Slow, 1);
      s->stream = tls_connect (nginx, NULL);
      write_text (s->stream, "POST /v1/push HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
      g_ptr_array_add (slow, s);
    }
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < slow->len; i++)
    g_ptr_array_add (threads, g_thread_new ("slow", slow_reader, g_ptr_array_index (slow, i)));

  /* Many idle connections: TCP only, not a byte sent. */
  for (int i = 0; i < 300; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      GSocketConnection *c = g_socket_client_connect_to_host (client, "127.0.0.1", nginx->port,
                                                              NULL, NULL);
      g_assert_nonnull (c);
      g_ptr_array_add (idle, c);
    }

  /* Give nginx a moment to see the slow requests' headers; then from the same address
   * further requests are refused at once, while another address is served. */
  g_usleep (500000);
  for (int i = 0; i < 5; i++)
    {
      reply = https (attacker, nginx, "/v1/health", NULL, NULL, 0);
      if (reply->status == 429)
        limited++;
      g_clear_pointer (&reply, srv_test_reply_free);
    }
  g_assert_cmpuint (limited, >, 0);
  for (int i = 0; i < 10; i++)
    g_assert_cmpuint (push_client (legit, nginx, ana), ==, 200);
  /* Served while every slow client was still being held. */
  for (guint i = 0; i < slow->len; i++)
    g_assert_cmpint (g_atomic_int_get (&((Slow *) g_ptr_array_index (slow, i))->done), ==, 0);

  /* nginx drops the slow ones after its timeouts (10 s), with 408 or a plain close. */
  for (guint i = 0; i < threads->len; i++)
    {
      Slow *s = g_ptr_array_index (slow, i);
      g_thread_join (g_ptr_array_index (threads, i));
      g_assert_cmpint (s->closed_after, <, 20 * G_USEC_PER_SEC);
      g_assert_true (s->answer[0] == '\0' || strstr (s->answer, " 408 ") != NULL);
      g_object_unref (s->stream);
      g_free (s->answer);
      g_free (s);
    }
  /* And the idle ones. */
  for (guint i = 0; i < idle->len; i++)
    {
      GSocket *socket = g_socket_connection_get_socket (g_ptr_array_index (idle, i));
      char byte;
      g_autoptr(GError) error = NULL;

      g_socket_set_timeout (socket, 15);
      /* Closed (EOF) or reset by nginx; a timeout would mean it kept the connection. */
      if (g_socket_receive (socket, &byte, 1, NULL, &error) != 0)
        {
          g_assert_nonnull (error);
          g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
        }
    }
  g_test_message ("%u slow and %u idle connections dropped by nginx after %.1f s",
                  slow->len, idle->len, (g_get_monotonic_time () - t0) / 1e6);
  g_ptr_array_unref (idle);
  g_ptr_array_unref (slow);
  g_ptr_array_unref (threads);

  /* Still serving everyone. */
  g_assert_cmpuint (push_client (attacker, nginx, ana), ==, 200);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT last_seq FROM device WHERE id = $1",
                                     ana->device_id, NULL), ==, 12);

  /* Sign-in floods are limited by nginx before the server's own throttle. */
  limited = 0;
  for (int i = 0; i < 30; i++)
    {
      reply = https (attacker, nginx, "/v1/login", NULL,
                     "{\"username\":\"x\",\"password\":\"y\",\"device_name\":\"z\"}", -1);
      if (reply->status == 429)
        limited++;
      g_clear_pointer (&reply, srv_test_reply_free);
    }
  g_assert_cmpuint (limited, >, 0);
}

/* Two instances, one database, one nginx upstream: pushes from both interleave into one
 * consistent history; stopping one leaves the other serving. */
typedef struct {
  SoupSession   *session;
  SrvTestNginx  *nginx;
  SrvTestDevice *device;
  guint          pushes;
  guint          failures;
  gint           stop;
} Pusher;

static gpointer
pusher (gpointer data)
{
  Pusher *p = data;

  while (!g_atomic_int_get (&p->stop))
    {
      guint status = push_client (p->session, p->nginx, p->device);

      if (status == 200)
        p->pushes++;
      else if (status == 429)
        g_usleep (50000);   /* nginx's rate limit: slow down, as a client does */
      else
        p->failures++;
    }
  return NULL;
}

static void
test_two_instances (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *socket2 = g_build_filename (env->tmpdir, "server2.sock", NULL);
  g_autofree char *log2 = g_build_filename (env->tmpdir, "server2.log", NULL);
  g_autoptr(GSubprocess) second = srv_test_server_spawn (env, socket2, log2);
  const char *sockets[] = { env->socket_path, socket2, NULL };
  g_autoptr(SrvTestNginx) nginx = srv_test_nginx_start (sockets);
  g_autofree char *log1 = NULL;
  g_autofree char *log2_text = NULL;
  Pusher pushers[6];
  GThread *threads[6];
  guint total = 0, failures = 0;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  srv_test_add_user (env, "ben", "advocate_cv", "14");
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *local = g_strdup_printf ("127.0.0.%d", 10 + i);
      pushers[i] = (Pusher) { srv_test_nginx_session (nginx, local), nginx, NULL };
      pushers[i].device = login_via (pushers[i].session, nginx, i % 2 ? "ana" : "ben");
    }
  for (int i = 0; i < 6; i++)
    threads[i] = g_thread_new ("pusher", pusher, &pushers[i]);

  g_usleep (3 * G_USEC_PER_SEC);
  /* One instance goes away under load; nginx sends the rest to the other. */
  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);
  g_usleep (2 * G_USEC_PER_SEC);

  for (int i = 0; i < 6; i++)
    {
      g_atomic_int_set (&pushers[i].stop, 1);
      g_thread_join (threads[i]);
      total += pushers[i].pushes;
      failures += pushers[i].failures;
      /* Every acknowledged push is there once, in seq order, per device. */
      g_assert_cmpint (srv_test_sql_int (env, "SELECT last_seq FROM device WHERE id = $1",
                                         pushers[i].device->device_id, NULL), >=,
                       pushers[i].pushes);
      g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM mutation_log WHERE "
                                         "device_id = $1", pushers[i].device->device_id, NULL),
                       ==, srv_test_sql_int (env, "SELECT last_seq FROM device WHERE id = $1",
                                             pushers[i].device->device_id, NULL));
    }

  log1 = srv_test_read_log (env);
  g_assert_true (g_file_get_contents (log2, &log2_text, NULL, NULL));
  g_test_message ("%u pushes through 2 instances (%u failed), versions unique and gapless "
                  "per device", total, failures);
  /* Both instances served. */
  g_assert_nonnull (strstr (log1, "audit push"));
  g_assert_nonnull (strstr (log2_text, "audit push"));
  g_assert_cmpuint (total, >, 50);
  g_assert_cmpuint (failures, <=, total / 10);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE type = 'client'",
                                     NULL), ==,
                   srv_test_sql_int (env, "SELECT count(*) FROM mutation_log", NULL));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT v FROM sync_clock", NULL), >=,
                   srv_test_sql_int (env, "SELECT max(version) FROM record", NULL));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(DISTINCT version) FROM record WHERE "
                                     "version > 0", NULL), ==,
                   srv_test_sql_int (env, "SELECT count(*) FROM record WHERE version > 0", NULL));

  for (int i = 0; i < 6; i++)
    {
      g_object_unref (pushers[i].session);
      srv_test_device_free (pushers[i].device);
    }
}

/* An error answer in the protocol's shape, as the app decodes it. */
static void
assert_json_error (SrvTestReply *reply,
                   guint         status,
                   const char   *code)
{
  const char *text = srv_test_reply_text (reply);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClWireErrorReply) e = cl_wire_error_reply_decode (text, strlen (text), &error);

  g_assert_cmpuint (reply->status, ==, status);
  g_assert_no_error (error);
  g_assert_cmpstr (e->code, ==, code);
  g_assert_nonnull (e->message);
}

/* nginx's own refusals (too large, too many, no upstream, no such path) speak JSON. */
static void
test_json_errors (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  const char *sockets[] = { env->socket_path, NULL };
  g_autoptr(SrvTestNginx) nginx = srv_test_nginx_start (sockets);
  g_autoptr(SoupSession) session = srv_test_nginx_session (nginx, NULL);
  g_autoptr(GString) big = g_string_new ("{\"device_id\":\"");
  g_autoptr(SrvTestReply) reply = NULL;
  gboolean limited = FALSE;

  while (big->len < 5 * 1024 * 1024)
    g_string_append (big, "0000000000000000000000000000000000000000000000000000000000000000");
  g_string_append (big, "\"}");
  reply = https (session, nginx, "/v1/push", NULL, big->str, big->len);
  assert_json_error (reply, 413, "body_too_large");
  g_clear_pointer (&reply, srv_test_reply_free);

  reply = https (session, nginx, "/nowhere", NULL, NULL, 0);
  assert_json_error (reply, 404, "not_found");
  g_clear_pointer (&reply, srv_test_reply_free);

  /* Other names each time: the server's own throttle (per account and address) stays out. */
  for (int i = 0; i < 30 && !limited; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"username\":\"x%d\",\"password\":\"y\","
                                               "\"device_name\":\"z\"}", i);
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = https (session, nginx, "/v1/login", NULL, body, -1);
      limited = reply->status == 429;
    }
  g_assert_true (limited);
  assert_json_error (reply, 429, "rate_limited");
  g_assert_cmpstr (reply->retry_after, ==, "5");
  g_clear_pointer (&reply, srv_test_reply_free);

  /* No server behind nginx any more: 502, still JSON. */
  srv_test_server_stop (env, SIGTERM);
  reply = https (session, nginx, "/v1/health", NULL, NULL, 0);
  assert_json_error (reply, 502, "unavailable");
  g_assert_cmpstr (reply->retry_after, ==, "5");
}

/* caseload-server itself drops a connection that stops sending (io-timeout), but not one
 * whose request is being worked on. */
typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *device;
} Waiter;

static gpointer
push_waiting (gpointer data)
{
  Waiter *w = data;

  return srv_test_new_client (w->env, w->device, "waiting");
}

static gint64
closed_after (GIOStream *stream)
{
  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *answer = read_answer (stream);

  return g_get_monotonic_time () - t0;
}

static void
test_server_io_timeout (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[server]\nio-timeout=2\n");
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (env->socket_path);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autofree char *id = NULL;
  Waiter waiter;
  GThread *thread;
  const char *half[] = {
    "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
    "POST /v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "Content-Length: 100\r\n\r\n{\"username\":",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (half); i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) c = g_socket_client_connect (client,
                                                                G_SOCKET_CONNECTABLE (address),
                                                                NULL, NULL);
      gint64 after;

      g_assert_nonnull (c);
      g_socket_set_timeout (g_socket_connection_get_socket (c), 10);
      if (*half[i] != '\0')
        write_text (G_IO_STREAM (c), half[i]);
      after = closed_after (G_IO_STREAM (c));
      g_assert_cmpint (after, >=, 1 * G_USEC_PER_SEC);
      g_assert_cmpint (after, <, 6 * G_USEC_PER_SEC);
    }

  /* A push waiting 4 s for the version clock (held here) is answered all the same. */
  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  device->session = srv_test_session_new (env);
  g_free (srv_test_sql (env, "BEGIN", NULL));
  g_free (srv_test_sql (env, "SELECT v FROM sync_clock FOR UPDATE", NULL));
  waiter = (Waiter) { env, device };
  thread = g_thread_new ("push", push_waiting, &waiter);
  g_usleep (4 * G_USEC_PER_SEC);
  g_free (srv_test_sql (env, "COMMIT", NULL));
  id = g_thread_join (thread);
  g_assert_true (g_uuid_string_is_valid (id));
}

typedef struct {
  SoupSession  *session;
  SrvTestNginx *nginx;
  gint          stop;
  guint         answered;
  guint         failed;
  gint64        slowest;   /* µs */
} Prober;

static gpointer
health_prober (gpointer data)
{
  Prober *p = data;

  while (!g_atomic_int_get (&p->stop))
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(SrvTestReply) reply = https (p->session, p->nginx, "/v1/health", NULL, NULL, 0);

      p->slowest = MAX (p->slowest, g_get_monotonic_time () - t0);
      if (reply->status == 200)
        p->answered++;
      else
        p->failed++;
      g_usleep (100000);
    }
  return NULL;
}

/* A bounded slowloris on loopback: 300 connections from one address send half a request
 * (150 stop inside the headers, 150 inside the body) and hold on; health checks from
 * another address keep being answered quickly throughout, and nginx lets go of every
 * half-sent connection after its timeouts. */
static void
test_slowloris (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  const char *sockets[] = { env->socket_path, NULL };
  g_autoptr(SrvTestNginx) nginx = srv_test_nginx_start (sockets);
  Slow slow[300];
  GThread *readers[G_N_ELEMENTS (slow)];
  Prober prober = { srv_test_nginx_session (nginx, "127.0.0.2"), nginx };
  GThread *thread;
  guint refused = 0, held = 0;
  gint64 longest = 0;

  thread = g_thread_new ("health", health_prober, &prober);
  for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
    {
      slow[i] = (Slow) { tls_connect (nginx, "127.0.0.1") };
      write_text (slow[i].stream, i % 2 == 0
                  ? "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                  : "POST /v1/login HTTP/1.1\r\nHost: localhost\r\n"
                    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
      readers[i] = g_thread_new ("slow", slow_reader, &slow[i]);
    }
  /* Past the 20 requests an address may have in progress (and the sign-in rate), nginx
   * refused the half-sent bodies at once, in JSON; the rest it held until its timeouts
   * (10 s) and then let go. */
  for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
    {
      g_thread_join (readers[i]);
      longest = MAX (longest, slow[i].closed_after);
      if (strstr (slow[i].answer, " 429 ") != NULL &&
          strstr (slow[i].answer, "\"rate_limited\"") != NULL)
        refused++;
      else if (slow[i].closed_after >= 8 * G_USEC_PER_SEC &&
               (slow[i].answer[0] == '\0' || strstr (slow[i].answer, " 408 ") != NULL))
        held++;
      g_object_unref (slow[i].stream);
      g_free (slow[i].answer);
    }
  g_assert_cmpuint (held, >=, 150);
  g_assert_cmpuint (refused, >=, 100);
  g_assert_cmpuint (held + refused, ==, G_N_ELEMENTS (slow));
  g_assert_cmpint (longest, <, 15 * G_USEC_PER_SEC);

  g_atomic_int_set (&prober.stop, 1);
  g_thread_join (thread);
  g_test_message ("slowloris: %u half-sent connections, %u held by nginx until its timeouts "
                  "(all closed within %.1f s), %u refused at once; /v1/health from another "
                  "address answered %u times (slowest %.2f s), failed %u times",
                  (guint) G_N_ELEMENTS (slow), held, longest / 1e6, refused, prober.answered,
                  prober.slowest / 1e6, prober.failed);
  g_assert_cmpuint (prober.failed, ==, 0);
  g_assert_cmpuint (prober.answered, >=, 20);
  g_assert_cmpint (prober.slowest, <, 2 * G_USEC_PER_SEC);
  g_object_unref (prober.session);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/nginx/s8-limits", test_s8);
  g_test_add_func ("/server/nginx/two-instances", test_two_instances);
  g_test_add_func ("/server/nginx/json-errors", test_json_errors);
  g_test_add_func ("/server/nginx/slowloris", test_slowloris);
  g_test_add_func ("/server/nginx/server-io-timeout", test_server_io_timeout);
  return g_test_run ();
}
