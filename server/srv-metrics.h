/* srv-metrics.h: counters for /metrics (Prometheus text format)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* Each may be called from any thread. @route is a route's pattern (a static string). */
void  srv_metrics_request        (const char *route,
                                  guint       status);
void  srv_metrics_sync_duration  (const char *route,
                                  gint64      usec);
void  srv_metrics_clock_wait     (gint64      usec);
void  srv_metrics_conflicts      (guint       n);
void  srv_metrics_database_error (gboolean    unavailable);

char *srv_metrics_render         (PGconn     *conn,
                                  gsize      *len,
                                  GError    **error);

G_END_DECLS
