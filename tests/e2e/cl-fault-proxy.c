/* cl-fault-proxy.c: a fault-injecting TCP proxy for the end-to-end tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sits between caseloadctl and nginx on 127.0.0.1 and breaks the network the way a
 * precinct's does. It runs in the test process: an accept thread and one thread per
 * connection (two in raw mode, one per direction), all blocking I/O on GSockets; heal and
 * free wake blocked threads with shutdown(2).
 *
 * Two modes:
 *  - raw (no certificate): TLS passes through untouched; faults act on the byte stream
 *    (delay, bandwidth, cut after N bytes towards the client, TCP reset, blackhole);
 *  - HTTP (a certificate and the upstream's CA given): the proxy terminates TLS with a
 *    certificate of the test CA, speaks TLS to nginx and relays HTTP/1.1 messages one by
 *    one, so a fault can target one endpoint: lose the response after the server
 *    committed (drop-response), or answer with a response recorded earlier (replay).
 *
 * A fault set with a path applies to requests of that path only (HTTP mode); with times
 * > 0 it fires that many times and then the proxy passes again. CHAOS draws a fault per
 * connection from a seeded generator, so a failing run can be repeated.
 */

#define G_LOG_DOMAIN "cl-fault-proxy"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cl-fault-proxy.h"

struct _ClFaultProxy
{
  GMutex           lock;
  GCond            cond;
  GSocket         *listener;
  guint16          port;
  guint16          upstream_port;
  GTlsCertificate *certificate;   /* (nullable): HTTP mode when set */
  GTlsDatabase    *upstream_ca;
  GCancellable    *cancellable;
  GThread         *accept_thread;

  ClFaultMode      mode;
  guint64          param;
  char            *path;
  guint            times;
  GRand           *chaos;
  guint            hits;
  guint            connections;

  GPtrArray       *sockets;       /* every live socket, to wake threads on free */
  GPtrArray       *blackholed;    /* sockets held by a blackhole, closed on heal */
  guint            active;        /* connection threads alive */
  gboolean         stopping;

  char            *record_path;   /* (nullable): the next response to it is kept */
  GBytes          *recorded;
};

typedef struct {
  ClFaultProxy *proxy;
  GSocket      *from;
  GSocket      *to;
  gboolean      towards_client;
  ClFaultMode   mode;
  guint64       param;
  gboolean      reset;           /* out: the client side must be closed with a reset */
} Pump;

/* Sockets ---------------------------------------------------------------------------- */

static void
track (ClFaultProxy *proxy,
       GSocket      *socket)
{
  g_mutex_lock (&proxy->lock);
  g_ptr_array_add (proxy->sockets, g_object_ref (socket));
  if (proxy->stopping)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_mutex_unlock (&proxy->lock);
}

static void
untrack (ClFaultProxy *proxy,
         GSocket      *socket)
{
  g_mutex_lock (&proxy->lock);
  g_ptr_array_remove (proxy->blackholed, socket);
  g_ptr_array_remove (proxy->sockets, socket);
  g_mutex_unlock (&proxy->lock);
}

static void
set_reset (GSocket *socket)
{
  struct linger lg = { 1, 0 };

  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static gboolean
send_all (GSocket     *socket,
          const char  *data,
          gsize        len)
{
  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static GSocket *
connect_upstream (ClFaultProxy *proxy)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, proxy->upstream_port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL || !g_socket_connect (socket, address, NULL, NULL))
    return NULL;
  return g_steal_pointer (&socket);
}

/* Faults ----------------------------------------------------------------------------- */

/* Takes the fault for a new connection (raw) or a request (HTTP, @path set). */
static void
take_fault (ClFaultProxy *proxy,
            const char   *path,
            ClFaultMode  *mode,
            guint64      *param)
{
  g_mutex_lock (&proxy->lock);
  *mode = CL_FAULT_PASS;
  *param = 0;
  if (proxy->mode == CL_FAULT_CHAOS)
    {
      guint pick = g_rand_int_range (proxy->chaos, 0, 100);

      if (pick < 40)
        *mode = CL_FAULT_PASS;
      else if (pick < 55)
        *mode = CL_FAULT_DELAY, *param = g_rand_int_range (proxy->chaos, 20, 400);
      else if (pick < 65)
        *mode = CL_FAULT_BANDWIDTH, *param = g_rand_int_range (proxy->chaos, 4000, 40000);
      else if (pick < 80)
        *mode = CL_FAULT_CUT, *param = g_rand_int_range (proxy->chaos, 0, 12000);
      else if (pick < 92)
        *mode = CL_FAULT_RESET, *param = g_rand_int_range (proxy->chaos, 0, 12000);
      else
        *mode = CL_FAULT_BLACKHOLE;
    }
  else if (proxy->mode != CL_FAULT_PASS &&
           (proxy->path == NULL || g_strcmp0 (proxy->path, path) == 0))
    {
      *mode = proxy->mode;
      *param = proxy->param;
      if (proxy->times > 0 && --proxy->times == 0)
        {
          proxy->mode = CL_FAULT_PASS;
          g_clear_pointer (&proxy->path, g_free);
        }
    }
  if (*mode != CL_FAULT_PASS)
    proxy->hits++;
  g_mutex_unlock (&proxy->lock);
}

static void
pace (ClFaultMode mode,
      guint64     param,
      gsize       n)
{
  if (mode == CL_FAULT_DELAY)
    g_usleep (param * 1000);
  else if (mode == CL_FAULT_BANDWIDTH && param > 0)
    g_usleep ((gulong) (n * G_USEC_PER_SEC / param));
}

static gsize
chunk_size (ClFaultMode mode,
            guint64     param)
{
  if (mode == CL_FAULT_BANDWIDTH)
    return (gsize) CLAMP (param / 20, 1, 16384);
  return 16384;
}

/* Holds a connection open, reading and discarding, until healed or freed. */
static void
blackhole (ClFaultProxy *proxy,
           GSocket      *socket)
{
  char buf[4096];

  g_mutex_lock (&proxy->lock);
  g_ptr_array_add (proxy->blackholed, socket);
  g_mutex_unlock (&proxy->lock);
  while (g_socket_receive (socket, buf, sizeof buf, NULL, NULL) > 0)
    ;
}

/* Raw mode --------------------------------------------------------------------------- */

static gpointer
pump_thread (gpointer data)
{
  Pump *p = data;
  gsize max = chunk_size (p->mode, p->param);
  guint64 sent = 0;
  char buf[16384];
  gssize n;

  while ((n = g_socket_receive (p->from, buf, max, NULL, NULL)) > 0)
    {
      pace (p->mode, p->param, n);
      if (p->towards_client && (p->mode == CL_FAULT_CUT || p->mode == CL_FAULT_RESET) &&
          sent + n >= p->param)
        {
          send_all (p->to, buf, p->param - sent);
          p->reset = p->mode == CL_FAULT_RESET;
          if (p->reset)
            {
              set_reset (p->to);
              g_socket_shutdown (p->to, TRUE, FALSE, NULL);
            }
          else
            g_socket_shutdown (p->to, TRUE, TRUE, NULL);
          g_socket_shutdown (p->from, TRUE, TRUE, NULL);
          return NULL;
        }
      if (!send_all (p->to, buf, n))
        break;
      sent += n;
    }
  /* Pass the end of the stream on; the other direction ends by itself. */
  g_socket_shutdown (p->to, FALSE, TRUE, NULL);
  g_socket_shutdown (p->from, TRUE, FALSE, NULL);
  return NULL;
}

static void
raw_connection (ClFaultProxy *proxy,
                GSocket      *client)
{
  g_autoptr(GSocket) upstream = NULL;
  Pump down = { 0 }, up = { 0 };
  ClFaultMode mode;
  guint64 param;
  GThread *thread;

  take_fault (proxy, NULL, &mode, &param);
  if (mode == CL_FAULT_BLACKHOLE)
    {
      blackhole (proxy, client);
      return;
    }
  if (mode == CL_FAULT_RESET && param == 0)
    {
      set_reset (client);
      return;
    }
  if ((upstream = connect_upstream (proxy)) == NULL)
    return;
  track (proxy, upstream);

  down = (Pump) { proxy, upstream, client, TRUE, mode, param, FALSE };
  up = (Pump) { proxy, client, upstream, FALSE, mode, param, FALSE };
  thread = g_thread_new ("fault-proxy-down", pump_thread, &down);
  pump_thread (&up);
  g_thread_join (thread);
  if (down.reset)
    set_reset (client);
  untrack (proxy, upstream);
  g_socket_close (upstream, NULL);
}

/* HTTP mode -------------------------------------------------------------------------- */

static gssize
find_header_end (GByteArray *buf)
{
  for (guint i = 0; i + 3 < buf->len; i++)
    if (memcmp (buf->data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return -1;
}

static gsize
content_length (const char *headers)
{
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
      return (gsize) g_ascii_strtoull (lines[i] + 15, NULL, 10);
  return 0;
}

/* Reads one whole HTTP/1.1 message (headers and a Content-Length body). */
static GBytes *
read_message (GInputStream  *in,
              GByteArray    *buf,
              char         **first_line)
{
  gssize header_end;
  gsize total;
  g_autofree char *headers = NULL;
  char chunk[16384];

  while ((header_end = find_header_end (buf)) < 0)
    {
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        return NULL;
      g_byte_array_append (buf, (guint8 *) chunk, n);
    }
  headers = g_strndup ((const char *) buf->data, header_end);
  total = header_end + content_length (headers);
  while (buf->len < total)
    {
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        return NULL;
      g_byte_array_append (buf, (guint8 *) chunk, n);
    }
  if (first_line != NULL)
    {
      const char *eol = strstr (headers, "\r\n");
      *first_line = g_strndup (headers, eol - headers);
    }
  {
    GBytes *msg = g_bytes_new (buf->data, total);
    g_byte_array_remove_range (buf, 0, total);
    return msg;
  }
}

static char *
request_path (const char *first_line)
{
  g_auto(GStrv) parts = g_strsplit (first_line, " ", 3);

  if (g_strv_length (parts) < 2)
    return g_strdup ("");
  return g_strdup (parts[1]);
}

/* Writes a response to the client with the fault applied; FALSE when the connection ends. */
static gboolean
write_faulty (GOutputStream *out,
              GSocket       *client,
              GBytes        *msg,
              ClFaultMode    mode,
              guint64        param)
{
  gsize len;
  const char *data = g_bytes_get_data (msg, &len);
  gsize sent = 0, max = chunk_size (mode, param);

  if (mode == CL_FAULT_RESET || mode == CL_FAULT_CUT)
    len = MIN (len, param);
  else if (mode == CL_FAULT_DROP_RESPONSE)
    len = 0;
  while (sent < len)
    {
      gsize n = MIN (max, len - sent);

      pace (mode, param, n);
      if (!g_output_stream_write_all (out, data + sent, n, NULL, NULL, NULL))
        return FALSE;
      sent += n;
    }
  g_output_stream_flush (out, NULL, NULL);
  if (mode == CL_FAULT_RESET)
    {
      set_reset (client);
      g_socket_shutdown (client, TRUE, FALSE, NULL);
      return FALSE;
    }
  if (mode == CL_FAULT_CUT || mode == CL_FAULT_DROP_RESPONSE)
    {
      g_socket_shutdown (client, TRUE, TRUE, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
http_connection (ClFaultProxy *proxy,
                 GSocket      *client)
{
  g_autoptr(GSocketConnection) client_conn = g_socket_connection_factory_create_connection (client);
  g_autoptr(GIOStream) client_tls = NULL;
  g_autoptr(GSocket) upstream = NULL;
  g_autoptr(GSocketConnection) upstream_conn = NULL;
  g_autoptr(GIOStream) upstream_tls = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", proxy->upstream_port);
  g_autoptr(GByteArray) cbuf = g_byte_array_new ();
  g_autoptr(GByteArray) ubuf = g_byte_array_new ();
  GInputStream *cin, *uin;
  GOutputStream *cout, *uout;

  client_tls = g_tls_server_connection_new (G_IO_STREAM (client_conn), proxy->certificate, NULL);
  if (client_tls == NULL ||
      !g_tls_connection_handshake (G_TLS_CONNECTION (client_tls), NULL, NULL))
    return;
  if ((upstream = connect_upstream (proxy)) == NULL)
    return;
  track (proxy, upstream);
  upstream_conn = g_socket_connection_factory_create_connection (upstream);
  upstream_tls = g_tls_client_connection_new (G_IO_STREAM (upstream_conn), identity, NULL);
  if (upstream_tls == NULL)
    goto out;
  g_tls_connection_set_database (G_TLS_CONNECTION (upstream_tls), proxy->upstream_ca);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (upstream_tls), NULL, NULL))
    goto out;

  cin = g_io_stream_get_input_stream (client_tls);
  cout = g_io_stream_get_output_stream (client_tls);
  uin = g_io_stream_get_input_stream (upstream_tls);
  uout = g_io_stream_get_output_stream (upstream_tls);

  for (;;)
    {
      g_autofree char *first_line = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GBytes) request = read_message (cin, cbuf, &first_line);
      g_autoptr(GBytes) response = NULL;
      ClFaultMode mode;
      guint64 param;
      gsize len;
      const char *data;

      if (request == NULL)
        break;
      path = request_path (first_line);
      take_fault (proxy, path, &mode, &param);

      if (mode == CL_FAULT_BLACKHOLE)
        {
          blackhole (proxy, client);
          break;
        }
      if (mode == CL_FAULT_REPLAY)
        {
          g_mutex_lock (&proxy->lock);
          response = proxy->recorded != NULL ? g_bytes_ref (proxy->recorded) : NULL;
          g_mutex_unlock (&proxy->lock);
        }
      if (response == NULL)
        {
          data = g_bytes_get_data (request, &len);
          if (!g_output_stream_write_all (uout, data, len, NULL, NULL, NULL) ||
              !g_output_stream_flush (uout, NULL, NULL) ||
              (response = read_message (uin, ubuf, NULL)) == NULL)
            break;
          g_mutex_lock (&proxy->lock);
          if (proxy->record_path != NULL && strcmp (proxy->record_path, path) == 0)
            {
              g_clear_pointer (&proxy->recorded, g_bytes_unref);
              proxy->recorded = g_bytes_ref (response);
              g_clear_pointer (&proxy->record_path, g_free);
            }
          g_mutex_unlock (&proxy->lock);
        }
      if (mode == CL_FAULT_REPLAY)
        mode = CL_FAULT_PASS;
      if (!write_faulty (cout, client, response, mode, param))
        break;
    }

out:
  g_socket_shutdown (upstream, TRUE, TRUE, NULL);
  untrack (proxy, upstream);
}

/* Threads ---------------------------------------------------------------------------- */

typedef struct {
  ClFaultProxy *proxy;
  GSocket      *client;
} Connection;

static gpointer
connection_thread (gpointer data)
{
  Connection *c = data;
  ClFaultProxy *proxy = c->proxy;

  track (proxy, c->client);
  if (proxy->certificate != NULL)
    http_connection (proxy, c->client);
  else
    raw_connection (proxy, c->client);
  untrack (proxy, c->client);
  g_socket_close (c->client, NULL);
  g_object_unref (c->client);
  g_free (c);

  g_mutex_lock (&proxy->lock);
  proxy->active--;
  g_cond_broadcast (&proxy->cond);
  g_mutex_unlock (&proxy->lock);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  ClFaultProxy *proxy = data;

  for (;;)
    {
      GSocket *client = g_socket_accept (proxy->listener, proxy->cancellable, NULL);
      Connection *c;

      if (client == NULL)
        {
          if (g_cancellable_is_cancelled (proxy->cancellable))
            return NULL;
          g_usleep (1000);
          continue;
        }
      g_socket_set_blocking (client, TRUE);
      c = g_new0 (Connection, 1);
      c->proxy = proxy;
      c->client = client;
      g_mutex_lock (&proxy->lock);
      proxy->active++;
      proxy->connections++;
      g_mutex_unlock (&proxy->lock);
      g_thread_unref (g_thread_new ("fault-proxy-conn", connection_thread, c));
    }
}

/* API -------------------------------------------------------------------------------- */

/**
 * cl_fault_proxy_new:
 * @upstream_port: nginx's port on 127.0.0.1
 * @certificate: (nullable): with it, HTTP mode: TLS is terminated with this certificate
 * @upstream_ca: (nullable): the CA nginx's certificate is checked against (HTTP mode)
 *
 * Listens on a free port of 127.0.0.1.
 */
ClFaultProxy *
cl_fault_proxy_new (guint16           upstream_port,
                    GTlsCertificate  *certificate,
                    GTlsDatabase     *upstream_ca,
                    GError          **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  ClFaultProxy *proxy = g_new0 (ClFaultProxy, 1);

  g_mutex_init (&proxy->lock);
  g_cond_init (&proxy->cond);
  proxy->upstream_port = upstream_port;
  proxy->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  proxy->upstream_ca = upstream_ca != NULL ? g_object_ref (upstream_ca) : NULL;
  proxy->cancellable = g_cancellable_new ();
  proxy->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  proxy->blackholed = g_ptr_array_new ();
  proxy->chaos = g_rand_new_with_seed (1);

  proxy->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, error);
  if (proxy->listener == NULL ||
      !g_socket_bind (proxy->listener, any, TRUE, error) ||
      !g_socket_listen (proxy->listener, error) ||
      (bound = g_socket_get_local_address (proxy->listener, error)) == NULL)
    {
      cl_fault_proxy_free (proxy);
      return NULL;
    }
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  proxy->accept_thread = g_thread_new ("fault-proxy-accept", accept_thread, proxy);
  return proxy;
}

guint16
cl_fault_proxy_get_port (ClFaultProxy *proxy)
{
  return proxy->port;
}

/**
 * cl_fault_proxy_set:
 * @param: the mode's parameter (milliseconds, bytes per second, bytes, or a chaos seed)
 * @path: (nullable): HTTP mode: only requests to this path
 * @times: fire this many times, then pass again; 0: until changed
 */
void
cl_fault_proxy_set (ClFaultProxy *proxy,
                    ClFaultMode   mode,
                    guint64       param,
                    const char   *path,
                    guint         times)
{
  g_mutex_lock (&proxy->lock);
  proxy->mode = mode;
  proxy->param = param;
  g_free (proxy->path);
  proxy->path = g_strdup (path);
  proxy->times = times;
  if (mode == CL_FAULT_CHAOS)
    g_rand_set_seed (proxy->chaos, (guint32) param);
  g_mutex_unlock (&proxy->lock);
}

/* Back to passing everything; connections held by a blackhole are closed. */
void
cl_fault_proxy_heal (ClFaultProxy *proxy)
{
  g_mutex_lock (&proxy->lock);
  proxy->mode = CL_FAULT_PASS;
  g_clear_pointer (&proxy->path, g_free);
  for (guint i = 0; i < proxy->blackholed->len; i++)
    g_socket_shutdown (g_ptr_array_index (proxy->blackholed, i), TRUE, TRUE, NULL);
  g_mutex_unlock (&proxy->lock);
}

/* HTTP mode: keeps the next response to @path for CL_FAULT_REPLAY. */
void
cl_fault_proxy_record (ClFaultProxy *proxy,
                       const char   *path)
{
  g_mutex_lock (&proxy->lock);
  g_free (proxy->record_path);
  proxy->record_path = g_strdup (path);
  g_clear_pointer (&proxy->recorded, g_bytes_unref);
  g_mutex_unlock (&proxy->lock);
}

/* HTTP mode: freezes a made-up answer (@status, JSON @body) for CL_FAULT_REPLAY. */
void
cl_fault_proxy_forge (ClFaultProxy *proxy,
                      guint         status,
                      const char   *body)
{
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 %u Forged\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Cache-Control: no-store\r\n"
                                               "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
                                               status, strlen (body), body);
  gsize len = strlen (response);

  g_mutex_lock (&proxy->lock);
  g_clear_pointer (&proxy->record_path, g_free);
  g_clear_pointer (&proxy->recorded, g_bytes_unref);
  proxy->recorded = g_bytes_new_take (g_steal_pointer (&response), len);
  g_mutex_unlock (&proxy->lock);
}

gboolean
cl_fault_proxy_has_record (ClFaultProxy *proxy)
{
  gboolean has;

  g_mutex_lock (&proxy->lock);
  has = proxy->recorded != NULL;
  g_mutex_unlock (&proxy->lock);
  return has;
}

guint
cl_fault_proxy_get_hits (ClFaultProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->lock);
  n = proxy->hits;
  g_mutex_unlock (&proxy->lock);
  return n;
}

guint
cl_fault_proxy_get_connections (ClFaultProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->lock);
  n = proxy->connections;
  g_mutex_unlock (&proxy->lock);
  return n;
}

void
cl_fault_proxy_free (ClFaultProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_cancellable_cancel (proxy->cancellable);
  if (proxy->accept_thread != NULL)
    g_thread_join (proxy->accept_thread);

  g_mutex_lock (&proxy->lock);
  proxy->stopping = TRUE;
  for (guint i = 0; i < proxy->sockets->len; i++)
    g_socket_shutdown (g_ptr_array_index (proxy->sockets, i), TRUE, TRUE, NULL);
  while (proxy->active > 0)
    g_cond_wait (&proxy->cond, &proxy->lock);
  g_mutex_unlock (&proxy->lock);

  if (proxy->listener != NULL)
    g_socket_close (proxy->listener, NULL);
  g_clear_object (&proxy->listener);
  g_clear_object (&proxy->certificate);
  g_clear_object (&proxy->upstream_ca);
  g_clear_object (&proxy->cancellable);
  g_ptr_array_unref (proxy->sockets);
  g_ptr_array_unref (proxy->blackholed);
  g_rand_free (proxy->chaos);
  g_free (proxy->path);
  g_free (proxy->record_path);
  g_clear_pointer (&proxy->recorded, g_bytes_unref);
  g_mutex_clear (&proxy->lock);
  g_cond_clear (&proxy->cond);
  g_free (proxy);
}
