/* test-intake.c: a new referral finds the client it is for, and is created whole or not at all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-intake.h"
#include "cl-test-util.h"

static char *
new_client_case (ClStore    *store,
                 const char *field,
                 const char *value,
                 ...)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *client = NULL;
  va_list args;

  va_start (args, value);
  for (; field != NULL; field = va_arg (args, const char *), value = field ? va_arg (args, const char *) : NULL)
    cl_changes_set (values, field, value);
  va_end (args);

  client = cl_store_create (store, "client", values, &error);
  g_assert_no_error (error);
  g_free (cl_test_create (store, "case", "client_id", client, "command", "14", "track", "dv",
                          "referral_received_at", "2026-11-01T10:00:00Z", NULL));
  return g_steal_pointer (&client);
}

static GPtrArray *
find (ClStore    *store,
      const char *name,
      const char *phone,
      const char *birth)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *matches = cl_intake_find_clients (store, name, phone, birth, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (matches);
  return matches;
}

static const ClIntakeMatch *
match_at (GPtrArray *matches,
          guint      i)
{
  return g_ptr_array_index (matches, i);
}

static gint64
count (ClStore    *store,
       const char *type)
{
  return cl_store_count (store, type, NULL, NULL);
}

static void
test_find_by_name (ClTestVault   *f,
                   gconstpointer  data)
{
  g_autofree char *kayla = new_client_case (f->store, "legal_name", "Kayla Brówn", NULL);
  g_autofree char *other = new_client_case (f->store, "legal_name", "Maria Lopez", NULL);
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) prefix = NULL;
  g_autoptr(GPtrArray) short_name = NULL;
  g_autoptr(GPtrArray) nobody = NULL;

  /* Diacritics folded and case ignored, as the case search does. */
  matches = find (f->store, "kayla brown", NULL, NULL);
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmpstr (match_at (matches, 0)->client_id, ==, kayla);
  g_assert_cmpstr (match_at (matches, 0)->display_name, ==, "Kayla Brówn");
  g_assert_cmpuint (match_at (matches, 0)->n_cases, ==, 1);
  g_assert_false (match_at (matches, 0)->same_phone);

  /* As it is typed: each word a prefix. */
  prefix = find (f->store, "Kay Bro", NULL, NULL);
  g_assert_cmpuint (prefix->len, ==, 1);

  /* One letter finds nothing yet. */
  short_name = find (f->store, "K", NULL, NULL);
  g_assert_cmpuint (short_name->len, ==, 0);

  nobody = find (f->store, "Kayla Smith", NULL, NULL);
  g_assert_cmpuint (nobody->len, ==, 0);
}

static void
test_find_by_phone (ClTestVault   *f,
                    gconstpointer  data)
{
  g_autofree char *client = new_client_case (f->store, "legal_name", "Ana Ruiz",
                                             "phone", "347-555-5706", NULL);
  const char *typed[] = { "3475555706", "(347) 555-5706", "347 555 5706" };

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autoptr(GPtrArray) matches = find (f->store, NULL, typed[i], NULL);

      g_assert_cmpuint (matches->len, ==, 1);
      g_assert_cmpstr (match_at (matches, 0)->client_id, ==, client);
      g_assert_true (match_at (matches, 0)->same_phone);
    }

  /* A few digits are not a phone number yet. */
  {
    g_autoptr(GPtrArray) few = find (f->store, NULL, "347", NULL);
    g_assert_cmpuint (few->len, ==, 0);
  }
}

static void
test_rank_and_group (ClTestVault   *f,
                     gconstpointer  data)
{
  g_autofree char *first = new_client_case (f->store, "legal_name", "Kayla Brown",
                                            "date_of_birth", "1988-06-01", NULL);
  g_autofree char *second = new_client_case (f->store, "legal_name", "Kayla Brown",
                                             "date_of_birth", "1990-02-03", NULL);
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) limited = NULL;
  g_autoptr(GError) error = NULL;

  /* The second client's second case: still one match. */
  g_free (cl_test_create (f->store, "case", "client_id", second, "command", "14",
                          "track", "dv", "referral_received_at", "2026-11-02T10:00:00Z", NULL));

  matches = find (f->store, "Kayla Brown", NULL, "1990-02-03");
  g_assert_cmpuint (matches->len, ==, 2);
  /* The one born on the day typed comes first. */
  g_assert_cmpstr (match_at (matches, 0)->client_id, ==, second);
  g_assert_true (match_at (matches, 0)->same_birth);
  g_assert_cmpstr (match_at (matches, 0)->date_of_birth, ==, "1990-02-03");
  g_assert_cmpuint (match_at (matches, 0)->n_cases, ==, 2);
  g_assert_cmpstr (match_at (matches, 1)->client_id, ==, first);
  g_assert_false (match_at (matches, 1)->same_birth);

  limited = cl_intake_find_clients (f->store, "Kayla Brown", NULL, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (limited->len, ==, 1);
}

static void
test_restricted (ClTestVault   *f,
                 gconstpointer  data)
{
  g_autofree char *client = new_client_case (f->store, "legal_name", "Rosa Secret",
                                             "pseudonym", "Wren",
                                             "date_of_birth", "1975-03-04",
                                             "restricted", "1", NULL);
  g_autoptr(GPtrArray) matches = find (f->store, "Rosa Secret", NULL, "1975-03-04");

  /* Found (the vault must not grow a second Rosa), but shown as the case list shows her. */
  g_assert_cmpuint (matches->len, ==, 1);
  g_assert_cmpstr (match_at (matches, 0)->client_id, ==, client);
  g_assert_true (match_at (matches, 0)->restricted);
  g_assert_cmpstr (match_at (matches, 0)->display_name, ==, "Wren");
  g_assert_null (match_at (matches, 0)->date_of_birth);
  g_assert_false (match_at (matches, 0)->same_birth);
}

static ClChanges *
changes (const char *field,
         ...)
{
  ClChanges *values = cl_changes_new ();
  va_list args;

  va_start (args, field);
  for (; field != NULL; field = va_arg (args, const char *))
    cl_changes_set (values, field, va_arg (args, const char *));
  va_end (args);
  return values;
}

static void
test_create_on_existing (ClTestVault   *f,
                         gconstpointer  data)
{
  g_autofree char *client = new_client_case (f->store, "legal_name", "Kayla Brown", NULL);
  g_autoptr(ClChanges) case_values = changes ("command", "14", "track", "dv", NULL);
  g_autoptr(ClChanges) referral = changes ("source", "dir_review",
                                           "received_at", "2026-12-01T09:30:00Z", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = NULL;
  g_autoptr(ClRecord) created = NULL;
  g_autoptr(ClChanges) where = NULL;
  gint64 clients = count (f->store, "client");

  case_id = cl_intake_create_referral (f->store, client, NULL, case_values, referral, NULL,
                                       &error);
  g_assert_no_error (error);
  g_assert_nonnull (case_id);

  g_assert_cmpint (count (f->store, "client"), ==, clients);
  created = cl_store_get (f->store, "case", case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (created, "client_id"), ==, client);
  g_assert_cmpstr (cl_record_get (created, "status"), ==, "referred");
  g_assert_cmpstr (cl_record_get (created, "referral_received_at"), ==, "2026-12-01T09:30:00Z");
  where = changes ("case_id", case_id, NULL);
  g_assert_cmpint (cl_store_count (f->store, "referral", where, NULL), ==, 1);
}

static void
test_create_new_client (ClTestVault   *f,
                        gconstpointer  data)
{
  g_autoptr(ClChanges) client = changes ("legal_name", "Nadia Haddad",
                                         "date_of_birth", "2001-09-10", NULL);
  g_autoptr(ClChanges) case_values = changes ("command", "14", "track", "dv", NULL);
  g_autoptr(ClChanges) referral = changes ("source", "walk_in",
                                           "received_at", "2026-12-01T09:30:00Z", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = NULL;
  g_autoptr(ClRecord) created = NULL;
  g_autoptr(ClRecord) person = NULL;

  case_id = cl_intake_create_referral (f->store, NULL, client, case_values, referral, NULL,
                                       &error);
  g_assert_no_error (error);
  created = cl_store_get (f->store, "case", case_id, &error);
  g_assert_no_error (error);
  person = cl_store_get (f->store, "client", cl_record_get (created, "client_id"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (person, "legal_name"), ==, "Nadia Haddad");
  g_assert_cmpstr (cl_record_get (person, "date_of_birth"), ==, "2001-09-10");
}

static void
test_all_or_nothing (ClTestVault   *f,
                     gconstpointer  data)
{
  g_autoptr(ClChanges) client = changes ("legal_name", "Half Made", NULL);
  g_autoptr(ClChanges) case_values = changes ("command", "14", "track", "dv", NULL);
  g_autoptr(ClChanges) bad_referral = changes ("source", "no such source",
                                               "received_at", "2026-12-01T09:30:00Z", NULL);
  g_autoptr(ClChanges) case_again = changes ("command", "14", "track", "dv", NULL);
  g_autoptr(ClChanges) referral = changes ("source", "walk_in",
                                           "received_at", "2026-12-01T09:30:00Z", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) missing = NULL;
  char *case_id;
  gint64 clients = count (f->store, "client");
  gint64 cases = count (f->store, "case");
  gint64 outbox = cl_store_outbox_length (f->store, NULL);

  /* The referral is refused after the client and the case were written: none of it stays. */
  case_id = cl_intake_create_referral (f->store, NULL, client, case_values, bad_referral, NULL,
                                       &error);
  g_assert_null (case_id);
  g_assert_nonnull (error);
  g_assert_cmpint (count (f->store, "client"), ==, clients);
  g_assert_cmpint (count (f->store, "case"), ==, cases);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, outbox);

  /* A client that is not in the vault. */
  case_id = cl_intake_create_referral (f->store, "no-such-client", NULL, case_again, referral,
                                       NULL, &missing);
  g_assert_null (case_id);
  g_assert_nonnull (missing);
  g_assert_cmpint (count (f->store, "case"), ==, cases);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, ClTestVault, NULL, cl_test_vault_setup, func, cl_test_vault_teardown)

  ADD ("/core/intake/find-by-name", test_find_by_name);
  ADD ("/core/intake/find-by-phone", test_find_by_phone);
  ADD ("/core/intake/rank-and-group", test_rank_and_group);
  ADD ("/core/intake/restricted", test_restricted);
  ADD ("/core/intake/create-on-existing", test_create_on_existing);
  ADD ("/core/intake/create-new-client", test_create_new_client);
  ADD ("/core/intake/all-or-nothing", test_all_or_nothing);

  return g_test_run ();
}
