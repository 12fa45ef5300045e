/* cl-workstation.c: what IT set once for every account of a workstation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server address and the organization's CA certificate are GSettings keys of the
 * app's schema, so the desktop and caseloadctl read the same values, an administrator sets
 * them system-wide with a dconf database (and locks them there, as any other key such as
 * auto-lock-seconds), and a test with GSETTINGS_BACKEND=keyfile. A machine without the
 * schema, or with an older one, has no defaults.
 */

#define G_LOG_DOMAIN "cl-workstation"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cl-sync.h"
#include "cl-workstation.h"

#define SCHEMA_ID "io.github.caseload.Caseload"

/* A key's value, %NULL when empty. */
static char *
get_string (GSettings  *settings,
            const char *key)
{
  g_autofree char *value = g_strstrip (g_settings_get_string (settings, key));

  return *value != '\0' ? g_steal_pointer (&value) : NULL;
}

/**
 * cl_workstation_load:
 *
 * Reads the workstation's defaults; nothing is checked yet (cl_workstation_check()).
 */
void
cl_workstation_load (ClWorkstation *ws)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  g_return_if_fail (ws != NULL);

  memset (ws, 0, sizeof *ws);
  /* An older schema installed beside a newer caseloadctl lacks the keys: no defaults. */
  if (source == NULL ||
      (schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE)) == NULL ||
      !g_settings_schema_has_key (schema, "default-server-url") ||
      !g_settings_schema_has_key (schema, "default-ca-file"))
    return;
  settings = g_settings_new_full (schema, NULL, NULL);
  ws->server_url = get_string (settings, "default-server-url");
  ws->ca_file = get_string (settings, "default-ca-file");
  ws->server_locked = !g_settings_is_writable (settings, "default-server-url");
  ws->ca_locked = !g_settings_is_writable (settings, "default-ca-file");
}

void
cl_workstation_clear (ClWorkstation *ws)
{
  g_clear_pointer (&ws->server_url, g_free);
  g_clear_pointer (&ws->ca_file, g_free);
}

/**
 * cl_workstation_check:
 *
 * Fails with a message that names the setting when a default is set but cannot serve: an
 * address that is not https://, a CA file that is not an absolute path to a readable file.
 * The advocate cannot fix it: the message says to ask whoever prepared the workstation.
 */
gboolean
cl_workstation_check (const ClWorkstation  *ws,
                      GError              **error)
{
  g_return_val_if_fail (ws != NULL, FALSE);

  if (ws->server_url != NULL && !cl_sync_check_url (ws->server_url, error))
    {
      g_prefix_error (error, _("The server address set for this workstation "
                               "(default-server-url) cannot be used; ask your IT department "
                               "to correct it. "));
      return FALSE;
    }
  if (ws->ca_file != NULL &&
      (!g_path_is_absolute (ws->ca_file) ||
       !g_file_test (ws->ca_file, G_FILE_TEST_IS_REGULAR) ||
       g_access (ws->ca_file, R_OK) != 0))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_INSECURE,
                   _("The CA certificate file set for this workstation (default-ca-file), "
                     "“%s”, is not a readable file; ask your IT department to correct it."),
                   ws->ca_file);
      return FALSE;
    }
  return TRUE;
}

/**
 * cl_workstation_resolve:
 * @url: (inout): the server address given, or %NULL for the default
 * @ca_file: (inout): the CA file given, or %NULL for the default
 *
 * What enrollment uses: what was given, else the workstation's default (checked). A locked
 * default cannot be replaced: a different value given is refused.
 */
gboolean
cl_workstation_resolve (const ClWorkstation  *ws,
                        const char          **url,
                        const char          **ca_file,
                        GError              **error)
{
  g_return_val_if_fail (ws != NULL && url != NULL && ca_file != NULL, FALSE);

  if ((ws->server_locked && ws->server_url != NULL && *url != NULL &&
       g_strcmp0 (*url, ws->server_url) != 0) ||
      (ws->ca_locked && ws->ca_file != NULL && *ca_file != NULL &&
       g_strcmp0 (*ca_file, ws->ca_file) != 0))
    {
      g_set_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_REFUSED,
                   _("This workstation's administrator set the server and its CA certificate "
                     "and locked them: leave them out."));
      return FALSE;
    }
  if (*url == NULL || (ws->server_locked && ws->server_url != NULL))
    *url = ws->server_url;
  if (*ca_file == NULL || (ws->ca_locked && ws->ca_file != NULL))
    *ca_file = ws->ca_file;
  return cl_workstation_check (ws, error);
}
