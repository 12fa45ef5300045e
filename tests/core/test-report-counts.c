/* test-report-counts.c: counts a funder can rely on, against hand-made fixtures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A vault fixture of its own, written through the store as an advocate would (plus the
 * few states only sync or older versions leave behind, written in SQL), over two fiscal
 * years and several quarters, with deleted and restricted records. Every expectation
 * below is worked out by hand from DOMAIN.md and docs/REPORTS.md, not by running the
 * engine. The organization's zone is America/New_York; the clock is fixed at 2026-05-15
 * unless a test moves it. FY2025 = 2024-10-01 … 2025-09-30, FY2026 = 2025-10-01 …
 * 2026-09-30; Q2 FY2026 = Jan–Mar 2026, Q3 = Apr–Jun 2026.
 *
 * Age (PMT demographics, minors)
 *   KA1  born 2008-04-01; case A1 (trafficking, ana) has no referral_received_at, only an
 *        inbound referral received 2026-04-01T02:30Z = March 31 local: 17, a minor (the
 *        UTC day or today would make her 18). Service B6 on 2026-04-02 (Q3).
 *   KA2  born 1966-06-01; case A2 (cv, ana) has no referral at all, opened 2026-02-10: 59
 *        (on a clock after June 1 2026, "today" would make him 60). Service C1 2026-02-11.
 *   KA3  born 2008-01-10; case A3 (cv, ana) received 2026-01-10T03:00Z = January 9 local:
 *        17 (the UTC day makes her 18). Service A1 2026-01-12.
 * Deleted clients
 *   KD1  cases D1 (ben, received 2026-02-05, service A1 02-06) and D1R (restricted):
 *        deleting KD1 is refused while they live; deleted with --cascade, all three go.
 *   KD2  case D2 (ben, received 2026-02-07, service A1 02-08); KD2's tombstone arrives
 *        as a pull would leave it, D2 still live: D2 counts nowhere.
 * Services and attribution
 *   KS   case S1 (cv, assigned ben, received 2026-02-09): A4 on 02-10 logged without
 *        times or advocate (the store makes it 1 time by advocate1, who logged it); B4 on
 *        02-11, 2 times, whose advocate an older version left empty: ben's (the case's).
 * Caseload on a past day (advocate cara, as of 2026-02-15)
 *   H1   received 01-05, active, closed later (closed_at 03-20): open on Feb 15
 *   H2   received 01-20, referred, made active later (opened 03-01): not yet on Feb 15
 *   H3   received 03-01, active: not yet
 *   H4   received 01-06, restricted, arrived closed with closed_at 03-10: open on Feb 15
 * Compensation (all ben, 75)
 *   KC1  case C1 received 2025-09-01; A1 2025-09-15 (FY2025 Q4) and 2026-02-10 (Q2);
 *        claim filed 2026-01-20
 *   KC2  case C2; A1 2026-04-05 (Q3 only); claim filed 2026-02-01
 *   KC3  case C3; A1 2026-03-01 and 2026-04-20; claim being prepared (not filed)
 *   KC4  case C4 (no service), claim filed 2026-02-15; deleted case D4 with A1 02-16 and
 *        a claim filed 02-16
 * Deadlines (advocate dana, as of 2026-05-15)
 *   E1   claim for a crime on 2025-03-01, not filed: deadline 2026-03-01, passed; task due
 *        2026-04-01, not done
 *   E2   claim for a crime on 2025-07-01, not filed: deadline 2026-07-01
 */

#define G_LOG_DOMAIN "test-report-counts"

#include <string.h>

#include "cl-report-fixture.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

#define TODAY "2026-05-15"
#define LATER "2027-03-01"

static ClTestVault vault;

static struct {
  char *kd1;
  char *d1, *d1r, *a4, *b4;
} ids;

/* Helpers ----------------------------------------------------------------------------- */

#define CREATE(...) g_free (cl_test_create (vault.store, __VA_ARGS__, NULL))
#define NEW(...) cl_test_create (vault.store, __VA_ARGS__, NULL)

static void
sql (const char *statement,
     const char *id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_sql_exec_params (cl_vault_get_db (vault.vault), &error, statement, id,
                                     CL_SQL_END));
  g_assert_no_error (error);
}

static void
update (const char *type,
        const char *id,
        ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  va_start (args, id);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);
  g_assert_true (cl_store_update (vault.store, type, id, values, &error));
  g_assert_no_error (error);
}

static char *
number_of (const char *case_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) record = cl_store_get (vault.store, "case", case_id, &error);

  g_assert_no_error (error);
  return g_strdup (cl_record_get (record, "case_number"));
}

/* A case of a new client; @received may be NULL. */
static char *
client_case (char       **client_out,
             const char  *client_fields,
             const char  *command,
             const char  *track,
             const char  *status,
             const char  *advocate,
             const char  *received)
{
  g_auto(GStrv) fields = g_strsplit (client_fields, " ", -1);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  char *client, *id;

  cl_changes_set (values, "legal_name", "Fixture MARKER");
  for (guint i = 0; fields[i] != NULL && fields[i + 1] != NULL; i += 2)
    cl_changes_set (values, fields[i], fields[i + 1]);
  client = cl_store_create (vault.store, "client", values, &error);
  g_assert_no_error (error);
  id = NEW ("case", "client_id", client, "command", command, "track", track, "status", status,
            "assigned_to", advocate, "referral_received_at", received);
  if (client_out != NULL)
    *client_out = client;
  else
    g_free (client);
  return id;
}

#define SERVICE(cs, date, code, times, adv) \
  CREATE ("service", "case_id", cs, "date", date, "code", code, "times", times, "advocate", adv)

static void
build_fixture (void)
{
  g_autofree char *a1 = NULL, *a2 = NULL, *a3 = NULL, *s1 = NULL, *kc4 = NULL;
  g_autofree char *h1 = NULL, *h2 = NULL, *h3 = NULL, *h4 = NULL;
  g_autofree char *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *d4 = NULL;
  g_autofree char *e1 = NULL, *e2 = NULL, *d2 = NULL, *kd2 = NULL;

  /* Age. */
  a1 = client_case (NULL, "gender female race_ethnicity asian date_of_birth 2008-04-01",
                    "14", "trafficking", "active", "ana", NULL);
  CREATE ("referral", "case_id", a1, "received_at", "2026-04-01T02:30:00Z", "source", "court");
  SERVICE (a1, "2026-04-02", "B6", "1", "ana");
  a2 = client_case (NULL, "gender male race_ethnicity white date_of_birth 1966-06-01",
                    "14", "cv", "active", "ana", NULL);
  update ("case", a2, "opened_at", "2026-02-10", NULL);
  SERVICE (a2, "2026-02-11", "C1", "1", "ana");
  a3 = client_case (NULL, "gender female race_ethnicity black date_of_birth 2008-01-10",
                    "14", "cv", "active", "ana", "2026-01-10T03:00:00Z");
  CREATE ("referral", "case_id", a3, "received_at", "2026-01-10T03:00:00Z", "source", "walk_in");
  SERVICE (a3, "2026-01-12", "A1", "1", "ana");

  /* Clients to delete. */
  ids.d1 = client_case (&ids.kd1, "gender female age_band 25_59", "75", "cv", "active", "ben",
                        "2026-02-05T15:00:00Z");
  SERVICE (ids.d1, "2026-02-06", "A1", "1", "ben");
  ids.d1r = NEW ("case", "client_id", ids.kd1, "command", "75", "track", "cv", "status", "active",
                 "assigned_to", "ben", "referral_received_at", "2026-02-06T15:00:00Z",
                 "restricted", "1");
  d2 = client_case (&kd2, "gender male age_band 25_59", "75", "cv", "active", "ben",
                        "2026-02-07T15:00:00Z");
  SERVICE (d2, "2026-02-08", "A1", "1", "ben");

  /* Services without times or advocate. */
  s1 = client_case (NULL, "gender male race_ethnicity white age_band 25_59", "75", "cv", "active",
                    "ben", "2026-02-09T15:00:00Z");
  ids.a4 = NEW ("service", "case_id", s1, "date", "2026-02-10", "code", "A4");
  ids.b4 = NEW ("service", "case_id", s1, "date", "2026-02-11", "code", "B4", "times", "2",
                "advocate", "ben");

  /* The caseload on a past day. */
  h1 = client_case (NULL, "gender female", "14", "dv", "active", "cara", "2026-01-05T15:00:00Z");
  update ("case", h1, "opened_at", "2026-01-06", NULL);
  update ("case", h1, "status", "closed", "closed_at", "2026-03-20",
          "closure_reason", "services_completed", NULL);
  h2 = client_case (NULL, "gender female", "14", "dv", "referred", "cara", "2026-01-20T15:00:00Z");
  update ("case", h2, "status", "active", "opened_at", "2026-03-01", NULL);
  h3 = client_case (NULL, "gender female", "14", "dv", "active", "cara", "2026-03-01T15:00:00Z");
  h4 = client_case (NULL, "gender female", "14", "dv", "closed", "cara", "2026-01-06T15:00:00Z");
  update ("case", h4, "closed_at", "2026-03-10", "restricted", "1", NULL);

  /* Compensation. */
  c1 = client_case (NULL, "gender female race_ethnicity white age_band 25_59", "75", "cv",
                    "active", "ben", "2025-09-01T15:00:00Z");
  SERVICE (c1, "2025-09-15", "A1", "1", "ben");
  SERVICE (c1, "2026-02-10", "A1", "1", "ben");
  CREATE ("compensation", "case_id", c1, "filed_on", "2026-01-20", "status", "filed");
  c2 = client_case (NULL, "gender male race_ethnicity white age_band 25_59", "75", "cv",
                    "active", "ben", "2026-01-15T15:00:00Z");
  SERVICE (c2, "2026-04-05", "A1", "1", "ben");
  CREATE ("compensation", "case_id", c2, "filed_on", "2026-02-01", "status", "filed");
  c3 = client_case (NULL, "gender female race_ethnicity hispanic age_band 25_59", "75", "cv",
                    "active", "ben", "2026-02-20T15:00:00Z");
  SERVICE (c3, "2026-03-01", "A1", "1", "ben");
  SERVICE (c3, "2026-04-20", "A1", "1", "ben");
  CREATE ("compensation", "case_id", c3, "status", "preparing");
  c4 = client_case (&kc4, "gender male race_ethnicity white age_band 25_59", "75", "cv",
                    "active", "ben", "2026-01-25T15:00:00Z");
  CREATE ("compensation", "case_id", c4, "filed_on", "2026-02-15", "status", "filed");
  d4 = NEW ("case", "client_id", kc4, "command", "75", "track", "cv", "status", "active",
            "assigned_to", "ben", "referral_received_at", "2026-01-26T15:00:00Z");
  SERVICE (d4, "2026-02-16", "A1", "1", "ben");
  CREATE ("compensation", "case_id", d4, "filed_on", "2026-02-16", "status", "filed");
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (cl_store_delete (vault.store, "case", d4, &error));
    g_assert_no_error (error);
  }

  /* Deadlines. */
  e1 = client_case (NULL, "gender female", "14", "cv", "active", "dana", "2025-03-05T15:00:00Z");
  CREATE ("compensation", "case_id", e1, "crime_date", "2025-03-01", "status", "preparing");
  CREATE ("task", "case_id", e1, "due", "2026-04-01", "title", "Call back");
  e2 = client_case (NULL, "gender female", "14", "cv", "active", "dana", "2025-07-05T15:00:00Z");
  CREATE ("compensation", "case_id", e2, "crime_date", "2025-07-01");

  /* As an older version or a pull leaves them: B4 without its advocate, KD2's tombstone
   * while D2 is still live. */
  sql ("UPDATE service SET advocate = NULL WHERE id = ?", ids.b4);
  sql ("UPDATE client SET deleted = 1 WHERE id = ?", kd2);
}

#define params_new cl_report_test_params

static ClReportResult *
run (const char     *name,
     ClReportParams *p)
{
  return cl_report_test_run (vault.store, name, p);
}

static ClReportResult *
run_period (const char *name,
            const char *from,
            const char *to,
            const char *today)
{
  return cl_report_test_run_period (vault.store, name, from, to, today);
}

/* A report on one advocate's cases and work, as of @as_of (NULL: the default). */
static ClReportResult *
run_advocate (const char *name,
              const char *from,
              const char *to,
              const char *advocate,
              const char *as_of)
{
  g_autoptr(ClReportParams) p = params_new (from, to, TODAY);

  p->advocate = g_strdup (advocate);
  if (as_of != NULL)
    p->as_of = cl_day_parse (as_of);
  return run (name, p);
}

#define COUNT CL_REPORT_TEST_COUNT

static gboolean
hidden (ClReportResult *r,
        const char     *table,
        const char     *row,
        const char     *column)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  g_assert_nonnull (cell);
  return cell->suppressed;
}

/* The PMT age block of new individuals, in its rows' order. */
static char *
age_block (ClReportResult *r)
{
  ClReportTable *t = cl_report_result_get_table (r, "age");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < t->rows->len; i++)
    {
      ClReportRow *row = g_ptr_array_index (t->rows, i);

      g_string_append_printf (s, "%s=%" G_GINT64_FORMAT " ", row->key,
                              g_array_index (row->cells, ClReportCell, 0).count);
    }
  return g_string_free (s, FALSE);
}

/* Tests ------------------------------------------------------------------------------- */

/* Age on the local day the first case started, from the same "received" as every other
 * report, never from today. */
static void
test_age (void)
{
  /* Q2: new KA2 (59), KA3 (17: January 9 local), KS, KC1, KC3 (25_59 recorded). */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31", TODAY);

    COUNT (r, "individuals", "new", "count", 5);
    COUNT (r, "age", "25_59", "new", 4);
    COUNT (r, "age", "13_17", "new", 1);
    COUNT (r, "age", "18_24", "new", 0);
    COUNT (r, "age", "60_plus", "new", 0);
    COUNT (r, "age", "not_tracked", "new", 0);
  }
  /* Q3: new KA1 (17: March 31 local, from her inbound referral) and KC2. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-04-01", "2026-06-30", TODAY);

    COUNT (r, "individuals", "new", "count", 2);
    COUNT (r, "age", "13_17", "new", 1);
    COUNT (r, "age", "25_59", "new", 1);
    COUNT (r, "age", "18_24", "new", 0);
  }
  /* Trafficking, first half of 2026: KA1 is a minor. */
  {
    g_autoptr(ClReportResult) r = run_period ("trafficking", "2026-01-01", "2026-06-30", TODAY);

    COUNT (r, "clients", "clients", "total", 1);
    COUNT (r, "by_age", "minor", "clients", 1);
    COUNT (r, "by_age", "adult", "clients", 0);
  }
}

/* A closed period gives the same numbers whatever day it is run. */
static void
test_age_reproducible (void)
{
  static const char *const periods[][3] = {
    { "pmt", "2026-01-01", "2026-03-31" },
    { "pmt", "2026-04-01", "2026-06-30" },
    { "pmt", "2025-07-01", "2025-09-30" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      g_autoptr(ClReportResult) now = run_period (periods[i][0], periods[i][1], periods[i][2],
                                                  "2026-07-01");
      g_autoptr(ClReportResult) later = run_period (periods[i][0], periods[i][1], periods[i][2],
                                                    LATER);
      g_autofree char *a = age_block (now);
      g_autofree char *b = age_block (later);

      g_assert_cmpstr (a, ==, b);
    }
  /* KA2 is still 59 in Q2 on a clock after his sixtieth birthday. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31", LATER);

    COUNT (r, "age", "25_59", "new", 4);
    COUNT (r, "age", "60_plus", "new", 0);
  }
}

/* A client with live cases is not deleted; with its cases it is. */
static void
test_delete_client (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *d1 = number_of (ids.d1);
  g_autofree char *d1r = number_of (ids.d1r);
  g_autoptr(ClRecord) gone = NULL;

  g_assert_false (cl_store_delete (vault.store, "client", ids.kd1, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  /* The message names the live cases, a restricted one without its number. */
  g_assert_nonnull (strstr (error->message, d1));
  g_assert_nonnull (strstr (error->message, "(restricted case)"));
  g_assert_null (strstr (error->message, d1r));
  g_assert_null (strstr (error->message, "MARKER"));
  g_clear_error (&error);
  g_assert_false (cl_store_delete_client (vault.store, ids.kd1, FALSE, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cl_store_delete_client (vault.store, ids.kd1, TRUE, &error));
  g_assert_no_error (error);
  gone = cl_store_get (vault.store, "client", ids.kd1, &error);
  g_assert_null (gone);
  g_clear_error (&error);
  g_assert_null (cl_store_get (vault.store, "case", ids.d1, &error));
  g_clear_error (&error);
  g_assert_null (cl_store_get (vault.store, "case", ids.d1r, &error));
  g_clear_error (&error);

  /* A client without cases goes as before. */
  {
    g_autofree char *lone = NEW ("client", "legal_name", "Lone MARKER");

    g_assert_true (cl_store_delete (vault.store, "client", lone, &error));
    g_assert_no_error (error);
  }
}

/* No report counts a case whose client is deleted (KD2's D2, still live). */
static void
test_deleted_client_counts_nowhere (void)
{
  /* Q2 referrals (local days): A1 (March 31), A3 (January 9), S1, H1, H2, H3, H4, C2, C3,
   * C4; not D1, D1R, D4 (deleted), nor D2. */
  {
    g_autoptr(ClReportResult) r = run_period ("referrals", "2026-01-01", "2026-03-31", TODAY);

    COUNT (r, "summary", "all", "referrals", 10);
  }
  /* Q2 served: KA2, KA3, KS, KC1, KC3. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31", TODAY);

    COUNT (r, "individuals", "served", "count", 5);
    COUNT (r, "service_codes", "A1", "times", 3);
  }
  /* Ben's caseload today: S1, C1, C2, C3, C4 (D2 is not his any more). */
  {
    g_autoptr(ClReportResult) r = run_advocate ("caseload", "2026-04-01", "2026-06-30", "ben",
                                                NULL);

    COUNT (r, "by_advocate", "ben", "caseload", 5);
  }
}

/* A service gets both defaults, and one attribution rule holds everywhere. */
static void
test_service_attribution (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) a4 = cl_store_get (vault.store, "service", ids.a4, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (a4, "times"), ==, "1");
  g_assert_cmpstr (cl_record_get (a4, "advocate"), ==, "advocate1");

  /* Q2 services: ana A1 (A3) and C1 (A2); advocate1 A4; ben A1 (C1), A1 (C3), B4 ×2. */
  {
    g_autoptr(ClReportResult) r = run_period ("services", "2026-01-01", "2026-03-31", TODAY);

    COUNT (r, "by_advocate", "advocate1", "total", 1);
    COUNT (r, "by_advocate", "ana", "total", 2);
    COUNT (r, "by_advocate", "ben", "A", 2);
    COUNT (r, "by_advocate", "ben", "B", 2);
    COUNT (r, "by_advocate", "ben", "total", 4);
    COUNT (r, "by_advocate", "total", "total", 7);
    g_assert_null (cl_report_result_get_cell (r, "by_advocate", "not_recorded", "total"));
  }
  /* The filter gives each advocate exactly their row. */
  {
    static const char *const who[][2] = { { "ben", "4" }, { "advocate1", "1" }, { "ana", "2" } };

    for (guint i = 0; i < G_N_ELEMENTS (who); i++)
      {
        g_autoptr(ClReportResult) r = run_advocate ("services", "2026-01-01", "2026-03-31",
                                                    who[i][0], NULL);

        COUNT (r, "by_code", "total", "times", g_ascii_strtoll (who[i][1], NULL, 10));
        COUNT (r, "by_advocate", who[i][0], "total", g_ascii_strtoll (who[i][1], NULL, 10));
      }
  }
}

/* The caseload on a past day counts what was open then. */
static void
test_caseload_past_day (void)
{
  g_autoptr(ClReportResult) r = run_advocate ("caseload", "2026-01-01", "2026-03-31", "cara",
                                              "2026-02-15");

  /* H1 (closed later) and H4 (closed on March 10) were open; H2 was still referred, H3 not
   * yet received. */
  COUNT (r, "by_advocate", "cara", "caseload", 2);
  COUNT (r, "by_advocate", "cara", "active", 2);
  COUNT (r, "by_advocate", "cara", "outreach", 0);
  COUNT (r, "by_track", "dv", "caseload", 2);
  /* H1 from January 5, H4 from January 6: 41 and 40 days. */
  COUNT (r, "by_advocate", "cara", "age_31_90", 2);
}

/* PMT: individuals served in the period who were assisted with an application then. */
static void
test_compensation (void)
{
  /* Q2: KC1 (served on C1, claim filed in Q2) and KC3 (served on C3, claim being
   * prepared); not KC2 (not served in Q2) nor KC4 (never served; D4 is deleted). */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-01-01", "2026-03-31", TODAY);

    COUNT (r, "compensation", "assisted", "individuals", 2);
  }
  /* Q3: KC3 still being helped; KC2's claim was filed before Q3. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2026-04-01", "2026-06-30", TODAY);

    COUNT (r, "compensation", "assisted", "individuals", 1);
  }
  /* FY2025 Q4: KC1, served on C1 in September 2025 while the claim (filed January 2026)
   * was being prepared; new in that fiscal year, and new again in FY2026 Q2. */
  {
    g_autoptr(ClReportResult) r = run_period ("pmt", "2025-07-01", "2025-09-30", TODAY);

    COUNT (r, "individuals", "served", "count", 1);
    COUNT (r, "individuals", "new", "count", 1);
    COUNT (r, "compensation", "assisted", "individuals", 1);
  }
}

/* An unfiled claim whose deadline passed stays listed, first, as overdue. */
static void
test_deadlines_overdue (void)
{
  g_autoptr(ClReportResult) r = run_advocate ("deadlines", "2026-04-01", "2026-06-30", "dana",
                                              NULL);
  ClReportTable *items;
  static const char *const expected[][3] = {
    /* kind (its label marks the overdue ones), due, days left */
    { "Overdue compensation claims", "2026-03-01", "-75" },
    { "Overdue follow-ups", "2026-04-01", "-44" },
    { "Compensation filing deadlines", "2026-07-01", "47" },
  };

  COUNT (r, "summary", "compensation_overdue", "count", 1);
  COUNT (r, "summary", "compensation", "count", 1);
  COUNT (r, "summary", "follow_ups", "count", 1);
  items = cl_report_result_get_table (r, "items");
  g_assert_cmpuint (items->rows->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      ClReportRow *row = g_ptr_array_index (items->rows, i);
      const ClReportCell *cells = (const ClReportCell *) (gpointer) row->cells->data;
      g_autofree char *days = cl_report_cell_format (&cells[2], FALSE);

      g_assert_true (g_str_has_prefix (cells[0].text, expected[i][0]));
      g_assert_cmpstr (cells[1].text, ==, expected[i][1]);
      g_assert_cmpstr (days, ==, expected[i][2]);
    }
}

/* Suppression for outside use hides what protects a small cell, and no more. Facts made
 * by hand: 5 continuing clients (female, white, 25_59; A1 in Q1 and Q2) and 8 new ones
 * (4 female, 4 male, white, 25_59; A1 in Q2). */
static void
test_suppression_minimal (void)
{
  g_autoptr(ClReportFacts) f = cl_report_facts_new (cl_report_needs ("pmt", NULL) |
                                                    CL_REPORT_NEED_COMMANDS);
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31", TODAY);
  g_autoptr(ClReportResult) r = NULL;
  g_autoptr(GError) error = NULL;
  guint hidden_genders = 0;

  for (guint i = 0; i < 13; i++)
    {
      g_autofree char *client = g_strdup_printf ("k%u", i);
      g_autofree char *kase = g_strdup_printf ("c%u", i);
      const char *gender = i < 5 || i % 2 == 0 ? "female" : "male";
      const char *client_row[] = { client, gender, "25_59", NULL, "white", NULL, NULL, NULL,
                                   NULL };
      const char *case_row[] = { kase, client, "14", "ana", "cv", "active",
                                 "2025-11-01T15:00:00Z", NULL, NULL, NULL, NULL, NULL, NULL,
                                 NULL, NULL, NULL };
      const char *q1[] = { kase, "2025-11-05", "ana", "A1", "1", NULL };
      const char *q2[] = { kase, "2026-02-05", "ana", "A1", "1", NULL };

      g_assert_true (cl_report_facts_add_row (f, CL_REPORT_FACT_CLIENT, client_row, &error));
      g_assert_true (cl_report_facts_add_row (f, CL_REPORT_FACT_CASE, case_row, &error));
      if (i < 5)
        g_assert_true (cl_report_facts_add_row (f, CL_REPORT_FACT_SERVICE, q1, &error));
      g_assert_true (cl_report_facts_add_row (f, CL_REPORT_FACT_SERVICE, q2, &error));
      g_assert_no_error (error);
    }
  cl_report_facts_seal (f);

  r = cl_report_run ("pmt", f, p, &error);
  g_assert_no_error (error);
  /* New: k5, k6 (female, i even), k7 … : 4 female (6, 8, 10, 12) and 4 male (5, 7, 9, 11). */
  COUNT (r, "individuals", "new", "count", 8);
  COUNT (r, "gender", "female", "new", 4);
  COUNT (r, "gender", "male", "new", 4);

  cl_report_result_suppress (r, 4);
  /* The two small cells are hidden; their published total of 8 = 4 + 4 would give them
   * away, so one more cell is hidden: a zero of the block, not the total. */
  g_assert_true (hidden (r, "gender", "female", "new"));
  g_assert_true (hidden (r, "gender", "male", "new"));
  for (guint i = 0; i < cl_report_result_get_table (r, "gender")->rows->len; i++)
    hidden_genders += g_array_index (((ClReportRow *) g_ptr_array_index (
      cl_report_result_get_table (r, "gender")->rows, i))->cells, ClReportCell, 0).suppressed;
  g_assert_cmpuint (hidden_genders, ==, 3);
  COUNT (r, "gender", "total", "new", 8);
  /* Neither new nor continuing is small, and both stay. */
  COUNT (r, "individuals", "served", "count", 13);
  COUNT (r, "individuals", "new", "count", 8);
  COUNT (r, "individuals", "continuing", "count", 5);
  COUNT (r, "reconciliation", "new", "count", 8);
  COUNT (r, "race", "white", "new", 8);
  COUNT (r, "age", "25_59", "new", 8);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  cl_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  cl_test_vault_setup (&vault, NULL);
  build_fixture ();

  /* First: the other tests count on KD1 and its cases being deleted. */
  g_test_add_func ("/core/report-counts/delete-client", test_delete_client);
  g_test_add_func ("/core/report-counts/age", test_age);
  g_test_add_func ("/core/report-counts/age-reproducible", test_age_reproducible);
  g_test_add_func ("/core/report-counts/deleted-client", test_deleted_client_counts_nowhere);
  g_test_add_func ("/core/report-counts/service-attribution", test_service_attribution);
  g_test_add_func ("/core/report-counts/caseload-past-day", test_caseload_past_day);
  g_test_add_func ("/core/report-counts/compensation", test_compensation);
  g_test_add_func ("/core/report-counts/deadlines-overdue", test_deadlines_overdue);
  g_test_add_func ("/core/report-counts/suppression-minimal", test_suppression_minimal);

  rc = g_test_run ();

  g_free (ids.kd1);
  g_free (ids.d1);
  g_free (ids.d1r);
  g_free (ids.a4);
  g_free (ids.b4);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
