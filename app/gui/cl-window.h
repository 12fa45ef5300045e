/* cl-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_WINDOW (cl_window_get_type ())
G_DECLARE_FINAL_TYPE (ClWindow, cl_window, CL, WINDOW, AdwApplicationWindow)

ClWindow   *cl_window_new         (AdwApplication *application,
                                   ClContext      *context);
ClContext  *cl_window_get_context (ClWindow       *self);
void        cl_window_open_case   (ClWindow       *self,
                                   const char     *case_id);
void        cl_window_show_view   (ClWindow       *self,
                                   ClCaseView      view);
void        cl_window_show_preferences (ClWindow  *self);

G_END_DECLS
