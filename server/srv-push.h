/* srv-push.h: value checks shared by push and conflict resolution
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-schema.h"

G_BEGIN_DECLS

gboolean srv_push_check_value (const ClField  *field,
                               const char     *value,
                               const char    **code);

G_END_DECLS
