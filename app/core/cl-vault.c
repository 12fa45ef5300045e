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

#define KEYS_FILE        "keys.json"
#define KEYS_NEW_FILE    "keys.json.new"
#define DB_FILE          "caseload.db"
#define FAILURES_FILE    "unlock-failures"
#define FAILURES_TAG     "caseload-unlock-failures-v1"
/* A failure record that is missing or does not check out counts as this many failures,
 * which asks for the longest delay. */
#define FAILURES_TAMPERED 7
#define KEYS_FORMAT      "caseload-keys"
#define KEYS_VERSION     1
#define KEYS_MAX_SIZE    (64 * 1024)
#define KEYS_MAX_DEPTH   4
#define KDF_NAME         "argon2id13"
#define DEK_BYTES        32
#define RAW_KEY_LEN      (2 + 2 * DEK_BYTES + 1)    /* x'<64 hex>' */
#define RECOVERY_BYTES   20
#define RECOVERY_SYMBOLS 32                         /* 20 bytes in base32 */
#define RECOVERY_LEN     (RECOVERY_SYMBOLS + RECOVERY_SYMBOLS / 4 - 1)
#define SALT_BYTES       crypto_pwhash_SALTBYTES
#define NONCE_BYTES      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAPPED_BYTES    (DEK_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define CHECKSUM_BYTES   32
#define BUSY_TIMEOUT_MS  5000
#define MAX_DELAY_MS     30000

/* Bounds for KDF parameters read from a file, so a hostile keys.json cannot make us
 * allocate or compute without limit: at most libsodium's SENSITIVE memory (1 GiB) and
 * four times its SENSITIVE passes. */
#define OPSLIMIT_MAX     (4 * crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE)
#define MEMLIMIT_MAX     crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE

#define BACKUP_MAGIC     "CASELOAD-BACKUP-1\n"
#define BACKUP_MAGIC_LEN (sizeof BACKUP_MAGIC - 1)
#define BACKUP_HEADER    (BACKUP_MAGIC_LEN + 16)   /* magic, keys length, db length (BE) */

typedef enum {
  SLOT_PASSPHRASE,
  SLOT_RECOVERY,
} SlotType;

typedef struct {
  SlotType type;
  guint64  opslimit;
  guint64  memlimit;
  guint8   salt[SALT_BYTES];
  guint8   nonce[NONCE_BYTES];
  guint8   wrapped[WRAPPED_BYTES];
} Slot;

typedef struct {
  char   *vault_id;
  GArray *slots;      /* of Slot */
} Keys;

struct _ClVault
{
  GObject    parent_instance;

  char      *dir;
  char      *vault_id;
  sqlite3   *db;
  ClSecret  *dek;
  GRecMutex  write_lock;  /* held by every store transaction and read, and by lock */
};

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

/* Crockford's base32: no I, L, O or U, so a printed key cannot be misread. */
static const char recovery_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static gint failed_attempts;

static GMutex umask_mutex;
static guint umask_depth;
static mode_t saved_umask;

/* Small helpers ----------------------------------------------------------------------- */

static void
keys_free (Keys *keys)
{
  if (keys == NULL)
    return;
  g_free (keys->vault_id);
  g_array_unref (keys->slots);
  g_free (keys);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Keys, keys_free)

static Keys *
keys_new (const char *vault_id)
{
  Keys *keys = g_new0 (Keys, 1);

  keys->vault_id = g_strdup (vault_id);
  keys->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  return keys;
}

static const char *
slot_type_name (SlotType type)
{
  return type == SLOT_PASSPHRASE ? "passphrase" : "recovery";
}

static Slot *
keys_find_slot (Keys     *keys,
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
static void
private_umask_push (void)
{
  g_mutex_lock (&umask_mutex);
  if (umask_depth++ == 0)
    saved_umask = umask (077);
  g_mutex_unlock (&umask_mutex);
}

static void
private_umask_pop (void)
{
  g_mutex_lock (&umask_mutex);
  g_assert (umask_depth > 0);
  if (--umask_depth == 0)
    umask (saved_umask);
  g_mutex_unlock (&umask_mutex);
}

static void
record_failure (void)
{
  g_atomic_int_inc (&failed_attempts);
}

static void
reset_failures (void)
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

static gboolean
secret_is_weak (ClSecret  *passphrase,
                GError   **error)
{
  return !cl_vault_check_passphrase (cl_secret_get_string (passphrase), error);
}

typedef enum {
  IO_OPEN,
  IO_READ,
  IO_WRITE,
  IO_CREATE,
  IO_REMOVE,
  IO_REPLACE,
  IO_SYNC,
  IO_ERASE,
} IoAction;

static void
set_io_error (GError     **error,
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

static gboolean
path_exists (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0;
}

static gboolean
unlink_if_exists (const char  *path,
                  GError     **error)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      set_io_error (error, errno, path, IO_REMOVE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fsync_dir (const char  *dir,
           GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      set_io_error (error, errsv, dir, IO_SYNC);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
write_all (int            fd,
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
          set_io_error (error, errno, path, IO_WRITE);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
read_exact (int          fd,
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
          set_io_error (error, errno, path, IO_READ);
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
static gboolean
copy_bytes (int          in,
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

      if (!read_exact (in, buf, chunk, in_path, error) ||
          !write_all (out, buf, chunk, out_path, error))
        return FALSE;
      len -= chunk;
    }
  return TRUE;
}

/* Atomic replacement: a 0600 temp file in the same directory, fsync, rename, fsync the
 * directory. */
static int
atomic_begin (const char  *path,
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
      set_io_error (error, errno, path, IO_WRITE);
      g_free (tmpl);
      return -1;
    }
  *tmp_path = tmpl;
  return fd;
}

static gboolean
atomic_commit (int          fd,
               const char  *tmp_path,
               const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (fsync (fd) != 0)
    {
      set_io_error (error, errno, path, IO_WRITE);
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      set_io_error (error, errno, path, IO_WRITE);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      set_io_error (error, errno, path, IO_REPLACE);
      g_unlink (tmp_path);
      return FALSE;
    }
  return fsync_dir (dir, error);
}

static void
atomic_abort (int         fd,
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
static gboolean
write_file_atomic (const char    *path,
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
      set_io_error (error, file_error_errno (local_error), path, IO_WRITE);
      return FALSE;
    }
  return fsync_dir (dir, error);
}

/* Reads a small regular file (never following a symlink). Sets errno-style @errsv:
 * EFBIG when the file exceeds @max. */
static guint8 *
read_small_file (const char  *path,
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
static gboolean
ensure_dir (const char  *dir,
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
          set_io_error (error, errsv, dir, IO_OPEN);
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
          set_io_error (error, errno, dir, IO_CREATE);
          return FALSE;
        }
      if (created != NULL)
        *created = TRUE;
      if (g_stat (dir, &st) != 0)
        {
          set_io_error (error, errno, dir, IO_OPEN);
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
        set_io_error (error, errno, path, IO_OPEN);
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

static void
remove_db_files (const char *dir)
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

  data = read_small_file (path, 256, &len, &errsv);
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
static void
failures_store (const char *dir,
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
  if (!write_file_atomic (path, text, strlen (text), &error))
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

/* Secrets and key slots ---------------------------------------------------------------- */

static void
kdf_params (guint64 *opslimit,
            guint64 *memlimit)
{
  /* Tests only, and only in builds configured with -Dtest_hooks=true: the cost is stored
   * per slot, so such vaults still open normally. */
  if (CASELOAD_TEST_HOOKS && g_strcmp0 (g_getenv ("CASELOAD_TEST_FAST_KDF"), "1") == 0)
    {
      *opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
      *memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
    }
  else
    {
      *opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
      *memlimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
    }
}

static char *
slot_associated_data (const char *vault_id,
                      SlotType    type)
{
  return g_strdup_printf ("caseload-slot-v1|%s|%s", vault_id, slot_type_name (type));
}

/* The key-encryption key: Argon2id over the secret with the slot's parameters. */
static ClSecret *
derive_kek (const Slot  *slot,
            ClSecret    *secret,
            GError     **error)
{
  g_autoptr(ClSecret) kek = cl_secret_new (crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

  if (crypto_pwhash (cl_secret_get_data (kek), cl_secret_get_len (kek),
                     cl_secret_get_string (secret), cl_secret_get_len (secret),
                     slot->salt, slot->opslimit, (size_t) slot->memlimit,
                     crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO,
                   _("There is not enough memory to derive the vault key."));
      return NULL;
    }
  return g_steal_pointer (&kek);
}

static gboolean
slot_wrap (Slot        *slot,
           SlotType     type,
           const char  *vault_id,
           ClSecret    *secret,
           ClSecret    *dek,
           GError     **error)
{
  g_autoptr(ClSecret) kek = NULL;
  g_autofree char *ad = slot_associated_data (vault_id, type);
  unsigned long long wrapped_len = 0;

  g_assert (cl_secret_get_len (dek) == DEK_BYTES);

  memset (slot, 0, sizeof *slot);
  slot->type = type;
  kdf_params (&slot->opslimit, &slot->memlimit);
  randombytes_buf (slot->salt, sizeof slot->salt);
  randombytes_buf (slot->nonce, sizeof slot->nonce);

  kek = derive_kek (slot, secret, error);
  if (kek == NULL)
    return FALSE;
  crypto_aead_xchacha20poly1305_ietf_encrypt (slot->wrapped, &wrapped_len,
                                              cl_secret_get_data (dek), DEK_BYTES,
                                              (const guint8 *) ad, strlen (ad), NULL,
                                              slot->nonce, cl_secret_get_data (kek));
  g_assert (wrapped_len == WRAPPED_BYTES);
  return TRUE;
}

/* Replaces (or adds) the slot of @type, keeping the passphrase slot first. */
static gboolean
keys_set_slot (Keys      *keys,
               SlotType   type,
               ClSecret  *secret,
               ClSecret  *dek,
               GError   **error)
{
  Slot slot;
  Slot *old;

  if (!slot_wrap (&slot, type, keys->vault_id, secret, dek, error))
    return FALSE;
  old = keys_find_slot (keys, type);
  if (old != NULL)
    *old = slot;
  else if (type == SLOT_PASSPHRASE)
    g_array_prepend_val (keys->slots, slot);
  else
    g_array_append_val (keys->slots, slot);
  return TRUE;
}

static void
set_wrong_secret (GError   **error,
                  SlotType   type)
{
  if (type == SLOT_PASSPHRASE)
    g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET,
                 _("Wrong passphrase. Nothing was changed; try again."));
  else
    g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET,
                 _("Wrong recovery key. Check it against the printed copy: letters and "
                   "digits count, dashes and spaces do not."));
}

/* Returns the DEK wrapped in the slot of @type, or WRONG_SECRET / NO_RECOVERY_SLOT. */
static ClSecret *
keys_unwrap (Keys      *keys,
             SlotType   type,
             ClSecret  *secret,
             GError   **error)
{
  const Slot *slot = keys_find_slot (keys, type);
  g_autoptr(ClSecret) kek = NULL;
  g_autoptr(ClSecret) dek = NULL;
  g_autofree char *ad = NULL;
  unsigned long long dek_len = 0;

  if (slot == NULL)
    {
      if (type == SLOT_RECOVERY)
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NO_RECOVERY_SLOT,
                     _("This vault has no recovery key."));
      else
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_DAMAGED,
                     _("The vault's key file has no passphrase slot."));
      return NULL;
    }

  kek = derive_kek (slot, secret, error);
  if (kek == NULL)
    return NULL;
  ad = slot_associated_data (keys->vault_id, type);
  dek = cl_secret_new (DEK_BYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (cl_secret_get_data (dek), &dek_len, NULL,
                                                  slot->wrapped, WRAPPED_BYTES,
                                                  (const guint8 *) ad, strlen (ad),
                                                  slot->nonce,
                                                  cl_secret_get_data (kek)) != 0 ||
      dek_len != DEK_BYTES)
    {
      set_wrong_secret (error, type);
      return NULL;
    }
  return g_steal_pointer (&dek);
}

static ClSecret *
new_random_secret (gsize len)
{
  ClSecret *secret = cl_secret_new (len);

  randombytes_buf (cl_secret_get_data (secret), len);
  return secret;
}

/* x'<64 hex>': SQLCipher's raw key form, built and kept in secure memory. */
static ClSecret *
dek_raw_key (ClSecret *dek)
{
  ClSecret *raw = cl_secret_new (RAW_KEY_LEN);
  guint8 *p = cl_secret_get_data (raw);

  g_assert (cl_secret_get_len (dek) == DEK_BYTES);
  p[0] = 'x';
  p[1] = '\'';
  sodium_bin2hex ((char *) p + 2, 2 * DEK_BYTES + 1, cl_secret_get_data (dek), DEK_BYTES);
  p[RAW_KEY_LEN - 1] = '\'';
  p[RAW_KEY_LEN] = '\0';
  return raw;
}

/* Recovery keys: 20 random bytes shown as 32 base32 symbols in groups of four,
 * e.g. "7K3M-Q0AZ-…". */
static ClSecret *
recovery_format (ClSecret *raw)
{
  ClSecret *text = cl_secret_new (RECOVERY_LEN);
  const guint8 *in = cl_secret_get_data (raw);
  guint8 *out = cl_secret_get_data (text);
  guint32 acc = 0;
  guint bits = 0;
  gsize o = 0;
  guint symbols = 0;

  g_assert (cl_secret_get_len (raw) == RECOVERY_BYTES);
  for (gsize i = 0; i < RECOVERY_BYTES; i++)
    {
      acc = (acc << 8) | in[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          if (symbols > 0 && symbols % 4 == 0)
            out[o++] = '-';
          out[o++] = recovery_alphabet[(acc >> bits) & 31];
          symbols++;
          acc &= (1u << bits) - 1;
        }
    }
  g_assert (o == RECOVERY_LEN && bits == 0);
  sodium_memzero (&acc, sizeof acc);
  return text;
}

static int
recovery_symbol_value (guint8 c)
{
  c = g_ascii_toupper (c);
  if (c == 'O')
    c = '0';
  else if (c == 'I' || c == 'L')
    c = '1';
  for (int v = 0; v < 32; v++)
    if (recovery_alphabet[v] == c)
      return v;
  return -1;
}

/* Accepts the recovery key however it was typed: any case, with or without dashes and
 * spaces; O reads as 0 and I/L as 1. Returns the 20 raw bytes or NULL. */
static ClSecret *
recovery_parse (ClSecret *text)
{
  g_autoptr(ClSecret) raw = cl_secret_new (RECOVERY_BYTES);
  const guint8 *in = cl_secret_get_data (text);
  guint8 *out = cl_secret_get_data (raw);
  gsize len = cl_secret_get_len (text);
  guint32 acc = 0;
  guint bits = 0;
  guint symbols = 0;
  gsize o = 0;
  gboolean ok = TRUE;

  for (gsize i = 0; i < len && ok; i++)
    {
      int v;

      if (in[i] == ' ' || in[i] == '-' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')
        continue;
      v = recovery_symbol_value (in[i]);
      if (v < 0 || symbols == RECOVERY_SYMBOLS)
        {
          ok = FALSE;
          break;
        }
      acc = (acc << 5) | (guint32) v;
      bits += 5;
      symbols++;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (acc >> bits) & 0xff;
          acc &= (1u << bits) - 1;
        }
    }
  sodium_memzero (&acc, sizeof acc);
  if (!ok || symbols != RECOVERY_SYMBOLS)
    return NULL;
  g_assert (o == RECOVERY_BYTES);
  return g_steal_pointer (&raw);
}

/* keys.json ----------------------------------------------------------------------------- */

static void
hash_u64 (crypto_generichash_state *state,
          guint64                   value)
{
  guint64 le = GUINT64_TO_LE (value);

  crypto_generichash_update (state, (const guint8 *) &le, sizeof le);
}

static void
hash_str (crypto_generichash_state *state,
          const char               *text)
{
  crypto_generichash_update (state, (const guint8 *) text, strlen (text) + 1);
}

/* Detects accidental damage (unkeyed: tampering is caught by the AEAD tag). */
static void
keys_checksum (const Keys *keys,
               guint8      out[CHECKSUM_BYTES])
{
  crypto_generichash_state state;

  crypto_generichash_init (&state, NULL, 0, CHECKSUM_BYTES);
  hash_str (&state, KEYS_FORMAT);
  hash_u64 (&state, KEYS_VERSION);
  hash_str (&state, keys->vault_id);
  hash_u64 (&state, keys->slots->len);
  for (guint i = 0; i < keys->slots->len; i++)
    {
      const Slot *slot = &g_array_index (keys->slots, Slot, i);

      hash_str (&state, slot_type_name (slot->type));
      hash_str (&state, KDF_NAME);
      hash_u64 (&state, slot->opslimit);
      hash_u64 (&state, slot->memlimit);
      crypto_generichash_update (&state, slot->salt, sizeof slot->salt);
      crypto_generichash_update (&state, slot->nonce, sizeof slot->nonce);
      crypto_generichash_update (&state, slot->wrapped, sizeof slot->wrapped);
    }
  crypto_generichash_final (&state, out, CHECKSUM_BYTES);
}

static void
add_b64_member (JsonBuilder  *builder,
                const char   *name,
                const guint8 *data,
                gsize         len)
{
  char text[sodium_base64_ENCODED_LEN (64, sodium_base64_VARIANT_ORIGINAL)];

  g_assert (len <= 64);
  sodium_bin2base64 (text, sizeof text, data, len, sodium_base64_VARIANT_ORIGINAL);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static char *
keys_to_json (const Keys *keys,
              gsize      *len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint8 checksum[CHECKSUM_BYTES];
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, KEYS_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, KEYS_VERSION);
  json_builder_set_member_name (builder, "vault_id");
  json_builder_add_string_value (builder, keys->vault_id);
  json_builder_set_member_name (builder, "slots");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->slots->len; i++)
    {
      const Slot *slot = &g_array_index (keys->slots, Slot, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, slot_type_name (slot->type));
      json_builder_set_member_name (builder, "kdf");
      json_builder_add_string_value (builder, KDF_NAME);
      json_builder_set_member_name (builder, "opslimit");
      json_builder_add_int_value (builder, (gint64) slot->opslimit);
      json_builder_set_member_name (builder, "memlimit");
      json_builder_add_int_value (builder, (gint64) slot->memlimit);
      add_b64_member (builder, "salt", slot->salt, sizeof slot->salt);
      add_b64_member (builder, "nonce", slot->nonce, sizeof slot->nonce);
      add_b64_member (builder, "wrapped", slot->wrapped, sizeof slot->wrapped);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  keys_checksum (keys, checksum);
  add_b64_member (builder, "checksum", checksum, sizeof checksum);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, len);

  /* End with a newline like any text file. */
  data = g_realloc (data, *len + 2);
  data[(*len)++] = '\n';
  data[*len] = '\0';
  return data;
}

static gboolean
keys_write (const char  *path,
            const Keys  *keys,
            GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  data = keys_to_json (keys, &len);
  return write_file_atomic (path, data, len, error);
}

/* A structural pre-check before json-glib sees the text (it recurses, and it accepts
 * some truncated input): brackets balanced outside strings, nesting at most
 * KEYS_MAX_DEPTH, one object and nothing but whitespace after it. */
static gboolean
json_shape_ok (const char *data,
               gsize       len)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean closed = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (closed)
        {
          if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return FALSE;
        }
      else if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (depth == 0 && c != '{')
            return FALSE;
          if (++depth > KEYS_MAX_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        {
          if (depth == 0)
            return FALSE;
          if (--depth == 0)
            closed = TRUE;
        }
    }
  return closed;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

/* Strict base64: exactly the canonical encoding of @len bytes. */
static gboolean
member_b64 (JsonObject *object,
            const char *name,
            guint8     *out,
            gsize       len)
{
  const char *text = member_string (object, name);
  const char *end = NULL;
  size_t bin_len = 0;
  gsize text_len;

  if (text == NULL)
    return FALSE;
  text_len = strlen (text);
  if (text_len != sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_ORIGINAL) - 1)
    return FALSE;
  if (sodium_base642bin (out, len, text, text_len, NULL, &bin_len, &end,
                         sodium_base64_VARIANT_ORIGINAL) != 0)
    return FALSE;
  return bin_len == len && end == text + text_len;
}

static gboolean
slot_parse (JsonNode    *node,
            Slot        *slot,
            const char **reason)
{
  JsonObject *object;
  const char *text;
  gint64 value;

  memset (slot, 0, sizeof *slot);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *reason = _("a key slot is not an object");
      return FALSE;
    }
  object = json_node_get_object (node);
  if (json_object_get_size (object) != 7)
    {
      *reason = _("a key slot has missing or unknown fields");
      return FALSE;
    }

  text = member_string (object, "type");
  if (g_strcmp0 (text, "passphrase") == 0)
    slot->type = SLOT_PASSPHRASE;
  else if (g_strcmp0 (text, "recovery") == 0)
    slot->type = SLOT_RECOVERY;
  else
    {
      *reason = _("unknown key slot type");
      return FALSE;
    }

  if (g_strcmp0 (member_string (object, "kdf"), KDF_NAME) != 0)
    {
      *reason = _("unknown key derivation");
      return FALSE;
    }
  if (!member_int (object, "opslimit", &value) ||
      value < crypto_pwhash_argon2id_OPSLIMIT_MIN || value > OPSLIMIT_MAX)
    {
      *reason = _("key derivation cost out of range");
      return FALSE;
    }
  slot->opslimit = (guint64) value;
  if (!member_int (object, "memlimit", &value) ||
      value < crypto_pwhash_argon2id_MEMLIMIT_MIN || value > MEMLIMIT_MAX)
    {
      *reason = _("key derivation memory out of range");
      return FALSE;
    }
  slot->memlimit = (guint64) value;

  if (!member_b64 (object, "salt", slot->salt, sizeof slot->salt) ||
      !member_b64 (object, "nonce", slot->nonce, sizeof slot->nonce) ||
      !member_b64 (object, "wrapped", slot->wrapped, sizeof slot->wrapped))
    {
      *reason = _("invalid salt, nonce or wrapped key");
      return FALSE;
    }
  return TRUE;
}

/* keys.json comes from disk (or a backup someone handed us): every byte is checked. */
static Keys *
keys_parse (const char  *data,
            gsize        len,
            GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(Keys) keys = NULL;
  JsonObject *object;
  JsonNode *node;
  JsonArray *slots;
  const char *text;
  const char *reason = NULL;
  gint64 version;
  guint8 checksum[CHECKSUM_BYTES];
  guint8 expected[CHECKSUM_BYTES];
  guint n_passphrase = 0;
  guint n_recovery = 0;

  if (len == 0)
    {
      reason = _("the file is empty");
      goto damaged;
    }
  if (len > KEYS_MAX_SIZE)
    {
      reason = _("the file is too large");
      goto damaged;
    }
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL) ||
      !json_shape_ok (data, len))
    {
      reason = _("the file is not a key file");
      goto damaged;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    {
      reason = _("the file is not valid JSON");
      goto damaged;
    }
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      reason = _("the file is not a key file");
      goto damaged;
    }
  object = json_node_get_object (node);
  if (g_strcmp0 (member_string (object, "format"), KEYS_FORMAT) != 0)
    {
      reason = _("the file is not a key file");
      goto damaged;
    }
  if (!member_int (object, "version", &version) || version != KEYS_VERSION)
    {
      reason = _("unknown key file version");
      goto damaged;
    }
  if (json_object_get_size (object) != 5)
    {
      reason = _("missing or unknown fields");
      goto damaged;
    }
  text = member_string (object, "vault_id");
  if (text == NULL || !cl_is_uuid (text))
    {
      reason = _("invalid vault id");
      goto damaged;
    }
  keys = keys_new (text);

  node = json_object_get_member (object, "slots");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      reason = _("no key slots");
      goto damaged;
    }
  slots = json_node_get_array (node);
  if (json_array_get_length (slots) < 1 || json_array_get_length (slots) > 2)
    {
      reason = _("wrong number of key slots");
      goto damaged;
    }
  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      Slot slot;

      if (!slot_parse (json_array_get_element (slots, i), &slot, &reason))
        goto damaged;
      if (slot.type == SLOT_PASSPHRASE)
        n_passphrase++;
      else
        n_recovery++;
      g_array_append_val (keys->slots, slot);
    }
  if (n_passphrase != 1 || n_recovery > 1)
    {
      reason = _("wrong kinds of key slots");
      goto damaged;
    }

  if (!member_b64 (object, "checksum", checksum, sizeof checksum))
    {
      reason = _("invalid checksum");
      goto damaged;
    }
  keys_checksum (keys, expected);
  if (sodium_memcmp (checksum, expected, CHECKSUM_BYTES) != 0)
    {
      reason = _("checksum mismatch");
      goto damaged;
    }

  return g_steal_pointer (&keys);

damaged:
  g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_DAMAGED,
               /* Translators: %s explains what is wrong, e.g. "checksum mismatch" */
               _("The vault's key file is damaged (%s). Restore the vault from a backup."),
               reason);
  return NULL;
}

static Keys *
keys_load (const char  *path,
           GError     **error)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  int errsv = 0;

  data = read_small_file (path, KEYS_MAX_SIZE, &len, &errsv);
  if (data == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      if (errsv == ENOENT)
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_MISSING,
                     _("The vault's key file %s is missing. Restore the vault from a "
                       "backup."), display);
      else if (errsv == EFBIG || errsv == EINVAL || errsv == ELOOP)
        g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_KEYS_DAMAGED,
                     _("The vault's key file is damaged (%s). Restore the vault from a "
                       "backup."), _("not a small regular file"));
      else
        set_io_error (error, errsv, path, IO_READ);
      return NULL;
    }
  return keys_parse ((const char *) data, len, error);
}

/* The database ------------------------------------------------------------------------- */

/* Opens and keys the database, then reads sqlite_master: a wrong key or a damaged file
 * only shows at the first read. */
static sqlite3 *
db_open_keyed (const char  *path,
               ClSecret    *dek,
               GError     **error)
{
  g_autoptr(ClSecret) raw = dek_raw_key (dek);
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
static gboolean
db_check_pragmas (sqlite3   *db,
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

  if (!ensure_dir (dir, FALSE, NULL, error))
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

  keys = keys_load (keys_path, error);
  if (keys == NULL)
    return NULL;

  /* Key derivation first: the database is not touched until a slot unwraps. */
  failures = failures_wait (dir, keys->vault_id);
  dek = keys_unwrap (keys, type, secret, &local_error);
  if (dek == NULL)
    {
      if (g_error_matches (local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
        {
          record_failure ();
          failures_store (dir, keys->vault_id, cl_vault_failed_attempts ());
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
      path_exists (new_path))
    {
      /* A rekey may have re-encrypted the database before keys.json was replaced. */
      g_autoptr(Keys) new_keys = keys_load (new_path, NULL);
      g_autoptr(ClSecret) new_dek = NULL;

      if (new_keys != NULL && g_strcmp0 (new_keys->vault_id, keys->vault_id) == 0)
        new_dek = keys_unwrap (new_keys, type, secret, NULL);
      if (new_dek != NULL)
        db = db_open_keyed (db_path, new_dek, NULL);
      if (db != NULL)
        {
          g_clear_error (&local_error);
          g_clear_pointer (&keys, keys_free);
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
  ok = ok && db_check_pragmas (db, TRUE, NULL, error) && cl_migrations_apply (db, -1, error);
  if (!ok)
    {
      sqlite3_close_v2 (db);
      return NULL;
    }

  if (promote)
    {
      if (g_rename (new_path, keys_path) != 0 || !fsync_dir (dir, NULL))
        g_warning ("Could not finish an interrupted rekey: %s", g_strerror (errno));
    }
  else if (path_exists (new_path))
    {
      /* Left over by a rekey that never reached the database. */
      if (g_unlink (new_path) != 0)
        g_warning ("Could not remove a stale keys.json.new: %s", g_strerror (errno));
      fsync_dir (dir, NULL);
    }

  reset_failures ();
  if (failures.count != 0 || !failures.valid)
    failures_store (dir, keys->vault_id, 0);
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

  if (secret_is_weak (passphrase, error))
    return NULL;
  if (!ensure_dir (dir, TRUE, &created_dir, error))
    return NULL;
  if (path_exists (keys_path) || path_exists (db_path) || path_exists (new_path))
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
        set_io_error (error, errsv, db_path, IO_CREATE);
      goto fail;
    }
  close (fd);

  vault_id = cl_uuid_new ();
  dek = new_random_secret (DEK_BYTES);
  recovery_raw = new_random_secret (RECOVERY_BYTES);

  db = db_open_keyed (db_path, dek, error);
  if (db == NULL ||
      !db_check_pragmas (db, TRUE, NULL, error) ||
      !cl_migrations_apply (db, version, error))
    goto fail;

  /* keys.json last: its atomic rename is the moment the vault exists. */
  failures_store (dir, vault_id, 0);
  keys = keys_new (vault_id);
  if (!keys_set_slot (keys, SLOT_PASSPHRASE, passphrase, dek, error) ||
      !keys_set_slot (keys, SLOT_RECOVERY, recovery_raw, dek, error) ||
      !keys_write (keys_path, keys, error))
    goto fail;

  if (recovery_key != NULL)
    *recovery_key = recovery_format (recovery_raw);
  return vault_new (dir, vault_id, db, g_steal_pointer (&dek));

fail:
  if (db != NULL)
    sqlite3_close_v2 (db);
  if (fd >= 0)
    remove_db_files (dir);
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
  return path_exists (keys_path) || path_exists (db_path);
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
  private_umask_push ();
  vault = vault_create (dir, passphrase, version, recovery_key, error);
  private_umask_pop ();
  return vault;
}

void
_cl_vault_reset_failed_attempts (void)
{
  reset_failures ();
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
  private_umask_push ();
  vault = vault_open (dir, SLOT_PASSPHRASE, passphrase, NULL, error);
  private_umask_pop ();
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
  if (secret_is_weak (new_passphrase, error))
    return NULL;

  raw = recovery_parse (recovery_key);
  if (raw == NULL)
    {
      record_failure ();
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET,
                   _("That is not a recovery key: it has 32 letters and digits, usually "
                     "printed in groups of four."));
      return NULL;
    }

  private_umask_push ();
  vault = vault_open (dir, SLOT_RECOVERY, raw, &keys, error);
  ok = vault != NULL;
  if (ok)
    {
      keys_path = g_build_filename (dir, KEYS_FILE, NULL);
      ok = keys_set_slot (keys, SLOT_PASSPHRASE, new_passphrase, vault->dek, error) &&
           keys_write (keys_path, keys, error);
    }
  private_umask_pop ();

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

static gboolean
check_unlocked (ClVault  *self,
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
  g_autoptr(Keys) keys = keys_load (keys_path, error);

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

  if (!check_unlocked (self, error) || secret_is_weak (new_passphrase, error))
    return FALSE;
  keys = vault_load_keys (self, error);
  if (keys == NULL)
    return FALSE;

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  private_umask_push ();
  ok = keys_set_slot (keys, SLOT_PASSPHRASE, new_passphrase, self->dek, error) &&
       keys_write (keys_path, keys, error);
  private_umask_pop ();
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
  g_autoptr(ClSecret) raw = dek_raw_key (new_dek);
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

  if (!check_unlocked (self, error))
    return FALSE;
  keys = vault_load_keys (self, error);
  if (keys == NULL)
    return FALSE;

  check = keys_unwrap (keys, SLOT_PASSPHRASE, passphrase, &local_error);
  if (check == NULL)
    {
      if (g_error_matches (local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET))
        {
          record_failure ();
          failures_store (self->dir, keys->vault_id, cl_vault_failed_attempts ());
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
  reset_failures ();

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  new_path = g_build_filename (self->dir, KEYS_NEW_FILE, NULL);
  new_dek = new_random_secret (DEK_BYTES);
  recovery_raw = new_random_secret (RECOVERY_BYTES);
  new_keys = keys_new (keys->vault_id);

  private_umask_push ();

  /* 1. The new key in keys.json.new before the database depends on it. */
  ok = keys_set_slot (new_keys, SLOT_PASSPHRASE, passphrase, new_dek, error) &&
       keys_set_slot (new_keys, SLOT_RECOVERY, recovery_raw, new_dek, error) &&
       keys_write (new_path, new_keys, error);

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
          fsync_dir (self->dir, NULL);
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
      if (g_rename (new_path, keys_path) != 0 || !fsync_dir (self->dir, NULL))
        g_warning ("keys.json.new could not replace keys.json (%s); the next unlock will "
                   "finish the rekey", g_strerror (errno));
    }

  private_umask_pop ();

  if (ok && new_recovery_key != NULL)
    *new_recovery_key = recovery_format (recovery_raw);
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
  if (!check_unlocked (self, error))
    return FALSE;

  /* Keys */
  keys = vault_load_keys (self, &local_error);
  if (keys == NULL)
    {
      g_string_append_printf (report, _("Key file: FAILED (%s)\n"), local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (keys_find_slot (keys, SLOT_RECOVERY) != NULL)
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
  if (!db_check_pragmas (self->db, FALSE, report, &local_error))
    {
      g_string_append_printf (report, _("Settings: FAILED (%s)\n"), local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

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
      set_io_error (error, errno, db_path, IO_READ);
      if (in >= 0)
        close (in);
      return FALSE;
    }

  memcpy (header, BACKUP_MAGIC, BACKUP_MAGIC_LEN);
  put_be64 (header + BACKUP_MAGIC_LEN, keys_len);
  put_be64 (header + BACKUP_MAGIC_LEN + 8, (guint64) st.st_size);

  out = atomic_begin (path, &tmp_path, error);
  if (out < 0)
    {
      close (in);
      return FALSE;
    }
  if (!write_all (out, header, sizeof header, path, error) ||
      !write_all (out, keys_data, keys_len, path, error) ||
      !copy_bytes (in, db_path, out, path, (guint64) st.st_size, error))
    {
      close (in);
      atomic_abort (out, tmp_path);
      return FALSE;
    }
  close (in);
  return atomic_commit (out, tmp_path, path, error);
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

  if (!check_unlocked (self, error))
    return FALSE;

  keys_path = g_build_filename (self->dir, KEYS_FILE, NULL);
  keys_data = read_small_file (keys_path, KEYS_MAX_SIZE, &keys_len, &errsv);
  if (keys_data == NULL)
    {
      set_io_error (error, errsv, keys_path, IO_READ);
      return FALSE;
    }
  keys = keys_parse ((const char *) keys_data, keys_len, error);
  if (keys == NULL)
    return FALSE;

  private_umask_push ();

  export_path = g_build_filename (self->dir, ".backup-XXXXXX", NULL);
  fd = g_mkstemp_full (export_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_io_error (error, errno, self->dir, IO_WRITE);
      private_umask_pop ();
      return FALSE;
    }
  close (fd);
  export_journal = g_strconcat (export_path, "-journal", NULL);

  raw = dek_raw_key (self->dek);
  g_rec_mutex_lock (&self->write_lock);
  ok = export_database (self->db, export_path, raw, error);
  g_rec_mutex_unlock (&self->write_lock);

  if (ok)
    ok = backup_pack (path, keys_data, keys_len, export_path, error);

  g_unlink (export_path);
  g_unlink (export_journal);
  private_umask_pop ();
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
      set_io_error (error, errno, db_path, IO_CREATE);
      return FALSE;
    }
  if (!copy_bytes (in, backup_path, out, db_path, db_len, error))
    {
      close (out);
      return FALSE;
    }
  if (fsync (out) != 0 || close (out) != 0)
    {
      set_io_error (error, errno, db_path, IO_WRITE);
      return FALSE;
    }
  return write_file_atomic (keys_path, keys_data, keys_len, error);
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
      set_io_error (error, errno, backup_path, IO_OPEN);
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
      !read_exact (in, header, sizeof header, backup_path, NULL) ||
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
  if (!read_exact (in, keys_data, (gsize) keys_len, backup_path, NULL))
    {
      set_bad_backup (error, backup_path);
      close (in);
      return FALSE;
    }
  keys = keys_parse ((const char *) keys_data, (gsize) keys_len, error);
  if (keys == NULL)
    {
      close (in);
      return FALSE;
    }

  if (!ensure_dir (dir, TRUE, &created_dir, error))
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
      failures_store (dir, keys->vault_id, 0);
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
      remove_db_files (dir);
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
  private_umask_push ();
  ok = vault_restore (backup_path, dir, passphrase, error);
  private_umask_pop ();
  return ok;
}

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
      set_io_error (error, errno, path, IO_ERASE);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      set_io_error (error, st.st_mode == 0 ? errno : EINVAL, path, IO_ERASE);
      close (fd);
      return FALSE;
    }
  for (left = (guint64) st.st_size; left > 0; )
    {
      gsize chunk = (gsize) MIN (left, sizeof buf);

      randombytes_buf (buf, chunk);
      if (!write_all (fd, buf, chunk, path, error))
        {
          close (fd);
          return FALSE;
        }
      left -= chunk;
    }
  if (fsync (fd) != 0)
    {
      set_io_error (error, errno, path, IO_ERASE);
      close (fd);
      return FALSE;
    }
  close (fd);
  return unlink_if_exists (path, error);
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
  if (!cl_vault_exists (dir) && !path_exists (new_path))
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
          if (!unlink_if_exists (path, error))
            return FALSE;
        }
      else if (!shred_file (path, error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (db_names); i++)
    {
      g_autofree char *path = g_build_filename (dir, db_names[i], NULL);

      if (!unlink_if_exists (path, error))
        return FALSE;
    }
  fsync_dir (dir, NULL);

  /* The folder goes too, unless something else lives there. */
  if (g_rmdir (dir) != 0 && errno != ENOTEMPTY && errno != EEXIST)
    g_debug ("Vault folder not removed: %s", g_strerror (errno));
  return TRUE;
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
  keys = keys_load (keys_path, NULL);
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
