/* cl-case-page.c: one case, its client and everything recorded on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page hosts sections (cl-case-section.h), each with its own class and template: the
 * overview, the client, who may see a restricted case, safe contact, the contact log, one
 * section per kind of record, and the history. The page reads the case and its client,
 * saves what the sections change, tells the sections a change touches to show it, and
 * holds the case's actions (log a contact, add a record, close, reopen).
 *
 * Edits save as you go: each is one cl_store_update() (one outbox mutation), and the page
 * emits ::edited with the values it replaced so the window can offer to undo it. The
 * sections are built anew on each load and destroyed on cl_case_page_clear(), so nothing
 * about a client survives a lock in their widgets.
 *
 * Escape in a field showing a change not yet saved puts the saved value back and keeps the
 * focus there, as GNOME's inline editing does; otherwise it goes back to the list, as the
 * back button does, asking first whether to discard a contact started in the quick add.
 */

#define G_LOG_DOMAIN "cl-case-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-a11y.h"
#include "cl-case-access.h"
#include "cl-case-client.h"
#include "cl-case-contact-log.h"
#include "cl-case-history.h"
#include "cl-case-overview.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-case-record-section.h"
#include "cl-case-safe-contact.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"

struct _ClCasePage
{
  AdwBin               parent_instance;

  /* Template widgets */
  AdwHeaderBar        *header_bar;
  AdwWindowTitle      *window_title;
  GtkWidget           *back_button;
  GtkWidget           *menu_button;
  GtkStack            *stack;
  GtkBox              *case_box;
  AdwPreferencesPage  *page;

  ClStore             *store;
  char                *case_id;
  ClRecord            *case_record;
  ClRecord            *client_record;
  GtkStringList       *command_codes;
  GtkStringList       *command_labels;

  GPtrArray           *sections;    /* ClCaseSection, in the page's order */
  ClCaseOverview      *overview;
  ClCaseClient        *client;
  ClCaseSafeContact   *safe_contact;
  ClCaseContactLog    *contact_log;
  ClCaseHistory       *history;

  GtkWindow           *dialog;
  guint                folded : 1;
};

G_DEFINE_FINAL_TYPE (ClCasePage, cl_case_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

enum {
  EDITED,
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* What the page offers its sections (cl-case-section.h) ---------------------------- */

ClStore *
cl_case_page_get_store (ClCasePage *self)
{
  return self->store;
}

ClRecord *
cl_case_page_get_case (ClCasePage *self)
{
  return self->case_record;
}

ClRecord *
cl_case_page_get_client (ClCasePage *self)
{
  return self->client_record;
}

const char *
cl_case_page_get_client_id (ClCasePage *self)
{
  return self->client_record != NULL ? cl_record_get_id (self->client_record) : NULL;
}

GtkStringList *
cl_case_page_get_command_codes (ClCasePage *self)
{
  return self->command_codes;
}

GtkStringList *
cl_case_page_get_command_labels (ClCasePage *self)
{
  return self->command_labels;
}

/* The id of the parent of a record of @type: the client or the case. */
const char *
cl_case_page_parent_id (ClCasePage *self,
                        const char *type)
{
  const ClType *t = cl_schema_lookup_type (type);

  if (t->parent != NULL && g_str_equal (t->parent, "client_id"))
    return cl_case_page_get_client_id (self);

  return self->case_id;
}

void
cl_case_page_show_message (ClCasePage *self,
                           const char *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

void
cl_case_page_emit_edited (ClCasePage *self,
                          const char *description,
                          const char *type,
                          const char *id,
                          ClChanges  *old_values)
{
  g_signal_emit (self, signals[EDITED], 0, description, type, id, old_values);
}

void
cl_case_page_track_dialog (ClCasePage *self,
                           GtkWindow  *dialog)
{
  g_set_weak_pointer (&self->dialog, dialog);
}

static void
update_header (ClCasePage *self)
{
  const char *status;

  if (self->case_record == NULL || self->client_record == NULL)
    {
      adw_window_title_set_title (self->window_title, "");
      adw_window_title_set_subtitle (self->window_title, "");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.close", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.reopen", FALSE);
      return;
    }

  /* The page's own title, inside the window: the window's title never names a client. */
  adw_window_title_set_title (self->window_title,
                              cl_record_display_name (self->client_record));
  adw_window_title_set_subtitle (self->window_title,
                                 cl_record_get (self->case_record, "case_number"));

  status = cl_record_get (self->case_record, "status");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.close",
                                 g_strcmp0 (status, "closed") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.reopen",
                                 g_strcmp0 (status, "closed") == 0);
}

static gboolean
reload_records (ClCasePage  *self,
                GError     **error)
{
  g_autoptr(ClRecord) case_record = NULL;
  g_autoptr(ClRecord) client_record = NULL;

  case_record = cl_store_get (self->store, "case", self->case_id, error);
  if (case_record == NULL)
    return FALSE;

  client_record = cl_store_get (self->store, "client",
                                cl_record_get (case_record, "client_id"), error);
  if (client_record == NULL)
    return FALSE;

  g_set_object (&self->case_record, case_record);
  g_set_object (&self->client_record, client_record);

  return TRUE;
}

/**
 * cl_case_page_changed:
 * @type: the type of the records that changed
 *
 * Shows the change in the sections that list records of @type (and the history). A change
 * of the case or its client reads them again first.
 */
void
cl_case_page_changed (ClCasePage *self,
                      const char *type)
{
  if (self->store == NULL)
    return;

  if (g_strcmp0 (type, "case") == 0 || g_strcmp0 (type, "client") == 0)
    {
      g_autoptr(GError) error = NULL;

      if (!reload_records (self, &error))
        g_debug ("Could not reload the case: %s", error->message);
      update_header (self);
    }

  for (guint i = 0; i < self->sections->len; i++)
    {
      ClCaseSection *section = g_ptr_array_index (self->sections, i);

      if (cl_case_section_shows (section, type))
        cl_case_section_reload (section);
    }
}

/* Saves @values on a record and emits ::edited with the values they replace. */
gboolean
cl_case_page_save (ClCasePage *self,
                   const char *type,
                   const char *id,
                   ClChanges  *values,
                   ClRecord   *before,
                   const char *description)
{
  g_autoptr(ClChanges) old_values = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < cl_changes_get_n (values); i++)
    {
      const char *field = cl_changes_get_field (values, i);
      cl_changes_set (old_values, field, before != NULL ? cl_record_get (before, field) : NULL);
    }

  if (!cl_store_update (self->store, type, id, values, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason */
      message = g_strdup_printf (_("Could not save: %s"), error->message);
      cl_case_page_show_message (self, message);
      cl_case_page_reload (self);
      return FALSE;
    }

  cl_case_page_emit_edited (self, description, type, id, old_values);

  return TRUE;
}

/* Saves @values on the case or the client (@type), described by @field, and shows the
 * result. */
gboolean
cl_case_page_save_and_show (ClCasePage *self,
                            const char *type,
                            ClChanges  *values,
                            const char *field)
{
  ClRecord *before = g_str_equal (type, "case") ? self->case_record : self->client_record;
  g_autofree char *description = NULL;

  /* Translators: %s is a field name, e.g. "Status" */
  description = g_strdup_printf (_("“%s” saved"), cl_case_field_label (type, field));
  if (!cl_case_page_save (self, type, cl_record_get_id (before), values, before, description))
    return FALSE;

  cl_case_page_changed (self, type);
  return TRUE;
}

static ClCaseRecordSection *
find_record_section (ClCasePage *self,
                     const char *type)
{
  for (guint i = 0; self->sections != NULL && i < self->sections->len; i++)
    {
      gpointer section = g_ptr_array_index (self->sections, i);

      if (CL_IS_CASE_RECORD_SECTION (section) &&
          g_strcmp0 (cl_case_record_section_get_record_type (section), type) == 0)
        return section;
    }

  return NULL;
}

/**
 * cl_case_page_open_record:
 * @type: a record type
 * @id: a record of the case or its client
 *
 * Opens the record in its dialog; the case, the client and a safe-contact preference are
 * edited on the page, so their section takes the focus.
 */
void
cl_case_page_open_record (ClCasePage *self,
                          const char *type,
                          const char *id)
{
  ClCaseRecordSection *section = find_record_section (self, type);
  GtkWidget *target = NULL;
  gboolean opened = FALSE;

  if (section != NULL)
    opened = cl_case_record_section_open (section, id);
  else if (g_strcmp0 (type, "contact") == 0)
    opened = cl_case_contact_log_open (self->contact_log, id);
  else if (g_strcmp0 (type, "case") == 0)
    target = GTK_WIDGET (self->overview);
  else if (g_strcmp0 (type, "client") == 0)
    target = GTK_WIDGET (self->client);
  else if (g_strcmp0 (type, "safe_contact") == 0)
    target = GTK_WIDGET (self->safe_contact);

  if (target != NULL)
    opened = gtk_widget_child_focus (target, GTK_DIR_TAB_FORWARD);
  if (!opened)
    cl_case_page_show_message (self, _("That entry was deleted"));
}

static void
add_section (ClCasePage *self,
             GtkWidget  *section)
{
  g_ptr_array_add (self->sections, section);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (section));
  cl_case_section_reload (CL_CASE_SECTION (section));
}

/* Closing -------------------------------------------------------------------------- */

static void
close_response_cb (ClCasePage       *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  AdwComboRow *reason_row = g_object_get_data (G_OBJECT (dialog), "cl-reason-row");
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(ClRecord) before = NULL;
  g_autofree char *today = NULL;
  const char *reason;

  if (g_strcmp0 (response, "close") != 0 || self->store == NULL || reason_row == NULL)
    return;

  reason = cl_enum_code_at ("closure_reason", adw_combo_row_get_selected (reason_row), TRUE);
  if (reason == NULL)
    return;

  today = cl_today ();
  values = cl_changes_new ();
  cl_changes_set (values, "status", "closed");
  cl_changes_set (values, "closure_reason", reason);
  cl_changes_set (values, "closed_at", today);

  before = g_object_ref (self->case_record);
  if (cl_case_page_save (self, "case", self->case_id, values, before, _("Case closed")))
    cl_case_page_reload (self);
}

static void
reason_selected_cb (AdwComboRow      *row,
                    GParamSpec       *pspec,
                    AdwMessageDialog *dialog)
{
  gboolean chosen = adw_combo_row_get_selected (row) > 0;

  adw_message_dialog_set_response_enabled (dialog, "close", chosen);
  if (chosen)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
    }
}

/* Enter does what the default, Close Case, says: it closes the case once a reason is
 * chosen; until then the dialog stays, says what is missing and puts the focus on it.
 * (A button with the focus answers Enter itself; keys in the reason's open list are the
 * list's.) */
static gboolean
close_dialog_key_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     AdwComboRow           *row)
{
  GtkWidget *dialog = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (dialog));

  if ((keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 ||
      GTK_IS_BUTTON (focus) ||
      gdk_event_get_surface (event) != gtk_native_get_surface (GTK_NATIVE (dialog)))
    return FALSE;

  if (adw_combo_row_get_selected (row) > 0)
    return gtk_widget_activate_action (dialog, "default.activate", NULL);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Choose a reason first, then press Enter again"));
  gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  gtk_widget_grab_focus (GTK_WIDGET (row));
  return TRUE;
}

static void
close_case (ClCasePage *self)
{
  g_autoptr(GtkStringList) reasons = cl_enum_string_list_new ("closure_reason",
                                                              _("Choose a reason"));
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gint64 n_open;
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *row;
  GtkEventController *key;

  if (self->case_record == NULL)
    return;

  n_open = cl_store_count_open_tasks (self->store, self->case_id, &error);
  if (n_open < 0)
    g_debug ("Could not count the open tasks: %s", error->message);
  if (n_open > 0)
    body = g_strdup_printf (ngettext ("This case still has %d open task; it stays open. Say why "
                                      "the case closes. It moves to Closed cases and can be "
                                      "reopened.",
                                      "This case still has %d open tasks; they stay open. Say "
                                      "why the case closes. It moves to Closed cases and can be "
                                      "reopened.",
                                      (gulong) n_open),
                            (int) n_open);
  else
    body = g_strdup (_("Say why the case closes. It moves to Closed cases and can be "
                       "reopened."));
  dialog = adw_message_dialog_new (cl_widget_get_window (GTK_WIDGET (self)),
                                   _("Close Case?"), body);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Closure reason"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (reasons));
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  g_object_set_data (G_OBJECT (dialog), "cl-reason-row", row);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "close", _("C_lose Case"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "close", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (reason_selected_cb), dialog, 0);
  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (close_dialog_key_cb), row, 0);
  gtk_widget_add_controller (dialog, key);
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self,
                           G_CONNECT_SWAPPED);

  cl_case_page_track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions -------------------------------------------------------------------------- */

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  close_case (CL_CASE_PAGE (widget));
}

static void
reopen_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(ClRecord) before = NULL;

  if (self->case_record == NULL)
    return;

  cl_changes_set (values, "status", "active");
  cl_changes_set (values, "closure_reason", NULL);
  cl_changes_set (values, "closed_at", NULL);

  before = g_object_ref (self->case_record);
  if (cl_case_page_save (self, "case", self->case_id, values, before, _("Case reopened")))
    cl_case_page_reload (self);
}

static void
add_service_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  ClCaseRecordSection *section = find_record_section (CL_CASE_PAGE (widget), "service");

  if (section != NULL)
    cl_case_record_section_pick_service (section);
}

static void
add_record_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ClCaseRecordSection *section = find_record_section (CL_CASE_PAGE (widget),
                                                      g_variant_get_string (param, NULL));

  if (section != NULL)
    cl_case_record_section_add (section);
}

static void
log_contact_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);

  if (self->contact_log != NULL)
    cl_case_contact_log_log (self->contact_log, FALSE);
}

static void
focus_contact_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);

  if (self->contact_log != NULL)
    cl_case_contact_log_focus (self->contact_log);
}

static void
start_contact_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);

  if (self->contact_log != NULL)
    cl_case_contact_log_start (self->contact_log, g_variant_get_string (param, NULL));
}

/* Object --------------------------------------------------------------------------- */

static void
cl_case_page_dispose (GObject *object)
{
  ClCasePage *self = (ClCasePage *)object;

  cl_case_page_clear (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CASE_PAGE);

  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);

  G_OBJECT_CLASS (cl_case_page_parent_class)->dispose (object);
}

static void
cl_case_page_finalize (GObject *object)
{
  ClCasePage *self = (ClCasePage *)object;

  g_clear_pointer (&self->sections, g_ptr_array_unref);

  G_OBJECT_CLASS (cl_case_page_parent_class)->finalize (object);
}

static void
cl_case_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClCasePage *self = CL_CASE_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_case_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ClCasePage *self = CL_CASE_PAGE (object);

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

static void
back_response_cb (ClCasePage       *self,
                  const char       *response,
                  AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;

  if (self->contact_log != NULL)
    cl_case_contact_log_discard (self->contact_log);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-list", NULL);
}

/* Back to the list; a contact started in the quick add goes only when the advocate says
 * so. */
static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);
  GtkWindow *question;

  if (self->contact_log == NULL || !cl_case_contact_log_get_started (self->contact_log))
    {
      gtk_widget_activate_action (widget, "win.show-list", NULL);
      return;
    }

  question = _cl_record_dialog_new_discard_question (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                     FALSE);
  gtk_window_set_destroy_with_parent (question, TRUE);
  g_signal_connect_object (question, "response", G_CALLBACK (back_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (question);
}

/* Escape: first what the focused field holds unsaved goes, then the page. */
static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *form = focus != NULL ? gtk_widget_get_ancestor (focus, CL_TYPE_RECORD_FORM)
                                  : NULL;

  if (form != NULL && cl_record_form_revert_focus (CL_RECORD_FORM (form), focus))
    return TRUE;

  return gtk_widget_activate_action (widget, "case.back", NULL);
}

static void
cl_case_page_class_init (ClCasePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_page_dispose;
  object_class->finalize = cl_case_page_finalize;
  object_class->get_property = cl_case_page_get_property;
  object_class->set_property = cl_case_page_set_property;

  /**
   * ClCasePage:folded:
   *
   * Whether the window's leaflet is folded: the page then shows the window buttons.
   */
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClCasePage::edited:
   * @description: what was saved, for a toast
   * @type: the record type
   * @id: the record id
   * @old_values: the values the edit replaced: updating them back undoes it
   */
  signals[EDITED] =
    g_signal_new ("edited",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, CL_TYPE_CHANGES);

  /**
   * ClCasePage::message:
   * @text: something to tell the advocate (a toast)
   */
  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ClCasePage, case_box);

  gtk_widget_class_install_action (widget_class, "case.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "case.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "case.reopen", NULL, reopen_action);
  gtk_widget_class_install_action (widget_class, "case.add-service", NULL, add_service_action);
  gtk_widget_class_install_action (widget_class, "case.add-record", "s", add_record_action);
  gtk_widget_class_install_action (widget_class, "case.log-contact", NULL, log_contact_action);
  gtk_widget_class_install_action (widget_class, "case.focus-contact", NULL,
                                   focus_contact_action);
  gtk_widget_class_install_action (widget_class, "case.start-contact", "s",
                                   start_contact_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);
  /* Listed in the shortcuts window (gtk/help-overlay.ui). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_L,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "case.focus-contact", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "case.add-service", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_T,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "case.add-record", "s", "task");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_W,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "case.close", NULL);
}

static void
cl_case_page_init (ClCasePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sections = g_ptr_array_new ();

  update_header (self);
}

/**
 * cl_case_page_set_commands:
 *
 * The known commands, for the command rows. Applies from the next load.
 */
void
cl_case_page_set_commands (ClCasePage    *self,
                           GtkStringList *codes,
                           GtkStringList *labels)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  g_set_object (&self->command_codes, codes);
  g_set_object (&self->command_labels, labels);
}

/**
 * cl_case_page_load:
 *
 * Shows the case @case_id. The caller has audited the view.
 */
gboolean
cl_case_page_load (ClCasePage  *self,
                   ClStore     *store,
                   const char  *case_id,
                   GError     **error)
{
  const char * const *types = cl_case_record_section_types ();
  GtkWidget *section;

  g_return_val_if_fail (CL_IS_CASE_PAGE (self), FALSE);
  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (case_id != NULL, FALSE);

  cl_case_page_flush (self);
  cl_case_page_clear (self);

  self->store = g_object_ref (store);
  self->case_id = g_strdup (case_id);

  if (!reload_records (self, error))
    {
      cl_case_page_clear (self);
      return FALSE;
    }

  /* A new page for each case: it starts scrolled to the top. */
  self->page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->page), TRUE);
  gtk_box_append (self->case_box, GTK_WIDGET (self->page));

  section = cl_case_overview_new (self);
  self->overview = CL_CASE_OVERVIEW (section);
  add_section (self, section);
  add_section (self, cl_case_access_new (self));
  section = cl_case_client_new (self);
  self->client = CL_CASE_CLIENT (section);
  add_section (self, section);
  section = cl_case_safe_contact_new (self);
  self->safe_contact = CL_CASE_SAFE_CONTACT (section);
  add_section (self, section);
  section = cl_case_contact_log_new (self);
  self->contact_log = CL_CASE_CONTACT_LOG (section);
  add_section (self, section);
  for (guint i = 0; types[i] != NULL; i++)
    add_section (self, cl_case_record_section_new (self, types[i]));
  section = cl_case_history_new (self);
  self->history = CL_CASE_HISTORY (section);
  add_section (self, section);
  cl_a11y_name_mnemonic_buttons (GTK_WIDGET (self->page));

  update_header (self);
  gtk_stack_set_visible_child_name (self->stack, "case");

  return TRUE;
}

/**
 * cl_case_page_reload:
 *
 * Reads the case again (after an undo, a close or a record added).
 */
void
cl_case_page_reload (ClCasePage *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CL_IS_CASE_PAGE (self));

  if (self->store == NULL)
    return;

  if (!reload_records (self, &error))
    {
      g_debug ("Could not reload the case: %s", error->message);
      return;
    }

  for (guint i = 0; i < self->sections->len; i++)
    cl_case_section_reload (g_ptr_array_index (self->sections, i));
  update_header (self);
}

/**
 * cl_case_page_flush:
 *
 * Saves what the advocate typed but did not yet confirm, in the page and in an open
 * dialog (before the view changes or the vault locks).
 */
void
cl_case_page_flush (ClCasePage *self)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  if (self->store == NULL)
    return;

  for (guint i = 0; i < self->sections->len; i++)
    cl_case_section_flush (g_ptr_array_index (self->sections, i));

  if (CL_IS_RECORD_DIALOG (self->dialog))
    cl_record_form_flush (cl_record_dialog_get_form (CL_RECORD_DIALOG (self->dialog)));
}

/**
 * cl_case_page_take_contact_entry:
 *
 * What was typed into the contact log's quick add and not logged yet, for the window to
 * keep as a draft across a lock (cl_case_contact_log_take_entry()).
 *
 * Returns: (transfer full) (nullable): the values, or %NULL when no note was typed
 */
ClChanges *
cl_case_page_take_contact_entry (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  if (self->case_id == NULL || self->contact_log == NULL)
    return NULL;

  return cl_case_contact_log_take_entry (self->contact_log);
}

/**
 * cl_case_page_clear:
 *
 * Forgets the case and destroys every widget that showed it, without saving.
 */
void
cl_case_page_clear (ClCasePage *self)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  if (self->dialog != NULL)
    {
      GtkWindow *dialog = self->dialog;

      g_clear_weak_pointer (&self->dialog);
      gtk_window_destroy (dialog);
    }

  if (self->sections != NULL)
    g_ptr_array_set_size (self->sections, 0);
  self->overview = NULL;
  self->client = NULL;
  self->safe_contact = NULL;
  self->contact_log = NULL;
  self->history = NULL;

  if (self->page != NULL)
    {
      gtk_box_remove (self->case_box, GTK_WIDGET (self->page));
      self->page = NULL;
    }

  g_clear_object (&self->case_record);
  g_clear_object (&self->client_record);
  g_clear_pointer (&self->case_id, g_free);
  g_clear_object (&self->store);

  if (self->stack != NULL)
    gtk_stack_set_visible_child_name (self->stack, "empty");

  if (self->window_title != NULL)
    update_header (self);
}

/**
 * cl_case_page_get_case_id:
 *
 * Returns: (nullable): the id of the case shown
 */
const char *
cl_case_page_get_case_id (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->case_id;
}

/* Test accessors (cl-case-page-private.h) ------------------------------------------ */

void
_cl_case_page_set_contact (ClCasePage *self,
                           const char *channel,
                           const char *outcome,
                           const char *note)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  cl_case_contact_log_set_entry (self->contact_log, channel, outcome, note);
}

const char *
_cl_case_page_get_contact_channel (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return cl_case_contact_log_get_channel (self->contact_log);
}

const char *
_cl_case_page_get_contact_outcome (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return cl_case_contact_log_get_outcome (self->contact_log);
}

void
_cl_case_page_set_channel_safe (ClCasePage *self,
                                const char *channel,
                                const char *safe)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  cl_case_safe_contact_set_safe (self->safe_contact, channel, safe);
}

ClRecordForm *
_cl_case_page_get_case_form (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->overview != NULL ? cl_case_overview_get_form (self->overview) : NULL;
}

ClRecordForm *
_cl_case_page_get_client_form (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->client != NULL ? cl_case_client_get_form (self->client) : NULL;
}

guint
_cl_case_page_get_n_rows (ClCasePage *self,
                          const char *type)
{
  ClCaseRecordSection *section;

  g_return_val_if_fail (CL_IS_CASE_PAGE (self), 0);

  if (g_strcmp0 (type, "contact") == 0)
    return self->contact_log != NULL ? cl_case_contact_log_get_n_rows (self->contact_log) : 0;

  if (g_strcmp0 (type, "history") == 0)
    return self->history != NULL ? cl_case_history_get_n_rows (self->history) : 0;

  section = find_record_section (self, type);
  return section != NULL ? cl_case_record_section_get_n_rows (section) : 0;
}

/* Activates the row at @index of the section of @type, as a click on it does. */
void
_cl_case_page_activate_row (ClCasePage *self,
                            const char *type,
                            guint       index)
{
  ClCaseRecordSection *section;

  g_return_if_fail (CL_IS_CASE_PAGE (self));

  section = find_record_section (self, type);
  g_return_if_fail (section != NULL);
  cl_case_record_section_activate_row (section, index);
}

GtkWindow *
_cl_case_page_get_dialog (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->dialog;
}

/* The first section of @type on the page. */
GtkWidget *
_cl_case_page_get_section (ClCasePage *self,
                           GType       type)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  for (guint i = 0; i < self->sections->len; i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (g_ptr_array_index (self->sections, i), type))
      return g_ptr_array_index (self->sections, i);

  return NULL;
}
