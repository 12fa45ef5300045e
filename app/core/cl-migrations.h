/* cl-migrations.h: numbered schema migrations of the vault database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

int       cl_migrations_latest    (void);
int       cl_migrations_version   (sqlite3  *db,
                                   GError  **error);
gboolean  cl_migrations_apply     (sqlite3  *db,
                                   int       target,
                                   GError  **error);

G_END_DECLS
