/* test-store-lock.c: one owner of the connection; other threads see only committed data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cl-store-private.h"
#include "cl-sync.h"
#include "cl-test-util.h"

/* How long the main thread keeps its transaction open while another thread reads: long
 * enough for a reader that does not wait to finish first. */
#define HOLD_MS 300

typedef struct {
  ClSync       *sync;
  ClSyncStatus  status;
  gboolean      ok;
  gint          done;
} StatusRead;

static gpointer
read_status_thread (gpointer user_data)
{
  StatusRead *read = user_data;

  read->ok = cl_sync_get_status (read->sync, &read->status, NULL);
  g_atomic_int_set (&read->done, 1);
  return NULL;
}

/* Waits up to HOLD_MS for @done; returns whether it was set. */
static gboolean
wait_done (gint *done)
{
  gint64 until = g_get_monotonic_time () + HOLD_MS * G_TIME_SPAN_MILLISECOND;

  while (!g_atomic_int_get (done) && g_get_monotonic_time () < until)
    g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  return g_atomic_int_get (done);
}

/* A multi-record write (New Referral, a draft restored) is open on this thread; the sync
 * worker reading the outbox and its counters must not see it, nor anything it rolls back. */
static void
test_status_waits_for_transaction (ClTestVault   *f,
                                   gconstpointer  data)
{
  g_autoptr(ClSync) sync = cl_sync_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *kept = cl_test_new_case (f->store, "Ana Lima");
  g_autofree char *gone = NULL;
  StatusRead read = { sync, { 0 }, FALSE, 0 };

  g_assert_nonnull (kept);
  g_assert_true (cl_store_begin (f->store, &error));
  g_assert_no_error (error);
  gone = cl_test_new_case (f->store, "Rui Costa");
  g_assert_nonnull (gone);

  thread = g_thread_new ("status", read_status_thread, &read);
  /* The reader must wait for the transaction to end. */
  g_assert_false (wait_done (&read.done));
  cl_store_rollback (f->store);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_true (read.ok);
  /* Two mutations for the committed case (client, case), none of the rolled-back one. */
  g_assert_cmpint (read.status.pending, ==, 2);
  g_assert_cmpint (cl_store_outbox_length (f->store, NULL), ==, 2);
  cl_sync_status_clear (&read.status);
}

/* The outbox's change format has one writer and one reader; a value that looks like a
 * field name is a value (matching the text with LIKE '%"field":%' took it for one). */
static void
test_outbox_change_format (void)
{
  g_autoptr(GString) changes = _cl_outbox_changes_new ();
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;
  ClOutboxChange *c;

  _cl_outbox_changes_add (changes, "notes", NULL, "called \"phone\": no answer\n\\ later");
  _cl_outbox_changes_add (changes, "status", "referred", NULL);
  _cl_outbox_changes_close (changes);

  parsed = _cl_outbox_changes_parse (changes->str, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 2);
  /* In the order json-glib iterates them, which pushes always used. */
  c = g_ptr_array_index (parsed, 0);
  if (g_strcmp0 (c->field, "notes") != 0)
    g_ptr_array_add (parsed, g_ptr_array_steal_index (parsed, 0));
  c = g_ptr_array_index (parsed, 0);
  g_assert_cmpstr (c->field, ==, "notes");
  g_assert_null (c->old_value);
  g_assert_cmpstr (c->new_value, ==, "called \"phone\": no answer\n\\ later");
  c = g_ptr_array_index (parsed, 1);
  g_assert_cmpstr (c->field, ==, "status");
  g_assert_cmpstr (c->old_value, ==, "referred");
  g_assert_null (c->new_value);

  g_assert_true (_cl_outbox_changes_has (changes->str, "notes"));
  g_assert_true (_cl_outbox_changes_has (changes->str, "status"));
  g_assert_false (_cl_outbox_changes_has (changes->str, "phone"));

  g_assert_null (_cl_outbox_changes_parse ("[1]", &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT);
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, ClTestVault, NULL, cl_test_vault_setup, func, cl_test_vault_teardown)
  ADD ("/store-lock/status-waits-for-transaction", test_status_waits_for_transaction);
#undef ADD
  g_test_add_func ("/store-lock/outbox-change-format", test_outbox_change_format);

  return g_test_run ();
}
