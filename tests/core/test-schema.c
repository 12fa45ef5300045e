/* test-schema.c: the record-type registry and value normalization
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-refdata.h"
#include "cl-schema.h"

static void
test_registry_consistent (void)
{
  const ClType *types;
  guint n;

  types = cl_schema_types (&n);
  g_assert_cmpuint (n, >=, 19);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (cl_schema_lookup_type (types[i].name) == &types[i]);
      if (types[i].parent != NULL)
        g_assert_nonnull (cl_type_lookup_field (&types[i], types[i].parent));
      for (guint j = 0; j < types[i].n_fields; j++)
        {
          const ClField *f = &types[i].fields[j];

          if (f->kind == CL_FIELD_ENUM || f->kind == CL_FIELD_ENUM_SET)
            g_assert_nonnull (cl_schema_lookup_enum (f->target));
          if (f->kind == CL_FIELD_REF)
            g_assert_nonnull (cl_schema_lookup_type (f->target));
          for (guint k = 0; k < j; k++)
            g_assert_cmpstr (types[i].fields[k].name, !=, f->name);
        }
    }
}

static void
test_issue_field_names (void)
{
  static const char *const required[][2] = {
    { "client", "legal_name" }, { "client", "preferred_name" }, { "client", "pseudonym" },
    { "client", "date_of_birth" }, { "client", "preferred_language" },
    { "case", "client_id" }, { "case", "command" }, { "case", "track" }, { "case", "status" },
    { "case", "referral_received_at" }, { "case", "assigned_to" },
    { "contact", "case_id" }, { "contact", "at" }, { "contact", "channel" },
    { "contact", "outcome" }, { "contact", "note" },
    { "service", "case_id" }, { "service", "date" }, { "service", "code" },
    { "service", "times" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const ClType *t = cl_schema_lookup_type (required[i][0]);
      g_assert_nonnull (t);
      g_assert_nonnull (cl_type_lookup_field (t, required[i][1]));
    }
}

static char *
norm (const char  *type,
      const char  *field,
      const char  *value,
      GError     **error)
{
  const ClField *f = cl_type_lookup_field (cl_schema_lookup_type (type), field);
  g_assert_nonnull (f);
  return cl_field_normalize (f, value, error);
}

static void
expect (const char *type,
        const char *field,
        const char *value,
        const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = norm (type, field, value, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected);
}

static void
expect_bad (const char *type,
            const char *field,
            const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = norm (type, field, value, &error);

  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE);
  g_assert_null (out);
}

static void
test_normalize (void)
{
  g_setenv ("TZ", "America/New_York", TRUE);
  tzset ();

  expect ("client", "legal_name", "  José Núñez ", "José Núñez");
  expect ("client", "legal_name", "   ", NULL);
  expect ("client", "legal_name", NULL, NULL);
  expect_bad ("client", "legal_name", "bad\001control");
  expect_bad ("client", "legal_name", "\xff\xfe");

  expect ("client", "date_of_birth", "1990-02-28", "1990-02-28");
  expect_bad ("client", "date_of_birth", "1990-02-30");
  expect_bad ("client", "date_of_birth", "02/03/1990");
  expect_bad ("client", "date_of_birth", "1990-2-3");

  expect ("contact", "at", "2026-03-01T15:00:00Z", "2026-03-01T15:00:00Z");
  expect ("contact", "at", "2026-03-01T10:00:00-05:00", "2026-03-01T15:00:00Z");
  expect ("contact", "at", "2026-07-01 10:00", "2026-07-01T14:00:00Z");
  expect_bad ("contact", "at", "yesterday");

  expect ("service", "times", "3", "3");
  expect_bad ("service", "times", "-1");
  expect_bad ("service", "times", "1e400");
  expect_bad ("service", "times", "99999999999999999999");

  expect ("client", "restricted", "yes", "1");
  expect ("client", "restricted", "FALSE", "0");
  expect_bad ("client", "restricted", "maybe");

  expect ("service", "code", "B6", "B6");
  expect_bad ("service", "code", "Z9");
  expect ("client", "race_ethnicity", "white; asian,asian", "asian;white");
  expect_bad ("client", "race_ethnicity", "asian;martian");

  expect ("case", "client_id", "0F8FAD5B-D9CB-469F-A165-70867728950E",
          "0f8fad5b-d9cb-469f-a165-70867728950e");
  expect_bad ("case", "client_id", "not-a-uuid");
  expect ("case", "command", "psa 2", "PSA 2");

  /* Named users: a set of usernames, lower-case, sorted, each once. */
  expect ("case", "named_users", "bob, Ana;carol  bob", "ana;bob;carol");
  expect ("case", "named_users", "ana", "ana");
  expect ("case", "named_users", "ana.b_c-1;", "ana.b_c-1");
  expect ("case", "named_users", " , ; ", NULL);
  expect_bad ("case", "named_users", "ana;bob:14");
  expect_bad ("case", "named_users", "josé");
  expect_bad ("case", "named_users", "ana;(all)");
  {
    g_autoptr(GString) many = g_string_new (NULL);
    g_autoptr(GString) stored = g_string_new (NULL);
    g_autofree char *longest = g_strnfill (64, 'a');
    g_autofree char *too_long = g_strnfill (65, 'a');

    expect ("case", "named_users", longest, longest);
    expect_bad ("case", "named_users", too_long);
    for (guint i = CL_FIELD_USER_SET_MAX; i > 0; i--)
      g_string_append_printf (many, "user%02u,", i - 1);
    for (guint i = 0; i < CL_FIELD_USER_SET_MAX; i++)
      g_string_append_printf (stored, "%suser%02u", i > 0 ? ";" : "", i);
    expect ("case", "named_users", many->str, stored->str);
    g_string_append (many, "one-too-many");
    expect_bad ("case", "named_users", many->str);
  }
  g_assert_true (cl_is_username ("ana"));
  g_assert_false (cl_is_username ("Ana"));
  g_assert_false (cl_is_username (""));
  g_assert_false (cl_is_username (NULL));
}

static void
test_uuid (void)
{
  g_autofree char *a = cl_uuid_new ();
  g_autofree char *b = cl_uuid_new ();

  g_assert_true (cl_is_uuid (a));
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpint (a[14], ==, '4');
  g_assert_true (strchr ("89ab", a[19]) != NULL);
}

static void
test_commands (void)
{
  const ClCommandSeed *commands;
  guint n, precincts = 0, psas = 0;

  commands = cl_refdata_commands (&n);
  for (guint i = 0; i < n; i++)
    {
      precincts += strcmp (commands[i].type, "precinct") == 0;
      psas += strcmp (commands[i].type, "psa") == 0;
      g_assert_nonnull (cl_enum_lookup (cl_schema_lookup_enum ("borough"), commands[i].borough));
    }
  g_assert_cmpuint (precincts, ==, 78);
  g_assert_cmpuint (psas, ==, 9);
}

/* Bidi controls cannot make a name or a number read as another. */
static void
test_bidi_controls (void)
{
  /* Shown as "caroline" by a bidi-aware display. */
  expect ("client", "legal_name", "\u202Eenilorac", "enilorac");
  expect ("client", "legal_name",
          "A\u202AB\u202BC\u202CD\u202DE\u202EF\u2066G\u2067H\u2068I\u2069J\u200EK\u200FL\u061CM",
          "ABCDEFGHIJKLM");
  expect ("client", "preferred_name", " \u2067\u0639\u0644\u064A\u2069 ", "\u0639\u0644\u064A");
  expect ("client", "pseudonym", "\u202Dx\u202C", "x");
  expect ("client", "phone", "\u2066718\u2069 555 \u202E0100", "718 555 0100");
  expect ("case", "case_number", "2026\u202E-0001", "2026-0001");
  expect ("referral", "complaint_number", "\u200F2026-014-00042", "2026-014-00042");
  expect ("client", "legal_name", "\u202E\u202C", NULL);
  /* Free text keeps them: right-to-left prose may need a mark. */
  expect ("note", "text", "\u0645\u0644\u0627\u062D\u0638\u0629 \u200F(2)",
          "\u0645\u0644\u0627\u062D\u0638\u0629 \u200F(2)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/schema/registry-consistent", test_registry_consistent);
  g_test_add_func ("/core/schema/issue-field-names", test_issue_field_names);
  g_test_add_func ("/core/schema/normalize", test_normalize);
  g_test_add_func ("/core/schema/bidi-controls", test_bidi_controls);
  g_test_add_func ("/core/schema/uuid", test_uuid);
  g_test_add_func ("/core/schema/commands", test_commands);

  return g_test_run ();
}
