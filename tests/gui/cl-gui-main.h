/* cl-gui-main.h: the main window of a running ClApplication, for the desktop tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-application.h"
#include "cl-window.h"

G_BEGIN_DECLS

ClWindow  *cl_gui_main_window (ClApplication *app);
void       cl_gui_main_unlock (ClApplication *app,
                               const char    *passphrase);
GtkWidget *cl_gui_main_find   (GtkWidget     *widget,
                               GType          type,
                               const char    *tag);
void       cl_gui_main_switch_locale   (ClApplication *app,
                                        const char    *locale);
void       cl_gui_main_end_at_shutdown (ClApplication *app,
                                        const char    *tmp_dir);

G_END_DECLS
