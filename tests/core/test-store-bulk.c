/* test-store-bulk.c: writes of many records: derived columns and search documents computed
 * once per case, when the transaction commits; the bulk transaction's page cache; ids that
 * count up for demo data and imports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-demo.h"
#include "cl-import.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-test-util.h"

#define CLIENT  "11111111-1111-4111-8111-111111111111"
#define CLIENT2 "22222222-2222-4222-8222-222222222222"
#define CASE1   "33333333-3333-4333-8333-333333333333"
#define CASE2   "44444444-4444-4444-8444-444444444444"
#define CASE3   "55555555-5555-4555-8555-555555555555"
#define CONTACT1 "66666666-6666-4666-8666-666666666666"
#define CONTACT2 "77777777-7777-4777-8777-777777777777"
#define REFERRAL "88888888-8888-4888-8888-888888888888"
#define TASK1   "99999999-9999-4999-8999-999999999999"
#define TASK2   "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define TASK3   "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
#define CLAIM   "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define DOCKET  "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

/* A record with the given fields (and id). */
#define CREATE(...) g_free (cl_test_create (__VA_ARGS__))

static void
update (ClStore    *store,
        const char *type,
        const char *id,
        const char *field,
        const char *value)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  cl_changes_set (values, field, value);
  cl_store_update (store, type, id, values, &error);
  g_assert_no_error (error);
}

static void
delete (ClStore    *store,
        const char *type,
        const char *id)
{
  g_autoptr(GError) error = NULL;

  cl_store_delete (store, type, id, &error);
  g_assert_no_error (error);
}

/* Writes that change derived columns and search documents in every way a case can be
 * reached: its own fields, its client's, its contacts, notes and services (created), its
 * tasks, referrals, legal matters and claims (created, changed and deleted), on three
 * cases of one client, one of them deleted. */
static void
write_caseload (ClStore *store)
{
  CREATE (store, "client", "id", CLIENT, "legal_name", "Rosa Delgado", "phone", "347-555-0101",
          NULL);
  CREATE (store, "client", "id", CLIENT2, "legal_name", "Mei Chen", NULL);
  CREATE (store, "case", "id", CASE1, "client_id", CLIENT, "command", "14", "track", "dv",
          "referral_received_at", "2026-10-01T09:00:00Z", NULL);
  CREATE (store, "case", "id", CASE2, "client_id", CLIENT, "command", "14", "track", "cv",
          "referral_received_at", "2026-10-02T09:00:00Z", NULL);
  CREATE (store, "case", "id", CASE3, "client_id", CLIENT, "command", "14", "track", "dv",
          "referral_received_at", "2026-10-03T09:00:00Z", NULL);
  CREATE (store, "referral", "id", REFERRAL, "case_id", CASE1,
          "received_at", "2026-10-01T09:00:00Z", "source", "officer",
          "complaint_number", "2026-014-000123", NULL);
  CREATE (store, "contact", "id", CONTACT1, "case_id", CASE1, "at", "2026-10-02T10:00:00Z",
          "channel", "phone", "outcome", "no_answer", NULL);
  CREATE (store, "contact", "id", CONTACT2, "case_id", CASE1, "at", "2026-10-04T10:00:00Z",
          "channel", "phone", "outcome", "reached", NULL);
  CREATE (store, "service", "case_id", CASE1, "date", "2026-10-06", "code", "C1", NULL);
  CREATE (store, "note", "case_id", CASE2, "at", "2026-10-07T12:00:00Z", "text", "Called back",
          NULL);
  CREATE (store, "task", "id", TASK1, "case_id", CASE1, "due", "2026-11-20", "title", "Court",
          NULL);
  CREATE (store, "task", "id", TASK2, "case_id", CASE1, "due", "2026-11-25", "title", "Call",
          NULL);
  CREATE (store, "task", "id", TASK3, "case_id", CASE1, "due", "2026-11-30", "title", "Letter",
          NULL);
  CREATE (store, "compensation", "id", CLAIM, "case_id", CASE2, "crime_date", "2026-09-30",
          "claim_number", "OVS-77881", NULL);
  CREATE (store, "legal_matter", "id", DOCKET, "case_id", CASE1, "type", "family_order",
          "docket", "O-4471/26", NULL);

  /* Then changed, so that the order of the refreshes matters if they run early. */
  update (store, "client", CLIENT, "legal_name", "Rosa Delgado-Ortiz");
  update (store, "task", TASK1, "done", "1");
  delete (store, "task", TASK2);
  update (store, "task", TASK3, "due", "2026-11-28");
  update (store, "compensation", CLAIM, "crime_date", "2026-09-15");
  update (store, "legal_matter", DOCKET, "docket", "O-4471/26-A");
  delete (store, "referral", REFERRAL);
  update (store, "client", CLIENT, "phone", "347-555-0199");
  delete (store, "case", CASE2);
}

/* The derived columns and the search documents, one line per case or claim. */
static char *
dependents (ClStore *store)
{
  GString *out = g_string_new (NULL);
  const char *queries[] = {
    "SELECT id || ' ' || coalesce(first_attempt_at, '-') || ' ' || "
    "coalesce(first_contact_at, '-') || ' ' || coalesce(last_activity_at, '-') || ' ' || "
    "coalesce(next_due_on, '-') FROM cases ORDER BY id",
    "SELECT id || ' ' || coalesce(filing_deadline, '-') FROM compensation ORDER BY id",
    "SELECT c.id || ' ' || s.body FROM case_search s JOIN cases c ON c.rowid = s.docid "
    "ORDER BY c.id",
    "SELECT 'documents ' || count(*) FROM case_search",
  };
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_store_lock (store, CL_STORE_READ, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (cl_vault_get_db (cl_store_get_vault (store)),
                                      queries[i], &error);

      g_assert_no_error (error);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (out, "%s\n", sqlite3_column_text (stmt, 0));
    }
  cl_store_unlock (store, CL_STORE_UNLOCK_NONE, NULL);
  return g_string_free (out, FALSE);
}

static ClTestVault *
second_vault (void)
{
  ClTestVault *f = g_new0 (ClTestVault, 1);

  cl_test_vault_setup (f, NULL);
  return f;
}

static void
free_vault (ClTestVault *f)
{
  cl_test_vault_teardown (f, NULL);
  g_free (f);
}

static void
test_one_transaction_as_record_by_record (ClTestVault   *f,
                           gconstpointer  data)
{
  ClTestVault *g = second_vault ();
  g_autoptr(GError) error = NULL;
  g_autofree char *by_record = NULL;
  g_autofree char *together = NULL;

  /* Each write its own transaction: each refreshes its case when it commits. */
  write_caseload (f->store);
  by_record = dependents (f->store);

  /* The same writes in one transaction: every case refreshed once, at the commit. */
  g_assert_true (cl_store_begin (g->store, &error));
  write_caseload (g->store);
  g_assert_true (cl_store_commit (g->store, &error));
  g_assert_no_error (error);
  together = dependents (g->store);

  /* What the refreshes compute, so that an empty comparison cannot pass. */
  g_assert_nonnull (strstr (by_record, CASE1 " 2026-10-02T10:00:00Z 2026-10-04T10:00:00Z "
             "2026-10-06 2026-11-28\n"));
  g_assert_nonnull (strstr (by_record, CASE2 " - - 2026-10-07T12:00:00Z -\n"));
  g_assert_nonnull (strstr (by_record, CLAIM " 2027-09-15\n"));
  g_assert_nonnull (strstr (by_record, "Rosa Delgado-Ortiz"));
  g_assert_nonnull (strstr (by_record, "3475550199"));
  g_assert_nonnull (strstr (by_record, "O-4471/26-A"));
  g_assert_null (strstr (by_record, "2026-014-000123"));
  g_assert_nonnull (strstr (by_record, "documents 2\n"));
  g_assert_cmpstr (together, ==, by_record);

  free_vault (g);
}

static guint
count_results (ClStore    *store,
               const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) results = cl_store_search (store, text, 10, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (results);
}

static void
test_read_inside_transaction (ClTestVault   *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) record = NULL;

  g_assert_true (cl_store_begin (f->store, &error));
  CREATE (f->store, "client", "id", CLIENT, "legal_name", "Rosa Delgado", NULL);
  CREATE (f->store, "case", "id", CASE1, "client_id", CLIENT, "command", "14", "track", "dv",
          "referral_received_at", "2026-10-01T09:00:00Z", NULL);
  CREATE (f->store, "contact", "case_id", CASE1, "at", "2026-10-04T10:00:00Z",
          "channel", "phone", "outcome", "reached", NULL);

  /* A search and a read of the case's derived columns, before the commit, see them. */
  g_assert_cmpuint (count_results (f->store, "delgado"), ==, 1);
  record = cl_store_get (f->store, "case", CASE1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (record, "first_contact_at"), ==, "2026-10-04T10:00:00Z");

  /* And a later change in the same transaction too. */
  update (f->store, "client", CLIENT, "legal_name", "Rosa Ortiz");
  g_assert_cmpuint (count_results (f->store, "delgado"), ==, 0);
  g_assert_cmpuint (count_results (f->store, "ortiz"), ==, 1);

  g_assert_true (cl_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_results (f->store, "ortiz"), ==, 1);
}

static void
changed_cb (ClStore    *store,
            const char *type,
            const char *id,
            GPtrArray  *seen)
{
  g_ptr_array_add (seen, g_strconcat (type, " ", id, NULL));
}

static gboolean
seen_has (GPtrArray  *seen,
          const char *what)
{
  for (guint i = 0; i < seen->len; i++)
    if (strcmp (g_ptr_array_index (seen, i), what) == 0)
      return TRUE;
  return FALSE;
}

static void
test_rollback_leaves_nothing (ClTestVault   *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  CREATE (f->store, "client", "id", CLIENT, "legal_name", "Rosa Delgado", NULL);
  CREATE (f->store, "case", "id", CASE1, "client_id", CLIENT, "command", "14", "track", "dv",
          "referral_received_at", "2026-10-01T09:00:00Z", NULL);
  before = dependents (f->store);
  g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), seen);

  /* Refreshes of an existing case and of a new one become due, then are rolled back. */
  g_assert_true (cl_store_begin (f->store, &error));
  CREATE (f->store, "case", "id", CASE2, "client_id", CLIENT, "command", "14", "track", "cv",
          NULL);
  CREATE (f->store, "contact", "case_id", CASE1, "at", "2026-10-04T10:00:00Z",
          "channel", "phone", "outcome", "reached", NULL);
  update (f->store, "client", CLIENT, "legal_name", "Rosa Ortiz");
  cl_store_rollback (f->store);

  /* The next transaction, on another client, carries none of them. */
  CREATE (f->store, "client", "id", CLIENT2, "legal_name", "Mei Chen", NULL);
  g_assert_true (seen_has (seen, "client " CLIENT2));
  g_assert_false (seen_has (seen, "case " CASE1));
  g_assert_false (seen_has (seen, "case " CASE2));
  g_assert_cmpuint (seen->len, ==, 1);

  after = dependents (f->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_results (f->store, "ortiz"), ==, 0);
}

static char *
cache_size (ClTestVault *f)
{
  g_autoptr(GError) error = NULL;
  char *value;

  g_assert_true (cl_store_lock (f->store, CL_STORE_READ, &error));
  value = cl_sql_query_text (cl_vault_get_db (f->vault), &error, "PRAGMA cache_size", CL_SQL_END);
  g_assert_no_error (error);
  cl_store_unlock (f->store, CL_STORE_UNLOCK_NONE, NULL);
  return value;
}

static void
test_bulk_cache (ClTestVault   *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = cache_size (f);
  g_autofree char *during = NULL;
  g_autofree char *nested = NULL;
  g_autofree char *after_commit = NULL;
  g_autofree char *after_rollback = NULL;

  g_assert_cmpstr (normal, !=, "-262144");

  g_assert_true (cl_store_begin_bulk (f->store, &error));
  g_assert_no_error (error);
  during = cache_size (f);
  g_assert_cmpstr (during, ==, "-262144");
  /* Nested: the outer transaction's cache, kept until the outer one ends. */
  g_assert_true (cl_store_begin_bulk (f->store, &error));
  CREATE (f->store, "client", "legal_name", "Rosa Delgado", NULL);
  g_assert_true (cl_store_commit (f->store, &error));
  nested = cache_size (f);
  g_assert_cmpstr (nested, ==, "-262144");
  g_assert_true (cl_store_commit (f->store, &error));
  g_assert_no_error (error);
  after_commit = cache_size (f);
  g_assert_cmpstr (after_commit, ==, normal);

  g_assert_true (cl_store_begin_bulk (f->store, &error));
  CREATE (f->store, "client", "legal_name", "Mei Chen", NULL);
  cl_store_rollback (f->store);
  after_rollback = cache_size (f);
  g_assert_cmpstr (after_rollback, ==, normal);
  g_assert_cmpint (cl_store_count (f->store, "client", NULL, NULL), ==, 1);
}

/* The ids @sql selects, in the order they were written. */
static GPtrArray *
ids_in_order (ClTestVault *f,
              const char  *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (cl_store_lock (f->store, CL_STORE_READ, &error));
  stmt = cl_sql_prepare (cl_vault_get_db (f->vault), sql, &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  cl_store_unlock (f->store, CL_STORE_UNLOCK_NONE, NULL);
  return ids;
}

/* Each id a UUID, each after the one before (in the index's order), and their first 32
 * bits (the case numbers) all different. */
static void
assert_ascending (GPtrArray *ids,
                  guint      min)
{
  g_autoptr(GHashTable) prefixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (ids->len, >=, min);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      g_assert_true (cl_is_uuid (id));
      g_assert_cmpint (id[14], ==, '4');
      g_assert_true (g_hash_table_add (prefixes, g_strndup (id, 8)));
      /* A wrap of the 32-bit counter may restart once from 00000000. */
      if (i > 0 && strncmp (id, "00000000", 8) != 0)
        g_assert_cmpstr (g_ptr_array_index (ids, i - 1), <, id);
    }
}

static void
test_demo_ids_ascend (ClTestVault   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) mutations = NULL;

  g_assert_true (cl_demo_generate (f->store, 30, 7, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  cases = ids_in_order (f, "SELECT id FROM cases ORDER BY rowid");
  contacts = ids_in_order (f, "SELECT id FROM contact ORDER BY rowid");
  assert_ascending (cases, 30);
  assert_ascending (contacts, 30);
  /* The outbox's mutations too. */
  mutations = ids_in_order (f, "SELECT mutation_id FROM outbox ORDER BY seq");
  assert_ascending (mutations, 300);
}

static void
test_import_ids_ascend (ClTestVault   *f,
                        gconstpointer  data)
{
  GString *csv = g_string_new ("legal_name,id\n");
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(ClImportResult) result = cl_import_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(ClRecord) kept = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (csv, "Client %u,\n", i);
  /* A line with its own id keeps it. */
  g_string_append (csv, "Rosa Delgado," CLIENT "\n");
  in = g_memory_input_stream_new_from_data (g_string_free (csv, FALSE), -1, g_free);

  g_assert_true (cl_import_csv (f->store, "client", in, result, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_imported, ==, 41);
  ids = ids_in_order (f, "SELECT id FROM client ORDER BY rowid");
  g_assert_cmpstr (g_ptr_array_index (ids, 40), ==, CLIENT);
  g_ptr_array_remove_index (ids, 40);
  assert_ascending (ids, 40);
  kept = cl_store_get (f->store, "client", CLIENT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (kept, "legal_name"), ==, "Rosa Delgado");
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

  g_test_add ("/core/store-bulk/one-transaction", ClTestVault, NULL, cl_test_vault_setup,
              test_one_transaction_as_record_by_record, cl_test_vault_teardown);
  g_test_add ("/core/store-bulk/read-inside", ClTestVault, NULL, cl_test_vault_setup,
              test_read_inside_transaction, cl_test_vault_teardown);
  g_test_add ("/core/store-bulk/rollback", ClTestVault, NULL, cl_test_vault_setup,
              test_rollback_leaves_nothing, cl_test_vault_teardown);
  g_test_add ("/core/store-bulk/bulk-cache", ClTestVault, NULL, cl_test_vault_setup,
              test_bulk_cache, cl_test_vault_teardown);
  g_test_add ("/core/store-bulk/demo-ids", ClTestVault, NULL, cl_test_vault_setup,
              test_demo_ids_ascend, cl_test_vault_teardown);
  g_test_add ("/core/store-bulk/import-ids", ClTestVault, NULL, cl_test_vault_setup,
              test_import_ids_ascend, cl_test_vault_teardown);
  return g_test_run ();
}
