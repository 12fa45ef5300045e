/* test-reports.c: the report engine on a vault, with hand-computed expectations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One small fixture caseload is written through the store (as an advocate would), then
 * every report is run on it and compared with numbers worked out by hand below. The
 * fixture is built once for the whole binary; every test only reads it.
 *
 * Today is 2026-05-15 for every run; the fiscal year starts in October (FY2026 =
 * 2025-10-01 … 2026-09-30), so Q1 = Oct–Dec 2025, Q2 = Jan–Mar 2026, Q3 = Apr–Jun 2026.
 * Times are UTC; the organization's zone is America/New_York.
 *
 * Clients
 *   K1  female, black;hispanic, 25_59, immigrant;lep, safe phone          (two cases)
 *   K2  male, white, age 16 at intake, no safe channel
 *   K3  no gender, race declined, born 1990-06-01 (age 35), homeless; phone marked unsafe
 *   K4  anonymous contact, nothing recorded
 *   K5  female, asian, 18_24, immigrant (trafficking, labor, foreign national)
 *   K6  male, 0_12: K5's family member (secondary victim)
 *   K7  female, hispanic, 13_17, safe SMS (trafficking, sex, minor, citizen)
 *
 * Cases (command, track, status, advocate, referral received, source)
 *   CA1  K1  14      dv           active    ana  2026-01-10T15:00Z dir_review  voca
 *   CA2  K2  75      cv           outreach  ben  2026-02-01T15:00Z complaint   voca
 *   CA3  K3  14      cv           closed    ana  2026-01-10T16:00Z walk_in     voca;city
 *   CA4  K4  PSA 2   dv (anon.)   closed    ben  2026-02-20T15:00Z hotline
 *   CA5  K5  75      trafficking  active    ben  2025-11-15T15:00Z federal_le  trafficking
 *   CA6  K6  75      trafficking  active    ben  2025-11-15T15:30Z federal_le  (secondary)
 *   CA7  K7  14      trafficking  active    ana  2026-04-01T02:00Z court  (= Mar 31 local)
 *   CA8  K1  75      cv           referred  —    2026-03-10T15:00Z self
 *   CA9  K2  14      dv           active    ana  (deleted: must count nowhere)
 *   CA10 K2  14      cv           active    ana  2025-12-01T15:00Z officer   (restricted)
 */

#define G_LOG_DOMAIN "test-reports"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cl-csv.h"
#include "cl-report-fixture.h"
#include "cl-report.h"
#include "cl-report-export.h"
#include "cl-report-private.h"
#include "cl-report-vault.h"
#include "cl-test-util.h"

#define TODAY CL_REPORT_FIXTURE_TODAY

static ClTestVault vault;
static ClReportFixture ids;

/* Helpers ----------------------------------------------------------------------------- */

static ClReportParams *
params_new (const char *from,
            const char *to)
{
  return cl_report_test_params (from, to, TODAY);
}

static ClReportResult *
run (const char     *name,
     ClReportParams *p)
{
  return cl_report_test_run (vault.store, name, p);
}

static ClReportResult *
run_period (const char *name,
            const char *from,
            const char *to)
{
  return cl_report_test_run_period (vault.store, name, from, to, TODAY);
}

static void
check_number (ClReportResult *r,
              const char     *table,
              const char     *row,
              const char     *column,
              double          expected,
              const char     *where)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  if (cell == NULL)
    g_error ("%s: %s: no cell %s/%s/%s", where, r->name, table, row, column);
  if (cell->kind != CL_REPORT_CELL_NUMBER || cell->suppressed ||
      fabs (cell->number - expected) > 0.01)
    g_error ("%s: %s %s/%s/%s = %f (kind %d), expected %f", where, r->name, table, row,
             column, cell->number, cell->kind, expected);
}

static void
check_empty (ClReportResult *r,
             const char     *table,
             const char     *row,
             const char     *column,
             const char     *where)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  g_assert_nonnull (cell);
  if (cell->kind != CL_REPORT_CELL_EMPTY)
    g_error ("%s: %s %s/%s/%s is not empty", where, r->name, table, row, column);
}

#define COUNT CL_REPORT_TEST_COUNT
#define NUMBER(r, t, row, col, n) check_number (r, t, row, col, n, G_STRLOC)
#define EMPTY(r, t, row, col) check_empty (r, t, row, col, G_STRLOC)

static guint
n_rows (ClReportResult *r,
        const char     *table)
{
  ClReportTable *t = cl_report_result_get_table (r, table);

  g_assert_nonnull (t);
  return t->rows->len;
}

static const char *
row_label (ClReportResult *r,
           const char     *table,
           guint           row)
{
  ClReportTable *t = cl_report_result_get_table (r, table);

  return ((ClReportRow *) g_ptr_array_index (t->rows, row))->label;
}

static const char *
cell_text (ClReportResult *r,
           const char     *table,
           guint           row,
           guint           col)
{
  ClReportTable *t = cl_report_result_get_table (r, table);
  ClReportRow *rr = g_ptr_array_index (t->rows, row);

  return g_array_index (rr->cells, ClReportCell, col).text;
}

static char *result_digest (ClReportResult *r);

/* Tests: each report ------------------------------------------------------------------ */

static void
test_list (void)
{
  static const char *const names[] = {
    "caseload", "referrals", "first-contact", "outreach", "services", "outcomes",
    "closures", "deadlines", "data-quality", "pmt", "trafficking",
  };
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (list[i].name, ==, names[i]);
      g_assert_true (cl_report_lookup (names[i]) == &list[i]);
    }
  g_assert_true (cl_report_lookup ("pmt")->funder);
  g_assert_true (cl_report_lookup ("trafficking")->funder);
  g_assert_false (cl_report_lookup ("caseload")->funder);
  g_assert_null (cl_report_lookup ("nope"));
  /* Lists of case numbers are not even loaded for outside use. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");

    g_assert_true (cl_report_needs ("deadlines", p) & CL_REPORT_NEED_CASE_NUMBER);
    p->outside = TRUE;
    g_assert_false (cl_report_needs ("deadlines", p) & CL_REPORT_NEED_CASE_NUMBER);
    g_assert_false (cl_report_needs ("pmt", p) & CL_REPORT_NEED_FOREIGN_NATIONAL);
    g_assert_true (cl_report_needs ("trafficking", p) & CL_REPORT_NEED_FOREIGN_NATIONAL);
  }
}

static void
test_periods (void)
{
  g_autoptr(ClReportParams) p = cl_report_params_new ();
  ClReportPeriod period;
  ClDay ref = cl_day_parse ("2026-05-15");
  g_autofree char *a = NULL, *b = NULL;

  p->today = ref;
#define PERIOD(name, f, t) \
  G_STMT_START { \
    g_assert_true (cl_report_period_from_string (name, &period)); \
    cl_report_params_set_period (p, period, CL_DAY_NONE); \
    g_free (a); g_free (b); \
    a = cl_day_to_string (p->from); \
    b = cl_day_to_string (p->to); \
    g_assert_cmpstr (a, ==, f); \
    g_assert_cmpstr (b, ==, t); \
  } G_STMT_END
  PERIOD ("this-quarter", "2026-04-01", "2026-06-30");
  PERIOD ("last-quarter", "2026-01-01", "2026-03-31");
  PERIOD ("fiscal-year", "2025-10-01", "2026-09-30");
  PERIOD ("last-fiscal-year", "2024-10-01", "2025-09-30");
  PERIOD ("this-half", "2026-01-01", "2026-06-30");
  PERIOD ("last-half", "2025-07-01", "2025-12-31");
  p->fiscal_start_month = 7;
  PERIOD ("this-quarter", "2026-04-01", "2026-06-30");
  PERIOD ("fiscal-year", "2025-07-01", "2026-06-30");
  p->fiscal_start_month = 1;
  PERIOD ("last-quarter", "2026-01-01", "2026-03-31");
#undef PERIOD
  g_assert_false (cl_report_period_from_string ("next-year", &period));
  g_assert_cmpint (cl_day_add_months (cl_day_parse ("2026-01-31"), 1), ==,
                   cl_day_parse ("2026-02-28"));
  g_assert_cmpint (cl_time_parse ("2026-04-01T02:00:00Z"), ==,
                   (gint64) cl_day_parse ("2026-04-01") * 86400 + 7200);
}

static void
test_caseload (void)
{
  /* As of today (2026-05-15): CA1, CA7, CA10 (ana); CA2, CA5, CA6 (ben). CA8 is only
   * referred, CA3 and CA4 are closed, CA9 deleted.
   * Ages: CA1 125 d, CA2 103 d, CA5 and CA6 181 d, CA7 45 d (from Mar 31 local), CA10 165 d.
   * Stale (> 30 days since the last contact, or the referral): CA2 (Feb 3), CA5 (Nov 15),
   * CA6 (no contact, Nov 15), CA7 (Apr 1), CA10 (no contact, Dec 1); not CA1 (May 1). */
  g_autoptr(ClReportResult) r = run_period ("caseload", "2026-04-01", "2026-06-30");

  g_assert_cmpuint (n_rows (r, "by_advocate"), ==, 3);
  g_assert_cmpstr (row_label (r, "by_advocate", 0), ==, "ana");
  g_assert_cmpstr (row_label (r, "by_advocate", 1), ==, "ben");
  COUNT (r, "by_advocate", "ana", "caseload", 3);
  COUNT (r, "by_advocate", "ana", "outreach", 0);
  COUNT (r, "by_advocate", "ana", "active", 3);
  COUNT (r, "by_advocate", "ana", "stale", 2);
  COUNT (r, "by_advocate", "ana", "age_0_30", 0);
  COUNT (r, "by_advocate", "ana", "age_31_90", 1);
  COUNT (r, "by_advocate", "ana", "age_91_180", 2);
  COUNT (r, "by_advocate", "ana", "age_over_180", 0);
  COUNT (r, "by_advocate", "ben", "caseload", 3);
  COUNT (r, "by_advocate", "ben", "outreach", 1);
  COUNT (r, "by_advocate", "ben", "stale", 3);
  COUNT (r, "by_advocate", "ben", "age_91_180", 1);
  COUNT (r, "by_advocate", "ben", "age_over_180", 2);
  COUNT (r, "by_advocate", "total", "caseload", 6);
  COUNT (r, "by_advocate", "total", "stale", 5);
  COUNT (r, "by_track", "dv", "caseload", 1);
  COUNT (r, "by_track", "cv", "caseload", 2);
  COUNT (r, "by_track", "cv", "stale", 2);
  COUNT (r, "by_track", "trafficking", "caseload", 3);
  COUNT (r, "by_track", "trafficking", "stale", 3);
  COUNT (r, "by_track", "youth", "caseload", 0);
  COUNT (r, "by_track", "total", "caseload", 6);
  /* The list of stale cases, a restricted one without its number. */
  g_assert_cmpuint (n_rows (r, "stale_cases"), ==, 5);

  /* Filters: one advocate; a smaller stale limit. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-04-01", "2026-06-30");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("ana");
    p->stale_days = 10;
    r2 = run ("caseload", p);
    COUNT (r2, "by_advocate", "total", "caseload", 3);
    COUNT (r2, "by_advocate", "ana", "stale", 3);
  }
}

static void
test_referrals (void)
{
  /* Q2: CA1, CA2, CA3, CA4, CA7 (received Apr 1 02:00 UTC = Mar 31 in New York) and CA8.
   * Reached at some time: CA1, CA3, CA4, CA7. */
  g_autoptr(ClReportResult) r = run_period ("referrals", "2026-01-01", "2026-03-31");

  COUNT (r, "summary", "all", "referrals", 6);
  COUNT (r, "summary", "all", "reached", 4);
  NUMBER (r, "summary", "all", "conversion", 66.67);
  COUNT (r, "by_source", "dir_review", "referrals", 1);
  COUNT (r, "by_source", "complaint_review", "reached", 0);
  COUNT (r, "by_source", "court", "referrals", 1);
  COUNT (r, "by_source", "self", "reached", 0);
  COUNT (r, "by_source", "officer", "referrals", 0);
  COUNT (r, "by_source", "total", "referrals", 6);
  COUNT (r, "by_command", "14", "referrals", 3);
  COUNT (r, "by_command", "14", "reached", 3);
  COUNT (r, "by_command", "75", "referrals", 2);
  COUNT (r, "by_command", "75", "reached", 0);
  COUNT (r, "by_command", "PSA 2", "referrals", 1);
  g_assert_cmpuint (n_rows (r, "by_command"), ==, 4);
  g_assert_cmpstr (row_label (r, "by_command", 0), ==, "Midtown South Precinct");
  COUNT (r, "by_borough", "manhattan", "referrals", 3);
  COUNT (r, "by_borough", "brooklyn", "referrals", 3);
  COUNT (r, "by_borough", "brooklyn", "reached", 1);
  COUNT (r, "by_track", "dv", "referrals", 2);
  COUNT (r, "by_track", "cv", "referrals", 3);
  COUNT (r, "by_track", "cv", "reached", 1);
  COUNT (r, "by_track", "trafficking", "referrals", 1);
  COUNT (r, "by_victimization", "domestic_violence", "referrals", 1);
  COUNT (r, "by_victimization", "stalking", "referrals", 1);
  COUNT (r, "by_victimization", "identity_theft", "referrals", 1);
  COUNT (r, "by_victimization", "trafficking_sex", "reached", 1);
  COUNT (r, "by_victimization", "not_recorded", "referrals", 1);
  NUMBER (r, "by_command", "14", "conversion", 100.0);

  /* Every filter. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->commands = g_strsplit ("75", ",", -1);
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 2);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->commands = g_strsplit ("psa 2,14", ",", -1);
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 4);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->borough = g_strdup ("brooklyn");
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 3);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->track = g_strdup ("cv");
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 3);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("ana");
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 3);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->funding = g_strdup ("voca");
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 3);
  }
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("nobody");
    r2 = run ("referrals", p);
    COUNT (r2, "summary", "all", "referrals", 0);
    EMPTY (r2, "summary", "all", "conversion");
  }
}

static void
test_first_contact (void)
{
  /* Q2 referrals. With a safe channel: CA1, CA8 (K1), CA7 (K7); without: CA2, CA3, CA4.
   * First attempt after referral: CA1 5 h, CA7 12 h, CA2 48 h, CA3 1 h, CA4 0.5 h, CA8 none.
   * First success: CA1 24 h, CA7 12 h, CA3 1 h, CA4 0.5 h; CA2 and CA8 none. */
  g_autoptr(ClReportResult) r = run_period ("first-contact", "2026-01-01", "2026-03-31");

  COUNT (r, "first_attempt", "safe_channel", "cases", 3);
  COUNT (r, "first_attempt", "safe_channel", "with", 2);
  COUNT (r, "first_attempt", "safe_channel", "none", 1);
  NUMBER (r, "first_attempt", "safe_channel", "median_hours", 8.5);
  NUMBER (r, "first_attempt", "safe_channel", "mean_hours", 8.5);
  NUMBER (r, "first_attempt", "safe_channel", "p90_hours", 12.0);
  NUMBER (r, "first_attempt", "safe_channel", "within_24h", 66.67);
  COUNT (r, "first_attempt", "no_safe_channel", "cases", 3);
  NUMBER (r, "first_attempt", "no_safe_channel", "median_hours", 1.0);
  NUMBER (r, "first_attempt", "no_safe_channel", "mean_hours", 16.5);
  NUMBER (r, "first_attempt", "no_safe_channel", "p90_hours", 48.0);
  NUMBER (r, "first_attempt", "no_safe_channel", "within_24h", 66.67);
  NUMBER (r, "first_attempt", "no_safe_channel", "within_72h", 100.0);
  COUNT (r, "first_attempt", "total", "cases", 6);
  COUNT (r, "first_attempt", "total", "with", 5);
  NUMBER (r, "first_attempt", "total", "median_hours", 5.0);
  NUMBER (r, "first_attempt", "total", "mean_hours", 13.3);
  NUMBER (r, "first_attempt", "total", "p90_hours", 48.0);
  NUMBER (r, "first_attempt", "total", "within_24h", 66.67);
  NUMBER (r, "first_attempt", "total", "within_72h", 83.33);
  NUMBER (r, "first_attempt", "total", "within_7d", 83.33);

  COUNT (r, "first_contact", "safe_channel", "with", 2);
  NUMBER (r, "first_contact", "safe_channel", "median_hours", 18.0);
  NUMBER (r, "first_contact", "safe_channel", "p90_hours", 24.0);
  NUMBER (r, "first_contact", "safe_channel", "within_24h", 66.67);
  NUMBER (r, "first_contact", "no_safe_channel", "median_hours", 0.75);
  NUMBER (r, "first_contact", "no_safe_channel", "p90_hours", 1.0);
  COUNT (r, "first_contact", "total", "with", 4);
  COUNT (r, "first_contact", "total", "none", 2);
  NUMBER (r, "first_contact", "total", "median_hours", 6.5);
  NUMBER (r, "first_contact", "total", "mean_hours", 9.375);
  NUMBER (r, "first_contact", "total", "p90_hours", 24.0);
  NUMBER (r, "first_contact", "total", "within_24h", 66.67);
}

static void
test_outreach (void)
{
  /* Q2 referrals (6): outbound attempts on them CA1 3, CA2 1, CA7 1 = 5; reached 4; no
   * attempt CA8. Contacts dated in Q2: CA1 ×2, CA2, CA3, CA4 = 5 (CA7's is Apr 1 local);
   * reached 3 (CA1 Jan 11, CA3, CA4), no answer 2. */
  g_autoptr(ClReportResult) r = run_period ("outreach", "2026-01-01", "2026-03-31");

  COUNT (r, "summary", "referrals", "value", 6);
  COUNT (r, "summary", "attempts", "value", 5);
  NUMBER (r, "summary", "attempts_per_referral", "value", 0.833);
  COUNT (r, "summary", "reached", "value", 4);
  NUMBER (r, "summary", "reach_rate", "value", 66.67);
  COUNT (r, "summary", "no_attempt", "value", 1);
  COUNT (r, "outcomes", "reached", "contacts", 3);
  COUNT (r, "outcomes", "no_answer", "contacts", 2);
  COUNT (r, "outcomes", "declined", "contacts", 0);
  COUNT (r, "outcomes", "total", "contacts", 5);
  NUMBER (r, "outcomes", "reached", "share", 60.0);
  COUNT (r, "by_channel", "phone", "contacts", 4);
  COUNT (r, "by_channel", "phone", "reached", 2);
  COUNT (r, "by_channel", "in_person", "reached", 1);
  NUMBER (r, "by_channel", "phone", "rate", 50.0);
  COUNT (r, "by_advocate", "ana", "contacts", 3);
  COUNT (r, "by_advocate", "ana", "reached", 2);
  COUNT (r, "by_advocate", "ben", "contacts", 2);
  COUNT (r, "by_advocate", "total", "reached", 3);
}

static void
test_services (void)
{
  /* Services in Q2 (CA9's is deleted with its case): A1 1 (K3), A3 1 (K1), B4 ×3 (K3),
   * B8 1 (K6), C1 1 (K1), C2 1 (K4), E7 1 (K5): 9 times, 7 records, 5 individuals. */
  g_autoptr(ClReportResult) r = run_period ("services", "2026-01-01", "2026-03-31");

  COUNT (r, "by_code", "A1", "times", 1);
  COUNT (r, "by_code", "B4", "times", 3);
  COUNT (r, "by_code", "B4", "records", 1);
  COUNT (r, "by_code", "B4", "individuals", 1);
  COUNT (r, "by_code", "E4", "times", 0);
  COUNT (r, "by_code", "total", "times", 9);
  COUNT (r, "by_code", "total", "records", 7);
  COUNT (r, "by_code", "total", "individuals", 5);
  COUNT (r, "by_category", "A", "times", 2);
  COUNT (r, "by_category", "A", "individuals", 2);
  COUNT (r, "by_category", "B", "times", 4);
  COUNT (r, "by_category", "B", "individuals", 2);
  COUNT (r, "by_category", "C", "individuals", 2);
  COUNT (r, "by_category", "D", "times", 0);
  COUNT (r, "by_category", "E", "times", 1);
  COUNT (r, "by_category", "total", "times", 9);
  COUNT (r, "by_advocate", "ana", "A", 2);
  COUNT (r, "by_advocate", "ana", "B", 3);
  COUNT (r, "by_advocate", "ana", "total", 6);
  COUNT (r, "by_advocate", "ben", "total", 3);
  COUNT (r, "by_advocate", "total", "total", 9);
  COUNT (r, "by_command", "14", "total", 5);
  COUNT (r, "by_command", "75", "total", 3);
  COUNT (r, "by_command", "PSA 2", "C", 1);

  /* By funding: VOCA is what was paid from VOCA, or recorded on a VOCA-funded case
   * without a source of its own: CA1 C1, CA3 A1 (not B4: city), CA8 A3. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->funding = g_strdup ("voca");
    r2 = run ("services", p);
    COUNT (r2, "by_code", "total", "times", 3);
    COUNT (r2, "by_code", "B4", "times", 0);
  }
  /* By advocate: the services an advocate gave. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("ben");
    r2 = run ("services", p);
    COUNT (r2, "by_code", "total", "times", 3);
  }
}

static void
test_outcomes (void)
{
  /* First half of 2026. */
  g_autoptr(ClReportResult) r = run_period ("outcomes", "2026-01-01", "2026-06-30");

  COUNT (r, "services", "E4", "individuals", 1);
  COUNT (r, "services", "E4", "times", 2);
  COUNT (r, "services", "D1", "times", 0);
  COUNT (r, "services", "C1", "individuals", 2);
  COUNT (r, "orders", "granted", "criminal_op", 1);
  COUNT (r, "orders", "granted", "family_order", 1);
  COUNT (r, "orders", "granted", "total", 2);
  COUNT (r, "orders", "total", "total", 2);
  /* The criminal order expired June 1, before the end of the period. */
  COUNT (r, "orders_in_effect", "in_effect", "criminal_op", 0);
  COUNT (r, "orders_in_effect", "in_effect", "family_order", 1);
  COUNT (r, "compensation", "filed", "claims", 1);
  COUNT (r, "compensation", "total", "claims", 1);
  COUNT (r, "immigration", "u_cert", "requested", 1);
  COUNT (r, "immigration", "u_cert", "still_pending", 1);
  COUNT (r, "immigration", "u_cert", "granted", 0);
  COUNT (r, "immigration", "t_decl", "requested", 1);
  COUNT (r, "immigration", "t_decl", "granted", 1);
  COUNT (r, "safety_plans", "completed", "count", 1);
  COUNT (r, "safety_plans", "reviewed", "count", 1);
  COUNT (r, "referrals_out", "shelter", "made", 1);
  COUNT (r, "referrals_out", "shelter", "connected", 1);
  COUNT (r, "referrals_out", "legal", "connected", 0);
  COUNT (r, "referrals_out", "total", "made", 2);
  NUMBER (r, "referrals_out", "total", "share", 50.0);
}

static void
test_closures (void)
{
  /* Q2: CA3 (services completed, opened Jan 15, closed Mar 20: 64 days) and CA4 (declined,
   * never opened: referral Feb 20 to closing Feb 20: 0 days). */
  g_autoptr(ClReportResult) r = run_period ("closures", "2026-01-01", "2026-03-31");

  COUNT (r, "by_reason", "services_completed", "closed", 1);
  NUMBER (r, "by_reason", "services_completed", "median_days", 64.0);
  COUNT (r, "by_reason", "declined", "closed", 1);
  NUMBER (r, "by_reason", "declined", "median_days", 0.0);
  COUNT (r, "by_reason", "total", "closed", 2);
  NUMBER (r, "by_reason", "total", "median_days", 32.0);
  EMPTY (r, "by_reason", "moved", "median_days");
}

static void
test_deadlines (void)
{
  /* As of 2026-05-15, open cases only. */
  g_autoptr(ClReportResult) r = run_period ("deadlines", "2026-04-01", "2026-06-30");
  static const char *const expected[][3] = {
    /* case, kind label prefix, due */
    { "1", "Overdue follow-ups", "2026-05-01" },
    { "1", "Court dates", "2026-05-20" },
    { "5", "U certifications", "2026-06-01" },
    { "2", "Compensation", "2026-06-01" },
    { "1", "Orders of protection", "2026-06-01" },
    { "5", "Consents", "2026-06-01" },
    { "5", "Continued Presence", "2026-07-01" },
    { "5", "Family members", "2026-07-10" },
  };

  COUNT (r, "summary", "u_cert_unfiled", "count", 1);
  COUNT (r, "summary", "ages_out", "count", 1);
  COUNT (r, "summary", "continued_presence", "count", 1);
  COUNT (r, "summary", "letters", "count", 0);
  COUNT (r, "summary", "compensation", "count", 1);
  COUNT (r, "summary", "court", "count", 1);
  COUNT (r, "summary", "orders", "count", 1);
  COUNT (r, "summary", "follow_ups", "count", 1);
  COUNT (r, "summary", "consents", "count", 1);
  g_assert_cmpuint (n_rows (r, "items"), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      guint c = (guint) g_ascii_strtoull (expected[i][0], NULL, 10);

      g_assert_cmpstr (row_label (r, "items", i), ==, ids.number[c]);
      g_assert_true (g_str_has_prefix (cell_text (r, "items", i, 0), expected[i][1]));
      g_assert_cmpstr (cell_text (r, "items", i, 1), ==, expected[i][2]);
    }
}

static void
test_data_quality (void)
{
  /* Q2, as of Mar 31. New clients (a case referred in Q2): K1, K2, K3, K4, K7. Missing
   * gender K3, K4; race K4; age K4 (K3's comes from the date of birth).
   * Cases checked: open CA1, CA2, CA5, CA6, CA7, CA8, CA10, closed in Q2 CA3, CA4: 9.
   * No victimization: CA4, CA6. Engaged without services: CA10. No activity for more than
   * 30 days before Mar 31: CA2 (Feb 3), CA10 (Dec 1); CA1 had a note on Mar 15. */
  g_autoptr(ClReportResult) r = run_period ("data-quality", "2026-01-01", "2026-03-31");

  COUNT (r, "clients", "new", "clients", 5);
  COUNT (r, "clients", "missing_gender", "clients", 2);
  COUNT (r, "clients", "missing_race", "clients", 1);
  COUNT (r, "clients", "missing_age", "clients", 1);
  COUNT (r, "clients", "missing_any", "clients", 2);
  COUNT (r, "cases", "checked", "cases", 9);
  COUNT (r, "cases", "no_victimization", "cases", 2);
  COUNT (r, "cases", "no_service", "cases", 1);
  COUNT (r, "cases", "inactive", "cases", 2);
  COUNT (r, "by_advocate", "ana", "no_service", 1);
  COUNT (r, "by_advocate", "ana", "inactive", 1);
  COUNT (r, "by_advocate", "ben", "no_victimization", 2);
  COUNT (r, "by_advocate", "total", "inactive", 2);
  g_assert_cmpuint (n_rows (r, "items"), ==, 4);
  /* The restricted case is listed without its number. */
  {
    gboolean restricted = FALSE;

    for (guint i = 0; i < 4; i++)
      {
        g_assert_cmpstr (row_label (r, "items", i), !=, ids.number[10]);
        restricted |= strstr (row_label (r, "items", i), "restricted") != NULL;
      }
    g_assert_true (restricted);
  }
}

static void
test_pmt_quarters (void)
{
  /* Q1: only K5 was served (B6, Nov 20): new. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2025-10-01", "2025-12-31");

    COUNT (r, "individuals", "served", "count", 1);
    COUNT (r, "individuals", "new", "count", 1);
    COUNT (r, "individuals", "continuing", "count", 0);
  }
  /* Q2: K1 (two cases, counted once), K3, K6 new; K5 continuing (served in Q1); K4 is an
   * anonymous contact; K2's only service was on a deleted case. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31");

    COUNT (r, "individuals", "served", "count", 4);
    COUNT (r, "individuals", "new", "count", 3);
    COUNT (r, "individuals", "continuing", "count", 1);
    COUNT (r, "individuals", "anonymous", "count", 1);
    /* Demographics of the 3 new individuals. */
    COUNT (r, "race", "multiple", "new", 1);
    COUNT (r, "race", "not_reported", "new", 1);
    COUNT (r, "race", "not_tracked", "new", 1);
    COUNT (r, "race", "white", "new", 0);
    COUNT (r, "race", "total", "new", 3);
    COUNT (r, "gender", "female", "new", 1);
    COUNT (r, "gender", "male", "new", 1);
    COUNT (r, "gender", "not_tracked", "new", 1);
    COUNT (r, "gender", "total", "new", 3);
    COUNT (r, "age", "25_59", "new", 2);
    COUNT (r, "age", "0_12", "new", 1);
    COUNT (r, "age", "total", "new", 3);
    COUNT (r, "reconciliation", "new", "count", 3);
    COUNT (r, "reconciliation", "race", "count", 3);
    COUNT (r, "reconciliation", "gender", "count", 3);
    COUNT (r, "reconciliation", "age", "count", 3);
    /* Victimization types of all served (multi-count): K1's three across two cases. */
    COUNT (r, "victimization", "domestic_violence", "individuals", 1);
    COUNT (r, "victimization", "stalking", "individuals", 1);
    COUNT (r, "victimization", "identity_theft", "individuals", 1);
    COUNT (r, "victimization", "adult_physical_assault", "individuals", 1);
    COUNT (r, "victimization", "trafficking_labor", "individuals", 1);
    COUNT (r, "victimization", "robbery", "individuals", 0);
    COUNT (r, "special", "immigrant", "individuals", 2);
    COUNT (r, "special", "lep", "individuals", 1);
    COUNT (r, "special", "homeless", "individuals", 1);
    COUNT (r, "compensation", "assisted", "individuals", 1);
    COUNT (r, "service_categories", "A", "individuals", 2);
    COUNT (r, "service_categories", "B", "individuals", 2);
    COUNT (r, "service_categories", "C", "individuals", 1);
    COUNT (r, "service_categories", "D", "individuals", 0);
    COUNT (r, "service_categories", "E", "individuals", 1);
    COUNT (r, "service_codes", "B4", "times", 3);
    COUNT (r, "service_codes", "C2", "times", 1);
    COUNT (r, "service_codes", "total", "times", 9);
  }
  /* Q3: K1 and K5 continuing (first service earlier in the fiscal year), K7 new. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-04-01", "2026-06-30");

    COUNT (r, "individuals", "served", "count", 3);
    COUNT (r, "individuals", "new", "count", 1);
    COUNT (r, "individuals", "continuing", "count", 2);
    COUNT (r, "individuals", "anonymous", "count", 0);
    COUNT (r, "race", "hispanic", "new", 1);
    COUNT (r, "race", "total", "new", 1);
    COUNT (r, "age", "13_17", "new", 1);
    COUNT (r, "victimization", "domestic_violence", "individuals", 1);
    COUNT (r, "victimization", "identity_theft", "individuals", 0);
    COUNT (r, "victimization", "trafficking_sex", "individuals", 1);
    COUNT (r, "compensation", "assisted", "individuals", 0);
    COUNT (r, "service_codes", "E4", "times", 2);
    COUNT (r, "service_codes", "total", "times", 4);
  }
  /* A PMT period stays within one fiscal year. */
  {
    g_autoptr(ClReportParams) p = params_new ("2025-09-01", "2025-12-31");
    g_autoptr(GError) error = NULL;
    g_autoptr(ClReportResult) r = cl_report_run_vault (vault.store, "pmt", p, CL_REPORT_RUN_NONE, &error);

    g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
    g_assert_null (r);
  }
  /* Funded by VOCA only: K1 (C1 on a VOCA case, A3 paid by VOCA) and K3 (A1 on a VOCA
   * case; B4 was paid by the city). */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r = NULL;

    p->funding = g_strdup ("voca");
    r = run ("pmt", p);
    COUNT (r, "individuals", "served", "count", 2);
    COUNT (r, "service_codes", "B4", "times", 0);
  }
}

/* Facts without the category table (as on the server) classify as the seeded lists do. */
static void
test_pmt_seeded_categories (void)
{
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClReportFacts) facts = cl_report_vault_load_facts (vault.store, "pmt", p, &error);
  g_autoptr(ClReportResult) a = NULL;
  g_autoptr(ClReportResult) b = NULL;
  g_autofree char *da = NULL, *db = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (facts->categories->len, >, 0);
  a = cl_report_run ("pmt", facts, p, &error);
  g_assert_no_error (error);
  g_array_set_size (facts->categories, 0);
  b = cl_report_run ("pmt", facts, p, &error);
  g_assert_no_error (error);
  da = result_digest (a);
  db = result_digest (b);
  g_assert_cmpstr (da, ==, db);
  COUNT (b, "race", "not_reported", "new", 1);
}

static void
test_pmt_fiscal_start (void)
{
  /* A fiscal year starting in January: Jan–Mar is its first quarter, K5's November
   * service is last year's, so K5 is new in it. */
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) r = NULL;

  p->fiscal_start_month = 1;
  r = run ("pmt", p);
  COUNT (r, "individuals", "new", "count", 4);
  COUNT (r, "individuals", "continuing", "count", 0);
}

static void
test_trafficking (void)
{
  /* First half of 2026. Served on trafficking cases: K5 (since Nov: not new), K7 (new),
   * K6 (family member, new). */
  g_autoptr(ClReportResult) r = run_period ("trafficking", "2026-01-01", "2026-06-30");

  COUNT (r, "clients", "clients", "total", 2);
  COUNT (r, "clients", "clients", "new", 1);
  COUNT (r, "family", "family", "total", 1);
  COUNT (r, "family", "family", "new", 1);
  COUNT (r, "by_type", "sex", "clients", 1);
  COUNT (r, "by_type", "labor", "clients", 1);
  COUNT (r, "by_type", "both", "clients", 0);
  COUNT (r, "by_type", "total", "clients", 2);
  COUNT (r, "by_age", "adult", "clients", 1);
  COUNT (r, "by_age", "minor", "clients", 1);
  COUNT (r, "by_gender", "female", "clients", 2);
  COUNT (r, "by_gender", "male", "clients", 0);
  COUNT (r, "by_citizenship", "citizen_lpr", "clients", 1);
  COUNT (r, "by_citizenship", "foreign_national", "clients", 1);
  COUNT (r, "by_source", "federal_le", "clients", 1);
  COUNT (r, "by_source", "court", "clients", 1);
  COUNT (r, "services", "B6", "clients", 1);
  COUNT (r, "services", "E7", "times", 1);
  COUNT (r, "services", "B8", "clients", 0);
  COUNT (r, "services", "total", "times", 3);
  COUNT (r, "services", "total", "clients", 2);
  COUNT (r, "immigration", "continued_presence", "requested", 1);
  COUNT (r, "immigration", "continued_presence", "granted", 1);
  COUNT (r, "immigration", "hhs_letter", "requested", 1);
  COUNT (r, "immigration", "t_decl", "requested", 1);
  COUNT (r, "immigration", "t_decl", "granted", 1);
  COUNT (r, "immigration", "t_decl", "filed", 1);
  COUNT (r, "immigration", "t_application", "filed", 1);
  COUNT (r, "immigration", "u_cert", "granted", 0);
  COUNT (r, "legal", "vacatur", "total", 1);
  COUNT (r, "legal", "vacatur", "pending", 1);
  COUNT (r, "legal", "civil", "total", 0);
}

/* Suppression ---------------------------------------------------------------------- */

/* True values come from @full (internal); @out is the same report suppressed. Every cell
 * from 1 to @threshold is hidden, and no relation the report publishes gives a hidden cell
 * back: none has exactly one hidden cell, and none lets hidden parts be worked out. */
static void
check_suppressed (ClReportResult *full,
                  ClReportResult *out,
                  guint           threshold)
{
  guint hidden = 0;

  g_assert_true (out->suppressed);
  for (guint i = 0; i < out->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (out->tables, i);
      ClReportTable *ft = g_ptr_array_index (full->tables, i);

      if (ft->internal_only)
        {
          g_assert_cmpuint (t->rows->len, ==, 0);
          continue;
        }
      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);
            ClReportCell *fc = _cl_report_cell (ft, row, c);

            if (fc->kind == CL_REPORT_CELL_COUNT && fc->count >= 1 &&
                fc->count <= (gint64) threshold)
              g_assert_true (cell->suppressed);
            if (cell->suppressed)
              {
                hidden++;
                g_assert_cmpint (cell->count, ==, 0);
              }
            else if (cell->kind == CL_REPORT_CELL_COUNT)
              g_assert_cmpint (cell->count, ==, fc->count);
          }

      /* Totals by row and by column. */
      if (t->total_row >= 0)
        for (guint c = 0; c < t->columns->len; c++)
          {
            guint n = 0, parts = 0;
            gint64 published = 0, hidden_sum;

            if (!(t->sum_columns & (G_GUINT64_CONSTANT (1) << c)) ||
                _cl_report_cell (t, t->total_row, c)->kind != CL_REPORT_CELL_COUNT)
              continue;
            for (guint row = 0; row < t->rows->len; row++)
              {
                ClReportCell *cell = _cl_report_cell (t, row, c);

                if ((int) row == t->total_row || cell->kind != CL_REPORT_CELL_COUNT)
                  continue;
                parts++;
                if (cell->suppressed)
                  n++;
                else
                  published += cell->count;
              }
            if (_cl_report_cell (t, t->total_row, c)->suppressed)
              {
                g_assert_cmpuint (n, !=, 0);
                continue;
              }
            g_assert_cmpuint (n, !=, 1);
            hidden_sum = _cl_report_cell (ft, t->total_row, c)->count - published;
            if (n >= 2)
              g_assert_cmpint (hidden_sum, !=, n);
          }
    }
  /* Two published cells whose difference is small are never a whole and its part. */
  for (guint i = 0; i + 1 < out->subsets->len; i += 2)
    {
      ClReportCellRef w = g_array_index (out->subsets, ClReportCellRef, i);
      ClReportCellRef p = g_array_index (out->subsets, ClReportCellRef, i + 1);
      ClReportTable *tw = g_ptr_array_index (out->tables, w.table);
      ClReportTable *tp = g_ptr_array_index (out->tables, p.table);
      ClReportCell *cw, *cp;

      if (w.row >= tw->rows->len || p.row >= tp->rows->len)
        continue;
      cw = _cl_report_cell (tw, w.row, w.col);
      cp = _cl_report_cell (tp, p.row, p.col);
      if (!cw->suppressed && !cp->suppressed)
        g_assert_false (cw->count - cp->count >= 1 && cw->count - cp->count <= (gint64) threshold);
    }
  g_assert_cmpuint (hidden, >, 0);
}

static void
test_suppression_reports (void)
{
  static const struct { const char *name, *from, *to; } runs[] = {
    { "caseload", "2026-04-01", "2026-06-30" },
    { "referrals", "2026-01-01", "2026-03-31" },
    { "first-contact", "2026-01-01", "2026-03-31" },
    { "outreach", "2026-01-01", "2026-03-31" },
    { "services", "2026-01-01", "2026-03-31" },
    { "outcomes", "2026-01-01", "2026-06-30" },
    { "closures", "2026-01-01", "2026-03-31" },
    { "deadlines", "2026-04-01", "2026-06-30" },
    { "data-quality", "2026-01-01", "2026-03-31" },
    { "pmt", "2026-01-01", "2026-03-31" },
    { "trafficking", "2026-01-01", "2026-06-30" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    for (guint threshold = 1; threshold <= 4; threshold += 3)
      {
        g_autoptr(ClReportParams) p = params_new (runs[i].from, runs[i].to);
        g_autoptr(ClReportResult) full = run (runs[i].name, p);
        g_autoptr(ClReportResult) out = NULL;

        g_assert_false (full->suppressed);
        p->outside = TRUE;
        p->threshold = threshold;
        out = run (runs[i].name, p);
        check_suppressed (full, out, threshold);
      }
}

static void
test_suppression_pmt (void)
{
  /* Threshold 1: only ones are small. Q2 individuals: served 4 = new 3 + continuing 1;
   * anonymous 1. Race of new: multiple 1, not reported 1, not tracked 1 (total 3). */
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) r = NULL;

  p->outside = TRUE;
  p->threshold = 1;
  r = run ("pmt", p);
  g_assert_true (r->suppressed);
  /* Ones are hidden. */
  g_assert_cmpint (cl_report_result_get_count (r, "individuals", "continuing", "count"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "individuals", "anonymous", "count"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "race", "multiple", "new"), ==, -1);
  /* Three ones under a published total of 3 would all be 1: the total goes too, and with
   * it every place that shows the new individuals (they are the same number). */
  g_assert_cmpint (cl_report_result_get_count (r, "race", "total", "new"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "individuals", "new", "count"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "reconciliation", "new", "count"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "gender", "total", "new"), ==, -1);
  /* Zeros stay; so does served (4 = two hidden cells that can be 1 + 3, 2 + 2, …). */
  g_assert_cmpint (cl_report_result_get_count (r, "race", "white", "new"), ==, 0);
  g_assert_cmpint (cl_report_result_get_count (r, "individuals", "served", "count"), ==, 4);
  /* Times per code: six codes once, B4 three times, 9 in all. With only the ones hidden,
   * 9 − 3 = 6 hidden times over six hidden cells would make each of them 1: B4 goes too,
   * and the total stays. */
  g_assert_cmpint (cl_report_result_get_count (r, "service_codes", "B4", "times"), ==, -1);
  g_assert_cmpint (cl_report_result_get_count (r, "service_codes", "total", "times"), ==, 9);
  g_assert_cmpint (cl_report_result_get_count (r, "service_codes", "D1", "times"), ==, 0);

  /* Internally nothing is hidden. */
  {
    g_autoptr(ClReportParams) p2 = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = run ("pmt", p2);

    g_assert_false (r2->suppressed);
    g_assert_cmpint (cl_report_result_get_count (r2, "individuals", "continuing", "count"), ==, 1);
  }
}

/* Builds a table by hand to check complementary suppression exactly. */
static void
test_suppression_unit (void)
{
  static const ClReportInfo info = { "unit", "Unit", "Unit", 0, TRUE };
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) r = _cl_report_result_new (&info, p);
  ClReportTable *t = _cl_report_table_new (r, "t", "T", "Row");
  /*        a    b   total
   *   x   10    2    12
   *   y    7    9    16
   *   z    5    6    11
   *  tot  22   17    39      b/x = 2 is small: one more cell in row x and one more in
   *                          column b must go, and the 2×2 rectangle closes it. */
  static const gint64 v[3][2] = { { 10, 2 }, { 7, 9 }, { 5, 6 } };

  _cl_report_add_column (t, "a", "a");
  _cl_report_add_column (t, "b", "b");
  _cl_report_add_column (t, "total", "total");
  for (guint row = 0; row < 3; row++)
    {
      g_autofree char *key = g_strdup_printf ("%c", 'x' + row);

      _cl_report_add_row (t, key, key);
      for (guint c = 0; c < 2; c++)
        _cl_report_set_count (t, row, c, v[row][c]);
    }
  _cl_report_add_total_row (t, NULL);
  _cl_report_set_total_col (t, 2, 3);
  cl_report_result_suppress (r, 4);

  g_assert_true (_cl_report_cell (t, 0, 1)->suppressed);   /* x/b = 2 */
  g_assert_true (_cl_report_cell (t, 0, 0)->suppressed);   /* x/a = 10: row x */
  g_assert_true (_cl_report_cell (t, 2, 1)->suppressed);   /* z/b = 6: column b */
  g_assert_true (_cl_report_cell (t, 2, 0)->suppressed);   /* z/a = 5: row z */
  g_assert_false (_cl_report_cell (t, 1, 0)->suppressed);
  g_assert_false (_cl_report_cell (t, 1, 1)->suppressed);
  g_assert_false (_cl_report_cell (t, 3, 2)->suppressed);  /* the grand total */
  g_assert_cmpint (cl_report_result_get_count (r, "t", "x", "total"), ==, 12);
  g_assert_cmpint (cl_report_result_get_count (r, "t", "x", "b"), ==, -1);
}

/* The engine on hand-made facts: the same rows in another order give the same result. */
static char *
result_digest (ClReportResult *r)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        {
          ClReportRow *rr = g_ptr_array_index (t->rows, row);

          g_string_append_printf (s, "%s/%s:", t->key, rr->key);
          for (guint c = 0; c < t->columns->len; c++)
            {
              g_autofree char *text = cl_report_cell_format (_cl_report_cell (t, row, c), FALSE);
              g_string_append_printf (s, " %s", text);
            }
          g_string_append_c (s, '\n');
        }
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_load_order (void)
{
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
      g_autoptr(GError) error = NULL;
      g_autoptr(ClReportFacts) facts = cl_report_vault_load_facts (vault.store, list[i].name, p, &error);
      g_autoptr(ClReportResult) a = NULL;
      g_autoptr(ClReportResult) b = NULL;
      g_autofree char *da = NULL, *db = NULL;

      g_assert_no_error (error);
      a = cl_report_run (list[i].name, facts, p, &error);
      g_assert_no_error (error);
      /* Reverse every array of child facts: results must not depend on load order. */
      {
        GArray *arrays[] = { facts->referrals, facts->victimizations, facts->contacts,
                             facts->services, facts->immigration, facts->legal_matters,
                             facts->compensation, facts->tasks, facts->releases,
                             facts->outbound, facts->categories };

        for (guint k = 0; k < G_N_ELEMENTS (arrays); k++)
          {
            GArray *arr = arrays[k];
            guint size = g_array_get_element_size (arr);
            g_autofree guint8 *tmp = g_malloc (size);

            for (guint x = 0, y = arr->len ? arr->len - 1 : 0; arr->len && x < y; x++, y--)
              {
                memcpy (tmp, arr->data + x * size, size);
                memcpy (arr->data + x * size, arr->data + y * size, size);
                memcpy (arr->data + y * size, tmp, size);
              }
          }
      }
      b = cl_report_run (list[i].name, facts, p, &error);
      g_assert_no_error (error);
      da = result_digest (a);
      db = result_digest (b);
      g_assert_cmpstr (da, ==, db);
    }
}

/* What an adapter leaves out (cl_report_case_scope(), cl_report_service_window()) never
 * changes a result. */
static void
test_scope (void)
{
  static const char *const periods[][2] = {
    { "2025-10-01", "2025-12-31" }, { "2026-01-01", "2026-03-31" }, { "2026-04-01", "2026-06-30" },
  };
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < G_N_ELEMENTS (periods); k++)
      {
        g_autoptr(ClReportParams) p = params_new (periods[k][0], periods[k][1]);
        g_autoptr(GError) error = NULL;
        g_autoptr(ClReportFacts) all = _cl_report_vault_load_all_facts (vault.store, list[i].name, p, &error);
        g_autoptr(ClReportFacts) scoped = cl_report_vault_load_facts (vault.store, list[i].name, p, &error);
        g_autoptr(ClReportResult) a = NULL;
        g_autoptr(ClReportResult) b = NULL;
        g_autofree char *da = NULL, *db = NULL;

        g_assert_no_error (error);
        g_assert_cmpuint (scoped->cases->len, <=, all->cases->len);
        a = cl_report_run (list[i].name, all, p, &error);
        g_assert_no_error (error);
        b = cl_report_run (list[i].name, scoped, p, &error);
        g_assert_no_error (error);
        da = result_digest (a);
        db = result_digest (b);
        g_assert_cmpstr (da, ==, db);
      }
}

static void
test_errors (void)
{
  g_autoptr(ClReportParams) p = params_new ("2026-03-31", "2026-01-01");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClReportResult) r = NULL;

  r = cl_report_run_vault (vault.store, "referrals", p, CL_REPORT_RUN_NONE, &error);
  g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
  g_clear_error (&error);
  p->from = cl_day_parse ("2026-01-01");
  p->to = cl_day_parse ("2026-03-31");
  r = cl_report_run_vault (vault.store, "no-such-report", p, CL_REPORT_RUN_NONE, &error);
  g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_UNKNOWN_REPORT);
  g_clear_error (&error);
  p->borough = g_strdup ("atlantis");
  r = cl_report_run_vault (vault.store, "referrals", p, CL_REPORT_RUN_NONE, &error);
  g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
  g_assert_null (r);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ClReportResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cl_report_run_vault_finish (CL_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) r = NULL;

  cl_report_run_vault_async (vault.store, "referrals", p, CL_REPORT_RUN_NONE, NULL, async_done_cb, &r);
  while (r == NULL)
    g_main_context_iteration (NULL, TRUE);
  COUNT (r, "summary", "all", "referrals", 6);
}


/* Exports ---------------------------------------------------------------------------- */

/* Writes @pdf to a file of a temporary directory of its own; cl_test_rm_rf() the result's
 * directory afterwards. */
static char *
pdf_file (GBytes *pdf)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("caseload-pdf-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "report.pdf", NULL);
  g_file_set_contents (path, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
pdf_file_remove (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  cl_test_rm_rf (dir);
}

static char *
pdf_text (GBytes *pdf)
{
  g_autofree char *path = pdf_file (pdf);
  char *text = cl_test_pdf_text (path, 0);

  pdf_file_remove (path);
  return text;
}

/* Parses the CSV export back into "table/row/column" → value. */
static GHashTable *
parse_csv (const char *csv)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (csv, strlen (csv), NULL);
  g_autoptr(ClCsvReader) reader = cl_csv_reader_new (in);
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  GPtrArray *fields = NULL;
  gboolean header = TRUE;

  while (cl_csv_reader_next (reader, &fields, NULL, &error) && fields != NULL)
    {
      g_assert_cmpuint (fields->len, ==, 7);
      if (header)
        {
          g_assert_cmpstr (g_ptr_array_index (fields, 0), ==, "table");
          g_assert_cmpstr (g_ptr_array_index (fields, 3), ==, "value");
          header = FALSE;
        }
      else
        g_hash_table_insert (values,
                             g_strdup_printf ("%s/%s/%s", (char *) g_ptr_array_index (fields, 0),
                                              (char *) g_ptr_array_index (fields, 1),
                                              (char *) g_ptr_array_index (fields, 2)),
                             g_strdup (g_ptr_array_index (fields, 3)));
      g_clear_pointer (&fields, g_ptr_array_unref);
    }
  g_assert_no_error (error);
  return values;
}

static void
test_export_csv (void)
{
  g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31");
  g_autofree char *csv = cl_report_to_csv (r);
  g_autoptr(GHashTable) values = parse_csv (csv);
  guint cells = 0;

  g_assert_true (g_str_has_suffix (csv, "\r\n"));
  g_assert_cmpstr (g_hash_table_lookup (values, "report/name/"), ==, "pmt");
  g_assert_cmpstr (g_hash_table_lookup (values, "report/from/"), ==, "2026-01-01");
  g_assert_cmpstr (g_hash_table_lookup (values, "report/suppressed/"), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (values, "individuals/served/count"), ==, "4");
  g_assert_cmpstr (g_hash_table_lookup (values, "race/multiple/new"), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (values, "service_codes/total/times"), ==, "9");
  /* Every cell of the result parses back to the same number. */
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportRow *rr = g_ptr_array_index (t->rows, row);
            ClReportColumn *col = g_ptr_array_index (t->columns, c);
            ClReportCell *cell = _cl_report_cell (t, row, c);
            g_autofree char *key = g_strdup_printf ("%s/%s/%s", t->key, rr->key, col->key);
            const char *value = g_hash_table_lookup (values, key);

            g_assert_nonnull (value);
            if (cell->kind == CL_REPORT_CELL_COUNT)
              g_assert_cmpint (g_ascii_strtoll (value, NULL, 10), ==, cell->count);
            cells++;
          }
    }
  g_assert_cmpuint (cells, >, 50);

  /* Numbers with decimals use a dot and no grouping. */
  {
    g_autoptr(ClReportResult) fc = run_period ("first-contact", "2026-01-01", "2026-03-31");
    g_autofree char *csv2 = cl_report_to_csv (fc);
    g_autoptr(GHashTable) v2 = parse_csv (csv2);

    g_assert_cmpstr (g_hash_table_lookup (v2, "first_attempt/total/mean_hours"), ==, "13.3");
    g_assert_cmpstr (g_hash_table_lookup (v2, "first_attempt/total/within_72h"), ==, "83.3");
  }
}

static void
test_export_text (void)
{
  g_autoptr(ClReportResult) r = run_period ("referrals", "2026-01-01", "2026-03-31");
  g_autofree char *text = cl_report_to_text (r);

  g_assert_nonnull (strstr (text, "New referrals"));
  g_assert_nonnull (strstr (text, "Period: 2026-01-01 to 2026-03-31"));
  g_assert_nonnull (strstr (text, "Generated: "));
  g_assert_nonnull (strstr (text, "By referral source"));
  g_assert_nonnull (strstr (text, "Midtown South Precinct"));
  g_assert_nonnull (strstr (text, "66.7%"));
  g_assert_nonnull (strstr (text, "For internal use: no suppression"));
}

static void
test_export_json (void)
{
  g_autoptr(ClReportResult) r = run_period ("trafficking", "2026-01-01", "2026-06-30");
  g_autofree char *json = cl_report_to_json (r);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *tables;
  gboolean found = FALSE;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "report"), ==, "trafficking");
  g_assert_true (json_object_get_boolean_member (root, "funder"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "parameters"), "to"),
                   ==, "2026-06-30");
  tables = json_object_get_array_member (root, "tables");
  for (guint i = 0; i < json_array_get_length (tables); i++)
    {
      JsonObject *t = json_array_get_object_element (tables, i);

      if (g_str_equal (json_object_get_string_member (t, "key"), "clients"))
        {
          JsonObject *row = json_array_get_object_element (json_object_get_array_member (t, "rows"), 0);
          JsonObject *cells = json_object_get_object_member (row, "cells");

          g_assert_cmpint (json_object_get_int_member (cells, "total"), ==, 2);
          g_assert_cmpint (json_object_get_int_member (cells, "new"), ==, 1);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_export_pdf (void)
{
  g_autoptr(ClReportResult) r = run_period ("services", "2026-01-01", "2026-03-31");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = cl_report_to_pdf (r, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (g_bytes_get_size (pdf) > 1000);
  g_assert_true (memcmp (g_bytes_get_data (pdf, NULL), "%PDF", 4) == 0);
  text = pdf_text (pdf);
  g_assert_nonnull (strstr (text, "Services delivered"));
  g_assert_nonnull (strstr (text, "Period: 2026-01-01 to 2026-03-31"));
  g_assert_nonnull (strstr (text, "Generated:"));
  g_assert_nonnull (strstr (text, "Services by category"));
  g_assert_nonnull (strstr (text, "Times provided by advocate"));
  g_assert_nonnull (strstr (text, "Individual advocacy"));
  g_assert_nonnull (strstr (text, "page 2"));
  /* Row "B4 …": 3 times, 1 record, 1 individual. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    gboolean found = FALSE;

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "B4 Individual advocacy") != NULL)
        {
          g_autoptr(GRegex) regex = g_regex_new ("B4 Individual advocacy.*\\s(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$",
                                                 0, 0, NULL);
          g_autoptr(GMatchInfo) match = NULL;

          g_autofree char *times = NULL, *records = NULL, *individuals = NULL;

          g_assert_true (g_regex_match (regex, lines[i], 0, &match));
          times = g_match_info_fetch (match, 1);
          records = g_match_info_fetch (match, 2);
          individuals = g_match_info_fetch (match, 3);
          g_assert_cmpstr (times, ==, "3");
          g_assert_cmpstr (records, ==, "1");
          g_assert_cmpstr (individuals, ==, "1");
          found = TRUE;
        }
    g_assert_true (found);
  }
}

/* The pages of the PDF export: the services report of the first quarter takes three US
 * Letter pages; its first table breaks between two rows (where depends on the fonts), and
 * its header is repeated on page 2. */
static void
test_export_pdf_pages (void)
{
  g_autoptr(ClReportResult) r = run_period ("services", "2026-01-01", "2026-03-31");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = cl_report_to_pdf (r, &error);
  g_autofree char *path = NULL;
  g_autofree char *page1 = NULL, *page2 = NULL, *page3 = NULL;
  g_autoptr(ClReportPages) pages = cl_report_paginate (r, 612, 792);
  g_autoptr(ClReportPages) tall = cl_report_paginate (r, 612, 3000);

  g_assert_no_error (error);
  g_assert_cmpuint (cl_report_pages_get_n (pages), ==, 3);
  /* The breaks follow the paper. */
  g_assert_cmpuint (cl_report_pages_get_n (tall), ==, 1);
  path = pdf_file (pdf);
  g_assert_cmpuint (cl_test_pdf_pages (path), ==, 3);
  page1 = cl_test_pdf_text (path, 1);
  page2 = cl_test_pdf_text (path, 2);
  page3 = cl_test_pdf_text (path, 3);
  pdf_file_remove (path);

  g_assert_true (g_str_has_prefix (page1, "Services delivered\n"));
  g_assert_nonnull (strstr (page1, "Period: 2026-01-01 to 2026-03-31"));
  g_assert_nonnull (strstr (page1, "For internal use: no suppression"));
  g_assert_nonnull (strstr (page1, "Generated: "));
  g_assert_nonnull (strstr (page1, "Services by code"));
  g_assert_nonnull (strstr (page1, "Times provided"));
  g_assert_nonnull (strstr (page1, "Services delivered — page 1"));

  /* The first table's rows: a first part on page 1, the rest on page 2 after the table's
   * header, each row once. */
  {
    const ClReportTable *first = g_ptr_array_index (r->tables, 0);
    guint on_page1 = 0;

    for (guint i = 0; i < first->rows->len; i++)
      {
        const ClReportRow *row = g_ptr_array_index (first->rows, i);
        /* A row's line starts with its code (its label may wrap). */
        g_autofree char *line = g_strdup_printf ("\n%s ", row->key);
        gboolean in1 = strstr (page1, line) != NULL;
        gboolean in2 = strstr (page2, line) != NULL;

        if (row->is_total)
          continue;
        g_assert_true (in1 != in2);
        if (in1)
          {
            g_assert_cmpuint (on_page1, ==, i);
            on_page1++;
          }
        else
          g_assert_true (strstr (page2, "Times provided") < strstr (page2, line));
      }
    g_assert_cmpuint (on_page1, >, 0);
    g_assert_cmpuint (on_page1, <, first->rows->len - 1);
  }
  g_assert_true (g_str_has_prefix (page2, "Service "));
  g_assert_nonnull (strstr (page2, "Services delivered — page 2"));

  /* Every other table once, in order, the last on page 3. */
  {
    guint page = 2;

    for (guint t = 1; t < r->tables->len; t++)
      {
        const ClReportTable *table = g_ptr_array_index (r->tables, t);
        g_autofree char *title = g_strdup_printf ("%s\n", table->title);
        gboolean in2 = strstr (page2, title) != NULL;
        gboolean in3 = strstr (page3, title) != NULL;

        g_assert_true (in2 != in3);
        g_assert_cmpuint (in2 ? 2 : 3, >=, page);
        page = in2 ? 2 : 3;
      }
    g_assert_cmpuint (page, ==, 3);
  }
  g_assert_nonnull (strstr (page3, "Notes\n• Services dated in the period."));
  g_assert_nonnull (strstr (page3, "Services delivered — page 3"));
}

/* Exported for outside use: suppression applied, lists left out, the export audited. */
static void
test_export_outside (void)
{
  g_autoptr(ClReportResult) r = run_period ("deadlines", "2026-04-01", "2026-06-30");
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(ClChanges) where = cl_changes_new ();
  gint64 before, after;
  GHashTableIter iter;
  gpointer key, value;
  guint stars = 0;

  cl_changes_set (where, "action", "export");
  before = cl_store_count (vault.store, "audit", where, &error);
  g_assert_no_error (error);
  cl_report_export (vault.store, r, CL_REPORT_FORMAT_CSV, CL_REPORT_WRITE_NONE, TRUE, out, NULL,
                    &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  after = cl_store_count (vault.store, "audit", where, &error);
  g_assert_cmpint (after, ==, before + 1);

  csv = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  values = parse_csv (csv);
  g_assert_cmpstr (g_hash_table_lookup (values, "report/suppressed/"), ==, "1");
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 n;

      if (g_str_has_prefix (key, "report/") || g_str_has_prefix (key, "notes/"))
        continue;
      g_assert_false (g_str_has_prefix (key, "items/"));
      stars += g_str_equal (value, "*");
      if (g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &n, NULL))
        g_assert_false (n >= 1 && n <= 4);
    }
  g_assert_cmpuint (stars, ==, 8);
  /* No case number left the organization. */
  for (guint i = 1; i <= 10; i++)
    g_assert_null (strstr (csv, ids.number[i]));
  /* The result on screen is untouched. */
  g_assert_false (r->suppressed);
  g_assert_cmpint (cl_report_result_get_count (r, "summary", "court", "count"), ==, 1);
}

/* A result from the server (read back from its JSON) keeps its tables, charts and units,
 * says where it came from, and is not suppressed again on the desktop: an export for
 * outside use of its internal figures is refused, and nothing is audited or written. */
static void
test_server_result (void)
{
  g_autoptr(ClReportResult) r = run_period ("first-contact", "2026-01-01", "2026-06-30");
  g_autoptr(ClReportResult) back = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) where = cl_changes_new ();
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *json = NULL, *again = NULL, *text = NULL;
  gint64 before;

  r->source = CL_REPORT_SOURCE_SERVER;
  json = cl_report_result_to_json (r, NULL);
  back = cl_report_result_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  again = cl_report_result_to_json (back, NULL);
  g_assert_cmpstr (again, ==, json);
  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *a = g_ptr_array_index (r->tables, i);
      const ClReportTable *b = g_ptr_array_index (back->tables, i);

      g_assert_cmpint (b->chart, ==, a->chart);
      g_assert_cmphex (b->chart_columns, ==, a->chart_columns);
      g_assert_cmpint (b->total_row, ==, a->total_row);
    }
  lines = cl_report_params_describe (back);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), "Whole agency (server), generated "));
  text = cl_report_to_text (back);
  g_assert_nonnull (strstr (text, "Whole agency (server)"));

  cl_changes_set (where, "action", "export");
  before = cl_store_count (vault.store, "audit", where, &error);
  g_assert_false (cl_report_export (vault.store, back, CL_REPORT_FORMAT_CSV, CL_REPORT_WRITE_NONE,
                                    TRUE, out, NULL, &error));
  g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
  g_clear_error (&error);
  g_assert_cmpint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), ==, 0);
  g_assert_cmpint (cl_store_count (vault.store, "audit", where, NULL), ==, before);

  /* The vault's own result says so. */
  g_ptr_array_unref (g_steal_pointer (&lines));
  r->source = CL_REPORT_SOURCE_VAULT;
  lines = cl_report_params_describe (r);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "This workstation’s vault");
}

static void
test_no_client_data (void)
{
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-06-30");
      g_autoptr(ClReportResult) r = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL, *csv = NULL, *json = NULL, *pdf_plain = NULL;
      g_autoptr(GBytes) pdf = NULL;
      const char *outputs[4];

      if (g_str_equal (list[i].name, "pmt"))
        p->to = cl_day_parse ("2026-03-31");
      r = run (list[i].name, p);
      text = cl_report_to_text (r);
      csv = cl_report_to_csv (r);
      json = cl_report_to_json (r);
      pdf = cl_report_to_pdf (r, &error);
      g_assert_no_error (error);
      pdf_plain = pdf_text (pdf);
      outputs[0] = text;
      outputs[1] = csv;
      outputs[2] = json;
      outputs[3] = pdf_plain;
      for (guint k = 0; k < G_N_ELEMENTS (outputs); k++)
        {
          g_assert_null (strstr (outputs[k], "MARKER"));
          g_assert_null (strstr (outputs[k], "1990-06-01"));
          g_assert_null (strstr (outputs[k], "1985-02-02"));
          g_assert_null (strstr (outputs[k], "555-0199"));
          g_assert_nonnull (strstr (outputs[k], r->title));
        }
    }
}

int
main (int    argc,
      char **argv)
{
  int rc;

  cl_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  cl_test_vault_setup (&vault, NULL);
  cl_report_fixture_build (vault.store, &ids);

  g_test_add_func ("/core/reports/list", test_list);
  g_test_add_func ("/core/reports/periods", test_periods);
  g_test_add_func ("/core/reports/caseload", test_caseload);
  g_test_add_func ("/core/reports/referrals", test_referrals);
  g_test_add_func ("/core/reports/first-contact", test_first_contact);
  g_test_add_func ("/core/reports/outreach", test_outreach);
  g_test_add_func ("/core/reports/services", test_services);
  g_test_add_func ("/core/reports/outcomes", test_outcomes);
  g_test_add_func ("/core/reports/closures", test_closures);
  g_test_add_func ("/core/reports/deadlines", test_deadlines);
  g_test_add_func ("/core/reports/data-quality", test_data_quality);
  g_test_add_func ("/core/reports/pmt/quarters", test_pmt_quarters);
  g_test_add_func ("/core/reports/pmt/fiscal-start", test_pmt_fiscal_start);
  g_test_add_func ("/core/reports/pmt/seeded-categories", test_pmt_seeded_categories);
  g_test_add_func ("/core/reports/trafficking", test_trafficking);
  g_test_add_func ("/core/reports/suppression/unit", test_suppression_unit);
  g_test_add_func ("/core/reports/suppression/pmt", test_suppression_pmt);
  g_test_add_func ("/core/reports/suppression/every-report", test_suppression_reports);
  g_test_add_func ("/core/reports/load-order", test_load_order);
  g_test_add_func ("/core/reports/scope", test_scope);
  g_test_add_func ("/core/reports/errors", test_errors);
  g_test_add_func ("/core/reports/async", test_async);
  g_test_add_func ("/core/reports/export/csv", test_export_csv);
  g_test_add_func ("/core/reports/export/text", test_export_text);
  g_test_add_func ("/core/reports/export/json", test_export_json);
  g_test_add_func ("/core/reports/export/pdf", test_export_pdf);
  g_test_add_func ("/core/reports/export/pdf-pages", test_export_pdf_pages);
  g_test_add_func ("/core/reports/server-result", test_server_result);
  g_test_add_func ("/core/reports/export/outside", test_export_outside);
  g_test_add_func ("/core/reports/export/no-client-data", test_no_client_data);

  rc = g_test_run ();

  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
