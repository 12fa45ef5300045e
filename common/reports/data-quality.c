/* data-quality.c: the report "data-quality" (Data quality)
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

enum { DQ_NO_VICTIMIZATION, DQ_NO_SERVICE, DQ_INACTIVE, DQ_N };

static ClReportResult *
run_data_quality (Ctx                *ctx,
                  const ClReportInfo *info,
                  GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree guint8 *has_vt = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *has_service = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree ClDay *last_activity = g_new (ClDay, ctx->n_cases + 1);
  g_autofree guint8 *new_client = g_new0 (guint8, f->clients->len + 1);
  g_autofree guint8 *gaps = g_new0 (guint8, f->clients->len + 1);
  g_autofree guint8 *checked_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *problems = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = NULL;
  g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, sizeof (guint32));
  ClReportTable *clients, *cases, *by_adv, *list;
  int closed = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "closed");
  int referred = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "referred");
  int outreach = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "outreach");
  gint64 n_new = 0, miss_gender = 0, miss_race = 0, miss_age = 0, miss_any = 0;
  gint64 checked = 0, counts[DQ_N] = { 0, 0, 0 };
  ClDay d = ctx->as_of;
  guint row;

  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0)
        has_vt[v->case_index] = 1;
    }
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      last_activity[c] = ctx->last_contact[c];
      if (ctx->start[c] != CL_DAY_NONE && ctx->start[c] <= d &&
          (last_activity[c] == CL_DAY_NONE || ctx->start[c] > last_activity[c]))
        last_activity[c] = ctx->start[c];
      {
        ClDay note = local_day (ctx, get_case (ctx, c)->last_note);

        if (note != CL_DAY_NONE && note <= d && (last_activity[c] == CL_DAY_NONE || note > last_activity[c]))
          last_activity[c] = note;
      }
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);

      has_service[s->case_index] = 1;
      if (s->date <= d && (last_activity[s->case_index] == CL_DAY_NONE ||
                           s->date > last_activity[s->case_index]))
        last_activity[s->case_index] = s->date;
    }

  /* New clients: those with a case referred in the period. */
  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      new_client[get_case (ctx, c)->client] = 1;
  for (guint i = 0; i < f->clients->len; i++)
    {
      const ClReportClient *k = get_client (ctx, i);
      gboolean g, rc, a;

      if (!new_client[i])
        continue;
      n_new++;
      g = k->gender < 0;
      rc = k->race == 0;
      a = k->age_band < 0;
      miss_gender += g;
      miss_race += rc;
      miss_age += a;
      miss_any += g || rc || a;
      /* The rows of the clients table the client is missing from (gender, race, age). */
      gaps[i] = g | rc << 1 | a << 2;
    }

  /* Cases checked: open on the as-of day, or closed in the period. */
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      gboolean open = k->status != closed;

      if (!case_ok (ctx, c) ||
          !(open ? (ctx->start[c] == CL_DAY_NONE || ctx->start[c] <= d) : in_period (ctx, k->closed)))
        continue;
      checked++;
      checked_case[c] = 1;
      if (!has_vt[c])
        problems[c] |= 1 << DQ_NO_VICTIMIZATION;
      /* Cases still being reached out to have had no chance to receive services. */
      if (!has_service[c] && k->status != referred && k->status != outreach)
        problems[c] |= 1 << DQ_NO_SERVICE;
      if (open && (last_activity[c] == CL_DAY_NONE || d - last_activity[c] > (ClDay) ctx->p->stale_days))
        problems[c] |= 1 << DQ_INACTIVE;
      for (guint p = 0; p < DQ_N; p++)
        counts[p] += (problems[c] >> p) & 1;
      if (problems[c])
        adv_n[advocate_slot (f, k->advocate)]++;
    }

  clients = _cl_report_table_new (r, "clients", _("New clients missing funder demographics"), "");
  _cl_report_add_column (clients, "clients", _("Clients"));
  clients->sum_columns = 0;
  row = _cl_report_add_row (clients, "new", _("New clients in the period"));
  _cl_report_set_count (clients, row, 0, n_new);
  row = _cl_report_add_row (clients, "missing_gender", _("Gender not recorded"));
  _cl_report_set_count (clients, row, 0, miss_gender);
  row = _cl_report_add_row (clients, "missing_race", _("Race/ethnicity not recorded"));
  _cl_report_set_count (clients, row, 0, miss_race);
  row = _cl_report_add_row (clients, "missing_age", _("Age not recorded"));
  _cl_report_set_count (clients, row, 0, miss_age);
  row = _cl_report_add_row (clients, "missing_any", _("Missing any of these"));
  _cl_report_set_count (clients, row, 0, miss_any);
  for (guint i = 1; i <= 4; i++)
    _cl_report_add_subset (r, _cl_report_ref (clients, 0, 0), _cl_report_ref (clients, i, 0));
  for (guint i = 1; i <= 3; i++)
    _cl_report_add_subset (r, _cl_report_ref (clients, 4, 0), _cl_report_ref (clients, i, 0));
  /* Drill-down: a new client through the cases that made them new. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        {
          guint8 missing = gaps[get_case (ctx, c)->client];

          _cl_report_trace (clients, 0, 0, c);
          for (guint i = 0; i < 3; i++)
            if (missing & (1 << i))
              _cl_report_trace (clients, 1 + i, 0, c);
          if (missing)
            _cl_report_trace (clients, 4, 0, c);
        }

  cases = _cl_report_table_new (r, "cases", _("Cases with gaps"), "");
  _cl_report_add_column (cases, "cases", _("Cases"));
  cases->sum_columns = 0;
  row = _cl_report_add_row (cases, "checked", _("Cases checked"));
  _cl_report_set_count (cases, row, 0, checked);
  row = _cl_report_add_row (cases, "no_victimization", _("No victimization type"));
  _cl_report_set_count (cases, row, 0, counts[DQ_NO_VICTIMIZATION]);
  row = _cl_report_add_row (cases, "no_service", _("Engaged but no service recorded"));
  _cl_report_set_count (cases, row, 0, counts[DQ_NO_SERVICE]);
  row = _cl_report_add_row (cases, "inactive", _("Open with no recent activity"));
  _cl_report_set_count (cases, row, 0, counts[DQ_INACTIVE]);
  for (guint i = 1; i <= DQ_N; i++)
    _cl_report_add_subset (r, _cl_report_ref (cases, 0, 0), _cl_report_ref (cases, i, 0));
  /* Drill-down: the cases checked, and those of them with each gap. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (checked_case[c])
        {
          _cl_report_trace (cases, 0, 0, c);
          for (guint p = 0; p < DQ_N; p++)
            if (problems[c] & (1 << p))
              _cl_report_trace (cases, 1 + p, 0, c);
        }
  _cl_report_set_chart (cases, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  by_adv = _cl_report_table_new (r, "by_advocate", _("Gaps by advocate"), _("Advocate"));
  _cl_report_add_column (by_adv, "no_victimization", _("No victimization type"));
  _cl_report_add_column (by_adv, "no_service", _("No service"));
  _cl_report_add_column (by_adv, "inactive", _("No recent activity"));
  adv_row = _cl_report_add_advocate_rows (by_adv, f, adv_n, "unassigned", _("Unassigned"));

  list = _cl_report_table_new (r, "items", _("Cases to fix"), _("Case"));
  list->internal_only = TRUE;
  _cl_report_add_column (list, "advocate", _("Advocate"));
  _cl_report_add_column (list, "problems", _("Gaps"));
  list->sum_columns = 0;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (problems[c])
      g_array_append_val (listed, c);
  g_array_sort_with_data (listed, _cl_report_compare_case_indexes, ctx);
  for (guint i = 0; i < listed->len; i++)
    {
      guint32 c = g_array_index (listed, guint32, i);
      const ClReportCase *k = get_case (ctx, c);
      guint arow;
      g_autoptr(GString) text = NULL;
      g_autofree char *label = NULL;
      g_autofree char *key = NULL;

      arow = adv_row[advocate_slot (f, k->advocate)];
      for (guint p = 0; p < DQ_N; p++)
        if (problems[c] & (1 << p))
          _cl_report_count_case (by_adv, arow, p, 1, c);

      text = g_string_new (NULL);
      if (problems[c] & (1 << DQ_NO_VICTIMIZATION))
        g_string_append (text, _("no victimization type"));
      if (problems[c] & (1 << DQ_NO_SERVICE))
        g_string_append_printf (text, "%s%s", text->len ? "; " : "", _("no service"));
      if (problems[c] & (1 << DQ_INACTIVE))
        g_string_append_printf (text, "%s%s", text->len ? "; " : "", _("no recent activity"));
      label = _cl_report_case_label (ctx, c);
      key = g_strdup_printf ("%u", list->rows->len + 1);
      row = _cl_report_add_row (list, key, label);
      _cl_report_trace_row (list, row, c);
      _cl_report_set_text (list, row, 0, _cl_report_advocate_name (ctx, k->advocate));
      _cl_report_set_text (list, row, 1, text->str);
    }
  _cl_report_zero_fill (by_adv, all_columns (by_adv));
  _cl_report_add_total_row (by_adv, NULL);
  for (guint p = 0; p < DQ_N; p++)
    _cl_report_link_equal (r, _cl_report_ref (cases, 1 + p, 0),
                           _cl_report_ref (by_adv, by_adv->total_row, p));

  {
    g_autofree char *day = _cl_report_note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("New clients are those with a case referred "
                                                       "in the period. Cases checked are those open "
                                                       "on %s and those closed in the period; a "
                                                       "case has no recent activity after more than "
                                                       "%u day without a contact, service or note.",
                                                       "New clients are those with a case referred "
                                                       "in the period. Cases checked are those open "
                                                       "on %s and those closed in the period; a "
                                                       "case has no recent activity after more than "
                                                       "%u days without a contact, service or note.",
                                                       ctx->p->stale_days),
                                             day, ctx->p->stale_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_data_quality = {
  .info = {
    "data-quality",
    N_("Data quality"),
    N_("New clients missing funder demographics, cases without victimization type or "
       "services, open cases with no recent activity"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_LAST_NOTE |
    CL_REPORT_NEED_AGE_FROM_DOB | CL_REPORT_NEED_CASE_NUMBER,
    FALSE,
  },
  .uses = CL_REPORT_USES_AS_OF | CL_REPORT_USES_STALE_DAYS,
  .case_scope = CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD,
  .run = run_data_quality,
};
