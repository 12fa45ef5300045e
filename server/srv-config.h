/* srv-config.h: caseload-server settings (flags and an optional keyfile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char   *db;                   /* libpq conninfo; "" uses the PG* environment */
  char   *listen;               /* "unix:PATH" or "HOST:PORT" */
  guint   workers;              /* database worker threads (one connection each) */
  gsize   max_body;             /* request bodies above this are refused (413) */
  char   *real_ip_header;       /* set by nginx; trusted only from loopback or a Unix socket */
  gint64  token_idle;           /* seconds a token lives unused */
  gint64  token_lifetime;       /* seconds a token lives at most */
  gint64  refresh_max_age;      /* seconds after a password sign-in refresh still works */
  guint   login_account_limit;  /* sign-ins per account from one address before backoff */
  guint   login_address_limit;  /* failed logins per address per window */
  gint64  login_window;         /* seconds */
  gint64  login_backoff;        /* first backoff in seconds, doubling up to the window */
  guint   hash_concurrency;     /* Argon2id verifications at once (64 MiB each) */
  guint   pull_limit;           /* default page size */
  gsize   pull_max_bytes;       /* a page stops growing past this */
  guint   tombstone_days;       /* gc: tombstones and scope exits older than this go */
  guint   mutation_log_days;    /* gc: mutation log entries older than this go */
  gint64  max_open_conflicts;   /* a device with this many open conflicts makes no more */
  gint64  shutdown_timeout;     /* seconds SIGTERM waits for requests in flight */
  gint64  io_timeout;           /* seconds a connection may send or take nothing */
  char   *metrics_listen;       /* "" (off), "unix:PATH" or "HOST:PORT" (loopback) */
  char   *trust_bundle;         /* (nullable): PEM of [tls] trust-bundle, sent to devices */
} SrvConfig;

/* Reference counted: a reload (SIGHUP) replaces the server's configuration while requests
 * in flight keep the one they started with. */
SrvConfig *srv_config_new       (void);
SrvConfig *srv_config_ref       (SrvConfig   *config);
void       srv_config_unref     (SrvConfig   *config);
gboolean   srv_config_load_file (SrvConfig   *config,
                                 const char  *path,
                                 GError     **error);
void       srv_config_keep_restart_only (SrvConfig       *next,
                                         const SrvConfig *current);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvConfig, srv_config_unref)

G_END_DECLS
