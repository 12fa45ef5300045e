/* srv-metrics.c: counters for /metrics (Prometheus text format, version 0.0.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The counters live in this process (each instance behind nginx has its own; Prometheus
 * sums them); the devices gauge is read from the database at each scrape. Labels are route
 * patterns, statuses and fixed names only: never a path, an id or anything a client sent.
 */

#define G_LOG_DOMAIN "srv-metrics"

#include <string.h>

#include "srv-db.h"
#include "srv-metrics.h"

/* Upper bounds in seconds; the last bucket is +Inf. */
static const char * const bucket_names[] = {
  "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
  "10",
};
static const gint64 bucket_usec[] = {
  1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
  10000000,
};
G_STATIC_ASSERT (G_N_ELEMENTS (bucket_names) == G_N_ELEMENTS (bucket_usec));

typedef struct {
  guint64 buckets[G_N_ELEMENTS (bucket_usec)];  /* each counts what falls in it alone */
  guint64 count;
  gint64  sum_usec;
} Histogram;

static GMutex lock;
static GHashTable *requests;       /* "route\tstatus" → guint64 * */
static Histogram push_duration;
static Histogram pull_duration;
static Histogram clock_wait;
static guint64 conflicts_created;
static guint64 database_unavailable;
static guint64 database_failed;

static void
observe (Histogram *h,
         gint64     usec)
{
  guint i = 0;

  while (i < G_N_ELEMENTS (bucket_usec) && usec > bucket_usec[i])
    i++;
  if (i < G_N_ELEMENTS (bucket_usec))
    h->buckets[i]++;
  h->count++;
  h->sum_usec += usec;
}

void
srv_metrics_request (const char *route,
                     guint       status)
{
  g_autofree char *key = g_strdup_printf ("%s\t%u", route, status);
  guint64 *n;

  g_mutex_lock (&lock);
  if (requests == NULL)
    requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  n = g_hash_table_lookup (requests, key);
  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (requests, g_steal_pointer (&key), n);
    }
  (*n)++;
  g_mutex_unlock (&lock);
}

/* @route: "/v1/push" or "/v1/pull" */
void
srv_metrics_sync_duration (const char *route,
                           gint64      usec)
{
  g_mutex_lock (&lock);
  observe (strcmp (route, "/v1/push") == 0 ? &push_duration : &pull_duration, usec);
  g_mutex_unlock (&lock);
}

void
srv_metrics_clock_wait (gint64 usec)
{
  g_mutex_lock (&lock);
  observe (&clock_wait, usec);
  g_mutex_unlock (&lock);
}

void
srv_metrics_conflicts (guint n)
{
  g_mutex_lock (&lock);
  conflicts_created += n;
  g_mutex_unlock (&lock);
}

void
srv_metrics_database_error (gboolean unavailable)
{
  g_mutex_lock (&lock);
  if (unavailable)
    database_unavailable++;
  else
    database_failed++;
  g_mutex_unlock (&lock);
}

static void
header (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
append_seconds (GString *out,
                gint64   usec)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, usec / (double) G_USEC_PER_SEC));
}

/* @labels: "" or 'name="value",' (with the comma) */
static void
render_histogram (GString         *out,
                  const char      *name,
                  const char      *labels,
                  const Histogram *h)
{
  guint64 cumulative = 0;
  g_autofree char *plain = g_strndup (labels, strlen (labels) > 0 ? strlen (labels) - 1 : 0);
  const char *open = *plain != '\0' ? "{" : "";
  const char *close = *plain != '\0' ? "}" : "";

  for (guint i = 0; i < G_N_ELEMENTS (bucket_names); i++)
    {
      cumulative += h->buckets[i];
      g_string_append_printf (out, "%s_bucket{%sle=\"%s\"} %" G_GUINT64_FORMAT "\n", name,
                              labels, bucket_names[i], cumulative);
    }
  g_string_append_printf (out, "%s_bucket{%sle=\"+Inf\"} %" G_GUINT64_FORMAT "\n", name,
                          labels, h->count);
  g_string_append_printf (out, "%s_sum%s%s%s ", name, open, plain, close);
  append_seconds (out, h->sum_usec);
  g_string_append_printf (out, "\n%s_count%s%s%s %" G_GUINT64_FORMAT "\n", name, open, plain,
                          close, h->count);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
render_requests (GString *out)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  header (out, "caseload_http_requests_total", "counter",
          "Requests answered, by route pattern (\"unmatched\": no route) and HTTP status.");
  if (requests == NULL)
    return;
  keys = g_hash_table_get_keys_as_array (requests, &n);
  qsort (keys, n, sizeof *keys, compare_keys);
  for (guint i = 0; i < n; i++)
    {
      const char *key = keys[i];
      const char *tab = strchr (key, '\t');

      g_string_append_printf (out, "caseload_http_requests_total{route=\"%.*s\",status=\"%s\"} "
                              "%" G_GUINT64_FORMAT "\n", (int) (tab - key), key, tab + 1,
                              *(guint64 *) g_hash_table_lookup (requests, key));
    }
}

/* Active devices by the age of their last contact, in disjoint ranges. */
static gboolean
render_devices (GString  *out,
                PGconn   *conn,
                GError  **error)
{
  static const char * const ranges[] = { "1h", "1d", "7d", "30d", "older", "never" };
  g_autoptr(PGresult) r = NULL;

  r = srv_db_exec (conn, error,
                   "SELECT count(*) FILTER (WHERE last_seen_at > now() - interval '1 hour'), "
                   "count(*) FILTER (WHERE last_seen_at <= now() - interval '1 hour' "
                   "AND last_seen_at > now() - interval '1 day'), "
                   "count(*) FILTER (WHERE last_seen_at <= now() - interval '1 day' "
                   "AND last_seen_at > now() - interval '7 days'), "
                   "count(*) FILTER (WHERE last_seen_at <= now() - interval '7 days' "
                   "AND last_seen_at > now() - interval '30 days'), "
                   "count(*) FILTER (WHERE last_seen_at <= now() - interval '30 days'), "
                   "count(*) FILTER (WHERE last_seen_at IS NULL) "
                   "FROM device WHERE revoked_at IS NULL", SRV_DB_END);
  if (r == NULL)
    return FALSE;
  header (out, "caseload_devices", "gauge",
          "Enrolled devices not revoked, by the age of their last contact with the server: "
          "within 1h, 1h to 1d, 1d to 7d, 7d to 30d, older, never.");
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    g_string_append_printf (out, "caseload_devices{last_sync=\"%s\"} %" G_GINT64_FORMAT "\n",
                            ranges[i], srv_db_get_int (r, 0, (int) i));
  return TRUE;
}

/**
 * srv_metrics_render:
 * @conn: a connection for the devices gauge
 *
 * Returns: the exposition (text/plain; version=0.0.4), or %NULL when the database fails
 */
char *
srv_metrics_render (PGconn  *conn,
                    gsize   *len,
                    GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!render_devices (out, conn, error))
    return NULL;
  g_mutex_lock (&lock);
  render_requests (out);
  header (out, "caseload_sync_duration_seconds", "histogram",
          "Time to answer a push or a pull, from the worker taking it to its answer.");
  render_histogram (out, "caseload_sync_duration_seconds", "route=\"/v1/push\",",
                    &push_duration);
  render_histogram (out, "caseload_sync_duration_seconds", "route=\"/v1/pull\",",
                    &pull_duration);
  header (out, "caseload_clock_lock_wait_seconds", "histogram",
          "Time a writer (push, resolution) waited to take the sync clock's lock.");
  render_histogram (out, "caseload_clock_lock_wait_seconds", "", &clock_wait);
  header (out, "caseload_conflicts_created_total", "counter",
          "Conflicts created by pushes and by resolutions of fields that moved meanwhile.");
  g_string_append_printf (out, "caseload_conflicts_created_total %" G_GUINT64_FORMAT "\n",
                          conflicts_created);
  header (out, "caseload_database_errors_total", "counter",
          "Requests answered with a database error: unavailable (503) or failed (500).");
  g_string_append_printf (out, "caseload_database_errors_total{kind=\"unavailable\"} %"
                          G_GUINT64_FORMAT "\n", database_unavailable);
  g_string_append_printf (out, "caseload_database_errors_total{kind=\"failed\"} %"
                          G_GUINT64_FORMAT "\n", database_failed);
  g_mutex_unlock (&lock);

  *len = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
