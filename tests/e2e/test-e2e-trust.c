/* test-e2e-trust.c: a server move and a CA rollover without new vaults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `caseloadctl set-server` moves an enrolled vault to a second nginx address with another
 * CA, keeping its enrollment and outbox; a wrong address, an untrusted CA, a file that is
 * no CA, a server that does not know the device and plain http are refused and leave the
 * vault as it was. The server's trust bundle ([tls] trust-bundle) reaches the vault on
 * sync; once the server's certificate is replaced by one of the new CA, a vault that got
 * the bundle still syncs and one that did not is refused. A malformed bundle (made up by
 * the fault proxy) is refused and changes nothing.
 */

#define G_LOG_DOMAIN "test-e2e-trust"

#include <string.h>

#include "cl-e2e.h"

#define SYNC_META "SELECT key, value FROM meta WHERE key IN ('sync_url', 'sync_ca', " \
                  "'sync_trust', 'sync_device_id', 'sync_username') ORDER BY key"

/* The nginx site blocks the move test adds: at @moved, the same server behind a
 * certificate of the other CA; at @stranger, a server of the other CA that answers
 * health and knows no device. */
static char *
move_sites (ClTestTls *tls,
            guint16    moved,
            guint16    stranger)
{
  return g_strdup_printf (
    "  server { listen 127.0.0.1:%u ssl; server_name localhost;\n"
    "    ssl_certificate %s; ssl_certificate_key %s;\n"
    "    proxy_http_version 1.1; proxy_set_header X-Real-IP $remote_addr;\n"
    "    location /v1/ { proxy_pass http://caseload_server; } }\n"
    "  server { listen 127.0.0.1:%u ssl; server_name localhost;\n"
    "    ssl_certificate %s; ssl_certificate_key %s; default_type application/json;\n"
    "    location = /v1/health { return 200 '{\"status\":\"ok\",\"database\":\"ok\"}'; }\n"
    "    location / { return 401 '{\"error\":{\"code\":\"token_invalid\","
    "\"message\":\"Sign in again\"}}'; } }\n",
    moved, tls->other_cert, tls->other_key, stranger, tls->other_cert, tls->other_key);
}

/* caseloadctl set-server with @args fails with exit 7 and says @expect; the vault's
 * enrollment is as it was. */
static void
set_server_refused (ClE2eClient *client,
                    const char  *expect,
                    const char  *url,
                    const char  *ca_arg)
{
  g_autofree char *before = cl_e2e_vault_rows (client, SYNC_META);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = cl_e2e_ctl (client, NULL, &status, &err, "set-server", url, ca_arg, NULL);
  g_test_message ("set-server %s: %d %s", url, status, err);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, expect));
  after = cl_e2e_vault_rows (client, SYNC_META);
  g_assert_cmpstr (before, ==, after);
}

static void
test_set_server (void)
{
  ClTestTls *tls = cl_e2e_tls ();
  guint16 p_moved = cl_test_free_port (), p_stranger = cl_test_free_port ();
  guint16 p_closed = cl_test_free_port ();
  g_autofree char *extra = move_sites (tls, p_moved, p_stranger);
  g_autoptr(ClTestStack) stack = cl_test_stack_new (tls, NULL, extra);
  g_autoptr(ClE2eClient) a = NULL;
  g_autofree char *moved = g_strdup_printf ("https://localhost:%u", p_moved);
  g_autofree char *stranger = g_strdup_printf ("https://localhost:%u", p_stranger);
  g_autofree char *closed = g_strdup_printf ("https://localhost:%u", p_closed);
  g_autofree char *plain = g_strdup_printf ("http://localhost:%u", p_moved);
  g_autofree char *other_ca = g_strdup_printf ("--ca=%s", tls->other_ca);
  g_autofree char *not_ca = g_strdup_printf ("--ca=%s", tls->server_key);
  g_autofree char *device = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *note = NULL;
  ClE2eSync s;

  g_assert_true (cl_test_wait_port (p_moved, 5000));
  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  a = cl_e2e_client_new (stack, "ana", NULL);
  device = cl_e2e_status (a, "device");
  case_id = cl_e2e_new_case (a, "Move Client", "14");
  cl_e2e_sync_ok (a, &s);
  cl_e2e_sync_clear (&s);
  note = cl_e2e_note (a, case_id, "written before the move");
  g_assert_cmpint (cl_e2e_pending (a), ==, 1);

  set_server_refused (a, "Could not reach", closed, other_ca);
  set_server_refused (a, "not trusted", moved, NULL);
  set_server_refused (a, "no usable CA", moved, not_ca);
  set_server_refused (a, "does not know this workstation", stranger, other_ca);
  set_server_refused (a, "https://", plain, other_ca);
  g_assert_cmpint (cl_e2e_pending (a), ==, 1);

  {
    g_autofree char *out = NULL, *err = NULL, *server = NULL, *after = NULL;
    int status;

    out = cl_e2e_ctl (a, NULL, &status, &err, "set-server", moved, other_ca, NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, moved));
    server = cl_e2e_status (a, "server");
    g_assert_cmpstr (server, ==, moved);
    after = cl_e2e_status (a, "device");
    g_assert_cmpstr (after, ==, device);
  }
  /* The outbox went along: the note reaches the server through the new address. */
  g_assert_cmpint (cl_e2e_pending (a), ==, 1);
  cl_e2e_sync_ok (a, &s);
  g_assert_cmpuint (s.pushed, ==, 1);
  cl_e2e_sync_clear (&s);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM record WHERE id = '%s'",
                                            note);
    g_autofree char *count = cl_test_stack_sql (stack, sql);

    g_assert_cmpstr (count, ==, "1");
  }
  /* The old address's CA is no longer trusted. */
  set_server_refused (a, "not trusted", stack->url, NULL);

  {
    g_autofree char *out = NULL, *err = NULL;
    int status;

    out = cl_e2e_ctl (a, NULL, &status, &err, "set-server", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "set-server needs"));
  }
}

static char *
bundle_config (ClTestTls  *tls,
               const char *dir)
{
  g_autofree char *old_ca = NULL;
  g_autofree char *new_ca = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *path = g_build_filename (dir, "trust.pem", NULL);

  g_assert_true (g_file_get_contents (tls->ca, &old_ca, NULL, NULL));
  g_assert_true (g_file_get_contents (tls->other_ca, &new_ca, NULL, NULL));
  bundle = g_strconcat (old_ca, new_ca, NULL);
  g_assert_true (g_file_set_contents (path, bundle, -1, NULL));
  return g_strdup_printf ("[server]\nworkers = 4\n[tls]\ntrust-bundle = %s\n", path);
}

static void
test_rollover (void)
{
  ClTestTls *tls = cl_e2e_tls ();
  g_autofree char *config = bundle_config (tls, tls->dir);
  g_autoptr(ClTestStack) stack = cl_test_stack_new (tls, config, NULL);
  g_autoptr(ClE2eClient) synced = NULL;
  g_autoptr(ClE2eClient) stale = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *trust = NULL;
  g_autofree char *none = NULL;
  ClE2eSync s;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  synced = cl_e2e_client_new (stack, "ana", NULL);
  stale = cl_e2e_client_new (stack, "ana", NULL);
  none = cl_e2e_vault_rows (synced, "SELECT count(*) FROM meta WHERE key = 'sync_trust'");
  g_assert_cmpstr (none, ==, "0\n");
  case_id = cl_e2e_new_case (synced, "Rollover Client", "14");
  cl_e2e_sync_ok (synced, &s);
  cl_e2e_sync_clear (&s);
  trust = cl_e2e_vault_rows (synced, "SELECT value FROM meta WHERE key = 'sync_trust'");
  g_assert_nonnull (strstr (trust, "-----BEGIN CERTIFICATE-----"));

  /* The certificate is replaced by one of the new CA, at the same address. */
  cl_test_stack_restart_nginx (stack, tls->other_cert, tls->other_key);
  g_free (cl_e2e_note (synced, case_id, "after the rollover"));
  cl_e2e_sync_ok (synced, &s);
  g_assert_cmpuint (s.pushed, ==, 1);
  cl_e2e_sync_clear (&s);

  /* A vault that never synced since the bundle came knows only the old CA. */
  cl_e2e_sync (stale, NULL, &s);
  g_assert_cmpint (s.status, ==, 7);
  g_assert_nonnull (strstr (s.err, "not trusted"));
  cl_e2e_sync_clear (&s);
}

/* A bundle with a private key, garbage, or too large: refused, the kept one stays. */
static void
test_malformed_bundle (void)
{
  ClTestTls *tls = cl_e2e_tls ();
  g_autofree char *config = bundle_config (tls, tls->dir);
  g_autoptr(ClTestStack) stack = cl_test_stack_new (tls, config, NULL);
  g_autoptr(ClFaultProxy) proxy = cl_e2e_https_proxy (stack);
  g_autofree char *url = cl_e2e_proxy_url (proxy);
  g_autoptr(ClE2eClient) a = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *key = NULL;
  g_autofree char *huge = g_strnfill (40000, 'A');
  const char *bodies[4];
  g_autofree char *key_body = NULL;
  g_autofree char *huge_body = NULL;
  ClE2eSync s;

  g_assert_true (g_file_get_contents (tls->server_key, &key, NULL, NULL));
  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "bundle");
    json_builder_add_string_value (b, key);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    key_body = json_generator_to_data (gen, NULL);
  }
  huge_body = g_strdup_printf ("{\"bundle\":\"-----BEGIN CERTIFICATE-----%s\"}", huge);
  bodies[0] = key_body;
  bodies[1] = "{\"bundle\":\"-----BEGIN CERTIFICATE-----\\nnot base64\\n"
              "-----END CERTIFICATE-----\\n\"}";
  bodies[2] = huge_body;
  bodies[3] = "{\"bundle\":42}";

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  a = cl_e2e_client_new (stack, "ana", url);
  cl_e2e_sync_ok (a, &s);
  cl_e2e_sync_clear (&s);
  kept = cl_e2e_vault_rows (a, "SELECT value FROM meta WHERE key = 'sync_trust'");
  g_assert_nonnull (strstr (kept, "-----BEGIN CERTIFICATE-----"));

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *now = NULL;

      cl_fault_proxy_forge (proxy, 200, bodies[i]);
      cl_fault_proxy_set (proxy, CL_FAULT_REPLAY, 0, "/v1/trust", 1);
      cl_e2e_sync (a, NULL, &s);
      g_test_message ("bundle %u: %d %s", i, s.status, s.err);
      g_assert_cmpint (s.status, ==, 7);
      g_assert_nonnull (strstr (s.err, "trust bundle was refused"));
      cl_e2e_sync_clear (&s);
      g_assert_cmpuint (cl_fault_proxy_get_hits (proxy), ==, i + 1);
      now = cl_e2e_vault_rows (a, "SELECT value FROM meta WHERE key = 'sync_trust'");
      g_assert_cmpstr (now, ==, kept);
    }
  cl_e2e_sync_ok (a, &s);
  cl_e2e_sync_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/trust/set-server", test_set_server);
  g_test_add_func ("/e2e/trust/rollover", test_rollover);
  g_test_add_func ("/e2e/trust/malformed-bundle", test_malformed_bundle);
  return g_test_run ();
}
