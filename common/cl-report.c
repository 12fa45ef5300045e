/* cl-report.c: the report engine: the list of reports, dates, enumerations, and running
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each report is one ClReportDef in a file of its own under common/reports/, listed once,
 * in common/reports/meson.build. The rest of the engine is split by job: the facts
 * (cl-report-facts.c), the parameters (cl-report-params.c), the results
 * (cl-report-result.c), small-cell suppression (cl-report-suppress.c), the context a
 * report runs in (cl-report-context.c) and the tables it builds (cl-report-breakdown.c).
 * docs/REPORTS.md describes the counting rules and the suppression method.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-report-context.h"

G_DEFINE_QUARK (cl-report-error-quark, cl_report_error)

/* Dates and times ---------------------------------------------------------------------- */

/* Days from civil, after Howard Hinnant's public-domain algorithms. */
ClDay
cl_day_from_ymd (int year,
                 int month,
                 int day)
{
  int era;
  unsigned yoe, doy, doe;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  yoe = (unsigned) (year - era * 400);
  doy = (153 * (unsigned) (month + (month > 2 ? -3 : 9)) + 2) / 5 + (unsigned) day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int) doe - 719468;
}

void
cl_day_to_ymd (ClDay  day,
               int   *year,
               int   *month,
               int   *mday)
{
  int z = day + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned) (z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;

  if (year != NULL)
    *year = (int) yoe + era * 400 + (m <= 2);
  if (month != NULL)
    *month = (int) m;
  if (mday != NULL)
    *mday = (int) d;
}

static gboolean
parse_digits (const char *p,
              guint       n,
              int        *out)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

static int
days_in_month (int year,
               int month)
{
  static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    return 29;
  return dim[month - 1];
}

/**
 * cl_day_parse:
 * @text: (nullable): "YYYY-MM-DD", optionally followed by a time
 *
 * Returns: the day, or %CL_DAY_NONE for %NULL, "" or anything malformed
 */
ClDay
cl_day_parse (const char *text)
{
  int y, m, d;

  if (text == NULL || strlen (text) < 10 || text[4] != '-' || text[7] != '-' ||
      !parse_digits (text, 4, &y) || !parse_digits (text + 5, 2, &m) ||
      !parse_digits (text + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
      d > days_in_month (y, m) || (text[10] != '\0' && text[10] != 'T' && text[10] != ' '))
    return CL_DAY_NONE;
  return cl_day_from_ymd (y, m, d);
}

char *
cl_day_to_string (ClDay day)
{
  int y, m, d;

  if (day == CL_DAY_NONE)
    return g_strdup ("");
  cl_day_to_ymd (day, &y, &m, &d);
  return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
}

/* Adds @months, clamping to the end of a shorter month (Jan 31 + 1 month = Feb 28/29). */
ClDay
cl_day_add_months (ClDay day,
                   int   months)
{
  int y, m, d, total;

  if (day == CL_DAY_NONE)
    return CL_DAY_NONE;
  cl_day_to_ymd (day, &y, &m, &d);
  total = y * 12 + (m - 1) + months;
  y = total >= 0 ? total / 12 : (total - 11) / 12;
  m = total - y * 12 + 1;
  return cl_day_from_ymd (y, m, MIN (d, days_in_month (y, m)));
}

static GTimeZone *
time_zone_new (const char *identifier)
{
  GTimeZone *tz = NULL;

  if (identifier != NULL && *identifier != '\0')
    tz = g_time_zone_new_identifier (identifier);
  if (tz == NULL)
    tz = g_time_zone_new_local ();
  return tz;
}

ClDay
cl_day_today (const char *time_zone)
{
  g_autoptr(GTimeZone) tz = time_zone_new (time_zone);
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);

  return cl_day_from_ymd (g_date_time_get_year (now), g_date_time_get_month (now),
                          g_date_time_get_day_of_month (now));
}

/**
 * cl_time_parse:
 * @text: (nullable): "YYYY-MM-DDTHH:MM:SSZ" (UTC), or a bare date (midnight UTC)
 *
 * Returns: the instant, or %CL_TIME_NONE
 */
ClTime
cl_time_parse (const char *text)
{
  ClDay day = cl_day_parse (text);
  int h = 0, mi = 0, s = 0;

  if (day == CL_DAY_NONE)
    return CL_TIME_NONE;
  if (text[10] != '\0')
    {
      if (strlen (text) < 19 || !parse_digits (text + 11, 2, &h) || text[13] != ':' ||
          !parse_digits (text + 14, 2, &mi) || text[16] != ':' ||
          !parse_digits (text + 17, 2, &s) || h > 23 || mi > 59 || s > 60)
        return CL_TIME_NONE;
    }
  return (ClTime) day * 86400 + h * 3600 + mi * 60 + s;
}

/**
 * cl_report_time_zone_new:
 * @identifier: (nullable): the organization's zone ("America/New_York")
 *
 * Returns: (transfer full): the zone reports turn instants into local days in; UTC when
 *   @identifier is empty or unknown
 */
GTimeZone *
cl_report_time_zone_new (const char *identifier)
{
  GTimeZone *tz = NULL;

  if (identifier != NULL && *identifier != '\0')
    tz = g_time_zone_new_identifier (identifier);
  return tz != NULL ? tz : g_time_zone_new_utc ();
}

/**
 * cl_day_from_time:
 *
 * Returns: the local day in @time_zone of the instant @time, %CL_DAY_NONE for none
 */
ClDay
cl_day_from_time (ClTime     time,
                  GTimeZone *time_zone)
{
  gint64 local;

  if (time == CL_TIME_NONE)
    return CL_DAY_NONE;
  local = time + g_time_zone_get_offset (time_zone,
                                         g_time_zone_find_interval (time_zone,
                                                                    G_TIME_TYPE_UNIVERSAL, time));
  return (ClDay) (local >= 0 ? local / 86400 : (local - 86399) / 86400);
}

/**
 * cl_time_from_day:
 *
 * Returns: the instant local day @day begins in @time_zone
 */
ClTime
cl_time_from_day (ClDay      day,
                  GTimeZone *time_zone)
{
  g_autoptr(GDateTime) start = NULL;
  int y, m, d;

  if (day == CL_DAY_NONE)
    return CL_TIME_NONE;
  cl_day_to_ymd (day, &y, &m, &d);
  start = g_date_time_new (time_zone, y, m, d, 0, 0, 0);
  return start != NULL ? g_date_time_to_unix (start) : CL_TIME_NONE;
}

/**
 * cl_time_to_string:
 *
 * Returns: @time as "YYYY-MM-DDTHH:MM:SSZ", "" for none
 */
char *
cl_time_to_string (ClTime time)
{
  g_autoptr(GDateTime) t = NULL;

  if (time == CL_TIME_NONE || (t = g_date_time_new_from_unix_utc (time)) == NULL)
    return g_strdup ("");
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
}

/* Enumerations ------------------------------------------------------------------------- */

static const char *const enum_names[CL_REPORT_N_ENUMS] = {
  [CL_REPORT_ENUM_BOROUGH] = "borough",
  [CL_REPORT_ENUM_GENDER] = "gender",
  [CL_REPORT_ENUM_RACE] = "race_ethnicity",
  [CL_REPORT_ENUM_AGE_BAND] = "age_band",
  [CL_REPORT_ENUM_SPECIAL] = "special_classification",
  [CL_REPORT_ENUM_CHANNEL] = "channel",
  [CL_REPORT_ENUM_TRACK] = "track",
  [CL_REPORT_ENUM_STATUS] = "case_status",
  [CL_REPORT_ENUM_CLOSURE_REASON] = "closure_reason",
  [CL_REPORT_ENUM_VICTIM_ROLE] = "victim_role",
  [CL_REPORT_ENUM_FUNDING] = "funding_source",
  [CL_REPORT_ENUM_REFERRAL_SOURCE] = "referral_source",
  [CL_REPORT_ENUM_VICTIMIZATION] = "victimization_type",
  [CL_REPORT_ENUM_TRAFFICKING_TYPE] = "trafficking_type",
  [CL_REPORT_ENUM_DIRECTION] = "direction",
  [CL_REPORT_ENUM_CONTACT_OUTCOME] = "contact_outcome",
  [CL_REPORT_ENUM_SERVICE_CODE] = "service_code",
  [CL_REPORT_ENUM_REFERRAL_SERVICE] = "referral_service",
  [CL_REPORT_ENUM_REFERRAL_OUTCOME] = "referral_outcome",
  [CL_REPORT_ENUM_IMMIGRATION_TYPE] = "immigration_type",
  [CL_REPORT_ENUM_DECISION] = "decision",
  [CL_REPORT_ENUM_LEGAL_TYPE] = "legal_type",
  [CL_REPORT_ENUM_LEGAL_STATUS] = "legal_status",
  [CL_REPORT_ENUM_CLAIM_STATUS] = "claim_status",
};

const ClEnum *
_cl_report_enum (ClReportEnumId id)
{
  static const ClEnum *enums[CL_REPORT_N_ENUMS];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < CL_REPORT_N_ENUMS; i++)
        {
          enums[i] = cl_schema_lookup_enum (enum_names[i]);
          g_assert (enums[i] != NULL);
          /* Sets are bit masks of at most 64 bits; code indexes fit a gint8. */
          g_assert (enums[i]->n_values <= 64);
        }
      g_once_init_leave (&initialized, 1);
    }
  return enums[id];
}

int
_cl_report_enum_index (ClReportEnumId  id,
                       const char     *code)
{
  const ClEnum *e = _cl_report_enum (id);

  if (code == NULL || *code == '\0')
    return -1;
  for (guint i = 0; i < e->n_values; i++)
    if (strcmp (e->values[i].code, code) == 0)
      return (int) i;
  return -2;
}

const char *
_cl_report_enum_code (ClReportEnumId id,
                      int            index)
{
  const ClEnum *e = _cl_report_enum (id);

  g_return_val_if_fail (index >= 0 && (guint) index < e->n_values, NULL);
  return e->values[index].code;
}

const char *
_cl_report_enum_label (ClReportEnumId id,
                       int            index)
{
  const ClEnum *e = _cl_report_enum (id);

  g_return_val_if_fail (index >= 0 && (guint) index < e->n_values, NULL);
  return _(e->values[index].label);
}

/* The funder's age bands, from an age in whole years. */
int
_cl_report_age_band_for_age (gint64 age)
{
  const char *code;

  if (age < 0 || age > 150)
    return -1;
  if (age <= 12)
    code = "0_12";
  else if (age <= 17)
    code = "13_17";
  else if (age <= 24)
    code = "18_24";
  else if (age <= 59)
    code = "25_59";
  else
    code = "60_plus";
  return _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, code);
}


/* The list of reports ------------------------------------------------------------------- */

/* In the order they are offered: common/reports/meson.build. */
static const ClReportDef *const defs[] = {
#define CL_REPORT(name) &cl_report_def_##name,
  CL_REPORT_LIST
#undef CL_REPORT
};

/* The public face of the definitions, as one array (cl_report_list()). */
static ClReportInfo infos[G_N_ELEMENTS (defs)];

static const ClReportInfo *
get_infos (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
        infos[i] = defs[i]->info;
      g_once_init_leave (&done, 1);
    }
  return infos;
}

/**
 * cl_report_list:
 *
 * Returns: (array length=n_reports): every report, in the order they are offered
 */
const ClReportInfo *
cl_report_list (guint *n_reports)
{
  if (n_reports != NULL)
    *n_reports = G_N_ELEMENTS (defs);
  return get_infos ();
}

static int
def_index (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (defs); i++)
    if (g_str_equal (defs[i]->info.name, name))
      return (int) i;
  return -1;
}

const ClReportDef *
_cl_report_def_lookup (const char *name)
{
  int i = def_index (name);

  return i >= 0 ? defs[i] : NULL;
}

const ClReportInfo *
cl_report_lookup (const char *name)
{
  int i = def_index (name);

  return i >= 0 ? &get_infos ()[i] : NULL;
}

/**
 * cl_report_needs:
 *
 * Returns: what an adapter must load for @name with @params: lists that identify cases
 *   (case numbers) are not loaded for a report exported for outside use; 0 if there is no
 *   such report
 */
ClReportNeeds
cl_report_needs (const char           *name,
                 const ClReportParams *params)
{
  const ClReportDef *def = _cl_report_def_lookup (name);
  ClReportNeeds needs;

  if (def == NULL)
    return 0;
  needs = def->info.needs;
  if (params != NULL && params->outside)
    needs &= ~CL_REPORT_NEED_CASE_NUMBER;
  return needs;
}

/**
 * cl_report_case_scope:
 *
 * Returns: the cases report @name can read: an adapter may leave out the others (and what
 *   hangs off them) and get the same result
 */
ClReportCaseScope
cl_report_case_scope (const char           *name,
                      const ClReportParams *params)
{
  const ClReportDef *def = _cl_report_def_lookup (name);

  g_return_val_if_fail (params != NULL, CL_REPORT_SCOPE_ALL);

  if (def == NULL)
    return CL_REPORT_SCOPE_ALL;
  if (def->case_scope_for != NULL)
    return def->case_scope_for (params);
  return def->case_scope;
}

/**
 * cl_report_service_window:
 * @from: (out): the first day of services the report reads, %CL_DAY_NONE for no limit
 * @to: (out): the last day
 *
 * Returns: %TRUE if the report reads only services dated in [@from, @to]; %FALSE if it
 *   reads them all (or none)
 */
gboolean
cl_report_service_window (const char           *name,
                          const ClReportParams *params,
                          ClDay                *from,
                          ClDay                *to)
{
  const ClReportDef *def = _cl_report_def_lookup (name);

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  *from = CL_DAY_NONE;
  *to = CL_DAY_NONE;
  if (def == NULL || !(def->info.needs & CL_REPORT_NEED_SERVICES))
    return FALSE;
  switch (def->service_window)
    {
    case CL_REPORT_WINDOW_NONE:
      return FALSE;
    case CL_REPORT_WINDOW_PERIOD:
      *from = params->from;
      break;
    case CL_REPORT_WINDOW_FISCAL_YEAR:
      *from = cl_report_fiscal_year_start (params->from, params->fiscal_start_month);
      break;
    case CL_REPORT_WINDOW_UNTIL_END:
      break;
    default:
      g_assert_not_reached ();
    }
  *to = params->to;
  return TRUE;
}

/**
 * cl_report_command_filter:
 * @facts: facts holding at least the commands
 *
 * Returns: (transfer full) (nullable) (element-type utf8): the codes of the commands the
 *   parameters select (commands and borough), for an adapter to restrict its queries to;
 *   %NULL when every command is selected. An empty array selects none.
 */
GPtrArray *
cl_report_command_filter (const ClReportParams *params,
                          const ClReportFacts  *facts)
{
  GPtrArray *codes;
  int borough;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (facts != NULL, NULL);

  if (params->borough == NULL && (params->commands == NULL || params->commands[0] == NULL))
    return NULL;
  borough = params->borough != NULL ? _cl_report_enum_index (CL_REPORT_ENUM_BOROUGH, params->borough) : -1;
  codes = g_ptr_array_new_with_free_func (g_free);
  if (params->borough == NULL)
    {
      /* Named commands are kept even if the facts do not describe them. */
      for (guint i = 0; params->commands[i] != NULL; i++)
        g_ptr_array_add (codes, g_ascii_strup (params->commands[i], -1));
      return codes;
    }
  for (guint i = 0; i < facts->commands->len; i++)
    {
      const ClReportCommand *c = &g_array_index (facts->commands, ClReportCommand, i);

      if (_cl_report_command_selected (params, c, borough))
        g_ptr_array_add (codes, g_strdup (c->code));
    }
  return codes;
}
/**
 * cl_report_run:
 * @facts: facts loaded with at least cl_report_needs (@name, @params)
 *
 * Computes the report. With params->outside set, small-cell suppression is applied
 * (cl_report_result_suppress()) before the result is returned.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
ClReportResult *
cl_report_run (const char           *name,
               const ClReportFacts  *facts,
               const ClReportParams *params,
               GError              **error)
{
  return cl_report_run_full (name, facts, params, CL_REPORT_RUN_NONE, error);
}

/**
 * cl_report_run_full:
 * @flags: %CL_REPORT_RUN_TRACE_CASES to keep, for every count, the cases behind it
 *   (cl_report_result_get_cases()); ignored for funder reports
 *
 * Like cl_report_run(). Tracing is refused for outside use.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
ClReportResult *
cl_report_run_full (const char           *name,
                    const ClReportFacts  *facts,
                    const ClReportParams *params,
                    ClReportRunFlags      flags,
                    GError              **error)
{
  const ClReportDef *def;
  ClReportNeeds needs;
  ClReportResult *result;
  gboolean trace;
  Ctx ctx;

  g_return_val_if_fail (facts != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  def = _cl_report_def_lookup (name);
  if (def == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", defs[i]->info.name);
      g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_UNKNOWN_REPORT,
                   _("Unknown report “%s”; the reports are: %s"), name ? name : "", names->str);
      return NULL;
    }
  if (!cl_report_params_validate (params, error))
    return NULL;
  trace = (flags & CL_REPORT_RUN_TRACE_CASES) != 0 && !def->info.funder;
  if (trace && params->outside)
    {
      g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                           "a report for outside use never refers to cases");
      return NULL;
    }
  needs = cl_report_needs (name, params);
  if ((facts->loaded & needs) != needs)
    {
      g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_NOT_LOADED,
                   "the facts lack what report %s needs (0x%x of 0x%x)", name,
                   (guint) (facts->loaded & needs), (guint) needs);
      return NULL;
    }

  _cl_report_ctx_init (&ctx, facts, params);
  ctx.trace = trace;
  result = def->run (&ctx, &def->info, error);
  _cl_report_ctx_free (&ctx);
  if (result != NULL && trace)
    _cl_report_result_end_trace (result, facts);
  if (result != NULL && params->outside)
    cl_report_result_suppress (result, params->threshold);
  return result;
}
