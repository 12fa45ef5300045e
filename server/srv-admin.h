/* srv-admin.h: the administration subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

gboolean srv_admin_user_add      (PGconn      *conn,
                                  const char  *username,
                                  const char  *role,
                                  GStrv        commands,
                                  const char  *password_file,
                                  GError     **error);
gboolean srv_admin_user_set_disabled (PGconn      *conn,
                                      const char  *username,
                                      gboolean     disabled,
                                      GError     **error);
gboolean srv_admin_user_passwd   (PGconn      *conn,
                                  const char  *username,
                                  const char  *password_file,
                                  GError     **error);
gboolean srv_admin_user_set      (PGconn      *conn,
                                  const char  *username,
                                  const char  *role,
                                  GStrv        commands,
                                  GError     **error);
gboolean srv_admin_user_list     (PGconn      *conn,
                                  GError     **error);
gboolean srv_admin_device_list   (PGconn      *conn,
                                  const char  *username,
                                  GError     **error);
gboolean srv_admin_device_revoke (PGconn      *conn,
                                  const char  *device_id,
                                  const char  *mode,
                                  GError     **error);
gboolean srv_admin_device_reset  (PGconn      *conn,
                                  const char  *device_id,
                                  GError     **error);
gboolean srv_admin_gc            (PGconn      *conn,
                                  guint        days,
                                  guint        log_days,
                                  GError     **error);

G_END_DECLS
