/* cl-report-breakdown.c: building the tables of the reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the reports (common/reports/) share to lay out their tables: breakdowns by an
 * enumeration, by advocate and by command, rows in a stable order, shares, statistics,
 * lists of cases and the service categories.
 */

#define G_LOG_DOMAIN "cl-report"

#include <string.h>

#include "cl-report-context.h"

const char *
_cl_report_not_recorded_label (void)
{
  return _("Not recorded");
}

/* Adds one row per value of enumeration @id, then a "not_recorded" row if asked. Row i is
 * value i; the "not recorded" row is n_values. */
void
_cl_report_add_enum_rows (ClReportTable  *t,
                          ClReportEnumId  id,
                          gboolean        not_recorded)
{
  const ClEnum *e = _cl_report_enum (id);

  for (guint i = 0; i < e->n_values; i++)
    _cl_report_add_row (t, e->values[i].code, _(e->values[i].label));
  if (not_recorded)
    _cl_report_add_row (t, "not_recorded", _cl_report_not_recorded_label ());
}

static int
compare_usernames (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  GPtrArray *names = user_data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return strcmp (g_ptr_array_index (names, ia), g_ptr_array_index (names, ib));
}

/* Advocate indexes sorted by username. */
static GArray *
sorted_advocates (const ClReportFacts *f)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), f->advocates->len);

  for (guint i = 0; i < f->advocates->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_usernames, f->advocates);
  return order;
}

/* Natural order: runs of digits compare as numbers ("9" < "10", "PSA 2" < "PSA 10"), and
 * plain numbers (precincts) come before anything else (PSAs). */
static int
natural_compare (const char *a,
                 const char *b)
{
  gboolean a_num = g_ascii_isdigit (*a), b_num = g_ascii_isdigit (*b);

  if (a_num != b_num)
    return a_num ? -1 : 1;
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
          guint64 y = g_ascii_strtoull (b, (char **) &b, 10);

          if (x != y)
            return x < y ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      a++;
      b++;
    }
  return *a == *b ? 0 : *a == '\0' ? -1 : 1;
}

static int
compare_commands (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GArray *commands = user_data;

  return natural_compare (g_array_index (commands, ClReportCommand, *(const guint *) a).code,
                          g_array_index (commands, ClReportCommand, *(const guint *) b).code);
}

/* Command indexes sorted by code (numbers numerically, then PSAs). */
static GArray *
sorted_commands (const ClReportFacts *f)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), f->commands->len);

  for (guint i = 0; i < f->commands->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_commands, f->commands);
  return order;
}

static char *
command_label (const ClReportCommand *c)
{
  if (c->name != NULL && *c->name != '\0')
    return g_strdup (c->name);
  return g_strdup (c->code);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Median (the mean of the two middle values for an even count), mean, and the 90th
 * percentile by the nearest-rank method (the value at rank ⌈0.9 n⌉). */
gboolean
_cl_report_stats (GArray        *values,
                  ClReportStats *stats)
{
  guint n = values->len;
  gint64 *v = (gint64 *) (gpointer) values->data;
  double sum = 0;

  if (n == 0)
    return FALSE;
  g_array_sort (values, compare_gint64);
  for (guint i = 0; i < n; i++)
    sum += (double) v[i];
  stats->mean = sum / n;
  stats->median = n % 2 ? (double) v[n / 2] : ((double) v[n / 2 - 1] + (double) v[n / 2]) / 2.0;
  stats->p90 = (double) v[(9 * n + 9) / 10 - 1];
  return TRUE;
}

/* A row of counts, then a share of two of its cells. */
void
_cl_report_set_share_cells (ClReportTable *t,
                            guint          row,
                            guint          col,
                            guint          num_col,
                            guint          den_col)
{
  ClReportCell *num = _cl_report_cell (t, row, num_col);
  ClReportCell *den = _cl_report_cell (t, row, den_col);
  ClReportCellRef num_ref = _cl_report_ref (t, row, num_col);
  ClReportCellRef den_ref = _cl_report_ref (t, row, den_col);

  _cl_report_set_share (t, row, col, num->kind == CL_REPORT_CELL_COUNT ? num->count : 0,
                        den->kind == CL_REPORT_CELL_COUNT ? den->count : 0, &num_ref, &den_ref);
}

/* Fills count cells left empty with zero, so tables show 0 rather than blanks. */
void
_cl_report_zero_fill (ClReportTable *t,
                      guint64        columns)
{
  for (guint r = 0; r < t->rows->len; r++)
    for (guint c = 0; c < t->columns->len; c++)
      if ((columns & BIT (c)) && _cl_report_cell (t, r, c)->kind == CL_REPORT_CELL_EMPTY)
        _cl_report_set_count (t, r, c, 0);
}

char *
_cl_report_case_label (Ctx     *ctx,
                       guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);

  if (k->flags & CL_REPORT_CASE_RESTRICTED)
    return g_strdup (_("(restricted case)"));
  if (k->number != NULL && *k->number != '\0')
    return g_strdup (k->number);
  return g_strdup (_("(no case number)"));
}

/* Lists of cases are sorted by what they show, then by case number: never by the order the
 * adapter loaded them in. */
int
_cl_report_compare_cases (Ctx     *ctx,
                          guint32  a,
                          guint32  b)
{
  g_autofree char *la = _cl_report_case_label (ctx, a);
  g_autofree char *lb = _cl_report_case_label (ctx, b);
  int cmp = strcmp (la, lb);

  if (cmp == 0)
    cmp = g_strcmp0 (get_case (ctx, a)->number, get_case (ctx, b)->number);
  if (cmp == 0)
    cmp = a < b ? -1 : a > b;
  return cmp;
}

int
_cl_report_compare_case_indexes (gconstpointer a,
                                 gconstpointer b,
                                 gpointer      user_data)
{
  return _cl_report_compare_cases (user_data, *(const guint32 *) a, *(const guint32 *) b);
}

const char *
_cl_report_advocate_name (Ctx     *ctx,
                          guint32  advocate)
{
  if (advocate == CL_REPORT_NO_INDEX)
    return _("Unassigned");
  return g_ptr_array_index (ctx->f->advocates, advocate);
}

/* The category letter (A … E) of a service code index, as 0 … 4. */
guint
_cl_report_service_category (int code)
{
  const char *text = _cl_report_enum_code (CL_REPORT_ENUM_SERVICE_CODE, code);

  return (guint) (text[0] - 'A');
}

const ClReportRowDef _cl_report_service_categories[CL_REPORT_N_SERVICE_CATEGORIES] = {
  { "A", N_("A. Information and referral") },
  { "B", N_("B. Personal advocacy and accompaniment") },
  { "C", N_("C. Emotional support or safety services") },
  { "D", N_("D. Shelter and housing services") },
  { "E", N_("E. Criminal and civil justice system assistance") },
};

/* Distinct clients per key: a hash set of (key << 32 | client). */
gboolean
_cl_report_mark_pair (GHashTable *set,
                      guint       key,
                      guint32     client)
{
  guint64 *pair = g_new (guint64, 1);

  *pair = ((guint64) key << 32) | client;
  if (g_hash_table_contains (set, pair))
    {
      g_free (pair);
      return FALSE;
    }
  g_hash_table_add (set, pair);
  return TRUE;
}

GHashTable *
_cl_report_pair_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* Breakdowns ---------------------------------------------------------------------------- */

/**
 * _cl_report_breakdown_new:
 * @columns: (array length=n_columns): the columns, in order
 *
 * A table that breaks counts down by rows, with the columns of @columns: each one is added
 * up in the total row unless it says no_sum (a rate, a share, a distinct count).
 */
ClReportTable *
_cl_report_breakdown_new (ClReportResult          *r,
                          const char              *key,
                          const char              *title,
                          const char              *row_header,
                          const ClReportColumnDef *columns,
                          guint                    n_columns)
{
  ClReportTable *t = _cl_report_table_new (r, key, title, row_header);

  for (guint i = 0; i < n_columns; i++)
    {
      _cl_report_add_column (t, columns[i].key, _(columns[i].label));
      if (columns[i].no_sum)
        no_sum (t, i);
    }
  return t;
}

/**
 * _cl_report_add_advocate_rows:
 * @n: how much each advocate has, by advocate index; n[advocates->len] for none
 * @none_key: the key of the row of what has no advocate
 * @none_label: its label
 *
 * Adds a row for every advocate with something in @n, by username, then one for what has
 * no advocate if anything has none.
 *
 * Returns: (transfer full): the row of every advocate index (and of none at
 *   advocates->len); rows of advocates with nothing are not set
 */
guint *
_cl_report_add_advocate_rows (ClReportTable       *t,
                              const ClReportFacts *f,
                              const gint64        *n,
                              const char          *none_key,
                              const char          *none_label)
{
  g_autoptr(GArray) advocates = sorted_advocates (f);
  guint *rows = g_new0 (guint, f->advocates->len + 1);

  for (guint i = 0; i < advocates->len; i++)
    {
      guint a = g_array_index (advocates, guint, i);

      if (n[a] > 0)
        rows[a] = _cl_report_add_row (t, g_ptr_array_index (f->advocates, a),
                                      g_ptr_array_index (f->advocates, a));
    }
  if (n[f->advocates->len] > 0)
    rows[f->advocates->len] = _cl_report_add_row (t, none_key, none_label);
  return rows;
}

/**
 * _cl_report_add_command_rows:
 * @n: how much each command has, by command index; n[commands->len] for none
 *
 * Adds a row for every command with something in @n, in the natural order of their codes,
 * then a "not recorded" one if anything has no command.
 *
 * Returns: (transfer full): the row of every command index (and of none at commands->len)
 */
guint *
_cl_report_add_command_rows (ClReportTable       *t,
                             const ClReportFacts *f,
                             const gint64        *n)
{
  g_autoptr(GArray) commands = sorted_commands (f);
  guint *rows = g_new0 (guint, f->commands->len + 1);

  for (guint i = 0; i < commands->len; i++)
    {
      guint ci = g_array_index (commands, guint, i);
      const ClReportCommand *cmd = &g_array_index (f->commands, ClReportCommand, ci);
      g_autofree char *label = NULL;

      if (n[ci] == 0)
        continue;
      label = command_label (cmd);
      rows[ci] = _cl_report_add_row (t, cmd->code, label);
    }
  if (n[f->commands->len] > 0)
    rows[f->commands->len] = _cl_report_add_row (t, "not_recorded",
                                                 _cl_report_not_recorded_label ());
  return rows;
}
