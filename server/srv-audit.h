/* srv-audit.h: the audit log (no client data, no secrets)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "srv-scope.h"

G_BEGIN_DECLS

typedef struct {
  const char *event;        /* login, logout, push, pull, denied, conflict.resolve, admin.* */
  const char *outcome;      /* ok, failed, throttled, seq_reused, … (a stable code) */
  const char *account_id;   /* (nullable) */
  const char *device_id;    /* (nullable) */
  const char *address;      /* (nullable) */
  const char *record_type;  /* (nullable) */
  const char *record_id;    /* (nullable) */
  JsonObject *detail;       /* (nullable): counts and codes only */
  gboolean    security;
} SrvAuditEntry;

gboolean srv_audit (PGconn               *conn,
                    const SrvAuditEntry  *entry,
                    GError              **error);
void     srv_audit_session (SrvAuditEntry    *entry,
                            const SrvSession *session);
void     srv_audit_set_route (const char     *route);

G_END_DECLS
