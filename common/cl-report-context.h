/* cl-report-context.h: what the reports share while they run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A report (common/reports/NAME.c) is one ClReportDef: its name, title and description,
 * what it needs loaded, which cases and services it can read, and the function that
 * computes it over a Ctx (the facts resolved against the parameters). The list of reports
 * is common/reports/meson.build; the engine (cl-report.c) knows them only from there.
 *
 * The small accessors are inline: they run once per case or event of every report.
 */

#pragma once

#include <glib/gi18n.h>

#include "cl-l10n.h"
#include "cl-report-list.h"
#include "cl-report-private.h"

G_BEGIN_DECLS

#define BIT(i) (G_GUINT64_CONSTANT (1) << (i))

/* Time zone: UTC instants to local days --------------------------------------------- */

#define TZ_CACHE_SIZE 4096

typedef struct {
  ClDay  day;   /* UTC day cached in this slot, CL_DAY_NONE if empty */
  gint32 off0;  /* offset at the start of that UTC day */
  gint32 off1;  /* offset at its end */
} TzSlot;

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* The report context ------------------------------------------------------------------ */

enum {
  CASE_BASE = 1 << 0,   /* command, borough and track filters */
  CASE_ADV  = 1 << 1,   /* assigned advocate filter */
  CASE_FUND = 1 << 2,   /* case funding source filter */
};
#define CASE_ALL (CASE_BASE | CASE_ADV | CASE_FUND)

typedef struct {
  const ClReportFacts  *f;
  const ClReportParams *p;
  ClDay                 from;
  ClDay                 to;
  ClDay                 as_of;
  ClDay                 today;
  GTimeZone            *tz;
  TzSlot               *tz_cache;

  /* Filters resolved against the facts. */
  int                   advocate;   /* index, -1 no filter, -2 unknown username */
  int                   funding;    /* funding_source index, -1 no filter */

  guint                 n_cases;
  guint8               *case_flags;    /* CASE_* */
  ClTime               *received;      /* referral received (case, else earliest referral) */
  ClDay                *start;         /* local day of received, else opened */
  gint8                *source;        /* source of the earliest inbound referral */

  /* Contacts, per case (when loaded). */
  ClTime               *first_attempt;
  ClTime               *first_success;
  ClDay                *last_contact;  /* local day of the last contact on or before as_of */
  guint32              *n_attempts;    /* outbound (or undirected) contacts */

  int                   success[2];    /* successful contact outcomes: reached, meeting
                                        * scheduled (as the store's first_contact_at) */
  int                   closed;        /* case_status index of "closed" */
  gboolean              trace;         /* CL_REPORT_RUN_TRACE_CASES */
} Ctx;

/* The reports ----------------------------------------------------------------------- */

typedef ClReportResult *(*ClReportFunc) (Ctx                *ctx,
                                         const ClReportInfo *info,
                                         GError            **error);

/* Which parameters a report reads beyond the period and the case filters: the lines
 * cl_report_params_describe() prints for it. */
typedef enum {
  CL_REPORT_USES_AS_OF       = 1 << 0,  /* "on a date" */
  CL_REPORT_USES_FISCAL_YEAR = 1 << 1,  /* the fiscal year of the period */
  CL_REPORT_USES_STALE_DAYS  = 1 << 2,  /* days without a contact before a case is stale */
} ClReportUses;

/* The services a report reads (cl_report_service_window()). */
typedef enum {
  CL_REPORT_WINDOW_NONE,         /* all of them, or none */
  CL_REPORT_WINDOW_PERIOD,       /* those of the period */
  CL_REPORT_WINDOW_FISCAL_YEAR,  /* from the start of the period's fiscal year to its end */
  CL_REPORT_WINDOW_UNTIL_END,    /* every one up to the end of the period */
} ClReportWindow;

typedef struct {
  ClReportInfo        info;
  ClReportUses        uses;
  ClReportCaseScope   case_scope;
  /* (nullable): the case scope when it depends on the parameters; then case_scope is
   * unused */
  ClReportCaseScope (*case_scope_for) (const ClReportParams *params);
  ClReportWindow      service_window;
  ClReportFunc        run;
} ClReportDef;

/* What every report reads: the commands, the cases and their inbound referrals. */
#define CL_REPORT_BASE_NEEDS (CL_REPORT_NEED_COMMANDS | CL_REPORT_NEED_CASES | \
                              CL_REPORT_NEED_REFERRALS)

const ClReportDef *_cl_report_def_lookup (const char *name);

/* Every report's definition, cl_report_def_NAME (common/reports/NAME.c). */
#define CL_REPORT(name) extern const ClReportDef cl_report_def_##name;
CL_REPORT_LIST
#undef CL_REPORT

/* The context (cl-report-context.c) ---------------------------------------------------- */

void            _cl_report_ctx_init       (Ctx                   *ctx,
                                           const ClReportFacts   *f,
                                           const ClReportParams  *p);
void            _cl_report_ctx_free       (Ctx                   *ctx);
ClReportResult *_cl_report_ctx_result_new (Ctx                   *ctx,
                                           const ClReportInfo    *info);
gboolean        _cl_report_command_selected (const ClReportParams  *p,
                                             const ClReportCommand *command,
                                             int                    borough);

static inline ClDay
local_day (Ctx    *ctx,
           ClTime  t)
{
  ClDay utc_day;
  TzSlot *slot;

  if (t == CL_TIME_NONE)
    return CL_DAY_NONE;
  utc_day = (ClDay) floor_div (t, 86400);
  slot = &ctx->tz_cache[(guint32) utc_day % TZ_CACHE_SIZE];
  if (slot->day != utc_day)
    {
      gint64 start = (gint64) utc_day * 86400;
      int i0 = g_time_zone_find_interval (ctx->tz, G_TIME_TYPE_UNIVERSAL, start);
      int i1 = g_time_zone_find_interval (ctx->tz, G_TIME_TYPE_UNIVERSAL, start + 86399);

      slot->day = utc_day;
      slot->off0 = g_time_zone_get_offset (ctx->tz, i0);
      slot->off1 = g_time_zone_get_offset (ctx->tz, i1);
    }
  if (slot->off0 == slot->off1)
    return (ClDay) floor_div (t + slot->off0, 86400);
  {
    int i = g_time_zone_find_interval (ctx->tz, G_TIME_TYPE_UNIVERSAL, t);
    return (ClDay) floor_div (t + g_time_zone_get_offset (ctx->tz, i), 86400);
  }
}

static inline gboolean
in_period (Ctx   *ctx,
           ClDay  day)
{
  return day != CL_DAY_NONE && day >= ctx->from && day <= ctx->to;
}

static inline const ClReportCase *
get_case (Ctx     *ctx,
          guint32  index)
{
  return &g_array_index (ctx->f->cases, ClReportCase, index);
}

static inline const ClReportClient *
get_client (Ctx     *ctx,
            guint32  index)
{
  return &g_array_index (ctx->f->clients, ClReportClient, index);
}

static inline gboolean
case_ok (Ctx     *ctx,
         guint32  c)
{
  return (ctx->case_flags[c] & CASE_ALL) == CASE_ALL;
}

/* Who a contact or service on case @c is attributed to, in every table and filter: the
 * advocate who logged it when recorded, else the case's advocate (CL_REPORT_NO_INDEX when
 * neither is known). */
static inline guint32
event_advocate (Ctx     *ctx,
                guint32  c,
                guint32  advocate)
{
  return advocate != CL_REPORT_NO_INDEX ? advocate
                                        : g_array_index (ctx->f->cases, ClReportCase, c).advocate;
}

static inline gboolean
event_advocate_ok (Ctx     *ctx,
                   guint32  c,
                   guint32  advocate)
{
  guint32 a = event_advocate (ctx, c, advocate);

  return ctx->advocate == -1 || (a != CL_REPORT_NO_INDEX && (int) a == ctx->advocate);
}

static inline gboolean
contact_ok (Ctx                   *ctx,
            const ClReportContact *k)
{
  return (ctx->case_flags[k->case_index] & (CASE_BASE | CASE_FUND)) == (CASE_BASE | CASE_FUND) &&
         event_advocate_ok (ctx, k->case_index, k->advocate);
}

/* A service counts under a funding source if it was paid from it, or if it records none
 * and its case is funded by it. */
static inline gboolean
service_ok (Ctx                   *ctx,
            const ClReportService *s)
{
  if (!(ctx->case_flags[s->case_index] & CASE_BASE) ||
      !event_advocate_ok (ctx, s->case_index, s->advocate))
    return FALSE;
  if (ctx->funding < 0)
    return TRUE;
  if (s->funding >= 0)
    return s->funding == ctx->funding;
  return (get_case (ctx, s->case_index)->funding & BIT (ctx->funding)) != 0;
}

static inline gboolean
is_success (Ctx   *ctx,
            gint8  outcome)
{
  return outcome >= 0 && (outcome == ctx->success[0] || outcome == ctx->success[1]);
}

static inline int
command_borough (Ctx     *ctx,
                 guint32  command)
{
  if (command == CL_REPORT_NO_INDEX)
    return -1;
  return g_array_index (ctx->f->commands, ClReportCommand, command).borough;
}

/* Cases whose referral was received in the period (local day), within the filters. */
static inline gboolean
referred_in_period (Ctx     *ctx,
                    guint32  c)
{
  return case_ok (ctx, c) && ctx->received[c] != CL_TIME_NONE &&
         in_period (ctx, local_day (ctx, ctx->received[c]));
}

/* Building tables (cl-report-breakdown.c) --------------------------------------------- */

/* A row or column known in advance: a stable key and a label marked N_(). */
typedef struct {
  const char *key;
  const char *label;
} ClReportRowDef;

typedef struct {
  const char *key;
  const char *label;   /* N_() */
  gboolean    no_sum;  /* not added up in the total row */
} ClReportColumnDef;

typedef struct {
  double median;
  double mean;
  double p90;
} ClReportStats;

#define CL_REPORT_N_SERVICE_CATEGORIES 5

extern const ClReportRowDef _cl_report_service_categories[CL_REPORT_N_SERVICE_CATEGORIES];

ClReportTable *_cl_report_breakdown_new       (ClReportResult          *r,
                                               const char              *key,
                                               const char              *title,
                                               const char              *row_header,
                                               const ClReportColumnDef *columns,
                                               guint                    n_columns);
guint         *_cl_report_add_advocate_rows   (ClReportTable           *t,
                                               const ClReportFacts     *f,
                                               const gint64            *n,
                                               const char              *none_key,
                                               const char              *none_label);
guint         *_cl_report_add_command_rows    (ClReportTable           *t,
                                               const ClReportFacts     *f,
                                               const gint64            *n);
void           _cl_report_add_enum_rows       (ClReportTable           *t,
                                               ClReportEnumId           id,
                                               gboolean                 not_recorded);
const char    *_cl_report_not_recorded_label  (void);
void           _cl_report_zero_fill           (ClReportTable           *t,
                                               guint64                  columns);
void           _cl_report_set_share_cells     (ClReportTable           *t,
                                               guint                    row,
                                               guint                    col,
                                               guint                    num_col,
                                               guint                    den_col);
gboolean       _cl_report_stats               (GArray                  *values,
                                               ClReportStats           *stats);
char          *_cl_report_case_label          (Ctx                     *ctx,
                                               guint32                  c);
int            _cl_report_compare_cases       (Ctx                     *ctx,
                                               guint32                  a,
                                               guint32                  b);
int            _cl_report_compare_case_indexes (gconstpointer           a,
                                                gconstpointer           b,
                                                gpointer                user_data);
const char    *_cl_report_advocate_name       (Ctx                     *ctx,
                                               guint32                  advocate);
guint          _cl_report_service_category    (int                      code);
gboolean       _cl_report_mark_pair           (GHashTable              *set,
                                               guint                    key,
                                               guint32                  client);
GHashTable    *_cl_report_pair_set_new        (void);

static inline guint
enum_row (ClReportEnumId id,
          int            value)
{
  return value >= 0 ? (guint) value : _cl_report_enum (id)->n_values;
}

static inline void
no_sum (ClReportTable *t,
        guint          col)
{
  t->sum_columns &= ~BIT (col);
}

static inline guint64
all_columns (ClReportTable *t)
{
  return t->columns->len >= 64 ? G_MAXUINT64 : BIT (t->columns->len) - 1;
}

/* The slot of an advocate or a command in arrays with one more for none. */
static inline guint
advocate_slot (const ClReportFacts *f,
               guint32              advocate)
{
  return advocate == CL_REPORT_NO_INDEX ? f->advocates->len : advocate;
}

static inline guint
command_slot (const ClReportFacts *f,
              guint32              command)
{
  return command == CL_REPORT_NO_INDEX ? f->commands->len : command;
}

/* A day in a note or a parameter line, for people: the locale's format, isolated
 * (cl-l10n.h). */
static inline char *
_cl_report_note_day (ClDay day)
{
  g_autofree char *text = cl_l10n_format_day (day);

  return cl_l10n_isolate (text);
}

G_END_DECLS
