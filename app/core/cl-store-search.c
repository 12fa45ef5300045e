/* cl-store-search.c: finding cases by name, pseudonym, number or phone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of the store (cl-store.c): every function here runs under the store's lock.
 */

#define G_LOG_DOMAIN "cl-store"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-sql.h"
#include "cl-store-private.h"

/* Search --------------------------------------------------------------------------- */

/* Turns what was typed into an FTS4 query of prefix terms that all must match. Only
 * letters and digits survive, so nothing typed can change the query's structure.
 * *n_words counts the terms. */
static char *
match_expression (const char *text,
                  guint      *n_words)
{
  GString *out = g_string_new (NULL);
  GString *term = g_string_new (NULL);
  const char *p;

  for (p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = *p ? g_utf8_get_char (p) : 0;

      if (c != 0 && g_unichar_isalnum (c))
        g_string_append_unichar (term, c);
      else if (term->len > 0)
        {
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "%s*", term->str);
          g_string_truncate (term, 0);
          (*n_words)++;
        }
      if (c == 0)
        break;
    }
  g_string_free (term, TRUE);
  return g_string_free (out, FALSE);
}

#define PHONE_MIN_DIGITS 7

static gboolean
is_phone_separator (char c)
{
  return c != '\0' && strchr (" -().+/", c) != NULL;
}

/* @text with each number written in groups ("347-555-5706", "(347) 555 5706") of at
 * least PHONE_MIN_DIGITS digits written as one ("3475555706"), the form the search
 * documents hold of a phone number beside the number as stored. */
static char *
join_phone_digits (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *start = p, *end = p, *q;
      guint n_digits = 0;

      if (!g_ascii_isdigit (*p))
        {
          g_string_append_c (out, *p++);
          continue;
        }
      /* The run: digits, and separators that lie between digits. */
      for (q = p; g_ascii_isdigit (*q) || is_phone_separator (*q); q++)
        if (g_ascii_isdigit (*q))
          {
            n_digits++;
            end = q + 1;
          }
      if (n_digits >= PHONE_MIN_DIGITS)
        {
          for (q = start; q < end; q++)
            if (g_ascii_isdigit (*q))
              g_string_append_c (out, *q);
        }
      else
        g_string_append_len (out, start, end - start);
      p = end;
    }
  return g_string_free (out, FALSE);
}

static GListModel *
store_search_unlocked (ClStore     *self,
                       const char  *text,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(GListStore) results = g_list_store_new (CL_TYPE_CASE_SUMMARY);
  sqlite3_stmt *stmt;
  g_autofree char *match = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *phone_match = NULL;
  guint n_words = 0, n_phone_words = 0;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if ((db = _cl_store_open_db (self, error)) == NULL)
    return NULL;
  match = match_expression (text, &n_words);
  joined = join_phone_digits (text);
  phone_match = match_expression (joined, &n_phone_words);
  if (*match == '\0')
    return G_LIST_MODEL (g_steal_pointer (&results));
  if (n_words > CL_STORE_SEARCH_MAX_WORDS)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Search for at most %d word: a name or a number.",
                                "Search for at most %d words: a name or a number.",
                                CL_STORE_SEARCH_MAX_WORDS),
                   CL_STORE_SEARCH_MAX_WORDS);
      return NULL;
    }

  stmt = cl_sql_cache_prepare (_cl_store_stmts (self),
                               "SELECT " CL_CASE_SUMMARY_COLUMNS " FROM cases c "
                               "LEFT JOIN client k ON k.id = c.client_id "
                               "WHERE c.rowid IN (SELECT docid FROM case_search "
                               "                  WHERE case_search MATCH ?1 "
                               "                  UNION SELECT docid FROM case_search "
                               "                  WHERE case_search MATCH ?2) "
                               "AND c.deleted = 0 "
                               "ORDER BY c.status = 'closed', c.last_activity_at DESC LIMIT ?3",
                               error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, match);
  cl_sql_bind_text (stmt, 2, phone_match);
  sqlite3_bind_int (stmt, 3, limit == 0 ? -1 : (int) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(ClCaseSummary) row = _cl_case_summary_new_from_row (stmt);
      g_list_store_append (results, row);
    }
  if (rc != SQLITE_DONE)
    {
      cl_sql_set_error (error, db, rc);
      g_clear_object (&results);
    }
  cl_sql_cache_release (_cl_store_stmts (self), stmt);
  return G_LIST_MODEL (g_steal_pointer (&results));
}

/* The public reads: each holds the vault's mutex for its duration. */

/**
 * cl_store_search:
 * @text: what was typed: names, pseudonyms, case, complaint, docket or phone numbers
 *
 * Returns: (transfer full): a #GListModel of #ClCaseSummary, open cases first
 */
GListModel *
cl_store_search (ClStore     *self,
                 const char  *text,
                 guint        limit,
                 GError     **error)
{
  GListModel *results;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  _cl_store_read_lock (self);
  results = store_search_unlocked (self, text, limit, error);
  _cl_store_read_unlock (self);
  return results;
}

typedef struct {
  char  *text;
  guint  limit;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_free (data->text);
  g_free (data);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *data = task_data;
  GError *error = NULL;
  GListModel *model;

  if (g_task_return_error_if_cancelled (task))
    return;
  model = cl_store_search (source_object, data->text, data->limit, &error);
  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
cl_store_search_async (ClStore             *self,
                       const char          *text,
                       guint                limit,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *data;

  g_return_if_fail (CL_IS_STORE (self));
  g_return_if_fail (text != NULL);

  data = g_new0 (SearchData, 1);
  data->text = g_strdup (text);
  data->limit = limit;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_store_search_async);
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  g_task_run_in_thread (task, search_thread);
}

GListModel *
cl_store_search_finish (ClStore       *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
