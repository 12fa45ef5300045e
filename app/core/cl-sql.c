/* cl-sql.c: small helpers over the SQLite C API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-sql"

#include <glib/gi18n.h>

#include "cl-sql.h"
#include "cl-vault.h"

const char cl_sql_end_marker[] = "";

/* Maps SQLite failures to the vault's error codes so the person at the screen learns
 * whether the disk is full or the database is damaged. SQLite's own message carries no
 * client data (values are always bound, never part of the SQL text). */
void
cl_sql_set_error (GError  **error,
                  sqlite3  *db,
                  int       rc)
{
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The disk is full: nothing was saved. Free some space and try again."));
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The vault could not be read or written (%s)."), msg);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                   _("The vault database is damaged (%s). Restore it from a backup or "
                     "from the server."), msg);
      break;
    default:
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("Database error: %s"), msg);
      break;
    }
}

gboolean
cl_sql_exec (sqlite3     *db,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
cl_sql_prepare (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
cl_sql_bind_text (sqlite3_stmt *stmt,
                  int           index,
                  const char   *value)
{
  if (value == NULL)
    return sqlite3_bind_null (stmt, index) == SQLITE_OK;
  return sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

gboolean
cl_sql_step_done (sqlite3_stmt  *stmt,
                  GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, sqlite3_db_handle (stmt), rc);
      return FALSE;
    }
  return TRUE;
}

static void
bind_va (sqlite3_stmt *stmt,
         va_list       args)
{
  const char *value;
  int i = 1;

  while ((value = va_arg (args, const char *)) != CL_SQL_END)
    cl_sql_bind_text (stmt, i++, value);
  g_assert (i - 1 == sqlite3_bind_parameter_count (stmt));
}

static sqlite3_stmt *
prepare_va (sqlite3     *db,
            GError     **error,
            const char  *sql,
            va_list      args)
{
  sqlite3_stmt *stmt = cl_sql_prepare (db, sql, error);

  if (stmt != NULL)
    bind_va (stmt, args);
  return stmt;
}

gboolean
cl_sql_exec_params (sqlite3     *db,
                    GError     **error,
                    const char  *sql,
                    ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  va_list args;

  va_start (args, sql);
  stmt = prepare_va (db, error, sql, args);
  va_end (args);
  return stmt != NULL && cl_sql_step_done (stmt, error);
}

/* The first column of the first row, or NULL (with @error set on failure). */
static char *
step_text (sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    cl_sql_set_error (error, sqlite3_db_handle (stmt), rc);
  return NULL;
}

char *
cl_sql_query_text (sqlite3     *db,
                   GError     **error,
                   const char  *sql,
                   ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  va_list args;

  va_start (args, sql);
  stmt = prepare_va (db, error, sql, args);
  va_end (args);
  if (stmt == NULL)
    return NULL;
  return step_text (stmt, error);
}

gboolean
cl_sql_query_int (sqlite3     *db,
                  const char  *sql,
                  gint64      *out,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    {
      *out = 0;
      return TRUE;
    }
  cl_sql_set_error (error, db, rc);
  return FALSE;
}

/* Statement cache ------------------------------------------------------------------ */

/* Preparing (parsing, resolving names against the schema, generating code) costs more than
 * running most of the small statements of a write, and a store runs the same few dozen
 * statements over and over, so it keeps them prepared: at most this many, least recently
 * used first out. An update's SQL names the fields it changes, so the number of distinct
 * statements has no fixed bound. */
#define CACHE_SIZE 128

typedef struct {
  char         *sql;
  sqlite3_stmt *stmt;
  GList         link;    /* in ClSqlCache.lru, most recently used first */
  gboolean      taken;   /* handed out and not yet released */
} CacheEntry;

/* Prepared statements of one connection, keyed by their SQL text. A statement handed out
 * by cl_sql_cache_prepare() is the caller's until cl_sql_cache_release(), which resets it
 * and clears its bindings: no value stays bound after its use and no read transaction stays
 * open. Asking again for SQL whose statement is still out (a nested use) prepares a separate
 * statement that release finalizes.
 *
 * Not thread-safe: a statement must never be used by two threads at once, so the owner
 * serializes every call (the store holds the vault's mutex). Free the cache before the
 * connection closes: sqlite3_close_v2() keeps a connection that still has statements open,
 * with its key and decrypted pages, until the last one is finalized. */
struct _ClSqlCache
{
  sqlite3    *db;
  GHashTable *by_sql;    /* SQL text → CacheEntry */
  GHashTable *by_stmt;   /* sqlite3_stmt → CacheEntry */
  GQueue      lru;
};

static void
cache_entry_free (CacheEntry *entry)
{
  sqlite3_finalize (entry->stmt);
  g_free (entry->sql);
  g_free (entry);
}

ClSqlCache *
cl_sql_cache_new (sqlite3 *db)
{
  ClSqlCache *cache;

  g_return_val_if_fail (db != NULL, NULL);

  cache = g_new0 (ClSqlCache, 1);
  cache->db = db;
  cache->by_sql = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) cache_entry_free);
  cache->by_stmt = g_hash_table_new (NULL, NULL);
  g_queue_init (&cache->lru);
  return cache;
}

/* Finalizes every statement; none may still be out. */
void
cl_sql_cache_free (ClSqlCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->by_stmt);
  g_hash_table_unref (cache->by_sql);
  g_free (cache);
}

static void
cache_evict (ClSqlCache *cache)
{
  for (GList *l = cache->lru.tail; l != NULL && cache->lru.length > CACHE_SIZE; )
    {
      CacheEntry *entry = l->data;

      l = l->prev;
      if (entry->taken)
        continue;
      g_queue_unlink (&cache->lru, &entry->link);
      g_hash_table_remove (cache->by_stmt, entry->stmt);
      g_hash_table_remove (cache->by_sql, entry->sql);
    }
}

/**
 * cl_sql_cache_prepare:
 *
 * Returns: (transfer none): the statement for @sql, ready to bind; give it back with
 *   cl_sql_cache_release()
 */
sqlite3_stmt *
cl_sql_cache_prepare (ClSqlCache  *cache,
                      const char  *sql,
                      GError     **error)
{
  CacheEntry *entry = g_hash_table_lookup (cache->by_sql, sql);
  sqlite3_stmt *stmt;

  if (entry != NULL && !entry->taken)
    {
      entry->taken = TRUE;
      g_queue_unlink (&cache->lru, &entry->link);
      g_queue_push_head_link (&cache->lru, &entry->link);
      return entry->stmt;
    }

  if ((stmt = cl_sql_prepare (cache->db, sql, error)) == NULL || entry != NULL)
    return stmt;

  entry = g_new0 (CacheEntry, 1);
  entry->sql = g_strdup (sql);
  entry->stmt = stmt;
  entry->link.data = entry;
  entry->taken = TRUE;
  g_hash_table_insert (cache->by_sql, entry->sql, entry);
  g_hash_table_insert (cache->by_stmt, stmt, entry);
  g_queue_push_head_link (&cache->lru, &entry->link);
  cache_evict (cache);
  return stmt;
}

void
cl_sql_cache_release (ClSqlCache   *cache,
                      sqlite3_stmt *stmt)
{
  CacheEntry *entry;

  if (stmt == NULL)
    return;
  if ((entry = g_hash_table_lookup (cache->by_stmt, stmt)) == NULL)
    {
      sqlite3_finalize (stmt);
      return;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  entry->taken = FALSE;
}

gboolean
cl_sql_cache_exec (ClSqlCache  *cache,
                   GError     **error,
                   const char  *sql,
                   ...)
{
  sqlite3_stmt *stmt = cl_sql_cache_prepare (cache, sql, error);
  gboolean ok;
  va_list args;

  if (stmt == NULL)
    return FALSE;
  va_start (args, sql);
  bind_va (stmt, args);
  va_end (args);
  ok = cl_sql_step_done (stmt, error);
  cl_sql_cache_release (cache, stmt);
  return ok;
}

char *
cl_sql_cache_query_text (ClSqlCache  *cache,
                         GError     **error,
                         const char  *sql,
                         ...)
{
  sqlite3_stmt *stmt = cl_sql_cache_prepare (cache, sql, error);
  char *text;
  va_list args;

  if (stmt == NULL)
    return NULL;
  va_start (args, sql);
  bind_va (stmt, args);
  va_end (args);
  text = step_text (stmt, error);
  cl_sql_cache_release (cache, stmt);
  return text;
}
