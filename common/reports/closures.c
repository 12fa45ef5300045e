/* closures.c: the report "closures" (Closures)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/REPORTS.md states its counting rules; where this file and that page disagree, fix
 * one of them.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <string.h>

#include "cl-report-context.h"

static ClDay
case_end (Ctx     *ctx,
          guint32  c)
{
  return get_case (ctx, c)->closed;
}

static ClReportResult *
run_closures (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  ClReportTable *t;
  guint n_reasons = _cl_report_enum (CL_REPORT_ENUM_CLOSURE_REASON)->n_values;
  g_autoptr(GPtrArray) lengths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint total;

  t = _cl_report_table_new (r, "by_reason", _("Cases closed in the period, by reason"),
                            _("Reason"));
  _cl_report_add_column (t, "closed", _("Cases closed"));
  _cl_report_add_column (t, "median_days", _("Median engagement (days)"));
  no_sum (t, 1);
  _cl_report_add_enum_rows (t, CL_REPORT_ENUM_CLOSURE_REASON, TRUE);
  for (guint i = 0; i <= n_reasons + 1; i++)
    g_ptr_array_add (lengths, g_array_new (FALSE, FALSE, sizeof (gint64)));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      guint row;
      ClDay begin;

      if (!case_ok (ctx, c) || !in_period (ctx, case_end (ctx, c)))
        continue;
      row = enum_row (CL_REPORT_ENUM_CLOSURE_REASON, k->closure_reason);
      _cl_report_count_case (t, row, 0, 1, c);
      /* Engagement: from the day the case was opened (else its referral) to its closing. */
      begin = k->opened != CL_DAY_NONE ? k->opened : ctx->start[c];
      if (begin != CL_DAY_NONE)
        {
          gint64 days = MAX (0, k->closed - begin);

          g_array_append_val (g_ptr_array_index (lengths, row), days);
          g_array_append_val (g_ptr_array_index (lengths, n_reasons + 1), days);
        }
    }
  _cl_report_zero_fill (t, BIT (0));
  total = _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row <= total; row++)
    {
      ClReportStats stats;
      ClReportCellRef dep = _cl_report_ref (t, row, 0);

      if (_cl_report_stats (g_ptr_array_index (lengths, row), &stats))
        _cl_report_set_number (t, row, 1, stats.median, CL_REPORT_UNIT_DAYS, 1, &dep);
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_add_note (r, _("Engagement runs from the day a case was opened (or, if not "
                            "recorded, the day its referral came in) to the day it closed."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_closures = {
  .info = {
    "closures",
    N_("Closures"),
    N_("Cases closed in the period by reason, with the median length of engagement"),
    CL_REPORT_BASE_NEEDS,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_CLOSED_IN_PERIOD,
  .run = run_closures,
};
