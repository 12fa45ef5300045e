/* cl-sync.c: the sync engine, offline work to and from caseload-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One round: push the outbox in bounded batches, then pull pages until the server has no
 * more (DESIGN.md §5, docs/PROTOCOL.md). The engine runs in a worker thread with its own
 * SoupSession (libsoup sessions belong to the thread that made them). Every answer is
 * decoded by common/cl-wire.c, the same code the server uses, after its guard checked size,
 * depth and encoding.
 *
 * What keeps work from being lost or duplicated (docs/SYNC.md):
 * - an outbox row is never changed once written and is deleted only in the transaction
 *   that records the server's answer for it; a lost answer means the same seq is sent
 *   again, byte for byte, and the server returns its stored result;
 * - a mutation's base_version is the version of the record this device had pulled when
 *   the edit was made, never advanced afterwards (advancing it would hide a conflict); the
 *   server treats fields last written by this device's own earlier mutations as no
 *   conflict;
 * - a pulled page is applied in one transaction; fields with a pending local mutation keep
 *   their local value (pending work stays on top of the pulled state) and the cursor moves
 *   only forward; an answer that would move it back is refused;
 * - a resolution not yet taken by the server keeps beside it the server's latest value of
 *   its field, which the vault shows again if the server turns the resolution down;
 * - 410 and 412 start a full resync that keeps the outbox and pushes it again.
 *
 * The device token and its refresh token live in the vault's meta table. A request answered
 * token_expired trades the refresh token for a new pair (POST /v1/refresh, kept in place of
 * the old one) and is sent again, so the round goes on without the password; only when the
 * server refuses the refresh does the round end with %CL_SYNC_ERROR_AUTH.
 *
 * CASELOAD_SYNC_CRASH_AT=<point>[:<n>] (tests only: honoured only in builds configured with
 * -Dtest_hooks=true; read once) makes the process _exit(137)
 * at the n-th (default first) pass through a named point, to prove crash safety (R2):
 * before-push, after-push-send, after-push-commit, mid-pull-apply, after-pull-commit.
 * CASELOAD_SYNC_TIMEOUT=<seconds> shortens the network timeout (default 60).
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


G_DEFINE_FINAL_TYPE (ClSync, cl_sync, G_TYPE_OBJECT)
G_DEFINE_QUARK (cl-sync-error-quark, cl_sync_error)

/* Test hook (see the top of this file): crash at a named point. */
void
_cl_sync_crash_point (const char *name)
{
  static gsize once = 0;
  static char *point = NULL;
  static guint after = 1;
  static guint hits = 0;

  /* Only in builds configured with -Dtest_hooks=true (meson_options.txt). */
  if (!CASELOAD_TEST_HOOKS)
    return;
  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("CASELOAD_SYNC_CRASH_AT");

      if (env != NULL && *env != '\0')
        {
          const char *colon = strchr (env, ':');

          point = colon != NULL ? g_strndup (env, colon - env) : g_strdup (env);
          if (colon != NULL)
            after = MAX (1, (guint) g_ascii_strtoull (colon + 1, NULL, 10));
        }
      g_once_init_leave (&once, 1);
    }
  if (point != NULL && strcmp (point, name) == 0 && ++hits == after)
    _exit (137);
}

void
cl_sync_report_clear (ClSyncReport *report)
{
  g_clear_pointer (&report->revoked, g_free);
  memset (report, 0, sizeof *report);
}

void
cl_sync_status_clear (ClSyncStatus *status)
{
  g_free (status->server);
  g_free (status->username);
  g_free (status->last_success);
  g_free (status->last_error);
  g_free (status->device_id);
  memset (status, 0, sizeof *status);
}

void
cl_conflict_free (ClConflict *c)
{
  if (c == NULL)
    return;
  g_free (c->id);
  g_free (c->record_type);
  g_free (c->record_id);
  g_free (c->field);
  g_free (c->local_value);
  g_free (c->server_value);
  g_free (c->local_by);
  g_free (c->local_at);
  g_free (c->server_by);
  g_free (c->server_at);
  g_free (c->created_at);
  g_free (c->resolved_at);
  g_free (c->resolution);
  g_free (c);
}

/* The CA certificates the server asks this device to trust besides its enrolled one (a CA
 * rollover), checked, then kept in the vault in place of the ones it sent before. A server
 * that sends none leaves the kept ones: so a device is never cut off by an edit of the
 * server's configuration. */
static gboolean
fetch_trust (ClSync        *self,
             Conn          *conn,
             GCancellable  *cancellable,
             GError       **error)
{
  g_auto(Reply) reply = { 0 };
  g_autofree char *bundle = NULL;

  if (!_cl_sync_http_send (conn, "GET", "/v1/trust", NULL, 0, &reply, cancellable, error))
    return FALSE;
  if (reply.status != 200)
    {
      _cl_sync_reply_error (conn, &reply, NULL, NULL, NULL, error);
      return FALSE;
    }
  return _cl_sync_decode_trust (&reply, &bundle, error) &&
         (bundle == NULL || _cl_sync_meta_set (self, "sync_trust", bundle, error));
}

static gboolean
erase_vault (ClSync        *self,
             ClSyncReport  *report,
             Conn          *conn,
             GCancellable  *cancellable,
             GError       **error)
{
  ClVault *vault = cl_store_get_vault (self->store);
  g_autofree char *dir = g_strdup (cl_vault_get_dir (vault));
  g_autofree char *ca = g_build_filename (dir, CA_FILE, NULL);
  g_autoptr(GError) local_error = NULL;
  g_auto(Reply) reply = { 0 };

  /* Keys first: the vault is unreadable before anything else happens. Then the server
   * learns (best effort) that this workstation holds nothing any more, and the public CA
   * certificate goes last (the connection still reads it). */
  cl_vault_lock (vault);
  if (!cl_vault_erase (dir, &local_error))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                   _("This workstation's access was revoked, but erasing its vault failed "
                     "(%s). Turn it off and call your administrator."), local_error->message);
      return FALSE;
    }
  if (conn->session != NULL)
    _cl_sync_http_send (conn, "POST", "/v1/device/erased", "", 0, &reply, cancellable, NULL);
  g_unlink (ca);
  g_rmdir (dir);   /* cl_vault_erase() removed the rest, the round's lock file included */

  if (g_strcmp0 (report->revoked, "retire") == 0)
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                 _("This workstation was retired by an administrator. All its work reached "
                   "the server, and its vault was erased."));
  else
    g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REVOKED,
                 _("This workstation was reported lost or stolen, so its vault was erased "
                   "without sending anything. Contact your administrator."));
  return FALSE;
}

/* Whether the pull may still run after the push failed: the server answered, and the
 * answer concerned the push alone. */
static gboolean
push_failure_allows_pull (const GError *error)
{
  return g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED) ||
         g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL) ||
         g_error_matches (error, CL_SYNC_ERROR, CL_SYNC_ERROR_SERVER);
}

static gboolean
run_round (ClSync        *self,
           ClSyncReport  *report,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *url = _cl_sync_meta_get (self, "sync_url");
  g_auto(Conn) conn = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) push_error = NULL;
  gboolean ok;

  if (url == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return FALSE;
    }
  if (!_cl_sync_conn_open (self, &conn, url, error))
    return FALSE;
  conn.token = _cl_sync_meta_get (self, "sync_token");

  ok = _cl_sync_upload_resolutions (self, &conn, report, cancellable, &local_error) &&
       _cl_sync_push_all (self, &conn, report, cancellable, &local_error);
  /* A push the server turned down (too large, refused) does not keep others' changes
   * from coming in: the pull goes on, the push's error is what the round reports. */
  if (!ok && push_failure_allows_pull (local_error) && report->revoked == NULL)
    {
      push_error = g_steal_pointer (&local_error);
      ok = TRUE;
    }
  ok = ok && _cl_sync_pull_all (self, &conn, report, cancellable, &local_error);

  /* A full resync re-pushes what the outbox still holds. */
  if (ok && cl_store_outbox_length (self->store, NULL) > 0)
    ok = _cl_sync_push_all (self, &conn, report, cancellable, &local_error);
  ok = ok && _cl_sync_fetch_conflicts (self, &conn, report, cancellable, &local_error);
  ok = ok && fetch_trust (self, &conn, cancellable, &local_error);
  report->retry_after = conn.retry_after;

  if (report->revoked != NULL)
    {
      /* Retire: the whole outbox goes first, and nothing is erased unless it did; lost:
       * nothing more is sent, the vault goes now. */
      if (strcmp (report->revoked, "retire") == 0 &&
          cl_store_outbox_length (self->store, NULL) > 0)
        {
          g_clear_error (&local_error);
          if (!_cl_sync_push_all (self, &conn, report, cancellable, &local_error) ||
              cl_store_outbox_length (self->store, NULL) > 0)
            {
              if (local_error == NULL)
                g_set_error (&local_error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK,
                             _("This workstation is being retired, but its last changes "
                               "could not be sent yet; it will try again."));
              _cl_sync_record_error (self, local_error);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      return erase_vault (self, report, &conn, cancellable, error);
    }

  if (ok && push_error != NULL)
    {
      ok = FALSE;
      local_error = g_steal_pointer (&push_error);
    }
  if (!ok)
    {
      _cl_sync_record_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  {
    g_autofree char *now = cl_now_utc ();
    _cl_sync_meta_set (self, "sync_last_success", now, NULL);
    _cl_sync_meta_set (self, "sync_last_error", NULL, NULL);
  }
  return TRUE;
}

/* One round per vault at a time, across programs (the app and caseloadctl): an advisory
 * lock on a file in the vault folder, held for the round. A second round waits for the
 * first, up to ROUND_LOCK_WAIT_S seconds. Returns the locked descriptor, or -1. */
#define ROUND_LOCK_WAIT_S 120

static int
vault_round_lock (ClSync        *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ClVault *vault = cl_store_get_vault (self->store);
  g_autofree char *path = g_build_filename (cl_vault_get_dir (vault), "sync.lock", NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot open the vault's sync lock: %s"), g_strerror (saved));
      return -1;
    }
  for (guint waited = 0; flock (fd, LOCK_EX | LOCK_NB) != 0; waited++)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot lock the vault for sync: %s"), g_strerror (saved));
          return -1;
        }
      if (waited >= ROUND_LOCK_WAIT_S * 10 ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          if (error != NULL && *error == NULL)
            g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_BUSY,
                         _("Another program is syncing this vault right now; try again when "
                           "it has finished."));
          return -1;
        }
      g_usleep (100 * 1000);
    }
  return fd;
}

/* The round lock within this process, then across programs: the descriptor to give to
 * round_lock_release(), or -1 (nothing held). */
static int
round_lock_take (ClSync        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  int lock;

  g_mutex_lock (&self->round_lock);
  lock = vault_round_lock (self, cancellable, error);
  if (lock < 0)
    g_mutex_unlock (&self->round_lock);
  return lock;
}

static void
round_lock_release (ClSync *self,
                    int     lock)
{
  close (lock);   /* releases the lock */
  g_mutex_unlock (&self->round_lock);
}

/**
 * cl_sync_run:
 * @report: (out caller-allocates): what the round did; clear with cl_sync_report_clear()
 *
 * Runs one full round (push, pull, repeat while there is more). Blocks: call it from a
 * worker thread or use cl_sync_run_async().
 */
gboolean
cl_sync_run (ClSync        *self,
             ClSyncReport  *report,
             GCancellable  *cancellable,
             GError       **error)
{
  gboolean ok;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof *report);
  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return FALSE;
  ok = run_round (self, report, cancellable, error);
  round_lock_release (self, lock);
  return ok;
}

/**
 * cl_sync_set_server:
 * @url: the server's new https:// address
 * @ca_file: (nullable): the CA certificate (PEM) to trust from now on instead of the one
 *   enrolled with; %NULL keeps it
 *
 * Moves this enrolled vault to a new server address or CA, keeping the vault, its
 * enrollment and its outbox. Changes nothing unless the server at @url answers over TLS
 * with that trust and knows this device. Waits for a round running on the vault (the
 * address must not change under it, nor the tokens a refresh may rotate). Blocks.
 */
gboolean
cl_sync_set_server (ClSync        *self,
                    const char    *url,
                    const char    *ca_file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gboolean ok;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return FALSE;
  ok = _cl_sync_set_server (self, url, ca_file, cancellable, error);
  round_lock_release (self, lock);
  return ok;
}

/* Reports on the server -------------------------------------------------------------- */

/**
 * cl_sync_role_may_report:
 *
 * Whether the role this vault was enrolled with may ask the server for reports
 * (supervisors, directors and data staff; docs/REPORTS.md). %FALSE when the vault is not
 * enrolled. The server decides in the end: a role changed since enrollment is refused
 * there (403).
 */
gboolean
cl_sync_role_may_report (ClSync *self)
{
  g_autofree char *url = NULL;
  g_autofree char *role = NULL;

  g_return_val_if_fail (CL_IS_SYNC (self), FALSE);

  url = _cl_sync_meta_get (self, "sync_url");
  role = _cl_sync_meta_get (self, "sync_role");
  return url != NULL && (g_strcmp0 (role, "supervisor") == 0 ||
                         g_strcmp0 (role, "director") == 0 || g_strcmp0 (role, "data") == 0);
}

static char *
report_request_encode (const ClReportParams *p,
                       gsize                *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  const struct { const char *name; ClDay day; } days[] = {
    { "from", p->from }, { "to", p->to }, { "as_of", p->as_of }, { "today", p->today },
  };
  const struct { const char *name; const char *value; } texts[] = {
    { "borough", p->borough }, { "advocate", p->advocate }, { "track", p->track },
    { "funding", p->funding },
  };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    if (days[i].day != CL_DAY_NONE)
      {
        g_autofree char *text = cl_day_to_string (days[i].day);

        json_builder_set_member_name (b, days[i].name);
        json_builder_add_string_value (b, text);
      }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i].value != NULL)
      {
        json_builder_set_member_name (b, texts[i].name);
        json_builder_add_string_value (b, texts[i].value);
      }
  if (p->commands != NULL && p->commands[0] != NULL)
    {
      json_builder_set_member_name (b, "commands");
      json_builder_begin_array (b);
      for (guint i = 0; p->commands[i] != NULL; i++)
        json_builder_add_string_value (b, p->commands[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "fiscal_start_month");
  json_builder_add_int_value (b, p->fiscal_start_month);
  json_builder_set_member_name (b, "stale_days");
  json_builder_add_int_value (b, p->stale_days);
  json_builder_set_member_name (b, "outside");
  json_builder_add_boolean_value (b, p->outside);
  json_builder_set_member_name (b, "threshold");
  json_builder_add_int_value (b, p->threshold);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  *len = strlen (text);
  return text;
}

/* The answer is the report asked for: its name, period, filters and use. A server that
 * answers unsuppressed figures to a request for outside use is refused. */
static gboolean
report_answers_request (const ClReportResult *r,
                        const char           *name,
                        const ClReportParams *p)
{
  const ClReportParams *q = r->params;

  if (g_strcmp0 (r->name, name) != 0 || q->from != p->from || q->to != p->to ||
      r->suppressed != p->outside || (p->outside && q->threshold != p->threshold) ||
      (p->as_of != CL_DAY_NONE && q->as_of != p->as_of) ||
      g_strcmp0 (q->borough, p->borough) != 0 || g_strcmp0 (q->advocate, p->advocate) != 0 ||
      g_strcmp0 (q->track, p->track) != 0 || g_strcmp0 (q->funding, p->funding) != 0 ||
      q->fiscal_start_month != p->fiscal_start_month || q->stale_days != p->stale_days)
    return FALSE;
  /* Commands asked for come back as asked; none asked: the server names the ones it
   * counted. */
  if (p->commands != NULL && p->commands[0] != NULL)
    return q->commands != NULL &&
           g_strv_equal ((const char * const *) q->commands, (const char * const *) p->commands);
  return TRUE;
}

/**
 * cl_sync_run_report:
 * @name: a report's name (cl_report_lookup())
 * @params: its parameters; with @params->outside the server suppresses small cells
 *
 * Asks the server to compute report @name over every case the user may read there (POST
 * /v1/reports/NAME, docs/PROTOCOL.md), in the vault's authenticated session: an expired
 * token is refreshed once, as in a round. The answer is read with
 * cl_report_result_from_json() and must be the report asked for. Blocks; waits for a
 * round running on the vault (a refresh rotates the tokens).
 *
 * Returns: (transfer full): the result (source %CL_REPORT_SOURCE_SERVER), or %NULL with
 *   @error set in %CL_SYNC_ERROR: %CL_SYNC_ERROR_NOT_ENROLLED, _NETWORK, _TLS, _AUTH,
 *   _REFUSED (403: the role may not, or a command is not the user's), _SERVER,
 *   _PROTOCOL (an answer not understood), ...
 */
ClReportResult *
cl_sync_run_report (ClSync               *self,
                    const char           *name,
                    const ClReportParams *params,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autofree char *url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ClReportResult) result = NULL;
  g_auto(Conn) conn = { 0 };
  g_auto(Reply) reply = { 0 };
  const char *data;
  gsize len;
  gboolean sent;
  int lock;

  g_return_val_if_fail (CL_IS_SYNC (self), NULL);
  g_return_val_if_fail (cl_report_lookup (name) != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  url = _cl_sync_meta_get (self, "sync_url");
  if (url == NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                   _("This workstation is not enrolled with a server."));
      return NULL;
    }
  body = report_request_encode (params, &len);
  path = g_strconcat ("/v1/reports/", name, NULL);

  if ((lock = round_lock_take (self, cancellable, error)) < 0)
    return NULL;
  sent = _cl_sync_conn_open (self, &conn, url, error);
  if (sent)
    {
      conn.token = _cl_sync_meta_get (self, "sync_token");
      sent = _cl_sync_http_send (&conn, "POST", path, body, len, &reply, cancellable, error);
    }
  round_lock_release (self, lock);
  if (!sent)
    return NULL;
  if (reply.status != 200)
    {
      _cl_sync_reply_error (&conn, &reply, NULL, NULL, NULL, error);
      return NULL;
    }

  data = g_bytes_get_data (reply.body, &len);
  result = cl_report_result_from_json (data, len, &local_error);
  if (result != NULL && !report_answers_request (result, name, params))
    g_set_error_literal (&local_error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_RESULT,
                         "not the report asked for");
  if (local_error != NULL)
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL,
                   _("The server's report was not understood (%s); nothing is shown from it."),
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&result);
}

static void
report_free (gpointer data)
{
  cl_sync_report_clear (data);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ClSyncReport *report = g_new0 (ClSyncReport, 1);
  GError *error = NULL;

  if (cl_sync_run (source, report, cancellable, &error))
    g_task_return_pointer (task, report, report_free);
  else
    {
      g_task_set_task_data (task, report, report_free);
      g_task_return_error (task, error);
    }
}

void
cl_sync_run_async (ClSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CL_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_sync_run_async);
  g_task_run_in_thread (task, run_thread);
}

/**
 * cl_sync_run_finish:
 * @report: (out caller-allocates) (optional): what the round did, also when it failed
 */
gboolean
cl_sync_run_finish (ClSync        *self,
                    GAsyncResult  *result,
                    ClSyncReport  *report,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  ClSyncReport *r;
  GTask *task = G_TASK (result);

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  r = g_task_propagate_pointer (task, &local_error);
  if (r == NULL)
    r = g_task_get_task_data (task);
  if (report != NULL && r != NULL)
    {
      *report = *r;
      report->revoked = g_strdup (r->revoked);
    }
  if (r != NULL && r != g_task_get_task_data (task))
    report_free (r);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * cl_sync_report_heal_notice:
 *
 * Returns: (transfer full) (nullable): what the person must know after a round in which
 *   the server's database or this vault had gone back to an earlier copy (one sentence a
 *   line), or %NULL when neither had
 */
char *
cl_sync_report_heal_notice (const ClSyncReport *report)
{
  GString *notice;

  g_return_val_if_fail (report != NULL, NULL);

  if (report->resent == 0 && report->lost == 0 && report->renumbered == 0 &&
      report->reopened == 0)
    return NULL;
  notice = g_string_new (NULL);
  if (report->resent > 0)
    g_string_append_printf (notice,
                            ngettext ("The server's database was restored from an earlier "
                                      "copy: %lld change it had lost was sent again.\n",
                                      "The server's database was restored from an earlier "
                                      "copy: %lld changes it had lost were sent again.\n",
                                      (gulong) report->resent),
                            (long long) report->resent);
  if (report->lost > 0)
    g_string_append_printf (notice,
                            ngettext ("%lld change the restored server lost is older than "
                                      "this workstation keeps sent changes; it must be "
                                      "entered again. Call your administrator.\n",
                                      "%lld changes the restored server lost are older than "
                                      "this workstation keeps sent changes; they must be "
                                      "entered again. Call your administrator.\n",
                                      (gulong) report->lost),
                            (long long) report->lost);
  if (report->renumbered > 0)
    g_string_append_printf (notice,
                            ngettext ("This vault was restored from a backup: %lld waiting "
                                      "change was given a new number and sent.\n",
                                      "This vault was restored from a backup: %lld waiting "
                                      "changes were given new numbers and sent.\n",
                                      (gulong) report->renumbered),
                            (long long) report->renumbered);
  if (report->reopened > 0)
    g_string_append_printf (notice,
                            ngettext ("%u conflict you had settled is open again: the "
                                      "server's database was restored from before it was "
                                      "settled.\n",
                                      "%u conflicts you had settled are open again: the "
                                      "server's database was restored from before they were "
                                      "settled.\n", report->reopened),
                            report->reopened);
  g_string_truncate (notice, notice->len - 1);
  return g_string_free (notice, FALSE);
}

/**
 * cl_sync_backoff_ms:
 * @failures: failed rounds in a row (1 for the first)
 * @retry_after_s: the server's Retry-After, or 0
 *
 * Returns: how long to wait before the next automatic round: exponential from 1 s to
 *   5 min with full jitter, never less than Retry-After
 */
guint
cl_sync_backoff_ms (guint failures,
                    guint retry_after_s)
{
  guint64 cap = 1000;

  for (guint i = 1; i < failures && cap < 300000; i++)
    cap *= 2;
  cap = MIN (cap, 300000);
  cap = g_random_int_range (500, (gint32) cap + 1);
  return (guint) MAX (cap, (guint64) retry_after_s * 1000);
}

/**
 * cl_sync_error_is_transient:
 *
 * Returns: whether a failed round is worth retrying by itself after cl_sync_backoff_ms():
 *   the network, a busy or failing server, another program's round on this vault. Refusals (400, 401, 403, 409, 422), TLS and
 *   protocol errors and revocation need a person and are never retried blindly.
 */
gboolean
cl_sync_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != CL_SYNC_ERROR)
    return FALSE;
  return error->code == CL_SYNC_ERROR_NETWORK || error->code == CL_SYNC_ERROR_SERVER ||
         error->code == CL_SYNC_ERROR_THROTTLED || error->code == CL_SYNC_ERROR_BUSY;
}

/**
 * cl_sync_set_progress_func:
 * @func: (nullable): told the records pulled of the total, from the thread running the
 *   round; %NULL stops it
 * @destroy: (nullable): frees @user_data when replaced, or with @self
 *
 * Follows a first pull (or a full resync) as it goes: the server counts the records it
 * will send, and @func hears after each page how many came of them.
 */
void
cl_sync_set_progress_func (ClSync            *self,
                           ClSyncProgressFunc func,
                           gpointer           user_data,
                           GDestroyNotify     destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_return_if_fail (CL_IS_SYNC (self));

  g_mutex_lock (&self->progress_lock);
  old_data = self->progress_data;
  old_destroy = self->progress_destroy;
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
  g_mutex_unlock (&self->progress_lock);
  if (old_destroy != NULL)
    old_destroy (old_data);
}

void
_cl_sync_progress (ClSync *self,
                   guint   pulled,
                   guint   total)
{
  g_mutex_lock (&self->progress_lock);
  if (self->progress_func != NULL)
    self->progress_func (MIN (pulled, total), total, self->progress_data);
  g_mutex_unlock (&self->progress_lock);
}

/* Object --------------------------------------------------------------------------- */

static void
cl_sync_finalize (GObject *object)
{
  ClSync *self = (ClSync *) object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->device_name, g_free);
  g_clear_pointer (&self->new_password, cl_secret_free);
  g_mutex_clear (&self->round_lock);
  g_clear_object (&self->session);
  g_clear_pointer (&self->session_key, g_free);
  g_mutex_clear (&self->session_lock);
  cl_sync_set_progress_func (self, NULL, NULL, NULL);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (cl_sync_parent_class)->finalize (object);
}

static void
cl_sync_class_init (ClSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_sync_finalize;
}

static void
cl_sync_init (ClSync *self)
{
  g_mutex_init (&self->round_lock);
  g_mutex_init (&self->session_lock);
  g_mutex_init (&self->progress_lock);
}

ClSync *
cl_sync_new (ClStore *store)
{
  ClSync *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  return self;
}
