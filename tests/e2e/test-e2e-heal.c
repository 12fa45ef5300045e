/* test-e2e-heal.c: sync keeps its promise around the edges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against the real stack (PostgreSQL, caseload-server, nginx):
 * - a resolution made on a value that changed since the conflict overwrites nothing: both
 *   values wait in a new conflict;
 * - an edit made after resolving, before the next sync, is what stands;
 * - more conflicts than one page: every page arrives, and ones settled elsewhere close;
 * - a backlog of large notes flows in batches the server takes, even when the server takes
 *   less than a batch (413: split and retry);
 * - the server's database restored from a dump taken before some pushes: devices with and
 *   without pending work send again what it lost, and everything converges;
 * - the same after a point-in-time recovery (base backup and WAL archive) of a PostgreSQL
 *   cluster of the test's own, by the commands of docs/DEPLOYMENT.md;
 * - a vault restored from its own older backup: its reused change numbers are renumbered,
 *   nothing is lost or duplicated;
 * - two rounds on one vault at once: the second waits for the first;
 * - a randomized run of all of it with killed syncs (CASELOAD_LONG=1: 600 steps; the
 *   `e2e-heal-long` benchmark), checked by an oracle of its own.
 * Expected values come from what each step did, never from the code under test.
 */

#define G_LOG_DOMAIN "test-e2e-heal"

#include <string.h>

#include <glib/gstdio.h>

#include "cl-e2e.h"

typedef struct {
  ClTestCluster *cluster;  /* (nullable): the test's own PostgreSQL cluster */
  ClTestStack  *stack;
  ClE2eClient  *a1;        /* ana */
  ClE2eClient  *a2;        /* ana, another workstation */
  ClE2eClient  *sue;       /* ana's supervisor */
  char         *case_id;
  GHashTable   *committed; /* note texts that must end up on the server exactly once */
} Fixture;

static void
set_up_with (Fixture    *f,
             const char *server_config)
{
  char *token;

  f->stack = f->cluster != NULL
    ? cl_test_stack_new_in (cl_e2e_tls (), f->cluster, server_config)
    : cl_test_stack_new (cl_e2e_tls (), server_config, NULL);
  cl_test_stack_user_add (f->stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (f->stack, "sue", "supervisor", "14");
  f->a1 = cl_e2e_client_new (f->stack, "ana", NULL);
  f->a2 = cl_e2e_client_new (f->stack, "ana", NULL);
  f->sue = cl_e2e_client_new (f->stack, "sue", NULL);
  f->committed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  f->case_id = cl_e2e_new_case (f->a1, "Heal Client", "14");
  token = g_strdup ("HEAL-0");
  g_free (cl_e2e_note (f->a1, f->case_id, token));
  g_hash_table_add (f->committed, token);
  cl_e2e_sync_expect (f->a1, NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  cl_e2e_sync_expect (f->sue, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  set_up_with (f, NULL);
}

/* The server takes at most 1 MiB in a request: less than one of the device's batches. */
static void
fixture_set_up_small_body (Fixture       *f,
                           gconstpointer  data)
{
  set_up_with (f, "[server]\nworkers = 4\nmax-body = 1048576\n");
}

/* On a PostgreSQL cluster of the test's own, which the test may stop and restore. */
static void
fixture_set_up_own_cluster (Fixture       *f,
                            gconstpointer  data)
{
  f->cluster = cl_test_cluster_new ();
  set_up_with (f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->a1, cl_e2e_client_free);
  g_clear_pointer (&f->a2, cl_e2e_client_free);
  g_clear_pointer (&f->sue, cl_e2e_client_free);
  g_clear_pointer (&f->stack, cl_test_stack_free);
  g_clear_pointer (&f->cluster, cl_test_cluster_free);
  g_clear_pointer (&f->case_id, g_free);
  g_clear_pointer (&f->committed, g_hash_table_unref);
}

static void
note (Fixture    *f,
      ClE2eClient *client,
      const char *token)
{
  g_free (cl_e2e_note (client, f->case_id, token));
  g_hash_table_add (f->committed, g_strdup (token));
}

static void
converged (Fixture *f)
{
  ClE2eClient *clients[] = { f->a1, f->a2, f->sue };

  cl_e2e_assert_converged (f->stack, clients, G_N_ELEMENTS (clients), f->committed);
}

static void
assert_assigned_everywhere (Fixture    *f,
                           const char *expected)
{
  ClE2eClient *clients[] = { f->a1, f->a2, f->sue };

  cl_e2e_assert_assigned (f->stack, clients, G_N_ELEMENTS (clients), f->case_id, expected);
}

static guint
open_conflicts (ClE2eClient *client)
{
  g_autoptr(JsonArray) list = cl_e2e_conflicts (client);
  return json_array_get_length (list);
}

/* "mine" after someone else changed the field again: nothing is overwritten; a new
 * conflict holds the value now on the server and the one chosen. */
static void
test_resolution_after_change (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "alpha", "bravo");
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *value = NULL;
  g_autofree char *superseded = NULL;

  /* a1 changes the field after the conflict. */
  cl_e2e_set (f->a1, "case", f->case_id, "assigned_to=charlie", NULL);
  cl_e2e_sync_expect (f->a1, NULL);

  cl_e2e_resolve (f->a2, id, "mine");
  cl_e2e_sync_expect (f->a2, "changed again meanwhile");
  value = cl_e2e_server_field (f->stack, f->case_id, "assigned_to");
  g_assert_cmpstr (value, ==, "charlie");
  superseded = cl_test_stack_sql (f->stack, "SELECT count(*) FROM conflict "
                                  "WHERE resolution = 'superseded'");
  g_assert_cmpstr (superseded, ==, "1");

  list = cl_e2e_conflicts (f->a2);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "id"), !=, id);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "mine"), ==, "bravo");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, "charlie");
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs_by"), ==, "ana");

  /* Deciding again, on the new conflict, takes. */
  cl_e2e_resolve (f->a2, cl_e2e_json_string (list, 0, "id"), "mine");
  cl_e2e_sync_expect (f->a2, NULL);
  g_assert_cmpuint (open_conflicts (f->a2), ==, 0);
  converged (f);
  assert_assigned_everywhere (f, "bravo");
}

/* Resolve, then edit the same field before syncing: the edit is the last word. */
static void
test_edit_after_resolution (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "alpha", "bravo");

  cl_e2e_resolve (f->a2, id, "theirs");
  cl_e2e_set (f->a2, "case", f->case_id, "assigned_to=delta", NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  g_assert_cmpuint (open_conflicts (f->a2), ==, 0);
  converged (f);
  assert_assigned_everywhere (f, "delta");
  for (guint i = 0; i < 3; i++)
    {
      ClE2eClient *clients[] = { f->a1, f->a2, f->sue };
      g_assert_cmpuint (open_conflicts (clients[i]), ==, 0);
    }

  /* The same with "mine" and a value. */
  g_free (id);
  id = cl_e2e_make_conflict (f->a1, f->a2, f->case_id, "echo", "foxtrot");
  cl_e2e_resolve (f->a2, id, "mine");
  cl_e2e_set (f->a2, "case", f->case_id, "assigned_to=golf", NULL);
  cl_e2e_sync_expect (f->a2, NULL);
  g_assert_cmpuint (open_conflicts (f->a2), ==, 0);
  converged (f);
  assert_assigned_everywhere (f, "golf");
}

/* 2,345 open conflicts (more than two pages of 1,000): all reach the supervisor's vault;
 * 20 settled on the server (on the first page and the last) close there. */
static void
test_conflict_pages (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *insert = NULL;
  ClE2eSync s;

  insert = g_strdup_printf ("INSERT INTO conflict (id, record_id, type, field, kind, "
                            "server_value, client_value, server_version, account_id, device_id, "
                            "seq, created_at) SELECT gen_random_uuid(), '%s', 'case', "
                            "'assigned_to', 'field', 'x', 'lost-' || g, 1, a.id, "
                            "(SELECT d.id FROM device d WHERE d.account_id = a.id LIMIT 1), 0, "
                            "now() - interval '1 second' * (3000 - g) "
                            "FROM generate_series(1, 2345) g, account a WHERE a.username = 'ana' "
                            "RETURNING 1", f->case_id);
  g_free (cl_test_stack_sql (f->stack, insert));

  cl_e2e_sync_ok (f->sue, &s);
  cl_e2e_sync_clear (&s);
  g_assert_cmpuint (open_conflicts (f->sue), ==, 2345);

  g_free (cl_test_stack_sql (f->stack,
                             "UPDATE conflict SET resolved_at = now(), resolution = 'theirs' "
                             "WHERE client_value IN (SELECT 'lost-' || g FROM "
                             "generate_series(1, 10) g UNION SELECT 'lost-' || g FROM "
                             "generate_series(2336, 2345) g) RETURNING 1"));
  cl_e2e_sync_expect (f->sue, "20 conflicts were resolved elsewhere");
  g_assert_cmpuint (open_conflicts (f->sue), ==, 2325);
}

/* 80 notes of 60 KB queued offline: pushed in batches under the budget, pulled by the other
 * vaults. With the server taking only 1 MiB (fixture_set_up_small_body) the device's first
 * batch gets 413 and is split until it passes. */
static void
test_large_backlog (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *padding = g_strnfill (60 * 1024, 'p');
  g_autofree char *count = NULL;
  ClE2eSync s;

  for (guint i = 0; i < 80; i++)
    {
      g_autofree char *token = g_strdup_printf ("HEAL-big-%02u-%s", i, padding);
      note (f, f->a1, token);
    }
  cl_e2e_sync_ok (f->a1, &s);
  g_assert_cmpuint (s.pushed, ==, 80);
  cl_e2e_sync_clear (&s);
  g_assert_cmpint (cl_e2e_pending (f->a1), ==, 0);
  count = cl_test_stack_sql (f->stack, "SELECT count(*) FROM record WHERE type = 'note' AND "
                             "fields ->> 'text' LIKE 'HEAL-big-%'");
  g_assert_cmpstr (count, ==, "80");
  converged (f);
}

/* Runs @program with the arguments that follow (NULL-terminated); fails the test if it
 * fails. */
static void
run_ok (const char *program,
        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) program);
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  out = cl_test_run ((const char * const *) argv->pdata, NULL, &status, &err);
  if (status != 0)
    g_error ("%s failed (%d): %s", program, status, err);
}

/* What the server loses when it goes back: a1 pushes two notes (PREFIX-a1-1, -a1-2) and
 * sets assigned_to to @assigned, a2 pushes a note (PREFIX-a2-1); then a1 adds one more
 * (PREFIX-pending-a1) that stays pending. */
static void
ana_works (Fixture    *f,
           const char *prefix,
           const char *assigned)
{
  g_autofree char *a1_1 = g_strdup_printf ("%s-a1-1", prefix);
  g_autofree char *a1_2 = g_strdup_printf ("%s-a1-2", prefix);
  g_autofree char *a2_1 = g_strdup_printf ("%s-a2-1", prefix);
  g_autofree char *pending = g_strdup_printf ("%s-pending-a1", prefix);
  g_autofree char *set = g_strdup_printf ("assigned_to=%s", assigned);

  note (f, f->a1, a1_1);
  note (f, f->a1, a1_2);
  cl_e2e_set (f->a1, "case", f->case_id, set, NULL);
  cl_e2e_sync_expect (f->a1, NULL);
  note (f, f->a2, a2_1);
  cl_e2e_sync_expect (f->a2, NULL);
  note (f, f->a1, pending);
  g_assert_cmpint (cl_e2e_pending (f->a1), ==, 1);
}

/* After ana_works() was lost: at their next sync a1 and a2 send again what the server lost,
 * and say so. */
static void
ana_heals (Fixture *f)
{
  ClE2eSync s;

  cl_e2e_sync_ok (f->a1, &s);
  g_assert_nonnull (strstr (s.out, "restored from an earlier copy: 3 changes"));
  cl_e2e_sync_clear (&s);
  cl_e2e_sync_ok (f->a2, &s);
  g_assert_nonnull (strstr (s.out, "restored from an earlier copy: 1 change "));
  cl_e2e_sync_clear (&s);
}

/* The server's database goes back to a dump taken before some pushes. a1 has pending work
 * when it next syncs; a2 has none; sue pushed nothing since the dump. Each finds out, sends
 * again what the server lost, and every vault converges with every note once. */
static void
test_server_restored (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dump = g_build_filename (f->stack->dir, "server.dump", NULL);
  g_autofree char *db = g_strdup_printf ("--dbname=%s", f->stack->database);
  g_autofree char *file = g_strdup_printf ("--file=%s", dump);

  run_ok ("pg_dump", "--format=custom", db, file, NULL);

  /* After the dump: pushed and acknowledged, then lost by the restore. */
  ana_works (f, "HEAL-after-dump", "kilo");

  cl_test_stack_stop_server (f->stack);
  run_ok ("pg_restore", "--clean", "--if-exists", db, dump, NULL);
  cl_test_stack_start_server (f->stack);

  ana_heals (f);

  converged (f);
  assert_assigned_everywhere (f, "kilo");

  /* And sync goes on as usual afterwards. */
  note (f, f->a2, "HEAL-after-restore");
  converged (f);
}

/* One line of `caseload-server device list`: the device's LAST SYNC ("-" or a minute) and
 * LAST SEQ. */
static void
device_line (const char  *list,
             const char  *device_id,
             char       **last_sync,
             gint64      *last_seq)
{
  g_auto(GStrv) lines = g_strsplit (list, "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit_set (lines[i], " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      guint seq_at;

      for (guint j = 0; cols[j] != NULL; j++)
        if (*cols[j] != '\0')
          g_ptr_array_add (words, cols[j]);
      if (words->len < 7 || g_strcmp0 (words->pdata[0], device_id) != 0)
        continue;
      /* ID USER ENROLLED(date time) LAST-SYNC(date time, or -) LAST-SEQ … */
      if (g_strcmp0 (words->pdata[4], "-") == 0)
        {
          *last_sync = g_strdup ("-");
          seq_at = 5;
        }
      else
        {
          *last_sync = g_strdup_printf ("%s %s", (char *) words->pdata[4],
                                        (char *) words->pdata[5]);
          seq_at = 6;
        }
      *last_seq = g_ascii_strtoll (words->pdata[seq_at], NULL, 10);
      return;
    }
  g_error ("device %s is not in the device list:\n%s", device_id, list);
}

static char *
device_list (Fixture *f)
{
  int status;
  char *out = cl_test_stack_admin (f->stack, &status, "device", "list", NULL);

  g_assert_cmpint (status, ==, 0);
  return out;
}

static char *
cluster_sql (ClTestCluster *pg,
             const char    *sql)
{
  g_autofree char *err = NULL;
  int status;
  char *out = cl_test_cluster_run (pg, &status, &err, CL_TEST_PG_BIN "/psql", "-X", "-At",
                                   "-d", "postgres", "-c", sql, NULL);

  if (status != 0)
    g_error ("psql failed: %s\n%s", sql, err);
  return g_strchomp (out);
}

static gboolean
archived (const char *wal,
          const char *segment)
{
  g_autofree char *path = g_build_filename (wal, segment, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* SELECT pg_walfile_name(pg_switch_wal()), then waits until the archiver has copied that
 * segment to @wal. Returns: the segment's name */
static char *
switch_wal (ClTestCluster *pg,
            const char    *wal)
{
  char *segment = cluster_sql (pg, "SELECT pg_walfile_name(pg_switch_wal())");
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!archived (wal, segment))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
  return segment;
}

/* caseload-server-basebackup (@script), as its unit runs it, with the folders given in
 * @env_base and @env_wal. */
static void
base_backup (ClTestCluster *pg,
             const char    *script,
             const char    *env_base,
             const char    *env_wal)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = cl_test_cluster_run (pg, &status, &err, "env", env_base, env_wal, "sh", script, NULL);
  if (status != 0)
    g_error ("caseload-server-basebackup failed (%d): %s%s", status, out, err);
  g_assert_nonnull (strstr (out, "Base backup made in"));
}

/* The WAL segment a base backup starts in, from its backup_label. */
static char *
backup_start (const char *backup)
{
  g_autofree char *path = g_build_filename (backup, "backup_label", NULL);
  g_autofree char *label = NULL;
  const char *file;

  g_assert_true (g_file_get_contents (path, &label, NULL, NULL));
  file = strstr (label, "(file ");
  g_assert_nonnull (file);
  return g_strndup (file + strlen ("(file "), 24);
}

/* docs/DEPLOYMENT.md, "Point-in-time recovery", step by step in a cluster of the test's own:
 * its folder stands for /var/backups/postgresql (wal/, base), its data directory for
 * /var/lib/postgresql/15/main, its conf.d for /etc/postgresql/15/main/conf.d, pg_ctl for
 * systemctl and runuser (as root) for sudo -u postgres. Work A before the base backup, B
 * after it, then the moment T, then C (two devices, one with a change still pending); a
 * fault (the notes deleted); recovery to T. The server holds A and B, not C nor the fault;
 * the devices send C again, every vault converges with every note once, and `device list`
 * shows every device synced after the recovery with its LAST SEQ back where it was. */
static void
test_point_in_time (Fixture       *f,
                    gconstpointer  data)
{
  ClTestCluster *pg = f->cluster;
  ClE2eClient *clients[] = { f->a1, f->a2, f->sue };
  gint64 seq_before[G_N_ELEMENTS (clients)];
  g_autofree char *wal = g_build_filename (pg->dir, "wal", NULL);
  g_autofree char *base = g_build_filename (pg->dir, "base", NULL);
  g_autofree char *script_src = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data",
                                                  "caseload-server-basebackup", NULL);
  g_autofree char *script = g_build_filename (pg->dir, "caseload-server-basebackup", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *env_base = g_strdup_printf ("CASELOAD_BASEBACKUP=%s", base);
  g_autofree char *env_wal = g_strdup_printf ("CASELOAD_WAL_ARCHIVE=%s", wal);
  g_autofree char *archive_conf = g_build_filename (pg->dir, "conf.d", "archive.conf", NULL);
  g_autofree char *archive_text = NULL;
  g_autofree char *recovery_conf = g_build_filename (pg->dir, "conf.d",
                                                   "recovery-target.conf", NULL);
  g_autofree char *recovery_text = NULL;
  g_autofree char *before_restore = g_strdup_printf ("%s.before-restore", pg->data);
  g_autofree char *signal = g_build_filename (pg->data, "recovery.signal", NULL);
  g_autofree char *target = NULL;
  g_autofree char *base_old = g_build_filename (pg->dir, "base.old", NULL);
  g_autofree char *first_segment = NULL;
  g_autofree char *old_start = NULL;
  g_autofree char *new_start = NULL;
  g_autofree char *log = NULL;
  g_autofree char *restored_at = NULL;
  g_autofree char *list = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *count = NULL;
  g_autofree char *late = NULL;
  g_autofree char *label_path = g_build_filename (base, "backup_label", NULL);
  g_autofree char *label = NULL;
  g_autofree char *mode = NULL;
  gint64 deadline;
  ClE2eSync s;

  /* Setting up: the archive folder owned by postgres, archiving on, a restart. */
  cl_test_cluster_run_ok (pg, "install", "-d", "-m", "0700", wal, NULL);
  archive_text = g_strdup_printf ("wal_level = replica\n"
                                  "archive_mode = on\n"
                                  "archive_command = 'test ! -f %s/%%f && cp %%p %s/%%f'\n"
                                  "archive_timeout = 3600\n", wal, wal);
  cl_test_cluster_write (pg, archive_conf, archive_text);
  cl_test_cluster_stop (pg);
  cl_test_cluster_start (pg);
  mode = cluster_sql (pg, "SHOW archive_mode");
  g_assert_cmpstr (mode, ==, "on");
  first_segment = switch_wal (pg, wal);

  /* A, then the weekly base backup, twice (the script its unit runs, as postgres): the
   * older is kept as base.old, and the archive keeps what base.old needs, no more. */
  note (f, f->a1, "PITR-A-a1");
  cl_e2e_sync_expect (f->a1, NULL);
  note (f, f->a2, "PITR-A-a2");
  cl_e2e_sync_expect (f->a2, NULL);
  g_assert_true (g_file_get_contents (script_src, &script_text, NULL, NULL));
  cl_test_cluster_write (pg, script, script_text);
  base_backup (pg, script, env_base, env_wal);
  base_backup (pg, script, env_base, env_wal);
  old_start = backup_start (base_old);
  new_start = backup_start (base);
  g_assert_cmpstr (old_start, <, new_start);
  g_assert_cmpstr (first_segment, <, old_start);
  g_assert_false (archived (wal, first_segment));
  g_assert_true (archived (wal, old_start));

  /* B, then the moment to go back to, then C. */
  note (f, f->a1, "PITR-B-a1");
  cl_e2e_sync_expect (f->a1, NULL);
  note (f, f->sue, "PITR-B-sue");
  cl_e2e_sync_expect (f->sue, NULL);
  target = cl_test_stack_sql (f->stack, "SELECT clock_timestamp()");
  ana_works (f, "PITR-C", "lima");

  /* What the administrator saves first: `device list`. */
  list = device_list (f);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *id = cl_e2e_status (clients[i], "device");
      g_autofree char *last_sync = NULL;

      device_line (list, id, &last_sync, &seq_before[i]);
      g_assert_cmpstr (last_sync, !=, "-");
    }

  /* The fault. */
  g_free (cl_test_stack_sql (f->stack, "DELETE FROM record WHERE type = 'note' RETURNING 1"));

  /* The drill: the current WAL segment to the archive, everything stopped, the data
   * directory moved aside, the base backup in its place, recovery to T. */
  g_free (switch_wal (pg, wal));
  cl_test_stack_stop_server (f->stack);
  cl_test_cluster_stop (pg);
  cl_test_cluster_run_ok (pg, "mv", pg->data, before_restore, NULL);
  cl_test_cluster_run_ok (pg, "cp", "-a", base, pg->data, NULL);
  cl_test_cluster_run_ok (pg, "touch", signal, NULL);
  recovery_text = g_strdup_printf ("restore_command = 'cp %s/%%f %%p'\n"
                                   "recovery_target_time = '%s'\n"
                                   "recovery_target_action = 'promote'\n", wal, target);
  cl_test_cluster_write (pg, recovery_conf, recovery_text);
  cl_test_cluster_start (pg);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *in_recovery = cluster_sql (pg, "SELECT pg_is_in_recovery()");

      if (g_strcmp0 (in_recovery, "f") == 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
  g_assert_true (g_file_get_contents (pg->log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "recovery stopping before commit of transaction"));
  g_assert_nonnull (strstr (log, "selected new timeline ID: 2"));
  g_assert_false (g_file_test (signal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (recovery_conf), ==, 0);
  g_assert_true (g_file_test (before_restore, G_FILE_TEST_IS_DIR));

  /* Back to T: A and B are there, C and the fault are not. */
  notes = cl_test_stack_sql (f->stack, "SELECT string_agg(fields ->> 'text', ' ' ORDER BY "
                             "fields ->> 'text') FROM record WHERE type = 'note'");
  g_assert_cmpstr (notes, ==, "HEAL-0 PITR-A-a1 PITR-A-a2 PITR-B-a1 PITR-B-sue");
  /* A recovery comes minutes or hours after T; here seconds, and a device's last contact
   * is written at most every 30 seconds: the devices' rows are aged by an hour, as they
   * would be, so that their next sync shows. */
  g_free (cl_test_stack_sql (f->stack, "UPDATE device SET "
                             "token_used_at = token_used_at - interval '1 hour', "
                             "last_seen_at = last_seen_at - interval '1 hour' RETURNING 1"));
  restored_at = cl_test_stack_sql (f->stack, "SELECT clock_timestamp()");
  cl_test_stack_start_server (f->stack);

  /* The devices heal at their next sync. */
  ana_heals (f);
  cl_e2e_sync_ok (f->sue, &s);
  g_assert_null (strstr (s.out, "restored from an earlier copy"));
  cl_e2e_sync_clear (&s);
  converged (f);
  assert_assigned_everywhere (f, "lima");

  /* Every device has healed: synced since the recovery, and its LAST SEQ is its own
   * acknowledged count, at least the one saved before (a1 pushed its pending change). */
  g_clear_pointer (&list, g_free);
  list = device_list (f);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *id = cl_e2e_status (clients[i], "device");
      g_autofree char *acked = cl_e2e_status (clients[i], "acknowledged");
      g_autofree char *last_sync = NULL;
      gint64 last_seq;

      device_line (list, id, &last_sync, &last_seq);
      g_assert_cmpstr (last_sync, !=, "-");
      g_assert_cmpint (last_seq, ==, g_ascii_strtoll (acked, NULL, 10));
      g_assert_cmpint (last_seq, ==, seq_before[i] + (clients[i] == f->a1 ? 1 : 0));
      g_assert_cmpint (cl_e2e_pending (clients[i]), ==, 0);
    }
  late = g_strdup_printf ("SELECT count(*) FROM device WHERE last_seen_at <= '%s'",
                          restored_at);
  count = cl_test_stack_sql (f->stack, late);
  g_assert_cmpstr (count, ==, "0");

  /* A new base backup of the recovered cluster, in its new timeline. */
  base_backup (pg, script, env_base, env_wal);
  g_assert_true (g_file_get_contents (label_path, &label, NULL, NULL));
  g_assert_nonnull (strstr (label, "START TIMELINE: 2\n"));
  g_free (new_start);
  new_start = backup_start (base);
  g_assert_true (archived (wal, new_start));
}

/* caseloadctl on @client's vault, with one argument: fails the test if it fails. */
static void
ctl_ok (ClE2eClient *client,
        const char  *command,
        const char  *arg)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  out = cl_e2e_ctl (client, NULL, &status, &err, command, arg, NULL);
  if (status != 0)
    g_error ("caseloadctl %s failed (%d): %s", command, status, err);
}

/* a1's vault goes back to its own backup, taken before it pushed two notes; the edits made
 * after restoring reuse those change numbers. They are renumbered and sent; nothing is
 * lost or duplicated. Then both at once: the server goes back too. */
static void
test_vault_restored (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *backup = g_build_filename (f->stack->dir, "a1.backup", NULL);
  g_autofree char *output = g_strdup_printf ("--output=%s", backup);
  g_autofree char *dump = g_build_filename (f->stack->dir, "server.dump", NULL);
  g_autofree char *db = g_strdup_printf ("--dbname=%s", f->stack->database);
  g_autofree char *file = g_strdup_printf ("--file=%s", dump);
  g_autofree char *parent = NULL;
  g_autofree char *moved = NULL;
  ClE2eSync s;

  ctl_ok (f->a1, "backup", output);
  note (f, f->a1, "HEAL-before-restore-1");
  note (f, f->a1, "HEAL-before-restore-2");
  cl_e2e_sync_expect (f->a1, NULL);

  /* The workstation's vault is replaced by the backup. */
  parent = g_path_get_dirname (f->a1->dir);
  moved = g_build_filename (parent, "vault-broken", NULL);
  g_assert_cmpint (g_rename (f->a1->dir, moved), ==, 0);
  ctl_ok (f->a1, "restore", backup);

  note (f, f->a1, "HEAL-after-vault-restore-1");
  note (f, f->a1, "HEAL-after-vault-restore-2");
  cl_e2e_sync_ok (f->a1, &s);
  g_assert_nonnull (strstr (s.out, "restored from a backup: 2 waiting changes"));
  cl_e2e_sync_clear (&s);
  converged (f);

  /* Both at once: the server's dump, a2's backup, work on both, then both go back. */
  g_clear_pointer (&backup, g_free);
  g_clear_pointer (&output, g_free);
  backup = g_build_filename (f->stack->dir, "a2.backup", NULL);
  output = g_strdup_printf ("--output=%s", backup);
  run_ok ("pg_dump", "--format=custom", db, file, NULL);
  ctl_ok (f->a2, "backup", output);
  note (f, f->a2, "HEAL-both-a2-1");
  cl_e2e_sync_expect (f->a2, NULL);
  note (f, f->a1, "HEAL-both-a1-1");
  cl_e2e_sync_expect (f->a1, NULL);

  cl_test_stack_stop_server (f->stack);
  run_ok ("pg_restore", "--clean", "--if-exists", db, dump, NULL);
  cl_test_stack_start_server (f->stack);
  g_clear_pointer (&parent, g_free);
  g_clear_pointer (&moved, g_free);
  parent = g_path_get_dirname (f->a2->dir);
  moved = g_build_filename (parent, "vault-broken", NULL);
  g_assert_cmpint (g_rename (f->a2->dir, moved), ==, 0);
  ctl_ok (f->a2, "restore", backup);
  /* a2's note after its backup is gone from both: the server lost it and so did the
   * restored vault. That is what restoring both from before it means. */
  g_hash_table_remove (f->committed, "HEAL-both-a2-1");
  note (f, f->a2, "HEAL-both-a2-2");
  converged (f);
}

/* Two rounds on one vault at once (the app's and caseloadctl's): the second waits for the
 * first; both succeed; nothing is sent twice. */
static void
test_one_round_at_a_time (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GSubprocess) second = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *token = g_strdup_printf ("HEAL-round-%03u", i);
      note (f, f->a1, token);
    }
  first = cl_e2e_ctl_spawn (f->a1, NULL, "sync", NULL);
  second = cl_e2e_ctl_spawn (f->a1, NULL, "sync", NULL);
  g_assert_cmpint (cl_e2e_wait (first, 120000), ==, 0);
  g_assert_cmpint (cl_e2e_wait (second, 120000), ==, 0);
  g_assert_cmpint (cl_e2e_pending (f->a1), ==, 0);
  converged (f);
}

/* Counts of what the randomized run did, for the log (and the closing figures). */
typedef struct {
  guint notes, big_notes, sets, syncs, kills, resolutions, edits_after, dumps, server_restores,
        vault_restores, conflicts, superseded;
} Tally;

static ClE2eClient *
pick (Fixture *f,
      gboolean advocates_only)
{
  ClE2eClient *all[] = { f->a1, f->a2, f->sue };

  return all[g_test_rand_int_range (0, advocates_only ? 2 : 3)];
}

/* A sync that may be killed: started, then SIGKILLed after 0–400 ms (or left to finish). */
static void
killed_sync (ClE2eClient *client)
{
  g_autoptr(GSubprocess) p = cl_e2e_ctl_spawn (client, NULL, "sync", NULL);

  g_usleep (g_test_rand_int_range (0, 400) * 1000);
  g_subprocess_force_exit (p);
  g_subprocess_wait (p, NULL, NULL);
}

static void
restore_server (Fixture    *f,
                const char *dump)
{
  g_autofree char *db = g_strdup_printf ("--dbname=%s", f->stack->database);

  cl_test_stack_stop_server (f->stack);
  run_ok ("pg_restore", "--clean", "--if-exists", db, dump, NULL);
  cl_test_stack_start_server (f->stack);
}

/* The vault goes back to a backup taken after a full sync; what it did since reached the
 * server first, so restoring it loses nothing. */
static void
restore_vault (Fixture     *f,
               ClE2eClient *client,
               guint        step)
{
  g_autofree char *backup = g_strdup_printf ("%s/random-%u.backup", f->stack->dir, step);
  g_autofree char *output = g_strdup_printf ("--output=%s", backup);
  g_autofree char *parent = g_path_get_dirname (client->dir);
  g_autofree char *moved = g_strdup_printf ("%s/vault-%u", parent, step);
  g_autofree char *token = g_strdup_printf ("HEAL-random-%u-before-restore", step);

  cl_e2e_sync_expect (client, NULL);
  ctl_ok (client, "backup", output);
  note (f, client, token);
  cl_e2e_sync_expect (client, NULL);
  g_assert_cmpint (g_rename (client->dir, moved), ==, 0);
  ctl_ok (client, "restore", backup);
}

/* Randomized operations of three vaults against one server, with crashes, restores of the
 * server and of vaults, conflicts and their resolution, then an oracle independent of the
 * engine: every note whose `add` returned is on the server exactly once and in every vault;
 * every outbox drained; and no resolution overwrote a change of its field made after the
 * conflict (from the server's own log of applied mutations). */
static void
test_randomized (Fixture       *f,
                 gconstpointer  data)
{
  guint steps = cl_e2e_long () ? 600 : 150;
  g_autofree char *dump = g_build_filename (f->stack->dir, "random.dump", NULL);
  g_autofree char *db = g_strdup_printf ("--dbname=%s", f->stack->database);
  g_autofree char *file = g_strdup_printf ("--file=%s", dump);
  g_autofree char *padding = g_strnfill (60 * 1024, 'r');
  g_autofree char *overwrites = NULL;
  g_autofree char *count = NULL;
  gboolean dumped = FALSE;
  Tally t = { 0 };

  for (guint step = 0; step < steps; step++)
    {
      guint r = g_test_rand_int_range (0, 100);
      ClE2eClient *client = pick (f, r < 60);

      if (r < 28)
        {
          g_autofree char *token = g_strdup_printf ("HEAL-random-%u", step);
          note (f, client, token);
          t.notes++;
        }
      else if (r < 31)
        {
          g_autofree char *token = g_strdup_printf ("HEAL-random-%u-%s", step, padding);
          note (f, client, token);
          t.big_notes++;
        }
      else if (r < 43)
        {
          g_autofree char *set = g_strdup_printf ("assigned_to=v%u", step);
          cl_e2e_set (client, "case", f->case_id, set, NULL);
          t.sets++;
        }
      else if (r < 60)
        {
          /* Resolve an open conflict this vault holds: keep mine or theirs, and sometimes
           * edit the field again before the next sync. */
          g_autoptr(JsonArray) list = cl_e2e_conflicts (client);
          guint n = json_array_get_length (list);

          if (n > 0)
            {
              guint i = g_test_rand_int_range (0, n);
              cl_e2e_resolve (client, cl_e2e_json_string (list, i, "id"),
                              g_test_rand_bit () ? "mine" : "theirs");
              t.resolutions++;
              if (g_test_rand_int_range (0, 3) == 0)
                {
                  g_autofree char *set = g_strdup_printf ("assigned_to=after%u", step);
                  cl_e2e_set (client, "case", f->case_id, set, NULL);
                  t.edits_after++;
                }
            }
        }
      else if (r < 84)
        {
          cl_e2e_sync_expect (client, NULL);
          t.syncs++;
        }
      else if (r < 92)
        {
          killed_sync (client);
          t.kills++;
        }
      else if (r < 95)
        {
          run_ok ("pg_dump", "--format=custom", db, file, NULL);
          dumped = TRUE;
          t.dumps++;
        }
      else if (r < 97)
        {
          if (dumped)
            {
              restore_server (f, dump);
              t.server_restores++;
            }
        }
      else if (client != f->sue)
        {
          restore_vault (f, client, step);
          t.vault_restores++;
          /* A server restore to a dump from before it would take with it the vault's work
           * the restored vault no longer holds: both sides lose it, by design. Restores of
           * the server go to dumps taken afterwards. */
          dumped = FALSE;
        }
    }

  converged (f);

  count = cl_test_stack_sql (f->stack, "SELECT count(*) FROM conflict");
  t.conflicts = g_ascii_strtoull (count, NULL, 10);
  g_clear_pointer (&count, g_free);
  count = cl_test_stack_sql (f->stack, "SELECT count(*) FROM conflict WHERE "
                             "resolution = 'superseded'");
  t.superseded = g_ascii_strtoull (count, NULL, 10);

  /* No resolution wrote over a change of its field applied after the conflict's version
   * and before the resolution's own. */
  overwrites = cl_test_stack_sql (f->stack,
                                  "SELECT string_agg(format('conflict %s (version %s, resolved "
                                  "at %s) over a change of %s at %s', c.id, c.server_version, "
                                  "c.resolved_version, c.field, l.version), '; ') "
                                  "FROM conflict c JOIN mutation_log l "
                                  "ON l.record_id = c.record_id "
                                  "WHERE c.resolution IN ('mine', 'value') "
                                  "AND l.status <> 'rejected' "
                                  "AND (l.body -> 'changes') ? c.field "
                                  "AND NOT (l.result -> 'conflicts') @> "
                                  "    jsonb_build_array(jsonb_build_object('field', c.field)) "
                                  "AND l.version > c.server_version "
                                  "AND l.version < c.resolved_version "
                                  "AND (l.body -> 'changes' -> c.field ->> 'new') "
                                  "    IS DISTINCT FROM c.client_value");
  g_assert_cmpstr (overwrites, ==, "");

  g_test_message ("randomized: %u steps, %u notes (%u of 60 KB), %u edits of one field, "
                  "%u syncs, %u killed syncs, %u resolutions (%u edited again before "
                  "syncing), %u dumps, %u server restores, %u vault restores; %u conflicts "
                  "(%u superseded by a later change), %u notes confirmed, 0 lost, "
                  "0 duplicated, 0 silent overwrites", steps, t.notes + t.big_notes,
                  t.big_notes, t.sets, t.syncs, t.kills, t.resolutions, t.edits_after,
                  t.dumps, t.server_restores, t.vault_restores, t.conflicts, t.superseded,
                  g_hash_table_size (f->committed));
}

int
main (int   argc,
      char *argv[])
{
  cl_e2e_init (&argc, &argv);
#define ADD(name, fn) \
  g_test_add ("/e2e/heal/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("resolution-after-change", test_resolution_after_change);
  ADD ("edit-after-resolution", test_edit_after_resolution);
  ADD ("conflict-pages", test_conflict_pages);
  ADD ("large-backlog", test_large_backlog);
  g_test_add ("/e2e/heal/large-backlog-small-server", Fixture, NULL, fixture_set_up_small_body,
              test_large_backlog, fixture_tear_down);
  ADD ("server-restored", test_server_restored);
  g_test_add ("/e2e/heal/point-in-time", Fixture, NULL, fixture_set_up_own_cluster,
              test_point_in_time, fixture_tear_down);
  ADD ("vault-restored", test_vault_restored);
  ADD ("one-round-at-a-time", test_one_round_at_a_time);
  ADD ("randomized", test_randomized);
#undef ADD
  return g_test_run ();
}
