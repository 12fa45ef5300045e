/* cl-report-export.h: report results as text, CSV, JSON, PDF and pages to print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "cl-report.h"
#include "cl-store.h"

G_BEGIN_DECLS

typedef enum {
  CL_REPORT_FORMAT_TEXT,  /* aligned columns, numbers in the locale's format */
  CL_REPORT_FORMAT_CSV,   /* RFC 4180, one line per cell, plain numbers */
  CL_REPORT_FORMAT_JSON,
  CL_REPORT_FORMAT_PDF,   /* titled, paginated, with parameters, tables and charts */
} ClReportFormat;

typedef enum {
  CL_REPORT_WRITE_NONE = 0,
  CL_REPORT_WRITE_BOM  = 1 << 0,  /* CSV: a UTF-8 byte order mark first, for spreadsheets */
} ClReportWriteFlags;

gboolean     cl_report_format_from_string (const char           *text,
                                           ClReportFormat       *format);
const char  *cl_report_format_to_string   (ClReportFormat        format);

char        *cl_report_to_text            (const ClReportResult *result);
char        *cl_report_to_csv             (const ClReportResult *result);
char        *cl_report_to_json            (const ClReportResult *result);
GBytes      *cl_report_to_pdf             (const ClReportResult *result,
                                           GError              **error);

/* Pages laid out once, drawn on any cairo_t: the PDF export and printing. */
typedef struct _ClReportPages ClReportPages;

ClReportPages *cl_report_paginate         (const ClReportResult *result,
                                           double                page_width,
                                           double                page_height);
guint        cl_report_pages_get_n        (const ClReportPages  *pages);
void         cl_report_pages_draw         (const ClReportPages  *pages,
                                           cairo_t              *cr,
                                           guint                 page);
void         cl_report_pages_free         (ClReportPages        *pages);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClReportPages, cl_report_pages_free)

gboolean     cl_report_write              (const ClReportResult *result,
                                           ClReportFormat        format,
                                           ClReportWriteFlags    flags,
                                           GOutputStream        *output,
                                           GCancellable         *cancellable,
                                           GError              **error);
gboolean     cl_report_export             (ClStore              *store,
                                           const ClReportResult *result,
                                           ClReportFormat        format,
                                           ClReportWriteFlags    flags,
                                           gboolean              outside,
                                           GOutputStream        *output,
                                           GCancellable         *cancellable,
                                           GError              **error);
ClReportResult *cl_report_release         (ClStore              *store,
                                           const ClReportResult *result,
                                           const char           *action,
                                           const char           *medium,
                                           gboolean              outside,
                                           GError              **error);

G_END_DECLS
