/* cl-seed.c: deterministic ids of seeded reference records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Seeded reference records (NYC's commands, …) get ids derived from their natural key, so
 * every vault and the server seed the same record under the same id and sync never
 * duplicates them. The derivation is frozen: changing it would fork every existing vault.
 */

#define G_LOG_DOMAIN "cl-seed"

#include <string.h>

#include <sodium.h>

#include "cl-seed.h"

/**
 * cl_seed_id:
 * @kind: the kind of record, e.g. "command"
 * @key: its natural key, e.g. the command code "14"
 *
 * Returns: (transfer full): a version-4-shaped UUID made of the first 16 bytes of
 *   BLAKE2b("caseload-seed:" kind ":" key), lower case
 */
char *
cl_seed_id (const char *kind,
            const char *key)
{
  guint8 h[16];
  g_autofree char *input = NULL;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  input = g_strconcat ("caseload-seed:", kind, ":", key, NULL);
  crypto_generichash (h, sizeof h, (const guint8 *) input, strlen (input), NULL, 0);
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
                          h[10], h[11], h[12], h[13], h[14], h[15]);
}
