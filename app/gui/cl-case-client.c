/* cl-case-client.c: the client of a case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole intake saves as you go: names, date of birth and age band, gender, race and
 * ethnicity, preferred language and interpreter need, special classifications, contact
 * details and the address. Restricting the client restricts every case of theirs
 * (cl-case-access.c).
 *
 * Address Confidentiality Program (DOMAIN.md rule 6): a participant keeps only the
 * substitute address the program gives them. Joining asks for it and replaces the address
 * on file in the same edit, whose undo leaves the program without bringing the old address
 * back; while the client takes part the row says it holds the substitute address.
 */

#define G_LOG_DOMAIN "cl-case-client"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-access.h"
#include "cl-case-client.h"
#include "cl-gui-util.h"

struct _ClCaseClient
{
  AdwPreferencesGroup  parent_instance;

  ClCasePage          *page;
  ClRecordForm        *form;
};

static void cl_case_client_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseClient, cl_case_client, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_client_iface_init))

static const char * const client_fields[] = {
  "preferred_name", "legal_name", "pseudonym", "date_of_birth", "age_band", "gender",
  "gender_self", "race_ethnicity", "preferred_language", "interpreter_needed",
  "special_classifications", "phone", "email", "acp_participant", "address", "restricted",
  NULL
};

/* The address row says what it holds. */
static void
update_address_row (ClCaseClient *self)
{
  ClRecord *client = cl_case_page_get_client (self->page);
  GtkWidget *row = cl_record_form_get_row (self->form, "address");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 cl_record_get_bool (client, "acp_participant")
                                   ? _("Substitute address (ACP)")
                                   : _("Address"));
}

static void
join_acp_response_cb (ClCaseClient     *self,
                      const char       *response,
                      AdwMessageDialog *dialog)
{
  AdwEntryRow *substitute_row = g_object_get_data (G_OBJECT (dialog), "cl-substitute-row");
  ClRecord *client = cl_case_page_get_client (self->page);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(ClChanges) old_values = cl_changes_new ();
  g_autofree char *substitute = NULL;
  g_autofree char *description = NULL;
  g_autofree char *id = NULL;

  if (g_strcmp0 (response, "join") != 0 || client == NULL)
    {
      cl_record_form_set_value (self->form, "acp_participant", "0");
      return;
    }

  substitute = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (substitute_row))));
  gtk_editable_set_enable_undo (GTK_EDITABLE (substitute_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (substitute_row), "");

  cl_changes_set (values, "acp_participant", "1");
  cl_changes_set (values, "address", *substitute != '\0' ? substitute : NULL);
  /* Undo leaves the program; the address on file before never comes back. */
  cl_changes_set (old_values, "acp_participant", cl_record_get (client, "acp_participant"));

  id = g_strdup (cl_record_get_id (client));
  /* Translators: %s is a field name, e.g. "Status" */
  description = g_strdup_printf (_("“%s” saved"),
                                 cl_case_field_label ("client", "acp_participant"));
  if (!cl_store_update (cl_case_page_get_store (self->page), "client", id, values, NULL))
    {
      cl_case_page_show_message (self->page, _("Could not save the substitute address"));
      cl_case_page_reload (self->page);
      return;
    }
  cl_case_page_emit_edited (self->page, description, "client", id, old_values);
  cl_case_page_changed (self->page, "client");
}

/* Joining the program replaces the address on file with the substitute address. */
static void
join_acp (ClCaseClient *self)
{
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *row;

  dialog = adw_message_dialog_new (cl_widget_get_window (GTK_WIDGET (self)),
                                   _("Keep Only the Substitute Address?"),
                                   _("A client in the Address Confidentiality Program keeps "
                                     "only the substitute address the program gave them. "
                                     "The address on file is removed."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Substitute address"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  g_object_set_data (G_OBJECT (dialog), "cl-substitute-row", row);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "join", _("_Keep Substitute Only"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "join",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "join");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (join_acp_response_cb), self,
                           G_CONNECT_SWAPPED);
  cl_case_page_track_dialog (self->page, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (row);
}

static void
field_changed_cb (ClCaseClient *self,
                  const char   *field,
                  const char   *old_value,
                  const char   *new_value,
                  ClRecordForm *form)
{
  g_autoptr(ClChanges) values = cl_changes_new ();

  if (g_strcmp0 (field, "acp_participant") == 0 && g_strcmp0 (new_value, "1") == 0 &&
      cl_record_get (cl_case_page_get_client (self->page), "address") != NULL)
    {
      join_acp (self);
      return;
    }

  cl_changes_set (values, field, new_value);
  if (g_strcmp0 (field, "restricted") == 0 && g_strcmp0 (new_value, "1") == 0)
    cl_case_access_save_restricted (self->page, "client", values);
  else
    cl_case_page_save_and_show (self->page, "client", values, field);
}

/* Section -------------------------------------------------------------------------- */

static void
cl_case_client_reload (ClCaseSection *section)
{
  ClCaseClient *self = CL_CASE_CLIENT (section);

  cl_record_form_set_record (self->form, cl_case_page_get_client (self->page));
  update_address_row (self);
}

static void
cl_case_client_flush (ClCaseSection *section)
{
  cl_record_form_flush (CL_CASE_CLIENT (section)->form);
}

static gboolean
cl_case_client_shows (ClCaseSection *section,
                      const char    *type)
{
  return g_strcmp0 (type, "client") == 0;
}

static void
cl_case_client_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_client_reload;
  iface->flush = cl_case_client_flush;
  iface->shows = cl_case_client_shows;
}

static void
cl_case_client_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CL_TYPE_CASE_CLIENT);

  G_OBJECT_CLASS (cl_case_client_parent_class)->dispose (object);
}

static void
cl_case_client_class_init (ClCaseClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_client_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-client.ui");
}

static void
cl_case_client_init (ClCaseClient *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = cl_record_form_new ("client", client_fields, TRUE);
  g_signal_connect_object (self->form, "field-changed", G_CALLBACK (field_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->form));
}

GtkWidget *
cl_case_client_new (ClCasePage *page)
{
  ClCaseClient *self = g_object_new (CL_TYPE_CASE_CLIENT, NULL);

  self->page = page;

  return GTK_WIDGET (self);
}

ClRecordForm *
cl_case_client_get_form (ClCaseClient *self)
{
  g_return_val_if_fail (CL_IS_CASE_CLIENT (self), NULL);

  return self->form;
}
