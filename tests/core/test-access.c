/* test-access.c: restricted cases, one rule on every route of the vault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Random vaults (clients restricted or not, one to three cases each, restricted or not,
 * some deleted, a note on each case and a safe-contact answer for each client) are read
 * through every route that shows records, and what each shows is compared with a model of
 * DOMAIN.md rule 4 as docs/SECURITY.md spells it out for the vault, written here: a case
 * is restricted when it or its client is, a record is as restricted as its case or client,
 * and a restricted record's identifying values (names, phone, note text, code phrase) show
 * only with a reason. The routes: the case list, search, every cell's drill-down and the
 * report's list of cases, a case's history, the refusal to delete a client with live
 * cases, opening (what asks for a reason), export with and without a reason, and
 * caseloadctl list, get and search.
 */

#define G_LOG_DOMAIN "test-access"

#include <string.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "cl-access.h"
#include "cl-case-list.h"
#include "cl-export.h"
#include "cl-report-vault.h"
#include "cl-test-util.h"

#ifndef CASELOADCTL
#error "CASELOADCTL must be the path of the built caseloadctl"
#endif

#define ROUNDS 3
#define RESTRICTED_LABEL "(restricted case)"

/* The model ---------------------------------------------------------------------------- */

typedef struct {
  char     *id;
  char     *legal;
  char     *preferred;   /* (nullable) */
  char     *pseudonym;   /* (nullable) */
  char     *phone;
  char     *safe_id;     /* its safe-contact answer */
  char     *code_phrase;
  gboolean  restricted;
} Client;

typedef struct {
  char     *id;
  Client   *client;
  char     *number;
  char     *note_id;
  char     *note_text;
  gboolean  restricted;
  gboolean  deleted;
} Case;

typedef struct {
  ClTestVault  vault;
  GRand       *rand;
  GPtrArray   *clients;  /* Client */
  GPtrArray   *cases;    /* Case */
} World;

/* DOMAIN.md rule 4: a case is restricted when it or its client is. */
static gboolean
case_restricted (Case *c)
{
  return c->restricted || c->client->restricted;
}

/* What a list shows for a case: the client's name (preferred first), or for a restricted
 * case the pseudonym, else the case number: never a name. */
static const char *
shown_name (Case *c)
{
  if (case_restricted (c))
    return c->client->pseudonym != NULL ? c->client->pseudonym : c->number;
  return c->client->preferred != NULL ? c->client->preferred : c->client->legal;
}

static Case *
find_case (World      *w,
           const char *id)
{
  for (guint i = 0; i < w->cases->len; i++)
    if (g_strcmp0 (((Case *) g_ptr_array_index (w->cases, i))->id, id) == 0)
      return g_ptr_array_index (w->cases, i);
  g_error ("no case %s in the model", id);
}

static Client *
find_client (World      *w,
             const char *id)
{
  for (guint i = 0; i < w->clients->len; i++)
    if (g_strcmp0 (((Client *) g_ptr_array_index (w->clients, i))->id, id) == 0)
      return g_ptr_array_index (w->clients, i);
  g_error ("no client %s in the model", id);
}

/* A word no other word of the vault starts with: @prefix and three letters for @n. */
static char *
word (const char *prefix,
      guint       n)
{
  return g_strdup_printf ("%s%c%c%c", prefix, 'a' + n / 676 % 26, 'a' + n / 26 % 26,
                          'a' + n % 26);
}

static gboolean
chance (World *w,
        int    one_in)
{
  return g_rand_int_range (w->rand, 0, one_in) == 0;
}

static void
build (World *w)
{
  guint n_clients = g_rand_int_range (w->rand, 4, 9);
  guint n = 0;

  for (guint k = 0; k < n_clients; k++)
    {
      Client *client = g_new0 (Client, 1);
      guint n_cases = g_rand_int_range (w->rand, 1, 4);

      client->legal = word ("Legal", k);
      client->preferred = chance (w, 2) ? word ("Pref", k) : NULL;
      client->pseudonym = chance (w, 2) ? word ("Pseu", k) : NULL;
      client->phone = g_strdup_printf ("555-01%02u", k);
      client->code_phrase = word ("Phrase", k);
      client->restricted = chance (w, 3);
      client->id = cl_test_create (w->vault.store, "client", "legal_name", client->legal,
                                   "preferred_name", client->preferred,
                                   "pseudonym", client->pseudonym, "phone", client->phone,
                                   "restricted", client->restricted ? "1" : "0", NULL);
      client->safe_id = cl_test_create (w->vault.store, "safe_contact", "client_id", client->id,
                                        "channel", "sms", "safe", "yes",
                                        "code_phrase", client->code_phrase, NULL);
      g_ptr_array_add (w->clients, client);

      for (guint i = 0; i < n_cases; i++, n++)
        {
          Case *c = g_new0 (Case, 1);
          g_autoptr(ClRecord) record = NULL;
          g_autoptr(GError) error = NULL;

          c->client = client;
          c->note_text = word ("Notetext", n);
          c->restricted = chance (w, 3);
          c->id = cl_test_create (w->vault.store, "case", "client_id", client->id,
                                  "command", "14", "track", "dv", "status", "active",
                                  "opened_at", "2026-06-01", "assigned_to", "advocate1",
                                  "referral_received_at", "2026-06-01T10:00:00Z",
                                  "restricted", c->restricted ? "1" : "0", NULL);
          record = cl_store_get (w->vault.store, "case", c->id, &error);
          g_assert_no_error (error);
          c->number = g_strdup (cl_record_get (record, "case_number"));
          g_assert_nonnull (c->number);
          c->note_id = cl_test_create (w->vault.store, "note", "case_id", c->id,
                                       "at", "2026-06-02T10:00:00Z", "text", c->note_text,
                                       NULL);
          g_ptr_array_add (w->cases, c);
        }
    }

  /* Deleted cases: about one in five, but never every case of the vault. */
  for (guint i = 1; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);
      g_autoptr(GError) error = NULL;

      if (!chance (w, 5))
        continue;
      g_assert_true (cl_store_delete (w->vault.store, "case", c->id, &error));
      g_assert_no_error (error);
      c->deleted = TRUE;
    }
}

static void
free_world (World *w)
{
  for (guint i = 0; i < w->clients->len; i++)
    {
      Client *k = g_ptr_array_index (w->clients, i);

      g_free (k->id);
      g_free (k->legal);
      g_free (k->preferred);
      g_free (k->pseudonym);
      g_free (k->phone);
      g_free (k->safe_id);
      g_free (k->code_phrase);
      g_free (k);
    }
  for (guint i = 0; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);

      g_free (c->id);
      g_free (c->number);
      g_free (c->note_id);
      g_free (c->note_text);
      g_free (c);
    }
  g_ptr_array_unref (w->clients);
  g_ptr_array_unref (w->cases);
}

/* Whether @text holds any name or identifying value of @client or its cases' notes. */
static const char *
names_in (World      *w,
          Client     *client,
          const char *text)
{
  const char *values[] = { client->legal, client->preferred, client->phone,
                           client->code_phrase };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] != NULL && strstr (text, values[i]) != NULL)
      return values[i];
  for (guint i = 0; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);

      if (c->client == client && strstr (text, c->note_text) != NULL)
        return c->note_text;
    }
  return NULL;
}

/* Routes ------------------------------------------------------------------------------- */

/* A row of the case list, search or a drill-down. */
static void
check_summary (World         *w,
               ClCaseSummary *row,
               const char    *route)
{
  Case *c = find_case (w, cl_case_summary_get_id (row));

  if (c->deleted)
    g_error ("%s shows the deleted case %s", route, c->number);
  if (cl_case_summary_get_restricted (row) != case_restricted (c) ||
      g_strcmp0 (cl_case_summary_get_display_name (row), shown_name (c)) != 0)
    g_error ("%s shows case %s (%s, client %s) as %s%s, the rule says %s%s", route,
             c->number, c->restricted ? "restricted" : "open",
             c->client->restricted ? "restricted" : "open",
             cl_case_summary_get_display_name (row),
             cl_case_summary_get_restricted (row) ? " (restricted)" : "",
             shown_name (c), case_restricted (c) ? " (restricted)" : "");
}

static guint
live_cases (World *w)
{
  guint n = 0;

  for (guint i = 0; i < w->cases->len; i++)
    n += !((Case *) g_ptr_array_index (w->cases, i))->deleted;
  return n;
}

static void
check_case_list (World *w)
{
  g_autoptr(ClCaseList) list = cl_case_list_new (w->vault.store, CL_CASE_VIEW_ALL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint n = live_cases (w);

  /* The list loads in a worker. */
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) != n &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ClCaseSummary) row = g_list_model_get_item (G_LIST_MODEL (list), i);

      check_summary (w, row, "the case list");
    }
}

/* Searching a client's name, phone or pseudonym finds their live cases and no other. */
static void
check_search (World *w)
{
  for (guint k = 0; k < w->clients->len; k++)
    {
      Client *client = g_ptr_array_index (w->clients, k);
      const char *terms[] = { client->legal, client->preferred, client->pseudonym };

      for (guint t = 0; t < G_N_ELEMENTS (terms); t++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GListModel) found = NULL;
          guint expected = 0;

          if (terms[t] == NULL)
            continue;
          found = cl_store_search (w->vault.store, terms[t], 0, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < w->cases->len; i++)
            {
              Case *c = g_ptr_array_index (w->cases, i);
              expected += c->client == client && !c->deleted;
            }
          g_assert_cmpuint (g_list_model_get_n_items (found), ==, expected);
          for (guint i = 0; i < expected; i++)
            {
              g_autoptr(ClCaseSummary) row = g_list_model_get_item (found, i);

              g_assert_cmpstr (cl_case_summary_get_client_id (row), ==, client->id);
              check_summary (w, row, "search");
            }
        }
    }
}

/* Every cell of the caseload report leads to cases shown as the case list shows them; its
 * list of stale cases names a restricted one by no number. */
static void
check_reports (World *w)
{
  g_autoptr(ClReportParams) params = cl_report_params_new ();
  g_autoptr(ClReportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint shown = 0, listed = 0;

  params->from = cl_day_parse ("2026-01-01");
  params->to = cl_day_parse ("2026-12-31");
  params->today = cl_day_parse ("2026-12-01");
  result = cl_report_run_vault (w->vault.store, "caseload", params, CL_REPORT_RUN_TRACE_CASES,
                                &error);
  g_assert_no_error (error);

  for (guint t = 0; t < result->tables->len; t++)
    {
      ClReportTable *table = g_ptr_array_index (result->tables, t);

      for (guint row = 0; row < table->rows->len; row++)
        {
          ClReportRow *r = g_ptr_array_index (table->rows, row);

          if (g_strcmp0 (table->key, "stale_cases") == 0)
            {
              const char *const *ids = cl_report_result_get_cases (result, t, row, 0);
              Case *c;

              g_assert_nonnull (ids);
              g_assert_cmpuint (g_strv_length ((char **) ids), ==, 1);
              c = find_case (w, ids[0]);
              if (g_strcmp0 (r->label, case_restricted (c) ? RESTRICTED_LABEL : c->number) != 0)
                g_error ("the stale cases list case %s (%s, client %s) as %s", c->number,
                         c->restricted ? "restricted" : "open",
                         c->client->restricted ? "restricted" : "open", r->label);
              listed++;
            }
          for (guint col = 0; col < table->columns->len; col++)
            {
              g_auto(GStrv) ids = cl_report_vault_drill_down (w->vault.store, result, t, row,
                                                              col, &error);
              g_autoptr(GListModel) cases = NULL;

              g_assert_no_error (error);
              cases = cl_report_vault_load_cases (w->vault.store, (const char *const *) ids,
                                                  NULL, &error);
              g_assert_no_error (error);
              for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
                {
                  g_autoptr(ClCaseSummary) summary = g_list_model_get_item (cases, i);

                  check_summary (w, summary, "a report's drill-down");
                  shown++;
                }
            }
        }
    }
  g_assert_cmpuint (shown, >=, live_cases (w));
  g_assert_cmpuint (listed, ==, live_cases (w));
}

/* A case's history holds the case, its note, its client and the client's answer: never
 * another case of the client, which may be restricted. */
static void
check_history (World *w)
{
  for (guint i = 0; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;
      gboolean own = FALSE;

      if (c->deleted)
        continue;
      entries = cl_store_history (w->vault.store, c->id, &error);
      g_assert_no_error (error);
      for (guint e = 0; e < entries->len; e++)
        {
          ClHistoryEntry *entry = g_ptr_array_index (entries, e);
          const char *allowed[] = { c->id, c->note_id, c->client->id, c->client->safe_id,
                                    NULL };

          if (!g_strv_contains (allowed, entry->record_id))
            g_error ("the history of case %s shows %s %s", c->number, entry->record_type,
                     entry->record_id);
          own |= g_strcmp0 (entry->record_id, c->id) == 0;
        }
      g_assert_true (own);
    }
}

/* Deleting a client with live cases is refused naming them: a restricted one by no
 * number. */
static void
check_client_delete (World *w)
{
  for (guint k = 0; k < w->clients->len; k++)
    {
      Client *client = g_ptr_array_index (w->clients, k);
      g_autoptr(GError) error = NULL;
      gboolean any_live = FALSE, any_restricted = FALSE;

      for (guint i = 0; i < w->cases->len; i++)
        {
          Case *c = g_ptr_array_index (w->cases, i);

          if (c->client == client && !c->deleted)
            {
              any_live = TRUE;
              any_restricted |= case_restricted (c);
            }
        }
      if (!any_live)
        continue;
      g_assert_false (cl_store_delete (w->vault.store, "client", client->id, &error));
      g_assert_nonnull (error);
      for (guint i = 0; i < w->cases->len; i++)
        {
          Case *c = g_ptr_array_index (w->cases, i);

          if (c->client == client && !c->deleted &&
              (strstr (error->message, c->number) != NULL) == case_restricted (c))
            g_error ("refusing to delete a client names %s case %s: %s",
                     case_restricted (c) ? "restricted" : "open", c->number, error->message);
        }
      g_assert_true ((strstr (error->message, RESTRICTED_LABEL) != NULL) == any_restricted);
    }
}

static void
expect_restricted (World      *w,
                   const char *type,
                   const char *id,
                   gboolean    expected)
{
  g_autoptr(GError) error = NULL;
  gboolean restricted = !expected;

  g_assert_true (cl_access_record_restricted (w->vault.store, type, id, &restricted, &error));
  g_assert_no_error (error);
  if (restricted != expected)
    g_error ("opening %s %s asks %s reason, the rule says %s", type, id,
             restricted ? "for a" : "for no", expected ? "it must" : "it must not");
}

/* What asks for a reason before it opens: the case page (and its history), a draft typed on
 * a case, caseloadctl get. */
static void
check_opening (World *w)
{
  for (guint i = 0; i < w->clients->len; i++)
    {
      Client *k = g_ptr_array_index (w->clients, i);

      expect_restricted (w, "client", k->id, k->restricted);
      expect_restricted (w, "safe_contact", k->safe_id, k->restricted);
    }
  for (guint i = 0; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);

      expect_restricted (w, "case", c->id, case_restricted (c));
      expect_restricted (w, "note", c->note_id, case_restricted (c));
    }
}

/* The identifying value a record of @type shows, and of which client and case. */
static const char *
identifying (World       *w,
             const char  *type,
             JsonObject  *o,
             const char **field,
             Client     **client,
             Case       **kase)
{
  const char *id = json_object_get_string_member (o, "id");

  *kase = NULL;
  if (strcmp (type, "client") == 0)
    {
      *client = find_client (w, id);
      *field = "legal_name";
      return (*client)->legal;
    }
  if (strcmp (type, "safe_contact") == 0)
    {
      *client = find_client (w, json_object_get_string_member (o, "client_id"));
      *field = "code_phrase";
      return (*client)->code_phrase;
    }
  *kase = find_case (w, strcmp (type, "case") == 0 ? id
                                                   : json_object_get_string_member (o, "case_id"));
  *client = (*kase)->client;
  *field = strcmp (type, "case") == 0 ? "case_number" : "text";
  return strcmp (type, "case") == 0 ? (*kase)->number : (*kase)->note_text;
}

/* A JSON array of records of @type, as export and caseloadctl list give them: every live
 * one, identifying values left out (null) exactly for the restricted ones unless
 * @with_reason. A case's number is no identifying value: lists name a restricted case by
 * it. */
static void
check_records_json (World      *w,
                    const char *route,
                    const char *type,
                    const char *json,
                    gboolean    with_reason)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  guint expected = 0;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *field, *shown;
      Client *client;
      Case *kase;
      const char *value = identifying (w, type, o, &field, &client, &kase);
      gboolean restricted = kase != NULL ? case_restricted (kase) : client->restricted;
      gboolean masked = restricted && !with_reason && strcmp (type, "case") != 0;

      /* A deleted case leaves every list; its notes stay, as restricted as it was. */
      g_assert_true (strcmp (type, "case") != 0 || !kase->deleted);
      shown = json_object_get_null_member (o, field) ? NULL
                                                     : json_object_get_string_member (o, field);
      if (g_strcmp0 (shown, masked ? NULL : value) != 0)
        g_error ("%s shows %s of %s %s (%s) as %s", route, field, type,
                 json_object_get_string_member (o, "id"),
                 restricted ? "restricted" : "open", shown != NULL ? shown : "nothing");
      if (masked && strcmp (type, "client") == 0 &&
          (!json_object_get_null_member (o, "phone") ||
           !json_object_get_null_member (o, "preferred_name")))
        g_error ("%s shows the phone or preferred name of restricted client %s", route,
                 client->id);
    }
  if (strcmp (type, "case") == 0)
    expected = live_cases (w);
  else if (strcmp (type, "note") == 0)
    expected = w->cases->len;
  else
    expected = w->clients->len;
  g_assert_cmpuint (json_array_get_length (array), ==, expected);
}

static const char *types[] = { "client", "safe_contact", "case", "note" };

static void
check_export (World *w)
{
  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    for (int with_reason = 0; with_reason < 2; with_reason++)
      {
        g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
        g_autoptr(GError) error = NULL;
        g_autofree char *json = NULL;
        g_autofree char *route = g_strdup_printf ("an export %s a reason",
                                                  with_reason ? "with" : "without");

        g_assert_true (cl_export (w->vault.store, types[t], CL_EXPORT_FORMAT_JSON, FALSE, out,
                                  with_reason ? "court order" : NULL, NULL, NULL, &error));
        g_assert_no_error (error);
        g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
        g_assert_true (g_output_stream_close (out, NULL, &error));
        json = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
        check_records_json (w, route, types[t], json, with_reason);
      }
}

/* caseloadctl ---------------------------------------------------------------------------- */

/* Runs caseloadctl on the vault with @args, its standard output in @out. Returns its exit
 * status. */
static int
cli (World              *w,
     char              **out,
     const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pass = g_build_filename (w->vault.dir, "..", "pass", NULL);
  g_autofree char *err = NULL;
  char *text = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) CASELOADCTL);
  g_ptr_array_add (argv, (gpointer) "--vault");
  g_ptr_array_add (argv, w->vault.dir);
  g_ptr_array_add (argv, (gpointer) "--passphrase-file");
  g_ptr_array_add (argv, pass);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &text, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_free (*out);
  *out = text;
  return WEXITSTATUS (status);
}

#define CLI(w, out, ...) cli ((w), (out), (const char * const[]) { __VA_ARGS__, NULL })

/* get needs a reason exactly for a restricted record, and shows it whole with one. */
static void
check_cli_get (World      *w,
               const char *type,
               const char *id,
               gboolean    restricted,
               const char *value)
{
  g_autofree char *out = NULL;
  int status = CLI (w, &out, "get", type, id);

  if ((status != 0) != restricted)
    g_error ("caseloadctl get %s %s (%s) exited %d: %s", type, id,
             restricted ? "restricted" : "open", status, out);
  if (!restricted && strstr (out, value) == NULL)
    g_error ("caseloadctl get %s %s does not show %s: %s", type, id, value, out);
  g_assert_cmpint (CLI (w, &out, "get", type, id, "--reason", "court order"), ==, 0);
  g_assert_nonnull (strstr (out, value));
}

static void
check_cli (World *w)
{
  g_autofree char *out = NULL;

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autofree char *route = g_strdup_printf ("caseloadctl list %s", types[t]);

      g_assert_cmpint (CLI (w, &out, "list", types[t], "--json"), ==, 0);
      check_records_json (w, route, types[t], out, FALSE);
      g_assert_cmpint (CLI (w, &out, "list", types[t], "--json", "--reason", "court order"),
                       ==, 0);
      check_records_json (w, route, types[t], out, TRUE);
    }

  for (guint i = 0; i < w->clients->len; i++)
    {
      Client *k = g_ptr_array_index (w->clients, i);

      check_cli_get (w, "client", k->id, k->restricted, k->legal);
      check_cli_get (w, "safe_contact", k->safe_id, k->restricted, k->code_phrase);

      /* Search names a restricted case by pseudonym or number only, a line a case. */
      g_assert_cmpint (CLI (w, &out, "search", k->legal), ==, 0);
      for (guint c = 0; c < w->cases->len; c++)
        {
          Case *kase = g_ptr_array_index (w->cases, c);
          const char *line = strstr (out, kase->id);
          g_autofree char *text = NULL;
          const char *name;

          if (kase->client != k || kase->deleted)
            continue;
          g_assert_nonnull (line);
          text = g_strndup (line, strcspn (line, "\n"));
          if (strstr (text, shown_name (kase)) == NULL ||
              (case_restricted (kase) && (name = names_in (w, k, text)) != NULL))
            g_error ("caseloadctl search shows %s case %s as %s",
                     case_restricted (kase) ? "restricted" : "open", kase->number, text);
        }
    }
  for (guint i = 0; i < w->cases->len; i++)
    {
      Case *c = g_ptr_array_index (w->cases, i);

      if (!c->deleted)
        check_cli_get (w, "case", c->id, case_restricted (c), c->number);
      check_cli_get (w, "note", c->note_id, case_restricted (c), c->note_text);
    }
}

/* The test ------------------------------------------------------------------------------ */

static void
test_one_rule (void)
{
  guint32 seed = (guint32) g_test_rand_int ();

  g_test_message ("seed %u (rerun with the same --seed to repeat)", seed);
  for (guint round = 0; round < ROUNDS; round++)
    {
      World w = { 0 };
      g_autofree char *pass = NULL;
      g_autoptr(GError) error = NULL;
      guint restricted = 0;

      cl_test_vault_setup (&w.vault, NULL);
      w.rand = g_rand_new_with_seed (seed + round);
      w.clients = g_ptr_array_new ();
      w.cases = g_ptr_array_new ();
      build (&w);
      for (guint i = 0; i < w.cases->len; i++)
        restricted += case_restricted (g_ptr_array_index (w.cases, i));
      g_test_message ("round %u: %u clients, %u cases (%u restricted)", round,
                      w.clients->len, w.cases->len, restricted);

      check_case_list (&w);
      check_search (&w);
      check_reports (&w);
      check_history (&w);
      check_client_delete (&w);
      check_opening (&w);
      check_export (&w);

      /* caseloadctl opens the vault itself. */
      g_clear_object (&w.vault.store);
      cl_vault_lock (w.vault.vault);
      g_clear_object (&w.vault.vault);
      pass = g_build_filename (w.vault.dir, "..", "pass", NULL);
      g_assert_true (g_file_set_contents (pass, CL_TEST_PASSPHRASE "\n", -1, &error));
      g_assert_no_error (error);
      check_cli (&w);

      free_world (&w);
      g_rand_free (w.rand);
      cl_test_vault_teardown (&w.vault, NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/core/access/one-rule", test_one_rule);
  return g_test_run ();
}
