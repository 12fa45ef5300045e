/* cl-window-private.h: what the gui tests and benchmarks reach inside the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-case-page.h"
#include "cl-first-run.h"
#include "cl-sync-indicator.h"
#include "cl-reports-page.h"
#include "cl-unlock-page.h"
#include "cl-window.h"

G_BEGIN_DECLS

const char    *_cl_window_get_page          (ClWindow   *self);
const char    *_cl_window_get_content_page  (ClWindow   *self);
GListModel    *_cl_window_get_cases         (ClWindow   *self);
GtkColumnView *_cl_window_get_case_view     (ClWindow   *self);
GtkWidget     *_cl_window_get_conflicts_button (ClWindow *self);
ClCasePage    *_cl_window_get_case_page     (ClWindow   *self);
ClReportsPage *_cl_window_get_reports_page  (ClWindow   *self);
ClUnlockPage  *_cl_window_get_unlock_page   (ClWindow   *self);
ClFirstRun    *_cl_window_get_first_run     (ClWindow   *self);
GtkEditable   *_cl_window_get_search_entry  (ClWindow   *self);
gint64         _cl_window_get_view_count    (ClWindow   *self,
                                             ClCaseView  view);
guint          _cl_window_get_search_serial (ClWindow   *self);
guint          _cl_window_get_counts_serial (ClWindow   *self);
gboolean       _cl_window_get_can_undo      (ClWindow   *self);
GtkWindow     *_cl_window_get_dialog        (ClWindow   *self);
ClSyncIndicator *_cl_window_get_sync_indicator (ClWindow *self);

G_END_DECLS
