/* cl-vault.h: the encrypted local vault (DESIGN.md §4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-secret.h"

G_BEGIN_DECLS

#define CL_VAULT_ERROR (cl_vault_error_quark ())

typedef enum {
  CL_VAULT_ERROR_NOT_FOUND,        /* no vault in that directory */
  CL_VAULT_ERROR_EXISTS,           /* creating over an existing vault */
  CL_VAULT_ERROR_WRONG_SECRET,     /* wrong passphrase or recovery key */
  CL_VAULT_ERROR_KEYS_MISSING,     /* keys.json is gone but the database is there */
  CL_VAULT_ERROR_KEYS_DAMAGED,     /* keys.json cannot be read or fails authentication */
  CL_VAULT_ERROR_CORRUPT,          /* the database is damaged */
  CL_VAULT_ERROR_TOO_NEW,          /* made by a newer Caseload */
  CL_VAULT_ERROR_PERMISSIONS,      /* unsafe or unusable file modes / ownership */
  CL_VAULT_ERROR_IO,               /* disk full, read-only, … */
  CL_VAULT_ERROR_LOCKED,           /* the operation needs an unlocked vault */
  CL_VAULT_ERROR_WEAK_SECRET,      /* passphrase too short or too easy to guess */
  CL_VAULT_ERROR_NO_RECOVERY_SLOT, /* the vault has no recovery key */
} ClVaultError;

#define CL_VAULT_MIN_PASSPHRASE 8

#define CL_TYPE_VAULT (cl_vault_get_type ())
G_DECLARE_FINAL_TYPE (ClVault, cl_vault, CL, VAULT, GObject)

GQuark       cl_vault_error_quark            (void);

gboolean     cl_vault_exists                 (const char  *dir);
gboolean     cl_vault_check_passphrase       (const char  *passphrase,
                                              GError     **error);
char        *cl_vault_default_dir            (void);

ClVault     *cl_vault_create                 (const char  *dir,
                                              ClSecret    *passphrase,
                                              ClSecret   **recovery_key,
                                              GError     **error);
ClVault     *cl_vault_unlock                 (const char  *dir,
                                              ClSecret    *passphrase,
                                              GError     **error);
ClVault     *cl_vault_recover                (const char  *dir,
                                              ClSecret    *recovery_key,
                                              ClSecret    *new_passphrase,
                                              GError     **error);
void         cl_vault_unlock_async           (const char          *dir,
                                              ClSecret            *passphrase,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
ClVault     *cl_vault_unlock_finish          (GAsyncResult        *result,
                                              GError             **error);

void         cl_vault_lock                   (ClVault     *self);
gboolean     cl_vault_is_locked              (ClVault     *self);
const char  *cl_vault_get_dir                (ClVault     *self);

gboolean     cl_vault_change_passphrase      (ClVault     *self,
                                              ClSecret    *new_passphrase,
                                              GError     **error);
gboolean     cl_vault_rekey                  (ClVault     *self,
                                              ClSecret    *passphrase,
                                              ClSecret   **new_recovery_key,
                                              GError     **error);
gboolean     cl_vault_verify                 (ClVault     *self,
                                              GString     *report,
                                              GError     **error);
gboolean     cl_vault_backup                 (ClVault     *self,
                                              const char  *path,
                                              GError     **error);
gboolean     cl_vault_restore                (const char  *backup_path,
                                              const char  *dir,
                                              ClSecret    *passphrase,
                                              GError     **error);
gboolean     cl_vault_erase                  (const char  *dir,
                                              GError     **error);

guint        cl_vault_failed_attempts        (void);
guint        cl_vault_retry_delay_ms         (void);
guint        cl_vault_pending_delay_ms       (const char  *dir);

G_END_DECLS
