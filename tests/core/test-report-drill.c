/* test-report-drill.c: reports drill down from a count to the cases behind it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fixture of tests/core/test-reports.c (cl-report-fixture.c: clients K1 … K7, cases
 * CA1 … CA10, CA9 deleted; today 2026-05-15, fiscal years from October, New York time) is
 * run through every internal report with CL_REPORT_RUN_TRACE_CASES, for several periods
 * and filters. Every cell is checked against the rules of docs/REPORTS.md "Drill-down",
 * then a few cells of every report against case sets worked out by hand.
 */

#define G_LOG_DOMAIN "test-report-drill"

#include <string.h>

#include "cl-report-fixture.h"
#include "cl-report.h"
#include "cl-report-vault.h"
#include "cl-test-util.h"

#define TODAY CL_REPORT_FIXTURE_TODAY
#define BIT(i) (G_GUINT64_CONSTANT (1) << (i))

static ClTestVault vault;
static ClReportFixture ids;

/* The live cases of the fixture as the store has them, by number (1 … 10, not 9). */
static struct {
  char *client;
  char *advocate;  /* NULL when unassigned */
  char *command;
  char *track;
} fixture_cases[11];

static const char *const internal_reports[] = {
  "caseload", "referrals", "first-contact", "outreach", "services", "outcomes",
  "closures", "deadlines", "data-quality",
};

/* Helpers ----------------------------------------------------------------------------- */

static void
load_fixture_cases (void)
{
  for (guint i = 1; i <= 10; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClRecord) record = NULL;
      const char *advocate;

      if (i == 9)
        continue;
      record = cl_store_get (vault.store, "case", ids.cases[i], &error);
      g_assert_no_error (error);
      advocate = cl_record_get (record, "assigned_to");
      fixture_cases[i].client = g_strdup (cl_record_get (record, "client_id"));
      fixture_cases[i].advocate = advocate != NULL && *advocate != '\0' ? g_strdup (advocate) : NULL;
      fixture_cases[i].command = g_strdup (cl_record_get (record, "command"));
      fixture_cases[i].track = g_strdup (cl_record_get (record, "track"));
      g_assert_nonnull (fixture_cases[i].client);
    }
}

static void
clear_fixture_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++)
    {
      g_clear_pointer (&fixture_cases[i].client, g_free);
      g_clear_pointer (&fixture_cases[i].advocate, g_free);
      g_clear_pointer (&fixture_cases[i].command, g_free);
      g_clear_pointer (&fixture_cases[i].track, g_free);
    }
}

/* The number of a live case of the fixture (CA3 → 3), 0 for any other id. */
static guint
fixture_number (const char *id)
{
  for (guint i = 1; i <= 10; i++)
    if (i != 9 && g_strcmp0 (ids.cases[i], id) == 0)
      return i;
  return 0;
}

static ClReportParams *
params_new (const char *from,
            const char *to)
{
  return cl_report_test_params (from, to, TODAY);
}

static ClReportParams *
params_for_period (ClReportPeriod period)
{
  ClReportParams *p = cl_report_params_new ();

  p->today = cl_day_parse (TODAY);
  cl_report_params_set_period (p, period, CL_DAY_NONE);
  return p;
}

static ClReportResult *
run_flags (const char           *name,
           const ClReportParams *p,
           ClReportRunFlags      flags)
{
  g_autoptr(GError) error = NULL;
  ClReportResult *r = cl_report_run_vault (vault.store, name, p, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static ClReportResult *
run_traced (const char           *name,
            const ClReportParams *p)
{
  ClReportResult *r = run_flags (name, p, CL_REPORT_RUN_TRACE_CASES);

  g_assert_true (cl_report_result_has_cases (r));
  return r;
}

static ClReportResult *
run_traced_period (const char *name,
                   const char *from,
                   const char *to)
{
  g_autoptr(ClReportParams) p = params_new (from, to);

  return run_traced (name, p);
}

static const ClReportCell *
cell_at (ClReportTable *t,
         guint          row,
         guint          col)
{
  ClReportRow *rr = g_ptr_array_index (t->rows, row);

  return &g_array_index (rr->cells, ClReportCell, col);
}

static guint
n_cases (const char *const *cases)
{
  return cases != NULL ? g_strv_length ((char **) cases) : 0;
}

static gboolean
is_subset (const char *const *part,
           const char *const *whole)
{
  for (guint i = 0; part != NULL && part[i] != NULL; i++)
    if (whole == NULL || !g_strv_contains (whole, part[i]))
      return FALSE;
  return TRUE;
}

static gboolean
same_cases (const char *const *a,
            const char *const *b)
{
  return is_subset (a, b) && is_subset (b, a);
}

/* "CA1 CA4": the fixture names of @cases, in order; "?" for an id of no live case. */
static char *
describe_cases (const char *const *cases)
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i <= 10; i++)
    if (i != 9 && cases != NULL && g_strv_contains (cases, ids.cases[i]))
      g_string_append_printf (text, "%sCA%u", text->len > 0 ? " " : "", i);
  for (guint i = 0; cases != NULL && cases[i] != NULL; i++)
    if (fixture_number (cases[i]) == 0)
      g_string_append (text, " ?");
  return g_string_free (text, FALSE);
}

static guint
find_row (ClReportTable *t,
          const char    *key)
{
  for (guint row = 0; row < t->rows->len; row++)
    if (g_str_equal (((ClReportRow *) g_ptr_array_index (t->rows, row))->key, key))
      return row;
  g_error ("table %s has no row %s", t->key, key);
}

static guint
find_column (ClReportTable *t,
             const char    *key)
{
  for (guint col = 0; col < t->columns->len; col++)
    if (g_str_equal (((ClReportColumn *) g_ptr_array_index (t->columns, col))->key, key))
      return col;
  g_error ("table %s has no column %s", t->key, key);
}

static const char *const *
cases_of (ClReportResult *r,
          const char     *table,
          const char     *row,
          const char     *column)
{
  ClReportTable *t = cl_report_result_get_table (r, table);

  g_assert_nonnull (t);
  return cl_report_result_get_cases (r, t->index, find_row (t, row), find_column (t, column));
}

static void
check_cases (ClReportResult *r,
             const char     *table,
             const char     *row,
             const char     *column,
             const char     *expected,
             const char     *where)
{
  g_autofree char *got = describe_cases (cases_of (r, table, row, column));

  if (!g_str_equal (got, expected))
    g_error ("%s: %s %s/%s/%s drills down to {%s}, expected {%s}", where, r->name, table,
             row, column, got, expected);
}

#define CASES(r, t, row, col, expected) check_cases (r, t, row, col, expected, G_STRLOC)

/* The cases behind the rows of a case list, in order; as a set with list_case_set(). */
static char *
list_cases (ClReportResult *r,
            const char     *table)
{
  ClReportTable *t = cl_report_result_get_table (r, table);
  GString *text = g_string_new (NULL);

  g_assert_nonnull (t);
  for (guint row = 0; row < t->rows->len; row++)
    {
      g_autofree char *one = describe_cases (cl_report_result_get_cases (r, t->index, row, 0));

      g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", one);
    }
  return g_string_free (text, FALSE);
}

static char *
list_case_set (ClReportResult *r,
               const char     *table)
{
  ClReportTable *t = cl_report_result_get_table (r, table);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_assert_nonnull (t);
  for (guint row = 0; row < t->rows->len; row++)
    {
      const char *const *cases = cl_report_result_get_cases (r, t->index, row, 0);

      if (cases != NULL)
        g_strv_builder_addv (builder, (const char **) cases);
    }
  all = g_strv_builder_end (builder);
  return describe_cases ((const char *const *) all);
}

/* Every cell, checked against the rules --------------------------------------------- */

/* What a count counts: cases (each once), individuals (distinct clients, through every
 * case that made them count), or events on cases (contacts, services, times, claims,
 * requests, deadlines: a case may be behind several). */
typedef enum {
  UNIT_CASES,
  UNIT_CLIENTS,
  UNIT_EVENTS,
} Unit;

static const struct {
  const char *report;
  const char *table;   /* NULL: any */
  const char *row;     /* NULL: any */
  const char *column;  /* NULL: any */
  Unit        unit;
} units[] = {
  /* the first match wins */
  { "caseload", NULL, NULL, NULL, UNIT_CASES },
  { "referrals", NULL, NULL, NULL, UNIT_CASES },
  { "first-contact", NULL, NULL, NULL, UNIT_CASES },
  { "outreach", "summary", "attempts", NULL, UNIT_EVENTS },
  { "outreach", "summary", NULL, NULL, UNIT_CASES },
  { "outreach", NULL, NULL, NULL, UNIT_EVENTS },
  { "services", NULL, NULL, "individuals", UNIT_CLIENTS },
  { "services", NULL, NULL, NULL, UNIT_EVENTS },
  { "outcomes", "services", NULL, "individuals", UNIT_CLIENTS },
  { "outcomes", NULL, NULL, NULL, UNIT_EVENTS },
  { "closures", NULL, NULL, NULL, UNIT_CASES },
  { "deadlines", NULL, NULL, NULL, UNIT_EVENTS },
  { "data-quality", "clients", NULL, NULL, UNIT_CLIENTS },
  { "data-quality", NULL, NULL, NULL, UNIT_CASES },
};

static Unit
cell_unit (const char *report,
           const char *table,
           const char *row,
           const char *column)
{
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (units[i].report, report) &&
        (units[i].table == NULL || g_str_equal (units[i].table, table)) &&
        (units[i].row == NULL || g_str_equal (units[i].row, row)) &&
        (units[i].column == NULL || g_str_equal (units[i].column, column)))
      return units[i].unit;
  g_error ("no unit for %s %s/%s/%s", report, table, row, column);
}

/* Contacts and services are filtered by the advocate who logged them (docs/REPORTS.md
 * "Filters"), so these tables reach a colleague's (or nobody's) case through the work
 * the advocate did on it. */
static gboolean
filtered_by_event (const char *report,
                   const char *table)
{
  return g_str_equal (report, "services") ||
         (g_str_equal (report, "outcomes") && g_str_equal (table, "services")) ||
         (g_str_equal (report, "outreach") && !g_str_equal (table, "summary"));
}

static gboolean
has_work_by (guint       number,
             const char *advocate)
{
  static const char *const types[] = { "contact", "service" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(ClChanges) where = cl_changes_new ();
      g_autoptr(GError) error = NULL;
      gint64 n;

      cl_changes_set (where, "case_id", ids.cases[number]);
      cl_changes_set (where, "advocate", advocate);
      n = cl_store_count (vault.store, types[i], where, &error);
      g_assert_no_error (error);
      if (n > 0)
        return TRUE;
    }
  return FALSE;
}

/* The drill-down never reaches a case outside the report's filters. */
static void
check_in_scope (ClReportResult       *r,
                const ClReportParams *p,
                ClReportTable        *t,
                guint                 number,
                const char           *where)
{
  if (p->advocate != NULL &&
      g_strcmp0 (fixture_cases[number].advocate, p->advocate) != 0 &&
      !(filtered_by_event (r->name, t->key) && has_work_by (number, p->advocate)))
    g_error ("%s: CA%u is neither %s's nor worked on by %s", where, number, p->advocate,
             p->advocate);
  if (p->commands != NULL && p->commands[0] != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; p->commands[i] != NULL; i++)
        found |= g_ascii_strcasecmp (p->commands[i], fixture_cases[number].command) == 0;
      if (!found)
        g_error ("%s: CA%u is in command %s, not a selected one", where, number,
                 fixture_cases[number].command);
    }
  if (p->track != NULL && g_strcmp0 (p->track, fixture_cases[number].track) != 0)
    g_error ("%s: CA%u is on track %s, not %s", where, number, fixture_cases[number].track,
             p->track);
}

static void
check_count_cell (ClReportResult       *r,
                  const ClReportParams *p,
                  ClReportTable        *t,
                  guint                 row,
                  guint                 col,
                  const char           *where)
{
  const ClReportCell *cell = cell_at (t, row, col);
  const char *const *cases = cl_report_result_get_cases (r, t->index, row, col);
  ClReportRow *rr = g_ptr_array_index (t->rows, row);
  const char *column = ((ClReportColumn *) g_ptr_array_index (t->columns, col))->key;
  guint n = n_cases (cases);

  if (cell->count > 0 && n == 0)
    g_error ("%s: count %" G_GINT64_FORMAT " drills down to no case", where, cell->count);
  if (cell->count == 0 && cases != NULL)
    g_error ("%s: a zero drills down to %u cases", where, n);
  for (guint i = 0; i < n; i++)
    {
      guint number = fixture_number (cases[i]);

      if (number == 0)
        g_error ("%s: %s is no case of the fixture", where, cases[i]);
      check_in_scope (r, p, t, number, where);
    }

  switch (cell_unit (r->name, t->key, rr->key, column))
    {
    case UNIT_CASES:
      if ((gint64) n != cell->count)
        g_error ("%s: %" G_GINT64_FORMAT " cases, %u behind them", where, cell->count, n);
      break;
    case UNIT_CLIENTS:
      {
        g_autoptr(GHashTable) clients = g_hash_table_new (g_str_hash, g_str_equal);

        for (guint i = 0; i < n; i++)
          g_hash_table_add (clients, fixture_cases[fixture_number (cases[i])].client);
        if ((gint64) g_hash_table_size (clients) != cell->count)
          g_error ("%s: %" G_GINT64_FORMAT " individuals, %u behind them", where, cell->count,
                   g_hash_table_size (clients));
      }
      break;
    case UNIT_EVENTS:
      if ((gint64) n > cell->count)
        g_error ("%s: %" G_GINT64_FORMAT " events on %u cases", where, cell->count, n);
      break;
    default:
      g_assert_not_reached ();
    }

  /* A total is the union of what it adds up. */
  if (t->total_row >= 0 && (int) row != t->total_row && (t->sum_columns & BIT (col)) &&
      cell_at (t, t->total_row, col)->kind == CL_REPORT_CELL_COUNT &&
      !is_subset (cases, cl_report_result_get_cases (r, t->index, t->total_row, col)))
    g_error ("%s: cases missing from the total row", where);
  if (t->total_col >= 0 && (t->part_columns & BIT (col)) &&
      !is_subset (cases, cl_report_result_get_cases (r, t->index, row, t->total_col)))
    g_error ("%s: cases missing from the total column", where);
}

static void
check_number_cell (ClReportResult *r,
                   ClReportTable  *t,
                   guint           row,
                   guint           col,
                   const char     *where)
{
  const ClReportCell *cell = cell_at (t, row, col);
  const char *const *cases = cl_report_result_get_cases (r, t->index, row, col);

  if (cell->n_deps == 0)
    return;
  if (cell->unit == CL_REPORT_UNIT_PERCENT)
    {
      const ClReportCellRef *den = &cell->deps[cell->n_deps - 1];

      /* A share drills down to its numerator: part of its denominator, none for 0 %. */
      g_assert_true (cell->has_denominator);
      if ((cell->count > 0) != (cases != NULL))
        g_error ("%s: a share of %" G_GINT64_FORMAT " drills down to %u cases", where,
                 cell->count, n_cases (cases));
      if (!is_subset (cases, cl_report_result_get_cases (r, den->table, den->row, den->col)))
        g_error ("%s: a share drills down outside its denominator", where);
    }
  else if (!same_cases (cases, cl_report_result_get_cases (r, cell->deps[0].table,
                                                           cell->deps[0].row,
                                                           cell->deps[0].col)))
    g_error ("%s: a median or mean drills down to other cases than its count", where);
}

/* A row of a case list: every cell is that one case, and the row shows its number. */
static void
check_list_row (ClReportResult *r,
                ClReportTable  *t,
                guint           row,
                const char     *where)
{
  const char *const *first = cl_report_result_get_cases (r, t->index, row, 0);
  const char *label = ((ClReportRow *) g_ptr_array_index (t->rows, row))->label;
  guint number;

  if (n_cases (first) != 1)
    g_error ("%s: a listed row drills down to %u cases", where, n_cases (first));
  number = fixture_number (first[0]);
  g_assert_cmpuint (number, !=, 0);
  for (guint col = 1; col < t->columns->len; col++)
    g_assert_true (same_cases (first, cl_report_result_get_cases (r, t->index, row, col)));
  /* CA10 is restricted: listed without its number, but it is still the case behind it. */
  if (number == 10)
    g_assert_nonnull (strstr (label, "restricted"));
  else if (!g_str_equal (label, ids.number[number]))
    g_error ("%s: row %s drills down to CA%u (%s)", where, label, number, ids.number[number]);
}

static void
check_result (ClReportResult       *r,
              const ClReportParams *p,
              const char           *set)
{
  for (guint ti = 0; ti < r->tables->len; ti++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, ti);

      for (guint row = 0; row < t->rows->len; row++)
        {
          ClReportRow *rr = g_ptr_array_index (t->rows, row);
          g_autofree char *row_where = g_strdup_printf ("%s: %s %s/%s", set, r->name, t->key,
                                                        rr->key);

          if (t->internal_only)
            {
              check_list_row (r, t, row, row_where);
              continue;
            }
          for (guint col = 0; col < t->columns->len; col++)
            {
              const ClReportCell *cell = cell_at (t, row, col);
              const char *column = ((ClReportColumn *) g_ptr_array_index (t->columns, col))->key;
              g_autofree char *where = g_strdup_printf ("%s/%s", row_where, column);

              switch (cell->kind)
                {
                case CL_REPORT_CELL_COUNT:
                  check_count_cell (r, p, t, row, col, where);
                  break;
                case CL_REPORT_CELL_NUMBER:
                  check_number_cell (r, t, row, col, where);
                  break;
                case CL_REPORT_CELL_EMPTY:
                case CL_REPORT_CELL_TEXT:
                  if (cl_report_result_get_cases (r, ti, row, col) != NULL)
                    g_error ("%s: a cell without a count drills down", where);
                  break;
                default:
                  g_assert_not_reached ();
                }
            }
        }
    }
  /* Out of range: nothing, not a crash. */
  g_assert_null (cl_report_result_get_cases (r, r->tables->len, 0, 0));
  g_assert_null (cl_report_result_get_cases (r, 0, G_MAXUINT16 + 1, 0));
}

/* Traced or not, a report gives the same numbers. */
static void
check_same_json (ClReportResult *traced,
                 ClReportResult *plain)
{
  g_autofree char *a = NULL, *b = NULL;

  g_free (traced->generated_at);
  traced->generated_at = g_strdup (plain->generated_at);
  a = cl_report_result_to_json (traced, NULL);
  b = cl_report_result_to_json (plain, NULL);
  g_assert_cmpstr (a, ==, b);
}

/* The periods and filters every internal report is checked with. */
static ClReportParams *
params_for_set (guint        set,
                const char **name)
{
  ClReportParams *p;

  switch (set)
    {
    case 0:
      *name = "this quarter";
      return params_for_period (CL_REPORT_PERIOD_THIS_QUARTER);
    case 1:
      *name = "last quarter";
      return params_for_period (CL_REPORT_PERIOD_LAST_QUARTER);
    case 2:
      *name = "fiscal year";
      return params_for_period (CL_REPORT_PERIOD_FISCAL_YEAR);
    case 3:
      *name = "custom period";
      return params_new ("2026-01-15", "2026-02-25");
    case 4:
      *name = "last quarter, advocate ana";
      p = params_for_period (CL_REPORT_PERIOD_LAST_QUARTER);
      p->advocate = g_strdup ("ana");
      return p;
    case 5:
      *name = "this quarter, advocate ana";
      p = params_for_period (CL_REPORT_PERIOD_THIS_QUARTER);
      p->advocate = g_strdup ("ana");
      return p;
    case 6:
      *name = "fiscal year, advocate ben";
      p = params_for_period (CL_REPORT_PERIOD_FISCAL_YEAR);
      p->advocate = g_strdup ("ben");
      return p;
    case 7:
      *name = "last quarter, command 75";
      p = params_for_period (CL_REPORT_PERIOD_LAST_QUARTER);
      p->commands = g_strsplit ("75", ",", -1);
      return p;
    case 8:
      *name = "fiscal year, commands psa 2 and 14";
      p = params_for_period (CL_REPORT_PERIOD_FISCAL_YEAR);
      p->commands = g_strsplit ("psa 2,14", ",", -1);
      return p;
    case 9:
      *name = "fiscal year, track cv";
      p = params_for_period (CL_REPORT_PERIOD_FISCAL_YEAR);
      p->track = g_strdup ("cv");
      return p;
    default:
      return NULL;
    }
}

static void
test_every_cell (void)
{
  const char *set_name = NULL;

  for (guint set = 0; ; set++)
    {
      g_autoptr(ClReportParams) p = params_for_set (set, &set_name);

      if (p == NULL)
        break;
      for (guint i = 0; i < G_N_ELEMENTS (internal_reports); i++)
        {
          g_autoptr(ClReportResult) traced = run_traced (internal_reports[i], p);
          g_autoptr(ClReportResult) plain = run_flags (internal_reports[i], p, CL_REPORT_RUN_NONE);

          g_assert_false (cl_report_result_has_cases (plain));
          check_result (traced, p, set_name);
          check_same_json (traced, plain);
        }
    }
}

/* Hand-checked cells, report by report ---------------------------------------------- */

static void
test_caseload (void)
{
  /* As of 2026-05-15: ana has CA1, CA7, CA10; ben CA2, CA5, CA6. Stale: CA2 (Feb 3), CA5
   * (Nov 15), CA6 and CA10 (never contacted), CA7 (Apr 1); CA1 was reached on May 1.
   * CA7, started Mar 31, is the only case 31–90 days old. */
  g_autoptr(ClReportResult) r = run_traced_period ("caseload", "2026-04-01", "2026-06-30");
  g_autofree char *stale = list_case_set (r, "stale_cases");

  CASES (r, "by_advocate", "ana", "caseload", "CA1 CA7 CA10");
  CASES (r, "by_advocate", "ben", "stale", "CA2 CA5 CA6");
  CASES (r, "by_advocate", "ben", "outreach", "CA2");
  CASES (r, "by_advocate", "ana", "age_31_90", "CA7");
  CASES (r, "by_advocate", "ana", "age_0_30", "");
  CASES (r, "by_advocate", "total", "caseload", "CA1 CA2 CA5 CA6 CA7 CA10");
  CASES (r, "by_track", "cv", "stale", "CA2 CA10");
  /* The list holds the five stale cases, one a row. */
  g_assert_cmpuint (cl_report_result_get_table (r, "stale_cases")->rows->len, ==, 5);
  g_assert_cmpstr (stale, ==, "CA2 CA5 CA6 CA7 CA10");

  /* Advocate ben: only his cases, even in the total. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-04-01", "2026-06-30");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("ben");
    r2 = run_traced ("caseload", p);
    CASES (r2, "by_advocate", "total", "caseload", "CA2 CA5 CA6");
    CASES (r2, "by_track", "trafficking", "stale", "CA5 CA6");
  }
}

static void
test_referrals (void)
{
  /* Q2: CA1, CA2, CA3, CA4, CA7 (Apr 1 02:00 UTC = Mar 31 in New York) and CA8; reached:
   * CA1, CA3, CA4, CA7. Command 75: CA2 and CA8. CA4 has no victimization type. */
  g_autoptr(ClReportResult) r = run_traced_period ("referrals", "2026-01-01", "2026-03-31");

  CASES (r, "summary", "all", "referrals", "CA1 CA2 CA3 CA4 CA7 CA8");
  CASES (r, "summary", "all", "reached", "CA1 CA3 CA4 CA7");
  CASES (r, "by_command", "75", "referrals", "CA2 CA8");
  CASES (r, "by_command", "14", "reached", "CA1 CA3 CA7");
  CASES (r, "by_victimization", "not_recorded", "referrals", "CA4");
  CASES (r, "by_victimization", "domestic_violence", "referrals", "CA1");
  CASES (r, "by_source", "officer", "referrals", "");
  CASES (r, "by_borough", "total", "referrals", "CA1 CA2 CA3 CA4 CA7 CA8");

  /* Command 75 only: the total holds nothing else. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->commands = g_strsplit ("75", ",", -1);
    r2 = run_traced ("referrals", p);
    CASES (r2, "summary", "all", "referrals", "CA2 CA8");
    CASES (r2, "by_track", "total", "referrals", "CA2 CA8");
  }
}

static void
test_first_contact (void)
{
  /* Q2. With a safe channel: CA1, CA8 (K1), CA7 (K7); without: CA2, CA3, CA4. First
   * attempt: CA1 5 h, CA7 12 h, CA2 48 h, CA3 1 h, CA4 0.5 h, CA8 none. First success:
   * CA1 24 h, CA7 12 h, CA3 1 h, CA4 0.5 h; CA2 and CA8 none. */
  g_autoptr(ClReportResult) r = run_traced_period ("first-contact", "2026-01-01", "2026-03-31");

  CASES (r, "first_attempt", "safe_channel", "cases", "CA1 CA7 CA8");
  CASES (r, "first_attempt", "safe_channel", "none", "CA8");
  CASES (r, "first_attempt", "no_safe_channel", "with", "CA2 CA3 CA4");
  /* A share within a limit drills down to the referrals in time, not to all of them. */
  CASES (r, "first_attempt", "no_safe_channel", "within_24h", "CA3 CA4");
  CASES (r, "first_attempt", "no_safe_channel", "within_72h", "CA2 CA3 CA4");
  CASES (r, "first_contact", "safe_channel", "within_24h", "CA1 CA7");
  /* A median drills down to the referrals it is the median of. */
  CASES (r, "first_contact", "total", "median_hours", "CA1 CA3 CA4 CA7");
  CASES (r, "first_contact", "total", "none", "CA2 CA8");

  /* Feb 1 – Feb 10: only CA2, first attempted after 48 hours. Its 0 % within 24 hours
   * drills down to no case, not to the referral it is a share of. */
  {
    g_autoptr(ClReportResult) r2 = run_traced_period ("first-contact", "2026-02-01", "2026-02-10");
    const ClReportCell *cell = cl_report_result_get_cell (r2, "first_attempt", "no_safe_channel",
                                                          "within_24h");

    g_assert_cmpint (cell->kind, ==, CL_REPORT_CELL_NUMBER);
    g_assert_cmpfloat (cell->number, ==, 0.0);
    CASES (r2, "first_attempt", "no_safe_channel", "within_24h", "");
    CASES (r2, "first_attempt", "no_safe_channel", "within_72h", "CA2");
    CASES (r2, "first_attempt", "total", "cases", "CA2");
  }
}

static void
test_outreach (void)
{
  /* Q2 referrals: outbound attempts on CA1 (3), CA2 (1) and CA7 (1); CA3's and CA4's
   * contacts were inbound; no attempt on CA8. Contacts dated in Q2: CA1 Jan 10 (no
   * answer) and Jan 11 (reached), CA2 (no answer, ben), CA3 (in person, reached), CA4
   * (reached, ben). */
  g_autoptr(ClReportResult) r = run_traced_period ("outreach", "2026-01-01", "2026-03-31");

  CASES (r, "summary", "attempts", "value", "CA1 CA2 CA7");
  CASES (r, "summary", "no_attempt", "value", "CA8");
  CASES (r, "summary", "reached", "value", "CA1 CA3 CA4 CA7");
  /* Attempts per referral: a mean over all referrals. */
  CASES (r, "summary", "attempts_per_referral", "value", "CA1 CA2 CA3 CA4 CA7 CA8");
  CASES (r, "outcomes", "no_answer", "contacts", "CA1 CA2");
  CASES (r, "outcomes", "reached", "share", "CA1 CA3 CA4");
  CASES (r, "by_channel", "in_person", "reached", "CA3");
  CASES (r, "by_advocate", "ben", "contacts", "CA2 CA4");
}

static void
test_services (void)
{
  /* Q2: A1 CA3 (K3), A3 CA8 (K1, logged by ana on a case assigned to nobody), B4 ×3 CA3,
   * B8 CA6 (K6), C1 CA1 (K1), C2 CA4 (K4), E7 CA5 (K5); CA9's A1 is deleted with it. */
  g_autoptr(ClReportResult) r = run_traced_period ("services", "2026-01-01", "2026-03-31");

  CASES (r, "by_code", "B4", "times", "CA3");
  CASES (r, "by_category", "A", "individuals", "CA3 CA8");
  CASES (r, "by_category", "C", "individuals", "CA1 CA4");
  /* Five individuals, through six cases: K1 was served on CA1 and CA8. */
  CASES (r, "by_code", "total", "individuals", "CA1 CA3 CA4 CA5 CA6 CA8");
  CASES (r, "by_category", "total", "individuals", "CA1 CA3 CA4 CA5 CA6 CA8");
  CASES (r, "by_command", "75", "total", "CA5 CA6 CA8");
  CASES (r, "by_advocate", "ben", "total", "CA4 CA5 CA6");
  CASES (r, "by_code", "A1", "records", "CA3");

  /* The work ana did: CA8 too, though nobody is assigned to it. */
  {
    g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
    g_autoptr(ClReportResult) r2 = NULL;

    p->advocate = g_strdup ("ana");
    r2 = run_traced ("services", p);
    CASES (r2, "by_code", "A3", "times", "CA8");
    CASES (r2, "by_code", "total", "times", "CA1 CA3 CA8");
  }
}

static void
test_outcomes (void)
{
  /* First half of 2026. C1 on CA1 (Jan 12, K1) and CA7 (Apr 3, K7); E4 ×2 on CA1. Orders
   * granted: CA1's criminal order (expires June 1, before the end) and CA3's family order
   * (no expiry). CA1's claim was filed Feb 1; its U certification requested Feb 15 is
   * pending; CA5's T declaration was requested Jan 20. Referrals out: CA1 (shelter,
   * connected), CA3 (legal, pending). */
  g_autoptr(ClReportResult) r = run_traced_period ("outcomes", "2026-01-01", "2026-06-30");

  CASES (r, "services", "C1", "individuals", "CA1 CA7");
  CASES (r, "services", "E4", "times", "CA1");
  CASES (r, "orders", "granted", "total", "CA1 CA3");
  CASES (r, "orders", "total", "criminal_op", "CA1");
  CASES (r, "orders_in_effect", "in_effect", "total", "CA3");
  CASES (r, "compensation", "filed", "claims", "CA1");
  CASES (r, "immigration", "u_cert", "still_pending", "CA1");
  CASES (r, "immigration", "t_decl", "requested", "CA5");
  CASES (r, "safety_plans", "reviewed", "count", "CA1");
  CASES (r, "referrals_out", "total", "made", "CA1 CA3");
  CASES (r, "referrals_out", "total", "share", "CA1");
}

static void
test_closures (void)
{
  /* Q2: CA3 closed (services completed) Mar 20, CA4 (declined) Feb 20. */
  g_autoptr(ClReportResult) r = run_traced_period ("closures", "2026-01-01", "2026-03-31");

  CASES (r, "by_reason", "services_completed", "closed", "CA3");
  CASES (r, "by_reason", "declined", "closed", "CA4");
  CASES (r, "by_reason", "total", "closed", "CA3 CA4");
  /* The median engagement drills down to the cases it is the median of. */
  CASES (r, "by_reason", "total", "median_days", "CA3 CA4");
  CASES (r, "by_reason", "moved", "closed", "");
}

static void
test_deadlines (void)
{
  /* As of 2026-05-15: CA1's follow-up (May 1), court date (May 20) and order (June 1);
   * CA2's compensation deadline (June 1); CA5's unfiled U certification, Continued
   * Presence, ageing-out family member and K5's consent (June 1, listed under CA5, K5's
   * only open case). */
  g_autoptr(ClReportResult) r = run_traced_period ("deadlines", "2026-04-01", "2026-06-30");
  g_autofree char *items = list_cases (r, "items");

  CASES (r, "summary", "follow_ups", "count", "CA1");
  CASES (r, "summary", "compensation", "count", "CA2");
  CASES (r, "summary", "consents", "count", "CA5");
  CASES (r, "summary", "ages_out", "count", "CA5");
  CASES (r, "summary", "letters", "count", "");
  /* The list, by due day (see test-reports.c /core/reports/deadlines). */
  g_assert_cmpstr (items, ==, "CA1 CA1 CA5 CA2 CA1 CA5 CA5 CA5");
}

static void
test_data_quality (void)
{
  /* Q2, as of Mar 31. New clients through their Q2 referrals: K1 (CA1, CA8), K2 (CA2), K3
   * (CA3), K4 (CA4), K7 (CA7). Gender missing: K3, K4; race and age: K4. Cases without a
   * victimization type: CA4, CA6 (both ben's); engaged without a service: CA10; inactive
   * for more than 30 days: CA2, CA10. */
  g_autoptr(ClReportResult) r = run_traced_period ("data-quality", "2026-01-01", "2026-03-31");
  g_autofree char *items = list_case_set (r, "items");

  CASES (r, "clients", "new", "clients", "CA1 CA2 CA3 CA4 CA7 CA8");
  CASES (r, "clients", "missing_gender", "clients", "CA3 CA4");
  CASES (r, "clients", "missing_race", "clients", "CA4");
  CASES (r, "clients", "missing_any", "clients", "CA3 CA4");
  CASES (r, "cases", "checked", "cases", "CA1 CA2 CA3 CA4 CA5 CA6 CA7 CA8 CA10");
  CASES (r, "cases", "no_victimization", "cases", "CA4 CA6");
  CASES (r, "cases", "no_service", "cases", "CA10");
  CASES (r, "cases", "inactive", "cases", "CA2 CA10");
  CASES (r, "by_advocate", "ben", "no_victimization", "CA4 CA6");
  CASES (r, "by_advocate", "total", "inactive", "CA2 CA10");
  /* The cases to fix, one a row. */
  g_assert_cmpuint (cl_report_result_get_table (r, "items")->rows->len, ==, 4);
  g_assert_cmpstr (items, ==, "CA2 CA4 CA6 CA10");
}

/* What never drills down --------------------------------------------------------------- */

static void
test_funder (void)
{
  static const char *const funder[] = { "pmt", "trafficking" };

  for (guint i = 0; i < G_N_ELEMENTS (funder); i++)
    {
      g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
      g_autoptr(ClReportResult) traced = run_flags (funder[i], p, CL_REPORT_RUN_TRACE_CASES);
      g_autoptr(ClReportResult) plain = run_flags (funder[i], p, CL_REPORT_RUN_NONE);

      g_assert_false (cl_report_result_has_cases (traced));
      for (guint ti = 0; ti < traced->tables->len; ti++)
        {
          ClReportTable *t = g_ptr_array_index (traced->tables, ti);

          for (guint row = 0; row < t->rows->len; row++)
            for (guint col = 0; col < t->columns->len; col++)
              g_assert_null (cl_report_result_get_cases (traced, ti, row, col));
        }
      check_same_json (traced, plain);

      /* The flag is ignored, so outside use is not refused either. */
      p->outside = TRUE;
      {
        g_autoptr(ClReportResult) out = run_flags (funder[i], p, CL_REPORT_RUN_TRACE_CASES);

        g_assert_true (out->suppressed);
        g_assert_false (cl_report_result_has_cases (out));
      }
    }
}

static void
test_outside_refused (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (internal_reports); i++)
    {
      g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
      g_autoptr(GError) error = NULL;
      g_autoptr(ClReportResult) r = NULL;

      p->outside = TRUE;
      r = cl_report_run_vault (vault.store, internal_reports[i], p, CL_REPORT_RUN_TRACE_CASES,
                               &error);
      g_assert_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS);
      g_assert_null (r);
    }
}

static void
test_copy_and_suppress (void)
{
  g_autoptr(ClReportResult) r = run_traced_period ("referrals", "2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) copy = cl_report_result_copy (r);
  ClReportTable *t = cl_report_result_get_table (copy, "summary");

  /* A copy (e.g. the one suppressed for an export) leaves the cases behind… */
  g_assert_false (cl_report_result_has_cases (copy));
  g_assert_null (cl_report_result_get_cases (copy, t->index, 0, 0));
  g_assert_cmpint (cl_report_result_get_count (copy, "summary", "all", "referrals"), ==, 6);
  /* …and the original keeps them. */
  CASES (r, "summary", "all", "referrals", "CA1 CA2 CA3 CA4 CA7 CA8");

  /* What is suppressed leaves the organization: no case behind any cell. */
  cl_report_result_suppress (r, 4);
  g_assert_true (r->suppressed);
  g_assert_false (cl_report_result_has_cases (r));
  g_assert_null (cl_report_result_get_cases (r, t->index, 0, 0));
}

static void
test_derived (void)
{
  /* A share drills down to its numerator, a median to the count it is taken over. */
  g_autoptr(ClReportResult) referrals = run_traced_period ("referrals", "2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) closures = run_traced_period ("closures", "2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) first = run_traced_period ("first-contact", "2026-01-01", "2026-03-31");

  g_assert_true (same_cases (cases_of (referrals, "summary", "all", "conversion"),
                             cases_of (referrals, "summary", "all", "reached")));
  g_assert_true (same_cases (cases_of (referrals, "by_command", "14", "conversion"),
                             cases_of (referrals, "by_command", "14", "reached")));
  CASES (referrals, "by_command", "14", "conversion", "CA1 CA3 CA7");
  /* 0 % converted: no case, not the referral it is a share of. */
  CASES (referrals, "by_command", "75", "conversion", "");
  g_assert_true (same_cases (cases_of (closures, "by_reason", "declined", "median_days"),
                             cases_of (closures, "by_reason", "declined", "closed")));
  g_assert_true (same_cases (cases_of (first, "first_attempt", "total", "p90_hours"),
                             cases_of (first, "first_attempt", "total", "with")));
  CASES (first, "first_attempt", "total", "p90_hours", "CA1 CA2 CA3 CA4 CA7");
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ClReportResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cl_report_run_vault_finish (CL_STORE (source), result, &error);
  g_assert_no_error (error);
}

/* The desktop runs reports in a thread: the flag goes with them. */
static void
test_async (void)
{
  g_autoptr(ClReportParams) p = params_new ("2026-01-01", "2026-03-31");
  g_autoptr(ClReportResult) r = NULL;

  cl_report_run_vault_async (vault.store, "closures", p, CL_REPORT_RUN_TRACE_CASES, NULL,
                             async_done_cb, &r);
  while (r == NULL)
    g_main_context_iteration (NULL, TRUE);
  CASES (r, "by_reason", "total", "closed", "CA3 CA4");
}

int
main (int    argc,
      char **argv)
{
  int rc;

  cl_test_init (&argc, &argv);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  cl_test_vault_setup (&vault, NULL);
  cl_report_fixture_build (vault.store, &ids);
  load_fixture_cases ();

  g_test_add_func ("/core/report-drill/every-cell", test_every_cell);
  g_test_add_func ("/core/report-drill/caseload", test_caseload);
  g_test_add_func ("/core/report-drill/referrals", test_referrals);
  g_test_add_func ("/core/report-drill/first-contact", test_first_contact);
  g_test_add_func ("/core/report-drill/outreach", test_outreach);
  g_test_add_func ("/core/report-drill/services", test_services);
  g_test_add_func ("/core/report-drill/outcomes", test_outcomes);
  g_test_add_func ("/core/report-drill/closures", test_closures);
  g_test_add_func ("/core/report-drill/deadlines", test_deadlines);
  g_test_add_func ("/core/report-drill/data-quality", test_data_quality);
  g_test_add_func ("/core/report-drill/funder", test_funder);
  g_test_add_func ("/core/report-drill/outside-refused", test_outside_refused);
  g_test_add_func ("/core/report-drill/copy-and-suppress", test_copy_and_suppress);
  g_test_add_func ("/core/report-drill/derived", test_derived);
  g_test_add_func ("/core/report-drill/async", test_async);

  rc = g_test_run ();

  clear_fixture_cases ();
  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
