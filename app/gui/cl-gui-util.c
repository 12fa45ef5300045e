/* cl-gui-util.c: small helpers shared by the widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-gui-util"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-date.h"
#include "cl-gui-util.h"
#include "cl-l10n.h"

/**
 * cl_enum_label:
 *
 * Returns: the translated label of @code in the enumeration @enum_name, @code itself when
 *   it is not a code of that enumeration, or "" for %NULL
 */
const char *
cl_enum_label (const char *enum_name,
               const char *code)
{
  const ClEnum *e;
  const ClEnumValue *v;

  if (code == NULL)
    return "";

  e = cl_schema_lookup_enum (enum_name);
  if (e == NULL)
    return code;

  v = cl_enum_lookup (e, code);
  if (v == NULL)
    return code;

  return g_dgettext (GETTEXT_PACKAGE, v->label);
}

/**
 * cl_enum_set_label:
 *
 * Returns: (transfer full): the translated labels of several codes ("a;b"), comma separated
 */
char *
cl_enum_set_label (const char *enum_name,
                   const char *codes)
{
  g_auto(GStrv) parts = NULL;
  GString *out;

  if (codes == NULL || *codes == '\0')
    return g_strdup ("");

  parts = g_strsplit (codes, ";", -1);
  out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      if (out->len > 0)
        /* Translators: separates the items of a list, e.g. "VOCA, City of New York" */
        g_string_append (out, _(", "));
      g_string_append (out, cl_enum_label (enum_name, parts[i]));
    }

  return g_string_free (out, FALSE);
}

/**
 * cl_enum_string_list_new:
 * @unset_label: (nullable): the label of a first item meaning "no value", or %NULL
 *
 * Returns: (transfer full): the translated labels of an enumeration, for a combo row
 */
GtkStringList *
cl_enum_string_list_new (const char *enum_name,
                         const char *unset_label)
{
  const ClEnum *e = cl_schema_lookup_enum (enum_name);
  GtkStringList *list = gtk_string_list_new (NULL);

  g_return_val_if_fail (e != NULL, list);

  if (unset_label != NULL)
    gtk_string_list_append (list, unset_label);

  for (guint i = 0; i < e->n_values; i++)
    gtk_string_list_append (list, g_dgettext (GETTEXT_PACKAGE, e->values[i].label));

  return list;
}

/**
 * cl_enum_code_at:
 *
 * Returns: (nullable): the code at @position of a list made by cl_enum_string_list_new()
 */
const char *
cl_enum_code_at (const char *enum_name,
                 guint       position,
                 gboolean    has_unset)
{
  const ClEnum *e = cl_schema_lookup_enum (enum_name);

  g_return_val_if_fail (e != NULL, NULL);

  if (has_unset)
    {
      if (position == 0 || position == GTK_INVALID_LIST_POSITION)
        return NULL;
      position--;
    }

  if (position >= e->n_values)
    return NULL;

  return e->values[position].code;
}

/**
 * cl_enum_position:
 *
 * Returns: the position of @code in a list made by cl_enum_string_list_new(): 0 (the unset
 *   item) or %GTK_INVALID_LIST_POSITION when there is no such code
 */
guint
cl_enum_position (const char *enum_name,
                  const char *code,
                  gboolean    has_unset)
{
  const ClEnum *e = cl_schema_lookup_enum (enum_name);
  guint offset = has_unset ? 1 : 0;

  g_return_val_if_fail (e != NULL, GTK_INVALID_LIST_POSITION);

  if (code != NULL)
    for (guint i = 0; i < e->n_values; i++)
      if (g_strcmp0 (e->values[i].code, code) == 0)
        return i + offset;

  return has_unset ? 0 : GTK_INVALID_LIST_POSITION;
}

static GDateTime *
parse_date (const char *iso_date)
{
  GDate date;

  if (!cl_date_from_iso (iso_date, &date))
    return NULL;

  return g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                g_date_get_day (&date), 0, 0, 0);
}

static GDateTime *
parse_datetime_local (const char *iso_datetime)
{
  g_autoptr(GDateTime) utc = NULL;

  if (iso_datetime == NULL)
    return NULL;
  if (strlen (iso_datetime) == 10)
    return parse_date (iso_datetime);

  utc = g_date_time_new_from_iso8601 (iso_datetime, NULL);
  if (utc == NULL)
    return NULL;

  return g_date_time_to_local (utc);
}

/* The day of @dt in the locale's format, isolated in a right-to-left interface. */
static char *
format_day (GDateTime *dt)
{
  g_autofree char *text = NULL;
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));
  text = cl_date_format (&date);
  return cl_l10n_isolate (text);
}

/**
 * cl_format_date:
 *
 * Dates and times shown here read in their own direction inside right-to-left text
 * (cl_l10n_isolate()): they never come apart around the words next to them.
 *
 * Returns: (transfer full): a YYYY-MM-DD date in the locale's format, or "" when unset
 */
char *
cl_format_date (const char *iso_date)
{
  g_autoptr(GDateTime) dt = parse_date (iso_date);

  if (dt == NULL)
    return g_strdup (iso_date != NULL ? iso_date : "");

  return format_day (dt);
}

/**
 * cl_format_datetime:
 *
 * Returns: (transfer full): a UTC timestamp in local time and the locale's format
 */
char *
cl_format_datetime (const char *iso_datetime)
{
  g_autoptr(GDateTime) dt = parse_datetime_local (iso_datetime);
  g_autofree char *time_text = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;

  if (dt == NULL)
    return g_strdup (iso_datetime != NULL ? iso_datetime : "");

  time_text = cl_date_format_time (g_date_time_get_hour (dt), g_date_time_get_minute (dt));
  date = format_day (dt);
  time = cl_l10n_isolate_ltr (time_text);

  /* Translators: a date and a time, e.g. "03/14/2024 at 15:30" */
  return g_strdup_printf (_("%s at %s"), date, time);
}

/**
 * cl_format_relative:
 *
 * Returns: (transfer full): "Today", "Yesterday", "3 days ago" or the date
 */
char *
cl_format_relative (const char *iso_datetime)
{
  g_autoptr(GDateTime) dt = parse_datetime_local (iso_datetime);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate a, b;
  int days;

  if (dt == NULL)
    return g_strdup ("");

  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_dmy (&a, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));
  g_date_set_dmy (&b, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  days = g_date_days_between (&a, &b);

  if (days == 0)
    return g_strdup (_("Today"));
  if (days == 1)
    return g_strdup (_("Yesterday"));
  if (days > 1 && days < 7)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", days),
                            days);

  return format_day (dt);
}

/**
 * cl_datetime_to_local_input:
 *
 * Returns: (transfer full): a UTC timestamp as "YYYY-MM-DD HH:MM" local time, for editing
 */
char *
cl_datetime_to_local_input (const char *iso_datetime)
{
  g_autoptr(GDateTime) dt = parse_datetime_local (iso_datetime);

  if (dt == NULL)
    return g_strdup (iso_datetime != NULL ? iso_datetime : "");

  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

/**
 * cl_today:
 *
 * Returns: (transfer full): today's local date as YYYY-MM-DD
 */
char *
cl_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/**
 * cl_days_until:
 *
 * Returns: the number of days from today to @iso_date (negative when past), or G_MAXINT
 *   when @iso_date is not a date
 */
int
cl_days_until (const char *iso_date)
{
  g_autoptr(GDateTime) dt = parse_date (iso_date);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate a, b;

  if (dt == NULL)
    return G_MAXINT;

  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_dmy (&a, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  g_date_set_dmy (&b, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));

  return g_date_days_between (&a, &b);
}

/**
 * cl_record_display_name:
 * @client: a client record
 *
 * Returns: the name the advocate knows the client by: preferred, legal name or pseudonym
 */
const char *
cl_record_display_name (ClRecord *client)
{
  static const char * const fields[] = { "preferred_name", "legal_name", "pseudonym" };

  g_return_val_if_fail (CL_IS_RECORD (client), "");

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *value = cl_record_get (client, fields[i]);

      if (value != NULL && *value != '\0')
        return value;
    }

  return _("Unnamed client");
}

/**
 * cl_widget_set_label:
 *
 * Labels an icon-only widget for screen readers and with a tooltip.
 */
void
cl_widget_set_label (GtkWidget  *widget,
                     const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_widget_set_tooltip_text (widget, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/**
 * cl_widget_get_window:
 *
 * Returns: (transfer none) (nullable): the window @widget is in
 */
GtkWindow *
cl_widget_get_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/**
 * cl_list_focus_row:
 * @list: a GtkListView, or a GtkColumnView
 *
 * Puts the keyboard focus on a row of @list: the row that had it, or else the first, so
 * that Enter opens it at once. (gtk_widget_grab_focus() on a list that no row has focused
 * yet focuses the list itself, where Enter does nothing until an arrow key moves to a row.)
 *
 * Returns: whether a row has the focus
 */
gboolean
cl_list_focus_row (GtkWidget *list)
{
  GtkRoot *root = gtk_widget_get_root (list);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  g_return_val_if_fail (GTK_IS_LIST_VIEW (list) || GTK_IS_COLUMN_VIEW (list), FALSE);

  /* A column view's rows are in its list view, after the (focusable) column headers. */
  if (GTK_IS_COLUMN_VIEW (list))
    for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_LIST_VIEW (child))
        list = child;

  if (focus != NULL && focus != list && gtk_widget_is_ancestor (focus, list))
    return TRUE;

  /* Entering the list, GtkListBase focuses its focus row, or the first. */
  if (focus == list)
    gtk_root_set_focus (root, NULL);
  return gtk_widget_child_focus (list, GTK_DIR_TAB_FORWARD);
}

/**
 * cl_clear_clipboards:
 *
 * Replaces the clipboard and the primary selection with nothing, so a name copied before
 * the vault locked cannot be pasted after.
 */
void
cl_clear_clipboards (GdkDisplay *display)
{
  g_return_if_fail (GDK_IS_DISPLAY (display));

  gdk_clipboard_set_text (gdk_display_get_clipboard (display), "");
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "");
}

/**
 * cl_editable_set_ltr:
 *
 * Lays the text of @editable out left to right in every language, for values that read so
 * (cl_l10n_field_is_ltr()): in Arabic or Urdu "(212) 555-3313" would otherwise show as
 * "555-3313 (212)". Only the text itself: the row or entry around it (its title, its
 * buttons) keeps the interface's direction.
 */
void
cl_editable_set_ltr (GtkEditable *editable)
{
  GtkEditable *delegate;

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  delegate = gtk_editable_get_delegate (editable);
  gtk_widget_set_direction (GTK_WIDGET (delegate != NULL ? delegate : editable),
                            GTK_TEXT_DIR_LTR);
}

/* The icon or button of a password entry or row that shows or hides the text. */
static GtkWidget *
find_peek (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *icon = NULL;
      GtkWidget *found;

      if (GTK_IS_BUTTON (child))
        icon = gtk_button_get_icon_name (GTK_BUTTON (child));
      else if (GTK_IS_IMAGE (child))
        icon = gtk_image_get_icon_name (GTK_IMAGE (child));
      if (icon != NULL && g_str_has_prefix (icon, "view-"))
        return child;
      if ((found = find_peek (child)) != NULL)
        return found;
    }
  return NULL;
}

static void
peek_tooltip_cb (GtkText    *text,
                 GParamSpec *pspec,
                 GtkWidget  *peek)
{
  gtk_widget_set_tooltip_text (peek, gtk_text_get_visibility (text) ? _("Hide Text")
                                                                    : _("Show Text"));
}

/**
 * cl_password_set_tooltips:
 * @editable: an #AdwPasswordEntryRow or a #GtkPasswordEntry
 *
 * Gives the show/hide button of @editable tooltips from Caseload's catalogs: libadwaita
 * has none in Arabic, Urdu, Bengali or Haitian Creole, GTK none in Haitian Creole.
 */
void
cl_password_set_tooltips (GtkEditable *editable)
{
  GtkEditable *text;
  GtkWidget *peek;

  g_return_if_fail (GTK_IS_EDITABLE (editable));

  text = gtk_editable_get_delegate (editable);
  peek = find_peek (GTK_WIDGET (editable));
  if (text == NULL || !GTK_IS_TEXT (text) || peek == NULL)
    return;
  /* After the toolkit's own handler, which sets its untranslated tooltip. */
  g_signal_connect_object (text, "notify::visibility", G_CALLBACK (peek_tooltip_cb), peek,
                           G_CONNECT_AFTER);
  peek_tooltip_cb (GTK_TEXT (text), NULL, peek);
}

/**
 * cl_gui_set_language_font:
 *
 * Sets the interface in the fonts its language is read in (cl_l10n_font_family()): Urdu
 * in Nastaliq, Arabic in Naskh. Other languages keep the theme's font.
 */
void
cl_gui_set_language_font (GdkDisplay *display)
{
  const char *family = cl_l10n_font_family ();
  g_autoptr(GtkCssProvider) provider = NULL;
  g_auto(GStrv) families = NULL;
  g_autoptr(GString) css = NULL;

  g_return_if_fail (GDK_IS_DISPLAY (display));

  if (family == NULL)
    return;
  families = g_strsplit (family, ",", -1);
  css = g_string_new ("window, popover, tooltip { font-family: ");
  for (guint i = 0; families[i] != NULL; i++)
    g_string_append_printf (css, "%s\"%s\"", i > 0 ? ", " : "", families[i]);
  g_string_append (css, "; }");
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css->str, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}
