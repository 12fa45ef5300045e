/* cl-record-dialog.c: add, edit or read one record of a case (a task, a note, …)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog opens with the focus on its first field; Escape closes it. To add, the dialog
 * shows an empty form and emits ::add with the collected values when the advocate clicks
 * Add or presses Enter in a field; the owner creates the record and closes the dialog, or shows
 * why not with cl_record_dialog_set_error(). To edit, the form saves as you go (the owner
 * listens to the form's ::field-changed) and a Delete button asks before emitting ::delete.
 * An append-only record (a contact, a service, a note) opens to be read, every field as
 * text.
 *
 * Cancelling a new record with something typed (Escape, Cancel, closing the window) asks
 * first, "Discard Changes?", with "Keep Editing" as the answer to Enter and Escape, which
 * gives the keyboard back to the field it was in; with nothing typed the dialog closes at
 * once. A lock closes it without asking: what was typed is kept as a draft.
 *
 * An entry the vault locked on is kept as a draft (cl-drafts.h) and comes back in a new
 * dialog with cl_record_dialog_restore_draft(): a notice says so, adding it emits ::add as
 * usual (the owner deletes the draft with the record it creates), and cancelling asks
 * whether to discard the kept entry; only a confirmed discard deletes the draft. A draft
 * whose case or client is gone can still be read and copied, not added.
 */

#define G_LOG_DOMAIN "cl-record-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-drafts.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"

struct _ClRecordDialog
{
  AdwWindow        parent_instance;

  AdwHeaderBar    *header_bar;
  AdwWindowTitle  *window_title;
  GtkWidget       *cancel_button;
  GtkWidget       *add_button;
  GtkRevealer     *error_revealer;
  GtkLabel        *error_label;
  GtkWidget       *notice_group;
  GtkImage        *notice_icon;
  GtkLabel        *notice_label;
  AdwPreferencesPage *page;

  ClRecordForm    *form;
  ClStore         *store;     /* set with a restored draft, to discard it */
  ClDraft         *draft;     /* the entry kept from before a lock, or NULL */
  GtkWindow       *confirm;   /* the question whether to discard it, or what was typed */
  gboolean         editing;
  gboolean         orphaned;  /* the draft's case or client is no longer in the vault */
};

G_DEFINE_FINAL_TYPE (ClRecordDialog, cl_record_dialog, ADW_TYPE_WINDOW)

enum {
  ADD,
  DELETE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_clicked_cb (ClRecordDialog *self)
{
  cl_record_dialog_add (self);
}

static void
input_changed_cb (ClRecordDialog *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
delete_response_cb (ClRecordDialog   *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "delete") == 0)
    g_signal_emit (self, signals[DELETE], 0);
}

static void
delete_clicked_cb (ClRecordDialog *self)
{
  GtkWidget *dialog;
  const ClType *type = cl_schema_lookup_type (cl_record_form_get_type_name (self->form));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog),
                                     /* Translators: %s is a kind of record, e.g. "Task" */
                                     _("Delete this %s?"),
                                     g_dgettext (GETTEXT_PACKAGE, type->label));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("It disappears from the case. The case history keeps a "
                                 "trace of the deletion."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
discard_response_cb (ClRecordDialog   *self,
                     const char       *response,
                     AdwMessageDialog *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0)
    return;

  if (self->draft != NULL && !cl_drafts_delete (self->store, self->draft->id, &error))
    {
      cl_record_dialog_set_error (self, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
close_request_cb (ClRecordDialog *self)
{
  if (self->editing && self->form != NULL)
    cl_record_form_flush (self->form);

  /* A kept entry, or what was typed into a new record, goes only when the advocate says
   * so. */
  if (self->draft != NULL || (!self->editing && cl_record_form_get_modified (self->form)))
    {
      if (self->confirm == NULL)
        {
          g_set_weak_pointer (&self->confirm,
                              _cl_record_dialog_new_discard_question (GTK_WINDOW (self),
                                                                      self->draft != NULL));
          g_signal_connect_object (self->confirm, "response",
                                   G_CALLBACK (discard_response_cb), self, G_CONNECT_SWAPPED);
        }
      gtk_window_present (self->confirm);
      return TRUE;
    }

  return FALSE;
}

static void
cl_record_dialog_dispose (GObject *object)
{
  ClRecordDialog *self = (ClRecordDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_RECORD_DIALOG);
  self->form = NULL;
  if (self->confirm != NULL)
    gtk_window_destroy (self->confirm);
  g_clear_weak_pointer (&self->confirm);
  g_clear_object (&self->store);
  g_clear_pointer (&self->draft, cl_draft_free);

  G_OBJECT_CLASS (cl_record_dialog_parent_class)->dispose (object);
}

static void
cl_record_dialog_class_init (ClRecordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_record_dialog_dispose;

  /**
   * ClRecordDialog::add:
   * @values: the values of the record to create
   */
  signals[ADD] =
    g_signal_new ("add",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CL_TYPE_CHANGES);

  /**
   * ClRecordDialog::delete:
   *
   * The advocate confirmed deleting the record.
   */
  signals[DELETE] =
    g_signal_new ("delete",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-record-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, notice_group);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, notice_icon);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, notice_label);
  gtk_widget_class_bind_template_child (widget_class, ClRecordDialog, page);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* The dialog opens with the focus on its first field. */
static void
dialog_map_cb (ClRecordDialog *self)
{
  if (self->form != NULL)
    gtk_widget_child_focus (GTK_WIDGET (self->form), GTK_DIR_TAB_FORWARD);
}

static void
cl_record_dialog_init (ClRecordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "map", G_CALLBACK (dialog_map_cb), NULL);

  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

/**
 * cl_record_dialog_new:
 * @record: (nullable): the record to edit (to show, when its type is append-only), or
 *   %NULL to add one
 * @command_codes: (nullable): the known commands, for command fields
 * @command_labels: (nullable): their names
 *
 * Returns: (transfer none): a new dialog, transient for @parent
 */
ClRecordDialog *
cl_record_dialog_new (GtkWindow          *parent,
                      const char         *type_name,
                      const char * const *fields,
                      ClRecord           *record,
                      GtkStringList      *command_codes,
                      GtkStringList      *command_labels)
{
  ClRecordDialog *self;
  const ClType *type;
  gboolean viewing;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (type_name != NULL, NULL);

  type = cl_schema_lookup_type (type_name);
  g_return_val_if_fail (type != NULL, NULL);

  self = g_object_new (CL_TYPE_RECORD_DIALOG,
                       "transient-for", parent,
                       "title", g_dgettext (GETTEXT_PACKAGE, type->label),
                       NULL);
  self->editing = record != NULL;

  adw_window_title_set_title (self->window_title, g_dgettext (GETTEXT_PACKAGE, type->label));

  /* An append-only record (a contact, a service, a note) is shown, not edited. */
  viewing = self->editing && (type->flags & CL_TYPE_APPEND_ONLY) != 0;
  self->form = cl_record_form_new (type_name, fields, self->editing && !viewing);
  if (viewing)
    cl_record_form_set_read_only (self->form);
  else if (!self->editing)
    cl_record_form_set_unchosen (self->form);
  if (command_codes != NULL && command_labels != NULL)
    cl_record_form_set_commands (self->form, command_codes, command_labels);
  cl_record_form_set_record (self->form, record);
  g_signal_connect_object (self->form, "input-changed", G_CALLBACK (input_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (self->form));

  if (viewing)
    {
      adw_window_title_set_subtitle (self->window_title, _("Recorded entries are not changed"));
      gtk_widget_set_visible (self->cancel_button, FALSE);
      gtk_widget_set_visible (self->add_button, FALSE);
    }
  else if (self->editing)
    {
      GtkWidget *group = adw_preferences_group_new ();
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Delete"));

      adw_window_title_set_subtitle (self->window_title, _("Changes are saved as you go"));
      gtk_widget_set_visible (self->cancel_button, FALSE);
      gtk_widget_set_visible (self->add_button, FALSE);

      gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "pill");
      g_signal_connect_object (button, "clicked", G_CALLBACK (delete_clicked_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), button);
      adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
    }
  else
    {
      adw_header_bar_set_show_start_title_buttons (self->header_bar, FALSE);
      adw_header_bar_set_show_end_title_buttons (self->header_bar, FALSE);
      gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
    }

  return self;
}

/**
 * cl_record_dialog_get_form:
 *
 * Returns: (transfer none): the form of the dialog
 */
ClRecordForm *
cl_record_dialog_get_form (ClRecordDialog *self)
{
  g_return_val_if_fail (CL_IS_RECORD_DIALOG (self), NULL);

  return self->form;
}

/**
 * cl_record_dialog_set_error:
 * @message: (nullable): why the record could not be saved, or %NULL to hide the message
 */
void
cl_record_dialog_set_error (ClRecordDialog *self,
                            const char     *message)
{
  g_return_if_fail (CL_IS_RECORD_DIALOG (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

/* Whether @values hold a value typed or chosen (the form collects no parent). */
static gboolean
has_value (ClChanges *values)
{
  for (guint i = 0; i < cl_changes_get_n (values); i++)
    {
      const char *value = cl_changes_get_value (values, i);

      if (value != NULL && *value != '\0')
        return TRUE;
    }
  return FALSE;
}

/**
 * cl_record_dialog_add:
 *
 * What the Add button does: checks the form and emits ::add with its values.
 */
void
cl_record_dialog_add (ClRecordDialog *self)
{
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CL_IS_RECORD_DIALOG (self));

  if (self->editing || self->orphaned)
    return;

  values = cl_record_form_collect (self->form, &error);
  if (values == NULL)
    {
      cl_record_dialog_set_error (self, error->message);
      return;
    }

  /* A record of a type with no required field (a safety plan) is not added empty by one
   * Enter: the keyboard goes back to the first field. */
  if (!has_value (values))
    {
      cl_record_dialog_set_error (self, _("Fill in at least one field first."));
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
      gtk_widget_child_focus (GTK_WIDGET (self->form), GTK_DIR_TAB_FORWARD);
      return;
    }

  cl_record_dialog_set_error (self, NULL);
  g_signal_emit (self, signals[ADD], 0, values);
}

/**
 * cl_record_dialog_dup_input:
 *
 * What the advocate typed into a new record, to keep it when the vault locks.
 *
 * Returns: (transfer full) (nullable): field -> value as typed, or %NULL when the dialog
 *   edits a record, or nothing was typed and no kept entry is shown
 */
ClChanges *
cl_record_dialog_dup_input (ClRecordDialog *self)
{
  g_return_val_if_fail (CL_IS_RECORD_DIALOG (self), NULL);

  if (self->editing || (self->draft == NULL && !cl_record_form_get_modified (self->form)))
    return NULL;

  return cl_record_form_dup_input (self->form);
}

/**
 * cl_record_dialog_restore_draft:
 * @store: the store the draft is in
 * @draft: (transfer full): an entry kept from before a lock, of the dialog's record type
 *
 * Shows what was typed before the lock, says so, and makes cancelling ask before the kept
 * entry is discarded. When the record's case or client is gone, the entry can be read and
 * copied but not added.
 */
void
cl_record_dialog_restore_draft (ClRecordDialog *self,
                                ClStore        *store,
                                ClDraft        *draft)
{
  const ClType *type;
  g_autoptr(ClRecord) parent = NULL;
  g_autoptr(ClRecord) case_record = NULL;
  g_autofree char *notice = NULL;

  g_return_if_fail (CL_IS_RECORD_DIALOG (self));
  g_return_if_fail (CL_IS_STORE (store));
  g_return_if_fail (draft != NULL);
  g_return_if_fail (!self->editing);
  g_return_if_fail (g_strcmp0 (draft->kind, cl_record_form_get_type_name (self->form)) == 0);

  type = cl_schema_lookup_type (draft->kind);
  g_set_object (&self->store, store);
  g_clear_pointer (&self->draft, cl_draft_free);
  self->draft = draft;

  cl_record_form_set_input (self->form, draft->values);

  if (draft->parent_id != NULL)
    parent = cl_store_get (store,
                           g_strcmp0 (type->parent, "client_id") == 0 ? "client" : "case",
                           draft->parent_id, NULL);
  if (draft->case_id != NULL)
    case_record = cl_store_get (store, "case", draft->case_id, NULL);

  self->orphaned = parent == NULL;
  if (self->orphaned)
    notice = g_strdup (_("Kept from before the lock, but its case or client is no longer on "
                         "this device (deleted, or moved out of your commands), so it cannot "
                         "be added. Copy what you need, then cancel to discard it."));
  else if (case_record != NULL && cl_record_get (case_record, "case_number") != NULL)
    /* Translators: %s is a case number */
    notice = g_strdup_printf (_("Kept from before the lock, for case %s. It is not saved yet: "
                                "add it, or cancel to discard it."),
                              cl_record_get (case_record, "case_number"));
  else
    notice = g_strdup (_("Kept from before the lock. It is not saved yet: add it, or cancel "
                         "to discard it."));

  gtk_label_set_text (self->notice_label, notice);
  if (self->orphaned)
    {
      gtk_image_set_from_icon_name (self->notice_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->notice_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->notice_label), "warning");
    }
  gtk_widget_set_visible (self->notice_group, TRUE);
  gtk_widget_set_sensitive (self->add_button, !self->orphaned);
}

/**
 * cl_record_dialog_get_draft:
 *
 * Returns: (transfer none) (nullable): the kept entry the dialog shows
 */
ClDraft *
cl_record_dialog_get_draft (ClRecordDialog *self)
{
  g_return_val_if_fail (CL_IS_RECORD_DIALOG (self), NULL);

  return self->draft;
}

/**
 * cl_record_dialog_get_notice:
 *
 * Returns: (nullable): what the dialog says about a kept entry, if it shows one
 */
const char *
cl_record_dialog_get_notice (ClRecordDialog *self)
{
  g_return_val_if_fail (CL_IS_RECORD_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (self->notice_group))
    return NULL;

  return gtk_label_get_text (self->notice_label);
}

static void
weak_ref_free (gpointer  ref,
               GClosure *closure)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/* Keep: the keyboard goes back to @parent, to the widget that had it before the question
 * (nothing gives a window the keyboard back when a dialog over it closes). */
static void
keep_response_cb (AdwMessageDialog *question,
                  const char       *response,
                  GWeakRef         *focus_ref)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (question));
  g_autoptr(GtkWidget) focus = g_weak_ref_get (focus_ref);

  if (g_strcmp0 (response, "keep") != 0 || parent == NULL)
    return;

  gtk_window_present (parent);
  if (focus == NULL || gtk_window_get_focus (parent) == focus ||
      gtk_widget_get_root (focus) != GTK_ROOT (parent))
    return;

  /* Text keeps its cursor: selected, a key typed would replace it. */
  if (GTK_IS_TEXT (focus))
    gtk_text_grab_focus_without_selecting (GTK_TEXT (focus));
  else
    gtk_widget_grab_focus (focus);
}

/**
 * _cl_record_dialog_new_discard_question:
 * @parent: a new record's dialog with something typed, or showing an entry kept from
 *   before a lock
 * @kept: whether @parent shows a kept entry
 *
 * Asks whether to discard what was typed, or the kept entry: responds "discard" or, by
 * default (Enter, Escape), "keep". Discarding destroys @parent, so the question does not go
 * with it (GTK would leave it pointing at a finalized parent while it closes): @parent
 * destroys it in its dispose. Keep gives @parent the keyboard back, on the widget that had
 * it.
 *
 * Returns: (transfer none): a new message dialog, transient for @parent
 */
GtkWindow *
_cl_record_dialog_new_discard_question (GtkWindow *parent,
                                        gboolean   kept)
{
  GtkWidget *dialog;
  GWeakRef *focus_ref;

  if (kept)
    dialog = adw_message_dialog_new (parent, _("Discard the Kept Entry?"),
                                     _("What was typed before the lock is deleted from the "
                                       "vault for good."));
  else
    dialog = adw_message_dialog_new (parent, _("Discard Changes?"),
                                     _("What you typed here is not saved yet. Discarded, "
                                       "it is gone for good."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", kept ? _("_Keep") : _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), FALSE);

  focus_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (focus_ref, gtk_window_get_focus (parent));
  g_signal_connect_data (dialog, "response", G_CALLBACK (keep_response_cb), focus_ref,
                         weak_ref_free, 0);

  return GTK_WINDOW (dialog);
}
