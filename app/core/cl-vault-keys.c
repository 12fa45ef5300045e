/* cl-vault-keys.c: key slots and keys.json (the wrapped database key)
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
  return g_strdup_printf ("caseload-slot-v1|%s|%s", vault_id, _cl_vault_slot_type_name (type));
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
gboolean
_cl_vault_keys_set_slot (Keys      *keys,
                         SlotType   type,
                         ClSecret  *secret,
                         ClSecret  *dek,
                         GError   **error)
{
  Slot slot;
  Slot *old;

  if (!slot_wrap (&slot, type, keys->vault_id, secret, dek, error))
    return FALSE;
  old = _cl_vault_keys_find_slot (keys, type);
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
ClSecret *
_cl_vault_keys_unwrap (Keys      *keys,
                       SlotType   type,
                       ClSecret  *secret,
                       GError   **error)
{
  const Slot *slot = _cl_vault_keys_find_slot (keys, type);
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

ClSecret *
_cl_vault_new_random_secret (gsize len)
{
  ClSecret *secret = cl_secret_new (len);

  randombytes_buf (cl_secret_get_data (secret), len);
  return secret;
}

/* x'<64 hex>': SQLCipher's raw key form, built and kept in secure memory. */
ClSecret *
_cl_vault_dek_raw_key (ClSecret *dek)
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

      hash_str (&state, _cl_vault_slot_type_name (slot->type));
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
      json_builder_add_string_value (builder, _cl_vault_slot_type_name (slot->type));
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

gboolean
_cl_vault_keys_write (const char  *path,
                      const Keys  *keys,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  data = keys_to_json (keys, &len);
  return _cl_vault_write_file_atomic (path, data, len, error);
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
Keys *
_cl_vault_keys_parse (const char  *data,
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
  keys = _cl_vault_keys_new (text);

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

Keys *
_cl_vault_keys_load (const char  *path,
                     GError     **error)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  int errsv = 0;

  data = _cl_vault_read_small_file (path, KEYS_MAX_SIZE, &len, &errsv);
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
        _cl_vault_set_io_error (error, errsv, path, IO_READ);
      return NULL;
    }
  return _cl_vault_keys_parse ((const char *) data, len, error);
}
