/* test-gui-case.c: the whole intake and every record of a case, on the case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real ClApplication on a vault with one case. Each intake field of the client
 * round-trips (typed, saved, shown again after reopening, in the vault); joining the
 * Address Confidentiality Program keeps only the substitute address, in the vault, on the
 * page and in the history; notes, the safety plan, compensation claims and disclosures
 * have sections, and every entry the history lists opens; opening and leaving any form
 * writes nothing; a contact can be back-dated with its direction and duration but never
 * dated ahead; a new record's required choice (a restored contact's outcome) starts
 * unchosen. From the keyboard (real key presses, XTest): the case's shortcuts, record
 * dialogs that open on their first field, take Enter and close on Escape, and "Log" a
 * handful of keys from the top of the page. Screenshots (light, dark, narrow; Arabic in the right-to-left run) go to
 * $CASELOAD_SCREENSHOT_DIR.
 */

#define G_LOG_DOMAIN "test-gui-case"

#include "config.h"

#include <glib/gi18n.h>
#include <X11/keysym.h>

#include "cl-gui-test.h"
#include "cl-application.h"
#include "cl-application-private.h"
#include "cl-case-client.h"
#include "cl-case-history.h"
#include "cl-case-page.h"
#include "cl-case-page-private.h"
#include "cl-case-record-section.h"
#include "cl-gui-util.h"
#include "cl-record-dialog.h"
#include "cl-service-picker.h"
#include "cl-test-util.h"
#include "cl-window-private.h"

#define PASSPHRASE "correct horse battery staple"

static char *tmp_dir;
static char *vault_dir;
static char *case_id;
static char *other_case_id;
static char *client_id;
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

static gint64
outbox_length (void)
{
  return cl_gui_test_outbox_length (store ());
}

static gint64
count (const char *type,
       const char *parent_field,
       const char *parent_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) where = cl_changes_new ();
  gint64 n;

  cl_changes_set (where, parent_field, parent_id);
  n = cl_store_count (store (), type, where, &error);
  g_assert_no_error (error);
  return n;
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

/* Every descendant of @widget of type @type, in order. */
static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

static void
open_case (const char *id)
{
  cl_window_open_case (window (), id);
  WAIT_UNTIL (g_strcmp0 (cl_case_page_get_case_id (case_page ()), id) == 0, 2000);
  cl_gui_test_spin (100);
}

/* Leaves the case for another and comes back: every widget is built anew. */
static void
reopen_case (void)
{
  open_case (other_case_id);
  open_case (case_id);
}

static ClRecordForm *
client_form (void)
{
  return _cl_case_page_get_client_form (case_page ());
}

static AdwMessageDialog *
await_message_dialog (void)
{
  GtkWindow *dialog;

  WAIT_UNTIL ((dialog = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  cl_gui_test_spin (100);
}

/* Types @value into the row of @field as the advocate would, and commits it. */
static void
type_into (ClRecordForm *form,
           const char   *field,
           const char   *value)
{
  const ClField *f = cl_type_lookup_field (cl_schema_lookup_type (cl_record_form_get_type_name (form)),
                                           field);
  GtkWidget *row = cl_record_form_get_row (form, field);

  g_assert_nonnull (row);
  switch (f->kind)
    {
    case CL_FIELD_ENUM:
      adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                                  cl_enum_position (f->target, value,
                                                    (f->flags & CL_FIELD_REQUIRED) == 0));
      break;

    case CL_FIELD_BOOL:
      gtk_switch_set_active (GTK_SWITCH (find (row, GTK_TYPE_SWITCH, NULL)),
                             g_strcmp0 (value, "1") == 0);
      break;

    case CL_FIELD_ENUM_SET:
      {
        const ClEnum *e = cl_schema_lookup_enum (f->target);
        g_auto(GStrv) codes = g_strsplit (value, ";", -1);
        g_autoptr(GPtrArray) checks = g_ptr_array_new ();

        collect (row, GTK_TYPE_CHECK_BUTTON, checks);
        g_assert_cmpuint (checks->len, ==, e->n_values);
        for (guint i = 0; i < checks->len; i++)
          gtk_check_button_set_active (g_ptr_array_index (checks, i),
                                       g_strv_contains ((const char * const *) codes,
                                                        e->values[i].code));
        /* Leaving the row commits it. */
        cl_record_form_flush (form);
      }
      break;

    case CL_FIELD_TEXT:
    case CL_FIELD_DATE:
    case CL_FIELD_DATETIME:
    case CL_FIELD_INT:
    case CL_FIELD_REF:
    case CL_FIELD_COMMAND:
    default:
      gtk_editable_set_text (GTK_EDITABLE (row), value);
      g_signal_emit_by_name (row, "entry-activated");
      break;
    }
  cl_gui_test_spin (50);
}

static void
screenshot (const char *name)
{
  cl_gui_test_screenshot_window (GTK_WINDOW (window ()), name);
}

/* Scrolls the case page so @widget is near its top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (widget,
                                                                             GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  for (guint i = 0; i < 10; i++)
    {
      graphene_point_t at;

      cl_gui_test_spin (100);
      g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (scrolled),
                                               &GRAPHENE_POINT_INIT (0, 0), &at));
      if (at.y >= 0 && at.y <= 24)
        return;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + at.y - 12);
    }
}

/* Light, dark and narrow (700 px) shots of @widget's part of the case page. */
static void
screenshots (const char *name,
             GtkWidget  *widget)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);
  g_autofree char *narrow = g_strconcat (name, "-narrow", NULL);
  GtkWindow *w = GTK_WINDOW (window ());

  scroll_to (widget);
  screenshot (name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  scroll_to (widget);
  screenshot (dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_set_default_size (w, 700, 760);
  scroll_to (widget);
  screenshot (narrow);
  gtk_window_set_default_size (w, 1200, 760);
  cl_gui_test_spin (300);
}

static GtkListBox *
history_list (void)
{
  GtkWidget *history = _cl_case_page_get_section (case_page (), CL_TYPE_CASE_HISTORY);
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();

  /* The section's own list comes after the group's list of rows (empty). */
  g_assert_nonnull (history);
  collect (history, GTK_TYPE_LIST_BOX, lists);
  g_assert_cmpuint (lists->len, ==, 2);
  return GTK_LIST_BOX (g_ptr_array_index (lists, 1));
}

/* Keys ------------------------------------------------------------------------------- */

static GtkWidget *
focus_widget (void)
{
  return gtk_root_get_focus (GTK_ROOT (window ()));
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

/* Each intake field: typed, saved, shown again after reopening the case. */
static void
test_intake_round_trip (void)
{
  static const struct {
    const char *field;
    const char *typed;
    const char *stored;
  } fields[] = {
    { "date_of_birth", "1990-04-12", "1990-04-12" },
    { "gender", "female", "female" },
    { "gender_self", "Woman", "Woman" },
    { "race_ethnicity", "black;hispanic", "black;hispanic" },
    { "preferred_language", "ht", "ht" },
    { "interpreter_needed", "1", "1" },
    { "special_classifications", "deaf_hoh;lep", "deaf_hoh;lep" },
    { "address", "45 Linden Street, Brooklyn", "45 Linden Street, Brooklyn" },
  };
  gint64 last;

  open_case (case_id);
  last = outbox_length ();
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *value = NULL;

      g_test_message ("typing %s", fields[i].field);
      type_into (client_form (), fields[i].field, fields[i].typed);
      value = stored ("client", client_id, fields[i].field);
      g_assert_cmpstr (value, ==, fields[i].stored);
      /* Saved as typed (a set: a check at a time). */
      g_assert_cmpint (outbox_length (), >, last);
      last = outbox_length ();
    }

  reopen_case ();
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *shown = cl_record_form_dup_value (client_form (), fields[i].field);

      g_assert_cmpstr (shown, ==, fields[i].stored);
    }
  g_assert_cmpint (outbox_length (), ==, last);

  screenshots ("case-client", GTK_WIDGET (client_form ()));
}

/* Joining the program keeps only the substitute address: cancelling changes nothing. */
static void
test_acp (void)
{
  GtkWidget *address_row;
  AdwMessageDialog *dialog;
  GtkWidget *substitute;
  g_autofree char *address = NULL;
  g_autofree char *acp = NULL;
  GtkListBoxRow *row;
  gint64 outbox;

  open_case (case_id);
  outbox = outbox_length ();
  address_row = cl_record_form_get_row (client_form (), "address");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (address_row)), ==,
                   _("Address"));

  /* Cancel: nothing saved, the switch back off. */
  type_into (client_form (), "acp_participant", "1");
  dialog = await_message_dialog ();
  respond (dialog, "cancel");
  g_assert_cmpint (outbox_length (), ==, outbox);
  acp = stored ("client", client_id, "acp_participant");
  g_assert_cmpstr (acp, !=, "1");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find (cl_record_form_get_row (client_form (),
                                                                                  "acp_participant"),
                                                           GTK_TYPE_SWITCH, NULL))));

  /* Join: the substitute address replaces the address on file, in one edit. */
  type_into (client_form (), "acp_participant", "1");
  dialog = await_message_dialog ();
  substitute = find (adw_message_dialog_get_extra_child (dialog), ADW_TYPE_ENTRY_ROW, NULL);
  g_assert_true (gtk_widget_has_focus (substitute) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (dialog)), substitute));
  gtk_editable_set_text (GTK_EDITABLE (substitute), "PO Box 31, Albany NY");
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "case-acp-dialog");
  respond (dialog, "join");
  g_assert_cmpint (outbox_length (), ==, outbox + 1);
  g_clear_pointer (&acp, g_free);
  acp = stored ("client", client_id, "acp_participant");
  g_assert_cmpstr (acp, ==, "1");
  address = stored ("client", client_id, "address");
  g_assert_cmpstr (address, ==, "PO Box 31, Albany NY");

  /* The page shows the substitute address as such, and the history never the old one. */
  reopen_case ();
  address_row = cl_record_form_get_row (client_form (), "address");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (address_row)), ==,
                   _("Substitute address (ACP)"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (address_row)), ==,
                   "PO Box 31, Albany NY");
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (history_list (), i)) != NULL; i++)
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

      g_assert_null (strstr (title, "Linden"));
      g_assert_null (strstr (title, "PO Box"));
    }
  screenshots ("case-acp", address_row);
}

/* Notes, safety plan, compensation claims and disclosures: added, listed, opened. */
static void
test_new_sections (void)
{
  static const struct {
    const char *type;
    const char *field;
    const char *value;
    const char *parent;
  } records[] = {
    { "note", "text", "Client asked to be called after six", "case_id" },
    { "safety_plan", "items", "Keep a bag at the neighbour's", "case_id" },
    { "compensation", "claim_number", "OVS-2026-0042", "case_id" },
    { "disclosure", "what", "Incident date", "client_id" },
  };

  open_case (case_id);
  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      const char *parent_id = g_str_equal (records[i].parent, "case_id") ? case_id : client_id;
      ClRecordDialog *dialog;
      ClRecordForm *form;
      gint64 before = count (records[i].type, records[i].parent, parent_id);

      g_test_message ("adding a %s", records[i].type);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-record",
                                                 "s", records[i].type));
      WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_case_page_get_dialog (case_page ())), 2000);
      dialog = CL_RECORD_DIALOG (_cl_case_page_get_dialog (case_page ()));
      form = cl_record_dialog_get_form (dialog);
      cl_record_form_set_value (form, records[i].field, records[i].value);
      if (g_str_equal (records[i].type, "disclosure"))
        {
          cl_record_form_set_value (form, "recipient", "Family Court");
          cl_record_form_set_value (form, "authority", "court_order");
        }
      cl_record_dialog_add (dialog);
      WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
      g_assert_cmpint (count (records[i].type, records[i].parent, parent_id), ==, before + 1);
      g_assert_cmpuint (_cl_case_page_get_n_rows (case_page (), records[i].type), ==, 1);

      /* Its row opens it. */
      _cl_case_page_activate_row (case_page (), records[i].type, 0);
      WAIT_UNTIL (CL_IS_RECORD_DIALOG (_cl_case_page_get_dialog (case_page ())), 2000);
      dialog = CL_RECORD_DIALOG (_cl_case_page_get_dialog (case_page ()));
      {
        g_autofree char *shown = cl_record_form_dup_value (cl_record_dialog_get_form (dialog),
                                                           records[i].field);
        g_assert_cmpstr (shown, ==, records[i].value);
      }
      if (i == 0)
        cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "case-note-read");
      gtk_window_close (GTK_WINDOW (dialog));
      WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
    }

  screenshots ("case-sections",
               find (GTK_WIDGET (case_page ()), CL_TYPE_CASE_RECORD_SECTION, "disclosure"));
}

/* Every entry of the history opens what it changed: no dead ends. */
static void
test_history_opens (void)
{
  GtkListBoxRow *row;
  guint n = 0;

  open_case (case_id);
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (history_list (), i)) != NULL; i++)
    {
      GtkWindow *dialog;
      GtkWidget *focus;

      g_assert_true (gtk_list_box_row_get_activatable (row));
      g_signal_emit_by_name (history_list (), "row-activated", row);
      cl_gui_test_spin (100);
      dialog = _cl_case_page_get_dialog (case_page ());
      if (dialog != NULL)
        {
          gtk_window_close (dialog);
          WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
          n++;
          continue;
        }
      /* The case, the client or a channel: the focus goes to its section. */
      focus = gtk_root_get_focus (GTK_ROOT (window ()));
      g_assert_nonnull (focus);
      g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (case_page ())));
    }
  g_assert_cmpuint (n, >, 0);
}

/* Opening and leaving every new form writes nothing. */
static void
test_forms_write_nothing (void)
{
  static const char * const types[] = { "note", "safety_plan", "compensation", "disclosure" };
  gint64 outbox = outbox_length ();

  open_case (case_id);
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GtkWindow *dialog;

      g_test_message ("new %s, cancelled", types[i]);
      gtk_widget_activate_action (GTK_WIDGET (case_page ()), "case.add-record", "s", types[i]);
      WAIT_UNTIL ((dialog = _cl_case_page_get_dialog (case_page ())) != NULL, 2000);
      gtk_window_close (dialog);
      WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
      g_assert_cmpint (outbox_length (), ==, outbox);

      g_test_message ("%s opened and closed", types[i]);
      _cl_case_page_activate_row (case_page (), types[i], 0);
      WAIT_UNTIL ((dialog = _cl_case_page_get_dialog (case_page ())) != NULL, 2000);
      cl_record_form_flush (cl_record_dialog_get_form (CL_RECORD_DIALOG (dialog)));
      gtk_window_close (dialog);
      WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
      g_assert_cmpint (outbox_length (), ==, outbox);
    }

  /* The client's form, flushed and left. */
  cl_case_page_flush (case_page ());
  reopen_case ();
  cl_case_page_flush (case_page ());
  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-list", NULL);
  cl_gui_test_spin (200);
  g_assert_cmpint (outbox_length (), ==, outbox);
}

/* A contact back-dated with its direction and duration; never dated ahead. */
static void
test_backdated_contact (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autofree char *ahead = g_date_time_format (tomorrow, "%Y-%m-%d %H:%M");
  g_autofree char *back = g_date_time_format (yesterday, "%Y-%m-%d %H:%M");
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GtkWidget *when;
  GtkWidget *direction;
  GtkWidget *duration;
  ClRecord *contact;
  gint64 outbox;
  gint64 n;

  open_case (case_id);
  page = GTK_WIDGET (case_page ());
  when = find (page, ADW_TYPE_ENTRY_ROW, "contact-when");
  direction = find (page, ADW_TYPE_COMBO_ROW, "contact-direction");
  duration = find (page, ADW_TYPE_ENTRY_ROW, "contact-duration");
  g_assert_nonnull (when);
  g_assert_nonnull (direction);
  g_assert_nonnull (duration);
  outbox = outbox_length ();
  n = count ("contact", "case_id", case_id);

  /* Dated ahead: refused, nothing written, the row says so. */
  _cl_case_page_set_contact (case_page (), "phone", "reached", "called back");
  gtk_editable_set_text (GTK_EDITABLE (when), ahead);
  gtk_widget_activate_action (page, "case.log-contact", NULL);
  cl_gui_test_spin (100);
  g_assert_cmpint (count ("contact", "case_id", case_id), ==, n);
  g_assert_cmpint (outbox_length (), ==, outbox);
  g_assert_true (gtk_widget_has_css_class (when, "error"));

  /* Not a number of minutes: refused too. */
  gtk_editable_set_text (GTK_EDITABLE (when), back);
  gtk_editable_set_text (GTK_EDITABLE (duration), "ten");
  gtk_widget_activate_action (page, "case.log-contact", NULL);
  cl_gui_test_spin (100);
  g_assert_cmpint (count ("contact", "case_id", case_id), ==, n);
  g_assert_true (gtk_widget_has_css_class (duration, "error"));

  /* Yesterday, inbound, 15 minutes. */
  gtk_editable_set_text (GTK_EDITABLE (duration), "15");
  adw_combo_row_set_selected (ADW_COMBO_ROW (direction),
                              cl_enum_position ("direction", "inbound", FALSE));
  screenshots ("case-contact-details", GTK_WIDGET (gtk_widget_get_ancestor (when,
                                                                           ADW_TYPE_PREFERENCES_GROUP)));
  gtk_widget_activate_action (page, "case.log-contact", NULL);
  cl_gui_test_spin (100);
  g_assert_cmpint (count ("contact", "case_id", case_id), ==, n + 1);
  g_assert_cmpint (outbox_length (), ==, outbox + 1);

  contacts = cl_store_list_children (store (), "contact", case_id, &error);
  g_assert_no_error (error);
  contact = g_ptr_array_index (contacts, contacts->len - 1);
  expected = cl_field_normalize (cl_type_lookup_field (cl_schema_lookup_type ("contact"), "at"),
                                 back, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (contact, "at"), ==, expected);
  g_assert_cmpstr (cl_record_get (contact, "direction"), ==, "inbound");
  g_assert_cmpstr (cl_record_get (contact, "duration_minutes"), ==, "15");

  /* The quick add starts over: now, outbound, no duration, no outcome. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (when)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (duration)), ==, "");
  g_assert_cmpstr (cl_enum_code_at ("direction",
                                    adw_combo_row_get_selected (ADW_COMBO_ROW (direction)),
                                    FALSE), ==, "outbound");
  g_assert_null (_cl_case_page_get_contact_outcome (case_page ()));
}

/* A contact kept from before a lock, with no outcome chosen, comes back with none: the
 * outcome must be chosen before it can be added. A contact restored dated ahead is
 * refused. */
static void
test_restored_contact_no_outcome (void)
{
  static const char * const fields[] = { "at", "channel", "outcome", "note", NULL };
  g_autoptr(ClChanges) input = cl_changes_new ();
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *ahead = g_date_time_format (tomorrow, "%Y-%m-%d %H:%M");
  g_autofree char *outcome = NULL;
  ClRecordDialog *dialog;
  ClRecordForm *form;

  dialog = cl_record_dialog_new (GTK_WINDOW (window ()), "contact", fields, NULL, NULL, NULL);
  form = cl_record_dialog_get_form (dialog);
  cl_changes_set (input, "at", "2026-01-05 10:00");
  cl_changes_set (input, "channel", "phone");
  cl_changes_set (input, "note", "kept");
  cl_record_form_set_input (form, input);
  gtk_window_present (GTK_WINDOW (dialog));
  cl_gui_test_spin (100);

  outcome = cl_record_form_dup_value (form, "outcome");
  g_assert_null (outcome);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (cl_record_form_get_row (form,
                                                                                      "outcome"))),
                    ==, 0);
  values = cl_record_form_collect (form, &error);
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_REQUIRED);
  g_assert_null (values);
  g_clear_error (&error);
  cl_gui_test_screenshot_window (GTK_WINDOW (dialog), "case-restored-contact");

  cl_record_form_set_value (form, "at", ahead);
  cl_record_form_set_value (form, "outcome", "reached");
  values = cl_record_form_collect (form, &error);
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE);
  g_assert_null (values);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* From the top of the case page, Log is the shortcut and a few Tabs away. */
static void
test_keys_to_log (void)
{
  GtkWidget *focus;
  guint keys = 1;

  open_case (case_id);
  /* Log needs an outcome: chosen on the way, it is not counted here. */
  _cl_case_page_set_contact (case_page (), "phone", "reached", NULL);
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (case_page ()), GTK_DIR_TAB_FORWARD));
  cl_gui_test_press (XK_l, XK_Control_L, XK_Shift_L);
  focus = focus_widget ();
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, ADW_TYPE_COMBO_ROW));

  while (!(GTK_IS_BUTTON (focus) &&
           g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus)),
                      "case.log-contact") == 0))
    {
      g_assert_cmpuint (keys, <, 6);
      cl_gui_test_press (XK_Tab, 0, 0);
      keys++;
      focus = focus_widget ();
      g_assert_nonnull (focus);
    }
  g_test_message ("Log is %u keys from the top of the case page", keys);
  g_assert_cmpuint (keys, <=, 5);
}

/* Read-only rows (derived fields) are not Tab stops. */
static void
test_read_only_rows_skipped (void)
{
  GtkWidget *row = cl_record_form_get_row (_cl_case_page_get_case_form (case_page ()),
                                           "first_contact_at");

  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_focusable (row));
}

/* The case's shortcuts; record dialogs open on their first field, Enter adds, Escape
 * cancels. */
static void
test_shortcuts (void)
{
  GtkWindow *dialog;
  GtkWidget *focus;
  gint64 tasks;
  gint64 outbox;

  open_case (case_id);
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  gtk_widget_child_focus (GTK_WIDGET (case_page ()), GTK_DIR_TAB_FORWARD);
  tasks = count ("task", "case_id", case_id);
  outbox = outbox_length ();

  /* Add Task: the title has the focus, Tab to the date, Enter adds. */
  cl_gui_test_press (XK_t, XK_Control_L, XK_Shift_L);
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (dialog = _cl_case_page_get_dialog (case_page ())), 2000);
  cl_gui_test_focus_window (dialog);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, cl_record_form_get_row (cl_record_dialog_get_form (CL_RECORD_DIALOG (dialog)),
                                                                      "title")));
  cl_gui_test_type ("call the shelter");
  cl_gui_test_press (XK_Tab, 0, 0);
  cl_gui_test_type ("2026-12-20");
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (count ("task", "case_id", case_id) == tasks + 1, 2000);
  outbox++;
  g_assert_cmpint (outbox_length (), ==, outbox);

  /* Add Task again, Escape, Discard (asked, as something was typed): nothing added. */
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  gtk_widget_child_focus (GTK_WIDGET (case_page ()), GTK_DIR_TAB_FORWARD);
  cl_gui_test_press (XK_t, XK_Control_L, XK_Shift_L);
  WAIT_UNTIL (CL_IS_RECORD_DIALOG (dialog = _cl_case_page_get_dialog (case_page ())), 2000);
  cl_gui_test_focus_window (dialog);
  cl_gui_test_type ("never");
  cl_gui_test_press (XK_Escape, 0, 0);
  cl_gui_test_focus_window (GTK_WINDOW (await_message_dialog ()));
  cl_gui_test_press (XK_Tab, 0, 0);
  cl_gui_test_press (XK_Return, 0, 0);
  WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);
  g_assert_cmpint (outbox_length (), ==, outbox);

  /* Add Service: the picker. */
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  gtk_widget_child_focus (GTK_WIDGET (case_page ()), GTK_DIR_TAB_FORWARD);
  cl_gui_test_press (XK_s, XK_Control_L, XK_Shift_L);
  WAIT_UNTIL (CL_IS_SERVICE_PICKER (dialog = _cl_case_page_get_dialog (case_page ())), 2000);
  gtk_window_close (dialog);
  WAIT_UNTIL (_cl_case_page_get_dialog (case_page ()) == NULL, 2000);

  /* Close Case: asks for a reason; Escape keeps it open. */
  cl_gui_test_focus_window (GTK_WINDOW (window ()));
  gtk_widget_child_focus (GTK_WIDGET (case_page ()), GTK_DIR_TAB_FORWARD);
  cl_gui_test_press (XK_w, XK_Control_L, XK_Shift_L);
  dialog = GTK_WINDOW (await_message_dialog ());
  cl_gui_test_focus_window (dialog);
  cl_gui_test_press (XK_Escape, 0, 0);
  WAIT_UNTIL (cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL, 2000);
  g_assert_cmpint (outbox_length (), ==, outbox);
  {
    g_autofree char *status = stored ("case", case_id, "status");
    g_assert_cmpstr (status, !=, "closed");
  }

  /* Log Contact is listed in the shortcuts window, with the others. */
  {
    g_autoptr(GtkBuilder) builder =
      gtk_builder_new_from_resource ("/io/github/caseload/Caseload/gtk/help-overlay.ui");
    g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
    static const char * const accels[] = {
      "<Control><Shift>l", "<Control><Shift>s", "<Control><Shift>t", "<Control><Shift>w"
    };
    guint found = 0;  /* a bit per accelerator listed */

    collect (GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay")),
             GTK_TYPE_SHORTCUTS_SHORTCUT, shortcuts);
    for (guint i = 0; i < shortcuts->len; i++)
      {
        g_autofree char *accel = NULL;

        g_object_get (g_ptr_array_index (shortcuts, i), "accelerator", &accel, NULL);
        for (guint j = 0; j < G_N_ELEMENTS (accels); j++)
          if (g_strcmp0 (accel, accels[j]) == 0)
            found |= 1u << j;
      }
    g_assert_cmpuint (found, ==, (1u << G_N_ELEMENTS (accels)) - 1);
  }
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
  g_autofree char *other = NULL;
  g_autofree char *safe = NULL;

  vault = cl_vault_create (vault_dir, passphrase, &recovery, &error);
  g_assert_no_error (error);
  s = cl_store_new (vault, g_get_user_name ());
  client_id = cl_test_create (s, "client", "pseudonym", "Intake Test", NULL);
  case_id = cl_test_create (s, "case", "client_id", client_id, "command", "14",
                            "track", "dv", NULL);
  safe = cl_test_create (s, "safe_contact", "client_id", client_id, "channel", "phone",
                         "safe", "yes", NULL);
  other = cl_test_create (s, "client", "pseudonym", "Other Test", NULL);
  other_case_id = cl_test_create (s, "case", "client_id", other, "command", "14",
                                  "track", "cv", NULL);
  g_clear_object (&s);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-case");
  vault_dir = g_build_filename (tmp_dir, "vault", NULL);
  create_test_vault ();

  g_test_add_func ("/gui-case/unlock", test_unlock);
  g_test_add_func ("/gui-case/intake-round-trip", test_intake_round_trip);
  g_test_add_func ("/gui-case/acp", test_acp);
  g_test_add_func ("/gui-case/new-sections", test_new_sections);
  g_test_add_func ("/gui-case/history-opens", test_history_opens);
  g_test_add_func ("/gui-case/forms-write-nothing", test_forms_write_nothing);
  g_test_add_func ("/gui-case/backdated-contact", test_backdated_contact);
  g_test_add_func ("/gui-case/restored-contact-no-outcome", test_restored_contact_no_outcome);
  g_test_add_func ("/gui-case/keys-to-log", test_keys_to_log);
  g_test_add_func ("/gui-case/read-only-rows-skipped", test_read_only_rows_skipped);
  g_test_add_func ("/gui-case/shortcuts", test_shortcuts);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  g_object_set (app, "vault-dir", vault_dir, NULL);
  status = cl_gui_test_run_app (G_APPLICATION (app), argv[0]);
  g_clear_object (&app);

  cl_gui_test_cleanup (tmp_dir);
  g_free (case_id);
  g_free (other_case_id);
  g_free (client_id);
  g_free (vault_dir);

  return status;
}
