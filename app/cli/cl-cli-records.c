/* cl-cli-records.c: caseloadctl schema, add, set, get, delete, list, search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text output is "field: value" lines aligned on the values; --json prints what
 * cl_export_record_to_json() makes, pretty. Looking at clients and cases (get, list,
 * search) is recorded as a "view" audit event, as the desktop app does. A restricted
 * record (cl-access.h: a restricted client or case, a case of a restricted client, or a
 * record hanging off one; DOMAIN.md rule 4) is shown only with --reason, which goes into
 * the audit log with its id: get refuses without one, list shows such rows without their
 * identifying fields (search shows case summaries, which never name a restricted client).
 */

#define G_LOG_DOMAIN "caseloadctl"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-summary.h"
#include "cl-cli.h"
#include "cl-export.h"

static gboolean
is_audited_type (const ClType *type)
{
  return strcmp (type->name, "client") == 0 || strcmp (type->name, "case") == 0;
}

/* Prints "key: value" with the value column at @width; continuation lines of a
 * multi-line value are indented to the same column. */
static void
print_pair (const char *key,
            const char *value,
            guint       width)
{
  g_auto(GStrv) lines = g_strsplit (value != NULL ? value : "", "\n", -1);
  int pad = (int) width - (int) strlen (key) - 1;

  g_print ("%s:%*s %s\n", key, MAX (pad, 0), "", lines[0] != NULL ? lines[0] : "");
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    g_print ("%*s %s\n", (int) width, "", lines[i]);
}

/* What a masked field shows instead. */
#define MASKED N_("(restricted: give --reason to see it)")

/* @masked: leave out identifying fields (a restricted record looked at without a reason) */
static void
print_record (ClRecord *record,
              gboolean  masked)
{
  const ClType *type = cl_record_get_record_type (record);
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              cl_record_get_version (record));
  guint width = strlen ("created_at") + 1;

  for (guint i = 0; i < type->n_fields; i++)
    if (cl_record_get (record, type->fields[i].name) != NULL)
      width = MAX (width, strlen (type->fields[i].name) + 1);

  print_pair ("id", cl_record_get_id (record), width);
  for (guint i = 0; i < type->n_fields; i++)
    {
      const char *value = cl_record_get (record, type->fields[i].name);

      if (value != NULL)
        print_pair (type->fields[i].name,
                    masked && cl_access_identifying (&type->fields[i]) ? _(MASKED) : value,
                    width);
    }
  print_pair ("version", version, width);
  print_pair ("created_at", cl_record_get_created_at (record), width);
  print_pair ("updated_at", cl_record_get_updated_at (record), width);
}

/* cl_export_record_to_json(); masked, identifying fields are null and "masked" is true. */
static JsonNode *
record_to_json (ClRecord *record,
                gboolean  masked)
{
  const ClType *type = cl_record_get_record_type (record);
  JsonNode *node = cl_export_record_to_json (record);
  JsonObject *object = json_node_get_object (node);

  if (!masked)
    return node;
  for (guint i = 0; i < type->n_fields; i++)
    if (cl_access_identifying (&type->fields[i]))
      json_object_set_null_member (object, type->fields[i].name);
  json_object_set_boolean_member (object, "masked", TRUE);
  return node;
}

/**
 * cl_cli_record_masked:
 * @masked: (out): whether the record's identifying fields are left out without a reason,
 *   as `list` and `get` do: a restricted record (cl_access_record_restricted()), or one this
 *   vault does not hold (deleted, or gone from its scope), to be safe
 */
gboolean
cl_cli_record_masked (ClCli       *cli,
                      const char  *type_name,
                      const char  *id,
                      gboolean    *masked,
                      GError     **error)
{
  GError *local_error = NULL;

  *masked = FALSE;
  if (cl_schema_lookup_type (type_name) == NULL)
    return TRUE;
  if (cl_access_record_restricted (cli->store, type_name, id, masked, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, CL_STORE_ERROR, CL_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_error_free (local_error);
  *masked = TRUE;
  return TRUE;
}

/* Whether @record is shown whole: it is not restricted, or @reason says why it is looked
 * at (then audited with its id, as the desktop does when it opens one). */
static gboolean
show_whole (ClCli       *cli,
            ClRecord    *record,
            const char  *reason,
            gboolean    *whole,
            GError     **error)
{
  gboolean restricted = FALSE;

  *whole = TRUE;
  if (!cl_access_record_restricted (cli->store, cl_record_get_type_name (record),
                                    cl_record_get_id (record), &restricted, error))
    return FALSE;
  if (!restricted)
    return TRUE;
  *whole = reason != NULL;
  return reason == NULL ||
         cl_store_audit (cli->store, "view", cl_record_get_type_name (record),
                         cl_record_get_id (record), reason, error);
}

/* A --reason of only blanks is no reason. */
static const char *
given_reason (char *reason)
{
  return reason != NULL && *g_strstrip (reason) != '\0' ? reason : NULL;
}

/* schema ----------------------------------------------------------------------------- */

static char *
enum_codes (const ClEnum *e,
            gboolean      with_labels)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < e->n_values; i++)
    {
      if (i > 0)
        g_string_append (out, with_labels ? "\n" : ", ");
      if (with_labels)
        g_string_append_printf (out, "%-24s %s", e->values[i].code, _(e->values[i].label));
      else
        g_string_append (out, e->values[i].code);
    }
  return g_string_free (out, FALSE);
}

static char *
field_flags (const ClField *field)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (field->flags & CL_FIELD_REQUIRED)
    g_ptr_array_add (parts, (gpointer) _("required"));
  if (field->flags & CL_FIELD_IMMUTABLE)
    g_ptr_array_add (parts, (gpointer) _("set once"));
  if (field->flags & CL_FIELD_DERIVED)
    g_ptr_array_add (parts, (gpointer) _("computed"));
  if (field->flags & CL_FIELD_PII)
    g_ptr_array_add (parts, (gpointer) _("identifying"));
  if (field->flags & CL_FIELD_RESTRICTED)
    g_ptr_array_add (parts, (gpointer) _("restricted"));
  if (field->flags & CL_FIELD_SEARCH)
    g_ptr_array_add (parts, (gpointer) _("searchable"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

static char *
field_kind (const ClField *field)
{
  switch (field->kind)
    {
    case CL_FIELD_DATE:
      return g_strdup ("date (YYYY-MM-DD)");
    case CL_FIELD_DATETIME:
      return g_strdup ("datetime (YYYY-MM-DDTHH:MM:SSZ)");
    case CL_FIELD_BOOL:
      return g_strdup ("boolean (1/0, yes/no)");
    case CL_FIELD_ENUM:
      return g_strdup_printf ("enum %s", field->target);
    case CL_FIELD_ENUM_SET:
      return g_strdup_printf ("enum-set %s (codes joined by ;)", field->target);
    case CL_FIELD_REF:
      return g_strdup_printf ("reference to %s", field->target);
    case CL_FIELD_COMMAND:
      return g_strdup ("command (e.g. 14 or PSA 2)");
    case CL_FIELD_TEXT:
    case CL_FIELD_INT:
    default:
      return g_strdup (cl_field_kind_to_string (field->kind));
    }
}

static void
print_type (const ClType *type)
{
  g_autoptr(GPtrArray) enums = g_ptr_array_new ();

  g_print ("%s: %s\n", type->name, _(type->label));
  if (type->flags & CL_TYPE_APPEND_ONLY)
    g_print ("  %s\n", _("Append-only: never changed or deleted once recorded."));
  if (type->flags & CL_TYPE_REFERENCE)
    g_print ("  %s\n", _("Reference data."));
  if (type->parent != NULL)
    g_print ("  %s %s\n", _("Belongs to its parent through"), type->parent);
  g_print ("\n%s\n", _("Fields (CSV columns, JSON keys):"));
  for (guint i = 0; i < type->n_fields; i++)
    {
      const ClField *field = &type->fields[i];
      g_autofree char *kind = field_kind (field);
      g_autofree char *flags = field_flags (field);

      g_print ("  %-24s %-40s %s%s%s%s\n", field->name, kind, _(field->label),
               *flags ? " (" : "", flags, *flags ? ")" : "");
      if ((field->kind == CL_FIELD_ENUM || field->kind == CL_FIELD_ENUM_SET) &&
          !g_ptr_array_find (enums, cl_schema_lookup_enum (field->target), NULL))
        g_ptr_array_add (enums, (gpointer) cl_schema_lookup_enum (field->target));
    }

  for (guint i = 0; i < enums->len; i++)
    {
      const ClEnum *e = g_ptr_array_index (enums, i);
      g_autofree char *codes = enum_codes (e, TRUE);
      g_auto(GStrv) lines = g_strsplit (codes, "\n", -1);

      g_print ("\n%s %s:\n", _("Codes of"), e->name);
      for (guint j = 0; lines[j] != NULL; j++)
        g_print ("  %s\n", lines[j]);
    }
}

int
cl_cli_cmd_schema (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  GError *error = NULL;
  const ClType *types;
  const ClEnum *enums;
  guint n_types, n_enums;
  int rc;

  context = cl_cli_option_context ("schema", "[TYPE]",
                                   _("Show the record types, or the fields of one type with "
                                     "the codes its enumerations take."), NULL);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc > 2)
    return cl_cli_usage_error (context, _("Unexpected argument “%s”"), argv[2]);

  if (argc == 2)
    {
      const ClType *type = cl_cli_lookup_type (argv[1], &error);

      if (type == NULL)
        return cl_cli_fail (error);
      print_type (type);
      return CL_EXIT_OK;
    }

  types = cl_schema_types (&n_types);
  g_print ("%s\n", _("Record types (caseloadctl schema TYPE shows the fields):"));
  for (guint i = 0; i < n_types; i++)
    g_print ("  %-20s %s%s\n", types[i].name, _(types[i].label),
             (types[i].flags & CL_TYPE_APPEND_ONLY) ? _(" (append-only)") : "");

  enums = cl_schema_enums (&n_enums);
  g_print ("\n%s\n", _("Enumerations and their codes:"));
  for (guint i = 0; i < n_enums; i++)
    {
      g_autofree char *codes = enum_codes (&enums[i], FALSE);
      g_print ("  %-24s %s\n", enums[i].name, codes);
    }
  return CL_EXIT_OK;
}

/* add, set, delete ------------------------------------------------------------------- */

#define JSON_FIELDS_HELP \
  N_("Take field values from FILE, a JSON object such as {\"legal_name\": \"…\"}, or from " \
     "standard input with -")

int
cl_cli_cmd_add (ClCli  *cli,
                int     argc,
                char  **argv)
{
  g_autofree char *from_json = NULL;
  const GOptionEntry entries[] = {
    { "from-json", 0, 0, G_OPTION_ARG_FILENAME, &from_json, JSON_FIELDS_HELP, N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClChanges) changes = cl_changes_new ();
  g_autofree char *id = NULL;
  const ClType *type;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("add", "TYPE [field=value…]",
                                   _("Add a record and print its id. Field names and codes: "
                                     "caseloadctl schema TYPE. Client data belongs in "
                                     "--from-json, not in arguments, which other users of "
                                     "the computer see and the shell history keeps."),
                                   entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc < 2)
    return cl_cli_usage_error (context, _("add needs a record type"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL ||
      (from_json != NULL && !cl_cli_read_json_fields (type, changes, from_json, &error)) ||
      !cl_cli_check_assignments (type, changes, argv + 2, &error) ||
      !cl_cli_open (cli, &error) ||
      (id = cl_store_create (cli->store, type->name, changes, &error)) == NULL)
    return cl_cli_fail (error);

  g_print ("%s\n", id);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_set (ClCli  *cli,
                int     argc,
                char  **argv)
{
  g_autofree char *from_json = NULL;
  const GOptionEntry entries[] = {
    { "from-json", 0, 0, G_OPTION_ARG_FILENAME, &from_json, JSON_FIELDS_HELP, N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClChanges) changes = cl_changes_new ();
  const ClType *type;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("set", "TYPE ID [field=value…]",
                                   _("Change fields of a record; an empty value (or null "
                                     "in --from-json) clears a field."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc < 3 || (argc < 4 && from_json == NULL))
    return cl_cli_usage_error (context, _("set needs a record type, an id and at least one "
                                          "field=value"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL ||
      (from_json != NULL && !cl_cli_read_json_fields (type, changes, from_json, &error)) ||
      !cl_cli_check_assignments (type, changes, argv + 3, &error) ||
      !cl_cli_open (cli, &error) ||
      !cl_store_update (cli->store, type->name, argv[2], changes, &error))
    return cl_cli_fail (error);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_delete (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  gboolean cascade = FALSE;
  const GOptionEntry entries[] = {
    { "cascade", 0, 0, G_OPTION_ARG_NONE, &cascade,
      N_("Deleting a client: delete their live cases with them (without it, a client with a "
         "live case is refused)"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  const ClType *type;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("delete", "TYPE ID",
                                   _("Delete a record. Contacts, services, notes and audit "
                                     "events are never deleted."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 3)
    return cl_cli_usage_error (context, _("delete needs a record type and an id"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL)
    return cl_cli_fail (error);
  if (cascade && strcmp (type->name, "client") != 0)
    return cl_cli_usage_error (context, _("--cascade applies to clients only"));
  if (!cl_cli_open (cli, &error) ||
      !(strcmp (type->name, "client") == 0
        ? cl_store_delete_client (cli->store, argv[2], cascade, &error)
        : cl_store_delete (cli->store, type->name, argv[2], &error)))
    return cl_cli_fail (error);
  return CL_EXIT_OK;
}

/* get, list -------------------------------------------------------------------------- */

int
cl_cli_cmd_get (ClCli  *cli,
                int     argc,
                char  **argv)
{
  gboolean json = FALSE;
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      N_("Why the record is opened (recorded in the audit log; needed for restricted "
         "records)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClRecord) record = NULL;
  const ClType *type;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("get", "TYPE ID", _("Show a record."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 3)
    return cl_cli_usage_error (context, _("get needs a record type and an id"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL ||
      !cl_cli_open (cli, &error) ||
      (record = cl_store_get (cli->store, type->name, argv[2], &error)) == NULL)
    return cl_cli_fail (error);

  {
    const char *why = given_reason (reason);
    gboolean restricted = FALSE;

    if (!cl_access_record_restricted (cli->store, type->name, cl_record_get_id (record),
                                      &restricted, &error))
      return cl_cli_fail (error);
    if (restricted && why == NULL)
      {
        g_set_error (&error, CL_CLI_ERROR, CL_CLI_ERROR_INVALID,
                     _("This %s is restricted: say why you open it with --reason TEXT "
                       "(it goes into the audit log)"), type->name);
        return cl_cli_fail (error);
      }
    if ((restricted || is_audited_type (type)) &&
        !cl_store_audit (cli->store, "view", type->name, cl_record_get_id (record), why,
                         &error))
      return cl_cli_fail (error);
  }

  if (json)
    {
      g_autoptr(JsonNode) node = record_to_json (record, FALSE);
      cl_cli_print_json (node);
    }
  else
    print_record (record, FALSE);
  return CL_EXIT_OK;
}

int
cl_cli_cmd_list (ClCli  *cli,
                 int     argc,
                 char  **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) where_args = NULL;
  g_autofree char *reason = NULL;
  int limit = 0, offset = 0;
  const GOptionEntry entries[] = {
    { "where", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &where_args,
      N_("Only records whose field equals the value (repeatable)"), N_("FIELD=VALUE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most N records (0: all)"), N_("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Skip the first N records"), N_("N") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      N_("Why the records are looked at (recorded in the audit log; without it restricted "
         "clients and cases show no identifying fields)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ClChanges) where = cl_changes_new ();
  g_autoptr(GPtrArray) records = NULL;
  const ClType *type;
  const char *why;
  GError *error = NULL;
  int rc;

  context = cl_cli_option_context ("list", "TYPE",
                                   _("List records of a type, oldest first."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc != 2)
    return cl_cli_usage_error (context, _("list needs a record type"));
  if (limit < 0 || offset < 0)
    return cl_cli_usage_error (context, _("--limit and --offset cannot be negative"));

  if ((type = cl_cli_lookup_type (argv[1], &error)) == NULL ||
      !cl_cli_check_assignments (type, where, where_args, &error) ||
      !cl_cli_open (cli, &error) ||
      (records = cl_store_list (cli->store, type->name, where, (guint) limit, (guint) offset,
                                &error)) == NULL)
    return cl_cli_fail (error);

  why = given_reason (reason);
  if (is_audited_type (type) && records->len > 0 &&
      !cl_store_audit (cli->store, "view", type->name, NULL, why, &error))
    return cl_cli_fail (error);

  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
    g_autoptr(JsonArray) array = json_array_sized_new (records->len);

    for (guint i = 0; i < records->len; i++)
      {
        ClRecord *record = g_ptr_array_index (records, i);
        gboolean whole;

        if (!show_whole (cli, record, why, &whole, &error))
          return cl_cli_fail (error);
        if (json)
          json_array_add_element (array, record_to_json (record, !whole));
        else
          {
            if (i > 0)
              g_print ("\n");
            print_record (record, !whole);
          }
      }
    if (json)
      {
        json_node_set_array (node, array);
        cl_cli_print_json (node);
      }
  }
  return CL_EXIT_OK;
}

/* search ----------------------------------------------------------------------------- */

int
cl_cli_cmd_search (ClCli  *cli,
                   int     argc,
                   char  **argv)
{
  gboolean json = FALSE;
  int limit = 50;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most N cases (default 50, 0: all)"),
      N_("N") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;
  guint n, w_number = 0, w_name = 0;
  int rc;

  context = cl_cli_option_context ("search", "TEXT…",
                                   _("Find cases by client name, pseudonym, phone, case, "
                                     "complaint, docket or claim number. Case and accents do "
                                     "not matter; words match by prefix. Prints case id, case "
                                     "number, client name and status."), entries);
  if (!cl_cli_parse (context, &argc, &argv, &rc))
    return rc;
  if (argc < 2)
    return cl_cli_usage_error (context, _("search needs something to look for"));
  if (limit < 0)
    return cl_cli_usage_error (context, _("--limit cannot be negative"));

  text = g_strjoinv (" ", argv + 1);
  if (!cl_cli_open (cli, &error) ||
      (results = cl_store_search (cli->store, text, (guint) limit, &error)) == NULL)
    return cl_cli_fail (error);

  n = g_list_model_get_n_items (results);
  if (n > 0 && !cl_store_audit (cli->store, "view", "case", NULL, "search", &error))
    return cl_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ClCaseSummary) row = g_list_model_get_item (results, i);

          json_builder_begin_object (builder);
#define MEMBER(name, value) \
          json_builder_set_member_name (builder, name); \
          if ((value) != NULL) json_builder_add_string_value (builder, value); \
          else json_builder_add_null_value (builder);
          MEMBER ("id", cl_case_summary_get_id (row));
          MEMBER ("case_number", cl_case_summary_get_case_number (row));
          MEMBER ("display_name", cl_case_summary_get_display_name (row));
          MEMBER ("status", cl_case_summary_get_status (row));
          MEMBER ("track", cl_case_summary_get_track (row));
          MEMBER ("command", cl_case_summary_get_command (row));
          MEMBER ("assigned_to", cl_case_summary_get_assigned_to (row));
          MEMBER ("client_id", cl_case_summary_get_client_id (row));
          MEMBER ("last_activity_at", cl_case_summary_get_last_activity (row));
#undef MEMBER
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      cl_cli_print_json (root);
      return CL_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClCaseSummary) row = g_list_model_get_item (results, i);
      const char *number = cl_case_summary_get_case_number (row);
      const char *name = cl_case_summary_get_display_name (row);

      w_number = MAX (w_number, g_utf8_strlen (number != NULL ? number : "", -1));
      w_name = MAX (w_name, g_utf8_strlen (name != NULL ? name : "", -1));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClCaseSummary) row = g_list_model_get_item (results, i);
      const char *number = cl_case_summary_get_case_number (row);
      const char *name = cl_case_summary_get_display_name (row);

      number = number != NULL ? number : "";
      name = name != NULL ? name : "";
      g_print ("%s  %s%*s  %s%*s  %s\n", cl_case_summary_get_id (row),
               number, (int) (w_number - g_utf8_strlen (number, -1)), "",
               name, (int) (w_name - g_utf8_strlen (name, -1)), "",
               cl_case_summary_get_status (row));
    }
  return CL_EXIT_OK;
}
