/* cl-store.c: records in the vault, with their outbox mutations, history and audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every write runs in one BEGIN IMMEDIATE transaction that holds the edit, the outbox
 * mutation that will carry it to the server (DESIGN.md §5), its history lines and the
 * derived columns and search documents it affects: an edit exists if and only if its
 * mutation is queued. Inside a transaction opened with cl_store_begin() an operation checks
 * everything before it writes anything, so a refused operation leaves nothing behind and the
 * caller decides whether to commit the others (caseloadctl import collects every bad line,
 * then rolls back); an operation that fails once it has begun writing makes the whole
 * transaction roll back.
 *
 * Writes and reads hold the vault's recursive mutex, so locking the vault (which takes it
 * too) waits for a search or a list load running in a worker instead of closing the
 * database under it. The same mutex guards the store's prepared statements: a statement
 * must never run on two threads at once.
 */

#define G_LOG_DOMAIN "cl-store"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-summary.h"
#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-vault-private.h"

struct _ClStore
{
  GObject       parent_instance;

  ClVault      *vault;
  char         *user;
  char         *command;

  guint         depth;        /* nesting of write transactions on the locking thread */
  gboolean      failed;       /* an inner step failed: the outer transaction must roll back */
  GHashTable   *pending;      /* "type\nid" of records changed in the open transaction */
  GHashTable   *refresh;      /* case id -> Refresh flags, due before the open transaction
                               * commits or anything reads the cases it changed */
  GHashTable   *refresh_clients; /* client ids whose cases' search documents are due */
  guint32       next_mutation; /* _cl_store_new_mutation_id() */
  int           bulk_cache;   /* the cache_size to restore when a bulk transaction ends */
  gboolean      bulk;         /* the open transaction began with cl_store_begin_bulk() */
  ClSqlCache   *stmts;        /* prepared on the vault's connection; under the vault's mutex */
  gulong        locked_id;

  GThread      *holder;       /* (atomic): the thread holding the vault's mutex through us */
  guint         held;         /* its nesting, on that thread */

  GThread      *owner;
  GMainContext *context;
};

G_DEFINE_FINAL_TYPE (ClStore, cl_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (cl-store-error-quark, cl_store_error)

enum {
  PROP_0,
  PROP_VAULT,
  PROP_USER,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
cl_history_entry_free (ClHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->at);
  g_free (entry->by);
  g_free (entry->record_type);
  g_free (entry->record_id);
  g_free (entry->op);
  g_free (entry->field);
  g_free (entry->old_value);
  g_free (entry->new_value);
  g_free (entry);
}

/* The store's lock is the vault's recursive mutex (cl_vault_lock() takes it before it
 * closes the database), with a note of which thread holds it through the store, so that
 * _cl_store_get_db() can tell a caller that forgot it. */
static void
lock_take (ClStore *self)
{
  g_rec_mutex_lock (cl_vault_get_write_lock (self->vault));
  if (self->held++ == 0)
    g_atomic_pointer_set (&self->holder, g_thread_self ());
}

static void
lock_release (ClStore *self)
{
  g_assert (self->held > 0);
  if (--self->held == 0)
    g_atomic_pointer_set (&self->holder, NULL);
  g_rec_mutex_unlock (cl_vault_get_write_lock (self->vault));
}

/**
 * _cl_store_get_db:
 *
 * The vault's connection, for core code that holds the store's lock (cl_store_lock()).
 * Every thread shares the one connection: a read without the lock would see another
 * thread's uncommitted transaction, a write would land in it.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL when the vault is locked
 */
sqlite3 *
_cl_store_get_db (ClStore *self)
{
  if (g_atomic_pointer_get (&self->holder) != g_thread_self ())
    g_critical ("The vault's database was used without the store's lock");
  return cl_vault_get_db (self->vault);
}

sqlite3 *
_cl_store_open_db (ClStore  *self,
                   GError  **error)
{
  sqlite3 *db = cl_vault_get_db (self->vault);

  if (db == NULL)
    g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked."));
  return db;
}

/* The statements prepared on the vault's connection. Call with the vault's mutex held and
 * the vault open. */
ClSqlCache *
_cl_store_stmts (ClStore *self)
{
  if (self->stmts == NULL)
    self->stmts = cl_sql_cache_new (cl_vault_get_db (self->vault));
  return self->stmts;
}

/* Locking the vault closes its connection. The statements go with it: sqlite3_close_v2()
 * would otherwise keep the connection, its key and its decrypted pages alive until the
 * store is freed. No statement is in use: cl_vault_lock() waited for the mutex before
 * closing, and whoever takes it after the close finds the vault locked and leaves the
 * statements alone. */
static void
vault_locked_cb (ClStore *self)
{
  lock_take (self);
  g_clear_pointer (&self->stmts, cl_sql_cache_free);
  lock_release (self);
}

/* SQL of each record type ---------------------------------------------------------- */

/* The statements of a type's writes depend only on the schema registry: built once, not
 * for every write. */
typedef struct {
  char *select;      /* the record with a given id */
  char *insert;      /* id, created/updated at/by, then every field */
  char *exists;      /* any record with a given id, deleted or not */
  char *live;        /* a record with a given id that is not deleted (references) */
  char *tombstone;   /* marks the record with a given id deleted */
} TypeSql;

static char *select_sql (const ClType *type,
                         const char   *where);

static const TypeSql *
type_sql (const ClType *type)
{
  static TypeSql *table = NULL;
  guint n;
  const ClType *types = cl_schema_types (&n);

  if (g_once_init_enter (&table))
    {
      TypeSql *built = g_new0 (TypeSql, n);

      for (guint i = 0; i < n; i++)
        {
          const ClType *t = &types[i];
          GString *insert = g_string_new (NULL);

          g_string_append_printf (insert, "INSERT INTO %s (id, version, created_at, created_by, "
                                  "updated_at, updated_by, deleted", t->table);
          for (guint j = 0; j < t->n_fields; j++)
            g_string_append_printf (insert, ", %s", t->fields[j].name);
          g_string_append (insert, ") VALUES (?, 0, ?, ?, ?, ?, 0");
          for (guint j = 0; j < t->n_fields; j++)
            g_string_append (insert, ", ?");
          g_string_append (insert, ")");

          built[i].select = select_sql (t, "id = ?");
          built[i].insert = g_string_free (insert, FALSE);
          built[i].exists = g_strdup_printf ("SELECT id FROM %s WHERE id = ?", t->table);
          built[i].live = g_strdup_printf ("SELECT id FROM %s WHERE id = ? AND deleted = 0",
                                           t->table);
          built[i].tombstone = g_strdup_printf ("UPDATE %s SET deleted = 1, updated_at = ?, "
                                                "updated_by = ? WHERE id = ?", t->table);
        }
      g_once_init_leave (&table, built);
    }

  g_assert (type >= types && type < types + n);
  return &table[type - types];
}

/* Change notification -------------------------------------------------------------- */

typedef struct {
  ClStore *store;
  char    *type;
  char    *id;
} Changed;

static gboolean
emit_changed_cb (gpointer data)
{
  Changed *c = data;

  g_signal_emit (c->store, signals[CHANGED], 0, c->type, c->id);
  g_object_unref (c->store);
  g_free (c->type);
  g_free (c->id);
  g_free (c);
  return G_SOURCE_REMOVE;
}

void
_cl_store_emit_changed (ClStore    *self,
                        const char *type,
                        const char *id)
{
  Changed *c = g_new0 (Changed, 1);

  c->store = g_object_ref (self);
  c->type = g_strdup (type);
  c->id = g_strdup (id);
  if (g_thread_self () == self->owner)
    emit_changed_cb (c);
  else
    g_main_context_invoke (self->context, emit_changed_cb, c);
}

/* Transactions --------------------------------------------------------------------- */

static gboolean flush_dependents (ClStore  *self,
                                  GError  **error);
static gboolean flush_for_read   (ClStore  *self,
                                  GError  **error);

/* A bulk transaction's page cache: every page it dirties stays in memory until COMMIT
 * instead of being spilled to the WAL (and encrypted) early and rewritten later. */
#define CL_STORE_BULK_CACHE_KIB 262144

static void
bulk_end (ClStore *self)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = %d", self->bulk_cache);

  self->bulk = FALSE;
  if (cl_vault_get_db (self->vault) != NULL)
    cl_sql_exec (cl_vault_get_db (self->vault), sql, NULL);
}

static void
set_failed_error (GError **error)
{
  g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
               _("A change failed part-way: none of the changes made together with it were "
                 "saved."));
}

static gboolean
write_begin (ClStore  *self,
             GError  **error)
{
  sqlite3 *db;

  lock_take (self);
  db = _cl_store_open_db (self, error);
  if (db == NULL)
    goto fail;

  if (self->depth == 0)
    {
      if (!cl_sql_cache_exec (_cl_store_stmts (self), error, "BEGIN IMMEDIATE", CL_SQL_END))
        goto fail;
      self->failed = FALSE;
    }
  else if (sqlite3_get_autocommit (db))
    {
      /* SQLite ended the transaction itself (a full disk, an I/O error): nothing more may
       * be written outside it, one statement at a time. */
      self->failed = TRUE;
      set_failed_error (error);
      goto fail;
    }

  self->depth++;
  return TRUE;

fail:
  lock_release (self);
  return FALSE;
}

static gboolean
write_end (ClStore  *self,
           gboolean  ok,
           GError  **error)
{
  sqlite3 *db = cl_vault_get_db (self->vault);
  g_autoptr(GPtrArray) pending = NULL;

  g_assert (self->depth > 0);
  self->depth--;

  if (db == NULL)
    {
      ok = FALSE;
    }
  else if (self->depth == 0)
    {
      if (ok && self->failed)
        {
          set_failed_error (error);
          ok = FALSE;
        }
      if (ok && !flush_dependents (self, error))
        ok = FALSE;
      if (ok && !cl_sql_cache_exec (_cl_store_stmts (self), error, "COMMIT", CL_SQL_END))
        ok = FALSE;
      if (!ok)
        cl_sql_cache_exec (_cl_store_stmts (self), NULL, "ROLLBACK", CL_SQL_END);
    }

  if (self->depth == 0)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_remove_all (self->refresh);
      g_hash_table_remove_all (self->refresh_clients);
      if (self->bulk)
        bulk_end (self);
      pending = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_hash_table_iter_steal (&iter);
          if (ok)
            g_ptr_array_add (pending, key);
          else
            g_free (key);
        }
    }
  lock_release (self);

  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (pending, i), "\n", 2);
      _cl_store_emit_changed (self, parts[0], parts[1]);
    }
  return ok;
}

/* An operation (create, update, delete) inside a transaction of cl_store_begin() has no
 * savepoint of its own: SQLCipher encrypts every page a savepoint journals, and that was
 * most of the time of an import. Operations check everything before they write, so one
 * refused by its checks has written nothing and the transaction goes on without it; one
 * that fails after it began writing (or made SQLite end the transaction) cannot be undone
 * alone, so the transaction rolls back when it ends. */
static gboolean
op_begin (ClStore  *self,
          int      *changes,
          GError  **error)
{
  if (!write_begin (self, error))
    return FALSE;
  *changes = sqlite3_total_changes (cl_vault_get_db (self->vault));
  return TRUE;
}

static gboolean
op_end (ClStore  *self,
        int       changes,
        gboolean  ok,
        GError  **error)
{
  sqlite3 *db = cl_vault_get_db (self->vault);

  if (!ok && db != NULL &&
      (sqlite3_total_changes (db) != changes || sqlite3_get_autocommit (db)))
    self->failed = TRUE;
  return write_end (self, ok, error);
}

static void
note_changed (ClStore    *self,
              const char *type,
              const char *id)
{
  g_hash_table_add (self->pending, g_strconcat (type, "\n", id, NULL));
}

/**
 * cl_store_lock:
 * @lock: %CL_STORE_READ for reads that must agree with each other, %CL_STORE_WRITE for a
 *   transaction
 *
 * The only way to the vault's database. Every thread shares one connection, so the lock
 * is exclusive whichever @lock is asked for: while a thread holds it, no other thread reads
 * or writes, and no other thread's transaction is open. A thread may take it again
 * (nested); each cl_store_lock() is ended by one cl_store_unlock(). Fails, holding
 * nothing, when the vault is locked.
 */
gboolean
cl_store_lock (ClStore      *self,
               ClStoreLock   lock,
               GError      **error)
{
  g_return_val_if_fail (CL_IS_STORE (self), FALSE);

  if (lock == CL_STORE_WRITE)
    return write_begin (self, error);
  lock_take (self);
  if (_cl_store_open_db (self, error) == NULL || !flush_for_read (self, error))
    {
      lock_release (self);
      return FALSE;
    }
  return TRUE;
}

/**
 * cl_store_unlock:
 * @unlock: %CL_STORE_UNLOCK_NONE to end a read; %CL_STORE_UNLOCK_COMMIT or
 *   %CL_STORE_UNLOCK_ROLLBACK to end a write
 *
 * Ends what cl_store_lock() began. A commit fails (and everything since the outermost
 * write lock is rolled back) if a write inside failed part-way or SQLite refuses it.
 */
gboolean
cl_store_unlock (ClStore        *self,
                 ClStoreUnlock   unlock,
                 GError        **error)
{
  g_return_val_if_fail (CL_IS_STORE (self), FALSE);

  switch (unlock)
    {
    case CL_STORE_UNLOCK_NONE:
      lock_release (self);
      return TRUE;
    case CL_STORE_UNLOCK_COMMIT:
      return write_end (self, TRUE, error);
    case CL_STORE_UNLOCK_ROLLBACK:
    default:
      self->failed = TRUE;
      write_end (self, FALSE, NULL);
      return TRUE;
    }
}

/**
 * cl_store_begin:
 *
 * cl_store_lock (self, %CL_STORE_WRITE): writes until cl_store_commit() or
 * cl_store_rollback() are kept or discarded together (imports, demo data).
 */
gboolean
cl_store_begin (ClStore  *self,
                GError  **error)
{
  return cl_store_lock (self, CL_STORE_WRITE, error);
}

/**
 * cl_store_begin_bulk:
 *
 * cl_store_begin() for a transaction that writes many thousand records (demo data, an
 * import, a first pull): its page cache is raised to 256 MiB until cl_store_commit() or
 * cl_store_rollback() ends it, so the pages it dirties are encrypted and written once, at
 * COMMIT, instead of spilling to the WAL and being written again. Inside a transaction
 * already open on this thread it is cl_store_begin().
 */
gboolean
cl_store_begin_bulk (ClStore  *self,
                     GError  **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *cache = NULL;
  sqlite3 *db;

  if (!cl_store_lock (self, CL_STORE_WRITE, error))
    return FALSE;
  if (self->depth > 1)
    return TRUE;

  db = cl_vault_get_db (self->vault);
  if ((cache = cl_sql_query_text (db, error, "PRAGMA cache_size", CL_SQL_END)) == NULL)
    {
      cl_store_rollback (self);
      return FALSE;
    }
  self->bulk_cache = (int) g_ascii_strtoll (cache, NULL, 10);
  self->bulk = TRUE;
  sql = g_strdup_printf ("PRAGMA cache_size = -%d", CL_STORE_BULK_CACHE_KIB);
  if (!cl_sql_exec (db, sql, error))
    {
      cl_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_commit (ClStore  *self,
                 GError  **error)
{
  return cl_store_unlock (self, CL_STORE_UNLOCK_COMMIT, error);
}

void
cl_store_rollback (ClStore *self)
{
  cl_store_unlock (self, CL_STORE_UNLOCK_ROLLBACK, NULL);
}

/* Sync state ----------------------------------------------------------------------- */

/* Under the store's lock, taken here (it nests in the caller's). */
char *
_cl_store_meta_get (ClStore     *self,
                    const char  *key,
                    GError     **error)
{
  char *value;

  if (!cl_store_lock (self, CL_STORE_READ, error))
    return NULL;
  value = cl_sql_cache_query_text (_cl_store_stmts (self), error, "SELECT value FROM meta WHERE key = ?",
                                   key, CL_SQL_END);
  cl_store_unlock (self, CL_STORE_UNLOCK_NONE, NULL);
  return value;
}

gint64
_cl_store_meta_get_int (ClStore    *self,
                        const char *key)
{
  g_autofree char *value = _cl_store_meta_get (self, key, NULL);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

gboolean
_cl_store_meta_set (ClStore     *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  gboolean ok;

  if (!cl_store_lock (self, CL_STORE_WRITE, error))
    return FALSE;
  ok = cl_sql_cache_exec (_cl_store_stmts (self), error,
                          "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", key, value,
                          CL_SQL_END) &&
       cl_sql_cache_exec (_cl_store_stmts (self), error, "UPDATE meta SET value = ? WHERE key = ?",
                          value, key, CL_SQL_END);
  if (ok)
    return cl_store_unlock (self, CL_STORE_UNLOCK_COMMIT, error);
  cl_store_unlock (self, CL_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/**
 * cl_store_get_sync_state:
 * @state: (out caller-allocates): the counters, read together under the store's lock
 *
 * Where sync stands, as committed: never a transaction another thread has open.
 */
gboolean
cl_store_get_sync_state (ClStore           *self,
                         ClStoreSyncState  *state,
                         GError           **error)
{
  g_autofree char *token = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);

  memset (state, 0, sizeof *state);
  if (!cl_store_lock (self, CL_STORE_READ, error))
    return FALSE;
  state->cursor = _cl_store_meta_get_int (self, "sync_cursor");
  state->next_seq = _cl_store_meta_get_int (self, "next_seq");
  state->acked_seq = _cl_store_meta_get_int (self, "sync_acked_seq");
  token = _cl_store_meta_get (self, "sync_token", NULL);
  state->signed_in = token != NULL && *token != '\0';
  cl_store_unlock (self, CL_STORE_UNLOCK_NONE, NULL);
  return TRUE;
}

/* Rows ----------------------------------------------------------------------------- */

static char *
select_sql (const ClType *type,
            const char   *where)
{
  GString *sql = g_string_new ("SELECT " CL_RECORD_COLUMNS);

  for (guint i = 0; i < type->n_fields; i++)
    g_string_append_printf (sql, ", %s", type->fields[i].name);
  g_string_append_printf (sql, " FROM %s", type->table);
  if (where != NULL)
    g_string_append_printf (sql, " WHERE %s", where);
  return g_string_free (sql, FALSE);
}

char *
_cl_store_column_dup (sqlite3_stmt *stmt,
                      int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);
  return text != NULL ? g_strdup (text) : NULL;
}

static ClRecord *
record_from_row (const ClType *type,
                 sqlite3_stmt *stmt)
{
  ClRecord *record = cl_record_new (type, (const char *) sqlite3_column_text (stmt, 0));
  const guint base = 7;

  _cl_record_set_meta (record,
                       sqlite3_column_int64 (stmt, 1),
                       sqlite3_column_int (stmt, 6) != 0,
                       (const char *) sqlite3_column_text (stmt, 2),
                       (const char *) sqlite3_column_text (stmt, 3),
                       (const char *) sqlite3_column_text (stmt, 4),
                       (const char *) sqlite3_column_text (stmt, 5));
  for (guint i = 0; i < type->n_fields; i++)
    _cl_record_take (record, type->fields[i].name, _cl_store_column_dup (stmt, base + i));
  return record;
}

static const ClType *
lookup_type (const char  *name,
             GError     **error)
{
  const ClType *type = cl_schema_lookup_type (name);

  if (type == NULL)
    g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                 _("There is no record type “%s” (see caseloadctl schema)"), name);
  return type;
}

static ClRecord *
load (ClStore       *self,
      const ClType  *type,
      const char    *id,
      gboolean       with_deleted,
      GError       **error)
{
  sqlite3 *db = _cl_store_open_db (self, error);
  ClRecord *record = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (db == NULL || (stmt = cl_sql_cache_prepare (_cl_store_stmts (self), type_sql (type)->select,
                                                  error)) == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && (with_deleted || sqlite3_column_int (stmt, 6) == 0))
    record = record_from_row (type, stmt);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    cl_sql_set_error (error, db, rc);
  else
    g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                 _("There is no %s with id %s"), type->name, id);
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return record;
}

/* Derived columns and search documents --------------------------------------------- */

static const char derive_case_sql[] =
  "UPDATE cases SET "
  "first_attempt_at = (SELECT min(at) FROM contact WHERE case_id = ?1 AND deleted = 0), "
  "first_contact_at = (SELECT min(at) FROM contact WHERE case_id = ?1 AND deleted = 0 "
  "                    AND outcome IN ('reached', 'meeting_scheduled')), "
  "last_activity_at = (SELECT max(x) FROM ("
  "   SELECT max(at) AS x FROM contact WHERE case_id = ?1 AND deleted = 0"
  "   UNION ALL SELECT max(date) FROM service WHERE case_id = ?1 AND deleted = 0"
  "   UNION ALL SELECT max(at) FROM note WHERE case_id = ?1 AND deleted = 0"
  "   UNION ALL SELECT referral_received_at FROM cases WHERE id = ?1)), "
  "next_due_on = (SELECT min(due) FROM task WHERE case_id = ?1 AND deleted = 0 "
  "               AND coalesce(done, 0) = 0) "
  "WHERE id = ?1";

static const char search_delete_sql[] =
  "DELETE FROM case_search WHERE docid = (SELECT rowid FROM cases WHERE id = ?1)";

static const char search_insert_sql[] =
  "INSERT INTO case_search (docid, body) " CL_CASE_SEARCH_DOCUMENTS_SQL " AND c.id = ?1";

static const char deadline_sql[] =
  "UPDATE compensation SET filing_deadline = CASE WHEN crime_date IS NULL THEN NULL ELSE "
  "date(crime_date, '+' || coalesce((SELECT value FROM meta "
  "     WHERE key = 'compensation_deadline_days'), '365') || ' days') END WHERE id = ?1";

/* The fields derive_case_sql and deadline_sql read (keep them in step); the search
 * documents read the fields flagged CL_FIELD_SEARCH. */
static const struct {
  const char *type;
  const char *field;
} derived_inputs[] = {
  { "case", "referral_received_at" },
  { "contact", "at" },
  { "contact", "outcome" },
  { "service", "date" },
  { "note", "at" },
  { "task", "due" },
  { "task", "done" },
  { "compensation", "crime_date" },
};

/* Whether changing @field can change a derived column, a deadline or a search document.
 * Most edits change none of them, and rewriting a case's search document costs more than
 * the rest of the edit. */
static gboolean
feeds_dependents (const ClType  *type,
                  const ClField *field)
{
  if (field->flags & CL_FIELD_SEARCH)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (derived_inputs); i++)
    if (strcmp (derived_inputs[i].type, type->name) == 0 &&
        strcmp (derived_inputs[i].field, field->name) == 0)
      return TRUE;
  return FALSE;
}

/* What a case needs refreshed. */
typedef enum {
  REFRESH_DERIVED = 1 << 0,   /* derive_case_sql */
  REFRESH_SEARCH  = 1 << 1,   /* its search document */
} Refresh;

/* Notes that the case's derived columns or search document are due. They are computed
 * once per case, from the final rows, when the transaction commits (or earlier, when
 * something reads inside it: flush_for_read()): a new case with a dozen records rewrote
 * its search document a dozen times. */
static void
refresh_case (ClStore    *self,
              const char *case_id,
              Refresh     what)
{
  gpointer old;

  if (case_id == NULL || what == 0)
    return;
  if (g_hash_table_lookup_extended (self->refresh, case_id, NULL, &old))
    {
      if ((GPOINTER_TO_UINT (old) | what) != GPOINTER_TO_UINT (old))
        g_hash_table_insert (self->refresh, g_strdup (case_id),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (old) | what));
    }
  else
    g_hash_table_insert (self->refresh, g_strdup (case_id), GUINT_TO_POINTER (what));
}

gboolean
_cl_store_type_is (const ClType *type,
                   const char   *name)
{
  return strcmp (type->name, name) == 0;
}

/* The ids of the client's live cases, or %NULL on error. */
static GPtrArray *
client_cases (ClStore     *self,
              const char  *client_id,
              GError     **error)
{
  sqlite3_stmt *stmt =
    cl_sql_cache_prepare (_cl_store_stmts (self),
                          "SELECT id FROM cases WHERE client_id = ? AND deleted = 0", error);
  GPtrArray *ids;

  if (stmt == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  cl_sql_bind_text (stmt, 1, client_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, _cl_store_column_dup (stmt, 0));
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return ids;
}

typedef struct {
  const char *id;     /* the key in self->refresh */
  gint64      rowid;
  Refresh     what;
} PendingCase;

static int
compare_rowid (gconstpointer a,
               gconstpointer b)
{
  gint64 ra = ((const PendingCase *) a)->rowid, rb = ((const PendingCase *) b)->rowid;

  return ra < rb ? -1 : ra > rb;
}

/* Computes the derived columns and search documents noted since the transaction began
 * (refresh_case()), with the store's lock held and a transaction open. On error the
 * transaction must roll back: some of them may have been rewritten. */
static gboolean
flush_dependents (ClStore  *self,
                  GError  **error)
{
  ClSqlCache *stmts;
  g_autoptr(GArray) cases = NULL;
  sqlite3_stmt *stmt;
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (self->refresh) == 0 && g_hash_table_size (self->refresh_clients) == 0)
    return TRUE;
  stmts = _cl_store_stmts (self);

  /* A client's cases are looked up once, whatever number of its records changed. */
  g_hash_table_iter_init (&iter, self->refresh_clients);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(GPtrArray) ids = client_cases (self, key, error);

      if (ids == NULL)
        goto fail;
      for (guint i = 0; i < ids->len; i++)
        refresh_case (self, g_ptr_array_index (ids, i), REFRESH_SEARCH);
      g_hash_table_iter_remove (&iter);
    }

  /* In the order of the cases' rowids, which are their search documents' docids: FTS4
   * keeps the terms of ascending docids in memory until the commit, but writes them out
   * as a new segment (to be merged later) whenever a docid comes lower than the last. */
  cases = g_array_sized_new (FALSE, FALSE, sizeof (PendingCase), g_hash_table_size (self->refresh));
  if ((stmt = cl_sql_cache_prepare (stmts, "SELECT rowid FROM cases WHERE id = ?", error)) == NULL)
    goto fail;
  g_hash_table_iter_init (&iter, self->refresh);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PendingCase pending = { key, 0, GPOINTER_TO_UINT (value) };

      cl_sql_bind_text (stmt, 1, key);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        pending.rowid = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      g_array_append_val (cases, pending);
    }
  cl_sql_cache_release (stmts, stmt);
  g_array_sort (cases, compare_rowid);

  for (guint i = 0; i < cases->len; i++)
    {
      PendingCase *c = &g_array_index (cases, PendingCase, i);

      if ((c->what & REFRESH_DERIVED) &&
          !cl_sql_cache_exec (stmts, error, derive_case_sql, c->id, CL_SQL_END))
        goto fail;
      if ((c->what & REFRESH_SEARCH) &&
          (!cl_sql_cache_exec (stmts, error, search_delete_sql, c->id, CL_SQL_END) ||
           !cl_sql_cache_exec (stmts, error, search_insert_sql, c->id, CL_SQL_END)))
        goto fail;
      note_changed (self, "case", c->id);
    }
  g_hash_table_remove_all (self->refresh);
  return TRUE;

fail:
  g_hash_table_remove_all (self->refresh);
  g_hash_table_remove_all (self->refresh_clients);
  return FALSE;
}

/* Before a read inside the transaction open on this thread: whatever reads derived
 * columns or search documents (search, views, the case list, reports) sees them as they
 * will be committed. A failure dooms the transaction, as a failed write would. */
static gboolean
flush_for_read (ClStore  *self,
                GError  **error)
{
  if (self->depth == 0 || cl_vault_get_db (self->vault) == NULL)
    return TRUE;
  if (!flush_dependents (self, error))
    {
      self->failed = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* Keeps the derived columns and search documents that depend on @record right: notes
 * them, to be computed once per case before the transaction commits (flush_dependents()).
 * The compensation's deadline is its own column, written at once. */
gboolean
_cl_store_refresh_dependents (ClStore       *self,
                              const ClType  *type,
                              ClRecord      *record,
                              GError       **error)
{
  const char *id = cl_record_get_id (record);

  if (_cl_store_type_is (type, "client"))
    g_hash_table_add (self->refresh_clients, g_strdup (id));
  else if (_cl_store_type_is (type, "case"))
    refresh_case (self, id, REFRESH_DERIVED | REFRESH_SEARCH);

  if (_cl_store_type_is (type, "compensation") &&
      !cl_sql_cache_exec (_cl_store_stmts (self), error, deadline_sql, id, CL_SQL_END))
    return FALSE;

  if (type->parent != NULL && strcmp (type->parent, "case_id") == 0)
    {
      const char *case_id = cl_record_get (record, "case_id");
      gboolean derived = _cl_store_type_is (type, "contact") || _cl_store_type_is (type, "service") ||
                         _cl_store_type_is (type, "note") || _cl_store_type_is (type, "task");
      gboolean search = _cl_store_type_is (type, "referral") || _cl_store_type_is (type, "legal_matter") ||
                        _cl_store_type_is (type, "compensation");

      refresh_case (self, case_id, (derived ? REFRESH_DERIVED : 0) | (search ? REFRESH_SEARCH : 0));
    }
  /* Outside a transaction nothing would flush them later. */
  return self->depth > 0 || flush_dependents (self, error);
}

/* Outbox and history --------------------------------------------------------------- */

/* Validation ----------------------------------------------------------------------- */

static gboolean
check_reference (ClStore        *self,
                 const ClField  *field,
                 const char     *value,
                 GError        **error)
{
  const char *sql;
  g_autofree char *found = NULL;
  GError *local_error = NULL;

  if (value == NULL)
    return TRUE;
  if (field->kind == CL_FIELD_REF)
    sql = type_sql (cl_schema_lookup_type (field->target))->live;
  else if (field->kind == CL_FIELD_COMMAND)
    sql = "SELECT id FROM command WHERE code = ? AND deleted = 0";
  else
    return TRUE;

  found = cl_sql_cache_query_text (_cl_store_stmts (self), &local_error, sql, value, CL_SQL_END);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (found == NULL)
    {
      if (field->kind == CL_FIELD_COMMAND)
        g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                     _("“%s”: there is no command with code %s"), field->name, value);
      else
        g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                     _("“%s”: there is no %s with id %s"), field->name, field->target, value);
      return FALSE;
    }
  return TRUE;
}

static const ClField *
writable_field (const ClType  *type,
                const char    *name,
                GError       **error)
{
  const ClField *field = cl_type_lookup_field (type, name);

  if (field == NULL)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_FIELD,
                   _("A %s has no field “%s” (see caseloadctl schema %s)"),
                   type->name, name, type->name);
      return NULL;
    }
  if (field->flags & CL_FIELD_DERIVED)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_READ_ONLY,
                   _("“%s” is computed by Caseload and cannot be set"), name);
      return NULL;
    }
  return field;
}

/**
 * _cl_store_sequential_id:
 * @next: (inout): the first 32 bits of the id, advanced; start it anywhere (at random)
 *
 * An id for a record of a bulk write (demo data, an import) whose first 32 bits count up
 * from *@next; the rest is random, and it is a version 4 UUID like any other. Records
 * written in the order of such ids, and their children, history lines and mutations,
 * extend each index at its end, in pages the cache holds, where random ids put each
 * record in a different page of every index (at 100,000 cases the indexes are many times
 * the page cache). Case numbers, made of those 32 bits, do not repeat among them.
 */
char *
_cl_store_sequential_id (guint32 *next)
{
  g_autofree char *random = cl_uuid_new ();

  return g_strdup_printf ("%08x%s", (*next)++, random + 8);
}

/* The id of a new outbox mutation: _cl_store_sequential_id() from a counter of this
 * store's, so that the outbox's unique index of mutation ids grows at one place. */
char *
_cl_store_new_mutation_id (ClStore *self)
{
  return _cl_store_sequential_id (&self->next_mutation);
}

static char *
new_case_number (const char *id)
{
  g_autofree char *hex = g_strndup (id, 8);
  g_autofree char *up = g_ascii_strup (hex, -1);
  return g_strconcat ("CL-", up, NULL);
}

/* Writes --------------------------------------------------------------------------- */

static char *
create_in_txn (ClStore       *self,
               const ClType  *type,
               ClChanges     *values,
               GError       **error)
{
  g_autofree char *id = NULL;
  g_autofree char *now = cl_now_utc ();
  g_autoptr(ClRecord) record = NULL;
  const char *given_id = NULL;
  g_autoptr(GString) changes = _cl_outbox_changes_new ();
  g_autofree const char **row = g_new (const char *, type->n_fields);
  sqlite3_stmt *stmt;
  gboolean ok;

  /* An id may be given (imports keep the ids their references point at). */
  if (cl_changes_lookup (values, "id", &given_id) && given_id != NULL && *given_id != '\0')
    {
      g_autofree char *exists = NULL;

      if (!cl_is_uuid (given_id))
        {
          g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                       _("“id” must be a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e"));
          return NULL;
        }
      id = g_ascii_strdown (given_id, -1);
      exists = cl_sql_cache_query_text (_cl_store_stmts (self), NULL, type_sql (type)->exists, id,
                                        CL_SQL_END);
      if (exists != NULL)
        {
          g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                       _("A %s with id %s already exists"), type->name, id);
          return NULL;
        }
    }
  else
    id = cl_uuid_new ();
  record = cl_record_new (type, id);

  for (guint i = 0; i < cl_changes_get_n (values); i++)
    {
      const ClField *field;
      char *value;
      GError *local_error = NULL;

      if (strcmp (cl_changes_get_field (values, i), "id") == 0)
        continue;
      field = writable_field (type, cl_changes_get_field (values, i), error);
      if (field == NULL)
        return NULL;
      if (_cl_store_type_is (type, "case") && strcmp (field->name, "case_number") == 0)
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_READ_ONLY,
                       _("“case_number” is given by Caseload and cannot be set"));
          return NULL;
        }
      value = cl_field_normalize (field, cl_changes_get_value (values, i), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      _cl_record_take (record, field->name, value);
    }

  /* Defaults. */
  if (_cl_store_type_is (type, "case"))
    {
      if (cl_record_get (record, "status") == NULL)
        _cl_record_take (record, "status", g_strdup ("referred"));
      if (cl_record_get (record, "assigned_to") == NULL)
        _cl_record_take (record, "assigned_to", g_strdup (self->user));
      if (cl_record_get (record, "command") == NULL && self->command != NULL)
        _cl_record_take (record, "command", g_strdup (self->command));
      _cl_record_take (record, "case_number", new_case_number (id));
    }
  /* A service takes both its defaults: a count of one and the advocate logging it. */
  if (_cl_store_type_is (type, "service") && cl_record_get (record, "times") == NULL)
    _cl_record_take (record, "times", g_strdup ("1"));
  if ((_cl_store_type_is (type, "contact") || _cl_store_type_is (type, "service")) &&
      cl_record_get (record, "advocate") == NULL)
    _cl_record_take (record, "advocate", g_strdup (self->user));
  if (_cl_store_type_is (type, "note") && cl_record_get (record, "author") == NULL)
    _cl_record_take (record, "author", g_strdup (self->user));

  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *field = &type->fields[i];
      const char *value = cl_record_get (record, field->name);

      if ((field->flags & CL_FIELD_REQUIRED) && value == NULL)
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_REQUIRED,
                       _("A %s needs “%s”"), type->name, field->name);
          return NULL;
        }
      if (!check_reference (self, field, value, error))
        return NULL;
      row[i] = value;
      if (value != NULL && !(field->flags & CL_FIELD_DERIVED))
        _cl_outbox_changes_add (changes, field->name, NULL, value);
    }
  _cl_outbox_changes_close (changes);

  stmt = cl_sql_cache_prepare (_cl_store_stmts (self), type_sql (type)->insert, error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, id);
  cl_sql_bind_text (stmt, 2, now);
  cl_sql_bind_text (stmt, 3, self->user);
  cl_sql_bind_text (stmt, 4, now);
  cl_sql_bind_text (stmt, 5, self->user);
  for (guint i = 0; i < type->n_fields; i++)
    cl_sql_bind_text (stmt, 6 + i, row[i]);
  ok = cl_sql_step_done (stmt, error);
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  if (!ok)
    return NULL;

  if (!_cl_store_queue_mutation (self, type, id, "put", 0, changes->str, now, error) ||
      !_cl_store_add_history (self, type, record, "create", NULL, NULL, NULL, now, error) ||
      !_cl_store_refresh_dependents (self, type, record, error))
    return NULL;

  note_changed (self, type->name, id);
  return g_steal_pointer (&id);
}

/**
 * cl_store_create:
 * @type: a record type name ("client", "case", "contact", …)
 * @values: the fields to set
 *
 * Creates a record and queues its mutation in one transaction.
 *
 * Returns: (transfer full): the new record's id, or %NULL with @error set
 */
char *
cl_store_create (ClStore     *self,
                 const char  *type_name,
                 ClChanges   *values,
                 GError     **error)
{
  const ClType *type;
  char *id;
  int changes;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  g_return_val_if_fail (type_name != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  if ((type = lookup_type (type_name, error)) == NULL)
    return NULL;
  if (!op_begin (self, &changes, error))
    return NULL;
  id = create_in_txn (self, type, values, error);
  if (!op_end (self, changes, id != NULL, id != NULL ? error : NULL))
    g_clear_pointer (&id, g_free);
  return id;
}

static gboolean
update_in_txn (ClStore       *self,
               const ClType  *type,
               const char    *id,
               ClChanges     *values,
               GError       **error)
{
  g_autoptr(ClRecord) record = NULL;
  g_autoptr(GString) changes = _cl_outbox_changes_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autoptr(GPtrArray) new_values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  g_autofree char *now = cl_now_utc ();
  gboolean refresh = FALSE;
  gboolean ok;
  guint n;

  if (type->flags & CL_TYPE_APPEND_ONLY)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_APPEND_ONLY,
                   _("A %s is never changed once recorded; add a new one instead"),
                   type->name);
      return FALSE;
    }
  if ((record = load (self, type, id, FALSE, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < cl_changes_get_n (values); i++)
    {
      const ClField *field = writable_field (type, cl_changes_get_field (values, i), error);
      g_autofree char *value = NULL;
      GError *local_error = NULL;

      if (field == NULL)
        return FALSE;
      value = cl_field_normalize (field, cl_changes_get_value (values, i), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (g_strcmp0 (value, cl_record_get (record, field->name)) == 0)
        continue;
      if (field->flags & CL_FIELD_IMMUTABLE)
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_READ_ONLY,
                       _("“%s” is set when a %s is created and never changes"),
                       field->name, type->name);
          return FALSE;
        }
      if (value == NULL && (field->flags & CL_FIELD_REQUIRED))
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_REQUIRED,
                       _("A %s needs “%s”"), type->name, field->name);
          return FALSE;
        }
      if (!check_reference (self, field, value, error))
        return FALSE;
      refresh |= feeds_dependents (type, field);
      g_ptr_array_add (fields, (gpointer) field);
      g_ptr_array_add (new_values, g_steal_pointer (&value));
    }

  n = fields->len;
  if (n == 0)
    return TRUE;

  g_string_append_printf (sql, "UPDATE %s SET updated_at = ?, updated_by = ?", type->table);
  for (guint i = 0; i < n; i++)
    {
      const ClField *field = g_ptr_array_index (fields, i);

      g_string_append_printf (sql, ", %s = ?", field->name);
      _cl_outbox_changes_add (changes, field->name, cl_record_get (record, field->name),
                              g_ptr_array_index (new_values, i));
      if (!_cl_store_add_history (self, type, record, "update", field->name,
                        cl_record_get (record, field->name),
                        g_ptr_array_index (new_values, i), now, error))
        return FALSE;
    }
  _cl_outbox_changes_close (changes);
  g_string_append (sql, " WHERE id = ?");

  /* Cached by its text: edits of the same fields (the same form) share a statement. */
  if ((stmt = cl_sql_cache_prepare (_cl_store_stmts (self), sql->str, error)) == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, now);
  cl_sql_bind_text (stmt, 2, self->user);
  for (guint i = 0; i < n; i++)
    cl_sql_bind_text (stmt, 3 + i, g_ptr_array_index (new_values, i));
  cl_sql_bind_text (stmt, 3 + n, id);
  ok = cl_sql_step_done (stmt, error);
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  if (!ok)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const ClField *field = g_ptr_array_index (fields, i);
      _cl_record_take (record, field->name, g_strdup (g_ptr_array_index (new_values, i)));
    }

  if (!_cl_store_queue_mutation (self, type, id, "put", cl_record_get_version (record),
                                 changes->str, now, error) ||
      (refresh && !_cl_store_refresh_dependents (self, type, record, error)))
    return FALSE;

  note_changed (self, type->name, id);
  return TRUE;
}

/**
 * cl_store_update:
 *
 * Changes fields of a record. Fields whose value does not change are left out of the
 * mutation; an update that changes nothing queues nothing.
 */
gboolean
cl_store_update (ClStore     *self,
                 const char  *type_name,
                 const char  *id,
                 ClChanges   *values,
                 GError     **error)
{
  const ClType *type;
  gboolean ok;
  int changes;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (type_name != NULL && id != NULL && values != NULL, FALSE);

  if ((type = lookup_type (type_name, error)) == NULL)
    return FALSE;
  if (!op_begin (self, &changes, error))
    return FALSE;
  ok = update_in_txn (self, type, id, values, error);
  return op_end (self, changes, ok, ok ? error : NULL) && ok;
}

static gboolean
delete_in_txn (ClStore       *self,
               const ClType  *type,
               const char    *id,
               GError       **error)
{
  g_autoptr(ClRecord) record = NULL;
  g_autofree char *now = cl_now_utc ();

  if (type->flags & CL_TYPE_APPEND_ONLY)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_APPEND_ONLY,
                   _("A %s is never deleted once recorded"), type->name);
      return FALSE;
    }
  if ((record = load (self, type, id, FALSE, error)) == NULL)
    return FALSE;

  /* A client goes only once none of their cases is live (cl_store_delete_client()). */
  if (_cl_store_type_is (type, "client"))
    {
      GError *local_error = NULL;
      g_autofree char *live =
        cl_sql_cache_query_text (_cl_store_stmts (self), &local_error,
                                 "SELECT group_concat(n, ', ') FROM (SELECT CASE WHEN "
                                 CL_ACCESS_SQL_RESTRICTED ("c.restricted", "k.restricted")
                                 " THEN ? ELSE c.case_number END AS n FROM cases c "
                                 "JOIN client k ON k.id = c.client_id "
                                 "WHERE c.client_id = ? AND c.deleted = 0 ORDER BY n)",
                                 _("(restricted case)"), id, CL_SQL_END);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (live != NULL)
        {
          g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                       _("This client still has live cases (%s): delete them first, or "
                         "delete the client with their cases"), live);
          return FALSE;
        }
    }

  if (!cl_sql_cache_exec (_cl_store_stmts (self), error, type_sql (type)->tombstone, now, self->user, id,
                          CL_SQL_END) ||
      !_cl_store_queue_mutation (self, type, id, "delete", cl_record_get_version (record),
                                 "{}", now, error) ||
      !_cl_store_add_history (self, type, record, "delete", NULL, NULL, NULL, now, error))
    return FALSE;

  if (_cl_store_type_is (type, "case"))
    {
      if (!cl_sql_cache_exec (_cl_store_stmts (self), error, search_delete_sql, id, CL_SQL_END))
        return FALSE;
    }
  else if (!_cl_store_refresh_dependents (self, type, record, error))
    return FALSE;

  note_changed (self, type->name, id);
  return TRUE;
}

/**
 * cl_store_delete:
 *
 * Marks a record deleted (a tombstone that syncs); append-only records refuse.
 */
gboolean
cl_store_delete (ClStore     *self,
                 const char  *type_name,
                 const char  *id,
                 GError     **error)
{
  const ClType *type;
  gboolean ok;
  int changes;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (type_name != NULL && id != NULL, FALSE);

  if ((type = lookup_type (type_name, error)) == NULL)
    return FALSE;
  if (!op_begin (self, &changes, error))
    return FALSE;
  ok = delete_in_txn (self, type, id, error);
  return op_end (self, changes, ok, ok ? error : NULL) && ok;
}

/**
 * cl_store_delete_client:
 * @cascade: also delete the client's live cases (which takes their records out of every
 *   view and report); without it, a client with a live case is refused
 *
 * Deletes a client, in one transaction. The app asks for a confirmation naming the cases
 * before it passes @cascade.
 */
gboolean
cl_store_delete_client (ClStore     *self,
                        const char  *id,
                        gboolean     cascade,
                        GError     **error)
{
  g_autoptr(GPtrArray) cases = NULL;
  gboolean ok;
  int changes;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!op_begin (self, &changes, error))
    return FALSE;
  ok = !cascade || (cases = client_cases (self, id, error)) != NULL;
  for (guint i = 0; ok && cases != NULL && i < cases->len; i++)
    ok = delete_in_txn (self, cl_schema_lookup_type ("case"), g_ptr_array_index (cases, i),
                        error);
  ok = ok && delete_in_txn (self, cl_schema_lookup_type ("client"), id, error);
  return op_end (self, changes, ok, ok ? error : NULL) && ok;
}

/**
 * cl_store_audit:
 * @action: an audit_action code: view, edit, export, print, disclose, purge
 * @reason: (nullable): why, required when opening a restricted case
 *
 * Records an audit event. Audit events are records that sync like any other; they carry
 * no client data, only ids.
 */
gboolean
cl_store_audit (ClStore     *self,
                const char  *action,
                const char  *record_type,
                const char  *record_id,
                const char  *reason,
                GError     **error)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autofree char *now = cl_now_utc ();
  g_autofree char *id = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  cl_changes_set (values, "user", self->user);
  cl_changes_set (values, "at", now);
  cl_changes_set (values, "action", action);
  cl_changes_set (values, "record_type", record_type);
  cl_changes_set (values, "record_id", record_id);
  cl_changes_set (values, "reason", reason);
  id = cl_store_create (self, "audit", values, error);
  return id != NULL;
}

/* Reads ---------------------------------------------------------------------------- */

/* Takes the store's lock for reads; inside a transaction open on this thread, the
 * derived columns and search documents it has made due are computed first. */
void
_cl_store_read_lock (ClStore *self)
{
  lock_take (self);
  flush_for_read (self, NULL);
}

void
_cl_store_read_unlock (ClStore *self)
{
  lock_release (self);
}

static ClRecord *
store_get_unlocked (ClStore     *self,
                    const char  *type_name,
                    const char  *id,
                    GError     **error)
{
  const ClType *type;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  g_return_val_if_fail (type_name != NULL && id != NULL, NULL);

  if ((type = lookup_type (type_name, error)) == NULL)
    return NULL;
  return load (self, type, id, FALSE, error);
}

static char *
where_sql (const ClType  *type,
           ClChanges     *where,
           GPtrArray     *params,
           GError       **error)
{
  GString *sql = g_string_new ("deleted = 0");

  for (guint i = 0; where != NULL && i < cl_changes_get_n (where); i++)
    {
      const ClField *field = cl_type_lookup_field (type, cl_changes_get_field (where, i));
      GError *local_error = NULL;
      char *value;

      if (field == NULL)
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_FIELD,
                       _("A %s has no field “%s” (see caseloadctl schema %s)"),
                       type->name, cl_changes_get_field (where, i), type->name);
          g_string_free (sql, TRUE);
          return NULL;
        }
      value = cl_field_normalize (field, cl_changes_get_value (where, i), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          g_string_free (sql, TRUE);
          return NULL;
        }
      if (value == NULL)
        g_string_append_printf (sql, " AND %s IS NULL", field->name);
      else
        {
          g_string_append_printf (sql, " AND %s = ?", field->name);
          g_ptr_array_add (params, value);
        }
    }
  return g_string_free (sql, FALSE);
}

static GPtrArray *
store_list_unlocked (ClStore     *self,
                     const char  *type_name,
                     ClChanges   *where,
                     guint        limit,
                     guint        offset,
                     GError     **error)
{
  const ClType *type;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = NULL;
  sqlite3_stmt *stmt;
  g_autofree char *where_text = NULL;
  g_autofree char *base = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);

  if ((type = lookup_type (type_name, error)) == NULL || (db = _cl_store_open_db (self, error)) == NULL)
    return NULL;
  if ((where_text = where_sql (type, where, params, error)) == NULL)
    return NULL;
  base = select_sql (type, where_text);
  sql = g_strconcat (base, " ORDER BY rowid LIMIT ? OFFSET ?", NULL);
  if ((stmt = cl_sql_cache_prepare (_cl_store_stmts (self), sql, error)) == NULL)
    return NULL;
  for (guint i = 0; i < params->len; i++)
    cl_sql_bind_text (stmt, i + 1, g_ptr_array_index (params, i));
  sqlite3_bind_int (stmt, params->len + 1, limit == 0 ? -1 : (int) limit);
  sqlite3_bind_int64 (stmt, params->len + 2, offset);

  records = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, record_from_row (type, stmt));
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      g_clear_pointer (&records, g_ptr_array_unref);
    }
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return g_steal_pointer (&records);
}

static gint64
store_count_unlocked (ClStore     *self,
                      const char  *type_name,
                      ClChanges   *where,
                      GError     **error)
{
  const ClType *type;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  g_autofree char *where_text = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;
  gint64 n = -1;

  g_return_val_if_fail (CL_IS_STORE (self), -1);

  if ((type = lookup_type (type_name, error)) == NULL || (db = _cl_store_open_db (self, error)) == NULL)
    return -1;
  if ((where_text = where_sql (type, where, params, error)) == NULL)
    return -1;
  sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s", type->table, where_text);
  if ((stmt = cl_sql_cache_prepare (_cl_store_stmts (self), sql, error)) == NULL)
    return -1;
  for (guint i = 0; i < params->len; i++)
    cl_sql_bind_text (stmt, i + 1, g_ptr_array_index (params, i));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    cl_sql_set_error (error, db, sqlite3_errcode (db));
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return n;
}

/**
 * cl_store_list_children:
 * @parent_id: the id of a case or a client
 *
 * Returns: (transfer full) (element-type ClRecord): the records of @type that hang off
 *   @parent_id
 */
GPtrArray *
cl_store_list_children (ClStore     *self,
                        const char  *type_name,
                        const char  *parent_id,
                        GError     **error)
{
  const ClType *type;
  g_autoptr(ClChanges) where = cl_changes_new ();

  g_return_val_if_fail (CL_IS_STORE (self), NULL);

  if ((type = lookup_type (type_name, error)) == NULL)
    return NULL;
  if (type->parent == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("A %s does not belong to a case or a client"), type->name);
      return NULL;
    }
  cl_changes_set (where, type->parent, parent_id);
  return cl_store_list (self, type_name, where, 0, 0, error);
}

ClRecord *
cl_store_get (ClStore     *self,
              const char  *type_name,
              const char  *id,
              GError     **error)
{
  ClRecord *record;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  _cl_store_read_lock (self);
  record = store_get_unlocked (self, type_name, id, error);
  _cl_store_read_unlock (self);
  return record;
}

/**
 * cl_store_list:
 * @where: (nullable): fields that must equal the given values
 * @limit: at most this many records, 0 for all
 *
 * Returns: (transfer full) (element-type ClRecord): records in creation order
 */
GPtrArray *
cl_store_list (ClStore     *self,
               const char  *type_name,
               ClChanges   *where,
               guint        limit,
               guint        offset,
               GError     **error)
{
  GPtrArray *records;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  _cl_store_read_lock (self);
  records = store_list_unlocked (self, type_name, where, limit, offset, error);
  _cl_store_read_unlock (self);
  return records;
}

gint64
cl_store_count (ClStore     *self,
                const char  *type_name,
                ClChanges   *where,
                GError     **error)
{
  gint64 n;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  _cl_store_read_lock (self);
  n = store_count_unlocked (self, type_name, where, error);
  _cl_store_read_unlock (self);
  return n;
}

/**
 * cl_store_count_open_tasks:
 *
 * Returns: how many tasks of the case are not done (not deleted), or -1 on error
 */
gint64
cl_store_count_open_tasks (ClStore     *self,
                           const char  *case_id,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  sqlite3 *db;
  gint64 n = -1;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  g_return_val_if_fail (case_id != NULL, -1);

  _cl_store_read_lock (self);
  if ((db = _cl_store_open_db (self, error)) != NULL &&
      (stmt = cl_sql_cache_prepare (_cl_store_stmts (self), "SELECT count(*) FROM task WHERE case_id = ? "
                                    "AND deleted = 0 AND coalesce(done, 0) = 0", error)) != NULL)
    {
      cl_sql_bind_text (stmt, 1, case_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n = sqlite3_column_int64 (stmt, 0);
      else
        cl_sql_set_error (error, db, sqlite3_errcode (db));
      cl_sql_cache_release (_cl_store_stmts (self), stmt);
    }
  _cl_store_read_unlock (self);
  return n;
}

/* Object --------------------------------------------------------------------------- */

static void
cl_store_constructed (GObject *object)
{
  ClStore *self = (ClStore *) object;

  G_OBJECT_CLASS (cl_store_parent_class)->constructed (object);

  self->locked_id = g_signal_connect_swapped (self->vault, "notify::locked",
                                              G_CALLBACK (vault_locked_cb), self);
}

static void
cl_store_finalize (GObject *object)
{
  ClStore *self = (ClStore *) object;

  g_clear_signal_handler (&self->locked_id, self->vault);
  lock_take (self);
  g_clear_pointer (&self->stmts, cl_sql_cache_free);
  lock_release (self);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->command, g_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  g_clear_pointer (&self->refresh_clients, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cl_store_parent_class)->finalize (object);
}

static void
cl_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  ClStore *self = CL_STORE (object);

  switch (prop_id)
    {
    case PROP_VAULT:
      g_value_set_object (value, self->vault);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  ClStore *self = CL_STORE (object);

  switch (prop_id)
    {
    case PROP_VAULT:
      self->vault = g_value_dup_object (value);
      break;
    case PROP_USER:
      self->user = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_store_class_init (ClStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cl_store_constructed;
  object_class->finalize = cl_store_finalize;
  object_class->get_property = cl_store_get_property;
  object_class->set_property = cl_store_set_property;

  properties[PROP_VAULT] =
    g_param_spec_object ("vault", NULL, NULL, CL_TYPE_VAULT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ClStore::changed:
   * @type: the record type
   * @id: the record id
   *
   * A record was created, changed or deleted. Emitted after the transaction committed,
   * on the thread that created the store.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
cl_store_init (ClStore *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refresh_clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->next_mutation = g_random_int ();
  self->owner = g_thread_self ();
  self->context = g_main_context_ref_thread_default ();
}

/**
 * cl_store_new:
 * @vault: an unlocked vault
 * @user: the staff user name written into created_by, history and audit
 */
ClStore *
cl_store_new (ClVault    *vault,
              const char *user)
{
  g_return_val_if_fail (CL_IS_VAULT (vault), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  return g_object_new (CL_TYPE_STORE, "vault", vault, "user", user, NULL);
}

ClVault *
cl_store_get_vault (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  return self->vault;
}

const char *
cl_store_get_user (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  return self->user;
}

char *
cl_store_dup_device_id (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  return _cl_store_meta_get (self, "device_id", NULL);
}

const char *
cl_store_get_command (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  return self->command;
}

/**
 * cl_store_set_command:
 * @command: (nullable): the user's default command code
 *
 * The command new cases default to and the "my command" view shows.
 */
void
cl_store_set_command (ClStore    *self,
                      const char *command)
{
  g_return_if_fail (CL_IS_STORE (self));
  g_free (self->command);
  self->command = command != NULL && *command != '\0' ? g_ascii_strup (command, -1) : NULL;
}
