/* test-vault-security.c: no plaintext on disk (S1), wrong passphrases (S2), no plaintext
 * left in the heap after lock (S3), process hardening
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-vault-security"


#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "cl-schema.h"
#include "cl-secret.h"
#include "cl-sql.h"
#include "cl-vault.h"
#include "cl-vault-private.h"

#define PASSPHRASE "correct horse battery staple"
#define N_ROWS     1000

typedef struct {
  char     *parent;
  char     *dir;
  ClSecret *pass;
  ClVault  *vault;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->parent = g_dir_make_tmp ("caseload-vault-sec-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->parent, "vault", NULL);
  f->pass = cl_secret_new_from_string (PASSPHRASE);
  _cl_vault_reset_failed_attempts ();
  f->vault = cl_vault_create (f->dir, f->pass, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->vault);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  if (f->vault != NULL)
    cl_vault_lock (f->vault);
  g_clear_object (&f->vault);
  g_clear_pointer (&f->pass, cl_secret_free);
  rm_rf (f->parent);
  g_free (f->parent);
  g_free (f->dir);
}

/* Counts @needle in @path, or in every file below it. */
static gsize
count_in_files (const char *path,
                const char *needle,
                GString    *where)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autofree char *data = NULL;
  const char *name;
  gsize len = 0;
  gsize n = 0;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          n += count_in_files (child, needle, where);
        }
      return n;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
      !g_file_get_contents (path, &data, &len, NULL))
    return 0;   /* vanished (another test's temp file) or unreadable */
  for (const char *p = data;
       (p = memmem (p, len - (gsize) (p - data), needle, strlen (needle))) != NULL;
       p++)
    {
      n++;
      g_string_append_printf (where, "%s@%" G_GSIZE_FORMAT " ", path, (gsize) (p - data));
    }
  return n;
}

static GHashTable *
list_dir (const char *path)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_hash_table_add (names, g_strdup (name));
  return names;
}

static void
test_hardening (void)
{
  struct rlimit rl;

  /* cl_secure_init () ran in main () */
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &rl), ==, 0);
  g_assert_cmpuint (rl.rlim_cur, ==, 0);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);

  /* Idempotent */
  cl_secure_init ();
  cl_secure_init ();
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
}

/* S1: the marker never reaches a file in plaintext: not the database, its WAL, the
 * key file, nor a temp file. */
static void
test_no_plaintext_on_disk (Fixture       *f,
                           gconstpointer  data)
{
  const char *tmp_dirs[] = { g_get_tmp_dir (), "/var/tmp" };
  GHashTable *before[G_N_ELEMENTS (tmp_dirs)] = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = cl_now_utc ();
  sqlite3 *db = cl_vault_get_db (f->vault);
  gsize hits = 0;
  gint64 seen = 0;
  int watch;
  char events[8192] __attribute__ ((aligned (8)));
  gssize n;

  /* Every file created in the temp folders while the test runs (even if deleted again) */
  watch = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  g_assert_cmpint (watch, >=, 0);
  for (guint i = 0; i < G_N_ELEMENTS (tmp_dirs); i++)
    {
      before[i] = list_dir (tmp_dirs[i]);
      inotify_add_watch (watch, tmp_dirs[i], IN_CREATE);
    }

  g_assert_true (cl_sql_exec (db, "BEGIN IMMEDIATE", &error));
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autofree char *id = cl_uuid_new ();
      g_autofree char *text = g_strdup_printf ("ZZMARKER%06u confidential note", i);

      cl_sql_exec_params (db, &error,
                          "INSERT INTO note (id, created_at, updated_at, text) "
                          "VALUES (?, ?, ?, ?)",
                          id, now, now, text, CL_SQL_END);
      g_assert_no_error (error);
    }
  g_assert_true (cl_sql_exec (db, "COMMIT", &error));

  /* Read back, sort (temp b-tree), search: all of it must stay in memory. */
  stmt = cl_sql_prepare (db, "SELECT text FROM note WHERE text LIKE 'ZZMARKER%' "
                             "ORDER BY text DESC", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    seen++;
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_assert_cmpint (seen, ==, N_ROWS);

  /* While unlocked: the database, WAL and shm hold no plaintext either. */
  hits = count_in_files (f->dir, "ZZMARKER", where);
  g_assert_cmpstr (where->str, ==, "");
  g_assert_cmpuint (hits, ==, 0);

  cl_vault_lock (f->vault);

  hits = count_in_files (f->parent, "ZZMARKER", where);
  for (guint i = 0; i < G_N_ELEMENTS (tmp_dirs); i++)
    {
      g_autoptr(GHashTable) after = list_dir (tmp_dirs[i]);
      GHashTableIter iter;
      const char *name;

      g_hash_table_iter_init (&iter, after);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        if (!g_hash_table_contains (before[i], name))
          {
            g_autofree char *path = g_build_filename (tmp_dirs[i], name, NULL);

            hits += count_in_files (path, "ZZMARKER", where);
          }
      g_hash_table_unref (before[i]);
    }
  g_assert_cmpstr (where->str, ==, "");
  g_assert_cmpuint (hits, ==, 0);

  /* SQLite names its temp files etilqs_*: none was created, not even briefly. */
  while ((n = read (watch, events, sizeof events)) > 0)
    for (char *p = events; p < events + n; )
      {
        struct inotify_event *ev = (struct inotify_event *) p;

        if (ev->len > 0)
          g_assert_false (g_str_has_prefix (ev->name, "etilqs_"));
        p += sizeof *ev + ev->len;
      }
  close (watch);
}

/* S2: wrong passphrases, again and again */
static void
test_wrong_passphrase_repeated (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *keys_path = g_build_filename (f->dir, "keys.json", NULL);
  g_autofree char *db_path = g_build_filename (f->dir, "caseload.db", NULL);
  g_autofree char *keys_before = NULL;
  g_autofree char *db_before = NULL;
  g_autofree char *keys_after = NULL;
  g_autofree char *db_after = NULL;
  gsize keys_len, db_len, len;
  guint last_delay = 0;

  cl_vault_lock (f->vault);
  g_assert_true (g_file_get_contents (keys_path, &keys_before, &keys_len, NULL));
  g_assert_true (g_file_get_contents (db_path, &db_before, &db_len, NULL));

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *guess = g_strdup_printf ("guess number %u", i);
      g_autoptr(ClSecret) wrong = cl_secret_new_from_string (guess);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClVault) vault = cl_vault_unlock (f->dir, wrong, &error);
      guint delay = cl_vault_retry_delay_ms ();

      g_assert_null (vault);
      g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
      g_assert_null (strstr (error->message, guess));
      g_assert_cmpuint (cl_vault_failed_attempts (), ==, i + 1);
      if (i == 0)
        g_assert_cmpuint (delay, ==, 0);
      else
        g_assert_cmpuint (delay, >, last_delay);
      g_assert_cmpuint (delay, <=, 30000);
      last_delay = delay;
    }

  g_assert_true (g_file_get_contents (keys_path, &keys_after, &len, NULL));
  g_assert_cmpmem (keys_before, keys_len, keys_after, len);
  g_assert_true (g_file_get_contents (db_path, &db_after, &len, NULL));
  g_assert_cmpmem (db_before, db_len, db_after, len);

  /* The right passphrase still works and resets the delay. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ClVault) vault = cl_vault_unlock (f->dir, f->pass, &error);

    g_assert_no_error (error);
    g_assert_nonnull (vault);
    g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, 0);
  }
}

/* S3 ----------------------------------------------------------------------------------- */

/* The test's own buffers (the search pattern, the row being built, the copy of memory
 * being searched) live in one private mapping that the scan skips. */
typedef struct {
  guint8 *base;
  gsize   size;
  guint8 *pattern;     /* "ZZMK-" */
  gsize   pattern_len;
  guint8 *row;         /* the row text being built */
  guint8 *chunk;       /* what the scan reads into */
  gsize   chunk_size;
} ScanArea;

#define ROW_MAX 128

static void
scan_area_init (ScanArea *area)
{
  area->chunk_size = 1024 * 1024;
  area->size = 2 * 4096 + area->chunk_size + 4096;
  area->base = mmap (NULL, area->size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (area->base != MAP_FAILED);
  area->pattern = area->base;
  area->row = area->base + 4096;
  area->chunk = area->base + 2 * 4096;

  /* Built byte by byte: no string constant holds it. */
  area->pattern[0] = 'Z';
  area->pattern[1] = 'Z';
  area->pattern[2] = 'M';
  area->pattern[3] = 'K';
  area->pattern[4] = '-';
  area->pattern_len = 5;
}

static void
scan_area_clear (ScanArea *area)
{
  sodium_memzero (area->base, area->size);
  munmap (area->base, area->size);
}

/* Builds "ZZMK-<6 digits> confidential note text" in area->row; returns its length. */
static gsize
build_row (ScanArea *area,
           guint     i)
{
  static const char tail[] = " is a confidential note about a client";
  guint8 *p = area->row;

  memcpy (p, area->pattern, area->pattern_len);
  p += area->pattern_len;
  for (int d = 5; d >= 0; d--)
    {
      p[d] = '0' + i % 10;
      i /= 10;
    }
  p += 6;
  memcpy (p, tail, sizeof tail - 1);
  p += sizeof tail - 1;
  return (gsize) (p - area->row);
}

/* Searches every readable and writable mapping of this process (heap, anonymous memory,
 * thread stacks, the main stack, libraries' data) for the pattern, skipping @area. */
static gsize
scan_memory (ScanArea *area,
             GString  *where)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  gsize hits = 0;
  guintptr skip_start = (guintptr) area->base;
  guintptr skip_end = skip_start + area->size;
  int dumpable = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
  int fd;

  /* cl_secure_init () made the process non-dumpable, which makes /proc/self/mem
   * root-owned; allow it for the scan only. */
  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  fd = open ("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long start, end;
      char perms[5] = { 0, };
      int path_offset = 0;
      const char *path;

      if (sscanf (lines[i], "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms,
                  &path_offset) < 3)
        continue;
      if (perms[0] != 'r' || perms[1] != 'w')
        continue;
      path = path_offset > 0 ? lines[i] + path_offset : "";
      if (g_str_has_prefix (path, "[vvar") || g_str_has_prefix (path, "[vsyscall"))
        continue;

      for (guintptr pos = start; pos < end; )
        {
          gsize want = MIN (area->chunk_size, end - pos);
          gssize got;

          if (pos >= skip_start && pos < skip_end)
            {
              pos = skip_end;
              continue;
            }
          if (pos < skip_start && pos + want > skip_start)
            want = skip_start - pos;

          got = pread (fd, area->chunk, want, (off_t) pos);
          if (got <= 0)
            {
              pos += want;
              continue;
            }
          for (guint8 *p = area->chunk;
               (p = memmem (p, (gsize) got - (gsize) (p - area->chunk),
                            area->pattern, area->pattern_len)) != NULL;
               p++)
            {
              hits++;
              if (hits <= 20)
                g_string_append_printf (where, "%s+0x%lx ", path[0] ? path : "[anon]",
                                        (unsigned long) (pos + (guintptr) (p - area->chunk)
                                                         - start));
            }
          /* Overlap so a match across two chunks is not missed. */
          if ((gsize) got > area->pattern_len && pos + (gsize) got < end)
            pos += (gsize) got - (area->pattern_len - 1);
          else
            pos += (gsize) got;
        }
    }

  close (fd);
  prctl (PR_SET_DUMPABLE, dumpable, 0, 0, 0);
  sodium_memzero (area->chunk, area->chunk_size);
  return hits;
}

static void
test_no_plaintext_in_heap (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *now = cl_now_utc ();
  sqlite3_stmt *stmt = NULL;
  ScanArea area;
  sqlite3 *db;
  gsize hits;
  guint seen = 0;
  int rc;

  scan_area_init (&area);

  /* Nothing there to begin with. */
  hits = scan_memory (&area, where);
  g_assert_cmpstr (where->str, ==, "");
  g_assert_cmpuint (hits, ==, 0);

  /* Insert: the text is bound with SQLITE_TRANSIENT, so SQLite copies it into memory
   * from its (wiping) allocator; the test's own copy is in the skipped area. */
  db = cl_vault_get_db (f->vault);
  g_assert_true (cl_sql_exec (db, "BEGIN IMMEDIATE", &error));
  stmt = cl_sql_prepare (db, "INSERT INTO note (id, created_at, updated_at, text) "
                             "VALUES (?, ?, ?, ?)", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autofree char *id = cl_uuid_new ();
      gsize len = build_row (&area, i);

      g_assert_cmpint (sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_bind_text (stmt, 4, (const char *) area.row, (int) len,
                                          SQLITE_TRANSIENT), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);
  sodium_memzero (area.row, ROW_MAX);
  g_assert_true (cl_sql_exec (db, "COMMIT", &error));

  /* Read every row back, sorted (so decrypted pages and sorter memory pass through
   * SQLite's allocator), comparing in place. */
  stmt = cl_sql_prepare (db, "SELECT text FROM note ORDER BY text DESC", &error);
  g_assert_no_error (error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *text = sqlite3_column_text (stmt, 0);

      if (text != NULL && sqlite3_column_bytes (stmt, 0) > (int) area.pattern_len &&
          memcmp (text, area.pattern, area.pattern_len) == 0)
        seen++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_cmpuint (seen, ==, N_ROWS);

  /* The scan works: while unlocked the decrypted pages are in memory. */
  hits = scan_memory (&area, where);
  g_test_message ("unlocked: %" G_GSIZE_FORMAT " hits", hits);
  g_assert_cmpuint (hits, >, 0);
  g_string_truncate (where, 0);

  cl_vault_lock (f->vault);
  g_clear_object (&f->vault);

  hits = scan_memory (&area, where);
  if (hits > 0)
    g_test_message ("marker found after lock at: %s", where->str);
  g_assert_cmpstr (where->str, ==, "");
  g_assert_cmpuint (hits, ==, 0);

  scan_area_clear (&area);
}

/* Weak passphrases ------------------------------------------------------------------- */

/* A passphrase a guesser tries first is refused wherever one is set, with a reason. */
static void
test_weak_passphrase (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const weak[] = { "password", "12345678", "Password1", "abcdefgh",
                                       "qwertyuiop", "aaaaaaaa" };
  g_autofree char *other = g_build_filename (f->parent, "other", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_autoptr(ClSecret) secret = cl_secret_new_from_string (weak[i]);

      g_assert_false (cl_vault_check_passphrase (weak[i], &error));
      g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
      g_assert_nonnull (strstr (error->message, "too easy to guess"));
      g_clear_error (&error);

      vault = cl_vault_create (other, secret, NULL, &error);
      g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
      g_assert_null (vault);
      g_assert_false (cl_vault_exists (other));
      g_clear_error (&error);

      g_assert_false (cl_vault_change_passphrase (f->vault, secret, &error));
      g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
      g_clear_error (&error);
    }

  g_assert_false (cl_vault_check_passphrase ("short", &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
  g_assert_nonnull (strstr (error->message, "too short"));
  g_clear_error (&error);
  g_assert_true (cl_vault_check_passphrase (PASSPHRASE, &error));
  g_assert_true (cl_vault_check_passphrase ("tr0ub4dor & 3 more words", &error));
  g_assert_no_error (error);

  /* The passphrase was never changed. */
  cl_vault_lock (f->vault);
  vault = cl_vault_unlock (f->dir, f->pass, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
}

/* S2 across restarts --------------------------------------------------------------------- */

static void
fail_unlock (const char *dir,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClSecret) wrong = cl_secret_new_from_string ("not the passphrase");
      g_autoptr(GError) error = NULL;
      g_autoptr(ClVault) vault = cl_vault_unlock (dir, wrong, &error);

      g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
    }
}

/* A new process (another caseloadctl, a restarted app) still waits the delay that the
 * failures before it asked for, and goes on counting from them. */
static void
test_delay_across_restarts (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = NULL;
  gint64 start;

  cl_vault_lock (f->vault);
  fail_unlock (f->dir, 3);
  g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, 2000);

  /* "Restart": the process forgets; the record beside the vault does not. */
  _cl_vault_reset_failed_attempts ();
  start = g_get_monotonic_time ();
  fail_unlock (f->dir, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1500 * 1000);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 4);
  g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, 4000);

  /* A success clears the record too. */
  _cl_vault_reset_failed_attempts ();
  vault = cl_vault_unlock (f->dir, f->pass, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
  cl_vault_lock (vault);
  _cl_vault_reset_failed_attempts ();
  start = g_get_monotonic_time ();
  fail_unlock (f->dir, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 1);
}

/* The record of failures is removed or edited by hand: the next process waits the longest
 * delay before it tries anything. Run in a child that gets 2 s: it must not get through. */
static void
test_failures_tampered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *record = NULL;
  g_autofree char *text = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClVault) vault = NULL;
  char *count;

  if (g_test_subprocess ())
    {
      vault = cl_vault_unlock (g_getenv ("CL_TEST_VAULT_DIR"), pass, &error);
      g_assert_no_error (error);
      g_print ("unlocked\n");
      return;
    }

  parent = g_dir_make_tmp ("caseload-vault-sec-XXXXXX", &error);
  g_assert_no_error (error);
  dir = g_build_filename (parent, "vault", NULL);
  record = g_build_filename (dir, "unlock-failures", NULL);
  vault = cl_vault_create (dir, pass, NULL, &error);
  g_assert_no_error (error);
  cl_vault_lock (vault);
  g_setenv ("CL_TEST_VAULT_DIR", dir, TRUE);

  /* An untouched record: the child gets through at once. */
  g_test_trap_subprocess (NULL, 2 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*unlocked*");

  /* Four failures, then the count edited back to zero. */
  _cl_vault_reset_failed_attempts ();
  fail_unlock (dir, 4);
  g_assert_true (g_file_get_contents (record, &text, NULL, NULL));
  count = strstr (text, " 4 ");
  g_assert_nonnull (count);
  count[1] = '0';
  g_assert_true (g_file_set_contents (record, text, -1, NULL));
  g_test_trap_subprocess (NULL, 2 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*unlocked*");

  /* Deleted. */
  g_assert_cmpint (g_unlink (record), ==, 0);
  g_test_trap_subprocess (NULL, 2 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*unlocked*");

  g_unsetenv ("CL_TEST_VAULT_DIR");
  rm_rf (parent);
}

int
main (int   argc,
      char *argv[])
{
  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/vault/security/hardening", test_hardening);
  g_test_add ("/core/vault/security/s1-no-plaintext-on-disk", Fixture, NULL,
              setup, test_no_plaintext_on_disk, teardown);
  g_test_add ("/core/vault/security/s2-wrong-passphrase-repeated", Fixture, NULL,
              setup, test_wrong_passphrase_repeated, teardown);
  g_test_add ("/core/vault/security/s2-delay-across-restarts", Fixture, NULL,
              setup, test_delay_across_restarts, teardown);
  g_test_add_func ("/core/vault/security/s2-failures-tampered", test_failures_tampered);
  g_test_add ("/core/vault/security/weak-passphrase", Fixture, NULL,
              setup, test_weak_passphrase, teardown);
  g_test_add ("/core/vault/security/s3-no-plaintext-in-heap", Fixture, NULL,
              setup, test_no_plaintext_in_heap, teardown);

  return g_test_run ();
}
