/* cl-case-record-section.h: the records of one kind on a case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-section.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_RECORD_SECTION (cl_case_record_section_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseRecordSection, cl_case_record_section, CL, CASE_RECORD_SECTION,
                      AdwPreferencesGroup)

GtkWidget          *cl_case_record_section_new             (ClCasePage          *page,
                                                            const char          *type);
const char * const *cl_case_record_section_types           (void);
const char         *cl_case_record_section_get_record_type (ClCaseRecordSection *self);
void                cl_case_record_section_add             (ClCaseRecordSection *self);
void                cl_case_record_section_pick_service    (ClCaseRecordSection *self);
gboolean            cl_case_record_section_open            (ClCaseRecordSection *self,
                                                            const char          *id);
guint               cl_case_record_section_get_n_rows      (ClCaseRecordSection *self);
void                cl_case_record_section_activate_row    (ClCaseRecordSection *self,
                                                            guint                index);

G_END_DECLS
