/* cl-enroll-dialog.h: connect this workstation to the organization's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_ENROLL_DIALOG (cl_enroll_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClEnrollDialog, cl_enroll_dialog, CL, ENROLL_DIALOG, AdwWindow)

ClEnrollDialog *cl_enroll_dialog_new        (GtkWindow      *parent,
                                             ClContext      *context);
void            cl_enroll_dialog_set_fields (ClEnrollDialog *self,
                                             const char     *url,
                                             const char     *ca_file,
                                             const char     *username,
                                             const char     *password);
void            cl_enroll_dialog_enroll     (ClEnrollDialog *self);
const char     *cl_enroll_dialog_get_error  (ClEnrollDialog *self);
const char     *cl_enroll_dialog_get_ca_file (ClEnrollDialog *self);
GtkEditable    *cl_enroll_dialog_get_url_row (ClEnrollDialog *self);
gboolean        cl_enroll_dialog_get_busy   (ClEnrollDialog *self);

void            cl_sync_ask_login           (GtkWindow      *parent,
                                             ClContext      *context);
void            cl_sync_ask_new_password    (GtkWindow      *parent,
                                             ClContext      *context);

G_END_DECLS
