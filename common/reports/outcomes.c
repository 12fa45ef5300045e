/* outcomes.c: the report "outcomes" (Outcomes)
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

static ClReportResult *
run_outcomes (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autoptr(GHashTable) pairs = _cl_report_pair_set_new ();
  ClReportTable *services, *orders, *in_effect, *comp, *imm, *plans, *outbound;
  static const char *const service_rows[] = { "E4", "D1", "D2", "D3", "C1" };
  int codes[G_N_ELEMENTS (service_rows)];
  int op_types[2] = {
    _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "criminal_op"),
    _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "family_order"),
  };
  int granted_status = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_STATUS, "granted");
  int u_cert = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "u_cert");
  int t_decl = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "t_decl");
  int pending = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "pending");
  int connected = _cl_report_enum_index (CL_REPORT_ENUM_REFERRAL_OUTCOME, "connected");
  guint row;

  /* Services that are outcomes: protection orders, shelter, crisis intervention. */
  services = _cl_report_table_new (r, "services", _("Assistance given in the period"),
                                   _("Service"));
  _cl_report_add_column (services, "individuals", _("Individuals"));
  _cl_report_add_column (services, "times", _("Times provided"));
  services->sum_columns = 0;
  for (guint i = 0; i < G_N_ELEMENTS (service_rows); i++)
    {
      g_autofree char *label = NULL;

      codes[i] = _cl_report_enum_index (CL_REPORT_ENUM_SERVICE_CODE, service_rows[i]);
      label = g_strdup_printf ("%s %s", service_rows[i],
                               _cl_report_enum_label (CL_REPORT_ENUM_SERVICE_CODE, codes[i]));
      _cl_report_add_row (services, service_rows[i], label);
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (service_rows); j++)
        if (s->code == codes[j])
          {
            _cl_report_count_case (services, j, 1, s->times, s->case_index);
            if (_cl_report_mark_pair (pairs, j, get_case (ctx, s->case_index)->client))
              _cl_report_add_count (services, j, 0, 1);
            _cl_report_trace (services, j, 0, s->case_index);
          }
    }
  _cl_report_zero_fill (services, all_columns (services));

  /* Orders of protection on the cases in scope, by current status. */
  orders = _cl_report_table_new (r, "orders", _("Orders of protection"), _("Status"));
  _cl_report_add_column (orders, "criminal_op", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[0]));
  _cl_report_add_column (orders, "family_order", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[1]));
  _cl_report_add_column (orders, "total", _("Total"));
  _cl_report_add_enum_rows (orders, CL_REPORT_ENUM_LEGAL_STATUS, TRUE);
  in_effect = _cl_report_table_new (r, "orders_in_effect", _("Orders of protection in effect"), "");
  _cl_report_add_column (in_effect, "criminal_op", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[0]));
  _cl_report_add_column (in_effect, "family_order", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[1]));
  _cl_report_add_column (in_effect, "total", _("Total"));
  row = _cl_report_add_row (in_effect, "in_effect", _("In effect at the end of the period"));
  for (guint i = 0; i < f->legal_matters->len; i++)
    {
      const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);
      guint col = l->type == op_types[0] ? 0 : l->type == op_types[1] ? 1 : 2;

      if (col == 2 || !case_ok (ctx, l->case_index))
        continue;
      _cl_report_count_case (orders, enum_row (CL_REPORT_ENUM_LEGAL_STATUS, l->status), col, 1,
                             l->case_index);
      if (l->status == granted_status &&
          (l->order_expires == CL_DAY_NONE || l->order_expires >= ctx->to))
        _cl_report_count_case (in_effect, row, col, 1, l->case_index);
    }
  _cl_report_zero_fill (orders, all_columns (orders));
  _cl_report_add_total_row (orders, NULL);
  _cl_report_set_total_col (orders, 2, BIT (0) | BIT (1));
  _cl_report_zero_fill (in_effect, all_columns (in_effect));
  in_effect->sum_columns = 0;
  _cl_report_set_total_col (in_effect, 2, BIT (0) | BIT (1));
  for (guint col = 0; col < 3; col++)
    _cl_report_add_subset (r, _cl_report_ref (orders, enum_row (CL_REPORT_ENUM_LEGAL_STATUS, granted_status), col),
                           _cl_report_ref (in_effect, row, col));
  orders->note = g_strdup (_("Orders of protection recorded on the cases in scope, by their "
                             "current status; orders granted and not expired by the end of the "
                             "period are in effect."));

  /* Compensation claims filed in the period, by current status. */
  comp = _cl_report_table_new (r, "compensation", _("Compensation claims filed in the period"),
                               _("Current status"));
  _cl_report_add_column (comp, "claims", _("Claims"));
  _cl_report_add_enum_rows (comp, CL_REPORT_ENUM_CLAIM_STATUS, TRUE);
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);

      if (case_ok (ctx, k->case_index) && in_period (ctx, k->filed))
        _cl_report_count_case (comp, enum_row (CL_REPORT_ENUM_CLAIM_STATUS, k->status), 0, 1,
                               k->case_index);
    }
  _cl_report_zero_fill (comp, all_columns (comp));
  _cl_report_add_total_row (comp, NULL);

  /* U and T: requests made in the period, and decisions taken in it. */
  imm = _cl_report_table_new (r, "immigration", _("U-visa certifications and T-visa declarations"),
                              _("Type"));
  _cl_report_add_column (imm, "requested", _("Requested"));
  _cl_report_add_column (imm, "still_pending", _("Of these, still pending"));
  _cl_report_add_column (imm, "granted", _("Signed or granted"));
  _cl_report_add_column (imm, "denied", _("Denied"));
  _cl_report_add_column (imm, "withdrawn", _("Withdrawn"));
  _cl_report_add_row (imm, "u_cert", _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE, u_cert));
  _cl_report_add_row (imm, "t_decl", _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE, t_decl));
  for (guint i = 0; i < f->immigration->len; i++)
    {
      const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);
      guint irow = m->type == u_cert ? 0 : m->type == t_decl ? 1 : 2;

      if (irow == 2 || !case_ok (ctx, m->case_index))
        continue;
      if (in_period (ctx, m->requested))
        {
          _cl_report_count_case (imm, irow, 0, 1, m->case_index);
          if (m->decision < 0 || m->decision == pending)
            _cl_report_count_case (imm, irow, 1, 1, m->case_index);
        }
      if (m->decision >= 0 && m->decision != pending && in_period (ctx, m->decided))
        {
          const char *code = _cl_report_enum_code (CL_REPORT_ENUM_DECISION, m->decision);
          guint col = g_str_equal (code, "granted") ? 2 : g_str_equal (code, "denied") ? 3 : 4;

          _cl_report_count_case (imm, irow, col, 1, m->case_index);
        }
    }
  _cl_report_zero_fill (imm, all_columns (imm));
  _cl_report_add_total_row (imm, NULL);
  for (row = 0; row < imm->rows->len; row++)
    _cl_report_add_subset (r, _cl_report_ref (imm, row, 0), _cl_report_ref (imm, row, 1));
  _cl_report_set_chart (imm, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0, 2, 3));

  /* Safety plans. */
  plans = _cl_report_table_new (r, "safety_plans", _("Safety plans"), "");
  _cl_report_add_column (plans, "count", _("Count"));
  plans->sum_columns = 0;
  _cl_report_add_row (plans, "completed", _("Safety plans completed in the period"));
  _cl_report_add_row (plans, "reviewed", _("Safety plans reviewed in the period"));
  for (guint i = 0; i < f->safety_plans->len; i++)
    {
      const ClReportSafetyPlan *p = &g_array_index (f->safety_plans, ClReportSafetyPlan, i);

      if (!case_ok (ctx, p->case_index))
        continue;
      _cl_report_count_case (plans, 0, 0, in_period (ctx, p->completed), p->case_index);
      _cl_report_count_case (plans, 1, 0, in_period (ctx, p->reviewed), p->case_index);
    }
  _cl_report_zero_fill (plans, all_columns (plans));

  /* Referrals out, and how many connected. */
  outbound = _cl_report_table_new (r, "referrals_out", _("Referrals to partners made in the period"),
                                   _("Service type"));
  _cl_report_add_column (outbound, "made", _("Referrals made"));
  _cl_report_add_column (outbound, "connected", _("Connected"));
  _cl_report_add_column (outbound, "share", _("Share connected"));
  no_sum (outbound, 2);
  _cl_report_add_enum_rows (outbound, CL_REPORT_ENUM_REFERRAL_SERVICE, FALSE);
  for (guint i = 0; i < f->outbound->len; i++)
    {
      const ClReportOutbound *o = &g_array_index (f->outbound, ClReportOutbound, i);

      if (!case_ok (ctx, o->case_index) || !in_period (ctx, o->date) || o->service_type < 0)
        continue;
      _cl_report_count_case (outbound, (guint) o->service_type, 0, 1, o->case_index);
      _cl_report_count_case (outbound, (guint) o->service_type, 1, o->outcome == connected,
                             o->case_index);
    }
  _cl_report_zero_fill (outbound, BIT (0) | BIT (1));
  _cl_report_add_total_row (outbound, NULL);
  for (row = 0; row < outbound->rows->len; row++)
    {
      _cl_report_set_share_cells (outbound, row, 2, 1, 0);
      _cl_report_add_subset (r, _cl_report_ref (outbound, row, 0), _cl_report_ref (outbound, row, 1));
    }
  _cl_report_set_chart (outbound, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0, 1));

  _cl_report_add_note (r, _("Services, claims filed, requests, decisions, plans and referrals "
                            "out are those dated in the period."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_outcomes = {
  .info = {
    "outcomes",
    N_("Outcomes"),
    N_("Orders of protection, compensation claims, U and T requests and results, shelter, "
       "safety plans and referrals connected"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_LEGAL_MATTERS |
    CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_IMMIGRATION | CL_REPORT_NEED_SAFETY_PLANS |
    CL_REPORT_NEED_OUTBOUND,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_ALL,
  .service_window = CL_REPORT_WINDOW_PERIOD,
  .run = run_outcomes,
};
