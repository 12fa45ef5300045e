/* test-i18n-reports.c: reports in the user's language: translated labels, the language's
 * direction and fonts, dates of the locale and the organization's time zone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with the catalogs of the build tree (PO_BUILD_DIR) in the real locales the tests
 * install (tools/install-deps): es_US, ar_EG, ur_PK.
 */


#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cl-export.h"
#include "cl-l10n.h"
#include "cl-refdata.h"
#include "cl-report-export.h"
#include "cl-report-fixture.h"
#include "cl-test-util.h"

static ClTestVault vault;
static ClReportFixture ids;

/* Speaks @language in the locale @locale from here on. */
static void
use_language (const char *language,
              const char *locale)
{
  g_setenv ("LANGUAGE", language, TRUE);
  g_setenv ("LC_ALL", locale, TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    g_error ("No locale %s: tools/install-deps installs it", locale);
}

static ClReportResult *
run_pmt (void)
{
  return cl_report_test_run_period (vault.store, "pmt", "2026-01-01", "2026-03-31",
                                    CL_REPORT_FIXTURE_TODAY);
}

static char *
write_tmp (GBytes     *bytes,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("caseload-i18n-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_tmp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  cl_test_rm_rf (dir);
}

static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* Funder categories from the reference data come out translated in every format for
 * people; the CSV's and JSON's keys stay the stable codes. */
static void
test_funder_labels_es (void)
{
  g_autoptr(ClReportResult) r = NULL;
  g_autofree char *text = NULL, *csv = NULL, *json = NULL;

  use_language ("es", "es_US.UTF-8");
  r = run_pmt ();
  text = cl_report_to_text (r);
  csv = cl_report_to_csv (r);
  json = cl_report_to_json (r);

  g_assert_nonnull (strstr (text, "No informado"));
  g_assert_nonnull (strstr (text, "No registrado"));
  g_assert_null (strstr (text, "Not Reported"));
  g_assert_null (strstr (text, "Not Tracked"));
  g_assert_nonnull (strstr (csv, "race,not_reported,new,1,"));
  g_assert_nonnull (strstr (csv, ",No informado,"));
  g_assert_null (strstr (csv, "Not Reported"));
  g_assert_nonnull (strstr (json, "\"not_reported\""));
}

/* Seeded command names are shown in the user's language, from a translated ordinal and
 * type; a name an administrator changed is shown as written. */
static void
test_command_names_es (void)
{
  struct { const char *code, *name, *shown; } names[] = {
    { "43", "43rd Precinct", "Precinto 43" },
    { "1", "1st Precinct", "Precinto 1" },
    { "112", "112th Precinct", "Precinto 112" },
    { "14", "Midtown South Precinct", "Precinto de Midtown Sur" },
    { "PSA 2", "Police Service Area 2", "Área de Servicio Policial 2" },
    { "43", "Forty-Third", "Forty-Third" },
    { "999", "999th Precinct", "999th Precinct" },
    { "43", NULL, "43" },
  };

  use_language ("es", "es_US.UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *shown = cl_refdata_command_label (names[i].code, names[i].name);
      g_assert_cmpstr (shown, ==, names[i].shown);
    }
  use_language ("en", "C.UTF-8");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *shown = cl_refdata_command_label (names[i].code, names[i].name);
      g_assert_cmpstr (shown, ==, names[i].name);
    }
}

static char *
export_clients (gboolean bom)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_export (vault.store, "client", CL_EXPORT_FORMAT_CSV, bom, out, NULL, NULL,
                            NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* A client export for a spreadsheet in Arabic isolates phone numbers left to right; one
 * for programs, or in a left-to-right language, has no marks. */
static void
test_export_csv_ltr (void)
{
  g_autofree char *id = cl_test_create (vault.store, "client", "legal_name", "Test Client",
                                        "phone", "(212) 555-3313", NULL);
  g_autofree char *ar_sheet = NULL, *ar_plain = NULL, *es_sheet = NULL;

  use_language ("ar", "ar_EG.UTF-8");
  ar_sheet = export_clients (TRUE);
  ar_plain = export_clients (FALSE);
  use_language ("es", "es_US.UTF-8");
  es_sheet = export_clients (TRUE);

  g_assert_true (g_str_has_prefix (ar_sheet, "\xef\xbb\xbf"));
  g_assert_nonnull (strstr (ar_sheet, CL_L10N_LRI "(212) 555-3313" CL_L10N_PDI));
  g_assert_null (strstr (ar_sheet, CL_L10N_LRI "Test Client"));
  g_assert_nonnull (strstr (ar_plain, ",(212) 555-3313,"));
  g_assert_null (strstr (ar_plain, CL_L10N_LRI));
  g_assert_true (g_str_has_prefix (es_sheet, "\xef\xbb\xbf"));
  g_assert_null (strstr (es_sheet, CL_L10N_LRI));
}

/* Fonts of the PDF (pdffonts), one per line. */
static char *
pdf_fonts (const char *path)
{
  const char *argv[] = { "pdffonts", path, NULL };

  return run_tool (argv);
}

/* The words of page 1 with their boxes (pdftotext -bbox), as a string. */
static char *
pdf_words (const char *path)
{
  const char *argv[] = { "pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-", NULL };

  return run_tool (argv);
}

/* The xMax of the first word on page 1 that contains @needle, or -1. */
static double
word_x_max (const char *bbox,
            const char *needle)
{
  g_autoptr(GRegex) regex = g_regex_new ("<word xMin=\"([0-9.]+)\" yMin=\"[0-9.]+\" "
                                         "xMax=\"([0-9.]+)\" yMax=\"[0-9.]+\">([^<]*)</word>",
                                         0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (regex, bbox, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *word = g_match_info_fetch (match, 3);

      if (strstr (word, needle) != NULL)
        {
          g_autofree char *x = g_match_info_fetch (match, 2);
          return g_ascii_strtod (x, NULL);
        }
      g_match_info_next (match, NULL);
    }
  return -1;
}

/* The smallest xMin of any word of page 1, and the largest xMax of a word of its first
 * line (the title's: above y 80). */
static void
words_extent (const char *bbox,
              double     *x_min,
              double     *title_x_max)
{
  g_autoptr(GRegex) regex = g_regex_new ("<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" "
                                         "xMax=\"([0-9.]+)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  *x_min = G_MAXDOUBLE;
  *title_x_max = -1;
  g_regex_match (regex, bbox, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *x0 = g_match_info_fetch (match, 1);
      g_autofree char *y0 = g_match_info_fetch (match, 2);
      g_autofree char *x1 = g_match_info_fetch (match, 3);

      *x_min = MIN (*x_min, g_ascii_strtod (x0, NULL));
      if (g_ascii_strtod (y0, NULL) < 80)
        *title_x_max = MAX (*title_x_max, g_ascii_strtod (x1, NULL));
      g_match_info_next (match, NULL);
    }
}

/* A right-to-left PDF in the language's own face: the direction comes from the language,
 * not the title (Urdu's PMT title starts with "VOCA"), and the title ends at the right
 * margin. */
static void
check_rtl_pdf (const char *language,
               const char *locale,
               const char *face)
{
  g_autoptr(ClReportResult) r = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *fonts = NULL, *bbox = NULL;
  double left, right;

  use_language (language, locale);
  g_assert_true (cl_l10n_is_rtl ());
  r = run_pmt ();
  pdf = cl_report_to_pdf (r, &error);
  g_assert_no_error (error);
  path = write_tmp (pdf, "pmt.pdf");
  if (g_getenv ("CASELOAD_TEST_KEEP_PDF") != NULL)
    {
      g_autofree char *keep = g_strdup_printf ("%s/pmt-%s.pdf", g_getenv ("CASELOAD_TEST_KEEP_PDF"),
                                               language);
      g_file_set_contents (keep, g_bytes_get_data (pdf, NULL), g_bytes_get_size (pdf), NULL);
    }
  fonts = pdf_fonts (path);
  bbox = pdf_words (path);
  remove_tmp (path);

  g_assert_nonnull (strstr (fonts, face));
  g_assert_null (strstr (fonts, "DejaVu"));
  /* The title ends at the right margin (612 points less 50), whatever its first letter:
   * Urdu's starts with "VOCA", which stands there too. */
  words_extent (bbox, &left, &right);
  g_assert_cmpfloat (right, >, 612 - 50 - 2);
  g_assert_cmpfloat (right, <, 612 - 50 + 2);
  g_assert_cmpfloat (left, >=, 50 - 1);
  if (g_str_equal (language, "ur"))
    g_assert_cmpfloat (word_x_max (bbox, "VOCA"), >, 612 - 50 - 2);
}

static void
test_pdf_ur (void)
{
  check_rtl_pdf ("ur", "ur_PK.UTF-8", "AwamiNastaliq");
}

static void
test_pdf_ar (void)
{
  check_rtl_pdf ("ar", "ar_EG.UTF-8", "NotoNaskhArabic");
}

/* The order in which the characters of @text show, left to right, in a right-to-left
 * paragraph. */
static char *
visual_order (const char *text)
{
  g_autoptr(GObject) context = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  g_autoptr(PangoLayout) layout = NULL;
  g_autoptr(PangoLayoutIter) iter = NULL;
  GString *out = g_string_new (NULL);

  pango_context_set_base_dir (PANGO_CONTEXT (context), PANGO_DIRECTION_RTL);
  layout = pango_layout_new (PANGO_CONTEXT (context));
  pango_layout_set_auto_dir (layout, FALSE);
  pango_layout_set_text (layout, text, -1);
  iter = pango_layout_get_iter (layout);
  /* Runs come in visual order, left to right; each run's glyphs too. */
  do
    {
      PangoGlyphItem *run = pango_layout_iter_get_run_readonly (iter);

      if (run == NULL)
        continue;
      for (int g = 0; g < run->glyphs->num_glyphs; g++)
        {
          const char *p = run->item->offset + text + run->glyphs->log_clusters[g];
          gunichar c = g_utf8_get_char (p);

          if (c < 0x2066 || c > 0x2069)
            g_string_append_unichar (out, c);
        }
    }
  while (pango_layout_iter_next_run (iter));
  return g_string_free (out, FALSE);
}

/* A phone number in an Arabic or Urdu sentence reads "(212) 555-3313" once isolated; bare,
 * the bidi algorithm shows "555-3313 (212)". ISO instants hold together too. */
static void
test_isolate_ltr (void)
{
  const char *languages[][2] = { { "ar", "ar_EG.UTF-8" }, { "ur", "ur_PK.UTF-8" } };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *phone = NULL, *bare = NULL, *isolated = NULL, *shown = NULL;
      g_autofree char *when = NULL, *when_shown = NULL, *with_when = NULL;

      use_language (languages[i][0], languages[i][1]);
      phone = cl_l10n_isolate_ltr ("(212) 555-3313");
      bare = visual_order ("(212) 555-3313");
      g_assert_cmpstr (bare, !=, "(212) 555-3313");
      isolated = g_strconcat ("هاتف ", phone, NULL);
      shown = visual_order (isolated);
      g_assert_nonnull (strstr (shown, "(212) 555-3313"));

      when = cl_l10n_isolate_ltr ("2026-12-07T11:38:39Z");
      with_when = g_strconcat ("تم ", when, NULL);
      when_shown = visual_order (with_when);
      g_assert_nonnull (strstr (when_shown, "2026-12-07T11:38:39Z"));
    }

  /* Left-to-right languages get the text as it was. */
  use_language ("es", "es_US.UTF-8");
  {
    g_autofree char *same = cl_l10n_isolate_ltr ("(212) 555-3313");
    g_assert_cmpstr (same, ==, "(212) 555-3313");
  }
}

/* The "Generated" line in the organization's time zone and the locale's format. */
static void
test_generated_local (void)
{
  g_autoptr(ClReportResult) r = NULL;
  g_autofree char *text = NULL, *when = NULL, *expected = NULL;

  use_language ("es", "es_US.UTF-8");
  r = run_pmt ();
  g_free (r->generated_at);
  r->generated_at = g_strdup ("2026-12-07T11:38:39Z");
  when = cl_l10n_format_instant (r->generated_at, "America/New_York");
  /* es_US: day/month/year with the year in full (cl-date.c), five hours behind UTC in
   * December. */
  g_assert_cmpstr (when, ==, "07/12/2026 06:38");
  text = cl_report_to_text (r);
  expected = g_strdup_printf ("%s\n", when);
  g_assert_nonnull (strstr (text, expected));
  g_assert_null (strstr (text, "11:38:39"));
  /* The period, and the fiscal year in the parameters and the notes, in the locale's
   * format too. */
  g_assert_nonnull (strstr (text, "01/01/2026"));
  g_assert_null (strstr (text, "2026-01-01"));
  g_assert_nonnull (strstr (text, "01/10/2025"));
  g_assert_null (strstr (text, "2025-10-01"));
}

static char *
write_report (const ClReportResult *r,
              ClReportFormat        format,
              ClReportWriteFlags    flags,
              gsize                *size)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_report_write (r, format, flags, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  *size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* CSV for a spreadsheet starts with a UTF-8 byte order mark, only when asked; no other
 * format takes one. */
static void
test_csv_bom (void)
{
  g_autoptr(ClReportResult) r = NULL;
  g_autofree char *plain = NULL, *bom = NULL, *text = NULL, *pdf = NULL;
  gsize plain_size, bom_size, text_size, pdf_size;

  use_language ("ar", "ar_EG.UTF-8");
  r = run_pmt ();
  plain = write_report (r, CL_REPORT_FORMAT_CSV, CL_REPORT_WRITE_NONE, &plain_size);
  bom = write_report (r, CL_REPORT_FORMAT_CSV, CL_REPORT_WRITE_BOM, &bom_size);
  text = write_report (r, CL_REPORT_FORMAT_TEXT, CL_REPORT_WRITE_BOM, &text_size);
  pdf = write_report (r, CL_REPORT_FORMAT_PDF, CL_REPORT_WRITE_BOM, &pdf_size);

  g_assert_true (g_str_has_prefix (plain, "table,row,column,"));
  g_assert_cmpuint (bom_size, ==, plain_size + 3);
  g_assert_true (memcmp (bom, "\xef\xbb\xbf", 3) == 0);
  g_assert_true (memcmp (bom + 3, plain, plain_size) == 0);
  g_assert_false (g_str_has_prefix (text, "\xef\xbb\xbf"));
  g_assert_true (memcmp (pdf, "%PDF", 4) == 0);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  cl_test_init (&argc, &argv);
  bindtextdomain (GETTEXT_PACKAGE, PO_BUILD_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  cl_test_vault_setup (&vault, NULL);
  cl_report_fixture_build (vault.store, &ids);

  g_test_add_func ("/i18n/reports/funder-labels-es", test_funder_labels_es);
  g_test_add_func ("/i18n/reports/command-names-es", test_command_names_es);
  g_test_add_func ("/i18n/reports/generated-local", test_generated_local);
  g_test_add_func ("/i18n/reports/isolate-ltr", test_isolate_ltr);
  g_test_add_func ("/i18n/reports/csv-bom", test_csv_bom);
  g_test_add_func ("/i18n/reports/export-csv-ltr", test_export_csv_ltr);
  g_test_add_func ("/i18n/reports/pdf-ur", test_pdf_ur);
  g_test_add_func ("/i18n/reports/pdf-ar", test_pdf_ar);
  rc = g_test_run ();

  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
