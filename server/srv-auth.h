/* srv-auth.h: passwords, tokens and sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "srv-http.h"
#include "srv-scope.h"

G_BEGIN_DECLS

/* The shortest password, in characters (user add, user passwd, a change at sign-in). */
#define SRV_AUTH_MIN_PASSWORD 12

typedef enum {
  SRV_AUTH_DEFAULT     = 0,
  SRV_AUTH_RETIRING_OK = 1 << 0,  /* a retiring device may still push its outbox */
  SRV_AUTH_REVOKED_OK  = 1 << 1,  /* a revoked device may report it has erased itself */
} SrvAuthFlags;

SrvSession *srv_auth_session       (SrvWorker    *worker,
                                    SrvRequest   *request,
                                    SrvAuthFlags  flags,
                                    SrvResponse  *response);
char       *srv_auth_hash_password (const char   *password,
                                    GError      **error);
gboolean    srv_auth_check_empty_body (SrvRequest  *request,
                                       SrvResponse *response);
void        srv_auth_revoked_error (SrvResponse  *response,
                                    const char   *mode);

G_END_DECLS
