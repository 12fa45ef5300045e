/* caseload.c: the report "caseload" (Supervisor caseload)
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

/* The status of case @c on the as-of day: what its status history says (else its current
 * status). A case closed after that day, whose closing the history does not show (it came
 * from another device, or the server keeps no history), was still open: active. */
static gint8
case_status_on (Ctx     *ctx,
                guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);
  gint8 status = k->status_on >= 0 ? k->status_on : k->status;

  if (status == ctx->closed && k->closed != CL_DAY_NONE && k->closed > ctx->as_of)
    return (gint8) _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "active");
  return status;
}

enum {
  CL_ACTIVE, CL_OUTREACH, CL_STATUS_ACTIVE, CL_STALE,
  CL_AGE_30, CL_AGE_90, CL_AGE_180, CL_AGE_OVER, CL_AGE_UNKNOWN,
  CL_N_COLS
};

static const ClReportColumnDef caseload_columns[CL_N_COLS] = {
  { "caseload", N_("Active caseload") },
  { "outreach", N_("Outreach") },
  { "active", N_("Active") },
  { "stale", N_("Stale") },
  { "age_0_30", N_("0–30 days") },
  { "age_31_90", N_("31–90 days") },
  { "age_91_180", N_("91–180 days") },
  { "age_over_180", N_("Over 180 days") },
  { "age_unknown", N_("Age unknown") },
};

/* The caseload column is the sum of the status columns, and also of the age bands. */
static void
caseload_finish (ClReportResult *r,
                 ClReportTable  *t)
{
  _cl_report_zero_fill (t, all_columns (t));
  _cl_report_add_total_row (t, NULL);
  _cl_report_set_total_col (t, CL_ACTIVE, BIT (CL_OUTREACH) | BIT (CL_STATUS_ACTIVE));
  for (guint row = 0; row < t->rows->len; row++)
    {
      ClReportCellRef parts[5];

      for (guint i = 0; i < 5; i++)
        parts[i] = _cl_report_ref (t, row, CL_AGE_30 + i);
      _cl_report_add_group (r, _cl_report_ref (t, row, CL_ACTIVE), parts, 5);
      _cl_report_add_subset (r, _cl_report_ref (t, row, CL_ACTIVE), _cl_report_ref (t, row, CL_STALE));
    }
}

static ClReportResult *
run_caseload (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree guint *advocate_row = NULL;
  ClReportTable *by_adv, *by_track, *stale;
  int outreach = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "outreach");
  int active = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "active");
  g_autoptr(GArray) stale_cases = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree gint64 *adv_counts = g_new0 (gint64, f->advocates->len + 1);
  g_autofree gint8 *status = g_new0 (gint8, ctx->n_cases + 1);
  g_autofree guint8 *counted = g_new0 (guint8, ctx->n_cases + 1);
  ClDay d = ctx->as_of;

  by_adv = _cl_report_breakdown_new (r, "by_advocate", _("Caseload by advocate"), _("Advocate"),
                                     caseload_columns, CL_N_COLS);
  by_track = _cl_report_breakdown_new (r, "by_track", _("Caseload by track"), _("Track"),
                                       caseload_columns, CL_N_COLS);
  _cl_report_add_enum_rows (by_track, CL_REPORT_ENUM_TRACK, TRUE);

  /* The status of every case on D, from its status history. */
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      status[c] = case_status_on (ctx, c);
      counted[c] = case_ok (ctx, c) && (status[c] == outreach || status[c] == active) &&
                   (ctx->start[c] == CL_DAY_NONE || ctx->start[c] <= d);
    }

  /* Advocates with at least one counted case, by username; then "unassigned". */
  for (guint c = 0; c < ctx->n_cases; c++)
    if (counted[c])
      adv_counts[advocate_slot (f, get_case (ctx, c)->advocate)]++;
  advocate_row = _cl_report_add_advocate_rows (by_adv, f, adv_counts, "unassigned",
                                               _("Unassigned"));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      guint arow, trow, band;
      ClDay last;
      gboolean is_stale;

      if (!counted[c])
        continue;

      arow = advocate_row[advocate_slot (f, k->advocate)];
      trow = enum_row (CL_REPORT_ENUM_TRACK, k->track);

      if (ctx->start[c] == CL_DAY_NONE)
        band = CL_AGE_UNKNOWN;
      else if (d - ctx->start[c] <= 30)
        band = CL_AGE_30;
      else if (d - ctx->start[c] <= 90)
        band = CL_AGE_90;
      else if (d - ctx->start[c] <= 180)
        band = CL_AGE_180;
      else
        band = CL_AGE_OVER;

      /* Stale: more than N days since the last contact or attempt (or, with none, since the
       * referral). */
      last = ctx->last_contact[c] != CL_DAY_NONE ? ctx->last_contact[c] : ctx->start[c];
      is_stale = last == CL_DAY_NONE || d - last > (ClDay) ctx->p->stale_days;

      _cl_report_count_case (by_adv, arow, status[c] == outreach ? CL_OUTREACH : CL_STATUS_ACTIVE, 1, c);
      _cl_report_count_case (by_adv, arow, band, 1, c);
      _cl_report_count_case (by_adv, arow, CL_STALE, is_stale, c);
      _cl_report_count_case (by_track, trow, status[c] == outreach ? CL_OUTREACH : CL_STATUS_ACTIVE, 1, c);
      _cl_report_count_case (by_track, trow, band, 1, c);
      _cl_report_count_case (by_track, trow, CL_STALE, is_stale, c);
      if (is_stale)
        g_array_append_val (stale_cases, c);
    }

  caseload_finish (r, by_adv);
  caseload_finish (r, by_track);
  _cl_report_link_equal (r, _cl_report_ref (by_adv, by_adv->total_row, CL_ACTIVE),
                         _cl_report_ref (by_track, by_track->total_row, CL_ACTIVE));
  _cl_report_set_chart (by_adv, CL_REPORT_CHART_STACKED_BAR,
                        CL_REPORT_COLS (CL_OUTREACH, CL_STATUS_ACTIVE));
  _cl_report_set_chart (by_track, CL_REPORT_CHART_STACKED_BAR,
                        CL_REPORT_COLS (CL_AGE_30, CL_AGE_90, CL_AGE_180, CL_AGE_OVER));

  /* The stale cases themselves: for the supervisor only, never exported for outside use. */
  g_array_sort_with_data (stale_cases, _cl_report_compare_case_indexes, ctx);
  stale = _cl_report_table_new (r, "stale_cases", _("Stale cases"), _("Case"));
  stale->internal_only = TRUE;
  _cl_report_add_column (stale, "advocate", _("Advocate"));
  _cl_report_add_column (stale, "track", _("Track"));
  _cl_report_add_column (stale, "last_contact", _("Last contact"));
  _cl_report_add_column (stale, "days", _("Days since"));
  stale->sum_columns = 0;
  for (guint i = 0; i < stale_cases->len; i++)
    {
      guint32 c = g_array_index (stale_cases, guint32, i);
      const ClReportCase *k = get_case (ctx, c);
      g_autofree char *label = _cl_report_case_label (ctx, c);
      g_autofree char *key = g_strdup_printf ("%u", i + 1);
      g_autofree char *last = cl_day_to_string (ctx->last_contact[c]);
      guint row = _cl_report_add_row (stale, key, label);

      _cl_report_trace_row (stale, row, c);
      _cl_report_set_text (stale, row, 0, _cl_report_advocate_name (ctx, k->advocate));
      _cl_report_set_text (stale, row, 1, k->track >= 0 ? _cl_report_enum_label (CL_REPORT_ENUM_TRACK, k->track)
                                                         : _cl_report_not_recorded_label ());
      if (ctx->last_contact[c] != CL_DAY_NONE)
        {
          _cl_report_set_text (stale, row, 2, last);
          _cl_report_set_number (stale, row, 3, d - ctx->last_contact[c], CL_REPORT_UNIT_DAYS, 0, NULL);
        }
      else
        _cl_report_set_text (stale, row, 2, _("never"));
    }

  {
    g_autofree char *day = _cl_report_note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("Cases in outreach or active status on %s. "
                                                       "Age counts from the referral; a case is "
                                                       "stale after more than %u day without a "
                                                       "contact or attempt.",
                                                       "Cases in outreach or active status on %s. "
                                                       "Age counts from the referral; a case is "
                                                       "stale after more than %u days without a "
                                                       "contact or attempt.", ctx->p->stale_days),
                                             day, ctx->p->stale_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

/* A caseload on a past day counts cases closed since. */
static ClReportCaseScope
caseload_scope (const ClReportParams *params)
{
  return cl_report_params_get_as_of (params) < cl_report_params_get_today (params)
         ? CL_REPORT_SCOPE_ALL : CL_REPORT_SCOPE_OPEN;
}

const ClReportDef cl_report_def_caseload = {
  .info = {
    "caseload",
    N_("Supervisor caseload"),
    N_("Active caseload per advocate on a date, stale cases and case age, by track"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_CASE_NUMBER |
    CL_REPORT_NEED_STATUS_ON,
    FALSE,
  },
  .uses = CL_REPORT_USES_AS_OF | CL_REPORT_USES_STALE_DAYS,
  .case_scope_for = caseload_scope,
  .run = run_caseload,
};
