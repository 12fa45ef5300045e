/* cl-vault-private.h: vault internals for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "cl-vault.h"

G_BEGIN_DECLS

/* The connection and the mutex that guards it: the store's (cl_store_lock()) and, in
 * tests, a way to look at the tables directly. */
sqlite3     *cl_vault_get_db                 (ClVault     *self);
GRecMutex   *cl_vault_get_write_lock         (ClVault     *self);

/* Creates a vault whose schema stops at migration @version (0 … cl_migrations_latest ()),
 * so migration tests can start from every earlier schema. Otherwise like
 * cl_vault_create(). */
ClVault     *_cl_vault_create_at_version     (const char  *dir,
                                              ClSecret    *passphrase,
                                              int          version,
                                              ClSecret   **recovery_key,
                                              GError     **error);

/* Clears the process-wide failed-unlock counter (tests start from a known state). */
void         _cl_vault_reset_failed_attempts (void);

G_END_DECLS
