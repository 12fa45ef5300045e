/* cl-safe-contact.h: is a contact safe for the client? (DOMAIN.md rule 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-store.h"

G_BEGIN_DECLS

/* How safe a channel is, weakest warning first. */
typedef enum
{
  CL_SAFETY_SAFE,
  CL_SAFETY_UNKNOWN,
  CL_SAFETY_NOT_SAFE,
} ClSafety;

typedef struct
{
  ClSafety   safety;     /* the strongest of the channels the contact touches */
  char     **channels;   /* codes of the channels at that level, in the contact's order */
  char      *heading;
  char      *body;
} ClSafeContactWarning;

void                  cl_safe_contact_warning_free (ClSafeContactWarning *warning);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSafeContactWarning, cl_safe_contact_warning_free)

ClSafeContactWarning *cl_safe_contact_check        (GPtrArray            *preferences,
                                                    const char           *channel,
                                                    const char           *outcome);
ClSafeContactWarning *cl_safe_contact_check_client (ClStore              *store,
                                                    const char           *client_id,
                                                    const char           *channel,
                                                    const char           *outcome);

G_END_DECLS
