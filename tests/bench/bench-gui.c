/* bench-gui.c: the desktop app at scale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds a vault of CASELOAD_BENCH_CASES demo cases (default 100,000), starts the real
 * ClApplication on it under Xvfb, and times what an advocate feels:
 *
 *   - unlock → the first frame painted after the case list has items (GdkFrameClock
 *     ::after-paint), key derivation excluded (CASELOAD_TEST_FAST_KDF=1);
 *   - switching to a large view → painted;
 *   - scrolling the list to the middle and to the end → painted;
 *   - search as you type: the last keystroke → the results model updated (includes
 *     GtkSearchEntry's 150 ms debounce), and the same query run directly on the store;
 *   - opening a case (audit, records, page built) → painted;
 *   - the caseload report (its stale-case list has a row per quiet case): run → result,
 *     result → first painted frame, and the longest the main loop went without running
 *     (a 1 ms timeout that notes the gap between its calls) from the result until the
 *     view has settled, while the worker ran, and with nothing to do (what the machine's
 *     load alone costs); beside each stall, the CPU time the main thread spent in it, which
 *     a busy machine does not inflate;
 *   - peak memory (VmHWM).
 *
 * Prints figures; never fails on time. CASELOAD_BENCH_VAULT names a directory to keep the
 * generated vault in and reuse on the next run (generating 100,000 cases takes minutes).
 */

#define G_LOG_DOMAIN "bench-gui"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "cl-application.h"
#include "cl-case-list.h"
#include "cl-case-summary.h"
#include "cl-demo.h"
#include "cl-reports-page.h"
#include "cl-window-private.h"

#define PASSPHRASE "benchmark passphrase"

static ClApplication *app;
static char *tmp_dir;
static char *vault_dir;
static guint n_cases = 100000;
static int painted;
static gulong after_paint_id;

#define WAIT_UNTIL(expr, ms)                                                      \
  G_STMT_START {                                                                  \
    gint64 _end = g_get_monotonic_time () + (gint64) (ms) * 1000;                 \
    while (!(expr))                                                               \
      {                                                                           \
        if (g_get_monotonic_time () > _end)                                       \
          g_error ("timed out waiting for %s", #expr);                            \
        g_main_context_iteration (NULL, TRUE);                                    \
      }                                                                           \
  } G_STMT_END

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
figure (const char *what,
        double      value,
        const char *unit)
{
  g_print ("  %-58s %10.1f %s\n", what, value, unit);
}

static ClWindow *
window (void)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  g_assert_nonnull (windows);
  return CL_WINDOW (windows->data);
}

static double thread_cpu_ms (void);

/* The main thread's CPU time in the phases of the frames so far: the frame's own
 * bookkeeping and tick callbacks (update), size requests and allocation, CSS included
 * (layout), and snapshot and rendering (paint). */
typedef enum {
  PHASE_UPDATE,
  PHASE_LAYOUT,
  PHASE_PAINT,
  N_PHASES
} Phase;

static const char * const phase_names[N_PHASES] = { "update", "layout", "paint" };
static double phase_cpu[N_PHASES];
static double phase_mark;

static void
before_paint_cb (GdkFrameClock *clock,
                 gpointer       data)
{
  phase_mark = thread_cpu_ms ();
}

static void
phase_done_cb (GdkFrameClock *clock,
               gpointer       data)
{
  double cpu = thread_cpu_ms ();

  phase_cpu[GPOINTER_TO_INT (data)] += cpu - phase_mark;
  phase_mark = cpu;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  painted++;
}

static void
watch_frames (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window ()));

  g_assert_nonnull (clock);
  if (after_paint_id != 0)
    return;
  after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), NULL);
  g_signal_connect_after (clock, "update", G_CALLBACK (phase_done_cb),
                          GINT_TO_POINTER (PHASE_UPDATE));
  g_signal_connect_after (clock, "layout", G_CALLBACK (phase_done_cb),
                          GINT_TO_POINTER (PHASE_LAYOUT));
  g_signal_connect_after (clock, "paint", G_CALLBACK (phase_done_cb),
                          GINT_TO_POINTER (PHASE_PAINT));
}

/* Waits for the next frame painted after now. */
static void
wait_painted (void)
{
  int before = painted;

  gtk_widget_queue_draw (GTK_WIDGET (window ()));
  WAIT_UNTIL (painted > before, 10000);
}

static long
vm_hwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

/* The longest gap between two calls of a 1 ms timeout: how long the main thread did not
 * get back to its loop. */
typedef struct {
  double last;
  double longest;
  double last_cpu;     /* the same in the main thread's CPU time: the work it did between */
  double longest_cpu;  /* two calls, without the time the machine's load took from it */
  double last_phases[N_PHASES];
  double longest_phases[N_PHASES];  /* the frame phases' share of longest_cpu */
} StallProbe;

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
stall_probe_reset (StallProbe *probe)
{
  probe->last = now_ms ();
  probe->last_cpu = thread_cpu_ms ();
  probe->longest = probe->longest_cpu = 0;
  memcpy (probe->last_phases, phase_cpu, sizeof phase_cpu);
  memset (probe->longest_phases, 0, sizeof probe->longest_phases);
}

static gboolean
stall_probe_cb (gpointer data)
{
  StallProbe *probe = data;
  double now = now_ms (), cpu = thread_cpu_ms ();

  probe->longest = MAX (probe->longest, now - probe->last);
  if (cpu - probe->last_cpu > probe->longest_cpu)
    {
      probe->longest_cpu = cpu - probe->last_cpu;
      for (guint i = 0; i < N_PHASES; i++)
        probe->longest_phases[i] = phase_cpu[i] - probe->last_phases[i];
    }
  probe->last = now;
  probe->last_cpu = cpu;
  memcpy (probe->last_phases, phase_cpu, sizeof phase_cpu);
  return G_SOURCE_CONTINUE;
}

/* Keeps the main loop running for @ms. */
static void
spin (double ms)
{
  double end = now_ms () + ms;

  while (now_ms () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
bench_report (ClWindow   *w,
              const char *name)
{
  ClReportsPage *page = _cl_window_get_reports_page (w);
  StallProbe probe;
  g_autofree char *label = NULL;
  const ClReportResult *result;
  double t0, t1, baseline, during_run, during_run_cpu;
  guint rows = 0;
  guint probe_id;

  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-reports", NULL);
  _cl_reports_page_set_report (page, name);
  wait_painted ();

  /* What the machine's load alone costs: the main loop with nothing to do. */
  stall_probe_reset (&probe);
  probe_id = g_timeout_add (1, stall_probe_cb, &probe);
  spin (1000);
  baseline = probe.longest;

  stall_probe_reset (&probe);
  t0 = now_ms ();
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL);
  WAIT_UNTIL (!cl_reports_page_get_busy (page), 120000);
  t1 = now_ms ();
  during_run = probe.longest;
  during_run_cpu = probe.longest_cpu;
  /* The result is shown in the turn that saw the run end: its stall ends after t1. */
  probe.longest = probe.longest_cpu = 0;
  memset (probe.longest_phases, 0, sizeof probe.longest_phases);
  {
    int before = painted;
    WAIT_UNTIL (painted > before, 60000);
  }
  label = g_strdup_printf ("report \"%s\": run → result (worker)", name);
  figure (label, t1 - t0, "ms");
  figure ("  result → first painted frame", now_ms () - t1, "ms");
  figure ("  run → first painted frame of the result", now_ms () - t0, "ms");
  /* Let the rows come in and the frames after the first settle. */
  spin (2000);
  g_source_remove (probe_id);
  figure ("  longest main-thread stall: result → settled (2 s)", probe.longest, "ms");
  figure ("    the main thread's CPU time in it", probe.longest_cpu, "ms");
  for (guint i = 0; i < N_PHASES; i++)
    {
      g_autofree char *phase = g_strdup_printf ("      of which the frames' %s phase",
                                                phase_names[i]);
      figure (phase, probe.longest_phases[i], "ms");
    }
  figure ("  longest main-thread stall: while the worker runs", during_run, "ms");
  figure ("    the main thread's CPU time in it", during_run_cpu, "ms");
  figure ("  longest gap of an idle main loop (the machine's load)", baseline, "ms");

  result = cl_reports_page_get_result (page);
  g_assert_nonnull (result);
  for (guint i = 0; i < result->tables->len; i++)
    rows += ((ClReportTable *) g_ptr_array_index (result->tables, i))->rows->len;
  g_print ("  %-58s %10u\n", "  (table rows in the result)", rows);
}

static GtkAdjustment *
list_vadjustment (void)
{
  return gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (_cl_window_get_case_view (window ())));
}

static void
run_bench (void)
{
  ClWindow *w = window ();
  ClContext *context = cl_application_get_context (app);
  GtkEditable *entry;
  g_autofree char *some_case = NULL;
  double t0, t1;
  guint n;

  watch_frames ();
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (w), "unlock") == 0, 10000);
  wait_painted ();

  /* Unlock → painted case list. */
  cl_window_show_view (w, CL_CASE_VIEW_COMMAND);
  t0 = now_ms ();
  cl_unlock_page_unlock (_cl_window_get_unlock_page (w), PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context), 60000);
  t1 = now_ms ();
  WAIT_UNTIL (_cl_window_get_cases (w) != NULL &&
              g_list_model_get_n_items (_cl_window_get_cases (w)) > 0, 60000);
  {
    int before = painted;
    WAIT_UNTIL (painted > before, 10000);
  }
  n = g_list_model_get_n_items (_cl_window_get_cases (w));
  g_print ("\nDesktop app, %u cases (%u open in the view shown)\n\n", n_cases, n);
  figure ("unlock (fast KDF): worker → context unlocked", t1 - t0, "ms");
  figure ("unlock → first painted frame of the case list", now_ms () - t0, "ms");

  /* Scroll. */
  t0 = now_ms ();
  gtk_adjustment_set_value (list_vadjustment (),
                            (gtk_adjustment_get_upper (list_vadjustment ()) -
                             gtk_adjustment_get_page_size (list_vadjustment ())) / 2);
  wait_painted ();
  figure ("scroll to the middle of the list → painted", now_ms () - t0, "ms");
  t0 = now_ms ();
  gtk_adjustment_set_value (list_vadjustment (), gtk_adjustment_get_upper (list_vadjustment ()));
  wait_painted ();
  figure ("scroll to the end of the list → painted", now_ms () - t0, "ms");

  /* Another view. */
  t0 = now_ms ();
  cl_window_show_view (w, CL_CASE_VIEW_CLOSED);
  figure ("switch to Closed: the list model reloaded", now_ms () - t0, "ms");
  wait_painted ();
  figure ("switch to Closed → painted", now_ms () - t0, "ms");
  g_print ("  %-58s %10u\n", "  (closed cases)", g_list_model_get_n_items (_cl_window_get_cases (w)));

  /* Sort by name (SQL ORDER BY over the whole view). */
  t0 = now_ms ();
  g_object_set (w, "sort-by", "name", NULL);
  wait_painted ();
  figure ("sort Closed by name → painted", now_ms () - t0, "ms");
  g_object_set (w, "sort-by", "last-activity", NULL);
  cl_window_show_view (w, CL_CASE_VIEW_COMMAND);
  wait_painted ();

  /* Search as you type. */
  {
    static const char * const queries[] = { "garcia", "rahman fatema", "555", "kim min" };

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.search", NULL));
    entry = _cl_window_get_search_entry (w);

    for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
      {
        const char *query = queries[q];
        guint serial = _cl_window_get_search_serial (w);
        g_autofree char *label = NULL;
        g_autoptr(GListModel) direct = NULL;
        double typed, direct_ms;
        int pos = 0;

        gtk_editable_set_text (entry, "");
        wait_painted ();

        /* One character at a time, 60 ms apart, as a quick typist. */
        for (const char *p = query; *p; p++)
          {
            double next = now_ms () + 60;

            gtk_editable_insert_text (entry, p, 1, &pos);
            while (now_ms () < next)
              g_main_context_iteration (NULL, FALSE);
          }
        typed = now_ms ();
        WAIT_UNTIL (_cl_window_get_search_serial (w) != serial &&
                    g_strcmp0 (gtk_editable_get_text (entry), query) == 0, 10000);
        label = g_strdup_printf ("search \"%s\": last keystroke → results (%u)", query,
                                 g_list_model_get_n_items (_cl_window_get_cases (w)));
        figure (label, now_ms () - typed, "ms");

        t0 = now_ms ();
        direct = cl_store_search (cl_context_get_store (context), query, 500, NULL);
        direct_ms = now_ms () - t0;
        g_clear_pointer (&label, g_free);
        label = g_strdup_printf ("  the same query on the store, directly");
        figure (label, direct_ms, "ms");
      }

    /* Pick a case from the last results to open. */
    {
      g_autoptr(ClCaseSummary) summary = g_list_model_get_item (_cl_window_get_cases (w), 0);
      if (summary != NULL)
        some_case = g_strdup (cl_case_summary_get_id (summary));
    }
    gtk_editable_set_text (entry, "");
  }

  /* Opening a case. */
  if (some_case == NULL)
    {
      g_autoptr(ClCaseSummary) summary = g_list_model_get_item (_cl_window_get_cases (w), 0);
      some_case = g_strdup (cl_case_summary_get_id (summary));
    }
  {
    double total = 0, built = 0;
    const guint rounds = 5;

    for (guint i = 0; i < rounds; i++)
      {
        gtk_widget_activate_action (GTK_WIDGET (w), "win.show-list", NULL);
        wait_painted ();
        t0 = now_ms ();
        cl_window_open_case (w, some_case);
        g_assert_cmpstr (_cl_window_get_content_page (w), ==, "case");
        built += now_ms () - t0;
        wait_painted ();
        total += now_ms () - t0;
      }
    figure ("open a case: audit, read, build the page", built / rounds, "ms");
    figure ("open a case → painted", total / rounds, "ms");
  }

  bench_report (w, "caseload");
  /* Again: the first result's frames include what GTK and the renderer do once (new
   * kinds of widgets and nodes, glyphs, shaders), the second's only the page's work. */
  bench_report (w, "caseload");

  /* Lock. */
  t0 = now_ms ();
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  g_assert_true (cl_context_get_locked (context));
  wait_painted ();
  figure ("lock (flush, clear widgets and models, close) → painted", now_ms () - t0, "ms");

  figure ("peak memory (VmHWM)", vm_hwm_kb () / 1024.0, "MiB");
  g_print ("\n");
}

static gboolean
run_cb (gpointer data)
{
  run_bench ();
  g_application_quit (G_APPLICATION (app));

  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *application)
{
  static gboolean started;

  if (!started)
    {
      started = TRUE;
      g_idle_add (run_cb, NULL);
    }
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  if (done % 10000 == 0 || done == total)
    g_printerr ("  generated %u / %u cases\r", done, total);
}

static void
create_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  double t0 = now_ms ();

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, g_get_user_name ());
  if (!cl_demo_generate (store, n_cases, 1, progress_cb, NULL, NULL, &error))
    g_error ("Could not generate the demo vault: %s", error->message);
  g_clear_object (&store);
  cl_vault_lock (vault);

  g_printerr ("\n  demo vault of %u cases generated in %.1f s\n", n_cases,
              (now_ms () - t0) / 1000);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *env = g_getenv ("CASELOAD_BENCH_CASES");
  char *app_argv[] = { argv[0], NULL };

  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (env != NULL && *env != '\0')
    n_cases = (guint) g_ascii_strtoull (env, NULL, 10);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    g_error ("The gui benchmark needs a display: run it under xvfb-run");

  if (g_getenv ("CASELOAD_BENCH_VAULT") != NULL)
    {
      vault_dir = g_strdup (g_getenv ("CASELOAD_BENCH_VAULT"));
      if (!cl_vault_exists (vault_dir))
        create_vault ();
      else
        g_printerr ("  reusing the vault in %s\n", vault_dir);
    }
  else
    {
      tmp_dir = g_dir_make_tmp ("caseload-bench-gui-XXXXXX", &error);
      g_assert_no_error (error);
      vault_dir = g_build_filename (tmp_dir, "vault", NULL);
      create_vault ();
    }

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  g_application_run (G_APPLICATION (app), 1, app_argv);
  g_clear_object (&app);

  if (tmp_dir != NULL)
    rm_rf (tmp_dir);

  return 0;
}
