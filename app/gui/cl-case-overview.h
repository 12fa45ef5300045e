/* cl-case-overview.h: a case's own fields, and how it closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"
#include "cl-record-form.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_OVERVIEW (cl_case_overview_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseOverview, cl_case_overview, CL, CASE_OVERVIEW, AdwPreferencesGroup)

GtkWidget    *cl_case_overview_new      (ClCasePage     *page);
ClRecordForm *cl_case_overview_get_form (ClCaseOverview *self);

G_END_DECLS
