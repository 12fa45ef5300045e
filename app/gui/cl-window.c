/* cl-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One window shows one of three things: the first run, the unlock page, or (unlocked) an
 * AdwLeaflet of the sidebar of case views with live counts (ClSidebar) and the content:
 * the case list (ClCaseListView over the lazily loaded ClCaseList, sorted by SQLite,
 * searchable as you type), one case (ClCasePage) or the reports (ClReportsPage). The window
 * itself holds the actions, search, undo, and what happens on lock and unlock.
 *
 * Locking (DESIGN.md §4). On the context's ::locking, while the store is still open, the
 * window saves pending edits and has its ClDraftKeeper keep what was typed into a new
 * record's dialog as a draft in the vault, then drops everything that showed client data:
 * the case list (cl_case_list_clear), search results, the search text, the case page,
 * every dialog (their forms wipe their entries), the undo state, the counts and the
 * clipboard; then only the unlock page shows. After unlock, the keeper offers each kept
 * draft back. What locks (Ctrl+L, idle, screen lock, suspend) is the application's
 * (cl-application.c).
 */

#define G_LOG_DOMAIN "cl-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-a11y.h"
#include "cl-access.h"
#include "cl-case-list.h"
#include "cl-case-list-view.h"
#include "cl-case-page.h"
#include "cl-draft-keeper.h"
#include "cl-first-run.h"
#include "cl-gui-util.h"
#include "cl-new-referral-dialog.h"
#include "cl-preferences-window.h"
#include "cl-refdata.h"
#include "cl-reports-page.h"
#include "cl-sidebar.h"
#include "cl-sync-indicator.h"
#include "cl-unlock-page.h"
#include "cl-window.h"
#include "cl-window-private.h"

/* On top of GtkSearchEntry's own 150 ms. */
#define SEARCH_DELAY_MS 0
#define SEARCH_LIMIT 500

/* What an empty view says it is for, and the next thing to do there. */
static const struct {
  ClCaseView  view;
  const char *title;
  const char *description;
  const char *button;
  const char *action;       /* with no target, or the view to show */
  ClCaseView  target;
} empty_views[] = {
  { CL_CASE_VIEW_MINE, N_("No Cases Assigned to You"),
    N_("The open cases you are the advocate of show here. A new referral starts one."),
    N_("_New Referral"), "win.new-referral", 0 },
  { CL_CASE_VIEW_NEW_REFERRALS, N_("No New Referrals"),
    N_("Referrals waiting for a first contact show here."),
    N_("_New Referral"), "win.new-referral", 0 },
  { CL_CASE_VIEW_FOLLOW_UPS_DUE, N_("No Follow-ups Due"),
    N_("Open cases with a task due today or earlier show here. Nothing is due."),
    N_("Show _My Caseload"), "win.show-view", CL_CASE_VIEW_MINE },
  { CL_CASE_VIEW_COMMAND, N_("No Cases in Your Command"),
    N_("The open cases of your default command show here. The command is chosen in "
       "Preferences."),
    N_("Open _Preferences"), "app.preferences", 0 },
  { CL_CASE_VIEW_CLOSED, N_("No Closed Cases"),
    N_("Cases show here once they are closed."),
    N_("Show _My Caseload"), "win.show-view", CL_CASE_VIEW_MINE },
  { CL_CASE_VIEW_NEEDS_ATTENTION, N_("Nothing Needs Attention"),
    N_("Cases with a sync conflict or a change the server refused show here, to be "
       "resolved. There are none."),
    N_("Show _My Caseload"), "win.show-view", CL_CASE_VIEW_MINE },
  { CL_CASE_VIEW_ALL, N_("No Open Cases"),
    N_("Every open case of the vault shows here. A new referral starts one."),
    N_("_New Referral"), "win.new-referral", 0 },
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
  ClSidebar            *sidebar;
  GtkWidget            *demo_box;
  GtkStack             *content_stack;
  GtkWidget            *list_box;
  AdwWindowTitle       *list_title;
  GtkWidget            *sort_button;
  GtkWidget            *conflicts_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *list_stack;
  ClCaseListView       *case_view;
  AdwStatusPage        *empty_page;
  GtkButton            *empty_button;
  ClCasePage           *case_page;
  ClSyncIndicator      *sync_indicator;
  ClReportsPage        *reports_page;

  ClContext            *context;
  GSettings            *settings;
  ClStore              *store;

  ClCaseList           *case_list;
  GListModel           *search_results;
  ClCaseView            view;
  ClCaseSort            sort;
  gboolean              descending;
  ClDraftKeeper        *draft_keeper;
  gboolean              case_from_reports;  /* Back from the case returns to the report */

  GtkStringList        *command_codes;
  GtkStringList        *command_labels;

  GCancellable         *search_cancellable;
  guint                 search_id;
  guint                 search_serial;
  char                 *search_text;       /* what the last search started looked for */
  gboolean              search_running;    /* a search was started, its results not in */
  gboolean              focus_results;     /* Enter in the search entry: focus the first
                                            * result when the results are in */

  char                 *undo_type;
  char                 *undo_id;
  ClChanges            *undo_values;
  guint                 undo_serial;

  GtkWindow            *dialog;

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
      g_autofree char *label = NULL;

      if (code == NULL || cl_record_get (record, "active_to") != NULL)
        continue;

      gtk_string_list_append (self->command_codes, code);
      label = cl_refdata_command_label (code, cl_record_get (record, "name"));
      gtk_string_list_append (self->command_labels, label);
    }

  cl_case_page_set_commands (self->case_page, self->command_codes, self->command_labels);
}

/* Title and counts ---------------------------------------------------------------- */

static void
update_title (ClWindow *self)
{
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
      gint64 n = cl_view_counts_get (cl_sidebar_get_counts (self->sidebar), self->view);

      adw_window_title_set_title (self->list_title, cl_sidebar_view_label (self->view));
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

/* Case list ------------------------------------------------------------------------ */

static void
set_model (ClWindow   *self,
           GListModel *model)
{
  cl_case_list_view_set_model (self->case_view, model);
  update_list_stack (self);
  update_title (self);
}

static void
update_list_stack (ClWindow *self)
{
  GListModel *model = cl_case_list_view_get_model (self->case_view);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  if (n > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (self->search_results != NULL)
    gtk_stack_set_visible_child_name (self->list_stack, "no-results");
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (empty_views); i++)
        if (empty_views[i].view == self->view)
          {
            adw_status_page_set_icon_name (self->empty_page, cl_sidebar_view_icon (self->view));
            adw_status_page_set_title (self->empty_page, _(empty_views[i].title));
            adw_status_page_set_description (self->empty_page, _(empty_views[i].description));
            gtk_button_set_label (self->empty_button, _(empty_views[i].button));
            /* The target first: an action without its parameter would be refused. */
            gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_button), NULL);
            if (g_str_equal (empty_views[i].action, "win.show-view"))
              gtk_actionable_set_action_target (GTK_ACTIONABLE (self->empty_button), "u",
                                                (guint32) empty_views[i].target);
            else
              gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->empty_button),
                                                      NULL);
            gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_button),
                                            empty_views[i].action);
          }
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
}

/* Focus on what the list shows: its rows, or the button of an empty view (never a list
 * that is not shown, which would hold the focus where nobody sees it). */
static void
focus_list (ClWindow *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->case_view));
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "empty") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->empty_button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
case_view_sort_changed_cb (ClWindow       *self,
                           guint           sort,
                           gboolean        descending,
                           ClCaseListView *view)
{
  set_sort (self, (ClCaseSort) sort, descending, FALSE);
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
      gboolean shown = cl_case_list_view_get_model (self->case_view) ==
                       G_LIST_MODEL (self->case_list);

      /* Detached while it reloads, as in cl_window_show_view(). */
      if (shown)
        cl_case_list_view_set_model (self->case_view, NULL);
      cl_case_list_set_sort (self->case_list, sort, descending);
      if (shown)
        cl_case_list_view_set_model (self->case_view, G_LIST_MODEL (self->case_list));
    }
  if (sync_header)
    cl_case_list_view_show_sort (self->case_view, sort, descending);

  if (sort_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_BY]);
  if (descending_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

static void
folded_cb (ClWindow *self)
{
  /* Room for the title: a narrow window sorts from the column headers. */
  gtk_widget_set_visible (self->sort_button, !adw_leaflet_get_folded (self->leaflet));
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

  self->case_from_reports = g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack),
                                       "reports") == 0;
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
    cl_draft_keeper_restore (self->draft_keeper,
                             g_object_steal_data (G_OBJECT (dialog), "cl-draft"));
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
case_activated_cb (ClWindow       *self,
                   const char     *case_id,
                   ClCaseListView *view)
{
  cl_window_open_case (self, case_id);
}

/* Search --------------------------------------------------------------------------- */

static void
drop_search (ClWindow *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_handle_id (&self->search_id, g_source_remove);
  g_clear_object (&self->search_results);
  g_clear_pointer (&self->search_text, g_free);
  self->search_running = FALSE;
  self->focus_results = FALSE;
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
  self->search_running = FALSE;
  set_model (self, results);
  if (self->focus_results)
    {
      self->focus_results = FALSE;
      focus_list (self);
    }
}

static gboolean
search_timeout_cb (gpointer data)
{
  ClWindow *self = data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  self->search_id = 0;

  if (self->store == NULL)
    return G_SOURCE_REMOVE;
  /* Enter already started this search (search_activate_cb()). */
  if (g_strcmp0 (text, self->search_text) == 0 &&
      (self->search_running || self->search_results != NULL))
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  g_free (self->search_text);
  self->search_text = g_strdup (text);
  self->search_running = TRUE;
  cl_store_search_async (self->store, text, SEARCH_LIMIT, self->search_cancellable,
                         search_done_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Enter in the search entry goes to the results (the first one focused, so a second Enter
 * opens it): at once if they are in, else as soon as they are, without waiting for the
 * delays (GtkSearchEntry's and this window's). */
static void
search_activate_cb (ClWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  if (*text == '\0')
    return;
  if (self->search_id != 0 ||
      g_strcmp0 (self->search_text, gtk_editable_get_text (GTK_EDITABLE (self->search_entry))) != 0)
    {
      g_clear_handle_id (&self->search_id, g_source_remove);
      search_timeout_cb (self);
    }
  if (self->search_running)
    self->focus_results = TRUE;
  else if (self->search_results != NULL)
    focus_list (self);
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
      if (had_results || cl_case_list_view_get_model (self->case_view) == NULL)
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
      gboolean shown = cl_case_list_view_get_model (self->case_view) ==
                       G_LIST_MODEL (self->case_list);

      if (shown)
        cl_case_list_view_set_model (self->case_view, NULL);
      cl_case_list_set_view (self->case_list, view);
      if (shown)
        cl_case_list_view_set_model (self->case_view, G_LIST_MODEL (self->case_list));
    }

  cl_sidebar_set_view (self->sidebar, view);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  cl_case_page_flush (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  update_list_stack (self);
  update_title (self);
}

/* A view's row was activated (not only focused): its cases show, and a folded window
 * goes to them. */
static void
view_activated_cb (ClWindow  *self,
                   guint      view,
                   ClSidebar *sidebar)
{
  if (view != self->view || self->search_results != NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "list") != 0)
    cl_window_show_view (self, (ClCaseView) view);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

/* Drafts --------------------------------------------------------------------------- */

static void
draft_message_cb (ClWindow      *self,
                  const char    *text,
                  ClDraftKeeper *keeper)
{
  show_toast (self, text);
}

static void
draft_referral_created_cb (ClWindow      *self,
                           const char    *case_id,
                           ClDraftKeeper *keeper)
{
  referral_created_cb (self, case_id, NULL);
}

/* A draft typed on a restricted case shows only with a reason, like the case (rule 4 of
 * DOMAIN.md); without one it stays kept, and is offered after the next unlock. */
static void
draft_restricted_cb (ClWindow      *self,
                     const char    *case_id,
                     ClDraft       *draft,
                     ClDraftKeeper *keeper)
{
  ask_reason (self, case_id, draft);
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
  GtkWindow *shortcuts =
    GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self)));

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != GTK_WINDOW (self) && window != shortcuts)
        g_ptr_array_add (doomed, g_object_ref (window));
    }
  /* The shortcuts window shows no client data and is the window's for good: destroyed, it
   * would never show again. */
  if (shortcuts != NULL)
    gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);

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
  apply_default_command (self);
  load_commands (self);
  cl_draft_keeper_set_store (self->draft_keeper, store, self->command_codes,
                             self->command_labels);
  cl_reports_page_set_store (self->reports_page, store, self->command_codes,
                             self->command_labels);

  self->case_list = cl_case_list_new (store, self->view);
  cl_case_list_set_sort (self->case_list, self->sort, self->descending);
  set_model (self, G_LIST_MODEL (self->case_list));
  cl_case_list_view_show_sort (self->case_view, self->sort, self->descending);

  cl_view_counts_set_store (cl_sidebar_get_counts (self->sidebar), store);

  gtk_widget_set_visible (self->demo_box, cl_context_get_demo (self->context));
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-reports", TRUE);

  cl_draft_keeper_offer (self->draft_keeper);
}

static void
locking_cb (ClWindow  *self,
            ClContext *context)
{
  /* Save first, while the store is still open. */
  cl_case_page_flush (self->case_page);

  /* Let a count that is reading finish, and no other start, before the vault closes. */
  cl_view_counts_set_store (cl_sidebar_get_counts (self->sidebar), NULL);

  /* Locked while the new vault's recovery key was on screen: it goes too. */
  if (self->first_run_active)
    {
      cl_first_run_reset (self->first_run);
      self->first_run_active = FALSE;
    }

  cl_draft_keeper_keep (self->draft_keeper, self->case_page);
  cl_draft_keeper_set_store (self->draft_keeper, NULL, NULL, NULL);
  /* The reports' windows first: the file chooser of an export may be a portal's. */
  cl_reports_page_set_store (self->reports_page, NULL, NULL, NULL);
  destroy_dialogs (self);
  g_clear_weak_pointer (&self->dialog);

  drop_search (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  cl_case_list_view_set_model (self->case_view, NULL);
  if (self->case_list != NULL)
    cl_case_list_clear (self->case_list);
  g_clear_object (&self->case_list);

  cl_case_page_clear (self->case_page);
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  clear_undo (self);

  g_clear_object (&self->store);
  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);
  update_title (self);

  cl_clear_clipboards (gtk_widget_get_display (GTK_WIDGET (self)));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-referral", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-reports", FALSE);

  /* Show the unlock page right away, not after a transition. */
  gtk_stack_set_transition_type (self->main_stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name (self->main_stack, "unlock");
  gtk_stack_set_transition_type (self->main_stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
}

/* After unlock the focus goes where the advocate starts: the first case of the list (Enter
 * opens it; Ctrl+F searches), or the empty view's button. The unlock page's entry had it,
 * and no widget of the page shown would otherwise. After an unlock from the keyboard, the
 * focus ring shows where it went. */
static void
focus_after_unlock (ClWindow *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") != 0 ||
      !cl_list_focus_row (GTK_WIDGET (cl_case_list_view_get_column_view (self->case_view))))
    focus_list (self);
  if (cl_unlock_page_get_by_keyboard (self->unlock_page))
    gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
}

static void
locked_cb (ClWindow *self)
{
  gboolean unlocking = !cl_context_get_locked (self->context) && self->store == NULL;

  if (unlocking)
    unlocked (self);

  show_page (self);
  if (unlocking && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") == 0)
    focus_after_unlock (self);
}

static void
first_run_done_cb (ClWindow   *self,
                   ClFirstRun *first_run)
{
  self->first_run_active = FALSE;
  show_page (self);
  /* A new vault or the demo opens with the keyboard on its first case, as after unlock. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") == 0)
    focus_after_unlock (self);
}

/* Actions -------------------------------------------------------------------------- */

static void
referral_created_cb (ClWindow            *self,
                     const char          *case_id,
                     ClNewReferralDialog *dialog)
{
  show_toast (self, _("Referral created"));
  cl_window_open_case (self, case_id);
  /* The keyboard goes on with the new case (the dialog that had it is gone), so the case's
   * shortcuts work at once. */
  if (g_strcmp0 (cl_case_page_get_case_id (self->case_page), case_id) == 0)
    gtk_widget_child_focus (GTK_WIDGET (self->case_page), GTK_DIR_TAB_FORWARD);
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
  gboolean to_reports = self->case_from_reports &&
                        g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack),
                                   "case") == 0;

  cl_case_page_flush (self->case_page);
  self->case_from_reports = FALSE;
  /* Back from a case opened from a report returns to the report. */
  if (to_reports)
    {
      gtk_widget_activate_action (widget, "win.show-reports", NULL);
      return;
    }
  gtk_stack_set_visible_child_name (self->content_stack, "list");
  focus_list (self);
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
  gtk_widget_grab_focus (GTK_WIDGET (self->reports_page));
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  cl_window_show_view (self, (ClCaseView) g_variant_get_uint32 (param));
  focus_list (self);
}

/* Leaving the demo erases it; the first run shows again. */
static void
leave_demo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ClWindow *self = CL_WINDOW (widget);

  if (self->context != NULL && cl_context_get_demo (self->context))
    cl_context_discard_demo (self->context);
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
  /* A demo left: the first run shows, no longer the demo's unlock page. */
  g_signal_connect_object (self->context, "notify::demo", G_CALLBACK (show_page), self,
                           G_CONNECT_SWAPPED);

  if (!cl_context_get_locked (self->context))
    unlocked (self);

  show_page (self);

  /* A demo explored before and not left: the app opens it again. */
  if (self->first_run_active)
    cl_first_run_reopen_demo (self->first_run);
}

static void
cl_window_dispose (GObject *object)
{
  ClWindow *self = (ClWindow *)object;

  drop_search (self);
  clear_undo (self);
  g_clear_weak_pointer (&self->dialog);

  if (self->case_list != NULL)
    cl_case_list_clear (self->case_list);
  g_clear_object (&self->case_list);
  g_clear_object (&self->store);
  g_clear_object (&self->draft_keeper);

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_WINDOW);

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

  g_type_ensure (CL_TYPE_CASE_LIST_VIEW);
  g_type_ensure (CL_TYPE_SIDEBAR);
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
  gtk_widget_class_bind_template_child (widget_class, ClWindow, empty_button);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, case_page);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, reports_page);
  gtk_widget_class_bind_template_callback (widget_class, first_run_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_list_stack);
  gtk_widget_class_bind_template_callback (widget_class, case_view_sort_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
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
  gtk_widget_class_install_action (widget_class, "win.show-view", "u", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.leave-demo", NULL, leave_demo_action);
  gtk_widget_class_install_action (widget_class, "win.show-reports", NULL, show_reports_action);
  gtk_widget_class_install_property_action (widget_class, "win.sort-by", "sort-by");
  gtk_widget_class_install_property_action (widget_class, "win.sort-descending",
                                            "sort-descending");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.show-list", NULL);
  /* The toast's Undo, from the keyboard; a text entry keeps Ctrl+Z for its own text.
   * Listed in the shortcuts window (gtk/help-overlay.ui). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo-edit", NULL);
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

  folded_cb (self);
  cl_a11y_name_mnemonic_buttons (GTK_WIDGET (self));
  cl_a11y_hide_stack_pages (self->main_stack);
  cl_a11y_hide_stack_pages (self->content_stack);
  cl_a11y_hide_stack_pages (self->list_stack);
  g_signal_connect_object (cl_sidebar_get_counts (self->sidebar), "changed",
                           G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);

  self->draft_keeper = cl_draft_keeper_new (GTK_WINDOW (self));
  g_signal_connect_object (self->draft_keeper, "message", G_CALLBACK (draft_message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->draft_keeper, "referral-created",
                           G_CALLBACK (draft_referral_created_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->draft_keeper, "restricted", G_CALLBACK (draft_restricted_cb),
                           self, G_CONNECT_SWAPPED);
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
  return cl_case_list_view_get_model (self->case_view);
}

GtkColumnView *
_cl_window_get_case_view (ClWindow *self)
{
  return cl_case_list_view_get_column_view (self->case_view);
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
  return cl_view_counts_get (cl_sidebar_get_counts (self->sidebar), view);
}

guint
_cl_window_get_counts_serial (ClWindow *self)
{
  return cl_view_counts_get_serial (cl_sidebar_get_counts (self->sidebar));
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
  return self->dialog != NULL ? self->dialog : cl_draft_keeper_get_dialog (self->draft_keeper);
}

ClSyncIndicator *
_cl_window_get_sync_indicator (ClWindow *self)
{
  return self->sync_indicator;
}
