/* test-cli.c: caseloadctl, driven as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test runs the built caseloadctl in a fresh temporary folder, with cheap key
 * derivation (CASELOAD_TEST_FAST_KDF=1), and checks exit codes, output and what the vault
 * holds afterwards.
 */

#define G_LOG_DOMAIN "test-cli"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cl-sql.h"
#include "cl-vault-private.h"
#include "cl-sync.h"
#include "cl-test-util.h"
#include "cl-workstation.h"

#ifndef CASELOADCTL
#error "CASELOADCTL must be the path of the built caseloadctl"
#endif
#ifndef SCHEMA_DIR
#error "SCHEMA_DIR must be where the GSettings schema is compiled"
#endif
#ifndef DCONF
#error "DCONF must be the path of dconf, or empty when it was not found"
#endif

#define PASSPHRASE "correct horse battery staple"

typedef struct {
  char  *dir;
  char  *vault;
  char  *pass;
  GStrv  env;    /* more of caseloadctl's environment, "NAME=VALUE" */
} Fixture;

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

static char *
path_in (Fixture    *f,
         const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        rm_rf (child);
      }
  g_remove (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("caseload-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->vault = path_in (f, "vault");
  f->pass = path_in (f, "pass");
  write_file (f->pass, PASSPHRASE "\n");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->vault);
  g_free (f->pass);
  g_strfreev (f->env);
}

/* Runs caseloadctl with @argv (NULL-terminated), @input on stdin, @fd given as fd 3. */
static void
run_argv (Fixture            *f,
          Run                *run,
          const char         *input,
          int                 fd,
          const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *xdg = path_in (f, "xdg");

  run_clear (run);
  g_ptr_array_add (args, (gpointer) CASELOADCTL);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "CASELOAD_USER", "tester", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "CASELOAD_VAULT");
  for (guint i = 0; f->env != NULL && f->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (f->env[i], "=", 2);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  if (fd >= 0)
    g_subprocess_launcher_take_fd (launcher, fd, 3);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &run->out,
                                 &run->err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  if (g_test_verbose ())
    g_printerr ("caseloadctl … %s → %d\n%s%s", argv[0], run->status, run->out, run->err);
}

/* caseloadctl --vault VAULT --passphrase-file PASS ARGS… */
#define CL(f, run, ...) \
  run_argv ((f), (run), NULL, -1, \
            (const char * const[]) { "--vault", (f)->vault, "--passphrase-file", (f)->pass, \
                                     __VA_ARGS__, NULL })

/* caseloadctl ARGS… without any default */
#define RAW(f, run, ...) \
  run_argv ((f), (run), NULL, -1, (const char * const[]) { __VA_ARGS__, NULL })

#define assert_status(run, expected) \
  G_STMT_START { \
    if ((run)->status != (expected)) \
      g_error ("exit status %d, expected %d\nstdout: %s\nstderr: %s", (run)->status, \
               (expected), (run)->out, (run)->err); \
  } G_STMT_END

static void
init_vault (Fixture *f)
{
  Run run = { 0 };

  CL (f, &run, "init");
  assert_status (&run, 0);
  run_clear (&run);
}

static char *
add (Fixture    *f,
     const char *type,
     ...)
{
  Run run = { 0 };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "--vault");
  g_ptr_array_add (args, f->vault);
  g_ptr_array_add (args, (gpointer) "--passphrase-file");
  g_ptr_array_add (args, f->pass);
  g_ptr_array_add (args, (gpointer) "add");
  g_ptr_array_add (args, (gpointer) type);
  va_start (ap, type);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_argv (f, &run, NULL, -1, (const char * const *) args->pdata);
  assert_status (&run, 0);
  g_strstrip (run.out);
  g_assert_true (g_uuid_string_is_valid (run.out));
  g_free (run.err);
  return run.out;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* What `COMMAND --json [TYPE]` prints: an array. */
static JsonArray *
command_json (Fixture    *f,
              const char *command,
              const char *type)
{
  Run run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  CL (f, &run, command, "--json", type);
  assert_status (&run, 0);
  node = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_array_ref (json_node_get_array (node));
  run_clear (&run);
  return array;
}

/* The records of @type, as `list TYPE --json` prints them. */
static JsonArray *
list_json (Fixture    *f,
           const char *type)
{
  return command_json (f, "list", type);
}

static guint
count (Fixture    *f,
       const char *type)
{
  g_autoptr(JsonArray) array = list_json (f, type);
  return json_array_get_length (array);
}

/* The string value of a member, NULL when null or absent. */
static const char *
member (JsonObject *object,
        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_is_null (node))
    return NULL;
  return json_node_get_string (node);
}

/* The record of @array whose @field is @value; fails the test when there is none. */
static JsonObject *
find (JsonArray  *array,
      const char *field,
      const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (member (object, field), value) == 0)
        return object;
    }
  g_error ("No record with %s = %s", field, value);
  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* @text with its lines sorted: the store lists in creation order only to the second. */
static char *
sorted_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  qsort (lines, g_strv_length (lines), sizeof (char *), compare_strings);
  return g_strjoinv ("\n", lines);
}

static char *
new_client_with_case (Fixture    *f,
                      const char *legal_name,
                      char      **case_id)
{
  char *client = add (f, "client", g_strdup_printf ("legal_name=%s", legal_name), NULL);

  *case_id = add (f, "case", g_strdup_printf ("client_id=%s", client), "command=14",
                  "track=dv", "status=outreach", NULL);
  return client;
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  static const char * const commands[] = {
    "init", "passwd", "recover", "verify", "rekey", "backup", "restore", "schema", "add",
    "set", "get", "delete", "list", "search", "import", "export", "demo", "set-server",
  };
  Run run = { 0 };

  RAW (f, &run, "--help");
  assert_status (&run, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", commands[i]);
      g_assert_nonnull (strstr (run.out, line));
    }
  for (int code = 0; code <= 7; code++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %d  ", code);
      g_assert_nonnull (strstr (run.out, line));
    }
  RAW (f, &run, "enroll", "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "--device-name=NAME"));
  g_assert_nonnull (strstr (run.out, "--change-password"));
  g_assert_nonnull (strstr (run.out, "--new-password-file=FILE"));
  RAW (f, &run, "login", "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "--change-password"));
  RAW (f, &run, "--version");
  assert_status (&run, 0);
  g_assert_cmpstr (run.out, ==, "caseloadctl " PACKAGE_VERSION "\n");
  RAW (f, &run, "set-server", "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "--ca=FILE"));

  RAW (f, &run, "frobnicate");
  assert_status (&run, 1);
  run_argv (f, &run, NULL, -1, (const char * const[]) { NULL });
  assert_status (&run, 1);
  RAW (f, &run, "--passphrase", "hunter2hunter2", "list", "client");
  assert_status (&run, 1);
  run_clear (&run);
}

/* set-server needs one address and an enrolled vault (the end-to-end suite moves one). */
static void
test_set_server_bad_input (Fixture       *f,
                           gconstpointer  data)
{
  Run run = { 0 };

  CL (f, &run, "init");
  assert_status (&run, 0);
  CL (f, &run, "set-server");
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "set-server needs"));
  CL (f, &run, "set-server", "https://a.example.org", "https://b.example.org");
  assert_status (&run, 1);
  CL (f, &run, "set-server", "https://caseload.example.org");
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "not enrolled"));
  CL (f, &run, "set-server", "https://caseload.example.org", "--ca", "/nonexistent/ca.pem");
  assert_status (&run, 7);
  run_clear (&run);
}

static void
test_init (Fixture       *f,
           gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *keys = g_build_filename (f->vault, "keys.json", NULL);
  g_autofree char *key_file = path_in (f, "recovery.txt");
  g_autofree char *vault2 = path_in (f, "vault2");
  struct stat st;

  CL (f, &run, "init");
  assert_status (&run, 0);
  g_strstrip (run.out);
  g_assert_cmpuint (strlen (run.out), >=, 16);          /* the recovery key, once */
  g_assert_nonnull (strstr (run.err, "only once"));
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Never over an existing vault. */
  CL (f, &run, "init");
  assert_status (&run, 4);

  /* The recovery key into a file: 0600, never replacing one. */
  RAW (f, &run, "--vault", vault2, "--passphrase-file", f->pass, "init",
       "--recovery-key-file", key_file);
  assert_status (&run, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, >=, 16);

  rm_rf (vault2);
  RAW (f, &run, "--vault", vault2, "--passphrase-file", f->pass, "init",
       "--recovery-key-file", key_file);
  assert_status (&run, 4);
  g_assert_false (g_file_test (vault2, G_FILE_TEST_EXISTS) &&
                  g_file_test (g_build_filename (vault2, "keys.json", NULL), G_FILE_TEST_EXISTS));

  /* Default folder: $XDG_DATA_HOME/caseload; CASELOAD_VAULT is unset by the runner. */
  RAW (f, &run, "--passphrase-file", f->pass, "init");
  assert_status (&run, 0);
  {
    g_autofree char *xdg_keys = g_build_filename (f->dir, "xdg", "caseload", "keys.json", NULL);
    g_assert_true (g_file_test (xdg_keys, G_FILE_TEST_EXISTS));
  }
  run_clear (&run);
}

static void
test_wrong_passphrase (Fixture       *f,
                       gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *keys = g_build_filename (f->vault, "keys.json", NULL);
  g_autofree char *wrong = path_in (f, "wrong");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  init_vault (f);
  before = read_file (keys);
  write_file (wrong, "not the passphrase at all\n");

  RAW (f, &run, "--vault", f->vault, "--passphrase-file", wrong, "list", "client");
  assert_status (&run, 2);
  g_assert_null (strstr (run.err, "not the passphrase"));
  RAW (f, &run, "--vault", f->vault, "--passphrase-file", wrong, "passwd",
       "--new-passphrase-file", f->pass);
  assert_status (&run, 2);

  after = read_file (keys);
  g_assert_cmpstr (before, ==, after);

  /* No passphrase source and no terminal: refused, not hanging. */
  RAW (f, &run, "--vault", f->vault, "list", "client");
  assert_status (&run, 1);

  /* Each run is a new process, yet the delay grows across them: after three wrong
   * passphrases the next run waits 2 s first, and says so, even with the right one. */
  RAW (f, &run, "--vault", f->vault, "--passphrase-file", wrong, "list", "client");
  assert_status (&run, 2);
  {
    gint64 t0 = g_get_monotonic_time ();

    CL (f, &run, "list", "client");
    assert_status (&run, 0);
    g_assert_cmpint (g_get_monotonic_time () - t0, >=, 1500 * 1000);
    g_assert_nonnull (strstr (run.err, "waiting 2 seconds"));
  }
  CL (f, &run, "list", "client");
  assert_status (&run, 0);
  g_assert_null (strstr (run.err, "waiting"));
  run_clear (&run);
}

static void
test_missing_vault (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };

  CL (f, &run, "list", "client");
  assert_status (&run, 3);
  CL (f, &run, "verify");
  assert_status (&run, 3);
  run_clear (&run);
}

static void
test_records (Fixture       *f,
              gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *client = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  init_vault (f);
  client = add (f, "client", "legal_name=Ana María Pérez", "preferred_language=es",
                "date_of_birth=1990-04-01", NULL);

  CL (f, &run, "get", "client", client);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "legal_name:         Ana María Pérez\n"));
  g_assert_nonnull (strstr (run.out, "preferred_language: es\n"));

  CL (f, &run, "get", "client", client, "--json");
  assert_status (&run, 0);
  node = parse_json (run.out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, client);
  g_assert_cmpstr (json_object_get_string_member (object, "legal_name"), ==, "Ana María Pérez");
  g_assert_cmpstr (json_object_get_string_member (object, "date_of_birth"), ==, "1990-04-01");

  CL (f, &run, "set", "client", client, "preferred_name=Anita", "preferred_language=en");
  assert_status (&run, 0);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "preferred_name:     Anita\n"));
  g_assert_nonnull (strstr (run.out, "preferred_language: en\n"));

  /* Viewing a client is audited. */
  CL (f, &run, "list", "audit", "--where", "action=view", "--where", "record_type=client");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, client));

  /* Cases and their append-only children. */
  case_id = add (f, "case", g_strdup_printf ("client_id=%s", client), "command=PSA 2",
                 "track=cv", "status=active", "referral_received_at=2024-03-01T10:00:00Z", NULL);
  contact = add (f, "contact", g_strdup_printf ("case_id=%s", case_id),
                 "at=2024-03-02T15:00:00Z", "channel=phone", "outcome=reached",
                 "note=Discussed options", NULL);
  CL (f, &run, "get", "case", case_id);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "command:"));
  g_assert_nonnull (strstr (run.out, "PSA 2"));
  g_assert_nonnull (strstr (run.out, "first_contact_at:"));

  CL (f, &run, "delete", "contact", contact);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "never"));
  CL (f, &run, "set", "contact", contact, "note=changed");
  assert_status (&run, 4);

  /* list --where */
  CL (f, &run, "list", "case", "--where", "track=cv", "--json");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, case_id));
  CL (f, &run, "list", "case", "--where", "track=dv", "--json");
  assert_status (&run, 0);
  g_assert_null (strstr (run.out, case_id));

  /* Restricted records need a reason, which is audited. */
  CL (f, &run, "set", "client", client, "restricted=yes");
  assert_status (&run, 0);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 4);
  CL (f, &run, "get", "client", client, "--reason", "court date tomorrow");
  assert_status (&run, 0);

  CL (f, &run, "delete", "case", case_id);
  assert_status (&run, 0);
  CL (f, &run, "get", "case", case_id);
  assert_status (&run, 3);
  CL (f, &run, "delete", "case", case_id);
  assert_status (&run, 3);

  /* A client with a live case goes only with --cascade, which takes the case too. */
  {
    g_autofree char *live = NULL;
    g_autofree char *other = new_client_with_case (f, "Bea Ruiz", &live);

    CL (f, &run, "delete", "client", other);
    assert_status (&run, 4);
    g_assert_nonnull (strstr (run.err, "live cases"));
    g_assert_null (strstr (run.err, "Bea Ruiz"));
    CL (f, &run, "delete", "case", live, "--cascade");
    assert_status (&run, 1);
    CL (f, &run, "get", "case", live);
    assert_status (&run, 0);
    CL (f, &run, "delete", "client", other, "--cascade");
    assert_status (&run, 0);
    CL (f, &run, "get", "case", live);
    assert_status (&run, 3);
    CL (f, &run, "get", "client", other);
    assert_status (&run, 3);
  }
  run_clear (&run);
}

/* How many "view" audit events name @id with @reason. */
static guint
views_of (Fixture    *f,
          const char *id,
          const char *reason)
{
  Run run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonArray *events;
  guint n = 0;

  CL (f, &run, "list", "audit", "--where", "action=view", "--json");
  assert_status (&run, 0);
  node = parse_json (run.out);
  events = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *o = json_array_get_object_element (events, i);

      n += g_strcmp0 (member (o, "record_id"), id) == 0 &&
           g_strcmp0 (member (o, "reason"), reason) == 0;
    }
  run_clear (&run);
  return n;
}

/* list follows get's rule: a restricted client, or a case of one, shows its identifying
 * fields only with --reason, which is audited with its id. */
static void
test_restricted_reading (Fixture       *f,
                         gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *open_client = NULL;
  g_autofree char *client = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *client_arg = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *rows;

  init_vault (f);
  open_client = add (f, "client", "legal_name=Open Person", "phone=+12125550100", NULL);
  client = add (f, "client", "legal_name=Hidden Person", "phone=+12125550199",
                "restricted=yes", NULL);
  client_arg = g_strdup_printf ("client_id=%s", client);
  case_id = add (f, "case", client_arg, "command=14", "track=dv", "status=active", NULL);

  /* Without a reason: the open client whole, the restricted one without name or phone. */
  CL (f, &run, "list", "client");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "Open Person"));
  g_assert_nonnull (strstr (run.out, "+12125550100"));
  g_assert_null (strstr (run.out, "Hidden Person"));
  g_assert_null (strstr (run.out, "+12125550199"));
  g_assert_nonnull (strstr (run.out, client));
  CL (f, &run, "list", "client", "--json");
  assert_status (&run, 0);
  g_assert_null (strstr (run.out, "Hidden Person"));
  g_assert_null (strstr (run.out, "+12125550199"));
  g_clear_pointer (&node, json_node_unref);
  node = parse_json (run.out);
  rows = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      gboolean restricted = g_strcmp0 (member (o, "id"), client) == 0;

      g_assert_cmpint (json_object_has_member (o, "masked"), ==, restricted);
      g_assert_cmpint (member (o, "legal_name") == NULL, ==, restricted);
    }
  /* Search shows case summaries, which never name a restricted client. */
  CL (f, &run, "search", "person", "--json");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, case_id));
  g_assert_null (strstr (run.out, "Hidden Person"));
  /* get refuses a case of a restricted client too. */
  CL (f, &run, "get", "case", case_id);
  assert_status (&run, 4);
  g_assert_cmpuint (views_of (f, client, "court date"), ==, 0);
  g_assert_cmpuint (views_of (f, case_id, "court date"), ==, 0);

  /* With a reason: shown, and each restricted record's view audited with it. */
  CL (f, &run, "list", "client", "--reason", "court date");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "Hidden Person"));
  g_assert_nonnull (strstr (run.out, "+12125550199"));
  g_assert_cmpuint (views_of (f, client, "court date"), ==, 1);
  g_assert_cmpuint (views_of (f, open_client, "court date"), ==, 0);
  CL (f, &run, "get", "case", case_id, "--reason", "court date");
  assert_status (&run, 0);
  g_assert_cmpuint (views_of (f, case_id, "court date"), ==, 1);
  /* A blank reason is none. */
  CL (f, &run, "list", "client", "--reason", "  ");
  assert_status (&run, 0);
  g_assert_null (strstr (run.out, "Hidden Person"));
  run_clear (&run);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *client = NULL;

  init_vault (f);
  client = add (f, "client", "legal_name=Test Person", NULL);

  CL (f, &run, "add", "nosuchtype", "name=x");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "nosuchtype"));
  CL (f, &run, "add", "client", "favourite_colour=blue");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "favourite_colour"));
  CL (f, &run, "add", "client", "preferred_language=klingon");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "klingon"));
  CL (f, &run, "add", "client", "date_of_birth=1990-13-45");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "date_of_birth"));
  CL (f, &run, "add", "case", g_strdup_printf ("client_id=%s", client), "command=14",
      "track=sideways");
  assert_status (&run, 4);
  CL (f, &run, "add", "case", "client_id=00000000-0000-4000-8000-000000000000",
      "command=14", "track=dv");
  assert_status (&run, 4);
  CL (f, &run, "add", "client", "no-equals-sign");
  assert_status (&run, 4);
  CL (f, &run, "get", "client", "00000000-0000-4000-8000-000000000000");
  assert_status (&run, 3);
  CL (f, &run, "get", "client");
  assert_status (&run, 1);
  CL (f, &run, "export", "client", "--format", "xml");
  assert_status (&run, 1);

  g_assert_cmpuint (count (f, "client"), ==, 1);
  g_assert_cmpuint (count (f, "case"), ==, 0);
  run_clear (&run);
}

static void
test_schema (Fixture       *f,
             gconstpointer  data)
{
  Run run = { 0 };

  RAW (f, &run, "schema");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "\n  client "));
  g_assert_nonnull (strstr (run.out, "\n  case "));
  g_assert_nonnull (strstr (run.out, "\n  contact "));
  g_assert_nonnull (strstr (run.out, "contact_outcome"));
  g_assert_nonnull (strstr (run.out, "voicemail_safe"));
  g_assert_nonnull (strstr (run.out, "B6"));

  RAW (f, &run, "schema", "case");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "\n  track "));
  g_assert_nonnull (strstr (run.out, "referral_received_at"));
  g_assert_nonnull (strstr (run.out, "trafficking"));
  g_assert_nonnull (strstr (run.out, "Youth / Safe Harbour"));

  RAW (f, &run, "schema", "nosuch");
  assert_status (&run, 4);
  run_clear (&run);
}

static const char bad_cases_header[] =
  "client_id,command,track,status,referral_received_at\n";

static void
test_import_bad (Fixture       *f,
                 gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *client = NULL;
  g_autofree char *csv_path = path_in (f, "cases.csv");
  g_autoptr(GString) csv = g_string_new (bad_cases_header);

  init_vault (f);
  client = add (f, "client", "legal_name=Imported Client", NULL);

  /* Line numbers: 1 header, 2… rows. Lines 4, 6 and 9 are bad. */
  g_string_append_printf (csv, "%s,14,dv,outreach,2024-01-02T10:00:00Z\n", client);  /* 2 */
  g_string_append_printf (csv, "%s,PSA 2,cv,active,2024-01-03\n", client);           /* 3 */
  g_string_append_printf (csv, "%s,14,sideways,active,2024-01-03\n", client);        /* 4 */
  g_string_append_printf (csv, "%s,75,youth,referred,\n", client);                   /* 5 */
  g_string_append_printf (csv, "%s,75,dv,referred,2024-02-30\n", client);            /* 6 */
  g_string_append_printf (csv, "%s,43,trafficking,on_hold,2023-12-31\n", client);    /* 7 */
  g_string_append_printf (csv, "%s,1,cv,closed,2023-11-01T08:30:00Z\n", client);     /* 8 */
  g_string_append (csv, "11111111-2222-4333-8444-555555555555,14,dv,active,2024-01-05\n"); /* 9 */
  write_file (csv_path, csv->str);

  CL (f, &run, "import", "case", csv_path);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "cases.csv:4:"));
  g_assert_nonnull (strstr (run.err, "sideways"));
  g_assert_nonnull (strstr (run.err, "cases.csv:6:"));
  g_assert_nonnull (strstr (run.err, "referral_received_at"));
  g_assert_nonnull (strstr (run.err, "cases.csv:9:"));
  g_assert_nonnull (strstr (run.err, "Unknown reference"));
  g_assert_null (strstr (run.err, "cases.csv:2:"));
  g_assert_null (strstr (run.err, "cases.csv:3:"));
  g_assert_null (strstr (run.err, "cases.csv:5:"));
  g_assert_null (strstr (run.err, "cases.csv:7:"));
  g_assert_null (strstr (run.err, "cases.csv:8:"));
  g_assert_nonnull (strstr (run.err, "3 lines were not accepted"));
  g_assert_cmpuint (count (f, "case"), ==, 0);

  /* An unknown column is named on line 1; again nothing is imported. */
  write_file (csv_path, "legal_name,favourite_colour\nA B,blue\n");
  CL (f, &run, "import", "client", csv_path);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "cases.csv:1:"));
  g_assert_nonnull (strstr (run.err, "favourite_colour"));
  g_assert_cmpuint (count (f, "client"), ==, 1);

  /* Broken CSV: a stray quote (line 3), a field over the size cap (line 4), an
   * unterminated quote running to the end (line 5). */
  {
    g_autoptr(GString) hostile = g_string_new ("legal_name,phone\nGood Row,1\nBad \"quote,2\n");
    g_string_append_c (hostile, '"');
    for (int i = 0; i < 70000; i++)
      g_string_append_c (hostile, 'x');
    g_string_append (hostile, "\",3\n\"never closed,4\n");
    write_file (csv_path, hostile->str);
  }
  CL (f, &run, "import", "client", csv_path);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "cases.csv:3:"));
  g_assert_nonnull (strstr (run.err, "cases.csv:4:"));
  g_assert_nonnull (strstr (run.err, "cases.csv:5:"));
  g_assert_null (strstr (run.err, "cases.csv:2:"));
  g_assert_cmpuint (count (f, "client"), ==, 1);

  /* An empty file. */
  write_file (csv_path, "");
  CL (f, &run, "import", "client", csv_path);
  assert_status (&run, 4);

  /* A missing file. */
  CL (f, &run, "import", "client", "/nonexistent/file.csv");
  assert_status (&run, 6);
  run_clear (&run);
}

static void
test_import_good (Fixture       *f,
                  gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *csv_path = path_in (f, "clients.csv");
  g_autoptr(JsonArray) clients = NULL;
  static const char csv[] =
    "\xef\xbb\xbf" "legal_name,preferred_name,pseudonym,date_of_birth,preferred_language\r\n"
    "José Ramírez,,,1985-02-03,es\r\n"
    "\"Ana \"\"La Flaca\"\" Pérez, Jr.\",Ana,,,es\r\n"
    ",,Anonymous 14-0001,,en\r\n"
    "王秀英,,,2001-12-31,zh\r\n"
    "\"Line\r\nBreak\",,,,ht\r\n"
    "Łukasz Wiśniewski,,,,pl\r\n";

  init_vault (f);
  write_file (csv_path, csv);
  CL (f, &run, "import", "client", csv_path);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "Imported 6 client records"));

  clients = list_json (f, "client");
  g_assert_cmpuint (json_array_get_length (clients), ==, 6);
  /* The store lists in creation order only to the second: look records up by value. */
  g_assert_cmpstr (member (find (clients, "legal_name", "José Ramírez"), "date_of_birth"), ==,
                   "1985-02-03");
  g_assert_cmpstr (member (find (clients, "legal_name", "Ana \"La Flaca\" Pérez, Jr."),
                           "preferred_name"), ==, "Ana");
  g_assert_null (member (find (clients, "pseudonym", "Anonymous 14-0001"), "legal_name"));
  g_assert_cmpstr (member (find (clients, "legal_name", "王秀英"), "preferred_language"), ==,
                   "zh");
  g_assert_cmpstr (member (find (clients, "legal_name", "Line\nBreak"), "preferred_language"),
                   ==, "ht");
  g_assert_cmpstr (member (find (clients, "legal_name", "Łukasz Wiśniewski"),
                           "preferred_language"), ==, "pl");

  /* Standard input works too. */
  run_argv (f, &run, "legal_name\nFrom Stdin\n", -1,
            (const char * const[]) { "--vault", f->vault, "--passphrase-file", f->pass,
                                     "import", "client", "-", NULL });
  assert_status (&run, 0);
  g_assert_cmpuint (count (f, "client"), ==, 7);
  run_clear (&run);
}

/* Every field of every record, without ids and timestamps. */
static char *
records_without_ids (JsonArray *array)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          JsonNode *value = json_object_get_member (object, name);
          g_autofree char *text = NULL;

          if (g_str_equal (name, "id") || g_str_equal (name, "created_at") ||
              g_str_equal (name, "updated_at") || g_str_equal (name, "version"))
            continue;
          text = json_to_string (value, FALSE);
          g_string_append_printf (out, "%s=%s;", name, text);
        }
      g_string_append_c (out, '\n');
    }
  return sorted_lines (out->str);
}

static void
test_export_roundtrip (Fixture       *f,
                       gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *csv_path = path_in (f, "export.csv");
  g_autofree char *json_path = path_in (f, "export.json");
  g_autofree char *second = path_in (f, "second");
  g_autofree char *first_vault = g_strdup (f->vault);
  g_autofree char *rows_a = NULL;
  g_autofree char *rows_b = NULL;
  g_autoptr(JsonArray) a = NULL;
  g_autoptr(JsonArray) b = NULL;
  g_autoptr(JsonNode) exported = NULL;
  g_autofree char *json_text = NULL;
  struct stat st;

  init_vault (f);
  CL (f, &run, "demo", "--cases", "30", "--seed", "7");
  assert_status (&run, 0);

  CL (f, &run, "export", "client", "--format", "csv", "--output", csv_path);
  assert_status (&run, 0);
  g_assert_cmpint (g_stat (csv_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The export is audited. */
  CL (f, &run, "list", "audit", "--where", "action=export", "--json");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "\"record_type\" : \"client\""));

  /* Into a second vault: the same rows. */
  g_free (f->vault);
  f->vault = g_strdup (second);
  init_vault (f);
  CL (f, &run, "import", "client", csv_path);
  assert_status (&run, 0);
  b = list_json (f, "client");
  g_free (f->vault);
  f->vault = g_strdup (first_vault);
  a = list_json (f, "client");
  g_assert_cmpuint (json_array_get_length (a), >, 0);
  g_assert_cmpuint (json_array_get_length (a), ==, json_array_get_length (b));
  rows_a = records_without_ids (a);
  rows_b = records_without_ids (b);
  g_assert_cmpstr (rows_a, ==, rows_b);

  /* JSON parses, one object per record; stdout when no --output. */
  CL (f, &run, "export", "case", "--format", "json");
  assert_status (&run, 0);
  exported = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (exported));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (exported)), ==, 30);
  g_assert_true (json_object_has_member (
    json_array_get_object_element (json_node_get_array (exported), 0), "track"));

  CL (f, &run, "export", "contact", "--format", "json", "--output", json_path);
  assert_status (&run, 0);
  json_text = read_file (json_path);
  g_clear_pointer (&exported, json_node_unref);
  exported = parse_json (json_text);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (exported));

  /* An empty type still gives valid JSON. */
  CL (f, &run, "export", "disclosure", "--format", "json");
  assert_status (&run, 0);
  g_clear_pointer (&exported, json_node_unref);
  exported = parse_json (run.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (exported)), ==, 0);
  run_clear (&run);
}

static char *
demo_names (Fixture *f)
{
  g_autoptr(JsonArray) clients = list_json (f, "client");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (clients); i++)
    {
      JsonObject *o = json_array_get_object_element (clients, i);
      static const char * const names[] = { "legal_name", "preferred_name", "pseudonym" };

      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          JsonNode *n = json_object_get_member (o, names[j]);
          g_string_append_printf (out, "%s|", n != NULL && !json_node_is_null (n)
                                                ? json_node_get_string (n) : "");
        }
      g_string_append_c (out, '\n');
    }
  {
    char *sorted = sorted_lines (out->str);
    g_string_free (out, TRUE);
    return sorted;
  }
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *second = path_in (f, "second");
  g_autofree char *first_vault = g_strdup (f->vault);
  g_autofree char *counts_a = NULL;
  g_autofree char *counts_b = NULL;
  g_autofree char *names_a = NULL;
  g_autofree char *names_b = NULL;
  g_autoptr(JsonArray) cases = NULL;
  g_autoptr(GHashTable) tracks = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) commands = g_hash_table_new (g_str_hash, g_str_equal);

  init_vault (f);
  CL (f, &run, "demo", "--cases", "200", "--seed", "1");
  assert_status (&run, 0);
  counts_a = g_steal_pointer (&run.out);
  names_a = demo_names (f);

  g_free (f->vault);
  f->vault = g_strdup (second);
  init_vault (f);
  CL (f, &run, "demo", "--cases", "200", "--seed", "1");
  assert_status (&run, 0);
  counts_b = g_steal_pointer (&run.out);
  names_b = demo_names (f);

  g_assert_cmpstr (counts_a, ==, counts_b);
  g_assert_cmpstr (names_a, ==, names_b);
  g_assert_nonnull (strstr (counts_a, "\ncase                 200\n"));

  /* A different seed gives a different caseload. */
  CL (f, &run, "demo", "--cases", "10", "--seed", "2");
  assert_status (&run, 0);
  g_assert_cmpuint (count (f, "case"), ==, 210);

  /* It looks like a caseload: all four tracks, many commands, contacts and services. */
  g_free (f->vault);
  f->vault = g_strdup (first_vault);
  cases = list_json (f, "case");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *o = json_array_get_object_element (cases, i);
      g_hash_table_add (tracks, (gpointer) json_object_get_string_member (o, "track"));
      g_hash_table_add (commands, (gpointer) json_object_get_string_member (o, "command"));
    }
  g_assert_cmpuint (g_hash_table_size (tracks), ==, 4);
  g_assert_cmpuint (g_hash_table_size (commands), >, 40);
  g_assert_cmpuint (count (f, "contact"), >, 200);
  g_assert_cmpuint (count (f, "service"), >, 50);
  g_assert_cmpuint (count (f, "safe_contact"), >, 150);
  g_assert_cmpuint (count (f, "referral"), ==, 200);
  g_assert_cmpuint (count (f, "victimization"), >=, 200);

  CL (f, &run, "demo");
  assert_status (&run, 1);
  CL (f, &run, "demo", "--cases", "5", "--seed", "x");
  assert_status (&run, 1);
  run_clear (&run);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  Run run = { 0 };
  g_autoptr(JsonArray) clients = NULL;
  g_autoptr(JsonNode) results = NULL;
  g_autofree char *client = NULL;
  g_autofree char *case_id = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *query = NULL;
  gboolean found = FALSE;

  init_vault (f);
  CL (f, &run, "demo", "--cases", "200", "--seed", "3");
  assert_status (&run, 0);

  /* A demo client whose name carries diacritics, searched in plain lower-case ASCII. */
  clients = list_json (f, "client");
  for (guint i = 0; i < json_array_get_length (clients) && wanted == NULL; i++)
    {
      JsonObject *o = json_array_get_object_element (clients, i);
      JsonNode *n = json_object_get_member (o, "legal_name");
      const char *name = n != NULL && !json_node_is_null (n) ? json_node_get_string (n) : NULL;
      g_autofree char *ascii = name != NULL ? g_str_to_ascii (name, "C") : NULL;

      if (name != NULL && strcmp (ascii, name) != 0 && strchr (ascii, '?') == NULL)
        {
          wanted = g_strdup (json_object_get_string_member (o, "id"));
          query = g_ascii_strdown (ascii, -1);
        }
    }
  g_assert_nonnull (wanted);

  CL (f, &run, "search", "--json", "--limit", "0", query);
  assert_status (&run, 0);
  results = parse_json (run.out);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (results)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (results), i);
      found |= g_strcmp0 (json_object_get_string_member (o, "client_id"), wanted) == 0;
    }
  g_assert_true (found);

  /* "jose" finds "José"; text output: id, case number, name, status. */
  client = new_client_with_case (f, "José Quiñones-Test", &case_id);
  CL (f, &run, "search", "jose", "quinones");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, case_id));
  g_assert_nonnull (strstr (run.out, "José Quiñones-Test"));
  g_assert_nonnull (strstr (run.out, "outreach"));
  g_assert_nonnull (strstr (run.out, "CL-"));

  CL (f, &run, "search", "JOSÉ", "QUIÑONES");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, case_id));

  CL (f, &run, "search", "zzzznobody");
  assert_status (&run, 0);
  g_assert_cmpstr (run.out, ==, "");
  run_clear (&run);
}

static void
test_backup_restore (Fixture       *f,
                     gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *backup = path_in (f, "vault.backup");
  g_autofree char *restored = path_in (f, "restored");
  g_autofree char *original = g_strdup (f->vault);
  g_autofree char *case_id = NULL;
  g_autofree char *client = NULL;

  init_vault (f);
  client = new_client_with_case (f, "Backed Up", &case_id);

  CL (f, &run, "backup");
  assert_status (&run, 1);
  CL (f, &run, "backup", "--output", backup);
  assert_status (&run, 0);
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));

  g_free (f->vault);
  f->vault = g_strdup (restored);
  CL (f, &run, "restore", backup);
  assert_status (&run, 0);
  CL (f, &run, "get", "case", case_id);
  assert_status (&run, 0);
  g_assert_cmpuint (count (f, "client"), ==, 1);

  /* Never over an existing vault. */
  g_free (f->vault);
  f->vault = g_strdup (original);
  CL (f, &run, "restore", backup);
  assert_status (&run, 4);
  run_clear (&run);
}

/* No temporary file of caseloadctl is left in @dir. */
static void
assert_no_temporary (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_prefix (name, ".caseloadctl-"));
}

/* Files written by caseloadctl never land in a vault folder (however the path gets there),
 * never replace a file without --force, and appear whole or not at all, mode 0600. */
static void
test_output_safety (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *keys = g_build_filename (f->vault, "keys.json", NULL);
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  g_autofree char *link = path_in (f, "link");
  g_autofree char *via_link = g_build_filename (link, "clients.csv", NULL);
  g_autofree char *sub = path_in (f, "sub");
  g_autofree char *via_dots = g_build_filename (sub, "..", "vault", "clients.csv", NULL);
  g_autofree char *other = path_in (f, "other");
  g_autofree char *in_other = g_build_filename (other, "nested", "clients.csv", NULL);
  g_autofree char *nested = g_build_filename (other, "nested", NULL);
  g_autofree char *in_vault = g_build_filename (f->vault, "report.txt", NULL);
  g_autofree char *out = path_in (f, "clients.csv");
  g_autofree char *backup = path_in (f, "vault.backup");
  g_autofree char *written = NULL;
  g_autofree char *original = g_strdup (f->vault);
  g_autofree char *case_id = NULL;
  struct stat st;

  init_vault (f);
  g_free (new_client_with_case (f, "Kept Whole", &case_id));
  keys_before = read_file (keys);

  /* The vault's own key file, straight, through a symbolic link and through "..". */
  CL (f, &run, "export", "client", "--output", keys, "--force");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "vault folder"));
  CL (f, &run, "backup", "--output", keys, "--force");
  assert_status (&run, 4);
  g_assert_cmpint (symlink (f->vault, link), ==, 0);
  CL (f, &run, "export", "client", "--output", via_link);
  assert_status (&run, 4);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  CL (f, &run, "export", "client", "--output", via_dots);
  assert_status (&run, 4);
  CL (f, &run, "report", "services", "--output", in_vault);
  assert_status (&run, 4);
  CL (f, &run, "rekey", "--recovery-key-file", in_vault);
  assert_status (&run, 4);
  keys_after = read_file (keys);
  g_assert_cmpstr (keys_after, ==, keys_before);
  g_assert_false (g_file_test (in_vault, G_FILE_TEST_EXISTS));
  assert_no_temporary (f->vault);

  /* A folder under another vault counts too. */
  g_free (f->vault);
  f->vault = g_strdup (other);
  init_vault (f);
  g_assert_cmpint (g_mkdir (nested, 0700), ==, 0);
  g_free (f->vault);
  f->vault = g_strdup (original);
  CL (f, &run, "export", "client", "--output", in_other);
  assert_status (&run, 4);
  g_assert_false (g_file_test (in_other, G_FILE_TEST_EXISTS));

  /* An existing file stays unless --force; then it is replaced whole, mode 0600. */
  write_file (out, "precious\n");
  CL (f, &run, "export", "client", "--output", out);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "--force"));
  written = read_file (out);
  g_assert_cmpstr (written, ==, "precious\n");
  g_clear_pointer (&written, g_free);
  g_assert_cmpint (chmod (out, 0644), ==, 0);
  CL (f, &run, "export", "client", "--output", out, "--force");
  assert_status (&run, 0);
  written = read_file (out);
  g_assert_nonnull (strstr (written, "Kept Whole"));
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  CL (f, &run, "backup", "--output", backup);
  assert_status (&run, 0);
  CL (f, &run, "backup", "--output", backup);
  assert_status (&run, 4);
  CL (f, &run, "backup", "--output", backup, "--force");
  assert_status (&run, 0);
  g_assert_cmpint (g_stat (backup, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  assert_no_temporary (f->dir);
  run_clear (&run);
}

/* The "get TYPE ID --json" object of a record. */
static JsonObject *
get_json (Fixture    *f,
          const char *type,
          const char *id)
{
  Run run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  CL (f, &run, "get", type, id, "--json");
  assert_status (&run, 0);
  node = parse_json (run.out);
  object = json_object_ref (json_node_get_object (node));
  run_clear (&run);
  return object;
}

/* Client data can come from a file or standard input, never the command line. */
static void
test_from_json (Fixture       *f,
                gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *json = path_in (f, "client.json");
  g_autofree char *client = NULL;
  g_autoptr(JsonObject) object = NULL;

  init_vault (f);
  write_file (json, "{\"legal_name\": \"Zoë \\\"Zee\\\" O'Hara\", \"phone\": \"718 555 0100\", "
              "\"preferred_language\": \"es\"}");
  client = add (f, "client", "--from-json", json, NULL);
  object = get_json (f, "client", client);
  g_assert_cmpstr (json_object_get_string_member (object, "legal_name"), ==, "Zoë \"Zee\" O'Hara");
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "718 555 0100");
  g_clear_pointer (&object, json_object_unref);

  /* From standard input; null clears; arguments still apply on top. */
  run_argv (f, &run, "{\"phone\": null, \"preferred_name\": \"Zee\"}", -1,
            (const char * const[]) { "--vault", f->vault, "--passphrase-file", f->pass, "set",
                                     "client", client, "--from-json", "-",
                                     "preferred_language=en", NULL });
  assert_status (&run, 0);
  object = get_json (f, "client", client);
  g_assert_null (member (object, "phone"));
  g_assert_cmpstr (json_object_get_string_member (object, "preferred_name"), ==, "Zee");
  g_assert_cmpstr (json_object_get_string_member (object, "preferred_language"), ==, "en");

  /* Refused, with nothing written: an unknown field, not an object, a nested value. */
  write_file (json, "{\"legal_name\": \"Somebody\", \"favourite_colour\": \"blue\"}");
  CL (f, &run, "add", "client", "--from-json", json);
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "favourite_colour"));
  write_file (json, "[\"legal_name\"]");
  CL (f, &run, "add", "client", "--from-json", json);
  assert_status (&run, 4);
  write_file (json, "{\"legal_name\": {\"first\": \"Some\"}}");
  CL (f, &run, "add", "client", "--from-json", json);
  assert_status (&run, 4);
  g_assert_cmpuint (count (f, "client"), ==, 1);

  RAW (f, &run, "add", "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "--from-json"));
  run_clear (&run);
}

/* A name with a right-to-left override is stored, shown and exported without it. */
static void
test_bidi_export (Fixture       *f,
                  gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *json = path_in (f, "client.json");
  g_autofree char *client = NULL;

  init_vault (f);
  write_file (json, "{\"legal_name\": \"\\u202Eenilorac\", \"phone\": \"\\u2066718 555 0100\\u2069\"}");
  client = add (f, "client", "--from-json", json, NULL);

  CL (f, &run, "get", "client", client);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "enilorac"));
  g_assert_null (strstr (run.out, "\u202E"));
  CL (f, &run, "export", "client", "--format", "csv");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "enilorac"));
  g_assert_nonnull (strstr (run.out, "718 555 0100"));
  g_assert_null (strstr (run.out, "\u202E"));
  g_assert_null (strstr (run.out, "\u2066"));
  run_clear (&run);
}

static void
test_passwd (Fixture       *f,
             gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *new_pass = path_in (f, "new-pass");
  g_autofree char *client = NULL;

  init_vault (f);
  client = add (f, "client", "legal_name=Before Passwd", NULL);
  write_file (new_pass, "a brand new passphrase\n");

  CL (f, &run, "passwd", "--new-passphrase-file", new_pass);
  assert_status (&run, 0);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 2);
  RAW (f, &run, "--vault", f->vault, "--passphrase-file", new_pass, "get", "client", client);
  assert_status (&run, 0);

  /* Too short a passphrase is refused. */
  write_file (f->pass, "short\n");
  RAW (f, &run, "--vault", f->vault, "--passphrase-file", new_pass, "passwd",
       "--new-passphrase-file", f->pass);
  assert_status (&run, 4);
  /* No terminal to ask the new one on. */
  RAW (f, &run, "--vault", f->vault, "--passphrase-file", new_pass, "passwd");
  assert_status (&run, 1);
  run_clear (&run);
}

static void
test_recover_rekey (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *key1 = path_in (f, "key1");
  g_autofree char *key2 = path_in (f, "key2");
  g_autofree char *new_pass = path_in (f, "new-pass");
  g_autofree char *client = NULL;

  CL (f, &run, "init", "--recovery-key-file", key1);
  assert_status (&run, 0);
  client = add (f, "client", "legal_name=Kept Across Rekey", NULL);
  write_file (new_pass, "recovered passphrase 1\n");

  /* A wrong recovery key. */
  write_file (key2, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH\n");
  CL (f, &run, "recover", "--recovery-key-file", key2, "--new-passphrase-file", new_pass);
  assert_status (&run, 2);
  g_remove (key2);
  CL (f, &run, "recover", "--new-passphrase-file", new_pass);
  assert_status (&run, 1);

  CL (f, &run, "recover", "--recovery-key-file", key1, "--new-passphrase-file", new_pass);
  assert_status (&run, 0);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 2);
  g_free (f->pass);
  f->pass = g_strdup (new_pass);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 0);

  /* Rekey: a new recovery key; the old one stops working; the records stay. */
  CL (f, &run, "rekey", "--recovery-key-file", key1);
  assert_status (&run, 4);                  /* the file exists: never replaced */
  CL (f, &run, "rekey", "--recovery-key-file", key2);
  assert_status (&run, 0);
  CL (f, &run, "get", "client", client);
  assert_status (&run, 0);
  CL (f, &run, "verify");
  assert_status (&run, 0);
  CL (f, &run, "recover", "--recovery-key-file", key1, "--new-passphrase-file", new_pass);
  assert_status (&run, 2);
  CL (f, &run, "recover", "--recovery-key-file", key2, "--new-passphrase-file", new_pass);
  assert_status (&run, 0);
  run_clear (&run);
}

static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *db = g_build_filename (f->vault, "caseload.db", NULL);
  g_autofree char *keys = g_build_filename (f->vault, "keys.json", NULL);

  init_vault (f);
  CL (f, &run, "verify");
  assert_status (&run, 0);
  g_assert_cmpstr (run.out, !=, "");

  /* Keys gone: damaged, not "wrong passphrase". */
  g_remove (keys);
  CL (f, &run, "verify");
  assert_status (&run, 5);
  (void) db;
  run_clear (&run);
}

static void
test_passphrase_fd (Fixture       *f,
                    gconstpointer  data)
{
  Run run = { 0 };
  g_autofree char *client = NULL;
  int fds[2];

  init_vault (f);
  client = add (f, "client", "legal_name=Through A Pipe", NULL);

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], PASSPHRASE "\n", strlen (PASSPHRASE) + 1), ==,
                   (gssize) strlen (PASSPHRASE) + 1);
  close (fds[1]);
  run_argv (f, &run, NULL, fds[0],
            (const char * const[]) { "--vault", f->vault, "--passphrase-fd", "3", "get",
                                     "client", client, NULL });
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "Through A Pipe"));

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], "wrong passphrase\n", 17), ==, 17);
  close (fds[1]);
  run_argv (f, &run, NULL, fds[0],
            (const char * const[]) { "--vault", f->vault, "--passphrase-fd=3", "get",
                                     "client", client, NULL });
  assert_status (&run, 2);

  RAW (f, &run, "--vault", f->vault, "--passphrase-fd", "x", "list", "client");
  assert_status (&run, 1);
  RAW (f, &run, "--vault", f->vault, "--passphrase-fd", "3", "--passphrase-file", f->pass,
       "list", "client");
  assert_status (&run, 1);
  run_clear (&run);
}

/* enroll with the workstation's defaults ---------------------------------------------
 *
 * The GSettings keys default-server-url and default-ca-file, through the keyfile backend
 * (what dconf holds on a prepared workstation). */

/* A certificate authority's certificate (public, without its key): enough to pass the CA
 * check before the connection, which then fails (nothing listens). */
static const char test_ca_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBjjCCATOgAwIBAgIUKo2s1lHi4sg0ByC09ZsSKcgiVoIwCgYIKoZIzj0EAwIw\n"
  "GzEZMBcGA1UEAwwQQ2FzZWxvYWQgdGVzdCBDQTAgFw0yNjEyMDcxNTQ4NTFaGA8y\n"
  "MTI2MTExMzE1NDg1MVowGzEZMBcGA1UEAwwQQ2FzZWxvYWQgdGVzdCBDQTBZMBMG\n"
  "ByqGSM49AgEGCCqGSM49AwEHA0IABDV6yIUXWDHho15fVnsphTGMUsbY8cMJKcLu\n"
  "Hum6HapKYAAbzFrJWi4LjAG+pimkgVV9jZDf10dQNpzIq+TG7PKjUzBRMB0GA1Ud\n"
  "DgQWBBSlH6W4cPA26IHfMKe8TZMpRdiNFjAfBgNVHSMEGDAWgBSlH6W4cPA26IHf\n"
  "MKe8TZMpRdiNFjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQC5\n"
  "HBwddfZIpcl3lvJa6UyJtkCr9euddFnWoI4qGn2i1wIhANeVPOWwyCEFUeyoTGbU\n"
  "fliak4nNMKBG8BFtWYN/g1mb\n"
  "-----END CERTIFICATE-----\n";

/* Writes the workstation's defaults; NULL leaves a key out. */
static void
set_workstation (Fixture    *f,
                 const char *url,
                 const char *ca_file)
{
  g_autofree char *dir = path_in (f, "config/glib-2.0/settings");
  g_autofree char *file = g_build_filename (dir, "keyfile", NULL);
  g_autoptr(GString) text = g_string_new ("[io/github/caseload/Caseload]\n");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  if (url != NULL)
    g_string_append_printf (text, "default-server-url='%s'\n", url);
  if (ca_file != NULL)
    g_string_append_printf (text, "default-ca-file='%s'\n", ca_file);
  write_file (file, text->str);
}

static void
test_enroll_defaults (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *config = path_in (f, "config");
  g_autofree char *ca = path_in (f, "ca.pem");
  g_autofree char *not_ca = path_in (f, "not-ca.txt");
  g_autofree char *missing = path_in (f, "missing.pem");
  g_autofree char *password = path_in (f, "password");
  Run run = { 0 };

  f->env = g_strsplit ("GSETTINGS_BACKEND=keyfile\nGSETTINGS_SCHEMA_DIR=" SCHEMA_DIR, "\n", -1);
  f->env = g_environ_setenv (f->env, "XDG_CONFIG_HOME", config, TRUE);
  write_file (ca, test_ca_pem);
  write_file (not_ca, "not a certificate\n");
  write_file (password, "a server password\n");
  init_vault (f);

  /* Nothing set: --server and --ca are needed. */
  set_workstation (f, NULL, NULL);
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "--server"));

  /* Both set: the advocate gives only the username; enrollment goes as far as the
   * connection to the default server, with the default CA. */
  set_workstation (f, "https://127.0.0.1:1", ca);
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "Could not reach the server"));
  /* Given, they are used instead (not locked). */
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password,
      "--ca", not_ca);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "holds no usable CA certificate"));
  g_assert_nonnull (strstr (run.err, "not-ca.txt"));

  /* A default that cannot serve says which setting, whom to ask, and sends nothing. */
  set_workstation (f, "http://caseload.example", ca);
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "default-server-url"));
  g_assert_nonnull (strstr (run.err, "https://"));
  g_assert_nonnull (strstr (run.err, "IT department"));
  set_workstation (f, "https://127.0.0.1:1", missing);
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "default-ca-file"));
  g_assert_nonnull (strstr (run.err, "missing.pem"));
  set_workstation (f, "https://127.0.0.1:1", "relative/ca.pem");
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "default-ca-file"));

  /* Still not enrolled. */
  CL (f, &run, "status");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "server: (not enrolled)"));

  run_clear (&run);
}

/* The procedure of docs/DEPLOYMENT.md ("Preparing workstations") with a dconf database of
 * its own (a file-db profile instead of /etc/dconf): the advocate gives only a username,
 * and the locked server cannot be replaced. */
static void
test_enroll_defaults_dconf (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *ca = path_in (f, "ca.pem");
  g_autofree char *keys = path_in (f, "local.d");
  g_autofree char *locks = path_in (f, "local.d/locks");
  g_autofree char *db = path_in (f, "local");
  g_autofree char *profile = path_in (f, "profile");
  g_autofree char *password = path_in (f, "password");
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  Run run = { 0 };

  if (*DCONF == '\0')
    g_error ("dconf (package dconf-cli, tools/install-deps) is needed for this test");
  write_file (ca, test_ca_pem);
  write_file (password, "a server password\n");
  g_assert_cmpint (g_mkdir_with_parents (locks, 0700), ==, 0);
  file = g_build_filename (keys, "00-caseload", NULL);
  text = g_strdup_printf ("[io/github/caseload/Caseload]\n"
                          "default-server-url='https://127.0.0.1:1'\n"
                          "default-ca-file='%s'\n", ca);
  write_file (file, text);
  g_free (file);
  file = g_build_filename (locks, "caseload", NULL);
  write_file (file, "/io/github/caseload/Caseload/default-server-url\n"
                    "/io/github/caseload/Caseload/default-ca-file\n");
  g_spawn_sync (NULL, (char *[]) { (char *) DCONF, (char *) "compile", db, keys, NULL }, NULL,
                G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_free (text);
  text = g_strdup_printf ("user-db:user\nfile-db:%s\n", db);
  write_file (profile, text);

  f->env = g_strsplit ("GSETTINGS_BACKEND=dconf\nGSETTINGS_SCHEMA_DIR=" SCHEMA_DIR, "\n", -1);
  f->env = g_environ_setenv (f->env, "DCONF_PROFILE", profile, TRUE);
  f->env = g_environ_setenv (f->env, "XDG_CONFIG_HOME", f->dir, TRUE);
  init_vault (f);
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password);
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "Could not reach the server"));
  CL (f, &run, "enroll", "--username", "ana", "--password-file", password,
      "--server", "https://elsewhere.example.org");
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "locked"));
  run_clear (&run);
}

/* A locked default (dconf locks on a prepared workstation) cannot be replaced. */
static void
test_enroll_defaults_locked (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *ca = path_in (f, "ca.pem");
  ClWorkstation ws = { "https://caseload.example.org", ca, TRUE, TRUE };
  g_autoptr(GError) error = NULL;
  const char *url = NULL, *ca_file = NULL;

  write_file (ca, test_ca_pem);
  g_assert_true (cl_workstation_resolve (&ws, &url, &ca_file, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "https://caseload.example.org");
  g_assert_cmpstr (ca_file, ==, ca);
  /* The same value given is no change; another is refused. */
  g_assert_true (cl_workstation_resolve (&ws, &url, &ca_file, &error));
  url = "https://elsewhere.example.org";
  g_assert_false (cl_workstation_resolve (&ws, &url, &ca_file, &error));
  g_assert_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_clear_error (&error);
  /* Not locked, what is given wins. */
  ws.server_locked = ws.ca_locked = FALSE;
  g_assert_true (cl_workstation_resolve (&ws, &url, &ca_file, &error));
  g_assert_cmpstr (url, ==, "https://elsewhere.example.org");
}

/* caseloadctl rejected ---------------------------------------------------------------
 *
 * The vault is made to look enrolled and synced through the core (records at a server
 * version, the server URL in meta) and refusals are written as the sync engine writes
 * them: the mutation leaves the outbox for `sent` and `rejected`. */

typedef struct {
  ClVault *vault;
  ClStore *store;
  char    *kase;
  char    *client;
} Synced;

static void
synced_clear (Synced *s)
{
  g_clear_object (&s->store);
  if (s->vault != NULL)
    cl_vault_lock (s->vault);
  g_clear_object (&s->vault);
  g_clear_pointer (&s->kase, g_free);
  g_clear_pointer (&s->client, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Synced, synced_clear)

static sqlite3 *
db (Synced *s)
{
  return cl_vault_get_db (cl_store_get_vault (s->store));
}

/* EXEC (s, sql, params…), QUERY (s, sql, params…): on the vault's database, asserting no
 * error. */
#define EXEC(s, ...) \
  G_STMT_START { \
    g_autoptr(GError) exec_error = NULL; \
    cl_sql_exec_params (db (s), &exec_error, __VA_ARGS__, CL_SQL_END); \
    g_assert_no_error (exec_error); \
  } G_STMT_END
#define QUERY(s, ...) \
  ({ \
    g_autoptr(GError) query_error = NULL; \
    char *query_text = cl_sql_query_text (db (s), &query_error, __VA_ARGS__, CL_SQL_END); \
    g_assert_no_error (query_error); \
    query_text; \
  })

/* A vault with a client and case the server holds at version 5, nothing queued. */
static void
synced_open (Fixture *f,
             Synced  *s)
{
  g_autoptr(ClSecret) pass = cl_secret_new_from_string (PASSPHRASE);
  g_autoptr(GError) error = NULL;

  init_vault (f);
  s->vault = cl_vault_unlock (f->vault, pass, &error);
  g_assert_no_error (error);
  s->store = cl_store_new (s->vault, "tester");
  s->kase = cl_test_new_case (s->store, "Qvrejectedclient");
  s->client = QUERY (s, "SELECT client_id FROM cases WHERE id = ?", s->kase);
  EXEC (s, "UPDATE cases SET version = 5");
  EXEC (s, "UPDATE client SET version = 5");
  EXEC (s, "DELETE FROM outbox");
}

static void
enroll (Synced *s)
{
  EXEC (s, "INSERT INTO meta (key, value) VALUES ('sync_url', 'https://caseload.invalid')");
}

/* What the sync engine does with a refused result: the newest outbox mutation goes to
 * `sent` and `rejected`. Returns its id. */
static char *
refuse_last (Synced     *s,
             const char *code)
{
  char *id = QUERY (s, "SELECT mutation_id FROM outbox ORDER BY seq DESC LIMIT 1");

  g_assert_nonnull (id);
  EXEC (s, "INSERT INTO rejected (mutation_id, seq, record_type, record_id, op, changes, code, "
        "reason, at) SELECT mutation_id, seq, record_type, record_id, op, changes, ?, "
        "'You may not change this record', created_at FROM outbox WHERE mutation_id = ?",
        code, id);
  EXEC (s, "INSERT INTO sent (seq, mutation_id, record_type, record_id, op, base_version, "
        "changes, created_at, acked_at) SELECT seq, mutation_id, record_type, record_id, op, "
        "base_version, changes, created_at, created_at FROM outbox WHERE mutation_id = ?",
        id);
  EXEC (s, "DELETE FROM outbox WHERE mutation_id = ?", id);
  return id;
}

static void
update (Synced     *s,
        const char *type,
        const char *id,
        const char *field,
        const char *value)
{
  g_autoptr(ClChanges) changes = cl_changes_new ();
  g_autoptr(GError) error = NULL;

  cl_changes_set (changes, field, value);
  cl_store_update (s->store, type, id, changes, &error);
  g_assert_no_error (error);
}

static guint
outbox_length (Synced *s)
{
  g_autofree char *n = QUERY (s, "SELECT count(*) FROM outbox");

  return (guint) g_ascii_strtoull (n, NULL, 10);
}

/* Listed in text and JSON; a restricted client's identifying values are left out. */
static void
test_rejected_list (Fixture       *f,
           gconstpointer  data)
{
  g_auto(Synced) synced = { 0 };
  Synced *s = &synced;
  g_autofree char *status_edit = NULL;
  g_autofree char *name_edit = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_edit = NULL;
  g_autoptr(JsonArray) array = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *o;
  Run run = { 0 };

  synced_open (f, s);
  enroll (s);
  CL (f, &run, "rejected");
  assert_status (&run, 0);
  g_assert_cmpstr (run.out, ==, "");

  other = cl_test_new_case (s->store, "Qvotherclient");
  EXEC (s, "DELETE FROM outbox");
  update (s, "case", other, "status", "active");
  other_edit = refuse_last (s, "invalid_value");
  update (s, "case", s->kase, "status", "on_hold");
  status_edit = refuse_last (s, "forbidden");
  EXEC (s, "UPDATE client SET restricted = '1' WHERE id = ?", s->client);
  update (s, "client", s->client, "legal_name", "Qvrefusedname");
  name_edit = refuse_last (s, "affects_hidden");

  CL (f, &run, "rejected");
  assert_status (&run, 0);
  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], name_edit));
  g_assert_nonnull (strstr (lines[0], "\tclient\t"));
  g_assert_nonnull (strstr (lines[0], "\tlegal_name\taffects_hidden\tYou may not change"));
  g_assert_nonnull (strstr (lines[1], "\tcase\t"));
  g_assert_nonnull (strstr (lines[1], "\tput\tstatus\tforbidden\t"));
  g_assert_null (strstr (run.out, "Qvrefusedname"));

  array = command_json (f, "rejected", NULL);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  o = find (array, "id", other_edit);
  g_assert_false (json_object_get_boolean_member (o, "masked"));
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "invalid_value");
  /* A case of a restricted client: its non-identifying fields are shown, as by list. */
  o = find (array, "id", status_edit);
  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "record"), ==, s->kase);
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "forbidden");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "changes"),
                                                  "status"), ==, "on_hold");
  g_assert_true (json_object_get_boolean_member (o, "masked"));
  g_assert_nonnull (json_object_get_string_member (o, "at"));
  o = find (array, "id", name_edit);
  g_assert_true (json_object_get_boolean_member (o, "masked"));
  g_assert_true (json_object_get_null_member (json_object_get_object_member (o, "changes"),
                                              "legal_name"));
  run_clear (&run);
}

/* Discarded: gone from the list, the record as the server holds it, nothing queued. */
static void
test_rejected_discard (Fixture       *f,
              gconstpointer  data)
{
  g_auto(Synced) synced = { 0 };
  Synced *s = &synced;
  g_autofree char *edit = NULL;
  g_autofree char *later = NULL;
  g_autofree char *deletion = NULL;
  g_autofree char *created = NULL;
  g_autofree char *creation = NULL;
  g_autofree char *value = NULL;
  g_autoptr(JsonArray) array = NULL;
  Run run = { 0 };

  synced_open (f, s);
  enroll (s);
  update (s, "case", s->kase, "status", "on_hold");
  edit = refuse_last (s, "forbidden");

  /* Without a terminal, only --yes confirms; nothing changes. */
  CL (f, &run, "rejected", "discard", edit);
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "--yes"));
  value = QUERY (s, "SELECT status FROM cases WHERE id = ?", s->kase);
  g_assert_cmpstr (value, ==, "on_hold");
  g_clear_pointer (&value, g_free);

  CL (f, &run, "rejected", "discard", edit, "--yes");
  assert_status (&run, 0);
  value = QUERY (s, "SELECT status FROM cases WHERE id = ?", s->kase);
  g_assert_cmpstr (value, ==, "referred");
  g_clear_pointer (&value, g_free);
  g_assert_cmpuint (outbox_length (s), ==, 0);
  array = command_json (f, "rejected", NULL);
  g_assert_cmpuint (json_array_get_length (array), ==, 0);
  g_clear_pointer (&array, json_array_unref);
  /* Twice: there is no such change any more. */
  CL (f, &run, "rejected", "discard", edit, "--yes");
  assert_status (&run, 3);

  /* A field edited again since keeps the later value. */
  update (s, "case", s->kase, "status", "on_hold");
  later = refuse_last (s, "forbidden");
  update (s, "case", s->kase, "status", "active");
  CL (f, &run, "rejected", "discard", later, "--yes");
  assert_status (&run, 0);
  value = QUERY (s, "SELECT status FROM cases WHERE id = ?", s->kase);
  g_assert_cmpstr (value, ==, "active");
  g_clear_pointer (&value, g_free);
  EXEC (s, "DELETE FROM outbox");

  /* A refused delete is undone; a refused creation is removed. */
  g_assert_true (cl_store_delete (s->store, "case", s->kase, NULL));
  deletion = refuse_last (s, "forbidden");
  created = cl_test_create (s->store, "case", "client_id", s->client, "command", "14",
                            "track", "dv", "referral_received_at",
                            "2026-11-01T10:00:00Z", NULL);
  creation = refuse_last (s, "forbidden");
  CL (f, &run, "rejected", "discard", "--all", "--yes");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "2 refused changes discarded"));
  value = QUERY (s, "SELECT deleted FROM cases WHERE id = ?", s->kase);
  g_assert_cmpstr (value, ==, "0");
  g_clear_pointer (&value, g_free);
  value = QUERY (s, "SELECT count(*) FROM cases WHERE id = ?", created);
  g_assert_cmpstr (value, ==, "0");
  g_clear_pointer (&value, g_free);
  g_assert_cmpuint (outbox_length (s), ==, 0);
  run_clear (&run);
}

/* Retried: a new mutation on the record's current version, the refused value shown again. */
static void
test_rejected_retry (Fixture       *f,
            gconstpointer  data)
{
  g_auto(Synced) synced = { 0 };
  Synced *s = &synced;
  g_autofree char *edit = NULL;
  g_autofree char *deletion = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *value = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *changes;
  Run run = { 0 };

  synced_open (f, s);
  enroll (s);
  update (s, "case", s->kase, "status", "on_hold");
  edit = refuse_last (s, "forbidden");
  /* A pull brought the server's value (and version) since. */
  EXEC (s, "UPDATE cases SET status = 'referred', version = 9");

  CL (f, &run, "rejected", "retry", edit);
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "1 refused change queued again"));
  value = QUERY (s, "SELECT status FROM cases WHERE id = ?", s->kase);
  g_assert_cmpstr (value, ==, "on_hold");
  g_clear_pointer (&value, g_free);
  g_assert_cmpuint (outbox_length (s), ==, 1);
  value = QUERY (s, "SELECT base_version || ' ' || op || ' ' || (mutation_id <> ?) FROM outbox",
                 edit);
  g_assert_cmpstr (value, ==, "9 put 1");
  g_clear_pointer (&value, g_free);
  value = QUERY (s, "SELECT changes FROM outbox");
  json_parser_load_from_data (parser, value, -1, &error);
  g_assert_no_error (error);
  changes = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                           "status");
  g_assert_cmpstr (json_object_get_string_member (changes, "old"), ==, "referred");
  g_assert_cmpstr (json_object_get_string_member (changes, "new"), ==, "on_hold");
  g_clear_pointer (&value, g_free);
  CL (f, &run, "rejected", "--json");
  assert_status (&run, 0);
  g_assert_cmpstr (g_strstrip (run.out), ==, "[]");
  EXEC (s, "DELETE FROM outbox");

  /* A refused delete is sent again on the current version. */
  g_assert_true (cl_store_delete (s->store, "case", s->kase, NULL));
  deletion = refuse_last (s, "forbidden");
  EXEC (s, "UPDATE cases SET version = 11");
  CL (f, &run, "rejected", "retry", "--all");
  assert_status (&run, 0);
  value = QUERY (s, "SELECT base_version || ' ' || op FROM outbox");
  g_assert_cmpstr (value, ==, "11 delete");
  g_clear_pointer (&value, g_free);
  EXEC (s, "DELETE FROM outbox");

  /* A record no longer in the vault can only be discarded. */
  update (s, "client", s->client, "pseudonym", "QvPseudo");
  gone = refuse_last (s, "forbidden");
  EXEC (s, "DELETE FROM client WHERE id = ?", s->client);
  CL (f, &run, "rejected", "retry", gone);
  assert_status (&run, 3);
  g_assert_nonnull (strstr (run.err, "only be discarded"));
  g_assert_cmpuint (outbox_length (s), ==, 0);
  CL (f, &run, "rejected", "discard", gone, "--yes");
  assert_status (&run, 0);
  run_clear (&run);
}

static void
test_rejected_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Synced) synced = { 0 };
  Synced *s = &synced;
  Run run = { 0 };

  synced_open (f, s);

  /* A vault that was never enrolled has no refused changes to show. */
  CL (f, &run, "rejected");
  assert_status (&run, 7);
  g_assert_nonnull (strstr (run.err, "not enrolled"));

  enroll (s);
  CL (f, &run, "rejected", "retry", "6f1c1a47-94a1-4bb5-a0a9-5e8f3bfbd0a1");
  assert_status (&run, 3);
  g_assert_nonnull (strstr (run.err, "no refused change"));
  CL (f, &run, "rejected", "frobnicate");
  assert_status (&run, 1);
  CL (f, &run, "rejected", "retry");
  assert_status (&run, 1);
  CL (f, &run, "rejected", "retry", "a", "--all");
  assert_status (&run, 1);
  CL (f, &run, "rejected", "retry", "--all", "--yes");
  assert_status (&run, 1);
  CL (f, &run, "rejected", "--all");
  assert_status (&run, 1);
  RAW (f, &run, "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "\n  rejected "));
  CL (f, &run, "rejected", "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "discard"));
  g_assert_nonnull (strstr (run.out, "--yes"));
  run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  cl_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/core/cli/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("help", test_help);
  ADD ("init", test_init);
  ADD ("set-server-bad-input", test_set_server_bad_input);
  ADD ("wrong-passphrase", test_wrong_passphrase);
  ADD ("missing-vault", test_missing_vault);
  ADD ("records", test_records);
  ADD ("restricted-reading", test_restricted_reading);
  ADD ("bad-input", test_bad_input);
  ADD ("schema", test_schema);
  ADD ("import-bad", test_import_bad);
  ADD ("import-good", test_import_good);
  ADD ("export-roundtrip", test_export_roundtrip);
  ADD ("demo", test_demo);
  ADD ("search", test_search);
  ADD ("backup-restore", test_backup_restore);
  ADD ("output-safety", test_output_safety);
  ADD ("from-json", test_from_json);
  ADD ("bidi-export", test_bidi_export);
  ADD ("passwd", test_passwd);
  ADD ("recover-rekey", test_recover_rekey);
  ADD ("verify", test_verify);
  ADD ("passphrase-fd", test_passphrase_fd);
  ADD ("enroll-defaults", test_enroll_defaults);
  ADD ("enroll-defaults-locked", test_enroll_defaults_locked);
  ADD ("enroll-defaults-dconf", test_enroll_defaults_dconf);
  ADD ("rejected/list", test_rejected_list);
  ADD ("rejected/discard", test_rejected_discard);
  ADD ("rejected/retry", test_rejected_retry);
  ADD ("rejected/bad-input", test_rejected_bad_input);
#undef ADD

  return g_test_run ();
}
