/* cl-cli-report.c: caseloadctl report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs one report of the shared engine (common/cl-report.c, common/reports/) on the vault
 * and writes it as text, CSV, JSON or PDF. Every run that writes a report is an export: it is
 * recorded in the audit log first. --outside applies small-cell suppression and leaves
 * out lists that identify cases.
 *
 * --server asks caseload-server instead (cl_sync_run_report()): the same report over every
 * case the user may read there, for supervisors, directors and data staff; with --outside
 * the server suppresses. It never answers from the vault on its own: only with --fallback,
 * and only when the server cannot be reached or fails, is the vault's report written, with
 * a note on stderr and exit status 7 (CL_EXIT_SYNC) so that a script notices.
 */

#define G_LOG_DOMAIN "caseloadctl"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>

#include "cl-cli.h"
#include "cl-report-export.h"
#include "cl-report-vault.h"
#include "cl-sync.h"

static int
list_reports (void)
{
  const ClReportInfo *list;
  guint n, width = 0;

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    width = MAX (width, strlen (list[i].name));
  g_print ("%s\n", _("Reports:"));
  for (guint i = 0; i < n; i++)
    g_print ("  %-*s  %s%s\n", (int) width, list[i].name, _(list[i].title),
             list[i].funder ? _(" (funder report)") : "");
  g_print ("\n%s\n", _("“caseloadctl report NAME --help” shows the options."));
  return CL_EXIT_OK;
}

static char *
report_names (void)
{
  const ClReportInfo *list;
  GString *names = g_string_new (NULL);
  guint n;

  list = cl_report_list (&n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", list[i].name);
  return g_string_free (names, FALSE);
}

/* Report errors: an unknown report is a usage error, bad parameters are invalid input. */
static int
report_fail (GError *error)
{
  if (error->domain == CL_REPORT_ERROR)
    {
      int code = error->code == CL_REPORT_ERROR_UNKNOWN_REPORT ? CL_EXIT_USAGE : CL_EXIT_INVALID;

      g_printerr ("caseloadctl: %s\n", error->message);
      g_error_free (error);
      return code;
    }
  return cl_cli_fail (error);
}

static gboolean
parse_day (const char  *option,
           const char  *text,
           ClDay       *day,
           GError     **error)
{
  if (text == NULL)
    return TRUE;
  *day = cl_day_parse (text);
  if (*day == CL_DAY_NONE || strlen (text) != 10)
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_USAGE,
                   _("%s needs a date as YYYY-MM-DD, not “%s”"), option, text);
      return FALSE;
    }
  return TRUE;
}

/* Every command named must exist in the vault. */
static gboolean
check_commands (ClStore  *store,
                GStrv     commands,
                GError  **error)
{
  for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
    {
      g_autoptr(ClChanges) where = cl_changes_new ();
      g_autofree char *code = g_ascii_strup (commands[i], -1);
      gint64 n;

      cl_changes_set (where, "code", g_strstrip (code));
      n = cl_store_count (store, "command", where, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                       _("There is no command “%s” (see caseloadctl list command)"),
                       commands[i]);
          return FALSE;
        }
      g_free (commands[i]);
      commands[i] = g_steal_pointer (&code);
    }
  return TRUE;
}

/* Errors after which --fallback answers from the vault: the server could not answer.
 * A refusal, a sign-in to renew or an answer not understood are the user's to see. */
static gboolean
server_unavailable (const GError *error)
{
  return error->domain == CL_SYNC_ERROR &&
         (error->code == CL_SYNC_ERROR_NETWORK || error->code == CL_SYNC_ERROR_TLS ||
          error->code == CL_SYNC_ERROR_SERVER || error->code == CL_SYNC_ERROR_THROTTLED);
}

/* The report from the server; with @fallback, from the vault when the server cannot
 * answer (*fell_back set). */
static ClReportResult *
run_report (ClCli                 *cli,
            const char            *name,
            const ClReportParams  *params,
            gboolean               server,
            gboolean               fallback,
            gboolean              *fell_back,
            GError               **error)
{
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(GError) server_error = NULL;
  ClReportResult *result;

  if (!server)
    return cl_report_run_vault (cli->store, name, params, CL_REPORT_RUN_NONE, error);
  sync = cl_sync_new (cli->store);
  result = cl_sync_run_report (sync, name, params, NULL, &server_error);
  if (result != NULL)
    return result;
  if (!fallback || !server_unavailable (server_error))
    {
      g_propagate_error (error, g_steal_pointer (&server_error));
      return NULL;
    }
  g_printerr ("caseloadctl: %s\n", server_error->message);
  g_printerr (_("caseloadctl: the server did not answer; this report covers only this "
                "workstation’s vault, not the whole agency.\n"));
  *fell_back = TRUE;
  return cl_report_run_vault (cli->store, name, params, CL_REPORT_RUN_NONE, error);
}

int
cl_cli_cmd_report (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autofree char *from_text = NULL, *to_text = NULL, *as_of_text = NULL;
  g_autofree char *period_text = NULL, *format_text = NULL, *output_path = NULL;
  g_autofree char *borough = NULL, *advocate = NULL, *track = NULL, *funding = NULL;
  g_auto(GStrv) commands = NULL;
  int fiscal_start = 0, stale_days = 0, threshold = -1;
  gboolean outside = FALSE, force = FALSE, server = FALSE, fallback = FALSE, fell_back = FALSE;
  gboolean bom = FALSE;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("First day of the period"),
      N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("Last day of the period"),
      N_("YYYY-MM-DD") },
    { "period", 'p', 0, G_OPTION_ARG_STRING, &period_text,
      N_("this-quarter (default), last-quarter, fiscal-year, last-fiscal-year, this-half or "
         "last-half (quarters and years are fiscal)"), N_("PERIOD") },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text,
      N_("Day of the caseload and deadlines (default: the end of the period, or today)"),
      N_("YYYY-MM-DD") },
    { "command", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &commands,
      N_("Only this command (repeat for several)"), N_("CODE") },
    { "borough", 'b', 0, G_OPTION_ARG_STRING, &borough, N_("Only this borough"), N_("BOROUGH") },
    { "advocate", 'a', 0, G_OPTION_ARG_STRING, &advocate, N_("Only this advocate"), N_("USER") },
    { "track", 't', 0, G_OPTION_ARG_STRING, &track, N_("Only this track"), N_("TRACK") },
    { "funding", 0, 0, G_OPTION_ARG_STRING, &funding, N_("Only this funding source"),
      N_("SOURCE") },
    { "fiscal-start", 0, 0, G_OPTION_ARG_INT, &fiscal_start,
      N_("Month the fiscal year starts in (default 10: October)"), N_("MONTH") },
    { "stale-days", 0, 0, G_OPTION_ARG_INT, &stale_days,
      N_("Days without a contact after which a case is stale (default 30)"), N_("N") },
    { "outside", 0, 0, G_OPTION_ARG_NONE, &outside,
      N_("For use outside the organization: suppress small counts, leave out case lists"),
      NULL },
    { "threshold", 0, 0, G_OPTION_ARG_INT, &threshold,
      N_("With --outside, counts from 1 to N are suppressed (default 4)"), N_("N") },
    { "server", 0, 0, G_OPTION_ARG_NONE, &server,
      N_("Ask the server: every case you may read there (supervisors, directors and data "
         "staff)"), NULL },
    { "fallback", 0, 0, G_OPTION_ARG_NONE, &fallback,
      N_("With --server, answer from this vault if the server cannot be reached (exit "
         "status 7)"), NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_text, N_("text (default), csv, json or pdf"),
      N_("FORMAT") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom,
      N_("With --format csv, start with a UTF-8 byte order mark, for spreadsheets"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
      N_("Write to FILE (mode 0600) instead of standard output"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE if it exists"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClReportParams) params = cl_report_params_new ();
  g_autoptr(ClReportResult) result = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(ClCliOutput) out = NULL;
  g_autofree char *names = report_names ();
  g_autofree char *summary = g_strdup_printf (_("Run a report on the vault and write it. The "
                                                "reports are: %s. Without NAME, lists them. "
                                                "Every report written is recorded in the "
                                                "audit log."), names);
  ClReportFormat format = CL_REPORT_FORMAT_TEXT;
  ClReportPeriod period = CL_REPORT_PERIOD_THIS_QUARTER;
  const char *name;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("report", "[NAME]", summary, entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc == 1)
    return list_reports ();
  if (argc > 2)
    return cl_cli_usage_error (context, _("report takes one report name"));
  name = argv[1];
  if (cl_report_lookup (name) == NULL)
    return cl_cli_usage_error (NULL, _("Unknown report “%s”; the reports are: %s"), name, names);
  if (format_text != NULL && !cl_report_format_from_string (format_text, &format))
    return cl_cli_usage_error (context, _("Unknown format “%s”: use text, csv, json or pdf"),
                               format_text);
  if (bom && format != CL_REPORT_FORMAT_CSV)
    return cl_cli_usage_error (context, _("--bom applies to --format csv only"));
  if (period_text != NULL && (from_text != NULL || to_text != NULL))
    return cl_cli_usage_error (context, _("Give either --period or --from and --to"));
  if ((from_text != NULL) != (to_text != NULL))
    return cl_cli_usage_error (context, _("--from and --to go together"));
  if (period_text != NULL && (!cl_report_period_from_string (period_text, &period) ||
                              period == CL_REPORT_PERIOD_CUSTOM))
    return cl_cli_usage_error (context, _("Unknown period “%s”"), period_text);
  if (fiscal_start != 0 && (fiscal_start < 1 || fiscal_start > 12))
    return cl_cli_usage_error (context, _("--fiscal-start needs a month from 1 to 12"));
  if (fallback && !server)
    return cl_cli_usage_error (context, _("--fallback applies to --server only"));
  if (threshold != -1 && !outside)
    return cl_cli_usage_error (context, _("--threshold applies to --outside reports only"));
  if (threshold != -1 && (threshold < 1 || threshold > 1000))
    return cl_cli_usage_error (context, _("--threshold needs a number from 1 to 1000"));
  if (stale_days != 0 && (stale_days < 1 || stale_days > 3650))
    return cl_cli_usage_error (context, _("--stale-days needs a number from 1 to 3650"));
  if (format == CL_REPORT_FORMAT_PDF && output_path == NULL && isatty (STDOUT_FILENO))
    return cl_cli_usage_error (context, _("A PDF goes to a file: give --output FILE"));

  if (fiscal_start != 0)
    params->fiscal_start_month = (guint) fiscal_start;
  if (stale_days != 0)
    params->stale_days = (guint) stale_days;
  if (threshold != -1)
    params->threshold = (guint) threshold;
  params->outside = outside;
  params->borough = g_steal_pointer (&borough);
  params->advocate = g_steal_pointer (&advocate);
  params->track = g_steal_pointer (&track);
  params->funding = g_steal_pointer (&funding);
  if (!parse_day ("--from", from_text, &params->from, &error) ||
      !parse_day ("--to", to_text, &params->to, &error) ||
      !parse_day ("--as-of", as_of_text, &params->as_of, &error))
    {
      rc = cl_cli_usage_error (NULL, "%s", error->message);
      g_error_free (error);
      return rc;
    }
  if (from_text == NULL)
    cl_report_params_set_period (params, period, CL_DAY_NONE);
  if (!cl_report_params_validate (params, &error))
    return report_fail (error);

  if (output_path != NULL &&
      (out = cl_cli_output_new (cli, output_path, force, &error)) == NULL)
    return cl_cli_fail (error);
  if (!cl_cli_open (cli, &error) || !check_commands (cli->store, commands, &error))
    return report_fail (error);
  params->commands = g_steal_pointer (&commands);

  result = run_report (cli, name, params, server, fallback, &fell_back, &error);
  if (result == NULL)
    return report_fail (error);

  if (out != NULL)
    output = cl_cli_output_stream (out);
  else
    output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

  /* On failure the output's temporary file goes: no half-written file is left. */
  if (!cl_report_export (cli->store, result, format,
                         bom ? CL_REPORT_WRITE_BOM : CL_REPORT_WRITE_NONE, outside, output, NULL,
                         &error))
    return report_fail (error);
  if (!g_output_stream_close (output, NULL, &error) ||
      (out != NULL && !cl_cli_output_commit (out, &error)))
    return cl_cli_fail (error);

  if (output_path != NULL)
    {
      g_autofree char *display = g_filename_display_name (output_path);
      g_printerr (_("Wrote the %s report to %s.\n"), name, display);
    }
  if (!outside && format != CL_REPORT_FORMAT_TEXT)
    g_printerr (_("For internal use: small counts are not suppressed. Use --outside for a "
                  "copy that leaves the organization.\n"));
  return fell_back ? CL_EXIT_SYNC : CL_EXIT_OK;
}
