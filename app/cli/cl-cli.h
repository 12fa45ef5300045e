/* cl-cli.h: what caseloadctl's command files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cl-secret.h"
#include "cl-store.h"
#include "cl-vault.h"

G_BEGIN_DECLS

/* Exit codes: documented in --help and caseloadctl(1); scripts depend on them. */
typedef enum {
  CL_EXIT_OK = 0,
  CL_EXIT_USAGE = 1,     /* bad command line */
  CL_EXIT_AUTH = 2,      /* wrong passphrase or recovery key */
  CL_EXIT_NOT_FOUND = 3, /* no vault, no such record */
  CL_EXIT_INVALID = 4,   /* bad type, field, value or CSV; refused operation */
  CL_EXIT_DAMAGED = 5,   /* vault damaged, too new, keys missing, unsafe permissions */
  CL_EXIT_IO = 6,        /* disk full, unreadable file, … */
  CL_EXIT_SYNC = 7,      /* sync or network: server unreachable, refused, revoked */
} ClExit;

#define CL_CLI_ERROR (cl_cli_error_quark ())

typedef enum {
  CL_CLI_ERROR_USAGE,
  CL_CLI_ERROR_INVALID,
} ClCliError;

typedef struct {
  char      *vault_dir;
  char      *passphrase_file;
  int        passphrase_fd;
  char      *user;
  ClSecret  *passphrase;   /* read once, kept for commands that need it twice */
  ClVault   *vault;
  ClStore   *store;
} ClCli;

/* A file a command writes: a temporary file beside it until committed. */
typedef struct {
  char     *path;
  char     *tmp_path;
  int       fd;
  gboolean  force;
} ClCliOutput;

typedef int (*ClCliCommandFunc) (ClCli  *cli,
                                 int     argc,
                                 char  **argv);

GQuark     cl_cli_error_quark          (void);

int        cl_cli_exit_code            (const GError  *error);
int        cl_cli_fail                 (GError        *error);
int        cl_cli_usage_error          (GOptionContext *context,
                                        const char     *format,
                                        ...) G_GNUC_PRINTF (2, 3);
GOptionContext *cl_cli_option_context  (const char     *command,
                                        const char     *parameters,
                                        const char     *summary,
                                        const GOptionEntry *entries);
gboolean   cl_cli_parse                (GOptionContext *context,
                                        int            *argc,
                                        char         ***argv,
                                        int            *exit_code);

ClSecret  *cl_cli_get_passphrase       (ClCli         *cli,
                                        GError       **error);
ClSecret  *cl_cli_read_secret          (const char    *file,
                                        const char    *prompt,
                                        GError       **error);
ClSecret  *cl_cli_read_new_secret      (ClCli         *cli,
                                        const char    *file,
                                        const char    *what,
                                        GError       **error);
gboolean   cl_cli_open                 (ClCli         *cli,
                                        GError       **error);
gboolean   cl_cli_write_recovery_key   (ClSecret      *key,
                                        int            fd,
                                        GError       **error);
ClCliOutput *cl_cli_output_new        (ClCli         *cli,
                                        const char    *path,
                                        gboolean       force,
                                        GError       **error);
GOutputStream *cl_cli_output_stream    (ClCliOutput   *out);
gboolean   cl_cli_output_commit        (ClCliOutput   *out,
                                        GError       **error);
void       cl_cli_output_free          (ClCliOutput   *out);

const ClType *cl_cli_lookup_type       (const char    *name,
                                        GError       **error);
gboolean   cl_cli_check_assignments    (const ClType  *type,
                                        ClChanges     *changes,
                                        char         **assignments,
                                        GError       **error);
gboolean   cl_cli_read_json_fields     (const ClType  *type,
                                        ClChanges     *changes,
                                        const char    *path,
                                        GError       **error);
void       cl_cli_print_json           (JsonNode      *node);
gboolean   cl_cli_record_masked        (ClCli         *cli,
                                        const char    *type_name,
                                        const char    *id,
                                        gboolean      *masked,
                                        GError       **error);

/* Commands */
int  cl_cli_cmd_init      (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_passwd    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_recover   (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_verify    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_rekey     (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_backup    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_restore   (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_schema    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_add       (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_set       (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_get       (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_delete    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_list      (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_search    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_import    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_export    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_demo      (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_enroll    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_login     (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_set_server (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_sync      (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_status    (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_conflicts (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_rejected  (ClCli *cli, int argc, char **argv);
int  cl_cli_cmd_report    (ClCli *cli, int argc, char **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCliOutput, cl_cli_output_free)

G_END_DECLS
