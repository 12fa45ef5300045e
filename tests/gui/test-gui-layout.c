/* test-gui-layout.c: the main window holds in long languages and large text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a demo vault in each locale of $CASELOAD_TEST_LOCALE, one
 * after the other (meson runs it in the eleven languages of the catalogs, in a few groups),
 * at 1.0× and 1.5× text (GtkSettings gtk-xft-dpi), at the default width and at 700 px. It
 * measures widgets, not pixels: no case number, status or date cell of the case list and
 * no name of the sidebar may be narrower than its text (cut short with "…"), and no button
 * may lie outside the window. At 1.5× it also shows a case, a report's result, New Referral
 * and Preferences, none with a button outside its window. Screenshots of each go to
 * $CASELOAD_SCREENSHOT_DIR, named by the language.
 */

#define G_LOG_DOMAIN "test-gui-layout"

#include "config.h"

#include <adwaita.h>

#include "cl-application.h"
#include "cl-demo.h"
#include "cl-gui-main.h"
#include "cl-gui-test.h"
#include "cl-reports-page.h"
#include "cl-case-summary.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"
#define DEMO_CASES 60

static char *tmp_dir;
static char *vault_dir;
static ClApplication *app;
static GtkWidget *sidebar;   /* the last ClSidebar check_tree() met */

static ClWindow *
window (void)
{
  return cl_gui_main_window (app);
}

static void
set_text_scale (double scale)
{
  g_object_set (gtk_settings_get_default (), "gtk-xft-dpi", (int) (96 * 1024 * scale), NULL);
}

static void
resize (int width)
{
  gtk_window_set_default_size (GTK_WINDOW (window ()), width, 760);
  cl_gui_test_spin (400);
}

/* Fails when @label, shown, is allocated less than its text needs. */
static void
assert_label_whole (GtkWidget  *label,
                    const char *what)
{
  int natural = 0;

  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  if (gtk_widget_get_width (label) < natural)
    g_error ("%s \"%s\" is cut short: %d px of the %d px its text needs", what,
             gtk_label_get_text (GTK_LABEL (label)), gtk_widget_get_width (label), natural);
}

/* Walks @widget's shown descendants: case-list cells and sidebar names whole, controls
 * inside the window. Returns how many cells of the case list were measured. */
static guint
check_tree (GtkWidget *widget,
            GtkWidget *root,
            gboolean   in_sidebar)
{
  const char *name = gtk_widget_get_name (widget);
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;

  if (GTK_IS_LABEL (widget) &&
      (g_str_equal (name, "case-number") || g_str_equal (name, "case-status") ||
       g_str_equal (name, "case-due")))
    {
      assert_label_whole (widget, name);
      n++;
    }

  if (GTK_IS_LABEL (widget) && in_sidebar)
    assert_label_whole (widget, "The sidebar's label");

  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))
    {
      graphene_rect_t bounds;

      /* One in a list, page or table that scrolls is reached by scrolling (the window
       * keeps its width: check_screen()). */
      gboolean scrolls = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW) != NULL;

      g_assert_true (gtk_widget_compute_bounds (widget, root, &bounds));
      if (!scrolls &&
          (bounds.origin.x < 0 || bounds.origin.y < 0 ||
           bounds.origin.x + bounds.size.width > gtk_widget_get_width (root) + 0.5 ||
           bounds.origin.y + bounds.size.height > gtk_widget_get_height (root) + 0.5))
        g_error ("A %s (%s) lies outside the window: %g,%g %gx%g in %dx%d",
                 G_OBJECT_TYPE_NAME (widget), gtk_widget_get_tooltip_text (widget),
                 bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height,
                 gtk_widget_get_width (root), gtk_widget_get_height (root));
    }

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, g_type_from_name ("ClSidebar")))
    {
      sidebar = widget;
      in_sidebar = TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += check_tree (child, root, in_sidebar);

  return n;
}

/* The window as shown now holds: checked again until the columns settle (a change of
 * width or text size takes a layout or two). */
static void
check_window (const char *shot)
{
  GtkWidget *root = GTK_WIDGET (window ());
  GtkWidget *view = GTK_WIDGET (_cl_window_get_case_view (window ()));
  GtkAdjustment *adjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (view));
  GtkWidget *leaflet = gtk_widget_get_ancestor (view, ADW_TYPE_LEAFLET);
  guint n;

  /* Folded, the window shows the list, as after choosing a view. */
  adw_leaflet_set_visible_child_name (ADW_LEAFLET (leaflet), "content");
  cl_gui_test_spin (500);
  n = check_tree (root, root, FALSE);
  /* The case list shows: the check measured its cells. */
  g_assert_cmpuint (n, >=, 5);
  /* What does not fit leaves the view; the view never scrolls sideways. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), <=,
                     gtk_adjustment_get_page_size (adjustment) + 0.5);
  cl_gui_test_screenshot_window (GTK_WINDOW (root), shot);

  /* At the default width the sidebar's pane (its names, the header's buttons) takes no
   * more than a third of the window. */
  if (gtk_widget_get_width (root) >= 1100)
    {
      GtkWidget *pane = sidebar;

      g_assert_nonnull (sidebar);
      g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
      while (gtk_widget_get_parent (pane) != leaflet)
        pane = gtk_widget_get_parent (pane);
      g_assert_cmpint (gtk_widget_get_width (pane), <=, gtk_widget_get_width (root) / 3);
    }
}

static void
test_unlock (void)
{
  cl_gui_main_unlock (app, PASSPHRASE);
  cl_window_show_view (window (), CL_CASE_VIEW_COMMAND);
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) > 0, 5000);
}

static void
test_layout (gconstpointer data)
{
  double scale = *(const double *) data;
  g_autofree char *language = cl_gui_test_language ();
  char times[G_ASCII_DTOSTR_BUF_SIZE];   /* "1.5", not the locale's "1,5" */
  g_autofree char *wide = NULL;
  g_autofree char *narrow = NULL;

  g_ascii_formatd (times, sizeof times, "%.1f", scale);
  wide = g_strdup_printf ("layout-%s-%sx", language, times);
  narrow = g_strdup_printf ("layout-%s-%sx-700", language, times);

  set_text_scale (scale);
  resize (1180);
  check_window (wide);
  resize (700);
  check_window (narrow);
  resize (1180);
  set_text_scale (1.0);
}

/* No button of @root lies outside it; a screenshot of it. */
static void
check_screen (GtkWidget  *root,
              const char *screen)
{
  g_autofree char *shot = g_strdup_printf ("screen-%s-1.5x", screen);

  /* After the leaflet's and the stack's transitions. */
  cl_gui_test_spin (1000);
  check_tree (root, root, FALSE);
  /* The main window keeps the width it was given: nothing widens it past the screen. */
  if (CL_IS_WINDOW (root) && gtk_widget_get_width (root) > 1180)
    g_error ("The %s screen widens the window to %d px", screen, gtk_widget_get_width (root));
  cl_gui_test_screenshot_window (GTK_WINDOW (root), shot);
}

/* The window of @type, once shown. */
static GtkWidget *
shown_window (GType type)
{
  GtkWidget *found = NULL;

  WAIT_UNTIL ((found = cl_gui_test_find_window (type)) != NULL, 5000);
  return found;
}

/* At 1.5× text: a case, a report's result, New Referral and Preferences. */
static void
test_screens (void)
{
  GtkWidget *root = GTK_WIDGET (window ());
  ClReportsPage *page = _cl_window_get_reports_page (window ());
  g_autoptr(ClCaseSummary) summary = g_list_model_get_item (_cl_window_get_cases (window ()), 0);
  GtkWidget *dialog;

  set_text_scale (1.5);
  resize (1180);

  cl_window_open_case (window (), cl_case_summary_get_id (summary));
  check_screen (root, "case");

  gtk_widget_activate_action (root, "win.show-reports", NULL);
  _cl_reports_page_set_report (page, "caseload");
  _cl_reports_page_set_custom_period (page, "2026-01-01", "2026-12-31");
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL);
  WAIT_UNTIL (!cl_reports_page_get_busy (page), 20000);
  g_assert_nonnull (cl_reports_page_get_result (page));
  WAIT_UNTIL (!_cl_reports_page_get_filling (page), 60000);
  check_screen (root, "reports");
  {
    /* A table wider than its card scrolls, from its row labels: the right, right to left. */
    GtkWidget *table = cl_gui_main_find (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW, NULL);
    GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (table));
    double end = gtk_adjustment_get_upper (h) - gtk_adjustment_get_page_size (h);

    if (end > 0)
      g_assert_cmpfloat (gtk_adjustment_get_value (h), ==,
                         gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL ? end : 0);
  }

  gtk_widget_activate_action (root, "win.new-referral", NULL);
  dialog = shown_window (g_type_from_name ("ClNewReferralDialog"));
  check_screen (dialog, "new-referral");
  gtk_window_destroy (GTK_WINDOW (dialog));

  cl_window_show_preferences (window ());
  dialog = shown_window (g_type_from_name ("ClPreferencesWindow"));
  check_screen (dialog, "preferences");
  gtk_window_destroy (GTK_WINDOW (dialog));

  gtk_widget_activate_action (root, "win.show-list", NULL);
  set_text_scale (1.0);
  cl_gui_test_spin (200);
}

/* Goes to the next language. */
static void
test_switch_locale (gconstpointer data)
{
  cl_gui_main_switch_locale (app, data);
  cl_window_show_view (window (), CL_CASE_VIEW_COMMAND);
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) > 0, 5000);
}

static void
create_demo_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, g_get_user_name ());
  g_assert_true (cl_demo_generate (store, DEMO_CASES, 7, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  static const double normal = 1.0, large = 1.5;
  g_auto(GStrv) locales = NULL;
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-layout");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_demo_vault ();

  g_test_add_func ("/gui-layout/unlock", test_unlock);
  locales = cl_gui_test_locales ();
  for (guint i = 0; i < MAX (g_strv_length (locales), 1); i++)
    {
      g_autofree char *language = locales[i] != NULL ? g_strndup (locales[i],
                                                                  strcspn (locales[i], "."))
                                                     : g_strdup ("en");
      g_autofree char *path = NULL;

      if (i > 0)
        {
          path = g_strdup_printf ("/gui-layout/%s/switch", language);
          g_test_add_data_func (path, locales[i], test_switch_locale);
          g_free (path);
        }
      path = g_strdup_printf ("/gui-layout/%s/text-1.0", language);
      g_test_add_data_func (path, &normal, test_layout);
      g_free (path);
      path = g_strdup_printf ("/gui-layout/%s/text-1.5", language);
      g_test_add_data_func (path, &large, test_layout);
      g_free (path);
      path = g_strdup_printf ("/gui-layout/%s/screens", language);
      g_test_add_func (path, test_screens);
    }

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  if (g_strv_length (locales) > 1)
    cl_gui_main_end_at_shutdown (app, tmp_dir);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
