/* srv-push.h: value checks and field authorship shared by push and conflict resolution
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libpq-fe.h>

#include "cl-schema.h"

G_BEGIN_DECLS

gboolean srv_push_check_value (const ClField  *field,
                               const char     *value,
                               const char    **code);
gboolean srv_push_field_writer (PGconn        *conn,
                                const char    *record_id,
                                const char    *field,
                                gint64         version,
                                char         **by,
                                char         **at,
                                GError       **error);

G_END_DECLS
