/* cl-draft-keeper.h: what was typed but not saved, kept across a lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cl-case-page.h"
#include "cl-drafts.h"

G_BEGIN_DECLS

#define CL_TYPE_DRAFT_KEEPER (cl_draft_keeper_get_type ())
G_DECLARE_FINAL_TYPE (ClDraftKeeper, cl_draft_keeper, CL, DRAFT_KEEPER, GObject)

ClDraftKeeper *cl_draft_keeper_new        (GtkWindow      *window);
void           cl_draft_keeper_set_store  (ClDraftKeeper  *self,
                                           ClStore        *store,
                                           GtkStringList  *command_codes,
                                           GtkStringList  *command_labels);
void           cl_draft_keeper_keep       (ClDraftKeeper  *self,
                                           ClCasePage     *case_page);
void           cl_draft_keeper_offer      (ClDraftKeeper  *self);
void           cl_draft_keeper_restore    (ClDraftKeeper  *self,
                                           ClDraft        *draft);
GtkWindow     *cl_draft_keeper_get_dialog (ClDraftKeeper  *self);

G_END_DECLS
