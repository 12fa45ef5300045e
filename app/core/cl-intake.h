/* cl-intake.h: a new referral, and the clients it may belong to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-store.h"

G_BEGIN_DECLS

/* An existing client that what was typed for a new referral may belong to. */
typedef struct
{
  char     *client_id;
  char     *display_name;   /* as the case list shows it: a restricted client by pseudonym */
  char     *date_of_birth;  /* NULL if unknown, or if the client is restricted */
  char     *case_number;    /* the client's most recent case */
  guint     n_cases;
  gboolean  restricted;
  gboolean  same_phone;
  gboolean  same_birth;
} ClIntakeMatch;

void       cl_intake_match_free        (ClIntakeMatch  *match);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClIntakeMatch, cl_intake_match_free)

GPtrArray *cl_intake_find_clients      (ClStore        *store,
                                        const char     *name,
                                        const char     *phone,
                                        const char     *date_of_birth,
                                        guint           limit,
                                        GError        **error);

char      *cl_intake_create_referral   (ClStore        *store,
                                        const char     *client_id,
                                        ClChanges      *client,
                                        ClChanges      *case_values,
                                        ClChanges      *referral,
                                        const char     *draft_id,
                                        GError        **error);

G_END_DECLS
