/* srv-audit.c: the audit log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Entries name accounts, devices, record ids and types, addresses and outcome codes; never
 * a field value, a password, a token or a username typed at a failed login. The same
 * entry goes to the server's log (journald) as one line; security entries as a message
 * starting "SECURITY".
 */

#define G_LOG_DOMAIN "srv-audit"

#include "srv-audit.h"
#include "srv-db.h"

void
srv_audit_session (SrvAuditEntry    *entry,
                   const SrvSession *session)
{
  if (session == NULL)
    return;
  entry->account_id = session->account_id;
  entry->device_id = session->device_id;
}

/**
 * srv_audit:
 *
 * Writes @entry on @conn, inside whatever transaction is open there (so an entry about a
 * change commits with the change), and logs it.
 */
gboolean
srv_audit (PGconn               *conn,
           const SrvAuditEntry  *entry,
           GError              **error)
{
  g_autofree char *detail = NULL;
  g_autoptr(PGresult) r = NULL;

  if (entry->detail != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonGenerator) g = json_generator_new ();

      json_node_set_object (node, entry->detail);
      json_generator_set_root (g, node);
      detail = json_generator_to_data (g, NULL);
    }

  if (entry->security)
    g_message ("SECURITY %s %s account=%s device=%s address=%s record=%s",
               entry->event, entry->outcome,
               entry->account_id != NULL ? entry->account_id : "-",
               entry->device_id != NULL ? entry->device_id : "-",
               entry->address != NULL ? entry->address : "-",
               entry->record_id != NULL ? entry->record_id : "-");
  else
    g_info ("audit %s %s account=%s device=%s address=%s",
            entry->event, entry->outcome,
            entry->account_id != NULL ? entry->account_id : "-",
            entry->device_id != NULL ? entry->device_id : "-",
            entry->address != NULL ? entry->address : "-");

  r = srv_db_exec (conn, error,
                   "INSERT INTO audit_log (event, outcome, account_id, device_id, address, "
                   "record_type, record_id, detail, security) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)",
                   entry->event, entry->outcome, entry->account_id, entry->device_id,
                   entry->address, entry->record_type, entry->record_id, detail,
                   entry->security ? "true" : "false", SRV_DB_END);
  return r != NULL;
}
