/* cl-case-sorter.c: a column's sort key, for GtkColumnView headers over a sorted-in-SQL list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The case list is sorted by SQLite (cl_case_list_set_sort), never in memory: 100,000 rows
 * are not loaded to be compared. Each column still gets a sorter so its header is clickable
 * and shows the sort arrow. GTK 4.8 does not tell which column the column view sorts by
 * (GtkColumnViewSorter's accessors arrived in 4.10), so cl_case_sorter_probe() asks the
 * column view's sorter to compare two probe objects: the first column sorter consulted is
 * the primary one, and the sign of the answer tells the direction.
 */

#define G_LOG_DOMAIN "cl-case-sorter"

#include "config.h"

#include "cl-case-sorter.h"

struct _ClCaseSorter
{
  GtkSorter   parent_instance;

  ClCaseSort  sort;
};

G_DEFINE_FINAL_TYPE (ClCaseSorter, cl_case_sorter, GTK_TYPE_SORTER)

static ClCaseSorter *probed;
static GObject *probe_a;
static GObject *probe_b;

static GtkOrdering
cl_case_sorter_compare (GtkSorter *sorter,
                        gpointer   item1,
                        gpointer   item2)
{
  ClCaseSorter *self = CL_CASE_SORTER (sorter);

  if (item1 == probe_a && item2 == probe_b)
    {
      if (probed == NULL)
        probed = self;
      return GTK_ORDERING_SMALLER;
    }

  /* Never used to sort anything else: the list comes sorted from the store. */
  return GTK_ORDERING_EQUAL;
}

static GtkSorterOrder
cl_case_sorter_get_order (GtkSorter *sorter)
{
  return GTK_SORTER_ORDER_PARTIAL;
}

static void
cl_case_sorter_class_init (ClCaseSorterClass *klass)
{
  GtkSorterClass *sorter_class = GTK_SORTER_CLASS (klass);

  sorter_class->compare = cl_case_sorter_compare;
  sorter_class->get_order = cl_case_sorter_get_order;
}

static void
cl_case_sorter_init (ClCaseSorter *self)
{
}

ClCaseSorter *
cl_case_sorter_new (ClCaseSort sort)
{
  ClCaseSorter *self = g_object_new (CL_TYPE_CASE_SORTER, NULL);

  self->sort = sort;

  return self;
}

ClCaseSort
cl_case_sorter_get_sort (ClCaseSorter *self)
{
  g_return_val_if_fail (CL_IS_CASE_SORTER (self), CL_CASE_SORT_LAST_ACTIVITY);

  return self->sort;
}

/**
 * cl_case_sorter_probe:
 * @view_sorter: the sorter of a GtkColumnView whose columns have #ClCaseSorters
 *
 * Returns: %TRUE and the primary sort key and direction, or %FALSE when the view is unsorted
 */
gboolean
cl_case_sorter_probe (GtkSorter  *view_sorter,
                      ClCaseSort *sort,
                      gboolean   *descending)
{
  GtkOrdering result;

  g_return_val_if_fail (GTK_IS_SORTER (view_sorter), FALSE);

  if (probe_a == NULL)
    {
      probe_a = g_object_new (G_TYPE_OBJECT, NULL);
      probe_b = g_object_new (G_TYPE_OBJECT, NULL);
    }

  probed = NULL;
  result = gtk_sorter_compare (view_sorter, probe_a, probe_b);

  if (probed == NULL || result == GTK_ORDERING_EQUAL)
    return FALSE;

  *sort = probed->sort;
  *descending = result == GTK_ORDERING_LARGER;
  probed = NULL;

  return TRUE;
}
