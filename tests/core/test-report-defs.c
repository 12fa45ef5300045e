/* test-report-defs.c: the list of report definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each report is one ClReportDef (common/reports/NAME.c) and the list of them is
 * common/reports/meson.build. Every definition must be complete and its name unique; the
 * public list (cl_report_list(), which the Reports view, caseloadctl and the server's
 * routes read) must be exactly the definitions, in order; and what the engine tells an
 * adapter (needs, case scope, service window) must come from the definition.
 */

#define G_LOG_DOMAIN "test-report-defs"

#include <string.h>

#include "cl-report-context.h"
#include "cl-test-util.h"

static const ClReportDef *const defs[] = {
#define CL_REPORT(name) &cl_report_def_##name,
  CL_REPORT_LIST
#undef CL_REPORT
};

static gboolean
is_name (const char *name)
{
  if (name == NULL || !g_ascii_islower (name[0]))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static void
test_complete (void)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (G_N_ELEMENTS (defs), >=, 11);
  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      const ClReportDef *def = defs[i];
      const char *name = def->info.name;

      if (!is_name (name))
        g_error ("report %u: “%s” is not a name of lower-case letters and dashes", i,
                 name ? name : "(null)");
      if (!g_hash_table_add (names, (gpointer) name))
        g_error ("report %s is listed twice", name);
      g_assert_nonnull (def->run);
      g_assert_true (def->info.title != NULL && def->info.title[0] != '\0');
      g_assert_true (def->info.description != NULL && def->info.description[0] != '\0');
      /* Every report reads the cases, their commands and their inbound referrals. */
      if ((def->info.needs & CL_REPORT_BASE_NEEDS) != CL_REPORT_BASE_NEEDS)
        g_error ("report %s does not need the base facts", name);
      /* A report that reads services only within a window loads them. */
      if (def->service_window != CL_REPORT_WINDOW_NONE)
        g_assert_true (def->info.needs & CL_REPORT_NEED_SERVICES);
      g_assert_cmpint (def->service_window, <=, CL_REPORT_WINDOW_UNTIL_END);
      g_assert_cmpint (def->case_scope, <=, CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD);
      /* Funder reports count only: they are never traced to cases, so they list none. */
      if (def->info.funder)
        g_assert_false (def->info.needs & CL_REPORT_NEED_CASE_NUMBER);
    }
}

/* cl_report_list() is the definitions, in order: what the app and the CLI offer, and
 * what the server routes. */
static void
test_public_list (void)
{
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (defs));
  for (guint i = 0; i < n; i++)
    {
      const ClReportDef *def = _cl_report_def_lookup (list[i].name);

      g_assert_true (def == defs[i]);
      g_assert_true (cl_report_lookup (list[i].name) == &list[i]);
      g_assert_cmpstr (list[i].title, ==, def->info.title);
      g_assert_cmpstr (list[i].description, ==, def->info.description);
      g_assert_cmpint (list[i].needs, ==, def->info.needs);
      g_assert_cmpint (list[i].funder, ==, def->info.funder);
    }
  g_assert_null (cl_report_lookup ("no-such-report"));
  g_assert_null (cl_report_lookup (NULL));
  g_assert_null (_cl_report_def_lookup ("CASELOAD"));
}

/* What an adapter is told comes from the definition. */
static void
test_engine_reads_defs (void)
{
  g_autoptr(ClReportParams) p = cl_report_params_new ();

  p->from = cl_day_from_ymd (2026, 1, 1);
  p->to = cl_day_from_ymd (2026, 3, 31);
  p->today = cl_day_from_ymd (2026, 5, 15);
  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      const ClReportDef *def = defs[i];
      ClDay from, to;
      gboolean window = cl_report_service_window (def->info.name, p, &from, &to);

      g_assert_cmpint (cl_report_needs (def->info.name, p), ==, def->info.needs);
      if (def->case_scope_for != NULL)
        g_assert_cmpint (cl_report_case_scope (def->info.name, p), ==, def->case_scope_for (p));
      else
        g_assert_cmpint (cl_report_case_scope (def->info.name, p), ==, def->case_scope);
      g_assert_cmpint (window, ==, def->service_window != CL_REPORT_WINDOW_NONE);
      if (window)
        g_assert_cmpint (to, ==, p->to);
    }
  g_assert_cmpint (cl_report_needs ("no-such-report", p), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  cl_test_init (&argc, &argv);

  g_test_add_func ("/core/report-defs/complete", test_complete);
  g_test_add_func ("/core/report-defs/public-list", test_public_list);
  g_test_add_func ("/core/report-defs/engine-reads-defs", test_engine_reads_defs);
  return g_test_run ();
}
