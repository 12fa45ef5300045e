/* cl-drill-down-window.h: the cases behind a report's count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_DRILL_DOWN_WINDOW (cl_drill_down_window_get_type ())
G_DECLARE_FINAL_TYPE (ClDrillDownWindow, cl_drill_down_window, CL, DRILL_DOWN_WINDOW, AdwWindow)

ClDrillDownWindow *cl_drill_down_window_new       (GtkWindow          *parent,
                                                   ClStore            *store,
                                                   const char         *cell,
                                                   const char *const  *case_ids);
void               cl_drill_down_window_open_case (ClDrillDownWindow  *self,
                                                   guint               position);

/* For the gui tests. */
gboolean           _cl_drill_down_window_get_loaded (ClDrillDownWindow *self);
GListModel        *_cl_drill_down_window_get_cases  (ClDrillDownWindow *self);

G_END_DECLS
