/* cl-case-record-section.c: the records of one kind on a case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tasks, services (added with a searchable picker of service codes), victimizations,
 * inbound and outbound referrals, immigration and legal matters with their deadlines,
 * releases of information with their expiry, disclosures made without one, the safety
 * plan, compensation claims with their filing deadline, and notes: a list with a button to add one. Activating a row opens the record in a dialog
 * that saves as you go; an append-only record (a service, a note) opens to be read.
 */

#define G_LOG_DOMAIN "cl-case-record-section"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-record-section.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"
#include "cl-service-picker.h"

typedef struct {
  const char         *type;
  const char         *title;
  const char         *description;
  const char         *add_label;
  const char * const *fields;
  ClDescribeFunc      describe;
  gboolean            newest_first;
} SectionInfo;

struct _ClCaseRecordSection
{
  AdwPreferencesGroup  parent_instance;

  GtkWidget           *add_button;
  GtkListBox          *list;

  ClCasePage          *page;
  const SectionInfo   *info;
  GListStore          *records;
};

static void cl_case_record_section_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseRecordSection, cl_case_record_section,
                               ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_record_section_iface_init))

/* Fields --------------------------------------------------------------------------- */

static const char * const task_fields[] = { "title", "due", "done", NULL };

static const char * const victimization_fields[] = {
  "type", "incident_from", "incident_to", "relationship", "trafficking_type",
  "minor_at_time", "reported_to_police", "foreign_national", NULL
};

static const char * const referral_fields[] = {
  "received_at", "source", "complaint_number", "incident_date", "incident_command", NULL
};

static const char * const outbound_fields[] = {
  "date", "partner", "service_type", "outcome", NULL
};

static const char * const immigration_fields[] = {
  "type", "certifying_agency", "requested_on", "urgency", "ages_out_on", "decision",
  "decided_on", "filed_on", "expires_on", "appeal", "attorney", NULL
};

static const char * const legal_fields[] = {
  "type", "court", "docket", "next_court_date", "order_expires_on", "status", NULL
};

static const char * const release_fields[] = {
  "recipient", "purpose", "categories", "signed_on", "expires_on", "signer", "signer_role",
  "revoked_on", "document_ref", NULL
};

static const char * const service_fields[] = { "date", "code", "times", "note", NULL };

static const char * const note_fields[] = { "at", "text", NULL };

static const char * const safety_plan_fields[] = {
  "completed_on", "reviewed_on", "items", NULL
};

static const char * const compensation_fields[] = {
  "crime_date", "filed_on", "filing_deadline", "claim_number", "status", "award", NULL
};

static const char * const disclosure_fields[] = {
  "at", "what", "recipient", "authority", "victim_notified_on", NULL
};

/* Row descriptions ----------------------------------------------------------------- */

/* A deadline's date for display; flags it when it is near (30 days) or past. */
static char *
deadline_date (const char  *date,
               const char **icon)
{
  int days;

  if (date == NULL)
    return NULL;

  days = cl_days_until (date);
  if (days <= 30 && icon != NULL)
    *icon = days < 0 ? "dialog-error-symbolic" : "dialog-warning-symbolic";

  return cl_format_date (date);
}

static void
describe_task (ClRecord    *record,
               char       **title,
               char       **subtitle,
               const char **icon)
{
  const char *due = cl_record_get (record, "due");
  g_autofree char *date = cl_format_date (due);

  *title = g_strdup (cl_record_get (record, "title"));
  if (cl_record_get_bool (record, "done"))
    /* Translators: %s is a date */
    *subtitle = g_strdup_printf (_("Done, was due %s"), date);
  else if (cl_days_until (due) < 0)
    {
      /* Translators: %s is a date */
      *subtitle = g_strdup_printf (_("Overdue since %s"), date);
      *icon = "task-past-due-symbolic";
    }
  else
    /* Translators: %s is a date */
    *subtitle = g_strdup_printf (_("Due %s"), date);
}

static void
describe_service (ClRecord    *record,
                  char       **title,
                  char       **subtitle,
                  const char **icon)
{
  const char *code = cl_record_get (record, "code");
  g_autofree char *date = cl_format_date (cl_record_get (record, "date"));
  GString *out = g_string_new (NULL);

  /* Translators: a service: its code and name, e.g. "C1 Crisis intervention" */
  *title = g_strdup_printf (_("%s %s"), code, cl_enum_label ("service_code", code));
  cl_case_append_part (out, date);
  cl_case_append_part (out, cl_record_get (record, "advocate"));
  cl_case_append_part (out, cl_record_get (record, "note"));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_victimization (ClRecord    *record,
                        char       **title,
                        char       **subtitle,
                        const char **icon)
{
  g_autofree char *from = cl_format_date (cl_record_get (record, "incident_from"));
  GString *out = g_string_new (NULL);

  *title = g_strdup (cl_enum_label ("victimization_type", cl_record_get (record, "type")));
  cl_case_append_part (out, from);
  cl_case_append_part (out, cl_enum_label ("relationship",
                                           cl_record_get (record, "relationship")));
  cl_case_append_part (out, cl_enum_label ("trafficking_type",
                                           cl_record_get (record, "trafficking_type")));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_referral (ClRecord    *record,
                   char       **title,
                   char       **subtitle,
                   const char **icon)
{
  g_autofree char *at = cl_format_datetime (cl_record_get (record, "received_at"));
  GString *out = g_string_new (NULL);

  *title = g_strdup (cl_enum_label ("referral_source", cl_record_get (record, "source")));
  cl_case_append_part (out, at);
  cl_case_append_part (out, cl_record_get (record, "complaint_number"));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_outbound (ClRecord    *record,
                   char       **title,
                   char       **subtitle,
                   const char **icon)
{
  g_autofree char *date = cl_format_date (cl_record_get (record, "date"));
  GString *out = g_string_new (NULL);

  /* Translators: an outbound referral: partner and service, e.g. "Sanctuary: Shelter" */
  *title = g_strdup_printf (_("%s: %s"), cl_record_get (record, "partner"),
                            cl_enum_label ("referral_service",
                                           cl_record_get (record, "service_type")));
  cl_case_append_part (out, date);
  cl_case_append_part (out, cl_enum_label ("referral_outcome", cl_record_get (record, "outcome")));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_immigration (ClRecord    *record,
                      char       **title,
                      char       **subtitle,
                      const char **icon)
{
  GString *out = g_string_new (NULL);
  g_autofree char *expires = deadline_date (cl_record_get (record, "expires_on"), icon);
  g_autofree char *ages_out = deadline_date (cl_record_get (record, "ages_out_on"), icon);
  const char *decision = cl_record_get (record, "decision");

  *title = g_strdup (cl_enum_label ("immigration_type", cl_record_get (record, "type")));
  cl_case_append_part (out, decision != NULL ? cl_enum_label ("decision", decision) : _("No decision yet"));
  if (expires != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expires %s"), expires);
      cl_case_append_part (out, text);
    }
  if (ages_out != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Family member ages out %s"), ages_out);
      cl_case_append_part (out, text);
    }
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_legal (ClRecord    *record,
                char       **title,
                char       **subtitle,
                const char **icon)
{
  GString *out = g_string_new (NULL);
  g_autofree char *court_date = deadline_date (cl_record_get (record, "next_court_date"), icon);
  g_autofree char *expires = deadline_date (cl_record_get (record, "order_expires_on"), icon);

  *title = g_strdup (cl_enum_label ("legal_type", cl_record_get (record, "type")));
  cl_case_append_part (out, cl_record_get (record, "court"));
  cl_case_append_part (out, cl_enum_label ("legal_status", cl_record_get (record, "status")));
  if (court_date != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Next court date %s"), court_date);
      cl_case_append_part (out, text);
    }
  if (expires != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Order expires %s"), expires);
      cl_case_append_part (out, text);
    }
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_release (ClRecord    *record,
                  char       **title,
                  char       **subtitle,
                  const char **icon)
{
  GString *out = g_string_new (NULL);
  const char *expires_on = cl_record_get (record, "expires_on");
  const char *revoked_on = cl_record_get (record, "revoked_on");
  g_autofree char *date = cl_format_date (expires_on);

  *title = g_strdup (cl_record_get (record, "recipient"));

  if (revoked_on != NULL)
    {
      g_autofree char *revoked = cl_format_date (revoked_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Revoked %s"), revoked);
      cl_case_append_part (out, text);
      *icon = "dialog-error-symbolic";
    }
  else if (cl_days_until (expires_on) < 0)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expired %s"), date);
      cl_case_append_part (out, text);
      *icon = "dialog-error-symbolic";
    }
  else
    {
      g_autofree char *shown = deadline_date (expires_on, icon);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expires %s"), shown);
      cl_case_append_part (out, text);
    }

  cl_case_append_part (out, cl_record_get (record, "purpose"));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_note (ClRecord    *record,
               char       **title,
               char       **subtitle,
               const char **icon)
{
  g_autofree char *at = cl_format_datetime (cl_record_get (record, "at"));
  GString *out = g_string_new (NULL);

  *title = g_strdup (cl_record_get (record, "text"));
  cl_case_append_part (out, at);
  cl_case_append_part (out, cl_record_get (record, "author"));
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_safety_plan (ClRecord    *record,
                      char       **title,
                      char       **subtitle,
                      const char **icon)
{
  const char *completed_on = cl_record_get (record, "completed_on");
  const char *reviewed_on = cl_record_get (record, "reviewed_on");
  GString *out = g_string_new (NULL);

  *title = g_strdup (completed_on != NULL ? _("Safety plan") : _("Safety plan in progress"));
  if (completed_on != NULL)
    {
      g_autofree char *date = cl_format_date (completed_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Completed %s"), date);
      cl_case_append_part (out, text);
    }
  if (reviewed_on != NULL)
    {
      g_autofree char *date = cl_format_date (reviewed_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Reviewed %s"), date);
      cl_case_append_part (out, text);
    }
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_compensation (ClRecord    *record,
                       char       **title,
                       char       **subtitle,
                       const char **icon)
{
  const char *status = cl_record_get (record, "status");
  const char *filed_on = cl_record_get (record, "filed_on");
  GString *out = g_string_new (NULL);

  *title = g_strdup (status != NULL ? cl_enum_label ("claim_status", status)
                                    : _("Compensation claim"));
  cl_case_append_part (out, cl_record_get (record, "claim_number"));
  if (filed_on != NULL)
    {
      g_autofree char *date = cl_format_date (filed_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Filed %s"), date);
      cl_case_append_part (out, text);
    }
  else
    {
      /* Not filed yet: the filing deadline counts. */
      g_autofree char *deadline = deadline_date (cl_record_get (record, "filing_deadline"), icon);

      if (deadline != NULL)
        {
          /* Translators: %s is a date */
          g_autofree char *text = g_strdup_printf (_("File by %s"), deadline);
          cl_case_append_part (out, text);
        }
    }
  *subtitle = g_string_free (out, FALSE);
}

static void
describe_disclosure (ClRecord    *record,
                     char       **title,
                     char       **subtitle,
                     const char **icon)
{
  g_autofree char *at = cl_format_datetime (cl_record_get (record, "at"));
  GString *out = g_string_new (NULL);

  *title = g_strdup (cl_record_get (record, "recipient"));
  cl_case_append_part (out, at);
  cl_case_append_part (out, cl_enum_label ("disclosure_authority",
                                           cl_record_get (record, "authority")));
  cl_case_append_part (out, cl_record_get (record, "what"));
  if (cl_record_get (record, "victim_notified_on") == NULL)
    {
      cl_case_append_part (out, _("Client not notified yet"));
      *icon = "dialog-warning-symbolic";
    }
  *subtitle = g_string_free (out, FALSE);
}

static const SectionInfo section_infos[] = {
  { "task", N_("Tasks"), NULL, N_("Add Task…"), task_fields, describe_task, FALSE },
  { "service", N_("Services"), NULL, N_("Add Service…"), service_fields, describe_service, TRUE },
  { "victimization", N_("Victimizations"), NULL, N_("Add Victimization…"),
    victimization_fields, describe_victimization, FALSE },
  { "referral", N_("Inbound Referrals"), NULL, N_("Add Inbound Referral…"),
    referral_fields, describe_referral, FALSE },
  { "outbound_referral", N_("Outbound Referrals"), NULL, N_("Add Outbound Referral…"),
    outbound_fields, describe_outbound, FALSE },
  { "immigration", N_("Immigration Matters"), NULL, N_("Add Immigration Matter…"),
    immigration_fields, describe_immigration, FALSE },
  { "legal_matter", N_("Legal Matters"), NULL, N_("Add Legal Matter…"),
    legal_fields, describe_legal, FALSE },
  { "release", N_("Releases of Information"),
    N_("Anything shared outside the organization needs an unexpired release."),
    N_("Add Release…"), release_fields, describe_release, FALSE },
  { "disclosure", N_("Disclosures"),
    N_("What was disclosed without a release, to whom and on what authority; tell the client."),
    N_("Add Disclosure…"), disclosure_fields, describe_disclosure, TRUE },
  { "safety_plan", N_("Safety Plan"), NULL, N_("Add Safety Plan…"),
    safety_plan_fields, describe_safety_plan, TRUE },
  { "compensation", N_("Compensation Claims"), NULL, N_("Add Compensation Claim…"),
    compensation_fields, describe_compensation, FALSE },
  { "note", N_("Notes"), NULL, N_("Add Note…"), note_fields, describe_note, TRUE },
};

static const SectionInfo *
lookup_info (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (section_infos); i++)
    if (g_strcmp0 (section_infos[i].type, type) == 0)
      return &section_infos[i];

  return NULL;
}

/* Rows ----------------------------------------------------------------------------- */

static gboolean
reload_idle (gpointer data)
{
  ClCaseRecordSection *self = data;

  if (self->page != NULL && cl_case_page_get_store (self->page) != NULL)
    cl_case_page_changed (self->page, self->info->type);

  return G_SOURCE_REMOVE;
}

static void
task_done_toggled_cb (GtkCheckButton      *check,
                      ClCaseRecordSection *self)
{
  ClRecord *record = g_object_get_data (G_OBJECT (check), "cl-record");
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autofree char *id = NULL;
  gboolean done = gtk_check_button_get_active (check);

  if (record == NULL || cl_case_page_get_store (self->page) == NULL ||
      done == cl_record_get_bool (record, "done"))
    return;

  id = g_strdup (cl_record_get_id (record));
  cl_changes_set (values, "done", done ? "1" : "0");
  cl_case_page_save (self->page, "task", id, values, record,
                     done ? _("Task done") : _("Task not done"));

  /* Not from inside the toggled handler of a row that the reload destroys. */
  g_idle_add_full (G_PRIORITY_DEFAULT, reload_idle, g_object_ref (self), g_object_unref);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  ClCaseRecordSection *self = user_data;
  ClRecord *record = item;
  GtkWidget *row = cl_case_record_row_new (record, self->info->describe);

  if (g_str_equal (self->info->type, "task"))
    {
      GtkWidget *check = gtk_check_button_new ();

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), cl_record_get_bool (record, "done"));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      cl_widget_set_label (check, _("Done"));
      g_object_set_data_full (G_OBJECT (check), "cl-record", g_object_ref (record),
                              g_object_unref);
      g_signal_connect_object (check, "toggled", G_CALLBACK (task_done_toggled_cb), self, 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
    }

  return row;
}

/* Dialogs -------------------------------------------------------------------------- */

static void
record_field_changed_cb (ClCaseRecordSection *self,
                         const char          *field,
                         const char          *old_value,
                         const char          *new_value,
                         ClRecordForm        *form)
{
  ClRecord *record = cl_record_form_get_record (form);
  const char *type = cl_record_form_get_type_name (form);
  ClStore *store = cl_case_page_get_store (self->page);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(ClRecord) before = NULL;
  g_autoptr(ClRecord) after = NULL;
  g_autofree char *description = NULL;
  g_autofree char *id = NULL;

  if (record == NULL || store == NULL)
    return;

  /* Translators: %s is a field name, e.g. "Status" */
  description = g_strdup_printf (_("“%s” saved"), cl_case_field_label (type, field));
  before = g_object_ref (record);
  id = g_strdup (cl_record_get_id (record));
  cl_changes_set (values, field, new_value);

  if (cl_case_page_save (self->page, type, id, values, before, description))
    {
      after = cl_store_get (store, type, id, NULL);
      if (after != NULL)
        {
          /* Keep the form's record current, so a second edit records the right old value. */
          g_signal_handlers_block_by_func (form, record_field_changed_cb, self);
          cl_record_form_set_record (form, after);
          g_signal_handlers_unblock_by_func (form, record_field_changed_cb, self);
        }
    }

  cl_case_page_changed (self->page, type);
}

static void
dialog_delete_cb (ClCaseRecordSection *self,
                  ClRecordDialog      *dialog)
{
  ClRecordForm *form = cl_record_dialog_get_form (dialog);
  ClRecord *record = cl_record_form_get_record (form);
  ClStore *store = cl_case_page_get_store (self->page);
  g_autoptr(GError) error = NULL;

  if (record == NULL || store == NULL)
    return;

  if (!cl_store_delete (store, cl_record_form_get_type_name (form), cl_record_get_id (record),
                        &error))
    {
      cl_record_dialog_set_error (dialog, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cl_case_page_reload (self->page);
  cl_case_page_show_message (self->page, _("Deleted"));
}

static void
dialog_add_cb (ClCaseRecordSection *self,
               ClChanges           *values,
               ClRecordDialog      *dialog)
{
  const ClType *type = cl_schema_lookup_type (self->info->type);
  ClStore *store = cl_case_page_get_store (self->page);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;

  if (store == NULL)
    return;

  cl_changes_set (values, type->parent, cl_case_page_parent_id (self->page, type->name));

  id = cl_store_create (store, type->name, values, &error);
  if (id == NULL)
    {
      cl_record_dialog_set_error (dialog, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cl_case_page_reload (self->page);
  /* Translators: %s is a kind of record, e.g. "Task" */
  message = g_strdup_printf (_("%s added"), g_dgettext (GETTEXT_PACKAGE, type->label));
  cl_case_page_show_message (self->page, message);
}

/* Sensible defaults for a new record. */
static void
set_defaults (ClCaseRecordSection *self,
              ClRecordForm        *form)
{
  const char *type = self->info->type;
  g_autofree char *today = cl_today ();
  g_autofree char *now = cl_now_utc ();

  if (g_str_equal (type, "outbound_referral") || g_str_equal (type, "service"))
    cl_record_form_set_value (form, "date", today);
  else if (g_str_equal (type, "release"))
    cl_record_form_set_value (form, "signed_on", today);
  else if (g_str_equal (type, "immigration"))
    cl_record_form_set_value (form, "requested_on", today);
  else if (g_str_equal (type, "referral"))
    cl_record_form_set_value (form, "received_at", now);
  else if (g_str_equal (type, "note") || g_str_equal (type, "disclosure"))
    cl_record_form_set_value (form, "at", now);
}

static ClRecordDialog *
open_dialog (ClCaseRecordSection *self,
             ClRecord            *record)
{
  const ClType *type = cl_schema_lookup_type (self->info->type);
  ClRecordDialog *dialog;

  dialog = cl_record_dialog_new (cl_widget_get_window (GTK_WIDGET (self)), self->info->type,
                                 self->info->fields, record,
                                 cl_case_page_get_command_codes (self->page),
                                 cl_case_page_get_command_labels (self->page));

  if (record != NULL && (type->flags & CL_TYPE_APPEND_ONLY) == 0)
    {
      g_signal_connect_object (cl_record_dialog_get_form (dialog), "field-changed",
                               G_CALLBACK (record_field_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dialog, "delete", G_CALLBACK (dialog_delete_cb), self,
                               G_CONNECT_SWAPPED);
    }
  else if (record == NULL)
    {
      set_defaults (self, cl_record_dialog_get_form (dialog));
      g_signal_connect_object (dialog, "add", G_CALLBACK (dialog_add_cb), self,
                               G_CONNECT_SWAPPED);
    }

  cl_case_page_track_dialog (self->page, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
row_activated_cb (ClCaseRecordSection *self,
                  GtkListBoxRow       *row,
                  GtkListBox          *list)
{
  ClRecord *record = g_object_get_data (G_OBJECT (row), "cl-record");

  if (record != NULL)
    open_dialog (self, record);
}

static void
service_picked_cb (ClCaseRecordSection *self,
                   const char          *code,
                   ClServicePicker     *picker)
{
  ClStore *store = cl_case_page_get_store (self->page);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *today = cl_today ();
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;

  if (store == NULL)
    return;

  cl_changes_set (values, "case_id", cl_record_get_id (cl_case_page_get_case (self->page)));
  cl_changes_set (values, "date", today);
  cl_changes_set (values, "code", code);

  id = cl_store_create (store, "service", values, &error);
  if (id == NULL)
    {
      message = g_strdup_printf (_("Could not add the service: %s"), error->message);
      cl_case_page_show_message (self->page, message);
      return;
    }

  cl_case_page_changed (self->page, "service");
  /* Translators: %s is a service code, e.g. "C1" */
  message = g_strdup_printf (_("Service %s added"), code);
  cl_case_page_show_message (self->page, message);
}

/**
 * cl_case_record_section_add:
 *
 * Opens a dialog for a new record.
 */
void
cl_case_record_section_add (ClCaseRecordSection *self)
{
  g_return_if_fail (CL_IS_CASE_RECORD_SECTION (self));

  open_dialog (self, NULL);
}

/**
 * cl_case_record_section_pick_service:
 *
 * Adds a service of today picked from the searchable list of service codes.
 */
void
cl_case_record_section_pick_service (ClCaseRecordSection *self)
{
  ClServicePicker *picker;

  g_return_if_fail (CL_IS_CASE_RECORD_SECTION (self));
  g_return_if_fail (g_str_equal (self->info->type, "service"));

  picker = cl_service_picker_new (cl_widget_get_window (GTK_WIDGET (self)));
  g_signal_connect_object (picker, "picked", G_CALLBACK (service_picked_cb), self,
                           G_CONNECT_SWAPPED);
  cl_case_page_track_dialog (self->page, GTK_WINDOW (picker));
  gtk_window_present (GTK_WINDOW (picker));
}

/**
 * cl_case_record_section_open:
 * @id: a record's id
 *
 * Opens the record @id of the section in its dialog.
 *
 * Returns: whether the section lists it
 */
gboolean
cl_case_record_section_open (ClCaseRecordSection *self,
                             const char          *id)
{
  g_autoptr(ClRecord) record = NULL;

  g_return_val_if_fail (CL_IS_CASE_RECORD_SECTION (self), FALSE);

  record = cl_record_list_find (G_LIST_MODEL (self->records), id);
  if (record == NULL)
    return FALSE;
  open_dialog (self, record);
  return TRUE;
}

const char *
cl_case_record_section_get_record_type (ClCaseRecordSection *self)
{
  g_return_val_if_fail (CL_IS_CASE_RECORD_SECTION (self), NULL);

  return self->info->type;
}

guint
cl_case_record_section_get_n_rows (ClCaseRecordSection *self)
{
  g_return_val_if_fail (CL_IS_CASE_RECORD_SECTION (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->records));
}

/* Activates the row at @index, as a click on it does. */
void
cl_case_record_section_activate_row (ClCaseRecordSection *self,
                                     guint                index)
{
  GtkListBoxRow *row;

  g_return_if_fail (CL_IS_CASE_RECORD_SECTION (self));

  row = gtk_list_box_get_row_at_index (self->list, index);
  g_return_if_fail (row != NULL);
  g_signal_emit_by_name (self->list, "row-activated", row);
}

/* Section -------------------------------------------------------------------------- */

static void
cl_case_record_section_reload (ClCaseSection *section)
{
  ClCaseRecordSection *self = CL_CASE_RECORD_SECTION (section);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  records = cl_store_list_children (cl_case_page_get_store (self->page), self->info->type,
                                    cl_case_page_parent_id (self->page, self->info->type),
                                    &error);
  if (records == NULL)
    {
      g_debug ("Could not read %s records: %s", self->info->type, error->message);
      return;
    }

  cl_case_fill_store (self->records, records, self->info->newest_first);
}

static gboolean
cl_case_record_section_shows (ClCaseSection *section,
                              const char    *type)
{
  return g_strcmp0 (CL_CASE_RECORD_SECTION (section)->info->type, type) == 0;
}

static void
cl_case_record_section_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_record_section_reload;
  iface->shows = cl_case_record_section_shows;
}

static void
cl_case_record_section_dispose (GObject *object)
{
  ClCaseRecordSection *self = CL_CASE_RECORD_SECTION (object);

  g_clear_object (&self->records);
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CASE_RECORD_SECTION);

  G_OBJECT_CLASS (cl_case_record_section_parent_class)->dispose (object);
}

static void
cl_case_record_section_class_init (ClCaseRecordSectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_record_section_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-record-section.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCaseRecordSection, add_button);
  gtk_widget_class_bind_template_child (widget_class, ClCaseRecordSection, list);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
cl_case_record_section_init (ClCaseRecordSection *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cl_case_record_section_new:
 * @type: a record type with a section (cl_case_record_section_types())
 *
 * Returns: (transfer floating): the section of @type on @page
 */
GtkWidget *
cl_case_record_section_new (ClCasePage *page,
                            const char *type)
{
  const SectionInfo *info = lookup_info (type);
  ClCaseRecordSection *self;
  const char *title;
  const char *add_label;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CL_TYPE_CASE_RECORD_SECTION, NULL);
  self->page = page;
  self->info = info;
  self->records = g_list_store_new (CL_TYPE_RECORD);

  title = g_dgettext (GETTEXT_PACKAGE, info->title);
  add_label = g_dgettext (GETTEXT_PACKAGE, info->add_label);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), title);
  if (info->description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                           g_dgettext (GETTEXT_PACKAGE, info->description));
  gtk_widget_set_name (GTK_WIDGET (self), info->type);

  cl_widget_set_label (self->add_button, add_label);
  if (g_str_equal (info->type, "service"))
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->add_button), "case.add-service");
  else
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->add_button), "s", info->type);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->records), create_row, self, NULL);

  return GTK_WIDGET (self);
}

/**
 * cl_case_record_section_types:
 *
 * Returns: (transfer none): the record types with a section, in the page's order
 */
const char * const *
cl_case_record_section_types (void)
{
  static const char *types[G_N_ELEMENTS (section_infos) + 1];

  if (types[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (section_infos); i++)
      types[i] = section_infos[i].type;

  return types;
}
