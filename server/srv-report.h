/* srv-report.h: report facts from PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libpq-fe.h>

#include "cl-report.h"
#include "srv-scope.h"

G_BEGIN_DECLS

ClReportFacts *srv_report_load_facts (PGconn               *conn,
                                      const SrvSession     *session,
                                      const char           *name,
                                      const ClReportParams *params,
                                      GError              **error);

G_END_DECLS
