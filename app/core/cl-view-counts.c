/* cl-view-counts.c: the live number of cases in each case view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sidebar shows how many cases each view holds. Counting 100,000 cases takes most of
 * a second, so a worker counts; a change of the store counts again after a short delay
 * (a burst of changes, as a sync brings, counts once). ::changed says new counts are in.
 *
 * The worker holds reader_lock while it reads, and cl_view_counts_set_store() takes that
 * lock before it lets go of the store: a vault that closes after it never closes under a
 * count.
 */

#define G_LOG_DOMAIN "cl-view-counts"

#include <string.h>

#include "cl-view-counts.h"

struct _ClViewCounts
{
  GObject       parent_instance;

  ClCaseView   *views;
  guint         n_views;
  gint64       *counts;      /* per view, in the order of views; -1 when not known */
  guint         delay_ms;

  ClStore      *store;
  gulong        changed_id;
  guint         refresh_id;
  guint         serial;
  GCancellable *cancellable;
  GMutex        reader_lock;
};

G_DEFINE_FINAL_TYPE (ClViewCounts, cl_view_counts, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  ClViewCounts *self;   /* not a reference: the task holds one */
  ClStore      *store;
  gint64       *counts;
} CountsData;

static void
counts_data_free (CountsData *data)
{
  g_clear_object (&data->store);
  g_free (data->counts);
  g_free (data);
}

static void
forget (ClViewCounts *self)
{
  for (guint i = 0; i < self->n_views; i++)
    self->counts[i] = -1;
}

static void
counts_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ClViewCounts *self = source_object;
  CountsData *data = task_data;

  g_mutex_lock (&self->reader_lock);
  for (guint i = 0; i < self->n_views; i++)
    {
      g_autoptr(GError) error = NULL;

      data->counts[i] = -1;
      if (g_cancellable_is_cancelled (cancellable))
        continue;
      data->counts[i] = cl_store_count_view (data->store, self->views[i], &error);
      if (data->counts[i] < 0)
        g_debug ("Could not count a view: %s", error->message);
    }
  g_mutex_unlock (&self->reader_lock);

  g_task_return_boolean (task, TRUE);
}

static void
counts_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ClViewCounts *self = CL_VIEW_COUNTS (object);
  CountsData *data = g_task_get_task_data (G_TASK (result));
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  if (g_cancellable_is_cancelled (cancellable) || data->store != self->store)
    return;

  g_clear_object (&self->cancellable);
  memcpy (self->counts, data->counts, self->n_views * sizeof (gint64));
  self->serial++;
  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * cl_view_counts_refresh:
 *
 * Counts again now, in a worker; a count still running is dropped.
 */
void
cl_view_counts_refresh (ClViewCounts *self)
{
  g_autoptr(GTask) task = NULL;
  CountsData *data;

  g_return_if_fail (CL_IS_VIEW_COUNTS (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->store == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (CountsData, 1);
  data->store = g_object_ref (self->store);
  data->counts = g_new (gint64, self->n_views);
  task = g_task_new (self, self->cancellable, counts_done_cb, NULL);
  g_task_set_source_tag (task, cl_view_counts_refresh);
  g_task_set_task_data (task, data, (GDestroyNotify) counts_data_free);
  g_task_run_in_thread (task, counts_thread);
}

static gboolean
refresh_cb (gpointer data)
{
  ClViewCounts *self = data;

  self->refresh_id = 0;
  cl_view_counts_refresh (self);

  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (ClViewCounts *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (self->delay_ms, refresh_cb, self);
}

/**
 * cl_view_counts_set_store:
 * @store: (nullable): the open store, or %NULL when the vault closes
 *
 * Counts the views of @store, and again whenever it changes. With %NULL, waits for a
 * count that is reading to end, forgets the counts and emits ::changed.
 */
void
cl_view_counts_set_store (ClViewCounts *self,
                          ClStore      *store)
{
  g_return_if_fail (CL_IS_VIEW_COUNTS (self));
  g_return_if_fail (store == NULL || CL_IS_STORE (store));

  if (self->store == store)
    return;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* A count that is reading finishes before the store can close. */
  g_mutex_lock (&self->reader_lock);
  g_mutex_unlock (&self->reader_lock);

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  forget (self);

  if (store != NULL)
    {
      self->changed_id = g_signal_connect_object (store, "changed",
                                                  G_CALLBACK (store_changed_cb), self,
                                                  G_CONNECT_SWAPPED);
      cl_view_counts_refresh (self);
    }
  else
    g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * cl_view_counts_get:
 *
 * Returns: the number of cases in @view, or -1 when it is not counted (yet)
 */
gint64
cl_view_counts_get (ClViewCounts *self,
                    ClCaseView    view)
{
  g_return_val_if_fail (CL_IS_VIEW_COUNTS (self), -1);

  for (guint i = 0; i < self->n_views; i++)
    if (self->views[i] == view)
      return self->counts[i];

  return -1;
}

/**
 * cl_view_counts_get_serial:
 *
 * Returns: how many counts have come in, for tests that wait for the next one
 */
guint
cl_view_counts_get_serial (ClViewCounts *self)
{
  g_return_val_if_fail (CL_IS_VIEW_COUNTS (self), 0);

  return self->serial;
}

static void
cl_view_counts_dispose (GObject *object)
{
  ClViewCounts *self = CL_VIEW_COUNTS (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cl_view_counts_parent_class)->dispose (object);
}

static void
cl_view_counts_finalize (GObject *object)
{
  ClViewCounts *self = CL_VIEW_COUNTS (object);

  g_free (self->views);
  g_free (self->counts);
  g_mutex_clear (&self->reader_lock);

  G_OBJECT_CLASS (cl_view_counts_parent_class)->finalize (object);
}

static void
cl_view_counts_class_init (ClViewCountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_view_counts_dispose;
  object_class->finalize = cl_view_counts_finalize;

  /**
   * ClViewCounts::changed:
   *
   * New counts are in, or (no store) the counts are forgotten.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cl_view_counts_init (ClViewCounts *self)
{
  g_mutex_init (&self->reader_lock);
}

/**
 * cl_view_counts_new:
 * @views: (array length=n_views): the views to count
 * @delay_ms: how long after a change of the store to count again
 *
 * Returns: (transfer full): counts of @views, none known until a store is set
 */
ClViewCounts *
cl_view_counts_new (const ClCaseView *views,
                    guint             n_views,
                    guint             delay_ms)
{
  ClViewCounts *self = g_object_new (CL_TYPE_VIEW_COUNTS, NULL);

  self->views = g_memdup2 (views, n_views * sizeof (ClCaseView));
  self->n_views = n_views;
  self->counts = g_new (gint64, n_views);
  self->delay_ms = delay_ms;
  forget (self);

  return self;
}
