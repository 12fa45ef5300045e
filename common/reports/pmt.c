/* pmt.c: the report "pmt" (VOCA Performance Measurement Tool)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/REPORTS.md states its counting rules; where this file and that page disagree, fix
 * one of them.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <string.h>

#include "cl-refdata.h"
#include "cl-report-context.h"

/* A funder list resolved for one fiscal year: per local code index, the funder category
 * index; categories in the order of their first local code. */
typedef struct {
  guint      n_local;
  int       *local_to_funder;  /* -1: not reported under this list */
  GPtrArray *codes;            /* funder codes */
  GPtrArray *labels;           /* funder labels, translated where the code is a local one */
} FunderList;

static void
funder_list_clear (FunderList *l)
{
  g_free (l->local_to_funder);
  g_clear_pointer (&l->codes, g_ptr_array_unref);
  g_clear_pointer (&l->labels, g_ptr_array_unref);
}

static int
funder_index (FunderList *l,
              const char *code,
              const char *label)
{
  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      return (int) i;
  g_ptr_array_add (l->codes, g_strdup (code));
  g_ptr_array_add (l->labels, g_strdup (label));
  return (int) l->codes->len - 1;
}

/* The version in force is the one with the latest valid_from on or before the first day of
 * the fiscal year; without any, every local code is its own category. */
static void
funder_list_init (FunderList          *l,
                  const ClReportFacts *f,
                  const char          *list,
                  ClReportEnumId       id,
                  ClDay                fiscal_year)
{
  const ClEnum *e = _cl_report_enum (id);
  const char *version = NULL;
  ClDay version_from = CL_DAY_NONE;

  l->n_local = e->n_values;
  l->local_to_funder = g_new (int, e->n_values);
  l->codes = g_ptr_array_new_with_free_func (g_free);
  l->labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < e->n_values; i++)
    l->local_to_funder[i] = -1;

  for (guint i = 0; i < f->categories->len; i++)
    {
      const ClReportCategory *c = &g_array_index (f->categories, ClReportCategory, i);

      if (!g_str_equal (c->list, list) || c->valid_from > fiscal_year)
        continue;
      if (version == NULL || c->valid_from > version_from ||
          (c->valid_from == version_from && strcmp (c->version, version) > 0))
        {
          version = c->version;
          version_from = c->valid_from;
        }
    }

  if (version == NULL)
    {
      /* No mapping in the facts (a server without the table): the seeded lists, the same
       * that every vault starts with; a list without entries maps each code to itself. */
      const ClCategoryList *lists, *seed = NULL;
      guint n;

      lists = cl_refdata_category_lists (&n);
      for (guint i = 0; i < n; i++)
        if (g_str_equal (lists[i].list, list) &&
            (seed == NULL || cl_day_parse (lists[i].valid_from) <= fiscal_year))
          seed = &lists[i];
      for (guint i = 0; i < e->n_values; i++)
        {
          const ClCategoryMapEntry *entry = NULL;
          const ClEnumValue *local;

          for (guint j = 0; seed != NULL && j < seed->n_entries; j++)
            if (g_str_equal (seed->entries[j].local_code, e->values[i].code))
              entry = &seed->entries[j];
          if (seed == NULL || seed->entries == NULL)
            l->local_to_funder[i] = funder_index (l, e->values[i].code, _(e->values[i].label));
          else if (entry != NULL)
            {
              local = cl_enum_lookup (e, entry->funder_code);
              l->local_to_funder[i] =
                funder_index (l, entry->funder_code,
                              local != NULL ? _(local->label)
                                            : cl_refdata_funder_label (entry->funder_label));
            }
        }
      return;
    }

  /* Categories in the order of the local enumeration, so tables keep a stable shape. */
  for (guint i = 0; i < e->n_values; i++)
    for (guint j = 0; j < f->categories->len; j++)
      {
        const ClReportCategory *c = &g_array_index (f->categories, ClReportCategory, j);
        const ClEnumValue *local;

        if (!g_str_equal (c->list, list) || !g_str_equal (c->version, version) ||
            !g_str_equal (c->local_code, e->values[i].code))
          continue;
        local = cl_enum_lookup (e, c->funder_code);
        l->local_to_funder[i] = funder_index (l, c->funder_code,
                                              local != NULL ? _(local->label)
                                                            : cl_refdata_funder_label (c->funder_label));
        break;
      }
}

/* Inserts a category (one the engine derives, like "Multiple Races") at @index. */
static int
funder_insert (FunderList *l,
               guint       index,
               const char *code,
               const char *label)
{
  int existing = -1;

  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      existing = (int) i;
  if (existing >= 0)
    return existing;
  index = MIN (index, l->codes->len);
  g_ptr_array_insert (l->codes, (int) index, g_strdup (code));
  g_ptr_array_insert (l->labels, (int) index, g_strdup (label));
  for (guint i = 0; i < l->n_local; i++)
    if (l->local_to_funder[i] >= (int) index)
      l->local_to_funder[i]++;
  return (int) index;
}

static void
add_funder_rows (ClReportTable *t,
                 FunderList    *l)
{
  for (guint i = 0; i < l->codes->len; i++)
    _cl_report_add_row (t, g_ptr_array_index (l->codes, i), g_ptr_array_index (l->labels, i));
}

/* Index of a funder code in @l, or -1. */
static int
funder_lookup (FunderList *l,
               const char *code)
{
  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      return (int) i;
  return -1;
}

/* Report: VOCA PMT quarterly ------------------------------------------------------------ */

typedef struct {
  ClDay    first_fy;       /* first service in the fiscal year (within the filters) */
  guint8   served;         /* served in the period */
  guint8   anonymous_only; /* every service in the period was on an anonymous-contact case */
} PmtClient;

static const ClReportColumnDef new_column = { "new", N_("New individuals") };

static ClReportResult *
run_pmt (Ctx                *ctx,
         const ClReportInfo *info,
         GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = NULL;
  ClDay fy = cl_report_fiscal_year_start (ctx->from, ctx->p->fiscal_start_month);
  g_autofree PmtClient *pc = NULL;
  g_autofree guint8 *served_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint64 *vt = NULL;
  g_autofree guint8 *comp = NULL;
  int anonymous = _cl_report_enum_index (CL_REPORT_ENUM_VICTIM_ROLE, "anonymous");
  FunderList race = { 0, }, gender = { 0, }, age = { 0, }, vict = { 0, }, special = { 0, }, svc = { 0, };
  ClReportTable *ind, *t_race, *t_gender, *t_age, *recon, *t_vt, *t_special, *t_comp, *t_cat, *t_code;
  gint64 n_served = 0, n_new = 0, n_cont = 0, n_anon = 0, n_comp = 0;
  int multiple, not_reported, not_tracked, g_not_tracked, a_not_tracked;
  g_autoptr(GHashTable) cat_pairs = _cl_report_pair_set_new ();
  guint row;

  if (fy != cl_report_fiscal_year_start (ctx->to, ctx->p->fiscal_start_month))
    {
      g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                           _("A PMT report covers a period within one fiscal year"));
      return NULL;
    }
  r = _cl_report_ctx_result_new (ctx, info);
  pc = g_new0 (PmtClient, f->clients->len + 1);
  vt = g_new0 (guint64, f->clients->len + 1);
  comp = g_new0 (guint8, f->clients->len + 1);
  for (guint i = 0; i < f->clients->len; i++)
    {
      pc[i].first_fy = CL_DAY_NONE;
      pc[i].anonymous_only = 1;
    }

  funder_list_init (&race, f, "pmt_race", CL_REPORT_ENUM_RACE, fy);
  funder_list_init (&gender, f, "pmt_gender", CL_REPORT_ENUM_GENDER, fy);
  funder_list_init (&age, f, "pmt_age", CL_REPORT_ENUM_AGE_BAND, fy);
  funder_list_init (&vict, f, "pmt_victimization", CL_REPORT_ENUM_VICTIMIZATION, fy);
  funder_list_init (&special, f, "pmt_special", CL_REPORT_ENUM_SPECIAL, fy);
  funder_list_init (&svc, f, "pmt_service", CL_REPORT_ENUM_SERVICE_CODE, fy);
  /* Race: several answers are "Multiple Races" (listed before "Not Reported" and "Not
   * Tracked", as the funder does); nothing recorded is "Not Tracked". */
  not_reported = funder_lookup (&race, "not_reported");
  if (not_reported < 0)
    not_reported = funder_index (&race, "not_reported", _("Not reported"));
  not_tracked = funder_lookup (&race, "not_tracked");
  if (not_tracked < 0)
    not_tracked = funder_index (&race, "not_tracked", _("Not tracked"));
  multiple = funder_insert (&race, (guint) MIN (not_reported, not_tracked), "multiple",
                            _("Multiple Races"));
  not_reported = funder_lookup (&race, "not_reported");
  not_tracked = funder_lookup (&race, "not_tracked");
  g_not_tracked = funder_lookup (&gender, "not_tracked");
  if (g_not_tracked < 0)
    g_not_tracked = funder_index (&gender, "not_tracked", _("Not tracked"));
  a_not_tracked = funder_lookup (&age, "not_tracked");
  if (a_not_tracked < 0)
    a_not_tracked = funder_index (&age, "not_tracked", _("Not tracked"));

  /* Who was served, and when first in the fiscal year. */
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      PmtClient *p;

      if (s->date < fy || s->date > ctx->to || !service_ok (ctx, s))
        continue;
      k = get_case (ctx, s->case_index);
      p = &pc[k->client];
      if (p->first_fy == CL_DAY_NONE || s->date < p->first_fy)
        p->first_fy = s->date;
      if (s->date >= ctx->from)
        {
          p->served = 1;
          served_case[s->case_index] = 1;
          if (k->victim_role != anonymous)
            p->anonymous_only = 0;
        }
    }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0 && served_case[v->case_index])
        vt[get_case (ctx, v->case_index)->client] |= BIT (v->type);
    }
  /* Assisted with a compensation application: an individual served in the period whose
   * claim, on a case through which they were served, was filed in the period or was still
   * being prepared then (not filed before the period). */
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);

      if (served_case[k->case_index] && (k->filed == CL_DAY_NONE || k->filed >= ctx->from))
        comp[get_case (ctx, k->case_index)->client] = 1;
    }

  ind = _cl_report_table_new (r, "individuals", _("Individuals served"), "");
  _cl_report_add_column (ind, "count", _("Count"));
  ind->sum_columns = 0;
  _cl_report_add_row (ind, "served", _("Individuals who received services"));
  _cl_report_add_row (ind, "new", _("New individuals (first service this fiscal year)"));
  _cl_report_add_row (ind, "continuing", _("Continuing individuals (served earlier this fiscal year)"));
  _cl_report_add_row (ind, "anonymous", _("Anonymous contacts"));

#define DEMOGRAPHIC_TABLE(var, key, title, header, list) \
  G_STMT_START { \
    var = _cl_report_breakdown_new (r, key, title, header, &new_column, 1); \
    add_funder_rows (var, &list); \
  } G_STMT_END
  DEMOGRAPHIC_TABLE (t_race, "race", _("Race/ethnicity of new individuals"), _("Race/ethnicity"), race);
  DEMOGRAPHIC_TABLE (t_gender, "gender", _("Gender of new individuals"), _("Gender"), gender);
  DEMOGRAPHIC_TABLE (t_age, "age", _("Age of new individuals"), _("Age"), age);
#undef DEMOGRAPHIC_TABLE

  t_vt = _cl_report_table_new (r, "victimization", _("Victimization types of individuals served"),
                               _("Victimization type"));
  _cl_report_add_column (t_vt, "individuals", _("Individuals"));
  t_vt->sum_columns = 0;
  add_funder_rows (t_vt, &vict);
  t_vt->note = g_strdup (_("An individual with several victimization types is counted under "
                           "each."));
  t_special = _cl_report_table_new (r, "special", _("Special classifications of individuals served"),
                                    _("Classification"));
  _cl_report_add_column (t_special, "individuals", _("Individuals"));
  t_special->sum_columns = 0;
  add_funder_rows (t_special, &special);
  t_special->note = g_strdup (_("An individual may have several classifications, or none."));

  for (guint i = 0; i < f->clients->len; i++)
    {
      const ClReportClient *k = get_client (ctx, i);
      PmtClient *p = &pc[i];
      gboolean is_new;

      if (!p->served)
        continue;
      if (p->anonymous_only)
        {
          n_anon++;
          continue;
        }
      n_served++;
      is_new = p->first_fy >= ctx->from;
      if (is_new)
        {
          guint64 cats = 0;
          gboolean declined = FALSE;
          guint n_cats;
          int rc = -1;

          n_new++;
          /* Race/ethnicity: the distinct funder categories of the answers, leaving out
           * "declined" and "not asked"; two or more are "Multiple Races". */
          for (guint j = 0; j < race.n_local; j++)
            {
              int cat = race.local_to_funder[j];

              if (!(k->race & BIT (j)) || cat < 0)
                continue;
              if (cat == not_reported || cat == not_tracked)
                declined |= cat == not_reported;
              else
                {
                  cats |= BIT (cat);
                  rc = cat;
                }
            }
          n_cats = (guint) __builtin_popcountll (cats);
          if (n_cats == 0)
            rc = declined ? not_reported : not_tracked;
          else if (n_cats > 1)
            rc = multiple;
          _cl_report_add_count (t_race, (guint) rc, 0, 1);
          _cl_report_add_count (t_gender, (guint) (k->gender >= 0 && gender.local_to_funder[k->gender] >= 0
                                                   ? gender.local_to_funder[k->gender] : g_not_tracked), 0, 1);
          _cl_report_add_count (t_age, (guint) (k->age_band >= 0 && age.local_to_funder[k->age_band] >= 0
                                                ? age.local_to_funder[k->age_band] : a_not_tracked), 0, 1);
        }
      else
        n_cont++;

      {
        guint64 cats = 0;

        for (guint j = 0; j < vict.n_local; j++)
          if ((vt[i] & BIT (j)) && vict.local_to_funder[j] >= 0)
            cats |= BIT (vict.local_to_funder[j]);
        for (guint j = 0; j < vict.codes->len; j++)
          if (cats & BIT (j))
            _cl_report_add_count (t_vt, j, 0, 1);
        cats = 0;
        for (guint j = 0; j < special.n_local; j++)
          if ((k->special & BIT (j)) && special.local_to_funder[j] >= 0)
            cats |= BIT (special.local_to_funder[j]);
        for (guint j = 0; j < special.codes->len; j++)
          if (cats & BIT (j))
            _cl_report_add_count (t_special, j, 0, 1);
      }
    }
  for (guint i = 0; i < f->clients->len; i++)
    n_comp += comp[i] && pc[i].served && !pc[i].anonymous_only;

  _cl_report_set_count (ind, 0, 0, n_served);
  _cl_report_set_count (ind, 1, 0, n_new);
  _cl_report_set_count (ind, 2, 0, n_cont);
  _cl_report_set_count (ind, 3, 0, n_anon);
  {
    ClReportCellRef parts[2] = { _cl_report_ref (ind, 1, 0), _cl_report_ref (ind, 2, 0) };
    _cl_report_add_group (r, _cl_report_ref (ind, 0, 0), parts, 2);
  }

  recon = _cl_report_table_new (r, "reconciliation", _("Demographics reconciliation"), "");
  _cl_report_add_column (recon, "count", _("Individuals"));
  _cl_report_add_column (recon, "reconciles", _("Equals new individuals"));
  recon->sum_columns = 0;
  {
    ClReportTable *blocks[] = { t_race, t_gender, t_age };

    row = _cl_report_add_row (recon, "new", _("New individuals"));
    _cl_report_set_count (recon, row, 0, n_new);
    _cl_report_link_equal (r, _cl_report_ref (recon, row, 0), _cl_report_ref (ind, 1, 0));
    for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        ClReportTable *t = blocks[b];
        g_autofree char *label = g_strdup_printf (_("Sum of “%s”"), t->title);
        gint64 sum;

        _cl_report_zero_fill (t, BIT (0));
        _cl_report_add_total_row (t, NULL);
        _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
        sum = _cl_report_cell (t, t->total_row, 0)->count;
        row = _cl_report_add_row (recon, t->key, label);
        _cl_report_set_count (recon, row, 0, sum);
        _cl_report_set_text (recon, row, 1, sum == n_new ? _("Yes") : _("No"));
        _cl_report_link_equal (r, _cl_report_ref (recon, row, 0), _cl_report_ref (ind, 1, 0));
        _cl_report_link_equal (r, _cl_report_ref (t, t->total_row, 0), _cl_report_ref (ind, 1, 0));
      }
  }
  _cl_report_zero_fill (t_vt, BIT (0));
  _cl_report_set_chart (t_vt, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_zero_fill (t_special, BIT (0));

  t_comp = _cl_report_table_new (r, "compensation", _("Victim compensation"), "");
  _cl_report_add_column (t_comp, "individuals", _("Individuals"));
  t_comp->sum_columns = 0;
  row = _cl_report_add_row (t_comp, "assisted", _("Individuals assisted with a compensation application"));
  _cl_report_set_count (t_comp, row, 0, n_comp);

  /* Services: individuals per category, times per code. */
  t_cat = _cl_report_table_new (r, "service_categories", _("Individuals served by service category"),
                                _("Category"));
  _cl_report_add_column (t_cat, "individuals", _("Individuals"));
  t_cat->sum_columns = 0;
  for (guint i = 0; i < CL_REPORT_N_SERVICE_CATEGORIES; i++)
    _cl_report_add_row (t_cat, _cl_report_service_categories[i].key, _(_cl_report_service_categories[i].label));
  t_code = _cl_report_table_new (r, "service_codes", _("Times each service was provided"),
                                 _("Service"));
  _cl_report_add_column (t_code, "times", _("Times provided"));
  for (guint i = 0; i < svc.codes->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s %s", (char *) g_ptr_array_index (svc.codes, i),
                                                (char *) g_ptr_array_index (svc.labels, i));
      _cl_report_add_row (t_code, g_ptr_array_index (svc.codes, i), label);
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      int cat;

      if (!in_period (ctx, s->date) || !service_ok (ctx, s))
        continue;
      k = get_case (ctx, s->case_index);
      cat = svc.local_to_funder[s->code];
      if (cat >= 0)
        _cl_report_add_count (t_code, (guint) cat, 0, s->times);
      if (!pc[k->client].anonymous_only && _cl_report_mark_pair (cat_pairs, _cl_report_service_category (s->code), k->client))
        _cl_report_add_count (t_cat, _cl_report_service_category (s->code), 0, 1);
    }
  _cl_report_zero_fill (t_cat, BIT (0));
  _cl_report_set_chart (t_cat, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_zero_fill (t_code, BIT (0));
  _cl_report_add_total_row (t_code, NULL);

  {
    g_autofree char *fy_text = _cl_report_note_day (fy);
    g_autofree char *note = g_strdup_printf (_("Fiscal year starting %s. An individual is new in "
                                               "the quarter of their first service in the "
                                               "fiscal year and continuing in later quarters. "
                                               "Anonymous contacts are counted apart from "
                                               "individuals. Demographics are of new individuals "
                                               "only; each block adds up to the new individuals."),
                                             fy_text);
    _cl_report_add_note (r, note);
  }

  funder_list_clear (&race);
  funder_list_clear (&gender);
  funder_list_clear (&age);
  funder_list_clear (&vict);
  funder_list_clear (&special);
  funder_list_clear (&svc);
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_pmt = {
  .info = {
    "pmt",
    N_("VOCA Performance Measurement Tool (quarterly)"),
    N_("Individuals served, new and continuing, anonymous contacts, demographics of new "
       "individuals, victimization types, special classifications, compensation and services"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_CATEGORIES |
    CL_REPORT_NEED_AGE_FROM_DOB,
    TRUE,
  },
  .uses = CL_REPORT_USES_FISCAL_YEAR,
  .case_scope = CL_REPORT_SCOPE_ALL,
  .service_window = CL_REPORT_WINDOW_FISCAL_YEAR,
  .run = run_pmt,
};
