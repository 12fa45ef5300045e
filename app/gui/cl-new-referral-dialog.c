/* cl-new-referral-dialog.c: record a new referral (client, case, inbound referral)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what outreach needs to start: the command, the track, where the referral came from
 * and when, and the client's name, or a pseudonym when the client stays anonymous. A phone
 * number, a date of birth and the complaint or DIR number are optional. The three records are
 * created in one transaction (cl_intake_create_referral()); ::created then hands the new
 * case's id to the window, which opens it.
 *
 * A person referred again is the same client. As the name, phone number or date of birth is
 * typed, "Already a Client?" lists the clients it may be (cl_intake_find_clients()); choosing
 * one adds the new case to that client instead of creating another. Creating a new client
 * while some are listed asks first, so no second "Kayla Brown" is created by accident.
 *
 * When the vault locks with something typed, cl_new_referral_dialog_keep_draft() keeps it
 * in the vault; after unlock, cl_new_referral_dialog_restore_draft() shows it again with a
 * notice. Creating the referral deletes the draft in the same transaction; cancelling asks
 * first, and only a confirmed discard deletes it. Cancelling with something typed (Escape,
 * Cancel, closing the window) asks first too, "Discard Changes?"; with nothing typed the
 * dialog closes at once.
 */

#define G_LOG_DOMAIN "cl-new-referral-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-drafts.h"
#include "cl-gui-util.h"
#include "cl-intake.h"
#include "cl-l10n.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"

struct _ClNewReferralDialog
{
  AdwWindow           parent_instance;

  GtkWidget          *create_button;
  GtkRevealer        *error_revealer;
  GtkLabel           *error_label;
  GtkWidget          *notice_group;
  GtkLabel           *notice_label;
  AdwPreferencesPage *page;

  ClStore            *store;
  GSettings          *settings;
  ClRecordForm       *referral_form;
  ClRecordForm       *case_form;
  ClRecordForm       *client_form;
  GtkSwitch          *anonymous_switch;

  AdwPreferencesGroup *matches_group;
  GtkWidget           *new_client_check;  /* "a new client", the group of the match rows */
  GPtrArray           *match_rows;        /* the rows of the listed matches */
  GPtrArray           *matches;           /* ClIntakeMatch, in the rows' order */
  char                *client_id;         /* the existing client chosen, or NULL */
  guint                lookup_id;         /* the pending lookup after typing */
  gboolean             new_client_confirmed;

  char               *draft_id;  /* the entry kept from before a lock, or NULL */
  GtkWindow          *confirm;   /* the question whether to discard it, or what was typed */
  GtkWindow          *returning; /* the question whether the client is new */
};

G_DEFINE_FINAL_TYPE (ClNewReferralDialog, cl_new_referral_dialog, ADW_TYPE_WINDOW)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const referral_fields[] = {
  "source", "received_at", "complaint_number", NULL
};
static const char * const case_fields[] = { "command", "track", NULL };
static const char * const client_fields[] = {
  "legal_name", "pseudonym", "phone", "date_of_birth", NULL
};

/* How long typing pauses before the lookup, and how many clients it lists. */
#define LOOKUP_DELAY_MS 250
#define MAX_MATCHES     5

static void
show_error (ClNewReferralDialog *self,
            const char          *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
input_changed_cb (ClNewReferralDialog *self)
{
  show_error (self, NULL);
}

static void
choose_client (ClNewReferralDialog *self,
               const char          *client_id)
{
  g_free (self->client_id);
  self->client_id = g_strdup (client_id);
  /* What is typed for a new client stays, but does not count while a client is chosen. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->client_form), client_id == NULL);
  show_error (self, NULL);
}

static void
match_toggled_cb (GtkCheckButton      *check,
                  ClNewReferralDialog *self)
{
  ClIntakeMatch *match = g_object_get_data (G_OBJECT (check), "cl-match");

  if (!gtk_check_button_get_active (check))
    return;
  choose_client (self, match != NULL ? match->client_id : NULL);
}

static char *
describe_match (const ClIntakeMatch *match)
{
  /* Numbers and dates read left to right inside right-to-left text (cl-l10n.h). */
  g_autofree char *number = cl_l10n_isolate_ltr (match->case_number);
  g_autofree char *cases = NULL;

  /* Translators: %u is a number of cases, %s the number of the most recent one */
  cases = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u case, %s", "%u cases, latest %s",
                                        match->n_cases),
                           match->n_cases, number);
  if (match->restricted)
    /* Translators: %s says how many cases the client has */
    return g_strdup_printf (_("Restricted · %s"), cases);
  if (match->date_of_birth != NULL)
    {
      g_autofree char *born = cl_format_date (match->date_of_birth);

      /* Translators: the first %s is a date of birth, the second how many cases */
      return g_strdup_printf (_("Born %s · %s"), born, cases);
    }
  return g_steal_pointer (&cases);
}

static void
clear_matches (ClNewReferralDialog *self)
{
  for (guint i = 0; i < self->match_rows->len; i++)
    adw_preferences_group_remove (self->matches_group, g_ptr_array_index (self->match_rows, i));
  g_ptr_array_set_size (self->match_rows, 0);
  g_ptr_array_set_size (self->matches, 0);
}

static void
show_matches (ClNewReferralDialog *self,
              GPtrArray           *matches)
{
  g_autofree char *chosen = g_strdup (self->client_id);

  clear_matches (self);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->new_client_check), TRUE);

  while (matches->len > 0)
    {
      ClIntakeMatch *match = g_ptr_array_steal_index (matches, 0);
      g_autofree char *subtitle = describe_match (match);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      g_ptr_array_add (self->matches, match);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), match->display_name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check),
                                  GTK_CHECK_BUTTON (self->new_client_check));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (check), "cl-match", match);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_object (check, "toggled", G_CALLBACK (match_toggled_cb), self, 0);
      adw_preferences_group_add (self->matches_group, row);
      g_ptr_array_add (self->match_rows, row);

      /* A client chosen before still found stays chosen. */
      if (g_strcmp0 (chosen, match->client_id) == 0)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->matches_group), self->matches->len > 0);
}

static gboolean
lookup_cb (gpointer user_data)
{
  ClNewReferralDialog *self = user_data;
  gboolean anonymous = gtk_switch_get_active (self->anonymous_switch);
  g_autofree char *name = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *birth = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GError) error = NULL;

  self->lookup_id = 0;
  name = cl_record_form_dup_value (self->client_form, anonymous ? "pseudonym" : "legal_name");
  phone = cl_record_form_dup_value (self->client_form, "phone");
  birth = cl_record_form_dup_value (self->client_form, "date_of_birth");

  matches = cl_intake_find_clients (self->store, name, phone, birth, MAX_MATCHES, &error);
  if (matches == NULL)
    {
      g_warning ("Could not look for existing clients: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  /* A new client is confirmed for the matches the advocate saw, not for others. */
  self->new_client_confirmed = FALSE;
  show_matches (self, matches);

  return G_SOURCE_REMOVE;
}

static void
client_changed_cb (ClNewReferralDialog *self)
{
  g_clear_handle_id (&self->lookup_id, g_source_remove);
  self->lookup_id = g_timeout_add (LOOKUP_DELAY_MS, lookup_cb, self);
  show_error (self, NULL);
}

static void
anonymous_cb (ClNewReferralDialog *self)
{
  gboolean anonymous = gtk_switch_get_active (self->anonymous_switch);

  gtk_widget_set_visible (cl_record_form_get_row (self->client_form, "legal_name"), !anonymous);
  gtk_widget_set_visible (cl_record_form_get_row (self->client_form, "pseudonym"), anonymous);
  client_changed_cb (self);
}

static void
returning_response_cb (ClNewReferralDialog *self,
                       const char          *response)
{
  if (g_strcmp0 (response, "new") != 0)
    return;

  self->new_client_confirmed = TRUE;
  cl_new_referral_dialog_create (self);
}

static void
discard_response_cb (ClNewReferralDialog *self,
                     const char          *response,
                     AdwMessageDialog    *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0)
    return;

  if (self->draft_id != NULL && !cl_drafts_delete (self->store, self->draft_id, &error))
    {
      show_error (self, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

/* Whether the advocate typed or chose something: a field, the Anonymous switch, a client
 * under "Already a Client?". */
static gboolean
has_input (ClNewReferralDialog *self)
{
  ClRecordForm *forms[] = { self->referral_form, self->case_form, self->client_form };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    if (cl_record_form_get_modified (forms[i]))
      return TRUE;
  return gtk_switch_get_active (self->anonymous_switch) || self->client_id != NULL;
}

static gboolean
close_request_cb (ClNewReferralDialog *self)
{
  if (self->draft_id == NULL && !has_input (self))
    return FALSE;

  /* A kept entry, or what was typed, goes only when the advocate says so. */
  if (self->confirm == NULL)
    {
      g_set_weak_pointer (&self->confirm,
                          _cl_record_dialog_new_discard_question (GTK_WINDOW (self),
                                                                  self->draft_id != NULL));
      g_signal_connect_object (self->confirm, "response", G_CALLBACK (discard_response_cb),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (self->confirm);

  return TRUE;
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cl_new_referral_dialog_create (CL_NEW_REFERRAL_DIALOG (widget));
}

static void
cl_new_referral_dialog_dispose (GObject *object)
{
  ClNewReferralDialog *self = (ClNewReferralDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_NEW_REFERRAL_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  if (self->confirm != NULL)
    gtk_window_destroy (self->confirm);
  g_clear_weak_pointer (&self->confirm);
  if (self->returning != NULL)
    gtk_window_destroy (self->returning);
  g_clear_weak_pointer (&self->returning);
  g_clear_handle_id (&self->lookup_id, g_source_remove);
  g_clear_pointer (&self->match_rows, g_ptr_array_unref);
  g_clear_pointer (&self->matches, g_ptr_array_unref);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->draft_id, g_free);

  G_OBJECT_CLASS (cl_new_referral_dialog_parent_class)->dispose (object);
}

static void
cl_new_referral_dialog_class_init (ClNewReferralDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_new_referral_dialog_dispose;

  /**
   * ClNewReferralDialog::created:
   * @case_id: the id of the new case
   */
  signals[CREATED] =
    g_signal_new ("created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-new-referral-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, notice_group);
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, notice_label);
  gtk_widget_class_bind_template_child (widget_class, ClNewReferralDialog, page);

  gtk_widget_class_install_action (widget_class, "referral.create", NULL, create_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "referral.create", NULL);
}

static void
cl_new_referral_dialog_init (ClNewReferralDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->match_rows = g_ptr_array_new ();
  self->matches = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_intake_match_free);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

static ClRecordForm *
add_form (ClNewReferralDialog *self,
          const char          *type,
          const char * const  *fields,
          const char          *title)
{
  ClRecordForm *form = cl_record_form_new (type, fields, FALSE);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (form), title);
  g_signal_connect_object (form, "input-changed", G_CALLBACK (input_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (form));

  return form;
}

/**
 * cl_new_referral_dialog_new:
 * @default_command: (nullable): the command to preselect
 *
 * Returns: (transfer none): a new dialog, transient for @parent
 */
ClNewReferralDialog *
cl_new_referral_dialog_new (GtkWindow     *parent,
                            ClStore       *store,
                            GtkStringList *command_codes,
                            GtkStringList *command_labels,
                            const char    *default_command)
{
  ClNewReferralDialog *self;
  GtkWidget *row;
  g_autofree char *now = cl_now_utc ();
  g_autofree char *last_command = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_NEW_REFERRAL_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);

  self->referral_form = add_form (self, "referral", referral_fields, _("Referral"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->referral_form),
                                         _("Only what outreach needs to start. Everything "
                                           "else can be added on the case."));
  cl_record_form_set_record (self->referral_form, NULL);
  cl_record_form_set_value (self->referral_form, "received_at", now);

  self->case_form = add_form (self, "case", case_fields, _("Case"));
  if (command_codes != NULL && command_labels != NULL)
    cl_record_form_set_commands (self->case_form, command_codes, command_labels);
  cl_record_form_set_record (self->case_form, NULL);
  /* The default command, or else the command of the last referral. */
  self->settings = g_settings_new (SCHEMA_ID);
  last_command = g_settings_get_string (self->settings, "last-referral-command");
  if (default_command == NULL || *default_command == '\0')
    default_command = last_command;
  if (*default_command != '\0')
    cl_record_form_set_value (self->case_form, "command", default_command);

  self->client_form = add_form (self, "client", client_fields, _("Client"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->client_form),
                                         _("A client may stay anonymous: record a pseudonym "
                                           "instead of a name."));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Anonymous"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("The client's name is not recorded"));
  self->anonymous_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->anonymous_switch), GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->anonymous_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row),
                                         GTK_WIDGET (self->anonymous_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->client_form), row);
  g_signal_connect_object (self->anonymous_switch, "notify::active",
                           G_CALLBACK (anonymous_cb), self, G_CONNECT_SWAPPED);

  cl_record_form_set_record (self->client_form, NULL);
  g_signal_connect_object (self->client_form, "input-changed", G_CALLBACK (client_changed_cb),
                           self, G_CONNECT_SWAPPED);

  self->matches_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->matches_group, _("Already a Client?"));
  adw_preferences_group_set_description (self->matches_group,
                                         _("These clients have the name, phone number or date "
                                           "of birth typed above. Choose one to add the new "
                                           "case to their record."));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("None of these: a new client"));
  self->new_client_check = gtk_check_button_new ();
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->new_client_check), TRUE);
  gtk_widget_set_valign (self->new_client_check, GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), self->new_client_check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->new_client_check);
  g_signal_connect_object (self->new_client_check, "toggled", G_CALLBACK (match_toggled_cb),
                           self, 0);
  adw_preferences_group_add (self->matches_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->matches_group), FALSE);
  adw_preferences_page_add (self->page, self->matches_group);

  anonymous_cb (self);
  g_clear_handle_id (&self->lookup_id, g_source_remove);

  /* The keyboard starts in the first field, never on Cancel (a space typed there would
   * press it); Enter in a field creates the referral. */
  gtk_window_set_focus (GTK_WINDOW (self), cl_record_form_get_row (self->referral_form, "source"));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->create_button);

  return self;
}

/**
 * cl_new_referral_dialog_set_anonymous:
 *
 * What the Anonymous switch does.
 */
void
cl_new_referral_dialog_set_anonymous (ClNewReferralDialog *self,
                                      gboolean             anonymous)
{
  g_return_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self));

  gtk_switch_set_active (self->anonymous_switch, anonymous);
}

/**
 * cl_new_referral_dialog_get_form:
 * @type_name: "referral", "case" or "client"
 *
 * Returns: (transfer none) (nullable): the form of that record
 */
ClRecordForm *
cl_new_referral_dialog_get_form (ClNewReferralDialog *self,
                                 const char          *type_name)
{
  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), NULL);

  if (g_strcmp0 (type_name, "referral") == 0)
    return self->referral_form;
  if (g_strcmp0 (type_name, "case") == 0)
    return self->case_form;
  if (g_strcmp0 (type_name, "client") == 0)
    return self->client_form;

  return NULL;
}

/* The new client's record from what the client form collected, or NULL (the reason shown)
 * when it names nobody. */
static ClChanges *
new_client_values (ClNewReferralDialog *self,
                   ClChanges           *values)
{
  g_autoptr(ClChanges) client = cl_changes_new ();
  gboolean anonymous = gtk_switch_get_active (self->anonymous_switch);
  const char *value = NULL;

  if (anonymous)
    {
      if (!cl_changes_lookup (values, "pseudonym", &value) || value == NULL)
        {
          show_error (self, _("Give the anonymous client a pseudonym."));
          return NULL;
        }
      cl_changes_set (client, "pseudonym", value);
    }
  else
    {
      if (!cl_changes_lookup (values, "legal_name", &value) || value == NULL)
        {
          show_error (self, _("Write the client's name, or make the client anonymous."));
          return NULL;
        }
      cl_changes_set (client, "legal_name", value);
      if (cl_changes_lookup (values, "pseudonym", &value) && value != NULL)
        cl_changes_set (client, "pseudonym", value);
    }

  if (cl_changes_lookup (values, "phone", &value) && value != NULL)
    cl_changes_set (client, "phone", value);
  if (cl_changes_lookup (values, "date_of_birth", &value) && value != NULL)
    cl_changes_set (client, "date_of_birth", value);

  return g_steal_pointer (&client);
}

static gboolean
ask_whether_new (ClNewReferralDialog *self)
{
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->client_id != NULL || self->new_client_confirmed || self->matches->len == 0)
    return FALSE;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "A client with this name, phone number or date of "
                                       "birth is already in the vault. Choose them under "
                                       "“Already a Client?” to add the case to their record, "
                                       "or create a new client.",
                                       "%u clients with this name, phone number or date of "
                                       "birth are already in the vault. Choose one under "
                                       "“Already a Client?” to add the case to their record, "
                                       "or create a new client.",
                                       self->matches->len),
                          self->matches->len);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Is This a Returning Client?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "choose", _("C_hoose Existing"),
                                    "new", _("Create _New Client"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "choose");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "choose");
  /* "Create New Client" destroys this dialog while the question answers: the question must
   * not go with it (as _cl_record_dialog_new_discard_question() explains); dispose destroys
   * it instead. */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), FALSE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (returning_response_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->returning, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

/**
 * cl_new_referral_dialog_create:
 *
 * What the Create button does: checks the forms, then creates the case and its inbound
 * referral, on the client chosen under "Already a Client?" or on a new client, in one
 * transaction; emits ::created and closes the dialog. A new client while existing ones are
 * listed is created only once the advocate confirms it (the question's "new" response).
 *
 * Returns: %TRUE if the referral was created
 */
gboolean
cl_new_referral_dialog_create (ClNewReferralDialog *self)
{
  g_autoptr(ClChanges) referral = NULL;
  g_autoptr(ClChanges) case_values = NULL;
  g_autoptr(ClChanges) client_values = NULL;
  g_autoptr(ClChanges) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *command = NULL;
  const char *value = NULL;

  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), FALSE);

  /* The lookup of what was typed last, before deciding who the client is. */
  if (self->lookup_id != 0)
    {
      g_clear_handle_id (&self->lookup_id, g_source_remove);
      lookup_cb (self);
    }

  referral = cl_record_form_collect (self->referral_form, &error);
  if (referral != NULL)
    case_values = cl_record_form_collect (self->case_form, &error);
  if (case_values == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }

  if (!cl_changes_lookup (case_values, "command", &value) || value == NULL)
    {
      show_error (self, _("Choose the command the referral is for."));
      return FALSE;
    }

  if (self->client_id == NULL)
    {
      client_values = cl_record_form_collect (self->client_form, &error);
      if (client_values == NULL)
        {
          show_error (self, error->message);
          return FALSE;
        }
      client = new_client_values (self, client_values);
      if (client == NULL)
        return FALSE;
      if (ask_whether_new (self))
        return FALSE;
    }

  command = g_strdup (value);
  case_id = cl_intake_create_referral (self->store, self->client_id, client, case_values,
                                       referral, self->draft_id, &error);
  if (case_id == NULL)
    {
      /* Translators: %s is the reason */
      g_autofree char *message = g_strdup_printf (_("Could not create the referral: %s"),
                                                  error->message);
      show_error (self, message);
      return FALSE;
    }

  g_settings_set_string (self->settings, "last-referral-command", command);
  g_object_ref (self);
  g_signal_emit (self, signals[CREATED], 0, case_id);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);

  return TRUE;
}

/**
 * cl_new_referral_dialog_keep_draft:
 *
 * Keeps what the advocate typed in the vault (the vault is about to lock). Nothing is kept
 * when nothing was typed, unless the dialog already shows a kept entry, which is updated.
 *
 * Returns: %FALSE if there was something to keep and it could not be kept
 */
gboolean
cl_new_referral_dialog_keep_draft (ClNewReferralDialog  *self,
                                   GError              **error)
{
  ClRecordForm *forms[] = { self->referral_form, self->case_form, self->client_form };
  g_autoptr(ClChanges) values = cl_changes_new ();
  gboolean anonymous;
  char *id;

  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), FALSE);

  anonymous = gtk_switch_get_active (self->anonymous_switch);
  if (self->draft_id == NULL && !has_input (self))
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(ClChanges) input = cl_record_form_dup_input (forms[i]);
      const char *type = cl_record_form_get_type_name (forms[i]);

      for (guint j = 0; j < cl_changes_get_n (input); j++)
        {
          g_autofree char *key = g_strconcat (type, ".", cl_changes_get_field (input, j), NULL);
          cl_changes_set (values, key, cl_changes_get_value (input, j));
        }
    }
  cl_changes_set (values, "anonymous", anonymous ? "1" : "0");

  id = cl_drafts_save (self->store, self->draft_id, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL,
                       values, error);
  if (id == NULL)
    return FALSE;

  g_free (self->draft_id);
  self->draft_id = id;

  return TRUE;
}

/**
 * cl_new_referral_dialog_restore_draft:
 * @draft: an entry of this dialog kept from before a lock
 *
 * Shows what was typed before the lock, says so, and makes cancelling ask before the kept
 * entry is discarded.
 */
void
cl_new_referral_dialog_restore_draft (ClNewReferralDialog *self,
                                      ClDraft             *draft)
{
  ClRecordForm *forms[] = { self->referral_form, self->case_form, self->client_form };
  const char *anonymous = NULL;

  g_return_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self));
  g_return_if_fail (draft != NULL);
  g_return_if_fail (g_strcmp0 (draft->kind, CL_DRAFT_KIND_NEW_REFERRAL) == 0);

  g_free (self->draft_id);
  self->draft_id = g_strdup (draft->id);

  /* "client.legal_name" is the client form's legal_name, as cl_new_referral_dialog_keep_draft()
   * wrote it. */
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      const char *type = cl_record_form_get_type_name (forms[i]);
      g_autofree char *prefix = g_strconcat (type, ".", NULL);
      g_autoptr(ClChanges) input = cl_changes_new ();

      for (guint j = 0; j < cl_changes_get_n (draft->values); j++)
        {
          const char *key = cl_changes_get_field (draft->values, j);
          const char *value = cl_changes_get_value (draft->values, j);

          if (g_str_has_prefix (key, prefix))
            cl_changes_set (input, key + strlen (prefix), value);
        }
      cl_record_form_set_input (forms[i], input);
    }

  cl_changes_lookup (draft->values, "anonymous", &anonymous);
  gtk_switch_set_active (self->anonymous_switch, g_strcmp0 (anonymous, "1") == 0);

  gtk_label_set_text (self->notice_label,
                      _("Kept from before the lock. It is not saved yet: create the referral, "
                        "or cancel to discard it."));
  gtk_widget_set_visible (self->notice_group, TRUE);
}

/**
 * cl_new_referral_dialog_get_notice:
 *
 * Returns: (nullable): what the dialog says about a kept entry, if it shows one
 */
const char *
cl_new_referral_dialog_get_notice (ClNewReferralDialog *self)
{
  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (self->notice_group))
    return NULL;

  return gtk_label_get_text (self->notice_label);
}
