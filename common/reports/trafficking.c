/* trafficking.c: the report "trafficking" (Trafficking (TIMS-style))
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

typedef struct {
  guint8 served;       /* a service in the period on a trafficking case */
  guint8 family;       /* served only as a family member (secondary victim) */
  ClDay  first;        /* first service ever on a trafficking case */
  gint8  sex, labor, both;
  gint8  minor;        /* -1 unknown */
  gint8  adult_known;
  gint8  foreign;      /* -1 unknown, 0 citizen or LPR, 1 foreign national */
  gint8  citizen_known;
  ClTime first_case;   /* earliest referral among the served trafficking cases */
  gint8  source;
} TrClient;

static const ClReportColumnDef client_column = { "clients", N_("Clients") };

static ClReportResult *
run_trafficking (Ctx                *ctx,
                 const ClReportInfo *info,
                 GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autofree TrClient *tc = g_new0 (TrClient, f->clients->len + 1);
  g_autofree guint8 *tr_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *served_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autoptr(GHashTable) code_pairs = _cl_report_pair_set_new ();
  int track = _cl_report_enum_index (CL_REPORT_ENUM_TRACK, "trafficking");
  int secondary = _cl_report_enum_index (CL_REPORT_ENUM_VICTIM_ROLE, "secondary");
  int vt_labor = _cl_report_enum_index (CL_REPORT_ENUM_VICTIMIZATION, "trafficking_labor");
  int vt_sex = _cl_report_enum_index (CL_REPORT_ENUM_VICTIMIZATION, "trafficking_sex");
  int tt_sex = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "sex");
  int tt_labor = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "labor");
  int tt_both = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "both");
  int minor_bands[2] = {
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "0_12"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "13_17"),
  };
  int known_adult_bands[3] = {
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "18_24"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "25_59"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "60_plus"),
  };
  ClReportTable *totals, *family, *by_type, *by_age, *by_gender, *by_cit, *by_source;
  ClReportTable *svc, *imm, *legal;
  gint64 clients = 0, clients_new = 0, fam = 0, fam_new = 0;
  guint row;

  /* Trafficking cases: the trafficking track, or a trafficking victimization. */
  for (guint c = 0; c < ctx->n_cases; c++)
    tr_case[c] = get_case (ctx, c)->track == track;
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type == vt_labor || v->type == vt_sex || v->trafficking_type >= 0)
        tr_case[v->case_index] = 1;
    }

  for (guint i = 0; i < f->clients->len; i++)
    {
      tc[i].first = CL_DAY_NONE;
      tc[i].minor = -1;
      tc[i].foreign = -1;
      tc[i].family = 1;
      tc[i].first_case = CL_TIME_NONE;
      tc[i].source = -1;
    }

  /* Served in the period; first service ever. */
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 client;

      if (!tr_case[s->case_index] || s->date > ctx->to || !service_ok (ctx, s))
        continue;
      client = get_case (ctx, s->case_index)->client;
      if (tc[client].first == CL_DAY_NONE || s->date < tc[client].first)
        tc[client].first = s->date;
      if (s->date >= ctx->from)
        {
          tc[client].served = 1;
          served_case[s->case_index] = 1;
        }
    }
  for (guint c = 0; c < ctx->n_cases; c++)
    if (served_case[c])
      {
        const ClReportCase *k = get_case (ctx, c);
        TrClient *t = &tc[k->client];

        if (k->victim_role != secondary)
          t->family = 0;
        if (ctx->received[c] != CL_TIME_NONE &&
            (t->first_case == CL_TIME_NONE || ctx->received[c] < t->first_case ||
             (ctx->received[c] == t->first_case && ctx->source[c] < t->source)))
          {
            t->first_case = ctx->received[c];
            t->source = ctx->source[c];
          }
        else if (t->first_case == CL_TIME_NONE && t->source < 0)
          t->source = ctx->source[c];
      }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);
      TrClient *t;

      if (!served_case[v->case_index])
        continue;
      t = &tc[get_case (ctx, v->case_index)->client];
      if (v->trafficking_type == tt_both)
        t->both = 1;
      if (v->trafficking_type == tt_sex || v->type == vt_sex)
        t->sex = 1;
      if (v->trafficking_type == tt_labor || v->type == vt_labor)
        t->labor = 1;
      if (v->minor == 1)
        t->minor = 1;
      else if (v->minor == 0)
        t->adult_known = 1;
      if (v->foreign_national == 1)
        t->foreign = 1;
      else if (v->foreign_national == 0)
        t->citizen_known = 1;
    }

  totals = _cl_report_table_new (r, "clients", _("Clients served"), "");
  _cl_report_add_column (totals, "total", _("Total"));
  _cl_report_add_column (totals, "new", _("New"));
  totals->sum_columns = 0;
  family = _cl_report_table_new (r, "family", _("Family members served (counted apart)"), "");
  _cl_report_add_column (family, "total", _("Total"));
  _cl_report_add_column (family, "new", _("New"));
  family->sum_columns = 0;

  by_type = _cl_report_breakdown_new (r, "by_type", _("By type of trafficking"), _("Type"),
                                      &client_column, 1);
  _cl_report_add_row (by_type, "sex", _("Sex trafficking"));
  _cl_report_add_row (by_type, "labor", _("Labor trafficking"));
  _cl_report_add_row (by_type, "both", _("Sex and labor trafficking"));
  _cl_report_add_row (by_type, "unknown", _("Unknown"));
  by_age = _cl_report_breakdown_new (r, "by_age", _("Adults and minors"), _("Age"),
                                     &client_column, 1);
  _cl_report_add_row (by_age, "adult", _("Adult"));
  _cl_report_add_row (by_age, "minor", _("Minor"));
  _cl_report_add_row (by_age, "unknown", _("Unknown"));
  by_gender = _cl_report_breakdown_new (r, "by_gender", _("By gender"), _("Gender"),
                                        &client_column, 1);
  _cl_report_add_enum_rows (by_gender, CL_REPORT_ENUM_GENDER, TRUE);
  by_cit = _cl_report_breakdown_new (r, "by_citizenship", _("By citizenship"), _("Citizenship"),
                                     &client_column, 1);
  _cl_report_add_row (by_cit, "citizen_lpr", _("U.S. citizen or lawful permanent resident"));
  _cl_report_add_row (by_cit, "foreign_national", _("Foreign national"));
  _cl_report_add_row (by_cit, "unknown", _("Unknown"));
  by_source = _cl_report_breakdown_new (r, "by_source", _("By referral source"), _("Source"),
                                        &client_column, 1);
  _cl_report_add_enum_rows (by_source, CL_REPORT_ENUM_REFERRAL_SOURCE, TRUE);

  for (guint i = 0; i < f->clients->len; i++)
    {
      TrClient *t = &tc[i];
      const ClReportClient *k = get_client (ctx, i);
      gboolean is_new;
      int age_row;

      if (!t->served)
        continue;
      is_new = t->first >= ctx->from;
      if (t->family)
        {
          fam++;
          fam_new += is_new;
          continue;
        }
      clients++;
      clients_new += is_new;
      _cl_report_add_count (by_type, (t->both || (t->sex && t->labor)) ? 2 : t->sex ? 0 : t->labor ? 1 : 3, 0, 1);
      /* Minor at the time of the trafficking, as the victimizations say; else the age
       * band. */
      if (t->minor == 1)
        age_row = 1;
      else if (t->adult_known)
        age_row = 0;
      else if (k->age_band == minor_bands[0] || k->age_band == minor_bands[1])
        age_row = 1;
      else if (k->age_band == known_adult_bands[0] || k->age_band == known_adult_bands[1] ||
               k->age_band == known_adult_bands[2])
        age_row = 0;
      else
        age_row = 2;
      _cl_report_add_count (by_age, (guint) age_row, 0, 1);
      _cl_report_add_count (by_gender, enum_row (CL_REPORT_ENUM_GENDER, k->gender), 0, 1);
      _cl_report_add_count (by_cit, t->foreign == 1 ? 1 : t->citizen_known ? 0 : 2, 0, 1);
      _cl_report_add_count (by_source, enum_row (CL_REPORT_ENUM_REFERRAL_SOURCE, t->source), 0, 1);
    }
  row = _cl_report_add_row (totals, "clients", _("Clients"));
  _cl_report_set_count (totals, row, 0, clients);
  _cl_report_set_count (totals, row, 1, clients_new);
  row = _cl_report_add_row (family, "family", _("Family members"));
  _cl_report_set_count (family, row, 0, fam);
  _cl_report_set_count (family, row, 1, fam_new);
  _cl_report_add_subset (r, _cl_report_ref (totals, 0, 0), _cl_report_ref (totals, 0, 1));
  _cl_report_add_subset (r, _cl_report_ref (family, 0, 0), _cl_report_ref (family, 0, 1));
  {
    ClReportTable *blocks[] = { by_type, by_age, by_gender, by_cit, by_source };

    for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        _cl_report_zero_fill (blocks[b], BIT (0));
        _cl_report_add_total_row (blocks[b], NULL);
        _cl_report_link_equal (r, _cl_report_ref (totals, 0, 0),
                               _cl_report_ref (blocks[b], blocks[b]->total_row, 0));
      }
  }
  _cl_report_set_chart (by_type, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_set_chart (by_source, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  /* Services to clients (not family members). */
  svc = _cl_report_table_new (r, "services", _("Services to clients"), _("Service"));
  _cl_report_add_column (svc, "clients", _("Clients"));
  _cl_report_add_column (svc, "times", _("Times provided"));
  no_sum (svc, 0);
  {
    const ClEnum *e = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE);

    for (guint i = 0; i < e->n_values; i++)
      {
        g_autofree char *label = g_strdup_printf ("%s %s", e->values[i].code, _(e->values[i].label));
        _cl_report_add_row (svc, e->values[i].code, label);
      }
  }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 client;

      if (!served_case[s->case_index] || !in_period (ctx, s->date) || !service_ok (ctx, s))
        continue;
      client = get_case (ctx, s->case_index)->client;
      if (tc[client].family)
        continue;
      _cl_report_add_count (svc, (guint) s->code, 1, s->times);
      if (_cl_report_mark_pair (code_pairs, (guint) s->code, client))
        _cl_report_add_count (svc, (guint) s->code, 0, 1);
    }
  _cl_report_zero_fill (svc, all_columns (svc));
  _cl_report_add_total_row (svc, NULL);
  _cl_report_set_count (svc, svc->total_row, 0, clients);
  _cl_report_link_equal (r, _cl_report_ref (svc, svc->total_row, 0), _cl_report_ref (totals, 0, 0));

  /* Immigration milestones on trafficking cases in scope, dated in the period. */
  imm = _cl_report_table_new (r, "immigration", _("Immigration milestones"), _("Milestone"));
  _cl_report_add_column (imm, "requested", _("Requested"));
  _cl_report_add_column (imm, "granted", _("Signed or granted"));
  _cl_report_add_column (imm, "denied", _("Denied"));
  _cl_report_add_column (imm, "filed", _("Filed"));
  imm->sum_columns = 0;
  {
    static const char *const types[] = {
      "continued_presence", "hhs_letter", "t_decl", "u_cert", "nys_confirmation",
    };
    int type_index[G_N_ELEMENTS (types)];
    int granted = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "granted");
    int denied = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "denied");
    guint t_app;

    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        type_index[i] = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, types[i]);
        _cl_report_add_row (imm, types[i], _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE,
                                                                  type_index[i]));
      }
    t_app = _cl_report_add_row (imm, "t_application", _("T-visa applications filed (I-914)"));
    _cl_report_zero_fill (imm, all_columns (imm));
    for (guint col = 0; col < 3; col++)
      _cl_report_cell (imm, t_app, col)->kind = CL_REPORT_CELL_EMPTY;
    for (guint i = 0; i < f->immigration->len; i++)
      {
        const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);
        int irow = -1;

        if (!tr_case[m->case_index] || !case_ok (ctx, m->case_index))
          continue;
        for (guint j = 0; j < G_N_ELEMENTS (types); j++)
          if (m->type == type_index[j])
            irow = (int) j;
        if (irow < 0)
          continue;
        _cl_report_add_count (imm, (guint) irow, 0, in_period (ctx, m->requested));
        if (in_period (ctx, m->decided))
          {
            _cl_report_add_count (imm, (guint) irow, 1, m->decision == granted);
            _cl_report_add_count (imm, (guint) irow, 2, m->decision == denied);
          }
        _cl_report_add_count (imm, (guint) irow, 3, in_period (ctx, m->filed));
        if (g_str_equal (types[irow], "t_decl"))
          _cl_report_add_count (imm, t_app, 3, in_period (ctx, m->filed));
      }
    _cl_report_link_equal (r, _cl_report_ref (imm, 2, 3), _cl_report_ref (imm, t_app, 3));
  }
  imm->note = g_strdup (_("A T-visa application is counted when the case's I-914 Supplement B "
                          "declaration records the day the application was filed."));

  /* Vacatur and civil actions of the clients served, by current status. */
  legal = _cl_report_table_new (r, "legal", _("Vacatur and civil actions"), _("Action"));
  _cl_report_add_column (legal, "total", _("Total"));
  {
    const ClEnum *st = _cl_report_enum (CL_REPORT_ENUM_LEGAL_STATUS);
    int vacatur = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "vacatur");
    int civil = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "civil");

    for (guint i = 0; i < st->n_values; i++)
      _cl_report_add_column (legal, st->values[i].code, _(st->values[i].label));
    _cl_report_add_column (legal, "not_recorded", _cl_report_not_recorded_label ());
    _cl_report_add_row (legal, "vacatur", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, vacatur));
    _cl_report_add_row (legal, "civil", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, civil));
    for (guint i = 0; i < f->legal_matters->len; i++)
      {
        const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);
        guint lrow = l->type == vacatur ? 0 : l->type == civil ? 1 : 2;

        if (lrow == 2 || !served_case[l->case_index] ||
            tc[get_case (ctx, l->case_index)->client].family)
          continue;
        _cl_report_add_count (legal, lrow, 1 + enum_row (CL_REPORT_ENUM_LEGAL_STATUS, l->status), 1);
      }
    _cl_report_zero_fill (legal, all_columns (legal));
    _cl_report_add_total_row (legal, NULL);
    _cl_report_set_total_col (legal, 0, all_columns (legal) & ~BIT (0));
  }

  _cl_report_add_note (r, _("Clients are people served on a trafficking case (the trafficking "
                            "track or a trafficking victimization) with a service in the period; "
                            "they are new when their first such service falls in the period. "
                            "Family members (secondary victims) are counted apart and in no other "
                            "table."));
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_trafficking = {
  .info = {
    "trafficking",
    N_("Trafficking (TIMS-style, semiannual)"),
    N_("Trafficking clients total and new, family members apart, by type, age, gender, "
       "citizenship and referral source; services, immigration milestones, vacatur and "
       "civil actions"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_IMMIGRATION | CL_REPORT_NEED_LEGAL_MATTERS |
    CL_REPORT_NEED_AGE_FROM_DOB | CL_REPORT_NEED_FOREIGN_NATIONAL,
    TRUE,
  },
  .case_scope = CL_REPORT_SCOPE_ALL,
  .service_window = CL_REPORT_WINDOW_UNTIL_END,
  .run = run_trafficking,
};
