/* cl-view-counts.h: the live number of cases in each case view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_VIEW_COUNTS (cl_view_counts_get_type ())
G_DECLARE_FINAL_TYPE (ClViewCounts, cl_view_counts, CL, VIEW_COUNTS, GObject)

ClViewCounts *cl_view_counts_new        (const ClCaseView *views,
                                         guint             n_views,
                                         guint             delay_ms);
void          cl_view_counts_set_store  (ClViewCounts     *self,
                                         ClStore          *store);
void          cl_view_counts_refresh    (ClViewCounts     *self);
gint64        cl_view_counts_get        (ClViewCounts     *self,
                                         ClCaseView        view);
guint         cl_view_counts_get_serial (ClViewCounts     *self);

G_END_DECLS
