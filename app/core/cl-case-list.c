/* cl-case-list.c: a live, sorted, lazily loaded GListModel of cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view of 100,000 cases must open at once and scroll smoothly, so the model keeps only
 * the sorted rowids of its cases (8 bytes each) and loads rows a page at a time when a
 * list widget asks for them. When the store changes, the rowids are read again in a worker
 * and only the range that differs is announced. When the order walks an index, a new view
 * or sort reads only its first rows before it is shown, and the others in a worker.
 */

#define G_LOG_DOMAIN "cl-case-list"

#include "cl-case-list.h"
#include "cl-sql.h"
#include "cl-store-private.h"

#define PAGE_SIZE 64

/* What a new view or sort reads before it is shown, when its order walks an index: more
 * than a window shows. */
#define FIRST_ROWS (2 * PAGE_SIZE)

struct _ClCaseList
{
  GObject      parent_instance;

  ClStore     *store;
  ClCaseView   view;
  ClCaseSort   sort;
  gboolean     descending;

  GArray      *rowids;     /* gint64, in list order */
  GHashTable  *pages;      /* page number → GPtrArray of ClCaseSummary */
  guint        refresh_id;
  guint        generation;
  gboolean     refreshing;
  gboolean     dirty;
  gulong       changed_id;
};

static void cl_case_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseList, cl_case_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cl_case_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
order_by (ClCaseSort sort)
{
  switch (sort)
    {
    case CL_CASE_SORT_LAST_ACTIVITY: return "c.last_activity_at";
    case CL_CASE_SORT_NAME:
      return "coalesce(k.preferred_name, k.legal_name, k.pseudonym, c.case_number) COLLATE NOCASE";
    case CL_CASE_SORT_STATUS: return "c.status";
    case CL_CASE_SORT_TRACK: return "c.track";
    case CL_CASE_SORT_NEXT_DUE: return "c.next_due_on";
    case CL_CASE_SORT_REFERRAL: return "c.referral_received_at";
    default: g_assert_not_reached ();
    }
}

typedef struct {
  ClStore    *store;
  ClCaseView  view;
  ClCaseSort  sort;
  gboolean    descending;
} Query;

static void
query_free (Query *q)
{
  g_object_unref (q->store);
  g_free (q);
}

/* Descending, SQLite puts NULL last by itself, so the order of the last activity and of the
 * next due date is that of their indexes (migration 3): the first rows come without reading
 * the others. Any other order sorts the whole view first. */
static gboolean
walks_index (const Query *q)
{
  return q->descending &&
         (q->sort == CL_CASE_SORT_LAST_ACTIVITY || q->sort == CL_CASE_SORT_NEXT_DUE);
}

/* Reads the sorted rowids of a view, at most @limit of them (0 for all); safe in a worker
 * thread. */
static GArray *
query_rowids (const Query *q,
              guint        limit)
{
  GArray *rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *cond = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = q->descending ? "DESC" : "ASC";
  sqlite3 *db;

  _cl_store_read_lock (q->store);
  db = _cl_store_get_db (q->store);
  if (db == NULL)
    goto out;

  /* Empty values sort last. Descending, SQLite puts NULL last by itself, which lets it walk
   * an index (the default view: latest activity first); the client is joined only to sort
   * by name. */
  cond = _cl_store_view_where (q->view);
  sql = g_strdup_printf ("SELECT c.rowid FROM cases c %s WHERE %s ORDER BY %s%s%s %s, c.rowid %s "
                         "LIMIT %d",
                         q->sort == CL_CASE_SORT_NAME
                           ? "LEFT JOIN client k ON k.id = c.client_id" : "",
                         cond,
                         q->descending ? "" : order_by (q->sort),
                         q->descending ? "" : " IS NULL, ",
                         order_by (q->sort), dir, dir, limit == 0 ? -1 : (int) limit);
  stmt = cl_sql_prepare (db, sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Could not list cases: %s", error->message);
      goto out;
    }
  _cl_store_bind_view (q->store, stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (rowids, rowid);
    }

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cl_store_read_unlock (q->store);
  return rowids;
}

static Query *
query_new (ClCaseList *self)
{
  Query *q = g_new0 (Query, 1);

  q->store = g_object_ref (self->store);
  q->view = self->view;
  q->sort = self->sort;
  q->descending = self->descending;
  return q;
}

static GPtrArray *
load_page_locked (ClCaseList *self,
                  guint       page)
{
  sqlite3 *db = _cl_store_get_db (self->store);
  guint first = page * PAGE_SIZE;
  guint n = MIN (PAGE_SIZE, self->rowids->len - first);
  g_autoptr(GString) sql = g_string_new ("SELECT c.rowid, " CL_CASE_SUMMARY_COLUMNS
                                         " FROM cases c LEFT JOIN client k ON k.id = "
                                         "c.client_id WHERE c.rowid IN (");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) by_rowid = NULL;
  GPtrArray *rows = g_ptr_array_new_full (n, g_object_unref);

  if (db == NULL)
    return rows;

  for (guint i = 0; i < n; i++)
    g_string_append (sql, i == 0 ? "?" : ", ?");
  g_string_append (sql, ")");
  stmt = cl_sql_prepare (db, sql->str, NULL);
  if (stmt == NULL)
    return rows;
  for (guint i = 0; i < n; i++)
    sqlite3_bind_int64 (stmt, i + 1, g_array_index (self->rowids, gint64, first + i));

  by_rowid = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 *key = g_new (gint64, 1);

      *key = sqlite3_column_int64 (stmt, 0);
      /* The summary columns start after the rowid. */
      g_hash_table_insert (by_rowid, key, _cl_case_summary_new_from_row_at (stmt, 1));
    }

  for (guint i = 0; i < n; i++)
    {
      gint64 rowid = g_array_index (self->rowids, gint64, first + i);
      ClCaseSummary *row = g_hash_table_lookup (by_rowid, &rowid);

      /* A row deleted since the rowids were read: show an empty placeholder until the
       * pending refresh removes it. */
      g_ptr_array_add (rows, row != NULL ? g_object_ref (row)
                                         : g_object_new (CL_TYPE_CASE_SUMMARY, NULL));
    }
  return rows;
}

static GPtrArray *
load_page (ClCaseList *self,
           guint       page)
{
  GPtrArray *rows;

  _cl_store_read_lock (self->store);
  rows = load_page_locked (self, page);
  _cl_store_read_unlock (self->store);
  return rows;
}

static GType
cl_case_list_get_item_type (GListModel *model)
{
  return CL_TYPE_CASE_SUMMARY;
}

static guint
cl_case_list_get_n_items (GListModel *model)
{
  return CL_CASE_LIST (model)->rowids->len;
}

static gpointer
cl_case_list_get_item (GListModel *model,
                       guint       position)
{
  ClCaseList *self = CL_CASE_LIST (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *rows;

  if (position >= self->rowids->len)
    return NULL;
  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (rows == NULL)
    {
      rows = load_page (self, page);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
    }
  if (position % PAGE_SIZE >= rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (rows, position % PAGE_SIZE));
}

static void
cl_case_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cl_case_list_get_item_type;
  iface->get_n_items = cl_case_list_get_n_items;
  iface->get_item = cl_case_list_get_item;
}

/* Announces only the range that differs (an edit changes one row, or moves one), so a
 * list widget keeps its scroll position and does not reload rows it shows already. */
static void
replace_rowids (ClCaseList *self,
                GArray     *rowids)
{
  g_autoptr(GArray) old = self->rowids;
  guint old_n = old->len, new_n = rowids->len;
  guint prefix = 0, suffix = 0;
  const gint64 *a = (const gint64 *) old->data, *b = (const gint64 *) rowids->data;

  while (prefix < old_n && prefix < new_n && a[prefix] == b[prefix])
    prefix++;
  while (suffix < old_n - prefix && suffix < new_n - prefix &&
         a[old_n - 1 - suffix] == b[new_n - 1 - suffix])
    suffix++;

  self->rowids = rowids;
  /* Rows are snapshots: drop the cached pages so changed rows are read again. */
  g_hash_table_remove_all (self->pages);
  if (prefix < old_n || prefix < new_n)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old_n - prefix - suffix,
                                new_n - prefix - suffix);
  else if (new_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, new_n, new_n);
  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
refresh_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_pointer (task, query_rowids (task_data, 0), (GDestroyNotify) g_array_unref);
}

static gboolean refresh_cb (gpointer data);

static void
reload (ClCaseList *self)
{
  Query q = { self->store, self->view, self->sort, self->descending };
  GArray *rowids;
  gboolean rest;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->generation++;   /* a refresh still running answers for the old view or sort */
  self->dirty = FALSE;

  if (!walks_index (&q))
    {
      replace_rowids (self, query_rowids (&q, 0));
      return;
    }

  /* Reading every open case takes a few hundred milliseconds at 100,000 cases: show the
   * first rows now, and let a refresh in a worker append the others once the main loop is
   * idle, after the list is drawn (its rows then load without waiting for the worker), and
   * not at all if the view changes first. */
  rowids = query_rowids (&q, FIRST_ROWS);
  rest = rowids->len == FIRST_ROWS;
  replace_rowids (self, rowids);
  if (rest && self->refresh_id == 0)
    {
      self->dirty = TRUE;
      self->refresh_id = g_idle_add (refresh_cb, self);
    }
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ClCaseList *self = CL_CASE_LIST (source);
  g_autoptr(GArray) rowids = g_task_propagate_pointer (G_TASK (result), NULL);
  guint generation = GPOINTER_TO_UINT (user_data);

  self->refreshing = FALSE;
  if (rowids == NULL || self->store == NULL)
    return;
  if (generation == self->generation)
    replace_rowids (self, g_steal_pointer (&rowids));
  if (self->dirty && self->refresh_id == 0)
    self->refresh_id = g_timeout_add (50, refresh_cb, self);
}

/* Reads the rowids again in a worker: at 100,000 cases that is a few hundred milliseconds
 * the window must not freeze for after every edit. */
static gboolean
refresh_cb (gpointer data)
{
  ClCaseList *self = data;
  g_autoptr(GTask) task = NULL;

  self->refresh_id = 0;
  if (self->refreshing)
    return G_SOURCE_REMOVE;   /* refresh_done_cb starts the next one */
  self->dirty = FALSE;
  self->refreshing = TRUE;
  task = g_task_new (self, NULL, refresh_done_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, refresh_cb);
  g_task_set_task_data (task, query_new (self), (GDestroyNotify) query_free);
  g_task_run_in_thread (task, refresh_thread);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (ClCaseList *self,
                  const char *type,
                  const char *id)
{
  /* A child record that changes what a list shows (a contact's time, a task's due date)
   * also reports its case; audit events and the like change no list. Conflicts and
   * rejections on any record change "needs attention". */
  if (g_strcmp0 (type, "case") != 0 && g_strcmp0 (type, "client") != 0 &&
      self->view != CL_CASE_VIEW_NEEDS_ATTENTION)
    return;
  self->dirty = TRUE;
  if (self->refresh_id == 0 && !self->refreshing)
    self->refresh_id = g_timeout_add (50, refresh_cb, self);
}

static void
cl_case_list_dispose (GObject *object)
{
  ClCaseList *self = (ClCaseList *) object;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cl_case_list_parent_class)->dispose (object);
}

static void
cl_case_list_finalize (GObject *object)
{
  ClCaseList *self = (ClCaseList *) object;

  g_clear_pointer (&self->rowids, g_array_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);

  G_OBJECT_CLASS (cl_case_list_parent_class)->finalize (object);
}

static void
cl_case_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClCaseList *self = CL_CASE_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rowids->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_case_list_class_init (ClCaseListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_case_list_dispose;
  object_class->finalize = cl_case_list_finalize;
  object_class->get_property = cl_case_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_case_list_init (ClCaseList *self)
{
  self->rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->sort = CL_CASE_SORT_LAST_ACTIVITY;
  self->descending = TRUE;
}

/**
 * cl_case_list_new:
 *
 * Returns: (transfer full): a list model of #ClCaseSummary that follows @store
 */
ClCaseList *
cl_case_list_new (ClStore    *store,
                  ClCaseView  view)
{
  ClCaseList *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_CASE_LIST, NULL);
  self->store = g_object_ref (store);
  self->view = view;
  self->changed_id = g_signal_connect_object (store, "changed",
                                              G_CALLBACK (store_changed_cb), self,
                                              G_CONNECT_SWAPPED);
  reload (self);
  return self;
}

ClCaseView
cl_case_list_get_view (ClCaseList *self)
{
  g_return_val_if_fail (CL_IS_CASE_LIST (self), CL_CASE_VIEW_ALL);
  return self->view;
}

void
cl_case_list_set_view (ClCaseList *self,
                       ClCaseView  view)
{
  g_return_if_fail (CL_IS_CASE_LIST (self));
  if (self->view == view)
    return;
  self->view = view;
  reload (self);
}

void
cl_case_list_set_sort (ClCaseList *self,
                       ClCaseSort  sort,
                       gboolean    descending)
{
  g_return_if_fail (CL_IS_CASE_LIST (self));
  if (self->sort == sort && self->descending == descending)
    return;
  self->sort = sort;
  self->descending = descending;
  reload (self);
}

/**
 * cl_case_list_clear:
 *
 * Drops every row (on lock): the model becomes empty and stops following the store.
 */
void
cl_case_list_clear (ClCaseList *self)
{
  g_return_if_fail (CL_IS_CASE_LIST (self));

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->generation++;
  self->dirty = FALSE;
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  replace_rowids (self, g_array_new (FALSE, FALSE, sizeof (gint64)));
}
