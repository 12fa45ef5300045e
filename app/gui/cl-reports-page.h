/* cl-reports-page.h: the Reports view: choose, run, read, chart, export and print reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-report-export.h"
#include "cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_REPORTS_PAGE (cl_reports_page_get_type ())
G_DECLARE_FINAL_TYPE (ClReportsPage, cl_reports_page, CL, REPORTS_PAGE, AdwBin)

void                  cl_reports_page_set_store    (ClReportsPage  *self,
                                                    ClStore        *store,
                                                    GtkStringList  *command_codes,
                                                    GtkStringList  *command_labels);
void                  cl_reports_page_clear        (ClReportsPage  *self);
void                  cl_reports_page_run          (ClReportsPage  *self);
gboolean              cl_reports_page_get_busy     (ClReportsPage  *self);
const ClReportResult *cl_reports_page_get_result   (ClReportsPage  *self);

/* For the gui tests: choose without the widgets, read what a cell of a row in view shows
 * (NULL for a row out of view: it has no widgets; rows come in over a few frames while
 * filling), show a result made by hand, export without the file chooser (still audited, as
 * through the dialog), print to a file without the print dialog. */
void                  _cl_reports_page_set_report  (ClReportsPage  *self,
                                                    const char     *name);
void                  _cl_reports_page_set_custom_period (ClReportsPage *self,
                                                    const char     *from,
                                                    const char     *to);
const char           *_cl_reports_page_get_cell_text (ClReportsPage *self,
                                                    const char     *table,
                                                    const char     *row,
                                                    const char     *column);
GtkWidget            *_cl_reports_page_get_cell_button (ClReportsPage *self,
                                                    const char    *table,
                                                    const char    *row,
                                                    const char    *column);
gboolean              _cl_reports_page_get_filling (ClReportsPage *self);
void                  _cl_reports_page_show_result (ClReportsPage *self,
                                                    ClReportResult *result);
GtkWindow            *_cl_reports_page_get_drill_window (ClReportsPage *self);
GtkSwitch            *_cl_reports_page_get_agency_switch (ClReportsPage *self);
const char           *_cl_reports_page_get_agency_note (ClReportsPage *self);
gboolean              _cl_reports_page_scroll_to_chart (ClReportsPage *self,
                                                    guint          index);
gboolean              _cl_reports_page_export_to_path (ClReportsPage *self,
                                                    ClReportFormat  format,
                                                    gboolean        outside,
                                                    const char     *path,
                                                    GError        **error);
void                  _cl_reports_page_set_print_path (ClReportsPage *self,
                                                    const char     *path);
gboolean              _cl_reports_page_get_printing (ClReportsPage *self);
GtkDropDown          *_cl_reports_page_get_filter (ClReportsPage *self,
                                                   const char    *name);
GtkWidget            *_cl_reports_page_get_run_button (ClReportsPage *self);

G_END_DECLS
