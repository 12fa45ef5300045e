/* cl-report-private.h: what the report definitions share with the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-report.h"
#include "cl-schema.h"

G_BEGIN_DECLS

/* The enumerations reports classify by, resolved once. */
typedef enum {
  CL_REPORT_ENUM_BOROUGH,
  CL_REPORT_ENUM_GENDER,
  CL_REPORT_ENUM_RACE,
  CL_REPORT_ENUM_AGE_BAND,
  CL_REPORT_ENUM_SPECIAL,
  CL_REPORT_ENUM_CHANNEL,
  CL_REPORT_ENUM_TRACK,
  CL_REPORT_ENUM_STATUS,
  CL_REPORT_ENUM_CLOSURE_REASON,
  CL_REPORT_ENUM_VICTIM_ROLE,
  CL_REPORT_ENUM_FUNDING,
  CL_REPORT_ENUM_REFERRAL_SOURCE,
  CL_REPORT_ENUM_VICTIMIZATION,
  CL_REPORT_ENUM_TRAFFICKING_TYPE,
  CL_REPORT_ENUM_DIRECTION,
  CL_REPORT_ENUM_CONTACT_OUTCOME,
  CL_REPORT_ENUM_SERVICE_CODE,
  CL_REPORT_ENUM_REFERRAL_SERVICE,
  CL_REPORT_ENUM_REFERRAL_OUTCOME,
  CL_REPORT_ENUM_IMMIGRATION_TYPE,
  CL_REPORT_ENUM_DECISION,
  CL_REPORT_ENUM_LEGAL_TYPE,
  CL_REPORT_ENUM_LEGAL_STATUS,
  CL_REPORT_ENUM_CLAIM_STATUS,
  CL_REPORT_N_ENUMS
} ClReportEnumId;

const ClEnum *_cl_report_enum        (ClReportEnumId  id);
int           _cl_report_enum_index  (ClReportEnumId  id,
                                      const char     *code);
const char   *_cl_report_enum_code   (ClReportEnumId  id,
                                      int             index);
const char   *_cl_report_enum_label  (ClReportEnumId  id,
                                      int             index);
int           _cl_report_age_band_for_age (gint64    age);

/* Building results. */
ClReportResult *_cl_report_result_new      (const ClReportInfo   *info,
                                            const ClReportParams *params);
ClReportTable  *_cl_report_table_new       (ClReportResult *result,
                                            const char     *key,
                                            const char     *title,
                                            const char     *row_header);
guint           _cl_report_add_column      (ClReportTable  *table,
                                            const char     *key,
                                            const char     *label);
guint           _cl_report_add_row         (ClReportTable  *table,
                                            const char     *key,
                                            const char     *label);
ClReportCell   *_cl_report_cell            (ClReportTable  *table,
                                            guint           row,
                                            guint           col);
ClReportCellRef _cl_report_ref             (ClReportTable  *table,
                                            guint           row,
                                            guint           col);
void            _cl_report_set_count       (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            gint64          value);
void            _cl_report_add_count       (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            gint64          value);
/* Drill-down (CL_REPORT_RUN_TRACE_CASES): @case_index (an index into facts->cases) is one
 * of the cases behind the cell. Without tracing these are a plain add_count / no-op.
 * Total rows and total columns take the union of what they add up. */
void            _cl_report_count_case      (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            gint64          value,
                                            guint32         case_index);
void            _cl_report_trace           (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            guint32         case_index);
void            _cl_report_trace_row       (ClReportTable  *table,
                                            guint           row,
                                            guint32         case_index);
void            _cl_report_result_begin_trace (ClReportResult      *result);
void            _cl_report_result_end_trace   (ClReportResult      *result,
                                               const ClReportFacts *facts);
void            _cl_report_set_number      (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            double          value,
                                            ClReportUnit    unit,
                                            guint           decimals,
                                            const ClReportCellRef *dep);
void            _cl_report_set_share       (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            gint64          numerator,
                                            gint64          denominator,
                                            const ClReportCellRef *num_ref,
                                            const ClReportCellRef *den_ref);
void            _cl_report_set_text        (ClReportTable  *table,
                                            guint           row,
                                            guint           col,
                                            const char     *text);
guint           _cl_report_add_total_row   (ClReportTable  *table,
                                            const char     *label);
void            _cl_report_set_total_col   (ClReportTable  *table,
                                            guint           col,
                                            guint64         parts);
void            _cl_report_set_chart       (ClReportTable     *table,
                                            ClReportChartType  chart,
                                            guint64            columns);
void            _cl_report_add_note        (ClReportResult *result,
                                            const char     *note);
void            _cl_report_link_equal      (ClReportResult *result,
                                            ClReportCellRef a,
                                            ClReportCellRef b);
void            _cl_report_add_subset      (ClReportResult *result,
                                            ClReportCellRef whole,
                                            ClReportCellRef part);
void            _cl_report_add_group       (ClReportResult *result,
                                            ClReportCellRef total,
                                            const ClReportCellRef *parts,
                                            guint           n_parts);

#define CL_REPORT_COLS(...) _cl_report_cols (__VA_ARGS__, -1)
guint64         _cl_report_cols            (int first, ...);

G_END_DECLS
