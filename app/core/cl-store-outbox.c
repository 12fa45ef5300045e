/* cl-store-outbox.c: the outbox's change format, written and read here only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mutation's changes are a JSON object, field → {"old": value, "new": value}, each value
 * a string or null (docs/PROTOCOL.md). The outbox, the `sent` copy and the `rejected` list
 * keep them as text; the store writes them, sync pushes and inspects them, all through the
 * functions below. In `sent`, where mutations stay 30 days after the server took them, the
 * text is packed (_cl_outbox_changes_pack()): a third of its size.
 */

#define G_LOG_DOMAIN "cl-store"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <zlib.h>

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

/* Packed changes ------------------------------------------------------------------- */

/* A packed value: this byte, then the changes' text deflated (raw, RFC 1951) with
 * pack_dictionary() as the preset dictionary. Never change either: rows written by an
 * earlier version must still unpack; a new format takes a new byte. */
#define PACK_FORMAT 1
/* What a vault ever unpacks: far above PUSH_BUDGET, the most one mutation may carry. */
#define PACK_MAX_TEXT (64 * 1024 * 1024)

/* Field names of the records a vault writes most, rarest first (deflate reaches the end of
 * a dictionary most cheaply), each as it opens a change. */
static const char *const pack_fields[] = {
  "ages_out_on", "urgency", "award", "acp_participant", "gender_self", "decided_on",
  "reviewed_on", "claim_number", "filed_on", "restricted", "foreign_national",
  "crime_date", "certifying_agency", "decision", "requested_on", "trafficking_type",
  "client_will_initiate", "alternate_contact", "code_phrase", "court", "docket",
  "next_court_date", "order_expires_on", "active", "commands", "display_name", "languages",
  "role", "username", "preferred_name", "completed_on", "pseudonym", "incident_to",
  "partner", "service_type", "email", "author", "text", "special_classifications",
  "interpreter_needed", "done", "due", "title", "safe_times", "closed_at",
  "closure_reason", "complaint_number", "interpreter", "address", "age_at_intake",
  "date_of_birth", "opened_at", "phone", "note", "legal_name", "incident_command",
  "age_band", "gender", "preferred_language", "race_ethnicity", "assigned_to",
  "case_number", "command", "funding_sources", "incident_date", "received_at",
  "referral_received_at", "source", "track", "victim_role", "status", "confirmed_on",
  "incident_from", "minor_at_time", "relationship", "reported_to_police", "type",
  "agency_ok", "safe", "code", "funding_source", "times", "language", "date",
  "duration_minutes", "client_id", "direction", "outcome", "at", "channel", "advocate",
  "case_id"
};

static const char *
pack_dictionary (gsize *len)
{
  static gsize once;
  static char *dictionary;

  if (g_once_init_enter (&once))
    {
      GString *d = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (pack_fields); i++)
        g_string_append_printf (d, "\"%s\":{\"old\":null,\"new\":\"", pack_fields[i]);
      dictionary = g_string_free (d, FALSE);
      g_once_init_leave (&once, 1);
    }
  *len = strlen (dictionary);
  return dictionary;
}

/**
 * _cl_outbox_changes_pack:
 * @changes: changes as the outbox holds them
 *
 * Returns: (transfer full): @changes packed, for `sent`
 */
static void
deflater_free (gpointer z)
{
  deflateEnd (z);
  g_free (z);
}

/* This thread's compressor, kept: setting one up allocates a few hundred kilobytes, which
 * cost more than packing a mutation. */
static z_stream *
deflater (void)
{
  static GPrivate key = G_PRIVATE_INIT (deflater_free);
  z_stream *z = g_private_get (&key);

  if (z == NULL)
    {
      z = g_new0 (z_stream, 1);
      if (deflateInit2 (z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        g_error ("deflateInit2: %s", z->msg != NULL ? z->msg : "out of memory");
      g_private_set (&key, z);
    }
  else
    deflateReset (z);
  return z;
}

/**
 * _cl_outbox_changes_pack:
 * @changes: changes as the outbox holds them
 *
 * Returns: (transfer full): @changes packed, for `sent`
 */
GBytes *
_cl_outbox_changes_pack (const char *changes)
{
  z_stream *z = deflater ();
  gsize dictionary_len;
  const char *dictionary = pack_dictionary (&dictionary_len);
  gsize len = strlen (changes);
  gsize size;
  guint8 *out;
  int rc;

  deflateSetDictionary (z, (const Bytef *) dictionary, dictionary_len);
  size = 1 + deflateBound (z, len);
  out = g_malloc (size);
  out[0] = PACK_FORMAT;
  z->next_in = (Bytef *) changes;
  z->avail_in = len;
  z->next_out = out + 1;
  z->avail_out = size - 1;
  rc = deflate (z, Z_FINISH);
  g_assert (rc == Z_STREAM_END);
  return g_bytes_new_take (out, 1 + z->total_out);
}

/* @data (@len bytes) from _cl_outbox_changes_pack(), as text; %NULL with @error set when
 * it is not a packed value. */
static char *
changes_unpack (const guint8  *data,
                gsize          len,
                GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  z_stream z = { 0 };
  gsize dictionary_len;
  const char *dictionary = pack_dictionary (&dictionary_len);
  int rc = Z_OK;

  if (len < 1 || data[0] != PACK_FORMAT ||
      inflateInit2 (&z, -15) != Z_OK)
    {
      unreadable (error, g_strerror (EINVAL));
      return NULL;
    }
  inflateSetDictionary (&z, (const Bytef *) dictionary, dictionary_len);
  z.next_in = (Bytef *) data + 1;
  z.avail_in = len - 1;
  while (rc == Z_OK && out->len < PACK_MAX_TEXT)
    {
      guint8 chunk[16384];

      z.next_out = chunk;
      z.avail_out = sizeof chunk;
      rc = inflate (&z, Z_NO_FLUSH);
      g_byte_array_append (out, chunk, sizeof chunk - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in > 0)
        rc = Z_OK;
    }
  inflateEnd (&z);
  if (rc != Z_STREAM_END || memchr (out->data, '\0', out->len) != NULL)
    {
      unreadable (error, g_strerror (EINVAL));
      return NULL;
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

/**
 * _cl_outbox_column_changes:
 * @column: a column of @stmt that holds changes: as text (the outbox, and `sent` rows
 *   written before changes were packed there) or packed (`sent`)
 *
 * Returns: (transfer full): the changes as text, or %NULL with @error set
 */
char *
_cl_outbox_column_changes (sqlite3_stmt  *stmt,
                           int            column,
                           GError       **error)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_BLOB)
    return changes_unpack (sqlite3_column_blob (stmt, column),
                           (gsize) sqlite3_column_bytes (stmt, column), error);
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Moving mutations between the outbox and `sent` ---------------------------------------- */

/* Copies the rows of @from_sql (seq, mutation_id, record_type, record_id, op, base_version,
 * changes, created_at; @a and @b its parameters, @b when it has two) into @to_sql's eight parameters (and a
 * ninth, @extra), the changes packed or unpacked as @pack says. */
static gboolean
copy_mutations (sqlite3     *db,
                const char  *from_sql,
                gint64       a,
                gint64       b,
                const char  *to_sql,
                const char  *extra,
                gboolean     pack,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) from = cl_sql_prepare (db, from_sql, error);
  g_autoptr(sqlite3_stmt) to = NULL;
  int rc;

  if (from == NULL || (to = cl_sql_prepare (db, to_sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (from, 1, a);
  if (sqlite3_bind_parameter_count (from) > 1)
    sqlite3_bind_int64 (from, 2, b);
  while ((rc = sqlite3_step (from)) == SQLITE_ROW)
    {
      g_autofree char *changes = _cl_outbox_column_changes (from, 6, error);
      g_autoptr(GBytes) packed = NULL;

      if (changes == NULL)
        return FALSE;
      for (int i = 0; i < 8; i++)
        if (i != 6)
          sqlite3_bind_value (to, i + 1, sqlite3_column_value (from, i));
      if (pack)
        {
          packed = _cl_outbox_changes_pack (changes);
          sqlite3_bind_blob (to, 7, g_bytes_get_data (packed, NULL),
                             (int) g_bytes_get_size (packed), SQLITE_TRANSIENT);
        }
      else
        cl_sql_bind_text (to, 7, changes);
      if (extra != NULL)
        cl_sql_bind_text (to, 9, extra);
      if (!cl_sql_step_done (to, error))
        return FALSE;
      sqlite3_reset (to);
    }
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/**
 * _cl_outbox_move_to_sent:
 *
 * Moves the outbox's mutations @first … @last, which the server acknowledged at
 * @acked_at, to `sent`, their changes packed. Inside a transaction.
 */
gboolean
_cl_outbox_move_to_sent (sqlite3     *db,
                         gint64       first,
                         gint64       last,
                         const char  *acked_at,
                         GError     **error)
{
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, first);
  g_autofree char *to = g_strdup_printf ("%" G_GINT64_FORMAT, last);

  return copy_mutations (db, "SELECT seq, mutation_id, record_type, record_id, op, "
                         "base_version, changes, created_at FROM outbox "
                         "WHERE seq BETWEEN ?1 AND ?2",
                         first, last,
                         "INSERT OR REPLACE INTO sent (seq, mutation_id, record_type, record_id, "
                         "op, base_version, changes, created_at, acked_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         acked_at, TRUE, error) &&
         cl_sql_exec_params (db, error, "DELETE FROM outbox WHERE seq BETWEEN ?1 AND ?2",
                             from, to, CL_SQL_END);
}

/**
 * _cl_outbox_requeue_sent:
 *
 * Puts the mutations of `sent` after @after_seq back into the outbox, under their seqs
 * negated (to be numbered again), their changes as text, unless the outbox holds them
 * already; and deletes them from `sent`. Inside a transaction.
 */
gboolean
_cl_outbox_requeue_sent (sqlite3     *db,
                         gint64       after_seq,
                         GError     **error)
{
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, after_seq);

  return copy_mutations (db, "SELECT -seq, mutation_id, record_type, record_id, op, "
                         "base_version, changes, created_at FROM sent WHERE seq > ?1 AND "
                         "mutation_id NOT IN (SELECT mutation_id FROM outbox) ORDER BY seq",
                         after_seq, 0,
                         "INSERT INTO outbox (seq, mutation_id, record_type, record_id, op, "
                         "base_version, changes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         NULL, FALSE, error) &&
         cl_sql_exec_params (db, error, "DELETE FROM sent WHERE seq > ?", after, CL_SQL_END);
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
