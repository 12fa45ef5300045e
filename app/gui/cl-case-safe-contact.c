/* cl-case-safe-contact.c: how it is safe to reach a case's client, per channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Safe contact (DOMAIN.md rule 3): each channel says whether it is safe, whether the agency
 * may be named and when, with the date of the confirmation; "Start Contact" on a channel
 * goes to the contact log, through a warning when the channel is not confirmed safe.
 */

#define G_LOG_DOMAIN "cl-case-safe-contact"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-safe-contact.h"
#include "cl-gui-util.h"

typedef struct {
  const char     *code;
  ClRecord       *record;
  AdwExpanderRow *row;
  AdwComboRow    *safe_row;
  AdwComboRow    *agency_row;
  AdwEntryRow    *times_row;
  GtkImage       *icon;
} ChannelRows;

struct _ClCaseSafeContact
{
  AdwPreferencesGroup  parent_instance;

  ClCasePage          *page;
  ChannelRows         *channels;
  guint                n_channels;
  guint                loading;
};

static void cl_case_safe_contact_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseSafeContact, cl_case_safe_contact,
                               ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_safe_contact_iface_init))

static ChannelRows *
find_channel (ClCaseSafeContact *self,
              const char *code)
{
  for (guint i = 0; i < self->n_channels; i++)
    if (g_strcmp0 (self->channels[i].code, code) == 0)
      return &self->channels[i];

  return NULL;
}

static char *
channel_status_text (ClRecord *record)
{
  GString *out = g_string_new (NULL);
  const char *safe = record != NULL ? cl_record_get (record, "safe") : NULL;
  const char *agency = record != NULL ? cl_record_get (record, "agency_ok") : NULL;
  const char *confirmed_on = record != NULL ? cl_record_get (record, "confirmed_on") : NULL;

  if (g_strcmp0 (safe, "yes") == 0)
    cl_case_append_part (out, _("Safe"));
  else if (g_strcmp0 (safe, "no") == 0)
    cl_case_append_part (out, _("Not safe"));
  else
    cl_case_append_part (out, _("Not confirmed"));

  if (confirmed_on != NULL)
    {
      g_autofree char *date = cl_format_date (confirmed_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("confirmed %s"), date);
      cl_case_append_part (out, text);
    }

  if (g_strcmp0 (safe, "yes") == 0)
    cl_case_append_part (out, g_strcmp0 (agency, "yes") == 0 ? _("agency name allowed")
                                                     : _("do not name the agency"));

  return g_string_free (out, FALSE);
}

static void
show_channel (ClCaseSafeContact  *self,
              ChannelRows *rows)
{
  const char *safe = rows->record != NULL ? cl_record_get (rows->record, "safe") : NULL;
  const char *agency = rows->record != NULL ? cl_record_get (rows->record, "agency_ok") : NULL;
  const char *times = rows->record != NULL ? cl_record_get (rows->record, "safe_times") : NULL;
  g_autofree char *status = channel_status_text (rows->record);

  self->loading++;

  adw_expander_row_set_subtitle (rows->row, status);
  adw_combo_row_set_selected (rows->safe_row,
                              cl_enum_position ("tri_state", safe != NULL ? safe : "unknown",
                                                FALSE));
  adw_combo_row_set_selected (rows->agency_row, cl_enum_position ("tri_state", agency, TRUE));
  gtk_editable_set_text (GTK_EDITABLE (rows->times_row), times != NULL ? times : "");

  gtk_widget_remove_css_class (GTK_WIDGET (rows->icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (rows->icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (rows->icon), "dim-label");

  if (g_strcmp0 (safe, "yes") == 0)
    {
      gtk_image_set_from_icon_name (rows->icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (rows->icon), "success");
    }
  else if (g_strcmp0 (safe, "no") == 0)
    {
      gtk_image_set_from_icon_name (rows->icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (rows->icon), "error");
    }
  else
    {
      gtk_image_set_from_icon_name (rows->icon, "dialog-question-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (rows->icon), "dim-label");
    }

  self->loading--;
}

static void
cl_case_safe_contact_reload (ClCaseSection *section)
{
  ClCaseSafeContact *self = CL_CASE_SAFE_CONTACT (section);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->n_channels; i++)
    g_clear_object (&self->channels[i].record);

  records = cl_store_list_children (cl_case_page_get_store (self->page), "safe_contact",
                                    cl_case_page_get_client_id (self->page), &error);
  if (records == NULL)
    {
      g_debug ("Could not read safe-contact preferences: %s", error->message);
      return;
    }

  /* In creation order: the last one of a channel wins. */
  for (guint i = 0; i < records->len; i++)
    {
      ClRecord *record = g_ptr_array_index (records, i);
      ChannelRows *rows = find_channel (self, cl_record_get (record, "channel"));

      if (rows != NULL)
        g_set_object (&rows->record, record);
    }

  for (guint i = 0; i < self->n_channels; i++)
    show_channel (self, &self->channels[i]);
}

static void
save_channel (ClCaseSafeContact  *self,
              ChannelRows *rows,
              const char  *field,
              const char  *value)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *today = cl_today ();
  g_autofree char *description = NULL;

  if (g_strcmp0 (rows->record != NULL ? cl_record_get (rows->record, field) : NULL, value) == 0)
    return;

  cl_changes_set (values, field, value);
  if (g_str_equal (field, "safe"))
    {
      cl_changes_set (values, "confirmed_on", today);
      cl_changes_set (values, "confirmed_by", cl_store_get_user (cl_case_page_get_store (self->page)));
    }

  /* Translators: %s is a contact channel, e.g. "Phone call" */
  description = g_strdup_printf (_("Safe contact for “%s” saved"),
                                 cl_enum_label ("channel", rows->code));

  if (rows->record != NULL)
    {
      g_autofree char *id = g_strdup (cl_record_get_id (rows->record));

      cl_case_page_save (self->page, "safe_contact", id, values, rows->record, description);
    }
  else
    {
      g_autofree char *id = NULL;
      g_autoptr(ClChanges) old_values = cl_changes_new ();

      cl_changes_set (values, "client_id", cl_case_page_get_client_id (self->page));
      cl_changes_set (values, "channel", rows->code);
      if (!g_str_equal (field, "safe"))
        cl_changes_set (values, "safe", "unknown");

      id = cl_store_create (cl_case_page_get_store (self->page), "safe_contact", values, &error);
      if (id == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);
          cl_case_page_show_message (self->page, message);
        }
      else
        {
          /* Undo puts the channel back to what it was: not confirmed. */
          cl_changes_set (old_values, field, g_str_equal (field, "safe") ? "unknown" : NULL);
          if (g_str_equal (field, "safe"))
            {
              cl_changes_set (old_values, "confirmed_on", NULL);
              cl_changes_set (old_values, "confirmed_by", NULL);
            }
          cl_case_page_emit_edited (self->page, description, "safe_contact", id,
                                    old_values);
        }
    }

  cl_case_page_changed (self->page, "safe_contact");
}

static void
channel_safe_cb (AdwComboRow *row,
                 GParamSpec  *pspec,
                 ClCaseSafeContact  *self)
{
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (self->loading > 0 || rows == NULL)
    return;

  save_channel (self, rows, "safe",
                cl_enum_code_at ("tri_state", adw_combo_row_get_selected (row), FALSE));
}

static void
channel_agency_cb (AdwComboRow *row,
                   GParamSpec  *pspec,
                   ClCaseSafeContact  *self)
{
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (self->loading > 0 || rows == NULL)
    return;

  save_channel (self, rows, "agency_ok",
                cl_enum_code_at ("tri_state", adw_combo_row_get_selected (row), TRUE));
}

static void
channel_times_commit (ClCaseSafeContact  *self,
                      ChannelRows *rows)
{
  g_autofree char *text = NULL;

  if (self->loading > 0 || cl_case_page_get_store (self->page) == NULL)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (rows->times_row))));
  save_channel (self, rows, "safe_times", *text != '\0' ? text : NULL);
}

static void
channel_times_apply_cb (AdwEntryRow *row,
                        ClCaseSafeContact  *self)
{
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (rows != NULL)
    channel_times_commit (self, rows);
}

static void
channel_times_leave_cb (GtkEventControllerFocus *controller,
                        ClCaseSafeContact       *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (rows != NULL)
    channel_times_commit (self, rows);
}

static void
build_channels (ClCaseSafeContact *self)
{
  const ClEnum *channels = cl_schema_lookup_enum ("channel");

  self->n_channels = channels->n_values;
  self->channels = g_new0 (ChannelRows, channels->n_values);

  for (guint i = 0; i < channels->n_values; i++)
    {
      ChannelRows *rows = &self->channels[i];
      g_autoptr(GtkStringList) safe_labels = cl_enum_string_list_new ("tri_state", NULL);
      g_autoptr(GtkStringList) agency_labels =
        cl_enum_string_list_new ("tri_state", C_("value", "Not set"));
      GtkEventController *focus;
      GtkWidget *button;
      GtkWidget *action_row;

      rows->code = channels->values[i].code;

      rows->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->row),
                                     g_dgettext (GETTEXT_PACKAGE, channels->values[i].label));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (rows->row), FALSE);
      rows->icon = GTK_IMAGE (gtk_image_new_from_icon_name ("dialog-question-symbolic"));
      adw_expander_row_add_prefix (rows->row, GTK_WIDGET (rows->icon));

      rows->safe_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->safe_row),
                                     _("Safe to use"));
      adw_combo_row_set_model (rows->safe_row, G_LIST_MODEL (safe_labels));
      g_object_set_data (G_OBJECT (rows->safe_row), "cl-channel", rows);
      g_signal_connect_object (rows->safe_row, "notify::selected",
                               G_CALLBACK (channel_safe_cb), self, 0);
      adw_expander_row_add_row (rows->row, GTK_WIDGET (rows->safe_row));

      rows->agency_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->agency_row),
                                     _("OK to identify the agency"));
      adw_combo_row_set_model (rows->agency_row, G_LIST_MODEL (agency_labels));
      g_object_set_data (G_OBJECT (rows->agency_row), "cl-channel", rows);
      g_signal_connect_object (rows->agency_row, "notify::selected",
                               G_CALLBACK (channel_agency_cb), self, 0);
      adw_expander_row_add_row (rows->row, GTK_WIDGET (rows->agency_row));

      rows->times_row = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->times_row), _("Safe times"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (rows->times_row), FALSE);
      adw_entry_row_set_show_apply_button (rows->times_row, TRUE);
      g_object_set_data (G_OBJECT (rows->times_row), "cl-channel", rows);
      g_signal_connect_object (rows->times_row, "apply",
                               G_CALLBACK (channel_times_apply_cb), self, 0);
      g_signal_connect_object (rows->times_row, "entry-activated",
                               G_CALLBACK (channel_times_apply_cb), self, 0);
      focus = gtk_event_controller_focus_new ();
      g_signal_connect_object (focus, "leave", G_CALLBACK (channel_times_leave_cb), self, 0);
      gtk_widget_add_controller (GTK_WIDGET (rows->times_row), focus);
      adw_expander_row_add_row (rows->row, GTK_WIDGET (rows->times_row));

      action_row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row),
                                     _("Contact the client this way"));
      button = gtk_button_new_with_mnemonic (_("_Start Contact"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "case.start-contact");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", rows->code);
      adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), button);
      adw_expander_row_add_row (rows->row, action_row);

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (rows->row));
    }

}


/* Section -------------------------------------------------------------------------- */

static void
cl_case_safe_contact_flush (ClCaseSection *section)
{
  ClCaseSafeContact *self = CL_CASE_SAFE_CONTACT (section);

  for (guint i = 0; i < self->n_channels; i++)
    channel_times_commit (self, &self->channels[i]);
}

static gboolean
cl_case_safe_contact_shows (ClCaseSection *section,
                            const char    *type)
{
  return g_strcmp0 (type, "safe_contact") == 0;
}

static void
cl_case_safe_contact_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_safe_contact_reload;
  iface->flush = cl_case_safe_contact_flush;
  iface->shows = cl_case_safe_contact_shows;
}

static void
cl_case_safe_contact_dispose (GObject *object)
{
  ClCaseSafeContact *self = CL_CASE_SAFE_CONTACT (object);

  /* Before the rows go: their focus leaving saves nothing. */
  self->loading++;
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CASE_SAFE_CONTACT);

  G_OBJECT_CLASS (cl_case_safe_contact_parent_class)->dispose (object);
}

static void
cl_case_safe_contact_finalize (GObject *object)
{
  ClCaseSafeContact *self = CL_CASE_SAFE_CONTACT (object);

  for (guint i = 0; i < self->n_channels; i++)
    g_clear_object (&self->channels[i].record);
  g_free (self->channels);

  G_OBJECT_CLASS (cl_case_safe_contact_parent_class)->finalize (object);
}

static void
cl_case_safe_contact_class_init (ClCaseSafeContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_safe_contact_dispose;
  object_class->finalize = cl_case_safe_contact_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-safe-contact.ui");
}

static void
cl_case_safe_contact_init (ClCaseSafeContact *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_case_safe_contact_new (ClCasePage *page)
{
  ClCaseSafeContact *self = g_object_new (CL_TYPE_CASE_SAFE_CONTACT, NULL);

  self->page = page;
  build_channels (self);

  return GTK_WIDGET (self);
}

/* Chooses whether @channel is safe, as the advocate does. */
void
cl_case_safe_contact_set_safe (ClCaseSafeContact *self,
                               const char        *channel,
                               const char        *safe)
{
  ChannelRows *rows;

  g_return_if_fail (CL_IS_CASE_SAFE_CONTACT (self));

  rows = find_channel (self, channel);
  g_return_if_fail (rows != NULL);

  adw_combo_row_set_selected (rows->safe_row, cl_enum_position ("tri_state", safe, FALSE));
}
