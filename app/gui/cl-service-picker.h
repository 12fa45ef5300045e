/* cl-service-picker.h: a searchable list of the funder's service codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CL_TYPE_SERVICE_PICKER (cl_service_picker_get_type ())
G_DECLARE_FINAL_TYPE (ClServicePicker, cl_service_picker, CL, SERVICE_PICKER, AdwWindow)

ClServicePicker *cl_service_picker_new         (GtkWindow       *parent);
void             cl_service_picker_set_search  (ClServicePicker *self,
                                                const char      *text);
guint            cl_service_picker_get_n_shown (ClServicePicker *self);
void             cl_service_picker_pick        (ClServicePicker *self,
                                                guint            position);

G_END_DECLS
