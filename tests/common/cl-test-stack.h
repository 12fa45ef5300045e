/* cl-test-stack.h: a throwaway sync stack for tests (PostgreSQL database, caseload-server,
 * nginx with a test CA)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* Certificates made with openssl for one test program. */
typedef struct {
  char *dir;
  char *ca;             /* the test CA (PEM) */
  char *server_cert;    /* localhost and 127.0.0.1, by the test CA */
  char *server_key;
  char *expired_cert;   /* by the test CA, expired */
  char *expired_key;
  char *wrong_host_cert;  /* by the test CA, for another host name */
  char *wrong_host_key;
  char *other_ca;       /* a CA this project does not trust */
  char *other_cert;     /* localhost, by the other CA */
  char *other_key;
} ClTestTls;

ClTestTls  *cl_test_tls_new           (const char   *dir);
void        cl_test_tls_free          (ClTestTls    *tls);

/* PostgreSQL 15's programs, as Debian installs them. */
#define CL_TEST_PG_BIN "/usr/lib/postgresql/15/bin"

/* A PostgreSQL 15 cluster of a test's own, on a Unix socket in its folder. */
typedef struct {
  char          *dir;           /* its folder (the postgres user's when run as root) */
  char          *data;          /* the data directory, DIR/data */
  char          *log;           /* PostgreSQL's log */
  guint16        port;
  uid_t          uid;           /* who runs it */
  gid_t          gid;
  GSubprocess   *postgres;      /* (nullable): the running server */
} ClTestCluster;

ClTestCluster *cl_test_cluster_new    (void);
void        cl_test_cluster_free      (ClTestCluster *cluster);
void        cl_test_cluster_start     (ClTestCluster *cluster);
void        cl_test_cluster_stop      (ClTestCluster *cluster);
char       *cl_test_cluster_run       (ClTestCluster *cluster,
                                       int           *status,
                                       char         **err,
                                       const char    *program,
                                       ...) G_GNUC_NULL_TERMINATED;
void        cl_test_cluster_run_ok    (ClTestCluster *cluster,
                                       const char    *program,
                                       ...) G_GNUC_NULL_TERMINATED;
void        cl_test_cluster_write     (ClTestCluster *cluster,
                                       const char    *path,
                                       const char    *text);

typedef struct {
  char          *dir;           /* temp root of the stack */
  char          *database;
  char          *conninfo;
  char          *conninfo_prefix; /* "host=… port=… user=… " of its own cluster, or "" */
  char          *socket;
  char          *config;        /* caseload-server keyfile */
  ClTestTls     *tls;           /* borrowed */
  GSubprocess   *server;
  GSubprocess   *nginx;
  guint16        port;          /* nginx's https port on 127.0.0.1 */
  char          *url;           /* https://localhost:PORT */
  char          *nginx_conf_extra;
  char          *cert;          /* (nullable): nginx's certificate instead of the TLS one */
  char          *key;
} ClTestStack;

/* Fails the test (with the reason) when PostgreSQL, nginx or the binaries are missing. */
ClTestStack *cl_test_stack_new        (ClTestTls    *tls,
                                       const char   *server_config,
                                       const char   *nginx_extra);
ClTestStack *cl_test_stack_new_in     (ClTestTls     *tls,
                                       ClTestCluster *cluster,
                                       const char    *server_config);
void        cl_test_stack_free        (ClTestStack  *stack);
void        cl_test_stack_stop_server (ClTestStack  *stack);
void        cl_test_stack_start_server (ClTestStack *stack);
void        cl_test_stack_restart_nginx (ClTestStack *stack,
                                       const char   *cert,
                                       const char   *key);
char       *cl_test_stack_admin       (ClTestStack  *stack,
                                       int          *status,
                                       ...) G_GNUC_NULL_TERMINATED;
void        cl_test_stack_user_add    (ClTestStack  *stack,
                                       const char   *username,
                                       const char   *role,
                                       const char   *commands);
char       *cl_test_stack_sql         (ClTestStack  *stack,
                                       const char   *sql);

char       *cl_test_run               (const char * const *argv,
                                       const char * const *envp,
                                       int          *status,
                                       char        **err);
guint16     cl_test_free_port         (void);
gboolean    cl_test_wait_port         (guint16       port,
                                       guint         timeout_ms);
const char *cl_test_binary            (const char   *env_name);

#define CL_TEST_SERVER_PASSWORD "server-password-1"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClTestStack, cl_test_stack_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClTestTls, cl_test_tls_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClTestCluster, cl_test_cluster_free)

G_END_DECLS
