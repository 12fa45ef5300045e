/* cl-store-outbox.c: the outbox's change format, written and read here only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mutation's changes are a JSON object, field → {"old": value, "new": value}, each value
 * a string or null (docs/PROTOCOL.md). The outbox, the `sent` copy and the `rejected` list
 * keep them as text; the store writes them, sync pushes and inspects them, all through the
 * functions below.
 */

#define G_LOG_DOMAIN "cl-store"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cl-sql.h"
#include "cl-store-private.h"

void
_cl_outbox_change_free (ClOutboxChange *change)
{
  if (change == NULL)
    return;
  g_free (change->field);
  g_free (change->old_value);
  g_free (change->new_value);
  g_free (change);
}

/* A mutation's changes are written as JSON directly: building a json-glib tree of them
 * cost a fifth of an import. Values are valid UTF-8 (cl_field_normalize() checks), so
 * escaping quotes, backslashes and control characters is all RFC 8259 asks. */
static void
append_json_string (GString    *json,
                    const char *value)
{
  if (value == NULL)
    {
      g_string_append (json, "null");
      return;
    }
  g_string_append_c (json, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (json, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (json, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append_c (json, '"');
}

/* An empty set of changes, to add to and then close. */
GString *
_cl_outbox_changes_new (void)
{
  return g_string_new ("{");
}

/* Adds "field": {"old": …, "new": …} to @changes, from _cl_outbox_changes_new(). */
void
_cl_outbox_changes_add (GString    *changes,
                        const char *field,
                        const char *old_value,
                        const char *new_value)
{
  if (changes->len > 1)
    g_string_append_c (changes, ',');
  append_json_string (changes, field);
  g_string_append (changes, ":{\"old\":");
  append_json_string (changes, old_value);
  g_string_append (changes, ",\"new\":");
  append_json_string (changes, new_value);
  g_string_append_c (changes, '}');
}

void
_cl_outbox_changes_close (GString *changes)
{
  g_string_append_c (changes, '}');
}

static const char *
member_text (JsonObject *change,
             const char *member)
{
  JsonNode *node = json_object_get_member (change, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static void
unreadable (GError     **error,
            const char  *why)
{
  g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
               _("The vault could not be read or written (%s)."), why);
}

/**
 * _cl_outbox_changes_parse:
 *
 * Returns: (transfer full) (element-type ClOutboxChange): the changes, in json-glib's
 *   iteration order (what every push so far used: a mutation sent again must be sent
 *   byte for byte), or %NULL with @error set when @changes is not of the format
 */
GPtrArray *
_cl_outbox_changes_parse (const char  *changes,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) _cl_outbox_change_free);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, changes != NULL ? changes : "", -1, &local_error))
    {
      unreadable (error, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      unreadable (error, g_strerror (EINVAL));
      return NULL;
    }
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &name, &node))
    {
      ClOutboxChange *change;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          unreadable (error, g_strerror (EINVAL));
          return NULL;
        }
      change = g_new0 (ClOutboxChange, 1);
      change->field = g_strdup (name);
      change->old_value = g_strdup (member_text (json_node_get_object (node), "old"));
      change->new_value = g_strdup (member_text (json_node_get_object (node), "new"));
      g_ptr_array_add (out, change);
    }
  return g_steal_pointer (&out);
}

/* Whether @changes change @field; changes that cannot be read change nothing. */
gboolean
_cl_outbox_changes_has (const char *changes,
                        const char *field)
{
  g_autoptr(GPtrArray) parsed = _cl_outbox_changes_parse (changes, NULL);

  for (guint i = 0; parsed != NULL && i < parsed->len; i++)
    if (strcmp (((ClOutboxChange *) g_ptr_array_index (parsed, i))->field, field) == 0)
      return TRUE;
  return FALSE;
}

/* The outbox ------------------------------------------------------------------------ */

static gboolean
next_seq (ClSqlCache  *cache,
          gint64      *seq,
          GError     **error)
{
  g_autofree char *text = NULL;

  text = cl_sql_cache_query_text (cache, error, "SELECT value FROM meta WHERE key = 'next_seq'",
                                  CL_SQL_END);
  if (text == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                     _("The vault has no outbox counter."));
      return FALSE;
    }
  *seq = g_ascii_strtoll (text, NULL, 10);
  return cl_sql_cache_exec (cache, error,
                            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                            "WHERE key = 'next_seq'", CL_SQL_END);
}

/* Also sync's, for a person's choice on a refused change (cl-sync.c). */
gboolean
_cl_store_queue_mutation (ClStore      *self,
                          const ClType *type,
                          const char   *id,
                          const char   *op,
                          gint64        base_version,
                          const char   *changes,
                          const char   *now,
                          GError      **error)
{
  g_autofree char *mutation_id = _cl_store_new_mutation_id (self);
  g_autofree char *seq_text = NULL;
  g_autofree char *base_text = NULL;
  gint64 seq;

  if (type->flags & CL_TYPE_LOCAL_ONLY)
    return TRUE;
  if (!next_seq (_cl_store_stmts (self), &seq, error))
    return FALSE;
  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  base_text = g_strdup_printf ("%" G_GINT64_FORMAT, base_version);
  return cl_sql_cache_exec (_cl_store_stmts (self), error,
                            "INSERT INTO outbox (seq, mutation_id, record_type, record_id, op, "
                            "base_version, changes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            seq_text, mutation_id, type->name, id, op, base_text, changes, now,
                            CL_SQL_END);
}

static gint64
store_outbox_length_unlocked (ClStore  *self,
                              GError  **error)
{
  sqlite3 *db;
  gint64 n = -1;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  if ((db = _cl_store_open_db (self, error)) == NULL ||
      !cl_sql_query_int (db, "SELECT count(*) FROM outbox", &n, error))
    return -1;
  return n;
}

gint64
cl_store_outbox_length (ClStore  *self,
                        GError  **error)
{
  gint64 n;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  _cl_store_read_lock (self);
  n = store_outbox_length_unlocked (self, error);
  _cl_store_read_unlock (self);
  return n;
}
