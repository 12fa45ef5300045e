/* cl-chart.c: Cairo charts of report tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bar and stacked-bar charts are drawn horizontally (a row's label beside its bars, so
 * long category names stay readable); trend charts have periods along the horizontal
 * axis. All text goes through Pango with the caller's context, so it follows the locale,
 * its digits and its direction: with a right-to-left base direction the chart is mirrored
 * (labels on the right, bars growing leftwards). Suppressed cells are never drawn as a
 * value; they show as "*". Series differ by more than colour: the bars of every series
 * after the first carry a pattern (stripes, dots, cross-hatching) and trend lines a dash,
 * in the legend too, so a chart reads in grey, on paper and without telling hues apart.
 */

#define G_LOG_DOMAIN "cl-chart"

#include <math.h>

#include <pango/pangocairo.h>

#include "cl-chart.h"

#define MAX_ROWS 20
#define BIT(i) (G_GUINT64_CONSTANT (1) << (i))

void
cl_chart_style_init_default (ClChartStyle *style)
{
  g_return_if_fail (style != NULL);

  style->foreground = (ClChartColor) { 0.13, 0.13, 0.13, 1.0 };
  style->background = (ClChartColor) { 1.0, 1.0, 1.0, 0.0 };
  style->accent = (ClChartColor) { 0.21, 0.52, 0.89, 1.0 };  /* Adwaita blue 3 */
  style->font_size = 0;
}

typedef struct {
  cairo_t            *cr;
  PangoContext       *context;
  const ClChartStyle *style;
  double              width;
  double              height;
  gboolean            rtl;
  double              font_size;
} Chart;

static gboolean
cell_value (const ClReportCell *cell,
            double             *value)
{
  if (cell->suppressed)
    return FALSE;
  if (cell->kind == CL_REPORT_CELL_COUNT)
    *value = (double) cell->count;
  else if (cell->kind == CL_REPORT_CELL_NUMBER)
    *value = cell->number;
  else
    return FALSE;
  return TRUE;
}

static const ClReportCell *
table_cell (const ClReportTable *table,
            guint                row,
            guint                col)
{
  const ClReportRow *r = g_ptr_array_index (table->rows, row);

  return &g_array_index (r->cells, ClReportCell, col);
}

/* The rows a chart shows: not the total row, not rows where every plotted value is zero
 * or empty; at most MAX_ROWS (in table order). */
static GArray *
chart_rows (const ClReportTable *table,
            guint64              columns)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint r = 0; r < table->rows->len && rows->len < MAX_ROWS; r++)
    {
      const ClReportRow *row = g_ptr_array_index (table->rows, r);
      gboolean any = FALSE;

      if (row->is_total)
        continue;
      for (guint c = 0; c < table->columns->len; c++)
        {
          const ClReportCell *cell = table_cell (table, r, c);
          double v;

          if (!(columns & BIT (c)))
            continue;
          if (cell->suppressed || (cell_value (cell, &v) && v != 0))
            any = TRUE;
        }
      if (any || table->chart == CL_REPORT_CHART_TREND)
        g_array_append_val (rows, r);
    }
  return rows;
}

static guint64
plotted_columns (const ClReportTable *table)
{
  guint64 all = table->columns->len >= 64 ? G_MAXUINT64 : BIT (table->columns->len) - 1;

  return table->chart_columns & all;
}

gboolean
cl_chart_can_draw (const ClReportTable *table)
{
  g_autoptr(GArray) rows = NULL;

  g_return_val_if_fail (table != NULL, FALSE);

  if (table->chart == CL_REPORT_CHART_NONE || plotted_columns (table) == 0)
    return FALSE;
  rows = chart_rows (table, plotted_columns (table));
  return rows->len > 0;
}

static void
set_color (cairo_t            *cr,
           const ClChartColor *c,
           double              alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

/* Series colors: the accent, then the accent's hue turned by steps of about 137°. */
static void
series_color (const ClChartStyle *style,
              guint               i,
              ClChartColor       *out)
{
  double r = style->accent.red, g = style->accent.green, b = style->accent.blue;
  double max = MAX (r, MAX (g, b)), min = MIN (r, MIN (g, b));
  double h = 0, s = max > 0 ? (max - min) / max : 0, v = max;
  double f, p, q, t;
  int sector;

  if (max > min)
    {
      if (max == r)
        h = (g - b) / (max - min);
      else if (max == g)
        h = 2 + (b - r) / (max - min);
      else
        h = 4 + (r - g) / (max - min);
      h /= 6;
      if (h < 0)
        h += 1;
    }
  if (s < 0.35)
    s = 0.55;
  h = fmod (h + i * 0.381966, 1.0);
  /* Alternate lighter and darker so neighbours differ in brightness too. */
  if (i % 2 == 1)
    v = MAX (0.35, v * 0.75);

  sector = (int) (h * 6) % 6;
  f = h * 6 - floor (h * 6);
  p = v * (1 - s);
  q = v * (1 - f * s);
  t = v * (1 - (1 - f) * s);
  switch (sector)
    {
    case 0: r = v; g = t; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    default: r = v; g = p; b = q; break;
    }
  *out = (ClChartColor) { r, g, b, style->accent.alpha };
}

/* A "nice" axis maximum and step: 1, 2 or 5 times a power of ten. */
static double
nice_step (double max,
           double *top)
{
  double raw, magnitude, step;

  if (max <= 0)
    max = 1;
  raw = max / 4;
  magnitude = pow (10, floor (log10 (raw)));
  if (raw / magnitude <= 1)
    step = magnitude;
  else if (raw / magnitude <= 2)
    step = 2 * magnitude;
  else if (raw / magnitude <= 5)
    step = 5 * magnitude;
  else
    step = 10 * magnitude;
  if (step < 1 && max >= 1)
    step = 1;
  *top = ceil (max / step) * step;
  return step;
}

static PangoLayout *
new_layout (Chart      *chart,
            const char *text,
            double      width,
            double      scale)
{
  PangoLayout *layout = pango_layout_new (chart->context);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (chart->context));

  if (chart->font_size > 0)
    pango_font_description_set_size (font, (int) (chart->font_size * scale * PANGO_SCALE));
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  return layout;
}

static void
layout_size (PangoLayout *layout,
             double      *w,
             double      *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (w != NULL)
    *w = (double) logical.width / PANGO_SCALE;
  if (h != NULL)
    *h = (double) logical.height / PANGO_SCALE;
}

/* Mirrors a horizontal position (of something @w wide) in right-to-left charts. */
static double
mx (Chart  *chart,
    double  x,
    double  w)
{
  return chart->rtl ? chart->width - x - w : x;
}

/* Draws @text with its logical box starting at (@x, @y) in left-to-right coordinates,
 * aligned within @w: 0 start, 1 end (mirrored with the chart). */
static void
draw_text (Chart      *chart,
           const char *text,
           double      x,
           double      y,
           double      w,
           int         align,
           double      scale,
           double      alpha)
{
  g_autoptr(PangoLayout) layout = new_layout (chart, text, w, scale);
  double tw, th;
  double left;

  layout_size (layout, &tw, &th);
  tw = MIN (tw, w > 0 ? w : tw);
  if (align == 0)
    left = x;
  else
    left = x + (w > 0 ? w : tw) - tw;
  left = mx (chart, left, tw);
  set_color (chart->cr, &chart->style->foreground, alpha);
  cairo_move_to (chart->cr, left, y);
  pango_cairo_show_layout (chart->cr, layout);
}

static double
text_height (Chart  *chart,
             double  scale)
{
  g_autoptr(PangoLayout) layout = new_layout (chart, "0Ag", -1, scale);
  double h;

  layout_size (layout, NULL, &h);
  return h;
}

static double
text_width (Chart      *chart,
            const char *text,
            double      scale)
{
  g_autoptr(PangoLayout) layout = new_layout (chart, text, -1, scale);
  double w;

  layout_size (layout, &w, NULL);
  return w;
}

static char *
format_value (const ClReportCell *cell)
{
  return cl_report_cell_format (cell, TRUE);
}

static char *
format_axis (double value)
{
  if (value == floor (value))
    return cl_report_format_count ((gint64) value, TRUE);
  return g_strdup_printf ("%'.1f", value);
}

#define N_PATTERNS 4

/* A bar of series @series: its colour, and over it the series' pattern (none for the
 * first), in black or white, whichever stands out from the colour. */
static void
fill_series (Chart              *chart,
             guint               series,
             const ClChartColor *color,
             double              x,
             double              y,
             double              w,
             double              h)
{
  cairo_t *cr = chart->cr;
  double luminance = 0.2126 * color->red + 0.7152 * color->green + 0.0722 * color->blue;
  guint pattern = series % N_PATTERNS;

  set_color (cr, color, 1);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
  if (pattern == 0 || w <= 0 || h <= 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  if (luminance > 0.5)
    cairo_set_source_rgba (cr, 0, 0, 0, 0.6 * color->alpha);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.75 * color->alpha);
  cairo_set_line_width (cr, 1.5);
  switch (pattern)
    {
    case 1:  /* stripes */
      for (double d = -h; d < w; d += 6)
        {
          cairo_move_to (cr, x + d, y + h);
          cairo_line_to (cr, x + d + h, y);
        }
      cairo_stroke (cr);
      break;
    case 2:  /* dots */
      for (double dy = 1.5; dy < h; dy += 4)
        for (double dx = 1.5; dx < w; dx += 4)
          cairo_rectangle (cr, x + dx, y + dy, 1.5, 1.5);
      cairo_fill (cr);
      break;
    default:  /* cross-hatching */
      for (double d = -h; d < w; d += 6)
        {
          cairo_move_to (cr, x + d, y + h);
          cairo_line_to (cr, x + d + h, y);
          cairo_move_to (cr, x + d, y);
          cairo_line_to (cr, x + d + h, y + h);
        }
      cairo_stroke (cr);
      break;
    }
  cairo_restore (cr);
}

/* The dash of series @series's trend line: solid, dashed, dotted, dash-dot. */
static void
set_series_dash (cairo_t *cr,
                 guint    series)
{
  static const double dashes[N_PATTERNS][4] = {
    { 0 }, { 7, 4 }, { 2, 3 }, { 7, 3, 2, 3 },
  };
  static const int n_dashes[N_PATTERNS] = { 0, 2, 2, 4 };

  cairo_set_dash (cr, dashes[series % N_PATTERNS], n_dashes[series % N_PATTERNS], 0);
}

/* A legend line: a swatch and the column label per series. Returns its height. */
static double
draw_legend (Chart               *chart,
             const ClReportTable *table,
             guint64              columns,
             double               y)
{
  double lh = text_height (chart, 0.9);
  double swatch = table->chart == CL_REPORT_CHART_TREND ? lh * 1.6 : lh * 0.8;
  double x = 0;
  guint series = 0;

  for (guint c = 0; c < table->columns->len; c++)
    {
      const ClReportColumn *col = g_ptr_array_index (table->columns, c);
      ClChartColor color;
      double tw;

      if (!(columns & BIT (c)))
        continue;
      tw = MIN (text_width (chart, col->label, 0.9), chart->width / 3);
      if (x > 0 && x + swatch + 4 + tw > chart->width)
        {
          x = 0;
          y += lh + 2;
        }
      series_color (chart->style, series, &color);
      if (table->chart == CL_REPORT_CHART_TREND)
        {
          /* The line as the chart draws it. */
          set_color (chart->cr, &color, 1);
          cairo_set_line_width (chart->cr, 2);
          set_series_dash (chart->cr, series);
          cairo_move_to (chart->cr, mx (chart, x, 0), y + lh * 0.5);
          cairo_line_to (chart->cr, mx (chart, x + swatch, 0), y + lh * 0.5);
          cairo_stroke (chart->cr);
          cairo_set_dash (chart->cr, NULL, 0, 0);
        }
      else
        fill_series (chart, series, &color, mx (chart, x, swatch), y + lh * 0.1, swatch, lh * 0.8);
      series++;
      draw_text (chart, col->label, x + swatch + 4, y, tw, 0, 0.9, 1);
      x += swatch + 4 + tw + 12;
    }
  return y + lh + 4;
}

static guint
count_bits (guint64 v)
{
  guint n = 0;

  for (; v; v &= v - 1)
    n++;
  return n;
}

static void
draw_bars (Chart               *chart,
           const ClReportTable *table,
           guint64              columns,
           GArray              *rows,
           double               top)
{
  gboolean stacked = table->chart == CL_REPORT_CHART_STACKED_BAR;
  guint n_series = count_bits (columns);
  double lh = text_height (chart, 1);
  double label_w = MIN (chart->width * 0.35, 220);
  double axis_h = lh + 4;
  double plot_x = label_w + 8, plot_w, plot_h, band, max = 0, axis_top, step;

  /* Room for the value labels at the end of the bars. */
  plot_w = chart->width - plot_x - text_width (chart, "00000", 0.85) - 4;
  plot_h = chart->height - top - axis_h;
  if (plot_w <= 20 || plot_h <= 10)
    return;
  band = plot_h / rows->len;

  for (guint i = 0; i < rows->len; i++)
    {
      guint r = g_array_index (rows, guint, i);
      double sum = 0;

      for (guint c = 0; c < table->columns->len; c++)
        {
          double v;

          if ((columns & BIT (c)) && cell_value (table_cell (table, r, c), &v) && v > 0)
            {
              sum += v;
              max = MAX (max, v);
            }
        }
      if (stacked)
        max = MAX (max, sum);
    }
  step = nice_step (max, &axis_top);

  /* Grid and axis labels. */
  cairo_set_line_width (chart->cr, 0.5);
  for (double v = 0; v <= axis_top + step / 2; v += step)
    {
      double x = plot_x + plot_w * v / axis_top;
      g_autofree char *label = format_axis (v);
      double tw = text_width (chart, label, 0.85);

      set_color (chart->cr, &chart->style->foreground, 0.2);
      cairo_move_to (chart->cr, mx (chart, x, 0), top);
      cairo_line_to (chart->cr, mx (chart, x, 0), top + plot_h);
      cairo_stroke (chart->cr);
      draw_text (chart, label, x - tw / 2, top + plot_h + 2, tw, 0, 0.85, 0.8);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      guint r = g_array_index (rows, guint, i);
      const ClReportRow *row = g_ptr_array_index (table->rows, r);
      double y = top + band * i;
      double bar_h = stacked ? band * 0.7 : band * 0.8 / n_series;
      double x = plot_x;
      guint series = 0;
      gboolean any_hidden = FALSE;

      draw_text (chart, row->label, 0, y + (band - lh) / 2, label_w, 1, 1, 1);
      for (guint c = 0; c < table->columns->len; c++)
        {
          const ClReportCell *cell;
          ClChartColor color;
          double v, w, by;

          if (!(columns & BIT (c)))
            continue;
          cell = table_cell (table, r, c);
          series_color (chart->style, series, &color);
          by = stacked ? y + band * 0.15 : y + band * 0.1 + bar_h * series;
          series++;
          if (!cell_value (cell, &v))
            {
              any_hidden |= cell->suppressed;
              if (cell->suppressed && !stacked)
                draw_text (chart, "*", plot_x + 2, by + (bar_h - lh * 0.85) / 2, -1, 0, 0.85, 0.8);
              continue;
            }
          w = axis_top > 0 ? plot_w * MAX (v, 0) / axis_top : 0;
          fill_series (chart, series - 1, &color, mx (chart, stacked ? x : plot_x, w), by, w, bar_h);
          if (!stacked && bar_h >= lh * 0.6)
            {
              g_autofree char *text = format_value (cell);
              draw_text (chart, text, plot_x + w + 3, by + (bar_h - lh * 0.85) / 2, -1, 0, 0.85, 0.9);
            }
          if (stacked)
            x += w;
        }
      if (stacked)
        {
          const char *mark = any_hidden ? "*" : NULL;

          if (mark != NULL)
            draw_text (chart, mark, x + 3, y + (band - lh) / 2, -1, 0, 0.85, 0.8);
        }
    }

  /* The baseline. */
  set_color (chart->cr, &chart->style->foreground, 0.8);
  cairo_set_line_width (chart->cr, 1);
  cairo_move_to (chart->cr, mx (chart, plot_x, 0), top);
  cairo_line_to (chart->cr, mx (chart, plot_x, 0), top + plot_h);
  cairo_stroke (chart->cr);
}

static void
draw_trend (Chart               *chart,
            const ClReportTable *table,
            guint64              columns,
            GArray              *rows,
            double               top)
{
  double lh = text_height (chart, 0.85);
  double max = 0, axis_top, step, axis_w = 0, plot_x, plot_w, plot_h, slot;
  guint series = 0;

  for (guint i = 0; i < rows->len; i++)
    for (guint c = 0; c < table->columns->len; c++)
      {
        double v;

        if ((columns & BIT (c)) && cell_value (table_cell (table, g_array_index (rows, guint, i), c), &v))
          max = MAX (max, v);
      }
  step = nice_step (max, &axis_top);
  for (double v = 0; v <= axis_top + step / 2; v += step)
    {
      g_autofree char *label = format_axis (v);
      axis_w = MAX (axis_w, text_width (chart, label, 0.85));
    }
  plot_x = axis_w + 6;
  plot_w = chart->width - plot_x - 4;
  plot_h = chart->height - top - lh - 6;
  if (plot_w <= 20 || plot_h <= 10)
    return;
  slot = plot_w / MAX (rows->len, 1);

  cairo_set_line_width (chart->cr, 0.5);
  for (double v = 0; v <= axis_top + step / 2; v += step)
    {
      double y = top + plot_h - plot_h * v / axis_top;
      g_autofree char *label = format_axis (v);

      set_color (chart->cr, &chart->style->foreground, 0.2);
      cairo_move_to (chart->cr, mx (chart, plot_x, 0), y);
      cairo_line_to (chart->cr, mx (chart, plot_x + plot_w, 0), y);
      cairo_stroke (chart->cr);
      draw_text (chart, label, 0, y - lh / 2, axis_w, 1, 0.85, 0.8);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const ClReportRow *row = g_ptr_array_index (table->rows, g_array_index (rows, guint, i));

      draw_text (chart, row->label, plot_x + slot * i, top + plot_h + 4, slot, 0, 0.85, 1);
    }

  for (guint c = 0; c < table->columns->len; c++)
    {
      ClChartColor color;
      gboolean drawing = FALSE;

      if (!(columns & BIT (c)))
        continue;
      series_color (chart->style, series, &color);
      set_color (chart->cr, &color, 1);
      cairo_set_line_width (chart->cr, 2);
      set_series_dash (chart->cr, series++);
      for (guint i = 0; i < rows->len; i++)
        {
          double v, x, y;

          /* A hidden or missing value breaks the line. */
          if (!cell_value (table_cell (table, g_array_index (rows, guint, i), c), &v))
            {
              if (drawing)
                cairo_stroke (chart->cr);
              drawing = FALSE;
              continue;
            }
          x = mx (chart, plot_x + slot * (i + 0.5), 0);
          y = top + plot_h - plot_h * v / axis_top;
          if (drawing)
            cairo_line_to (chart->cr, x, y);
          else
            cairo_move_to (chart->cr, x, y);
          drawing = TRUE;
        }
      if (drawing)
        cairo_stroke (chart->cr);
    }
  cairo_set_dash (chart->cr, NULL, 0, 0);
}

/**
 * cl_chart_draw:
 * @context: the Pango context to lay text out with; its base direction decides whether
 *   the chart is mirrored
 *
 * Draws @table's chart (table->chart, table->chart_columns) in the rectangle (0, 0,
 * @width, @height) of @cr's user space. Draws nothing if the table has no chart or nothing
 * to show (cl_chart_can_draw()).
 */
void
cl_chart_draw (cairo_t             *cr,
               PangoContext        *context,
               const ClReportTable *table,
               double               width,
               double               height,
               const ClChartStyle  *style)
{
  ClChartStyle default_style;
  g_autoptr(GArray) rows = NULL;
  guint64 columns;
  Chart chart;
  double top = 0;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (PANGO_IS_CONTEXT (context));
  g_return_if_fail (table != NULL);

  if (style == NULL)
    {
      cl_chart_style_init_default (&default_style);
      style = &default_style;
    }
  if (!cl_chart_can_draw (table) || width <= 0 || height <= 0)
    return;

  columns = plotted_columns (table);
  rows = chart_rows (table, columns);
  chart.cr = cr;
  chart.context = context;
  chart.style = style;
  chart.width = width;
  chart.height = height;
  chart.rtl = pango_context_get_base_dir (context) == PANGO_DIRECTION_RTL;
  chart.font_size = style->font_size;

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  if (style->background.alpha > 0)
    {
      set_color (cr, &style->background, 1);
      cairo_paint (cr);
    }
  if (count_bits (columns) > 1)
    top = draw_legend (&chart, table, columns, 0);
  if (table->chart == CL_REPORT_CHART_TREND)
    draw_trend (&chart, table, columns, rows, top);
  else
    draw_bars (&chart, table, columns, rows, top);
  cairo_restore (cr);
}
