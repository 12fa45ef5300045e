/* cl-sync.c: the sync engine, offline work to and from caseload-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One round: push the outbox in bounded batches, then pull pages until the server has no
 * more (DESIGN.md §5, docs/PROTOCOL.md). The engine runs in a worker thread with its own
 * SoupSession (libsoup sessions belong to the thread that made them). Every answer is
 * decoded by common/cl-wire.c, the same code the server uses, after its guard checked size,
 * depth and encoding.
 *
 * What keeps work from being lost or duplicated (docs/SYNC.md):
 * - an outbox row is never changed once written and is deleted only in the transaction
 *   that records the server's answer for it; a lost answer means the same seq is sent
 *   again, byte for byte, and the server returns its stored result;
 * - a mutation's base_version is the version of the record this device had pulled when
 *   the edit was made, never advanced afterwards (advancing it would hide a conflict); the
 *   server treats fields last written by this device's own earlier mutations as no
 *   conflict;
 * - a pulled page is applied in one transaction; fields with a pending local mutation keep
 *   their local value (pending work stays on top of the pulled state) and the cursor moves
 *   only forward; an answer that would move it back is refused;
 * - a resolution not yet taken by the server keeps beside it the server's latest value of
 *   its field, which the vault shows again if the server turns the resolution down;
 * - 410 and 412 start a full resync that keeps the outbox and pushes it again.
 *
 * The device token and its refresh token live in the vault's meta table. A request answered
 * token_expired trades the refresh token for a new pair (POST /v1/refresh, kept in place of
 * the old one) and is sent again, so the round goes on without the password; only when the
 * server refuses the refresh does the round end with %CL_SYNC_ERROR_AUTH.
 *
 * CASELOAD_SYNC_CRASH_AT=<point>[:<n>] (tests only: honoured only in builds configured with
 * -Dtest_hooks=true; read once) makes the process _exit(137)
 * at the n-th (default first) pass through a named point, to prove crash safety (R2):
 * before-push, after-push-send, after-push-commit, mid-pull-apply, after-pull-commit.
 * CASELOAD_SYNC_TIMEOUT=<seconds> shortens the network timeout (default 60).
 */

#define G_LOG_DOMAIN "cl-sync"

#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cl-report.h"
#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-sync.h"
#include "cl-wire.h"

#define PUSH_BATCH 200
/* A push carries at most this many bytes of changes: half of what the server and nginx
 * take in one request (CL_WIRE_MAX_PUSH_BYTES), so the envelope never tips it over. A
 * batch the server still finds too large (413) is halved until it passes. */
#define PUSH_BUDGET (CL_WIRE_MAX_PUSH_BYTES / 2)
/* Mutations the server acknowledged stay this long in `sent`, to be sent again if the
 * server's database is restored from a dump taken before them. */
#define KEEP_SENT_DAYS 30
#define PULL_LIMIT 500
#define CA_FILE    "server-ca.pem"

struct _ClSync
{
  GObject   parent_instance;

  ClStore  *store;
  GMutex    round_lock;   /* one round at a time */
  char     *device_name;  /* (nullable): what enrollment names the device */
  ClSecret *new_password; /* (nullable): the server password the next sign-in sets */
};

G_DEFINE_FINAL_TYPE (ClSync, cl_sync, G_TYPE_OBJECT)
G_DEFINE_QUARK (cl-sync-error-quark, cl_sync_error)

/* Test hook (see the top of this file): crash at a named point. */
static void
crash_point (const char *name)
{
  static gsize once = 0;
  static char *point = NULL;
  static guint after = 1;
  static guint hits = 0;

  /* Only in builds configured with -Dtest_hooks=true (meson_options.txt). */
  if (!CASELOAD_TEST_HOOKS)
    return;
  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("CASELOAD_SYNC_CRASH_AT");

      if (env != NULL && *env != '\0')
        {
          const char *colon = strchr (env, ':');

          point = colon != NULL ? g_strndup (env, colon - env) : g_strdup (env);
          if (colon != NULL)
            after = MAX (1, (guint) g_ascii_strtoull (colon + 1, NULL, 10));
        }
      g_once_init_leave (&once, 1);
    }
  if (point != NULL && strcmp (point, name) == 0 && ++hits == after)
    _exit (137);
}

void
cl_sync_report_clear (ClSyncReport *report)
{
  g_clear_pointer (&report->revoked, g_free);
  memset (report, 0, sizeof *report);
}

void
cl_sync_status_clear (ClSyncStatus *status)
{
  g_free (status->server);
  g_free (status->username);
  g_free (status->last_success);
  g_free (status->last_error);
  g_free (status->device_id);
  memset (status, 0, sizeof *status);
}

void
cl_conflict_free (ClConflict *c)
{
  if (c == NULL)
    return;
  g_free (c->id);
  g_free (c->record_type);
  g_free (c->record_id);
  g_free (c->field);
  g_free (c->local_value);
  g_free (c->server_value);
  g_free (c->local_by);
  g_free (c->local_at);
  g_free (c->server_by);
  g_free (c->server_at);
  g_free (c->created_at);
  g_free (c->resolved_at);
  g_free (c->resolution);
  g_free (c);
}

/* Meta ----------------------------------------------------------------------------- */

/* The connection, for code holding the store's lock (cl_store_lock()): the worker never
 * reads or writes it otherwise, so it never sees, nor writes into, a transaction another
 * thread has open. */
static sqlite3 *
db_of (ClSync *self)
{
  return _cl_store_get_db (self->store);
}

/* Each takes the store's lock for itself. */
static char *
meta_get (ClSync     *self,
          const char *key)
{
  return _cl_store_meta_get (self->store, key, NULL);
}

static gint64
meta_get_int (ClSync     *self,
              const char *key)
{
  return _cl_store_meta_get_int (self->store, key);
}

static gboolean
meta_set (ClSync      *self,
          const char  *key,
          const char  *value,
          GError     **error)
{
  return _cl_store_meta_set (self->store, key, value, error);
}

/* Sets pairs of key and (nullable) value up to a %NULL key, in one write: all or none. */
static gboolean
meta_set_all (ClSync      *self,
              GError     **error,
              const char  *key,
              ...)
{
  va_list ap;
  gboolean ok = TRUE;

  if (!cl_store_lock (self->store, CL_STORE_WRITE, error))
    return FALSE;
  va_start (ap, key);
  for (; ok && key != NULL; key = va_arg (ap, const char *))
    ok = meta_set (self, key, va_arg (ap, const char *), error);
  va_end (ap);
  if (!ok)
    {
      cl_store_unlock (self->store, CL_STORE_UNLOCK_ROLLBACK, NULL);
      return FALSE;
    }
  return cl_store_unlock (self->store, CL_STORE_UNLOCK_COMMIT, error);
}

static gboolean
meta_set_int (ClSync      *self,
              const char  *key,
              gint64       value,
              GError     **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  return meta_set (self, key, text, error);
}

static void
record_error (ClSync       *self,
              const GError *error)
{
  g_autofree char *now = cl_now_utc ();
  g_autofree char *text = g_strdup_printf ("%s %s", now, error->message);

  meta_set (self, "sync_last_error", text, NULL);
}

/* HTTP ----------------------------------------------------------------------------- */

/**
 * cl_sync_check_url:
 *
 * Whether @url can name a server: https:// with a host, no user info, no query.
 */
gboolean
cl_sync_check_url (const char  *url,
                   GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE,
                   _("The server address must be an https:// address (plain http is "
                     "refused: client data would cross the network readable)."));
      return FALSE;
    }
  return TRUE;
}

/* The file in the vault folder that anchors hold, by name. */
static char *
vault_file (ClSync     *self,
            const char *name)
{
  g_autofree char *file = g_build_filename (cl_vault_get_dir (cl_store_get_vault (self->store)),
                                            name, NULL);

  return g_canonicalize_filename (file, NULL);
}

/* The CAs a connection trusts: @ca_pem (the one enrolled with, or given to set-server) and
 * the trust bundle the server sent, if any. GTlsFileDatabase reads its anchors from a
 * file: these certificates (public, not client data) are written to @path from the copies
 * inside the vault. */
static GTlsDatabase *
anchors_database (ClSync      *self,
                  const char  *ca_pem,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *bundle = meta_get (self, "sync_trust");
  g_autofree char *anchors = g_strconcat (ca_pem, "\n", bundle != NULL ? bundle : "",
                                           NULL);

  if (!g_file_set_contents_full (path, anchors, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error))
    return NULL;
  return g_tls_file_database_new (path, error);
}

static GTlsDatabase *
ca_database (ClSync   *self,
             GError  **error)
{
  g_autofree char *pem = meta_get (self, "sync_ca");
  g_autofree char *path = NULL;

  if (pem == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE,
                   _("No certificate authority is stored for the server; enroll again."));
      return NULL;
    }
  path = vault_file (self, CA_FILE);
  return anchors_database (self, pem, path, error);
}

typedef struct {
  ClSync      *owner;         /* (unowned): keeps the tokens a refresh brings */
  SoupSession *session;
  char        *base;
  char        *token;
  guint        retry_after;   /* the last Retry-After the server sent, in seconds */
} Conn;

static void
conn_clear (Conn *conn)
{
  g_clear_object (&conn->session);
  g_clear_pointer (&conn->base, g_free);
  if (conn->token != NULL)
    {
      memset (conn->token, 0, strlen (conn->token));
      g_clear_pointer (&conn->token, g_free);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Conn, conn_clear)

static guint
network_timeout (void)
{
  const char *env = g_getenv ("CASELOAD_SYNC_TIMEOUT");
  guint64 v = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  return v > 0 && v <= 600 ? (guint) v : 60;
}

static void
conn_open_with (ClSync       *self,
                Conn         *conn,
                const char   *url,
                GTlsDatabase *tls)
{
  conn->session = soup_session_new_with_options ("tls-database", tls,
                                                 "timeout", network_timeout (),
                                                 "idle-timeout", 60,
                                                 "user-agent", "caseload/" PACKAGE_VERSION,
                                                 NULL);
  conn->base = g_str_has_suffix (url, "/") ? g_strndup (url, strlen (url) - 1) : g_strdup (url);
  conn->owner = self;
}

static gboolean
conn_open (ClSync      *self,
           Conn        *conn,
           const char  *url,
           GError     **error)
{
  g_autoptr(GTlsDatabase) tls = NULL;

  if (!cl_sync_check_url (url, error) || (tls = ca_database (self, error)) == NULL)
    return FALSE;
  conn_open_with (self, conn, url, tls);
  return TRUE;
}

typedef struct {
  guint   status;
  GBytes *body;
  guint   retry_after;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static gboolean
read_limited (GInputStream  *stream,
              gsize          max,
              GBytes       **out,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 chunk[16384];
  gssize n;

  while ((n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error)) > 0)
    {
      if (buf->len + (gsize) n > max)
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server's answer is larger than the protocol allows."));
          return FALSE;
        }
      g_byte_array_append (buf, chunk, n);
    }
  if (n < 0)
    return FALSE;
  *out = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
  return TRUE;
}

static gboolean
http_send_once (Conn          *conn,
                const char    *method,
                const char    *path,
                const char    *body,
                gsize          len,
                Reply         *reply,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *url = g_strconcat (conn->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *retry;

  if (msg == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE, _("Invalid server address."));
      return FALSE;
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (conn->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", conn->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      memset (auth, 0, strlen (auth));
    }

  stream = soup_session_send (conn->session, msg, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (local_error->domain == G_TLS_ERROR ||
               soup_message_get_tls_peer_certificate_errors (msg) != 0)
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_TLS,
                     _("The server's certificate is not trusted (%s). Nothing was sent."),
                     local_error->message);
      else
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK,
                     _("Could not reach the server: %s"), local_error->message);
      return FALSE;
    }

  reply->status = soup_message_get_status (msg);
  retry = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  reply->retry_after = retry != NULL ? (guint) CLAMP (g_ascii_strtoll (retry, NULL, 10), 0, 3600) : 0;
  if (reply->retry_after > 0)
    conn->retry_after = reply->retry_after;
  if (!read_limited (stream, CL_WIRE_MAX_RESPONSE_BYTES, &reply->body, cancellable, &local_error))
    {
      if (local_error->domain == CL_SYNC_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK,
                     _("The connection dropped while reading the server's answer: %s"),
                     local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Keeps a refresh's tokens in the vault, both or neither. */
static gboolean
keep_tokens (ClSync                    *self,
             const ClWireLoginResponse *resp,
             GError                   **error)
{
  return meta_set_all (self, error, "sync_token", resp->token,
                       "sync_refresh_token", resp->refresh_token, NULL);
}

/* The token expired: trades the refresh token kept in the vault for a new pair, kept in
 * its place, and @conn goes on with the new token. %FALSE when the request cannot be sent
 * again: with @error set, or with *reply replaced by the server's refusal of the refresh
 * (or left as it was when this vault holds no refresh token). */
static gboolean
refresh_tokens (Conn          *conn,
                Reply         *reply,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *refresh = meta_get (conn->owner, "sync_refresh_token");
  g_autofree char *body = NULL;
  g_autoptr(ClWireLoginResponse) resp = NULL;
  g_auto(Reply) answer = { 0 };
  char *expired = conn->token;
  gsize len, rlen;
  const char *data;
  gboolean sent;

  if (refresh == NULL)
    return FALSE;
  body = cl_wire_refresh_request_encode (refresh, &len);
  memset (refresh, 0, strlen (refresh));
  /* The refresh token is the credential: the expired token is not sent with it. */
  conn->token = NULL;
  sent = http_send_once (conn, "POST", "/v1/refresh", body, len, &answer, cancellable, error);
  conn->token = expired;
  memset (body, 0, len);
  if (!sent)
    return FALSE;
  if (answer.status != 200)
    {
      reply_clear (reply);
      *reply = answer;
      answer = (Reply) { 0 };
      return FALSE;
    }
  data = g_bytes_get_data (answer.body, &rlen);
  resp = cl_wire_login_response_decode (data, rlen, error);
  if (resp == NULL)
    {
      g_prefix_error (error, _("The server's answer was not understood: "));
      return FALSE;
    }
  if (!keep_tokens (conn->owner, resp, error))
    return FALSE;
  memset (conn->token, 0, strlen (conn->token));
  g_free (conn->token);
  conn->token = g_strdup (resp->token);
  return TRUE;
}

/* Sends one request; @body NULL: none (a GET). An expired token is refreshed once and the
 * request sent again (the server refused it before doing anything). */
static gboolean
http_send (Conn          *conn,
           const char    *method,
           const char    *path,
           const char    *body,
           gsize          len,
           Reply         *reply,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(ClWireErrorReply) e = NULL;
  g_autoptr(GError) refresh_error = NULL;
  gsize rlen = 0;
  const char *data;

  if (!http_send_once (conn, method, path, body, len, reply, cancellable, error))
    return FALSE;
  if (reply->status != 401 || conn->token == NULL || reply->body == NULL)
    return TRUE;
  data = g_bytes_get_data (reply->body, &rlen);
  e = cl_wire_error_reply_decode (data, rlen, NULL);
  if (e == NULL || g_strcmp0 (e->code, "token_expired") != 0)
    return TRUE;
  if (!refresh_tokens (conn, reply, cancellable, &refresh_error))
    {
      if (refresh_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&refresh_error));
      return FALSE;
    }
  reply_clear (reply);
  *reply = (Reply) { 0 };
  return http_send_once (conn, method, path, body, len, reply, cancellable, error);
}

/* Turns a non-2xx answer into an error. *code receives the server's machine code; *seq the
 * seq a seq_gap expects or a seq_reused names (else -1). */
static void
reply_error (Conn    *conn,
             Reply   *reply,
             char   **code,
             char   **mode,
             gint64  *seq,
             GError **error)
{
  g_autoptr(ClWireErrorReply) e = NULL;
  gsize len = 0;
  const char *data = reply->body != NULL ? g_bytes_get_data (reply->body, &len) : NULL;

  e = data != NULL ? cl_wire_error_reply_decode (data, len, NULL) : NULL;
  if (code != NULL)
    *code = e != NULL ? g_strdup (e->code) : NULL;
  if (mode != NULL)
    *mode = e != NULL ? g_strdup (e->mode) : NULL;
  if (seq != NULL)
    *seq = e == NULL ? -1 : e->expected_seq >= 0 ? e->expected_seq : e->seq;

  if (e != NULL && e->retry_after > 0 && conn != NULL)
    conn->retry_after = MAX (conn->retry_after, (guint) e->retry_after);

  if (e != NULL && g_strcmp0 (e->code, "device_revoked") == 0)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                 _("This workstation's access was revoked by an administrator."));
  else if (reply->status == 401)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH,
                 g_strcmp0 (e != NULL ? e->code : NULL, "token_expired") == 0
                 ? _("Your session with the server expired: log in again with your password. "
                     "Nothing was lost; your changes wait in this vault.")
                 : _("The server asks you to log in again. Nothing was lost; your changes "
                     "wait in this vault."));
  else if (reply->status == 429 || reply->status == 503)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_THROTTLED,
                 _("The server is busy or limiting attempts; trying again later."));
  else if (reply->status >= 500)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_SERVER,
                 _("The server had a problem (HTTP %u); trying again later."), reply->status);
  else
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                 _("The server refused the request (HTTP %u, %s)."), reply->status,
                 e != NULL ? e->message : _("no details"));
}

/* Enrollment ----------------------------------------------------------------------- */

/* The name set with cl_sync_set_device_name(), else "user@host" cut to a device name's
 * length; %NULL (the server then shows none) when the host's name is not printable. */
static char *
default_device_name (ClSync     *self,
                     const char *username)
{
  g_autofree char *joined = NULL;
  g_autofree char *cut = NULL;

  if (self->device_name != NULL)
    return g_strdup (self->device_name);
  joined = g_strconcat (username, "@", g_get_host_name (), NULL);
  if (!g_utf8_validate (joined, -1, NULL))
    return NULL;
  cut = g_utf8_substring (joined, 0, MIN (g_utf8_strlen (joined, -1), 64));
  return cl_wire_is_device_name (cut) ? g_steal_pointer (&cut) : NULL;
}

/**
 * cl_sync_set_new_password:
 * @password: (nullable): the server password from now on
 *
 * The next sign-in (cl_sync_enroll(), cl_sync_login()) changes the user's server password
 * to @password, as it must after an administrator's reset.
 */
void
cl_sync_set_new_password (ClSync         *self,
                          const ClSecret *password)
{
  g_return_if_fail (CL_IS_SYNC (self));

  g_clear_pointer (&self->new_password, cl_secret_free);
  if (password != NULL)
    self->new_password = cl_secret_dup (password);
}

/**
 * cl_sync_set_device_name:
 * @name: (nullable): 1 to 64 printable characters, or %NULL for "user@host"
 *
 * The name the next enrollment gives this device, shown to the server's administrators.
 *
 * Returns: %FALSE (with @error) when @name is not a valid device name
 */
gboolean
cl_sync_set_device_name (ClSync      *self,
                         const char  *name,
                         GError     **error)
{
  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  if (name != NULL && !cl_wire_is_device_name (name))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                   _("A device name has 1 to 64 printable characters."));
      return FALSE;
    }
  g_free (self->device_name);
  self->device_name = g_strdup (name);
  return TRUE;
}

static gboolean
do_login (ClSync        *self,
          Conn          *conn,
          const char    *username,
          ClSecret      *password,
          const char    *device_id,
          GCancellable  *cancellable,
          GError       **error)
{
  ClWireLoginRequest req = { 0 };
  g_autoptr(ClWireLoginResponse) resp = NULL;
  g_autofree char *body = NULL;
  g_auto(Reply) reply = { 0 };
  g_autofree char *device_name = NULL;
  gsize len, rlen;
  const char *data;

  /* Enrolling names the device; signing in again keeps the name it has. */
  if (device_id == NULL)
    device_name = default_device_name (self, username);
  req.username = (char *) username;
  req.password = (char *) cl_secret_get_string (password);
  req.device_name = device_name;
  req.device_id = (char *) device_id;
  req.new_password = self->new_password != NULL
                     ? (char *) cl_secret_get_string (self->new_password) : NULL;
  body = cl_wire_login_request_encode (&req, &len);
  if (!http_send (conn, "POST", "/v1/login", body, len, &reply, cancellable, error))
    {
      memset (body, 0, len);
      return FALSE;
    }
  memset (body, 0, len);
  if (reply.status != 200)
    {
      g_autofree char *code = NULL;
      g_autoptr(GError) refused = NULL;

      reply_error (conn, &reply, &code, NULL, NULL, &refused);
      if (g_strcmp0 (code, "password_change_required") == 0)
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PASSWORD_CHANGE,
                     _("An administrator reset your server password: sign in with it once "
                       "more, choosing a new one (caseloadctl login --change-password)."));
      else if (g_strcmp0 (code, "password_rejected") == 0)
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH,
                     _("The server refused the new password: it needs at least 12 characters "
                       "and must differ from the old one."));
      else if (reply.status == 401 || reply.status == 403)
        g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH,
                     _("The user name or password is not right, or the account is disabled."));
      else
        g_propagate_error (error, g_steal_pointer (&refused));
      return FALSE;
    }
  g_clear_pointer (&self->new_password, cl_secret_free);
  data = g_bytes_get_data (reply.body, &rlen);
  resp = cl_wire_login_response_decode (data, rlen, error);
  if (resp == NULL)
    {
      g_prefix_error (error, _("The server's answer was not understood: "));
      return FALSE;
    }

  return meta_set_all (self, error, "sync_token", resp->token,
                       "sync_refresh_token", resp->refresh_token,
                       "sync_device_id", resp->device_id, "sync_role", resp->role, NULL);
}

/* The PEM of @ca_file, once it proved to hold a certificate. */
static char *
read_ca_file (const char  *ca_file,
              GError     **error)
{
  g_autolist(GTlsCertificate) certs = NULL;
  g_autoptr(GError) local_error = NULL;
  char *pem = NULL;

  certs = g_tls_certificate_list_new_from_file (ca_file, &local_error);
  if (certs == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE,
                   _("“%s” holds no usable CA certificate (%s)."), ca_file,
                   local_error != NULL ? local_error->message : _("empty"));
      return NULL;
    }
  g_file_get_contents (ca_file, &pem, NULL, error);
  return pem;
}

/**
 * cl_sync_enroll:
 * @url: the server's https:// address
 * @ca_file: the organization's CA certificate (PEM); the system trust store is not used
 *
 * Logs in, enrolls this workstation and keeps the device token inside the vault.
 */
gboolean
cl_sync_enroll (ClSync        *self,
                const char    *url,
                const char    *ca_file,
                const char    *username,
                ClSecret      *password,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *pem = NULL;
  g_auto(Conn) conn = { 0 };

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (url != NULL && ca_file != NULL && username != NULL, FALSE);

  if (!cl_sync_check_url (url, error))
    return FALSE;
  /* A vault numbers its changes once: a second device identity would find the server
   * expecting seq 1 from it. Re-authenticating is cl_sync_login(). */
  if (cl_sync_is_enrolled (self))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                   _("This vault is already enrolled with a server; log in again instead."));
      return FALSE;
    }
  if ((pem = read_ca_file (ca_file, error)) == NULL)
    return FALSE;

  if (!meta_set (self, "sync_ca", pem, error) ||
      !conn_open (self, &conn, url, error) ||
      !do_login (self, &conn, username, password, NULL, cancellable, error))
    {
      /* Not enrolled: leave no half enrollment behind. */
      meta_set (self, "sync_ca", NULL, NULL);
      return FALSE;
    }

  return meta_set_all (self, error, "sync_url", url, "sync_username", username, NULL);
}

gboolean
cl_sync_is_enrolled (ClSync *self)
{
  g_autofree char *token = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  token = meta_get (self, "sync_url");
  return token != NULL;
}

/**
 * cl_sync_login:
 *
 * Logs in again after the token expired, keeping this workstation's enrollment.
 */
gboolean
cl_sync_login (ClSync        *self,
               ClSecret      *password,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *url = meta_get (self, "sync_url");
  g_autofree char *username = meta_get (self, "sync_username");
  g_autofree char *device = meta_get (self, "sync_device_id");
  g_auto(Conn) conn = { 0 };

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  if (url == NULL || username == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return FALSE;
    }
  return conn_open (self, &conn, url, error) &&
         do_login (self, &conn, username, password, device, cancellable, error);
}

/* The trust bundle of a GET /v1/trust answer, checked (size, PEM, certificates only):
 * *bundle, or %NULL when the server sends none. */
static gboolean
decode_trust (Reply   *reply,
              char   **bundle,
              GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (reply->body, &len);

  if (cl_wire_trust_response_decode (data, len, bundle, error))
    return TRUE;
  g_prefix_error (error, _("The server's trust bundle was refused (the certificates this "
                           "workstation trusts were not changed): "));
  if (error != NULL && *error != NULL)
    {
      (*error)->domain = CL_SYNC_ERROR;
      (*error)->code = CL_SYNC_ERROR_PROTOCOL;
    }
  return FALSE;
}

/* Asks the server at @conn whether it answers as a Caseload server and knows this device
 * (an authenticated request), and takes the trust bundle it sends: *bundle, or %NULL. */
static gboolean
probe_server (ClSync        *self,
              Conn          *conn,
              const char    *url,
              char         **bundle,
              GCancellable  *cancellable,
              GError       **error)
{
  g_auto(Reply) health = { 0 };
  g_auto(Reply) trust = { 0 };

  if (!http_send (conn, "GET", "/v1/health", NULL, 0, &health, cancellable, error))
    return FALSE;
  if (health.status != 200)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                   _("%s does not answer as a Caseload server (HTTP %u)."), url,
                   health.status);
      return FALSE;
    }
  conn->token = meta_get (self, "sync_token");
  if (!http_send (conn, "GET", "/v1/trust", NULL, 0, &trust, cancellable, error))
    return FALSE;
  if (trust.status != 200)
    {
      g_autoptr(GError) refused = NULL;

      reply_error (conn, &trust, NULL, NULL, NULL, &refused);
      g_set_error (error, CL_SYNC_ERROR, refused->code,
                   _("The server at %s does not know this workstation; nothing was "
                     "changed."), url);
      return FALSE;
    }
  return decode_trust (&trust, bundle, error);
}

/* cl_sync_set_server() with the vault's round lock held. */
static gboolean
set_server (ClSync        *self,
            const char    *url,
            const char    *ca_file,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *pem = NULL;
  g_autofree char *probe_path = NULL;
  g_autofree char *bundle = NULL;
  g_autoptr(GTlsDatabase) tls = NULL;
  g_auto(Conn) conn = { 0 };
  gboolean ok;

  if (!cl_sync_is_enrolled (self))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return FALSE;
    }
  if (!cl_sync_check_url (url, error))
    return FALSE;
  pem = ca_file != NULL ? read_ca_file (ca_file, error) : meta_get (self, "sync_ca");
  if (pem == NULL)
    return FALSE;

  /* The vault's anchors file stays as it is until the new server proved itself (the TLS
   * database reads its file while connecting). */
  probe_path = vault_file (self, CA_FILE ".new");
  tls = anchors_database (self, pem, probe_path, error);
  if (tls != NULL)
    conn_open_with (self, &conn, url, tls);
  ok = tls != NULL && probe_server (self, &conn, url, &bundle, cancellable, error);
  g_unlink (probe_path);
  if (!ok)
    return FALSE;

  return meta_set_all (self, error, "sync_url", url, "sync_ca", pem,
                       bundle != NULL ? "sync_trust" : NULL, bundle, NULL);
}

/* Push ----------------------------------------------------------------------------- */

static ClWireMutation *
mutation_from_row (sqlite3_stmt  *stmt,
                   GError       **error)
{
  g_autoptr(ClWireMutation) m = cl_wire_mutation_new ();
  g_autoptr(GPtrArray) changes = NULL;

  m->seq = sqlite3_column_int64 (stmt, 0);
  m->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  m->type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  m->record = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  m->op = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "delete") == 0
          ? CL_WIRE_OP_DELETE : CL_WIRE_OP_PUT;
  m->base_version = sqlite3_column_int64 (stmt, 5);
  m->at = g_strdup ((const char *) sqlite3_column_text (stmt, 7));

  changes = _cl_outbox_changes_parse ((const char *) sqlite3_column_text (stmt, 6), error);
  if (changes == NULL)
    return NULL;
  for (guint i = 0; i < changes->len; i++)
    {
      ClOutboxChange *c = g_ptr_array_index (changes, i);
      cl_wire_mutation_add_change (m, c->field, c->old_value, c->new_value);
    }
  return g_steal_pointer (&m);
}

/* Reads the next batch: up to @max mutations with consecutive seqs, oldest first, exactly
 * as they were queued (the server tells a replay from a different mutation by its bytes),
 * and no more than PUSH_BUDGET bytes of changes unless one mutation alone is larger. */
static ClWirePushRequest *
read_batch_locked (ClSync      *self,
                   const char  *device_id,
                   guint        max,
                   GError     **error)
{
  g_autoptr(ClWirePushRequest) req = cl_wire_push_request_new (device_id);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 previous = -1;
  gsize bytes = 0;

  stmt = cl_sql_prepare (db_of (self),
                         "SELECT seq, mutation_id, record_type, record_id, op, base_version, "
                         "changes, created_at FROM outbox ORDER BY seq LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, max);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClWireMutation *m;
      /* The changes and an envelope (seq, ids, type, times) of a few hundred bytes. */
      gsize size = (gsize) sqlite3_column_bytes (stmt, 6) + 512;

      if (previous >= 0 && sqlite3_column_int64 (stmt, 0) != previous + 1)
        break;
      if (req->mutations->len > 0 && bytes + size > PUSH_BUDGET)
        break;
      bytes += size;
      previous = sqlite3_column_int64 (stmt, 0);
      m = mutation_from_row (stmt, error);
      if (m == NULL)
        return NULL;
      g_ptr_array_add (req->mutations, m);
    }
  return g_steal_pointer (&req);
}

/* Under the store's lock: a batch holds only committed mutations, so no seq is sent that a
 * rollback could take back and give to another change. */
static ClWirePushRequest *
read_batch (ClSync      *self,
            const char  *device_id,
            guint        max,
            GError     **error)
{
  ClWirePushRequest *req;

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  req = read_batch_locked (self, device_id, max, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return req;
}

/* Whether a mutation still in the outbox after @after_seq changes @field of @record_id (or
 * deletes the record). */
static gboolean
outbox_changes_field (ClSync     *self,
                      const char *record_id,
                      const char *field,
                      gint64      after_seq)
{
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db_of (self),
                                                 "SELECT op, changes FROM outbox WHERE "
                                                 "record_id = ? AND seq > ?", NULL);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, record_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "delete") == 0 ||
        _cl_outbox_changes_has ((const char *) sqlite3_column_text (stmt, 1), field))
      return TRUE;
  return FALSE;
}

/* Whether a later mutation still in the outbox changes @field of @record_id (or deletes
 * the record), or a resolution not yet told to the server sets it. */
static gboolean
field_pending (ClSync     *self,
               const char *record_id,
               const char *field,
               gint64      after_seq)
{
  g_autofree char *resolution = NULL;

  if (outbox_changes_field (self, record_id, field, after_seq))
    return TRUE;
  resolution = cl_sql_query_text (db_of (self), NULL,
                                  "SELECT id FROM conflict WHERE record_id = ? AND field = ? "
                                  "AND resolved_at IS NOT NULL AND uploaded = 0 AND "
                                  "resolution <> 'theirs' LIMIT 1",
                                  record_id, field, CL_SQL_END);
  return resolution != NULL;
}

/* The server kept its value: so does this device, unless a later local edit is pending. */
static gboolean
take_server_value (ClSync               *self,
                   const ClType         *type,
                   const ClWireMutation *m,
                   const ClWireConflict *c,
                   GError              **error)
{
  g_autofree char *sql = NULL;

  if (strcmp (c->field, "_deleted") == 0)
    {
      /* This device's delete lost against an edit: the record lives on. */
      if (field_pending (self, m->record, "_deleted", m->seq))
        return TRUE;
      sql = g_strdup_printf ("UPDATE %s SET deleted = 0 WHERE id = ?", type->table);
      return cl_sql_exec_params (db_of (self), error, sql, m->record, CL_SQL_END);
    }
  if (cl_type_lookup_field (type, c->field) == NULL ||
      field_pending (self, m->record, c->field, m->seq))
    return TRUE;
  sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE id = ?", type->table, c->field);
  return cl_sql_exec_params (db_of (self), error, sql, c->server_value, m->record, CL_SQL_END);
}

static gboolean
store_conflicts (ClSync               *self,
                 const ClType         *type,
                 const ClWireMutation *m,
                 const ClWireResult   *r,
                 GError              **error)
{
  g_autofree char *now = cl_now_utc ();
  g_autofree char *username = meta_get (self, "sync_username");

  for (guint i = 0; r->conflicts != NULL && i < r->conflicts->len; i++)
    {
      ClWireConflict *c = g_ptr_array_index (r->conflicts, i);
      g_autofree char *sv = g_strdup_printf ("%" G_GINT64_FORMAT, r->version);

      if (!cl_sql_exec_params (db_of (self), error,
                               "INSERT OR IGNORE INTO conflict (id, record_type, record_id, field, "
                               "local_value, server_value, server_version, local_by, local_at, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               c->conflict_id, m->type, m->record, c->field, c->client_value,
                               c->server_value, sv, username, m->at, now, CL_SQL_END) ||
          !take_server_value (self, type, m, c, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_push_response (ClSync                   *self,
                     ClWirePushRequest        *req,
                     const ClWirePushResponse *resp,
                     ClSyncReport             *report,
                     GError                  **error)
{
  sqlite3 *db;
  gint64 acked = meta_get_int (self, "sync_acked_seq");
  g_autofree char *now = cl_now_utc ();
  g_autoptr(GDateTime) utc = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) keep = g_date_time_add_days (utc, -KEEP_SENT_DAYS);
  g_autofree char *horizon = g_date_time_format (keep, "%Y-%m-%dT%H:%M:%SZ");

  /* All of the batch, or its first mutations when the server's work for one request ran
   * out (the rest goes in the next batch). */
  if (resp->results->len == 0 || resp->results->len > req->mutations->len)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server answered for %u changes out of %u sent."),
                   resp->results->len, req->mutations->len);
      return FALSE;
    }
  if (resp->last_seq < acked)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server's answer would move this workstation back in time; it was "
                     "refused and nothing was changed."));
      return FALSE;
    }

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);

  for (guint i = 0; i < resp->results->len; i++)
    {
      const ClWireResult *r = g_ptr_array_index (resp->results, i);
      const ClWireMutation *m = g_ptr_array_index (req->mutations, i);
      const ClType *type = cl_schema_lookup_type (m->type);
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, m->seq);

      if (r->seq != m->seq || g_strcmp0 (m->id, r->id) != 0 || type == NULL ||
          r->seq > resp->last_seq)
        {
          cl_store_rollback (self->store);
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server answered for a change that was not sent."));
          return FALSE;
        }

      if (r->status == CL_WIRE_STATUS_REJECTED)
        {
          g_autofree char *changes = cl_sql_query_text (db, NULL, "SELECT changes FROM outbox "
                                                        "WHERE seq = ?", seq, CL_SQL_END);
          if (!cl_sql_exec_params (db, error,
                                   "INSERT OR IGNORE INTO rejected (mutation_id, seq, record_type, "
                                   "record_id, op, changes, code, reason, at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   m->id, seq, m->type, m->record,
                                   m->op == CL_WIRE_OP_DELETE ? "delete" : "put",
                                   changes != NULL ? changes : "{}",
                                   r->code != NULL ? r->code : "rejected", r->message, m->at,
                                   CL_SQL_END))
            goto fail;
          report->rejected++;
          _cl_store_emit_changed (self->store, m->type, m->record);
        }
      else if (r->status == CL_WIRE_STATUS_CONFLICT)
        {
          if (!store_conflicts (self, type, m, r, error))
            goto fail;
          report->conflicts += MAX (1, r->conflicts != NULL ? r->conflicts->len : 0);
          _cl_store_emit_changed (self->store, m->type, m->record);
        }

      if (!cl_sql_exec_params (db, error,
                               "INSERT OR REPLACE INTO sent (seq, mutation_id, record_type, "
                               "record_id, op, base_version, changes, created_at, acked_at) "
                               "SELECT seq, mutation_id, record_type, record_id, op, "
                               "base_version, changes, created_at, ? FROM outbox WHERE seq = ?",
                               now, seq, CL_SQL_END) ||
          !cl_sql_exec_params (db, error, "DELETE FROM outbox WHERE seq = ?", seq, CL_SQL_END))
        goto fail;
      report->pushed++;
    }

  if (!meta_set_int (self, "sync_acked_seq", MAX (acked, resp->last_seq), error) ||
      !cl_sql_exec_params (db, error, "DELETE FROM sent WHERE acked_at < ?", horizon,
                           CL_SQL_END))
    goto fail;
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

static void
note_revoked (ClSyncReport *report,
              const char   *code,
              const char   *mode)
{
  if (g_strcmp0 (code, "device_revoked") != 0)
    return;
  g_free (report->revoked);
  report->revoked = g_strdup (g_strcmp0 (mode, "retire") == 0 ? "retire" : "lost");
}

/* Gives the outbox rows from @from on (and rows re-queued from `sent`, which have negative
 * seqs and come first, oldest first) consecutive seqs from @first, in their order, and sets
 * the counter after the last. Inside a transaction. Returns the number of rows renumbered. */
static gint64
renumber_outbox (ClSync   *self,
                 gint64    from,
                 gint64    first,
                 GError  **error)
{
  /* Above any seq a device reaches, so temporary numbers never meet real ones. */
  const gint64 temp = G_GINT64_CONSTANT (1000000000000000);
  sqlite3 *db = db_of (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *next = NULL;
  g_autofree char *shift = NULL;

  stmt = cl_sql_prepare (db, "SELECT seq FROM outbox WHERE seq < 0 OR seq >= ? "
                         "ORDER BY seq >= 0, abs(seq)", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, from);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (seqs, seq);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < seqs->len; i++)
    {
      g_autofree char *old_seq = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  g_array_index (seqs, gint64, i));
      g_autofree char *tmp = g_strdup_printf ("%" G_GINT64_FORMAT, -(temp + i));

      if (!cl_sql_exec_params (db, error, "UPDATE outbox SET seq = ? WHERE seq = ?", tmp,
                               old_seq, CL_SQL_END))
        return -1;
    }
  shift = g_strdup_printf ("%" G_GINT64_FORMAT, first - temp);
  next = g_strdup_printf ("%" G_GINT64_FORMAT, first + (gint64) seqs->len);
  if (!cl_sql_exec_params (db, error, "UPDATE outbox SET seq = -seq + ? WHERE seq < 0", shift,
                           CL_SQL_END) ||
      !cl_sql_exec_params (db, error, "UPDATE meta SET value = ? WHERE key = 'next_seq'", next,
                           CL_SQL_END))
    return -1;
  return seqs->len;
}

/* The server's database went back (restored from a dump): it has recorded this device's
 * mutations only up to @last_seq, below what it had acknowledged. Those it lost are sent
 * again from `sent`, before what is still queued, all under fresh seqs from @last_seq + 1.
 * Their base versions stay: the server's clock never gives out a version twice, even
 * across a restore, so a field changed since is still a conflict. Acknowledged mutations
 * older than KEEP_SENT_DAYS are gone: report->lost says how many. */
static gboolean
heal_server_behind (ClSync        *self,
                    gint64         last_seq,
                    ClSyncReport  *report,
                    GError       **error)
{
  sqlite3 *db;
  gint64 acked = meta_get_int (self, "sync_acked_seq");
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);
  g_autofree char *kept = NULL;
  gint64 requeued;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);
  kept = cl_sql_query_text (db, error, "SELECT count(*) FROM sent WHERE seq > ?", from,
                            CL_SQL_END);
  if (kept == NULL ||
      !cl_sql_exec_params (db, error,
                           "INSERT INTO outbox (seq, mutation_id, record_type, record_id, op, "
                           "base_version, changes, created_at) SELECT -seq, mutation_id, "
                           "record_type, record_id, op, base_version, changes, created_at "
                           "FROM sent WHERE seq > ? AND mutation_id NOT IN "
                           "(SELECT mutation_id FROM outbox) ORDER BY seq", from, CL_SQL_END) ||
      !cl_sql_exec_params (db, error, "DELETE FROM sent WHERE seq > ?", from, CL_SQL_END) ||
      renumber_outbox (self, 0, last_seq + 1, error) < 0 ||
      !meta_set_int (self, "sync_acked_seq", last_seq, error))
    goto fail;
  requeued = g_ascii_strtoll (kept, NULL, 10);
  report->resent += requeued;
  if (acked - last_seq > requeued)
    report->lost += acked - last_seq - requeued;
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* An empty push: where the server stands with this device (its last recorded seq). */
static gboolean
server_last_seq (ClSync        *self,
                 Conn          *conn,
                 const char    *device,
                 gint64        *last_seq,
                 ClSyncReport  *report,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(ClWirePushRequest) req = cl_wire_push_request_new (device);
  g_autoptr(ClWirePushResponse) resp = NULL;
  g_autofree char *body = NULL;
  g_autofree char *code = NULL;
  g_autofree char *mode = NULL;
  g_auto(Reply) reply = { 0 };
  const char *data;
  gsize len;

  body = cl_wire_push_request_encode (req, &len);
  if (!http_send (conn, "POST", "/v1/push", body, len, &reply, cancellable, error))
    return FALSE;
  if (reply.status != 200)
    {
      reply_error (conn, &reply, &code, &mode, NULL, error);
      note_revoked (report, code, mode);
      return FALSE;
    }
  data = g_bytes_get_data (reply.body, &len);
  if ((resp = cl_wire_push_response_decode (data, len, error)) == NULL)
    return FALSE;
  *last_seq = resp->last_seq;
  return TRUE;
}

/* This vault went back (restored from its own backup): change numbers from @reused on were
 * used before for other mutations, which the server holds. What is queued from there on
 * moves after the server's last seq; what came before it is the same mutation the server
 * already has, and gets its stored answer. */
static gboolean
heal_vault_behind (ClSync        *self,
                   Conn          *conn,
                   const char    *device,
                   gint64         reused,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 last_seq = 0;
  gint64 moved;

  if (!server_last_seq (self, conn, device, &last_seq, report, cancellable, error))
    return FALSE;
  if (last_seq < reused)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server refused change number %lld as used, but says it recorded "
                     "changes only up to %lld."), (long long) reused, (long long) last_seq);
      return FALSE;
    }
  if (!cl_store_begin (self->store, error))
    return FALSE;
  if ((moved = renumber_outbox (self, reused, last_seq + 1, error)) < 0)
    {
      cl_store_rollback (self->store);
      return FALSE;
    }
  report->renumbered += moved;
  return cl_store_commit (self->store, error);
}

static gboolean
push_all (ClSync        *self,
          Conn          *conn,
          ClSyncReport  *report,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *device = meta_get (self, "sync_device_id");
  guint max = PUSH_BATCH;
  guint heals = 0;

  for (;;)
    {
      g_autoptr(ClWirePushRequest) req = read_batch (self, device, max, error);
      g_autoptr(ClWirePushResponse) resp = NULL;
      g_autofree char *body = NULL;
      g_auto(Reply) reply = { 0 };
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      gint64 seq = -1;
      const char *data;
      gsize len;

      if (req == NULL)
        return FALSE;
      if (req->mutations->len == 0)
        return TRUE;

      crash_point ("before-push");
      body = cl_wire_push_request_encode (req, &len);
      if (!http_send (conn, "POST", "/v1/push", body, len, &reply, cancellable, error))
        return FALSE;
      crash_point ("after-push-send");
      if (reply.status == 413 && req->mutations->len > 1)
        {
          /* Too large for the server or a proxy in front of it: smaller batches. */
          max = req->mutations->len / 2;
          continue;
        }
      if (reply.status != 200)
        {
          reply_error (conn, &reply, &code, &mode, &seq, error);
          note_revoked (report, code, mode);
          if (g_strcmp0 (code, "seq_gap") == 0 && seq >= 1 && heals++ < 2)
            {
              /* The server expects an earlier change number than this vault sends: its
               * database went back. */
              g_clear_error (error);
              if (!heal_server_behind (self, seq - 1, report, error))
                return FALSE;
              continue;
            }
          if (g_strcmp0 (code, "seq_reused") == 0 && seq >= 1 && heals++ < 2)
            {
              g_clear_error (error);
              if (!heal_vault_behind (self, conn, device, seq, report, cancellable, error))
                return FALSE;
              continue;
            }
          if (g_strcmp0 (code, "seq_gap") == 0 || g_strcmp0 (code, "seq_reused") == 0)
            g_prefix_error (error, _("This workstation's changes and the server's record of "
                                     "them could not be brought together. Nothing was lost. "
                                     "Ask your administrator to run “caseload-server device "
                                     "reset %s”: "), device);
          return FALSE;
        }
      data = g_bytes_get_data (reply.body, &len);
      resp = cl_wire_push_response_decode (data, len, error);
      if (resp == NULL)
        {
          g_prefix_error (error, _("The server's answer was not understood: "));
          if (error != NULL && *error != NULL)
            {
              (*error)->domain = CL_SYNC_ERROR;
              (*error)->code = CL_SYNC_ERROR_PROTOCOL;
            }
          return FALSE;
        }
      if (!apply_push_response (self, req, resp, report, error))
        return FALSE;
      crash_point ("after-push-commit");
      if (resp->revoked != NULL)
        note_revoked (report, "device_revoked", resp->revoked);
      max = PUSH_BATCH;
    }
}

/* Pull ----------------------------------------------------------------------------- */

static char *
local_digest_locked (ClSync  *self,
                     GError **error)
{
  const ClType *types;
  guint n;
  guint64 digest = 0;

  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (types[i].flags & CL_TYPE_LOCAL_ONLY)
        continue;
      sql = g_strdup_printf ("SELECT id, version FROM %s WHERE version > 0 AND deleted = 0",
                             types[i].table);
      if ((stmt = cl_sql_prepare (db_of (self), sql, error)) == NULL)
        return NULL;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        cl_wire_digest_add (&digest, (const char *) sqlite3_column_text (stmt, 0),
                            sqlite3_column_int64 (stmt, 1));
    }
  return cl_wire_digest_to_hex (digest);
}

static char *
local_digest (ClSync  *self,
              GError **error)
{
  char *digest;

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  digest = local_digest_locked (self, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return digest;
}

/* Removes a record that left this user's scope, and every trace of it: search document,
 * field versions, history, conflicts. Its pending mutations keep their seq (the server
 * needs every seq) but lose their content; the server will refuse them. */
static gboolean
purge_record (ClSync       *self,
              const ClType *type,
              const char   *id,
              GError      **error)
{
  sqlite3 *db = db_of (self);
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", type->table);

  if (strcmp (type->name, "case") == 0 &&
      !cl_sql_exec_params (db, error, "DELETE FROM case_search WHERE docid = "
                           "(SELECT rowid FROM cases WHERE id = ?)", id, CL_SQL_END))
    return FALSE;
  return cl_sql_exec_params (db, error, sql, id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM field_version WHERE record_id = ?", id,
                             CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM history WHERE record_id = ? OR case_id = ? "
                             "OR client_id = ?", id, id, id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM conflict WHERE record_id = ?", id,
                             CL_SQL_END) &&
         cl_sql_exec_params (db, error, "UPDATE rejected SET changes = '{}' WHERE record_id = ?",
                             id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "UPDATE outbox SET changes = '{}' WHERE record_id = ?",
                             id, CL_SQL_END) &&
         cl_sql_exec_params (db, error, "DELETE FROM sent WHERE record_id = ?", id,
                             CL_SQL_END);
}

/* Statements a page reuses for every record, and whether any local work is pending. */
typedef struct {
  gboolean      pending;        /* the outbox or unsent resolutions hold something */
  gboolean      resolutions;    /* unsent resolutions wait */
  sqlite3_stmt *fv_insert;
  sqlite3_stmt *fv_update;
  sqlite3_stmt *history;
  GHashTable   *statements;     /* SQL text → sqlite3_stmt, for the per-type statements */
} Page;

static void
page_clear (Page *page)
{
  g_clear_pointer (&page->fv_insert, sqlite3_finalize);
  g_clear_pointer (&page->fv_update, sqlite3_finalize);
  g_clear_pointer (&page->history, sqlite3_finalize);
  g_clear_pointer (&page->statements, g_hash_table_unref);
}

static void
statement_free (gpointer data)
{
  sqlite3_finalize (data);
}

/* A statement prepared once per page, reset and unbound for each use. */
static sqlite3_stmt *
page_statement (ClSync      *self,
                Page        *page,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (page->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = cl_sql_prepare (db_of (self), sql, error);
  if (stmt != NULL)
    g_hash_table_insert (page->statements, g_strdup (sql), stmt);
  return stmt;
}

static gboolean
page_init (ClSync  *self,
           Page    *page,
           GError **error)
{
  sqlite3 *db = db_of (self);
  gint64 queued = 0;
  gint64 resolutions = 0;

  memset (page, 0, sizeof *page);
  page->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, statement_free);
  if (!cl_sql_query_int (db, "SELECT count(*) FROM outbox", &queued, error) ||
      !cl_sql_query_int (db, "SELECT count(*) FROM conflict WHERE resolved_at IS NOT NULL "
                         "AND uploaded = 0", &resolutions, error))
    return FALSE;
  page->resolutions = resolutions > 0;
  page->pending = queued > 0 || page->resolutions;
  page->fv_insert = cl_sql_prepare (db, "INSERT OR IGNORE INTO field_version VALUES (?, ?, ?)",
                                    error);
  page->fv_update = cl_sql_prepare (db, "UPDATE field_version SET version = ? WHERE "
                                    "record_id = ? AND field = ?", error);
  page->history = cl_sql_prepare (db, "INSERT INTO history (case_id, client_id, record_type, "
                                  "record_id, op, at, origin) VALUES (?, ?, ?, ?, 'sync', ?, "
                                  "'server')", error);
  return page->fv_insert != NULL && page->fv_update != NULL && page->history != NULL;
}

static gboolean
step_reset (sqlite3_stmt  *stmt,
            GError       **error)
{
  gboolean ok = cl_sql_step_done (stmt, error);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

static gboolean
apply_put (ClSync          *self,
           Page            *page,
           const ClType    *type,
           ClWirePullItem  *item,
           GError         **error)
{
  sqlite3 *db = db_of (self);
  g_autofree char *exists_sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", type->table);
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, item->version);
  g_autofree char *now = cl_now_utc ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  sqlite3_stmt *stmt = page_statement (self, page, exists_sql, error);
  gboolean exists;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, item->record);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  if (!exists)
    {
      g_autoptr(GString) marks = g_string_new (NULL);

      g_string_append_printf (sql, "INSERT INTO %s (id, version, created_at, updated_at, "
                              "deleted", type->table);
      for (guint i = 0; i < type->n_fields; i++)
        {
          const ClField *f = &type->fields[i];
          gpointer value;

          if ((f->flags & CL_FIELD_DERIVED) || item->fields == NULL ||
              !g_hash_table_lookup_extended (item->fields, f->name, NULL, &value))
            continue;
          g_string_append_printf (sql, ", %s", f->name);
          g_string_append (marks, ", ?");
          g_ptr_array_add (values, value);
        }
      g_string_append_printf (sql, ") VALUES (?, ?, ?, ?, 0%s)", marks->str);
      if ((stmt = page_statement (self, page, sql->str, error)) == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, item->record);
      cl_sql_bind_text (stmt, 2, version);
      cl_sql_bind_text (stmt, 3, now);
      cl_sql_bind_text (stmt, 4, now);
      for (guint i = 0; i < values->len; i++)
        cl_sql_bind_text (stmt, 5 + i, g_ptr_array_index (values, i));
    }
  else
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      gboolean delete_pending = page->pending &&
                                field_pending (self, item->record, "_deleted", 0);

      for (guint i = 0; i < type->n_fields; i++)
        {
          const ClField *f = &type->fields[i];
          gpointer value = NULL;

          if (f->flags & CL_FIELD_DERIVED)
            continue;
          /* The server sends every field it holds: one it does not hold is empty. */
          if (item->fields != NULL)
            g_hash_table_lookup_extended (item->fields, f->name, NULL, &value);
          /* A field this device changed and has not pushed yet keeps its local value:
           * pending work stays on top of the pulled state. */
          if (page->pending && field_pending (self, item->record, f->name, 0))
            continue;
          g_ptr_array_add (names, (gpointer) f->name);
          g_ptr_array_add (values, value);
        }
      g_string_append_printf (sql, "UPDATE %s SET version = max(version, ?), updated_at = ?",
                              type->table);
      if (!delete_pending)
        g_string_append (sql, ", deleted = 0");
      for (guint i = 0; i < names->len; i++)
        g_string_append_printf (sql, ", %s = ?", (const char *) g_ptr_array_index (names, i));
      g_string_append (sql, " WHERE id = ?");
      if ((stmt = page_statement (self, page, sql->str, error)) == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, version);
      cl_sql_bind_text (stmt, 2, now);
      for (guint i = 0; i < values->len; i++)
        cl_sql_bind_text (stmt, 3 + i, g_ptr_array_index (values, i));
      cl_sql_bind_text (stmt, 3 + values->len, item->record);
    }
  if (!step_reset (stmt, error))
    return FALSE;

  if (item->field_versions != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, item->field_versions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          sqlite3_bind_text (page->fv_insert, 1, item->record, -1, SQLITE_STATIC);
          sqlite3_bind_text (page->fv_insert, 2, key, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (page->fv_insert, 3, *(gint64 *) value);
          if (!step_reset (page->fv_insert, error))
            return FALSE;
          if (sqlite3_changes (db) > 0)
            continue;
          sqlite3_bind_int64 (page->fv_update, 1, *(gint64 *) value);
          sqlite3_bind_text (page->fv_update, 2, item->record, -1, SQLITE_STATIC);
          sqlite3_bind_text (page->fv_update, 3, key, -1, SQLITE_STATIC);
          if (!step_reset (page->fv_update, error))
            return FALSE;
        }
    }
  cl_sql_bind_text (page->history, 1, strcmp (type->name, "case") == 0 ? item->record :
                    (item->fields != NULL ? g_hash_table_lookup (item->fields, "case_id") : NULL));
  cl_sql_bind_text (page->history, 2, strcmp (type->name, "client") == 0 ? item->record :
                    (item->fields != NULL ? g_hash_table_lookup (item->fields, "client_id") : NULL));
  cl_sql_bind_text (page->history, 3, type->name);
  cl_sql_bind_text (page->history, 4, item->record);
  cl_sql_bind_text (page->history, 5, now);
  return step_reset (page->history, error);
}

/* A resolution made here and not yet taken by the server keeps its value on top of pulls
 * (field_pending()); the server's value of its field that a pulled change brings, and that
 * change's version, are kept beside it: if the server turns the resolution down, the vault
 * shows that value again (undo_resolution()), as the cursor is past it by then. */
static gboolean
keep_pulled (ClSync          *self,
             Page            *page,
             ClWirePullItem  *item,
             GError         **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = page_statement (self, page, "SELECT DISTINCT field FROM conflict WHERE record_id = ? "
                         "AND resolved_at IS NOT NULL AND uploaded = 0", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, item->record);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (fields, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      const char *value;

      if (strcmp (field, "_deleted") == 0)
        value = item->op == CL_WIRE_PULL_DELETE ? "1" : "0";
      else if (item->op == CL_WIRE_PULL_PUT)
        value = item->fields != NULL ? g_hash_table_lookup (item->fields, field) : NULL;
      else
        continue;  /* a tombstone leaves the fields as they were */

      stmt = page_statement (self, page, "UPDATE conflict SET pulled_value = ?, "
                             "pulled_version = ? WHERE record_id = ? AND field = ? AND "
                             "resolved_at IS NOT NULL AND uploaded = 0", error);
      if (stmt == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, value);
      sqlite3_bind_int64 (stmt, 2, item->version);
      cl_sql_bind_text (stmt, 3, item->record);
      cl_sql_bind_text (stmt, 4, field);
      if (!step_reset (stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_page (ClSync              *self,
            ClWirePullResponse  *resp,
            GHashTable          *seen,
            ClSyncReport        *report,
            GError             **error)
{
  sqlite3 *db;
  gint64 cursor = meta_get_int (self, "sync_cursor");
  gint64 acked = meta_get_int (self, "sync_acked_seq");
  g_autoptr(GPtrArray) touched = g_ptr_array_new_with_free_func (g_object_unref);
  Page page = { 0 };

  if (resp->cursor < cursor || resp->last_seq < acked)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server's answer would move this workstation back in time "
                     "(cursor %lld after %lld); it was refused and nothing was changed."),
                   (long long) resp->cursor, (long long) cursor);
      return FALSE;
    }
  for (guint i = 0; i < resp->changes->len; i++)
    {
      ClWirePullItem *item = g_ptr_array_index (resp->changes, i);
      const ClType *type = cl_schema_lookup_type (item->type);

      if (item->version <= cursor || item->version > resp->cursor || type == NULL ||
          (type->flags & CL_TYPE_LOCAL_ONLY) || !cl_is_uuid (item->record))
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server sent a change outside the page it announced; the page "
                         "was refused and nothing was changed."));
          return FALSE;
        }
    }

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);
  /* The cursor moves only from the one this page was asked with (compare and set). */
  if (meta_get_int (self, "sync_cursor") != cursor)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_BUSY,
                   _("Another sync of this vault moved it on meanwhile; the page was not "
                     "applied."));
      goto fail;
    }
  if (!page_init (self, &page, error))
    goto fail;
  for (guint i = 0; i < resp->changes->len; i++)
    {
      ClWirePullItem *item = g_ptr_array_index (resp->changes, i);
      const ClType *type = cl_schema_lookup_type (item->type);
      g_autofree char *sql = NULL;

      if (seen != NULL)
        g_hash_table_add (seen, g_strdup (item->record));
      if (i == resp->changes->len / 2)
        crash_point ("mid-pull-apply");
      if (page.resolutions && item->op != CL_WIRE_PULL_REMOVE &&
          !keep_pulled (self, &page, item, error))
        goto fail;

      switch (item->op)
        {
        case CL_WIRE_PULL_PUT:
          if (!apply_put (self, &page, type, item, error))
            goto fail;
          break;
        case CL_WIRE_PULL_DELETE:
          {
            g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, item->version);
            sql = g_strdup_printf ("UPDATE %s SET deleted = 1, version = max(version, ?) "
                                   "WHERE id = ?", type->table);
            if (!cl_sql_exec_params (db, error, sql, version, item->record, CL_SQL_END))
              goto fail;
            if (strcmp (type->name, "case") == 0 &&
                !cl_sql_exec_params (db, error, "DELETE FROM case_search WHERE docid = "
                                     "(SELECT rowid FROM cases WHERE id = ?)", item->record,
                                     CL_SQL_END))
              goto fail;
          }
          break;
        case CL_WIRE_PULL_REMOVE:
          if (!purge_record (self, type, item->record, error))
            goto fail;
          report->purged++;
          break;
        default:
          g_assert_not_reached ();
        }
      report->pulled++;

      if (item->op != CL_WIRE_PULL_REMOVE)
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(ClRecord) record = cl_store_get (self->store, type->name, item->record,
                                                     &local_error);
          if (record != NULL)
            g_ptr_array_add (touched, g_steal_pointer (&record));
        }
      _cl_store_emit_changed (self->store, type->name, item->record);
    }

  /* Derived columns and search documents, once per case (or record) of the page: a
   * page of 500 notes of one case recomputes that case once, not 500 times. */
  {
    g_autoptr(GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < touched->len; i++)
      {
        ClRecord *record = g_ptr_array_index (touched, i);
        const ClType *type = cl_record_get_record_type (record);
        gboolean by_case = type->parent != NULL && strcmp (type->parent, "case_id") == 0 &&
                           strcmp (type->name, "compensation") != 0;
        const char *case_id = by_case ? cl_record_get (record, "case_id") : NULL;
        g_autofree char *key = NULL;

        if (case_id != NULL)
          key = g_strconcat (type->name, ":", case_id, NULL);
        else
          key = g_strconcat (type->name, ":", cl_record_get_id (record), NULL);
        if (!g_hash_table_add (done, g_steal_pointer (&key)))
          continue;
        if (!_cl_store_refresh_dependents (self->store, type, record, error))
          goto fail;
      }
  }

  if (!meta_set_int (self, "sync_cursor", resp->cursor, error))
    goto fail;
  page_clear (&page);
  if (!cl_store_commit (self->store, error))
    return FALSE;
  crash_point ("after-pull-commit");
  return TRUE;

fail:
  page_clear (&page);
  cl_store_rollback (self->store);
  return FALSE;
}

/* After a full resync, synced records the server no longer sent are gone for this user. */
static gboolean
purge_unseen (ClSync        *self,
              GHashTable    *seen,
              ClSyncReport  *report,
              GError       **error)
{
  const ClType *types;
  guint n;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

      if (types[i].flags & CL_TYPE_LOCAL_ONLY)
        continue;
      sql = g_strdup_printf ("SELECT id FROM %s WHERE version > 0", types[i].table);
      if ((stmt = cl_sql_prepare (db_of (self), sql, error)) == NULL)
        goto fail;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          if (!g_hash_table_contains (seen, id))
            g_ptr_array_add (gone, g_strdup (id));
        }
      for (guint j = 0; j < gone->len; j++)
        {
          if (!purge_record (self, &types[i], g_ptr_array_index (gone, j), error))
            goto fail;
          report->purged++;
        }
    }
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

static gboolean
pull_all (ClSync        *self,
          Conn          *conn,
          ClSyncReport  *report,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GHashTable) seen = NULL;
  gboolean check = meta_get_int (self, "sync_cursor") > 0;
  guint checks = 0;
  guint resets = 0;
  guint heals = 0;

  for (;;)
    {
      g_autoptr(ClWirePullRequest) req = cl_wire_pull_request_new ();
      g_autoptr(ClWirePullResponse) resp = NULL;
      g_autofree char *body = NULL;
      g_auto(Reply) reply = { 0 };
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      const char *data;
      gsize len;

      req->cursor = meta_get_int (self, "sync_cursor");
      req->limit = PULL_LIMIT;
      /* The digest of what this device holds lets the server notice drift (412); the
       * server compares it when it has nothing newer to send. */
      if (check && (req->digest = local_digest (self, error)) == NULL)
        return FALSE;
      if (check)
        checks++;

      body = cl_wire_pull_request_encode (req, &len);
      if (!http_send (conn, "POST", "/v1/pull", body, len, &reply, cancellable, error))
        return FALSE;

      if ((reply.status == 410 || reply.status == 412) && resets++ == 0)
        {
          /* Full resync: start from nothing, keep (and later re-push) the outbox. */
          report->full_resync = TRUE;
          seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          if (!meta_set_int (self, "sync_cursor", 0, error))
            return FALSE;
          check = FALSE;
          continue;
        }
      if (reply.status != 200)
        {
          reply_error (conn, &reply, &code, &mode, NULL, error);
          note_revoked (report, code, mode);
          return FALSE;
        }

      data = g_bytes_get_data (reply.body, &len);
      resp = cl_wire_pull_response_decode (data, len, error);
      if (resp == NULL)
        {
          g_prefix_error (error, _("The server's answer was not understood: "));
          if (error != NULL && *error != NULL)
            {
              (*error)->domain = CL_SYNC_ERROR;
              (*error)->code = CL_SYNC_ERROR_PROTOCOL;
            }
          return FALSE;
        }
      if (resp->last_seq < meta_get_int (self, "sync_acked_seq") && heals++ == 0)
        {
          /* The server recorded fewer of this device's changes than it had acknowledged:
           * its database went back. What it lost goes again, then the pull goes on. */
          if (!heal_server_behind (self, resp->last_seq, report, error) ||
              !push_all (self, conn, report, cancellable, error))
            return FALSE;
          continue;
        }
      if (!apply_page (self, resp, seen, report, error))
        return FALSE;
      if (resp->more)
        {
          check = FALSE;
          continue;
        }
      /* A full resync has brought everything this user may read: what it did not bring
       * left their scope (its scope exit may be long purged by the server's gc), so it
       * goes before the digest compares what this device holds. */
      if (seen != NULL)
        {
          if (!purge_unseen (self, seen, report, error))
            return FALSE;
          g_clear_pointer (&seen, g_hash_table_unref);
        }
      /* Up to date: done if the digest was just checked against an empty page; else one
       * more (small) request checks it, so drift is found in this round. */
      if ((check && resp->changes->len == 0) || checks >= 2)
        break;
      check = TRUE;
    }

  if (report->purged > 0)
    {
      /* Purged client data must not linger in free pages, the search index or the WAL. */
      if (!cl_store_lock (self->store, CL_STORE_READ, error))
        return FALSE;
      cl_sql_exec (db_of (self), "INSERT INTO case_search (case_search) VALUES ('optimize')", NULL);
      cl_sql_exec (db_of (self), "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
      cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
    }
  return TRUE;
}

/* A resolution made here did not take: the vault shows the server's value again (it stood
 * all along), and the conflict is either settled (someone else resolved it first, or it is
 * no longer this user's to resolve) or open again (the server refused this choice). The
 * server's value is the latest this vault has seen of the field (keep_shown_value(),
 * keep_pulled()): the conflict's own server_value may be older, and the cursor past the
 * change that replaced it. The record's version is left as it is: it already covers that
 * value, and it only ever comes from a pull. */
static gboolean
undo_resolution (ClSync      *self,
                 const char  *id,
                 gboolean     reopen,
                 GError     **error)
{
  sqlite3 *db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *record_type = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *value = NULL;
  const ClType *type;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);
  stmt = cl_sql_prepare (db, "SELECT record_type, record_id, field, CASE WHEN pulled_version "
                         "IS NULL THEN server_value ELSE pulled_value END FROM conflict "
                         "WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  cl_sql_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return cl_store_commit (self->store, error);
  record_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  field = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  g_clear_pointer (&stmt, sqlite3_finalize);
  type = cl_schema_lookup_type (record_type);

  if (outbox_changes_field (self, record_id, field, 0))
    ; /* A local edit made since waits to be pushed: the vault keeps showing it. */
  else if (type != NULL && strcmp (field, "_deleted") == 0)
    {
      /* A delete that lost: the record lives on the server, unless deleted there since. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = ? WHERE id = ?",
                                              type->table);
      if (!cl_sql_exec_params (db, error, sql, g_strcmp0 (value, "1") == 0 ? "1" : "0",
                               record_id, CL_SQL_END))
        goto fail;
    }
  else if (type != NULL && cl_type_lookup_field (type, field) != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE id = ?",
                                              type->table, field);
      if (!cl_sql_exec_params (db, error, sql, value, record_id, CL_SQL_END))
        goto fail;
    }
  if (!cl_sql_exec_params (db, error,
                           reopen
                           ? "UPDATE conflict SET resolved_at = NULL, resolution = NULL, "
                             "resolved_value = NULL, uploaded = 0, pulled_value = NULL, "
                             "pulled_version = NULL WHERE id = ?"
                           : "UPDATE conflict SET resolution = 'elsewhere', uploaded = 1 "
                             "WHERE id = ?", id, CL_SQL_END))
    goto fail;
  _cl_store_emit_changed (self->store, record_type, record_id);
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* What a resolution sends. The person's last word on a field stands: a local edit of the
 * field made after resolving (queued in the outbox, shown in the vault) is what the
 * resolution writes, as a new value; the edit's own mutation then finds the field already
 * holding it. */
static void
resolution_request (ClSync               *self,
                    sqlite3_stmt         *row,
                    ClWireResolveRequest *req,
                    char                **current)
{
  const char *record_type = (const char *) sqlite3_column_text (row, 3);
  const char *record_id = (const char *) sqlite3_column_text (row, 4);
  const char *field = (const char *) sqlite3_column_text (row, 5);
  const ClType *type = cl_schema_lookup_type (record_type);

  req->keep = (char *) sqlite3_column_text (row, 1);
  req->value = (char *) sqlite3_column_text (row, 2);
  req->has_value = strcmp (req->keep, "value") == 0;
  if (type != NULL && strcmp (field, "_deleted") != 0 &&
      cl_type_lookup_field (type, field) != NULL &&
      outbox_changes_field (self, record_id, field, 0))
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field,
                                              type->table);
      g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db_of (self), sql, NULL);

      if (stmt == NULL)
        return;
      cl_sql_bind_text (stmt, 1, record_id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        return;
      *current = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      req->keep = (char *) "value";
      req->value = *current;
      req->has_value = TRUE;
    }
}

/* Conflict resolutions made on this device, told to the server before this round's push
 * (so a later edit of the field, queued behind, lands on top of the resolution) and before
 * the pull (which brings back the version the resolution made). */
/* The oldest resolution not yet told to the server, read under the store's lock: its id
 * and its request body, or *id %NULL when there is none. */
static gboolean
next_resolution (ClSync   *self,
                 char    **id,
                 char    **body,
                 gsize    *len,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  *id = NULL;
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  stmt = cl_sql_prepare (db_of (self), "SELECT id, resolution, resolved_value, record_type, "
                         "record_id, field FROM conflict WHERE resolved_at IS NOT NULL AND "
                         "uploaded = 0 ORDER BY resolved_at, id LIMIT 1", error);
  if (stmt == NULL)
    ok = FALSE;
  else if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClWireResolveRequest req = { 0 };
      g_autofree char *current = NULL;

      *id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      resolution_request (self, stmt, &req, &current);
      *body = cl_wire_resolve_request_encode (&req, len);
    }
  else if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db_of (self), rc);
      ok = FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

static gboolean
set_conflict_resolution (ClSync      *self,
                         const char  *sql,
                         const char  *id,
                         GError     **error)
{
  gboolean ok;

  if (!cl_store_lock (self->store, CL_STORE_WRITE, error))
    return FALSE;
  ok = cl_sql_exec_params (db_of (self), error, sql, id, CL_SQL_END);
  if (!ok)
    {
      cl_store_unlock (self->store, CL_STORE_UNLOCK_ROLLBACK, NULL);
      return FALSE;
    }
  return cl_store_unlock (self->store, CL_STORE_UNLOCK_COMMIT, error);
}

/* Conflict resolutions made on this device, told to the server before this round's push
 * (so a later edit of the field, queued behind, lands on top of the resolution) and before
 * the pull (which brings back the version the resolution made). */
static gboolean
upload_resolutions (ClSync        *self,
                    Conn          *conn,
                    ClSyncReport  *report,
                    GCancellable  *cancellable,
                    GError       **error)
{
  for (;;)
    {
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      g_auto(Reply) reply = { 0 };
      gsize len = 0;

      if (!next_resolution (self, &id, &body, &len, error))
        return FALSE;
      if (id == NULL)
        return TRUE;
      path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
      if (!http_send (conn, "POST", path, body, len, &reply, cancellable, error))
        return FALSE;
      switch (reply.status)
        {
        case 200:
          if (!set_conflict_resolution (self, "UPDATE conflict SET uploaded = 1 WHERE id = ?",
                                        id, error))
            return FALSE;
          break;
        case 404:
        case 409:
          reply_error (conn, &reply, &code, &mode, NULL, NULL);
          /* Resolved by someone else first (or no longer this user's to see): their
           * choice stands, and the pull brings it. Or the field changed after the
           * conflict: the server kept both values as a new conflict, which this round
           * fetches; this one is settled. */
          if (!undo_resolution (self, id, FALSE, error))
            return FALSE;
          if (g_strcmp0 (code, "field_changed") == 0)
            {
              if (!set_conflict_resolution (self, "UPDATE conflict SET resolution = "
                                            "'renewed' WHERE id = ?", id, error))
                return FALSE;
              report->renewed++;
            }
          else
            report->superseded++;
          break;
        case 400:
        case 403:
          /* Not this choice (the record is no longer this user's to change, or the value
           * is not allowed): the conflict waits for another one. */
          if (!undo_resolution (self, id, TRUE, error))
            return FALSE;
          report->refused++;
          break;
        default:
          reply_error (conn, &reply, &code, &mode, NULL, error);
          note_revoked (report, code, mode);
          return FALSE;
        }
    }
}

/* Fetched conflicts ----------------------------------------------------------------- */

/* Refuses a list that does not fit this vault: a record type or field the schema does
 * not have, or a conflict this vault holds that the list describes differently (a
 * conflict never changes what it is about, nor its values). */
static gboolean
check_conflicts (ClSync     *self,
                 GPtrArray  *infos,
                 GError    **error)
{
  for (guint i = 0; i < infos->len; i++)
    {
      const ClWireConflictInfo *info = g_ptr_array_index (infos, i);
      const ClType *type = cl_schema_lookup_type (info->type);
      g_autoptr(sqlite3_stmt) stmt = NULL;

      if (type == NULL || (type->flags & CL_TYPE_LOCAL_ONLY) ||
          (strcmp (info->field, "_deleted") != 0 &&
           cl_type_lookup_field (type, info->field) == NULL))
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server listed a conflict on a kind of record or a field this "
                         "workstation does not know; the list was refused and nothing was "
                         "changed."));
          return FALSE;
        }

      stmt = cl_sql_prepare (db_of (self), "SELECT record_type, record_id, field, local_value, "
                             "server_value FROM conflict WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      cl_sql_bind_text (stmt, 1, info->id);
      if (sqlite3_step (stmt) == SQLITE_ROW &&
          (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), info->type) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), info->record) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), info->field) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), info->client_value) != 0 ||
           g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), info->server_value) != 0))
        {
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server's list of conflicts contradicts what this workstation "
                         "holds; the list was refused and nothing was changed."));
          return FALSE;
        }
    }
  return TRUE;
}

/* Brings the vault's conflicts in line with the server's open ones, in one transaction:
 * who and when for those it holds; those it does not hold (lost elsewhere) are added, once
 * the vault holds their record (a record not pulled yet waits for the next round); open
 * ones the server no longer lists were resolved elsewhere. A resolution made here and not
 * uploaded yet is never touched: only open conflicts are closed. */
static gboolean
apply_conflicts (ClSync        *self,
                 GPtrArray     *infos,
                 ClSyncReport  *report,
                 GError       **error)
{
  sqlite3 *db;
  g_autofree char *now = cl_now_utc ();
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);
  for (guint i = 0; i < infos->len; i++)
    {
      const ClWireConflictInfo *info = g_ptr_array_index (infos, i);
      const ClType *type = cl_schema_lookup_type (info->type);
      g_autofree char *exists_sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?",
                                                     type->table);
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, info->server_version);
      g_autofree char *held = NULL;

      g_hash_table_add (listed, info->id);
      if (!cl_sql_exec_params (db, error, "UPDATE conflict SET local_by = ?, server_by = ?, "
                               "server_at = ? WHERE id = ?", info->client_by, info->server_by,
                               info->server_at, info->id, CL_SQL_END))
        goto fail;
      if (sqlite3_changes (db) > 0)
        {
          /* Open on the server but settled here, and the server had the outcome: the
           * server's database went back to before it. The conflict waits for a person
           * again. */
          if (!cl_sql_exec_params (db, error, "UPDATE conflict SET resolved_at = NULL, "
                                   "resolution = NULL, resolved_value = NULL, "
                                   "pulled_value = NULL, pulled_version = NULL WHERE id = ? "
                                   "AND resolved_at IS NOT NULL AND uploaded = 1", info->id,
                                   CL_SQL_END))
            goto fail;
          if (sqlite3_changes (db) > 0)
            report->reopened++;
          continue;
        }

      held = cl_sql_query_text (db, NULL, exists_sql, info->record, CL_SQL_END);
      if (held == NULL)
        continue;
      /* Lost on this device but not held (a vault restored from a copy): its time then
       * is the server's. A conflict lost elsewhere has no time of this workstation. */
      if (!cl_sql_exec_params (db, error,
                               "INSERT INTO conflict (id, record_type, record_id, field, "
                               "local_value, server_value, server_version, local_by, local_at, "
                               "server_by, server_at, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               info->id, info->type, info->record, info->field,
                               info->client_value, info->server_value, version, info->client_by,
                               info->this_device ? info->created_at : NULL, info->server_by,
                               info->server_at, info->created_at, CL_SQL_END))
        goto fail;
      if (!info->this_device)
        report->fetched++;
      _cl_store_emit_changed (self->store, info->type, info->record);
    }

  /* Every page was fetched: what the server no longer lists is settled. */
  {
    g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, "SELECT id FROM conflict "
                                                   "WHERE resolved_at IS NULL", error);

    if (stmt == NULL)
      goto fail;
    while (sqlite3_step (stmt) == SQLITE_ROW)
      if (!g_hash_table_contains (listed, sqlite3_column_text (stmt, 0)))
        g_ptr_array_add (gone, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  }
  for (guint i = 0; i < gone->len; i++)
    {
      const char *id = g_ptr_array_index (gone, i);
      g_autofree char *record_type = cl_sql_query_text (db, NULL, "SELECT record_type FROM "
                                                        "conflict WHERE id = ?", id, CL_SQL_END);
      g_autofree char *record_id = cl_sql_query_text (db, NULL, "SELECT record_id FROM "
                                                      "conflict WHERE id = ?", id, CL_SQL_END);

      if (!cl_sql_exec_params (db, error, "UPDATE conflict SET resolved_at = ?, "
                               "resolution = 'elsewhere', uploaded = 1 WHERE id = ? AND "
                               "resolved_at IS NULL", now, id, CL_SQL_END))
        goto fail;
      report->closed++;
      _cl_store_emit_changed (self->store, record_type, record_id);
    }
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* GET /v1/conflicts, after the pull: conflicts lost on other devices (another of the
 * user's, or an advocate's the user supervises) reach the person who can resolve them, and
 * each side says who and when. Every page is fetched (CL_WIRE_MAX_CONFLICTS each, oldest
 * first) before anything changes; a list that is not well formed, repeats a conflict, or
 * does not fit this vault, is refused whole. */
static gboolean
fetch_conflicts (ClSync        *self,
                 Conn          *conn,
                 ClSyncReport  *report,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  gboolean ok;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *after = NULL;
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(GPtrArray) infos = NULL;
      g_autofree char *path = NULL;
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      g_auto(Reply) reply = { 0 };
      gint64 total = 0;
      const char *data;
      gsize len;

      path = after != NULL ? g_strconcat ("/v1/conflicts?after=", after, NULL)
                           : g_strdup ("/v1/conflicts");
      if (!http_send (conn, "GET", path, NULL, 0, &reply, cancellable, error))
        return FALSE;
      if (reply.status != 200)
        {
          reply_error (conn, &reply, &code, &mode, NULL, error);
          note_revoked (report, code, mode);
          return FALSE;
        }
      data = g_bytes_get_data (reply.body, &len);
      infos = cl_wire_conflict_list_decode (data, len, &total, &more, error);
      if (infos == NULL || (more && infos->len == 0) ||
          all->len + infos->len > (guint) MAX (total, 0) + CL_WIRE_MAX_CONFLICTS)
        {
          if (infos != NULL)
            g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                         _("The server's pages of conflicts do not add up."));
          g_prefix_error (error, _("The server's list of conflicts was not understood "
                                   "(nothing was changed): "));
          if (error != NULL && *error != NULL)
            {
              (*error)->domain = CL_SYNC_ERROR;
              (*error)->code = CL_SYNC_ERROR_PROTOCOL;
            }
          return FALSE;
        }
      for (guint i = 0; i < infos->len; i++)
        {
          ClWireConflictInfo *info = g_ptr_array_index (infos, i);

          if (!g_hash_table_add (ids, info->id))
            {
              g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                           _("The server listed a conflict twice; the list was refused and "
                             "nothing was changed."));
              return FALSE;
            }
        }
      if (infos->len > 0)
        {
          g_free (after);
          after = g_strdup (((ClWireConflictInfo *) g_ptr_array_index (infos, infos->len - 1))->id);
        }
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&infos));
    }
  /* Checked and applied with no other thread's write in between. */
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = check_conflicts (self, all, error) && apply_conflicts (self, all, report, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

/* The CA certificates the server asks this device to trust besides its enrolled one (a CA
 * rollover), checked, then kept in the vault in place of the ones it sent before. A server
 * that sends none leaves the kept ones: so a device is never cut off by an edit of the
 * server's configuration. */
static gboolean
fetch_trust (ClSync        *self,
             Conn          *conn,
             GCancellable  *cancellable,
             GError       **error)
{
  g_auto(Reply) reply = { 0 };
  g_autofree char *bundle = NULL;

  if (!http_send (conn, "GET", "/v1/trust", NULL, 0, &reply, cancellable, error))
    return FALSE;
  if (reply.status != 200)
    {
      reply_error (conn, &reply, NULL, NULL, NULL, error);
      return FALSE;
    }
  return decode_trust (&reply, &bundle, error) &&
         (bundle == NULL || meta_set (self, "sync_trust", bundle, error));
}

static gboolean
erase_vault (ClSync        *self,
             ClSyncReport  *report,
             Conn          *conn,
             GCancellable  *cancellable,
             GError       **error)
{
  ClVault *vault = cl_store_get_vault (self->store);
  g_autofree char *dir = g_strdup (cl_vault_get_dir (vault));
  g_autofree char *ca = g_build_filename (dir, CA_FILE, NULL);
  g_autoptr(GError) local_error = NULL;
  g_auto(Reply) reply = { 0 };

  /* Keys first: the vault is unreadable before anything else happens. Then the server
   * learns (best effort) that this workstation holds nothing any more, and the public CA
   * certificate goes last (the connection still reads it). */
  cl_vault_lock (vault);
  if (!cl_vault_erase (dir, &local_error))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                   _("This workstation's access was revoked, but erasing its vault failed "
                     "(%s). Turn it off and call your administrator."), local_error->message);
      return FALSE;
    }
  if (conn->session != NULL)
    http_send (conn, "POST", "/v1/device/erased", "", 0, &reply, cancellable, NULL);
  g_unlink (ca);
  g_rmdir (dir);   /* cl_vault_erase() removed the rest, the round's lock file included */

  if (g_strcmp0 (report->revoked, "retire") == 0)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                 _("This workstation was retired by an administrator. All its work reached "
                   "the server, and its vault was erased."));
  else
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                 _("This workstation was reported lost or stolen, so its vault was erased "
                   "without sending anything. Contact your administrator."));
  return FALSE;
}

/* Whether the pull may still run after the push failed: the server answered, and the
 * answer concerned the push alone. */
static gboolean
push_failure_allows_pull (const GError *error)
{
  return g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED) ||
         g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL) ||
         g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_SERVER);
}

static gboolean
run_round (ClSync        *self,
           ClSyncReport  *report,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *url = meta_get (self, "sync_url");
  g_auto(Conn) conn = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) push_error = NULL;
  gboolean ok;

  if (url == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return FALSE;
    }
  if (!conn_open (self, &conn, url, error))
    return FALSE;
  conn.token = meta_get (self, "sync_token");

  ok = upload_resolutions (self, &conn, report, cancellable, &local_error) &&
       push_all (self, &conn, report, cancellable, &local_error);
  /* A push the server turned down (too large, refused) does not keep others' changes
   * from coming in: the pull goes on, the push's error is what the round reports. */
  if (!ok && push_failure_allows_pull (local_error) && report->revoked == NULL)
    {
      push_error = g_steal_pointer (&local_error);
      ok = TRUE;
    }
  ok = ok && pull_all (self, &conn, report, cancellable, &local_error);

  /* A full resync re-pushes what the outbox still holds. */
  if (ok && cl_store_outbox_length (self->store, NULL) > 0)
    ok = push_all (self, &conn, report, cancellable, &local_error);
  ok = ok && fetch_conflicts (self, &conn, report, cancellable, &local_error);
  ok = ok && fetch_trust (self, &conn, cancellable, &local_error);
  report->retry_after = conn.retry_after;

  if (report->revoked != NULL)
    {
      /* Retire: the whole outbox goes first, and nothing is erased unless it did; lost:
       * nothing more is sent, the vault goes now. */
      if (strcmp (report->revoked, "retire") == 0 &&
          cl_store_outbox_length (self->store, NULL) > 0)
        {
          g_clear_error (&local_error);
          if (!push_all (self, &conn, report, cancellable, &local_error) ||
              cl_store_outbox_length (self->store, NULL) > 0)
            {
              if (local_error == NULL)
                g_set_error (&local_error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK,
                             _("This workstation is being retired, but its last changes "
                               "could not be sent yet; it will try again."));
              record_error (self, local_error);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      return erase_vault (self, report, &conn, cancellable, error);
    }

  if (ok && push_error != NULL)
    {
      ok = FALSE;
      local_error = g_steal_pointer (&push_error);
    }
  if (!ok)
    {
      record_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  {
    g_autofree char *now = cl_now_utc ();
    meta_set (self, "sync_last_success", now, NULL);
    meta_set (self, "sync_last_error", NULL, NULL);
  }
  return TRUE;
}

/* One round per vault at a time, across programs (the app and caseloadctl): an advisory
 * lock on a file in the vault folder, held for the round. A second round waits for the
 * first, up to ROUND_LOCK_WAIT_S seconds. Returns the locked descriptor, or -1. */
#define ROUND_LOCK_WAIT_S 120

static int
vault_round_lock (ClSync        *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ClVault *vault = cl_store_get_vault (self->store);
  g_autofree char *path = g_build_filename (cl_vault_get_dir (vault), "sync.lock", NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot open the vault's sync lock: %s"), g_strerror (saved));
      return -1;
    }
  for (guint waited = 0; flock (fd, LOCK_EX | LOCK_NB) != 0; waited++)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot lock the vault for sync: %s"), g_strerror (saved));
          return -1;
        }
      if (waited >= ROUND_LOCK_WAIT_S * 10 ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          if (error != NULL && *error == NULL)
            g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_BUSY,
                         _("Another program is syncing this vault right now; try again when "
                           "it has finished."));
          return -1;
        }
      g_usleep (100 * 1000);
    }
  return fd;
}

/* The round lock within this process, then across programs: the descriptor to give to
 * round_lock_release(), or -1 (nothing held). */
static int
round_lock_take (ClSync        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  int lock;

  g_mutex_lock (&self->round_lock);
  lock = vault_round_lock (self, cancellable, error);
  if (lock < 0)
    g_mutex_unlock (&self->round_lock);
  return lock;
}

static void
round_lock_release (ClSync *self,
                    int     lock)
{
  close (lock);   /* releases the lock */
  g_mutex_unlock (&self->round_lock);
}

/**
 * cl_sync_run:
 * @report: (out caller-allocates): what the round did; clear with cl_sync_report_clear()
 *
 * Runs one full round (push, pull, repeat while there is more). Blocks: call it from a
 * worker thread or use cl_sync_run_async().
 */
gboolean
cl_sync_run (ClSync        *self,
             ClSyncReport  *report,
             GCancellable  *cancellable,
             GError       **error)
{
  gboolean ok;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof *report);
  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return FALSE;
  ok = run_round (self, report, cancellable, error);
  round_lock_release (self, lock);
  return ok;
}

/**
 * cl_sync_set_server:
 * @url: the server's new https:// address
 * @ca_file: (nullable): the CA certificate (PEM) to trust from now on instead of the one
 *   enrolled with; %NULL keeps it
 *
 * Moves this enrolled vault to a new server address or CA, keeping the vault, its
 * enrollment and its outbox. Changes nothing unless the server at @url answers over TLS
 * with that trust and knows this device. Waits for a round running on the vault (the
 * address must not change under it, nor the tokens a refresh may rotate). Blocks.
 */
gboolean
cl_sync_set_server (ClSync        *self,
                    const char    *url,
                    const char    *ca_file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gboolean ok;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return FALSE;
  ok = set_server (self, url, ca_file, cancellable, error);
  round_lock_release (self, lock);
  return ok;
}

/* Reports on the server -------------------------------------------------------------- */

/**
 * cl_sync_role_may_report:
 *
 * Whether the role this vault was enrolled with may ask the server for reports
 * (supervisors, directors and data staff; docs/REPORTS.md). %FALSE when the vault is not
 * enrolled. The server decides in the end: a role changed since enrollment is refused
 * there (403).
 */
gboolean
cl_sync_role_may_report (ClSync *self)
{
  g_autofree char *url = NULL;
  g_autofree char *role = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  url = meta_get (self, "sync_url");
  role = meta_get (self, "sync_role");
  return url != NULL && (g_strcmp0 (role, "supervisor") == 0 ||
                         g_strcmp0 (role, "director") == 0 || g_strcmp0 (role, "data") == 0);
}

static char *
report_request_encode (const ClReportParams *p,
                       gsize                *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  const struct { const char *name; ClDay day; } days[] = {
    { "from", p->from }, { "to", p->to }, { "as_of", p->as_of }, { "today", p->today },
  };
  const struct { const char *name; const char *value; } texts[] = {
    { "borough", p->borough }, { "advocate", p->advocate }, { "track", p->track },
    { "funding", p->funding },
  };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    if (days[i].day != CL_DAY_NONE)
      {
        g_autofree char *text = cl_day_to_string (days[i].day);

        json_builder_set_member_name (b, days[i].name);
        json_builder_add_string_value (b, text);
      }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i].value != NULL)
      {
        json_builder_set_member_name (b, texts[i].name);
        json_builder_add_string_value (b, texts[i].value);
      }
  if (p->commands != NULL && p->commands[0] != NULL)
    {
      json_builder_set_member_name (b, "commands");
      json_builder_begin_array (b);
      for (guint i = 0; p->commands[i] != NULL; i++)
        json_builder_add_string_value (b, p->commands[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "fiscal_start_month");
  json_builder_add_int_value (b, p->fiscal_start_month);
  json_builder_set_member_name (b, "stale_days");
  json_builder_add_int_value (b, p->stale_days);
  json_builder_set_member_name (b, "outside");
  json_builder_add_boolean_value (b, p->outside);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_int_value (b, p->threshold);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  *len = strlen (text);
  return text;
}

/* The answer is the report asked for: its name, period, filters and use. A server that
 * answers unsuppressed figures to a request for outside use is refused. */
static gboolean
report_answers_request (const ClReportResult *r,
                        const char           *name,
                        const ClReportParams *p)
{
  const ClReportParams *q = r->params;

  if (g_strcmp0 (r->name, name) != 0 || q->from != p->from || q->to != p->to ||
      r->suppressed != p->outside || (p->outside && q->threshold != p->threshold) ||
      (p->as_of != CL_DAY_NONE && q->as_of != p->as_of) ||
      g_strcmp0 (q->borough, p->borough) != 0 || g_strcmp0 (q->advocate, p->advocate) != 0 ||
      g_strcmp0 (q->track, p->track) != 0 || g_strcmp0 (q->funding, p->funding) != 0 ||
      q->fiscal_start_month != p->fiscal_start_month || q->stale_days != p->stale_days)
    return FALSE;
  /* Commands asked for come back as asked; none asked: the server names the ones it
   * counted. */
  if (p->commands != NULL && p->commands[0] != NULL)
    return q->commands != NULL &&
           g_strv_equal ((const char * const *) q->commands, (const char * const *) p->commands);
  return TRUE;
}

/**
 * cl_sync_run_report:
 * @name: a report's name (cl_report_lookup())
 * @params: its parameters; with @params->outside the server suppresses small cells
 *
 * Asks the server to compute report @name over every case the user may read there (POST
 * /v1/reports/NAME, docs/PROTOCOL.md), in the vault's authenticated session: an expired
 * token is refreshed once, as in a round. The answer is read with
 * cl_report_result_from_json() and must be the report asked for. Blocks; waits for a
 * round running on the vault (a refresh rotates the tokens).
 *
 * Returns: (transfer full): the result (source %CL_REPORT_SOURCE_SERVER), or %NULL with
 *   @error set in %CL_SYNC_ERROR: %CL_SYNC_ERROR_NOT_ENROLLED, _NETWORK, _TLS, _AUTH,
 *   _REFUSED (403: the role may not, or a command is not the user's), _SERVER,
 *   _PROTOCOL (an answer not understood), ...
 */
ClReportResult *
cl_sync_run_report (ClSync               *self,
                    const char           *name,
                    const ClReportParams *params,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autofree char *url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClReportResult) result = NULL;
  g_auto(Conn) conn = { 0 };
  g_auto(Reply) reply = { 0 };
  const char *data;
  gsize len;
  gboolean sent;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);
  g_return_val_if_fail (cl_report_lookup (name) != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  url = meta_get (self, "sync_url");
  if (url == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return NULL;
    }
  body = report_request_encode (params, &len);
  path = g_strconcat ("/v1/reports/", name, NULL);

  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return NULL;
  sent = conn_open (self, &conn, url, error);
  if (sent)
    {
      conn.token = meta_get (self, "sync_token");
      sent = http_send (&conn, "POST", path, body, len, &reply, cancellable, error);
    }
  round_lock_release (self, lock);
  if (!sent)
    return NULL;
  if (reply.status != 200)
    {
      reply_error (&conn, &reply, NULL, NULL, NULL, error);
      return NULL;
    }

  data = g_bytes_get_data (reply.body, &len);
  result = cl_report_result_from_json (data, len, &local_error);
  if (result != NULL && !report_answers_request (result, name, params))
    g_set_error_literal (&local_error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_RESULT,
                         "not the report asked for");
  if (local_error != NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server's report was not understood (%s); nothing is shown from it."),
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&result);
}

static void
report_free (gpointer data)
{
  cl_sync_report_clear (data);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ClSyncReport *report = g_new0 (ClSyncReport, 1);
  GError *error = NULL;

  if (cl_sync_run (source, report, cancellable, &error))
    g_task_return_pointer (task, report, report_free);
  else
    {
      g_task_set_task_data (task, report, report_free);
      g_task_return_error (task, error);
    }
}

void
cl_sync_run_async (ClSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CL_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_sync_run_async);
  g_task_run_in_thread (task, run_thread);
}

/**
 * cl_sync_run_finish:
 * @report: (out caller-allocates) (optional): what the round did, also when it failed
 */
gboolean
cl_sync_run_finish (ClSync        *self,
                    GAsyncResult  *result,
                    ClSyncReport  *report,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  ClSyncReport *r;
  GTask *task = G_TASK (result);

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  r = g_task_propagate_pointer (task, &local_error);
  if (r == NULL)
    r = g_task_get_task_data (task);
  if (report != NULL && r != NULL)
    {
      *report = *r;
      report->revoked = g_strdup (r->revoked);
    }
  if (r != NULL && r != g_task_get_task_data (task))
    report_free (r);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Status and conflicts ------------------------------------------------------------- */

static gboolean
get_status_locked (ClSync        *self,
                   ClSyncStatus  *status,
                   GError       **error)
{
  sqlite3 *db = db_of (self);

  status->server = meta_get (self, "sync_url");
  status->username = meta_get (self, "sync_username");
  status->cursor = meta_get_int (self, "sync_cursor");
  status->acked_seq = meta_get_int (self, "sync_acked_seq");
  status->last_success = meta_get (self, "sync_last_success");
  status->last_error = meta_get (self, "sync_last_error");
  status->device_id = meta_get (self, "sync_device_id");
  return cl_sql_query_int (db, "SELECT count(*) FROM outbox", &status->pending, error) &&
         cl_sql_query_int (db, "SELECT count(*) FROM conflict WHERE resolved_at IS NULL",
                           &status->open_conflicts, error) &&
         cl_sql_query_int (db, "SELECT count(*) FROM rejected WHERE dismissed = 0",
                           &status->rejected, error);
}

/**
 * cl_sync_get_status:
 *
 * Where sync stands, as committed: read under the store's lock, so never a transaction
 * another thread has open.
 */
gboolean
cl_sync_get_status (ClSync        *self,
                    ClSyncStatus  *status,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  memset (status, 0, sizeof *status);
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = get_status_locked (self, status, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

static GPtrArray *
list_conflicts_locked (ClSync    *self,
                       gboolean   open_only,
                       GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_conflict_free);
  sqlite3 *db = db_of (self);

  stmt = cl_sql_prepare (db, open_only
                         ? "SELECT id, record_type, record_id, field, local_value, server_value, "
                           "server_version, created_at, resolved_at, resolution, local_by, "
                           "local_at, server_by, server_at FROM conflict "
                           "WHERE resolved_at IS NULL ORDER BY created_at DESC"
                         : "SELECT id, record_type, record_id, field, local_value, server_value, "
                           "server_version, created_at, resolved_at, resolution, local_by, "
                           "local_at, server_by, server_at FROM conflict "
                           "ORDER BY created_at DESC", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClConflict *c = g_new0 (ClConflict, 1);

#define COL(i) g_strdup ((const char *) sqlite3_column_text (stmt, i))
      c->id = COL (0);
      c->record_type = COL (1);
      c->record_id = COL (2);
      c->field = COL (3);
      c->local_value = COL (4);
      c->server_value = COL (5);
      c->server_version = sqlite3_column_int64 (stmt, 6);
      c->created_at = COL (7);
      c->resolved_at = COL (8);
      c->resolution = COL (9);
      c->local_by = COL (10);
      c->local_at = COL (11);
      c->server_by = COL (12);
      c->server_at = COL (13);
#undef COL
      /* This workstation's own losses carry its own time of the edit (docs/SYNC.md). */
      c->elsewhere = c->local_at == NULL;
      g_ptr_array_add (out, c);
    }
  return g_steal_pointer (&out);
}

/**
 * cl_sync_list_conflicts:
 *
 * Returns: (transfer full) (element-type ClConflict): conflicts, newest first
 */
GPtrArray *
cl_sync_list_conflicts (ClSync    *self,
                        gboolean   open_only,
                        GError   **error)
{
  GPtrArray *out;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  out = list_conflicts_locked (self, open_only, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return out;
}

void
cl_rejected_free (ClRejected *r)
{
  if (r == NULL)
    return;
  g_free (r->mutation_id);
  g_free (r->record_type);
  g_free (r->record_id);
  g_free (r->op);
  g_free (r->changes);
  g_free (r->code);
  g_free (r->reason);
  g_free (r->at);
  g_free (r);
}

static GPtrArray *
list_rejected_locked (ClSync  *self,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_rejected_free);
  sqlite3 *db = db_of (self);

  stmt = cl_sql_prepare (db, "SELECT mutation_id, seq, record_type, record_id, changes, code, "
                             "reason, at, op FROM rejected WHERE dismissed = 0 "
                             "ORDER BY at DESC, seq DESC", error);
  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClRejected *r = g_new0 (ClRejected, 1);

#define COL(i) g_strdup ((const char *) sqlite3_column_text (stmt, i))
      r->mutation_id = COL (0);
      r->seq = sqlite3_column_int64 (stmt, 1);
      r->record_type = COL (2);
      r->record_id = COL (3);
      r->changes = COL (4);
      r->code = COL (5);
      r->reason = COL (6);
      r->at = COL (7);
      r->op = COL (8);
#undef COL
      g_ptr_array_add (out, r);
    }
  return g_steal_pointer (&out);
}

/**
 * cl_sync_list_rejected:
 *
 * Returns: (transfer full) (element-type ClRejected): refused mutations not dismissed yet,
 *   newest first
 */
GPtrArray *
cl_sync_list_rejected (ClSync  *self,
                       GError **error)
{
  GPtrArray *out;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  out = list_rejected_locked (self, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return out;
}

/* The refused mutation @mutation_id still listed, or %NULL (NOT_FOUND). */
static ClRejected *
find_rejected (ClSync      *self,
               const char  *mutation_id,
               GError     **error)
{
  g_autoptr(GPtrArray) all = cl_sync_list_rejected (self, error);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((ClRejected *) g_ptr_array_index (all, i))->mutation_id, mutation_id) == 0)
      return g_ptr_array_steal_index (all, i);
  g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
               _("There is no refused change with id %s"), mutation_id);
  return NULL;
}

/**
 * cl_rejected_parse_changes:
 *
 * Returns: (transfer full): the refused mutation's changes, field → {"old", "new"}; an
 *   empty object if they cannot be read
 */
JsonObject *
cl_rejected_parse_changes (const ClRejected *r)
{
  g_autoptr(GPtrArray) changes = _cl_outbox_changes_parse (r->changes, NULL);
  JsonObject *out = json_object_new ();

  for (guint i = 0; changes != NULL && i < changes->len; i++)
    {
      ClOutboxChange *c = g_ptr_array_index (changes, i);
      JsonObject *change = json_object_new ();

      if (c->old_value != NULL)
        json_object_set_string_member (change, "old", c->old_value);
      else
        json_object_set_null_member (change, "old");
      if (c->new_value != NULL)
        json_object_set_string_member (change, "new", c->new_value);
      else
        json_object_set_null_member (change, "new");
      json_object_set_object_member (out, c->field, change);
    }
  return out;
}

/**
 * cl_rejected_change_value:
 * @member: "old" or "new"
 *
 * Returns: (nullable): that value of @field in @changes, %NULL when empty or absent
 */
const char *
cl_rejected_change_value (JsonObject *changes,
                          const char *field,
                          const char *member)
{
  JsonNode *node = json_object_get_member (changes, field);
  JsonObject *change;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  change = json_node_get_object (node);
  if (!json_object_has_member (change, member) || json_object_get_null_member (change, member))
    return NULL;
  return json_object_get_string_member (change, member);
}

/* Whether a mutation this device made after seq @seq (still queued, or taken by the server)
 * changes @field of @record_id: a person's later word stands over the refused one. */
static gboolean
changed_later (ClSync      *self,
               const char  *record_id,
               const char  *field,
               gint64       seq,
               gboolean    *later,
               GError     **error)
{
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  *later = FALSE;
  stmt = cl_sql_prepare (db_of (self), "SELECT changes FROM outbox WHERE record_id = ?1 AND "
                         "seq > ?2 UNION ALL SELECT changes FROM sent WHERE record_id = ?1 AND "
                         "seq > ?2", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, record_id);
  cl_sql_bind_text (stmt, 2, after);
  while (!*later && sqlite3_step (stmt) == SQLITE_ROW)
    *later = _cl_outbox_changes_has ((const char *) sqlite3_column_text (stmt, 0), field);
  return TRUE;
}

/* The first column of @sql's first row for @id; %NULL in @value when there is none. */
static gboolean
query_one (ClSync      *self,
           const char  *sql,
           const char  *id,
           char       **value,
           GError     **error)
{
  GError *local_error = NULL;

  *value = cl_sql_query_text (db_of (self), &local_error, sql, id, CL_SQL_END);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Reads @field of the record (any column of its table the schema names). */
static gboolean
local_value (ClSync        *self,
             const ClType  *type,
             const char    *id,
             const char    *field,
             char         **value,
             GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field, type->table);

  return query_one (self, sql, id, value, error);
}

/* Sets @field of the record as a person's edit does (time, user, history). */
static gboolean
set_local_value (ClSync        *self,
                 const ClType  *type,
                 const char    *id,
                 const char    *field,
                 const char    *old_value,
                 const char    *new_value,
                 GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ?, "
                                          "updated_by = ? WHERE id = ?", type->table, field);
  g_autofree char *now = cl_now_utc ();
  const char *user = cl_store_get_user (self->store);

  return cl_sql_exec_params (db_of (self), error, sql, new_value, now, user, id, CL_SQL_END) &&
         cl_sql_exec_params (db_of (self), error,
                             "INSERT INTO history (record_type, record_id, op, field, "
                             "old_value, new_value, at, by, origin) "
                             "VALUES (?, ?, 'update', ?, ?, ?, ?, ?, 'local')",
                             type->name, id, field, old_value, new_value, now, user,
                             CL_SQL_END);
}

/* The record's version and whether it is deleted; @found is FALSE when the vault no longer
 * holds it (it left this user's scope). */
static gboolean
record_state (ClSync        *self,
              const ClType  *type,
              const char    *id,
              gboolean      *found,
              gint64        *version,
              gboolean      *deleted,
              GError       **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT version, deleted FROM %s WHERE id = ?",
                                          type->table);
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db_of (self), sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  *version = *found ? sqlite3_column_int64 (stmt, 0) : 0;
  *deleted = *found && sqlite3_column_int (stmt, 1) != 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db_of (self), rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refresh_record (ClSync        *self,
                const ClType  *type,
                const char    *id,
                GError       **error)
{
  g_autoptr(ClRecord) record = cl_store_get (self->store, type->name, id, NULL);

  return record == NULL || _cl_store_refresh_dependents (self->store, type, record, error);
}

/* Whether a record of this vault names @id as its client or case. */
static gboolean
has_dependents (ClSync      *self,
                const char  *id,
                gboolean    *any,
                GError     **error)
{
  const ClType *types;
  guint n;

  *any = FALSE;
  types = cl_schema_types (&n);
  for (guint i = 0; i < n && !*any; i++)
    {
      g_autofree char *sql = NULL;
      g_autofree char *hit = NULL;

      if (types[i].parent == NULL)
        continue;
      sql = g_strdup_printf ("SELECT id FROM %s WHERE %s = ? LIMIT 1", types[i].table,
                             types[i].parent);
      if (!query_one (self, sql, id, &hit, error))
        return FALSE;
      *any = hit != NULL;
    }
  return TRUE;
}

/* Puts the record back as the server holds it: a refused delete is undone, a refused
 * creation removed, each refused field edit takes its former value back unless the field
 * changed since (a pull brought the server's value, or a later edit of this device). */
static gboolean
undo_rejected (ClSync        *self,
               const ClType  *type,
               ClRejected    *r,
               GError       **error)
{
  g_autoptr(JsonObject) changes = cl_rejected_parse_changes (r);
  g_autoptr(GList) fields = NULL;
  gboolean found, deleted, later;
  gint64 version;

  /* A record type this version does not know is not in the vault either. */
  if (type == NULL)
    return TRUE;
  if (!record_state (self, type, r->record_id, &found, &version, &deleted, error))
    return FALSE;
  if (!found)
    return TRUE;

  if (g_strcmp0 (r->op, "delete") == 0)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = 0 WHERE id = ?",
                                              type->table);

      if (!deleted || field_pending (self, r->record_id, "_deleted", r->seq))
        return TRUE;
      return cl_sql_exec_params (db_of (self), error, sql, r->record_id, CL_SQL_END) &&
             refresh_record (self, type, r->record_id, error);
    }

  if (version == 0)
    {
      gboolean any;

      /* Created here and never taken by the server. */
      if (!has_dependents (self, r->record_id, &any, error))
        return FALSE;
      if (any)
        {
          g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                       _("Other records of this vault belong to this %s: discard their "
                         "refused changes first."), type->name);
          return FALSE;
        }
      return purge_record (self, type, r->record_id, error);
    }

  fields = json_object_get_members (changes);
  for (GList *l = fields; l != NULL; l = l->next)
    {
      const char *field = l->data;
      const ClField *f = cl_type_lookup_field (type, field);
      g_autofree char *shown = NULL;

      if (f == NULL || (f->flags & CL_FIELD_DERIVED))
        continue;
      if (!changed_later (self, r->record_id, field, r->seq, &later, error) ||
          !local_value (self, type, r->record_id, field, &shown, error))
        return FALSE;
      if (later || g_strcmp0 (shown, cl_rejected_change_value (changes, field, "new")) != 0)
        continue;
      if (!set_local_value (self, type, r->record_id, field, shown,
                            cl_rejected_change_value (changes, field, "old"), error))
        return FALSE;
    }
  return refresh_record (self, type, r->record_id, error);
}

typedef gboolean (*RejectedOp) (ClSync        *self,
                                const ClType  *type,
                                ClRejected    *r,
                                GError       **error);

/* Runs @op on the refused change @mutation_id and takes it off the list, in one
 * transaction. */
static gboolean
settle_rejected (ClSync      *self,
                 const char  *mutation_id,
                 RejectedOp   op,
                 GError     **error)
{
  g_autoptr(ClRejected) r = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (mutation_id != NULL, FALSE);

  if (!cl_store_begin (self->store, error))
    return FALSE;
  if ((r = find_rejected (self, mutation_id, error)) == NULL ||
      !op (self, cl_schema_lookup_type (r->record_type), r, error) ||
      /* The row stays, dismissed, so that the same refusal answered again (a server
       * restored from a dump) is not listed twice; the refused values go. */
      !cl_sql_exec_params (db_of (self), error, "UPDATE rejected SET dismissed = 1, "
                           "changes = '{}' WHERE mutation_id = ?", mutation_id, CL_SQL_END))
    {
      cl_store_rollback (self->store);
      return FALSE;
    }
  if (!cl_store_commit (self->store, error))
    return FALSE;
  _cl_store_emit_changed (self->store, r->record_type, r->record_id);
  return TRUE;
}

/**
 * cl_sync_discard_rejected:
 *
 * Gives up a refused change: it leaves the "needs attention" list and the vault shows the
 * record as the server holds it (a refused delete is undone, a refused creation removed,
 * refused field values take their former values back; a field changed since keeps its
 * value). Nothing is sent.
 */
gboolean
cl_sync_discard_rejected (ClSync      *self,
                          const char  *mutation_id,
                          GError     **error)
{
  return settle_rejected (self, mutation_id, undo_rejected, error);
}

/* Queues the refused edit again on the record's current version: the refused values of the
 * fields no later edit of this device changed (for a record the server never took, its
 * creation with the values the vault shows). */
static gboolean
retry_put (ClSync        *self,
           const ClType  *type,
           ClRejected    *r,
           gint64         version,
           GError       **error)
{
  g_autoptr(JsonObject) changes = cl_rejected_parse_changes (r);
  g_autoptr(GList) fields = json_object_get_members (changes);
  g_autoptr(GString) json = _cl_outbox_changes_new ();
  g_autofree char *now = cl_now_utc ();
  guint n = 0;

  for (GList *l = fields; l != NULL; l = l->next)
    {
      const char *field = l->data;
      const ClField *f = cl_type_lookup_field (type, field);
      g_autofree char *shown = NULL;
      const char *value, *old;
      gboolean later = FALSE;

      if (f == NULL || (f->flags & CL_FIELD_DERIVED))
        continue;
      if ((version > 0 && !changed_later (self, r->record_id, field, r->seq, &later, error)) ||
          !local_value (self, type, r->record_id, field, &shown, error))
        return FALSE;
      if (later)
        continue;
      value = version > 0 ? cl_rejected_change_value (changes, field, "new") : shown;
      /* "old" is the server's value as far as this vault knows: what a pull brought since,
       * or else what the refused change replaced (a discard of this one puts it back). */
      old = version == 0 ? NULL : g_strcmp0 (value, shown) != 0 ? shown
                                : cl_rejected_change_value (changes, field, "old");
      if (g_strcmp0 (value, shown) != 0 &&
          !set_local_value (self, type, r->record_id, field, shown, value, error))
        return FALSE;
      _cl_outbox_changes_add (json, field, old, value);
      n++;
    }
  _cl_outbox_changes_close (json);
  if (n == 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("Every field of this change was changed again since: there is nothing "
                     "left to retry."));
      return FALSE;
    }
  return _cl_store_queue_mutation (self->store, type, r->record_id, "put", version, json->str,
                                   now, error) &&
         refresh_record (self, type, r->record_id, error);
}

static gboolean
retry_rejected (ClSync        *self,
                const ClType  *type,
                ClRejected    *r,
                GError       **error)
{
  gboolean found, deleted;
  g_autofree char *now = cl_now_utc ();
  gint64 version;

  if (type == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("This change is of a record type this version does not know."));
      return FALSE;
    }
  if (!record_state (self, type, r->record_id, &found, &version, &deleted, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                   _("The record of this change is no longer in this vault: the change can "
                     "only be discarded."));
      return FALSE;
    }
  if (g_strcmp0 (r->op, "delete") != 0)
    return retry_put (self, type, r, version, error);
  return deleted ? _cl_store_queue_mutation (self->store, type, r->record_id, "delete",
                                             version, "{}", now, error)
                 : cl_store_delete (self->store, type->name, r->record_id, error);
}

/**
 * cl_sync_retry_rejected:
 *
 * Puts a refused change back in the outbox as a new mutation on the record's current
 * version, so the next round sends it again (after whatever made the server refuse it was
 * fixed); it leaves the "needs attention" list. A refused field edit is sent for the fields
 * no later edit of this device changed; a record the server never took is sent whole as a
 * creation; a refused delete is sent again.
 */
gboolean
cl_sync_retry_rejected (ClSync      *self,
                        const char  *mutation_id,
                        GError     **error)
{
  return settle_rejected (self, mutation_id, retry_rejected, error);
}

/* Before a resolution of @c changes its record: keeps beside the conflict what the record
 * shows of the field, with the record's version: the server's latest value this vault knows
 * (a pull or a push answer put it there; a local edit still queued is pushed before the
 * resolution is uploaded). While another resolution of the field waits, the value kept for
 * that one instead. keep_pulled() replaces it with newer ones until the server takes the
 * resolution. @shown receives the value (the conflict's server_value when the record is
 * missing). */
static gboolean
keep_shown_value (ClSync            *self,
                  const ClType      *type,
                  const ClConflict  *c,
                  char             **shown,
                  GError           **error)
{
  sqlite3 *db = db_of (self);
  g_autofree char *sql = NULL;
  g_autofree char *version = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT pulled_value, pulled_version, 0 AS o FROM conflict "
                         "WHERE record_id = ? AND field = ? AND resolved_at IS NOT NULL AND "
                         "uploaded = 0 AND pulled_version IS NOT NULL "
                         "UNION ALL SELECT %s, version, 1 FROM %s WHERE id = ? "
                         "ORDER BY o LIMIT 1",
                         strcmp (c->field, "_deleted") == 0 ? "deleted" : c->field,
                         type->table);
  if ((stmt = cl_sql_prepare (db, sql, error)) == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, c->record_id);
  cl_sql_bind_text (stmt, 2, c->field);
  cl_sql_bind_text (stmt, 3, c->record_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        {
          cl_sql_set_error (error, db, rc);
          return FALSE;
        }
      *shown = g_strdup (c->server_value);
      return TRUE;
    }
  *shown = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  version = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1));
  return cl_sql_exec_params (db, error, "UPDATE conflict SET pulled_value = ?, "
                             "pulled_version = ? WHERE id = ?", *shown, version, c->id,
                             CL_SQL_END);
}

/* cl_sync_resolve() with the store's lock held. */
static gboolean
resolve_locked (ClSync      *self,
                const char  *conflict_id,
                const char  *keep,
                const char  *value,
                GError     **error)
{
  g_autoptr(GPtrArray) all = NULL;
  ClConflict *c = NULL;
  g_autofree char *now = cl_now_utc ();
  g_autofree char *normalized = NULL;
  const char *chosen = NULL;
  const ClType *type;
  sqlite3 *db;

  if (g_strcmp0 (keep, "theirs") != 0 && g_strcmp0 (keep, "mine") != 0 &&
      g_strcmp0 (keep, "value") != 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("Keep “theirs”, “mine” or a new value."));
      return FALSE;
    }
  if ((all = cl_sync_list_conflicts (self, TRUE, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (((ClConflict *) g_ptr_array_index (all, i))->id, conflict_id) == 0)
      c = g_ptr_array_index (all, i);
  if (c == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                   _("There is no open conflict with id %s"), conflict_id);
      return FALSE;
    }
  type = cl_schema_lookup_type (c->record_type);

  if (strcmp (c->field, "_deleted") == 0 && strcmp (keep, "value") == 0)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("A deleted record is kept (“theirs”) or deleted (“mine”), not given a "
                     "value."));
      return FALSE;
    }
  chosen = strcmp (keep, "mine") == 0 ? c->local_value : value;

  if (strcmp (keep, "value") == 0 && type != NULL && value != NULL &&
      cl_type_lookup_field (type, c->field) != NULL)
    {
      normalized = cl_field_normalize (cl_type_lookup_field (type, c->field), value, error);
      if (normalized == NULL)
        return FALSE;
      chosen = normalized;
    }
  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = db_of (self);
  if (type != NULL && strcmp (c->field, "_deleted") == 0)
    {
      /* "theirs" keeps the record as the server holds it now: deleted since, maybe. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = ? WHERE id = ?",
                                              type->table);
      g_autofree char *shown = NULL;

      if (!keep_shown_value (self, type, c, &shown, error) ||
          !cl_sql_exec_params (db, error, sql,
                               strcmp (keep, "mine") == 0 || g_strcmp0 (shown, "1") == 0
                               ? "1" : "0", c->record_id, CL_SQL_END))
        goto fail;
    }
  else if (type != NULL && cl_type_lookup_field (type, c->field) != NULL)
    {
      /* Written beside the outbox: the server applies the resolution itself. */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ?, "
                                              "updated_by = ? WHERE id = ?", type->table,
                                              c->field);
      g_autofree char *shown = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(ClRecord) record = NULL;

      if (!keep_shown_value (self, type, c, &shown, error))
        goto fail;
      /* "theirs" keeps what the server holds now, which may have changed since the
       * conflict was made. */
      if (strcmp (keep, "theirs") == 0)
        chosen = shown;
      if (!cl_sql_exec_params (db, error, sql, chosen, now, cl_store_get_user (self->store),
                               c->record_id, CL_SQL_END) ||
          !cl_sql_exec_params (db, error,
                               "INSERT INTO history (record_type, record_id, op, field, "
                               "old_value, new_value, at, by, origin) "
                               "VALUES (?, ?, 'resolve', ?, ?, ?, ?, ?, 'local')",
                               c->record_type, c->record_id, c->field, c->server_value, chosen,
                               now, cl_store_get_user (self->store), CL_SQL_END))
        goto fail;
      record = cl_store_get (self->store, c->record_type, c->record_id, &local_error);
      if (record != NULL &&
          !_cl_store_refresh_dependents (self->store, type, record, error))
        goto fail;
    }
  if (!cl_sql_exec_params (db, error,
                           "UPDATE conflict SET resolved_at = ?, resolution = ?, resolved_value = ?, "
                           "uploaded = 0 WHERE id = ?", now, keep,
                           strcmp (keep, "value") == 0 ? chosen : NULL, conflict_id, CL_SQL_END))
    goto fail;
  if (!cl_store_commit (self->store, error))
    return FALSE;
  _cl_store_emit_changed (self->store, c->record_type, c->record_id);
  return TRUE;

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/**
 * cl_sync_resolve:
 * @keep: "theirs", "mine" or "value"
 * @value: (nullable): the new value, with @keep = "value"
 *
 * Resolves a conflict. The vault shows the chosen value at once; the resolution is queued
 * in the conflict record (like an outbox mutation: it survives offline and crashes) and the
 * next round tells the server, which applies it as a new version of the record that every
 * device then pulls. Until then a pull keeps the chosen value on top.
 */
gboolean
cl_sync_resolve (ClSync      *self,
                 const char  *conflict_id,
                 const char  *keep,
                 const char  *value,
                 GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  /* The conflict is read and settled with no other thread's write in between. */
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = resolve_locked (self, conflict_id, keep, value, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}

/**
 * cl_sync_report_heal_notice:
 *
 * Returns: (transfer full) (nullable): what the person must know after a round in which
 *   the server's database or this vault had gone back to an earlier copy (one sentence a
 *   line), or %NULL when neither had
 */
char *
cl_sync_report_heal_notice (const ClSyncReport *report)
{
  GString *notice;

  g_return_val_if_fail (report != NULL, NULL);

  if (report->resent == 0 && report->lost == 0 && report->renumbered == 0 &&
      report->reopened == 0)
    return NULL;
  notice = g_string_new (NULL);
  if (report->resent > 0)
    g_string_append_printf (notice,
                            ngettext ("The server's database was restored from an earlier "
                                      "copy: %lld change it had lost was sent again.\n",
                                      "The server's database was restored from an earlier "
                                      "copy: %lld changes it had lost were sent again.\n",
                                      (gulong) report->resent),
                            (long long) report->resent);
  if (report->lost > 0)
    g_string_append_printf (notice,
                            ngettext ("%lld change the restored server lost is older than "
                                      "this workstation keeps sent changes; it must be "
                                      "entered again. Call your administrator.\n",
                                      "%lld changes the restored server lost are older than "
                                      "this workstation keeps sent changes; they must be "
                                      "entered again. Call your administrator.\n",
                                      (gulong) report->lost),
                            (long long) report->lost);
  if (report->renumbered > 0)
    g_string_append_printf (notice,
                            ngettext ("This vault was restored from a backup: %lld waiting "
                                      "change was given a new number and sent.\n",
                                      "This vault was restored from a backup: %lld waiting "
                                      "changes were given new numbers and sent.\n",
                                      (gulong) report->renumbered),
                            (long long) report->renumbered);
  if (report->reopened > 0)
    g_string_append_printf (notice,
                            ngettext ("%u conflict you had settled is open again: the "
                                      "server's database was restored from before it was "
                                      "settled.\n",
                                      "%u conflicts you had settled are open again: the "
                                      "server's database was restored from before they were "
                                      "settled.\n", report->reopened),
                            report->reopened);
  g_string_truncate (notice, notice->len - 1);
  return g_string_free (notice, FALSE);
}

/**
 * cl_sync_backoff_ms:
 * @failures: failed rounds in a row (1 for the first)
 * @retry_after_s: the server's Retry-After, or 0
 *
 * Returns: how long to wait before the next automatic round: exponential from 1 s to
 *   5 min with full jitter, never less than Retry-After
 */
guint
cl_sync_backoff_ms (guint failures,
                    guint retry_after_s)
{
  guint64 cap = 1000;

  for (guint i = 1; i < failures && cap < 300000; i++)
    cap *= 2;
  cap = MIN (cap, 300000);
  cap = g_random_int_range (500, (gint32) cap + 1);
  return (guint) MAX (cap, (guint64) retry_after_s * 1000);
}

/**
 * cl_sync_error_is_transient:
 *
 * Returns: whether a failed round is worth retrying by itself after cl_sync_backoff_ms():
 *   the network, a busy or failing server, another program's round on this vault. Refusals (400, 401, 403, 409, 422), TLS and
 *   protocol errors and revocation need a person and are never retried blindly.
 */
gboolean
cl_sync_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != CL_SYNC_ERROR)
    return FALSE;
  return error->code == CL_SYNC_ERROR_NETWORK || error->code == CL_SYNC_ERROR_SERVER ||
         error->code == CL_SYNC_ERROR_THROTTLED || error->code == CL_SYNC_ERROR_BUSY;
}

/* Object --------------------------------------------------------------------------- */

static void
cl_sync_finalize (GObject *object)
{
  ClSync *self = (ClSync *) object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->device_name, g_free);
  g_clear_pointer (&self->new_password, cl_secret_free);
  g_mutex_clear (&self->round_lock);

  G_OBJECT_CLASS (cl_sync_parent_class)->finalize (object);
}

static void
cl_sync_class_init (ClSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_sync_finalize;
}

static void
cl_sync_init (ClSync *self)
{
  g_mutex_init (&self->round_lock);
}

ClSync *
cl_sync_new (ClStore *store)
{
  ClSync *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  return self;
}
