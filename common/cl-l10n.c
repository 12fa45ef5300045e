/* cl-l10n.c: text for people in the user's language and region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Direction: the language of the messages (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as gettext
 * reads them) says whether text is laid out right to left; never a guess from the text.
 *
 * Left-to-right values: phone numbers, email addresses, case, complaint, docket and claim
 * numbers, command codes, ISO dates and times read left to right in every language. Inside
 * right-to-left text they are isolated (U+2066 … U+2069), or "(212) 555-3313" shows as
 * "555-3313 (212)" and "2026-12-07T11:38:39Z" comes apart. A date in the locale's own
 * format ("07 ديس, 2026") takes the direction of its first letter instead (U+2068). In a
 * left-to-right language nothing is added: the text stays as it was.
 *
 * Dates and times: the locale's date format (LC_TIME), and an instant in the organization's
 * time zone; with no locale (C, POSIX) ISO 8601, as scripts and tests read it.
 */

#include <locale.h>
#include <string.h>

#include "cl-date.h"
#include "cl-l10n.h"

/* The message language: the first one gettext would use, "ur" of "ur_PK.UTF-8". */
static char *
messages_language (void)
{
  const char *const *names = g_get_language_names ();

  return g_strndup (names[0], strcspn (names[0], "_.@"));
}

/**
 * cl_l10n_is_rtl:
 *
 * Returns: whether the messages' language is written right to left
 */
gboolean
cl_l10n_is_rtl (void)
{
  static const char *const rtl[] = { "ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur",
                                     "yi" };
  g_autofree char *language = messages_language ();

  for (guint i = 0; i < G_N_ELEMENTS (rtl); i++)
    if (g_str_equal (language, rtl[i]))
      return TRUE;
  return FALSE;
}

/**
 * cl_l10n_font_family:
 *
 * Urdu is read in Nastaliq, Arabic in Naskh: fontconfig's default for both is a Kufi or a
 * Latin face that happens to hold Arabic letters.
 *
 * Returns: (nullable): the font families for the messages' language (a Pango family list,
 *   best first, then Noto Sans for Latin letters and "Sans"), or %NULL for the default
 */
const char *
cl_l10n_font_family (void)
{
  g_autofree char *language = messages_language ();

  if (g_str_equal (language, "ur"))
    return "Awami Nastaliq,Noto Nastaliq Urdu,Noto Sans,Sans";
  if (g_str_equal (language, "ar"))
    return "Noto Naskh Arabic,Noto Sans Arabic,Noto Sans,Sans";
  return NULL;
}

static char *
isolate (const char *text,
         const char *mark)
{
  if (text == NULL)
    return NULL;
  if (*text == '\0' || !cl_l10n_is_rtl ())
    return g_strdup (text);
  return g_strconcat (mark, text, CL_L10N_PDI, NULL);
}

/**
 * cl_l10n_isolate_ltr:
 *
 * Returns: (transfer full) (nullable): @text isolated left to right in a right-to-left
 *   language, else a copy
 */
char *
cl_l10n_isolate_ltr (const char *text)
{
  return isolate (text, CL_L10N_LRI);
}

/**
 * cl_l10n_isolate:
 *
 * Returns: (transfer full) (nullable): @text isolated in the direction of its first strong
 *   letter in a right-to-left language, else a copy
 */
char *
cl_l10n_isolate (const char *text)
{
  return isolate (text, CL_L10N_FSI);
}

/**
 * cl_l10n_field_is_ltr:
 *
 * Returns: whether the values of @field read left to right in every language: dates,
 *   times, numbers, command codes, phone numbers, email addresses and case, complaint,
 *   docket and claim numbers
 */
gboolean
cl_l10n_field_is_ltr (const ClField *field)
{
  static const char *const names[] = { "phone", "email", "case_number", "complaint_number",
                                       "docket", "claim_number" };

  g_return_val_if_fail (field != NULL, FALSE);

  switch (field->kind)
    {
    case CL_FIELD_DATE:
    case CL_FIELD_DATETIME:
    case CL_FIELD_INT:
    case CL_FIELD_COMMAND:
      return TRUE;
    case CL_FIELD_TEXT:
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_str_equal (field->name, names[i]))
          return TRUE;
      return FALSE;
    default:
      return FALSE;
    }
}

/* No locale for dates and times: ISO 8601. */
/**
 * cl_l10n_format_day:
 *
 * Returns: (transfer full): @day in the locale's date format ("" for %CL_DAY_NONE)
 */
char *
cl_l10n_format_day (ClDay day)
{
  GDate date;
  int y, m, d;

  if (day == CL_DAY_NONE)
    return cl_day_to_string (day);
  cl_day_to_ymd (day, &y, &m, &d);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  return cl_date_format (&date);
}

/**
 * cl_l10n_format_instant:
 * @iso_utc: an instant, YYYY-MM-DDTHH:MM:SSZ
 * @time_zone: (nullable): the organization's time zone (an IANA identifier); %NULL for
 *   %CL_REPORT_DEFAULT_TIME_ZONE
 *
 * Returns: (transfer full): @iso_utc as a date and time of day in @time_zone, in the
 *   locale's formats; @iso_utc itself if it cannot be read
 */
char *
cl_l10n_format_instant (const char *iso_utc,
                        const char *time_zone)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  ClTime t;

  g_return_val_if_fail (iso_utc != NULL, NULL);

  t = cl_time_parse (iso_utc);
  if (t == CL_TIME_NONE || (utc = g_date_time_new_from_unix_utc (t)) == NULL)
    return g_strdup (iso_utc);
  tz = cl_report_time_zone_new (time_zone != NULL ? time_zone : CL_REPORT_DEFAULT_TIME_ZONE);
  local = g_date_time_to_timezone (utc, tz);
  if (cl_date_locale_is_c ())
    return g_date_time_format (local, "%Y-%m-%d %H:%M:%S %Z");
  {
    g_autofree char *day = NULL;
    g_autofree char *time = cl_date_format_time (g_date_time_get_hour (local),
                                                 g_date_time_get_minute (local));
    GDate date;

    g_date_clear (&date, 1);
    g_date_set_dmy (&date, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                    g_date_time_get_year (local));
    day = cl_date_format (&date);
    return g_strconcat (day, " ", time, NULL);
  }
}
