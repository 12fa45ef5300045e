/* cl-import.c: all-or-nothing CSV import of one record type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The header names the columns: field names of the type (snake_case, as in `caseloadctl
 * schema TYPE`). Every line is checked (CSV syntax, unknown columns, values, references to
 * other records, then the store's own checks such as required fields and command codes)
 * and every problem is collected with its line number. The records are created inside one
 * store transaction, committed only when no line had a problem: an import never leaves
 * half a file behind.
 *
 * An "id" column keeps each record's id (an empty cell gets a new one), so the references
 * between exported files of one vault still hold in another. What an export writes beside
 * the fields is accepted and ignored, so an export imports back as it is: derived fields
 * (first contact, last activity, …), a case's case_number (the store numbers cases) and
 * record metadata (version, created_at, …).
 */

#define G_LOG_DOMAIN "cl-import"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-csv.h"
#include "cl-import.h"
#include "cl-store-private.h"

G_DEFINE_QUARK (cl-import-error-quark, cl_import_error)

typedef enum {
  COLUMN_FIELD,
  COLUMN_ID,
  COLUMN_IGNORED,
  COLUMN_BAD,
} ColumnKind;

typedef struct {
  ColumnKind     kind;
  const ClField *field;
  char          *name;
} Column;

static const char * const ignored_columns[] = {
  "version", "created_at", "created_by", "updated_at", "updated_by", "deleted",
};

static void
problem_free (gpointer data)
{
  ClImportProblem *problem = data;

  g_free (problem->column);
  g_free (problem->message);
  g_free (problem);
}

ClImportResult *
cl_import_result_new (void)
{
  ClImportResult *result = g_new0 (ClImportResult, 1);

  result->problems = g_ptr_array_new_with_free_func (problem_free);
  return result;
}

void
cl_import_result_free (ClImportResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->problems);
  g_free (result);
}

static void
add_problem (ClImportResult *result,
             guint           line,
             const char     *column,
             const char     *message)
{
  ClImportProblem *problem;

  result->n_problems++;
  if (result->problems->len >= CL_IMPORT_MAX_PROBLEMS)
    return;
  problem = g_new0 (ClImportProblem, 1);
  problem->line = line;
  problem->column = g_strdup (column);
  problem->message = g_strdup (message);
  g_ptr_array_add (result->problems, problem);
}

static void
column_clear (gpointer data)
{
  Column *column = data;

  g_free (column->name);
}

/* An error that no line can be blamed for: the disk, the database, cancellation. */
static gboolean
is_fatal (const GError *error)
{
  return error->domain != CL_SCHEMA_ERROR && error->domain != CL_STORE_ERROR &&
         error->domain != CL_CSV_ERROR;
}

typedef struct {
  ClStore        *store;
  const ClType   *type;
  ClImportResult *result;
  GArray         *columns;
  GHashTable     *known_refs;   /* "type:id" → present (1) or missing (0) */
  gboolean        header_broken;
  guint32         next_id;      /* for lines without an id: _cl_store_sequential_id() */
} Import;

static gboolean
reference_exists (Import      *imp,
                  const char  *target,
                  const char  *id,
                  gboolean    *exists,
                  GError     **error)
{
  g_autofree char *key = g_strconcat (target, ":", id, NULL);
  gpointer value;
  g_autoptr(ClRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_hash_table_lookup_extended (imp->known_refs, key, NULL, &value))
    {
      *exists = GPOINTER_TO_INT (value);
      return TRUE;
    }

  record = cl_store_get (imp->store, target, id, &local_error);
  if (record == NULL)
    {
      if (!g_error_matches (local_error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *exists = FALSE;
    }
  else
    *exists = !cl_record_get_deleted (record);

  g_hash_table_insert (imp->known_refs, g_steal_pointer (&key), GINT_TO_POINTER (*exists));
  return TRUE;
}

static gboolean
read_header (Import       *imp,
             ClCsvReader  *reader,
             GCancellable *cancellable,
             GError      **error)
{
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GError) local_error = NULL;
  const ClType *type = imp->type;
  guint problems_before = imp->result->n_problems;

  if (!cl_csv_reader_next (reader, &header, cancellable, &local_error))
    {
      if (is_fatal (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      add_problem (imp->result, cl_csv_reader_get_line (reader), NULL, local_error->message);
      imp->result->n_bad_lines++;
      imp->header_broken = TRUE;
      return TRUE;
    }
  if (header == NULL)
    {
      g_set_error (error, CL_IMPORT_ERROR, CL_IMPORT_ERROR_EMPTY,
                   _("The file is empty: the first line must name the columns"));
      return FALSE;
    }

  for (guint i = 0; i < header->len; i++)
    {
      Column column = { 0 };
      char *name = g_strstrip (g_strdup (g_ptr_array_index (header, i)));

      column.name = name;
      if (strcmp (name, "id") == 0)
        column.kind = COLUMN_ID;
      else if ((column.field = cl_type_lookup_field (type, name)) != NULL)
        {
          if ((column.field->flags & CL_FIELD_DERIVED) ||
              (strcmp (type->name, "case") == 0 && strcmp (name, "case_number") == 0))
            column.kind = COLUMN_IGNORED;
          else
            column.kind = COLUMN_FIELD;
        }
      else if (g_strv_contains ((const char * const *) ignored_columns, name))
        column.kind = COLUMN_IGNORED;
      else
        {
          g_autofree char *msg = NULL;

          column.kind = COLUMN_BAD;
          msg = g_strdup_printf (_("Unknown column “%s”: a %s has no such field "
                                   "(see caseloadctl schema %s)"),
                                 name, type->name, type->name);
          add_problem (imp->result, cl_csv_reader_get_line (reader), name, msg);
        }

      for (guint j = 0; j < imp->columns->len && column.kind != COLUMN_BAD; j++)
        {
          Column *other = &g_array_index (imp->columns, Column, j);

          if (other->kind != COLUMN_BAD && strcmp (other->name, name) == 0)
            {
              g_autofree char *msg = g_strdup_printf (_("Column “%s” appears twice"), name);

              add_problem (imp->result, cl_csv_reader_get_line (reader), name, msg);
              column.kind = COLUMN_BAD;
            }
        }
      g_array_append_val (imp->columns, column);
    }

  if (imp->result->n_problems > problems_before)
    imp->result->n_bad_lines++;
  return TRUE;
}

/* Checks one line and, when it is sound, creates its record. Returns FALSE only for a
 * fatal error; problems of the line go into the result. */
static gboolean
import_line (Import     *imp,
             guint       line,
             GPtrArray  *fields,
             GError    **error)
{
  const ClType *type = imp->type;
  g_autoptr(ClChanges) changes = cl_changes_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *new_id = NULL;
  guint problems_before = imp->result->n_problems;

  if (fields->len != imp->columns->len)
    {
      g_autofree char *msg = g_strdup_printf (ngettext ("The line has %u field but the header "
                                                        "has %u",
                                                        "The line has %u fields but the header "
                                                        "has %u", fields->len),
                                              fields->len, imp->columns->len);
      add_problem (imp->result, line, NULL, msg);
      imp->result->n_bad_lines++;
      return TRUE;
    }

  for (guint i = 0; i < fields->len; i++)
    {
      Column *column = &g_array_index (imp->columns, Column, i);
      const char *raw = g_ptr_array_index (fields, i);
      g_autofree char *value = NULL;
      g_autoptr(GError) field_error = NULL;

      if (column->kind == COLUMN_ID)
        {
          /* Records keep their ids, so references between exported files still hold. */
          g_autofree char *id = g_strstrip (g_strdup (raw));
          if (*id != '\0')
            cl_changes_set (changes, "id", id);
          continue;
        }
      if (column->kind != COLUMN_FIELD)
        continue;

      value = cl_field_normalize (column->field, raw, &field_error);
      if (field_error != NULL)
        {
          add_problem (imp->result, line, column->name, field_error->message);
          continue;
        }

      if (value == NULL)
        continue;

      if (column->field->kind == CL_FIELD_REF)
        {
          gboolean exists = FALSE;

          if (!reference_exists (imp, column->field->target, value, &exists, error))
            return FALSE;
          if (!exists)
            {
              g_autofree char *msg = g_strdup_printf (_("Unknown reference: “%s” is not the id "
                                                        "of a %s in this vault"),
                                                      value, column->field->target);
              add_problem (imp->result, line, column->name, msg);
              continue;
            }
        }

      cl_changes_set (changes, column->name, value);
    }

  if (imp->result->n_problems > problems_before)
    {
      imp->result->n_bad_lines++;
      return TRUE;
    }

  /* A line without an id takes one that counts up, so that the records extend the
   * indexes at their ends. */
  if (!cl_changes_lookup (changes, "id", NULL))
    {
      g_autofree char *id = _cl_store_sequential_id (&imp->next_id);
      cl_changes_set (changes, "id", id);
    }

  /* Creating goes on after a bad line, so that the store's own checks (commands that do
   * not exist, …) report on every line too; the transaction is rolled back at the end. */
  new_id = cl_store_create (imp->store, type->name, changes, &local_error);
  if (new_id == NULL)
    {
      if (is_fatal (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      add_problem (imp->result, line, NULL, local_error->message);
      imp->result->n_bad_lines++;
      return TRUE;
    }
  imp->result->n_imported++;
  return TRUE;
}

/**
 * cl_import_csv:
 * @type: a record type name (`client`, `case`, …)
 * @input: the CSV file, UTF-8 (a byte order mark is fine), first line naming the columns
 * @result: receives counts and every problem found
 *
 * Imports every line of @input as a record of @type in one transaction, or none. When any
 * line is bad, nothing is imported, @error is %CL_IMPORT_ERROR_REJECTED and @result lists
 * the problems with their line numbers. Other errors (the disk, the vault) are returned
 * as they are, also with nothing imported.
 *
 * Returns: %TRUE when every line was imported
 */
gboolean
cl_import_csv (ClStore         *store,
               const char      *type,
               GInputStream    *input,
               ClImportResult  *result,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(ClCsvReader) reader = NULL;
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GHashTable) known_refs = NULL;
  Import imp = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  imp.store = store;
  imp.result = result;
  imp.type = cl_schema_lookup_type (type);
  if (imp.type == NULL)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                   _("Unknown record type “%s” (see caseloadctl schema)"), type);
      return FALSE;
    }
  if (strcmp (imp.type->name, "audit") == 0)
    {
      g_set_error (error, CL_IMPORT_ERROR, CL_IMPORT_ERROR_NOT_IMPORTABLE,
                   _("Audit events are written by Caseload itself and cannot be imported"));
      return FALSE;
    }

  columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (columns, column_clear);
  known_refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp.columns = columns;
  imp.known_refs = known_refs;
  imp.next_id = g_random_int ();

  reader = cl_csv_reader_new (input);
  /* A field holds at most CL_FIELD_TEXT_MAX bytes; leave room to say so precisely. */
  cl_csv_reader_set_limits (reader, CL_FIELD_TEXT_MAX + 1, CL_CSV_DEFAULT_MAX_RECORD,
                            CL_CSV_DEFAULT_MAX_FIELDS);

  if (!read_header (&imp, reader, cancellable, error))
    return FALSE;
  if (imp.header_broken)
    {
      g_set_error (error, CL_IMPORT_ERROR, CL_IMPORT_ERROR_REJECTED,
                   _("The header line cannot be read, so nothing was imported"));
      return FALSE;
    }

  if (!cl_store_begin_bulk (store, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(GPtrArray) fields = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }

      if (!cl_csv_reader_next (reader, &fields, cancellable, &local_error))
        {
          if (is_fatal (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
              break;
            }
          result->n_rows++;
          result->n_bad_lines++;
          add_problem (result, cl_csv_reader_get_line (reader), NULL, local_error->message);
          continue;
        }
      if (fields == NULL)
        break;

      result->n_rows++;
      if (!import_line (&imp, cl_csv_reader_get_line (reader), fields, error))
        {
          ok = FALSE;
          break;
        }
    }

  if (ok && result->n_problems == 0)
    {
      /* A commit that fails has rolled back already. */
      if (!cl_store_commit (store, error))
        {
          result->n_imported = 0;
          return FALSE;
        }
      return TRUE;
    }

  cl_store_rollback (store);
  result->n_imported = 0;
  if (ok)
    g_set_error (error, CL_IMPORT_ERROR, CL_IMPORT_ERROR_REJECTED,
                 ngettext ("%u line was not accepted, so nothing was imported",
                           "%u lines were not accepted, so nothing was imported",
                           MAX (result->n_bad_lines, 1)),
                 MAX (result->n_bad_lines, 1));
  return FALSE;
}
