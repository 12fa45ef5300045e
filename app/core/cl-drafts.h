/* cl-drafts.h: unsaved new-record entries kept in the vault across a lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-changes.h"
#include "cl-store.h"

G_BEGIN_DECLS

/* The kind of a draft of the New Referral dialog (client, case and inbound referral);
 * any other kind is the name of a record type. */
#define CL_DRAFT_KIND_NEW_REFERRAL "new-referral"

typedef struct {
  char      *id;
  char      *kind;        /* CL_DRAFT_KIND_NEW_REFERRAL or a record type */
  char      *parent_id;   /* the case or client the new record belongs to, or NULL */
  char      *case_id;     /* the case it was typed on, or NULL */
  ClChanges *values;      /* field -> value, as typed (not normalized) */
  char      *created_at;
  char      *updated_at;
} ClDraft;

void        cl_draft_free     (ClDraft     *draft);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClDraft, cl_draft_free)

char       *cl_drafts_save    (ClStore     *store,
                               const char  *id,
                               const char  *kind,
                               const char  *parent_id,
                               const char  *case_id,
                               ClChanges   *values,
                               GError     **error);
GPtrArray  *cl_drafts_list    (ClStore     *store,
                               GError     **error);
ClDraft    *cl_drafts_load    (ClStore     *store,
                               const char  *id,
                               GError     **error);
gboolean    cl_drafts_delete  (ClStore     *store,
                               const char  *id,
                               GError     **error);

G_END_DECLS
