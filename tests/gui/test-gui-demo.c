/* test-gui-demo.c: the demo vault is kept until it is left
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before the app starts, a demo vault is explored and a case added to it, as a person would
 * before closing the app. Started again, the app opens that demo as it was left (never a
 * new one over it); "Leave Demo" erases it and shows the first run.
 */

#define G_LOG_DOMAIN "test-gui-demo"

#include "config.h"

#include <adwaita.h>

#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-gui-main.h"
#include "cl-gui-test.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define DEMO_CASES 12

static char *tmp_dir;
static char *vault_dir;
static char *demo_dir;
static char *kept_case;
static ClApplication *app;

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_context_open_demo_finish (CL_CONTEXT (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Explores a new demo, adds a case to it and locks, as closing the app does. */
static void
explore_demo (void)
{
  g_autoptr(ClContext) context = cl_context_new (vault_dir, NULL);
  gboolean opened = FALSE;

  cl_context_open_demo_async (context, demo_dir, DEMO_CASES, NULL, opened_cb, &opened);
  while (!opened)
    g_main_context_iteration (NULL, TRUE);
  kept_case = cl_test_new_case (cl_context_get_store (context), "Kept Across Restarts");
  cl_context_lock (context);
  g_assert_true (cl_vault_exists (demo_dir));
  g_assert_false (cl_vault_exists (vault_dir));
}

static void
test_reopened (void)
{
  ClContext *context = cl_application_get_context (app);
  ClWindow *window = cl_gui_main_window (app);
  g_autoptr(ClRecord) kept = NULL;

  WAIT_UNTIL (!cl_context_get_locked (context), 30000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window), "main") == 0, 5000);
  g_assert_true (cl_context_get_demo (context));

  /* The same demo, with what was added to it: not a new one. */
  kept = cl_store_get (cl_context_get_store (context), "case", kept_case, NULL);
  g_assert_nonnull (kept);
  g_assert_cmpint (cl_store_count (cl_context_get_store (context), "case", NULL, NULL), ==,
                   DEMO_CASES + 1);
  cl_gui_test_screenshot_window (GTK_WINDOW (window), "demo-reopened");

  /* The notice (with its button) does not widen the sidebar past a third of the window. */
  {
    GtkWidget *banner = cl_gui_main_find (GTK_WIDGET (window), GTK_TYPE_WIDGET, "demo-banner");
    GtkWidget *pane = banner;

    g_assert_true (gtk_widget_get_mapped (banner));
    while (!ADW_IS_LEAFLET (gtk_widget_get_parent (pane)))
      pane = gtk_widget_get_parent (pane);
    g_assert_cmpint (gtk_widget_get_width (pane), <=,
                     gtk_widget_get_width (GTK_WIDGET (window)) / 3);
  }
}

static void
test_leave (void)
{
  ClContext *context = cl_application_get_context (app);
  ClWindow *window = cl_gui_main_window (app);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.leave-demo", NULL);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window), "first-run") == 0, 5000);
  g_assert_false (cl_context_get_demo (context));
  g_assert_true (cl_context_get_locked (context));
  g_assert_false (cl_vault_exists (demo_dir));
}

/* A demo explored from the first run opens with the keyboard on the list (its first case,
 * or the empty view's button), as after an unlock, not on the header bar. */
static void
test_explore_focus (void)
{
  ClContext *context = cl_application_get_context (app);
  ClWindow *window = cl_gui_main_window (app);
  GtkWidget *list = GTK_WIDGET (_cl_window_get_case_view (window));
  GtkWidget *explore;
  GtkWidget *focus;

  explore = cl_gui_test_find_child (GTK_WIDGET (window), GTK_TYPE_BUTTON,
                                    g_dgettext (GETTEXT_PACKAGE, "_Explore a Demo"));
  g_assert_nonnull (explore);
  g_signal_emit_by_name (explore, "clicked");
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window), "main") == 0, 60000);
  g_assert_true (cl_context_get_demo (context));
  cl_gui_test_spin (300);

  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, list) ||
                 (GTK_IS_BUTTON (focus) && gtk_widget_has_css_class (focus, "pill")));
  g_assert_true (gtk_widget_is_drawable (focus));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-demo");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  demo_dir = g_strconcat (vault_dir, "-demo", NULL);
  explore_demo ();

  g_test_add_func ("/gui-demo/reopened", test_reopened);
  g_test_add_func ("/gui-demo/leave", test_leave);
  g_test_add_func ("/gui-demo/explore-focus", test_explore_focus);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (kept_case);
  g_free (demo_dir);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
