/* cl-chart.h: Cairo charts of report tables, for the desktop widget, print and PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "cl-report.h"

G_BEGIN_DECLS

/* The same layout as GdkRGBA, so the desktop widget can pass its theme's colors. */
typedef struct {
  double red;
  double green;
  double blue;
  double alpha;
} ClChartColor;

typedef struct {
  ClChartColor foreground;   /* text, axes */
  ClChartColor background;   /* behind the plot; alpha 0 draws nothing */
  ClChartColor accent;       /* the first series; the others are derived from it */
  double       font_size;    /* points; 0 for the context's font */
} ClChartStyle;

void      cl_chart_style_init_default  (ClChartStyle        *style);
gboolean  cl_chart_can_draw            (const ClReportTable *table);
void      cl_chart_draw                (cairo_t             *cr,
                                        PangoContext        *context,
                                        const ClReportTable *table,
                                        double               width,
                                        double               height,
                                        const ClChartStyle  *style);

G_END_DECLS
