/* cl-record-dialog.h: add or edit one record of a case (a task, a legal matter, …)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-drafts.h"
#include "cl-record-form.h"

G_BEGIN_DECLS

#define CL_TYPE_RECORD_DIALOG (cl_record_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClRecordDialog, cl_record_dialog, CL, RECORD_DIALOG, AdwWindow)

ClRecordDialog *cl_record_dialog_new           (GtkWindow          *parent,
                                                const char         *type_name,
                                                const char * const *fields,
                                                ClRecord           *record,
                                                GtkStringList      *command_codes,
                                                GtkStringList      *command_labels);
ClRecordForm   *cl_record_dialog_get_form      (ClRecordDialog     *self);
void            cl_record_dialog_set_error     (ClRecordDialog     *self,
                                                const char         *message);
void            cl_record_dialog_add           (ClRecordDialog     *self);
ClChanges      *cl_record_dialog_dup_input     (ClRecordDialog     *self);
void            cl_record_dialog_restore_draft (ClRecordDialog     *self,
                                                ClStore            *store,
                                                ClDraft            *draft);
ClDraft        *cl_record_dialog_get_draft     (ClRecordDialog     *self);
const char     *cl_record_dialog_get_notice    (ClRecordDialog     *self);

/* Internal: the question both new-record dialogs ask before discarding what was typed or
 * a kept entry. */
GtkWindow      *_cl_record_dialog_new_discard_question (GtkWindow *parent,
                                                        gboolean   kept);

G_END_DECLS
