/* cl-case-list.h: a live, sorted, lazily loaded GListModel of cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-case-summary.h"
#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_LIST (cl_case_list_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseList, cl_case_list, CL, CASE_LIST, GObject)

ClCaseList *cl_case_list_new          (ClStore     *store,
                                       ClCaseView   view);
ClCaseView  cl_case_list_get_view     (ClCaseList  *self);
void        cl_case_list_set_view     (ClCaseList  *self,
                                       ClCaseView   view);
void        cl_case_list_set_sort     (ClCaseList  *self,
                                       ClCaseSort   sort,
                                       gboolean     descending);
void        cl_case_list_clear        (ClCaseList  *self);

G_END_DECLS
