/* test-refresh.c: refresh tokens: rotation, reuse taken for theft, refusals (revoked
 * device, disabled account, reset password, past refresh-max-age) and bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "srv-test.h"

static SrvTestReply *
refresh_raw (SrvTestEnv *env,
             const char *body)
{
  return srv_test_request (env, "POST", "/v1/refresh", NULL, body, -1);
}

static SrvTestReply *
refresh_with (SrvTestEnv *env,
              const char *refresh_token)
{
  g_autofree char *body = cl_wire_refresh_request_encode (refresh_token, NULL);

  return refresh_raw (env, body);
}

/* Refreshes @device, which must work; @device then holds the new pair. */
static void
refresh_ok (SrvTestEnv    *env,
            SrvTestDevice *device)
{
  g_autoptr(SrvTestReply) reply = refresh_with (env, device->refresh_token);
  g_autoptr(ClWireLoginResponse) login = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = srv_test_reply_text (reply);

  g_assert_cmpuint (reply->status, ==, 200);
  login = cl_wire_login_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (login->device_id, ==, device->device_id);
  g_assert_cmpstr (login->username, ==, device->username);
  g_assert_cmpstr (login->token, !=, device->token);
  g_assert_cmpstr (login->refresh_token, !=, device->refresh_token);
  g_free (device->token);
  g_free (device->refresh_token);
  device->token = g_strdup (login->token);
  device->refresh_token = g_strdup (login->refresh_token);
}

/* Signs @device in again with the password (as after an expiry), keeping the device. */
static void
sign_in_again (SrvTestEnv    *env,
               SrvTestDevice *device)
{
  ClWireLoginRequest request = { device->username, (char *) SRV_TEST_PASSWORD, NULL,
                                 device->device_id, NULL };
  g_autofree char *body = cl_wire_login_request_encode (&request, NULL);
  g_autoptr(SrvTestReply) reply = srv_test_request (env, "POST", "/v1/login", NULL, body, -1);
  g_autoptr(ClWireLoginResponse) login = NULL;
  const char *text = srv_test_reply_text (reply);

  g_assert_cmpuint (reply->status, ==, 200);
  login = cl_wire_login_response_decode (text, strlen (text), NULL);
  g_assert_nonnull (login);
  g_assert_cmpstr (login->device_id, ==, device->device_id);
  g_free (device->token);
  g_free (device->refresh_token);
  device->token = g_strdup (login->token);
  device->refresh_token = g_strdup (login->refresh_token);
}

static void
assert_refused (SrvTestReply *reply,
                guint         status,
                const char   *code)
{
  g_autofree char *got = srv_test_reply_code (reply);

  g_test_message ("answer: %u %s", reply->status, srv_test_reply_text (reply));
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpstr (got, ==, code);
}

#define ASSERT_REFRESH(env, refresh_token, want_status, want_code) \
  G_STMT_START { \
    g_autoptr(SrvTestReply) r_ = refresh_with (env, refresh_token); \
    assert_refused (r_, want_status, want_code); \
  } G_STMT_END

#define ASSERT_PULL(env, device, want_status, want_code) \
  G_STMT_START { \
    g_autoptr(SrvTestReply) r_ = srv_test_pull_raw (env, device, 0, 0, NULL); \
    if ((want_status) == 200) \
      g_assert_cmpuint (r_->status, ==, 200); \
    else \
      assert_refused (r_, want_status, want_code); \
  } G_STMT_END

static gint64
audit_count (SrvTestEnv *env,
             const char *outcome)
{
  return srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'refresh' "
                           "AND outcome = $1", outcome, NULL);
}

/* An expired token is traded for a new pair without the password; the refresh token is
 * used up, stored only as a hash, and a sign-in with the password starts a new chain. */
static void
test_rotation (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[tokens]\nidle-timeout=2\nlifetime=3600\n");
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestDevice) again = NULL;
  g_autofree char *first_token = NULL;
  g_autofree char *first_refresh = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");
  g_assert_true (g_str_has_prefix (device->refresh_token, "clr_"));
  g_assert_cmpuint (strlen (device->refresh_token), ==, 4 + 43);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM refresh_token WHERE hash = "
                                     "convert_to($1, 'UTF8')", device->refresh_token, NULL),
                   ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM refresh_token WHERE "
                                     "device_id = $1 AND length(hash) = 32",
                                     device->device_id, NULL), ==, 1);

  ASSERT_PULL (env, device, 200, NULL);
  g_usleep (3 * G_USEC_PER_SEC);
  ASSERT_PULL (env, device, 401, "token_expired");

  first_token = g_strdup (device->token);
  first_refresh = g_strdup (device->refresh_token);
  refresh_ok (env, device);
  ASSERT_PULL (env, device, 200, NULL);
  g_assert_cmpint (audit_count (env, "ok"), ==, 1);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM refresh_token WHERE "
                                     "device_id = $1 AND rotated_at IS NULL",
                                     device->device_id, NULL), ==, 1);

  /* The old access token is gone with the rotation. */
  {
    g_autoptr(SrvTestReply) old = srv_test_request (env, "GET", "/v1/conflicts", first_token,
                                                    NULL, 0);
    assert_refused (old, 401, "token_invalid");
  }

  /* Refreshing works again and again, each time with the newest token. */
  refresh_ok (env, device);
  ASSERT_PULL (env, device, 200, NULL);

  /* A sign-in with the password starts a new chain: the older refresh tokens are unknown. */
  g_free (first_token);
  first_token = g_strdup (device->refresh_token);
  sign_in_again (env, device);
  ASSERT_REFRESH (env, first_token, 401, "token_invalid");
  ASSERT_REFRESH (env, first_refresh, 401, "token_invalid");
  g_assert_cmpint (audit_count (env, "refresh_reused"), ==, 0);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM refresh_token WHERE "
                                     "device_id = $1", device->device_id, NULL), ==, 1);

  /* Another device of the same user has its own chain. */
  again = srv_test_login (env, "ana");
  refresh_ok (env, again);
  ASSERT_PULL (env, again, 200, NULL);
}

/* A rotated refresh token presented again: the device's tokens are revoked (the thief's
 * and the device's alike), in a security entry; the device signs in with the password. */
static void
test_reuse (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestDevice) other = NULL;
  g_autofree char *stolen = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");
  other = srv_test_login (env, "ana");
  stolen = g_strdup (device->refresh_token);
  refresh_ok (env, device);
  ASSERT_PULL (env, device, 200, NULL);

  ASSERT_REFRESH (env, stolen, 401, "token_invalid");
  g_assert_cmpint (audit_count (env, "refresh_reused"), ==, 1);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'refresh' AND outcome = 'refresh_reused' AND security "
                                     "AND device_id = $1", device->device_id, NULL), ==, 1);
  ASSERT_PULL (env, device, 401, "token_invalid");
  ASSERT_REFRESH (env, device->refresh_token, 401, "token_invalid");
  ASSERT_REFRESH (env, stolen, 401, "token_invalid");
  g_assert_cmpint (audit_count (env, "refresh_reused"), ==, 1);

  /* The user's other device is not touched. */
  ASSERT_PULL (env, other, 200, NULL);
  refresh_ok (env, other);

  /* With the password, the device is back. */
  sign_in_again (env, device);
  ASSERT_PULL (env, device, 200, NULL);
  refresh_ok (env, device);
}

/* No refresh for a revoked device (it is told its mode), a disabled account or a password
 * an administrator reset; a refusal does not use the refresh token up. */
static void
test_refused (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) lost = NULL;
  g_autoptr(SrvTestDevice) retired = NULL;
  g_autoptr(SrvTestDevice) ben = NULL;
  g_autoptr(SrvTestDevice) cy = NULL;
  g_autofree char *output = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "ben", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "cy", "advocate_dv", "14"));
  lost = srv_test_login (env, "ana");
  retired = srv_test_login (env, "ana");
  ben = srv_test_login (env, "ben");
  cy = srv_test_login (env, "cy");

  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", lost->device_id,
                                 "--mode", "lost", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", retired->device_id,
                                 "--mode", "retire", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  {
    g_autoptr(SrvTestReply) r = refresh_with (env, lost->refresh_token);
    const char *text = srv_test_reply_text (r);
    g_autoptr(ClWireErrorReply) e = cl_wire_error_reply_decode (text, strlen (text), NULL);

    g_assert_cmpuint (r->status, ==, 401);
    g_assert_cmpstr (e->code, ==, "device_revoked");
    g_assert_cmpstr (e->mode, ==, "lost");
  }
  ASSERT_REFRESH (env, retired->refresh_token, 401, "device_revoked");
  g_assert_cmpint (audit_count (env, "device_revoked"), ==, 2);

  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "ben", NULL),
                   ==, 0);
  g_clear_pointer (&output, g_free);
  ASSERT_REFRESH (env, ben->refresh_token, 401, "token_invalid");
  g_assert_cmpint (audit_count (env, "account_disabled"), ==, 1);
  g_assert_cmpint (srv_test_cli (env, &output, "user", "enable", "--username", "ben", NULL),
                   ==, 0);
  g_clear_pointer (&output, g_free);
  refresh_ok (env, ben);

  g_free (srv_test_sql (env, "UPDATE account SET password_must_change = true "
                        "WHERE username = 'cy'", NULL));
  ASSERT_REFRESH (env, cy->refresh_token, 401, "password_change_required");
  ASSERT_REFRESH (env, cy->refresh_token, 401, "password_change_required");
  g_assert_cmpint (audit_count (env, "password_change_required"), ==, 2);
  g_assert_cmpint (audit_count (env, "refresh_reused"), ==, 0);
  g_assert_cmpint (audit_count (env, "ok"), ==, 1);
}

/* refresh-max-age after the sign-in with the password, refresh ends: the password again. */
static void
test_max_age (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[tokens]\nrefresh-max-age=3\n");
  g_autoptr(SrvTestDevice) device = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");
  refresh_ok (env, device);
  g_usleep (4 * G_USEC_PER_SEC);
  ASSERT_REFRESH (env, device->refresh_token, 401, "token_expired");
  g_assert_cmpint (audit_count (env, "refresh_expired"), ==, 1);

  /* Rotation does not move the limit; a sign-in with the password does. */
  {
    g_autoptr(SrvTestDevice) again = srv_test_login (env, "ana");

    refresh_ok (env, again);
  }
}

/* Malformed, long, missing: refused before any lookup; a well-formed unknown token is
 * token_invalid. */
static void
test_bad_input (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autofree char *long_token = g_strnfill (4000, 'a');
  g_autofree char *long_body = g_strdup_printf ("{\"refresh_token\":\"clr_%s\"}", long_token);
  g_autofree char *huge_token = g_strnfill (20000, 'a');
  g_autofree char *huge_body = g_strdup_printf ("{\"refresh_token\":\"clr_%s\"}", huge_token);
  g_autofree char *access_body = NULL;
  g_autofree char *extra_body = NULL;
  g_autofree char *unknown = g_strconcat ("clr_", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                          NULL);
  struct {
    const char *body;
    guint       status;
    const char *code;
  } cases[] = {
    { "", 400, "invalid_json" },
    { "{}", 400, "missing_key" },
    { "{\"refresh_token\":null}", 400, "wrong_type" },
    { "{\"refresh_token\":42}", 400, "wrong_type" },
    { "{\"refresh_token\":\"\"}", 400, "invalid_value" },
    { "{\"refresh_token\":\"clr_short\"}", 400, "invalid_value" },
    { "{\"refresh_token\":\"clr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+\"}", 400,
      "invalid_value" },
    { "[\"clr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]", 400, "wrong_type" },
  };

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SrvTestReply) r = refresh_raw (env, cases[i].body);

      g_test_message ("case %u: %s", i, cases[i].body);
      assert_refused (r, cases[i].status, cases[i].code);
    }
  {
    g_autoptr(SrvTestReply) r = refresh_raw (env, long_body);
    assert_refused (r, 400, "invalid_value");
  }
  {
    g_autoptr(SrvTestReply) r = refresh_raw (env, huge_body);
    assert_refused (r, 413, "body_too_large");
  }
  /* The access token is not a refresh token. */
  access_body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", device->token);
  {
    g_autoptr(SrvTestReply) r = refresh_raw (env, access_body);
    assert_refused (r, 400, "invalid_value");
  }
  extra_body = g_strdup_printf ("{\"refresh_token\":\"%s\",\"device_id\":\"%s\"}",
                                device->refresh_token, device->device_id);
  {
    g_autoptr(SrvTestReply) r = refresh_raw (env, extra_body);
    assert_refused (r, 400, "unknown_key");
  }
  {
    g_autoptr(SrvTestReply) r = srv_test_request (env, "GET", "/v1/refresh", NULL, NULL, 0);
    g_assert_cmpuint (r->status, ==, 405);
  }
  ASSERT_REFRESH (env, unknown, 401, "token_invalid");

  /* None of it used the device's refresh token up. */
  refresh_ok (env, device);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'refresh' AND outcome <> 'ok'", NULL), ==, 0);
}

/* refresh-max-age out of range stops the server at start, the key named. */
static void
test_config (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *config = NULL;
  const char *values[] = { "0", "-5", "316224001", "ninety days" };

  g_assert_true (g_file_get_contents (env->config_path, &config, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *bad = g_strdup_printf ("%s\n[tokens]\nrefresh-max-age=%s\n", config,
                                              values[i]);
      g_autofree char *output = NULL;

      g_assert_true (g_file_set_contents (env->config_path, bad, -1, NULL));
      g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), !=, 0);
      g_assert_nonnull (strstr (output, "refresh-max-age"));
    }
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/refresh/rotation", test_rotation);
  g_test_add_func ("/server/refresh/reuse", test_reuse);
  g_test_add_func ("/server/refresh/refused", test_refused);
  g_test_add_func ("/server/refresh/max-age", test_max_age);
  g_test_add_func ("/server/refresh/bad-input", test_bad_input);
  g_test_add_func ("/server/refresh/config", test_config);
  return g_test_run ();
}
