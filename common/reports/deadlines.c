/* deadlines.c: the report "deadlines" (Deadlines)
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

typedef enum {
  DL_U_CERT,
  DL_AGES_OUT,
  DL_CP_EXPIRES,
  DL_LETTER_EXPIRES,
  DL_COMPENSATION,
  DL_COMPENSATION_OVERDUE,
  DL_COURT,
  DL_ORDER_EXPIRES,
  DL_FOLLOW_UP,
  DL_CONSENT,
  DL_N_KINDS
} DeadlineKind;

static const struct {
  const char *key;
  const char *label;
} deadline_kinds[DL_N_KINDS] = {
  { "u_cert_unfiled", N_("U certifications signed over five months ago, not filed") },
  { "ages_out", N_("Family members ageing out within 90 days") },
  { "continued_presence", N_("Continued Presence expiring within 90 days") },
  { "letters", N_("HHS letters expiring within 90 days") },
  { "compensation", N_("Compensation filing deadlines within 90 days") },
  { "compensation_overdue", N_("Overdue compensation claims: deadline passed, not filed") },
  { "court", N_("Court dates within 30 days") },
  { "orders", N_("Orders of protection expiring within 30 days") },
  { "follow_ups", N_("Overdue follow-ups") },
  { "consents", N_("Consents expiring within 30 days") },
};

typedef struct {
  DeadlineKind kind;
  guint32      case_index;
  ClDay        due;
} Deadline;

static int
compare_deadlines (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const Deadline *x = a, *y = b;

  if (x->due != y->due)
    return x->due < y->due ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return _cl_report_compare_cases (user_data, x->case_index, y->case_index);
}

static gboolean
case_open (Ctx     *ctx,
           guint32  c)
{
  return get_case (ctx, c)->status != ctx->closed;
}

static ClReportResult *
run_deadlines (Ctx                *ctx,
               const ClReportInfo *info,
               GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = _cl_report_ctx_result_new (ctx, info);
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Deadline));
  g_autofree guint32 *client_case = g_new (guint32, f->clients->len + 1);
  ClReportTable *summary, *list;
  ClDay d = ctx->as_of;
  int u_cert = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "u_cert");
  int cp = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "continued_presence");
  int hhs = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "hhs_letter");
  int granted = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "granted");
  int claim_preparing = _cl_report_enum_index (CL_REPORT_ENUM_CLAIM_STATUS, "preparing");
  ClDay five_months_ago = cl_day_add_months (d, -5);

#define ADD(k, c, day) G_STMT_START { Deadline dl = { k, c, day }; g_array_append_val (items, dl); } G_STMT_END
#define WITHIN(day, n) ((day) != CL_DAY_NONE && (day) >= d && (day) <= d + (n))

  for (guint i = 0; i < f->immigration->len; i++)
    {
      const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);

      if (!case_ok (ctx, m->case_index) || !case_open (ctx, m->case_index))
        continue;
      /* A signed I-918 Supplement B is valid six months: due for filing by then. */
      if (m->type == u_cert && m->decision == granted && m->decided != CL_DAY_NONE &&
          m->decided <= five_months_ago && m->filed == CL_DAY_NONE)
        ADD (DL_U_CERT, m->case_index, cl_day_add_months (m->decided, 6));
      if (WITHIN (m->ages_out, 90))
        ADD (DL_AGES_OUT, m->case_index, m->ages_out);
      if (m->type == cp && WITHIN (m->expires, 90))
        ADD (DL_CP_EXPIRES, m->case_index, m->expires);
      if (m->type == hhs && WITHIN (m->expires, 90))
        ADD (DL_LETTER_EXPIRES, m->case_index, m->expires);
    }
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);
      ClDay deadline;

      if (!case_ok (ctx, k->case_index) || !case_open (ctx, k->case_index) ||
          k->filed != CL_DAY_NONE || k->crime == CL_DAY_NONE ||
          (k->status >= 0 && k->status != claim_preparing))
        continue;
      deadline = k->crime + (ClDay) f->compensation_deadline_days;
      /* A deadline that passed with the claim unfiled stays listed, as overdue. */
      if (deadline < d)
        ADD (DL_COMPENSATION_OVERDUE, k->case_index, deadline);
      else if (WITHIN (deadline, 90))
        ADD (DL_COMPENSATION, k->case_index, deadline);
    }
  for (guint i = 0; i < f->legal_matters->len; i++)
    {
      const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);

      if (!case_ok (ctx, l->case_index) || !case_open (ctx, l->case_index))
        continue;
      if (WITHIN (l->next_court, 30))
        ADD (DL_COURT, l->case_index, l->next_court);
      if (WITHIN (l->order_expires, 30))
        ADD (DL_ORDER_EXPIRES, l->case_index, l->order_expires);
    }
  for (guint i = 0; i < f->tasks->len; i++)
    {
      const ClReportTask *t = &g_array_index (f->tasks, ClReportTask, i);

      if (case_ok (ctx, t->case_index) && case_open (ctx, t->case_index) && !t->done &&
          t->due != CL_DAY_NONE && t->due < d)
        ADD (DL_FOLLOW_UP, t->case_index, t->due);
    }
  /* Consents belong to clients: listed under the client's first open case in scope. */
  for (guint i = 0; i <= f->clients->len; i++)
    client_case[i] = CL_REPORT_NO_INDEX;
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      guint32 client = get_case (ctx, c)->client;

      if (case_ok (ctx, c) && case_open (ctx, c) &&
          (client_case[client] == CL_REPORT_NO_INDEX ||
           _cl_report_compare_cases (ctx, c, client_case[client]) < 0))
        client_case[client] = c;
    }
  for (guint i = 0; i < f->releases->len; i++)
    {
      const ClReportRelease *rel = &g_array_index (f->releases, ClReportRelease, i);

      if (client_case[rel->client] == CL_REPORT_NO_INDEX || rel->revoked != CL_DAY_NONE)
        continue;
      if (WITHIN (rel->expires, 30))
        ADD (DL_CONSENT, client_case[rel->client], rel->expires);
    }
#undef ADD
#undef WITHIN

  summary = _cl_report_table_new (r, "summary", _("Deadlines"), _("Deadline"));
  _cl_report_add_column (summary, "count", _("Count"));
  summary->sum_columns = 0;
  for (guint k = 0; k < DL_N_KINDS; k++)
    _cl_report_add_row (summary, deadline_kinds[k].key, _(deadline_kinds[k].label));
  _cl_report_zero_fill (summary, BIT (0));
  for (guint i = 0; i < items->len; i++)
    {
      const Deadline *dl = &g_array_index (items, Deadline, i);

      _cl_report_count_case (summary, dl->kind, 0, 1, dl->case_index);
    }
  _cl_report_set_chart (summary, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  g_array_sort_with_data (items, compare_deadlines, ctx);
  list = _cl_report_table_new (r, "items", _("Deadline list"), _("Case"));
  list->internal_only = TRUE;
  _cl_report_add_column (list, "deadline", _("Deadline"));
  _cl_report_add_column (list, "due", _("Due"));
  _cl_report_add_column (list, "days_left", _("Days left"));
  _cl_report_add_column (list, "advocate", _("Advocate"));
  list->sum_columns = 0;
  for (guint i = 0; i < items->len; i++)
    {
      const Deadline *dl = &g_array_index (items, Deadline, i);
      g_autofree char *label = _cl_report_case_label (ctx, dl->case_index);
      g_autofree char *key = g_strdup_printf ("%u", i + 1);
      g_autofree char *due = cl_day_to_string (dl->due);
      guint row = _cl_report_add_row (list, key, label);

      _cl_report_trace_row (list, row, dl->case_index);
      _cl_report_set_text (list, row, 0, _(deadline_kinds[dl->kind].label));
      _cl_report_set_text (list, row, 1, due);
      _cl_report_set_number (list, row, 2, dl->due - d, CL_REPORT_UNIT_DAYS, 0, NULL);
      _cl_report_set_text (list, row, 3, _cl_report_advocate_name (ctx, get_case (ctx, dl->case_index)->advocate));
    }

  {
    g_autofree char *day = _cl_report_note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("Deadlines of open cases as of %s. "
                                                       "Compensation claims are due %u day after "
                                                       "the crime.",
                                                       "Deadlines of open cases as of %s. "
                                                       "Compensation claims are due %u days after "
                                                       "the crime.", f->compensation_deadline_days),
                                             day, f->compensation_deadline_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

const ClReportDef cl_report_def_deadlines = {
  .info = {
    "deadlines",
    N_("Deadlines"),
    N_("U certifications to file, family members ageing out, expiring Continued Presence, "
       "letters, orders and consents, compensation deadlines, court dates and overdue "
       "follow-ups"),
    CL_REPORT_BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_IMMIGRATION |
    CL_REPORT_NEED_LEGAL_MATTERS | CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_TASKS |
    CL_REPORT_NEED_RELEASES | CL_REPORT_NEED_CASE_NUMBER,
    FALSE,
  },
  .uses = CL_REPORT_USES_AS_OF,
  .case_scope = CL_REPORT_SCOPE_OPEN,
  .run = run_deadlines,
};
