/* test-gui-esc.c: Escape and Ctrl+Z on the case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with one case and drives it with real key presses
 * (XTest, on the X server the test runs under):
 *
 * - Escape in a case field holding an unsaved change puts the stored value back, saves
 *   nothing and keeps the focus there; a second Escape goes back to the list;
 * - Ctrl+Z, with the focus on the list, undoes the last saved edit of a case.
 */

#define G_LOG_DOMAIN "test-gui-esc"

#include "config.h"

#include <glib/gi18n.h>
#include <X11/keysym.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
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
