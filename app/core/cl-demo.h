/* cl-demo.h: a realistic synthetic caseload, for trying Caseload and for benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-store.h"

G_BEGIN_DECLS

/* Called after each committed chunk of cases. */
typedef void (*ClDemoProgressFunc) (guint    done,
                                    guint    total,
                                    gpointer user_data);

/* Cases written per transaction. */
#define CL_DEMO_CHUNK 1000

gboolean  cl_demo_generate  (ClStore             *store,
                             guint                n_cases,
                             guint32              seed,
                             ClDemoProgressFunc   progress,
                             gpointer             user_data,
                             GCancellable        *cancellable,
                             GError             **error);
gboolean _cl_demo_generate_at (ClStore             *store,
                               guint                n_cases,
                               guint32              seed,
                               gint64               now,
                               ClDemoProgressFunc   progress,
                               gpointer             user_data,
                               GCancellable        *cancellable,
                               GError             **error);

G_END_DECLS
