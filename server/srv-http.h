/* srv-http.h: the HTTP front of caseload-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "srv-config.h"

G_BEGIN_DECLS

typedef struct _SrvServer SrvServer;

/* Returns a new configuration, or NULL with @error set. */
typedef SrvConfig *(*SrvConfigLoader) (gpointer   data,
                                       GError   **error);

/* One worker thread: its own database connection, used by one request at a time. */
typedef struct {
  SrvServer *server;
  PGconn    *conn;
  SrvConfig *config;      /* the request in hand's */
} SrvWorker;

/* A request as a worker sees it: copies of what it needs, never the SoupServerMessage. */
typedef struct {
  char   *method;
  char   *path;
  char   *arg;            /* the {id} of /v1/conflicts/{id}/resolve */
  GHashTable *query;      /* (nullable): the query string's members, name to value */
  GBytes *body;
  char   *authorization;
  char   *content_type;
  char   *address;        /* the client's address (from nginx when trusted) */
} SrvRequest;

typedef struct {
  guint   status;
  char   *body;
  gsize   len;
  gint64  retry_after;    /* seconds, or -1 */
  const char *content_type; /* (nullable): application/json */
} SrvResponse;

SrvServer       *srv_server_new           (SrvConfig     *config,
                                           GError       **error);
void             srv_server_free          (SrvServer     *server);
gboolean         srv_server_listen        (SrvServer     *server,
                                           GError       **error);
void             srv_server_set_loader    (SrvServer     *server,
                                           SrvConfigLoader loader,
                                           gpointer       data);
void             srv_server_run           (SrvServer     *server);

const SrvConfig *srv_worker_get_config    (SrvWorker     *worker);
const char      *srv_worker_get_dummy_hash (SrvWorker    *worker);
void             srv_worker_hash_enter    (SrvWorker     *worker);
void             srv_worker_hash_leave    (SrvWorker     *worker);

void             srv_response_take_json   (SrvResponse   *response,
                                           guint          status,
                                           char          *body,
                                           gsize          len);
void             srv_response_error       (SrvResponse   *response,
                                           guint          status,
                                           const char    *code,
                                           const char    *message);
void             srv_response_error_extra (SrvResponse   *response,
                                           guint          status,
                                           const char    *code,
                                           const char    *message,
                                           JsonObject    *extra);
void             srv_response_db_error    (SrvResponse   *response,
                                           const GError  *error);
void             srv_response_wire_error  (SrvResponse   *response,
                                           const GError  *error);

G_END_DECLS
