/* main.c: caseload, the desktop program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "caseload"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "cl-application.h"
#include "cl-secret.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ClApplication) app = NULL;

  /* First: no core dumps, guarded memory and the wiping SQLite allocator, before any
   * secret or any SQLite call exists. */
  cl_secure_init ();

  setlocale (LC_ALL, "");
  /* CASELOAD_LOCALEDIR: the build tree's catalogs, for a run that is not installed
   * (tools/run-app). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CASELOAD_LOCALEDIR") != NULL
                                   ? g_getenv ("CASELOAD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cl_application_new (APPLICATION_ID, G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
