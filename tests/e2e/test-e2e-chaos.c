/* test-e2e-chaos.c: crashes, a hostile network and long offline periods, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TESTING.md ids: R1 (kill -9 during sync), R2 (deterministic crash points), R6 (network
 * chaos through the fault proxy, several clients; scaled), R7 (long offline). Each ends
 * with the list-append oracle (cl_e2e_assert_converged). CASELOAD_LONG=1 runs the full
 * iteration counts.
 */

#define G_LOG_DOMAIN "test-e2e-chaos"

#include <stdio.h>
#include <string.h>

#include "cl-e2e.h"
#include "cl-secret.h"
#include "cl-sync.h"
#include "cl-vault.h"

static GHashTable *
token_set (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
add_token (ClE2eClient *client,
           const char  *case_id,
           GHashTable  *committed,
           const char  *prefix,
           guint        n)
{
  g_autofree char *token = g_strdup_printf ("%s-%s-%u", prefix, client->username, n);
  g_autofree char *id = cl_e2e_note (client, case_id, token);

  /* caseloadctl add returned: the note and its mutation are committed. */
  g_hash_table_add (committed, g_steal_pointer (&token));
}

static gint64
status_int (ClE2eClient *client,
            const char  *key)
{
  g_autofree char *v = cl_e2e_status (client, key);

  g_assert_nonnull (v);
  return g_ascii_strtoll (v, NULL, 10);
}

static void
assert_verify_ok (ClE2eClient *client)
{
  g_autofree char *out = NULL, *err = NULL;
  int rc;

  out = cl_e2e_ctl (client, NULL, &rc, &err, "verify", NULL);
  if (rc != 0)
    g_error ("caseloadctl verify failed after a crash: %s%s", out, err);
}

/* R1 ------------------------------------------------------------------------------------ */

static void
test_r1_kill_during_sync (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a = NULL;
  g_autoptr(ClE2eClient) b = NULL;
  g_autoptr(GHashTable) committed = token_set ();
  g_autofree char *case_id = NULL;
  guint iterations = cl_e2e_long () ? 100 : 14;
  guint killed = 0;
  guint full_ms;
  gint64 t0;
  ClE2eSync s;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "ben", "advocate_cv", "14");
  a = cl_e2e_client_new (stack, "ana", NULL);
  b = cl_e2e_client_new (stack, "ben", NULL);
  case_id = cl_e2e_new_case (a, "R1 Client", "14");
  cl_e2e_sync_ok (a, &s);
  cl_e2e_sync_clear (&s);
  /* How long a round with nothing to send takes here: a round with changes takes longer,
   * so killing within that time kills it midway, however fast or loaded the machine is. */
  t0 = g_get_monotonic_time ();
  cl_e2e_sync_ok (b, &s);
  cl_e2e_sync_clear (&s);
  full_ms = (guint) ((g_get_monotonic_time () - t0) / 1000);

  for (guint i = 0; i < iterations; i++)
    {
      ClE2eClient *c = i % 2 == 0 ? a : b;
      gint64 cursor = status_int (c, "cursor");
      gint64 acked = status_int (c, "acknowledged");
      g_autoptr(GSubprocess) p = NULL;
      int rc;

      for (guint n = 0; n < 1 + (guint) g_test_rand_int_range (0, 6); n++)
        add_token (c, case_id, committed, "R1", i * 10 + n);
      p = cl_e2e_ctl_spawn (c, NULL, "sync", NULL);
      /* Every other round is killed at a random point within it; the others may finish
       * (or not) within 400 ms. */
      rc = cl_e2e_wait (p, i % 2 == 0 ? (guint) g_test_rand_int_range (0, MAX (full_ms, 2))
                                      : (guint) g_test_rand_int_range (0, 400));
      if (rc == 137)
        killed++;
      g_assert_true (rc == 0 || rc == 137);
      /* Never backwards. */
      g_assert_cmpint (status_int (c, "cursor"), >=, cursor);
      g_assert_cmpint (status_int (c, "acknowledged"), >=, acked);
      if (i % 5 == 4)
        assert_verify_ok (c);
    }
  g_test_message ("R1: %u of %u rounds killed", killed, iterations);
  g_assert_cmpuint (killed, >, 0);

  {
    ClE2eClient *clients[] = { a, b };
    cl_e2e_assert_converged (stack, clients, 2, committed);
  }
}

/* R2 ------------------------------------------------------------------------------------ */

static void
test_r2_crash_points (void)
{
  static const char * const points[] = {
    "before-push", "after-push-send", "after-push-commit", "mid-pull-apply",
    "after-pull-commit",
  };
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a = NULL;
  g_autoptr(ClE2eClient) b = NULL;
  g_autoptr(GHashTable) committed = token_set ();
  g_autofree char *case_id = NULL;
  guint repeat = cl_e2e_long () ? 4 : 1;
  ClE2eSync s;

  if (!CASELOAD_TEST_HOOKS)
    g_error ("R2 needs the crash points: configure with -Dtest_hooks=true");

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "ben", "advocate_cv", "14");
  a = cl_e2e_client_new (stack, "ana", NULL);
  b = cl_e2e_client_new (stack, "ben", NULL);
  case_id = cl_e2e_new_case (a, "R2 Client", "14");
  cl_e2e_sync_ok (a, &s);
  cl_e2e_sync_clear (&s);
  cl_e2e_sync_ok (b, &s);
  cl_e2e_sync_clear (&s);

  for (guint r = 0; r < repeat; r++)
    for (guint i = 0; i < G_N_ELEMENTS (points); i++)
      {
        g_autofree char *crash = g_strdup_printf ("CASELOAD_SYNC_CRASH_AT=%s", points[i]);
        const char *env[] = { crash, NULL };
        gint64 cursor, acked, pending;
        guint n = r * 100 + i * 10;

        /* Something to pull (b) and something to push (a). */
        add_token (b, case_id, committed, "R2b", n);
        cl_e2e_sync_ok (b, &s);
        cl_e2e_sync_clear (&s);
        add_token (a, case_id, committed, "R2a", n);
        add_token (a, case_id, committed, "R2a", n + 1);
        cursor = status_int (a, "cursor");
        acked = status_int (a, "acknowledged");
        pending = status_int (a, "pending");

        cl_e2e_sync (a, env, &s);
        g_test_message ("crash at %s: status %d", points[i], s.status);
        g_assert_cmpint (s.status, ==, 137);
        cl_e2e_sync_clear (&s);

        assert_verify_ok (a);
        g_assert_cmpint (status_int (a, "cursor"), >=, cursor);
        g_assert_cmpint (status_int (a, "acknowledged"), >=, acked);
        if (strcmp (points[i], "before-push") == 0 || strcmp (points[i], "after-push-send") == 0)
          g_assert_cmpint (status_int (a, "pending"), ==, pending);
        else
          g_assert_cmpint (status_int (a, "pending"), ==, 0);

        /* Restarted: the round completes, and the server applied everything once. */
        cl_e2e_sync_ok (a, &s);
        cl_e2e_sync_clear (&s);
        g_assert_cmpint (status_int (a, "pending"), ==, 0);
      }

  {
    g_autofree char *dupes = cl_test_stack_sql (stack, "SELECT count(*) FROM (SELECT mutation_id "
                                                       "FROM mutation_log GROUP BY mutation_id "
                                                       "HAVING count(*) > 1) d");
    ClE2eClient *clients[] = { a, b };

    g_assert_cmpstr (dupes, ==, "0");
    cl_e2e_assert_converged (stack, clients, 2, committed);
  }
}

/* R6 ------------------------------------------------------------------------------------ */

static void
test_r6_network_chaos (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClFaultProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GHashTable) committed = token_set ();
  g_autofree char *case_id = NULL;
  const char *names[] = { "ana", "ben", "cat" };
  ClE2eClient *clients[3];
  guint iterations = cl_e2e_long () ? 40 : 6;
  const char *env[] = { "CASELOAD_SYNC_TIMEOUT=3", NULL };
  gint64 healed;
  ClE2eSync s;

  proxy = cl_fault_proxy_new (stack->port, NULL, NULL, &error);
  g_assert_no_error (error);
  url = cl_e2e_proxy_url (proxy);
  for (guint i = 0; i < 3; i++)
    {
      cl_test_stack_user_add (stack, names[i], "advocate_dv", "14");
      clients[i] = cl_e2e_client_new (stack, names[i], url);
    }
  case_id = cl_e2e_new_case (clients[0], "R6 Client", "14");
  cl_e2e_sync_ok (clients[0], &s);
  cl_e2e_sync_clear (&s);
  for (guint i = 1; i < 3; i++)
    {
      cl_e2e_sync_ok (clients[i], &s);
      cl_e2e_sync_clear (&s);
    }

  cl_fault_proxy_set (proxy, CL_FAULT_CHAOS, g_test_rand_int (), NULL, 0);
  for (guint it = 0; it < iterations; it++)
    {
      GSubprocess *p[3];

      for (guint i = 0; i < 3; i++)
        {
          add_token (clients[i], case_id, committed, "R6", it * 2);
          add_token (clients[i], case_id, committed, "R6", it * 2 + 1);
          if (it % 3 == 1)
            {
              g_autofree char *value = g_strdup_printf ("assigned_to=%s-%u", names[i], it);
              cl_e2e_set (clients[i], "case", case_id, value, NULL);
            }
        }
      /* The three sync at once through the broken network; a client stuck in a
       * blackhole is given up on (killed) as a person would. */
      for (guint i = 0; i < 3; i++)
        p[i] = cl_e2e_ctl_spawn (clients[i], env, "sync", NULL);
      for (guint i = 0; i < 3; i++)
        {
          cl_e2e_wait (p[i], 8000);
          g_object_unref (p[i]);
        }
    }
  g_test_message ("R6: %u faults over %u connections", cl_fault_proxy_get_hits (proxy),
                  cl_fault_proxy_get_connections (proxy));
  g_assert_cmpuint (cl_fault_proxy_get_hits (proxy), >, 0);

  /* Heal: every outbox drains within a minute. */
  cl_fault_proxy_heal (proxy);
  healed = g_get_monotonic_time ();
  for (;;)
    {
      gint64 pending = 0;

      for (guint i = 0; i < 3; i++)
        {
          cl_e2e_sync (clients[i], NULL, &s);
          cl_e2e_sync_clear (&s);
          pending += status_int (clients[i], "pending");
        }
      if (pending == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time () - healed, <, 60 * G_USEC_PER_SEC);
    }
  g_test_message ("R6: drained %.1f s after heal",
                  (g_get_monotonic_time () - healed) / (double) G_USEC_PER_SEC);

  cl_e2e_assert_converged (stack, clients, 3, committed);
  for (guint i = 0; i < 3; i++)
    cl_e2e_client_free (clients[i]);
}

/* R7 ------------------------------------------------------------------------------------ */

typedef struct {
  GMainLoop *loop;
  gint64     last;
  gint64     worst;
  gboolean   done;
  gboolean   ok;
  char      *error;
  guint      pushed;
} Ui;

static gboolean
tick_cb (gpointer data)
{
  Ui *ui = data;
  gint64 now = g_get_monotonic_time ();

  ui->worst = MAX (ui->worst, now - ui->last);
  ui->last = now;
  return G_SOURCE_CONTINUE;
}

static void
synced_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Ui *ui = data;
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };

  ui->ok = cl_sync_run_finish (CL_SYNC (source), result, &report, &error);
  ui->pushed = report.pushed;
  if (error != NULL)
    ui->error = g_strdup (error->message);
  cl_sync_report_clear (&report);
  g_main_loop_quit (ui->loop);
}

static void
test_r7_long_offline (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a = NULL;
  g_autoptr(ClE2eClient) b = NULL;
  g_autoptr(GHashTable) committed = token_set ();
  g_autofree char *case_id = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = cl_e2e_long () ? 10000 : 2500;
  guint pushes = 0, max_request = 0;
  Ui ui = { 0 };
  ClE2eSync s;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "ben", "advocate_cv", "14");
  a = cl_e2e_client_new (stack, "ana", NULL);
  b = cl_e2e_client_new (stack, "ben", NULL);
  case_id = cl_e2e_new_case (a, "R7 Client", "14");

  /* Thousands of changes made offline (one import, as a day of work in the basement). */
  {
    GString *text = g_string_new ("case_id,at,text\n");
    g_autofree char *out = NULL, *err = NULL;
    int rc;

    for (guint i = 0; i < n; i++)
      {
        g_autofree char *token = g_strdup_printf ("R7-%u-%s", i,
                                                  "a long note of a long day offline "
                                                  "written in the precinct basement");
        g_string_append_printf (text, "%s,2026-11-02T10:00:00Z,%s\n", case_id, token);
        g_hash_table_add (committed, g_steal_pointer (&token));
      }
    csv = g_build_filename (stack->dir, "offline.csv", NULL);
    g_file_set_contents (csv, text->str, -1, NULL);
    g_string_free (text, TRUE);
    out = cl_e2e_ctl (a, NULL, &rc, &err, "import", "note", csv, NULL);
    g_assert_cmpint (rc, ==, 0);
  }
  g_assert_cmpint (cl_e2e_pending (a), >=, n);

  /* Reconnect, in-process as the desktop app does it: the round runs in a worker while
   * the main loop keeps ticking every 5 ms. */
  {
    g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_E2E_PASSPHRASE);
    g_autoptr(GError) error = NULL;
    g_autoptr(ClVault) vault = cl_vault_unlock (a->dir, pass, &error);
    g_autoptr(ClStore) store = NULL;
    g_autoptr(ClSync) sync = NULL;
    guint tick;

    g_assert_no_error (error);
    store = cl_store_new (vault, "ana");
    sync = cl_sync_new (store);
    ui.loop = g_main_loop_new (NULL, FALSE);
    ui.last = g_get_monotonic_time ();
    tick = g_timeout_add (5, tick_cb, &ui);
    cl_sync_run_async (sync, NULL, synced_cb, &ui);
    g_main_loop_run (ui.loop);
    g_source_remove (tick);
    g_main_loop_unref (ui.loop);
    if (!ui.ok)
      g_error ("in-process sync failed: %s", ui.error);
    g_test_message ("R7: pushed %u; the main loop's longest pause was %.1f ms", ui.pushed,
                    ui.worst / 1000.0);
    g_assert_cmpuint (ui.pushed, >=, n);
    g_assert_cmpint (ui.worst, <, 250 * 1000);
    g_clear_object (&sync);
    g_clear_object (&store);
    cl_vault_lock (vault);
  }
  g_assert_cmpint (cl_e2e_pending (a), ==, 0);

  /* Bounded requests: batches of at most 500 mutations (CL_WIRE_MAX_MUTATIONS), each body
   * well under the limit. */
  log = g_build_filename (stack->dir, "caseload-access.log", NULL);
  {
    g_autofree char *text = NULL;
    g_file_get_contents (log, &text, NULL, NULL);
    lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  }
  /* data/nginx-caseload.conf's format: … "POST /v1/push" STATUS REQUEST_LENGTH … */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = strstr (lines[i], "\"POST /v1/push\" ");
      guint status = 0, length = 0;

      if (p == NULL || sscanf (p + strlen ("\"POST /v1/push\" "), "%u %u", &status,
                               &length) != 2)
        continue;
      pushes++;
      max_request = MAX (max_request, length);
    }
  g_test_message ("R7: %u pushes, largest request %u bytes", pushes, max_request);
  g_assert_cmpuint (pushes, >=, n / 500);
  g_assert_cmpuint (max_request, <, 1024 * 1024);

  /* The other device pulls all of it in pages. */
  cl_e2e_sync_ok (b, &s);
  g_assert_cmpuint (s.pulled, >=, n);
  cl_e2e_sync_clear (&s);
  {
    ClE2eClient *clients[] = { a, b };
    cl_e2e_assert_converged (stack, clients, 2, committed);
  }
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/r1/kill-during-sync", test_r1_kill_during_sync);
  g_test_add_func ("/e2e/r2/crash-points", test_r2_crash_points);
  g_test_add_func ("/e2e/r6/network-chaos", test_r6_network_chaos);
  g_test_add_func ("/e2e/r7/long-offline", test_r7_long_offline);
  return g_test_run ();
}
