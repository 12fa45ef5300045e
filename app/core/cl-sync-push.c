/* cl-sync-push.c: pushing the outbox, and healing a server or a vault that went back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the sync engine (cl-sync.c).
 */

#define G_LOG_DOMAIN "cl-sync"

/* A vault switches to incremental vacuuming once a push has freed at least this many pages
 * (of 1 KiB) and an eighth of its file. */

#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cl-report.h"
#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-sync.h"
#include "cl-wire.h"
#include "cl-sync-private.h"

/* Push ----------------------------------------------------------------------------- */

static ClWireMutation *
mutation_from_row (sqlite3_stmt  *stmt,
                   GError       **error)
{
  g_autoptr(ClWireMutation) m = cl_wire_mutation_new ();
  g_autoptr(GPtrArray) changes = NULL;

  m->seq = sqlite3_column_int64 (stmt, 0);
  m->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  m->type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  m->record = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  m->op = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "delete") == 0
          ? CL_WIRE_OP_DELETE : CL_WIRE_OP_PUT;
  m->base_version = sqlite3_column_int64 (stmt, 5);
  m->at = g_strdup ((const char *) sqlite3_column_text (stmt, 7));

  changes = _cl_outbox_changes_parse ((const char *) sqlite3_column_text (stmt, 6), error);
  if (changes == NULL)
    return NULL;
  for (guint i = 0; i < changes->len; i++)
    {
      ClOutboxChange *c = g_ptr_array_index (changes, i);
      cl_wire_mutation_add_change (m, c->field, c->old_value, c->new_value);
    }
  return g_steal_pointer (&m);
}

/* Reads the next batch: up to @max mutations with consecutive seqs, oldest first, exactly
 * as they were queued (the server tells a replay from a different mutation by its bytes),
 * and no more than PUSH_BUDGET bytes of changes unless one mutation alone is larger. */
static ClWirePushRequest *
read_batch_locked (ClSync      *self,
                   const char  *device_id,
                   guint        max,
                   GError     **error)
{
  g_autoptr(ClWirePushRequest) req = cl_wire_push_request_new (device_id);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 previous = -1;
  gsize bytes = 0;

  stmt = cl_sql_prepare (_cl_sync_db_of (self),
                         "SELECT seq, mutation_id, record_type, record_id, op, base_version, "
                         "changes, created_at FROM outbox ORDER BY seq LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, max);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      ClWireMutation *m;
      /* The changes and an envelope (seq, ids, type, times) of a few hundred bytes. */
      gsize size = (gsize) sqlite3_column_bytes (stmt, 6) + 512;

      if (previous >= 0 && sqlite3_column_int64 (stmt, 0) != previous + 1)
        break;
      if (req->mutations->len > 0 && bytes + size > PUSH_BUDGET)
        break;
      bytes += size;
      previous = sqlite3_column_int64 (stmt, 0);
      m = mutation_from_row (stmt, error);
      if (m == NULL)
        return NULL;
      g_ptr_array_add (req->mutations, m);
    }
  return g_steal_pointer (&req);
}

/* Under the store's lock: a batch holds only committed mutations, so no seq is sent that a
 * rollback could take back and give to another change. */
static ClWirePushRequest *
read_batch (ClSync      *self,
            const char  *device_id,
            guint        max,
            GError     **error)
{
  ClWirePushRequest *req;

  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return NULL;
  req = read_batch_locked (self, device_id, max, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return req;
}

/* Whether a mutation still in the outbox after @after_seq changes @field of @record_id (or
 * deletes the record). */
gboolean
_cl_sync_outbox_changes_field (ClSync     *self,
                               const char *record_id,
                               const char *field,
                               gint64      after_seq)
{
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (_cl_sync_db_of (self),
                                                 "SELECT op, changes FROM outbox WHERE "
                                                 "record_id = ? AND seq > ?", NULL);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, record_id);
  sqlite3_bind_int64 (stmt, 2, after_seq);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "delete") == 0 ||
        _cl_outbox_changes_has ((const char *) sqlite3_column_text (stmt, 1), field))
      return TRUE;
  return FALSE;
}

/* Whether a later mutation still in the outbox changes @field of @record_id (or deletes
 * the record), or a resolution not yet told to the server sets it. */
gboolean
_cl_sync_field_pending (ClSync     *self,
                        const char *record_id,
                        const char *field,
                        gint64      after_seq)
{
  g_autofree char *resolution = NULL;

  if (_cl_sync_outbox_changes_field (self, record_id, field, after_seq))
    return TRUE;
  resolution = cl_sql_query_text (_cl_sync_db_of (self), NULL,
                                  "SELECT id FROM conflict WHERE record_id = ? AND field = ? "
                                  "AND resolved_at IS NOT NULL AND uploaded = 0 AND "
                                  "resolution <> 'theirs' LIMIT 1",
                                  record_id, field, CL_SQL_END);
  return resolution != NULL;
}

/* The server kept its value: so does this device, unless a later local edit is pending. */
static gboolean
take_server_value (ClSync               *self,
                   const ClType         *type,
                   const ClWireMutation *m,
                   const ClWireConflict *c,
                   GError              **error)
{
  g_autofree char *sql = NULL;

  if (strcmp (c->field, "_deleted") == 0)
    {
      /* This device's delete lost against an edit: the record lives on. */
      if (_cl_sync_field_pending (self, m->record, "_deleted", m->seq))
        return TRUE;
      sql = g_strdup_printf ("UPDATE %s SET deleted = 0 WHERE id = ?", type->table);
      return cl_sql_exec_params (_cl_sync_db_of (self), error, sql, m->record, CL_SQL_END);
    }
  if (cl_type_lookup_field (type, c->field) == NULL ||
      _cl_sync_field_pending (self, m->record, c->field, m->seq))
    return TRUE;
  sql = g_strdup_printf ("UPDATE %s SET %s = ? WHERE id = ?", type->table, c->field);
  return cl_sql_exec_params (_cl_sync_db_of (self), error, sql, c->server_value, m->record, CL_SQL_END);
}

static gboolean
store_conflicts (ClSync               *self,
                 const ClType         *type,
                 const ClWireMutation *m,
                 const ClWireResult   *r,
                 GError              **error)
{
  g_autofree char *now = cl_now_utc ();
  g_autofree char *username = _cl_sync_meta_get (self, "sync_username");

  for (guint i = 0; r->conflicts != NULL && i < r->conflicts->len; i++)
    {
      ClWireConflict *c = g_ptr_array_index (r->conflicts, i);
      g_autofree char *sv = g_strdup_printf ("%" G_GINT64_FORMAT, r->version);

      if (!cl_sql_exec_params (_cl_sync_db_of (self), error,
                               "INSERT OR IGNORE INTO conflict (id, record_type, record_id, field, "
                               "local_value, server_value, server_version, local_by, local_at, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               c->conflict_id, m->type, m->record, c->field, c->client_value,
                               c->server_value, sv, username, m->at, now, CL_SQL_END) ||
          !take_server_value (self, type, m, c, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_push_response (ClSync                   *self,
                     ClWirePushRequest        *req,
                     const ClWirePushResponse *resp,
                     ClSyncReport             *report,
                     GError                  **error)
{
  sqlite3 *db;
  gint64 acked = _cl_sync_meta_get_int (self, "sync_acked_seq");
  g_autofree char *now = cl_now_utc ();
  g_autoptr(GDateTime) utc = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) keep = g_date_time_add_days (utc, -KEEP_SENT_DAYS);
  g_autofree char *horizon = g_date_time_format (keep, "%Y-%m-%dT%H:%M:%SZ");

  /* All of the batch, or its first mutations when the server's work for one request ran
   * out (the rest goes in the next batch). */
  if (resp->results->len == 0 || resp->results->len > req->mutations->len)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   ngettext ("The server answered for %u changes out of %u sent.",
                             "The server answered for %u changes out of %u sent.",
                             req->mutations->len),
                   resp->results->len, req->mutations->len);
      return FALSE;
    }
  if (resp->last_seq < acked)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server's answer would move this workstation back in time; it was "
                     "refused and nothing was changed."));
      return FALSE;
    }

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = _cl_sync_db_of (self);

  for (guint i = 0; i < resp->results->len; i++)
    {
      const ClWireResult *r = g_ptr_array_index (resp->results, i);
      const ClWireMutation *m = g_ptr_array_index (req->mutations, i);
      const ClType *type = cl_schema_lookup_type (m->type);
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, m->seq);

      if (r->seq != m->seq || g_strcmp0 (m->id, r->id) != 0 || type == NULL ||
          r->seq > resp->last_seq)
        {
          cl_store_rollback (self->store);
          g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                       _("The server answered for a change that was not sent."));
          return FALSE;
        }

      if (r->status == CL_WIRE_STATUS_REJECTED)
        {
          g_autofree char *changes = cl_sql_query_text (db, NULL, "SELECT changes FROM outbox "
                                                        "WHERE seq = ?", seq, CL_SQL_END);
          if (!cl_sql_exec_params (db, error,
                                   "INSERT OR IGNORE INTO rejected (mutation_id, seq, record_type, "
                                   "record_id, op, changes, code, reason, at) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   m->id, seq, m->type, m->record,
                                   m->op == CL_WIRE_OP_DELETE ? "delete" : "put",
                                   changes != NULL ? changes : "{}",
                                   r->code != NULL ? r->code : "rejected", r->message, m->at,
                                   CL_SQL_END))
            goto fail;
          report->rejected++;
          _cl_store_emit_changed (self->store, m->type, m->record);
        }
      else if (r->status == CL_WIRE_STATUS_CONFLICT)
        {
          if (!store_conflicts (self, type, m, r, error))
            goto fail;
          report->conflicts += MAX (1, r->conflicts != NULL ? r->conflicts->len : 0);
          _cl_store_emit_changed (self->store, m->type, m->record);
        }

      report->pushed++;
    }

  /* Every answered mutation moves to `sent` (its seqs are consecutive: read_batch()). */
  if (!_cl_outbox_move_to_sent (db, ((ClWireMutation *) g_ptr_array_index (req->mutations, 0))->seq,
                                ((ClWireMutation *) g_ptr_array_index (req->mutations,
                                                                       resp->results->len - 1))->seq,
                                now, error))
    goto fail;

  if (!_cl_sync_meta_set_int (self, "sync_acked_seq", MAX (acked, resp->last_seq), error) ||
      !cl_sql_exec_params (db, error, "DELETE FROM sent WHERE acked_at < ?", horizon,
                           CL_SQL_END))
    goto fail;
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

void
_cl_sync_note_revoked (ClSyncReport *report,
                       const char   *code,
                       const char   *mode)
{
  if (g_strcmp0 (code, "device_revoked") != 0)
    return;
  g_free (report->revoked);
  report->revoked = g_strdup (g_strcmp0 (mode, "retire") == 0 ? "retire" : "lost");
}

/* Gives the outbox rows from @from on (and rows re-queued from `sent`, which have negative
 * seqs and come first, oldest first) consecutive seqs from @first, in their order, and sets
 * the counter after the last. Inside a transaction. Returns the number of rows renumbered. */
static gint64
renumber_outbox (ClSync   *self,
                 gint64    from,
                 gint64    first,
                 GError  **error)
{
  /* Above any seq a device reaches, so temporary numbers never meet real ones. */
  const gint64 temp = G_GINT64_CONSTANT (1000000000000000);
  sqlite3 *db = _cl_sync_db_of (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *next = NULL;
  g_autofree char *shift = NULL;

  stmt = cl_sql_prepare (db, "SELECT seq FROM outbox WHERE seq < 0 OR seq >= ? "
                         "ORDER BY seq >= 0, abs(seq)", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, from);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (seqs, seq);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < seqs->len; i++)
    {
      g_autofree char *old_seq = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                  g_array_index (seqs, gint64, i));
      g_autofree char *tmp = g_strdup_printf ("%" G_GINT64_FORMAT, -(temp + i));

      if (!cl_sql_exec_params (db, error, "UPDATE outbox SET seq = ? WHERE seq = ?", tmp,
                               old_seq, CL_SQL_END))
        return -1;
    }
  shift = g_strdup_printf ("%" G_GINT64_FORMAT, first - temp);
  next = g_strdup_printf ("%" G_GINT64_FORMAT, first + (gint64) seqs->len);
  if (!cl_sql_exec_params (db, error, "UPDATE outbox SET seq = -seq + ? WHERE seq < 0", shift,
                           CL_SQL_END) ||
      !cl_sql_exec_params (db, error, "UPDATE meta SET value = ? WHERE key = 'next_seq'", next,
                           CL_SQL_END))
    return -1;
  return seqs->len;
}

/* The server's database went back (restored from a dump): it has recorded this device's
 * mutations only up to @last_seq, below what it had acknowledged. Those it lost are sent
 * again from `sent`, before what is still queued, all under fresh seqs from @last_seq + 1.
 * Their base versions stay: the server's clock never gives out a version twice, even
 * across a restore, so a field changed since is still a conflict. Acknowledged mutations
 * older than KEEP_SENT_DAYS are gone: report->lost says how many. */
gboolean
_cl_sync_heal_server_behind (ClSync        *self,
                             gint64         last_seq,
                             ClSyncReport  *report,
                             GError       **error)
{
  sqlite3 *db;
  gint64 acked = _cl_sync_meta_get_int (self, "sync_acked_seq");
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);
  g_autofree char *kept = NULL;
  gint64 requeued;

  if (!cl_store_begin (self->store, error))
    return FALSE;
  db = _cl_sync_db_of (self);
  kept = cl_sql_query_text (db, error, "SELECT count(*) FROM sent WHERE seq > ?", from,
                            CL_SQL_END);
  if (kept == NULL ||
      !_cl_outbox_requeue_sent (db, last_seq, error) ||
      renumber_outbox (self, 0, last_seq + 1, error) < 0 ||
      !_cl_sync_meta_set_int (self, "sync_acked_seq", last_seq, error))
    goto fail;
  requeued = g_ascii_strtoll (kept, NULL, 10);
  report->resent += requeued;
  if (acked - last_seq > requeued)
    report->lost += acked - last_seq - requeued;
  return cl_store_commit (self->store, error);

fail:
  cl_store_rollback (self->store);
  return FALSE;
}

/* An empty push: where the server stands with this device (its last recorded seq). */
static gboolean
server_last_seq (ClSync        *self,
                 Conn          *conn,
                 const char    *device,
                 gint64        *last_seq,
                 ClSyncReport  *report,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(ClWirePushRequest) req = cl_wire_push_request_new (device);
  g_autoptr(ClWirePushResponse) resp = NULL;
  g_autofree char *body = NULL;
  g_autofree char *code = NULL;
  g_autofree char *mode = NULL;
  g_auto(Reply) reply = { 0 };
  const char *data;
  gsize len;

  body = cl_wire_push_request_encode (req, &len);
  if (!_cl_sync_http_send (conn, "POST", "/v1/push", body, len, &reply, cancellable, error))
    return FALSE;
  if (reply.status != 200)
    {
      _cl_sync_reply_error (conn, &reply, &code, &mode, NULL, error);
      _cl_sync_note_revoked (report, code, mode);
      return FALSE;
    }
  data = g_bytes_get_data (reply.body, &len);
  if ((resp = cl_wire_push_response_decode (data, len, error)) == NULL)
    return FALSE;
  *last_seq = resp->last_seq;
  return TRUE;
}

/* This vault went back (restored from its own backup): change numbers from @reused on were
 * used before for other mutations, which the server holds. What is queued from there on
 * moves after the server's last seq; what came before it is the same mutation the server
 * already has, and gets its stored answer. */
static gboolean
heal_vault_behind (ClSync        *self,
                   Conn          *conn,
                   const char    *device,
                   gint64         reused,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 last_seq = 0;
  gint64 moved;

  if (!server_last_seq (self, conn, device, &last_seq, report, cancellable, error))
    return FALSE;
  if (last_seq < reused)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server refused change number %lld as used, but says it recorded "
                     "changes only up to %lld."), (long long) reused, (long long) last_seq);
      return FALSE;
    }
  if (!cl_store_begin (self->store, error))
    return FALSE;
  if ((moved = renumber_outbox (self, reused, last_seq + 1, error)) < 0)
    {
      cl_store_rollback (self->store);
      return FALSE;
    }
  report->renumbered += moved;
  return cl_store_commit (self->store, error);
}

/* Gives the pages that pushed mutations freed back to the file system: a vault made with
 * incremental vacuuming (cl_vault_create() sets it) ends each push with an
 * incremental vacuum; secure_delete has already zeroed the pages' contents. A vault made
 * before keeps its free pages and reuses them (switching it would take a VACUUM, which
 * rewrites the whole file under the store's lock, with a copy of it in memory: seconds to
 * minutes of a frozen app at the size of a command). A failure leaves the pages free for
 * the vault to reuse, and the round goes on. */
static void
reclaim_space (ClSync *self)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db;
  gint64 mode = 0, free_pages = 0;

  if (!cl_store_lock (self->store, CL_STORE_READ, &error))
    return;
  db = _cl_sync_db_of (self);
  if (cl_sql_query_int (db, "PRAGMA auto_vacuum", &mode, &error) && mode == 2 &&
      cl_sql_query_int (db, "PRAGMA freelist_count", &free_pages, &error) && free_pages > 0)
    cl_sql_exec (db, "PRAGMA incremental_vacuum", &error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  if (error != NULL)
    g_message ("The vault's free pages stay in its file: %s", error->message);
}

gboolean
_cl_sync_push_all (ClSync        *self,
                   Conn          *conn,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *device = _cl_sync_meta_get (self, "sync_device_id");
  guint max = PUSH_BATCH;
  guint heals = 0;
  gboolean pushed = FALSE;

  for (;;)
    {
      g_autoptr(ClWirePushRequest) req = read_batch (self, device, max, error);
      g_autoptr(ClWirePushResponse) resp = NULL;
      g_autofree char *body = NULL;
      g_auto(Reply) reply = { 0 };
      g_autofree char *code = NULL;
      g_autofree char *mode = NULL;
      gint64 seq = -1;
      const char *data;
      gsize len;

      if (req == NULL)
        return FALSE;
      if (req->mutations->len == 0)
        {
          if (pushed)
            reclaim_space (self);
          return TRUE;
        }

      _cl_sync_crash_point ("before-push");
      body = cl_wire_push_request_encode (req, &len);
      if (!_cl_sync_http_send (conn, "POST", "/v1/push", body, len, &reply, cancellable, error))
        return FALSE;
      _cl_sync_crash_point ("after-push-send");
      if (reply.status == 413 && req->mutations->len > 1)
        {
          /* Too large for the server or a proxy in front of it: smaller batches. */
          max = req->mutations->len / 2;
          continue;
        }
      if (reply.status != 200)
        {
          _cl_sync_reply_error (conn, &reply, &code, &mode, &seq, error);
          _cl_sync_note_revoked (report, code, mode);
          if (g_strcmp0 (code, "seq_gap") == 0 && seq >= 1 && heals++ < 2)
            {
              /* The server expects an earlier change number than this vault sends: its
               * database went back. */
              g_clear_error (error);
              if (!_cl_sync_heal_server_behind (self, seq - 1, report, error))
                return FALSE;
              continue;
            }
          if (g_strcmp0 (code, "seq_reused") == 0 && seq >= 1 && heals++ < 2)
            {
              g_clear_error (error);
              if (!heal_vault_behind (self, conn, device, seq, report, cancellable, error))
                return FALSE;
              continue;
            }
          if (g_strcmp0 (code, "seq_gap") == 0 || g_strcmp0 (code, "seq_reused") == 0)
            g_prefix_error (error, _("This workstation's changes and the server's record of "
                                     "them could not be brought together. Nothing was lost. "
                                     "Ask your administrator to run “caseload-server device "
                                     "reset %s”: "), device);
          return FALSE;
        }
      data = g_bytes_get_data (reply.body, &len);
      resp = cl_wire_push_response_decode (data, len, error);
      if (resp == NULL)
        {
          _cl_sync_not_understood (error);
          return FALSE;
        }
      if (!apply_push_response (self, req, resp, report, error))
        return FALSE;
      pushed = TRUE;
      _cl_sync_crash_point ("after-push-commit");
      if (resp->revoked != NULL)
        _cl_sync_note_revoked (report, "device_revoked", resp->revoked);
      max = PUSH_BATCH;
    }
}
