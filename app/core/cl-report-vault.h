/* cl-report-vault.h: reports on the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-report.h"
#include "cl-store.h"

G_BEGIN_DECLS

ClReportFacts  *cl_report_vault_load_facts  (ClStore              *store,
                                             const char           *name,
                                             const ClReportParams *params,
                                             GError              **error);
/* For tests and benchmarks: every case and every service, whatever the report reads. */
ClReportFacts  *_cl_report_vault_load_all_facts (ClStore              *store,
                                                 const char           *name,
                                                 const ClReportParams *params,
                                                 GError              **error);
ClReportResult *cl_report_run_vault         (ClStore              *store,
                                             const char           *name,
                                             const ClReportParams *params,
                                             ClReportRunFlags      flags,
                                             GError              **error);
void            cl_report_run_vault_async   (ClStore              *store,
                                             const char           *name,
                                             const ClReportParams *params,
                                             ClReportRunFlags      flags,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
ClReportResult *cl_report_run_vault_finish  (ClStore              *store,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Drill-down from a count of a traced result (CL_REPORT_RUN_TRACE_CASES) to its cases. */
char          **cl_report_vault_drill_down  (ClStore              *store,
                                             const ClReportResult *result,
                                             guint                 table,
                                             guint                 row,
                                             guint                 col,
                                             GError              **error);
void            cl_report_vault_load_cases_async  (ClStore            *store,
                                                   const char *const  *ids,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
GListModel     *cl_report_vault_load_cases_finish (ClStore            *store,
                                                   GAsyncResult       *result,
                                                   GError            **error);
GListModel     *cl_report_vault_load_cases        (ClStore            *store,
                                                   const char *const  *ids,
                                                   GCancellable       *cancellable,
                                                   GError            **error);

/* The advocates a report can be filtered by (ClReportParams.advocate). */
GStrv           cl_report_vault_list_advocates    (ClStore            *store,
                                                   GError            **error);

G_END_DECLS
