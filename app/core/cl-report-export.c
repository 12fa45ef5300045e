/* cl-report-export.c: report results as text, CSV, JSON and PDF
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
 * cl_report_export() is the way out of the organization: it records an "export" audit
 * event first (an export that cannot be audited does not happen) and, for outside use,
 * applies small-cell suppression to a copy of the result.
 */

#define G_LOG_DOMAIN "cl-report-export"

#include <string.h>

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cl-chart.h"
#include "cl-csv.h"
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

static char *
generated_line (const ClReportResult *r)
{
  return g_strdup_printf (_("Generated: %s"), r->generated_at);
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

/* PDF ---------------------------------------------------------------------------------- */

#define PAGE_WIDTH  612.0   /* US Letter, points */
#define PAGE_HEIGHT 792.0
#define MARGIN      50.0
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
#define FOOTER      24.0

typedef struct {
  const ClReportResult *result;
  cairo_t              *cr;
  PangoContext         *context;
  gboolean              rtl;
  double                y;
  guint                 page;
} Pdf;

static PangoLayout *
pdf_layout_full (Pdf           *pdf,
                 const char    *text,
                 const char    *font,
                 double         width,
                 gboolean       wrap,
                 PangoWrapMode  mode)
{
  PangoLayout *layout = pango_layout_new (pdf->context);
  PangoFontDescription *desc = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      if (wrap)
        pango_layout_set_wrap (layout, mode);
      else
        pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  return layout;
}

static PangoLayout *
pdf_layout (Pdf        *pdf,
            const char *text,
            const char *font,
            double      width,
            gboolean    wrap)
{
  return pdf_layout_full (pdf, text, font, width, wrap, PANGO_WRAP_WORD_CHAR);
}

static double
pdf_layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

/* Shows @layout in a box (@x, @width) of the content area given left to right; mirrored
 * for right-to-left text. @align: PANGO_ALIGN_LEFT (start), RIGHT (end) or CENTER. */
static void
pdf_show (Pdf            *pdf,
          PangoLayout    *layout,
          double          x,
          double          width,
          double          y,
          PangoAlignment  align)
{
  double left = pdf->rtl ? MARGIN + CONTENT_WIDTH - x - width : MARGIN + x;

  if (pdf->rtl && align != PANGO_ALIGN_CENTER)
    align = align == PANGO_ALIGN_LEFT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_alignment (layout, align);
  cairo_move_to (pdf->cr, left, y);
  pango_cairo_show_layout (pdf->cr, layout);
}

static void
pdf_footer (Pdf *pdf)
{
  g_autofree char *text = g_strdup_printf (_("%s — page %u"), pdf->result->title, pdf->page);
  g_autoptr(PangoLayout) layout = pdf_layout (pdf, text, "Sans 7", CONTENT_WIDTH, FALSE);

  cairo_set_source_rgb (pdf->cr, 0.4, 0.4, 0.4);
  pdf_show (pdf, layout, 0, CONTENT_WIDTH, PAGE_HEIGHT - MARGIN + 8, PANGO_ALIGN_CENTER);
  cairo_set_source_rgb (pdf->cr, 0, 0, 0);
}

static void
pdf_new_page (Pdf *pdf)
{
  pdf_footer (pdf);
  cairo_show_page (pdf->cr);
  pdf->page++;
  pdf->y = MARGIN;
}

/* Starts a new page unless @height fits below the cursor. */
static gboolean
pdf_need (Pdf    *pdf,
          double  height)
{
  if (pdf->y + height <= PAGE_HEIGHT - MARGIN - FOOTER)
    return FALSE;
  pdf_new_page (pdf);
  return TRUE;
}

static void
pdf_paragraph (Pdf        *pdf,
               const char *text,
               const char *font,
               double      space_after)
{
  g_autoptr(PangoLayout) layout = pdf_layout (pdf, text, font, CONTENT_WIDTH, TRUE);
  double h = pdf_layout_height (layout);

  pdf_need (pdf, h);
  pdf_show (pdf, layout, 0, CONTENT_WIDTH, pdf->y, PANGO_ALIGN_LEFT);
  pdf->y += h + space_after;
}

typedef struct {
  double       label_width;
  double       col_width;
  const char  *font;
  const char  *bold;
} TableGeometry;

static void
table_geometry (const ClReportTable *t,
                TableGeometry       *g)
{
  guint n = t->columns->len;

  g->label_width = CONTENT_WIDTH * (n <= 3 ? 0.45 : n <= 5 ? 0.36 : n <= 8 ? 0.26 : 0.2);
  g->col_width = n > 0 ? (CONTENT_WIDTH - g->label_width) / n : 0;
  g->font = n <= 5 ? "Sans 8.5" : n <= 8 ? "Sans 7.5" : "Sans 6.5";
  g->bold = n <= 5 ? "Sans Bold 8.5" : n <= 8 ? "Sans Bold 7.5" : "Sans Bold 6.5";
}

static double
pdf_table_header (Pdf                 *pdf,
                  const ClReportTable *t,
                  const TableGeometry *g,
                  gboolean             draw)
{
  double h = 0;

  for (guint c = 0; c <= t->columns->len; c++)
    {
      const char *text = c == 0 ? (t->row_header != NULL ? t->row_header : "")
                                : ((ClReportColumn *) g_ptr_array_index (t->columns, c - 1))->label;
      double w = c == 0 ? g->label_width : g->col_width;
      /* Column headings break between words only. */
      g_autoptr(PangoLayout) layout = pdf_layout_full (pdf, text, g->bold, w - 4, TRUE,
                                                       c == 0 ? PANGO_WRAP_WORD_CHAR : PANGO_WRAP_WORD);

      h = MAX (h, pdf_layout_height (layout));
      if (draw)
        pdf_show (pdf, layout, c == 0 ? 0 : g->label_width + g->col_width * (c - 1) + 2,
                  w - 4, pdf->y, c == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
    }
  if (draw)
    {
      cairo_set_line_width (pdf->cr, 0.8);
      cairo_move_to (pdf->cr, MARGIN, pdf->y + h + 2);
      cairo_line_to (pdf->cr, MARGIN + CONTENT_WIDTH, pdf->y + h + 2);
      cairo_stroke (pdf->cr);
      pdf->y += h + 4;
    }
  return h + 4;
}

static void
pdf_table (Pdf                 *pdf,
           const ClReportTable *t)
{
  TableGeometry g;
  ClChartStyle style;

  table_geometry (t, &g);

  /* Title, and the header with at least one row, stay together. */
  {
    g_autoptr(PangoLayout) title = pdf_layout (pdf, t->title, "Sans Bold 11", CONTENT_WIDTH, TRUE);
    double h = pdf_layout_height (title);

    pdf_need (pdf, h + 6 + pdf_table_header (pdf, t, &g, FALSE) + 14);
    pdf_show (pdf, title, 0, CONTENT_WIDTH, pdf->y, PANGO_ALIGN_LEFT);
    pdf->y += h + 6;
  }

  if (cl_chart_can_draw (t))
    {
      guint rows = 0;
      double chart_h;

      for (guint r = 0; r < t->rows->len; r++)
        rows += !((ClReportRow *) g_ptr_array_index (t->rows, r))->is_total;
      chart_h = t->chart == CL_REPORT_CHART_TREND ? 170 : CLAMP (rows * 13.0 + 40, 70, 280);
      pdf_need (pdf, chart_h + 10);
      cl_chart_style_init_default (&style);
      style.font_size = 7;
      cairo_save (pdf->cr);
      cairo_translate (pdf->cr, MARGIN, pdf->y);
      cl_chart_draw (pdf->cr, pdf->context, t, CONTENT_WIDTH, chart_h, &style);
      cairo_restore (pdf->cr);
      cairo_set_source_rgb (pdf->cr, 0, 0, 0);
      pdf->y += chart_h + 10;
    }

  if (t->rows->len == 0)
    {
      pdf_paragraph (pdf, _("(nothing to show)"), g.font, 8);
      return;
    }
  pdf_table_header (pdf, t, &g, TRUE);
  for (guint r = 0; r < t->rows->len; r++)
    {
      const ClReportRow *row = g_ptr_array_index (t->rows, r);
      const char *font = row->is_total ? g.bold : g.font;
      g_autoptr(PangoLayout) label = pdf_layout (pdf, row->label, font, g.label_width - 4, TRUE);
      double h = pdf_layout_height (label) + 2;

      if (pdf_need (pdf, h))
        pdf_table_header (pdf, t, &g, TRUE);
      if (row->is_total)
        {
          cairo_set_line_width (pdf->cr, 0.5);
          cairo_move_to (pdf->cr, MARGIN, pdf->y);
          cairo_line_to (pdf->cr, MARGIN + CONTENT_WIDTH, pdf->y);
          cairo_stroke (pdf->cr);
        }
      else if (r % 2 == 1)
        {
          cairo_set_source_rgb (pdf->cr, 0.95, 0.95, 0.95);
          cairo_rectangle (pdf->cr, MARGIN, pdf->y, CONTENT_WIDTH, h);
          cairo_fill (pdf->cr);
          cairo_set_source_rgb (pdf->cr, 0, 0, 0);
        }
      pdf_show (pdf, label, 0, g.label_width - 4, pdf->y + 1, PANGO_ALIGN_LEFT);
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportCell *cell = get_cell (t, r, c);
          g_autofree char *text = cl_report_cell_format (cell, TRUE);
          g_autoptr(PangoLayout) layout = pdf_layout (pdf, text, font, g.col_width - 4, FALSE);

          pdf_show (pdf, layout, g.label_width + g.col_width * c + 2, g.col_width - 4, pdf->y + 1,
                    cell_is_numeric (cell) ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        }
      pdf->y += h;
    }
  if (t->note != NULL)
    {
      pdf->y += 3;
      pdf_paragraph (pdf, t->note, "Sans Italic 7.5", 0);
    }
  pdf->y += 14;
}

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
 * Returns: (transfer full): the report as a PDF document (US Letter): title, description,
 *   parameters and generation time, then each table with its chart, then the notes
 */
GBytes *
cl_report_to_pdf (const ClReportResult  *r,
                  GError               **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *generated = NULL;
  Pdf pdf = { 0, };

  g_return_val_if_fail (r != NULL, NULL);

  surface = cairo_pdf_surface_create_for_stream (pdf_write_cb, bytes, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, r->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Caseload");
  pdf.result = r;
  pdf.cr = cairo_create (surface);
  pdf.context = pango_cairo_create_context (pdf.cr);
  /* Right-to-left when the report's own (translated) title is. */
  {
    g_autoptr(PangoLayout) probe = pango_layout_new (pdf.context);

    pango_layout_set_text (probe, r->title, -1);
    pdf.rtl = pango_layout_get_direction (probe, 0) == PANGO_DIRECTION_RTL;
  }
  pango_context_set_base_dir (pdf.context, pdf.rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  {
    PangoFontDescription *font = pango_font_description_from_string ("Sans 8");

    pango_context_set_font_description (pdf.context, font);
    pango_font_description_free (font);
  }
  pdf.y = MARGIN;
  pdf.page = 1;

  cairo_set_source_rgb (pdf.cr, 0, 0, 0);
  pdf_paragraph (&pdf, r->title, "Sans Bold 17", 4);
  pdf_paragraph (&pdf, r->description, "Sans 9.5", 8);
  lines = cl_report_params_describe (r);
  generated = generated_line (r);
  g_ptr_array_add (lines, g_strdup (generated));
  for (guint i = 0; i < lines->len; i++)
    pdf_paragraph (&pdf, g_ptr_array_index (lines, i), "Sans 8.5", 1);
  pdf.y += 14;

  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (table_shown (t))
        pdf_table (&pdf, t);
    }
  if (r->notes->len > 0)
    {
      pdf_paragraph (&pdf, _("Notes"), "Sans Bold 10", 4);
      for (guint i = 0; i < r->notes->len; i++)
        {
          g_autofree char *line = g_strdup_printf ("• %s", (char *) g_ptr_array_index (r->notes, i));
          pdf_paragraph (&pdf, line, "Sans 8", 3);
        }
    }
  pdf_footer (&pdf);

  g_object_unref (pdf.context);
  cairo_destroy (pdf.cr);
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
 *
 * Writes @result to @output as it is: no audit event, no suppression (see
 * cl_report_export()).
 */
gboolean
cl_report_write (const ClReportResult  *result,
                 ClReportFormat         format,
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
 * cl_report_export:
 * @outside: the export leaves the organization: small cells are suppressed (on a copy if
 *   @result is not suppressed yet) and lists that identify cases are left out
 *
 * Records an "export" audit event (record type "report", the report's name; the format,
 * period and use as the reason: no client data), then writes @result. Nothing is written
 * if the event cannot be recorded.
 */
gboolean
cl_report_export (ClStore               *store,
                  const ClReportResult  *result,
                  ClReportFormat         format,
                  gboolean               outside,
                  GOutputStream         *output,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_autoptr(ClReportResult) copy = NULL;
  g_autofree char *from = NULL, *to = NULL, *reason = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);

  /* A result read from the server lacks the cell groups that complementary suppression
   * needs: for outside use the server suppresses (see cl_sync_run_report()). */
  if (outside && !result->suppressed && result->source == CL_REPORT_SOURCE_SERVER)
    {
      g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                           _("These figures came from the server for internal use; ask the "
                             "server again for outside use."));
      return FALSE;
    }
  if (outside && !result->suppressed)
    {
      copy = cl_report_result_copy (result);
      cl_report_result_suppress (copy, copy->params->threshold);
      result = copy;
    }

  from = cl_day_to_string (result->params->from);
  to = cl_day_to_string (result->params->to);
  reason = g_strdup_printf ("%s %s..%s %s %s", cl_report_format_to_string (format), from, to,
                            result->suppressed ? "outside (suppressed)" : "internal",
                            cl_report_source_to_string (result->source));
  if (!cl_store_audit (store, "export", "report", result->name, reason, error))
    return FALSE;
  return cl_report_write (result, format, output, cancellable, error);
}
