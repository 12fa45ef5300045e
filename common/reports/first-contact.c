/* first-contact.c: the report "first-contact" (Time to first attempt and first contact)
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

enum {
  FC_CASES, FC_WITH, FC_NONE, FC_MEDIAN, FC_MEAN, FC_P90, FC_24H, FC_72H, FC_7D, FC_N_COLS
};

static ClReportTable *
first_contact_table (ClReportResult *r,
                     const char     *key,
                     const char     *title,
                     const char     *with_label,
                     const char     *none_label)
{
  ClReportTable *t = _cl_report_table_new (r, key, title, _("Referrals"));

  _cl_report_add_column (t, "cases", _("Referrals"));
  _cl_report_add_column (t, "with", with_label);
  _cl_report_add_column (t, "none", none_label);
  _cl_report_add_column (t, "median_hours", _("Median (hours)"));
  _cl_report_add_column (t, "mean_hours", _("Mean (hours)"));
  _cl_report_add_column (t, "p90_hours", _("90th percentile (hours)"));
  _cl_report_add_column (t, "within_24h", _("Within 24 hours"));
  _cl_report_add_column (t, "within_72h", _("Within 72 hours"));
  _cl_report_add_column (t, "within_7d", _("Within 7 days"));
  t->sum_columns = BIT (FC_CASES) | BIT (FC_WITH) | BIT (FC_NONE);
  _cl_report_add_row (t, "safe_channel", _("With a safe channel"));
  _cl_report_add_row (t, "no_safe_channel", _("No safe channel"));
  return t;
}

/* The limits of the shares within 24 hours, 72 hours and 7 days. */
static const gint64 fc_limits[3] = { 24 * 3600, 72 * 3600, 7 * 24 * 3600 };

/* The group of a referral: row 0 when its client has a safe channel, else row 1. */
static guint
first_contact_group (Ctx     *ctx,
                     guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);

  return (k->client != CL_REPORT_NO_INDEX &&
          (get_client (ctx, k->client)->flags & CL_REPORT_CLIENT_SAFE_CHANNEL)) ? 0 : 1;
}

/* Seconds from referral @c to @first, -1 if there is none. A contact logged before the
 * referral's time counts as immediate. */
static gint64
first_contact_delay (Ctx     *ctx,
                     guint32  c,
                     ClTime   first)
{
  return first != CL_TIME_NONE ? MAX (0, first - ctx->received[c]) : -1;
}

/* Drill-down: referral @c is behind the cells of @row that count it. Its delay is -1 when
 * it has no first attempt (or contact) yet. A share within 24 hours … 7 days has no count
 * of its own: it is traced to the referrals in time, not to all those it is a share of. */
static void
first_contact_trace (ClReportTable *t,
                     guint          row,
                     guint32        c,
                     gint64         delay)
{
  _cl_report_trace (t, row, FC_CASES, c);
  _cl_report_trace (t, row, delay < 0 ? FC_NONE : FC_WITH, c);
  for (guint l = 0; l < 3; l++)
    if (delay >= 0 && delay <= fc_limits[l])
      _cl_report_trace (t, row, FC_24H + l, c);
}

static void
first_contact_fill (ClReportTable *t,
                    guint          row,
                    GArray        *seconds,
                    gint64         cases)
{
  ClReportStats stats;
  gint64 within[3] = { 0, 0, 0 };
  ClReportCellRef n_ref = _cl_report_ref (t, row, FC_WITH);
  ClReportCellRef cases_ref = _cl_report_ref (t, row, FC_CASES);

  _cl_report_set_count (t, row, FC_CASES, cases);
  _cl_report_set_count (t, row, FC_WITH, seconds->len);
  _cl_report_set_count (t, row, FC_NONE, cases - seconds->len);
  for (guint i = 0; i < seconds->len; i++)
    for (guint l = 0; l < 3; l++)
      if (g_array_index (seconds, gint64, i) <= fc_limits[l])
        within[l]++;
  if (_cl_report_stats (seconds, &stats))
    {
      _cl_report_set_number (t, row, FC_MEDIAN, stats.median / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
      _cl_report_set_number (t, row, FC_MEAN, stats.mean / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
      _cl_report_set_number (t, row, FC_P90, stats.p90 / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
    }
  for (guint l = 0; l < 3; l++)
    _cl_report_set_share (t, row, FC_24H + l, within[l], cases, NULL, &cases_ref);
}

static ClReportResult *
run_first_contact (Ctx                *ctx,
                   const ClReportInfo *info,
                   GError            **error)
{
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  ClReportTable *tables[2];
  /* [measure][row]: row 0 safe channel, 1 none, 2 all */
  GArray *seconds[2][3];
  gint64 cases[3] = { 0, 0, 0 };

  tables[0] = first_contact_table (r, "first_attempt", _("Time to first attempt"),
                                   _("With an attempt"), _("No attempt yet"));
  tables[1] = first_contact_table (r, "first_contact", _("Time to first successful contact"),
                                   _("Reached"), _("Not reached yet"));
  for (guint m = 0; m < 2; m++)
    for (guint row = 0; row < 3; row++)
      seconds[m][row] = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      guint row;
      ClTime firsts[2];

      if (!referred_in_period (ctx, c))
        continue;
      row = first_contact_group (ctx, c);
      cases[row]++;
      cases[2]++;
      firsts[0] = ctx->first_attempt[c];
      firsts[1] = ctx->first_success[c];
      for (guint m = 0; m < 2; m++)
        {
          gint64 delay = first_contact_delay (ctx, c, firsts[m]);

          if (delay >= 0)
            {
              g_array_append_val (seconds[m][row], delay);
              g_array_append_val (seconds[m][2], delay);
            }
        }
    }

  for (guint m = 0; m < 2; m++)
    {
      ClReportTable *t = tables[m];
      guint total;

      first_contact_fill (t, 0, seconds[m][0], cases[0]);
      first_contact_fill (t, 1, seconds[m][1], cases[1]);
      total = _cl_report_add_total_row (t, _("All referrals"));
      first_contact_fill (t, total, seconds[m][2], cases[2]);
      for (guint row = 0; row <= total; row++)
        {
          ClReportCellRef parts[2] = { _cl_report_ref (t, row, FC_WITH), _cl_report_ref (t, row, FC_NONE) };
          _cl_report_add_group (r, _cl_report_ref (t, row, FC_CASES), parts, 2);
        }
      _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (FC_MEDIAN, FC_MEAN, FC_P90));
      for (guint row = 0; row < 3; row++)
        g_array_unref (seconds[m][row]);
    }
  /* Drill-down, once the total rows exist: every referral is behind its group and the total. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        for (guint m = 0; m < 2; m++)
          {
            ClTime first = m == 0 ? ctx->first_attempt[c] : ctx->first_success[c];
            gint64 delay = first_contact_delay (ctx, c, first);

            first_contact_trace (tables[m], first_contact_group (ctx, c), c, delay);
            first_contact_trace (tables[m], (guint) tables[m]->total_row, c, delay);
          }
  for (guint col = FC_CASES; col <= FC_CASES; col++)
    _cl_report_link_equal (r, _cl_report_ref (tables[0], tables[0]->total_row, col),
                           _cl_report_ref (tables[1], tables[1]->total_row, col));
  for (guint row = 0; row < 2; row++)
    _cl_report_link_equal (r, _cl_report_ref (tables[0], row, FC_CASES),
                           _cl_report_ref (tables[1], row, FC_CASES));

  _cl_report_add_note (r, _("Referrals received in the period. Times run from the referral "
                            "to the first contact attempt (any contact logged), and to the "
                            "first successful contact (reached, or a meeting scheduled). "
                            "Shares are of all referrals, reached or not. Clients with no "
                            "channel marked safe are shown apart."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_first_contact = {
  .info = {
    "first-contact",
    N_("Time to first attempt and first contact"),
    N_("Median, mean and 90th percentile time from referral to first attempt and first "
       "successful contact, with shares within 24 hours, 72 hours and 7 days"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_SAFE_CHANNEL,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_RECEIVED_IN_PERIOD,
  .run = run_first_contact,
};
