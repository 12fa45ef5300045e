/* cl-case-list.c: a live, sorted, lazily loaded GListModel of cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A view of 100,000 cases must open at once and scroll smoothly, so the model keeps only
 * the sorted rowids of its cases (8 bytes each) and loads rows a page at a time when a
 * list widget asks for them. When the store changes, the rowids are read again on the next
 * idle and the change is announced as one items-changed.
 */

#define G_LOG_DOMAIN "cl-case-list"

#include "cl-case-list.h"
#include "cl-sql.h"
#include "cl-store-private.h"

#define PAGE_SIZE 64

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

static GArray *
load_rowids (ClCaseList *self)
{
  GArray *rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3 *db = _cl_store_get_db (self->store);
  g_autofree char *cond = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  const char *dir = self->descending ? "DESC" : "ASC";

  if (db == NULL)
    return rowids;

  /* Empty values sort last. Descending, SQLite puts NULL last by itself, which lets it walk
   * an index (the default view: latest activity first); the client is joined only to sort
   * by name. */
  cond = _cl_store_view_where (self->view);
  sql = g_strdup_printf ("SELECT c.rowid FROM cases c %s WHERE %s ORDER BY %s%s%s %s, c.rowid %s",
                         self->sort == CL_CASE_SORT_NAME
                           ? "LEFT JOIN client k ON k.id = c.client_id" : "",
                         cond,
                         self->descending ? "" : order_by (self->sort),
                         self->descending ? "" : " IS NULL, ",
                         order_by (self->sort), dir, dir);
  stmt = cl_sql_prepare (db, sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Could not list cases: %s", error->message);
      return rowids;
    }
  _cl_store_bind_view (self->store, stmt);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (rowids, rowid);
    }
  return rowids;
}

static GPtrArray *
load_page (ClCaseList *self,
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

static void
replace_rowids (ClCaseList *self,
                GArray     *rowids)
{
  guint old_n = self->rowids->len;

  g_array_unref (self->rowids);
  self->rowids = rowids;
  g_hash_table_remove_all (self->pages);
  if (old_n != 0 || rowids->len != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, rowids->len);
  if (old_n != rowids->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
reload (ClCaseList *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  replace_rowids (self, load_rowids (self));
}

static gboolean
refresh_cb (gpointer data)
{
  ClCaseList *self = data;

  self->refresh_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (ClCaseList *self,
                  const char *type,
                  const char *id)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_cb, self, NULL);
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
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  replace_rowids (self, g_array_new (FALSE, FALSE, sizeof (gint64)));
}
