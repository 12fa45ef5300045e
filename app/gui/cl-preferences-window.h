/* cl-preferences-window.h: auto-lock, default command, appearance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CL_TYPE_PREFERENCES_WINDOW (cl_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ClPreferencesWindow, cl_preferences_window, CL, PREFERENCES_WINDOW, AdwPreferencesWindow)

ClPreferencesWindow *cl_preferences_window_new (GtkWindow     *parent,
                                                GSettings     *settings,
                                                GtkStringList *command_codes,
                                                GtkStringList *command_labels);

G_END_DECLS
