/* cl-application-private.h: what the gui tests reach inside the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-application.h"
#include "cl-lock-monitor.h"

G_BEGIN_DECLS

ClLockMonitor *_cl_application_get_lock_monitor (ClApplication *self);

G_END_DECLS
