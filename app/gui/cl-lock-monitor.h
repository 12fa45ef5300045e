/* cl-lock-monitor.h: the desktop's reasons to lock the vault (screen lock, suspend, …)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CL_TYPE_LOCK_MONITOR (cl_lock_monitor_get_type ())
G_DECLARE_FINAL_TYPE (ClLockMonitor, cl_lock_monitor, CL, LOCK_MONITOR, GObject)

ClLockMonitor *cl_lock_monitor_new                  (void);
gboolean       cl_lock_monitor_get_watching_session (ClLockMonitor *self);
gboolean       cl_lock_monitor_get_watching_system  (ClLockMonitor *self);

G_END_DECLS
