/* cl-report-facts.c: the facts an adapter loads, row by row, for the reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cl_report_fact_spec() tells an adapter which columns to select; cl_report_facts_add_row()
 * checks and stores each row as codes, days and counts.
 */

#define G_LOG_DOMAIN "cl-report"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-report-private.h"

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
