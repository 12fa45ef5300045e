/* cl-unlock-page.c: the only thing shown while the vault is locked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The passphrase goes from the GtkPasswordEntry into a ClSecret (guarded memory) and the
 * entry is emptied at once; key derivation runs in a worker (cl_context_unlock_async) while
 * a spinner turns. A wrong passphrase says so plainly, and the entry stays disabled for the
 * growing delay the vault imposes (cl_vault_retry_delay_ms()), counting down.
 *
 * The page remembers whether the last unlock came from the keyboard (Enter in the entry, or
 * the Unlock button pressed with a key), so that the window shows where the focus went.
 *
 * "Forgot passphrase?" opens the vault with the recovery key printed at creation and sets
 * a new passphrase (cl_context_recover_async).
 */

#define G_LOG_DOMAIN "cl-unlock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-gui-util.h"
#include "cl-unlock-page.h"

struct _ClUnlockPage
{
  AdwBin            parent_instance;

  AdwStatusPage    *status_page;
  GtkPasswordEntry *passphrase_entry;
  GtkLabel         *error_label;
  GtkStack         *button_stack;
  GtkWidget        *unlock_button;
  GtkSpinner       *spinner;
  GtkLabel         *demo_label;
  GtkWidget        *recover_button;

  ClContext        *context;
  GCancellable     *cancellable;
  gint64            retry_at;
  guint             countdown_id;
  gulong            demo_handler;
  guint             busy : 1;
  guint             by_keyboard : 1;   /* the last unlock came from the keyboard */
  guint             button_keyed : 1;  /* the Unlock button was activated by a key */
};

G_DEFINE_FINAL_TYPE (ClUnlockPage, cl_unlock_page, ADW_TYPE_BIN)

static void
show_error (ClUnlockPage *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_sensitivity (ClUnlockPage *self)
{
  gboolean waiting = self->retry_at > g_get_monotonic_time ();
  gboolean can_type = !self->busy && !waiting;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Move the focus out first, so the entry sees a focus-out before it turns insensitive. */
  if (!can_type && root != NULL && gtk_widget_has_focus (GTK_WIDGET (self->passphrase_entry)))
    gtk_root_set_focus (root, NULL);
  if (!can_type && root != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (root);

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->passphrase_entry)))
        gtk_root_set_focus (root, NULL);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_entry), can_type);
  gtk_widget_set_sensitive (self->unlock_button, can_type && *text != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.recover", can_type);
  gtk_stack_set_visible_child_name (self->button_stack, self->busy ? "spinner" : "button");
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static gboolean
countdown_cb (gpointer data)
{
  ClUnlockPage *self = data;
  gint64 left = self->retry_at - g_get_monotonic_time ();

  if (left <= 0)
    {
      self->countdown_id = 0;
      show_error (self, _("Wrong passphrase. Try again."));
      update_sensitivity (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
      return G_SOURCE_REMOVE;
    }
  else
    {
      int seconds = (int) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Wrong passphrase. Try again in %d second.",
                                      "Wrong passphrase. Try again in %d seconds.",
                                      seconds),
                         seconds);
      show_error (self, message);
    }

  return G_SOURCE_CONTINUE;
}

static void
failed (ClUnlockPage *self,
        const GError *error)
{
  if (g_error_matches (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
    {
      guint delay = cl_vault_retry_delay_ms ();

      g_clear_handle_id (&self->countdown_id, g_source_remove);
      if (delay > 0)
        {
          self->retry_at = g_get_monotonic_time () + (gint64) delay * 1000;
          countdown_cb (self);
          self->countdown_id = g_timeout_add (250, countdown_cb, self);
        }
      else
        show_error (self, _("Wrong passphrase. Try again."));
    }
  else
    show_error (self, error->message);
}

static void
unlock_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;

  if (!cl_context_unlock_finish (CL_CONTEXT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        failed (self, error);
    }
  else
    show_error (self, NULL);

  update_sensitivity (self);
  if (cl_context_get_locked (self->context))
    gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
}

static void
unlock_cb (ClUnlockPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry));

  if (*text == '\0' || self->busy || self->retry_at > g_get_monotonic_time ())
    return;

  cl_unlock_page_unlock (self, text);
}

static void
passphrase_activate_cb (ClUnlockPage *self)
{
  self->by_keyboard = TRUE;
  unlock_cb (self);
}

/* A key pressed the button (Enter or Space): ::activate comes before ::clicked. */
static void
unlock_button_activate_cb (ClUnlockPage *self)
{
  self->button_keyed = TRUE;
}

static void
unlock_clicked_cb (ClUnlockPage *self)
{
  self->by_keyboard = self->button_keyed;
  self->button_keyed = FALSE;
  unlock_cb (self);
}

static void
passphrase_changed_cb (ClUnlockPage *self)
{
  update_sensitivity (self);
}

/* Recovery ------------------------------------------------------------------------- */

static void
recover_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ClUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy = FALSE;

  if (!cl_context_recover_finish (CL_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
        show_error (self, _("That recovery key does not open this vault."));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
    }
  else
    show_error (self, NULL);

  update_sensitivity (self);
}

static void
recover_response_cb (ClUnlockPage     *self,
                     const char       *response,
                     AdwMessageDialog *dialog)
{
  GtkEditable *key_row = g_object_get_data (G_OBJECT (dialog), "cl-key");
  GtkEditable *new_row = g_object_get_data (G_OBJECT (dialog), "cl-new");
  GtkEditable *again_row = g_object_get_data (G_OBJECT (dialog), "cl-again");
  g_autoptr(ClSecret) key = NULL;
  g_autoptr(ClSecret) passphrase = NULL;
  g_autoptr(GError) weak = NULL;
  const char *new_text;

  /* Whatever the answer (Escape and closing answer "cancel"), the dialog goes next. Its
   * rows give up the focus now, while they are alive: otherwise the focus leaves them only
   * when the last reference to the dialog goes (after the key press that closed it, at the
   * next one), and libadwaita's focus handler of a password row then runs on a row already
   * freed. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  if (g_strcmp0 (response, "recover") != 0 || self->context == NULL)
    {
      gtk_editable_set_text (key_row, "");
      gtk_editable_set_text (new_row, "");
      gtk_editable_set_text (again_row, "");
      return;
    }

  new_text = gtk_editable_get_text (new_row);

  if (!cl_vault_check_passphrase (new_text, &weak))
    {
      show_error (self, weak->message);
      return;
    }

  if (g_strcmp0 (new_text, gtk_editable_get_text (again_row)) != 0)
    {
      show_error (self, _("The new passphrases do not match."));
      return;
    }

  key = cl_secret_new_from_string (gtk_editable_get_text (key_row));
  passphrase = cl_secret_new_from_string (new_text);
  gtk_editable_set_text (key_row, "");
  gtk_editable_set_text (new_row, "");
  gtk_editable_set_text (again_row, "");

  self->busy = TRUE;
  show_error (self, NULL);
  update_sensitivity (self);

  cl_context_recover_async (self->context, key, passphrase, self->cancellable,
                            recover_done_cb, g_object_ref (self));
}

static GtkWidget *
add_password_row (GtkWidget  *list,
                  const char *title)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_append (GTK_LIST_BOX (list), row);

  return row;
}

static void
recover_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ClUnlockPage *self = CL_UNLOCK_PAGE (widget);
  GtkWidget *dialog;
  GtkWidget *list;

  dialog = adw_message_dialog_new (cl_widget_get_window (GTK_WIDGET (self)),
                                   _("Open With the Recovery Key"),
                                   _("Type the recovery key you saved or printed when the "
                                     "vault was created, then choose a new passphrase."));

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data (G_OBJECT (dialog), "cl-key", add_password_row (list, _("Recovery key")));
  g_object_set_data (G_OBJECT (dialog), "cl-new", add_password_row (list, _("New passphrase")));
  g_object_set_data (G_OBJECT (dialog), "cl-again",
                     add_password_row (list, _("Repeat the new passphrase")));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "recover", _("_Open Vault"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "recover",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "recover");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (recover_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Object --------------------------------------------------------------------------- */

static void
demo_changed_cb (ClUnlockPage *self)
{
  gboolean demo = self->context != NULL && cl_context_get_demo (self->context);

  gtk_widget_set_visible (GTK_WIDGET (self->demo_label), demo);
  gtk_widget_set_visible (self->recover_button, !demo);
}

static void
cl_unlock_page_dispose (GObject *object)
{
  ClUnlockPage *self = (ClUnlockPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (self->context != NULL)
    g_clear_signal_handler (&self->demo_handler, self->context);
  g_clear_object (&self->context);

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_UNLOCK_PAGE);

  G_OBJECT_CLASS (cl_unlock_page_parent_class)->dispose (object);
}

static void
cl_unlock_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cl_unlock_page_parent_class)->map (widget);

  cl_unlock_page_reset (CL_UNLOCK_PAGE (widget));
}

static void
cl_unlock_page_class_init (ClUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_unlock_page_dispose;
  widget_class->map = cl_unlock_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, passphrase_entry);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, button_stack);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, demo_label);
  gtk_widget_class_bind_template_child (widget_class, ClUnlockPage, recover_button);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, unlock_button_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, unlock_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_changed_cb);

  gtk_widget_class_install_action (widget_class, "unlock.recover", NULL, recover_action);
}

static void
cl_unlock_page_init (ClUnlockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cl_password_set_tooltips (GTK_EDITABLE (self->passphrase_entry));

  self->cancellable = g_cancellable_new ();
  update_sensitivity (self);
}

/**
 * cl_unlock_page_set_context:
 *
 * The context to unlock.
 */
void
cl_unlock_page_set_context (ClUnlockPage *self,
                            ClContext    *context)
{
  g_return_if_fail (CL_IS_UNLOCK_PAGE (self));
  g_return_if_fail (CL_IS_CONTEXT (context));

  if (self->context != NULL)
    g_clear_signal_handler (&self->demo_handler, self->context);
  g_set_object (&self->context, context);
  self->demo_handler = g_signal_connect_object (context, "notify::demo",
                                                G_CALLBACK (demo_changed_cb), self,
                                                G_CONNECT_SWAPPED);
  demo_changed_cb (self);
}

/**
 * cl_unlock_page_reset:
 *
 * Empties the entry and focuses it (each time the page shows).
 */
void
cl_unlock_page_reset (ClUnlockPage *self)
{
  g_return_if_fail (CL_IS_UNLOCK_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_entry), "");
  self->by_keyboard = FALSE;
  if (self->retry_at <= g_get_monotonic_time () && !self->busy)
    show_error (self, NULL);
  update_sensitivity (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_entry));
}

/**
 * cl_unlock_page_unlock:
 *
 * What pressing Enter in the entry does: unlocks with @passphrase, off the main thread.
 */
void
cl_unlock_page_unlock (ClUnlockPage *self,
                       const char   *passphrase)
{
  g_autoptr(ClSecret) secret = NULL;

  g_return_if_fail (CL_IS_UNLOCK_PAGE (self));
  g_return_if_fail (passphrase != NULL);

  if (self->context == NULL || self->busy)
    return;

  secret = cl_secret_new_from_string (passphrase);
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_entry), "");

  self->busy = TRUE;
  show_error (self, NULL);
  update_sensitivity (self);

  cl_context_unlock_async (self->context, secret, self->cancellable,
                           unlock_done_cb, g_object_ref (self));
}

gboolean
cl_unlock_page_get_busy (ClUnlockPage *self)
{
  g_return_val_if_fail (CL_IS_UNLOCK_PAGE (self), FALSE);

  return self->busy;
}

/**
 * cl_unlock_page_get_error:
 *
 * Returns: (nullable): the error shown, if any
 */
const char *
cl_unlock_page_get_error (ClUnlockPage *self)
{
  g_return_val_if_fail (CL_IS_UNLOCK_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

/**
 * cl_unlock_page_get_by_keyboard:
 *
 * Returns: whether the last unlock since the page showed came from the keyboard
 */
gboolean
cl_unlock_page_get_by_keyboard (ClUnlockPage *self)
{
  g_return_val_if_fail (CL_IS_UNLOCK_PAGE (self), FALSE);

  return self->by_keyboard;
}
