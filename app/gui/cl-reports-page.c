/* cl-reports-page.c: the Reports view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A chooser of the engine's reports (cl_report_list()), the period, the filters in a
 * popover (command, borough, advocate, track, funding source), the run in a worker
 * (cl_report_run_vault_async()), and
 * the result: one card per table, numbers in the locale's format, suppressed cells as "—",
 * with a chart (cl_chart_draw() in the theme's colours, mirrored right to left) where the
 * table has one. Export (CSV, PDF) and printing go through the same warning (with the
 * choice of small-cell suppression for a funder report): an export then through the file
 * chooser and cl_report_export(), a print through cl_report_release() (the "print" audit
 * event, before anything is drawn) and the pages of the PDF export (cl_report_paginate()).
 *
 * A table is a GtkColumnView over a list model of its rows: only the rows in view have
 * widgets, so a list of 100,000 cases shows as fast as one of ten.
 *
 * Reports run untraced; a count of an internal report is a button all the same. The first
 * click reruns the report traced (CL_REPORT_RUN_TRACE_CASES) in a worker, then asks
 * cl_report_vault_drill_down() for the cases behind the count (which checks the role and
 * audits the look) and lists them in a ClDrillDownWindow; choosing one emits ::open-case.
 * A row of a case list (stale cases, deadlines) opens its case directly. Funder reports and
 * suppressed cells stay plain text.
 *
 * On a vault enrolled with a role that may ask the server (cl_sync_role_may_report()), a
 * "Whole agency" switch beside the parameters runs the report on the server instead
 * (cl_sync_run_report()): counts only, no drill-down. When the server cannot answer or
 * refuses, the vault's report is shown under a note saying what it covers. The server's
 * figures are suppressed only there: an export or print of them for outside use first asks
 * the server again for the suppressed copy (params->outside set), in a worker.
 */

#define G_LOG_DOMAIN "cl-reports-page"

#include "config.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cl-chart.h"
#include "cl-drill-down-window.h"
#include "cl-gui-util.h"
#include "cl-report-vault.h"
#include "cl-reports-page.h"
#include "cl-sync.h"

#define FISCAL_START_KEY "fiscal-year-start-month"
#define CHART_PADDING    12
#define TABLE_MAX_HEIGHT 560   /* a longer table scrolls in its card */
#define ROWS_BUILT       210    /* rows GTK 4.8's list view builds widgets for, and a few */
#define ROWS_BATCH       500    /* rows added at once beyond those */
#define GROW_BUDGET_US   3000   /* rows added to the tables in a main-loop turn */
#define MIN_TARGET       24     /* px: the smallest drill-down target (WCAG 2.5.8) */

typedef struct {
  guint    table;
  guint    row;
  guint    col;
  gboolean case_row;
} DrillCell;

struct _ClReportsPage
{
  AdwBin          parent_instance;

  /* template */
  AdwWindowTitle *window_title;
  GtkDropDown    *report_dropdown;
  GtkDropDown    *period_dropdown;
  GtkEntry       *from_entry;
  GtkEntry       *to_entry;
  GtkDropDown    *command_dropdown;
  GtkDropDown    *borough_dropdown;
  GtkDropDown    *advocate_dropdown;
  GtkDropDown    *track_dropdown;
  GtkDropDown    *funding_dropdown;
  GtkSpinner     *spinner;
  GtkWidget      *run_button;
  GtkStack       *result_stack;
  AdwStatusPage  *error_page;
  GtkBox         *tables_box;
  GtkScrolledWindow *result_scroller;
  GtkWidget      *param_area;     /* the report, period, filters and Run; a custom period */
  GtkGrid        *param_bar;      /* the filters, in a popover */
  GtkMenuButton  *filters_button;
  GtkWidget      *custom_box;     /* a custom period's first and last day */
  GtkWidget      *agency_box;     /* "Whole agency" and its switch */
  GtkSwitch      *agency_switch;
  GtkLabel       *agency_note;    /* what a fallback to the vault covers */

  ClStore        *store;
  GtkStringList  *command_codes;
  GStrv           advocates;      /* the advocate filter's usernames, after "All advocates" */
  GCancellable   *advocates_cancellable;
  char           *run_choices;    /* choices_key() when the last run started */
  GCancellable   *cancellable;
  ClReportResult *result;         /* run untraced, shown */
  ClReportResult *traced;         /* the same run traced, once someone drills down */
  ClReportResult *outside_copy;   /* the server's copy of a server result for outside use,
                                   * once an export or print asked for it */
  DrillCell       drill_cell;     /* the cell to drill from once traced */
  char           *drill_row;      /* its row's and column's keys */
  char           *drill_col;
  GHashTable     *cells;          /* "table/row/column" → GtkLabel of a row in view
                                   * (borrowed) */
  GHashTable     *buttons;        /* "table/row/column" → GtkButton of a drillable cell,
                                   * "table/row/" of a case row, in view (borrowed) */
  GtkWindow      *drill_window;   /* weak */
  GtkNativeDialog *chooser;       /* the file chooser of an export, while it asks */
  GPtrArray      *charts;         /* GtkDrawingArea (borrowed) */
  GPtrArray      *table_rows;     /* ClReportRows of the tables shown */
  guint           grow_id;        /* adds rows to the tables, a few per main-loop turn */
  gboolean        busy;
  gboolean        running;        /* a worker holds the store */
  gboolean        folded;
  gboolean        outside;        /* the export dialog's switch */
  guint           printing;       /* print operations holding a released result */
  char           *print_path;     /* tests: print to this PDF file, without the dialog */
};

enum {
  PROP_0,
  PROP_FOLDED,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGNAL_MESSAGE,
  SIGNAL_OPEN_CASE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ClReportsPage, cl_reports_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const ClReportPeriod periods[] = {
  CL_REPORT_PERIOD_THIS_QUARTER,
  CL_REPORT_PERIOD_LAST_QUARTER,
  CL_REPORT_PERIOD_FISCAL_YEAR,
  CL_REPORT_PERIOD_LAST_FISCAL_YEAR,
  CL_REPORT_PERIOD_CUSTOM,
};
#define PERIOD_CUSTOM (G_N_ELEMENTS (periods) - 1)

/* Helpers ---------------------------------------------------------------------------- */

static void
message (ClReportsPage *self,
         const char    *text)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, text);
}

static void update_actions (ClReportsPage *self);
static void params_changed_cb (ClReportsPage *self);


static void
set_busy (ClReportsPage *self,
          gboolean       busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
update_actions (ClReportsPage *self)
{
  /* Nothing leaves while a worker runs (an export's outside-use copy among them). */
  gboolean has_result = self->result != NULL && !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.run",
                                 !self->busy && self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.export", has_result);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reports.print", has_result);
}

static const ClReportInfo *
selected_info (ClReportsPage *self)
{
  guint n = 0;
  const ClReportInfo *list = cl_report_list (&n);
  guint i = gtk_drop_down_get_selected (self->report_dropdown);

  return i < n ? &list[i] : NULL;
}

/* The fiscal year's first month: from GSettings when the schema has the key, else the
 * federal October. */
static guint
fiscal_start_month (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  guint month;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.caseload.Caseload", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, FISCAL_START_KEY))
    return CL_REPORT_DEFAULT_FISCAL_START;

  settings = g_settings_new ("io.github.caseload.Caseload");
  month = g_settings_get_uint (settings, FISCAL_START_KEY);
  return month >= 1 && month <= 12 ? month : CL_REPORT_DEFAULT_FISCAL_START;
}

static ClReportParams *
build_params (ClReportsPage  *self,
              GError        **error)
{
  g_autoptr(ClReportParams) params = cl_report_params_new ();
  guint period = gtk_drop_down_get_selected (self->period_dropdown);
  guint command = gtk_drop_down_get_selected (self->command_dropdown);
  guint advocate = gtk_drop_down_get_selected (self->advocate_dropdown);
  const char *track = cl_enum_code_at ("track", gtk_drop_down_get_selected (self->track_dropdown), TRUE);
  const char *funding = cl_enum_code_at ("funding_source",
                                         gtk_drop_down_get_selected (self->funding_dropdown),
                                         TRUE);

  params->fiscal_start_month = fiscal_start_month ();

  if (period >= G_N_ELEMENTS (periods))
    period = 0;

  if (period == PERIOD_CUSTOM)
    {
      params->from = cl_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->from_entry)));
      params->to = cl_day_parse (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)));
      if (params->from == CL_DAY_NONE || params->to == CL_DAY_NONE)
        {
          g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                               _("Enter the first and last day of the period as YYYY-MM-DD."));
          return NULL;
        }
    }
  else
    cl_report_params_set_period (params, periods[period], cl_report_params_get_today (params));

  if (command > 0 && self->command_codes != NULL &&
      command <= g_list_model_get_n_items (G_LIST_MODEL (self->command_codes)))
    {
      const char *code = gtk_string_list_get_string (self->command_codes, command - 1);
      const char *codes[] = { code, NULL };

      params->commands = g_strdupv ((char **) codes);
    }
  params->track = g_strdup (track);
  params->funding = g_strdup (funding);
  params->borough = g_strdup (cl_enum_code_at ("borough",
                                               gtk_drop_down_get_selected (self->borough_dropdown),
                                               TRUE));
  if (advocate > 0 && self->advocates != NULL && advocate <= g_strv_length (self->advocates))
    params->advocate = g_strdup (self->advocates[advocate - 1]);

  if (!cl_report_params_validate (params, error))
    return NULL;

  return g_steal_pointer (&params);
}

/* Charts ----------------------------------------------------------------------------- */

static void
rgba_to_chart (const GdkRGBA *rgba,
               ClChartColor  *color)
{
  color->red = rgba->red;
  color->green = rgba->green;
  color->blue = rgba->blue;
  color->alpha = rgba->alpha;
}

/* The theme's colours: the text colour, no background (the card shows through), and the
 * accent colour libadwaita defines for the current light or dark style. */
static void
chart_style_for_widget (GtkWidget    *widget,
                        ClChartStyle *style)
{
  GtkStyleContext *context;
  GdkRGBA fg, accent;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "accent_color", &accent))
    gdk_rgba_parse (&accent, adw_style_manager_get_dark (adw_style_manager_get_default ())
                             ? "#78aeed" : "#1c71d8");
  G_GNUC_END_IGNORE_DEPRECATIONS

  cl_chart_style_init_default (style);
  rgba_to_chart (&fg, &style->foreground);
  rgba_to_chart (&accent, &style->accent);
  style->background.alpha = 0;
}

static void
draw_chart_cb (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        data)
{
  const ClReportTable *table = data;
  PangoContext *context = gtk_widget_create_pango_context (GTK_WIDGET (area));
  ClChartStyle style;

  chart_style_for_widget (GTK_WIDGET (area), &style);
  pango_context_set_base_dir (context,
                              gtk_widget_get_direction (GTK_WIDGET (area)) == GTK_TEXT_DIR_RTL
                              ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  /* A little room at both ends, so the last tick's label is not cut off. */
  cairo_translate (cr, CHART_PADDING, 0);
  cl_chart_draw (cr, context, table, MAX (1, width - 2 * CHART_PADDING), height, &style);
  g_object_unref (context);
}

static void
redraw_charts (ClReportsPage *self)
{
  if (self->charts == NULL)
    return;

  for (guint i = 0; i < self->charts->len; i++)
    gtk_widget_queue_draw (g_ptr_array_index (self->charts, i));
}

static guint
n_plotted_rows (const ClReportTable *table)
{
  guint n = 0;

  for (guint i = 0; i < table->rows->len; i++)
    {
      const ClReportRow *row = g_ptr_array_index (table->rows, i);

      if (!row->is_total)
        n++;
    }
  return n;
}

/* Tables ----------------------------------------------------------------------------- */

/* A table's card, drawn only while some of it is in view of the result's scroller: a
 * report's tables and charts run far below the window, and drawing them (hundreds of rows
 * of widgets each) made the frames after a result several times longer than one frame.
 * The page redraws the cards whose visibility changed as the result scrolls. */
#define CL_TYPE_ON_SCREEN_BIN (cl_on_screen_bin_get_type ())
G_DECLARE_FINAL_TYPE (ClOnScreenBin, cl_on_screen_bin, CL, ON_SCREEN_BIN, GtkWidget)

struct _ClOnScreenBin
{
  GtkWidget  parent_instance;
  GtkWidget *child;
  GtkWidget *scroller;  /* the result's scroller (borrowed: it holds the bin) */
  gboolean   drawn;     /* whether the last snapshot drew the child */
};

G_DEFINE_FINAL_TYPE (ClOnScreenBin, cl_on_screen_bin, GTK_TYPE_WIDGET)

static gboolean
cl_on_screen_bin_in_view (ClOnScreenBin *self)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (self), self->scroller, &bounds))
    return TRUE;
  return bounds.origin.y < gtk_widget_get_height (self->scroller) &&
         bounds.origin.y + bounds.size.height > 0;
}

static void
cl_on_screen_bin_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  ClOnScreenBin *self = CL_ON_SCREEN_BIN (widget);

  self->drawn = cl_on_screen_bin_in_view (self);
  if (self->drawn)
    gtk_widget_snapshot_child (widget, self->child, snapshot);
}

/* Redraws the bin if it came into view or left it. */
static void
cl_on_screen_bin_update (ClOnScreenBin *self)
{
  if (self->drawn != cl_on_screen_bin_in_view (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cl_on_screen_bin_dispose (GObject *object)
{
  ClOnScreenBin *self = CL_ON_SCREEN_BIN (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);
  G_OBJECT_CLASS (cl_on_screen_bin_parent_class)->dispose (object);
}

static void
cl_on_screen_bin_class_init (ClOnScreenBinClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_on_screen_bin_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = cl_on_screen_bin_snapshot;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
cl_on_screen_bin_init (ClOnScreenBin *self)
{
  self->drawn = TRUE;
}

static GtkWidget *
cl_on_screen_bin_new (GtkWidget *child,
                      GtkWidget *scroller)
{
  ClOnScreenBin *self = g_object_new (CL_TYPE_ON_SCREEN_BIN, NULL);

  self->child = child;
  self->scroller = scroller;
  gtk_widget_set_parent (child, GTK_WIDGET (self));
  return GTK_WIDGET (self);
}

static void
result_scrolled_cb (ClReportsPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->tables_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (CL_IS_ON_SCREEN_BIN (child))
      cl_on_screen_bin_update (CL_ON_SCREEN_BIN (child));
}

/* A row of a report table, as its list model hands it out: the table (of the page's result;
 * the model lets go of it before the result goes) and the row's index. */
#define CL_TYPE_REPORT_ROW_ITEM (cl_report_row_item_get_type ())
G_DECLARE_FINAL_TYPE (ClReportRowItem, cl_report_row_item, CL, REPORT_ROW_ITEM, GObject)

struct _ClReportRowItem
{
  GObject              parent_instance;
  const ClReportTable *table;
  guint                row;
};

G_DEFINE_FINAL_TYPE (ClReportRowItem, cl_report_row_item, G_TYPE_OBJECT)

static void
cl_report_row_item_class_init (ClReportRowItemClass *klass)
{
}

static void
cl_report_row_item_init (ClReportRowItem *self)
{
}

/* The rows of a table as a list model: an item is made only when the view asks for it, so
 * a table of 100,000 rows costs nothing until a row is shown. GTK 4.8's list view builds
 * widgets for up to 200 rows whatever it shows, more than a frame's time for a wide
 * table: the model grows a row at a time (cl_report_rows_grow(), a few milliseconds per
 * main-loop turn) until that many are in, then by batches. The view may
 * outlive the result by a moment after it is taken away: cl_report_rows_detach() empties
 * the model before the result goes. */
#define CL_TYPE_REPORT_ROWS (cl_report_rows_get_type ())
G_DECLARE_FINAL_TYPE (ClReportRows, cl_report_rows, CL, REPORT_ROWS, GObject)

struct _ClReportRows
{
  GObject              parent_instance;
  const ClReportTable *table;     /* NULL once detached */
  guint                shown;     /* rows in the model so far */
};

static GType
cl_report_rows_get_item_type (GListModel *model)
{
  return CL_TYPE_REPORT_ROW_ITEM;
}

static guint
cl_report_rows_get_n_items (GListModel *model)
{
  ClReportRows *self = CL_REPORT_ROWS (model);

  return self->table != NULL ? self->shown : 0;
}

static gpointer
cl_report_rows_get_item (GListModel *model,
                         guint       position)
{
  ClReportRows *self = CL_REPORT_ROWS (model);
  ClReportRowItem *item;

  if (self->table == NULL || position >= self->shown)
    return NULL;
  item = g_object_new (CL_TYPE_REPORT_ROW_ITEM, NULL);
  item->table = self->table;
  item->row = position;
  return item;
}

static void
cl_report_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cl_report_rows_get_item_type;
  iface->get_n_items = cl_report_rows_get_n_items;
  iface->get_item = cl_report_rows_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ClReportRows, cl_report_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cl_report_rows_list_model_init))

static void
cl_report_rows_class_init (ClReportRowsClass *klass)
{
}

static void
cl_report_rows_init (ClReportRows *self)
{
}

/* Adds a row, or once the list view has built all the widgets it builds, a batch of rows
 * (GTK takes some microseconds a row even without widgets); FALSE when all are in. */
static gboolean
cl_report_rows_grow (ClReportRows *self)
{
  guint before = self->shown;

  if (self->table == NULL || self->shown >= self->table->rows->len)
    return FALSE;
  self->shown = MIN (self->table->rows->len,
                     self->shown + (self->shown < ROWS_BUILT ? 1 : ROWS_BATCH));
  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->shown - before);
  return self->shown < self->table->rows->len;
}

static void
cl_report_rows_detach (ClReportRows *self)
{
  guint n = cl_report_rows_get_n_items (G_LIST_MODEL (self));

  self->table = NULL;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static char *
cell_key (const char *table,
          const char *row,
          const char *column)
{
  return g_strdup_printf ("%s/%s/%s", table, row, column);
}

static GtkWidget *
make_cell_label (const ClReportCell *cell,
                 gboolean            total)
{
  GtkWidget *label;

  if (cell->suppressed)
    {
      label = gtk_label_new ("—");
      gtk_widget_set_tooltip_text (label, _("Suppressed: a small count that could identify someone"));
      cl_widget_set_label (label, _("Suppressed"));
    }
  else
    {
      g_autofree char *text = cl_report_cell_format (cell, TRUE);

      label = gtk_label_new (text != NULL ? text : "");
    }

  gtk_label_set_xalign (GTK_LABEL (label), cell->kind == CL_REPORT_CELL_TEXT ? 0.0 : 1.0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, "numeric");
  if (total)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

/* Drill-down ------------------------------------------------------------------------- */

static void
drill_open_case_cb (ClReportsPage *self,
                    const char    *case_id)
{
  g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, case_id);
}

/* Shows the cases behind cell (@row, @col) of table @t of the traced result; a case row
 * (@direct) with one case opens it. Everything goes through cl_report_vault_drill_down():
 * permission and audit. */
static void
drill_down (ClReportsPage *self,
            guint          t,
            guint          row,
            guint          col,
            gboolean       direct)
{
  const ClReportTable *table;
  const ClReportRow *r;
  const ClReportColumn *c;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cell = NULL;
  ClDrillDownWindow *window;

  if (self->store == NULL || self->traced == NULL)
    return;

  ids = cl_report_vault_drill_down (self->store, self->traced, t, row, col, &error);
  if (ids == NULL)
    {
      message (self, error->message);
      return;
    }
  if (direct && g_strv_length (ids) == 1)
    {
      g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, ids[0]);
      return;
    }

  table = g_ptr_array_index (self->traced->tables, t);
  r = g_ptr_array_index (table->rows, row);
  c = g_ptr_array_index (table->columns, col);
  /* Translators: what a count in a report is: table title, row and column labels */
  cell = g_strdup_printf (_("%s · %s · %s"), table->title, r->label, c->label);
  window = cl_drill_down_window_new (cl_widget_get_window (GTK_WIDGET (self)), self->store,
                                    cell, (const char *const *) ids);
  g_signal_connect_object (window, "open-case", G_CALLBACK (drill_open_case_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->drill_window, GTK_WINDOW (window));
}

/* The row and column of @t in @result that have @row_key and @col_key. */
static gboolean
find_cell (const ClReportResult *result,
           guint                 t,
           const char           *row_key,
           const char           *col_key,
           guint                *row,
           guint                *col)
{
  const ClReportTable *table;
  gboolean found_row = FALSE, found_col = FALSE;

  if (t >= result->tables->len)
    return FALSE;
  table = g_ptr_array_index (result->tables, t);
  for (guint i = 0; i < table->rows->len && !found_row; i++)
    if (g_str_equal (((ClReportRow *) g_ptr_array_index (table->rows, i))->key, row_key))
      {
        *row = i;
        found_row = TRUE;
      }
  for (guint i = 0; i < table->columns->len && !found_col; i++)
    if (g_str_equal (((ClReportColumn *) g_ptr_array_index (table->columns, i))->key, col_key))
      {
        *col = i;
        found_col = TRUE;
      }
  return found_row && found_col;
}

static char *
cell_text (const ClReportResult *result,
           guint                 t,
           guint                 row,
           guint                 col)
{
  const ClReportTable *table = g_ptr_array_index (result->tables, t);
  const ClReportRow *r = g_ptr_array_index (table->rows, row);
  const ClReportCell *cell = &g_array_index (r->cells, ClReportCell, col);

  return cell->suppressed ? g_strdup ("—") : cl_report_cell_format (cell, TRUE);
}

static void clear_tables (ClReportsPage *self);
static void show_result (ClReportsPage *self);
static void forget_result (ClReportsPage *self);

/* The report and the parameters chosen, as a string: a list of choices that is reset
 * (the commands or advocates read again) changes nothing while the same ones are chosen. */
static char *
choices_key (ClReportsPage *self)
{
  guint command = gtk_drop_down_get_selected (self->command_dropdown);
  guint advocate = gtk_drop_down_get_selected (self->advocate_dropdown);
  const char *command_code = NULL, *advocate_name = NULL;

  if (command > 0 && self->command_codes != NULL &&
      command <= g_list_model_get_n_items (G_LIST_MODEL (self->command_codes)))
    command_code = gtk_string_list_get_string (self->command_codes, command - 1);
  if (advocate > 0 && self->advocates != NULL && advocate <= g_strv_length (self->advocates))
    advocate_name = self->advocates[advocate - 1];
  return g_strdup_printf ("%u\n%u\n%s\n%s\n%s\n%u\n%s\n%u\n%u\n%d",
                          gtk_drop_down_get_selected (self->report_dropdown),
                          gtk_drop_down_get_selected (self->period_dropdown),
                          gtk_editable_get_text (GTK_EDITABLE (self->from_entry)),
                          gtk_editable_get_text (GTK_EDITABLE (self->to_entry)),
                          command_code != NULL ? command_code : "",
                          gtk_drop_down_get_selected (self->borough_dropdown),
                          advocate_name != NULL ? advocate_name : "",
                          gtk_drop_down_get_selected (self->track_dropdown),
                          gtk_drop_down_get_selected (self->funding_dropdown),
                          self->agency_switch != NULL && gtk_switch_get_active (self->agency_switch));
}

/* Whether the report or its parameters changed since the last run started: its result is
 * not the report chosen. */
static gboolean
run_is_stale (ClReportsPage *self)
{
  g_autofree char *key = choices_key (self);

  return g_strcmp0 (key, self->run_choices) != 0;
}

/* No result: what Export and Print would write is gone with it. */
static void
show_no_result (ClReportsPage *self)
{
  forget_result (self);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->result_stack, "empty");
  update_actions (self);
}

/* Ends a run in the worker (the report's, or its traced rerun); FALSE if it was cancelled,
 * by a page that is clearing. */
static gboolean
finish_run (ClReportsPage   *self,
            GObject         *source,
            GAsyncResult    *res,
            ClReportResult **result,
            GError         **error)
{
  self->running = FALSE;
  *result = cl_report_run_vault_finish (CL_STORE (source), res, error);
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  return TRUE;
}

static void
trace_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      data)
{
  g_autoptr(ClReportsPage) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *row_key = g_steal_pointer (&self->drill_row);
  g_autofree char *col_key = g_steal_pointer (&self->drill_col);
  g_autofree char *shown = NULL, *traced = NULL;
  ClReportResult *result;
  guint t = self->drill_cell.table, row = 0, col = 0;
  gboolean found;

  if (!finish_run (self, source, res, &result, &error))
    return;
  if (run_is_stale (self))
    {
      g_clear_pointer (&result, cl_report_result_free);
      show_no_result (self);
      return;
    }
  if (result == NULL)
    {
      message (self, error->message);
      return;
    }
  g_clear_pointer (&self->traced, cl_report_result_free);
  self->traced = result;

  /* The cases are those of the numbers shown: if the vault changed since the run, the
   * view shows the traced run's numbers before their cases are listed. */
  found = find_cell (result, t, row_key, col_key, &row, &col);
  if (found)
    {
      shown = cell_text (self->result, t, self->drill_cell.row, self->drill_cell.col);
      traced = cell_text (result, t, row, col);
    }
  if (!found || g_strcmp0 (shown, traced) != 0)
    {
      ClReportResult *copy = cl_report_result_copy (result);

      clear_tables (self);
      g_clear_pointer (&self->result, cl_report_result_free);
      self->result = copy;
      show_result (self);
    }
  if (found)
    drill_down (self, t, row, col, self->drill_cell.case_row);
}

/* Drills down from @cell: at once if the cases are known, else after a traced run of the
 * same report in a worker (the view runs reports untraced: tracing costs up to five times
 * the engine's time, for a look at a few cells at most). */
static void
request_drill_down (ClReportsPage   *self,
                    const DrillCell *cell)
{
  const ClReportTable *table;

  if (self->store == NULL || self->result == NULL || self->busy)
    return;
  if (self->traced != NULL)
    {
      drill_down (self, cell->table, cell->row, cell->col, cell->case_row);
      return;
    }

  table = g_ptr_array_index (self->result->tables, cell->table);
  self->drill_cell = *cell;
  g_free (self->drill_row);
  self->drill_row = g_strdup (((ClReportRow *) g_ptr_array_index (table->rows, cell->row))->key);
  g_free (self->drill_col);
  self->drill_col = g_strdup (((ClReportColumn *) g_ptr_array_index (table->columns,
                                                                      cell->col))->key);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  self->running = TRUE;
  cl_report_run_vault_async (self->store, self->result->name, self->result->params,
                             CL_REPORT_RUN_TRACE_CASES, self->cancellable,
                             trace_cb, g_object_ref (self));
}

static void
cell_clicked_cb (GtkButton     *button,
                 ClReportsPage *self)
{
  request_drill_down (self, g_object_get_data (G_OBJECT (button), "cl-cell"));
}

/* A flat button around @child that drills down from (@t, @row, @col). */
static GtkWidget *
drill_button (ClReportsPage *self,
              GtkWidget     *child,
              guint          t,
              guint          row,
              guint          col,
              const char    *accessible_label,
              gboolean       case_row)
{
  GtkWidget *button = gtk_button_new ();
  DrillCell *cell = g_new (DrillCell, 1);

  cell->table = t;
  cell->row = row;
  cell->col = col;
  cell->case_row = case_row;
  gtk_button_set_child (GTK_BUTTON (button), child);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "drill-down");
  /* A target a finger or a shaky hand can hit, even around a one-digit count. */
  gtk_widget_set_size_request (button, MIN_TARGET, MIN_TARGET);
  gtk_widget_set_tooltip_text (button, case_row ? _("Open this case")
                                                : _("Show the cases behind this count"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (button), -1);
  g_object_set_data_full (G_OBJECT (button), "cl-cell", cell, g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (cell_clicked_cb), self, 0);
  return button;
}

/* Whether the result's counts lead to cases: an internal report of this vault, not for
 * outside use (a traced run of it keeps the cases behind every count). The server's counts
 * name no cases. */
static gboolean
result_drills_down (ClReportsPage *self)
{
  return !self->result->funder && !self->result->params->outside &&
         self->result->source != CL_REPORT_SOURCE_SERVER;
}

static gint64
dep_count (ClReportsPage         *self,
           const ClReportCellRef *ref)
{
  const ClReportTable *table;
  const ClReportRow *row;

  if (ref->table >= self->result->tables->len)
    return 0;
  table = g_ptr_array_index (self->result->tables, ref->table);
  if (ref->row >= table->rows->len)
    return 0;
  row = g_ptr_array_index (table->rows, ref->row);
  return ref->col < row->cells->len ? g_array_index (row->cells, ClReportCell, ref->col).count : 0;
}

/* Whether cell (@row, @col) leads to cases, by the engine's rules for a traced run
 * (cl_report_result_get_cases()): a count above zero, a share of one, a median or mean of
 * a count above zero; never a suppressed cell. */
static gboolean
cell_drills_down (ClReportsPage      *self,
                  const ClReportCell *cell)
{
  if (!result_drills_down (self) || cell->suppressed)
    return FALSE;
  switch (cell->kind)
    {
    case CL_REPORT_CELL_COUNT:
      return cell->count > 0;
    case CL_REPORT_CELL_NUMBER:
      if (cell->unit == CL_REPORT_UNIT_PERCENT)
        return cell->count > 0;
      return cell->n_deps > (cell->has_denominator ? 1 : 0) &&
             dep_count (self, &cell->deps[0]) > 0;
    default:
      return FALSE;
    }
}

/* A row of a case list (stale cases, deadlines): no counts, and one case behind it. */
static gboolean
is_case_row (ClReportsPage       *self,
             const ClReportTable *table,
             const ClReportRow   *row)
{
  for (guint c = 0; c < row->cells->len; c++)
    if (g_array_index (row->cells, ClReportCell, c).kind == CL_REPORT_CELL_COUNT)
      return FALSE;
  return table->internal_only && row->cells->len > 0 && result_drills_down (self);
}

/* A column of a table's view: which table, and which column (-1 for the row labels). */
typedef struct {
  ClReportsPage       *self;
  const ClReportTable *table;
  int                  col;
} TableColumn;

/* The widget of the row label of row @r: a button that opens the case of a case row. */
static GtkWidget *
row_label_widget (ClReportsPage       *self,
                  const ClReportTable *table,
                  guint                r,
                  char               **key)
{
  const ClReportRow *row = g_ptr_array_index (table->rows, r);
  GtkWidget *label = gtk_label_new (row->label);
  GtkWidget *button;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  if (row->is_total)
    gtk_widget_add_css_class (label, "heading");
  if (!is_case_row (self, table, row))
    return label;

  button = drill_button (self, label, table->index, r, 0, row->label, TRUE);
  *key = cell_key (table->key, row->key, "");
  g_hash_table_insert (self->buttons, g_strdup (*key), button);
  return button;
}

/* The widget of cell (@r, @c): its value, inside a button if it drills down. */
static GtkWidget *
cell_widget (ClReportsPage       *self,
             const ClReportTable *table,
             guint                r,
             guint                c,
             char               **key)
{
  const ClReportRow *row = g_ptr_array_index (table->rows, r);
  const ClReportColumn *column = g_ptr_array_index (table->columns, c);
  const ClReportCell *cell;
  GtkWidget *value, *widget;

  if (c >= row->cells->len)
    return gtk_label_new ("");
  cell = &g_array_index (row->cells, ClReportCell, c);
  value = widget = make_cell_label (cell, row->is_total);
  *key = cell_key (table->key, row->key, column->key);
  if (cell_drills_down (self, cell))
    {
      /* Translators: the accessible name of a count in a report: the row's
       * label, the column's label and the value shown */
      g_autofree char *name = g_strdup_printf (_("%s, %s: %s"), row->label, column->label,
                                               gtk_label_get_text (GTK_LABEL (value)));

      widget = drill_button (self, value, table->index, r, c, name, FALSE);
      gtk_widget_set_halign (widget, GTK_ALIGN_END);
      g_hash_table_insert (self->buttons, g_strdup (*key), widget);
    }
  g_hash_table_insert (self->cells, g_strdup (*key), value);
  return widget;
}

/* What a screen reader says of row @r: its label, then each cell with its column's header
 * ("Total, Active caseload: 2, Outreach: 1"). GTK 4.8's column view gives a screen reader
 * no table interface (AT-SPI Table, TableCell): the rows and their cells have roles, but
 * nothing tells which column a cell is in, so the row says it. */
static char *
row_accessible_label (const ClReportTable *table,
                      guint                r)
{
  const ClReportRow *row = g_ptr_array_index (table->rows, r);
  char *label = g_strdup (row->label);

  for (guint c = 0; c < row->cells->len && c < table->columns->len; c++)
    {
      const ClReportCell *cell = &g_array_index (row->cells, ClReportCell, c);
      const ClReportColumn *column = g_ptr_array_index (table->columns, c);
      g_autofree char *value = cell->suppressed ? g_strdup (_("Suppressed"))
                                                : cl_report_cell_format (cell, TRUE);
      g_autofree char *pair = NULL;
      char *joined;

      if (value == NULL || *value == '\0')
        continue;
      /* Translators: a cell of a report's table to a screen reader: its column, its value */
      pair = g_strdup_printf (C_("accessible", "%s: %s"), column->label, value);
      joined = g_strdup_printf (C_("accessible", "%s, %s"), label, pair);
      g_free (label);
      label = joined;
    }
  return label;
}

/* Builds the widget of a row's cell as the row comes into view (only the rows in view and
 * a few around them have widgets). The cell's key goes with it, to forget it when the row
 * goes. */
static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              TableColumn              *column)
{
  ClReportRowItem *item = gtk_list_item_get_item (list_item);
  char *key = NULL;
  GtkWidget *widget;

  if (column->col < 0)
    widget = row_label_widget (column->self, column->table, item->row, &key);
  else
    widget = cell_widget (column->self, column->table, item->row, column->col, &key);
  g_object_set_data_full (G_OBJECT (widget), "cl-key", key, g_free);
  gtk_list_item_set_child (list_item, widget);

  /* The row, GTK 4.8 names by its widget type: by its label and cells instead. */
  if (column->col < 0 && gtk_widget_get_parent (widget) != NULL &&
      gtk_widget_get_parent (gtk_widget_get_parent (widget)) != NULL)
    {
      g_autofree char *label = row_accessible_label (column->table, item->row);

      gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (gtk_widget_get_parent (widget))),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

/* Forgets the cell's widget. Reads nothing of the table, which may be gone. */
static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                TableColumn              *column)
{
  GtkWidget *widget = gtk_list_item_get_child (list_item);
  const char *key = widget != NULL ? g_object_get_data (G_OBJECT (widget), "cl-key") : NULL;
  GHashTable *cells = column->self->cells, *buttons = column->self->buttons;
  GtkWidget *label = key != NULL ? g_hash_table_lookup (cells, key) : NULL;

  if (key != NULL && g_hash_table_lookup (buttons, key) == widget)
    g_hash_table_remove (buttons, key);
  if (label != NULL && (label == widget || gtk_widget_get_parent (label) == widget))
    g_hash_table_remove (cells, key);
  gtk_list_item_set_child (list_item, NULL);
}

static GtkColumnViewColumn *
table_column (ClReportsPage       *self,
              const ClReportTable *table,
              int                  col,
              const char          *title)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  TableColumn *column = g_new (TableColumn, 1);
  g_autoptr(GString) header = g_string_new (title);

  /* A range ("91–180 days") is never broken at its dash: word joiners either side. */
  g_string_replace (header, "–", "\u2060–\u2060", 0);
  column->self = self;
  column->table = table;
  column->col = col;
  g_object_set_data_full (G_OBJECT (factory), "cl-column", column, g_free);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), column);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), column);
  return gtk_column_view_column_new (header->str, factory);
}

/* GTK 4.8's list view asks for the height of about one row: the table takes the height
 * of its rows as the list's adjustment knows them, and its header, up to TABLE_MAX_HEIGHT.
 * After the allocation that changed them: a resize queued during one is lost. */
static gboolean
fit_table_height_cb (gpointer data)
{
  GtkScrolledWindow *scroller = data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  GtkWidget *view = gtk_scrolled_window_get_child (scroller);
  double header = MAX (0, gtk_widget_get_height (view) - gtk_adjustment_get_page_size (adjustment));
  int height = MIN (TABLE_MAX_HEIGHT, (int) ceil (gtk_adjustment_get_upper (adjustment) + header));

  g_object_set_data (G_OBJECT (scroller), "cl-fitting", NULL);
  if (height > gtk_scrolled_window_get_min_content_height (scroller))
    gtk_scrolled_window_set_min_content_height (scroller, height);
  return G_SOURCE_REMOVE;
}

static void
fit_table_height (GtkAdjustment     *adjustment,
                  GParamSpec        *pspec,
                  GtkScrolledWindow *scroller)
{
  if (g_object_get_data (G_OBJECT (scroller), "cl-fitting") != NULL)
    return;
  g_object_set_data (G_OBJECT (scroller), "cl-fitting", GINT_TO_POINTER (TRUE));
  g_idle_add_full (G_PRIORITY_DEFAULT, fit_table_height_cb, g_object_ref (scroller),
                   g_object_unref);
}

/* Right to left, a table that scrolls sideways starts at its right edge, where its row
 * labels are (GTK 4.8 starts every scrolled window at the left). */
static void
start_at_row_labels (GtkAdjustment *adjustment,
                     GParamSpec    *pspec,
                     GtkWidget     *scroller)
{
  if (gtk_widget_get_direction (scroller) == GTK_TEXT_DIR_RTL)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
}

/* The row of column titles and each title, GTK 4.8 names by their widget types. */
static void
name_column_titles (GtkColumnView       *view,
                    const ClReportTable *table)
{
  GtkWidget *titles = gtk_widget_get_first_child (GTK_WIDGET (view));
  GtkWidget *title = gtk_widget_get_first_child (titles);

  gtk_accessible_update_property (GTK_ACCESSIBLE (titles), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Column titles"), -1);
  if (title != NULL && table->row_header != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    table->row_header, -1);
  for (guint c = 0; c < table->columns->len && title != NULL; c++)
    {
      const ClReportColumn *col = g_ptr_array_index (table->columns, c);

      title = gtk_widget_get_next_sibling (title);
      if (title != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        col->label, -1);
    }
}

/* The table as a GtkColumnView over its rows: a row has widgets only while it is in view,
 * so a list of 100,000 cases builds what a screen shows. Small tables show whole; a long
 * one scrolls in its card (fit_table_height()). */
static GtkWidget *
table_view (ClReportsPage       *self,
            const ClReportTable *table)
{
  ClReportRows *rows = g_object_new (CL_TYPE_REPORT_ROWS, NULL);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkColumnView *view;
  GtkColumnViewColumn *column;
  GtkAdjustment *adjustment;

  rows->table = table;
  g_ptr_array_add (self->table_rows, g_object_ref (rows));
  view = GTK_COLUMN_VIEW (gtk_column_view_new (
    GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (rows)))));
  gtk_column_view_set_reorderable (view, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, table->title, -1);

  column = table_column (self, table, -1, table->row_header != NULL ? table->row_header : "");
  gtk_column_view_column_set_expand (column, TRUE);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);
  for (guint c = 0; c < table->columns->len; c++)
    {
      const ClReportColumn *col = g_ptr_array_index (table->columns, c);

      column = table_column (self, table, c, col->label);
      gtk_column_view_append_column (view, column);
      g_object_unref (column);
    }
  name_column_titles (view, table);

  /* A table wider than the view (many columns, long titles, large text) scrolls sideways
   * in its card rather than widen the window past the screen. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller),
                                              TABLE_MAX_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (view));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (fit_table_height),
                           scroller, 0);
  g_signal_connect_object (adjustment, "notify::page-size", G_CALLBACK (fit_table_height),
                           scroller, 0);
  adjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (start_at_row_labels),
                           scroller, 0);
  g_signal_connect_object (adjustment, "notify::page-size", G_CALLBACK (start_at_row_labels),
                           scroller, 0);
  return scroller;
}

/* Adds rows to the tables shown for a few milliseconds; the main loop draws a frame
 * between two turns. */
static gboolean
grow_tables_cb (gpointer data)
{
  ClReportsPage *self = data;
  gint64 end = g_get_monotonic_time () + GROW_BUDGET_US;
  gboolean more = FALSE;

  for (guint i = 0; i < self->table_rows->len; i++)
    {
      ClReportRows *rows = g_ptr_array_index (self->table_rows, i);

      while ((more = cl_report_rows_grow (rows)) && g_get_monotonic_time () < end)
        ;
      if (more)
        return G_SOURCE_CONTINUE;
    }
  self->grow_id = 0;
  return G_SOURCE_REMOVE;
}

static GtkWidget *
build_table (ClReportsPage       *self,
             const ClReportTable *table)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (table->title);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_box_append (GTK_BOX (box), title);

  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "report-table");
  gtk_box_append (GTK_BOX (box), card);

  if (table->rows->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("Nothing to show"));

      gtk_widget_add_css_class (none, "dim-label");
      gtk_widget_set_margin_top (none, 12);
      gtk_widget_set_margin_bottom (none, 12);
      gtk_box_append (GTK_BOX (card), none);
    }
  else
    gtk_box_append (GTK_BOX (card), table_view (self, table));

  if (table->note != NULL)
    {
      GtkWidget *note = gtk_label_new (table->note);

      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_widget_add_css_class (note, "dim-label");
      gtk_widget_add_css_class (note, "caption");
      gtk_box_append (GTK_BOX (box), note);
    }

  if (table->chart != CL_REPORT_CHART_NONE && cl_chart_can_draw (table))
    {
      GtkWidget *area = gtk_drawing_area_new ();
      guint rows = n_plotted_rows (table);
      int height = table->chart == CL_REPORT_CHART_TREND ? 220 : CLAMP (rows * 22 + 40, 80, 900);

      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), height);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_chart_cb, (gpointer) table,
                                      NULL);
      gtk_widget_set_margin_top (area, 6);
      gtk_widget_add_css_class (area, "report-chart");
      gtk_accessible_update_property (GTK_ACCESSIBLE (area),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, table->title, -1);
      gtk_box_append (GTK_BOX (box), area);
      g_ptr_array_add (self->charts, area);
    }

  return box;
}

static void
clear_tables (ClReportsPage *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->cells);
  g_hash_table_remove_all (self->buttons);
  g_ptr_array_set_size (self->charts, 0);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  for (guint i = 0; i < self->table_rows->len; i++)
    cl_report_rows_detach (g_ptr_array_index (self->table_rows, i));
  g_ptr_array_set_size (self->table_rows, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tables_box))) != NULL)
    gtk_box_remove (self->tables_box, child);
}

/* Takes the result and its view away: the view first, its rows point into the result. */
static void
forget_result (ClReportsPage *self)
{
  clear_tables (self);
  g_clear_pointer (&self->traced, cl_report_result_free);
  g_clear_pointer (&self->outside_copy, cl_report_result_free);
  g_clear_pointer (&self->result, cl_report_result_free);
}

static void
show_result (ClReportsPage *self)
{
  g_autoptr(GPtrArray) described = NULL;
  GtkWidget *header, *label;
  GString *text;

  clear_tables (self);

  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new (self->result->title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
  gtk_box_append (GTK_BOX (header), label);

  label = gtk_label_new (self->result->description);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (header), label);

  described = cl_report_params_describe (self->result);
  text = g_string_new (NULL);
  for (guint i = 0; described != NULL && i < described->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (described, i));
    }
  label = gtk_label_new (text->str);
  g_string_free (text, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (self->tables_box, header);

  for (guint i = 0; i < self->result->tables->len; i++)
    {
      const ClReportTable *table = g_ptr_array_index (self->result->tables, i);

      gtk_box_append (self->tables_box,
                      cl_on_screen_bin_new (build_table (self, table),
                                            GTK_WIDGET (self->result_scroller)));
    }

  for (guint i = 0; self->result->notes != NULL && i < self->result->notes->len; i++)
    {
      label = gtk_label_new (g_ptr_array_index (self->result->notes, i));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->tables_box, label);
    }

  adw_window_title_set_subtitle (self->window_title, self->result->title);
  gtk_stack_set_visible_child_name (self->result_stack, "result");

  /* The first rows for the first frame, the others in the turns after it. */
  if (grow_tables_cb (self))
    self->grow_id = g_idle_add (grow_tables_cb, self);
}

/* Running ---------------------------------------------------------------------------- */

static void
run_cb (GObject      *source,
        GAsyncResult *res,
        gpointer      data)
{
  g_autoptr(ClReportsPage) self = data;
  g_autoptr(GError) error = NULL;
  ClReportResult *result;

  if (!finish_run (self, source, res, &result, &error))
    return;

  if (run_is_stale (self))
    {
      g_clear_pointer (&result, cl_report_result_free);
      show_no_result (self);
    }
  else if (result == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->result_stack, "error");
    }
  else
    {
      forget_result (self);
      self->result = result;
      show_result (self);
    }
  update_actions (self);
}

/* Filters -------------------------------------------------------------------------- */

/* A report's title: shortened in the dropdown's button (@ellipsize), whole in its list. */
static void
setup_title_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_title_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

/* The report, the period, the filters' button and Run on one line: a long title is
 * shortened in its button (whole in its list), so no language or width pushes Run out of
 * the window. */
static void
filters_init (ClReportsPage *self)
{
  for (int ellipsize = 0; ellipsize <= 1; ellipsize++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (setup_title_cb),
                        GINT_TO_POINTER (ellipsize));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_title_cb), NULL);
      if (ellipsize)
        gtk_drop_down_set_factory (self->report_dropdown, factory);
      else
        gtk_drop_down_set_list_factory (self->report_dropdown, factory);
      g_object_unref (factory);
    }
}

static void
advocates_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  GStrv names = cl_report_vault_list_advocates (source, &error);

  if (names != NULL)
    g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

static void
advocates_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;
  GStrv names = g_task_propagate_pointer (G_TASK (res), &error);
  ClReportsPage *self;
  GtkStringList *list;

  /* Cancelled when the store went: the page may be gone too. */
  if (names == NULL)
    return;
  self = CL_REPORTS_PAGE (data);
  g_clear_object (&self->advocates_cancellable);
  g_strfreev (self->advocates);
  self->advocates = names;
  list = GTK_STRING_LIST (gtk_drop_down_get_model (self->advocate_dropdown));
  gtk_string_list_splice (list, 1, g_list_model_get_n_items (G_LIST_MODEL (list)) - 1,
                          (const char *const *) names);
}

/* The advocates of the store's cases, read in a worker (a scan of every case). */
static void
advocates_load (ClReportsPage *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->advocates_cancellable);
  g_clear_object (&self->advocates_cancellable);
  g_clear_pointer (&self->advocates, g_strfreev);
  gtk_string_list_append (list, _("All advocates"));
  gtk_drop_down_set_model (self->advocate_dropdown, G_LIST_MODEL (list));
  if (self->store == NULL)
    return;

  self->advocates_cancellable = g_cancellable_new ();
  task = g_task_new (self->store, self->advocates_cancellable, advocates_cb, self);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, advocates_thread);
}

/* The whole agency ------------------------------------------------------------------ */

/* Shows the switch when the vault's role may ask the server. */
static void
agency_update (ClReportsPage *self)
{
  g_autoptr(ClSync) sync = self->store != NULL ? cl_sync_new (self->store) : NULL;

  gtk_widget_set_visible (self->agency_box, sync != NULL && cl_sync_role_may_report (sync));
}

static void
agency_note (ClReportsPage *self,
             const char    *text)
{
  gtk_label_set_text (self->agency_note, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->agency_note), text != NULL);
}

/* A switch before the parameters, a note under them. */
static void
agency_init (ClReportsPage *self)
{
  GtkWidget *label = gtk_label_new (_("Whole agency"));

  self->agency_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->agency_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->agency_switch), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->agency_box,
                               _("Off: this workstation’s vault. On: the server, over every "
                                 "case you may read there."));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->agency_switch),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_box_append (GTK_BOX (self->agency_box), label);
  gtk_box_append (GTK_BOX (self->agency_box), GTK_WIDGET (self->agency_switch));
  gtk_grid_attach (self->param_bar, self->agency_box, 0, 0, 2, 1);
  g_signal_connect_object (self->agency_switch, "notify::active",
                           G_CALLBACK (params_changed_cb), self, G_CONNECT_SWAPPED);

  self->agency_note = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->agency_note, TRUE);
  gtk_label_set_xalign (self->agency_note, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (self->agency_note), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->agency_note), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self->agency_note), "warning");
  gtk_widget_insert_after (GTK_WIDGET (self->agency_note), gtk_widget_get_parent (self->param_area),
                           self->param_area);
  agency_note (self, NULL);
  /* The role may change with an enrollment: looked at again whenever the view shows. */
  g_signal_connect_swapped (self, "map", G_CALLBACK (agency_update), self);
}

typedef struct {
  ClSync         *sync;
  char           *name;
  ClReportParams *params;
  ClReportFormat  format;   /* for the outside-use copy of a server result: its export's */
  gboolean        print;    /* or its print */
} ServerRun;

static void
server_run_free (gpointer data)
{
  ServerRun *run = data;

  g_object_unref (run->sync);
  g_free (run->name);
  cl_report_params_free (run->params);
  g_free (run);
}

static void
server_run_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ServerRun *run = task_data;
  GError *error = NULL;
  ClReportResult *result = cl_sync_run_report (run->sync, run->name, run->params,
                                               cancellable, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) cl_report_result_free);
  else
    g_task_return_error (task, error);
}

static void run_cb (GObject *source, GAsyncResult *res, gpointer data);

/* The server's report, or the vault's under a note when the server could not give it. */
static void
server_run_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      data)
{
  ClReportsPage *self = CL_REPORTS_PAGE (source);
  ServerRun *run = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  ClReportResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->running = FALSE;
      if (result == NULL)
        return;
      set_busy (self, FALSE);
      g_clear_object (&self->cancellable);
      if (run_is_stale (self))
        {
          cl_report_result_free (result);
          show_no_result (self);
          return;
        }
      g_clear_pointer (&self->result, cl_report_result_free);
      self->result = result;
      show_result (self);
      update_actions (self);
      return;
    }

  /* Translators: %s is why the server did not answer, on a line of its own. */
  note = g_strdup_printf (_("These figures cover only this workstation’s vault, not the whole "
                            "agency.\n%s"), error->message);
  agency_note (self, note);
  cl_report_run_vault_async (self->store, run->name, run->params, CL_REPORT_RUN_NONE,
                             self->cancellable, run_cb, g_object_ref (self));
}

/**
 * cl_reports_page_run:
 *
 * Runs the chosen report with the parameters shown, in a worker thread.
 */
void
cl_reports_page_run (ClReportsPage *self)
{
  const ClReportInfo *info;
  g_autoptr(ClReportParams) params = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CL_IS_REPORTS_PAGE (self));

  if (self->store == NULL || self->busy)
    return;

  info = selected_info (self);
  if (info == NULL)
    return;

  params = build_params (self, &error);
  if (params == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->result_stack, "error");
      return;
    }

  forget_result (self);
  update_actions (self);

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  self->running = TRUE;
  g_free (self->run_choices);
  self->run_choices = choices_key (self);
  gtk_stack_set_visible_child_name (self->result_stack, "running");
  agency_note (self, NULL);
  agency_update (self);
  if (gtk_widget_get_visible (self->agency_box) && gtk_switch_get_active (self->agency_switch))
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, server_run_cb, NULL);
      ServerRun *run = g_new0 (ServerRun, 1);

      run->sync = cl_sync_new (self->store);
      run->name = g_strdup (info->name);
      run->params = g_steal_pointer (&params);
      g_task_set_task_data (task, run, server_run_free);
      g_task_run_in_thread (task, server_run_thread);
      return;
    }
  cl_report_run_vault_async (self->store, info->name, params, CL_REPORT_RUN_NONE,
                             self->cancellable,
                             run_cb, g_object_ref (self));
}

/* Export ----------------------------------------------------------------------------- */

/* What an export or print for outside use (@outside) starts from: the server's suppressed
 * copy of a server result, else the result shown. */
static const ClReportResult *
released_result (ClReportsPage *self,
                 gboolean       outside)
{
  return outside && self->outside_copy != NULL ? self->outside_copy : self->result;
}

/* Whether an export or print for outside use (@outside) must first ask the server for the
 * suppressed copy. */
static gboolean
needs_outside_copy (ClReportsPage *self,
                    gboolean       outside)
{
  return outside && self->outside_copy == NULL &&
         self->result->source == CL_REPORT_SOURCE_SERVER && !self->result->suppressed;
}

static gboolean
export_to_file (ClReportsPage      *self,
                ClReportFormat      format,
                ClReportWriteFlags  flags,
                gboolean            outside,
                GFile              *file,
                GError            **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;
  const ClReportResult *result = released_result (self, outside);

  if (self->store == NULL || result == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("Run a report first."));
      return FALSE;
    }

  /* cl_report_export() records the audit event first and, for outside use, suppresses
   * small cells in a copy at the result's threshold. */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                           NULL, error);
  if (stream == NULL)
    return FALSE;

  if (!cl_report_export (self->store, result, format, flags, outside,
                         G_OUTPUT_STREAM (stream), NULL, error))
    {
      g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
      g_file_delete (file, NULL, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

typedef struct {
  ClReportsPage  *page;
  ClReportFormat  format;
  gboolean        outside;
} ExportData;

static void print_report (ClReportsPage *self,
                          gboolean       outside);

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->page);
  g_free (data);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     ExportData      *data)
{
  ClReportsPage *self = data->page;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;
      /* A CSV for a spreadsheet starts with a byte order mark. */
      const char *bom = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), "bom");
      ClReportWriteFlags flags = g_strcmp0 (bom, "true") == 0 ? CL_REPORT_WRITE_BOM
                                                               : CL_REPORT_WRITE_NONE;

      if (file != NULL && export_to_file (self, data->format, flags, data->outside, file, &error))
        message (self, _("Report exported"));
      else if (error != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Could not export the report: %s"),
                                                   error->message);
          message (self, text);
        }
    }

  /* The data goes with the chooser. */
  g_clear_object (&self->chooser);
}

/* Closes the file chooser of an export, unanswered: the vault locks. Shown by a portal, it
 * is another program's window, which only this closes. */
static void
close_chooser (ClReportsPage *self)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
}

static void
choose_file (ClReportsPage  *self,
             ClReportFormat  format,
             gboolean        outside)
{
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter = gtk_file_filter_new ();
  ExportData *data = g_new0 (ExportData, 1);
  g_autofree char *name = NULL;
  g_autofree char *from = cl_day_to_string (self->result->params->from);
  g_autofree char *to = cl_day_to_string (self->result->params->to);
  const char *ext = format == CL_REPORT_FORMAT_PDF ? "pdf" : "csv";

  chooser = gtk_file_chooser_native_new (_("Export Report"), cl_widget_get_window (GTK_WIDGET (self)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = g_strdup_printf ("%s-%s-%s.%s", self->result->name, from, to, ext);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (format == CL_REPORT_FORMAT_PDF)
    {
      gtk_file_filter_set_name (filter, _("PDF documents"));
      gtk_file_filter_add_mime_type (filter, "application/pdf");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "bom",
                                   _("For a spreadsheet (Excel): add a byte order mark"),
                                   NULL, NULL);
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  data->page = g_object_ref (self);
  data->format = format;
  data->outside = outside;
  g_signal_connect_data (chooser, "response", G_CALLBACK (chooser_response_cb), data,
                         (GClosureNotify) (void (*) (void)) export_data_free, 0);
  close_chooser (self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* The export or print the warning was answered with (@print), for outside use or not. */
static void
release (ClReportsPage  *self,
         ClReportFormat  format,
         gboolean        print,
         gboolean        outside)
{
  if (print)
    print_report (self, outside);
  else
    choose_file (self, format, outside);
}

/* The server's copy for outside use has come: released; or not: nothing leaves. */
static void
outside_run_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      data)
{
  ClReportsPage *self = CL_REPORTS_PAGE (source);
  ServerRun *run = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  ClReportResult *result;

  self->running = FALSE;
  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (result == NULL)
    {
      g_autofree char *text = g_strdup_printf (run->print ? _("Could not print the report: %s")
                                                          : _("Could not export the report: %s"),
                                               error->message);
      message (self, text);
      return;
    }
  g_clear_pointer (&self->outside_copy, cl_report_result_free);
  self->outside_copy = result;
  release (self, run->format, run->print, TRUE);
}

/* Asks the server, in a worker, for the suppressed copy of the server's result shown, then
 * exports or prints it (@print). */
static void
ask_outside_copy (ClReportsPage  *self,
                  ClReportFormat  format,
                  gboolean        print)
{
  g_autoptr(GTask) task = NULL;
  ServerRun *run;

  if (self->store == NULL || self->busy)
    return;

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  self->running = TRUE;
  task = g_task_new (self, self->cancellable, outside_run_cb, NULL);
  run = g_new0 (ServerRun, 1);
  run->sync = cl_sync_new (self->store);
  run->name = g_strdup (self->result->name);
  run->params = cl_report_params_copy (self->result->params);
  run->params->outside = TRUE;
  run->format = format;
  run->print = print;
  g_task_set_task_data (task, run, server_run_free);
  g_task_run_in_thread (task, server_run_thread);
}

static void
warning_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     ExportData       *data)
{
  GtkSwitch *outside = g_object_get_data (G_OBJECT (dialog), "cl-outside");
  gboolean suppress = outside != NULL && gtk_switch_get_active (outside);
  gboolean print = g_strcmp0 (response, "print") == 0;

  if (data->page->result == NULL || (!print && g_strcmp0 (response, "export") != 0))
    return;
  if (needs_outside_copy (data->page, suppress))
    ask_outside_copy (data->page, data->format, print);
  else
    release (data->page, data->format, print, suppress);
}

/* The warning before a report leaves the vault, on paper (@print) or in a file of @format,
 * with the choice of small-cell suppression for a funder report. */
static void
ask_release (ClReportsPage  *self,
             ClReportFormat  format,
             gboolean        print)
{
  AdwMessageDialog *dialog;
  ExportData *data;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (cl_widget_get_window (GTK_WIDGET (self)),
                                                       print ? _("Print Report?")
                                                             : _("Export Report?"), NULL));
  adw_message_dialog_format_body (dialog, "%s",
                                  print ? _("Printed pages leave the encrypted vault: keep them "
                                            "somewhere safe and shred them when they are no "
                                            "longer needed. The printing is recorded in the "
                                            "audit log.")
                                        : _("The file leaves the encrypted vault: keep it somewhere safe "
                                            "and delete it when it is no longer needed. The export is "
                                            "recorded in the audit log."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), NULL);
  if (print)
    adw_message_dialog_add_response (dialog, "print", _("_Print"));
  else
    adw_message_dialog_add_response (dialog, "export", _("_Export"));
  adw_message_dialog_set_response_appearance (dialog, print ? "print" : "export",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  if (self->result->funder)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new_with_mnemonic (_("For _outside use (suppress small counts)"));
      GtkWidget *sw = gtk_switch_new ();

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), sw);
      gtk_switch_set_active (GTK_SWITCH (sw), TRUE);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (sw),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), sw);
      adw_message_dialog_set_extra_child (dialog, box);
      g_object_set_data (G_OBJECT (dialog), "cl-outside", sw);
    }

  data = g_new0 (ExportData, 1);
  data->page = g_object_ref (self);
  data->format = format;
  g_signal_connect_data (dialog, "response", G_CALLBACK (warning_response_cb), data,
                         (GClosureNotify) (void (*) (void)) export_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ClReportsPage *self = CL_REPORTS_PAGE (widget);
  ClReportFormat format;

  if (self->result != NULL &&
      cl_report_format_from_string (g_variant_get_string (param, NULL), &format))
    ask_release (self, format, FALSE);
}

/* Print ------------------------------------------------------------------------------ */

/* The pages of the PDF export (cl_report_paginate()), laid out for the paper of the print
 * dialog (US Letter, the export's, unless changed there), drawn from the result released
 * for printing: audited, and suppressed for outside use. */
typedef struct {
  ClReportsPage  *page;
  ClReportResult *result;
  ClReportPages  *pages;
} PrintData;

static void
print_data_free (PrintData *data)
{
  data->page->printing--;
  g_clear_object (&data->page);
  g_clear_pointer (&data->pages, cl_report_pages_free);
  g_clear_pointer (&data->result, cl_report_result_free);
  g_free (data);
}

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PrintData         *data)
{
  g_clear_pointer (&data->pages, cl_report_pages_free);
  data->pages = cl_report_paginate (data->result, gtk_print_context_get_width (context),
                                    gtk_print_context_get_height (context));
  gtk_print_operation_set_n_pages (operation, cl_report_pages_get_n (data->pages));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              PrintData         *data)
{
  cl_report_pages_draw (data->pages, gtk_print_context_get_cairo_context (context),
                        (guint) page_nr);
}

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               PrintData               *data)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gtk_print_operation_get_error (operation, &error);
      message (data->page, error != NULL ? error->message : _("Could not print the report"));
    }
}

static void
print_report (ClReportsPage *self,
              gboolean       outside)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) letter = gtk_paper_size_new (GTK_PAPER_NAME_LETTER);
  g_autoptr(GError) error = NULL;
  ClReportResult *released;
  PrintData *data;

  if (self->store == NULL)
    return;

  /* Printed pages leave the vault like an export: audited first, or not printed. */
  released = cl_report_release (self->store, released_result (self, outside), "print", "print",
                                outside, &error);
  if (released == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not print the report: %s"),
                                               error->message);
      message (self, text);
      return;
    }

  data = g_new0 (PrintData, 1);
  data->page = g_object_ref (self);
  data->result = released;
  self->printing++;

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_job_name (operation, released->title);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  /* The pages keep margins of their own, in points, as on the exported PDF. */
  gtk_page_setup_set_paper_size (setup, letter);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  /* Not in a main loop of its own: the vault can lock while the dialog asks (which closes
   * it), and nothing waits for it meanwhile. */
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), data);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), data);
  g_signal_connect (operation, "done", G_CALLBACK (print_done_cb), data);
  g_object_set_data_full (G_OBJECT (operation), "cl-print-data", data,
                          (GDestroyNotify) print_data_free);
  if (self->print_path != NULL)
    gtk_print_operation_set_export_filename (operation, self->print_path);
  gtk_print_operation_run (operation,
                           self->print_path != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                    : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                           cl_widget_get_window (GTK_WIDGET (self)), &error);
  if (error != NULL)
    message (self, error->message);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  ClReportsPage *self = CL_REPORTS_PAGE (widget);

  if (self->result != NULL && self->store != NULL)
    ask_release (self, CL_REPORT_FORMAT_PDF, TRUE);
}

/* Callbacks -------------------------------------------------------------------------- */

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  cl_reports_page_run (CL_REPORTS_PAGE (widget));
}

/* The report or a parameter changed: the result shown is no longer the one chosen, and
 * Export or Print would write it. It goes (a run under way is dropped when it ends). */
static void
params_changed_cb (ClReportsPage *self)
{
  if (!self->busy && run_is_stale (self) &&
      (self->result != NULL ||
       g_strcmp0 (gtk_stack_get_visible_child_name (self->result_stack), "error") == 0))
    show_no_result (self);
}

static void
report_changed_cb (ClReportsPage *self)
{
  const ClReportInfo *info = selected_info (self);

  if (info != NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->report_dropdown),
                                 g_dgettext (GETTEXT_PACKAGE, info->description));
  params_changed_cb (self);
}

static void
period_changed_cb (ClReportsPage *self)
{
  gboolean custom = gtk_drop_down_get_selected (self->period_dropdown) == PERIOD_CUSTOM;

  gtk_widget_set_visible (self->custom_box, custom);
  if (custom)
    gtk_widget_grab_focus (GTK_WIDGET (self->from_entry));
  params_changed_cb (self);
}

static void
entry_activate_cb (ClReportsPage *self)
{
  cl_reports_page_run (self);
}

static void
style_changed_cb (ClReportsPage *self)
{
  redraw_charts (self);
}

/* Object ----------------------------------------------------------------------------- */

static void
cl_reports_page_dispose (GObject *object)
{
  ClReportsPage *self = CL_REPORTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->advocates_cancellable);
  g_clear_object (&self->advocates_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_REPORTS_PAGE);
  g_clear_object (&self->store);
  g_clear_object (&self->command_codes);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  for (guint i = 0; i < self->table_rows->len; i++)
    cl_report_rows_detach (g_ptr_array_index (self->table_rows, i));
  g_ptr_array_set_size (self->table_rows, 0);
  g_clear_pointer (&self->result, cl_report_result_free);
  g_clear_pointer (&self->traced, cl_report_result_free);
  g_clear_pointer (&self->outside_copy, cl_report_result_free);
  g_clear_weak_pointer (&self->drill_window);
  close_chooser (self);

  G_OBJECT_CLASS (cl_reports_page_parent_class)->dispose (object);
}

static void
cl_reports_page_finalize (GObject *object)
{
  ClReportsPage *self = CL_REPORTS_PAGE (object);

  g_clear_pointer (&self->cells, g_hash_table_unref);
  g_clear_pointer (&self->buttons, g_hash_table_unref);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  g_free (self->print_path);
  g_clear_pointer (&self->table_rows, g_ptr_array_unref);
  g_free (self->drill_row);
  g_free (self->drill_col);
  g_strfreev (self->advocates);
  g_free (self->run_choices);

  G_OBJECT_CLASS (cl_reports_page_parent_class)->finalize (object);
}

static void
cl_reports_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClReportsPage *self = CL_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reports_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ClReportsPage *self = CL_REPORTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Coming to the page, the keyboard starts at the report to choose, not on an action such
 * as Export. */
static gboolean
cl_reports_page_grab_focus (GtkWidget *widget)
{
  ClReportsPage *self = CL_REPORTS_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->report_dropdown));
}

static void
cl_reports_page_class_init (ClReportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_reports_page_dispose;
  object_class->finalize = cl_reports_page_finalize;
  object_class->get_property = cl_reports_page_get_property;
  object_class->set_property = cl_reports_page_set_property;

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClReportsPage::message:
   * @text: a short message for a toast
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ClReportsPage::open-case:
   * @case_id: a case chosen from the cases behind a count
   */
  signals[SIGNAL_OPEN_CASE] =
    g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  widget_class->grab_focus = cl_reports_page_grab_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-reports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, report_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, command_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, track_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, funding_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, borough_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, advocate_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, param_area);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, custom_box);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, filters_button);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, result_stack);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, param_bar);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, tables_box);
  gtk_widget_class_bind_template_child (widget_class, ClReportsPage, result_scroller);
  gtk_widget_class_bind_template_callback (widget_class, report_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, period_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, params_changed_cb);

  gtk_widget_class_install_action (widget_class, "reports.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "reports.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "reports.print", NULL, print_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "reports.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "reports.print", NULL);
}

static void
cl_reports_page_init (ClReportsPage *self)
{
  g_autoptr(GtkStringList) reports = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) tracks = NULL;
  g_autoptr(GtkStringList) funding = NULL;
  g_autoptr(GtkStringList) boroughs = NULL;
  const ClReportInfo *list;
  guint n = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->charts = g_ptr_array_new ();
  self->table_rows = g_ptr_array_new_with_free_func (g_object_unref);

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (reports, g_dgettext (GETTEXT_PACKAGE, list[i].title));
  gtk_drop_down_set_model (self->report_dropdown, G_LIST_MODEL (reports));
  report_changed_cb (self);

  tracks = cl_enum_string_list_new ("track", _("All tracks"));
  gtk_drop_down_set_model (self->track_dropdown, G_LIST_MODEL (tracks));
  funding = cl_enum_string_list_new ("funding_source", _("All funding sources"));
  gtk_drop_down_set_model (self->funding_dropdown, G_LIST_MODEL (funding));
  boroughs = cl_enum_string_list_new ("borough", _("All boroughs"));
  gtk_drop_down_set_model (self->borough_dropdown, G_LIST_MODEL (boroughs));
  filters_init (self);
  agency_init (self);
  cl_reports_page_set_store (self, NULL, NULL, NULL);
  /* Scrolled, or the tables' heights or the window's changed. */
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->result_scroller),
                           "value-changed", G_CALLBACK (result_scrolled_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->result_scroller),
                           "changed", G_CALLBACK (result_scrolled_cb), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::high-contrast",
                           G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "direction-changed", G_CALLBACK (style_changed_cb), NULL);

  update_actions (self);
}

/* Public ----------------------------------------------------------------------------- */

/**
 * cl_reports_page_set_store:
 * @store: (nullable): the unlocked vault's store, or %NULL when locked
 * @command_codes: (nullable): the active commands' codes
 * @command_labels: (nullable): their names, in the same order
 */
void
cl_reports_page_set_store (ClReportsPage *self,
                           ClStore       *store,
                           GtkStringList *command_codes,
                           GtkStringList *command_labels)
{
  g_autoptr(GtkStringList) commands = gtk_string_list_new (NULL);

  g_return_if_fail (CL_IS_REPORTS_PAGE (self));
  g_return_if_fail (store == NULL || CL_IS_STORE (store));

  if (store == NULL)
    cl_reports_page_clear (self);

  g_set_object (&self->store, store);
  g_set_object (&self->command_codes, command_codes);

  gtk_string_list_append (commands, _("All commands"));
  for (guint i = 0; command_labels != NULL &&
                    i < g_list_model_get_n_items (G_LIST_MODEL (command_labels)); i++)
    gtk_string_list_append (commands, gtk_string_list_get_string (command_labels, i));
  gtk_drop_down_set_model (self->command_dropdown, G_LIST_MODEL (commands));
  advocates_load (self);
  agency_update (self);
  update_actions (self);
}

/**
 * cl_reports_page_clear:
 *
 * Forgets the result and stops a run in progress, before the vault locks. A run that is
 * reading is cancelled; this waits until its worker has let go of the store.
 */
void
cl_reports_page_clear (ClReportsPage *self)
{
  g_return_if_fail (CL_IS_REPORTS_PAGE (self));

  if (self->cancellable != NULL)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      /* The worker checks the cancellable between statements; wait until it has let go
       * of the store, so the vault can close under no reader. */
      g_cancellable_cancel (self->cancellable);
      while (self->running)
        g_main_context_iteration (context, TRUE);
      g_clear_object (&self->cancellable);
    }
  set_busy (self, FALSE);
  /* The cases behind a count name clients: they go with the result. */
  if (self->drill_window != NULL)
    gtk_window_destroy (self->drill_window);
  close_chooser (self);
  forget_result (self);
  agency_note (self, NULL);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->result_stack, "empty");
  update_actions (self);
}

gboolean
cl_reports_page_get_busy (ClReportsPage *self)
{
  g_return_val_if_fail (CL_IS_REPORTS_PAGE (self), FALSE);

  return self->busy;
}

const ClReportResult *
cl_reports_page_get_result (ClReportsPage *self)
{
  g_return_val_if_fail (CL_IS_REPORTS_PAGE (self), NULL);

  return self->result;
}

void
_cl_reports_page_set_report (ClReportsPage *self,
                             const char    *name)
{
  guint n = 0;
  const ClReportInfo *list = cl_report_list (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (list[i].name, name) == 0)
      {
        gtk_drop_down_set_selected (self->report_dropdown, i);
        return;
      }
  g_return_if_reached ();
}

void
_cl_reports_page_set_custom_period (ClReportsPage *self,
                                    const char    *from,
                                    const char    *to)
{
  gtk_drop_down_set_selected (self->period_dropdown, PERIOD_CUSTOM);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
}

const char *
_cl_reports_page_get_cell_text (ClReportsPage *self,
                                const char    *table,
                                const char    *row,
                                const char    *column)
{
  g_autofree char *key = cell_key (table, row, column);
  GtkLabel *label = g_hash_table_lookup (self->cells, key);

  return label != NULL ? gtk_label_get_text (label) : NULL;
}

/* Whether rows are still being added to the tables shown. */
gboolean
_cl_reports_page_get_filling (ClReportsPage *self)
{
  return self->grow_id != 0;
}

/* Shows @result (transfer full) as if a run had given it. */
void
_cl_reports_page_show_result (ClReportsPage  *self,
                              ClReportResult *result)
{
  forget_result (self);
  self->result = result;
  show_result (self);
  update_actions (self);
}

gboolean
_cl_reports_page_export_to_path (ClReportsPage  *self,
                                 ClReportFormat  format,
                                 gboolean        outside,
                                 const char     *path,
                                 GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return export_to_file (self, format, CL_REPORT_WRITE_NONE, outside, file, error);
}

/* Prints to the PDF file @path (the print operation's export), without the print dialog;
 * %NULL: through the dialog again. The warning still asks first. */
void
_cl_reports_page_set_print_path (ClReportsPage *self,
                                 const char    *path)
{
  g_free (self->print_path);
  self->print_path = g_strdup (path);
}

gboolean
_cl_reports_page_get_printing (ClReportsPage *self)
{
  return self->printing > 0;
}

/* The button of a drillable cell (@column "" for a case row's label), or NULL. */
GtkWidget *
_cl_reports_page_get_cell_button (ClReportsPage *self,
                                  const char    *table,
                                  const char    *row,
                                  const char    *column)
{
  g_autofree char *key = cell_key (table, row, column);

  return g_hash_table_lookup (self->buttons, key);
}

GtkWindow *
_cl_reports_page_get_drill_window (ClReportsPage *self)
{
  return self->drill_window;
}

/* Scrolls the result so that chart @index is at the top; FALSE if there is none. */
gboolean
_cl_reports_page_scroll_to_chart (ClReportsPage *self,
                                  guint          index)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->result_scroller);
  graphene_point_t point;

  if (index >= self->charts->len ||
      !gtk_widget_compute_point (g_ptr_array_index (self->charts, index),
                                 GTK_WIDGET (self->tables_box),
                                 &GRAPHENE_POINT_INIT (0, 0), &point))
    return FALSE;

  gtk_adjustment_set_value (adjustment, point.y - 80);
  return TRUE;
}

GtkSwitch *
_cl_reports_page_get_agency_switch (ClReportsPage *self)
{
  return gtk_widget_get_visible (self->agency_box) ? self->agency_switch : NULL;
}

const char *
_cl_reports_page_get_agency_note (ClReportsPage *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->agency_note))
         ? gtk_label_get_text (self->agency_note) : NULL;
}

/* The dropdown of the report ("report") or of a filter ("period", "command", "borough",
 * "advocate", "track", "funding"). */
GtkDropDown *
_cl_reports_page_get_filter (ClReportsPage *self,
                             const char    *name)
{
  const struct {
    const char  *name;
    GtkDropDown *dropdown;
  } filters[] = {
    { "report", self->report_dropdown },
    { "period", self->period_dropdown },
    { "command", self->command_dropdown },
    { "borough", self->borough_dropdown },
    { "advocate", self->advocate_dropdown },
    { "track", self->track_dropdown },
    { "funding", self->funding_dropdown },
  };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    if (g_str_equal (filters[i].name, name))
      return filters[i].dropdown;
  g_return_val_if_reached (NULL);
}

GtkWidget *
_cl_reports_page_get_run_button (ClReportsPage *self)
{
  return self->run_button;
}
