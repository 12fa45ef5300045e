/* cl-gui-test.c: what the desktop tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "cl-gui-test.h"

/* Runs the main loop for @ms milliseconds. */
void
cl_gui_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Saves a PNG of @window into $CASELOAD_SCREENSHOT_DIR (a test artifact), if set. */
void
cl_gui_test_screenshot_window (GtkWindow  *window,
                               const char *name)
{
  const char *dir = g_getenv ("CASELOAD_SCREENSHOT_DIR");
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;

  g_mkdir_with_parents (dir, 0755);
  cl_gui_test_spin (400);

  /* On a loaded machine the window may not have been laid out and drawn yet (after a
   * lock, a resize or a theme change): give it up to five seconds. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      if (gtk_widget_get_mapped (widget) && width > 0 && height > 0)
        {
          snapshot = gtk_snapshot_new ();
          gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
          node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
        }
      if (node == NULL)
        cl_gui_test_spin (100);
    }
  if (node == NULL)
    g_error ("Screenshot “%s”: the window drew nothing for five seconds (mapped %d, %d×%d)",
             name, gtk_widget_get_mapped (widget), width, height);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
run_tests_cb (gpointer data)
{
  GApplication *app = data;

  g_object_set_data (G_OBJECT (app), "cl-test-status", GINT_TO_POINTER (g_test_run ()));
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app)
{
  if (g_object_get_data (G_OBJECT (app), "cl-test-started") != NULL)
    return;
  g_object_set_data (G_OBJECT (app), "cl-test-started", GINT_TO_POINTER (TRUE));
  g_idle_add (run_tests_cb, app);
}

/**
 * cl_gui_test_run_app:
 *
 * Runs @app and, once it is activated (its window shown), the tests added with
 * g_test_add_func(); quits when they are done.
 *
 * Returns: g_test_run()'s status
 */
int
cl_gui_test_run_app (GApplication *app,
                     const char   *argv0)
{
  char *app_argv[] = { (char *) argv0, NULL };

  g_object_set_data (G_OBJECT (app), "cl-test-status", GINT_TO_POINTER (1));
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  g_application_run (app, 1, app_argv);
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (app), "cl-test-status"));
}
