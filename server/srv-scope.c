/* srv-scope.c: roles, sessions and the access rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every record carries a scope: a set of tokens. 'cmd:<code>' for case content of a
 * command, 'user:<account id>' for a client nobody has opened a case for yet (its creator's)
 * and for audit events (their author's), 'ref' for reference data. Restricted content
 * (DOMAIN.md rule 4) holds instead 'restricted', which nobody holds, and for each named user
 * 'named:<username>:<code>' (held by that user if they work in or supervise the command) and
 * 'named:<username>' (held by that user if a director). docs/PROTOCOL.md, "Scope", states
 * the rules these functions implement:
 *
 *  - advocates and supervisors read and write case content holding a 'cmd:' token of one of
 *    their commands, a 'named:' token of themselves in one of their commands, or their own
 *    'user:' token; a case's command may only be set to one of their commands;
 *  - directors read all case content but restricted content they are not named on, and
 *    write none;
 *  - data and admin roles see no case content; admins write commands, staff and partners,
 *    supervisors partners;
 *  - everyone reads reference data and writes (creates) their own audit events.
 */

#define G_LOG_DOMAIN "srv-scope"

#include <string.h>

#include "srv-scope.h"

static const char * const role_names[] = {
  [SRV_ROLE_ADVOCATE_DV] = "advocate_dv",
  [SRV_ROLE_ADVOCATE_CV] = "advocate_cv",
  [SRV_ROLE_SUPERVISOR] = "supervisor",
  [SRV_ROLE_DIRECTOR] = "director",
  [SRV_ROLE_DATA] = "data",
  [SRV_ROLE_ADMIN] = "admin",
};

SrvSession *
srv_session_new (void)
{
  SrvSession *s = g_new0 (SrvSession, 1);

  s->role = SRV_ROLE_INVALID;
  return s;
}

void
srv_session_free (SrvSession *session)
{
  if (session == NULL)
    return;
  g_free (session->account_id);
  g_free (session->username);
  g_strfreev (session->commands);
  g_free (session->device_id);
  g_free (session->revoke_mode);
  g_free (session);
}

SrvRole
srv_role_from_string (const char *name)
{
  if (name == NULL)
    return SRV_ROLE_INVALID;
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (strcmp (role_names[i], name) == 0)
      return (SrvRole) i;
  return SRV_ROLE_INVALID;
}

const char *
srv_role_to_string (SrvRole role)
{
  if (role < 0 || (guint) role >= G_N_ELEMENTS (role_names))
    return "invalid";
  return role_names[role];
}

/* Roles whose scope is a set of commands. */
gboolean
srv_role_has_commands (SrvRole role)
{
  return role == SRV_ROLE_ADVOCATE_DV || role == SRV_ROLE_ADVOCATE_CV ||
         role == SRV_ROLE_SUPERVISOR;
}

char *
srv_scope_token_command (const char *code)
{
  return g_strconcat ("cmd:", code, NULL);
}

char *
srv_scope_token_user (const char *account_id)
{
  return g_strconcat ("user:", account_id, NULL);
}

/**
 * srv_scope_token_named:
 * @username: a valid username (cl_is_username()): it holds no ':'
 * @code: (nullable): a command code, or %NULL for the token directors hold
 */
char *
srv_scope_token_named (const char *username,
                       const char *code)
{
  if (code == NULL)
    return g_strconcat ("named:", username, NULL);
  return g_strconcat ("named:", username, ":", code, NULL);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted, without duplicates: the one form scopes are compared and stored in. */
GStrv
srv_scope_normalize (GStrv scope)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  guint n = scope != NULL ? g_strv_length (scope) : 0;
  g_autofree char **sorted = g_new0 (char *, n + 1);

  if (n > 0)
    memcpy (sorted, scope, n * sizeof (char *));
  qsort (sorted, n, sizeof (char *), compare_strings);
  for (guint i = 0; i < n; i++)
    if (i == 0 || strcmp (sorted[i], sorted[i - 1]) != 0)
      g_ptr_array_add (out, g_strdup (sorted[i]));
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

gboolean
srv_scope_equal (GStrv a,
                 GStrv b)
{
  g_auto(GStrv) na = srv_scope_normalize (a);
  g_auto(GStrv) nb = srv_scope_normalize (b);

  return g_strv_equal ((const char * const *) na, (const char * const *) nb);
}

/**
 * srv_scope_read_tokens:
 * @all_content: (out): whether the session reads all case content (directors)
 *
 * Returns: (transfer full): the tokens whose records the session may read
 */
GStrv
srv_scope_read_tokens (const SrvSession *session,
                       gboolean         *all_content)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  *all_content = session->role == SRV_ROLE_DIRECTOR;
  g_strv_builder_add (b, SRV_SCOPE_TOKEN_REF);
  srv_strv_builder_take (b, srv_scope_token_user (session->account_id));
  if (srv_role_has_commands (session->role))
    for (guint i = 0; session->commands != NULL && session->commands[i] != NULL; i++)
      {
        srv_strv_builder_take (b, srv_scope_token_command (session->commands[i]));
        srv_strv_builder_take (b, srv_scope_token_named (session->username,
                                                         session->commands[i]));
      }
  if (session->role == SRV_ROLE_DIRECTOR)
    {
      g_strv_builder_add (b, SRV_SCOPE_TOKEN_CONTENT);
      srv_strv_builder_take (b, srv_scope_token_named (session->username, NULL));
    }
  return g_strv_builder_end (b);
}

gboolean
srv_scope_is_restricted (GStrv scope)
{
  return scope != NULL && g_strv_contains ((const char * const *) scope,
                                           SRV_SCOPE_TOKEN_RESTRICTED);
}

static gboolean
intersects (GStrv a,
            GStrv b)
{
  for (guint i = 0; a != NULL && a[i] != NULL; i++)
    if (b != NULL && g_strv_contains ((const char * const *) b, a[i]))
      return TRUE;
  return FALSE;
}

/**
 * srv_scope_for_new:
 * @type: the type of a record being created, not a case (srv_scope_for_case())
 * @account_id: its creator
 * @parent_scope: (nullable): the scope of its parent (client or case)
 * @restricted: for a client, whether it is restricted
 *
 * Returns: (transfer full): the scope the record gets
 */
GStrv
srv_scope_for_new (const ClType *type,
                   const char   *account_id,
                   GStrv         parent_scope,
                   gboolean      restricted)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (strcmp (type->name, "case") != 0, NULL);

  if (type->flags & CL_TYPE_REFERENCE)
    g_strv_builder_add (b, SRV_SCOPE_TOKEN_REF);
  else if (type->parent != NULL)
    g_strv_builder_addv (b, (const char **) parent_scope);
  else
    {
      /* A client before its first case, an audit event: its author's. */
      srv_strv_builder_take (b, srv_scope_token_user (account_id));
      if (restricted && strcmp (type->name, "client") == 0)
        g_strv_builder_add (b, SRV_SCOPE_TOKEN_RESTRICTED);
    }
  return g_strv_builder_end (b);
}

/* Only usernames make tokens (they hold no ':', so a token reads one way only). */
static gboolean
add_named (GStrvBuilder *b,
           const char   *username,
           const char   *command)
{
  if (!cl_is_username (username))
    return FALSE;
  if (command != NULL)
    srv_strv_builder_take (b, srv_scope_token_named (username, command));
  srv_strv_builder_take (b, srv_scope_token_named (username, NULL));
  return TRUE;
}

/**
 * srv_scope_for_case:
 * @command: (nullable): the case's command code
 * @restricted: whether the case, or its client, is restricted
 * @named_users: (nullable): the case's named users, as normalized (';' between usernames)
 * @assigned_to: (nullable): the case's assigned advocate, who always counts as named
 * @created_by: (nullable): the account that created the case
 *
 * Returns: (transfer full): the scope of the case and of what hangs off it: its command;
 *   restricted, its named users in its command (and, for directors, anywhere), or its
 *   creator when that names nobody, so a restricted case never becomes invisible to all
 */
GStrv
srv_scope_for_case (const char *command,
                    gboolean    restricted,
                    const char *named_users,
                    const char *assigned_to,
                    const char *created_by)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) named = NULL;
  g_autofree char *assigned = NULL;
  g_auto(GStrv) scope = NULL;
  gboolean anyone = FALSE;

  if (!restricted)
    {
      if (command != NULL)
        srv_strv_builder_take (b, srv_scope_token_command (command));
      return g_strv_builder_end (b);
    }

  g_strv_builder_add (b, SRV_SCOPE_TOKEN_RESTRICTED);
  named = g_strsplit (named_users != NULL ? named_users : "", ";", -1);
  for (guint i = 0; named[i] != NULL; i++)
    anyone |= add_named (b, named[i], command);
  /* assigned_to is free text: it counts when it is one username, in any letter case. */
  if (assigned_to != NULL)
    {
      assigned = g_ascii_strdown (assigned_to, -1);
      anyone |= add_named (b, assigned, command);
    }
  if (!anyone && created_by != NULL)
    srv_strv_builder_take (b, srv_scope_token_user (created_by));
  scope = g_strv_builder_end (b);
  return srv_scope_normalize (scope);
}

/**
 * srv_scope_can_write:
 * @type: the record's type
 * @scope: the record's scope, or the scope it would get when created
 *
 * Returns: whether the session may create, change or delete such a record
 */
gboolean
srv_scope_can_write (const SrvSession *session,
                     const ClType     *type,
                     GStrv             scope)
{
  g_autofree char *own = srv_scope_token_user (session->account_id);
  g_auto(GStrv) tokens = NULL;
  gboolean all_content;

  if (strcmp (type->name, "audit") == 0)
    return scope != NULL && scope[0] != NULL && scope[1] == NULL && strcmp (scope[0], own) == 0;

  if (type->flags & CL_TYPE_REFERENCE)
    {
      if (session->role == SRV_ROLE_ADMIN)
        return TRUE;
      return session->role == SRV_ROLE_SUPERVISOR && strcmp (type->name, "partner") == 0;
    }

  if (!srv_role_has_commands (session->role))
    return FALSE;

  /* Their commands, themselves named in one of them, themselves. */
  tokens = srv_scope_read_tokens (session, &all_content);
  return intersects (scope, tokens);
}

gboolean
srv_scope_can_use_command (const SrvSession *session,
                           const char       *code)
{
  return srv_role_has_commands (session->role) && session->commands != NULL && code != NULL &&
         g_strv_contains ((const char * const *) session->commands, code);
}
