/* bench-sync.c: sync end to end (vault, TLS through nginx, caseload-server, PostgreSQL),
 * next to the raw cost of moving the same rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs what the e2e suite needs: run under pg_virtualenv, with nginx and openssl
 * installed (meson sets CASELOAD_SERVER_BIN). Measures, in-process as the desktop app runs
 * it (ClSync in a worker's place, here the main thread):
 *
 *  - push of 10,000 mutations (notes) from one vault, and their pull into another;
 *  - the first full pull of a command holding CASELOAD_BENCH_CASES cases (default 100,000;
 *    each with its client), seeded straight into PostgreSQL;
 *  - an idle round (nothing changed: one pull with the digest) on a small vault and on the
 *    large one (the vault's digest is kept, migration 10), and the server's digest query
 *    alone, from the sums it keeps, beside the sum over every record.
 *
 * Beside each, the raw cost of the same rows: plain SQLCipher (the same number of rows
 * written or read in one transaction, raw key, same pragmas) plus plain libpq (the same rows
 * inserted or selected with PQexecParams in one transaction). Never fails on time.
 */

#define G_LOG_DOMAIN "bench-sync"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "cl-schema.h"
#include "cl-secret.h"
#include "cl-store.h"
#include "cl-sync.h"
#include "cl-test-stack.h"
#include "cl-vault.h"

#define PASSPHRASE "benchmark passphrase"

typedef struct {
  const char *name;
  double      caseload_ms;
  double      raw_ms;
} Row;

static GArray *rows;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
add_row (const char *name,
         double      caseload_ms,
         double      raw_ms)
{
  Row r = { name, caseload_ms, raw_ms };

  g_array_append_val (rows, r);
  g_print ("%-44s %12.1f ms %12.1f ms %8.1fx\n", name, caseload_ms, raw_ms,
           raw_ms > 0 ? caseload_ms / raw_ms : 0);
}

/* "@before N @after", N grouped by thousands ("10,000"). */
static const char *
counted (const char *before,
         guint       n,
         const char *after)
{
  g_autofree char *name = n >= 1000
                          ? g_strdup_printf ("%s %u,%03u %s", before, n / 1000, n % 1000, after)
                          : g_strdup_printf ("%s %u %s", before, n, after);

  return g_intern_string (name);
}

/* Vaults and sync -------------------------------------------------------------------- */

typedef struct {
  char    *dir;
  ClVault *vault;
  ClStore *store;
  ClSync  *sync;
} Device;

static void
device_open (Device      *d,
             ClTestStack *stack,
             const char  *username)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClSecret) password = cl_secret_new_from_string (CL_TEST_SERVER_PASSWORD);
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(GError) error = NULL;

  d->dir = g_build_filename (stack->dir, username, NULL);
  d->vault = cl_vault_create (d->dir, pass, &recovery, &error);
  g_assert_no_error (error);
  d->store = cl_store_new (d->vault, username);
  d->sync = cl_sync_new (d->store);
  if (!cl_sync_enroll (d->sync, stack->url, stack->tls->ca, username, password, NULL, &error))
    g_error ("enroll: %s", error->message);
}

static void
device_close (Device *d)
{
  g_clear_object (&d->sync);
  g_clear_object (&d->store);
  if (d->vault != NULL)
    cl_vault_lock (d->vault);
  g_clear_object (&d->vault);
  g_free (d->dir);
}

static double
round_ms (Device      *d,
          ClSyncReport *out)
{
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };
  double t = now_ms ();

  if (!cl_sync_run (d->sync, &report, NULL, &error))
    g_error ("sync: %s", error->message);
  t = now_ms () - t;
  if (out != NULL)
    *out = report;
  else
    cl_sync_report_clear (&report);
  return t;
}

/* Raw costs --------------------------------------------------------------------------- */

static sqlite3 *
plain_open (const char *path)
{
  sqlite3 *db = NULL;
  guint8 key[32];
  char hex[65];
  g_autofree char *pragma = NULL;

  randombytes_buf (key, sizeof key);
  sodium_bin2hex (hex, sizeof hex, key, sizeof key);
  pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\"", hex);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                "PRAGMA secure_delete=ON; CREATE TABLE IF NOT EXISTS rec (id TEXT PRIMARY "
                "KEY, version INTEGER, a TEXT, b TEXT, c TEXT, d TEXT)", NULL, NULL, NULL);
  return db;
}

/* n rows written in one transaction. */
static double
plain_sqlcipher_write (const char *dir,
                       guint       n)
{
  g_autofree char *path = g_build_filename (dir, "plain.db", NULL);
  sqlite3 *db = plain_open (path);
  sqlite3_stmt *stmt = NULL;
  double t = now_ms ();

  sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_uuid_new ();
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, i + 1);
      sqlite3_bind_text (stmt, 3, "2026-11-02T10:00:00Z", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, "a note of a day's work, benchmark text", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, "dv", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, "14", -1, SQLITE_STATIC);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  t = now_ms () - t;
  sqlite3_close (db);
  g_unlink (path);
  return t;
}

/* n rows read back (written first, untimed). */
static double
plain_sqlcipher_read (const char *dir,
                      guint       n)
{
  g_autofree char *path = g_build_filename (dir, "plain-read.db", NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  double t;
  guint seen = 0;

  plain_sqlcipher_write (dir, 0);
  db = plain_open (path);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO rec VALUES ('%u', %u, 'x', 'y', 'z', 'w')",
                                              i, i);
      sqlite3_exec (db, sql, NULL, NULL, NULL);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  t = now_ms ();
  sqlite3_prepare_v2 (db, "SELECT id, version, a, b, c, d FROM rec", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    seen += sqlite3_column_bytes (stmt, 0) > 0;
  sqlite3_finalize (stmt);
  t = now_ms () - t;
  sqlite3_close (db);
  g_unlink (path);
  g_assert_cmpuint (seen, ==, n);
  return t;
}

static PGconn *
plain_pg (ClTestStack *stack)
{
  PGconn *conn = PQconnectdb (stack->conninfo);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  PQclear (PQexec (conn, "CREATE TABLE IF NOT EXISTS bench_rec (id uuid PRIMARY KEY, "
                         "version bigint, fields jsonb)"));
  return conn;
}

static double
plain_libpq_write (ClTestStack *stack,
                   guint        n)
{
  PGconn *conn = plain_pg (stack);
  double t = now_ms ();

  PQclear (PQexec (conn, "BEGIN"));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_uuid_new ();
      g_autofree char *version = g_strdup_printf ("%u", i + 1);
      const char *params[] = {
        id, version, "{\"at\":\"2026-11-02T10:00:00Z\",\"text\":\"a note of a day's work\"}",
      };
      PQclear (PQexecParams (conn, "INSERT INTO bench_rec VALUES ($1, $2, $3::jsonb)", 3,
                             NULL, params, NULL, NULL, 0));
    }
  PQclear (PQexec (conn, "COMMIT"));
  t = now_ms () - t;
  PQclear (PQexec (conn, "TRUNCATE bench_rec"));
  PQfinish (conn);
  return t;
}

static double
plain_libpq_read (ClTestStack *stack,
                  const char  *where,
                  guint       *n)
{
  PGconn *conn = plain_pg (stack);
  g_autofree char *sql = g_strdup_printf ("SELECT id, version, fields::text FROM record %s",
                                          where);
  PGresult *r;
  double t = now_ms ();

  r = PQexecParams (conn, sql, 0, NULL, NULL, NULL, NULL, 0);
  t = now_ms () - t;
  *n = PQntuples (r);
  PQclear (r);
  PQfinish (conn);
  return t;
}

/* The server's part of an idle round: the digest of what an advocate of command 14 reads,
 * from the sums kept per scope (migration 9), beside the same sum computed over every
 * record, as the server did before. Means of 5. */
static void
server_digest_row (ClTestStack *stack)
{
  static const char kept[] =
    "SELECT (coalesce(sum(h), 0) % 18446744073709551616)::text FROM record_digest"
    " WHERE scope && ARRAY['cmd:14']";
  static const char computed[] =
    "SELECT (sum(record_digest_term (id, version)) % 18446744073709551616)::text FROM record"
    " WHERE NOT deleted AND version > 0 AND scope && ARRAY['cmd:14']";
  PGconn *conn = plain_pg (stack);
  double t[2] = { 0, 0 };
  g_autofree char *sums[2] = { NULL, NULL };

  for (guint q = 0; q < 2; q++)
    for (guint i = 0; i < 5; i++)
      {
        double t0 = now_ms ();
        PGresult *r = PQexec (conn, q == 0 ? kept : computed);

        t[q] += (now_ms () - t0) / 5;
        g_free (sums[q]);
        sums[q] = g_strdup (PQgetvalue (r, 0, 0));
        PQclear (r);
      }
  PQfinish (conn);
  g_assert_cmpstr (sums[0], ==, sums[1]);
  add_row ("server digest: kept (raw: summed over records)", t[0], t[1]);
}

/* Seeding ----------------------------------------------------------------------------- */

static void
seed_command (ClTestStack *stack,
              guint        cases)
{
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;

  /* Clients and cases of command 14 straight into PostgreSQL, versions taken from the
   * clock as the server does, scopes as srv-records.c computes them. */
  sql = g_strdup_printf (
    "BEGIN;"
    "CREATE TEMP TABLE seed AS SELECT g, gen_random_uuid () AS client, gen_random_uuid () AS kase"
    "  FROM generate_series (1, %u) g;"
    "INSERT INTO record (id, type, version, fields, field_versions, parent_id, scope)"
    "  SELECT client, 'client', (SELECT v FROM sync_clock) + 2 * g - 1,"
    "    jsonb_build_object ('legal_name', 'Bench Client ' || g, 'preferred_name', 'B' || g),"
    "    jsonb_build_object ('legal_name', (SELECT v FROM sync_clock) + 2 * g - 1,"
    "                        'preferred_name', (SELECT v FROM sync_clock) + 2 * g - 1),"
    "    NULL, ARRAY['cmd:14'] FROM seed;"
    "INSERT INTO record (id, type, version, fields, field_versions, parent_id, scope)"
    "  SELECT kase, 'case', (SELECT v FROM sync_clock) + 2 * g,"
    "    jsonb_build_object ('client_id', client::text, 'command', '14', 'track', 'dv',"
    "      'status', 'active', 'referral_received_at', '2026-11-01T10:00:00Z',"
    "      'assigned_to', 'advocate ' || (g %% 7)),"
    "    jsonb_build_object ('client_id', (SELECT v FROM sync_clock) + 2 * g,"
    "      'command', (SELECT v FROM sync_clock) + 2 * g, 'track', (SELECT v FROM sync_clock) + 2 * g,"
    "      'status', (SELECT v FROM sync_clock) + 2 * g,"
    "      'referral_received_at', (SELECT v FROM sync_clock) + 2 * g,"
    "      'assigned_to', (SELECT v FROM sync_clock) + 2 * g),"
    "    client, ARRAY['cmd:14'] FROM seed;"
    "UPDATE sync_clock SET v = v + 2 * %u;"
    "COMMIT;", cases, cases);
  out = cl_test_stack_sql (stack, sql);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ClTestTls) tls = NULL;
  g_autoptr(ClTestStack) stack = NULL;
  g_autofree char *tmp = NULL;
  const char *env = g_getenv ("CASELOAD_BENCH_CASES");
  guint n_cases = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 100000;
  guint n_mutations = 10000;
  Device a = { 0 }, b = { 0 }, c = { 0 };
  ClSyncReport report = { 0 };
  g_autofree char *case_id = NULL;
  double t, raw;
  guint n;

  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  rows = g_array_new (FALSE, FALSE, sizeof (Row));
  if (n_cases == 0)
    n_cases = 100000;

  tmp = g_dir_make_tmp ("caseload-bench-sync-XXXXXX", NULL);
  {
    g_autofree char *d = g_build_filename (tmp, "tls", NULL);
    tls = cl_test_tls_new (d);
  }
  stack = cl_test_stack_new (tls, "[server]\nworkers = 4\n[login]\naccount-limit = 100\n", NULL);
  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "ben", "advocate_cv", "14");
  cl_test_stack_user_add (stack, "cat", "advocate_dv", "14");

  g_print ("Sync, end to end through TLS and nginx (%u mutations, %u cases)\n\n",
           n_mutations, n_cases);
  g_print ("%-44s %15s %15s %9s\n", "operation", "caseload", "raw", "ratio");

  /* Push of 10,000 mutations (CASELOAD_BENCH_MUTATIONS sets another count). */
  if ((env = g_getenv ("CASELOAD_BENCH_MUTATIONS")) != NULL)
    n_mutations = MAX (3, (guint) g_ascii_strtoull (env, NULL, 10));
  device_open (&a, stack, "ana");
  device_open (&b, stack, "ben");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClChanges) client = cl_changes_new ();
    g_autoptr(ClChanges) kase = cl_changes_new ();
    g_autofree char *client_id = NULL;

    cl_changes_set (client, "legal_name", "Bench Push");
    g_assert_true (cl_store_begin (a.store, &error));
    client_id = cl_store_create (a.store, "client", client, &error);
    cl_changes_set (kase, "client_id", client_id);
    cl_changes_set (kase, "command", "14");
    cl_changes_set (kase, "track", "dv");
    cl_changes_set (kase, "referral_received_at", "2026-11-01T10:00:00Z");
    case_id = cl_store_create (a.store, "case", kase, &error);
    for (guint i = 0; i < n_mutations - 2; i++)
      {
        g_autoptr(ClChanges) note = cl_changes_new ();
        g_autofree char *text = g_strdup_printf ("bench note %u: a note of a day's work", i);
        g_autofree char *id = NULL;

        cl_changes_set (note, "case_id", case_id);
        cl_changes_set (note, "at", "2026-11-02T10:00:00Z");
        cl_changes_set (note, "text", text);
        id = cl_store_create (a.store, "note", note, &error);
        g_assert_nonnull (id);
      }
    g_assert_true (cl_store_commit (a.store, &error));
  }
  t = round_ms (&a, &report);
  g_assert_cmpuint (report.pushed, >=, n_mutations);
  cl_sync_report_clear (&report);
  raw = plain_sqlcipher_read (tmp, n_mutations) + plain_libpq_write (stack, n_mutations);
  add_row (counted ("push", n_mutations, "mutations (one round)"), t, raw);

  t = round_ms (&b, &report);
  n = report.pulled;
  cl_sync_report_clear (&report);
  {
    guint got = 0;
    raw = plain_libpq_read (stack, "WHERE type IN ('client', 'case', 'note')", &got) +
          plain_sqlcipher_write (tmp, got);
  }
  g_print ("  (pulled %u records)\n", n);
  add_row (counted ("pull", n_mutations, "mutations into another vault"), t, raw);

  /* Idle round. */
  {
    const guint rounds = 20;
    double total = 0;

    for (guint i = 0; i < rounds; i++)
      total += round_ms (&b, NULL);
    {
      PGconn *conn = plain_pg (stack);
      double r0 = now_ms ();
      for (guint i = 0; i < rounds; i++)
        PQclear (PQexec (conn, "SELECT v FROM sync_clock"));
      raw = (now_ms () - r0) / rounds;
      PQfinish (conn);
    }
    add_row ("idle round (nothing changed)", total / rounds, raw);
  }
  device_close (&a);
  device_close (&b);

  /* First full pull of a large command. */
  t = now_ms ();
  seed_command (stack, n_cases);
  g_print ("  (seeded %u cases and clients into PostgreSQL in %.1f s)\n", n_cases,
           (now_ms () - t) / 1000.0);
  device_open (&c, stack, "cat");
  t = round_ms (&c, &report);
  n = report.pulled;
  cl_sync_report_clear (&report);
  {
    guint got = 0;
    raw = plain_libpq_read (stack, "WHERE type IN ('client', 'case', 'note')", &got) +
          plain_sqlcipher_write (tmp, got);
  }
  {
    g_autofree char *name = g_strdup_printf ("first full pull, %u cases (%u records)",
                                             n_cases, n);
    add_row (g_intern_string (name), t, raw);
  }
  t = round_ms (&c, NULL);
  add_row ("first round after it", t, 0);
  t = 0;
  for (guint i = 0; i < 5; i++)
    t += round_ms (&c, NULL);
  add_row ("idle round on that vault (mean of 5)", t / 5, 0);
  server_digest_row (stack);
  device_close (&c);

  {
    const char *argv_rm[] = { "rm", "-rf", tmp, NULL };
    int status;
    g_autofree char *out = cl_test_run (argv_rm, NULL, &status, NULL);
  }
  g_array_unref (rows);
  return 0;
}
