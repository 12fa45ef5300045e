/* cl-a11y.h: accessible names GTK 4.8 gets wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void cl_a11y_name_mnemonic_buttons (GtkWidget  *root);
void cl_a11y_hide_stack_pages      (GtkStack   *stack);
void cl_a11y_name_row              (GtkWidget  *row,
                                    const char *kind);

G_END_DECLS
