/* cl-record-dialog.h: add or edit one record of a case (a task, a legal matter, …)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-record-form.h"

G_BEGIN_DECLS

#define CL_TYPE_RECORD_DIALOG (cl_record_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClRecordDialog, cl_record_dialog, CL, RECORD_DIALOG, AdwWindow)

ClRecordDialog *cl_record_dialog_new       (GtkWindow          *parent,
                                            const char         *type_name,
                                            const char * const *fields,
                                            ClRecord           *record,
                                            GtkStringList      *command_codes,
                                            GtkStringList      *command_labels);
ClRecordForm   *cl_record_dialog_get_form  (ClRecordDialog     *self);
void            cl_record_dialog_set_error (ClRecordDialog     *self,
                                            const char         *message);
void            cl_record_dialog_add       (ClRecordDialog     *self);

G_END_DECLS
