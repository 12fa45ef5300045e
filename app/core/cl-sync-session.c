/* cl-sync-session.c: the client session: requests, tokens, enrollment and sign-in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the sync engine (cl-sync.c).
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
#include "cl-sync-private.h"

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
anchors_database (const char  *ca_pem,
                  const char  *bundle,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *anchors = g_strconcat (ca_pem, "\n", bundle != NULL ? bundle : "",
                                           NULL);

  if (!g_file_set_contents_full (path, anchors, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error))
    return NULL;
  return g_tls_file_database_new (path, error);
}

void
_cl_sync_conn_clear (Conn *conn)
{
  g_clear_object (&conn->session);
  g_clear_pointer (&conn->base, g_free);
  if (conn->token != NULL)
    {
      memset (conn->token, 0, strlen (conn->token));
      g_clear_pointer (&conn->token, g_free);
    }
}

static guint
network_timeout (void)
{
  const char *env = g_getenv ("CASELOAD_SYNC_TIMEOUT");
  guint64 v = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 0;

  return v > 0 && v <= 600 ? (guint) v : 60;
}

static SoupSession *
session_new (GTlsDatabase *tls)
{
  /* Idle connections close before nginx's keepalive_timeout (30 s) would close them. */
  return soup_session_new_with_options ("tls-database", tls,
                                        "timeout", network_timeout (),
                                        "idle-timeout", 20,
                                        "user-agent", "caseload/" PACKAGE_VERSION,
                                        NULL);
}

static void
conn_open_with (ClSync      *self,
                Conn        *conn,
                const char  *url,
                SoupSession *session)
{
  conn->session = session;
  conn->base = g_str_has_suffix (url, "/") ? g_strndup (url, strlen (url) - 1) : g_strdup (url);
  conn->owner = self;
}

/* A connection to @url trusting the CA enrolled with (and the server's trust bundle).
 * The session (its TLS database, and the connections it keeps alive) is kept on @self and
 * used again while the address, the CA and the bundle are the ones it was made with; any
 * change to them (set-server, a new bundle) makes a new one. */
gboolean
_cl_sync_conn_open (ClSync      *self,
                    Conn        *conn,
                    const char  *url,
                    GError     **error)
{
  g_autofree char *pem = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GTlsDatabase) tls = NULL;

  if (!cl_sync_check_url (url, error))
    return FALSE;
  pem = _cl_sync_meta_get (self, "sync_ca");
  if (pem == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE,
                   _("No certificate authority is stored for the server; enroll again."));
      return FALSE;
    }
  bundle = _cl_sync_meta_get (self, "sync_trust");
  key = g_strjoin ("\n", url, pem, bundle != NULL ? bundle : "", NULL);

  g_mutex_lock (&self->session_lock);
  if (self->session == NULL || g_strcmp0 (self->session_key, key) != 0)
    {
      path = vault_file (self, CA_FILE);
      tls = anchors_database (pem, bundle, path, error);
      if (tls == NULL)
        {
          g_mutex_unlock (&self->session_lock);
          return FALSE;
        }
      g_clear_object (&self->session);
      self->session = session_new (tls);
      g_free (self->session_key);
      self->session_key = g_steal_pointer (&key);
    }
  conn_open_with (self, conn, url, g_object_ref (self->session));
  g_mutex_unlock (&self->session_lock);
  return TRUE;
}

void
_cl_sync_reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
}

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

/* An answer the wire format refused (@error, set by the decoder): a protocol error. */
void
_cl_sync_not_understood (GError **error)
{
  g_prefix_error (error, _("The server's answer was not understood: "));
  if (error != NULL && *error != NULL)
    {
      (*error)->domain = CL_SYNC_ERROR;
      (*error)->code = CL_SYNC_ERROR_PROTOCOL;
    }
}

/* Keeps a refresh's tokens in the vault, both or neither. */
static gboolean
keep_tokens (ClSync                    *self,
             const ClWireLoginResponse *resp,
             GError                   **error)
{
  return _cl_sync_meta_set_all (self, error, "sync_token", resp->token,
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
  g_autofree char *refresh = _cl_sync_meta_get (conn->owner, "sync_refresh_token");
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
      _cl_sync_reply_clear (reply);
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
gboolean
_cl_sync_http_send (Conn          *conn,
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
  _cl_sync_reply_clear (reply);
  *reply = (Reply) { 0 };
  return http_send_once (conn, method, path, body, len, reply, cancellable, error);
}

/* Turns a non-2xx answer into an error. *code receives the server's machine code; *seq the
 * seq a seq_gap expects or a seq_reused names (else -1). */
void
_cl_sync_reply_error (Conn    *conn,
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
  if (!_cl_sync_http_send (conn, "POST", "/v1/login", body, len, &reply, cancellable, error))
    {
      memset (body, 0, len);
      return FALSE;
    }
  memset (body, 0, len);
  if (reply.status != 200)
    {
      g_autofree char *code = NULL;
      g_autoptr(GError) refused = NULL;

      _cl_sync_reply_error (conn, &reply, &code, NULL, NULL, &refused);
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

  return _cl_sync_meta_set_all (self, error, "sync_token", resp->token,
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

  if (!_cl_sync_meta_set (self, "sync_ca", pem, error) ||
      !_cl_sync_conn_open (self, &conn, url, error) ||
      !do_login (self, &conn, username, password, NULL, cancellable, error))
    {
      /* Not enrolled: leave no half enrollment behind. */
      _cl_sync_meta_set (self, "sync_ca", NULL, NULL);
      return FALSE;
    }

  return _cl_sync_meta_set_all (self, error, "sync_url", url, "sync_username", username, NULL);
}

gboolean
cl_sync_is_enrolled (ClSync *self)
{
  g_autofree char *token = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  token = _cl_sync_meta_get (self, "sync_url");
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
  g_autofree char *url = _cl_sync_meta_get (self, "sync_url");
  g_autofree char *username = _cl_sync_meta_get (self, "sync_username");
  g_autofree char *device = _cl_sync_meta_get (self, "sync_device_id");
  g_auto(Conn) conn = { 0 };

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  if (url == NULL || username == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return FALSE;
    }
  return _cl_sync_conn_open (self, &conn, url, error) &&
         do_login (self, &conn, username, password, device, cancellable, error);
}

/* The trust bundle of a GET /v1/trust answer, checked (size, PEM, certificates only):
 * *bundle, or %NULL when the server sends none. */
gboolean
_cl_sync_decode_trust (Reply   *reply,
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

  if (!_cl_sync_http_send (conn, "GET", "/v1/health", NULL, 0, &health, cancellable, error))
    return FALSE;
  if (health.status != 200)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                   _("%s does not answer as a Caseload server (HTTP %u)."), url,
                   health.status);
      return FALSE;
    }
  conn->token = _cl_sync_meta_get (self, "sync_token");
  if (!_cl_sync_http_send (conn, "GET", "/v1/trust", NULL, 0, &trust, cancellable, error))
    return FALSE;
  if (trust.status != 200)
    {
      g_autoptr(GError) refused = NULL;

      _cl_sync_reply_error (conn, &trust, NULL, NULL, NULL, &refused);
      g_set_error (error, CL_SYNC_ERROR, refused->code,
                   _("The server at %s does not know this workstation; nothing was "
                     "changed."), url);
      return FALSE;
    }
  return _cl_sync_decode_trust (&trust, bundle, error);
}

/* cl_sync_set_server() with the vault's round lock held. */
gboolean
_cl_sync_set_server (ClSync        *self,
                     const char    *url,
                     const char    *ca_file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *pem = NULL;
  g_autofree char *probe_path = NULL;
  g_autofree char *old_bundle = NULL;
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
  pem = ca_file != NULL ? read_ca_file (ca_file, error) : _cl_sync_meta_get (self, "sync_ca");
  if (pem == NULL)
    return FALSE;

  /* The vault's anchors file stays as it is until the new server proved itself (the TLS
   * database reads its file while connecting). */
  probe_path = vault_file (self, CA_FILE ".new");
  old_bundle = _cl_sync_meta_get (self, "sync_trust");
  tls = anchors_database (pem, old_bundle, probe_path, error);
  if (tls != NULL)
    conn_open_with (self, &conn, url, session_new (tls));
  ok = tls != NULL && probe_server (self, &conn, url, &bundle, cancellable, error);
  g_unlink (probe_path);
  if (!ok)
    return FALSE;

  return _cl_sync_meta_set_all (self, error, "sync_url", url, "sync_ca", pem,
                       bundle != NULL ? "sync_trust" : NULL, bundle, NULL);
}
