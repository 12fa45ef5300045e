/* cl-preferences-window.c: auto-lock, default command, appearance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

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

  GSettings            *settings;
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
cl_preferences_window_dispose (GObject *object)
{
  ClPreferencesWindow *self = (ClPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->command_codes);

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
  gtk_widget_class_bind_template_callback (widget_class, auto_lock_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, command_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, style_selected_cb);
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

  self->loading--;

  return self;
}
