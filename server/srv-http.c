/* srv-http.c: the HTTP front of caseload-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main thread runs the SoupServer. A handler checks the method, the path and the size,
 * copies what the request needs into a job, pauses the message and hands the job to a
 * worker thread. The worker does all database work on its own connection and builds the
 * answer as bytes; the answer goes back to the server's main context, which alone touches
 * the message: it sets the response and unpauses. nginx stands in front (TLS, limits).
 */

#define G_LOG_DOMAIN "srv-http"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "cl-report.h"
#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-http.h"
#include "srv-metrics.h"
#include "srv-notify.h"

#define LISTEN_BACKLOG 512

/* A listening socket and the SoupServer its connections go to. */
typedef struct {
  SrvServer      *server;
  SoupServer     *soup;
  GSocketService *service;
  GSocket        *socket;
  char           *socket_path;  /* (nullable): a Unix socket's, removed at the end */
} Listener;

struct _SrvServer {
  SrvConfig    *config;       /* replaced on SIGHUP, on the main context, under config_lock */
  GMutex        config_lock;
  SrvConfigLoader loader;
  gpointer      loader_data;
  SoupServer   *soup;
  GMainContext *context;
  GMainLoop    *loop;
  GThreadPool  *pool;
  char         *dummy_hash;
  Listener      api;          /* the sync API, behind nginx */
  Listener      metrics;      /* /metrics alone, local ([metrics] listen; off by default) */
  guint         in_flight;
  gboolean      shutting_down;
  gint64        shutdown_deadline;

  GMutex        hash_lock;
  GCond         hash_cond;
  guint         hashing;
};

typedef void (*SrvHandler) (SrvWorker   *worker,
                            SrvRequest  *request,
                            SrvResponse *response);

/* A route's pattern names it in the audit log and in metrics labels: never the raw path,
 * whose ids would make every request a label of its own. */
typedef struct {
  const char *method;   /* one, or several separated by ", " (as in an Allow header) */
  const char *path;     /* exact, or a prefix ending in '/' when has_arg */
  const char *suffix;   /* after the {id} */
  gboolean    has_arg;
  SrvHandler  handler;
  const char *pattern;  /* (nullable): the path with {id}, when has_arg */
  gboolean    report;   /* the {id} is the name of a report (cl_report_lookup()), and the
                         * whole path names the route */
} Route;

static const Route routes[] = {
  { "GET, HEAD", "/v1/health", NULL, FALSE, srv_handle_health },
  { "POST", "/v1/login", NULL, FALSE, srv_handle_login },
  { "POST", "/v1/refresh", NULL, FALSE, srv_handle_refresh },
  { "GET", "/v1/trust", NULL, FALSE, srv_handle_trust },
  { "POST", "/v1/logout", NULL, FALSE, srv_handle_logout },
  { "POST", "/v1/push", NULL, FALSE, srv_handle_push },
  { "POST", "/v1/pull", NULL, FALSE, srv_handle_pull },
  { "GET", "/v1/conflicts", NULL, FALSE, srv_handle_conflicts },
  { "POST", "/v1/conflicts/", "/resolve", TRUE, srv_handle_resolve,
    "/v1/conflicts/{id}/resolve" },
  { "POST", "/v1/device/erased", NULL, FALSE, srv_handle_erased },
  /* Aggregates from the shared report engine (srv-report.c): every report it lists. */
  { "POST", "/v1/reports/", "", TRUE, srv_handle_report, NULL, TRUE },
};

typedef struct {
  SrvServer         *server;
  SoupServerMessage *msg;     /* touched only on the server's main context */
  const Route       *route;
  SrvRequest         request;
  SrvResponse        response;
} Job;

static void worker_free (gpointer data);

static const char *
route_pattern (const Route *route,
               const char  *path)
{
  /* A report's path is its own pattern: only the engine's few report names match. */
  if (route->report)
    return g_intern_string (path);
  return route->pattern != NULL ? route->pattern : route->path;
}

/* Each worker thread keeps its connection here; freed when the thread ends. */
static GPrivate worker_key = G_PRIVATE_INIT (worker_free);

/* ---- Responses -------------------------------------------------------------------------- */

void
srv_response_take_json (SrvResponse *response,
                        guint        status,
                        char        *body,
                        gsize        len)
{
  g_free (response->body);
  response->status = status;
  response->body = body;
  response->len = len;
}

void
srv_response_error_extra (SrvResponse *response,
                          guint        status,
                          const char  *code,
                          const char  *message,
                          JsonObject  *extra)
{
  gsize len = 0;
  char *body = cl_wire_error_reply_encode (code, message, extra, &len);

  srv_response_take_json (response, status, body, len);
}

void
srv_response_error (SrvResponse *response,
                    guint        status,
                    const char  *code,
                    const char  *message)
{
  srv_response_error_extra (response, status, code, message, NULL);
}

void
srv_response_db_error (SrvResponse  *response,
                       const GError *error)
{
  if (g_error_matches (error, SRV_DB_ERROR, SRV_DB_ERROR_CONNECTION) ||
      g_error_matches (error, SRV_DB_ERROR, SRV_DB_ERROR_RETRY))
    {
      g_message ("Database unavailable: %s", error->message);
      srv_metrics_database_error (TRUE);
      srv_response_error (response, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                          "The server cannot reach its database; try again later");
      response->retry_after = 2;
    }
  else
    {
      g_message ("Database failure: %s", error->message);
      srv_metrics_database_error (FALSE);
      srv_response_error (response, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal_error",
                          "The server failed to handle the request");
    }
}

void
srv_response_wire_error (SrvResponse  *response,
                         const GError *error)
{
  const char *code = cl_wire_error_code (error);

  if (g_error_matches (error, CL_WIRE_ERROR, CL_WIRE_ERROR_BODY_TOO_LARGE))
    srv_response_error (response, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, code, error->message);
  else
    srv_response_error (response, SOUP_STATUS_BAD_REQUEST, code, error->message);
}

/* ---- Workers ---------------------------------------------------------------------------- */

/* The configuration as it was when the request in hand started (a reload meanwhile
 * applies to the next). */
const SrvConfig *
srv_worker_get_config (SrvWorker *worker)
{
  return worker->config;
}

const char *
srv_worker_get_dummy_hash (SrvWorker *worker)
{
  return worker->server->dummy_hash;
}

/* Argon2id takes 64 MiB per verification: only a few run at once. */
void
srv_worker_hash_enter (SrvWorker *worker)
{
  SrvServer *server = worker->server;

  g_mutex_lock (&server->hash_lock);
  while (server->hashing >= worker->config->hash_concurrency)
    g_cond_wait (&server->hash_cond, &server->hash_lock);
  server->hashing++;
  g_mutex_unlock (&server->hash_lock);
}

void
srv_worker_hash_leave (SrvWorker *worker)
{
  SrvServer *server = worker->server;

  g_mutex_lock (&server->hash_lock);
  server->hashing--;
  g_cond_signal (&server->hash_cond);
  g_mutex_unlock (&server->hash_lock);
}

static void
worker_free (gpointer data)
{
  SrvWorker *worker = data;

  g_clear_pointer (&worker->conn, PQfinish);
  g_free (worker);
}

static void
request_clear (SrvRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->arg);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  if (request->authorization != NULL)
    sodium_memzero (request->authorization, strlen (request->authorization));
  g_free (request->authorization);
  g_free (request->content_type);
  g_free (request->address);
}

static void
job_free (Job *job)
{
  request_clear (&job->request);
  g_free (job->response.body);
  g_clear_object (&job->msg);
  g_free (job);
}

static void
set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Cache-Control", "no-store");
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  /* libsoup 3.2's server never notices that a client closed an idle keep-alive
   * connection (fixed upstream in 3.3, commit d20c6601): every such connection would stay
   * open for good. One request per connection; nginx keeps its own client connections. */
  soup_message_headers_replace (h, "Connection", "close");
}

static void
answer (SoupServerMessage *msg,
        guint              status,
        const char        *content_type,
        const char        *body,
        gsize              len,
        gint64             retry_after)
{
  set_common_headers (msg);
  if (retry_after >= 0)
    {
      g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", v);
    }
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, len);
}

static void
answer_error (SoupServerMessage *msg,
              guint              status,
              const char        *code,
              const char        *message)
{
  gsize len = 0;
  g_autofree char *body = cl_wire_error_reply_encode (code, message, NULL, &len);

  answer (msg, status, "application/json", body, len, -1);
}

/* Back on the server's main context: the only place a job touches its message. */
static gboolean
job_finish_cb (gpointer data)
{
  Job *job = data;

  answer (job->msg, job->response.status,
          job->response.content_type != NULL ? job->response.content_type : "application/json",
          job->response.body, job->response.len,
          job->response.retry_after);
  soup_server_message_unpause (job->msg);
  job->server->in_flight--;
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_run (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  SrvServer *server = user_data;
  SrvWorker *worker = g_private_get (&worker_key);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (worker == NULL)
    {
      worker = g_new0 (SrvWorker, 1);
      worker->server = server;
      g_private_set (&worker_key, worker);
    }

  g_mutex_lock (&server->config_lock);
  worker->config = srv_config_ref (server->config);
  g_mutex_unlock (&server->config_lock);

  for (guint attempt = 0; ; attempt++)
    {
      job->response.retry_after = -1;
      if (!srv_db_ensure (&worker->conn, worker->config->db, &error))
        {
          srv_response_db_error (&job->response, error);
          break;
        }
      srv_audit_set_route (route_pattern (job->route, job->request.path));
      job->route->handler (worker, &job->request, &job->response);
      srv_audit_set_route (NULL);

      /* A handler never leaves a transaction open; make sure. */
      srv_db_rollback (worker->conn);

      /* The connection died under the request (PostgreSQL restarted since this worker
       * last used it): once more on a new one. Every handler is safe to run again: a
       * transaction that failed left nothing, a push whose commit was lost with the
       * connection gets its stored results, and a resolution whose commit was lost is
       * answered already_resolved (the device then pulls the value it chose). */
      if (attempt > 0 || PQstatus (worker->conn) == CONNECTION_OK)
        break;
      g_clear_pointer (&job->response.body, g_free);
      job->response.len = 0;
      job->response.status = 0;
      g_clear_pointer (&worker->conn, PQfinish);
      g_clear_error (&error);
    }
  if (job->response.status == 0)
    srv_response_error (&job->response, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal_error",
                        "The server failed to handle the request");
  g_clear_pointer (&worker->config, srv_config_unref);
  if (job->route->handler == srv_handle_push || job->route->handler == srv_handle_pull)
    srv_metrics_sync_duration (job->route->path, g_get_monotonic_time () - start);

  g_main_context_invoke (server->context, job_finish_cb, job);
}

/* ---- Request intake --------------------------------------------------------------------- */

static gboolean
is_trusted_peer (GSocketAddress *address)
{
  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    return TRUE;
  if (G_IS_INET_SOCKET_ADDRESS (address))
    return g_inet_address_get_is_loopback (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return FALSE;
}

static gboolean
is_address_text (const char *s)
{
  gsize n = 0;

  for (const char *p = s; *p; p++, n++)
    if (!g_ascii_isxdigit (*p) && *p != '.' && *p != ':')
      return FALSE;
  return n > 0 && n <= 45;
}

static char *
client_address (SrvServer         *server,
                SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *real_ip = NULL;

  if (server->config->real_ip_header != NULL && *server->config->real_ip_header != '\0')
    real_ip = soup_message_headers_get_one (h, server->config->real_ip_header);

  if (address != NULL && is_trusted_peer (address) && real_ip != NULL &&
      is_address_text (real_ip))
    return g_strdup (real_ip);
  if (address != NULL && G_IS_INET_SOCKET_ADDRESS (address))
    return g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup ("local");
}

static gboolean
method_matches (const Route *route,
                const char  *method)
{
  g_auto(GStrv) methods = g_strsplit (route->method, ", ", -1);

  return g_strv_contains ((const char * const *) methods, method);
}

static const Route *
find_route (const char  *path,
            const char  *method,
            char       **arg,
            const char **allow)
{
  *allow = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const Route *r = &routes[i];

      if (r->has_arg)
        {
          gsize plen = strlen (r->path), slen = strlen (r->suffix), n = strlen (path);
          g_autofree char *id = NULL;

          if (n <= plen + slen || !g_str_has_prefix (path, r->path) ||
              !g_str_has_suffix (path, r->suffix))
            continue;
          id = g_strndup (path + plen, n - plen - slen);
          if (r->report ? cl_report_lookup (id) == NULL : !cl_is_uuid (id))
            continue;
          if (!method_matches (r, method))
            {
              *allow = r->method;
              continue;
            }
          *arg = g_ascii_strdown (id, -1);
          return r;
        }
      if (strcmp (path, r->path) != 0)
        continue;
      if (!method_matches (r, method))
        {
          *allow = r->method;
          continue;
        }
      return r;
    }
  return NULL;
}

static void
early_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SrvServer *server = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (h);

  if (encoding == SOUP_ENCODING_CHUNKED)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      answer_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "length_required",
                    "Requests must carry a Content-Length");
      return;
    }
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (h) > (goffset) server->config->max_body)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      answer_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                    "The request body is too large");
    }
}

static gboolean
is_json_content_type (const char *value)
{
  g_autofree char *lower = NULL;

  if (value == NULL)
    return FALSE;
  lower = g_ascii_strdown (value, -1);
  return strcmp (lower, "application/json") == 0 ||
         g_str_has_prefix (lower, "application/json;");
}

/* Hands the request to a worker; its answer comes back in job_finish_cb(). */
static void
submit (SrvServer         *server,
        SoupServerMessage *msg,
        const Route       *route,
        const char        *path,
        GHashTable        *query,
        GBytes            *body,
        char              *arg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  Job *job = g_new0 (Job, 1);

  job->server = server;
  job->msg = g_object_ref (msg);
  job->route = route;
  job->request.method = g_strdup (soup_server_message_get_method (msg));
  job->request.path = g_strdup (path);
  job->request.arg = arg;
  job->request.query = query != NULL ? g_hash_table_ref (query) : NULL;
  job->request.body = body;
  job->request.authorization = g_strdup (soup_message_headers_get_one (h, "Authorization"));
  job->request.content_type = g_strdup (soup_message_headers_get_one (h, "Content-Type"));
  job->request.address = client_address (server, msg);

  soup_server_message_pause (msg);
  server->in_flight++;
  g_thread_pool_push (server->pool, job, NULL);
}

/* Every answer of the API, counted by its route's pattern. */
static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  const char *route = g_object_get_data (G_OBJECT (msg), "srv-route");

  srv_metrics_request (route != NULL ? route : "unmatched",
                       soup_server_message_get_status (msg));
}

static void
server_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SrvServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *arg = NULL;
  const char *allow = NULL;
  const Route *route;

  if (server->shutting_down)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      answer_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                    "The server is shutting down; try again");
      return;
    }

  route = find_route (path, method, &arg, &allow);
  if (route != NULL)
    g_object_set_data (G_OBJECT (msg), "srv-route", (gpointer) route_pattern (route, path));
  else
    {
      if (allow != NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Allow", allow);
          answer_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                        "This method is not allowed here");
        }
      else
        answer_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > server->config->max_body)
    {
      answer_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                    "The request body is too large");
      return;
    }
  if ((strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0) &&
      g_bytes_get_size (body) > 0)
    {
      answer_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                    "A GET or HEAD request has no body");
      return;
    }
  if (strcmp (method, "POST") == 0 && g_bytes_get_size (body) > 0 &&
      !is_json_content_type (soup_message_headers_get_one (h, "Content-Type")))
    {
      answer_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Request bodies are application/json");
      return;
    }

  submit (server, msg, route, path, query, g_steal_pointer (&body), g_steal_pointer (&arg));
}

/* ---- Health ---------------------------------------------------------------------------- */

void
srv_handle_health (SrvWorker   *worker,
                   SrvRequest  *request,
                   SrvResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = srv_db_exec (worker->conn, &error, "SELECT v FROM sync_clock",
                                       SRV_DB_END);
  char *body;

  if (r == NULL)
    {
      srv_response_db_error (response, error);
      return;
    }
  /* HEAD gets the same headers; libsoup leaves the body out. */
  body = g_strdup ("{\"status\":\"ok\",\"database\":\"ok\","
                   "\"version\":\"" PACKAGE_VERSION "\"}");
  srv_response_take_json (response, SOUP_STATUS_OK, body, strlen (body));
}

/* ---- Metrics ---------------------------------------------------------------------------- */

static void
handle_metrics (SrvWorker   *worker,
                SrvRequest  *request,
                SrvResponse *response)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  char *body = srv_metrics_render (worker->conn, &len, &error);

  if (body == NULL)
    {
      srv_response_db_error (response, error);
      return;
    }
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
  response->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static const Route metrics_route = { "GET, HEAD", "/metrics", NULL, FALSE, handle_metrics };

/* The metrics listener answers /metrics and nothing else; the API's routes are not here,
 * and /metrics is not among them. */
static void
metrics_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SrvServer *server = user_data;

  if (server->shutting_down)
    answer_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                  "The server is shutting down");
  else if (strcmp (path, metrics_route.path) != 0)
    answer_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint");
  else if (!method_matches (&metrics_route, soup_server_message_get_method (msg)))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    metrics_route.method);
      answer_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                    "This method is not allowed here");
    }
  else
    submit (server, msg, &metrics_route, path, NULL, NULL, NULL);
}

/* ---- Life cycle ------------------------------------------------------------------------- */

static void
listener_clear (Listener *listener)
{
  if (listener->service != NULL)
    {
      g_socket_service_stop (listener->service);
      g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
      g_clear_object (&listener->service);
    }
  if (listener->soup != NULL)
    soup_server_disconnect (listener->soup);
  g_clear_object (&listener->soup);
  g_clear_object (&listener->socket);
  if (listener->socket_path != NULL)
    g_unlink (listener->socket_path);
  g_clear_pointer (&listener->socket_path, g_free);
}

SrvServer *
srv_server_new (SrvConfig  *config,
                GError    **error)
{
  SrvServer *server = g_new0 (SrvServer, 1);
  char random_password[33];
  guint8 raw[16];

  server->config = srv_config_ref (config);
  g_mutex_init (&server->config_lock);
  server->context = g_main_context_ref_thread_default ();
  server->loop = g_main_loop_new (server->context, FALSE);
  g_mutex_init (&server->hash_lock);
  g_cond_init (&server->hash_cond);

  /* Unknown users are verified against this, so they cost what a real account costs. */
  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (random_password, sizeof random_password, raw, sizeof raw);
  server->dummy_hash = g_malloc0 (crypto_pwhash_STRBYTES);
  if (crypto_pwhash_str (server->dummy_hash, random_password, strlen (random_password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Out of memory for Argon2id");
      srv_server_free (server);
      return NULL;
    }
  sodium_memzero (random_password, sizeof random_password);

  server->soup = soup_server_new ("server-header", "caseload-server", NULL);
  soup_server_add_early_handler (server->soup, NULL, early_cb, server, NULL);
  soup_server_add_handler (server->soup, NULL, server_cb, server, NULL);
  g_signal_connect (server->soup, "request-finished", G_CALLBACK (request_finished_cb), NULL);
  server->api = (Listener) { server, g_object_ref (server->soup) };
  server->metrics = (Listener) { server, soup_server_new ("server-header", "caseload-server",
                                                          NULL) };
  soup_server_add_handler (server->metrics.soup, NULL, metrics_cb, server, NULL);

  server->pool = g_thread_pool_new (job_run, server, (int) config->workers, TRUE, error);
  if (server->pool == NULL)
    {
      srv_server_free (server);
      return NULL;
    }
  return server;
}

void
srv_server_free (SrvServer *server)
{
  if (server == NULL)
    return;
  if (server->pool != NULL)
    g_thread_pool_free (server->pool, FALSE, TRUE);
  listener_clear (&server->api);
  listener_clear (&server->metrics);
  g_clear_object (&server->soup);
  g_free (server->dummy_hash);
  g_clear_pointer (&server->loop, g_main_loop_unref);
  g_clear_pointer (&server->context, g_main_context_unref);
  g_mutex_clear (&server->hash_lock);
  g_cond_clear (&server->hash_cond);
  g_clear_pointer (&server->config, srv_config_unref);
  g_mutex_clear (&server->config_lock);
  g_free (server);
}

/* libsoup 3.2's own listener leaks a GSocket per accepted connection; connections accepted
 * here and handed over with soup_server_accept_iostream() are freed. */
static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  Listener *listener = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  /* A connection that sends or takes nothing for io-timeout seconds (a half-sent request,
   * a client that stopped reading) fails with G_IO_ERROR_TIMED_OUT and is closed, so no one
   * can hold the server's sockets open. Work on a request does not wait on the socket. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection),
                        (guint) listener->server->config->io_timeout);
  if (!soup_server_accept_iostream (listener->soup, G_IO_STREAM (connection), local, remote,
                                    &error))
    g_message ("Cannot accept a connection: %s", error->message);
  return TRUE;
}

/* Whether the socket at @path is not ours to take: a server answers on it, or we cannot
 * tell (@error says which). A refused connection means a stale socket: FALSE. */
static gboolean
socket_taken (const char  *path,
              GError     **error)
{
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) local_error = NULL;

  probe = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                        error);
  if (probe == NULL)
    return TRUE;
  if (g_socket_connect (probe, address, NULL, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Another server answers on %s: stop it first, or listen elsewhere", path);
      return TRUE;
    }
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Cannot tell whether another server uses %s: %s", path,
                   local_error->message);
      return TRUE;
    }
  return FALSE;
}

static GSocket *
bind_unix (const char  *path,
           GError     **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GStatBuf st;

  if (!g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The socket path must be absolute");
      return NULL;
    }
  if (g_lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    {
      if (socket_taken (path, error))
        return NULL;
      /* Nobody answers: a socket left by a server that was killed. */
      g_unlink (path);
    }

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         error);
  if (socket == NULL)
    return NULL;
  address = g_unix_socket_address_new (path);
  if (!g_socket_bind (socket, address, FALSE, error))
    return NULL;
  /* nginx connects as its own user in the socket's group. */
  if (g_chmod (path, 0660) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot set the socket's permissions: %s", g_strerror (errno));
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&socket);
}

static GSocket *
bind_inet (const char  *spec,
           GError     **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  GInetAddress *inet;

  connectable = g_network_address_parse (spec, 0, error);
  if (connectable == NULL)
    return NULL;
  enumerator = g_socket_connectable_enumerate (connectable);
  address = g_socket_address_enumerator_next (enumerator, NULL, error);
  if (address == NULL)
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (!g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "caseload-server listens on a Unix socket or a loopback address only; "
                   "nginx faces the network");
      return NULL;
    }
  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, address, TRUE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* @spec: "unix:PATH" or "HOST:PORT" (loopback) */
static gboolean
listener_open (Listener    *listener,
               const char  *spec,
               GError     **error)
{
  gboolean is_unix = g_str_has_prefix (spec, "unix:");
  g_autoptr(GSocketAddress) bound = NULL;

  listener->socket = is_unix ? bind_unix (spec + strlen ("unix:"), error)
                             : bind_inet (spec, error);
  if (listener->socket == NULL)
    return FALSE;
  if (is_unix)
    listener->socket_path = g_strdup (spec + strlen ("unix:"));
  /* Every answer closes its connection, so connections come as fast as requests. */
  g_socket_set_listen_backlog (listener->socket, LISTEN_BACKLOG);
  if (!g_socket_listen (listener->socket, error))
    return FALSE;
  listener->service = g_socket_service_new ();
  g_signal_connect (listener->service, "incoming", G_CALLBACK (incoming_cb), listener);
  if (!g_socket_listener_add_socket (G_SOCKET_LISTENER (listener->service), listener->socket,
                                     NULL, error))
    return FALSE;

  bound = g_socket_get_local_address (listener->socket, NULL);
  if (listener->socket_path != NULL)
    g_print ("caseload-server: %s on unix:%s\n",
             listener == &listener->server->api ? "listening" : "metrics",
             listener->socket_path);
  else if (bound != NULL && G_IS_INET_SOCKET_ADDRESS (bound))
    {
      g_autofree char *host = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (bound)));
      g_print ("caseload-server: %s on http://%s:%u/\n",
               listener == &listener->server->api ? "listening" : "metrics", host,
               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    }
  return TRUE;
}

gboolean
srv_server_listen (SrvServer  *server,
                   GError    **error)
{
  const char *metrics = server->config->metrics_listen;

  if (!listener_open (&server->api, server->config->listen, error))
    return FALSE;
  if (metrics != NULL && *metrics != '\0' &&
      !listener_open (&server->metrics, metrics, error))
    {
      g_prefix_error (error, "[metrics] listen: ");
      return FALSE;
    }
  g_socket_service_start (server->api.service);
  if (server->metrics.service != NULL)
    g_socket_service_start (server->metrics.service);
  return TRUE;
}

static gboolean
drain_cb (gpointer data)
{
  SrvServer *server = data;

  if (server->in_flight == 0 || g_get_monotonic_time () >= server->shutdown_deadline)
    {
      if (server->in_flight > 0)
        g_message ("Shutting down with %u requests unanswered", server->in_flight);
      g_main_loop_quit (server->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
signal_cb (gpointer data)
{
  SrvServer *server = data;

  if (server->shutting_down)
    return G_SOURCE_CONTINUE;
  g_message ("Shutting down: finishing %u requests in flight", server->in_flight);
  srv_notify ("STOPPING=1\nSTATUS=Shutting down");
  server->shutting_down = TRUE;
  server->shutdown_deadline = g_get_monotonic_time () +
                              server->config->shutdown_timeout * G_USEC_PER_SEC;
  /* Answers already handed to libsoup still need a few iterations to be written. */
  g_timeout_add (50, drain_cb, server);
  return G_SOURCE_CONTINUE;
}

/**
 * srv_server_set_loader:
 * @loader: reads the configuration again (the file and the command line's flags)
 *
 * Without a loader, SIGHUP changes nothing.
 */
void
srv_server_set_loader (SrvServer       *server,
                       SrvConfigLoader  loader,
                       gpointer         data)
{
  server->loader = loader;
  server->loader_data = data;
}

/* SIGHUP: read the configuration again. Limits and timeouts change at once (for requests
 * that start from now on); where the server listens, its database and its
 * workers wait for a restart. A configuration that does not load changes nothing. */
static gboolean
reload_cb (gpointer data)
{
  SrvServer *server = data;
  g_autoptr(SrvConfig) next = NULL;
  g_autoptr(SrvConfig) old = NULL;
  g_autoptr(GError) error = NULL;

  if (server->loader == NULL || server->shutting_down)
    return G_SOURCE_CONTINUE;
  srv_notify ("RELOADING=1");
  next = server->loader (server->loader_data, &error);
  if (next == NULL)
    {
      g_message ("Reload failed, the running configuration stays: %s", error->message);
      srv_notify ("READY=1\nSTATUS=Serving; the last reload failed (see the log)");
      return G_SOURCE_CONTINUE;
    }
  srv_config_keep_restart_only (next, server->config);

  g_mutex_lock (&server->config_lock);
  old = server->config;
  server->config = g_steal_pointer (&next);
  g_mutex_unlock (&server->config_lock);

  g_message ("Configuration reloaded");
  srv_notify ("READY=1\nSTATUS=Serving; configuration reloaded");
  return G_SOURCE_CONTINUE;
}

/**
 * srv_server_run:
 *
 * Tells the service manager it is ready, reloads its configuration on SIGHUP, serves until
 * SIGTERM or SIGINT, then stops taking work, lets the requests in flight
 * finish (up to shutdown-timeout seconds) and returns.
 */
void
srv_server_run (SrvServer *server)
{
  guint term = g_unix_signal_add (SIGTERM, signal_cb, server);
  guint intr = g_unix_signal_add (SIGINT, signal_cb, server);
  guint hup = g_unix_signal_add (SIGHUP, reload_cb, server);

  srv_notify ("READY=1\nSTATUS=Serving");
  g_main_loop_run (server->loop);

  /* Let libsoup flush the last answers before the connections close. */
  for (int i = 0; i < 20 && g_main_context_iteration (server->context, FALSE); i++)
    ;
  g_source_remove (term);
  g_source_remove (intr);
  g_source_remove (hup);
}
