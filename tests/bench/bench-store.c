/* bench-store.c: the vault and store at scale, next to plain SQLCipher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds a vault with the demo generator (CASELOAD_BENCH_CASES cases, default 100,000),
 * then times what an advocate's workstation does all day, each beside the same work on
 * plain SQLCipher: tables with the same columns, a raw key, the same pragmas, and none of
 * what the store adds (outbox, history, derived columns, full-text search, audit). Prints
 * a table of operation, caseload ms, plain ms and their ratio. Never fails on time.
 *
 * Key derivation is made cheap (CASELOAD_TEST_FAST_KDF=1): unlock is measured without the
 * deliberate half second of Argon2id.
 */

#define G_LOG_DOMAIN "bench-store"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "cl-case-list.h"
#include "cl-csv.h"
#include "cl-demo.h"
#include "cl-export.h"
#include "cl-import.h"
#include "cl-secret.h"
#include "cl-store.h"
#include "cl-vault.h"
#include "cl-vault-private.h"

#define PASSPHRASE "benchmark passphrase"

/* The types copied into the plain database: cases, clients and what hangs off them. */
static const char * const plain_types[] = {
  "client", "safe_contact", "case", "referral", "victimization", "contact", "service",
  "outbound_referral", "immigration", "legal_matter", "compensation", "task", "safety_plan",
  "note",
};

/* The children an open case page shows. */
static const char * const case_children[] = {
  "referral", "victimization", "contact", "service", "outbound_referral", "immigration",
  "legal_matter", "compensation", "task", "safety_plan", "note",
};

static const char * const search_queries[] = {
  "garcia", "jose", "ivanova", "kim min", "rahman fatema", "pierre",
};

typedef struct {
  const char *name;
  double      caseload_ms;
  double      plain_ms;
} Row;

static GArray *rows;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The CPU time of this process: on a shared machine the writes that wait for one fsync
 * each vary with the others' disk use, this much less. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
add_row (const char *name,
         double      caseload_ms,
         double      plain_ms)
{
  Row row = { name, caseload_ms, plain_ms };

  g_array_append_val (rows, row);
  g_printerr ("  %-40s %10.3f %10.3f\n", name, caseload_ms, plain_ms);
}

static void
check (gboolean     ok,
       const GError *error,
       const char  *what)
{
  if (!ok)
    g_error ("%s: %s", what, error != NULL ? error->message : "failed");
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static sqlite3_stmt *
prepare_or_die (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

/* Plain SQLCipher ---------------------------------------------------------------------- */

static const char plain_pragmas[] =
  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
  "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 0;";

static sqlite3 *
plain_open (const char *path,
            const char *raw_key)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    g_error ("open %s: %s", path, sqlite3_errmsg (db));
  if (sqlite3_key (db, raw_key, (int) strlen (raw_key)) != SQLITE_OK)
    g_error ("key: %s", sqlite3_errmsg (db));
  /* A wrong key only shows at the first read, as in the vault. */
  exec_or_die (db, "SELECT count(*) FROM sqlite_master");
  exec_or_die (db, plain_pragmas);
  return db;
}

static char *
column_list (const ClType *type)
{
  GString *out = g_string_new (CL_RECORD_COLUMNS);

  for (guint i = 0; i < type->n_fields; i++)
    g_string_append_printf (out, ", %s", type->fields[i].name);
  return g_string_free (out, FALSE);
}

static void
plain_create_tables (sqlite3 *db)
{
  for (guint t = 0; t < G_N_ELEMENTS (plain_types); t++)
    {
      const ClType *type = cl_schema_lookup_type (plain_types[t]);
      g_autoptr(GString) sql = g_string_new (NULL);

      g_string_append_printf (sql, "CREATE TABLE %s (id TEXT PRIMARY KEY NOT NULL, "
                              "version INTEGER, created_at TEXT, created_by TEXT, "
                              "updated_at TEXT, updated_by TEXT, deleted INTEGER",
                              type->table);
      for (guint i = 0; i < type->n_fields; i++)
        g_string_append_printf (sql, ", %s %s", type->fields[i].name,
                                type->fields[i].kind == CL_FIELD_INT ||
                                type->fields[i].kind == CL_FIELD_BOOL ? "INTEGER" : "TEXT");
      g_string_append (sql, ")");
      exec_or_die (db, sql->str);
      if (type->parent != NULL)
        {
          g_autofree char *index = g_strdup_printf ("CREATE INDEX %s_parent ON %s (%s)",
                                                    type->table, type->table, type->parent);
          exec_or_die (db, index);
        }
    }
  /* The indexes a plain application would have for its case list. */
  exec_or_die (db, "CREATE INDEX cases_status_activity ON cases (status, last_activity_at)");
}

/* Copies every record of the copied types from the vault into the plain database. */
static void
plain_copy (sqlite3 *vault_db,
            sqlite3 *db)
{
  exec_or_die (db, "BEGIN");
  for (guint t = 0; t < G_N_ELEMENTS (plain_types); t++)
    {
      const ClType *type = cl_schema_lookup_type (plain_types[t]);
      g_autofree char *columns = column_list (type);
      g_autofree char *select = g_strdup_printf ("SELECT %s FROM %s", columns, type->table);
      g_autoptr(GString) insert = g_string_new (NULL);
      sqlite3_stmt *from, *to;
      int n = 7 + (int) type->n_fields;

      g_string_append_printf (insert, "INSERT INTO %s (%s) VALUES (?", type->table, columns);
      for (int i = 1; i < n; i++)
        g_string_append (insert, ", ?");
      g_string_append (insert, ")");

      from = prepare_or_die (vault_db, select);
      to = prepare_or_die (db, insert->str);
      while (sqlite3_step (from) == SQLITE_ROW)
        {
          for (int i = 0; i < n; i++)
            sqlite3_bind_value (to, i + 1, sqlite3_column_value (from, i));
          if (sqlite3_step (to) != SQLITE_DONE)
            g_error ("copy %s: %s", type->table, sqlite3_errmsg (db));
          sqlite3_reset (to);
        }
      sqlite3_finalize (from);
      sqlite3_finalize (to);
    }
  exec_or_die (db, "COMMIT");
}

/* Helpers ------------------------------------------------------------------------------ */

static GPtrArray *
sample_ids (sqlite3    *db,
            const char *sql,
            guint       n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = prepare_or_die (db, sql);

  sqlite3_bind_int (stmt, 1, (int) n);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return ids;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  if (done % 10000 == 0 || done == total)
    g_printerr ("  demo: %u / %u cases\n", done, total);
}

static char *
make_import_csv (guint n)
{
  GString *csv = g_string_new ("legal_name,preferred_name,date_of_birth,gender,"
                               "preferred_language,phone\r\n");
  static const char * const given[] = { "María", "José", "Xiuying", "Fatema", "Olga",
                                        "Wilner", "Min-ji", "Łukasz", "Amira", "Keisha" };
  static const char * const family[] = { "Peña", "Rodríguez", "Wang", "Rahman", "Ivanova",
                                         "Pierre", "Kim", "Wiśniewski", "Haddad", "Johnson" };
  static const char * const langs[] = { "es", "es", "zh", "bn", "ru", "ht", "ko", "pl", "ar",
                                        "en" };
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < n; i++)
    {
      guint g = g_rand_int_range (rand, 0, 10), f = g_rand_int_range (rand, 0, 10);

      g_string_append_printf (csv, "\"%s %s\",,%04d-%02d-%02d,%s,%s,(718) 555-%04u\r\n",
                              given[g], family[f], g_rand_int_range (rand, 1940, 2008),
                              g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
                              g_rand_boolean (rand) ? "female" : "male", langs[g],
                              g_rand_int_range (rand, 100, 9999));
    }
  g_rand_free (rand);
  return g_string_free (csv, FALSE);
}

/* The benchmark ------------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *vault_dir = NULL;
  g_autofree char *plain_path = NULL;
  g_autofree char *raw_key = NULL;
  g_autoptr(ClSecret) passphrase = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClStore) store = NULL;
  g_autoptr(GPtrArray) case_ids = NULL;
  g_autoptr(GPtrArray) client_ids = NULL;
  const char *env;
  guint n_cases = 100000;
  sqlite3 *plain;
  guint8 key[32];
  double t0, t1, c0, caseload, plain_ms, demo_ms, demo_cpu_ms, caseload_cpu;
  guint64 vault_bytes, plain_bytes;

  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  rows = g_array_new (FALSE, FALSE, sizeof (Row));

  env = g_getenv ("CASELOAD_BENCH_CASES");
  if (env != NULL && *env != '\0')
    n_cases = (guint) g_ascii_strtoull (env, NULL, 10);
  if (n_cases < 100)
    n_cases = 100;

  dir = g_dir_make_tmp ("caseload-bench-XXXXXX", &error);
  check (dir != NULL, error, "temporary folder");
  vault_dir = g_build_filename (dir, "vault", NULL);
  plain_path = g_build_filename (dir, "plain.db", NULL);

  /* The vault, filled by the demo generator. */
  g_printerr ("Building a vault of %u demo cases in %s ...\n", n_cases, dir);
  passphrase = cl_secret_new_from_string (PASSPHRASE);
  vault = cl_vault_create (vault_dir, passphrase, NULL, &error);
  check (vault != NULL, error, "create vault");
  store = cl_store_new (vault, "bench");
  t0 = now_ms ();
  c0 = cpu_ms ();
  check (cl_demo_generate (store, n_cases, 1, progress_cb, NULL, NULL, &error), error, "demo");
  t1 = now_ms ();
  demo_ms = t1 - t0;
  demo_cpu_ms = cpu_ms () - c0;
  g_printerr ("  demo: %.1f s (%.2f ms per case with its records)\n", demo_ms / 1000.0,
              demo_ms / n_cases);

  /* The plain twin, with its own random raw key. */
  randombytes_buf (key, sizeof key);
  {
    g_autofree char *hex = g_malloc (sizeof key * 2 + 1);
    sodium_bin2hex (hex, sizeof key * 2 + 1, key, sizeof key);
    raw_key = g_strdup_printf ("x'%s'", hex);
    sodium_memzero (hex, sizeof key * 2 + 1);
  }
  plain = plain_open (plain_path, raw_key);
  plain_create_tables (plain);
  t0 = now_ms ();
  plain_copy (cl_vault_get_db (vault), plain);
  g_printerr ("  plain copy: %.1f s\n", (now_ms () - t0) / 1000.0);

  case_ids = sample_ids (plain, "SELECT id FROM cases ORDER BY random() LIMIT ?", 200);
  client_ids = sample_ids (plain, "SELECT id FROM client ORDER BY random() LIMIT ?", 1000);

  g_printerr ("\n  %-40s %10s %10s\n", "operation", "caseload", "plain");

  /* Unlock: open + key + pragmas + migration check (no key derivation). */
  {
    const guint runs = 10;

    g_clear_object (&store);
    cl_vault_lock (vault);
    g_clear_object (&vault);
    t0 = now_ms ();
    for (guint i = 0; i < runs; i++)
      {
        g_autoptr(ClVault) v = cl_vault_unlock (vault_dir, passphrase, &error);
        check (v != NULL, error, "unlock");
        cl_vault_lock (v);
      }
    caseload = (now_ms () - t0) / runs;

    sqlite3_close (plain);
    t0 = now_ms ();
    for (guint i = 0; i < runs; i++)
      {
        sqlite3 *db = plain_open (plain_path, raw_key);
        sqlite3_close (db);
      }
    plain_ms = (now_ms () - t0) / runs;
    add_row ("unlock (without key derivation)", caseload, plain_ms);

    vault = cl_vault_unlock (vault_dir, passphrase, &error);
    check (vault != NULL, error, "unlock");
    store = cl_store_new (vault, "bench");
    plain = plain_open (plain_path, raw_key);
  }

  /* Insert 1000 cases, one transaction each, as saving a new case does. */
  {
    const guint n = 1000;
    sqlite3_stmt *stmt;

    t0 = now_ms ();
    c0 = cpu_ms ();
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(ClChanges) values = cl_changes_new ();
        g_autofree char *id = NULL;

        cl_changes_set (values, "client_id", g_ptr_array_index (client_ids, i % client_ids->len));
        cl_changes_set (values, "command", "14");
        cl_changes_set (values, "track", "dv");
        cl_changes_set (values, "status", "referred");
        cl_changes_set (values, "referral_received_at", "2024-05-01T14:00:00Z");
        id = cl_store_create (store, "case", values, &error);
        check (id != NULL, error, "create case");
      }
    caseload = now_ms () - t0;
    caseload_cpu = cpu_ms () - c0;

    stmt = prepare_or_die (plain, "INSERT INTO cases (id, version, created_at, created_by, "
                           "updated_at, updated_by, deleted, client_id, case_number, command, "
                           "assigned_to, track, status, referral_received_at) VALUES "
                           "(?, 0, ?, 'bench', ?, 'bench', 0, ?, ?, '14', 'bench', 'dv', "
                           "'referred', '2024-05-01T14:00:00Z')");
    t0 = now_ms ();
    c0 = cpu_ms ();
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *id = cl_uuid_new ();
        g_autofree char *at = cl_now_utc ();
        g_autofree char *number = g_strdup_printf ("CL-%.8s", id);

        exec_or_die (plain, "BEGIN IMMEDIATE");
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 2, at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 3, at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 4, g_ptr_array_index (client_ids, i % client_ids->len), -1,
                           SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 5, number, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("plain insert: %s", sqlite3_errmsg (plain));
        sqlite3_reset (stmt);
        exec_or_die (plain, "COMMIT");
      }
    sqlite3_finalize (stmt);
    plain_ms = now_ms () - t0;
    add_row ("insert 1000 cases (1 transaction each)", caseload, plain_ms);
    add_row ("  the same, CPU time", caseload_cpu, cpu_ms () - c0);
  }

  /* First page of the "all open cases" list, by last activity. */
  {
    const guint runs = 5;
    sqlite3_stmt *stmt;

    t0 = now_ms ();
    for (guint r = 0; r < runs; r++)
      {
        g_autoptr(ClCaseList) list = cl_case_list_new (store, CL_CASE_VIEW_ALL);

        cl_case_list_set_sort (list, CL_CASE_SORT_LAST_ACTIVITY, TRUE);
        for (guint i = 0; i < 50 && i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
          {
            g_autoptr(ClCaseSummary) row = g_list_model_get_item (G_LIST_MODEL (list), i);
            g_assert (row != NULL);
          }
      }
    caseload = (now_ms () - t0) / runs;

    stmt = prepare_or_die (plain,
                           "SELECT c.id, c.client_id, coalesce(k.preferred_name, k.legal_name, "
                           "k.pseudonym), c.case_number, c.status, c.track, c.command, "
                           "c.assigned_to, c.last_activity_at, c.next_due_on FROM cases c "
                           "LEFT JOIN client k ON k.id = c.client_id WHERE c.deleted = 0 AND "
                           "c.status <> 'closed' ORDER BY c.last_activity_at IS NULL, "
                           "c.last_activity_at DESC, c.rowid DESC LIMIT 50");
    t0 = now_ms ();
    for (guint r = 0; r < runs; r++)
      {
        while (sqlite3_step (stmt) == SQLITE_ROW)
          ;
        sqlite3_reset (stmt);
      }
    sqlite3_finalize (stmt);
    plain_ms = (now_ms () - t0) / runs;
    add_row ("case list: first 50, by last activity", caseload, plain_ms);
  }

  /* Search. */
  {
    sqlite3_stmt *stmt;

    t0 = now_ms ();
    for (guint q = 0; q < G_N_ELEMENTS (search_queries); q++)
      {
        g_autoptr(GListModel) results = cl_store_search (store, search_queries[q], 50, &error);
        check (results != NULL, error, "search");
      }
    caseload = (now_ms () - t0) / G_N_ELEMENTS (search_queries);

    stmt = prepare_or_die (plain,
                           "SELECT c.id, c.case_number, coalesce(k.preferred_name, "
                           "k.legal_name, k.pseudonym), c.status FROM cases c JOIN client k "
                           "ON k.id = c.client_id WHERE c.deleted = 0 AND "
                           "(coalesce(k.legal_name, '') || ' ' || coalesce(k.preferred_name, '') "
                           "|| ' ' || coalesce(k.pseudonym, '') || ' ' || coalesce(k.phone, '') "
                           "|| ' ' || coalesce(c.case_number, '')) LIKE ?1 "
                           "ORDER BY c.status = 'closed', c.last_activity_at DESC LIMIT 50");
    t0 = now_ms ();
    for (guint q = 0; q < G_N_ELEMENTS (search_queries); q++)
      {
        g_auto(GStrv) words = g_strsplit (search_queries[q], " ", -1);
        g_autofree char *pattern = g_strdup_printf ("%%%s%%", words[0]);

        sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          ;
        sqlite3_reset (stmt);
      }
    sqlite3_finalize (stmt);
    plain_ms = (now_ms () - t0) / G_N_ELEMENTS (search_queries);
    add_row ("search (per query; plain: LIKE, no FTS)", caseload, plain_ms);
  }

  /* Open a case: the case, its client and every child list. */
  {
    const guint n = MIN (100, case_ids->len);
    sqlite3_stmt *by_id, *client_stmt;
    sqlite3_stmt *children[G_N_ELEMENTS (case_children)];

    t0 = now_ms ();
    for (guint i = 0; i < n; i++)
      {
        const char *id = g_ptr_array_index (case_ids, i);
        g_autoptr(ClRecord) c = cl_store_get (store, "case", id, &error);
        g_autoptr(ClRecord) k = NULL;

        check (c != NULL, error, "get case");
        k = cl_store_get (store, "client", cl_record_get (c, "client_id"), &error);
        check (k != NULL, error, "get client");
        for (guint j = 0; j < G_N_ELEMENTS (case_children); j++)
          {
            g_autoptr(GPtrArray) list = cl_store_list_children (store, case_children[j], id,
                                                                &error);
            check (list != NULL, error, "children");
          }
      }
    caseload = (now_ms () - t0) / n;

    by_id = prepare_or_die (plain, "SELECT * FROM cases WHERE id = ?");
    client_stmt = prepare_or_die (plain, "SELECT * FROM client WHERE id = ?");
    for (guint j = 0; j < G_N_ELEMENTS (case_children); j++)
      {
        const ClType *type = cl_schema_lookup_type (case_children[j]);
        g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE case_id = ? AND "
                                                "deleted = 0 ORDER BY created_at, id",
                                                type->table);
        children[j] = prepare_or_die (plain, sql);
      }
    t0 = now_ms ();
    for (guint i = 0; i < n; i++)
      {
        const char *id = g_ptr_array_index (case_ids, i);
        g_autofree char *client_id = NULL;

        sqlite3_bind_text (by_id, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step (by_id) == SQLITE_ROW)
          client_id = g_strdup ((const char *) sqlite3_column_text (by_id, 7));
        sqlite3_reset (by_id);
        sqlite3_bind_text (client_stmt, 1, client_id, -1, SQLITE_STATIC);
        while (sqlite3_step (client_stmt) == SQLITE_ROW)
          ;
        sqlite3_reset (client_stmt);
        for (guint j = 0; j < G_N_ELEMENTS (case_children); j++)
          {
            sqlite3_bind_text (children[j], 1, id, -1, SQLITE_STATIC);
            while (sqlite3_step (children[j]) == SQLITE_ROW)
              ;
            sqlite3_reset (children[j]);
          }
      }
    plain_ms = (now_ms () - t0) / n;
    sqlite3_finalize (by_id);
    sqlite3_finalize (client_stmt);
    for (guint j = 0; j < G_N_ELEMENTS (case_children); j++)
      sqlite3_finalize (children[j]);
    add_row ("open a case (case, client, 11 child lists)", caseload, plain_ms);
  }

  /* Save an edit. */
  {
    const guint n = MIN (100, case_ids->len);
    sqlite3_stmt *stmt;

    t0 = now_ms ();
    c0 = cpu_ms ();
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(ClChanges) values = cl_changes_new ();

        cl_changes_set (values, "assigned_to", i % 2 ? "advocate.a" : "advocate.b");
        cl_changes_set (values, "victim_role", i % 2 ? "primary" : "secondary");
        check (cl_store_update (store, "case", g_ptr_array_index (case_ids, i), values, &error),
               error, "update");
      }
    caseload = (now_ms () - t0) / n;
    caseload_cpu = (cpu_ms () - c0) / n;

    stmt = prepare_or_die (plain, "UPDATE cases SET assigned_to = ?, victim_role = ?, "
                           "updated_at = ?, updated_by = 'bench', version = version + 1 "
                           "WHERE id = ?");
    t0 = now_ms ();
    c0 = cpu_ms ();
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *at = cl_now_utc ();

        exec_or_die (plain, "BEGIN IMMEDIATE");
        sqlite3_bind_text (stmt, 1, i % 2 ? "advocate.a" : "advocate.b", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 2, i % 2 ? "primary" : "secondary", -1, SQLITE_STATIC);
        sqlite3_bind_text (stmt, 3, at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 4, g_ptr_array_index (case_ids, i), -1, SQLITE_STATIC);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("plain update: %s", sqlite3_errmsg (plain));
        sqlite3_reset (stmt);
        exec_or_die (plain, "COMMIT");
      }
    plain_ms = (now_ms () - t0) / n;
    add_row ("save an edit (2 fields of a case)", caseload, plain_ms);
    add_row ("  the same, CPU time", caseload_cpu, (cpu_ms () - c0) / n);
    sqlite3_finalize (stmt);
  }

  /* Import 10,000 clients from CSV. */
  {
    const guint n = 10000;
    g_autofree char *csv = make_import_csv (n);
    g_autoptr(ClImportResult) result = cl_import_result_new ();
    g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (csv, -1, NULL);
    g_autoptr(GInputStream) in2 = g_memory_input_stream_new_from_data (csv, -1, NULL);
    g_autoptr(ClCsvReader) reader = cl_csv_reader_new (in2);
    g_autoptr(GPtrArray) header = NULL;
    sqlite3_stmt *stmt;
    guint imported = 0;

    t0 = now_ms ();
    c0 = cpu_ms ();
    check (cl_import_csv (store, "client", in, result, NULL, &error), error, "import");
    caseload = now_ms () - t0;
    caseload_cpu = cpu_ms () - c0;
    g_assert (result->n_imported == n);

    /* Plain: the same parsing and checks of every value, inserts in one transaction. */
    stmt = prepare_or_die (plain, "INSERT INTO client (id, version, created_at, created_by, "
                           "updated_at, updated_by, deleted, legal_name, preferred_name, "
                           "date_of_birth, gender, preferred_language, phone) VALUES "
                           "(?, 0, ?, 'bench', ?, 'bench', 0, ?, ?, ?, ?, ?, ?)");
    t0 = now_ms ();
    c0 = cpu_ms ();
    check (cl_csv_reader_next (reader, &header, NULL, &error), error, "header");
    exec_or_die (plain, "BEGIN IMMEDIATE");
    for (;;)
      {
        g_autoptr(GPtrArray) fields = NULL;
        g_autofree char *id = cl_uuid_new ();
        g_autofree char *at = cl_now_utc ();
        const ClType *type = cl_schema_lookup_type ("client");

        check (cl_csv_reader_next (reader, &fields, NULL, &error), error, "csv");
        if (fields == NULL)
          break;
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 2, at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (stmt, 3, at, -1, SQLITE_TRANSIENT);
        for (guint i = 0; i < fields->len; i++)
          {
            const ClField *field = cl_type_lookup_field (type, g_ptr_array_index (header, i));
            g_autofree char *value = cl_field_normalize (field, g_ptr_array_index (fields, i),
                                                         &error);

            check (error == NULL, error, "normalize");
            sqlite3_bind_text (stmt, 4 + (int) i, value, -1, SQLITE_TRANSIENT);
          }
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("plain import: %s", sqlite3_errmsg (plain));
        sqlite3_reset (stmt);
        imported++;
      }
    exec_or_die (plain, "COMMIT");
    plain_ms = now_ms () - t0;
    add_row ("import 10,000 clients (CSV)", caseload, plain_ms);
    add_row ("  the same, CPU time", caseload_cpu, cpu_ms () - c0);
    sqlite3_finalize (stmt);
    g_assert (imported == n);
  }

  /* Export every case as CSV. */
  {
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GOutputStream) out2 = g_memory_output_stream_new_resizable ();
    g_autoptr(ClCsvWriter) writer = cl_csv_writer_new (out2);
    const ClType *type = cl_schema_lookup_type ("case");
    g_autofree char *columns = column_list (type);
    g_autofree char *sql = g_strdup_printf ("SELECT %s FROM cases WHERE deleted = 0 "
                                            "ORDER BY rowid", columns);
    g_autofree const char **values = g_new0 (const char *, type->n_fields + 1);
    gint64 n = 0;
    sqlite3_stmt *stmt;

    t0 = now_ms ();
    check (cl_export (store, "case", CL_EXPORT_FORMAT_CSV, FALSE, out, NULL, &n, NULL, &error), error,
           "export");
    caseload = now_ms () - t0;

    stmt = prepare_or_die (plain, sql);
    t0 = now_ms ();
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        values[0] = (const char *) sqlite3_column_text (stmt, 0);
        for (guint i = 0; i < type->n_fields; i++)
          values[i + 1] = (const char *) sqlite3_column_text (stmt, 7 + (int) i);
        check (cl_csv_writer_write_record (writer, values, type->n_fields + 1, NULL, &error),
               error, "write");
      }
    check (cl_csv_writer_flush (writer, NULL, &error), error, "flush");
    plain_ms = now_ms () - t0;
    sqlite3_finalize (stmt);
    g_printerr ("  (exported %" G_GINT64_FORMAT " cases, %" G_GSIZE_FORMAT " bytes)\n", n,
                g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
    add_row ("export all cases (CSV)", caseload, plain_ms);
  }

  /* Sizes, after everything was written. */
  {
    g_autofree char *db = g_build_filename (vault_dir, "caseload.db", NULL);
    g_autofree char *db_wal = g_build_filename (vault_dir, "caseload.db-wal", NULL);
    g_autofree char *plain_wal = g_strconcat (plain_path, "-wal", NULL);

    vault_bytes = file_size (db) + file_size (db_wal);
    plain_bytes = file_size (plain_path) + file_size (plain_wal);
  }

  /* The table. */
  g_print ("\nVault and store at %u demo cases (ms; ratio = caseload / plain SQLCipher)\n\n",
           n_cases);
  g_print ("| %-44s | %12s | %10s | %7s |\n", "operation", "caseload ms", "plain ms", "ratio");
  g_print ("|%s|%s|%s|%s|\n", "----------------------------------------------",
           "--------------", "------------", "---------");
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = &g_array_index (rows, Row, i);

      g_print ("| %-44s | %12.2f | %10.2f | %7.2f |\n", row->name, row->caseload_ms,
               row->plain_ms, row->plain_ms > 0 ? row->caseload_ms / row->plain_ms : 0.0);
    }
  g_print ("\nDemo generation: %.1f s for %u cases (%.2f ms per case and its records; "
           "CPU time %.1f s).\n", demo_ms / 1000.0, n_cases, demo_ms / n_cases,
           demo_cpu_ms / 1000.0);
  g_print ("On disk: vault %.1f MiB (database and WAL), plain %.1f MiB.\n",
           vault_bytes / 1048576.0, plain_bytes / 1048576.0);

  sqlite3_close (plain);
  g_clear_object (&store);
  cl_vault_lock (vault);
  g_clear_object (&vault);
  check (cl_vault_erase (vault_dir, &error), error, "erase");
  g_unlink (plain_path);
  {
    g_autofree char *wal = g_strconcat (plain_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (plain_path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  g_array_unref (rows);
  return 0;
}
