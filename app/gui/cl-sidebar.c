/* cl-sidebar.c: the case views of the main window, with their counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row a view, its icon, name and live count (ClViewCounts). A row shows its view when
 * it is activated (a click, Enter or Space), not when it gets the focus: Tab and the arrow
 * keys move through the views without leaving the one shown (::view-activated).
 */

#define G_LOG_DOMAIN "cl-sidebar"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-sidebar.h"

#define COUNTS_DELAY_MS 400

typedef struct {
  ClCaseView  view;
  const char *icon;
  const char *label;
} ViewInfo;

static const ViewInfo views[] = {
  { CL_CASE_VIEW_MINE, "avatar-default-symbolic", N_("My Caseload") },
  { CL_CASE_VIEW_NEW_REFERRALS, "mail-unread-symbolic", N_("New Referrals") },
  { CL_CASE_VIEW_FOLLOW_UPS_DUE, "alarm-symbolic", N_("Follow-ups Due") },
  { CL_CASE_VIEW_COMMAND, "view-list-symbolic", N_("All in My Command") },
  { CL_CASE_VIEW_CLOSED, "folder-symbolic", N_("Closed") },
  { CL_CASE_VIEW_NEEDS_ATTENTION, "dialog-warning-symbolic", N_("Needs Attention") },
};

struct _ClSidebar
{
  GtkWidget     parent_instance;

  GtkListBox   *list;
  GtkLabel     *count_labels[G_N_ELEMENTS (views)];
  ClViewCounts *counts;
  ClCaseView    view;
};

G_DEFINE_FINAL_TYPE (ClSidebar, cl_sidebar, GTK_TYPE_WIDGET)

enum {
  VIEW_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
view_index (ClCaseView view)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (views[i].view == view)
      return i;

  return 0;
}

/**
 * cl_sidebar_view_label:
 *
 * Returns: the translated name of @view
 */
const char *
cl_sidebar_view_label (ClCaseView view)
{
  return g_dgettext (GETTEXT_PACKAGE, views[view_index (view)].label);
}

/**
 * cl_sidebar_view_icon:
 *
 * Returns: the icon name of @view
 */
const char *
cl_sidebar_view_icon (ClCaseView view)
{
  return views[view_index (view)].icon;
}

static void
counts_changed_cb (ClSidebar *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      gint64 n = cl_view_counts_get (self->counts, views[i].view);
      g_autofree char *text = NULL;

      if (n >= 0)
        text = g_strdup_printf ("%'" G_GINT64_FORMAT, n);

      gtk_label_set_text (self->count_labels[i], text != NULL ? text : "");
    }
}

static void
mark_current (ClSidebar *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, i));
      gboolean current = views[i].view == self->view;

      if (current)
        gtk_widget_set_state_flags (row, GTK_STATE_FLAG_SELECTED, FALSE);
      else
        gtk_widget_unset_state_flags (row, GTK_STATE_FLAG_SELECTED);
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_SELECTED,
                                   current, -1);
    }
}

static void
row_activated_cb (ClSidebar     *self,
                  GtkListBoxRow *row)
{
  ClCaseView view = views[gtk_list_box_row_get_index (row)].view;

  cl_sidebar_set_view (self, view);
  g_signal_emit (self, signals[VIEW_ACTIVATED], 0, (guint) view);
}

static void
cl_sidebar_dispose (GObject *object)
{
  ClSidebar *self = CL_SIDEBAR (object);

  g_clear_pointer ((GtkWidget **) &self->list, gtk_widget_unparent);
  g_clear_object (&self->counts);

  G_OBJECT_CLASS (cl_sidebar_parent_class)->dispose (object);
}

static void
cl_sidebar_class_init (ClSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_sidebar_dispose;

  /**
   * ClSidebar::view-activated:
   * @view: the #ClCaseView of the row
   *
   * A row was activated: its view is to be shown.
   */
  signals[VIEW_ACTIVATED] =
    g_signal_new ("view-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cl_sidebar_init (ClSidebar *self)
{
  ClCaseView counted[G_N_ELEMENTS (views)];

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Case views"), -1);
  gtk_widget_set_parent (GTK_WIDGET (self->list), GTK_WIDGET (self));
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (row_activated_cb), self,
                           G_CONNECT_SWAPPED);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *icon = gtk_image_new_from_icon_name (views[i].icon);
      GtkWidget *label = gtk_label_new (g_dgettext (GETTEXT_PACKAGE, views[i].label));
      GtkWidget *count = gtk_label_new (NULL);

      /* The sidebar is as wide as its longest name: no name is cut short. */
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, count, NULL,
                                      -1);
      gtk_list_box_append (self->list, row);

      self->count_labels[i] = GTK_LABEL (count);
      counted[i] = views[i].view;
    }

  self->counts = cl_view_counts_new (counted, G_N_ELEMENTS (views), COUNTS_DELAY_MS);
  g_signal_connect_object (self->counts, "changed", G_CALLBACK (counts_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->view = views[0].view;
  mark_current (self);
}

GtkWidget *
cl_sidebar_new (void)
{
  return g_object_new (CL_TYPE_SIDEBAR, NULL);
}

/**
 * cl_sidebar_get_counts:
 *
 * Returns: (transfer none): the counts the rows show; the window gives them its store
 */
ClViewCounts *
cl_sidebar_get_counts (ClSidebar *self)
{
  g_return_val_if_fail (CL_IS_SIDEBAR (self), NULL);

  return self->counts;
}

ClCaseView
cl_sidebar_get_view (ClSidebar *self)
{
  g_return_val_if_fail (CL_IS_SIDEBAR (self), CL_CASE_VIEW_MINE);

  return self->view;
}

/**
 * cl_sidebar_set_view:
 *
 * Marks the row of @view as the one shown, without emitting ::view-activated.
 */
void
cl_sidebar_set_view (ClSidebar  *self,
                     ClCaseView  view)
{
  g_return_if_fail (CL_IS_SIDEBAR (self));

  self->view = view;
  mark_current (self);
}
