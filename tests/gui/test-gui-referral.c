/* test-gui-referral.c: New Referral finds the client a referral is for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with two clients named Kayla Brown and a restricted
 * client. Typing a name, a phone number or a date of birth lists the clients it may be;
 * choosing one adds the new case to that client; creating a new client while some are listed
 * asks first, and only "Create New Client" creates one. Screenshots (light, dark, narrow, and
 * Arabic in the gui-referral-arabic run) go to $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-referral"

#include "config.h"

#include <string.h>

#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-command-row.h"
#include "cl-gui-test.h"
#include "cl-new-referral-dialog.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *kayla_1988;
static char *kayla_1990;   /* phone 347-555-5706 */
static char *restricted_client;
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

static gint64
count (const char *type,
       const char *field,
       const char *value)
{
  g_autoptr(ClChanges) where = NULL;

  if (field != NULL)
    {
      where = cl_changes_new ();
      cl_changes_set (where, field, value);
    }
  return cl_store_count (store (), type, where, NULL);
}

/* The check buttons of the clients listed under "Already a Client?", in order. */
static void
collect_matches (GtkWidget *widget,
                 GPtrArray *checks)
{
  if (GTK_IS_CHECK_BUTTON (widget) && g_object_get_data (G_OBJECT (widget), "cl-match") != NULL
      && gtk_widget_get_mapped (widget))
    g_ptr_array_add (checks, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_matches (child, checks);
}

static GPtrArray *
matches (ClNewReferralDialog *dialog)
{
  GPtrArray *checks = g_ptr_array_new ();

  collect_matches (GTK_WIDGET (dialog), checks);
  return checks;
}

static guint
n_matches (ClNewReferralDialog *dialog)
{
  g_autoptr(GPtrArray) checks = matches (dialog);

  return checks->len;
}

static const char *
match_title (GtkWidget *check)
{
  GtkWidget *row = gtk_widget_get_ancestor (check, ADW_TYPE_ACTION_ROW);

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static ClNewReferralDialog *
open_dialog (void)
{
  ClWindow *w = window ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.new-referral", NULL));
  WAIT_UNTIL (CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w)), 2000);
  return CL_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (w));
}

static void
type_into (ClNewReferralDialog *dialog,
           const char          *field,
           const char          *text)
{
  ClRecordForm *form = cl_new_referral_dialog_get_form (dialog, "client");

  gtk_editable_set_text (GTK_EDITABLE (cl_record_form_get_row (form, field)), text);
}

static void
fill_case (ClNewReferralDialog *dialog)
{
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "command", "14");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "track", "dv");
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "referral"), "source",
                            "walk_in");
}

static AdwMessageDialog *
question (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) t = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (t) && gtk_window_get_transient_for (t) == parent
          && gtk_widget_get_visible (GTK_WIDGET (t)))
        return ADW_MESSAGE_DIALOG (t);
    }
  return NULL;
}

static void
screenshots (GtkWindow  *w,
             const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);
  g_autofree char *narrow = g_strconcat (name, "-narrow", NULL);
  int width, height;

  gtk_window_get_default_size (w, &width, &height);
  cl_gui_test_screenshot_window (w, name);
  if (cl_gui_test_in_test_locale ())
    return;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  cl_gui_test_screenshot_window (w, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (w, 360, height);
  cl_gui_test_screenshot_window (w, narrow);
  gtk_window_set_default_size (w, width, height);
  cl_gui_test_spin (200);
}

/* Scrolls @widget's group to the top of the dialog. */
static void
scroll_to (GtkWidget *widget)
{
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (widget,
                                                                             GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  graphene_point_t at;

  cl_gui_test_spin (100);
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (scrolled),
                                           &GRAPHENE_POINT_INIT (0, 0), &at));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + at.y - 12);
  cl_gui_test_spin (100);
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_unlock (void)
{
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  cl_unlock_page_unlock (_cl_window_get_unlock_page (window ()), PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (cl_application_get_context (app)), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
}

/* Choosing a listed client adds the case to them: no new client. */
static void
test_choose_existing (void)
{
  ClNewReferralDialog *dialog = open_dialog ();
  g_autoptr(GPtrArray) checks = NULL;
  gint64 clients = count ("client", NULL, NULL);
  gint64 cases = count ("case", "client_id", kayla_1990);
  GtkWidget *chosen = NULL;
  GtkWidget *listed;

  g_assert_cmpuint (n_matches (dialog), ==, 0);
  /* A date is kept across a lock as it was typed, not as it would be stored. */
  {
    ClRecordForm *referral = cl_new_referral_dialog_get_form (dialog, "referral");
    g_autoptr(ClChanges) kept = cl_record_form_dup_input (referral);
    const char *received = NULL;

    g_assert_true (cl_changes_lookup (kept, "received_at", &received));
    g_assert_cmpstr (received, ==,
                     gtk_editable_get_text (GTK_EDITABLE (cl_record_form_get_row (referral,
                                                                                 "received_at"))));
  }
  /* The keyboard starts in the first field, not on Cancel. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (dialog));
    GtkWidget *first = cl_record_form_get_row (cl_new_referral_dialog_get_form (dialog,
                                                                                "referral"),
                                               "source");

    g_assert_true (focus != NULL && (focus == first || gtk_widget_is_ancestor (focus, first)));
  }
  type_into (dialog, "legal_name", "kayla brown");
  WAIT_UNTIL (n_matches (dialog) == 2, 3000);
  /* Only the two Kaylas: the restricted client is not a Kayla. */
  checks = matches (dialog);
  for (guint i = 0; i < checks->len; i++)
    g_assert_cmpstr (match_title (g_ptr_array_index (checks, i)), ==, "Kayla Brown");

  /* The date of birth puts the one born that day first, once the rows are listed anew. */
  listed = g_ptr_array_index (checks, 0);
  g_object_add_weak_pointer (G_OBJECT (listed), (gpointer *) &listed);
  type_into (dialog, "date_of_birth", "1990-02-03");
  WAIT_UNTIL (listed == NULL, 3000);
  g_clear_pointer (&checks, g_ptr_array_unref);
  checks = matches (dialog);
  g_assert_cmpuint (checks->len, ==, 2);
  chosen = g_ptr_array_index (checks, 0);
  scroll_to (chosen);
  screenshots (GTK_WINDOW (dialog), "new-referral-returning");

  /* Choosing by the row, as the keyboard does. */
  g_assert_true (gtk_widget_activate (gtk_widget_get_ancestor (chosen, ADW_TYPE_ACTION_ROW)));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (chosen)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (cl_new_referral_dialog_get_form (dialog,
                                                                                         "client"))));
  fill_case (dialog);
  g_assert_true (cl_new_referral_dialog_create (dialog));

  g_assert_cmpint (count ("client", NULL, NULL), ==, clients);
  g_assert_cmpint (count ("case", "client_id", kayla_1990), ==, cases + 1);
}

/* Listed clients and none chosen: a new client only once the advocate says so. */
static void
test_confirm_new (void)
{
  ClNewReferralDialog *dialog = open_dialog ();
  gint64 clients = count ("client", NULL, NULL);
  gint64 kaylas = count ("client", "legal_name", "Kayla Brown");
  AdwMessageDialog *ask;

  type_into (dialog, "legal_name", "Kayla Brown");
  fill_case (dialog);
  /* Create at once, before the pause in typing: the lookup still runs first. */
  g_assert_false (cl_new_referral_dialog_create (dialog));
  WAIT_UNTIL (question (GTK_WINDOW (dialog)) != NULL, 2000);
  ask = question (GTK_WINDOW (dialog));
  g_assert_cmpstr (adw_message_dialog_get_default_response (ask), ==, "choose");
  g_assert_cmpstr (adw_message_dialog_get_close_response (ask), ==, "choose");
  cl_gui_test_screenshot_window (GTK_WINDOW (ask), "new-referral-returning-question");
  g_assert_cmpint (count ("client", NULL, NULL), ==, clients);

  /* Closing the question (Esc) chooses "Choose Existing": back to the dialog, nothing
   * created. */
  gtk_window_close (GTK_WINDOW (ask));
  WAIT_UNTIL (question (GTK_WINDOW (dialog)) == NULL, 2000);
  g_assert_cmpint (count ("client", NULL, NULL), ==, clients);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  /* Asked again, and this time a new client. */
  g_assert_false (cl_new_referral_dialog_create (dialog));
  WAIT_UNTIL (question (GTK_WINDOW (dialog)) != NULL, 2000);
  adw_message_dialog_response (question (GTK_WINDOW (dialog)), "new");
  WAIT_UNTIL (count ("client", NULL, NULL) == clients + 1, 2000);
  g_assert_cmpint (count ("client", "legal_name", "Kayla Brown"), ==, kaylas + 1);
  WAIT_UNTIL (!CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (window ())), 2000);
}

/* A phone number, however it is written, finds its client; nothing to ask otherwise. */
static void
test_phone_and_nobody (void)
{
  ClNewReferralDialog *dialog = open_dialog ();
  g_autoptr(GPtrArray) checks = NULL;
  gint64 clients = count ("client", NULL, NULL);

  type_into (dialog, "legal_name", "Someone Else");
  type_into (dialog, "phone", "3475555706");
  WAIT_UNTIL (n_matches (dialog) == 1, 3000);
  checks = matches (dialog);
  g_assert_cmpstr (match_title (g_ptr_array_index (checks, 0)), ==, "Kayla Brown");

  /* A field left out: the keyboard goes to it. */
  fill_case (dialog);
  cl_record_form_set_value (cl_new_referral_dialog_get_form (dialog, "case"), "command", NULL);
  g_assert_false (cl_new_referral_dialog_create (dialog));
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (dialog));
    GtkWidget *command = cl_record_form_get_row (cl_new_referral_dialog_get_form (dialog,
                                                                                  "case"),
                                                 "command");

    g_assert_true (focus != NULL && (focus == command || gtk_widget_is_ancestor (focus, command)));
  }

  /* A name and number nobody has: Enter in a field creates it at once, no question. */
  type_into (dialog, "legal_name", "Zainab Okafor");
  type_into (dialog, "phone", "718-555-0199");
  WAIT_UNTIL (n_matches (dialog) == 0, 3000);
  fill_case (dialog);
  g_signal_emit_by_name (cl_record_form_get_row (cl_new_referral_dialog_get_form (dialog, "client"),
                                                 "phone"), "entry-activated");
  WAIT_UNTIL (count ("client", NULL, NULL) == clients + 1, 3000);
  WAIT_UNTIL (!CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (window ())), 2000);
}

/* Escape on @dialog with something typed asks first: "Discard". */
static void
close_discarding (ClNewReferralDialog *dialog)
{
  AdwMessageDialog *question;

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  WAIT_UNTIL ((question = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  adw_message_dialog_response (question, "discard");
  WAIT_UNTIL (!CL_IS_NEW_REFERRAL_DIALOG (_cl_window_get_dialog (window ())), 2000);
}

/* A restricted client is listed as the case list shows them: never by name or birth date. */
static void
test_restricted (void)
{
  ClNewReferralDialog *dialog = open_dialog ();
  g_autoptr(GPtrArray) checks = NULL;
  GtkWidget *row;

  type_into (dialog, "legal_name", "Rosa Secret");
  WAIT_UNTIL (n_matches (dialog) == 1, 3000);
  checks = matches (dialog);
  g_assert_cmpstr (match_title (g_ptr_array_index (checks, 0)), ==, "Wren");
  row = gtk_widget_get_ancestor (g_ptr_array_index (checks, 0), ADW_TYPE_ACTION_ROW);
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "1975"));

  /* Esc asks first (a name was typed); discarded, nothing is created. */
  close_discarding (dialog);
}

static gboolean
search_has_focus (GtkEditable *search)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (search)));

  return focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (search));
}

/* Commands are found by number and name, and the last one chosen comes back. */
static void
test_command_picker (void)
{
  ClNewReferralDialog *dialog = open_dialog ();
  ClRecordForm *form = cl_new_referral_dialog_get_form (dialog, "case");
  ClCommandRow *row = CL_COMMAND_ROW (cl_record_form_get_row (form, "command"));
  GtkEditable *search = cl_command_row_get_search (row);
  g_autofree char *remembered = cl_record_form_dup_value (form, "command");
  g_autofree char *chosen = NULL;
  guint all;

  /* The referrals before were for the 14th: the dialog starts there. */
  g_assert_cmpstr (remembered, ==, "14");

  cl_command_row_popup (row);
  /* The search has the keyboard (its text widget, inside the popover). */
  WAIT_UNTIL (search_has_focus (search), 2000);
  all = cl_command_row_get_n_shown (row);
  g_assert_cmpuint (all, >, 50);

  /* A word of the name, as a prefix, in any case: the 14th's name as this language writes
   * it ("Midtown South Precinct" in English, two commands of Midtown). */
  {
    g_auto(GStrv) words = g_strsplit (cl_command_row_get_label (row), " ", -1);
    g_autofree char *prefix = g_utf8_substring (words[0], 0, MAX (g_utf8_strlen (words[0], -1) - 1, 1));

    gtk_editable_set_text (search, prefix);
    WAIT_UNTIL (cl_command_row_get_n_shown (row) >= 1 && cl_command_row_get_n_shown (row) < all,
                2000);
    if (!cl_gui_test_in_test_locale ())
      g_assert_cmpuint (cl_command_row_get_n_shown (row), ==, 2);
  }
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "new-referral-command-picker");

  /* The number; Enter takes the first command shown. */
  gtk_editable_set_text (search, "75");
  WAIT_UNTIL (cl_command_row_get_n_shown (row) >= 1 && cl_command_row_get_n_shown (row) < all,
              2000);
  g_signal_emit_by_name (search, "activate");
  chosen = cl_record_form_dup_value (form, "command");
  g_assert_cmpstr (chosen, ==, "75");

  /* Escape in the search closes the list and changes nothing. */
  cl_command_row_popup (row);
  gtk_editable_set_text (search, "1");
  g_signal_emit_by_name (search, "stop-search");
  g_clear_pointer (&chosen, g_free);
  chosen = cl_record_form_dup_value (form, "command");
  g_assert_cmpstr (chosen, ==, "75");

  close_discarding (dialog);
}

static void
create_test_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) passphrase = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) s = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  kayla_1988 = cl_test_create (s, "client", "legal_name", "Kayla Brown",
                               "date_of_birth", "1988-06-01", NULL);
  g_free (cl_test_create (s, "case", "client_id", kayla_1988, "command", "14", "track", "dv",
                          NULL));
  kayla_1990 = cl_test_create (s, "client", "legal_name", "Kayla Brown",
                               "date_of_birth", "1990-02-03", "phone", "347-555-5706", NULL);
  g_free (cl_test_create (s, "case", "client_id", kayla_1990, "command", "14", "track", "dv",
                          NULL));
  restricted_client = cl_test_create (s, "client", "legal_name", "Rosa Secret",
                                      "pseudonym", "Wren", "date_of_birth", "1975-03-04",
                                      "restricted", "1", NULL);
  g_free (cl_test_create (s, "case", "client_id", restricted_client, "command", "14",
                          "track", "dv", NULL));
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-referral");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-referral/unlock", test_unlock);
  g_test_add_func ("/gui-referral/choose-existing", test_choose_existing);
  g_test_add_func ("/gui-referral/confirm-new", test_confirm_new);
  g_test_add_func ("/gui-referral/phone-and-nobody", test_phone_and_nobody);
  g_test_add_func ("/gui-referral/restricted", test_restricted);
  g_test_add_func ("/gui-referral/command-picker", test_command_picker);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (kayla_1988);
  g_free (kayla_1990);
  g_free (restricted_client);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
