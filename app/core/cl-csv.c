/* cl-csv.c: RFC 4180 CSV reader and writer, bounded against hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader takes quoted fields with embedded commas, quotes ("" inside quotes) and line
 * breaks, LF or CRLF line endings (a lone CR too), and a leading UTF-8 byte order mark. It
 * reports a bad record and then goes on with the next one, so an import can name every
 * bad line at once. Its memory is bounded by the caps whatever the input: a field or a
 * record over its cap is skipped to its end, not buffered.
 *
 * The writer quotes only what needs it and ends every record with CRLF, as RFC 4180 says.
 * For spreadsheets it can start with a UTF-8 byte order mark, when asked: without one,
 * Excel reads UTF-8 as the system's legacy code page and garbles Arabic, Chinese or
 * Bengali. Programs do better without, so it is never the default. For a spreadsheet in a
 * right-to-left language it can isolate the cells of left-to-right columns (phone
 * numbers, dates: U+2066 … U+2069), which the reader takes off again; a cell that needs
 * the formula quote below is left as it is.
 *
 * Formulas: a spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
 * them) as a formula, so a client's name "=HYPERLINK(…)" would act on whoever opens an
 * export. The writer puts a single quote before every such cell (OWASP's rule), and before
 * a cell that is quotes followed by one of those, so that the reader, which takes one
 * leading quote off such a cell, gives back exactly what was written: exports still import.
 * A cell that is only a number ("-3", "+1.5") stays as it is: a spreadsheet reads it as
 * that number, never as a formula, and a quote would turn counts into text.
 */

#define G_LOG_DOMAIN "cl-csv"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-csv.h"
#include "cl-l10n.h"

#define READ_BUFFER_SIZE  (64 * 1024)
#define WRITE_BUFFER_SIZE (64 * 1024)

enum {
  BYTE_EOF = -1,
  BYTE_ERROR = -2,
};

struct _ClCsvReader
{
  GInputStream *stream;
  guint8       *buf;
  gsize         pos;
  gsize         len;
  gboolean      eof;
  gboolean      done;
  gboolean      started;
  GError       *io_error;

  guint         line;         /* physical line of the next byte, from 1 */
  guint         record_line;  /* physical line where the last record started */

  gsize         max_field;
  gsize         max_record;
  guint         max_fields;
};

struct _ClCsvWriter
{
  GOutputStream *stream;
  GString       *buf;
  gboolean      *ltr;         /* columns whose cells are isolated left to right */
  guint          n_ltr;
};

G_DEFINE_QUARK (cl-csv-error-quark, cl_csv_error)

/* Formulas */

static gboolean
is_formula_start (char c)
{
  return c != '\0' && strchr ("=+-@\t\r", c) != NULL;
}

static gboolean
is_plain_number (const char *value)
{
  const char *p = value;
  gboolean digits = FALSE;

  if (*p == '-' || *p == '+')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    digits = TRUE;
  if (digits && *p == '.')
    {
      digits = FALSE;
      for (p++; g_ascii_isdigit (*p); p++)
        digits = TRUE;
    }
  return digits && *p == '\0';
}

/* Whether @value is quotes followed by a character that starts a formula. */
static gboolean
is_quoted_formula (const char *value)
{
  while (*value == '\'')
    value++;
  return is_formula_start (*value);
}

/* A cell the writer isolated left to right (cl_csv_writer_set_ltr_columns()). */
#define ISOLATE_LEN (sizeof CL_L10N_LRI - 1)

static gboolean
is_isolated (const char *field,
             gsize       len)
{
  return len > 2 * ISOLATE_LEN && memcmp (field, CL_L10N_LRI, ISOLATE_LEN) == 0 &&
         memcmp (field + len - ISOLATE_LEN, CL_L10N_PDI, ISOLATE_LEN) == 0;
}

/* Reader */

ClCsvReader *
cl_csv_reader_new (GInputStream *stream)
{
  ClCsvReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_new0 (ClCsvReader, 1);
  self->stream = g_object_ref (stream);
  self->buf = g_malloc (READ_BUFFER_SIZE);
  self->line = 1;
  self->max_field = CL_CSV_DEFAULT_MAX_FIELD;
  self->max_record = CL_CSV_DEFAULT_MAX_RECORD;
  self->max_fields = CL_CSV_DEFAULT_MAX_FIELDS;
  return self;
}

/**
 * cl_csv_reader_set_limits:
 * @max_field: the largest field in bytes
 * @max_record: the largest record in bytes (all its fields)
 * @max_fields: the most fields a record may have
 */
void
cl_csv_reader_set_limits (ClCsvReader *self,
                          gsize        max_field,
                          gsize        max_record,
                          guint        max_fields)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (max_field > 0 && max_record > 0 && max_fields > 0);

  self->max_field = max_field;
  self->max_record = max_record;
  self->max_fields = max_fields;
}

void
cl_csv_reader_free (ClCsvReader *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  g_clear_error (&self->io_error);
  g_free (self->buf);
  g_free (self);
}

/**
 * cl_csv_reader_get_line:
 *
 * Returns: the physical line (from 1) on which the record last returned, or last
 *   reported as bad, starts. A header is line 1.
 */
guint
cl_csv_reader_get_line (ClCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->record_line;
}

static gboolean
fill (ClCsvReader  *self,
      GCancellable *cancellable)
{
  gssize n;

  if (self->eof || self->io_error != NULL)
    return FALSE;
  n = g_input_stream_read (self->stream, self->buf + self->len, READ_BUFFER_SIZE - self->len,
                           cancellable, &self->io_error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      self->eof = TRUE;
      return FALSE;
    }
  self->len += n;
  return TRUE;
}

static inline int
get_byte (ClCsvReader  *self,
          GCancellable *cancellable)
{
  if (G_LIKELY (self->pos < self->len))
    return self->buf[self->pos++];

  self->pos = self->len = 0;
  if (!fill (self, cancellable))
    return self->io_error != NULL ? BYTE_ERROR : BYTE_EOF;
  return self->buf[self->pos++];
}

/* Puts back the byte just read (always possible: it is still in the buffer). */
static inline void
unget_byte (ClCsvReader *self)
{
  g_assert (self->pos > 0);
  self->pos--;
}

static void
skip_bom (ClCsvReader  *self,
          GCancellable *cancellable)
{
  static const guint8 bom[] = { 0xef, 0xbb, 0xbf };

  while (self->len < sizeof bom && fill (self, cancellable))
    ;
  if (self->len >= sizeof bom && memcmp (self->buf, bom, sizeof bom) == 0)
    self->pos = sizeof bom;
}

typedef struct
{
  GPtrArray *fields;
  GString   *field;
  gsize      record_bytes;
  gboolean   field_dropped;  /* over a cap: the rest of the field is skipped */
  GError    *error;          /* the first problem of this record */
} Record;

static void
record_fail (Record     *rec,
             ClCsvError  code,
             const char *message)
{
  if (rec->error == NULL)
    rec->error = g_error_new_literal (CL_CSV_ERROR, code, message);
}

static inline void
record_append (ClCsvReader *self,
               Record      *rec,
               int          c)
{
  if (rec->field_dropped)
    return;
  if (c == 0)
    {
      record_fail (rec, CL_CSV_ERROR_ENCODING, _("The line holds a NUL byte"));
      rec->field_dropped = TRUE;
      return;
    }
  if (rec->field->len >= self->max_field)
    {
      record_fail (rec, CL_CSV_ERROR_TOO_LONG, _("A field is longer than allowed"));
      rec->field_dropped = TRUE;
      return;
    }
  if (rec->record_bytes >= self->max_record)
    {
      record_fail (rec, CL_CSV_ERROR_TOO_LONG, _("The record is longer than allowed"));
      rec->field_dropped = TRUE;
      return;
    }
  g_string_append_c (rec->field, (char) c);
  rec->record_bytes++;
}

static void
record_end_field (ClCsvReader *self,
                  Record      *rec)
{
  if (rec->fields->len >= self->max_fields)
    record_fail (rec, CL_CSV_ERROR_TOO_MANY_FIELDS, _("The line has too many fields"));
  else if (!g_utf8_validate_len (rec->field->str, rec->field->len, NULL))
    record_fail (rec, CL_CSV_ERROR_ENCODING, _("The line is not valid UTF-8 text"));
  else if (rec->error == NULL && rec->field->str[0] == '\'' &&
           is_quoted_formula (rec->field->str))
    g_ptr_array_add (rec->fields, g_strndup (rec->field->str + 1, rec->field->len - 1));
  else if (rec->error == NULL && is_isolated (rec->field->str, rec->field->len))
    g_ptr_array_add (rec->fields, g_strndup (rec->field->str + ISOLATE_LEN,
                                             rec->field->len - 2 * ISOLATE_LEN));
  else if (rec->error == NULL)
    g_ptr_array_add (rec->fields, g_strndup (rec->field->str, rec->field->len));
  g_string_truncate (rec->field, 0);
  rec->field_dropped = FALSE;
}

/* After a CR: swallow the LF of a CRLF. */
static void
end_of_line (ClCsvReader  *self,
             int           c,
             GCancellable *cancellable)
{
  if (c == '\r')
    {
      int next = get_byte (self, cancellable);
      if (next >= 0 && next != '\n')
        unget_byte (self);
    }
  self->line++;
}

typedef enum {
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,
} State;

/**
 * cl_csv_reader_next:
 * @fields: (out) (transfer full) (nullable): the fields of the next record, or %NULL at
 *   the end of the input
 *
 * Reads the next record. Empty lines are skipped. When a record is bad, returns %FALSE
 * with a #CL_CSV_ERROR and leaves the reader at the start of the following record, so the
 * caller may go on. An I/O error (#G_IO_ERROR) ends the input.
 *
 * Returns: %TRUE when @fields is a record or the end was reached
 */
gboolean
cl_csv_reader_next (ClCsvReader   *self,
                    GPtrArray    **fields,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Record rec = { 0 };
  State state = STATE_FIELD_START;
  gboolean any = FALSE;
  int c;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *fields = NULL;
  if (self->done)
    return TRUE;

  if (!self->started)
    {
      self->started = TRUE;
      skip_bom (self, cancellable);
    }

  /* Skip empty lines. */
  for (;;)
    {
      c = get_byte (self, cancellable);
      if (c == '\r' || c == '\n')
        {
          end_of_line (self, c, cancellable);
          continue;
        }
      break;
    }
  if (c == BYTE_EOF || c == BYTE_ERROR)
    goto out;
  unget_byte (self);

  self->record_line = self->line;
  rec.fields = g_ptr_array_new_with_free_func (g_free);
  rec.field = g_string_sized_new (64);

  for (;;)
    {
      c = get_byte (self, cancellable);
      if (c == BYTE_ERROR)
        break;
      any = TRUE;

      switch (state)
        {
        case STATE_FIELD_START:
          if (c == BYTE_EOF || c == '\r' || c == '\n')
            {
              record_end_field (self, &rec);
              goto record_done;
            }
          else if (c == '"')
            state = STATE_QUOTED;
          else if (c == ',')
            record_end_field (self, &rec);
          else
            {
              record_append (self, &rec, c);
              state = STATE_UNQUOTED;
            }
          break;

        case STATE_UNQUOTED:
          if (c == BYTE_EOF || c == '\r' || c == '\n')
            {
              record_end_field (self, &rec);
              goto record_done;
            }
          else if (c == ',')
            {
              record_end_field (self, &rec);
              state = STATE_FIELD_START;
            }
          else if (c == '"')
            {
              record_fail (&rec, CL_CSV_ERROR_SYNTAX,
                           _("A quote inside a field that does not start with a quote"));
              record_append (self, &rec, c);
            }
          else
            record_append (self, &rec, c);
          break;

        case STATE_QUOTED:
          if (c == BYTE_EOF)
            {
              record_fail (&rec, CL_CSV_ERROR_UNTERMINATED,
                           _("A quoted field is not closed before the end of the file"));
              self->done = TRUE;
              goto record_done;
            }
          else if (c == '"')
            state = STATE_QUOTE_IN_QUOTED;
          else if (c == '\r')
            {
              /* A line break inside quotes is kept, as LF: CR is not clean text. */
              int next = get_byte (self, cancellable);
              if (next >= 0 && next != '\n')
                unget_byte (self);
              record_append (self, &rec, '\n');
              self->line++;
            }
          else
            {
              if (c == '\n')
                self->line++;
              record_append (self, &rec, c);
            }
          break;

        case STATE_QUOTE_IN_QUOTED:
          if (c == '"')
            {
              record_append (self, &rec, c);
              state = STATE_QUOTED;
            }
          else if (c == ',')
            {
              record_end_field (self, &rec);
              state = STATE_FIELD_START;
            }
          else if (c == BYTE_EOF || c == '\r' || c == '\n')
            {
              record_end_field (self, &rec);
              goto record_done;
            }
          else
            {
              record_fail (&rec, CL_CSV_ERROR_SYNTAX,
                           _("Text after the closing quote of a field"));
              record_append (self, &rec, c);
              state = STATE_UNQUOTED;
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

record_done:
  if (c == '\r' || c == '\n')
    end_of_line (self, c, cancellable);
  else if (c == BYTE_EOF)
    self->done = TRUE;

out:
  if (self->io_error != NULL)
    {
      self->done = TRUE;
      g_propagate_error (error, g_steal_pointer (&self->io_error));
      g_clear_error (&rec.error);
      g_clear_pointer (&rec.fields, g_ptr_array_unref);
      if (rec.field != NULL)
        g_string_free (rec.field, TRUE);
      return FALSE;
    }

  if (rec.field != NULL)
    g_string_free (rec.field, TRUE);

  if (rec.error != NULL)
    {
      g_propagate_error (error, rec.error);
      g_clear_pointer (&rec.fields, g_ptr_array_unref);
      return FALSE;
    }

  if (!any)
    {
      self->done = TRUE;
      g_clear_pointer (&rec.fields, g_ptr_array_unref);
      return TRUE;
    }

  *fields = rec.fields;
  return TRUE;
}

/* Writer */

static gboolean
needs_quotes (const char *value)
{
  return strpbrk (value, ",\"\r\n") != NULL;
}

/**
 * cl_csv_append_record:
 * @fields: (array length=n_fields) (nullable): values; %NULL entries are empty fields
 *
 * Appends one record, ended by CRLF, to @out, with formulas neutralised (see above).
 */
void
cl_csv_append_record (GString     *out,
                      const char **fields,
                      guint        n_fields)
{
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < n_fields; i++)
    {
      const char *value = fields[i] != NULL ? fields[i] : "";

      gboolean formula = is_quoted_formula (value) && !is_plain_number (value);

      if (i > 0)
        g_string_append_c (out, ',');
      if (needs_quotes (value))
        {
          g_string_append_c (out, '"');
          if (formula)
            g_string_append_c (out, '\'');
          for (const char *p = value; *p; p++)
            {
              if (*p == '"')
                g_string_append_c (out, '"');
              g_string_append_c (out, *p);
            }
          g_string_append_c (out, '"');
        }
      else
        {
          if (formula)
            g_string_append_c (out, '\'');
          g_string_append (out, value);
        }
    }
  g_string_append (out, "\r\n");
}

ClCsvWriter *
cl_csv_writer_new (GOutputStream *stream)
{
  ClCsvWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_new0 (ClCsvWriter, 1);
  self->stream = g_object_ref (stream);
  self->buf = g_string_sized_new (WRITE_BUFFER_SIZE + 1024);
  return self;
}

/**
 * cl_csv_writer_add_bom:
 *
 * Starts the output with a UTF-8 byte order mark (#CL_CSV_BOM), for spreadsheets; call
 * it before the first record.
 */
void
cl_csv_writer_add_bom (ClCsvWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->buf->len == 0);

  g_string_append (self->buf, CL_CSV_BOM);
}

gboolean
cl_csv_writer_flush (ClCsvWriter   *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->buf->len == 0)
    return TRUE;
  ok = g_output_stream_write_all (self->stream, self->buf->str, self->buf->len, NULL,
                                  cancellable, error);
  g_string_truncate (self->buf, 0);
  return ok;
}

/**
 * cl_csv_writer_set_ltr_columns:
 * @ltr: (array length=n_columns): for each column, whether its cells read left to right
 *
 * For a spreadsheet in a right-to-left language: the non-empty cells of the columns @ltr
 * marks are written isolated left to right (U+2066 … U+2069), so "(212) 555-3313" shows
 * in that order; the reader takes the marks off again. A cell that starts like a formula
 * is written as without (quoted, see above).
 */
void
cl_csv_writer_set_ltr_columns (ClCsvWriter    *self,
                               const gboolean *ltr,
                               guint           n_columns)
{
  g_return_if_fail (self != NULL);

  g_free (self->ltr);
  self->ltr = g_memdup2 (ltr, n_columns * sizeof (gboolean));
  self->n_ltr = n_columns;
}

gboolean
cl_csv_writer_write_record (ClCsvWriter   *self,
                            const char   **fields,
                            guint          n_fields,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree const char **cells = NULL;
  g_autoptr(GPtrArray) isolated = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->ltr != NULL)
    {
      cells = g_memdup2 (fields, n_fields * sizeof (char *));
      isolated = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_fields && i < self->n_ltr; i++)
        if (self->ltr[i] && cells[i] != NULL && *cells[i] != '\0' &&
            !is_quoted_formula (cells[i]))
          {
            char *cell = g_strconcat (CL_L10N_LRI, cells[i], CL_L10N_PDI, NULL);

            g_ptr_array_add (isolated, cell);
            cells[i] = cell;
          }
      fields = cells;
    }
  cl_csv_append_record (self->buf, fields, n_fields);
  if (self->buf->len >= WRITE_BUFFER_SIZE)
    return cl_csv_writer_flush (self, cancellable, error);
  return TRUE;
}

/* Frees the writer without flushing: call cl_csv_writer_flush() first. The buffer is
 * wiped, since it may hold client data. */
void
cl_csv_writer_free (ClCsvWriter *self)
{
  if (self == NULL)
    return;
  memset (self->buf->str, 0, self->buf->allocated_len);
  g_string_free (self->buf, TRUE);
  g_free (self->ltr);
  g_clear_object (&self->stream);
  g_free (self);
}
