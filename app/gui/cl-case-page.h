/* cl-case-page.h: one case, its client and everything recorded on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_PAGE (cl_case_page_get_type ())
G_DECLARE_FINAL_TYPE (ClCasePage, cl_case_page, CL, CASE_PAGE, AdwBin)

gboolean    cl_case_page_load         (ClCasePage    *self,
                                       ClStore       *store,
                                       const char    *case_id,
                                       GError       **error);
void        cl_case_page_reload       (ClCasePage    *self);
ClChanges  *cl_case_page_take_contact_entry (ClCasePage *self);
void        cl_case_page_flush        (ClCasePage    *self);
void        cl_case_page_clear        (ClCasePage    *self);
const char *cl_case_page_get_case_id  (ClCasePage    *self);
void        cl_case_page_set_commands (ClCasePage    *self,
                                       GtkStringList *codes,
                                       GtkStringList *labels);

G_END_DECLS
