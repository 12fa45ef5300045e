/* cl-report-vault.c: the report engine's adapter for the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loads ClReportFacts from the SQLCipher vault with read-only statements (bound
 * parameters, SQLite 3.15.2: no window functions, no JSON1), selecting only the fact kinds
 * and columns the report needs (cl_report_needs(), cl_report_fact_spec()), only the cases
 * of the selected commands and track, and only the services in the report's window. Names,
 * dates of birth, contact details, complaint numbers and free text are never selected: the
 * date of birth is turned into an age inside SQLite.
 *
 * Each fact kind is one statement. The store's connection is shared with the writer, so
 * the load does not hold a transaction; an edit committed while a report loads can show
 * in one kind of fact and not yet in another. The engine tolerates that (a child whose
 * case was not seen is skipped), and the next run is exact.
 */

#define G_LOG_DOMAIN "cl-report-vault"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-summary.h"
#include "cl-report-vault.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-store-private.h"

typedef struct {
  GString   *sql;
  GPtrArray *binds;   /* char *, bound in order; NULL binds SQL NULL */
} Query;

static void
query_init (Query *q)
{
  q->sql = g_string_new (NULL);
  q->binds = g_ptr_array_new_with_free_func (g_free);
}

static void
query_clear (Query *q)
{
  g_string_free (q->sql, TRUE);
  g_ptr_array_unref (q->binds);
}

static void
query_bind (Query      *q,
            const char *value)
{
  g_ptr_array_add (q->binds, g_strdup (value));
}

/* What selects the cases a report reads: not deleted, nor their client, in the selected
 * commands and track.
 * The assigned advocate and the funding source are not used here: services and contacts by
 * an advocate on someone else's case, and services paid from a source the case does not
 * list, still count (common/cl-report-context.h). */
typedef struct {
  GPtrArray         *commands;  /* NULL: all */
  char              *track;
  ClReportCaseScope  scope;
  char              *from;      /* the period, as days */
  char              *to;
  char              *received_from;  /* received-in-period bounds, as UTC text */
  char              *received_to;
} CaseFilter;

/* Whether the cases read are few enough that reading what hangs off them case by case (an
 * index lookup each) beats reading those tables through: commands, a track, or a period.
 * Otherwise children are read whole, and the engine skips those of cases it did not get. */
static gboolean
case_filter_selective (const CaseFilter *cf)
{
  return cf->commands != NULL || cf->track != NULL ||
         cf->scope == CL_REPORT_SCOPE_RECEIVED_IN_PERIOD ||
         cf->scope == CL_REPORT_SCOPE_CLOSED_IN_PERIOD;
}

static void
case_filter_clear (CaseFilter *cf)
{
  g_clear_pointer (&cf->commands, g_ptr_array_unref);
  g_clear_pointer (&cf->from, g_free);
  g_clear_pointer (&cf->to, g_free);
  g_clear_pointer (&cf->received_from, g_free);
  g_clear_pointer (&cf->received_to, g_free);
}

static void
append_case_where (Query            *q,
                   const CaseFilter *cf,
                   const char       *alias)
{
  g_string_append_printf (q->sql, "%1$sdeleted = 0 AND %1$sclient_id NOT IN "
                          "(SELECT id FROM client WHERE deleted <> 0)", alias);
  if (cf->commands != NULL)
    {
      g_string_append_printf (q->sql, " AND %scommand IN (", alias);
      if (cf->commands->len == 0)
        g_string_append (q->sql, "NULL");
      for (guint i = 0; i < cf->commands->len; i++)
        {
          g_string_append (q->sql, i > 0 ? ", ?" : "?");
          query_bind (q, g_ptr_array_index (cf->commands, i));
        }
      g_string_append (q->sql, ")");
    }
  if (cf->track != NULL)
    {
      g_string_append_printf (q->sql, " AND %strack = ?", alias);
      query_bind (q, cf->track);
    }

  /* The cases the report can read at all (cl_report_case_scope()). */
  switch (cf->scope)
    {
    case CL_REPORT_SCOPE_RECEIVED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND (coalesce(%1$sreferral_received_at, '') = '' OR "
                              "(%1$sreferral_received_at >= ? AND %1$sreferral_received_at < ?))",
                              alias);
      query_bind (q, cf->received_from);
      query_bind (q, cf->received_to);
      break;
    case CL_REPORT_SCOPE_OPEN:
      g_string_append_printf (q->sql, " AND coalesce(%sstatus, '') <> 'closed'", alias);
      break;
    case CL_REPORT_SCOPE_CLOSED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND %1$sclosed_at >= ? AND %1$sclosed_at <= ?", alias);
      query_bind (q, cf->from);
      query_bind (q, cf->to);
      break;
    case CL_REPORT_SCOPE_OPEN_OR_CLOSED_IN_PERIOD:
      g_string_append_printf (q->sql, " AND (coalesce(%1$sstatus, '') <> 'closed' OR "
                              "(%1$sclosed_at >= ? AND %1$sclosed_at <= ?))", alias);
      query_bind (q, cf->from);
      query_bind (q, cf->to);
      break;
    case CL_REPORT_SCOPE_ALL:
    default:
      break;
    }
}

/* The SQL for one column of a fact spec, on table alias "t". */
static void
append_column (Query                    *q,
               const ClReportFactSpec   *spec,
               const ClType             *type,
               const ClReportFactColumn *column,
               ClReportNeeds             needs,
               const ClReportParams     *params)
{
  if (column->need != 0 && !(needs & column->need))
    {
      g_string_append (q->sql, "NULL");
      return;
    }

  if (spec->kind == CL_REPORT_FACT_CLIENT && g_str_equal (column->name, "safe_channel"))
    g_string_append (q->sql,
                     "EXISTS (SELECT 1 FROM safe_contact s WHERE s.client_id = t.id "
                     "AND s.deleted = 0 AND s.safe = 'yes')");
  else if (spec->kind == CL_REPORT_FACT_CLIENT && g_str_equal (column->name, "age_from_dob"))
    {
      /* Whole years from the date of birth to the start of the client's first case: the
       * local day it was received (its referral_received_at, else its earliest inbound
       * referral), else the day it was opened; no age without one. Only the age leaves
       * SQLite. */
      static const char start[] =
        "CASE WHEN coalesce(k.referral_received_at, '') <> '' "
        "THEN cl_local_day(k.referral_received_at, ?) "
        "ELSE coalesce(cl_local_day((SELECT min(f.received_at) FROM referral f "
        "WHERE f.case_id = k.id AND f.deleted = 0 AND coalesce(f.received_at, '') <> ''), ?), "
        "nullif(k.opened_at, '')) END";

      g_string_append_printf (q->sql,
                              "CASE WHEN coalesce(t.date_of_birth, '') = '' THEN NULL ELSE "
                              "(SELECT CAST(substr(min(%1$s), 1, 4) AS INTEGER) - "
                              "CAST(substr(t.date_of_birth, 1, 4) AS INTEGER) - "
                              "(substr(min(%1$s), 6, 5) < substr(t.date_of_birth, 6, 5)) "
                              "FROM cases k WHERE k.client_id = t.id AND k.deleted = 0) END",
                              start);
      for (guint i = 0; i < 4; i++)
        query_bind (q, params->time_zone);
    }
  else if (spec->kind == CL_REPORT_FACT_CASE && g_str_equal (column->name, "status_on"))
    {
      /* The status before the first status change after the as-of day, from the case's
       * history (changes made here; pulled ones are not itemized). */
      g_autoptr(GTimeZone) tz = cl_report_time_zone_new (params->time_zone);
      g_autofree char *after = cl_time_to_string (
        cl_time_from_day (cl_report_params_get_as_of (params) + 1, tz));

      g_string_append (q->sql,
                       "coalesce((SELECT h.old_value FROM history h WHERE h.record_id = t.id "
                       "AND h.record_type = 'case' AND h.field = 'status' AND h.at >= ? "
                       "ORDER BY h.at, h.id LIMIT 1), t.status)");
      query_bind (q, after);
    }
  else if (spec->kind == CL_REPORT_FACT_CASE && g_str_equal (column->name, "restricted"))
    {
      /* Restricted through its client too: the case lists name neither by number. */
      g_autofree char *restricted = cl_access_sql_restricted (type, "t");

      g_string_append (q->sql, restricted);
    }
  else if (spec->kind == CL_REPORT_FACT_CASE && g_str_equal (column->name, "last_note_at"))
    g_string_append (q->sql,
                     "(SELECT max(n.at) FROM note n WHERE n.case_id = t.id AND n.deleted = 0)");
  else if (g_str_equal (column->name, "id"))
    g_string_append (q->sql, "t.id");
  else
    {
      /* A plain field: it must exist, and must not identify anyone. */
      const ClField *field = type != NULL ? cl_type_lookup_field (type, column->name) : NULL;

      g_assert (spec->type == NULL || field != NULL);
      g_assert (field == NULL || !(field->flags & CL_FIELD_PII));
      g_string_append_printf (q->sql, "t.%s", column->name);
    }
}

static void
append_select (Query                  *q,
               const ClReportFactSpec *spec,
               const ClType           *type,
               ClReportNeeds           needs,
               const ClReportParams   *params)
{
  g_string_append (q->sql, "SELECT ");
  for (guint i = 0; i < spec->n_columns; i++)
    {
      if (i > 0)
        g_string_append (q->sql, ", ");
      append_column (q, spec, type, &spec->columns[i], needs, params);
    }
  g_string_append_printf (q->sql, " FROM %s t", type != NULL ? type->table : "category");
}

static gboolean
run_query (sqlite3        *db,
           Query          *q,
           ClReportFacts  *facts,
           ClReportFactKind kind,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const ClReportFactSpec *spec = cl_report_fact_spec (kind);
  const char *values[32];
  int rc;
  guint n = 0;

  g_assert (spec->n_columns <= G_N_ELEMENTS (values));

  stmt = cl_sql_prepare (db, q->sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < q->binds->len; i++)
    cl_sql_bind_text (stmt, (int) i + 1, g_ptr_array_index (q->binds, i));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint i = 0; i < spec->n_columns; i++)
        {
          const char *v = (const char *) sqlite3_column_text (stmt, (int) i);

          values[i] = v != NULL && *v != '\0' ? v : NULL;
        }
      if (!cl_report_facts_add_row (facts, kind, values, error))
        return FALSE;
      if ((++n & 0x3fff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Loads one kind of fact; @where_kind says how rows are tied to the selected cases. */
typedef enum {
  TIE_NONE,     /* every row (commands, categories) */
  TIE_CASE,     /* the cases themselves */
  TIE_CLIENT,   /* clients and what hangs off them: clients of the selected cases */
  TIE_CHILD,    /* rows with a case_id */
} Tie;

static gboolean
load_kind (sqlite3              *db,
           ClReportFacts        *facts,
           ClReportFactKind      kind,
           ClReportNeeds         needs,
           const CaseFilter     *cf,
           const ClReportParams *params,
           const char           *name,
           gboolean              scoped,
           GCancellable         *cancellable,
           GError              **error)
{
  const ClReportFactSpec *spec = cl_report_fact_spec (kind);
  const ClType *type = spec->type != NULL ? cl_schema_lookup_type (spec->type) : NULL;
  Tie tie;
  Query q;
  gboolean ok;

  switch (kind)
    {
    case CL_REPORT_FACT_COMMAND:
    case CL_REPORT_FACT_CATEGORY:
      tie = TIE_NONE;
      break;
    case CL_REPORT_FACT_CASE:
      tie = TIE_CASE;
      break;
    case CL_REPORT_FACT_CLIENT:
    case CL_REPORT_FACT_RELEASE:
      tie = TIE_CLIENT;
      break;
    default:
      tie = TIE_CHILD;
      break;
    }

  query_init (&q);
  append_select (&q, spec, type, needs, params);
  if (type != NULL)
    g_string_append (q.sql, " WHERE t.deleted = 0");

  switch (tie)
    {
    case TIE_NONE:
      break;
    case TIE_CASE:
      g_string_append (q.sql, " AND ");
      append_case_where (&q, cf, "t.");
      break;
    case TIE_CLIENT:
      if (case_filter_selective (cf))
        {
          g_string_append_printf (q.sql, " AND t.%s IN (SELECT client_id FROM cases WHERE ",
                                  kind == CL_REPORT_FACT_CLIENT ? "id" : "client_id");
          append_case_where (&q, cf, "");
          g_string_append (q.sql, ")");
        }
      break;
    case TIE_CHILD:
      if (case_filter_selective (cf))
        {
          g_string_append (q.sql, " AND t.case_id IN (SELECT id FROM cases WHERE ");
          append_case_where (&q, cf, "");
          g_string_append (q.sql, ")");
        }
      break;
    default:
      g_assert_not_reached ();
    }

  if (kind == CL_REPORT_FACT_SERVICE && scoped)
    {
      ClDay from, to;

      if (cl_report_service_window (name, params, &from, &to))
        {
          if (from != CL_DAY_NONE)
            {
              g_autofree char *text = cl_day_to_string (from);
              g_string_append (q.sql, " AND t.date >= ?");
              query_bind (&q, text);
            }
          if (to != CL_DAY_NONE)
            {
              g_autofree char *text = cl_day_to_string (to);
              g_string_append (q.sql, " AND t.date <= ?");
              query_bind (&q, text);
            }
        }
    }

  ok = run_query (db, &q, facts, kind, cancellable, error);
  query_clear (&q);
  return ok;
}

/* The zone of the last cl_local_day() call, kept: GLib reads the zone's file again each
 * time it makes one anew. */
static GMutex local_day_lock;
static GTimeZone *local_day_zone;
static char *local_day_zone_name;

static GTimeZone *
local_day_zone_get (const char *name)
{
  GTimeZone *tz;

  g_mutex_lock (&local_day_lock);
  if (local_day_zone == NULL || g_strcmp0 (name, local_day_zone_name) != 0)
    {
      g_clear_pointer (&local_day_zone, g_time_zone_unref);
      g_free (local_day_zone_name);
      local_day_zone = cl_report_time_zone_new (name);
      local_day_zone_name = g_strdup (name);
    }
  tz = g_time_zone_ref (local_day_zone);
  g_mutex_unlock (&local_day_lock);
  return tz;
}

/* cl_local_day(instant, zone): the local day (YYYY-MM-DD) of a UTC instant in the zone,
 * as the engine computes it; NULL for none. */
static void
local_day_function (sqlite3_context  *context,
                    int               argc,
                    sqlite3_value   **argv)
{
  ClTime t = cl_time_parse ((const char *) sqlite3_value_text (argv[0]));
  g_autoptr(GTimeZone) tz = NULL;
  g_autofree char *day = NULL;

  if (t == CL_TIME_NONE)
    {
      sqlite3_result_null (context);
      return;
    }
  tz = local_day_zone_get ((const char *) sqlite3_value_text (argv[1]));
  day = cl_day_to_string (cl_day_from_time (t, tz));
  sqlite3_result_text (context, day, -1, SQLITE_TRANSIENT);
}

/* Defines cl_local_day() on the connection once: redefining it would expire every
 * statement the store keeps prepared. */
static gboolean
define_local_day (sqlite3  *db,
                  GError  **error)
{
  sqlite3_stmt *probe = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT cl_local_day(NULL, NULL)", -1, &probe, NULL) == SQLITE_OK)
    {
      sqlite3_finalize (probe);
      return TRUE;
    }
  rc = sqlite3_create_function (db, "cl_local_day", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                NULL, local_day_function, NULL, NULL);
  /* SQLITE_BUSY: another load defined it meanwhile and a statement is running. */
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    {
      cl_sql_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/* With the store's read lock held: the facts agree with each other, and hold only
 * committed records. */
static ClReportFacts *
load_facts_locked (ClStore              *store,
                   const char           *name,
                   const ClReportParams *params,
                   gboolean              scoped,
                   GCancellable         *cancellable,
                   GError              **error)
{
  /* Clients before cases before what hangs off them (cl_report_facts_add_row()). */
  static const ClReportFactKind order[] = {
    CL_REPORT_FACT_CLIENT, CL_REPORT_FACT_CASE, CL_REPORT_FACT_REFERRAL,
    CL_REPORT_FACT_VICTIMIZATION, CL_REPORT_FACT_CONTACT, CL_REPORT_FACT_SERVICE,
    CL_REPORT_FACT_IMMIGRATION, CL_REPORT_FACT_LEGAL_MATTER, CL_REPORT_FACT_COMPENSATION,
    CL_REPORT_FACT_TASK, CL_REPORT_FACT_SAFETY_PLAN, CL_REPORT_FACT_RELEASE,
    CL_REPORT_FACT_OUTBOUND_REFERRAL, CL_REPORT_FACT_CATEGORY,
  };
  g_autoptr(ClReportFacts) facts = NULL;
  CaseFilter cf = { NULL, };
  ClReportNeeds needs;
  sqlite3 *db;
  gboolean ok = TRUE;

  if (cl_report_lookup (name) == NULL)
    {
      g_set_error (error, CL_REPORT_ERROR, CL_REPORT_ERROR_UNKNOWN_REPORT,
                   _("Unknown report “%s”"), name);
      return NULL;
    }
  if (!cl_report_params_validate (params, error))
    return NULL;
  db = _cl_store_get_db (store);

  needs = cl_report_needs (name, params) | CL_REPORT_NEED_COMMANDS;
  if ((needs & CL_REPORT_NEED_AGE_FROM_DOB) && !define_local_day (db, error))
    return NULL;
  facts = cl_report_facts_new (needs);
  if (!load_kind (db, facts, CL_REPORT_FACT_COMMAND, needs, &cf, params, name, scoped,
                  cancellable, error))
    return NULL;

  cf.commands = cl_report_command_filter (params, facts);
  cf.track = params->track;
  cf.scope = scoped ? cl_report_case_scope (name, params) : CL_REPORT_SCOPE_ALL;
  cf.from = cl_day_to_string (params->from);
  cf.to = cl_day_to_string (params->to);
  {
    /* Local days are at most a day away from UTC ones; the engine keeps to the period. */
    g_autofree char *lo = cl_day_to_string (params->from - 1);
    g_autofree char *hi = cl_day_to_string (params->to + 2);

    cf.received_from = g_strconcat (lo, "T00:00:00Z", NULL);
    cf.received_to = g_strconcat (hi, "T00:00:00Z", NULL);
  }
  for (guint i = 0; ok && i < G_N_ELEMENTS (order); i++)
    if (needs & (1 << order[i]))
      ok = load_kind (db, facts, order[i], needs, &cf, params, name, scoped, cancellable,
                      error);
  cf.track = NULL;
  case_filter_clear (&cf);
  if (!ok)
    return NULL;
  cl_report_facts_seal (facts);
  return g_steal_pointer (&facts);
}

static ClReportFacts *
load_facts (ClStore              *store,
            const char           *name,
            const ClReportParams *params,
            gboolean              scoped,
            GCancellable         *cancellable,
            GError              **error)
{
  ClReportFacts *facts;

  if (!cl_store_lock (store, CL_STORE_READ, error))
    return NULL;
  facts = load_facts_locked (store, name, params, scoped, cancellable, error);
  cl_store_unlock (store, CL_STORE_UNLOCK_NONE, NULL);
  return facts;
}

/**
 * cl_report_vault_load_facts:
 *
 * Returns: (transfer full): the facts report @name needs with @params, from the vault
 */
ClReportFacts *
cl_report_vault_load_facts (ClStore              *store,
                            const char           *name,
                            const ClReportParams *params,
                            GError              **error)
{
  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  return load_facts (store, name, params, TRUE, NULL, error);
}

ClReportFacts *
_cl_report_vault_load_all_facts (ClStore              *store,
                                 const char           *name,
                                 const ClReportParams *params,
                                 GError              **error)
{
  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  return load_facts (store, name, params, FALSE, NULL, error);
}

/**
 * cl_report_run_vault:
 * @name: a report name (cl_report_list())
 *
 * Runs a report on the vault. Reading a report is not audited; exporting or printing it
 * is (cl-report-export.h).
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
ClReportResult *
cl_report_run_vault (ClStore              *store,
                     const char           *name,
                     const ClReportParams *params,
                     ClReportRunFlags      flags,
                     GError              **error)
{
  g_autoptr(ClReportFacts) facts = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  facts = load_facts (store, name, params, TRUE, NULL, error);
  if (facts == NULL)
    return NULL;
  return cl_report_run_full (name, facts, params, flags, error);
}

typedef struct {
  char             *name;
  ClReportParams   *params;
  ClReportRunFlags  flags;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->name);
  cl_report_params_free (data->params);
  g_free (data);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(ClReportFacts) facts = NULL;
  ClReportResult *result;
  GError *error = NULL;

  facts = load_facts (source_object, data->name, data->params, TRUE, cancellable, &error);
  if (facts == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  result = cl_report_run_full (data->name, facts, data->params, data->flags, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) cl_report_result_free);
}

/**
 * cl_report_run_vault_async:
 *
 * Runs a report in a worker thread; the desktop app's main thread never waits for it.
 */
void
cl_report_run_vault_async (ClStore              *store,
                           const char           *name,
                           const ClReportParams *params,
                           ClReportRunFlags      flags,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (CL_IS_STORE (store));
  g_return_if_fail (name != NULL);
  g_return_if_fail (params != NULL);

  data = g_new0 (RunData, 1);
  data->name = g_strdup (name);
  data->params = cl_report_params_copy (params);
  data->flags = flags;
  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_report_run_vault_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

ClReportResult *
cl_report_run_vault_finish (ClStore       *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cl_report_run_vault_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Drill-down ------------------------------------------------------------------------- */

/* Roles that see counts, never cases (DESIGN.md §6): a vault enrolled for one of them
 * holds no case content, and its reports do not lead to any. */
static gboolean
role_sees_cases (ClStore *store)
{
  g_autofree char *role = _cl_store_meta_get (store, "sync_role", NULL);

  return g_strcmp0 (role, "data") != 0 && g_strcmp0 (role, "admin") != 0;
}

/**
 * cl_report_vault_drill_down:
 * @result: a result of cl_report_run_vault() with %CL_REPORT_RUN_TRACE_CASES
 *
 * The cases behind one cell, for the person at the vault to go through. Refused for a
 * result that carries no case references (a funder report, a result for outside use, or
 * one run without tracing) and for a vault enrolled with a counts-only role. The look is
 * audited ("view" of record type "report", the record id naming the report and cell: no
 * client data) before any case id is handed out; opening a case from the list is audited
 * again, and a restricted one asks for a reason (cl_window_open_case()).
 *
 * Returns: (transfer full): the case ids, possibly empty, or %NULL with @error set
 */
char **
cl_report_vault_drill_down (ClStore              *store,
                            const ClReportResult *result,
                            guint                 table,
                            guint                 row,
                            guint                 col,
                            GError              **error)
{
  const char *const *ids;
  const ClReportTable *t;
  g_autofree char *record = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (result != NULL, NULL);

  if (cl_vault_is_locked (cl_store_get_vault (store)))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked"));
      return NULL;
    }
  if (!cl_report_result_has_cases (result) || table >= result->tables->len)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This report gives counts only: its numbers do not lead to cases."));
      return NULL;
    }
  if (!role_sees_cases (store))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           _("Your role sees counts only, not the cases behind them."));
      return NULL;
    }

  t = g_ptr_array_index (result->tables, table);
  if (row >= t->rows->len || col >= t->columns->len)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "no such cell");
      return NULL;
    }
  record = g_strdup_printf ("%s/%s/%s/%s", result->name, t->key,
                            ((ClReportRow *) g_ptr_array_index (t->rows, row))->key,
                            ((ClReportColumn *) g_ptr_array_index (t->columns, col))->key);
  if (!cl_store_audit (store, "view", "report", record, NULL, error))
    return NULL;

  ids = cl_report_result_get_cases (result, table, row, col);
  return ids != NULL ? g_strdupv ((char **) ids) : g_new0 (char *, 1);
}

/* SQLite 3.15 allows 999 bound parameters a statement. */
#define IDS_PER_QUERY 500

static int
compare_by_activity (gconstpointer a,
                     gconstpointer b)
{
  ClCaseSummary *x = *(ClCaseSummary **) a, *y = *(ClCaseSummary **) b;

  /* Most recent activity first, as in the case list; then by case id, stable. */
  int cmp = g_strcmp0 (cl_case_summary_get_last_activity (y),
                       cl_case_summary_get_last_activity (x));

  return cmp != 0 ? cmp : g_strcmp0 (cl_case_summary_get_id (x), cl_case_summary_get_id (y));
}

/**
 * cl_report_vault_load_cases:
 * @ids: case ids from cl_report_vault_drill_down()
 *
 * Returns: (transfer full): a #GListModel of #ClCaseSummary, most recent activity first;
 *   cases deleted since the report ran are left out
 */
GListModel *
cl_report_vault_load_cases (ClStore            *store,
                            const char *const  *ids,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GListStore *list;
  guint n = ids != NULL ? g_strv_length ((char **) ids) : 0;
  sqlite3 *db;
  gboolean ok = TRUE;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  if (cl_vault_is_locked (cl_store_get_vault (store)))
    {
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked"));
      return NULL;
    }

  /* A chunk at a time under the store's lock, so that edits are not held up for the
   * whole list; the vault may lock between chunks. */
  for (guint first = 0; ok && first < n; first += IDS_PER_QUERY)
    {
      guint count = MIN (IDS_PER_QUERY, n - first);
      g_autoptr(GString) sql = g_string_new ("SELECT " CL_CASE_SUMMARY_COLUMNS
                                             " FROM cases c LEFT JOIN client k ON k.id = "
                                             "c.client_id WHERE c.deleted = 0 AND c.id IN (");
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc;

      for (guint i = 0; i < count; i++)
        g_string_append (sql, i == 0 ? "?" : ", ?");
      g_string_append_c (sql, ')');

      _cl_store_read_lock (store);
      if ((db = _cl_store_get_db (store)) == NULL)
        {
          g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked"));
          ok = FALSE;
        }
      else if ((stmt = cl_sql_prepare (db, sql->str, error)) == NULL)
        ok = FALSE;
      else
        {
          for (guint i = 0; i < count; i++)
            cl_sql_bind_text (stmt, (int) i + 1, ids[first + i]);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            g_ptr_array_add (rows, _cl_case_summary_new_from_row (stmt));
          if (rc != SQLITE_DONE)
            {
              cl_sql_set_error (error, db, rc);
              ok = FALSE;
            }
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
      _cl_store_read_unlock (store);

      if (ok && g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
    }
  if (!ok)
    return NULL;

  g_ptr_array_sort (rows, compare_by_activity);
  list = g_list_store_new (CL_TYPE_CASE_SUMMARY);
  g_list_store_splice (list, 0, 0, rows->pdata, rows->len);
  return G_LIST_MODEL (list);
}

static void
load_cases_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *cases = cl_report_vault_load_cases (source_object, task_data, cancellable,
                                                  &error);

  if (cases == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cases, g_object_unref);
}

/**
 * cl_report_vault_load_cases_async:
 *
 * cl_report_vault_load_cases() in a worker thread: a total can stand for tens of
 * thousands of cases.
 */
void
cl_report_vault_load_cases_async (ClStore             *store,
                                  const char *const   *ids,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CL_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_report_vault_load_cases_async);
  g_task_set_task_data (task, g_strdupv ((char **) ids), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, load_cases_thread);
}

GListModel *
cl_report_vault_load_cases_finish (ClStore       *store,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cl_report_vault_load_cases_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Filters -------------------------------------------------------------------------- */

/**
 * cl_report_vault_list_advocates:
 *
 * The usernames of the advocates assigned to a live case of the vault, sorted: the choices
 * of a report's advocate filter. Staff names only. Safe to call from a worker thread.
 *
 * Returns: (transfer full): the usernames, possibly empty, or %NULL with @error set
 */
GStrv
cl_report_vault_list_advocates (ClStore  *store,
                                GError  **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  _cl_store_read_lock (store);
  db = _cl_store_get_db (store);
  if (db == NULL)
    {
      _cl_store_read_unlock (store);
      g_set_error (error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked"));
      return NULL;
    }
  stmt = cl_sql_prepare (db, "SELECT DISTINCT assigned_to FROM cases WHERE deleted = 0 "
                             "AND coalesce(assigned_to, '') <> '' ORDER BY 1", error);
  if (stmt == NULL)
    {
      _cl_store_read_unlock (store);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    cl_sql_set_error (error, db, rc);
  sqlite3_finalize (stmt);
  _cl_store_read_unlock (store);
  return rc == SQLITE_DONE ? g_strv_builder_end (names) : NULL;
}
