/* cl-gui-main.c: the main window of a running ClApplication, for the desktop tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cl-gui-main.h"
#include "cl-gui-test.h"
#include "cl-window-private.h"

/* The application's main window. */
ClWindow *
cl_gui_main_window (ClApplication *app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  for (GList *l = windows; l != NULL; l = l->next)
    if (CL_IS_WINDOW (l->data))
      return CL_WINDOW (l->data);
  g_assert_not_reached ();
}

/* Unlocks the vault from the unlock page and waits for the main page. */
void
cl_gui_main_unlock (ClApplication *app,
                    const char    *passphrase)
{
  ClWindow *window = cl_gui_main_window (app);

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window), "unlock") == 0, 5000);
  cl_unlock_page_unlock (_cl_window_get_unlock_page (window), passphrase);
  WAIT_UNTIL (!cl_context_get_locked (cl_application_get_context (app)), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window), "main") == 0, 5000);
}

/* The first descendant of @widget (or itself) of type @type with the CSS class or the
 * name @tag (NULL: any). */
GtkWidget *
cl_gui_main_find (GtkWidget  *widget,
                  GType       type,
                  const char *tag)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (tag == NULL || gtk_widget_has_css_class (widget, tag) ||
       g_strcmp0 (gtk_widget_get_name (widget), tag) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cl_gui_main_find (child, type, tag);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Goes to @locale: a main window made anew in it, on the vault still open. The one before
 * is hidden and let go by the application, not destroyed: destroying a second main window
 * fails a check inside libadwaita 1.2 (gtk_widget_unparent() of a widget already gone,
 * from adw_toast_overlay_set_child()), and so would the application's shutdown
 * (cl_gui_main_end_at_shutdown()). */
void
cl_gui_main_switch_locale (ClApplication *app,
                           const char    *locale)
{
  GtkWindow *old = GTK_WINDOW (cl_gui_main_window (app));

  cl_gui_test_switch_locale (locale);
  gtk_window_present (GTK_WINDOW (cl_window_new (ADW_APPLICATION (app),
                                                 cl_application_get_context (app))));
  gtk_widget_set_visible (GTK_WIDGET (old), FALSE);
  gtk_application_remove_window (GTK_APPLICATION (app), old);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (cl_gui_main_window (app)), "main") == 0, 5000);
}

static void
shutdown_cb (GApplication *app,
             const char   *tmp_dir)
{
  cl_gui_test_cleanup (tmp_dir);
  fflush (stdout);
  _exit (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (app), "cl-test-status")));
}

/* A run in several languages ends once its tests are done, @tmp_dir and the compiled
 * locales removed, before the application's shutdown, which would destroy the main
 * windows of the languages before (cl_gui_main_switch_locale()). */
void
cl_gui_main_end_at_shutdown (ClApplication *app,
                             const char    *tmp_dir)
{
  g_signal_connect (app, "shutdown", G_CALLBACK (shutdown_cb), (gpointer) tmp_dir);
}
