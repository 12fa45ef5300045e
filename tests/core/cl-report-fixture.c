/* cl-report-fixture.c: the fixture caseload of the report tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written through the store, as an advocate would; used by tests/core/test-reports.c
 * (hand-computed expectations for every report) and tests/server/test-reports-server.c
 * (the same data through the server gives the same results).
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
 *   CA11 K8  14      dv           active    ana  2026-02-10T15:00Z walk_in, with a contact
 *        and a service; K8's tombstone came without its cases (as a pull from an older
 *        version leaves it): CA11 must count nowhere either
 */

#include <string.h>

#include "cl-report-fixture.h"
#include "cl-report-vault.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

#define CREATE(...) g_free (cl_test_create (store, __VA_ARGS__, NULL))

static char *
new_client (ClStore    *store,
            const char *name,
            ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  char *id;
  va_list args;

  /* A marker name: no report output may ever contain it. */
  cl_changes_set (values, "legal_name", name);
  cl_changes_set (values, "phone", "555-0199-MARKER");
  va_start (args, name);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);
  id = cl_store_create (store, "client", values, &error);
  g_assert_no_error (error);
  return id;
}

static char *
new_case (ClStore    *store,
          const char *client,
          const char *command,
          const char *track,
          const char *status,
          const char *advocate,
          const char *received,
          const char *source,
          ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  char *id;
  va_list args;

  cl_changes_set (values, "client_id", client);
  cl_changes_set (values, "command", command);
  cl_changes_set (values, "track", track);
  cl_changes_set (values, "status", status);
  cl_changes_set (values, "assigned_to", advocate);
  cl_changes_set (values, "referral_received_at", received);
  va_start (args, source);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);
  id = cl_store_create (store, "case", values, &error);
  g_assert_no_error (error);
  if (source != NULL)
    CREATE ("referral", "case_id", id, "received_at", received, "source", source,
            "complaint_number", "COMPLAINT-MARKER-77");
  return id;
}

/**
 * cl_report_fixture_build:
 *
 * Writes the fixture caseload through @store (see cl-report-fixture.h).
 */
void
cl_report_fixture_build (ClStore          *store,
                         ClReportFixture  *ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) clear = cl_changes_new ();
  char **k = ids->client;
  char **c = ids->cases;

  cl_store_begin (store, &error);
  g_assert_no_error (error);

  k[1] = new_client (store, "Kay One MARKER", "gender", "female", "race_ethnicity", "black;hispanic",
                     "age_band", "25_59", "special_classifications", "immigrant;lep",
                     "date_of_birth", "1985-02-02", NULL);
  k[2] = new_client (store, "Kay Two MARKER", "gender", "male", "race_ethnicity", "white",
                     "age_at_intake", "16", NULL);
  k[3] = new_client (store, "Kay Three MARKER", "race_ethnicity", "declined",
                     "date_of_birth", "1990-06-01", "special_classifications", "homeless", NULL);
  k[4] = new_client (store, "Anonymous MARKER", NULL);
  k[5] = new_client (store, "Kay Five MARKER", "gender", "female", "race_ethnicity", "asian",
                     "age_band", "18_24", "special_classifications", "immigrant", NULL);
  k[6] = new_client (store, "Kay Six MARKER", "gender", "male", "age_band", "0_12", NULL);
  k[7] = new_client (store, "Kay Seven MARKER", "gender", "female", "race_ethnicity", "hispanic",
                     "age_band", "13_17", NULL);
  CREATE ("safe_contact", "client_id", k[1], "channel", "phone", "safe", "yes");
  CREATE ("safe_contact", "client_id", k[3], "channel", "phone", "safe", "no");
  CREATE ("safe_contact", "client_id", k[7], "channel", "sms", "safe", "yes");

  c[1] = new_case (store, k[1], "14", "dv", "active", "ana", "2026-01-10T15:00:00Z", "dir_review",
                   "opened_at", "2026-01-11", "funding_sources", "voca", "victim_role", "primary", NULL);
  c[2] = new_case (store, k[2], "75", "cv", "outreach", "ben", "2026-02-01T15:00:00Z", "complaint_review",
                   "funding_sources", "voca", NULL);
  c[3] = new_case (store, k[3], "14", "cv", "closed", "ana", "2026-01-10T16:00:00Z", "walk_in",
                   "opened_at", "2026-01-15", "closed_at", "2026-03-20",
                   "closure_reason", "services_completed", "funding_sources", "voca;city", NULL);
  c[4] = new_case (store, k[4], "PSA 2", "dv", "closed", "ben", "2026-02-20T15:00:00Z", "hotline",
                   "closed_at", "2026-02-20", "closure_reason", "declined",
                   "victim_role", "anonymous", NULL);
  c[5] = new_case (store, k[5], "75", "trafficking", "active", "ben", "2025-11-15T15:00:00Z", "federal_le",
                   "opened_at", "2025-11-16", "funding_sources", "trafficking", NULL);
  c[6] = new_case (store, k[6], "75", "trafficking", "active", "ben", "2025-11-15T15:30:00Z", "federal_le",
                   "victim_role", "secondary", NULL);
  c[7] = new_case (store, k[7], "14", "trafficking", "active", "ana", "2026-04-01T02:00:00Z", "court", NULL);
  c[8] = new_case (store, k[1], "75", "cv", "referred", "ana", "2026-03-10T15:00:00Z", "self", NULL);
  c[9] = new_case (store, k[2], "14", "dv", "active", "ana", "2026-01-20T15:00:00Z", "officer", NULL);
  c[10] = new_case (store, k[2], "14", "cv", "active", "ana", "2025-12-01T15:00:00Z", "officer",
                    "restricted", "1", NULL);

  /* CA8 has nobody assigned. */
  cl_changes_set (clear, "assigned_to", "");
  cl_store_update (store, "case", c[8], clear, &error);
  g_assert_no_error (error);

  /* Victimizations. */
  CREATE ("victimization", "case_id", c[1], "type", "domestic_violence");
  CREATE ("victimization", "case_id", c[1], "type", "stalking");
  CREATE ("victimization", "case_id", c[2], "type", "robbery");
  CREATE ("victimization", "case_id", c[3], "type", "adult_physical_assault");
  CREATE ("victimization", "case_id", c[5], "type", "trafficking_labor", "trafficking_type", "labor",
          "minor_at_time", "0", "foreign_national", "1");
  CREATE ("victimization", "case_id", c[7], "type", "trafficking_sex", "trafficking_type", "sex",
          "minor_at_time", "1", "foreign_national", "0");
  CREATE ("victimization", "case_id", c[8], "type", "identity_theft");
  CREATE ("victimization", "case_id", c[9], "type", "domestic_violence");
  CREATE ("victimization", "case_id", c[10], "type", "robbery");

  /* Contacts. */
#define CONTACT(cs, at, dir, ch, out, adv) \
  CREATE ("contact", "case_id", cs, "at", at, "direction", dir, "channel", ch, "outcome", out, \
          "advocate", adv, "note", "NOTE-MARKER")
  CONTACT (c[1], "2026-01-10T20:00:00Z", "outbound", "phone", "no_answer", "ana");
  CONTACT (c[1], "2026-01-11T15:00:00Z", "outbound", "phone", "reached", "ana");
  CONTACT (c[1], "2026-05-01T15:00:00Z", "outbound", "phone", "reached", "ana");
  CONTACT (c[2], "2026-02-03T15:00:00Z", "outbound", "phone", "no_answer", "ben");
  CONTACT (c[3], "2026-01-10T17:00:00Z", "inbound", "in_person", "reached", "ana");
  CONTACT (c[4], "2026-02-20T15:30:00Z", "inbound", "phone", "reached", "ben");
  CONTACT (c[5], "2025-11-15T16:00:00Z", "outbound", "phone", "reached", "ben");
  CONTACT (c[7], "2026-04-01T14:00:00Z", "outbound", "sms", "reached", "ana");
  CONTACT (c[9], "2026-01-21T15:00:00Z", "outbound", "phone", "reached", "ana");
#undef CONTACT
  CREATE ("note", "case_id", c[1], "at", "2026-03-15T15:00:00Z", "text", "NOTE-MARKER");

  /* Services. */
#define SERVICE(cs, date, code, times, adv) \
  CREATE ("service", "case_id", cs, "date", date, "code", code, "times", times, "advocate", adv)
  SERVICE (c[1], "2026-01-12", "C1", "1", "ana");
  SERVICE (c[1], "2026-04-10", "E4", "2", "ana");
  SERVICE (c[3], "2026-01-10", "A1", "1", "ana");
  CREATE ("service", "case_id", c[3], "date", "2026-02-15", "code", "B4", "times", "3",
          "advocate", "ana", "funding_source", "city");
  SERVICE (c[4], "2026-02-20", "C2", "1", "ben");
  SERVICE (c[5], "2025-11-20", "B6", "1", "ben");
  SERVICE (c[5], "2026-03-05", "E7", "1", "ben");
  SERVICE (c[5], "2026-04-02", "B6", "1", "ben");
  SERVICE (c[6], "2026-03-05", "B8", "1", "ben");
  SERVICE (c[7], "2026-04-03", "C1", "1", "ana");
  CREATE ("service", "case_id", c[8], "date", "2026-03-11", "code", "A3", "times", "1",
          "advocate", "ana", "funding_source", "voca");
  SERVICE (c[9], "2026-02-01", "A1", "5", "ana");
#undef SERVICE

  /* Immigration. */
  CREATE ("immigration", "case_id", c[1], "type", "u_cert", "requested_on", "2026-02-15",
          "decision", "pending");
  CREATE ("immigration", "case_id", c[5], "type", "u_cert", "requested_on", "2025-11-20",
          "decision", "granted", "decided_on", "2025-12-01");
  CREATE ("immigration", "case_id", c[5], "type", "continued_presence", "requested_on",
          "2026-02-01", "decision", "granted", "decided_on", "2026-03-01",
          "expires_on", "2026-07-01");
  CREATE ("immigration", "case_id", c[5], "type", "t_decl", "requested_on", "2026-01-20",
          "decision", "granted", "decided_on", "2026-02-10", "filed_on", "2026-03-15",
          "ages_out_on", "2026-07-10");
  CREATE ("immigration", "case_id", c[7], "type", "hhs_letter", "requested_on", "2026-05-01",
          "decision", "pending", "expires_on", "2026-09-30");

  /* Legal matters, compensation, tasks, plans, consents, referrals out. */
  CREATE ("legal_matter", "case_id", c[1], "type", "criminal_op", "status", "granted",
          "order_expires_on", "2026-06-01", "next_court_date", "2026-05-20",
          "docket", "DOCKET-MARKER");
  CREATE ("legal_matter", "case_id", c[3], "type", "family_order", "status", "granted");
  CREATE ("legal_matter", "case_id", c[5], "type", "vacatur", "status", "pending");
  CREATE ("compensation", "case_id", c[1], "crime_date", "2026-01-09", "filed_on", "2026-02-01",
          "status", "filed", "claim_number", "CLAIM-MARKER");
  CREATE ("compensation", "case_id", c[2], "crime_date", "2025-06-01", "status", "preparing");
  CREATE ("task", "case_id", c[1], "due", "2026-05-01", "title", "TASK-MARKER");
  CREATE ("task", "case_id", c[1], "due", "2026-04-01", "title", "Done", "done", "1");
  CREATE ("task", "case_id", c[2], "due", "2026-06-01", "title", "Later");
  CREATE ("safety_plan", "case_id", c[1], "completed_on", "2026-01-12",
          "reviewed_on", "2026-04-15");
  CREATE ("release", "client_id", k[5], "recipient", "Partner", "signed_on", "2025-12-01",
          "expires_on", "2026-06-01");
  CREATE ("release", "client_id", k[1], "recipient", "Partner", "signed_on", "2025-12-01",
          "expires_on", "2026-05-20", "revoked_on", "2026-05-01");
  CREATE ("outbound_referral", "case_id", c[1], "date", "2026-02-01", "partner", "Shelter",
          "service_type", "shelter", "outcome", "connected");
  CREATE ("outbound_referral", "case_id", c[3], "date", "2026-01-20", "partner", "Legal aid",
          "service_type", "legal", "outcome", "pending");

  cl_store_commit (store, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= 10; i++)
    {
      g_autoptr(ClRecord) record = cl_store_get (store, "case", c[i], &error);

      g_assert_no_error (error);
      ids->number[i] = g_strdup (cl_record_get (record, "case_number"));
    }

  cl_store_delete (store, "case", c[9], &error);
  g_assert_no_error (error);

  {
    g_autofree char *k8 = new_client (store, "Kay Eight MARKER", "gender", "female",
                                      "age_band", "25_59", NULL);
    g_autofree char *ca11 = new_case (store, k8, "14", "dv", "active", "ana",
                                      "2026-02-10T15:00:00Z", "walk_in", NULL);

    CREATE ("contact", "case_id", ca11, "at", "2026-02-10T16:00:00Z", "direction", "outbound",
            "channel", "phone", "outcome", "reached", "advocate", "ana");
    CREATE ("service", "case_id", ca11, "date", "2026-02-11", "code", "A1", "advocate", "ana");
    CREATE ("victimization", "case_id", ca11, "type", "stalking");
    g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store)), &error,
                                       "UPDATE client SET deleted = 1 WHERE id = ?", k8,
                                       CL_SQL_END));
    g_assert_no_error (error);
  }
}

void
cl_report_fixture_clear (ClReportFixture *ids)
{
  for (guint i = 0; i < G_N_ELEMENTS (ids->client); i++)
    g_clear_pointer (&ids->client[i], g_free);
  for (guint i = 0; i < G_N_ELEMENTS (ids->cases); i++)
    {
      g_clear_pointer (&ids->cases[i], g_free);
      g_clear_pointer (&ids->number[i], g_free);
    }
}

ClReportParams *
cl_report_test_params (const char *from,
                       const char *to,
                       const char *today)
{
  ClReportParams *p = cl_report_params_new ();

  p->from = cl_day_parse (from);
  p->to = cl_day_parse (to);
  p->today = cl_day_parse (today);
  return p;
}

ClReportResult *
cl_report_test_run (ClStore        *store,
                    const char     *name,
                    ClReportParams *params)
{
  g_autoptr(GError) error = NULL;
  ClReportResult *r = cl_report_run_vault (store, name, params, CL_REPORT_RUN_NONE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

ClReportResult *
cl_report_test_run_period (ClStore    *store,
                           const char *name,
                           const char *from,
                           const char *to,
                           const char *today)
{
  g_autoptr(ClReportParams) p = cl_report_test_params (from, to, today);

  return cl_report_test_run (store, name, p);
}

/* @column: %NULL for the first column */
void
cl_report_test_check_count (ClReportResult *r,
                            const char     *table,
                            const char     *row,
                            const char     *column,
                            gint64          expected,
                            const char     *where)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  if (cell == NULL)
    g_error ("%s: %s: no cell %s/%s/%s", where, r->name, table, row, column ? column : "-");
  if (cell->kind != CL_REPORT_CELL_COUNT || cell->suppressed || cell->count != expected)
    g_error ("%s: %s %s/%s/%s = %" G_GINT64_FORMAT " (kind %d%s), expected %" G_GINT64_FORMAT,
             where, r->name, table, row, column ? column : "-", cell->count, cell->kind,
             cell->suppressed ? ", suppressed" : "", expected);
}
