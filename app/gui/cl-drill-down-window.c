/* cl-drill-down-window.c: the cases behind a report's count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Reports view opens this window with the case ids cl_report_vault_drill_down() handed
 * out (the look is already audited). It reads their summaries in a worker — a total can
 * stand for tens of thousands of cases, so the list is a GtkListView — and shows them as
 * the case list does: the client's name, a lock on a restricted case, the case number,
 * status and advocate. The first case has the focus and is selected once the list shows, so
 * Enter opens it. Activating a case emits ::open-case and closes the window; the main
 * window opens it the usual way (a restricted case asks for a reason; every opening is
 * audited). Being transient for the main window, the window is destroyed on lock.
 */

#define G_LOG_DOMAIN "cl-drill-down"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-summary.h"
#include "cl-drill-down-window.h"
#include "cl-gui-util.h"
#include "cl-report-vault.h"

struct _ClDrillDownWindow
{
  AdwWindow       parent_instance;

  /* template */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkListView    *list_view;
  AdwStatusPage  *empty_page;

  ClStore        *store;
  GCancellable   *cancellable;
  GListModel     *cases;
  gboolean        loaded;
};

enum {
  SIGNAL_OPEN_CASE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ClDrillDownWindow, cl_drill_down_window, ADW_TYPE_WINDOW)

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *details = gtk_label_new (NULL);
  GtkWidget *icon = gtk_image_new_from_icon_name ("system-lock-screen-symbolic");

  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_ellipsize (GTK_LABEL (details), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (details, "dim-label");
  gtk_widget_add_css_class (details, "caption");
  gtk_widget_set_tooltip_text (icon, _("Restricted case"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Restricted case"), -1);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), details);
  gtk_box_append (GTK_BOX (row), text);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_list_item_set_child (item, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  ClCaseSummary *summary = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkWidget *text = gtk_widget_get_first_child (row);
  GtkWidget *name = gtk_widget_get_first_child (text);
  GtkWidget *details = gtk_widget_get_next_sibling (name);
  GtkWidget *icon = gtk_widget_get_next_sibling (text);
  const char *display_name = cl_case_summary_get_display_name (summary);
  const char *number = cl_case_summary_get_case_number (summary);
  const char *advocate = cl_case_summary_get_assigned_to (summary);
  g_autoptr(GString) line = g_string_new (NULL);

  gtk_label_set_text (GTK_LABEL (name), display_name != NULL && *display_name != '\0'
                                          ? display_name : _("Unnamed client"));
  if (number != NULL && *number != '\0')
    g_string_append (line, number);
  g_string_append_printf (line, "%s%s", line->len > 0 ? " · " : "",
                          cl_enum_label ("case_status", cl_case_summary_get_status (summary)));
  if (advocate != NULL && *advocate != '\0')
    g_string_append_printf (line, " · %s", advocate);
  gtk_label_set_text (GTK_LABEL (details), line->str);
  gtk_widget_set_visible (icon, cl_case_summary_get_restricted (summary));
}

static void
activate_cb (ClDrillDownWindow *self,
             guint              position,
             GtkListView       *view)
{
  cl_drill_down_window_open_case (self, position);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      data)
{
  g_autoptr(ClDrillDownWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) cases = NULL;
  guint n;

  cases = cl_report_vault_load_cases_finish (CL_STORE (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);
  self->loaded = TRUE;
  if (cases == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Could Not Read the Cases"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  n = g_list_model_get_n_items (cases);
  {
    g_autofree char *title = g_strdup_printf (ngettext ("%u Case", "%u Cases", n), n);

    adw_window_title_set_title (self->window_title, title);
    gtk_window_set_title (GTK_WINDOW (self), title);
  }
  self->cases = g_steal_pointer (&cases);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (self->cases))));
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  /* The first case focused and selected: Enter opens it, no arrow key first. */
  if (n > 0)
    cl_list_focus_row (GTK_WIDGET (self->list_view));
}

static void
cl_drill_down_window_dispose (GObject *object)
{
  ClDrillDownWindow *self = CL_DRILL_DOWN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->cases);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cl_drill_down_window_parent_class)->dispose (object);
}

static void
cl_drill_down_window_class_init (ClDrillDownWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_drill_down_window_dispose;

  /**
   * ClDrillDownWindow::open-case:
   * @case_id: the case chosen
   */
  signals[SIGNAL_OPEN_CASE] =
    g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-drill-down-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClDrillDownWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClDrillDownWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClDrillDownWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClDrillDownWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, ClDrillDownWindow, empty_page);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cl_drill_down_window_init (ClDrillDownWindow *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (activate_cb), self,
                           G_CONNECT_SWAPPED);
}

/**
 * cl_drill_down_window_new:
 * @cell: what the count is, for the subtitle: "Table · Row · Column"
 * @case_ids: from cl_report_vault_drill_down()
 *
 * Returns: (transfer none): the window, transient for @parent and shown
 */
ClDrillDownWindow *
cl_drill_down_window_new (GtkWindow         *parent,
                          ClStore           *store,
                          const char        *cell,
                          const char *const *case_ids)
{
  ClDrillDownWindow *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_DRILL_DOWN_WINDOW,
                       "transient-for", parent,
                       "title", _("Cases Behind a Count"),
                       NULL);
  self->store = g_object_ref (store);
  self->cancellable = g_cancellable_new ();
  adw_window_title_set_title (self->window_title, _("Cases Behind a Count"));
  adw_window_title_set_subtitle (self->window_title, cell);
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  cl_report_vault_load_cases_async (store, case_ids, self->cancellable, loaded_cb,
                                    g_object_ref (self));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}

gboolean
_cl_drill_down_window_get_loaded (ClDrillDownWindow *self)
{
  g_return_val_if_fail (CL_IS_DRILL_DOWN_WINDOW (self), FALSE);
  return self->loaded;
}

GListModel *
_cl_drill_down_window_get_cases (ClDrillDownWindow *self)
{
  g_return_val_if_fail (CL_IS_DRILL_DOWN_WINDOW (self), NULL);
  return self->cases;
}

/* Opens the case at @position: what a click, or Enter on the focused row, does. */
void
cl_drill_down_window_open_case (ClDrillDownWindow *self,
                                guint              position)
{
  g_autoptr(ClCaseSummary) summary = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (CL_IS_DRILL_DOWN_WINDOW (self));

  if (self->cases == NULL ||
      (summary = g_list_model_get_item (self->cases, position)) == NULL)
    return;

  /* The handler may lock or replace the window's contents: keep what is needed. */
  id = g_strdup (cl_case_summary_get_id (summary));
  g_object_ref (self);
  gtk_window_close (GTK_WINDOW (self));
  g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, id);
  g_object_unref (self);
}
