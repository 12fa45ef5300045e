/* cl-case-contact-log.h: contacts and attempts with a case's client, and a quick add
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_CONTACT_LOG (cl_case_contact_log_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseContactLog, cl_case_contact_log, CL, CASE_CONTACT_LOG,
                      AdwPreferencesGroup)

GtkWidget  *cl_case_contact_log_new         (ClCasePage       *page);
void        cl_case_contact_log_log         (ClCaseContactLog *self,
                                             gboolean          confirmed);
void        cl_case_contact_log_start       (ClCaseContactLog *self,
                                             const char       *channel);
void        cl_case_contact_log_focus       (ClCaseContactLog *self);
gboolean    cl_case_contact_log_open        (ClCaseContactLog *self,
                                             const char       *id);
ClChanges  *cl_case_contact_log_take_entry  (ClCaseContactLog *self);
void        cl_case_contact_log_set_entry   (ClCaseContactLog *self,
                                             const char       *channel,
                                             const char       *outcome,
                                             const char       *note);
gboolean    cl_case_contact_log_get_started (ClCaseContactLog *self);
void        cl_case_contact_log_discard     (ClCaseContactLog *self);
const char *cl_case_contact_log_get_channel (ClCaseContactLog *self);
const char *cl_case_contact_log_get_outcome (ClCaseContactLog *self);
guint       cl_case_contact_log_get_n_rows  (ClCaseContactLog *self);

G_END_DECLS
