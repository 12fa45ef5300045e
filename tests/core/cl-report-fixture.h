/* cl-report-fixture.h: the fixture caseload of the report tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

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

G_END_DECLS
