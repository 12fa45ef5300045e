/* cl-vault-rekey.c: a new passphrase, a new key, and verifying the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the vault (cl-vault.c).
 */

#define G_LOG_DOMAIN "cl-vault"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pwquality.h>
#include <sodium.h>

#include "cl-migrations.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-vault.h"
#include "cl-vault-private.h"
#include "cl-vault-internal.h"

gboolean
_cl_vault_check_unlocked (ClVault  *self,
                          GError  **error)
{
  if (self->db == NULL)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED,
                   _("The vault is locked. Unlock it first."));
      return FALSE;
    }
  return TRUE;
}

/* keys.json as it is now, checked to belong to this vault. */
static Keys *
vault_load_keys (ClVault  *self,
                 GError  **error)
{
  g_autofree char *keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  g_autoptr(Keys) keys = _cl_vault_keys_load (keys_path, error);

  if (keys == NULL)
    return NULL;
  if (g_strcmp0 (keys->vault_id, self->vault_id) != 0)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_DAMAGED,
                   _("The vault's key file was replaced by one from another vault."));
      return NULL;
    }
  return g_steal_pointer (&keys);
}

/**
 * cl_vault_change_passphrase:
 *
 * Re-wraps the key under @new_passphrase (one key derivation; the database is not
 * touched). The recovery key keeps working.
 */
gboolean
cl_vault_change_passphrase (ClVault   *self,
                            ClSecret  *new_passphrase,
                            GError   **error)
{
  g_autofree char *keys_path = NULL;
  g_autoptr(Keys) keys = NULL;
  gboolean ok;

  g_return_val_if_fail (CL_IS_VAULT (self), FALSE);
  g_return_val_if_fail (new_passphrase != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cl_vault_check_unlocked (self, error) || _cl_vault_secret_is_weak (new_passphrase, error))
    return FALSE;
  keys = vault_load_keys (self, error);
  if (keys == NULL)
    return FALSE;

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  _cl_vault_private_umask_push ();
  ok = _cl_vault_keys_set_slot (keys, SLOT_PASSPHRASE, new_passphrase, self->dek, error) &&
       _cl_vault_keys_write (keys_path, keys, error);
  _cl_vault_private_umask_pop ();
  return ok;
}

static gboolean
db_set_journal_mode (sqlite3     *db,
                     const char  *mode,
                     GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode = %s", mode);
  g_autofree char *value = NULL;
  GError *local_error = NULL;

  value = cl_sql_query_text (db, &local_error, sql, CL_SQL_END);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (g_ascii_strcasecmp (value != NULL ? value : "", mode) != 0)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The vault database could not switch its journal mode (it is in use)."));
      return FALSE;
    }
  return TRUE;
}

typedef enum {
  REKEY_NOT_STARTED,  /* nothing changed; the connection is as before */
  REKEY_FAILED,       /* sqlite3_rekey() failed: the connection may now read with the old
                       * key and write with the new one, so it must be closed */
  REKEY_DONE,         /* committed: the database is under the new key */
} RekeyResult;

static RekeyResult
db_rekey (sqlite3   *db,
          ClSecret  *new_dek,
          GError   **error)
{
  g_autoptr(ClSecret) raw = _cl_vault_dek_raw_key (new_dek);
  g_autoptr(GError) local_error = NULL;
  int rc;

  /* A rollback journal instead of WAL: SQLCipher writes journal pages with the original
   * key, so a crash during the rekey rolls back to the old key as a whole. */
  if (!cl_sql_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", error) ||
      !db_set_journal_mode (db, "delete", error))
    {
      db_set_journal_mode (db, "wal", NULL);
      return REKEY_NOT_STARTED;
    }

  rc = sqlite3_rekey (db, cl_secret_get_data (raw), (int) cl_secret_get_len (raw));
  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      return REKEY_FAILED;
    }

  /* Not fatal: the next unlock sets WAL again, and verify reports it meanwhile. */
  if (!db_set_journal_mode (db, "wal", &local_error))
    g_warning ("Could not return the vault database to WAL mode: %s", local_error->message);
  return REKEY_DONE;
}

/**
 * cl_vault_rekey:
 * @self: an unlocked vault
 * @passphrase: the current passphrase, to confirm
 * @new_recovery_key: (out) (optional): the new recovery key, to be shown once
 * @error: return location for an error
 *
 * Re-encrypts the whole database under a new random key and writes a new passphrase
 * slot and a new recovery slot: the old recovery key stops working. Crash-safe; see the
 * comment at the top of this file.
 */
gboolean
cl_vault_rekey (ClVault    *self,
                ClSecret   *passphrase,
                ClSecret  **new_recovery_key,
                GError    **error)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *new_path = NULL;
  g_autoptr(Keys) keys = NULL;
  g_autoptr(Keys) new_keys = NULL;
  g_autoptr(ClSecret) check = NULL;
  g_autoptr(ClSecret) new_dek = NULL;
  g_autoptr(ClSecret) recovery_raw = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (CL_IS_VAULT (self), FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (new_recovery_key == NULL || *new_recovery_key == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cl_vault_check_unlocked (self, error))
    return FALSE;
  keys = vault_load_keys (self, error);
  if (keys == NULL)
    return FALSE;

  check = _cl_vault_keys_unwrap (keys, SLOT_PASSPHRASE, passphrase, &local_error);
  if (check == NULL)
    {
      if (g_error_matches (local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
        {
          _cl_vault_record_failure ();
          _cl_vault_failures_store (self->dir, keys->vault_id, cl_vault_failed_attempts ());
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!cl_secret_equal (check, self->dek))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_DAMAGED,
                   _("The vault's key file does not match its database."));
      return FALSE;
    }
  _cl_vault_reset_failures ();

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  new_path = g_build_filename (self->dir, KEYS_NEW_FILE, NULL);
  new_dek = _cl_vault_new_random_secret (DEK_BYTES);
  recovery_raw = _cl_vault_new_random_secret (RECOVERY_BYTES);
  new_keys = _cl_vault_keys_new (keys->vault_id);

  _cl_vault_private_umask_push ();

  /* 1. The new key in keys.json.new before the database depends on it. */
  ok = _cl_vault_keys_set_slot (new_keys, SLOT_PASSPHRASE, passphrase, new_dek, error) &&
       _cl_vault_keys_set_slot (new_keys, SLOT_RECOVERY, recovery_raw, new_dek, error) &&
       _cl_vault_keys_write (new_path, new_keys, error);

  /* 2. Re-encrypt every page in one transaction. */
  if (ok)
    {
      g_autoptr(GError) rekey_error = NULL;
      RekeyResult result;

      g_rec_mutex_lock (&self->write_lock);
      result = db_rekey (self->db, new_dek, &rekey_error);
      g_rec_mutex_unlock (&self->write_lock);

      if (result == REKEY_NOT_STARTED)
        {
          g_unlink (new_path);
          _cl_vault_fsync_dir (self->dir, NULL);
        }
      else if (result == REKEY_FAILED)
        {
          /* keys.json.new stays: whichever key the database is under, the next unlock
           * finds it (see the top of this file). */
          cl_vault_lock (self);
          g_prefix_error (&rekey_error, _("The vault was locked because re-encrypting it "
                                          "failed; unlock it again. "));
        }
      ok = result == REKEY_DONE;
      if (!ok)
        g_propagate_error (error, g_steal_pointer (&rekey_error));
    }

  /* 3. Promote. From here on the database only opens with the new key, which is in
   * keys.json.new already: should the rename fail, the next unlock finishes the job. */
  if (ok)
    {
      cl_secret_free (self->dek);
      self->dek = g_steal_pointer (&new_dek);
      if (g_rename (new_path, keys_path) != 0 || !_cl_vault_fsync_dir (self->dir, NULL))
        g_warning ("keys.json.new could not replace keys.json (%s); the next unlock will "
                   "finish the rekey", g_strerror (errno));
    }

  _cl_vault_private_umask_pop ();

  if (ok && new_recovery_key != NULL)
    *new_recovery_key = _cl_vault_recovery_format (recovery_raw);
  return ok;
}

/**
 * cl_vault_verify:
 * @self: an unlocked vault
 * @report: (nullable): a human-readable line per check is appended here
 * @error: return location for an error
 *
 * Checks the key file, the integrity of every page in use (integrity_check; SQLCipher
 * 3.4 has no cipher_integrity_check, but every page integrity_check reads is also
 * authenticated by its HMAC), the schema version and the pragmas. Stops at the first
 * failing check.
 */
gboolean
cl_vault_verify (ClVault   *self,
                 GString   *report,
                 GError   **error)
{
  g_autoptr(GString) own_report = NULL;
  g_autoptr(Keys) keys = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) problems = NULL;
  GError *local_error = NULL;
  int version;
  int rc;

  g_return_val_if_fail (CL_IS_VAULT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (report == NULL)
    report = own_report = g_string_new (NULL);
  if (!_cl_vault_check_unlocked (self, error))
    return FALSE;

  /* Keys */
  keys = vault_load_keys (self, &local_error);
  if (keys == NULL)
    {
      g_string_append_printf (report, _("Key file: FAILED (%s)\n"), local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (_cl_vault_keys_find_slot (keys, SLOT_RECOVERY) != NULL)
    g_string_append (report, _("Key file: ok (passphrase and recovery key slots)\n"));
  else
    g_string_append (report, _("Key file: ok (passphrase slot; no recovery key)\n"));

  /* Integrity */
  stmt = cl_sql_prepare (self->db, "PRAGMA integrity_check", &local_error);
  problems = g_string_new (NULL);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *row = (const char *) sqlite3_column_text (stmt, 0);

          if (g_strcmp0 (row, "ok") != 0)
            g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "",
                                    row != NULL ? row : "?");
        }
      if (rc != SQLITE_DONE)
        g_string_append_printf (problems, "%s%s", problems->len > 0 ? "; " : "",
                                sqlite3_errmsg (self->db));
    }
  else
    {
      g_string_append (problems, local_error->message);
      g_clear_error (&local_error);
    }
  if (problems->len > 0)
    {
      g_string_append_printf (report, _("Database integrity: FAILED (%s)\n"), problems->str);
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                   _("The vault database is damaged (%s). Restore it from a backup or "
                     "from the server."), problems->str);
      return FALSE;
    }
  g_string_append (report,
                   _("Database integrity: ok (integrity_check; every page read is also "
                     "authenticated by its HMAC. cipher_integrity_check needs SQLCipher 4 "
                     "and is not available here)\n"));

  /* Schema */
  version = cl_migrations_version (self->db, error);
  if (version < 0)
    return FALSE;
  if (version != cl_migrations_latest ())
    {
      g_string_append_printf (report, _("Schema version: FAILED (%d, expected %d)\n"),
                              version, cl_migrations_latest ());
      g_set_error (error, CL_VAULT_ERROR,
                   version > cl_migrations_latest () ? CL_VAULT_ERROR_TOO_NEW
                                                     : CL_VAULT_ERROR_CORRUPT,
                   _("The vault schema is at version %d; this version of Caseload expects "
                     "%d."), version, cl_migrations_latest ());
      return FALSE;
    }
  g_string_append_printf (report, _("Schema version: ok (%d)\n"), version);

  /* Pragmas */
  if (!_cl_vault_db_check_pragmas (self->db, FALSE, report, &local_error))
    {
      g_string_append_printf (report, _("Settings: FAILED (%s)\n"), local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}
