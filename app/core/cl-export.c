/* cl-export.c: CSV and JSON export of one record type, audited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CSV: a header naming the columns ("id", then every field of the type in schema order,
 * derived ones included), one record per line, RFC 4180 quoting, CRLF. The file imports
 * back as it is (cl-import.c ignores the derived columns). JSON: an array of objects with
 * the same keys plus "version", "created_at" and "updated_at"; integers and booleans are
 * JSON numbers and booleans, empty fields null.
 *
 * Every export is recorded as an "export" audit event before any record is written: an
 * export that cannot be audited does not happen. Without a reason, a restricted client or
 * case and what hangs off it go out without their identifying fields (cl-access.h: empty
 * in CSV, null in JSON), as caseloadctl list shows them; with one, whole.
 */

#define G_LOG_DOMAIN "cl-export"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-csv.h"
#include "cl-l10n.h"
#include "cl-export.h"
#include "cl-sql.h"
#include "cl-store-private.h"

/* A row of "SELECT " CL_RECORD_COLUMNS ", <fields>, <restricted>" as a record; @masked:
 * without the identifying fields of a restricted one. */
static ClRecord *
record_from_row (const ClType *type,
                 sqlite3_stmt *stmt,
                 gboolean      masked)
{
  ClRecord *record = cl_record_new (type, (const char *) sqlite3_column_text (stmt, 0));
  const int base = 7;
  gboolean restricted = sqlite3_column_int (stmt, base + (int) type->n_fields) != 0;

  _cl_record_set_meta (record,
                       sqlite3_column_int64 (stmt, 1),
                       sqlite3_column_int (stmt, 6) != 0,
                       (const char *) sqlite3_column_text (stmt, 2),
                       (const char *) sqlite3_column_text (stmt, 3),
                       (const char *) sqlite3_column_text (stmt, 4),
                       (const char *) sqlite3_column_text (stmt, 5));
  for (guint i = 0; i < type->n_fields; i++)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, base + (int) i);

      if (masked && restricted && cl_access_identifying (&type->fields[i]))
        text = NULL;
      _cl_record_take (record, type->fields[i].name, text != NULL ? g_strdup (text) : NULL);
    }
  return record;
}

gboolean
cl_export_format_from_string (const char     *text,
                              ClExportFormat *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  if (g_strcmp0 (text, "csv") == 0)
    *format = CL_EXPORT_FORMAT_CSV;
  else if (g_strcmp0 (text, "json") == 0)
    *format = CL_EXPORT_FORMAT_JSON;
  else
    return FALSE;
  return TRUE;
}

/**
 * cl_export_record_to_json:
 *
 * Returns: (transfer full): a JSON object holding the record's id, version, timestamps
 *   and every field of its type (null when empty)
 */
JsonNode *
cl_export_record_to_json (ClRecord *record)
{
  const ClType *type;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CL_IS_RECORD (record), NULL);

  type = cl_record_get_record_type (record);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, cl_record_get_id (record));
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, cl_record_get_version (record));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, cl_record_get_created_at (record));
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, cl_record_get_updated_at (record));

  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *field = &type->fields[i];
      const char *value = cl_record_get (record, field->name);

      json_builder_set_member_name (builder, field->name);
      if (value == NULL || *value == '\0')
        json_builder_add_null_value (builder);
      else if (field->kind == CL_FIELD_INT)
        json_builder_add_int_value (builder, g_ascii_strtoll (value, NULL, 10));
      else if (field->kind == CL_FIELD_BOOL)
        json_builder_add_boolean_value (builder, strcmp (value, "0") != 0);
      else
        json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
write_csv_header (ClCsvWriter   *writer,
                  const ClType  *type,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree const char **names = g_new0 (const char *, type->n_fields + 1);

  names[0] = "id";
  for (guint i = 0; i < type->n_fields; i++)
    names[i + 1] = type->fields[i].name;
  return cl_csv_writer_write_record (writer, names, type->n_fields + 1, cancellable, error);
}

/* A CSV for a spreadsheet: a byte order mark, and in a right-to-left language the values
 * that read left to right (phone numbers, dates, case numbers) isolated so. */
static void
spreadsheet_csv (ClCsvWriter  *writer,
                 const ClType *type)
{
  g_autofree gboolean *ltr = g_new0 (gboolean, type->n_fields + 1);

  cl_csv_writer_add_bom (writer);
  if (!cl_l10n_is_rtl ())
    return;
  for (guint i = 0; i < type->n_fields; i++)
    ltr[i + 1] = cl_l10n_field_is_ltr (&type->fields[i]);
  cl_csv_writer_set_ltr_columns (writer, ltr, type->n_fields + 1);
}

static gboolean
write_csv_record (ClCsvWriter   *writer,
                  const ClType  *type,
                  ClRecord      *record,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree const char **values = g_new0 (const char *, type->n_fields + 1);

  values[0] = cl_record_get_id (record);
  for (guint i = 0; i < type->n_fields; i++)
    values[i + 1] = cl_record_get (record, type->fields[i].name);
  return cl_csv_writer_write_record (writer, values, type->n_fields + 1, cancellable, error);
}

static gboolean
write_json_record (GOutputStream  *output,
                   GString        *buf,
                   ClRecord       *record,
                   gboolean        first,
                   GCancellable   *cancellable,
                   GError        **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) node = cl_export_record_to_json (record);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);

  if (!first)
    g_string_append (buf, ",\n");
  g_string_append (buf, text);
  explicit_bzero (text, strlen (text));

  if (buf->len < 64 * 1024)
    return TRUE;
  if (!g_output_stream_write_all (output, buf->str, buf->len, NULL, cancellable, error))
    return FALSE;
  explicit_bzero (buf->str, buf->len);
  g_string_truncate (buf, 0);
  return TRUE;
}

/* Writes the records of @record_type to @writer (CSV) or @json_buf and @output (JSON);
 * call with the store's read lock held. */
static gboolean
stream_records (ClStore       *store,
                const ClType  *record_type,
                const char    *reason,
                ClCsvWriter   *writer,
                GOutputStream *output,
                GString       *json_buf,
                gint64        *n,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *restricted = NULL;
  ClExportFormat format = writer != NULL ? CL_EXPORT_FORMAT_CSV : CL_EXPORT_FORMAT_JSON;
  sqlite3 *db;
  int rc;

  /* Streamed straight from the table, in creation order: an export of 100,000 cases
   * holds one record at a time. */
  db = _cl_store_get_db (store);
  restricted = cl_access_sql_restricted (record_type, "t");
  sql = g_string_new ("SELECT " CL_RECORD_COLUMNS);
  for (guint i = 0; i < record_type->n_fields; i++)
    g_string_append_printf (sql, ", %s", record_type->fields[i].name);
  g_string_append_printf (sql, ", %s FROM %s t WHERE deleted = 0 ORDER BY rowid", restricted,
                          record_type->table);
  if ((stmt = cl_sql_prepare (db, sql->str, error)) == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ClRecord) record = record_from_row (record_type, stmt, reason == NULL);
      gboolean ok;

      if (format == CL_EXPORT_FORMAT_CSV)
        ok = write_csv_record (writer, record_type, record, cancellable, error);
      else
        ok = write_json_record (output, json_buf, record, *n == 0, cancellable, error);
      if (!ok)
        return FALSE;
      (*n)++;
    }
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }

  return TRUE;
}

/**
 * cl_export:
 * @type: a record type name
 * @bom: a CSV is for a spreadsheet: it starts with a UTF-8 byte order mark and, in a
 *   right-to-left language, left-to-right values are isolated (cl_csv_writer_set_ltr_columns())
 * @output: where the file goes; not closed
 * @reason: (nullable): why, for the audit log; without one, restricted records go
 *   without their identifying fields
 * @n_records: (out) (optional): how many records were written
 *
 * Writes every (not deleted) record of @type to @output, after recording an "export"
 * audit event.
 */
gboolean
cl_export (ClStore         *store,
           const char      *type,
           ClExportFormat   format,
           gboolean         bom,
           GOutputStream   *output,
           const char      *reason,
           gint64          *n_records,
           GCancellable    *cancellable,
           GError         **error)
{
  const ClType *record_type;
  g_autoptr(ClCsvWriter) writer = NULL;
  g_autoptr(GString) json_buf = NULL;
  gint64 n = 0;
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  record_type = cl_schema_lookup_type (type);
  if (record_type == NULL)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                   _("Unknown record type “%s” (see caseloadctl schema)"), type);
      return FALSE;
    }

  if (!cl_store_audit (store, "export", record_type->name, NULL, reason, error))
    return FALSE;

  if (format == CL_EXPORT_FORMAT_CSV)
    {
      writer = cl_csv_writer_new (output);
      if (bom)
        spreadsheet_csv (writer, record_type);
      if (!write_csv_header (writer, record_type, cancellable, error))
        return FALSE;
    }
  else
    {
      json_buf = g_string_new ("[\n");
    }

  /* Under the store's lock: the export is of committed records only. */
  if (!cl_store_lock (store, CL_STORE_READ, error))
    return FALSE;
  ok = stream_records (store, record_type, reason, writer, output, json_buf, &n, cancellable,
                       error);
  cl_store_unlock (store, CL_STORE_UNLOCK_NONE, NULL);
  if (!ok)
    return FALSE;

  if (format == CL_EXPORT_FORMAT_CSV)
    {
      if (!cl_csv_writer_flush (writer, cancellable, error))
        return FALSE;
    }
  else
    {
      g_string_append (json_buf, n > 0 ? "\n]\n" : "]\n");
      if (!g_output_stream_write_all (output, json_buf->str, json_buf->len, NULL,
                                      cancellable, error))
        return FALSE;
      explicit_bzero (json_buf->str, json_buf->len);
    }

  if (n_records != NULL)
    *n_records = n;
  return TRUE;
}
