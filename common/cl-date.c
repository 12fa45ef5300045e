/* cl-date.c: dates and times, as stored and as people read and type them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place dates are parsed and written. Records store calendar dates as YYYY-MM-DD and
 * moments as UTC timestamps (DOMAIN.md); what the sync protocol, the CLI's JSON and the
 * validation of records accept is that form only (cl_date_from_iso()). People read and type
 * dates in their locale: 12/11/2026 in en_US, 11/12/2026 in fr_FR, with the ISO form always
 * accepted too, and times as the locale writes them (3:30 PM, 15:30).
 *
 * Parsing a typed date relies on GDate (g_date_set_parse()), which reads the day, month and
 * year in the order the locale's date format puts them, and month names in the locale's
 * language; a two-digit year is refused rather than guessed.
 */

#define G_LOG_DOMAIN "cl-date"

#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>

#include "cl-date.h"

/* The years a record's date may lie in (DOMAIN.md: births from 1900, plans to 2200). */
#define MIN_YEAR 1900
#define MAX_YEAR 2200

/**
 * cl_date_locale_is_c:
 *
 * Returns: %TRUE when no locale is set for dates (C or POSIX): dates and times are then
 *   written in the ISO form, not in the C locale's American one
 */
gboolean
cl_date_locale_is_c (void)
{
  const char *locale = setlocale (LC_TIME, NULL);

  return locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX")
         || g_str_has_prefix (locale, "C.");
}

static gboolean
year_in_range (GDateYear year)
{
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

/**
 * cl_date_from_iso:
 * @iso: (nullable): a date written YYYY-MM-DD
 * @date: (out): where to put it
 *
 * Returns: %TRUE if @iso is exactly a valid YYYY-MM-DD date between 1900 and 2200
 */
gboolean
cl_date_from_iso (const char *iso,
                  GDate      *date)
{
  guint y = 0, m = 0, d = 0;

  g_return_val_if_fail (date != NULL, FALSE);

  g_date_clear (date, 1);
  if (iso == NULL || strlen (iso) != 10 || iso[4] != '-' || iso[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (iso[i]))
      return FALSE;

  y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
  m = (iso[5] - '0') * 10 + (iso[6] - '0');
  d = (iso[8] - '0') * 10 + (iso[9] - '0');
  if (!g_date_valid_dmy (d, m, y) || !year_in_range (y))
    return FALSE;

  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

/**
 * cl_date_to_iso:
 *
 * Returns: (transfer full): @date as YYYY-MM-DD
 */
char *
cl_date_to_iso (const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/**
 * cl_date_format:
 *
 * Returns: (transfer full): @date in the locale's short format (strftime's %x), its year
 *   always in four digits; YYYY-MM-DD without a locale
 */
char *
cl_date_format (const GDate *date)
{
  g_autofree char *format = NULL;
  char text[128];
  char *y;

  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  if (cl_date_locale_is_c ())
    return cl_date_to_iso (date);

  /* The locale's format with the year in full: es_US writes "02/01/26", which could be
   * 1926 as well as 2026 (a date of birth). */
  format = g_strdup (*nl_langinfo (D_FMT) != '\0' ? nl_langinfo (D_FMT) : "%x");
  while ((y = strstr (format, "%y")) != NULL)
    y[1] = 'Y';

  if (g_date_strftime (text, sizeof text, format, date) == 0)
    return cl_date_to_iso (date);
  return g_strdup (text);
}

/**
 * cl_date_format_iso:
 * @iso: (nullable): a date written YYYY-MM-DD
 *
 * Returns: (transfer full): the date in the locale's format; @iso itself if it is not a
 *   date, "" for %NULL
 */
char *
cl_date_format_iso (const char *iso)
{
  GDate date;

  if (!cl_date_from_iso (iso, &date))
    return g_strdup (iso != NULL ? iso : "");
  return cl_date_format (&date);
}

/* Whether @text holds a year of four digits (a run of exactly four). */
static gboolean
has_full_year (const char *text)
{
  guint run = 0;

  for (const char *p = text; ; p++)
    {
      if (g_ascii_isdigit (*p))
        run++;
      else
        {
          if (run == 4)
            return TRUE;
          run = 0;
        }
      if (*p == '\0')
        return FALSE;
    }
}

/**
 * cl_date_parse:
 * @text: what was typed
 * @date: (out): where to put the date
 *
 * Reads a date as the locale writes it (the day, month and year in the order of its date
 * format; month names in its language), or as YYYY-MM-DD. The year must have four digits.
 *
 * Returns: %TRUE if @text is a valid date between 1900 and 2200
 */
gboolean
cl_date_parse (const char *text,
               GDate      *date)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (date != NULL, FALSE);

  g_date_clear (date, 1);
  if (text == NULL)
    return FALSE;
  trimmed = g_strstrip (g_strdup (text));
  if (cl_date_from_iso (trimmed, date))
    return TRUE;
  if (!has_full_year (trimmed))
    return FALSE;

  g_date_set_parse (date, trimmed);
  if (!g_date_valid (date) || !year_in_range (g_date_get_year (date)))
    {
      g_date_clear (date, 1);
      return FALSE;
    }
  return TRUE;
}

/**
 * cl_date_parse_to_iso:
 *
 * Returns: (transfer full) (nullable): what cl_date_parse() reads, as YYYY-MM-DD, or %NULL
 */
char *
cl_date_parse_to_iso (const char *text)
{
  GDate date;

  if (!cl_date_parse (text, &date))
    return NULL;
  return cl_date_to_iso (&date);
}

/* The locale's words for morning and afternoon, or NULL when it writes 24-hour times. */
static const char *
am_pm_word (gboolean pm)
{
  const char *word = nl_langinfo (pm ? PM_STR : AM_STR);
  const char *ampm_format = nl_langinfo (T_FMT_AMPM);

  if (word == NULL || *word == '\0' || ampm_format == NULL || *ampm_format == '\0')
    return NULL;
  return word;
}

static gboolean
locale_uses_12_hours (void)
{
  const char *format = nl_langinfo (T_FMT);

  return am_pm_word (FALSE) != NULL && format != NULL
         && (strstr (format, "%I") != NULL || strstr (format, "%r") != NULL
             || strstr (format, "%l") != NULL);
}

/* Whether @text (at @p) starts with @word, ignoring case and dots ("p.m." = "PM"). */
static gboolean
matches_word (const char *p,
              const char *word)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  GString *s = g_string_new (NULL);

  for (const char *q = p; *q != '\0'; q = g_utf8_next_char (q))
    if (*q != '.' && *q != ' ')
      g_string_append_unichar (s, g_utf8_get_char (q));
  a = g_utf8_casefold (s->str, -1);
  g_string_free (s, TRUE);
  s = g_string_new (NULL);
  for (const char *q = word; *q != '\0'; q = g_utf8_next_char (q))
    if (*q != '.' && *q != ' ')
      g_string_append_unichar (s, g_utf8_get_char (q));
  b = g_utf8_casefold (s->str, -1);
  g_string_free (s, TRUE);

  return *b != '\0' && strcmp (a, b) == 0;
}

/**
 * cl_date_parse_time:
 * @text: what was typed: "15:30", "3:30 PM", "3:30pm", or with the locale's words for
 *   morning and afternoon
 * @hour: (out): 0–23
 * @minute: (out): 0–59
 *
 * Returns: %TRUE if @text is a time of day
 */
gboolean
cl_date_parse_time (const char *text,
               int        *hour,
               int        *minute)
{
  const char *p = text;
  int h = 0, m = 0, digits;
  gboolean am = FALSE, pm = FALSE;

  g_return_val_if_fail (hour != NULL && minute != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  while (*p == ' ')
    p++;
  for (digits = 0; g_ascii_isdigit (*p) && digits < 2; p++, digits++)
    h = h * 10 + (*p - '0');
  if (digits == 0 || (*p != ':' && *p != '.'))
    return FALSE;
  p++;
  for (digits = 0; g_ascii_isdigit (*p) && digits < 2; p++, digits++)
    m = m * 10 + (*p - '0');
  if (digits != 2)
    return FALSE;
  while (*p == ' ')
    p++;

  if (*p != '\0')
    {
      am = matches_word (p, "AM") || (am_pm_word (FALSE) && matches_word (p, am_pm_word (FALSE)));
      pm = matches_word (p, "PM") || (am_pm_word (TRUE) && matches_word (p, am_pm_word (TRUE)));
      if (!am && !pm)
        return FALSE;
      if (h < 1 || h > 12)
        return FALSE;
      h = (h % 12) + (pm ? 12 : 0);
    }

  if (h > 23 || m > 59)
    return FALSE;
  *hour = h;
  *minute = m;
  return TRUE;
}

/**
 * cl_date_format_time:
 *
 * Returns: (transfer full): the time of day as the locale writes it, without seconds:
 *   "3:30 PM" in en_US, "15:30" in fr_FR
 */
char *
cl_date_format_time (int hour,
                int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2000, 1, 1, hour, minute, 0);

  g_return_val_if_fail (dt != NULL, NULL);

  if (!cl_date_locale_is_c () && locale_uses_12_hours ())
    return g_date_time_format (dt, "%-I:%M %p");
  return g_date_time_format (dt, "%H:%M");
}

/**
 * cl_datetime_parse_to_utc:
 * @text: a date and a time of day, as cl_date_parse() and cl_date_parse_time() read them,
 *   separated by a space (or a "T" in the ISO form); a date alone means midnight
 * @zone: (nullable): the time zone @text is in, %NULL for local time
 *
 * Returns: (transfer full) (nullable): the moment as a UTC timestamp, or %NULL
 */
char *
cl_datetime_parse_to_utc (const char *text,
                          GTimeZone  *zone)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *copy = NULL;
  const char *time_part = NULL;
  int hour = 0, minute = 0;
  GDate date;
  char *split;

  if (text == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (text));

  /* The ISO form: YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM. */
  if (strlen (copy) > 10 && copy[4] == '-' && (copy[10] == 'T' || copy[10] == ' '))
    {
      copy[10] = '\0';
      time_part = copy + 11;
    }
  else if ((split = strrchr (copy, ' ')) != NULL)
    {
      /* The time is the last word, or the last two ("3:30 PM"). */
      char *before = NULL;

      *split = '\0';
      time_part = split + 1;
      if (!cl_date_parse_time (time_part, &hour, &minute) && (before = strrchr (copy, ' ')) != NULL)
        {
          *split = ' ';
          *before = '\0';
          time_part = before + 1;
        }
    }

  if (!cl_date_parse (copy, &date))
    return NULL;
  if (time_part != NULL && !cl_date_parse_time (time_part, &hour, &minute))
    return NULL;

  if (zone == NULL)
    zone = local = g_time_zone_new_local ();
  dt = g_date_time_new (zone, g_date_get_year (&date), g_date_get_month (&date),
                        g_date_get_day (&date), hour, minute, 0);
  if (dt == NULL)
    return NULL;
  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * cl_datetime_format_local:
 * @utc: (nullable): a UTC timestamp
 * @zone: (nullable): the time zone to show it in, %NULL for local time
 *
 * Returns: (transfer full): the date and time of day as the locale writes them, so that
 *   cl_datetime_parse_to_utc() reads it back; @utc itself if it is not a timestamp
 */
char *
cl_datetime_format_local (const char *utc,
                          GTimeZone  *zone)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *date_text = NULL;
  g_autofree char *time_text = NULL;
  GDate date;

  if (utc == NULL)
    return g_strdup ("");
  parsed = g_date_time_new_from_iso8601 (utc, NULL);
  if (parsed == NULL)
    return g_strdup (utc);
  if (zone == NULL)
    zone = local = g_time_zone_new_local ();
  dt = g_date_time_to_timezone (parsed, zone);

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));
  date_text = cl_date_format (&date);
  time_text = cl_date_format_time (g_date_time_get_hour (dt), g_date_time_get_minute (dt));
  return g_strconcat (date_text, " ", time_text, NULL);
}
