/* cl-report.h: the report engine shared by the vault and caseload-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One set of report definitions (DOMAIN.md "Reports", docs/REPORTS.md) over plain facts.
 * An adapter (app/core/cl-report-vault.c on SQLCipher, server/srv-report.c on PostgreSQL)
 * loads ClReportFacts row by row through cl_report_facts_add_row(), using the column lists
 * of cl_report_fact_spec(); cl_report_run() then computes a ClReportResult: tables of
 * counts and numbers with chart hints. The same facts give the same numbers wherever the
 * engine runs. GLib only: no SQLite, no libpq, no cairo.
 *
 * Facts carry codes, dates and counts only: never names, dates of birth, contact details,
 * complaint or claim numbers, dockets or free text.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CL_REPORT_ERROR (cl_report_error_quark ())

typedef enum {
  CL_REPORT_ERROR_UNKNOWN_REPORT, /* no report of that name */
  CL_REPORT_ERROR_INVALID_PARAMS, /* a parameter is out of range or inconsistent */
  CL_REPORT_ERROR_INVALID_FACT,   /* an adapter passed a malformed row */
  CL_REPORT_ERROR_NOT_LOADED,     /* the facts lack something the report needs */
  CL_REPORT_ERROR_INVALID_RESULT, /* a result in JSON is malformed or inconsistent */
} ClReportError;

GQuark cl_report_error_quark (void);

/* Dates and times ---------------------------------------------------------------------- */

/* A calendar day: days since 1970-01-01 (proleptic Gregorian). */
typedef gint32 ClDay;
#define CL_DAY_NONE G_MININT32

/* An instant: seconds since 1970-01-01T00:00:00Z. */
typedef gint64 ClTime;
#define CL_TIME_NONE G_MININT64

ClDay     cl_day_from_ymd     (int          year,
                               int          month,
                               int          day);
void      cl_day_to_ymd       (ClDay        day,
                               int         *year,
                               int         *month,
                               int         *mday);
ClDay     cl_day_parse        (const char  *text);
char     *cl_day_to_string    (ClDay        day);
ClDay     cl_day_add_months   (ClDay        day,
                               int          months);
ClDay     cl_day_today        (const char  *time_zone);
ClTime    cl_time_parse       (const char  *text);
GTimeZone *cl_report_time_zone_new (const char *identifier);
ClDay     cl_day_from_time    (ClTime       time,
                               GTimeZone   *time_zone);
ClTime    cl_time_from_day    (ClDay        day,
                               GTimeZone   *time_zone);
char     *cl_time_to_string   (ClTime       time);

/* Facts -------------------------------------------------------------------------------- */

typedef enum {
  CL_REPORT_FACT_COMMAND,
  CL_REPORT_FACT_CLIENT,
  CL_REPORT_FACT_CASE,
  CL_REPORT_FACT_REFERRAL,
  CL_REPORT_FACT_VICTIMIZATION,
  CL_REPORT_FACT_CONTACT,
  CL_REPORT_FACT_SERVICE,
  CL_REPORT_FACT_IMMIGRATION,
  CL_REPORT_FACT_LEGAL_MATTER,
  CL_REPORT_FACT_COMPENSATION,
  CL_REPORT_FACT_TASK,
  CL_REPORT_FACT_SAFETY_PLAN,
  CL_REPORT_FACT_RELEASE,
  CL_REPORT_FACT_OUTBOUND_REFERRAL,
  CL_REPORT_FACT_CATEGORY,
  CL_REPORT_N_FACT_KINDS
} ClReportFactKind;

/* What a report needs loaded: one bit per fact kind, plus optional columns. */
typedef enum {
  CL_REPORT_NEED_COMMANDS          = 1 << CL_REPORT_FACT_COMMAND,
  CL_REPORT_NEED_CLIENTS           = 1 << CL_REPORT_FACT_CLIENT,
  CL_REPORT_NEED_CASES             = 1 << CL_REPORT_FACT_CASE,
  CL_REPORT_NEED_REFERRALS         = 1 << CL_REPORT_FACT_REFERRAL,
  CL_REPORT_NEED_VICTIMIZATIONS    = 1 << CL_REPORT_FACT_VICTIMIZATION,
  CL_REPORT_NEED_CONTACTS          = 1 << CL_REPORT_FACT_CONTACT,
  CL_REPORT_NEED_SERVICES          = 1 << CL_REPORT_FACT_SERVICE,
  CL_REPORT_NEED_IMMIGRATION       = 1 << CL_REPORT_FACT_IMMIGRATION,
  CL_REPORT_NEED_LEGAL_MATTERS     = 1 << CL_REPORT_FACT_LEGAL_MATTER,
  CL_REPORT_NEED_COMPENSATION      = 1 << CL_REPORT_FACT_COMPENSATION,
  CL_REPORT_NEED_TASKS             = 1 << CL_REPORT_FACT_TASK,
  CL_REPORT_NEED_SAFETY_PLANS      = 1 << CL_REPORT_FACT_SAFETY_PLAN,
  CL_REPORT_NEED_RELEASES          = 1 << CL_REPORT_FACT_RELEASE,
  CL_REPORT_NEED_OUTBOUND          = 1 << CL_REPORT_FACT_OUTBOUND_REFERRAL,
  CL_REPORT_NEED_CATEGORIES        = 1 << CL_REPORT_FACT_CATEGORY,
  /* optional columns */
  CL_REPORT_NEED_SAFE_CHANNEL      = 1 << 20, /* client: a channel marked safe */
  CL_REPORT_NEED_AGE_FROM_DOB      = 1 << 21, /* client: age computed by the adapter */
  CL_REPORT_NEED_LAST_NOTE         = 1 << 22, /* case: time of the latest note */
  CL_REPORT_NEED_CASE_NUMBER       = 1 << 23, /* case: its number (deadline lists only) */
  CL_REPORT_NEED_FOREIGN_NATIONAL  = 1 << 24, /* victimization: restricted; trafficking only */
  CL_REPORT_NEED_STATUS_ON         = 1 << 25, /* case: its status on the as-of day */
} ClReportNeeds;

/* One column an adapter selects for a fact kind. A name is a schema field of the type,
 * "id", or one of the computed columns an adapter must provide:
 *   client.safe_channel   "1" if the client has a safe_contact with safe = yes, else "0"
 *   client.age_from_dob   whole years between date_of_birth and the start of the client's
 *                         earliest case (the local day in params->time_zone it was
 *                         received: its referral_received_at, else its earliest inbound
 *                         referral; else its opened_at), NULL without a start; the date
 *                         of birth itself never leaves the database
 *   case.last_note_at     max(at) of the case's notes
 *   case.status_on        the status the case had at the end of the as-of day by its
 *                         status history: the old value of its first status change at or
 *                         after cl_time_from_day (as_of + 1), else its current status;
 *                         NULL from an adapter that keeps no status history
 * A column whose need is not part of the loaded needs is passed as NULL. */
typedef struct {
  const char    *name;
  ClReportNeeds  need;
} ClReportFactColumn;

typedef struct {
  ClReportFactKind          kind;
  const char               *type;    /* schema type name; NULL for the category table */
  const ClReportFactColumn *columns;
  guint                     n_columns;
} ClReportFactSpec;

const ClReportFactSpec *cl_report_fact_spec (ClReportFactKind kind);

#define CL_REPORT_NO_INDEX G_MAXUINT32

/* Codes are indexes into the schema enumerations (cl_schema_lookup_enum()), -1 when empty;
 * code sets are bit masks over the same indexes. */
typedef struct {
  char  *code;
  gint8  borough;
  char  *name;
} ClReportCommand;

enum {
  CL_REPORT_CLIENT_SAFE_CHANNEL = 1 << 0,
  CL_REPORT_CLIENT_RESTRICTED   = 1 << 1,
};

typedef struct {
  guint16 race;        /* race_ethnicity set */
  guint16 special;     /* special_classification set */
  gint8   gender;
  gint8   age_band;    /* as recorded, else from age at intake, else from the adapter's age */
  guint8  flags;
} ClReportClient;

enum {
  CL_REPORT_CASE_RESTRICTED = 1 << 0,
};

typedef struct {
  char    *id;             /* the case's id, for drill-down (CL_REPORT_RUN_TRACE_CASES) */
  guint32  client;         /* index into clients */
  guint32  command;        /* index into commands, CL_REPORT_NO_INDEX if unknown */
  guint32  advocate;       /* index into advocates, CL_REPORT_NO_INDEX if unassigned */
  gint8    track;
  gint8    status;
  gint8    closure_reason;
  gint8    victim_role;
  gint8    status_on;      /* status on the as-of day (status history), -1 if not known */
  guint8   funding;        /* funding_source set */
  guint8   flags;
  ClTime   received;       /* referral_received_at */
  ClDay    opened;
  ClDay    closed;
  ClTime   last_note;
  char    *number;         /* only with CL_REPORT_NEED_CASE_NUMBER */
} ClReportCase;

typedef struct {
  guint32 case_index;
  ClTime  received;
  gint8   source;
} ClReportReferral;

typedef struct {
  guint32 case_index;
  gint8   type;
  gint8   trafficking_type;
  gint8   minor;             /* -1 unknown, 0, 1 */
  gint8   foreign_national;  /* -1 unknown or not loaded, 0, 1 */
} ClReportVictimization;

typedef struct {
  guint32 case_index;
  guint32 advocate;
  ClTime  at;
  gint8   direction;
  gint8   channel;
  gint8   outcome;
} ClReportContact;

typedef struct {
  guint32 case_index;
  guint32 advocate;
  ClDay   date;
  guint32 times;             /* 1 when not recorded */
  gint8   code;
  gint8   funding;
} ClReportService;

typedef struct {
  guint32 case_index;
  gint8   type;
  gint8   decision;
  ClDay   requested;
  ClDay   decided;
  ClDay   filed;
  ClDay   expires;
  ClDay   ages_out;
} ClReportImmigration;

typedef struct {
  guint32 case_index;
  gint8   type;
  gint8   status;
  ClDay   next_court;
  ClDay   order_expires;
} ClReportLegalMatter;

typedef struct {
  guint32 case_index;
  gint8   status;
  ClDay   crime;
  ClDay   filed;
} ClReportCompensation;

typedef struct {
  guint32  case_index;
  ClDay    due;
  gboolean done;
} ClReportTask;

typedef struct {
  guint32 case_index;
  ClDay   completed;
  ClDay   reviewed;
} ClReportSafetyPlan;

typedef struct {
  guint32 client;
  ClDay   signed_on;
  ClDay   expires;
  ClDay   revoked;
} ClReportRelease;

typedef struct {
  guint32 case_index;
  ClDay   date;
  gint8   service_type;
  gint8   outcome;
} ClReportOutbound;

typedef struct {
  char  *list;
  char  *version;
  ClDay  valid_from;
  char  *local_code;
  char  *funder_code;
  char  *funder_label;
} ClReportCategory;

typedef struct {
  ClReportNeeds  loaded;
  GArray        *commands;        /* ClReportCommand */
  GArray        *clients;         /* ClReportClient */
  GArray        *cases;           /* ClReportCase */
  GArray        *referrals;       /* ClReportReferral */
  GArray        *victimizations;  /* ClReportVictimization */
  GArray        *contacts;        /* ClReportContact */
  GArray        *services;        /* ClReportService */
  GArray        *immigration;     /* ClReportImmigration */
  GArray        *legal_matters;   /* ClReportLegalMatter */
  GArray        *compensation;    /* ClReportCompensation */
  GArray        *tasks;           /* ClReportTask */
  GArray        *safety_plans;    /* ClReportSafetyPlan */
  GArray        *releases;        /* ClReportRelease */
  GArray        *outbound;        /* ClReportOutbound */
  GArray        *categories;      /* ClReportCategory */
  GPtrArray     *advocates;       /* usernames (staff, not clients) */
  guint          compensation_deadline_days; /* filing deadline after the crime, 365 */

  /*< private >*/
  GHashTable    *client_ids;
  GHashTable    *case_ids;
  GHashTable    *advocate_ids;
  GHashTable    *command_ids;
  GStringChunk  *strings;
} ClReportFacts;

ClReportFacts *cl_report_facts_new      (ClReportNeeds        loaded);
void           cl_report_facts_free     (ClReportFacts       *facts);
gboolean       cl_report_facts_add_row  (ClReportFacts       *facts,
                                         ClReportFactKind     kind,
                                         const char *const   *values,
                                         GError             **error);
void           cl_report_facts_seal     (ClReportFacts       *facts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClReportFacts, cl_report_facts_free)

/* Parameters --------------------------------------------------------------------------- */

typedef enum {
  CL_REPORT_PERIOD_CUSTOM,
  CL_REPORT_PERIOD_THIS_QUARTER,     /* fiscal quarters, aligned to the fiscal start month */
  CL_REPORT_PERIOD_LAST_QUARTER,
  CL_REPORT_PERIOD_FISCAL_YEAR,      /* the fiscal year containing the reference day */
  CL_REPORT_PERIOD_LAST_FISCAL_YEAR,
  CL_REPORT_PERIOD_THIS_HALF,        /* calendar halves (TIMS: January–June, July–December) */
  CL_REPORT_PERIOD_LAST_HALF,
} ClReportPeriod;

#define CL_REPORT_DEFAULT_FISCAL_START 10  /* federal fiscal year: October–September */
#define CL_REPORT_DEFAULT_STALE_DAYS   30
#define CL_REPORT_DEFAULT_THRESHOLD    4
#define CL_REPORT_DEFAULT_TIME_ZONE    "America/New_York"

typedef struct {
  ClDay     from;                /* first day of the period, inclusive */
  ClDay     to;                  /* last day, inclusive */
  ClDay     as_of;               /* "on a date" (caseload, deadlines); NONE: min (to, today) */
  ClDay     today;               /* NONE: the real today in time_zone */
  GStrv     commands;            /* command codes; NULL or empty: all */
  char     *borough;             /* borough code or NULL */
  char     *advocate;            /* username or NULL */
  char     *track;               /* track code or NULL */
  char     *funding;             /* funding_source code or NULL */
  guint     fiscal_start_month;  /* 1 … 12 */
  guint     stale_days;
  guint     threshold;           /* small-cell suppression: 1 … threshold are suppressed */
  gboolean  outside;             /* exported for outside use: suppression applies */
  char     *time_zone;           /* the organization's zone, for local dates */
} ClReportParams;

#define CL_TYPE_REPORT_PARAMS (cl_report_params_get_type ())

GType           cl_report_params_get_type    (void) G_GNUC_CONST;
ClReportParams *cl_report_params_new         (void);
ClReportParams *cl_report_params_copy        (const ClReportParams *params);
void            cl_report_params_free        (ClReportParams       *params);
void            cl_report_params_set_period  (ClReportParams       *params,
                                              ClReportPeriod        period,
                                              ClDay                 reference);
gboolean        cl_report_period_from_string (const char           *text,
                                              ClReportPeriod       *period);
ClDay           cl_report_fiscal_year_start  (ClDay                 day,
                                              guint                 fiscal_start_month);
gboolean        cl_report_params_validate    (const ClReportParams *params,
                                              GError              **error);
ClDay           cl_report_params_get_today   (const ClReportParams *params);
ClDay           cl_report_params_get_as_of   (const ClReportParams *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClReportParams, cl_report_params_free)

/* Results ------------------------------------------------------------------------------ */

typedef enum {
  CL_REPORT_CELL_EMPTY,
  CL_REPORT_CELL_COUNT,   /* an integer count: subject to small-cell suppression */
  CL_REPORT_CELL_NUMBER,  /* a derived number (rate, median, mean) */
  CL_REPORT_CELL_TEXT,    /* a label (a date, a code) */
} ClReportCellKind;

typedef enum {
  CL_REPORT_UNIT_NONE,
  CL_REPORT_UNIT_PERCENT,
  CL_REPORT_UNIT_HOURS,
  CL_REPORT_UNIT_DAYS,
} ClReportUnit;

typedef struct {
  guint16 table;
  guint16 row;
  guint16 col;
} ClReportCellRef;

typedef struct {
  ClReportCellKind kind;
  ClReportUnit     unit;
  gboolean         suppressed;
  gint64           count;       /* COUNT: the value; NUMBER in percent: its numerator */
  double           number;      /* NUMBER */
  guint8           decimals;    /* NUMBER */
  guint8           n_deps;
  gboolean         has_denominator; /* a share whose last dep is its denominator */
  ClReportCellRef  deps[2];     /* counts a NUMBER is derived from */
  char            *text;        /* TEXT */
} ClReportCell;

typedef struct {
  char     *key;        /* a stable code: "A1", "dv", "not_recorded", "total" */
  char     *label;      /* translated */
  gboolean  is_total;
  GArray   *cells;      /* ClReportCell, one per column */
} ClReportRow;

typedef struct {
  char *key;
  char *label;
} ClReportColumn;

typedef enum {
  CL_REPORT_CHART_NONE,
  CL_REPORT_CHART_BAR,          /* one bar per row and plotted column, side by side */
  CL_REPORT_CHART_STACKED_BAR,  /* one bar per row, plotted columns stacked */
  CL_REPORT_CHART_TREND,        /* rows are consecutive periods: a line per column */
} ClReportChartType;

typedef struct _ClReportResult ClReportResult;

/* Where a result was computed. */
typedef enum {
  CL_REPORT_SOURCE_VAULT,   /* this workstation's vault */
  CL_REPORT_SOURCE_SERVER,  /* caseload-server, over every case the user may read there */
} ClReportSource;

typedef struct {
  guint               index;
  char               *key;
  char               *title;
  char               *row_header;    /* heading of the label column */
  char               *note;          /* a footnote, or NULL */
  GPtrArray          *columns;       /* ClReportColumn */
  GPtrArray          *rows;          /* ClReportRow */
  ClReportChartType   chart;
  guint64             chart_columns; /* columns plotted (bit i = column i) */
  int                 total_row;     /* the row holding column totals, or -1 */
  int                 total_col;     /* the column holding row totals, or -1 */
  guint64             sum_columns;   /* columns the total row is the sum of */
  guint64             part_columns;  /* columns whose sum is total_col */
  gboolean            internal_only; /* never in exports for outside use */

  /*< private >*/
  ClReportResult     *result;
} ClReportTable;

struct _ClReportResult {
  char            *name;          /* "pmt" */
  char            *title;         /* translated */
  char            *description;   /* translated */
  ClReportParams  *params;
  char            *generated_at;  /* UTC, YYYY-MM-DDTHH:MM:SSZ */
  gboolean         funder;        /* a funder report: counts only */
  gboolean         suppressed;    /* small-cell suppression was applied */
  ClReportSource   source;
  GPtrArray       *tables;        /* ClReportTable */
  GPtrArray       *notes;         /* char *, translated */
  GPtrArray       *groups;        /* GArray of ClReportCellRef: [0] = [1] + [2] + … */
  GArray          *subsets;       /* ClReportCellRef pairs: [2i] ⊇ [2i+1], so their
                                   * difference is known to a reader too */

  /*< private >*/
  GHashTable      *traces;        /* cell key -> GArray of case indexes, while running */
  GHashTable      *cases;         /* cell key -> GStrv of case ids, after a traced run */
};

void              cl_report_result_free       (ClReportResult       *result);
ClReportResult   *cl_report_result_copy       (const ClReportResult *result);
ClReportTable    *cl_report_result_get_table  (ClReportResult       *result,
                                               const char           *key);
const ClReportCell *cl_report_result_get_cell (ClReportResult       *result,
                                               const char           *table,
                                               const char           *row,
                                               const char           *column);
gint64            cl_report_result_get_count  (ClReportResult       *result,
                                               const char           *table,
                                               const char           *row,
                                               const char           *column);
void              cl_report_result_suppress   (ClReportResult       *result,
                                               guint                 threshold);
gboolean          cl_report_result_has_cases  (const ClReportResult *result);
const char *const *cl_report_result_get_cases (const ClReportResult *result,
                                               guint                 table,
                                               guint                 row,
                                               guint                 col);

char             *cl_report_result_to_json    (const ClReportResult *result,
                                               gsize                *len);
const char       *cl_report_source_to_string  (ClReportSource        source);
ClReportResult   *cl_report_result_from_json  (const char           *data,
                                               gsize                 len,
                                               GError              **error);
char             *cl_report_cell_format       (const ClReportCell   *cell,
                                               gboolean              localized);
char             *cl_report_format_count      (gint64                value,
                                               gboolean              localized);
GPtrArray        *cl_report_params_describe   (const ClReportResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClReportResult, cl_report_result_free)

/* Reports ------------------------------------------------------------------------------ */

typedef struct {
  const char    *name;
  const char    *title;        /* N_() */
  const char    *description;  /* N_() */
  ClReportNeeds  needs;
  gboolean       funder;
} ClReportInfo;

const ClReportInfo *cl_report_list            (guint                *n_reports);
const ClReportInfo *cl_report_lookup          (const char           *name);
ClReportNeeds       cl_report_needs           (const char           *name,
                                               const ClReportParams *params);
/* Which cases a report can possibly read, so that an adapter need not read the others.
 * The engine applies its own rules on top; a scope only ever lets more cases through. */
typedef enum {
  CL_REPORT_SCOPE_ALL,                    /* every case */
  CL_REPORT_SCOPE_RECEIVED_IN_PERIOD,     /* referral_received_at from the day before the
                                           * period to two days after it (any time zone),
                                           * or not recorded */
  CL_REPORT_SCOPE_OPEN,                   /* status is not closed (or not recorded) */
  CL_REPORT_SCOPE_CLOSED_IN_PERIOD,       /* closed_at in the period */
  CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD,
} ClReportCaseScope;

ClReportCaseScope   cl_report_case_scope      (const char           *name,
                                               const ClReportParams *params);
gboolean            cl_report_service_window  (const char           *name,
                                               const ClReportParams *params,
                                               ClDay                *from,
                                               ClDay                *to);
GPtrArray          *cl_report_command_filter  (const ClReportParams *params,
                                               const ClReportFacts  *facts);
ClReportResult     *cl_report_run             (const char           *name,
                                               const ClReportFacts  *facts,
                                               const ClReportParams *params,
                                               GError              **error);

typedef enum {
  CL_REPORT_RUN_NONE        = 0,
  /* Remember which cases every count comes from, for drill-down on the desktop. Internal
   * reports only (a funder report is never traced), never for outside use (refused with
   * params->outside), and never serialized: cl_report_result_to_json(), the exporters and
   * cl_report_result_copy() leave the case references behind. */
  CL_REPORT_RUN_TRACE_CASES = 1 << 0,
} ClReportRunFlags;

ClReportResult     *cl_report_run_full        (const char           *name,
                                               const ClReportFacts  *facts,
                                               const ClReportParams *params,
                                               ClReportRunFlags      flags,
                                               GError              **error);

G_END_DECLS
