/* cl-report-fixture.h: the fixture caseload of the report tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-report.h"
#include "cl-store.h"

G_BEGIN_DECLS

/* Every report run on the fixture uses this as today. */
#define CL_REPORT_FIXTURE_TODAY "2026-05-15"

typedef struct {
  char *client[8];   /* K1 … K7 */
  char *cases[11];   /* CA1 … CA10 (CA9 deleted) */
  char *number[11];  /* their case numbers */
} ClReportFixture;

void cl_report_fixture_build (ClStore         *store,
                              ClReportFixture *ids);
void cl_report_fixture_clear (ClReportFixture *ids);

/* Shared by the report tests. */
ClReportParams *cl_report_test_params      (const char     *from,
                                            const char     *to,
                                            const char     *today);
ClReportResult *cl_report_test_run         (ClStore        *store,
                                            const char     *name,
                                            ClReportParams *params);
ClReportResult *cl_report_test_run_period  (ClStore        *store,
                                            const char     *name,
                                            const char     *from,
                                            const char     *to,
                                            const char     *today);
void            cl_report_test_check_count (ClReportResult *result,
                                            const char     *table,
                                            const char     *row,
                                            const char     *column,
                                            gint64          expected,
                                            const char     *where);

#define CL_REPORT_TEST_COUNT(r, t, row, col, n) \
  cl_report_test_check_count (r, t, row, col, n, G_STRLOC)

G_END_DECLS
