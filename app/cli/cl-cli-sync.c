/* cl-cli-sync.c: caseloadctl enroll, sync, status and conflicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "caseloadctl"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-cli.h"
#include "cl-sync.h"
#include "cl-workstation.h"

static ClSync *
open_sync (ClCli   *cli,
           GError **error)
{
  if (!cl_cli_open (cli, error))
    return NULL;
  return cl_sync_new (cli->store);
}

#define NEW_PASSWORD_ENTRIES(change, file) \
  { "change-password", 0, 0, G_OPTION_ARG_NONE, change, \
    N_("Choose a new server password at this sign-in (asked on the terminal unless " \
       "--new-password-file), as after an administrator's reset"), NULL }, \
  { "new-password-file", 0, 0, G_OPTION_ARG_FILENAME, file, \
    N_("Read the new server password from FILE"), N_("FILE") }

/* --change-password, --new-password-file: the server password the sign-in sets. */
static gboolean
take_new_password (ClCli       *cli,
                   ClSync      *sync,
                   gboolean     change,
                   const char  *file,
                   GError     **error)
{
  g_autoptr(ClSecret) password = NULL;

  if (!change && file == NULL)
    return TRUE;
  password = cl_cli_read_new_secret (cli, file, _("Password"), error);
  if (password == NULL)
    return FALSE;
  cl_sync_set_new_password (sync, password);
  return TRUE;
}

int
cl_cli_cmd_enroll (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *device_name = NULL;
  g_autofree char *new_password_file = NULL;
  gboolean change_password = FALSE;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("The server's https:// address"), N_("URL") },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
      N_("The organization's CA certificate (PEM); the system's are not trusted"), N_("FILE") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("Your user name on the server"), N_("U") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from FILE (else asked on the terminal)"), N_("FILE") },
    { "device-name", 0, 0, G_OPTION_ARG_STRING, &device_name,
      N_("This workstation's name, shown to the server's administrators (default: "
         "USER@HOSTNAME)"), N_("NAME") },
    NEW_PASSWORD_ENTRIES (&change_password, &new_password_file),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(ClSecret) password = NULL;
  g_auto(ClWorkstation) ws = { 0 };
  const char *url, *ca_file;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("enroll", NULL,
                                   _("Enroll this vault with a server and keep the device "
                                     "token inside the vault. Without --server and --ca, "
                                     "those this workstation's administrator set are used; "
                                     "locked, they cannot be replaced."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  cl_workstation_load (&ws);
  url = server;
  ca_file = ca;
  if (argc != 1 || username == NULL ||
      (url == NULL && ws.server_url == NULL) || (ca_file == NULL && ws.ca_file == NULL))
    return cl_cli_usage_error (context, _("enroll needs --server, --ca and --username (the "
                                          "first two unless this workstation sets them)"));

  if (!cl_workstation_resolve (&ws, &url, &ca_file, &error) ||
      (sync = open_sync (cli, &error)) == NULL ||
      !cl_sync_set_device_name (sync, device_name, &error) ||
      (password = cl_cli_read_new_secret (cli, password_file, _("Password"), &error)) == NULL ||
      !take_new_password (cli, sync, change_password, new_password_file, &error) ||
      !cl_sync_enroll (sync, url, ca_file, username, password, NULL, &error))
    return cl_cli_fail (error);
  g_print (_("Enrolled with %s as %s.\n"), url, username);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_login (ClCli  *cli,
                  int     argc,
                  char  **argv)
{
  g_autofree char *password_file = NULL;
  g_autofree char *new_password_file = NULL;
  gboolean change_password = FALSE;
  const GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from FILE (else asked on the terminal)"), N_("FILE") },
    NEW_PASSWORD_ENTRIES (&change_password, &new_password_file),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(ClSecret) password = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("login", NULL,
                                   _("Log in again after the server's token expired."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 1)
    return cl_cli_usage_error (context, _("login takes no arguments"));
  if ((sync = open_sync (cli, &error)) == NULL ||
      (password = cl_cli_read_new_secret (cli, password_file, _("Password"), &error)) == NULL ||
      !take_new_password (cli, sync, change_password, new_password_file, &error) ||
      !cl_sync_login (sync, password, NULL, &error))
    return cl_cli_fail (error);
  g_print (_("Logged in.\n"));
  return CL_EXIT_OK;
}

int
cl_cli_cmd_set_server (ClCli  *cli,
                       int     argc,
                       char  **argv)
{
  g_autofree char *ca = NULL;
  const GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
      N_("Trust this CA certificate (PEM) from now on instead of the enrolled one"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("set-server", "URL",
                                   _("Move this enrolled vault to a new server address or CA. "
                                     "Nothing changes unless the server there answers over "
                                     "HTTPS with that CA and knows this workstation."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 2)
    return cl_cli_usage_error (context, _("set-server needs the server's https:// address"));
  if ((sync = open_sync (cli, &error)) == NULL ||
      !cl_sync_set_server (sync, argv[1], ca, NULL, &error))
    return cl_cli_fail (error);
  g_print (_("This vault now syncs with %s.\n"), argv[1]);
  return CL_EXIT_OK;
}

/* A first pull's progress, on one line rewritten in place: only on a terminal. */
static void
show_progress (guint    pulled,
               guint    total,
               gpointer user_data)
{
  gboolean *shown = user_data;

  g_print ("\r");
  /* Translators: a first sync's progress; the first %u is how many records came so far,
   * the second how many it brings in all */
  g_print (ngettext ("%u of %u record pulled", "%u of %u records pulled", total), pulled,
           total);
  fflush (stdout);
  *shown = TRUE;
}

int
cl_cli_cmd_sync (ClCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  ClSyncReport report = { 0 };
  g_autofree char *notice = NULL;
  GError *error = NULL;
  gboolean shown = FALSE;
  gboolean ok;
  int rc;

  context = cl_cli_option_context ("sync", NULL,
                                   _("Run one full sync round: push every pending change, pull "
                                     "everything new."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 1)
    return cl_cli_usage_error (context, _("sync takes no arguments"));
  if ((sync = open_sync (cli, &error)) == NULL)
    return cl_cli_fail (error);

  if (isatty (STDOUT_FILENO))
    cl_sync_set_progress_func (sync, show_progress, &shown, NULL);
  ok = cl_sync_run (sync, &report, NULL, &error);
  cl_sync_set_progress_func (sync, NULL, NULL, NULL);
  if (shown)
    g_print ("\n");
  g_print (_("pushed %u, pulled %u, conflicts %u, rejected %u, purged %u%s\n"),
           report.pushed, report.pulled, report.conflicts, report.rejected, report.purged,
           report.full_resync ? _(" (full resync)") : "");
  if (report.fetched > 0)
    g_print (ngettext ("%u conflict lost on another workstation is listed here now.\n",
                       "%u conflicts lost on other workstations are listed here now.\n",
                       report.fetched), report.fetched);
  if (report.closed > 0)
    g_print (ngettext ("%u conflict was resolved elsewhere.\n",
                       "%u conflicts were resolved elsewhere.\n", report.closed),
             report.closed);
  if (report.superseded > 0)
    g_print (ngettext ("%u conflict you resolved had already been settled elsewhere: that "
                       "choice stands, yours was not applied.\n",
                       "%u conflicts you resolved had already been settled elsewhere: those "
                       "choices stand, yours were not applied.\n", report.superseded),
             report.superseded);
  if (report.refused > 0)
    g_print (ngettext ("The server did not accept your choice for %u conflict (you may no "
                       "longer change that record, or the value is not allowed); it is open "
                       "again.\n",
                       "The server did not accept your choices for %u conflicts (you may no "
                       "longer change those records, or the values are not allowed); they are "
                       "open again.\n", report.refused),
             report.refused);
  if (report.renewed > 0)
    g_print (ngettext ("%u field you resolved was changed again meanwhile: nothing was "
                       "overwritten, and both values wait in a new conflict.\n",
                       "%u fields you resolved were changed again meanwhile: nothing was "
                       "overwritten, and both values of each wait in a new conflict.\n",
                       report.renewed), report.renewed);
  notice = cl_sync_report_heal_notice (&report);
  if (notice != NULL)
    g_print ("%s\n", notice);
  cl_sync_report_clear (&report);
  if (!ok)
    return cl_cli_fail (error);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_status (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  ClSyncStatus status = { 0 };
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("status", NULL, _("Show the state of sync."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 1)
    return cl_cli_usage_error (context, _("status takes no arguments"));
  if ((sync = open_sync (cli, &error)) == NULL ||
      !cl_sync_get_status (sync, &status, &error))
    return cl_cli_fail (error);

  g_print ("server: %s\n", status.server != NULL ? status.server : _("(not enrolled)"));
  g_print ("username: %s\n", status.username != NULL ? status.username : "");
  g_print ("device: %s\n", status.device_id != NULL ? status.device_id : "");
  g_print ("pending: %" G_GINT64_FORMAT "\n", status.pending);
  g_print ("cursor: %" G_GINT64_FORMAT "\n", status.cursor);
  g_print ("acknowledged: %" G_GINT64_FORMAT "\n", status.acked_seq);
  g_print ("conflicts: %" G_GINT64_FORMAT "\n", status.open_conflicts);
  g_print ("rejected: %" G_GINT64_FORMAT "\n", status.rejected);
  g_print ("last success: %s\n", status.last_success != NULL ? status.last_success : _("never"));
  g_print ("last error: %s\n", status.last_error != NULL ? status.last_error : _("none"));
  cl_sync_status_clear (&status);
  return CL_EXIT_OK;
}

/* When the losing change was made: this workstation's time of the edit, or for one made
 * elsewhere when it reached the server. */
static const char *
mine_at (ClConflict *c)
{
  return c->local_at != NULL ? c->local_at : c->created_at;
}

static JsonNode *
conflict_to_json (ClConflict *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
#define STR(k, v) json_builder_set_member_name (b, k); \
  if ((v) != NULL) json_builder_add_string_value (b, v); else json_builder_add_null_value (b)
  STR ("id", c->id);
  STR ("type", c->record_type);
  STR ("record", c->record_id);
  STR ("field", c->field);
  STR ("mine", c->local_value);
  STR ("mine_by", c->local_by);
  STR ("mine_at", mine_at (c));
  STR ("theirs", c->server_value);
  STR ("theirs_by", c->server_by);
  STR ("theirs_at", c->server_at);
  STR ("created_at", c->created_at);
  STR ("resolved_at", c->resolved_at);
  STR ("resolution", c->resolution);
#undef STR
  json_builder_set_member_name (b, "elsewhere");
  json_builder_add_boolean_value (b, c->elsewhere);
  json_builder_set_member_name (b, "server_version");
  json_builder_add_int_value (b, c->server_version);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static void
print_conflict (ClConflict *c)
{
  g_print ("id: %s\n", c->id);
  g_print ("record: %s %s\n", c->record_type, c->record_id);
  g_print ("field: %s\n", c->field);
  g_print ("from: %s\n", c->elsewhere ? "elsewhere" : "this-workstation");
  g_print ("mine: %s\n", or_empty (c->local_value));
  g_print ("mine by: %s\n", or_empty (c->local_by));
  g_print ("mine at: %s\n", or_empty (mine_at (c)));
  g_print ("theirs: %s\n", or_empty (c->server_value));
  g_print ("theirs by: %s\n", or_empty (c->server_by));
  g_print ("theirs at: %s\n", or_empty (c->server_at));
  g_print ("since: %s\n", c->created_at);
  if (c->resolved_at != NULL)
    g_print ("resolved: %s (%s)\n", c->resolved_at, c->resolution);
}

int
cl_cli_cmd_conflicts (ClCli  *cli,
                      int     argc,
                      char  **argv)
{
  gboolean json = FALSE;
  g_autofree char *keep = NULL;
  g_autofree char *value = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "keep", 0, 0, G_OPTION_ARG_STRING, &keep, N_("With resolve: theirs or mine"), N_("SIDE") },
    { "value", 0, 0, G_OPTION_ARG_STRING, &value, N_("With resolve: a new value"), N_("V") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("conflicts", "[show ID | resolve ID --keep theirs|mine | "
                                   "resolve ID --value V]",
                                   _("List sync conflicts with both values, show or resolve "
                                     "one."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if ((sync = open_sync (cli, &error)) == NULL)
    return cl_cli_fail (error);

  if (argc >= 2 && g_strcmp0 (argv[1], "resolve") == 0)
    {
      if (argc != 3 || (keep == NULL) == (value == NULL) ||
          (keep != NULL && g_strcmp0 (keep, "theirs") != 0 && g_strcmp0 (keep, "mine") != 0))
        return cl_cli_usage_error (context, _("resolve needs an id and either --keep theirs|mine "
                                              "or --value V"));
      if (!cl_sync_resolve (sync, argv[2], keep != NULL ? keep : "value", value, &error))
        return cl_cli_fail (error);
      g_print (_("Resolved; the server learns it on the next sync.\n"));
      return CL_EXIT_OK;
    }

  if ((conflicts = cl_sync_list_conflicts (sync, argc < 2, &error)) == NULL)
    return cl_cli_fail (error);

  if (argc >= 2 && g_strcmp0 (argv[1], "show") == 0)
    {
      if (argc != 3)
        return cl_cli_usage_error (context, _("show needs a conflict id"));
      for (guint i = 0; i < conflicts->len; i++)
        {
          ClConflict *c = g_ptr_array_index (conflicts, i);
          if (g_strcmp0 (c->id, argv[2]) == 0)
            {
              if (json)
                {
                  g_autoptr(JsonNode) node = conflict_to_json (c);
                  cl_cli_print_json (node);
                }
              else
                print_conflict (c);
              return CL_EXIT_OK;
            }
        }
      g_printerr (_("caseloadctl: there is no conflict with id %s\n"), argv[2]);
      return CL_EXIT_NOT_FOUND;
    }
  if (argc != 1)
    return cl_cli_usage_error (context, _("unknown conflicts command “%s”"), argv[1]);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < conflicts->len; i++)
        json_array_add_element (array, conflict_to_json (g_ptr_array_index (conflicts, i)));
      json_node_set_array (root, array);
      cl_cli_print_json (root);
    }
  else
    for (guint i = 0; i < conflicts->len; i++)
      {
        ClConflict *c = g_ptr_array_index (conflicts, i);
        g_print ("%s\t%s\t%s\t%s\tmine=%s\tby=%s\tat=%s\ttheirs=%s\tby=%s\tat=%s\tfrom=%s\n",
                 c->id, c->record_type, c->record_id, c->field, or_empty (c->local_value),
                 or_empty (c->local_by), or_empty (mine_at (c)), or_empty (c->server_value),
                 or_empty (c->server_by), or_empty (c->server_at),
                 c->elsewhere ? "elsewhere" : "this-workstation");
      }
  return CL_EXIT_OK;
}

/* rejected ---------------------------------------------------------------------------- */

/* A refused change as JSON: its refused values, identifying ones left out (null, and
 * "masked" true) for a record `list` would show masked. */
static JsonNode *
rejected_to_json (ClRejected *r,
                  JsonObject *changes,
                  gboolean    masked)
{
  const ClType *type = cl_schema_lookup_type (r->record_type);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) fields = json_object_get_members (changes);

  json_builder_begin_object (b);
#define STR(k, v) json_builder_set_member_name (b, k); \
  if ((v) != NULL) json_builder_add_string_value (b, v); else json_builder_add_null_value (b)
  STR ("id", r->mutation_id);
  STR ("type", r->record_type);
  STR ("record", r->record_id);
  STR ("op", r->op);
  json_builder_set_member_name (b, "changes");
  json_builder_begin_object (b);
  for (GList *l = fields; l != NULL; l = l->next)
    {
      const ClField *field = type != NULL ? cl_type_lookup_field (type, l->data) : NULL;
      const char *value = cl_rejected_change_value (changes, l->data, "new");

      if (masked && (field == NULL || cl_access_identifying (field)))
        value = NULL;
      STR (l->data, value);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "masked");
  json_builder_add_boolean_value (b, masked);
  STR ("code", r->code);
  STR ("reason", r->reason);
  STR ("at", r->at);
#undef STR
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
list_rejected (ClCli     *cli,
               GPtrArray *rejected,
               gboolean   json)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonArray) array = json_array_new ();
  GError *error = NULL;

  for (guint i = 0; i < rejected->len; i++)
    {
      ClRejected *r = g_ptr_array_index (rejected, i);
      g_autoptr(JsonObject) changes = cl_rejected_parse_changes (r);
      g_autoptr(GList) fields = NULL;
      g_autoptr(GString) names = g_string_new (NULL);
      gboolean masked;

      if (!cl_cli_record_masked (cli, r->record_type, r->record_id, &masked, &error))
        return cl_cli_fail (error);
      if (json)
        {
          json_array_add_element (array, rejected_to_json (r, changes, masked));
          continue;
        }
      fields = json_object_get_members (changes);
      for (GList *l = fields; l != NULL; l = l->next)
        g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "",
                                (const char *) l->data);
      g_print ("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->mutation_id, r->record_type, r->record_id,
               r->op, names->len > 0 ? names->str : "-", r->code, or_empty (r->reason), r->at);
    }
  if (json)
    {
      json_node_set_array (root, array);
      cl_cli_print_json (root);
    }
  return CL_EXIT_OK;
}

/* Discarding destroys a change: asked on the terminal; without one, only --yes says so. */
static gboolean
confirm_discard (guint      n,
                 gboolean  *confirmed,
                 GError   **error)
{
  char line[16];

  *confirmed = FALSE;
  if (!isatty (STDIN_FILENO))
    {
      g_set_error (error, CL_CLI_ERROR, CL_CLI_ERROR_USAGE,
                   _("discard destroys the change and there is no terminal to ask on: confirm "
                     "with --yes"));
      return FALSE;
    }
  g_printerr (ngettext ("Discard %u refused change? The record shows again what the server "
                        "holds. [y/N] ",
                        "Discard %u refused changes? The records show again what the server "
                        "holds. [y/N] ", n), n);
  *confirmed = fgets (line, sizeof line, stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
  return TRUE;
}

int
cl_cli_cmd_rejected (ClCli  *cli,
                     int     argc,
                     char  **argv)
{
  gboolean json = FALSE;
  gboolean all = FALSE;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("With discard or retry: every listed change"),
      NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("With discard: do not ask for a confirmation"),
      NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClSync) sync = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  gboolean discard, confirmed = TRUE;
  GError *error = NULL;
  guint done = 0, failed = 0;
  int rc;

  context = cl_cli_option_context ("rejected", "[discard ID|--all | retry ID|--all]",
                                   _("List the changes the server refused for good, with its "
                                     "reason, newest first. “discard” gives a change up: the "
                                     "record shows again what the server holds. “retry” puts "
                                     "it back in the outbox on the record's current version, "
                                     "for the next sync."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  discard = argc >= 2 && g_strcmp0 (argv[1], "discard") == 0;
  if (argc >= 2 && !discard && g_strcmp0 (argv[1], "retry") != 0)
    return cl_cli_usage_error (context, _("unknown rejected command “%s”"), argv[1]);
  if (argc >= 2 && (argc == 3) == all)
    return cl_cli_usage_error (context, _("%s needs a change id or --all"), argv[1]);
  if (argc > 3 || (argc == 1 && (all || yes)) || (yes && !discard))
    return cl_cli_usage_error (context, _("--all goes with discard or retry, --yes with "
                                          "discard"));

  if ((sync = open_sync (cli, &error)) == NULL)
    return cl_cli_fail (error);
  if (!cl_sync_is_enrolled (sync))
    return cl_cli_fail (g_error_new (CL_SYNC_ERROR, CL_SYNC_ERROR_NOT_ENROLLED,
                                     _("This vault is not enrolled with a server: no change "
                                       "of it was ever refused.")));
  if ((rejected = cl_sync_list_rejected (sync, &error)) == NULL)
    return cl_cli_fail (error);
  if (argc == 1)
    return list_rejected (cli, rejected, json);

  if (all)
    for (guint i = 0; i < rejected->len; i++)
      g_ptr_array_add (ids, ((ClRejected *) g_ptr_array_index (rejected, i))->mutation_id);
  else
    g_ptr_array_add (ids, argv[2]);
  if (discard && !yes && ids->len > 0 && !confirm_discard (ids->len, &confirmed, &error))
    return cl_cli_fail (error);
  if (!confirmed)
    {
      g_printerr (_("caseloadctl: nothing was discarded\n"));
      return CL_EXIT_INVALID;
    }

  /* Newest first: a record's later changes before its creation. */
  rc = CL_EXIT_OK;
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      gboolean ok = discard ? cl_sync_discard_rejected (sync, id, &error)
                            : cl_sync_retry_rejected (sync, id, &error);

      if (ok)
        {
          done++;
          continue;
        }
      if (!all)
        return cl_cli_fail (error);
      g_printerr ("caseloadctl: %s: %s\n", id, error->message);
      rc = MAX (rc, cl_cli_exit_code (error));
      g_clear_error (&error);
      failed++;
    }
  if (discard)
    g_print (ngettext ("%u refused change discarded.\n", "%u refused changes discarded.\n",
                       done), done);
  else
    g_print (ngettext ("%u refused change queued again for the next sync.\n",
                       "%u refused changes queued again for the next sync.\n", done), done);
  return failed > 0 ? rc : CL_EXIT_OK;
}
