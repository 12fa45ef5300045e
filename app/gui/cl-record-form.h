/* cl-record-form.h: a preferences group of rows editing some fields of one record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-changes.h"
#include "cl-record.h"

G_BEGIN_DECLS

#define CL_TYPE_RECORD_FORM (cl_record_form_get_type ())
G_DECLARE_FINAL_TYPE (ClRecordForm, cl_record_form, CL, RECORD_FORM, AdwPreferencesGroup)

ClRecordForm *cl_record_form_new           (const char          *type_name,
                                            const char * const  *fields,
                                            gboolean             autosave);
void          cl_record_form_set_read_only (ClRecordForm        *self);
void          cl_record_form_set_unchosen  (ClRecordForm        *self);
const char   *cl_record_form_get_type_name (ClRecordForm        *self);
void          cl_record_form_set_commands  (ClRecordForm        *self,
                                            GtkStringList       *codes,
                                            GtkStringList       *labels);
void          cl_record_form_set_record    (ClRecordForm        *self,
                                            ClRecord            *record);
ClRecord     *cl_record_form_get_record    (ClRecordForm        *self);
void          cl_record_form_set_value     (ClRecordForm        *self,
                                            const char          *field,
                                            const char          *value);
char         *cl_record_form_dup_value     (ClRecordForm        *self,
                                            const char          *field);
GtkWidget    *cl_record_form_get_row       (ClRecordForm        *self,
                                            const char          *field);
ClChanges    *cl_record_form_collect       (ClRecordForm        *self,
                                            GError             **error);
gboolean      cl_record_form_get_modified  (ClRecordForm        *self);
ClChanges    *cl_record_form_dup_input     (ClRecordForm        *self);
void          cl_record_form_set_input     (ClRecordForm        *self,
                                            ClChanges           *input);
void          cl_record_form_flush         (ClRecordForm        *self);
void          cl_record_form_clear         (ClRecordForm        *self);
gboolean      cl_record_form_revert_focus  (ClRecordForm        *self,
                                            GtkWidget           *focus);

gboolean      cl_record_form_check_when    (const char          *type,
                                            const char          *field,
                                            const char          *value,
                                            GError             **error);

G_END_DECLS
