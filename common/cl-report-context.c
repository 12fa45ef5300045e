/* cl-report-context.c: the facts resolved against the parameters, before a report runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-report"

#include <string.h>

#include "cl-report-context.h"

/* Every report starts its result here, so that a traced run records the cases behind its
 * counts. */
ClReportResult *
_cl_report_ctx_result_new (Ctx                *ctx,
                           const ClReportInfo *info)
{
  ClReportResult *r = _cl_report_result_new (info, ctx->p);

  if (ctx->trace)
    _cl_report_result_begin_trace (r);
  return r;
}

gboolean
_cl_report_command_selected (const ClReportParams  *p,
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

void
_cl_report_ctx_free (Ctx *ctx)
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

void
_cl_report_ctx_init (Ctx                  *ctx,
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
    command_ok[i] = _cl_report_command_selected (p, &g_array_index (f->commands, ClReportCommand, i),
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
