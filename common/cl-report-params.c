/* cl-report-params.c: the parameters of a report: period, filters and thresholds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-report-context.h"

/* Parameters --------------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (ClReportParams, cl_report_params,
                     cl_report_params_copy, cl_report_params_free)

ClReportParams *
cl_report_params_new (void)
{
  ClReportParams *p = g_new0 (ClReportParams, 1);

  p->from = CL_DAY_NONE;
  p->to = CL_DAY_NONE;
  p->as_of = CL_DAY_NONE;
  p->today = CL_DAY_NONE;
  p->fiscal_start_month = CL_REPORT_DEFAULT_FISCAL_START;
  p->stale_days = CL_REPORT_DEFAULT_STALE_DAYS;
  p->threshold = CL_REPORT_DEFAULT_THRESHOLD;
  p->time_zone = g_strdup (CL_REPORT_DEFAULT_TIME_ZONE);
  return p;
}

ClReportParams *
cl_report_params_copy (const ClReportParams *p)
{
  ClReportParams *copy;

  g_return_val_if_fail (p != NULL, NULL);

  copy = g_memdup2 (p, sizeof *p);
  copy->commands = g_strdupv (p->commands);
  copy->borough = g_strdup (p->borough);
  copy->advocate = g_strdup (p->advocate);
  copy->track = g_strdup (p->track);
  copy->funding = g_strdup (p->funding);
  copy->time_zone = g_strdup (p->time_zone);
  return copy;
}

void
cl_report_params_free (ClReportParams *p)
{
  if (p == NULL)
    return;
  g_strfreev (p->commands);
  g_free (p->borough);
  g_free (p->advocate);
  g_free (p->track);
  g_free (p->funding);
  g_free (p->time_zone);
  g_free (p);
}

/**
 * cl_report_fiscal_year_start:
 * @fiscal_start_month: 1 … 12 (10: the federal year, October–September)
 *
 * Returns: the first day of the fiscal year containing @day
 */
ClDay
cl_report_fiscal_year_start (ClDay day,
                             guint fiscal_start_month)
{
  int y, m;

  g_return_val_if_fail (fiscal_start_month >= 1 && fiscal_start_month <= 12, CL_DAY_NONE);
  cl_day_to_ymd (day, &y, &m, NULL);
  if ((guint) m < fiscal_start_month)
    y--;
  return cl_day_from_ymd (y, (int) fiscal_start_month, 1);
}

ClDay
cl_report_params_get_today (const ClReportParams *p)
{
  return p->today != CL_DAY_NONE ? p->today : cl_day_today (p->time_zone);
}

ClDay
cl_report_params_get_as_of (const ClReportParams *p)
{
  ClDay today = cl_report_params_get_today (p);

  if (p->as_of != CL_DAY_NONE)
    return p->as_of;
  if (p->to != CL_DAY_NONE && p->to < today)
    return p->to;
  return today;
}

/**
 * cl_report_params_set_period:
 * @reference: the day the period is relative to, %CL_DAY_NONE for today
 *
 * Sets from/to to a fiscal quarter, fiscal year or calendar half around @reference.
 */
void
cl_report_params_set_period (ClReportParams *p,
                             ClReportPeriod  period,
                             ClDay           reference)
{
  ClDay fy;
  int y, m, q;

  g_return_if_fail (p != NULL);

  if (period == CL_REPORT_PERIOD_CUSTOM)
    return;
  if (reference == CL_DAY_NONE)
    reference = cl_report_params_get_today (p);
  fy = cl_report_fiscal_year_start (reference, p->fiscal_start_month);

  switch (period)
    {
    case CL_REPORT_PERIOD_THIS_QUARTER:
    case CL_REPORT_PERIOD_LAST_QUARTER:
      {
        ClDay months = 0;
        ClDay start;

        for (q = 0; q < 4 && cl_day_add_months (fy, (q + 1) * 3) <= reference; q++)
          ;
        months = q * 3;
        start = cl_day_add_months (fy, months);
        if (period == CL_REPORT_PERIOD_LAST_QUARTER)
          start = cl_day_add_months (start, -3);
        p->from = start;
        p->to = cl_day_add_months (start, 3) - 1;
        break;
      }

    case CL_REPORT_PERIOD_FISCAL_YEAR:
      p->from = fy;
      p->to = cl_day_add_months (fy, 12) - 1;
      break;

    case CL_REPORT_PERIOD_LAST_FISCAL_YEAR:
      p->from = cl_day_add_months (fy, -12);
      p->to = fy - 1;
      break;

    case CL_REPORT_PERIOD_THIS_HALF:
    case CL_REPORT_PERIOD_LAST_HALF:
      cl_day_to_ymd (reference, &y, &m, NULL);
      p->from = cl_day_from_ymd (y, m <= 6 ? 1 : 7, 1);
      if (period == CL_REPORT_PERIOD_LAST_HALF)
        p->from = cl_day_add_months (p->from, -6);
      p->to = cl_day_add_months (p->from, 6) - 1;
      break;

    case CL_REPORT_PERIOD_CUSTOM:
    default:
      g_assert_not_reached ();
    }
}

gboolean
cl_report_period_from_string (const char     *text,
                              ClReportPeriod *period)
{
  static const struct { const char *name; ClReportPeriod period; } names[] = {
    { "this-quarter", CL_REPORT_PERIOD_THIS_QUARTER },
    { "last-quarter", CL_REPORT_PERIOD_LAST_QUARTER },
    { "fiscal-year", CL_REPORT_PERIOD_FISCAL_YEAR },
    { "last-fiscal-year", CL_REPORT_PERIOD_LAST_FISCAL_YEAR },
    { "this-half", CL_REPORT_PERIOD_THIS_HALF },
    { "last-half", CL_REPORT_PERIOD_LAST_HALF },
    { "custom", CL_REPORT_PERIOD_CUSTOM },
  };

  g_return_val_if_fail (period != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i].name) == 0)
      {
        *period = names[i].period;
        return TRUE;
      }
  return FALSE;
}

static gboolean
invalid_param (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS, message);
  return FALSE;
}

gboolean
cl_report_params_validate (const ClReportParams  *p,
                           GError               **error)
{
  g_return_val_if_fail (p != NULL, FALSE);

  if (p->from == CL_DAY_NONE || p->to == CL_DAY_NONE)
    return invalid_param (error, _("The report needs a period (a first and a last day)"));
  if (p->from > p->to)
    return invalid_param (error, _("The period ends before it starts"));
  if (p->to - p->from > 366 * 20)
    return invalid_param (error, _("The period is longer than twenty years"));
  if (p->fiscal_start_month < 1 || p->fiscal_start_month > 12)
    return invalid_param (error, _("The fiscal year must start in a month from 1 to 12"));
  if (p->stale_days < 1 || p->stale_days > 3650)
    return invalid_param (error, _("Stale days must be between 1 and 3650"));
  if (p->threshold > 1000)
    return invalid_param (error, _("The suppression threshold must be at most 1000"));
  if (p->borough != NULL && _cl_report_enum_index (CL_REPORT_ENUM_BOROUGH, p->borough) < 0)
    return invalid_param (error, _("Unknown borough"));
  if (p->track != NULL && _cl_report_enum_index (CL_REPORT_ENUM_TRACK, p->track) < 0)
    return invalid_param (error, _("Unknown track"));
  if (p->funding != NULL && _cl_report_enum_index (CL_REPORT_ENUM_FUNDING, p->funding) < 0)
    return invalid_param (error, _("Unknown funding source"));
  return TRUE;
}

/**
 * cl_report_params_describe:
 *
 * Returns: (transfer full) (element-type utf8): the parameters of @result as translated
 *   "Label: value" lines, for printing on a report
 */
GPtrArray *
cl_report_params_describe (const ClReportResult *r)
{
  const ClReportParams *p = r->params;
  const ClReportDef *def = _cl_report_def_lookup (r->name);
  ClReportUses uses = def != NULL ? def->uses : 0;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  /* Dates in the locale's format and the organization's time zone (cl-l10n.h). */
  g_autofree char *from = _cl_report_note_day (p->from);
  g_autofree char *to = _cl_report_note_day (p->to);
  g_autofree char *as_of = _cl_report_note_day (cl_report_params_get_as_of (p));

  if (r->source == CL_REPORT_SOURCE_SERVER)
    {
      g_autofree char *when = cl_l10n_format_instant (r->generated_at, p->time_zone);
      g_autofree char *isolated = cl_l10n_isolate (when);

      g_ptr_array_add (lines, g_strdup_printf (_("Whole agency (server), generated %s"),
                                               isolated));
    }
  else
    g_ptr_array_add (lines, g_strdup (_("This workstation’s vault")));
  g_ptr_array_add (lines, g_strdup_printf (_("Period: %s to %s"), from, to));
  if (uses & CL_REPORT_USES_AS_OF)
    g_ptr_array_add (lines, g_strdup_printf (_("As of: %s"), as_of));
  if (p->commands != NULL && p->commands[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", p->commands);
      g_ptr_array_add (lines, g_strdup_printf (_("Commands: %s"), list));
    }
  else
    g_ptr_array_add (lines, g_strdup (_("Commands: all")));
  if (p->borough != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_("Borough: %s"),
                                             _cl_report_enum_label (CL_REPORT_ENUM_BOROUGH,
                                                                    _cl_report_enum_index (CL_REPORT_ENUM_BOROUGH, p->borough))));
  if (p->advocate != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_("Advocate: %s"), p->advocate));
  if (p->track != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_("Track: %s"),
                                             _cl_report_enum_label (CL_REPORT_ENUM_TRACK,
                                                                    _cl_report_enum_index (CL_REPORT_ENUM_TRACK, p->track))));
  if (p->funding != NULL)
    g_ptr_array_add (lines, g_strdup_printf (_("Funding source: %s"),
                                             _cl_report_enum_label (CL_REPORT_ENUM_FUNDING,
                                                                    _cl_report_enum_index (CL_REPORT_ENUM_FUNDING, p->funding))));
  if (uses & CL_REPORT_USES_FISCAL_YEAR)
    {
      g_autofree char *fy = _cl_report_note_day (cl_report_fiscal_year_start (p->from,
                                                                       p->fiscal_start_month));
      g_ptr_array_add (lines, g_strdup_printf (_("Fiscal year starting %s"), fy));
    }
  if (uses & CL_REPORT_USES_STALE_DAYS)
    g_ptr_array_add (lines, g_strdup_printf (ngettext ("Stale after %u day without a contact",
                                                       "Stale after %u days without a contact",
                                                       p->stale_days),
                                             p->stale_days));
  if (r->suppressed)
    g_ptr_array_add (lines, g_strdup_printf (_("For outside use: counts from 1 to %u suppressed"),
                                             p->threshold));
  else
    g_ptr_array_add (lines, g_strdup (_("For internal use: no suppression")));
  return lines;
}
