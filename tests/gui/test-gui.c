/* test-gui.c: the desktop program, driven through its actions and widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a test vault under Xvfb and a private D-Bus session (the
 * meson test wraps this binary in dbus-run-session and xvfb-run). The tests run in order
 * inside the application's main loop, each one a step of an advocate's day: unlock, create
 * a referral, log a contact on an unsafe channel, add a service, undo an edit, search, open
 * a restricted case, close a case, lock (Ctrl+L, idle, the screen saver's ActiveChanged,
 * logind's PrepareForSleep and Session.Lock) and unlock, with a new record half-typed when
 * the vault locks (kept, and back after unlock). They assert on the store and on
 * widget state, never on pixels. Screenshots of the main screens (light, dark, right to
 * left, narrow) go to $CASELOAD_SCREENSHOT_DIR as artifacts.
 *
 * The logind signals need a system bus: cl_gui_test_init() points DBUS_SYSTEM_BUS_ADDRESS
 * at the private session bus before the application starts, and the test owns
 * org.freedesktop.login1 on it to send them (cl_gui_test_play_logind()).
 */

#define G_LOG_DOMAIN "test-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-list.h"
#include "cl-case-page-private.h"
#include "cl-drafts.h"
#include "cl-gui-util.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"
#include "cl-reports-page.h"
#include "cl-service-picker.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"
#define MARKER "Zorbafield"
#define DRAFT_MARKER "Quillonwick"

static char *tmp_dir;
static char *vault_dir;
static ClApplication *app;
static char *plain_case_id;
static char *restricted_case_id;
static char *new_case_id;
static char *recovery_key;

/* Helpers --------------------------------------------------------------------------- */

static ClWindow *
window (void)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (w == NULL)
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
      w = windows != NULL ? windows->data : NULL;
    }

  g_assert_true (CL_IS_WINDOW (w));
  return CL_WINDOW (w);
}

static ClContext *
context (void)
{
  return cl_application_get_context (app);
}

static ClStore *
store (void)
{
  return cl_gui_test_store (app);
}

static gint64
count (const char *type,
       ...)
{
  g_autoptr(ClChanges) where = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  gint64 n;
  va_list args;

  va_start (args, type);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (where, field, va_arg (args, const char *));
  va_end (args);

  n = cl_store_count (store (), type, where, &error);
  g_assert_no_error (error);
  return n;
}

static ClRecord *
get_record (const char *type,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  ClRecord *record = cl_store_get (store (), type, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static char *
create (ClStore    *s,
        const char *type,
        ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  char *id;
  va_list args;

  va_start (args, type);
  while ((field = va_arg (args, const char *)) != NULL)
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);

  id = cl_store_create (s, type, values, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static guint
n_transient_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (w) != NULL && gtk_widget_get_visible (GTK_WIDGET (w)))
        n++;
    }

  return n;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }

  return NULL;
}

/* What clicking a response button does: the response, then the dialog closes (holding a
 * reference, as libadwaita does, in case the response destroys the dialog's parent). */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static void
unlock (void)
{
  ClUnlockPage *page = _cl_window_get_unlock_page (window ());

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  WAIT_UNTIL (cl_vault_retry_delay_ms () == 0 || !cl_unlock_page_get_busy (page), 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
}

static void
assert_locked_and_clean (void)
{
  ClWindow *w = window ();

  WAIT_UNTIL (cl_context_get_locked (context ()), 1000);

  /* DESIGN.md §4 and TESTING.md S4: only the unlock screen, and no client data left in
   * widgets or models. */
  g_assert_cmpstr (_cl_window_get_page (w), ==, "unlock");
  g_assert_null (cl_context_get_store (context ()));
  g_assert_null (_cl_window_get_cases (w));
  g_assert_null (cl_case_page_get_case_id (_cl_window_get_case_page (w)));
  g_assert_cmpuint (_cl_case_page_get_n_rows (_cl_window_get_case_page (w), "contact"), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (_cl_window_get_search_entry (w)), ==, "");
  g_assert_cmpint (_cl_window_get_view_count (w, CL_CASE_VIEW_MINE), ==, -1);
  g_assert_false (_cl_window_get_can_undo (w));
  g_assert_cmpuint (n_transient_windows (), ==, 0);
}

/* Whether an entry or a label of @widget or below shows @needle. */
static gboolean
widget_shows (GtkWidget  *widget,
              const char *needle)
{
  if (GTK_IS_EDITABLE (widget) &&
      strstr (gtk_editable_get_text (GTK_EDITABLE (widget)), needle) != NULL)
    return TRUE;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (widget_shows (child, needle))
      return TRUE;

  return FALSE;
}

static gboolean
any_window_shows (const char *needle)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (widget_shows (GTK_WIDGET (w), needle))
        return TRUE;
    }

  return FALSE;
}

static const char *
row_text (ClRecordForm *form,
          const char   *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (cl_record_form_get_row (form, field)));
}

/* The buffer holding what a row's entry shows: it outlives the row with a reference. */
static GtkEntryBuffer *
ref_row_buffer (ClRecordForm *form,
                const char   *field)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (cl_record_form_get_row (form,
                                                                                     field)));

  return g_object_ref (gtk_text_get_buffer (GTK_TEXT (text)));
}

/* Screenshots ------------------------------------------------------------------------ */

static void
screenshot (const char *name)
{
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), name);
}

/* Scrolls the case page to a fraction of its height. */
static void
scroll_case_page (double fraction)
{
  GtkWidget *page = GTK_WIDGET (_cl_window_get_case_page (window ()));
  GtkWidget *child = page;
  GtkAdjustment *adjustment;

  /* Depth first, to the preferences page; its first child is its scrolled window. */
  while (child != NULL && !ADW_IS_PREFERENCES_PAGE (child))
    {
      if (gtk_widget_get_first_child (child) != NULL)
        child = gtk_widget_get_first_child (child);
      else
        {
          while (child != page && gtk_widget_get_next_sibling (child) == NULL)
            child = gtk_widget_get_parent (child);
          child = child == page ? NULL : gtk_widget_get_next_sibling (child);
        }
    }
  g_assert_nonnull (child);
  child = gtk_widget_get_first_child (child);
  g_assert_true (GTK_IS_SCROLLED_WINDOW (child));

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child));
  gtk_adjustment_set_value (adjustment,
                            fraction * (gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment)));
  cl_gui_test_spin (200);
}

static void
resize (int width,
        int height)
{
  GtkWidget *w = GTK_WIDGET (window ());

  gtk_window_set_default_size (GTK_WINDOW (w), width, height);
  WAIT_UNTIL (ABS (gtk_widget_get_width (w) - width) < 80, 3000);
  cl_gui_test_spin (1000);
}

/* Tests ------------------------------------------------------------------------------ */

/* The first descendant of @widget of type @type. */
static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
done_cb (ClFirstRun *first_run,
         gboolean   *done)
{
  *done = TRUE;
}

static void
test_first_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmp_dir, "first-run-vault", NULL);
  g_autoptr(ClContext) other = cl_context_new (dir, NULL);
  GtkWidget *win = gtk_window_new ();
  ClFirstRun *first_run = g_object_new (CL_TYPE_FIRST_RUN, NULL);
  gboolean done = FALSE;

  cl_first_run_set_context (first_run, other);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (first_run));
  gtk_window_present (GTK_WINDOW (win));
  g_signal_connect (first_run, "done", G_CALLBACK (done_cb), &done);

  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "welcome");
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create", NULL);
  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "passphrase");

  /* Strength feedback, and Create only with a fair passphrase typed twice. */
  cl_first_run_set_passphrase (first_run, "short", "short");
  g_assert_cmpint (cl_first_run_get_strength (first_run), ==, 0);
  cl_first_run_set_passphrase (first_run, "aaaaaaaaaa", "aaaaaaaaaa");
  g_assert_cmpint (cl_first_run_get_strength (first_run), <=, 1);
  /* Long and varied, but a keyboard walk: the vault's rule refuses it. */
  cl_first_run_set_passphrase (first_run, "Qwerty123456!", "Qwerty123456!");
  g_assert_cmpint (cl_first_run_get_strength (first_run), <=, 1);
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create-vault", NULL);
  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "passphrase");
  g_assert_false (cl_vault_exists (dir));
  cl_first_run_set_passphrase (first_run, PASSPHRASE, "correct horse battery stapel");
  g_assert_cmpint (cl_first_run_get_strength (first_run), >=, 3);
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create-vault", NULL);
  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "passphrase");
  g_assert_false (cl_vault_exists (dir));

  cl_first_run_set_passphrase (first_run, PASSPHRASE, PASSPHRASE);
  /* Enter in the passphrase moves to its repetition, and creates nothing yet. */
  {
    GtkWidget *passphrase = find_widget (GTK_WIDGET (first_run), ADW_TYPE_PASSWORD_ENTRY_ROW);
    GtkWidget *repeat = gtk_widget_get_next_sibling (passphrase);
    GtkWidget *focus;

    g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (repeat));
    WAIT_UNTIL (gtk_widget_get_mapped (repeat) && gtk_widget_grab_focus (passphrase), 5000);
    g_signal_emit_by_name (passphrase, "entry-activated");
    focus = gtk_root_get_focus (GTK_ROOT (win));
    g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (repeat));
    g_assert_true (focus != NULL && gtk_widget_is_ancestor (focus, repeat));
    g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "passphrase");
    g_assert_false (cl_vault_exists (dir));
  }
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create-vault", NULL);
  WAIT_UNTIL (g_strcmp0 (cl_first_run_get_page (first_run), "recovery") == 0, 20000);
  g_assert_true (cl_vault_exists (dir));
  g_assert_cmpuint (strlen (cl_first_run_get_recovery_key (first_run)), >=, 16);
  g_assert_false (cl_context_get_locked (other));

  /* Continue only once the advocate says the recovery key is stored. */
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.finish", NULL);
  g_assert_false (done);
  cl_first_run_set_stored (first_run, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.finish", NULL);
  g_assert_true (done);
  g_assert_cmpstr (cl_first_run_get_recovery_key (first_run), ==, "");

  cl_context_lock (other);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_demo (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "demo-base", NULL);
  g_autofree char *demo_dir = g_strconcat (dir, "-demo", NULL);
  g_autoptr(ClContext) other = cl_context_new (dir, NULL);
  GtkWidget *win = gtk_window_new ();
  ClFirstRun *first_run = g_object_new (CL_TYPE_FIRST_RUN, NULL);
  gboolean done = FALSE;
  gint64 n;

  g_setenv ("CASELOAD_DEMO_CASES", "40", TRUE);
  cl_first_run_set_context (first_run, other);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (first_run));
  gtk_window_present (GTK_WINDOW (win));
  g_signal_connect (first_run, "done", G_CALLBACK (done_cb), &done);

  /* Explore a demo: a vault of made-up cases beside the advocate's, never in it. */
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.demo", NULL);
  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "working");
  WAIT_UNTIL (done, 60000);
  g_assert_true (cl_context_get_demo (other));
  g_assert_false (cl_context_get_locked (other));
  g_assert_false (cl_vault_exists (dir));
  g_assert_true (cl_vault_exists (demo_dir));
  n = cl_store_count (cl_context_get_store (other), "case", NULL, NULL);
  g_assert_cmpint (n, ==, 40);

  /* Locked, it unlocks with the demo passphrase; discarded, it is erased. */
  cl_context_lock (other);
  g_assert_true (cl_context_vault_exists (other));
  cl_context_discard_demo (other);
  g_assert_false (cl_vault_exists (demo_dir));
  g_assert_false (cl_context_get_demo (other));

  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_unlock (void)
{
  ClWindow *w = window ();
  ClUnlockPage *page = _cl_window_get_unlock_page (w);

  g_assert_cmpstr (_cl_window_get_page (w), ==, "unlock");
  screenshot ("unlock-light");

  /* A wrong passphrase: a clear message, still locked. */
  cl_unlock_page_unlock (page, "not the passphrase");
  g_assert_true (cl_unlock_page_get_busy (page));
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 20000);
  g_assert_true (cl_context_get_locked (context ()));
  g_assert_nonnull (cl_unlock_page_get_error (page));
  g_assert_nonnull (strstr (cl_unlock_page_get_error (page), "Wrong passphrase"));
  g_assert_cmpstr (_cl_window_get_page (w), ==, "unlock");

  unlock ();
  g_assert_null (cl_unlock_page_get_error (page));
  WAIT_UNTIL (_cl_window_get_cases (w) != NULL, 2000);
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (w)) >= 3, 2000);
  WAIT_UNTIL (_cl_window_get_view_count (w, CL_CASE_VIEW_MINE) >= 0, 5000);
  g_assert_cmpint (_cl_window_get_view_count (w, CL_CASE_VIEW_MINE), >=, 3);
  g_assert_cmpint (_cl_window_get_view_count (w, CL_CASE_VIEW_CLOSED), ==, 0);

  screenshot ("main-light");
}

static void
test_sort (void)
{
  ClWindow *w = window ();
  GtkColumnView *view = _cl_window_get_case_view (w);
  GListModel *columns = gtk_column_view_get_columns (view);
  g_autoptr(GtkColumnViewColumn) name_column = g_list_model_get_item (columns, 0);
  g_autofree char *sort_by = NULL;
  gboolean descending = TRUE;
  GListModel *cases = _cl_window_get_cases (w);
  g_autoptr(ClCaseSummary) first = NULL;

  /* A click on the Client header sorts the list by name, in SQL. */
  gtk_column_view_sort_by_column (view, name_column, GTK_SORT_ASCENDING);
  g_object_get (w, "sort-by", &sort_by, "sort-descending", &descending, NULL);
  g_assert_cmpstr (sort_by, ==, "name");
  g_assert_false (descending);
  WAIT_UNTIL (g_list_model_get_n_items (cases) > 0, 2000);
  cl_gui_test_spin (100);
  first = g_list_model_get_item (cases, 0);
  g_assert_cmpstr (cl_case_summary_get_display_name (first), ==, "Mei Chen");

  /* The Sort menu does the same, and moves the header's arrow. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.sort-by", "s", "last-activity"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.sort-descending", NULL));
  g_clear_pointer (&sort_by, g_free);
  g_object_get (w, "sort-by", &sort_by, "sort-descending", &descending, NULL);
  g_assert_cmpstr (sort_by, ==, "last-activity");
  g_assert_true (descending);
}

static void
test_preferences (void)
{
  ClWindow *w = window ();
  GSettings *settings = cl_context_get_settings (context ());
  GtkWindow *preferences = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (w), "show-help-overlay"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) t = g_list_model_get_item (toplevels, i);
      if (ADW_IS_PREFERENCES_WINDOW (t))
        preferences = t;
    }
  g_assert_nonnull (preferences);
  cl_gui_test_screenshot_window (preferences, "preferences-light");
  gtk_window_destroy (preferences);

  /* Appearance follows the setting. */
  g_settings_set_string (settings, "color-scheme", "dark");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_settings_set_string (settings, "color-scheme", "light");
  g_assert_false (adw_style_manager_get_dark (adw_style_manager_get_default ()));

  /* The default command scopes "All in My Command". */
  g_settings_set_string (settings, "default-command", "5");
  g_assert_cmpstr (cl_store_get_command (store ()), ==, "5");
  g_settings_set_string (settings, "default-command", "");
  g_assert_null (cl_store_get_command (store ()));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) t = g_list_model_get_item (toplevels, i);
      if (ADW_IS_ABOUT_WINDOW (t))
        gtk_window_destroy (t);
    }
}

static void
test_new_referral (void)
{
  ClWindow *w = window ();
  ClNewReferralDialog *dialog;
  ClRecordForm *client_form;
  gint64 cases = count ("case", NULL);
  gint64 views = count ("audit", "action", "view", NULL);
  g_autoptr(ClRecord) case_record = NULL;
  g_autoptr(ClRecord) client = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.new-referral", NULL));
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "new-referral-light");

  /* Nothing typed: refused, nothing created. */
  g_assert_false (cl_new_referral_dialog_create (dialog));
  g_assert_cmpint (count ("case", NULL), ==, cases);

  client_form = cl_new_referral_dialog_get_form (dialog, "client");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (client_form, "legal_name")),
                         "Nadia " MARKER);
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (client_form, "phone")),
                         "718-555-0100");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "command", "75");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "track", "dv");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "referral"), "source",
                            "dir_review");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (
                           cl_new_referral_dialog_get_form (dialog, "referral"),
                           "complaint_number")), "2024-075-001234");

  g_assert_true (cl_new_referral_dialog_create (dialog));
  g_assert_cmpint (count ("case", NULL), ==, cases + 1);

  /* The new case opens, with the keyboard in it, and opening it is audited. */
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (w), "case") == 0, 2000);
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (w));

    g_assert_true (focus != NULL
                   && gtk_widget_is_ancestor (focus, GTK_WIDGET (_cl_window_get_case_page (w))));
  }
  new_case_id = g_strdup (cl_case_page_get_case_id (_cl_window_get_case_page (w)));
  g_assert_nonnull (new_case_id);
  g_assert_cmpint (count ("audit", "action", "view", NULL), ==, views + 1);

  case_record = get_record ("case", new_case_id);
  g_assert_cmpstr (cl_record_get (case_record, "status"), ==, "referred");
  g_assert_cmpstr (cl_record_get (case_record, "command"), ==, "75");
  g_assert_cmpstr (cl_record_get (case_record, "track"), ==, "dv");
  client = get_record ("client", cl_record_get (case_record, "client_id"));
  g_assert_cmpstr (cl_record_get (client, "legal_name"), ==, "Nadia " MARKER);
  g_assert_cmpint (count ("referral", "case_id", new_case_id, NULL), ==, 1);

  /* The window's title never names a client. */
  g_assert_null (strstr (gtk_window_get_title (GTK_WINDOW (w)), MARKER));

  /* An anonymous client needs a pseudonym, not a name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.new-referral", NULL));
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  cl_new_referral_dialog_set_anonymous (dialog, TRUE);
  g_assert_false (cl_new_referral_dialog_create (dialog));
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "command", "75");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (
                           cl_new_referral_dialog_get_form (dialog, "client"), "pseudonym")),
                         "Bluebird");
  g_assert_true (cl_new_referral_dialog_create (dialog));
  g_assert_cmpint (count ("client", "pseudonym", "Bluebird", NULL), ==, 1);
  g_assert_cmpint (count ("client", "pseudonym", "Bluebird", "legal_name", NULL, NULL), ==, 1);

  cl_window_open_case (w, new_case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (_cl_window_get_case_page (w)),
                         new_case_id) == 0, 2000);
}

static void
test_unsafe_contact (void)
{
  ClCasePage *page = _cl_window_get_case_page (window ());
  AdwMessageDialog *dialog;
  g_autoptr(ClRecord) case_record = get_record ("case", new_case_id);
  const char *client_id = cl_record_get (case_record, "client_id");

  g_assert_cmpstr (cl_case_page_get_case_id (page), ==, new_case_id);

  /* The client said phone calls are not safe. */
  _cl_case_page_set_channel_safe (page, "phone", "no");
  g_assert_cmpint (count ("safe_contact", "client_id", client_id, "channel", "phone",
                          "safe", "no", NULL), ==, 1);

  /* Logging a call warns, with the reason; cancelling logs nothing. */
  _cl_case_page_set_contact (page, "phone", "no_answer", "tried the cell");
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Is Not Safe"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "not safe"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Last confirmed on"));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "unsafe-contact-warning-light");
  respond (dialog, "cancel");
  WAIT_UNTIL (find_message_dialog () == NULL, 2000);
  g_assert_cmpint (count ("contact", "case_id", new_case_id, NULL), ==, 0);

  /* Logging anyway records it. */
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);
  respond (dialog, "log");
  WAIT_UNTIL (find_message_dialog () == NULL, 2000);
  g_assert_cmpint (count ("contact", "case_id", new_case_id, "channel", "phone",
                          "outcome", "no_answer", NULL), ==, 1);
  g_assert_cmpuint (_cl_case_page_get_n_rows (page, "contact"), ==, 1);

  /* A voicemail needs voicemail confirmed safe, even when calls are safe. */
  _cl_case_page_set_channel_safe (page, "phone", "yes");
  _cl_case_page_set_contact (page, "phone", "voicemail_safe", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "Voicemail"));
  respond (dialog, "cancel");
  WAIT_UNTIL (find_message_dialog () == NULL, 2000);

  /* A safe channel logs without asking. */
  _cl_case_page_set_contact (page, "phone", "reached", "safety plan discussed");
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  cl_gui_test_spin (100);
  g_assert_null (find_message_dialog ());
  g_assert_cmpint (count ("contact", "case_id", new_case_id, NULL), ==, 2);
  g_assert_cmpuint (_cl_case_page_get_n_rows (page, "contact"), ==, 2);
}

static void
test_add_service (void)
{
  ClCasePage *page = _cl_window_get_case_page (window ());
  ClServicePicker *picker;
  gint64 services = count ("service", "case_id", new_case_id, NULL);

  /* Escape in the search closes the picker, adding nothing. */
  gtk_widget_activate_action (GTK_WIDGET (page), "case.add-service", NULL);
  WAIT_UNTIL (CL_IS_SERVICE_PICKER (_cl_case_page_get_dialog (page)), 2000);
  picker = CL_SERVICE_PICKER (_cl_case_page_get_dialog (page));
  cl_service_picker_set_search (picker, "crisis");
  g_signal_emit_by_name (find_widget (GTK_WIDGET (picker), GTK_TYPE_SEARCH_ENTRY), "stop-search");
  WAIT_UNTIL (_cl_case_page_get_dialog (page) == NULL, 2000);
  g_assert_cmpint (count ("service", "case_id", new_case_id, NULL), ==, services);

  gtk_widget_activate_action (GTK_WIDGET (page), "case.add-service", NULL);
  WAIT_UNTIL (CL_IS_SERVICE_PICKER (_cl_case_page_get_dialog (page)), 2000);
  picker = CL_SERVICE_PICKER (_cl_case_page_get_dialog (page));

  g_assert_cmpuint (cl_service_picker_get_n_shown (picker), ==, 35);
  cl_service_picker_set_search (picker, "crisis interv");
  g_assert_cmpuint (cl_service_picker_get_n_shown (picker), ==, 1);
  cl_gui_test_screenshot_window (GTK_WINDOW (picker), "service-picker-light");
  cl_service_picker_pick (picker, 0);

  g_assert_cmpint (count ("service", "case_id", new_case_id, "code", "C1", NULL), ==, 1);
  g_assert_cmpuint (_cl_case_page_get_n_rows (page, "service"), ==, 1);
  g_assert_null (_cl_case_page_get_dialog (page));
}

static void
test_add_task (void)
{
  ClCasePage *page = _cl_window_get_case_page (window ());
  ClRecordDialog *dialog;
  ClRecordForm *form;

  gtk_widget_activate_action (GTK_WIDGET (page), "case.add-record", "s", "task");
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_case_page_get_dialog (page)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_case_page_get_dialog (page));
  form = cl_record_dialog_get_form (dialog);

  /* Title and due date are required. */
  cl_record_dialog_add (dialog);
  g_assert_cmpint (count ("task", "case_id", new_case_id, NULL), ==, 0);

  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "title")),
                         "Call back about the order of protection");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "due")), "2020-01-02");
  cl_record_dialog_add (dialog);
  g_assert_cmpint (count ("task", "case_id", new_case_id, "due", "2020-01-02", NULL), ==, 1);
  g_assert_cmpuint (_cl_case_page_get_n_rows (page, "task"), ==, 1);
  g_assert_null (_cl_case_page_get_dialog (page));
}

static void
test_edit_undo (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  ClRecordForm *form = _cl_case_page_get_case_form (page);
  GtkWidget *row = cl_record_form_get_row (form, "assigned_to");
  g_autoptr(ClRecord) before = get_record ("case", new_case_id);
  g_autofree char *old = g_strdup (cl_record_get (before, "assigned_to"));
  gint64 outbox = cl_store_outbox_length (store (), NULL);

  /* Saved as you go: one update, one outbox mutation. */
  gtk_editable_set_text (GTK_EDITABLE (row), "another-advocate");
  g_signal_emit_by_name (row, "apply");
  {
    g_autoptr(ClRecord) after = get_record ("case", new_case_id);
    g_assert_cmpstr (cl_record_get (after, "assigned_to"), ==, "another-advocate");
  }
  g_assert_cmpint (cl_store_outbox_length (store (), NULL), ==, outbox + 1);
  g_assert_true (_cl_window_get_can_undo (w));

  /* Undo is another update, restoring the old value. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.undo-edit", NULL));
  {
    g_autoptr(ClRecord) undone = get_record ("case", new_case_id);
    g_assert_cmpstr (cl_record_get (undone, "assigned_to"), ==, old);
  }
  g_assert_cmpint (cl_store_outbox_length (store (), NULL), ==, outbox + 2);
  g_assert_false (_cl_window_get_can_undo (w));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cl_record_form_get_row (
                     _cl_case_page_get_case_form (page), "assigned_to"))), ==, old);

  /* History shows the edits. */
  g_assert_cmpuint (_cl_case_page_get_n_rows (page, "history"), >=, 5);
  screenshot ("case-light");
  scroll_case_page (0.33);
  screenshot ("case-light-2");
  scroll_case_page (0.66);
  screenshot ("case-light-3");
  scroll_case_page (1.0);
  screenshot ("case-light-4");
  scroll_case_page (0.0);
}

static void
test_search (void)
{
  ClWindow *w = window ();
  GtkEditable *entry = _cl_window_get_search_entry (w);
  guint serial;
  GListModel *results;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.search", NULL));
  g_assert_cmpstr (_cl_window_get_content_page (w), ==, "list");

  /* Typed in pieces: only the last search lands, off the main thread and debounced. */
  serial = _cl_window_get_search_serial (w);
  gtk_editable_set_text (entry, "zor");
  gtk_editable_set_text (entry, "zorbaf");
  gtk_editable_set_text (entry, MARKER);
  WAIT_UNTIL (_cl_window_get_search_serial (w) != serial, 5000);
  g_assert_cmpuint (_cl_window_get_search_serial (w), ==, serial + 1);

  results = _cl_window_get_cases (w);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  {
    g_autoptr(ClCaseSummary) summary = g_list_model_get_item (results, 0);
    g_assert_cmpstr (cl_case_summary_get_id (summary), ==, new_case_id);
  }
  screenshot ("search-light");

  /* By complaint number too. */
  serial = _cl_window_get_search_serial (w);
  gtk_editable_set_text (entry, "2024-075-001234");
  WAIT_UNTIL (_cl_window_get_search_serial (w) != serial, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (_cl_window_get_cases (w)), ==, 1);

  /* Cleared: back to the view's cases. */
  gtk_editable_set_text (entry, "");
  WAIT_UNTIL (CL_IS_CASE_LIST (_cl_window_get_cases (w)), 2000);
}

static void
test_restricted (void)
{
  ClWindow *w = window ();
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  g_autoptr(ClChanges) where = cl_changes_new ();
  g_autoptr(GPtrArray) audits = NULL;
  gint64 views = count ("audit", "action", "view", "record_id", restricted_case_id, NULL);

  cl_window_open_case (w, restricted_case_id);
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restricted Case");
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "restricted-reason-light");

  /* No reason, no opening. */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "open"));
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (entry, "Court accompaniment tomorrow");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "open"));
  respond (dialog, "open");
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (_cl_window_get_case_page (w)),
                         restricted_case_id) == 0, 2000);

  cl_changes_set (where, "record_id", restricted_case_id);
  cl_changes_set (where, "action", "view");
  audits = cl_store_list (store (), "audit", where, 0, 0, NULL);
  g_assert_cmpuint (audits->len, ==, views + 1);
  g_assert_cmpstr (cl_record_get (g_ptr_array_index (audits, audits->len - 1), "reason"), ==,
                   "Court accompaniment tomorrow");
}

static void
test_close_case (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  AdwMessageDialog *dialog;
  GtkWidget *list;
  AdwComboRow *reason;
  g_autoptr(ClRecord) closed = NULL;
  AdwPreferencesGroup *overview;
  g_autofree char *expected = NULL;
  const char *summary;
  gint64 n_open;

  /* One more task open, one done. */
  n_open = cl_store_count_open_tasks (store (), new_case_id, NULL);
  g_free (create (store (), "task", "case_id", new_case_id, "title", "Call the shelter",
                  "due", "2026-12-20", NULL));
  g_free (create (store (), "task", "case_id", new_case_id, "title", "Send the letter",
                  "due", "2026-12-01", "done", "1", NULL));
  cl_window_open_case (w, new_case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (page), new_case_id) == 0, 2000);
  overview = ADW_PREFERENCES_GROUP (_cl_case_page_get_case_form (page));
  summary = adw_preferences_group_get_description (overview);
  g_assert_true (summary == NULL || *summary == '\0');

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "case.close", NULL));
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);

  /* The open tasks are counted before the case closes (in the body's language). */
  expected = g_strdup_printf ("%d", (int) n_open + 1);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), expected));

  /* A closure reason is required. */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "close"));
  list = adw_message_dialog_get_extra_child (dialog);
  reason = ADW_COMBO_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
  adw_combo_row_set_selected (reason, 1);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "close"));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "close-case-light");
  respond (dialog, "close");

  closed = get_record ("case", new_case_id);
  g_assert_cmpstr (cl_record_get (closed, "status"), ==, "closed");
  g_assert_cmpstr (cl_record_get (closed, "closure_reason"), ==, "services_completed");
  g_assert_nonnull (cl_record_get (closed, "closed_at"));

  /* The page says why it closed. */
  summary = adw_preferences_group_get_description (overview);
  g_assert_nonnull (summary);
  g_assert_nonnull (strstr (summary, cl_enum_label ("closure_reason", "services_completed")));

  /* The counts follow, from a worker. */
  WAIT_UNTIL (_cl_window_get_view_count (w, CL_CASE_VIEW_CLOSED) == 1, 5000);
  g_assert_true (_cl_window_get_can_undo (w));
}

/* Reports: services for a custom period, read in the table and exported to CSV (audited),
 * without the file chooser. */
static void
test_reports (void)
{
  ClWindow *w = window ();
  ClReportsPage *page = _cl_window_get_reports_page (w);
  GSettings *settings = cl_context_get_settings (context ());
  g_autofree char *path = g_build_filename (tmp_dir, "services.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  gint64 exports;

  /* A1 three times and once in the second quarter of 2024, once after it. */
  g_free (create (store (), "service", "case_id", plain_case_id, "date", "2024-05-15",
                  "code", "A1", "times", "3", NULL));
  g_free (create (store (), "service", "case_id", plain_case_id, "date", "2024-06-01",
                  "code", "A1", NULL));
  g_free (create (store (), "service", "case_id", plain_case_id, "date", "2024-08-01",
                  "code", "A1", NULL));

  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-reports", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (w), ==, "reports");
  g_assert_null (cl_reports_page_get_result (page));

  _cl_reports_page_set_report (page, "services");
  _cl_reports_page_set_custom_period (page, "2024-04-01", "2024-06-30");
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL);
  g_assert_true (cl_reports_page_get_busy (page));
  WAIT_UNTIL (!cl_reports_page_get_busy (page), 20000);
  g_assert_nonnull (cl_reports_page_get_result (page));
  /* The rows come in over a few frames. */
  WAIT_UNTIL (!_cl_reports_page_get_filling (page), 5000);

  g_assert_cmpstr (_cl_reports_page_get_cell_text (page, "by_code", "A1", "times"), ==, "4");
  g_assert_cmpstr (_cl_reports_page_get_cell_text (page, "by_code", "A1", "records"), ==, "2");
  g_assert_cmpstr (_cl_reports_page_get_cell_text (page, "by_code", "A1", "individuals"), ==,
                   "1");
  screenshot ("reports-light");
  g_assert_true (_cl_reports_page_scroll_to_chart (page, 0));
  screenshot ("reports-chart-light");

  /* Export: the audit event first, then the file, private to the user. */
  exports = count ("audit", "action", "export", "record_type", "report", NULL);
  g_assert_true (_cl_reports_page_export_to_path (page, CL_REPORT_FORMAT_CSV, FALSE, path,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpint (count ("audit", "action", "export", "record_type", "report", NULL), ==,
                   exports + 1);
  g_assert_true (g_file_get_contents (path, &csv, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (csv, "by_code,A1,times,4,"));
  g_assert_nonnull (strstr (csv, "by_code,A1,records,2,"));
  g_unlink (path);

  /* Dark, and right to left: the chart follows. */
  g_settings_set_string (settings, "color-scheme", "dark");
  screenshot ("reports-chart-dark");
  g_settings_set_string (settings, "color-scheme", "light");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  screenshot ("reports-chart-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);

  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-list", NULL);
  g_assert_cmpstr (_cl_window_get_content_page (w), ==, "list");
}

static void
test_lock_unlock (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  GtkWidget *row;
  g_autoptr(ClRecord) after = NULL;

  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (page), plain_case_id) == 0, 2000);

  /* Typed but not confirmed: locking saves it, nothing is lost. */
  row = cl_record_form_get_row (_cl_case_page_get_client_form (page), "preferred_name");
  gtk_editable_set_text (GTK_EDITABLE (row), "Tere");

  /* A dialog open, something copied. */
  gtk_widget_activate_action (GTK_WIDGET (page), "case.add-service", NULL);
  WAIT_UNTIL (n_transient_windows () == 1, 2000);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (w)), "Teresa " MARKER);

  /* Ctrl+L */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "lock"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "lock"));
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (w));
    GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
    GValue value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_STRING);
    g_assert_nonnull (content);
    g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
    g_assert_cmpstr (g_value_get_string (&value), ==, "");
    g_value_unset (&value);
  }
  screenshot ("locked-light");

  unlock ();
  after = get_record ("client", cl_record_get (get_record ("case", plain_case_id), "client_id"));
  g_assert_cmpstr (cl_record_get (after, "preferred_name"), ==, "Tere");
  WAIT_UNTIL (g_list_model_get_n_items (_cl_window_get_cases (w)) >= 3, 2000);
}

static void
test_idle_lock (void)
{
  ClWindow *w = window ();
  GSettings *settings = cl_context_get_settings (context ());
  gint64 start;

  g_assert_cmpstr (_cl_window_get_page (w), ==, "main");

  start = g_get_monotonic_time ();
  g_settings_set_uint (settings, "auto-lock-seconds", 1);
  WAIT_UNTIL (cl_context_get_locked (context ()), 5000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  assert_locked_and_clean ();

  g_settings_set_uint (settings, "auto-lock-seconds", 300);
  unlock ();
}

static void
test_screensaver_lock (void)
{
  ClLockMonitor *monitor = _cl_application_get_lock_monitor (app);
  gint64 start;

  WAIT_UNTIL (cl_lock_monitor_get_watching_session (monitor), 5000);

  /* Deactivation does not lock. */
  cl_gui_test_emit_signal (G_BUS_TYPE_SESSION, "/org/gnome/ScreenSaver",
                           "org.gnome.ScreenSaver", "ActiveChanged",
                           g_variant_new ("(b)", FALSE));
  cl_gui_test_spin (300);
  g_assert_false (cl_context_get_locked (context ()));

  /* GNOME's screen lock: locked within a second. */
  start = g_get_monotonic_time ();
  cl_gui_test_emit_signal (G_BUS_TYPE_SESSION, "/org/gnome/ScreenSaver",
                           "org.gnome.ScreenSaver", "ActiveChanged",
                           g_variant_new ("(b)", TRUE));
  WAIT_UNTIL (cl_context_get_locked (context ()), 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  assert_locked_and_clean ();
  unlock ();

  /* Other desktops' screen savers. */
  cl_gui_test_emit_signal (G_BUS_TYPE_SESSION, "/org/freedesktop/ScreenSaver",
                           "org.freedesktop.ScreenSaver", "ActiveChanged",
                           g_variant_new ("(b)", TRUE));
  WAIT_UNTIL (cl_context_get_locked (context ()), 1000);
  assert_locked_and_clean ();
  unlock ();
}

static void
test_logind_lock (void)
{
  ClLockMonitor *monitor = _cl_application_get_lock_monitor (app);

  WAIT_UNTIL (cl_lock_monitor_get_watching_system (monitor), 5000);
  cl_gui_test_play_logind ();

  /* Suspend. */
  cl_gui_test_emit_signal (G_BUS_TYPE_SYSTEM, "/org/freedesktop/login1",
                           "org.freedesktop.login1.Manager", "PrepareForSleep",
                           g_variant_new ("(b)", TRUE));
  WAIT_UNTIL (cl_context_get_locked (context ()), 1000);
  assert_locked_and_clean ();
  unlock ();

  /* Resume does not lock. */
  cl_gui_test_emit_signal (G_BUS_TYPE_SYSTEM, "/org/freedesktop/login1",
                           "org.freedesktop.login1.Manager", "PrepareForSleep",
                           g_variant_new ("(b)", FALSE));
  cl_gui_test_spin (300);
  g_assert_false (cl_context_get_locked (context ()));

  /* loginctl lock-session. */
  cl_gui_test_emit_signal (G_BUS_TYPE_SYSTEM, "/org/freedesktop/login1/session/_31",
                           "org.freedesktop.login1.Session", "Lock", NULL);
  WAIT_UNTIL (cl_context_get_locked (context ()), 1000);
  assert_locked_and_clean ();
  unlock ();
}

/* Typed into a new record's dialog, not yet saved, when the vault locks: kept in the vault,
 * wiped from the widgets, back after unlock; saving it or a confirmed discard ends it. */
static void
test_drafts (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  GSettings *settings = cl_context_get_settings (context ());
  const char *note = "Asked about the " DRAFT_MARKER " job offer";
  g_autofree char *today = cl_today ();
  g_autofree char *code = NULL;
  g_autoptr(GtkEntryBuffer) buffer = NULL;
  ClRecordDialog *dialog;
  ClNewReferralDialog *referral;
  ClRecordForm *form;
  AdwMessageDialog *question;

  /* A service half-typed on a case. */
  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (page), plain_case_id) == 0, 2000);
  gtk_widget_activate_action (GTK_WIDGET (page), "case.add-record", "s", "service");
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_case_page_get_dialog (page)), 2000);
  form = cl_record_dialog_get_form (CL_RECORD_DIALOG (_cl_case_page_get_dialog (page)));
  cl_record_form_set_value (form, "code", "C1");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "times")), "2");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "note")), note);
  buffer = ref_row_buffer (form, "note");

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (any_window_shows (DRAFT_MARKER));
  /* Not only dropped: emptied, so the buffer wiped the text. */
  g_assert_cmpstr (gtk_entry_buffer_get_text (buffer), ==, "");
  g_clear_object (&buffer);

  /* Back after unlock, as typed, with a notice. */
  unlock ();
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));
  form = cl_record_dialog_get_form (dialog);
  g_assert_cmpstr (cl_record_form_get_type_name (form), ==, "service");
  g_assert_cmpstr (row_text (form, "note"), ==, note);
  g_assert_cmpstr (row_text (form, "times"), ==, "2");
  g_assert_cmpstr (row_text (form, "date"), ==, today);
  code = cl_record_form_dup_value (form, "code");
  g_assert_cmpstr (code, ==, "C1");
  g_assert_nonnull (strstr (cl_record_dialog_get_notice (dialog), "Kept from before the lock"));
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-service-light");
  g_settings_set_string (settings, "color-scheme", "dark");
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-service-dark");
  g_settings_set_string (settings, "color-scheme", "light");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-service-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 360, 640);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-service-narrow");

  /* Locked again before it was added: the same kept entry. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (any_window_shows (DRAFT_MARKER));
  unlock ();
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));
  g_assert_cmpstr (row_text (cl_record_dialog_get_form (dialog), "note"), ==, note);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);

  /* Added: the service is there, the kept entry is gone. */
  cl_record_dialog_add (dialog);
  g_assert_cmpint (count ("service", "case_id", plain_case_id, "code", "C1", "times", "2",
                          "note", note, NULL), ==, 1);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_cmpuint (n_transient_windows (), ==, 0);

  /* A new referral, half-typed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.new-referral", NULL));
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  referral = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  form = cl_new_referral_dialog_get_form (referral, "client");
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "legal_name")),
                         "Amara " DRAFT_MARKER);
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, "phone")), "718-55");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (referral, "case"), "command",
                            "75");
  buffer = ref_row_buffer (form, "legal_name");

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (any_window_shows (DRAFT_MARKER));
  g_assert_cmpstr (gtk_entry_buffer_get_text (buffer), ==, "");
  g_clear_object (&buffer);

  unlock ();
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  referral = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  form = cl_new_referral_dialog_get_form (referral, "client");
  g_assert_cmpstr (row_text (form, "legal_name"), ==, "Amara " DRAFT_MARKER);
  g_assert_cmpstr (row_text (form, "phone"), ==, "718-55");
  {
    g_autofree char *command = cl_record_form_dup_value (
                                 cl_new_referral_dialog_get_form (referral, "case"), "command");
    g_assert_cmpstr (command, ==, "75");
  }
  g_assert_nonnull (strstr (cl_new_referral_dialog_get_notice (referral),
                            "Kept from before the lock"));
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
  cl_gui_test_screenshot_window (GTK_WINDOW (referral), "draft-referral-light");

  /* Cancelling asks, and keeping is the default: nothing is lost. */
  gtk_window_close (GTK_WINDOW (referral));
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "keep");
  g_assert_cmpstr (adw_message_dialog_get_close_response (question), ==, "keep");
  cl_gui_test_screenshot_window (GTK_WINDOW (question), "draft-discard-light");
  respond (question, "keep");
  WAIT_UNTIL (find_message_dialog () == NULL, 2000);
  g_assert_true (_cl_window_get_dialog (w) == GTK_WINDOW (referral));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (referral)));
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);

  /* A confirmed discard deletes it, and creates nothing. */
  gtk_window_close (GTK_WINDOW (referral));
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  respond (question, "discard");
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
  g_assert_cmpint (count ("client", "legal_name", "Amara " DRAFT_MARKER, NULL), ==, 0);
  g_assert_cmpuint (n_transient_windows (), ==, 0);
}

/* A kept entry whose case was deleted meanwhile (by sync, say) still comes back, and says
 * why it cannot be added; it goes only when discarded. */
/* A contact note typed into the case page's contact log, not logged yet, is kept across a
 * lock like a dialog's entry and comes back as a new contact of the case. */
static void
test_draft_contact_note (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  const char *note = "Left word with the " DRAFT_MARKER " sister";
  ClRecordDialog *dialog;
  AdwMessageDialog *warning;
  ClRecordForm *form;
  g_autofree char *channel = NULL;
  g_autofree char *outcome = NULL;
  gint64 contacts;

  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (page), plain_case_id) == 0, 2000);
  contacts = count ("contact", "case_id", plain_case_id, NULL);
  _cl_case_page_set_contact (page, "in_person", "reached", note);

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (any_window_shows (DRAFT_MARKER));

  unlock ();
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));
  form = cl_record_dialog_get_form (dialog);
  g_assert_cmpstr (cl_record_form_get_type_name (form), ==, "contact");
  g_assert_cmpstr (row_text (form, "note"), ==, note);
  channel = cl_record_form_dup_value (form, "channel");
  outcome = cl_record_form_dup_value (form, "outcome");
  g_assert_cmpstr (channel, ==, "in_person");
  g_assert_cmpstr (outcome, ==, "reached");
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-contact-light");

  /* Added (logged anyway: nobody confirmed meeting in person is safe): logged on the case
   * it was typed on, and the kept entry is gone. */
  cl_record_dialog_add (dialog);
  WAIT_UNTIL ((warning = find_message_dialog ()) != NULL, 2000);
  respond (warning, "log");
  g_assert_cmpint (count ("contact", "case_id", plain_case_id, NULL), ==, contacts + 1);
  g_assert_cmpint (count ("contact", "case_id", plain_case_id, "channel", "in_person",
                          "outcome", "reached", "note", note, NULL), ==, 1);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);

  /* Nothing typed, nothing kept. */
  cl_window_open_case (w, plain_case_id);
  _cl_case_page_set_contact (page, "phone", "no_answer", "  ");
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  unlock ();
  cl_gui_test_spin (300);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
  g_assert_null (_cl_window_get_dialog (w));
}

/* A contact note kept from a channel the client said is not safe warns when it is added,
 * as the contact log does (DOMAIN.md rule 3). */
static void
test_draft_unsafe_contact (void)
{
  ClWindow *w = window ();
  ClCasePage *page = _cl_window_get_case_page (w);
  const char *note = "Called the " DRAFT_MARKER " landline";
  g_autofree char *client = create (store (), "client", "legal_name", "Nadia Petrov", NULL);
  g_autofree char *case_id = create (store (), "case", "client_id", client, "command", "75",
                                     "track", "dv", "status", "active", NULL);
  ClRecordDialog *dialog;
  AdwMessageDialog *warning;

  cl_window_open_case (w, case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (page), case_id) == 0, 2000);
  _cl_case_page_set_channel_safe (page, "phone", "no");
  _cl_case_page_set_contact (page, "phone", "no_answer", note);

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  unlock ();
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));

  /* Adding warns, with the reason; cancelling logs nothing and keeps the entry. */
  cl_record_dialog_add (dialog);
  WAIT_UNTIL ((warning = find_message_dialog ()) != NULL, 2000);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (warning), "Is Not Safe"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (warning), "not safe"));
  respond (warning, "cancel");
  WAIT_UNTIL (find_message_dialog () == NULL, 2000);
  g_assert_cmpint (count ("contact", "case_id", case_id, NULL), ==, 0);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
  g_assert_true (_cl_window_get_dialog (w) == GTK_WINDOW (dialog));

  /* Logging anyway records it, and the kept entry goes. */
  cl_record_dialog_add (dialog);
  WAIT_UNTIL ((warning = find_message_dialog ()) != NULL, 2000);
  respond (warning, "log");
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_null (find_message_dialog ());
  g_assert_cmpint (count ("contact", "case_id", case_id, "channel", "phone",
                          "outcome", "no_answer", "note", note, NULL), ==, 1);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
}

/* An entry typed on a restricted case shows again only with a reason, which is audited
 * (DOMAIN.md rule 4); without one it stays kept. */
static void
test_draft_restricted (void)
{
  ClWindow *w = window ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = cl_changes_new ();
  const char *reason = "Rita asked for a call back";
  g_autofree char *id = NULL;
  ClRecordDialog *dialog;
  AdwMessageDialog *question;
  gint64 views = count ("audit", "action", "view", "record_id", restricted_case_id, NULL);

  cl_changes_set (values, "title", "Call the " DRAFT_MARKER " shelter");
  cl_changes_set (values, "due", "2030-01-03");
  cl_changes_set (values, "done", "0");
  id = cl_drafts_save (store (), NULL, "task", restricted_case_id, restricted_case_id, values,
                       &error);
  g_assert_no_error (error);

  /* Cancelled: nothing shown, nothing audited, the entry is kept. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  unlock ();
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Restricted Case");
  g_assert_false (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)));
  g_assert_false (any_window_shows (DRAFT_MARKER));
  respond (question, "cancel");
  cl_gui_test_spin (300);
  g_assert_null (_cl_window_get_dialog (w));
  g_assert_false (any_window_shows (DRAFT_MARKER));
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
  g_assert_cmpint (count ("audit", "action", "view", "record_id", restricted_case_id, NULL),
                   ==, views);

  /* With a reason: audited, then shown. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  unlock ();
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Restricted Case");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (question)), reason);
  respond (question, "open");
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  g_assert_cmpint (count ("audit", "action", "view", "record_id", restricted_case_id,
                          "reason", reason, NULL), ==, 1);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));
  g_assert_cmpstr (row_text (cl_record_dialog_get_form (dialog), "title"), ==,
                   "Call the " DRAFT_MARKER " shelter");

  cl_record_dialog_add (dialog);
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_cmpint (count ("task", "case_id", restricted_case_id,
                          "title", "Call the " DRAFT_MARKER " shelter", NULL), ==, 1);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
}

static void
test_draft_orphaned (void)
{
  ClWindow *w = window ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autofree char *client = create (store (), "client", "legal_name", "Ines Moreau", NULL);
  g_autofree char *case_id = create (store (), "case", "client_id", client, "command", "75",
                                     "track", "cv", NULL);
  g_autofree char *id = NULL;
  ClRecordDialog *dialog;
  AdwMessageDialog *question;

  cl_changes_set (values, "title", "Bring the " DRAFT_MARKER " letter");
  cl_changes_set (values, "due", "2030-01-02");
  cl_changes_set (values, "done", "0");
  id = cl_drafts_save (store (), NULL, "task", case_id, case_id, values, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_delete (store (), "case", case_id, &error));
  g_assert_no_error (error);

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  unlock ();

  WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_RECORD_DIALOG (_cl_window_get_dialog (w));
  g_assert_cmpstr (row_text (cl_record_dialog_get_form (dialog), "title"), ==,
                   "Bring the " DRAFT_MARKER " letter");
  g_assert_nonnull (strstr (cl_record_dialog_get_notice (dialog), "no longer on this device"));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-orphaned-light");

  /* It cannot be added; it is not dropped either. */
  cl_record_dialog_add (dialog);
  g_assert_cmpint (count ("task", "title", "Bring the " DRAFT_MARKER " letter", NULL), ==, 0);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);

  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  respond (question, "discard");
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
}

static void
test_recover (void)
{
  ClWindow *w = window ();
  ClUnlockPage *page = _cl_window_get_unlock_page (w);
  AdwMessageDialog *dialog;
  GtkListBox *list;

  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();

  /* The passphrase is forgotten: the recovery key opens the vault and sets a new one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "unlock.recover", NULL));
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL, 2000);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "recover-light");
  list = GTK_LIST_BOX (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 0)), recovery_key);
  gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 1)),
                         "a brand new passphrase");
  gtk_editable_set_text (GTK_EDITABLE (gtk_list_box_get_row_at_index (list, 2)),
                         "a brand new passphrase");
  respond (dialog, "recover");
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (w), "main") == 0, 2000);

  /* The new passphrase unlocks; the old one no longer does. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 20000);
  g_assert_true (cl_context_get_locked (context ()));
  {
    gint64 wait_until = g_get_monotonic_time () + (gint64) cl_vault_retry_delay_ms () * 1000;
    WAIT_UNTIL (g_get_monotonic_time () >= wait_until, 60000);
  }
  cl_gui_test_spin (300);
  cl_unlock_page_unlock (page, "a brand new passphrase");
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
}

static void
test_screenshots (void)
{
  ClWindow *w = window ();
  GSettings *settings = cl_context_get_settings (context ());

  cl_window_show_view (w, CL_CASE_VIEW_COMMAND);
  cl_gui_test_spin (200);

  /* Dark. */
  g_settings_set_string (settings, "color-scheme", "dark");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  screenshot ("main-dark");
  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (w), "case") == 0, 2000);
  screenshot ("case-dark");
  g_settings_set_string (settings, "color-scheme", "light");

  /* Right to left, as in Arabic and Urdu. */
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (w)), ==, GTK_TEXT_DIR_RTL);
  screenshot ("case-rtl");
  scroll_case_page (0.4);
  screenshot ("case-rtl-2");
  scroll_case_page (0.0);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-list", NULL);
  screenshot ("main-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);

  /* Narrow: the leaflet folds and the list keeps the columns that matter. */
  resize (360, 720);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-list", NULL);
  cl_gui_test_spin (300);
  {
    /* The client column takes the room the hidden columns leave. */
    GtkWidget *view = GTK_WIDGET (_cl_window_get_case_view (w));
    GtkAdjustment *adjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (view));

    g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==,
                       gtk_adjustment_get_page_size (adjustment));
    g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (gtk_widget_get_ancestor (view, ADW_TYPE_LEAFLET))));
  }
  screenshot ("main-narrow");
  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (w), "case") == 0, 2000);
  screenshot ("case-narrow");
  gtk_widget_activate_action (GTK_WIDGET (w), "win.show-sidebar", NULL);
  screenshot ("sidebar-narrow");
  resize (1180, 760);
}

static void
test_arabic (void)
{
  ClWindow *w = window ();
  ClNewReferralDialog *dialog;
  AdwMessageDialog *question;

  /* The direction comes from the locale (GTK's own translation of "default:LTR"), not
   * from the test: the layout mirrors because Arabic is right to left. */
  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (w)), ==, GTK_TEXT_DIR_RTL);

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (w), "unlock") == 0, 5000);
  screenshot ("unlock");
  unlock ();
  WAIT_UNTIL (_cl_window_get_view_count (w, CL_CASE_VIEW_MINE) >= 0, 5000);
  screenshot ("main");

  cl_window_open_case (w, plain_case_id);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (w), "case") == 0, 2000);
  screenshot ("case");
  scroll_case_page (0.35);
  screenshot ("case-2");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.new-referral", NULL));
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "new-referral");

  /* Kept across a lock: back with its notice, and the question before discarding it. */
  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (
                           cl_new_referral_dialog_get_form (dialog, "client"), "legal_name")),
                         "أمل " DRAFT_MARKER);
  g_action_group_activate_action (G_ACTION_GROUP (app), "lock", NULL);
  assert_locked_and_clean ();
  g_assert_false (any_window_shows (DRAFT_MARKER));
  unlock ();
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  dialog = CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
  g_assert_nonnull (cl_new_referral_dialog_get_notice (dialog));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "draft-referral");
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL ((question = find_message_dialog ()) != NULL, 2000);
  cl_gui_test_screenshot_window (GTK_WINDOW (question), "draft-discard");
  respond (question, "discard");
  WAIT_UNTIL (_cl_window_get_dialog (w) == NULL, 2000);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
}

/* Setup ------------------------------------------------------------------------------ */

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
  g_autofree char *third = NULL;
  g_autofree char *restricted = NULL;
  g_autofree char *c3 = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  recovery_key = g_strdup (cl_secret_get_string (recovery));
  s = cl_store_new (vault, g_get_user_name ());

  client = create (s, "client", "legal_name", "Teresa Alvarado", "phone", "347-555-0142", NULL);
  plain_case_id = create (s, "case", "client_id", client, "command", "75", "track", "dv",
                          "status", "outreach",
                          "referral_received_at", "2024-05-02T14:00:00Z", NULL);
  g_free (create (s, "referral", "case_id", plain_case_id, "received_at",
                  "2024-05-02T14:00:00Z", "source", "dir_review", NULL));
  g_free (create (s, "safe_contact", "client_id", client, "channel", "sms", "safe", "yes",
                  "agency_ok", "no", "confirmed_on", "2024-05-03", NULL));
  g_free (create (s, "contact", "case_id", plain_case_id, "at", "2024-05-03T15:00:00Z",
                  "channel", "phone", "outcome", "reached", NULL));
  g_free (create (s, "task", "case_id", plain_case_id, "due", "2030-01-15",
                  "title", "Follow up on the family court petition", NULL));
  g_free (create (s, "immigration", "case_id", plain_case_id, "type", "u_cert",
                  "certifying_agency", "nypd", "requested_on", "2024-05-10", NULL));

  other = create (s, "client", "legal_name", "Mei Chen", NULL);
  c3 = create (s, "case", "client_id", other, "command", "5", "track", "trafficking",
               "status", "referred", NULL);

  third = create (s, "client", "pseudonym", "Sparrow", NULL);
  g_free (create (s, "case", "client_id", third, "command", "75", "track", "cv",
                  "status", "active", NULL));

  restricted = create (s, "client", "legal_name", "Rita Okafor", "restricted", "1", NULL);
  restricted_case_id = create (s, "case", "client_id", restricted, "command", "75",
                               "track", "trafficking", "status", "active", NULL);

  g_clear_object (&s);
  cl_vault_lock (vault);
}

static void add_tests (void);

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui");

  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  /* The right-to-left run: in a real Arabic locale, with the build's translations. */
  if (cl_gui_test_in_test_locale ())
    g_test_add_func ("/gui/arabic", test_arabic);
  else
    add_tests ();

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  return status;
}

static void
add_tests (void)
{
  g_test_add_func ("/gui/first-run", test_first_run);
  g_test_add_func ("/gui/demo", test_demo);
  g_test_add_func ("/gui/unlock", test_unlock);
  g_test_add_func ("/gui/sort", test_sort);
  g_test_add_func ("/gui/preferences", test_preferences);
  g_test_add_func ("/gui/new-referral", test_new_referral);
  g_test_add_func ("/gui/unsafe-contact", test_unsafe_contact);
  g_test_add_func ("/gui/add-service", test_add_service);
  g_test_add_func ("/gui/add-task", test_add_task);
  g_test_add_func ("/gui/edit-undo", test_edit_undo);
  g_test_add_func ("/gui/search", test_search);
  g_test_add_func ("/gui/restricted", test_restricted);
  g_test_add_func ("/gui/close-case", test_close_case);
  g_test_add_func ("/gui/reports", test_reports);
  g_test_add_func ("/gui/lock-unlock", test_lock_unlock);
  g_test_add_func ("/gui/idle-lock", test_idle_lock);
  g_test_add_func ("/gui/screensaver-lock", test_screensaver_lock);
  g_test_add_func ("/gui/logind-lock", test_logind_lock);
  g_test_add_func ("/gui/drafts", test_drafts);
  g_test_add_func ("/gui/draft-orphaned", test_draft_orphaned);
  g_test_add_func ("/gui/draft-contact-note", test_draft_contact_note);
  g_test_add_func ("/gui/draft-unsafe-contact", test_draft_unsafe_contact);
  g_test_add_func ("/gui/draft-restricted", test_draft_restricted);
  g_test_add_func ("/gui/screenshots", test_screenshots);
  g_test_add_func ("/gui/recover", test_recover);
}
