/* srv-test.h: a throwaway database, a real caseload-server process and an HTTP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

#include "cl-wire.h"

G_BEGIN_DECLS

#define SRV_TEST_PASSWORD "correct horse battery staple"

typedef struct {
  char        *dbname;
  char        *conninfo;
  char        *tmpdir;
  char        *socket_path;
  char        *config_path;
  char        *log_path;
  GSubprocess *server;
  gboolean     quiet;        /* start the server without G_MESSAGES_DEBUG, as deployed */
  GStrv        server_env;   /* (nullable): NAME=VALUE more for the server's environment */
  SoupSession *session;
  PGconn      *conn;         /* the test's own connection, for checks */
} SrvTestEnv;

typedef struct {
  char        *username;
  char        *token;
  char        *refresh_token;
  char        *device_id;
  gint64       next_seq;
  gint64       cursor;
  SoupSession *session;   /* (nullable): its own, for use from another thread */
} SrvTestDevice;

typedef struct {
  guint   status;
  GBytes *body;
  char   *retry_after;
} SrvTestReply;

const char    *srv_test_server_path     (void);
void           srv_test_init            (int          *argc,
                                         char       ***argv);

SrvTestEnv    *srv_test_env_new         (const char   *config);
SrvTestEnv    *srv_test_env_new_stopped (const char   *config);
void           srv_test_env_free        (SrvTestEnv   *env);
void           srv_test_write_config    (SrvTestEnv   *env,
                                         const char   *config);
void           srv_test_server_start    (SrvTestEnv   *env);
int            srv_test_server_stop     (SrvTestEnv   *env,
                                         int           signum);
char          *srv_test_read_log        (SrvTestEnv   *env);

int            srv_test_cli             (SrvTestEnv   *env,
                                         char        **output,
                                         const char   *first_arg,
                                         ...) G_GNUC_NULL_TERMINATED;
int            srv_test_cli_input       (SrvTestEnv   *env,
                                         const char   *input,
                                         char        **output,
                                         const char * const *args);
char          *srv_test_add_user        (SrvTestEnv   *env,
                                         const char   *username,
                                         const char   *role,
                                         const char   *commands);

void           srv_test_admin_sql       (const char   *sql);
char          *srv_test_sql             (SrvTestEnv   *env,
                                         const char   *sql,
                                         ...) G_GNUC_NULL_TERMINATED;
gint64         srv_test_sql_int         (SrvTestEnv   *env,
                                         const char   *sql,
                                         ...) G_GNUC_NULL_TERMINATED;

SrvTestReply  *srv_test_request         (SrvTestEnv   *env,
                                         const char   *method,
                                         const char   *path,
                                         const char   *token,
                                         const char   *body,
                                         gssize        len);
SrvTestReply  *srv_test_request_full    (SoupSession  *session,
                                         const char   *base_uri,
                                         const char   *method,
                                         const char   *path,
                                         const char   *token,
                                         const char   *content_type,
                                         const char   *body,
                                         gssize        len);
void           srv_test_reply_free      (SrvTestReply *reply);
const char    *srv_test_reply_text      (SrvTestReply *reply);
char          *srv_test_reply_code      (SrvTestReply *reply);

SrvTestDevice *srv_test_login           (SrvTestEnv   *env,
                                         const char   *username);
void           srv_test_device_free     (SrvTestDevice *device);
SoupSession   *srv_test_session_new     (SrvTestEnv   *env);

ClWireMutation *srv_test_mutation       (SrvTestDevice *device,
                                         const char   *type,
                                         const char   *record,
                                         ClWireOp      op,
                                         gint64        base_version,
                                         ...) G_GNUC_NULL_TERMINATED;
SrvTestReply  *srv_test_push_raw        (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         GPtrArray    *mutations);
ClWirePushResponse *srv_test_push       (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         ClWireMutation *first,
                                         ...) G_GNUC_NULL_TERMINATED;
ClWireResult  *srv_test_push_one        (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         ClWireMutation *mutation);
SrvTestReply  *srv_test_pull_raw        (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         gint64        cursor,
                                         gint64        limit,
                                         const char   *digest);
ClWirePullResponse *srv_test_pull       (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         gint64        cursor,
                                         gint64        limit);
GHashTable    *srv_test_pull_all        (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         GHashTable   *state);

/* Test data builders. */
char          *srv_test_new_client      (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         const char   *pseudonym);
char          *srv_test_new_case        (SrvTestEnv   *env,
                                         SrvTestDevice *device,
                                         const char   *client,
                                         const char   *command);
gint64         srv_test_record_version  (SrvTestEnv   *env,
                                         const char   *record);

/* nginx in front, as deployed: data/nginx-caseload.conf with a test CA made by openssl. */
typedef struct {
  char        *dir;
  char        *ca_path;
  char        *base_uri;     /* https://localhost:PORT */
  guint16      port;
  GSubprocess *process;
} SrvTestNginx;

guint16        srv_test_free_port       (void);
SrvTestNginx  *srv_test_nginx_start     (const char * const *sockets);
SrvTestNginx  *srv_test_nginx_start_full (const char * const *sockets,
                                          gboolean            rate_limits);
void           srv_test_nginx_stop      (SrvTestNginx *nginx);
SoupSession   *srv_test_nginx_session   (SrvTestNginx *nginx,
                                         const char   *local_address);
GSubprocess   *srv_test_server_spawn    (SrvTestEnv   *env,
                                         const char   *socket_path,
                                         const char   *log_path);
char          *srv_test_run             (const char   *first_arg,
                                         ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvTestEnv, srv_test_env_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvTestNginx, srv_test_nginx_stop)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvTestReply, srv_test_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvTestDevice, srv_test_device_free)

G_END_DECLS
