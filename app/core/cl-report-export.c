/* cl-report-export.c: report results as text, CSV, JSON, PDF and pages to print
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text and PDF are for people: translated labels, numbers grouped the locale's way, the
 * parameters and the time the report was made printed above the tables. CSV and JSON are
 * for programs: stable keys, plain numbers (a dot for decimals, no grouping), one value
 * per cell. A suppressed cell is "*" everywhere; an empty cell is "" (JSON null).
 *
 * CSV (RFC 4180, CRLF) has one header line and then one line per cell:
 *   table,row,column,value,table_title,row_label,column_label
 * The report itself comes first, as lines of table "report" (name, title, period,
 * parameters, generation time, suppression), and its notes last, as table "notes".
 *
 * cl_report_release() is the way out of the organization, for an export
 * (cl_report_export()) or a print: it records an audit event first (what cannot be
 * audited does not leave) and, for outside use, applies small-cell suppression to a copy
 * of the result. The PDF export and printing draw the same pages (cl_report_paginate()).
 */

#define G_LOG_DOMAIN "cl-report-export"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cl-chart.h"
#include "cl-csv.h"
#include "cl-l10n.h"
#include "cl-report-export.h"

static const char *const format_names[] = { "text", "csv", "json", "pdf" };

gboolean
cl_report_format_from_string (const char     *text,
                              ClReportFormat *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_strcmp0 (text, format_names[i]) == 0)
      {
        *format = (ClReportFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
cl_report_format_to_string (ClReportFormat format)
{
  g_return_val_if_fail (format <= CL_REPORT_FORMAT_PDF, NULL);

  return format_names[format];
}

static const ClReportCell *
get_cell (const ClReportTable *t,
          guint                row,
          guint                col)
{
  const ClReportRow *r = g_ptr_array_index (t->rows, row);

  return &g_array_index (r->cells, ClReportCell, col);
}

static gboolean
table_shown (const ClReportTable *t)
{
  /* Lists left out for outside use are blanked, not removed. */
  return !(t->internal_only && t->rows->len == 0);
}

/* When the report was made, in the organization's time zone and the locale's format. */
static char *
generated_line (const ClReportResult *r)
{
  g_autofree char *when = cl_l10n_format_instant (r->generated_at, r->params->time_zone);
  g_autofree char *isolated = cl_l10n_isolate (when);

  return g_strdup_printf (_("Generated: %s"), isolated);
}

/* Text --------------------------------------------------------------------------------- */

static guint
display_width (const char *s)
{
  return (guint) g_utf8_strlen (s, -1);
}

static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  guint w = display_width (text);

  if (right)
    for (guint i = w; i < width; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (guint i = w; i < width; i++)
      g_string_append_c (out, ' ');
}

static gboolean
cell_is_numeric (const ClReportCell *cell)
{
  return cell->suppressed || cell->kind == CL_REPORT_CELL_COUNT ||
         cell->kind == CL_REPORT_CELL_NUMBER;
}

static void
text_table (GString             *out,
            const ClReportTable *t)
{
  guint n_cols = t->columns->len;
  g_autofree guint *widths = g_new0 (guint, n_cols + 1);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  g_string_append_printf (out, "\n%s\n", t->title);
  for (guint i = display_width (t->title); i > 0; i--)
    g_string_append (out, "─");
  g_string_append_c (out, '\n');
  if (t->rows->len == 0)
    {
      g_string_append_printf (out, "%s\n", _("(nothing to show)"));
      return;
    }

  widths[0] = display_width (t->row_header != NULL ? t->row_header : "");
  for (guint c = 0; c < n_cols; c++)
    widths[c + 1] = display_width (((ClReportColumn *) g_ptr_array_index (t->columns, c))->label);
  for (guint r = 0; r < t->rows->len; r++)
    {
      const ClReportRow *row = g_ptr_array_index (t->rows, r);

      widths[0] = MAX (widths[0], display_width (row->label));
      for (guint c = 0; c < n_cols; c++)
        {
          char *text = cl_report_cell_format (get_cell (t, r, c), TRUE);

          widths[c + 1] = MAX (widths[c + 1], display_width (text));
          g_ptr_array_add (cells, text);
        }
    }

  append_padded (out, t->row_header != NULL ? t->row_header : "", widths[0], FALSE);
  for (guint c = 0; c < n_cols; c++)
    {
      g_string_append (out, "  ");
      append_padded (out, ((ClReportColumn *) g_ptr_array_index (t->columns, c))->label,
                     widths[c + 1], TRUE);
    }
  g_string_append_c (out, '\n');
  for (guint r = 0; r < t->rows->len; r++)
    {
      const ClReportRow *row = g_ptr_array_index (t->rows, r);

      append_padded (out, row->label, widths[0], FALSE);
      for (guint c = 0; c < n_cols; c++)
        {
          g_string_append (out, "  ");
          append_padded (out, g_ptr_array_index (cells, r * n_cols + c), widths[c + 1],
                         cell_is_numeric (get_cell (t, r, c)));
        }
      /* Trailing spaces of a last text column are noise. */
      while (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
  if (t->note != NULL)
    g_string_append_printf (out, "%s\n", t->note);
}

/**
 * cl_report_to_text:
 *
 * Returns: (transfer full): the report as aligned plain text, for a terminal or an email
 */
char *
cl_report_to_text (const ClReportResult *r)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (r != NULL, NULL);

  lines = cl_report_params_describe (r);
  generated = generated_line (r);
  g_string_append_printf (out, "%s\n%s\n\n", r->title, r->description);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (lines, i));
  g_string_append_printf (out, "%s\n", generated);
  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (table_shown (t))
        text_table (out, t);
    }
  if (r->notes->len > 0)
    {
      g_string_append_printf (out, "\n%s\n", _("Notes"));
      for (guint i = 0; i < r->notes->len; i++)
        g_string_append_printf (out, "• %s\n", (char *) g_ptr_array_index (r->notes, i));
    }
  return g_string_free (out, FALSE);
}

/* CSV ---------------------------------------------------------------------------------- */

static void
csv_line (GString    *out,
          const char *table,
          const char *row,
          const char *column,
          const char *value,
          const char *table_title,
          const char *row_label,
          const char *column_label)
{
  const char *fields[] = {
    table, row, column, value != NULL ? value : "", table_title != NULL ? table_title : "",
    row_label != NULL ? row_label : "", column_label != NULL ? column_label : "",
  };

  cl_csv_append_record (out, fields, G_N_ELEMENTS (fields));
}

static void
csv_param (GString    *out,
           const char *key,
           const char *value,
           const char *label)
{
  csv_line (out, "report", key, "", value, NULL, label, NULL);
}

/**
 * cl_report_to_csv:
 *
 * Returns: (transfer full): the report as RFC 4180 CSV, one line per cell
 */
char *
cl_report_to_csv (const ClReportResult *r)
{
  GString *out = g_string_new (NULL);
  const ClReportParams *p;
  g_autofree char *from = NULL, *to = NULL, *as_of = NULL, *commands = NULL;
  g_autofree char *fiscal = NULL, *threshold = NULL;

  g_return_val_if_fail (r != NULL, NULL);

  p = r->params;
  from = cl_day_to_string (p->from);
  to = cl_day_to_string (p->to);
  as_of = cl_day_to_string (cl_report_params_get_as_of (p));
  commands = p->commands != NULL ? g_strjoinv (";", p->commands) : g_strdup ("");
  fiscal = g_strdup_printf ("%u", p->fiscal_start_month);
  threshold = g_strdup_printf ("%u", p->threshold);

  csv_line (out, "table", "row", "column", "value", "table_title", "row_label", "column_label");
  csv_param (out, "name", r->name, _("Report"));
  csv_param (out, "title", r->title, _("Title"));
  csv_param (out, "from", from, _("From"));
  csv_param (out, "to", to, _("To"));
  csv_param (out, "as_of", as_of, _("As of"));
  csv_param (out, "commands", commands, _("Commands"));
  csv_param (out, "borough", p->borough, _("Borough"));
  csv_param (out, "advocate", p->advocate, _("Advocate"));
  csv_param (out, "track", p->track, _("Track"));
  csv_param (out, "funding", p->funding, _("Funding source"));
  csv_param (out, "fiscal_start_month", fiscal, _("Fiscal year starts in month"));
  csv_param (out, "generated_at", r->generated_at, _("Generated"));
  csv_param (out, "source", cl_report_source_to_string (r->source), _("Source"));
  csv_param (out, "suppressed", r->suppressed ? "1" : "0", _("Small cells suppressed"));
  if (r->suppressed)
    csv_param (out, "threshold", threshold, _("Suppression threshold"));

  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        {
          const ClReportRow *rr = g_ptr_array_index (t->rows, row);

          for (guint c = 0; c < t->columns->len; c++)
            {
              const ClReportColumn *col = g_ptr_array_index (t->columns, c);
              g_autofree char *value = cl_report_cell_format (get_cell (t, row, c), FALSE);

              csv_line (out, t->key, rr->key, col->key, value, t->title, rr->label, col->label);
            }
        }
    }
  for (guint i = 0; i < r->notes->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("%u", i + 1);
      csv_line (out, "notes", key, "", g_ptr_array_index (r->notes, i), NULL, NULL, NULL);
    }
  return g_string_free (out, FALSE);
}

/* JSON --------------------------------------------------------------------------------- */

/**
 * cl_report_to_json:
 *
 * Returns: (transfer full): the report as JSON (cl_report_result_to_json())
 */
char *
cl_report_to_json (const ClReportResult *r)
{
  g_return_val_if_fail (r != NULL, NULL);

  return cl_report_result_to_json (r, NULL);
}

/* Pages -------------------------------------------------------------------------------- */

/* The PDF export and printing lay the report out once, here: cl_report_paginate() places
 * every piece (text, rule, shading, chart) on a page, and cl_report_pages_draw() draws one
 * page on any cairo_t (a PDF surface's, a GtkPrintContext's). Text is measured with a Pango
 * context of its own (96 dpi, no hinting of metrics, as on a PDF surface), so the pages are
 * the same whatever surface draws them. */

#define MARGIN      50.0
#define FOOTER      24.0

typedef enum {
  ITEM_TEXT,
  ITEM_RULE,
  ITEM_SHADE,
  ITEM_CHART,
} ItemKind;

typedef struct {
  ItemKind             kind;
  guint                page;
  double               x;          /* left edge on the page, mirrored for right to left */
  double               y;
  double               width;
  double               height;     /* a shade's height, a chart's height, a rule's line width */
  double               gray;       /* ink of a text */
  char                *text;
  const char          *font;       /* a static string */
  gboolean             wrap;       /* else ellipsized */
  PangoWrapMode        mode;
  PangoAlignment       align;
  const ClReportTable *table;      /* of a chart */
} Item;

struct _ClReportPages {
  const ClReportResult *result;
  PangoContext         *context;
  gboolean              rtl;
  const char           *family;    /* the language's fonts (static), or NULL */
  double                page_height;
  double                content_width;
  GArray               *items;     /* Item, in drawing order, page by page */
  guint                 n_pages;
  /* While paginating: the cursor. */
  double                y;
  guint                 page;
};

static void
item_clear (Item *item)
{
  g_free (item->text);
}

static PangoLayout *
pages_layout (const ClReportPages *pages,
              const char          *text,
              const char          *font,
              double               width,
              gboolean             wrap,
              PangoWrapMode        mode)
{
  PangoLayout *layout = pango_layout_new (pages->context);
  PangoFontDescription *desc = pango_font_description_from_string (font);

  if (pages->family != NULL)
    pango_font_description_set_family (desc, pages->family);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  /* The page's direction, whatever letter a paragraph starts with ("VOCA …" in Urdu). */
  pango_layout_set_auto_dir (layout, FALSE);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  if (wrap)
    pango_layout_set_wrap (layout, mode);
  else
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  return layout;
}

static double
text_height (const ClReportPages *pages,
             const char          *text,
             const char          *font,
             double               width,
             gboolean             wrap,
             PangoWrapMode        mode)
{
  g_autoptr(PangoLayout) layout = pages_layout (pages, text, font, width, wrap, mode);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

static Item *
add_item (ClReportPages *pages,
          ItemKind       kind,
          double         x,
          double         y,
          double         width,
          double         height)
{
  Item item = { kind, pages->page, x, y, width, height, 0, };

  g_array_append_val (pages->items, item);
  return &g_array_index (pages->items, Item, pages->items->len - 1);
}

/* Places @text in a box (@x, @width) of the content area given left to right, mirrored for
 * right-to-left text. @align: PANGO_ALIGN_LEFT (start), RIGHT (end) or CENTER. */
static void
add_text (ClReportPages  *pages,
          const char     *text,
          const char     *font,
          double          x,
          double          width,
          double          y,
          gboolean        wrap,
          PangoWrapMode   mode,
          PangoAlignment  align)
{
  double left = pages->rtl ? MARGIN + pages->content_width - x - width : MARGIN + x;
  Item *item = add_item (pages, ITEM_TEXT, left, y, width, 0);

  if (pages->rtl && align != PANGO_ALIGN_CENTER)
    align = align == PANGO_ALIGN_LEFT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
  item->text = g_strdup (text);
  item->font = font;
  item->wrap = wrap;
  item->mode = mode;
  item->align = align;
}

static void
add_rule (ClReportPages *pages,
          double         y,
          double         line_width)
{
  add_item (pages, ITEM_RULE, MARGIN, y, pages->content_width, line_width);
}

static void
add_footer (ClReportPages *pages)
{
  g_autofree char *text = g_strdup_printf (_("%s — page %u"), pages->result->title,
                                           pages->page + 1);
  Item *item;

  add_text (pages, text, "Sans 7", 0, pages->content_width,
            pages->page_height - MARGIN + 8, FALSE, PANGO_WRAP_WORD, PANGO_ALIGN_CENTER);
  item = &g_array_index (pages->items, Item, pages->items->len - 1);
  item->gray = 0.4;
}

static void
new_page (ClReportPages *pages)
{
  add_footer (pages);
  pages->page++;
  pages->y = MARGIN;
}

/* Starts a new page unless @height fits below the cursor. */
static gboolean
need (ClReportPages *pages,
      double         height)
{
  if (pages->y + height <= pages->page_height - MARGIN - FOOTER)
    return FALSE;
  new_page (pages);
  return TRUE;
}

static void
add_paragraph (ClReportPages *pages,
               const char    *text,
               const char    *font,
               double         space_after)
{
  double h = text_height (pages, text, font, pages->content_width, TRUE, PANGO_WRAP_WORD_CHAR);

  need (pages, h);
  add_text (pages, text, font, 0, pages->content_width, pages->y, TRUE, PANGO_WRAP_WORD_CHAR,
            PANGO_ALIGN_LEFT);
  pages->y += h + space_after;
}

typedef struct {
  double       label_width;
  double       col_width;
  const char  *font;
  const char  *bold;
} TableGeometry;

static void
table_geometry (const ClReportPages *pages,
                const ClReportTable *t,
                TableGeometry       *g)
{
  guint n = t->columns->len;

  g->label_width = pages->content_width * (n <= 3 ? 0.45 : n <= 5 ? 0.36 : n <= 8 ? 0.26 : 0.2);
  g->col_width = n > 0 ? (pages->content_width - g->label_width) / n : 0;
  g->font = n <= 5 ? "Sans 8.5" : n <= 8 ? "Sans 7.5" : "Sans 6.5";
  g->bold = n <= 5 ? "Sans Bold 8.5" : n <= 8 ? "Sans Bold 7.5" : "Sans Bold 6.5";
}

/* The header row's height; placed at the cursor when @place. */
static double
table_header (ClReportPages       *pages,
              const ClReportTable *t,
              const TableGeometry *g,
              gboolean             place)
{
  double h = 0;

  for (guint c = 0; c <= t->columns->len; c++)
    {
      const char *text = c == 0 ? (t->row_header != NULL ? t->row_header : "")
                                : ((ClReportColumn *) g_ptr_array_index (t->columns, c - 1))->label;
      double w = c == 0 ? g->label_width : g->col_width;
      /* Column headings break between words only. */
      PangoWrapMode mode = c == 0 ? PANGO_WRAP_WORD_CHAR : PANGO_WRAP_WORD;

      h = MAX (h, text_height (pages, text, g->bold, w - 4, TRUE, mode));
      if (place)
        add_text (pages, text, g->bold, c == 0 ? 0 : g->label_width + g->col_width * (c - 1) + 2,
                  w - 4, pages->y, TRUE, mode, c == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
    }
  if (place)
    {
      add_rule (pages, pages->y + h + 2, 0.8);
      pages->y += h + 4;
    }
  return h + 4;
}

static void
add_table (ClReportPages       *pages,
           const ClReportTable *t)
{
  TableGeometry g;
  double h;

  table_geometry (pages, t, &g);

  /* Title, and the header with at least one row, stay together. */
  h = text_height (pages, t->title, "Sans Bold 11", pages->content_width, TRUE,
                   PANGO_WRAP_WORD_CHAR);
  need (pages, h + 6 + table_header (pages, t, &g, FALSE) + 14);
  add_text (pages, t->title, "Sans Bold 11", 0, pages->content_width, pages->y, TRUE,
            PANGO_WRAP_WORD_CHAR, PANGO_ALIGN_LEFT);
  pages->y += h + 6;

  if (cl_chart_can_draw (t))
    {
      guint rows = 0;
      double chart_h;
      Item *chart;

      for (guint r = 0; r < t->rows->len; r++)
        rows += !((ClReportRow *) g_ptr_array_index (t->rows, r))->is_total;
      chart_h = t->chart == CL_REPORT_CHART_TREND ? 170 : CLAMP (rows * 13.0 + 40, 70, 280);
      need (pages, chart_h + 10);
      chart = add_item (pages, ITEM_CHART, MARGIN, pages->y, pages->content_width, chart_h);
      chart->table = t;
      pages->y += chart_h + 10;
    }

  if (t->rows->len == 0)
    {
      add_paragraph (pages, _("(nothing to show)"), g.font, 8);
      return;
    }
  table_header (pages, t, &g, TRUE);
  for (guint r = 0; r < t->rows->len; r++)
    {
      const ClReportRow *row = g_ptr_array_index (t->rows, r);
      const char *font = row->is_total ? g.bold : g.font;

      h = text_height (pages, row->label, font, g.label_width - 4, TRUE, PANGO_WRAP_WORD_CHAR) + 2;
      if (need (pages, h))
        table_header (pages, t, &g, TRUE);
      if (row->is_total)
        add_rule (pages, pages->y, 0.5);
      else if (r % 2 == 1)
        add_item (pages, ITEM_SHADE, MARGIN, pages->y, pages->content_width, h);
      add_text (pages, row->label, font, 0, g.label_width - 4, pages->y + 1, TRUE,
                PANGO_WRAP_WORD_CHAR, PANGO_ALIGN_LEFT);
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportCell *cell = get_cell (t, r, c);
          g_autofree char *text = cl_report_cell_format (cell, TRUE);

          add_text (pages, text, font, g.label_width + g.col_width * c + 2, g.col_width - 4,
                    pages->y + 1, FALSE, PANGO_WRAP_WORD,
                    cell_is_numeric (cell) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        }
      pages->y += h;
    }
  if (t->note != NULL)
    {
      pages->y += 3;
      add_paragraph (pages, t->note, "Sans Italic 7.5", 0);
    }
  pages->y += 14;
}

/**
 * cl_report_paginate:
 * @result: the report; it must outlive the pages
 * @page_width: the paper's width, in points
 * @page_height: the paper's height, in points
 *
 * Lays @result out on pages of the given size, with margins of their own: title,
 * description, parameters and generation time, then each table with its chart (the header
 * row repeated on every page the table continues on) and its note, then the report's
 * notes; "title — page N" at the foot of every page. Right to left, and in the fonts of
 * the language, when the messages' language is written so (cl_l10n_is_rtl()).
 *
 * Returns: (transfer full): the pages, for cl_report_pages_draw()
 */
ClReportPages *
cl_report_paginate (const ClReportResult *r,
                    double                page_width,
                    double                page_height)
{
  ClReportPages *pages;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *generated = NULL;
  cairo_font_options_t *options;

  g_return_val_if_fail (r != NULL, NULL);
  g_return_val_if_fail (page_width > 0 && page_height > 0, NULL);

  /* To the hundredth of a point: US Letter from a print dialog (215.9 × 279.4 mm) is
   * 611.99998 points wide, and must break its lines as the export's 612 do. */
  page_width = round (page_width * 100) / 100;
  page_height = round (page_height * 100) / 100;

  pages = g_new0 (ClReportPages, 1);
  pages->result = r;
  pages->page_height = page_height;
  /* Paper too small for the margins gets a piece per page. */
  pages->content_width = MAX (page_width - 2 * MARGIN, 1);
  pages->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (pages->items, (GDestroyNotify) item_clear);

  /* What a PDF surface gives its text: no hinting, unhinted metrics, at 96 dpi. */
  pages->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (pages->context, options);
  cairo_font_options_destroy (options);
  pango_cairo_context_set_resolution (pages->context, 96);
  /* The language's direction and fonts (a title may start with "VOCA" in any of them). */
  pages->rtl = cl_l10n_is_rtl ();
  pages->family = cl_l10n_font_family ();
  pango_context_set_base_dir (pages->context, pages->rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  {
    PangoFontDescription *font = pango_font_description_from_string ("Sans 8");

    if (pages->family != NULL)
      pango_font_description_set_family (font, pages->family);
    pango_context_set_font_description (pages->context, font);
    pango_font_description_free (font);
  }
  pages->y = MARGIN;

  add_paragraph (pages, r->title, "Sans Bold 17", 4);
  add_paragraph (pages, r->description, "Sans 9.5", 8);
  lines = cl_report_params_describe (r);
  generated = generated_line (r);
  g_ptr_array_add (lines, g_strdup (generated));
  for (guint i = 0; i < lines->len; i++)
    add_paragraph (pages, g_ptr_array_index (lines, i), "Sans 8.5", 1);
  pages->y += 14;

  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (table_shown (t))
        add_table (pages, t);
    }
  if (r->notes->len > 0)
    {
      add_paragraph (pages, _("Notes"), "Sans Bold 10", 4);
      for (guint i = 0; i < r->notes->len; i++)
        {
          g_autofree char *line = g_strdup_printf ("• %s", (char *) g_ptr_array_index (r->notes, i));
          add_paragraph (pages, line, "Sans 8", 3);
        }
    }
  add_footer (pages);
  pages->n_pages = pages->page + 1;
  return pages;
}

/**
 * cl_report_pages_get_n:
 *
 * Returns: the number of pages, at least 1
 */
guint
cl_report_pages_get_n (const ClReportPages *pages)
{
  g_return_val_if_fail (pages != NULL, 0);

  return pages->n_pages;
}

/**
 * cl_report_pages_draw:
 * @cr: a cairo context whose user space is the page, in points (origin at the paper's
 *   top left corner)
 * @page: from 0
 *
 * Draws page @page of @pages on @cr, without showing it.
 */
void
cl_report_pages_draw (const ClReportPages *pages,
                      cairo_t             *cr,
                      guint                page)
{
  ClChartStyle style;

  g_return_if_fail (pages != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < pages->n_pages);

  cl_chart_style_init_default (&style);
  style.font_size = 7;
  cairo_save (cr);
  for (guint i = 0; i < pages->items->len; i++)
    {
      const Item *item = &g_array_index (pages->items, Item, i);

      if (item->page != page)
        continue;
      cairo_set_source_rgb (cr, 0, 0, 0);
      switch (item->kind)
        {
        case ITEM_TEXT:
          {
            g_autoptr(PangoLayout) layout = pages_layout (pages, item->text, item->font,
                                                          item->width, item->wrap, item->mode);

            pango_layout_set_alignment (layout, item->align);
            cairo_set_source_rgb (cr, item->gray, item->gray, item->gray);
            cairo_move_to (cr, item->x, item->y);
            pango_cairo_show_layout (cr, layout);
          }
          break;
        case ITEM_RULE:
          cairo_set_line_width (cr, item->height);
          cairo_move_to (cr, item->x, item->y);
          cairo_line_to (cr, item->x + item->width, item->y);
          cairo_stroke (cr);
          break;
        case ITEM_SHADE:
          cairo_set_source_rgb (cr, 0.95, 0.95, 0.95);
          cairo_rectangle (cr, item->x, item->y, item->width, item->height);
          cairo_fill (cr);
          break;
        case ITEM_CHART:
          cairo_save (cr);
          cairo_translate (cr, item->x, item->y);
          cl_chart_draw (cr, pages->context, item->table, item->width, item->height, &style);
          cairo_restore (cr);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  cairo_restore (cr);
}

void
cl_report_pages_free (ClReportPages *pages)
{
  if (pages == NULL)
    return;

  g_array_unref (pages->items);
  g_object_unref (pages->context);
  g_free (pages);
}

/* PDF ---------------------------------------------------------------------------------- */

#define LETTER_WIDTH  612.0   /* US Letter, points */
#define LETTER_HEIGHT 792.0

static cairo_status_t
pdf_write_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * cl_report_to_pdf:
 *
 * Returns: (transfer full): the report as a PDF document on US Letter
 *   (cl_report_paginate())
 */
GBytes *
cl_report_to_pdf (const ClReportResult  *r,
                  GError               **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(ClReportPages) pages = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (r != NULL, NULL);

  pages = cl_report_paginate (r, LETTER_WIDTH, LETTER_HEIGHT);
  surface = cairo_pdf_surface_create_for_stream (pdf_write_cb, bytes, LETTER_WIDTH, LETTER_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, r->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Caseload");
  cr = cairo_create (surface);
  for (guint i = 0; i < pages->n_pages; i++)
    {
      cl_report_pages_draw (pages, cr, i);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not make the PDF: %s"),
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* Writing ------------------------------------------------------------------------------ */

/**
 * cl_report_write:
 * @flags: %CL_REPORT_WRITE_BOM: a CSV starts with a byte order mark
 *
 * Writes @result to @output as it is: no audit event, no suppression (see
 * cl_report_export()).
 */
gboolean
cl_report_write (const ClReportResult  *result,
                 ClReportFormat         format,
                 ClReportWriteFlags     flags,
                 GOutputStream         *output,
                 GCancellable          *cancellable,
                 GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;
  char *text = NULL;

  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);

  switch (format)
    {
    case CL_REPORT_FORMAT_TEXT:
      text = cl_report_to_text (result);
      break;
    case CL_REPORT_FORMAT_CSV:
      text = cl_report_to_csv (result);
      if (flags & CL_REPORT_WRITE_BOM)
        {
          char *with_bom = g_strconcat (CL_CSV_BOM, text, NULL);
          g_free (text);
          text = with_bom;
        }
      break;
    case CL_REPORT_FORMAT_JSON:
      text = cl_report_to_json (result);
      break;
    case CL_REPORT_FORMAT_PDF:
      bytes = cl_report_to_pdf (result, error);
      if (bytes == NULL)
        return FALSE;
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  if (text != NULL)
    {
      gsize len = strlen (text);

      if (format == CL_REPORT_FORMAT_JSON || format == CL_REPORT_FORMAT_TEXT)
        {
          char *with_newline = g_strconcat (text, len > 0 && text[len - 1] == '\n' ? "" : "\n", NULL);
          g_free (text);
          text = with_newline;
          len = strlen (text);
        }
      bytes = g_bytes_new_take (text, len);
    }
  return g_output_stream_write_all (output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                    NULL, cancellable, error);
}

/**
 * cl_report_release:
 * @action: the audit event: "export" or "print"
 * @medium: how the report leaves, for the event's reason: a format's name or "print"
 * @outside: the report leaves the organization: small cells are suppressed and lists that
 *   identify cases are left out
 *
 * Everything that takes a report out of the vault goes through here: it records the audit
 * event @action (record type "report", the report's name; the medium, period and use as the
 * reason: no client data) and gives the result to write or print, suppressed for outside
 * use. Nothing may leave if the event cannot be recorded.
 *
 * Returns: (transfer full): a copy of @result to release, or %NULL if the event could not
 *   be recorded
 */
ClReportResult *
cl_report_release (ClStore               *store,
                   const ClReportResult  *result,
                   const char            *action,
                   const char            *medium,
                   gboolean               outside,
                   GError               **error)
{
  g_autoptr(ClReportResult) copy = NULL;
  g_autofree char *from = NULL, *to = NULL, *reason = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (action != NULL && medium != NULL, NULL);

  /* A result read from the server lacks the cell groups that complementary suppression
   * needs: for outside use the server suppresses (see cl_sync_run_report()). */
  if (outside && !result->suppressed && result->source == CL_REPORT_SOURCE_SERVER)
    {
      g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                           _("These figures came from the server for internal use; ask the "
                             "server again for outside use."));
      return NULL;
    }

  copy = cl_report_result_copy (result);
  if (outside && !copy->suppressed)
    cl_report_result_suppress (copy, copy->params->threshold);

  from = cl_day_to_string (copy->params->from);
  to = cl_day_to_string (copy->params->to);
  reason = g_strdup_printf ("%s %s..%s %s %s", medium, from, to,
                            copy->suppressed ? "outside (suppressed)" : "internal",
                            cl_report_source_to_string (copy->source));
  if (!cl_store_audit (store, action, "report", copy->name, reason, error))
    return NULL;
  return g_steal_pointer (&copy);
}

/**
 * cl_report_export:
 * @flags: as for cl_report_write()
 * @outside: the export leaves the organization (cl_report_release())
 *
 * Records an "export" audit event and writes @result, suppressed for outside use
 * (cl_report_release()). Nothing is written if the event cannot be recorded.
 */
gboolean
cl_report_export (ClStore               *store,
                  const ClReportResult  *result,
                  ClReportFormat         format,
                  ClReportWriteFlags     flags,
                  gboolean               outside,
                  GOutputStream         *output,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autoptr(ClReportResult) released = NULL;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);

  released = cl_report_release (store, result, "export", cl_report_format_to_string (format),
                                outside, error);
  if (released == NULL)
    return FALSE;
  return cl_report_write (released, format, flags, output, cancellable, error);
}
