/* srv-auth.c: passwords, tokens, sessions; login, logout and erase reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords are Argon2id strings (crypto_pwhash_str). A login for an unknown user verifies
 * against a dummy hash with the same parameters, and every failure (unknown user, wrong
 * password, disabled account) gives the same answer after the same work. Attempts are
 * counted in PostgreSQL (the server keeps no state) before any hashing, per account from
 * one address and per address; past a limit the next attempt must wait, longer each time
 * (429 until then). A success gives its attempt back. An attacker elsewhere cannot lock
 * the real user out: the count that holds an account is that of one address.
 *
 * A token is "clt_" and 43 base64url characters (32 random bytes). Only its BLAKE2b-256 is
 * stored. It expires when unused for token idle-timeout and token lifetime after login.
 *
 * With it a device gets a refresh token ("clr_", the same shape), bound to the device: POST
 * /v1/refresh trades it for a new pair and it is used up (rotated). A rotated one presented
 * again means a copy is in other hands: the device's tokens are revoked. Refresh works up to
 * refresh-max-age after the last sign-in with the password, and never for a revoked device,
 * a disabled account or a password an administrator reset.
 */

#define G_LOG_DOMAIN "srv-auth"

#include <string.h>

#include <libsoup/soup.h>
#include <sodium.h>

#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-records.h"

#define TOKEN_PREFIX "clt_"
#define TOKEN_BYTES 32

G_STATIC_ASSERT (sizeof CL_WIRE_REFRESH_PREFIX == sizeof TOKEN_PREFIX);

static const ClWireLimits empty_limits = { 64, 2, 16, 16, 4 };

char *
srv_auth_hash_password (const char  *password,
                        GError     **error)
{
  char *hash = g_malloc0 (crypto_pwhash_STRBYTES);

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_free (hash);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Out of memory for Argon2id");
      return NULL;
    }
  return hash;
}

static char *
token_hash_hex (const char *token)
{
  guint8 h[32];
  char hex[65];

  crypto_generichash (h, sizeof h, (const guint8 *) token, strlen (token), NULL, 0);
  sodium_bin2hex (hex, sizeof hex, h, sizeof h);
  return g_strdup (hex);
}

static char *
token_new (const char *prefix)
{
  guint8 raw[TOKEN_BYTES];
  char b64[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  char *token;

  randombytes_buf (raw, sizeof raw);
  sodium_bin2base64 (b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token = g_strconcat (prefix, b64, NULL);
  sodium_memzero (raw, sizeof raw);
  sodium_memzero (b64, sizeof b64);
  return token;
}

/* The token of "Authorization: Bearer <token>", if it has the right shape. */
static const char *
bearer_token (const char *authorization)
{
  const char *t;
  gsize n;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return NULL;
  t = authorization + 7;
  n = strlen (t);
  if (n != strlen (TOKEN_PREFIX) + 43 || !g_str_has_prefix (t, TOKEN_PREFIX))
    return NULL;
  for (const char *p = t + strlen (TOKEN_PREFIX); *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return NULL;
  return t;
}

void
srv_auth_revoked_error (SrvResponse *response,
                        const char  *mode)
{
  g_autoptr(JsonObject) extra = json_object_new ();

  json_object_set_string_member (extra, "mode", mode);
  srv_response_error_extra (response, SOUP_STATUS_UNAUTHORIZED, "device_revoked",
                            strcmp (mode, "lost") == 0
                            ? "This device was reported lost: erase it now"
                            : "This device is being retired: push what is left, then erase it",
                            extra);
}

static void
audit_quietly (PGconn              *conn,
               const SrvAuditEntry *entry)
{
  g_autoptr(GError) error = NULL;

  if (!srv_audit (conn, entry, &error))
    g_message ("Cannot write an audit entry: %s", error->message);
}

/**
 * srv_auth_session:
 *
 * Authenticates a request by its bearer token. On failure fills @response (401) and
 * returns %NULL. A revoked device is told its mode before anything else, even with an
 * expired token or a disabled account, so a lost laptop that comes back erases itself and
 * a retiring one drains its outbox first.
 *
 * Returns: (transfer full) (nullable): the session
 */
SrvSession *
srv_auth_session (SrvWorker    *worker,
                  SrvRequest   *request,
                  SrvAuthFlags  flags,
                  SrvResponse  *response)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  const char *token = bearer_token (request->authorization);
  g_autofree char *hash = NULL;
  g_autofree char *lifetime = NULL;
  g_autofree char *idle = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(SrvSession) session = NULL;
  SrvAuditEntry entry = { "auth", NULL, .address = request->address };
  const char *mode;

  if (token == NULL)
    {
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid",
                          "Sign in again");
      return NULL;
    }

  hash = token_hash_hex (token);
  lifetime = g_strdup_printf ("%" G_GINT64_FORMAT, config->token_lifetime);
  idle = g_strdup_printf ("%" G_GINT64_FORMAT, config->token_idle);
  r = srv_db_exec (worker->conn, &error,
                   "SELECT d.id, a.id, a.username, a.role, d.revoke_mode, "
                   "a.disabled_at IS NOT NULL, "
                   "d.token_created_at + make_interval(secs => $2::double precision) < now(), "
                   "d.token_used_at + make_interval(secs => $3::double precision) < now(), "
                   "d.token_used_at < now() - interval '30 seconds', "
                   "coalesce((SELECT array_to_json(array_agg(command ORDER BY command)) "
                   "FROM account_command WHERE account_id = a.id), '[]')::text "
                   "FROM device d JOIN account a ON a.id = d.account_id "
                   "WHERE d.token_hash = decode($1, 'hex')",
                   hash, lifetime, idle, SRV_DB_END);
  if (r == NULL)
    {
      srv_response_db_error (response, error);
      return NULL;
    }
  if (PQntuples (r) == 0)
    {
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid",
                          "Sign in again");
      return NULL;
    }

  session = srv_session_new ();
  session->device_id = g_strdup (srv_db_get (r, 0, 0));
  session->account_id = g_strdup (srv_db_get (r, 0, 1));
  session->username = g_strdup (srv_db_get (r, 0, 2));
  session->role = srv_role_from_string (srv_db_get (r, 0, 3));
  session->commands = srv_json_parse_strv (srv_db_get (r, 0, 9));
  mode = srv_db_get (r, 0, 4);
  srv_audit_session (&entry, session);

  if (mode != NULL && !(flags & SRV_AUTH_REVOKED_OK) &&
      !(strcmp (mode, "retire") == 0 && (flags & SRV_AUTH_RETIRING_OK)))
    {
      entry.outcome = "device_revoked";
      audit_quietly (worker->conn, &entry);
      srv_auth_revoked_error (response, mode);
      return NULL;
    }
  /* A revoked device reporting its erasure is heard whatever its token's age. */
  if (mode != NULL && (flags & SRV_AUTH_REVOKED_OK))
    {
      session->revoke_mode = g_strdup (mode);
      return g_steal_pointer (&session);
    }
  /* A revocation is honoured whatever state the account is in: a retiring device of an
   * account disabled since still pushes its outbox (the erasure report is above). */
  if ((mode == NULL && srv_db_get_bool (r, 0, 5)) || session->role == SRV_ROLE_INVALID)
    {
      entry.outcome = "account_disabled";
      audit_quietly (worker->conn, &entry);
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid",
                          "Sign in again");
      return NULL;
    }
  /* A retiring device drains its outbox however long it was idle: an administrator let it
   * (its pushes are all it may still do, and it erases itself after). */
  if ((srv_db_get_bool (r, 0, 6) || srv_db_get_bool (r, 0, 7)) && mode == NULL)
    {
      entry.outcome = "token_expired";
      audit_quietly (worker->conn, &entry);
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_expired",
                          "Your session expired: sign in again");
      return NULL;
    }
  session->revoke_mode = g_strdup (mode);

  if (srv_db_get_bool (r, 0, 8))
    {
      g_autoptr(PGresult) u = srv_db_exec (worker->conn, &error,
                                           "UPDATE device SET token_used_at = now(), "
                                           "last_seen_at = now() WHERE id = $1",
                                           session->device_id, SRV_DB_END);
      if (u == NULL)
        {
          srv_response_db_error (response, error);
          return NULL;
        }
    }
  return g_steal_pointer (&session);
}

/* Logout and erase reports carry no body, or an empty object. */
gboolean
srv_auth_check_empty_body (SrvRequest  *request,
                           SrvResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize len = g_bytes_get_size (request->body);

  if (len == 0)
    return TRUE;
  root = cl_wire_parse (g_bytes_get_data (request->body, NULL), len, &empty_limits, &error);
  if (root == NULL || !cl_wire_check_object (root, "request", NULL, 0, &error))
    {
      srv_response_wire_error (response, error);
      return FALSE;
    }
  return TRUE;
}

/* ---- Login ---------------------------------------------------------------------------- */

/* The key of one account's sign-ins from one address: a hash, so names typed at a failed
 * sign-in (typos, passwords typed into the name field) are not stored as such. */
static char *
pair_throttle_key (const char *username,
                   const char *address)
{
  g_autofree char *lower = g_ascii_strdown (username, -1);
  guint8 h[16];
  char hex[33];
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, sizeof h);
  crypto_generichash_update (&state, (const guint8 *) lower, strlen (lower) + 1);
  crypto_generichash_update (&state, (const guint8 *) address, strlen (address));
  crypto_generichash_final (&state, h, sizeof h);
  sodium_bin2hex (hex, sizeof hex, h, sizeof h);
  return g_strconcat ("pair:", hex, NULL);
}

/* Counts a sign-in attempt against one account from one address (pair_key) and against
 * the address over every account, before any password work. Once a key has reached its
 * limit, each attempt puts the next one further away (login_backoff seconds, doubling, up
 * to the window); an attempt before then is refused and not counted. The rows are locked
 * in key order, so parallel attempts are counted one after the other. Returns 0 to go on,
 * the seconds to wait when refused (*by_account says which key refused), -1 on error. */
static gint64
throttle_attempt (SrvWorker   *worker,
                  const char  *pair_key,
                  const char  *address_key,
                  gboolean    *by_account,
                  GError     **error)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autofree char *window = g_strdup_printf ("%" G_GINT64_FORMAT, config->login_window);
  g_autofree char *backoff = g_strdup_printf ("%" G_GINT64_FORMAT, config->login_backoff);
  g_autofree char *pair_limit = g_strdup_printf ("%u", config->login_account_limit);
  g_autofree char *address_limit = g_strdup_printf ("%u", config->login_address_limit);
  g_autoptr(PGresult) created = NULL;
  g_autoptr(PGresult) held = NULL;
  g_autoptr(PGresult) counted = NULL;
  gint64 wait = 0;

  if (!srv_db_command (worker->conn, "BEGIN", error))
    return -1;
  created = srv_db_exec (worker->conn, error,
                         "INSERT INTO login_throttle (key, failures, window_start) "
                         "SELECT k, 0, now() FROM unnest(ARRAY[$1, $2]) AS k ORDER BY k "
                         "ON CONFLICT (key) DO NOTHING",
                         pair_key, address_key, SRV_DB_END);
  if (created == NULL)
    goto fail;
  held = srv_db_exec (worker->conn, error,
                      "SELECT key, CASE WHEN window_start > now() - "
                      "make_interval(secs => $3::double precision) AND next_at > now() "
                      "THEN ceil(extract(epoch FROM next_at - now())) ELSE 0 END "
                      "FROM login_throttle WHERE key IN ($1, $2) ORDER BY key FOR UPDATE",
                      pair_key, address_key, window, SRV_DB_END);
  if (held == NULL)
    goto fail;
  for (int i = 0; i < PQntuples (held); i++)
    if (srv_db_get_int (held, i, 1) > wait)
      {
        wait = srv_db_get_int (held, i, 1);
        *by_account = strcmp (srv_db_get (held, i, 0), pair_key) == 0;
      }
  if (wait > 0)
    {
      srv_db_rollback (worker->conn);
      return wait;
    }

  counted = srv_db_exec (worker->conn, error,
                         "UPDATE login_throttle t SET failures = n.f, window_start = n.ws, "
                         "next_at = CASE WHEN n.f >= n.lim THEN now() + make_interval(secs => "
                         "least($3::double precision, $4::double precision * "
                         "2 ^ least(n.f - n.lim, 30))) END "
                         "FROM (SELECT key, CASE WHEN expired THEN 1 ELSE failures + 1 END AS f, "
                         "CASE WHEN expired THEN now() ELSE window_start END AS ws, "
                         "CASE WHEN key = $1 THEN $5::integer ELSE $6::integer END AS lim "
                         "FROM (SELECT *, window_start <= now() - "
                         "make_interval(secs => $3::double precision) AS expired "
                         "FROM login_throttle WHERE key IN ($1, $2)) AS o) AS n "
                         "WHERE t.key = n.key",
                         pair_key, address_key, window, backoff, pair_limit, address_limit,
                         SRV_DB_END);
  if (counted == NULL || !srv_db_command (worker->conn, "COMMIT", error))
    goto fail;
  return 0;

fail:
  srv_db_rollback (worker->conn);
  return -1;
}

static void
too_many_attempts (SrvResponse *response,
                   gint64       retry_after)
{
  g_autoptr(JsonObject) extra = json_object_new ();

  json_object_set_int_member (extra, "retry_after", retry_after);
  srv_response_error_extra (response, 429 /* Too Many Requests */, "too_many_attempts",
                            "Too many failed sign-ins: wait, then try again", extra);
  response->retry_after = retry_after;
}

static void
login_failed (SrvResponse *response)
{
  srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "login_failed",
                      "Wrong username or password");
}

/* The hash of the new password a sign-in sets, once the old one was verified; %NULL with
 * @response filled when it is refused (too short, too long, or the old one again). */
static char *
new_password_hash (SrvWorker          *worker,
                   ClWireLoginRequest *login,
                   SrvResponse        *response)
{
  g_autoptr(GError) error = NULL;
  char *hash;

  if (g_utf8_strlen (login->new_password, -1) < SRV_AUTH_MIN_PASSWORD ||
      strcmp (login->new_password, login->password) == 0)
    {
      g_autofree char *message = g_strdup_printf ("A new password has %d to 1024 characters "
                                                  "and is not the old one",
                                                  SRV_AUTH_MIN_PASSWORD);

      srv_response_error (response, 422 /* Unprocessable Content */, "password_rejected",
                          message);
      return NULL;
    }
  srv_worker_hash_enter (worker);
  hash = srv_auth_hash_password (login->new_password, &error);
  srv_worker_hash_leave (worker);
  if (hash == NULL)
    srv_response_error (response, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal_error",
                        error->message);
  return hash;
}

/* Gives @device_id a new token and refresh token (inside the caller's transaction): the
 * answer to a sign-in or a refresh. */
static ClWireLoginResponse *
issue_tokens (SrvWorker   *worker,
              const char  *device_id,
              const char  *account_id,
              const char  *username,
              const char  *role,
              GError     **error)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autofree char *token = token_new (TOKEN_PREFIX);
  g_autofree char *refresh = token_new (CL_WIRE_REFRESH_PREFIX);
  g_autofree char *hash = token_hash_hex (token);
  g_autofree char *refresh_hash = token_hash_hex (refresh);
  g_autofree char *lifetime = g_strdup_printf ("%" G_GINT64_FORMAT, config->token_lifetime);
  g_autofree char *idle = g_strdup_printf ("%" G_GINT64_FORMAT, config->token_idle);
  g_autoptr(PGresult) t = NULL;
  ClWireLoginResponse *reply;

  t = srv_db_exec (worker->conn, error,
                   "WITH d AS (UPDATE device SET token_hash = decode($2, 'hex'), "
                   "token_created_at = now(), token_used_at = now(), last_seen_at = now() "
                   "WHERE id = $1), "
                   "r AS (INSERT INTO refresh_token (hash, device_id) "
                   "VALUES (decode($3, 'hex'), $1)) "
                   "SELECT to_char(now() + make_interval(secs => $4::double precision), "
                   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                   "to_char(now() + make_interval(secs => $5::double precision), "
                   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                   "coalesce((SELECT array_to_json(array_agg(command ORDER BY command)) "
                   "FROM account_command WHERE account_id = $6), '[]')::text",
                   device_id, hash, refresh_hash, lifetime, idle, account_id, SRV_DB_END);
  if (t == NULL)
    return NULL;

  reply = g_new0 (ClWireLoginResponse, 1);
  reply->token = g_steal_pointer (&token);
  reply->refresh_token = g_steal_pointer (&refresh);
  reply->device_id = g_strdup (device_id);
  reply->expires_at = g_strdup (srv_db_get (t, 0, 0));
  reply->idle_expires_at = g_strdup (srv_db_get (t, 0, 1));
  reply->username = g_strdup (username);
  reply->role = g_strdup (role);
  reply->commands = srv_json_parse_strv (srv_db_get (t, 0, 2));
  return reply;
}

/* Ends a sign-in or a refresh in its transaction: audits @entry, commits, answers @reply. */
static void
answer_tokens (SrvWorker                 *worker,
               const SrvAuditEntry       *entry,
               const ClWireLoginResponse *reply,
               SrvResponse               *response)
{
  g_autoptr(GError) error = NULL;
  char *body;
  gsize len;

  if (!srv_audit (worker->conn, entry, &error) ||
      !srv_db_command (worker->conn, "COMMIT", &error))
    {
      srv_db_rollback (worker->conn);
      srv_response_db_error (response, error);
      return;
    }
  body = cl_wire_login_response_encode (reply, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}

void
srv_handle_login (SrvWorker   *worker,
                  SrvRequest  *request,
                  SrvResponse *response)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autoptr(ClWireLoginRequest) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(PGresult) account = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *pair_key = NULL;
  g_autofree char *address_key = NULL;
  g_autofree char *address_limit = g_strdup_printf ("%u", config->login_address_limit);
  g_autofree char *device_id = NULL;
  g_autofree char *new_hash = NULL;
  g_autoptr(ClWireLoginResponse) reply = NULL;
  g_autoptr(JsonObject) changed = json_object_new ();
  SrvAuditEntry entry = { "login", NULL, .address = request->address };
  const char *stored_hash;
  const char *account_id = NULL;
  gboolean verified, disabled = FALSE, must_change = FALSE, retry_after_account = FALSE;
  gint64 retry_after;

  login = cl_wire_login_request_decode (g_bytes_get_data (request->body, NULL),
                                        g_bytes_get_size (request->body), &error);
  if (login == NULL)
    {
      srv_response_wire_error (response, error);
      return;
    }

  lower = g_ascii_strdown (login->username, -1);
  pair_key = pair_throttle_key (login->username, request->address);
  address_key = g_strconcat ("addr:", request->address, NULL);

  /* Counted before any hashing, known and unknown names alike. */
  retry_after = throttle_attempt (worker, pair_key, address_key, &retry_after_account, &error);
  if (retry_after < 0)
    {
      srv_response_db_error (response, error);
      return;
    }
  if (retry_after > 0)
    {
      entry.outcome = retry_after_account ? "throttled_account" : "throttled_address";
      audit_quietly (worker->conn, &entry);
      too_many_attempts (response, retry_after);
      return;
    }

  account = srv_db_exec (worker->conn, &error,
                         "SELECT id, password_hash, role, disabled_at IS NOT NULL, "
                         "password_must_change FROM account WHERE username = $1",
                         lower, SRV_DB_END);
  if (account == NULL)
    {
      srv_response_db_error (response, error);
      return;
    }
  if (PQntuples (account) == 1)
    {
      account_id = srv_db_get (account, 0, 0);
      stored_hash = srv_db_get (account, 0, 1);
      disabled = srv_db_get_bool (account, 0, 3);
      must_change = srv_db_get_bool (account, 0, 4);
    }
  else
    stored_hash = srv_worker_get_dummy_hash (worker);

  srv_worker_hash_enter (worker);
  verified = crypto_pwhash_str_verify (stored_hash, login->password,
                                       strlen (login->password)) == 0;
  srv_worker_hash_leave (worker);

  /* A revocation is honoured whatever state the account is in: with the right password, a
   * revoked device of a disabled account is told its mode, as its requests are. */
  if (verified && disabled && login->device_id != NULL)
    {
      g_autoptr(PGresult) d = srv_db_exec (worker->conn, &error,
                                           "SELECT revoke_mode FROM device WHERE id = $1 "
                                           "AND account_id = $2 AND revoke_mode IS NOT NULL",
                                           login->device_id, account_id, SRV_DB_END);
      if (d == NULL)
        {
          srv_response_db_error (response, error);
          return;
        }
      if (PQntuples (d) == 1)
        {
          srv_auth_revoked_error (response, srv_db_get (d, 0, 0));
          return;
        }
    }
  if (!verified || account_id == NULL || disabled)
    {
      g_autoptr(JsonObject) detail = json_object_new ();

      /* The attempt is counted already. The audit log may say why; the answer never does. */
      json_object_set_string_member (detail, "reason",
                                     account_id == NULL ? "unknown_user"
                                     : disabled ? "disabled" : "wrong_password");
      entry.outcome = "failed";
      entry.account_id = account_id;
      entry.detail = detail;
      audit_quietly (worker->conn, &entry);
      login_failed (response);
      return;
    }

  /* After an administrator's reset, the password works once more: to set a new one. */
  if (must_change && login->new_password == NULL)
    {
      entry.outcome = "password_change_required";
      entry.account_id = account_id;
      audit_quietly (worker->conn, &entry);
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "password_change_required",
                          "Your password was reset: choose a new one");
      return;
    }
  if (login->new_password != NULL &&
      (new_hash = new_password_hash (worker, login, response)) == NULL)
    return;

  if (!srv_db_command (worker->conn, "BEGIN", &error))
    {
      srv_response_db_error (response, error);
      return;
    }

  if (login->device_id != NULL)
    {
      /* Re-authenticating an enrolled device keeps its seq and outbox. */
      g_autoptr(PGresult) d = srv_db_exec (worker->conn, &error,
                                           "SELECT account_id, revoke_mode FROM device "
                                           "WHERE id = $1 FOR UPDATE",
                                           login->device_id, SRV_DB_END);
      if (d == NULL)
        goto db_error;
      if (PQntuples (d) == 0 || strcmp (srv_db_get (d, 0, 0), account_id) != 0)
        {
          srv_db_rollback (worker->conn);
          entry.outcome = "device_unknown";
          entry.account_id = account_id;
          entry.security = TRUE;
          audit_quietly (worker->conn, &entry);
          srv_response_error (response, SOUP_STATUS_FORBIDDEN, "device_unknown",
                              "This device is not enrolled for this account");
          return;
        }
      if (srv_db_get (d, 0, 1) != NULL)
        {
          g_autofree char *mode = g_strdup (srv_db_get (d, 0, 1));

          srv_db_rollback (worker->conn);
          srv_auth_revoked_error (response, mode);
          return;
        }
      device_id = g_strdup (login->device_id);
      {
        /* A sign-in with the password starts a new chain of refresh tokens. */
        g_autoptr(PGresult) u = srv_db_exec (worker->conn, &error,
                                             "WITH gone AS (DELETE FROM refresh_token "
                                             "WHERE device_id = $1) "
                                             "UPDATE device SET signed_in_at = now() "
                                             "WHERE id = $1",
                                             device_id, SRV_DB_END);
        if (u == NULL)
          goto db_error;
      }
    }
  else
    {
      g_autoptr(PGresult) i = NULL;

      device_id = cl_uuid_new ();
      i = srv_db_exec (worker->conn, &error,
                       "INSERT INTO device (id, account_id, name, signed_in_at) "
                       "VALUES ($1, $2, $3, now())",
                       device_id, account_id, login->device_name, SRV_DB_END);
      if (i == NULL)
        goto db_error;
    }

  {
    /* A success clears this account's count from this address and gives the attempt
     * back to the address. */
    g_autoptr(PGresult) c = srv_db_exec (worker->conn, &error,
                                         "WITH gone AS (DELETE FROM login_throttle "
                                         "WHERE key = $1) "
                                         "UPDATE login_throttle SET failures = "
                                         "greatest(failures - 1, 0), next_at = CASE WHEN "
                                         "failures - 1 < $3::integer THEN NULL ELSE next_at END "
                                         "WHERE key = $2",
                                         pair_key, address_key, address_limit, SRV_DB_END);
    if (c == NULL)
      goto db_error;
  }

  reply = issue_tokens (worker, device_id, account_id, lower, srv_db_get (account, 0, 2),
                        &error);
  if (reply == NULL)
    goto db_error;

  if (new_hash != NULL)
    {
      g_autoptr(PGresult) p = srv_db_exec (worker->conn, &error,
                                           "UPDATE account SET password_hash = $2, "
                                           "password_must_change = false WHERE id = $1",
                                           account_id, new_hash, SRV_DB_END);
      if (p == NULL)
        goto db_error;
      json_object_set_boolean_member (changed, "password_changed", TRUE);
      entry.detail = changed;
    }

  entry.outcome = "ok";
  entry.account_id = account_id;
  entry.device_id = device_id;
  answer_tokens (worker, &entry, reply, response);
  return;

db_error:
  srv_db_rollback (worker->conn);
  srv_response_db_error (response, error);
}

/* ---- Refresh -------------------------------------------------------------------------- */

/* A rotated refresh token came back: one of its holders is not the device. Both lose the
 * device's tokens; the device signs in with the password again. */
static void
refresh_reused (SrvWorker     *worker,
                const char    *device_id,
                SrvAuditEntry *entry,
                SrvResponse   *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (worker->conn, &error,
                   "WITH gone AS (DELETE FROM refresh_token WHERE device_id = $1) "
                   "UPDATE device SET token_hash = NULL WHERE id = $1",
                   device_id, SRV_DB_END);
  entry->outcome = "refresh_reused";
  entry->security = TRUE;
  if (r == NULL || !srv_audit (worker->conn, entry, &error) ||
      !srv_db_command (worker->conn, "COMMIT", &error))
    {
      srv_db_rollback (worker->conn);
      srv_response_db_error (response, error);
      return;
    }
  srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid", "Sign in again");
}

void
srv_handle_refresh (SrvWorker   *worker,
                    SrvRequest  *request,
                    SrvResponse *response)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autofree char *refresh = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *max_age = g_strdup_printf ("%" G_GINT64_FORMAT, config->refresh_max_age);
  g_autofree char *device_id = NULL;
  g_autofree char *account_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(ClWireLoginResponse) reply = NULL;
  SrvAuditEntry entry = { "refresh", NULL, .address = request->address };
  const char *mode;

  refresh = cl_wire_refresh_request_decode (g_bytes_get_data (request->body, NULL),
                                            g_bytes_get_size (request->body), &error);
  if (refresh == NULL)
    {
      srv_response_wire_error (response, error);
      return;
    }
  hash = token_hash_hex (refresh);
  sodium_memzero (refresh, strlen (refresh));

  if (!srv_db_command (worker->conn, "BEGIN", &error))
    {
      srv_response_db_error (response, error);
      return;
    }
  /* Locked: of two requests with one token, the second finds it rotated. */
  r = srv_db_exec (worker->conn, &error,
                   "SELECT d.id, a.id, a.username, a.role, d.revoke_mode, "
                   "t.rotated_at IS NOT NULL, a.disabled_at IS NOT NULL, "
                   "a.password_must_change, coalesce(d.signed_in_at + "
                   "make_interval(secs => $2::double precision) < now(), true) "
                   "FROM refresh_token t JOIN device d ON d.id = t.device_id "
                   "JOIN account a ON a.id = d.account_id "
                   "WHERE t.hash = decode($1, 'hex') FOR UPDATE OF t, d",
                   hash, max_age, SRV_DB_END);
  if (r == NULL)
    goto db_error;
  if (PQntuples (r) == 0)
    {
      srv_db_rollback (worker->conn);
      srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid",
                          "Sign in again");
      return;
    }
  device_id = g_strdup (srv_db_get (r, 0, 0));
  account_id = g_strdup (srv_db_get (r, 0, 1));
  mode = srv_db_get (r, 0, 4);
  entry.account_id = account_id;
  entry.device_id = device_id;

  if (srv_db_get_bool (r, 0, 5))
    {
      refresh_reused (worker, device_id, &entry, response);
      return;
    }
  if (mode != NULL)
    {
      g_autofree char *kept = g_strdup (mode);

      srv_db_rollback (worker->conn);
      entry.outcome = "device_revoked";
      audit_quietly (worker->conn, &entry);
      srv_auth_revoked_error (response, kept);
      return;
    }
  if (srv_db_get_bool (r, 0, 6) || srv_db_get_bool (r, 0, 7) || srv_db_get_bool (r, 0, 8))
    {
      gboolean disabled = srv_db_get_bool (r, 0, 6);
      gboolean must_change = !disabled && srv_db_get_bool (r, 0, 7);

      srv_db_rollback (worker->conn);
      entry.outcome = disabled ? "account_disabled"
                      : must_change ? "password_change_required" : "refresh_expired";
      audit_quietly (worker->conn, &entry);
      if (disabled)
        srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid",
                            "Sign in again");
      else if (must_change)
        srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "password_change_required",
                            "Your password was reset: choose a new one");
      else
        srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_expired",
                            "Your session expired: sign in again");
      return;
    }

  {
    g_autoptr(PGresult) u = srv_db_exec (worker->conn, &error,
                                         "UPDATE refresh_token SET rotated_at = now() "
                                         "WHERE hash = decode($1, 'hex')",
                                         hash, SRV_DB_END);
    if (u == NULL)
      goto db_error;
  }
  reply = issue_tokens (worker, device_id, account_id, srv_db_get (r, 0, 2),
                        srv_db_get (r, 0, 3), &error);
  if (reply == NULL)
    goto db_error;
  entry.outcome = "ok";
  answer_tokens (worker, &entry, reply, response);
  return;

db_error:
  srv_db_rollback (worker->conn);
  srv_response_db_error (response, error);
}

void
srv_handle_logout (SrvWorker   *worker,
                   SrvRequest  *request,
                   SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  SrvAuditEntry entry = { "logout", "ok", .address = request->address };

  session = srv_auth_session (worker, request, SRV_AUTH_RETIRING_OK, response);
  if (session == NULL || !srv_auth_check_empty_body (request, response))
    return;

  r = srv_db_exec (worker->conn, &error,
                   "WITH gone AS (DELETE FROM refresh_token WHERE device_id = $1) "
                   "UPDATE device SET token_hash = NULL WHERE id = $1",
                   session->device_id, SRV_DB_END);
  srv_audit_session (&entry, session);
  if (r == NULL || !srv_audit (worker->conn, &entry, &error))
    {
      srv_response_db_error (response, error);
      return;
    }
  srv_response_take_json (response, SOUP_STATUS_OK, g_strdup ("{\"status\":\"ok\"}"),
                          strlen ("{\"status\":\"ok\"}"));
}

/* The CA certificates the device trusts besides its enrolled one ([tls] trust-bundle). */
void
srv_handle_trust (SrvWorker   *worker,
                  SrvRequest  *request,
                  SrvResponse *response)
{
  g_autoptr(SrvSession) session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT,
                                                    response);
  char *body;
  gsize len;

  if (session == NULL)
    return;
  body = cl_wire_trust_response_encode (srv_worker_get_config (worker)->trust_bundle, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}

/* A revoked device reports that it erased its vault: its token dies with it. */
void
srv_handle_erased (SrvWorker   *worker,
                   SrvRequest  *request,
                   SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  SrvAuditEntry entry = { "device.erased", "ok", .address = request->address };

  session = srv_auth_session (worker, request, SRV_AUTH_REVOKED_OK, response);
  if (session == NULL || !srv_auth_check_empty_body (request, response))
    return;
  if (session->revoke_mode == NULL)
    {
      srv_response_error (response, SOUP_STATUS_CONFLICT, "not_revoked",
                          "This device is not revoked");
      return;
    }

  r = srv_db_exec (worker->conn, &error,
                   "WITH gone AS (DELETE FROM refresh_token WHERE device_id = $1) "
                   "UPDATE device SET token_hash = NULL, erased_at = now() WHERE id = $1",
                   session->device_id, SRV_DB_END);
  srv_audit_session (&entry, session);
  if (r == NULL || !srv_audit (worker->conn, &entry, &error))
    {
      srv_response_db_error (response, error);
      return;
    }
  srv_response_take_json (response, SOUP_STATUS_OK, g_strdup ("{\"status\":\"ok\"}"),
                          strlen ("{\"status\":\"ok\"}"));
}
