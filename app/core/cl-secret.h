/* cl-secret.h: secrets in locked, guarded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A secret (passphrase, recovery key, key material, token) held in sodium_malloc() memory:
 * locked against swap, guarded, wiped when freed. */
typedef struct _ClSecret ClSecret;

void          cl_secure_init              (void);

ClSecret     *cl_secret_new               (gsize        len);
ClSecret     *cl_secret_new_from_string   (const char  *text);
ClSecret     *cl_secret_new_from_file     (const char  *path,
                                           GError     **error);
ClSecret     *cl_secret_new_from_fd       (int          fd,
                                           GError     **error);
ClSecret     *cl_secret_dup               (const ClSecret *secret);
guint8       *cl_secret_get_data          (ClSecret    *secret);
const char   *cl_secret_get_string        (const ClSecret *secret);
gsize         cl_secret_get_len           (const ClSecret *secret);
gboolean      cl_secret_equal             (const ClSecret *a,
                                           const ClSecret *b);
void          cl_secret_free              (ClSecret    *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSecret, cl_secret_free)

G_END_DECLS
