/* cl-vault-internal.h: what the vault's files share (cl-vault*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sodium.h>

#include "cl-vault-private.h"

G_BEGIN_DECLS

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

Keys *
_cl_vault_keys_new (const char *vault_id);

const char *
_cl_vault_slot_type_name (SlotType type);

Slot *
_cl_vault_keys_find_slot (Keys     *keys,
                          SlotType  type);

void
_cl_vault_private_umask_push (void);

void
_cl_vault_private_umask_pop (void);

void
_cl_vault_record_failure (void);

void
_cl_vault_reset_failures (void);

gboolean
_cl_vault_secret_is_weak (ClSecret  *passphrase,
                          GError   **error);

void
_cl_vault_set_io_error (GError     **error,
                        int          errsv,
                        const char  *path,
                        IoAction     action);

gboolean
_cl_vault_path_exists (const char *path);

gboolean
_cl_vault_unlink_if_exists (const char  *path,
                            GError     **error);

gboolean
_cl_vault_fsync_dir (const char  *dir,
                     GError     **error);

gboolean
_cl_vault_write_all (int            fd,
                     const void    *data,
                     gsize          len,
                     const char    *path,
                     GError       **error);

gboolean
_cl_vault_read_exact (int          fd,
                      void        *data,
                      gsize        len,
                      const char  *path,
                      GError     **error);

gboolean
_cl_vault_copy_bytes (int          in,
                      const char  *in_path,
                      int          out,
                      const char  *out_path,
                      guint64      len,
                      GError     **error);

int
_cl_vault_atomic_begin (const char  *path,
                        char       **tmp_path,
                        GError     **error);

gboolean
_cl_vault_atomic_commit (int          fd,
                         const char  *tmp_path,
                         const char  *path,
                         GError     **error);

void
_cl_vault_atomic_abort (int         fd,
                        const char *tmp_path);

gboolean
_cl_vault_write_file_atomic (const char    *path,
                             const void    *data,
                             gsize          len,
                             GError       **error);

guint8 *
_cl_vault_read_small_file (const char  *path,
                           gsize        max,
                           gsize       *out_len,
                           int         *errsv);

gboolean
_cl_vault_ensure_dir (const char  *dir,
                      gboolean     create,
                      gboolean    *created,
                      GError     **error);

void
_cl_vault_remove_db_files (const char *dir);

void
_cl_vault_failures_store (const char *dir,
                          const char *vault_id,
                          guint       count);

gboolean
_cl_vault_db_check_pragmas (sqlite3   *db,
                            gboolean   set,
                            GString   *report,
                            GError   **error);

gboolean
_cl_vault_keys_set_slot (Keys      *keys,
                         SlotType   type,
                         ClSecret  *secret,
                         ClSecret  *dek,
                         GError   **error);

ClSecret *
_cl_vault_keys_unwrap (Keys      *keys,
                       SlotType   type,
                       ClSecret  *secret,
                       GError   **error);

ClSecret *
_cl_vault_new_random_secret (gsize len);

ClSecret *
_cl_vault_dek_raw_key (ClSecret *dek);

gboolean
_cl_vault_keys_write (const char  *path,
                      const Keys  *keys,
                      GError     **error);

Keys *
_cl_vault_keys_parse (const char  *data,
                      gsize        len,
                      GError     **error);

Keys *
_cl_vault_keys_load (const char  *path,
                     GError     **error);

ClSecret *
_cl_vault_recovery_format (ClSecret *raw);

ClSecret *
_cl_vault_recovery_parse (ClSecret *text);

gboolean
_cl_vault_check_unlocked (ClVault  *self,
                          GError  **error);

void
_cl_vault_keys_free (Keys *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Keys, _cl_vault_keys_free)

G_END_DECLS
