/* cl-sync-state.c: what the vault keeps of sync (meta), and the status shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the sync engine (cl-sync.c).
 */

#define G_LOG_DOMAIN "cl-sync"

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

/* Meta ----------------------------------------------------------------------------- */

/* The connection, for code holding the store's lock (cl_store_lock()): the worker never
 * reads or writes it otherwise, so it never sees, nor writes into, a transaction another
 * thread has open. */
sqlite3 *
_cl_sync_db_of (ClSync *self)
{
  return _cl_store_get_db (self->store);
}

/* Each takes the store's lock for itself. */
char *
_cl_sync_meta_get (ClSync     *self,
                   const char *key)
{
  return _cl_store_meta_get (self->store, key, NULL);
}

gint64
_cl_sync_meta_get_int (ClSync     *self,
                       const char *key)
{
  return _cl_store_meta_get_int (self->store, key);
}

gboolean
_cl_sync_meta_set (ClSync      *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
{
  return _cl_store_meta_set (self->store, key, value, error);
}

/* Sets pairs of key and (nullable) value up to a %NULL key, in one write: all or none. */
gboolean
_cl_sync_meta_set_all (ClSync      *self,
                       GError     **error,
                       const char  *key,
                       ...)
{
  va_list ap;
  gboolean ok = TRUE;

  if (!cl_store_lock (self->store, CL_STORE_WRITE, error))
    return FALSE;
  va_start (ap, key);
  for (; ok && key != NULL; key = va_arg (ap, const char *))
    ok = _cl_sync_meta_set (self, key, va_arg (ap, const char *), error);
  va_end (ap);
  if (!ok)
    {
      cl_store_unlock (self->store, CL_STORE_UNLOCK_ROLLBACK, NULL);
      return FALSE;
    }
  return cl_store_unlock (self->store, CL_STORE_UNLOCK_COMMIT, error);
}

gboolean
_cl_sync_meta_set_int (ClSync      *self,
                       const char  *key,
                       gint64       value,
                       GError     **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  return _cl_sync_meta_set (self, key, text, error);
}

void
_cl_sync_record_error (ClSync       *self,
                       const GError *error)
{
  g_autofree char *now = cl_now_utc ();
  g_autofree char *text = g_strdup_printf ("%s %s", now, error->message);

  _cl_sync_meta_set (self, "sync_last_error", text, NULL);
}

/* Status and conflicts ------------------------------------------------------------- */

static gboolean
get_status_locked (ClSync        *self,
                   ClSyncStatus  *status,
                   GError       **error)
{
  sqlite3 *db = _cl_sync_db_of (self);

  status->server = _cl_sync_meta_get (self, "sync_url");
  status->username = _cl_sync_meta_get (self, "sync_username");
  status->cursor = _cl_sync_meta_get_int (self, "sync_cursor");
  status->acked_seq = _cl_sync_meta_get_int (self, "sync_acked_seq");
  status->last_success = _cl_sync_meta_get (self, "sync_last_success");
  status->last_error = _cl_sync_meta_get (self, "sync_last_error");
  status->device_id = _cl_sync_meta_get (self, "sync_device_id");
  return cl_sql_query_int (db, "SELECT count(*) FROM outbox", &status->pending, error) &&
         cl_sql_query_int (db, "SELECT count(*) FROM conflict WHERE resolved_at IS NULL",
                           &status->open_conflicts, error) &&
         cl_sql_query_int (db, "SELECT count(*) FROM rejected WHERE dismissed = 0",
                           &status->rejected, error);
}

/**
 * cl_sync_get_status:
 *
 * Where sync stands, as committed: read under the store's lock, so never a transaction
 * another thread has open.
 */
gboolean
cl_sync_get_status (ClSync        *self,
                    ClSyncStatus  *status,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  memset (status, 0, sizeof *status);
  if (!cl_store_lock (self->store, CL_STORE_READ, error))
    return FALSE;
  ok = get_status_locked (self, status, error);
  cl_store_unlock (self->store, CL_STORE_UNLOCK_NONE, NULL);
  return ok;
}
