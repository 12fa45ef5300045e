/* srv-notify.h: the service manager's notification protocol (sd_notify)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void srv_notify (const char *state);

G_END_DECLS
