/* cl-l10n.h: text for people in the user's language and region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cl-report.h"
#include "cl-schema.h"

G_BEGIN_DECLS

/* Bidi isolates (Unicode UAX #9): left-to-right, first-strong, and the closing one. */
#define CL_L10N_LRI "\xe2\x81\xa6"
#define CL_L10N_FSI "\xe2\x81\xa8"
#define CL_L10N_PDI "\xe2\x81\xa9"

gboolean    cl_l10n_is_rtl         (void);
const char *cl_l10n_font_family    (void);
char       *cl_l10n_isolate_ltr    (const char  *text);
char       *cl_l10n_isolate        (const char  *text);
gboolean    cl_l10n_field_is_ltr   (const ClField *field);
char       *cl_l10n_format_day     (ClDay        day);
char       *cl_l10n_format_instant (const char  *iso_utc,
                                    const char  *time_zone);

G_END_DECLS
