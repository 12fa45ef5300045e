/* cl-report-json.c: report results as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one JSON form of a result: what `caseloadctl report --format json` writes and what
 * caseload-server answers to POST /v1/reports/NAME. Counts are integers, derived numbers
 * are numbers rounded as displayed, suppressed cells are "*", empty cells null. Tables
 * left out for outside use are not written. cl_report_result_from_json() reads the form
 * back, checking every member: how the app takes a report the server computed.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-report-private.h"
#include "cl-wire.h"

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
  json_member_string (b, "source", cl_report_source_to_string (r->source));
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
        {
          json_member_string (b, "chart", chart_name (t->chart));
          json_builder_set_member_name (b, "plotted");
          json_builder_begin_array (b);
          for (guint c = 0; c < t->columns->len; c++)
            if (t->chart_columns & (G_GUINT64_CONSTANT (1) << c))
              json_builder_add_string_value (b, ((ClReportColumn *) g_ptr_array_index (t->columns, c))->key);
          json_builder_end_array (b);
        }
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


/**
 * cl_report_source_to_string:
 *
 * Returns: "vault" or "server", as the JSON form and the CSV export write it
 */
const char *
cl_report_source_to_string (ClReportSource source)
{
  return source == CL_REPORT_SOURCE_SERVER ? "server" : "vault";
}

/* ---- Reading a result back ------------------------------------------------------------ */

#define MAX_TABLES   64
#define MAX_COLUMNS  64
#define MAX_KEY      64
#define MAX_LABEL    1024
#define MAX_COUNT    G_GINT64_CONSTANT (1000000000000)

static const ClWireLimits result_limits = {
  .max_bytes = CL_WIRE_MAX_RESPONSE_BYTES,
  .max_depth = 8,
  .max_string = 4096,
  .max_key = MAX_KEY,
  .max_values = 4 * 1024 * 1024,
  .decimals = TRUE,
};

static gboolean
bad_result (GError     **error,
            const char  *what)
{
  g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_RESULT,
               "report result: %s", what);
  return FALSE;
}

/* Not empty, at most @max bytes, no control characters. */
static gboolean
is_printable (const char *text,
              gsize       max)
{
  if (text == NULL || *text == '\0' || strlen (text) > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* A string member (or %NULL for null or absent), at most @max bytes, with no control
 * characters. */
static gboolean
get_text (JsonObject  *o,
          const char  *member,
          gsize        max,
          const char **out,
          GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);
  const char *text;

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  text = json_node_get_string (n);
  if (text == NULL || (*text != '\0' && !is_printable (text, max)))
    return bad_result (error, member);
  *out = text;
  return TRUE;
}

/* A code: letters, digits, "-", "_" and "/" (time zones), at most MAX_KEY bytes. */
static gboolean
is_code (const char *text)
{
  gsize n = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '/' && *p != '+')
      return FALSE;
  return n <= MAX_KEY;
}

static gboolean
get_code (JsonObject  *o,
          const char  *member,
          char       **out,
          GError     **error)
{
  const char *text;

  if (!get_text (o, member, MAX_KEY, &text, error))
    return FALSE;
  if (text != NULL && !is_code (text))
    return bad_result (error, member);
  g_free (*out);
  *out = g_strdup (text);
  return TRUE;
}

static gboolean
get_result_day (JsonObject  *o,
                const char  *member,
                ClDay       *day,
                GError     **error)
{
  const char *text;

  if (!get_text (o, member, 10, &text, error))
    return FALSE;
  *day = text != NULL && strlen (text) == 10 ? cl_day_parse (text) : CL_DAY_NONE;
  if (*day == CL_DAY_NONE)
    return bad_result (error, member);
  return TRUE;
}

static ClReportParams *
params_from_json (JsonNode  *node,
                  GError   **error)
{
  static const ClWireMember members[] = {
    { "from", CL_WIRE_STRING, TRUE },
    { "to", CL_WIRE_STRING, TRUE },
    { "as_of", CL_WIRE_STRING, TRUE },
    { "commands", CL_WIRE_ARRAY, TRUE },
    { "borough", CL_WIRE_STRING_OR_NULL, TRUE },
    { "advocate", CL_WIRE_STRING_OR_NULL, TRUE },
    { "track", CL_WIRE_STRING_OR_NULL, TRUE },
    { "funding", CL_WIRE_STRING_OR_NULL, TRUE },
    { "fiscal_start_month", CL_WIRE_INT, TRUE },
    { "stale_days", CL_WIRE_INT, TRUE },
    { "time_zone", CL_WIRE_STRING, TRUE },
  };
  g_autoptr(ClReportParams) p = cl_report_params_new ();
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  const char *advocate;
  JsonObject *o;
  JsonArray *array;
  gint64 month, stale;

  if (!cl_wire_check_object (node, "parameters", members, G_N_ELEMENTS (members), error))
    return NULL;
  o = json_node_get_object (node);
  if (!get_result_day (o, "from", &p->from, error) || !get_result_day (o, "to", &p->to, error) ||
      !get_result_day (o, "as_of", &p->as_of, error) ||
      !get_code (o, "borough", &p->borough, error) || !get_code (o, "track", &p->track, error) ||
      !get_code (o, "funding", &p->funding, error) ||
      !get_code (o, "time_zone", &p->time_zone, error) ||
      !get_text (o, "advocate", MAX_KEY, &advocate, error))
    return NULL;
  if (advocate != NULL && !cl_is_username (advocate))
    {
      bad_result (error, "advocate");
      return NULL;
    }
  p->advocate = g_strdup (advocate);
  month = json_object_get_int_member (o, "fiscal_start_month");
  stale = json_object_get_int_member (o, "stale_days");
  if (month < 1 || month > 12 || stale < 1 || stale > 3650)
    {
      bad_result (error, "fiscal_start_month or stale_days");
      return NULL;
    }
  p->fiscal_start_month = (guint) month;
  p->stale_days = (guint) stale;
  array = json_object_get_array_member (o, "commands");
  if (json_array_get_length (array) > 1024)
    {
      bad_result (error, "commands");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);

      /* Command codes may hold spaces ("PSA 2"). */
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
          !is_printable (json_node_get_string (n), MAX_KEY))
        {
          bad_result (error, "commands");
          return NULL;
        }
      g_ptr_array_add (codes, g_strdup (json_node_get_string (n)));
    }
  if (codes->len > 0)
    {
      g_ptr_array_add (codes, NULL);
      p->commands = (GStrv) g_ptr_array_steal (codes, NULL);
    }
  if (!cl_report_params_validate (p, error) || p->as_of < p->from - 366 * 20 ||
      p->as_of > p->to + 366 * 20)
    {
      g_clear_error (error);
      bad_result (error, "parameters");
      return NULL;
    }
  return g_steal_pointer (&p);
}

static gboolean
chart_from_name (const char        *name,
                 ClReportChartType *chart)
{
  for (ClReportChartType c = CL_REPORT_CHART_BAR; c <= CL_REPORT_CHART_TREND; c++)
    if (g_strcmp0 (name, chart_name (c)) == 0)
      {
        *chart = c;
        return TRUE;
      }
  return FALSE;
}

static gboolean
unit_from_name (const char   *name,
                ClReportUnit *unit)
{
  for (ClReportUnit u = CL_REPORT_UNIT_NONE; u <= CL_REPORT_UNIT_DAYS; u++)
    if (g_strcmp0 (name, unit_name (u)) == 0)
      {
        *unit = u;
        return TRUE;
      }
  return FALSE;
}

/* A number as the writer rounded it: the fewest decimals (at least the unit's usual one)
 * that give it back. */
static guint8
number_decimals (double       value,
                 ClReportUnit unit)
{
  guint8 d = unit == CL_REPORT_UNIT_PERCENT || unit == CL_REPORT_UNIT_HOURS ? 1 : 0;

  for (; d < 6; d++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      char format[8];

      g_snprintf (format, sizeof format, "%%.%uf", (guint) d);
      if (g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, format, value), NULL) == value)
        break;
    }
  return d;
}

static gboolean
cell_from_json (JsonNode     *n,
                ClReportUnit  unit,
                ClReportCell *cell,
                GError      **error)
{
  if (JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n))
    return bad_result (error, "cell");
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64:
      cell->kind = CL_REPORT_CELL_COUNT;
      cell->count = json_node_get_int (n);
      if (cell->count < 0 || cell->count > MAX_COUNT)
        return bad_result (error, "count");
      return TRUE;
    case G_TYPE_DOUBLE:
      cell->kind = CL_REPORT_CELL_NUMBER;
      cell->number = json_node_get_double (n);
      if (!isfinite (cell->number) || fabs (cell->number) > (double) MAX_COUNT)
        return bad_result (error, "number");
      cell->unit = unit;
      cell->decimals = number_decimals (cell->number, unit);
      return TRUE;
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (n);

        /* A suppressed cell: a number in a column of numbers (it keeps the column's
         * unit), else a count. */
        if (g_strcmp0 (text, "*") == 0)
          {
            cell->kind = unit != CL_REPORT_UNIT_NONE ? CL_REPORT_CELL_NUMBER : CL_REPORT_CELL_COUNT;
            cell->unit = unit;
            cell->suppressed = TRUE;
            return TRUE;
          }
        if (*text != '\0' && !is_printable (text, MAX_LABEL))
          return bad_result (error, "text cell");
        cell->kind = CL_REPORT_CELL_TEXT;
        cell->text = g_strdup (text);
        return TRUE;
      }
    default:
      return bad_result (error, "cell");
    }
}

static gboolean
columns_from_json (ClReportTable  *t,
                   JsonArray      *columns,
                   ClReportUnit   *units,
                   GError        **error)
{
  static const ClWireMember members[] = {
    { "key", CL_WIRE_STRING, TRUE },
    { "label", CL_WIRE_STRING, TRUE },
    { "unit", CL_WIRE_STRING, FALSE },
  };

  if (json_array_get_length (columns) == 0 || json_array_get_length (columns) > MAX_COLUMNS)
    return bad_result (error, "columns");
  for (guint c = 0; c < json_array_get_length (columns); c++)
    {
      JsonNode *n = json_array_get_element (columns, c);
      const char *key, *label, *unit;
      JsonObject *o;

      if (!cl_wire_check_object (n, "column", members, G_N_ELEMENTS (members), error))
        return FALSE;
      o = json_node_get_object (n);
      if (!get_text (o, "key", MAX_KEY, &key, error) ||
          !get_text (o, "label", MAX_LABEL, &label, error) ||
          !get_text (o, "unit", MAX_KEY, &unit, error))
        return FALSE;
      units[c] = CL_REPORT_UNIT_NONE;
      if (!is_code (key) || (unit != NULL && !unit_from_name (unit, &units[c])))
        return bad_result (error, "column");
      for (guint k = 0; k < t->columns->len; k++)
        if (strcmp (((ClReportColumn *) g_ptr_array_index (t->columns, k))->key, key) == 0)
          return bad_result (error, "a column repeated");
      _cl_report_add_column (t, key, label);
    }
  return TRUE;
}

static gboolean
rows_from_json (ClReportTable       *t,
                JsonArray           *rows,
                const ClReportUnit  *units,
                GError             **error)
{
  static const ClWireMember members[] = {
    { "key", CL_WIRE_STRING_OR_NULL, TRUE },
    { "label", CL_WIRE_STRING_OR_NULL, TRUE },
    { "total", CL_WIRE_BOOL, FALSE },
    { "cells", CL_WIRE_OBJECT, TRUE },
  };

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      JsonNode *n = json_array_get_element (rows, r);
      const char *key, *label;
      JsonObject *o, *cells;
      ClReportRow *row;
      guint index;

      if (!cl_wire_check_object (n, "row", members, G_N_ELEMENTS (members), error))
        return FALSE;
      o = json_node_get_object (n);
      if (!get_text (o, "key", MAX_LABEL, &key, error) ||
          !get_text (o, "label", MAX_LABEL, &label, error))
        return FALSE;
      cells = json_object_get_object_member (o, "cells");
      if (json_object_get_size (cells) != t->columns->len)
        return bad_result (error, "a row's cells do not match the columns");
      index = _cl_report_add_row (t, key, label);
      row = g_ptr_array_index (t->rows, index);
      if (json_object_has_member (o, "total"))
        {
          if (!json_object_get_boolean_member (o, "total") || t->total_row >= 0)
            return bad_result (error, "total row");
          row->is_total = TRUE;
          t->total_row = (int) index;
        }
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportColumn *col = g_ptr_array_index (t->columns, c);
          JsonNode *cell = json_object_get_member (cells, col->key);

          if (cell == NULL)
            return bad_result (error, "a row's cells do not match the columns");
          if (!cell_from_json (cell, units[c], _cl_report_cell (t, index, c), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
table_from_json (ClReportResult  *r,
                 JsonNode        *node,
                 GError         **error)
{
  static const ClWireMember members[] = {
    { "key", CL_WIRE_STRING, TRUE },
    { "title", CL_WIRE_STRING_OR_NULL, TRUE },
    { "row_header", CL_WIRE_STRING_OR_NULL, TRUE },
    { "note", CL_WIRE_STRING, FALSE },
    { "chart", CL_WIRE_STRING, FALSE },
    { "plotted", CL_WIRE_ARRAY, FALSE },
    { "columns", CL_WIRE_ARRAY, TRUE },
    { "rows", CL_WIRE_ARRAY, TRUE },
  };
  ClReportUnit units[MAX_COLUMNS];
  const char *key, *title, *row_header, *note, *chart;
  ClReportTable *t;
  JsonObject *o;

  if (!cl_wire_check_object (node, "table", members, G_N_ELEMENTS (members), error))
    return FALSE;
  o = json_node_get_object (node);
  if (!get_text (o, "key", MAX_KEY, &key, error) ||
      !get_text (o, "title", MAX_LABEL, &title, error) ||
      !get_text (o, "row_header", MAX_LABEL, &row_header, error) ||
      !get_text (o, "note", 4096, &note, error) ||
      !get_text (o, "chart", MAX_KEY, &chart, error))
    return FALSE;
  if (!is_code (key) || cl_report_result_get_table (r, key) != NULL)
    return bad_result (error, "table key");
  if ((chart != NULL) != json_object_has_member (o, "plotted"))
    return bad_result (error, "chart");

  t = _cl_report_table_new (r, key, title, row_header);
  t->note = g_strdup (note);
  if (!columns_from_json (t, json_object_get_array_member (o, "columns"), units, error) ||
      !rows_from_json (t, json_object_get_array_member (o, "rows"), units, error))
    return FALSE;
  if (chart != NULL)
    {
      JsonArray *plotted = json_object_get_array_member (o, "plotted");

      if (!chart_from_name (chart, &t->chart))
        return bad_result (error, "chart");
      for (guint i = 0; i < json_array_get_length (plotted); i++)
        {
          JsonNode *n = json_array_get_element (plotted, i);
          const char *col = JSON_NODE_HOLDS_VALUE (n) &&
                            json_node_get_value_type (n) == G_TYPE_STRING
                            ? json_node_get_string (n) : NULL;
          guint c;

          for (c = 0; c < t->columns->len && col != NULL; c++)
            if (strcmp (((ClReportColumn *) g_ptr_array_index (t->columns, c))->key, col) == 0)
              break;
          if (col == NULL || c == t->columns->len)
            return bad_result (error, "plotted");
          t->chart_columns |= G_GUINT64_CONSTANT (1) << c;
        }
    }
  return TRUE;
}

/**
 * cl_report_result_from_json:
 *
 * Reads a result in the form cl_report_result_to_json() writes, as caseload-server sends
 * it, checking every member: known report, well-formed parameters, tables whose rows have
 * a cell for every column and nothing else, counts that are whole and not negative, sizes
 * bounded. The title and description are this program's own for the report. The result
 * carries no cell groups (complementary suppression cannot be applied to it again) and no
 * case references; its source is %CL_REPORT_SOURCE_SERVER.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 *   (%CL_REPORT_ERROR_INVALID_RESULT, or a #ClWireError)
 */
ClReportResult *
cl_report_result_from_json (const char  *data,
                            gsize        len,
                            GError     **error)
{
  static const ClWireMember members[] = {
    { "report", CL_WIRE_STRING, TRUE },
    { "title", CL_WIRE_STRING, TRUE },
    { "description", CL_WIRE_STRING, TRUE },
    { "generated_at", CL_WIRE_STRING, TRUE },
    { "source", CL_WIRE_STRING, TRUE },
    { "funder", CL_WIRE_BOOL, TRUE },
    { "suppressed", CL_WIRE_BOOL, TRUE },
    { "threshold", CL_WIRE_INT, FALSE },
    { "parameters", CL_WIRE_OBJECT, TRUE },
    { "tables", CL_WIRE_ARRAY, TRUE },
    { "notes", CL_WIRE_ARRAY, TRUE },
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(ClReportParams) params = NULL;
  g_autoptr(ClReportResult) r = NULL;
  const ClReportInfo *info;
  const char *generated;
  JsonObject *o;
  JsonArray *tables, *notes;

  root = cl_wire_parse (data, len, &result_limits, error);
  if (root == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "report result", members, G_N_ELEMENTS (members), error))
    return NULL;
  o = json_node_get_object (root);

  info = cl_report_lookup (json_object_get_string_member (o, "report"));
  if (info == NULL || json_object_get_boolean_member (o, "funder") != info->funder ||
      g_strcmp0 (json_object_get_string_member (o, "source"), "server") != 0)
    {
      bad_result (error, "report");
      return NULL;
    }
  if (!get_text (o, "generated_at", 32, &generated, error))
    return NULL;
  if (cl_time_parse (generated) == CL_TIME_NONE)
    {
      bad_result (error, "generated_at");
      return NULL;
    }
  params = params_from_json (json_object_get_member (o, "parameters"), error);
  if (params == NULL)
    return NULL;
  r = _cl_report_result_new (info, params);
  g_free (r->generated_at);
  r->generated_at = g_strdup (generated);
  r->source = CL_REPORT_SOURCE_SERVER;
  r->suppressed = json_object_get_boolean_member (o, "suppressed");
  if (r->suppressed != json_object_has_member (o, "threshold"))
    {
      bad_result (error, "threshold");
      return NULL;
    }
  if (r->suppressed)
    {
      gint64 threshold = json_object_get_int_member (o, "threshold");

      if (threshold < 1 || threshold > 1000)
        {
          bad_result (error, "threshold");
          return NULL;
        }
      r->params->threshold = (guint) threshold;
      r->params->outside = TRUE;
    }

  tables = json_object_get_array_member (o, "tables");
  if (json_array_get_length (tables) > MAX_TABLES)
    {
      bad_result (error, "tables");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (tables); i++)
    if (!table_from_json (r, json_array_get_element (tables, i), error))
      return NULL;

  notes = json_object_get_array_member (o, "notes");
  if (json_array_get_length (notes) > 256)
    {
      bad_result (error, "notes");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (notes); i++)
    {
      JsonNode *n = json_array_get_element (notes, i);

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
          strlen (json_node_get_string (n)) > 4096)
        {
          bad_result (error, "notes");
          return NULL;
        }
      _cl_report_add_note (r, json_node_get_string (n));
    }
  return g_steal_pointer (&r);
}
