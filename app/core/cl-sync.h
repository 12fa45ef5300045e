/* cl-sync.h: the sync engine, offline work to and from caseload-server (DESIGN.md §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cl-report.h"
#include "cl-secret.h"
#include "cl-store.h"

G_BEGIN_DECLS

#define CL_SYNC_ERROR (cl_sync_error_quark ())

typedef enum {
  CL_SYNC_ERROR_NOT_ENROLLED,   /* no server configured */
  CL_SYNC_ERROR_INSECURE,       /* not https://, or no usable CA */
  CL_SYNC_ERROR_TLS,            /* the server's certificate is not trusted */
  CL_SYNC_ERROR_NETWORK,        /* no connection, timeout, dropped connection */
  CL_SYNC_ERROR_AUTH,           /* wrong password, or the token expired: log in again */
  CL_SYNC_ERROR_REVOKED,        /* this workstation was revoked; the vault was erased */
  CL_SYNC_ERROR_THROTTLED,      /* 429: try again after a while */
  CL_SYNC_ERROR_SERVER,         /* 5xx */
  CL_SYNC_ERROR_PROTOCOL,       /* a malformed or inconsistent answer (e.g. a cursor that moved back) */
  CL_SYNC_ERROR_REFUSED,        /* a 4xx the engine cannot recover from by itself */
  CL_SYNC_ERROR_BUSY,           /* another program runs a round on this vault */
  CL_SYNC_ERROR_PASSWORD_CHANGE, /* an administrator reset the password: sign in with a new one */
} ClSyncError;

typedef struct {
  guint    pushed;
  guint    pulled;
  guint    conflicts;        /* this vault's changes that lost in a conflict */
  guint    rejected;
  guint    purged;
  guint    fetched;          /* conflicts lost elsewhere, newly listed here */
  guint    closed;           /* open conflicts that were resolved elsewhere */
  guint    superseded;       /* resolutions made here after another one won */
  guint    refused;          /* resolutions made here the server refused: open again */
  guint    renewed;          /* resolutions made here on a value that changed since: a new
                              * conflict holds both */
  gint64   resent;           /* mutations sent again after the server's database went back */
  gint64   lost;             /* ... of which this vault no longer held a copy */
  gint64   renumbered;       /* queued mutations given new numbers after this vault went back */
  guint    reopened;         /* conflicts settled here that a restored server lists open */
  gboolean full_resync;
  char    *revoked;          /* (nullable): "retire" or "lost" when the device was revoked */
  guint    retry_after;      /* seconds the server asked to wait (Retry-After), or 0 */
} ClSyncReport;

typedef struct {
  char   *server;
  char   *username;
  gint64  pending;
  gint64  cursor;
  gint64  acked_seq;
  gint64  open_conflicts;
  gint64  rejected;
  char   *last_success;
  char   *last_error;
  char   *device_id;
} ClSyncStatus;

#define CL_TYPE_SYNC (cl_sync_get_type ())
G_DECLARE_FINAL_TYPE (ClSync, cl_sync, CL, SYNC, GObject)

GQuark        cl_sync_error_quark     (void);
void          cl_sync_report_clear    (ClSyncReport   *report);
char         *cl_sync_report_heal_notice (const ClSyncReport *report);
void          cl_sync_status_clear    (ClSyncStatus   *status);

ClSync       *cl_sync_new             (ClStore        *store);
gboolean      cl_sync_is_enrolled     (ClSync         *self);
void          cl_sync_set_new_password (ClSync        *self,
                                        const ClSecret *password);
gboolean      cl_sync_set_device_name (ClSync         *self,
                                       const char     *name,
                                       GError        **error);
gboolean      cl_sync_check_url       (const char     *url,
                                       GError        **error);
gboolean      cl_sync_enroll          (ClSync         *self,
                                       const char     *url,
                                       const char     *ca_file,
                                       const char     *username,
                                       ClSecret       *password,
                                       GCancellable   *cancellable,
                                       GError        **error);
gboolean      cl_sync_set_server      (ClSync         *self,
                                       const char     *url,
                                       const char     *ca_file,
                                       GCancellable   *cancellable,
                                       GError        **error);
gboolean      cl_sync_login           (ClSync         *self,
                                       ClSecret       *password,
                                       GCancellable   *cancellable,
                                       GError        **error);
/**
 * ClSyncProgressFunc:
 * @pulled: records pulled so far in this round
 * @total: records the pull brings in all
 * @user_data: what cl_sync_set_progress_func() was given
 *
 * Called from the thread running the round, after each page of a first pull (or a full
 * resync), for which the server counts what it will send.
 */
typedef void (*ClSyncProgressFunc) (guint     pulled,
                                    guint     total,
                                    gpointer  user_data);

void          cl_sync_set_progress_func (ClSync            *self,
                                         ClSyncProgressFunc func,
                                         gpointer           user_data,
                                         GDestroyNotify     destroy);
gboolean      cl_sync_run             (ClSync         *self,
                                       ClSyncReport   *report,
                                       GCancellable   *cancellable,
                                       GError        **error);
void          cl_sync_run_async       (ClSync              *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean      cl_sync_run_finish      (ClSync              *self,
                                       GAsyncResult        *result,
                                       ClSyncReport        *report,
                                       GError             **error);
gboolean      cl_sync_get_status      (ClSync         *self,
                                       ClSyncStatus   *status,
                                       GError        **error);
GPtrArray    *cl_sync_list_conflicts  (ClSync         *self,
                                       gboolean        open_only,
                                       GError        **error);
gboolean      cl_sync_resolve         (ClSync         *self,
                                       const char     *conflict_id,
                                       const char     *keep,
                                       const char     *value,
                                       GError        **error);
guint         cl_sync_backoff_ms      (guint           failures,
                                       guint           retry_after_s);
gboolean      cl_sync_error_is_transient (const GError *error);
gboolean      cl_sync_role_may_report (ClSync         *self);
ClReportResult *cl_sync_run_report    (ClSync               *self,
                                       const char           *name,
                                       const ClReportParams *params,
                                       GCancellable         *cancellable,
                                       GError              **error);

/* A conflict: the server kept server_value; local_value lost, on this workstation or, when
 * elsewhere is set, on another one (another of the user's, or a colleague's the user
 * supervises). "mine" always keeps local_value. */
typedef struct {
  char     *id;
  char     *record_type;
  char     *record_id;
  char     *field;
  char     *local_value;
  char     *server_value;
  gint64    server_version;
  char     *local_by;     /* (nullable): who made the losing change */
  char     *local_at;     /* (nullable): when, by this workstation's clock; lost elsewhere:
                           * %NULL, and created_at is when it reached the server */
  char     *server_by;    /* (nullable): who made the value that won, once the server said */
  char     *server_at;    /* (nullable): when the server received it */
  gboolean  elsewhere;    /* lost on another workstation, not this one */
  char     *created_at;
  char     *resolved_at;
  char     *resolution;   /* "theirs", "mine", "value", "elsewhere": settled by someone else, or
                           * "renewed": the field changed meanwhile, a new conflict holds both */
} ClConflict;

void          cl_conflict_free        (ClConflict     *conflict);

/* A mutation the server refused for good (the "needs attention" list). */
typedef struct {
  char   *mutation_id;
  gint64  seq;
  char   *record_type;
  char   *record_id;
  char   *op;          /* "put" or "delete" */
  char   *changes;     /* JSON object of the refused field values */
  char   *code;        /* the server's machine code, e.g. "forbidden" */
  char   *reason;      /* the server's English text, or NULL */
  char   *at;
} ClRejected;

void          cl_rejected_free        (ClRejected     *rejected);
JsonObject   *cl_rejected_parse_changes (const ClRejected *rejected);
const char   *cl_rejected_change_value (JsonObject    *changes,
                                       const char     *field,
                                       const char     *member);
GPtrArray    *cl_sync_list_rejected   (ClSync         *self,
                                       GError        **error);
gboolean      cl_sync_discard_rejected (ClSync        *self,
                                       const char     *mutation_id,
                                       GError        **error);
gboolean      cl_sync_retry_rejected  (ClSync         *self,
                                       const char     *mutation_id,
                                       GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClRejected, cl_rejected_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClSyncStatus, cl_sync_status_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClSyncReport, cl_sync_report_clear)

G_END_DECLS
