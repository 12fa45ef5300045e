/* test-gui-safety.c: safe contact, no silent edits, dialogs that close cleanly, lock anywhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with one case holding a record of every type (and
 * a restricted case), and drives it with real key presses (XTest, on the X server the test
 * runs under):
 *
 * - the recovery dialog of the unlock page opened from the keyboard, closed by Escape, then
 *   typing and Enter (this crashed); closed by Escape, Cancel or the window manager, then a
 *   passphrase typed and entered;
 * - the safe-contact warnings of "Start Contact" and the contact log (DOMAIN.md rule 3);
 * - opening and leaving the case page and every record's dialog writes nothing;
 * - Escape, Cancel and closing New Referral, a record's dialog and enrollment (with the
 *   focus in a password row where there is one), then typing and Enter;
 * - idle is the person's: keys typed in a dialog keep the vault open past the idle timeout;
 * - each window the app opens while the vault is open (lock_windows[]), focused and typed
 *   into, then each way the vault locks (Ctrl+L, idle, the screen saver's ActiveChanged,
 *   logind's PrepareForSleep and Session.Lock, sent on the test's private bus): the vault
 *   locks, the window goes and nothing but the unlock page is left on screen; text typed
 *   into a new record is wiped from its entry and comes back as a draft after unlock.
 *
 * Screenshots of the warnings go to $CASELOAD_SCREENSHOT_DIR. Run without G_DEBUG=gc-friendly:
 * GLib clearing freed blocks hides a use after free.
 */

#define G_LOG_DOMAIN "test-gui-safety"

#include "config.h"

#include <glib/gi18n.h>
#include <X11/keysym.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-conflicts-window.h"
#include "cl-drafts.h"
#include "cl-drill-down-window.h"
#include "cl-enroll-dialog.h"
#include "cl-gui-util.h"
#include "cl-lock-monitor.h"
#include "cl-preferences-window.h"
#include "cl-new-referral-dialog.h"
#include "cl-record-dialog.h"
#include "cl-reports-page.h"
#include "cl-service-picker.h"
#include "cl-test-util.h"
#include "cl-unlock-page.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"
/* Typed into a new record's dialog before a lock. */
#define DRAFT_TEXT "quillonwick"

/* The record types of the case page's sections. */
static const char * const section_types[] = {
  "task", "service", "victimization", "referral", "outbound_referral", "immigration",
  "legal_matter", "release",
};

static char *tmp_dir;
static char *vault_dir;
static char *case_id;
static char *client_id;
static char *restricted_case_id;
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

/* The window of @type that an action just opened. */
static GtkWindow *
await_window (GType type)
{
  GtkWindow *w;

  WAIT_UNTIL ((w = cl_gui_test_find_window (type)) != NULL, 2000);
  return w;
}

static AdwMessageDialog *
message_dialog (void)
{
  return ADW_MESSAGE_DIALOG (cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  return cl_gui_test_find_child (widget, GTK_TYPE_BUTTON, label);
}

/* How a dialog goes away in the tests below. */
typedef enum
{
  CLOSE_ESCAPE,
  CLOSE_CANCEL,
  CLOSE_WINDOW,
} CloseWay;

static const char * const close_way_names[] = { "Escape", "Cancel", "window close" };

/* Closes @dialog the way @way says, with real key presses or as a click on its Cancel
 * button or the window manager's close would. */
static void
close_dialog (GtkWindow *dialog,
              CloseWay   way)
{
  g_autoptr(GtkWindow) ref = g_object_ref (dialog);

  g_test_message ("closing %s by %s", G_OBJECT_TYPE_NAME (dialog), close_way_names[way]);
  switch (way)
    {
    case CLOSE_ESCAPE:
      cl_gui_test_focus_window (dialog);
      cl_gui_test_press (XK_Escape, 0, 0);
      break;

    case CLOSE_CANCEL:
      {
        GtkWidget *cancel = find_button (GTK_WIDGET (dialog), _("_Cancel"));

        g_assert_nonnull (cancel);
        g_signal_emit_by_name (cancel, "clicked");
      }
      break;

    case CLOSE_WINDOW:
    default:
      gtk_window_close (dialog);
      break;
    }

  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
  cl_gui_test_spin (200);
}

/* Tests ------------------------------------------------------------------------------ */

/* After a wrong passphrase the page counts down before it takes another, then gives the
 * passphrase entry the focus again (selecting what it holds). */
static void
wait_ready (ClUnlockPage *page)
{
  const char *ready = g_dgettext (GETTEXT_PACKAGE, "Wrong passphrase. Try again.");

  WAIT_UNTIL (!cl_unlock_page_get_busy (page) &&
              (cl_unlock_page_get_error (page) == NULL ||
               g_strcmp0 (cl_unlock_page_get_error (page), ready) == 0), 40000);
  cl_gui_test_spin (300);
}

/* "Forgot Passphrase?", typed into, closed; then typing and Enter on the unlock page. */
static void
test_recovery_dialog (void)
{
  ClWindow *w = window ();
  ClUnlockPage *page = _cl_window_get_unlock_page (w);

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (w), "unlock") == 0, 5000);

  /* As a person does it, from the keyboard alone: Tab to "Forgot Passphrase?", Enter,
   * Escape, type, Enter. This crashed: libadwaita's focus handler of a password row ran
   * once the dialog was gone with its rows. */
  cl_gui_test_focus_window (GTK_WINDOW (w));
  wait_ready (page);
  cl_gui_test_press (XK_Tab, 0, 0);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (w)) ==
                 find_button (GTK_WIDGET (page),
                              g_dgettext (GETTEXT_PACKAGE, "_Forgot Passphrase?")));
  cl_gui_test_press (XK_Return, 0, 0);
  {
    g_autoptr(GtkWindow) dialog = NULL;

    WAIT_UNTIL (message_dialog () != NULL, 2000);
    dialog = g_object_ref (GTK_WINDOW (message_dialog ()));
    cl_gui_test_spin (1000);
    cl_gui_test_press (XK_Escape, 0, 0);
    WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (dialog)), 2000);
  }
  cl_gui_test_spin (1000);
  cl_gui_test_type ("abc");
  cl_gui_test_press (XK_Return, 0, 0);
  cl_gui_test_spin (1000);

  /* Enter pressed "Forgot Passphrase?" again. */
  {
    AdwMessageDialog *again = message_dialog ();

    g_assert_nonnull (again);
    close_dialog (GTK_WINDOW (again), CLOSE_WINDOW);
  }

  for (CloseWay way = CLOSE_ESCAPE; way <= CLOSE_WINDOW; way++)
    {
      AdwMessageDialog *dialog;

      wait_ready (page);
      gtk_widget_activate_action (GTK_WIDGET (page), "unlock.recover", NULL);
      WAIT_UNTIL ((dialog = message_dialog ()) != NULL, 2000);
      cl_gui_test_focus_window (GTK_WINDOW (dialog));
      cl_gui_test_type ("abc");
      close_dialog (GTK_WINDOW (dialog), way);

      /* Back on the unlock page, from "Forgot Passphrase?" back to the passphrase: a wrong
       * one typed and entered. */
      cl_gui_test_focus_window (GTK_WINDOW (w));
      wait_ready (page);
      if (GTK_IS_BUTTON (gtk_window_get_focus (GTK_WINDOW (w))))
        cl_gui_test_press (XK_Tab, XK_Shift_L, 0);
      cl_gui_test_type ("wrong");
      cl_gui_test_press (XK_Return, 0, 0);
      WAIT_UNTIL (cl_unlock_page_get_error (page) != NULL, 20000);
      WAIT_UNTIL (!cl_unlock_page_get_busy (page), 20000);
      g_assert_true (cl_context_get_locked (context ()));
    }

  /* The passphrase, typed, opens the vault. */
  wait_ready (page);
  cl_gui_test_type (PASSPHRASE);
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (w), "main") == 0, 5000);
  gtk_window_set_default_size (GTK_WINDOW (w), 1200, 760);
}

static void
unlock (void)
{
  ClUnlockPage *page = _cl_window_get_unlock_page (window ());

  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 5000);
  WAIT_UNTIL (!cl_unlock_page_get_busy (page), 5000);
  cl_unlock_page_unlock (page, PASSPHRASE);
  WAIT_UNTIL (!cl_context_get_locked (context ()), 20000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "main") == 0, 5000);
}

static void
open_case (void)
{
  cl_window_open_case (window (), case_id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), case_id) == 0, 2000);
  cl_gui_test_spin (100);
}

static gint64
outbox_length (void)
{
  return cl_gui_test_outbox_length (store ());
}

/* Fails naming the last change of the case's history. */
static void
assert_unchanged (gint64      outbox,
                  const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  ClHistoryEntry *last;

  if (outbox_length () == outbox)
    return;

  history = cl_store_history (store (), case_id, &error);
  g_assert_no_error (error);
  last = g_ptr_array_index (history, history->len - 1);
  g_error ("%s wrote %s.%s: “%s” → “%s”", what, last->record_type, last->field,
           last->old_value, last->new_value);
}

static guint
history_length (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = cl_store_history (store (), case_id, &error);

  g_assert_no_error (error);
  return history->len;
}

static gint64
n_contacts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) where = cl_changes_new ();
  gint64 n;

  cl_changes_set (where, "case_id", case_id);
  n = cl_store_count (store (), "contact", where, &error);
  g_assert_no_error (error);
  return n;
}

static char *
stored (const char *type,
        const char *id,
        const char *field)
{
  return cl_gui_test_stored (store (), type, id, field);
}

/* A safe-contact warning is up: its heading, and Cancel holding the focus. */
static AdwMessageDialog *
expect_warning (const char *heading)
{
  AdwMessageDialog *dialog;
  GtkWidget *cancel;

  WAIT_UNTIL ((dialog = message_dialog ()) != NULL, 2000);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  cancel = find_button (GTK_WIDGET (dialog), g_dgettext (GETTEXT_PACKAGE, "_Cancel"));
  g_assert_nonnull (cancel);
  cl_gui_test_focus_window (GTK_WINDOW (dialog));
  WAIT_UNTIL (gtk_window_get_focus (GTK_WINDOW (dialog)) == cancel, 2000);
  return dialog;
}

/* Rule 3 of DOMAIN.md from the case page: the client said phone calls are not safe. */
static void
test_safe_contact (void)
{
  ClCasePage *page;
  AdwMessageDialog *dialog;
  const char *phone = cl_enum_label ("channel", "phone");
  const char *voicemail = cl_enum_label ("channel", "voicemail");
  g_autofree char *phone_not_safe =
    g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Client Said “%s” Is Not Safe"), phone);

  open_case ();
  page = case_page ();
  _cl_case_page_set_channel_safe (page, "phone", "no");
  _cl_case_page_set_channel_safe (page, "voicemail", "yes");
  _cl_case_page_set_channel_safe (page, "sms", "yes");

  /* The contact log starts with no outcome: logging waits for one. */
  _cl_case_page_set_contact (page, "sms", NULL, "note");
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  cl_gui_test_spin (200);
  g_assert_null (message_dialog ());
  g_assert_cmpint (n_contacts (), ==, 0);

  /* Start Contact on the phone: a warning whose title says the client said no, Cancel
   * focused; Enter answers Cancel and the channel stays as it was. */
  gtk_widget_activate_action (GTK_WIDGET (page), "case.start-contact", "s", "phone");
  dialog = expect_warning (phone_not_safe);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "start-contact-not-safe");
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpstr (_cl_case_page_get_contact_channel (page), ==, "sms");

  /* Escape too; "Contact Anyway" picks the channel. */
  gtk_widget_activate_action (GTK_WIDGET (page), "case.start-contact", "s", "phone");
  expect_warning (phone_not_safe);
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpstr (_cl_case_page_get_contact_channel (page), ==, "sms");
  gtk_widget_activate_action (GTK_WIDGET (page), "case.start-contact", "s", "phone");
  dialog = expect_warning (phone_not_safe);
  g_signal_emit_by_name (find_button (GTK_WIDGET (dialog),
                                      g_dgettext (GETTEXT_PACKAGE, "_Contact Anyway")),
                         "clicked");
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpstr (_cl_case_page_get_contact_channel (page), ==, "phone");

  /* A voicemail left on the unsafe phone warns about the phone, though voicemail is safe. */
  _cl_case_page_set_contact (page, "phone", "voicemail_safe", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  dialog = expect_warning (phone_not_safe);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), phone));
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "log-contact-not-safe");
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpint (n_contacts (), ==, 0);

  /* Voicemail unknown: the warning speaks of both. */
  _cl_case_page_set_channel_safe (page, "voicemail", "unknown");
  _cl_case_page_set_contact (page, "phone", "voicemail_safe", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "case.log-contact", NULL);
  dialog = expect_warning (phone_not_safe);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), phone));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), voicemail));
  g_signal_emit_by_name (find_button (GTK_WIDGET (dialog),
                                      g_dgettext (GETTEXT_PACKAGE, "_Log Anyway")),
                         "clicked");
  WAIT_UNTIL (message_dialog () == NULL, 2000);
  g_assert_cmpint (n_contacts (), ==, 1);

  /* Logged: the outcome is empty again. */
  g_assert_null (_cl_case_page_get_contact_outcome (page));
}

/* Opening the case and every record's dialog, and leaving them untouched, writes nothing. */
static void
test_viewing_writes_nothing (void)
{
  gint64 outbox;
  guint history;
  g_autofree char *received = NULL;
  g_autofree char *after = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
  outbox = outbox_length ();
  history = history_length ();
  received = stored ("case", case_id, "referral_received_at");
  g_assert_cmpstr (received, ==, "2026-03-04T10:11:37Z");

  /* The case page: open it, focus every row in turn, go back. */
  open_case ();
  {
    GtkWidget *w = GTK_WIDGET (window ());

    cl_gui_test_focus_window (GTK_WINDOW (w));
    for (guint i = 0; i < 60; i++)
      {
        cl_gui_test_press (XK_Tab, 0, 0);
        assert_unchanged (outbox, "Moving through the case page");
      }
  }
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
  assert_unchanged (outbox, "Viewing the case");
  g_assert_cmpuint (history_length (), ==, history);
  after = stored ("case", case_id, "referral_received_at");
  g_assert_cmpstr (after, ==, received);

  /* Each record's dialog, closed every way. */
  open_case ();
  for (guint i = 0; i < G_N_ELEMENTS (section_types); i++)
    {
      const ClType *type = cl_schema_lookup_type (section_types[i]);

      if ((type->flags & CL_TYPE_APPEND_ONLY) != 0)
        continue;

      for (CloseWay way = CLOSE_ESCAPE; way <= CLOSE_WINDOW; way++)
        {
          GtkWindow *dialog;

          _cl_case_page_activate_row (case_page (), section_types[i], 0);
          WAIT_UNTIL ((dialog = _cl_case_page_get_dialog (case_page ())) != NULL, 2000);
          g_assert_true (CL_IS_RECORD_DIALOG (dialog));
          cl_gui_test_focus_window (dialog);
          cl_gui_test_press (XK_Tab, 0, 0);
          cl_gui_test_press (XK_Tab, 0, 0);
          close_dialog (dialog, way);
          g_assert_null (_cl_case_page_get_dialog (case_page ()));
          assert_unchanged (outbox, section_types[i]);
        }
    }

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
  g_assert_cmpint (outbox_length (), ==, outbox);
  g_assert_cmpuint (history_length (), ==, history);
}

typedef GtkWindow *(*OpenFunc) (void);

static GtkWindow *
open_new_referral (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.new-referral", NULL);
  return await_window (CL_TYPE_NEW_REFERRAL_DIALOG);
}

static GtkWindow *
open_record_dialog (void)
{
  open_case ();
  _cl_case_page_activate_row (case_page (), "task", 0);
  return await_window (CL_TYPE_RECORD_DIALOG);
}

static GtkWindow *
open_drill_down (void)
{
  const char *ids[] = { case_id, NULL };

  return GTK_WINDOW (cl_drill_down_window_new (GTK_WINDOW (window ()), store (), "Test", ids));
}

static GtkWindow *
open_enroll (void)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "enroll", NULL);
  return await_window (CL_TYPE_ENROLL_DIALOG);
}

static GtkWindow *
open_preferences (void)
{
  cl_window_show_preferences (window ());
  return await_window (CL_TYPE_PREFERENCES_WINDOW);
}

/* The enroll dialog over the preferences: a window in front of a window. */
static GtkWindow *
open_enroll_over_preferences (void)
{
  gtk_window_present (GTK_WINDOW (cl_enroll_dialog_new (open_preferences (), context ())));
  return await_window (CL_TYPE_ENROLL_DIALOG);
}

/* New Referral, a record's dialog and enrollment: Escape, Cancel and closing, each followed
 * by typing and Enter in the main window. */
static void
test_close_dialogs (void)
{
  static const OpenFunc opens[] = { open_new_referral, open_record_dialog, open_enroll };
  ClWindow *w = window ();
  gint64 outbox = outbox_length ();

  for (guint i = 0; i < G_N_ELEMENTS (opens); i++)
    for (CloseWay way = CLOSE_ESCAPE; way <= CLOSE_WINDOW; way++)
      {
        GtkWindow *dialog = opens[i] ();
        GtkWidget *password = cl_gui_test_find_child (GTK_WIDGET (dialog),
                                                      ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);

        /* The focus in a password row when the dialog goes, as in the recovery dialog. */
        cl_gui_test_focus_window (dialog);
        if (password != NULL)
          gtk_widget_grab_focus (password);
        else
          cl_gui_test_press (XK_Tab, 0, 0);
        close_dialog (dialog, way);

        /* Typing and Enter wherever the focus went (after a password row, as in the
         * recovery dialog), then in the search entry. */
        cl_gui_test_spin (500);
        if (password != NULL)
          {
            cl_gui_test_type ("zz");
            cl_gui_test_press (XK_Return, 0, 0);
            cl_gui_test_spin (500);
            /* Enter on the window's first button, the lock. */
            if (cl_context_get_locked (context ()))
              unlock ();
          }
        cl_gui_test_focus_window (GTK_WINDOW (w));
        cl_gui_test_press (XK_f, XK_Control_L, 0);
        cl_gui_test_type ("zz");
        cl_gui_test_press (XK_Return, 0, 0);
        cl_gui_test_press (XK_Escape, 0, 0);
      }

  g_assert_cmpint (outbox_length (), ==, outbox);
}

/* More windows: the questions and warnings the app asks in a window of its own. */

static GtkWindow *
open_new_record (void)
{
  open_case ();
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-record", "s", "service");
  return await_window (CL_TYPE_RECORD_DIALOG);
}

static GtkWindow *
open_delete_question (void)
{
  GtkWindow *record = open_record_dialog ();

  g_signal_emit_by_name (find_button (GTK_WIDGET (record),
                                      g_dgettext (GETTEXT_PACKAGE, "_Delete")), "clicked");
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_restricted_reason (void)
{
  cl_window_open_case (window (), restricted_case_id);
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_unsafe_channel (void)
{
  open_case ();
  _cl_case_page_set_channel_safe (case_page (), "phone", "no");
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.start-contact", "s", "phone");
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_close_case (void)
{
  open_case ();
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.close", NULL);
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_service_picker (void)
{
  open_case ();
  gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-service", NULL);
  return await_window (CL_TYPE_SERVICE_PICKER);
}

static GtkWindow *
open_login (void)
{
  cl_sync_ask_login (GTK_WINDOW (window ()), context ());
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

/* Reports: the warning before an export or a print, the file chooser or the print dialog
 * after it. */
static ClReportsPage *
run_report (void)
{
  ClReportsPage *page = _cl_window_get_reports_page (window ());

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-reports", NULL);
  _cl_reports_page_set_report (page, "services");
  gtk_widget_activate_action (GTK_WIDGET (page), "reports.run", NULL);
  WAIT_UNTIL (cl_reports_page_get_result (page) != NULL && !cl_reports_page_get_busy (page),
              20000);
  return page;
}

static GtkWindow *
open_export_warning (void)
{
  gtk_widget_activate_action (GTK_WIDGET (run_report ()), "reports.export", "s", "csv");
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_print_warning (void)
{
  gtk_widget_activate_action (GTK_WIDGET (run_report ()), "reports.print", NULL);
  return await_window (ADW_TYPE_MESSAGE_DIALOG);
}

static GtkWindow *
open_print (void)
{
  AdwMessageDialog *warning;

  /* No printers here: CUPS would look for them over D-Bus. */
  g_object_set (gtk_settings_get_default (), "gtk-print-backends", "file", NULL);
  warning = ADW_MESSAGE_DIALOG (open_print_warning ());
  g_object_ref (warning);
  adw_message_dialog_response (warning, "print");
  gtk_window_close (GTK_WINDOW (warning));
  g_object_unref (warning);
  return await_window (GTK_TYPE_DIALOG);
}

static GtkWindow *
open_export_chooser (void)
{
  AdwMessageDialog *warning = ADW_MESSAGE_DIALOG (open_export_warning ());

  g_object_ref (warning);
  adw_message_dialog_response (warning, "export");
  gtk_window_close (GTK_WINDOW (warning));
  g_object_unref (warning);
  return await_window (GTK_TYPE_FILE_CHOOSER_DIALOG);
}

/* Where a new record's dialog takes text that is kept as a draft over a lock. */

static GtkEditable *
referral_name (GtkWindow *dialog)
{
  ClRecordForm *form = cl_new_referral_dialog_get_form (CL_NEW_REFERRAL_DIALOG (dialog),
                                                        "client");

  return GTK_EDITABLE (cl_record_form_get_row (form, "legal_name"));
}

static GtkEditable *
record_note (GtkWindow *dialog)
{
  ClRecordForm *form = cl_record_dialog_get_form (CL_RECORD_DIALOG (dialog));

  return GTK_EDITABLE (cl_record_form_get_row (form, "note"));
}

/* Every window the app opens over its main window while the vault is open. The unlock page's
 * recovery dialog and the first run's windows show while the vault is locked. Not opened
 * here, and gone by the same rule (every window but the main one): the question before a
 * kept entry is discarded and the warning over a kept contact (message dialogs over a
 * record's dialog, like the delete question), and the notice that sync recovered from a
 * restore (a message dialog over the main window); the notice of a disconnected workstation
 * shows after the lock. */
typedef struct
{
  const char    *name;
  /* What opens it: a function, or an action of the application and the window's type. */
  OpenFunc       open;
  const char    *app_action;
  GType        (*get_type) (void);
  /* The entry of a new record typed into before the lock, or NULL. */
  GtkEditable *(*draft_entry) (GtkWindow *window);
} LockWindow;

static const LockWindow lock_windows[] = {
  { "new-referral", open_new_referral, .draft_entry = referral_name },
  { "new-record", open_new_record, .draft_entry = record_note },
  { "record", open_record_dialog },
  { "delete-question", open_delete_question },
  { "conflicts", .app_action = "conflicts", .get_type = cl_conflicts_window_get_type },
  { "drill-down", open_drill_down },
  { "enroll", open_enroll },
  { "login", open_login },
  { "preferences", open_preferences },
  { "enroll-over-preferences", open_enroll_over_preferences },
  { "restricted-reason", open_restricted_reason },
  { "unsafe-channel", open_unsafe_channel },
  { "close-case", open_close_case },
  { "service-picker", open_service_picker },
  { "export-warning", open_export_warning },
  { "export-chooser", open_export_chooser },
  { "print-warning", open_print_warning },
  { "print", open_print },
  { "about", .app_action = "about", .get_type = adw_about_window_get_type },
};

/* What locks the vault (DESIGN.md §4). */
typedef enum
{
  LOCK_CTRL_L,
  LOCK_IDLE,
  LOCK_SCREEN_SAVER,
  LOCK_SUSPEND,
  LOCK_SESSION,
} LockTrigger;

static const char * const lock_trigger_names[] = {
  "ctrl-l", "idle", "screen-saver", "suspend", "session-lock",
};

typedef struct
{
  const LockWindow *window;
  LockTrigger       trigger;
} LockCase;

static GSettings *
settings (void)
{
  return cl_context_get_settings (context ());
}

static void
trigger_lock (LockTrigger trigger)
{
  ClLockMonitor *monitor = _cl_application_get_lock_monitor (app);

  switch (trigger)
    {
    case LOCK_CTRL_L:
      cl_gui_test_press (XK_l, XK_Control_L, 0);
      break;

    case LOCK_IDLE:
      /* No input from here on. */
      g_settings_set_uint (settings (), "auto-lock-seconds", 1);
      break;

    case LOCK_SCREEN_SAVER:
      WAIT_UNTIL (cl_lock_monitor_get_watching_session (monitor), 5000);
      cl_gui_test_emit_signal (G_BUS_TYPE_SESSION, "/org/gnome/ScreenSaver",
                               "org.gnome.ScreenSaver", "ActiveChanged",
                               g_variant_new ("(b)", TRUE));
      break;

    case LOCK_SUSPEND:
      WAIT_UNTIL (cl_lock_monitor_get_watching_system (monitor), 5000);
      cl_gui_test_play_logind ();
      cl_gui_test_emit_signal (G_BUS_TYPE_SYSTEM, "/org/freedesktop/login1",
                               "org.freedesktop.login1.Manager", "PrepareForSleep",
                               g_variant_new ("(b)", TRUE));
      break;

    case LOCK_SESSION:
    default:
      WAIT_UNTIL (cl_lock_monitor_get_watching_system (monitor), 5000);
      cl_gui_test_play_logind ();
      cl_gui_test_emit_signal (G_BUS_TYPE_SYSTEM, "/org/freedesktop/login1/session/_31",
                               "org.freedesktop.login1.Session", "Lock", NULL);
      break;
    }
}

/* A window of the app open and typed into, with the focus in it; then the vault locks as
 * the case says. The window goes, only the unlock page is left, and a new record's text
 * comes back after unlock. */
static void
lock_from (gconstpointer data)
{
  const LockCase *lc = data;
  GtkWindow *w;
  GtkWindow *watched = NULL;
  GtkEditable *entry = NULL;
  g_autoptr(GtkEditable) wiped = NULL;
  GType type;

  if (cl_context_get_locked (context ()))
    unlock ();
  g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);

  if (lc->window->app_action != NULL)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), lc->window->app_action, NULL);
      w = await_window (lc->window->get_type ());
    }
  else
    w = lc->window->open ();
  type = G_OBJECT_TYPE (w);
  g_set_weak_pointer (&watched, w);
  cl_gui_test_focus_window (w);
  if (lc->window->draft_entry != NULL)
    {
      entry = lc->window->draft_entry (w);
      wiped = g_object_ref (entry);
      gtk_widget_grab_focus (GTK_WIDGET (entry));
    }
  cl_gui_test_type (entry != NULL ? DRAFT_TEXT : "a");
  if (entry != NULL)
    g_assert_cmpstr (gtk_editable_get_text (entry), ==, DRAFT_TEXT);

  trigger_lock (lc->trigger);

  WAIT_UNTIL (cl_context_get_locked (context ()), 5000);
  g_settings_set_uint (settings (), "auto-lock-seconds", 300);
  WAIT_UNTIL (watched == NULL, 2000);
  WAIT_UNTIL (g_strcmp0 (_cl_window_get_page (window ()), "unlock") == 0, 2000);

  /* Nothing of the client left on screen: no window but the main one, which shows the
   * unlock page and holds no case, list or search; the typed text wiped, not only
   * hidden. */
  g_assert_null (cl_case_page_get_case_id (case_page ()));
  g_assert_null (_cl_window_get_cases (window ()));
  g_assert_cmpstr (gtk_editable_get_text (_cl_window_get_search_entry (window ())), ==, "");
  g_assert_null (cl_reports_page_get_result (_cl_window_get_reports_page (window ())));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) t = g_list_model_get_item (toplevels, i);

        if (t != GTK_WINDOW (window ()) && gtk_widget_get_visible (GTK_WIDGET (t)))
          g_error ("%s is still open after the lock", G_OBJECT_TYPE_NAME (t));
      }
  }
  if (wiped != NULL)
    g_assert_cmpstr (gtk_editable_get_text (wiped), ==, "");

  /* The new record's text is kept, and comes back in its dialog after unlock; a confirmed
   * discard ends it. */
  if (lc->window->draft_entry != NULL)
    {
      GtkWindow *restored;
      AdwMessageDialog *question;

      unlock ();
      WAIT_UNTIL ((restored = _cl_window_get_dialog (window ())) != NULL, 2000);
      g_assert_true (G_OBJECT_TYPE (restored) == type);
      g_assert_cmpstr (gtk_editable_get_text (lc->window->draft_entry (restored)), ==,
                       DRAFT_TEXT);
      g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 1);
      gtk_window_close (restored);
      WAIT_UNTIL ((question = message_dialog ()) != NULL, 2000);
      g_object_ref (question);
      adw_message_dialog_response (question, "discard");
      gtk_window_close (GTK_WINDOW (question));
      g_object_unref (question);
      WAIT_UNTIL (_cl_window_get_dialog (window ()) == NULL, 2000);
      g_assert_cmpuint (cl_gui_test_n_drafts (store ()), ==, 0);
    }
}

/* Idle is the person's, not the main window's: keys pressed in a dialog for longer than the
 * idle timeout keep the vault open; once they stop, it locks. */
static void
test_idle_in_dialog (void)
{
  GtkWindow *dialog;
  gint64 end;

  if (cl_context_get_locked (context ()))
    unlock ();

  /* A key every 150 ms for 5 s, with a 2 s timeout: the margin is for a loaded machine. */
  dialog = open_record_dialog ();
  cl_gui_test_focus_window (dialog);
  g_settings_set_uint (settings (), "auto-lock-seconds", 2);
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      cl_gui_test_press (XK_Shift_L, 0, 0);
      g_assert_false (cl_context_get_locked (context ()));
    }

  WAIT_UNTIL (cl_context_get_locked (context ()), 5000);
  g_settings_set_uint (settings (), "auto-lock-seconds", 300);
}

/* Harness ---------------------------------------------------------------------------- */

/* A value for every field of @type that takes one (times with seconds, enumerations not
 * at their first value, sets of two), so a form that rounds or defaults shows up. */
static char *
create_filled (ClStore    *s,
               const char *type_name,
               const char *parent_id)
{
  const ClType *type = cl_schema_lookup_type (type_name);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  char *id;

  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *field = &type->fields[i];
      const ClEnum *e = field->target != NULL ? cl_schema_lookup_enum (field->target) : NULL;
      g_autofree char *value = NULL;
      g_autofree char *normalized = NULL;

      /* Restricting would ask for a reason; closing needs a closure; the store numbers
       * cases. */
      if ((field->flags & CL_FIELD_DERIVED) != 0 || g_str_equal (field->name, "restricted") ||
          g_str_equal (field->name, "case_number") ||
          g_str_equal (field->name, "status") || g_str_equal (field->name, "closed_at") ||
          g_str_equal (field->name, "closure_reason"))
        continue;

      switch (field->kind)
        {
        case CL_FIELD_REF:
          /* Only the parent: other references need a record to point at. */
          value = g_strcmp0 (field->name, type->parent) == 0 ? g_strdup (parent_id) : NULL;
          break;
        case CL_FIELD_DATE:
          value = g_strdup ("2026-03-04");
          break;
        case CL_FIELD_DATETIME:
          value = g_strdup ("2026-03-04T10:11:37Z");
          break;
        case CL_FIELD_INT:
          value = g_strdup ("3");
          break;
        case CL_FIELD_BOOL:
          value = g_strdup ("1");
          break;
        case CL_FIELD_COMMAND:
          value = g_strdup ("14");
          break;
        case CL_FIELD_ENUM:
          value = g_strdup (e->values[MIN (1, e->n_values - 1)].code);
          break;
        case CL_FIELD_ENUM_SET:
          value = g_strdup_printf ("%s;%s", e->values[0].code,
                                   e->values[MIN (1, e->n_values - 1)].code);
          break;
        case CL_FIELD_TEXT:
        default:
          value = g_strdup ("ana");
          break;
        }

      normalized = cl_field_normalize (field, value, NULL);
      if (normalized != NULL)
        cl_changes_set (values, field->name, normalized);
    }

  id = cl_store_create (s, type_name, values, &error);
  if (error != NULL)
    g_error ("%s: %s", type_name, error->message);
  return id;
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
  client_id = create_filled (s, "client", NULL);
  case_id = create_filled (s, "case", client_id);
  for (guint i = 0; i < G_N_ELEMENTS (section_types); i++)
    {
      const ClType *type = cl_schema_lookup_type (section_types[i]);

      g_free (create_filled (s, section_types[i],
                             g_str_equal (type->parent, "client_id") ? client_id : case_id));
    }
  /* A restricted case, to be asked why it is opened. */
  {
    g_autoptr(ClChanges) client = cl_changes_new ();
    g_autoptr(ClChanges) restricted_case = cl_changes_new ();
    g_autofree char *restricted = NULL;

    cl_changes_set (client, "pseudonym", "Wren");
    cl_changes_set (client, "restricted", "1");
    restricted = cl_store_create (s, "client", client, &error);
    g_assert_no_error (error);
    cl_changes_set (restricted_case, "client_id", restricted);
    cl_changes_set (restricted_case, "command", "14");
    cl_changes_set (restricted_case, "track", "trafficking");
    restricted_case_id = cl_store_create (s, "case", restricted_case, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  LockTrigger last_trigger;
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-safety");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-safety/recovery-dialog", test_recovery_dialog);
  g_test_add_func ("/gui-safety/safe-contact", test_safe_contact);
  g_test_add_func ("/gui-safety/viewing-writes-nothing", test_viewing_writes_nothing);
  g_test_add_func ("/gui-safety/close-dialogs", test_close_dialogs);
  g_test_add_func ("/gui-safety/idle-in-dialog", test_idle_in_dialog);
  /* CASELOAD_TEST_LOCK_KEY_ONLY (the right-to-left run): every window locked by Ctrl+L only;
   * the other triggers do not depend on the layout's direction. */
  last_trigger = g_getenv ("CASELOAD_TEST_LOCK_KEY_ONLY") != NULL ? LOCK_CTRL_L : LOCK_SESSION;
  for (guint i = 0; i < G_N_ELEMENTS (lock_windows); i++)
    for (LockTrigger t = LOCK_CTRL_L; t <= last_trigger; t++)
      {
        LockCase *lc = g_new0 (LockCase, 1);
        g_autofree char *path = g_strdup_printf ("/gui-safety/lock-from/%s/%s",
                                                 lock_windows[i].name,
                                                 lock_trigger_names[t]);

        lc->window = &lock_windows[i];
        lc->trigger = t;
        g_test_add_data_func_full (path, lc, lock_from, g_free);
      }

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (case_id);
  g_free (client_id);
  g_free (restricted_case_id);
  g_free (vault_dir);
  g_free (tmp_dir);
  return status;
}
