/* srv-admin.c: the administration subcommands (accounts, devices, garbage collection)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * They run on the server host as the operator, straight on the database. Every change is
 * audited (address "cli"). Passwords come from a file, never from the command line.
 */

#define G_LOG_DOMAIN "srv-admin"

#include <string.h>

#include <sodium.h>

#include "cl-schema.h"
#include "srv-admin.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-records.h"
#include "srv-scope.h"

#define MIN_PASSWORD 12

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

static char *
read_password (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *password;

  if (!g_file_get_contents (path, &contents, &len, error))
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
  if (g_utf8_strlen (contents, -1) < MIN_PASSWORD || len > 1024)
    {
      sodium_memzero (contents, len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "A password has %d to 1024 characters", MIN_PASSWORD);
      return NULL;
    }
  password = g_strndup (contents, len);
  sodium_memzero (contents, len);
  return password;
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
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) detail = json_object_new ();
  const ClField *command_field;

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

  command_field = cl_type_lookup_field (cl_schema_lookup_type ("case"), "command");
  for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
    {
      g_autofree char *code = cl_field_normalize (command_field, commands[i], NULL);
      gboolean exists = FALSE;

      if (code == NULL || !srv_record_command_exists (conn, code, &exists, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "“%s” is not a command code", commands[i]);
          return FALSE;
        }
      if (!exists)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "There is no command “%s”", code);
          return FALSE;
        }
      g_ptr_array_add (codes, g_steal_pointer (&code));
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
  for (guint i = 0; i < codes->len; i++)
    {
      g_autoptr(PGresult) r = srv_db_exec (conn, error,
                                           "INSERT INTO account_command (account_id, command) "
                                           "VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                           id, g_ptr_array_index (codes, i), SRV_DB_END);
      if (r == NULL)
        goto fail;
    }
  json_object_set_string_member (detail, "role", role_name);
  json_object_set_int_member (detail, "commands", codes->len);
  if (!audit_cli (conn, "admin.user_add", id, NULL, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;

  g_print ("%s\n", id);
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}

gboolean
srv_admin_user_disable (PGconn      *conn,
                        const char  *username,
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
                   "UPDATE account SET disabled_at = coalesce(disabled_at, now()) "
                   "WHERE username = $1 RETURNING id",
                   username, SRV_DB_END);
  if (r == NULL)
    goto fail;
  if (PQntuples (r) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no user “%s”", username);
      goto fail;
    }
  if (!audit_cli (conn, "admin.user_disable", srv_db_get (r, 0, 0), NULL, NULL, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Disabled %s: their devices are refused from now on\n", username);
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
  g_print ("%-36s %-16s %-20s %-16s %-16s %8s %s\n", "ID", "USER", "NAME", "ENROLLED",
           "LAST SEEN", "LAST SEQ", "STATUS");
  for (int i = 0; i < PQntuples (r); i++)
    {
      /* The device name is typed by its user: show printable text only. */
      g_autofree char *name = g_strdup (srv_db_get (r, i, 2));

      for (char *p = name; *p; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      g_print ("%-36s %-16s %-20.20s %-16s %-16s %8s %s\n", srv_db_get (r, i, 0),
               srv_db_get (r, i, 1), name, srv_db_get (r, i, 3), srv_db_get (r, i, 4),
               srv_db_get (r, i, 5), srv_db_get (r, i, 6));
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
 * srv_admin_gc:
 * @days: purge tombstones and scope exits older than this
 *
 * Devices whose cursor is below the highest purged version get 410 and resynchronize.
 */
gboolean
srv_admin_gc (PGconn      *conn,
              guint        days,
              GError     **error)
{
  g_autofree char *interval = g_strdup_printf ("%u", days);
  g_autoptr(PGresult) t = NULL;
  g_autoptr(PGresult) e = NULL;
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
  json_object_set_int_member (detail, "horizon", srv_db_get_int (h, 0, 0));
  if (!audit_cli (conn, "admin.gc", NULL, NULL, detail, error) ||
      !srv_db_command (conn, "COMMIT", error))
    goto fail;
  g_print ("Purged %s tombstones and %s scope exits; cursors below %s must resynchronize\n",
           srv_db_get (t, 0, 0), srv_db_get (e, 0, 0), srv_db_get (h, 0, 0));
  return TRUE;

fail:
  srv_db_rollback (conn);
  return FALSE;
}
