/* cl-case-sorter.h: a column's sort key, for GtkColumnView headers over a sorted-in-SQL list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_SORTER (cl_case_sorter_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseSorter, cl_case_sorter, CL, CASE_SORTER, GtkSorter)

ClCaseSorter *cl_case_sorter_new      (ClCaseSort  sort);
ClCaseSort    cl_case_sorter_get_sort (ClCaseSorter *self);
gboolean      cl_case_sorter_probe    (GtkSorter   *view_sorter,
                                       ClCaseSort  *sort,
                                       gboolean    *descending);

G_END_DECLS
