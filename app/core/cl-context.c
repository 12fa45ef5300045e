/* cl-context.c: what an open Caseload session holds (vault, store, settings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application creates one ClContext and hands it to its windows as a construct-only
 * property. The context owns the open vault and its store while unlocked, and nothing of the
 * kind while locked: cl_context_lock() emits ::locking (so views can flush pending edits
 * and drop what they show while the store is still open), then drops the store, closes the
 * vault and notifies :locked. It holds the application's GSettings but reads no key itself,
 * so core keeps no dependency on a schema.
 *
 * Sync (docs/SYNC.md): while a vault of the advocate's own is open (never a demo), the
 * context owns a ClSync and schedules rounds in a worker (cl_sync_run_async): 5 s after the
 * last local edit, every 5 minutes, when the network comes back (a hint only) and on
 * cl_context_sync_now(). A failed round that may succeed later (network, busy server) is
 * retried after cl_sync_backoff_ms(); any other failure (the token expired, revoked, TLS,
 * refused) waits for the person. A revoked workstation's vault was erased by the engine:
 * the context locks. ::sync-changed says the state shown (pending, syncing, error) may have
 * changed; ::sync-finished carries the round's error.
 */

#define G_LOG_DOMAIN "cl-context"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-demo.h"

#include "cl-context.h"

/* The passphrase of a demo vault. A demo vault holds synthetic data only. */
#define DEMO_PASSPHRASE "caseload-demo"

#define SYNC_DEBOUNCE_S 5
#define SYNC_INTERVAL_S (5 * 60)

struct _ClContext
{
  GObject    parent_instance;

  char      *vault_dir;
  char      *demo_dir;
  char      *demo_user;
  GSettings *settings;
  ClVault   *vault;
  ClStore   *store;

  ClSync          *sync;
  GCancellable    *sync_cancellable;
  GError          *sync_error;
  char            *sync_notice;   /* the last round's cl_sync_report_heal_notice() */
  GNetworkMonitor *monitor;
  gulong           store_changed_id;
  gulong           network_changed_id;
  guint            sync_debounce_id;
  guint            sync_timer_id;
  guint            sync_retry_id;
  guint            sync_failures;

  guint      demo : 1;
  guint      syncing : 1;
  guint      sync_again : 1;
  guint      sync_blocked : 1;
};

G_DEFINE_FINAL_TYPE (ClContext, cl_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VAULT_DIR,
  PROP_SETTINGS,
  PROP_LOCKED,
  PROP_DEMO,
  PROP_STORE,
  PROP_SYNCING,
  N_PROPS
};

enum {
  LOCKING,
  SYNC_CHANGED,
  SYNC_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
active_dir (ClContext *self)
{
  return self->demo ? self->demo_dir : self->vault_dir;
}

/* Sync scheduling ------------------------------------------------------------------ */

static void start_round (ClContext *self);

static gboolean
sync_enrolled (ClContext *self)
{
  return self->sync != NULL && cl_sync_is_enrolled (self->sync);
}

/* An automatic trigger: nothing while a person must act first. */
static void
sync_auto (ClContext *self)
{
  if (self->sync_blocked || !sync_enrolled (self))
    return;
  if (self->syncing)
    {
      self->sync_again = TRUE;
      return;
    }
  start_round (self);
}

static gboolean
sync_debounce_cb (gpointer data)
{
  ClContext *self = data;

  self->sync_debounce_id = 0;
  if (self->store != NULL && cl_store_outbox_length (self->store, NULL) > 0)
    sync_auto (self);
  return G_SOURCE_REMOVE;
}

static gboolean
sync_timer_cb (gpointer data)
{
  sync_auto (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
sync_retry_cb (gpointer data)
{
  ClContext *self = data;

  self->sync_retry_id = 0;
  sync_auto (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (ClContext  *self,
                  const char *type,
                  const char *id,
                  ClStore    *store)
{
  /* Pulled changes come here too: the debounce only syncs when the outbox holds work. */
  if (sync_enrolled (self) && self->sync_retry_id == 0)
    {
      g_clear_handle_id (&self->sync_debounce_id, g_source_remove);
      self->sync_debounce_id = g_timeout_add_seconds (SYNC_DEBOUNCE_S, sync_debounce_cb, self);
    }
  g_signal_emit (self, signals[SYNC_CHANGED], 0);
}

static void
network_changed_cb (ClContext       *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  g_signal_emit (self, signals[SYNC_CHANGED], 0);

  /* A hint only: the network is back, so a round waiting out its backoff tries now. */
  if (available && sync_enrolled (self) && !self->syncing)
    {
      g_clear_handle_id (&self->sync_retry_id, g_source_remove);
      self->sync_retry_id = g_timeout_add_seconds (1, sync_retry_cb, self);
    }
}

static void
set_syncing (ClContext *self,
             gboolean   syncing)
{
  if (self->syncing == !!syncing)
    return;
  self->syncing = !!syncing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ClContext) self = user_data;
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };
  gboolean ok;

  ok = cl_sync_run_finish (CL_SYNC (object), result, &report, &error);

  /* Locked meanwhile: that round's outcome belongs to no open vault. */
  if (CL_SYNC (object) != self->sync)
    {
      cl_sync_report_clear (&report);
      return;
    }

  set_syncing (self, FALSE);
  g_clear_error (&self->sync_error);
  g_free (self->sync_notice);
  self->sync_notice = cl_sync_report_heal_notice (&report);

  if (ok)
    {
      self->sync_failures = 0;
      self->sync_blocked = FALSE;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else
    {
      self->sync_error = g_error_copy (error);
      if (cl_sync_error_is_transient (error))
        {
          self->sync_failures++;
          g_clear_handle_id (&self->sync_retry_id, g_source_remove);
          self->sync_retry_id = g_timeout_add (cl_sync_backoff_ms (self->sync_failures,
                                                                   report.retry_after),
                                               sync_retry_cb, self);
        }
      else
        self->sync_blocked = TRUE;
    }

  cl_sync_report_clear (&report);

  g_signal_emit (self, signals[SYNC_FINISHED], 0, self->sync_error);
  g_signal_emit (self, signals[SYNC_CHANGED], 0);

  /* Revoked: the engine erased the vault; nothing of it may stay open. */
  if (g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED))
    {
      cl_context_lock (self);
      return;
    }

  if (self->sync_again && !self->sync_blocked && self->sync_retry_id == 0)
    {
      self->sync_again = FALSE;
      start_round (self);
    }
  self->sync_again = FALSE;
}

static void
start_round (ClContext *self)
{
  g_assert (self->sync != NULL);
  g_assert (!self->syncing);

  g_clear_handle_id (&self->sync_debounce_id, g_source_remove);
  g_clear_handle_id (&self->sync_retry_id, g_source_remove);

  set_syncing (self, TRUE);
  g_signal_emit (self, signals[SYNC_CHANGED], 0);
  cl_sync_run_async (self->sync, self->sync_cancellable, run_done_cb, g_object_ref (self));
}

static void
sync_start (ClContext *self)
{
  g_assert (self->store != NULL);

  if (self->demo)
    return;

  self->sync = cl_sync_new (self->store);
  self->sync_cancellable = g_cancellable_new ();
  self->sync_failures = 0;
  self->sync_blocked = FALSE;
  self->store_changed_id = g_signal_connect_object (self->store, "changed",
                                                    G_CALLBACK (store_changed_cb), self,
                                                    G_CONNECT_SWAPPED);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect_object (self->monitor, "network-changed",
                                                      G_CALLBACK (network_changed_cb), self,
                                                      G_CONNECT_SWAPPED);
  self->sync_timer_id = g_timeout_add_seconds (SYNC_INTERVAL_S, sync_timer_cb, self);

  /* Whatever waited while the vault was locked goes soon. */
  if (sync_enrolled (self))
    self->sync_retry_id = g_timeout_add_seconds (2, sync_retry_cb, self);
}

static void
sync_stop (ClContext *self)
{
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_handle_id (&self->sync_debounce_id, g_source_remove);
  g_clear_handle_id (&self->sync_timer_id, g_source_remove);
  g_clear_handle_id (&self->sync_retry_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  if (self->monitor != NULL)
    g_clear_signal_handler (&self->network_changed_id, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->sync);
  g_clear_error (&self->sync_error);
  g_clear_pointer (&self->sync_notice, g_free);
  self->sync_again = FALSE;
  self->sync_failures = 0;
  set_syncing (self, FALSE);
}

static void
cl_context_open (ClContext *self,
                 ClVault   *vault)
{
  g_assert (CL_IS_CONTEXT (self));
  g_assert (CL_IS_VAULT (vault));
  g_assert (self->vault == NULL);

  self->vault = g_object_ref (vault);
  /* The demo's cases are assigned to made-up advocates: be one of them. */
  self->store = cl_store_new (vault, self->demo && self->demo_user != NULL
                                       ? self->demo_user : g_get_user_name ());
  sync_start (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

static void
cl_context_dispose (GObject *object)
{
  ClContext *self = (ClContext *)object;

  sync_stop (self);

  if (self->vault != NULL)
    {
      g_clear_object (&self->store);
      cl_vault_lock (self->vault);
      g_clear_object (&self->vault);
    }

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cl_context_parent_class)->dispose (object);
}

static void
cl_context_finalize (GObject *object)
{
  ClContext *self = (ClContext *)object;

  g_clear_pointer (&self->vault_dir, g_free);
  g_clear_pointer (&self->demo_dir, g_free);
  g_clear_pointer (&self->demo_user, g_free);
  g_clear_pointer (&self->sync_notice, g_free);

  G_OBJECT_CLASS (cl_context_parent_class)->finalize (object);
}

static void
cl_context_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ClContext *self = CL_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_VAULT_DIR:
      g_value_set_string (value, self->vault_dir);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_LOCKED:
      g_value_set_boolean (value, cl_context_get_locked (self));
      break;

    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_context_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  ClContext *self = CL_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_VAULT_DIR:
      self->vault_dir = g_value_dup_string (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_context_class_init (ClContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_context_dispose;
  object_class->finalize = cl_context_finalize;
  object_class->get_property = cl_context_get_property;
  object_class->set_property = cl_context_set_property;

  properties[PROP_VAULT_DIR] =
    g_param_spec_string ("vault-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CL_TYPE_STORE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClContext::locking:
   *
   * Emitted by cl_context_lock() while the store is still open: flush pending edits and
   * drop every model and widget content that shows client data.
   */
  signals[LOCKING] =
    g_signal_new ("locking",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ClContext::sync-changed:
   *
   * What a sync indicator shows may have changed: a round started or ended, a local edit
   * was queued, the network came or went, or the enrollment changed.
   */
  signals[SYNC_CHANGED] =
    g_signal_new ("sync-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ClContext::sync-finished:
   * @error: (nullable): why the round failed, or %NULL
   *
   * A round ended. With %CL_SYNC_ERROR_AUTH ask for the password (cl_sync_login()); with
   * %CL_SYNC_ERROR_REVOKED tell the person the error's message: the context locks next.
   */
  signals[SYNC_FINISHED] =
    g_signal_new ("sync-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
cl_context_init (ClContext *self)
{
}

/**
 * cl_context_new:
 * @vault_dir: the directory of the advocate's vault
 * @settings: (nullable): the application's settings
 *
 * Returns: (transfer full): a locked context
 */
ClContext *
cl_context_new (const char *vault_dir,
                GSettings  *settings)
{
  g_return_val_if_fail (vault_dir != NULL, NULL);
  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CL_TYPE_CONTEXT,
                       "vault-dir", vault_dir,
                       "settings", settings,
                       NULL);
}

const char *
cl_context_get_vault_dir (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->vault_dir;
}

/**
 * cl_context_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings the application gave
 */
GSettings *
cl_context_get_settings (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->settings;
}

gboolean
cl_context_get_locked (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), TRUE);

  return self->store == NULL;
}

/**
 * cl_context_get_demo:
 *
 * Returns: %TRUE when the open (or last opened) vault is a demo vault of synthetic data
 */
gboolean
cl_context_get_demo (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);

  return self->demo;
}

/**
 * cl_context_get_vault:
 *
 * Returns: (transfer none) (nullable): the open vault, or %NULL when locked
 */
ClVault *
cl_context_get_vault (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->vault;
}

/**
 * cl_context_get_store:
 *
 * Returns: (transfer none) (nullable): the store of the open vault, or %NULL when locked
 */
ClStore *
cl_context_get_store (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->store;
}

/**
 * cl_context_vault_exists:
 *
 * Returns: %TRUE if there is a vault to unlock (the demo vault when exploring the demo)
 */
gboolean
cl_context_vault_exists (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);

  return cl_vault_exists (active_dir (self));
}

/* Creating a vault derives a key: never on the main thread. */

typedef struct {
  char     *dir;
  char     *user;
  ClSecret *passphrase;
  ClSecret *recovery_key;
  ClVault  *vault;
  guint     n_cases;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_pointer (&data->dir, g_free);
  g_clear_pointer (&data->user, g_free);
  g_clear_pointer (&data->passphrase, cl_secret_free);
  g_clear_pointer (&data->recovery_key, cl_secret_free);
  g_clear_object (&data->vault);
  g_free (data);
}

static void
create_vault_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;

  data->vault = cl_vault_create (data->dir, data->passphrase, &data->recovery_key, &error);
  if (data->vault == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cl_context_create_vault_async:
 * @passphrase: the new passphrase (copied)
 *
 * Creates the advocate's vault in a worker thread and opens it. The recovery key comes
 * back from cl_context_create_vault_finish(), to be shown once.
 */
void
cl_context_create_vault_async (ClContext           *self,
                               ClSecret            *passphrase,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (CL_IS_CONTEXT (self));
  g_return_if_fail (passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_context_create_vault_async);

  if (!cl_context_get_locked (self))
    {
      g_task_return_new_error (task, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                               _("A vault is already open"));
      return;
    }

  data = g_new0 (OpenData, 1);
  data->dir = g_strdup (self->vault_dir);
  data->passphrase = cl_secret_dup (passphrase);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, create_vault_thread);
}

/**
 * cl_context_create_vault_finish:
 * @recovery_key: (out) (transfer full): the recovery key, to be shown once and freed
 */
gboolean
cl_context_create_vault_finish (ClContext     *self,
                                GAsyncResult  *result,
                                ClSecret     **recovery_key,
                                GError       **error)
{
  OpenData *data;

  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (recovery_key != NULL, FALSE);

  *recovery_key = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  *recovery_key = g_steal_pointer (&data->recovery_key);

  if (self->demo)
    {
      self->demo = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
    }

  cl_context_open (self, data->vault);

  return TRUE;
}

static void
unlock_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = NULL;
  ClContext *self = g_task_get_source_object (task);

  vault = cl_vault_unlock_finish (result, &error);

  if (vault == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!cl_context_get_locked (self))
    {
      /* Unlocked twice at once: keep the first. */
      cl_vault_lock (vault);
      g_task_return_boolean (task, TRUE);
      return;
    }

  cl_context_open (self, vault);
  g_task_return_boolean (task, TRUE);
}

/**
 * cl_context_unlock_async:
 *
 * Unlocks the vault with @passphrase. Key derivation runs in a worker thread.
 */
void
cl_context_unlock_async (ClContext           *self,
                         ClSecret            *passphrase,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CL_IS_CONTEXT (self));
  g_return_if_fail (passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_context_unlock_async);

  if (!cl_context_get_locked (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  cl_vault_unlock_async (active_dir (self), passphrase, cancellable,
                         unlock_cb, g_steal_pointer (&task));
}

gboolean
cl_context_unlock_finish (ClContext     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
recover_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;

  data->vault = cl_vault_recover (data->dir, data->recovery_key, data->passphrase, &error);
  if (data->vault == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cl_context_recover_async:
 * @recovery_key: the recovery key shown when the vault was created (copied)
 * @new_passphrase: the passphrase that replaces the forgotten one (copied)
 *
 * Opens the vault with its recovery key and sets a new passphrase, in a worker thread.
 */
void
cl_context_recover_async (ClContext           *self,
                          ClSecret            *recovery_key,
                          ClSecret            *new_passphrase,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (CL_IS_CONTEXT (self));
  g_return_if_fail (recovery_key != NULL);
  g_return_if_fail (new_passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_context_recover_async);

  if (!cl_context_get_locked (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (OpenData, 1);
  data->dir = g_strdup (active_dir (self));
  data->recovery_key = cl_secret_dup (recovery_key);
  data->passphrase = cl_secret_dup (new_passphrase);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, recover_thread);
}

gboolean
cl_context_recover_finish (ClContext     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  OpenData *data;

  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (data != NULL && data->vault != NULL && cl_context_get_locked (self))
    cl_context_open (self, data->vault);

  return TRUE;
}

/* The demo's first advocate, to explore the demo as, so "My caseload" is not empty. */
static char *
demo_advocate (ClStore *store)
{
  g_autoptr(GPtrArray) staff = cl_store_list (store, "staff", NULL, 0, 0, NULL);

  for (guint i = 0; staff != NULL && i < staff->len; i++)
    {
      ClRecord *record = g_ptr_array_index (staff, i);
      const char *role = cl_record_get (record, "role");

      if (g_strcmp0 (role, "advocate_dv") == 0 || g_strcmp0 (role, "advocate_cv") == 0)
        return g_strdup (cl_record_get (record, "username"));
    }

  return NULL;
}

/* An existing demo vault is opened as it was left, never erased: only a new one is made
 * up. */
static void
open_demo_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  g_autoptr(ClStore) store = NULL;

  if (cl_vault_exists (data->dir))
    {
      data->vault = cl_vault_unlock (data->dir, data->passphrase, &error);
      if (data->vault == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      store = cl_store_new (data->vault, g_get_user_name ());
      data->user = demo_advocate (store);
      g_task_return_boolean (task, TRUE);
      return;
    }

  data->vault = cl_vault_create (data->dir, data->passphrase, &data->recovery_key, &error);
  if (data->vault == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Nobody needs the recovery key of synthetic data. */
  g_clear_pointer (&data->recovery_key, cl_secret_free);

  store = cl_store_new (data->vault, g_get_user_name ());
  if (!cl_demo_generate (store, data->n_cases, 1, NULL, NULL, cancellable, &error))
    {
      cl_vault_lock (data->vault);
      g_task_return_error (task, error);
      return;
    }

  data->user = demo_advocate (store);
  g_task_return_boolean (task, TRUE);
}

/**
 * cl_context_open_demo_async:
 * @demo_dir: where the demo vault is, or is to be made
 * @n_cases: how many synthetic cases to generate in a new demo
 *
 * Opens the demo vault at @demo_dir as it was left or, when there is none, creates one of
 * synthetic data; in a worker thread. While the demo is open, locking and unlocking apply
 * to the demo vault; its passphrase is "caseload-demo".
 */
void
cl_context_open_demo_async (ClContext           *self,
                            const char          *demo_dir,
                            guint                n_cases,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (CL_IS_CONTEXT (self));
  g_return_if_fail (demo_dir != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_context_open_demo_async);

  if (!cl_context_get_locked (self))
    {
      g_task_return_new_error (task, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                               _("A vault is already open"));
      return;
    }

  g_free (self->demo_dir);
  self->demo_dir = g_strdup (demo_dir);

  data = g_new0 (OpenData, 1);
  data->dir = g_strdup (demo_dir);
  data->passphrase = cl_secret_new_from_string (DEMO_PASSPHRASE);
  data->n_cases = n_cases;
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_demo_thread);
}

gboolean
cl_context_open_demo_finish (ClContext     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  OpenData *data;

  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));

  g_free (self->demo_user);
  self->demo_user = g_steal_pointer (&data->user);

  if (!self->demo)
    {
      self->demo = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
    }

  cl_context_open (self, data->vault);

  return TRUE;
}

/**
 * cl_context_lock:
 *
 * Emits ::locking, then drops the store and closes the vault. Nothing is lost: every edit
 * is already committed when it is made. Does nothing when already locked.
 */
void
cl_context_lock (ClContext *self)
{
  g_return_if_fail (CL_IS_CONTEXT (self));

  if (cl_context_get_locked (self))
    return;

  g_object_ref (self);

  g_signal_emit (self, signals[LOCKING], 0);

  sync_stop (self);
  g_clear_object (&self->store);
  if (self->vault != NULL)
    cl_vault_lock (self->vault);
  g_clear_object (&self->vault);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);

  g_object_unref (self);
}

/**
 * cl_context_discard_demo:
 *
 * Locks and erases the demo vault, if one was opened; the context then applies to the
 * advocate's own vault again.
 */
void
cl_context_discard_demo (ClContext *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CL_IS_CONTEXT (self));

  if (self->demo_dir == NULL)
    return;

  if (self->demo)
    cl_context_lock (self);

  if (cl_vault_exists (self->demo_dir) && !cl_vault_erase (self->demo_dir, &error))
    g_debug ("Could not erase the demo vault: %s", error->message);

  g_clear_pointer (&self->demo_dir, g_free);

  if (self->demo)
    {
      self->demo = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
    }
}

/**
 * cl_context_get_sync:
 *
 * Returns: (transfer none) (nullable): the sync engine of the open vault, or %NULL when
 *   locked or exploring the demo
 */
ClSync *
cl_context_get_sync (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->sync;
}

gboolean
cl_context_get_syncing (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), FALSE);

  return self->syncing;
}

/**
 * cl_context_get_sync_error:
 *
 * Returns: (transfer none) (nullable): why the last round failed, or %NULL
 */
const GError *
cl_context_get_sync_error (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->sync_error;
}

/**
 * cl_context_get_sync_notice:
 *
 * Returns: (transfer none) (nullable): what the last round's person must know because the
 *   server's database or this vault had gone back to an earlier copy
 *   (cl_sync_report_heal_notice()), or %NULL
 */
const char *
cl_context_get_sync_notice (ClContext *self)
{
  g_return_val_if_fail (CL_IS_CONTEXT (self), NULL);

  return self->sync_notice;
}

/**
 * cl_context_sync_now:
 *
 * Runs a round now (in a worker), or right after the running one: what a person asks
 * for, so also after a failure that automatic rounds wait out. Does nothing when locked
 * or not enrolled.
 */
void
cl_context_sync_now (ClContext *self)
{
  g_return_if_fail (CL_IS_CONTEXT (self));

  if (!sync_enrolled (self))
    return;

  self->sync_blocked = FALSE;
  self->sync_failures = 0;
  if (self->syncing)
    self->sync_again = TRUE;
  else
    start_round (self);
}

/**
 * cl_context_sync_changed:
 *
 * Tells the context the enrollment or the login changed (after cl_sync_enroll() or
 * cl_sync_login()): emits ::sync-changed and clears the last error.
 */
void
cl_context_sync_changed (ClContext *self)
{
  g_return_if_fail (CL_IS_CONTEXT (self));

  g_clear_error (&self->sync_error);
  self->sync_blocked = FALSE;
  g_signal_emit (self, signals[SYNC_CHANGED], 0);
}
