/* srv-pull.c: POST /v1/pull
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One REPEATABLE READ, READ ONLY snapshot per page: the changes with a version above the
 * cursor in the user's scope, the removals (records that left the scope), the clock, the
 * device's last_seq and the account's role and commands (the scope itself) all come from
 * it. Versions are taken under the clock row's lock, so a snapshot holds every version up to
 * the clock it reads and none above: when a page is the last one, the cursor it returns is
 * that clock.
 *
 * When an account may read records it could not (caseload-server user set), its
 * scope_epoch grows. A device's vault was filled under the epoch it last pulled from cursor
 * 0 with; a later cursor from an older epoch is answered 410 scope_changed, so the device
 * resynchronizes from the start and gets them however old (docs/PROTOCOL.md, "Resets").
 */

#define G_LOG_DOMAIN "srv-pull"

#include <string.h>

#include <libsoup/soup.h>

#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-records.h"
#include "srv-scope.h"

/* The user's records: $2 is a JSON array of tokens, $3 whether all case content (but
 * restricted content, which only its tokens open). */
#define IN_SCOPE(r) SRV_RECORDS_SQL_READS (r, "$2", "$3")

static const char changes_sql[] =
  "SELECT kind, version, id, type, deleted, fields::text, field_versions::text FROM ("
  " SELECT 'r' AS kind, r.version, r.id, r.type, r.deleted, r.fields, r.field_versions"
  "  FROM record r WHERE r.version > $1 AND " IN_SCOPE ("r")
  " UNION ALL"
  " SELECT 'x', e.version, e.record_id, e.type, NULL, NULL, NULL"
  "  FROM (SELECT DISTINCT version, record_id, type FROM scope_exit"
  "        WHERE version > $1"
  "        AND token = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))) e"
  "  JOIN record r ON r.id = e.record_id"
  "  WHERE NOT " IN_SCOPE ("r")
  ") c ORDER BY version, kind, id LIMIT $4";

/* The digest (docs/PROTOCOL.md, "Digest"): the sum modulo 2^64 of the first 8 bytes of
 * SHA-256("<id>:<version>") over the live records in scope, as cl_wire_digest_add().
 * Version 0 (reference data seeded alike everywhere) is left out on both sides: a device
 * cannot tell a seeded record from one it made and the server never accepted. The sums
 * are kept per type and scope as records are written (migration 9), so this reads a row
 * per scope, not a row per record. */
static const char digest_sql[] =
  "SELECT (coalesce(sum(r.h), 0) % 18446744073709551616)::text"
  " FROM record_digest r WHERE $1::bigint IS NOT NULL AND " IN_SCOPE ("r");

static void
parse_fields (const char     *fields_json,
              const char     *versions_json,
              ClWirePullItem *item,
              gsize          *size)
{
  g_autoptr(JsonParser) fp = json_parser_new_immutable ();
  g_autoptr(JsonParser) vp = json_parser_new_immutable ();
  JsonObject *fields = NULL, *versions;
  g_autoptr(GList) names = NULL;

  if (!json_parser_load_from_data (vp, versions_json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (vp)))
    return;
  versions = json_node_get_object (json_parser_get_root (vp));
  if (json_parser_load_from_data (fp, fields_json, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (fp)))
    fields = json_node_get_object (json_parser_get_root (fp));

  names = json_object_get_members (versions);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *value = NULL;

      if (fields != NULL && json_object_has_member (fields, l->data))
        value = json_object_get_string_member (fields, l->data);
      cl_wire_pull_item_set_field (item, l->data, value,
                                   json_object_get_int_member (versions, l->data));
      *size += strlen (l->data) + 24 + (value != NULL ? strlen (value) * 2 : 4);
    }
}

void
srv_handle_pull (SrvWorker   *worker,
                 SrvRequest  *request,
                 SrvResponse *response)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(ClWirePullRequest) pull = NULL;
  g_autoptr(ClWirePullResponse) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) head = NULL;
  g_autoptr(PGresult) rows = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *limit_text = NULL;
  SrvAuditEntry entry = { "pull", "ok", .address = request->address };
  g_autoptr(JsonObject) detail = json_object_new ();
  gboolean all_content;
  gint64 clock, horizon, limit, account_epoch, device_epoch;
  gsize size = 64;
  guint n_rows;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT, response);
  if (session == NULL)
    return;
  srv_audit_session (&entry, session);

  pull = cl_wire_pull_request_decode (g_bytes_get_data (request->body, NULL),
                                      g_bytes_get_size (request->body), &error);
  if (pull == NULL)
    {
      srv_response_wire_error (response, error);
      return;
    }

  limit = pull->limit > 0 ? pull->limit : config->pull_limit;
  cursor = srv_db_int (pull->cursor);
  limit_text = srv_db_int (limit + 1);

  if (!srv_db_command (worker->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &error))
    goto db_error;

  head = srv_db_exec (worker->conn, &error,
                      "SELECT (SELECT v FROM sync_clock), (SELECT gc_horizon FROM sync_meta), "
                      "d.last_seq, a.role, "
                      "coalesce((SELECT array_to_json(array_agg(command ORDER BY command)) "
                      "FROM account_command WHERE account_id = a.id), '[]')::text, "
                      "a.scope_epoch, d.scope_epoch "
                      "FROM device d JOIN account a ON a.id = d.account_id WHERE d.id = $1",
                      session->device_id, SRV_DB_END);
  if (head == NULL || PQntuples (head) != 1)
    goto db_error;
  clock = srv_db_get_int (head, 0, 0);
  horizon = srv_db_get_int (head, 0, 1);
  account_epoch = srv_db_get_int (head, 0, 5);
  device_epoch = srv_db_get_int (head, 0, 6);

  /* The scope as of this snapshot: a change that committed after the session was read
   * is either in it, with its epoch, or not at all. */
  session->role = srv_role_from_string (srv_db_get (head, 0, 3));
  g_strfreev (session->commands);
  session->commands = srv_json_parse_strv (srv_db_get (head, 0, 4));
  tokens = srv_scope_read_tokens (session, &all_content);
  tokens_json = srv_json_strv (tokens);

  reply = cl_wire_pull_response_new ();
  reply->last_seq = srv_db_get_int (head, 0, 2);

  if (pull->cursor > clock)
    {
      /* A cursor this server never gave out: forged, or the database was restored. */
      srv_db_rollback (worker->conn);
      entry.outcome = "cursor_invalid";
      entry.security = TRUE;
      if (!srv_audit (worker->conn, &entry, &error))
        goto db_error;
      srv_response_error (response, SOUP_STATUS_GONE, "cursor_invalid",
                          "This cursor is not valid here: resynchronize from the start");
      return;
    }
  if (pull->cursor > 0 && pull->cursor < horizon)
    {
      srv_db_rollback (worker->conn);
      entry.outcome = "cursor_expired";
      if (!srv_audit (worker->conn, &entry, &error))
        goto db_error;
      srv_response_error (response, SOUP_STATUS_GONE, "cursor_expired",
                          "Deleted records were purged since this cursor: resynchronize "
                          "from the start");
      return;
    }
  if (pull->cursor > 0 && device_epoch < account_epoch)
    {
      srv_db_rollback (worker->conn);
      entry.outcome = "scope_changed";
      if (!srv_audit (worker->conn, &entry, &error))
        goto db_error;
      srv_response_error (response, SOUP_STATUS_GONE, "scope_changed",
                          "What this account may read has changed: resynchronize from the "
                          "start");
      return;
    }

  rows = srv_db_exec (worker->conn, &error, changes_sql, cursor, tokens_json,
                      all_content ? "true" : "false", limit_text, SRV_DB_END);
  if (rows == NULL)
    goto db_error;

  n_rows = PQntuples (rows);
  for (guint i = 0; i < n_rows && i < limit; i++)
    {
      const char *kind = srv_db_get (rows, i, 0);
      gint64 version = srv_db_get_int (rows, i, 1);
      ClWirePullItem *item;

      if (size > config->pull_max_bytes && reply->changes->len > 0)
        {
          reply->more = TRUE;
          break;
        }
      if (strcmp (kind, "x") == 0)
        item = cl_wire_pull_item_new (CL_WIRE_PULL_REMOVE, srv_db_get (rows, i, 3),
                                      srv_db_get (rows, i, 2), version);
      else if (srv_db_get_bool (rows, i, 4))
        item = cl_wire_pull_item_new (CL_WIRE_PULL_DELETE, srv_db_get (rows, i, 3),
                                      srv_db_get (rows, i, 2), version);
      else
        {
          item = cl_wire_pull_item_new (CL_WIRE_PULL_PUT, srv_db_get (rows, i, 3),
                                        srv_db_get (rows, i, 2), version);
          parse_fields (srv_db_get (rows, i, 5), srv_db_get (rows, i, 6), item, &size);
        }
      size += 128;
      g_ptr_array_add (reply->changes, item);
    }
  if (n_rows > limit)
    reply->more = TRUE;

  if (reply->more)
    reply->cursor = ((ClWirePullItem *) g_ptr_array_index (reply->changes,
                                                          reply->changes->len - 1))->version;
  else
    reply->cursor = clock;

  /* Up to date: check that the device holds what the server would give it. */
  if (pull->digest != NULL && reply->changes->len == 0)
    {
      g_autoptr(PGresult) d = srv_db_exec (worker->conn, &error, digest_sql, cursor,
                                           tokens_json, all_content ? "true" : "false",
                                           SRV_DB_END);
      g_autofree char *hex = NULL;

      if (d == NULL)
        goto db_error;
      hex = cl_wire_digest_to_hex (g_ascii_strtoull (srv_db_get (d, 0, 0), NULL, 10));
      json_object_set_boolean_member (detail, "digest_checked", TRUE);
      if (strcmp (hex, pull->digest) != 0)
        {
          srv_db_rollback (worker->conn);
          entry.outcome = "digest_mismatch";
          entry.detail = detail;
          if (!srv_audit (worker->conn, &entry, &error))
            goto db_error;
          srv_response_error (response, SOUP_STATUS_PRECONDITION_FAILED, "digest_mismatch",
                              "This device's records differ from the server's: "
                              "resynchronize from the start");
          return;
        }
    }

  if (!srv_db_command (worker->conn, "COMMIT", &error))
    goto db_error;

  /* A pull from the start fills the vault under this snapshot's scope. */
  if (pull->cursor == 0 && device_epoch < account_epoch)
    {
      g_autofree char *epoch = srv_db_int (account_epoch);
      g_autoptr(PGresult) u = srv_db_exec (worker->conn, &error,
                                           "UPDATE device SET scope_epoch = "
                                           "greatest(scope_epoch, $2::integer) WHERE id = $1",
                                           session->device_id, epoch, SRV_DB_END);
      if (u == NULL)
        goto db_error;
    }

  json_object_set_int_member (detail, "from", pull->cursor);
  json_object_set_int_member (detail, "to", reply->cursor);
  json_object_set_int_member (detail, "changes", reply->changes->len);
  entry.detail = detail;
  if (!srv_audit (worker->conn, &entry, &error))
    goto db_error;

  body = cl_wire_pull_response_encode (reply, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
  return;

db_error:
  srv_db_rollback (worker->conn);
  if (error == NULL)
    srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid", "Sign in again");
  else
    srv_response_db_error (response, error);
}
