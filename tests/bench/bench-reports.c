/* bench-reports.c: every report on a demo caseload, next to the plainest SQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds a vault with the demo generator (CASELOAD_BENCH_CASES cases, default 100,000),
 * then runs each report through the vault adapter and the engine, and beside it the
 * plainest SQL that computes the report's headline count on the same encrypted database
 * (one GROUP BY or COUNT, no facts, no filters beyond the period, using the store's
 * derived columns where they exist). Prints, per report: rows of facts loaded, load ms,
 * engine ms, total ms, plain SQL ms, their ratio, and whether the headline counts agree
 * (and, for comparison, the load without the report's case scope and service window);
 * then, for the internal reports, the engine with and without drill-down tracing and the
 * drill-down from the headline count (case ids handed out and audited, then their
 * summaries read); then CSV and PDF export times. Each figure is the best of three runs.
 * Never fails on time.
 */

#define G_LOG_DOMAIN "bench-reports"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cl-demo.h"
#include "cl-report.h"
#include "cl-report-export.h"
#include "cl-report-vault.h"
#include "cl-secret.h"
#include "cl-store.h"
#include "cl-vault.h"
#include "cl-vault-private.h"

#define PASSPHRASE "benchmark passphrase"
#define RUNS 3

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
check (gboolean      ok,
       const GError *error,
       const char   *what)
{
  if (!ok)
    g_error ("%s: %s", what, error != NULL ? error->message : "failed");
}

/* The UTC instant of local midnight starting @day, as stored text. */
static char *
local_midnight_utc (ClDay       day,
                    GTimeZone  *tz)
{
  int y, m, d;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;

  cl_day_to_ymd (day, &y, &m, &d);
  local = g_date_time_new (tz, y, m, d, 0, 0, 0);
  utc = g_date_time_to_utc (local);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

typedef struct {
  const char *report;
  const char *period;      /* ClReportPeriod name */
  const char *table;       /* headline cell of the engine's result */
  const char *row;
  const char *column;
  /* The plain query; parameters: ?1 ?2 the period as days, ?3 ?4 as UTC instants of
   * local midnights (start, day after the end), ?5 the as-of day, ?6 the fiscal year. */
  const char *sql;
} Bench;

static const Bench benches[] = {
  { "caseload", "this-quarter", "by_advocate", "total", "caseload",
    "SELECT count(*) FROM cases WHERE deleted = 0 AND status IN ('outreach', 'active')" },
  { "referrals", "last-quarter", "summary", "all", "referrals",
    "SELECT count(*) FROM cases WHERE deleted = 0 AND referral_received_at >= ?3 "
    "AND referral_received_at < ?4" },
  { "first-contact", "last-quarter", "first_attempt", "total", "with",
    "SELECT count(*) FROM cases WHERE deleted = 0 AND referral_received_at >= ?3 "
    "AND referral_received_at < ?4 AND first_attempt_at IS NOT NULL" },
  { "outreach", "last-quarter", "outcomes", "total", "contacts",
    "SELECT count(*) FROM contact t JOIN cases c ON c.id = t.case_id AND c.deleted = 0 "
    "WHERE t.deleted = 0 AND t.at >= ?3 AND t.at < ?4" },
  { "services", "last-quarter", "by_code", "total", "times",
    "SELECT sum(t.times) FROM service t JOIN cases c ON c.id = t.case_id AND c.deleted = 0 "
    "WHERE t.deleted = 0 AND t.date BETWEEN ?1 AND ?2" },
  { "outcomes", "last-quarter", "compensation", "total", "claims",
    "SELECT count(*) FROM compensation t JOIN cases c ON c.id = t.case_id AND c.deleted = 0 "
    "WHERE t.deleted = 0 AND t.filed_on BETWEEN ?1 AND ?2" },
  { "closures", "last-quarter", "by_reason", "total", "closed",
    "SELECT count(*) FROM cases WHERE deleted = 0 AND closed_at BETWEEN ?1 AND ?2" },
  { "deadlines", "this-quarter", "summary", "follow_ups", "count",
    "SELECT count(*) FROM task t JOIN cases c ON c.id = t.case_id AND c.deleted = 0 "
    "WHERE t.deleted = 0 AND coalesce(t.done, 0) = 0 AND t.due < ?5 AND c.status <> 'closed'" },
  { "data-quality", "last-quarter", "cases", "no_victimization", "cases",
    "SELECT count(*) FROM cases c WHERE c.deleted = 0 AND "
    "(c.status <> 'closed' OR c.closed_at BETWEEN ?1 AND ?2) AND "
    "(c.status = 'closed' OR coalesce(substr(c.referral_received_at, 1, 10), c.opened_at, '') <= ?5) AND "
    "NOT EXISTS (SELECT 1 FROM victimization v WHERE v.case_id = c.id AND v.deleted = 0)" },
  { "pmt", "last-quarter", "individuals", "served", "count",
    "SELECT count(DISTINCT c.client_id) FROM service t JOIN cases c ON c.id = t.case_id "
    "AND c.deleted = 0 WHERE t.deleted = 0 AND t.date BETWEEN ?1 AND ?2 "
    "AND coalesce(c.victim_role, '') <> 'anonymous'" },
  { "trafficking", "last-half", "services", "total", "times",
    "SELECT sum(t.times) FROM service t JOIN cases c ON c.id = t.case_id AND c.deleted = 0 "
    "WHERE t.deleted = 0 AND t.date BETWEEN ?1 AND ?2 "
    "AND coalesce(c.victim_role, '') <> 'secondary' AND (c.track = 'trafficking' OR EXISTS "
    "(SELECT 1 FROM victimization v WHERE v.case_id = c.id AND v.deleted = 0 AND "
    "(v.type IN ('trafficking_labor', 'trafficking_sex') OR v.trafficking_type <> '')))" },
};

static gint64
plain_query (sqlite3              *db,
             const char           *sql,
             const ClReportParams *p,
             GTimeZone            *tz)
{
  g_autofree char *from = cl_day_to_string (p->from);
  g_autofree char *to = cl_day_to_string (p->to);
  g_autofree char *from_utc = local_midnight_utc (p->from, tz);
  g_autofree char *to_utc = local_midnight_utc (p->to + 1, tz);
  g_autofree char *as_of = cl_day_to_string (cl_report_params_get_as_of (p));
  g_autofree char *fy = cl_day_to_string (cl_report_fiscal_year_start (p->from, p->fiscal_start_month));
  const char *binds[] = { from, to, from_utc, to_utc, as_of, fy };
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  for (int i = 1; i <= sqlite3_bind_parameter_count (stmt); i++)
    sqlite3_bind_text (stmt, i, binds[i - 1], -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static guint
facts_rows (ClReportFacts *f)
{
  return f->clients->len + f->cases->len + f->referrals->len + f->victimizations->len +
         f->contacts->len + f->services->len + f->immigration->len + f->legal_matters->len +
         f->compensation->len + f->tasks->len + f->safety_plans->len + f->releases->len +
         f->outbound->len + f->categories->len + f->commands->len;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  if (done % 10000 == 0 || done == total)
    g_printerr ("  generated %u / %u cases\n", done, total);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(ClSecret) pass = NULL;
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  const char *env = g_getenv ("CASELOAD_BENCH_CASES");
  guint n_cases = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 100000;
  double t0, gen_ms;
  sqlite3 *db;

  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  if (n_cases == 0)
    n_cases = 100000;

  parent = g_dir_make_tmp ("caseload-bench-reports-XXXXXX", &error);
  check (parent != NULL, error, "temporary folder");
  dir = g_build_filename (parent, "vault", NULL);
  pass = cl_secret_new_from_string (PASSPHRASE);
  vault = cl_vault_create (dir, pass, &recovery, &error);
  check (vault != NULL, error, "create vault");
  store = cl_store_new (vault, "bench");
  db = cl_vault_get_db (vault);
  tz = g_time_zone_new_identifier (CL_REPORT_DEFAULT_TIME_ZONE);
  if (tz == NULL)
    tz = g_time_zone_new_utc ();

  g_printerr ("Generating %u demo cases…\n", n_cases);
  t0 = now_ms ();
  check (cl_demo_generate (store, n_cases, 42, progress_cb, NULL, NULL, &error), error,
         "demo");
  gen_ms = now_ms () - t0;

  printf ("\nReports on %u demo cases (demo generated in %.1f s); best of %d runs, ms\n\n",
          n_cases, gen_ms / 1000, RUNS);
  printf ("%-14s %10s %9s %9s %9s %9s %9s %7s  %s\n", "report", "facts", "full load", "load",
          "engine", "total", "plain SQL", "ratio", "headline (engine = plain)");

  for (guint b = 0; b < G_N_ELEMENTS (benches); b++)
    {
      const Bench *bench = &benches[b];
      g_autoptr(ClReportParams) p = cl_report_params_new ();
      double load = G_MAXDOUBLE, engine = G_MAXDOUBLE, total = G_MAXDOUBLE, plain = G_MAXDOUBLE;
      double full = G_MAXDOUBLE;
      gint64 headline = -1, plain_value = -1;
      guint rows = 0;
      ClReportPeriod period;

      cl_report_period_from_string (bench->period, &period);
      cl_report_params_set_period (p, period, CL_DAY_NONE);

      for (int run = 0; run < RUNS; run++)
        {
          g_autoptr(ClReportFacts) facts = NULL;
          g_autoptr(ClReportFacts) all = NULL;
          g_autoptr(ClReportResult) r1 = NULL;
          g_autoptr(ClReportResult) r2 = NULL;

          /* Every case and service, as if the engine could not say what it reads. */
          t0 = now_ms ();
          all = _cl_report_vault_load_all_facts (store, bench->report, p, &error);
          check (all != NULL, error, bench->report);
          full = MIN (full, now_ms () - t0);

          t0 = now_ms ();
          facts = cl_report_vault_load_facts (store, bench->report, p, &error);
          check (facts != NULL, error, bench->report);
          load = MIN (load, now_ms () - t0);
          rows = facts_rows (facts);

          t0 = now_ms ();
          r1 = cl_report_run (bench->report, facts, p, &error);
          check (r1 != NULL, error, bench->report);
          engine = MIN (engine, now_ms () - t0);

          t0 = now_ms ();
          r2 = cl_report_run_vault (store, bench->report, p, CL_REPORT_RUN_NONE, &error);
          check (r2 != NULL, error, bench->report);
          total = MIN (total, now_ms () - t0);
          headline = cl_report_result_get_count (r2, bench->table, bench->row, bench->column);

          t0 = now_ms ();
          plain_value = plain_query (db, bench->sql, p, tz);
          plain = MIN (plain, now_ms () - t0);
        }
      printf ("%-14s %10u %9.1f %9.1f %9.1f %9.1f %9.1f %7.1f  %" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT "\n",
              bench->report, rows, full, load, engine, total, plain, plain > 0 ? total / plain : 0,
              headline, headline == plain_value ? "=" : "≠", plain_value);
      fflush (stdout);
    }

  printf ("\n%-14s %9s %9s %9s %9s %9s\n", "drill-down", "engine", "traced", "cases",
          "ids", "summaries");
  for (guint b = 0; b < G_N_ELEMENTS (benches); b++)
    {
      const Bench *bench = &benches[b];
      g_autoptr(ClReportParams) p = cl_report_params_new ();
      g_autoptr(ClReportFacts) facts = NULL;
      double engine = G_MAXDOUBLE, traced = G_MAXDOUBLE, drill = G_MAXDOUBLE, load = G_MAXDOUBLE;
      guint n = 0;
      ClReportPeriod period;

      if (cl_report_lookup (bench->report)->funder)
        continue;
      cl_report_period_from_string (bench->period, &period);
      cl_report_params_set_period (p, period, CL_DAY_NONE);
      facts = cl_report_vault_load_facts (store, bench->report, p, &error);
      check (facts != NULL, error, bench->report);
      for (int run = 0; run < RUNS; run++)
        {
          g_autoptr(ClReportResult) plain_r = NULL;
          g_autoptr(ClReportResult) r = NULL;
          g_autoptr(GListModel) cases = NULL;
          g_auto(GStrv) ids = NULL;
          ClReportTable *t;
          guint row = 0, col = 0;

          t0 = now_ms ();
          plain_r = cl_report_run (bench->report, facts, p, &error);
          check (plain_r != NULL, error, bench->report);
          engine = MIN (engine, now_ms () - t0);

          t0 = now_ms ();
          r = cl_report_run_full (bench->report, facts, p, CL_REPORT_RUN_TRACE_CASES, &error);
          check (r != NULL, error, bench->report);
          traced = MIN (traced, now_ms () - t0);

          t = cl_report_result_get_table (r, bench->table);
          for (guint i = 0; i < t->rows->len; i++)
            if (g_strcmp0 (((ClReportRow *) g_ptr_array_index (t->rows, i))->key, bench->row) == 0)
              row = i;
          for (guint i = 0; i < t->columns->len; i++)
            if (g_strcmp0 (((ClReportColumn *) g_ptr_array_index (t->columns, i))->key,
                           bench->column) == 0)
              col = i;

          t0 = now_ms ();
          ids = cl_report_vault_drill_down (store, r, t->index, row, col, &error);
          check (ids != NULL, error, "drill-down");
          drill = MIN (drill, now_ms () - t0);

          t0 = now_ms ();
          cases = cl_report_vault_load_cases (store, (const char *const *) ids, NULL, &error);
          check (cases != NULL, error, "drill-down cases");
          load = MIN (load, now_ms () - t0);
          n = g_list_model_get_n_items (cases);
        }
      printf ("%-14s %9.1f %9.1f %9u %9.1f %9.1f\n", bench->report, engine, traced, n, drill,
              load);
      fflush (stdout);
    }

  printf ("\n%-14s %9s %9s %9s %9s %10s %10s\n", "export", "text", "csv", "json", "pdf",
          "csv bytes", "pdf bytes");
  for (guint b = 0; b < G_N_ELEMENTS (benches); b++)
    {
      const Bench *bench = &benches[b];
      g_autoptr(ClReportParams) p = cl_report_params_new ();
      g_autoptr(ClReportResult) r = NULL;
      double times[4] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
      gsize csv_size = 0, pdf_size = 0;
      ClReportPeriod period;

      cl_report_period_from_string (bench->period, &period);
      cl_report_params_set_period (p, period, CL_DAY_NONE);
      r = cl_report_run_vault (store, bench->report, p, CL_REPORT_RUN_NONE, &error);
      check (r != NULL, error, bench->report);
      for (int run = 0; run < RUNS; run++)
        {
          g_autofree char *text = NULL, *csv = NULL, *json = NULL;
          g_autoptr(GBytes) pdf = NULL;

          t0 = now_ms ();
          text = cl_report_to_text (r);
          times[0] = MIN (times[0], now_ms () - t0);
          t0 = now_ms ();
          csv = cl_report_to_csv (r);
          times[1] = MIN (times[1], now_ms () - t0);
          t0 = now_ms ();
          json = cl_report_to_json (r);
          times[2] = MIN (times[2], now_ms () - t0);
          t0 = now_ms ();
          pdf = cl_report_to_pdf (r, &error);
          check (pdf != NULL, error, "pdf");
          times[3] = MIN (times[3], now_ms () - t0);
          csv_size = strlen (csv);
          pdf_size = g_bytes_get_size (pdf);
        }
      printf ("%-14s %9.1f %9.1f %9.1f %9.1f %10" G_GSIZE_FORMAT " %10" G_GSIZE_FORMAT "\n",
              bench->report, times[0], times[1], times[2], times[3], csv_size, pdf_size);
      fflush (stdout);
    }

  g_clear_object (&store);
  cl_vault_lock (vault);
  g_clear_object (&vault);
  {
    const char *rm[] = { "rm", "-rf", parent, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return 0;
}
