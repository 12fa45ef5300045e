/* test-drill-down.c: drill-down from a report's count to its cases, on the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cl_report_vault_drill_down() is the only way from a count to case ids: it refuses results
 * that carry no case references (funder reports, untraced runs), refuses vaults enrolled
 * with a counts-only role, and audits every look before handing out an id — with nothing
 * that identifies a client in the audit event. cl_report_vault_load_cases() reads the
 * summaries in chunks (SQLite's bound-parameter limit) and leaves deleted cases out.
 * (The engine's tracing itself is checked report by report in test-report-drill.c.)
 */

#define G_LOG_DOMAIN "test-drill-down"

#include <string.h>

#include <gio/gio.h>

#include "cl-case-summary.h"
#include "cl-report-fixture.h"
#include "cl-report-vault.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-store-private.h"
#include "cl-test-util.h"

static ClTestVault vault;
static ClReportFixture ids;

static ClReportParams *
params_new (void)
{
  ClReportParams *p = cl_report_params_new ();

  p->from = cl_day_parse ("2026-04-01");
  p->to = cl_day_parse (CL_REPORT_FIXTURE_TODAY);
  p->today = cl_day_parse (CL_REPORT_FIXTURE_TODAY);
  return p;
}

static ClReportResult *
run (const char       *name,
     ClReportRunFlags  flags)
{
  g_autoptr(ClReportParams) p = params_new ();
  g_autoptr(GError) error = NULL;
  ClReportResult *r = cl_report_run_vault (vault.store, name, p, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* The table index, row and column of a cell given by keys. */
static void
find_cell (ClReportResult *r,
           const char     *table,
           const char     *row,
           const char     *column,
           guint          *t,
           guint          *rw,
           guint          *c)
{
  ClReportTable *tab = cl_report_result_get_table (r, table);

  g_assert_nonnull (tab);
  *t = tab->index;
  *rw = G_MAXUINT;
  *c = G_MAXUINT;
  for (guint i = 0; i < tab->rows->len; i++)
    if (g_strcmp0 (((ClReportRow *) g_ptr_array_index (tab->rows, i))->key, row) == 0)
      *rw = i;
  for (guint i = 0; i < tab->columns->len; i++)
    if (g_strcmp0 (((ClReportColumn *) g_ptr_array_index (tab->columns, i))->key, column) == 0)
      *c = i;
  g_assert_cmpuint (*rw, !=, G_MAXUINT);
  g_assert_cmpuint (*c, !=, G_MAXUINT);
}

static gint64
query_int (const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (cl_vault_get_db (cl_store_get_vault (vault.store)), sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

static gint64
report_audits (void)
{
  return query_int ("SELECT count(*) FROM audit_event WHERE action = 'view' "
                    "AND record_type = 'report'");
}

static void
set_role (const char *role)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = cl_vault_get_db (cl_store_get_vault (vault.store));

  g_assert_true (cl_sql_exec_params (db, &error, "DELETE FROM meta WHERE key = 'sync_role'",
                                     CL_SQL_END));
  if (role != NULL)
    g_assert_true (cl_sql_exec_params (db, &error,
                                       "INSERT INTO meta (key, value) VALUES ('sync_role', ?)",
                                       role, CL_SQL_END));
  g_assert_no_error (error);
}

static gboolean
strv_has (char       **strv,
          const char  *s)
{
  return strv != NULL && g_strv_contains ((const char *const *) strv, s);
}

/* Tests ------------------------------------------------------------------------------ */

/* Ana's active cases on the day: CA1, CA7 and the restricted CA10; the look is audited
 * with the report and cell, never a client or a case. */
static void
test_audited (void)
{
  g_autoptr(ClReportResult) r = run ("caseload", CL_REPORT_RUN_TRACE_CASES);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) cases = NULL;
  g_autofree char *record = NULL;
  gint64 before = report_audits ();
  guint t, row, col;

  g_assert_true (cl_report_result_has_cases (r));
  find_cell (r, "by_advocate", "ana", "active", &t, &row, &col);
  cases = cl_report_vault_drill_down (vault.store, r, t, row, col, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (cases), ==, 3);
  g_assert_true (strv_has (cases, ids.cases[1]));
  g_assert_true (strv_has (cases, ids.cases[7]));
  g_assert_true (strv_has (cases, ids.cases[10]));

  g_assert_cmpint (report_audits (), ==, before + 1);
  record = cl_sql_query_text (cl_vault_get_db (cl_store_get_vault (vault.store)), &error,
                              "SELECT record_id || '|' || coalesce(reason, '') || '|' || user "
                              "FROM audit_event WHERE action = 'view' AND record_type = 'report' "
                              "ORDER BY rowid DESC LIMIT 1", CL_SQL_END);
  g_assert_no_error (error);
  g_assert_cmpstr (record, ==, "caseload/by_advocate/ana/active||advocate1");
  for (guint i = 1; i < G_N_ELEMENTS (ids.cases); i++)
    if (ids.cases[i] != NULL)
      g_assert_null (strstr (record, ids.cases[i]));

  /* The audit event syncs like any record: it is in the outbox. */
  g_assert_cmpint (query_int ("SELECT count(*) FROM outbox o JOIN audit_event a "
                              "ON a.id = o.record_id WHERE a.record_type = 'report'"), >=, 1);
}

/* What carries no case references leads nowhere, and nothing is audited. */
static void
test_refused_without_cases (void)
{
  g_autoptr(ClReportResult) pmt = run ("pmt", CL_REPORT_RUN_TRACE_CASES);
  g_autoptr(ClReportResult) plain = run ("caseload", CL_REPORT_RUN_NONE);
  g_autoptr(ClReportResult) traced = run ("caseload", CL_REPORT_RUN_TRACE_CASES);
  g_autoptr(ClReportResult) copy = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = report_audits ();
  char **cases;
  guint t, row, col;

  g_assert_false (cl_report_result_has_cases (pmt));
  cases = cl_report_vault_drill_down (vault.store, pmt, 0, 0, 0, &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  find_cell (plain, "by_advocate", "ana", "active", &t, &row, &col);
  cases = cl_report_vault_drill_down (vault.store, plain, t, row, col, &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* A copy (what exports and outside use start from) has no case references. */
  copy = cl_report_result_copy (traced);
  cases = cl_report_vault_drill_down (vault.store, copy, t, row, col, &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* No such cell. */
  cases = cl_report_vault_drill_down (vault.store, traced, t, 999, col, &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  cases = cl_report_vault_drill_down (vault.store, traced, 999, 0, 0, &error);
  g_assert_null (cases);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_cmpint (report_audits (), ==, before);
}

/* Counts-only roles (DESIGN.md §6: data, admin) are refused; the others may look. */
static void
test_roles (void)
{
  static const struct {
    const char *role;
    gboolean    allowed;
  } roles[] = {
    { NULL, TRUE }, { "advocate", TRUE }, { "supervisor", TRUE }, { "director", TRUE },
    { "data", FALSE }, { "admin", FALSE },
  };
  g_autoptr(ClReportResult) r = run ("caseload", CL_REPORT_RUN_TRACE_CASES);
  guint t, row, col;

  find_cell (r, "by_advocate", "total", "caseload", &t, &row, &col);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) cases = NULL;
      gint64 before = report_audits ();

      set_role (roles[i].role);
      cases = cl_report_vault_drill_down (vault.store, r, t, row, col, &error);
      if (roles[i].allowed)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_strv_length (cases), ==, 6);
          g_assert_cmpint (report_audits (), ==, before + 1);
        }
      else
        {
          g_assert_null (cases);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
          g_assert_cmpint (report_audits (), ==, before);
        }
    }
  set_role (NULL);
}

/* Summaries for the ids: deleted cases left out, most recent activity first, and more ids
 * than one statement may bind. */
static void
test_load_cases (void)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GListModel) cases = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = cl_test_new_case (vault.store, "Deleted Before Drill");
  guint n;

  g_assert_true (cl_store_begin (vault.store, &error));
  for (guint i = 0; i < 1100; i++)
    {
      g_autofree char *name = g_strdup_printf ("Bulk Client %u", i);

      g_ptr_array_add (all, cl_test_new_case (vault.store, name));
    }
  g_assert_true (cl_store_commit (vault.store, &error));
  g_assert_no_error (error);
  g_ptr_array_add (all, g_strdup (gone));
  g_ptr_array_add (all, g_strdup (ids.cases[1]));
  g_ptr_array_add (all, g_strdup ("00000000-0000-4000-8000-000000000000"));
  g_assert_true (cl_store_delete (vault.store, "case", gone, &error));
  g_assert_no_error (error);
  g_ptr_array_add (all, NULL);

  cases = cl_report_vault_load_cases (vault.store, (const char *const *) all->pdata, NULL,
                                      &error);
  g_assert_no_error (error);
  n = g_list_model_get_n_items (cases);
  g_assert_cmpuint (n, ==, 1101);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClCaseSummary) s = g_list_model_get_item (cases, i);

      g_assert_cmpstr (cl_case_summary_get_id (s), !=, gone);
      if (i > 0)
        {
          g_autoptr(ClCaseSummary) prev = g_list_model_get_item (cases, i - 1);

          g_assert_cmpint (g_strcmp0 (cl_case_summary_get_last_activity (prev),
                                      cl_case_summary_get_last_activity (s)), >=, 0);
        }
    }

  /* Nothing asked, nothing read. */
  {
    const char *none[] = { NULL };
    g_autoptr(GListModel) empty = cl_report_vault_load_cases (vault.store, none, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (empty), ==, 0);
  }
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GListModel **out = data;
  g_autoptr(GError) error = NULL;

  *out = cl_report_vault_load_cases_finish (CL_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_load_cases_async (void)
{
  const char *want[] = { ids.cases[5], ids.cases[6], NULL };
  g_autoptr(GListModel) cases = NULL;

  cl_report_vault_load_cases_async (vault.store, want, NULL, loaded_cb, &cases);
  while (cases == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (cases), ==, 2);
}

/* A locked vault hands out nothing. */
static void
test_locked (void)
{
  ClTestVault other;
  g_autoptr(ClReportResult) r = NULL;
  g_autoptr(ClReportParams) p = params_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *want[2] = { NULL, NULL };
  char **cases;
  GListModel *list;

  cl_test_vault_setup (&other, NULL);
  id = cl_test_create (other.store, "client", "legal_name", "Locked Away", NULL);
  g_free (cl_test_create (other.store, "case", "client_id", id, "command", "14", "track", "dv",
                          "status", "active", "assigned_to", "ana",
                          "referral_received_at", "2026-04-02T10:00:00Z", NULL));
  r = cl_report_run_vault (other.store, "caseload", p, CL_REPORT_RUN_TRACE_CASES, &error);
  g_assert_no_error (error);
  cl_vault_lock (other.vault);

  cases = cl_report_vault_drill_down (other.store, r, 0, 0, 0, &error);
  g_assert_null (cases);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  want[0] = id;
  list = cl_report_vault_load_cases (other.store, want, NULL, &error);
  g_assert_null (list);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  cl_test_vault_teardown (&other, NULL);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  cl_test_init (&argc, &argv);
  cl_test_vault_setup (&vault, NULL);
  cl_report_fixture_build (vault.store, &ids);

  g_test_add_func ("/core/drill-down/audited", test_audited);
  g_test_add_func ("/core/drill-down/refused-without-cases", test_refused_without_cases);
  g_test_add_func ("/core/drill-down/roles", test_roles);
  g_test_add_func ("/core/drill-down/load-cases", test_load_cases);
  g_test_add_func ("/core/drill-down/load-cases-async", test_load_cases_async);
  g_test_add_func ("/core/drill-down/locked", test_locked);

  rc = g_test_run ();

  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
