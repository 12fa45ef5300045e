/* cl-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One window shows one of three things: the first run, the unlock page, or (unlocked) an
 * AdwLeaflet of the sidebar of case views with live counts and the content: the case list
 * (a GtkColumnView over the lazily loaded ClCaseList, sorted by SQLite, searchable as you
 * type) or one case (ClCasePage).
 *
 * Locking (DESIGN.md §4). On the context's ::locking, while the store is still open, the
 * window saves pending edits and keeps what was typed into a new record's dialog (New
 * Referral, a task, a service, …) as a draft in the vault (cl-drafts.h), then drops
 * everything that showed client data: the case list (cl_case_list_clear), search results,
 * the search text, the case page, every dialog (their forms wipe their entries), the undo
 * state, the counts and the clipboard; then only the unlock page shows. After unlock, each
 * kept draft comes back, one at a time, in its dialog with the values restored. What locks
 * (Ctrl+L, idle, screen lock, suspend) is the application's (cl-application.c).
 */

#define G_LOG_DOMAIN "cl-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-list.h"
#include "cl-case-page.h"
#include "cl-case-sorter.h"
#include "cl-case-summary.h"
#include "cl-drafts.h"
#include "cl-first-run.h"
#include "cl-gui-util.h"
#include "cl-new-referral-dialog.h"
#include "cl-preferences-window.h"
#include "cl-record-dialog.h"
#include "cl-reports-page.h"
#include "cl-safe-contact.h"
#include "cl-sync-indicator.h"
#include "cl-unlock-page.h"
#include "cl-window.h"
#include "cl-window-private.h"

/* On top of GtkSearchEntry's own 150 ms. */
#define SEARCH_DELAY_MS 0
#define SEARCH_LIMIT 500
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

static const struct {
  const char *name;
  ClCaseSort  sort;
} sort_names[] = {
  { "last-activity", CL_CASE_SORT_LAST_ACTIVITY },
  { "name", CL_CASE_SORT_NAME },
  { "status", CL_CASE_SORT_STATUS },
  { "track", CL_CASE_SORT_TRACK },
  { "next-due", CL_CASE_SORT_NEXT_DUE },
  { "referral", CL_CASE_SORT_REFERRAL },
};

struct _ClWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  ClFirstRun           *first_run;
  ClUnlockPage         *unlock_page;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  GtkWidget            *demo_box;
  GtkStack             *content_stack;
  GtkWidget            *list_box;
  AdwWindowTitle       *list_title;
  GtkWidget            *sort_button;
  GtkWidget            *conflicts_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *list_stack;
  GtkColumnView        *case_view;
  AdwStatusPage        *empty_page;
  ClCasePage           *case_page;
  ClSyncIndicator      *sync_indicator;
  ClReportsPage        *reports_page;

  ClContext            *context;
  GSettings            *settings;
  ClStore              *store;
  gulong                store_changed_id;

  ClCaseList           *case_list;
  GListModel           *search_results;
  GtkSingleSelection   *selection;
  ClCaseView            view;
  ClCaseSort            sort;
  gboolean              descending;
  GtkColumnViewColumn  *columns[6];
  GtkLabel             *count_labels[G_N_ELEMENTS (views)];
  gint64                counts[G_N_ELEMENTS (views)];

  GtkStringList        *command_codes;
  GtkStringList        *command_labels;

  GCancellable         *search_cancellable;
  guint                 search_id;
  guint                 search_serial;
  guint                 counts_id;
  guint                 counts_serial;
  GCancellable         *counts_cancellable;

  char                 *undo_type;
  char                 *undo_id;
  ClChanges            *undo_values;
  guint                 undo_serial;

  GtkWindow            *dialog;


  guint                 syncing_sort : 1;
  guint                 first_run_active : 1;
};

G_DEFINE_FINAL_TYPE (ClWindow, cl_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_SORT_BY,
  PROP_SORT_DESCENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_list_stack   (ClWindow   *self);
static void sync_header_sort    (ClWindow   *self);
static void set_sort            (ClWindow   *self,
                                 ClCaseSort  sort,
                                 gboolean    descending,
                                 gboolean    sync_header);
static void referral_created_cb (ClWindow            *self,
                                 const char          *case_id,
                                 ClNewReferralDialog *dialog);

/* Toasts and undo ------------------------------------------------------------------ */

static void
show_toast (ClWindow   *self,
            const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
clear_undo (ClWindow *self)
{
  g_clear_pointer (&self->undo_type, g_free);
  g_clear_pointer (&self->undo_id, g_free);
  g_clear_pointer (&self->undo_values, cl_changes_unref);

  /* An older undo toast may still be queued or shown: it names its edit's serial, and
   * win.undo-toast ignores serials other than the last edit's. (Toasts are not dismissed
   * from code: libadwaita 1.2 can crash when several are dismissed while animating.) */
  self->undo_serial++;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-edit", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-toast", FALSE);
}

static void
case_edited_cb (ClWindow   *self,
                const char *description,
                const char *type,
                const char *id,
                ClChanges  *old_values,
                ClCasePage *page)
{
  AdwToast *toast;

  clear_undo (self);

  self->undo_type = g_strdup (type);
  self->undo_id = g_strdup (id);
  self->undo_values = cl_changes_ref (old_values);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-edit", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-toast", TRUE);

  toast = adw_toast_new (description);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-toast");
  adw_toast_set_action_target_value (toast, g_variant_new_uint32 (self->undo_serial));
  /* Normal priority: libadwaita 1.2 asserts when a high-priority toast pushes a shown one
   * back into the queue and that one is shown again before its hiding ends. */
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
case_message_cb (ClWindow   *self,
                 const char *text,
                 ClCasePage *page)
{
  show_toast (self, text);
}

static void
reports_message_cb (ClWindow      *self,
                    const char    *text,
                    ClReportsPage *page)
{
  show_toast (self, text);
}

static void
undo_edit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->undo_values == NULL)
    return;

  /* Undo is one more edit, restoring the old values: it syncs like any other. */
  if (!cl_store_update (self->store, self->undo_type, self->undo_id, self->undo_values, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not undo: %s"), error->message);
      clear_undo (self);
      show_toast (self, message);
      return;
    }

  clear_undo (self);
  cl_case_page_reload (self->case_page);
  show_toast (self, _("Undone"));
}

static void
undo_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  if (g_variant_get_uint32 (param) == self->undo_serial)
    undo_edit_action (widget, "win.undo-edit", NULL);
  else
    show_toast (self, _("Only the last change can be undone"));
}

/* Commands ------------------------------------------------------------------------- */

static int
compare_commands (gconstpointer a,
                  gconstpointer b)
{
  ClRecord *ra = *(ClRecord **) a;
  ClRecord *rb = *(ClRecord **) b;
  const char *ta = cl_record_get (ra, "type");
  const char *tb = cl_record_get (rb, "type");
  const char *ca = cl_record_get (ra, "code");
  const char *cb = cl_record_get (rb, "code");
  int c;

  /* Precincts by number, then PSAs by number, then the rest by code. */
  if ((c = g_strcmp0 (ta, tb)) != 0)
    {
      if (g_strcmp0 (ta, "precinct") == 0)
        return -1;
      if (g_strcmp0 (tb, "precinct") == 0)
        return 1;
      return c;
    }

  {
    const char *da = ca != NULL ? strpbrk (ca, "0123456789") : NULL;
    const char *db = cb != NULL ? strpbrk (cb, "0123456789") : NULL;
    gint64 na = da != NULL ? g_ascii_strtoll (da, NULL, 10) : 0;
    gint64 nb = db != NULL ? g_ascii_strtoll (db, NULL, 10) : 0;

    if (na != nb)
      return na < nb ? -1 : 1;
  }

  return g_strcmp0 (ca, cb);
}

static void
load_commands (ClWindow *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);
  self->command_codes = gtk_string_list_new (NULL);
  self->command_labels = gtk_string_list_new (NULL);

  records = cl_store_list (self->store, "command", NULL, 0, 0, &error);
  if (records == NULL)
    {
      g_debug ("Could not read the commands: %s", error->message);
      return;
    }

  g_ptr_array_sort (records, compare_commands);

  for (guint i = 0; i < records->len; i++)
    {
      ClRecord *record = g_ptr_array_index (records, i);
      const char *code = cl_record_get (record, "code");
      const char *name = cl_record_get (record, "name");

      if (code == NULL || cl_record_get (record, "active_to") != NULL)
        continue;

      gtk_string_list_append (self->command_codes, code);
      gtk_string_list_append (self->command_labels, name != NULL ? name : code);
    }

  cl_case_page_set_commands (self->case_page, self->command_codes, self->command_labels);
}

/* Sidebar and counts --------------------------------------------------------------- */

static guint
view_index (ClCaseView view)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (views[i].view == view)
      return i;

  return 0;
}

static void
update_title (ClWindow *self)
{
  const ViewInfo *info = &views[view_index (self->view)];
  g_autofree char *subtitle = NULL;

  if (self->search_results != NULL)
    {
      guint n = g_list_model_get_n_items (self->search_results);

      adw_window_title_set_title (self->list_title, _("Search"));
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u result", "%u results", n),
                                  n);
    }
  else
    {
      gint64 n = self->counts[view_index (self->view)];

      adw_window_title_set_title (self->list_title, g_dgettext (GETTEXT_PACKAGE, info->label));
      if (n >= 0 && self->store != NULL)
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'lld case", "%'lld cases", n),
                                    (long long) n);
    }

  adw_window_title_set_subtitle (self->list_title, subtitle != NULL ? subtitle : "");
  /* Cases need attention because of sync conflicts or refused changes: offer the window
   * that resolves them right where they are listed. */
  gtk_widget_set_visible (self->conflicts_button,
                          self->search_results == NULL &&
                          self->view == CL_CASE_VIEW_NEEDS_ATTENTION);
}

static void
show_counts (ClWindow     *self,
             const gint64 *counts)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *text = NULL;

      self->counts[i] = counts != NULL ? counts[i] : -1;
      if (self->counts[i] >= 0)
        text = g_strdup_printf ("%'" G_GINT64_FORMAT, self->counts[i]);

      gtk_label_set_text (self->count_labels[i], text != NULL ? text : "");
    }

  update_title (self);
}

typedef struct {
  ClStore *store;
  gint64   counts[G_N_ELEMENTS (views)];
} CountsData;

static void
counts_data_free (CountsData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

/* Counting 100,000 cases takes most of a second: a worker does it. Each count holds the
 * store's lock, which the vault takes before it closes, so the database never closes
 * under a count; one after the close finds the vault locked. */
static void
counts_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CountsData *data = task_data;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autoptr(GError) error = NULL;

      data->counts[i] = -1;
      if (g_cancellable_is_cancelled (cancellable))
        continue;
      data->counts[i] = cl_store_count_view (data->store, views[i].view, &error);
      if (data->counts[i] < 0)
        g_debug ("Could not count a view: %s", error->message);
    }

  g_task_return_boolean (task, TRUE);
}

static void
counts_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ClWindow *self = CL_WINDOW (object);
  CountsData *data = g_task_get_task_data (G_TASK (result));
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  if (g_cancellable_is_cancelled (cancellable) || data->store != self->store)
    return;

  g_clear_object (&self->counts_cancellable);
  show_counts (self, data->counts);
  self->counts_serial++;
}

static void
refresh_counts (ClWindow *self)
{
  g_autoptr(GTask) task = NULL;
  CountsData *data;

  g_clear_handle_id (&self->counts_id, g_source_remove);

  if (self->store == NULL)
    {
      show_counts (self, NULL);
      return;
    }

  /* A newer count replaces one still running. */
  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  self->counts_cancellable = g_cancellable_new ();

  data = g_new0 (CountsData, 1);
  data->store = g_object_ref (self->store);
  task = g_task_new (self, self->counts_cancellable, counts_done_cb, NULL);
  g_task_set_source_tag (task, refresh_counts);
  g_task_set_task_data (task, data, (GDestroyNotify) counts_data_free);
  g_task_run_in_thread (task, counts_thread);
}

static gboolean
refresh_counts_cb (gpointer data)
{
  ClWindow *self = data;

  self->counts_id = 0;
  refresh_counts (self);

  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (ClWindow   *self,
                  const char *type,
                  const char *id,
                  ClStore    *store)
{
  if (self->counts_id == 0)
    self->counts_id = g_timeout_add (COUNTS_DELAY_MS, refresh_counts_cb, self);
}

static void
build_sidebar (ClWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *icon = gtk_image_new_from_icon_name (views[i].icon);
      GtkWidget *label = gtk_label_new (g_dgettext (GETTEXT_PACKAGE, views[i].label));
      GtkWidget *count = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data (G_OBJECT (row), "cl-view", GUINT_TO_POINTER (views[i].view));
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, count, NULL,
                                      -1);
      gtk_list_box_append (self->sidebar, row);

      self->count_labels[i] = GTK_LABEL (count);
      self->counts[i] = -1;
    }
}

/* Case list ------------------------------------------------------------------------ */

static void
set_model (ClWindow   *self,
           GListModel *model)
{
  gtk_single_selection_set_model (self->selection, model);
  update_list_stack (self);
  update_title (self);
}

static void
update_list_stack (ClWindow *self)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  if (n > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (self->search_results != NULL)
    gtk_stack_set_visible_child_name (self->list_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
selection_items_changed_cb (ClWindow *self)
{
  update_list_stack (self);
}

typedef enum {
  COLUMN_NAME,
  COLUMN_NUMBER,
  COLUMN_STATUS,
  COLUMN_TRACK,
  COLUMN_ACTIVITY,
  COLUMN_DUE,
} Column;

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);

  if (column == COLUMN_NAME)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *icon = gtk_image_new_from_icon_name ("system-lock-screen-symbolic");

      gtk_widget_set_tooltip_text (icon, _("Restricted case"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Restricted case"), -1);
      gtk_widget_add_css_class (icon, "dim-label");
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_list_item_set_child (item, box);
      return;
    }

  if (column == COLUMN_NUMBER || column == COLUMN_ACTIVITY || column == COLUMN_DUE)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_NUMBER)
    gtk_widget_add_css_class (label, "dim-label");

  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
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

        gtk_label_set_text (GTK_LABEL (label),
                            name != NULL && *name != '\0' ? name : _("Unnamed client"));
        gtk_widget_set_visible (icon, cl_case_summary_get_restricted (summary));
      }
      return;

    case COLUMN_NUMBER:
      gtk_label_set_text (GTK_LABEL (child), cl_case_summary_get_case_number (summary));
      return;

    case COLUMN_STATUS:
      gtk_label_set_text (GTK_LABEL (child),
                          cl_enum_label ("case_status", cl_case_summary_get_status (summary)));
      return;

    case COLUMN_TRACK:
      gtk_label_set_text (GTK_LABEL (child),
                          cl_enum_label ("track", cl_case_summary_get_track (summary)));
      return;

    case COLUMN_ACTIVITY:
      text = cl_format_relative (cl_case_summary_get_last_activity (summary));
      gtk_label_set_text (GTK_LABEL (child), text);
      return;

    case COLUMN_DUE:
      {
        const char *due = cl_case_summary_get_next_due (summary);

        text = cl_format_date (due);
        gtk_label_set_text (GTK_LABEL (child), text);
        if (due != NULL && cl_days_until (due) < 0)
          gtk_widget_add_css_class (child, "error");
        else
          gtk_widget_remove_css_class (child, "error");
      }
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
view_sorter_changed_cb (ClWindow  *self,
                        GtkSorterChange change,
                        GtkSorter *sorter)
{
  ClCaseSort sort;
  gboolean descending;

  if (self->syncing_sort)
    return;

  if (!cl_case_sorter_probe (sorter, &sort, &descending))
    return;

  /* A header click makes its column the primary key and keeps the others as secondary
   * ones; the list sorts by one key, so show only that one. */
  set_sort (self, sort, descending, TRUE);
}

static GtkColumnViewColumn *
find_column (ClWindow   *self,
             ClCaseSort  sort)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->columns); i++)
    {
      GtkSorter *sorter = gtk_column_view_column_get_sorter (self->columns[i]);

      if (CL_IS_CASE_SORTER (sorter) && cl_case_sorter_get_sort (CL_CASE_SORTER (sorter)) == sort)
        return self->columns[i];
    }

  return NULL;
}

static void
sync_header_sort (ClWindow *self)
{
  GtkColumnViewColumn *column = find_column (self, self->sort);

  /* A column taken out of a narrow window's view cannot show the arrow. */
  if (column != NULL && gtk_column_view_column_get_column_view (column) != self->case_view)
    column = NULL;

  /* One arrow: the list has one sort key. */
  self->syncing_sort = TRUE;
  gtk_column_view_sort_by_column (self->case_view, NULL, GTK_SORT_ASCENDING);
  gtk_column_view_sort_by_column (self->case_view, column,
                                  self->descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->syncing_sort = FALSE;
}

static const char *
sort_name (ClCaseSort sort)
{
  for (guint i = 0; i < G_N_ELEMENTS (sort_names); i++)
    if (sort_names[i].sort == sort)
      return sort_names[i].name;

  return sort_names[0].name;
}

static void
set_sort (ClWindow   *self,
          ClCaseSort  sort,
          gboolean    descending,
          gboolean    sync_header)
{
  gboolean sort_changed = self->sort != sort;
  gboolean descending_changed = self->descending != descending;

  self->sort = sort;
  self->descending = descending;

  if (self->case_list != NULL && (sort_changed || descending_changed))
    {
      gboolean shown = gtk_single_selection_get_model (self->selection) ==
                       G_LIST_MODEL (self->case_list);

      /* Detached while it reloads, as in cl_window_show_view(). */
      if (shown)
        gtk_single_selection_set_model (self->selection, NULL);
      cl_case_list_set_sort (self->case_list, sort, descending);
      if (shown)
        gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->case_list));
    }
  if (sync_header)
    sync_header_sort (self);

  if (sort_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_BY]);
  if (descending_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

static void
add_column (ClWindow   *self,
            Column      column,
            const char *title,
            int         sort,
            int         fixed_width,
            gboolean    expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GUINT_TO_POINTER (column));

  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  if (sort >= 0)
    {
      g_autoptr(ClCaseSorter) sorter = cl_case_sorter_new ((ClCaseSort) sort);
      gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
    }

  gtk_column_view_append_column (self->case_view, col);
  self->columns[column] = col;  /* owned: a column may be taken out of the view */
}

static void
build_columns (ClWindow *self)
{
  GtkSorter *sorter;

  add_column (self, COLUMN_NAME, _("Client"), CL_CASE_SORT_NAME, -1, TRUE);
  /* No fixed widths: labels are longer in some languages. */
  add_column (self, COLUMN_NUMBER, _("Case"), -1, -1, FALSE);
  add_column (self, COLUMN_STATUS, _("Status"), CL_CASE_SORT_STATUS, -1, FALSE);
  add_column (self, COLUMN_TRACK, _("Track"), CL_CASE_SORT_TRACK, -1, FALSE);
  add_column (self, COLUMN_ACTIVITY, _("Last Activity"), CL_CASE_SORT_LAST_ACTIVITY, -1, FALSE);
  add_column (self, COLUMN_DUE, _("Next Due"), CL_CASE_SORT_NEXT_DUE, -1, FALSE);

  sorter = gtk_column_view_get_sorter (self->case_view);
  g_signal_connect_object (sorter, "changed", G_CALLBACK (view_sorter_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (selection_items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->case_view, GTK_SELECTION_MODEL (self->selection));
}

static void
folded_cb (ClWindow *self)
{
  static const Column narrow_hidden[] = { COLUMN_NUMBER, COLUMN_TRACK, COLUMN_ACTIVITY };
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  GListModel *shown = gtk_column_view_get_columns (self->case_view);

  /* Room for the title: a narrow window sorts from the column headers. */
  gtk_widget_set_visible (self->sort_button, !folded);

  /* A narrow window shows the client, the status and what is due. The columns are taken
   * out rather than hidden: GTK 4.8 still counts hidden columns' widths, and the client
   * column would not get the room they leave. */
  for (guint i = 0; i < G_N_ELEMENTS (narrow_hidden); i++)
    {
      GtkColumnViewColumn *column = self->columns[narrow_hidden[i]];
      gboolean present = FALSE;
      guint position = 0;

      for (guint j = 0; j < g_list_model_get_n_items (shown); j++)
        {
          g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (shown, j);
          present |= c == column;
        }

      if (folded && present)
        gtk_column_view_remove_column (self->case_view, column);
      else if (!folded && !present)
        {
          /* Back in its place: after the columns that come before it. */
          for (guint j = 0; j < g_list_model_get_n_items (shown); j++)
            {
              g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (shown, j);

              for (guint k = 0; k < (guint) narrow_hidden[i]; k++)
                if (c == self->columns[k])
                  position = j + 1;
            }
          gtk_column_view_insert_column (self->case_view, position, column);
        }
    }

  sync_header_sort (self);
}

/* Opening a case ------------------------------------------------------------------- */

static void
show_case (ClWindow   *self,
           const char *case_id)
{
  g_autoptr(GError) error = NULL;

  if (!cl_case_page_load (self->case_page, self->store, case_id, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the case: %s"),
                                                  error->message);
      show_toast (self, message);
      return;
    }

  gtk_stack_set_visible_child_name (self->content_stack, "case");
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static gboolean
audit_view (ClWindow   *self,
            const char *case_id,
            const char *reason)
{
  g_autoptr(GError) error = NULL;

  /* Every view is audited (DOMAIN.md rule 5); no audit, no view. */
  if (!cl_store_audit (self->store, "view", "case", case_id, reason, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the case: %s"),
                                                  error->message);
      show_toast (self, message);
      return FALSE;
    }

  return TRUE;
}

static void
reason_changed_cb (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "open", *reason != '\0');
}

static void
reason_activate_cb (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "open"))
    {
      adw_message_dialog_response (dialog, "open");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void restore_draft (ClWindow *self,
                           ClDraft  *draft);

static void
restricted_response_cb (ClWindow         *self,
                        const char       *response,
                        AdwMessageDialog *dialog)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "cl-reason");
  const char *case_id = g_object_get_data (G_OBJECT (dialog), "cl-case-id");
  g_autofree char *reason = NULL;

  if (g_strcmp0 (response, "open") != 0 || self->store == NULL || entry == NULL)
    return;

  reason = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  if (*reason == '\0' || !audit_view (self, case_id, reason))
    return;

  if (g_object_get_data (G_OBJECT (dialog), "cl-draft") != NULL)
    restore_draft (self, g_object_steal_data (G_OBJECT (dialog), "cl-draft"));
  else
    show_case (self, case_id);
}

/* Asks why the advocate opens the restricted case @case_id, then shows it or, with a
 * @draft typed on it (taken), restores the draft. */
static void
ask_reason (ClWindow   *self,
            const char *case_id,
            ClDraft    *draft)
{
  GtkWidget *dialog;
  GtkWidget *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restricted Case"),
                                   _("Only staff named on this case may open it. Say why you "
                                     "are opening it: the reason goes to the audit log."));

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for opening"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "cl-reason", entry);
  g_object_set_data_full (G_OBJECT (dialog), "cl-case-id", g_strdup (case_id), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "cl-draft", draft,
                          (GDestroyNotify) cl_draft_free);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open Case"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (entry, "changed", G_CALLBACK (reason_changed_cb), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (reason_activate_cb), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (restricted_response_cb), self,
                           G_CONNECT_SWAPPED);

  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/**
 * cl_window_open_case:
 *
 * Opens a case: a restricted one asks for a reason first; every opening is audited.
 */
void
cl_window_open_case (ClWindow   *self,
                     const char *case_id)
{
  g_autoptr(GError) error = NULL;
  gboolean restricted;

  g_return_if_fail (CL_IS_WINDOW (self));
  g_return_if_fail (case_id != NULL);

  if (self->store == NULL)
    return;

  cl_case_page_flush (self->case_page);

  /* Rule 4 of DOMAIN.md: a restricted case (or a case of a restricted client) asks for a
   * reason first. */
  if (!cl_access_record_restricted (self->store, "case", case_id, &restricted, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the case: %s"),
                                                  error->message);
      show_toast (self, message);
      return;
    }

  if (restricted)
    ask_reason (self, case_id, NULL);
  else if (audit_view (self, case_id, NULL))
    show_case (self, case_id);
}

static void
reports_open_case_cb (ClWindow      *self,
                      const char    *case_id,
                      ClReportsPage *page)
{
  cl_window_open_case (self, case_id);
}

static void
case_activated_cb (ClWindow      *self,
                   guint          position,
                   GtkColumnView *view)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  g_autoptr(ClCaseSummary) summary = g_list_model_get_item (model, position);

  if (summary != NULL)
    cl_window_open_case (self, cl_case_summary_get_id (summary));
}

/* Search --------------------------------------------------------------------------- */

static void
drop_search (ClWindow *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_handle_id (&self->search_id, g_source_remove);
  g_clear_object (&self->search_results);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClWindow) self = user_data;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;

  results = cl_store_search_finish (CL_STORE (object), result, &error);

  if (results == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Search failed: %s", error->message);
      return;
    }

  /* A newer search, a cleared entry or a lock made this one stale. */
  if (self->store != CL_STORE (object) || self->search_cancellable == NULL ||
      g_cancellable_is_cancelled (self->search_cancellable))
    return;

  g_set_object (&self->search_results, results);
  self->search_serial++;
  set_model (self, results);
}

static gboolean
search_timeout_cb (gpointer data)
{
  ClWindow *self = data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  self->search_id = 0;

  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  cl_store_search_async (self->store, text, SEARCH_LIMIT, self->search_cancellable,
                         search_done_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (ClWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  g_clear_handle_id (&self->search_id, g_source_remove);

  if (*text == '\0')
    {
      gboolean had_results = self->search_results != NULL;

      drop_search (self);
      if (had_results || gtk_single_selection_get_model (self->selection) == NULL)
        set_model (self, G_LIST_MODEL (self->case_list));
      return;
    }

  /* GtkSearchEntry already waits 150 ms after the last keystroke before it emits
   * ::search-changed: that is the debounce. The previous search is cancelled when the next
   * one starts, and its results are dropped if they come back after. */
  self->search_id = g_timeout_add (SEARCH_DELAY_MS, search_timeout_cb, self);

  gtk_stack_set_visible_child_name (self->content_stack, "list");
}

static void
stop_search_cb (ClWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
search_mode_cb (ClWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* Views ---------------------------------------------------------------------------- */

/**
 * cl_window_show_view:
 *
 * Shows the cases of one sidebar view.
 */
void
cl_window_show_view (ClWindow   *self,
                     ClCaseView  view)
{
  g_return_if_fail (CL_IS_WINDOW (self));

  self->view = view;

  if (self->case_list != NULL)
    {
      /* Detached while it reloads: otherwise the list view diffs the whole old and new
       * lists item by item, loading pages of rows it will not show. */
      gboolean shown = gtk_single_selection_get_model (self->selection) ==
                       G_LIST_MODEL (self->case_list);

      if (shown)
        gtk_single_selection_set_model (self->selection, NULL);
      cl_case_list_set_view (self->case_list, view);
      if (shown)
        gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->case_list));
    }

  {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar, view_index (view));

    if (row != NULL && gtk_list_box_get_selected_row (self->sidebar) != row)
      gtk_list_box_select_row (self->sidebar, row);
  }

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  cl_case_page_flush (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  update_list_stack (self);
  update_title (self);
}

static void
sidebar_row_selected_cb (ClWindow      *self,
                         GtkListBoxRow *row,
                         GtkListBox    *list)
{
  ClCaseView view;

  if (row == NULL)
    return;

  view = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cl-view"));
  if (view != self->view || self->search_results != NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "list") != 0)
    cl_window_show_view (self, view);
}

static void
sidebar_row_activated_cb (ClWindow      *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  sidebar_row_selected_cb (self, row, list);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

/* Entries kept across a lock ------------------------------------------------------- */

static void offer_drafts (ClWindow *self);

/* A dialog restored from a draft keeps it up to date; a new one (the case page opened it)
 * is a record of the case on the page, or of its client. */
static gboolean
keep_record_draft (ClWindow        *self,
                   ClRecordDialog  *dialog,
                   GError         **error)
{
  g_autoptr(ClChanges) input = cl_record_dialog_dup_input (dialog);
  ClDraft *draft = cl_record_dialog_get_draft (dialog);
  const char *kind = cl_record_form_get_type_name (cl_record_dialog_get_form (dialog));
  const ClType *type = cl_schema_lookup_type (kind);
  const char *case_id;
  const char *parent_id;
  g_autoptr(ClRecord) case_record = NULL;
  g_autofree char *id = NULL;

  if (input == NULL)
    return TRUE;

  if (draft != NULL)
    {
      id = cl_drafts_save (self->store, draft->id, kind, draft->parent_id, draft->case_id,
                           input, error);
      return id != NULL;
    }

  case_id = parent_id = cl_case_page_get_case_id (self->case_page);
  if (case_id != NULL && g_strcmp0 (type->parent, "client_id") == 0)
    {
      case_record = cl_store_get (self->store, "case", case_id, NULL);
      parent_id = case_record != NULL ? cl_record_get (case_record, "client_id") : NULL;
    }
  id = cl_drafts_save (self->store, NULL, kind, parent_id, case_id, input, error);

  return id != NULL;
}

static void
draft_dialog_destroy_cb (ClWindow  *self,
                         GtkWindow *dialog)
{
  if (self->dialog == dialog)
    g_clear_weak_pointer (&self->dialog);

  offer_drafts (self);
}

/* Before the vault closes: what was typed into a new record's dialog is kept in the vault,
 * to come back after unlock. A failure cannot stop the lock. */
static void
keep_drafts (ClWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_autoptr(ClChanges) contact = NULL;

  if (self->store == NULL)
    return;

  /* A contact note typed into the case page's contact log, not logged yet. */
  contact = cl_case_page_take_contact_entry (self->case_page);
  if (contact != NULL)
    {
      const char *case_id = cl_case_page_get_case_id (self->case_page);
      g_autoptr(GError) error = NULL;
      g_autofree char *id = cl_drafts_save (self->store, NULL, "contact", case_id, case_id,
                                            contact, &error);

      if (id == NULL)
        g_warning ("Could not keep an unsaved contact note before locking: %s",
                   error->message);
    }

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      g_autoptr(GError) error = NULL;

      if (gtk_window_get_transient_for (window) != GTK_WINDOW (self))
        continue;

      /* It goes with the lock: nothing else is offered when it does. */
      g_signal_handlers_disconnect_by_func (window, draft_dialog_destroy_cb, self);

      if (CL_IS_NEW_REFERRAL_DIALOG (window))
        cl_new_referral_dialog_keep_draft (CL_NEW_REFERRAL_DIALOG (window), &error);
      else if (CL_IS_RECORD_DIALOG (window))
        keep_record_draft (self, CL_RECORD_DIALOG (window), &error);

      if (error != NULL)
        g_warning ("Could not keep an unsaved entry before locking: %s", error->message);
    }
}

/* Adds a kept record: the record and the end of its draft commit together. */
static void
add_restored (ClWindow       *self,
              ClRecordDialog *dialog,
              ClChanges      *values)
{
  ClDraft *draft = cl_record_dialog_get_draft (dialog);
  const ClType *type = cl_schema_lookup_type (draft->kind);
  g_autofree char *message = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  cl_changes_set (values, type->parent, draft->parent_id);

  if (!cl_store_begin (self->store, &error))
    goto failed;
  id = cl_store_create (self->store, draft->kind, values, &error);
  if (id == NULL || !cl_drafts_delete (self->store, draft->id, &error))
    {
      cl_store_rollback (self->store);
      goto failed;
    }
  if (!cl_store_commit (self->store, &error))
    goto failed;

  /* Translators: %s is a kind of record, e.g. "Task" */
  message = g_strdup_printf (_("%s added"), g_dgettext (GETTEXT_PACKAGE, type->label));
  show_toast (self, message);
  gtk_window_destroy (GTK_WINDOW (dialog));
  return;

failed:
  cl_record_dialog_set_error (dialog, error->message);
}

static void
restored_contact_response_cb (ClWindow         *self,
                              const char       *response,
                              AdwMessageDialog *warning)
{
  ClRecordDialog *dialog = g_object_get_data (G_OBJECT (warning), "cl-dialog");

  if (g_strcmp0 (response, "log") == 0 && dialog != NULL)
    add_restored (self, dialog, g_object_get_data (G_OBJECT (warning), "cl-values"));
}

/* A kept record was added. A contact on a channel not confirmed safe warns first, as the
 * case page's contact log does (DOMAIN.md rule 3). */
static void
restored_add_cb (ClWindow       *self,
                 ClChanges      *values,
                 ClRecordDialog *dialog)
{
  ClDraft *draft = cl_record_dialog_get_draft (dialog);
  g_autoptr(ClRecord) case_record = NULL;
  g_autoptr(ClSafeContactWarning) safety = NULL;
  const char *channel = NULL;
  const char *outcome = NULL;
  GtkWidget *warning;

  if (self->store == NULL)
    return;

  cl_changes_lookup (values, "channel", &channel);
  cl_changes_lookup (values, "outcome", &outcome);

  /* Without a channel, the store refuses the contact and says why. */
  if (!g_str_equal (draft->kind, "contact") || channel == NULL)
    {
      add_restored (self, dialog, values);
      return;
    }

  case_record = cl_store_get (self->store, "case", draft->parent_id, NULL);
  safety = cl_safe_contact_check_client (self->store,
                                         case_record != NULL
                                           ? cl_record_get (case_record, "client_id") : NULL,
                                         channel, outcome);
  if (safety == NULL)
    {
      add_restored (self, dialog, values);
      return;
    }

  /* Adding destroys @dialog: the warning does not go with it (GTK would leave it pointing
   * at a finalized parent while it closes), it is destroyed after. */
  warning = adw_message_dialog_new (GTK_WINDOW (dialog), safety->heading, safety->body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (warning),
                                    "cancel", _("_Cancel"),
                                    "log", _("_Log Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (warning), "log",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (warning), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (warning), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (warning), FALSE);
  g_object_set_data_full (G_OBJECT (warning), "cl-values", cl_changes_ref (values),
                          (GDestroyNotify) cl_changes_unref);
  g_object_set_data (G_OBJECT (warning), "cl-dialog", dialog);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (gtk_window_destroy), warning,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (warning, "response", G_CALLBACK (restored_contact_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (warning));
}

/* Reopens the dialog of @draft (taking it) with its values and a notice. */
static void
restore_draft (ClWindow *self,
               ClDraft  *draft)
{
  GtkWindow *dialog;

  if (g_str_equal (draft->kind, CL_DRAFT_KIND_NEW_REFERRAL))
    {
      ClNewReferralDialog *referral;

      referral = cl_new_referral_dialog_new (GTK_WINDOW (self), self->store,
                                             self->command_codes, self->command_labels,
                                             NULL);
      cl_new_referral_dialog_restore_draft (referral, draft);
      g_signal_connect_object (referral, "created", G_CALLBACK (referral_created_cb), self,
                               G_CONNECT_SWAPPED);
      dialog = GTK_WINDOW (referral);
      cl_draft_free (draft);
    }
  else
    {
      guint n = cl_changes_get_n (draft->values);
      g_autofree const char **fields = g_new0 (const char *, n + 1);
      ClRecordDialog *record;

      /* The rows the dialog showed are the fields it kept. */
      for (guint i = 0; i < n; i++)
        fields[i] = cl_changes_get_field (draft->values, i);

      record = cl_record_dialog_new (GTK_WINDOW (self), draft->kind, fields, NULL,
                                     self->command_codes, self->command_labels);
      g_signal_connect_object (record, "add", G_CALLBACK (restored_add_cb), self,
                               G_CONNECT_SWAPPED);
      cl_record_dialog_restore_draft (record, self->store, draft);
      dialog = GTK_WINDOW (record);
    }

  g_signal_connect_object (dialog, "destroy", G_CALLBACK (draft_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->dialog, dialog);
  gtk_window_present (dialog);
}

/* Offers the oldest kept entry back; the next one when its dialog closes. */
static void
offer_drafts (ClWindow *self)
{
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  ClDraft *draft;
  gboolean restricted;

  if (self->store == NULL || self->dialog != NULL)
    return;

  drafts = cl_drafts_list (self->store, &error);
  if (drafts == NULL)
    {
      g_warning ("Could not read the entries kept before the lock: %s", error->message);
      return;
    }

  if (drafts->len == 0)
    return;

  /* One typed on a restricted case shows only with a reason, like the case (rule 4 of
   * DOMAIN.md); without one it stays kept, and is offered after the next unlock. */
  draft = g_ptr_array_steal_index (drafts, 0);
  if (draft->case_id != NULL &&
      cl_access_record_restricted (self->store, "case", draft->case_id, &restricted, NULL) &&
      restricted)
    ask_reason (self, draft->case_id, draft);
  else
    restore_draft (self, draft);
}

/* Lock and unlock ------------------------------------------------------------------ */

/* Every other window of the app: those in front of this one and in front of those (a
 * dialog of the preferences, a warning over a record's dialog), and any without a parent.
 * A GtkDialog (the print dialog, a file chooser) answers Cancel first, so that what waits
 * for its answer lets go. Each lets go of its parent first: one still held (by the key
 * press that locked, say) would otherwise point at a parent already gone. Each gives up
 * its focus while its widgets are alive: otherwise the focus leaves a password entry only
 * when the last reference to its window goes, and the entry's focus handler runs on an
 * entry already freed. */
static void
destroy_dialogs (ClWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != GTK_WINDOW (self))
        g_ptr_array_add (doomed, g_object_ref (window));
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  for (guint i = 0; i < doomed->len; i++)
    if (GTK_IS_DIALOG (g_ptr_array_index (doomed, i)))
      gtk_dialog_response (g_ptr_array_index (doomed, i), GTK_RESPONSE_CANCEL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  for (guint i = 0; i < doomed->len; i++)
    {
      gtk_window_set_focus (g_ptr_array_index (doomed, i), NULL);
      gtk_window_set_transient_for (g_ptr_array_index (doomed, i), NULL);
    }
  for (guint i = 0; i < doomed->len; i++)
    gtk_window_destroy (g_ptr_array_index (doomed, i));
}

static void
show_page (ClWindow *self)
{
  if (self->context == NULL)
    return;

  if (!cl_context_get_locked (self->context) && !self->first_run_active)
    gtk_stack_set_visible_child_name (self->main_stack, "main");
  else if (self->first_run_active || !cl_context_vault_exists (self->context))
    {
      if (!self->first_run_active)
        cl_first_run_reset (self->first_run);
      self->first_run_active = TRUE;
      gtk_stack_set_visible_child_name (self->main_stack, "first-run");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->main_stack, "unlock");
      cl_unlock_page_reset (self->unlock_page);
    }
}

static void
apply_default_command (ClWindow *self)
{
  g_autofree char *command = NULL;

  if (self->store == NULL || self->settings == NULL)
    return;

  command = g_settings_get_string (self->settings, "default-command");
  cl_store_set_command (self->store, command);
}

static void
unlocked (ClWindow *self)
{
  ClStore *store = cl_context_get_store (self->context);

  g_assert (self->store == NULL);

  self->store = g_object_ref (store);
  self->store_changed_id = g_signal_connect_object (store, "changed",
                                                    G_CALLBACK (store_changed_cb), self,
                                                    G_CONNECT_SWAPPED);
  apply_default_command (self);
  load_commands (self);
  cl_reports_page_set_store (self->reports_page, store, self->command_codes,
                             self->command_labels);

  self->case_list = cl_case_list_new (store, self->view);
  cl_case_list_set_sort (self->case_list, self->sort, self->descending);
  set_model (self, G_LIST_MODEL (self->case_list));
  sync_header_sort (self);

  refresh_counts (self);

  gtk_widget_set_visible (self->demo_box, cl_context_get_demo (self->context));
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-reports", TRUE);

  offer_drafts (self);
}

static void
locking_cb (ClWindow  *self,
            ClContext *context)
{
  /* Save first, while the store is still open. */
  cl_case_page_flush (self->case_page);

  /* No other count starts; one that is reading ends at the store's lock. */
  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);

  /* Locked while the new vault's recovery key was on screen: it goes too. */
  if (self->first_run_active)
    {
      cl_first_run_reset (self->first_run);
      self->first_run_active = FALSE;
    }

  keep_drafts (self);
  /* The reports' windows first: the file chooser of an export may be a portal's. */
  cl_reports_page_set_store (self->reports_page, NULL, NULL, NULL);
  destroy_dialogs (self);
  g_clear_weak_pointer (&self->dialog);

  drop_search (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  gtk_single_selection_set_model (self->selection, NULL);
  if (self->case_list != NULL)
    cl_case_list_clear (self->case_list);
  g_clear_object (&self->case_list);

  cl_case_page_clear (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  clear_undo (self);

  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);
  g_clear_handle_id (&self->counts_id, g_source_remove);
  show_counts (self, NULL);

  cl_clear_clipboards (gtk_widget_get_display (GTK_WIDGET (self)));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-reports", FALSE);

  /* Show the unlock page right away, not after a transition. */
  gtk_stack_set_transition_type (self->main_stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name (self->main_stack, "unlock");
  gtk_stack_set_transition_type (self->main_stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
}

static void
locked_cb (ClWindow *self)
{
  if (!cl_context_get_locked (self->context) && self->store == NULL)
    unlocked (self);

  show_page (self);
}

static void
first_run_done_cb (ClWindow   *self,
                   ClFirstRun *first_run)
{
  self->first_run_active = FALSE;
  show_page (self);
}

/* Actions -------------------------------------------------------------------------- */

static void
referral_created_cb (ClWindow            *self,
                     const char          *case_id,
                     ClNewReferralDialog *dialog)
{
  show_toast (self, _("Referral created"));
  cl_window_open_case (self, case_id);
}

static void
new_referral_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);
  ClNewReferralDialog *dialog;

  if (self->store == NULL)
    return;

  dialog = cl_new_referral_dialog_new (GTK_WINDOW (self), self->store, self->command_codes,
                                       self->command_labels,
                                       cl_store_get_command (self->store));
  g_signal_connect_object (dialog, "created", G_CALLBACK (referral_created_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  if (self->store == NULL)
    return;

  cl_case_page_flush (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  cl_case_page_flush (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->case_view));
}

static void
show_reports_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  cl_case_page_flush (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "reports");
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  gtk_widget_child_focus (GTK_WIDGET (self->reports_page), GTK_DIR_TAB_FORWARD);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

/* Object --------------------------------------------------------------------------- */

static gboolean
cl_window_close_request (GtkWindow *window)
{
  ClWindow *self = CL_WINDOW (window);

  cl_case_page_flush (self->case_page);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set (self->settings, "window-size", "(ii)", width, height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (cl_window_parent_class)->close_request (window);
}

static void
cl_window_constructed (GObject *object)
{
  ClWindow *self = (ClWindow *)object;

  G_OBJECT_CLASS (cl_window_parent_class)->constructed (object);

  g_return_if_fail (CL_IS_CONTEXT (self->context));

  self->settings = cl_context_get_settings (self->context);
  if (self->settings != NULL)
    {
      int width = 0, height = 0;

      g_object_ref (self->settings);
      g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));

      g_signal_connect_object (self->settings, "changed::default-command",
                               G_CALLBACK (apply_default_command), self, G_CONNECT_SWAPPED);
    }

  cl_unlock_page_set_context (self->unlock_page, self->context);
  cl_first_run_set_context (self->first_run, self->context);
  cl_first_run_set_offer_server (self->first_run, TRUE);
  cl_sync_indicator_set_context (self->sync_indicator, self->context);

  g_signal_connect_object (self->context, "locking", G_CALLBACK (locking_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::locked", G_CALLBACK (locked_cb), self,
                           G_CONNECT_SWAPPED);

  if (!cl_context_get_locked (self->context))
    unlocked (self);

  show_page (self);
}

static void
cl_window_dispose (GObject *object)
{
  ClWindow *self = (ClWindow *)object;

  drop_search (self);
  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  g_clear_handle_id (&self->counts_id, g_source_remove);
  clear_undo (self);
  g_clear_weak_pointer (&self->dialog);

  if (self->case_list != NULL)
    cl_case_list_clear (self->case_list);
  g_clear_object (&self->case_list);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_WINDOW);

  g_clear_object (&self->selection);
  for (guint i = 0; i < G_N_ELEMENTS (self->columns); i++)
    g_clear_object (&self->columns[i]);
  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (cl_window_parent_class)->dispose (object);
}

static void
cl_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ClWindow *self = CL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_SORT_BY:
      g_value_set_string (value, sort_name (self->sort));
      break;

    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  ClWindow *self = CL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    case PROP_SORT_BY:
      for (guint i = 0; i < G_N_ELEMENTS (sort_names); i++)
        if (g_strcmp0 (sort_names[i].name, g_value_get_string (value)) == 0)
          set_sort (self, sort_names[i].sort, self->descending, TRUE);
      break;

    case PROP_SORT_DESCENDING:
      set_sort (self, self->sort, g_value_get_boolean (value), TRUE);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_window_class_init (ClWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cl_window_constructed;
  object_class->dispose = cl_window_dispose;
  object_class->get_property = cl_window_get_property;
  object_class->set_property = cl_window_set_property;

  window_class->close_request = cl_window_close_request;

  /**
   * ClWindow:context:
   *
   * The application's context: vault, store and settings.
   */
  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CL_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /**
   * ClWindow:sort-by:
   *
   * What the case list is sorted by: "last-activity", "name", "status", "track",
   * "next-due" or "referral".
   */
  properties[PROP_SORT_BY] =
    g_param_spec_string ("sort-by", NULL, NULL,
                         "last-activity",
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CL_TYPE_CASE_PAGE);
  g_type_ensure (CL_TYPE_REPORTS_PAGE);
  g_type_ensure (CL_TYPE_FIRST_RUN);
  g_type_ensure (CL_TYPE_UNLOCK_PAGE);
  g_type_ensure (CL_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, first_run);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, unlock_page);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, demo_box);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, sort_button);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, conflicts_button);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, case_view);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, case_page);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, reports_page);
  gtk_widget_class_bind_template_callback (widget_class, first_run_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_mode_cb);
  gtk_widget_class_bind_template_callback (widget_class, case_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, case_edited_cb);
  gtk_widget_class_bind_template_callback (widget_class, case_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, reports_message_cb);
  gtk_widget_class_bind_template_callback (widget_class, reports_open_case_cb);

  gtk_widget_class_install_action (widget_class, "win.new-referral", NULL, new_referral_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.undo-edit", NULL, undo_edit_action);
  gtk_widget_class_install_action (widget_class, "win.undo-toast", "u", undo_toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-reports", NULL, show_reports_action);
  gtk_widget_class_install_property_action (widget_class, "win.sort-by", "sort-by");
  gtk_widget_class_install_property_action (widget_class, "win.sort-descending",
                                            "sort-descending");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.show-list", NULL);
}

static void
cl_window_init (ClWindow *self)
{
  self->view = CL_CASE_VIEW_MINE;
  self->sort = CL_CASE_SORT_LAST_ACTIVITY;
  self->descending = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  build_sidebar (self);
  build_columns (self);
  folded_cb (self);

  gtk_list_box_select_row (self->sidebar, gtk_list_box_get_row_at_index (self->sidebar, 0));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->list_box);
  gtk_editable_set_enable_undo (GTK_EDITABLE (self->search_entry), FALSE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-edit", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-reports", FALSE);
}

/**
 * cl_window_new:
 *
 * Returns: (transfer full): a new main window for @context
 */
ClWindow *
cl_window_new (AdwApplication *application,
               ClContext      *context)
{
  g_return_val_if_fail (ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CL_IS_CONTEXT (context), NULL);

  return g_object_new (CL_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

/**
 * cl_window_show_preferences:
 *
 * Opens the preferences, transient for the window.
 */
void
cl_window_show_preferences (ClWindow *self)
{
  ClPreferencesWindow *preferences;

  g_return_if_fail (CL_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  preferences = cl_preferences_window_new (GTK_WINDOW (self), self->settings,
                                           self->command_codes, self->command_labels);
  gtk_window_present (GTK_WINDOW (preferences));
}

ClContext *
cl_window_get_context (ClWindow *self)
{
  g_return_val_if_fail (CL_IS_WINDOW (self), NULL);

  return self->context;
}

/* Test accessors (cl-window-private.h) --------------------------------------------- */

const char *
_cl_window_get_page (ClWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
_cl_window_get_content_page (ClWindow *self)
{
  return gtk_stack_get_visible_child_name (self->content_stack);
}

GListModel *
_cl_window_get_cases (ClWindow *self)
{
  return gtk_single_selection_get_model (self->selection);
}

GtkColumnView *
_cl_window_get_case_view (ClWindow *self)
{
  return self->case_view;
}

GtkWidget *
_cl_window_get_conflicts_button (ClWindow *self)
{
  return self->conflicts_button;
}

ClCasePage *
_cl_window_get_case_page (ClWindow *self)
{
  return self->case_page;
}

ClReportsPage *
_cl_window_get_reports_page (ClWindow *self)
{
  return self->reports_page;
}

ClUnlockPage *
_cl_window_get_unlock_page (ClWindow *self)
{
  return self->unlock_page;
}

ClFirstRun *
_cl_window_get_first_run (ClWindow *self)
{
  return self->first_run;
}

GtkEditable *
_cl_window_get_search_entry (ClWindow *self)
{
  return GTK_EDITABLE (self->search_entry);
}

gint64
_cl_window_get_view_count (ClWindow   *self,
                           ClCaseView  view)
{
  const char *text = gtk_label_get_text (self->count_labels[view_index (view)]);
  g_autoptr(GString) digits = g_string_new (NULL);

  if (text == NULL || *text == '\0')
    return -1;

  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_ascii_strtoll (digits->str, NULL, 10);
}

guint
_cl_window_get_counts_serial (ClWindow *self)
{
  return self->counts_serial;
}

guint
_cl_window_get_search_serial (ClWindow *self)
{
  return self->search_serial;
}

gboolean
_cl_window_get_can_undo (ClWindow *self)
{
  return self->undo_values != NULL;
}

GtkWindow *
_cl_window_get_dialog (ClWindow *self)
{
  return self->dialog;
}

ClSyncIndicator *
_cl_window_get_sync_indicator (ClWindow *self)
{
  return self->sync_indicator;
}
