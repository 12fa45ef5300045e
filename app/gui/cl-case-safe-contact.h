/* cl-case-safe-contact.h: how it is safe to reach a case's client, per channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_SAFE_CONTACT (cl_case_safe_contact_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseSafeContact, cl_case_safe_contact, CL, CASE_SAFE_CONTACT,
                      AdwPreferencesGroup)

GtkWidget *cl_case_safe_contact_new      (ClCasePage        *page);
void       cl_case_safe_contact_set_safe (ClCaseSafeContact *self,
                                          const char        *channel,
                                          const char        *safe);

G_END_DECLS
