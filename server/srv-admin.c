/* srv-admin.c: the administration subcommands (accounts, devices, garbage collection)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * They run on the server host as the operator, straight on the database. Every change is
 * audited (address "cli"). Passwords come from a file or standard input, never from the
 * command line.
 */

#define G_LOG_DOMAIN "srv-admin"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-admin.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-records.h"
#include "srv-scope.h"

static gboolean
audit_cli (PGconn      *conn,
           const char  *event,
           const char  *account_id,
           const char  *device_id,
           JsonObject  *detail,
           GError     **error)
{
  SrvAuditEntry entry = { event, "ok", account_id, device_id, "cli", .detail = detail };

  return srv_audit (conn, &entry, error);
}

/* "-": standard input, read whole (a pipe or a redirected file), never a terminal. The
 * buffer is one byte longer than the longest password with its line end, so a longer
 * one is seen and refused. */
static gboolean
read_stdin_password (char   **contents,
                     gsize   *len,
                     GError **error)
{
  const gsize cap = 1024 + 3;
  char *buf;
  gsize n = 0;

  if (isatty (STDIN_FILENO))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--password-file -: give the password on standard input from a file or a "
                   "pipe, not typed on the terminal (it would be seen)");
      return FALSE;
    }
  buf = g_malloc (cap + 1);
  while (n < cap)
    {
      ssize_t r = read (STDIN_FILENO, buf + n, cap - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;

          sodium_memzero (buf, cap + 1);
          g_free (buf);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Could not read the password from standard input: %s",
                       g_strerror (saved));
          return FALSE;
        }
      if (r == 0)
        break;
      n += (gsize) r;
    }
  buf[n] = '\0';
  *contents = buf;
  *len = n;
  return TRUE;
}

/* The password in the file at @path, or on standard input for "-". */
static char *
read_password (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *password;

  if (g_strcmp0 (path, "-") == 0 ? !read_stdin_password (&contents, &len, error)
                                 : !g_file_get_contents (path, &contents, &len, error))
    return NULL;
  /* One line; the newline an editor adds is not part of it. */
  while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
    contents[--len] = '\0';
  if (memchr (contents, '\0', len) != NULL || strchr (contents, '\n') != NULL ||
      !g_utf8_validate (contents, len, NULL))
    {
      sodium_memzero (contents, len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The password file must hold one line of text");
      return NULL;
    }
  if (g_utf8_strlen (contents, -1) < SRV_AUTH_MIN_PASSWORD || len > 1024)
    {
      sodium_memzero (contents, len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "A password has %d to 1024 characters", SRV_AUTH_MIN_PASSWORD);
      return NULL;
    }
  password = g_strndup (contents, len);
  sodium_memzero (contents, len);
  return password;
}

/* The command codes given on the command line, normalized, each one the server knows,
 * sorted and without duplicates. */
static GStrv
check_commands (PGconn      *conn,
                GStrv        commands,
                GError     **error)
{
  const ClField *command_field = cl_type_lookup_field (cl_schema_lookup_type ("case"),
                                                       "command");
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
    {
      g_autofree char *code = cl_field_normalize (command_field, commands[i], NULL);
      gboolean exists = FALSE;

      if (code == NULL || !srv_record_command_exists (conn, code, &exists, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "“%s” is not a command code", commands[i]);
          return NULL;
        }
      if (!exists)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "There is no command “%s”", code);
          return NULL;
        }
      g_ptr_array_add (codes, g_steal_pointer (&code));
    }
  g_ptr_array_add (codes, NULL);
  return srv_scope_normalize ((GStrv) codes->pdata);
}

static gboolean
insert_commands (PGconn      *conn,
                 const char  *account_id,
                 GStrv        codes,
                 GError     **error)
{
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autoptr(PGresult) r = srv_db_exec (conn, error,
                                           "INSERT INTO account_command (account_id, command) "
                                           "VALUES ($1, $2)",
                                           account_id, codes[i], SRV_DB_END);
      if (r == NULL)
        return FALSE;
    }
  return TRUE;
}

static JsonArray *
strv_to_array (GStrv strv)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (a, strv[i]);
  return a;
}

gboolean
srv_admin_user_add (PGconn      *conn,
                    const char  *username,
                    const char  *role_name,
                    GStrv        commands,
                    const char  *password_file,
                    GError     **error)
{
  SrvRole role = srv_role_from_string (role_name);
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *id = cl_uuid_new ();
  g_auto(GStrv) codes = NULL;
  g_autoptr(JsonObject) detail = json_object_new ();

  if (username == NULL || !cl_is_username (username))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A username has 1 to 64 lower-case letters, digits, '.', '_' or '-'");
      return FALSE;
    }
  if (role == SRV_ROLE_INVALID)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The role is one of advocate_dv, advocate_cv, supervisor, director, data, "
                   "admin");
      return FALSE;
    }
  if (srv_role_has_commands (role) && (commands == NULL || commands[0] == NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Advocates and supervisors need at least one --command");
      return FALSE;
    }
  if (!srv_role_has_commands (role) && commands != NULL && commands[0] != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Only advocates and supervisors have commands");
      return FALSE;
    }
  if (password_file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--password-file is required");
      return FALSE;
    }

  codes = check_commands (conn, commands, error);
  if (codes == NULL)
    return FALSE;

  password = read_password (password_file, error);
  if (password == NULL)
    return FALSE;
  hash = srv_auth_hash_password (password, error);
  sodium_memzero (password, strlen (password));
  if (hash == NULL)
    return FALSE;

  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  {
    g_autoptr(PGresult) r = srv_db_exec (conn, error,
                                         "INSERT INTO account (id, username, role, password_hash) "
                                         "VALUES ($1, $2, $3, $4)",
                                         id, username, role_name, hash, SRV_DB_END);
    if (r == NULL)
      {
        if (g_error_matches (*error, SRV_DB_ERROR, SRV_DB_ERROR_UNIQUE))
          {
            g_clear_error (error);
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                         "There is already a user “%s”", username);
          }
        goto fail;
      }
  }
  if (!insert_commands (conn, id, codes, error))
    goto fail;
  json_object_set_string_member (detail, "role", role_name);
  json_object_set_int_member (detail, "commands", g_strv_length (codes));
  if (!audit_cli (conn, "admin.user_add", id, NULL, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;

  g_print ("%s\n", id);
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

/**
 * srv_admin_user_set_disabled:
 * @disabled: %TRUE for `user disable` (the account's sign-ins and devices are refused; its
 *   revoked devices are still told to erase themselves), %FALSE for `user enable` (it may
 *   sign in again; its revoked devices stay revoked)
 */
gboolean
srv_admin_user_set_disabled (PGconn      *conn,
                             const char  *username,
                             gboolean     disabled,
                             GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  if (username == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--username is required");
      return FALSE;
    }
  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  r = srv_db_exec (conn, error,
                   "UPDATE account a SET disabled_at = CASE WHEN $2::boolean "
                   "THEN coalesce(o.disabled_at, now()) END "
                   "FROM (SELECT id, disabled_at FROM account WHERE username = $1 FOR UPDATE) o "
                   "WHERE a.id = o.id RETURNING a.id, (o.disabled_at IS NOT NULL) = $2::boolean",
                   username, disabled ? "true" : "false", SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no user “%s”", username);
      goto fail;
    }
  if (srv_db_get_bool (r, 0, 1))
    {
      srv_db_rollback (conn);
      g_print ("%s is %s already: nothing changed\n", username,
               disabled ? "disabled" : "enabled");
      return TRUE;
    }
  if (!audit_cli (conn, disabled ? "admin.user_disable" : "admin.user_enable",
                  srv_db_get (r, 0, 0), NULL, NULL, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  if (disabled)
    g_print ("Disabled %s: their devices are refused from now on\n", username);
  else
    g_print ("Enabled %s: they may sign in again\n", username);
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

/**
 * srv_admin_user_passwd:
 *
 * Sets a new password from @password_file and forces a change at the next sign-in: the
 * user signs in once with it, giving the password they choose (docs/PROTOCOL.md). Devices
 * already signed in stay so.
 */
gboolean
srv_admin_user_passwd (PGconn      *conn,
                       const char  *username,
                       const char  *password_file,
                       GError     **error)
{
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) r = NULL;

  if (username == NULL || password_file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--username and --password-file are required");
      return FALSE;
    }
  password = read_password (password_file, error);
  if (password == NULL)
    return FALSE;
  hash = srv_auth_hash_password (password, error);
  sodium_memzero (password, strlen (password));
  if (hash == NULL)
    return FALSE;

  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  r = srv_db_exec (conn, error,
                   "UPDATE account SET password_hash = $2, password_must_change = true "
                   "WHERE username = $1 RETURNING id, disabled_at IS NOT NULL",
                   username, hash, SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no user “%s”", username);
      goto fail;
    }
  if (!audit_cli (conn, "admin.user_passwd", srv_db_get (r, 0, 0), NULL, NULL, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Reset the password of %s: they choose a new one at their next sign-in%s\n",
           username, srv_db_get_bool (r, 0, 1) ? " (the account is disabled: user enable)"
                                                : "");
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

/* Records read with the tokens $1 (JSON) and all content $2, and not with $3 and $4. */
static const char scope_difference[] =
  "FROM record r WHERE " SRV_RECORDS_SQL_READS ("r", "$1", "$2")
  " AND NOT " SRV_RECORDS_SQL_READS ("r", "$3", "$4");

/* What changes for the account's devices when it reads as @after instead of @before:
 * every record it no longer reads gets a scope exit under the account's own token, each
 * at a version of its own (a page may end between two versions, never inside one), so
 * each device pulls a "remove" for it; *entering counts the records it now reads. Runs
 * under the clock's lock: no push or resolution changes a record meanwhile. */
static gboolean
rescope_account (PGconn      *conn,
                 SrvSession  *before,
                 SrvSession  *after,
                 gint64      *leaving,
                 gint64      *entering,
                 GError     **error)
{
  g_auto(GStrv) tokens_before = NULL;
  g_auto(GStrv) tokens_after = NULL;
  g_autofree char *json_before = NULL;
  g_autofree char *json_after = NULL;
  g_autofree char *own = srv_scope_token_user (after->account_id);
  g_autofree char *count_sql = NULL;
  g_autofree char *insert_sql = NULL;
  g_autoptr(PGresult) n = NULL;
  gboolean all_before, all_after;
  SrvClock clock;

  tokens_before = srv_scope_read_tokens (before, &all_before);
  tokens_after = srv_scope_read_tokens (after, &all_after);
  json_before = srv_json_strv (tokens_before);
  json_after = srv_json_strv (tokens_after);

  srv_clock_init (&clock, conn);
  if (!srv_clock_lock (&clock, error))
    return FALSE;
  count_sql = g_strconcat ("SELECT count(*) ", scope_difference, NULL);
  n = srv_db_exec (conn, error, count_sql, json_after, all_after ? "true" : "false",
                   json_before, all_before ? "true" : "false", SRV_DB_END);
  if (n == NULL)
    return FALSE;
  *entering = srv_db_get_int (n, 0, 0);
  g_clear_pointer (&n, PQclear);
  n = srv_db_exec (conn, error, count_sql, json_before, all_before ? "true" : "false",
                   json_after, all_after ? "true" : "false", SRV_DB_END);
  if (n == NULL)
    return FALSE;
  *leaving = srv_db_get_int (n, 0, 0);

  if (*leaving > 0)
    {
      g_autoptr(PGresult) x = NULL;
      g_autofree char *first_text = NULL;
      gint64 first;

      if (!srv_clock_take_n (&clock, *leaving, &first, error))
        return FALSE;
      first_text = srv_db_int (first);
      insert_sql = g_strconcat ("WITH x AS (INSERT INTO scope_exit (version, record_id, type, "
                                "token) SELECT $5::bigint + row_number() OVER (ORDER BY r.id) "
                                "- 1, r.id, r.type, $6 ", scope_difference,
                                " RETURNING 1) SELECT count(*) FROM x", NULL);
      x = srv_db_exec (conn, error, insert_sql, json_before, all_before ? "true" : "false",
                       json_after, all_after ? "true" : "false", first_text, own,
                       SRV_DB_END);
      if (x == NULL)
        return FALSE;
      /* Fewer if gc purged a tombstone meanwhile: a version unused is no harm. */
      *leaving = srv_db_get_int (x, 0, 0);
    }
  return srv_clock_finish (&clock, error);
}

/**
 * srv_admin_user_set:
 * @role_name: (nullable): the new role, or %NULL to keep the account's
 * @commands: (nullable): the account's commands from now on (all of them), or %NULL to keep
 *   them; a role without commands drops them
 *
 * Changes an active account's role or commands. Its devices converge on their next sync:
 * records the account no longer reads get scope exits (the devices pull a "remove" for
 * each); when it now reads records it did not, its scope epoch grows and each device
 * resynchronizes from the start (410 scope_changed), receiving them however old.
 */
gboolean
srv_admin_user_set (PGconn      *conn,
                    const char  *username,
                    const char  *role_name,
                    GStrv        commands,
                    GError     **error)
{
  g_autoptr(SrvSession) before = srv_session_new ();
  g_autoptr(SrvSession) after = srv_session_new ();
  g_autoptr(JsonObject) detail = json_object_new ();
  g_autoptr(PGresult) r = NULL;
  g_autoptr(PGresult) u = NULL;
  g_auto(GStrv) codes = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *outcome = NULL;
  gint64 leaving = 0, entering = 0;

  if (username == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "--username is required");
      return FALSE;
    }
  if (role_name == NULL && commands == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Nothing to set: give --role, --command or both");
      return FALSE;
    }
  if (role_name != NULL && srv_role_from_string (role_name) == SRV_ROLE_INVALID)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The role is one of advocate_dv, advocate_cv, supervisor, director, data, "
                   "admin");
      return FALSE;
    }
  if (commands != NULL && (codes = check_commands (conn, commands, error)) == NULL)
    return FALSE;

  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  r = srv_db_exec (conn, error,
                   "SELECT a.id, a.role, a.disabled_at IS NOT NULL, "
                   "coalesce((SELECT array_to_json(array_agg(command)) FROM account_command "
                   "WHERE account_id = a.id), '[]')::text "
                   "FROM account a WHERE a.username = $1 FOR UPDATE",
                   username, SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no user “%s”", username);
      goto fail;
    }
  if (srv_db_get_bool (r, 0, 2))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The account “%s” is disabled: user set changes active accounts only",
                   username);
      goto fail;
    }

  before->account_id = g_strdup (srv_db_get (r, 0, 0));
  before->username = g_strdup (username);
  before->role = srv_role_from_string (srv_db_get (r, 0, 1));
  {
    g_auto(GStrv) stored = srv_json_parse_strv (srv_db_get (r, 0, 3));
    before->commands = srv_scope_normalize (stored);
  }
  after->account_id = g_strdup (before->account_id);
  after->username = g_strdup (username);
  after->role = role_name != NULL ? srv_role_from_string (role_name) : before->role;
  if (codes != NULL)
    after->commands = g_strdupv (codes);
  else if (srv_role_has_commands (after->role))
    after->commands = g_strdupv (before->commands);
  else
    after->commands = g_new0 (char *, 1);

  if (srv_role_has_commands (after->role) && after->commands[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Advocates and supervisors need at least one --command");
      goto fail;
    }
  if (!srv_role_has_commands (after->role) && codes != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Only advocates and supervisors have commands");
      goto fail;
    }
  if (after->role == before->role &&
      g_strv_equal ((const char * const *) after->commands,
                    (const char * const *) before->commands))
    {
      srv_db_rollback (conn);
      g_print ("%s already has role %s and these commands: nothing changed\n", username,
               srv_role_to_string (before->role));
      return TRUE;
    }

  if (!rescope_account (conn, before, after, &leaving, &entering, error))
    goto fail;
  u = srv_db_exec (conn, error,
                   "UPDATE account SET role = $2, "
                   "scope_epoch = scope_epoch + CASE WHEN $3::boolean THEN 1 ELSE 0 END "
                   "WHERE id = $1",
                   after->account_id, srv_role_to_string (after->role),
                   entering > 0 ? "true" : "false", SRV_DB_END);
  if (u == NULL)
    goto fail;
  g_clear_pointer (&u, PQclear);
  u = srv_db_exec (conn, error, "DELETE FROM account_command WHERE account_id = $1",
                   after->account_id, SRV_DB_END);
  if (u == NULL || !insert_commands (conn, after->account_id, after->commands, error))
    goto fail;

  json_object_set_string_member (detail, "role", srv_role_to_string (after->role));
  json_object_set_array_member (detail, "commands", strv_to_array (after->commands));
  json_object_set_string_member (detail, "previous_role", srv_role_to_string (before->role));
  json_object_set_array_member (detail, "previous_commands", strv_to_array (before->commands));
  json_object_set_int_member (detail, "removed", leaving);
  json_object_set_boolean_member (detail, "resync", entering > 0);
  if (!audit_cli (conn, "admin.user_set", after->account_id, NULL, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;

  listed = after->commands[0] != NULL ? g_strjoinv (",", after->commands) : g_strdup ("-");
  if (leaving > 0)
    outcome = g_strdup_printf ("at their next sync their devices remove %" G_GINT64_FORMAT
                               " records%s", leaving,
                               entering > 0 ? " and resynchronize" : "");
  else
    outcome = g_strdup (entering > 0 ? "at their next sync their devices resynchronize"
                                     : "their devices keep what they hold");
  g_print ("Changed %s: role %s, commands %s; %s\n", username,
           srv_role_to_string (after->role), listed, outcome);
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

gboolean
srv_admin_user_list (PGconn  *conn,
                     GError **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT a.username, a.role, "
                   "coalesce(string_agg(c.command, ',' ORDER BY c.command), '-'), "
                   "CASE WHEN a.disabled_at IS NULL THEN 'active' ELSE 'disabled' END, "
                   "(SELECT count(*) FROM device d WHERE d.account_id = a.id "
                   " AND d.revoked_at IS NULL) "
                   "FROM account a LEFT JOIN account_command c ON c.account_id = a.id "
                   "GROUP BY a.id ORDER BY a.username",
                   SRV_DB_END);
  if (r == NULL)
    return FALSE;
  g_print ("%-24s %-12s %-24s %-9s %s\n", "USERNAME", "ROLE", "COMMANDS", "STATUS", "DEVICES");
  for (int i = 0; i < PQntuples (r); i++)
    g_print ("%-24s %-12s %-24s %-9s %s\n", srv_db_get (r, i, 0), srv_db_get (r, i, 1),
             srv_db_get (r, i, 2), srv_db_get (r, i, 3), srv_db_get (r, i, 4));
  return TRUE;
}

gboolean
srv_admin_device_list (PGconn      *conn,
                       const char  *username,
                       GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT d.id, a.username, d.name, "
                   "to_char(d.enrolled_at, 'YYYY-MM-DD HH24:MI'), "
                   "coalesce(to_char(d.last_seen_at, 'YYYY-MM-DD HH24:MI'), '-'), d.last_seq, "
                   "CASE WHEN d.erased_at IS NOT NULL THEN 'erased (' || d.revoke_mode || ')' "
                   "WHEN d.revoked_at IS NOT NULL THEN 'revoked (' || d.revoke_mode || ')' "
                   "WHEN d.token_hash IS NULL THEN 'signed out' ELSE 'active' END "
                   "FROM device d JOIN account a ON a.id = d.account_id "
                   "WHERE $1::text IS NULL OR a.username = $1 "
                   "ORDER BY a.username, d.enrolled_at",
                   username, SRV_DB_END);
  if (r == NULL)
    return FALSE;
  g_print ("%-36s %-16s %-16s %-16s %8s %-16s %s\n", "ID", "USER", "ENROLLED", "LAST SYNC",
           "LAST SEQ", "STATUS", "NAME");
  for (int i = 0; i < PQntuples (r); i++)
    {
      /* The device name is typed by its user: show printable text only. */
      g_autofree char *name = g_strdup (srv_db_get (r, i, 2) != NULL ? srv_db_get (r, i, 2)
                                                                     : "-");

      for (char *p = name; *p; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      g_print ("%-36s %-16s %-16s %-16s %8s %-16s %s\n", srv_db_get (r, i, 0),
               srv_db_get (r, i, 1), srv_db_get (r, i, 3), srv_db_get (r, i, 4),
               srv_db_get (r, i, 5), srv_db_get (r, i, 6), name);
    }
  return TRUE;
}

/**
 * srv_admin_device_revoke:
 * @mode: "retire" (the device may push what is left in its outbox, then erases itself) or
 *   "lost" (it must erase at once; its pushes are refused)
 */
gboolean
srv_admin_device_revoke (PGconn      *conn,
                         const char  *device_id,
                         const char  *mode,
                         GError     **error)
{
  g_autoptr(PGresult) r = NULL;
  g_autoptr(JsonObject) detail = json_object_new ();

  if (device_id == NULL || !cl_is_uuid (device_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Give the device's id");
      return FALSE;
    }
  if (g_strcmp0 (mode, "retire") != 0 && g_strcmp0 (mode, "lost") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--mode is retire or lost");
      return FALSE;
    }
  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  /* A retiring device may still be declared lost; never the other way round. */
  r = srv_db_exec (conn, error,
                   "UPDATE device SET revoked_at = coalesce(revoked_at, now()), "
                   "revoke_mode = CASE WHEN revoke_mode = 'lost' THEN 'lost' ELSE $2 END "
                   "WHERE id = $1 RETURNING account_id, revoke_mode",
                   device_id, mode, SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no such device");
      goto fail;
    }
  json_object_set_string_member (detail, "mode", srv_db_get (r, 0, 1));
  if (!audit_cli (conn, "admin.device_revoke", srv_db_get (r, 0, 0), device_id, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Revoked %s (%s): it is told so on its next contact\n", device_id,
           srv_db_get (r, 0, 1));
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

/**
 * srv_admin_device_reset:
 *
 * For a device whose count of changes and the server's cannot be brought together by sync
 * itself (it says so, and names this command): its next push is taken as it comes. The
 * first seq it sends starts its numbering afresh; what the mutation log holds under that
 * seq and later ones is forgotten. Nothing of the records changes, and nothing the device
 * holds is lost: its outbox is pushed as usual.
 */
gboolean
srv_admin_device_reset (PGconn      *conn,
                        const char  *device_id,
                        GError     **error)
{
  g_autoptr(PGresult) r = NULL;

  if (device_id == NULL || !cl_is_uuid (device_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Give the device's id");
      return FALSE;
    }
  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  r = srv_db_exec (conn, error,
                   "UPDATE device SET seq_reset = true WHERE id = $1 AND revoked_at IS NULL "
                   "RETURNING account_id, last_seq", device_id, SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "There is no such device, or it was revoked");
      goto fail;
    }
  if (!audit_cli (conn, "admin.device_reset", srv_db_get (r, 0, 0), device_id, NULL, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Reset %s (it had pushed up to change %s): its next push starts its count "
           "afresh\n", device_id, srv_db_get (r, 0, 1));
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

/**
 * srv_admin_gc:
 * @days: purge tombstones and scope exits older than this
 * @log_days: purge mutation log entries older than this, but the last
 *   %CL_WIRE_MAX_MUTATIONS seqs of each device that may still push
 *
 * Devices whose cursor is below the highest purged version get 410 and resynchronize. A
 * device replaying a seq whose entry is gone gets "seq_expired" for it; last_seq, in the
 * device row, keeps refusing gaps and counting on whatever is purged.
 */
gboolean
srv_admin_gc (PGconn      *conn,
              guint        days,
              guint        log_days,
              GError     **error)
{
  g_autofree char *interval = g_strdup_printf ("%u", days);
  g_autofree char *log_interval = g_strdup_printf ("%u", log_days);
  g_autofree char *keep = srv_db_int (CL_WIRE_MAX_MUTATIONS);
  g_autoptr(PGresult) t = NULL;
  g_autoptr(PGresult) e = NULL;
  g_autoptr(PGresult) l = NULL;
  g_autoptr(PGresult) h = NULL;
  g_autoptr(JsonObject) detail = json_object_new ();

  if (!srv_db_command (conn, "BEGIN", error))
    return FALSE;
  t = srv_db_exec (conn, error,
                   "WITH gone AS (DELETE FROM record WHERE deleted AND deleted_at < now() - "
                   "make_interval(days => $1::integer) RETURNING version) "
                   "SELECT count(*), coalesce(max(version), 0) FROM gone",
                   interval, SRV_DB_END);
  if (t == NULL)
    goto fail;
  e = srv_db_exec (conn, error,
                   "WITH gone AS (DELETE FROM scope_exit WHERE at < now() - "
                   "make_interval(days => $1::integer) RETURNING version) "
                   "SELECT count(*), coalesce(max(version), 0) FROM gone",
                   interval, SRV_DB_END);
  if (e == NULL)
    goto fail;
  /* The log answers replays, tells a device's own earlier writes from others' (no
   * conflict) and names who wrote a value a conflict kept: past log_days only a device
   * offline that long still needs it. The last batch of a device that may still push (at
   * most CL_WIRE_MAX_MUTATIONS seqs) stays whatever its age, for a device whose answer was
   * lost before it went offline; erased and lost devices never push again. */
  l = srv_db_exec (conn, error,
                   "WITH gone AS (DELETE FROM mutation_log l USING device d "
                   "WHERE d.id = l.device_id "
                   "AND l.at < now() - make_interval(days => $1::integer) "
                   "AND (l.seq <= d.last_seq - $2::bigint OR d.erased_at IS NOT NULL "
                   "OR d.revoke_mode = 'lost') RETURNING 1) "
                   "SELECT count(*) FROM gone",
                   log_interval, keep, SRV_DB_END);
  if (l == NULL)
    goto fail;
  {
    g_autofree char *horizon = srv_db_int (MAX (srv_db_get_int (t, 0, 1),
                                                srv_db_get_int (e, 0, 1)));
    h = srv_db_exec (conn, error,
                     "UPDATE sync_meta SET gc_horizon = greatest(gc_horizon, $1::bigint) "
                     "RETURNING gc_horizon",
                     horizon, SRV_DB_END);
  }
  if (h == NULL)
    goto fail;
  json_object_set_int_member (detail, "tombstones", srv_db_get_int (t, 0, 0));
  json_object_set_int_member (detail, "scope_exits", srv_db_get_int (e, 0, 0));
  json_object_set_int_member (detail, "mutation_log", srv_db_get_int (l, 0, 0));
  json_object_set_int_member (detail, "horizon", srv_db_get_int (h, 0, 0));
  if (!audit_cli (conn, "admin.gc", NULL, NULL, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Purged %s tombstones, %s scope exits and %s mutation log entries; "
           "cursors below %s must resynchronize\n",
           srv_db_get (t, 0, 0), srv_db_get (e, 0, 0), srv_db_get (l, 0, 0),
           srv_db_get (h, 0, 0));
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}
