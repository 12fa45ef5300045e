/* test-store.c: records, outbox, history, audit, derived columns, search, live lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-case-list.h"
#include "cl-migrations.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-sync.h"
#include "cl-test-util.h"

static gint64
query_int (ClTestVault *f,
           const char  *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (cl_vault_get_db (f->vault), sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

static JsonObject *
outbox_changes (ClTestVault *f,
                gint64       seq,
                char       **op,
                gint64      *base_version,
                char       **record_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  stmt = cl_sql_prepare (cl_vault_get_db (f->vault),
                         "SELECT op, base_version, changes, record_id FROM outbox WHERE seq = ?",
                         &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, seq);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (op != NULL)
    *op = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (base_version != NULL)
    *base_version = sqlite3_column_int64 (stmt, 1);
  if (record_id != NULL)
    *record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  g_assert_true (json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 2),
                                             -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_create_invalid_writes_nothing (ClTestVault   *f,
                                    gconstpointer  data)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  cl_changes_set (values, "legal_name", "Ana Lima");
  cl_changes_set (values, "preferred_language", "xx");
  id = cl_store_create (f->store, "client", values, &error);
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE);
  g_assert_null (id);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 0);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 0);

  g_clear_error (&error);
  g_clear_pointer (&values, cl_changes_unref);
  values = cl_changes_new ();
  cl_changes_set (values, "nickname", "x");
  id = cl_store_create (f->store, "client", values, &error);
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_FIELD);

  g_clear_error (&error);
  g_clear_pointer (&values, cl_changes_unref);
  values = cl_changes_new ();
  cl_changes_set (values, "client_id", "0f8fad5b-d9cb-469f-a165-70867728950e");
  cl_changes_set (values, "command", "14");
  cl_changes_set (values, "track", "dv");
  id = cl_store_create (f->store, "case", values, &error);
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);

  g_clear_error (&error);
  g_clear_pointer (&values, cl_changes_unref);
  values = cl_changes_new ();
  cl_changes_set (values, "legal_name", "B");
  id = cl_store_create (f->store, "hamster", values, &error);
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 0);
}

static void
test_outbox (ClTestVault   *f,
             gconstpointer  data)
{
  g_autofree char *client = NULL;
  g_autofree char *op = NULL;
  g_autofree char *rid = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  gint64 base = -1;

  client = cl_test_create (f->store, "client", "legal_name", "Ana Lima",
                           "preferred_language", "es", NULL);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 1);
  changes = outbox_changes (f, 1, &op, &base, &rid);
  g_assert_cmpstr (op, ==, "put");
  g_assert_cmpint (base, ==, 0);
  g_assert_cmpstr (rid, ==, client);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (changes, "legal_name"), "new"), ==, "Ana Lima");
  g_assert_true (json_object_get_null_member (json_object_get_object_member (changes, "legal_name"), "old"));
  g_clear_pointer (&changes, json_object_unref);
  g_clear_pointer (&op, g_free);

  /* An edit carries old and new values of changed fields only. */
  cl_changes_set (edit, "legal_name", "Ana Lima");
  cl_changes_set (edit, "preferred_language", "pl");
  g_assert_true (cl_store_update (f->store, "client", client, edit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);
  changes = outbox_changes (f, 2, &op, NULL, NULL);
  g_assert_cmpuint (json_object_get_size (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (changes, "preferred_language"), "old"), ==, "es");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (changes, "preferred_language"), "new"), ==, "pl");

  /* An edit that changes nothing queues nothing. */
  g_assert_true (cl_store_update (f->store, "client", client, edit, &error));
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);

  /* Delete is a tombstone with its own mutation. */
  g_assert_true (cl_store_delete (f->store, "client", client, &error));
  g_assert_no_error (error);
  g_clear_pointer (&op, g_free);
  g_clear_pointer (&changes, json_object_unref);
  changes = outbox_changes (f, 3, &op, NULL, NULL);
  g_assert_cmpstr (op, ==, "delete");
  g_assert_cmpint (query_int (f, "SELECT deleted FROM client"), ==, 1);
  g_assert_null (cl_store_get (f->store, "client", client, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND);

  /* seq has no gaps and mutation ids are unique. */
  g_assert_cmpint (query_int (f, "SELECT max(seq) - min(seq) + 1 = count(*) FROM outbox"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(DISTINCT mutation_id) FROM outbox"), ==, 3);

  /* Any text survives the mutation's JSON. */
  g_free (cl_test_create (f->store, "client", "legal_name", "Ana \"Nita\" Lima \\ Jr.",
                          "pseudonym", "one\ntwo\tthree ✓ Łódź", NULL));
  g_clear_pointer (&changes, json_object_unref);
  changes = outbox_changes (f, 4, NULL, NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (changes, "legal_name"), "new"), ==, "Ana \"Nita\" Lima \\ Jr.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (changes, "pseudonym"), "new"), ==, "one\ntwo\tthree ✓ Łódź");
}

static void
test_failed_write_in_transaction (ClTestVault   *f,
                                  gconstpointer  data)
{
  g_autoptr(ClChanges) bad = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (cl_store_begin (f->store, &error));
  a = cl_test_create (f->store, "client", "legal_name", "One", NULL);
  cl_changes_set (bad, "date_of_birth", "yesterday");
  g_assert_null (cl_store_create (f->store, "client", bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  b = cl_test_create (f->store, "client", "legal_name", "Two", NULL);
  g_assert_true (cl_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);
  g_assert_cmpint (query_int (f, "SELECT max(seq) - min(seq) + 1 = count(*) FROM outbox"), ==, 1);

  g_assert_true (cl_store_begin (f->store, &error));
  g_free (cl_test_create (f->store, "client", "legal_name", "Three", NULL));
  cl_store_rollback (f->store);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);
}

/* Operations inside a transaction have no savepoint of their own. One refused before it
 * wrote anything (here by the database, a duplicate command code) leaves the others to
 * commit; one that fails after it began writing makes the whole transaction roll back. */
static void
test_failure_part_way (ClTestVault   *f,
                       gconstpointer  data)
{
  g_autoptr(ClChanges) duplicate = cl_changes_new ();
  g_autoptr(ClChanges) four = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *three = NULL;
  g_autofree char *five = NULL;

  g_assert_true (cl_store_begin (f->store, &error));
  one = cl_test_create (f->store, "client", "legal_name", "One", NULL);
  cl_changes_set (duplicate, "code", "14");
  cl_changes_set (duplicate, "type", "precinct");
  cl_changes_set (duplicate, "name", "Another 14th");
  g_assert_null (cl_store_create (f->store, "command", duplicate, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  two = cl_test_create (f->store, "client", "legal_name", "Two", NULL);
  g_assert_true (cl_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);

  /* The history line of "Four" is refused after its row and its mutation were written. */
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault),
                              "CREATE TEMP TRIGGER refuse_four BEFORE INSERT ON history "
                              "WHEN NEW.record_id = (SELECT id FROM client "
                              "WHERE legal_name = 'Four') "
                              "BEGIN SELECT RAISE(ABORT, 'refused'); END", &error));
  g_assert_no_error (error);
  g_assert_true (cl_store_begin (f->store, &error));
  three = cl_test_create (f->store, "client", "legal_name", "Three", NULL);
  cl_changes_set (four, "legal_name", "Four");
  g_assert_null (cl_store_create (f->store, "client", four, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  five = cl_test_create (f->store, "client", "legal_name", "Five", NULL);
  g_assert_false (cl_store_commit (f->store, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM history"), ==, 2);

  /* The store's prepared statements follow the schema change. */
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), "DROP TRIGGER refuse_four", &error));
  g_free (cl_test_create (f->store, "client", "legal_name", "Six", NULL));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 3);
  g_assert_cmpint (query_int (f, "SELECT max(seq) - min(seq) + 1 = count(*) FROM outbox"), ==, 1);

  /* A transaction that SQLite ended by itself (a full disk; here a ROLLBACK behind the
   * store's back) takes no more writes: they would each commit on their own. */
  g_assert_true (cl_store_begin (f->store, &error));
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), "ROLLBACK", &error));
  g_assert_null (cl_store_create (f->store, "client", four, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (cl_store_commit (f->store, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_IO);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM client"), ==, 3);
}

static void
test_append_only (ClTestVault   *f,
                  gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Bo");
  g_autofree char *contact = NULL;
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  contact = cl_test_create (f->store, "contact", "case_id", case_id, "at", "2026-11-02T10:00:00Z",
                            "channel", "phone", "outcome", "no_answer", NULL);
  cl_changes_set (edit, "outcome", "reached");
  g_assert_false (cl_store_update (f->store, "contact", contact, edit, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_APPEND_ONLY);
  g_clear_error (&error);
  g_assert_false (cl_store_delete (f->store, "contact", contact, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_APPEND_ONLY);
}

static void
test_immutable_and_derived (ClTestVault   *f,
                            gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Cy");
  g_autofree char *other = cl_test_create (f->store, "client", "legal_name", "Dee", NULL);
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  cl_changes_set (edit, "client_id", other);
  g_assert_false (cl_store_update (f->store, "case", case_id, edit, &error));
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_clear_pointer (&edit, cl_changes_unref);
  edit = cl_changes_new ();
  cl_changes_set (edit, "first_contact_at", "2026-01-01T00:00:00Z");
  g_assert_false (cl_store_update (f->store, "case", case_id, edit, &error));
  g_assert_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_READ_ONLY);
}

static void
test_derived_columns (ClTestVault   *f,
                      gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Eve");
  g_autofree char *task = NULL;
  g_autoptr(ClChanges) due = cl_changes_new ();
  g_autoptr(ClChanges) done = cl_changes_new ();
  g_autoptr(ClChanges) received = cl_changes_new ();
  g_autoptr(ClRecord) c = NULL;
  g_autoptr(GError) error = NULL;

  g_free (cl_test_create (f->store, "contact", "case_id", case_id, "at", "2026-11-03T10:00:00Z",
                          "channel", "phone", "outcome", "no_answer", NULL));
  g_free (cl_test_create (f->store, "contact", "case_id", case_id, "at", "2026-11-05T10:00:00Z",
                          "channel", "phone", "outcome", "reached", NULL));
  task = cl_test_create (f->store, "task", "case_id", case_id, "due", "2026-12-01",
                         "title", "Call back", NULL);
  g_free (cl_test_create (f->store, "task", "case_id", case_id, "due", "2026-11-20",
                          "title", "Court", "done", "1", NULL));
  c = cl_store_get (f->store, "case", case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (c, "first_attempt_at"), ==, "2026-11-03T10:00:00Z");
  g_assert_cmpstr (cl_record_get (c, "first_contact_at"), ==, "2026-11-05T10:00:00Z");
  g_assert_cmpstr (cl_record_get (c, "last_activity_at"), ==, "2026-11-05T10:00:00Z");
  g_assert_cmpstr (cl_record_get (c, "next_due_on"), ==, "2026-12-01");
  g_assert_cmpstr (cl_record_get (c, "status"), ==, "referred");
  g_assert_cmpstr (cl_record_get (c, "assigned_to"), ==, "advocate1");
  g_assert_true (g_str_has_prefix (cl_record_get (c, "case_number"), "CL-"));
  g_clear_object (&c);

  /* Editing a field they are computed from computes them again. */
  cl_changes_set (due, "due", "2026-11-25");
  g_assert_true (cl_store_update (f->store, "task", task, due, &error));
  c = cl_store_get (f->store, "case", case_id, &error);
  g_assert_cmpstr (cl_record_get (c, "next_due_on"), ==, "2026-11-25");
  g_clear_object (&c);
  cl_changes_set (done, "done", "1");
  g_assert_true (cl_store_update (f->store, "task", task, done, &error));
  c = cl_store_get (f->store, "case", case_id, &error);
  g_assert_null (cl_record_get (c, "next_due_on"));
  g_clear_object (&c);
  cl_changes_set (received, "referral_received_at", "2026-11-07T10:00:00Z");
  g_assert_true (cl_store_update (f->store, "case", case_id, received, &error));
  g_assert_no_error (error);
  c = cl_store_get (f->store, "case", case_id, &error);
  g_assert_cmpstr (cl_record_get (c, "last_activity_at"), ==, "2026-11-07T10:00:00Z");
}

static void
test_history_and_audit (ClTestVault   *f,
                        gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Flo");
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  gboolean saw_status = FALSE;

  cl_changes_set (edit, "status", "outreach");
  g_assert_true (cl_store_update (f->store, "case", case_id, edit, &error));
  history = cl_store_history (f->store, case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, >=, 3); /* client created, case created, status */
  for (guint i = 0; i < history->len; i++)
    {
      ClHistoryEntry *e = g_ptr_array_index (history, i);
      if (g_strcmp0 (e->field, "status") == 0)
        {
          saw_status = TRUE;
          g_assert_cmpstr (e->old_value, ==, "referred");
          g_assert_cmpstr (e->new_value, ==, "outreach");
          g_assert_cmpstr (e->by, ==, "advocate1");
        }
    }
  g_assert_true (saw_status);

  g_assert_true (cl_store_audit (f->store, "view", "case", case_id, "court prep", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM audit_event WHERE action = 'view'"), ==, 1);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE record_type = 'audit'"), ==, 1);
  g_assert_false (cl_store_audit (f->store, "peek", "case", case_id, NULL, &error));
  g_assert_nonnull (error);
}

static void
test_search (ClTestVault   *f,
             gconstpointer  data)
{
  g_autofree char *a = cl_test_new_case (f->store, "José Núñez");
  g_autofree char *b = cl_test_new_case (f->store, "Wei Chen");
  g_autofree char *client = cl_test_create (f->store, "client", "pseudonym", "Bluebird",
                                            "phone", "718-555-0199", NULL);
  g_autofree char *c = cl_test_create (f->store, "case", "client_id", client, "command", "PSA 2",
                                       "track", "trafficking", NULL);
  g_autoptr(GListModel) results = NULL;
  g_autoptr(ClCaseSummary) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(ClChanges) renumber = cl_changes_new ();
  g_autoptr(ClChanges) reassign = cl_changes_new ();
  g_autofree char *referral = NULL;

  referral = cl_test_create (f->store, "referral", "case_id", b,
                             "received_at", "2026-11-01T09:00:00Z", "source", "complaint_review",
                             "complaint_number", "2026-014-001234", NULL);

  results = cl_store_search (f->store, "jose", 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  row = g_list_model_get_item (results, 0);
  g_assert_cmpstr (cl_case_summary_get_id (row), ==, a);
  g_assert_cmpstr (cl_case_summary_get_display_name (row), ==, "José Núñez");
  g_clear_object (&results);
  g_clear_object (&row);

  results = cl_store_search (f->store, "NUN", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);
  results = cl_store_search (f->store, "001234", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);
  results = cl_store_search (f->store, "blueb", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);
  results = cl_store_search (f->store, "555 0199", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);
  /* Query syntax cannot be injected. */
  results = cl_store_search (f->store, "\" OR * NEAR( -", 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);

  /* Renaming the client updates the document of every case. */
  cl_changes_set (edit, "legal_name", "Wei Zhang");
  {
    g_autoptr(ClRecord) cr = cl_store_get (f->store, "case", b, &error);
    g_assert_true (cl_store_update (f->store, "client", cl_record_get (cr, "client_id"), edit, &error));
  }
  results = cl_store_search (f->store, "chen", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = cl_store_search (f->store, "zhang", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);

  /* So does a new complaint number; an edit of a field that is not searched keeps it. */
  cl_changes_set (renumber, "complaint_number", "2026-014-009876");
  g_assert_true (cl_store_update (f->store, "referral", referral, renumber, &error));
  cl_changes_set (reassign, "assigned_to", "advocate2");
  g_assert_true (cl_store_update (f->store, "case", b, reassign, &error));
  g_assert_no_error (error);
  results = cl_store_search (f->store, "001234", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = cl_store_search (f->store, "009876 zhang", 50, &error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  (void) c;
}

/* The open tasks of a case: not done, not deleted, not another case's. */
static void
test_open_tasks (ClTestVault   *f,
                 gconstpointer  data)
{
  g_autofree char *a = cl_test_new_case (f->store, "Rosa Park");
  g_autofree char *b = cl_test_new_case (f->store, "Omar Said");
  g_autofree char *open = NULL, *gone = NULL;
  g_autoptr(ClChanges) done = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cl_store_count_open_tasks (f->store, a, &error), ==, 0);
  open = cl_test_create (f->store, "task", "case_id", a, "title", "Call back", "due", "2026-12-01", NULL);
  gone = cl_test_create (f->store, "task", "case_id", a, "title", "Court", "due", "2026-12-02", "done", "0", NULL);
  g_free (cl_test_create (f->store, "task", "case_id", a, "title", "Shelter", "due", "2026-12-03", "done", "1",
                          NULL));
  g_free (cl_test_create (f->store, "task", "case_id", b, "title", "Letter", "due", "2026-12-04", NULL));
  g_assert_cmpint (cl_store_count_open_tasks (f->store, a, &error), ==, 2);
  g_assert_no_error (error);

  g_assert_true (cl_store_delete (f->store, "task", gone, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_count_open_tasks (f->store, a, &error), ==, 1);
  cl_changes_set (done, "done", "1");
  g_assert_true (cl_store_update (f->store, "task", open, done, &error));
  g_assert_cmpint (cl_store_count_open_tasks (f->store, a, &error), ==, 0);
  g_assert_cmpint (cl_store_count_open_tasks (f->store, b, &error), ==, 1);
  g_assert_no_error (error);
}

/* A phone number is found however it is written, in the vault and in the query; short
 * digit groups keep matching on their own. */
static void
test_search_phone (ClTestVault   *f,
                   gconstpointer  data)
{
  g_autofree char *dashed = cl_test_create (f->store, "client", "legal_name", "Ana Diaz",
                                            "phone", "347-555-5706", NULL);
  g_autofree char *plain = cl_test_create (f->store, "client", "legal_name", "Lena Ross",
                                           "phone", "7185550123", NULL);
  g_autofree char *a = cl_test_create (f->store, "case", "client_id", dashed, "command", "PSA 2",
                                       "track", "dv", NULL);
  g_autofree char *b = cl_test_create (f->store, "case", "client_id", plain, "command", "PSA 2",
                                       "track", "dv", NULL);
  static const struct {
    const char *query;
    gboolean    dashed, plain;
  } cases[] = {
    { "3475555706", TRUE, FALSE },
    { "347-555-5706", TRUE, FALSE },
    { "(347) 555-5706", TRUE, FALSE },
    { "3475555", TRUE, FALSE },
    { "diaz 347 555 5706", TRUE, FALSE },
    { "718-555-0123", FALSE, TRUE },
    { "(718) 555 0123", FALSE, TRUE },
    { "7185550123", FALSE, TRUE },
    { "555", TRUE, FALSE },
    { "5706", TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GListModel) results = NULL;
      g_autoptr(GError) error = NULL;
      gboolean found_a = FALSE, found_b = FALSE;

      results = cl_store_search (f->store, cases[i].query, 50, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < g_list_model_get_n_items (results); j++)
        {
          g_autoptr(ClCaseSummary) row = g_list_model_get_item (results, j);
          found_a |= g_strcmp0 (cl_case_summary_get_id (row), a) == 0;
          found_b |= g_strcmp0 (cl_case_summary_get_id (row), b) == 0;
        }
      g_test_message ("%s", cases[i].query);
      g_assert_cmpint (found_a, ==, cases[i].dashed);
      g_assert_cmpint (found_b, ==, cases[i].plain);
    }
}

/* A query of thousands of words is refused with a message, not a raw SQLite error; the
 * longest allowed still runs. */
static void
test_search_long (ClTestVault   *f,
                  gconstpointer  data)
{
  g_autofree char *a = cl_test_new_case (f->store, "Maria Lopez");
  g_autoptr(GString) longest = g_string_new ("maria lopez");
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 2; i < CL_STORE_SEARCH_MAX_WORDS; i++)
    g_string_append (longest, " m");
  results = cl_store_search (f->store, longest->str, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_clear_object (&results);

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (huge, "word%u ", i);
  results = cl_store_search (f->store, huge->str, 50, &error);
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "at most 16 words"));
  g_assert_null (strstr (error->message, "word1"));
  g_assert_null (results);
  g_clear_error (&error);

  g_string_append (longest, " m");
  results = cl_store_search (f->store, longest->str, 50, &error);
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  g_assert_null (results);
  (void) a;
}

static void
changed_cb (GListModel *model,
            guint       position,
            guint       removed,
            guint       added,
            guint      *count)
{
  (*count)++;
}

/* The list reloads in a worker after a change: wait for it (at most 10 s). */
static void
wait_for_items (ClCaseList *list,
                guint       n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (G_LIST_MODEL (list)) != n &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
}

static void
test_case_list_live (ClTestVault   *f,
                     gconstpointer  data)
{
  g_autoptr(ClCaseList) all = cl_case_list_new (f->store, CL_CASE_VIEW_ALL);
  g_autoptr(ClCaseList) referred = cl_case_list_new (f->store, CL_CASE_VIEW_NEW_REFERRALS);
  g_autoptr(ClCaseList) closed = cl_case_list_new (f->store, CL_CASE_VIEW_CLOSED);
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(ClCaseSummary) first = NULL;
  guint signals = 0;

  g_signal_connect (all, "items-changed", G_CALLBACK (changed_cb), &signals);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 0);
  a = cl_test_new_case (f->store, "Amy Adams");
  b = cl_test_new_case (f->store, "Zoe Zimmer");
  wait_for_items (all, 2);
  wait_for_items (referred, 2);
  g_assert_cmpuint (signals, >=, 1);

  cl_case_list_set_sort (all, CL_CASE_SORT_NAME, TRUE);
  first = g_list_model_get_item (G_LIST_MODEL (all), 0);
  g_assert_cmpstr (cl_case_summary_get_display_name (first), ==, "Zoe Zimmer");
  g_clear_object (&first);
  cl_case_list_set_sort (all, CL_CASE_SORT_NAME, FALSE);
  first = g_list_model_get_item (G_LIST_MODEL (all), 0);
  g_assert_cmpstr (cl_case_summary_get_display_name (first), ==, "Amy Adams");

  cl_changes_set (edit, "status", "closed");
  cl_changes_set (edit, "closure_reason", "services_completed");
  g_assert_true (cl_store_update (f->store, "case", a, edit, &error));
  g_assert_no_error (error);
  wait_for_items (all, 1);
  wait_for_items (referred, 1);
  wait_for_items (closed, 1);
  g_assert_cmpint (cl_store_count_view (f->store, CL_CASE_VIEW_CLOSED, NULL), ==, 1);
  g_assert_cmpint (cl_store_count_view (f->store, CL_CASE_VIEW_MINE, NULL), ==, 1);

  cl_case_list_clear (all);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 0);
}

typedef struct {
  guint position, removed, added;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
}

static void
test_case_list_minimal_change (ClTestVault   *f,
                               gconstpointer  data)
{
  g_autoptr(ClCaseList) all = NULL;
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClCaseSummary) sixth = NULL;
  Change change = { 99, 99, 99 };

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("Person %02u", i);
      g_ptr_array_add (ids, cl_test_new_case (f->store, name));
    }
  all = cl_case_list_new (f->store, CL_CASE_VIEW_ALL);
  cl_case_list_set_sort (all, CL_CASE_SORT_NAME, FALSE);
  g_signal_connect (all, "items-changed", G_CALLBACK (record_change_cb), &change);

  /* Closing one case removes exactly its row, nothing else. */
  sixth = g_list_model_get_item (G_LIST_MODEL (all), 5);
  cl_changes_set (edit, "status", "closed");
  g_assert_true (cl_store_update (f->store, "case", cl_case_summary_get_id (sixth), edit, &error));
  g_assert_no_error (error);
  wait_for_items (all, 9);
  g_assert_cmpuint (change.position, ==, 5);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 0);

  /* An audit event changes no list. */
  change.position = 99;
  g_assert_true (cl_store_audit (f->store, "view", "case", g_ptr_array_index (ids, 0), NULL, &error));
  g_usleep (100000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (change.position, ==, 99);
}

/* A long view shows its first rows at once, read along the index, and a worker appends the
 * others in one insertion at the end. A view switched while the worker runs drops its
 * answer. */
static void
test_case_list_first_rows (ClTestVault   *f,
                           gconstpointer  data)
{
  const guint n = 300;
  g_autoptr(ClCaseList) all = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  Change change = { 99, 99, 99 };
  guint i = 0;

  g_assert_true (cl_store_begin (f->store, &error));
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *name = g_strdup_printf ("Person %03u", j);
      g_autofree char *at = g_strdup_printf ("2026-%02u-%02uT10:00:00Z", 1 + j % 12, 1 + j % 28);
      g_autofree char *client = cl_test_create (f->store, "client", "legal_name", name, NULL);

      g_free (cl_test_create (f->store, "case", "client_id", client, "command", "14",
                              "track", "dv", "referral_received_at", at, NULL));
    }
  g_assert_true (cl_store_commit (f->store, &error));
  g_assert_no_error (error);

  all = cl_case_list_new (f->store, CL_CASE_VIEW_ALL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), <, n);
  g_signal_connect (all, "items-changed", G_CALLBACK (record_change_cb), &change);
  wait_for_items (all, n);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.position + change.added, ==, n);

  stmt = cl_sql_prepare (cl_vault_get_db (f->vault),
                         "SELECT id FROM cases WHERE deleted = 0 AND status <> 'closed' "
                         "ORDER BY last_activity_at DESC, rowid DESC", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(ClCaseSummary) row = g_list_model_get_item (G_LIST_MODEL (all), i++);
      g_assert_cmpstr (cl_case_summary_get_id (row), ==,
                       (const char *) sqlite3_column_text (stmt, 0));
    }
  g_assert_cmpuint (i, ==, n);

  /* Switched away before its worker answered, or before it started. */
  cl_case_list_set_view (all, CL_CASE_VIEW_CLOSED);
  cl_case_list_set_view (all, CL_CASE_VIEW_ALL);
  g_main_context_iteration (NULL, FALSE);
  cl_case_list_set_view (all, CL_CASE_VIEW_CLOSED);
  cl_case_list_set_view (all, CL_CASE_VIEW_ALL);
  cl_case_list_set_view (all, CL_CASE_VIEW_CLOSED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 0);
  g_usleep (200000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 0);
  cl_case_list_set_view (all, CL_CASE_VIEW_ALL);
  wait_for_items (all, n);
}

static void
test_restricted_display (ClTestVault   *f,
                         gconstpointer  data)
{
  g_autofree char *client = cl_test_create (f->store, "client", "legal_name", "Real Name",
                                            "pseudonym", "Sparrow", "restricted", "1", NULL);
  g_autofree char *case_id = cl_test_create (f->store, "case", "client_id", client,
                                             "command", "14", "track", "trafficking", NULL);
  g_autoptr(ClCaseList) all = cl_case_list_new (f->store, CL_CASE_VIEW_ALL);
  g_autoptr(ClCaseSummary) row = g_list_model_get_item (G_LIST_MODEL (all), 0);

  g_assert_true (cl_case_summary_get_restricted (row));
  g_assert_cmpstr (cl_case_summary_get_display_name (row), ==, "Sparrow");
}

static void
test_commands_seeded (ClTestVault   *f,
                      gconstpointer  data)
{
  g_autoptr(ClChanges) where = cl_changes_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cl_store_count (f->store, "command", NULL, &error), ==, 87);
  cl_changes_set (where, "code", "116");
  rows = cl_store_list (f->store, "command", where, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (cl_record_get (g_ptr_array_index (rows, 0), "borough"), ==, "queens");
  /* Seeding queues nothing: every device seeds the same ids. */
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM category WHERE list = 'pmt_service'"), ==, 35);
}

static void
test_create_with_id (ClTestVault   *f,
                     gconstpointer  data)
{
  g_autoptr(ClChanges) values = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;

  cl_changes_set (values, "id", "0F8FAD5B-D9CB-469F-A165-70867728950E");
  cl_changes_set (values, "legal_name", "Imported Person");
  id = cl_store_create (f->store, "client", values, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "0f8fad5b-d9cb-469f-a165-70867728950e");

  again = cl_store_create (f->store, "client", values, &error);
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  g_assert_null (again);
  g_clear_error (&error);

  cl_changes_set (values, "id", "client-7");
  g_assert_null (cl_store_create (f->store, "client", values, &error));
  g_assert_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 1);
}

static void
test_schema_matches_registry (ClTestVault   *f,
                              gconstpointer  data)
{
  const ClType *types;
  guint n;

  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT " CL_RECORD_COLUMNS " FROM %s LIMIT 0",
                                              types[i].table);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GError) error = NULL;

      stmt = cl_sql_prepare (cl_vault_get_db (f->vault), sql, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < types[i].n_fields; j++)
        {
          g_autofree char *col = g_strdup_printf ("SELECT %s FROM %s LIMIT 0",
                                                  types[i].fields[j].name, types[i].table);
          g_autoptr(sqlite3_stmt) s2 = cl_sql_prepare (cl_vault_get_db (f->vault), col, &error);
          g_assert_no_error (error);
        }
    }
}

/* The cache hands out one statement per SQL text at a time, keeps it prepared with its
 * bindings cleared for the next use, stays bounded, and finalizes everything when freed. */
static void
test_statement_cache (ClTestVault   *f,
                      gconstpointer  data)
{
  sqlite3 *db = cl_vault_get_db (f->vault);
  ClSqlCache *cache = cl_sql_cache_new (db);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *outer, *inner, *again;
  guint n = 0;

  g_assert_null (sqlite3_next_stmt (db, NULL));

  outer = cl_sql_cache_prepare (cache, "SELECT ?", &error);
  g_assert_no_error (error);
  cl_sql_bind_text (outer, 1, "outer");
  g_assert_cmpint (sqlite3_step (outer), ==, SQLITE_ROW);
  /* A nested use of the same SQL gets a statement of its own. */
  inner = cl_sql_cache_prepare (cache, "SELECT ?", &error);
  g_assert_no_error (error);
  g_assert_true (inner != outer);
  cl_sql_bind_text (inner, 1, "inner");
  g_assert_cmpint (sqlite3_step (inner), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (inner, 0), ==, "inner");
  g_assert_cmpstr ((const char *) sqlite3_column_text (outer, 0), ==, "outer");
  cl_sql_cache_release (cache, inner);
  cl_sql_cache_release (cache, outer);

  again = cl_sql_cache_prepare (cache, "SELECT ?", &error);
  g_assert_no_error (error);
  g_assert_true (again == outer);
  g_assert_false (sqlite3_stmt_busy (again));
  g_assert_cmpint (sqlite3_step (again), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_type (again, 0), ==, SQLITE_NULL);
  cl_sql_cache_release (cache, again);

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %u", i);
      g_autofree char *text = cl_sql_cache_query_text (cache, &error, sql, CL_SQL_END);

      g_assert_no_error (error);
      g_assert_cmpuint (g_ascii_strtoull (text, NULL, 10), ==, i);
    }
  for (sqlite3_stmt *s = sqlite3_next_stmt (db, NULL); s != NULL; s = sqlite3_next_stmt (db, s))
    n++;
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, 1000);

  cl_sql_cache_free (cache);
  g_assert_null (sqlite3_next_stmt (db, NULL));
}

/* Locking the vault under a store that holds prepared statements must really close the
 * connection: one left open would keep its key, its decrypted pages and its WAL file. The
 * store then reports the vault locked, and the next unlock works. */
static void
test_lock_with_cached_statements (ClTestVault   *f,
                                  gconstpointer  data)
{
  g_autofree char *case_id = cl_test_new_case (f->store, "Cached Statements");
  g_autofree char *wal = g_build_filename (f->dir, "caseload.db-wal", NULL);
  g_autofree char *shm = g_build_filename (f->dir, "caseload.db-shm", NULL);
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_TEST_PASSPHRASE);
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GListModel) found = NULL;
  g_autoptr(ClRecord) record = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(GError) error = NULL;

  found = cl_store_search (f->store, "cached", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  g_assert_nonnull (sqlite3_next_stmt (cl_vault_get_db (f->vault), NULL));
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  cl_vault_lock (f->vault);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));

  cl_changes_set (edit, "assigned_to", "advocate2");
  g_assert_false (cl_store_update (f->store, "case", case_id, edit, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  g_clear_error (&error);
  g_clear_object (&f->store);

  vault = cl_vault_unlock (f->dir, pass, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, "advocate1");
  g_assert_true (cl_store_update (store, "case", case_id, edit, &error));
  g_assert_no_error (error);
  record = cl_store_get (store, "case", case_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (record, "assigned_to"), ==, "advocate2");

  cl_vault_lock (vault);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
round_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A failed round is reported as failed however it is asked: with an error pointer, and
 * without one (the round fails here: the vault is not enrolled). */
static void
test_sync_finish_failure (ClTestVault   *f,
                          gconstpointer  data)
{
  for (guint with_error = 0; with_error < 2; with_error++)
    {
      g_autoptr(ClSync) sync = cl_sync_new (f->store);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      ClSyncReport report = { 0 };

      cl_sync_run_async (sync, NULL, round_done_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (cl_sync_run_finish (sync, result, &report, with_error ? &error : NULL));
      if (with_error)
        g_assert_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED);
      cl_sync_report_clear (&report);
    }
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/core/store/" path, ClTestVault, NULL, cl_test_vault_setup, fn, cl_test_vault_teardown)

  ADD ("invalid-writes-nothing", test_create_invalid_writes_nothing);
  ADD ("outbox", test_outbox);
  ADD ("failed-write-in-transaction", test_failed_write_in_transaction);
  ADD ("failure-part-way", test_failure_part_way);
  ADD ("append-only", test_append_only);
  ADD ("immutable-and-derived", test_immutable_and_derived);
  ADD ("derived-columns", test_derived_columns);
  ADD ("history-and-audit", test_history_and_audit);
  ADD ("search", test_search);
  ADD ("search-long", test_search_long);
  ADD ("search-phone", test_search_phone);
  ADD ("open-tasks", test_open_tasks);
  ADD ("case-list-live", test_case_list_live);
  ADD ("case-list-minimal-change", test_case_list_minimal_change);
  ADD ("case-list-first-rows", test_case_list_first_rows);
  ADD ("restricted-display", test_restricted_display);
  ADD ("commands-seeded", test_commands_seeded);
  ADD ("schema-matches-registry", test_schema_matches_registry);
  ADD ("create-with-id", test_create_with_id);
  ADD ("statement-cache", test_statement_cache);
  ADD ("lock-with-cached-statements", test_lock_with_cached_statements);
  ADD ("sync-finish-failure", test_sync_finish_failure);

  return g_test_run ();
}
