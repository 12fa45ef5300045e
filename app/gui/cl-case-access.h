/* cl-case-access.h: who may see a restricted case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_ACCESS (cl_case_access_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseAccess, cl_case_access, CL, CASE_ACCESS, AdwPreferencesGroup)

GtkWidget *cl_case_access_new             (ClCasePage *page);
void       cl_case_access_save_restricted (ClCasePage *page,
                                           const char *type,
                                           ClChanges  *values);

G_END_DECLS
