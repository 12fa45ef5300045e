/* srv-conflicts.c: GET /v1/conflicts and POST /v1/conflicts/{id}/resolve
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A conflict is visible to the user who made the losing edit and to the supervisors of
 * the record's command, as long as they can still see the record. The list says who made
 * each side and when (usernames of staff, times the server received the changes), so the
 * person who resolves it knows whose work is at stake. Resolving keeps the
 * server's value ("theirs"), the losing value ("mine") or a new one ("value"); the last two
 * are a new change of the record with a new version, which every device then pulls.
 */

#define G_LOG_DOMAIN "srv-conflicts"

#include <string.h>

#include <libsoup/soup.h>

#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-push.h"
#include "srv-records.h"

#define VISIBLE \
  "c.resolved_at IS NULL AND r.scope && ARRAY(SELECT jsonb_array_elements_text($2::jsonb)) " \
  "AND (c.account_id = $1 OR $3::boolean)"

void
srv_handle_conflicts (SrvWorker   *worker,
                      SrvRequest  *request,
                      SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  gboolean all_content;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT, response);
  if (session == NULL)
    return;

  tokens = srv_scope_read_tokens (session, &all_content);
  tokens_json = srv_json_strv (tokens);
  r = srv_db_exec (worker->conn, &error,
                   "SELECT c.id, c.type, c.record_id, c.field, c.kind, c.server_value, "
                   "c.client_value, c.server_version, "
                   "to_char(c.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.account_id = $1, "
                   "a.username, s.username, "
                   "to_char(c.server_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.device_id = $4 "
                   "FROM conflict c JOIN record r ON r.id = c.record_id "
                   "JOIN account a ON a.id = c.account_id "
                   "LEFT JOIN account s ON s.id = c.server_by WHERE " VISIBLE
                   " ORDER BY c.created_at, c.id LIMIT " G_STRINGIFY (CL_WIRE_MAX_CONFLICTS),
                   session->account_id, tokens_json,
                   session->role == SRV_ROLE_SUPERVISOR ? "true" : "false", session->device_id,
                   SRV_DB_END);
  if (r == NULL)
    {
      srv_response_db_error (response, error);
      return;
    }

  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  for (int i = 0; i < PQntuples (r); i++)
    {
      ClWireConflictInfo *info = g_new0 (ClWireConflictInfo, 1);

      info->id = g_strdup (srv_db_get (r, i, 0));
      info->type = g_strdup (srv_db_get (r, i, 1));
      info->record = g_strdup (srv_db_get (r, i, 2));
      info->field = g_strdup (srv_db_get (r, i, 3));
      info->kind = g_strdup (srv_db_get (r, i, 4));
      info->server_value = g_strdup (srv_db_get (r, i, 5));
      info->client_value = g_strdup (srv_db_get (r, i, 6));
      info->server_version = srv_db_get_int (r, i, 7);
      info->created_at = g_strdup (srv_db_get (r, i, 8));
      info->mine = srv_db_get_bool (r, i, 9);
      info->client_by = g_strdup (srv_db_get (r, i, 10));
      info->server_by = g_strdup (srv_db_get (r, i, 11));
      info->server_at = g_strdup (srv_db_get (r, i, 12));
      info->this_device = srv_db_get_bool (r, i, 13);
      g_ptr_array_add (infos, info);
    }

  body = cl_wire_conflict_list_encode (infos, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}

typedef enum {
  RESOLVE_OK,
  RESOLVE_ANSWERED,
  RESOLVE_DB_ERROR,
} ResolveOutcome;

static ResolveOutcome
resolve_transaction (SrvWorker            *worker,
                     SrvSession           *session,
                     const char           *conflict_id,
                     ClWireResolveRequest *resolve,
                     const char           *address,
                     gint64               *version_out,
                     SrvResponse          *response,
                     GError              **error)
{
  PGconn *conn = worker->conn;
  g_autoptr(PGresult) c = NULL;
  g_autoptr(SrvRecord) record = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  SrvClock clock;
  const ClType *type;
  const char *field, *kind, *value = NULL;
  gboolean mine_is_value, rescope, restored, visible = FALSE;
  gint64 v;
  SrvAuditEntry entry = { "conflict.resolve", resolve->keep, .address = address };

  srv_clock_init (&clock, conn);
  if (!srv_db_command (conn, "BEGIN", error) ||
      /* The clock before any record row, as every writer does. */
      !srv_clock_lock (&clock, error))
    return RESOLVE_DB_ERROR;

  tokens = srv_scope_read_tokens (session, &(gboolean) { FALSE });
  tokens_json = srv_json_strv (tokens);
  c = srv_db_exec (conn, error,
                   "SELECT c.record_id, c.field, c.kind, c.client_value, c.resolved_at IS NOT NULL "
                   "FROM conflict c JOIN record r ON r.id = c.record_id "
                   "WHERE c.id = $4 AND r.scope && ARRAY(SELECT jsonb_array_elements_text($2::jsonb)) "
                   "AND (c.account_id = $1 OR $3::boolean) FOR UPDATE OF c",
                   session->account_id, tokens_json,
                   session->role == SRV_ROLE_SUPERVISOR ? "true" : "false", conflict_id,
                   SRV_DB_END);
  if (c == NULL)
    return RESOLVE_DB_ERROR;
  if (PQntuples (c) == 0)
    {
      srv_db_rollback (conn);
      srv_response_error (response, SOUP_STATUS_NOT_FOUND, "not_found", "No such conflict");
      return RESOLVE_ANSWERED;
    }
  if (srv_db_get_bool (c, 0, 4))
    {
      srv_db_rollback (conn);
      srv_response_error (response, SOUP_STATUS_CONFLICT, "already_resolved",
                          "This conflict was already resolved");
      return RESOLVE_ANSWERED;
    }

  record = srv_record_load (conn, srv_db_get (c, 0, 0), TRUE, error);
  if (record == NULL)
    return RESOLVE_DB_ERROR;
  type = cl_schema_lookup_type (record->type);
  field = srv_db_get (c, 0, 1);
  kind = srv_db_get (c, 0, 2);
  mine_is_value = strcmp (resolve->keep, "mine") == 0;
  entry.record_type = record->type;
  entry.record_id = record->id;
  srv_audit_session (&entry, session);

  if (strcmp (resolve->keep, "theirs") != 0)
    {
      if (type == NULL || !srv_scope_can_write (session, type, record->scope))
        {
          srv_db_rollback (conn);
          entry.event = "denied";
          entry.outcome = "forbidden";
          if (!srv_audit (conn, &entry, error))
            return RESOLVE_DB_ERROR;
          srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                              "You may not change this record");
          return RESOLVE_ANSWERED;
        }

      if (strcmp (kind, "delete") == 0)
        {
          if (!mine_is_value)
            {
              srv_db_rollback (conn);
              srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_value",
                                  "A delete conflict is resolved with theirs or mine");
              return RESOLVE_ANSWERED;
            }
          if (!record->deleted)
            {
              if (!srv_clock_take (&clock, &v, error))
                return RESOLVE_DB_ERROR;
              record->deleted = TRUE;
              record->version = v;
              if (!srv_record_update (conn, record, session->account_id, error) ||
                  !srv_records_refresh_deleted (conn, &clock, record, error))
                return RESOLVE_DB_ERROR;
            }
        }
      else
        {
          const ClField *f = cl_type_lookup_field (type, field);
          const char *code = NULL;

          value = mine_is_value ? srv_db_get (c, 0, 3) : resolve->value;
          if (f == NULL || (f->flags & CL_FIELD_DERIVED) ||
              !srv_push_check_value (f, value, &code))
            {
              srv_db_rollback (conn);
              srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_value",
                                  "The value is not valid for this field");
              return RESOLVE_ANSWERED;
            }
          if ((f->flags & CL_FIELD_REQUIRED) && value == NULL)
            {
              srv_db_rollback (conn);
              srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "required_field",
                                  "This field cannot be empty");
              return RESOLVE_ANSWERED;
            }
          if ((f->flags & CL_FIELD_IMMUTABLE) &&
              g_strcmp0 (value, srv_record_get (record, field)) != 0)
            {
              srv_db_rollback (conn);
              srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "immutable_field",
                                  "This field cannot change");
              return RESOLVE_ANSWERED;
            }
          if (f->kind == CL_FIELD_COMMAND && value != NULL)
            {
              gboolean exists = FALSE;

              if (!srv_record_command_exists (conn, value, &exists, error))
                return RESOLVE_DB_ERROR;
              if (!exists)
                {
                  srv_db_rollback (conn);
                  srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "unknown_command",
                                      "No such command");
                  return RESOLVE_ANSWERED;
                }
            }
          if (strcmp (record->type, "case") == 0 && strcmp (field, "command") == 0 &&
              g_strcmp0 (value, srv_record_get (record, field)) != 0)
            {
              if (!srv_scope_can_use_command (session, value))
                {
                  srv_db_rollback (conn);
                  srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                                      "You may not move a case to that command");
                  return RESOLVE_ANSWERED;
                }
            }

          rescope = srv_records_scope_field (record->type, field) &&
                    g_strcmp0 (value, srv_record_get (record, field)) != 0;
          if (rescope &&
              !srv_records_rescope_readable (conn, session, record, &visible, error))
            return RESOLVE_DB_ERROR;
          if (rescope && !visible)
            {
              srv_db_rollback (conn);
              srv_response_error (response, SOUP_STATUS_FORBIDDEN, "affects_hidden",
                                  "This change would affect records you may not see");
              return RESOLVE_ANSWERED;
            }

          if (!srv_clock_take (&clock, &v, error))
            return RESOLVE_DB_ERROR;
          /* An edit of a deleted record, kept: the record lives again. */
          restored = record->deleted;
          record->deleted = FALSE;
          srv_record_set (record, field, value, v);
          record->version = v;
          if (!srv_record_update (conn, record, session->account_id, error))
            return RESOLVE_DB_ERROR;
          /* A kept command, restriction or list of named users moves the case's scope; a
           * restored case its client's. */
          if ((rescope && !srv_records_refresh_scope (conn, &clock, record, error)) ||
              (restored && !srv_records_refresh_deleted (conn, &clock, record, error)))
            return RESOLVE_DB_ERROR;
        }
    }

  {
    g_autofree char *version = srv_db_int (record->version);
    g_autoptr(PGresult) u = srv_db_exec (conn, error,
                                         "UPDATE conflict SET resolved_at = now(), "
                                         "resolved_by = $2, resolution = $3, "
                                         "resolved_version = $4 WHERE id = $1",
                                         conflict_id, session->account_id, resolve->keep,
                                         version, SRV_DB_END);
    if (u == NULL ||
        !srv_clock_finish (&clock, error) ||
        !srv_audit (conn, &entry, error) ||
        !srv_db_command (conn, "COMMIT", error))
      return RESOLVE_DB_ERROR;
  }
  *version_out = record->version;
  return RESOLVE_OK;
}

void
srv_handle_resolve (SrvWorker   *worker,
                    SrvRequest  *request,
                    SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(ClWireResolveRequest) resolve = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  gint64 version = 0;
  ResolveOutcome outcome;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT, response);
  if (session == NULL)
    return;

  resolve = cl_wire_resolve_request_decode (g_bytes_get_data (request->body, NULL),
                                            g_bytes_get_size (request->body), &error);
  if (resolve == NULL)
    {
      srv_response_wire_error (response, error);
      return;
    }

  outcome = resolve_transaction (worker, session, request->arg, resolve, request->address,
                                 &version, response, &error);
  if (outcome == RESOLVE_ANSWERED)
    return;
  if (outcome == RESOLVE_DB_ERROR)
    {
      srv_db_rollback (worker->conn);
      if (error == NULL)
        srv_response_error (response, SOUP_STATUS_NOT_FOUND, "not_found", "No such conflict");
      else
        srv_response_db_error (response, error);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, request->arg);
  json_builder_set_member_name (b, "resolution");
  json_builder_add_string_value (b, resolve->keep);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, version);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = cl_wire_node_to_data (root, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}
