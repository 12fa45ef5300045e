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
