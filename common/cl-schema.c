/* cl-schema.c: lookups and value validation over the record-type registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-schema"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "cl-date.h"
#include "cl-schema-private.h"

G_DEFINE_QUARK (cl-schema-error-quark, cl_schema_error)

const ClType *
cl_schema_types (guint *n_types)
{
  g_return_val_if_fail (n_types != NULL, NULL);
  return _cl_schema_type_table (n_types);
}

const ClEnum *
cl_schema_enums (guint *n_enums)
{
  g_return_val_if_fail (n_enums != NULL, NULL);
  return _cl_schema_enum_table (n_enums);
}

const ClType *
cl_schema_lookup_type (const char *name)
{
  const ClType *types;
  guint n;

  g_return_val_if_fail (name != NULL, NULL);

  types = _cl_schema_type_table (&n);
  for (guint i = 0; i < n; i++)
    if (strcmp (types[i].name, name) == 0)
      return &types[i];
  return NULL;
}

const ClField *
cl_type_lookup_field (const ClType *type,
                      const char   *name)
{
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < type->n_fields; i++)
    if (strcmp (type->fields[i].name, name) == 0)
      return &type->fields[i];
  return NULL;
}

const ClEnum *
cl_schema_lookup_enum (const char *name)
{
  const ClEnum *enums;
  guint n;

  g_return_val_if_fail (name != NULL, NULL);

  enums = _cl_schema_enum_table (&n);
  for (guint i = 0; i < n; i++)
    if (strcmp (enums[i].name, name) == 0)
      return &enums[i];
  return NULL;
}

const ClEnumValue *
cl_enum_lookup (const ClEnum *enumeration,
                const char   *code)
{
  g_return_val_if_fail (enumeration != NULL, NULL);

  if (code == NULL)
    return NULL;
  for (guint i = 0; i < enumeration->n_values; i++)
    if (strcmp (enumeration->values[i].code, code) == 0)
      return &enumeration->values[i];
  return NULL;
}

const char *
cl_field_kind_to_string (ClFieldKind kind)
{
  switch (kind)
    {
    case CL_FIELD_TEXT: return "text";
    case CL_FIELD_DATE: return "date";
    case CL_FIELD_DATETIME: return "datetime";
    case CL_FIELD_INT: return "integer";
    case CL_FIELD_BOOL: return "boolean";
    case CL_FIELD_ENUM: return "enum";
    case CL_FIELD_ENUM_SET: return "enum-set";
    case CL_FIELD_REF: return "reference";
    case CL_FIELD_COMMAND: return "command";
    default: g_assert_not_reached ();
    }
}

static gboolean
is_clean_text (const char *value)
{
  const char *p;

  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;
  for (p = value; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c < 0x20 && c != '\n' && c != '\t')
        return FALSE;
      if (c == 0x7f)
        return FALSE;
    }
  return TRUE;
}

/* Bidirectional controls (embeddings, overrides, isolates, LRM, RLM, ALM) reorder what a
 * reader sees: "\u202Eenilorac" shows as "caroline". */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x200E || c == 0x200F || c == 0x061C;
}

static char *
strip_bidi_controls (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));

  for (const char *p = value; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_bidi_control (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static char *
normalize_date (const char *value)
{
  GDate date;

  if (!cl_date_from_iso (value, &date))
    return NULL;
  return cl_date_to_iso (&date);
}

static char *
normalize_datetime (const char *value)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree char *iso = NULL;
  gsize len = strlen (value);

  if (len == 10)
    {
      /* A bare date means midnight, local time. */
      g_autofree char *date = normalize_date (value);
      if (date == NULL)
        return NULL;
      iso = g_strconcat (date, "T00:00:00", NULL);
    }
  else if (len == 16 && (value[10] == ' ' || value[10] == 'T'))
    {
      iso = g_strconcat (value, ":00", NULL);
      iso[10] = 'T';
    }
  else
    {
      iso = g_strdup (value);
      if (len > 10 && iso[10] == ' ')
        iso[10] = 'T';
    }

  dt = g_date_time_new_from_iso8601 (iso, local);
  if (dt == NULL)
    return NULL;
  if (g_date_time_get_year (dt) < 1900 || g_date_time_get_year (dt) > 2200)
    return NULL;
  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
normalize_enum_set (const ClEnum *e,
                    const char   *value,
                    const char  **bad)
{
  g_auto(GStrv) parts = g_strsplit_set (value, ";,", -1);
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *code = g_strstrip (parts[i]);
      const ClEnumValue *v;
      gboolean seen = FALSE;

      if (*code == '\0')
        continue;
      v = cl_enum_lookup (e, code);
      if (v == NULL)
        {
          *bad = "unknown";
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint j = 0; j < codes->len; j++)
        seen |= strcmp (g_ptr_array_index (codes, j), v->code) == 0;
      if (!seen)
        g_ptr_array_add (codes, (gpointer) v->code);
    }

  g_ptr_array_sort (codes, compare_codes);
  for (guint i = 0; i < codes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, g_ptr_array_index (codes, i));
    }
  return g_string_free (out, FALSE);
}

/* Usernames separated by commas, semicolons or spaces: lower-case, sorted, each once. */
static char *
normalize_user_set (const char *value)
{
  g_auto(GStrv) parts = g_strsplit_set (value, ",; \t\n", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *name = g_ascii_strdown (parts[i], -1);
      gboolean seen = FALSE;

      if (*name == '\0')
        continue;
      if (!cl_is_username (name) || names->len == CL_FIELD_USER_SET_MAX)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint j = 0; j < names->len; j++)
        seen |= strcmp (g_ptr_array_index (names, j), name) == 0;
      if (!seen)
        g_ptr_array_add (names, g_steal_pointer (&name));
    }

  g_ptr_array_sort (names, compare_codes);
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, g_ptr_array_index (names, i));
    }
  return g_string_free (out, FALSE);
}

/**
 * cl_field_normalize:
 * @field: the field the value is for
 * @value: (nullable): the value as typed, imported or received
 * @error: return location for a #CL_SCHEMA_ERROR
 *
 * Checks a value against its field and returns it in its one stored form. An empty value
 * (NULL, "" or only spaces) normalizes to %NULL with no error; whether a field may be empty
 * is the caller's business (%CL_FIELD_REQUIRED).
 *
 * Returns: (transfer full) (nullable): the normalized value, or %NULL
 */
char *
cl_field_normalize (const ClField *field,
                    const char    *value,
                    GError       **error)
{
  g_autofree char *trimmed = NULL;
  char *out = NULL;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (value == NULL)
    return NULL;
  if (strlen (value) > CL_FIELD_TEXT_MAX || !is_clean_text (value))
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                   ngettext ("“%s” must be valid text of at most %d byte without control "
                             "characters",
                             "“%s” must be valid text of at most %d bytes without control "
                             "characters", CL_FIELD_TEXT_MAX),
                   field->name, CL_FIELD_TEXT_MAX);
      return NULL;
    }

  /* Names and numbers (the searched fields: names, pseudonym, phone, case, complaint,
   * docket and claim numbers) lose bidi controls, so none reads as something else where
   * it is shown or exported. Notes keep theirs, which right-to-left prose may need. */
  if (field->kind == CL_FIELD_TEXT && (field->flags & CL_FIELD_SEARCH))
    trimmed = g_strstrip (strip_bidi_controls (value));
  else
    trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    return NULL;

  switch (field->kind)
    {
    case CL_FIELD_TEXT:
      if ((field->flags & CL_FIELD_USER_SET) == 0)
        return g_steal_pointer (&trimmed);
      out = normalize_user_set (trimmed);
      if (out == NULL)
        g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                     ngettext ("“%s” must be at most %d username (lower-case letters, digits, "
                               "“.”, “_” or “-”)",
                               "“%s” must be at most %d usernames (lower-case letters, digits, "
                               "“.”, “_” or “-”) separated by commas", CL_FIELD_USER_SET_MAX),
                     field->name, CL_FIELD_USER_SET_MAX);
      else if (*out == '\0')
        g_clear_pointer (&out, g_free);
      return out;

    case CL_FIELD_DATE:
      out = normalize_date (trimmed);
      if (out == NULL)
        g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                     _("“%s” must be a date written YYYY-MM-DD"), field->name);
      return out;

    case CL_FIELD_DATETIME:
      out = normalize_datetime (trimmed);
      if (out == NULL)
        g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                     _("“%s” must be a date and time written YYYY-MM-DDTHH:MM:SSZ"),
                     field->name);
      return out;

    case CL_FIELD_INT:
      {
        char *end = NULL;
        gint64 n;

        errno = 0;
        n = g_ascii_strtoll (trimmed, &end, 10);
        if (errno != 0 || end == trimmed || *end != '\0' || n < 0 || n > 1000000000)
          {
            g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                         _("“%s” must be a whole number from 0 to 1,000,000,000"), field->name);
            return NULL;
          }
        return g_strdup_printf ("%" G_GINT64_FORMAT, n);
      }

    case CL_FIELD_BOOL:
      if (g_ascii_strcasecmp (trimmed, "1") == 0 || g_ascii_strcasecmp (trimmed, "true") == 0 ||
          g_ascii_strcasecmp (trimmed, "yes") == 0)
        return g_strdup ("1");
      if (g_ascii_strcasecmp (trimmed, "0") == 0 || g_ascii_strcasecmp (trimmed, "false") == 0 ||
          g_ascii_strcasecmp (trimmed, "no") == 0)
        return g_strdup ("0");
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                   _("“%s” must be yes or no (1 or 0)"), field->name);
      return NULL;

    case CL_FIELD_ENUM:
      {
        const ClEnum *e = cl_schema_lookup_enum (field->target);
        const ClEnumValue *v = cl_enum_lookup (e, trimmed);

        if (v == NULL)
          {
            g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                         _("“%s” is not a code of “%s” (see caseloadctl schema)"),
                         trimmed, field->name);
            return NULL;
          }
        return g_strdup (v->code);
      }

    case CL_FIELD_ENUM_SET:
      {
        const ClEnum *e = cl_schema_lookup_enum (field->target);
        const char *bad = NULL;

        out = normalize_enum_set (e, trimmed, &bad);
        if (out == NULL)
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                       _("“%s” holds a code that is not one of “%s” (see caseloadctl schema)"),
                       field->name, field->target);
        else if (*out == '\0')
          g_clear_pointer (&out, g_free);
        return out;
      }

    case CL_FIELD_REF:
      if (!cl_is_uuid (trimmed))
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                       _("“%s” must be the id of a %s record"), field->name, field->target);
          return NULL;
        }
      return g_ascii_strdown (trimmed, -1);

    case CL_FIELD_COMMAND:
      if (strlen (trimmed) > 32 || strchr (trimmed, '\n') != NULL)
        {
          g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                       _("“%s” must be a command code such as 14 or PSA 2"), field->name);
          return NULL;
        }
      return g_ascii_strup (trimmed, -1);

    default:
      g_assert_not_reached ();
    }
}

gboolean
cl_is_uuid (const char *text)
{
  static const int dashes[] = { 8, 13, 18, 23 };

  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = FALSE;
      for (guint j = 0; j < G_N_ELEMENTS (dashes); j++)
        dash |= dashes[j] == i;
      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

/**
 * cl_is_username:
 *
 * Returns: whether @text is a staff username: 1 to 64 lower-case ASCII letters, digits,
 *   '.', '_' or '-'
 */
gboolean
cl_is_username (const char *text)
{
  gsize n = 0;

  if (text == NULL)
    return FALSE;
  for (const char *p = text; *p; p++, n++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return n > 0 && n <= 64;
}

/**
 * cl_uuid_new:
 *
 * Returns: (transfer full): a random (version 4) UUID from the system CSPRNG. Unlike
 *   g_uuid_string_random(), the bytes come from randombytes_buf().
 */
char *
cl_uuid_new (void)
{
  guint8 b[16];

  randombytes_buf (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                          b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
cl_now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}
