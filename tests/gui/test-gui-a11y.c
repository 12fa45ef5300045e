/* test-gui-a11y.c: the main window to a screen reader and a keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with two cases, one with a task overdue. Case-list
 * rows are named by their case; an overdue date shows an icon besides its colour; the sync
 * button and its menu button are named; a button with a mnemonic is named once, without
 * its underscore (GTK 4.8 named it twice); the sidebar changes the view on activation, not
 * on focus; the demo notice's text is at least 4.5:1 on its background, light and dark;
 * an empty view says what it is for and offers the next step, and takes the focus; Tab
 * goes round the case list screen through every control; and, through the real AT-SPI bus
 * (a11y-tree.py, pyatspi), the case list and Reports have no focusable control without a
 * usable name. Without the AT-SPI bus or pyatspi the test fails, saying so.
 */

#define G_LOG_DOMAIN "test-gui-a11y"

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cl-application.h"
#include "cl-case-list.h"
#include "cl-gui-util.h"
#include "cl-gui-main.h"
#include "cl-gui-test.h"
#include "cl-schema.h"
#include "cl-reports-page.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *overdue_case;
static ClApplication *app;

static ClWindow *
window (void)
{
  return cl_gui_main_window (app);
}

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &out,
                                                        NULL, &error));
  g_assert_no_error (error);
  g_object_set_data_full (object, "cl-out", out, g_free);
  *(gboolean *) user_data = TRUE;
}

static void
assert_label (GtkWidget  *widget,
              const char *label)
{
  g_autofree char *differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                 label);

  if (differs != NULL)
    g_error ("A %s is named \"%s\", not \"%s\"", G_OBJECT_TYPE_NAME (widget), differs, label);
}

static void
test_unlock (void)
{
  cl_gui_main_unlock (app, PASSPHRASE);
  gtk_window_set_default_size (GTK_WINDOW (window ()), 1180, 760);
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) == 2, 5000);
  cl_gui_test_spin (300);
}

static void
collect (GtkWidget  *widget,
         const char *name,
         GPtrArray  *found)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0 && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, name, found);
}

/* Each row says its case: client, case number, status, and what is due or overdue; an
 * overdue date has an icon named "Overdue", besides its colour. */
static void
test_rows_named (void)
{
  GtkWidget *view = GTK_WIDGET (_cl_window_get_case_view (window ()));
  g_autoptr(GPtrArray) numbers = g_ptr_array_new ();
  g_autofree char *overdue_date = cl_format_date ("2020-01-02");
  guint overdue_rows = 0;

  collect (view, "case-number", numbers);
  g_assert_cmpuint (numbers->len, ==, 2);

  for (guint i = 0; i < numbers->len; i++)
    {
      GtkWidget *number = g_ptr_array_index (numbers, i);
      GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (number));
      GtkWidget *name = cl_gui_main_find (row, GTK_TYPE_LABEL, NULL);
      GtkWidget *status = cl_gui_main_find (row, GTK_TYPE_LABEL, "case-status");
      GtkWidget *due = cl_gui_main_find (row, GTK_TYPE_LABEL, "case-due");
      GtkWidget *icon = gtk_widget_get_prev_sibling (due);
      g_autofree char *expected = NULL;
      gboolean overdue;

      overdue = g_str_equal (gtk_label_get_text (GTK_LABEL (name)), "Olu Overdue");
      if (overdue)
        expected = g_strdup_printf ("Olu Overdue, case %s, %s, overdue since %s",
                                    gtk_label_get_text (GTK_LABEL (number)),
                                    gtk_label_get_text (GTK_LABEL (status)), overdue_date);
      else
        expected = g_strdup_printf ("Nia Nothing, case %s, %s, nothing due",
                                    gtk_label_get_text (GTK_LABEL (number)),
                                    gtk_label_get_text (GTK_LABEL (status)));
      assert_label (row, expected);

      g_assert_true (GTK_IS_IMAGE (icon));
      g_assert_cmpint (gtk_widget_get_visible (icon), ==, overdue);
      assert_label (icon, "Overdue");
      overdue_rows += overdue;
    }
  g_assert_cmpuint (overdue_rows, ==, 1);
}

/* The sync button says what it would do and the state; its menu button is named. */
static void
test_sync_named (void)
{
  GtkWidget *indicator = GTK_WIDGET (_cl_window_get_sync_indicator (window ()));
  GtkWidget *split = cl_gui_main_find (indicator, ADW_TYPE_SPLIT_BUTTON, NULL);
  GtkWidget *menu = cl_gui_main_find (split, GTK_TYPE_MENU_BUTTON, NULL);
  GtkWidget *button = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (split); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child))
      button = child;
  g_assert_nonnull (button);
  g_assert_nonnull (gtk_widget_get_tooltip_text (split));
  assert_label (button, gtk_widget_get_tooltip_text (split));
  assert_label (menu, "Sync Options");
  assert_label (gtk_widget_get_first_child (menu), "Sync Options");
}

/* A button with a mnemonic is named by its text alone, once. */
static void
test_mnemonic_named_once (void)
{
  GtkWidget *conflicts = _cl_window_get_conflicts_button (window ());

  assert_label (conflicts, "Resolve Conflicts…");
  gtk_button_set_label (GTK_BUTTON (conflicts), "_Resolve Them");
  assert_label (conflicts, "Resolve Them");
  gtk_button_set_label (GTK_BUTTON (conflicts), "_Resolve Conflicts…");
}

static ClCaseView
view_shown (void)
{
  return cl_case_list_get_view (CL_CASE_LIST (_cl_window_get_cases (window ())));
}

/* Moving the focus through the sidebar (Tab, arrows) leaves the view shown; activating a
 * row shows its view. */
static void
test_sidebar_activation (void)
{
  GtkWidget *sidebar = cl_gui_main_find (GTK_WIDGET (window ()), g_type_from_name ("ClSidebar"), NULL);
  GtkWidget *list = cl_gui_main_find (sidebar, GTK_TYPE_LIST_BOX, NULL);
  GtkListBoxRow *last = NULL;
  GtkListBoxRow *row;

  g_assert_cmpint (view_shown (), ==, CL_CASE_VIEW_MINE);

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i)) != NULL; i++)
    {
      g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (row)));
      cl_gui_test_spin (20);
      g_assert_cmpint (view_shown (), ==, CL_CASE_VIEW_MINE);
      last = row;
    }
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0)));
  for (guint i = 0; i < 8; i++)
    {
      gtk_widget_child_focus (GTK_WIDGET (window ()), i < 5 ? GTK_DIR_DOWN : GTK_DIR_TAB_FORWARD);
      cl_gui_test_spin (20);
      g_assert_cmpint (view_shown (), ==, CL_CASE_VIEW_MINE);
    }

  /* Needs Attention, the last row, by Enter. */
  g_signal_emit_by_name (last, "activate");
  cl_gui_test_spin (50);
  g_assert_cmpint (view_shown (), ==, CL_CASE_VIEW_NEEDS_ATTENTION);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (last), "selected") ||
                 (gtk_widget_get_state_flags (GTK_WIDGET (last)) & GTK_STATE_FLAG_SELECTED));
  cl_window_show_view (window (), CL_CASE_VIEW_MINE);
}

/* An empty view says what it is for and offers the next thing to do, by a named button
 * that the focus goes to ("back to the list" lands there, not on a hidden list). */
static void
test_empty_views (void)
{
  static const ClCaseView empty[] = { CL_CASE_VIEW_CLOSED, CL_CASE_VIEW_NEEDS_ATTENTION };
  GtkWidget *root = GTK_WIDGET (window ());
  g_autofree char *first_title = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      GtkWidget *button;
      AdwStatusPage *page;
      g_autofree char *name = NULL;

      cl_window_show_view (window (), empty[i]);
      WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) == 0, 5000);
      gtk_widget_activate_action (root, "win.show-list", NULL);
      cl_gui_test_spin (200);

      button = gtk_window_get_focus (GTK_WINDOW (root));
      g_assert_true (GTK_IS_BUTTON (button));
      g_assert_true (gtk_widget_get_mapped (button));
      page = ADW_STATUS_PAGE (gtk_widget_get_ancestor (button, ADW_TYPE_STATUS_PAGE));
      g_assert_nonnull (page);
      g_assert_cmpstr (adw_status_page_get_title (page), !=, "");
      g_assert_nonnull (adw_status_page_get_description (page));
      g_assert_cmpuint (strlen (adw_status_page_get_description (page)), >, 20);
      if (i == 0)
        first_title = g_strdup (adw_status_page_get_title (page));
      else
        g_assert_cmpstr (adw_status_page_get_title (page), !=, first_title);

      /* Named by its text, once. */
      name = g_strdup (gtk_button_get_label (GTK_BUTTON (button)));
      g_assert_nonnull (strchr (name, '_'));
      memmove (strchr (name, '_'), strchr (name, '_') + 1, strlen (strchr (name, '_')));
      assert_label (button, name);

      g_test_message ("%s: %s", adw_status_page_get_title (page),
                      adw_status_page_get_description (page));
      cl_gui_test_screenshot_window (GTK_WINDOW (root), i == 0 ? "empty-closed"
                                                             : "empty-needs-attention");

      /* Its button shows the advocate's own cases. */
      g_signal_emit_by_name (button, "clicked");
      WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) == 2, 5000);
      g_assert_cmpint (view_shown (), ==, CL_CASE_VIEW_MINE);
    }
}

/* WCAG's relative luminance and contrast ratio. */
static double
luminance (const GdkRGBA *c)
{
  double v[3] = { c->red, c->green, c->blue };

  for (guint i = 0; i < 3; i++)
    v[i] = v[i] <= 0.03928 ? v[i] / 12.92 : pow ((v[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

static double
contrast (const GdkRGBA *a,
          const GdkRGBA *b)
{
  double la = luminance (a), lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* The demo notice is readable: 4.5:1 at least, light and dark. */
static void
test_demo_banner_contrast (void)
{
  GtkWidget *banner = cl_gui_main_find (GTK_WIDGET (window ()), GTK_TYPE_WIDGET, "demo-banner");
  GtkWidget *label = cl_gui_main_find (banner, GTK_TYPE_LABEL, NULL);
  AdwStyleManager *manager = adw_style_manager_get_default ();

  g_assert_nonnull (label);
  for (guint dark = 0; dark < 2; dark++)
    {
      GdkRGBA fg, bg;

      adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
      cl_gui_test_spin (100);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (gtk_widget_get_style_context (label), &fg);
      g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (banner),
                                                     "demo_banner_bg_color", &bg));
      G_GNUC_END_IGNORE_DEPRECATIONS
      g_test_message ("Demo notice, %s: %.2f:1", dark ? "dark" : "light", contrast (&fg, &bg));
      g_assert_cmpfloat (contrast (&fg, &bg), >=, 4.5);
    }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

/* Runs a11y-tree.py (with Debian's python3, where python3-pyatspi is) on this process
 * while the main loop answers its AT-SPI queries. */
static void
check_screen (const char *screen,
              gboolean    tables)
{
  const char *script = g_getenv ("CASELOAD_A11Y_TREE");
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *out = NULL;
  int status = 2;

  if (script == NULL)
    g_error ("CASELOAD_A11Y_TREE does not name a11y-tree.py: run the test through meson");

  /* The application joins the AT-SPI bus a few seconds after it starts (or after a new
   * locale): a tree not yet there is asked for again, for up to 20 s. */
  for (guint attempt = 0; attempt < 10 && status == 2; attempt++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GError) error = NULL;
      gboolean done = FALSE;

      if (attempt > 0)
        cl_gui_test_spin (2000);
      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                &error, script, pid, screen, tables ? "--tables" : NULL,
                                NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8_async (child, NULL, NULL, communicated_cb, &done);
      WAIT_UNTIL (done, 60000);
      g_free (out);
      out = g_object_steal_data (G_OBJECT (child), "cl-out");
      g_test_message ("%s", out != NULL ? out : "");
      status = g_subprocess_get_if_exited (child) ? g_subprocess_get_exit_status (child) : 2;
    }

  if (status == 2)
    g_error ("The accessibility tree cannot be read: %s", out);
  if (status != 0)
    g_error ("Controls without a usable name on the %s screen:\n%s", screen, out);
}

static void
check_tree (const char *screen)
{
  check_screen (screen, FALSE);
}

/* The case list and the Reports view, as a screen reader finds them: every focusable
 * control has a usable name. */
static void
test_atspi_tree (void)
{
  ClWindow *w = window ();

  check_tree ("case list");

  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-reports", NULL);
  cl_gui_test_spin (300);
  check_tree ("reports");

  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-list", NULL);
  cl_gui_test_spin (200);
}

/* The first row of a record or an expander below @widget whose title starts with @title
 * (not a field's row: "Phone" is a client's field and a safe contact's channel). */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if ((ADW_IS_EXPANDER_ROW (widget) ||
       (ADW_IS_ACTION_ROW (widget) && !ADW_IS_COMBO_ROW (widget))) &&
      g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row titled @title is named @kind (if any), its title and its subtitle (if any). */
static void
assert_row_named (const char *kind,
                  const char *title)
{
  GtkWidget *row = find_row (GTK_WIDGET (window ()), title);
  g_autoptr(GString) expected = g_string_new (kind);
  const char *parts[2];

  if (row == NULL)
    g_error ("No row \"%s\" on the case page", title);
  parts[0] = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  parts[1] = ADW_IS_EXPANDER_ROW (row) ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row))
                                       : adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL && *parts[i] != '\0')
      {
        if (expected->len > 0)
          {
            g_autofree char *joined = g_strdup_printf (g_dpgettext2 (GETTEXT_PACKAGE,
                                                                     "accessible", "%s, %s"),
                                                       expected->str, parts[i]);

            g_string_assign (expected, joined);
          }
        else
          g_string_assign (expected, parts[i]);
      }
  assert_label (row, expected->str);
}

/* What a record of @type is called, in the language of the run. */
static const char *
type_label (const char *type)
{
  return g_dgettext (GETTEXT_PACKAGE, cl_schema_lookup_type (type)->label);
}

/* The case page, every section with a record in it, and the Preferences window, as a
 * screen reader finds them: a row says what it is, its title and its details. */
static void
test_atspi_case_page (void)
{
  g_autofree char *contact = NULL;
  GtkWindow *preferences;

  cl_window_open_case (window (), overdue_case);
  cl_gui_test_spin (500);
  /* Translators' "Phone call: Reached", as the contact log writes it. */
  contact = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "%s: %s"),
                             cl_enum_label ("channel", "phone"),
                             cl_enum_label ("contact_outcome", "reached"));
  assert_row_named (type_label ("contact"), contact);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_row (GTK_WIDGET (window ()),
                                                                          contact))),
                   !=, "");
  assert_row_named (type_label ("task"), "Call back");
  assert_row_named (type_label ("note"), "Asked for a call");
  /* The safe contact's channel, an expander row (the page's first row of that title). */
  assert_row_named (NULL, cl_enum_label ("channel", "phone"));
  if (!cl_gui_test_in_test_locale ())
    {
      assert_row_named (NULL, "Contact added");     /* history */
      assert_row_named (NULL, "Race/ethnicity");    /* overview, an expander */
    }
  check_tree ("case page");

  cl_window_show_preferences (window ());
  cl_gui_test_spin (500);
  preferences = NULL;
  {
    g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_PREFERENCES_WINDOW (l->data) && gtk_widget_get_visible (l->data))
        preferences = l->data;
  }
  g_assert_nonnull (preferences);
  check_tree ("preferences");
  gtk_window_destroy (preferences);
  cl_gui_test_spin (100);

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
}

/* A report's result as a screen reader finds it: each table a table, its columns headed
 * and named, each row named by its label and its cells, header by header. */
static void
test_atspi_report_tables (void)
{
  ClReportsPage *page = _cl_window_get_reports_page (window ());

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  cl_gui_test_spin (200);
  _cl_reports_page_set_report (page, "caseload");
  _cl_reports_page_set_custom_period (page, "2026-10-01", "2026-11-30");
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL);
  WAIT_UNTIL (!cl_reports_page_get_busy (page), 20000);
  g_assert_nonnull (cl_reports_page_get_result (page));
  WAIT_UNTIL (!_cl_reports_page_get_filling (page), 60000);
  cl_gui_test_spin (300);
  check_screen ("report tables", TRUE);

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
}

/* Goes to the next language, the list of cases shown. */
static void
test_switch_locale (gconstpointer data)
{
  cl_gui_main_switch_locale (app, data);
  gtk_window_set_default_size (GTK_WINDOW (window ()), 1180, 760);
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (window ())) == 2, 5000);
  cl_gui_test_spin (300);
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_TEXT (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_DROP_DOWN (widget) || GTK_IS_LIST_BOX_ROW (widget);
}

/* Every control of the window a person could Tab to: shown, sensitive, focusable. */
static void
collect_controls (GtkWidget  *widget,
                  GHashTable *controls)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    return;
  if (is_control (widget) && gtk_widget_get_focusable (widget) &&
      gtk_widget_get_can_focus (widget))
    g_hash_table_add (controls, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_controls (child, controls);
}

/* Tab goes round the case list screen: back to where it started, through every control. */
static void
test_tab_walk (void)
{
  GtkWidget *root = GTK_WIDGET (window ());
  g_autoptr(GHashTable) controls = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) reached = g_hash_table_new (NULL, NULL);
  GtkWidget *first = NULL;
  gboolean round = FALSE;
  GHashTableIter iter;
  gpointer widget;

  cl_window_show_view (window (), CL_CASE_VIEW_MINE);
  cl_gui_test_spin (200);
  collect_controls (root, controls);
  g_assert_cmpuint (g_hash_table_size (controls), >, 5);

  gtk_window_set_focus (GTK_WINDOW (root), NULL);
  for (guint i = 0; i < 300 && !round; i++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        continue;   /* off the end: the next Tab starts over */
      focus = gtk_window_get_focus (GTK_WINDOW (root));
      g_assert_nonnull (focus);
      if (first == NULL)
        first = focus;
      else if (focus == first)
        round = TRUE;
      for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
        g_hash_table_add (reached, w);
    }
  if (!round)
    g_error ("Tab never comes back to where it started: a trap");

  g_hash_table_iter_init (&iter, controls);
  while (g_hash_table_iter_next (&iter, &widget, NULL))
    if (!g_hash_table_contains (reached, widget))
      g_error ("Tab never reaches a %s (%s)", G_OBJECT_TYPE_NAME (widget),
               gtk_widget_get_tooltip_text (widget));
}

static void
create_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  char *overdue;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, g_get_user_name ());
  overdue = cl_test_new_case (store, "Olu Overdue");
  g_free (cl_test_create (store, "task", "case_id", overdue, "due", "2020-01-02",
                          "title", "Call back", NULL));
  /* A record in every section of its page. */
  g_free (cl_test_create (store, "contact", "case_id", overdue, "at", "2026-11-12T15:00:00Z",
                          "direction", "outbound", "channel", "phone", "outcome", "reached",
                          NULL));
  g_free (cl_test_create (store, "service", "case_id", overdue, "date", "2026-11-12",
                          "code", "C1", "times", "1", NULL));
  g_free (cl_test_create (store, "note", "case_id", overdue, "at", "2026-11-13T10:00:00Z",
                          "text", "Asked for a call after six", NULL));
  g_free (cl_test_create (store, "victimization", "case_id", overdue, "type", "robbery",
                          NULL));
  {
    g_autoptr(ClRecord) record = cl_store_get (store, "case", overdue, &error);

    g_assert_no_error (error);
    g_free (cl_test_create (store, "safe_contact", "client_id",
                            cl_record_get (record, "client_id"), "channel", "phone",
                            "safe", "yes", "agency_ok", "yes", NULL));
  }
  overdue_case = g_steal_pointer (&overdue);
  g_free (cl_test_new_case (store, "Nia Nothing"));
  g_clear_object (&store);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) locales = NULL;
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-a11y");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_vault ();

  g_test_add_func ("/gui-a11y/unlock", test_unlock);
  locales = cl_gui_test_locales ();
  if (locales[0] == NULL)
    {
      g_test_add_func ("/gui-a11y/rows-named", test_rows_named);
      g_test_add_func ("/gui-a11y/sync-named", test_sync_named);
      g_test_add_func ("/gui-a11y/mnemonic-named-once", test_mnemonic_named_once);
      g_test_add_func ("/gui-a11y/sidebar-activation", test_sidebar_activation);
      g_test_add_func ("/gui-a11y/demo-banner-contrast", test_demo_banner_contrast);
      g_test_add_func ("/gui-a11y/empty-views", test_empty_views);
      g_test_add_func ("/gui-a11y/tab-walk", test_tab_walk);
      g_test_add_func ("/gui-a11y/atspi-tree", test_atspi_tree);
      g_test_add_func ("/gui-a11y/atspi-case-page", test_atspi_case_page);
      g_test_add_func ("/gui-a11y/atspi-report-tables", test_atspi_report_tables);
    }
  /* In each language of $CASELOAD_TEST_LOCALE, one after the other: what speaks the
   * language (the tests above that compare English words run in English). */
  for (guint i = 0; locales[i] != NULL; i++)
    {
      g_autofree char *language = g_strndup (locales[i], strcspn (locales[i], "."));
      g_autofree char *path = NULL;

#define ADD(name, func) \
      g_free (path); \
      path = g_strdup_printf ("/gui-a11y/%s/" name, language); \
      g_test_add_func (path, func)
      if (i > 0)
        {
          path = g_strdup_printf ("/gui-a11y/%s/switch", language);
          g_test_add_data_func (path, locales[i], test_switch_locale);
        }
      ADD ("tab-walk", test_tab_walk);
      ADD ("atspi-tree", test_atspi_tree);
      /* The case page's and a report's trees, read through AT-SPI, cost half a minute a
       * language on a loaded machine: the first language of each group reads them (its
       * names come from the same code as the others'; a name a translation breaks, a
       * doubled mnemonic say, shows in the main screen's tree and the tab walk). */
      if (i == 0)
        {
          ADD ("atspi-case-page", test_atspi_case_page);
          ADD ("atspi-report-tables", test_atspi_report_tables);
        }
#undef ADD
    }

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  if (g_strv_length (locales) > 1)
    cl_gui_main_end_at_shutdown (app, tmp_dir);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (overdue_case);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
