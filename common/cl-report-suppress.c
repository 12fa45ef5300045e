/* cl-report-suppress.c: small-cell suppression of results for outside use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/REPORTS.md describes the method.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-report-private.h"

/* Small-cell suppression --------------------------------------------------------------- */

static ClReportCell *
ref_cell (ClReportResult  *r,
          ClReportCellRef  ref)
{
  return _cl_report_cell (g_ptr_array_index (r->tables, ref.table), ref.row, ref.col);
}

static gboolean
is_count (ClReportCell *cell)
{
  return cell->kind == CL_REPORT_CELL_COUNT;
}

/* The additive relations a table publishes: each column against its total row, each row
 * against its total column. */
static void
table_groups (ClReportResult *r,
              ClReportTable  *t,
              GPtrArray      *groups)
{
  if (t->total_row >= 0)
    for (guint c = 0; c < t->columns->len; c++)
      {
        GArray *g;

        if (!(t->sum_columns & (G_GUINT64_CONSTANT (1) << c)) ||
            !is_count (_cl_report_cell (t, (guint) t->total_row, c)))
          continue;
        g = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
        {
          ClReportCellRef total = _cl_report_ref (t, (guint) t->total_row, c);
          g_array_append_val (g, total);
        }
        for (guint row = 0; row < t->rows->len; row++)
          if ((int) row != t->total_row && is_count (_cl_report_cell (t, row, c)))
            {
              ClReportCellRef part = _cl_report_ref (t, row, c);
              g_array_append_val (g, part);
            }
        g_ptr_array_add (groups, g);
      }

  if (t->total_col >= 0)
    for (guint row = 0; row < t->rows->len; row++)
      {
        GArray *g;

        if (!is_count (_cl_report_cell (t, row, (guint) t->total_col)))
          continue;
        g = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
        {
          ClReportCellRef total = _cl_report_ref (t, row, (guint) t->total_col);
          g_array_append_val (g, total);
        }
        for (guint c = 0; c < t->columns->len; c++)
          if ((t->part_columns & (G_GUINT64_CONSTANT (1) << c)) &&
              is_count (_cl_report_cell (t, row, c)))
            {
              ClReportCellRef part = _cl_report_ref (t, row, c);
              g_array_append_val (g, part);
            }
        g_ptr_array_add (groups, g);
      }
}

/* A relation total = Σ parts lets a reader recover a suppressed cell when exactly one of
 * its cells is suppressed, or when the total is published and the suppressed parts can
 * take only one set of values: all 1 (their sum equals their number), or all @threshold
 * when they are all small cells (their sum is their number times the threshold). Returns
 * TRUE if it had to suppress another cell: the smallest non-zero part still published,
 * else a published zero part, else the total. A zero hidden beside them leaves the
 * hidden parts more than one set of values; the total, often the same count as cells of
 * other relations (the new individuals), would take those with it. */
static gboolean
protect_group (ClReportResult *r,
               GArray         *g,
               guint           threshold)
{
  ClReportCell *total = ref_cell (r, g_array_index (g, ClReportCellRef, 0));
  ClReportCell *best = NULL;
  ClReportCell *zero = NULL;
  guint unknown = total->suppressed ? 1 : 0;
  guint n_parts_suppressed = 0;
  gboolean all_small = TRUE;
  gint64 published = 0;
  gint64 hidden;

  for (guint i = 1; i < g->len; i++)
    {
      ClReportCell *part = ref_cell (r, g_array_index (g, ClReportCellRef, i));

      if (part->suppressed)
        {
          unknown++;
          n_parts_suppressed++;
          all_small &= part->count <= (gint64) threshold;
        }
      else
        {
          published += part->count;
          if (part->count > 0 && (best == NULL || part->count < best->count))
            best = part;
          else if (part->count == 0 && zero == NULL)
            zero = part;
        }
    }

  if (unknown == 0)
    return FALSE;
  if (unknown >= 2)
    {
      if (total->suppressed)
        return FALSE;
      hidden = total->count - published;
      if (hidden != (gint64) n_parts_suppressed &&
          !(all_small && hidden == (gint64) n_parts_suppressed * (gint64) threshold))
        return FALSE;
    }
  /* A lone suppressed total whose parts are all zero is zero: nothing to protect. */
  if (unknown == 1 && total->suppressed && best == NULL)
    return FALSE;

  if (best != NULL)
    best->suppressed = TRUE;
  else if (zero != NULL && !total->suppressed)
    zero->suppressed = TRUE;
  else if (!total->suppressed)
    total->suppressed = TRUE;
  else
    return FALSE;
  return TRUE;
}

/* @whole ⊇ @part: when both are published, their difference is published too; if it is a
 * small cell, the part (else the whole) is suppressed. */
static gboolean
protect_subset (ClReportResult  *r,
                ClReportCellRef  whole_ref,
                ClReportCellRef  part_ref,
                guint            threshold)
{
  ClReportCell *whole = ref_cell (r, whole_ref);
  ClReportCell *part = ref_cell (r, part_ref);
  gint64 difference;

  if (whole->suppressed || part->suppressed || whole->kind != CL_REPORT_CELL_COUNT ||
      part->kind != CL_REPORT_CELL_COUNT)
    return FALSE;
  difference = whole->count - part->count;
  if (difference < 1 || difference > (gint64) threshold)
    return FALSE;
  if (part->count > 0)
    part->suppressed = TRUE;
  else
    whole->suppressed = TRUE;
  return TRUE;
}

static gboolean
ref_valid (ClReportResult  *r,
           ClReportCellRef  ref)
{
  ClReportTable *t;

  if (ref.table >= r->tables->len)
    return FALSE;
  t = g_ptr_array_index (r->tables, ref.table);
  return ref.row < t->rows->len && ref.col < t->columns->len;
}

static gboolean
group_valid (ClReportResult *r,
             GArray         *g)
{
  for (guint i = 0; i < g->len; i++)
    if (!ref_valid (r, g_array_index (g, ClReportCellRef, i)))
      return FALSE;
  return TRUE;
}

static gboolean
small (gint64 value,
       guint  threshold)
{
  return value >= 1 && value <= (gint64) threshold;
}

/**
 * cl_report_result_suppress:
 * @threshold: counts from 1 to @threshold are suppressed (0: only complementary rules)
 *
 * Prepares @result for use outside the organization: drops tables marked internal,
 * suppresses every count from 1 to @threshold (and every share whose numerator, or whose
 * complement to a published denominator, is such a count), then suppresses further cells
 * until no published relation (a total row or column, two places showing the same count,
 * a count and a part of it, a derived rate) lets a reader recover a suppressed value.
 * Suppressed values are erased. docs/REPORTS.md describes the method.
 */
void
cl_report_result_suppress (ClReportResult *r,
                           guint           threshold)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gboolean changed;
  guint removed = 0;

  g_return_if_fail (r != NULL);

  if (r->suppressed)
    return;

  /* What leaves the organization never points at cases. */
  g_clear_pointer (&r->traces, g_hash_table_unref);
  g_clear_pointer (&r->cases, g_hash_table_unref);

  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (t->internal_only)
        {
          /* Cell references keep table indexes: blank the table rather than drop it. */
          g_ptr_array_set_size (t->rows, 0);
          t->total_row = -1;
          t->total_col = -1;
          t->chart = CL_REPORT_CHART_NONE;
          removed++;
        }
    }
  if (removed > 0)
    _cl_report_add_note (r, _("Lists that identify cases are left out of exports for "
                              "outside use."));

  /* Primary suppression. */
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            if (cell->kind == CL_REPORT_CELL_COUNT && small (cell->count, threshold))
              cell->suppressed = TRUE;
            /* A share shows its numerator, and with a published denominator its
             * complement too: either being small makes it a small cell. */
            else if (cell->kind == CL_REPORT_CELL_NUMBER && cell->unit == CL_REPORT_UNIT_PERCENT)
              {
                if (small (cell->count, threshold))
                  cell->suppressed = TRUE;
                else if (cell->has_denominator && cell->n_deps > 0 &&
                         ref_valid (r, cell->deps[cell->n_deps - 1]))
                  {
                    ClReportCell *den = ref_cell (r, cell->deps[cell->n_deps - 1]);

                    if (den->kind == CL_REPORT_CELL_COUNT &&
                        small (den->count - cell->count, threshold))
                      cell->suppressed = TRUE;
                  }
              }
          }
      table_groups (r, t, groups);
    }
  for (guint i = 0; i < r->groups->len; i++)
    if (group_valid (r, g_ptr_array_index (r->groups, i)))
      g_ptr_array_add (groups, g_array_ref (g_ptr_array_index (r->groups, i)));

  /* Complementary suppression, until every relation is safe. */
  do
    {
      changed = FALSE;
      for (guint i = 0; i < groups->len; i++)
        while (protect_group (r, g_ptr_array_index (groups, i), threshold))
          changed = TRUE;
      for (guint i = 0; i + 1 < r->subsets->len; i += 2)
        {
          ClReportCellRef whole = g_array_index (r->subsets, ClReportCellRef, i);
          ClReportCellRef part = g_array_index (r->subsets, ClReportCellRef, i + 1);

          if (ref_valid (r, whole) && ref_valid (r, part) &&
              protect_subset (r, whole, part, threshold))
            changed = TRUE;
        }
    }
  while (changed);

  /* Derived numbers follow the counts they come from; then values are erased. */
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            for (guint d = 0; d < cell->n_deps; d++)
              if (ref_valid (r, cell->deps[d]) && ref_cell (r, cell->deps[d])->suppressed)
                cell->suppressed = TRUE;
          }
    }
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            if (cell->suppressed)
              {
                cell->count = 0;
                cell->number = 0;
                g_clear_pointer (&cell->text, g_free);
              }
            else if (cell->kind == CL_REPORT_CELL_NUMBER)
              cell->count = -1;
          }
    }

  r->suppressed = TRUE;
  r->params->outside = TRUE;
  r->params->threshold = threshold;
  {
    g_autofree char *note = g_strdup_printf (_("* Suppressed: counts from 1 to %u, and further "
                                               "cells that would let a reader work them out "
                                               "from totals, are not shown."), threshold);
    _cl_report_add_note (r, note);
  }
}
