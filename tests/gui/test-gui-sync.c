/* test-gui-sync.c: the desktop side of sync, without a server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a test vault that is not enrolled with any server (the
 * end-to-end suite drives a real one): the header bar's indicator says "not connected"
 * and counts the changes waiting; the enrollment dialog refuses a plain http:// address
 * before anything is sent; the conflict view lists a conflict put into the vault's
 * `conflict` table and Keep Mine resolves it; a conflict lost on another workstation (as
 * the engine fetches it) says who changed each side and when, and counts in Needs
 * Attention; on a vault that looks enrolled, the server dialog moves it without asking a
 * password and leaves it as it was when the new address does not answer. Screenshots go
 * to $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-sync"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-conflicts-window.h"
#include "cl-enroll-dialog.h"
#include "cl-gui-util.h"
#include "cl-preferences-window.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-store-private.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *client_id;
static char *case_id;
static ClApplication *app;

static ClWindow *
window (void)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (!CL_IS_WINDOW (w))
    for (GList *l = windows; l != NULL; l = l->next)
      if (CL_IS_WINDOW (l->data))
        w = l->data;
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
query_int (const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (cl_vault_get_db (cl_store_get_vault (store ())), sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* Every label's text under @widget, one a line. */
static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static char *
row_text (ClConflictsWindow *conflicts,
          guint              position)
{
  GtkWidget *button = GTK_WIDGET (cl_conflicts_window_get_button (conflicts, position, "theirs"));
  GString *out = g_string_new (NULL);

  collect_labels (gtk_widget_get_ancestor (button, GTK_TYPE_LIST_BOX_ROW), out);
  return g_string_free (out, FALSE);
}

static void
screenshots (GtkWindow  *window,
             const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);

  cl_gui_test_screenshot_window (window, name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  cl_gui_test_screenshot_window (window, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_unlock (void)
{
  ClUnlockPage *page = _cl_window_get_unlock_page (window ());

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);

  g_assert_nonnull (cl_context_get_sync (context ()));
  g_assert_false (cl_sync_is_enrolled (cl_context_get_sync (context ())));
}

static void
test_indicator (void)
{
  ClSyncIndicator *indicator = _cl_window_get_sync_indicator (window ());
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tooltip = NULL;
  gint64 before;

  /* Not enrolled: "not connected", and nothing is tried. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  g_assert_cmpstr (cl_sync_indicator_get_state (indicator), ==, "not-connected");
  before = cl_sync_indicator_get_pending (indicator);
  g_assert_cmpint (before, ==, cl_store_outbox_length (store (), NULL));

  /* An edit is queued and counted at once. */
  cl_changes_set (values, "phone", "347-555-0177");
  g_assert_true (cl_store_update (store (), "client", client_id, values, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_sync_indicator_get_pending (indicator), ==, before + 1);
  g_assert_cmpstr (cl_sync_indicator_get_state (indicator), ==, "not-connected");

  {
    GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (indicator));
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, before + 1);

    tooltip = gtk_widget_get_tooltip_text (button) != NULL
              ? g_strdup (gtk_widget_get_tooltip_text (button)) : NULL;
    g_assert_nonnull (tooltip);
    g_assert_nonnull (strstr (tooltip, "Not connected"));
    g_assert_nonnull (strstr (tooltip, expected));
  }

  /* Locking hides it; nothing of the vault stays in it. */
  cl_context_lock (context ());
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  g_assert_null (cl_context_get_sync (context ()));
  test_unlock ();
  g_assert_cmpint (cl_sync_indicator_get_pending (indicator), ==, before + 1);

  gtk_window_set_default_size (GTK_WINDOW (window ()), 1100, 700);
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "sync-indicator");
  gtk_window_set_default_size (GTK_WINDOW (window ()), 400, 700);
  cl_gui_test_spin (300);
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), "sync-indicator-narrow");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (indicator)));

  /* The Server group of Preferences. */
  gtk_window_set_default_size (GTK_WINDOW (window ()), 1100, 700);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  cl_gui_test_spin (300);
  {
    GtkWindow *prefs = cl_gui_test_find_window (CL_TYPE_PREFERENCES_WINDOW);

    g_assert_nonnull (prefs);
    cl_gui_test_screenshot_window (prefs, "sync-preferences");
    gtk_window_destroy (prefs);
  }
}

static void
test_enroll_refuses_http (void)
{
  ClEnrollDialog *dialog;
  const char *message;

  g_action_group_activate_action (G_ACTION_GROUP (app), "enroll", NULL);
  WAIT_UNTIL ((dialog = cl_gui_test_find_window (CL_TYPE_ENROLL_DIALOG)) != NULL, 2000);
  g_assert_null (cl_enroll_dialog_get_error (dialog));

  cl_enroll_dialog_set_fields (dialog, "http://caseload.example.org", "/nonexistent/ca.pem",
                               "advocate", "secret password");
  cl_enroll_dialog_enroll (dialog);
  message = cl_enroll_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "https://"));
  g_assert_false (cl_enroll_dialog_get_busy (dialog));
  g_assert_false (cl_sync_is_enrolled (cl_context_get_sync (context ())));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "sync-enroll-http-refused");

  /* An unreadable CA file: the engine's refusal is shown, after the worker ran. */
  cl_enroll_dialog_set_fields (dialog, "https://caseload.example.org", "/nonexistent/ca.pem",
                               "advocate", "secret password");
  cl_enroll_dialog_enroll (dialog);
  WAIT_UNTIL (!cl_enroll_dialog_get_busy (dialog), 10000);
  g_assert_nonnull (cl_enroll_dialog_get_error (dialog));
  g_assert_false (cl_sync_is_enrolled (cl_context_get_sync (context ())));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Moves the record's newest queued mutation to `rejected`, as the sync engine does when
 * the server refuses it. */
static void
refuse_queued (const char *record_id)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = cl_vault_get_db (cl_store_get_vault (store ()));

  g_assert_true (cl_sql_exec_params (db, &error,
                                     "INSERT INTO rejected (mutation_id, seq, record_type, "
                                     "record_id, op, changes, code, reason, at) "
                                     "SELECT mutation_id, seq, record_type, record_id, op, "
                                     "changes, 'forbidden', 'You may not change this record', "
                                     "created_at FROM outbox WHERE record_id = ?",
                                     record_id, CL_SQL_END));
  g_assert_true (cl_sql_exec_params (db, &error, "DELETE FROM outbox WHERE record_id = ?",
                                     record_id, CL_SQL_END));
  g_assert_no_error (error);
}

/* Clicks Discard on the first refused change and confirms, as a person does. */
static void
discard_confirmed (ClConflictsWindow *conflicts)
{
  AdwMessageDialog *confirm;

  g_signal_emit_by_name (cl_conflicts_window_get_rejected_button (conflicts, 0, "discard"),
                         "clicked");
  WAIT_UNTIL ((confirm = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  /* As a click on its button: the response, then the dialog closes. */
  adw_message_dialog_response (confirm, "discard");
  gtk_window_destroy (GTK_WINDOW (confirm));
  cl_gui_test_spin (100);
}

/* The conflict window's refused changes: Retry queues one again, Discard (confirmed) puts
 * the server's value back. */
static void
test_rejected_retry_discard (void)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) client = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sql = NULL;
  ClConflictsWindow *conflicts;

  cl_changes_set (values, "legal_name", "Qvrefusedgui");
  id = cl_store_create (store (), "client", values, &error);
  g_assert_no_error (error);
  /* As synced: the server holds it at version 3. */
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "UPDATE client SET version = 3 WHERE id = ?", id,
                                     CL_SQL_END));
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "DELETE FROM outbox WHERE record_id = ?", id, CL_SQL_END));
  g_assert_no_error (error);
  g_clear_pointer (&values, cl_changes_unref);
  values = cl_changes_new ();
  cl_changes_set (values, "pseudonym", "Qvfirst");
  g_assert_true (cl_store_update (store (), "client", id, values, &error));
  refuse_queued (id);

  conflicts = cl_conflicts_window_new (GTK_WINDOW (window ()), context ());
  gtk_window_present (GTK_WINDOW (conflicts));
  cl_gui_test_spin (100);
  g_signal_emit_by_name (cl_conflicts_window_get_rejected_button (conflicts, 0, "retry"),
                         "clicked");
  sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE record_id = '%s' AND base_version = 3 "
                         "AND changes LIKE '%%Qvfirst%%'", id);
  g_assert_cmpint (query_int (sql), ==, 1);
  g_assert_null (cl_conflicts_window_get_rejected_button (conflicts, 0, "retry"));

  /* Refused again, then discarded once confirmed: the former value is back. */
  refuse_queued (id);
  cl_conflicts_window_reload (conflicts);
  discard_confirmed (conflicts);
  g_assert_null (cl_conflicts_window_get_rejected_button (conflicts, 0, "discard"));
  client = cl_store_get (store (), "client", id, &error);
  g_assert_no_error (error);
  g_assert_null (cl_record_get (client, "pseudonym"));
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE record_id = '%s'", id);
  g_assert_cmpint (query_int (sql), ==, 0);

  /* A refused delete says so, and discarded the record is back. */
  g_assert_true (cl_store_delete (store (), "client", id, &error));
  refuse_queued (id);
  cl_conflicts_window_reload (conflicts);
  {
    g_autoptr(GString) text = g_string_new (NULL);
    GtkWidget *row = gtk_widget_get_ancestor (
      GTK_WIDGET (cl_conflicts_window_get_rejected_button (conflicts, 0, "discard")),
      ADW_TYPE_ACTION_ROW);

    collect_labels (row, text);
    g_assert_nonnull (strstr (text->str, "Client: Deleted"));
    g_assert_nonnull (strstr (text->str, "(forbidden)"));
  }
  discard_confirmed (conflicts);
  g_clear_pointer (&client, g_object_unref);
  client = cl_store_get (store (), "client", id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (sql), ==, 0);

  gtk_window_destroy (GTK_WINDOW (conflicts));
}

/* What IT set for the workstation (docs/DEPLOYMENT.md, "Preparing workstations") is
 * prefilled, so the advocate types only a username and password; a default that cannot
 * serve is said at once, naming the setting. */
static void
test_enroll_workstation_defaults (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.caseload.Caseload");
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  ClEnrollDialog *dialog;
  const char *message;
  int fd;

  fd = g_file_open_tmp ("caseload-ca-XXXXXX.pem", &ca, &error);
  g_assert_no_error (error);
  close (fd);
  g_settings_set_string (settings, "default-server-url", "https://caseload.example.org");
  g_settings_set_string (settings, "default-ca-file", ca);

  g_action_group_activate_action (G_ACTION_GROUP (app), "enroll", NULL);
  WAIT_UNTIL ((dialog = cl_gui_test_find_window (CL_TYPE_ENROLL_DIALOG)) != NULL, 2000);
  g_assert_cmpstr (gtk_editable_get_text (cl_enroll_dialog_get_url_row (dialog)), ==,
                   "https://caseload.example.org");
  g_assert_true (gtk_editable_get_editable (cl_enroll_dialog_get_url_row (dialog)));
  g_assert_cmpstr (cl_enroll_dialog_get_ca_file (dialog), ==, ca);
  g_assert_null (cl_enroll_dialog_get_error (dialog));
  /* The advocate starts with the username. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (dialog));
    GtkWidget *row = focus != NULL ? gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW) : NULL;

    g_assert_nonnull (row);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Username");
  }
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "sync-enroll-workstation-defaults");
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_unlink (ca);
  g_action_group_activate_action (G_ACTION_GROUP (app), "enroll", NULL);
  WAIT_UNTIL ((dialog = cl_gui_test_find_window (CL_TYPE_ENROLL_DIALOG)) != NULL, 2000);
  message = cl_enroll_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "default-ca-file"));
  g_assert_nonnull (strstr (message, ca));
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_settings_reset (settings, "default-server-url");
  g_settings_reset (settings, "default-ca-file");
}

static void
collect_password_entries (GtkWidget *widget,
                          GPtrArray *out)
{
  if (GTK_IS_PASSWORD_ENTRY (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    collect_password_entries (c, out);
}

/* After an administrator's reset, the sign-in dialog asks for the given password and a new
 * one twice; new passwords that differ are asked again, and nothing is sent. */
static void
test_new_password (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  AdwMessageDialog *dialog;
  AdwMessageDialog *again;

  cl_sync_ask_new_password (GTK_WINDOW (window ()), context ());
  WAIT_UNTIL ((dialog = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Choose a New Password");
  collect_password_entries (GTK_WIDGET (dialog), entries);
  g_assert_cmpuint (entries->len, ==, 3);
  screenshots (GTK_WINDOW (dialog), "sync-new-password");

  gtk_editable_set_text (GTK_EDITABLE (entries->pdata[0]), "reset-by-admin-1");
  gtk_editable_set_text (GTK_EDITABLE (entries->pdata[1]), "a new password 1");
  gtk_editable_set_text (GTK_EDITABLE (entries->pdata[2]), "a new password 2");
  adw_message_dialog_response (dialog, "login");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL ((again = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_body (again), ==,
                   "The new passwords do not match. Type them again.");
  g_ptr_array_set_size (entries, 0);
  collect_password_entries (GTK_WIDGET (again), entries);
  g_assert_cmpuint (entries->len, ==, 3);
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entries->pdata[i])), ==, "");
  adw_message_dialog_response (again, "cancel");
  gtk_window_destroy (GTK_WINDOW (again));
}

#define ENROLLED_META "SELECT key, value FROM meta WHERE key LIKE 'sync_%' ORDER BY key"

static char *
meta_rows (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (cl_vault_get_db (cl_store_get_vault (store ())), ENROLLED_META,
                                                 &error);

  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s=%s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* On an enrolled vault the server dialog moves it (address, optional certificate) and asks
 * for no password; a refusal is shown and the vault's enrollment stays as it was. */
static void
test_change_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ClEnrollDialog *dialog;
  const char *message;

  g_autofree char *ca = cl_gui_test_make_ca (tmp_dir);

  /* Enrolled, as far as the vault knows, with a CA made here. */
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "INSERT INTO meta (key, value) VALUES "
                                     "('sync_url', 'https://caseload.example.org'), "
                                     "('sync_username', 'advocate'), "
                                     "('sync_device_id', "
                                     "'3e96f7c7-d178-4b90-91db-2cea54e47a52'), "
                                     "('sync_ca', ?), ('sync_token', 'clt_test')",
                                     ca, CL_SQL_END));
  g_assert_no_error (error);
  cl_context_sync_changed (context ());
  g_assert_true (cl_sync_is_enrolled (cl_context_get_sync (context ())));
  before = meta_rows ();

  dialog = cl_enroll_dialog_new (GTK_WINDOW (window ()), context ());
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Change Server");
  screenshots (GTK_WINDOW (dialog), "sync-change-server");

  cl_enroll_dialog_set_fields (dialog, "http://caseload2.example.org", NULL, NULL, NULL);
  cl_enroll_dialog_enroll (dialog);
  message = cl_enroll_dialog_get_error (dialog);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "https://"));

  /* No password asked: the engine runs, finds nothing at that address, changes nothing. */
  cl_enroll_dialog_set_fields (dialog, "https://127.0.0.1:1", NULL, NULL, NULL);
  cl_enroll_dialog_enroll (dialog);
  g_assert_true (cl_enroll_dialog_get_busy (dialog));
  WAIT_UNTIL (!cl_enroll_dialog_get_busy (dialog), 20000);
  message = cl_enroll_dialog_get_error (dialog);
  g_test_message ("%s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "Could not reach the server"));
  after = meta_rows ();
  g_assert_cmpstr (before, ==, after);
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_true (cl_sql_exec (cl_vault_get_db (cl_store_get_vault (store ())),
                              "DELETE FROM meta WHERE key IN ('sync_url', 'sync_username', "
                              "'sync_device_id', 'sync_ca', 'sync_token')", &error));
  cl_context_sync_changed (context ());
}

static AdwWindowTitle *
find_window_title (GtkWidget *widget)
{
  if (ADW_IS_WINDOW_TITLE (widget))
    return ADW_WINDOW_TITLE (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      AdwWindowTitle *found = find_window_title (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_conflict_keep_mine (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) client = NULL;
  ClConflictsWindow *conflicts;
  ClSyncIndicator *indicator = _cl_window_get_sync_indicator (window ());
  GtkButton *mine;

  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "INSERT INTO conflict (id, record_type, record_id, field, "
                                     "local_value, server_value, server_version, local_by, "
                                     "local_at, server_by, server_at, created_at) "
                                     "VALUES ('c0ffee00-0000-4000-8000-000000000001', 'client', "
                                     "?, 'phone', '347-555-0177', '718-555-0100', 7, 'ana', "
                                     "'2026-01-05T09:58:00Z', 'ben', '2026-01-05T09:30:00Z', "
                                     "'2026-01-05T10:00:00Z')",
                                     client_id, CL_SQL_END));
  g_assert_no_error (error);
  cl_context_sync_changed (context ());
  g_assert_cmpstr (cl_sync_indicator_get_state (indicator), ==, "not-connected");

  /* The Needs Attention view offers the conflicts window; other views do not. */
  cl_window_show_view (window (), CL_CASE_VIEW_MINE);
  g_assert_false (gtk_widget_get_visible (_cl_window_get_conflicts_button (window ())));
  cl_window_show_view (window (), CL_CASE_VIEW_NEEDS_ATTENTION);
  g_assert_true (gtk_widget_get_visible (_cl_window_get_conflicts_button (window ())));
  g_signal_emit_by_name (_cl_window_get_conflicts_button (window ()), "clicked");
  WAIT_UNTIL ((conflicts = cl_gui_test_find_window (CL_TYPE_CONFLICTS_WINDOW)) != NULL, 2000);
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 1);
  g_assert_cmpstr (cl_conflicts_window_get_conflict_id (conflicts, 0), ==,
                   "c0ffee00-0000-4000-8000-000000000001");
  /* How many wait is said in the header, however long the list. */
  g_assert_cmpstr (adw_window_title_get_subtitle (find_window_title (GTK_WIDGET (conflicts))),
                   ==, "1 conflict waits for a decision");
  {
    g_autofree char *text = row_text (conflicts, 0);

    g_assert_nonnull (strstr (text, "From this workstation"));
    g_assert_nonnull (strstr (text, "On This Workstation (Mine)"));
    g_assert_nonnull (strstr (text, "Changed by ana, "));
    g_assert_nonnull (strstr (text, "Changed by ben, "));
  }
  screenshots (GTK_WINDOW (conflicts), "sync-conflicts");
  gtk_window_set_default_size (GTK_WINDOW (conflicts), 360, 600);
  cl_gui_test_spin (300);
  cl_gui_test_screenshot_window (GTK_WINDOW (conflicts), "sync-conflicts-narrow");

  mine = cl_conflicts_window_get_button (conflicts, 0, "mine");
  g_assert_nonnull (mine);
  g_signal_emit_by_name (mine, "clicked");

  /* Resolved in the vault, and the resolution waits for the next round (uploaded = 0). */
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM conflict WHERE resolved_at IS NOT NULL "
                              "AND resolution = 'mine' AND uploaded = 0"), ==, 1);
  g_assert_cmpint (query_int ("SELECT count(*) FROM conflict WHERE resolved_at IS NULL"), ==, 0);
  client = cl_store_get (store (), "client", client_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (client, "phone"), ==, "347-555-0177");

  gtk_window_destroy (GTK_WINDOW (conflicts));
}

/* A conflict the engine fetched: ben's change, lost on his workstation to ana's. It says
 * who changed each side and when, and counts wherever conflicts are counted. */
static void
test_conflict_from_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) kase = NULL;
  g_auto(ClSyncStatus) status = { 0 };
  ClConflictsWindow *conflicts;
  gint64 attention;
  g_autofree char *text = NULL;
  g_autofree char *lost_at = cl_format_datetime ("2026-11-28T16:05:00Z");
  g_autofree char *won_at = cl_format_datetime ("2026-11-28T15:42:00Z");
  g_autofree char *lost = g_strdup_printf ("Changed by ben, %s", lost_at);
  g_autofree char *won = g_strdup_printf ("Changed by ana, %s", won_at);

  attention = cl_store_count_view (store (), CL_CASE_VIEW_NEEDS_ATTENTION, &error);
  g_assert_no_error (error);
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "INSERT INTO conflict (id, record_type, record_id, field, "
                                     "local_value, server_value, server_version, local_by, "
                                     "local_at, server_by, server_at, created_at) "
                                     "VALUES ('c0ffee00-0000-4000-8000-000000000002', 'case', "
                                     "?, 'status', 'on_hold', 'active', 9, 'ben', NULL, 'ana', "
                                     "'2026-11-28T15:42:00Z', '2026-11-28T16:05:00Z')",
                                     case_id, CL_SQL_END));
  g_assert_no_error (error);
  cl_context_sync_changed (context ());

  /* Counted in Needs Attention and by the sync indicator's source. */
  g_assert_cmpint (cl_store_count_view (store (), CL_CASE_VIEW_NEEDS_ATTENTION, NULL), ==,
                   attention + 1);
  g_assert_true (cl_sync_get_status (cl_context_get_sync (context ()), &status, &error));
  g_assert_cmpint (status.open_conflicts, ==, 1);

  cl_window_show_view (window (), CL_CASE_VIEW_NEEDS_ATTENTION);
  g_signal_emit_by_name (_cl_window_get_conflicts_button (window ()), "clicked");
  WAIT_UNTIL ((conflicts = cl_gui_test_find_window (CL_TYPE_CONFLICTS_WINDOW)) != NULL, 2000);
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 1);
  text = row_text (conflicts, 0);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "From another workstation"));
  g_assert_nonnull (strstr (text, "Not Applied"));
  g_assert_null (strstr (text, "(Mine)"));
  g_assert_nonnull (strstr (text, lost));
  g_assert_nonnull (strstr (text, won));
  g_assert_cmpstr (gtk_button_get_label (cl_conflicts_window_get_button (conflicts, 0, "mine")),
                   ==, "_Apply This Change");
  screenshots (GTK_WINDOW (conflicts), "sync-conflicts-elsewhere");
  gtk_window_set_default_size (GTK_WINDOW (conflicts), 360, 600);
  cl_gui_test_spin (300);
  cl_gui_test_screenshot_window (GTK_WINDOW (conflicts), "sync-conflicts-elsewhere-narrow");

  /* Resolved here like any other: the server's value stays. */
  g_signal_emit_by_name (cl_conflicts_window_get_button (conflicts, 0, "theirs"), "clicked");
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM conflict WHERE id = "
                              "'c0ffee00-0000-4000-8000-000000000002' AND resolution = 'theirs' "
                              "AND uploaded = 0"), ==, 1);
  kase = cl_store_get (store (), "case", case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (kase, "status"), ==, "active");
  g_assert_cmpint (cl_store_count_view (store (), CL_CASE_VIEW_NEEDS_ATTENTION, NULL), ==,
                   attention);

  /* The next round finds the server refused that choice (the engine opened the conflict
   * again): the window shows it again, and says so. */
  gtk_window_set_default_size (GTK_WINDOW (conflicts), 720, 600);
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "UPDATE conflict SET resolved_at = NULL, resolution = NULL "
                                     "WHERE id = 'c0ffee00-0000-4000-8000-000000000002'",
                                     CL_SQL_END));
  g_signal_emit_by_name (context (), "sync-finished", NULL);
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 1);
  g_free (text);
  text = row_text (conflicts, 0);
  g_assert_nonnull (strstr (text, "The server did not accept the last choice made here"));
  cl_gui_test_spin (300);
  screenshots (GTK_WINDOW (conflicts), "sync-conflicts-refused");

  /* Chosen again, but someone else's choice came first: it goes. */
  g_signal_emit_by_name (cl_conflicts_window_get_button (conflicts, 0, "mine"), "clicked");
  g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (store ())), &error,
                                     "UPDATE conflict SET resolution = 'elsewhere', uploaded = 1 "
                                     "WHERE id = 'c0ffee00-0000-4000-8000-000000000002'",
                                     CL_SQL_END));
  g_signal_emit_by_name (context (), "sync-finished", NULL);
  g_assert_cmpuint (cl_conflicts_window_get_n_conflicts (conflicts), ==, 0);
  cl_gui_test_spin (300);
  cl_gui_test_screenshot_window (GTK_WINDOW (conflicts), "sync-conflicts-superseded");

  gtk_window_destroy (GTK_WINDOW (conflicts));
}

static void
done_cb (ClFirstRun *first_run,
         gboolean   *done)
{
  *done = TRUE;
}

/* The first run ends with the optional server step, which Skip leaves. */
static void
test_first_run_server_step (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "first-run-vault", NULL);
  g_autoptr(ClContext) other = cl_context_new (dir, NULL);
  GtkWidget *win = gtk_window_new ();
  ClFirstRun *first_run = g_object_new (CL_TYPE_FIRST_RUN, NULL);
  gboolean done = FALSE;

  cl_first_run_set_context (first_run, other);
  cl_first_run_set_offer_server (first_run, TRUE);
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (first_run));
  gtk_window_present (GTK_WINDOW (win));
  g_signal_connect (first_run, "done", G_CALLBACK (done_cb), &done);

  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create", NULL);
  cl_first_run_set_passphrase (first_run, PASSPHRASE, PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.create-vault", NULL);
  WAIT_UNTIL (g_strcmp0 (cl_first_run_get_page (first_run), "recovery") == 0, 20000);
  cl_first_run_set_stored (first_run, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.finish", NULL);
  g_assert_false (done);
  g_assert_cmpstr (cl_first_run_get_page (first_run), ==, "server");
  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  cl_gui_test_screenshot_window (GTK_WINDOW (win), "sync-first-run-server");

  gtk_widget_activate_action (GTK_WIDGET (first_run), "first-run.skip", NULL);
  g_assert_true (done);
  g_assert_false (cl_sync_is_enrolled (cl_context_get_sync (other)));

  cl_context_lock (other);
  gtk_window_destroy (GTK_WINDOW (win));
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
  g_autoptr(ClChanges) values = cl_changes_new ();

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  cl_changes_set (values, "legal_name", "Teresa Alvarado");
  cl_changes_set (values, "phone", "347-555-0142");
  client_id = cl_store_create (s, "client", values, &error);
  g_assert_no_error (error);
  g_clear_pointer (&values, cl_changes_unref);
  values = cl_changes_new ();
  cl_changes_set (values, "client_id", client_id);
  cl_changes_set (values, "command", "14");
  cl_changes_set (values, "track", "dv");
  cl_changes_set (values, "status", "active");
  cl_changes_set (values, "referral_received_at", "2026-11-01T10:00:00Z");
  case_id = cl_store_create (s, "case", values, &error);
  g_assert_no_error (error);
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-sync");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-sync/unlock", test_unlock);
  g_test_add_func ("/gui-sync/indicator", test_indicator);
  g_test_add_func ("/gui-sync/enroll-refuses-http", test_enroll_refuses_http);
  g_test_add_func ("/gui-sync/enroll-workstation-defaults", test_enroll_workstation_defaults);
  g_test_add_func ("/gui-sync/conflict-keep-mine", test_conflict_keep_mine);
  g_test_add_func ("/gui-sync/rejected-retry-discard", test_rejected_retry_discard);
  g_test_add_func ("/gui-sync/conflict-from-elsewhere", test_conflict_from_elsewhere);
  g_test_add_func ("/gui-sync/first-run-server-step", test_first_run_server_step);
  g_test_add_func ("/gui-sync/new-password", test_new_password);
  g_test_add_func ("/gui-sync/change-server", test_change_server);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (client_id);
  g_free (case_id);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
