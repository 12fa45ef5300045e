/* test-drafts.c: unsaved entries kept in the vault across a lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-drafts.h"
#include "cl-report-vault.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

#define MARKER "Quillonwick"

static ClChanges *
referral_values (void)
{
  ClChanges *values = cl_changes_new ();

  cl_changes_set (values, "client.legal_name", "Amara " MARKER);
  cl_changes_set (values, "client.phone", "718-555-01");
  cl_changes_set (values, "case.command", "75");
  cl_changes_set (values, "referral.received_at", "2026-02-30 25:00");
  cl_changes_set (values, "referral.complaint_number", NULL);
  cl_changes_set (values, "anonymous", "0");
  return values;
}

static char *
save_service_draft (ClStore    *store,
                    const char *case_id)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  char *id;

  cl_changes_set (values, "date", "2026-02-10");
  cl_changes_set (values, "code", "C1");
  cl_changes_set (values, "times", "2");
  cl_changes_set (values, "note", "Talked about the \"job\" in " MARKER " — ½ done");
  id = cl_drafts_save (store, NULL, "service", case_id, case_id, values, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static guint
n_drafts (ClStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = cl_drafts_list (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (drafts);
  return drafts->len;
}

static void
assert_same_values (ClChanges *a,
                    ClChanges *b)
{
  g_assert_cmpuint (cl_changes_get_n (a), ==, cl_changes_get_n (b));
  for (guint i = 0; i < cl_changes_get_n (a); i++)
    {
      g_assert_cmpstr (cl_changes_get_field (a, i), ==, cl_changes_get_field (b, i));
      g_assert_cmpstr (cl_changes_get_value (a, i), ==, cl_changes_get_value (b, i));
    }
}

/* Every table of the decrypted database holding @needle in any column. */
static GPtrArray *
tables_with (sqlite3    *db,
             const char *needle)
{
  g_autoptr(sqlite3_stmt) tables = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *hits = g_ptr_array_new_with_free_func (g_free);

  tables = cl_sql_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table'", NULL);
  g_assert_nonnull (tables);
  while (sqlite3_step (tables) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (tables, 0)));

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) names->pdata[i]);
      g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, NULL);
      gboolean found = FALSE;

      g_assert_nonnull (stmt);
      while (!found && sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const void *blob = sqlite3_column_blob (stmt, c);
            int len = sqlite3_column_bytes (stmt, c);

            if (blob != NULL && memmem (blob, len, needle, strlen (needle)) != NULL)
              found = TRUE;
          }
      if (found)
        g_ptr_array_add (hits, g_strdup (names->pdata[i]));
    }

  return hits;
}

/* Every report, run on the vault, as JSON. */
static GPtrArray *
run_reports (ClStore *store)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const ClReportInfo *list;
  guint n;

  list = cl_report_list (&n);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClReportParams) params = cl_report_params_new ();
      g_autoptr(ClReportFacts) facts = NULL;
      g_autoptr(ClReportResult) result = NULL;
      g_autoptr(GError) error = NULL;

      params->from = cl_day_parse ("2025-10-01");
      params->to = cl_day_parse ("2026-09-30");
      params->today = cl_day_parse ("2026-05-15");
      facts = cl_report_vault_load_facts (store, list[i].name, params, &error);
      g_assert_no_error (error);
      result = cl_report_run (list[i].name, facts, params, &error);
      g_assert_no_error (error);
      /* The same figures, whatever second each run finished in. */
      g_free (result->generated_at);
      result->generated_at = g_strdup ("2026-05-15T12:00:00Z");
      g_ptr_array_add (out, cl_report_result_to_json (result, NULL));
    }

  return out;
}

/* Tests ------------------------------------------------------------------------------- */

static void
test_round_trip (ClTestVault   *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = referral_values ();
  g_autoptr(ClChanges) changed = referral_values ();
  g_autoptr(ClDraft) draft = NULL;
  g_autoptr(ClDraft) again = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *id = NULL;
  g_autofree char *same = NULL;
  g_autofree char *other = NULL;

  g_assert_cmpuint (n_drafts (fixture->store), ==, 0);

  /* Kept as typed: half-typed, invalid and empty values too. */
  id = cl_drafts_save (fixture->store, NULL, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL, values,
                       &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  draft = cl_drafts_load (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft->id, ==, id);
  g_assert_cmpstr (draft->kind, ==, CL_DRAFT_KIND_NEW_REFERRAL);
  g_assert_null (draft->parent_id);
  g_assert_null (draft->case_id);
  assert_same_values (draft->values, values);
  g_assert_nonnull (draft->created_at);
  g_assert_cmpstr (draft->updated_at, ==, draft->created_at);

  /* Saved again (locked again with the restored dialog open): the same draft. */
  cl_changes_set (changed, "client.legal_name", "Amara " MARKER " Osei");
  same = cl_drafts_save (fixture->store, id, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL, changed,
                         &error);
  g_assert_no_error (error);
  g_assert_cmpstr (same, ==, id);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 1);
  again = cl_drafts_load (fixture->store, id, &error);
  g_assert_no_error (error);
  assert_same_values (again->values, changed);
  g_assert_cmpstr (again->created_at, ==, draft->created_at);
  g_assert_cmpstr (again->updated_at, >=, draft->updated_at);

  /* A record's draft knows its parent; the list is oldest first. */
  {
    g_autofree char *case_id = cl_test_new_case (fixture->store, "Parent Case");

    other = save_service_draft (fixture->store, case_id);
    drafts = cl_drafts_list (fixture->store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (drafts->len, ==, 2);
    g_assert_cmpstr (((ClDraft *) drafts->pdata[0])->id, ==, id);
    g_assert_cmpstr (((ClDraft *) drafts->pdata[1])->id, ==, other);
    g_assert_cmpstr (((ClDraft *) drafts->pdata[1])->kind, ==, "service");
    g_assert_cmpstr (((ClDraft *) drafts->pdata[1])->parent_id, ==, case_id);
    g_assert_cmpstr (((ClDraft *) drafts->pdata[1])->case_id, ==, case_id);
  }

  /* Deleted: gone; deleting twice is fine. */
  g_assert_true (cl_drafts_delete (fixture->store, id, &error));
  g_assert_no_error (error);
  g_assert_true (cl_drafts_delete (fixture->store, id, &error));
  g_assert_no_error (error);
  g_assert_null (cl_drafts_load (fixture->store, id, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 1);
}

static void
test_unknown_kind (ClTestVault   *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = referral_values ();

  g_assert_null (cl_drafts_save (fixture->store, NULL, "no_such_type", NULL, NULL, values,
                                 &error));
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 0);
}

/* The point of a draft: it survives the lock, inside the encrypted vault only. */
static void
test_survives_lock (ClTestVault   *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClChanges) values = referral_values ();
  g_autoptr(ClDraft) draft = NULL;
  g_autofree char *id = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->dir);

  id = cl_drafts_save (fixture->store, NULL, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL, values,
                       &error);
  g_assert_no_error (error);

  g_clear_object (&fixture->store);
  cl_vault_lock (fixture->vault);
  g_clear_object (&fixture->vault);

  /* Not a byte of it on disk, anywhere near the vault. */
  g_assert_cmpuint (cl_test_count_in_files (parent, MARKER), ==, 0);

  fixture->vault = cl_vault_unlock (fixture->dir, pass, &error);
  g_assert_no_error (error);
  fixture->store = cl_store_new (fixture->vault, "advocate1");
  draft = cl_drafts_load (fixture->store, id, &error);
  g_assert_no_error (error);
  assert_same_values (draft->values, values);
}

static void
test_locked (ClTestVault   *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = referral_values ();

  cl_vault_lock (fixture->vault);

  g_assert_null (cl_drafts_save (fixture->store, NULL, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL,
                                 values, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_null (cl_drafts_list (fixture->store, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_false (cl_drafts_delete (fixture->store, "x", &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
}

/* Local to the device: no outbox mutation, no history, no search document, no report,
 * and the typed text in no table but the drafts'. */
static void
test_local_only (ClTestVault   *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) values = referral_values ();
  g_autofree char *case_id = cl_test_new_case (fixture->store, "Dana Whitfield");
  g_autofree char *service = NULL;
  g_autofree char *referral = NULL;
  g_autofree char *draft = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) tables = NULL;
  g_autoptr(GListModel) found = NULL;
  gint64 outbox, cases, services, history_before;

  service = cl_test_create (fixture->store, "service", "case_id", case_id, "date", "2026-02-01",
                            "code", "C1", NULL);
  before = run_reports (fixture->store);
  outbox = cl_store_outbox_length (fixture->store, NULL);
  cases = cl_store_count (fixture->store, "case", NULL, NULL);
  services = cl_store_count (fixture->store, "service", NULL, NULL);
  g_assert_true (cl_sql_query_int (cl_vault_get_db (fixture->vault),
                                   "SELECT count(*) FROM history", &history_before, NULL));

  referral = cl_drafts_save (fixture->store, NULL, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL,
                             values, &error);
  g_assert_no_error (error);
  draft = save_service_draft (fixture->store, case_id);

  g_assert_cmpint (cl_store_outbox_length (fixture->store, NULL), ==, outbox);
  g_assert_cmpint (cl_store_count (fixture->store, "case", NULL, NULL), ==, cases);
  g_assert_cmpint (cl_store_count (fixture->store, "service", NULL, NULL), ==, services);
  {
    gint64 history_after;

    g_assert_true (cl_sql_query_int (cl_vault_get_db (fixture->vault),
                                     "SELECT count(*) FROM history", &history_after, NULL));
    g_assert_cmpint (history_after, ==, history_before);
  }

  found = cl_store_search (fixture->store, MARKER, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 0);

  after = run_reports (fixture->store);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    g_assert_cmpstr (after->pdata[i], ==, before->pdata[i]);

  tables = tables_with (cl_vault_get_db (fixture->vault), MARKER);
  g_assert_cmpuint (tables->len, ==, 1);
  g_assert_cmpstr (tables->pdata[0], ==, "draft");
}

/* Saving the record and deleting its draft commit together, or not at all. */
static void
test_in_store_transaction (ClTestVault   *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = cl_test_new_case (fixture->store, "Lena Ferreira");
  g_autofree char *draft = save_service_draft (fixture->store, case_id);
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gint64 services = cl_store_count (fixture->store, "service", NULL, NULL);

  cl_changes_set (values, "case_id", case_id);
  cl_changes_set (values, "date", "2026-02-10");
  cl_changes_set (values, "code", "C1");

  g_assert_true (cl_store_begin (fixture->store, &error));
  first = cl_store_create (fixture->store, "service", values, &error);
  g_assert_no_error (error);
  g_assert_true (cl_drafts_delete (fixture->store, draft, &error));
  g_assert_no_error (error);
  cl_store_rollback (fixture->store);
  g_assert_cmpint (cl_store_count (fixture->store, "service", NULL, NULL), ==, services);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 1);

  g_assert_true (cl_store_begin (fixture->store, &error));
  second = cl_store_create (fixture->store, "service", values, &error);
  g_assert_no_error (error);
  g_assert_true (cl_drafts_delete (fixture->store, draft, &error));
  g_assert_true (cl_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_count (fixture->store, "service", NULL, NULL), ==, services + 1);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 0);
}

/* A draft whose case was deleted (by sync, or by someone else) is still there. */
static void
test_parent_deleted (ClTestVault   *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *case_id = cl_test_new_case (fixture->store, "Ines Moreau");
  g_autofree char *id = save_service_draft (fixture->store, case_id);
  g_autoptr(ClDraft) draft = NULL;

  g_assert_true (cl_store_delete (fixture->store, "case", case_id, &error));
  g_assert_no_error (error);

  draft = cl_drafts_load (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft->parent_id, ==, case_id);
  g_assert_cmpuint (n_drafts (fixture->store), ==, 1);
}

/* Crypto-erase (a revoked device, a discarded demo) takes the drafts with the vault. */
static void
test_erased (ClTestVault   *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClChanges) values = referral_values ();
  g_autoptr(ClVault) again = NULL;
  g_autofree char *id = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->dir);

  id = cl_drafts_save (fixture->store, NULL, CL_DRAFT_KIND_NEW_REFERRAL, NULL, NULL, values,
                       &error);
  g_assert_no_error (error);
  g_clear_object (&fixture->store);
  cl_vault_lock (fixture->vault);
  g_clear_object (&fixture->vault);

  g_assert_true (cl_vault_erase (fixture->dir, &error));
  g_assert_no_error (error);
  g_assert_false (cl_vault_exists (fixture->dir));
  g_assert_cmpuint (cl_test_count_in_files (parent, MARKER), ==, 0);

  again = cl_vault_unlock (fixture->dir, pass, &error);
  g_assert_null (again);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, ClTestVault, NULL, cl_test_vault_setup, func, cl_test_vault_teardown)

  ADD ("/core/drafts/round-trip", test_round_trip);
  ADD ("/core/drafts/unknown-kind", test_unknown_kind);
  ADD ("/core/drafts/survives-lock", test_survives_lock);
  ADD ("/core/drafts/locked", test_locked);
  ADD ("/core/drafts/local-only", test_local_only);
  ADD ("/core/drafts/in-store-transaction", test_in_store_transaction);
  ADD ("/core/drafts/parent-deleted", test_parent_deleted);
  ADD ("/core/drafts/erased", test_erased);

#undef ADD

  return g_test_run ();
}
