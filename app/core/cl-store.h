/* cl-store.h: records in the vault, with their outbox mutations, history and audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-changes.h"
#include "cl-record.h"
#include "cl-vault.h"

G_BEGIN_DECLS

#define CL_STORE_ERROR (cl_store_error_quark ())

typedef enum {
  CL_STORE_ERROR_NOT_FOUND,     /* no such record */
  CL_STORE_ERROR_APPEND_ONLY,   /* contacts, services, notes and audit events are never edited */
  CL_STORE_ERROR_INVALID,       /* a value or a reference is not acceptable */
} ClStoreError;

/* The case lists of the desktop app's sidebar. */
typedef enum {
  CL_CASE_VIEW_ALL,             /* every open case in the vault */
  CL_CASE_VIEW_MINE,            /* open cases assigned to the user */
  CL_CASE_VIEW_NEW_REFERRALS,   /* status referred: awaiting outreach */
  CL_CASE_VIEW_FOLLOW_UPS_DUE,  /* an open task due today or earlier */
  CL_CASE_VIEW_COMMAND,         /* open cases of the user's default command */
  CL_CASE_VIEW_CLOSED,
  CL_CASE_VIEW_NEEDS_ATTENTION, /* open cases with a sync conflict or a rejected edit */
} ClCaseView;

typedef enum {
  CL_CASE_SORT_LAST_ACTIVITY,
  CL_CASE_SORT_NAME,
  CL_CASE_SORT_STATUS,
  CL_CASE_SORT_TRACK,
  CL_CASE_SORT_NEXT_DUE,
  CL_CASE_SORT_REFERRAL,
} ClCaseSort;

/* One line of a case's history. */
typedef struct {
  char *at;
  char *by;
  char *record_type;
  char *record_id;
  char *op;       /* create, update, delete, or sync */
  char *field;
  char *old_value;
  char *new_value;
} ClHistoryEntry;

void          cl_history_entry_free     (ClHistoryEntry *entry);

#define CL_TYPE_STORE (cl_store_get_type ())
G_DECLARE_FINAL_TYPE (ClStore, cl_store, CL, STORE, GObject)

GQuark        cl_store_error_quark      (void);

ClStore      *cl_store_new              (ClVault      *vault,
                                         const char   *user);
ClVault      *cl_store_get_vault        (ClStore      *self);
const char   *cl_store_get_user         (ClStore      *self);
char         *cl_store_dup_device_id    (ClStore      *self);
const char   *cl_store_get_command      (ClStore      *self);
void          cl_store_set_command      (ClStore      *self,
                                         const char   *command);

/* Writes. Each is one transaction holding the edit, its outbox mutation and its history,
 * unless a transaction opened with cl_store_begin() is in progress on this thread. */
char         *cl_store_create           (ClStore      *self,
                                         const char   *type,
                                         ClChanges    *values,
                                         GError      **error);
gboolean      cl_store_update           (ClStore      *self,
                                         const char   *type,
                                         const char   *id,
                                         ClChanges    *values,
                                         GError      **error);
gboolean      cl_store_delete           (ClStore      *self,
                                         const char   *type,
                                         const char   *id,
                                         GError      **error);
gboolean      cl_store_delete_client    (ClStore      *self,
                                         const char   *id,
                                         gboolean      cascade,
                                         GError      **error);
gboolean      cl_store_audit            (ClStore      *self,
                                         const char   *action,
                                         const char   *record_type,
                                         const char   *record_id,
                                         const char   *reason,
                                         GError      **error);
/* The only way to the vault's database (docs/SYNC.md, "One owner of the connection"). */
typedef enum {
  CL_STORE_READ,      /* reads see only committed data, and agree with each other */
  CL_STORE_WRITE,     /* a transaction */
} ClStoreLock;

typedef enum {
  CL_STORE_UNLOCK_NONE,      /* ends a read */
  CL_STORE_UNLOCK_COMMIT,    /* ends a write, keeping it */
  CL_STORE_UNLOCK_ROLLBACK,  /* ends a write, discarding it */
} ClStoreUnlock;

gboolean      cl_store_lock             (ClStore      *self,
                                         ClStoreLock   lock,
                                         GError      **error);
gboolean      cl_store_unlock           (ClStore      *self,
                                         ClStoreUnlock unlock,
                                         GError      **error);
gboolean      cl_store_begin            (ClStore      *self,
                                         GError      **error);
/* cl_store_begin() for a transaction of many thousand writes (demo data, an import, a first
 * pull): a 256 MiB page cache until cl_store_commit() or cl_store_rollback() ends it. */
gboolean      cl_store_begin_bulk       (ClStore      *self,
                                         GError      **error);
gboolean      cl_store_commit           (ClStore      *self,
                                         GError      **error);
void          cl_store_rollback         (ClStore      *self);

/* Where sync stands, as committed. */
typedef struct {
  gint64   cursor;      /* the server's change number this vault has pulled to */
  gint64   next_seq;    /* the number the next outbox mutation takes */
  gint64   acked_seq;   /* the highest number the server acknowledged */
  gboolean signed_in;   /* the vault holds a device token */
} ClStoreSyncState;

gboolean      cl_store_get_sync_state   (ClStore          *self,
                                         ClStoreSyncState *state,
                                         GError          **error);

/* Reads. */
ClRecord     *cl_store_get              (ClStore      *self,
                                         const char   *type,
                                         const char   *id,
                                         GError      **error);
GPtrArray    *cl_store_list             (ClStore      *self,
                                         const char   *type,
                                         ClChanges    *where,
                                         guint         limit,
                                         guint         offset,
                                         GError      **error);
gint64        cl_store_count            (ClStore      *self,
                                         const char   *type,
                                         ClChanges    *where,
                                         GError      **error);
GPtrArray    *cl_store_list_children    (ClStore      *self,
                                         const char   *type,
                                         const char   *parent_id,
                                         GError      **error);
gint64        cl_store_count_open_tasks (ClStore      *self,
                                         const char   *case_id,
                                         GError      **error);
GPtrArray    *cl_store_history          (ClStore      *self,
                                         const char   *case_id,
                                         GError      **error);
gint64        cl_store_outbox_length    (ClStore      *self,
                                         GError      **error);
gint64        cl_store_count_view       (ClStore      *self,
                                         ClCaseView    view,
                                         GError      **error);
/* Words a search may have: a name, a number or two. Longer queries are refused with a
 * clear message (thousands of terms would exceed what SQLite parses). */
#define CL_STORE_SEARCH_MAX_WORDS 16

GListModel   *cl_store_search           (ClStore      *self,
                                         const char   *text,
                                         guint         limit,
                                         GError      **error);
void          cl_store_search_async     (ClStore            *self,
                                         const char         *text,
                                         guint               limit,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
GListModel   *cl_store_search_finish    (ClStore            *self,
                                         GAsyncResult       *result,
                                         GError            **error);


G_END_DECLS
