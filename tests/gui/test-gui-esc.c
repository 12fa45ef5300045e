/* test-gui-esc.c: Escape and Ctrl+Z on the case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with one case and drives it with real key presses
 * (XTest, on the X server the test runs under):
 *
 * - Escape in a case field holding an unsaved change puts the stored value back, saves
 *   nothing and keeps the focus there; a second Escape goes back to the list;
 * - Ctrl+Z, with the focus on the list, undoes the last saved edit of a case;
 * - Escape or Back with a contact started in the quick add (an outcome chosen, a note
 *   typed) asks "Discard Changes?" (Keep Editing the default and Escape answer, Discard
 *   destructive); Keep Editing stays, Discard empties it and leaves, logging nothing; with
 *   nothing started they leave at once;
 * - after Keep Editing in a new task's dialog and in New Referral, the keyboard is back in
 *   the entry that was typed in.
 */

#define G_LOG_DOMAIN "test-gui-esc"

#include "config.h"

#include <glib/gi18n.h>
#include <X11/keysym.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-case-page.h"
#include "cl-case-contact-log.h"
#include "cl-case-page-private.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"
#include "cl-record-form.h"
#include "cl-test-util.h"
#include "cl-unlock-page.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"
#define LEGAL_NAME "Ana Lima"

static char *tmp_dir;
static char *vault_dir;
static char *case_id;
static char *client_id;
static ClApplication *app;

/* Helpers --------------------------------------------------------------------------- */

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

static const char *
content_page (void)
{
  return _cl_window_get_content_page (window ());
}

static char *
stored_name (void)
{
  return cl_gui_test_stored (store (), "client", client_id, "legal_name");
}

static void
unlock (void)
{
  ClContext *context = cl_application_get_context (app);
  ClUnlockPage *page = _cl_window_get_unlock_page (window ());

  if (!cl_context_get_locked (context))
    return;

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
}

/* Opens the case and types @text (a capital, then lower case) over the client's legal
 * name, selected; returns its row. */
static GtkWidget *
type_legal_name (const char *text)
{
  GtkWidget *row;

  unlock ();
  cl_window_open_case (window (), case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), case_id) == 0, 2000);
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  cl_gui_test_spin (100);

  row = cl_record_form_get_row (_cl_case_page_get_client_form (case_page ()), "legal_name");
  gtk_widget_grab_focus (row);
  cl_gui_test_press (XK_a, XK_Control_L, 0);
  cl_gui_test_press (g_ascii_tolower (text[0]), XK_Shift_L, 0);
  cl_gui_test_type (text + 1);
  WAIT_UNTIL (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) == 0, 2000);
  return row;
}

static AdwMessageDialog *
message_dialog (void)
{
  return cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
}

/* The first entry row titled @title (translated) in @widget, or NULL. */
static GtkWidget *
find_entry_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                 g_dgettext (GETTEXT_PACKAGE, title)) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Opens the case with the keyboard in the contact log's quick add (Ctrl+Shift+L). */
static void
open_contact_log (void)
{
  unlock ();
  cl_window_open_case (window (), case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), case_id) == 0, 2000);
  WAIT_UNTIL (g_strcmp0 (content_page (), "case") == 0, 2000);
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  cl_gui_test_spin (100);
  cl_gui_test_press (XK_l, XK_Control_L, XK_Shift_L);
  cl_gui_test_spin (100);
}

/* Tests ------------------------------------------------------------------------------ */

/* Escape with an unsaved change: the field shows the stored value again, nothing is saved,
 * the focus stays; Escape again goes back to the list, still saving nothing. */
static void
test_escape_reverts (void)
{
  GtkWindow *w = GTK_WINDOW (window ());
  GtkWidget *row;
  gint64 outbox;
  g_autofree char *name = NULL;

  unlock ();
  outbox = cl_gui_test_outbox_length (store ());
  row = type_legal_name ("Mimi");

  cl_gui_test_press (XK_Escape, 0, 0);
  cl_gui_test_spin (300);
  g_assert_cmpstr (content_page (), ==, "case");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, LEGAL_NAME);
  g_assert_nonnull (gtk_window_get_focus (w));
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (w), row));
  name = stored_name ();
  g_assert_cmpstr (name, ==, LEGAL_NAME);
  g_clear_pointer (&name, g_free);
  g_assert_cmpint (cl_gui_test_outbox_length (store ()), ==, outbox);

  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (g_strcmp0 (content_page (), "list") == 0, 2000);
  name = stored_name ();
  g_assert_cmpstr (name, ==, LEGAL_NAME);
  g_assert_cmpint (cl_gui_test_outbox_length (store ()), ==, outbox);
}

/* An edit saved on leaving the case; Ctrl+Z on the list puts the old value back. */
static void
test_ctrl_z_undoes (void)
{
  GtkWindow *w = GTK_WINDOW (window ());
  g_autofree char *name = NULL;

  type_legal_name ("Rosa");
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  WAIT_UNTIL (g_strcmp0 (content_page (), "list") == 0, 2000);
  name = stored_name ();
  g_assert_cmpstr (name, ==, "Rosa");
  g_clear_pointer (&name, g_free);
  g_assert_true (_cl_window_get_can_undo (window ()));

  cl_gui_test_spin (200);
  g_assert_nonnull (gtk_window_get_focus (w));
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (w),
                                         GTK_WIDGET (_cl_window_get_case_view (window ()))));
  cl_gui_test_press (XK_z, XK_Control_L, 0);
  WAIT_UNTIL (!_cl_window_get_can_undo (window ()), 2000);
  name = stored_name ();
  g_assert_cmpstr (name, ==, LEGAL_NAME);
}

/* Nothing started in the quick add: Escape leaves at once. */
static void
test_contact_log_empty (void)
{
  open_contact_log ();
  g_assert_false (cl_case_contact_log_get_started (
    CL_CASE_CONTACT_LOG (_cl_case_page_get_section (case_page (), CL_TYPE_CASE_CONTACT_LOG))));
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (g_strcmp0 (content_page (), "list") == 0, 2000);
  g_assert_null (message_dialog ());
}

/* A note typed: Escape asks, Keep Editing (Escape) stays with the note and the focus where
 * it was; Back asks again, Discard empties the quick add and leaves, logging nothing. The
 * same with only an outcome chosen. */
static void
test_contact_log_asks (void)
{
  GtkWindow *w = GTK_WINDOW (window ());
  GtkWidget *note;
  AdwMessageDialog *question;
  gint64 outbox;

  unlock ();
  outbox = cl_gui_test_outbox_length (store ());
  open_contact_log ();
  note = find_entry_row (_cl_case_page_get_section (case_page (), CL_TYPE_CASE_CONTACT_LOG),
                         "Note");
  g_assert_nonnull (note);
  gtk_widget_grab_focus (note);
  cl_gui_test_type ("called");
  WAIT_UNTIL (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (note)), "called") == 0, 2000);

  cl_gui_test_press (XK_Escape, 0, 0);
  question = cl_gui_test_expect_discard_question (GTK_WINDOW (window ()));
  cl_gui_test_screenshot_window (GTK_WINDOW (question), "esc-discard-contact");
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  cl_gui_test_spin (200);
  g_assert_cmpstr (content_page (), ==, "case");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (note)), ==, "called");
  g_assert_nonnull (gtk_window_get_focus (w));
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (w), note));
  WAIT_UNTIL (gtk_window_is_active (w), 2000);
  cl_gui_test_press (XK_s, 0, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (note)), ==, "calleds");

  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.back", NULL);
  question = cl_gui_test_expect_discard_question (GTK_WINDOW (window ()));
  gtk_widget_grab_focus (cl_gui_test_find_child (GTK_WIDGET (question), GTK_TYPE_BUTTON,
                                                 g_dgettext (GETTEXT_PACKAGE, "_Discard")));
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (g_strcmp0 (content_page (), "list") == 0, 2000);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (note)), ==, "");
  g_assert_cmpint (cl_gui_test_outbox_length (store ()), ==, outbox);

  /* Only an outcome chosen. */
  open_contact_log ();
  _cl_case_page_set_contact (case_page (), "phone", "reached", NULL);
  cl_gui_test_press (XK_Escape, 0, 0);
  question = cl_gui_test_expect_discard_question (GTK_WINDOW (window ()));
  gtk_widget_grab_focus (cl_gui_test_find_child (GTK_WIDGET (question), GTK_TYPE_BUTTON,
                                                 g_dgettext (GETTEXT_PACKAGE, "_Discard")));
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (g_strcmp0 (content_page (), "list") == 0, 2000);
  g_assert_null (_cl_case_page_get_contact_outcome (case_page ()));
  g_assert_cmpint (cl_gui_test_outbox_length (store ()), ==, outbox);
}

/* A visible window other than the main one, or NULL. */
static GtkWindow *
other_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (w != GTK_WINDOW (window ()) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* After Keep Editing, the focus is back in the entry that was typed in, in a new task's
 * dialog and in New Referral. */
static void
test_keep_editing_focus (gconstpointer data)
{
  gboolean referral = GPOINTER_TO_INT (data);
  g_autoptr(GtkWindow) dialog = NULL;
  GtkWidget *focus;

  unlock ();
  if (referral)
    {
      gtk_widget_activate_action (GTK_WIDGET (window ()), "win.new-referral", NULL);
      WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (other_window ()), 2000);
    }
  else
    {
      cl_window_open_case (window (), case_id);
      WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), case_id) == 0, 2000);
      gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-record", "s", "task");
      WAIT_UNTIL (CL_IS_RECORD_DIALOG (other_window ()), 2000);
    }
  dialog = g_object_ref (other_window ());
  cl_gui_test_focus_window (dialog);
  if (referral)
    gtk_widget_grab_focus (cl_record_form_get_row (
      cl_new_referral_dialog_get_form (CL_NEW_REFERRAL_DIALOG (dialog), "client"), "legal_name"));
  focus = gtk_window_get_focus (dialog);
  g_assert_true (GTK_IS_EDITABLE (focus));
  cl_gui_test_type ("abc");

  cl_gui_test_press (XK_Escape, 0, 0);
  cl_gui_test_expect_discard_question (dialog);
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  cl_gui_test_spin (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_focus (dialog) == focus);
  /* The keyboard is back there: a key typed goes on the text. */
  WAIT_UNTIL (gtk_window_is_active (dialog), 2000);
  cl_gui_test_press (XK_d, 0, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (focus)), ==, "abcd");

  /* Gone, for the tests that follow. */
  gtk_window_close (dialog);
  gtk_widget_grab_focus (cl_gui_test_find_child (
    GTK_WIDGET (cl_gui_test_expect_discard_question (dialog)), GTK_TYPE_BUTTON,
    g_dgettext (GETTEXT_PACKAGE, "_Discard")));
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
}

static void
create_test_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) s = NULL;
  g_autoptr(ClChanges) client = cl_changes_new ();
  g_autoptr(ClChanges) values = cl_changes_new ();

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  cl_changes_set (client, "legal_name", LEGAL_NAME);
  client_id = cl_store_create (s, "client", client, &error);
  g_assert_no_error (error);
  cl_changes_set (values, "client_id", client_id);
  cl_changes_set (values, "command", "14");
  cl_changes_set (values, "track", "trafficking");
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

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-esc");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-esc/escape-reverts", test_escape_reverts);
  g_test_add_func ("/gui-esc/ctrl-z-undoes", test_ctrl_z_undoes);
  g_test_add_func ("/gui-esc/contact-log-empty", test_contact_log_empty);
  g_test_add_func ("/gui-esc/contact-log-asks", test_contact_log_asks);
  g_test_add_data_func ("/gui-esc/keep-editing-focus/record", GINT_TO_POINTER (FALSE),
                        test_keep_editing_focus);
  g_test_add_data_func ("/gui-esc/keep-editing-focus/new-referral", GINT_TO_POINTER (TRUE),
                        test_keep_editing_focus);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (case_id);
  g_free (client_id);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
