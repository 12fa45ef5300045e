/* test-gui-sync-progress.c: the sync indicator tells a first pull's progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine tells the records pulled of the total from the thread running the round;
 * the indicator that follows it says so, from the main context, in its tooltip (which is
 * also its accessible label). An indicator gone before the note arrives is left alone.
 */

#define G_LOG_DOMAIN "test-gui-sync-progress"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-application.h"
#include "cl-gui-test.h"
#include "cl-sync-indicator.h"
#include "cl-sync-private.h"
#include "cl-test-util.h"

typedef struct {
  ClSync *sync;
  guint   pulled;
  guint   total;
} Note;

static gpointer
tell (gpointer data)
{
  Note *note = data;

  _cl_sync_progress (note->sync, note->pulled, note->total);
  return NULL;
}

/* Tells @pulled of @total from another thread, as a round does. */
static void
tell_from_thread (ClSync *sync,
                  guint   pulled,
                  guint   total)
{
  Note note = { sync, pulled, total };
  GThread *thread = g_thread_new ("round", tell, &note);

  g_thread_join (thread);
}

/* An indicator in a window of its own, as the header bar holds one. */
static ClSyncIndicator *
indicator_in_window (GtkWindow **window)
{
  ClSyncIndicator *indicator = g_object_new (CL_TYPE_SYNC_INDICATOR, NULL);

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (*window, GTK_WIDGET (indicator));
  return indicator;
}

static void
test_progress (ClTestVault   *f,
               gconstpointer  data)
{
  g_autoptr(ClSync) sync = cl_sync_new (f->store);
  GtkWindow *window = NULL;
  GtkWindow *other = NULL;
  ClSyncIndicator *indicator = indicator_in_window (&window);
  ClSyncIndicator *gone = indicator_in_window (&other);

  cl_sync_indicator_follow (indicator, sync);
  g_assert_null (cl_sync_indicator_get_text (indicator));

  tell_from_thread (sync, 1200, 5000);
  WAIT_UNTIL (cl_sync_indicator_get_text (indicator) != NULL, 2000);
  g_assert_cmpstr (cl_sync_indicator_get_text (indicator), ==, "1200 of 5000 records pulled");
  g_assert_cmpstr (cl_sync_indicator_get_state (indicator), ==, "syncing");

  tell_from_thread (sync, 5000, 5000);
  WAIT_UNTIL (g_strcmp0 (cl_sync_indicator_get_text (indicator),
                         "5000 of 5000 records pulled") == 0, 2000);

  /* Another indicator follows the engine instead, and is destroyed with a note on its
   * way: nothing shows it, nothing fails. */
  cl_sync_indicator_follow (gone, sync);
  tell_from_thread (sync, 1, 1);
  gtk_window_destroy (other);
  cl_gui_test_spin (100);
  g_assert_cmpstr (cl_sync_indicator_get_text (indicator), ==, "5000 of 5000 records pulled");

  cl_sync_set_progress_func (sync, NULL, NULL, NULL);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp_dir = cl_gui_test_init (&argc, &argv, "gui-sync-progress");
  int status;

  adw_init ();
  cl_gui_register_resources ();
  g_test_add ("/gui-sync-progress/indicator", ClTestVault, NULL, cl_test_vault_setup,
              test_progress, cl_test_vault_teardown);
  status = g_test_run ();
  cl_gui_test_cleanup (tmp_dir);
  return status;
}
