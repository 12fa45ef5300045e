/* test-vault.c: the vault: create, unlock, lock, key slots, recovery, rekey, verify,
 * backup, restore, erase
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-vault"


#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "cl-migrations.h"
#include "cl-schema.h"
#include "cl-secret.h"
#include "cl-sql.h"
#include "cl-vault.h"
#include "cl-vault-private.h"

#define PASSPHRASE     "correct horse battery staple"
#define NEW_PASSPHRASE "tr0ub4dor & 3 more words"

static mode_t initial_umask;

typedef struct {
  char     *parent;     /* g_dir_make_tmp (), removed in teardown */
  char     *dir;        /* parent/vault */
  char     *keys_path;
  char     *db_path;
  ClSecret *pass;
  ClSecret *recovery;
  ClVault  *vault;
} Fixture;

/* Helpers ---------------------------------------------------------------------------- */

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

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
write_bytes (const char   *path,
             const void   *data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;

  /* CONSISTENT: GLib 2.74 does not truncate an existing file with _NONE. */
  g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                            &error);
  g_assert_no_error (error);
}

static void
pwrite_at (const char *path,
           goffset     offset,
           const void *data,
           gsize       len)
{
  int fd = open (path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, data, len, offset), ==, (gssize) len);
  close (fd);
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static gboolean
exists (const char *path)
{
  struct stat st;

  return g_lstat (path, &st) == 0;
}

static gint64
mtime_ns (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
}

static void
insert_notes (sqlite3    *db,
              const char *prefix,
              guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *now = cl_now_utc ();

  g_assert_true (cl_sql_exec (db, "BEGIN IMMEDIATE", &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_uuid_new ();
      g_autofree char *text = g_strdup_printf ("%s%05u", prefix, i);

      cl_sql_exec_params (db, &error,
                          "INSERT INTO note (id, created_at, updated_at, text) "
                          "VALUES (?, ?, ?, ?)",
                          id, now, now, text, CL_SQL_END);
      g_assert_no_error (error);
    }
  g_assert_true (cl_sql_exec (db, "COMMIT", &error));
}

static gint64
count_notes (sqlite3    *db,
             const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM note WHERE text LIKE '%s%%'",
                                          prefix);
  gint64 n = -1;

  g_assert_true (cl_sql_query_int (db, sql, &n, &error));
  g_assert_no_error (error);
  return n;
}

static ClVault *
unlock_ok (const char *dir,
           const char *passphrase)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (passphrase);
  g_autoptr(GError) error = NULL;
  ClVault *vault = cl_vault_unlock (dir, pass, &error);

  g_assert_no_error (error);
  g_assert_nonnull (vault);
  g_assert_false (cl_vault_is_locked (vault));
  return vault;
}

static void
unlock_fails (const char   *dir,
              const char   *passphrase,
              ClVaultError  code)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (passphrase);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = cl_vault_unlock (dir, pass, &error);

  g_assert_error (error, CL_VAULT_ERROR, (int) code);
  g_assert_null (vault);
  g_assert_nonnull (error->message);
  g_assert_null (strstr (error->message, passphrase));
}

/* Fixtures --------------------------------------------------------------------------- */

static void
setup_empty (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->parent = g_dir_make_tmp ("caseload-vault-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->parent, "vault", NULL);
  f->keys_path = g_build_filename (f->dir, "keys.json", NULL);
  f->db_path = g_build_filename (f->dir, "caseload.db", NULL);
  f->pass = cl_secret_new_from_string (PASSPHRASE);
  _cl_vault_reset_failed_attempts ();
}

static void
setup_vault (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  setup_empty (f, data);
  f->vault = cl_vault_create (f->dir, f->pass, &f->recovery, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->vault);
  g_assert_nonnull (f->recovery);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  if (f->vault != NULL)
    cl_vault_lock (f->vault);
  g_clear_object (&f->vault);
  g_clear_pointer (&f->pass, cl_secret_free);
  g_clear_pointer (&f->recovery, cl_secret_free);
  rm_rf (f->parent);
  g_assert_false (exists (f->parent));
  g_free (f->parent);
  g_free (f->dir);
  g_free (f->keys_path);
  g_free (f->db_path);
}

/* Tests ------------------------------------------------------------------------------ */

static void
locked_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_create_unlock (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) again = NULL;
  g_autoptr(ClVault) third = NULL;
  g_autofree char *dir_prop = NULL;
  g_autofree char *wal = NULL;
  gboolean locked = FALSE;
  guint notified = 0;

  g_assert_true (cl_vault_exists (f->dir));
  g_assert_cmpstr (cl_vault_get_dir (f->vault), ==, f->dir);
  g_object_get (f->vault, "dir", &dir_prop, "locked", &locked, NULL);
  g_assert_cmpstr (dir_prop, ==, f->dir);
  g_assert_false (locked);
  g_assert_nonnull (cl_vault_get_db (f->vault));
  g_assert_nonnull (cl_vault_get_write_lock (f->vault));

  /* The schema is at the latest version and seeded. */
  g_assert_cmpint (cl_migrations_version (cl_vault_get_db (f->vault), &error), ==,
                   cl_migrations_latest ());
  insert_notes (cl_vault_get_db (f->vault), "hello-", 3);

  g_signal_connect (f->vault, "notify::locked", G_CALLBACK (locked_cb), &notified);
  cl_vault_lock (f->vault);
  g_assert_true (cl_vault_is_locked (f->vault));
  g_assert_null (cl_vault_get_db (f->vault));
  g_assert_cmpuint (notified, ==, 1);
  cl_vault_lock (f->vault);   /* idempotent, no second notification */
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (f->vault, "locked", &locked, NULL);
  g_assert_true (locked);

  /* Clean close: no WAL left behind. */
  wal = g_strconcat (f->db_path, "-wal", NULL);
  g_assert_false (exists (wal));

  again = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (again), "hello-"), ==, 3);
  cl_vault_lock (again);

  third = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (third), "hello-"), ==, 3);
  g_clear_object (&third);   /* finalize locks */
}

static void
test_recovery_key_format (Fixture       *f,
                          gconstpointer  data)
{
  const char *key = cl_secret_get_string (f->recovery);
  g_auto(GStrv) groups = g_strsplit (key, "-", -1);

  g_assert_cmpuint (cl_secret_get_len (f->recovery), ==, 39);
  g_assert_cmpuint (g_strv_length (groups), ==, 8);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (groups[i]), ==, 4);
      for (guint j = 0; j < 4; j++)
        {
          g_assert_nonnull (strchr ("0123456789ABCDEFGHJKMNPQRSTVWXYZ", groups[i][j]));
          g_assert_null (strchr ("ILOU", groups[i][j]));
        }
    }
}

static void
test_modes (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db_path, "-shm", NULL);
  mode_t mask;

  insert_notes (cl_vault_get_db (f->vault), "mode-", 10);

  g_assert_cmpuint (file_mode (f->dir), ==, 0700);
  g_assert_cmpuint (file_mode (f->keys_path), ==, 0600);
  g_assert_cmpuint (file_mode (f->db_path), ==, 0600);
  g_assert_true (exists (wal));
  g_assert_true (exists (shm));
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);

  /* The process umask is restored after the vault's 077 sections. */
  mask = umask (initial_umask);
  g_assert_cmpuint (mask, ==, initial_umask);
}

static void
test_loose_dir_mode_fixed (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) vault = NULL;

  /* An existing folder with group/other access is tightened, at create and at unlock. */
  g_assert_cmpint (g_mkdir (f->dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  vault = cl_vault_create (f->dir, f->pass, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (f->dir), ==, 0700);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->keys_path, 0644), ==, 0);
  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpuint (file_mode (f->dir), ==, 0700);
  g_assert_cmpuint (file_mode (f->keys_path), ==, 0600);
}

static void
test_create_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) weak = cl_secret_new_from_string ("short");
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *other = g_build_filename (f->parent, "other", NULL);

  /* Over an existing vault */
  vault = cl_vault_create (f->dir, f->pass, &recovery, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS);
  g_assert_null (vault);
  g_assert_null (recovery);
  g_clear_error (&error);

  /* Weak passphrase: nothing is created. */
  vault = cl_vault_create (other, weak, &recovery, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
  g_assert_null (vault);
  g_assert_false (exists (other));
  g_clear_error (&error);

  /* The original vault is intact. */
  cl_vault_lock (f->vault);
  g_clear_object (&vault);
  vault = unlock_ok (f->dir, PASSPHRASE);
}

static void
test_exists_default_dir (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *def = cl_vault_default_dir ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "caseload", NULL);

  g_assert_cmpstr (def, ==, expected);
  g_assert_false (cl_vault_exists (f->dir));
  g_assert_false (cl_vault_exists (f->parent));
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  /* Missing folder, then an empty one. */
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_NOT_FOUND);
  g_assert_false (exists (f->dir));
  g_assert_cmpint (g_mkdir (f->dir, 0700), ==, 0);
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_NOT_FOUND);
}

static void
test_wrong_passphrase (Fixture       *f,
                       gconstpointer  data)
{
  static const guint delays[] = { 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  gint64 db_mtime;

  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);
  db_before = read_bytes (f->db_path);
  db_mtime = mtime_ns (f->db_path);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);
  g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      unlock_fails (f->dir, "not the passphrase at all", CL_VAULT_ERROR_WRONG_SECRET);
      g_assert_cmpuint (cl_vault_failed_attempts (), ==, i + 1);
      g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, delays[i]);
    }

  /* Nothing changed on disk; the database was not even opened. */
  keys_after = read_bytes (f->keys_path);
  db_after = read_bytes (f->db_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));
  g_assert_true (g_bytes_equal (db_before, db_after));
  g_assert_cmpint (mtime_ns (f->db_path), ==, db_mtime);
  g_assert_false (exists (wal));

  /* Success resets the counter. */
  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);
  g_assert_cmpuint (cl_vault_retry_delay_ms (), ==, 0);
}

static void
test_keys_missing (Fixture       *f,
                   gconstpointer  data)
{
  cl_vault_lock (f->vault);
  g_assert_cmpint (g_unlink (f->keys_path), ==, 0);
  g_assert_true (cl_vault_exists (f->dir));
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_KEYS_MISSING);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);
}

/* Writes @data as keys.json, checks unlock fails with KEYS_DAMAGED and changes nothing. */
static void
assert_keys_damaged (Fixture    *f,
                     const void *data,
                     gsize       len)
{
  g_autoptr(GBytes) db_before = read_bytes (f->db_path);
  g_autoptr(GBytes) keys_after = NULL;
  g_autoptr(GBytes) db_after = NULL;
  gint64 db_mtime = mtime_ns (f->db_path);

  write_bytes (f->keys_path, data, len);
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_KEYS_DAMAGED);

  keys_after = read_bytes (f->keys_path);
  db_after = read_bytes (f->db_path);
  g_assert_cmpmem (g_bytes_get_data (keys_after, NULL), g_bytes_get_size (keys_after),
                   data, len);
  g_assert_true (g_bytes_equal (db_before, db_after));
  g_assert_cmpint (mtime_ns (f->db_path), ==, db_mtime);
}

static void
test_keys_damaged (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) good = NULL;
  g_autofree guint8 *copy = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *big = NULL;
  g_autoptr(ClVault) vault = NULL;
  const guint8 *bytes;
  guint8 garbage[700];
  gsize len;

  cl_vault_lock (f->vault);
  good = read_bytes (f->keys_path);
  bytes = g_bytes_get_data (good, &len);

  /* Truncated */
  assert_keys_damaged (f, bytes, len / 2);
  assert_keys_damaged (f, bytes, len - 3);
  assert_keys_damaged (f, "", 0);

  /* Garbage */
  randombytes_buf (garbage, sizeof garbage);
  assert_keys_damaged (f, garbage, sizeof garbage);
  assert_keys_damaged (f, "{}", 2);
  assert_keys_damaged (f, "[1, 2, 3]", 9);

  /* Any single bit flip anywhere (a flip in a salt or a wrapped key must not pass for a
   * wrong passphrase). */
  copy = g_memdup2 (bytes, len);
  for (gsize i = 0; i < len; i++)
    {
      copy[i] ^= 0x01;
      assert_keys_damaged (f, copy, len);
      copy[i] ^= 0x01;
    }
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);

  /* Nesting that would overflow json-glib's stack */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_keys_damaged (f, deep->str, deep->len);

  /* Too large */
  big = g_malloc (128 * 1024);
  memset (big, ' ', 128 * 1024);
  assert_keys_damaged (f, big, 128 * 1024);

  /* The original still works. */
  write_bytes (f->keys_path, bytes, len);
  vault = unlock_ok (f->dir, PASSPHRASE);
}

/* Replaces "<name>": <number> in the first slot of keys.json. */
static char *
replace_number (const char *json,
                const char *name,
                const char *value)
{
  g_autofree char *pattern = g_strdup_printf ("(\"%s\"\\s*:\\s*)[0-9]+", name);
  g_autofree char *replacement = g_strdup_printf ("\\g<1>%s", value);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);

  return g_regex_replace (regex, json, -1, 0, replacement, 0, NULL);
}

static void
test_keys_hostile_params (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) good = NULL;
  g_autofree char *json = NULL;
  g_autofree char *edited = NULL;
  gint64 start;

  cl_vault_lock (f->vault);
  good = read_bytes (f->keys_path);
  json = g_strndup (g_bytes_get_data (good, NULL), g_bytes_get_size (good));

  /* 100 GB of memory, a huge number of passes, a negative number, a float: refused
   * before any key derivation, i.e. at once. */
  start = g_get_monotonic_time ();
  edited = replace_number (json, "memlimit", "107374182400");
  g_assert_cmpstr (edited, !=, json);
  assert_keys_damaged (f, edited, strlen (edited));
  g_clear_pointer (&edited, g_free);

  edited = replace_number (json, "opslimit", "4000000000");
  assert_keys_damaged (f, edited, strlen (edited));
  g_clear_pointer (&edited, g_free);

  edited = replace_number (json, "memlimit", "-1");
  assert_keys_damaged (f, edited, strlen (edited));
  g_clear_pointer (&edited, g_free);

  edited = replace_number (json, "opslimit", "2.5");
  assert_keys_damaged (f, edited, strlen (edited));
  g_clear_pointer (&edited, g_free);

  edited = replace_number (json, "version", "2");
  assert_keys_damaged (f, edited, strlen (edited));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_corrupt_db (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;
  g_autoptr(GBytes) db_corrupt = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  guint8 junk[256];
  struct stat st;

  insert_notes (cl_vault_get_db (f->vault), "corrupt-", 200);
  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);

  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 64 * 1024);
  memset (junk, 0xa5, sizeof junk);
  pwrite_at (f->db_path, st.st_size / 2, junk, sizeof junk);
  db_corrupt = read_bytes (f->db_path);

  /* Either the unlock notices, or verify must. */
  vault = cl_vault_unlock (f->dir, pass, &error);
  g_test_message ("damage found by %s", vault != NULL ? "verify" : "unlock");
  if (vault != NULL)
    {
      g_autoptr(GString) report = g_string_new (NULL);

      g_assert_no_error (error);
      g_assert_false (cl_vault_verify (vault, report, &error));
      g_assert_nonnull (strstr (report->str, "FAILED"));
      cl_vault_lock (vault);
    }
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_CORRUPT);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);

  keys_after = read_bytes (f->keys_path);
  db_after = read_bytes (f->db_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));
  g_assert_true (g_bytes_equal (db_corrupt, db_after));
}

static void
test_corrupt_db_header (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;
  guint8 junk[64];

  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);
  memset (junk, 0x5a, sizeof junk);
  pwrite_at (f->db_path, 200, junk, sizeof junk);   /* inside page 1 */

  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_CORRUPT);
  keys_after = read_bytes (f->keys_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));

  /* The database went missing altogether */
  g_assert_cmpint (g_unlink (f->db_path), ==, 0);
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_CORRUPT);
}

static void
test_too_new (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          cl_migrations_latest () + 1);

  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), sql, &error));
  g_assert_no_error (error);
  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);
  db_before = read_bytes (f->db_path);

  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_TOO_NEW);

  keys_after = read_bytes (f->keys_path);
  db_after = read_bytes (f->db_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));
  g_assert_true (g_bytes_equal (db_before, db_after));
}

static void
test_change_passphrase (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) new_pass = cl_secret_new_from_string (NEW_PASSPHRASE);
  g_autoptr(ClSecret) weak = cl_secret_new_from_string ("1234567");
  g_autoptr(ClSecret) another = cl_secret_new_from_string ("yet another passphrase");
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) db_after = NULL;

  insert_notes (cl_vault_get_db (f->vault), "change-", 5);

  g_assert_false (cl_vault_change_passphrase (f->vault, weak, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
  g_clear_error (&error);

  g_assert_true (cl_vault_change_passphrase (f->vault, new_pass, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (f->keys_path), ==, 0600);
  cl_vault_lock (f->vault);

  /* Locked: refused */
  g_assert_false (cl_vault_change_passphrase (f->vault, another, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
  g_clear_error (&error);

  db_before = read_bytes (f->db_path);
  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_WRONG_SECRET);
  vault = unlock_ok (f->dir, NEW_PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "change-"), ==, 5);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  /* Re-wrapping did not touch the database; the recovery key still works. */
  db_after = read_bytes (f->db_path);
  g_assert_true (g_bytes_equal (db_before, db_after));
  vault = cl_vault_recover (f->dir, f->recovery, another, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
}

static void
test_recover (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) new_pass = cl_secret_new_from_string (NEW_PASSPHRASE);
  g_autoptr(ClSecret) weak = cl_secret_new_from_string ("short");
  g_autoptr(ClSecret) typed = NULL;
  g_autoptr(ClSecret) wrong = NULL;
  g_autoptr(ClSecret) garbage = cl_secret_new_from_string ("hello world");
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *mangled = NULL;
  g_autofree char *wrong_text = NULL;

  insert_notes (cl_vault_get_db (f->vault), "recover-", 7);
  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);

  /* A wrong key of the right shape, and something that is not a key at all */
  wrong_text = g_strdup (cl_secret_get_string (f->recovery));
  wrong_text[0] = wrong_text[0] == '2' ? '3' : '2';
  wrong = cl_secret_new_from_string (wrong_text);
  vault = cl_vault_recover (f->dir, wrong, new_pass, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
  g_assert_null (vault);
  g_clear_error (&error);
  vault = cl_vault_recover (f->dir, garbage, new_pass, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 2);

  /* Weak new passphrase: refused before anything else */
  vault = cl_vault_recover (f->dir, f->recovery, weak, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WEAK_SECRET);
  g_clear_error (&error);

  keys_after = read_bytes (f->keys_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));

  /* Typed in lower case, with spaces instead of dashes */
  lower = g_ascii_strdown (cl_secret_get_string (f->recovery), -1);
  mangled = g_strdelimit (g_strdup (lower), "-", ' ');
  typed = cl_secret_new_from_string (mangled);
  vault = cl_vault_recover (f->dir, typed, new_pass, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
  g_assert_cmpuint (cl_vault_failed_attempts (), ==, 0);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "recover-"), ==, 7);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  unlock_fails (f->dir, PASSPHRASE, CL_VAULT_ERROR_WRONG_SECRET);
  vault = unlock_ok (f->dir, NEW_PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "recover-"), ==, 7);
}

static void
test_rekey (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) wrong = cl_secret_new_from_string ("not the passphrase");
  g_autoptr(ClSecret) new_recovery = NULL;
  g_autoptr(ClSecret) new_pass = cl_secret_new_from_string (NEW_PASSPHRASE);
  g_autoptr(ClSecret) newer_pass = cl_secret_new_from_string ("newer passphrase");
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_autoptr(GBytes) keys_before = NULL;
  g_autofree char *keys_new = g_build_filename (f->dir, "keys.json.new", NULL);

  insert_notes (cl_vault_get_db (f->vault), "rekey-", 300);
  cl_vault_lock (f->vault);
  db_before = read_bytes (f->db_path);
  keys_before = read_bytes (f->keys_path);
  vault = unlock_ok (f->dir, PASSPHRASE);

  /* The passphrase is confirmed first. */
  g_assert_false (cl_vault_rekey (vault, wrong, &new_recovery, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
  g_assert_null (new_recovery);
  g_clear_error (&error);
  g_assert_false (exists (keys_new));

  g_assert_true (cl_vault_rekey (vault, f->pass, &new_recovery, &error));
  g_assert_no_error (error);
  g_assert_nonnull (new_recovery);
  g_assert_false (cl_secret_equal (new_recovery, f->recovery));
  g_assert_false (exists (keys_new));
  g_assert_cmpuint (file_mode (f->keys_path), ==, 0600);

  /* Still usable in place, in WAL mode */
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "rekey-"), ==, 300);
  insert_notes (cl_vault_get_db (vault), "after-", 2);
  {
    g_autofree char *mode = cl_sql_query_text (cl_vault_get_db (vault), &error,
                                               "PRAGMA journal_mode", CL_SQL_END);
    g_assert_cmpstr (mode, ==, "wal");
  }
  cl_vault_lock (vault);
  g_clear_object (&vault);

  /* Every page was re-encrypted */
  db_after = read_bytes (f->db_path);
  g_assert_false (g_bytes_equal (db_before, db_after));
  g_assert_cmpuint (g_bytes_get_size (db_before), <=, g_bytes_get_size (db_after));
  {
    const guint8 *a = g_bytes_get_data (db_before, NULL);
    const guint8 *b = g_bytes_get_data (db_after, NULL);
    gsize pages = g_bytes_get_size (db_before) / 1024, same = 0;

    for (gsize p = 0; p < pages; p++)
      same += memcmp (a + p * 1024 + 16, b + p * 1024 + 16, 1008) == 0;
    g_assert_cmpuint (same, ==, 0);
  }
  {
    g_autoptr(GBytes) keys_after = read_bytes (f->keys_path);

    g_assert_false (g_bytes_equal (keys_before, keys_after));
  }

  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "rekey-"), ==, 300);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "after-"), ==, 2);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  /* The old recovery key no longer works; the new one does. */
  vault = cl_vault_recover (f->dir, f->recovery, new_pass, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
  g_assert_null (vault);
  g_clear_error (&error);
  vault = cl_vault_recover (f->dir, new_recovery, newer_pass, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "rekey-"), ==, 300);

  /* Locked: refused */
  cl_vault_lock (vault);
  g_clear_pointer (&new_recovery, cl_secret_free);
  g_assert_false (cl_vault_rekey (vault, newer_pass, &new_recovery, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
}

/* A rekey that cannot start (a statement still reading) changes nothing. */
static void
test_rekey_not_started (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) new_recovery = NULL;
  g_autoptr(GBytes) keys_before = read_bytes (f->keys_path);
  g_autoptr(GBytes) keys_after = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *keys_new = g_build_filename (f->dir, "keys.json.new", NULL);
  sqlite3 *db = cl_vault_get_db (f->vault);
  sqlite3_stmt *reading = NULL;

  insert_notes (db, "busy-", 5);
  reading = cl_sql_prepare (db, "SELECT text FROM note", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (reading), ==, SQLITE_ROW);

  g_assert_false (cl_vault_rekey (f->vault, f->pass, &new_recovery, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (new_recovery);
  g_assert_false (cl_vault_is_locked (f->vault));
  g_assert_false (exists (keys_new));
  sqlite3_finalize (reading);

  g_assert_cmpint (count_notes (db, "busy-"), ==, 5);
  insert_notes (db, "still-", 1);
  cl_vault_lock (f->vault);
  keys_after = read_bytes (f->keys_path);
  g_assert_true (g_bytes_equal (keys_before, keys_after));

  vault = cl_vault_recover (f->dir, f->recovery, f->pass, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "still-"), ==, 1);
}

/* A crash after the database was re-encrypted but before keys.json was replaced: the
 * next unlock finds the key in keys.json.new and finishes the job. */
static void
test_rekey_interrupted_after_commit (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) old_keys = NULL;
  g_autoptr(GBytes) new_keys = NULL;
  g_autoptr(GBytes) promoted = NULL;
  g_autoptr(ClSecret) new_recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *keys_new = g_build_filename (f->dir, "keys.json.new", NULL);

  insert_notes (cl_vault_get_db (f->vault), "crash-", 20);
  old_keys = read_bytes (f->keys_path);
  g_assert_true (cl_vault_rekey (f->vault, f->pass, &new_recovery, &error));
  g_assert_no_error (error);
  cl_vault_lock (f->vault);
  new_keys = read_bytes (f->keys_path);

  g_assert_cmpint (g_rename (f->keys_path, keys_new), ==, 0);
  write_bytes (f->keys_path, g_bytes_get_data (old_keys, NULL), g_bytes_get_size (old_keys));

  /* A wrong passphrase still changes nothing */
  unlock_fails (f->dir, "wrong passphrase", CL_VAULT_ERROR_WRONG_SECRET);
  g_assert_true (exists (keys_new));

  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "crash-"), ==, 20);
  g_assert_false (exists (keys_new));
  promoted = read_bytes (f->keys_path);
  g_assert_true (g_bytes_equal (promoted, new_keys));
  cl_vault_lock (vault);
  g_clear_object (&vault);

  vault = cl_vault_recover (f->dir, new_recovery, f->pass, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
}

/* A crash before the database was re-encrypted: keys.json.new is a leftover and goes. */
static void
test_rekey_interrupted_before_commit (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) old_keys = NULL;
  g_autoptr(GBytes) old_db = NULL;
  g_autoptr(GBytes) new_keys = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(ClSecret) new_recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autofree char *keys_new = g_build_filename (f->dir, "keys.json.new", NULL);

  insert_notes (cl_vault_get_db (f->vault), "crash-", 20);
  cl_vault_lock (f->vault);
  old_keys = read_bytes (f->keys_path);
  old_db = read_bytes (f->db_path);
  g_clear_object (&f->vault);

  f->vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_true (cl_vault_rekey (f->vault, f->pass, &new_recovery, &error));
  g_assert_no_error (error);
  cl_vault_lock (f->vault);
  new_keys = read_bytes (f->keys_path);

  /* Back to: old keys.json, old database, new keys.json.new */
  write_bytes (f->keys_path, g_bytes_get_data (old_keys, NULL), g_bytes_get_size (old_keys));
  write_bytes (f->db_path, g_bytes_get_data (old_db, NULL), g_bytes_get_size (old_db));
  write_bytes (keys_new, g_bytes_get_data (new_keys, NULL), g_bytes_get_size (new_keys));

  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "crash-"), ==, 20);
  g_assert_false (exists (keys_new));
  kept = read_bytes (f->keys_path);
  g_assert_true (g_bytes_equal (kept, old_keys));
  cl_vault_lock (vault);
  g_clear_object (&vault);

  /* The old recovery key is still the valid one. */
  vault = cl_vault_recover (f->dir, f->recovery, f->pass, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
}

/* Runs unlock + rekey in a child process and kills it with SIGKILL after @delay_us (or
 * lets it finish when @delay_us is negative). Returns the child's run time. */
static gint64
rekey_in_child (Fixture *f,
                gint64   delay_us)
{
  gint64 start = g_get_monotonic_time ();
  int status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(ClSecret) pass = cl_secret_new_from_string (PASSPHRASE);
      ClVault *vault = cl_vault_unlock (f->dir, pass, NULL);

      if (vault == NULL || !cl_vault_rekey (vault, pass, NULL, NULL))
        _exit (1);
      cl_vault_lock (vault);
      _exit (0);
    }
  if (delay_us >= 0)
    {
      g_usleep ((gulong) delay_us);
      kill (pid, SIGKILL);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (delay_us < 0)
    {
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  return g_get_monotonic_time () - start;
}

/* A rekey killed at any moment leaves a vault that the passphrase opens, with every
 * row, passing verify. */
static void
test_rekey_killed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys_new = g_build_filename (f->dir, "keys.json.new", NULL);
  const guint runs = 24;
  gint64 full;
  guint killed_midway = 0;
  guint promoted = 0;

  insert_notes (cl_vault_get_db (f->vault), "killed-", 4000);
  cl_vault_lock (f->vault);
  g_clear_object (&f->vault);

  /* How long an undisturbed unlock + rekey takes */
  full = rekey_in_child (f, -1);
  g_test_message ("unlock + rekey: %" G_GINT64_FORMAT " us", full);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(ClVault) vault = NULL;
      g_autoptr(GString) report = g_string_new (NULL);
      g_autoptr(GBytes) keys_before = read_bytes (f->keys_path);
      g_autoptr(GBytes) keys_after = NULL;
      gboolean had_new;

      rekey_in_child (f, full * i / runs + g_random_int_range (0, 2000));
      had_new = exists (keys_new);
      killed_midway += had_new;

      vault = unlock_ok (f->dir, PASSPHRASE);
      g_assert_false (exists (keys_new));
      keys_after = read_bytes (f->keys_path);
      /* keys.json.new was there and became keys.json: the database had been rekeyed */
      promoted += had_new && !g_bytes_equal (keys_before, keys_after);
      g_assert_cmpint (count_notes (cl_vault_get_db (vault), "killed-"), ==, 4000);
      g_assert_true (cl_vault_verify (vault, report, &error));
      g_assert_no_error (error);
      cl_vault_lock (vault);
    }
  g_test_message ("%u of %u kills left a keys.json.new behind; %u after the database was "
                   "re-encrypted", killed_midway, runs, promoted);
}

static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autofree char *sql = NULL;

  insert_notes (cl_vault_get_db (f->vault), "verify-", 50);
  g_assert_true (cl_vault_verify (f->vault, report, &error));
  g_assert_no_error (error);
  g_test_message ("%s", report->str);
  g_assert_nonnull (strstr (report->str, "Key file: ok"));
  g_assert_nonnull (strstr (report->str, "Database integrity: ok"));
  g_assert_nonnull (strstr (report->str, "Schema version: ok"));
  for (guint i = 0; i < 6; i++)
    {
      static const char *names[] = {
        "journal_mode", "synchronous", "foreign_keys", "secure_delete", "temp_store",
        "mmap_size",
      };

      g_assert_nonnull (strstr (report->str, names[i]));
    }
  g_assert_null (strstr (report->str, "FAILED"));

  /* NULL report is allowed */
  g_assert_true (cl_vault_verify (f->vault, NULL, &error));
  g_assert_no_error (error);

  /* A pragma changed behind the vault's back is reported. */
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), "PRAGMA foreign_keys = OFF",
                              &error));
  g_string_truncate (report, 0);
  g_assert_false (cl_vault_verify (f->vault, report, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (report->str, "FAILED"));
  g_clear_error (&error);
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), "PRAGMA foreign_keys = ON",
                              &error));

  /* A schema version this build does not know is reported. */
  sql = g_strdup_printf ("PRAGMA user_version = %d", cl_migrations_latest () + 1);
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault), sql, &error));
  g_assert_false (cl_vault_verify (f->vault, NULL, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_TOO_NEW);
  g_clear_error (&error);

  cl_vault_lock (f->vault);
  g_assert_false (cl_vault_verify (f->vault, NULL, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
}

static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->parent, "vault.backup", NULL);
  g_autofree char *restored = g_build_filename (f->parent, "restored", NULL);
  g_autofree char *restored_keys = g_build_filename (restored, "keys.json", NULL);
  g_autofree char *restored_db = g_build_filename (restored, "caseload.db", NULL);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(GDir) listing = NULL;
  const char *name;

  insert_notes (cl_vault_get_db (f->vault), "backup-", 400);
  g_assert_true (cl_sql_exec (cl_vault_get_db (f->vault),
                              "INSERT INTO case_search (docid, body) "
                              "VALUES (42, 'Zoë Backupson 555-0100')", &error));
  g_assert_true (cl_vault_backup (f->vault, backup, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (backup), ==, 0600);

  /* No temp files left in the vault or next to the backup */
  listing = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_false (g_str_has_prefix (name, "."));
  g_clear_pointer (&listing, g_dir_close);
  listing = g_dir_open (f->parent, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_false (g_str_has_prefix (name, "."));
  g_clear_pointer (&listing, g_dir_close);

  /* The format: magic, then keys.json verbatim; no plaintext */
  content = read_bytes (backup);
  keys = read_bytes (f->keys_path);
  g_assert_cmpuint (g_bytes_get_size (content), >, 34 + g_bytes_get_size (keys));
  g_assert_cmpmem (g_bytes_get_data (content, NULL), 18, "CASELOAD-BACKUP-1\n", 18);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (content, NULL) + 34,
                   g_bytes_get_size (keys),
                   g_bytes_get_data (keys, NULL), g_bytes_get_size (keys));
  g_assert_null (memmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                         "backup-00", 9));

  /* Later changes are not in the backup */
  insert_notes (cl_vault_get_db (f->vault), "later-", 3);

  /* Restore over an existing vault is refused */
  g_assert_false (cl_vault_restore (backup, f->dir, f->pass, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS);
  g_clear_error (&error);

  /* Wrong passphrase: refused, nothing left behind */
  {
    g_autoptr(ClSecret) wrong = cl_secret_new_from_string ("not the passphrase");

    g_assert_false (cl_vault_restore (backup, restored, wrong, &error));
    g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
    g_clear_error (&error);
    g_assert_false (cl_vault_exists (restored));
    g_assert_false (exists (restored));
  }

  g_assert_true (cl_vault_restore (backup, restored, f->pass, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (restored), ==, 0700);
  g_assert_cmpuint (file_mode (restored_keys), ==, 0600);
  g_assert_cmpuint (file_mode (restored_db), ==, 0600);

  vault = unlock_ok (restored, PASSPHRASE);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "backup-"), ==, 400);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "later-"), ==, 0);
  {
    gint64 docid = 0;

    /* The full-text index (a virtual table and its shadow tables) came along. */
    g_assert_true (cl_sql_query_int (cl_vault_get_db (vault),
                                     "SELECT docid FROM case_search "
                                     "WHERE case_search MATCH 'zoe backupson'",
                                     &docid, &error));
    g_assert_no_error (error);
    g_assert_cmpint (docid, ==, 42);
  }
  g_assert_cmpint (cl_migrations_version (cl_vault_get_db (vault), &error), ==,
                   cl_migrations_latest ());
  g_assert_true (cl_vault_verify (vault, report, &error));
  g_assert_no_error (error);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  /* The recovery key travels with the backup. */
  vault = cl_vault_recover (restored, f->recovery, f->pass, &error);
  g_assert_no_error (error);
  cl_vault_lock (vault);

  /* Backing up a locked vault is refused. */
  cl_vault_lock (f->vault);
  g_assert_false (cl_vault_backup (f->vault, backup, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED);
}

static void
assert_restore_fails (Fixture    *f,
                      const char *backup,
                      const void *data,
                      gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *restored = g_build_filename (f->parent, "restored", NULL);

  write_bytes (backup, data, len);
  g_assert_false (cl_vault_restore (backup, restored, f->pass, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CL_VAULT_ERROR);
  g_assert_false (cl_vault_exists (restored));
  g_assert_false (exists (restored));
}

static void
test_restore_damaged (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->parent, "vault.backup", NULL);
  g_autofree char *bad = g_build_filename (f->parent, "bad.backup", NULL);
  g_autoptr(GBytes) content = NULL;
  g_autofree guint8 *copy = NULL;
  const guint8 *bytes;
  guint8 garbage[4096];
  gsize len;

  insert_notes (cl_vault_get_db (f->vault), "damaged-", 100);
  g_assert_true (cl_vault_backup (f->vault, backup, &error));
  g_assert_no_error (error);
  content = read_bytes (backup);
  bytes = g_bytes_get_data (content, &len);

  /* Truncated at several points */
  assert_restore_fails (f, bad, bytes, 0);
  assert_restore_fails (f, bad, bytes, 10);
  assert_restore_fails (f, bad, bytes, 34);
  assert_restore_fails (f, bad, bytes, 300);
  assert_restore_fails (f, bad, bytes, len / 2);
  assert_restore_fails (f, bad, bytes, len - 1);

  /* Garbage */
  randombytes_buf (garbage, sizeof garbage);
  assert_restore_fails (f, bad, garbage, sizeof garbage);
  memcpy (garbage, "CASELOAD-BACKUP-1\n", 18);
  assert_restore_fails (f, bad, garbage, sizeof garbage);

  /* Hostile length fields */
  copy = g_memdup2 (bytes, len);
  memset (copy + 18, 0xff, 8);
  assert_restore_fails (f, bad, copy, len);
  memcpy (copy, bytes, len);
  memset (copy + 26, 0xff, 8);
  assert_restore_fails (f, bad, copy, len);

  /* Trailing junk */
  {
    g_autofree guint8 *longer = g_malloc (len + 10);

    memcpy (longer, bytes, len);
    memset (longer + len, 0, 10);
    assert_restore_fails (f, bad, longer, len + 10);
  }

  /* Damaged database inside an intact container: the integrity check catches it. */
  memcpy (copy, bytes, len);
  memset (copy + len - 2000, 0x33, 64);
  assert_restore_fails (f, bad, copy, len);

  /* The good backup still restores (nothing from the failures got in the way). */
  {
    g_autofree char *restored = g_build_filename (f->parent, "restored", NULL);

    g_assert_true (cl_vault_restore (backup, restored, f->pass, &error));
    g_assert_no_error (error);
  }
}

static void
test_erase (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *link_path = g_build_filename (f->parent, "keys-link", NULL);
  g_autoptr(GBytes) keys_before = NULL;
  g_autoptr(GBytes) keys_after = NULL;

  insert_notes (cl_vault_get_db (f->vault), "erase-", 10);
  cl_vault_lock (f->vault);
  keys_before = read_bytes (f->keys_path);

  /* A second name for keys.json shows what erase did to its bytes. */
  g_assert_cmpint (link (f->keys_path, link_path), ==, 0);

  g_assert_true (cl_vault_erase (f->dir, &error));
  g_assert_no_error (error);
  g_assert_false (cl_vault_exists (f->dir));
  g_assert_false (exists (f->keys_path));
  g_assert_false (exists (f->db_path));
  g_assert_false (exists (f->dir));

  keys_after = read_bytes (link_path);
  g_assert_cmpuint (g_bytes_get_size (keys_after), ==, g_bytes_get_size (keys_before));
  g_assert_false (g_bytes_equal (keys_after, keys_before));
  g_assert_null (memmem (g_bytes_get_data (keys_after, NULL), g_bytes_get_size (keys_after),
                         "caseload-keys", 13));

  /* Nothing left to erase */
  g_assert_false (cl_vault_erase (f->dir, &error));
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A folder with other content stays, the vault files go. */
  g_clear_object (&f->vault);
  f->vault = cl_vault_create (f->dir, f->pass, NULL, &error);
  g_assert_no_error (error);
  cl_vault_lock (f->vault);
  {
    g_autofree char *other = g_build_filename (f->dir, "notes.txt", NULL);

    write_bytes (other, "x", 1);
    g_assert_true (cl_vault_erase (f->dir, &error));
    g_assert_no_error (error);
    g_assert_false (cl_vault_exists (f->dir));
    g_assert_true (exists (other));
  }
}

static void
unlock_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_unlock_async (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClSecret) wrong = cl_secret_new_from_string ("wrong passphrase");

  insert_notes (cl_vault_get_db (f->vault), "async-", 4);
  cl_vault_lock (f->vault);

  cl_vault_unlock_async (f->dir, f->pass, NULL, unlock_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  vault = cl_vault_unlock_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
  g_assert_cmpint (count_notes (cl_vault_get_db (vault), "async-"), ==, 4);
  cl_vault_lock (vault);
  g_clear_object (&vault);
  g_clear_object (&result);

  cl_vault_unlock_async (f->dir, wrong, NULL, unlock_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  vault = cl_vault_unlock_finish (result, &error);
  g_assert_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_WRONG_SECRET);
  g_assert_null (vault);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelled before it ran */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    cl_vault_unlock_async (f->dir, f->pass, cancellable, unlock_done_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    vault = cl_vault_unlock_finish (result, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (vault);
  }
}

static void
test_create_at_version (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClVault) old = NULL;
  g_autoptr(ClVault) vault = NULL;

  old = _cl_vault_create_at_version (f->dir, f->pass, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_migrations_version (cl_vault_get_db (old), &error), ==, 1);
  cl_vault_lock (old);

  vault = unlock_ok (f->dir, PASSPHRASE);
  g_assert_cmpint (cl_migrations_version (cl_vault_get_db (vault), &error), ==,
                   cl_migrations_latest ());
}

/* Without CASELOAD_TEST_FAST_KDF the slots use at least libsodium's MODERATE cost. */
static void
test_kdf_params (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ClVault) vault = NULL;
  JsonArray *slots;

  g_unsetenv ("CASELOAD_TEST_FAST_KDF");
  vault = cl_vault_create (f->dir, f->pass, &f->recovery, &error);
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_assert_no_error (error);
  cl_vault_lock (vault);
  g_clear_object (&vault);

  g_assert_true (json_parser_load_from_file (parser, f->keys_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "format"), ==, "caseload-keys");
  slots = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "slots");
  g_assert_cmpuint (json_array_get_length (slots), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);

      g_assert_cmpstr (json_object_get_string_member (slot, "kdf"), ==, "argon2id13");
      g_assert_cmpint (json_object_get_int_member (slot, "opslimit"), >=,
                       crypto_pwhash_OPSLIMIT_MODERATE);
      g_assert_cmpint (json_object_get_int_member (slot, "memlimit"), >=,
                       crypto_pwhash_MEMLIMIT_MODERATE);
    }

  /* The stored parameters are what unlock uses, fast KDF or not. */
  vault = unlock_ok (f->dir, PASSPHRASE);
}

/* ClSecret ---------------------------------------------------------------------------- */

static void
test_secret_basics (void)
{
  g_autoptr(ClSecret) a = cl_secret_new_from_string ("abc");
  g_autoptr(ClSecret) b = cl_secret_dup (a);
  g_autoptr(ClSecret) c = cl_secret_new_from_string ("abd");
  g_autoptr(ClSecret) d = cl_secret_new_from_string ("abcd");
  g_autoptr(ClSecret) z = cl_secret_new (16);

  g_assert_cmpstr (cl_secret_get_string (a), ==, "abc");
  g_assert_cmpuint (cl_secret_get_len (a), ==, 3);
  g_assert_true (cl_secret_equal (a, b));
  g_assert_false (cl_secret_equal (a, c));
  g_assert_false (cl_secret_equal (a, d));
  g_assert_cmpuint (cl_secret_get_len (z), ==, 16);
  g_assert_cmpint (cl_secret_get_data (z)[16], ==, 0);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpint (cl_secret_get_data (z)[i], ==, 0);
}

static void
assert_secret_file (const char *dir,
                    const char *content,
                    gsize       len,
                    const char *expected)
{
  g_autofree char *path = g_build_filename (dir, "pass", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) secret = NULL;

  write_bytes (path, content, len);
  secret = cl_secret_new_from_file (path, &error);
  if (expected == NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (secret);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpuint (cl_secret_get_len (secret), ==, strlen (expected));
      g_assert_cmpstr (cl_secret_get_string (secret), ==, expected);
    }
}

static void
test_secret_from_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) secret = NULL;
  g_autofree char *missing = g_build_filename (f->parent, "missing", NULL);
  g_autofree char *max = g_malloc (4097);

  assert_secret_file (f->parent, "hunter22", 8, "hunter22");
  assert_secret_file (f->parent, "hunter22\n", 9, "hunter22");
  assert_secret_file (f->parent, "hunter22\r\n", 10, "hunter22");
  assert_secret_file (f->parent, "hunter22\n\n", 10, "hunter22\n");
  assert_secret_file (f->parent, " spaces kept ", 13, " spaces kept ");
  assert_secret_file (f->parent, "", 0, NULL);
  assert_secret_file (f->parent, "\n", 1, NULL);
  assert_secret_file (f->parent, "nul\0inside", 10, NULL);

  memset (max, 'p', 4096);
  max[4096] = '\0';
  assert_secret_file (f->parent, max, 4096, max);
  max[4096] = 'p';
  assert_secret_file (f->parent, max, 4097, NULL);

  secret = cl_secret_new_from_file (missing, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (secret);
  g_clear_error (&error);

  secret = cl_secret_new_from_file (f->parent, &error);
  g_assert_nonnull (error);
  g_assert_null (secret);
}

static void
test_secret_from_fd (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClSecret) secret = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], "from a pipe\n", 12), ==, 12);
  close (fds[1]);
  secret = cl_secret_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_secret_get_string (secret), ==, "from a pipe");
  close (fds[0]);

  /* More than 4 KiB through a pipe (no size to check up front) */
  g_clear_pointer (&secret, cl_secret_free);
  g_assert_cmpint (pipe (fds), ==, 0);
  {
    char buf[5000];

    memset (buf, 'x', sizeof buf);
    g_assert_cmpint (write (fds[1], buf, sizeof buf), ==, sizeof buf);
  }
  close (fds[1]);
  secret = cl_secret_new_from_fd (fds[0], &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (secret);
  close (fds[0]);
}

int
main (int   argc,
      char *argv[])
{
  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  initial_umask = umask (022);
  umask (initial_umask);

#define ADD(path, setup, fn) \
  g_test_add ("/core/vault/" path, Fixture, NULL, setup, fn, teardown)

  ADD ("create-unlock-lock", setup_vault, test_create_unlock);
  ADD ("recovery-key-format", setup_vault, test_recovery_key_format);
  ADD ("modes", setup_vault, test_modes);
  ADD ("loose-modes-fixed", setup_empty, test_loose_dir_mode_fixed);
  ADD ("create-refused", setup_vault, test_create_refused);
  ADD ("exists-default-dir", setup_empty, test_exists_default_dir);
  ADD ("not-found", setup_empty, test_not_found);
  ADD ("wrong-passphrase", setup_vault, test_wrong_passphrase);
  ADD ("keys-missing", setup_vault, test_keys_missing);
  ADD ("keys-damaged", setup_vault, test_keys_damaged);
  ADD ("keys-hostile-params", setup_vault, test_keys_hostile_params);
  ADD ("corrupt-db", setup_vault, test_corrupt_db);
  ADD ("corrupt-db-header", setup_vault, test_corrupt_db_header);
  ADD ("too-new", setup_vault, test_too_new);
  ADD ("change-passphrase", setup_vault, test_change_passphrase);
  ADD ("recover", setup_vault, test_recover);
  ADD ("rekey", setup_vault, test_rekey);
  ADD ("rekey-interrupted-after-commit", setup_vault, test_rekey_interrupted_after_commit);
  ADD ("rekey-interrupted-before-commit", setup_vault, test_rekey_interrupted_before_commit);
  ADD ("rekey-not-started", setup_vault, test_rekey_not_started);
  ADD ("rekey-killed", setup_vault, test_rekey_killed);
  ADD ("verify", setup_vault, test_verify);
  ADD ("backup-restore", setup_vault, test_backup_restore);
  ADD ("restore-damaged", setup_vault, test_restore_damaged);
  ADD ("erase", setup_vault, test_erase);
  ADD ("unlock-async", setup_vault, test_unlock_async);
  ADD ("create-at-version", setup_empty, test_create_at_version);
  ADD ("kdf-params", setup_empty, test_kdf_params);
  ADD ("secret-from-file", setup_empty, test_secret_from_file);

#undef ADD

  g_test_add_func ("/core/vault/secret-basics", test_secret_basics);
  g_test_add_func ("/core/vault/secret-from-fd", test_secret_from_fd);

  return g_test_run ();
}
