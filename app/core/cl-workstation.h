/* cl-workstation.h: what IT set once for every account of a workstation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The defaults enrollment starts with (GSettings keys default-server-url and
 * default-ca-file; docs/DEPLOYMENT.md, "Preparing workstations"). */
typedef struct {
  char     *server_url;     /* (nullable): none set */
  char     *ca_file;        /* (nullable): none set */
  gboolean  server_locked;  /* an administrator locked the key: enrollment uses it as is */
  gboolean  ca_locked;
} ClWorkstation;

void      cl_workstation_load    (ClWorkstation  *ws);
void      cl_workstation_clear   (ClWorkstation  *ws);
gboolean  cl_workstation_check   (const ClWorkstation *ws,
                                  GError        **error);
gboolean  cl_workstation_resolve (const ClWorkstation *ws,
                                  const char    **url,
                                  const char    **ca_file,
                                  GError        **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClWorkstation, cl_workstation_clear)

G_END_DECLS
