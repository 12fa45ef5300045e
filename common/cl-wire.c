/* cl-wire.c: the sync wire format shared by caseload-server and the app's sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Error messages never quote values from the input: they may be client data and the server
 * may log an error's code. Member names are quoted only when they look like identifiers.
 */

#define G_LOG_DOMAIN "cl-wire"

#include <string.h>

#include <gio/gio.h>
#include <sodium.h>

#include "cl-schema.h"
#include "cl-wire.h"

G_DEFINE_QUARK (cl-wire-error-quark, cl_wire_error)

static const char * const error_codes[] = {
  [CL_WIRE_ERROR_BODY_TOO_LARGE] = "body_too_large",
  [CL_WIRE_ERROR_TOO_DEEP] = "too_deep",
  [CL_WIRE_ERROR_INVALID_UTF8] = "invalid_utf8",
  [CL_WIRE_ERROR_NUL] = "nul_character",
  [CL_WIRE_ERROR_SYNTAX] = "invalid_json",
  [CL_WIRE_ERROR_DUPLICATE_KEY] = "duplicate_key",
  [CL_WIRE_ERROR_NUMBER] = "invalid_number",
  [CL_WIRE_ERROR_STRING_TOO_LONG] = "string_too_long",
  [CL_WIRE_ERROR_TOO_MANY_VALUES] = "too_many_values",
  [CL_WIRE_ERROR_UNKNOWN_KEY] = "unknown_key",
  [CL_WIRE_ERROR_MISSING_KEY] = "missing_key",
  [CL_WIRE_ERROR_WRONG_TYPE] = "wrong_type",
  [CL_WIRE_ERROR_INVALID_VALUE] = "invalid_value",
  [CL_WIRE_ERROR_TOO_MANY_ITEMS] = "too_many_items",
};

/**
 * cl_wire_error_code:
 * @error: an error
 *
 * Returns: the stable machine code of a #CL_WIRE_ERROR, or "invalid_request" for any
 *   other error
 */
const char *
cl_wire_error_code (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == CL_WIRE_ERROR && error->code >= 0 &&
      (guint) error->code < G_N_ELEMENTS (error_codes))
    return error_codes[error->code];
  return "invalid_request";
}

/* ---- The guard ------------------------------------------------------------------------- */

typedef struct {
  const guchar       *start;
  const guchar       *p;
  const guchar       *end;
  const ClWireLimits *limits;
  guint               n_values;
} Scanner;

static gboolean
scan_fail (Scanner     *s,
           GError     **error,
           ClWireError  code,
           const char  *what)
{
  g_set_error (error, CL_WIRE_ERROR, code, "%s at byte %" G_GSIZE_FORMAT,
               what, (gsize) (s->p - s->start));
  return FALSE;
}

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end &&
         (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads four hex digits at p; -1 if there are not four. */
static int
read_hex4 (const guchar *p,
           const guchar *end)
{
  int v = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);
      if (h < 0)
        return -1;
      v = (v << 4) | h;
    }
  return v;
}

/* Scans a string token starting at its opening quote. With @out, appends the decoded
 * text. Fails when the decoded length exceeds @max. */
static gboolean
scan_string (Scanner  *s,
             GString  *out,
             gsize     max,
             GError  **error)
{
  gsize len = 0;

  g_assert (s->p < s->end && *s->p == '"');
  s->p++;

  for (;;)
    {
      guchar c;

      if (s->p >= s->end)
        return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Unterminated string");
      c = *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Control character in a string");

      if (c == '\\')
        {
          char simple = 0;

          s->p++;
          if (s->p >= s->end)
            return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Unterminated string");
          switch (*s->p)
            {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u':
              {
                int unit = read_hex4 (s->p + 1, s->end);
                gunichar cp;
                char buf[6];
                int n;

                if (unit < 0)
                  return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Invalid \\u escape");
                if (unit == 0)
                  return scan_fail (s, error, CL_WIRE_ERROR_NUL, "Escaped NUL character");
                s->p += 5;
                if (unit >= 0xdc00 && unit <= 0xdfff)
                  return scan_fail (s, error, CL_WIRE_ERROR_INVALID_UTF8, "Lone low surrogate");
                if (unit >= 0xd800 && unit <= 0xdbff)
                  {
                    int low;

                    if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
                      return scan_fail (s, error, CL_WIRE_ERROR_INVALID_UTF8,
                                        "Lone high surrogate");
                    low = read_hex4 (s->p + 2, s->end);
                    if (low < 0xdc00 || low > 0xdfff)
                      return scan_fail (s, error, CL_WIRE_ERROR_INVALID_UTF8,
                                        "Lone high surrogate");
                    s->p += 6;
                    cp = 0x10000 + (((gunichar) unit - 0xd800) << 10) + ((gunichar) low - 0xdc00);
                  }
                else
                  cp = (gunichar) unit;

                n = g_unichar_to_utf8 (cp, buf);
                len += n;
                if (len > max)
                  return scan_fail (s, error, CL_WIRE_ERROR_STRING_TOO_LONG, "String too long");
                if (out != NULL)
                  g_string_append_len (out, buf, n);
                continue;
              }
            default:
              return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Invalid escape");
            }
          s->p++;
          len++;
          if (len > max)
            return scan_fail (s, error, CL_WIRE_ERROR_STRING_TOO_LONG, "String too long");
          if (out != NULL)
            g_string_append_c (out, simple);
          continue;
        }

      /* The document was checked as UTF-8 as a whole: bytes are copied as they are. */
      s->p++;
      len++;
      if (len > max)
        return scan_fail (s, error, CL_WIRE_ERROR_STRING_TOO_LONG, "String too long");
      if (out != NULL)
        g_string_append_c (out, (char) c);
    }
}

/* Integers only, at most 15 digits (below 2^53 so every JSON implementation keeps them);
 * with limits->decimals, also a fraction of one to 17 digits and an exponent of at most
 * two digits (as json-glib writes doubles). */
static gboolean
scan_number (Scanner  *s,
             GError  **error)
{
  guint digits = 0;

  if (*s->p == '-')
    s->p++;
  if (s->p >= s->end)
    return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Truncated number");
  if (*s->p == '0')
    {
      s->p++;
      digits = 1;
    }
  else if (*s->p >= '1' && *s->p <= '9')
    {
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        {
          s->p++;
          digits++;
        }
    }
  else
    return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Invalid number");

  if (s->p < s->end && *s->p == '.' && s->limits->decimals)
    {
      guint decimals = 0;

      s->p++;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        {
          s->p++;
          decimals++;
        }
      if (decimals == 0 || decimals > 17)
        return scan_fail (s, error, CL_WIRE_ERROR_NUMBER, "Invalid decimal number");
      if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
        {
          guint exponent = 0;

          s->p++;
          if (s->p < s->end && (*s->p == '-' || *s->p == '+'))
            s->p++;
          while (s->p < s->end && g_ascii_isdigit (*s->p))
            {
              s->p++;
              exponent++;
            }
          if (exponent == 0 || exponent > 2)
            return scan_fail (s, error, CL_WIRE_ERROR_NUMBER, "Invalid decimal number");
        }
    }
  if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
    return scan_fail (s, error, CL_WIRE_ERROR_NUMBER, "Only integers are allowed");
  if (digits > 15)
    return scan_fail (s, error, CL_WIRE_ERROR_NUMBER, "Number out of range");
  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word,
              GError    **error)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return scan_fail (s, error, CL_WIRE_ERROR_SYNTAX, "Invalid literal");
  s->p += n;
  return TRUE;
}

typedef enum {
  EXPECT_VALUE,
  EXPECT_MEMBER,
  AFTER_VALUE,
} ScanState;

/**
 * cl_wire_guard:
 * @data: the raw bytes as received
 * @len: their length
 * @limits: the limits to enforce
 * @error: return location for a #CL_WIRE_ERROR
 *
 * Checks untrusted bytes before a JSON parser sees them. Runs in constant stack space
 * whatever the nesting, and in memory bounded by @limits.
 *
 * Returns: %TRUE if @data is one strict JSON document within @limits
 */
gboolean
cl_wire_guard (const char          *data,
               gsize                len,
               const ClWireLimits  *limits,
               GError             **error)
{
  Scanner s = { 0 };
  g_autofree guchar *kinds = NULL;
  g_autofree GHashTable **keys = NULL;
  g_autoptr(GString) key = NULL;
  ScanState state = EXPECT_VALUE;
  guint depth = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);
  g_return_val_if_fail (limits->max_depth > 0, FALSE);

  s.start = s.p = (const guchar *) data;
  s.end = s.start + len;
  s.limits = limits;

  if (len > limits->max_bytes)
    return scan_fail (&s, error, CL_WIRE_ERROR_BODY_TOO_LARGE, "Body too large");
  if (len > 0 && memchr (data, '\0', len) != NULL)
    {
      s.p = memchr (data, '\0', len);
      return scan_fail (&s, error, CL_WIRE_ERROR_NUL, "NUL character");
    }
  if (!g_utf8_validate_len (data, len, (const char **) &s.p))
    return scan_fail (&s, error, CL_WIRE_ERROR_INVALID_UTF8, "Invalid UTF-8");
  s.p = s.start;

  kinds = g_new0 (guchar, limits->max_depth);
  keys = g_new0 (GHashTable *, limits->max_depth);
  key = g_string_new (NULL);

  skip_ws (&s);
  if (s.p >= s.end)
    {
      scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Empty document");
      goto out;
    }

  for (;;)
    {
      switch (state)
        {
        case EXPECT_VALUE:
          if (++s.n_values > limits->max_values)
            {
              scan_fail (&s, error, CL_WIRE_ERROR_TOO_MANY_VALUES, "Too many values");
              goto out;
            }
          if (s.p >= s.end)
            {
              scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Unexpected end");
              goto out;
            }
          switch (*s.p)
            {
            case '{':
            case '[':
              if (depth >= limits->max_depth)
                {
                  scan_fail (&s, error, CL_WIRE_ERROR_TOO_DEEP, "Nested too deeply");
                  goto out;
                }
              kinds[depth] = *s.p;
              keys[depth] = NULL;
              depth++;
              s.p++;
              skip_ws (&s);
              if (s.p < s.end && *s.p == (kinds[depth - 1] == '{' ? '}' : ']'))
                {
                  s.p++;
                  depth--;
                  state = AFTER_VALUE;
                }
              else
                state = kinds[depth - 1] == '{' ? EXPECT_MEMBER : EXPECT_VALUE;
              continue;
            case '"':
              if (!scan_string (&s, NULL, limits->max_string, error))
                goto out;
              break;
            case 't':
              if (!scan_literal (&s, "true", error))
                goto out;
              break;
            case 'f':
              if (!scan_literal (&s, "false", error))
                goto out;
              break;
            case 'n':
              if (!scan_literal (&s, "null", error))
                goto out;
              break;
            case '-':
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
              if (!scan_number (&s, error))
                goto out;
              break;
            default:
              scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Unexpected character");
              goto out;
            }
          state = AFTER_VALUE;
          break;

        case EXPECT_MEMBER:
          {
            GHashTable *seen;

            if (s.p >= s.end || *s.p != '"')
              {
                scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Expected a member name");
                goto out;
              }
            g_string_truncate (key, 0);
            if (!scan_string (&s, key, limits->max_key, error))
              goto out;
            seen = keys[depth - 1];
            if (seen == NULL)
              seen = keys[depth - 1] = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                               g_free, NULL);
            if (g_hash_table_contains (seen, key->str))
              {
                scan_fail (&s, error, CL_WIRE_ERROR_DUPLICATE_KEY, "Duplicate member name");
                goto out;
              }
            g_hash_table_add (seen, g_strdup (key->str));
            skip_ws (&s);
            if (s.p >= s.end || *s.p != ':')
              {
                scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Expected ':'");
                goto out;
              }
            s.p++;
            skip_ws (&s);
            state = EXPECT_VALUE;
          }
          break;

        case AFTER_VALUE:
          skip_ws (&s);
          if (depth == 0)
            {
              if (s.p != s.end)
                {
                  scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Data after the document");
                  goto out;
                }
              ok = TRUE;
              goto out;
            }
          if (s.p >= s.end)
            {
              scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Unexpected end");
              goto out;
            }
          if (*s.p == ',')
            {
              s.p++;
              skip_ws (&s);
              state = kinds[depth - 1] == '{' ? EXPECT_MEMBER : EXPECT_VALUE;
            }
          else if (*s.p == (kinds[depth - 1] == '{' ? '}' : ']'))
            {
              s.p++;
              g_clear_pointer (&keys[depth - 1], g_hash_table_unref);
              depth--;
            }
          else
            {
              scan_fail (&s, error, CL_WIRE_ERROR_SYNTAX, "Expected ',' or a closing bracket");
              goto out;
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

out:
  for (guint i = 0; i < limits->max_depth; i++)
    g_clear_pointer (&keys[i], g_hash_table_unref);
  return ok;
}

/**
 * cl_wire_parse:
 * @data: the raw bytes as received
 * @len: their length
 * @limits: the limits to enforce
 * @error: return location for a #CL_WIRE_ERROR
 *
 * Guards, then parses.
 *
 * Returns: (transfer full) (nullable): the document's root node
 */
JsonNode *
cl_wire_parse (const char          *data,
               gsize                len,
               const ClWireLimits  *limits,
               GError             **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!cl_wire_guard (data, len, limits, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_SYNTAX, "Invalid JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_SYNTAX, "Empty document");
      return NULL;
    }
  return json_node_ref (root);
}

/* ---- Strict shape checks --------------------------------------------------------------- */

static gboolean
is_identifier (const char *name)
{
  gsize n = 0;

  for (const char *p = name; *p; p++, n++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return n > 0 && n <= CL_WIRE_MAX_KEY;
}

/* A member name as it may appear in an error message. */
static const char *
shown_name (const char *name)
{
  return is_identifier (name) ? name : "(not shown)";
}

static gboolean
node_is_kind (JsonNode   *node,
              ClWireKind  kind)
{
  switch (kind)
    {
    case CL_WIRE_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case CL_WIRE_STRING_OR_NULL:
      return JSON_NODE_HOLDS_NULL (node) ||
             (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING);
    case CL_WIRE_INT:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    case CL_WIRE_BOOL:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
    case CL_WIRE_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case CL_WIRE_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    default:
      g_assert_not_reached ();
    }
}

static const char *
kind_name (ClWireKind kind)
{
  switch (kind)
    {
    case CL_WIRE_STRING: return "a string";
    case CL_WIRE_STRING_OR_NULL: return "a string or null";
    case CL_WIRE_INT: return "an integer";
    case CL_WIRE_BOOL: return "true or false";
    case CL_WIRE_OBJECT: return "an object";
    case CL_WIRE_ARRAY: return "an array";
    default: g_assert_not_reached ();
    }
}

/**
 * cl_wire_check_object:
 * @node: a node
 * @where: where @node is, for error messages ("mutations[2]")
 * @members: the members the object may have
 * @n_members: their number
 * @error: return location for a #CL_WIRE_ERROR
 *
 * Checks that @node is an object with no member outside @members, every required member
 * present and every member of its exact kind.
 *
 * Returns: %TRUE if it is
 */
gboolean
cl_wire_check_object (JsonNode            *node,
                      const char          *where,
                      const ClWireMember  *members,
                      guint                n_members,
                      GError             **error)
{
  JsonObject *object;
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (where != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_WRONG_TYPE,
                   "%s must be an object", where);
      return FALSE;
    }
  object = json_node_get_object (node);

  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < n_members && !known; i++)
        known = strcmp (members[i].name, l->data) == 0;
      if (!known)
        {
          g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_UNKNOWN_KEY,
                       "%s has an unknown member “%s”", where, shown_name (l->data));
          return FALSE;
        }
    }

  for (guint i = 0; i < n_members; i++)
    {
      JsonNode *member = json_object_get_member (object, members[i].name);

      if (member == NULL)
        {
          if (members[i].required)
            {
              g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_MISSING_KEY,
                           "%s lacks “%s”", where, members[i].name);
              return FALSE;
            }
          continue;
        }
      if (!node_is_kind (member, members[i].kind))
        {
          g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_WRONG_TYPE,
                       "%s.%s must be %s", where, members[i].name, kind_name (members[i].kind));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *where,
         const char *member,
         const char *what)
{
  g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
               "%s.%s must be %s", where, member, what);
  return FALSE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *where,
         const char  *member,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  gint64 v = json_object_get_int_member (object, member);

  if (v < min || v > max)
    {
      g_autofree char *what = g_strdup_printf ("an integer from %" G_GINT64_FORMAT
                                               " to %" G_GINT64_FORMAT, min, max);
      return invalid (error, where, member, what);
    }
  *out = v;
  return TRUE;
}

static gboolean
get_uuid (JsonObject  *object,
          const char  *where,
          const char  *member,
          char       **out,
          GError     **error)
{
  const char *v = json_object_get_string_member (object, member);

  if (!cl_is_uuid (v))
    return invalid (error, where, member, "a UUID");
  *out = g_ascii_strdown (v, -1);
  return TRUE;
}

static gboolean
get_text (JsonObject  *object,
          const char  *where,
          const char  *member,
          gsize        min_len,
          gsize        max_len,
          char       **out,
          GError     **error)
{
  const char *v = json_object_get_string_member (object, member);
  gsize n = strlen (v);

  if (n < min_len || n > max_len)
    {
      g_autofree char *what = g_strdup_printf ("a string of %" G_GSIZE_FORMAT " to %"
                                               G_GSIZE_FORMAT " bytes", min_len, max_len);
      return invalid (error, where, member, what);
    }
  *out = g_strdup (v);
  return TRUE;
}

static gboolean
get_identifier (JsonObject  *object,
                const char  *where,
                const char  *member,
                char       **out,
                GError     **error)
{
  const char *v = json_object_get_string_member (object, member);

  if (!is_identifier (v))
    return invalid (error, where, member, "a name of lower-case letters, digits and _");
  *out = g_strdup (v);
  return TRUE;
}

/* Optional string-or-null: FALSE on error; *out NULL for null or absent. */
static const char *
get_nullable (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_digest_hex (const char *s)
{
  if (s == NULL || strlen (s) != CL_WIRE_DIGEST_HEX_LEN)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static const ClWireLimits small_limits = {
  CL_WIRE_MAX_SMALL_BYTES, CL_WIRE_MAX_DEPTH, 4096, CL_WIRE_MAX_KEY, 256,
};

static const ClWireLimits push_limits = {
  CL_WIRE_MAX_PUSH_BYTES, CL_WIRE_MAX_DEPTH, CL_WIRE_MAX_STRING, CL_WIRE_MAX_KEY, 200000,
};

static const ClWireLimits response_limits = {
  CL_WIRE_MAX_RESPONSE_BYTES, CL_WIRE_MAX_DEPTH, CL_WIRE_MAX_STRING, CL_WIRE_MAX_KEY, 2000000,
};

static const ClWireLimits resolve_limits = {
  CL_WIRE_MAX_SMALL_BYTES + 8 * CL_WIRE_MAX_STRING, CL_WIRE_MAX_DEPTH, CL_WIRE_MAX_STRING,
  CL_WIRE_MAX_KEY, 64,
};

char *
cl_wire_node_to_data (JsonNode *node,
                      gsize    *len)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, len);
}

static char *
builder_to_data (JsonBuilder *builder,
                 gsize       *len)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return cl_wire_node_to_data (root, len);
}

static void
add_nullable (JsonBuilder *builder,
              const char  *member,
              const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* ---- Mutations ------------------------------------------------------------------------ */

static void
field_change_free (gpointer data)
{
  ClWireFieldChange *c = data;

  g_free (c->field);
  g_free (c->old_value);
  g_free (c->new_value);
  g_free (c);
}

ClWireMutation *
cl_wire_mutation_new (void)
{
  ClWireMutation *m = g_new0 (ClWireMutation, 1);

  m->changes = g_ptr_array_new_with_free_func (field_change_free);
  return m;
}

void
cl_wire_mutation_free (ClWireMutation *mutation)
{
  if (mutation == NULL)
    return;
  g_free (mutation->id);
  g_free (mutation->type);
  g_free (mutation->record);
  g_free (mutation->at);
  g_ptr_array_unref (mutation->changes);
  g_free (mutation);
}

static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  const ClWireFieldChange *x = *(const ClWireFieldChange * const *) a;
  const ClWireFieldChange *y = *(const ClWireFieldChange * const *) b;

  return strcmp (x->field, y->field);
}

/**
 * cl_wire_mutation_add_change:
 *
 * Adds (or replaces) the change of @field; changes stay sorted by field name.
 */
void
cl_wire_mutation_add_change (ClWireMutation *mutation,
                             const char     *field,
                             const char     *old_value,
                             const char     *new_value)
{
  ClWireFieldChange *c;

  g_return_if_fail (mutation != NULL);
  g_return_if_fail (field != NULL);

  for (guint i = 0; i < mutation->changes->len; i++)
    {
      c = g_ptr_array_index (mutation->changes, i);
      if (strcmp (c->field, field) == 0)
        {
          g_free (c->old_value);
          g_free (c->new_value);
          c->old_value = g_strdup (old_value);
          c->new_value = g_strdup (new_value);
          return;
        }
    }

  c = g_new0 (ClWireFieldChange, 1);
  c->field = g_strdup (field);
  c->old_value = g_strdup (old_value);
  c->new_value = g_strdup (new_value);
  g_ptr_array_add (mutation->changes, c);
  g_ptr_array_sort (mutation->changes, compare_changes);
}

const ClWireFieldChange *
cl_wire_mutation_get_change (const ClWireMutation *mutation,
                             const char           *field)
{
  g_return_val_if_fail (mutation != NULL, NULL);

  for (guint i = 0; i < mutation->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (mutation->changes, i);
      if (strcmp (c->field, field) == 0)
        return c;
    }
  return NULL;
}

const char *
cl_wire_op_to_string (ClWireOp op)
{
  return op == CL_WIRE_OP_DELETE ? "delete" : "put";
}

static void
mutation_build (JsonBuilder          *b,
                const ClWireMutation *m)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, m->seq);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, m->id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, m->type);
  json_builder_set_member_name (b, "record");
  json_builder_add_string_value (b, m->record);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, cl_wire_op_to_string (m->op));
  json_builder_set_member_name (b, "base_version");
  json_builder_add_int_value (b, m->base_version);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, m->at != NULL ? m->at : "");
  json_builder_set_member_name (b, "changes");
  json_builder_begin_object (b);
  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);

      json_builder_set_member_name (b, c->field);
      json_builder_begin_object (b);
      add_nullable (b, "old", c->old_value);
      add_nullable (b, "new", c->new_value);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

/**
 * cl_wire_mutation_canonical:
 *
 * Returns: (transfer full): the mutation as compact JSON with members in a fixed order
 *   and changes sorted by field: equal mutations give equal bytes
 */
char *
cl_wire_mutation_canonical (const ClWireMutation *mutation)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (mutation != NULL, NULL);

  mutation_build (b, mutation);
  return builder_to_data (b, NULL);
}

/**
 * cl_wire_mutation_hash:
 * @out: (out caller-allocates): 32 bytes
 *
 * BLAKE2b-256 of the canonical form: how the server tells a replay (same hash) from a
 * different mutation sent under a seq already used.
 */
void
cl_wire_mutation_hash (const ClWireMutation *mutation,
                       guint8                out[32])
{
  g_autofree char *canonical = cl_wire_mutation_canonical (mutation);

  crypto_generichash (out, 32, (const guint8 *) canonical, strlen (canonical), NULL, 0);
}

static const ClWireMember mutation_members[] = {
  { "seq", CL_WIRE_INT, TRUE },
  { "id", CL_WIRE_STRING, TRUE },
  { "type", CL_WIRE_STRING, TRUE },
  { "record", CL_WIRE_STRING, TRUE },
  { "op", CL_WIRE_STRING, TRUE },
  { "base_version", CL_WIRE_INT, TRUE },
  { "at", CL_WIRE_STRING, TRUE },
  { "changes", CL_WIRE_OBJECT, FALSE },
};

static const ClWireMember change_members[] = {
  { "old", CL_WIRE_STRING_OR_NULL, TRUE },
  { "new", CL_WIRE_STRING_OR_NULL, TRUE },
};

#define CL_WIRE_MAX_CHANGES 128

static ClWireMutation *
mutation_from_json (JsonNode    *node,
                    const char  *where,
                    GError     **error)
{
  g_autoptr(ClWireMutation) m = cl_wire_mutation_new ();
  JsonObject *o;
  const char *op;
  JsonNode *changes;

  if (!cl_wire_check_object (node, where, mutation_members, G_N_ELEMENTS (mutation_members),
                             error))
    return NULL;
  o = json_node_get_object (node);

  if (!get_int (o, where, "seq", 1, CL_WIRE_MAX_INT, &m->seq, error) ||
      !get_uuid (o, where, "id", &m->id, error) ||
      !get_identifier (o, where, "type", &m->type, error) ||
      !get_uuid (o, where, "record", &m->record, error) ||
      !get_int (o, where, "base_version", 0, CL_WIRE_MAX_INT, &m->base_version, error) ||
      !get_text (o, where, "at", 0, 64, &m->at, error))
    return NULL;

  op = json_object_get_string_member (o, "op");
  if (g_strcmp0 (op, "put") == 0)
    m->op = CL_WIRE_OP_PUT;
  else if (g_strcmp0 (op, "delete") == 0)
    m->op = CL_WIRE_OP_DELETE;
  else
    {
      invalid (error, where, "op", "“put” or “delete”");
      return NULL;
    }

  changes = json_object_get_member (o, "changes");
  if (changes != NULL)
    {
      JsonObject *co = json_node_get_object (changes);
      g_autoptr(GList) names = json_object_get_members (co);
      guint n = 0;

      if (m->op == CL_WIRE_OP_DELETE && names != NULL)
        {
          invalid (error, where, "changes", "empty for a delete");
          return NULL;
        }
      for (GList *l = names; l != NULL; l = l->next, n++)
        {
          const char *field = l->data;
          JsonNode *cn = json_object_get_member (co, field);
          g_autofree char *cwhere = NULL;
          JsonObject *cobj;

          if (n >= CL_WIRE_MAX_CHANGES)
            {
              g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS,
                           "%s.changes has more than %d fields", where, CL_WIRE_MAX_CHANGES);
              return NULL;
            }
          if (!is_identifier (field))
            {
              g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                           "%s.changes has a field name that is not an identifier", where);
              return NULL;
            }
          cwhere = g_strdup_printf ("%s.changes.%s", where, field);
          if (!cl_wire_check_object (cn, cwhere, change_members, G_N_ELEMENTS (change_members),
                                     error))
            return NULL;
          cobj = json_node_get_object (cn);
          cl_wire_mutation_add_change (m, field, get_nullable (cobj, "old"),
                                       get_nullable (cobj, "new"));
        }
    }

  return g_steal_pointer (&m);
}

/* ---- Push ----------------------------------------------------------------------------- */

ClWirePushRequest *
cl_wire_push_request_new (const char *device_id)
{
  ClWirePushRequest *r = g_new0 (ClWirePushRequest, 1);

  r->device_id = g_strdup (device_id);
  r->mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
  return r;
}

void
cl_wire_push_request_free (ClWirePushRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->device_id);
  g_ptr_array_unref (request->mutations);
  g_free (request);
}

static const ClWireMember push_request_members[] = {
  { "device_id", CL_WIRE_STRING, TRUE },
  { "mutations", CL_WIRE_ARRAY, TRUE },
};

/**
 * cl_wire_push_request_decode:
 *
 * Guards, parses and checks a push request. Only the shape is checked here: whether a
 * type, a field or a value is valid is decided per mutation by the server, which rejects
 * that mutation alone.
 *
 * Returns: (transfer full) (nullable): the request
 */
ClWirePushRequest *
cl_wire_push_request_decode (const char  *data,
                             gsize        len,
                             GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &push_limits, error);
  g_autoptr(ClWirePushRequest) r = NULL;
  JsonObject *o;
  JsonArray *mutations;
  guint n;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "request", push_request_members,
                             G_N_ELEMENTS (push_request_members), error))
    return NULL;
  o = json_node_get_object (root);

  r = cl_wire_push_request_new (NULL);
  if (!get_uuid (o, "request", "device_id", &r->device_id, error))
    return NULL;

  mutations = json_object_get_array_member (o, "mutations");
  n = json_array_get_length (mutations);
  if (n > CL_WIRE_MAX_MUTATIONS)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS,
                   "A push holds at most %d mutations", CL_WIRE_MAX_MUTATIONS);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *where = g_strdup_printf ("mutations[%u]", i);
      ClWireMutation *m = mutation_from_json (json_array_get_element (mutations, i), where,
                                              error);
      if (m == NULL)
        return NULL;
      g_ptr_array_add (r->mutations, m);
    }
  return g_steal_pointer (&r);
}

char *
cl_wire_push_request_encode (const ClWirePushRequest *request,
                             gsize                   *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (request != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, request->device_id);
  json_builder_set_member_name (b, "mutations");
  json_builder_begin_array (b);
  for (guint i = 0; i < request->mutations->len; i++)
    mutation_build (b, g_ptr_array_index (request->mutations, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

static void
conflict_free (gpointer data)
{
  ClWireConflict *c = data;

  g_free (c->field);
  g_free (c->server_value);
  g_free (c->client_value);
  g_free (c->conflict_id);
  g_free (c);
}

ClWireResult *
cl_wire_result_new (void)
{
  ClWireResult *r = g_new0 (ClWireResult, 1);

  r->conflicts = g_ptr_array_new_with_free_func (conflict_free);
  return r;
}

void
cl_wire_result_free (ClWireResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_ptr_array_unref (result->conflicts);
  g_free (result->code);
  g_free (result->message);
  g_free (result);
}

void
cl_wire_result_add_conflict (ClWireResult *result,
                             const char   *field,
                             const char   *server_value,
                             const char   *client_value,
                             const char   *conflict_id)
{
  ClWireConflict *c = g_new0 (ClWireConflict, 1);

  c->field = g_strdup (field);
  c->server_value = g_strdup (server_value);
  c->client_value = g_strdup (client_value);
  c->conflict_id = g_strdup (conflict_id);
  g_ptr_array_add (result->conflicts, c);
}

const char *
cl_wire_status_to_string (ClWireStatus status)
{
  switch (status)
    {
    case CL_WIRE_STATUS_APPLIED: return "applied";
    case CL_WIRE_STATUS_CONFLICT: return "conflict";
    case CL_WIRE_STATUS_REJECTED: return "rejected";
    default: g_assert_not_reached ();
    }
}

static void
result_build (JsonBuilder        *b,
              const ClWireResult *r)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, r->seq);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, r->id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, cl_wire_status_to_string (r->status));
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, r->version);
  json_builder_set_member_name (b, "conflicts");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->conflicts->len; i++)
    {
      const ClWireConflict *c = g_ptr_array_index (r->conflicts, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, c->field);
      add_nullable (b, "server_value", c->server_value);
      add_nullable (b, "client_value", c->client_value);
      json_builder_set_member_name (b, "conflict_id");
      json_builder_add_string_value (b, c->conflict_id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (r->code != NULL)
    {
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, r->code);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, r->message != NULL ? r->message : "");
    }
  json_builder_end_object (b);
}

JsonNode *
cl_wire_result_to_json (const ClWireResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (result != NULL, NULL);

  result_build (b, result);
  return json_builder_get_root (b);
}

static const ClWireMember result_members[] = {
  { "seq", CL_WIRE_INT, TRUE },
  { "id", CL_WIRE_STRING, TRUE },
  { "status", CL_WIRE_STRING, TRUE },
  { "version", CL_WIRE_INT, TRUE },
  { "conflicts", CL_WIRE_ARRAY, TRUE },
  { "code", CL_WIRE_STRING, FALSE },
  { "message", CL_WIRE_STRING, FALSE },
};

static const ClWireMember conflict_members[] = {
  { "field", CL_WIRE_STRING, TRUE },
  { "server_value", CL_WIRE_STRING_OR_NULL, TRUE },
  { "client_value", CL_WIRE_STRING_OR_NULL, TRUE },
  { "conflict_id", CL_WIRE_STRING, TRUE },
};

ClWireResult *
cl_wire_result_from_json (JsonNode    *node,
                          const char  *where,
                          GError     **error)
{
  g_autoptr(ClWireResult) r = cl_wire_result_new ();
  JsonObject *o;
  const char *status;
  JsonArray *conflicts;

  if (!cl_wire_check_object (node, where, result_members, G_N_ELEMENTS (result_members), error))
    return NULL;
  o = json_node_get_object (node);

  if (!get_int (o, where, "seq", 1, CL_WIRE_MAX_INT, &r->seq, error) ||
      !get_uuid (o, where, "id", &r->id, error) ||
      !get_int (o, where, "version", 0, CL_WIRE_MAX_INT, &r->version, error))
    return NULL;

  status = json_object_get_string_member (o, "status");
  if (g_strcmp0 (status, "applied") == 0)
    r->status = CL_WIRE_STATUS_APPLIED;
  else if (g_strcmp0 (status, "conflict") == 0)
    r->status = CL_WIRE_STATUS_CONFLICT;
  else if (g_strcmp0 (status, "rejected") == 0)
    r->status = CL_WIRE_STATUS_REJECTED;
  else
    {
      invalid (error, where, "status", "“applied”, “conflict” or “rejected”");
      return NULL;
    }

  if (json_object_has_member (o, "code") &&
      !get_identifier (o, where, "code", &r->code, error))
    return NULL;
  if (json_object_has_member (o, "message") &&
      !get_text (o, where, "message", 0, 4096, &r->message, error))
    return NULL;
  if (r->status == CL_WIRE_STATUS_REJECTED && r->code == NULL)
    {
      invalid (error, where, "code", "present when rejected");
      return NULL;
    }

  conflicts = json_object_get_array_member (o, "conflicts");
  for (guint i = 0; i < json_array_get_length (conflicts); i++)
    {
      g_autofree char *cwhere = g_strdup_printf ("%s.conflicts[%u]", where, i);
      JsonNode *cn = json_array_get_element (conflicts, i);
      JsonObject *co;
      g_autofree char *field = NULL;
      g_autofree char *id = NULL;

      if (!cl_wire_check_object (cn, cwhere, conflict_members,
                                 G_N_ELEMENTS (conflict_members), error))
        return NULL;
      co = json_node_get_object (cn);
      if (!get_identifier (co, cwhere, "field", &field, error) ||
          !get_uuid (co, cwhere, "conflict_id", &id, error))
        return NULL;
      cl_wire_result_add_conflict (r, field, get_nullable (co, "server_value"),
                                   get_nullable (co, "client_value"), id);
    }

  return g_steal_pointer (&r);
}

ClWirePushResponse *
cl_wire_push_response_new (void)
{
  ClWirePushResponse *r = g_new0 (ClWirePushResponse, 1);

  r->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_result_free);
  return r;
}

void
cl_wire_push_response_free (ClWirePushResponse *response)
{
  if (response == NULL)
    return;
  g_ptr_array_unref (response->results);
  g_free (response->revoked);
  g_free (response);
}

static const ClWireMember push_response_members[] = {
  { "results", CL_WIRE_ARRAY, TRUE },
  { "last_seq", CL_WIRE_INT, TRUE },
  { "revoked", CL_WIRE_STRING, FALSE },
};

ClWirePushResponse *
cl_wire_push_response_decode (const char  *data,
                              gsize        len,
                              GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &response_limits, error);
  g_autoptr(ClWirePushResponse) r = NULL;
  JsonObject *o;
  JsonArray *results;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "response", push_response_members,
                             G_N_ELEMENTS (push_response_members), error))
    return NULL;
  o = json_node_get_object (root);

  r = cl_wire_push_response_new ();
  if (!get_int (o, "response", "last_seq", 0, CL_WIRE_MAX_INT, &r->last_seq, error))
    return NULL;
  if (json_object_has_member (o, "revoked"))
    {
      const char *mode = json_object_get_string_member (o, "revoked");

      if (g_strcmp0 (mode, "retire") != 0)
        {
          invalid (error, "response", "revoked", "“retire”");
          return NULL;
        }
      r->revoked = g_strdup (mode);
    }

  results = json_object_get_array_member (o, "results");
  if (json_array_get_length (results) > CL_WIRE_MAX_MUTATIONS)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS, "Too many results");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      g_autofree char *where = g_strdup_printf ("results[%u]", i);
      ClWireResult *res = cl_wire_result_from_json (json_array_get_element (results, i),
                                                    where, error);
      if (res == NULL)
        return NULL;
      g_ptr_array_add (r->results, res);
    }
  return g_steal_pointer (&r);
}

char *
cl_wire_push_response_encode (const ClWirePushResponse *response,
                              gsize                    *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (response != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < response->results->len; i++)
    result_build (b, g_ptr_array_index (response->results, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, response->last_seq);
  if (response->revoked != NULL)
    {
      json_builder_set_member_name (b, "revoked");
      json_builder_add_string_value (b, response->revoked);
    }
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

/* ---- Pull ----------------------------------------------------------------------------- */

ClWirePullRequest *
cl_wire_pull_request_new (void)
{
  return g_new0 (ClWirePullRequest, 1);
}

void
cl_wire_pull_request_free (ClWirePullRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->digest);
  g_free (request);
}

static const ClWireMember pull_request_members[] = {
  { "cursor", CL_WIRE_INT, TRUE },
  { "limit", CL_WIRE_INT, FALSE },
  { "digest", CL_WIRE_STRING_OR_NULL, FALSE },
  { "count", CL_WIRE_BOOL, FALSE },
};

ClWirePullRequest *
cl_wire_pull_request_decode (const char  *data,
                             gsize        len,
                             GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &small_limits, error);
  g_autoptr(ClWirePullRequest) r = NULL;
  JsonObject *o;
  const char *digest;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "request", pull_request_members,
                             G_N_ELEMENTS (pull_request_members), error))
    return NULL;
  o = json_node_get_object (root);

  r = cl_wire_pull_request_new ();
  if (!get_int (o, "request", "cursor", 0, CL_WIRE_MAX_INT, &r->cursor, error))
    return NULL;
  if (json_object_has_member (o, "limit") &&
      !get_int (o, "request", "limit", 1, CL_WIRE_MAX_PULL_LIMIT, &r->limit, error))
    return NULL;
  digest = get_nullable (o, "digest");
  if (digest != NULL)
    {
      if (!is_digest_hex (digest))
        {
          invalid (error, "request", "digest", "16 lower-case hexadecimal digits or null");
          return NULL;
        }
      r->digest = g_strdup (digest);
    }
  if (json_object_has_member (o, "count"))
    r->count = json_object_get_boolean_member (o, "count");
  return g_steal_pointer (&r);
}

char *
cl_wire_pull_request_encode (const ClWirePullRequest *request,
                             gsize                   *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (request != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, request->cursor);
  if (request->limit > 0)
    {
      json_builder_set_member_name (b, "limit");
      json_builder_add_int_value (b, request->limit);
    }
  add_nullable (b, "digest", request->digest);
  /* Sent only when asked: a server older than the member refuses it. */
  if (request->count)
    {
      json_builder_set_member_name (b, "count");
      json_builder_add_boolean_value (b, TRUE);
    }
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

ClWirePullItem *
cl_wire_pull_item_new (ClWirePullOp  op,
                       const char   *type,
                       const char   *record,
                       gint64        version)
{
  ClWirePullItem *item = g_new0 (ClWirePullItem, 1);

  item->op = op;
  item->type = g_strdup (type);
  item->record = g_strdup (record);
  item->version = version;
  if (op == CL_WIRE_PULL_PUT)
    {
      item->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      item->field_versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    }
  return item;
}

void
cl_wire_pull_item_free (ClWirePullItem *item)
{
  if (item == NULL)
    return;
  g_free (item->type);
  g_free (item->record);
  g_clear_pointer (&item->fields, g_hash_table_unref);
  g_clear_pointer (&item->field_versions, g_hash_table_unref);
  g_free (item);
}

void
cl_wire_pull_item_set_field (ClWirePullItem *item,
                             const char     *field,
                             const char     *value,
                             gint64          version)
{
  g_return_if_fail (item != NULL && item->op == CL_WIRE_PULL_PUT);

  g_hash_table_replace (item->fields, g_strdup (field), g_strdup (value));
  g_hash_table_replace (item->field_versions, g_strdup (field), g_memdup2 (&version, sizeof version));
}

const char *
cl_wire_pull_op_to_string (ClWirePullOp op)
{
  switch (op)
    {
    case CL_WIRE_PULL_PUT: return "put";
    case CL_WIRE_PULL_DELETE: return "delete";
    case CL_WIRE_PULL_REMOVE: return "remove";
    default: g_assert_not_reached ();
    }
}

ClWirePullResponse *
cl_wire_pull_response_new (void)
{
  ClWirePullResponse *r = g_new0 (ClWirePullResponse, 1);

  r->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_pull_item_free);
  r->total = -1;
  return r;
}

void
cl_wire_pull_response_free (ClWirePullResponse *response)
{
  if (response == NULL)
    return;
  g_ptr_array_unref (response->changes);
  g_free (response);
}

static const ClWireMember pull_response_members[] = {
  { "changes", CL_WIRE_ARRAY, TRUE },
  { "cursor", CL_WIRE_INT, TRUE },
  { "more", CL_WIRE_BOOL, TRUE },
  { "last_seq", CL_WIRE_INT, TRUE },
  { "total", CL_WIRE_INT, FALSE },
};

static const ClWireMember put_members[] = {
  { "op", CL_WIRE_STRING, TRUE },
  { "type", CL_WIRE_STRING, TRUE },
  { "record", CL_WIRE_STRING, TRUE },
  { "version", CL_WIRE_INT, TRUE },
  { "fields", CL_WIRE_OBJECT, TRUE },
  { "field_versions", CL_WIRE_OBJECT, TRUE },
};

static const ClWireMember gone_members[] = {
  { "op", CL_WIRE_STRING, TRUE },
  { "type", CL_WIRE_STRING, TRUE },
  { "record", CL_WIRE_STRING, TRUE },
  { "version", CL_WIRE_INT, TRUE },
};

static ClWirePullItem *
pull_item_from_json (JsonNode    *node,
                     const char  *where,
                     GError     **error)
{
  JsonObject *o;
  const char *op;
  ClWirePullOp kind;
  g_autofree char *type = NULL;
  g_autofree char *record = NULL;
  gint64 version;
  g_autoptr(ClWirePullItem) item = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_WRONG_TYPE, "%s must be an object", where);
      return NULL;
    }
  o = json_node_get_object (node);
  op = json_object_has_member (o, "op") ? json_object_get_string_member (o, "op") : NULL;
  if (g_strcmp0 (op, "put") == 0)
    kind = CL_WIRE_PULL_PUT;
  else if (g_strcmp0 (op, "delete") == 0)
    kind = CL_WIRE_PULL_DELETE;
  else if (g_strcmp0 (op, "remove") == 0)
    kind = CL_WIRE_PULL_REMOVE;
  else
    {
      invalid (error, where, "op", "“put”, “delete” or “remove”");
      return NULL;
    }

  if (kind == CL_WIRE_PULL_PUT
      ? !cl_wire_check_object (node, where, put_members, G_N_ELEMENTS (put_members), error)
      : !cl_wire_check_object (node, where, gone_members, G_N_ELEMENTS (gone_members), error))
    return NULL;

  if (!get_identifier (o, where, "type", &type, error) ||
      !get_uuid (o, where, "record", &record, error) ||
      !get_int (o, where, "version", 0, CL_WIRE_MAX_INT, &version, error))
    return NULL;

  item = cl_wire_pull_item_new (kind, type, record, version);
  if (kind == CL_WIRE_PULL_PUT)
    {
      JsonObject *fields = json_object_get_object_member (o, "fields");
      JsonObject *versions = json_object_get_object_member (o, "field_versions");
      g_autoptr(GList) names = json_object_get_members (fields);
      g_autoptr(GList) vnames = json_object_get_members (versions);

      if (g_list_length (names) > CL_WIRE_MAX_CHANGES ||
          g_list_length (vnames) != g_list_length (names))
        {
          invalid (error, where, "field_versions", "one version per field");
          return NULL;
        }
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *vn = json_object_get_member (fields, l->data);
          JsonNode *fv = json_object_get_member (versions, l->data);

          if (!is_identifier (l->data) ||
              !node_is_kind (vn, CL_WIRE_STRING_OR_NULL) ||
              fv == NULL || !node_is_kind (fv, CL_WIRE_INT) ||
              json_node_get_int (fv) < 0 || json_node_get_int (fv) > version)
            {
              invalid (error, where, "fields", "field names with string or null values, each "
                       "with a version not above the record's");
              return NULL;
            }
          cl_wire_pull_item_set_field (item, l->data,
                                       JSON_NODE_HOLDS_NULL (vn) ? NULL : json_node_get_string (vn),
                                       json_node_get_int (fv));
        }
    }
  return g_steal_pointer (&item);
}

ClWirePullResponse *
cl_wire_pull_response_decode (const char  *data,
                              gsize        len,
                              GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &response_limits, error);
  g_autoptr(ClWirePullResponse) r = NULL;
  JsonObject *o;
  JsonArray *changes;
  gint64 previous = -1;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "response", pull_response_members,
                             G_N_ELEMENTS (pull_response_members), error))
    return NULL;
  o = json_node_get_object (root);

  r = cl_wire_pull_response_new ();
  if (!get_int (o, "response", "cursor", 0, CL_WIRE_MAX_INT, &r->cursor, error) ||
      !get_int (o, "response", "last_seq", 0, CL_WIRE_MAX_INT, &r->last_seq, error))
    return NULL;
  r->more = json_object_get_boolean_member (o, "more");
  /* Sent only to a request that asked for it (count). */
  if (json_object_has_member (o, "total") &&
      !get_int (o, "response", "total", 0, CL_WIRE_MAX_INT, &r->total, error))
    return NULL;

  changes = json_object_get_array_member (o, "changes");
  if (json_array_get_length (changes) > CL_WIRE_MAX_PULL_LIMIT)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS, "Too many changes");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      g_autofree char *where = g_strdup_printf ("changes[%u]", i);
      ClWirePullItem *item = pull_item_from_json (json_array_get_element (changes, i), where,
                                                  error);
      if (item == NULL)
        return NULL;
      /* Changes come in version order, and never beyond the cursor they lead to. */
      if (item->version < previous || item->version > r->cursor)
        {
          cl_wire_pull_item_free (item);
          invalid (error, where, "version", "in order and not above the cursor");
          return NULL;
        }
      previous = item->version;
      g_ptr_array_add (r->changes, item);
    }
  return g_steal_pointer (&r);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
pull_item_build (JsonBuilder          *b,
                 const ClWirePullItem *item)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, cl_wire_pull_op_to_string (item->op));
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, item->type);
  json_builder_set_member_name (b, "record");
  json_builder_add_string_value (b, item->record);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, item->version);
  if (item->op == CL_WIRE_PULL_PUT)
    {
      g_autofree gpointer *keys = NULL;
      guint n = 0;

      keys = g_hash_table_get_keys_as_array (item->fields, &n);
      qsort (keys, n, sizeof (gpointer), compare_strings);

      json_builder_set_member_name (b, "fields");
      json_builder_begin_object (b);
      for (guint i = 0; i < n; i++)
        add_nullable (b, keys[i], g_hash_table_lookup (item->fields, keys[i]));
      json_builder_end_object (b);

      json_builder_set_member_name (b, "field_versions");
      json_builder_begin_object (b);
      for (guint i = 0; i < n; i++)
        {
          const gint64 *v = g_hash_table_lookup (item->field_versions, keys[i]);

          json_builder_set_member_name (b, keys[i]);
          json_builder_add_int_value (b, v != NULL ? *v : 0);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

char *
cl_wire_pull_response_encode (const ClWirePullResponse *response,
                              gsize                    *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  g_return_val_if_fail (response != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "changes");
  json_builder_begin_array (b);
  for (guint i = 0; i < response->changes->len; i++)
    pull_item_build (b, g_ptr_array_index (response->changes, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, response->cursor);
  json_builder_set_member_name (b, "more");
  json_builder_add_boolean_value (b, response->more);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, response->last_seq);
  if (response->total >= 0)
    {
      json_builder_set_member_name (b, "total");
      json_builder_add_int_value (b, response->total);
    }
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

struct _ClWirePullWriter {
  GString *json;
  guint    n_changes;
  gint64   total;      /* -1: not counted */
};

ClWirePullWriter *
cl_wire_pull_writer_new (void)
{
  ClWirePullWriter *writer = g_new0 (ClWirePullWriter, 1);

  writer->json = g_string_sized_new (64 * 1024);
  writer->total = -1;
  g_string_append (writer->json, "{\"changes\":[");
  return writer;
}

void
cl_wire_pull_writer_free (ClWirePullWriter *writer)
{
  if (writer == NULL)
    return;
  g_string_free (writer->json, TRUE);
  g_free (writer);
}

/* A JSON string, escaped as json-glib's generator escapes it. */
static void
append_string (GString    *json,
               const char *value)
{
  g_string_append_c (json, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"': g_string_append (json, "\\\""); break;
        case '\\': g_string_append (json, "\\\\"); break;
        case '\b': g_string_append (json, "\\b"); break;
        case '\f': g_string_append (json, "\\f"); break;
        case '\n': g_string_append (json, "\\n"); break;
        case '\r': g_string_append (json, "\\r"); break;
        case '\t': g_string_append (json, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (json, "\\u%04x", c);
          else
            g_string_append_c (json, c);
        }
    }
  g_string_append_c (json, '"');
}

void
cl_wire_pull_writer_add (ClWirePullWriter *writer,
                         ClWirePullOp      op,
                         const char       *type,
                         const char       *record,
                         gint64            version,
                         const char       *fields_json,
                         const char       *versions_json)
{
  g_return_if_fail (writer != NULL && type != NULL && record != NULL);
  g_return_if_fail (op != CL_WIRE_PULL_PUT || (fields_json != NULL && versions_json != NULL));

  if (writer->n_changes++ > 0)
    g_string_append_c (writer->json, ',');
  g_string_append (writer->json, "{\"op\":");
  append_string (writer->json, cl_wire_pull_op_to_string (op));
  g_string_append (writer->json, ",\"type\":");
  append_string (writer->json, type);
  g_string_append (writer->json, ",\"record\":");
  append_string (writer->json, record);
  g_string_append_printf (writer->json, ",\"version\":%" G_GINT64_FORMAT, version);
  if (op == CL_WIRE_PULL_PUT)
    {
      g_string_append (writer->json, ",\"fields\":");
      g_string_append (writer->json, fields_json);
      g_string_append (writer->json, ",\"field_versions\":");
      g_string_append (writer->json, versions_json);
    }
  g_string_append_c (writer->json, '}');
}

guint
cl_wire_pull_writer_get_n_changes (const ClWirePullWriter *writer)
{
  return writer->n_changes;
}

gsize
cl_wire_pull_writer_get_size (const ClWirePullWriter *writer)
{
  return writer->json->len;
}

/* The page tells how many changes the pull brings from cursor 0 on (@total), for a
 * request that asked (count). */
void
cl_wire_pull_writer_set_total (ClWirePullWriter *writer,
                               gint64            total)
{
  writer->total = total;
}

/* Returns the page, and frees @writer. */
char *
cl_wire_pull_writer_finish (ClWirePullWriter *writer,
                            gint64            cursor,
                            gboolean          more,
                            gint64            last_seq,
                            gsize            *len)
{
  GString *json = writer->json;

  g_string_append_printf (json, "],\"cursor\":%" G_GINT64_FORMAT ",\"more\":%s,"
                          "\"last_seq\":%" G_GINT64_FORMAT,
                          cursor, more ? "true" : "false", last_seq);
  if (writer->total >= 0)
    g_string_append_printf (json, ",\"total\":%" G_GINT64_FORMAT, writer->total);
  g_string_append_c (json, '}');
  g_free (writer);
  if (len != NULL)
    *len = json->len;
  return g_string_free (json, FALSE);
}

void
cl_wire_digest_add (guint64    *digest,
                    const char *record_id,
                    gint64      version)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *text = NULL;
  guint8 h[32];
  gsize n = sizeof h;
  guint64 v = 0;

  g_return_if_fail (digest != NULL);
  g_return_if_fail (record_id != NULL);

  text = g_strdup_printf ("%s:%" G_GINT64_FORMAT, record_id, version);
  g_checksum_update (sum, (const guchar *) text, -1);
  g_checksum_get_digest (sum, h, &n);
  for (int i = 0; i < 8; i++)
    v = (v << 8) | h[i];
  *digest += v;
}

char *
cl_wire_digest_to_hex (guint64 digest)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", digest);
}

/* ---- Login ---------------------------------------------------------------------------- */

void
cl_wire_login_request_free (ClWireLoginRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->username);
  if (request->password != NULL)
    sodium_memzero (request->password, strlen (request->password));
  g_free (request->password);
  g_free (request->device_name);
  g_free (request->device_id);
  if (request->new_password != NULL)
    sodium_memzero (request->new_password, strlen (request->new_password));
  g_free (request->new_password);
  g_free (request);
}

static const ClWireMember login_request_members[] = {
  { "username", CL_WIRE_STRING, TRUE },
  { "password", CL_WIRE_STRING, TRUE },
  { "device_name", CL_WIRE_STRING, FALSE },
  { "device_id", CL_WIRE_STRING, FALSE },
  { "new_password", CL_WIRE_STRING, FALSE },
};

/**
 * cl_wire_is_device_name:
 *
 * Whether @name may name a device: 1 to 64 characters of valid UTF-8, each printable
 * (no control, format or line-separating character: it is shown in a terminal).
 */
gboolean
cl_wire_is_device_name (const char *name)
{
  glong n;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  n = g_utf8_strlen (name, -1);
  if (n < 1 || n > 64)
    return FALSE;
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType t = g_unichar_type (c);

      if (!g_unichar_isprint (c) || t == G_UNICODE_FORMAT || t == G_UNICODE_LINE_SEPARATOR ||
          t == G_UNICODE_PARAGRAPH_SEPARATOR)
        return FALSE;
    }
  return TRUE;
}

ClWireLoginRequest *
cl_wire_login_request_decode (const char  *data,
                              gsize        len,
                              GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &small_limits, error);
  g_autoptr(ClWireLoginRequest) r = NULL;
  JsonObject *o;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "request", login_request_members,
                             G_N_ELEMENTS (login_request_members), error))
    return NULL;
  o = json_node_get_object (root);

  r = g_new0 (ClWireLoginRequest, 1);
  if (!get_text (o, "request", "username", 1, 128, &r->username, error) ||
      !get_text (o, "request", "password", 1, 1024, &r->password, error))
    return NULL;
  if (json_object_has_member (o, "device_name"))
    {
      const char *name = json_object_get_string_member (o, "device_name");

      if (!cl_wire_is_device_name (name))
        {
          invalid (error, "request", "device_name", "1 to 64 printable characters");
          return NULL;
        }
      r->device_name = g_strdup (name);
    }
  if (json_object_has_member (o, "device_id") &&
      !get_uuid (o, "request", "device_id", &r->device_id, error))
    return NULL;
  if (json_object_has_member (o, "new_password") &&
      !get_text (o, "request", "new_password", 1, 1024, &r->new_password, error))
    return NULL;
  return g_steal_pointer (&r);
}

char *
cl_wire_login_request_encode (const ClWireLoginRequest *request,
                              gsize                    *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, request->username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, request->password);
  if (request->device_name != NULL)
    {
      json_builder_set_member_name (b, "device_name");
      json_builder_add_string_value (b, request->device_name);
    }
  if (request->device_id != NULL)
    {
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, request->device_id);
    }
  if (request->new_password != NULL)
    {
      json_builder_set_member_name (b, "new_password");
      json_builder_add_string_value (b, request->new_password);
    }
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

/**
 * cl_wire_is_refresh_token:
 *
 * Whether @token has a refresh token's shape: "clr_" and 43 base64url characters.
 */
gboolean
cl_wire_is_refresh_token (const char *token)
{
  gsize prefix = strlen (CL_WIRE_REFRESH_PREFIX);

  if (token == NULL || strlen (token) != prefix + 43 ||
      !g_str_has_prefix (token, CL_WIRE_REFRESH_PREFIX))
    return FALSE;
  for (const char *p = token + prefix; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
get_refresh_token (JsonObject  *object,
                   const char  *where,
                   char       **out,
                   GError     **error)
{
  const char *v = json_object_get_string_member (object, "refresh_token");

  if (!cl_wire_is_refresh_token (v))
    return invalid (error, where, "refresh_token", "a refresh token");
  *out = g_strdup (v);
  return TRUE;
}

static const ClWireMember refresh_request_members[] = {
  { "refresh_token", CL_WIRE_STRING, TRUE },
};

/* Returns: (transfer full): the refresh token of a POST /v1/refresh body */
char *
cl_wire_refresh_request_decode (const char  *data,
                                gsize        len,
                                GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &small_limits, error);
  char *token = NULL;

  if (root == NULL ||
      !cl_wire_check_object (root, "request", refresh_request_members,
                             G_N_ELEMENTS (refresh_request_members), error) ||
      !get_refresh_token (json_node_get_object (root), "request", &token, error))
    return NULL;
  return token;
}

char *
cl_wire_refresh_request_encode (const char *refresh_token,
                                gsize      *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "refresh_token");
  json_builder_add_string_value (b, refresh_token);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

void
cl_wire_login_response_free (ClWireLoginResponse *response)
{
  if (response == NULL)
    return;
  if (response->token != NULL)
    sodium_memzero (response->token, strlen (response->token));
  g_free (response->token);
  if (response->refresh_token != NULL)
    sodium_memzero (response->refresh_token, strlen (response->refresh_token));
  g_free (response->refresh_token);
  g_free (response->device_id);
  g_free (response->expires_at);
  g_free (response->idle_expires_at);
  g_free (response->username);
  g_free (response->role);
  g_strfreev (response->commands);
  g_free (response);
}

static const ClWireMember login_response_members[] = {
  { "token", CL_WIRE_STRING, TRUE },
  { "refresh_token", CL_WIRE_STRING, TRUE },
  { "device_id", CL_WIRE_STRING, TRUE },
  { "expires_at", CL_WIRE_STRING, TRUE },
  { "idle_expires_at", CL_WIRE_STRING, TRUE },
  { "user", CL_WIRE_OBJECT, TRUE },
};

static const ClWireMember login_user_members[] = {
  { "username", CL_WIRE_STRING, TRUE },
  { "role", CL_WIRE_STRING, TRUE },
  { "commands", CL_WIRE_ARRAY, TRUE },
};

ClWireLoginResponse *
cl_wire_login_response_decode (const char  *data,
                               gsize        len,
                               GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &small_limits, error);
  g_autoptr(ClWireLoginResponse) r = NULL;
  JsonObject *o, *user;
  JsonArray *commands;
  g_autoptr(GStrvBuilder) sb = g_strv_builder_new ();

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "response", login_response_members,
                             G_N_ELEMENTS (login_response_members), error) ||
      !cl_wire_check_object (json_object_get_member (json_node_get_object (root), "user"),
                             "response.user", login_user_members,
                             G_N_ELEMENTS (login_user_members), error))
    return NULL;
  o = json_node_get_object (root);
  user = json_object_get_object_member (o, "user");

  r = g_new0 (ClWireLoginResponse, 1);
  if (!get_text (o, "response", "token", 16, 256, &r->token, error) ||
      !get_refresh_token (o, "response", &r->refresh_token, error) ||
      !get_uuid (o, "response", "device_id", &r->device_id, error) ||
      !get_text (o, "response", "expires_at", 1, 64, &r->expires_at, error) ||
      !get_text (o, "response", "idle_expires_at", 1, 64, &r->idle_expires_at, error) ||
      !get_text (user, "response.user", "username", 1, 128, &r->username, error) ||
      !get_identifier (user, "response.user", "role", &r->role, error))
    return NULL;

  commands = json_object_get_array_member (user, "commands");
  if (json_array_get_length (commands) > 256)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS, "Too many commands");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonNode *n = json_array_get_element (commands, i);

      if (!node_is_kind (n, CL_WIRE_STRING) || strlen (json_node_get_string (n)) > 32)
        {
          invalid (error, "response.user", "commands", "an array of command codes");
          return NULL;
        }
      g_strv_builder_add (sb, json_node_get_string (n));
    }
  r->commands = g_strv_builder_end (sb);
  return g_steal_pointer (&r);
}

char *
cl_wire_login_response_encode (const ClWireLoginResponse *response,
                               gsize                     *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, response->token);
  json_builder_set_member_name (b, "refresh_token");
  json_builder_add_string_value (b, response->refresh_token);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, response->device_id);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, response->expires_at);
  json_builder_set_member_name (b, "idle_expires_at");
  json_builder_add_string_value (b, response->idle_expires_at);
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, response->username);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, response->role);
  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (guint i = 0; response->commands != NULL && response->commands[i] != NULL; i++)
    json_builder_add_string_value (b, response->commands[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

/* ---- Trust bundle --------------------------------------------------------------------- */

#define PEM_CERTIFICATE "-----BEGIN CERTIFICATE-----"
#define PEM_CERTIFICATE_END "-----END CERTIFICATE-----"

/**
 * cl_wire_check_trust_bundle:
 *
 * Whether @pem is a trust bundle: 1 to %CL_WIRE_MAX_TRUST_BYTES of printable ASCII holding
 * 1 to %CL_WIRE_MAX_TRUST_CERTS PEM certificates, each of which parses, and no other PEM
 * block (no key).
 */
gboolean
cl_wire_check_trust_bundle (const char  *pem,
                            gsize        len,
                            GError     **error)
{
  g_autofree char *text = NULL;
  guint blocks = 0;

  if (len == 0 || len > CL_WIRE_MAX_TRUST_BYTES)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                   "A trust bundle holds 1 to %d bytes", CL_WIRE_MAX_TRUST_BYTES);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isprint (pem[i]) && pem[i] != '\n' && pem[i] != '\r' && pem[i] != '\t')
      {
        g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                     "A trust bundle is PEM text (printable ASCII)");
        return FALSE;
      }
  text = g_strndup (pem, len);
  for (const char *p = text; (p = strstr (p, "-----BEGIN ")) != NULL; blocks++)
    {
      const char *end = strstr (p, PEM_CERTIFICATE_END);
      g_autoptr(GTlsCertificate) cert = NULL;

      if (!g_str_has_prefix (p, PEM_CERTIFICATE) || blocks >= CL_WIRE_MAX_TRUST_CERTS)
        {
          g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                       "A trust bundle holds 1 to %d certificates and nothing else",
                       CL_WIRE_MAX_TRUST_CERTS);
          return FALSE;
        }
      if (end != NULL)
        end += strlen (PEM_CERTIFICATE_END);
      cert = end != NULL ? g_tls_certificate_new_from_pem (p, end - p, NULL) : NULL;
      if (cert == NULL)
        {
          g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                       "A certificate of the trust bundle does not parse");
          return FALSE;
        }
      p = end;
    }
  if (blocks == 0)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE,
                   "A trust bundle holds at least one certificate");
      return FALSE;
    }
  return TRUE;
}

static const ClWireMember trust_response_members[] = {
  { "bundle", CL_WIRE_STRING_OR_NULL, TRUE },
};

/* *bundle: the PEM the server sends, checked; %NULL when it sends none. */
gboolean
cl_wire_trust_response_decode (const char  *data,
                               gsize        len,
                               char       **bundle,
                               GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &response_limits, error);
  const char *pem;

  *bundle = NULL;
  if (root == NULL ||
      !cl_wire_check_object (root, "response", trust_response_members,
                             G_N_ELEMENTS (trust_response_members), error))
    return FALSE;
  pem = get_nullable (json_node_get_object (root), "bundle");
  if (pem == NULL)
    return TRUE;
  if (!cl_wire_check_trust_bundle (pem, strlen (pem), error))
    {
      g_prefix_error (error, "response.bundle: ");
      return FALSE;
    }
  *bundle = g_strdup (pem);
  return TRUE;
}

char *
cl_wire_trust_response_encode (const char *bundle,
                               gsize      *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  if (bundle != NULL)
    json_builder_add_string_value (b, bundle);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

/* ---- Conflicts ------------------------------------------------------------------------ */

void
cl_wire_conflict_info_free (ClWireConflictInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->type);
  g_free (info->record);
  g_free (info->field);
  g_free (info->kind);
  g_free (info->server_value);
  g_free (info->client_value);
  g_free (info->created_at);
  g_free (info->client_by);
  g_free (info->server_by);
  g_free (info->server_at);
  g_free (info);
}

static const ClWireMember conflict_list_members[] = {
  { "conflicts", CL_WIRE_ARRAY, TRUE },
  { "total", CL_WIRE_INT, FALSE },
  { "more", CL_WIRE_BOOL, FALSE },
};

static const ClWireMember conflict_info_members[] = {
  { "id", CL_WIRE_STRING, TRUE },
  { "type", CL_WIRE_STRING, TRUE },
  { "record", CL_WIRE_STRING, TRUE },
  { "field", CL_WIRE_STRING, TRUE },
  { "kind", CL_WIRE_STRING, TRUE },
  { "server_value", CL_WIRE_STRING_OR_NULL, TRUE },
  { "client_value", CL_WIRE_STRING_OR_NULL, TRUE },
  { "server_version", CL_WIRE_INT, TRUE },
  { "created_at", CL_WIRE_STRING, TRUE },
  { "client_by", CL_WIRE_STRING, TRUE },
  { "server_by", CL_WIRE_STRING_OR_NULL, TRUE },
  { "server_at", CL_WIRE_STRING_OR_NULL, TRUE },
  { "mine", CL_WIRE_BOOL, TRUE },
  { "this_device", CL_WIRE_BOOL, TRUE },
};

/* A time as the server writes it: UTC, to the second, "YYYY-MM-DDTHH:MM:SSZ". */
static gboolean
is_utc_time (const char *text)
{
  static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || strlen (text) != strlen (pattern))
    return FALSE;
  for (guint i = 0; pattern[i] != '\0'; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != pattern[i])
      return FALSE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  return dt != NULL;
}

static gboolean
conflict_info_check (ClWireConflictInfo  *info,
                     const char          *where,
                     GError             **error)
{
  if (g_strcmp0 (info->kind, "field") != 0 && g_strcmp0 (info->kind, "deleted") != 0 &&
      g_strcmp0 (info->kind, "delete") != 0)
    return invalid (error, where, "kind", "“field”, “deleted” or “delete”");
  if ((g_strcmp0 (info->kind, "delete") == 0) != (g_strcmp0 (info->field, "_deleted") == 0))
    return invalid (error, where, "field", "“_deleted” for a delete conflict, and only then");
  if (!is_utc_time (info->created_at))
    return invalid (error, where, "created_at", "a UTC time");
  if (!cl_is_username (info->client_by))
    return invalid (error, where, "client_by", "a username");
  if ((info->server_by == NULL) != (info->server_at == NULL))
    return invalid (error, where, "server_by", "given with server_at, and only then");
  if (info->server_by != NULL && !cl_is_username (info->server_by))
    return invalid (error, where, "server_by", "a username or null");
  if (info->server_at != NULL && !is_utc_time (info->server_at))
    return invalid (error, where, "server_at", "a UTC time or null");
  if (info->this_device && !info->mine)
    return invalid (error, where, "this_device", "false when mine is false");
  return TRUE;
}

/**
 * cl_wire_conflict_list_decode:
 * @total: (out) (optional): how many open conflicts the server has for the asking user, in
 *   all pages
 * @more: (out) (optional): whether pages follow (GET /v1/conflicts?after=<last id>)
 *
 * A list without "total" and "more" (a server older than paging) counts as complete unless
 * it holds CL_WIRE_MAX_CONFLICTS, the most such a server sent.
 */
GPtrArray *
cl_wire_conflict_list_decode (const char  *data,
                              gsize        len,
                              gint64      *total,
                              gboolean    *more,
                              GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &response_limits, error);
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GHashTable) ids = NULL;
  JsonArray *list;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "response", conflict_list_members,
                             G_N_ELEMENTS (conflict_list_members), error))
    return NULL;

  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  list = json_object_get_array_member (json_node_get_object (root), "conflicts");
  if (json_array_get_length (list) > CL_WIRE_MAX_CONFLICTS)
    {
      g_set_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS, "Too many conflicts");
      return NULL;
    }
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autofree char *where = g_strdup_printf ("conflicts[%u]", i);
      JsonNode *n = json_array_get_element (list, i);
      g_autoptr(ClWireConflictInfo) info = g_new0 (ClWireConflictInfo, 1);
      JsonObject *o;

      if (!cl_wire_check_object (n, where, conflict_info_members,
                                 G_N_ELEMENTS (conflict_info_members), error))
        return NULL;
      o = json_node_get_object (n);
      if (!get_uuid (o, where, "id", &info->id, error) ||
          !get_identifier (o, where, "type", &info->type, error) ||
          !get_uuid (o, where, "record", &info->record, error) ||
          !get_identifier (o, where, "field", &info->field, error) ||
          !get_identifier (o, where, "kind", &info->kind, error) ||
          !get_int (o, where, "server_version", 0, CL_WIRE_MAX_INT, &info->server_version,
                    error) ||
          !get_text (o, where, "created_at", 1, 64, &info->created_at, error) ||
          !get_text (o, where, "client_by", 1, 64, &info->client_by, error))
        return NULL;
      info->server_value = g_strdup (get_nullable (o, "server_value"));
      info->client_value = g_strdup (get_nullable (o, "client_value"));
      info->server_by = g_strdup (get_nullable (o, "server_by"));
      info->server_at = g_strdup (get_nullable (o, "server_at"));
      info->mine = json_object_get_boolean_member (o, "mine");
      info->this_device = json_object_get_boolean_member (o, "this_device");
      if (!conflict_info_check (info, where, error))
        return NULL;
      /* Each conflict once: a list that names one twice is not the server's. */
      if (!g_hash_table_add (ids, info->id))
        {
          invalid (error, where, "id", "unique in the list");
          return NULL;
        }
      g_ptr_array_add (infos, g_steal_pointer (&info));
    }

  {
    JsonObject *o = json_node_get_object (root);
    gint64 n = infos->len;
    gboolean paged = json_object_has_member (o, "more");

    if (json_object_has_member (o, "total") &&
        !get_int (o, "response", "total", 0, CL_WIRE_MAX_INT, &n, error))
      return NULL;
    if (n < (gint64) infos->len)
      {
        invalid (error, "response", "total", "at least the number of conflicts listed");
        return NULL;
      }
    if (total != NULL)
      *total = n;
    if (more != NULL)
      *more = paged ? json_object_get_boolean_member (o, "more")
                    : infos->len == CL_WIRE_MAX_CONFLICTS;
  }
  return g_steal_pointer (&infos);
}

char *
cl_wire_conflict_list_encode (GPtrArray *infos,
                              gint64     total,
                              gboolean   more,
                              gsize     *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, total);
  json_builder_set_member_name (b, "more");
  json_builder_add_boolean_value (b, more);
  json_builder_set_member_name (b, "conflicts");
  json_builder_begin_array (b);
  for (guint i = 0; i < infos->len; i++)
    {
      const ClWireConflictInfo *c = g_ptr_array_index (infos, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, c->type);
      json_builder_set_member_name (b, "record");
      json_builder_add_string_value (b, c->record);
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, c->field);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, c->kind);
      add_nullable (b, "server_value", c->server_value);
      add_nullable (b, "client_value", c->client_value);
      json_builder_set_member_name (b, "server_version");
      json_builder_add_int_value (b, c->server_version);
      json_builder_set_member_name (b, "created_at");
      json_builder_add_string_value (b, c->created_at);
      json_builder_set_member_name (b, "client_by");
      json_builder_add_string_value (b, c->client_by);
      add_nullable (b, "server_by", c->server_by);
      add_nullable (b, "server_at", c->server_at);
      json_builder_set_member_name (b, "mine");
      json_builder_add_boolean_value (b, c->mine);
      json_builder_set_member_name (b, "this_device");
      json_builder_add_boolean_value (b, c->this_device);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

void
cl_wire_resolve_request_free (ClWireResolveRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->keep);
  g_free (request->value);
  g_free (request);
}

static const ClWireMember resolve_members[] = {
  { "keep", CL_WIRE_STRING, TRUE },
  { "value", CL_WIRE_STRING_OR_NULL, FALSE },
};

ClWireResolveRequest *
cl_wire_resolve_request_decode (const char  *data,
                                gsize        len,
                                GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &resolve_limits, error);
  g_autoptr(ClWireResolveRequest) r = NULL;
  JsonObject *o;
  const char *keep;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "request", resolve_members, G_N_ELEMENTS (resolve_members),
                             error))
    return NULL;
  o = json_node_get_object (root);

  r = g_new0 (ClWireResolveRequest, 1);
  keep = json_object_get_string_member (o, "keep");
  if (g_strcmp0 (keep, "theirs") != 0 && g_strcmp0 (keep, "mine") != 0 &&
      g_strcmp0 (keep, "value") != 0)
    {
      invalid (error, "request", "keep", "“theirs”, “mine” or “value”");
      return NULL;
    }
  r->keep = g_strdup (keep);
  r->has_value = json_object_has_member (o, "value");
  if (r->has_value != (strcmp (keep, "value") == 0))
    {
      invalid (error, "request", "value", "given with keep “value” and only then");
      return NULL;
    }
  r->value = g_strdup (get_nullable (o, "value"));
  return g_steal_pointer (&r);
}

char *
cl_wire_resolve_request_encode (const ClWireResolveRequest *request,
                                gsize                      *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "keep");
  json_builder_add_string_value (b, request->keep);
  if (request->has_value)
    add_nullable (b, "value", request->value);
  json_builder_end_object (b);
  return builder_to_data (b, len);
}

/* ---- Errors --------------------------------------------------------------------------- */

void
cl_wire_error_reply_free (ClWireErrorReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->code);
  g_free (reply->message);
  g_free (reply->mode);
  g_free (reply->conflict_id);
  g_free (reply);
}

static const ClWireMember error_reply_members[] = {
  { "error", CL_WIRE_OBJECT, TRUE },
};

static const ClWireMember error_members[] = {
  { "code", CL_WIRE_STRING, TRUE },
  { "message", CL_WIRE_STRING, TRUE },
  { "expected_seq", CL_WIRE_INT, FALSE },
  { "seq", CL_WIRE_INT, FALSE },
  { "mode", CL_WIRE_STRING, FALSE },
  { "retry_after", CL_WIRE_INT, FALSE },
  { "conflict_id", CL_WIRE_STRING, FALSE },
};

ClWireErrorReply *
cl_wire_error_reply_decode (const char  *data,
                            gsize        len,
                            GError     **error)
{
  g_autoptr(JsonNode) root = cl_wire_parse (data, len, &small_limits, error);
  g_autoptr(ClWireErrorReply) r = NULL;
  JsonNode *inner;
  JsonObject *o;

  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "response", error_reply_members,
                             G_N_ELEMENTS (error_reply_members), error))
    return NULL;
  inner = json_object_get_member (json_node_get_object (root), "error");
  if (!cl_wire_check_object (inner, "error", error_members, G_N_ELEMENTS (error_members), error))
    return NULL;
  o = json_node_get_object (inner);

  r = g_new0 (ClWireErrorReply, 1);
  r->expected_seq = -1;
  r->seq = -1;
  r->retry_after = -1;
  if (!get_identifier (o, "error", "code", &r->code, error) ||
      !get_text (o, "error", "message", 0, 4096, &r->message, error))
    return NULL;
  if (json_object_has_member (o, "expected_seq") &&
      !get_int (o, "error", "expected_seq", 1, CL_WIRE_MAX_INT, &r->expected_seq, error))
    return NULL;
  if (json_object_has_member (o, "seq") &&
      !get_int (o, "error", "seq", 1, CL_WIRE_MAX_INT, &r->seq, error))
    return NULL;
  if (json_object_has_member (o, "retry_after") &&
      !get_int (o, "error", "retry_after", 0, 86400, &r->retry_after, error))
    return NULL;
  if (json_object_has_member (o, "conflict_id") &&
      !get_uuid (o, "error", "conflict_id", &r->conflict_id, error))
    return NULL;
  if (json_object_has_member (o, "mode"))
    {
      const char *mode = json_object_get_string_member (o, "mode");

      if (g_strcmp0 (mode, "retire") != 0 && g_strcmp0 (mode, "lost") != 0)
        {
          invalid (error, "error", "mode", "“retire” or “lost”");
          return NULL;
        }
      r->mode = g_strdup (mode);
    }
  return g_steal_pointer (&r);
}

/**
 * cl_wire_error_reply_encode:
 * @code: a stable machine code
 * @message: English text
 * @extra: (nullable): further members (expected_seq, seq, mode, retry_after, conflict_id)
 *
 * Returns: (transfer full): {"error":{"code":…,"message":…, …}}
 */
char *
cl_wire_error_reply_encode (const char *code,
                            const char *message,
                            JsonObject *extra,
                            gsize      *len)
{
  g_autoptr(JsonObject) inner = json_object_new ();
  g_autoptr(JsonObject) outer = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (inner, "code", code);
  json_object_set_string_member (inner, "message", message);
  if (extra != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (extra);

      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (inner, l->data,
                                json_node_copy (json_object_get_member (extra, l->data)));
    }
  json_object_set_object_member (outer, "error", g_steal_pointer (&inner));
  json_node_set_object (root, outer);
  return cl_wire_node_to_data (root, len);
}
