/* test-report-golden.c: every report on the fixture, compared whole with a stored copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hand-computed tests (test-reports.c, test-report-counts.c) check the cells that carry
 * a counting rule; this one guards everything else a reader sees: every table, row, column,
 * label, note, chart hint, relation and suppressed cell of every report, in the JSON the
 * server sends and the exports write, under several parameter sets, and the cases behind
 * every cell of a traced run. Case numbers are fixed (CL-CA01 …) so that the stored copy
 * names no random id. A change of the engine's shape must leave it all identical.
 *
 * The stored copy is report-golden.txt beside this file. A deliberate change of output
 * regenerates it with CASELOAD_GOLDEN_UPDATE=1 set (then review the difference).
 */

#define G_LOG_DOMAIN "test-report-golden"

#include <string.h>

#include <glib/gstdio.h>

#include "cl-report-fixture.h"
#include "cl-report-vault.h"
#include "cl-sql.h"
#include "cl-test-util.h"
#include "cl-vault-private.h"

#define TODAY CL_REPORT_FIXTURE_TODAY

static ClTestVault vault;
static ClReportFixture ids;

typedef struct {
  const char *label;
  const char *from;
  const char *to;
  const char *as_of;     /* NULL: the default */
  const char *advocate;
  const char *borough;
  const char *funding;
  gboolean    outside;
} Variant;

static const Variant variants[] = {
  { "fy2026", "2025-10-01", "2026-09-30" },
  { "q2", "2026-01-01", "2026-03-31" },
  { "q3-past", "2026-04-01", "2026-06-30", "2026-03-01" },
  { "q2-ana", "2026-01-01", "2026-03-31", NULL, "ana" },
  { "fy2026-brooklyn-voca", "2025-10-01", "2026-09-30", NULL, NULL, "brooklyn", "voca" },
  { "q2-outside", "2026-01-01", "2026-03-31", NULL, NULL, NULL, NULL, TRUE },
  { "fy2026-outside", "2025-10-01", "2026-09-30", NULL, NULL, NULL, NULL, TRUE },
};

/* The fixture's name of a case ("CA3"), so that the stored copy holds no random ids. */
static const char *
case_name (const char *id)
{
  static char name[8];

  for (guint i = 0; i < G_N_ELEMENTS (ids.cases); i++)
    if (g_strcmp0 (ids.cases[i], id) == 0)
      {
        g_snprintf (name, sizeof name, "CA%u", i);
        return name;
      }
  g_error ("a traced cell names a case outside the fixture");
  return NULL;
}

/* The store draws case numbers from the random ids, and lists of cases are sorted by
 * number: fixed numbers keep the order of every list the same from run to run. */
static void
fix_case_numbers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (ids.cases); i++)
    if (ids.cases[i] != NULL)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *number = g_strdup_printf ("CL-CA%02u", i);

        g_assert_true (cl_sql_exec_params (cl_vault_get_db (cl_store_get_vault (vault.store)), &error,
                                           "UPDATE cases SET case_number = ? WHERE id = ?",
                                           number, ids.cases[i], CL_SQL_END));
        g_assert_no_error (error);
      }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
append_traces (GString        *out,
               ClReportResult *r)
{
  for (guint t = 0; t < r->tables->len; t++)
    {
      ClReportTable *table = g_ptr_array_index (r->tables, t);

      for (guint row = 0; row < table->rows->len; row++)
        for (guint col = 0; col < table->columns->len; col++)
          {
            const char *const *cases = cl_report_result_get_cases (r, t, row, col);
            g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

            if (cases == NULL || cases[0] == NULL)
              continue;
            for (guint i = 0; cases[i] != NULL; i++)
              g_ptr_array_add (names, g_strdup (case_name (cases[i])));
            g_ptr_array_sort (names, compare_names);
            g_ptr_array_add (names, NULL);
            g_string_append_printf (out, "trace %s/%u/%u:", table->key, row, col);
            for (guint i = 0; g_ptr_array_index (names, i) != NULL; i++)
              g_string_append_printf (out, " %s", (char *) g_ptr_array_index (names, i));
            g_string_append_c (out, '\n');
          }
    }
}

static void
append_run (GString       *out,
            const char    *name,
            const Variant *v)
{
  g_autoptr(ClReportParams) p = cl_report_test_params (v->from, v->to, TODAY);
  g_autoptr(ClReportResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  if (v->as_of != NULL)
    p->as_of = cl_day_parse (v->as_of);
  p->advocate = g_strdup (v->advocate);
  p->borough = g_strdup (v->borough);
  p->funding = g_strdup (v->funding);
  p->outside = v->outside;

  r = cl_report_run_vault (vault.store, name, p,
                           v->outside ? CL_REPORT_RUN_NONE : CL_REPORT_RUN_TRACE_CASES, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_free (r->generated_at);
  r->generated_at = g_strdup ("2026-05-15T12:00:00Z");

  g_string_append_printf (out, "## %s %s\n", name, v->label);
  /* What an adapter is told to load. */
  {
    ClDay from, to;
    gboolean window = cl_report_service_window (name, p, &from, &to);
    g_autofree char *from_text = cl_day_to_string (from);
    g_autofree char *to_text = cl_day_to_string (to);

    g_string_append_printf (out, "needs 0x%x, case scope %d, service window %s %s %s\n",
                            (guint) cl_report_needs (name, p), cl_report_case_scope (name, p),
                            window ? "yes" : "no", *from_text ? from_text : "-",
                            *to_text ? to_text : "-");
  }
  json = cl_report_result_to_json (r, NULL);
  g_string_append (out, json);
  g_string_append_c (out, '\n');
  lines = cl_report_params_describe (r);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "describe: %s\n", (char *) g_ptr_array_index (lines, i));
  append_traces (out, r);
}

static void
test_golden (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_auto(GStrv) want = NULL;
  g_auto(GStrv) got = NULL;
  guint n;
  const ClReportInfo *list = cl_report_list (&n);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < G_N_ELEMENTS (variants); j++)
      append_run (out, list[i].name, &variants[j]);

  if (g_getenv ("CASELOAD_GOLDEN_UPDATE") != NULL)
    {
      g_file_set_contents (GOLDEN, out->str, out->len, &error);
      g_assert_no_error (error);
      g_test_message ("wrote %s", GOLDEN);
    }

  g_file_get_contents (GOLDEN, &stored, NULL, &error);
  g_assert_no_error (error);
  want = g_strsplit (stored, "\n", -1);
  got = g_strsplit (out->str, "\n", -1);
  for (guint i = 0; want[i] != NULL || got[i] != NULL; i++)
    {
      if (want[i] == NULL || got[i] == NULL || strcmp (want[i], got[i]) != 0)
        g_error ("report output differs from %s at line %u:\nstored: %s\nnow:    %s",
                 GOLDEN, i + 1, want[i] ? want[i] : "(end)", got[i] ? got[i] : "(end)");
    }
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
  fix_case_numbers ();

  g_test_add_func ("/core/report-golden/every-report", test_golden);

  rc = g_test_run ();
  cl_report_fixture_clear (&ids);
  cl_test_vault_teardown (&vault, NULL);
  return rc;
}
