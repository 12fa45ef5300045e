/* cl-e2e.c: vaults driven through caseloadctl, and the list-append oracle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every vault is a real caseloadctl vault; every change goes through `caseloadctl add/set/
 * delete/sync`, as a script or an advocate would. The oracle (TESTING.md, "Reliability"):
 * every committed note carries a unique token; at the end every outbox is empty, every
 * token is on the server exactly once and in every vault that can see it, and every synced
 * record of a vault equals the server's (version, deleted, every field).
 */

#define G_LOG_DOMAIN "cl-e2e"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cl-e2e.h"
#include "cl-schema.h"
#include "cl-secret.h"
#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-vault.h"

static char *tmp_root;

void
cl_e2e_init (int    *argc,
             char ***argv)
{
  cl_secure_init ();
  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_test_init (argc, argv, NULL);
  tmp_root = g_dir_make_tmp ("caseload-e2e-tls-XXXXXX", NULL);
}

gboolean
cl_e2e_long (void)
{
  return g_strcmp0 (g_getenv ("CASELOAD_LONG"), "1") == 0;
}

/* One set of certificates per test program. */
ClTestTls *
cl_e2e_tls (void)
{
  static ClTestTls *tls = NULL;

  if (tls == NULL)
    {
      g_autofree char *dir = g_build_filename (tmp_root, "tls", NULL);
      tls = cl_test_tls_new (dir);
    }
  return tls;
}

/* caseloadctl ------------------------------------------------------------------------ */

static char *
ctl_v (ClE2eClient         *client,
       const char * const  *env,
       int                 *status,
       char               **err,
       va_list              args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = g_get_environ ();
  const char *arg;

  envp = g_environ_setenv (envp, "CASELOAD_TEST_FAST_KDF", "1", TRUE);
  envp = g_environ_setenv (envp, "CASELOAD_USER", client->username, TRUE);
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  g_ptr_array_add (argv, g_strdup (cl_test_binary ("CASELOADCTL_BIN")));
  g_ptr_array_add (argv, g_strdup_printf ("--vault=%s", client->dir));
  g_ptr_array_add (argv, g_strdup_printf ("--passphrase-file=%s", client->pass_file));
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return cl_test_run ((const char * const *) argv->pdata, (const char * const *) envp, status,
                      err);
}

char *
cl_e2e_ctl (ClE2eClient         *client,
            const char * const  *env,
            int                 *status,
            char               **err,
            ...)
{
  va_list args;
  char *out;

  va_start (args, err);
  out = ctl_v (client, env, status, err, args);
  va_end (args);
  return out;
}

static char *
ctl_ok (ClE2eClient *client,
        ...)
{
  g_autofree char *err = NULL;
  va_list args;
  char *out;
  int status;

  va_start (args, client);
  out = ctl_v (client, NULL, &status, &err, args);
  va_end (args);
  if (status != 0)
    g_error ("caseloadctl (%s) failed with %d: %s%s", client->username, status, out, err);
  return out;
}

/* Starts caseloadctl without waiting (output discarded), to be killed or waited for. */
GSubprocess *
cl_e2e_ctl_spawn (ClE2eClient         *client,
                  const char * const  *env,
                  ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;
  GSubprocess *p;

  g_subprocess_launcher_setenv (launcher, "CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "CASELOAD_USER", client->username, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (env[i], "=", 2);
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  g_ptr_array_add (argv, g_strdup (cl_test_binary ("CASELOADCTL_BIN")));
  g_ptr_array_add (argv, g_strdup_printf ("--vault=%s", client->dir));
  g_ptr_array_add (argv, g_strdup_printf ("--passphrase-file=%s", client->pass_file));
  va_start (args, env);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

/* Waits up to @timeout_ms, then kills with SIGKILL. Returns the exit status, or 137 when
 * it was killed. */
int
cl_e2e_wait (GSubprocess *process,
             guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  if (g_subprocess_get_identifier (process) != NULL)
    g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

ClE2eClient *
cl_e2e_client_new_unenrolled (ClTestStack *stack,
                              const char  *username)
{
  static guint counter = 0;
  ClE2eClient *c = g_new0 (ClE2eClient, 1);
  g_autofree char *parent = g_strdup_printf ("%s/client-%s-%u", stack->dir, username, counter++);
  g_autofree char *out = NULL;

  g_mkdir_with_parents (parent, 0700);
  c->dir = g_build_filename (parent, "vault", NULL);
  c->pass_file = g_build_filename (parent, "passphrase", NULL);
  c->username = g_strdup (username);
  g_assert_true (g_file_set_contents (c->pass_file, CL_E2E_PASSPHRASE "\n", -1, NULL));
  out = ctl_ok (c, "init", NULL);
  return c;
}

/* A vault enrolled with @url (nginx's unless given) as @username. */
ClE2eClient *
cl_e2e_client_new (ClTestStack *stack,
                   const char  *username,
                   const char  *url)
{
  ClE2eClient *c = cl_e2e_client_new_unenrolled (stack, username);
  g_autofree char *pw = g_build_filename (stack->dir, "server-password", NULL);
  g_autofree char *server = g_strdup_printf ("--server=%s", url != NULL ? url : stack->url);
  g_autofree char *ca = g_strdup_printf ("--ca=%s", stack->tls->ca);
  g_autofree char *user = g_strdup_printf ("--username=%s", username);
  g_autofree char *pwf = g_strdup_printf ("--password-file=%s", pw);
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (pw, CL_TEST_SERVER_PASSWORD "\n", -1, NULL));
  c->url = g_strdup (url != NULL ? url : stack->url);
  out = ctl_ok (c, "enroll", server, ca, user, pwf, NULL);
  return c;
}

void
cl_e2e_client_free (ClE2eClient *client)
{
  if (client == NULL)
    return;
  g_free (client->dir);
  g_free (client->pass_file);
  g_free (client->username);
  g_free (client->url);
  g_free (client);
}

static char *
ctl_ok_array (ClE2eClient *client,
              GPtrArray   *argv)
{
  g_autofree char *err = NULL;
  char *out;
  int status;

  g_ptr_array_add (argv, NULL);
  switch (argv->len)
    {
#define A(i) (const char *) g_ptr_array_index (argv, i)
    case 4: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), NULL); break;
    case 5: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), A (3), NULL); break;
    case 6: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), A (3), A (4), NULL); break;
    case 7: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), A (3), A (4), A (5), NULL); break;
    case 8: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), A (3), A (4), A (5), A (6), NULL); break;
    case 9: out = cl_e2e_ctl (client, NULL, &status, &err, A (0), A (1), A (2), A (3), A (4), A (5), A (6), A (7), NULL); break;
#undef A
    default: g_assert_not_reached ();
    }
  if (status != 0)
    g_error ("caseloadctl %s failed with %d: %s%s", (char *) argv->pdata[0], status, out, err);
  return out;
}

/* cl_e2e_add (client, "note", "case_id=…", "text=…", NULL): the new record's id. */
char *
cl_e2e_add (ClE2eClient *client,
            const char  *type,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  const char *s;
  char *out;

  g_ptr_array_add (argv, (gpointer) "add");
  g_ptr_array_add (argv, (gpointer) type);
  va_start (args, type);
  while ((s = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) s);
  va_end (args);
  out = ctl_ok_array (client, argv);
  return g_strchomp (out);
}

void
cl_e2e_set (ClE2eClient *client,
            const char  *type,
            const char  *id,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  va_list args;
  const char *s;

  g_ptr_array_add (argv, (gpointer) "set");
  g_ptr_array_add (argv, (gpointer) type);
  g_ptr_array_add (argv, (gpointer) id);
  va_start (args, id);
  while ((s = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) s);
  va_end (args);
  out = ctl_ok_array (client, argv);
}

char *
cl_e2e_new_case (ClE2eClient *client,
                 const char  *name,
                 const char  *command)
{
  g_autofree char *legal = g_strdup_printf ("legal_name=%s", name);
  g_autofree char *client_id = cl_e2e_add (client, "client", legal, NULL);
  g_autofree char *cid = g_strdup_printf ("client_id=%s", client_id);
  g_autofree char *cmd = g_strdup_printf ("command=%s", command != NULL ? command : "14");

  return cl_e2e_add (client, "case", cid, cmd, "track=dv",
                     "referral_received_at=2026-11-01T10:00:00Z", NULL);
}

char *
cl_e2e_note (ClE2eClient *client,
             const char  *case_id,
             const char  *token)
{
  g_autofree char *cid = g_strdup_printf ("case_id=%s", case_id);
  g_autofree char *text = g_strdup_printf ("text=%s", token);

  return cl_e2e_add (client, "note", cid, "at=2026-11-02T10:00:00Z", text, NULL);
}

void
cl_e2e_sync_clear (ClE2eSync *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

void
cl_e2e_sync (ClE2eClient         *client,
             const char * const  *env,
             ClE2eSync           *result)
{
  const char *line;

  memset (result, 0, sizeof *result);
  result->out = cl_e2e_ctl (client, env, &result->status, &result->err, "sync", NULL);
  line = strstr (result->out, "pushed ");
  if (line != NULL)
    sscanf (line, "pushed %u, pulled %u, conflicts %u, rejected %u, purged %u",
            &result->pushed, &result->pulled, &result->conflicts, &result->rejected,
            &result->purged);
  result->full_resync = strstr (result->out, "full resync") != NULL;
}

void
cl_e2e_sync_ok (ClE2eClient *client,
                ClE2eSync   *result)
{
  cl_e2e_sync (client, NULL, result);
  if (result->status != 0)
    g_error ("caseloadctl sync (%s) failed with %d: %s%s", client->username, result->status,
             result->out, result->err);
}

char *
cl_e2e_status (ClE2eClient *client,
               const char  *key)
{
  g_autofree char *out = ctl_ok (client, "status", NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s: ", key);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

gint64
cl_e2e_pending (ClE2eClient *client)
{
  g_autofree char *v = cl_e2e_status (client, "pending");

  g_assert_nonnull (v);
  return g_ascii_strtoll (v, NULL, 10);
}

/* Reading vaults and the server ----------------------------------------------------- */

static ClVault *
open_vault (ClE2eClient *client)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (CL_E2E_PASSPHRASE);
  g_autoptr(GError) error = NULL;
  ClVault *vault = cl_vault_unlock (client->dir, pass, &error);

  g_assert_no_error (error);
  return vault;
}

char *
cl_e2e_field (ClE2eClient *client,
              const char  *type_name,
              const char  *id,
              const char  *field)
{
  g_autoptr(ClVault) vault = open_vault (client);
  const ClType *type = cl_schema_lookup_type (type_name);
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field, type->table);
  char *value = cl_sql_query_text (cl_vault_get_db (vault), NULL, sql, id, CL_SQL_END);

  cl_vault_lock (vault);
  return value;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
sorted (GPtrArray *a)
{
  g_ptr_array_sort (a, compare_strings);
  return a;
}

/* Rows of any table of the decrypted database whose text holds @needle (every column of
 * every table, the search index and history included). */
gsize
cl_e2e_count_in_vault_db (ClE2eClient *client,
                          const char  *needle)
{
  g_autoptr(ClVault) vault = open_vault (client);
  sqlite3 *db = cl_vault_get_db (vault);
  g_autoptr(sqlite3_stmt) tables = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gsize hits = 0;

  tables = cl_sql_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table'", NULL);
  g_assert_nonnull (tables);
  while (sqlite3_step (tables) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (tables, 0)));
  g_clear_pointer (&tables, sqlite3_finalize);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"",
                                              (char *) names->pdata[i]);
      g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (db, sql, NULL);

      if (stmt == NULL)
        continue;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const void *blob = sqlite3_column_blob (stmt, c);
            int len = sqlite3_column_bytes (stmt, c);

            if (blob != NULL && memmem (blob, len, needle, strlen (needle)) != NULL)
              hits++;
          }
    }
  cl_vault_lock (vault);
  return hits;
}

/* The rows @sql reads from the decrypted vault, one a line, columns joined by '|' (NULL
 * as "∅"): to compare a table before and after. */
char *
cl_e2e_vault_rows (ClE2eClient *client,
                   const char  *sql)
{
  g_autoptr(ClVault) vault = open_vault (client);
  g_autoptr(sqlite3_stmt) stmt = cl_sql_prepare (cl_vault_get_db (vault), sql, NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_nonnull (stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const char *v = (const char *) sqlite3_column_text (stmt, c);
          g_string_append_printf (out, "%s%s", c > 0 ? "|" : "", v != NULL ? v : "∅");
        }
      g_string_append_c (out, '\n');
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  cl_vault_lock (vault);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The note texts of live notes in the vault. */
GPtrArray *
cl_e2e_vault_tokens (ClE2eClient *client)
{
  g_autoptr(ClVault) vault = open_vault (client);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  {
    const ClType *type = cl_schema_lookup_type ("note");
    g_autofree char *sql = g_strdup_printf ("SELECT text FROM %s WHERE deleted = 0",
                                            type->table);
    stmt = cl_sql_prepare (cl_vault_get_db (vault), sql, NULL);
  }
  g_assert_nonnull (stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tokens, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  g_clear_pointer (&stmt, sqlite3_finalize);
  cl_vault_lock (vault);
  return sorted (tokens);
}

GPtrArray *
cl_e2e_server_tokens (ClTestStack *stack)
{
  g_autofree char *out = cl_test_stack_sql (stack, "SELECT fields ->> 'text' FROM record "
                                                   "WHERE type = 'note' AND NOT deleted");
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (tokens, g_strdup (lines[i]));
  return sorted (tokens);
}

/* Every synced record of @type in the vault equals the server's: version, deleted and
 * every field; with @complete, the vault also holds every live one of the server's. */
void
cl_e2e_assert_vault_matches_server (ClE2eClient *client,
                                    ClTestStack *stack,
                                    const char  *type_name,
                                    gboolean     complete)
{
  const ClType *type = cl_schema_lookup_type (type_name);
  g_autofree char *query = g_strdup_printf ("SELECT id || '|' || version || '|' || deleted::int "
                                            "|| '|' || fields::text FROM record WHERE type = "
                                            "'%s' ORDER BY id", type->name);
  g_autofree char *out = cl_test_stack_sql (stack, query);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GHashTable) server = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(ClVault) vault = open_vault (client);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT id, version, deleted FROM %s WHERE version > 0",
                                          type->table);
  guint live_in_vault = 0, live_on_server = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *bar = strchr (lines[i], '|');
      if (bar == NULL)
        continue;
      g_hash_table_insert (server, g_strndup (lines[i], bar - lines[i]), g_strdup (bar + 1));
      if (strstr (bar + 1, "|0|") == strchr (bar + 1, '|'))
        live_on_server++;
    }

  stmt = cl_sql_prepare (cl_vault_get_db (vault), sql, NULL);
  g_assert_nonnull (stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *row = g_hash_table_lookup (server, id);
      g_auto(GStrv) parts = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *fields;

      if (row == NULL)
        g_error ("%s: %s %s is in the vault but not on the server", client->username,
                 type->name, id);
      parts = g_strsplit (row, "|", 3);
      if (g_ascii_strtoll (parts[0], NULL, 10) != sqlite3_column_int64 (stmt, 1) ||
          g_ascii_strtoll (parts[1], NULL, 10) != sqlite3_column_int64 (stmt, 2))
        g_error ("%s: %s %s is at version %s deleted %s on the server, %" G_GINT64_FORMAT
                 " deleted %" G_GINT64_FORMAT " in the vault", client->username, type->name,
                 id, parts[0], parts[1], (gint64) sqlite3_column_int64 (stmt, 1),
                 (gint64) sqlite3_column_int64 (stmt, 2));
      if (sqlite3_column_int64 (stmt, 2) == 0)
        live_in_vault++;
      else
        continue;
      g_assert_true (json_parser_load_from_data (parser, parts[2], -1, NULL));
      fields = json_node_get_object (json_parser_get_root (parser));
      for (guint f = 0; f < type->n_fields; f++)
        {
          const ClField *field = &type->fields[f];
          g_autofree char *fsql = NULL;
          g_autofree char *local = NULL;
          const char *remote;

          if (field->flags & CL_FIELD_DERIVED)
            continue;
          fsql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", field->name, type->table);
          local = cl_sql_query_text (cl_vault_get_db (vault), NULL, fsql, id, CL_SQL_END);
          remote = json_object_has_member (fields, field->name)
                   ? json_object_get_string_member (fields, field->name) : NULL;
          if (g_strcmp0 (local, remote) != 0)
            g_error ("%s: %s %s field %s is “%s” in the vault, “%s” on the server",
                     client->username, type->name, id, field->name,
                     local != NULL ? local : "(null)", remote != NULL ? remote : "(null)");
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  cl_vault_lock (vault);
  if (complete)
    g_assert_cmpuint (live_in_vault, ==, live_on_server);
}

/**
 * cl_e2e_assert_converged:
 * @committed: (element-type utf8 utf8): every token a client reported committed
 *
 * Heals: syncs every client until its outbox is empty and a round changes nothing, then
 * checks the oracle.
 */
void
cl_e2e_assert_converged (ClTestStack  *stack,
                         ClE2eClient **clients,
                         guint         n_clients,
                         GHashTable   *committed)
{
  g_autoptr(GPtrArray) server = NULL;
  GHashTableIter iter;
  gpointer key;

  /* Rounds until nothing moves: each client's last round pushes and pulls nothing. */
  for (guint round = 0; ; round++)
    {
      gboolean quiet = TRUE;

      g_assert_cmpuint (round, <, 8);
      for (guint i = 0; i < n_clients; i++)
        {
          ClE2eSync s;

          cl_e2e_sync_ok (clients[i], &s);
          if (s.pushed > 0 || s.pulled > 0 || s.full_resync)
            quiet = FALSE;
          cl_e2e_sync_clear (&s);
        }
      if (quiet)
        break;
    }

  server = cl_e2e_server_tokens (stack);
  /* Exactly once on the server. */
  for (guint i = 1; i < server->len; i++)
    if (g_strcmp0 (server->pdata[i - 1], server->pdata[i]) == 0)
      g_error ("token %s is on the server twice", (char *) server->pdata[i]);
  g_hash_table_iter_init (&iter, committed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_ptr_array_find_with_equal_func (server, key, g_str_equal, NULL))
      g_error ("committed token %s never reached the server", (char *) key);

  for (guint i = 0; i < n_clients; i++)
    {
      g_autoptr(GPtrArray) mine = cl_e2e_vault_tokens (clients[i]);

      g_assert_cmpint (cl_e2e_pending (clients[i]), ==, 0);
      g_assert_cmpuint (mine->len, ==, server->len);
      for (guint t = 0; t < mine->len; t++)
        g_assert_cmpstr (mine->pdata[t], ==, server->pdata[t]);
      cl_e2e_assert_vault_matches_server (clients[i], stack, "note", TRUE);
      cl_e2e_assert_vault_matches_server (clients[i], stack, "case", TRUE);
      cl_e2e_assert_vault_matches_server (clients[i], stack, "client", TRUE);
    }
}

/* Syncs (failing the test if the round fails) and logs what the round did. */
void
cl_e2e_sync_logged (ClE2eClient *client,
                    ClE2eSync   *result)
{
  cl_e2e_sync_clear (result);
  cl_e2e_sync_ok (client, result);
  g_test_message ("%s: %s", client->username, result->out);
}

void
cl_e2e_held_clear (ClE2eHeld *held)
{
  g_free (held->kase);
  g_free (held->client);
  g_free (held->note);
  g_free (held->contact);
}

/* How many of @held's records @client's vault holds: all of them or none, asserted. */
guint
cl_e2e_count_held (ClE2eClient     *client,
                   const ClE2eHeld *held)
{
  const char *types[] = { "case", "client", "note", "contact" };
  const char *ids[] = { held->kase, held->client, held->note, held->contact };
  guint n = 0, wanted = 0;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *id = NULL;

      if (ids[i] == NULL)
        continue;
      wanted++;
      id = cl_e2e_field (client, types[i], ids[i], "id");
      n += id != NULL;
    }
  g_assert_true (n == 0 || n == wanted);
  return n;
}

/* Syncs (failing the test if the round fails), logs the round and checks that its summary
 * holds @expect (unless %NULL), e.g. "conflicts 1". */
void
cl_e2e_sync_expect (ClE2eClient *client,
                    const char  *expect)
{
  ClE2eSync s = { 0 };

  cl_e2e_sync_logged (client, &s);
  if (expect != NULL)
    g_assert_nonnull (strstr (s.out, expect));
  cl_e2e_sync_clear (&s);
}

/* An HTTP-mode fault proxy in front of @stack's nginx, with the stack's TLS. */
ClFaultProxy *
cl_e2e_https_proxy (ClTestStack *stack)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (stack->tls->server_cert,
                                                                      stack->tls->server_key,
                                                                      &error);
  g_autoptr(GTlsDatabase) ca = NULL;
  ClFaultProxy *proxy;

  g_assert_no_error (error);
  ca = g_tls_file_database_new (stack->tls->ca, &error);
  g_assert_no_error (error);
  proxy = cl_fault_proxy_new (stack->port, cert, ca, &error);
  g_assert_no_error (error);
  return proxy;
}

char *
cl_e2e_proxy_url (ClFaultProxy *proxy)
{
  return g_strdup_printf ("https://localhost:%u", cl_fault_proxy_get_port (proxy));
}

/* `caseloadctl conflicts --json`: the vault's open conflicts. */
JsonArray *
cl_e2e_conflicts (ClE2eClient *client)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int rc;

  out = cl_e2e_ctl (client, NULL, &rc, &err, "conflicts", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

/* Member @name of object @index of @list, %NULL when it is null. */
const char *
cl_e2e_json_string (JsonArray  *list,
                    guint       index,
                    const char *name)
{
  JsonObject *o = json_array_get_object_element (list, index);

  return json_object_get_null_member (o, name) ? NULL : json_object_get_string_member (o, name);
}

/* `caseloadctl conflicts resolve ID --keep=KEEP`, which must succeed. */
void
cl_e2e_resolve (ClE2eClient *client,
                const char  *conflict_id,
                const char  *keep)
{
  g_autofree char *arg = g_strdup_printf ("--keep=%s", keep);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int rc;

  out = cl_e2e_ctl (client, NULL, &rc, &err, "conflicts", "resolve", conflict_id, arg, NULL);
  if (rc != 0)
    g_error ("conflicts resolve (%s) failed with %d: %s%s", client->username, rc, out, err);
}

/* @winner and @loser set the case's assigned_to to their values; @winner syncs first, so
 * @loser's round loses it in a conflict. Returns the conflict's id (open on @loser). */
char *
cl_e2e_make_conflict (ClE2eClient *winner,
                      ClE2eClient *loser,
                      const char  *case_id,
                      const char  *winner_value,
                      const char  *loser_value)
{
  g_autofree char *w = g_strdup_printf ("assigned_to=%s", winner_value);
  g_autofree char *l = g_strdup_printf ("assigned_to=%s", loser_value);
  g_autofree char *shown = NULL;
  g_autoptr(JsonArray) list = NULL;
  ClE2eSync s;

  cl_e2e_set (winner, "case", case_id, w, NULL);
  cl_e2e_set (loser, "case", case_id, l, NULL);
  cl_e2e_sync_expect (winner, NULL);
  cl_e2e_sync_ok (loser, &s);
  g_assert_cmpuint (s.conflicts, ==, 1);
  cl_e2e_sync_clear (&s);
  list = cl_e2e_conflicts (loser);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (cl_e2e_json_string (list, 0, "theirs"), ==, winner_value);
  shown = cl_e2e_field (loser, "case", case_id, "assigned_to");
  g_assert_cmpstr (shown, ==, winner_value);
  return g_strdup (cl_e2e_json_string (list, 0, "id"));
}

/* What the server holds in @field of record @id. */
char *
cl_e2e_server_field (ClTestStack *stack,
                     const char  *id,
                     const char  *field)
{
  g_autofree char *sql = g_strdup_printf ("SELECT fields ->> '%s' FROM record WHERE id = '%s'",
                                          field, id);
  return cl_test_stack_sql (stack, sql);
}

/* The server and every vault of @clients hold @expected in the case's assigned_to. */
void
cl_e2e_assert_assigned (ClTestStack  *stack,
                        ClE2eClient **clients,
                        guint         n_clients,
                        const char   *case_id,
                        const char   *expected)
{
  g_autofree char *server = cl_e2e_server_field (stack, case_id, "assigned_to");

  g_assert_cmpstr (server, ==, expected);
  for (guint i = 0; i < n_clients; i++)
    {
      g_autofree char *v = cl_e2e_field (clients[i], "case", case_id, "assigned_to");
      g_assert_cmpstr (v, ==, expected);
    }
}
