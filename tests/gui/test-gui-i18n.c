/* test-gui-i18n.c: the interface in a right-to-left language: values that read left to
 * right, the language's font, strings libadwaita has no translation of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs in Arabic and in Urdu ($CASELOAD_TEST_LOCALE, see meson.build), without an
 * application: the widgets on their own.
 */

#include <glib/gi18n.h>

#include "cl-gui-test.h"
#include "cl-gui-util.h"
#include "cl-record-form.h"

static char *tmp_dir;

/* The characters of @layout's text in the order they show, left to right, without bidi
 * controls. */
static char *
shown_order (PangoLayout *layout)
{
  const char *text = pango_layout_get_text (layout);
  g_autoptr(PangoLayoutIter) iter = pango_layout_get_iter (layout);
  GString *out = g_string_new (NULL);

  do
    {
      PangoGlyphItem *run = pango_layout_iter_get_run_readonly (iter);

      for (int g = 0; run != NULL && g < run->glyphs->num_glyphs; g++)
        {
          gunichar c = g_utf8_get_char (text + run->item->offset + run->glyphs->log_clusters[g]);

          if (c < 0x2066 || c > 0x2069)
            g_string_append_unichar (out, c);
        }
    }
  while (pango_layout_iter_next_run (iter));
  return g_string_free (out, FALSE);
}

/* How @widget lays @text out, as its own text is. */
static char *
widget_shows (GtkWidget  *widget,
              const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);

  pango_layout_set_auto_dir (layout, FALSE);
  return shown_order (layout);
}

/* "(212) 555-3313" in a client's phone row shows in that order; the row's title and a
 * name keep the interface's direction. */
static void
test_phone_ltr (void)
{
  const char *phone = "(212) 555-3313";
  const char *fields[] = { "legal_name", "phone", "email", "date_of_birth", NULL };
  GtkWidget *window = gtk_window_new ();
  ClRecordForm *form = cl_record_form_new ("client", fields, FALSE);
  GtkWidget *row, *text;
  g_autofree char *shown = NULL, *bare = NULL;

  g_assert_true (cl_gui_test_in_test_locale ());
  g_assert_cmpint (gtk_widget_get_default_direction (), ==, GTK_TEXT_DIR_RTL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (form));

  row = cl_record_form_get_row (form, "phone");
  gtk_editable_set_text (GTK_EDITABLE (row), phone);
  text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (row)));
  g_assert_cmpint (gtk_widget_get_direction (text), ==, GTK_TEXT_DIR_LTR);
  g_assert_cmpint (gtk_widget_get_direction (row), ==, GTK_TEXT_DIR_RTL);
  shown = widget_shows (text, gtk_editable_get_text (GTK_EDITABLE (text)));
  g_assert_cmpstr (shown, ==, phone);
  /* Without: the bidi algorithm's "555-3313 (212)". */
  bare = widget_shows (row, phone);
  g_assert_cmpstr (bare, !=, phone);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      GtkWidget *r = cl_record_form_get_row (form, fields[i]);
      GtkEditable *delegate = GTK_IS_EDITABLE (r) ? gtk_editable_get_delegate (GTK_EDITABLE (r)) : NULL;

      if (delegate != NULL)
        g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (delegate)), ==,
                         i == 0 ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A date in a sentence shows as it does on its own: "14/03/2026" never comes apart. */
static void
test_date_isolated (void)
{
  g_autofree char *date = cl_format_date ("2026-03-14");
  g_autofree char *sentence = g_strconcat ("موعد ", date, NULL);
  GtkWidget *label = gtk_label_new (NULL);
  g_autoptr(GDateTime) day = g_date_time_new_local (2026, 3, 14, 0, 0, 0);
  g_autofree char *plain = g_date_time_format (day, "%x");
  g_autofree char *shown = NULL, *alone = NULL;
  g_autoptr(PangoLayout) layout = NULL;

  g_object_ref_sink (label);
  g_assert_true (g_str_has_prefix (date, "\xe2\x81\xa8"));
  shown = widget_shows (label, sentence);
  /* The date as it shows on its own, in the direction of its first letter. */
  layout = gtk_widget_create_pango_layout (label, plain);
  alone = shown_order (layout);
  g_assert_nonnull (strstr (shown, alone));
  g_object_unref (label);
}

/* The first descendant of @widget whose icon starts with "view-" (a password's show/hide
 * button or icon). */
static GtkWidget *
peek_of (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *icon = GTK_IS_BUTTON (child) ? gtk_button_get_icon_name (GTK_BUTTON (child))
                         : GTK_IS_IMAGE (child) ? gtk_image_get_icon_name (GTK_IMAGE (child))
                         : NULL;
      GtkWidget *found;

      if (icon != NULL && g_str_has_prefix (icon, "view-"))
        return child;
      if ((found = peek_of (child)) != NULL)
        return found;
    }
  return NULL;
}

/* The show/hide button of a password row (libadwaita) and the icon of a password entry
 * (GTK) speak the app's language. */
static void
test_password_tooltips (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *passwords[] = { adw_password_entry_row_new (), gtk_password_entry_new () };

  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (passwords[1]), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), passwords[0]);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), passwords[1]);
  gtk_window_set_child (GTK_WINDOW (window), box);

  for (guint i = 0; i < G_N_ELEMENTS (passwords); i++)
    {
      GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (passwords[i]));
      GtkWidget *peek;

      cl_password_set_tooltips (GTK_EDITABLE (passwords[i]));
      peek = peek_of (passwords[i]);
      g_assert_nonnull (peek);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (peek), ==, _("Show Text"));
      g_assert_cmpstr (gtk_widget_get_tooltip_text (peek), !=, "Show Text");
      gtk_text_set_visibility (GTK_TEXT (text), TRUE);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (peek), ==, _("Hide Text"));
      g_assert_cmpstr (gtk_widget_get_tooltip_text (peek), !=, "Hide Text");
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Urdu reads Nastaliq, Arabic Naskh: the interface's font says so. */
static void
test_language_font (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("نام");
  const char *language = g_getenv ("LANGUAGE");
  PangoFontDescription *font;

  gtk_window_set_child (GTK_WINDOW (window), label);
  cl_gui_set_language_font (gtk_widget_get_display (window));
  gtk_widget_realize (window);
  font = pango_context_get_font_description (gtk_widget_get_pango_context (label));
  g_assert_cmpstr (pango_font_description_get_family (font), ==,
                   g_str_has_prefix (language, "ur")
                   ? "Awami Nastaliq,Noto Nastaliq Urdu,Noto Sans,Sans"
                   : "Noto Naskh Arabic,Noto Sans Arabic,Noto Sans,Sans");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  tmp_dir = cl_gui_test_init (&argc, &argv, "gui-i18n");
  gtk_init ();
  adw_init ();

  g_test_add_func ("/gui-i18n/phone-ltr", test_phone_ltr);
  g_test_add_func ("/gui-i18n/date-isolated", test_date_isolated);
  g_test_add_func ("/gui-i18n/password-tooltips", test_password_tooltips);
  g_test_add_func ("/gui-i18n/language-font", test_language_font);
  status = g_test_run ();

  cl_gui_test_cleanup (tmp_dir);
  g_free (tmp_dir);
  return status;
}
