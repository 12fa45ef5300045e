/* test-gui-drill.c: drilling down from a report's count to the cases behind it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault holding the report fixture
 * (tests/core/cl-report-fixture.c). The caseload report's counts are buttons; a click (or
 * Enter on the focused count) lists the cases behind the count (audited before anything
 * is shown), a case opens from the list (audited again; a restricted one asks for a reason
 * first), a case row of the stale-cases table opens its case directly, a funder report
 * offers no drill-down, a vault enrolled with a counts-only role is refused, and locking
 * takes the list away. Reports run untraced (the first look reruns one traced, in a
 * worker), and a table of 20,000 rows builds widgets only for the rows in view. Printing
 * (through GtkPrintOperation, to a PDF file) gives the pages of the PDF export, a funder
 * report's suppressed when asked; a supervisor's vault offers the whole agency's report,
 * and says what the vault's covers when the server is out of reach.
 * Screenshots go to $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-drill"

#include "config.h"


#include <string.h>

#include <string.h>

#include <glib/gi18n.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-page.h"
#include "cl-case-summary.h"
#include "cl-drill-down-window.h"
#include "cl-l10n.h"
#include "cl-report-fixture.h"
#include "cl-report-private.h"
#include "cl-reports-page.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-store-private.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static ClReportFixture fixture;
static ClApplication *app;

static ClWindow *
window (void)
{
  return cl_gui_test_main_window (app);
}

static ClContext *
context (void)
{
  return cl_application_get_context (app);
}

static ClStore *
store (void)
{
  return cl_gui_test_store (app);
}

static ClReportsPage *
page (void)
{
  return _cl_window_get_reports_page (window ());
}

/* Audit events of @action on @record_type (and @record_id, with @reason, unless NULL). */
static gint64
audits_with_reason (const char *action,
                    const char *record_type,
                    const char *record_id,
                    const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *n = NULL;

  n = cl_sql_query_text (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                         "SELECT count(*) FROM audit_event WHERE deleted = 0 AND action = ? "
                         "AND record_type = ? AND (? IS NULL OR record_id = ?) "
                         "AND (? IS NULL OR reason = ?)",
                         action, record_type, record_id, record_id, reason, reason,
                         CL_SQL_END);
  g_assert_no_error (error);
  return g_ascii_strtoll (n, NULL, 10);
}

static gint64
audits (const char *action,
        const char *record_type,
        const char *record_id)
{
  return audits_with_reason (action, record_type, record_id, NULL);
}

static void
set_role (const char *role)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "DELETE FROM meta WHERE key = 'sync_role'", CL_SQL_END));
  if (role != NULL)
    g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                       "INSERT INTO meta (key, value) VALUES ('sync_role', ?)",
                                       role, CL_SQL_END));
  g_assert_no_error (error);
}

/* Runs @name for 2026-04-01 … 2026-05-15 (the fixture's today). */
static void
run_report (const char *name)
{
  _cl_reports_page_set_report (page (), name);
  _cl_reports_page_set_custom_period (page (), "2026-04-01", CL_REPORT_FIXTURE_TODAY);
  gtk_widget_activate_action (GTK_WIDGET (page ()), "reports.run", NULL);
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  g_assert_nonnull (cl_reports_page_get_result (page ()));
  g_assert_cmpstr (cl_reports_page_get_result (page ())->name, ==, name);
  /* The rows come in over a few frames, slowly on a loaded machine. */
  WAIT_UNTIL (!_cl_reports_page_get_filling (page ()), 60000);
}

/* Clicks @button, or with @keyboard activates it as Enter does (GtkButton clicks a
 * moment later), and waits for the list of cases. */
static ClDrillDownWindow *
press (GtkWidget *button,
       gboolean   keyboard)
{
  ClDrillDownWindow *drill;

  g_assert_nonnull (button);
  /* A count pressed while the page still works on its result leads nowhere: wait. */
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  if (keyboard)
    {
      g_assert_true (gtk_widget_grab_focus (button));
      g_assert_true (gtk_widget_activate (button));
      cl_gui_test_spin (600);
    }
  else
    g_signal_emit_by_name (button, "clicked");
  /* The first look at a result reruns the report traced, in a worker. */
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  drill = (ClDrillDownWindow *) _cl_reports_page_get_drill_window (page ());
  if (drill != NULL)
    WAIT_UNTIL (_cl_drill_down_window_get_loaded (drill), 10000);
  return drill;
}

static ClDrillDownWindow *
click (GtkWidget *button)
{
  return press (button, FALSE);
}

static gboolean
has_case (GListModel *cases,
          const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(ClCaseSummary) s = g_list_model_get_item (cases, i);

      if (g_strcmp0 (cl_case_summary_get_id (s), id) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
position_of (GListModel *cases,
             const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(ClCaseSummary) s = g_list_model_get_item (cases, i);

      if (g_strcmp0 (cl_case_summary_get_id (s), id) == 0)
        return i;
    }
  g_assert_not_reached ();
}

/* Whether every table of the page shows all its rows without scrolling. */
static gboolean
tables_show_whole (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) &&
      GTK_IS_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (widget))))
    {
      GtkAdjustment *a = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));

      return gtk_adjustment_get_upper (a) - gtk_adjustment_get_page_size (a) < 1;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (!tables_show_whole (child))
      return FALSE;
  return TRUE;
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_unlock (void)
{
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_unlock_page_unlock (_cl_window_get_unlock_page (window ()), PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
  gtk_window_set_default_size (GTK_WINDOW (window ()), 1200, 760);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "reports");
}

/* Ana's active cases on the fixture's today: CA1, CA7 and the restricted CA10. */
static void
test_count_lists_cases (void)
{
  ClDrillDownWindow *drill;
  GListModel *cases;
  gint64 looks;

  run_report ("caseload");
  g_assert_cmpstr (_cl_reports_page_get_cell_text (page (), "by_advocate", "ana", "active"), ==,
                   "3");
  /* The fixture's tables are short: each shows whole in its card. */
  WAIT_UNTIL (tables_show_whole (GTK_WIDGET (page ())), 5000);
  /* Shown untraced: the cases are found when someone looks. */
  g_assert_false (cl_report_result_has_cases (cl_reports_page_get_result (page ())));
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "drill-report");

  looks = audits ("view", "report", "caseload/by_advocate/ana/active");
  drill = click (_cl_reports_page_get_cell_button (page (), "by_advocate", "ana", "active"));
  g_assert_nonnull (drill);
  /* The look is audited, naming the report and the cell: no client data. */
  g_assert_cmpint (audits ("view", "report", "caseload/by_advocate/ana/active"), ==, looks + 1);

  cases = _cl_drill_down_window_get_cases (drill);
  g_assert_cmpuint (g_list_model_get_n_items (cases), ==, 3);
  g_assert_true (has_case (cases, fixture.cases[1]));
  g_assert_true (has_case (cases, fixture.cases[7]));
  g_assert_true (has_case (cases, fixture.cases[10]));
  g_assert_false (has_case (cases, fixture.cases[5]));

  cl_gui_test_screenshot_window (GTK_WINDOW (drill), "drill-cases");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  cl_gui_test_screenshot_window (GTK_WINDOW (drill), "drill-cases-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  cl_gui_test_screenshot_window (GTK_WINDOW (drill), "drill-cases-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  gtk_window_set_default_size (GTK_WINDOW (drill), 320, 480);
  cl_gui_test_spin (200);
  cl_gui_test_screenshot_window (GTK_WINDOW (drill), "drill-cases-narrow");

  /* Opening a plain case from the list: the list goes, the case page shows it, audited. */
  looks = audits ("view", "case", fixture.cases[1]);
  cl_drill_down_window_open_case (drill, position_of (cases, fixture.cases[1]));
  WAIT_UNTIL (_cl_reports_page_get_drill_window (page ()) == NULL, 2000);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "case");
  g_assert_cmpstr (cl_case_page_get_case_id (_cl_window_get_case_page (window ())), ==,
                   fixture.cases[1]);
  g_assert_cmpint (audits ("view", "case", fixture.cases[1]), ==, looks + 1);
}

/* A restricted case from the list asks for a reason before it opens. */
static void
test_restricted_asks_reason (void)
{
  ClDrillDownWindow *drill;
  GtkWindow *dialog;
  gint64 looks = audits ("view", "case", fixture.cases[10]);

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  /* From the keyboard this time. */
  drill = press (_cl_reports_page_get_cell_button (page (), "by_advocate", "ana", "active"),
                 TRUE);
  g_assert_nonnull (drill);
  cl_drill_down_window_open_case (drill, position_of (_cl_drill_down_window_get_cases (drill),
                                                      fixture.cases[10]));
  WAIT_UNTIL ((dialog = _cl_window_get_dialog (window ())) != NULL, 2000);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "reports");
  g_assert_cmpint (audits ("view", "case", fixture.cases[10]), ==, looks);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  g_assert_cmpint (audits ("view", "case", fixture.cases[10]), ==, looks);
}

/* A total drills down to the union of its rows; a case row opens its case directly. */
static void
test_total_and_case_row (void)
{
  ClDrillDownWindow *drill;
  const ClReportResult *result = cl_reports_page_get_result (page ());
  ClReportTable *stale;
  GtkWidget *row_button;

  drill = click (_cl_reports_page_get_cell_button (page (), "by_advocate", "total", "caseload"));
  g_assert_nonnull (drill);
  /* CA1, CA2, CA5, CA6, CA7, CA10: every case in outreach or active on the day. */
  g_assert_cmpuint (g_list_model_get_n_items (_cl_drill_down_window_get_cases (drill)), ==, 6);
  gtk_window_destroy (GTK_WINDOW (drill));

  stale = cl_report_result_get_table ((ClReportResult *) result, "stale_cases");
  g_assert_nonnull (stale);
  g_assert_cmpuint (stale->rows->len, >, 0);
  row_button = _cl_reports_page_get_cell_button (page (),
                                                 "stale_cases",
                                                 ((ClReportRow *) g_ptr_array_index (stale->rows, 0))->key,
                                                 "");
  g_assert_nonnull (row_button);
  g_signal_emit_by_name (row_button, "clicked");
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  g_assert_null (_cl_reports_page_get_drill_window (page ()));
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (window ()), "case") == 0 ||
              _cl_window_get_dialog (window ()) != NULL, 2000);
  if (_cl_window_get_dialog (window ()) != NULL)
    gtk_window_destroy (_cl_window_get_dialog (window ()));
}

/* Funder reports are counts only: nothing to click. */
static void
test_funder_report_has_no_drill_down (void)
{
  const ClReportResult *result;

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  run_report ("pmt");
  result = cl_reports_page_get_result (page ());
  g_assert_false (cl_report_result_has_cases (result));
  for (guint t = 0; t < result->tables->len; t++)
    {
      const ClReportTable *table = g_ptr_array_index (result->tables, t);

      for (guint r = 0; r < table->rows->len; r++)
        for (guint c = 0; c < table->columns->len; c++)
          g_assert_null (_cl_reports_page_get_cell_button (
                           page (), table->key,
                           ((ClReportRow *) g_ptr_array_index (table->rows, r))->key,
                           ((ClReportColumn *) g_ptr_array_index (table->columns, c))->key));
    }
}

/* @text holds every fixed part of the (translated) format @format around its %s. */
static void
assert_has_format (const char *text,
                   const char *format)
{
  g_auto(GStrv) parts = g_strsplit (format, "%s", -1);

  g_assert_nonnull (text);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  for (guint i = 0; parts[i] != NULL; i++)
    g_assert_nonnull (strstr (text, g_strstrip (parts[i])));
}

/* Enrolls the vault, as far as it knows, with a server nothing listens for. */
static void
enroll_nowhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = cl_gui_test_make_ca (tmp_dir);

  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "INSERT INTO meta (key, value) VALUES "
                                     "('sync_url', 'https://127.0.0.1:1'), "
                                     "('sync_ca', ?), ('sync_token', 'clt_test')",
                                     ca, CL_SQL_END));
  g_assert_no_error (error);
}

static void
unenroll (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "DELETE FROM meta WHERE key IN ('sync_url', 'sync_ca', "
                                     "'sync_token')", CL_SQL_END));
  g_assert_no_error (error);
}

/* The "Whole agency" switch shows on a vault enrolled for a supervisor, not for an
 * advocate; with the server out of reach the vault's report comes under a note saying
 * what it covers. */
static void
test_whole_agency_offline (void)
{
  const ClReportResult *result;
  GtkSwitch *agency;

  g_assert_null (_cl_reports_page_get_agency_switch (page ()));
  enroll_nowhere ();

  set_role ("advocate");
  cl_reports_page_set_store (page (), store (), NULL, NULL);
  g_assert_null (_cl_reports_page_get_agency_switch (page ()));

  set_role ("supervisor");
  cl_reports_page_set_store (page (), store (), NULL, NULL);
  agency = _cl_reports_page_get_agency_switch (page ());
  g_assert_nonnull (agency);
  g_assert_null (_cl_reports_page_get_agency_note (page ()));
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "reports-whole-agency");

  gtk_switch_set_active (agency, TRUE);
  run_report ("caseload");
  result = cl_reports_page_get_result (page ());
  g_assert_cmpint (result->source, ==, CL_REPORT_SOURCE_VAULT);
  g_assert_nonnull (_cl_reports_page_get_agency_note (page ()));
  assert_has_format (_cl_reports_page_get_agency_note (page ()),
                     _("Could not reach the server: %s"));
  assert_has_format (_cl_reports_page_get_agency_note (page ()),
                     _("These figures cover only this workstation’s vault, not the whole "
                       "agency.\n%s"));
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "reports-whole-agency-offline");

  /* Off: the vault, and no note. */
  gtk_switch_set_active (agency, FALSE);
  run_report ("caseload");
  g_assert_null (_cl_reports_page_get_agency_note (page ()));

  unenroll ();
  set_role (NULL);
}

/* Printing ------------------------------------------------------------------------- */

/* Prints the report shown to the PDF file @path through its warning, with small cells
 * suppressed or not (@outside) when the report is a funder's, and waits for the print. */
static void
print_to (const char *path,
          gboolean    outside)
{
  AdwMessageDialog *warning;
  GtkSwitch *sw;

  _cl_reports_page_set_print_path (page (), path);
  gtk_widget_activate_action (GTK_WIDGET (page ()), "reports.print", NULL);
  WAIT_UNTIL ((warning = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  /* The warning of an export, with its switch for a funder report. */
  sw = g_object_get_data (G_OBJECT (warning), "cl-outside");
  g_assert_true ((sw != NULL) == cl_reports_page_get_result (page ())->funder);
  if (sw != NULL)
    {
      g_assert_true (gtk_switch_get_active (sw));
      gtk_switch_set_active (sw, outside);
    }
  adw_message_dialog_response (warning, "print");
  gtk_window_destroy (GTK_WINDOW (warning));
  /* An export to a file prints at once; a printer's job would go on in the main loop. */
  WAIT_UNTIL (!_cl_reports_page_get_printing (page ()), 20000);
  _cl_reports_page_set_print_path (page (), NULL);
}

static char *
export_pdf (const char *name,
            gboolean    outside)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (_cl_reports_page_export_to_path (page (), CL_REPORT_FORMAT_PDF, outside, path,
                                                  &error));
  g_assert_no_error (error);
  return path;
}

/* Both PDFs have the same pages, with the same text on each; returns the number of pages. */
static guint
assert_same_pages (const char *printed,
                   const char *exported)
{
  guint n = cl_test_pdf_pages (exported);

  g_assert_cmpuint (cl_test_pdf_pages (printed), ==, n);
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *a = cl_test_pdf_text (printed, i);
      g_autofree char *b = cl_test_pdf_text (exported, i);

      g_assert_cmpstr (a, ==, b);
    }
  return n;
}

/* A printed internal report is the exported PDF, page by page: headers, notes and the
 * "generated" line included. */
static void
test_print_is_export (void)
{
  g_autofree char *exported = NULL, *printed = NULL, *text = NULL;
  g_autofree char *generated = NULL, *when = NULL;
  const ClReportResult *result;
  const ClReportTable *first;
  const char *reason = "print 2026-04-01..2026-05-15 internal vault";
  gint64 before;

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  run_report ("services");
  result = cl_reports_page_get_result (page ());
  exported = export_pdf ("services-export.pdf", FALSE);
  printed = g_build_filename (tmp_dir, "services-print.pdf", NULL);
  before = audits_with_reason ("print", "report", NULL, reason);
  print_to (printed, FALSE);
  g_assert_cmpint (audits_with_reason ("print", "report", NULL, reason), ==, before + 1);

  g_assert_cmpuint (assert_same_pages (printed, exported), >=, 2);
  text = cl_test_pdf_text (printed, 0);
  first = g_ptr_array_index (result->tables, 0);
  g_assert_cmpuint (result->notes->len, >, 0);
  /* The "generated" line's minutes (its hour is the organization's, and a locale's format
   * shows no seconds), and the codes of the first table's rows. */
  when = g_strndup (strchr (result->generated_at, 'T') + 3, 3);
  g_assert_nonnull (strstr (text, when));
  g_assert_nonnull (strstr (text, "A1"));
  g_assert_nonnull (strstr (text, "E11"));
  if (cl_gui_test_in_test_locale ())
    {
      /* pdftotext reads shaped Arabic back in pieces: the title, right to left, stands at
       * the right of the page. */
      g_assert_true (g_str_has_prefix (text, "          "));
    }
  else
    {
      g_autofree char *local = cl_l10n_format_instant (result->generated_at,
                                                       result->params->time_zone);

      generated = g_strdup_printf ("Generated: %s", local);
      g_assert_true (g_str_has_prefix (text, result->title));
      g_assert_nonnull (strstr (text, generated));
      g_assert_nonnull (strstr (text, first->title));
      g_assert_nonnull (strstr (text, ((ClReportColumn *) g_ptr_array_index (first->columns, 0))->label));
      g_assert_nonnull (strstr (text, "Notes\n• Services dated in the period."));
    }
}

/* A funder report printed for outside use is suppressed exactly like its export; printed
 * for internal use, it is the internal export. */
static void
test_print_funder_suppressed (void)
{
  g_autofree char *outside = NULL, *internal = NULL, *printed = NULL, *printed_internal = NULL;
  g_autofree char *text = NULL, *internal_text = NULL;
  g_autoptr(ClReportResult) suppressed = NULL;
  const char *reason = "print 2026-04-01..2026-05-15 outside (suppressed) vault";
  gboolean hidden = FALSE;
  gint64 before;

  run_report ("pmt");
  suppressed = cl_report_result_copy (cl_reports_page_get_result (page ()));
  cl_report_result_suppress (suppressed, suppressed->params->threshold);
  for (guint t = 0; t < suppressed->tables->len; t++)
    {
      const ClReportTable *table = g_ptr_array_index (suppressed->tables, t);

      for (guint r = 0; r < table->rows->len; r++)
        {
          const ClReportRow *row = g_ptr_array_index (table->rows, r);

          for (guint c = 0; c < row->cells->len; c++)
            hidden |= g_array_index (row->cells, ClReportCell, c).suppressed;
        }
    }
  /* The fixture has small cells to hide. */
  g_assert_true (hidden);

  outside = export_pdf ("pmt-outside.pdf", TRUE);
  internal = export_pdf ("pmt-internal.pdf", FALSE);
  printed = g_build_filename (tmp_dir, "pmt-print.pdf", NULL);
  printed_internal = g_build_filename (tmp_dir, "pmt-print-internal.pdf", NULL);

  before = audits_with_reason ("print", "report", NULL, reason);
  print_to (printed, TRUE);
  g_assert_cmpint (audits_with_reason ("print", "report", NULL, reason), ==, before + 1);
  assert_same_pages (printed, outside);
  text = cl_test_pdf_text (printed, 0);
  internal_text = cl_test_pdf_text (internal, 0);
  g_assert_cmpstr (text, !=, internal_text);
  /* Hidden cells print as "*". */
  g_assert_true (g_regex_match_simple ("(^|[\\s\\x{202A}-\\x{202E}])\\*([\\s\\x{202A}-\\x{202E}]|$)",
                                       text, G_REGEX_MULTILINE, 0));

  print_to (printed_internal, FALSE);
  assert_same_pages (printed_internal, internal);
  /* The result on screen stays internal. */
  g_assert_false (cl_reports_page_get_result (page ())->suppressed);
}

static guint
count_rows (GtkWidget *widget)
{
  guint n = g_str_equal (gtk_widget_get_css_name (widget), "row") ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child);
  return n;
}

static void
message_cb (ClReportsPage  *reports,
            const char     *text,
            char          **last)
{
  g_free (*last);
  *last = g_strdup (text);
}

/* A funder report the server gave for internal use, printed or exported for outside use:
 * the view asks the server again for its suppressed copy; with the server out of reach,
 * it says so and nothing is printed, written or audited. */
static void
test_whole_agency_outside_offline (void)
{
  g_autofree char *printed = g_build_filename (tmp_dir, "pmt-server-print.pdf", NULL);
  g_autofree char *last = NULL;
  ClReportResult *result;
  AdwMessageDialog *warning;
  gint64 prints, exports;
  gulong handler;

  enroll_nowhere ();
  run_report ("pmt");
  result = cl_report_result_copy (cl_reports_page_get_result (page ()));
  result->source = CL_REPORT_SOURCE_SERVER;
  _cl_reports_page_show_result (page (), result);
  handler = g_signal_connect (page (), "message", G_CALLBACK (message_cb), &last);
  prints = audits_with_reason ("print", "report", NULL, NULL);
  exports = audits_with_reason ("export", "report", NULL, NULL);

  print_to (printed, TRUE);
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  g_assert_nonnull (last);
  assert_has_format (last, _("Could not print the report: %s"));
  assert_has_format (last, _("Could not reach the server: %s"));
  g_assert_false (g_file_test (printed, G_FILE_TEST_EXISTS));
  g_clear_pointer (&last, g_free);

  gtk_widget_activate_action (GTK_WIDGET (page ()), "reports.export", "s", "csv");
  WAIT_UNTIL ((warning = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  g_assert_true (gtk_switch_get_active (g_object_get_data (G_OBJECT (warning), "cl-outside")));
  adw_message_dialog_response (warning, "export");
  gtk_window_destroy (GTK_WINDOW (warning));
  /* The server is asked in a worker: the view busy meanwhile. */
  g_assert_true (cl_reports_page_get_busy (page ()));
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  g_assert_nonnull (last);
  assert_has_format (last, _("Could not export the report: %s"));
  assert_has_format (last, _("Could not reach the server: %s"));
  /* No file chooser asked where to write. */
  g_assert_null (cl_gui_test_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG));

  g_assert_cmpint (audits_with_reason ("print", "report", NULL, NULL), ==, prints);
  g_assert_cmpint (audits_with_reason ("export", "report", NULL, NULL), ==, exports);
  g_signal_handler_disconnect (page (), handler);
  unenroll ();
}

/* How many of the 20,000 rows have widgets. */
static guint
count_bound (void)
{
  guint n = 0;

  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *key = g_strdup_printf ("a%u", i);

      if (_cl_reports_page_get_cell_text (page (), "by_advocate", key, "active") != NULL)
        n++;
    }
  return n;
}

static GtkScrolledWindow *
find_scroller (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) &&
      GTK_IS_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (widget))))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_scroller (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A table of 20,000 rows (a caseload's list of quiet cases) builds widgets for the rows in
 * view, not for every row; scrolling to the end builds the last ones, which drill down
 * from the keyboard as from the mouse. */
static void
test_large_table_builds_rows_in_view (void)
{
  g_autoptr(ClReportParams) params = cl_report_params_new ();
  ClReportResult *result;
  ClReportTable *table;
  GtkAdjustment *adjustment;
  GtkWidget *button, *view;
  guint rows;

  /* The period of run_report(), so that a traced run of the vault can follow. */
  params->from = cl_day_parse ("2026-04-01");
  params->to = cl_day_parse (CL_REPORT_FIXTURE_TODAY);
  result = _cl_report_result_new (cl_report_lookup ("caseload"), params);
  table = _cl_report_table_new (result, "by_advocate", "Caseload", "Advocate");
  _cl_report_add_column (table, "active", "Active");
  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *key = g_strdup_printf ("a%u", i);
      guint row = _cl_report_add_row (table, key, key);

      _cl_report_set_count (table, row, 0, i + 1);
    }
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  _cl_reports_page_show_result (page (), result);
  WAIT_UNTIL (!_cl_reports_page_get_filling (page ()), 10000);
  cl_gui_test_spin (200);

  /* GTK 4.8's list view keeps up to 200 rows around what it shows (GTK_LIST_VIEW_MAX_LIST_ITEMS),
   * and a few more around its trackers, however long the list. */
  view = gtk_scrolled_window_get_child (find_scroller (GTK_WIDGET (page ())));
  rows = count_rows (view);
  g_test_message ("%u row widgets, %u rows bound, of 20,000 rows", rows, count_bound ());
  g_assert_cmpuint (rows, >, 0);
  g_assert_cmpuint (rows, <, 250);
  g_assert_cmpuint (count_bound (), <, 250);
  g_assert_cmpstr (_cl_reports_page_get_cell_text (page (), "by_advocate", "a0", "active"), ==,
                   "1");
  g_assert_nonnull (_cl_reports_page_get_cell_button (page (), "by_advocate", "a0", "active"));
  g_assert_null (_cl_reports_page_get_cell_text (page (), "by_advocate", "a19999", "active"));

  adjustment = gtk_scrolled_window_get_vadjustment (find_scroller (GTK_WIDGET (page ())));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  WAIT_UNTIL (_cl_reports_page_get_cell_text (page (), "by_advocate", "a19999", "active") != NULL,
              5000);
  g_assert_cmpuint (count_rows (view), <, 250);
  g_assert_cmpuint (count_bound (), <, 250);
  /* The rows at the top went (but for the one GTK keeps for keyboard focus). */
  g_assert_null (_cl_reports_page_get_cell_text (page (), "by_advocate", "a100", "active"));

  /* The keyboard reaches the count. */
  button = _cl_reports_page_get_cell_button (page (), "by_advocate", "a19999", "active");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_focusable (button));
  g_assert_true (gtk_widget_grab_focus (button));
  g_assert_true (gtk_widget_has_focus (button));
  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  /* A hand-made result is no run of the vault, as if the vault had changed since the run:
   * the traced run finds no such row, lists nothing, and the view shows what the vault
   * gives instead, with Ana's 3. */
  g_assert_null (_cl_reports_page_get_drill_window (page ()));
  WAIT_UNTIL (!_cl_reports_page_get_filling (page ()), 5000);
  g_assert_cmpstr (_cl_reports_page_get_cell_text (page (), "by_advocate", "ana", "active"), ==,
                   "3");
  g_assert_null (_cl_reports_page_get_cell_text (page (), "by_advocate", "a19999", "active"));
  g_assert_true (cl_reports_page_get_result (page ()) != result);
  g_assert_cmpuint (cl_report_result_get_table ((ClReportResult *) cl_reports_page_get_result (
                      page ()), "by_advocate")->rows->len, <, 100);
}

/* A vault enrolled with a counts-only role shows the counts and refuses the cases. */
static void
test_counts_only_role_refused (void)
{
  gint64 looks;

  run_report ("caseload");
  set_role ("data");
  looks = audits ("view", "report", NULL);
  g_assert_null (click (_cl_reports_page_get_cell_button (page (), "by_advocate", "ana",
                                                          "active")));
  g_assert_cmpint (audits ("view", "report", NULL), ==, looks);
  set_role ("advocate");
  g_assert_nonnull (click (_cl_reports_page_get_cell_button (page (), "by_advocate", "ana",
                                                             "active")));
  g_assert_cmpint (audits ("view", "report", NULL), ==, looks + 1);
  set_role (NULL);
}

/* Locking takes the list (client names) away with the result. */
static void
test_lock_closes (void)
{
  g_assert_nonnull (_cl_reports_page_get_drill_window (page ()));
  cl_context_lock (context ());
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  g_assert_null (_cl_reports_page_get_drill_window (page ()));
  g_assert_null (cl_reports_page_get_result (page ()));
  g_assert_null (_cl_reports_page_get_cell_button (page (), "by_advocate", "ana", "active"));
}

/* Harness ---------------------------------------------------------------------------- */

static void
create_test_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) s = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  cl_report_fixture_build (s, &fixture);
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-drill");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-drill/unlock", test_unlock);
  g_test_add_func ("/gui-drill/count-lists-cases", test_count_lists_cases);
  g_test_add_func ("/gui-drill/restricted-asks-reason", test_restricted_asks_reason);
  g_test_add_func ("/gui-drill/total-and-case-row", test_total_and_case_row);
  g_test_add_func ("/gui-drill/funder-report", test_funder_report_has_no_drill_down);
  g_test_add_func ("/gui-drill/large-table", test_large_table_builds_rows_in_view);
  g_test_add_func ("/gui-drill/print-is-export", test_print_is_export);
  g_test_add_func ("/gui-drill/print-funder-suppressed", test_print_funder_suppressed);
  g_test_add_func ("/gui-drill/whole-agency-offline", test_whole_agency_offline);
  g_test_add_func ("/gui-drill/whole-agency-outside-offline",
                   test_whole_agency_outside_offline);
  g_test_add_func ("/gui-drill/counts-only-role", test_counts_only_role_refused);
  g_test_add_func ("/gui-drill/lock-closes", test_lock_closes);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  cl_report_fixture_clear (&fixture);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
