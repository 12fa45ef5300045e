/* test-date.c: dates as stored, and as people in each locale read and type them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each locale is compiled with localedef (package locales) into a temporary directory, so
 * the test does not depend on the locales the machine happens to have generated.
 */

#include <locale.h>

#include "cl-date.h"
#include "cl-test-util.h"

static char *locale_dir;

static void
use_locale (const char *name)
{
  g_autofree char *path = g_build_filename (locale_dir, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *input = g_strndup (name, strcspn (name, "."));
      const char *args[] = { "localedef", "-i", input, "-f", "UTF-8", path, NULL };
      g_autoptr(GError) error = NULL;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH
                         | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        g_error ("Could not compile the %s locale with localedef (package locales): %s",
                 name, error->message);
    }
  g_setenv ("LOCPATH", locale_dir, TRUE);
  /* The character set too: GDate converts what strftime() writes from it to UTF-8. */
  if (setlocale (LC_TIME, name) == NULL || setlocale (LC_CTYPE, name) == NULL)
    g_error ("The %s locale compiled into %s does not load", name, locale_dir);
}

static void
assert_parses (const char *text,
               const char *iso)
{
  g_autofree char *parsed = cl_date_parse_to_iso (text);

  g_assert_cmpstr (parsed, ==, iso);
}

static void
test_iso (void)
{
  const char *valid[] = { "2026-12-11", "1900-01-01", "2200-12-31", "2024-02-29" };
  const char *invalid[] = { "2026-2-1", "2026-12-11x", "2026/12/11", "1899-12-31",
                            "2201-01-01", "2026-02-30", "2025-02-29", "20261211", "",
                            "२०२६-१२-११", "2026-12-1a" };
  GDate date;

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autofree char *back = NULL;

      g_assert_true (cl_date_from_iso (valid[i], &date));
      back = cl_date_to_iso (&date);
      g_assert_cmpstr (back, ==, valid[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_assert_false (cl_date_from_iso (invalid[i], &date));
      g_assert_false (g_date_valid (&date));
    }
  g_assert_false (cl_date_from_iso (NULL, &date));
}

static void
test_us_and_french (void)
{
  g_autofree char *us = NULL;
  g_autofree char *fr = NULL;
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 11, G_DATE_DECEMBER, 2026);

  use_locale ("en_US.UTF-8");
  us = cl_date_format (&date);
  g_assert_cmpstr (us, ==, "12/11/2026");
  assert_parses ("12/11/2026", "2026-12-11");
  assert_parses (" 12/11/2026 ", "2026-12-11");
  assert_parses ("2026-12-11", "2026-12-11");
  assert_parses ("13/11/2026", NULL);
  /* A two-digit year is refused, not guessed. */
  assert_parses ("12/11/26", NULL);
  assert_parses ("tomorrow", NULL);
  assert_parses ("", NULL);
  assert_parses (NULL, NULL);

  use_locale ("fr_FR.UTF-8");
  fr = cl_date_format (&date);
  g_assert_cmpstr (fr, ==, "11/12/2026");
  assert_parses ("11/12/2026", "2026-12-11");
  assert_parses ("2026-12-11", "2026-12-11");
  assert_parses ("31/12/2026", "2026-12-31");
}

/* What a locale shows, typed back, is the same date. */
static void
test_round_trip (void)
{
  const char *locales[] = { "en_US.UTF-8", "fr_FR.UTF-8", "es_US.UTF-8", "ru_RU.UTF-8",
                            "pl_PL.UTF-8", "ko_KR.UTF-8", "zh_TW.UTF-8", "zh_CN.UTF-8",
                            "ar_EG.UTF-8", "ur_PK.UTF-8", "bn_BD.UTF-8", "ht_HT.UTF-8" };
  const char *dates[] = { "2026-01-02", "2026-12-11", "1975-03-04", "2024-02-29",
                          "2030-10-31", "1999-07-05" };

  for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
    {
      use_locale (locales[l]);
      for (guint d = 0; d < G_N_ELEMENTS (dates); d++)
        {
          g_autofree char *shown = cl_date_format_iso (dates[d]);
          g_autofree char *back = cl_date_parse_to_iso (shown);

          if (g_strcmp0 (back, dates[d]) != 0)
            g_error ("%s: %s is shown as \"%s\", which reads back as %s", locales[l],
                     dates[d], shown, back != NULL ? back : "nothing");
          /* ISO is always understood. */
          g_free (back);
          back = cl_date_parse_to_iso (dates[d]);
          g_assert_cmpstr (back, ==, dates[d]);
        }
    }
}

static void
assert_time (const char *text,
             int         hour,
             int         minute)
{
  int h = -1, m = -1;

  if (hour < 0)
    {
      g_assert_false (cl_date_parse_time (text, &h, &m));
      return;
    }
  g_assert_true (cl_date_parse_time (text, &h, &m));
  g_assert_cmpint (h, ==, hour);
  g_assert_cmpint (m, ==, minute);
}

static void
test_times (void)
{
  g_autofree char *us = NULL;
  g_autofree char *us_morning = NULL;
  g_autofree char *fr = NULL;

  use_locale ("en_US.UTF-8");
  assert_time ("15:30", 15, 30);
  assert_time ("3:30 PM", 15, 30);
  assert_time ("3:30pm", 15, 30);
  assert_time ("3:30 p.m.", 15, 30);
  assert_time ("12:05 AM", 0, 5);
  assert_time ("12:05 PM", 12, 5);
  assert_time ("13:30 PM", -1, 0);
  assert_time ("25:00", -1, 0);
  assert_time ("10:60", -1, 0);
  assert_time ("3", -1, 0);
  assert_time ("3:3", -1, 0);
  assert_time ("3:30 tea", -1, 0);
  us = cl_date_format_time (15, 30);
  g_assert_cmpstr (us, ==, "3:30 PM");
  us_morning = cl_date_format_time (0, 5);
  g_assert_cmpstr (us_morning, ==, "12:05 AM");

  use_locale ("fr_FR.UTF-8");
  fr = cl_date_format_time (15, 30);
  g_assert_cmpstr (fr, ==, "15:30");
  assert_time ("15:30", 15, 30);
  assert_time ("15.30", 15, 30);
}

static void
test_datetime (void)
{
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  const char *locales[] = { "en_US.UTF-8", "fr_FR.UTF-8", "ko_KR.UTF-8", "ar_EG.UTF-8",
                            "ru_RU.UTF-8", "zh_TW.UTF-8" };
  g_autofree char *utc = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *date_only = NULL;
  g_autofree char *shown = NULL;

  g_assert_nonnull (new_york);
  use_locale ("en_US.UTF-8");
  utc = cl_datetime_parse_to_utc ("12/11/2026 3:30 PM", new_york);
  g_assert_cmpstr (utc, ==, "2026-12-11T20:30:00Z");
  iso = cl_datetime_parse_to_utc ("2026-12-11 15:30", new_york);
  g_assert_cmpstr (iso, ==, "2026-12-11T20:30:00Z");
  date_only = cl_datetime_parse_to_utc ("12/11/2026", new_york);
  g_assert_cmpstr (date_only, ==, "2026-12-11T05:00:00Z");
  shown = cl_datetime_format_local ("2026-12-11T20:30:00Z", new_york);
  g_assert_cmpstr (shown, ==, "12/11/2026 3:30 PM");
  g_assert_null (cl_datetime_parse_to_utc ("12/11/2026 25:00", new_york));
  g_assert_null (cl_datetime_parse_to_utc ("soon", new_york));

  /* Summer time: the same wall clock is another UTC hour. */
  g_free (utc);
  utc = cl_datetime_parse_to_utc ("07/04/2026 9:00 AM", new_york);
  g_assert_cmpstr (utc, ==, "2026-07-04T13:00:00Z");

  for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
    {
      g_autofree char *text = NULL;
      g_autofree char *back = NULL;

      use_locale (locales[l]);
      text = cl_datetime_format_local ("2026-03-08T06:45:00Z", new_york);
      back = cl_datetime_parse_to_utc (text, new_york);
      if (g_strcmp0 (back, "2026-03-08T06:45:00Z") != 0)
        g_error ("%s: 2026-03-08T06:45:00Z is shown as \"%s\", which reads back as %s",
                 locales[l], text, back != NULL ? back : "nothing");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  cl_test_init (&argc, &argv);
  locale_dir = g_dir_make_tmp ("caseload-date-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/core/date/iso", test_iso);
  g_test_add_func ("/core/date/us-and-french", test_us_and_french);
  g_test_add_func ("/core/date/round-trip", test_round_trip);
  g_test_add_func ("/core/date/times", test_times);
  g_test_add_func ("/core/date/datetime", test_datetime);

  status = g_test_run ();
  cl_test_rm_rf (locale_dir);
  g_free (locale_dir);
  return status;
}
