/* test-demo.c: the synthetic caseload
 *
 * - nothing done is dated after today where the advocate is, on a New York evening, when
 *   the day in UTC is already tomorrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-demo.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

/* The latest of @column in @table, never NULL. */
static char *
latest (ClTestVault *f,
        const char  *table,
        const char  *column)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce(max(%s), '') FROM %s "
                                          "WHERE deleted = 0", column, table);
  char *value = cl_sql_query_text (cl_vault_get_db (f->vault), &error, sql, CL_SQL_END);

  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_test_message ("latest %s.%s: %s", table, column, value);
  return value;
}

static void
test_nothing_in_future (ClTestVault   *f,
                        gconstpointer  data)
{
  /* 10 pm on 6 December in New York. */
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 7, 3, 0, 0);
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *table, *column;
  } dated[] = {
    { "service", "date" },
    { "outbound_referral", "date" },
    { "cases", "opened_at" },
    { "cases", "closed_at" },
    { "compensation", "filed_on" },
    { "immigration", "requested_on" },
  };
  g_autofree char *at = NULL;

  g_assert_true (_cl_demo_generate_at (f->store, 300, 1, g_date_time_to_unix (now), NULL,
                                       NULL, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (dated); i++)
    {
      g_autofree char *day = latest (f, dated[i].table, dated[i].column);

      g_assert_cmpstr (day, >, "2026-");
      g_assert_cmpstr (day, <=, "2026-12-06");
    }
  at = latest (f, "contact", "at");
  g_assert_cmpstr (at, <, "2026-12-07T03:00:00Z");
}

int
main (int argc, char **argv)
{
  /* Before anything reads the local time zone. */
  g_setenv ("TZ", "America/New_York", TRUE);
  cl_test_init (&argc, &argv);
  g_test_add ("/core/demo/nothing-in-future", ClTestVault, NULL, cl_test_vault_setup,
              test_nothing_in_future, cl_test_vault_teardown);

  return g_test_run ();
}
