/* srv-audit.c: the audit log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Entries name accounts, devices, record ids and types, addresses and outcome codes; never
 * a field value, a password, a token or a username typed at a failed login. The same
 * entry goes to the server's log (journald) as one line at the "message" level (kept
 * without G_MESSAGES_DEBUG) with structured CASELOAD_* fields; security entries start
 * "SECURITY", carry CASELOAD_SECURITY=1 and have the journal priority "warning".
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

static GPrivate current_route;

/**
 * srv_audit_set_route:
 * @route: (nullable): the pattern of the route a worker thread is handling (a static
 *   string), or %NULL outside a request
 *
 * Entries logged from this thread name the route until the next call.
 */
void
srv_audit_set_route (const char *route)
{
  g_private_set (&current_route, (gpointer) route);
}

/* One line at a level journald keeps, with the same facts as structured fields
 * (journalctl CASELOAD_EVENT=login …); the text repeats them for logs without fields. */
static void
log_entry (const SrvAuditEntry *entry,
           const char          *username)
{
  const char *route = g_private_get (&current_route);
  g_autofree char *message = NULL;
  GLogField fields[12];
  gsize n = 0;

  message = g_strdup_printf ("%s %s %s user=%s account=%s device=%s route=%s address=%s "
                             "record=%s",
                             entry->security ? "SECURITY" : "audit",
                             entry->event, entry->outcome,
                             username != NULL ? username : "-",
                             entry->account_id != NULL ? entry->account_id : "-",
                             entry->device_id != NULL ? entry->device_id : "-",
                             route != NULL ? route : "-",
                             entry->address != NULL ? entry->address : "-",
                             entry->record_id != NULL ? entry->record_id : "-");

#define FIELD(k, v) \
  G_STMT_START { \
    if ((v) != NULL) \
      fields[n++] = (GLogField) { (k), (v), -1 }; \
  } G_STMT_END
  FIELD ("MESSAGE", message);
  /* Journal priorities: notice, and warning for security entries (journalctl -p warning);
   * the GLib level stays "message", which no G_DEBUG setting makes fatal. */
  FIELD ("PRIORITY", entry->security ? "4" : "5");
  FIELD ("GLIB_DOMAIN", G_LOG_DOMAIN);
  FIELD ("CASELOAD_EVENT", entry->event);
  FIELD ("CASELOAD_RESULT", entry->outcome);
  FIELD ("CASELOAD_SECURITY", entry->security ? "1" : "0");
  FIELD ("CASELOAD_USER", username);
  FIELD ("CASELOAD_ACCOUNT", entry->account_id);
  FIELD ("CASELOAD_DEVICE", entry->device_id);
  FIELD ("CASELOAD_ROUTE", route);
  FIELD ("CASELOAD_ADDRESS", entry->address);
  FIELD ("CASELOAD_RECORD", entry->record_id);
#undef FIELD
  g_log_structured_array (G_LOG_LEVEL_MESSAGE, fields, n);
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

  /* The account's name comes back from the insert, so the log line names the account
   * without another round trip. */
  r = srv_db_exec (conn, error,
                   "INSERT INTO audit_log (event, outcome, account_id, device_id, address, "
                   "record_type, record_id, detail, security) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) "
                   "RETURNING (SELECT username FROM account WHERE id = audit_log.account_id)",
                   entry->event, entry->outcome, entry->account_id, entry->device_id,
                   entry->address, entry->record_type, entry->record_id, detail,
                   entry->security ? "true" : "false", SRV_DB_END);
  log_entry (entry, r != NULL ? srv_db_get (r, 0, 0) : NULL);
  return r != NULL;
}
