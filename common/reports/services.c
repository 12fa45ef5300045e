/* services.c: the report "services" (Services delivered)
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

static const ClReportColumnDef code_columns[] = {
  { "times", N_("Times provided") },
  { "records", N_("Services recorded") },
  { "individuals", N_("Individuals"), TRUE },
};

static const ClReportColumnDef category_columns[] = {
  { "times", N_("Times provided") },
  { "individuals", N_("Individuals"), TRUE },
};

static ClReportResult *
run_services (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = NULL;
  g_autofree gint64 *cmd_n = g_new0 (gint64, f->commands->len + 1);
  g_autofree guint *cmd_row = NULL;
  g_autoptr(GHashTable) code_clients = _cl_report_pair_set_new ();
  g_autoptr(GHashTable) cat_clients = _cl_report_pair_set_new ();
  g_autoptr(GHashTable) all_clients = g_hash_table_new (NULL, NULL);
  /* Traced runs only: the case of every service counted, behind the totals of individuals. */
  g_autoptr(GArray) served = g_array_new (FALSE, FALSE, sizeof (guint32));
  ClReportTable *by_code, *by_cat, *by_adv, *by_cmd;
  guint n_codes = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE)->n_values;

  by_code = _cl_report_breakdown_new (r, "by_code", _("Services by code"), _("Service"),
                                      code_columns, G_N_ELEMENTS (code_columns));
  {
    const ClEnum *e = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE);

    for (guint i = 0; i < e->n_values; i++)
      {
        g_autofree char *label = g_strdup_printf ("%s %s", e->values[i].code, _(e->values[i].label));
        _cl_report_add_row (by_code, e->values[i].code, label);
      }
  }
  by_cat = _cl_report_breakdown_new (r, "by_category", _("Services by category"), _("Category"),
                                     category_columns, G_N_ELEMENTS (category_columns));
  for (guint i = 0; i < CL_REPORT_N_SERVICE_CATEGORIES; i++)
    _cl_report_add_row (by_cat, _cl_report_service_categories[i].key, _(_cl_report_service_categories[i].label));

  by_adv = _cl_report_table_new (r, "by_advocate", _("Times provided by advocate"), _("Advocate"));
  by_cmd = _cl_report_table_new (r, "by_command", _("Times provided by command"), _("Command"));
  for (guint i = 0; i < CL_REPORT_N_SERVICE_CATEGORIES; i++)
    {
      _cl_report_add_column (by_adv, _cl_report_service_categories[i].key, _cl_report_service_categories[i].key);
      _cl_report_add_column (by_cmd, _cl_report_service_categories[i].key, _cl_report_service_categories[i].key);
    }
  _cl_report_add_column (by_adv, "total", _("Total"));
  _cl_report_add_column (by_cmd, "total", _("Total"));

  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 a = event_advocate (ctx, s->case_index, s->advocate);

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      adv_n[advocate_slot (f, a)]++;
      cmd_n[command_slot (f, get_case (ctx, s->case_index)->command)]++;
    }
  adv_row = _cl_report_add_advocate_rows (by_adv, f, adv_n, "not_recorded",
                                          _cl_report_not_recorded_label ());
  cmd_row = _cl_report_add_command_rows (by_cmd, f, cmd_n);

  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      guint32 a;
      guint cat;

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      k = get_case (ctx, s->case_index);
      cat = _cl_report_service_category (s->code);
      _cl_report_count_case (by_code, (guint) s->code, 0, s->times, s->case_index);
      _cl_report_count_case (by_code, (guint) s->code, 1, 1, s->case_index);
      /* A client counts once per code and category, but drills down to every case of
       * theirs served with it. */
      if (_cl_report_mark_pair (code_clients, (guint) s->code, k->client))
        _cl_report_add_count (by_code, (guint) s->code, 2, 1);
      _cl_report_trace (by_code, (guint) s->code, 2, s->case_index);
      _cl_report_count_case (by_cat, cat, 0, s->times, s->case_index);
      if (_cl_report_mark_pair (cat_clients, cat, k->client))
        _cl_report_add_count (by_cat, cat, 1, 1);
      _cl_report_trace (by_cat, cat, 1, s->case_index);
      g_hash_table_add (all_clients, GUINT_TO_POINTER (k->client + 1));
      if (ctx->trace)
        g_array_append_val (served, s->case_index);
      a = event_advocate (ctx, s->case_index, s->advocate);
      _cl_report_count_case (by_adv, adv_row[advocate_slot (f, a)], cat, s->times, s->case_index);
      _cl_report_count_case (by_cmd, cmd_row[command_slot (f, k->command)], cat, s->times, s->case_index);
    }

  _cl_report_zero_fill (by_code, all_columns (by_code));
  _cl_report_add_total_row (by_code, NULL);
  _cl_report_set_count (by_code, by_code->total_row, 2, g_hash_table_size (all_clients));
  _cl_report_zero_fill (by_cat, all_columns (by_cat));
  _cl_report_add_total_row (by_cat, NULL);
  _cl_report_set_count (by_cat, by_cat->total_row, 1, g_hash_table_size (all_clients));
  /* The distinct individuals are not a sum: they drill down to every case served. */
  for (guint i = 0; i < served->len; i++)
    {
      _cl_report_trace (by_code, by_code->total_row, 2, g_array_index (served, guint32, i));
      _cl_report_trace (by_cat, by_cat->total_row, 1, g_array_index (served, guint32, i));
    }
  _cl_report_set_chart (by_cat, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  for (guint i = 0; i < 2; i++)
    {
      ClReportTable *t = i == 0 ? by_adv : by_cmd;

      _cl_report_zero_fill (t, all_columns (t));
      _cl_report_add_total_row (t, NULL);
      _cl_report_set_total_col (t, CL_REPORT_N_SERVICE_CATEGORIES, BIT (CL_REPORT_N_SERVICE_CATEGORIES) - 1);
      _cl_report_set_chart (t, CL_REPORT_CHART_STACKED_BAR, BIT (CL_REPORT_N_SERVICE_CATEGORIES) - 1);
    }
  _cl_report_link_equal (r, _cl_report_ref (by_code, by_code->total_row, 0),
                         _cl_report_ref (by_cat, by_cat->total_row, 0));
  _cl_report_link_equal (r, _cl_report_ref (by_code, by_code->total_row, 2),
                         _cl_report_ref (by_cat, by_cat->total_row, 1));
  _cl_report_link_equal (r, _cl_report_ref (by_cat, by_cat->total_row, 0),
                         _cl_report_ref (by_adv, by_adv->total_row, CL_REPORT_N_SERVICE_CATEGORIES));
  _cl_report_link_equal (r, _cl_report_ref (by_cat, by_cat->total_row, 0),
                         _cl_report_ref (by_cmd, by_cmd->total_row, CL_REPORT_N_SERVICE_CATEGORIES));
  /* Category times are the sums of their codes. */
  for (guint cat = 0; cat < CL_REPORT_N_SERVICE_CATEGORIES; cat++)
    {
      g_autoptr(GArray) parts = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));

      for (guint code = 0; code < n_codes; code++)
        if (_cl_report_service_category ((int) code) == cat)
          {
            ClReportCellRef ref = _cl_report_ref (by_code, code, 0);
            g_array_append_val (parts, ref);
          }
      _cl_report_add_group (r, _cl_report_ref (by_cat, cat, 0),
                            (ClReportCellRef *) (gpointer) parts->data, parts->len);
    }

  _cl_report_add_note (r, _("Services dated in the period. “Times provided” adds up the "
                            "times recorded on each service (once when not recorded); "
                            "individuals are distinct clients, so they do not add up across "
                            "codes or categories."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_services = {
  .info = {
    "services",
    N_("Services delivered"),
    N_("Services by code and category, by advocate and by command"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_SERVICES,
    FALSE,
  },
  .case_scope = CL_REPORT_SCOPE_ALL,
  .service_window = CL_REPORT_WINDOW_PERIOD,
  .run = run_services,
};
