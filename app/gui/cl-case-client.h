/* cl-case-client.h: the client of a case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"
#include "cl-record-form.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_CLIENT (cl_case_client_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseClient, cl_case_client, CL, CASE_CLIENT, AdwPreferencesGroup)

GtkWidget    *cl_case_client_new      (ClCasePage   *page);
ClRecordForm *cl_case_client_get_form (ClCaseClient *self);

G_END_DECLS
