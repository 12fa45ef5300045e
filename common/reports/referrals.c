/* referrals.c: the report "referrals" (New referrals)
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

enum { RF_REFERRALS, RF_REACHED, RF_CONVERSION };

static const ClReportColumnDef referral_columns[] = {
  { "referrals", N_("Referrals") },
  { "reached", N_("Reached") },
  { "conversion", N_("Conversion"), TRUE },
};

static ClReportTable *
referral_table (ClReportResult *r,
                const char     *key,
                const char     *title,
                const char     *row_header)
{
  return _cl_report_breakdown_new (r, key, title, row_header, referral_columns,
                                   G_N_ELEMENTS (referral_columns));
}

static void
referral_count (ClReportTable *t,
                guint          row,
                gboolean       reached,
                guint32        c)
{
  _cl_report_count_case (t, row, RF_REFERRALS, 1, c);
  _cl_report_count_case (t, row, RF_REACHED, reached ? 1 : 0, c);
}

static void
referral_finish (ClReportResult *r,
                 ClReportTable  *t,
                 gboolean        total)
{
  _cl_report_zero_fill (t, BIT (RF_REFERRALS) | BIT (RF_REACHED));
  if (total)
    _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row < t->rows->len; row++)
    {
      _cl_report_set_share_cells (t, row, RF_CONVERSION, RF_REACHED, RF_REFERRALS);
      _cl_report_add_subset (r, _cl_report_ref (t, row, RF_REFERRALS),
                             _cl_report_ref (t, row, RF_REACHED));
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (RF_REFERRALS, RF_REACHED));
}

static ClReportResult *
run_referrals (Ctx                *ctx,
               const ClReportInfo *info,
               GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree guint *command_row = NULL;
  g_autofree gint64 *command_n = g_new0 (gint64, f->commands->len + 1);
  g_autofree guint8 *counted = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint64 *vtypes = g_new0 (guint64, ctx->n_cases + 1);
  ClReportTable *summary, *by_source, *by_command, *by_borough, *by_track, *by_vt;
  guint n_vt = _cl_report_enum (CL_REPORT_ENUM_VICTIMIZATION)->n_values;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      {
        const ClReportCase *k = get_case (ctx, c);

        counted[c] = 1;
        command_n[command_slot (f, k->command)]++;
      }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0)
        vtypes[v->case_index] |= BIT (v->type);
    }

  summary = referral_table (r, "summary", _("New referrals"), "");
  _cl_report_add_row (summary, "all", _("All new referrals"));
  by_source = referral_table (r, "by_source", _("By referral source"), _("Source"));
  _cl_report_add_enum_rows (by_source, CL_REPORT_ENUM_REFERRAL_SOURCE, TRUE);
  by_command = referral_table (r, "by_command", _("By command"), _("Command"));
  command_row = _cl_report_add_command_rows (by_command, f, command_n);
  by_borough = referral_table (r, "by_borough", _("By borough"), _("Borough"));
  _cl_report_add_enum_rows (by_borough, CL_REPORT_ENUM_BOROUGH, TRUE);
  by_track = referral_table (r, "by_track", _("By track"), _("Track"));
  _cl_report_add_enum_rows (by_track, CL_REPORT_ENUM_TRACK, TRUE);
  by_vt = referral_table (r, "by_victimization", _("By victimization type"),
                          _("Victimization type"));
  _cl_report_add_enum_rows (by_vt, CL_REPORT_ENUM_VICTIMIZATION, TRUE);
  by_vt->note = g_strdup (_("A referral with several victimization types is counted under "
                            "each: this table has no total."));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k;
      gboolean reached;

      if (!counted[c])
        continue;
      k = get_case (ctx, c);
      reached = ctx->first_success[c] != CL_TIME_NONE;
      referral_count (summary, 0, reached, c);
      referral_count (by_source, enum_row (CL_REPORT_ENUM_REFERRAL_SOURCE, ctx->source[c]), reached, c);
      referral_count (by_command, command_row[command_slot (f, k->command)], reached, c);
      referral_count (by_borough, enum_row (CL_REPORT_ENUM_BOROUGH, command_borough (ctx, k->command)),
                      reached, c);
      referral_count (by_track, enum_row (CL_REPORT_ENUM_TRACK, k->track), reached, c);
      if (vtypes[c] == 0)
        referral_count (by_vt, n_vt, reached, c);
      for (guint v = 0; v < n_vt; v++)
        if (vtypes[c] & BIT (v))
          referral_count (by_vt, v, reached, c);
    }

  referral_finish (r, summary, FALSE);
  referral_finish (r, by_source, TRUE);
  referral_finish (r, by_command, TRUE);
  referral_finish (r, by_borough, TRUE);
  referral_finish (r, by_track, TRUE);
  referral_finish (r, by_vt, FALSE);
  summary->chart = CL_REPORT_CHART_NONE;

  {
    ClReportTable *totals[] = { by_source, by_command, by_borough, by_track };

    for (guint i = 0; i < G_N_ELEMENTS (totals); i++)
      for (guint col = RF_REFERRALS; col <= RF_REACHED; col++)
        _cl_report_link_equal (r, _cl_report_ref (summary, 0, col),
                               _cl_report_ref (totals[i], totals[i]->total_row, col));
  }

  _cl_report_add_note (r, _("A referral is a case whose referral was received in the period. "
                            "Conversion is the share of referrals with at least one successful "
                            "contact (reached, or a meeting scheduled), whenever it happened."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_referrals = {
  .info = {
    "referrals",
    N_("New referrals"),
    N_("Referrals received in the period by source, command, borough, track and victimization "
       "type, with conversion"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_VICTIMIZATIONS | CL_REPORT_NEED_CONTACTS,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_RECEIVED_IN_PERIOD,
  .run = run_referrals,
};
