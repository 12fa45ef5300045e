/* cl-case-page-private.h: what the gui tests reach inside a case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-page.h"
#include "cl-record-form.h"

G_BEGIN_DECLS

void          _cl_case_page_set_contact      (ClCasePage *self,
                                              const char *channel,
                                              const char *outcome,
                                              const char *note);
const char   *_cl_case_page_get_contact_channel (ClCasePage *self);
const char   *_cl_case_page_get_contact_outcome (ClCasePage *self);
void          _cl_case_page_set_channel_safe (ClCasePage *self,
                                              const char *channel,
                                              const char *safe);
ClRecordForm *_cl_case_page_get_case_form    (ClCasePage *self);
ClRecordForm *_cl_case_page_get_client_form  (ClCasePage *self);
guint         _cl_case_page_get_n_rows       (ClCasePage *self,
                                              const char *type);
void          _cl_case_page_activate_row     (ClCasePage *self,
                                              const char *type,
                                              guint       index);
GtkWindow    *_cl_case_page_get_dialog       (ClCasePage *self);
GtkWidget    *_cl_case_page_get_section      (ClCasePage *self,
                                              GType       type);

G_END_DECLS
