/* cl-cli-io.c: caseloadctl import, export, demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "caseloadctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-cli.h"
#include "cl-demo.h"
#include "cl-export.h"
#include "cl-import.h"
#include "cl-sync.h"

static gboolean
has_identifying_fields (const ClType *type)
{
  for (guint i = 0; i < type->n_fields; i++)
    if (cl_access_identifying (&type->fields[i]))
      return TRUE;
  return FALSE;
}

/* import ----------------------------------------------------------------------------- */

int
cl_cli_cmd_import (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(ClImportResult) result = cl_import_result_new ();
  g_autofree char *display = NULL;
  const ClType *type;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("import", "TYPE FILE.csv",
                                   _("Import a CSV file of one record type (“-” reads standard "
                                     "input). The first line names the columns: field names "
                                     "as caseloadctl schema TYPE shows them. All or nothing: "
                                     "when any line is bad, every bad line is reported with "
                                     "its number and nothing is imported."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 3)
    return cl_cli_usage_error (context, _("import needs a record type and a CSV file"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL)
    return cl_cli_fail (error);

  if (strcmp (argv[2], "-") == 0)
    {
      input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      display = g_strdup (_("(standard input)"));
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (argv[2]);

      display = g_filename_display_name (argv[2]);
      input = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (input == NULL)
        return cl_cli_fail (error);
    }

  if (!cl_cli_open (cli, &error))
    return cl_cli_fail (error);

  if (!cl_import_csv (cli->store, type->name, input, result, NULL, &error))
    {
      for (guint i = 0; i < result->problems->len; i++)
        {
          ClImportProblem *problem = g_ptr_array_index (result->problems, i);

          g_printerr ("%s:%u: %s\n", display, problem->line, problem->message);
        }
      if (result->n_problems > result->problems->len)
        {
          guint more = result->n_problems - result->problems->len;

          g_printerr (ngettext ("%s: … and %u more problem\n", "%s: … and %u more problems\n",
                                more), display, more);
        }
      return cl_cli_fail (error);
    }

  g_print (ngettext ("Imported %u %s record.\n", "Imported %u %s records.\n",
                     result->n_imported),
           result->n_imported, type->name);
  return CL_EXIT_OK;
}

/* export ----------------------------------------------------------------------------- */

int
cl_cli_cmd_export (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autofree char *format_text = NULL;
  g_autofree char *output_path = NULL;
  g_autofree char *reason = NULL;
  gboolean force = FALSE, bom = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_text, N_("csv (default) or json"),
      N_("FORMAT") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom,
      N_("With --format csv, start with a UTF-8 byte order mark, for spreadsheets"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
      N_("Write to FILE (mode 0600) instead of standard output"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE if it exists"), NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      N_("Why (recorded in the audit log)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(ClCliOutput) out = NULL;
  ClExportFormat format = CL_EXPORT_FORMAT_CSV;
  const ClType *type;
  GError *error = NULL;
  gint64 n = 0;
  int rc;

  context = cl_cli_option_context ("export", "TYPE",
                                   _("Export every record of a type as CSV (importable again) "
                                     "or JSON. Every export is recorded in the audit log."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 2)
    return cl_cli_usage_error (context, _("export needs a record type"));
  if (format_text != NULL && !cl_export_format_from_string (format_text, &format))
    return cl_cli_usage_error (context, _("Unknown format “%s”: use csv or json"),
                               format_text);

  if (bom && format != CL_EXPORT_FORMAT_CSV)
    return cl_cli_usage_error (context, _("--bom applies to --format csv only"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL ||
      (output_path != NULL &&
       (out = cl_cli_output_new (cli, output_path, force, &error)) == NULL) ||
      !cl_cli_open (cli, &error))
    return cl_cli_fail (error);

  if (out != NULL)
    output = cl_cli_output_stream (out);
  else
    output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  /* On failure the output's temporary file goes: no half-written file is left. */
  /* A reason of only blanks is none: restricted records then go without their identifying
   * fields. */
  if (reason != NULL && *g_strstrip (reason) == '\0')
    g_clear_pointer (&reason, g_free);
  if (!cl_export (cli->store, type->name, format, bom, output, reason, &n, NULL, &error) ||
      !g_output_stream_close (output, NULL, &error) ||
      (out != NULL && !cl_cli_output_commit (out, &error)))
    return cl_cli_fail (error);

  g_printerr (ngettext ("Exported %lu %s record.\n", "Exported %lu %s records.\n", (gulong) n),
              (gulong) n, type->name);
  if (has_identifying_fields (type))
    g_printerr (_("The export holds identifying client data: keep it encrypted, share it "
                  "only as a signed release allows, and delete it when done.\n"));
  return CL_EXIT_OK;
}

/* demo ------------------------------------------------------------------------------- */

static void
demo_progress_cb (guint    done,
                  guint    total,
                  gpointer user_data)
{
  gboolean *tty = user_data;

  if (*tty)
    g_printerr ("\r%u / %u", done, total);
}

int
cl_cli_cmd_demo (ClCli  *cli,
                 int     argc,
                 char  **argv)
{
  int n_cases = 0;
  g_autofree char *seed_text = NULL;
  const GOptionEntry entries[] = {
    { "cases", 'n', 0, G_OPTION_ARG_INT, &n_cases, N_("How many cases to add"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text,
      N_("Seed of the generator: the same seed gives the same caseload (default: random)"),
      N_("S") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GTimer) timer = NULL;
  const ClType *types;
  guint n_types;
  guint64 seed;
  gboolean tty = isatty (STDERR_FILENO);
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("demo", "",
                                   _("Add a realistic synthetic caseload (invented names, "
                                     "numbers and addresses; never real data): clients, cases "
                                     "across NYC's commands, referrals, contacts, services, "
                                     "immigration matters, notes and tasks."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc > 1)
    return cl_cli_usage_error (context, _("Unexpected argument “%s”"), argv[1]);
  if (n_cases <= 0)
    return cl_cli_usage_error (context, _("demo needs --cases N, with N at least 1"));
  if (seed_text == NULL)
    seed = g_random_int ();
  else if (!g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT32, &seed, NULL))
    return cl_cli_usage_error (context, _("--seed needs a number from 0 to %u"), G_MAXUINT32);

  if (!cl_cli_open (cli, &error))
    return cl_cli_fail (error);
  /* Its changes would be pushed to the server like any others. */
  {
    g_autoptr(ClSync) sync = cl_sync_new (cli->store);

    if (cl_sync_is_enrolled (sync))
      {
        g_set_error (&error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                     _("This vault is enrolled with a server: demo cases would be synced to "
                       "it. Create a separate vault for the demo (caseloadctl --vault DIR "
                       "init) and never enroll it."));
        return cl_cli_fail (error);
      }
  }

  timer = g_timer_new ();
  if (!cl_demo_generate (cli->store, (guint) n_cases, (guint32) seed, demo_progress_cb, &tty,
                         NULL, &error))
    {
      if (tty)
        g_printerr ("\n");
      return cl_cli_fail (error);
    }
  if (tty)
    g_printerr ("\n");
  g_printerr (ngettext ("Added %d demo case with seed %u in %.1f s.\n",
                        "Added %d demo cases with seed %u in %.1f s.\n", n_cases),
              n_cases, (guint) seed, g_timer_elapsed (timer, NULL));

  /* What the vault now holds. */
  types = cl_schema_types (&n_types);
  for (guint i = 0; i < n_types; i++)
    {
      gint64 count = cl_store_count (cli->store, types[i].name, NULL, &error);

      if (count < 0)
        return cl_cli_fail (error);
      g_print ("%-20s %" G_GINT64_FORMAT "\n", types[i].name, count);
    }
  return CL_EXIT_OK;
}
