/* cl-case-summary.h: one row of a case list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cl-access.h"

G_BEGIN_DECLS

#define CL_TYPE_CASE_SUMMARY (cl_case_summary_get_type ())
G_DECLARE_FINAL_TYPE (ClCaseSummary, cl_case_summary, CL, CASE_SUMMARY, GObject)

const char *cl_case_summary_get_id            (ClCaseSummary *self);
const char *cl_case_summary_get_client_id     (ClCaseSummary *self);
const char *cl_case_summary_get_display_name  (ClCaseSummary *self);
const char *cl_case_summary_get_case_number   (ClCaseSummary *self);
const char *cl_case_summary_get_status        (ClCaseSummary *self);
const char *cl_case_summary_get_track         (ClCaseSummary *self);
const char *cl_case_summary_get_command       (ClCaseSummary *self);
const char *cl_case_summary_get_assigned_to   (ClCaseSummary *self);
const char *cl_case_summary_get_last_activity (ClCaseSummary *self);
const char *cl_case_summary_get_next_due      (ClCaseSummary *self);
gboolean    cl_case_summary_get_restricted    (ClCaseSummary *self);

/* The columns _cl_case_summary_new_from_row() reads, in order, from "cases c JOIN client k";
 * the last is the restricted rule (cl-access.h). */
#define CL_CASE_SUMMARY_COLUMNS \
  "c.id, c.client_id, coalesce(k.preferred_name, k.legal_name, k.pseudonym), " \
  "coalesce(k.pseudonym, ''), c.case_number, c.status, c.track, c.command, c.assigned_to, " \
  "c.last_activity_at, c.next_due_on, " CL_ACCESS_SQL_RESTRICTED ("c.restricted", "k.restricted")

G_END_DECLS
