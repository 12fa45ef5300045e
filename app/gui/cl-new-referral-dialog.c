/* cl-new-referral-dialog.c: record a new referral (client, case, inbound referral)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what outreach needs to start: the command, the track, where the referral came from
 * and when, and the client's name, or a pseudonym when the client stays anonymous. A phone
 * number and the complaint or DIR number are optional. The three records are created in one
 * transaction; ::created then hands the new case's id to the window, which opens it.
 *
 * When the vault locks with something typed, cl_new_referral_dialog_keep_draft() keeps it
 * in the vault; after unlock, cl_new_referral_dialog_restore_draft() shows it again with a
 * notice. Creating the referral deletes the draft in the same transaction; cancelling asks
 * first, and only a confirmed discard deletes it.
 */

#define G_LOG_DOMAIN "cl-new-referral-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-drafts.h"
#include "cl-gui-util.h"
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
  ClRecordForm       *referral_form;
  ClRecordForm       *case_form;
  ClRecordForm       *client_form;
  GtkSwitch          *anonymous_switch;

  char               *draft_id;  /* the entry kept from before a lock, or NULL */
  GtkWindow          *confirm;   /* the question whether to discard it */
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
static const char * const client_fields[] = { "legal_name", "pseudonym", "phone", NULL };

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
anonymous_cb (ClNewReferralDialog *self)
{
  gboolean anonymous = gtk_switch_get_active (self->anonymous_switch);

  gtk_widget_set_visible (cl_record_form_get_row (self->client_form, "legal_name"), !anonymous);
  gtk_widget_set_visible (cl_record_form_get_row (self->client_form, "pseudonym"), anonymous);
  show_error (self, NULL);
}

static void
discard_response_cb (ClNewReferralDialog *self,
                     const char          *response,
                     AdwMessageDialog    *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0)
    return;

  if (!cl_drafts_delete (self->store, self->draft_id, &error))
    {
      show_error (self, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
close_request_cb (ClNewReferralDialog *self)
{
  if (self->draft_id == NULL)
    return FALSE;

  /* A kept entry goes only when the advocate says so. */
  if (self->confirm == NULL)
    {
      g_set_weak_pointer (&self->confirm,
                          _cl_record_dialog_new_discard_question (GTK_WINDOW (self)));
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
  if (self->confirm != NULL)
    gtk_window_destroy (self->confirm);
  g_clear_weak_pointer (&self->confirm);
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
  if (default_command != NULL && *default_command != '\0')
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
  anonymous_cb (self);

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

/**
 * cl_new_referral_dialog_create:
 *
 * What the Create button does: checks the forms, creates the client, the case and the
 * inbound referral in one transaction, emits ::created and closes the dialog.
 *
 * Returns: %TRUE if the referral was created
 */
gboolean
cl_new_referral_dialog_create (ClNewReferralDialog *self)
{
  g_autoptr(ClChanges) referral = NULL;
  g_autoptr(ClChanges) case_values = NULL;
  g_autoptr(ClChanges) client_values = NULL;
  g_autoptr(ClChanges) client = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *referral_id = NULL;
  const char *value = NULL;
  const char *received_at = NULL;
  gboolean anonymous;

  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), FALSE);

  referral = cl_record_form_collect (self->referral_form, &error);
  if (referral != NULL)
    case_values = cl_record_form_collect (self->case_form, &error);
  if (case_values != NULL)
    client_values = cl_record_form_collect (self->client_form, &error);

  if (client_values == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }

  anonymous = gtk_switch_get_active (self->anonymous_switch);

  if (!cl_changes_lookup (case_values, "command", &value) || value == NULL)
    {
      show_error (self, _("Choose the command the referral is for."));
      return FALSE;
    }

  if (anonymous)
    {
      if (!cl_changes_lookup (client_values, "pseudonym", &value) || value == NULL)
        {
          show_error (self, _("Give the anonymous client a pseudonym."));
          return FALSE;
        }
      cl_changes_set (client, "pseudonym", value);
    }
  else
    {
      if (!cl_changes_lookup (client_values, "legal_name", &value) || value == NULL)
        {
          show_error (self, _("Write the client's name, or make the client anonymous."));
          return FALSE;
        }
      cl_changes_set (client, "legal_name", value);
      if (cl_changes_lookup (client_values, "pseudonym", &value) && value != NULL)
        cl_changes_set (client, "pseudonym", value);
    }

  if (cl_changes_lookup (client_values, "phone", &value) && value != NULL)
    cl_changes_set (client, "phone", value);

  cl_changes_lookup (referral, "received_at", &received_at);

  if (!cl_store_begin (self->store, &error))
    goto failed;

  client_id = cl_store_create (self->store, "client", client, &error);
  if (client_id == NULL)
    goto rollback;

  cl_changes_set (case_values, "client_id", client_id);
  cl_changes_set (case_values, "status", "referred");
  cl_changes_set (case_values, "referral_received_at", received_at);
  case_id = cl_store_create (self->store, "case", case_values, &error);
  if (case_id == NULL)
    goto rollback;

  cl_changes_set (referral, "case_id", case_id);
  referral_id = cl_store_create (self->store, "referral", referral, &error);
  if (referral_id == NULL)
    goto rollback;

  if (self->draft_id != NULL && !cl_drafts_delete (self->store, self->draft_id, &error))
    goto rollback;

  if (!cl_store_commit (self->store, &error))
    goto failed;

  g_object_ref (self);
  g_signal_emit (self, signals[CREATED], 0, case_id);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);

  return TRUE;

rollback:
  cl_store_rollback (self->store);

failed:
  {
    /* Translators: %s is the reason */
    g_autofree char *message = g_strdup_printf (_("Could not create the referral: %s"),
                                                error->message);
    show_error (self, message);
  }

  return FALSE;
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
  gboolean modified = FALSE;
  char *id;

  g_return_val_if_fail (CL_IS_NEW_REFERRAL_DIALOG (self), FALSE);

  anonymous = gtk_switch_get_active (self->anonymous_switch);
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    modified = modified || cl_record_form_get_modified (forms[i]);
  if (self->draft_id == NULL && !modified && !anonymous)
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
