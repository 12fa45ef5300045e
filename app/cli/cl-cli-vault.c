/* cl-cli-vault.c: caseloadctl init, passwd, recover, verify, rekey, backup, restore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Results go to stdout (a recovery key, a verify report); notes for the person at the
 * terminal go to stderr.
 */

#define G_LOG_DOMAIN "caseloadctl"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cl-cli.h"

static int
check_no_arguments (GOptionContext *context,
                    int             argc,
                    char          **argv)
{
  if (argc > 1)
    return cl_cli_usage_error (context, _("Unexpected argument “%s”"), argv[1]);
  return CL_EXIT_OK;
}

/* Hands a new recovery key over: into @out (a file made for it), or once on stdout. With
 * no key (the vault has no recovery slot), the file made for it goes with @out. */
static int
deliver_recovery_key (ClSecret    *key,
                      ClCliOutput *out)
{
  g_autoptr(GError) error = NULL;

  if (key == NULL)
    return CL_EXIT_OK;

  if (out != NULL)
    {
      if (cl_cli_write_recovery_key (key, out->fd, &error) &&
          cl_cli_output_commit (out, &error))
        {
          g_autofree char *display = g_filename_display_name (out->path);
          g_printerr (_("The recovery key is in %s. Give it to your supervisor to keep "
                        "apart from this computer, then delete the file.\n"), display);
          return CL_EXIT_OK;
        }
      g_printerr ("caseloadctl: %s\n", error->message);
      g_printerr (_("Here it is instead; write it down now, it is shown only once:\n"));
    }
  else
    g_printerr (_("Recovery key: it opens the vault if the passphrase is forgotten. Store "
                  "it safely, apart from this computer (your supervisor keeps it). It is "
                  "shown only once:\n"));

  g_print ("%s\n", cl_secret_get_string (key));
  return out != NULL ? CL_EXIT_IO : CL_EXIT_OK;
}

int
cl_cli_cmd_init (ClCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autofree char *key_file = NULL;
  const GOptionEntry entries[] = {
    { "recovery-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Write the recovery key to FILE (created with mode 0600, never replaced) instead "
         "of printing it"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSecret) passphrase = NULL;
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClVault) vault = NULL;
  g_autoptr(ClCliOutput) out = NULL;
  g_autofree char *display = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("init", "", _("Create a vault."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;

  display = g_filename_display_name (cli->vault_dir);
  if (cl_vault_exists (cli->vault_dir))
    {
      g_set_error (&error, CL_VAULT_ERROR, CL_VAULT_ERROR_EXISTS,
                   _("There is already a vault in %s"), display);
      return cl_cli_fail (error);
    }

  if (key_file != NULL && (out = cl_cli_output_new (cli, key_file, FALSE, &error)) == NULL)
    return cl_cli_fail (error);

  /* From a file or descriptor as given; on a terminal, asked twice. */
  if (cli->passphrase_file != NULL || cli->passphrase_fd >= 0)
    {
      ClSecret *given = cl_cli_get_passphrase (cli, &error);
      passphrase = given != NULL ? cl_secret_dup (given) : NULL;
    }
  else
    passphrase = cl_cli_read_new_secret (cli, NULL, _("passphrase"), &error);

  if (passphrase != NULL)
    vault = cl_vault_create (cli->vault_dir, passphrase, &recovery, &error);
  if (vault == NULL)
    return cl_cli_fail (error);
  cl_vault_lock (vault);

  g_printerr (_("Vault created in %s.\n"), display);
  return deliver_recovery_key (recovery, out);
}

int
cl_cli_cmd_passwd (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autofree char *new_file = NULL;
  const GOptionEntry entries[] = {
    { "new-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &new_file,
      N_("Read the new passphrase from FILE (otherwise it is asked twice on the terminal)"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSecret) new_passphrase = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("passwd", "",
                                   _("Change the passphrase. The current one comes from "
                                     "--passphrase-file, --passphrase-fd or the terminal."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;

  if (!cl_cli_open (cli, &error) ||
      (new_passphrase = cl_cli_read_new_secret (cli, new_file, _("passphrase"), &error)) == NULL ||
      !cl_vault_change_passphrase (cli->vault, new_passphrase, &error))
    return cl_cli_fail (error);

  g_printerr (_("The passphrase was changed.\n"));
  return CL_EXIT_OK;
}

int
cl_cli_cmd_recover (ClCli  *cli,
                    int     argc,
                    char  **argv)
{
  g_autofree char *key_file = NULL;
  g_autofree char *new_file = NULL;
  const GOptionEntry entries[] = {
    { "recovery-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the recovery key from FILE (otherwise it is asked on the terminal)"),
      N_("FILE") },
    { "new-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &new_file,
      N_("Read the new passphrase from FILE (otherwise it is asked twice on the terminal)"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSecret) key = NULL;
  g_autoptr(ClSecret) new_passphrase = NULL;
  g_autoptr(ClVault) vault = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("recover", "",
                                   _("Set a new passphrase with the recovery key, when the "
                                     "passphrase is forgotten."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;
  if (!cl_vault_exists (cli->vault_dir))
    {
      g_autofree char *display = g_filename_display_name (cli->vault_dir);
      g_set_error (&error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND,
                   _("There is no vault in %s"), display);
      return cl_cli_fail (error);
    }

  if ((key = cl_cli_read_secret (key_file, _("Recovery key: "), &error)) == NULL ||
      (new_passphrase = cl_cli_read_new_secret (cli, new_file, _("passphrase"), &error)) == NULL ||
      (vault = cl_vault_recover (cli->vault_dir, key, new_passphrase, &error)) == NULL)
    return cl_cli_fail (error);
  cl_vault_lock (vault);

  g_printerr (_("The vault has a new passphrase.\n"));
  return CL_EXIT_OK;
}

int
cl_cli_cmd_verify (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  GError *error = NULL;
  gboolean ok;
  int rc;

  context = cl_cli_option_context ("verify", "",
                                   _("Check the key file, the integrity of the database, its "
                                     "schema version and settings."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;

  if (!cl_cli_open (cli, &error))
    return cl_cli_fail (error);
  ok = cl_vault_verify (cli->vault, report, &error);
  g_print ("%s", report->str);
  if (report->len > 0 && report->str[report->len - 1] != '\n')
    g_print ("\n");
  if (!ok)
    return cl_cli_fail (error);
  g_printerr (_("The vault is sound.\n"));
  return CL_EXIT_OK;
}

int
cl_cli_cmd_rekey (ClCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autofree char *key_file = NULL;
  const GOptionEntry entries[] = {
    { "recovery-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Write the new recovery key to FILE (created with mode 0600, never replaced) "
         "instead of printing it"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSecret) recovery = NULL;
  g_autoptr(ClCliOutput) out = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("rekey", "",
                                   _("Re-encrypt the whole database under a new key. The old "
                                     "recovery key stops working; a new one is issued."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;

  if (!cl_cli_open (cli, &error))
    return cl_cli_fail (error);
  if (key_file != NULL && (out = cl_cli_output_new (cli, key_file, FALSE, &error)) == NULL)
    return cl_cli_fail (error);

  /* The store is closed first: rekeying replaces the database under it. */
  g_clear_object (&cli->store);
  if (!cl_vault_rekey (cli->vault, cli->passphrase, &recovery, &error))
    return cl_cli_fail (error);

  g_printerr (_("The vault was re-encrypted under a new key.\n"));
  return deliver_recovery_key (recovery, out);
}

int
cl_cli_cmd_backup (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autofree char *output = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The backup file to write (mode 0600)"), N_("FILE") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE if it exists"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClCliOutput) out = NULL;
  g_autofree char *display = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("backup", "",
                                   _("Write an encrypted backup of the vault to one file. It "
                                     "opens with the passphrase or recovery key of today."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc) ||
      (rc = check_no_arguments (context, argc, argv)) != CL_EXIT_OK)
    return rc;
  if (output == NULL)
    return cl_cli_usage_error (context, _("backup needs --output FILE"));

  /* The backup replaces the temporary file made for it, which then takes its name. */
  if ((out = cl_cli_output_new (cli, output, force, &error)) == NULL ||
      !cl_cli_open (cli, &error) || !cl_vault_backup (cli->vault, out->tmp_path, &error) ||
      !cl_cli_output_commit (out, &error))
    return cl_cli_fail (error);

  display = g_filename_display_name (output);
  g_printerr (_("Backup written to %s.\n"), display);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_restore (ClCli  *cli,
                    int     argc,
                    char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *display = NULL;
  ClSecret *passphrase;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("restore", "FILE",
                                   _("Restore a backup into the vault folder, which must not "
                                     "hold a vault. The passphrase is the one the vault had "
                                     "when the backup was made."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 2)
    return cl_cli_usage_error (context, _("restore needs one backup file"));

  if ((passphrase = cl_cli_get_passphrase (cli, &error)) == NULL ||
      !cl_vault_restore (argv[1], cli->vault_dir, passphrase, &error))
    return cl_cli_fail (error);

  display = g_filename_display_name (cli->vault_dir);
  g_printerr (_("The backup was restored into %s and verified.\n"), display);
  return CL_EXIT_OK;
}
