/* cl-vault-recovery.c: the recovery key, as printed and typed
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

/* Crockford's base32: no I, L, O or U, so a printed key cannot be misread. */
static const char recovery_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Recovery keys: 20 random bytes shown as 32 base32 symbols in groups of four,
 * e.g. "7K3M-Q0AZ-…". */
ClSecret *
_cl_vault_recovery_format (ClSecret *raw)
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
ClSecret *
_cl_vault_recovery_parse (ClSecret *text)
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
