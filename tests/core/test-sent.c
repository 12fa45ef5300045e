/* test-sent.c: acknowledged mutations kept packed in `sent`, and put back exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-sql.h"
#include "cl-store-private.h"
#include "cl-test-util.h"

#define N_NOTES 300

/* "seq|changes" of every row of @sql (seq, changes), the changes as text. */
static char *
rows_text (sqlite3    *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *changes = _cl_outbox_column_changes (stmt, 1, &error);

      g_assert_no_error (error);
      g_string_append_printf (out, "%lld|%s\n", (long long) sqlite3_column_int64 (stmt, 0),
                              changes);
    }
  return g_string_free (out, FALSE);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (db, sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

/* Notes whose text needs every kind of escaping, and a case with its client. */
static void
make_changes (ClStore *store)
{
  g_autofree char *kase = cl_test_new_case (store, "Rosa Peña \"Rosi\"");

  for (guint i = 0; i < N_NOTES; i++)
    {
      g_autofree char *text = g_strdup_printf ("Note %u: «quoted \"word\"», back\\slash, "
                                               "tab\there, línea\nnueva, 日本語", i);
      g_free (cl_test_create (store, "note", "case_id", kase, "at", "2026-11-02T10:00:00Z",
                              "text", text, NULL));
    }
}

/* Pushed mutations are packed in `sent` (two thirds of their text or less), and come back
 * into the outbox byte for byte when the server lost them. */
static void
test_packed_and_requeued (ClTestVault   *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *requeued = NULL;
  sqlite3 *db;
  gint64 last, text_bytes, history;

  make_changes (f->store);
  g_assert_true (cl_store_lock (f->store, CL_STORE_WRITE, &error));
  g_assert_no_error (error);
  db = _cl_store_open_db (f->store, &error);
  last = query_int (db, "SELECT max(seq) FROM outbox");
  g_assert_cmpint (last, ==, N_NOTES + 2);
  text_bytes = query_int (db, "SELECT sum(length(CAST(changes AS BLOB))) FROM outbox");
  history = query_int (db, "SELECT count(*) FROM history");
  queued = rows_text (db, "SELECT seq, changes FROM outbox ORDER BY seq");

  g_assert_true (_cl_outbox_move_to_sent (db, 1, last, "2026-11-03T10:00:00Z", &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sent WHERE typeof(changes) = 'blob' "
                                  "AND acked_at = '2026-11-03T10:00:00Z'"), ==, last);
  g_assert_cmpint (query_int (db, "SELECT sum(length(changes)) FROM sent") * 3, <, text_bytes * 2);
  kept = rows_text (db, "SELECT seq, changes FROM sent ORDER BY seq");
  g_assert_cmpstr (kept, ==, queued);
  /* History still shows every change. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM history"), ==, history);

  /* The server went back to before seq 101: those after come back, under negated seqs. */
  g_assert_true (_cl_outbox_requeue_sent (db, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sent"), ==, 100);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM outbox WHERE typeof(changes) = 'text' "
                                  "AND seq < -100"), ==, last - 100);
  requeued = rows_text (db, "SELECT -seq, changes FROM outbox ORDER BY -seq");
  g_assert_true (g_str_has_suffix (queued, requeued));
  g_assert_cmpuint (strlen (requeued), >, strlen (queued) / 2);
  g_assert_true (cl_store_unlock (f->store, CL_STORE_UNLOCK_ROLLBACK, &error));
}

/* A `sent` row written before changes were packed is put back as it was; a damaged packed
 * value is an error, never a crash or other text. */
static void
test_text_rows_and_damage (ClTestVault   *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *back = NULL;
  g_autoptr(GBytes) packed = _cl_outbox_changes_pack ("{\"text\":{\"old\":null,\"new\":\"x\"}}");
  g_autofree guint8 *damaged = g_memdup2 (g_bytes_get_data (packed, NULL),
                                          g_bytes_get_size (packed));
  sqlite3 *db;

  g_assert_true (cl_store_lock (f->store, CL_STORE_WRITE, &error));
  db = _cl_store_open_db (f->store, &error);
  g_assert_true (cl_sql_exec (db, "INSERT INTO sent VALUES (7, "
                              "'3f1c2a58-0d1e-4f5a-9a57-0a9f4bb0c001', 'note', "
                              "'3f1c2a58-0d1e-4f5a-9a57-0a9f4bb0c002', 'put', 0, "
                              "'{\"text\":{\"old\":null,\"new\":\"plain\"}}', "
                              "'2026-11-01T10:00:00Z', '2026-11-01T10:00:01Z')", &error));
  g_assert_true (_cl_outbox_requeue_sent (db, 0, &error));
  g_assert_no_error (error);
  back = cl_sql_query_text (db, &error, "SELECT changes FROM outbox WHERE seq = -7",
                            CL_SQL_END);
  g_assert_cmpstr (back, ==, "{\"text\":{\"old\":null,\"new\":\"plain\"}}");

  damaged[g_bytes_get_size (packed) / 2] ^= 0x55;
  stmt = cl_sql_prepare (db, "SELECT ?", &error);
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *text = NULL;

      sqlite3_reset (stmt);
      if (i == 0)
        sqlite3_bind_blob (stmt, 1, damaged, (int) g_bytes_get_size (packed), SQLITE_STATIC);
      else
        sqlite3_bind_blob (stmt, 1, "\x02xyz", 4, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      text = _cl_outbox_column_changes (stmt, 0, &error);
      if (text != NULL)
        g_assert_cmpstr (text, !=, "{\"text\":{\"old\":null,\"new\":\"x\"}}");
      else
        g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  g_assert_true (cl_store_unlock (f->store, CL_STORE_UNLOCK_ROLLBACK, &error));
}

int
main (int    argc,
      char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add ("/sent/packed-and-requeued", ClTestVault, NULL, cl_test_vault_setup,
              test_packed_and_requeued, cl_test_vault_teardown);
  g_test_add ("/sent/text-rows-and-damage", ClTestVault, NULL, cl_test_vault_setup,
              test_text_rows_and_damage, cl_test_vault_teardown);
  return g_test_run ();
}
