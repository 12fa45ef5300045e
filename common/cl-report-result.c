/* cl-report-result.c: the results of the reports: tables of cells, the cases behind them, formatting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-report-private.h"

/* Results ------------------------------------------------------------------------------ */

static void
clear_cell (gpointer data)
{
  ClReportCell *cell = data;

  g_free (cell->text);
}

static void
column_free (gpointer data)
{
  ClReportColumn *c = data;

  g_free (c->key);
  g_free (c->label);
  g_free (c);
}

static void
row_free (gpointer data)
{
  ClReportRow *r = data;

  g_free (r->key);
  g_free (r->label);
  g_array_unref (r->cells);
  g_free (r);
}

static void
table_free (gpointer data)
{
  ClReportTable *t = data;

  g_free (t->key);
  g_free (t->title);
  g_free (t->row_header);
  g_free (t->note);
  g_ptr_array_unref (t->columns);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

ClReportResult *
_cl_report_result_new (const ClReportInfo   *info,
                       const ClReportParams *params)
{
  ClReportResult *r = g_new0 (ClReportResult, 1);

  r->name = g_strdup (info->name);
  r->title = g_strdup (_(info->title));
  r->description = g_strdup (_(info->description));
  r->funder = info->funder;
  r->params = cl_report_params_copy (params);
  r->generated_at = cl_now_utc ();
  r->tables = g_ptr_array_new_with_free_func (table_free);
  r->notes = g_ptr_array_new_with_free_func (g_free);
  r->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r->subsets = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
  return r;
}

void
cl_report_result_free (ClReportResult *r)
{
  if (r == NULL)
    return;
  g_free (r->name);
  g_free (r->title);
  g_free (r->description);
  cl_report_params_free (r->params);
  g_free (r->generated_at);
  g_ptr_array_unref (r->tables);
  g_ptr_array_unref (r->notes);
  g_ptr_array_unref (r->groups);
  g_array_unref (r->subsets);
  g_clear_pointer (&r->traces, g_hash_table_unref);
  g_clear_pointer (&r->cases, g_hash_table_unref);
  g_free (r);
}

/**
 * cl_report_result_copy:
 *
 * Returns: (transfer full): a deep copy, e.g. to suppress for outside use while keeping
 *   the internal result on screen
 */
ClReportResult *
cl_report_result_copy (const ClReportResult *r)
{
  ClReportResult *copy;

  g_return_val_if_fail (r != NULL, NULL);

  copy = g_new0 (ClReportResult, 1);
  copy->name = g_strdup (r->name);
  copy->title = g_strdup (r->title);
  copy->description = g_strdup (r->description);
  copy->params = cl_report_params_copy (r->params);
  copy->generated_at = g_strdup (r->generated_at);
  copy->funder = r->funder;
  copy->suppressed = r->suppressed;
  copy->source = r->source;
  copy->tables = g_ptr_array_new_with_free_func (table_free);
  copy->notes = g_ptr_array_new_with_free_func (g_free);
  copy->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  copy->subsets = g_array_copy (r->subsets);
  for (guint i = 0; i < r->notes->len; i++)
    g_ptr_array_add (copy->notes, g_strdup (g_ptr_array_index (r->notes, i)));
  for (guint i = 0; i < r->groups->len; i++)
    g_ptr_array_add (copy->groups, g_array_copy (g_ptr_array_index (r->groups, i)));
  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);
      ClReportTable *tc = g_memdup2 (t, sizeof *t);

      tc->result = copy;
      tc->key = g_strdup (t->key);
      tc->title = g_strdup (t->title);
      tc->row_header = g_strdup (t->row_header);
      tc->note = g_strdup (t->note);
      tc->columns = g_ptr_array_new_with_free_func (column_free);
      tc->rows = g_ptr_array_new_with_free_func (row_free);
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportColumn *col = g_ptr_array_index (t->columns, c);
          ClReportColumn *cc = g_new0 (ClReportColumn, 1);

          cc->key = g_strdup (col->key);
          cc->label = g_strdup (col->label);
          g_ptr_array_add (tc->columns, cc);
        }
      for (guint row = 0; row < t->rows->len; row++)
        {
          const ClReportRow *rr = g_ptr_array_index (t->rows, row);
          ClReportRow *rc = g_new0 (ClReportRow, 1);

          rc->key = g_strdup (rr->key);
          rc->label = g_strdup (rr->label);
          rc->is_total = rr->is_total;
          rc->cells = g_array_copy (rr->cells);
          g_array_set_clear_func (rc->cells, clear_cell);
          for (guint c = 0; c < rc->cells->len; c++)
            {
              ClReportCell *cell = &g_array_index (rc->cells, ClReportCell, c);
              cell->text = g_strdup (cell->text);
            }
          g_ptr_array_add (tc->rows, rc);
        }
      g_ptr_array_add (copy->tables, tc);
    }
  return copy;
}

ClReportTable *
_cl_report_table_new (ClReportResult *r,
                      const char     *key,
                      const char     *title,
                      const char     *row_header)
{
  ClReportTable *t = g_new0 (ClReportTable, 1);

  t->result = r;
  t->index = r->tables->len;
  t->key = g_strdup (key);
  t->title = g_strdup (title);
  t->row_header = g_strdup (row_header);
  t->columns = g_ptr_array_new_with_free_func (column_free);
  t->rows = g_ptr_array_new_with_free_func (row_free);
  t->total_row = -1;
  t->total_col = -1;
  g_ptr_array_add (r->tables, t);
  return t;
}

guint
_cl_report_add_column (ClReportTable *t,
                       const char    *key,
                       const char    *label)
{
  ClReportColumn *c = g_new0 (ClReportColumn, 1);

  g_assert (t->rows->len == 0);
  g_assert (t->columns->len < 64);
  c->key = g_strdup (key);
  c->label = g_strdup (label);
  g_ptr_array_add (t->columns, c);
  /* Counts add up in the total row unless a column says otherwise. */
  t->sum_columns |= G_GUINT64_CONSTANT (1) << (t->columns->len - 1);
  return t->columns->len - 1;
}

guint
_cl_report_add_row (ClReportTable *t,
                    const char    *key,
                    const char    *label)
{
  ClReportRow *r = g_new0 (ClReportRow, 1);

  r->key = g_strdup (key);
  r->label = g_strdup (label);
  r->cells = g_array_sized_new (FALSE, TRUE, sizeof (ClReportCell), t->columns->len);
  g_array_set_clear_func (r->cells, clear_cell);
  g_array_set_size (r->cells, t->columns->len);
  g_ptr_array_add (t->rows, r);
  return t->rows->len - 1;
}

ClReportCell *
_cl_report_cell (ClReportTable *t,
                 guint          row,
                 guint          col)
{
  ClReportRow *r;

  g_assert (row < t->rows->len);
  g_assert (col < t->columns->len);
  r = g_ptr_array_index (t->rows, row);
  return &g_array_index (r->cells, ClReportCell, col);
}

ClReportCellRef
_cl_report_ref (ClReportTable *t,
                guint          row,
                guint          col)
{
  ClReportCellRef ref = { (guint16) t->index, (guint16) row, (guint16) col };

  g_assert (row < t->rows->len && col < t->columns->len);
  return ref;
}

void
_cl_report_set_count (ClReportTable *t,
                      guint          row,
                      guint          col,
                      gint64         value)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_COUNT;
  cell->count = value;
}

void
_cl_report_add_count (ClReportTable *t,
                      guint          row,
                      guint          col,
                      gint64         value)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_COUNT;
  cell->count += value;
}

/* Drill-down ------------------------------------------------------------------------- */

/* Lists of cases can have more than 65,535 rows: a row gets 32 bits. */
static guint64
trace_key (guint table,
           guint row,
           guint col)
{
  return ((guint64) table << 48) | ((guint64) row << 16) | col;
}

static GArray *
trace_cases (ClReportTable *t,
             guint          row,
             guint          col,
             gboolean       create)
{
  guint64 key = trace_key (t->index, row, col);
  GArray *cases;

  if (t->result->traces == NULL)
    return NULL;
  cases = g_hash_table_lookup (t->result->traces, &key);
  if (cases == NULL && create)
    {
      cases = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (t->result->traces, g_memdup2 (&key, sizeof key), cases);
    }
  return cases;
}

void
_cl_report_trace (ClReportTable *t,
                  guint          row,
                  guint          col,
                  guint32        case_index)
{
  GArray *cases;

  g_assert (row < t->rows->len && col < t->columns->len);
  if (case_index == CL_REPORT_NO_INDEX || (cases = trace_cases (t, row, col, TRUE)) == NULL)
    return;
  g_array_append_val (cases, case_index);
}

void
_cl_report_trace_row (ClReportTable *t,
                      guint          row,
                      guint32        case_index)
{
  for (guint c = 0; c < t->columns->len; c++)
    _cl_report_trace (t, row, c, case_index);
}

void
_cl_report_count_case (ClReportTable *t,
                       guint          row,
                       guint          col,
                       gint64         value,
                       guint32        case_index)
{
  _cl_report_add_count (t, row, col, value);
  if (value > 0)
    _cl_report_trace (t, row, col, case_index);
}

/* The cases behind cell (@row, @col) include those behind (@from_row, @from_col). */
static void
trace_union (ClReportTable *t,
             guint          row,
             guint          col,
             guint          from_row,
             guint          from_col)
{
  GArray *from = trace_cases (t, from_row, from_col, FALSE);

  if (from != NULL && from->len > 0)
    {
      GArray *to = trace_cases (t, row, col, TRUE);

      g_array_append_vals (to, from->data, from->len);
    }
}

static int
compare_case_index (gconstpointer a,
                    gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

void
_cl_report_result_begin_trace (ClReportResult *r)
{
  g_return_if_fail (r->traces == NULL);
  r->traces = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) g_array_unref);
}

/* Turns the case indexes of a traced run into case ids, each case once per cell, in the
 * order of the facts. */
void
_cl_report_result_end_trace (ClReportResult      *r,
                             const ClReportFacts *f)
{
  GHashTableIter iter;
  gpointer key, value;

  if (r->traces == NULL)
    return;
  r->cases = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify) g_strfreev);
  g_hash_table_iter_init (&iter, r->traces);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *cases = value;
      g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
      guint32 last = CL_REPORT_NO_INDEX;

      g_array_sort (cases, compare_case_index);
      for (guint i = 0; i < cases->len; i++)
        {
          guint32 c = g_array_index (cases, guint32, i);

          if (c == last || c >= f->cases->len)
            continue;
          last = c;
          g_strv_builder_add (ids, g_array_index (f->cases, ClReportCase, c).id);
        }
      g_hash_table_insert (r->cases, g_memdup2 (key, sizeof (guint64)),
                           g_strv_builder_end (ids));
    }
  g_clear_pointer (&r->traces, g_hash_table_unref);
}

/**
 * cl_report_result_has_cases:
 *
 * Returns: whether the result was computed with %CL_REPORT_RUN_TRACE_CASES, so that its
 *   counts drill down to cases
 */
gboolean
cl_report_result_has_cases (const ClReportResult *r)
{
  g_return_val_if_fail (r != NULL, FALSE);
  return r->cases != NULL;
}

/**
 * cl_report_result_get_cases:
 *
 * The cases behind a cell of a traced result: for a count, the cases it counts (or whose
 * contacts, services or other events it counts); for a number derived from a count (a
 * share, a median), the cases of that count; for a row of a case list, its case.
 *
 * Returns: (transfer none) (nullable): the case ids, each once, or %NULL when none
 */
const char *const *
cl_report_result_get_cases (const ClReportResult *r,
                            guint                 table,
                            guint                 row,
                            guint                 col)
{
  const ClReportTable *t;
  const ClReportCell *cell;
  guint64 key = trace_key (table, row, col);
  const char *const *ids;

  g_return_val_if_fail (r != NULL, NULL);
  if (r->cases == NULL || table >= r->tables->len)
    return NULL;
  t = g_ptr_array_index (r->tables, table);
  if (row >= t->rows->len || col >= t->columns->len)
    return NULL;
  ids = g_hash_table_lookup (r->cases, &key);
  if (ids != NULL && ids[0] != NULL)
    return ids;
  cell = &g_array_index (((ClReportRow *) g_ptr_array_index (t->rows, row))->cells,
                         ClReportCell, col);
  /* A share whose only dependency is its denominator has no numerator to fall back to. */
  if (cell->kind == CL_REPORT_CELL_NUMBER && cell->n_deps > (cell->has_denominator ? 1 : 0) &&
      (cell->deps[0].table != table || cell->deps[0].row != row || cell->deps[0].col != col))
    return cl_report_result_get_cases (r, cell->deps[0].table, cell->deps[0].row,
                                       cell->deps[0].col);
  return NULL;
}

void
_cl_report_set_number (ClReportTable         *t,
                       guint                  row,
                       guint                  col,
                       double                 value,
                       ClReportUnit           unit,
                       guint                  decimals,
                       const ClReportCellRef *dep)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  if (isnan (value))
    {
      cell->kind = CL_REPORT_CELL_EMPTY;
      return;
    }
  cell->kind = CL_REPORT_CELL_NUMBER;
  cell->number = value;
  cell->unit = unit;
  cell->decimals = (guint8) decimals;
  cell->count = -1;
  if (dep != NULL)
    cell->deps[cell->n_deps++] = *dep;
}

/* A percentage; the numerator is kept so that suppression can treat it as the small cell
 * it hides. No value when the denominator is zero. */
void
_cl_report_set_share (ClReportTable         *t,
                      guint                  row,
                      guint                  col,
                      gint64                 numerator,
                      gint64                 denominator,
                      const ClReportCellRef *num_ref,
                      const ClReportCellRef *den_ref)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  if (denominator <= 0)
    {
      cell->kind = CL_REPORT_CELL_EMPTY;
      return;
    }
  cell->kind = CL_REPORT_CELL_NUMBER;
  cell->unit = CL_REPORT_UNIT_PERCENT;
  cell->number = 100.0 * (double) numerator / (double) denominator;
  cell->decimals = 1;
  cell->count = numerator;
  cell->n_deps = 0;
  cell->has_denominator = den_ref != NULL;
  /* The denominator, when given, is always the last dependency. */
  if (num_ref != NULL)
    cell->deps[cell->n_deps++] = *num_ref;
  if (den_ref != NULL)
    cell->deps[cell->n_deps++] = *den_ref;
}

void
_cl_report_set_text (ClReportTable *t,
                     guint          row,
                     guint          col,
                     const char    *text)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_TEXT;
  g_free (cell->text);
  cell->text = g_strdup (text);
}

/* Appends a row holding, for every column of sum_columns, the sum of the count cells
 * above it. Marks the table as additive along its columns. */
guint
_cl_report_add_total_row (ClReportTable *t,
                          const char    *label)
{
  guint row = _cl_report_add_row (t, "total", label != NULL ? label : _("Total"));

  ((ClReportRow *) g_ptr_array_index (t->rows, row))->is_total = TRUE;
  t->total_row = (int) row;
  for (guint c = 0; c < t->columns->len; c++)
    {
      gint64 sum = 0;
      gboolean any = FALSE;

      if (!(t->sum_columns & (G_GUINT64_CONSTANT (1) << c)))
        continue;
      for (guint r = 0; r < row; r++)
        {
          ClReportCell *cell = _cl_report_cell (t, r, c);

          if (cell->kind == CL_REPORT_CELL_COUNT)
            {
              sum += cell->count;
              any = TRUE;
              trace_union (t, row, c, r, c);
            }
        }
      if (any)
        _cl_report_set_count (t, row, c, sum);
    }
  return row;
}

/* Column @col holds, in every row, the sum of the columns in @parts. */
void
_cl_report_set_total_col (ClReportTable *t,
                          guint          col,
                          guint64        parts)
{
  t->total_col = (int) col;
  t->part_columns = parts;
  for (guint r = 0; r < t->rows->len; r++)
    {
      gint64 sum = 0;

      for (guint c = 0; c < t->columns->len; c++)
        if ((parts & (G_GUINT64_CONSTANT (1) << c)) &&
            _cl_report_cell (t, r, c)->kind == CL_REPORT_CELL_COUNT)
          {
            sum += _cl_report_cell (t, r, c)->count;
            trace_union (t, r, col, r, c);
          }
      _cl_report_set_count (t, r, col, sum);
    }
}

void
_cl_report_set_chart (ClReportTable     *t,
                      ClReportChartType  chart,
                      guint64            columns)
{
  t->chart = chart;
  t->chart_columns = columns;
}

guint64
_cl_report_cols (int first,
                 ...)
{
  guint64 mask = 0;
  va_list args;
  int c;

  va_start (args, first);
  for (c = first; c >= 0; c = va_arg (args, int))
    mask |= G_GUINT64_CONSTANT (1) << c;
  va_end (args);
  return mask;
}

void
_cl_report_add_note (ClReportResult *r,
                     const char     *note)
{
  g_ptr_array_add (r->notes, g_strdup (note));
}

/* Declares that @total = sum of @parts, so suppression can protect the relation. */
void
_cl_report_add_group (ClReportResult        *r,
                      ClReportCellRef        total,
                      const ClReportCellRef *parts,
                      guint                  n_parts)
{
  GArray *group = g_array_sized_new (FALSE, FALSE, sizeof (ClReportCellRef), n_parts + 1);

  g_array_append_val (group, total);
  g_array_append_vals (group, parts, n_parts);
  g_ptr_array_add (r->groups, group);
}

/* Declares that @part counts some of what @whole counts: publishing both publishes their
 * difference, which suppression must then treat as a cell of its own. */
void
_cl_report_add_subset (ClReportResult  *r,
                       ClReportCellRef  whole,
                       ClReportCellRef  part)
{
  g_array_append_val (r->subsets, whole);
  g_array_append_val (r->subsets, part);
}

/* The same count published twice: suppressing one must suppress the other. */
void
_cl_report_link_equal (ClReportResult  *r,
                       ClReportCellRef  a,
                       ClReportCellRef  b)
{
  _cl_report_add_group (r, a, &b, 1);
}

ClReportTable *
cl_report_result_get_table (ClReportResult *r,
                            const char     *key)
{
  g_return_val_if_fail (r != NULL, NULL);

  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (g_strcmp0 (t->key, key) == 0)
        return t;
    }
  return NULL;
}

const ClReportCell *
cl_report_result_get_cell (ClReportResult *r,
                           const char     *table,
                           const char     *row,
                           const char     *column)
{
  ClReportTable *t = cl_report_result_get_table (r, table);

  if (t == NULL)
    return NULL;
  for (guint i = 0; i < t->rows->len; i++)
    {
      ClReportRow *rr = g_ptr_array_index (t->rows, i);

      if (g_strcmp0 (rr->key, row) != 0)
        continue;
      for (guint c = 0; c < t->columns->len; c++)
        {
          ClReportColumn *cc = g_ptr_array_index (t->columns, c);

          if (column == NULL || g_strcmp0 (cc->key, column) == 0)
            return &g_array_index (rr->cells, ClReportCell, c);
        }
    }
  return NULL;
}

/**
 * cl_report_result_get_count:
 * @column: (nullable): the column key, %NULL for the first column
 *
 * Returns: the count in the cell, or -1 if there is no such cell, it is not a count, or it
 *   is suppressed
 */
gint64
cl_report_result_get_count (ClReportResult *r,
                            const char     *table,
                            const char     *row,
                            const char     *column)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  if (cell == NULL || cell->kind != CL_REPORT_CELL_COUNT || cell->suppressed)
    return -1;
  return cell->count;
}

/* Formatting --------------------------------------------------------------------------- */

/**
 * cl_report_format_count:
 * @localized: group digits the locale's way (text and PDF); %FALSE for CSV and JSON
 */
char *
cl_report_format_count (gint64   value,
                        gboolean localized)
{
  if (localized)
    return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/**
 * cl_report_cell_format:
 *
 * Returns: the cell as text: "" when empty, "*" when suppressed
 */
char *
cl_report_cell_format (const ClReportCell *cell,
                       gboolean            localized)
{
  g_return_val_if_fail (cell != NULL, NULL);

  if (cell->suppressed)
    return g_strdup ("*");

  switch (cell->kind)
    {
    case CL_REPORT_CELL_EMPTY:
      return g_strdup ("");
    case CL_REPORT_CELL_COUNT:
      return cl_report_format_count (cell->count, localized);
    case CL_REPORT_CELL_TEXT:
      return g_strdup (cell->text != NULL ? cell->text : "");
    case CL_REPORT_CELL_NUMBER:
      {
        g_autofree char *number = NULL;

        if (localized)
          number = g_strdup_printf ("%'.*f", cell->decimals, cell->number);
        else
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            char format[8];

            g_snprintf (format, sizeof format, "%%.%uf", (guint) cell->decimals);
            number = g_strdup (g_ascii_formatd (buf, sizeof buf, format, cell->number));
          }
        if (cell->unit == CL_REPORT_UNIT_PERCENT && localized)
          return g_strconcat (number, "%", NULL);
        return g_steal_pointer (&number);
      }
    default:
      g_assert_not_reached ();
    }
}
