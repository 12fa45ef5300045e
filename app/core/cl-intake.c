/* cl-intake.c: a new referral, and the clients it may belong to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A person referred again is the same client: the referral opens a new case on the existing
 * client instead of creating a second one (which would also count them as "new" in the PMT
 * report). cl_intake_find_clients() finds the clients what was typed may be, the way the
 * case search finds them (cl_store_search(): diacritics folded, phone numbers by their
 * digits); cl_intake_create_referral() creates the case and its inbound referral, on a new
 * client or an existing one, in one transaction.
 *
 * A match never shows more of a restricted client than the case list does (DOMAIN.md rule
 * 4): its pseudonym or case number, no date of birth.
 */

#define G_LOG_DOMAIN "cl-intake"

#include "config.h"


#include "cl-case-summary.h"
#include "cl-drafts.h"
#include "cl-intake.h"

/* Shorter names match too many clients to be of use while typing. */
#define MIN_NAME_CHARS   2
#define MIN_PHONE_DIGITS 7

/* How many cases one search may look at. */
#define SEARCH_LIMIT 200

void
cl_intake_match_free (ClIntakeMatch *match)
{
  if (match == NULL)
    return;
  g_free (match->client_id);
  g_free (match->display_name);
  g_free (match->date_of_birth);
  g_free (match->case_number);
  g_free (match);
}

static guint
count_digits (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      n++;
  return n;
}

/* Adds the clients of the cases @text finds to @by_client; @phone says which question it
 * answers. */
static gboolean
add_search (ClStore     *store,
            const char  *text,
            gboolean     phone,
            GHashTable  *by_client,
            GPtrArray   *order,
            GError     **error)
{
  g_autoptr(GListModel) found = cl_store_search (store, text, SEARCH_LIMIT, error);

  if (found == NULL)
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (found); i++)
    {
      g_autoptr(ClCaseSummary) summary = g_list_model_get_item (found, i);
      const char *client_id = cl_case_summary_get_client_id (summary);
      ClIntakeMatch *match;

      if (client_id == NULL)
        continue;
      match = g_hash_table_lookup (by_client, client_id);
      if (match == NULL)
        {
          match = g_new0 (ClIntakeMatch, 1);
          match->client_id = g_strdup (client_id);
          /* The search lists open cases first, then the most recently active. */
          match->display_name = g_strdup (cl_case_summary_get_display_name (summary));
          match->case_number = g_strdup (cl_case_summary_get_case_number (summary));
          match->restricted = cl_case_summary_get_restricted (summary);
          g_hash_table_insert (by_client, match->client_id, match);
          g_ptr_array_add (order, match);
        }
      if (phone)
        match->same_phone = TRUE;
    }
  return TRUE;
}

static int
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const ClIntakeMatch *x = *(ClIntakeMatch * const *) a;
  const ClIntakeMatch *y = *(ClIntakeMatch * const *) b;
  int score_x = 2 * x->same_phone + 2 * x->same_birth;
  int score_y = 2 * y->same_phone + 2 * y->same_birth;

  if (score_x != score_y)
    return score_y - score_x;
  return g_utf8_collate (x->display_name, y->display_name);
}

/**
 * cl_intake_find_clients:
 * @name: (nullable): the name (or pseudonym) typed
 * @phone: (nullable): the phone number typed, in any grouping
 * @date_of_birth: (nullable): the date of birth typed, YYYY-MM-DD
 * @limit: at most this many clients, 0 for all
 *
 * The existing clients a new referral may be for: those whose name matches @name as the
 * case search matches it (every word, as a prefix, diacritics folded), and those with the
 * phone number @phone. A date of birth does not find clients by itself (many share one);
 * it ranks the clients found and is shown beside them. A name shorter than two characters
 * and a phone number of fewer than seven digits look for nothing yet.
 *
 * Returns: (transfer full) (element-type ClIntakeMatch): the matches, those sharing the
 *   phone number or date of birth first, or %NULL on error
 */
GPtrArray *
cl_intake_find_clients (ClStore     *store,
                        const char  *name,
                        const char  *phone,
                        const char  *date_of_birth,
                        guint        limit,
                        GError     **error)
{
  g_autoptr(GHashTable) by_client = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_intake_match_free);

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  if (name != NULL && g_utf8_strlen (name, -1) >= MIN_NAME_CHARS
      && !add_search (store, name, FALSE, by_client, matches, error))
    return NULL;
  if (count_digits (phone) >= MIN_PHONE_DIGITS
      && !add_search (store, phone, TRUE, by_client, matches, error))
    return NULL;

  for (guint i = 0; i < matches->len; i++)
    {
      ClIntakeMatch *match = g_ptr_array_index (matches, i);
      g_autoptr(ClChanges) where = cl_changes_new ();

      cl_changes_set (where, "client_id", match->client_id);
      match->n_cases = MAX (cl_store_count (store, "case", where, NULL), 1);

      if (!match->restricted)
        {
          g_autoptr(ClRecord) client = cl_store_get (store, "client", match->client_id, NULL);

          if (client != NULL)
            match->date_of_birth = g_strdup (cl_record_get (client, "date_of_birth"));
          match->same_birth = date_of_birth != NULL && *date_of_birth != '\0'
                              && g_strcmp0 (match->date_of_birth, date_of_birth) == 0;
        }
    }

  g_ptr_array_sort (matches, compare_matches);
  if (limit > 0 && matches->len > limit)
    g_ptr_array_set_size (matches, limit);

  return g_steal_pointer (&matches);
}

/**
 * cl_intake_create_referral:
 * @client_id: (nullable): the existing client the referral is for, or %NULL for a new one
 * @client: (nullable): the new client's values; ignored when @client_id is given
 * @case_values: the new case's values (command, track…)
 * @referral: the inbound referral's values (source, received_at…)
 * @draft_id: (nullable): a kept entry of the referral, deleted with the same commit
 *
 * Creates the client (unless @client_id names one), the case (status "referred", received
 * when the referral was) and its inbound referral in one transaction: all of them, or none.
 *
 * Returns: (transfer full): the new case's id, or %NULL with @error set
 */
char *
cl_intake_create_referral (ClStore     *store,
                           const char  *client_id,
                           ClChanges   *client,
                           ClChanges   *case_values,
                           ClChanges   *referral,
                           const char  *draft_id,
                           GError     **error)
{
  g_autofree char *new_client_id = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *referral_id = NULL;
  const char *received_at = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (client_id != NULL || client != NULL, NULL);
  g_return_val_if_fail (case_values != NULL && referral != NULL, NULL);

  if (!cl_store_begin (store, error))
    return NULL;

  if (client_id != NULL)
    {
      g_autoptr(ClRecord) existing = cl_store_get (store, "client", client_id, error);

      if (existing == NULL)
        goto rollback;
    }
  else
    {
      new_client_id = cl_store_create (store, "client", client, error);
      if (new_client_id == NULL)
        goto rollback;
      client_id = new_client_id;
    }

  cl_changes_lookup (referral, "received_at", &received_at);
  cl_changes_set (case_values, "client_id", client_id);
  cl_changes_set (case_values, "status", "referred");
  cl_changes_set (case_values, "referral_received_at", received_at);
  case_id = cl_store_create (store, "case", case_values, error);
  if (case_id == NULL)
    goto rollback;

  cl_changes_set (referral, "case_id", case_id);
  referral_id = cl_store_create (store, "referral", referral, error);
  if (referral_id == NULL)
    goto rollback;

  if (draft_id != NULL && !cl_drafts_delete (store, draft_id, error))
    goto rollback;

  if (!cl_store_commit (store, error))
    return NULL;

  return g_steal_pointer (&case_id);

rollback:
  cl_store_rollback (store);
  return NULL;
}
