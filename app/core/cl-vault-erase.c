/* cl-vault-erase.c: erasing a vault
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

/* Overwrites a file with random bytes of its length, syncs and unlinks it. */
static gboolean
shred_file (const char  *path,
            GError     **error)
{
  guint8 buf[4096];
  struct stat st = { 0, };
  guint64 left;
  int fd;

  fd = open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      _cl_vault_set_io_error (error, errno, path, IO_ERASE);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      _cl_vault_set_io_error (error, st.st_mode == 0 ? errno : EINVAL, path, IO_ERASE);
      close (fd);
      return FALSE;
    }
  for (left = (guint64) st.st_size; left > 0; )
    {
      gsize chunk = (gsize) MIN (left, sizeof buf);

      randombytes_buf (buf, chunk);
      if (!_cl_vault_write_all (fd, buf, chunk, path, error))
        {
          close (fd);
          return FALSE;
        }
      left -= chunk;
    }
  if (fsync (fd) != 0)
    {
      _cl_vault_set_io_error (error, errno, path, IO_ERASE);
      close (fd);
      return FALSE;
    }
  close (fd);
  return _cl_vault_unlink_if_exists (path, error);
}

/**
 * cl_vault_erase:
 * @dir: a vault directory (no vault there may be open)
 * @error: return location for an error
 *
 * Crypto-erases the vault: the key file is overwritten with random bytes and removed,
 * leaving the encrypted database unreadable, and then the database is removed too.
 * Overwriting in place is best effort on copy-on-write file systems and flash; with the
 * wrapped keys gone the database cannot be decrypted anyway. Backups are not affected.
 */
gboolean
cl_vault_erase (const char  *dir,
                GError     **error)
{
  static const char * const keys_names[] = { KEYS_FILE, KEYS_NEW_FILE };
  static const char * const db_names[] = {
    DB_FILE, DB_FILE "-wal", DB_FILE "-shm", DB_FILE "-journal", FAILURES_FILE,
    "server-ca.pem", /* the organization's CA, written out by sync for GTlsFileDatabase */
    "sync.lock",     /* empty: one sync round at a time (cl-sync.c) */
  };
  g_autofree char *new_path = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cl_secure_init ();
  new_path = g_build_filename (dir, KEYS_NEW_FILE, NULL);
  if (!cl_vault_exists (dir) && !_cl_vault_path_exists (new_path))
    {
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND,
                   _("There is no vault in %s."), display);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (keys_names); i++)
    {
      g_autofree char *path = g_build_filename (dir, keys_names[i], NULL);

      if (!shred_file (path, error))
        return FALSE;
    }

  /* Leftover temp files of atomic writes and backups. */
  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (name, "." KEYS_FILE ".") &&
          !g_str_has_prefix (name, "." KEYS_NEW_FILE ".") &&
          !g_str_has_prefix (name, "." FAILURES_FILE ".") &&
          !g_str_has_prefix (name, ".backup-"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_str_has_prefix (name, ".backup-") || g_str_has_prefix (name, "." FAILURES_FILE "."))
        {
          if (!_cl_vault_unlink_if_exists (path, error))
            return FALSE;
        }
      else if (!shred_file (path, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (db_names); i++)
    {
      g_autofree char *path = g_build_filename (dir, db_names[i], NULL);

      if (!_cl_vault_unlink_if_exists (path, error))
        return FALSE;
    }
  _cl_vault_fsync_dir (dir, NULL);

  /* The folder goes too, unless something else lives there. */
  if (g_rmdir (dir) != 0 && errno != ENOTEMPTY && errno != EEXIST)
    g_debug ("Vault folder not removed: %s", g_strerror (errno));
  return TRUE;
}
