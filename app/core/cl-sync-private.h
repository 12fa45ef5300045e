/* cl-sync-private.h: what the sync engine's files share (cl-sync*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-sync.h"
#include "cl-wire.h"

G_BEGIN_DECLS

#define PUSH_BATCH CL_WIRE_MAX_MUTATIONS
/* A push carries at most this many bytes of changes: half of what the server and nginx
 * take in one request (CL_WIRE_MAX_PUSH_BYTES), so the envelope never tips it over. A
 * batch the server still finds too large (413) is halved until it passes. */
#define PUSH_BUDGET (CL_WIRE_MAX_PUSH_BYTES / 2)
/* Mutations the server acknowledged stay this long in `sent`, to be sent again if the
 * server's database is restored from a dump taken before them. */
#define KEEP_SENT_DAYS 30
#define PULL_LIMIT CL_WIRE_MAX_PULL_LIMIT
#define CA_FILE    "server-ca.pem"

struct _ClSync
{
  GObject   parent_instance;

  ClStore  *store;
  GMutex    round_lock;   /* one round at a time */
  /* The HTTP session (its TLS database and kept-alive connections), kept across requests
   * and rounds for as long as the address and the trusted CAs it was made with stay the
   * same (session_key); guarded by session_lock. */
  GMutex       session_lock;
  SoupSession *session;
  char        *session_key;
  /* What is told of a first pull's progress; guarded by progress_lock. */
  GMutex             progress_lock;
  ClSyncProgressFunc progress_func;
  gpointer           progress_data;
  GDestroyNotify     progress_destroy;
  char     *device_name;  /* (nullable): what enrollment names the device */
  ClSecret *new_password; /* (nullable): the server password the next sign-in sets */
};

typedef struct {
  ClSync      *owner;         /* (unowned): keeps the tokens a refresh brings */
  SoupSession *session;
  char        *base;
  char        *token;
  guint        retry_after;   /* the last Retry-After the server sent, in seconds */
} Conn;

typedef struct {
  guint   status;
  GBytes *body;
  guint   retry_after;
} Reply;

void
_cl_sync_crash_point (const char *name);

void
_cl_sync_progress (ClSync *self,
                   guint   pulled,
                   guint   total);

sqlite3 *
_cl_sync_db_of (ClSync *self);

char *
_cl_sync_meta_get (ClSync     *self,
                   const char *key);

gint64
_cl_sync_meta_get_int (ClSync     *self,
                       const char *key);

gboolean
_cl_sync_meta_set (ClSync      *self,
                   const char  *key,
                   const char  *value,
                   GError     **error);

gboolean
_cl_sync_meta_set_all (ClSync      *self,
                       GError     **error,
                       const char  *key,
                       ...);

gboolean
_cl_sync_meta_set_int (ClSync      *self,
                       const char  *key,
                       gint64       value,
                       GError     **error);

void
_cl_sync_record_error (ClSync       *self,
                       const GError *error);

void
_cl_sync_conn_clear (Conn *conn);

gboolean
_cl_sync_conn_open (ClSync      *self,
                    Conn        *conn,
                    const char  *url,
                    GError     **error);

void
_cl_sync_reply_clear (Reply *reply);

gboolean
_cl_sync_http_send (Conn          *conn,
                    const char    *method,
                    const char    *path,
                    const char    *body,
                    gsize          len,
                    Reply         *reply,
                    GCancellable  *cancellable,
                    GError       **error);

void
_cl_sync_reply_error (Conn    *conn,
                      Reply   *reply,
                      char   **code,
                      char   **mode,
                      gint64  *seq,
                      GError **error);

gboolean
_cl_sync_decode_trust (Reply   *reply,
                       char   **bundle,
                       GError **error);

gboolean
_cl_sync_set_server (ClSync        *self,
                     const char    *url,
                     const char    *ca_file,
                     GCancellable  *cancellable,
                     GError       **error);

gboolean
_cl_sync_outbox_changes_field (ClSync     *self,
                               const char *record_id,
                               const char *field,
                               gint64      after_seq);

gboolean
_cl_sync_field_pending (ClSync     *self,
                        const char *record_id,
                        const char *field,
                        gint64      after_seq);

void
_cl_sync_note_revoked (ClSyncReport *report,
                       const char   *code,
                       const char   *mode);

gboolean
_cl_sync_heal_server_behind (ClSync        *self,
                             gint64         last_seq,
                             ClSyncReport  *report,
                             GError       **error);

gboolean
_cl_sync_push_all (ClSync        *self,
                   Conn          *conn,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error);

gboolean
_cl_sync_purge_record (ClSync       *self,
                       const ClType *type,
                       const char   *id,
                       GError      **error);

gboolean
_cl_sync_pull_all (ClSync        *self,
                   Conn          *conn,
                   ClSyncReport  *report,
                   GCancellable  *cancellable,
                   GError       **error);

gboolean
_cl_sync_upload_resolutions (ClSync        *self,
                             Conn          *conn,
                             ClSyncReport  *report,
                             GCancellable  *cancellable,
                             GError       **error);

gboolean
_cl_sync_fetch_conflicts (ClSync        *self,
                          Conn          *conn,
                          ClSyncReport  *report,
                          GCancellable  *cancellable,
                          GError       **error);

void
_cl_sync_not_understood (GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Conn, _cl_sync_conn_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, _cl_sync_reply_clear)

G_END_DECLS
