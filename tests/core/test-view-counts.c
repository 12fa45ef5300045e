/* test-view-counts.c: the live number of cases in each case view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-test-util.h"
#include "cl-view-counts.h"

static const ClCaseView views[] = {
  CL_CASE_VIEW_MINE,
  CL_CASE_VIEW_NEW_REFERRALS,
  CL_CASE_VIEW_CLOSED,
};

static void
changed_cb (ClViewCounts *counts,
            guint        *n)
{
  (*n)++;
}

/* Runs the main loop until @counts has counted @serial times. */
static void
wait_for_serial (ClViewCounts *counts,
                 guint         serial)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (cl_view_counts_get_serial (counts) < serial)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_live (ClTestVault   *f,
           gconstpointer  data)
{
  g_autoptr(ClViewCounts) counts = cl_view_counts_new (views, G_N_ELEMENTS (views), 10);
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = cl_test_new_case (f->store, "Amy Adams");
  g_autofree char *b = cl_test_new_case (f->store, "Zoe Zimmer");
  guint changes = 0;

  g_signal_connect (counts, "changed", G_CALLBACK (changed_cb), &changes);

  /* Nothing is known before a store is set, nor of a view not counted. */
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, -1);
  cl_view_counts_set_store (counts, f->store);
  wait_for_serial (counts, 1);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, 2);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_NEW_REFERRALS), ==, 2);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_CLOSED), ==, 0);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_ALL), ==, -1);
  g_assert_cmpuint (changes, ==, 1);

  /* A change of the store counts again by itself. */
  cl_changes_set (edit, "status", "closed");
  cl_changes_set (edit, "closure_reason", "services_completed");
  g_assert_true (cl_store_update (f->store, "case", a, edit, &error));
  g_assert_no_error (error);
  wait_for_serial (counts, 2);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, 1);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_CLOSED), ==, 1);

  /* Without a store (the vault locks) the counts are forgotten at once, and a change
   * made after counts nothing. */
  cl_view_counts_set_store (counts, NULL);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, -1);
  g_assert_cmpuint (changes, ==, 3);
  g_free (cl_test_new_case (f->store, "Noor Nadir"));
  g_usleep (50 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (cl_view_counts_get_serial (counts), ==, 2);
}

/* A store set away while a count reads: the old count never lands. */
static void
test_replaced (ClTestVault   *f,
               gconstpointer  data)
{
  g_autoptr(ClViewCounts) counts = cl_view_counts_new (views, G_N_ELEMENTS (views), 10);

  g_free (cl_test_new_case (f->store, "Amy Adams"));
  cl_view_counts_set_store (counts, f->store);
  cl_view_counts_set_store (counts, NULL);
  g_usleep (50 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (cl_view_counts_get_serial (counts), ==, 0);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, -1);

  cl_view_counts_set_store (counts, f->store);
  wait_for_serial (counts, 1);
  g_assert_cmpint (cl_view_counts_get (counts, CL_CASE_VIEW_MINE), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

  g_test_add ("/core/view-counts/live", ClTestVault, NULL, cl_test_vault_setup, test_live,
              cl_test_vault_teardown);
  g_test_add ("/core/view-counts/replaced", ClTestVault, NULL, cl_test_vault_setup,
              test_replaced, cl_test_vault_teardown);

  return g_test_run ();
}
