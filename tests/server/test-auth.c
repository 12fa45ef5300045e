/* test-auth.c: S9 (brute force, indistinguishable failures), S10 (expired, absolute and
 * revoked tokens; revoked devices told their mode), account and device life cycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

static SrvTestReply *
login_on (SoupSession *session,
          const char  *username,
          const char  *password,
          const char  *address)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\","
                                           "\"device_name\":\"ws\"}", username, password);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", "http://localhost/v1/login");
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GError) error = NULL;
  SrvTestReply *reply = g_new0 (SrvTestReply, 1);

  /* nginx sets X-Real-IP; the server trusts it from its Unix socket. */
  if (address != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Real-IP", address);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  reply->retry_after = g_strdup (soup_message_headers_get_one (
                                   soup_message_get_response_headers (msg), "Retry-After"));
  return reply;
}

static SrvTestReply *
login_as (SrvTestEnv *env,
          const char *username,
          const char *password,
          const char *address)
{
  return login_on (env->session, username, password, address);
}

static void
assert_throttled (SrvTestReply *reply,
                  gint64        min_wait,
                  gint64        max_wait)
{
  g_autofree char *code = srv_test_reply_code (reply);

  g_assert_cmpuint (reply->status, ==, 429);
  g_assert_cmpstr (code, ==, "too_many_attempts");
  g_assert_nonnull (reply->retry_after);
  g_assert_cmpint (g_ascii_strtoll (reply->retry_after, NULL, 10), >=, min_wait);
  g_assert_cmpint (g_ascii_strtoll (reply->retry_after, NULL, 10), <=, max_wait);
}

/* S9: failures of one account from one address are limited, then each attempt waits
 * twice as long; past the limit even the right password waits there. Elsewhere the real
 * user still signs in: guessing cannot lock an account out. */
static void
test_throttle_account (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[login]\naccount-limit=3\naddress-limit=100\n"
                                                "window=600\nbackoff=60\n");
  g_autoptr(SrvTestReply) reply = NULL;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  for (int i = 0; i < 3; i++)
    {
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = login_as (env, "ana", "guess", "10.0.0.1");
      g_assert_cmpuint (reply->status, ==, 401);
    }

  /* From the guessing address, with the right password: throttled all the same. */
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", SRV_TEST_PASSWORD, "10.0.0.1");
  assert_throttled (reply, 1, 60);

  /* From the real user's address: signed in. */
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", SRV_TEST_PASSWORD, "10.0.0.99");
  g_assert_cmpuint (reply->status, ==, 200);

  /* Once the wait is over, one more guess, and the next wait is twice as long. */
  g_free (srv_test_sql (env, "UPDATE login_throttle SET next_at = now() - interval '1 second' "
                        "WHERE key LIKE 'pair:%'", NULL));
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", "guess", "10.0.0.1");
  g_assert_cmpuint (reply->status, ==, 401);
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", "guess", "10.0.0.1");
  assert_throttled (reply, 61, 120);

  /* An unknown name is throttled the same way: no hint it does not exist. */
  for (int i = 0; i < 3; i++)
    {
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = login_as (env, "nobody", "guess", NULL);
      g_assert_cmpuint (reply->status, ==, 401);
    }
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "nobody", "guess", NULL);
  g_assert_cmpuint (reply->status, ==, 429);

  /* After the window, the account opens again from that address too. */
  g_free (srv_test_sql (env, "UPDATE login_throttle SET window_start = now() - interval '20 "
                        "minutes'", NULL));
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", SRV_TEST_PASSWORD, "10.0.0.1");
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'login' "
                                     "AND outcome = 'throttled_account'", NULL), ==, 3);
  /* Names typed at a failed sign-in are not stored as such. */
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM login_throttle WHERE key LIKE "
                                     "'%nobody%'", NULL), ==, 0);
}

typedef struct {
  SrvTestEnv *env;
  guint       status;
} Guess;

static gpointer
guess_thread (gpointer data)
{
  Guess *guess = data;
  g_autoptr(SoupSession) session = srv_test_session_new (guess->env);
  g_autoptr(SrvTestReply) reply = login_on (session, "ana", "guess", "10.0.0.5");

  guess->status = reply->status;
  return NULL;
}

/* S9: guesses sent in parallel are counted before any of them is checked, so no more than
 * the limit ever reach the password check. */
static void
test_throttle_parallel (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[login]\naccount-limit=5\naddress-limit=1000\n"
                                                "window=600\nbackoff=600\nhash-concurrency=4\n");
  Guess guesses[60];
  GThread *threads[G_N_ELEMENTS (guesses)];
  guint refused = 0, checked = 0;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  for (guint i = 0; i < G_N_ELEMENTS (guesses); i++)
    {
      guesses[i] = (Guess) { env, 0 };
      threads[i] = g_thread_new ("guess", guess_thread, &guesses[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (guesses); i++)
    {
      g_thread_join (threads[i]);
      if (guesses[i].status == 401)
        checked++;
      else if (guesses[i].status == 429)
        refused++;
    }
  g_assert_cmpuint (checked, ==, 5);
  g_assert_cmpuint (refused, ==, G_N_ELEMENTS (guesses) - 5);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'login' "
                                     "AND outcome = 'failed'", NULL), ==, 5);
}

/* S9: one address trying many accounts. */
static void
test_throttle_address (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[login]\naccount-limit=100\naddress-limit=5\n"
                                                "window=60\n");
  g_autoptr(SrvTestReply) reply = NULL;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  /* Sign-ins that succeed give their attempt back: an office behind one address is fine. */
  for (int i = 0; i < 7; i++)
    {
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = login_as (env, "ana", SRV_TEST_PASSWORD, "192.0.2.7");
      g_assert_cmpuint (reply->status, ==, 200);
    }
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%d", i);
      g_clear_pointer (&reply, srv_test_reply_free);
      reply = login_as (env, name, "guess", "192.0.2.7");
      g_assert_cmpuint (reply->status, ==, 401);
    }
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", SRV_TEST_PASSWORD, "192.0.2.7");
  g_assert_cmpuint (reply->status, ==, 429);
  /* Another address is not affected. */
  g_clear_pointer (&reply, srv_test_reply_free);
  reply = login_as (env, "ana", SRV_TEST_PASSWORD, "192.0.2.8");
  g_assert_cmpuint (reply->status, ==, 200);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

/* S9: an unknown user and a wrong password give the same answer, in the same time. */
static void
test_indistinguishable (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[login]\naccount-limit=1000\n"
                                                "address-limit=1000\n");
  g_autoptr(GArray) unknown = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wrong = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *unknown_body = NULL;
  g_autofree char *wrong_body = NULL;
  double mu, mw, ratio;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  for (int i = 0; i < 12; i++)
    {
      gint64 t0, t1, t2;
      g_autoptr(SrvTestReply) a = NULL;
      g_autoptr(SrvTestReply) b = NULL;

      t0 = g_get_monotonic_time ();
      a = login_as (env, "no-such-user", "guess-one", NULL);
      t1 = g_get_monotonic_time ();
      b = login_as (env, "ana", "guess-one", NULL);
      t2 = g_get_monotonic_time ();
      g_assert_cmpuint (a->status, ==, 401);
      g_assert_cmpuint (b->status, ==, 401);
      if (i == 0)
        {
          unknown_body = g_strdup (srv_test_reply_text (a));
          wrong_body = g_strdup (srv_test_reply_text (b));
        }
      if (i < 2)
        continue;  /* warm up */
      g_array_append_val (unknown, (double) { (t1 - t0) / 1000.0 });
      g_array_append_val (wrong, (double) { (t2 - t1) / 1000.0 });
    }

  g_assert_cmpstr (unknown_body, ==, wrong_body);
  mu = median (unknown);
  mw = median (wrong);
  ratio = mu / mw;
  g_test_message ("median login failure: unknown user %.1f ms, wrong password %.1f ms", mu, mw);
  /* Argon2id dominates both (tens of milliseconds); a lookup-only path would be ~1 ms. */
  g_assert_cmpfloat (mu, >, 10.0);
  g_assert_cmpfloat (ratio, >, 0.6);
  g_assert_cmpfloat (ratio, <, 1.67);
}

static void
assert_token_refused (SrvTestEnv    *env,
                      SrvTestDevice *device,
                      const char    *code)
{
  g_autoptr(SrvTestReply) reply = srv_test_pull_raw (env, device, 0, 0, NULL);
  g_autofree char *got = srv_test_reply_code (reply);

  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpstr (got, ==, code);
}

/* The device's next pull is told it is revoked, in @mode. */
static void
assert_revoked (SrvTestEnv    *env,
                SrvTestDevice *device,
                const char    *mode)
{
  g_autoptr(SrvTestReply) reply = srv_test_pull_raw (env, device, 0, 0, NULL);
  g_autoptr(ClWireErrorReply) e = NULL;
  const char *text = srv_test_reply_text (reply);

  g_assert_cmpuint (reply->status, ==, 401);
  e = cl_wire_error_reply_decode (text, strlen (text), NULL);
  g_assert_cmpstr (e->code, ==, "device_revoked");
  g_assert_cmpstr (e->mode, ==, mode);
}

/* S10: a token unused for the idle timeout is refused. */
static void
test_idle_expiry (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[tokens]\nidle-timeout=2\nlifetime=3600\n");
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(ClWirePullResponse) ok = NULL;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  ok = srv_test_pull (env, device, 0, 0);
  g_usleep (3 * G_USEC_PER_SEC);
  assert_token_refused (env, device, "token_expired");
}

/* S10: a token in steady use still ends at its absolute lifetime. */
static void
test_absolute_expiry (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[tokens]\nidle-timeout=3600\nlifetime=3\n");
  g_autoptr(SrvTestDevice) device = NULL;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(ClWirePullResponse) ok = srv_test_pull (env, device, 0, 0);
      g_usleep (G_USEC_PER_SEC);
    }
  g_usleep (2 * G_USEC_PER_SEC);
  assert_token_refused (env, device, "token_expired");

  /* Signing in again gives a new token. */
  {
    g_autoptr(SrvTestDevice) again = srv_test_login (env, "ana");
    g_autoptr(ClWirePullResponse) ok = srv_test_pull (env, again, 0, 0);
  }
}

/* S10: a device reported lost is told to erase itself at once; its pushes are refused. */
static void
test_revoked_lost (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  g_autoptr(SrvTestReply) push = NULL;
  g_autoptr(SrvTestReply) erased = NULL;
  g_autoptr(ClWireErrorReply) e = NULL;
  g_autofree char *output = NULL;
  g_autofree char *client = cl_uuid_new ();
  const char *text;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "lost", NULL), ==, 0);

  g_ptr_array_add (batch, srv_test_mutation (device, "client", client, CL_WIRE_OP_PUT, 0,
                                             "pseudonym", "x", NULL));
  push = srv_test_push_raw (env, device, batch);
  g_assert_cmpuint (push->status, ==, 401);
  text = srv_test_reply_text (push);
  e = cl_wire_error_reply_decode (text, strlen (text), NULL);
  g_assert_cmpstr (e->code, ==, "device_revoked");
  g_assert_cmpstr (e->mode, ==, "lost");
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE id = $1", client,
                                     NULL), ==, 0);

  /* Even with an expired token the device learns it. */
  g_free (srv_test_sql (env, "UPDATE device SET token_created_at = now() - interval '400 days'",
                        NULL));
  assert_token_refused (env, device, "device_revoked");

  /* It reports its erasure; then its token is dead. */
  erased = srv_test_request (env, "POST", "/v1/device/erased", device->token, NULL, 0);
  g_assert_cmpuint (erased->status, ==, 200);
  assert_token_refused (env, device, "token_invalid");
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM device WHERE erased_at IS NOT "
                                     "NULL AND token_hash IS NULL", NULL), ==, 1);
}

/* A retiring device may still push what is left in its outbox, then erases itself. */
static void
test_revoked_retire (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(ClWirePushResponse) push = NULL;
  g_autoptr(SrvTestReply) erased = NULL;
  g_autoptr(SrvTestReply) not_revoked = NULL;
  g_autoptr(SrvTestDevice) other = NULL;
  g_autofree char *output = NULL;
  g_autofree char *client = cl_uuid_new ();

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  other = srv_test_login (env, "ana");
  not_revoked = srv_test_request (env, "POST", "/v1/device/erased", other->token, NULL, 0);
  g_assert_cmpuint (not_revoked->status, ==, 409);

  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "retire", NULL), ==, 0);

  push = srv_test_push (env, device, srv_test_mutation (device, "client", client, CL_WIRE_OP_PUT,
                                                        0, "pseudonym", "x", NULL), NULL);
  g_assert_cmpstr (push->revoked, ==, "retire");
  g_assert_cmpint (((ClWireResult *) g_ptr_array_index (push->results, 0))->status, ==,
                   CL_WIRE_STATUS_APPLIED);

  assert_revoked (env, device, "retire");

  erased = srv_test_request (env, "POST", "/v1/device/erased", device->token, "{}", -1);
  g_assert_cmpuint (erased->status, ==, 200);
  assert_token_refused (env, device, "token_invalid");
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'device.erased'", NULL), ==, 1);
}

/* ana's sign-in again on @device. */
static char *
relogin_body (SrvTestDevice *device)
{
  ClWireLoginRequest request = { (char *) "ana", (char *) SRV_TEST_PASSWORD, NULL,
                                 device->device_id, NULL };

  return cl_wire_login_request_encode (&request, NULL);
}

/* A revocation is honoured whatever state the account is in: revoked, then the account
 * disabled, a retiring device still pushes its outbox and reports its erasure, and a lost
 * one is still told to erase. */
static void
test_revoked_disabled (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) retiring = NULL;
  g_autoptr(SrvTestDevice) lost = NULL;
  g_autoptr(SrvTestDevice) kept = NULL;
  g_autoptr(ClWirePushResponse) push = NULL;
  g_autoptr(SrvTestReply) erased = NULL;
  g_autoptr(SrvTestReply) again = NULL;
  g_autoptr(ClWireErrorReply) e = NULL;
  g_autofree char *output = NULL;
  g_autofree char *client = cl_uuid_new ();
  g_autofree char *relogin = NULL;
  g_autofree char *code = NULL;
  const char *text;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  retiring = srv_test_login (env, "ana");
  lost = srv_test_login (env, "ana");
  kept = srv_test_login (env, "ana");
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", retiring->device_id,
                                 "--mode", "retire", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", lost->device_id,
                                 "--mode", "lost", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "ana", NULL),
                   ==, 0);

  /* The device not revoked is refused as the account is. */
  assert_token_refused (env, kept, "token_invalid");
  /* Signing in again: the account is disabled, but the revoked device learns its mode. */
  relogin = relogin_body (lost);
  again = srv_test_request (env, "POST", "/v1/login", NULL, relogin, -1);
  g_assert_cmpuint (again->status, ==, 401);
  text = srv_test_reply_text (again);
  e = cl_wire_error_reply_decode (text, strlen (text), NULL);
  g_assert_cmpstr (e->code, ==, "device_revoked");
  g_assert_cmpstr (e->mode, ==, "lost");
  g_clear_pointer (&relogin, g_free);
  relogin = relogin_body (kept);
  g_clear_pointer (&again, srv_test_reply_free);
  again = srv_test_request (env, "POST", "/v1/login", NULL, relogin, -1);
  code = srv_test_reply_code (again);
  g_assert_cmpstr (code, ==, "login_failed");

  /* Idle for days, as a workstation put away after its retirement: its token has expired,
   * and its outbox still goes. */
  g_free (srv_test_sql (env, "UPDATE device SET token_used_at = now() - interval '30 days', "
                        "token_created_at = now() - interval '60 days' WHERE id = $1",
                        retiring->device_id, NULL));
  push = srv_test_push (env, retiring, srv_test_mutation (retiring, "client", client,
                                                          CL_WIRE_OP_PUT, 0, "pseudonym", "x",
                                                          NULL), NULL);
  g_assert_cmpstr (push->revoked, ==, "retire");
  g_assert_cmpint (((ClWireResult *) g_ptr_array_index (push->results, 0))->status, ==,
                   CL_WIRE_STATUS_APPLIED);
  assert_revoked (env, retiring, "retire");
  erased = srv_test_request (env, "POST", "/v1/device/erased", retiring->token, NULL, 0);
  g_assert_cmpuint (erased->status, ==, 200);
  assert_token_refused (env, retiring, "token_invalid");

  assert_revoked (env, lost, "lost");
  g_clear_pointer (&erased, srv_test_reply_free);
  erased = srv_test_request (env, "POST", "/v1/device/erased", lost->token, NULL, 0);
  g_assert_cmpuint (erased->status, ==, 200);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM device WHERE erased_at IS NOT "
                                     "NULL AND token_hash IS NULL", NULL), ==, 2);
}

static void
test_revoked_relogin (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *output = NULL;
  g_autofree char *body = NULL;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  device = srv_test_login (env, "ana");
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", device->device_id,
                                 "--mode", "lost", NULL), ==, 0);
  /* Signing in again does not revive a revoked device. */
  body = g_strdup_printf ("{\"username\":\"ana\",\"password\":\"" SRV_TEST_PASSWORD "\","
                          "\"device_name\":\"ws\",\"device_id\":\"%s\"}", device->device_id);
  reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);
  g_assert_cmpuint (reply->status, ==, 401);
}

/* POST /v1/login as ana with @password, and @new_password unless NULL; the status, and the
 * error code in *code (NULL on success). */
static guint
login_changing (SrvTestEnv  *env,
                const char  *password,
                const char  *new_password,
                char       **code)
{
  ClWireLoginRequest request = { (char *) "ana", (char *) password, NULL, NULL,
                                 (char *) new_password };
  g_autofree char *body = cl_wire_login_request_encode (&request, NULL);
  g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);

  *code = reply->status == 200 ? NULL : srv_test_reply_code (reply);
  return reply->status;
}

static char *
password_file (SrvTestEnv *env,
               const char *password)
{
  char *path = g_build_filename (env->tmpdir, "password", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, password, -1, &error);
  g_assert_no_error (error);
  return path;
}

#define ASSERT_LOGIN(env, password, new_password, status, expected_code) \
  G_STMT_START { \
    g_autofree char *code_ = NULL; \
    \
    g_assert_cmpuint (login_changing (env, password, new_password, &code_), ==, status); \
    g_assert_cmpstr (code_, ==, expected_code); \
  } G_STMT_END

/* user passwd: the reset password works once, to choose a new one; bad input is refused. */
static void
test_password_reset (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[login]\naccount-limit=100\n");
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(ClWirePullResponse) still = NULL;
  g_autofree char *output = NULL;
  g_autofree char *file = NULL;
  g_autofree char *short_file = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");

  short_file = password_file (env, "too short\n");
  g_assert_cmpint (srv_test_cli (env, &output, "user", "passwd", "--username", "ana",
                                 "--password-file", short_file, NULL), !=, 0);
  g_assert_nonnull (strstr (output, "12 to 1024 characters"));
  g_clear_pointer (&output, g_free);
  file = password_file (env, "reset by the admin 7\n");
  g_assert_cmpint (srv_test_cli (env, &output, "user", "passwd", "--username", "ana", NULL),
                   !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "passwd", "--username", "nobody",
                                 "--password-file", file, NULL), !=, 0);
  g_assert_nonnull (strstr (output, "no user"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'admin.user_passwd'", NULL), ==, 0);

  g_assert_cmpint (srv_test_cli (env, &output, "user", "passwd", "--username", "ana",
                                 "--password-file", file, NULL), ==, 0);
  g_assert_nonnull (strstr (output, "next sign-in"));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'admin.user_passwd'", NULL), ==, 1);

  /* A device signed in stays so. */
  still = srv_test_pull (env, device, 0, 0);

  ASSERT_LOGIN (env, SRV_TEST_PASSWORD, NULL, 401, "login_failed");
  ASSERT_LOGIN (env, "reset by the admin 7", NULL, 401, "password_change_required");
  ASSERT_LOGIN (env, "reset by the admin 7", "short", 422, "password_rejected");
  ASSERT_LOGIN (env, "reset by the admin 7", "reset by the admin 7", 422, "password_rejected");
  ASSERT_LOGIN (env, SRV_TEST_PASSWORD, "my own chosen secret", 401, "login_failed");
  ASSERT_LOGIN (env, "reset by the admin 7", "my own chosen secret", 200, NULL);
  ASSERT_LOGIN (env, "my own chosen secret", NULL, 200, NULL);
  ASSERT_LOGIN (env, "reset by the admin 7", NULL, 401, "login_failed");
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'login' AND outcome = 'password_change_required'",
                                     NULL), ==, 1);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'login' AND detail ->> 'password_changed' = 'true'",
                                     NULL), ==, 1);

  /* A user may also change a password that was not reset. */
  ASSERT_LOGIN (env, "my own chosen secret", "and another one again", 200, NULL);
  ASSERT_LOGIN (env, "and another one again", NULL, 200, NULL);
}

/* user enable: a disabled account signs in again; its revoked devices stay revoked. */
static void
test_enable (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) lost = NULL;
  g_autofree char *output = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  lost = srv_test_login (env, "ana");
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", lost->device_id,
                                 "--mode", "lost", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "ana", NULL),
                   ==, 0);
  g_clear_pointer (&output, g_free);
  ASSERT_LOGIN (env, SRV_TEST_PASSWORD, NULL, 401, "login_failed");

  g_assert_cmpint (srv_test_cli (env, &output, "user", "enable", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "enable", "--username", "nobody", NULL),
                   !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "enable", "--username", "ana", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (output, "Enabled ana"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "enable", "--username", "ana", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (output, "nothing changed"));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'admin.user_enable'", NULL), ==, 1);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'admin.user_disable'", NULL), ==, 1);

  ASSERT_LOGIN (env, SRV_TEST_PASSWORD, NULL, 200, NULL);
  assert_token_refused (env, lost, "device_revoked");

  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "user passwd --username U --password-file FILE"));
  g_assert_nonnull (strstr (output, "user enable --username U"));
}

/* Enrollment names the device, or not; a name that is no name is refused. */
static void
test_device_names (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestReply) unnamed = NULL;
  g_autoptr(SrvTestReply) control = NULL;
  g_autofree char *output = NULL;
  g_autofree char *named = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  unnamed = srv_test_request (env, "POST", "/v1/login", NULL,
                              "{\"username\":\"ana\",\"password\":\"" SRV_TEST_PASSWORD "\"}",
                              -1);
  g_assert_cmpuint (unnamed->status, ==, 200);
  control = srv_test_request (env, "POST", "/v1/login", NULL,
                              "{\"username\":\"ana\",\"password\":\"" SRV_TEST_PASSWORD "\","
                              "\"device_name\":\"ws\\u001b[2J\"}", -1);
  g_assert_cmpuint (control->status, ==, 400);
  g_free (srv_test_login (env, "ana"));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM device", NULL), ==, 2);

  g_assert_cmpint (srv_test_cli (env, &output, "device", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "LAST SYNC"));
  g_assert_nonnull (strstr (output, "LAST SEQ"));
  g_assert_nonnull (strstr (output, "test workstation"));
  named = srv_test_sql (env, "SELECT count(*) FROM device WHERE name IS NULL", NULL);
  g_assert_cmpstr (named, ==, "1");
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/auth/s9-throttle-account", test_throttle_account);
  g_test_add_func ("/server/auth/s9-throttle-address", test_throttle_address);
  g_test_add_func ("/server/auth/s9-throttle-parallel", test_throttle_parallel);
  g_test_add_func ("/server/auth/s9-indistinguishable", test_indistinguishable);
  g_test_add_func ("/server/auth/s10-idle-expiry", test_idle_expiry);
  g_test_add_func ("/server/auth/s10-absolute-expiry", test_absolute_expiry);
  g_test_add_func ("/server/auth/s10-revoked-lost", test_revoked_lost);
  g_test_add_func ("/server/auth/s10-revoked-retire", test_revoked_retire);
  g_test_add_func ("/server/auth/revoked-relogin", test_revoked_relogin);
  g_test_add_func ("/server/auth/revoked-disabled", test_revoked_disabled);
  g_test_add_func ("/server/auth/password-reset", test_password_reset);
  g_test_add_func ("/server/auth/enable", test_enable);
  g_test_add_func ("/server/auth/device-names", test_device_names);
  return g_test_run ();
}
