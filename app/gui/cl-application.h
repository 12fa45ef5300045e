/* cl-application.h: the Caseload desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_APPLICATION (cl_application_get_type ())
G_DECLARE_FINAL_TYPE (ClApplication, cl_application, CL, APPLICATION, AdwApplication)

ClApplication *cl_application_new         (const char    *application_id,
                                           GApplicationFlags flags);
ClContext     *cl_application_get_context (ClApplication *self);
void           cl_application_lock        (ClApplication *self);
void           cl_gui_register_resources  (void);

G_END_DECLS
