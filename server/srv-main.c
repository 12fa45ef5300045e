/* srv-main.c: caseload-server, the central sync server, and its admin subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "caseload-server"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <glib.h>
#include <sodium.h>

#include "srv-admin.h"
#include "srv-config.h"
#include "srv-db.h"
#include "srv-http.h"
#include "srv-migrate.h"

static const char summary[] =
  "Commands:\n"
  "  migrate                          create or update the database schema (back up\n"
  "                                   the database before an upgrade migrates it)\n"
  "  serve [--listen unix:PATH|HOST:PORT] [--workers N]\n"
  "        [--metrics-listen unix:PATH|HOST:PORT]\n"
  "                                   answer sync requests (behind nginx), and /metrics\n"
  "                                   on a local listener of its own\n"
  "  user add --username U --role ROLE [--command CODE …] --password-file FILE\n"
  "                                   roles: advocate_dv advocate_cv supervisor director\n"
  "                                   data admin\n"
  "  user set --username U [--role ROLE] [--command CODE …]\n"
  "                                   change an active account's role, or replace its\n"
  "                                   commands (all of them); its devices follow at their\n"
  "                                   next sync\n"
  "  user passwd --username U --password-file FILE\n"
  "                                   reset a password: the user chooses a new one at\n"
  "                                   their next sign-in\n"
  "  user disable --username U        refuse the account's sign-ins and devices (revoked\n"
  "                                   devices are still told to erase themselves)\n"
  "  user enable --username U         let a disabled account sign in again\n"
  "  user list\n"
  "  device list [--username U]       each device: its name, last sync, last change\n"
  "                                   pushed (LAST SEQ) and status\n"
  "  device revoke ID --mode retire|lost\n"
  "  device reset ID                  the device's next push numbers its changes afresh\n"
  "                                   (when its sync cannot heal by itself: it says so)\n"
  "  gc [--tombstone-days N] [--mutation-log-days N]\n"
  "                                   purge old tombstones and mutation log entries\n"
  "\n"
  "Every command takes --db CONNINFO (libpq; empty uses PGHOST, PGDATABASE, …) and\n"
  "--config FILE (a keyfile; flags win over it; an unknown key or group is an error).\n"
  "serve reads the file again on SIGHUP.";

static int
fail (GError *error)
{
  g_printerr ("caseload-server: %s\n", error->message);
  g_error_free (error);
  return EXIT_FAILURE;
}

static int
usage (GOptionContext *context,
       const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("caseload-server: %s\n\n%s", message, help);
  return 2;
}

/* Where the configuration comes from: the file, then the flags that win over it. */
typedef struct {
  const char *path;     /* (nullable) */
  const char *db;       /* (nullable) */
  const char *listen;   /* (nullable) */
  const char *metrics_listen;   /* (nullable) */
  int         workers;  /* 0: not given */
} ConfigSource;

static SrvConfig *
load_config (gpointer   data,
             GError   **error)
{
  const ConfigSource *source = data;
  g_autoptr(SrvConfig) config = srv_config_new ();

  if (source->path != NULL && !srv_config_load_file (config, source->path, error))
    return NULL;
  if (source->db != NULL)
    {
      g_free (config->db);
      config->db = g_strdup (source->db);
    }
  if (source->listen != NULL)
    {
      g_free (config->listen);
      config->listen = g_strdup (source->listen);
    }
  if (source->metrics_listen != NULL)
    {
      g_free (config->metrics_listen);
      config->metrics_listen = g_strdup (source->metrics_listen);
    }
  if (source->workers > 0)
    config->workers = (guint) source->workers;
  return g_steal_pointer (&config);
}

static void
harden_process (void)
{
  struct rlimit no_core = { 0, 0 };

  /* Tokens and passwords pass through this process's memory: no core dumps. */
  setrlimit (RLIMIT_CORE, &no_core);
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SrvConfig) config = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *opt_config = NULL;
  g_autofree char *opt_db = NULL;
  g_autofree char *opt_listen = NULL;
  g_autofree char *opt_metrics_listen = NULL;
  g_autofree char *opt_username = NULL;
  g_autofree char *opt_role = NULL;
  g_autofree char *opt_password_file = NULL;
  g_autofree char *opt_mode = NULL;
  g_auto(GStrv) opt_commands = NULL;
  int opt_workers = 0;
  int opt_tombstone_days = G_MININT;      /* G_MININT: not given */
  int opt_mutation_log_days = G_MININT;
  gboolean opt_version = FALSE;
  GError *error = NULL;
  const char *command, *sub = NULL;
  gboolean ok;
  ConfigSource source;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Read settings from FILE", "FILE" },
    { "db", 0, 0, G_OPTION_ARG_STRING, &opt_db, "PostgreSQL connection", "CONNINFO" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen, "serve: where to listen",
      "unix:PATH|HOST:PORT" },
    { "metrics-listen", 0, 0, G_OPTION_ARG_STRING, &opt_metrics_listen,
      "serve: where to answer /metrics (off unless given here or in the file)",
      "unix:PATH|HOST:PORT" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &opt_workers, "serve: database worker threads", "N" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &opt_username, "user, device: the account", "U" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "user add, user set: the role", "ROLE" },
    { "command", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_commands,
      "user add, user set: a command (precinct or PSA) of an advocate or supervisor; repeat",
      "CODE" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_password_file,
      "user add, user passwd: a file holding the password; - reads standard input", "FILE" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "device revoke: retire or lost", "MODE" },
    { "tombstone-days", 0, 0, G_OPTION_ARG_INT, &opt_tombstone_days,
      "gc: purge tombstones older than N days", "N" },
    { "mutation-log-days", 0, 0, G_OPTION_ARG_INT, &opt_mutation_log_days,
      "gc: purge mutation log entries older than N days", "N" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  if (sodium_init () < 0)
    {
      g_printerr ("caseload-server: libsodium failed to initialize\n");
      return EXIT_FAILURE;
    }

  context = g_option_context_new ("COMMAND …");
  g_option_context_set_summary (context, "The Caseload sync server.");
  g_option_context_set_description (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      int status = usage (context, error->message);
      g_error_free (error);
      return status;
    }
  if (opt_version)
    {
      g_print ("caseload-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc < 2)
    return usage (context, "no command given");
  command = argv[1];
  if (argc > 2)
    sub = argv[2];

  source = (ConfigSource) { opt_config, opt_db, opt_listen, opt_metrics_listen, opt_workers };
  config = load_config (&source, &error);
  if (config == NULL)
    return fail (error);
  if (opt_tombstone_days != G_MININT)
    {
      if (opt_tombstone_days < 1 || opt_tombstone_days > 36500)
        return usage (context, "--tombstone-days is a whole number from 1 to 36500");
      config->tombstone_days = (guint) opt_tombstone_days;
    }
  if (opt_mutation_log_days != G_MININT)
    {
      if (opt_mutation_log_days < 1 || opt_mutation_log_days > 36500)
        return usage (context, "--mutation-log-days is a whole number from 1 to 36500");
      config->mutation_log_days = (guint) opt_mutation_log_days;
    }

  if (strcmp (command, "serve") == 0)
    {
      SrvServer *server;
      int version;

      if (argc != 2)
        return usage (context, "serve takes no arguments");
      harden_process ();
      conn = srv_db_connect (config->db, &error);
      if (conn == NULL)
        return fail (error);
      version = srv_migrate_version (conn, &error);
      if (version < 0)
        return fail (error);
      if (version != srv_migrate_latest ())
        {
          g_printerr ("caseload-server: the database schema is at %d, this server needs %d: "
                      "run caseload-server migrate\n", version, srv_migrate_latest ());
          return EXIT_FAILURE;
        }
      g_clear_pointer (&conn, PQfinish);

      server = srv_server_new (config, &error);
      if (server == NULL)
        return fail (error);
      srv_server_set_loader (server, load_config, &source);
      if (!srv_server_listen (server, &error))
        {
          srv_server_free (server);
          return fail (error);
        }
      srv_server_run (server);
      srv_server_free (server);
      g_print ("caseload-server: stopped\n");
      return EXIT_SUCCESS;
    }

  /* The admin commands print database errors in full to the operator's terminal. */
  srv_db_set_verbose (TRUE);
  conn = srv_db_connect (config->db, &error);
  if (conn == NULL)
    return fail (error);

  if (strcmp (command, "migrate") == 0)
    {
      if (argc != 2)
        return usage (context, "migrate takes no arguments");
      ok = srv_migrate_apply (conn, &error);
    }
  else if (strcmp (command, "gc") == 0)
    ok = srv_migrate_version (conn, &error) == srv_migrate_latest () &&
         srv_admin_gc (conn, config->tombstone_days, config->mutation_log_days, &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "add") == 0 && argc == 3)
    ok = srv_admin_user_add (conn, opt_username, opt_role, opt_commands, opt_password_file,
                             &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "set") == 0 && argc == 3)
    ok = srv_migrate_version (conn, &error) == srv_migrate_latest () &&
         srv_admin_user_set (conn, opt_username, opt_role, opt_commands, &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "disable") == 0 && argc == 3)
    ok = srv_admin_user_set_disabled (conn, opt_username, TRUE, &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "enable") == 0 && argc == 3)
    ok = srv_admin_user_set_disabled (conn, opt_username, FALSE, &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "passwd") == 0 && argc == 3)
    ok = srv_migrate_version (conn, &error) == srv_migrate_latest () &&
         srv_admin_user_passwd (conn, opt_username, opt_password_file, &error);
  else if (strcmp (command, "user") == 0 && g_strcmp0 (sub, "list") == 0 && argc == 3)
    ok = srv_admin_user_list (conn, &error);
  else if (strcmp (command, "device") == 0 && g_strcmp0 (sub, "list") == 0 && argc == 3)
    ok = srv_admin_device_list (conn, opt_username, &error);
  else if (strcmp (command, "device") == 0 && g_strcmp0 (sub, "revoke") == 0 && argc == 4)
    ok = srv_admin_device_revoke (conn, argv[3], opt_mode, &error);
  else if (strcmp (command, "device") == 0 && g_strcmp0 (sub, "reset") == 0 && argc == 4)
    ok = srv_migrate_version (conn, &error) == srv_migrate_latest () &&
         srv_admin_device_reset (conn, argv[3], &error);
  else
    return usage (context, "unknown command or wrong arguments");

  if (!ok)
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "The database schema is not current: run caseload-server migrate");
      return fail (error);
    }
  return EXIT_SUCCESS;
}
