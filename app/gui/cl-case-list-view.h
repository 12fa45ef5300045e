/* cl-case-list-view.h: the table of cases of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_LIST_VIEW (cl_case_list_view_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseListView, cl_case_list_view, CL, CASE_LIST_VIEW, GtkWidget)

GtkWidget     *cl_case_list_view_new             (void);
void           cl_case_list_view_set_model       (ClCaseListView *self,
                                                  GListModel     *model);
GListModel    *cl_case_list_view_get_model       (ClCaseListView *self);
void           cl_case_list_view_show_sort       (ClCaseListView *self,
                                                  ClCaseSort      sort,
                                                  gboolean        descending);
GtkColumnView *cl_case_list_view_get_column_view (ClCaseListView *self);

G_END_DECLS
