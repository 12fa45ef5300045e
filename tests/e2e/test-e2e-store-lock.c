/* test-e2e-store-lock.c: sync rounds against multi-record writes that roll back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One vault, opened in this process as the app opens it: a worker runs sync rounds
 * against the real server while this thread makes a fixed number of multi-record writes
 * (New Referral, a draft restored), keeping some and rolling others back. A round that read a
 * transaction still open would push a change number that the rollback then takes back
 * and gives to the next edit: the server would hold a record the vault never kept, and
 * refuse the number when it comes again. Afterwards every number is used once, in order,
 * by what the vault kept, and the outbox is empty.
 */

#include <string.h>

#include "cl-e2e.h"
#include "cl-sql.h"
#include "cl-sync.h"
#include "cl-vault-private.h"

#define WRITES 40          /* multi-record transactions, about half rolled back */
#define MAX_HOLD_MS 20     /* how long a transaction stays open */
#define MAX_PAUSE_MS 5     /* between two of them */

typedef struct {
  ClSync   *sync;
  gint      stop;          /* the writes are over */
  gint      rounds;
  gint64    renumbered;
  gint64    resent;
  GError   *error;         /* the first failed round's */
} Rounds;

static gpointer
rounds_thread (gpointer user_data)
{
  Rounds *r = user_data;

  while (!g_atomic_int_get (&r->stop))
    {
      g_auto(ClSyncReport) report = { 0 };
      g_autoptr(GError) error = NULL;

      if (!cl_sync_run (r->sync, &report, NULL, &error) && r->error == NULL)
        r->error = g_steal_pointer (&error);
      g_atomic_int_inc (&r->rounds);
      r->renumbered += report.renumbered;
      r->resent += report.resent;
    }
  return NULL;
}

/* A client and its case, as New Referral makes them; returns the case's id. */
static char *
new_case (ClStore    *store,
          const char *name)
{
  g_autoptr(ClChanges) client = cl_changes_new ();
  g_autoptr(ClChanges) kase = cl_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *client_id = NULL;
  char *case_id;

  cl_changes_set (client, "legal_name", name);
  client_id = cl_store_create (store, "client", client, &error);
  g_assert_no_error (error);
  cl_changes_set (kase, "client_id", client_id);
  cl_changes_set (kase, "command", "14");
  cl_changes_set (kase, "track", "dv");
  cl_changes_set (kase, "referral_received_at", "2026-11-01T10:00:00Z");
  case_id = cl_store_create (store, "case", kase, &error);
  g_assert_no_error (error);
  return case_id;
}

/* How many of the cases @ids the server holds. */
static gint64
server_count_of (ClTestStack *stack,
                 GPtrArray   *ids)
{
  g_autoptr(GString) sql = g_string_new ("SELECT count(*) FROM record WHERE type = 'case' "
                                         "AND id IN (");
  g_autofree char *n = NULL;

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (sql, "%s'%s'", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (ids, i));
  g_string_append_c (sql, ')');
  n = cl_test_stack_sql (stack, sql->str);
  return g_ascii_strtoll (n, NULL, 10);
}

static char *
local_text (ClVault    *vault,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *text = cl_sql_query_text (cl_vault_get_db (vault), &error, sql, CL_SQL_END);

  g_assert_no_error (error);
  return text;
}

static void
test_rounds_against_rollbacks (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) client = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_E2E_PASSPHRASE);
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GThread) thread = NULL;
  g_auto(ClSyncReport) last = { 0 };
  g_auto(ClSyncStatus) status = { 0 };
  ClStoreSyncState state;
  g_autofree char *local_ids = NULL;
  g_autofree char *local_count = NULL;
  g_autofree char *server_ids = NULL;
  g_autofree char *server_count = NULL;
  g_autofree char *sql = NULL;
  Rounds r = { 0 };

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  client = cl_e2e_client_new (stack, "ana", NULL);
  vault = cl_vault_unlock (client->dir, pass, &error);
  g_assert_no_error (error);
  store = cl_store_new (vault, "ana");
  sync = cl_sync_new (store);
  g_assert_true (cl_sync_is_enrolled (sync));

  r.sync = sync;
  thread = g_thread_new ("rounds", rounds_thread, &r);
  for (guint i = 0; i < WRITES; i++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      guint n = g_rand_int_range (rand, 1, 4);

      /* However slow the rounds, the second half of the writes meets a later one. */
      while (i == WRITES / 2 && g_atomic_int_get (&r.rounds) == 0)
        g_usleep (10 * G_TIME_SPAN_MILLISECOND);

      g_assert_true (cl_store_lock (store, CL_STORE_WRITE, &error));
      g_assert_no_error (error);
      for (guint j = 0; j < n; j++)
        {
          g_autofree char *name = g_strdup_printf ("Client %u-%u", i, j);

          g_ptr_array_add (ids, new_case (store, name));
          g_usleep (g_rand_int_range (rand, 0, MAX_HOLD_MS) * G_TIME_SPAN_MILLISECOND / n);
        }
      if (g_rand_boolean (rand))
        {
          g_assert_true (cl_store_unlock (store, CL_STORE_UNLOCK_COMMIT, &error));
          g_assert_no_error (error);
          g_ptr_array_extend_and_steal (kept, g_steal_pointer (&ids));
        }
      else
        {
          cl_store_unlock (store, CL_STORE_UNLOCK_ROLLBACK, NULL);
          g_ptr_array_extend_and_steal (gone, g_steal_pointer (&ids));
        }
      /* Let a round start between writes, too. */
      g_usleep (g_rand_int_range (rand, 0, MAX_PAUSE_MS) * G_TIME_SPAN_MILLISECOND);
    }
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (g_steal_pointer (&thread));
  g_test_message ("%d rounds during %d writes: %u cases kept, %u rolled back", r.rounds,
                  WRITES, kept->len, gone->len);
  g_assert_cmpint (r.rounds, >=, 2);
  g_assert_cmpuint (kept->len, >, 0);
  g_assert_cmpuint (gone->len, >, 0);

  /* Every round went through without the server refusing a number or the vault having
   * to renumber or send again. */
  g_assert_no_error (r.error);
  g_assert_cmpint (r.renumbered, ==, 0);
  g_assert_cmpint (r.resent, ==, 0);

  /* The outbox drains. */
  g_assert_true (cl_sync_run (sync, &last, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_outbox_length (store, NULL), ==, 0);

  /* Numbers 1 … N, each once, all acknowledged. */
  g_assert_true (cl_store_get_sync_state (store, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state.acked_seq, ==, state.next_seq - 1);
  local_count = local_text (vault, "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) "
                                   "FROM sent");
  {
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT " 1 %" G_GINT64_FORMAT,
                                                 state.acked_seq, state.acked_seq);
    g_assert_cmpstr (local_count, ==, expected);
  }

  /* The server holds the same mutations under the same numbers. */
  g_assert_true (cl_sync_get_status (sync, &status, &error));
  g_assert_no_error (error);
  local_ids = local_text (vault, "SELECT group_concat(mutation_id, ',') FROM "
                                 "(SELECT mutation_id FROM sent ORDER BY seq)");
  sql = g_strdup_printf ("SELECT count(*) || ' 1 ' || max(seq) FROM mutation_log "
                         "WHERE device_id = '%s'", status.device_id);
  server_count = cl_test_stack_sql (stack, sql);
  g_assert_cmpstr (server_count, ==, local_count);
  g_free (sql);
  sql = g_strdup_printf ("SELECT string_agg(mutation_id::text, ',' ORDER BY seq) FROM "
                         "mutation_log WHERE device_id = '%s'", status.device_id);
  server_ids = cl_test_stack_sql (stack, sql);
  g_assert_cmpstr (server_ids, ==, local_ids);

  /* What was kept is on the server; nothing rolled back ever reached it. */
  g_assert_cmpint (server_count_of (stack, kept), ==, kept->len);
  g_assert_cmpint (server_count_of (stack, gone), ==, 0);

  g_clear_object (&sync);
  g_clear_object (&store);
  cl_vault_lock (vault);
}

int
main (int   argc,
      char *argv[])
{
  cl_e2e_init (&argc, &argv);
  g_test_add_func ("/e2e/store-lock/rounds-against-rollbacks", test_rounds_against_rollbacks);
  return g_test_run ();
}
