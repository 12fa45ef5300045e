/* srv-scope.h: roles, sessions and the access rules (DESIGN.md §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cl-schema.h"

G_BEGIN_DECLS

typedef enum {
  SRV_ROLE_ADVOCATE_DV,
  SRV_ROLE_ADVOCATE_CV,
  SRV_ROLE_SUPERVISOR,
  SRV_ROLE_DIRECTOR,
  SRV_ROLE_DATA,
  SRV_ROLE_ADMIN,
  SRV_ROLE_INVALID = -1,
} SrvRole;

/* Who is asking, from which device: filled by srv_auth_session() for one request. */
typedef struct {
  char    *account_id;
  char    *username;
  SrvRole  role;
  GStrv    commands;     /* command codes the user works in or supervises */
  char    *device_id;
  char    *revoke_mode;  /* (nullable): "retire" while a retiring device drains its outbox */
} SrvSession;

SrvSession *srv_session_new              (void);
void        srv_session_free             (SrvSession       *session);

SrvRole     srv_role_from_string         (const char       *name);
const char *srv_role_to_string           (SrvRole           role);
gboolean    srv_role_has_commands        (SrvRole           role);

char       *srv_scope_token_command      (const char       *code);
char       *srv_scope_token_user         (const char       *account_id);
char       *srv_scope_token_named        (const char       *username,
                                          const char       *code);
#define     SRV_SCOPE_TOKEN_REF          "ref"
/* In the scope of restricted content: held by nobody, it hides the record from directors. */
#define     SRV_SCOPE_TOKEN_RESTRICTED   "restricted"
/* Never in a scope: directors hold it, so a scope exit under it reaches their devices. */
#define     SRV_SCOPE_TOKEN_CONTENT      "content"

GStrv       srv_scope_read_tokens        (const SrvSession *session,
                                          gboolean         *all_content);
GStrv       srv_scope_for_new            (const ClType     *type,
                                          const char       *account_id,
                                          GStrv             parent_scope,
                                          gboolean          restricted);
GStrv       srv_scope_for_case           (const char       *command,
                                          gboolean          restricted,
                                          const char       *named_users,
                                          const char       *assigned_to,
                                          const char       *created_by);
gboolean    srv_scope_is_restricted      (GStrv             scope);
gboolean    srv_scope_can_write          (const SrvSession *session,
                                          const ClType     *type,
                                          GStrv             scope);
gboolean    srv_scope_can_use_command    (const SrvSession *session,
                                          const char       *code);
gboolean    srv_scope_equal              (GStrv             a,
                                          GStrv             b);
GStrv       srv_scope_normalize          (GStrv             scope);

/* g_strv_builder_take() is GLib 2.80. */
static inline void
srv_strv_builder_take (GStrvBuilder *builder,
                       char         *value)
{
  g_strv_builder_add (builder, value);
  g_free (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvSession, srv_session_free)

G_END_DECLS
