/* cl-report-defs.c: the report definitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every report of DOMAIN.md "Reports", computed from ClReportFacts. docs/REPORTS.md states
 * each counting rule; where this file and that page disagree, fix one of them.
 *
 * Conventions shared by every report:
 *  - Days are local days in params->time_zone; instants (referral received, contacts) are
 *    converted before they are compared with the period.
 *  - Case-level filters (command, borough, track, assigned advocate, case funding source)
 *    select cases; event-level filters (contacts and services) take the advocate of the
 *    event when it is recorded, and for services the service's own funding source.
 *  - Row orders never depend on the order the adapter loaded rows in, so the vault and the
 *    server give identical results from identical data.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-l10n.h"
#include "cl-refdata.h"
#include "cl-report-private.h"

#define BIT(i) (G_GUINT64_CONSTANT (1) << (i))


/* Time zone: UTC instants to local days --------------------------------------------- */

#define TZ_CACHE_SIZE 4096

typedef struct {
  ClDay  day;   /* UTC day cached in this slot, CL_DAY_NONE if empty */
  gint32 off0;  /* offset at the start of that UTC day */
  gint32 off1;  /* offset at its end */
} TzSlot;

static gint64
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

/* Every report starts its result here, so that a traced run records the cases behind its
 * counts. */
static ClReportResult *
result_new (Ctx                *ctx,
            const ClReportInfo *info)
{
  ClReportResult *r = _cl_report_result_new (info, ctx->p);

  if (ctx->trace)
    _cl_report_result_begin_trace (r);
  return r;
}

static ClDay
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

static gboolean
in_period (Ctx   *ctx,
           ClDay  day)
{
  return day != CL_DAY_NONE && day >= ctx->from && day <= ctx->to;
}

static const ClReportCase *
get_case (Ctx     *ctx,
          guint32  index)
{
  return &g_array_index (ctx->f->cases, ClReportCase, index);
}

static const ClReportClient *
get_client (Ctx     *ctx,
            guint32  index)
{
  return &g_array_index (ctx->f->clients, ClReportClient, index);
}

static gboolean
case_ok (Ctx     *ctx,
         guint32  c)
{
  return (ctx->case_flags[c] & CASE_ALL) == CASE_ALL;
}

/* Who a contact or service on case @c is attributed to, in every table and filter: the
 * advocate who logged it when recorded, else the case's advocate (CL_REPORT_NO_INDEX when
 * neither is known). */
static guint32
event_advocate (Ctx     *ctx,
                guint32  c,
                guint32  advocate)
{
  return advocate != CL_REPORT_NO_INDEX ? advocate
                                        : g_array_index (ctx->f->cases, ClReportCase, c).advocate;
}

static gboolean
event_advocate_ok (Ctx     *ctx,
                   guint32  c,
                   guint32  advocate)
{
  guint32 a = event_advocate (ctx, c, advocate);

  return ctx->advocate == -1 || (a != CL_REPORT_NO_INDEX && (int) a == ctx->advocate);
}

static gboolean
contact_ok (Ctx                   *ctx,
            const ClReportContact *k)
{
  return (ctx->case_flags[k->case_index] & (CASE_BASE | CASE_FUND)) == (CASE_BASE | CASE_FUND) &&
         event_advocate_ok (ctx, k->case_index, k->advocate);
}

/* A service counts under a funding source if it was paid from it, or if it records none
 * and its case is funded by it. */
static gboolean
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

static gboolean
is_success (Ctx   *ctx,
            gint8  outcome)
{
  return outcome >= 0 && (outcome == ctx->success[0] || outcome == ctx->success[1]);
}

static int
command_borough (Ctx     *ctx,
                 guint32  command)
{
  if (command == CL_REPORT_NO_INDEX)
    return -1;
  return g_array_index (ctx->f->commands, ClReportCommand, command).borough;
}

static gboolean
command_selected (const ClReportParams *p,
                  const ClReportCommand *command,
                  int                    borough)
{
  if (borough >= 0 && command->borough != borough)
    return FALSE;
  if (p->commands != NULL && p->commands[0] != NULL)
    {
      for (guint i = 0; p->commands[i] != NULL; i++)
        if (g_ascii_strcasecmp (p->commands[i], command->code) == 0)
          return TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
ctx_load_contacts (Ctx *ctx)
{
  const ClReportFacts *f = ctx->f;
  int outbound = _cl_report_enum_index (CL_REPORT_ENUM_DIRECTION, "outbound");

  ctx->first_attempt = g_new (ClTime, ctx->n_cases);
  ctx->first_success = g_new (ClTime, ctx->n_cases);
  ctx->last_contact = g_new (ClDay, ctx->n_cases);
  ctx->n_attempts = g_new0 (guint32, ctx->n_cases);
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      ctx->first_attempt[c] = CL_TIME_NONE;
      ctx->first_success[c] = CL_TIME_NONE;
      ctx->last_contact[c] = CL_DAY_NONE;
    }

  for (guint i = 0; i < f->contacts->len; i++)
    {
      const ClReportContact *k = &g_array_index (f->contacts, ClReportContact, i);
      guint32 c = k->case_index;
      ClDay day;

      if (ctx->first_attempt[c] == CL_TIME_NONE || k->at < ctx->first_attempt[c])
        ctx->first_attempt[c] = k->at;
      if (is_success (ctx, k->outcome) &&
          (ctx->first_success[c] == CL_TIME_NONE || k->at < ctx->first_success[c]))
        ctx->first_success[c] = k->at;
      if (k->direction < 0 || k->direction == outbound)
        ctx->n_attempts[c]++;
      day = local_day (ctx, k->at);
      if (day <= ctx->as_of && (ctx->last_contact[c] == CL_DAY_NONE || day > ctx->last_contact[c]))
        ctx->last_contact[c] = day;
    }
}

static void
ctx_free (Ctx *ctx)
{
  g_clear_pointer (&ctx->tz, g_time_zone_unref);
  g_free (ctx->tz_cache);
  g_free (ctx->case_flags);
  g_free (ctx->received);
  g_free (ctx->start);
  g_free (ctx->source);
  g_free (ctx->first_attempt);
  g_free (ctx->first_success);
  g_free (ctx->last_contact);
  g_free (ctx->n_attempts);
}

static void
ctx_init (Ctx                  *ctx,
          const ClReportFacts  *f,
          const ClReportParams *p)
{
  int borough = p->borough != NULL ? _cl_report_enum_index (CL_REPORT_ENUM_BOROUGH, p->borough) : -1;
  int track = p->track != NULL ? _cl_report_enum_index (CL_REPORT_ENUM_TRACK, p->track) : -1;
  g_autofree guint8 *command_ok = NULL;

  memset (ctx, 0, sizeof *ctx);
  ctx->f = f;
  ctx->p = p;
  ctx->from = p->from;
  ctx->to = p->to;
  ctx->today = cl_report_params_get_today (p);
  ctx->as_of = cl_report_params_get_as_of (p);
  ctx->tz = cl_report_time_zone_new (p->time_zone);
  ctx->tz_cache = g_new (TzSlot, TZ_CACHE_SIZE);
  for (guint i = 0; i < TZ_CACHE_SIZE; i++)
    ctx->tz_cache[i].day = CL_DAY_NONE;
  ctx->success[0] = _cl_report_enum_index (CL_REPORT_ENUM_CONTACT_OUTCOME, "reached");
  ctx->success[1] = _cl_report_enum_index (CL_REPORT_ENUM_CONTACT_OUTCOME, "meeting_scheduled");
  ctx->closed = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "closed");

  ctx->advocate = -1;
  if (p->advocate != NULL)
    {
      ctx->advocate = -2;
      for (guint i = 0; i < f->advocates->len; i++)
        if (g_strcmp0 (g_ptr_array_index (f->advocates, i), p->advocate) == 0)
          ctx->advocate = (int) i;
    }
  ctx->funding = p->funding != NULL ? _cl_report_enum_index (CL_REPORT_ENUM_FUNDING, p->funding) : -1;

  command_ok = g_new0 (guint8, f->commands->len + 1);
  for (guint i = 0; i < f->commands->len; i++)
    command_ok[i] = command_selected (p, &g_array_index (f->commands, ClReportCommand, i),
                                      borough);

  ctx->n_cases = f->cases->len;
  ctx->case_flags = g_new0 (guint8, ctx->n_cases + 1);
  ctx->received = g_new (ClTime, ctx->n_cases + 1);
  ctx->start = g_new (ClDay, ctx->n_cases + 1);
  ctx->source = g_new (gint8, ctx->n_cases + 1);
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      gboolean any_command_filter = borough >= 0 || (p->commands != NULL && p->commands[0] != NULL);
      guint8 flags = 0;

      if ((k->command != CL_REPORT_NO_INDEX ? command_ok[k->command] : !any_command_filter) &&
          (track < 0 || k->track == track))
        flags |= CASE_BASE;
      if (ctx->advocate == -1 || (k->advocate != CL_REPORT_NO_INDEX && (int) k->advocate == ctx->advocate))
        flags |= CASE_ADV;
      if (ctx->funding < 0 || (k->funding & BIT (ctx->funding)))
        flags |= CASE_FUND;
      ctx->case_flags[c] = flags;
      ctx->received[c] = k->received;
      ctx->source[c] = -1;
    }

  /* The earliest inbound referral gives the source, and the time when the case has none. */
  {
    g_autofree ClTime *earliest = g_new (ClTime, ctx->n_cases + 1);

    for (guint c = 0; c < ctx->n_cases; c++)
      earliest[c] = CL_TIME_NONE;
    for (guint i = 0; i < f->referrals->len; i++)
      {
        const ClReportReferral *r = &g_array_index (f->referrals, ClReportReferral, i);
        guint32 c = r->case_index;

        if (r->received == CL_TIME_NONE)
          {
            if (earliest[c] == CL_TIME_NONE && ctx->source[c] < 0)
              ctx->source[c] = r->source;
            continue;
          }
        if (earliest[c] == CL_TIME_NONE || r->received < earliest[c] ||
            (r->received == earliest[c] && r->source < ctx->source[c]))
          {
            earliest[c] = r->received;
            ctx->source[c] = r->source;
          }
      }
    for (guint c = 0; c < ctx->n_cases; c++)
      {
        const ClReportCase *k = get_case (ctx, c);

        if (ctx->received[c] == CL_TIME_NONE)
          ctx->received[c] = earliest[c];
        ctx->start[c] = ctx->received[c] != CL_TIME_NONE ? local_day (ctx, ctx->received[c])
                                                         : k->opened;
      }
  }

  if (f->loaded & CL_REPORT_NEED_CONTACTS)
    ctx_load_contacts (ctx);
}

/* Helpers over results ---------------------------------------------------------------- */

static const char *
not_recorded_label (void)
{
  return _("Not recorded");
}

/* Adds one row per value of enumeration @id, then a "not_recorded" row if asked. Row i is
 * value i; the "not recorded" row is n_values. */
static void
add_enum_rows (ClReportTable  *t,
               ClReportEnumId  id,
               gboolean        not_recorded)
{
  const ClEnum *e = _cl_report_enum (id);

  for (guint i = 0; i < e->n_values; i++)
    _cl_report_add_row (t, e->values[i].code, _(e->values[i].label));
  if (not_recorded)
    _cl_report_add_row (t, "not_recorded", not_recorded_label ());
}

static guint
enum_row (ClReportEnumId id,
          int            value)
{
  return value >= 0 ? (guint) value : _cl_report_enum (id)->n_values;
}

static void
no_sum (ClReportTable *t,
        guint          col)
{
  t->sum_columns &= ~BIT (col);
}

static int
compare_usernames (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  GPtrArray *names = user_data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return strcmp (g_ptr_array_index (names, ia), g_ptr_array_index (names, ib));
}

/* Advocate indexes sorted by username. */
static GArray *
sorted_advocates (const ClReportFacts *f)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), f->advocates->len);

  for (guint i = 0; i < f->advocates->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_usernames, f->advocates);
  return order;
}

/* Natural order: runs of digits compare as numbers ("9" < "10", "PSA 2" < "PSA 10"), and
 * plain numbers (precincts) come before anything else (PSAs). */
static int
natural_compare (const char *a,
                 const char *b)
{
  gboolean a_num = g_ascii_isdigit (*a), b_num = g_ascii_isdigit (*b);

  if (a_num != b_num)
    return a_num ? -1 : 1;
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
          guint64 y = g_ascii_strtoull (b, (char **) &b, 10);

          if (x != y)
            return x < y ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      a++;
      b++;
    }
  return *a == *b ? 0 : *a == '\0' ? -1 : 1;
}

static int
compare_commands (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GArray *commands = user_data;

  return natural_compare (g_array_index (commands, ClReportCommand, *(const guint *) a).code,
                          g_array_index (commands, ClReportCommand, *(const guint *) b).code);
}

/* Command indexes sorted by code (numbers numerically, then PSAs). */
static GArray *
sorted_commands (const ClReportFacts *f)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), f->commands->len);

  for (guint i = 0; i < f->commands->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_commands, f->commands);
  return order;
}

static char *
command_label (const ClReportCommand *c)
{
  if (c->name != NULL && *c->name != '\0')
    return g_strdup (c->name);
  return g_strdup (c->code);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

typedef struct {
  double median;
  double mean;
  double p90;
} Stats;

/* Median (the mean of the two middle values for an even count), mean, and the 90th
 * percentile by the nearest-rank method (the value at rank ⌈0.9 n⌉). */
static gboolean
compute_stats (GArray *values,
               Stats  *stats)
{
  guint n = values->len;
  gint64 *v = (gint64 *) (gpointer) values->data;
  double sum = 0;

  if (n == 0)
    return FALSE;
  g_array_sort (values, compare_gint64);
  for (guint i = 0; i < n; i++)
    sum += (double) v[i];
  stats->mean = sum / n;
  stats->median = n % 2 ? (double) v[n / 2] : ((double) v[n / 2 - 1] + (double) v[n / 2]) / 2.0;
  stats->p90 = (double) v[(9 * n + 9) / 10 - 1];
  return TRUE;
}

/* A row of counts, then a share of two of its cells. */
static void
set_share_cells (ClReportTable *t,
                 guint          row,
                 guint          col,
                 guint          num_col,
                 guint          den_col)
{
  ClReportCell *num = _cl_report_cell (t, row, num_col);
  ClReportCell *den = _cl_report_cell (t, row, den_col);
  ClReportCellRef num_ref = _cl_report_ref (t, row, num_col);
  ClReportCellRef den_ref = _cl_report_ref (t, row, den_col);

  _cl_report_set_share (t, row, col, num->kind == CL_REPORT_CELL_COUNT ? num->count : 0,
                        den->kind == CL_REPORT_CELL_COUNT ? den->count : 0, &num_ref, &den_ref);
}

/* Fills count cells left empty with zero, so tables show 0 rather than blanks. */
static void
zero_fill (ClReportTable *t,
           guint64        columns)
{
  for (guint r = 0; r < t->rows->len; r++)
    for (guint c = 0; c < t->columns->len; c++)
      if ((columns & BIT (c)) && _cl_report_cell (t, r, c)->kind == CL_REPORT_CELL_EMPTY)
        _cl_report_set_count (t, r, c, 0);
}

static guint64
all_columns (ClReportTable *t)
{
  return t->columns->len >= 64 ? G_MAXUINT64 : BIT (t->columns->len) - 1;
}

static ClDay
case_end (Ctx     *ctx,
          guint32  c)
{
  return get_case (ctx, c)->closed;
}

static char *
case_label (Ctx     *ctx,
            guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);

  if (k->flags & CL_REPORT_CASE_RESTRICTED)
    return g_strdup (_("(restricted case)"));
  if (k->number != NULL && *k->number != '\0')
    return g_strdup (k->number);
  return g_strdup (_("(no case number)"));
}

/* Lists of cases are sorted by what they show, then by case number: never by the order the
 * adapter loaded them in. */
static int
compare_cases (Ctx     *ctx,
               guint32  a,
               guint32  b)
{
  g_autofree char *la = case_label (ctx, a);
  g_autofree char *lb = case_label (ctx, b);
  int cmp = strcmp (la, lb);

  if (cmp == 0)
    cmp = g_strcmp0 (get_case (ctx, a)->number, get_case (ctx, b)->number);
  if (cmp == 0)
    cmp = a < b ? -1 : a > b;
  return cmp;
}

static int
compare_case_indexes (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  return compare_cases (user_data, *(const guint32 *) a, *(const guint32 *) b);
}

static const char *
advocate_name (Ctx     *ctx,
               guint32  advocate)
{
  if (advocate == CL_REPORT_NO_INDEX)
    return _("Unassigned");
  return g_ptr_array_index (ctx->f->advocates, advocate);
}

static char *
day_string (ClDay day)
{
  return cl_day_to_string (day);
}

/* A day in a note, for people: the locale's format (cl-l10n.h). */
static char *
note_day (ClDay day)
{
  g_autofree char *text = cl_l10n_format_day (day);

  return cl_l10n_isolate (text);
}

/* Report: supervisor caseload ---------------------------------------------------------- */

/* The status of case @c on the as-of day: what its status history says (else its current
 * status). A case closed after that day, whose closing the history does not show (it came
 * from another device, or the server keeps no history), was still open: active. */
static gint8
case_status_on (Ctx     *ctx,
                guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);
  gint8 status = k->status_on >= 0 ? k->status_on : k->status;

  if (status == ctx->closed && k->closed != CL_DAY_NONE && k->closed > ctx->as_of)
    return (gint8) _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "active");
  return status;
}

enum {
  CL_ACTIVE, CL_OUTREACH, CL_STATUS_ACTIVE, CL_STALE,
  CL_AGE_30, CL_AGE_90, CL_AGE_180, CL_AGE_OVER, CL_AGE_UNKNOWN,
  CL_N_COLS
};

static void
caseload_columns (ClReportTable *t)
{
  _cl_report_add_column (t, "caseload", _("Active caseload"));
  _cl_report_add_column (t, "outreach", _("Outreach"));
  _cl_report_add_column (t, "active", _("Active"));
  _cl_report_add_column (t, "stale", _("Stale"));
  _cl_report_add_column (t, "age_0_30", _("0–30 days"));
  _cl_report_add_column (t, "age_31_90", _("31–90 days"));
  _cl_report_add_column (t, "age_91_180", _("91–180 days"));
  _cl_report_add_column (t, "age_over_180", _("Over 180 days"));
  _cl_report_add_column (t, "age_unknown", _("Age unknown"));
}

/* The caseload column is the sum of the status columns, and also of the age bands. */
static void
caseload_finish (ClReportResult *r,
                 ClReportTable  *t)
{
  zero_fill (t, all_columns (t));
  _cl_report_add_total_row (t, NULL);
  _cl_report_set_total_col (t, CL_ACTIVE, BIT (CL_OUTREACH) | BIT (CL_STATUS_ACTIVE));
  for (guint row = 0; row < t->rows->len; row++)
    {
      ClReportCellRef parts[5];

      for (guint i = 0; i < 5; i++)
        parts[i] = _cl_report_ref (t, row, CL_AGE_30 + i);
      _cl_report_add_group (r, _cl_report_ref (t, row, CL_ACTIVE), parts, 5);
      _cl_report_add_subset (r, _cl_report_ref (t, row, CL_ACTIVE), _cl_report_ref (t, row, CL_STALE));
    }
}

static ClReportResult *
run_caseload (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GArray) advocates = sorted_advocates (f);
  g_autofree guint *advocate_row = g_new0 (guint, f->advocates->len + 1);
  ClReportTable *by_adv, *by_track, *stale;
  int outreach = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "outreach");
  int active = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "active");
  g_autoptr(GArray) stale_cases = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree gint64 *adv_counts = g_new0 (gint64, f->advocates->len + 1);
  g_autofree gint8 *status = g_new0 (gint8, ctx->n_cases + 1);
  g_autofree guint8 *counted = g_new0 (guint8, ctx->n_cases + 1);
  ClDay d = ctx->as_of;

  by_adv = _cl_report_table_new (r, "by_advocate", _("Caseload by advocate"), _("Advocate"));
  caseload_columns (by_adv);
  by_track = _cl_report_table_new (r, "by_track", _("Caseload by track"), _("Track"));
  caseload_columns (by_track);
  add_enum_rows (by_track, CL_REPORT_ENUM_TRACK, TRUE);

  /* The status of every case on D, from its status history. */
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      status[c] = case_status_on (ctx, c);
      counted[c] = case_ok (ctx, c) && (status[c] == outreach || status[c] == active) &&
                   (ctx->start[c] == CL_DAY_NONE || ctx->start[c] <= d);
    }

  /* Advocates with at least one counted case, by username; then "unassigned". */
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);

      if (counted[c])
        adv_counts[k->advocate == CL_REPORT_NO_INDEX ? f->advocates->len : k->advocate]++;
    }
  for (guint i = 0; i < advocates->len; i++)
    {
      guint a = g_array_index (advocates, guint, i);

      if (adv_counts[a] > 0)
        advocate_row[a] = _cl_report_add_row (by_adv, g_ptr_array_index (f->advocates, a),
                                              g_ptr_array_index (f->advocates, a));
    }
  if (adv_counts[f->advocates->len] > 0)
    advocate_row[f->advocates->len] = _cl_report_add_row (by_adv, "unassigned", _("Unassigned"));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      guint arow, trow, band;
      ClDay last;
      gboolean is_stale;

      if (!counted[c])
        continue;

      arow = advocate_row[k->advocate == CL_REPORT_NO_INDEX ? f->advocates->len : k->advocate];
      trow = enum_row (CL_REPORT_ENUM_TRACK, k->track);

      if (ctx->start[c] == CL_DAY_NONE)
        band = CL_AGE_UNKNOWN;
      else if (d - ctx->start[c] <= 30)
        band = CL_AGE_30;
      else if (d - ctx->start[c] <= 90)
        band = CL_AGE_90;
      else if (d - ctx->start[c] <= 180)
        band = CL_AGE_180;
      else
        band = CL_AGE_OVER;

      /* Stale: more than N days since the last contact or attempt (or, with none, since the
       * referral). */
      last = ctx->last_contact[c] != CL_DAY_NONE ? ctx->last_contact[c] : ctx->start[c];
      is_stale = last == CL_DAY_NONE || d - last > (ClDay) ctx->p->stale_days;

      _cl_report_count_case (by_adv, arow, status[c] == outreach ? CL_OUTREACH : CL_STATUS_ACTIVE, 1, c);
      _cl_report_count_case (by_adv, arow, band, 1, c);
      _cl_report_count_case (by_adv, arow, CL_STALE, is_stale, c);
      _cl_report_count_case (by_track, trow, status[c] == outreach ? CL_OUTREACH : CL_STATUS_ACTIVE, 1, c);
      _cl_report_count_case (by_track, trow, band, 1, c);
      _cl_report_count_case (by_track, trow, CL_STALE, is_stale, c);
      if (is_stale)
        g_array_append_val (stale_cases, c);
    }

  caseload_finish (r, by_adv);
  caseload_finish (r, by_track);
  _cl_report_link_equal (r, _cl_report_ref (by_adv, by_adv->total_row, CL_ACTIVE),
                         _cl_report_ref (by_track, by_track->total_row, CL_ACTIVE));
  _cl_report_set_chart (by_adv, CL_REPORT_CHART_STACKED_BAR,
                        CL_REPORT_COLS (CL_OUTREACH, CL_STATUS_ACTIVE));
  _cl_report_set_chart (by_track, CL_REPORT_CHART_STACKED_BAR,
                        CL_REPORT_COLS (CL_AGE_30, CL_AGE_90, CL_AGE_180, CL_AGE_OVER));

  /* The stale cases themselves: for the supervisor only, never exported for outside use. */
  g_array_sort_with_data (stale_cases, compare_case_indexes, ctx);
  stale = _cl_report_table_new (r, "stale_cases", _("Stale cases"), _("Case"));
  stale->internal_only = TRUE;
  _cl_report_add_column (stale, "advocate", _("Advocate"));
  _cl_report_add_column (stale, "track", _("Track"));
  _cl_report_add_column (stale, "last_contact", _("Last contact"));
  _cl_report_add_column (stale, "days", _("Days since"));
  stale->sum_columns = 0;
  for (guint i = 0; i < stale_cases->len; i++)
    {
      guint32 c = g_array_index (stale_cases, guint32, i);
      const ClReportCase *k = get_case (ctx, c);
      g_autofree char *label = case_label (ctx, c);
      g_autofree char *key = g_strdup_printf ("%u", i + 1);
      g_autofree char *last = day_string (ctx->last_contact[c]);
      guint row = _cl_report_add_row (stale, key, label);

      _cl_report_trace_row (stale, row, c);
      _cl_report_set_text (stale, row, 0, advocate_name (ctx, k->advocate));
      _cl_report_set_text (stale, row, 1, k->track >= 0 ? _cl_report_enum_label (CL_REPORT_ENUM_TRACK, k->track)
                                                         : not_recorded_label ());
      if (ctx->last_contact[c] != CL_DAY_NONE)
        {
          _cl_report_set_text (stale, row, 2, last);
          _cl_report_set_number (stale, row, 3, d - ctx->last_contact[c], CL_REPORT_UNIT_DAYS, 0, NULL);
        }
      else
        _cl_report_set_text (stale, row, 2, _("never"));
    }

  {
    g_autofree char *day = note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("Cases in outreach or active status on %s. "
                                                       "Age counts from the referral; a case is "
                                                       "stale after more than %u day without a "
                                                       "contact or attempt.",
                                                       "Cases in outreach or active status on %s. "
                                                       "Age counts from the referral; a case is "
                                                       "stale after more than %u days without a "
                                                       "contact or attempt.", ctx->p->stale_days),
                                             day, ctx->p->stale_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

/* Referrals in the period ------------------------------------------------------------ */

/* Cases whose referral was received in the period (local day), within the filters. */
static gboolean
referred_in_period (Ctx     *ctx,
                    guint32  c)
{
  return case_ok (ctx, c) && ctx->received[c] != CL_TIME_NONE &&
         in_period (ctx, local_day (ctx, ctx->received[c]));
}

enum { RF_REFERRALS, RF_REACHED, RF_CONVERSION };

static ClReportTable *
referral_table (ClReportResult *r,
                const char     *key,
                const char     *title,
                const char     *row_header)
{
  ClReportTable *t = _cl_report_table_new (r, key, title, row_header);

  _cl_report_add_column (t, "referrals", _("Referrals"));
  _cl_report_add_column (t, "reached", _("Reached"));
  _cl_report_add_column (t, "conversion", _("Conversion"));
  no_sum (t, RF_CONVERSION);
  return t;
}

static void
referral_count (ClReportTable *t,
                guint          row,
                gboolean       reached,
                guint32        c)
{
  _cl_report_count_case (t, row, RF_REFERRALS, 1, c);
  _cl_report_count_case (t, row, RF_REACHED, reached ? 1 : 0, c);
}

static void
referral_finish (ClReportResult *r,
                 ClReportTable  *t,
                 gboolean        total)
{
  zero_fill (t, BIT (RF_REFERRALS) | BIT (RF_REACHED));
  if (total)
    _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row < t->rows->len; row++)
    {
      set_share_cells (t, row, RF_CONVERSION, RF_REACHED, RF_REFERRALS);
      _cl_report_add_subset (r, _cl_report_ref (t, row, RF_REFERRALS),
                             _cl_report_ref (t, row, RF_REACHED));
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (RF_REFERRALS, RF_REACHED));
}

static ClReportResult *
run_referrals (Ctx                *ctx,
               const ClReportInfo *info,
               GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GArray) commands = sorted_commands (f);
  g_autofree guint *command_row = g_new0 (guint, f->commands->len + 1);
  g_autofree gint64 *command_n = g_new0 (gint64, f->commands->len + 1);
  g_autofree guint8 *counted = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint64 *vtypes = g_new0 (guint64, ctx->n_cases + 1);
  ClReportTable *summary, *by_source, *by_command, *by_borough, *by_track, *by_vt;
  guint n_vt = _cl_report_enum (CL_REPORT_ENUM_VICTIMIZATION)->n_values;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      {
        const ClReportCase *k = get_case (ctx, c);

        counted[c] = 1;
        command_n[k->command == CL_REPORT_NO_INDEX ? f->commands->len : k->command]++;
      }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0)
        vtypes[v->case_index] |= BIT (v->type);
    }

  summary = referral_table (r, "summary", _("New referrals"), "");
  _cl_report_add_row (summary, "all", _("All new referrals"));
  by_source = referral_table (r, "by_source", _("By referral source"), _("Source"));
  add_enum_rows (by_source, CL_REPORT_ENUM_REFERRAL_SOURCE, TRUE);
  by_command = referral_table (r, "by_command", _("By command"), _("Command"));
  for (guint i = 0; i < commands->len; i++)
    {
      guint ci = g_array_index (commands, guint, i);
      const ClReportCommand *cmd = &g_array_index (f->commands, ClReportCommand, ci);
      g_autofree char *label = NULL;

      if (command_n[ci] == 0)
        continue;
      label = command_label (cmd);
      command_row[ci] = _cl_report_add_row (by_command, cmd->code, label);
    }
  if (command_n[f->commands->len] > 0)
    command_row[f->commands->len] = _cl_report_add_row (by_command, "not_recorded",
                                                        not_recorded_label ());
  by_borough = referral_table (r, "by_borough", _("By borough"), _("Borough"));
  add_enum_rows (by_borough, CL_REPORT_ENUM_BOROUGH, TRUE);
  by_track = referral_table (r, "by_track", _("By track"), _("Track"));
  add_enum_rows (by_track, CL_REPORT_ENUM_TRACK, TRUE);
  by_vt = referral_table (r, "by_victimization", _("By victimization type"),
                          _("Victimization type"));
  add_enum_rows (by_vt, CL_REPORT_ENUM_VICTIMIZATION, TRUE);
  by_vt->note = g_strdup (_("A referral with several victimization types is counted under "
                            "each: this table has no total."));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k;
      gboolean reached;

      if (!counted[c])
        continue;
      k = get_case (ctx, c);
      reached = ctx->first_success[c] != CL_TIME_NONE;
      referral_count (summary, 0, reached, c);
      referral_count (by_source, enum_row (CL_REPORT_ENUM_REFERRAL_SOURCE, ctx->source[c]), reached, c);
      referral_count (by_command, command_row[k->command == CL_REPORT_NO_INDEX ? f->commands->len : k->command],
                      reached, c);
      referral_count (by_borough, enum_row (CL_REPORT_ENUM_BOROUGH, command_borough (ctx, k->command)),
                      reached, c);
      referral_count (by_track, enum_row (CL_REPORT_ENUM_TRACK, k->track), reached, c);
      if (vtypes[c] == 0)
        referral_count (by_vt, n_vt, reached, c);
      for (guint v = 0; v < n_vt; v++)
        if (vtypes[c] & BIT (v))
          referral_count (by_vt, v, reached, c);
    }

  referral_finish (r, summary, FALSE);
  referral_finish (r, by_source, TRUE);
  referral_finish (r, by_command, TRUE);
  referral_finish (r, by_borough, TRUE);
  referral_finish (r, by_track, TRUE);
  referral_finish (r, by_vt, FALSE);
  summary->chart = CL_REPORT_CHART_NONE;

  {
    ClReportTable *totals[] = { by_source, by_command, by_borough, by_track };

    for (guint i = 0; i < G_N_ELEMENTS (totals); i++)
      for (guint col = RF_REFERRALS; col <= RF_REACHED; col++)
        _cl_report_link_equal (r, _cl_report_ref (summary, 0, col),
                               _cl_report_ref (totals[i], totals[i]->total_row, col));
  }

  _cl_report_add_note (r, _("A referral is a case whose referral was received in the period. "
                            "Conversion is the share of referrals with at least one successful "
                            "contact (reached, or a meeting scheduled), whenever it happened."));
  return g_steal_pointer (&r);
}

/* Time to first attempt and first contact ----------------------------------------------- */

enum {
  FC_CASES, FC_WITH, FC_NONE, FC_MEDIAN, FC_MEAN, FC_P90, FC_24H, FC_72H, FC_7D, FC_N_COLS
};

static ClReportTable *
first_contact_table (ClReportResult *r,
                     const char     *key,
                     const char     *title,
                     const char     *with_label,
                     const char     *none_label)
{
  ClReportTable *t = _cl_report_table_new (r, key, title, _("Referrals"));

  _cl_report_add_column (t, "cases", _("Referrals"));
  _cl_report_add_column (t, "with", with_label);
  _cl_report_add_column (t, "none", none_label);
  _cl_report_add_column (t, "median_hours", _("Median (hours)"));
  _cl_report_add_column (t, "mean_hours", _("Mean (hours)"));
  _cl_report_add_column (t, "p90_hours", _("90th percentile (hours)"));
  _cl_report_add_column (t, "within_24h", _("Within 24 hours"));
  _cl_report_add_column (t, "within_72h", _("Within 72 hours"));
  _cl_report_add_column (t, "within_7d", _("Within 7 days"));
  t->sum_columns = BIT (FC_CASES) | BIT (FC_WITH) | BIT (FC_NONE);
  _cl_report_add_row (t, "safe_channel", _("With a safe channel"));
  _cl_report_add_row (t, "no_safe_channel", _("No safe channel"));
  return t;
}

/* The limits of the shares within 24 hours, 72 hours and 7 days. */
static const gint64 fc_limits[3] = { 24 * 3600, 72 * 3600, 7 * 24 * 3600 };

/* The group of a referral: row 0 when its client has a safe channel, else row 1. */
static guint
first_contact_group (Ctx     *ctx,
                     guint32  c)
{
  const ClReportCase *k = get_case (ctx, c);

  return (k->client != CL_REPORT_NO_INDEX &&
          (get_client (ctx, k->client)->flags & CL_REPORT_CLIENT_SAFE_CHANNEL)) ? 0 : 1;
}

/* Seconds from referral @c to @first, -1 if there is none. A contact logged before the
 * referral's time counts as immediate. */
static gint64
first_contact_delay (Ctx     *ctx,
                     guint32  c,
                     ClTime   first)
{
  return first != CL_TIME_NONE ? MAX (0, first - ctx->received[c]) : -1;
}

/* Drill-down: referral @c is behind the cells of @row that count it. Its delay is -1 when
 * it has no first attempt (or contact) yet. A share within 24 hours … 7 days has no count
 * of its own: it is traced to the referrals in time, not to all those it is a share of. */
static void
first_contact_trace (ClReportTable *t,
                     guint          row,
                     guint32        c,
                     gint64         delay)
{
  _cl_report_trace (t, row, FC_CASES, c);
  _cl_report_trace (t, row, delay < 0 ? FC_NONE : FC_WITH, c);
  for (guint l = 0; l < 3; l++)
    if (delay >= 0 && delay <= fc_limits[l])
      _cl_report_trace (t, row, FC_24H + l, c);
}

static void
first_contact_fill (ClReportTable *t,
                    guint          row,
                    GArray        *seconds,
                    gint64         cases)
{
  Stats stats;
  gint64 within[3] = { 0, 0, 0 };
  ClReportCellRef n_ref = _cl_report_ref (t, row, FC_WITH);
  ClReportCellRef cases_ref = _cl_report_ref (t, row, FC_CASES);

  _cl_report_set_count (t, row, FC_CASES, cases);
  _cl_report_set_count (t, row, FC_WITH, seconds->len);
  _cl_report_set_count (t, row, FC_NONE, cases - seconds->len);
  for (guint i = 0; i < seconds->len; i++)
    for (guint l = 0; l < 3; l++)
      if (g_array_index (seconds, gint64, i) <= fc_limits[l])
        within[l]++;
  if (compute_stats (seconds, &stats))
    {
      _cl_report_set_number (t, row, FC_MEDIAN, stats.median / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
      _cl_report_set_number (t, row, FC_MEAN, stats.mean / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
      _cl_report_set_number (t, row, FC_P90, stats.p90 / 3600.0, CL_REPORT_UNIT_HOURS, 1, &n_ref);
    }
  for (guint l = 0; l < 3; l++)
    _cl_report_set_share (t, row, FC_24H + l, within[l], cases, NULL, &cases_ref);
}

static ClReportResult *
run_first_contact (Ctx                *ctx,
                   const ClReportInfo *info,
                   GError            **error)
{
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  ClReportTable *tables[2];
  /* [measure][row]: row 0 safe channel, 1 none, 2 all */
  GArray *seconds[2][3];
  gint64 cases[3] = { 0, 0, 0 };

  tables[0] = first_contact_table (r, "first_attempt", _("Time to first attempt"),
                                   _("With an attempt"), _("No attempt yet"));
  tables[1] = first_contact_table (r, "first_contact", _("Time to first successful contact"),
                                   _("Reached"), _("Not reached yet"));
  for (guint m = 0; m < 2; m++)
    for (guint row = 0; row < 3; row++)
      seconds[m][row] = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      guint row;
      ClTime firsts[2];

      if (!referred_in_period (ctx, c))
        continue;
      row = first_contact_group (ctx, c);
      cases[row]++;
      cases[2]++;
      firsts[0] = ctx->first_attempt[c];
      firsts[1] = ctx->first_success[c];
      for (guint m = 0; m < 2; m++)
        {
          gint64 delay = first_contact_delay (ctx, c, firsts[m]);

          if (delay >= 0)
            {
              g_array_append_val (seconds[m][row], delay);
              g_array_append_val (seconds[m][2], delay);
            }
        }
    }

  for (guint m = 0; m < 2; m++)
    {
      ClReportTable *t = tables[m];
      guint total;

      first_contact_fill (t, 0, seconds[m][0], cases[0]);
      first_contact_fill (t, 1, seconds[m][1], cases[1]);
      total = _cl_report_add_total_row (t, _("All referrals"));
      first_contact_fill (t, total, seconds[m][2], cases[2]);
      for (guint row = 0; row <= total; row++)
        {
          ClReportCellRef parts[2] = { _cl_report_ref (t, row, FC_WITH), _cl_report_ref (t, row, FC_NONE) };
          _cl_report_add_group (r, _cl_report_ref (t, row, FC_CASES), parts, 2);
        }
      _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (FC_MEDIAN, FC_MEAN, FC_P90));
      for (guint row = 0; row < 3; row++)
        g_array_unref (seconds[m][row]);
    }
  /* Drill-down, once the total rows exist: every referral is behind its group and the total. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        for (guint m = 0; m < 2; m++)
          {
            ClTime first = m == 0 ? ctx->first_attempt[c] : ctx->first_success[c];
            gint64 delay = first_contact_delay (ctx, c, first);

            first_contact_trace (tables[m], first_contact_group (ctx, c), c, delay);
            first_contact_trace (tables[m], (guint) tables[m]->total_row, c, delay);
          }
  for (guint col = FC_CASES; col <= FC_CASES; col++)
    _cl_report_link_equal (r, _cl_report_ref (tables[0], tables[0]->total_row, col),
                           _cl_report_ref (tables[1], tables[1]->total_row, col));
  for (guint row = 0; row < 2; row++)
    _cl_report_link_equal (r, _cl_report_ref (tables[0], row, FC_CASES),
                           _cl_report_ref (tables[1], row, FC_CASES));

  _cl_report_add_note (r, _("Referrals received in the period. Times run from the referral "
                            "to the first contact attempt (any contact logged), and to the "
                            "first successful contact (reached, or a meeting scheduled). "
                            "Shares are of all referrals, reached or not. Clients with no "
                            "channel marked safe are shown apart."));
  return g_steal_pointer (&r);
}

/* Outreach effort --------------------------------------------------------------------- */

enum { OE_ATTEMPTS, OE_REACHED, OE_RATE };

static ClReportTable *
outreach_table (ClReportResult *r,
                const char     *key,
                const char     *title,
                const char     *row_header)
{
  ClReportTable *t = _cl_report_table_new (r, key, title, row_header);

  _cl_report_add_column (t, "contacts", _("Contacts and attempts"));
  _cl_report_add_column (t, "reached", _("Successful"));
  _cl_report_add_column (t, "rate", _("Reach rate"));
  no_sum (t, OE_RATE);
  return t;
}

static void
outreach_finish (ClReportResult *r,
                 ClReportTable  *t)
{
  zero_fill (t, BIT (OE_ATTEMPTS) | BIT (OE_REACHED));
  _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row < t->rows->len; row++)
    {
      set_share_cells (t, row, OE_RATE, OE_REACHED, OE_ATTEMPTS);
      _cl_report_add_subset (r, _cl_report_ref (t, row, OE_ATTEMPTS),
                             _cl_report_ref (t, row, OE_REACHED));
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (OE_ATTEMPTS, OE_REACHED));
}

static ClReportResult *
run_outreach (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GArray) advocates = sorted_advocates (f);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = g_new0 (guint, f->advocates->len + 1);
  ClReportTable *summary, *outcomes, *by_channel, *by_adv;
  gint64 referrals = 0, attempts = 0, reached = 0, none = 0;
  guint row;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      {
        referrals++;
        attempts += ctx->n_attempts[c];
        reached += ctx->first_success[c] != CL_TIME_NONE;
        none += ctx->first_attempt[c] == CL_TIME_NONE;
      }

  summary = _cl_report_table_new (r, "summary", _("Referrals of the period"), "");
  _cl_report_add_column (summary, "value", _("Value"));
  summary->sum_columns = 0;
  row = _cl_report_add_row (summary, "referrals", _("New referrals"));
  _cl_report_set_count (summary, row, 0, referrals);
  row = _cl_report_add_row (summary, "attempts", _("Outreach attempts on them"));
  _cl_report_set_count (summary, row, 0, attempts);
  row = _cl_report_add_row (summary, "attempts_per_referral", _("Attempts per referral"));
  {
    ClReportCellRef dep = _cl_report_ref (summary, 0, 0);
    _cl_report_set_number (summary, row, 0, referrals > 0 ? (double) attempts / referrals : NAN,
                           CL_REPORT_UNIT_NONE, 1, &dep);
  }
  row = _cl_report_add_row (summary, "reached", _("Referrals reached"));
  _cl_report_set_count (summary, row, 0, reached);
  row = _cl_report_add_row (summary, "reach_rate", _("Reach rate (referrals reached)"));
  {
    ClReportCellRef num = _cl_report_ref (summary, 3, 0), den = _cl_report_ref (summary, 0, 0);
    _cl_report_set_share (summary, row, 0, reached, referrals, &num, &den);
  }
  row = _cl_report_add_row (summary, "no_attempt", _("Referrals with no attempt yet"));
  _cl_report_set_count (summary, row, 0, none);
  _cl_report_add_subset (r, _cl_report_ref (summary, 0, 0), _cl_report_ref (summary, 3, 0));
  _cl_report_add_subset (r, _cl_report_ref (summary, 0, 0), _cl_report_ref (summary, 5, 0));
  /* Drill-down: the referrals, and those of them behind each count. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        {
          _cl_report_trace (summary, 0, 0, c);
          if (ctx->n_attempts[c] > 0)
            _cl_report_trace (summary, 1, 0, c);
          if (ctx->first_success[c] != CL_TIME_NONE)
            _cl_report_trace (summary, 3, 0, c);
          if (ctx->first_attempt[c] == CL_TIME_NONE)
            _cl_report_trace (summary, 5, 0, c);
        }

  outcomes = _cl_report_table_new (r, "outcomes", _("Outcome of contacts in the period"),
                                   _("Outcome"));
  _cl_report_add_column (outcomes, "contacts", _("Contacts and attempts"));
  _cl_report_add_column (outcomes, "share", _("Share"));
  no_sum (outcomes, 1);
  add_enum_rows (outcomes, CL_REPORT_ENUM_CONTACT_OUTCOME, FALSE);
  by_channel = outreach_table (r, "by_channel", _("Contacts in the period by channel"),
                               _("Channel"));
  add_enum_rows (by_channel, CL_REPORT_ENUM_CHANNEL, TRUE);
  by_adv = outreach_table (r, "by_advocate", _("Contacts in the period by advocate"),
                           _("Advocate"));

  for (guint i = 0; i < f->contacts->len; i++)
    {
      const ClReportContact *k = &g_array_index (f->contacts, ClReportContact, i);
      guint32 a = event_advocate (ctx, k->case_index, k->advocate);

      if (contact_ok (ctx, k) && in_period (ctx, local_day (ctx, k->at)))
        adv_n[a == CL_REPORT_NO_INDEX ? f->advocates->len : a]++;
    }
  for (guint i = 0; i < advocates->len; i++)
    {
      guint a = g_array_index (advocates, guint, i);

      if (adv_n[a] > 0)
        adv_row[a] = _cl_report_add_row (by_adv, g_ptr_array_index (f->advocates, a),
                                         g_ptr_array_index (f->advocates, a));
    }
  if (adv_n[f->advocates->len] > 0)
    adv_row[f->advocates->len] = _cl_report_add_row (by_adv, "not_recorded", not_recorded_label ());

  for (guint i = 0; i < f->contacts->len; i++)
    {
      const ClReportContact *k = &g_array_index (f->contacts, ClReportContact, i);
      guint32 a;
      gboolean ok;

      if (!contact_ok (ctx, k) || !in_period (ctx, local_day (ctx, k->at)))
        continue;
      ok = is_success (ctx, k->outcome);
      if (k->outcome >= 0)
        _cl_report_count_case (outcomes, (guint) k->outcome, 0, 1, k->case_index);
      row = enum_row (CL_REPORT_ENUM_CHANNEL, k->channel);
      _cl_report_count_case (by_channel, row, OE_ATTEMPTS, 1, k->case_index);
      _cl_report_count_case (by_channel, row, OE_REACHED, ok, k->case_index);
      a = event_advocate (ctx, k->case_index, k->advocate);
      row = adv_row[a == CL_REPORT_NO_INDEX ? f->advocates->len : a];
      _cl_report_count_case (by_adv, row, OE_ATTEMPTS, 1, k->case_index);
      _cl_report_count_case (by_adv, row, OE_REACHED, ok, k->case_index);
    }

  zero_fill (outcomes, BIT (0));
  _cl_report_add_total_row (outcomes, NULL);
  for (row = 0; row < outcomes->rows->len; row++)
    set_share_cells (outcomes, row, 1, 0, 0);
  for (row = 0; row + 1 < outcomes->rows->len; row++)
    {
      ClReportCellRef num = _cl_report_ref (outcomes, row, 0);
      ClReportCellRef den = _cl_report_ref (outcomes, outcomes->total_row, 0);
      ClReportCell *n = _cl_report_cell (outcomes, row, 0);
      ClReportCell *d = _cl_report_cell (outcomes, outcomes->total_row, 0);

      _cl_report_set_share (outcomes, row, 1, n->count, d->count, &num, &den);
    }
  _cl_report_set_chart (outcomes, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  outreach_finish (r, by_channel);
  outreach_finish (r, by_adv);
  _cl_report_link_equal (r, _cl_report_ref (outcomes, outcomes->total_row, 0),
                         _cl_report_ref (by_channel, by_channel->total_row, OE_ATTEMPTS));
  _cl_report_link_equal (r, _cl_report_ref (outcomes, outcomes->total_row, 0),
                         _cl_report_ref (by_adv, by_adv->total_row, OE_ATTEMPTS));
  _cl_report_link_equal (r, _cl_report_ref (by_channel, by_channel->total_row, OE_REACHED),
                         _cl_report_ref (by_adv, by_adv->total_row, OE_REACHED));

  _cl_report_add_note (r, _("Attempts per referral and the referral reach rate follow the "
                            "referrals received in the period, with every outbound contact "
                            "logged on them. The other tables count the contacts logged in "
                            "the period, inbound and outbound; a contact is successful when "
                            "the person was reached or a meeting was scheduled."));
  return g_steal_pointer (&r);
}

/* Services delivered ------------------------------------------------------------------ */

/* The category letter (A … E) of a service code index, as 0 … 4. */
static guint
service_category (int code)
{
  const char *text = _cl_report_enum_code (CL_REPORT_ENUM_SERVICE_CODE, code);

  return (guint) (text[0] - 'A');
}

#define N_SERVICE_CATEGORIES 5

static const struct {
  const char *key;
  const char *label;
} service_categories[N_SERVICE_CATEGORIES] = {
  { "A", N_("A. Information and referral") },
  { "B", N_("B. Personal advocacy and accompaniment") },
  { "C", N_("C. Emotional support or safety services") },
  { "D", N_("D. Shelter and housing services") },
  { "E", N_("E. Criminal and civil justice system assistance") },
};

/* Distinct clients per key: a hash set of (key << 32 | client). */
static gboolean
mark_pair (GHashTable *set,
           guint       key,
           guint32     client)
{
  guint64 *pair = g_new (guint64, 1);

  *pair = ((guint64) key << 32) | client;
  if (g_hash_table_contains (set, pair))
    {
      g_free (pair);
      return FALSE;
    }
  g_hash_table_add (set, pair);
  return TRUE;
}

static GHashTable *
pair_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static ClReportResult *
run_services (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GArray) advocates = sorted_advocates (f);
  g_autoptr(GArray) commands = sorted_commands (f);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = g_new0 (guint, f->advocates->len + 1);
  g_autofree gint64 *cmd_n = g_new0 (gint64, f->commands->len + 1);
  g_autofree guint *cmd_row = g_new0 (guint, f->commands->len + 1);
  g_autoptr(GHashTable) code_clients = pair_set_new ();
  g_autoptr(GHashTable) cat_clients = pair_set_new ();
  g_autoptr(GHashTable) all_clients = g_hash_table_new (NULL, NULL);
  /* Traced runs only: the case of every service counted, behind the totals of individuals. */
  g_autoptr(GArray) served = g_array_new (FALSE, FALSE, sizeof (guint32));
  ClReportTable *by_code, *by_cat, *by_adv, *by_cmd;
  guint n_codes = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE)->n_values;

  by_code = _cl_report_table_new (r, "by_code", _("Services by code"), _("Service"));
  _cl_report_add_column (by_code, "times", _("Times provided"));
  _cl_report_add_column (by_code, "records", _("Services recorded"));
  _cl_report_add_column (by_code, "individuals", _("Individuals"));
  no_sum (by_code, 2);
  {
    const ClEnum *e = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE);

    for (guint i = 0; i < e->n_values; i++)
      {
        g_autofree char *label = g_strdup_printf ("%s %s", e->values[i].code, _(e->values[i].label));
        _cl_report_add_row (by_code, e->values[i].code, label);
      }
  }
  by_cat = _cl_report_table_new (r, "by_category", _("Services by category"), _("Category"));
  _cl_report_add_column (by_cat, "times", _("Times provided"));
  _cl_report_add_column (by_cat, "individuals", _("Individuals"));
  no_sum (by_cat, 1);
  for (guint i = 0; i < N_SERVICE_CATEGORIES; i++)
    _cl_report_add_row (by_cat, service_categories[i].key, _(service_categories[i].label));

  by_adv = _cl_report_table_new (r, "by_advocate", _("Times provided by advocate"), _("Advocate"));
  by_cmd = _cl_report_table_new (r, "by_command", _("Times provided by command"), _("Command"));
  for (guint i = 0; i < N_SERVICE_CATEGORIES; i++)
    {
      _cl_report_add_column (by_adv, service_categories[i].key, service_categories[i].key);
      _cl_report_add_column (by_cmd, service_categories[i].key, service_categories[i].key);
    }
  _cl_report_add_column (by_adv, "total", _("Total"));
  _cl_report_add_column (by_cmd, "total", _("Total"));

  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 a = event_advocate (ctx, s->case_index, s->advocate);

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      adv_n[a == CL_REPORT_NO_INDEX ? f->advocates->len : a]++;
      {
        guint32 cmd = get_case (ctx, s->case_index)->command;
        cmd_n[cmd == CL_REPORT_NO_INDEX ? f->commands->len : cmd]++;
      }
    }
  for (guint i = 0; i < advocates->len; i++)
    {
      guint a = g_array_index (advocates, guint, i);

      if (adv_n[a] > 0)
        adv_row[a] = _cl_report_add_row (by_adv, g_ptr_array_index (f->advocates, a),
                                         g_ptr_array_index (f->advocates, a));
    }
  if (adv_n[f->advocates->len] > 0)
    adv_row[f->advocates->len] = _cl_report_add_row (by_adv, "not_recorded", not_recorded_label ());
  for (guint i = 0; i < commands->len; i++)
    {
      guint ci = g_array_index (commands, guint, i);
      const ClReportCommand *cmd = &g_array_index (f->commands, ClReportCommand, ci);
      g_autofree char *label = NULL;

      if (cmd_n[ci] == 0)
        continue;
      label = command_label (cmd);
      cmd_row[ci] = _cl_report_add_row (by_cmd, cmd->code, label);
    }
  if (cmd_n[f->commands->len] > 0)
    cmd_row[f->commands->len] = _cl_report_add_row (by_cmd, "not_recorded", not_recorded_label ());

  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      guint32 a;
      guint cat;

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      k = get_case (ctx, s->case_index);
      cat = service_category (s->code);
      _cl_report_count_case (by_code, (guint) s->code, 0, s->times, s->case_index);
      _cl_report_count_case (by_code, (guint) s->code, 1, 1, s->case_index);
      /* A client counts once per code and category, but drills down to every case of
       * theirs served with it. */
      if (mark_pair (code_clients, (guint) s->code, k->client))
        _cl_report_add_count (by_code, (guint) s->code, 2, 1);
      _cl_report_trace (by_code, (guint) s->code, 2, s->case_index);
      _cl_report_count_case (by_cat, cat, 0, s->times, s->case_index);
      if (mark_pair (cat_clients, cat, k->client))
        _cl_report_add_count (by_cat, cat, 1, 1);
      _cl_report_trace (by_cat, cat, 1, s->case_index);
      g_hash_table_add (all_clients, GUINT_TO_POINTER (k->client + 1));
      if (ctx->trace)
        g_array_append_val (served, s->case_index);
      a = event_advocate (ctx, s->case_index, s->advocate);
      _cl_report_count_case (by_adv, adv_row[a == CL_REPORT_NO_INDEX ? f->advocates->len : a],
                             cat, s->times, s->case_index);
      _cl_report_count_case (by_cmd, cmd_row[k->command == CL_REPORT_NO_INDEX ? f->commands->len : k->command],
                             cat, s->times, s->case_index);
    }

  zero_fill (by_code, all_columns (by_code));
  _cl_report_add_total_row (by_code, NULL);
  _cl_report_set_count (by_code, by_code->total_row, 2, g_hash_table_size (all_clients));
  zero_fill (by_cat, all_columns (by_cat));
  _cl_report_add_total_row (by_cat, NULL);
  _cl_report_set_count (by_cat, by_cat->total_row, 1, g_hash_table_size (all_clients));
  /* The distinct individuals are not a sum: they drill down to every case served. */
  for (guint i = 0; i < served->len; i++)
    {
      _cl_report_trace (by_code, by_code->total_row, 2, g_array_index (served, guint32, i));
      _cl_report_trace (by_cat, by_cat->total_row, 1, g_array_index (served, guint32, i));
    }
  _cl_report_set_chart (by_cat, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  for (guint i = 0; i < 2; i++)
    {
      ClReportTable *t = i == 0 ? by_adv : by_cmd;

      zero_fill (t, all_columns (t));
      _cl_report_add_total_row (t, NULL);
      _cl_report_set_total_col (t, N_SERVICE_CATEGORIES, BIT (N_SERVICE_CATEGORIES) - 1);
      _cl_report_set_chart (t, CL_REPORT_CHART_STACKED_BAR, BIT (N_SERVICE_CATEGORIES) - 1);
    }
  _cl_report_link_equal (r, _cl_report_ref (by_code, by_code->total_row, 0),
                         _cl_report_ref (by_cat, by_cat->total_row, 0));
  _cl_report_link_equal (r, _cl_report_ref (by_code, by_code->total_row, 2),
                         _cl_report_ref (by_cat, by_cat->total_row, 1));
  _cl_report_link_equal (r, _cl_report_ref (by_cat, by_cat->total_row, 0),
                         _cl_report_ref (by_adv, by_adv->total_row, N_SERVICE_CATEGORIES));
  _cl_report_link_equal (r, _cl_report_ref (by_cat, by_cat->total_row, 0),
                         _cl_report_ref (by_cmd, by_cmd->total_row, N_SERVICE_CATEGORIES));
  /* Category times are the sums of their codes. */
  for (guint cat = 0; cat < N_SERVICE_CATEGORIES; cat++)
    {
      g_autoptr(GArray) parts = g_array_new (FALSE, FALSE, sizeof (ClReportCellRef));

      for (guint code = 0; code < n_codes; code++)
        if (service_category ((int) code) == cat)
          {
            ClReportCellRef ref = _cl_report_ref (by_code, code, 0);
            g_array_append_val (parts, ref);
          }
      _cl_report_add_group (r, _cl_report_ref (by_cat, cat, 0),
                            (ClReportCellRef *) (gpointer) parts->data, parts->len);
    }

  _cl_report_add_note (r, _("Services dated in the period. “Times provided” adds up the "
                            "times recorded on each service (once when not recorded); "
                            "individuals are distinct clients, so they do not add up across "
                            "codes or categories."));
  return g_steal_pointer (&r);
}

/* Outcomes ------------------------------------------------------------------------------ */

static ClReportResult *
run_outcomes (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GHashTable) pairs = pair_set_new ();
  ClReportTable *services, *orders, *in_effect, *comp, *imm, *plans, *outbound;
  static const char *const service_rows[] = { "E4", "D1", "D2", "D3", "C1" };
  int codes[G_N_ELEMENTS (service_rows)];
  int op_types[2] = {
    _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "criminal_op"),
    _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "family_order"),
  };
  int granted_status = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_STATUS, "granted");
  int u_cert = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "u_cert");
  int t_decl = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "t_decl");
  int pending = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "pending");
  int connected = _cl_report_enum_index (CL_REPORT_ENUM_REFERRAL_OUTCOME, "connected");
  guint row;

  /* Services that are outcomes: protection orders, shelter, crisis intervention. */
  services = _cl_report_table_new (r, "services", _("Assistance given in the period"),
                                   _("Service"));
  _cl_report_add_column (services, "individuals", _("Individuals"));
  _cl_report_add_column (services, "times", _("Times provided"));
  services->sum_columns = 0;
  for (guint i = 0; i < G_N_ELEMENTS (service_rows); i++)
    {
      g_autofree char *label = NULL;

      codes[i] = _cl_report_enum_index (CL_REPORT_ENUM_SERVICE_CODE, service_rows[i]);
      label = g_strdup_printf ("%s %s", service_rows[i],
                               _cl_report_enum_label (CL_REPORT_ENUM_SERVICE_CODE, codes[i]));
      _cl_report_add_row (services, service_rows[i], label);
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);

      if (!service_ok (ctx, s) || !in_period (ctx, s->date))
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (service_rows); j++)
        if (s->code == codes[j])
          {
            _cl_report_count_case (services, j, 1, s->times, s->case_index);
            if (mark_pair (pairs, j, get_case (ctx, s->case_index)->client))
              _cl_report_add_count (services, j, 0, 1);
            _cl_report_trace (services, j, 0, s->case_index);
          }
    }
  zero_fill (services, all_columns (services));

  /* Orders of protection on the cases in scope, by current status. */
  orders = _cl_report_table_new (r, "orders", _("Orders of protection"), _("Status"));
  _cl_report_add_column (orders, "criminal_op", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[0]));
  _cl_report_add_column (orders, "family_order", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[1]));
  _cl_report_add_column (orders, "total", _("Total"));
  add_enum_rows (orders, CL_REPORT_ENUM_LEGAL_STATUS, TRUE);
  in_effect = _cl_report_table_new (r, "orders_in_effect", _("Orders of protection in effect"), "");
  _cl_report_add_column (in_effect, "criminal_op", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[0]));
  _cl_report_add_column (in_effect, "family_order", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, op_types[1]));
  _cl_report_add_column (in_effect, "total", _("Total"));
  row = _cl_report_add_row (in_effect, "in_effect", _("In effect at the end of the period"));
  for (guint i = 0; i < f->legal_matters->len; i++)
    {
      const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);
      guint col = l->type == op_types[0] ? 0 : l->type == op_types[1] ? 1 : 2;

      if (col == 2 || !case_ok (ctx, l->case_index))
        continue;
      _cl_report_count_case (orders, enum_row (CL_REPORT_ENUM_LEGAL_STATUS, l->status), col, 1,
                             l->case_index);
      if (l->status == granted_status &&
          (l->order_expires == CL_DAY_NONE || l->order_expires >= ctx->to))
        _cl_report_count_case (in_effect, row, col, 1, l->case_index);
    }
  zero_fill (orders, all_columns (orders));
  _cl_report_add_total_row (orders, NULL);
  _cl_report_set_total_col (orders, 2, BIT (0) | BIT (1));
  zero_fill (in_effect, all_columns (in_effect));
  in_effect->sum_columns = 0;
  _cl_report_set_total_col (in_effect, 2, BIT (0) | BIT (1));
  for (guint col = 0; col < 3; col++)
    _cl_report_add_subset (r, _cl_report_ref (orders, enum_row (CL_REPORT_ENUM_LEGAL_STATUS, granted_status), col),
                           _cl_report_ref (in_effect, row, col));
  orders->note = g_strdup (_("Orders of protection recorded on the cases in scope, by their "
                             "current status; orders granted and not expired by the end of the "
                             "period are in effect."));

  /* Compensation claims filed in the period, by current status. */
  comp = _cl_report_table_new (r, "compensation", _("Compensation claims filed in the period"),
                               _("Current status"));
  _cl_report_add_column (comp, "claims", _("Claims"));
  add_enum_rows (comp, CL_REPORT_ENUM_CLAIM_STATUS, TRUE);
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);

      if (case_ok (ctx, k->case_index) && in_period (ctx, k->filed))
        _cl_report_count_case (comp, enum_row (CL_REPORT_ENUM_CLAIM_STATUS, k->status), 0, 1,
                               k->case_index);
    }
  zero_fill (comp, all_columns (comp));
  _cl_report_add_total_row (comp, NULL);

  /* U and T: requests made in the period, and decisions taken in it. */
  imm = _cl_report_table_new (r, "immigration", _("U-visa certifications and T-visa declarations"),
                              _("Type"));
  _cl_report_add_column (imm, "requested", _("Requested"));
  _cl_report_add_column (imm, "still_pending", _("Of these, still pending"));
  _cl_report_add_column (imm, "granted", _("Signed or granted"));
  _cl_report_add_column (imm, "denied", _("Denied"));
  _cl_report_add_column (imm, "withdrawn", _("Withdrawn"));
  _cl_report_add_row (imm, "u_cert", _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE, u_cert));
  _cl_report_add_row (imm, "t_decl", _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE, t_decl));
  for (guint i = 0; i < f->immigration->len; i++)
    {
      const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);
      guint irow = m->type == u_cert ? 0 : m->type == t_decl ? 1 : 2;

      if (irow == 2 || !case_ok (ctx, m->case_index))
        continue;
      if (in_period (ctx, m->requested))
        {
          _cl_report_count_case (imm, irow, 0, 1, m->case_index);
          if (m->decision < 0 || m->decision == pending)
            _cl_report_count_case (imm, irow, 1, 1, m->case_index);
        }
      if (m->decision >= 0 && m->decision != pending && in_period (ctx, m->decided))
        {
          const char *code = _cl_report_enum_code (CL_REPORT_ENUM_DECISION, m->decision);
          guint col = g_str_equal (code, "granted") ? 2 : g_str_equal (code, "denied") ? 3 : 4;

          _cl_report_count_case (imm, irow, col, 1, m->case_index);
        }
    }
  zero_fill (imm, all_columns (imm));
  _cl_report_add_total_row (imm, NULL);
  for (row = 0; row < imm->rows->len; row++)
    _cl_report_add_subset (r, _cl_report_ref (imm, row, 0), _cl_report_ref (imm, row, 1));
  _cl_report_set_chart (imm, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0, 2, 3));

  /* Safety plans. */
  plans = _cl_report_table_new (r, "safety_plans", _("Safety plans"), "");
  _cl_report_add_column (plans, "count", _("Count"));
  plans->sum_columns = 0;
  _cl_report_add_row (plans, "completed", _("Safety plans completed in the period"));
  _cl_report_add_row (plans, "reviewed", _("Safety plans reviewed in the period"));
  for (guint i = 0; i < f->safety_plans->len; i++)
    {
      const ClReportSafetyPlan *p = &g_array_index (f->safety_plans, ClReportSafetyPlan, i);

      if (!case_ok (ctx, p->case_index))
        continue;
      _cl_report_count_case (plans, 0, 0, in_period (ctx, p->completed), p->case_index);
      _cl_report_count_case (plans, 1, 0, in_period (ctx, p->reviewed), p->case_index);
    }
  zero_fill (plans, all_columns (plans));

  /* Referrals out, and how many connected. */
  outbound = _cl_report_table_new (r, "referrals_out", _("Referrals to partners made in the period"),
                                   _("Service type"));
  _cl_report_add_column (outbound, "made", _("Referrals made"));
  _cl_report_add_column (outbound, "connected", _("Connected"));
  _cl_report_add_column (outbound, "share", _("Share connected"));
  no_sum (outbound, 2);
  add_enum_rows (outbound, CL_REPORT_ENUM_REFERRAL_SERVICE, FALSE);
  for (guint i = 0; i < f->outbound->len; i++)
    {
      const ClReportOutbound *o = &g_array_index (f->outbound, ClReportOutbound, i);

      if (!case_ok (ctx, o->case_index) || !in_period (ctx, o->date) || o->service_type < 0)
        continue;
      _cl_report_count_case (outbound, (guint) o->service_type, 0, 1, o->case_index);
      _cl_report_count_case (outbound, (guint) o->service_type, 1, o->outcome == connected,
                             o->case_index);
    }
  zero_fill (outbound, BIT (0) | BIT (1));
  _cl_report_add_total_row (outbound, NULL);
  for (row = 0; row < outbound->rows->len; row++)
    {
      set_share_cells (outbound, row, 2, 1, 0);
      _cl_report_add_subset (r, _cl_report_ref (outbound, row, 0), _cl_report_ref (outbound, row, 1));
    }
  _cl_report_set_chart (outbound, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0, 1));

  _cl_report_add_note (r, _("Services, claims filed, requests, decisions, plans and referrals "
                            "out are those dated in the period."));
  return g_steal_pointer (&r);
}

/* Closures ------------------------------------------------------------------------------ */

static ClReportResult *
run_closures (Ctx                *ctx,
              const ClReportInfo *info,
              GError            **error)
{
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  ClReportTable *t;
  guint n_reasons = _cl_report_enum (CL_REPORT_ENUM_CLOSURE_REASON)->n_values;
  g_autoptr(GPtrArray) lengths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint total;

  t = _cl_report_table_new (r, "by_reason", _("Cases closed in the period, by reason"),
                            _("Reason"));
  _cl_report_add_column (t, "closed", _("Cases closed"));
  _cl_report_add_column (t, "median_days", _("Median engagement (days)"));
  no_sum (t, 1);
  add_enum_rows (t, CL_REPORT_ENUM_CLOSURE_REASON, TRUE);
  for (guint i = 0; i <= n_reasons + 1; i++)
    g_ptr_array_add (lengths, g_array_new (FALSE, FALSE, sizeof (gint64)));

  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      guint row;
      ClDay begin;

      if (!case_ok (ctx, c) || !in_period (ctx, case_end (ctx, c)))
        continue;
      row = enum_row (CL_REPORT_ENUM_CLOSURE_REASON, k->closure_reason);
      _cl_report_count_case (t, row, 0, 1, c);
      /* Engagement: from the day the case was opened (else its referral) to its closing. */
      begin = k->opened != CL_DAY_NONE ? k->opened : ctx->start[c];
      if (begin != CL_DAY_NONE)
        {
          gint64 days = MAX (0, k->closed - begin);

          g_array_append_val (g_ptr_array_index (lengths, row), days);
          g_array_append_val (g_ptr_array_index (lengths, n_reasons + 1), days);
        }
    }
  zero_fill (t, BIT (0));
  total = _cl_report_add_total_row (t, NULL);
  for (guint row = 0; row <= total; row++)
    {
      Stats stats;
      ClReportCellRef dep = _cl_report_ref (t, row, 0);

      if (compute_stats (g_ptr_array_index (lengths, row), &stats))
        _cl_report_set_number (t, row, 1, stats.median, CL_REPORT_UNIT_DAYS, 1, &dep);
    }
  _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_add_note (r, _("Engagement runs from the day a case was opened (or, if not "
                            "recorded, the day its referral came in) to the day it closed."));
  return g_steal_pointer (&r);
}

/* Deadlines ----------------------------------------------------------------------------- */

typedef enum {
  DL_U_CERT,
  DL_AGES_OUT,
  DL_CP_EXPIRES,
  DL_LETTER_EXPIRES,
  DL_COMPENSATION,
  DL_COMPENSATION_OVERDUE,
  DL_COURT,
  DL_ORDER_EXPIRES,
  DL_FOLLOW_UP,
  DL_CONSENT,
  DL_N_KINDS
} DeadlineKind;

static const struct {
  const char *key;
  const char *label;
} deadline_kinds[DL_N_KINDS] = {
  { "u_cert_unfiled", N_("U certifications signed over five months ago, not filed") },
  { "ages_out", N_("Family members ageing out within 90 days") },
  { "continued_presence", N_("Continued Presence expiring within 90 days") },
  { "letters", N_("HHS letters expiring within 90 days") },
  { "compensation", N_("Compensation filing deadlines within 90 days") },
  { "compensation_overdue", N_("Overdue compensation claims: deadline passed, not filed") },
  { "court", N_("Court dates within 30 days") },
  { "orders", N_("Orders of protection expiring within 30 days") },
  { "follow_ups", N_("Overdue follow-ups") },
  { "consents", N_("Consents expiring within 30 days") },
};

typedef struct {
  DeadlineKind kind;
  guint32      case_index;
  ClDay        due;
} Deadline;

static int
compare_deadlines (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const Deadline *x = a, *y = b;

  if (x->due != y->due)
    return x->due < y->due ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return compare_cases (user_data, x->case_index, y->case_index);
}

static gboolean
case_open (Ctx     *ctx,
           guint32  c)
{
  return get_case (ctx, c)->status != ctx->closed;
}

static ClReportResult *
run_deadlines (Ctx                *ctx,
               const ClReportInfo *info,
               GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Deadline));
  g_autofree guint32 *client_case = g_new (guint32, f->clients->len + 1);
  ClReportTable *summary, *list;
  ClDay d = ctx->as_of;
  int u_cert = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "u_cert");
  int cp = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "continued_presence");
  int hhs = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, "hhs_letter");
  int granted = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "granted");
  int claim_preparing = _cl_report_enum_index (CL_REPORT_ENUM_CLAIM_STATUS, "preparing");
  ClDay five_months_ago = cl_day_add_months (d, -5);

#define ADD(k, c, day) G_STMT_START { Deadline dl = { k, c, day }; g_array_append_val (items, dl); } G_STMT_END
#define WITHIN(day, n) ((day) != CL_DAY_NONE && (day) >= d && (day) <= d + (n))

  for (guint i = 0; i < f->immigration->len; i++)
    {
      const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);

      if (!case_ok (ctx, m->case_index) || !case_open (ctx, m->case_index))
        continue;
      /* A signed I-918 Supplement B is valid six months: due for filing by then. */
      if (m->type == u_cert && m->decision == granted && m->decided != CL_DAY_NONE &&
          m->decided <= five_months_ago && m->filed == CL_DAY_NONE)
        ADD (DL_U_CERT, m->case_index, cl_day_add_months (m->decided, 6));
      if (WITHIN (m->ages_out, 90))
        ADD (DL_AGES_OUT, m->case_index, m->ages_out);
      if (m->type == cp && WITHIN (m->expires, 90))
        ADD (DL_CP_EXPIRES, m->case_index, m->expires);
      if (m->type == hhs && WITHIN (m->expires, 90))
        ADD (DL_LETTER_EXPIRES, m->case_index, m->expires);
    }
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);
      ClDay deadline;

      if (!case_ok (ctx, k->case_index) || !case_open (ctx, k->case_index) ||
          k->filed != CL_DAY_NONE || k->crime == CL_DAY_NONE ||
          (k->status >= 0 && k->status != claim_preparing))
        continue;
      deadline = k->crime + (ClDay) f->compensation_deadline_days;
      /* A deadline that passed with the claim unfiled stays listed, as overdue. */
      if (deadline < d)
        ADD (DL_COMPENSATION_OVERDUE, k->case_index, deadline);
      else if (WITHIN (deadline, 90))
        ADD (DL_COMPENSATION, k->case_index, deadline);
    }
  for (guint i = 0; i < f->legal_matters->len; i++)
    {
      const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);

      if (!case_ok (ctx, l->case_index) || !case_open (ctx, l->case_index))
        continue;
      if (WITHIN (l->next_court, 30))
        ADD (DL_COURT, l->case_index, l->next_court);
      if (WITHIN (l->order_expires, 30))
        ADD (DL_ORDER_EXPIRES, l->case_index, l->order_expires);
    }
  for (guint i = 0; i < f->tasks->len; i++)
    {
      const ClReportTask *t = &g_array_index (f->tasks, ClReportTask, i);

      if (case_ok (ctx, t->case_index) && case_open (ctx, t->case_index) && !t->done &&
          t->due != CL_DAY_NONE && t->due < d)
        ADD (DL_FOLLOW_UP, t->case_index, t->due);
    }
  /* Consents belong to clients: listed under the client's first open case in scope. */
  for (guint i = 0; i <= f->clients->len; i++)
    client_case[i] = CL_REPORT_NO_INDEX;
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      guint32 client = get_case (ctx, c)->client;

      if (case_ok (ctx, c) && case_open (ctx, c) &&
          (client_case[client] == CL_REPORT_NO_INDEX || compare_cases (ctx, c, client_case[client]) < 0))
        client_case[client] = c;
    }
  for (guint i = 0; i < f->releases->len; i++)
    {
      const ClReportRelease *rel = &g_array_index (f->releases, ClReportRelease, i);

      if (client_case[rel->client] == CL_REPORT_NO_INDEX || rel->revoked != CL_DAY_NONE)
        continue;
      if (WITHIN (rel->expires, 30))
        ADD (DL_CONSENT, client_case[rel->client], rel->expires);
    }
#undef ADD
#undef WITHIN

  summary = _cl_report_table_new (r, "summary", _("Deadlines"), _("Deadline"));
  _cl_report_add_column (summary, "count", _("Count"));
  summary->sum_columns = 0;
  for (guint k = 0; k < DL_N_KINDS; k++)
    _cl_report_add_row (summary, deadline_kinds[k].key, _(deadline_kinds[k].label));
  zero_fill (summary, BIT (0));
  for (guint i = 0; i < items->len; i++)
    {
      const Deadline *dl = &g_array_index (items, Deadline, i);

      _cl_report_count_case (summary, dl->kind, 0, 1, dl->case_index);
    }
  _cl_report_set_chart (summary, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  g_array_sort_with_data (items, compare_deadlines, ctx);
  list = _cl_report_table_new (r, "items", _("Deadline list"), _("Case"));
  list->internal_only = TRUE;
  _cl_report_add_column (list, "deadline", _("Deadline"));
  _cl_report_add_column (list, "due", _("Due"));
  _cl_report_add_column (list, "days_left", _("Days left"));
  _cl_report_add_column (list, "advocate", _("Advocate"));
  list->sum_columns = 0;
  for (guint i = 0; i < items->len; i++)
    {
      const Deadline *dl = &g_array_index (items, Deadline, i);
      g_autofree char *label = case_label (ctx, dl->case_index);
      g_autofree char *key = g_strdup_printf ("%u", i + 1);
      g_autofree char *due = day_string (dl->due);
      guint row = _cl_report_add_row (list, key, label);

      _cl_report_trace_row (list, row, dl->case_index);
      _cl_report_set_text (list, row, 0, _(deadline_kinds[dl->kind].label));
      _cl_report_set_text (list, row, 1, due);
      _cl_report_set_number (list, row, 2, dl->due - d, CL_REPORT_UNIT_DAYS, 0, NULL);
      _cl_report_set_text (list, row, 3, advocate_name (ctx, get_case (ctx, dl->case_index)->advocate));
    }

  {
    g_autofree char *day = note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("Deadlines of open cases as of %s. "
                                                       "Compensation claims are due %u day after "
                                                       "the crime.",
                                                       "Deadlines of open cases as of %s. "
                                                       "Compensation claims are due %u days after "
                                                       "the crime.", f->compensation_deadline_days),
                                             day, f->compensation_deadline_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

/* Data quality -------------------------------------------------------------------------- */

enum { DQ_NO_VICTIMIZATION, DQ_NO_SERVICE, DQ_INACTIVE, DQ_N };

static ClReportResult *
run_data_quality (Ctx                *ctx,
                  const ClReportInfo *info,
                  GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autofree guint8 *has_vt = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *has_service = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree ClDay *last_activity = g_new (ClDay, ctx->n_cases + 1);
  g_autofree guint8 *new_client = g_new0 (guint8, f->clients->len + 1);
  g_autofree guint8 *gaps = g_new0 (guint8, f->clients->len + 1);
  g_autofree guint8 *checked_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *problems = g_new0 (guint8, ctx->n_cases + 1);
  g_autoptr(GArray) advocates = sorted_advocates (f);
  g_autofree gint64 *adv_n = g_new0 (gint64, f->advocates->len + 1);
  g_autofree guint *adv_row = g_new0 (guint, f->advocates->len + 1);
  g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, sizeof (guint32));
  ClReportTable *clients, *cases, *by_adv, *list;
  int closed = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "closed");
  int referred = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "referred");
  int outreach = _cl_report_enum_index (CL_REPORT_ENUM_STATUS, "outreach");
  gint64 n_new = 0, miss_gender = 0, miss_race = 0, miss_age = 0, miss_any = 0;
  gint64 checked = 0, counts[DQ_N] = { 0, 0, 0 };
  ClDay d = ctx->as_of;
  guint row;

  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0)
        has_vt[v->case_index] = 1;
    }
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      last_activity[c] = ctx->last_contact[c];
      if (ctx->start[c] != CL_DAY_NONE && ctx->start[c] <= d &&
          (last_activity[c] == CL_DAY_NONE || ctx->start[c] > last_activity[c]))
        last_activity[c] = ctx->start[c];
      {
        ClDay note = local_day (ctx, get_case (ctx, c)->last_note);

        if (note != CL_DAY_NONE && note <= d && (last_activity[c] == CL_DAY_NONE || note > last_activity[c]))
          last_activity[c] = note;
      }
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);

      has_service[s->case_index] = 1;
      if (s->date <= d && (last_activity[s->case_index] == CL_DAY_NONE ||
                           s->date > last_activity[s->case_index]))
        last_activity[s->case_index] = s->date;
    }

  /* New clients: those with a case referred in the period. */
  for (guint c = 0; c < ctx->n_cases; c++)
    if (referred_in_period (ctx, c))
      new_client[get_case (ctx, c)->client] = 1;
  for (guint i = 0; i < f->clients->len; i++)
    {
      const ClReportClient *k = get_client (ctx, i);
      gboolean g, rc, a;

      if (!new_client[i])
        continue;
      n_new++;
      g = k->gender < 0;
      rc = k->race == 0;
      a = k->age_band < 0;
      miss_gender += g;
      miss_race += rc;
      miss_age += a;
      miss_any += g || rc || a;
      /* The rows of the clients table the client is missing from (gender, race, age). */
      gaps[i] = g | rc << 1 | a << 2;
    }

  /* Cases checked: open on the as-of day, or closed in the period. */
  for (guint c = 0; c < ctx->n_cases; c++)
    {
      const ClReportCase *k = get_case (ctx, c);
      gboolean open = k->status != closed;

      if (!case_ok (ctx, c) ||
          !(open ? (ctx->start[c] == CL_DAY_NONE || ctx->start[c] <= d) : in_period (ctx, k->closed)))
        continue;
      checked++;
      checked_case[c] = 1;
      if (!has_vt[c])
        problems[c] |= 1 << DQ_NO_VICTIMIZATION;
      /* Cases still being reached out to have had no chance to receive services. */
      if (!has_service[c] && k->status != referred && k->status != outreach)
        problems[c] |= 1 << DQ_NO_SERVICE;
      if (open && (last_activity[c] == CL_DAY_NONE || d - last_activity[c] > (ClDay) ctx->p->stale_days))
        problems[c] |= 1 << DQ_INACTIVE;
      for (guint p = 0; p < DQ_N; p++)
        counts[p] += (problems[c] >> p) & 1;
      if (problems[c])
        adv_n[k->advocate == CL_REPORT_NO_INDEX ? f->advocates->len : k->advocate]++;
    }

  clients = _cl_report_table_new (r, "clients", _("New clients missing funder demographics"), "");
  _cl_report_add_column (clients, "clients", _("Clients"));
  clients->sum_columns = 0;
  row = _cl_report_add_row (clients, "new", _("New clients in the period"));
  _cl_report_set_count (clients, row, 0, n_new);
  row = _cl_report_add_row (clients, "missing_gender", _("Gender not recorded"));
  _cl_report_set_count (clients, row, 0, miss_gender);
  row = _cl_report_add_row (clients, "missing_race", _("Race/ethnicity not recorded"));
  _cl_report_set_count (clients, row, 0, miss_race);
  row = _cl_report_add_row (clients, "missing_age", _("Age not recorded"));
  _cl_report_set_count (clients, row, 0, miss_age);
  row = _cl_report_add_row (clients, "missing_any", _("Missing any of these"));
  _cl_report_set_count (clients, row, 0, miss_any);
  for (guint i = 1; i <= 4; i++)
    _cl_report_add_subset (r, _cl_report_ref (clients, 0, 0), _cl_report_ref (clients, i, 0));
  for (guint i = 1; i <= 3; i++)
    _cl_report_add_subset (r, _cl_report_ref (clients, 4, 0), _cl_report_ref (clients, i, 0));
  /* Drill-down: a new client through the cases that made them new. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (referred_in_period (ctx, c))
        {
          guint8 missing = gaps[get_case (ctx, c)->client];

          _cl_report_trace (clients, 0, 0, c);
          for (guint i = 0; i < 3; i++)
            if (missing & (1 << i))
              _cl_report_trace (clients, 1 + i, 0, c);
          if (missing)
            _cl_report_trace (clients, 4, 0, c);
        }

  cases = _cl_report_table_new (r, "cases", _("Cases with gaps"), "");
  _cl_report_add_column (cases, "cases", _("Cases"));
  cases->sum_columns = 0;
  row = _cl_report_add_row (cases, "checked", _("Cases checked"));
  _cl_report_set_count (cases, row, 0, checked);
  row = _cl_report_add_row (cases, "no_victimization", _("No victimization type"));
  _cl_report_set_count (cases, row, 0, counts[DQ_NO_VICTIMIZATION]);
  row = _cl_report_add_row (cases, "no_service", _("Engaged but no service recorded"));
  _cl_report_set_count (cases, row, 0, counts[DQ_NO_SERVICE]);
  row = _cl_report_add_row (cases, "inactive", _("Open with no recent activity"));
  _cl_report_set_count (cases, row, 0, counts[DQ_INACTIVE]);
  for (guint i = 1; i <= DQ_N; i++)
    _cl_report_add_subset (r, _cl_report_ref (cases, 0, 0), _cl_report_ref (cases, i, 0));
  /* Drill-down: the cases checked, and those of them with each gap. */
  if (ctx->trace)
    for (guint c = 0; c < ctx->n_cases; c++)
      if (checked_case[c])
        {
          _cl_report_trace (cases, 0, 0, c);
          for (guint p = 0; p < DQ_N; p++)
            if (problems[c] & (1 << p))
              _cl_report_trace (cases, 1 + p, 0, c);
        }
  _cl_report_set_chart (cases, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  by_adv = _cl_report_table_new (r, "by_advocate", _("Gaps by advocate"), _("Advocate"));
  _cl_report_add_column (by_adv, "no_victimization", _("No victimization type"));
  _cl_report_add_column (by_adv, "no_service", _("No service"));
  _cl_report_add_column (by_adv, "inactive", _("No recent activity"));
  for (guint i = 0; i < advocates->len; i++)
    {
      guint a = g_array_index (advocates, guint, i);

      if (adv_n[a] > 0)
        adv_row[a] = _cl_report_add_row (by_adv, g_ptr_array_index (f->advocates, a),
                                         g_ptr_array_index (f->advocates, a));
    }
  if (adv_n[f->advocates->len] > 0)
    adv_row[f->advocates->len] = _cl_report_add_row (by_adv, "unassigned", _("Unassigned"));

  list = _cl_report_table_new (r, "items", _("Cases to fix"), _("Case"));
  list->internal_only = TRUE;
  _cl_report_add_column (list, "advocate", _("Advocate"));
  _cl_report_add_column (list, "problems", _("Gaps"));
  list->sum_columns = 0;

  for (guint c = 0; c < ctx->n_cases; c++)
    if (problems[c])
      g_array_append_val (listed, c);
  g_array_sort_with_data (listed, compare_case_indexes, ctx);
  for (guint i = 0; i < listed->len; i++)
    {
      guint32 c = g_array_index (listed, guint32, i);
      const ClReportCase *k = get_case (ctx, c);
      guint arow;
      g_autoptr(GString) text = NULL;
      g_autofree char *label = NULL;
      g_autofree char *key = NULL;

      arow = adv_row[k->advocate == CL_REPORT_NO_INDEX ? f->advocates->len : k->advocate];
      for (guint p = 0; p < DQ_N; p++)
        if (problems[c] & (1 << p))
          _cl_report_count_case (by_adv, arow, p, 1, c);

      text = g_string_new (NULL);
      if (problems[c] & (1 << DQ_NO_VICTIMIZATION))
        g_string_append (text, _("no victimization type"));
      if (problems[c] & (1 << DQ_NO_SERVICE))
        g_string_append_printf (text, "%s%s", text->len ? "; " : "", _("no service"));
      if (problems[c] & (1 << DQ_INACTIVE))
        g_string_append_printf (text, "%s%s", text->len ? "; " : "", _("no recent activity"));
      label = case_label (ctx, c);
      key = g_strdup_printf ("%u", list->rows->len + 1);
      row = _cl_report_add_row (list, key, label);
      _cl_report_trace_row (list, row, c);
      _cl_report_set_text (list, row, 0, advocate_name (ctx, k->advocate));
      _cl_report_set_text (list, row, 1, text->str);
    }
  zero_fill (by_adv, all_columns (by_adv));
  _cl_report_add_total_row (by_adv, NULL);
  for (guint p = 0; p < DQ_N; p++)
    _cl_report_link_equal (r, _cl_report_ref (cases, 1 + p, 0),
                           _cl_report_ref (by_adv, by_adv->total_row, p));

  {
    g_autofree char *day = note_day (d);
    g_autofree char *note = g_strdup_printf (ngettext ("New clients are those with a case referred "
                                                       "in the period. Cases checked are those open "
                                                       "on %s and those closed in the period; a "
                                                       "case has no recent activity after more than "
                                                       "%u day without a contact, service or note.",
                                                       "New clients are those with a case referred "
                                                       "in the period. Cases checked are those open "
                                                       "on %s and those closed in the period; a "
                                                       "case has no recent activity after more than "
                                                       "%u days without a contact, service or note.",
                                                       ctx->p->stale_days),
                                             day, ctx->p->stale_days);
    _cl_report_add_note (r, note);
  }
  return g_steal_pointer (&r);
}

/* Funder category mapping -------------------------------------------------------------- */

/* A funder list resolved for one fiscal year: per local code index, the funder category
 * index; categories in the order of their first local code. */
typedef struct {
  guint      n_local;
  int       *local_to_funder;  /* -1: not reported under this list */
  GPtrArray *codes;            /* funder codes */
  GPtrArray *labels;           /* funder labels, translated where the code is a local one */
} FunderList;

static void
funder_list_clear (FunderList *l)
{
  g_free (l->local_to_funder);
  g_clear_pointer (&l->codes, g_ptr_array_unref);
  g_clear_pointer (&l->labels, g_ptr_array_unref);
}

static int
funder_index (FunderList *l,
              const char *code,
              const char *label)
{
  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      return (int) i;
  g_ptr_array_add (l->codes, g_strdup (code));
  g_ptr_array_add (l->labels, g_strdup (label));
  return (int) l->codes->len - 1;
}

/* The version in force is the one with the latest valid_from on or before the first day of
 * the fiscal year; without any, every local code is its own category. */
static void
funder_list_init (FunderList          *l,
                  const ClReportFacts *f,
                  const char          *list,
                  ClReportEnumId       id,
                  ClDay                fiscal_year)
{
  const ClEnum *e = _cl_report_enum (id);
  const char *version = NULL;
  ClDay version_from = CL_DAY_NONE;

  l->n_local = e->n_values;
  l->local_to_funder = g_new (int, e->n_values);
  l->codes = g_ptr_array_new_with_free_func (g_free);
  l->labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < e->n_values; i++)
    l->local_to_funder[i] = -1;

  for (guint i = 0; i < f->categories->len; i++)
    {
      const ClReportCategory *c = &g_array_index (f->categories, ClReportCategory, i);

      if (!g_str_equal (c->list, list) || c->valid_from > fiscal_year)
        continue;
      if (version == NULL || c->valid_from > version_from ||
          (c->valid_from == version_from && strcmp (c->version, version) > 0))
        {
          version = c->version;
          version_from = c->valid_from;
        }
    }

  if (version == NULL)
    {
      /* No mapping in the facts (a server without the table): the seeded lists, the same
       * that every vault starts with; a list without entries maps each code to itself. */
      const ClCategoryList *lists, *seed = NULL;
      guint n;

      lists = cl_refdata_category_lists (&n);
      for (guint i = 0; i < n; i++)
        if (g_str_equal (lists[i].list, list) &&
            (seed == NULL || cl_day_parse (lists[i].valid_from) <= fiscal_year))
          seed = &lists[i];
      for (guint i = 0; i < e->n_values; i++)
        {
          const ClCategoryMapEntry *entry = NULL;
          const ClEnumValue *local;

          for (guint j = 0; seed != NULL && j < seed->n_entries; j++)
            if (g_str_equal (seed->entries[j].local_code, e->values[i].code))
              entry = &seed->entries[j];
          if (seed == NULL || seed->entries == NULL)
            l->local_to_funder[i] = funder_index (l, e->values[i].code, _(e->values[i].label));
          else if (entry != NULL)
            {
              local = cl_enum_lookup (e, entry->funder_code);
              l->local_to_funder[i] =
                funder_index (l, entry->funder_code,
                              local != NULL ? _(local->label)
                                            : cl_refdata_funder_label (entry->funder_label));
            }
        }
      return;
    }

  /* Categories in the order of the local enumeration, so tables keep a stable shape. */
  for (guint i = 0; i < e->n_values; i++)
    for (guint j = 0; j < f->categories->len; j++)
      {
        const ClReportCategory *c = &g_array_index (f->categories, ClReportCategory, j);
        const ClEnumValue *local;

        if (!g_str_equal (c->list, list) || !g_str_equal (c->version, version) ||
            !g_str_equal (c->local_code, e->values[i].code))
          continue;
        local = cl_enum_lookup (e, c->funder_code);
        l->local_to_funder[i] = funder_index (l, c->funder_code,
                                              local != NULL ? _(local->label)
                                                            : cl_refdata_funder_label (c->funder_label));
        break;
      }
}

/* Inserts a category (one the engine derives, like "Multiple Races") at @index. */
static int
funder_insert (FunderList *l,
               guint       index,
               const char *code,
               const char *label)
{
  int existing = -1;

  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      existing = (int) i;
  if (existing >= 0)
    return existing;
  index = MIN (index, l->codes->len);
  g_ptr_array_insert (l->codes, (int) index, g_strdup (code));
  g_ptr_array_insert (l->labels, (int) index, g_strdup (label));
  for (guint i = 0; i < l->n_local; i++)
    if (l->local_to_funder[i] >= (int) index)
      l->local_to_funder[i]++;
  return (int) index;
}

static void
add_funder_rows (ClReportTable *t,
                 FunderList    *l)
{
  for (guint i = 0; i < l->codes->len; i++)
    _cl_report_add_row (t, g_ptr_array_index (l->codes, i), g_ptr_array_index (l->labels, i));
}

/* Index of a funder code in @l, or -1. */
static int
funder_lookup (FunderList *l,
               const char *code)
{
  for (guint i = 0; i < l->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (l->codes, i), code))
      return (int) i;
  return -1;
}

/* Report: VOCA PMT quarterly ------------------------------------------------------------ */

typedef struct {
  ClDay    first_fy;       /* first service in the fiscal year (within the filters) */
  guint8   served;         /* served in the period */
  guint8   anonymous_only; /* every service in the period was on an anonymous-contact case */
} PmtClient;

static ClReportResult *
run_pmt (Ctx                *ctx,
         const ClReportInfo *info,
         GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = NULL;
  ClDay fy = cl_report_fiscal_year_start (ctx->from, ctx->p->fiscal_start_month);
  g_autofree PmtClient *pc = NULL;
  g_autofree guint8 *served_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint64 *vt = NULL;
  g_autofree guint8 *comp = NULL;
  int anonymous = _cl_report_enum_index (CL_REPORT_ENUM_VICTIM_ROLE, "anonymous");
  FunderList race = { 0, }, gender = { 0, }, age = { 0, }, vict = { 0, }, special = { 0, }, svc = { 0, };
  ClReportTable *ind, *t_race, *t_gender, *t_age, *recon, *t_vt, *t_special, *t_comp, *t_cat, *t_code;
  gint64 n_served = 0, n_new = 0, n_cont = 0, n_anon = 0, n_comp = 0;
  int multiple, not_reported, not_tracked, g_not_tracked, a_not_tracked;
  g_autoptr(GHashTable) cat_pairs = pair_set_new ();
  guint row;

  if (fy != cl_report_fiscal_year_start (ctx->to, ctx->p->fiscal_start_month))
    {
      g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                           _("A PMT report covers a period within one fiscal year"));
      return NULL;
    }
  r = result_new (ctx, info);
  pc = g_new0 (PmtClient, f->clients->len + 1);
  vt = g_new0 (guint64, f->clients->len + 1);
  comp = g_new0 (guint8, f->clients->len + 1);
  for (guint i = 0; i < f->clients->len; i++)
    {
      pc[i].first_fy = CL_DAY_NONE;
      pc[i].anonymous_only = 1;
    }

  funder_list_init (&race, f, "pmt_race", CL_REPORT_ENUM_RACE, fy);
  funder_list_init (&gender, f, "pmt_gender", CL_REPORT_ENUM_GENDER, fy);
  funder_list_init (&age, f, "pmt_age", CL_REPORT_ENUM_AGE_BAND, fy);
  funder_list_init (&vict, f, "pmt_victimization", CL_REPORT_ENUM_VICTIMIZATION, fy);
  funder_list_init (&special, f, "pmt_special", CL_REPORT_ENUM_SPECIAL, fy);
  funder_list_init (&svc, f, "pmt_service", CL_REPORT_ENUM_SERVICE_CODE, fy);
  /* Race: several answers are "Multiple Races" (listed before "Not Reported" and "Not
   * Tracked", as the funder does); nothing recorded is "Not Tracked". */
  not_reported = funder_lookup (&race, "not_reported");
  if (not_reported < 0)
    not_reported = funder_index (&race, "not_reported", _("Not reported"));
  not_tracked = funder_lookup (&race, "not_tracked");
  if (not_tracked < 0)
    not_tracked = funder_index (&race, "not_tracked", _("Not tracked"));
  multiple = funder_insert (&race, (guint) MIN (not_reported, not_tracked), "multiple",
                            _("Multiple Races"));
  not_reported = funder_lookup (&race, "not_reported");
  not_tracked = funder_lookup (&race, "not_tracked");
  g_not_tracked = funder_lookup (&gender, "not_tracked");
  if (g_not_tracked < 0)
    g_not_tracked = funder_index (&gender, "not_tracked", _("Not tracked"));
  a_not_tracked = funder_lookup (&age, "not_tracked");
  if (a_not_tracked < 0)
    a_not_tracked = funder_index (&age, "not_tracked", _("Not tracked"));

  /* Who was served, and when first in the fiscal year. */
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      PmtClient *p;

      if (s->date < fy || s->date > ctx->to || !service_ok (ctx, s))
        continue;
      k = get_case (ctx, s->case_index);
      p = &pc[k->client];
      if (p->first_fy == CL_DAY_NONE || s->date < p->first_fy)
        p->first_fy = s->date;
      if (s->date >= ctx->from)
        {
          p->served = 1;
          served_case[s->case_index] = 1;
          if (k->victim_role != anonymous)
            p->anonymous_only = 0;
        }
    }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type >= 0 && served_case[v->case_index])
        vt[get_case (ctx, v->case_index)->client] |= BIT (v->type);
    }
  /* Assisted with a compensation application: an individual served in the period whose
   * claim, on a case through which they were served, was filed in the period or was still
   * being prepared then (not filed before the period). */
  for (guint i = 0; i < f->compensation->len; i++)
    {
      const ClReportCompensation *k = &g_array_index (f->compensation, ClReportCompensation, i);

      if (served_case[k->case_index] && (k->filed == CL_DAY_NONE || k->filed >= ctx->from))
        comp[get_case (ctx, k->case_index)->client] = 1;
    }

  ind = _cl_report_table_new (r, "individuals", _("Individuals served"), "");
  _cl_report_add_column (ind, "count", _("Count"));
  ind->sum_columns = 0;
  _cl_report_add_row (ind, "served", _("Individuals who received services"));
  _cl_report_add_row (ind, "new", _("New individuals (first service this fiscal year)"));
  _cl_report_add_row (ind, "continuing", _("Continuing individuals (served earlier this fiscal year)"));
  _cl_report_add_row (ind, "anonymous", _("Anonymous contacts"));

#define DEMOGRAPHIC_TABLE(var, key, title, header, list) \
  G_STMT_START { \
    var = _cl_report_table_new (r, key, title, header); \
    _cl_report_add_column (var, "new", _("New individuals")); \
    add_funder_rows (var, &list); \
  } G_STMT_END
  DEMOGRAPHIC_TABLE (t_race, "race", _("Race/ethnicity of new individuals"), _("Race/ethnicity"), race);
  DEMOGRAPHIC_TABLE (t_gender, "gender", _("Gender of new individuals"), _("Gender"), gender);
  DEMOGRAPHIC_TABLE (t_age, "age", _("Age of new individuals"), _("Age"), age);
#undef DEMOGRAPHIC_TABLE

  t_vt = _cl_report_table_new (r, "victimization", _("Victimization types of individuals served"),
                               _("Victimization type"));
  _cl_report_add_column (t_vt, "individuals", _("Individuals"));
  t_vt->sum_columns = 0;
  add_funder_rows (t_vt, &vict);
  t_vt->note = g_strdup (_("An individual with several victimization types is counted under "
                           "each."));
  t_special = _cl_report_table_new (r, "special", _("Special classifications of individuals served"),
                                    _("Classification"));
  _cl_report_add_column (t_special, "individuals", _("Individuals"));
  t_special->sum_columns = 0;
  add_funder_rows (t_special, &special);
  t_special->note = g_strdup (_("An individual may have several classifications, or none."));

  for (guint i = 0; i < f->clients->len; i++)
    {
      const ClReportClient *k = get_client (ctx, i);
      PmtClient *p = &pc[i];
      gboolean is_new;

      if (!p->served)
        continue;
      if (p->anonymous_only)
        {
          n_anon++;
          continue;
        }
      n_served++;
      is_new = p->first_fy >= ctx->from;
      if (is_new)
        {
          guint64 cats = 0;
          gboolean declined = FALSE;
          guint n_cats;
          int rc = -1;

          n_new++;
          /* Race/ethnicity: the distinct funder categories of the answers, leaving out
           * "declined" and "not asked"; two or more are "Multiple Races". */
          for (guint j = 0; j < race.n_local; j++)
            {
              int cat = race.local_to_funder[j];

              if (!(k->race & BIT (j)) || cat < 0)
                continue;
              if (cat == not_reported || cat == not_tracked)
                declined |= cat == not_reported;
              else
                {
                  cats |= BIT (cat);
                  rc = cat;
                }
            }
          n_cats = (guint) __builtin_popcountll (cats);
          if (n_cats == 0)
            rc = declined ? not_reported : not_tracked;
          else if (n_cats > 1)
            rc = multiple;
          _cl_report_add_count (t_race, (guint) rc, 0, 1);
          _cl_report_add_count (t_gender, (guint) (k->gender >= 0 && gender.local_to_funder[k->gender] >= 0
                                                   ? gender.local_to_funder[k->gender] : g_not_tracked), 0, 1);
          _cl_report_add_count (t_age, (guint) (k->age_band >= 0 && age.local_to_funder[k->age_band] >= 0
                                                ? age.local_to_funder[k->age_band] : a_not_tracked), 0, 1);
        }
      else
        n_cont++;

      {
        guint64 cats = 0;

        for (guint j = 0; j < vict.n_local; j++)
          if ((vt[i] & BIT (j)) && vict.local_to_funder[j] >= 0)
            cats |= BIT (vict.local_to_funder[j]);
        for (guint j = 0; j < vict.codes->len; j++)
          if (cats & BIT (j))
            _cl_report_add_count (t_vt, j, 0, 1);
        cats = 0;
        for (guint j = 0; j < special.n_local; j++)
          if ((k->special & BIT (j)) && special.local_to_funder[j] >= 0)
            cats |= BIT (special.local_to_funder[j]);
        for (guint j = 0; j < special.codes->len; j++)
          if (cats & BIT (j))
            _cl_report_add_count (t_special, j, 0, 1);
      }
    }
  for (guint i = 0; i < f->clients->len; i++)
    n_comp += comp[i] && pc[i].served && !pc[i].anonymous_only;

  _cl_report_set_count (ind, 0, 0, n_served);
  _cl_report_set_count (ind, 1, 0, n_new);
  _cl_report_set_count (ind, 2, 0, n_cont);
  _cl_report_set_count (ind, 3, 0, n_anon);
  {
    ClReportCellRef parts[2] = { _cl_report_ref (ind, 1, 0), _cl_report_ref (ind, 2, 0) };
    _cl_report_add_group (r, _cl_report_ref (ind, 0, 0), parts, 2);
  }

  recon = _cl_report_table_new (r, "reconciliation", _("Demographics reconciliation"), "");
  _cl_report_add_column (recon, "count", _("Individuals"));
  _cl_report_add_column (recon, "reconciles", _("Equals new individuals"));
  recon->sum_columns = 0;
  {
    ClReportTable *blocks[] = { t_race, t_gender, t_age };

    row = _cl_report_add_row (recon, "new", _("New individuals"));
    _cl_report_set_count (recon, row, 0, n_new);
    _cl_report_link_equal (r, _cl_report_ref (recon, row, 0), _cl_report_ref (ind, 1, 0));
    for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        ClReportTable *t = blocks[b];
        g_autofree char *label = g_strdup_printf (_("Sum of “%s”"), t->title);
        gint64 sum;

        zero_fill (t, BIT (0));
        _cl_report_add_total_row (t, NULL);
        _cl_report_set_chart (t, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
        sum = _cl_report_cell (t, t->total_row, 0)->count;
        row = _cl_report_add_row (recon, t->key, label);
        _cl_report_set_count (recon, row, 0, sum);
        _cl_report_set_text (recon, row, 1, sum == n_new ? _("Yes") : _("No"));
        _cl_report_link_equal (r, _cl_report_ref (recon, row, 0), _cl_report_ref (ind, 1, 0));
        _cl_report_link_equal (r, _cl_report_ref (t, t->total_row, 0), _cl_report_ref (ind, 1, 0));
      }
  }
  zero_fill (t_vt, BIT (0));
  _cl_report_set_chart (t_vt, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  zero_fill (t_special, BIT (0));

  t_comp = _cl_report_table_new (r, "compensation", _("Victim compensation"), "");
  _cl_report_add_column (t_comp, "individuals", _("Individuals"));
  t_comp->sum_columns = 0;
  row = _cl_report_add_row (t_comp, "assisted", _("Individuals assisted with a compensation application"));
  _cl_report_set_count (t_comp, row, 0, n_comp);

  /* Services: individuals per category, times per code. */
  t_cat = _cl_report_table_new (r, "service_categories", _("Individuals served by service category"),
                                _("Category"));
  _cl_report_add_column (t_cat, "individuals", _("Individuals"));
  t_cat->sum_columns = 0;
  for (guint i = 0; i < N_SERVICE_CATEGORIES; i++)
    _cl_report_add_row (t_cat, service_categories[i].key, _(service_categories[i].label));
  t_code = _cl_report_table_new (r, "service_codes", _("Times each service was provided"),
                                 _("Service"));
  _cl_report_add_column (t_code, "times", _("Times provided"));
  for (guint i = 0; i < svc.codes->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s %s", (char *) g_ptr_array_index (svc.codes, i),
                                                (char *) g_ptr_array_index (svc.labels, i));
      _cl_report_add_row (t_code, g_ptr_array_index (svc.codes, i), label);
    }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      const ClReportCase *k;
      int cat;

      if (!in_period (ctx, s->date) || !service_ok (ctx, s))
        continue;
      k = get_case (ctx, s->case_index);
      cat = svc.local_to_funder[s->code];
      if (cat >= 0)
        _cl_report_add_count (t_code, (guint) cat, 0, s->times);
      if (!pc[k->client].anonymous_only && mark_pair (cat_pairs, service_category (s->code), k->client))
        _cl_report_add_count (t_cat, service_category (s->code), 0, 1);
    }
  zero_fill (t_cat, BIT (0));
  _cl_report_set_chart (t_cat, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  zero_fill (t_code, BIT (0));
  _cl_report_add_total_row (t_code, NULL);

  {
    g_autofree char *fy_text = note_day (fy);
    g_autofree char *note = g_strdup_printf (_("Fiscal year starting %s. An individual is new in "
                                               "the quarter of their first service in the "
                                               "fiscal year and continuing in later quarters. "
                                               "Anonymous contacts are counted apart from "
                                               "individuals. Demographics are of new individuals "
                                               "only; each block adds up to the new individuals."),
                                             fy_text);
    _cl_report_add_note (r, note);
  }

  funder_list_clear (&race);
  funder_list_clear (&gender);
  funder_list_clear (&age);
  funder_list_clear (&vict);
  funder_list_clear (&special);
  funder_list_clear (&svc);
  return g_steal_pointer (&r);
}

/* Report: trafficking (TIMS-style) ----------------------------------------------------- */

typedef struct {
  guint8 served;       /* a service in the period on a trafficking case */
  guint8 family;       /* served only as a family member (secondary victim) */
  ClDay  first;        /* first service ever on a trafficking case */
  gint8  sex, labor, both;
  gint8  minor;        /* -1 unknown */
  gint8  adult_known;
  gint8  foreign;      /* -1 unknown, 0 citizen or LPR, 1 foreign national */
  gint8  citizen_known;
  ClTime first_case;   /* earliest referral among the served trafficking cases */
  gint8  source;
} TrClient;

static ClReportResult *
run_trafficking (Ctx                *ctx,
                 const ClReportInfo *info,
                 GError            **error)
{
  const ClReportFacts *f = ctx->f;
  g_autoptr(ClReportResult) r = result_new (ctx, info);
  g_autofree TrClient *tc = g_new0 (TrClient, f->clients->len + 1);
  g_autofree guint8 *tr_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autofree guint8 *served_case = g_new0 (guint8, ctx->n_cases + 1);
  g_autoptr(GHashTable) code_pairs = pair_set_new ();
  int track = _cl_report_enum_index (CL_REPORT_ENUM_TRACK, "trafficking");
  int secondary = _cl_report_enum_index (CL_REPORT_ENUM_VICTIM_ROLE, "secondary");
  int vt_labor = _cl_report_enum_index (CL_REPORT_ENUM_VICTIMIZATION, "trafficking_labor");
  int vt_sex = _cl_report_enum_index (CL_REPORT_ENUM_VICTIMIZATION, "trafficking_sex");
  int tt_sex = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "sex");
  int tt_labor = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "labor");
  int tt_both = _cl_report_enum_index (CL_REPORT_ENUM_TRAFFICKING_TYPE, "both");
  int minor_bands[2] = {
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "0_12"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "13_17"),
  };
  int known_adult_bands[3] = {
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "18_24"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "25_59"),
    _cl_report_enum_index (CL_REPORT_ENUM_AGE_BAND, "60_plus"),
  };
  ClReportTable *totals, *family, *by_type, *by_age, *by_gender, *by_cit, *by_source;
  ClReportTable *svc, *imm, *legal;
  gint64 clients = 0, clients_new = 0, fam = 0, fam_new = 0;
  guint row;

  /* Trafficking cases: the trafficking track, or a trafficking victimization. */
  for (guint c = 0; c < ctx->n_cases; c++)
    tr_case[c] = get_case (ctx, c)->track == track;
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);

      if (v->type == vt_labor || v->type == vt_sex || v->trafficking_type >= 0)
        tr_case[v->case_index] = 1;
    }

  for (guint i = 0; i < f->clients->len; i++)
    {
      tc[i].first = CL_DAY_NONE;
      tc[i].minor = -1;
      tc[i].foreign = -1;
      tc[i].family = 1;
      tc[i].first_case = CL_TIME_NONE;
      tc[i].source = -1;
    }

  /* Served in the period; first service ever. */
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 client;

      if (!tr_case[s->case_index] || s->date > ctx->to || !service_ok (ctx, s))
        continue;
      client = get_case (ctx, s->case_index)->client;
      if (tc[client].first == CL_DAY_NONE || s->date < tc[client].first)
        tc[client].first = s->date;
      if (s->date >= ctx->from)
        {
          tc[client].served = 1;
          served_case[s->case_index] = 1;
        }
    }
  for (guint c = 0; c < ctx->n_cases; c++)
    if (served_case[c])
      {
        const ClReportCase *k = get_case (ctx, c);
        TrClient *t = &tc[k->client];

        if (k->victim_role != secondary)
          t->family = 0;
        if (ctx->received[c] != CL_TIME_NONE &&
            (t->first_case == CL_TIME_NONE || ctx->received[c] < t->first_case ||
             (ctx->received[c] == t->first_case && ctx->source[c] < t->source)))
          {
            t->first_case = ctx->received[c];
            t->source = ctx->source[c];
          }
        else if (t->first_case == CL_TIME_NONE && t->source < 0)
          t->source = ctx->source[c];
      }
  for (guint i = 0; i < f->victimizations->len; i++)
    {
      const ClReportVictimization *v = &g_array_index (f->victimizations, ClReportVictimization, i);
      TrClient *t;

      if (!served_case[v->case_index])
        continue;
      t = &tc[get_case (ctx, v->case_index)->client];
      if (v->trafficking_type == tt_both)
        t->both = 1;
      if (v->trafficking_type == tt_sex || v->type == vt_sex)
        t->sex = 1;
      if (v->trafficking_type == tt_labor || v->type == vt_labor)
        t->labor = 1;
      if (v->minor == 1)
        t->minor = 1;
      else if (v->minor == 0)
        t->adult_known = 1;
      if (v->foreign_national == 1)
        t->foreign = 1;
      else if (v->foreign_national == 0)
        t->citizen_known = 1;
    }

  totals = _cl_report_table_new (r, "clients", _("Clients served"), "");
  _cl_report_add_column (totals, "total", _("Total"));
  _cl_report_add_column (totals, "new", _("New"));
  totals->sum_columns = 0;
  family = _cl_report_table_new (r, "family", _("Family members served (counted apart)"), "");
  _cl_report_add_column (family, "total", _("Total"));
  _cl_report_add_column (family, "new", _("New"));
  family->sum_columns = 0;

#define CLIENT_TABLE(var, key, title, header) \
  G_STMT_START { \
    var = _cl_report_table_new (r, key, title, header); \
    _cl_report_add_column (var, "clients", _("Clients")); \
  } G_STMT_END
  CLIENT_TABLE (by_type, "by_type", _("By type of trafficking"), _("Type"));
  _cl_report_add_row (by_type, "sex", _("Sex trafficking"));
  _cl_report_add_row (by_type, "labor", _("Labor trafficking"));
  _cl_report_add_row (by_type, "both", _("Sex and labor trafficking"));
  _cl_report_add_row (by_type, "unknown", _("Unknown"));
  CLIENT_TABLE (by_age, "by_age", _("Adults and minors"), _("Age"));
  _cl_report_add_row (by_age, "adult", _("Adult"));
  _cl_report_add_row (by_age, "minor", _("Minor"));
  _cl_report_add_row (by_age, "unknown", _("Unknown"));
  CLIENT_TABLE (by_gender, "by_gender", _("By gender"), _("Gender"));
  add_enum_rows (by_gender, CL_REPORT_ENUM_GENDER, TRUE);
  CLIENT_TABLE (by_cit, "by_citizenship", _("By citizenship"), _("Citizenship"));
  _cl_report_add_row (by_cit, "citizen_lpr", _("U.S. citizen or lawful permanent resident"));
  _cl_report_add_row (by_cit, "foreign_national", _("Foreign national"));
  _cl_report_add_row (by_cit, "unknown", _("Unknown"));
  CLIENT_TABLE (by_source, "by_source", _("By referral source"), _("Source"));
  add_enum_rows (by_source, CL_REPORT_ENUM_REFERRAL_SOURCE, TRUE);
#undef CLIENT_TABLE

  for (guint i = 0; i < f->clients->len; i++)
    {
      TrClient *t = &tc[i];
      const ClReportClient *k = get_client (ctx, i);
      gboolean is_new;
      int age_row;

      if (!t->served)
        continue;
      is_new = t->first >= ctx->from;
      if (t->family)
        {
          fam++;
          fam_new += is_new;
          continue;
        }
      clients++;
      clients_new += is_new;
      _cl_report_add_count (by_type, (t->both || (t->sex && t->labor)) ? 2 : t->sex ? 0 : t->labor ? 1 : 3, 0, 1);
      /* Minor at the time of the trafficking, as the victimizations say; else the age
       * band. */
      if (t->minor == 1)
        age_row = 1;
      else if (t->adult_known)
        age_row = 0;
      else if (k->age_band == minor_bands[0] || k->age_band == minor_bands[1])
        age_row = 1;
      else if (k->age_band == known_adult_bands[0] || k->age_band == known_adult_bands[1] ||
               k->age_band == known_adult_bands[2])
        age_row = 0;
      else
        age_row = 2;
      _cl_report_add_count (by_age, (guint) age_row, 0, 1);
      _cl_report_add_count (by_gender, enum_row (CL_REPORT_ENUM_GENDER, k->gender), 0, 1);
      _cl_report_add_count (by_cit, t->foreign == 1 ? 1 : t->citizen_known ? 0 : 2, 0, 1);
      _cl_report_add_count (by_source, enum_row (CL_REPORT_ENUM_REFERRAL_SOURCE, t->source), 0, 1);
    }
  row = _cl_report_add_row (totals, "clients", _("Clients"));
  _cl_report_set_count (totals, row, 0, clients);
  _cl_report_set_count (totals, row, 1, clients_new);
  row = _cl_report_add_row (family, "family", _("Family members"));
  _cl_report_set_count (family, row, 0, fam);
  _cl_report_set_count (family, row, 1, fam_new);
  _cl_report_add_subset (r, _cl_report_ref (totals, 0, 0), _cl_report_ref (totals, 0, 1));
  _cl_report_add_subset (r, _cl_report_ref (family, 0, 0), _cl_report_ref (family, 0, 1));
  {
    ClReportTable *blocks[] = { by_type, by_age, by_gender, by_cit, by_source };

    for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        zero_fill (blocks[b], BIT (0));
        _cl_report_add_total_row (blocks[b], NULL);
        _cl_report_link_equal (r, _cl_report_ref (totals, 0, 0),
                               _cl_report_ref (blocks[b], blocks[b]->total_row, 0));
      }
  }
  _cl_report_set_chart (by_type, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));
  _cl_report_set_chart (by_source, CL_REPORT_CHART_BAR, CL_REPORT_COLS (0));

  /* Services to clients (not family members). */
  svc = _cl_report_table_new (r, "services", _("Services to clients"), _("Service"));
  _cl_report_add_column (svc, "clients", _("Clients"));
  _cl_report_add_column (svc, "times", _("Times provided"));
  no_sum (svc, 0);
  {
    const ClEnum *e = _cl_report_enum (CL_REPORT_ENUM_SERVICE_CODE);

    for (guint i = 0; i < e->n_values; i++)
      {
        g_autofree char *label = g_strdup_printf ("%s %s", e->values[i].code, _(e->values[i].label));
        _cl_report_add_row (svc, e->values[i].code, label);
      }
  }
  for (guint i = 0; i < f->services->len; i++)
    {
      const ClReportService *s = &g_array_index (f->services, ClReportService, i);
      guint32 client;

      if (!served_case[s->case_index] || !in_period (ctx, s->date) || !service_ok (ctx, s))
        continue;
      client = get_case (ctx, s->case_index)->client;
      if (tc[client].family)
        continue;
      _cl_report_add_count (svc, (guint) s->code, 1, s->times);
      if (mark_pair (code_pairs, (guint) s->code, client))
        _cl_report_add_count (svc, (guint) s->code, 0, 1);
    }
  zero_fill (svc, all_columns (svc));
  _cl_report_add_total_row (svc, NULL);
  _cl_report_set_count (svc, svc->total_row, 0, clients);
  _cl_report_link_equal (r, _cl_report_ref (svc, svc->total_row, 0), _cl_report_ref (totals, 0, 0));

  /* Immigration milestones on trafficking cases in scope, dated in the period. */
  imm = _cl_report_table_new (r, "immigration", _("Immigration milestones"), _("Milestone"));
  _cl_report_add_column (imm, "requested", _("Requested"));
  _cl_report_add_column (imm, "granted", _("Signed or granted"));
  _cl_report_add_column (imm, "denied", _("Denied"));
  _cl_report_add_column (imm, "filed", _("Filed"));
  imm->sum_columns = 0;
  {
    static const char *const types[] = {
      "continued_presence", "hhs_letter", "t_decl", "u_cert", "nys_confirmation",
    };
    int type_index[G_N_ELEMENTS (types)];
    int granted = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "granted");
    int denied = _cl_report_enum_index (CL_REPORT_ENUM_DECISION, "denied");
    guint t_app;

    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        type_index[i] = _cl_report_enum_index (CL_REPORT_ENUM_IMMIGRATION_TYPE, types[i]);
        _cl_report_add_row (imm, types[i], _cl_report_enum_label (CL_REPORT_ENUM_IMMIGRATION_TYPE,
                                                                  type_index[i]));
      }
    t_app = _cl_report_add_row (imm, "t_application", _("T-visa applications filed (I-914)"));
    zero_fill (imm, all_columns (imm));
    for (guint col = 0; col < 3; col++)
      _cl_report_cell (imm, t_app, col)->kind = CL_REPORT_CELL_EMPTY;
    for (guint i = 0; i < f->immigration->len; i++)
      {
        const ClReportImmigration *m = &g_array_index (f->immigration, ClReportImmigration, i);
        int irow = -1;

        if (!tr_case[m->case_index] || !case_ok (ctx, m->case_index))
          continue;
        for (guint j = 0; j < G_N_ELEMENTS (types); j++)
          if (m->type == type_index[j])
            irow = (int) j;
        if (irow < 0)
          continue;
        _cl_report_add_count (imm, (guint) irow, 0, in_period (ctx, m->requested));
        if (in_period (ctx, m->decided))
          {
            _cl_report_add_count (imm, (guint) irow, 1, m->decision == granted);
            _cl_report_add_count (imm, (guint) irow, 2, m->decision == denied);
          }
        _cl_report_add_count (imm, (guint) irow, 3, in_period (ctx, m->filed));
        if (g_str_equal (types[irow], "t_decl"))
          _cl_report_add_count (imm, t_app, 3, in_period (ctx, m->filed));
      }
    _cl_report_link_equal (r, _cl_report_ref (imm, 2, 3), _cl_report_ref (imm, t_app, 3));
  }
  imm->note = g_strdup (_("A T-visa application is counted when the case's I-914 Supplement B "
                          "declaration records the day the application was filed."));

  /* Vacatur and civil actions of the clients served, by current status. */
  legal = _cl_report_table_new (r, "legal", _("Vacatur and civil actions"), _("Action"));
  _cl_report_add_column (legal, "total", _("Total"));
  {
    const ClEnum *st = _cl_report_enum (CL_REPORT_ENUM_LEGAL_STATUS);
    int vacatur = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "vacatur");
    int civil = _cl_report_enum_index (CL_REPORT_ENUM_LEGAL_TYPE, "civil");

    for (guint i = 0; i < st->n_values; i++)
      _cl_report_add_column (legal, st->values[i].code, _(st->values[i].label));
    _cl_report_add_column (legal, "not_recorded", not_recorded_label ());
    _cl_report_add_row (legal, "vacatur", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, vacatur));
    _cl_report_add_row (legal, "civil", _cl_report_enum_label (CL_REPORT_ENUM_LEGAL_TYPE, civil));
    for (guint i = 0; i < f->legal_matters->len; i++)
      {
        const ClReportLegalMatter *l = &g_array_index (f->legal_matters, ClReportLegalMatter, i);
        guint lrow = l->type == vacatur ? 0 : l->type == civil ? 1 : 2;

        if (lrow == 2 || !served_case[l->case_index] ||
            tc[get_case (ctx, l->case_index)->client].family)
          continue;
        _cl_report_add_count (legal, lrow, 1 + enum_row (CL_REPORT_ENUM_LEGAL_STATUS, l->status), 1);
      }
    zero_fill (legal, all_columns (legal));
    _cl_report_add_total_row (legal, NULL);
    _cl_report_set_total_col (legal, 0, all_columns (legal) & ~BIT (0));
  }

  _cl_report_add_note (r, _("Clients are people served on a trafficking case (the trafficking "
                            "track or a trafficking victimization) with a service in the period; "
                            "they are new when their first such service falls in the period. "
                            "Family members (secondary victims) are counted apart and in no other "
                            "table."));
  return g_steal_pointer (&r);
}

/* The list of reports ------------------------------------------------------------------- */

typedef ClReportResult *(*ReportFunc) (Ctx                *ctx,
                                       const ClReportInfo *info,
                                       GError            **error);

#define BASE_NEEDS (CL_REPORT_NEED_COMMANDS | CL_REPORT_NEED_CASES | CL_REPORT_NEED_REFERRALS)

static const ClReportInfo reports[] = {
  { "caseload", N_("Supervisor caseload"),
    N_("Active caseload per advocate on a date, stale cases and case age, by track"),
    BASE_NEEDS | CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_CASE_NUMBER |
    CL_REPORT_NEED_STATUS_ON, FALSE },
  { "referrals", N_("New referrals"),
    N_("Referrals received in the period by source, command, borough, track and victimization "
       "type, with conversion"),
    BASE_NEEDS | CL_REPORT_NEED_VICTIMIZATIONS | CL_REPORT_NEED_CONTACTS, FALSE },
  { "first-contact", N_("Time to first attempt and first contact"),
    N_("Median, mean and 90th percentile time from referral to first attempt and first "
       "successful contact, with shares within 24 hours, 72 hours and 7 days"),
    BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_SAFE_CHANNEL,
    FALSE },
  { "outreach", N_("Outreach effort"),
    N_("Attempts per referral, reach rate and the outcome mix of contacts"),
    BASE_NEEDS | CL_REPORT_NEED_CONTACTS, FALSE },
  { "services", N_("Services delivered"),
    N_("Services by code and category, by advocate and by command"),
    BASE_NEEDS | CL_REPORT_NEED_SERVICES, FALSE },
  { "outcomes", N_("Outcomes"),
    N_("Orders of protection, compensation claims, U and T requests and results, shelter, "
       "safety plans and referrals connected"),
    BASE_NEEDS | CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_LEGAL_MATTERS |
    CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_IMMIGRATION | CL_REPORT_NEED_SAFETY_PLANS |
    CL_REPORT_NEED_OUTBOUND, FALSE },
  { "closures", N_("Closures"),
    N_("Cases closed in the period by reason, with the median length of engagement"),
    BASE_NEEDS, FALSE },
  { "deadlines", N_("Deadlines"),
    N_("U certifications to file, family members ageing out, expiring Continued Presence, "
       "letters, orders and consents, compensation deadlines, court dates and overdue "
       "follow-ups"),
    BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_IMMIGRATION |
    CL_REPORT_NEED_LEGAL_MATTERS | CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_TASKS |
    CL_REPORT_NEED_RELEASES | CL_REPORT_NEED_CASE_NUMBER, FALSE },
  { "data-quality", N_("Data quality"),
    N_("New clients missing funder demographics, cases without victimization type or "
       "services, open cases with no recent activity"),
    BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_CONTACTS | CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_LAST_NOTE |
    CL_REPORT_NEED_AGE_FROM_DOB | CL_REPORT_NEED_CASE_NUMBER, FALSE },
  { "pmt", N_("VOCA Performance Measurement Tool (quarterly)"),
    N_("Individuals served, new and continuing, anonymous contacts, demographics of new "
       "individuals, victimization types, special classifications, compensation and services"),
    BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_COMPENSATION | CL_REPORT_NEED_CATEGORIES |
    CL_REPORT_NEED_AGE_FROM_DOB, TRUE },
  { "trafficking", N_("Trafficking (TIMS-style, semiannual)"),
    N_("Trafficking clients total and new, family members apart, by type, age, gender, "
       "citizenship and referral source; services, immigration milestones, vacatur and "
       "civil actions"),
    BASE_NEEDS | CL_REPORT_NEED_CLIENTS | CL_REPORT_NEED_VICTIMIZATIONS |
    CL_REPORT_NEED_SERVICES | CL_REPORT_NEED_IMMIGRATION | CL_REPORT_NEED_LEGAL_MATTERS |
    CL_REPORT_NEED_AGE_FROM_DOB | CL_REPORT_NEED_FOREIGN_NATIONAL, TRUE },
};

static const ReportFunc report_funcs[G_N_ELEMENTS (reports)] = {
  run_caseload,
  run_referrals,
  run_first_contact,
  run_outreach,
  run_services,
  run_outcomes,
  run_closures,
  run_deadlines,
  run_data_quality,
  run_pmt,
  run_trafficking,
};

/**
 * cl_report_list:
 *
 * Returns: (array length=n_reports): every report, in the order they are offered
 */
const ClReportInfo *
cl_report_list (guint *n_reports)
{
  if (n_reports != NULL)
    *n_reports = G_N_ELEMENTS (reports);
  return reports;
}

const ClReportInfo *
cl_report_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (reports); i++)
    if (g_str_equal (reports[i].name, name))
      return &reports[i];
  return NULL;
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
  const ClReportInfo *info = cl_report_lookup (name);
  ClReportNeeds needs;

  if (info == NULL)
    return 0;
  needs = info->needs;
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
  g_return_val_if_fail (params != NULL, CL_REPORT_SCOPE_ALL);

  if (g_strcmp0 (name, "referrals") == 0 || g_strcmp0 (name, "first-contact") == 0)
    return CL_REPORT_SCOPE_RECEIVED_IN_PERIOD;
  /* A caseload on a past day counts cases closed since. */
  if (g_strcmp0 (name, "caseload") == 0)
    return cl_report_params_get_as_of (params) < cl_report_params_get_today (params)
           ? CL_REPORT_SCOPE_ALL : CL_REPORT_SCOPE_OPEN;
  if (g_strcmp0 (name, "deadlines") == 0)
    return CL_REPORT_SCOPE_OPEN;
  if (g_strcmp0 (name, "closures") == 0)
    return CL_REPORT_SCOPE_CLOSED_IN_PERIOD;
  if (g_strcmp0 (name, "data-quality") == 0)
    return CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD;
  /* Outreach counts the contacts of the period on any case; services, outcomes and the
   * funder reports follow services and other dated records of any case. */
  return CL_REPORT_SCOPE_ALL;
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
  const ClReportInfo *info = cl_report_lookup (name);

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);

  *from = CL_DAY_NONE;
  *to = CL_DAY_NONE;
  if (info == NULL || !(info->needs & CL_REPORT_NEED_SERVICES) ||
      g_str_equal (name, "data-quality"))
    return FALSE;
  *to = params->to;
  if (g_str_equal (name, "pmt"))
    *from = cl_report_fiscal_year_start (params->from, params->fiscal_start_month);
  else if (!g_str_equal (name, "trafficking"))
    *from = params->from;
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

      if (command_selected (params, c, borough))
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
  const ClReportInfo *info;
  ClReportNeeds needs;
  ClReportResult *result;
  gboolean trace;
  Ctx ctx;

  g_return_val_if_fail (facts != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = cl_report_lookup (name);
  if (info == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", reports[i].name);
      g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_UNKNOWN_REPORT,
                   _("Unknown report “%s”; the reports are: %s"), name ? name : "", names->str);
      return NULL;
    }
  if (!cl_report_params_validate (params, error))
    return NULL;
  trace = (flags & CL_REPORT_RUN_TRACE_CASES) != 0 && !info->funder;
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

  ctx_init (&ctx, facts, params);
  ctx.trace = trace;
  result = report_funcs[info - reports] (&ctx, info, error);
  ctx_free (&ctx);
  if (result != NULL && trace)
    _cl_report_result_end_trace (result, facts);
  if (result != NULL && params->outside)
    cl_report_result_suppress (result, params->threshold);
  return result;
}
