/* outreach.c: the report "outreach" (Outreach effort)
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

enum { OE_ATTEMPTS, OE_REACHED, OE_RATE };

static const ClReportColumnDef outreach_columns[] = {
  { "contacts", N_("Contacts and attempts") },
  { "reached", N_("Successful") },
  { "rate", N_("Reach rate"), TRUE },
};

static ClReportTable *
outreach_table (ClReportResult *r,
                const char     *key,
                const char     *title,
                const char     *row_header)
{
  return _cl_report_breakdown_new (r, key, title, row_header, outreach_columns,
                                   G_N_ELEMENTS (outreach_columns));
}

static void
outreach_finish (ClReportResult *r,
                 ClReportTable  *t)
{
  _cl_report_zero_fill (t, BIT (OE_ATTEMPTS) | BIT (OE_REACHED));
  _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row < t->rows->len; row++)
    {
      _cl_report_set_share_cells (t, row, OE_RATE, OE_REACHED, OE_ATTEMPTS);
      _cl_report_add_subset (r, _cl_report_ref (t, row, OE_ATTEMPTS),
                             _cl_report_ref (t, row, OE_REACHED));
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (OE_ATTEMPTS, OE_REACHED));
}

static ClReportResult *
run_outreach (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = NULL;
  ClReportTable *summary, *outcomes, *by_channel, *by_adv;
  gint64 referrals = 0, attempts = 0, reached = 0, none = 0;
  guint row;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      {
        referrals++;
        attempts += ctx->n_attempts[c];
        reached += ctx->first_success[c] != CL_TIME_NONE;
        none += ctx->first_attempt[c] == CL_TIME_NONE;
      }

  summary = _cl_report_table_new (r, "summary", _("Referrals of the period"), "");
  _cl_report_add_column (summary, "value", _("Value"));
  summary->sum_columns = 0;
  row = _cl_report_add_row (summary, "referrals", _("New referrals"));
  _cl_report_set_count (summary, row, 0, referrals);
  row = _cl_report_add_row (summary, "attempts", _("Outreach attempts on them"));
  _cl_report_set_count (summary, row, 0, attempts);
  row = _cl_report_add_row (summary, "attempts_per_referral", _("Attempts per referral"));
  {
    ClReportCellRef dep = _cl_report_ref (summary, 0, 0);
    _cl_report_set_number (summary, row, 0, referrals > 0 ? (double) attempts / referrals : NAN,
                           CL_REPORT_UNIT_NONE, 1, &dep);
  }
  row = _cl_report_add_row (summary, "reached", _("Referrals reached"));
  _cl_report_set_count (summary, row, 0, reached);
  row = _cl_report_add_row (summary, "reach_rate", _("Reach rate (referrals reached)"));
  {
    ClReportCellRef num = _cl_report_ref (summary, 3, 0), den = _cl_report_ref (summary, 0, 0);
    _cl_report_set_share (summary, row, 0, reached, referrals, &num, &den);
  }
  row = _cl_report_add_row (summary, "no_attempt", _("Referrals with no attempt yet"));
  _cl_report_set_count (summary, row, 0, none);
  _cl_report_add_subset (r, _cl_report_ref (summary, 0, 0), _cl_report_ref (summary, 3, 0));
  _cl_report_add_subset (r, _cl_report_ref (summary, 0, 0), _cl_report_ref (summary, 5, 0));
  /* Drill-down: the referrals, and those of them behind each count. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        {
          _cl_report_trace (summary, 0, 0, c);
          if (ctx->n_attempts[c] > 0)
            _cl_report_trace (summary, 1, 0, c);
          if (ctx->first_success[c] != CL_TIME_NONE)
            _cl_report_trace (summary, 3, 0, c);
          if (ctx->first_attempt[c] == CL_TIME_NONE)
            _cl_report_trace (summary, 5, 0, c);
        }

  outcomes = _cl_report_table_new (r, "outcomes", _("Outcome of contacts in the period"),
                                   _("Outcome"));
  _cl_report_add_column (outcomes, "contacts", _("Contacts and attempts"));
  _cl_report_add_column (outcomes, "share", _("Share"));
  no_sum (outcomes, 1);
  _cl_report_add_enum_rows (outcomes, CL_REPORT_ENUM_CONTACT_OUTCOME, FALSE);
  by_channel = outreach_table (r, "by_channel", _("Contacts in the period by channel"),
                               _("Channel"));
  _cl_report_add_enum_rows (by_channel, CL_REPORT_ENUM_CHANNEL, TRUE);
  by_adv = outreach_table (r, "by_advocate", _("Contacts in the period by advocate"),
                           _("Advocate"));

  for (guint i = 0; i < f->contacts->len; i++)
    {
      const ClReportContact *k = &g_array_index (f->contacts, ClReportContact, i);
      guint32 a = event_advocate (ctx, k->case_index, k->advocate);

      if (contact_ok (ctx, k) && in_period (ctx, local_day (ctx, k->at)))
        adv_n[advocate_slot (f, a)]++;
    }
  adv_row = _cl_report_add_advocate_rows (by_adv, f, adv_n, "not_recorded",
                                          _cl_report_not_recorded_label ());

  for (guint i = 0; i < f->contacts->len; i++)
    {
      const ClReportContact *k = &g_array_index (f->contacts, ClReportContact, i);
      guint32 a;
      gboolean ok;

      if (!contact_ok (ctx, k) || !in_period (ctx, local_day (ctx, k->at)))
        continue;
      ok = is_success (ctx, k->outcome);
      if (k->outcome >= 0)
        _cl_report_count_case (outcomes, (guint) k->outcome, 0, 1, k->case_index);
      row = enum_row (CL_REPORT_ENUM_CHANNEL, k->channel);
      _cl_report_count_case (by_channel, row, OE_ATTEMPTS, 1, k->case_index);
      _cl_report_count_case (by_channel, row, OE_REACHED, ok, k->case_index);
      a = event_advocate (ctx, k->case_index, k->advocate);
      row = adv_row[advocate_slot (f, a)];
      _cl_report_count_case (by_adv, row, OE_ATTEMPTS, 1, k->case_index);
      _cl_report_count_case (by_adv, row, OE_REACHED, ok, k->case_index);
    }

  _cl_report_zero_fill (outcomes, BIT (0));
  _cl_report_add_total_row (outcomes, NULL);
  for (row = 0; row < outcomes->rows->len; row++)
    _cl_report_set_share_cells (outcomes, row, 1, 0, 0);
  for (row = 0; row + 1 < outcomes->rows->len; row++)
    {
      ClReportCellRef num = _cl_report_ref (outcomes, row, 0);
      ClReportCellRef den = _cl_report_ref (outcomes, outcomes->total_row, 0);
      ClReportCell *n = _cl_report_cell (outcomes, row, 0);
      ClReportCell *d = _cl_report_cell (outcomes, outcomes->total_row, 0);

      _cl_report_set_share (outcomes, row, 1, n->count, d->count, &num, &den);
    }
  _cl_report_set_chart (outcomes, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  outreach_finish (r, by_channel);
  outreach_finish (r, by_adv);
  _cl_report_link_equal (r, _cl_report_ref (outcomes, outcomes->total_row, 0),
                         _cl_report_ref (by_channel, by_channel->total_row, OE_ATTEMPTS));
  _cl_report_link_equal (r, _cl_report_ref (outcomes, outcomes->total_row, 0),
                         _cl_report_ref (by_adv, by_adv->total_row, OE_ATTEMPTS));
  _cl_report_link_equal (r, _cl_report_ref (by_channel, by_channel->total_row, OE_REACHED),
                         _cl_report_ref (by_adv, by_adv->total_row, OE_REACHED));

  _cl_report_add_note (r, _("Attempts per referral and the referral reach rate follow the "
                            "referrals received in the period, with every outbound contact "
                            "logged on them. The other tables count the contacts logged in "
                            "the period, inbound and outbound; a contact is successful when "
                            "the person was reached or a meeting was scheduled."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_outreach = {
  .info = {
    "outreach",
    N_("Outreach effort"),
    N_("Attempts per referral, reach rate and the outcome mix of contacts"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CONTACTS,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_ALL,
  .run = run_outreach,
};
