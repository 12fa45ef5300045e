/* cl-preferences-window.c: auto-lock, default command, server, appearance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-a11y.h"
#include "cl-enroll-dialog.h"
#include "cl-gui-util.h"
#include "cl-window.h"

#include "cl-preferences-window.h"

static const guint auto_lock_minutes[] = { 1, 2, 5, 10, 15, 30, 60 };
static const char * const styles[] = { "default", "light", "dark" };

struct _ClPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *auto_lock_row;
  GtkStringList        *auto_lock_list;
  AdwComboRow          *command_row;
  AdwComboRow          *style_row;
  GtkWidget            *server_group;
  AdwActionRow         *server_row;
  GtkWidget            *enroll_button;
  GtkWidget            *sync_button;

  GSettings            *settings;
  ClContext            *context;
  GtkStringList        *command_codes;
  guint                 loading;
};

G_DEFINE_FINAL_TYPE (ClPreferencesWindow, cl_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
auto_lock_selected_cb (ClPreferencesWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->auto_lock_row);

  if (self->loading > 0 || self->settings == NULL || pos >= G_N_ELEMENTS (auto_lock_minutes))
    return;

  g_settings_set_uint (self->settings, "auto-lock-seconds", auto_lock_minutes[pos] * 60);
}

static void
command_selected_cb (ClPreferencesWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->command_row);
  const char *code = "";

  if (self->loading > 0 || self->settings == NULL || self->command_codes == NULL)
    return;

  if (pos > 0 && pos != GTK_INVALID_LIST_POSITION)
    code = gtk_string_list_get_string (self->command_codes, pos - 1);

  g_settings_set_string (self->settings, "default-command", code);
}

static void
style_selected_cb (ClPreferencesWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->style_row);

  if (self->loading > 0 || self->settings == NULL || pos >= G_N_ELEMENTS (styles))
    return;

  g_settings_set_string (self->settings, "color-scheme", styles[pos]);
}

static void
server_changed_cb (ClPreferencesWindow *self)
{
  ClSync *sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;
  g_auto(ClSyncStatus) status = { 0 };
  g_autofree char *subtitle = NULL;
  const GError *error;

  /* Locked or the demo: nothing to connect. */
  gtk_widget_set_visible (self->server_group, sync != NULL);
  if (sync == NULL || !cl_sync_get_status (sync, &status, NULL))
    return;

  error = cl_context_get_sync_error (self->context);
  if (!cl_sync_is_enrolled (sync))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->server_row), _("Not Connected"));
      adw_action_row_set_subtitle (self->server_row,
                                   _("Connect to send your work to your organization"));
    }
  else
    {
      g_autofree char *when = status.last_success != NULL
                              ? cl_format_relative (status.last_success) : NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->server_row), status.server);
      if (cl_context_get_syncing (self->context))
        subtitle = g_strdup (_("Syncing…"));
      else if (error != NULL)
        /* Translators: %s is why the last sync failed */
        subtitle = g_strdup_printf (_("Last sync failed: %s"), error->message);
      else if (when != NULL)
        /* Translators: %s is when, e.g. "5 minutes ago" */
        subtitle = g_strdup_printf (_("Up to date as of %s"), when);
      else
        subtitle = g_strdup (_("Not synced yet"));
      adw_action_row_set_subtitle (self->server_row, subtitle);
    }
  gtk_button_set_label (GTK_BUTTON (self->enroll_button),
                        cl_sync_is_enrolled (sync) ? _("_Change…") : _("_Connect…"));
  gtk_widget_set_visible (self->sync_button, cl_sync_is_enrolled (sync));
}

/* The preferences window is no application window: app.* actions do not reach it. */
static void
enroll_clicked_cb (ClPreferencesWindow *self)
{
  if (self->context != NULL && cl_context_get_sync (self->context) != NULL)
    gtk_window_present (GTK_WINDOW (cl_enroll_dialog_new (GTK_WINDOW (self), self->context)));
}

static void
sync_clicked_cb (ClPreferencesWindow *self)
{
  if (self->context == NULL)
    return;
  if (g_error_matches (cl_context_get_sync_error (self->context), CL_SYNC_ERROR,
                       CL_SYNC_ERROR_AUTH))
    cl_sync_ask_login (GTK_WINDOW (self), self->context);
  else
    cl_context_sync_now (self->context);
}

static void
cl_preferences_window_dispose (GObject *object)
{
  ClPreferencesWindow *self = (ClPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->command_codes);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (cl_preferences_window_parent_class)->dispose (object);
}

static void
cl_preferences_window_class_init (ClPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, auto_lock_row);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, auto_lock_list);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, command_row);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, server_group);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, ClPreferencesWindow, sync_button);
  gtk_widget_class_bind_template_callback (widget_class, auto_lock_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, command_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, style_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, enroll_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
}

static void
cl_preferences_window_init (ClPreferencesWindow *self)
{
  self->loading++;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (auto_lock_minutes); i++)
    {
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u minute", "%u minutes",
                                                             auto_lock_minutes[i]),
                                                auto_lock_minutes[i]);
      gtk_string_list_append (self->auto_lock_list, label);
    }
  cl_a11y_name_mnemonic_buttons (GTK_WIDGET (self));
  self->loading--;
}

/**
 * cl_preferences_window_new:
 * @command_codes: (nullable): the known commands, or %NULL while locked
 * @command_labels: (nullable): their names
 *
 * Returns: (transfer none): a new preferences window, transient for @parent
 */
ClPreferencesWindow *
cl_preferences_window_new (GtkWindow     *parent,
                           GSettings     *settings,
                           GtkStringList *command_codes,
                           GtkStringList *command_labels)
{
  ClPreferencesWindow *self;
  g_autofree char *command = NULL;
  g_autofree char *style = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint seconds;
  guint best = 0;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CL_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->settings = g_object_ref (settings);
  self->loading++;

  /* The nearest offered delay to the one set. */
  seconds = g_settings_get_uint (settings, "auto-lock-seconds");
  for (guint i = 0; i < G_N_ELEMENTS (auto_lock_minutes); i++)
    if (ABS ((int) auto_lock_minutes[i] * 60 - (int) seconds) <
        ABS ((int) auto_lock_minutes[best] * 60 - (int) seconds))
      best = i;
  adw_combo_row_set_selected (self->auto_lock_row, best);

  command = g_settings_get_string (settings, "default-command");
  gtk_string_list_append (labels, _("Any command"));
  if (command_codes != NULL && command_labels != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (command_codes));
      guint selected = 0;

      self->command_codes = g_object_ref (command_codes);
      for (guint i = 0; i < n; i++)
        {
          gtk_string_list_append (labels, gtk_string_list_get_string (command_labels, i));
          if (g_strcmp0 (gtk_string_list_get_string (command_codes, i), command) == 0)
            selected = i + 1;
        }
      adw_combo_row_set_model (self->command_row, G_LIST_MODEL (labels));
      adw_combo_row_set_selected (self->command_row, selected);
    }
  else
    {
      adw_combo_row_set_model (self->command_row, G_LIST_MODEL (labels));
      gtk_widget_set_sensitive (GTK_WIDGET (self->command_row), FALSE);
    }

  style = g_settings_get_string (settings, "color-scheme");
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_strcmp0 (styles[i], style) == 0)
      adw_combo_row_set_selected (self->style_row, i);

  /* The server settings belong to the open vault: its window knows the context. */
  if (CL_IS_WINDOW (parent))
    {
      self->context = g_object_ref (cl_window_get_context (CL_WINDOW (parent)));
      g_signal_connect_object (self->context, "sync-changed",
                               G_CALLBACK (server_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->context, "notify::syncing",
                               G_CALLBACK (server_changed_cb), self, G_CONNECT_SWAPPED);
    }
  server_changed_cb (self);

  self->loading--;

  return self;
}
