/* cl-enroll-dialog.c: connect this workstation to the organization's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The address (https:// only: plain http is refused here, before anything is sent, and
 * again by the engine), the organization's CA certificate (chosen with a portal-friendly
 * GtkFileChooserNative), the advocate's username and password. cl_sync_enroll() runs in a
 * GTask worker while a spinner turns; its error is shown under the form. On success the
 * context is told and a first round starts.
 *
 * On a vault already enrolled the dialog changes the server instead (Preferences, "Server",
 * Change…): the new address and, optionally, a new CA certificate; cl_sync_set_server()
 * keeps the vault, its enrollment and its outbox, and changes nothing unless the server
 * there answers with that trust and knows this workstation.
 *
 * cl_sync_ask_login() is the other way in: the token expired, so the password is asked
 * again (cl_sync_login(), same device, nothing lost).
 */

#define G_LOG_DOMAIN "cl-enroll-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-enroll-dialog.h"
#include "cl-gui-util.h"
#include "cl-workstation.h"

struct _ClEnrollDialog
{
  AdwWindow             parent_instance;

  GtkWidget            *enroll_button;
  GtkSpinner           *spinner;
  AdwEntryRow          *url_row;
  AdwActionRow         *ca_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkLabel             *intro_label;
  GtkLabel             *error_label;

  ClContext            *context;
  char                 *ca_file;
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  gboolean              busy;
  gboolean              moving;    /* enrolled already: the server changes */
};

G_DEFINE_FINAL_TYPE (ClEnrollDialog, cl_enroll_dialog, ADW_TYPE_WINDOW)

typedef struct {
  ClSync   *sync;
  char     *url;
  char     *ca_file;    /* (nullable) when moving: keep the enrolled CA */
  char     *username;   /* %NULL when moving */
  ClSecret *password;
} EnrollData;

static void
enroll_data_free (EnrollData *data)
{
  g_clear_object (&data->sync);
  g_free (data->url);
  g_free (data->ca_file);
  g_free (data->username);
  g_clear_pointer (&data->password, cl_secret_free);
  g_free (data);
}

static void
show_error (ClEnrollDialog *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (ClEnrollDialog *self,
          gboolean        busy)
{
  self->busy = busy;
  /* The focus leaves first, so an entry sees a focus-out before it turns insensitive. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enroll.enroll", !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ca_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
}

static void
enroll_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EnrollData *data = task_data;
  GError *error = NULL;

  if (data->username == NULL
      ? cl_sync_set_server (data->sync, data->url, data->ca_file, cancellable, &error)
      : cl_sync_enroll (data->sync, data->url, data->ca_file, data->username, data->password,
                        cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
enroll_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ClEnrollDialog *self = CL_ENROLL_DIALOG (object);
  g_autoptr(GError) error = NULL;

  set_busy (self, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }

  if (self->context != NULL)
    {
      cl_context_sync_changed (self->context);
      cl_context_sync_now (self->context);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * cl_enroll_dialog_enroll:
 *
 * What Connect does: checks the form, then enrolls in a worker.
 */
void
cl_enroll_dialog_enroll (ClEnrollDialog *self)
{
  g_autoptr(GTask) task = NULL;
  const char *url;
  const char *username;
  const char *password;
  EnrollData *data;
  ClSync *sync;

  g_return_if_fail (CL_IS_ENROLL_DIALOG (self));

  if (self->busy)
    return;

  url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    {
      show_error (self, _("The address must start with https://. Caseload does not send "
                          "client data or passwords over an unencrypted connection (http://)."));
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return;
    }
  if (g_ascii_strncasecmp (url, "https://", 8) != 0 || url[8] == '\0')
    {
      show_error (self, _("Enter the server’s address, starting with https://."));
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return;
    }
  if (self->ca_file == NULL && !self->moving)
    {
      show_error (self, _("Choose the organization’s certificate file your administrator "
                          "gave you."));
      return;
    }
  if (!self->moving && (*username == '\0' || *password == '\0'))
    {
      show_error (self, _("Enter your username and password."));
      return;
    }

  sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;
  if (sync == NULL)
    {
      show_error (self, _("Unlock your vault first."));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);

  data = g_new0 (EnrollData, 1);
  data->sync = g_object_ref (sync);
  data->url = g_strstrip (g_strdup (url));
  data->ca_file = g_strdup (self->ca_file);
  if (!self->moving)
    {
      data->username = g_strstrip (g_strdup (username));
      data->password = cl_secret_new_from_string (password);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, enroll_done_cb, NULL);
  g_task_set_source_tag (task, cl_enroll_dialog_enroll);
  g_task_set_task_data (task, data, (GDestroyNotify) enroll_data_free);
  g_task_run_in_thread (task, enroll_thread);
}

static void
enroll_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cl_enroll_dialog_enroll (CL_ENROLL_DIALOG (widget));
}

static void
password_activated_cb (ClEnrollDialog *self)
{
  cl_enroll_dialog_enroll (self);
}

static void
set_ca_file (ClEnrollDialog *self,
             const char     *path)
{
  g_autofree char *name = NULL;

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
  if (path != NULL)
    name = g_filename_display_basename (path);
  adw_action_row_set_subtitle (self->ca_row,
                               name != NULL ? name
                               : self->moving ? _("The current certificate stays")
                               : _("No file chosen"));
}

static void
chooser_response_cb (ClEnrollDialog       *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_ca_file (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_ca_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ClEnrollDialog *self = CL_ENROLL_DIALOG (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose the Organization’s Certificate"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cl_enroll_dialog_dispose (GObject *object)
{
  ClEnrollDialog *self = (ClEnrollDialog *)object;

  /* A focused entry gives the focus up before the window goes: GTK 4.8 warns of a text
   * that saw no focus-out otherwise. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_ENROLL_DIALOG);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (cl_enroll_dialog_parent_class)->dispose (object);
}

static void
cl_enroll_dialog_finalize (GObject *object)
{
  ClEnrollDialog *self = (ClEnrollDialog *)object;

  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (cl_enroll_dialog_parent_class)->finalize (object);
}

static void
cl_enroll_dialog_class_init (ClEnrollDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_enroll_dialog_dispose;
  object_class->finalize = cl_enroll_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-enroll-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, ca_row);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, intro_label);
  gtk_widget_class_bind_template_child (widget_class, ClEnrollDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, password_activated_cb);

  gtk_widget_class_install_action (widget_class, "enroll.enroll", NULL, enroll_action);
  gtk_widget_class_install_action (widget_class, "enroll.choose-ca", NULL, choose_ca_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cl_enroll_dialog_init (ClEnrollDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cl_password_set_tooltips (GTK_EDITABLE (self->password_row));
}

/* What IT set for this workstation (cl-workstation.c): prefilled, and fixed when locked,
 * so that an advocate types only a username and password. A default that cannot serve is
 * said under the form at once. @url: whether the address may be filled in. */
static void
use_workstation_defaults (ClEnrollDialog *self,
                          gboolean        url)
{
  g_auto(ClWorkstation) ws = { 0 };
  g_autoptr(GError) error = NULL;

  cl_workstation_load (&ws);
  if (ws.server_url != NULL && (url || ws.server_locked))
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), ws.server_url);
  gtk_editable_set_editable (GTK_EDITABLE (self->url_row),
                             !(ws.server_locked && ws.server_url != NULL));
  if (ws.ca_file != NULL)
    set_ca_file (self, ws.ca_file);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enroll.choose-ca",
                                 !(ws.ca_locked && ws.ca_file != NULL));
  /* Both there: the advocate starts with the username. */
  if (ws.ca_file != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->url_row)) != '\0')
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->username_row));
  if (!cl_workstation_check (&ws, &error))
    show_error (self, error->message);
}

/**
 * cl_enroll_dialog_new:
 *
 * Returns: (transfer none): a new dialog, transient for @parent (present it)
 */
ClEnrollDialog *
cl_enroll_dialog_new (GtkWindow *parent,
                      ClContext *context)
{
  ClEnrollDialog *self;

  g_return_val_if_fail (CL_IS_CONTEXT (context), NULL);

  self = g_object_new (CL_TYPE_ENROLL_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->context = g_object_ref (context);

  {
    ClSync *sync = cl_context_get_sync (context);
    g_auto(ClSyncStatus) status = { 0 };

    if (sync != NULL && cl_sync_get_status (sync, &status, NULL))
      {
        if (status.server != NULL)
          gtk_editable_set_text (GTK_EDITABLE (self->url_row), status.server);
        if (status.username != NULL)
          gtk_editable_set_text (GTK_EDITABLE (self->username_row), status.username);
      }
    self->moving = sync != NULL && cl_sync_is_enrolled (sync);
    if (!self->moving)
      use_workstation_defaults (self, status.server == NULL);
  }
  if (self->moving)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Change Server"));
      gtk_label_set_text (self->intro_label,
                          _("This vault, its work and its connection move to the new address. "
                            "Choose a certificate file only if your administrator gave you a "
                            "new one. Nothing changes unless the server there recognizes this "
                            "workstation."));
      gtk_widget_set_visible (GTK_WIDGET (self->username_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->password_row), FALSE);
      set_ca_file (self, NULL);
    }
  /* The keyboard starts in the first field to fill, never on Cancel (where Enter or a
   * space would cancel). */
  if (gtk_window_get_focus (GTK_WINDOW (self)) == NULL)
    gtk_window_set_focus (GTK_WINDOW (self),
                          gtk_editable_get_editable (GTK_EDITABLE (self->url_row))
                            ? GTK_WIDGET (self->url_row) : GTK_WIDGET (self->username_row));

  return self;
}

/* For tests, and for the first run: fill the form as a person would. */
void
cl_enroll_dialog_set_fields (ClEnrollDialog *self,
                             const char     *url,
                             const char     *ca_file,
                             const char     *username,
                             const char     *password)
{
  g_return_if_fail (CL_IS_ENROLL_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url != NULL ? url : "");
  set_ca_file (self, ca_file);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username != NULL ? username : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

/**
 * cl_enroll_dialog_get_ca_file:
 *
 * Returns: (nullable): the CA certificate file enrollment would use
 */
const char *
cl_enroll_dialog_get_ca_file (ClEnrollDialog *self)
{
  g_return_val_if_fail (CL_IS_ENROLL_DIALOG (self), NULL);

  return self->ca_file;
}

/**
 * cl_enroll_dialog_get_url_row:
 *
 * Returns: (transfer none): the server address row
 */
GtkEditable *
cl_enroll_dialog_get_url_row (ClEnrollDialog *self)
{
  g_return_val_if_fail (CL_IS_ENROLL_DIALOG (self), NULL);

  return GTK_EDITABLE (self->url_row);
}

/**
 * cl_enroll_dialog_get_error:
 *
 * Returns: (nullable): the error shown under the form, or %NULL
 */
const char *
cl_enroll_dialog_get_error (ClEnrollDialog *self)
{
  g_return_val_if_fail (CL_IS_ENROLL_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
cl_enroll_dialog_get_busy (ClEnrollDialog *self)
{
  g_return_val_if_fail (CL_IS_ENROLL_DIALOG (self), FALSE);

  return self->busy;
}

/* Logging in again ------------------------------------------------------------------- */

typedef struct {
  ClContext *context;
  ClSync    *sync;
  ClSecret  *password;
  ClSecret  *new_password;   /* (nullable): after an administrator's reset */
  GtkWindow *parent;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_object (&data->context);
  g_clear_object (&data->sync);
  g_clear_pointer (&data->password, cl_secret_free);
  g_clear_pointer (&data->new_password, cl_secret_free);
  g_clear_weak_pointer (&data->parent);
  g_free (data);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *data = task_data;
  GError *error = NULL;

  cl_sync_set_new_password (data->sync, data->new_password);
  if (cl_sync_login (data->sync, data->password, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void ask_login (GtkWindow  *parent,
                       ClContext  *context,
                       gboolean    change,
                       const char *problem);

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LoginData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (cl_context_get_sync (data->context) != data->sync)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A reset password, or a new one the server did not take: ask for one. */
      if (g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PASSWORD_CHANGE) ||
          data->new_password != NULL)
        ask_login (data->parent, data->context, TRUE,
                   data->new_password != NULL ? error->message : NULL);
      else
        ask_login (data->parent, data->context, FALSE, error->message);
      return;
    }

  cl_context_sync_changed (data->context);
  cl_context_sync_now (data->context);
}

static void
login_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   ClContext        *context)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "cl-password");
  GtkEditable *new_entry = g_object_get_data (G_OBJECT (dialog), "cl-new-password");
  GtkEditable *repeat_entry = g_object_get_data (G_OBJECT (dialog), "cl-repeat-password");
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  g_autoptr(GTask) task = NULL;
  LoginData *data;
  ClSync *sync = cl_context_get_sync (context);

  /* The password entries give up the focus while they are alive: GTK 4.8's password entry
   * watches its window's focus, and a window destroyed with one focused calls it on a freed
   * entry (as on the unlock page). */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  if (g_strcmp0 (response, "login") != 0 || sync == NULL)
    return;

  if (new_entry != NULL &&
      g_strcmp0 (gtk_editable_get_text (new_entry), gtk_editable_get_text (repeat_entry)) != 0)
    {
      gtk_editable_set_text (entry, "");
      gtk_editable_set_text (new_entry, "");
      gtk_editable_set_text (repeat_entry, "");
      ask_login (parent, context, TRUE, _("The new passwords do not match. Type them again."));
      return;
    }

  data = g_new0 (LoginData, 1);
  data->context = g_object_ref (context);
  data->sync = g_object_ref (sync);
  data->password = cl_secret_new_from_string (gtk_editable_get_text (entry));
  if (new_entry != NULL)
    {
      data->new_password = cl_secret_new_from_string (gtk_editable_get_text (new_entry));
      gtk_editable_set_text (new_entry, "");
      gtk_editable_set_text (repeat_entry, "");
    }
  g_set_weak_pointer (&data->parent, parent);
  gtk_editable_set_text (entry, "");

  task = g_task_new (NULL, NULL, login_done_cb, NULL);
  g_task_set_source_tag (task, cl_sync_ask_login);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, login_thread);
}

static void
login_entry_activate_cb (GtkWidget        *entry,
                         AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, "login");
  gtk_window_close (GTK_WINDOW (dialog));
}

static GtkWidget *
password_entry (const char *label)
{
  GtkWidget *entry = gtk_password_entry_new ();

  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  cl_password_set_tooltips (GTK_EDITABLE (entry));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set (entry, "placeholder-text", label, NULL);
  return entry;
}

/* @change: the password was reset by an administrator (or the new one was refused): the
 * dialog asks for it and for a new one, twice. */
static void
ask_login (GtkWindow  *parent,
           ClContext  *context,
           gboolean    change,
           const char *problem)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  g_auto(ClSyncStatus) status = { 0 };
  g_autofree char *body = NULL;
  ClSync *sync = cl_context_get_sync (context);

  if (sync == NULL || !cl_sync_get_status (sync, &status, NULL))
    return;

  if (problem != NULL)
    body = g_strdup (problem);
  else if (change)
    body = g_strdup (_("An administrator reset your server password. Enter the password you "
                       "were given, then choose a new one of at least 12 characters; nothing "
                       "on this workstation was lost."));
  else
    /* Translators: %s is the advocate's username on the server */
    body = g_strdup_printf (_("Your session with the server ended. Enter the password of %s "
                              "to keep syncing; nothing on this workstation was lost."),
                            status.username != NULL ? status.username : "");

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, change ? _("Choose a New Password")
                                                               : _("Sign In Again"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Later"),
                                    "login", _("_Sign In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "login", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "login");
  adw_message_dialog_set_close_response (dialog, "cancel");

  entry = password_entry (_("Password"));
  g_object_set_data (G_OBJECT (dialog), "cl-password", entry);
  if (change)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *new_entry = password_entry (_("New password"));
      GtkWidget *repeat_entry = password_entry (_("Repeat the new password"));

      gtk_box_append (GTK_BOX (box), entry);
      gtk_box_append (GTK_BOX (box), new_entry);
      gtk_box_append (GTK_BOX (box), repeat_entry);
      /* Enter moves on to the next field; on the last it signs in. */
      g_signal_connect_swapped (entry, "activate", G_CALLBACK (gtk_widget_grab_focus), new_entry);
      g_signal_connect_swapped (new_entry, "activate", G_CALLBACK (gtk_widget_grab_focus),
                                repeat_entry);
      g_signal_connect (repeat_entry, "activate", G_CALLBACK (login_entry_activate_cb), dialog);
      g_object_set_data (G_OBJECT (dialog), "cl-new-password", new_entry);
      g_object_set_data (G_OBJECT (dialog), "cl-repeat-password", repeat_entry);
      adw_message_dialog_set_extra_child (dialog, box);
    }
  else
    {
      g_signal_connect (entry, "activate", G_CALLBACK (login_entry_activate_cb), dialog);
      adw_message_dialog_set_extra_child (dialog, entry);
    }

  g_signal_connect_object (dialog, "response", G_CALLBACK (login_response_cb), context, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/**
 * cl_sync_ask_login:
 *
 * The server's token expired (CL_SYNC_ERROR_AUTH): asks for the password again and logs
 * in with cl_sync_login() in a worker, then syncs. Asks again if the password was wrong.
 */
void
cl_sync_ask_login (GtkWindow *parent,
                   ClContext *context)
{
  g_return_if_fail (CL_IS_CONTEXT (context));

  ask_login (parent, context, FALSE, NULL);
}

/**
 * cl_sync_ask_new_password:
 *
 * An administrator reset the server password (CL_SYNC_ERROR_PASSWORD_CHANGE): asks for it
 * and for a new one, twice, and signs in with both, then syncs.
 */
void
cl_sync_ask_new_password (GtkWindow *parent,
                          ClContext *context)
{
  g_return_if_fail (CL_IS_CONTEXT (context));

  ask_login (parent, context, TRUE, NULL);
}
