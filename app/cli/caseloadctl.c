/* caseloadctl.c: the scriptable companion of Caseload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hand-written dispatcher: global options, then a command with its own GOptionContext
 * (so `caseloadctl COMMAND --help` works). Passphrases never come from the command line:
 * --passphrase-file, --passphrase-fd, or a no-echo prompt on a terminal.
 */

#define G_LOG_DOMAIN "caseloadctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixoutputstream.h>
#include <glib/gstdio.h>

#include "cl-cli.h"
#include "cl-csv.h"
#include "cl-import.h"
#include "cl-sync.h"
#include "cl-wire.h"

G_DEFINE_QUARK (cl-cli-error-quark, cl_cli_error)

typedef struct {
  const char       *name;
  ClCliCommandFunc  func;
  const char       *synopsis;
  const char       *summary;
} Command;

static const Command commands[] = {
  { "init", cl_cli_cmd_init, "[--recovery-key-file OUT]",
    N_("Create a vault (asks for the passphrase twice on a terminal)") },
  { "passwd", cl_cli_cmd_passwd, "[--new-passphrase-file F]",
    N_("Change the passphrase") },
  { "recover", cl_cli_cmd_recover, "--recovery-key-file F --new-passphrase-file F",
    N_("Set a new passphrase with the recovery key") },
  { "verify", cl_cli_cmd_verify, "",
    N_("Check keys, database integrity, schema and settings") },
  { "rekey", cl_cli_cmd_rekey, "[--recovery-key-file OUT]",
    N_("Re-encrypt the database under a new key; issues a new recovery key") },
  { "backup", cl_cli_cmd_backup, "--output FILE [--force]",
    N_("Write an encrypted backup of the vault") },
  { "restore", cl_cli_cmd_restore, "FILE",
    N_("Restore a backup into the vault folder (which must not hold a vault)") },
  { "schema", cl_cli_cmd_schema, "[TYPE]",
    N_("Show record types, their fields and enumeration codes") },
  { "add", cl_cli_cmd_add, "TYPE [--from-json FILE|-] [field=value…]",
    N_("Add a record; prints its id") },
  { "set", cl_cli_cmd_set, "TYPE ID [--from-json FILE|-] [field=value…]",
    N_("Change fields of a record") },
  { "get", cl_cli_cmd_get, "TYPE ID [--json] [--reason TEXT]",
    N_("Show a record") },
  { "delete", cl_cli_cmd_delete, "TYPE ID [--cascade]",
    N_("Delete a record") },
  { "list", cl_cli_cmd_list, "TYPE [--where field=value…] [--json] [--limit N]",
    N_("List records") },
  { "search", cl_cli_cmd_search, "TEXT [--json]",
    N_("Find cases by name, pseudonym, phone, case, complaint or docket number") },
  { "import", cl_cli_cmd_import, "TYPE FILE.csv",
    N_("Import a CSV file: all or nothing, every bad line reported") },
  { "export", cl_cli_cmd_export, "TYPE --format csv|json [--output FILE [--force]]",
    N_("Export every record of a type (audited)") },
  { "demo", cl_cli_cmd_demo, "--cases N [--seed S]",
    N_("Add a realistic synthetic caseload, for trying and benchmarks") },
  { "enroll", cl_cli_cmd_enroll, "[--server URL --ca FILE] --username U [OPTION…]",
    N_("Enroll this vault with a sync server (https only; trusts only the given CA)") },
  { "login", cl_cli_cmd_login, "[--password-file F] [--change-password]",
    N_("Log in again after the server's token expired; nothing is lost") },
  { "set-server", cl_cli_cmd_set_server, "URL [--ca FILE]",
    N_("Move this enrolled vault to a new server address or CA, keeping it and its outbox") },
  { "sync", cl_cli_cmd_sync, "",
    N_("Run one full sync round; prints pushed, pulled, conflicts and rejected") },
  { "status", cl_cli_cmd_status, "",
    N_("Show the sync state: server, pending changes, cursor, conflicts, last error") },
  { "conflicts", cl_cli_cmd_conflicts, "[--json] [show ID | resolve ID --keep|--value]",
    N_("List, show or resolve sync conflicts (both values are kept)") },
  { "rejected", cl_cli_cmd_rejected, "[--json] [discard ID|--all [--yes] | retry ID|--all]",
    N_("List changes the server refused; discard them or send them again") },
  { "report", cl_cli_cmd_report, "[NAME [--period P | --from D --to D] [--outside] --format F]",
    N_("Run a report (caseload, referrals, pmt, trafficking, …); alone, lists them") },
};

/* Exit codes ------------------------------------------------------------------------- */

int
cl_cli_exit_code (const GError *error)
{
  if (error == NULL)
    return CL_EXIT_OK;

  if (error->domain == CL_CLI_ERROR)
    return error->code == CL_CLI_ERROR_USAGE ? CL_EXIT_USAGE : CL_EXIT_INVALID;
  if (error->domain == G_OPTION_ERROR)
    return CL_EXIT_USAGE;
  if (error->domain == CL_SCHEMA_ERROR || error->domain == CL_CSV_ERROR ||
      error->domain == CL_IMPORT_ERROR)
    return CL_EXIT_INVALID;

  if (error->domain == CL_STORE_ERROR)
    return error->code == CL_STORE_ERROR_NOT_FOUND ? CL_EXIT_NOT_FOUND : CL_EXIT_INVALID;

  if (error->domain == CL_SYNC_ERROR)
    return error->code == CL_SYNC_ERROR_AUTH || error->code == CL_SYNC_ERROR_PASSWORD_CHANGE
           ? CL_EXIT_AUTH : CL_EXIT_SYNC;

  if (error->domain == CL_VAULT_ERROR)
    {
      switch ((ClVaultError) error->code)
        {
        case CL_VAULT_ERROR_WRONG_SECRET:
          return CL_EXIT_AUTH;
        case CL_VAULT_ERROR_NOT_FOUND:
          return CL_EXIT_NOT_FOUND;
        case CL_VAULT_ERROR_EXISTS:
        case CL_VAULT_ERROR_WEAK_SECRET:
          return CL_EXIT_INVALID;
        case CL_VAULT_ERROR_IO:
          return CL_EXIT_IO;
        case CL_VAULT_ERROR_KEYS_MISSING:
        case CL_VAULT_ERROR_KEYS_DAMAGED:
        case CL_VAULT_ERROR_CORRUPT:
        case CL_VAULT_ERROR_TOO_NEW:
        case CL_VAULT_ERROR_PERMISSIONS:
        case CL_VAULT_ERROR_LOCKED:
        case CL_VAULT_ERROR_NO_RECOVERY_SLOT:
        default:
          return CL_EXIT_DAMAGED;
        }
    }

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_INVALID_DATA:
        case G_IO_ERROR_INVALID_ARGUMENT:
        case G_IO_ERROR_EXISTS:
          return CL_EXIT_INVALID;
        default:
          return CL_EXIT_IO;
        }
    }
  if (error->domain == G_FILE_ERROR)
    return CL_EXIT_IO;
  return CL_EXIT_IO;
}

/**
 * cl_cli_fail:
 * @error: (transfer full): what went wrong
 *
 * Prints the error on stderr and returns its exit code.
 */
int
cl_cli_fail (GError *error)
{
  int code = cl_cli_exit_code (error);

  g_printerr ("caseloadctl: %s\n", error->message);
  g_error_free (error);
  return code;
}

int
cl_cli_usage_error (GOptionContext *context,
                    const char     *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("caseloadctl: %s\n", message);
  if (context != NULL)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("\n%s", help);
    }
  return CL_EXIT_USAGE;
}

GOptionContext *
cl_cli_option_context (const char         *command,
                       const char         *parameters,
                       const char         *summary,
                       const GOptionEntry *entries)
{
  GOptionContext *context;
  g_autofree char *param = parameters != NULL && *parameters != '\0'
                           ? g_strdup_printf ("%s %s", command, parameters)
                           : g_strdup (command);

  context = g_option_context_new (param);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

gboolean
cl_cli_parse (GOptionContext   *context,
              int              *argc,
              char           ***argv,
              int              *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = cl_cli_usage_error (NULL, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Passphrases ------------------------------------------------------------------------ */

static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_echo_cb (int signum)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads one line from the terminal with echo off, straight into secure memory. */
static ClSecret *
prompt_secret (const char  *prompt,
               GError     **error)
{
  g_autoptr(ClSecret) buf = cl_secret_new (1024);
  guint8 *data = cl_secret_get_data (buf);
  struct termios quiet;
  struct sigaction action = { 0 }, old_int, old_term;
  gsize len = 0;
  gboolean too_long = FALSE;

  if (tcgetattr (STDIN_FILENO, &saved_termios) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot read the terminal: %s"), g_strerror (saved_errno));
      return NULL;
    }

  action.sa_handler = restore_echo_cb;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, &old_int);
  sigaction (SIGTERM, &action, &old_term);

  quiet = saved_termios;
  quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
  quiet.c_lflag |= ICANON;
  g_printerr ("%s", prompt);
  echo_off = 1;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);

  for (;;)
    {
      char c;
      gssize n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      if (len < cl_secret_get_len (buf))
        data[len++] = (guint8) c;
      else
        too_long = TRUE;
    }

  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  echo_off = 0;
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  g_printerr ("\n");

  if (too_long)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("That passphrase is longer than 1024 bytes."));
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("No passphrase was given."));
      return NULL;
    }

  {
    ClSecret *secret = cl_secret_new (len);
    memcpy (cl_secret_get_data (secret), data, len);
    return secret;
  }
}

static gboolean
have_terminal (void)
{
  return isatty (STDIN_FILENO);
}

/**
 * cl_cli_get_passphrase:
 *
 * Returns: (transfer none): the vault passphrase, from --passphrase-file, --passphrase-fd
 *   or a prompt; read once per run
 */
ClSecret *
cl_cli_get_passphrase (ClCli   *cli,
                       GError **error)
{
  if (cli->passphrase != NULL)
    return cli->passphrase;

  if (cli->passphrase_file != NULL)
    cli->passphrase = cl_secret_new_from_file (cli->passphrase_file, error);
  else if (cli->passphrase_fd >= 0)
    cli->passphrase = cl_secret_new_from_fd (cli->passphrase_fd, error);
  else if (have_terminal ())
    cli->passphrase = prompt_secret (_("Passphrase: "), error);
  else
    g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_USAGE,
                 _("No passphrase: give --passphrase-file FILE or --passphrase-fd N "
                   "(standard input is not a terminal to ask on)"));
  return cli->passphrase;
}

/**
 * cl_cli_read_new_secret:
 * @file: (nullable): a file holding it, or %NULL to ask twice on the terminal
 * @what: "passphrase" or "recovery key", for the prompt
 *
 * Returns: (transfer full): a new passphrase
 */
ClSecret *
cl_cli_read_new_secret (ClCli       *cli,
                        const char  *file,
                        const char  *what,
                        GError     **error)
{
  g_autoptr(ClSecret) first = NULL;
  g_autoptr(ClSecret) second = NULL;
  g_autofree char *prompt1 = NULL;
  g_autofree char *prompt2 = NULL;

  if (file != NULL)
    return cl_secret_new_from_file (file, error);
  if (!have_terminal ())
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_USAGE,
                   _("No new %s: give it in a file (standard input is not a terminal to "
                     "ask on)"), what);
      return NULL;
    }

  prompt1 = g_strdup_printf (_("New %s: "), what);
  prompt2 = g_strdup_printf (_("Repeat the new %s: "), what);
  if ((first = prompt_secret (prompt1, error)) == NULL ||
      (second = prompt_secret (prompt2, error)) == NULL)
    return NULL;
  if (!cl_secret_equal (first, second))
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                   _("The two entries differ; nothing was changed."));
      return NULL;
    }
  return g_steal_pointer (&first);
}

/**
 * cl_cli_read_secret:
 * @file: (nullable): a file holding it, or %NULL to ask once on the terminal
 * @prompt: the prompt, e.g. "Password: "
 *
 * Reads an existing secret (a server password, a recovery key): from @file, else once,
 * without echo, on the terminal.
 *
 * Returns: (transfer full): the secret, or %NULL with @error set
 */
ClSecret *
cl_cli_read_secret (const char  *file,
                    const char  *prompt,
                    GError     **error)
{
  if (file != NULL)
    return cl_secret_new_from_file (file, error);
  if (!have_terminal ())
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_USAGE,
                   _("Give it in a file: standard input is not a terminal to ask on"));
      return NULL;
    }
  return prompt_secret (prompt, error);
}

/* Vault ------------------------------------------------------------------------------ */

/**
 * cl_cli_open:
 *
 * Unlocks the vault and opens the store, once per run.
 */
gboolean
cl_cli_open (ClCli   *cli,
             GError **error)
{
  ClSecret *passphrase;
  guint wait_s;

  if (cli->store != NULL)
    return TRUE;

  if (!cl_vault_exists (cli->vault_dir))
    {
      g_autofree char *display = g_filename_display_name (cli->vault_dir);
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_NOT_FOUND,
                   _("There is no vault in %s (create one with caseloadctl init, or "
                     "choose another with --vault)"), display);
      return FALSE;
    }
  if ((passphrase = cl_cli_get_passphrase (cli, error)) == NULL)
    return FALSE;
  /* The vault makes the wait; say why nothing happens meanwhile. */
  wait_s = (cl_vault_pending_delay_ms (cli->vault_dir) + 999) / 1000;
  if (wait_s > 0)
    g_printerr (ngettext ("Earlier wrong passphrases: waiting %u second before this try.\n",
                          "Earlier wrong passphrases: waiting %u seconds before this try.\n",
                          wait_s), wait_s);
  cli->vault = cl_vault_unlock (cli->vault_dir, passphrase, error);
  if (cli->vault == NULL)
    return FALSE;
  cli->store = cl_store_new (cli->vault, cli->user);
  return TRUE;
}

/* Whether @dir (resolved) or a folder above it holds a vault, or is the vault in use. */
static gboolean
inside_vault (ClCli      *cli,
              const char *dir)
{
  g_autofree char *vault = realpath (cli->vault_dir, NULL);
  g_autofree char *d = g_strdup (dir);

  for (;;)
    {
      g_autofree char *parent = NULL;

      if (cl_vault_exists (d) || (vault != NULL && strcmp (d, vault) == 0))
        return TRUE;
      parent = g_path_get_dirname (d);
      if (strcmp (parent, d) == 0)
        return FALSE;
      g_free (d);
      d = g_steal_pointer (&parent);
    }
}

/**
 * cl_cli_output_new:
 * @path: the file a command writes
 * @force: whether an existing file may be replaced
 *
 * Refuses @path inside a vault folder (its folder resolved, symbolic links and ".."
 * included) and, without @force, a path that exists. Creates a temporary file beside it,
 * mode 0600, for the command to write; cl_cli_output_commit() puts it in place.
 *
 * Returns: the output, or %NULL with @error set
 */
ClCliOutput *
cl_cli_output_new (ClCli       *cli,
                   const char  *path,
                   gboolean     force,
                   GError     **error)
{
  g_autoptr(ClCliOutput) out = g_new0 (ClCliOutput, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *real_dir = realpath (dir, NULL);
  struct stat st;

  out->fd = -1;
  if (real_dir == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }
  if (inside_vault (cli, real_dir) ||
      (g_stat (path, &st) == 0 && S_ISDIR (st.st_mode) && inside_vault (cli, path)))
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                   _("%s is inside a vault folder: write it somewhere else"), display);
      return NULL;
    }
  if (!force && g_lstat (path, &st) == 0)
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                   _("%s already exists: give another name, or --force to replace it"),
                   display);
      return NULL;
    }

  out->path = g_build_filename (real_dir, base, NULL);
  out->tmp_path = g_build_filename (real_dir, ".caseloadctl-XXXXXX", NULL);
  out->force = force;
  out->fd = g_mkstemp_full (out->tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (out->fd < 0)
    {
      int saved_errno = errno;
      g_clear_pointer (&out->tmp_path, g_free);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* A stream over the temporary file; the output keeps its descriptor. */
GOutputStream *
cl_cli_output_stream (ClCliOutput *out)
{
  return g_unix_output_stream_new (out->fd, FALSE);
}

/**
 * cl_cli_output_commit:
 *
 * Syncs the temporary file and renames it to the destination (never over a file that
 * appeared meanwhile, unless forced), then syncs the folder.
 */
gboolean
cl_cli_output_commit (ClCliOutput  *out,
                      GError      **error)
{
  g_autofree char *display = g_filename_display_name (out->path);
  g_autofree char *dir = g_path_get_dirname (out->path);
  int saved_errno, dir_fd;

  if (fsync (out->fd) != 0 && errno != EINVAL && errno != EROFS)
    goto fail;
  close (out->fd);
  out->fd = -1;
  if (renameat2 (AT_FDCWD, out->tmp_path, AT_FDCWD, out->path,
                 out->force ? 0 : RENAME_NOREPLACE) != 0)
    goto fail;
  g_clear_pointer (&out->tmp_path, g_free);
  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;

fail:
  saved_errno = errno;
  if (saved_errno == EEXIST)
    g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                 _("%s already exists: give another name, or --force to replace it"), display);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 _("Could not write %s: %s"), display, g_strerror (saved_errno));
  return FALSE;
}

/* Removes the temporary file unless committed. */
void
cl_cli_output_free (ClCliOutput *out)
{
  if (out == NULL)
    return;
  if (out->fd >= 0)
    close (out->fd);
  if (out->tmp_path != NULL)
    g_unlink (out->tmp_path);
  g_free (out->tmp_path);
  g_free (out->path);
  g_free (out);
}

gboolean
cl_cli_write_recovery_key (ClSecret  *key,
                           int        fd,
                           GError   **error)
{
  const char *text = cl_secret_get_string (key);
  gsize len = cl_secret_get_len (key);
  gsize done = 0;

  while (done < len + 1)
    {
      gssize n = done < len ? write (fd, text + done, len - done) : write (fd, "\n", 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not write the recovery key: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      done += n;
    }
  if (fsync (fd) != 0 && errno != EINVAL && errno != EROFS)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not write the recovery key: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Schema helpers --------------------------------------------------------------------- */

const ClType *
cl_cli_lookup_type (const char  *name,
                    GError     **error)
{
  const ClType *type = cl_schema_lookup_type (name);

  if (type == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      const ClType *types;
      guint n;

      types = cl_schema_types (&n);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", types[i].name);
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                   _("Unknown record type “%s”; the types are: %s"), name, names->str);
    }
  return type;
}

static gboolean
check_field (const ClType  *type,
             const char    *field,
             GError       **error)
{
  if (cl_type_lookup_field (type, field) != NULL)
    return TRUE;
  g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_FIELD,
               _("A %s has no field “%s” (see caseloadctl schema %s)"),
               type->name, field, type->name);
  return FALSE;
}

/* Parses field=value arguments into @changes, refusing fields the type does not have. */
gboolean
cl_cli_check_assignments (const ClType  *type,
                          ClChanges     *changes,
                          char         **assignments,
                          GError       **error)
{
  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      const char *field;

      if (!cl_changes_parse (changes, assignments[i], error))
        return FALSE;
      field = cl_changes_get_field (changes, cl_changes_get_n (changes) - 1);
      if (!check_field (type, field, error))
        return FALSE;
    }
  return TRUE;
}

/* The whole of @fd, refusing more than @max bytes. */
static char *
read_bounded (int           fd,
              const char   *display,
              gsize         max,
              gsize        *len,
              GError      **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buf[4096];

  for (;;)
    {
      gssize n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read %s: %s"), display, g_strerror (saved_errno));
          explicit_bzero (data->data, data->len);
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize) n > max)
        {
          g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                       _("%s is too large"), display);
          explicit_bzero (data->data, data->len);
          return NULL;
        }
      g_byte_array_append (data, buf, (guint) n);
    }
  explicit_bzero (buf, sizeof buf);
  *len = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);
}

/**
 * cl_cli_read_json_fields:
 * @path: a file holding one JSON object of field names and values, or "-" for standard
 *   input
 *
 * Adds the object's members to @changes: strings as they are, whole numbers as text,
 * null as an empty value (which clears a field). Values given this way stay out of the
 * process list and the shell history, where field=value arguments end up.
 */
gboolean
cl_cli_read_json_fields (const ClType  *type,
                         ClChanges     *changes,
                         const char    *path,
                         GError       **error)
{
  static const ClWireLimits limits = { 4 * 1024 * 1024, 1, CL_FIELD_TEXT_MAX, 256, 4096 };
  g_autofree char *display = strcmp (path, "-") == 0 ? g_strdup (_("standard input"))
                                                     : g_filename_display_name (path);
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;
  gsize len = 0;
  int fd;

  fd = strcmp (path, "-") == 0 ? STDIN_FILENO : g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not read %s: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }
  data = read_bounded (fd, display, limits.max_bytes, &len, error);
  if (fd != STDIN_FILENO)
    close (fd);
  if (data == NULL)
    return FALSE;
  root = cl_wire_parse (data, len, &limits, &local_error);
  explicit_bzero (data, len);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                   _("%s must hold one JSON object of field names and values: %s"), display,
                   local_error != NULL ? local_error->message : _("not an object"));
      return FALSE;
    }

  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &field, &value))
    {
      g_autofree char *number = NULL;

      if (!check_field (type, field, error))
        return FALSE;
      if (JSON_NODE_HOLDS_NULL (value))
        cl_changes_set (changes, field, "");
      else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        cl_changes_set (changes, field, json_node_get_string (value));
      else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
        {
          number = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
          cl_changes_set (changes, field, number);
        }
      else
        {
          g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                       _("The value of “%s” must be a string, a whole number or null"), field);
          return FALSE;
        }
    }
  return TRUE;
}

void
cl_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
  explicit_bzero (text, strlen (text));
}

/* main ------------------------------------------------------------------------------- */

static void
print_help (FILE *out)
{
  guint width = 0;

  fprintf (out, "%s\n  caseloadctl [--vault DIR] [--passphrase-file FILE | --passphrase-fd N] "
           "[--user NAME] COMMAND …\n\n", _("Usage:"));
  fprintf (out, "%s\n\n", _("The scriptable companion of Caseload, for administrators and "
                            "supervisors."));
  fprintf (out, "%s\n", _("Options:"));
  fprintf (out, "  --vault DIR            %s\n",
           _("the vault folder (default: $CASELOAD_VAULT, else $XDG_DATA_HOME/caseload)"));
  fprintf (out, "  --passphrase-file FILE %s\n", _("read the passphrase from FILE"));
  fprintf (out, "  --passphrase-fd N      %s\n", _("read the passphrase from file descriptor N"));
  fprintf (out, "  --user NAME            %s\n",
           _("the user recorded in history and audit (default: $CASELOAD_USER, else the "
             "login name)"));
  fprintf (out, "  --version              %s\n", _("show the version"));
  fprintf (out, "  -h, --help             %s\n\n", _("show this help"));
  fprintf (out, "%s\n", _("Without a passphrase file or descriptor, the passphrase is asked "
                          "for on the terminal. It is never taken from the command line."));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, strlen (commands[i].name) + 1 + strlen (commands[i].synopsis));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *left = g_strdup_printf ("%s %s", commands[i].name, commands[i].synopsis);
      int pad = (int) (width + 2) - (int) g_utf8_strlen (left, -1);

      fprintf (out, "  %s%*s%s\n", left, MAX (pad, 1), "", _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("“caseloadctl COMMAND --help” shows the options of a command."));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0  %s\n", _("success"));
  fprintf (out, "  1  %s\n", _("usage error (bad command line)"));
  fprintf (out, "  2  %s\n", _("wrong passphrase or recovery key; the server refused the "
                               "password or asks to log in again"));
  fprintf (out, "  3  %s\n", _("not found (no vault, no such record)"));
  fprintf (out, "  4  %s\n", _("invalid input (type, field, value, CSV) or refused operation"));
  fprintf (out, "  5  %s\n", _("vault damaged, made by a newer Caseload, keys missing or "
                               "unsafe permissions"));
  fprintf (out, "  6  %s\n", _("input/output error (disk full, unreadable file)"));
  fprintf (out, "  7  %s\n", _("sync error: server unreachable or refusing, untrusted "
                               "certificate, workstation revoked"));
}

/* Takes the value of a global option, given as "--opt=value" or "--opt value". */
static gboolean
option_value (const char  *option,
              int          argc,
              char       **argv,
              int         *i,
              const char **value)
{
  const char *arg = argv[*i];
  gsize len = strlen (option);

  if (strncmp (arg, option, len) != 0)
    return FALSE;
  if (arg[len] == '=')
    {
      *value = arg + len + 1;
      return TRUE;
    }
  if (arg[len] != '\0')
    return FALSE;
  if (*i + 1 >= argc)
    {
      *value = NULL;
      return TRUE;
    }
  *i += 1;
  *value = argv[*i];
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  ClCli cli = { 0 };
  const Command *command = NULL;
  const char *value = NULL;
  int i, rc;

  cl_secure_init ();

  setlocale (LC_ALL, "");
  /* CASELOAD_LOCALEDIR: the build tree's catalogs, for a run that is not installed
   * (tools/run-app). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CASELOAD_LOCALEDIR") != NULL
                                   ? g_getenv ("CASELOAD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("caseloadctl");

  cli.passphrase_fd = -1;

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          print_help (stdout);
          return CL_EXIT_OK;
        }
      if (strcmp (arg, "--version") == 0)
        {
          g_print ("caseloadctl %s\n", PACKAGE_VERSION);
          return CL_EXIT_OK;
        }

      if (option_value ("--vault", argc, argv, &i, &value))
        {
          if (value == NULL || *value == '\0')
            return cl_cli_usage_error (NULL, _("--vault needs a folder"));
          g_free (cli.vault_dir);
          cli.vault_dir = g_strdup (value);
        }
      else if (option_value ("--passphrase-file", argc, argv, &i, &value))
        {
          if (value == NULL || *value == '\0')
            return cl_cli_usage_error (NULL, _("--passphrase-file needs a file"));
          g_free (cli.passphrase_file);
          cli.passphrase_file = g_strdup (value);
        }
      else if (option_value ("--passphrase-fd", argc, argv, &i, &value))
        {
          guint64 fd;

          if (value == NULL ||
              !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &fd, NULL))
            return cl_cli_usage_error (NULL, _("--passphrase-fd needs a file descriptor "
                                               "number"));
          cli.passphrase_fd = (int) fd;
        }
      else if (option_value ("--user", argc, argv, &i, &value))
        {
          if (value == NULL || *value == '\0')
            return cl_cli_usage_error (NULL, _("--user needs a name"));
          g_free (cli.user);
          cli.user = g_strdup (value);
        }
      else if (strncmp (arg, "--passphrase", 12) == 0)
        return cl_cli_usage_error (NULL, _("The passphrase is never taken from the command "
                                           "line: use --passphrase-file or --passphrase-fd"));
      else
        return cl_cli_usage_error (NULL, _("Unknown option “%s” (see caseloadctl --help)"),
                                   arg);
    }

  if (cli.passphrase_file != NULL && cli.passphrase_fd >= 0)
    return cl_cli_usage_error (NULL, _("Give either --passphrase-file or --passphrase-fd, "
                                       "not both"));

  if (i >= argc)
    {
      print_help (stderr);
      return CL_EXIT_USAGE;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    if (strcmp (commands[c].name, argv[i]) == 0)
      command = &commands[c];
  if (command == NULL)
    {
      if (strcmp (argv[i], "help") == 0)
        {
          print_help (stdout);
          return CL_EXIT_OK;
        }
      return cl_cli_usage_error (NULL, _("Unknown command “%s” (see caseloadctl --help)"),
                                 argv[i]);
    }

  if (cli.vault_dir == NULL)
    {
      const char *env = g_getenv ("CASELOAD_VAULT");
      cli.vault_dir = env != NULL && *env != '\0' ? g_strdup (env) : cl_vault_default_dir ();
    }
  if (cli.user == NULL)
    {
      const char *env = g_getenv ("CASELOAD_USER");
      cli.user = g_strdup (env != NULL && *env != '\0' ? env : g_get_user_name ());
    }

  rc = command->func (&cli, argc - i, argv + i);

  g_clear_object (&cli.store);
  if (cli.vault != NULL)
    cl_vault_lock (cli.vault);
  g_clear_object (&cli.vault);
  g_clear_pointer (&cli.passphrase, cl_secret_free);
  g_free (cli.vault_dir);
  g_free (cli.passphrase_file);
  g_free (cli.user);
  return rc;
}
