/* srv-migrate.h: numbered schema migrations of the server database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

int      srv_migrate_latest  (void);
int      srv_migrate_version (PGconn   *conn,
                              GError  **error);
gboolean srv_migrate_apply   (PGconn   *conn,
                              GError  **error);

G_END_DECLS
