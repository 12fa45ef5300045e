/* cl-fault-proxy.h: a fault-injecting TCP proxy for the end-to-end tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  CL_FAULT_PASS,           /* forward everything */
  CL_FAULT_DELAY,          /* param: milliseconds added before each chunk, both ways */
  CL_FAULT_BANDWIDTH,      /* param: bytes per second, both ways */
  CL_FAULT_CUT,            /* param: close both sides after N bytes towards the client */
  CL_FAULT_RESET,          /* param: TCP reset after N bytes towards the client (0: at once) */
  CL_FAULT_BLACKHOLE,      /* accept and read, never forward, never answer */
  CL_FAULT_DROP_RESPONSE,  /* HTTP mode: forward the request, read the whole answer, cut */
  CL_FAULT_REPLAY,         /* HTTP mode: answer with the response frozen by _record() or
                            * made up by _forge() */
  CL_FAULT_CHAOS,          /* a random fault (or none) per connection, from the seed in param */
} ClFaultMode;

typedef struct _ClFaultProxy ClFaultProxy;

ClFaultProxy *cl_fault_proxy_new        (guint16           upstream_port,
                                         GTlsCertificate  *certificate,
                                         GTlsDatabase     *upstream_ca,
                                         GError          **error);
guint16       cl_fault_proxy_get_port   (ClFaultProxy     *proxy);
void          cl_fault_proxy_set        (ClFaultProxy     *proxy,
                                         ClFaultMode       mode,
                                         guint64           param,
                                         const char       *path,
                                         guint             times);
void          cl_fault_proxy_heal       (ClFaultProxy     *proxy);
void          cl_fault_proxy_record     (ClFaultProxy     *proxy,
                                         const char       *path);
void          cl_fault_proxy_forge      (ClFaultProxy     *proxy,
                                         guint             status,
                                         const char       *body);
gboolean      cl_fault_proxy_has_record (ClFaultProxy     *proxy);
guint         cl_fault_proxy_get_hits   (ClFaultProxy     *proxy);
guint         cl_fault_proxy_get_connections (ClFaultProxy *proxy);
void          cl_fault_proxy_free       (ClFaultProxy     *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClFaultProxy, cl_fault_proxy_free)

G_END_DECLS
