/* cl-draft-keeper.c: what was typed but not saved, kept across a lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the context's ::locking, while the store is still open, the window has the keeper
 * keep what was typed into a new record's dialog (New Referral, a task, a service, …) and
 * the contact log's note as drafts in the vault (cl-drafts.h). After unlock, each kept
 * draft comes back, one at a time, in its dialog with the values restored; adding it adds
 * the record and ends the draft in one transaction.
 */

#define G_LOG_DOMAIN "cl-draft-keeper"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-draft-keeper.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"
#include "cl-safe-contact.h"

struct _ClDraftKeeper
{
  GObject        parent_instance;

  GtkWindow     *window;           /* weak */
  ClStore       *store;
  GtkStringList *command_codes;
  GtkStringList *command_labels;
  GtkWindow     *dialog;           /* weak: the restored dialog shown */
};

G_DEFINE_FINAL_TYPE (ClDraftKeeper, cl_draft_keeper, G_TYPE_OBJECT)

enum {
  MESSAGE,
  REFERRAL_CREATED,
  RESTRICTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
referral_created_cb (ClDraftKeeper       *self,
                     const char          *case_id,
                     ClNewReferralDialog *dialog)
{
  g_signal_emit (self, signals[REFERRAL_CREATED], 0, case_id);
}

/* A dialog restored from a draft keeps it up to date; a new one (the case page opened it)
 * is a record of the case on the page, or of its client. */
static gboolean
keep_record_draft (ClDraftKeeper   *self,
                   ClCasePage      *case_page,
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

  case_id = parent_id = cl_case_page_get_case_id (case_page);
  if (case_id != NULL && g_strcmp0 (type->parent, "client_id") == 0)
    {
      case_record = cl_store_get (self->store, "case", case_id, NULL);
      parent_id = case_record != NULL ? cl_record_get (case_record, "client_id") : NULL;
    }
  id = cl_drafts_save (self->store, NULL, kind, parent_id, case_id, input, error);

  return id != NULL;
}

static void
draft_dialog_destroy_cb (ClDraftKeeper *self,
                         GtkWindow *dialog)
{
  if (self->dialog == dialog)
    g_clear_weak_pointer (&self->dialog);

  cl_draft_keeper_offer (self);
}

/**
 * cl_draft_keeper_keep:
 * @case_page: the window's case page, whose contact note is kept too
 *
 * Before the vault closes: what was typed into a new record's dialog (or the contact log
 * of @case_page) is kept in the vault, to come back after unlock. A failure cannot stop the
 * lock: it is logged.
 */
void
cl_draft_keeper_keep (ClDraftKeeper *self,
                      ClCasePage    *case_page)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_autoptr(ClChanges) contact = NULL;

  if (self->store == NULL)
    return;

  /* A contact note typed into the case page's contact log, not logged yet. */
  contact = cl_case_page_take_contact_entry (case_page);
  if (contact != NULL)
    {
      const char *case_id = cl_case_page_get_case_id (case_page);
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

      if (gtk_window_get_transient_for (window) != self->window)
        continue;

      /* It goes with the lock: nothing else is offered when it does. */
      g_signal_handlers_disconnect_by_func (window, draft_dialog_destroy_cb, self);

      if (CL_IS_NEW_REFERRAL_DIALOG (window))
        cl_new_referral_dialog_keep_draft (CL_NEW_REFERRAL_DIALOG (window), &error);
      else if (CL_IS_RECORD_DIALOG (window))
        keep_record_draft (self, case_page, CL_RECORD_DIALOG (window), &error);

      if (error != NULL)
        g_warning ("Could not keep an unsaved entry before locking: %s", error->message);
    }
}

/* Adds a kept record: the record and the end of its draft commit together. */
static void
add_restored (ClDraftKeeper  *self,
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
  g_signal_emit (self, signals[MESSAGE], 0, message);
  gtk_window_destroy (GTK_WINDOW (dialog));
  return;

failed:
  cl_record_dialog_set_error (dialog, error->message);
}

static void
restored_contact_response_cb (ClDraftKeeper    *self,
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
restored_add_cb (ClDraftKeeper  *self,
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

/**
 * cl_draft_keeper_restore:
 * @draft: (transfer full): a kept draft
 *
 * Reopens the dialog of @draft with its values and a notice.
 */
void
cl_draft_keeper_restore (ClDraftKeeper *self,
                         ClDraft       *draft)
{
  GtkWindow *dialog;

  if (g_str_equal (draft->kind, CL_DRAFT_KIND_NEW_REFERRAL))
    {
      ClNewReferralDialog *referral;

      referral = cl_new_referral_dialog_new (self->window, self->store,
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

      record = cl_record_dialog_new (self->window, draft->kind, fields, NULL,
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

/**
 * cl_draft_keeper_offer:
 *
 * Offers the oldest kept entry back; the next one when its dialog closes. One typed on a
 * restricted case is not reopened here: ::restricted asks for a reason first.
 */
void
cl_draft_keeper_offer (ClDraftKeeper *self)
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
    g_signal_emit (self, signals[RESTRICTED], 0, draft->case_id, draft);
  else
    cl_draft_keeper_restore (self, draft);
}

static void
cl_draft_keeper_dispose (GObject *object)
{
  ClDraftKeeper *self = CL_DRAFT_KEEPER (object);

  g_clear_weak_pointer (&self->dialog);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->store);
  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);

  G_OBJECT_CLASS (cl_draft_keeper_parent_class)->dispose (object);
}

static void
cl_draft_keeper_class_init (ClDraftKeeperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_draft_keeper_dispose;

  /**
   * ClDraftKeeper::message:
   * @text: what to tell the advocate (a toast)
   */
  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ClDraftKeeper::referral-created:
   * @case_id: the case a restored New Referral created
   */
  signals[REFERRAL_CREATED] =
    g_signal_new ("referral-created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ClDraftKeeper::restricted:
   * @case_id: the restricted case the draft was typed on
   * @draft: (transfer full): the draft, for cl_draft_keeper_restore() once a reason is
   *   given (a handler must take it)
   */
  signals[RESTRICTED] =
    g_signal_new ("restricted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
}

static void
cl_draft_keeper_init (ClDraftKeeper *self)
{
}

/**
 * cl_draft_keeper_new:
 * @window: the window the restored dialogs are transient for
 */
ClDraftKeeper *
cl_draft_keeper_new (GtkWindow *window)
{
  ClDraftKeeper *self = g_object_new (CL_TYPE_DRAFT_KEEPER, NULL);

  g_set_weak_pointer (&self->window, window);

  return self;
}

/**
 * cl_draft_keeper_set_store:
 * @store: (nullable): the open store, or %NULL once the vault locks
 *
 * The store drafts are kept in and restored from, and the commands the restored dialogs
 * offer.
 */
void
cl_draft_keeper_set_store (ClDraftKeeper *self,
                           ClStore       *store,
                           GtkStringList *command_codes,
                           GtkStringList *command_labels)
{
  g_return_if_fail (CL_IS_DRAFT_KEEPER (self));

  g_set_object (&self->store, store);
  g_set_object (&self->command_codes, command_codes);
  g_set_object (&self->command_labels, command_labels);
  if (store == NULL)
    g_clear_weak_pointer (&self->dialog);
}

/**
 * cl_draft_keeper_get_dialog:
 *
 * Returns: (transfer none) (nullable): the restored dialog shown
 */
GtkWindow *
cl_draft_keeper_get_dialog (ClDraftKeeper *self)
{
  g_return_val_if_fail (CL_IS_DRAFT_KEEPER (self), NULL);

  return self->dialog;
}
