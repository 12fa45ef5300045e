/* test-gui-reports.c: the Reports view's layout, filters and keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault holding the report fixture
 * (tests/core/cl-report-fixture.c), at 1280×800, 900 and 800 px wide, in English and
 * (other runs of the same program) in Arabic, Russian and Bengali. Measures widgets, not
 * pixels: Run and the report selector stay inside the window whatever the report chosen,
 * no filter is squeezed below its natural width, a range in a column header stays on one
 * line; a changed report or parameter takes the old result away (Export cannot write
 * it); the borough and advocate filters reach the run's parameters; every filter has a
 * label a screen reader announces; Back from a case opened from a report returns to the
 * report; "Back to the Case List" on an empty view leaves the focus where Tab works; the
 * drill-down targets are at least 24×24; a chart's series differ without colour.
 * Screenshots go to $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-reports"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-application.h"
#include "cl-case-page.h"
#include "cl-case-summary.h"
#include "cl-drill-down-window.h"
#include "cl-chart.h"
#include "cl-gui-test.h"
#include "cl-gui-util.h"
#include "cl-report-fixture.h"
#include "cl-report-private.h"
#include "cl-reports-page.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

/* In the popover of the Filters button. */
static const char * const filters[] = {
  "command", "borough", "advocate", "track", "funding",
};

static char *tmp_dir;
static char *vault_dir;
static ClReportFixture fixture;
static ClApplication *app;

static ClWindow *
window (void)
{
  return cl_gui_test_main_window (app);
}

static ClReportsPage *
page (void)
{
  return _cl_window_get_reports_page (window ());
}

static void
screenshot (const char *name)
{
  g_autofree char *file = g_strdup_printf ("reports-%s", name);

  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), file);
}

/* Resizes the window to @width (800 px high). */
static void
set_width (int width)
{
  gtk_window_set_default_size (GTK_WINDOW (window ()), width, 800);
  /* The window's own border and shadow take a few pixels; the checks measure the width
   * the window has. */
  cl_gui_test_spin (1000);
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

/* Whether @widget is shown whole inside the window: not cut by its edge nor squeezed
 * below its minimum width (@natural: its natural width). */
static void
assert_inside_window (GtkWidget  *widget,
                      gboolean    natural,
                      const char *what)
{
  GtkWidget *win = GTK_WIDGET (window ());
  graphene_rect_t bounds;
  int min = 0, nat = 0;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, win, &bounds));
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (bounds.origin.x < 0 || bounds.origin.x + bounds.size.width > gtk_widget_get_width (win) + 0.5 ||
      bounds.size.width + 0.5 < (natural ? nat : min))
    g_error ("%s at %d px: x %.0f, width %.0f (minimum %d, natural %d), window %d",
             what, gtk_widget_get_width (win), bounds.origin.x, bounds.size.width, min, nat,
             gtk_widget_get_width (win));
}

/* Opens (@open) or closes the popover of the Filters button. */
static GtkMenuButton *
filters_popup (gboolean open)
{
  GtkWidget *dropdown = GTK_WIDGET (_cl_reports_page_get_filter (page (), "command"));
  GtkMenuButton *button = GTK_MENU_BUTTON (gtk_widget_get_ancestor (dropdown,
                                                                    GTK_TYPE_MENU_BUTTON));

  g_assert_nonnull (button);
  if (open)
    {
      gtk_menu_button_popup (button);
      WAIT_UNTIL (gtk_widget_get_mapped (dropdown) && gtk_widget_get_width (dropdown) > 0, 5000);
      cl_gui_test_spin (200);
    }
  else
    {
      gtk_menu_button_popdown (button);
      WAIT_UNTIL (!gtk_widget_get_mapped (dropdown), 5000);
    }
  return button;
}

static void
assert_controls_fit (const char *when)
{
  g_autofree char *run = g_strdup_printf ("Run (%s)", when);
  g_autofree char *report = g_strdup_printf ("the report selector (%s)", when);
  g_autofree char *period = g_strdup_printf ("the period (%s)", when);
  g_autofree char *button = g_strdup_printf ("the Filters button (%s)", when);
  GtkMenuButton *filters_button;
  GtkWidget *selector = GTK_WIDGET (_cl_reports_page_get_filter (page (), "report"));
  int min = 0, nat = 0;

  assert_inside_window (_cl_reports_page_get_run_button (page ()), TRUE, run);
  /* The title may be shortened, not to nothing: most of a long one shows. */
  gtk_widget_measure (selector, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (gtk_widget_get_width (selector) < MIN (nat, 120))
    g_error ("the report selector (%s) is %d px wide, its natural width %d", when,
             gtk_widget_get_width (selector), nat);
  filters_button = filters_popup (TRUE);
  assert_inside_window (selector, FALSE, report);
  assert_inside_window (GTK_WIDGET (_cl_reports_page_get_filter (page (), "period")), TRUE,
                        period);
  assert_inside_window (GTK_WIDGET (filters_button), TRUE, button);
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      GtkWidget *dropdown = GTK_WIDGET (_cl_reports_page_get_filter (page (), filters[i]));

      g_assert_true (gtk_widget_get_mapped (dropdown));
      gtk_widget_measure (dropdown, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      if (gtk_widget_get_width (dropdown) < nat)
        g_error ("the %s filter (%s) is %d px wide, its natural width %d", filters[i], when,
                 gtk_widget_get_width (dropdown), nat);
    }
  filters_popup (FALSE);
}

static GtkWidget *
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL &&
      gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_containing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_unlock (void)
{
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_unlock_page_unlock (_cl_window_get_unlock_page (window ()), PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (cl_application_get_context (app)), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
  set_width (1280);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "reports");
  /* The keyboard starts at the report to choose, not on an action such as Export. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window ()));

    g_assert_true (focus != NULL
                   && (GTK_IS_DROP_DOWN (focus)
                       || GTK_IS_DROP_DOWN (gtk_widget_get_ancestor (focus, GTK_TYPE_DROP_DOWN))));
    g_assert_nonnull (gtk_widget_get_ancestor (focus, CL_TYPE_REPORTS_PAGE));
    g_assert_null (gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER));
  }
}

/* Choosing the PMT report (the longest title) keeps Run and every filter in the window at
 * the default size, at 900 and at 800 px: the filters wrap. */
static void
test_run_stays_in_window (void)
{
  static const int widths[] = { 1280, 900, 800 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *when = g_strdup_printf ("PMT chosen, %d px", widths[i]);

      set_width (widths[i]);
      _cl_reports_page_set_report (page (), "pmt");
      cl_gui_test_spin (200);
      assert_controls_fit (when);
    }

  run_report ("pmt");
  /* With a custom period's days shown, the view still fits a phone's width. */
  {
    int min = 0;

    gtk_widget_measure (GTK_WIDGET (page ()), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL,
                        NULL, NULL);
    g_assert_cmpint (min, <=, 360);
  }
  set_width (1280);
  assert_controls_fit ("PMT result, 1280 px");
  screenshot ("pmt");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot ("pmt-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  set_width (800);
  assert_controls_fit ("PMT result, 800 px");
  screenshot ("pmt-narrow");
  set_width (1280);
}

/* Another report or parameter takes the result away: Export and Print have nothing to
 * write but the report chosen. A run whose choices changed meanwhile is dropped. */
static void
test_changed_selection_clears (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "stale.csv", NULL);
  g_autoptr(GError) error = NULL;

  run_report ("caseload");
  _cl_reports_page_set_report (page (), "pmt");
  g_assert_null (cl_reports_page_get_result (page ()));
  g_assert_false (_cl_reports_page_export_to_path (page (), CL_REPORT_FORMAT_CSV, FALSE, path,
                                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  for (guint i = 0; i <= G_N_ELEMENTS (filters); i++)
    {
      GtkDropDown *dropdown = _cl_reports_page_get_filter (page (), i < G_N_ELEMENTS (filters)
                                                                    ? filters[i] : "period");
      guint n = g_list_model_get_n_items (gtk_drop_down_get_model (dropdown));

      run_report ("caseload");
      if (n < 2)
        continue;
      gtk_drop_down_set_selected (dropdown, (gtk_drop_down_get_selected (dropdown) + 1) % n);
      g_assert_null (cl_reports_page_get_result (page ()));
      gtk_drop_down_set_selected (dropdown, 0);
    }

  /* Changed while the worker runs: its result is not shown. */
  _cl_reports_page_set_report (page (), "caseload");
  _cl_reports_page_set_custom_period (page (), "2026-04-01", CL_REPORT_FIXTURE_TODAY);
  gtk_widget_activate_action (GTK_WIDGET (page ()), "reports.run", NULL);
  g_assert_true (cl_reports_page_get_busy (page ()));
  _cl_reports_page_set_report (page (), "referrals");
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  g_assert_null (cl_reports_page_get_result (page ()));
}

/* The borough and advocate filters list the boroughs and the vault's advocates and reach
 * the run's parameters. */
static void
test_borough_and_advocate (void)
{
  GtkDropDown *borough = _cl_reports_page_get_filter (page (), "borough");
  GtkDropDown *advocate = _cl_reports_page_get_filter (page (), "advocate");
  GListModel *advocates = gtk_drop_down_get_model (advocate);
  const ClReportResult *result;
  guint ana = GTK_INVALID_LIST_POSITION;

  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (borough)), >, 1);
  /* The fixture's cases belong to ana and ben. */
  WAIT_UNTIL (g_list_model_get_n_items (advocates) == 3, 5000);
  for (guint i = 0; i < 3; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (advocates), i), "ana") == 0)
      ana = i;
  g_assert_cmpuint (ana, !=, GTK_INVALID_LIST_POSITION);

  gtk_drop_down_set_selected (advocate, ana);
  run_report ("caseload");
  result = cl_reports_page_get_result (page ());
  g_assert_cmpstr (result->params->advocate, ==, "ana");
  g_assert_null (result->params->borough);
  g_assert_null (_cl_reports_page_get_cell_text (page (), "by_advocate", "ben", "active"));

  gtk_drop_down_set_selected (advocate, 0);
  gtk_drop_down_set_selected (borough, 1);
  run_report ("caseload");
  result = cl_reports_page_get_result (page ());
  g_assert_null (result->params->advocate);
  g_assert_nonnull (result->params->borough);
  g_assert_cmpstr (result->params->borough, ==, cl_enum_code_at ("borough", 1, TRUE));
  gtk_drop_down_set_selected (borough, 0);
}

/* Every filter is labelled, the label tied to it (a screen reader's name for it). The
 * report's dropdown, alone on the first line, has its accessible name in the template. */
static void
test_filters_named (void)
{
  filters_popup (TRUE);
  for (guint i = 0; i <= G_N_ELEMENTS (filters); i++)
    {
      const char *name = i < G_N_ELEMENTS (filters) ? filters[i] : "period";
      GtkWidget *dropdown = GTK_WIDGET (_cl_reports_page_get_filter (page (), name));
      g_autoptr(GList) labels = gtk_widget_list_mnemonic_labels (dropdown);

      if (labels == NULL || !GTK_IS_LABEL (labels->data) ||
          *gtk_label_get_text (labels->data) == '\0' || !gtk_widget_get_mapped (labels->data))
        g_error ("the %s dropdown has no label tied to it", name);
    }
  filters_popup (FALSE);
}

/* "91–180 days" stays on one line in its column header. */
static void
test_range_header_one_line (void)
{
  GtkWidget *label;

  run_report ("caseload");
  label = find_label_containing (GTK_WIDGET (page ()), "180");
  g_assert_nonnull (label);
  /* No break at the dash, word joiners either side of it. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "\u2060–\u2060"));
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 1);
  set_width (800);
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 1);
  set_width (1280);
}

/* A count's button is at least 24×24, even around one digit. */
static void
test_drill_targets (void)
{
  GtkWidget *button = _cl_reports_page_get_cell_button (page (), "by_advocate", "ben", "active");

  graphene_rect_t bounds;

  g_assert_nonnull (button);
  WAIT_UNTIL (gtk_widget_get_mapped (button), 5000);
  /* The target is the button's border box (gtk_widget_get_width() is its content). */
  g_assert_true (gtk_widget_compute_bounds (button, button, &bounds));
  g_assert_cmpfloat (bounds.size.width, >=, 24);
  g_assert_cmpfloat (bounds.size.height, >=, 24);
}

/* Back from a case opened from a report's list of cases lands on the report, not on the
 * case list. */
static void
test_back_returns_to_report (void)
{
  const ClReportResult *result = cl_reports_page_get_result (page ());
  ClDrillDownWindow *drill;
  GListModel *cases;
  guint position = GTK_INVALID_LIST_POSITION;

  g_signal_emit_by_name (_cl_reports_page_get_cell_button (page (), "by_advocate", "ben", "active"),
                         "clicked");
  WAIT_UNTIL (!cl_reports_page_get_busy (page ()), 20000);
  drill = (ClDrillDownWindow *) _cl_reports_page_get_drill_window (page ());
  g_assert_nonnull (drill);
  WAIT_UNTIL (_cl_drill_down_window_get_loaded (drill), 10000);
  /* Ben's CA5 is not restricted: it opens without asking a reason. */
  cases = _cl_drill_down_window_get_cases (drill);
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(ClCaseSummary) summary = g_list_model_get_item (cases, i);

      if (g_strcmp0 (cl_case_summary_get_id (summary), fixture.cases[5]) == 0)
        position = i;
    }
  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  cl_drill_down_window_open_case (drill, position);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (window ()), "case") == 0, 5000);

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "reports");
  /* The report shown before, still there (its traced run's copy if the vault changed). */
  g_assert_nonnull (cl_reports_page_get_result (page ()));
  g_assert_cmpstr (cl_reports_page_get_result (page ())->name, ==, result->name);

  /* From the Reports view, the same action goes to the list. */
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "list");
}

/* "Back to the Case List" on a view with no cases leaves the focus on a control in view,
 * from which Tab moves on. */
static void
test_empty_view_focus (void)
{
  GtkWidget *focus, *next;

  cl_window_show_view (window (), CL_CASE_VIEW_MINE);
  WAIT_UNTIL (_cl_window_get_cases (window ()) != NULL &&
              g_list_model_get_n_items (_cl_window_get_cases (window ())) == 0, 5000);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  cl_gui_test_spin (200);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
  g_assert_cmpstr (_cl_window_get_content_page (window ()), ==, "list");

  focus = gtk_root_get_focus (GTK_ROOT (window ()));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_drawable (focus));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window ()), GTK_DIR_TAB_FORWARD));
  next = gtk_root_get_focus (GTK_ROOT (window ()));
  g_assert_true (next != focus);
  g_assert_true (gtk_widget_is_drawable (next));

  cl_window_show_view (window (), CL_CASE_VIEW_ALL);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
}

/* Whether a line of @surface has a run of at least @min_run opaque pixels whose colour
 * changes again and again: a patterned bar (a plain one changes only at the axis). */
static gboolean
has_patterned_run (cairo_surface_t *surface,
                   int              min_run)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guchar *data = cairo_image_surface_get_data (surface);

  for (int y = 0; y < height; y++)
    {
      const guint32 *line = (const guint32 *) (data + y * stride);
      int start = 0, changes = 0;

      for (int x = 0; x <= width; x++)
        {
          if (x == width || (line[x] >> 24) != 0xff)
            {
              if (changes >= 6 && x - start >= min_run)
                return TRUE;
              start = x + 1;
              changes = 0;
            }
          else if (x > start && line[x] != line[x - 1])
            changes++;
        }
    }
  return FALSE;
}

/* A chart's second series carries a pattern: the bars differ without their colours. */
static void
test_chart_series_patterns (void)
{
  g_autoptr(ClReportParams) params = NULL;
  g_autoptr(ClReportResult) result = NULL;
  ClReportTable *table;
  guint row;
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoContext *context;
  ClChartStyle style;
  gboolean patterned, first_plain;

  params = cl_report_params_new ();
  cl_report_params_set_period (params, CL_REPORT_PERIOD_THIS_QUARTER,
                               cl_report_params_get_today (params));
  result = _cl_report_result_new (cl_report_lookup ("caseload"), params);
  table = _cl_report_table_new (result, "t", "Series", "Row");
  _cl_report_add_column (table, "a", "A");
  _cl_report_add_column (table, "b", "B");
  row = _cl_report_add_row (table, "r", "Row");
  _cl_report_set_count (table, row, 0, 40);
  _cl_report_set_count (table, row, 1, 40);
  _cl_report_set_chart (table, CL_REPORT_CHART_BAR, _cl_report_cols (0, 1, -1));

  cl_chart_style_init_default (&style);
  context = gtk_widget_create_pango_context (GTK_WIDGET (window ()));

  /* Both series: the second one's bar is patterned. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 160);
  cr = cairo_create (surface);
  cl_chart_draw (cr, context, table, 400, 160, &style);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  patterned = has_patterned_run (surface, 60);
  cairo_surface_destroy (surface);

  /* The first series alone is plain colour. */
  table->chart_columns = 1;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 160);
  cr = cairo_create (surface);
  cl_chart_draw (cr, context, table, 400, 160, &style);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  first_plain = !has_patterned_run (surface, 60);
  cairo_surface_destroy (surface);
  g_object_unref (context);

  g_assert_true (patterned);
  g_assert_true (first_plain);
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

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-reports");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-reports/unlock", test_unlock);
  g_test_add_func ("/gui-reports/run-stays-in-window", test_run_stays_in_window);
  g_test_add_func ("/gui-reports/filters-named", test_filters_named);
  g_test_add_func ("/gui-reports/changed-selection-clears", test_changed_selection_clears);
  g_test_add_func ("/gui-reports/borough-and-advocate", test_borough_and_advocate);
  g_test_add_func ("/gui-reports/range-header-one-line", test_range_header_one_line);
  g_test_add_func ("/gui-reports/drill-targets", test_drill_targets);
  g_test_add_func ("/gui-reports/back-returns-to-report", test_back_returns_to_report);
  g_test_add_func ("/gui-reports/empty-view-focus", test_empty_view_focus);
  g_test_add_func ("/gui-reports/chart-series-patterns", test_chart_series_patterns);

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
