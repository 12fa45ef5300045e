/* srv-report.c: POST /v1/reports/NAME, aggregates from the shared report engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads ClReportFacts from the record table (fields as jsonb text values, exactly the
 * normalized strings the vault stores), with the same column lists, case scope and service
 * window as the vault's adapter (app/core/cl-report-vault.c), and runs the same engine
 * (common/cl-report.c, common/reports/): the same data gives the same numbers on both sides.
 *
 * Aggregates only: case numbers are never read and lists of cases are never returned.
 * Only the cases the caller may read are counted (SRV_RECORDS_SQL_READS, as a pull): a
 * restricted case only by its named users, so a report narrowed by advocate or track never
 * singles one out; data staff, who read no case, count every unrestricted one.
 * Who may ask: directors and data staff for every command; supervisors for the commands
 * they oversee; advocates and administrators not at all. A request naming a command
 * outside the user's is refused (403), never silently narrowed. Small cells are
 * suppressed unless a supervisor or director asks for internal figures ("outside": false).
 *
 * Request body (JSON object, every member optional): from, to (YYYY-MM-DD), period
 * (this-quarter, last-quarter, fiscal-year, last-fiscal-year, this-half, last-half), as_of,
 * today, commands (array of codes), borough, advocate, track, funding,
 * fiscal_start_month, stale_days, outside (bool: small-cell suppression, the default),
 * threshold.
 * Answer: the result as cl_report_result_to_json() writes it, with "source": "server"; the
 * app reads it back with cl_report_result_from_json().
 */

#define G_LOG_DOMAIN "srv-report"

#include <string.h>

#include <libsoup/soup.h>

#include "cl-report.h"
#include "cl-schema.h"
#include "cl-wire.h"
#include "srv-audit.h"
#include "srv-auth.h"
#include "srv-db.h"
#include "srv-handlers.h"
#include "srv-records.h"
#include "srv-report.h"

/* ---- Facts from PostgreSQL ------------------------------------------------------------ */

typedef struct {
  const char        *tokens;         /* the reader's tokens, a JSON array */
  gboolean           all_content;    /* it reads all unrestricted content */
  GStrv              commands;       /* NULL: all */
  const char        *track;
  ClReportCaseScope  scope;
  char              *from;
  char              *to;
  char              *received_from;
  char              *received_to;
} CaseFilter;

typedef struct {
  GString   *sql;
  GPtrArray *params;   /* char *, $1 … $n */
} Query;

/* In a query of case content, $1 and $2 are the reader's tokens and whether it reads all
 * unrestricted content: READS (alias) is the one read rule (SRV_RECORDS_SQL_READS) on
 * them. */
#define READS(a) SRV_RECORDS_SQL_READS (a, "$1", "$2")

/* @cf: (nullable): the filter of a query of case content; %NULL for reference data */
static void
query_init (Query            *q,
            const CaseFilter *cf)
{
  q->sql = g_string_new (NULL);
  q->params = g_ptr_array_new_with_free_func (g_free);
  if (cf == NULL)
    return;
  g_ptr_array_add (q->params, g_strdup (cf->tokens));
  g_ptr_array_add (q->params, g_strdup (cf->all_content ? "true" : "false"));
}

static void
query_clear (Query *q)
{
  g_string_free (q->sql, TRUE);
  g_ptr_array_unref (q->params);
}

/* Adds a parameter; returns its number. */
static guint
query_add (Query      *q,
           const char *value)
{
  g_ptr_array_add (q->params, g_strdup (value));
  return q->params->len;
}

/* Appends "$n" for a new parameter. */
static void
query_param (Query      *q,
             const char *value)
{
  g_ptr_array_add (q->params, g_strdup (value));
  g_string_append_printf (q->sql, "$%u", q->params->len);
}

/* The cases the report reads, on the record alias @a (see cl-report-vault.c): only those
 * the reader may read. */
static void
append_case_where (Query            *q,
                   const CaseFilter *cf,
                   const char       *a)
{
  g_string_append_printf (q->sql, "%1$s.type = 'case' AND NOT %1$s.deleted AND NOT EXISTS "
                          "(SELECT 1 FROM record x WHERE x.id = %1$s.parent_id AND x.deleted) "
                          "AND " READS ("%1$s"), a);
  if (cf->commands != NULL)
    {
      g_autofree char *json = srv_json_strv (cf->commands);

      g_string_append_printf (q->sql, " AND %s.fields ->> 'command' IN "
                              "(SELECT jsonb_array_elements_text(", a);
      query_param (q, json);
      g_string_append (q->sql, "::jsonb))");
    }
  if (cf->track != NULL)
    {
      g_string_append_printf (q->sql, " AND %s.fields ->> 'track' = ", a);
      query_param (q, cf->track);
    }
  switch (cf->scope)
    {
    case CL_REPORT_SCOPE_RECEIVED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND (coalesce(%1$s.fields ->> 'referral_received_at', '') = '' "
                              "OR (%1$s.fields ->> 'referral_received_at' COLLATE \"C\" >= ", a);
      query_param (q, cf->received_from);
      g_string_append_printf (q->sql, " AND %s.fields ->> 'referral_received_at' COLLATE \"C\" < ", a);
      query_param (q, cf->received_to);
      g_string_append (q->sql, "))");
      break;
    case CL_REPORT_SCOPE_OPEN:
      g_string_append_printf (q->sql, " AND coalesce(%s.fields ->> 'status', '') <> 'closed'", a);
      break;
    case CL_REPORT_SCOPE_CLOSED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND %s.fields ->> 'closed_at' COLLATE \"C\" >= ", a);
      query_param (q, cf->from);
      g_string_append_printf (q->sql, " AND %s.fields ->> 'closed_at' COLLATE \"C\" <= ", a);
      query_param (q, cf->to);
      break;
    case CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND (coalesce(%1$s.fields ->> 'status', '') <> 'closed' OR "
                              "(%1$s.fields ->> 'closed_at' COLLATE \"C\" >= ", a);
      query_param (q, cf->from);
      g_string_append_printf (q->sql, " AND %s.fields ->> 'closed_at' COLLATE \"C\" <= ", a);
      query_param (q, cf->to);
      g_string_append (q->sql, "))");
      break;
    case CL_REPORT_SCOPE_ALL:
    default:
      break;
    }
}

static void
append_column (Query                    *q,
               const ClReportFactSpec   *spec,
               const ClType             *type,
               const ClReportFactColumn *column,
               ClReportNeeds             needs,
               const char               *time_zone)
{
  /* Aggregates only: case numbers never leave the database. The server keeps no status
   * history: the engine takes the current status (and a closing day after the as-of day). */
  if ((column->need != 0 && !(needs & column->need)) ||
      column->need == CL_REPORT_NEED_CASE_NUMBER || column->need == CL_REPORT_NEED_STATUS_ON)
    {
      g_string_append (q->sql, "NULL");
      return;
    }

  if (spec->kind == CL_REPORT_FACT_CLIENT && g_str_equal (column->name, "safe_channel"))
    g_string_append (q->sql,
                     "(EXISTS (SELECT 1 FROM record s WHERE s.type = 'safe_contact' "
                     "AND NOT s.deleted AND s.parent_id = r.id AND s.fields ->> 'safe' = 'yes'))::int::text");
  else if (spec->kind == CL_REPORT_FACT_CLIENT && g_str_equal (column->name, "age_from_dob"))
    {
      /* Whole years from the date of birth to the local day the client's first case
       * started, computed as the vault computes them; only the age is read. */
      guint n = query_add (q, time_zone);
      g_autofree char *start =
        g_strdup_printf ("CASE WHEN coalesce(k.fields ->> 'referral_received_at', '') <> '' "
                         "THEN ((k.fields ->> 'referral_received_at')::timestamptz AT TIME ZONE $%1$u::text)::date "
                         "ELSE coalesce(((SELECT min((f.fields ->> 'received_at')::timestamptz) FROM record f "
                         "WHERE f.type = 'referral' AND NOT f.deleted AND f.parent_id = k.id "
                         "AND coalesce(f.fields ->> 'received_at', '') <> '') AT TIME ZONE $%1$u::text)::date, "
                         "nullif(k.fields ->> 'opened_at', '')::date) END", n);

      g_string_append_printf (q->sql,
                              "CASE WHEN coalesce(r.fields ->> 'date_of_birth', '') = '' THEN NULL "
                              "ELSE (SELECT substr(s.d, 1, 4)::int - "
                              "substr(r.fields ->> 'date_of_birth', 1, 4)::int - "
                              "(substr(s.d, 6, 5) COLLATE \"C\" < "
                              "substr(r.fields ->> 'date_of_birth', 6, 5) COLLATE \"C\")::int "
                              "FROM (SELECT to_char(min(%s), 'YYYY-MM-DD') AS d FROM record k "
                              "WHERE k.type = 'case' AND NOT k.deleted AND k.parent_id = r.id "
                              "AND " READS ("k") ") s) END",
                              start);
    }
  else if (spec->kind == CL_REPORT_FACT_CASE && g_str_equal (column->name, "last_note_at"))
    g_string_append (q->sql,
                     "(SELECT max(n.fields ->> 'at' COLLATE \"C\") FROM record n WHERE "
                     "n.type = 'note' AND NOT n.deleted AND n.parent_id = r.id)");
  else if (g_str_equal (column->name, "id"))
    g_string_append (q->sql, "r.id::text");
  else
    {
      const ClField *field = cl_type_lookup_field (type, column->name);

      /* A name from the static column lists, never from a request. */
      g_assert (field != NULL && !(field->flags & CL_FIELD_PII));
      g_string_append_printf (q->sql, "r.fields ->> '%s'", column->name);
    }
}

static gboolean
load_kind (PGconn               *conn,
           ClReportFacts        *facts,
           ClReportFactKind      kind,
           ClReportNeeds         needs,
           const CaseFilter     *cf,
           const char           *name,
           const ClReportParams *params,
           GError              **error)
{
  const ClReportFactSpec *spec = cl_report_fact_spec (kind);
  const ClType *type = cl_schema_lookup_type (spec->type);
  g_autoptr(PGresult) result = NULL;
  const char *values[32];
  Query q;

  g_assert (spec->n_columns <= G_N_ELEMENTS (values));
  query_init (&q, kind != CL_REPORT_FACT_COMMAND ? cf : NULL);
  g_string_append (q.sql, "SELECT ");
  for (guint i = 0; i < spec->n_columns; i++)
    {
      if (i > 0)
        g_string_append (q.sql, ", ");
      append_column (&q, spec, type, &spec->columns[i], needs, params->time_zone);
    }
  g_string_append (q.sql, " FROM record r WHERE r.type = ");
  query_param (&q, type->name);
  g_string_append (q.sql, " AND NOT r.deleted");

  if (kind == CL_REPORT_FACT_CASE)
    {
      g_string_append (q.sql, " AND r.id IN (SELECT c.id FROM record c WHERE ");
      append_case_where (&q, cf, "c");
      g_string_append (q.sql, ")");
    }
  else if (kind == CL_REPORT_FACT_CLIENT || kind == CL_REPORT_FACT_RELEASE)
    {
      g_string_append_printf (q.sql, " AND r.%s IN (SELECT c.parent_id FROM record c WHERE ",
                              kind == CL_REPORT_FACT_CLIENT ? "id" : "parent_id");
      append_case_where (&q, cf, "c");
      g_string_append (q.sql, ")");
    }
  else if (kind != CL_REPORT_FACT_COMMAND)
    {
      g_string_append (q.sql, " AND r.parent_id IN (SELECT c.id FROM record c WHERE ");
      append_case_where (&q, cf, "c");
      g_string_append (q.sql, ")");
    }

  if (kind == CL_REPORT_FACT_SERVICE)
    {
      ClDay from, to;

      if (cl_report_service_window (name, params, &from, &to))
        {
          if (from != CL_DAY_NONE)
            {
              g_autofree char *text = cl_day_to_string (from);
              g_string_append (q.sql, " AND r.fields ->> 'date' COLLATE \"C\" >= ");
              query_param (&q, text);
            }
          if (to != CL_DAY_NONE)
            {
              g_autofree char *text = cl_day_to_string (to);
              g_string_append (q.sql, " AND r.fields ->> 'date' COLLATE \"C\" <= ");
              query_param (&q, text);
            }
        }
    }

  result = srv_db_execv (conn, q.sql->str, (int) q.params->len,
                         (const char * const *) q.params->pdata, error);
  query_clear (&q);
  if (result == NULL)
    return FALSE;
  for (int row = 0; row < PQntuples (result); row++)
    {
      for (guint i = 0; i < spec->n_columns; i++)
        {
          const char *v = PQgetisnull (result, row, (int) i) ? NULL : PQgetvalue (result, row, (int) i);

          values[i] = v != NULL && *v != '\0' ? v : NULL;
        }
      if (!cl_report_facts_add_row (facts, kind, values, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * srv_report_load_facts:
 *
 * Returns: (transfer full): the facts report @name needs with @params, from the record
 *   table, in one REPEATABLE READ snapshot; case numbers are never read
 */
ClReportFacts *
srv_report_load_facts (PGconn               *conn,
                       const SrvSession     *session,
                       const char           *name,
                       const ClReportParams *params,
                       GError              **error)
{
  static const ClReportFactKind order[] = {
    CL_REPORT_FACT_CLIENT, CL_REPORT_FACT_CASE, CL_REPORT_FACT_REFERRAL,
    CL_REPORT_FACT_VICTIMIZATION, CL_REPORT_FACT_CONTACT, CL_REPORT_FACT_SERVICE,
    CL_REPORT_FACT_IMMIGRATION, CL_REPORT_FACT_LEGAL_MATTER, CL_REPORT_FACT_COMPENSATION,
    CL_REPORT_FACT_TASK, CL_REPORT_FACT_SAFETY_PLAN, CL_REPORT_FACT_RELEASE,
    CL_REPORT_FACT_OUTBOUND_REFERRAL,
  };
  g_autoptr(ClReportFacts) facts = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  CaseFilter cf = { NULL, };
  g_auto(GStrv) tokens = NULL;
  g_autofree char *tokens_json = NULL;
  ClReportNeeds needs;
  gboolean ok = TRUE;

  /* The cases the session may read; data staff, who read no case, count every one that is
   * not restricted (aggregates only). */
  tokens = srv_scope_read_tokens (session, &cf.all_content);
  tokens_json = srv_json_strv (tokens);
  cf.tokens = tokens_json;
  cf.all_content |= session->role == SRV_ROLE_DATA;

  needs = cl_report_needs (name, params) | CL_REPORT_NEED_COMMANDS;
  facts = cl_report_facts_new (needs);
  /* One snapshot for every statement: the facts agree with each other. */
  if (!srv_db_command (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error))
    return NULL;
  if (!load_kind (conn, facts, CL_REPORT_FACT_COMMAND, needs, &cf, name, params, error))
    {
      srv_db_rollback (conn);
      return NULL;
    }

  commands = cl_report_command_filter (params, facts);
  if (commands != NULL)
    {
      g_ptr_array_add (commands, NULL);
      cf.commands = (GStrv) commands->pdata;
    }
  cf.track = params->track;
  cf.scope = cl_report_case_scope (name, params);
  cf.from = cl_day_to_string (params->from);
  cf.to = cl_day_to_string (params->to);
  {
    g_autofree char *lo = cl_day_to_string (params->from - 1);
    g_autofree char *hi = cl_day_to_string (params->to + 2);

    cf.received_from = g_strconcat (lo, "T00:00:00Z", NULL);
    cf.received_to = g_strconcat (hi, "T00:00:00Z", NULL);
  }
  for (guint i = 0; ok && i < G_N_ELEMENTS (order); i++)
    if (needs & (1 << order[i]))
      ok = load_kind (conn, facts, order[i], needs, &cf, name, params, error);
  g_free (cf.from);
  g_free (cf.to);
  g_free (cf.received_from);
  g_free (cf.received_to);
  srv_db_rollback (conn);
  if (!ok)
    return NULL;
  /* The mapping tables are the seeded ones (the engine's fallback): the server keeps no
   * copy of its own. */
  cl_report_facts_seal (facts);
  return g_steal_pointer (&facts);
}

/* ---- The endpoint ------------------------------------------------------------------- */

static const ClWireLimits request_limits = {
  .max_bytes = 16 * 1024,
  .max_depth = 4,
  .max_string = 256,
  .max_key = 64,
  .max_values = 256,
};

static gboolean
get_day (JsonObject  *object,
         const char  *member,
         ClDay       *day,
         GError     **error)
{
  const char *text;

  if (!json_object_has_member (object, member) || json_object_get_null_member (object, member))
    return TRUE;
  text = json_object_get_string_member (object, member);
  *day = cl_day_parse (text);
  if (*day == CL_DAY_NONE || strlen (text) != 10)
    {
      g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                   "%s must be a date (YYYY-MM-DD)", member);
      return FALSE;
    }
  return TRUE;
}

static char *
get_string (JsonObject *object,
            const char *member)
{
  if (!json_object_has_member (object, member) || json_object_get_null_member (object, member))
    return NULL;
  return g_strdup (json_object_get_string_member (object, member));
}

static ClReportParams *
params_decode (GBytes  *body,
               GError **error)
{
  static const ClWireMember members[] = {
    { "from", CL_WIRE_STRING_OR_NULL, FALSE },
    { "to", CL_WIRE_STRING_OR_NULL, FALSE },
    { "period", CL_WIRE_STRING_OR_NULL, FALSE },
    { "as_of", CL_WIRE_STRING_OR_NULL, FALSE },
    { "today", CL_WIRE_STRING_OR_NULL, FALSE },
    { "commands", CL_WIRE_ARRAY, FALSE },
    { "borough", CL_WIRE_STRING_OR_NULL, FALSE },
    { "advocate", CL_WIRE_STRING_OR_NULL, FALSE },
    { "track", CL_WIRE_STRING_OR_NULL, FALSE },
    { "funding", CL_WIRE_STRING_OR_NULL, FALSE },
    { "fiscal_start_month", CL_WIRE_INT, FALSE },
    { "stale_days", CL_WIRE_INT, FALSE },
    { "outside", CL_WIRE_BOOL, FALSE },
    { "threshold", CL_WIRE_INT, FALSE },
  };
  g_autoptr(ClReportParams) p = cl_report_params_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *period_text = NULL;
  JsonObject *o;
  gsize len = body != NULL ? g_bytes_get_size (body) : 0;

  if (len == 0)
    {
      root = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (root, json_object_new ());
    }
  else if ((root = cl_wire_parse (g_bytes_get_data (body, NULL), len, &request_limits, error)) == NULL)
    return NULL;
  if (!cl_wire_check_object (root, "report request", members, G_N_ELEMENTS (members), error))
    return NULL;
  o = json_node_get_object (root);

  if (!get_day (o, "today", &p->today, error) || !get_day (o, "from", &p->from, error) ||
      !get_day (o, "to", &p->to, error) || !get_day (o, "as_of", &p->as_of, error))
    return NULL;
  p->borough = get_string (o, "borough");
  p->advocate = get_string (o, "advocate");
  p->track = get_string (o, "track");
  p->funding = get_string (o, "funding");
  if (json_object_has_member (o, "fiscal_start_month"))
    p->fiscal_start_month = (guint) CLAMP (json_object_get_int_member (o, "fiscal_start_month"), 0, 13);
  if (json_object_has_member (o, "stale_days"))
    p->stale_days = (guint) CLAMP (json_object_get_int_member (o, "stale_days"), 0, 100000);
  if (json_object_has_member (o, "threshold"))
    p->threshold = (guint) CLAMP (json_object_get_int_member (o, "threshold"), 0, 100000);
  /* For outside use (small cells suppressed) unless asked otherwise. */
  p->outside = !json_object_has_member (o, "outside") ||
               json_object_get_boolean_member (o, "outside");
  if (json_object_has_member (o, "commands"))
    {
      JsonArray *array = json_object_get_array_member (o, "commands");
      g_autoptr(GPtrArray) codes = g_ptr_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *n = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
            {
              g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                                   "commands must be an array of command codes");
              return NULL;
            }
          g_ptr_array_add (codes, g_ascii_strup (json_node_get_string (n), -1));
        }
      g_ptr_array_add (codes, NULL);
      p->commands = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
    }

  period_text = get_string (o, "period");
  if (period_text != NULL)
    {
      ClReportPeriod period;

      if (!cl_report_period_from_string (period_text, &period) ||
          period == CL_REPORT_PERIOD_CUSTOM || p->from != CL_DAY_NONE || p->to != CL_DAY_NONE)
        {
          g_set_error_literal (error, CL_REPORT_ERROR, CL_REPORT_ERROR_INVALID_PARAMS,
                               "period must be a known period, and not given with from and to");
          return NULL;
        }
      if (p->fiscal_start_month >= 1 && p->fiscal_start_month <= 12)
        cl_report_params_set_period (p, period, CL_DAY_NONE);
    }
  if (!cl_report_params_validate (p, error))
    return NULL;
  return g_steal_pointer (&p);
}

static gboolean
strv_contains_code (GStrv       codes,
                    const char *code)
{
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    if (g_ascii_strcasecmp (codes[i], code) == 0)
      return TRUE;
  return FALSE;
}

void
srv_handle_report (SrvWorker   *worker,
                   SrvRequest  *request,
                   SrvResponse *response)
{
  g_autoptr(SrvSession) session = NULL;
  g_autoptr(ClReportParams) params = NULL;
  g_autoptr(ClReportFacts) facts = NULL;
  g_autoptr(ClReportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) detail = json_object_new ();
  SrvAuditEntry entry = { "report", "ok", .address = request->address };
  const char *name = strrchr (request->path, '/') + 1;
  gboolean all_commands;
  char *body;
  gsize len;

  session = srv_auth_session (worker, request, SRV_AUTH_DEFAULT, response);
  if (session == NULL)
    return;
  srv_audit_session (&entry, session);
  json_object_set_string_member (detail, "report", name);
  entry.detail = detail;

  if (session->role != SRV_ROLE_SUPERVISOR && session->role != SRV_ROLE_DIRECTOR &&
      session->role != SRV_ROLE_DATA)
    {
      entry.outcome = "forbidden";
      srv_audit (worker->conn, &entry, NULL);
      srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "Reports on the server are for supervisors, directors and data "
                          "staff");
      return;
    }
  all_commands = session->role == SRV_ROLE_DIRECTOR || session->role == SRV_ROLE_DATA;

  params = params_decode (request->body, &error);
  if (params == NULL)
    {
      srv_response_error (response, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_request",
                          error->message);
      return;
    }

  /* Small cells are suppressed unless a supervisor or director asks for internal figures
   * ("outside": false). */
  if (!params->outside && session->role == SRV_ROLE_DATA)
    {
      entry.outcome = "forbidden";
      srv_audit (worker->conn, &entry, NULL);
      srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "Internal figures are for supervisors and directors");
      return;
    }

  /* Supervisors see the commands they oversee: a command outside them is refused, not
   * dropped. */
  if (!all_commands)
    {
      if (session->commands == NULL || session->commands[0] == NULL)
        {
          entry.outcome = "forbidden";
          srv_audit (worker->conn, &entry, NULL);
          srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                              "No command is assigned to this account");
          return;
        }
      for (guint i = 0; params->commands != NULL && params->commands[i] != NULL; i++)
        if (!strv_contains_code (session->commands, params->commands[i]))
          {
            entry.outcome = "forbidden";
            entry.security = TRUE;
            srv_audit (worker->conn, &entry, NULL);
            srv_response_error (response, SOUP_STATUS_FORBIDDEN, "forbidden",
                                "A command in the request is not one of this account's");
            return;
          }
      if (params->commands == NULL || params->commands[0] == NULL)
        {
          g_strfreev (params->commands);
          params->commands = g_strdupv (session->commands);
        }
    }

  facts = srv_report_load_facts (worker->conn, session, name, params, &error);
  if (facts == NULL)
    {
      if (error->domain == CL_REPORT_ERROR)
        srv_response_error (response, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_request",
                            error->message);
      else
        srv_response_db_error (response, error);
      return;
    }
  result = cl_report_run (name, facts, params, &error);
  if (result == NULL)
    {
      srv_response_error (response, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_request",
                          error->message);
      return;
    }
  /* Aggregates only: lists of cases are blanked (their numbers were never read). */
  for (guint i = 0; i < result->tables->len; i++)
    {
      ClReportTable *t = g_ptr_array_index (result->tables, i);

      if (t->internal_only)
        g_ptr_array_set_size (t->rows, 0);
    }

  result->source = CL_REPORT_SOURCE_SERVER;
  json_object_set_boolean_member (detail, "outside", result->suppressed);
  if (!srv_audit (worker->conn, &entry, &error))
    {
      srv_response_db_error (response, error);
      return;
    }
  body = cl_report_result_to_json (result, &len);
  srv_response_take_json (response, SOUP_STATUS_OK, body, len);
}
