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
 */

#define G_LOG_DOMAIN "cl-context"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-demo.h"

#include "cl-context.h"

/* The passphrase of a demo vault. A demo vault holds synthetic data only. */
#define DEMO_PASSPHRASE "caseload-demo"

struct _ClContext
{
  GObject    parent_instance;

  char      *vault_dir;
  char      *demo_dir;
  char      *demo_user;
  GSettings *settings;
  ClVault   *vault;
  ClStore   *store;
  guint      demo : 1;
};

G_DEFINE_FINAL_TYPE (ClContext, cl_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VAULT_DIR,
  PROP_SETTINGS,
  PROP_LOCKED,
  PROP_DEMO,
  PROP_STORE,
  N_PROPS
};

enum {
  LOCKING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *
active_dir (ClContext *self)
{
  return self->demo ? self->demo_dir : self->vault_dir;
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

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

static void
cl_context_dispose (GObject *object)
{
  ClContext *self = (ClContext *)object;

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

static void
open_demo_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;

  if (cl_vault_exists (data->dir) && !cl_vault_erase (data->dir, &error))
    {
      g_task_return_error (task, error);
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

  {
    g_autoptr(ClStore) store = cl_store_new (data->vault, g_get_user_name ());

    g_autoptr(GPtrArray) staff = NULL;

    if (!cl_demo_generate (store, data->n_cases, 1, NULL, NULL,
                           cancellable, &error))
      {
        cl_vault_lock (data->vault);
        g_task_return_error (task, error);
        return;
      }

    /* Explore the demo as its first advocate, so "My caseload" is not empty. */
    staff = cl_store_list (store, "staff", NULL, 0, 0, NULL);
    for (guint i = 0; staff != NULL && i < staff->len && data->user == NULL; i++)
      {
        ClRecord *record = g_ptr_array_index (staff, i);
        const char *role = cl_record_get (record, "role");

        if (g_strcmp0 (role, "advocate_dv") == 0 || g_strcmp0 (role, "advocate_cv") == 0)
          data->user = g_strdup (cl_record_get (record, "username"));
      }
  }

  g_task_return_boolean (task, TRUE);
}

/**
 * cl_context_open_demo_async:
 * @demo_dir: where to create the demo vault (anything there is erased)
 * @n_cases: how many synthetic cases to generate
 *
 * Creates a demo vault of synthetic data in a worker thread and opens it. While the demo is
 * open, locking and unlocking apply to the demo vault; its passphrase is "caseload-demo".
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
