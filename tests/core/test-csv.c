/* test-csv.c: the RFC 4180 reader and writer, including hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-csv"

#include <string.h>

#include "cl-csv.h"
#include "cl-secret.h"

/* Reads @data completely; returns every record as "f1|f2|…" lines, bad records as
 * "!LINE:CODE", each with the line it started on. */
static char *
read_all (const char *data,
          gssize      len,
          gsize       max_field,
          gsize       max_record,
          guint       max_fields)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(ClCsvReader) reader = NULL;
  GString *out = g_string_new (NULL);

  if (len < 0)
    len = strlen (data);
  in = g_memory_input_stream_new_from_data (g_memdup2 (data, len), len, g_free);
  reader = cl_csv_reader_new (in);
  if (max_field > 0)
    cl_csv_reader_set_limits (reader, max_field, max_record, max_fields);

  for (guint guard = 0; guard < 100000; guard++)
    {
      g_autoptr(GPtrArray) fields = NULL;
      g_autoptr(GError) error = NULL;

      if (!cl_csv_reader_next (reader, &fields, NULL, &error))
        {
          g_assert_true (error->domain == CL_CSV_ERROR);
          g_string_append_printf (out, "!%u:%d\n", cl_csv_reader_get_line (reader), error->code);
          continue;
        }
      if (fields == NULL)
        break;
      g_string_append_printf (out, "%u:", cl_csv_reader_get_line (reader));
      for (guint i = 0; i < fields->len; i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", (char *) fields->pdata[i]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

#define READ(data) read_all ((data), -1, 0, 0, 0)

static void
test_basic (void)
{
  g_autofree char *a = READ ("a,b,c\n1,2,3\n");
  g_autofree char *b = READ ("a,b,c\r\n1,2,3\r\n");
  g_autofree char *c = READ ("a,b,c\r1,2,3");
  g_autofree char *d = READ ("\xef\xbb\xbf" "a,b\n\n\n1,2\n\r\n3,4");
  g_autofree char *e = READ (",,\n\"\",x,\"\"\n");
  g_autofree char *f = READ ("");
  g_autofree char *g = READ ("\n\n");

  g_assert_cmpstr (a, ==, "1:a|b|c\n2:1|2|3\n");
  g_assert_cmpstr (b, ==, "1:a|b|c\n2:1|2|3\n");
  g_assert_cmpstr (c, ==, "1:a|b|c\n2:1|2|3\n");
  g_assert_cmpstr (d, ==, "1:a|b\n4:1|2\n6:3|4\n");
  g_assert_cmpstr (e, ==, "1:||\n2:|x|\n");
  g_assert_cmpstr (f, ==, "");
  g_assert_cmpstr (g, ==, "");
}

static void
test_quoted (void)
{
  g_autofree char *a = READ ("\"a,b\",\"say \"\"hi\"\"\",plain\n");
  g_autofree char *b = READ ("\"two\nlines\",x\nnext,y\n");
  g_autofree char *c = READ ("\"crlf\r\ninside\",x\r\n\"lone\rcr\",y\r\nlast,z");
  g_autofree char *d = READ ("\"\"\"\",\"\"\n");

  g_assert_cmpstr (a, ==, "1:a,b|say \"hi\"|plain\n");
  /* The record after a two-line field starts on line 3. */
  g_assert_cmpstr (b, ==, "1:two\nlines|x\n3:next|y\n");
  /* Line breaks inside quotes come back as LF. */
  g_assert_cmpstr (c, ==, "1:crlf\ninside|x\n3:lone\ncr|y\n5:last|z\n");
  g_assert_cmpstr (d, ==, "1:\"|\n");
}

static void
test_bad_records (void)
{
  g_autofree char *a = READ ("ok,1\nbad\"quote,2\n\"closed\"then,3\nok,4\n");
  g_autofree char *b = READ ("ok,1\n\"never closed,2\nmore,3\n");
  g_autofree char *c = NULL;
  g_autofree char *d = READ ("ok\nbad\xff\xfe utf8\nok2\n");

  g_assert_cmpstr (a, ==, "1:ok|1\n!2:0\n!3:0\n4:ok|4\n");
  g_assert_cmpstr (b, ==, "1:ok|1\n!2:1\n");
  c = read_all ("ok\nnul\0byte\nok2\n", 16, 0, 0, 0);
  g_assert_cmpstr (c, ==, "1:ok\n!2:4\n3:ok2\n");
  g_assert_cmpstr (d, ==, "1:ok\n!2:4\n3:ok2\n");
}

static void
test_limits (void)
{
  g_autoptr(GString) big = g_string_new ("a,b\n");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  /* A field over the cap is reported; the reader goes on with the next line. */
  g_string_append_c (big, '"');
  for (int i = 0; i < 5000; i++)
    g_string_append (big, "xx\n");
  g_string_append (big, "\",1\nafter,2\n");
  a = read_all (big->str, big->len, 1000, 100000, 10);
  g_assert_cmpstr (a, ==, "1:a|b\n!2:2\n5003:after|2\n");

  /* A record over its cap; too many fields. */
  b = read_all ("12345,12345,12345\nok,1\n", -1, 10, 12, 10);
  g_assert_cmpstr (b, ==, "!1:2\n2:ok|1\n");
  c = read_all ("1,2,3,4\n1,2\n", -1, 10, 100, 3);
  g_assert_cmpstr (c, ==, "!1:3\n2:1|2\n");
}

static void
test_buffer_boundaries (void)
{
  /* CRLF and "" split across the reader's 64 KiB buffer. */
  for (gsize pad = 65530; pad < 65540; pad++)
    {
      g_autoptr(GString) data = g_string_new (NULL);
      g_autofree char *out = NULL;
      g_autofree char *expected = NULL;

      g_string_append (data, "\"");
      for (gsize i = 1; i < pad; i++)
        g_string_append_c (data, 'y');
      g_string_append (data, "\"\"\r\n\",z\r\nnext,1\r\n");
      out = read_all (data->str, data->len, 200000, 400000, 10);
      expected = g_strdup_printf ("1:%.*s\"\n|z\n3:next|1\n", (int) pad - 1,
                                  data->str + 1);
      g_assert_cmpstr (out, ==, expected);
    }
}

static void
test_writer (void)
{
  const char *values[] = { "plain", "with,comma", "with \"quotes\"", "two\nlines", "",
                           NULL, "José 王秀英", "cr\rinside" };
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ClCsvWriter) writer = cl_csv_writer_new (out);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *back = NULL;

  g_assert_true (cl_csv_writer_write_record (writer, values, G_N_ELEMENTS (values), NULL,
                                             &error));
  g_assert_true (cl_csv_writer_write_record (writer, values, 2, NULL, &error));
  g_assert_true (cl_csv_writer_flush (writer, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  g_assert_cmpstr (text, ==,
                   "plain,\"with,comma\",\"with \"\"quotes\"\"\",\"two\nlines\",,,José 王秀英,"
                   "\"cr\rinside\"\r\nplain,\"with,comma\"\r\n");

  back = READ (text);
  g_assert_cmpstr (back, ==,
                   "1:plain|with,comma|with \"quotes\"|two\nlines|||José 王秀英|cr\ninside\n"
                   "4:plain|with,comma\n");
}

/* A byte order mark only when asked for; the reader skips it, so the export still
 * imports. */
static void
test_writer_bom (void)
{
  const char *values[] = { "نعم", "是" };

  for (int bom = 0; bom <= 1; bom++)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(ClCsvWriter) writer = cl_csv_writer_new (out);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL, *back = NULL;

      if (bom)
        cl_csv_writer_add_bom (writer);
      g_assert_true (cl_csv_writer_write_record (writer, values, 2, NULL, &error));
      g_assert_true (cl_csv_writer_flush (writer, NULL, &error));
      g_assert_no_error (error);
      text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                        g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
      g_assert_cmpstr (text, ==, bom ? "\xef\xbb\xbfنعم,是\r\n" : "نعم,是\r\n");
      back = READ (text);
      g_assert_cmpstr (back, ==, "1:نعم|是\n");
    }
}

/* Cells of left-to-right columns isolated for a right-to-left spreadsheet, except those
 * that need the formula quote; the reader gives back the values. */
static void
test_writer_ltr (void)
{
  const char *values[] = { "(212) 555-3313", "=cmd", "", "نعم", "2026-12-07" };
  const gboolean ltr[] = { TRUE, TRUE, TRUE, FALSE, TRUE };
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ClCsvWriter) writer = cl_csv_writer_new (out);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *back = NULL;

  cl_csv_writer_set_ltr_columns (writer, ltr, G_N_ELEMENTS (ltr));
  g_assert_true (cl_csv_writer_write_record (writer, values, G_N_ELEMENTS (values), NULL,
                                             &error));
  g_assert_true (cl_csv_writer_flush (writer, NULL, &error));
  g_assert_no_error (error);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  g_assert_cmpstr (text, ==, "\u2066(212) 555-3313\u2069,'=cmd,,نعم,\u20662026-12-07\u2069\r\n");
  back = READ (text);
  g_assert_cmpstr (back, ==, "1:(212) 555-3313|=cmd||نعم|2026-12-07\n");
}

/* OWASP's rule: a cell that a spreadsheet would run as a formula gets a leading quote;
 * plain numbers stay numbers; reading gives back exactly what was written. */
static void
test_formulas (void)
{
  const char *values[] = { "=HYPERLINK(\"http://x\",\"y\")", "+1 212 555 0100", "-cmd", "@SUM(A1)",
                           "\t=1", "=1,2", "-3", "+1.5", "3-2", "O'Brien", "'=quoted", "'",
                           "- 3", "-", "1.", "plain" };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new ("1:");
  g_autofree char *back = NULL;

  cl_csv_append_record (text, values, G_N_ELEMENTS (values));
  g_assert_cmpstr (text->str, ==,
                   "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1 212 555 0100,'-cmd,'@SUM(A1),"
                   "'\t=1,\"'=1,2\",-3,+1.5,3-2,O'Brien,''=quoted,','- 3,'-,1.,plain\r\n");

  back = READ (text->str);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_string_append_printf (expected, "%s%s", i > 0 ? "|" : "", values[i]);
  g_string_append_c (expected, '\n');
  g_assert_cmpstr (back, ==, expected->str);
}

int
main (int    argc,
      char **argv)
{
  cl_secure_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/csv/basic", test_basic);
  g_test_add_func ("/core/csv/quoted", test_quoted);
  g_test_add_func ("/core/csv/bad-records", test_bad_records);
  g_test_add_func ("/core/csv/limits", test_limits);
  g_test_add_func ("/core/csv/buffer-boundaries", test_buffer_boundaries);
  g_test_add_func ("/core/csv/writer", test_writer);
  g_test_add_func ("/core/csv/writer-bom", test_writer_bom);
  g_test_add_func ("/core/csv/writer-ltr", test_writer_ltr);
  g_test_add_func ("/core/csv/formulas", test_formulas);

  return g_test_run ();
}
