/* test-safe-contact.c: the safe-contact rule (DOMAIN.md rule 3) on a real vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-safe-contact.h"
#include "cl-test-util.h"

static char *
new_client (ClStore *store)
{
  return cl_test_create (store, "client", "legal_name", "Test Client", NULL);
}

/* The client's preference for @channel, as the case page saves it. */
static char *
prefer (ClStore    *store,
        const char *client_id,
        const char *channel,
        const char *safe,
        const char *agency_ok)
{
  return cl_test_create (store, "safe_contact", "client_id", client_id, "channel", channel,
                         "safe", safe, "agency_ok", agency_ok, NULL);
}

static ClSafeContactWarning *
check (ClStore    *store,
       const char *client_id,
       const char *channel,
       const char *outcome)
{
  return cl_safe_contact_check_client (store, client_id, channel, outcome);
}

static void
assert_channels (ClSafeContactWarning *warning,
                 const char           *first,
                 const char           *second)
{
  g_assert_nonnull (warning);
  g_assert_cmpstr (warning->channels[0], ==, first);
  g_assert_cmpstr (warning->channels[1], ==, second);
  if (second != NULL)
    g_assert_null (warning->channels[2]);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” does not contain “%s”", text, needle);
}

static void
assert_lacks (const char *text,
              const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” contains “%s”", text, needle);
}

static void
test_no_preference (ClTestVault  *fixture,
                    gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "phone", NULL);

  g_assert_cmpint (warning->safety, ==, CL_SAFETY_UNKNOWN);
  assert_channels (warning, "phone", NULL);
  g_assert_cmpstr (warning->heading, ==, "“Phone call” Not Confirmed Safe");
  assert_contains (warning->body,
                   "Nobody has confirmed with the client that “Phone call” is safe.");
  assert_contains (warning->body, "It was never confirmed.");
  assert_contains (warning->body, "may put them in danger");
  assert_contains (warning->body, "Do not name the agency.");

  /* No client, or an unreadable list: unknown as well. */
  g_clear_pointer (&warning, cl_safe_contact_warning_free);
  warning = check (fixture->store, NULL, "sms", NULL);
  g_assert_cmpint (warning->safety, ==, CL_SAFETY_UNKNOWN);
  assert_channels (warning, "sms", NULL);
}

static void
test_safe (ClTestVault  *fixture,
           gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = prefer (fixture->store, client, "phone", "yes", "yes");
  g_autofree char *voicemail = prefer (fixture->store, client, "voicemail", "yes", "yes");

  g_assert_null (check (fixture->store, client, "phone", NULL));
  g_assert_null (check (fixture->store, client, "phone", "reached"));
  g_assert_null (check (fixture->store, client, "phone", "voicemail_safe"));
  g_assert_null (check (fixture->store, client, "voicemail", "voicemail_safe"));
}

/* Phone not safe, voicemail safe: leaving a voicemail still calls the phone. */
static void
test_voicemail_on_unsafe_phone (ClTestVault  *fixture,
                                gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = prefer (fixture->store, client, "phone", "no", "yes");
  g_autofree char *voicemail = prefer (fixture->store, client, "voicemail", "yes", "yes");
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "phone",
                                                   "voicemail_safe");

  g_assert_cmpint (warning->safety, ==, CL_SAFETY_NOT_SAFE);
  assert_channels (warning, "phone", NULL);
  g_assert_cmpstr (warning->heading, ==, "Client Said “Phone call” Is Not Safe");
  assert_contains (warning->body, "The client said “Phone call” is not safe.");
  assert_lacks (warning->body, "Voicemail");
  assert_contains (warning->body, "The client allowed naming the agency.");
}

/* Phone not safe, voicemail unknown: the strongest warning, and both channels in it. */
static void
test_voicemail_unknown (ClTestVault  *fixture,
                        gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = prefer (fixture->store, client, "phone", "no", "yes");
  g_autofree char *voicemail = prefer (fixture->store, client, "voicemail", "unknown", NULL);
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "phone",
                                                   "voicemail_safe");
  const char *not_safe, *unknown;

  g_assert_cmpint (warning->safety, ==, CL_SAFETY_NOT_SAFE);
  assert_channels (warning, "phone", NULL);
  g_assert_cmpstr (warning->heading, ==, "Client Said “Phone call” Is Not Safe");
  not_safe = strstr (warning->body, "The client said “Phone call” is not safe.");
  unknown = strstr (warning->body,
                    "Nobody has confirmed with the client that “Voicemail” is safe.");
  g_assert_nonnull (not_safe);
  g_assert_nonnull (unknown);
  g_assert_true (not_safe < unknown);
  assert_contains (warning->body, "Someone else may hear a voicemail.");
  /* Voicemail's agency answer is unknown: the voicemail may not name it. */
  assert_contains (warning->body, "Do not name the agency.");
}

/* Phone safe, voicemail unknown: a warning about voicemail only. */
static void
test_voicemail_on_safe_phone (ClTestVault  *fixture,
                              gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = prefer (fixture->store, client, "phone", "yes", "yes");
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "phone",
                                                   "voicemail_safe");
  g_autoptr(ClSafeContactWarning) call = check (fixture->store, client, "phone", "reached");

  g_assert_cmpint (warning->safety, ==, CL_SAFETY_UNKNOWN);
  assert_channels (warning, "voicemail", NULL);
  g_assert_cmpstr (warning->heading, ==, "“Voicemail” Not Confirmed Safe");
  assert_lacks (warning->body, "Phone call");
  g_assert_null (call);
}

static void
test_both_not_safe (ClTestVault  *fixture,
                    gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = prefer (fixture->store, client, "phone", "no", NULL);
  g_autofree char *voicemail = prefer (fixture->store, client, "voicemail", "no", NULL);
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "phone",
                                                   "voicemail_safe");
  g_autoptr(ClSafeContactWarning) both_unknown = check (fixture->store, client, "sms",
                                                        "voicemail_safe");

  g_assert_cmpint (warning->safety, ==, CL_SAFETY_NOT_SAFE);
  assert_channels (warning, "phone", "voicemail");
  g_assert_cmpstr (warning->heading, ==, "Client Said “Phone call” and “Voicemail” Are Not Safe");

  /* Text message unknown, voicemail not safe: voicemail is the strongest, named first. */
  g_assert_cmpint (both_unknown->safety, ==, CL_SAFETY_NOT_SAFE);
  assert_channels (both_unknown, "voicemail", NULL);
  g_assert_true (strstr (both_unknown->body, "“Voicemail” is not safe") <
                 strstr (both_unknown->body, "“Text message” is safe"));
}

/* The last answer of a channel counts; a deleted one does not. */
static void
test_latest_answer (ClTestVault  *fixture,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *old = prefer (fixture->store, client, "phone", "no", NULL);
  g_autofree char *now = prefer (fixture->store, client, "phone", "yes", NULL);
  g_autoptr(ClSafeContactWarning) warning = NULL;

  g_assert_null (check (fixture->store, client, "phone", NULL));

  g_assert_true (cl_store_delete (fixture->store, "safe_contact", now, &error));
  g_assert_no_error (error);
  warning = check (fixture->store, client, "phone", NULL);
  g_assert_cmpint (warning->safety, ==, CL_SAFETY_NOT_SAFE);
}

static void
test_confirmation_shown (ClTestVault  *fixture,
                         gconstpointer data)
{
  g_autofree char *client = new_client (fixture->store);
  g_autofree char *phone = cl_test_create (fixture->store, "safe_contact",
                                           "client_id", client, "channel", "email",
                                           "safe", "no", "confirmed_on", "2026-03-01",
                                           "confirmed_by", "jdoe", NULL);
  g_autoptr(ClSafeContactWarning) warning = check (fixture->store, client, "email", NULL);

  assert_contains (warning->body, "Last confirmed on ");
  assert_contains (warning->body, " by jdoe.");
  assert_lacks (warning->body, "never confirmed");
}

int
main (int    argc,
      char **argv)
{
  cl_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/safe-contact/" path, ClTestVault, NULL, cl_test_vault_setup, func, \
              cl_test_vault_teardown)

  ADD ("no-preference", test_no_preference);
  ADD ("safe", test_safe);
  ADD ("voicemail-on-unsafe-phone", test_voicemail_on_unsafe_phone);
  ADD ("voicemail-unknown", test_voicemail_unknown);
  ADD ("voicemail-on-safe-phone", test_voicemail_on_safe_phone);
  ADD ("both-not-safe", test_both_not_safe);
  ADD ("latest-answer", test_latest_answer);
  ADD ("confirmation-shown", test_confirmation_shown);

  return g_test_run ();
}
