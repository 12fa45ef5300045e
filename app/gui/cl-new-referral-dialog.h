/* cl-new-referral-dialog.h: record a new referral (client, case, inbound referral)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-drafts.h"
#include "cl-record-form.h"
#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_NEW_REFERRAL_DIALOG (cl_new_referral_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClNewReferralDialog, cl_new_referral_dialog, CL, NEW_REFERRAL_DIALOG, AdwWindow)

ClNewReferralDialog *cl_new_referral_dialog_new           (GtkWindow           *parent,
                                                           ClStore             *store,
                                                           GtkStringList       *command_codes,
                                                           GtkStringList       *command_labels,
                                                           const char          *default_command);
gboolean             cl_new_referral_dialog_create        (ClNewReferralDialog *self);
void                 cl_new_referral_dialog_set_anonymous (ClNewReferralDialog *self,
                                                           gboolean             anonymous);
ClRecordForm        *cl_new_referral_dialog_get_form      (ClNewReferralDialog *self,
                                                           const char          *type_name);
gboolean             cl_new_referral_dialog_keep_draft    (ClNewReferralDialog  *self,
                                                           GError              **error);
void                 cl_new_referral_dialog_restore_draft (ClNewReferralDialog *self,
                                                           ClDraft             *draft);
const char          *cl_new_referral_dialog_get_notice    (ClNewReferralDialog *self);

G_END_DECLS
