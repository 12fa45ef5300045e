/* cl-vault.c: the encrypted local vault (DESIGN.md §4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A vault is a directory (0700) holding:
 *
 *   caseload.db    SQLCipher 3 database (0600), keyed with a random 32-byte data key (DEK)
 *                  in SQLCipher's raw-key form x'<64 hex>', so no PBKDF2 is involved;
 *   keys.json      key slots (0600): the DEK wrapped with XChaCha20-Poly1305 under a key
 *                  that Argon2id derives from the passphrase (slot "passphrase") or from
 *                  the recovery key (slot "recovery"). The associated data
 *                  "caseload-slot-v1|<vault_id>|<slot type>" binds each slot to its vault
 *                  and its role. A BLAKE2b "checksum" over the parsed fields tells
 *                  accidental damage (KEYS_DAMAGED) apart from a wrong secret
 *                  (WRONG_SECRET), which AEAD alone cannot do;
 *   keys.json.new  exists only while a rekey is in progress (see below).
 *
 * Nothing touches the database before a slot has unwrapped, so a wrong passphrase never
 * changes a byte on disk.
 *
 * Rekey and crash safety
 * ----------------------
 * cl_vault_rekey() re-encrypts the database under a new DEK and issues a new recovery
 * key. At every instant the key of the database must be in some slot on disk:
 *
 *   1. keys.json.new is written atomically (temp file, fsync, rename, fsync dir); it holds
 *      a passphrase slot and a new recovery slot for the NEW DEK. keys.json is untouched
 *      and still holds the OLD DEK.
 *   2. The database leaves WAL for a rollback journal and sqlite3_rekey() rewrites every
 *      page in one transaction. SQLCipher encrypts journal pages with the original key,
 *      so a crash mid-way is rolled back by the next open with the OLD DEK: the database
 *      is entirely under the old key or entirely under the new one, never mixed.
 *   3. keys.json.new is renamed over keys.json (atomic), and the directory fsync'ed.
 *
 * Opening unwraps keys.json first and reads the database with that DEK. If that read
 * fails and keys.json.new exists, its DEK is tried; if it opens the database, the rekey
 * had committed and keys.json.new is promoted to keys.json. If keys.json's DEK opens the
 * database, any keys.json.new is a leftover of a rekey that never reached the database and
 * is removed. Both files are always tried in that order (old key first) so a hot journal
 * is rolled back with the key it was written with. The only loss in a crash between 2 and
 * 3 is the new recovery key, which had not been shown yet: the passphrase still opens the
 * vault, and running the rekey again issues a recovery key.
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
#include "cl-wire.h"


G_DEFINE_FINAL_TYPE (ClVault, cl_vault, G_TYPE_OBJECT)

G_DEFINE_QUARK (cl-vault-error-quark, cl_vault_error)

enum {
  PROP_0,
  PROP_DIR,
  PROP_LOCKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char *set;
  const char *get;
  const char *expect;
} vault_pragmas[] = {
  { "PRAGMA journal_mode = WAL", "PRAGMA journal_mode", "wal" },
  { "PRAGMA synchronous = FULL", "PRAGMA synchronous", "2" },
  { "PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", "1" },
  { "PRAGMA secure_delete = ON", "PRAGMA secure_delete", "1" },
  { "PRAGMA temp_store = MEMORY", "PRAGMA temp_store", "2" },
  { "PRAGMA mmap_size = 0", "PRAGMA mmap_size", "0" },
  /* 32 MiB of decrypted pages (in the wiping allocator): decrypting pages again was over a
   * third of the time of large writes with SQLite's default 2 MiB. */
  { "PRAGMA cache_size = -32768", "PRAGMA cache_size", "-32768" },
};

static gint failed_attempts;

static GMutex umask_mutex;
static guint umask_depth;
static mode_t saved_umask;

/* Small helpers ----------------------------------------------------------------------- */

void
_cl_vault_keys_free (Keys *keys)
{
  if (keys == NULL)
    return;
  g_free (keys->vault_id);
  g_array_unref (keys->slots);
  g_free (keys);
}

Keys *
_cl_vault_keys_new (const char *vault_id)
{
  Keys *keys = g_new0 (Keys, 1);

  keys->vault_id = g_strdup (vault_id);
  keys->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  return keys;
}

const char *
_cl_vault_slot_type_name (SlotType type)
{
  return type == SLOT_PASSPHRASE ? "passphrase" : "recovery";
}

Slot *
_cl_vault_keys_find_slot (Keys     *keys,
                          SlotType  type)
{
  for (guint i = 0; i < keys->slots->len; i++)
    {
      Slot *slot = &g_array_index (keys->slots, Slot, i);

      if (slot->type == type)
        return slot;
    }
  return NULL;
}

/* umask is process-wide: nest the 077 sections of concurrent operations (an unlock in a
 * GTask thread and a backup on the main thread) and restore the mask when the last ends. */
void
_cl_vault_private_umask_push (void)
{
  g_mutex_lock (&umask_mutex);
  if (umask_depth++ == 0)
    saved_umask = umask (077);
  g_mutex_unlock (&umask_mutex);
}

void
_cl_vault_private_umask_pop (void)
{
  g_mutex_lock (&umask_mutex);
  g_assert (umask_depth > 0);
  if (--umask_depth == 0)
    umask (saved_umask);
  g_mutex_unlock (&umask_mutex);
}

void
_cl_vault_record_failure (void)
{
  g_atomic_int_inc (&failed_attempts);
}

void
_cl_vault_reset_failures (void)
{
  g_atomic_int_set (&failed_attempts, 0);
}

/**
 * cl_vault_check_passphrase:
 * @passphrase: a new passphrase, UTF-8
 * @error: return location for an error
 *
 * The one rule for new passphrases, for the app and caseloadctl alike: at least
 * %CL_VAULT_MIN_PASSPHRASE characters, and not easy to guess by libpwquality's checks (a
 * dictionary word, a keyboard or number sequence, too few different characters…).
 *
 * Returns: %TRUE if @passphrase may protect a vault; %FALSE with %CL_VAULT_ERROR_WEAK_SECRET
 */
gboolean
cl_vault_check_passphrase (const char  *passphrase,
                           GError     **error)
{
  static GMutex pwquality_mutex;   /* cracklib keeps state of its own */
  pwquality_settings_t *settings;
  char reason[PWQ_MAX_ERROR_MESSAGE_LEN];
  void *aux = NULL;
  gsize len;
  glong chars;
  int score;

  g_return_val_if_fail (passphrase != NULL, FALSE);

  len = strlen (passphrase);
  chars = g_utf8_validate_len (passphrase, len, NULL) ? g_utf8_strlen (passphrase, len)
                                                     : (glong) len;
  if (chars < CL_VAULT_MIN_PASSPHRASE)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The passphrase is too short: use at least %d character.",
                                "The passphrase is too short: use at least %d characters.",
                                CL_VAULT_MIN_PASSPHRASE),
                   CL_VAULT_MIN_PASSPHRASE);
      return FALSE;
    }

  /* The defaults, not the system's pwquality.conf: the rule is the same on every desk. */
  g_mutex_lock (&pwquality_mutex);
  settings = pwquality_default_settings ();
  pwquality_set_int_value (settings, PWQ_SETTING_MIN_LENGTH, CL_VAULT_MIN_PASSPHRASE);
  score = pwquality_check (settings, passphrase, NULL, NULL, &aux);
  if (score < 0)
    pwquality_strerror (reason, sizeof reason, score, aux);
  pwquality_free_settings (settings);
  g_mutex_unlock (&pwquality_mutex);

  if (score < 0)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET,
                   _("This passphrase is too easy to guess (%s). Use four or more words "
                     "that do not belong together, like a short odd sentence."), reason);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cl_vault_secret_is_weak (ClSecret  *passphrase,
                          GError   **error)
{
  return !cl_vault_check_passphrase (cl_secret_get_string (passphrase), error);
}

void
_cl_vault_set_io_error (GError     **error,
                        int          errsv,
                        const char  *path,
                        IoAction     action)
{
  g_autofree char *display = g_filename_display_name (path);
  const char *reason = g_strerror (errsv);
  int code;

  if (errsv == ENOSPC || errsv == EDQUOT)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("The disk is full: nothing was saved. Free some space and try again."));
      return;
    }

  code = (errsv == EACCES || errsv == EPERM || errsv == ELOOP)
         ? CL_VAULT_ERROR_PERMISSIONS : CL_VAULT_ERROR_IO;
  switch (action)
    {
    case IO_OPEN:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not open %s: %s"), display, reason);
      break;
    case IO_READ:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not read %s: %s"), display, reason);
      break;
    case IO_WRITE:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not write %s: %s"), display, reason);
      break;
    case IO_CREATE:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not create %s: %s"), display,
                   reason);
      break;
    case IO_REMOVE:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not remove %s: %s"), display,
                   reason);
      break;
    case IO_REPLACE:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not replace %s: %s"), display,
                   reason);
      break;
    case IO_SYNC:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not save %s to disk: %s"),
                   display, reason);
      break;
    case IO_ERASE:
    default:
      g_set_error (error, CL_VAULT_ERROR, code, _("Could not erase %s: %s"), display,
                   reason);
      break;
    }
}

gboolean
_cl_vault_path_exists (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0;
}

gboolean
_cl_vault_unlink_if_exists (const char  *path,
                            GError     **error)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      _cl_vault_set_io_error (error, errno, path, IO_REMOVE);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cl_vault_fsync_dir (const char  *dir,
                     GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      _cl_vault_set_io_error (error, errsv, dir, IO_SYNC);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
_cl_vault_write_all (int            fd,
                     const void    *data,
                     gsize          len,
                     const char    *path,
                     GError       **error)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = write (fd, p, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          _cl_vault_set_io_error (error, errno, path, IO_WRITE);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
_cl_vault_read_exact (int          fd,
                      void        *data,
                      gsize        len,
                      const char  *path,
                      GError     **error)
{
  guint8 *p = data;

  while (len > 0)
    {
      gssize n = read (fd, p, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          _cl_vault_set_io_error (error, errno, path, IO_READ);
          return FALSE;
        }
      if (n == 0)
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                       _("%s ended unexpectedly."), display);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Copies @len bytes from @in to @out. */
gboolean
_cl_vault_copy_bytes (int          in,
                      const char  *in_path,
                      int          out,
                      const char  *out_path,
                      guint64      len,
                      GError     **error)
{
  g_autofree guint8 *buf = g_malloc (64 * 1024);

  while (len > 0)
    {
      gsize chunk = (gsize) MIN (len, 64 * 1024);

      if (!_cl_vault_read_exact (in, buf, chunk, in_path, error) ||
          !_cl_vault_write_all (out, buf, chunk, out_path, error))
        return FALSE;
      len -= chunk;
    }
  return TRUE;
}

/* Atomic replacement: a 0600 temp file in the same directory, fsync, rename, fsync the
 * directory. */
int
_cl_vault_atomic_begin (const char  *path,
                        char       **tmp_path,
                        GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);
  char *tmpl = g_build_filename (dir, name, NULL);
  int fd;

  fd = g_mkstemp_full (tmpl, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      _cl_vault_set_io_error (error, errno, path, IO_WRITE);
      g_free (tmpl);
      return -1;
    }
  *tmp_path = tmpl;
  return fd;
}

gboolean
_cl_vault_atomic_commit (int          fd,
                         const char  *tmp_path,
                         const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (fsync (fd) != 0)
    {
      _cl_vault_set_io_error (error, errno, path, IO_WRITE);
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      _cl_vault_set_io_error (error, errno, path, IO_WRITE);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      _cl_vault_set_io_error (error, errno, path, IO_REPLACE);
      g_unlink (tmp_path);
      return FALSE;
    }
  return _cl_vault_fsync_dir (dir, error);
}

void
_cl_vault_atomic_abort (int         fd,
                        const char *tmp_path)
{
  close (fd);
  g_unlink (tmp_path);
}

/* The errno behind a GFileError, for set_io_error()'s messages. */
static int
file_error_errno (const GError *file_error)
{
  switch (file_error->code)
    {
    case G_FILE_ERROR_NOSPC:
      return ENOSPC;
    case G_FILE_ERROR_ACCES:
      return EACCES;
    case G_FILE_ERROR_PERM:
      return EPERM;
    case G_FILE_ERROR_LOOP:
      return ELOOP;
    case G_FILE_ERROR_ROFS:
      return EROFS;
    case G_FILE_ERROR_NOENT:
      return ENOENT;
    default:
      return EIO;
    }
}

/* A small private file replaced atomically: 0600, written and fsync'ed beside it, renamed
 * over it, and the directory fsync'ed so the rename survives a power cut. */
gboolean
_cl_vault_write_file_atomic (const char    *path,
                             const void    *data,
                             gsize          len,
                             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  if (!g_file_set_contents_full (path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      _cl_vault_set_io_error (error, file_error_errno (local_error), path, IO_WRITE);
      return FALSE;
    }
  return _cl_vault_fsync_dir (dir, error);
}

/* Reads a small regular file (never following a symlink). Sets errno-style @errsv:
 * EFBIG when the file exceeds @max. */
guint8 *
_cl_vault_read_small_file (const char  *path,
                           gsize        max,
                           gsize       *out_len,
                           int         *errsv)
{
  g_autofree guint8 *data = NULL;
  struct stat st;
  int fd;
  gsize len = 0;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      *errsv = errno;
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      *errsv = errno;
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      *errsv = EINVAL;
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > max)
    {
      *errsv = EFBIG;
      close (fd);
      return NULL;
    }

  data = g_malloc ((gsize) st.st_size + 1);
  for (;;)
    {
      gssize n = read (fd, data + len, (gsize) st.st_size + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *errsv = errno;
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
      if (len > (gsize) st.st_size)
        {
          /* grew while reading */
          *errsv = EFBIG;
          close (fd);
          return NULL;
        }
    }
  close (fd);
  data[len] = 0;
  *out_len = len;
  return g_steal_pointer (&data);
}

/* Vault directory and files ----------------------------------------------------------- */

/* Makes sure @dir is a directory owned by us with mode 0700, creating it (and its
 * parents, 0700) when @create is set. */
gboolean
_cl_vault_ensure_dir (const char  *dir,
                      gboolean     create,
                      gboolean    *created,
                      GError     **error)
{
  g_autofree char *display = g_filename_display_name (dir);
  struct stat st;

  if (created != NULL)
    *created = FALSE;

  if (g_stat (dir, &st) != 0)
    {
      int errsv = errno;
      g_autofree char *parent = NULL;

      if (errsv != ENOENT)
        {
          _cl_vault_set_io_error (error, errsv, dir, IO_OPEN);
          return FALSE;
        }
      if (!create)
        {
          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND,
                       _("There is no vault in %s."), display);
          return FALSE;
        }
      parent = g_path_get_dirname (dir);
      if (g_mkdir_with_parents (parent, 0700) != 0 || g_mkdir (dir, 0700) != 0)
        {
          _cl_vault_set_io_error (error, errno, dir, IO_CREATE);
          return FALSE;
        }
      if (created != NULL)
        *created = TRUE;
      if (g_stat (dir, &st) != 0)
        {
          _cl_vault_set_io_error (error, errno, dir, IO_OPEN);
          return FALSE;
        }
    }

  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("%s is not a folder."), display);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_PERMISSIONS,
                   _("The vault folder %s belongs to another user."), display);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0 && g_chmod (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_PERMISSIONS,
                   _("Other users can open the vault folder %s, and its permissions "
                     "could not be fixed: %s"), display, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* A vault file must be a regular file (not a symlink) owned by us; group/other
 * permissions are removed. Returns FALSE with @error unset when the file is absent. */
static gboolean
check_vault_file (const char  *path,
                  GError     **error)
{
  g_autofree char *display = NULL;
  struct stat st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno != ENOENT)
        _cl_vault_set_io_error (error, errno, path, IO_OPEN);
      return FALSE;
    }
  display = g_filename_display_name (path);
  if (!S_ISREG (st.st_mode) || st.st_uid != geteuid ())
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_PERMISSIONS,
                   _("%s is not a regular file owned by you."), display);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0 && g_chmod (path, 0600) != 0)
    {
      int errsv = errno;

      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_PERMISSIONS,
                   _("Other users can read %s, and its permissions could not be fixed: %s"),
                   display, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

void
_cl_vault_remove_db_files (const char *dir)
{
  static const char * const names[] = {
    DB_FILE, DB_FILE "-wal", DB_FILE "-shm", DB_FILE "-journal", FAILURES_FILE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
}

/* Failed attempts across restarts ------------------------------------------------------ */

/* The delay after @n failed attempts: none after the first, then 1 s, 2 s, 4 s … 30 s. */
static guint
delay_after_ms (guint n)
{
  if (n <= 1)
    return 0;
  if (n - 2 >= 5)
    return MAX_DELAY_MS;
  return MIN (1000u << (n - 2), MAX_DELAY_MS);
}

typedef struct {
  guint    count;
  gint64   at;      /* the last failure, seconds since the epoch */
  gboolean valid;
} Failures;

/* A BLAKE2b MAC under a key derived from the vault's id: a record edited by hand, or
 * copied from another vault, does not check out. */
static void
failures_mac (const char *vault_id,
              guint       count,
              gint64      at,
              char        hex[65])
{
  g_autofree char *message = g_strdup_printf ("%u %" G_GINT64_FORMAT, count, at);
  guint8 key[32];
  guint8 mac[32];

  crypto_generichash (key, sizeof key, (const guint8 *) vault_id, strlen (vault_id),
                      (const guint8 *) FAILURES_TAG, strlen (FAILURES_TAG));
  crypto_generichash (mac, sizeof mac, (const guint8 *) message, strlen (message),
                      key, sizeof key);
  sodium_bin2hex (hex, 65, mac, sizeof mac);
}

/* The failed attempts recorded beside the vault. Missing or altered, the record counts as
 * FAILURES_TAMPERED failures, the last one now. */
static Failures
failures_load (const char *dir,
               const char *vault_id)
{
  g_autofree char *path = g_build_filename (dir, FAILURES_FILE, NULL);
  g_autofree guint8 *data = NULL;
  Failures failures = { FAILURES_TAMPERED, g_get_real_time () / G_USEC_PER_SEC, FALSE };
  char stored[65] = "", expected[65];
  gint64 at = 0;
  guint count = 0;
  gsize len = 0;
  int errsv = 0;

  data = _cl_vault_read_small_file (path, 256, &len, &errsv);
  if (data == NULL || memchr (data, '\0', len) != NULL)
    return failures;
  data = g_realloc (data, len + 1);
  data[len] = '\0';
  if (sscanf ((const char *) data, FAILURES_TAG " %u %" G_GINT64_FORMAT " %64s",
              &count, &at, stored) != 3)
    return failures;
  failures_mac (vault_id, count, at, expected);
  if (strlen (stored) != 64 || sodium_memcmp (stored, expected, 64) != 0)
    return failures;
  return (Failures) { count, at, TRUE };
}

/* Records @count failed attempts, the last one now. Best effort: a vault that cannot be
 * written to still opens. */
void
_cl_vault_failures_store (const char *dir,
                          const char *vault_id,
                          guint       count)
{
  g_autofree char *path = g_build_filename (dir, FAILURES_FILE, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 at = g_get_real_time () / G_USEC_PER_SEC;
  char mac[65];

  failures_mac (vault_id, count, at, mac);
  text = g_strdup_printf (FAILURES_TAG " %u %" G_GINT64_FORMAT " %s\n", count, at, mac);
  if (!_cl_vault_write_file_atomic (path, text, strlen (text), &error))
    g_warning ("Could not record failed unlock attempts: %s", error->message);
}

/* What is left of the delay @failures asked for, if this process has not counted them:
 * within one process the app counts the delay down itself. */
static guint
failures_pending_ms (const Failures *failures)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 wait_ms;

  if (failures->count <= (guint) g_atomic_int_get (&failed_attempts))
    return 0;
  wait_ms = (gint64) delay_after_ms (failures->count) - (now - failures->at) * 1000;
  return (guint) CLAMP (wait_ms, 0, MAX_DELAY_MS);
}

/* A new process (caseloadctl, a restarted app) first waits whatever delay the last
 * failure recorded beside the vault asked for, and goes on counting from there. */
static Failures
failures_wait (const char *dir,
               const char *vault_id)
{
  Failures failures = failures_load (dir, vault_id);
  guint wait_ms = failures_pending_ms (&failures);

  if (failures.count > (guint) g_atomic_int_get (&failed_attempts))
    g_atomic_int_set (&failed_attempts, (gint) failures.count);
  if (wait_ms > 0)
    g_usleep ((gulong) wait_ms * 1000);
  return failures;
}

/* The database ------------------------------------------------------------------------- */

/* The digest of the synced records (migration 10): cl_digest_move (digest, id, version,
 * sign) adds (sign 1) or takes away (sign -1) a record's term, cl_wire_digest_add()'s,
 * modulo 2^64; cl_digest_sum (id, version) sums the terms of rows. Both keep the 64
 * bits in SQLite's signed integers. */
static void
digest_move (sqlite3_context  *ctx,
             int               argc,
             sqlite3_value   **argv)
{
  guint64 digest = (guint64) sqlite3_value_int64 (argv[0]);
  const char *id = (const char *) sqlite3_value_text (argv[1]);
  gint64 sign = sqlite3_value_int64 (argv[3]);
  guint64 term = 0;

  if (id != NULL && sign != 0)
    cl_wire_digest_add (&term, id, sqlite3_value_int64 (argv[2]));
  sqlite3_result_int64 (ctx, (sqlite3_int64) (sign < 0 ? digest - term : digest + term));
}

static void
digest_sum_step (sqlite3_context  *ctx,
                 int               argc,
                 sqlite3_value   **argv)
{
  guint64 *digest = sqlite3_aggregate_context (ctx, sizeof *digest);
  const char *id = (const char *) sqlite3_value_text (argv[0]);

  if (digest == NULL)
    sqlite3_result_error_nomem (ctx);
  else if (id != NULL)
    cl_wire_digest_add (digest, id, sqlite3_value_int64 (argv[1]));
}

static void
digest_sum_final (sqlite3_context *ctx)
{
  guint64 *digest = sqlite3_aggregate_context (ctx, 0);

  sqlite3_result_int64 (ctx, digest != NULL ? (sqlite3_int64) *digest : 0);
}

static int
db_register_functions (sqlite3 *db)
{
  int rc;

  rc = sqlite3_create_function_v2 (db, "cl_digest_move", 4,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   digest_move, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2 (db, "cl_digest_sum", 2, SQLITE_UTF8, NULL, NULL,
                                     digest_sum_step, digest_sum_final, NULL);
  return rc;
}

/* Opens and keys the database, then reads sqlite_master: a wrong key or a damaged file
 * only shows at the first read. */
static sqlite3 *
db_open_keyed (const char  *path,
               ClSecret    *dek,
               GError     **error)
{
  g_autoptr(ClSecret) raw = _cl_vault_dek_raw_key (dek);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      sqlite3_close_v2 (db);
      return NULL;
    }
  rc = sqlite3_key (db, cl_secret_get_data (raw), (int) cl_secret_get_len (raw));
  if (rc != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  if ((rc = db_register_functions (db)) != SQLITE_OK)
    {
      cl_sql_set_error (error, db, rc);
      sqlite3_close_v2 (db);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    {
      switch (rc & 0xff)
        {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_NOMEM:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
          cl_sql_set_error (error, db, rc);
          break;
        default:
          /* The slot unwrapped, so the key is the right one for this key file. */
          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                       _("The vault database cannot be read: it is damaged or does not "
                         "belong to this key file. Restore it from a backup or from the "
                         "server."));
          break;
        }
      sqlite3_finalize (stmt);
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return db;
}

/* Checks the pragmas; with @set, sets them first. */
gboolean
_cl_vault_db_check_pragmas (sqlite3   *db,
                            gboolean   set,
                            GString   *report,
                            GError   **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (vault_pragmas); i++)
    {
      g_autofree char *value = NULL;
      GError *local_error = NULL;

      if (set && !cl_sql_exec (db, vault_pragmas[i].set, error))
        return FALSE;
      value = cl_sql_query_text (db, &local_error, vault_pragmas[i].get, CL_SQL_END);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (g_strcmp0 (value, vault_pragmas[i].expect) != 0)
        {
          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                       _("The vault database could not be configured safely (“%s” is "
                         "“%s” instead of “%s”)."),
                       vault_pragmas[i].get + strlen ("PRAGMA "),
                       value != NULL ? value : "", vault_pragmas[i].expect);
          return FALSE;
        }
      if (report != NULL)
        g_string_append_printf (report, _("Setting %s: %s (ok)\n"),
                                vault_pragmas[i].get + strlen ("PRAGMA "), value);
    }
  return TRUE;
}

/* ClVault --------------------------------------------------------------------------- */

static gboolean
cl_vault_lock_internal (ClVault *self)
{
  if (self->db == NULL)
    return FALSE;

  /* Wait for a write transaction in progress to end. */
  g_rec_mutex_lock (&self->write_lock);
  if (sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
      SQLITE_OK)
    g_debug ("WAL checkpoint before lock failed: %s", sqlite3_errmsg (self->db));
  sqlite3_close_v2 (self->db);
  self->db = NULL;
  g_clear_pointer (&self->dek, cl_secret_free);
  g_rec_mutex_unlock (&self->write_lock);
  return TRUE;
}

static void
cl_vault_finalize (GObject *object)
{
  ClVault *self = (ClVault *) object;

  cl_vault_lock_internal (self);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->vault_id, g_free);
  g_rec_mutex_clear (&self->write_lock);

  G_OBJECT_CLASS (cl_vault_parent_class)->finalize (object);
}

static void
cl_vault_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  ClVault *self = CL_VAULT (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_value_set_string (value, self->dir);
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, cl_vault_is_locked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_vault_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  ClVault *self = CL_VAULT (object);

  switch (prop_id)
    {
    case PROP_DIR:
      self->dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_vault_class_init (ClVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_vault_finalize;
  object_class->get_property = cl_vault_get_property;
  object_class->set_property = cl_vault_set_property;

  properties[PROP_DIR] =
    g_param_spec_string ("dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_vault_init (ClVault *self)
{
  g_rec_mutex_init (&self->write_lock);
}

static ClVault *
vault_new (const char *dir,
           const char *vault_id,
           sqlite3    *db,
           ClSecret   *dek)
{
  ClVault *self = g_object_new (CL_TYPE_VAULT, "dir", dir, NULL);

  self->vault_id = g_strdup (vault_id);
  self->db = db;
  self->dek = dek;
  return self;
}

/* Opening ------------------------------------------------------------------------------ */

/* Unlocks with the slot of @type (@secret: the passphrase, or the 20 raw recovery bytes).
 * See the comment at the top of the file for keys.json.new. */
static ClVault *
vault_open (const char  *dir,
            SlotType     type,
            ClSecret    *secret,
            Keys       **keys_out,
            GError     **error)
{
  g_autofree char *keys_path = g_build_filename (dir, KEYS_FILE, NULL);
  g_autofree char *new_path = g_build_filename (dir, KEYS_NEW_FILE, NULL);
  g_autofree char *db_path = g_build_filename (dir, DB_FILE, NULL);
  g_autoptr(Keys) keys = NULL;
  g_autoptr(ClSecret) dek = NULL;
  g_autoptr(GError) local_error = NULL;
  GError *file_error = NULL;
  Failures failures;
  gboolean have_keys;
  gboolean have_db = FALSE;
  gboolean promote = FALSE;
  gboolean ok;
  ClVault *vault;
  sqlite3 *db;
  int version;

  if (!_cl_vault_ensure_dir (dir, FALSE, NULL, error))
    return NULL;

  have_keys = check_vault_file (keys_path, &file_error);
  if (file_error == NULL)
    have_db = check_vault_file (db_path, &file_error);
  if (file_error != NULL)
    {
      g_propagate_error (error, file_error);
      return NULL;
    }
  if (!have_keys)
    {
      g_autofree char *display = g_filename_display_name (dir);

      if (have_db)
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_MISSING,
                     _("The vault in %s has lost its key file (keys.json), so it cannot be "
                       "opened. Restore it from a backup."), display);
      else
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND,
                     _("There is no vault in %s."), display);
      return NULL;
    }

  keys = _cl_vault_keys_load (keys_path, error);
  if (keys == NULL)
    return NULL;

  /* Key derivation first: the database is not touched until a slot unwraps. */
  failures = failures_wait (dir, keys->vault_id);
  dek = _cl_vault_keys_unwrap (keys, type, secret, &local_error);
  if (dek == NULL)
    {
      if (g_error_matches (local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
        {
          _cl_vault_record_failure ();
          _cl_vault_failures_store (dir, keys->vault_id, cl_vault_failed_attempts ());
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!have_db)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT,
                   _("The vault database (caseload.db) is missing. Restore the vault from "
                     "a backup or from the server."));
      return NULL;
    }

  db = db_open_keyed (db_path, dek, &local_error);
  if (db == NULL &&
      g_error_matches (local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT) &&
      _cl_vault_path_exists (new_path))
    {
      /* A rekey may have re-encrypted the database before keys.json was replaced. */
      g_autoptr(Keys) new_keys = _cl_vault_keys_load (new_path, NULL);
      g_autoptr(ClSecret) new_dek = NULL;

      if (new_keys != NULL && g_strcmp0 (new_keys->vault_id, keys->vault_id) == 0)
        new_dek = _cl_vault_keys_unwrap (new_keys, type, secret, NULL);
      if (new_dek != NULL)
        db = db_open_keyed (db_path, new_dek, NULL);
      if (db != NULL)
        {
          g_clear_error (&local_error);
          g_clear_pointer (&keys, _cl_vault_keys_free);
          g_clear_pointer (&dek, cl_secret_free);
          keys = g_steal_pointer (&new_keys);
          dek = g_steal_pointer (&new_dek);
          promote = TRUE;
        }
      else if (type == SLOT_RECOVERY && new_keys != NULL)
        {
          g_clear_error (&local_error);
          g_set_error (&local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET,
                       _("This recovery key no longer opens the vault: the vault was "
                         "re-encrypted with a new key. Use the passphrase."));
        }
    }
  if (db == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* A newer schema is refused before anything is written, not even the journal mode. */
  version = cl_migrations_version (db, error);
  ok = version >= 0;
  if (ok && version > cl_migrations_latest ())
    ok = cl_migrations_apply (db, -1, error);   /* fails with TOO_NEW */
  ok = ok && _cl_vault_db_check_pragmas (db, TRUE, NULL, error) && cl_migrations_apply (db, -1, error);
  if (!ok)
    {
      sqlite3_close_v2 (db);
      return NULL;
    }

  if (promote)
    {
      if (g_rename (new_path, keys_path) != 0 || !_cl_vault_fsync_dir (dir, NULL))
        g_warning ("Could not finish an interrupted rekey: %s", g_strerror (errno));
    }
  else if (_cl_vault_path_exists (new_path))
    {
      /* Left over by a rekey that never reached the database. */
      if (g_unlink (new_path) != 0)
        g_warning ("Could not remove a stale keys.json.new: %s", g_strerror (errno));
      _cl_vault_fsync_dir (dir, NULL);
    }

  _cl_vault_reset_failures ();
  if (failures.count != 0 || !failures.valid)
    _cl_vault_failures_store (dir, keys->vault_id, 0);
  vault = vault_new (dir, keys->vault_id, db, g_steal_pointer (&dek));
  if (keys_out != NULL)
    *keys_out = g_steal_pointer (&keys);
  return vault;
}

static ClVault *
vault_create (const char  *dir,
              ClSecret    *passphrase,
              int          version,
              ClSecret   **recovery_key,
              GError     **error)
{
  g_autofree char *keys_path = g_build_filename (dir, KEYS_FILE, NULL);
  g_autofree char *new_path = g_build_filename (dir, KEYS_NEW_FILE, NULL);
  g_autofree char *db_path = g_build_filename (dir, DB_FILE, NULL);
  g_autofree char *vault_id = NULL;
  g_autoptr(ClSecret) dek = NULL;
  g_autoptr(ClSecret) recovery_raw = NULL;
  g_autoptr(Keys) keys = NULL;
  gboolean created_dir = FALSE;
  sqlite3 *db = NULL;
  int fd = -1;

  if (_cl_vault_secret_is_weak (passphrase, error))
    return NULL;
  if (!_cl_vault_ensure_dir (dir, TRUE, &created_dir, error))
    return NULL;
  if (_cl_vault_path_exists (keys_path) || _cl_vault_path_exists (db_path) || _cl_vault_path_exists (new_path))
    {
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s."), display);
      return NULL;
    }

  /* Created 0600 before SQLite sees it, so -wal and -shm inherit 0600. */
  fd = open (db_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == EEXIST)
        {
          g_autofree char *display = g_filename_display_name (dir);

          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                       _("There is already a vault in %s."), display);
        }
      else
        _cl_vault_set_io_error (error, errsv, db_path, IO_CREATE);
      goto fail;
    }
  close (fd);

  vault_id = cl_uuid_new ();
  dek = _cl_vault_new_random_secret (DEK_BYTES);
  recovery_raw = _cl_vault_new_random_secret (RECOVERY_BYTES);

  /* auto_vacuum is fixed when the first table is made: a new vault gives the pages its
   * pushed outbox frees back to the file system at each push (cl-sync-push.c). */
  db = db_open_keyed (db_path, dek, error);
  if (db == NULL ||
      !cl_sql_exec (db, "PRAGMA auto_vacuum = INCREMENTAL", error) ||
      !_cl_vault_db_check_pragmas (db, TRUE, NULL, error) ||
      !cl_migrations_apply (db, version, error))
    goto fail;

  /* keys.json last: its atomic rename is the moment the vault exists. */
  _cl_vault_failures_store (dir, vault_id, 0);
  keys = _cl_vault_keys_new (vault_id);
  if (!_cl_vault_keys_set_slot (keys, SLOT_PASSPHRASE, passphrase, dek, error) ||
      !_cl_vault_keys_set_slot (keys, SLOT_RECOVERY, recovery_raw, dek, error) ||
      !_cl_vault_keys_write (keys_path, keys, error))
    goto fail;

  if (recovery_key != NULL)
    *recovery_key = _cl_vault_recovery_format (recovery_raw);
  return vault_new (dir, vault_id, db, g_steal_pointer (&dek));

fail:
  if (db != NULL)
    sqlite3_close_v2 (db);
  if (fd >= 0)
    _cl_vault_remove_db_files (dir);
  if (created_dir)
    g_rmdir (dir);
  return NULL;
}

/* Public API ---------------------------------------------------------------------------- */

/**
 * cl_vault_exists:
 * @dir: a vault directory
 *
 * Returns: whether @dir holds a vault (or the remains of one: keys.json or caseload.db)
 */
gboolean
cl_vault_exists (const char *dir)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);

  keys_path = g_build_filename (dir, KEYS_FILE, NULL);
  db_path = g_build_filename (dir, DB_FILE, NULL);
  return _cl_vault_path_exists (keys_path) || _cl_vault_path_exists (db_path);
}

char *
cl_vault_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "caseload", NULL);
}

/**
 * cl_vault_create:
 * @dir: the vault directory; created 0700 if needed
 * @passphrase: at least %CL_VAULT_MIN_PASSPHRASE characters
 * @recovery_key: (out) (optional): the recovery key, to be shown once
 * @error: return location for an error
 *
 * Creates a vault and returns it unlocked.
 */
ClVault *
cl_vault_create (const char  *dir,
                 ClSecret    *passphrase,
                 ClSecret   **recovery_key,
                 GError     **error)
{
  return _cl_vault_create_at_version (dir, passphrase, -1, recovery_key, error);
}

ClVault *
_cl_vault_create_at_version (const char  *dir,
                             ClSecret    *passphrase,
                             int          version,
                             ClSecret   **recovery_key,
                             GError     **error)
{
  ClVault *vault;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);
  g_return_val_if_fail (version <= cl_migrations_latest (), NULL);
  g_return_val_if_fail (recovery_key == NULL || *recovery_key == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cl_secure_init ();
  _cl_vault_private_umask_push ();
  vault = vault_create (dir, passphrase, version, recovery_key, error);
  _cl_vault_private_umask_pop ();
  return vault;
}

void
_cl_vault_reset_failed_attempts (void)
{
  _cl_vault_reset_failures ();
}

/**
 * cl_vault_unlock:
 * @dir: the vault directory
 * @passphrase: the passphrase
 * @error: return location for an error
 *
 * Derives the key (about half a second by design: call it from a thread, or use
 * cl_vault_unlock_async()) and opens the database. A wrong passphrase fails with
 * %CL_VAULT_ERROR_WRONG_SECRET and changes nothing on disk; it counts towards
 * cl_vault_retry_delay_ms().
 *
 * Returns: (transfer full): the unlocked vault, or %NULL with @error set
 */
ClVault *
cl_vault_unlock (const char  *dir,
                 ClSecret    *passphrase,
                 GError     **error)
{
  ClVault *vault;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cl_secure_init ();
  _cl_vault_private_umask_push ();
  vault = vault_open (dir, SLOT_PASSPHRASE, passphrase, NULL, error);
  _cl_vault_private_umask_pop ();
  return vault;
}

/**
 * cl_vault_recover:
 * @dir: the vault directory
 * @recovery_key: the recovery key as typed (case, spaces and dashes do not matter)
 * @new_passphrase: the passphrase that replaces the forgotten one
 * @error: return location for an error
 *
 * Unlocks with the recovery key and replaces the passphrase slot. The recovery key keeps
 * working.
 *
 * Returns: (transfer full): the unlocked vault, or %NULL with @error set
 */
ClVault *
cl_vault_recover (const char  *dir,
                  ClSecret    *recovery_key,
                  ClSecret    *new_passphrase,
                  GError     **error)
{
  g_autoptr(ClSecret) raw = NULL;
  g_autoptr(Keys) keys = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *keys_path = NULL;
  gboolean ok;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);
  g_return_val_if_fail (new_passphrase != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cl_secure_init ();
  if (_cl_vault_secret_is_weak (new_passphrase, error))
    return NULL;

  raw = _cl_vault_recovery_parse (recovery_key);
  if (raw == NULL)
    {
      _cl_vault_record_failure ();
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET,
                   _("That is not a recovery key: it has 32 letters and digits, usually "
                     "printed in groups of four."));
      return NULL;
    }

  _cl_vault_private_umask_push ();
  vault = vault_open (dir, SLOT_RECOVERY, raw, &keys, error);
  ok = vault != NULL;
  if (ok)
    {
      keys_path = g_build_filename (dir, KEYS_FILE, NULL);
      ok = _cl_vault_keys_set_slot (keys, SLOT_PASSPHRASE, new_passphrase, vault->dek, error) &&
           _cl_vault_keys_write (keys_path, keys, error);
    }
  _cl_vault_private_umask_pop ();

  return ok ? g_steal_pointer (&vault) : NULL;
}

typedef struct {
  char     *dir;
  ClSecret *passphrase;
} UnlockData;

static void
unlock_data_free (UnlockData *data)
{
  g_free (data->dir);
  cl_secret_free (data->passphrase);
  g_free (data);
}

static void
unlock_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UnlockData *data = task_data;
  GError *error = NULL;
  ClVault *vault;

  if (g_task_return_error_if_cancelled (task))
    return;
  vault = cl_vault_unlock (data->dir, data->passphrase, &error);
  if (vault == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vault, g_object_unref);
}

/**
 * cl_vault_unlock_async:
 *
 * Runs cl_vault_unlock() in a worker thread; the passphrase is copied.
 */
void
cl_vault_unlock_async (const char          *dir,
                       ClSecret            *passphrase,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UnlockData *data;

  g_return_if_fail (dir != NULL);
  g_return_if_fail (passphrase != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (UnlockData, 1);
  data->dir = g_strdup (dir);
  data->passphrase = cl_secret_dup (passphrase);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_vault_unlock_async);
  g_task_set_task_data (task, data, (GDestroyNotify) unlock_data_free);
  g_task_run_in_thread (task, unlock_thread);
}

ClVault *
cl_vault_unlock_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cl_vault_unlock_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * cl_vault_lock:
 *
 * Checkpoints the WAL, closes the database and wipes the key. Waits for a write
 * transaction holding the write lock to end. Statements still prepared by callers keep
 * SQLite's memory alive until they are finalized, so finalize them first.
 */
void
cl_vault_lock (ClVault *self)
{
  g_return_if_fail (CL_IS_VAULT (self));

  if (cl_vault_lock_internal (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

gboolean
cl_vault_is_locked (ClVault *self)
{
  g_return_val_if_fail (CL_IS_VAULT (self), TRUE);

  return self->db == NULL;
}

const char *
cl_vault_get_dir (ClVault *self)
{
  g_return_val_if_fail (CL_IS_VAULT (self), NULL);

  return self->dir;
}

/**
 * cl_vault_get_db:
 *
 * Returns: (transfer none) (nullable): the open database, or %NULL when locked
 */
sqlite3 *
cl_vault_get_db (ClVault *self)
{
  g_return_val_if_fail (CL_IS_VAULT (self), NULL);

  return self->db;
}

/**
 * cl_vault_get_write_lock:
 *
 * Returns: (transfer none): the mutex to hold around BEGIN IMMEDIATE … COMMIT
 */
GRecMutex *
cl_vault_get_write_lock (ClVault *self)
{
  g_return_val_if_fail (CL_IS_VAULT (self), NULL);

  return &self->write_lock;
}

/**
 * cl_vault_failed_attempts:
 *
 * Returns: the failed unlock attempts (wrong passphrase or recovery key) since the last
 *   success, process-wide
 */
guint
cl_vault_failed_attempts (void)
{
  return (guint) g_atomic_int_get (&failed_attempts);
}

/**
 * cl_vault_pending_delay_ms:
 * @dir: a vault directory
 *
 * Returns: how long the next unlock of @dir by this process will wait before it tries,
 *   because of failed attempts recorded beside the vault by another process or before a
 *   restart (0 when there is no vault)
 */
guint
cl_vault_pending_delay_ms (const char *dir)
{
  g_autofree char *keys_path = NULL;
  g_autoptr(Keys) keys = NULL;
  Failures failures;

  g_return_val_if_fail (dir != NULL, 0);

  keys_path = g_build_filename (dir, KEYS_FILE, NULL);
  keys = _cl_vault_keys_load (keys_path, NULL);
  if (keys == NULL)
    return 0;
  failures = failures_load (dir, keys->vault_id);
  return failures_pending_ms (&failures);
}

/**
 * cl_vault_retry_delay_ms:
 *
 * Returns: how long the UI should wait before accepting the next attempt: 0 after the
 *   first failure, then 1 s, 2 s, 4 s … up to 30 s
 */
guint
cl_vault_retry_delay_ms (void)
{
  return delay_after_ms (cl_vault_failed_attempts ());
}
