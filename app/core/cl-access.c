/* cl-access.c: restricted cases in the vault, the one rule (DOMAIN.md rule 4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server decides who holds a restricted case (docs/PROTOCOL.md, "Restricted cases and
 * clients"); the vault holds only what it was sent. What the vault decides is how it shows
 * what it holds, and that is decided here, in C for records in memory and in SQL
 * (CL_ACCESS_SQL_RESTRICTED) for every query: a case is restricted when it or its client
 * is, and a record hanging off a restricted case or client is as restricted as they are.
 * Its identifying fields (PII and restricted tier) show only with a reason, which goes
 * into the audit log: a list or a search names it by pseudonym or case number; opening it
 * (the case page, caseloadctl get) asks for the reason first; caseloadctl list and export
 * leave the identifying fields out unless given one.
 */

#define G_LOG_DOMAIN "cl-access"

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-sql.h"
#include "cl-store-private.h"

/**
 * cl_access_restricted:
 * @case_record: (nullable): a case
 * @client: (nullable): its client
 *
 * Returns: whether the case, or a record of its client, is restricted: the case or the
 *   client is
 */
gboolean
cl_access_restricted (ClRecord *case_record,
                      ClRecord *client)
{
  return (case_record != NULL && cl_record_get_bool (case_record, "restricted")) ||
         (client != NULL && cl_record_get_bool (client, "restricted"));
}

/**
 * cl_access_identifying:
 *
 * Returns: whether @field is one that a restricted record shows only with a reason: it
 *   identifies the client (PII) or is of the restricted tier (complaint numbers, dockets…)
 */
gboolean
cl_access_identifying (const ClField *field)
{
  g_return_val_if_fail (field != NULL, FALSE);
  return (field->flags & (CL_FIELD_PII | CL_FIELD_RESTRICTED)) != 0;
}

/**
 * cl_access_sql_restricted:
 * @type: a record type
 * @alias: the alias of @type's table in the query
 *
 * Returns: (transfer full): an SQL expression, 1 when the row @alias is a restricted
 *   client or case, or hangs off one; else 0. Deleted rows count like live ones.
 */
char *
cl_access_sql_restricted (const ClType *type,
                          const char   *alias)
{
  g_return_val_if_fail (type != NULL && alias != NULL, NULL);

  if (g_str_equal (type->name, "client"))
    return g_strdup_printf (CL_ACCESS_SQL_RESTRICTED ("NULL", "%s.restricted"), alias);
  if (g_str_equal (type->name, "case"))
    return g_strdup_printf (CL_ACCESS_SQL_RESTRICTED ("%1$s.restricted",
                                                      "(SELECT k.restricted FROM client k "
                                                      "WHERE k.id = %1$s.client_id)"),
                            alias);
  if (g_strcmp0 (type->parent, "case_id") == 0)
    return g_strdup_printf ("coalesce((SELECT "
                            CL_ACCESS_SQL_RESTRICTED ("c.restricted", "k.restricted")
                            " FROM cases c LEFT JOIN client k ON k.id = c.client_id "
                            "WHERE c.id = %s.case_id), 0)", alias);
  if (g_strcmp0 (type->parent, "client_id") == 0)
    return g_strdup_printf (CL_ACCESS_SQL_RESTRICTED ("NULL",
                                                      "(SELECT k.restricted FROM client k "
                                                      "WHERE k.id = %s.client_id)"),
                            alias);
  return g_strdup ("0");
}

/**
 * cl_access_record_restricted:
 * @type_name: a record type
 * @id: a record of it, deleted or not
 * @restricted: (out): whether looking at it needs a reason (cl_access_sql_restricted())
 *
 * Returns: %FALSE with @error set when the vault has no such record or cannot tell
 */
gboolean
cl_access_record_restricted (ClStore     *store,
                             const char  *type_name,
                             const char  *id,
                             gboolean    *restricted,
                             GError     **error)
{
  const ClType *type;
  g_autofree char *expr = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *value = NULL;
  GError *local_error = NULL;
  sqlite3 *db;

  g_return_val_if_fail (CL_IS_STORE (store), FALSE);
  g_return_val_if_fail (type_name != NULL && id != NULL && restricted != NULL, FALSE);

  if ((type = cl_schema_lookup_type (type_name)) == NULL)
    {
      g_set_error (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_UNKNOWN_TYPE,
                   _("Unknown record type “%s” (see caseloadctl schema)"), type_name);
      return FALSE;
    }
  expr = cl_access_sql_restricted (type, "t");
  sql = g_strdup_printf ("SELECT %s FROM %s t WHERE t.id = ?", expr, type->table);

  _cl_store_read_lock (store);
  if ((db = _cl_store_get_db (store)) == NULL)
    g_set_error (&local_error, CL_VAULT_ERROR, CL_VAULT_ERROR_LOCKED, _("The vault is locked."));
  else
    value = cl_sql_query_text (db, &local_error, sql, id, CL_SQL_END);
  _cl_store_read_unlock (store);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (value == NULL)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND,
                   _("There is no %s with id %s"), type->name, id);
      return FALSE;
    }
  *restricted = g_strcmp0 (value, "0") != 0;
  return TRUE;
}
