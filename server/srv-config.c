/* srv-config.c: caseload-server settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A keyfile (--config FILE) is an alternative to flags; flags given on the command line
 * win. See data/caseload-server.conf for every key with its default.
 */

#define G_LOG_DOMAIN "srv-config"

#include <string.h>

#include "cl-wire.h"
#include "srv-config.h"

/* Every key the file may hold: any other key or group is a mistake (a typo would otherwise
 * leave a setting at its default without a word). */
static const struct {
  const char *group;
  const char *key;
} known_keys[] = {
  { "database", "conninfo" },
  { "server", "listen" },
  { "server", "workers" },
  { "server", "max-body" },
  { "server", "real-ip-header" },
  { "server", "shutdown-timeout" },
  { "server", "io-timeout" },
  { "metrics", "listen" },
  { "tokens", "idle-timeout" },
  { "tokens", "lifetime" },
  { "tokens", "refresh-max-age" },
  { "tls", "trust-bundle" },
  { "login", "account-limit" },
  { "login", "address-limit" },
  { "login", "window" },
  { "login", "backoff" },
  { "login", "hash-concurrency" },
  { "sync", "pull-limit" },
  { "sync", "pull-max-bytes" },
  { "sync", "tombstone-days" },
  { "sync", "mutation-log-days" },
  { "sync", "max-open-conflicts" },
};

SrvConfig *
srv_config_new (void)
{
  SrvConfig *c = g_atomic_rc_box_new0 (SrvConfig);

  c->db = g_strdup ("");
  c->listen = g_strdup ("unix:/run/caseload/server.sock");
  c->workers = 8;
  c->max_body = 4 * 1024 * 1024;
  c->real_ip_header = g_strdup ("X-Real-IP");
  c->token_idle = 12 * 3600;
  c->token_lifetime = 30 * 24 * 3600;
  c->refresh_max_age = 90 * 24 * 3600;
  c->login_account_limit = 5;
  c->login_address_limit = 30;
  c->login_window = 15 * 60;
  c->login_backoff = 30;
  c->hash_concurrency = 2;
  c->pull_limit = 500;
  c->pull_max_bytes = 4 * 1024 * 1024;
  c->tombstone_days = 180;
  c->mutation_log_days = 180;
  c->max_open_conflicts = 5000;
  c->shutdown_timeout = 20;
  c->io_timeout = 30;
  c->metrics_listen = g_strdup ("");
  return c;
}

SrvConfig *
srv_config_ref (SrvConfig *config)
{
  return g_atomic_rc_box_acquire (config);
}

static void
config_clear (gpointer data)
{
  SrvConfig *config = data;

  g_free (config->db);
  g_free (config->listen);
  g_free (config->real_ip_header);
  g_free (config->metrics_listen);
  g_free (config->trust_bundle);
}

void
srv_config_unref (SrvConfig *config)
{
  if (config != NULL)
    g_atomic_rc_box_release_full (config, config_clear);
}

static gboolean
is_known_key (const char *group,
              const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
    if (strcmp (known_keys[i].group, group) == 0 &&
        (key == NULL || strcmp (known_keys[i].key, key) == 0))
      return TRUE;
  return FALSE;
}

static gboolean
check_keys (GKeyFile    *kf,
            GError     **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = NULL;

      if (!is_known_key (groups[i], NULL))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       "unknown group [%s]", groups[i]);
          return FALSE;
        }
      keys = g_key_file_get_keys (kf, groups[i], NULL, NULL);
      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        if (!is_known_key (groups[i], keys[j]))
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                         "unknown key “%s” in [%s]", keys[j], groups[i]);
            return FALSE;
          }
    }
  return TRUE;
}

static gboolean
get_int (GKeyFile    *kf,
         const char  *group,
         const char  *key,
         gint64       min,
         gint64       max,
         gint64      *out,
         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_int64 (kf, group, key, &local_error);
  if (local_error != NULL || v < min || v > max)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s must be a whole number from %" G_GINT64_FORMAT " to %"
                   G_GINT64_FORMAT, group, key, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static void
get_string (GKeyFile    *kf,
            const char  *group,
            const char  *key,
            char       **out)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);

  if (v != NULL)
    {
      g_free (*out);
      *out = g_steal_pointer (&v);
    }
}

/* [tls] trust-bundle: the CA certificates devices trust besides the one they enrolled
 * with, checked as devices check them. */
static gboolean
load_trust_bundle (GKeyFile    *kf,
                   SrvConfig   *config,
                   GError     **error)
{
  g_autofree char *path = g_key_file_get_string (kf, "tls", "trust-bundle", NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  if (path == NULL)
    return TRUE;
  if (!g_file_get_contents (path, &pem, &len, &local_error) ||
      !cl_wire_check_trust_bundle (pem, len, &local_error))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[tls] trust-bundle %s: %s", path, local_error->message);
      return FALSE;
    }
  g_free (config->trust_bundle);
  config->trust_bundle = g_steal_pointer (&pem);
  return TRUE;
}

gboolean
srv_config_load_file (SrvConfig   *config,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  gint64 workers = config->workers, max_body = (gint64) config->max_body;
  gint64 account_limit = config->login_account_limit;
  gint64 address_limit = config->login_address_limit;
  gint64 hash_concurrency = config->hash_concurrency;
  gint64 pull_limit = config->pull_limit, pull_max_bytes = (gint64) config->pull_max_bytes;
  gint64 tombstone_days = config->tombstone_days;
  gint64 mutation_log_days = config->mutation_log_days;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (!check_keys (kf, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  get_string (kf, "database", "conninfo", &config->db);
  get_string (kf, "server", "listen", &config->listen);
  get_string (kf, "server", "real-ip-header", &config->real_ip_header);
  get_string (kf, "metrics", "listen", &config->metrics_listen);

  if (!get_int (kf, "server", "workers", 1, 256, &workers, error) ||
      !get_int (kf, "server", "max-body", 1024, 64 * 1024 * 1024, &max_body, error) ||
      !get_int (kf, "server", "shutdown-timeout", 0, 3600, &config->shutdown_timeout, error) ||
      !get_int (kf, "server", "io-timeout", 1, 3600, &config->io_timeout, error) ||
      !get_int (kf, "tokens", "idle-timeout", 1, 366 * 86400, &config->token_idle, error) ||
      !get_int (kf, "tokens", "lifetime", 1, 366 * 86400, &config->token_lifetime, error) ||
      !get_int (kf, "tokens", "refresh-max-age", 1, 3660 * 86400, &config->refresh_max_age,
                error) ||
      !get_int (kf, "login", "account-limit", 1, 1000, &account_limit, error) ||
      !get_int (kf, "login", "address-limit", 1, 100000, &address_limit, error) ||
      !get_int (kf, "login", "window", 1, 86400, &config->login_window, error) ||
      !get_int (kf, "login", "backoff", 1, 86400, &config->login_backoff, error) ||
      !get_int (kf, "login", "hash-concurrency", 1, 64, &hash_concurrency, error) ||
      !get_int (kf, "sync", "pull-limit", 1, 1000, &pull_limit, error) ||
      !get_int (kf, "sync", "pull-max-bytes", 65536, 32 * 1024 * 1024, &pull_max_bytes, error) ||
      !get_int (kf, "sync", "tombstone-days", 1, 36500, &tombstone_days, error) ||
      !get_int (kf, "sync", "mutation-log-days", 1, 36500, &mutation_log_days, error) ||
      !get_int (kf, "sync", "max-open-conflicts", 1, 1000000, &config->max_open_conflicts,
                error) ||
      !load_trust_bundle (kf, config, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  config->workers = (guint) workers;
  config->max_body = (gsize) max_body;
  config->login_account_limit = (guint) account_limit;
  config->login_address_limit = (guint) address_limit;
  config->hash_concurrency = (guint) hash_concurrency;
  config->pull_limit = (guint) pull_limit;
  config->pull_max_bytes = (gsize) pull_max_bytes;
  config->tombstone_days = (guint) tombstone_days;
  config->mutation_log_days = (guint) mutation_log_days;
  return TRUE;
}

static void
keep_string (const char *name,
             char      **next,
             const char *current)
{
  if (g_strcmp0 (*next, current) == 0)
    return;
  g_message ("Reload: %s changed; it takes effect at the next restart", name);
  g_free (*next);
  *next = g_strdup (current);
}

/**
 * srv_config_keep_restart_only:
 * @next: a configuration read again (on SIGHUP)
 * @current: the running one
 *
 * Settings a running server cannot change (where it listens, its database, its workers)
 * keep their values in @next; each that changed is logged as needing a restart.
 */
void
srv_config_keep_restart_only (SrvConfig       *next,
                              const SrvConfig *current)
{
  keep_string ("[database] conninfo", &next->db, current->db);
  keep_string ("[server] listen", &next->listen, current->listen);
  keep_string ("[metrics] listen", &next->metrics_listen, current->metrics_listen);
  if (next->workers != current->workers)
    {
      g_message ("Reload: [server] workers changed; it takes effect at the next restart");
      next->workers = current->workers;
    }
}
