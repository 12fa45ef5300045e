/* cl-e2e.h: vaults driven through caseloadctl, and the list-append oracle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cl-fault-proxy.h"
#include "cl-test-stack.h"

G_BEGIN_DECLS

typedef struct {
  char *dir;         /* the vault folder */
  char *pass_file;
  char *username;
  char *url;         /* what it enrolled with (nginx, or the fault proxy) */
} ClE2eClient;

typedef struct {
  int      status;   /* caseloadctl's exit status */
  guint    pushed;
  guint    pulled;
  guint    conflicts;
  guint    rejected;
  guint    purged;
  gboolean full_resync;
  char    *out;
  char    *err;
} ClE2eSync;

#define CL_E2E_PASSPHRASE "e2e vault passphrase"

void          cl_e2e_init            (int          *argc,
                                      char       ***argv);
ClTestTls    *cl_e2e_tls             (void);
gboolean      cl_e2e_long            (void);

ClE2eClient  *cl_e2e_client_new      (ClTestStack  *stack,
                                      const char   *username,
                                      const char   *url);
ClE2eClient  *cl_e2e_client_new_unenrolled (ClTestStack *stack,
                                      const char   *username);
void          cl_e2e_client_free     (ClE2eClient  *client);
char         *cl_e2e_ctl             (ClE2eClient  *client,
                                      const char * const *env,
                                      int          *status,
                                      char        **err,
                                      ...) G_GNUC_NULL_TERMINATED;
GSubprocess  *cl_e2e_ctl_spawn       (ClE2eClient  *client,
                                      const char * const *env,
                                      ...) G_GNUC_NULL_TERMINATED;
int           cl_e2e_wait            (GSubprocess  *process,
                                      guint         timeout_ms);
char         *cl_e2e_add             (ClE2eClient  *client,
                                      const char   *type,
                                      ...) G_GNUC_NULL_TERMINATED;
void          cl_e2e_set             (ClE2eClient  *client,
                                      const char   *type,
                                      const char   *id,
                                      ...) G_GNUC_NULL_TERMINATED;
char         *cl_e2e_new_case        (ClE2eClient  *client,
                                      const char   *name,
                                      const char   *command);
char         *cl_e2e_note            (ClE2eClient  *client,
                                      const char   *case_id,
                                      const char   *token);
void          cl_e2e_sync            (ClE2eClient  *client,
                                      const char * const *env,
                                      ClE2eSync    *result);
void          cl_e2e_sync_ok         (ClE2eClient  *client,
                                      ClE2eSync    *result);
void          cl_e2e_sync_clear      (ClE2eSync    *result);
char         *cl_e2e_status          (ClE2eClient  *client,
                                      const char   *key);
gint64        cl_e2e_pending         (ClE2eClient  *client);
char         *cl_e2e_field           (ClE2eClient  *client,
                                      const char   *type,
                                      const char   *id,
                                      const char   *field);

GPtrArray    *cl_e2e_vault_tokens    (ClE2eClient  *client);
GPtrArray    *cl_e2e_server_tokens   (ClTestStack  *stack);
void          cl_e2e_assert_vault_matches_server (ClE2eClient *client,
                                      ClTestStack  *stack,
                                      const char   *type,
                                      gboolean      complete);
gsize         cl_e2e_count_in_vault_db (ClE2eClient *client,
                                      const char   *needle);
char         *cl_e2e_vault_rows      (ClE2eClient  *client,
                                      const char   *sql);
void          cl_e2e_assert_converged (ClTestStack *stack,
                                      ClE2eClient **clients,
                                      guint         n_clients,
                                      GHashTable   *committed);

void          cl_e2e_sync_logged     (ClE2eClient  *client,
                                      ClE2eSync    *result);
void          cl_e2e_sync_expect     (ClE2eClient  *client,
                                      const char   *expect);

ClFaultProxy *cl_e2e_https_proxy     (ClTestStack  *stack);
char         *cl_e2e_proxy_url       (ClFaultProxy *proxy);

JsonArray    *cl_e2e_conflicts       (ClE2eClient  *client);
const char   *cl_e2e_json_string     (JsonArray    *list,
                                      guint         index,
                                      const char   *name);
void          cl_e2e_resolve         (ClE2eClient  *client,
                                      const char   *conflict_id,
                                      const char   *keep);
char         *cl_e2e_make_conflict   (ClE2eClient  *winner,
                                      ClE2eClient  *loser,
                                      const char   *case_id,
                                      const char   *winner_value,
                                      const char   *loser_value);
char         *cl_e2e_server_field    (ClTestStack  *stack,
                                      const char   *id,
                                      const char   *field);
void          cl_e2e_assert_assigned (ClTestStack  *stack,
                                      ClE2eClient **clients,
                                      guint         n_clients,
                                      const char   *case_id,
                                      const char   *expected);

/* A case and what hangs off it, as a test follows them in and out of vaults. */
typedef struct {
  char *kase;
  char *client;
  char *note;
  char *contact;   /* NULL when the test made none */
} ClE2eHeld;

void          cl_e2e_held_clear      (ClE2eHeld    *held);
guint         cl_e2e_count_held      (ClE2eClient  *client,
                                      const ClE2eHeld *held);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClE2eClient, cl_e2e_client_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClE2eHeld, cl_e2e_held_clear)

G_END_DECLS
