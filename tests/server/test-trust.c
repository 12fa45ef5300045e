/* test-trust.c: [tls] trust-bundle, checked at start, and GET /v1/trust
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "srv-test.h"

/* A CA certificate made by openssl in @dir, its PEM in *pem; returns its key's path. */
static char *
make_ca (const char  *dir,
         const char  *name,
         char       **pem)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *subject = g_strdup_printf ("/CN=%s", name);
  char *key = g_strdup_printf ("%s/%s.key", dir, name);

  g_free (srv_test_run ("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", subject,
                        "-addext", "basicConstraints=critical,CA:TRUE", NULL));
  g_assert_true (g_file_get_contents (cert, pem, NULL, NULL));
  return key;
}

static char *
bundle_file (SrvTestEnv *env,
             const char *text)
{
  char *path = g_build_filename (env->tmpdir, "trust.pem", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
trust_of (SrvTestEnv    *env,
          SrvTestDevice *device)
{
  g_autoptr(SrvTestReply) reply = srv_test_request (env, "GET", "/v1/trust", device->token,
                                                    NULL, 0);
  g_autoptr(GError) error = NULL;
  const char *text = srv_test_reply_text (reply);
  char *bundle = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_true (cl_wire_trust_response_decode (text, strlen (text), &bundle, &error));
  g_assert_no_error (error);
  return bundle;
}

/* Without a bundle the answer says none; the route wants a device's token. */
static void
test_route (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autoptr(SrvTestReply) anonymous = NULL;
  g_autoptr(SrvTestReply) post = NULL;
  g_autofree char *code = NULL;
  g_autofree char *none = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");
  anonymous = srv_test_request (env, "GET", "/v1/trust", NULL, NULL, 0);
  code = srv_test_reply_code (anonymous);
  g_assert_cmpuint (anonymous->status, ==, 401);
  g_assert_cmpstr (code, ==, "token_invalid");
  post = srv_test_request (env, "POST", "/v1/trust", device->token, "{}", -1);
  g_assert_cmpuint (post->status, ==, 405);
  none = trust_of (env, device);
  g_assert_null (none);
}

/* The configured bundle (old and new CA) reaches devices as written. */
static void
test_bundle (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autoptr(SrvTestDevice) device = NULL;
  g_autofree char *old_pem = NULL, *new_pem = NULL;
  g_autofree char *old_key = make_ca (env->tmpdir, "old-ca", &old_pem);
  g_autofree char *new_key = make_ca (env->tmpdir, "new-ca", &new_pem);
  g_autofree char *both = g_strconcat (old_pem, new_pem, NULL);
  g_autofree char *path = bundle_file (env, both);
  g_autofree char *config = NULL;
  g_autofree char *sent = NULL;

  g_assert_true (g_file_get_contents (env->config_path, &config, NULL, NULL));
  {
    g_autofree char *with = g_strdup_printf ("%s\n[tls]\ntrust-bundle=%s\n", config, path);
    g_assert_true (g_file_set_contents (env->config_path, with, -1, NULL));
  }
  srv_test_server_start (env);
  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  device = srv_test_login (env, "ana");
  sent = trust_of (env, device);
  g_assert_cmpstr (sent, ==, both);
}

/* A bundle that is not 1 to 16 certificates and nothing else, within 32 KiB, stops the
 * server at start, with the key named. */
static void
test_malformed (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new_stopped (NULL);
  g_autofree char *pem = NULL;
  g_autofree char *ca_key = make_ca (env->tmpdir, "ca", &pem);
  g_autofree char *key_text = NULL;
  g_autofree char *config = NULL;
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GString) large = g_string_new (pem);
  g_autofree char *broken = NULL;
  const char *bundles[6];

  g_assert_true (g_file_get_contents (ca_key, &key_text, NULL, NULL));
  g_assert_true (g_file_get_contents (env->config_path, &config, NULL, NULL));
  for (int i = 0; i < 17; i++)
    g_string_append (many, pem);
  while (large->len <= CL_WIRE_MAX_TRUST_BYTES)
    g_string_append (large, "# padding line of a bundle far too large for a device\n");
  broken = g_strndup (pem, strlen (pem) / 2);
  bundles[0] = "";
  bundles[1] = key_text;
  bundles[2] = many->str;
  bundles[3] = large->str;
  bundles[4] = "not a certificate at all\n";
  bundles[5] = broken;

  for (guint i = 0; i < G_N_ELEMENTS (bundles) + 1; i++)
    {
      g_autofree char *path = i < G_N_ELEMENTS (bundles)
                              ? bundle_file (env, bundles[i])
                              : g_build_filename (env->tmpdir, "missing.pem", NULL);
      g_autofree char *with = g_strdup_printf ("%s\n[tls]\ntrust-bundle=%s\n", config, path);
      g_autofree char *output = NULL;

      g_assert_true (g_file_set_contents (env->config_path, with, -1, NULL));
      g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), !=, 0);
      g_test_message ("bundle %u: %s", i, output);
      g_assert_nonnull (strstr (output, "[tls] trust-bundle"));
    }
  {
    g_autofree char *output = NULL;

    g_assert_cmpint (srv_test_cli (env, &output, "serve", NULL), !=, 0);
    g_assert_nonnull (strstr (output, "[tls] trust-bundle"));
  }

  /* And a good one is taken. */
  {
    g_autofree char *path = bundle_file (env, pem);
    g_autofree char *with = g_strdup_printf ("%s\n[tls]\ntrust-bundle=%s\n", config, path);
    g_autofree char *output = NULL;

    g_assert_true (g_file_set_contents (env->config_path, with, -1, NULL));
    g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/trust/route", test_route);
  g_test_add_func ("/server/trust/bundle", test_bundle);
  g_test_add_func ("/server/trust/malformed", test_malformed);
  return g_test_run ();
}
