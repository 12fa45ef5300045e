/* cl-case-page.c: one case, its client and everything recorded on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page shows an overview of the case, the client, safe-contact preferences per channel,
 * the contact log with a quick-add, tasks, services (with a searchable picker of service
 * codes), victimizations, inbound and outbound referrals, immigration and legal matters with
 * their deadlines, releases of information with their expiry, and the history.
 *
 * Edits save as you go: each is one cl_store_update() (one outbox mutation), and the page
 * emits ::edited with the values it replaced so the window can offer to undo it. The page is
 * rebuilt on each load and emptied on cl_case_page_clear(), so nothing about a client
 * survives a lock in its widgets.
 *
 * Safe contact (DOMAIN.md rule 3): logging or starting a contact on a channel the client
 * has not confirmed safe asks first, with the reason and the date of the confirmation.
 *
 * Restricted cases (DOMAIN.md rule 4): while the case or its client is restricted, the page
 * shows who may see it (its named users; the assigned advocate always counts), editable as
 * usernames separated by commas. Restricting names the assigned advocate and the current
 * user when nobody is named yet; the server removes the case from everyone else's devices
 * at their next sync.
 */

#define G_LOG_DOMAIN "cl-case-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"
#include "cl-record-form.h"
#include "cl-safe-contact.h"
#include "cl-service-picker.h"

typedef struct _Section Section;

typedef void (*DescribeFunc) (ClRecord   *record,
                              char      **title,
                              char      **subtitle,
                              const char **icon);

typedef struct {
  const char         *type;
  const char         *title;
  const char         *description;
  const char         *add_label;
  const char * const *fields;
  DescribeFunc        describe;
  gboolean            newest_first;
} SectionInfo;

struct _Section
{
  const SectionInfo   *info;
  ClCasePage          *page;
  AdwPreferencesGroup *group;
  GtkListBox          *list;
  GListStore          *records;
};

typedef struct {
  const char   *code;
  ClRecord     *record;
  AdwExpanderRow *row;
  AdwComboRow  *safe_row;
  AdwComboRow  *agency_row;
  AdwEntryRow  *times_row;
  GtkImage     *icon;
} ChannelRows;

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

  GPtrArray           *sections;
  ClRecordForm        *case_form;
  ClRecordForm        *client_form;
  GtkWidget           *restricted_badge;
  GtkWidget           *access_group;
  AdwEntryRow         *named_users_row;
  char                *named_users_shown;
  ChannelRows         *channels;
  guint                n_channels;

  AdwComboRow         *contact_channel;
  AdwComboRow         *contact_outcome;
  AdwEntryRow         *contact_note;
  GtkListBox          *contact_list;
  GListStore          *contacts;

  GtkListBox          *history_list;

  GtkWindow           *dialog;
  guint                loading;
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

static void reload_section  (Section    *section);
static void track_dialog    (ClCasePage *self,
                             GtkWindow  *dialog);
static void reload_history  (ClCasePage *self);
static void reload_contacts (ClCasePage *self);
static void log_contact     (ClCasePage *self,
                             gboolean    confirmed);

/* Fields --------------------------------------------------------------------------- */

static const char * const case_fields[] = {
  "status", "track", "assigned_to", "command", "referral_received_at", "victim_role",
  "funding_sources", "restricted", "case_number", "first_contact_at", "next_due_on", NULL
};

static const char * const client_fields[] = {
  "preferred_name", "legal_name", "pseudonym", "phone", "email", "preferred_language",
  "interpreter_needed", "age_band", "special_classifications", "restricted", NULL
};

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

/* Row descriptions ----------------------------------------------------------------- */

static void
append_part (GString    *out,
             const char *part)
{
  if (part == NULL || *part == '\0')
    return;
  if (out->len > 0)
    /* Translators: separates the parts of a row's subtitle */
    g_string_append (out, _(" · "));
  g_string_append (out, part);
}

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
  append_part (out, at);
  append_part (out, cl_record_get (record, "advocate"));
  append_part (out, cl_record_get (record, "note"));
  *subtitle = g_string_free (out, FALSE);
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
  append_part (out, date);
  append_part (out, cl_record_get (record, "advocate"));
  append_part (out, cl_record_get (record, "note"));
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
  append_part (out, from);
  append_part (out, cl_enum_label ("relationship", cl_record_get (record, "relationship")));
  append_part (out, cl_enum_label ("trafficking_type",
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
  append_part (out, at);
  append_part (out, cl_record_get (record, "complaint_number"));
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
  append_part (out, date);
  append_part (out, cl_enum_label ("referral_outcome", cl_record_get (record, "outcome")));
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
  append_part (out, decision != NULL ? cl_enum_label ("decision", decision) : _("No decision yet"));
  if (expires != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expires %s"), expires);
      append_part (out, text);
    }
  if (ages_out != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Family member ages out %s"), ages_out);
      append_part (out, text);
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
  append_part (out, cl_record_get (record, "court"));
  append_part (out, cl_enum_label ("legal_status", cl_record_get (record, "status")));
  if (court_date != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Next court date %s"), court_date);
      append_part (out, text);
    }
  if (expires != NULL)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Order expires %s"), expires);
      append_part (out, text);
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
      append_part (out, text);
      *icon = "dialog-error-symbolic";
    }
  else if (cl_days_until (expires_on) < 0)
    {
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expired %s"), date);
      append_part (out, text);
      *icon = "dialog-error-symbolic";
    }
  else
    {
      g_autofree char *shown = deadline_date (expires_on, icon);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("Expires %s"), shown);
      append_part (out, text);
    }

  append_part (out, cl_record_get (record, "purpose"));
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
};

static const SectionInfo *
lookup_section_info (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (section_infos); i++)
    if (g_strcmp0 (section_infos[i].type, type) == 0)
      return &section_infos[i];

  return NULL;
}

/* Helpers -------------------------------------------------------------------------- */

static void
show_message (ClCasePage *self,
              const char *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

static const char *
parent_id_for (ClCasePage   *self,
               const ClType *type)
{
  if (type->parent != NULL && g_str_equal (type->parent, "client_id"))
    return cl_record_get_id (self->client_record);

  return self->case_id;
}

static void update_access (ClCasePage *self);

/* A closed case says when and why under its overview. */
static void
update_closure (ClCasePage *self,
                gboolean    closed)
{
  g_autofree char *date = NULL;
  g_autofree char *text = NULL;
  const char *reason;

  if (self->case_form == NULL)
    return;
  if (closed)
    {
      date = cl_format_date (cl_record_get (self->case_record, "closed_at"));
      reason = cl_enum_label ("closure_reason",
                              cl_record_get (self->case_record, "closure_reason"));
      /* Translators: the first %s is a date, the second the reason the case closed */
      text = g_strdup_printf (_("Closed %s: %s"), date, reason != NULL ? reason : "");
    }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->case_form), text);
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

  if (self->restricted_badge != NULL)
    gtk_widget_set_visible (self->restricted_badge,
                            cl_access_restricted (self->case_record, self->client_record));
  update_access (self);

  status = cl_record_get (self->case_record, "status");
  update_closure (self, g_strcmp0 (status, "closed") == 0);
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

static const char *
field_label (const char *type,
             const char *field)
{
  const ClField *f = cl_type_lookup_field (cl_schema_lookup_type (type), field);

  return f != NULL ? g_dgettext (GETTEXT_PACKAGE, f->label) : field;
}

/* Saves @values on a record and emits ::edited with the values they replace. */
static gboolean
save_changes (ClCasePage *self,
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
      show_message (self, message);
      cl_case_page_reload (self);
      return FALSE;
    }

  g_signal_emit (self, signals[EDITED], 0, description, type, id, old_values);

  return TRUE;
}

static char *
saved_description (const char *type,
                   const char *field)
{
  /* Translators: %s is a field name, e.g. "Status" */
  return g_strdup_printf (_("“%s” saved"), field_label (type, field));
}

/* Saves @values on the case or the client (@type), described by @field, and shows the
 * result. */
static gboolean
save_and_show (ClCasePage *self,
               const char *type,
               ClChanges  *values,
               const char *field)
{
  ClRecord *before = g_str_equal (type, "case") ? self->case_record : self->client_record;
  g_autofree char *description = saved_description (type, field);
  g_autoptr(GError) error = NULL;

  if (!save_changes (self, type, cl_record_get_id (before), values, before, description))
    return FALSE;

  if (!reload_records (self, &error))
    g_debug ("Could not reload the case: %s", error->message);
  update_header (self);
  reload_history (self);
  return TRUE;
}

static void
add_group (ClCasePage *self,
           GtkWidget  *group)
{
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
}

/* Restricted access ---------------------------------------------------------------- */

static const ClField *
named_users_field (void)
{
  return cl_type_lookup_field (cl_schema_lookup_type ("case"), "named_users");
}

/* Who a case being restricted names when it names nobody yet: the current user and the
 * assigned advocate (when that is a username). %NULL when it already names someone. */
static char *
default_named_users (ClCasePage *self)
{
  const char *me = cl_store_get_user (self->store);
  const char *assigned = cl_record_get (self->case_record, "assigned_to");
  g_autofree char *user = me != NULL ? g_ascii_strdown (me, -1) : NULL;
  g_autofree char *advocate = assigned != NULL ? g_ascii_strdown (assigned, -1) : NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  if (cl_record_get (self->case_record, "named_users") != NULL)
    return NULL;

  if (cl_is_username (user))
    g_string_append (names, user);
  if (cl_is_username (advocate))
    g_string_append_printf (names, ",%s", advocate);
  return cl_field_normalize (named_users_field (), names->str, NULL);
}

/* Restricting: names the defaults in the same edit when nobody is named, then says what
 * happens to everyone else. */
static void
save_restricted (ClCasePage *self,
                 const char *type,
                 ClChanges  *values)
{
  g_autofree char *named = default_named_users (self);

  if (named != NULL && g_str_equal (type, "case"))
    cl_changes_set (values, "named_users", named);
  if (!save_and_show (self, type, values, "restricted"))
    return;

  /* A restricted client restricts this case too: it gets its own named users. */
  if (named != NULL && g_str_equal (type, "client"))
    {
      g_autoptr(ClChanges) case_values = cl_changes_new ();

      cl_changes_set (case_values, "named_users", named);
      if (!save_and_show (self, "case", case_values, "named_users"))
        return;
    }

  show_message (self, _("Only the named users and the assigned advocate can see this case "
                        "now; everyone else loses access after their next sync"));
}

/* The stored "ana;ben" as typed: "ana, ben". */
static char *
named_users_text (const char *value)
{
  g_auto(GStrv) names = g_strsplit (value != NULL ? value : "", ";", -1);

  return g_strjoinv (", ", names);
}

/* Shows who may see the case while it is restricted, without touching what is being
 * typed unless the saved value changed. */
static void
update_access (ClCasePage *self)
{
  const char *named;
  g_autofree char *text = NULL;

  if (self->access_group == NULL || self->case_record == NULL)
    return;

  gtk_widget_set_visible (self->access_group,
                          cl_access_restricted (self->case_record, self->client_record));

  named = cl_record_get (self->case_record, "named_users");
  if (g_strcmp0 (named, self->named_users_shown) == 0)
    return;

  g_free (self->named_users_shown);
  self->named_users_shown = g_strdup (named);
  text = named_users_text (named);
  self->loading++;
  gtk_editable_set_text (GTK_EDITABLE (self->named_users_row), text);
  self->loading--;
  gtk_widget_remove_css_class (GTK_WIDGET (self->named_users_row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->named_users_row), NULL);
}

static void
named_users_commit (ClCasePage *self)
{
  GtkWidget *row = GTK_WIDGET (self->named_users_row);
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (self->loading > 0 || self->store == NULL || row == NULL)
    return;

  value = cl_field_normalize (named_users_field (),
                              gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  if (error != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, error->message);
      show_message (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, NULL);

  if (g_strcmp0 (value, cl_record_get (self->case_record, "named_users")) == 0)
    return;

  values = cl_changes_new ();
  cl_changes_set (values, "named_users", value);
  save_and_show (self, "case", values, "named_users");
}

static void
build_access (ClCasePage *self)
{
  GtkEventController *focus;

  self->access_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->access_group),
                                   _("Who Can See This Case"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->access_group),
                                         _("Only the users named here and the assigned "
                                           "advocate can see this restricted case. Everyone "
                                           "else loses access after their next sync."));

  self->named_users_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->named_users_row),
                                 field_label ("case", "named_users"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->named_users_row), FALSE);
  adw_entry_row_set_show_apply_button (self->named_users_row, TRUE);
  gtk_widget_set_name (GTK_WIDGET (self->named_users_row), "named-users");
  g_signal_connect_object (self->named_users_row, "apply",
                           G_CALLBACK (named_users_commit), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->named_users_row, "entry-activated",
                           G_CALLBACK (named_users_commit), self, G_CONNECT_SWAPPED);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (named_users_commit), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->named_users_row), focus);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->access_group),
                             GTK_WIDGET (self->named_users_row));

  add_group (self, self->access_group);
  update_access (self);
}

/* Overview and client -------------------------------------------------------------- */

static void close_case (ClCasePage *self);

static void
case_field_changed_cb (ClCasePage   *self,
                       const char   *field,
                       const char   *old_value,
                       const char   *new_value,
                       ClRecordForm *form)
{
  g_autoptr(ClChanges) values = cl_changes_new ();

  if (g_strcmp0 (field, "status") == 0 && g_strcmp0 (new_value, "closed") == 0)
    {
      /* Closing needs a reason: ask for it instead. */
      cl_record_form_set_value (form, "status", old_value);
      close_case (self);
      return;
    }

  cl_changes_set (values, field, new_value);
  if (g_strcmp0 (field, "restricted") == 0 && g_strcmp0 (new_value, "1") == 0)
    save_restricted (self, "case", values);
  else
    save_and_show (self, "case", values, field);
}

static void
client_field_changed_cb (ClCasePage   *self,
                         const char   *field,
                         const char   *old_value,
                         const char   *new_value,
                         ClRecordForm *form)
{
  g_autoptr(ClChanges) values = cl_changes_new ();

  cl_changes_set (values, field, new_value);
  if (g_strcmp0 (field, "restricted") == 0 && g_strcmp0 (new_value, "1") == 0)
    save_restricted (self, "client", values);
  else
    save_and_show (self, "client", values, field);
}

static void
build_overview (ClCasePage *self)
{
  GtkWidget *badge;

  self->case_form = cl_record_form_new ("case", case_fields, TRUE);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->case_form), _("Overview"));
  if (self->command_codes != NULL)
    cl_record_form_set_commands (self->case_form, self->command_codes, self->command_labels);
  cl_record_form_set_record (self->case_form, self->case_record);
  g_signal_connect_object (self->case_form, "field-changed",
                           G_CALLBACK (case_field_changed_cb), self, G_CONNECT_SWAPPED);

  badge = gtk_label_new (_("Restricted"));
  gtk_widget_add_css_class (badge, "restricted-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (badge, _("Only named staff may open this case; every view "
                                        "is audited with a reason"));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->case_form), badge);
  self->restricted_badge = badge;

  add_group (self, GTK_WIDGET (self->case_form));
  build_access (self);

  self->client_form = cl_record_form_new ("client", client_fields, TRUE);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->client_form), _("Client"));
  cl_record_form_set_record (self->client_form, self->client_record);
  g_signal_connect_object (self->client_form, "field-changed",
                           G_CALLBACK (client_field_changed_cb), self, G_CONNECT_SWAPPED);
  add_group (self, GTK_WIDGET (self->client_form));
}

/* Safe contact --------------------------------------------------------------------- */

static ChannelRows *
find_channel (ClCasePage *self,
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
    append_part (out, _("Safe"));
  else if (g_strcmp0 (safe, "no") == 0)
    append_part (out, _("Not safe"));
  else
    append_part (out, _("Not confirmed"));

  if (confirmed_on != NULL)
    {
      g_autofree char *date = cl_format_date (confirmed_on);
      /* Translators: %s is a date */
      g_autofree char *text = g_strdup_printf (_("confirmed %s"), date);
      append_part (out, text);
    }

  if (g_strcmp0 (safe, "yes") == 0)
    append_part (out, g_strcmp0 (agency, "yes") == 0 ? _("agency name allowed")
                                                     : _("do not name the agency"));

  return g_string_free (out, FALSE);
}

static void
show_channel (ClCasePage  *self,
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
reload_safe_contacts (ClCasePage *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->n_channels; i++)
    g_clear_object (&self->channels[i].record);

  records = cl_store_list_children (self->store, "safe_contact",
                                    cl_record_get_id (self->client_record), &error);
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
save_channel (ClCasePage  *self,
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
      cl_changes_set (values, "confirmed_by", cl_store_get_user (self->store));
    }

  /* Translators: %s is a contact channel, e.g. "Phone call" */
  description = g_strdup_printf (_("Safe contact for “%s” saved"),
                                 cl_enum_label ("channel", rows->code));

  if (rows->record != NULL)
    {
      g_autofree char *id = g_strdup (cl_record_get_id (rows->record));

      save_changes (self, "safe_contact", id, values, rows->record, description);
    }
  else
    {
      g_autofree char *id = NULL;
      g_autoptr(ClChanges) old_values = cl_changes_new ();

      cl_changes_set (values, "client_id", cl_record_get_id (self->client_record));
      cl_changes_set (values, "channel", rows->code);
      if (!g_str_equal (field, "safe"))
        cl_changes_set (values, "safe", "unknown");

      id = cl_store_create (self->store, "safe_contact", values, &error);
      if (id == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);
          show_message (self, message);
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
          g_signal_emit (self, signals[EDITED], 0, description, "safe_contact", id, old_values);
        }
    }

  reload_safe_contacts (self);
  reload_history (self);
}

static void
channel_safe_cb (AdwComboRow *row,
                 GParamSpec  *pspec,
                 ClCasePage  *self)
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
                   ClCasePage  *self)
{
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (self->loading > 0 || rows == NULL)
    return;

  save_channel (self, rows, "agency_ok",
                cl_enum_code_at ("tri_state", adw_combo_row_get_selected (row), TRUE));
}

static void
channel_times_commit (ClCasePage  *self,
                      ChannelRows *rows)
{
  g_autofree char *text = NULL;

  if (self->loading > 0 || self->store == NULL)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (rows->times_row))));
  save_channel (self, rows, "safe_times", *text != '\0' ? text : NULL);
}

static void
channel_times_apply_cb (AdwEntryRow *row,
                        ClCasePage  *self)
{
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (rows != NULL)
    channel_times_commit (self, rows);
}

static void
channel_times_leave_cb (GtkEventControllerFocus *controller,
                        ClCasePage              *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  ChannelRows *rows = g_object_get_data (G_OBJECT (row), "cl-channel");

  if (rows != NULL)
    channel_times_commit (self, rows);
}

static void
build_safe_contact (ClCasePage *self)
{
  const ClEnum *channels = cl_schema_lookup_enum ("channel");
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Safe Contact"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Ask the client how it is safe to reach them. "
                                           "Contacts on other channels need confirmation."));

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

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (rows->row));
    }

  add_group (self, group);
  reload_safe_contacts (self);
}

/* Contact log ---------------------------------------------------------------------- */

static GtkWidget *
create_record_row (gpointer item,
                   gpointer user_data);

static void
contact_note_activated_cb (ClCasePage *self)
{
  log_contact (self, FALSE);
}

static const char *
contact_outcome (ClCasePage *self)
{
  return cl_enum_code_at ("contact_outcome", adw_combo_row_get_selected (self->contact_outcome),
                          TRUE);
}

/* Logging needs an outcome. */
static void
update_log_action (ClCasePage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "case.log-contact",
                                 self->contact_outcome != NULL && contact_outcome (self) != NULL);
}

/* A warning before a contact on a channel not confirmed safe (DOMAIN.md rule 3): Cancel is
 * the default, and what Escape and closing answer. */
static GtkWidget *
safety_dialog_new (ClCasePage           *self,
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
  track_dialog (self, GTK_WINDOW (dialog));

  return dialog;
}

static void
build_contact_log (ClCasePage *self)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autoptr(GtkStringList) channels = cl_enum_string_list_new ("channel", NULL);
  /* No outcome until the advocate picks one: a careless click records no success. */
  g_autoptr(GtkStringList) outcomes = cl_enum_string_list_new ("contact_outcome",
                                                               _("Choose an outcome"));
  GtkWidget *button;
  GtkWidget *placeholder;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Contact Log"));

  self->contact_channel = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_channel), _("Channel"));
  adw_combo_row_set_model (self->contact_channel, G_LIST_MODEL (channels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->contact_channel));

  self->contact_outcome = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_outcome), _("Outcome"));
  adw_combo_row_set_model (self->contact_outcome, G_LIST_MODEL (outcomes));
  g_signal_connect_object (self->contact_outcome, "notify::selected",
                           G_CALLBACK (update_log_action), self, G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->contact_outcome));

  self->contact_note = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_note), _("Note"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->contact_note), FALSE);
  g_signal_connect_object (self->contact_note, "entry-activated",
                           G_CALLBACK (contact_note_activated_cb), self, G_CONNECT_SWAPPED);
  button = gtk_button_new_with_mnemonic (_("_Log"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "case.log-contact");
  gtk_widget_set_tooltip_text (button, _("Log this contact"));
  adw_entry_row_add_suffix (self->contact_note, button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->contact_note));

  self->contacts = g_list_store_new (CL_TYPE_RECORD);
  self->contact_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->contact_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->contact_list), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (self->contact_list), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->contact_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Contacts"),
                                  -1);
  placeholder = gtk_label_new (_("No contacts or attempts yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->contact_list, placeholder);
  gtk_list_box_bind_model (self->contact_list, G_LIST_MODEL (self->contacts),
                           create_record_row, (gpointer) describe_contact, NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->contact_list));

  add_group (self, group);
  reload_contacts (self);
  update_log_action (self);
}

static void
fill_store (GListStore *store,
            GPtrArray  *records,
            gboolean    newest_first)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();

  for (guint i = 0; i < records->len; i++)
    {
      guint j = newest_first ? records->len - 1 - i : i;
      ClRecord *record = g_ptr_array_index (records, j);

      if (!cl_record_get_deleted (record))
        g_ptr_array_add (items, record);
    }

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       items->pdata, items->len);
}

static void
reload_contacts (ClCasePage *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  records = cl_store_list_children (self->store, "contact", self->case_id, &error);
  if (records == NULL)
    {
      g_debug ("Could not read contacts: %s", error->message);
      return;
    }

  fill_store (self->contacts, records, TRUE);
}

static void
safety_response_cb (ClCasePage       *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "log") == 0)
    log_contact (self, TRUE);
}

static void
log_contact (ClCasePage *self,
             gboolean    confirmed)
{
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = NULL;
  g_autofree char *note = NULL;
  g_autoptr(ClSafeContactWarning) warning = NULL;
  const char *channel;
  const char *outcome;

  if (self->store == NULL || self->contact_channel == NULL)
    return;

  channel = cl_enum_code_at ("channel", adw_combo_row_get_selected (self->contact_channel),
                             FALSE);
  outcome = contact_outcome (self);
  if (channel == NULL)
    return;
  if (outcome == NULL)
    {
      show_message (self, _("Choose the contact’s outcome first"));
      gtk_widget_grab_focus (GTK_WIDGET (self->contact_outcome));
      return;
    }

  if (!confirmed)
    warning = cl_safe_contact_check_client (self->store,
                                            cl_record_get_id (self->client_record),
                                            channel, outcome);
  if (warning != NULL)
    {
      GtkWidget *dialog = safety_dialog_new (self, warning, "log", _("_Log Anyway"));

      g_signal_connect_object (dialog, "response", G_CALLBACK (safety_response_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  now = cl_now_utc ();
  note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->contact_note))));

  values = cl_changes_new ();
  cl_changes_set (values, "case_id", self->case_id);
  cl_changes_set (values, "at", now);
  cl_changes_set (values, "direction", "outbound");
  cl_changes_set (values, "channel", channel);
  cl_changes_set (values, "outcome", outcome);
  if (*note != '\0')
    cl_changes_set (values, "note", note);

  id = cl_store_create (self->store, "contact", values, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not log the contact: %s"),
                                                  error->message);
      show_message (self, message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->contact_note), "");
  adw_combo_row_set_selected (self->contact_outcome, 0);
  reload_contacts (self);
  reload_history (self);
  show_message (self, _("Contact logged"));
}

/* Record sections ------------------------------------------------------------------ */

static gboolean
reload_tasks_idle (gpointer data)
{
  ClCasePage *self = data;

  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->info->type, "task"))
        reload_section (section);
    }
  reload_history (self);

  return G_SOURCE_REMOVE;
}

static void
task_done_toggled_cb (GtkCheckButton *check,
                      ClCasePage     *self)
{
  ClRecord *record = g_object_get_data (G_OBJECT (check), "cl-record");
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autofree char *id = NULL;
  gboolean done = gtk_check_button_get_active (check);

  if (record == NULL || self->store == NULL || done == cl_record_get_bool (record, "done"))
    return;

  id = g_strdup (cl_record_get_id (record));
  cl_changes_set (values, "done", done ? "1" : "0");
  save_changes (self, "task", id, values, record,
                done ? _("Task done") : _("Task not done"));

  /* Not from inside the toggled handler of a row that the reload destroys. */
  g_idle_add_full (G_PRIORITY_DEFAULT, reload_tasks_idle, g_object_ref (self), g_object_unref);
}

static GtkWidget *
create_record_row (gpointer item,
                   gpointer user_data)
{
  ClRecord *record = item;
  DescribeFunc describe = user_data;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *icon = NULL;
  GtkWidget *row = adw_action_row_new ();

  describe (record, &title, &subtitle, &icon);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  g_object_set_data_full (G_OBJECT (row), "cl-record", g_object_ref (record), g_object_unref);

  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      gtk_widget_add_css_class (image, g_str_equal (icon, "dialog-warning-symbolic")
                                         ? "warning" : "error");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), image);
    }

  return row;
}

static GtkWidget *
create_section_row (gpointer item,
                    gpointer user_data)
{
  Section *section = user_data;
  ClRecord *record = item;
  GtkWidget *row = create_record_row (item, (gpointer) section->info->describe);
  const ClType *type = cl_schema_lookup_type (section->info->type);

  if ((type->flags & CL_TYPE_APPEND_ONLY) == 0)
    {
      GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
    }

  if (g_str_equal (section->info->type, "task"))
    {
      GtkWidget *check = gtk_check_button_new ();

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), cl_record_get_bool (record, "done"));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      cl_widget_set_label (check, _("Done"));
      g_object_set_data_full (G_OBJECT (check), "cl-record", g_object_ref (record),
                              g_object_unref);
      g_signal_connect_object (check, "toggled", G_CALLBACK (task_done_toggled_cb),
                               section->page, 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
    }

  return row;
}

static void
reload_section (Section *section)
{
  ClCasePage *self = section->page;
  const ClType *type = cl_schema_lookup_type (section->info->type);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  records = cl_store_list_children (self->store, section->info->type,
                                    parent_id_for (self, type), &error);
  if (records == NULL)
    {
      g_debug ("Could not read %s records: %s", section->info->type, error->message);
      return;
    }

  fill_store (section->records, records, section->info->newest_first);
}

static void
record_field_changed_cb (ClCasePage   *self,
                         const char   *field,
                         const char   *old_value,
                         const char   *new_value,
                         ClRecordForm *form)
{
  ClRecord *record = cl_record_form_get_record (form);
  const char *type = cl_record_form_get_type_name (form);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(ClRecord) before = NULL;
  g_autoptr(ClRecord) after = NULL;
  g_autofree char *description = saved_description (type, field);
  g_autofree char *id = NULL;

  if (record == NULL || self->store == NULL)
    return;

  before = g_object_ref (record);
  id = g_strdup (cl_record_get_id (record));
  cl_changes_set (values, field, new_value);

  if (save_changes (self, type, id, values, before, description))
    {
      after = cl_store_get (self->store, type, id, NULL);
      if (after != NULL)
        {
          /* Keep the form's record current, so a second edit records the right old value. */
          g_signal_handlers_block_by_func (form, record_field_changed_cb, self);
          cl_record_form_set_record (form, after);
          g_signal_handlers_unblock_by_func (form, record_field_changed_cb, self);
        }
    }

  for (guint i = 0; i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->info->type, type))
        reload_section (section);
    }
  reload_history (self);
}

static void
dialog_delete_cb (ClCasePage     *self,
                  ClRecordDialog *dialog)
{
  ClRecordForm *form = cl_record_dialog_get_form (dialog);
  ClRecord *record = cl_record_form_get_record (form);
  const char *type = cl_record_form_get_type_name (form);
  g_autoptr(GError) error = NULL;

  if (record == NULL || self->store == NULL)
    return;

  if (!cl_store_delete (self->store, type, cl_record_get_id (record), &error))
    {
      cl_record_dialog_set_error (dialog, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cl_case_page_reload (self);
  show_message (self, _("Deleted"));
}

static void
dialog_add_cb (ClCasePage     *self,
               ClChanges      *values,
               ClRecordDialog *dialog)
{
  ClRecordForm *form = cl_record_dialog_get_form (dialog);
  const char *type_name = cl_record_form_get_type_name (form);
  const ClType *type = cl_schema_lookup_type (type_name);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (self->store == NULL)
    return;

  cl_changes_set (values, type->parent, parent_id_for (self, type));

  id = cl_store_create (self->store, type_name, values, &error);
  if (id == NULL)
    {
      cl_record_dialog_set_error (dialog, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cl_case_page_reload (self);
  /* Translators: %s is a kind of record, e.g. "Task" */
  {
    g_autofree char *message = g_strdup_printf (_("%s added"),
                                                g_dgettext (GETTEXT_PACKAGE, type->label));
    show_message (self, message);
  }
}

static void
track_dialog (ClCasePage *self,
              GtkWindow  *dialog)
{
  g_set_weak_pointer (&self->dialog, dialog);
}

static ClRecordDialog *
open_record_dialog (ClCasePage *self,
                    const char *type,
                    ClRecord   *record)
{
  const SectionInfo *info = lookup_section_info (type);
  ClRecordDialog *dialog;

  g_return_val_if_fail (info != NULL, NULL);

  dialog = cl_record_dialog_new (cl_widget_get_window (GTK_WIDGET (self)), type, info->fields,
                                 record, self->command_codes, self->command_labels);

  if (record != NULL)
    {
      g_signal_connect_object (cl_record_dialog_get_form (dialog), "field-changed",
                               G_CALLBACK (record_field_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dialog, "delete", G_CALLBACK (dialog_delete_cb), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      ClRecordForm *form = cl_record_dialog_get_form (dialog);
      g_autofree char *today = cl_today ();
      g_autofree char *now = NULL;

      /* Sensible defaults for a new record. */
      if (g_str_equal (type, "outbound_referral") || g_str_equal (type, "service"))
        cl_record_form_set_value (form, "date", today);
      else if (g_str_equal (type, "release"))
        cl_record_form_set_value (form, "signed_on", today);
      else if (g_str_equal (type, "immigration"))
        cl_record_form_set_value (form, "requested_on", today);
      else if (g_str_equal (type, "referral"))
        {
          now = cl_now_utc ();
          cl_record_form_set_value (form, "received_at", now);
        }

      g_signal_connect_object (dialog, "add", G_CALLBACK (dialog_add_cb), self,
                               G_CONNECT_SWAPPED);
    }

  track_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  return dialog;
}

static void
section_row_activated_cb (GtkListBox    *list,
                          GtkListBoxRow *row,
                          Section       *section)
{
  ClRecord *record = g_object_get_data (G_OBJECT (row), "cl-record");
  const ClType *type = cl_schema_lookup_type (section->info->type);

  if (record == NULL || (type->flags & CL_TYPE_APPEND_ONLY) != 0)
    return;

  open_record_dialog (section->page, section->info->type, record);
}

static void
section_free (Section *section)
{
  g_clear_object (&section->records);
  g_free (section);
}

static void
build_section (ClCasePage        *self,
               const SectionInfo *info)
{
  Section *section = g_new0 (Section, 1);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *button;
  GtkWidget *placeholder;

  section->info = info;
  section->page = self;
  section->group = ADW_PREFERENCES_GROUP (group);
  section->records = g_list_store_new (CL_TYPE_RECORD);

  adw_preferences_group_set_title (section->group, g_dgettext (GETTEXT_PACKAGE, info->title));
  if (info->description != NULL)
    adw_preferences_group_set_description (section->group,
                                           g_dgettext (GETTEXT_PACKAGE, info->description));

  button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  cl_widget_set_label (button, g_dgettext (GETTEXT_PACKAGE, info->add_label));
  if (g_str_equal (info->type, "service"))
    gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "case.add-service");
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "case.add-record");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", info->type);
    }
  adw_preferences_group_set_header_suffix (section->group, button);

  section->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (section->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (section->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (section->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_dgettext (GETTEXT_PACKAGE, info->title),
                                  -1);
  placeholder = gtk_label_new (_("None yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (section->list, placeholder);
  gtk_list_box_bind_model (section->list, G_LIST_MODEL (section->records),
                           create_section_row, section, NULL);
  g_signal_connect (section->list, "row-activated", G_CALLBACK (section_row_activated_cb),
                    section);
  adw_preferences_group_add (section->group, GTK_WIDGET (section->list));

  g_ptr_array_add (self->sections, section);
  add_group (self, group);
  reload_section (section);
}

/* History -------------------------------------------------------------------------- */

static char *
describe_history (ClHistoryEntry *entry)
{
  const ClType *type = cl_schema_lookup_type (entry->record_type);
  const char *type_label = type != NULL ? g_dgettext (GETTEXT_PACKAGE, type->label)
                                        : entry->record_type;

  if (g_strcmp0 (entry->op, "create") == 0)
    /* Translators: %s is a kind of record, e.g. "Contact" */
    return g_strdup_printf (_("%s added"), type_label);

  if (g_strcmp0 (entry->op, "delete") == 0)
    /* Translators: %s is a kind of record, e.g. "Task" */
    return g_strdup_printf (_("%s deleted"), type_label);

  if (entry->field != NULL)
    {
      const ClField *field = type != NULL ? cl_type_lookup_field (type, entry->field) : NULL;
      const char *label = field != NULL ? g_dgettext (GETTEXT_PACKAGE, field->label)
                                        : entry->field;
      const char *value = entry->new_value;
      g_autofree char *shown = NULL;

      if (field != NULL && field->kind == CL_FIELD_ENUM)
        value = cl_enum_label (field->target, value);
      else if (field != NULL && field->kind == CL_FIELD_ENUM_SET)
        value = shown = cl_enum_set_label (field->target, value);
      else if (field != NULL && field->kind == CL_FIELD_BOOL)
        value = g_strcmp0 (value, "1") == 0 ? _("Yes") : _("No");

      if (value == NULL || *value == '\0')
        /* Translators: first %s is a kind of record, the second a field */
        return g_strdup_printf (_("%s: “%s” cleared"), type_label, label);

      /* Translators: first %s is a kind of record, then a field and its new value */
      return g_strdup_printf (_("%s: “%s” set to %s"), type_label, label, value);
    }

  /* Translators: %s is a kind of record, e.g. "Case" */
  return g_strdup_printf (_("%s changed"), type_label);
}

static void
reload_history (ClCasePage *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *row;
  guint shown = 0;

  if (self->history_list == NULL)
    return;

  while ((row = gtk_list_box_get_row_at_index (self->history_list, 0)) != NULL)
    gtk_list_box_remove (self->history_list, GTK_WIDGET (row));

  entries = cl_store_history (self->store, self->case_id, &error);
  if (entries == NULL)
    {
      g_debug ("Could not read the history: %s", error->message);
      return;
    }

  /* Newest first; a long history shows its latest 100 lines. */
  for (guint i = entries->len; i > 0 && shown < 100; i--, shown++)
    {
      ClHistoryEntry *entry = g_ptr_array_index (entries, i - 1);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = describe_history (entry);
      g_autofree char *at = cl_format_datetime (entry->at);
      g_autofree char *subtitle = NULL;

      if (entry->by != NULL)
        /* Translators: when, and who made a change */
        subtitle = g_strdup_printf (_("%s by %s"), at, entry->by);
      else
        subtitle = g_strdup (at);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->history_list, row);
    }
}

static void
build_history (ClCasePage *self)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *placeholder;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("History"));

  self->history_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->history_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->history_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->history_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("History"),
                                  -1);
  placeholder = gtk_label_new (_("No changes yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->history_list, placeholder);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->history_list));

  add_group (self, group);
  reload_history (self);
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
  if (save_changes (self, "case", self->case_id, values, before, _("Case closed")))
    cl_case_page_reload (self);
}

static void
reason_selected_cb (AdwComboRow      *row,
                    GParamSpec       *pspec,
                    AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "close",
                                           adw_combo_row_get_selected (row) > 0);
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
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (reason_selected_cb), dialog, 0);
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self,
                           G_CONNECT_SWAPPED);

  track_dialog (self, GTK_WINDOW (dialog));
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
  if (save_changes (self, "case", self->case_id, values, before, _("Case reopened")))
    cl_case_page_reload (self);
}

static void
service_picked_cb (ClCasePage      *self,
                   const char      *code,
                   ClServicePicker *picker)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *today = cl_today ();
  g_autofree char *id = NULL;

  if (self->store == NULL)
    return;

  cl_changes_set (values, "case_id", self->case_id);
  cl_changes_set (values, "date", today);
  cl_changes_set (values, "code", code);

  id = cl_store_create (self->store, "service", values, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not add the service: %s"),
                                                  error->message);
      show_message (self, message);
      return;
    }

  for (guint i = 0; i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->info->type, "service"))
        reload_section (section);
    }
  reload_history (self);

  {
    /* Translators: %s is a service code, e.g. "C1" */
    g_autofree char *message = g_strdup_printf (_("Service %s added"), code);
    show_message (self, message);
  }
}

static void
add_service_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);
  ClServicePicker *picker;

  if (self->store == NULL)
    return;

  picker = cl_service_picker_new (cl_widget_get_window (widget));
  g_signal_connect_object (picker, "picked", G_CALLBACK (service_picked_cb), self,
                           G_CONNECT_SWAPPED);
  track_dialog (self, GTK_WINDOW (picker));
  gtk_window_present (GTK_WINDOW (picker));
}

static void
add_record_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);
  const char *type = g_variant_get_string (param, NULL);

  if (self->store == NULL || lookup_section_info (type) == NULL)
    return;

  open_record_dialog (self, type, NULL);
}

static void
log_contact_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  log_contact (CL_CASE_PAGE (widget), FALSE);
}

static void
focus_contact_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);

  if (self->contact_channel != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->contact_channel));
}

static void
start_contact (ClCasePage *self,
               const char *channel)
{
  adw_combo_row_set_selected (self->contact_channel, cl_enum_position ("channel", channel, FALSE));
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_outcome));
}

static void
start_contact_response_cb (ClCasePage       *self,
                           const char       *response,
                           AdwMessageDialog *dialog)
{
  const char *channel = g_object_get_data (G_OBJECT (dialog), "cl-channel");

  if (g_strcmp0 (response, "start") == 0 && self->contact_channel != NULL)
    start_contact (self, channel);
}

static void
start_contact_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ClCasePage *self = CL_CASE_PAGE (widget);
  const char *channel = g_variant_get_string (param, NULL);
  g_autoptr(ClSafeContactWarning) warning = NULL;
  GtkWidget *dialog;

  if (self->contact_channel == NULL ||
      cl_enum_position ("channel", channel, FALSE) == GTK_INVALID_LIST_POSITION)
    return;

  /* Warn now, before the advocate dials; logging warns again only if still unsafe. */
  warning = cl_safe_contact_check_client (self->store, cl_record_get_id (self->client_record),
                                          channel, NULL);
  if (warning == NULL)
    {
      start_contact (self, channel);
      return;
    }

  dialog = safety_dialog_new (self, warning, "start", _("_Contact Anyway"));
  g_object_set_data_full (G_OBJECT (dialog), "cl-channel", g_strdup (channel), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (start_contact_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
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

  gtk_widget_class_install_action (widget_class, "case.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "case.reopen", NULL, reopen_action);
  gtk_widget_class_install_action (widget_class, "case.add-service", NULL, add_service_action);
  gtk_widget_class_install_action (widget_class, "case.add-record", "s", add_record_action);
  gtk_widget_class_install_action (widget_class, "case.log-contact", NULL, log_contact_action);
  gtk_widget_class_install_action (widget_class, "case.focus-contact", NULL,
                                   focus_contact_action);
  gtk_widget_class_install_action (widget_class, "case.start-contact", "s",
                                   start_contact_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-list", NULL);
}

static void
cl_case_page_init (ClCasePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);

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

  build_overview (self);
  build_safe_contact (self);
  build_contact_log (self);
  for (guint i = 0; i < G_N_ELEMENTS (section_infos); i++)
    build_section (self, &section_infos[i]);
  build_history (self);

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

  if (self->case_form != NULL)
    cl_record_form_set_record (self->case_form, self->case_record);
  if (self->client_form != NULL)
    cl_record_form_set_record (self->client_form, self->client_record);

  reload_safe_contacts (self);
  reload_contacts (self);
  for (guint i = 0; i < self->sections->len; i++)
    reload_section (g_ptr_array_index (self->sections, i));
  reload_history (self);
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

  if (self->case_form != NULL)
    cl_record_form_flush (self->case_form);
  if (self->client_form != NULL)
    cl_record_form_flush (self->client_form);
  named_users_commit (self);

  for (guint i = 0; i < self->n_channels; i++)
    channel_times_commit (self, &self->channels[i]);

  if (CL_IS_RECORD_DIALOG (self->dialog))
    cl_record_form_flush (cl_record_dialog_get_form (CL_RECORD_DIALOG (self->dialog)));
}

/**
 * cl_case_page_take_contact_entry:
 *
 * What was typed into the contact log's quick add and not logged yet, as the values of a
 * new contact of the case on the page (when, channel, outcome and note, as the rows show
 * them), for the window to keep as a draft across a lock. The note entry is emptied with
 * its undo history off, so that its buffer wipes the text.
 *
 * Returns: (transfer full) (nullable): the values, or %NULL when no note was typed
 */
ClChanges *
cl_case_page_take_contact_entry (ClCasePage *self)
{
  g_autofree char *now = NULL;
  g_autofree char *when = NULL;
  ClChanges *values;
  const char *note;

  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  if (self->case_id == NULL || self->contact_note == NULL)
    return NULL;
  note = gtk_editable_get_text (GTK_EDITABLE (self->contact_note));
  if (note == NULL || *note == '\0' || strspn (note, " \t\n") == strlen (note))
    return NULL;

  now = cl_now_utc ();
  when = cl_datetime_to_local_input (now);
  values = cl_changes_new ();
  cl_changes_set (values, "at", when);
  cl_changes_set (values, "direction", "outbound");
  cl_changes_set (values, "channel",
                  cl_enum_code_at ("channel",
                                   adw_combo_row_get_selected (self->contact_channel), FALSE));
  cl_changes_set (values, "outcome", contact_outcome (self));
  cl_changes_set (values, "note", note);

  gtk_editable_set_enable_undo (GTK_EDITABLE (self->contact_note), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->contact_note), "");
  gtk_editable_set_enable_undo (GTK_EDITABLE (self->contact_note), TRUE);
  return values;
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

  /* Before the widgets go: their focus leaving saves nothing. */
  self->access_group = NULL;
  self->named_users_row = NULL;

  if (self->page != NULL)
    {
      gtk_box_remove (self->case_box, GTK_WIDGET (self->page));
      self->page = NULL;
    }
  if (self->sections != NULL)
    g_ptr_array_set_size (self->sections, 0);

  for (guint i = 0; i < self->n_channels; i++)
    g_clear_object (&self->channels[i].record);
  g_clear_pointer (&self->channels, g_free);
  self->n_channels = 0;

  self->case_form = NULL;
  self->client_form = NULL;
  self->restricted_badge = NULL;
  g_clear_pointer (&self->named_users_shown, g_free);
  self->contact_channel = NULL;
  self->contact_outcome = NULL;
  self->contact_note = NULL;
  self->contact_list = NULL;
  self->history_list = NULL;
  g_clear_object (&self->contacts);

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
  g_return_if_fail (self->contact_channel != NULL);

  adw_combo_row_set_selected (self->contact_channel,
                              cl_enum_position ("channel", channel, FALSE));
  adw_combo_row_set_selected (self->contact_outcome,
                              cl_enum_position ("contact_outcome", outcome, TRUE));
  gtk_editable_set_text (GTK_EDITABLE (self->contact_note), note != NULL ? note : "");
}

const char *
_cl_case_page_get_contact_channel (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);
  g_return_val_if_fail (self->contact_channel != NULL, NULL);

  return cl_enum_code_at ("channel", adw_combo_row_get_selected (self->contact_channel), FALSE);
}

const char *
_cl_case_page_get_contact_outcome (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);
  g_return_val_if_fail (self->contact_outcome != NULL, NULL);

  return contact_outcome (self);
}

void
_cl_case_page_set_channel_safe (ClCasePage *self,
                                const char *channel,
                                const char *safe)
{
  ChannelRows *rows;

  g_return_if_fail (CL_IS_CASE_PAGE (self));

  rows = find_channel (self, channel);
  g_return_if_fail (rows != NULL);

  adw_combo_row_set_selected (rows->safe_row, cl_enum_position ("tri_state", safe, FALSE));
}

ClRecordForm *
_cl_case_page_get_case_form (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->case_form;
}

ClRecordForm *
_cl_case_page_get_client_form (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->client_form;
}

guint
_cl_case_page_get_n_rows (ClCasePage *self,
                          const char *type)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), 0);

  if (g_strcmp0 (type, "contact") == 0)
    return self->contacts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->contacts)) : 0;

  if (g_strcmp0 (type, "history") == 0)
    {
      guint n = 0;

      while (self->history_list != NULL &&
             gtk_list_box_get_row_at_index (self->history_list, n) != NULL)
        n++;
      return n;
    }

  for (guint i = 0; self->sections != NULL && i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);

      if (g_str_equal (section->info->type, type))
        return g_list_model_get_n_items (G_LIST_MODEL (section->records));
    }

  return 0;
}

/* Activates the row at @index of the section of @type, as a click on it does. */
void
_cl_case_page_activate_row (ClCasePage *self,
                            const char *type,
                            guint       index)
{
  g_return_if_fail (CL_IS_CASE_PAGE (self));

  for (guint i = 0; self->sections != NULL && i < self->sections->len; i++)
    {
      Section *section = g_ptr_array_index (self->sections, i);
      GtkListBoxRow *row;

      if (!g_str_equal (section->info->type, type))
        continue;
      row = gtk_list_box_get_row_at_index (section->list, index);
      g_return_if_fail (row != NULL);
      g_signal_emit_by_name (section->list, "row-activated", row);
      return;
    }

  g_return_if_reached ();
}

GtkWindow *
_cl_case_page_get_dialog (ClCasePage *self)
{
  g_return_val_if_fail (CL_IS_CASE_PAGE (self), NULL);

  return self->dialog;
}
