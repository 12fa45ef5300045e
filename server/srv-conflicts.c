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
#include "srv-metrics.h"
#include "srv-push.h"
#include "srv-records.h"

/* Who sees a conflict: the account whose edit lost, and supervisors ($3); both only while
 * they read its record (SRV_RECORDS_SQL_READS, the one read rule: $2 the read tokens, @all
 * whether the account reads all case content). */
#define SEES(all) \
  SRV_RECORDS_SQL_READS ("r", "$2", all) " AND (c.account_id = $1 OR $3::boolean)"
#define VISIBLE(all) "c.resolved_at IS NULL AND " SEES (all)

/* GET /v1/conflicts[?after=ID]: a page of at most CL_WIRE_MAX_CONFLICTS open conflicts,
 * oldest first, after the conflict @after (the last of the previous page), with how many
 * there are in all and whether more follow. */
void
srv_handle_conflicts (SrvWorker   *worker,
                      SrvRequest  *request,
                      SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(PGresult) count = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  const char *after = NULL;
  const char *supervisor;
  gboolean all_content;
  gboolean more;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT, response);
  if (session == NULL)
    return;

  if (request->query != NULL)
    {
      GHashTableIter iter;
      const char *name;

      g_hash_table_iter_init (&iter, request->query);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        if (strcmp (name, "after") != 0)
          {
            srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                                "Only “after” may be given");
            return;
          }
      after = g_hash_table_lookup (request->query, "after");
      if (after != NULL && !cl_is_uuid (after))
        {
          srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_value",
                              "“after” is the id of a conflict");
          return;
        }
    }

  tokens = srv_scope_read_tokens (session, &all_content);
  tokens_json = srv_json_strv (tokens);
  supervisor = session->role == SRV_ROLE_SUPERVISOR ? "true" : "false";
  if (!srv_db_command (worker->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &error))
    {
      srv_response_db_error (response, error);
      return;
    }
  if (after != NULL)
    {
      g_autoptr(PGresult) known = srv_db_exec (worker->conn, &error,
                                               "SELECT 1 FROM conflict WHERE id = $1",
                                               after, SRV_DB_END);
      if (known == NULL)
        {
          srv_db_rollback (worker->conn);
          srv_response_db_error (response, error);
          return;
        }
      if (PQntuples (known) == 0)
        {
          srv_db_rollback (worker->conn);
          srv_response_error (response, SOUP_STATUS_BAD_REQUEST, "invalid_value",
                              "“after” names no conflict; list from the start");
          return;
        }
    }
  count = srv_db_exec (worker->conn, &error,
                       "SELECT count(*) FROM conflict c JOIN record r ON r.id = c.record_id "
                       "WHERE " VISIBLE ("$4"),
                       session->account_id, tokens_json, supervisor,
                       all_content ? "true" : "false", SRV_DB_END);
  if (count != NULL)
    r = srv_db_exec (worker->conn, &error,
                     "SELECT c.id, c.type, c.record_id, c.field, c.kind, c.server_value, "
                     "c.client_value, c.server_version, "
                     "to_char(c.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.account_id = $1, "
                     "a.username, s.username, "
                     "to_char(c.server_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.device_id = $4 "
                     "FROM conflict c JOIN record r ON r.id = c.record_id "
                     "JOIN account a ON a.id = c.account_id "
                     "LEFT JOIN account s ON s.id = c.server_by WHERE " VISIBLE ("$6")
                     " AND ($5::uuid IS NULL OR (c.created_at, c.id) > "
                     "      (SELECT p.created_at, p.id FROM conflict p WHERE p.id = $5::uuid))"
                     " ORDER BY c.created_at, c.id LIMIT " G_STRINGIFY (CL_WIRE_MAX_CONFLICTS) " + 1",
                     session->account_id, tokens_json, supervisor, session->device_id, after,
                     all_content ? "true" : "false", SRV_DB_END);
  if (r == NULL || !srv_db_command (worker->conn, "COMMIT", &error))
    {
      srv_db_rollback (worker->conn);
      srv_response_db_error (response, error);
      return;
    }

  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  more = PQntuples (r) > CL_WIRE_MAX_CONFLICTS;
  for (int i = 0; i < MIN (PQntuples (r), CL_WIRE_MAX_CONFLICTS); i++)
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

  body = cl_wire_conflict_list_encode (infos, MAX (srv_db_get_int (count, 0, 0),
                                                   (gint64) infos->len), more, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}

typedef enum {
  RESOLVE_OK,
  RESOLVE_ANSWERED,
  RESOLVE_DB_ERROR,
} ResolveOutcome;

/* The field of the record that changed last, for a delete conflict's "who won". */
static const char *
last_changed_field (SrvRecord *record)
{
  GHashTableIter iter;
  const char *field, *latest = NULL;
  gint64 *version, best = -1;

  g_hash_table_iter_init (&iter, record->versions);
  while (g_hash_table_iter_next (&iter, (gpointer *) &field, (gpointer *) &version))
    if (*version > best || (*version == best && g_strcmp0 (field, latest) < 0))
      {
        best = *version;
        latest = field;
      }
  return latest;
}

/* Whether the resolution would overwrite a change made after the conflict: the field (or,
 * for a delete conflict, the record) moved past the version the conflict was about, to a
 * value other than the one chosen. A resolution is an edit like any other, with the
 * conflict's version as its base. */
static gboolean
resolution_is_stale (SrvRecord  *record,
                     const char *kind,
                     const char *field,
                     gint64      conflict_version,
                     const char *value)
{
  if (strcmp (kind, "delete") == 0)
    return !record->deleted && record->version > conflict_version;
  if (record->deleted)
    /* Deleted since (a "field" conflict) or still deleted (a "deleted" one, which the
     * resolution revives as it was asked to). */
    return strcmp (kind, "field") == 0;
  return srv_record_field_version (record, field) > conflict_version &&
         g_strcmp0 (srv_record_get (record, field), value) != 0;
}

/* Closes @conflict_id as superseded by a new conflict between what the record holds now
 * and the value chosen, for the user who chose it: both are kept, a person decides again. */
static gboolean
supersede (PGconn      *conn,
           SrvSession  *session,
           const char  *conflict_id,
           SrvRecord   *record,
           const char  *kind,
           const char  *field,
           const char  *value,
           char       **new_id,
           GError     **error)
{
  g_autofree char *id = cl_uuid_new ();
  g_autofree char *version = NULL;
  g_autofree char *by = NULL;
  g_autofree char *at = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autoptr(PGresult) u = NULL;
  const char *new_kind, *server_value, *client_value, *winner;
  gint64 winner_version;

  if (strcmp (kind, "delete") == 0)
    {
      new_kind = "delete";
      server_value = "0";
      client_value = "1";
      winner = last_changed_field (record);
      winner_version = record->version;
    }
  else if (record->deleted)
    {
      new_kind = "deleted";
      server_value = srv_record_get (record, field);
      client_value = value;
      winner = NULL;
      winner_version = record->version;
    }
  else
    {
      new_kind = "field";
      server_value = srv_record_get (record, field);
      client_value = value;
      winner = field;
      winner_version = srv_record_field_version (record, field);
    }
  if (winner != NULL &&
      !srv_push_field_writer (conn, record->id, winner,
                              srv_record_field_version (record, winner), &by, &at, error))
    return FALSE;
  if (winner == NULL)
    {
      g_autoptr(PGresult) d = srv_db_exec (conn, error,
                                           "SELECT updated_by, deleted_at FROM record WHERE id = $1 "
                                           "AND updated_by IS NOT NULL AND deleted_at IS NOT NULL",
                                           record->id, SRV_DB_END);
      if (d == NULL)
        return FALSE;
      if (PQntuples (d) == 1)
        {
          by = g_strdup (srv_db_get (d, 0, 0));
          at = g_strdup (srv_db_get (d, 0, 1));
        }
    }
  version = srv_db_int (winner_version);
  r = srv_db_exec (conn, error,
                   "INSERT INTO conflict (id, record_id, type, field, kind, server_value, "
                   "client_value, server_version, account_id, device_id, seq, server_by, "
                   "server_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)",
                   id, record->id, record->type, field, new_kind, server_value, client_value,
                   version, session->account_id, session->device_id, by, at, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  u = srv_db_exec (conn, error,
                   "UPDATE conflict SET resolved_at = now(), resolved_by = $2, "
                   "resolution = 'superseded', superseded_by = $3 WHERE id = $1",
                   conflict_id, session->account_id, id, SRV_DB_END);
  if (u == NULL)
    return FALSE;
  *new_id = g_steal_pointer (&id);
  return TRUE;
}

/* The field moved since the conflict: a new conflict instead of an overwrite, committed,
 * and 409 field_changed naming it. */
static ResolveOutcome
answer_superseded (PGconn        *conn,
                   SrvSession    *session,
                   const char    *conflict_id,
                   SrvRecord     *record,
                   const char    *kind,
                   const char    *field,
                   const char    *value,
                   SrvAuditEntry *entry,
                   SrvResponse   *response,
                   GError       **error)
{
  g_autofree char *new_id = NULL;
  g_autoptr(JsonObject) extra = json_object_new ();

  entry->outcome = "superseded";
  if (!supersede (conn, session, conflict_id, record, kind, field, value, &new_id, error) ||
      !srv_audit (conn, entry, error) ||
      !srv_db_command (conn, "COMMIT", error))
    return RESOLVE_DB_ERROR;
  srv_metrics_conflicts (1);
  json_object_set_string_member (extra, "conflict_id", new_id);
  srv_response_error_extra (response, SOUP_STATUS_CONFLICT, "field_changed",
                            "The value changed after this conflict; both are kept as a new "
                            "conflict", extra);
  return RESOLVE_ANSWERED;
}

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
  gboolean mine_is_value, rescope, restored, visible = FALSE, all_content;
  gboolean wrote = FALSE;
  gint64 v, conflict_version;
  SrvAuditEntry entry = { "conflict.resolve", resolve->keep, .address = address };

  srv_clock_init (&clock, conn);
  if (!srv_db_command (conn, "BEGIN", error) ||
      /* The clock before any record row, as every writer does. */
      !srv_clock_lock (&clock, error))
    return RESOLVE_DB_ERROR;

  tokens = srv_scope_read_tokens (session, &all_content);
  tokens_json = srv_json_strv (tokens);
  c = srv_db_exec (conn, error,
                   "SELECT c.record_id, c.field, c.kind, c.client_value, c.resolved_at IS NOT NULL, "
                   "c.server_version FROM conflict c JOIN record r ON r.id = c.record_id "
                   "WHERE c.id = $4 AND " SEES ("$5") " FOR UPDATE OF c",
                   session->account_id, tokens_json,
                   session->role == SRV_ROLE_SUPERVISOR ? "true" : "false", conflict_id,
                   all_content ? "true" : "false", SRV_DB_END);
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
  conflict_version = srv_db_get_int (c, 0, 5);
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
          if (resolution_is_stale (record, kind, field, conflict_version, NULL))
            return answer_superseded (conn, session, conflict_id, record, kind, field, NULL,
                                      &entry, response, error);
          if (!record->deleted)
            {
              if (!srv_clock_take (&clock, &v, error))
                return RESOLVE_DB_ERROR;
              record->deleted = TRUE;
              record->version = v;
              wrote = TRUE;
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

          if (resolution_is_stale (record, kind, field, conflict_version, value))
            return answer_superseded (conn, session, conflict_id, record, kind, field, value,
                                      &entry, response, error);

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

          /* The field holds the chosen value already: nothing to write, no new version. */
          if (record->deleted || g_strcmp0 (srv_record_get (record, field), value) != 0)
            {
              if (!srv_clock_take (&clock, &v, error))
                return RESOLVE_DB_ERROR;
              /* An edit of a deleted record, kept: the record lives again. */
              restored = record->deleted;
              record->deleted = FALSE;
              srv_record_set (record, field, value, v);
              record->version = v;
              wrote = TRUE;
              if (!srv_record_update (conn, record, session->account_id, error))
                return RESOLVE_DB_ERROR;
              /* A kept command, restriction or list of named users moves the case's scope;
               * a restored case its client's. */
              if ((rescope && !srv_records_refresh_scope (conn, &clock, record, error)) ||
                  (restored && !srv_records_refresh_deleted (conn, &clock, record, error)))
                return RESOLVE_DB_ERROR;
            }
        }
    }

  {
    /* resolved_version: the version the resolution wrote, which says who wrote the field
     * (srv_push_field_writer()); "theirs" keeps the record's. */
    g_autofree char *version = wrote || strcmp (resolve->keep, "theirs") == 0
                               ? srv_db_int (record->version) : NULL;
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
