/* cl-report-json.c: report results as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one JSON form of a result: what `caseloadctl report --format json` writes and what
 * caseload-server answers to POST /v1/reports/NAME. Counts are integers, derived numbers
 * are numbers rounded as displayed, suppressed cells are "*", empty cells null. Tables
 * left out for outside use are not written.
 */

#define G_LOG_DOMAIN "cl-report"

#include <json-glib/json-glib.h>

#include "cl-report.h"

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
  return !(t->internal_only && t->rows->len == 0);
}


static void
json_cell (JsonBuilder        *b,
           const ClReportCell *cell)
{
  if (cell->suppressed)
    {
      json_builder_add_string_value (b, "*");
      return;
    }
  switch (cell->kind)
    {
    case CL_REPORT_CELL_COUNT:
      json_builder_add_int_value (b, cell->count);
      break;
    case CL_REPORT_CELL_NUMBER:
      {
        g_autofree char *text = cl_report_cell_format (cell, FALSE);
        json_builder_add_double_value (b, g_ascii_strtod (text, NULL));
        break;
      }
    case CL_REPORT_CELL_TEXT:
      json_builder_add_string_value (b, cell->text != NULL ? cell->text : "");
      break;
    case CL_REPORT_CELL_EMPTY:
    default:
      json_builder_add_null_value (b);
      break;
    }
}

static void
json_member_string (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static const char *
chart_name (ClReportChartType chart)
{
  switch (chart)
    {
    case CL_REPORT_CHART_BAR:
      return "bar";
    case CL_REPORT_CHART_STACKED_BAR:
      return "stacked-bar";
    case CL_REPORT_CHART_TREND:
      return "trend";
    case CL_REPORT_CHART_NONE:
    default:
      return NULL;
    }
}

static const char *
unit_name (ClReportUnit unit)
{
  switch (unit)
    {
    case CL_REPORT_UNIT_PERCENT:
      return "percent";
    case CL_REPORT_UNIT_HOURS:
      return "hours";
    case CL_REPORT_UNIT_DAYS:
      return "days";
    case CL_REPORT_UNIT_NONE:
    default:
      return NULL;
    }
}

/**
 * cl_report_result_to_json:
 * @len: (out) (optional): the length of the text
 *
 * Returns: (transfer full): the report as a JSON object: name, title, parameters, tables
 *   (columns, rows with a "cells" object keyed by column) and notes. docs/REPORTS.md
 *   describes it; caseload-server answers report requests with it.
 */
char *
cl_report_result_to_json (const ClReportResult *r,
                          gsize                *len)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const ClReportParams *p;
  g_autofree char *from = NULL, *to = NULL, *as_of = NULL;

  g_return_val_if_fail (r != NULL, NULL);

  p = r->params;
  from = cl_day_to_string (p->from);
  to = cl_day_to_string (p->to);
  as_of = cl_day_to_string (cl_report_params_get_as_of (p));

  json_builder_begin_object (b);
  json_member_string (b, "report", r->name);
  json_member_string (b, "title", r->title);
  json_member_string (b, "description", r->description);
  json_member_string (b, "generated_at", r->generated_at);
  json_builder_set_member_name (b, "funder");
  json_builder_add_boolean_value (b, r->funder);
  json_builder_set_member_name (b, "suppressed");
  json_builder_add_boolean_value (b, r->suppressed);
  if (r->suppressed)
    {
      json_builder_set_member_name (b, "threshold");
      json_builder_add_int_value (b, p->threshold);
    }

  json_builder_set_member_name (b, "parameters");
  json_builder_begin_object (b);
  json_member_string (b, "from", from);
  json_member_string (b, "to", to);
  json_member_string (b, "as_of", as_of);
  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (guint i = 0; p->commands != NULL && p->commands[i] != NULL; i++)
    json_builder_add_string_value (b, p->commands[i]);
  json_builder_end_array (b);
  json_member_string (b, "borough", p->borough);
  json_member_string (b, "advocate", p->advocate);
  json_member_string (b, "track", p->track);
  json_member_string (b, "funding", p->funding);
  json_builder_set_member_name (b, "fiscal_start_month");
  json_builder_add_int_value (b, p->fiscal_start_month);
  json_builder_set_member_name (b, "stale_days");
  json_builder_add_int_value (b, p->stale_days);
  json_member_string (b, "time_zone", p->time_zone);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "tables");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (!table_shown (t))
        continue;
      json_builder_begin_object (b);
      json_member_string (b, "key", t->key);
      json_member_string (b, "title", t->title);
      json_member_string (b, "row_header", t->row_header);
      if (t->note != NULL)
        json_member_string (b, "note", t->note);
      if (chart_name (t->chart) != NULL)
        json_member_string (b, "chart", chart_name (t->chart));
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportColumn *col = g_ptr_array_index (t->columns, c);
          const char *unit = NULL;

          for (guint row = 0; row < t->rows->len && unit == NULL; row++)
            if (get_cell (t, row, c)->kind == CL_REPORT_CELL_NUMBER)
              unit = unit_name (get_cell (t, row, c)->unit);
          json_builder_begin_object (b);
          json_member_string (b, "key", col->key);
          json_member_string (b, "label", col->label);
          if (unit != NULL)
            json_member_string (b, "unit", unit);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "rows");
      json_builder_begin_array (b);
      for (guint row = 0; row < t->rows->len; row++)
        {
          const ClReportRow *rr = g_ptr_array_index (t->rows, row);

          json_builder_begin_object (b);
          json_member_string (b, "key", rr->key);
          json_member_string (b, "label", rr->label);
          if (rr->is_total)
            {
              json_builder_set_member_name (b, "total");
              json_builder_add_boolean_value (b, TRUE);
            }
          json_builder_set_member_name (b, "cells");
          json_builder_begin_object (b);
          for (guint c = 0; c < t->columns->len; c++)
            {
              json_builder_set_member_name (b, ((ClReportColumn *) g_ptr_array_index (t->columns, c))->key);
              json_cell (b, get_cell (t, row, c));
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->notes->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->notes, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, len);
}

