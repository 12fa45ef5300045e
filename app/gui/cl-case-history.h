/* cl-case-history.h: what changed on a case, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_HISTORY (cl_case_history_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseHistory, cl_case_history, CL, CASE_HISTORY, AdwPreferencesGroup)

GtkWidget *cl_case_history_new       (ClCasePage    *page);
guint      cl_case_history_get_n_rows (ClCaseHistory *self);
void       cl_case_history_activate_row (ClCaseHistory *self,
                                         guint          index);

G_END_DECLS
