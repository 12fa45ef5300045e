/* cl-case-list-view.c: the table of cases of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over a list of ClCaseSummary (the lazily loaded ClCaseList or search
 * results): client, case number, status, track, last activity and next due.
 *
 * Widths. The case number, status and dates are never cut short: their cells are as wide
 * as their longest text, in any language and at any text size. When the columns do not
 * fit, the least important ones leave the view (track, then last activity, then the case
 * number, then the status), and the client column takes the room; each row still says all
 * of it to a screen reader. The columns are taken out rather than hidden: GTK 4.8 still
 * counts hidden columns' widths.
 *
 * Sorting is done by SQLite (ClCaseList): a header click only reports the key
 * (::sort-changed), and cl_case_list_view_show_sort() shows the one arrow.
 */

#define G_LOG_DOMAIN "cl-case-list-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-list-view.h"
#include "cl-case-sorter.h"
#include "cl-case-summary.h"
#include "cl-gui-util.h"

typedef enum {
  COLUMN_NAME,
  COLUMN_NUMBER,
  COLUMN_STATUS,
  COLUMN_TRACK,
  COLUMN_ACTIVITY,
  COLUMN_DUE,
  N_COLUMNS
} Column;

/* The columns that leave a view too narrow for them, least important first. */
static const Column hide_order[] = { COLUMN_TRACK, COLUMN_ACTIVITY, COLUMN_NUMBER, COLUMN_STATUS };

/* Room a column takes beside its text: the cell's padding and the header's sort arrow. */
#define COLUMN_CHROME 56
/* The client column is at least this many characters wide before another column goes. */
#define NAME_MIN_CHARS 10

struct _ClCaseListView
{
  GtkWidget            parent_instance;

  GtkWidget           *scrolled;
  GtkColumnView       *view;
  GtkSingleSelection  *selection;
  GtkColumnViewColumn *columns[N_COLUMNS];
  char                *titles[N_COLUMNS];
  int                  widths[N_COLUMNS];   /* the widest cell seen in each column */
  GHashTable          *cells;               /* cell child → Column, while bound */
  ClCaseSort           sort;
  gboolean             descending;
  guint                n_hidden;            /* how many of hide_order are out of the view */
  guint                hide_id;
  guint                syncing_sort : 1;
};

G_DEFINE_FINAL_TYPE (ClCaseListView, cl_case_list_view, GTK_TYPE_WIDGET)

enum {
  CASE_ACTIVATED,
  SORT_CHANGED,
  ITEMS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The width @column needs: its title's and its widest cell's, of those shown now (at the
 * text size of now) and, for a column out of the view, of those seen before. */
static int
column_width (ClCaseListView *self,
              Column          column)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                                                 self->titles[column]);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  GHashTableIter iter;
  gpointer widget, value;
  int width;

  /* Column titles are bold. */
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_layout_get_pixel_size (layout, &width, NULL);

  g_hash_table_iter_init (&iter, self->cells);
  while (g_hash_table_iter_next (&iter, &widget, &value))
    if (GPOINTER_TO_UINT (value) == column && gtk_widget_get_mapped (widget))
      {
        int natural = 0;

        gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL,
                            NULL);
        self->widths[column] = MAX (self->widths[column], natural);
      }

  return MAX (width, self->widths[column]);
}

static void
note_cell (ClCaseListView *self,
           Column          column,
           GtkWidget      *widget)
{
  g_hash_table_insert (self->cells, widget, GUINT_TO_POINTER (column));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                ClCaseListView           *self)
{
  if (self->cells != NULL)
    g_hash_table_remove (self->cells, gtk_list_item_get_child (item));
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);

  if (column == COLUMN_NAME || column == COLUMN_TRACK)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_NUMBER || column == COLUMN_ACTIVITY || column == COLUMN_DUE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_NUMBER)
    gtk_widget_add_css_class (label, "dim-label");
  /* Named for the layout test, which finds them by name. */
  if (column == COLUMN_NUMBER)
    gtk_widget_set_name (label, "case-number");
  else if (column == COLUMN_STATUS)
    gtk_widget_set_name (label, "case-status");
  else if (column == COLUMN_DUE)
    gtk_widget_set_name (label, "case-due");

  if (column == COLUMN_NAME || column == COLUMN_DUE)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *icon;

      if (column == COLUMN_NAME)
        {
          icon = gtk_image_new_from_icon_name ("system-lock-screen-symbolic");
          gtk_widget_set_tooltip_text (icon, _("Restricted case"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Restricted case"), -1);
          gtk_widget_add_css_class (icon, "dim-label");
          gtk_widget_set_hexpand (label, TRUE);
          gtk_box_append (GTK_BOX (box), label);
          gtk_box_append (GTK_BOX (box), icon);
        }
      else
        {
          /* Overdue is not said by colour alone. */
          icon = gtk_image_new_from_icon_name ("alarm-symbolic");
          gtk_widget_set_tooltip_text (icon, _("Overdue"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Overdue"), -1);
          gtk_widget_add_css_class (icon, "error");
          gtk_box_append (GTK_BOX (box), icon);
          gtk_box_append (GTK_BOX (box), label);
        }
      gtk_list_item_set_child (item, box);
      return;
    }

  gtk_list_item_set_child (item, label);
}

/* What a screen reader says of a row: the whole case, whichever columns are shown. */
static char *
describe_case (ClCaseSummary *summary,
               const char    *name)
{
  const char *number = cl_case_summary_get_case_number (summary);
  const char *status = cl_enum_label ("case_status", cl_case_summary_get_status (summary));
  const char *due = cl_case_summary_get_next_due (summary);
  g_autofree char *date = NULL;

  if (due == NULL)
    /* Translators: a row of the case list read by a screen reader: client, case number,
     * status */
    return g_strdup_printf (_("%1$s, case %2$s, %3$s, nothing due"), name, number, status);

  date = cl_format_date (due);
  if (cl_days_until (due) < 0)
    /* Translators: a row of the case list read by a screen reader: client, case number,
     * status, date */
    return g_strdup_printf (_("%1$s, case %2$s, %3$s, overdue since %4$s"),
                            name, number, status, date);

  /* Translators: a row of the case list read by a screen reader: client, case number,
   * status, date */
  return g_strdup_printf (_("%1$s, case %2$s, %3$s, next due %4$s"), name, number, status,
                          date);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ClCaseListView           *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "cl-column"));
  ClCaseSummary *summary = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  if (summary == NULL)
    return;

  switch (column)
    {
    case COLUMN_NAME:
      {
        GtkWidget *label = gtk_widget_get_first_child (child);
        GtkWidget *icon = gtk_widget_get_next_sibling (label);
        const char *name = cl_case_summary_get_display_name (summary);
        GtkWidget *cell = gtk_widget_get_parent (child);
        GtkWidget *row = cell != NULL ? gtk_widget_get_parent (cell) : NULL;

        if (name == NULL || *name == '\0')
          name = _("Unnamed client");
        gtk_label_set_text (GTK_LABEL (label), name);
        gtk_widget_set_visible (icon, cl_case_summary_get_restricted (summary));

        /* GTK 4.8 names a row by its widget type: it is named by its case instead. */
        if (row != NULL)
          {
            text = describe_case (summary, name);
            gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                            GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
          }
      }
      return;

    case COLUMN_NUMBER:
      gtk_label_set_text (GTK_LABEL (child), cl_case_summary_get_case_number (summary));
      break;

    case COLUMN_STATUS:
      gtk_label_set_text (GTK_LABEL (child),
                          cl_enum_label ("case_status", cl_case_summary_get_status (summary)));
      break;

    case COLUMN_TRACK:
      gtk_label_set_text (GTK_LABEL (child),
                          cl_enum_label ("track", cl_case_summary_get_track (summary)));
      return;

    case COLUMN_ACTIVITY:
      text = cl_format_relative (cl_case_summary_get_last_activity (summary));
      gtk_label_set_text (GTK_LABEL (child), text);
      break;

    case COLUMN_DUE:
      {
        const char *due = cl_case_summary_get_next_due (summary);
        GtkWidget *icon = gtk_widget_get_first_child (child);
        GtkWidget *label = gtk_widget_get_next_sibling (icon);
        gboolean overdue = due != NULL && cl_days_until (due) < 0;

        text = cl_format_date (due);
        gtk_label_set_text (GTK_LABEL (label), text);
        gtk_widget_set_visible (icon, overdue);
        if (overdue)
          gtk_widget_add_css_class (label, "error");
        else
          gtk_widget_remove_css_class (label, "error");
      }
      break;

    default:
      g_assert_not_reached ();
    }

  note_cell (self, column, child);
}

static void
view_sorter_changed_cb (ClCaseListView *self,
                        GtkSorterChange change,
                        GtkSorter      *sorter)
{
  ClCaseSort sort;
  gboolean descending;

  if (self->syncing_sort)
    return;

  if (!cl_case_sorter_probe (sorter, &sort, &descending))
    return;

  /* A header click makes its column the primary key and keeps the others as secondary
   * ones; the list sorts by one key, so it shows only that one. */
  g_signal_emit (self, signals[SORT_CHANGED], 0, (guint) sort, descending);
}

static void
activate_cb (ClCaseListView *self,
             guint           position)
{
  g_autoptr(ClCaseSummary) summary = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                            position);

  if (summary != NULL)
    g_signal_emit (self, signals[CASE_ACTIVATED], 0, cl_case_summary_get_id (summary));
}

static void
selection_items_changed_cb (ClCaseListView *self)
{
  g_signal_emit (self, signals[ITEMS_CHANGED], 0);
}

static void
add_column (ClCaseListView *self,
            Column          column,
            const char     *title,
            int             sort,
            gboolean        expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_object_set_data (G_OBJECT (factory), "cl-column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (column));
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cell_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_cell_cb), self, 0);

  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (sort >= 0)
    {
      g_autoptr(ClCaseSorter) sorter = cl_case_sorter_new ((ClCaseSort) sort);
      gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
    }

  gtk_column_view_append_column (self->view, col);
  self->columns[column] = col;  /* owned: a column may be taken out of the view */
  self->titles[column] = g_strdup (title);
}

static gboolean
in_view (ClCaseListView      *self,
         GtkColumnViewColumn *column)
{
  return gtk_column_view_column_get_column_view (column) == self->view;
}

/* Puts the columns of hide_order past @n_hidden back, each after those before it, and
 * takes the first @n_hidden out. */
static void
apply_hidden (ClCaseListView *self,
              guint           n_hidden)
{
  self->n_hidden = n_hidden;

  for (guint i = 0; i < G_N_ELEMENTS (hide_order); i++)
    {
      GtkColumnViewColumn *column = self->columns[hide_order[i]];

      if (i < n_hidden && in_view (self, column))
        gtk_column_view_remove_column (self->view, column);
      else if (i >= n_hidden && !in_view (self, column))
        {
          guint position = 0;

          for (guint k = 0; k < (guint) hide_order[i]; k++)
            position += in_view (self, self->columns[k]);
          gtk_column_view_insert_column (self->view, position, column);
        }
    }

  cl_case_list_view_show_sort (self, self->sort, self->descending);
}

static gboolean
hide_cb (gpointer data)
{
  ClCaseListView *self = data;
  guint n_hidden = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self), "cl-n-hidden"));

  self->hide_id = 0;
  apply_hidden (self, n_hidden);

  return G_SOURCE_REMOVE;
}

/* How many columns of hide_order must leave for the rest to fit in @width. */
static guint
columns_to_hide (ClCaseListView *self,
                 int             width)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);
  int name_min = NAME_MIN_CHARS * pango_font_metrics_get_approximate_char_width (metrics) /
                 PANGO_SCALE;
  int widths[N_COLUMNS];
  int needed = name_min + COLUMN_CHROME;
  guint n_hidden;

  pango_font_metrics_unref (metrics);

  /* The client's name may be cut short: it is the column that gives. */
  for (guint i = 0; i < N_COLUMNS; i++)
    if (i != COLUMN_NAME)
      needed += (widths[i] = column_width (self, i)) + COLUMN_CHROME;

  for (n_hidden = 0; n_hidden < G_N_ELEMENTS (hide_order) && needed > width; n_hidden++)
    needed -= widths[hide_order[n_hidden]] + COLUMN_CHROME;

  return n_hidden;
}

static void
cl_case_list_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  ClCaseListView *self = CL_CASE_LIST_VIEW (widget);
  guint n_hidden = columns_to_hide (self, width);

  gtk_widget_allocate (self->scrolled, width, height, baseline, NULL);

  /* Columns change after this allocation, not in it. */
  if (n_hidden != self->n_hidden)
    {
      g_object_set_data (G_OBJECT (self), "cl-n-hidden", GUINT_TO_POINTER (n_hidden));
      if (self->hide_id == 0)
        self->hide_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, hide_cb, self, NULL);
    }
}

static void
cl_case_list_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  ClCaseListView *self = CL_CASE_LIST_VIEW (widget);

  gtk_widget_measure (self->scrolled, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
cl_case_list_view_dispose (GObject *object)
{
  ClCaseListView *self = CL_CASE_LIST_VIEW (object);

  g_clear_handle_id (&self->hide_id, g_source_remove);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->selection);
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_clear_object (&self->columns[i]);
      g_clear_pointer (&self->titles[i], g_free);
    }
  g_clear_pointer (&self->cells, g_hash_table_unref);

  G_OBJECT_CLASS (cl_case_list_view_parent_class)->dispose (object);
}

static gboolean
cl_case_list_view_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CL_CASE_LIST_VIEW (widget)->view));
}

static void
cl_case_list_view_class_init (ClCaseListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_list_view_dispose;
  widget_class->measure = cl_case_list_view_measure;
  widget_class->size_allocate = cl_case_list_view_size_allocate;
  widget_class->grab_focus = cl_case_list_view_grab_focus;

  /**
   * ClCaseListView::case-activated:
   * @case_id: the case of the row
   *
   * A row was activated (double click, Enter): its case is to be opened.
   */
  signals[CASE_ACTIVATED] =
    g_signal_new ("case-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ClCaseListView::sort-changed:
   * @sort: the #ClCaseSort of the header clicked
   * @descending: its direction
   */
  signals[SORT_CHANGED] =
    g_signal_new ("sort-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);

  /**
   * ClCaseListView::items-changed:
   *
   * The list shown gained or lost rows, or another list is shown.
   */
  signals[ITEMS_CHANGED] =
    g_signal_new ("items-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cl_case_list_view_init (ClCaseListView *self)
{
  self->cells = g_hash_table_new (NULL, NULL);
  self->sort = CL_CASE_SORT_LAST_ACTIVITY;
  self->descending = TRUE;

  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_row_separators (self->view, TRUE);
  gtk_column_view_set_reorderable (self->view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "case-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cases"), -1);
  g_signal_connect_object (self->view, "activate", G_CALLBACK (activate_cb), self,
                           G_CONNECT_SWAPPED);
  /* The row of column titles, first of the view's children, GTK 4.8 names by its type. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (GTK_WIDGET (self->view))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Column titles"), -1);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled),
                                 GTK_WIDGET (self->view));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));

  add_column (self, COLUMN_NAME, _("Client"), CL_CASE_SORT_NAME, TRUE);
  add_column (self, COLUMN_NUMBER, _("Case"), -1, FALSE);
  add_column (self, COLUMN_STATUS, _("Status"), CL_CASE_SORT_STATUS, FALSE);
  add_column (self, COLUMN_TRACK, _("Track"), CL_CASE_SORT_TRACK, FALSE);
  add_column (self, COLUMN_ACTIVITY, _("Last Activity"), CL_CASE_SORT_LAST_ACTIVITY, FALSE);
  add_column (self, COLUMN_DUE, _("Next Due"), CL_CASE_SORT_NEXT_DUE, FALSE);

  g_signal_connect_object (gtk_column_view_get_sorter (self->view), "changed",
                           G_CALLBACK (view_sorter_changed_cb), self, G_CONNECT_SWAPPED);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (selection_items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));
}

GtkWidget *
cl_case_list_view_new (void)
{
  return g_object_new (CL_TYPE_CASE_LIST_VIEW, NULL);
}

/**
 * cl_case_list_view_set_model:
 * @model: (nullable): a #GListModel of #ClCaseSummary
 */
void
cl_case_list_view_set_model (ClCaseListView *self,
                             GListModel     *model)
{
  g_return_if_fail (CL_IS_CASE_LIST_VIEW (self));

  gtk_single_selection_set_model (self->selection, model);
  g_signal_emit (self, signals[ITEMS_CHANGED], 0);
}

/**
 * cl_case_list_view_get_model:
 *
 * Returns: (transfer none) (nullable): the list shown
 */
GListModel *
cl_case_list_view_get_model (ClCaseListView *self)
{
  g_return_val_if_fail (CL_IS_CASE_LIST_VIEW (self), NULL);

  return gtk_single_selection_get_model (self->selection);
}

/**
 * cl_case_list_view_show_sort:
 *
 * Shows one arrow, on the header of @sort (none when its column is out of the view).
 */
void
cl_case_list_view_show_sort (ClCaseListView *self,
                             ClCaseSort      sort,
                             gboolean        descending)
{
  GtkColumnViewColumn *column = NULL;

  g_return_if_fail (CL_IS_CASE_LIST_VIEW (self));

  self->sort = sort;
  self->descending = descending;
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      GtkSorter *sorter = gtk_column_view_column_get_sorter (self->columns[i]);

      if (CL_IS_CASE_SORTER (sorter) &&
          cl_case_sorter_get_sort (CL_CASE_SORTER (sorter)) == sort &&
          in_view (self, self->columns[i]))
        column = self->columns[i];
    }

  self->syncing_sort = TRUE;
  gtk_column_view_sort_by_column (self->view, NULL, GTK_SORT_ASCENDING);
  gtk_column_view_sort_by_column (self->view, column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->syncing_sort = FALSE;
}

/**
 * cl_case_list_view_get_column_view:
 *
 * Returns: (transfer none): the column view, for tests and focus
 */
GtkColumnView *
cl_case_list_view_get_column_view (ClCaseListView *self)
{
  g_return_val_if_fail (CL_IS_CASE_LIST_VIEW (self), NULL);

  return self->view;
}
