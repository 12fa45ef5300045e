/* cl-report.c: facts, parameters, results and small-cell suppression of the report engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report definitions themselves live in cl-report-defs.c. docs/REPORTS.md describes
 * the counting rules and the suppression method.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-l10n.h"
#include "cl-report-private.h"

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

/* Facts -------------------------------------------------------------------------------- */

#define COL(n) { n, 0 }
#define COLN(n, need) { n, need }

static const ClReportFactColumn command_columns[] = {
  COL ("code"), COL ("borough"), COL ("name"),
};
static const ClReportFactColumn client_columns[] = {
  COL ("id"), COL ("gender"), COL ("age_band"), COL ("age_at_intake"), COL ("race_ethnicity"),
  COL ("special_classifications"), COL ("restricted"),
  COLN ("safe_channel", CL_REPORT_NEED_SAFE_CHANNEL),
  COLN ("age_from_dob", CL_REPORT_NEED_AGE_FROM_DOB),
};
static const ClReportFactColumn case_columns[] = {
  COL ("id"), COL ("client_id"), COL ("command"), COL ("assigned_to"), COL ("track"),
  COL ("status"), COL ("referral_received_at"), COL ("opened_at"), COL ("closed_at"),
  COL ("closure_reason"), COL ("victim_role"), COL ("funding_sources"), COL ("restricted"),
  COLN ("last_note_at", CL_REPORT_NEED_LAST_NOTE),
  COLN ("case_number", CL_REPORT_NEED_CASE_NUMBER),
  COLN ("status_on", CL_REPORT_NEED_STATUS_ON),
};
static const ClReportFactColumn referral_columns[] = {
  COL ("case_id"), COL ("received_at"), COL ("source"),
};
static const ClReportFactColumn victimization_columns[] = {
  COL ("case_id"), COL ("type"), COL ("trafficking_type"), COL ("minor_at_time"),
  COLN ("foreign_national", CL_REPORT_NEED_FOREIGN_NATIONAL),
};
static const ClReportFactColumn contact_columns[] = {
  COL ("case_id"), COL ("at"), COL ("advocate"), COL ("direction"), COL ("channel"),
  COL ("outcome"),
};
static const ClReportFactColumn service_columns[] = {
  COL ("case_id"), COL ("date"), COL ("advocate"), COL ("code"), COL ("times"),
  COL ("funding_source"),
};
static const ClReportFactColumn immigration_columns[] = {
  COL ("case_id"), COL ("type"), COL ("decision"), COL ("requested_on"), COL ("decided_on"),
  COL ("filed_on"), COL ("expires_on"), COL ("ages_out_on"),
};
static const ClReportFactColumn legal_columns[] = {
  COL ("case_id"), COL ("type"), COL ("status"), COL ("next_court_date"),
  COL ("order_expires_on"),
};
static const ClReportFactColumn compensation_columns[] = {
  COL ("case_id"), COL ("crime_date"), COL ("filed_on"), COL ("status"),
};
static const ClReportFactColumn task_columns[] = {
  COL ("case_id"), COL ("due"), COL ("done"),
};
static const ClReportFactColumn safety_plan_columns[] = {
  COL ("case_id"), COL ("completed_on"), COL ("reviewed_on"),
};
static const ClReportFactColumn release_columns[] = {
  COL ("client_id"), COL ("signed_on"), COL ("expires_on"), COL ("revoked_on"),
};
static const ClReportFactColumn outbound_columns[] = {
  COL ("case_id"), COL ("date"), COL ("service_type"), COL ("outcome"),
};
static const ClReportFactColumn category_columns[] = {
  COL ("list"), COL ("version"), COL ("valid_from"), COL ("local_code"), COL ("funder_code"),
  COL ("funder_label"),
};

#define SPEC(k, t, c) { k, t, c, G_N_ELEMENTS (c) }

static const ClReportFactSpec specs[CL_REPORT_N_FACT_KINDS] = {
  SPEC (CL_REPORT_FACT_COMMAND, "command", command_columns),
  SPEC (CL_REPORT_FACT_CLIENT, "client", client_columns),
  SPEC (CL_REPORT_FACT_CASE, "case", case_columns),
  SPEC (CL_REPORT_FACT_REFERRAL, "referral", referral_columns),
  SPEC (CL_REPORT_FACT_VICTIMIZATION, "victimization", victimization_columns),
  SPEC (CL_REPORT_FACT_CONTACT, "contact", contact_columns),
  SPEC (CL_REPORT_FACT_SERVICE, "service", service_columns),
  SPEC (CL_REPORT_FACT_IMMIGRATION, "immigration", immigration_columns),
  SPEC (CL_REPORT_FACT_LEGAL_MATTER, "legal_matter", legal_columns),
  SPEC (CL_REPORT_FACT_COMPENSATION, "compensation", compensation_columns),
  SPEC (CL_REPORT_FACT_TASK, "task", task_columns),
  SPEC (CL_REPORT_FACT_SAFETY_PLAN, "safety_plan", safety_plan_columns),
  SPEC (CL_REPORT_FACT_RELEASE, "release", release_columns),
  SPEC (CL_REPORT_FACT_OUTBOUND_REFERRAL, "outbound_referral", outbound_columns),
  SPEC (CL_REPORT_FACT_CATEGORY, NULL, category_columns),
};

/**
 * cl_report_fact_spec:
 *
 * Returns: the columns an adapter selects for @kind, in the order
 *   cl_report_facts_add_row() expects them
 */
const ClReportFactSpec *
cl_report_fact_spec (ClReportFactKind kind)
{
  g_return_val_if_fail (kind < CL_REPORT_N_FACT_KINDS, NULL);
  return &specs[kind];
}

static void
clear_command (gpointer data)
{
  ClReportCommand *c = data;

  g_free (c->code);
  g_free (c->name);
}

static void
clear_case (gpointer data)
{
  ClReportCase *c = data;

  g_free (c->id);
  g_free (c->number);
}

static void
clear_category (gpointer data)
{
  ClReportCategory *c = data;

  g_free (c->list);
  g_free (c->version);
  g_free (c->local_code);
  g_free (c->funder_code);
  g_free (c->funder_label);
}

ClReportFacts *
cl_report_facts_new (ClReportNeeds loaded)
{
  ClReportFacts *f = g_new0 (ClReportFacts, 1);

  f->loaded = loaded;
  f->commands = g_array_new (FALSE, TRUE, sizeof (ClReportCommand));
  g_array_set_clear_func (f->commands, clear_command);
  f->clients = g_array_new (FALSE, TRUE, sizeof (ClReportClient));
  f->cases = g_array_new (FALSE, TRUE, sizeof (ClReportCase));
  g_array_set_clear_func (f->cases, clear_case);
  f->referrals = g_array_new (FALSE, TRUE, sizeof (ClReportReferral));
  f->victimizations = g_array_new (FALSE, TRUE, sizeof (ClReportVictimization));
  f->contacts = g_array_new (FALSE, TRUE, sizeof (ClReportContact));
  f->services = g_array_new (FALSE, TRUE, sizeof (ClReportService));
  f->immigration = g_array_new (FALSE, TRUE, sizeof (ClReportImmigration));
  f->legal_matters = g_array_new (FALSE, TRUE, sizeof (ClReportLegalMatter));
  f->compensation = g_array_new (FALSE, TRUE, sizeof (ClReportCompensation));
  f->tasks = g_array_new (FALSE, TRUE, sizeof (ClReportTask));
  f->safety_plans = g_array_new (FALSE, TRUE, sizeof (ClReportSafetyPlan));
  f->releases = g_array_new (FALSE, TRUE, sizeof (ClReportRelease));
  f->outbound = g_array_new (FALSE, TRUE, sizeof (ClReportOutbound));
  f->categories = g_array_new (FALSE, TRUE, sizeof (ClReportCategory));
  g_array_set_clear_func (f->categories, clear_category);
  f->advocates = g_ptr_array_new_with_free_func (g_free);
  f->compensation_deadline_days = 365;
  f->strings = g_string_chunk_new (64 * 1024);
  f->client_ids = g_hash_table_new (g_str_hash, g_str_equal);
  f->case_ids = g_hash_table_new (g_str_hash, g_str_equal);
  f->advocate_ids = g_hash_table_new (g_str_hash, g_str_equal);
  f->command_ids = g_hash_table_new (g_str_hash, g_str_equal);
  return f;
}

/**
 * cl_report_facts_seal:
 *
 * Drops the id maps used while loading. Rows added afterwards are refused.
 */
void
cl_report_facts_seal (ClReportFacts *f)
{
  g_return_if_fail (f != NULL);

  g_clear_pointer (&f->client_ids, g_hash_table_unref);
  g_clear_pointer (&f->case_ids, g_hash_table_unref);
  g_clear_pointer (&f->strings, g_string_chunk_free);
}

void
cl_report_facts_free (ClReportFacts *f)
{
  if (f == NULL)
    return;
  cl_report_facts_seal (f);
  g_clear_pointer (&f->advocate_ids, g_hash_table_unref);
  g_clear_pointer (&f->command_ids, g_hash_table_unref);
  g_array_unref (f->commands);
  g_array_unref (f->clients);
  g_array_unref (f->cases);
  g_array_unref (f->referrals);
  g_array_unref (f->victimizations);
  g_array_unref (f->contacts);
  g_array_unref (f->services);
  g_array_unref (f->immigration);
  g_array_unref (f->legal_matters);
  g_array_unref (f->compensation);
  g_array_unref (f->tasks);
  g_array_unref (f->safety_plans);
  g_array_unref (f->releases);
  g_array_unref (f->outbound);
  g_array_unref (f->categories);
  g_ptr_array_unref (f->advocates);
  g_free (f);
}

static gboolean
fact_error (GError           **error,
            ClReportFactKind   kind,
            const char        *column,
            const char        *value)
{
  /* The value is a code or a date: never client data (cl_report_fact_spec()). */
  g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_FACT,
               "invalid %s.%s: “%s”", specs[kind].type ? specs[kind].type : "category",
               column, value);
  return FALSE;
}

static gboolean
get_enum (ClReportFactKind   kind,
          const char *const *values,
          guint              column,
          ClReportEnumId     id,
          gint8             *out,
          GError           **error)
{
  int index = _cl_report_enum_index (id, values[column]);

  if (index == -2)
    return fact_error (error, kind, specs[kind].columns[column].name, values[column]);
  *out = (gint8) index;
  return TRUE;
}

static gboolean
get_set (ClReportFactKind   kind,
         const char *const *values,
         guint              column,
         ClReportEnumId     id,
         guint64           *out,
         GError           **error)
{
  g_auto(GStrv) codes = NULL;

  *out = 0;
  if (values[column] == NULL || *values[column] == '\0')
    return TRUE;
  codes = g_strsplit (values[column], ";", -1);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      int index = _cl_report_enum_index (id, g_strstrip (codes[i]));

      if (index == -1)
        continue;
      if (index < 0)
        return fact_error (error, kind, specs[kind].columns[column].name, values[column]);
      *out |= G_GUINT64_CONSTANT (1) << index;
    }
  return TRUE;
}

static gboolean
get_day (ClReportFactKind   kind,
         const char *const *values,
         guint              column,
         ClDay             *out,
         GError           **error)
{
  *out = CL_DAY_NONE;
  if (values[column] == NULL || *values[column] == '\0')
    return TRUE;
  *out = cl_day_parse (values[column]);
  if (*out == CL_DAY_NONE)
    return fact_error (error, kind, specs[kind].columns[column].name, values[column]);
  return TRUE;
}

static gboolean
get_time (ClReportFactKind   kind,
          const char *const *values,
          guint              column,
          ClTime            *out,
          GError           **error)
{
  *out = CL_TIME_NONE;
  if (values[column] == NULL || *values[column] == '\0')
    return TRUE;
  *out = cl_time_parse (values[column]);
  if (*out == CL_TIME_NONE)
    return fact_error (error, kind, specs[kind].columns[column].name, values[column]);
  return TRUE;
}

static gboolean
get_int (ClReportFactKind   kind,
         const char *const *values,
         guint              column,
         gint64            *out,
         GError           **error)
{
  char *end = NULL;

  *out = -1;
  if (values[column] == NULL || *values[column] == '\0')
    return TRUE;
  *out = g_ascii_strtoll (values[column], &end, 10);
  if (end == values[column] || *end != '\0')
    return fact_error (error, kind, specs[kind].columns[column].name, values[column]);
  return TRUE;
}

static gint8
get_bool (const char *const *values,
          guint              column)
{
  const char *v = values[column];

  if (v == NULL || *v == '\0')
    return -1;
  return (strcmp (v, "1") == 0 || g_ascii_strcasecmp (v, "true") == 0 ||
          g_ascii_strcasecmp (v, "t") == 0) ? 1 : 0;
}

static guint32
intern_advocate (ClReportFacts *f,
                 const char    *username)
{
  gpointer index;
  char *copy;

  if (username == NULL || *username == '\0')
    return CL_REPORT_NO_INDEX;
  if (g_hash_table_lookup_extended (f->advocate_ids, username, NULL, &index))
    return GPOINTER_TO_UINT (index);
  copy = g_strdup (username);
  g_ptr_array_add (f->advocates, copy);
  g_hash_table_insert (f->advocate_ids, copy, GUINT_TO_POINTER (f->advocates->len - 1));
  return f->advocates->len - 1;
}

static guint32
lookup_index (GHashTable *ids,
              const char *id)
{
  gpointer index;

  if (id == NULL || ids == NULL || !g_hash_table_lookup_extended (ids, id, NULL, &index))
    return CL_REPORT_NO_INDEX;
  return GPOINTER_TO_UINT (index);
}

static guint32
add_client_placeholder (ClReportFacts *f,
                        const char    *id)
{
  ClReportClient c = { 0, };

  c.gender = -1;
  c.age_band = -1;
  g_array_append_val (f->clients, c);
  if (id != NULL)
    g_hash_table_insert (f->client_ids, g_string_chunk_insert (f->strings, id),
                         GUINT_TO_POINTER (f->clients->len - 1));
  return f->clients->len - 1;
}

static gboolean
add_client (ClReportFacts      *f,
            const char *const  *v,
            GError            **error)
{
  const ClReportFactKind k = CL_REPORT_FACT_CLIENT;
  ClReportClient c = { 0, };
  guint64 race, special;
  gint64 age_at_intake, age_from_dob;
  guint32 index;

  if (v[0] == NULL)
    return fact_error (error, k, "id", "");
  if (!get_enum (k, v, 1, CL_REPORT_ENUM_GENDER, &c.gender, error) ||
      !get_enum (k, v, 2, CL_REPORT_ENUM_AGE_BAND, &c.age_band, error) ||
      !get_int (k, v, 3, &age_at_intake, error) ||
      !get_set (k, v, 4, CL_REPORT_ENUM_RACE, &race, error) ||
      !get_set (k, v, 5, CL_REPORT_ENUM_SPECIAL, &special, error) ||
      !get_int (k, v, 8, &age_from_dob, error))
    return FALSE;
  c.race = (guint16) race;
  c.special = (guint16) special;
  if (c.age_band < 0 && age_at_intake >= 0)
    c.age_band = (gint8) _cl_report_age_band_for_age (age_at_intake);
  if (c.age_band < 0 && age_from_dob >= 0)
    c.age_band = (gint8) _cl_report_age_band_for_age (age_from_dob);
  if (get_bool (v, 6) == 1)
    c.flags |= CL_REPORT_CLIENT_RESTRICTED;
  if (get_bool (v, 7) == 1)
    c.flags |= CL_REPORT_CLIENT_SAFE_CHANNEL;

  index = lookup_index (f->client_ids, v[0]);
  if (index == CL_REPORT_NO_INDEX)
    index = add_client_placeholder (f, v[0]);
  g_array_index (f->clients, ClReportClient, index) = c;
  return TRUE;
}

static guint32
lookup_command (ClReportFacts *f,
                const char    *code)
{
  ClReportCommand c = { 0, };
  gpointer index;

  if (code == NULL || *code == '\0')
    return CL_REPORT_NO_INDEX;
  if (g_hash_table_lookup_extended (f->command_ids, code, NULL, &index))
    return GPOINTER_TO_UINT (index);
  /* A command the facts do not describe: kept by code, borough unknown. */
  c.code = g_strdup (code);
  c.borough = -1;
  g_array_append_val (f->commands, c);
  g_hash_table_insert (f->command_ids, c.code, GUINT_TO_POINTER (f->commands->len - 1));
  return f->commands->len - 1;
}

static gboolean
add_case (ClReportFacts      *f,
          const char *const  *v,
          GError            **error)
{
  const ClReportFactKind k = CL_REPORT_FACT_CASE;
  ClReportCase c = { 0, };
  guint64 funding;

  if (v[0] == NULL)
    return fact_error (error, k, "id", "");
  if (!get_enum (k, v, 4, CL_REPORT_ENUM_TRACK, &c.track, error) ||
      !get_enum (k, v, 5, CL_REPORT_ENUM_STATUS, &c.status, error) ||
      !get_time (k, v, 6, &c.received, error) ||
      !get_day (k, v, 7, &c.opened, error) ||
      !get_day (k, v, 8, &c.closed, error) ||
      !get_enum (k, v, 9, CL_REPORT_ENUM_CLOSURE_REASON, &c.closure_reason, error) ||
      !get_enum (k, v, 10, CL_REPORT_ENUM_VICTIM_ROLE, &c.victim_role, error) ||
      !get_set (k, v, 11, CL_REPORT_ENUM_FUNDING, &funding, error) ||
      !get_time (k, v, 13, &c.last_note, error) ||
      !get_enum (k, v, 15, CL_REPORT_ENUM_STATUS, &c.status_on, error))
    return FALSE;
  if (lookup_index (f->case_ids, v[0]) != CL_REPORT_NO_INDEX)
    return TRUE;
  c.client = lookup_index (f->client_ids, v[1]);
  if (c.client == CL_REPORT_NO_INDEX)
    c.client = add_client_placeholder (f, v[1]);
  c.command = lookup_command (f, v[2]);
  c.advocate = intern_advocate (f, v[3]);
  c.funding = (guint8) funding;
  if (get_bool (v, 12) == 1)
    c.flags |= CL_REPORT_CASE_RESTRICTED;
  c.id = g_strdup (v[0]);
  c.number = g_strdup (v[14]);
  g_array_append_val (f->cases, c);
  g_hash_table_insert (f->case_ids, g_string_chunk_insert (f->strings, v[0]),
                       GUINT_TO_POINTER (f->cases->len - 1));
  return TRUE;
}

/**
 * cl_report_facts_add_row:
 * @values: the columns of cl_report_fact_spec (@kind), as stored (normalized text);
 *   %NULL for empty
 *
 * Adds one row. Clients must come before their cases and cases before their children: a
 * child whose case was not loaded is skipped (the adapter filtered that case out); a case
 * whose client was not loaded gets a client of unknown demographics.
 *
 * Returns: %FALSE if a value is malformed
 */
gboolean
cl_report_facts_add_row (ClReportFacts      *f,
                         ClReportFactKind    kind,
                         const char *const  *v,
                         GError            **error)
{
  guint32 case_index = CL_REPORT_NO_INDEX;

  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (kind < CL_REPORT_N_FACT_KINDS, FALSE);
  g_return_val_if_fail (v != NULL, FALSE);
  g_return_val_if_fail (f->case_ids != NULL, FALSE);

  if (kind != CL_REPORT_FACT_COMMAND && kind != CL_REPORT_FACT_CLIENT &&
      kind != CL_REPORT_FACT_CASE && kind != CL_REPORT_FACT_RELEASE &&
      kind != CL_REPORT_FACT_CATEGORY)
    {
      case_index = lookup_index (f->case_ids, v[0]);
      if (case_index == CL_REPORT_NO_INDEX)
        return TRUE;
    }

  switch (kind)
    {
    case CL_REPORT_FACT_COMMAND:
      {
        ClReportCommand c = { 0, };
        guint32 index;

        if (v[0] == NULL)
          return fact_error (error, kind, "code", "");
        if (!get_enum (kind, v, 1, CL_REPORT_ENUM_BOROUGH, &c.borough, error))
          return FALSE;
        index = lookup_command (f, v[0]);
        g_array_index (f->commands, ClReportCommand, index).borough = c.borough;
        g_free (g_array_index (f->commands, ClReportCommand, index).name);
        g_array_index (f->commands, ClReportCommand, index).name = g_strdup (v[2]);
        return TRUE;
      }

    case CL_REPORT_FACT_CLIENT:
      return add_client (f, v, error);

    case CL_REPORT_FACT_CASE:
      return add_case (f, v, error);

    case CL_REPORT_FACT_REFERRAL:
      {
        ClReportReferral r = { case_index, CL_TIME_NONE, -1 };

        if (!get_time (kind, v, 1, &r.received, error) ||
            !get_enum (kind, v, 2, CL_REPORT_ENUM_REFERRAL_SOURCE, &r.source, error))
          return FALSE;
        g_array_append_val (f->referrals, r);
        return TRUE;
      }

    case CL_REPORT_FACT_VICTIMIZATION:
      {
        ClReportVictimization r = { case_index, -1, -1, -1, -1 };

        if (!get_enum (kind, v, 1, CL_REPORT_ENUM_VICTIMIZATION, &r.type, error) ||
            !get_enum (kind, v, 2, CL_REPORT_ENUM_TRAFFICKING_TYPE, &r.trafficking_type,
                       error))
          return FALSE;
        r.minor = get_bool (v, 3);
        r.foreign_national = get_bool (v, 4);
        g_array_append_val (f->victimizations, r);
        return TRUE;
      }

    case CL_REPORT_FACT_CONTACT:
      {
        ClReportContact r = { case_index, CL_REPORT_NO_INDEX, CL_TIME_NONE, -1, -1, -1 };

        if (!get_time (kind, v, 1, &r.at, error) ||
            !get_enum (kind, v, 3, CL_REPORT_ENUM_DIRECTION, &r.direction, error) ||
            !get_enum (kind, v, 4, CL_REPORT_ENUM_CHANNEL, &r.channel, error) ||
            !get_enum (kind, v, 5, CL_REPORT_ENUM_CONTACT_OUTCOME, &r.outcome, error))
          return FALSE;
        if (r.at == CL_TIME_NONE)
          return fact_error (error, kind, "at", "");
        r.advocate = intern_advocate (f, v[2]);
        g_array_append_val (f->contacts, r);
        return TRUE;
      }

    case CL_REPORT_FACT_SERVICE:
      {
        ClReportService r = { case_index, CL_REPORT_NO_INDEX, CL_DAY_NONE, 1, -1, -1 };
        gint64 times;

        if (!get_day (kind, v, 1, &r.date, error) ||
            !get_enum (kind, v, 3, CL_REPORT_ENUM_SERVICE_CODE, &r.code, error) ||
            !get_int (kind, v, 4, &times, error) ||
            !get_enum (kind, v, 5, CL_REPORT_ENUM_FUNDING, &r.funding, error))
          return FALSE;
        if (r.date == CL_DAY_NONE)
          return fact_error (error, kind, "date", "");
        if (r.code < 0)
          return fact_error (error, kind, "code", "");
        /* A service recorded without a count was provided once. */
        r.times = times > 0 ? (guint32) MIN (times, G_MAXUINT32) : 1;
        r.advocate = intern_advocate (f, v[2]);
        g_array_append_val (f->services, r);
        return TRUE;
      }

    case CL_REPORT_FACT_IMMIGRATION:
      {
        ClReportImmigration r = { case_index, -1, -1, };

        if (!get_enum (kind, v, 1, CL_REPORT_ENUM_IMMIGRATION_TYPE, &r.type, error) ||
            !get_enum (kind, v, 2, CL_REPORT_ENUM_DECISION, &r.decision, error) ||
            !get_day (kind, v, 3, &r.requested, error) ||
            !get_day (kind, v, 4, &r.decided, error) ||
            !get_day (kind, v, 5, &r.filed, error) ||
            !get_day (kind, v, 6, &r.expires, error) ||
            !get_day (kind, v, 7, &r.ages_out, error))
          return FALSE;
        g_array_append_val (f->immigration, r);
        return TRUE;
      }

    case CL_REPORT_FACT_LEGAL_MATTER:
      {
        ClReportLegalMatter r = { case_index, -1, -1, CL_DAY_NONE, CL_DAY_NONE };

        if (!get_enum (kind, v, 1, CL_REPORT_ENUM_LEGAL_TYPE, &r.type, error) ||
            !get_enum (kind, v, 2, CL_REPORT_ENUM_LEGAL_STATUS, &r.status, error) ||
            !get_day (kind, v, 3, &r.next_court, error) ||
            !get_day (kind, v, 4, &r.order_expires, error))
          return FALSE;
        g_array_append_val (f->legal_matters, r);
        return TRUE;
      }

    case CL_REPORT_FACT_COMPENSATION:
      {
        ClReportCompensation r = { case_index, -1, CL_DAY_NONE, CL_DAY_NONE };

        if (!get_day (kind, v, 1, &r.crime, error) ||
            !get_day (kind, v, 2, &r.filed, error) ||
            !get_enum (kind, v, 3, CL_REPORT_ENUM_CLAIM_STATUS, &r.status, error))
          return FALSE;
        g_array_append_val (f->compensation, r);
        return TRUE;
      }

    case CL_REPORT_FACT_TASK:
      {
        ClReportTask r = { case_index, CL_DAY_NONE, FALSE };

        if (!get_day (kind, v, 1, &r.due, error))
          return FALSE;
        r.done = get_bool (v, 2) == 1;
        g_array_append_val (f->tasks, r);
        return TRUE;
      }

    case CL_REPORT_FACT_SAFETY_PLAN:
      {
        ClReportSafetyPlan r = { case_index, CL_DAY_NONE, CL_DAY_NONE };

        if (!get_day (kind, v, 1, &r.completed, error) ||
            !get_day (kind, v, 2, &r.reviewed, error))
          return FALSE;
        g_array_append_val (f->safety_plans, r);
        return TRUE;
      }

    case CL_REPORT_FACT_RELEASE:
      {
        ClReportRelease r = { CL_REPORT_NO_INDEX, CL_DAY_NONE, CL_DAY_NONE, CL_DAY_NONE };

        r.client = lookup_index (f->client_ids, v[0]);
        if (r.client == CL_REPORT_NO_INDEX)
          return TRUE;
        if (!get_day (kind, v, 1, &r.signed_on, error) ||
            !get_day (kind, v, 2, &r.expires, error) ||
            !get_day (kind, v, 3, &r.revoked, error))
          return FALSE;
        g_array_append_val (f->releases, r);
        return TRUE;
      }

    case CL_REPORT_FACT_OUTBOUND_REFERRAL:
      {
        ClReportOutbound r = { case_index, CL_DAY_NONE, -1, -1 };

        if (!get_day (kind, v, 1, &r.date, error) ||
            !get_enum (kind, v, 2, CL_REPORT_ENUM_REFERRAL_SERVICE, &r.service_type, error) ||
            !get_enum (kind, v, 3, CL_REPORT_ENUM_REFERRAL_OUTCOME, &r.outcome, error))
          return FALSE;
        g_array_append_val (f->outbound, r);
        return TRUE;
      }

    case CL_REPORT_FACT_CATEGORY:
      {
        ClReportCategory r = { 0, };

        for (guint i = 0; i < 6; i++)
          if (v[i] == NULL)
            return fact_error (error, kind, category_columns[i].name, "");
        if (!get_day (kind, v, 2, &r.valid_from, error))
          return FALSE;
        r.list = g_strdup (v[0]);
        r.version = g_strdup (v[1]);
        r.local_code = g_strdup (v[3]);
        r.funder_code = g_strdup (v[4]);
        r.funder_label = g_strdup (v[5]);
        g_array_append_val (f->categories, r);
        return TRUE;
      }

    case CL_REPORT_N_FACT_KINDS:
    default:
      g_assert_not_reached ();
    }
}

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

/* Results ------------------------------------------------------------------------------ */

static void
clear_cell (gpointer data)
{
  ClReportCell *cell = data;

  g_free (cell->text);
}

static void
column_free (gpointer data)
{
  ClReportColumn *c = data;

  g_free (c->key);
  g_free (c->label);
  g_free (c);
}

static void
row_free (gpointer data)
{
  ClReportRow *r = data;

  g_free (r->key);
  g_free (r->label);
  g_array_unref (r->cells);
  g_free (r);
}

static void
table_free (gpointer data)
{
  ClReportTable *t = data;

  g_free (t->key);
  g_free (t->title);
  g_free (t->row_header);
  g_free (t->note);
  g_ptr_array_unref (t->columns);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

ClReportResult *
_cl_report_result_new (const ClReportInfo   *info,
                       const ClReportParams *params)
{
  ClReportResult *r = g_new0 (ClReportResult, 1);

  r->name = g_strdup (info->name);
  r->title = g_strdup (_(info->title));
  r->description = g_strdup (_(info->description));
  r->funder = info->funder;
  r->params = cl_report_params_copy (params);
  r->generated_at = cl_now_utc ();
  r->tables = g_ptr_array_new_with_free_func (table_free);
  r->notes = g_ptr_array_new_with_free_func (g_free);
  r->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r->subsets = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
  return r;
}

void
cl_report_result_free (ClReportResult *r)
{
  if (r == NULL)
    return;
  g_free (r->name);
  g_free (r->title);
  g_free (r->description);
  cl_report_params_free (r->params);
  g_free (r->generated_at);
  g_ptr_array_unref (r->tables);
  g_ptr_array_unref (r->notes);
  g_ptr_array_unref (r->groups);
  g_array_unref (r->subsets);
  g_clear_pointer (&r->traces, g_hash_table_unref);
  g_clear_pointer (&r->cases, g_hash_table_unref);
  g_free (r);
}

/**
 * cl_report_result_copy:
 *
 * Returns: (transfer full): a deep copy, e.g. to suppress for outside use while keeping
 *   the internal result on screen
 */
ClReportResult *
cl_report_result_copy (const ClReportResult *r)
{
  ClReportResult *copy;

  g_return_val_if_fail (r != NULL, NULL);

  copy = g_new0 (ClReportResult, 1);
  copy->name = g_strdup (r->name);
  copy->title = g_strdup (r->title);
  copy->description = g_strdup (r->description);
  copy->params = cl_report_params_copy (r->params);
  copy->generated_at = g_strdup (r->generated_at);
  copy->funder = r->funder;
  copy->suppressed = r->suppressed;
  copy->source = r->source;
  copy->tables = g_ptr_array_new_with_free_func (table_free);
  copy->notes = g_ptr_array_new_with_free_func (g_free);
  copy->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  copy->subsets = g_array_copy (r->subsets);
  for (guint i = 0; i < r->notes->len; i++)
    g_ptr_array_add (copy->notes, g_strdup (g_ptr_array_index (r->notes, i)));
  for (guint i = 0; i < r->groups->len; i++)
    g_ptr_array_add (copy->groups, g_array_copy (g_ptr_array_index (r->groups, i)));
  for (guint i = 0; i < r->tables->len; i++)
    {
      const ClReportTable *t = g_ptr_array_index (r->tables, i);
      ClReportTable *tc = g_memdup2 (t, sizeof *t);

      tc->result = copy;
      tc->key = g_strdup (t->key);
      tc->title = g_strdup (t->title);
      tc->row_header = g_strdup (t->row_header);
      tc->note = g_strdup (t->note);
      tc->columns = g_ptr_array_new_with_free_func (column_free);
      tc->rows = g_ptr_array_new_with_free_func (row_free);
      for (guint c = 0; c < t->columns->len; c++)
        {
          const ClReportColumn *col = g_ptr_array_index (t->columns, c);
          ClReportColumn *cc = g_new0 (ClReportColumn, 1);

          cc->key = g_strdup (col->key);
          cc->label = g_strdup (col->label);
          g_ptr_array_add (tc->columns, cc);
        }
      for (guint row = 0; row < t->rows->len; row++)
        {
          const ClReportRow *rr = g_ptr_array_index (t->rows, row);
          ClReportRow *rc = g_new0 (ClReportRow, 1);

          rc->key = g_strdup (rr->key);
          rc->label = g_strdup (rr->label);
          rc->is_total = rr->is_total;
          rc->cells = g_array_copy (rr->cells);
          g_array_set_clear_func (rc->cells, clear_cell);
          for (guint c = 0; c < rc->cells->len; c++)
            {
              ClReportCell *cell = &g_array_index (rc->cells, ClReportCell, c);
              cell->text = g_strdup (cell->text);
            }
          g_ptr_array_add (tc->rows, rc);
        }
      g_ptr_array_add (copy->tables, tc);
    }
  return copy;
}

ClReportTable *
_cl_report_table_new (ClReportResult *r,
                      const char     *key,
                      const char     *title,
                      const char     *row_header)
{
  ClReportTable *t = g_new0 (ClReportTable, 1);

  t->result = r;
  t->index = r->tables->len;
  t->key = g_strdup (key);
  t->title = g_strdup (title);
  t->row_header = g_strdup (row_header);
  t->columns = g_ptr_array_new_with_free_func (column_free);
  t->rows = g_ptr_array_new_with_free_func (row_free);
  t->total_row = -1;
  t->total_col = -1;
  g_ptr_array_add (r->tables, t);
  return t;
}

guint
_cl_report_add_column (ClReportTable *t,
                       const char    *key,
                       const char    *label)
{
  ClReportColumn *c = g_new0 (ClReportColumn, 1);

  g_assert (t->rows->len == 0);
  g_assert (t->columns->len < 64);
  c->key = g_strdup (key);
  c->label = g_strdup (label);
  g_ptr_array_add (t->columns, c);
  /* Counts add up in the total row unless a column says otherwise. */
  t->sum_columns |= G_GUINT64_CONSTANT (1) << (t->columns->len - 1);
  return t->columns->len - 1;
}

guint
_cl_report_add_row (ClReportTable *t,
                    const char    *key,
                    const char    *label)
{
  ClReportRow *r = g_new0 (ClReportRow, 1);

  r->key = g_strdup (key);
  r->label = g_strdup (label);
  r->cells = g_array_sized_new (FALSE, TRUE, sizeof (ClReportCell), t->columns->len);
  g_array_set_clear_func (r->cells, clear_cell);
  g_array_set_size (r->cells, t->columns->len);
  g_ptr_array_add (t->rows, r);
  return t->rows->len - 1;
}

ClReportCell *
_cl_report_cell (ClReportTable *t,
                 guint          row,
                 guint          col)
{
  ClReportRow *r;

  g_assert (row < t->rows->len);
  g_assert (col < t->columns->len);
  r = g_ptr_array_index (t->rows, row);
  return &g_array_index (r->cells, ClReportCell, col);
}

ClReportCellRef
_cl_report_ref (ClReportTable *t,
                guint          row,
                guint          col)
{
  ClReportCellRef ref = { (guint16) t->index, (guint16) row, (guint16) col };

  g_assert (row < t->rows->len && col < t->columns->len);
  return ref;
}

void
_cl_report_set_count (ClReportTable *t,
                      guint          row,
                      guint          col,
                      gint64         value)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_COUNT;
  cell->count = value;
}

void
_cl_report_add_count (ClReportTable *t,
                      guint          row,
                      guint          col,
                      gint64         value)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_COUNT;
  cell->count += value;
}

/* Drill-down ------------------------------------------------------------------------- */

/* Lists of cases can have more than 65,535 rows: a row gets 32 bits. */
static guint64
trace_key (guint table,
           guint row,
           guint col)
{
  return ((guint64) table << 48) | ((guint64) row << 16) | col;
}

static GArray *
trace_cases (ClReportTable *t,
             guint          row,
             guint          col,
             gboolean       create)
{
  guint64 key = trace_key (t->index, row, col);
  GArray *cases;

  if (t->result->traces == NULL)
    return NULL;
  cases = g_hash_table_lookup (t->result->traces, &key);
  if (cases == NULL && create)
    {
      cases = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (t->result->traces, g_memdup2 (&key, sizeof key), cases);
    }
  return cases;
}

void
_cl_report_trace (ClReportTable *t,
                  guint          row,
                  guint          col,
                  guint32        case_index)
{
  GArray *cases;

  g_assert (row < t->rows->len && col < t->columns->len);
  if (case_index == CL_REPORT_NO_INDEX || (cases = trace_cases (t, row, col, TRUE)) == NULL)
    return;
  g_array_append_val (cases, case_index);
}

void
_cl_report_trace_row (ClReportTable *t,
                      guint          row,
                      guint32        case_index)
{
  for (guint c = 0; c < t->columns->len; c++)
    _cl_report_trace (t, row, c, case_index);
}

void
_cl_report_count_case (ClReportTable *t,
                       guint          row,
                       guint          col,
                       gint64         value,
                       guint32        case_index)
{
  _cl_report_add_count (t, row, col, value);
  if (value > 0)
    _cl_report_trace (t, row, col, case_index);
}

/* The cases behind cell (@row, @col) include those behind (@from_row, @from_col). */
static void
trace_union (ClReportTable *t,
             guint          row,
             guint          col,
             guint          from_row,
             guint          from_col)
{
  GArray *from = trace_cases (t, from_row, from_col, FALSE);

  if (from != NULL && from->len > 0)
    {
      GArray *to = trace_cases (t, row, col, TRUE);

      g_array_append_vals (to, from->data, from->len);
    }
}

static int
compare_case_index (gconstpointer a,
                    gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

void
_cl_report_result_begin_trace (ClReportResult *r)
{
  g_return_if_fail (r->traces == NULL);
  r->traces = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) g_array_unref);
}

/* Turns the case indexes of a traced run into case ids, each case once per cell, in the
 * order of the facts. */
void
_cl_report_result_end_trace (ClReportResult      *r,
                             const ClReportFacts *f)
{
  GHashTableIter iter;
  gpointer key, value;

  if (r->traces == NULL)
    return;
  r->cases = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify) g_strfreev);
  g_hash_table_iter_init (&iter, r->traces);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *cases = value;
      g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
      guint32 last = CL_REPORT_NO_INDEX;

      g_array_sort (cases, compare_case_index);
      for (guint i = 0; i < cases->len; i++)
        {
          guint32 c = g_array_index (cases, guint32, i);

          if (c == last || c >= f->cases->len)
            continue;
          last = c;
          g_strv_builder_add (ids, g_array_index (f->cases, ClReportCase, c).id);
        }
      g_hash_table_insert (r->cases, g_memdup2 (key, sizeof (guint64)),
                           g_strv_builder_end (ids));
    }
  g_clear_pointer (&r->traces, g_hash_table_unref);
}

/**
 * cl_report_result_has_cases:
 *
 * Returns: whether the result was computed with %CL_REPORT_RUN_TRACE_CASES, so that its
 *   counts drill down to cases
 */
gboolean
cl_report_result_has_cases (const ClReportResult *r)
{
  g_return_val_if_fail (r != NULL, FALSE);
  return r->cases != NULL;
}

/**
 * cl_report_result_get_cases:
 *
 * The cases behind a cell of a traced result: for a count, the cases it counts (or whose
 * contacts, services or other events it counts); for a number derived from a count (a
 * share, a median), the cases of that count; for a row of a case list, its case.
 *
 * Returns: (transfer none) (nullable): the case ids, each once, or %NULL when none
 */
const char *const *
cl_report_result_get_cases (const ClReportResult *r,
                            guint                 table,
                            guint                 row,
                            guint                 col)
{
  const ClReportTable *t;
  const ClReportCell *cell;
  guint64 key = trace_key (table, row, col);
  const char *const *ids;

  g_return_val_if_fail (r != NULL, NULL);
  if (r->cases == NULL || table >= r->tables->len)
    return NULL;
  t = g_ptr_array_index (r->tables, table);
  if (row >= t->rows->len || col >= t->columns->len)
    return NULL;
  ids = g_hash_table_lookup (r->cases, &key);
  if (ids != NULL && ids[0] != NULL)
    return ids;
  cell = &g_array_index (((ClReportRow *) g_ptr_array_index (t->rows, row))->cells,
                         ClReportCell, col);
  /* A share whose only dependency is its denominator has no numerator to fall back to. */
  if (cell->kind == CL_REPORT_CELL_NUMBER && cell->n_deps > (cell->has_denominator ? 1 : 0) &&
      (cell->deps[0].table != table || cell->deps[0].row != row || cell->deps[0].col != col))
    return cl_report_result_get_cases (r, cell->deps[0].table, cell->deps[0].row,
                                       cell->deps[0].col);
  return NULL;
}

void
_cl_report_set_number (ClReportTable         *t,
                       guint                  row,
                       guint                  col,
                       double                 value,
                       ClReportUnit           unit,
                       guint                  decimals,
                       const ClReportCellRef *dep)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  if (isnan (value))
    {
      cell->kind = CL_REPORT_CELL_EMPTY;
      return;
    }
  cell->kind = CL_REPORT_CELL_NUMBER;
  cell->number = value;
  cell->unit = unit;
  cell->decimals = (guint8) decimals;
  cell->count = -1;
  if (dep != NULL)
    cell->deps[cell->n_deps++] = *dep;
}

/* A percentage; the numerator is kept so that suppression can treat it as the small cell
 * it hides. No value when the denominator is zero. */
void
_cl_report_set_share (ClReportTable         *t,
                      guint                  row,
                      guint                  col,
                      gint64                 numerator,
                      gint64                 denominator,
                      const ClReportCellRef *num_ref,
                      const ClReportCellRef *den_ref)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  if (denominator <= 0)
    {
      cell->kind = CL_REPORT_CELL_EMPTY;
      return;
    }
  cell->kind = CL_REPORT_CELL_NUMBER;
  cell->unit = CL_REPORT_UNIT_PERCENT;
  cell->number = 100.0 * (double) numerator / (double) denominator;
  cell->decimals = 1;
  cell->count = numerator;
  cell->n_deps = 0;
  cell->has_denominator = den_ref != NULL;
  /* The denominator, when given, is always the last dependency. */
  if (num_ref != NULL)
    cell->deps[cell->n_deps++] = *num_ref;
  if (den_ref != NULL)
    cell->deps[cell->n_deps++] = *den_ref;
}

void
_cl_report_set_text (ClReportTable *t,
                     guint          row,
                     guint          col,
                     const char    *text)
{
  ClReportCell *cell = _cl_report_cell (t, row, col);

  cell->kind = CL_REPORT_CELL_TEXT;
  g_free (cell->text);
  cell->text = g_strdup (text);
}

/* Appends a row holding, for every column of sum_columns, the sum of the count cells
 * above it. Marks the table as additive along its columns. */
guint
_cl_report_add_total_row (ClReportTable *t,
                          const char    *label)
{
  guint row = _cl_report_add_row (t, "total", label != NULL ? label : _("Total"));

  ((ClReportRow *) g_ptr_array_index (t->rows, row))->is_total = TRUE;
  t->total_row = (int) row;
  for (guint c = 0; c < t->columns->len; c++)
    {
      gint64 sum = 0;
      gboolean any = FALSE;

      if (!(t->sum_columns & (G_GUINT64_CONSTANT (1) << c)))
        continue;
      for (guint r = 0; r < row; r++)
        {
          ClReportCell *cell = _cl_report_cell (t, r, c);

          if (cell->kind == CL_REPORT_CELL_COUNT)
            {
              sum += cell->count;
              any = TRUE;
              trace_union (t, row, c, r, c);
            }
        }
      if (any)
        _cl_report_set_count (t, row, c, sum);
    }
  return row;
}

/* Column @col holds, in every row, the sum of the columns in @parts. */
void
_cl_report_set_total_col (ClReportTable *t,
                          guint          col,
                          guint64        parts)
{
  t->total_col = (int) col;
  t->part_columns = parts;
  for (guint r = 0; r < t->rows->len; r++)
    {
      gint64 sum = 0;

      for (guint c = 0; c < t->columns->len; c++)
        if ((parts & (G_GUINT64_CONSTANT (1) << c)) &&
            _cl_report_cell (t, r, c)->kind == CL_REPORT_CELL_COUNT)
          {
            sum += _cl_report_cell (t, r, c)->count;
            trace_union (t, r, col, r, c);
          }
      _cl_report_set_count (t, r, col, sum);
    }
}

void
_cl_report_set_chart (ClReportTable     *t,
                      ClReportChartType  chart,
                      guint64            columns)
{
  t->chart = chart;
  t->chart_columns = columns;
}

guint64
_cl_report_cols (int first,
                 ...)
{
  guint64 mask = 0;
  va_list args;
  int c;

  va_start (args, first);
  for (c = first; c >= 0; c = va_arg (args, int))
    mask |= G_GUINT64_CONSTANT (1) << c;
  va_end (args);
  return mask;
}

void
_cl_report_add_note (ClReportResult *r,
                     const char     *note)
{
  g_ptr_array_add (r->notes, g_strdup (note));
}

/* Declares that @total = sum of @parts, so suppression can protect the relation. */
void
_cl_report_add_group (ClReportResult        *r,
                      ClReportCellRef        total,
                      const ClReportCellRef *parts,
                      guint                  n_parts)
{
  GArray *group = g_array_sized_new (FALSE, FALSE, sizeof (ClReportCellRef), n_parts + 1);

  g_array_append_val (group, total);
  g_array_append_vals (group, parts, n_parts);
  g_ptr_array_add (r->groups, group);
}

/* Declares that @part counts some of what @whole counts: publishing both publishes their
 * difference, which suppression must then treat as a cell of its own. */
void
_cl_report_add_subset (ClReportResult  *r,
                       ClReportCellRef  whole,
                       ClReportCellRef  part)
{
  g_array_append_val (r->subsets, whole);
  g_array_append_val (r->subsets, part);
}

/* The same count published twice: suppressing one must suppress the other. */
void
_cl_report_link_equal (ClReportResult  *r,
                       ClReportCellRef  a,
                       ClReportCellRef  b)
{
  _cl_report_add_group (r, a, &b, 1);
}

ClReportTable *
cl_report_result_get_table (ClReportResult *r,
                            const char     *key)
{
  g_return_val_if_fail (r != NULL, NULL);

  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (g_strcmp0 (t->key, key) == 0)
        return t;
    }
  return NULL;
}

const ClReportCell *
cl_report_result_get_cell (ClReportResult *r,
                           const char     *table,
                           const char     *row,
                           const char     *column)
{
  ClReportTable *t = cl_report_result_get_table (r, table);

  if (t == NULL)
    return NULL;
  for (guint i = 0; i < t->rows->len; i++)
    {
      ClReportRow *rr = g_ptr_array_index (t->rows, i);

      if (g_strcmp0 (rr->key, row) != 0)
        continue;
      for (guint c = 0; c < t->columns->len; c++)
        {
          ClReportColumn *cc = g_ptr_array_index (t->columns, c);

          if (column == NULL || g_strcmp0 (cc->key, column) == 0)
            return &g_array_index (rr->cells, ClReportCell, c);
        }
    }
  return NULL;
}

/**
 * cl_report_result_get_count:
 * @column: (nullable): the column key, %NULL for the first column
 *
 * Returns: the count in the cell, or -1 if there is no such cell, it is not a count, or it
 *   is suppressed
 */
gint64
cl_report_result_get_count (ClReportResult *r,
                            const char     *table,
                            const char     *row,
                            const char     *column)
{
  const ClReportCell *cell = cl_report_result_get_cell (r, table, row, column);

  if (cell == NULL || cell->kind != CL_REPORT_CELL_COUNT || cell->suppressed)
    return -1;
  return cell->count;
}

/* Small-cell suppression --------------------------------------------------------------- */

static ClReportCell *
ref_cell (ClReportResult  *r,
          ClReportCellRef  ref)
{
  return _cl_report_cell (g_ptr_array_index (r->tables, ref.table), ref.row, ref.col);
}

static gboolean
is_count (ClReportCell *cell)
{
  return cell->kind == CL_REPORT_CELL_COUNT;
}

/* The additive relations a table publishes: each column against its total row, each row
 * against its total column. */
static void
table_groups (ClReportResult *r,
              ClReportTable  *t,
              GPtrArray      *groups)
{
  if (t->total_row >= 0)
    for (guint c = 0; c < t->columns->len; c++)
      {
        GArray *g;

        if (!(t->sum_columns & (G_GUINT64_CONSTANT (1) << c)) ||
            !is_count (_cl_report_cell (t, (guint) t->total_row, c)))
          continue;
        g = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
        {
          ClReportCellRef total = _cl_report_ref (t, (guint) t->total_row, c);
          g_array_append_val (g, total);
        }
        for (guint row = 0; row < t->rows->len; row++)
          if ((int) row != t->total_row && is_count (_cl_report_cell (t, row, c)))
            {
              ClReportCellRef part = _cl_report_ref (t, row, c);
              g_array_append_val (g, part);
            }
        g_ptr_array_add (groups, g);
      }

  if (t->total_col >= 0)
    for (guint row = 0; row < t->rows->len; row++)
      {
        GArray *g;

        if (!is_count (_cl_report_cell (t, row, (guint) t->total_col)))
          continue;
        g = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));
        {
          ClReportCellRef total = _cl_report_ref (t, row, (guint) t->total_col);
          g_array_append_val (g, total);
        }
        for (guint c = 0; c < t->columns->len; c++)
          if ((t->part_columns & (G_GUINT64_CONSTANT (1) << c)) &&
              is_count (_cl_report_cell (t, row, c)))
            {
              ClReportCellRef part = _cl_report_ref (t, row, c);
              g_array_append_val (g, part);
            }
        g_ptr_array_add (groups, g);
      }
}

/* A relation total = Σ parts lets a reader recover a suppressed cell when exactly one of
 * its cells is suppressed, or when the total is published and the suppressed parts can
 * take only one set of values: all 1 (their sum equals their number), or all @threshold
 * when they are all small cells (their sum is their number times the threshold). Returns
 * TRUE if it had to suppress another cell: the smallest non-zero part still published,
 * else a published zero part, else the total. A zero hidden beside them leaves the
 * hidden parts more than one set of values; the total, often the same count as cells of
 * other relations (the new individuals), would take those with it. */
static gboolean
protect_group (ClReportResult *r,
               GArray         *g,
               guint           threshold)
{
  ClReportCell *total = ref_cell (r, g_array_index (g, ClReportCellRef, 0));
  ClReportCell *best = NULL;
  ClReportCell *zero = NULL;
  guint unknown = total->suppressed ? 1 : 0;
  guint n_parts_suppressed = 0;
  gboolean all_small = TRUE;
  gint64 published = 0;
  gint64 hidden;

  for (guint i = 1; i < g->len; i++)
    {
      ClReportCell *part = ref_cell (r, g_array_index (g, ClReportCellRef, i));

      if (part->suppressed)
        {
          unknown++;
          n_parts_suppressed++;
          all_small &= part->count <= (gint64) threshold;
        }
      else
        {
          published += part->count;
          if (part->count > 0 && (best == NULL || part->count < best->count))
            best = part;
          else if (part->count == 0 && zero == NULL)
            zero = part;
        }
    }

  if (unknown == 0)
    return FALSE;
  if (unknown >= 2)
    {
      if (total->suppressed)
        return FALSE;
      hidden = total->count - published;
      if (hidden != (gint64) n_parts_suppressed &&
          !(all_small && hidden == (gint64) n_parts_suppressed * (gint64) threshold))
        return FALSE;
    }
  /* A lone suppressed total whose parts are all zero is zero: nothing to protect. */
  if (unknown == 1 && total->suppressed && best == NULL)
    return FALSE;

  if (best != NULL)
    best->suppressed = TRUE;
  else if (zero != NULL && !total->suppressed)
    zero->suppressed = TRUE;
  else if (!total->suppressed)
    total->suppressed = TRUE;
  else
    return FALSE;
  return TRUE;
}

/* @whole ⊇ @part: when both are published, their difference is published too; if it is a
 * small cell, the part (else the whole) is suppressed. */
static gboolean
protect_subset (ClReportResult  *r,
                ClReportCellRef  whole_ref,
                ClReportCellRef  part_ref,
                guint            threshold)
{
  ClReportCell *whole = ref_cell (r, whole_ref);
  ClReportCell *part = ref_cell (r, part_ref);
  gint64 difference;

  if (whole->suppressed || part->suppressed || whole->kind != CL_REPORT_CELL_COUNT ||
      part->kind != CL_REPORT_CELL_COUNT)
    return FALSE;
  difference = whole->count - part->count;
  if (difference < 1 || difference > (gint64) threshold)
    return FALSE;
  if (part->count > 0)
    part->suppressed = TRUE;
  else
    whole->suppressed = TRUE;
  return TRUE;
}

static gboolean
ref_valid (ClReportResult  *r,
           ClReportCellRef  ref)
{
  ClReportTable *t;

  if (ref.table >= r->tables->len)
    return FALSE;
  t = g_ptr_array_index (r->tables, ref.table);
  return ref.row < t->rows->len && ref.col < t->columns->len;
}

static gboolean
group_valid (ClReportResult *r,
             GArray         *g)
{
  for (guint i = 0; i < g->len; i++)
    if (!ref_valid (r, g_array_index (g, ClReportCellRef, i)))
      return FALSE;
  return TRUE;
}

static gboolean
small (gint64 value,
       guint  threshold)
{
  return value >= 1 && value <= (gint64) threshold;
}

/**
 * cl_report_result_suppress:
 * @threshold: counts from 1 to @threshold are suppressed (0: only complementary rules)
 *
 * Prepares @result for use outside the organization: drops tables marked internal,
 * suppresses every count from 1 to @threshold (and every share whose numerator, or whose
 * complement to a published denominator, is such a count), then suppresses further cells
 * until no published relation (a total row or column, two places showing the same count,
 * a count and a part of it, a derived rate) lets a reader recover a suppressed value.
 * Suppressed values are erased. docs/REPORTS.md describes the method.
 */
void
cl_report_result_suppress (ClReportResult *r,
                           guint           threshold)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gboolean changed;
  guint removed = 0;

  g_return_if_fail (r != NULL);

  if (r->suppressed)
    return;

  /* What leaves the organization never points at cases. */
  g_clear_pointer (&r->traces, g_hash_table_unref);
  g_clear_pointer (&r->cases, g_hash_table_unref);

  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      if (t->internal_only)
        {
          /* Cell references keep table indexes: blank the table rather than drop it. */
          g_ptr_array_set_size (t->rows, 0);
          t->total_row = -1;
          t->total_col = -1;
          t->chart = CL_REPORT_CHART_NONE;
          removed++;
        }
    }
  if (removed > 0)
    _cl_report_add_note (r, _("Lists that identify cases are left out of exports for "
                              "outside use."));

  /* Primary suppression. */
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            if (cell->kind == CL_REPORT_CELL_COUNT && small (cell->count, threshold))
              cell->suppressed = TRUE;
            /* A share shows its numerator, and with a published denominator its
             * complement too: either being small makes it a small cell. */
            else if (cell->kind == CL_REPORT_CELL_NUMBER && cell->unit == CL_REPORT_UNIT_PERCENT)
              {
                if (small (cell->count, threshold))
                  cell->suppressed = TRUE;
                else if (cell->has_denominator && cell->n_deps > 0 &&
                         ref_valid (r, cell->deps[cell->n_deps - 1]))
                  {
                    ClReportCell *den = ref_cell (r, cell->deps[cell->n_deps - 1]);

                    if (den->kind == CL_REPORT_CELL_COUNT &&
                        small (den->count - cell->count, threshold))
                      cell->suppressed = TRUE;
                  }
              }
          }
      table_groups (r, t, groups);
    }
  for (guint i = 0; i < r->groups->len; i++)
    if (group_valid (r, g_ptr_array_index (r->groups, i)))
      g_ptr_array_add (groups, g_array_ref (g_ptr_array_index (r->groups, i)));

  /* Complementary suppression, until every relation is safe. */
  do
    {
      changed = FALSE;
      for (guint i = 0; i < groups->len; i++)
        while (protect_group (r, g_ptr_array_index (groups, i), threshold))
          changed = TRUE;
      for (guint i = 0; i + 1 < r->subsets->len; i += 2)
        {
          ClReportCellRef whole = g_array_index (r->subsets, ClReportCellRef, i);
          ClReportCellRef part = g_array_index (r->subsets, ClReportCellRef, i + 1);

          if (ref_valid (r, whole) && ref_valid (r, part) &&
              protect_subset (r, whole, part, threshold))
            changed = TRUE;
        }
    }
  while (changed);

  /* Derived numbers follow the counts they come from; then values are erased. */
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            for (guint d = 0; d < cell->n_deps; d++)
              if (ref_valid (r, cell->deps[d]) && ref_cell (r, cell->deps[d])->suppressed)
                cell->suppressed = TRUE;
          }
    }
  for (guint i = 0; i < r->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (r->tables, i);

      for (guint row = 0; row < t->rows->len; row++)
        for (guint c = 0; c < t->columns->len; c++)
          {
            ClReportCell *cell = _cl_report_cell (t, row, c);

            if (cell->suppressed)
              {
                cell->count = 0;
                cell->number = 0;
                g_clear_pointer (&cell->text, g_free);
              }
            else if (cell->kind == CL_REPORT_CELL_NUMBER)
              cell->count = -1;
          }
    }

  r->suppressed = TRUE;
  r->params->outside = TRUE;
  r->params->threshold = threshold;
  {
    g_autofree char *note = g_strdup_printf (_("* Suppressed: counts from 1 to %u, and further "
                                               "cells that would let a reader work them out "
                                               "from totals, are not shown."), threshold);
    _cl_report_add_note (r, note);
  }
}

/* Formatting --------------------------------------------------------------------------- */

/**
 * cl_report_format_count:
 * @localized: group digits the locale's way (text and PDF); %FALSE for CSV and JSON
 */
char *
cl_report_format_count (gint64   value,
                        gboolean localized)
{
  if (localized)
    return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/**
 * cl_report_cell_format:
 *
 * Returns: the cell as text: "" when empty, "*" when suppressed
 */
char *
cl_report_cell_format (const ClReportCell *cell,
                       gboolean            localized)
{
  g_return_val_if_fail (cell != NULL, NULL);

  if (cell->suppressed)
    return g_strdup ("*");

  switch (cell->kind)
    {
    case CL_REPORT_CELL_EMPTY:
      return g_strdup ("");
    case CL_REPORT_CELL_COUNT:
      return cl_report_format_count (cell->count, localized);
    case CL_REPORT_CELL_TEXT:
      return g_strdup (cell->text != NULL ? cell->text : "");
    case CL_REPORT_CELL_NUMBER:
      {
        g_autofree char *number = NULL;

        if (localized)
          number = g_strdup_printf ("%'.*f", cell->decimals, cell->number);
        else
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            char format[8];

            g_snprintf (format, sizeof format, "%%.%uf", (guint) cell->decimals);
            number = g_strdup (g_ascii_formatd (buf, sizeof buf, format, cell->number));
          }
        if (cell->unit == CL_REPORT_UNIT_PERCENT && localized)
          return g_strconcat (number, "%", NULL);
        return g_steal_pointer (&number);
      }
    default:
      g_assert_not_reached ();
    }
}

static char *
describe_day (ClDay day)
{
  g_autofree char *text = cl_l10n_format_day (day);

  return cl_l10n_isolate (text);
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
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  /* Dates in the locale's format and the organization's time zone (cl-l10n.h). */
  g_autofree char *from = describe_day (p->from);
  g_autofree char *to = describe_day (p->to);
  g_autofree char *as_of = describe_day (cl_report_params_get_as_of (p));

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
  if (g_strcmp0 (r->name, "caseload") == 0 || g_strcmp0 (r->name, "deadlines") == 0 ||
      g_strcmp0 (r->name, "data-quality") == 0)
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
  if (g_strcmp0 (r->name, "pmt") == 0)
    {
      g_autofree char *fy = describe_day (cl_report_fiscal_year_start (p->from,
                                                                       p->fiscal_start_month));
      g_ptr_array_add (lines, g_strdup_printf (_("Fiscal year starting %s"), fy));
    }
  if (g_strcmp0 (r->name, "caseload") == 0 || g_strcmp0 (r->name, "data-quality") == 0)
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
