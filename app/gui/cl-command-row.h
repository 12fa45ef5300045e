/* cl-command-row.h: a row to choose a command, searchable by number and name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CL_TYPE_COMMAND_ROW (cl_command_row_get_type ())
G_DECLARE_FINAL_TYPE (ClCommandRow, cl_command_row, CL, COMMAND_ROW, AdwActionRow)

GtkWidget  *cl_command_row_new        (GtkStringList *codes,
                                       GtkStringList *labels);
const char *cl_command_row_get_code   (ClCommandRow  *self);
const char *cl_command_row_get_label  (ClCommandRow  *self);
void        cl_command_row_set_code   (ClCommandRow  *self,
                                       const char    *code);
void        cl_command_row_popup      (ClCommandRow  *self);
GtkEditable *cl_command_row_get_search (ClCommandRow *self);
guint       cl_command_row_get_n_shown (ClCommandRow *self);

G_END_DECLS
