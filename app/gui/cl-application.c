/* cl-application.c: the Caseload desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application owns the ClContext (vault, store, settings) and hands it to its window;
 * it also owns the lock monitor, whose reasons to lock (screen lock, suspend, session lock)
 * join Ctrl+L, the lock button and the idle clock in one place: app.lock.
 *
 * Every window of the process (the main window, New Referral, a record's dialog, a warning,
 * the preferences, …) gets two event controllers as it appears: Ctrl+L, and one that sees
 * every input event before any widget does and restarts the idle clock. The clock is the
 * person's, not a window's: typing in a dialog keeps the vault open, and after
 * auto-lock-seconds without input anywhere in the app it locks.
 */

#define G_LOG_DOMAIN "cl-application"

#include "config.h"

#include <glib/gi18n.h>

#include "caseload-resources.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-conflicts-window.h"
#include "cl-enroll-dialog.h"
#include "cl-gui-util.h"
#include "cl-lock-monitor.h"
#include "cl-window.h"

#define SCHEMA_ID "io.github.caseload.Caseload"
#define RESOURCE_PATH "/io/github/caseload/Caseload"

struct _ClApplication
{
  AdwApplication  parent_instance;

  char           *vault_dir;
  GSettings      *settings;
  ClContext      *context;
  ClLockMonitor  *lock_monitor;
  gint64          last_input;   /* monotonic, of the last input event in any window */
  guint           idle_id;
};

G_DEFINE_FINAL_TYPE (ClApplication, cl_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_VAULT_DIR,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * cl_gui_register_resources:
 *
 * Registers the gui's resources (compiled with --manual-register). Idempotent.
 */
void
cl_gui_register_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      cl_gui_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

static void
apply_color_scheme (ClApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
lock_requested_cb (ClApplication *self,
                   const char    *reason,
                   ClLockMonitor *monitor)
{
  cl_application_lock (self);
}

static void schedule_idle_check (ClApplication *self);

static void
locked_cb (ClApplication *self)
{
  GAction *lock = g_action_map_lookup_action (G_ACTION_MAP (self), "lock");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (lock), !cl_context_get_locked (self->context));

  /* The idle clock starts at unlock. */
  self->last_input = g_get_monotonic_time ();
  schedule_idle_check (self);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  ClApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing windows saves their pending edits. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
lock_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  cl_application_lock (CL_APPLICATION (user_data));
}

/* Idle lock ------------------------------------------------------------------------ */

static guint
idle_timeout_ms (ClApplication *self)
{
  return MAX (g_settings_get_uint (self->settings, "auto-lock-seconds"), 1) * 1000;
}

static gboolean idle_check_cb (gpointer data);

/* Checks again when the time without input would reach the timeout; not while locked. */
static void
schedule_idle_check (ClApplication *self)
{
  gint64 idle_ms = (g_get_monotonic_time () - self->last_input) / 1000;
  guint timeout_ms = idle_timeout_ms (self);

  g_clear_handle_id (&self->idle_id, g_source_remove);

  if (self->context == NULL || cl_context_get_locked (self->context))
    return;

  self->idle_id = g_timeout_add (idle_ms >= timeout_ms ? 0 : timeout_ms - idle_ms,
                                 idle_check_cb, self);
}

static gboolean
idle_check_cb (gpointer data)
{
  ClApplication *self = data;
  gint64 idle_ms = (g_get_monotonic_time () - self->last_input) / 1000;

  self->idle_id = 0;

  if (idle_ms >= idle_timeout_ms (self))
    {
      g_debug ("Idle for %" G_GINT64_FORMAT " ms: locking", idle_ms);
      cl_application_lock (self);
    }
  else
    schedule_idle_check (self);

  return G_SOURCE_REMOVE;
}

static gboolean
input_event_cb (GtkEventControllerLegacy *controller,
                GdkEvent                 *event,
                ClApplication            *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
    case GDK_KEY_PRESS:
    case GDK_KEY_RELEASE:
    case GDK_SCROLL:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_TOUCHPAD_SWIPE:
    case GDK_TOUCHPAD_PINCH:
      self->last_input = g_get_monotonic_time ();
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* Ctrl+L locks from every window. The application's accelerators reach only the windows it
 * holds, not the dialogs: each window of the process gets its own shortcut for the lock
 * (the main window then has two, and the first one locks). */
static gboolean
lock_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "lock", NULL);
  return TRUE;
}

static GtkEventController *
lock_shortcut_new (ClApplication *self)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (self),
                                                               "app.lock");
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_static_name (controller, "cl-lock-shortcut");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  for (guint j = 0; accels[j] != NULL; j++)
    {
      GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (accels[j]);
      GtkShortcutAction *lock = gtk_callback_action_new (lock_shortcut_cb, self, NULL);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (trigger, lock));
    }

  return controller;
}

static void
toplevels_changed_cb (ClApplication *self,
                      guint          position,
                      guint          removed,
                      guint          added,
                      GListModel    *toplevels)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      GtkEventController *activity = gtk_event_controller_legacy_new ();

      gtk_widget_add_controller (GTK_WIDGET (window), lock_shortcut_new (self));

      gtk_event_controller_set_static_name (activity, "cl-idle-clock");
      gtk_event_controller_set_propagation_phase (activity, GTK_PHASE_CAPTURE);
      g_signal_connect_object (activity, "event", G_CALLBACK (input_event_cb), self, 0);
      gtk_widget_add_controller (GTK_WIDGET (window), activity);
    }
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  ClApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CL_IS_WINDOW (window))
    cl_window_show_preferences (CL_WINDOW (window));
}

/* Sync ----------------------------------------------------------------------------- */

static void
enroll_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  ClApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (cl_context_get_sync (self->context) != NULL)
    gtk_window_present (GTK_WINDOW (cl_enroll_dialog_new (window, self->context)));
}

static void
sync_now_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  ClApplication *self = user_data;
  ClSync *sync = cl_context_get_sync (self->context);

  if (sync == NULL)
    return;

  /* Not connected yet: Sync Now is where a person finds how to connect. */
  if (!cl_sync_is_enrolled (sync))
    enroll_action (action, param, user_data);
  else if (g_error_matches (cl_context_get_sync_error (self->context),
                            CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH))
    cl_sync_ask_login (gtk_application_get_active_window (GTK_APPLICATION (self)),
                       self->context);
  else
    cl_context_sync_now (self->context);
}

static void
conflicts_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  ClApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (cl_context_get_sync (self->context) != NULL)
    gtk_window_present (GTK_WINDOW (cl_conflicts_window_new (window, self->context)));
}

typedef struct {
  ClApplication *app;
  char          *message;
} RevokedData;

/* After the lock (which closes every dialog), in front of the first run. */
static void
show_revoked_cb (gpointer user_data)
{
  RevokedData *data = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data->app));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (window, _("This Workstation Was Disconnected"),
                                   data->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));

  g_object_unref (data->app);
  g_free (data->message);
  g_free (data);
}

static void
sync_finished_cb (ClApplication *self,
                  const GError  *error,
                  ClContext     *context)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH))
    cl_sync_ask_login (window, context);
  else if (g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED))
    {
      /* The engine erased the vault; the context locks next and the window goes back to
       * the first run. The engine's message says why. */
      RevokedData *data = g_new0 (RevokedData, 1);

      data->app = g_object_ref (self);
      data->message = g_strdup (error->message);
      g_idle_add_once (show_revoked_cb, data);
      return;
    }

  /* The server or this vault went back to an earlier copy: rare, and the person may have
   * work to enter again, so it is said in a dialog, not a toast. No client data in it. */
  if (cl_context_get_sync_notice (context) != NULL && window != NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (window, _("Sync Recovered From a Restore"),
                                                  cl_context_get_sync_notice (context));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
sync_locked_cb (ClApplication *self)
{
  GAction *sync_now = g_action_map_lookup_action (G_ACTION_MAP (self), "sync-now");
  GAction *enroll = g_action_map_lookup_action (G_ACTION_MAP (self), "enroll");
  GAction *conflicts = g_action_map_lookup_action (G_ACTION_MAP (self), "conflicts");
  gboolean can = cl_context_get_sync (self->context) != NULL;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (sync_now), can);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (enroll), can);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (conflicts), can);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  ClApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Caseload contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "modal", TRUE,
                        "application-name", _("Caseload"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Caseload contributors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Case management for crime-victim advocates. "
                                      "Records stay encrypted on this computer."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "lock", lock_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "sync-now", sync_now_action },
  { "enroll", enroll_action },
  { "conflicts", conflicts_action },
};

static void
cl_application_startup (GApplication *application)
{
  ClApplication *self = CL_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *lock_accels[] = { "<Control>l", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *new_referral_accels[] = { "<Control>n", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *reports_accels[] = { "<Control><Alt>r", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };

  G_APPLICATION_CLASS (cl_application_parent_class)->startup (application);

  g_set_application_name (_("Caseload"));
  gtk_window_set_default_icon_name (APPLICATION_ID);
  cl_gui_set_language_font (gdk_display_get_default ());

  self->settings = g_settings_new (SCHEMA_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);

  if (self->vault_dir == NULL)
    {
      const char *env = g_getenv ("CASELOAD_VAULT_DIR");

      self->vault_dir = env != NULL && *env != '\0' ? g_strdup (env) : cl_vault_default_dir ();
    }

  self->context = cl_context_new (self->vault_dir, self->settings);
  g_signal_connect_object (self->settings, "changed::auto-lock-seconds",
                           G_CALLBACK (schedule_idle_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::locked", G_CALLBACK (locked_cb), self,
                           G_CONNECT_SWAPPED);

  self->lock_monitor = cl_lock_monitor_new ();
  g_signal_connect_object (self->lock_monitor, "lock-requested",
                           G_CALLBACK (lock_requested_cb), self, G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  locked_cb (self);
  g_signal_connect_object (self->context, "notify::locked", G_CALLBACK (sync_locked_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "sync-finished", G_CALLBACK (sync_finished_cb),
                           self, G_CONNECT_SWAPPED);
  sync_locked_cb (self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.lock", lock_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-referral",
                                         new_referral_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-reports",
                                         reports_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.sync-now", sync_accels);

  g_signal_connect_object (gtk_window_get_toplevels (), "items-changed",
                           G_CALLBACK (toplevels_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
cl_application_activate (GApplication *application)
{
  ClApplication *self = CL_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (cl_window_new (ADW_APPLICATION (self), self->context));

  gtk_window_present (window);
}

static void
cl_application_shutdown (GApplication *application)
{
  ClApplication *self = CL_APPLICATION (application);

  /* A demo is kept: the next start opens it again, until the advocate leaves it. */
  if (self->context != NULL)
    cl_context_lock (self->context);

  g_clear_object (&self->lock_monitor);
  g_clear_handle_id (&self->idle_id, g_source_remove);

  G_APPLICATION_CLASS (cl_application_parent_class)->shutdown (application);
}

static int
cl_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  ClApplication *self = CL_APPLICATION (application);
  g_autofree char *vault = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "caseload", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "vault", "^ay", &vault))
    {
      g_free (self->vault_dir);
      self->vault_dir = g_steal_pointer (&vault);
    }

  return -1;
}

static void
cl_application_dispose (GObject *object)
{
  ClApplication *self = (ClApplication *)object;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_object (&self->lock_monitor);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cl_application_parent_class)->dispose (object);
}

static void
cl_application_finalize (GObject *object)
{
  ClApplication *self = (ClApplication *)object;

  g_clear_pointer (&self->vault_dir, g_free);

  G_OBJECT_CLASS (cl_application_parent_class)->finalize (object);
}

static void
cl_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ClApplication *self = CL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_VAULT_DIR:
      g_value_set_string (value, self->vault_dir);
      break;

    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ClApplication *self = CL_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_VAULT_DIR:
      if (g_strcmp0 (self->vault_dir, g_value_get_string (value)) != 0)
        {
          g_free (self->vault_dir);
          self->vault_dir = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_application_class_init (ClApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cl_application_dispose;
  object_class->finalize = cl_application_finalize;
  object_class->get_property = cl_application_get_property;
  object_class->set_property = cl_application_set_property;

  app_class->startup = cl_application_startup;
  app_class->activate = cl_application_activate;
  app_class->shutdown = cl_application_shutdown;
  app_class->handle_local_options = cl_application_handle_local_options;

  /**
   * ClApplication:vault-dir:
   *
   * The advocate's vault. Set before startup; otherwise $CASELOAD_VAULT_DIR or the default.
   */
  properties[PROP_VAULT_DIR] =
    g_param_spec_string ("vault-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CL_TYPE_CONTEXT,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  cl_gui_register_resources ();
}

static void
cl_application_init (ClApplication *self)
{
  static const GOptionEntry options[] = {
    { "vault", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Open the vault in DIR"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
}

/**
 * cl_application_new:
 *
 * Returns: (transfer full): the application
 */
ClApplication *
cl_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  return g_object_new (CL_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

/**
 * cl_application_get_context:
 *
 * Returns: (transfer none) (nullable): the context, once the application started up
 */
ClContext *
cl_application_get_context (ClApplication *self)
{
  g_return_val_if_fail (CL_IS_APPLICATION (self), NULL);

  return self->context;
}

/**
 * cl_application_lock:
 *
 * Locks the vault: every window saves pending edits and forgets what it showed.
 */
void
cl_application_lock (ClApplication *self)
{
  g_return_if_fail (CL_IS_APPLICATION (self));

  if (self->context != NULL)
    cl_context_lock (self->context);
}

ClLockMonitor *
_cl_application_get_lock_monitor (ClApplication *self)
{
  g_return_val_if_fail (CL_IS_APPLICATION (self), NULL);

  return self->lock_monitor;
}
