/* cl-case-contact-log.c: contacts and attempts with a case's client, and a quick add
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Safe contact (DOMAIN.md rule 3): logging or starting a contact on a channel the client
 * has not confirmed safe asks first, with the reason and the date of the confirmation.
 * No outcome is chosen until the advocate picks one: a careless click records no success.
 *
 * A contact is logged as of now, or back-dated to when it happened (never ahead), with its
 * direction (outbound unless the client called) and, when known, its duration.
 */

#define G_LOG_DOMAIN "cl-case-contact-log"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-case-contact-log.h"
#include "cl-date.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"
#include "cl-record-form.h"
#include "cl-safe-contact.h"

struct _ClCaseContactLog
{
  AdwPreferencesGroup  parent_instance;

  AdwComboRow         *channel_row;
  AdwComboRow         *outcome_row;
  AdwExpanderRow      *details_row;
  AdwEntryRow         *when_row;
  AdwComboRow         *direction_row;
  AdwEntryRow         *duration_row;
  AdwEntryRow         *note_row;
  GtkListBox          *list;

  ClCasePage          *page;
  GListStore          *contacts;
};

static void cl_case_contact_log_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseContactLog, cl_case_contact_log,
                               ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_contact_log_iface_init))

static void
describe_contact (ClRecord    *record,
                  char       **title,
                  char       **subtitle,
                  const char **icon)
{
  g_autofree char *at = cl_format_datetime (cl_record_get (record, "at"));
  GString *out = g_string_new (NULL);

  /* Translators: a contact: its channel and outcome, e.g. "Phone call: No answer" */
  *title = g_strdup_printf (_("%s: %s"),
                            cl_enum_label ("channel", cl_record_get (record, "channel")),
                            cl_enum_label ("contact_outcome", cl_record_get (record, "outcome")));
  cl_case_append_part (out, at);
  cl_case_append_part (out, cl_record_get (record, "advocate"));
  cl_case_append_part (out, cl_record_get (record, "note"));
  *subtitle = g_string_free (out, FALSE);
}

static const char * const contact_fields[] = {
  "at", "direction", "channel", "outcome", "duration_minutes", "language", "interpreter",
  "advocate", "note", NULL
};

/* A contact opens to be read: the log is append-only. */
static void
open_contact (ClCaseContactLog *self,
              ClRecord         *record)
{
  ClRecordDialog *dialog;

  dialog = cl_record_dialog_new (cl_widget_get_window (GTK_WIDGET (self)), "contact",
                                 contact_fields, record, NULL, NULL);
  cl_case_page_track_dialog (self->page, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
row_activated_cb (ClCaseContactLog *self,
                  GtkListBoxRow    *row,
                  GtkListBox       *list)
{
  ClRecord *record = g_object_get_data (G_OBJECT (row), "cl-record");

  if (record != NULL)
    open_contact (self, record);
}

/**
 * cl_case_contact_log_open:
 * @id: a contact's id
 *
 * Returns: whether the log lists the contact @id, now shown in a dialog
 */
gboolean
cl_case_contact_log_open (ClCaseContactLog *self,
                          const char       *id)
{
  g_autoptr(ClRecord) record = NULL;

  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), FALSE);

  record = cl_record_list_find (G_LIST_MODEL (self->contacts), id);
  if (record == NULL)
    return FALSE;
  open_contact (self, record);
  return TRUE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return cl_case_record_row_new (item, describe_contact);
}

static const char *
selected_outcome (ClCaseContactLog *self)
{
  return cl_enum_code_at ("contact_outcome", adw_combo_row_get_selected (self->outcome_row),
                          TRUE);
}

static const char *
selected_channel (ClCaseContactLog *self)
{
  return cl_enum_code_at ("channel", adw_combo_row_get_selected (self->channel_row), FALSE);
}

/* Logging needs an outcome. */
static void
update_log_action (ClCaseContactLog *self)
{
  if (self->page == NULL)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self->page), "case.log-contact",
                                 selected_outcome (self) != NULL);
}

/* A warning before a contact on a channel not confirmed safe (DOMAIN.md rule 3): Cancel is
 * the default, and what Escape and closing answer. */
static GtkWidget *
safety_dialog_new (ClCaseContactLog     *self,
                   ClSafeContactWarning *warning,
                   const char           *response,
                   const char           *label)
{
  GtkWidget *dialog = adw_message_dialog_new (cl_widget_get_window (GTK_WIDGET (self)),
                                              warning->heading, warning->body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    response, label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  cl_case_page_track_dialog (self->page, GTK_WINDOW (dialog));

  return dialog;
}

static const char *
selected_direction (ClCaseContactLog *self)
{
  return cl_enum_code_at ("direction", adw_combo_row_get_selected (self->direction_row),
                          FALSE);
}

/* The details row says what the contact will be logged with. */
static void
update_details (ClCaseContactLog *self)
{
  const char *when = gtk_editable_get_text (GTK_EDITABLE (self->when_row));
  const char *minutes = gtk_editable_get_text (GTK_EDITABLE (self->duration_row));
  GString *out = g_string_new (NULL);

  /* A corrected row is no longer in error. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->when_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->duration_row), "error");
  cl_case_append_part (out, *when != '\0' ? when : _("Now"));
  cl_case_append_part (out, cl_enum_label ("direction", selected_direction (self)));
  if (*minutes != '\0')
    {
      /* Translators: %s is a number of minutes */
      g_autofree char *text = g_strdup_printf (_("%s min"), minutes);
      cl_case_append_part (out, text);
    }
  adw_expander_row_set_subtitle (self->details_row, out->str);
  g_string_free (out, TRUE);
}

/* What the details rows hold, checked: when (now if empty, never ahead), direction and
 * duration. On error tells why and puts the focus on the row. */
static gboolean
read_details (ClCaseContactLog  *self,
              char             **at,
              char             **duration)
{
  const ClType *type = cl_schema_lookup_type ("contact");
  g_autofree char *when = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->when_row))));
  g_autofree char *minutes = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->duration_row))));
  g_autoptr(GError) error = NULL;
  GtkWidget *bad = NULL;

  /* Typed in the locale's format or ISO (cl-date.h). */
  *at = *when != '\0' ? cl_datetime_parse_to_utc (when, NULL) : cl_now_utc ();
  if (*at == NULL)
    {
      g_autofree char *now = cl_now_utc ();
      g_autofree char *example = cl_datetime_format_local (now, NULL);

      /* Translators: %s is the present date and time as the user's locale writes them */
      g_set_error (&error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                   _("Type when the contact happened, such as %s"), example);
      bad = GTK_WIDGET (self->when_row);
    }
  else if (!cl_record_form_check_when ("contact", "at", *at, &error))
    bad = GTK_WIDGET (self->when_row);
  else
    {
      *duration = cl_field_normalize (cl_type_lookup_field (type, "duration_minutes"),
                                      minutes, &error);
      if (error != NULL || (*duration != NULL && g_ascii_strtoll (*duration, NULL, 10) < 0))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                               _("The duration is a number of minutes"));
          bad = GTK_WIDGET (self->duration_row);
        }
    }

  if (bad == NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->when_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->duration_row), "error");
      return TRUE;
    }

  g_clear_pointer (at, g_free);
  g_clear_pointer (duration, g_free);
  gtk_widget_add_css_class (bad, "error");
  adw_expander_row_set_expanded (self->details_row, TRUE);
  gtk_widget_grab_focus (bad);
  cl_case_page_show_message (self->page, error->message);
  return FALSE;
}

/* Back to a contact of now, outbound, of no known duration. */
static void
reset_details (ClCaseContactLog *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->when_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->duration_row), "");
  adw_combo_row_set_selected (self->direction_row,
                              cl_enum_position ("direction", "outbound", FALSE));
}

/* Empties the quick add: the note's buffer wipes its text, no undo step keeps it. */
static void
clear_entry (ClCaseContactLog *self)
{
  gtk_editable_set_enable_undo (GTK_EDITABLE (self->note_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), "");
  gtk_editable_set_enable_undo (GTK_EDITABLE (self->note_row), TRUE);
  adw_combo_row_set_selected (self->outcome_row, 0);
  reset_details (self);
}

static void
safety_response_cb (ClCaseContactLog *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "log") == 0)
    cl_case_contact_log_log (self, TRUE);
}

/**
 * cl_case_contact_log_log:
 * @confirmed: whether the advocate confirmed a channel not known to be safe
 *
 * Logs the contact the quick add shows, after a warning when its channel is not safe.
 */
void
cl_case_contact_log_log (ClCaseContactLog *self,
                         gboolean          confirmed)
{
  ClStore *store;
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *at = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *note = NULL;
  g_autoptr(ClSafeContactWarning) warning = NULL;
  const char *channel;
  const char *outcome;

  g_return_if_fail (CL_IS_CASE_CONTACT_LOG (self));

  store = cl_case_page_get_store (self->page);
  channel = selected_channel (self);
  outcome = selected_outcome (self);
  if (store == NULL || channel == NULL)
    return;
  if (outcome == NULL)
    {
      cl_case_page_show_message (self->page, _("Choose the contact’s outcome first"));
      gtk_widget_grab_focus (GTK_WIDGET (self->outcome_row));
      return;
    }

  if (!confirmed)
    warning = cl_safe_contact_check_client (store, cl_case_page_get_client_id (self->page),
                                            channel, outcome);
  if (warning != NULL)
    {
      GtkWidget *dialog = safety_dialog_new (self, warning, "log", _("_Log Anyway"));

      g_signal_connect_object (dialog, "response", G_CALLBACK (safety_response_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (!read_details (self, &at, &duration))
    return;
  note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_row))));

  values = cl_changes_new ();
  cl_changes_set (values, "case_id", cl_record_get_id (cl_case_page_get_case (self->page)));
  cl_changes_set (values, "at", at);
  cl_changes_set (values, "direction", selected_direction (self));
  cl_changes_set (values, "channel", channel);
  cl_changes_set (values, "outcome", outcome);
  cl_changes_set (values, "duration_minutes", duration);
  if (*note != '\0')
    cl_changes_set (values, "note", note);

  id = cl_store_create (store, "contact", values, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not log the contact: %s"),
                                                  error->message);
      cl_case_page_show_message (self->page, message);
      return;
    }

  clear_entry (self);
  cl_case_page_changed (self->page, "contact");
  cl_case_page_show_message (self->page, _("Contact logged"));
}

static void
note_activated_cb (ClCaseContactLog *self)
{
  cl_case_contact_log_log (self, FALSE);
}

static void
show_channel (ClCaseContactLog *self,
              const char       *channel)
{
  adw_combo_row_set_selected (self->channel_row, cl_enum_position ("channel", channel, FALSE));
  gtk_widget_grab_focus (GTK_WIDGET (self->outcome_row));
}

static void
start_response_cb (ClCaseContactLog *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "start") == 0)
    show_channel (self, g_object_get_data (G_OBJECT (dialog), "cl-channel"));
}

/**
 * cl_case_contact_log_start:
 * @channel: a channel code
 *
 * Starts a contact on @channel: warns first when it is not safe, then shows the channel
 * in the quick add with the focus on the outcome.
 */
void
cl_case_contact_log_start (ClCaseContactLog *self,
                           const char       *channel)
{
  g_autoptr(ClSafeContactWarning) warning = NULL;
  GtkWidget *dialog;

  g_return_if_fail (CL_IS_CASE_CONTACT_LOG (self));

  if (cl_enum_position ("channel", channel, FALSE) == GTK_INVALID_LIST_POSITION)
    return;

  /* Warn now, before the advocate dials; logging warns again only if still unsafe. */
  warning = cl_safe_contact_check_client (cl_case_page_get_store (self->page),
                                          cl_case_page_get_client_id (self->page),
                                          channel, NULL);
  if (warning == NULL)
    {
      show_channel (self, channel);
      return;
    }

  dialog = safety_dialog_new (self, warning, "start", _("_Contact Anyway"));
  g_object_set_data_full (G_OBJECT (dialog), "cl-channel", g_strdup (channel), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (start_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cl_case_contact_log_focus (ClCaseContactLog *self)
{
  g_return_if_fail (CL_IS_CASE_CONTACT_LOG (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->channel_row));
}

/**
 * cl_case_contact_log_take_entry:
 *
 * What was typed into the quick add and not logged yet, as the values of a new contact
 * of the case (when, direction, channel, outcome, duration and note, as the rows show
 * them), for the window to
 * keep as a draft across a lock. The note entry is emptied with its undo history off, so
 * that its buffer wipes the text.
 *
 * Returns: (transfer full) (nullable): the values, or %NULL when no note was typed
 */
ClChanges *
cl_case_contact_log_take_entry (ClCaseContactLog *self)
{
  g_autofree char *when = NULL;
  g_autofree char *duration = NULL;
  ClChanges *values;
  const char *note;

  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), NULL);

  note = gtk_editable_get_text (GTK_EDITABLE (self->note_row));
  if (note == NULL || *note == '\0' || strspn (note, " \t\n") == strlen (note))
    return NULL;

  when = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->when_row))));
  if (*when == '\0')
    {
      g_autofree char *now = cl_now_utc ();

      g_free (when);
      when = cl_datetime_to_local_input (now);
    }
  values = cl_changes_new ();
  cl_changes_set (values, "at", when);
  cl_changes_set (values, "direction", selected_direction (self));
  cl_changes_set (values, "channel", selected_channel (self));
  cl_changes_set (values, "outcome", selected_outcome (self));
  duration = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->duration_row))));
  if (*duration != '\0')
    cl_changes_set (values, "duration_minutes", duration);
  cl_changes_set (values, "note", note);

  gtk_editable_set_enable_undo (GTK_EDITABLE (self->note_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), "");
  gtk_editable_set_enable_undo (GTK_EDITABLE (self->note_row), TRUE);
  return values;
}

void
cl_case_contact_log_set_entry (ClCaseContactLog *self,
                               const char       *channel,
                               const char       *outcome,
                               const char       *note)
{
  g_return_if_fail (CL_IS_CASE_CONTACT_LOG (self));

  adw_combo_row_set_selected (self->channel_row, cl_enum_position ("channel", channel, FALSE));
  adw_combo_row_set_selected (self->outcome_row,
                              cl_enum_position ("contact_outcome", outcome, TRUE));
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), note != NULL ? note : "");
}

/**
 * cl_case_contact_log_get_started:
 *
 * Returns: whether the quick add holds a contact not logged yet: an outcome chosen or a
 *   note typed
 */
gboolean
cl_case_contact_log_get_started (ClCaseContactLog *self)
{
  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), FALSE);

  return selected_outcome (self) != NULL ||
         *gtk_editable_get_text (GTK_EDITABLE (self->note_row)) != '\0';
}

/**
 * cl_case_contact_log_discard:
 *
 * Empties the quick add without logging anything.
 */
void
cl_case_contact_log_discard (ClCaseContactLog *self)
{
  g_return_if_fail (CL_IS_CASE_CONTACT_LOG (self));

  clear_entry (self);
}

const char *
cl_case_contact_log_get_channel (ClCaseContactLog *self)
{
  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), NULL);

  return selected_channel (self);
}

const char *
cl_case_contact_log_get_outcome (ClCaseContactLog *self)
{
  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), NULL);

  return selected_outcome (self);
}

guint
cl_case_contact_log_get_n_rows (ClCaseContactLog *self)
{
  g_return_val_if_fail (CL_IS_CASE_CONTACT_LOG (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->contacts));
}

/* Section -------------------------------------------------------------------------- */

static void
cl_case_contact_log_reload (ClCaseSection *section)
{
  ClCaseContactLog *self = CL_CASE_CONTACT_LOG (section);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  records = cl_store_list_children (cl_case_page_get_store (self->page), "contact",
                                    cl_record_get_id (cl_case_page_get_case (self->page)),
                                    &error);
  if (records == NULL)
    {
      g_debug ("Could not read contacts: %s", error->message);
      return;
    }

  cl_case_fill_store (self->contacts, records, TRUE);
  update_log_action (self);
}

static gboolean
cl_case_contact_log_shows (ClCaseSection *section,
                           const char    *type)
{
  return g_strcmp0 (type, "contact") == 0;
}

static void
cl_case_contact_log_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_contact_log_reload;
  iface->shows = cl_case_contact_log_shows;
}

static void
cl_case_contact_log_dispose (GObject *object)
{
  ClCaseContactLog *self = CL_CASE_CONTACT_LOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CASE_CONTACT_LOG);
  g_clear_object (&self->contacts);

  G_OBJECT_CLASS (cl_case_contact_log_parent_class)->dispose (object);
}

static void
cl_case_contact_log_class_init (ClCaseContactLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_contact_log_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-contact-log.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, details_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, when_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, direction_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, duration_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, note_row);
  gtk_widget_class_bind_template_child (widget_class, ClCaseContactLog, list);
  gtk_widget_class_bind_template_callback (widget_class, note_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_log_action);
  gtk_widget_class_bind_template_callback (widget_class, update_details);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
cl_case_contact_log_init (ClCaseContactLog *self)
{
  g_autoptr(GtkStringList) channels = cl_enum_string_list_new ("channel", NULL);
  /* No outcome until the advocate picks one: a careless click records no success. */
  g_autoptr(GtkStringList) outcomes = cl_enum_string_list_new ("contact_outcome",
                                                               _("Choose an outcome"));
  g_autoptr(GtkStringList) directions = cl_enum_string_list_new ("direction", NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (channels));
  adw_combo_row_set_model (self->outcome_row, G_LIST_MODEL (outcomes));
  adw_combo_row_set_model (self->direction_row, G_LIST_MODEL (directions));
  reset_details (self);
  update_details (self);

  self->contacts = g_list_store_new (CL_TYPE_RECORD);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->contacts), create_row, NULL, NULL);
}

GtkWidget *
cl_case_contact_log_new (ClCasePage *page)
{
  ClCaseContactLog *self = g_object_new (CL_TYPE_CASE_CONTACT_LOG, NULL);

  self->page = page;

  return GTK_WIDGET (self);
}
