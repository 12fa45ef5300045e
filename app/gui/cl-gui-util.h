/* cl-gui-util.h: small helpers shared by the widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-record.h"
#include "cl-schema.h"
#include "cl-store.h"

G_BEGIN_DECLS

const char    *cl_enum_label               (const char   *enum_name,
                                            const char   *code);
char          *cl_enum_set_label           (const char   *enum_name,
                                            const char   *codes);
GtkStringList *cl_enum_string_list_new     (const char   *enum_name,
                                            const char   *unset_label);
const char    *cl_enum_code_at             (const char   *enum_name,
                                            guint         position,
                                            gboolean      has_unset);
guint          cl_enum_position            (const char   *enum_name,
                                            const char   *code,
                                            gboolean      has_unset);

char          *cl_format_date              (const char   *iso_date);
char          *cl_format_datetime          (const char   *iso_datetime);
char          *cl_format_relative          (const char   *iso_datetime);
char          *cl_datetime_to_local_input  (const char   *iso_datetime);
char          *cl_today                    (void);
int            cl_days_until               (const char   *iso_date);

const char    *cl_record_display_name      (ClRecord     *client);

void           cl_widget_set_label         (GtkWidget    *widget,
                                            const char   *label);
GtkWindow     *cl_widget_get_window        (GtkWidget    *widget);
gboolean       cl_list_focus_row           (GtkWidget    *list);
void           cl_clear_clipboards         (GdkDisplay   *display);

void           cl_editable_set_ltr         (GtkEditable  *editable);
void           cl_password_set_tooltips    (GtkEditable  *editable);
void           cl_gui_set_language_font    (GdkDisplay   *display);

G_END_DECLS
