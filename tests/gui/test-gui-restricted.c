/* test-gui-restricted.c: who may see a restricted case, on the case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with two cases. The named-users row shows only
 * while the case (or its client) is restricted; restricting a case that names nobody names
 * the current user and the assigned advocate in the same edit; the row takes usernames
 * separated by commas (stored normalized), refuses anything else without saving, and works
 * from the keyboard. Screenshots (light, dark, narrow) go to $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-restricted"

#include "config.h"


#include <glib/gi18n.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *assigned_case;   /* assigned to ben */
static char *second_case;     /* of another client, assigned to the current user */
static ClApplication *app;

static ClWindow *
window (void)
{
  return cl_gui_test_main_window (app);
}

static ClStore *
store (void)
{
  return cl_gui_test_store (app);
}

static ClCasePage *
case_page (void)
{
  return _cl_window_get_case_page (window ());
}

static char *
stored (const char *type,
        const char *id,
        const char *field)
{
  return cl_gui_test_stored (store (), type, id, field);
}

/* The first descendant of @widget of type @type (and named @name, unless NULL). */
static GtkWidget *
find (GtkWidget  *widget,
      GType       type,
      const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwEntryRow *
named_users_row (void)
{
  GtkWidget *row = find (GTK_WIDGET (case_page ()), ADW_TYPE_ENTRY_ROW, "named-users");

  g_assert_nonnull (row);
  return ADW_ENTRY_ROW (row);
}

static GtkSwitch *
restricted_switch (ClRecordForm *form)
{
  GtkWidget *row = cl_record_form_get_row (form, "restricted");

  g_assert_nonnull (row);
  return GTK_SWITCH (find (row, GTK_TYPE_SWITCH, NULL));
}

static void
open_case (const char *id)
{
  cl_window_open_case (window (), id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), id) == 0, 2000);
  cl_gui_test_spin (100);
}

/* Scrolls the case page so the group of the named-users row is at the top. */
static void
scroll_to_access (void)
{
  GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (named_users_row ()),
                                              ADW_TYPE_PREFERENCES_GROUP);
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (group,
                                                                             GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  /* Again until it holds: a new style or size lays the page out anew. */
  for (guint i = 0; i < 10; i++)
    {
      graphene_point_t at;

      cl_gui_test_spin (100);
      g_assert_true (gtk_widget_compute_point (group, GTK_WIDGET (scrolled),
                                               &GRAPHENE_POINT_INIT (0, 0), &at));
      if (at.y >= 0 && at.y <= 24)
        return;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + at.y - 12);
    }
  g_error ("The named users row does not scroll into view");
}

static void
screenshots (const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);
  g_autofree char *narrow = g_strconcat (name, "-narrow", NULL);
  GtkWindow *w = GTK_WINDOW (window ());

  scroll_to_access ();
  cl_gui_test_screenshot_window (w, name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  scroll_to_access ();
  cl_gui_test_screenshot_window (w, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (w, 360, 720);
  scroll_to_access ();
  cl_gui_test_screenshot_window (w, narrow);
  gtk_window_set_default_size (w, 1200, 760);
  cl_gui_test_spin (300);
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_unlock (void)
{
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_unlock_page_unlock (_cl_window_get_unlock_page (window ()), PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (cl_application_get_context (app)), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
  gtk_window_set_default_size (GTK_WINDOW (window ()), 1200, 760);
}

/* Restricting names the current user and the assigned advocate, in one edit. */
static void
test_restrict_names_defaults (void)
{
  g_autofree char *expected = NULL;
  g_autofree char *named = NULL;
  g_autofree char *user = g_ascii_strdown (g_get_user_name (), -1);
  g_autofree char *both = g_strconcat (user, ",ben", NULL);
  g_autoptr(GError) error = NULL;
  AdwEntryRow *row;
  GtkWidget *group;

  open_case (assigned_case);
  row = named_users_row ();
  group = gtk_widget_get_ancestor (GTK_WIDGET (row), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_false (gtk_widget_get_visible (group));

  gtk_switch_set_active (restricted_switch (_cl_case_page_get_case_form (case_page ())), TRUE);
  cl_gui_test_spin (100);

  named = stored ("case", assigned_case, "named_users");
  expected = cl_field_normalize (cl_type_lookup_field (cl_schema_lookup_type ("case"),
                                                       "named_users"), both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (named, ==, expected);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
  {
    g_auto(GStrv) names = g_strsplit (expected, ";", -1);
    g_autofree char *text = g_strjoinv (", ", names);

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, text);
  }
  screenshots ("restricted-named-users");
}

/* The row takes usernames separated by commas, from the keyboard; anything else is
 * refused without saving. */
static void
test_edit_named_users (void)
{
  AdwEntryRow *row = named_users_row ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  gtk_editable_set_text (GTK_EDITABLE (row), "Ana,  carol , ana");
  g_signal_emit_by_name (row, "entry-activated");
  cl_gui_test_spin (100);
  after = stored ("case", assigned_case, "named_users");
  g_assert_cmpstr (after, ==, "ana;carol");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "ana, carol");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));

  before = g_steal_pointer (&after);
  gtk_editable_set_text (GTK_EDITABLE (row), "ana, María López");
  g_signal_emit_by_name (row, "apply");
  cl_gui_test_spin (100);
  after = stored ("case", assigned_case, "named_users");
  g_assert_cmpstr (after, ==, before);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (row)));
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "restricted-named-users-invalid");

  /* Lifting the restriction hides the row and keeps the names for next time. */
  gtk_editable_set_text (GTK_EDITABLE (row), "ana, carol");
  gtk_switch_set_active (restricted_switch (_cl_case_page_get_case_form (case_page ())),
                         FALSE);
  cl_gui_test_spin (100);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (GTK_WIDGET (row),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));
  g_clear_pointer (&after, g_free);
  after = stored ("case", assigned_case, "restricted");
  g_assert_cmpstr (after, ==, "0");
  g_clear_pointer (&after, g_free);
  after = stored ("case", assigned_case, "named_users");
  g_assert_cmpstr (after, ==, "ana;carol");
}

/* A restricted client restricts its cases: the row shows, and this case names the
 * current user (here also its assigned advocate). */
static void
test_restricted_client (void)
{
  g_autofree char *user = g_ascii_strdown (g_get_user_name (), -1);
  g_autofree char *client_id = stored ("case", second_case, "client_id");
  g_autofree char *client_restricted = NULL;
  g_autofree char *named = NULL;

  open_case (second_case);
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (GTK_WIDGET (named_users_row ()),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));
  gtk_switch_set_active (restricted_switch (_cl_case_page_get_client_form (case_page ())),
                         TRUE);
  cl_gui_test_spin (100);
  client_restricted = stored ("client", client_id, "restricted");
  g_assert_cmpstr (client_restricted, ==, "1");
  named = stored ("case", second_case, "named_users");
  g_assert_cmpstr (named, ==, user);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (GTK_WIDGET (named_users_row ()),
                                                                  ADW_TYPE_PREFERENCES_GROUP)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (named_users_row ())), ==, user);
}

/* Harness ---------------------------------------------------------------------------- */

static void
create_test_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) s = NULL;
  g_autofree char *client = NULL;
  g_autofree char *other = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  client = cl_test_create (s, "client", "pseudonym", "Restricted Test", NULL);
  assigned_case = cl_test_create (s, "case", "client_id", client, "command", "14",
                                  "track", "dv", "assigned_to", "ben", NULL);
  other = cl_test_create (s, "client", "pseudonym", "Second Test", NULL);
  second_case = cl_test_create (s, "case", "client_id", other, "command", "14",
                                "track", "cv", NULL);
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-restricted");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-restricted/unlock", test_unlock);
  g_test_add_func ("/gui-restricted/restrict-names-defaults", test_restrict_names_defaults);
  g_test_add_func ("/gui-restricted/edit-named-users", test_edit_named_users);
  g_test_add_func ("/gui-restricted/restricted-client", test_restricted_client);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (assigned_case);
  g_free (second_case);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
