/* cl-drafts.c: unsaved new-record entries kept in the vault across a lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When the vault locks while an advocate is typing a new record (the New Referral dialog,
 * a task, a service, …), the desktop app keeps what was typed as a draft, so the dialog
 * can come back after unlock instead of losing it. A draft lives in the draft table of the
 * vault (migration 4), encrypted like everything else. It is local to this device: not a
 * record of the schema, so it is never queued in the outbox, never synced, never indexed
 * for search and never read by a report.
 *
 * Like the store, every read and write holds the vault's recursive mutex, so locking waits
 * for it. A write runs in its own BEGIN IMMEDIATE transaction, or in a savepoint of the
 * store transaction already open on this thread (so saving a record and deleting its draft
 * commit together).
 */

#define G_LOG_DOMAIN "cl-drafts"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cl-drafts.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-store-private.h"

#define SELECT_DRAFTS \
  "SELECT id, kind, parent_id, case_id, form_values, created_at, updated_at FROM draft"

void
cl_draft_free (ClDraft *draft)
{
  if (draft == NULL)
    return;

  g_free (draft->id);
  g_free (draft->kind);
  g_free (draft->parent_id);
  g_free (draft->case_id);
  g_clear_pointer (&draft->values, cl_changes_unref);
  g_free (draft->created_at);
  g_free (draft->updated_at);
  g_free (draft);
}

/* Locking and transactions --------------------------------------------------------- */

static sqlite3 *
lock_db (ClStore  *store,
         GError  **error)
{
  if (!cl_store_lock (store, CL_STORE_READ, error))
    return NULL;
  return _cl_store_get_db (store);
}

static void
unlock_db (ClStore *store)
{
  cl_store_unlock (store, CL_STORE_UNLOCK_NONE, NULL);
}

/* With the mutex held: a transaction of its own, or a savepoint inside the caller's. */
static gboolean
write_begin (sqlite3  *db,
             gboolean *nested,
             GError  **error)
{
  *nested = !sqlite3_get_autocommit (db);

  return cl_sql_exec (db, *nested ? "SAVEPOINT draft" : "BEGIN IMMEDIATE", error);
}

static gboolean
write_end (sqlite3   *db,
           gboolean   nested,
           gboolean   ok,
           GError   **error)
{
  if (nested)
    {
      if (!ok)
        cl_sql_exec (db, "ROLLBACK TO draft", NULL);
      cl_sql_exec (db, "RELEASE draft", NULL);
      return ok;
    }

  if (ok && cl_sql_exec (db, "COMMIT", error))
    return TRUE;

  cl_sql_exec (db, "ROLLBACK", NULL);
  return FALSE;
}

/* Values as JSON ------------------------------------------------------------------- */

static char *
values_to_json (ClChanges *values)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  for (guint i = 0; i < cl_changes_get_n (values); i++)
    {
      const char *value = cl_changes_get_value (values, i);

      json_builder_set_member_name (builder, cl_changes_get_field (values, i));
      if (value != NULL)
        json_builder_add_string_value (builder, value);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static ClChanges *
values_from_json (const char  *id,
                  const char  *json,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto damaged;

  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);

      if (JSON_NODE_HOLDS_NULL (node))
        cl_changes_set (values, l->data, NULL);
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        cl_changes_set (values, l->data, json_node_get_string (node));
      else
        goto damaged;
    }

  return g_steal_pointer (&values);

damaged:
  g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
               _("The kept entry %s is damaged."), id);
  return NULL;
}

static ClDraft *
draft_from_row (sqlite3_stmt  *stmt,
                GError       **error)
{
  g_autoptr(ClDraft) draft = g_new0 (ClDraft, 1);

  draft->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  draft->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  draft->parent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  draft->case_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  draft->values = values_from_json (draft->id, (const char *) sqlite3_column_text (stmt, 4),
                                    error);
  if (draft->values == NULL)
    return NULL;
  draft->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  draft->updated_at = g_strdup ((const char *) sqlite3_column_text (stmt, 6));

  return g_steal_pointer (&draft);
}

/* Public API ----------------------------------------------------------------------- */

/**
 * cl_drafts_save:
 * @id: (nullable): the draft to replace, or %NULL for a new one
 * @kind: %CL_DRAFT_KIND_NEW_REFERRAL or a record type
 * @parent_id: (nullable): the case or client the new record belongs to
 * @case_id: (nullable): the case the entry was typed on
 * @values: what the form showed, field by field
 *
 * Keeps an entry that was not saved yet, in the vault and on this device only.
 *
 * Returns: (transfer full) (nullable): the draft's id
 */
char *
cl_drafts_save (ClStore     *store,
                const char  *id,
                const char  *kind,
                const char  *parent_id,
                const char  *case_id,
                ClChanges   *values,
                GError     **error)
{
  g_autofree char *draft_id = NULL;
  g_autofree char *now = NULL;
  char *json;
  sqlite3 *db;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  if (g_strcmp0 (kind, CL_DRAFT_KIND_NEW_REFERRAL) != 0 && cl_schema_lookup_type (kind) == NULL)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                   _("There is no record type “%s” (see caseloadctl schema)"), kind);
      return NULL;
    }

  if ((db = lock_db (store, error)) == NULL)
    return NULL;

  draft_id = id != NULL ? g_strdup (id) : cl_uuid_new ();
  now = cl_now_utc ();
  json = values_to_json (values);

  ok = write_begin (db, &nested, error) &&
       cl_sql_exec_params (db, error,
                           "UPDATE draft SET kind = ?, parent_id = ?, case_id = ?, "
                           "form_values = ?, updated_at = ? WHERE id = ?",
                           kind, parent_id, case_id, json, now, draft_id, CL_SQL_END) &&
       (sqlite3_changes (db) > 0 ||
        cl_sql_exec_params (db, error,
                            "INSERT INTO draft (id, kind, parent_id, case_id, form_values, "
                            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            draft_id, kind, parent_id, case_id, json, now, now, CL_SQL_END));
  ok = write_end (db, nested, ok, ok ? error : NULL);
  unlock_db (store);

  /* SQLite copied it into its own memory, which is wiped when freed. */
  explicit_bzero (json, strlen (json));
  g_free (json);

  return ok ? g_steal_pointer (&draft_id) : NULL;
}

/**
 * cl_drafts_list:
 *
 * Returns: (transfer full) (element-type ClDraft) (nullable): every draft, oldest first
 */
GPtrArray *
cl_drafts_list (ClStore  *store,
                GError  **error)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_draft_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok;
  sqlite3 *db;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  if ((db = lock_db (store, error)) == NULL)
    return NULL;

  stmt = cl_sql_prepare (db, SELECT_DRAFTS " ORDER BY created_at, rowid", error);
  ok = stmt != NULL;
  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClDraft *draft = draft_from_row (stmt, error);

      if (draft == NULL)
        ok = FALSE;
      else
        g_ptr_array_add (drafts, draft);
    }
  if (ok && rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      ok = FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  unlock_db (store);

  return ok ? g_steal_pointer (&drafts) : NULL;
}

/**
 * cl_drafts_load:
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL with %CL_STORE_ERROR_NOT_FOUND
 */
ClDraft *
cl_drafts_load (ClStore     *store,
                const char  *id,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClDraft *draft = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if ((db = lock_db (store, error)) == NULL)
    return NULL;

  stmt = cl_sql_prepare (db, SELECT_DRAFTS " WHERE id = ?", error);
  if (stmt != NULL)
    {
      cl_sql_bind_text (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        draft = draft_from_row (stmt, error);
      else if (rc == SQLITE_DONE)
        g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                     _("There is no kept entry with id %s"), id);
      else
        cl_sql_set_error (error, db, rc);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  unlock_db (store);

  return draft;
}

/**
 * cl_drafts_delete:
 *
 * Forgets a draft (its entry was saved, or the advocate discarded it). Deleting a draft
 * that is not there is not an error. With secure_delete on, its bytes are overwritten.
 */
gboolean
cl_drafts_delete (ClStore     *store,
                  const char  *id,
                  GError     **error)
{
  sqlite3 *db;
  gboolean nested;
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if ((db = lock_db (store, error)) == NULL)
    return FALSE;

  ok = write_begin (db, &nested, error) &&
       cl_sql_exec_params (db, error, "DELETE FROM draft WHERE id = ?", id, CL_SQL_END);
  ok = write_end (db, nested, ok, ok ? error : NULL);
  unlock_db (store);

  return ok;
}
