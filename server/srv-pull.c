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

/* The page's rows, each put with its fields as the wire format has them: every field that
 * has a version, with its value or null (a field cleared keeps its version). Built after
 * the LIMIT, for the rows of the page only, and written to the page as they come
 * (cl_wire_pull_writer_add()). */
#define SCOPED_CHANGES \
  " SELECT 'r' AS kind, r.version, r.id, r.type, r.deleted, r.fields, r.field_versions" \
  "  FROM record r WHERE r.version > $1 AND " IN_SCOPE ("r") \
  " UNION ALL" \
  " SELECT 'x', e.version, e.record_id, e.type, NULL, NULL, NULL" \
  "  FROM (SELECT DISTINCT version, record_id, type FROM scope_exit" \
  "        WHERE version > $1" \
  "        AND token = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))) e" \
  "  JOIN record r ON r.id = e.record_id" \
  "  WHERE NOT " IN_SCOPE ("r")

static const char changes_sql[] =
  "SELECT c.kind, c.version, c.id, c.type, c.deleted,"
  " CASE WHEN c.kind = 'r' AND NOT c.deleted THEN"
  "  (SELECT coalesce (json_object_agg (k, c.fields ->> k), '{}')"
  "   FROM jsonb_object_keys (c.field_versions) k)::text END,"
  " CASE WHEN c.kind = 'r' AND NOT c.deleted THEN c.field_versions::text END"
  " FROM (" SCOPED_CHANGES
  " ORDER BY version, kind, id LIMIT $4) c ORDER BY c.version, c.kind, c.id";

/* How many changes a pull from cursor 0 brings, in the same snapshot (the request's
 * "count": a first pull shows its progress). */
static const char count_sql[] =
  "SELECT count(*) FROM (" SCOPED_CHANGES ") c";

/* The digest (docs/PROTOCOL.md, "Digest"): the sum modulo 2^64 of the first 8 bytes of
 * SHA-256("<id>:<version>") over the live records in scope, as cl_wire_digest_add().
 * Version 0 (reference data seeded alike everywhere) is left out on both sides: a device
 * cannot tell a seeded record from one it made and the server never accepted. The sums
 * are kept per type and scope as records are written (migration 9), so this reads a row
 * per scope, not a row per record. */
static const char digest_sql[] =
  "SELECT (coalesce(sum(r.h), 0) % 18446744073709551616)::text"
  " FROM record_digest r WHERE $1::bigint IS NOT NULL AND " IN_SCOPE ("r");

void
srv_handle_pull (SrvWorker   *worker,
                 SrvRequest  *request,
                 SrvResponse *response)
{
  const SrvConfig *config = srv_worker_get_config (worker);
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(ClWirePullRequest) pull = NULL;
  g_autoptr(ClWirePullWriter) page = NULL;
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
  gint64 clock, horizon, limit, account_epoch, device_epoch, last_seq, next_cursor;
  gint64 last_version = 0;
  gboolean more = FALSE;
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

  page = cl_wire_pull_writer_new ();
  last_seq = srv_db_get_int (head, 0, 2);

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

  if (pull->count && pull->cursor == 0)
    {
      g_autoptr(PGresult) t = srv_db_exec (worker->conn, &error, count_sql, cursor,
                                           tokens_json, all_content ? "true" : "false",
                                           SRV_DB_END);
      if (t == NULL)
        goto db_error;
      cl_wire_pull_writer_set_total (page, srv_db_get_int (t, 0, 0));
    }

  n_rows = PQntuples (rows);
  for (guint i = 0; i < n_rows && i < limit; i++)
    {
      const char *kind = srv_db_get (rows, i, 0);
      gint64 version = srv_db_get_int (rows, i, 1);
      ClWirePullOp op = CL_WIRE_PULL_PUT;

      if (cl_wire_pull_writer_get_size (page) > config->pull_max_bytes &&
          cl_wire_pull_writer_get_n_changes (page) > 0)
        {
          more = TRUE;
          break;
        }
      if (strcmp (kind, "x") == 0)
        op = CL_WIRE_PULL_REMOVE;
      else if (srv_db_get_bool (rows, i, 4))
        op = CL_WIRE_PULL_DELETE;
      cl_wire_pull_writer_add (page, op, srv_db_get (rows, i, 3), srv_db_get (rows, i, 2),
                               version, srv_db_get (rows, i, 5), srv_db_get (rows, i, 6));
      last_version = version;
    }
  if (n_rows > limit)
    more = TRUE;
  next_cursor = more ? last_version : clock;

  /* Up to date: check that the device holds what the server would give it. */
  if (pull->digest != NULL && cl_wire_pull_writer_get_n_changes (page) == 0)
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
  json_object_set_int_member (detail, "to", next_cursor);
  json_object_set_int_member (detail, "changes", cl_wire_pull_writer_get_n_changes (page));
  entry.detail = detail;
  if (!srv_audit (worker->conn, &entry, &error))
    goto db_error;

  body = cl_wire_pull_writer_finish (g_steal_pointer (&page), next_cursor, more, last_seq, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
  return;

db_error:
  srv_db_rollback (worker->conn);
  if (error == NULL)
    srv_response_error (response, SOUP_STATUS_UNAUTHORIZED, "token_invalid", "Sign in again");
  else
    srv_response_db_error (response, error);
}
