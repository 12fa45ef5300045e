/* cl-lock-monitor.c: the desktop's reasons to lock the vault (screen lock, suspend, …)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md §4: the vault locks when the desktop's screen locks (org.gnome.ScreenSaver and
 * org.freedesktop.ScreenSaver ActiveChanged on the session bus), before the machine
 * suspends (logind's PrepareForSleep on the system bus) and when logind asks the session to
 * lock (Session.Lock). Each of these emits ::lock-requested; the application locks.
 *
 * Any process on the session bus can send ActiveChanged. That is fine: the worst it can do
 * is lock the vault. A bus that is missing (no system bus in a container) is skipped.
 */

#define G_LOG_DOMAIN "cl-lock-monitor"

#include "config.h"

#include <unistd.h>

#include "cl-lock-monitor.h"

#define LOGIND_NAME "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define LOGIND_SESSION "org.freedesktop.login1.Session"

struct _ClLockMonitor
{
  GObject          parent_instance;

  GCancellable    *cancellable;
  GDBusConnection *session_bus;
  GDBusConnection *system_bus;
  guint            gnome_screensaver_id;
  guint            fdo_screensaver_id;
  guint            prepare_for_sleep_id;
  guint            session_lock_id;
};

G_DEFINE_FINAL_TYPE (ClLockMonitor, cl_lock_monitor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_WATCHING_SESSION,
  PROP_WATCHING_SYSTEM,
  N_PROPS
};

enum {
  LOCK_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
request_lock (ClLockMonitor *self,
              const char    *reason)
{
  g_debug ("Lock requested: %s", reason);
  g_signal_emit (self, signals[LOCK_REQUESTED], 0, reason);
}

static void
active_changed_cb (GDBusConnection *connection,
                   const char      *sender_name,
                   const char      *object_path,
                   const char      *interface_name,
                   const char      *signal_name,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  ClLockMonitor *self = user_data;
  gboolean active = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &active);
  if (active)
    request_lock (self, "screensaver");
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  ClLockMonitor *self = user_data;
  gboolean start = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &start);
  if (start)
    request_lock (self, "suspend");
}

static void
session_lock_cb (GDBusConnection *connection,
                 const char      *sender_name,
                 const char      *object_path,
                 const char      *interface_name,
                 const char      *signal_name,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  request_lock (user_data, "session-lock");
}

static void
unsubscribe (GDBusConnection *bus,
             guint           *id)
{
  if (*id != 0)
    g_dbus_connection_signal_unsubscribe (bus, *id);
  *id = 0;
}

static void
watch_session_lock (ClLockMonitor *self,
                    const char    *session_path)
{
  unsubscribe (self->system_bus, &self->session_lock_id);

  /* Without our session's path (no logind, or it does not know us), any session's Lock
   * locks: locking too often is safe, missing a lock is not. */
  self->session_lock_id =
    g_dbus_connection_signal_subscribe (self->system_bus,
                                        LOGIND_NAME, LOGIND_SESSION, "Lock",
                                        session_path, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        session_lock_cb, self, NULL);
}

static void
get_session_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClLockMonitor) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->system_bus == NULL)
    return;

  if (reply != NULL)
    {
      g_variant_get (reply, "(&o)", &path);
      watch_session_lock (self, path);
    }
  else
    g_debug ("Could not find our logind session: %s", error->message);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClLockMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus;
  const char *session_id;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, suspend and session locks are not watched: %s",
                 error->message);
      return;
    }

  self->system_bus = bus;

  self->prepare_for_sleep_id =
    g_dbus_connection_signal_subscribe (bus,
                                        LOGIND_NAME, LOGIND_MANAGER, "PrepareForSleep",
                                        LOGIND_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
  watch_session_lock (self, NULL);

  session_id = g_getenv ("XDG_SESSION_ID");
  if (session_id != NULL && *session_id != '\0')
    g_dbus_connection_call (bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
                            "GetSession", g_variant_new ("(s)", session_id),
                            G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                            self->cancellable, get_session_cb, g_object_ref (self));
  else
    g_dbus_connection_call (bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
                            "GetSessionByPID", g_variant_new ("(u)", (guint32) getpid ()),
                            G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                            self->cancellable, get_session_cb, g_object_ref (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING_SYSTEM]);
}

static void
session_bus_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClLockMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No session bus, the screen lock is not watched: %s", error->message);
      return;
    }

  self->session_bus = bus;

  /* Any sender: gnome-shell, a screensaver daemon, … */
  self->gnome_screensaver_id =
    g_dbus_connection_signal_subscribe (bus,
                                        NULL, "org.gnome.ScreenSaver", "ActiveChanged",
                                        NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        active_changed_cb, self, NULL);
  self->fdo_screensaver_id =
    g_dbus_connection_signal_subscribe (bus,
                                        NULL, "org.freedesktop.ScreenSaver", "ActiveChanged",
                                        NULL, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        active_changed_cb, self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WATCHING_SESSION]);
}

static void
cl_lock_monitor_dispose (GObject *object)
{
  ClLockMonitor *self = (ClLockMonitor *)object;

  g_cancellable_cancel (self->cancellable);

  if (self->session_bus != NULL)
    {
      unsubscribe (self->session_bus, &self->gnome_screensaver_id);
      unsubscribe (self->session_bus, &self->fdo_screensaver_id);
    }

  if (self->system_bus != NULL)
    {
      unsubscribe (self->system_bus, &self->prepare_for_sleep_id);
      unsubscribe (self->system_bus, &self->session_lock_id);
    }

  g_clear_object (&self->session_bus);
  g_clear_object (&self->system_bus);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cl_lock_monitor_parent_class)->dispose (object);
}

static void
cl_lock_monitor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClLockMonitor *self = CL_LOCK_MONITOR (object);

  switch (prop_id)
    {
    case PROP_WATCHING_SESSION:
      g_value_set_boolean (value, cl_lock_monitor_get_watching_session (self));
      break;

    case PROP_WATCHING_SYSTEM:
      g_value_set_boolean (value, cl_lock_monitor_get_watching_system (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_lock_monitor_class_init (ClLockMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_lock_monitor_dispose;
  object_class->get_property = cl_lock_monitor_get_property;

  properties[PROP_WATCHING_SESSION] =
    g_param_spec_boolean ("watching-session", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_WATCHING_SYSTEM] =
    g_param_spec_boolean ("watching-system", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClLockMonitor::lock-requested:
   * @reason: "screensaver", "suspend" or "session-lock"
   */
  signals[LOCK_REQUESTED] =
    g_signal_new ("lock-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cl_lock_monitor_init (ClLockMonitor *self)
{
  self->cancellable = g_cancellable_new ();

  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, session_bus_cb, g_object_ref (self));
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, g_object_ref (self));
}

/**
 * cl_lock_monitor_new:
 *
 * Returns: (transfer full): a monitor that starts watching the session and system buses
 */
ClLockMonitor *
cl_lock_monitor_new (void)
{
  return g_object_new (CL_TYPE_LOCK_MONITOR, NULL);
}

/**
 * cl_lock_monitor_get_watching_session:
 *
 * Returns: %TRUE once the screen-lock signals of the session bus are watched
 */
gboolean
cl_lock_monitor_get_watching_session (ClLockMonitor *self)
{
  g_return_val_if_fail (CL_IS_LOCK_MONITOR (self), FALSE);

  return self->gnome_screensaver_id != 0;
}

/**
 * cl_lock_monitor_get_watching_system:
 *
 * Returns: %TRUE once logind's suspend and session-lock signals are watched
 */
gboolean
cl_lock_monitor_get_watching_system (ClLockMonitor *self)
{
  g_return_val_if_fail (CL_IS_LOCK_MONITOR (self), FALSE);

  return self->prepare_for_sleep_id != 0;
}
