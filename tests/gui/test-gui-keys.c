/* test-gui-keys.c: the app from the keyboard alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with two cases (the first with an open task) and
 * drives it with real key presses (XTest, on the X server the test runs under):
 *
 * - unlocking with Enter puts the focus, shown, on the first case of the list, and Enter
 *   opens it;
 * - Close Case: Enter without a closure reason keeps the dialog, says what is missing and
 *   focuses it; with a reason, Enter closes the case; open tasks are still warned of;
 * - the cases behind a report's count: Enter opens the first at once, no arrow key first;
 * - a new record's dialog and New Referral: Escape, Cancel or closing the window with
 *   something typed asks "Discard Changes?" (Enter and Escape keep editing); with nothing
 *   typed they close at once;
 * - every dialog reachable from the main window, the case page and the unlock page: Escape
 *   closes it and writes nothing; opened again, Enter and then Ctrl+L crash nothing and
 *   write nothing.
 *
 * Screenshots of the changed dialogs go to $CASELOAD_SCREENSHOT_DIR (and in Arabic, in the
 * gui-keys-arabic run).
 */

#define G_LOG_DOMAIN "test-gui-keys"

#include "config.h"

#include <glib/gi18n.h>
#include <X11/keysym.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-case-summary.h"
#include "cl-drill-down-window.h"
#include "cl-enroll-dialog.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"
#include "cl-test-util.h"
#include "cl-unlock-page.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *case_id;         /* with an open task */
static char *other_case_id;
static ClApplication *app;

/* Helpers --------------------------------------------------------------------------- */

static ClWindow *
window (void)
{
  return cl_gui_test_main_window (app);
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

static ClCasePage *
case_page (void)
{
  return _cl_window_get_case_page (window ());
}

/* A visible window other than the main one and @except, or NULL. */
static GtkWindow *
other_window (GtkWindow *except)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (w != GTK_WINDOW (window ()) && w != except &&
          gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static AdwMessageDialog *
message_dialog (void)
{
  return cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
}

/* The button of @widget labelled @label (translated). */
static GtkWidget *
button (gpointer    widget,
        const char *label)
{
  return cl_gui_test_find_child (GTK_WIDGET (widget), GTK_TYPE_BUTTON,
                                 g_dgettext (GETTEXT_PACKAGE, label));
}

static gint64
outbox_length (void)
{
  return cl_gui_test_outbox_length (store ());
}

static char *
case_status (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) record = cl_store_get (store (), "case", id, &error);

  g_assert_no_error (error);
  return g_strdup (cl_record_get (record, "status"));
}

static void
open_case (const char *id)
{
  cl_window_open_case (window (), id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), id) == 0, 2000);
  cl_gui_test_spin (100);
}

static void
unlock (void)
{
  ClUnlockPage *page = _cl_window_get_unlock_page (window ());

  if (!cl_context_get_locked (context ()))
    return;

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
}

/* Tests ------------------------------------------------------------------------------ */

/* Unlocked by typing the passphrase and Enter, the focus is on the first case of the list,
 * with its ring shown; Enter opens the case. */
static void
test_unlock_focus (void)
{
  GtkWindow *w = GTK_WINDOW (window ());
  GtkWidget *list = GTK_WIDGET (_cl_window_get_case_view (window ()));
  GtkWidget *focus;

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_gui_test_focus_window (w);
  WAIT_UNTIL (!cl_unlock_page_get_busy (_cl_window_get_unlock_page (window ())), 5000);
  cl_gui_test_type (PASSPHRASE);
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 20000);
  gtk_window_set_default_size (w, 1200, 760);
  cl_gui_test_spin (300);

  focus = gtk_window_get_focus (w);
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, list));
  g_assert_false (GTK_IS_LIST_VIEW (focus));
  g_assert_true (gtk_widget_is_drawable (focus));
  g_assert_true (gtk_window_get_focus_visible (w));
  cl_gui_test_screenshot_window (w, "keys-after-unlock");

  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (window ()), "case") == 0, 2000);
  g_assert_nonnull (cl_case_page_get_case_id (case_page ()));
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
}

/* Enter in the search entry goes to the first result, Enter again opens it. */
static void
test_search_enter (void)
{
  GtkWindow *w = GTK_WINDOW (window ());
  GtkWidget *list = GTK_WIDGET (_cl_window_get_case_view (window ()));
  GtkWidget *focus = NULL;

  unlock ();
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_focus_window (w);
  cl_gui_test_press (XK_f, XK_Control_L, 0);
  WAIT_UNTIL (GTK_IS_TEXT (gtk_window_get_focus (w)), 2000);
  cl_gui_test_type ("Rosa");
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL ((focus = gtk_window_get_focus (w)) != NULL &&
              gtk_widget_is_ancestor (focus, list), 5000);
  g_assert_false (GTK_IS_LIST_VIEW (focus));
  g_assert_true (gtk_window_get_focus_visible (w));

  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_content_page (window ()), "case") == 0, 2000);
  g_assert_cmpstr (cl_case_page_get_case_id (case_page ()), ==, other_case_id);
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
}

/* Close Case from the keyboard: Enter without a reason says so and stays; Enter with one
 * closes the case. */
static void
test_close_case (void)
{
  AdwMessageDialog *dialog;
  GtkWidget *reason;
  gint64 outbox;
  g_autofree char *status = NULL;

  unlock ();
  outbox = outbox_length ();

  open_case (case_id);
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.close", NULL);
  WAIT_UNTIL ((dialog = message_dialog ()) != NULL, 2000);
  g_object_ref (dialog);

  /* The open task is still warned of. */
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), !=,
                   g_dgettext (GETTEXT_PACKAGE, "Say why the case closes. It moves to Closed "
                                                "cases and can be reopened."));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "close");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  reason = GTK_WIDGET (gtk_list_box_get_row_at_index (
    GTK_LIST_BOX (adw_message_dialog_get_extra_child (dialog)), 0));

  /* Enter with no reason: the dialog stays, says what is missing, the focus on it. */
  cl_gui_test_focus_window (GTK_WINDOW (dialog));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == reason);
  cl_gui_test_press (XK_Return, 0, 0);
  cl_gui_test_spin (300);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_widget_has_css_class (reason, "error"));
  g_assert_nonnull (adw_action_row_get_subtitle (ADW_ACTION_ROW (reason)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (reason)), !=, "");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == reason);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "keys-close-case-missing");
  g_assert_cmpint (outbox_length (), ==, outbox);
  status = case_status (case_id);
  g_assert_cmpstr (status, !=, "closed");
  g_clear_pointer (&status, g_free);

  /* A reason chosen, Enter closes the case. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (reason), 1);
  g_assert_false (gtk_widget_has_css_class (reason, "error"));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == reason);
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
  g_object_unref (dialog);
  status = case_status (case_id);
  g_assert_cmpstr (status, ==, "closed");
  g_assert_cmpint (outbox_length (), >, outbox);

  /* Open again, for the tests that follow. */
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.reopen", NULL);
  g_clear_pointer (&status, g_free);
  status = case_status (case_id);
  g_assert_cmpstr (status, !=, "closed");
}

static void
open_case_cb (ClDrillDownWindow  *drill,
              const char         *id,
              char              **opened)
{
  g_free (*opened);
  *opened = g_strdup (id);
}

/* The cases behind a count: the first is focused and selected, Enter opens it. */
static void
test_drill_down (void)
{
  const char *ids[] = { case_id, other_case_id, NULL };
  ClDrillDownWindow *drill;
  g_autofree char *opened = NULL;
  g_autoptr(ClCaseSummary) first = NULL;
  GtkSelectionModel *selection;

  unlock ();
  drill = cl_drill_down_window_new (GTK_WINDOW (window ()), store (), "Test", ids);

  g_signal_connect (drill, "open-case", G_CALLBACK (open_case_cb), &opened);
  WAIT_UNTIL (_cl_drill_down_window_get_loaded (drill), 5000);
  cl_gui_test_focus_window (GTK_WINDOW (drill));
  cl_gui_test_spin (200);
  selection = gtk_list_view_get_model (
    GTK_LIST_VIEW (cl_gui_test_find_child (GTK_WIDGET (drill), GTK_TYPE_LIST_VIEW, NULL)));
  g_assert_true (gtk_selection_model_is_selected (selection, 0));
  cl_gui_test_screenshot_window (GTK_WINDOW (drill), "keys-drill-down");
  first = g_list_model_get_item (_cl_drill_down_window_get_cases (drill), 0);

  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (opened != NULL, 2000);
  g_assert_cmpstr (opened, ==, cl_case_summary_get_id (first));
}

/* The new records' dialogs ------------------------------------------------------------ */

typedef GtkWindow *(*OpenFunc) (void);

static GtkWindow *
open_new_task (void)
{
  open_case (case_id);
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-record", "s", "task");
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (other_window (NULL)), 2000);
  return other_window (NULL);
}

static GtkWindow *
open_new_referral (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.new-referral", NULL);
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (other_window (NULL)), 2000);
  return other_window (NULL);
}

static const OpenFunc discard_opens[] = { open_new_task, open_new_referral };

static void
test_discard_question (gconstpointer data)
{
  OpenFunc open = *(const OpenFunc *) data;
  gint64 outbox;
  GtkWindow *dialog;
  GtkEditable *focus;
  g_autofree char *typed = NULL;

  unlock ();
  outbox = outbox_length ();

  /* Nothing typed: Escape closes at once. */
  dialog = g_object_ref (open ());
  cl_gui_test_focus_window (dialog);
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
  g_assert_null (message_dialog ());
  g_object_unref (dialog);

  /* Something typed: Escape, Cancel and the window's close ask first. */
  dialog = g_object_ref (open ());
  cl_gui_test_focus_window (dialog);
  /* New Referral starts on where the referral came from, a list: the name is typed. */
  if (CL_IS_NEW_REFERRAL_DIALOG (dialog))
    gtk_widget_grab_focus (cl_record_form_get_row (
      cl_new_referral_dialog_get_form (CL_NEW_REFERRAL_DIALOG (dialog), "client"), "legal_name"));
  g_assert_true (GTK_IS_EDITABLE (gtk_window_get_focus (dialog)));
  focus = GTK_EDITABLE (gtk_window_get_focus (dialog));
  cl_gui_test_type ("abc");
  typed = g_strdup (gtk_editable_get_text (focus));
  g_assert_cmpstr (typed, !=, "");

  cl_gui_test_press (XK_Escape, 0, 0);
  cl_gui_test_expect_discard_question (dialog);
  cl_gui_test_screenshot_window (GTK_WINDOW (message_dialog ()),
                                 CL_IS_RECORD_DIALOG (dialog) ? "keys-discard-record"
                                                              : "keys-discard-referral");
  /* Enter keeps editing (held down, it never discards); so does Escape. */
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_cmpstr (gtk_editable_get_text (focus), ==, typed);

  g_signal_emit_by_name (button (dialog, "_Cancel"), "clicked");
  cl_gui_test_expect_discard_question (dialog);
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  /* Discard, chosen: the dialog goes, nothing written. */
  gtk_window_close (dialog);
  {
    AdwMessageDialog *question = cl_gui_test_expect_discard_question (dialog);

    gtk_widget_grab_focus (button (question, "_Discard"));
    cl_gui_test_press (XK_Return, 0, 0);
  }
  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_object_unref (dialog);
  g_assert_cmpint (outbox_length (), ==, outbox);
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
}

/* Every dialog, left with Escape ---------------------------------------------------- */

static void
case_action (const char *action,
             GVariant   *param)
{
  open_case (case_id);
  gtk_widget_activate_action_variant (GTK_WIDGET (case_page ()), action, param);
}

typedef struct
{
  const char *name;
  void      (*open) (const char *arg);
  const char *arg;
} WalkDialog;

static void
walk_case_action (const char *action)
{
  case_action (action, NULL);
}

static void
walk_add_record (const char *type_name)
{
  case_action ("case.add-record", g_variant_new_string (type_name));
}

static void
walk_window_action (const char *action)
{
  gtk_widget_activate_action (GTK_WIDGET (window ()), action, NULL);
}

static void
walk_app_action (const char *action)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), action, NULL);
}

static void
walk_sign_in (const char *unused)
{
  cl_sync_ask_login (GTK_WINDOW (window ()), context ());
}

static void
walk_help_overlay (const char *unused)
{
  g_action_group_activate_action (G_ACTION_GROUP (window ()), "show-help-overlay", NULL);
}

static const WalkDialog walk[] = {
  { "new-referral", walk_window_action, "win.new-referral" },
  { "task", walk_add_record, "task" },
  { "victimization", walk_add_record, "victimization" },
  { "referral", walk_add_record, "referral" },
  { "outbound-referral", walk_add_record, "outbound_referral" },
  { "immigration", walk_add_record, "immigration" },
  { "legal-matter", walk_add_record, "legal_matter" },
  { "release", walk_add_record, "release" },
  { "note", walk_add_record, "note" },
  { "safety-plan", walk_add_record, "safety_plan" },
  { "compensation", walk_add_record, "compensation" },
  { "disclosure", walk_add_record, "disclosure" },
  { "service-picker", walk_case_action, "case.add-service" },
  { "close-case", walk_case_action, "case.close" },
  { "preferences", walk_app_action, "preferences" },
  { "about", walk_app_action, "about" },
  { "enroll", walk_app_action, "enroll" },
  { "conflicts", walk_app_action, "conflicts" },
  { "sign-in", walk_sign_in, NULL },
  { "shortcuts", walk_help_overlay, NULL },
};

/* Opens @dialog of the walk and gives it the keyboard. */
static GtkWindow *
walk_open (const WalkDialog *dialog)
{
  GtkWindow *w;

  dialog->open (dialog->arg);
  WAIT_UNTIL ((w = other_window (NULL)) != NULL, 3000);
  cl_gui_test_focus_window (w);
  cl_gui_test_spin (200);
  g_test_message ("%s: opens with the focus on %s", dialog->name,
                  gtk_window_get_focus (w) != NULL
                    ? G_OBJECT_TYPE_NAME (gtk_window_get_focus (w)) : "nothing");
  /* Never on Cancel, where Enter or a space cancels. */
  g_assert_true (gtk_window_get_focus (w) == NULL ||
                 gtk_window_get_focus (w) != button (w, "_Cancel"));
  return g_object_ref (w);
}

/* Each dialog opened and left with Escape: it closes, and the outbox is what it was. Opened
 * again, Enter does its default, which on an empty dialog writes nothing, and Ctrl+L locks
 * from wherever the keyboard then is. Then, on the lock screen, "Forgot Passphrase?" the
 * same way. */
static void
test_escape_walk (void)
{
  gint64 outbox;

  unlock ();
  outbox = outbox_length ();
  for (guint i = 0; i < G_N_ELEMENTS (walk); i++)
    {
      g_autoptr(GtkWindow) dialog = NULL;
      GtkWindow *left;

      g_test_message ("%s: Escape", walk[i].name);
      dialog = walk_open (&walk[i]);
      cl_gui_test_press (XK_Escape, 0, 0);
      WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
      g_assert_null (other_window (NULL));
      g_assert_cmpint (outbox_length (), ==, outbox);
      g_clear_object (&dialog);

      g_test_message ("%s: Enter, then Ctrl+L", walk[i].name);
      dialog = walk_open (&walk[i]);
      cl_gui_test_press (XK_Return, 0, 0);
      cl_gui_test_spin (500);
      g_assert_cmpint (outbox_length (), ==, outbox);
      left = other_window (NULL);
      g_test_message ("%s: after Enter, %s", walk[i].name,
                      left != NULL ? G_OBJECT_TYPE_NAME (left) : "the main window");
      cl_gui_test_focus_window (left != NULL ? left : GTK_WINDOW (window ()));
      cl_gui_test_press (XK_l, XK_Control_L, 0);
      WAIT_UNTIL (cl_context_get_locked (context ()), 2000);
      WAIT_UNTIL (other_window (NULL) == NULL, 2000);
      unlock ();
      gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
    }

  /* On the lock screen: "Forgot Passphrase?", Escape; again, Enter. */
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  cl_gui_test_press (XK_l, XK_Control_L, 0);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 2000);
  for (guint key = 0; key < 2; key++)
    {
      ClUnlockPage *page = _cl_window_get_unlock_page (window ());
      g_autoptr(GtkWindow) dialog = NULL;

      WAIT_UNTIL (!cl_unlock_page_get_busy (page), 5000);
      gtk_widget_activate_action (GTK_WIDGET (page), "unlock.recover", NULL);
      WAIT_UNTIL ((dialog = other_window (NULL)) != NULL, 2000);
      g_object_ref (dialog);
      cl_gui_test_focus_window (dialog);
      cl_gui_test_press (key == 0 ? XK_Escape : XK_Return, 0, 0);
      cl_gui_test_spin (300);
      if (key == 0)
        g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
      else if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
        cl_gui_test_press (XK_Escape, 0, 0);
      WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
    }
  unlock ();
  g_assert_cmpint (outbox_length (), ==, outbox);
}

static void
create_test_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) s = NULL;
  const char *names[] = { "Ana Lima", "Rosa Diaz" };
  char **cases[] = { &case_id, &other_case_id };

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ClChanges) client = cl_changes_new ();
      g_autoptr(ClChanges) values = cl_changes_new ();
      g_autofree char *client_id = NULL;

      cl_changes_set (client, "legal_name", names[i]);
      client_id = cl_store_create (s, "client", client, &error);
      g_assert_no_error (error);
      cl_changes_set (values, "client_id", client_id);
      cl_changes_set (values, "command", "14");
      cl_changes_set (values, "track", "trafficking");
      *cases[i] = cl_store_create (s, "case", values, &error);
      g_assert_no_error (error);
    }
  {
    g_autoptr(ClChanges) task = cl_changes_new ();
    g_autofree char *task_id = NULL;

    cl_changes_set (task, "case_id", case_id);
    cl_changes_set (task, "title", "Call back");
    cl_changes_set (task, "due", "2026-12-20");
    task_id = cl_store_create (s, "task", task, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-keys");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-keys/unlock-focus", test_unlock_focus);
  g_test_add_func ("/gui-keys/search-enter", test_search_enter);
  g_test_add_func ("/gui-keys/close-case", test_close_case);
  g_test_add_func ("/gui-keys/drill-down", test_drill_down);
  g_test_add_data_func ("/gui-keys/discard-question/record", &discard_opens[0],
                        test_discard_question);
  g_test_add_data_func ("/gui-keys/discard-question/new-referral", &discard_opens[1],
                        test_discard_question);
  /* Escape, Enter and Ctrl+L in every dialog mean the same right to left: English only
   * (gui-safety-arabic locks every window with Ctrl+L). */
  if (!cl_gui_test_in_test_locale ())
    g_test_add_func ("/gui-keys/escape-walk", test_escape_walk);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (case_id);
  g_free (other_case_id);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
