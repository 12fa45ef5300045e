/* cl-vault-backup.c: backup and restore
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

/* Backup and restore --------------------------------------------------------------------- */

static gboolean
export_database (sqlite3     *db,
                 const char  *path,
                 ClSecret    *raw_key,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *set_version = NULL;
  int version;
  gboolean ok;

  version = cl_migrations_version (db, error);
  if (version < 0)
    return FALSE;

  stmt = cl_sql_prepare (db, "ATTACH DATABASE ? AS backup KEY ?", error);
  if (stmt == NULL)
    return FALSE;
  /* SQLITE_TRANSIENT: SQLite copies the key into its own (wiped) memory. */
  if (sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
      sqlite3_bind_text (stmt, 2, cl_secret_get_string (raw_key),
                         (int) cl_secret_get_len (raw_key), SQLITE_TRANSIENT) != SQLITE_OK)
    {
      cl_sql_set_error (error, db, sqlite3_errcode (db));
      return FALSE;
    }
  if (!cl_sql_step_done (stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  set_version = g_strdup_printf ("PRAGMA backup.user_version = %d", version);
  ok = cl_sql_exec (db, "PRAGMA backup.synchronous = OFF", error) &&
       cl_sql_exec (db, "BEGIN", error);
  if (ok)
    {
      ok = cl_sql_exec (db, "SELECT sqlcipher_export('backup')", error) &&
           cl_sql_exec (db, set_version, error) &&
           cl_sql_exec (db, "COMMIT", error);
      if (!ok)
        cl_sql_exec (db, "ROLLBACK", NULL);
    }
  if (!cl_sql_exec (db, "DETACH DATABASE backup", ok ? error : NULL))
    ok = FALSE;
  return ok;
}

static void
put_be64 (guint8  *p,
          guint64  value)
{
  guint64 be = GUINT64_TO_BE (value);

  memcpy (p, &be, sizeof be);
}

static guint64
get_be64 (const guint8 *p)
{
  guint64 be;

  memcpy (&be, p, sizeof be);
  return GUINT64_FROM_BE (be);
}

static gboolean
backup_pack (const char    *path,
             const guint8  *keys_data,
             gsize          keys_len,
             const char    *db_path,
             GError       **error)
{
  g_autofree char *tmp_path = NULL;
  guint8 header[BACKUP_HEADER];
  struct stat st;
  int in;
  int out;

  in = open (db_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0 || fstat (in, &st) != 0)
    {
      _cl_vault_set_io_error (error, errno, db_path, IO_READ);
      if (in >= 0)
        close (in);
      return FALSE;
    }

  memcpy (header, BACKUP_MAGIC, BACKUP_MAGIC_LEN);
  put_be64 (header + BACKUP_MAGIC_LEN, keys_len);
  put_be64 (header + BACKUP_MAGIC_LEN + 8, (guint64) st.st_size);

  out = _cl_vault_atomic_begin (path, &tmp_path, error);
  if (out < 0)
    {
      close (in);
      return FALSE;
    }
  if (!_cl_vault_write_all (out, header, sizeof header, path, error) ||
      !_cl_vault_write_all (out, keys_data, keys_len, path, error) ||
      !_cl_vault_copy_bytes (in, db_path, out, path, (guint64) st.st_size, error))
    {
      close (in);
      _cl_vault_atomic_abort (out, tmp_path);
      return FALSE;
    }
  close (in);
  return _cl_vault_atomic_commit (out, tmp_path, path, error);
}

/**
 * cl_vault_backup:
 * @self: an unlocked vault
 * @path: the backup file to write (0600, replaced atomically)
 * @error: return location for an error
 *
 * Writes one file holding keys.json and a consistent encrypted copy of the database. It
 * opens with the passphrase (or recovery key) the vault had when it was made.
 */
gboolean
cl_vault_backup (ClVault     *self,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *export_path = NULL;
  g_autofree char *export_journal = NULL;
  g_autofree guint8 *keys_data = NULL;
  g_autoptr(Keys) keys = NULL;
  g_autoptr(ClSecret) raw = NULL;
  gsize keys_len = 0;
  int errsv = 0;
  gboolean ok;
  int fd;

  g_return_val_if_fail (CL_IS_VAULT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cl_vault_check_unlocked (self, error))
    return FALSE;

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  keys_data = _cl_vault_read_small_file (keys_path, KEYS_MAX_SIZE, &keys_len, &errsv);
  if (keys_data == NULL)
    {
      _cl_vault_set_io_error (error, errsv, keys_path, IO_READ);
      return FALSE;
    }
  keys = _cl_vault_keys_parse ((const char *) keys_data, keys_len, error);
  if (keys == NULL)
    return FALSE;

  _cl_vault_private_umask_push ();

  export_path = g_build_filename (self->dir, ".backup-XXXXXX", NULL);
  fd = g_mkstemp_full (export_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      _cl_vault_set_io_error (error, errno, self->dir, IO_WRITE);
      _cl_vault_private_umask_pop ();
      return FALSE;
    }
  close (fd);
  export_journal = g_strconcat (export_path, "-journal", NULL);

  raw = _cl_vault_dek_raw_key (self->dek);
  g_rec_mutex_lock (&self->write_lock);
  ok = export_database (self->db, export_path, raw, error);
  g_rec_mutex_unlock (&self->write_lock);

  if (ok)
    ok = backup_pack (path, keys_data, keys_len, export_path, error);

  g_unlink (export_path);
  g_unlink (export_journal);
  _cl_vault_private_umask_pop ();
  return ok;
}

static void
set_bad_backup (GError     **error,
                const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
               _("%s is damaged or is not a Caseload backup."), display);
}

static gboolean
restore_unpack (int           in,
                const char   *backup_path,
                const char   *dir,
                const guint8 *keys_data,
                gsize         keys_len,
                guint64       db_len,
                GError      **error)
{
  g_autofree char *keys_path = g_build_filename (dir, KEYS_FILE, NULL);
  g_autofree char *db_path = g_build_filename (dir, DB_FILE, NULL);
  int out;

  out = open (db_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0)
    {
      _cl_vault_set_io_error (error, errno, db_path, IO_CREATE);
      return FALSE;
    }
  if (!_cl_vault_copy_bytes (in, backup_path, out, db_path, db_len, error))
    {
      close (out);
      return FALSE;
    }
  if (fsync (out) != 0 || close (out) != 0)
    {
      _cl_vault_set_io_error (error, errno, db_path, IO_WRITE);
      return FALSE;
    }
  return _cl_vault_write_file_atomic (keys_path, keys_data, keys_len, error);
}

static gboolean
vault_restore (const char  *backup_path,
               const char  *dir,
               ClSecret    *passphrase,
               GError     **error)
{
  g_autofree guint8 *keys_data = NULL;
  g_autofree char *display = g_filename_display_name (dir);
  g_autoptr(Keys) keys = NULL;
  g_autoptr(ClVault) vault = NULL;
  guint8 header[BACKUP_HEADER];
  guint64 keys_len;
  guint64 db_len;
  guint64 size;
  gboolean created_dir = FALSE;
  gboolean ok = FALSE;
  struct stat st;
  int in;

  if (cl_vault_exists (dir))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s. Erase it first, or restore "
                     "elsewhere."), display);
      return FALSE;
    }

  in = open (backup_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (in < 0)
    {
      _cl_vault_set_io_error (error, errno, backup_path, IO_OPEN);
      return FALSE;
    }
  if (fstat (in, &st) != 0 || !S_ISREG (st.st_mode))
    {
      set_bad_backup (error, backup_path);
      close (in);
      return FALSE;
    }
  size = (guint64) st.st_size;

  /* Every length is checked against the file's size before anything is allocated. */
  if (size < BACKUP_HEADER ||
      !_cl_vault_read_exact (in, header, sizeof header, backup_path, NULL) ||
      memcmp (header, BACKUP_MAGIC, BACKUP_MAGIC_LEN) != 0)
    {
      set_bad_backup (error, backup_path);
      close (in);
      return FALSE;
    }
  keys_len = get_be64 (header + BACKUP_MAGIC_LEN);
  db_len = get_be64 (header + BACKUP_MAGIC_LEN + 8);
  if (keys_len == 0 || keys_len > KEYS_MAX_SIZE || keys_len > size - BACKUP_HEADER ||
      db_len != size - BACKUP_HEADER - keys_len || db_len < 512)
    {
      set_bad_backup (error, backup_path);
      close (in);
      return FALSE;
    }

  keys_data = g_malloc ((gsize) keys_len);
  if (!_cl_vault_read_exact (in, keys_data, (gsize) keys_len, backup_path, NULL))
    {
      set_bad_backup (error, backup_path);
      close (in);
      return FALSE;
    }
  keys = _cl_vault_keys_parse ((const char *) keys_data, (gsize) keys_len, error);
  if (keys == NULL)
    {
      close (in);
      return FALSE;
    }

  if (!_cl_vault_ensure_dir (dir, TRUE, &created_dir, error))
    {
      close (in);
      return FALSE;
    }
  if (cl_vault_exists (dir))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s. Erase it first, or restore "
                     "elsewhere."), display);
      close (in);
      return FALSE;
    }

  if (restore_unpack (in, backup_path, dir, keys_data, (gsize) keys_len, db_len, error))
    {
      _cl_vault_failures_store (dir, keys->vault_id, 0);
      /* Prove it: it must open with the passphrase and pass every check. */
      vault = cl_vault_unlock (dir, passphrase, error);
      if (vault != NULL)
        {
          ok = cl_vault_verify (vault, NULL, error);
          cl_vault_lock (vault);
        }
    }
  close (in);

  if (!ok)
    {
      g_autofree char *keys_path = g_build_filename (dir, KEYS_FILE, NULL);

      g_unlink (keys_path);
      _cl_vault_remove_db_files (dir);
      if (created_dir)
        g_rmdir (dir);
    }
  return ok;
}

/**
 * cl_vault_restore:
 * @backup_path: a file written by cl_vault_backup()
 * @dir: where to restore; must not hold a vault
 * @passphrase: the passphrase the vault had when the backup was made
 * @error: return location for an error
 *
 * Unpacks the backup, then proves it opens with @passphrase and passes
 * cl_vault_verify(); otherwise removes what it unpacked. The vault is left locked.
 */
gboolean
cl_vault_restore (const char  *backup_path,
                  const char  *dir,
                  ClSecret    *passphrase,
                  GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (backup_path != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cl_secure_init ();
  _cl_vault_private_umask_push ();
  ok = vault_restore (backup_path, dir, passphrase, error);
  _cl_vault_private_umask_pop ();
  return ok;
}
