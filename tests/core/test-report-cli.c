/* test-report-cli.c: caseloadctl report, driven as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One vault is made with caseloadctl (init, add) in a temporary folder; each test runs
 * `caseloadctl report` on it and checks the exit status and what was written.
 *
 * The data, all in the first quarter of 2026 (a past fiscal quarter):
 *   three services for client A on case 1 (A1 ×2, C1), one for client B on case 2 (A1);
 *   case 1 in command 14 (Manhattan), case 2 in command 75 (Brooklyn), both DV.
 */

#define G_LOG_DOMAIN "test-report-cli"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#ifndef CASELOADCTL
#error "CASELOADCTL must be the path of the built caseloadctl"
#endif

#define PASSPHRASE "correct horse battery staple"

static char *dir;
static char *vault;
static char *pass;

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

static void
run_argv (Run                *run,
          const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *xdg = g_build_filename (dir, "xdg", NULL);

  run_clear (run);
  g_ptr_array_add (args, (gpointer) CASELOADCTL);
  g_ptr_array_add (args, (gpointer) "--vault");
  g_ptr_array_add (args, vault);
  g_ptr_array_add (args, (gpointer) "--passphrase-file");
  g_ptr_array_add (args, pass);
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
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "", NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  if (g_test_verbose ())
    g_printerr ("caseloadctl %s … → %d\n%s%s", argv[0], run->status, run->out, run->err);
}

#define CL(run, ...) run_argv ((run), (const char * const[]) { __VA_ARGS__, NULL })

#define assert_status(run, expected) \
  G_STMT_START { \
    if ((run)->status != (expected)) \
      g_error ("exit status %d, expected %d\nstdout: %s\nstderr: %s", (run)->status, \
               (expected), (run)->out, (run)->err); \
  } G_STMT_END

static char *
add (const char * const *argv)
{
  Run run = { 0 };
  char *id;

  run_argv (&run, argv);
  assert_status (&run, 0);
  id = g_strdup (g_strstrip (run.out));
  run_clear (&run);
  return id;
}

#define ADD(...) add ((const char * const[]) { "add", __VA_ARGS__, NULL })

static void
build_vault (void)
{
  Run run = { 0 };
  g_autofree char *a = NULL, *b = NULL, *c1 = NULL, *c2 = NULL, *client_a = NULL, *client_b = NULL;
  g_autoptr(GError) error = NULL;

  dir = g_dir_make_tmp ("caseload-report-cli-XXXXXX", &error);
  g_assert_no_error (error);
  vault = g_build_filename (dir, "vault", NULL);
  pass = g_build_filename (dir, "pass", NULL);
  g_file_set_contents (pass, PASSPHRASE "\n", -1, &error);
  g_assert_no_error (error);
  CL (&run, "init");
  assert_status (&run, 0);
  run_clear (&run);

  client_a = g_strconcat ("legal_name=Alpha MARKER", NULL);
  client_b = g_strconcat ("legal_name=Beta MARKER", NULL);
  a = ADD ("client", client_a, "gender=female", "race_ethnicity=asian", "age_band=25_59");
  b = ADD ("client", client_b, "gender=male", "race_ethnicity=white", "age_band=18_24");
  {
    g_autofree char *ca = g_strconcat ("client_id=", a, NULL);
    g_autofree char *cb = g_strconcat ("client_id=", b, NULL);

    c1 = ADD ("case", ca, "command=14", "track=dv", "status=active", "assigned_to=ana",
              "referral_received_at=2026-01-05T15:00:00Z");
    c2 = ADD ("case", cb, "command=75", "track=dv", "status=active", "assigned_to=ben",
              "referral_received_at=2026-02-05T15:00:00Z");
  }
  {
    g_autofree char *k1 = g_strconcat ("case_id=", c1, NULL);
    g_autofree char *k2 = g_strconcat ("case_id=", c2, NULL);

    g_free (ADD ("service", k1, "date=2026-01-06", "code=A1", "times=2", "advocate=ana"));
    g_free (ADD ("service", k1, "date=2026-01-07", "code=C1", "times=1", "advocate=ana"));
    g_free (ADD ("service", k2, "date=2026-02-06", "code=A1", "times=1", "advocate=ben"));
    g_free (ADD ("contact", k1, "at=2026-01-05T17:00:00Z", "channel=phone", "outcome=reached",
                 "direction=outbound", "note=NOTE MARKER"));
  }
}

static void
test_list (void)
{
  Run run = { 0 };

  CL (&run, "report");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "caseload"));
  g_assert_nonnull (strstr (run.out, "pmt"));
  g_assert_nonnull (strstr (run.out, "trafficking"));
  g_assert_nonnull (strstr (run.out, "data-quality"));
  run_clear (&run);

  CL (&run, "--help");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "report"));
  run_clear (&run);
}

static void
test_text (void)
{
  Run run = { 0 };

  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "Services delivered"));
  g_assert_nonnull (strstr (run.out, "Period: 2026-01-01 to 2026-03-31"));
  g_assert_nonnull (strstr (run.out, "A1 Information about the criminal justice process"));
  g_assert_null (strstr (run.out, "MARKER"));
  run_clear (&run);
}

static void
test_csv (void)
{
  Run run = { 0 };

  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31",
      "--format", "csv");
  assert_status (&run, 0);
  g_assert_true (g_str_has_prefix (run.out, "table,row,column,value,"));
  /* A1 was provided 3 times (2 + 1) to 2 individuals; 4 times in all. */
  g_assert_nonnull (strstr (run.out, "\r\nby_code,A1,times,3,"));
  g_assert_nonnull (strstr (run.out, "\r\nby_code,A1,individuals,2,"));
  g_assert_nonnull (strstr (run.out, "\r\nby_code,total,times,4,"));
  g_assert_nonnull (strstr (run.err, "For internal use"));
  run_clear (&run);

  /* One command only. */
  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31",
      "--format", "csv", "--command", "75");
  assert_status (&run, 0);
  g_assert_nonnull (strstr (run.out, "\r\nby_code,total,times,1,"));
  run_clear (&run);

  /* For a spreadsheet: a byte order mark first, only when asked, and only for CSV. */
  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31",
      "--format", "csv", "--bom");
  assert_status (&run, 0);
  g_assert_true (g_str_has_prefix (run.out, "\xef\xbb\xbftable,row,column,value,"));
  run_clear (&run);
  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31", "--bom");
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "--bom"));
  run_clear (&run);
}

static void
test_json (void)
{
  Run run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *first;

  CL (&run, "report", "pmt", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json");
  assert_status (&run, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "report"), ==, "pmt");
  first = json_array_get_object_element (json_object_get_array_member (root, "tables"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "key"), ==, "individuals");
  /* Individuals served: A and B, both new. */
  {
    JsonArray *rows = json_object_get_array_member (first, "rows");
    JsonObject *served = json_object_get_object_member (json_array_get_object_element (rows, 0), "cells");
    JsonObject *new_ = json_object_get_object_member (json_array_get_object_element (rows, 1), "cells");

    g_assert_cmpint (json_object_get_int_member (served, "count"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (new_, "count"), ==, 2);
  }
  run_clear (&run);
}

static void
test_pdf (void)
{
  Run run = { 0 };
  g_autofree char *path = g_build_filename (dir, "pmt.pdf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftotext", "-layout", NULL, "-", NULL };
  GStatBuf st;
  int status;

  argv[2] = path;
  CL (&run, "report", "pmt", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "pdf",
      "--output", path, "--outside");
  assert_status (&run, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  run_clear (&run);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (text, "VOCA Performance Measurement Tool"));
  g_assert_nonnull (strstr (text, "Period: 2026-01-01 to 2026-03-31"));
  g_assert_nonnull (strstr (text, "For outside use: counts from 1 to 4 suppressed"));
  g_assert_nonnull (strstr (text, "Individuals who received services"));
  g_assert_null (strstr (text, "MARKER"));
  /* 2 individuals: a small cell, shown as "*". */
  g_assert_nonnull (strstr (text, "*"));
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_outside_audited (void)
{
  Run run = { 0 };
  guint before, after;

  CL (&run, "list", "audit", "--json");
  assert_status (&run, 0);
  before = count (run.out, "\"export\"");
  run_clear (&run);

  CL (&run, "report", "services", "--from", "2026-01-01", "--to", "2026-03-31", "--format",
      "csv", "--outside", "--threshold", "2");
  assert_status (&run, 0);
  /* Threshold 2: A1 3 times is shown, C1 once and the individuals (2, 1) are not. */
  g_assert_nonnull (strstr (run.out, "\r\nreport,suppressed,,1,"));
  g_assert_nonnull (strstr (run.out, "\r\nby_code,C1,times,*,"));
  g_assert_nonnull (strstr (run.out, "\r\nby_code,A1,individuals,*,"));
  run_clear (&run);

  CL (&run, "list", "audit", "--json");
  assert_status (&run, 0);
  after = count (run.out, "\"export\"");
  g_assert_cmpuint (after, ==, before + 1);
  run_clear (&run);
}

static void
test_errors (void)
{
  Run run = { 0 };

  CL (&run, "report", "no-such-report");
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "Unknown report"));
  g_assert_nonnull (strstr (run.err, "caseload"));
  run_clear (&run);

  CL (&run, "report", "pmt", "--format", "xls");
  assert_status (&run, 1);
  g_assert_nonnull (strstr (run.err, "xls"));
  run_clear (&run);

  CL (&run, "report", "pmt", "--period", "next-century");
  assert_status (&run, 1);
  run_clear (&run);

  CL (&run, "report", "pmt", "--from", "2026-01-01");
  assert_status (&run, 1);
  run_clear (&run);

  CL (&run, "report", "pmt", "--from", "2026-13-01", "--to", "2026-03-31");
  assert_status (&run, 1);
  run_clear (&run);

  CL (&run, "report", "referrals", "--from", "2026-03-31", "--to", "2026-01-01");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "ends before it starts"));
  run_clear (&run);

  CL (&run, "report", "referrals", "--period", "last-quarter", "--borough", "atlantis");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "borough"));
  run_clear (&run);

  CL (&run, "report", "referrals", "--period", "last-quarter", "--command", "999");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "999"));
  run_clear (&run);

  /* A PMT period must stay in one fiscal year. */
  CL (&run, "report", "pmt", "--from", "2025-09-01", "--to", "2025-12-31");
  assert_status (&run, 4);
  g_assert_nonnull (strstr (run.err, "fiscal year"));
  run_clear (&run);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  build_vault ();

  g_test_add_func ("/core/report-cli/list", test_list);
  g_test_add_func ("/core/report-cli/text", test_text);
  g_test_add_func ("/core/report-cli/csv", test_csv);
  g_test_add_func ("/core/report-cli/json", test_json);
  g_test_add_func ("/core/report-cli/pdf", test_pdf);
  g_test_add_func ("/core/report-cli/outside-audited", test_outside_audited);
  g_test_add_func ("/core/report-cli/errors", test_errors);
  rc = g_test_run ();

  {
    const char *argv_rm[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  NULL, NULL);
  }
  g_free (dir);
  g_free (vault);
  g_free (pass);
  return rc;
}
