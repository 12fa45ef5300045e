/* cl-sidebar.h: the case views of the main window, with their counts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cl-view-counts.h"

G_BEGIN_DECLS

#define CL_TYPE_SIDEBAR (cl_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (ClSidebar, cl_sidebar, CL, SIDEBAR, GtkWidget)

GtkWidget    *cl_sidebar_new            (void);
ClViewCounts *cl_sidebar_get_counts     (ClSidebar  *self);
ClCaseView    cl_sidebar_get_view       (ClSidebar  *self);
void          cl_sidebar_set_view       (ClSidebar  *self,
                                         ClCaseView  view);
const char   *cl_sidebar_view_label     (ClCaseView  view);
const char   *cl_sidebar_view_icon      (ClCaseView  view);

G_END_DECLS
