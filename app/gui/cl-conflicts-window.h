/* cl-conflicts-window.h: sync conflicts and refused changes, side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_CONFLICTS_WINDOW (cl_conflicts_window_get_type ())
G_DECLARE_FINAL_TYPE (ClConflictsWindow, cl_conflicts_window, CL, CONFLICTS_WINDOW, AdwWindow)

ClConflictsWindow *cl_conflicts_window_new             (GtkWindow         *parent,
                                                        ClContext         *context);
void               cl_conflicts_window_reload          (ClConflictsWindow *self);
guint              cl_conflicts_window_get_n_conflicts (ClConflictsWindow *self);
const char        *cl_conflicts_window_get_conflict_id (ClConflictsWindow *self,
                                                        guint              position);
GtkButton         *cl_conflicts_window_get_button      (ClConflictsWindow *self,
                                                        guint              position,
                                                        const char        *keep);
GtkButton         *cl_conflicts_window_get_rejected_button (ClConflictsWindow *self,
                                                            guint              position,
                                                            const char        *action);

G_END_DECLS
