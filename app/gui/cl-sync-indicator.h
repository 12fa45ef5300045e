/* cl-sync-indicator.h: the header bar's sync state, and Sync Now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_SYNC_INDICATOR (cl_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (ClSyncIndicator, cl_sync_indicator, CL, SYNC_INDICATOR, AdwBin)

void        cl_sync_indicator_set_context (ClSyncIndicator *self,
                                           ClContext       *context);
const char *cl_sync_indicator_get_state   (ClSyncIndicator *self);
gint64      cl_sync_indicator_get_pending (ClSyncIndicator *self);
void        cl_sync_indicator_refresh     (ClSyncIndicator *self);
void        cl_sync_indicator_follow      (ClSyncIndicator *self,
                                           ClSync          *sync);
const char *cl_sync_indicator_get_text    (ClSyncIndicator *self);

G_END_DECLS
