/* test-admin.c: changing an account's role and commands (user set) and what its devices
 * then hold; pruning the mutation log (gc) without breaking replays or seq order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

static gint64
user_epoch (SrvTestEnv *env,
            const char *username)
{
  return srv_test_sql_int (env, "SELECT scope_epoch FROM account WHERE username = $1",
                           username, NULL);
}

/* The account's role and commands as one line: "advocate_dv 14,PSA 2". */
static char *
user_line (SrvTestEnv *env,
           const char *username)
{
  return srv_test_sql (env, "SELECT a.role || ' ' || coalesce(string_agg(c.command, ',' "
                       "ORDER BY c.command), '-') FROM account a LEFT JOIN account_command c "
                       "ON c.account_id = a.id WHERE a.username = $1 GROUP BY a.id",
                       username, NULL);
}

static gint64
audited_sets (SrvTestEnv *env)
{
  return srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE event = 'admin.user_set'",
                           NULL);
}

/* `user set …` is refused with a non-zero exit and an error saying @what, and nothing of
 * ana's changes (role, commands, epoch), nothing is audited. */
#define ASSERT_SET_REFUSED(env, what, ...) \
  G_STMT_START { \
    g_autofree char *before_ = user_line (env, "ana"); \
    g_autofree char *after_ = NULL; \
    g_autofree char *out_ = NULL; \
    gint64 epoch_ = user_epoch (env, "ana"); \
    gint64 audited_ = audited_sets (env); \
    \
    g_assert_cmpint (srv_test_cli (env, &out_, "user", "set", __VA_ARGS__, NULL), !=, 0); \
    if (strstr (out_, what) == NULL) \
      g_error ("user set was not refused with “%s”: %s", what, out_); \
    after_ = user_line (env, "ana"); \
    g_assert_cmpstr (after_, ==, before_); \
    g_assert_cmpint (user_epoch (env, "ana"), ==, epoch_); \
    g_assert_cmpint (audited_sets (env), ==, audited_); \
  } G_STMT_END

/* `user set …` succeeds. */
#define SET_USER(env, ...) \
  G_STMT_START { \
    g_autofree char *out_ = NULL; \
    \
    if (srv_test_cli (env, &out_, "user", "set", __VA_ARGS__, NULL) != 0) \
      g_error ("user set failed: %s", out_); \
  } G_STMT_END

static void
test_user_set_cli (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autofree char *output = NULL;
  g_autofree char *line = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (env, "dora", "director", NULL));
  g_free (srv_test_add_user (env, "dee", "advocate_cv", "20"));
  g_assert_cmpint (srv_test_cli (env, &output, "user", "disable", "--username", "dee", NULL),
                   ==, 0);
  g_clear_pointer (&output, g_free);

  /* Moved to another command: the old one goes, it is audited. No records on either side:
   * nothing for her devices to do (test_move() has records). */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "ana",
                                 "--command", "75", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "keep what they hold"));
  g_clear_pointer (&output, g_free);
  line = user_line (env, "ana");
  g_assert_cmpstr (line, ==, "advocate_dv 75");
  g_assert_cmpint (user_epoch (env, "ana"), ==, 0);
  g_assert_cmpint (audited_sets (env), ==, 1);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log l JOIN account a "
                                     "ON a.id = l.account_id WHERE l.event = 'admin.user_set' "
                                     "AND a.username = 'ana' AND l.address = 'cli' "
                                     "AND l.outcome = 'ok' AND l.detail = '{\"role\": "
                                     "\"advocate_dv\", \"commands\": [\"75\"], "
                                     "\"previous_role\": \"advocate_dv\", "
                                     "\"previous_commands\": [\"14\"], \"removed\": 0, "
                                     "\"resync\": false}'",
                                     NULL), ==, 1);

  /* Refusals: each exits non-zero, says why, and changes nothing. */
  ASSERT_SET_REFUSED (env, "--username", "--command", "14");
  ASSERT_SET_REFUSED (env, "Nothing to set", "--username", "ana");
  ASSERT_SET_REFUSED (env, "role is one of", "--username", "ana", "--role", "janitor");
  ASSERT_SET_REFUSED (env, "999", "--username", "ana", "--command", "14", "--command", "999");
  ASSERT_SET_REFUSED (env, "no user", "--username", "nobody", "--command", "14");
  ASSERT_SET_REFUSED (env, "disabled", "--username", "dee", "--command", "14");
  ASSERT_SET_REFUSED (env, "Only advocates and supervisors", "--username", "ana", "--role",
                      "director", "--command", "14");
  ASSERT_SET_REFUSED (env, "unknown command", "--username", "ana", "--command", "14", "stray");
  {
    /* A director becoming an advocate needs a command; dora stays as she was. */
    g_autofree char *dora = user_line (env, "dora");

    g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "dora", "--role",
                                   "advocate_cv", NULL), !=, 0);
    g_assert_nonnull (strstr (output, "at least one --command"));
    g_clear_pointer (&output, g_free);
    g_clear_pointer (&line, g_free);
    line = user_line (env, "dora");
    g_assert_cmpstr (line, ==, dora);
  }
  /* Still disabled: user set never enables an account. */
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM account WHERE username = 'dee' "
                                     "AND disabled_at IS NOT NULL", NULL), ==, 1);

  /* The same again: nothing to do, nothing audited, no resync. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "ana", "--command",
                                 "75", "--role", "advocate_dv", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "nothing changed"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (audited_sets (env), ==, 1);

  /* Another role, same commands: changed and audited. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "ana", "--role",
                                 "supervisor", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&line, g_free);
  line = user_line (env, "ana");
  g_assert_cmpstr (line, ==, "supervisor 75");
  g_assert_cmpint (audited_sets (env), ==, 2);

  /* Commands given replace all of them, normalized and once each. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "ana", "--command",
                                 "psa 2", "--command", "14", "--command", "14", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&line, g_free);
  line = user_line (env, "ana");
  g_assert_cmpstr (line, ==, "supervisor 14,PSA 2");

  /* A role without commands drops them; back again with new ones. */
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "ana", "--role",
                                 "director", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&line, g_free);
  line = user_line (env, "ana");
  g_assert_cmpstr (line, ==, "director -");
  g_assert_cmpint (srv_test_cli (env, &output, "user", "set", "--username", "dora", "--role",
                                 "advocate_cv", "--command", "20", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_clear_pointer (&line, g_free);
  line = user_line (env, "dora");
  g_assert_cmpstr (line, ==, "advocate_cv 20");

  g_assert_cmpint (srv_test_cli (env, &output, "user", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (output, "advocate_cv"));
  g_assert_nonnull (strstr (output, "director"));
}

/* Scope moves --------------------------------------------------------------------------- */

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *ana;   /* advocate, 14, moving to 75 */
  SrvTestDevice *ana2;  /* ana's second workstation */
  SrvTestDevice *cole;  /* advocate, 75 */
  SrvTestDevice *sue;   /* supervisor, 14 */
  char          *case14;
  char          *client14;
  char          *note14;
  char          *case75;
  char          *client75;
  char          *note75;
} Fixture;

static char *
new_note (SrvTestEnv    *env,
          SrvTestDevice *device,
          const char    *kase)
{
  char *id = cl_uuid_new ();
  g_autoptr(ClWireResult) r = srv_test_push_one (env, device,
                                                 srv_test_mutation (device, "note", id,
                                                                    CL_WIRE_OP_PUT, 0,
                                                                    "case_id", kase,
                                                                    "at", "2026-11-28T10:00:00Z",
                                                                    "text", "Met at precinct",
                                                                    NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->env = srv_test_env_new (NULL);
  g_free (srv_test_add_user (f->env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (f->env, "cole", "advocate_dv", "75"));
  g_free (srv_test_add_user (f->env, "sue", "supervisor", "14"));
  f->ana = srv_test_login (f->env, "ana");
  f->ana2 = srv_test_login (f->env, "ana");
  f->cole = srv_test_login (f->env, "cole");
  f->sue = srv_test_login (f->env, "sue");

  /* 75's case is older than anything ana's devices will have pulled. */
  f->client75 = srv_test_new_client (f->env, f->cole, "Iris");
  f->case75 = srv_test_new_case (f->env, f->cole, f->client75, "75");
  f->note75 = new_note (f->env, f->cole, f->case75);
  f->client14 = srv_test_new_client (f->env, f->ana, "Rose");
  f->case14 = srv_test_new_case (f->env, f->ana, f->client14, "14");
  f->note14 = new_note (f->env, f->ana, f->case14);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  srv_test_device_free (f->ana);
  srv_test_device_free (f->ana2);
  srv_test_device_free (f->cole);
  srv_test_device_free (f->sue);
  g_free (f->case14);
  g_free (f->client14);
  g_free (f->note14);
  g_free (f->case75);
  g_free (f->client75);
  g_free (f->note75);
  srv_test_env_free (f->env);
}

static GHashTable *
new_state (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) cl_wire_pull_item_free);
}

/* What a device computes over what it holds (docs/PROTOCOL.md, "Digest"). */
static char *
state_digest (GHashTable *state)
{
  GHashTableIter iter;
  gpointer k, v;
  guint64 digest = 0;

  g_hash_table_iter_init (&iter, state);
  while (g_hash_table_iter_next (&iter, &k, &v))
    cl_wire_digest_add (&digest, k, ((ClWirePullItem *) v)->version);
  return cl_wire_digest_to_hex (digest);
}

/**
 * sync_pull:
 * @limit: the page size (small, to make a resync take several pages)
 *
 * Pulls as the desktop does (app/core/cl-sync.c, pull_all()): pages from the device's
 * cursor; on 410 or 412, once, from the start, then drops every record the server did not
 * send again.
 *
 * Returns: (transfer full) (nullable): the code of the reset, or %NULL when none
 */
static char *
sync_pull (SrvTestEnv    *env,
           SrvTestDevice *device,
           GHashTable    *state,
           gint64         limit)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *reset = NULL;

  for (;;)
    {
      g_autoptr(SrvTestReply) reply = srv_test_pull_raw (env, device, device->cursor, limit,
                                                         NULL);
      g_autoptr(ClWirePullResponse) page = NULL;
      g_autoptr(GError) error = NULL;
      const char *text = srv_test_reply_text (reply);

      if (reply->status == 410 || reply->status == 412)
        {
          g_assert_null (reset);
          reset = srv_test_reply_code (reply);
          seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          device->cursor = 0;
          continue;
        }
      g_assert_cmpuint (reply->status, ==, 200);
      page = cl_wire_pull_response_decode (text, strlen (text), &error);
      g_assert_no_error (error);
      g_assert_cmpint (page->cursor, >=, device->cursor);
      for (guint i = 0; i < page->changes->len; i++)
        {
          ClWirePullItem *item = g_ptr_array_index (page->changes, i);

          if (seen != NULL)
            g_hash_table_add (seen, g_strdup (item->record));
          if (item->op == CL_WIRE_PULL_PUT)
            g_hash_table_replace (state, g_strdup (item->record),
                                  g_steal_pointer (&page->changes->pdata[i]));
          else
            g_hash_table_remove (state, item->record);
        }
      device->cursor = page->cursor;
      if (!page->more)
        break;
    }

  if (seen != NULL)
    {
      GHashTableIter iter;
      gpointer k;

      g_hash_table_iter_init (&iter, state);
      while (g_hash_table_iter_next (&iter, &k, NULL))
        if (!g_hash_table_contains (seen, k))
          g_hash_table_iter_remove (&iter);
    }
  return g_steal_pointer (&reset);
}

/* The device holds exactly what the server would give it now. */
static void
assert_converged (SrvTestEnv    *env,
                  SrvTestDevice *device,
                  GHashTable    *state)
{
  g_autofree char *digest = state_digest (state);
  g_autoptr(SrvTestReply) reply = srv_test_pull_raw (env, device, device->cursor, 0, digest);

  g_assert_cmpuint (reply->status, ==, 200);
}

static guint
holds (GHashTable *state,
       const char *a,
       const char *b,
       const char *c)
{
  return g_hash_table_contains (state, a) + g_hash_table_contains (state, b) +
         g_hash_table_contains (state, c);
}

/* An advocate moves from 14 to 75: both her devices drop 14's case, client and note at
 * their next sync and get 75's, older than their cursors; her edits follow the move. */
static void
test_move (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GHashTable) s_ana = new_state ();
  g_autoptr(GHashTable) s_ana2 = new_state ();
  g_autoptr(GHashTable) s_sue = new_state ();
  g_autoptr(SrvTestReply) reply = NULL;
  g_autoptr(ClWireResult) r = NULL;
  g_autofree char *code = NULL;
  g_autofree char *reset = NULL;

  g_assert_null (sync_pull (f->env, f->ana, s_ana, 0));
  g_assert_null (sync_pull (f->env, f->ana2, s_ana2, 0));
  g_assert_null (sync_pull (f->env, f->sue, s_sue, 0));
  g_assert_cmpuint (holds (s_ana, f->case14, f->client14, f->note14), ==, 3);
  g_assert_cmpuint (holds (s_ana, f->case75, f->client75, f->note75), ==, 0);
  g_assert_cmpint (f->ana->cursor, >, srv_test_record_version (f->env, f->note75));

  SET_USER (f->env, "--username", "ana", "--command", "75");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE "
                                     "event = 'admin.user_set' AND detail @> "
                                     "'{\"removed\": 3, \"resync\": true}'", NULL), ==, 1);

  /* Told, without a digest: the next pull from her cursor is refused. */
  reply = srv_test_pull_raw (f->env, f->ana, f->ana->cursor, 0, NULL);
  g_assert_cmpuint (reply->status, ==, 410);
  code = srv_test_reply_code (reply);
  g_assert_cmpstr (code, ==, "scope_changed");
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE "
                                     "event = 'pull' AND outcome = 'scope_changed' "
                                     "AND device_id = $1", f->ana->device_id, NULL), ==, 1);

  /* The resync, in pages of two: 75's records arrive, 14's are dropped. */
  reset = sync_pull (f->env, f->ana, s_ana, 2);
  g_assert_cmpstr (reset, ==, "scope_changed");
  g_assert_cmpuint (holds (s_ana, f->case14, f->client14, f->note14), ==, 0);
  g_assert_cmpuint (holds (s_ana, f->case75, f->client75, f->note75), ==, 3);
  assert_converged (f->env, f->ana, s_ana);
  /* Once resynchronized, no more resets, page after page. */
  g_clear_pointer (&reset, g_free);
  g_free (srv_test_new_client (f->env, f->cole, "Lily"));
  g_free (srv_test_new_client (f->env, f->cole, "Mae"));
  g_free (new_note (f->env, f->cole, f->case75));
  g_assert_null (sync_pull (f->env, f->ana, s_ana, 1));
  assert_converged (f->env, f->ana, s_ana);

  /* Her other workstation too. */
  reset = sync_pull (f->env, f->ana2, s_ana2, 0);
  g_assert_cmpstr (reset, ==, "scope_changed");
  g_assert_cmpuint (holds (s_ana2, f->case14, f->client14, f->note14), ==, 0);
  g_assert_cmpuint (holds (s_ana2, f->case75, f->client75, f->note75), ==, 3);
  assert_converged (f->env, f->ana2, s_ana2);

  /* Her pushes follow the move: 14's case is no longer hers (to her it does not exist),
   * 75's is. */
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", f->case14, CL_WIRE_OP_PUT,
                                            srv_test_record_version (f->env, f->case14),
                                            "status", "active", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_REJECTED);
  g_assert_cmpstr (r->code, ==, "not_found");
  g_clear_pointer (&r, cl_wire_result_free);
  r = srv_test_push_one (f->env, f->ana,
                         srv_test_mutation (f->ana, "case", f->case75, CL_WIRE_OP_PUT,
                                            srv_test_record_version (f->env, f->case75),
                                            "status", "active", NULL));
  g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);

  /* Nobody else resynchronizes. */
  g_assert_null (sync_pull (f->env, f->sue, s_sue, 0));
  g_assert_cmpuint (holds (s_sue, f->case14, f->client14, f->note14), ==, 3);
}

/* A supervisor given one more command gets all of its records, however old; a change of
 * role that reads the same sends nothing again. */
static void
test_add_command (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GHashTable) s_sue = new_state ();
  g_autoptr(GHashTable) s_ana = new_state ();
  g_autofree char *reset = NULL;

  g_assert_null (sync_pull (f->env, f->sue, s_sue, 0));
  g_assert_null (sync_pull (f->env, f->ana, s_ana, 0));
  g_assert_cmpuint (holds (s_sue, f->case75, f->client75, f->note75), ==, 0);

  SET_USER (f->env, "--username", "sue", "--command", "14", "--command", "75");
  reset = sync_pull (f->env, f->sue, s_sue, 0);
  g_assert_cmpstr (reset, ==, "scope_changed");
  g_assert_cmpuint (holds (s_sue, f->case14, f->client14, f->note14), ==, 3);
  g_assert_cmpuint (holds (s_sue, f->case75, f->client75, f->note75), ==, 3);
  assert_converged (f->env, f->sue, s_sue);

  /* advocate_dv to advocate_cv, same commands: the same records, no resync. */
  SET_USER (f->env, "--username", "ana", "--role", "advocate_cv");
  g_assert_null (sync_pull (f->env, f->ana, s_ana, 0));
  g_assert_cmpuint (holds (s_ana, f->case14, f->client14, f->note14), ==, 3);

  /* Made a director: all case content. */
  SET_USER (f->env, "--username", "ana", "--role", "director");
  g_clear_pointer (&reset, g_free);
  reset = sync_pull (f->env, f->ana, s_ana, 0);
  g_assert_cmpstr (reset, ==, "scope_changed");
  g_assert_cmpuint (holds (s_ana, f->case75, f->client75, f->note75), ==, 3);
  assert_converged (f->env, f->ana, s_ana);

  /* A device enrolled after the change starts from the start: nothing to reset. */
  {
    g_autoptr(SrvTestDevice) fresh = srv_test_login (f->env, "ana");
    g_autoptr(GHashTable) s_fresh = new_state ();

    g_assert_null (sync_pull (f->env, fresh, s_fresh, 0));
    g_assert_cmpuint (g_hash_table_size (s_fresh), ==, g_hash_table_size (s_ana));
    g_assert_null (sync_pull (f->env, fresh, s_fresh, 0));
  }
}

/* A supervisor who no longer oversees a command: her devices pull a "remove" for each of
 * its records, without resynchronizing; her other command stays as it was. */
static void
test_remove_command (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) s_sue = new_state ();
  g_autofree char *reset = NULL;
  gint64 epoch;

  SET_USER (f->env, "--username", "sue", "--command", "14", "--command", "75");
  g_assert_null (sync_pull (f->env, f->sue, s_sue, 0));
  g_assert_cmpuint (holds (s_sue, f->case75, f->client75, f->note75), ==, 3);
  epoch = user_epoch (f->env, "sue");

  SET_USER (f->env, "--username", "sue", "--command", "14");
  g_assert_cmpint (user_epoch (f->env, "sue"), ==, epoch);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE "
                                     "event = 'admin.user_set' AND detail @> "
                                     "'{\"removed\": 3, \"resync\": false}'", NULL), ==, 1);
  reset = sync_pull (f->env, f->sue, s_sue, 1);
  g_assert_null (reset);
  g_assert_cmpuint (holds (s_sue, f->case75, f->client75, f->note75), ==, 0);
  g_assert_cmpuint (holds (s_sue, f->case14, f->client14, f->note14), ==, 3);
  assert_converged (f->env, f->sue, s_sue);

  /* A device that starts from nothing is given none of them either. */
  {
    g_autoptr(SrvTestDevice) fresh = srv_test_login (f->env, "sue");
    g_autoptr(GHashTable) s_fresh = new_state ();

    g_assert_null (sync_pull (f->env, fresh, s_fresh, 0));
    g_assert_cmpuint (holds (s_fresh, f->case75, f->client75, f->note75), ==, 0);
    g_assert_cmpuint (g_hash_table_size (s_fresh), ==, g_hash_table_size (s_sue));
  }
}

/* Mutation log ------------------------------------------------------------------------- */

static GPtrArray *
client_batch (SrvTestDevice *device,
              guint          n)
{
  GPtrArray *batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = cl_uuid_new ();

      g_ptr_array_add (batch, srv_test_mutation (device, "client", id, CL_WIRE_OP_PUT, 0,
                                                 "pseudonym", "Rose", NULL));
    }
  return batch;
}

static ClWirePushResponse *
push_batch (SrvTestEnv    *env,
            SrvTestDevice *device,
            GPtrArray     *batch)
{
  g_autoptr(SrvTestReply) reply = srv_test_push_raw (env, device, batch);
  g_autoptr(GError) error = NULL;
  const char *text = srv_test_reply_text (reply);
  ClWirePushResponse *response;

  if (reply->status != 200)
    g_error ("push answered %u: %s", reply->status, text);
  response = cl_wire_push_response_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  return response;
}

static void
push_clients (SrvTestEnv    *env,
              SrvTestDevice *device,
              guint          n)
{
  g_autoptr(GPtrArray) batch = client_batch (device, n);
  g_autoptr(ClWirePushResponse) response = push_batch (env, device, batch);

  g_assert_cmpint (response->last_seq, ==, device->next_seq - 1);
}

static char *
result_json (ClWireResult *result)
{
  g_autoptr(JsonNode) node = cl_wire_result_to_json (result);

  return json_to_string (node, FALSE);
}

static gint64
logged (SrvTestEnv    *env,
        SrvTestDevice *device)
{
  return srv_test_sql_int (env, "SELECT count(*) FROM mutation_log WHERE device_id = $1",
                           device->device_id, NULL);
}

static void
age_log (SrvTestEnv    *env,
         SrvTestDevice *device,
         const char    *days)
{
  srv_test_sql (env, "UPDATE mutation_log SET at = now() - make_interval(days => $2::integer) "
                "WHERE device_id = $1", device->device_id, days, NULL);
}

static void
test_gc_mutation_log (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new ("[sync]\nmutation-log-days=30\n");
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(SrvTestDevice) ana2 = NULL;
  g_autoptr(SrvTestDevice) lost = NULL;
  g_autoptr(SrvTestDevice) retiring = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) replay = NULL;
  g_autoptr(GPtrArray) next = NULL;
  g_autoptr(ClWirePushResponse) first_reply = NULL;
  g_autoptr(ClWirePushResponse) second_reply = NULL;
  g_autoptr(ClWirePushResponse) again = NULL;
  g_autoptr(ClWirePushResponse) after = NULL;
  g_autofree char *output = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  ana = srv_test_login (env, "ana");
  ana2 = srv_test_login (env, "ana");
  lost = srv_test_login (env, "ana");
  retiring = srv_test_login (env, "ana");

  /* ana: 500 seqs, then 5 more; her other devices a few each. */
  first = client_batch (ana, 500);
  first_reply = push_batch (env, ana, first);
  second = client_batch (ana, 5);
  second_reply = push_batch (env, ana, second);
  g_assert_cmpint (second_reply->last_seq, ==, 505);
  push_clients (env, ana2, 2);
  push_clients (env, lost, 3);
  push_clients (env, retiring, 4);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", lost->device_id, "--mode",
                                 "lost", NULL), ==, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "revoke", retiring->device_id,
                                 "--mode", "retire", NULL), ==, 0);
  g_clear_pointer (&output, g_free);

  /* Nothing is old enough yet. */
  g_assert_cmpint (srv_test_cli (env, &output, "gc", NULL), ==, 0);
  g_assert_nonnull (strstr (output, " 0 mutation log entries"));
  g_clear_pointer (&output, g_free);

  /* 40 days later (ana2's entries stay recent). The retention is the keyfile's 30 days:
   * ana keeps her last 500 seqs, the retiring device (it may still push) its 4, the lost
   * device nothing. */
  age_log (env, ana, "40");
  age_log (env, lost, "40");
  age_log (env, retiring, "40");
  g_assert_cmpint (srv_test_cli (env, &output, "gc", "--mutation-log-days", "50", NULL), ==, 0);
  g_assert_nonnull (strstr (output, " 0 mutation log entries"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "gc", NULL), ==, 0);
  g_assert_nonnull (strstr (output, " 8 mutation log entries"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (logged (env, ana), ==, 500);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT min(seq) FROM mutation_log WHERE "
                                     "device_id = $1", ana->device_id, NULL), ==, 6);
  g_assert_cmpint (logged (env, ana2), ==, 2);
  g_assert_cmpint (logged (env, lost), ==, 0);
  g_assert_cmpint (logged (env, retiring), ==, 4);
  g_assert_cmpint (srv_test_sql_int (env, "SELECT detail -> 'mutation_log' FROM audit_log "
                                     "WHERE event = 'admin.gc' ORDER BY id DESC LIMIT 1", NULL),
                   ==, 8);

  /* A replay: a kept seq gets its stored result, byte for byte; a purged one says so. */
  replay = g_ptr_array_new ();
  g_ptr_array_add (replay, g_ptr_array_index (first, 4));
  g_ptr_array_add (replay, g_ptr_array_index (first, 5));
  again = push_batch (env, ana, replay);
  g_assert_cmpuint (again->results->len, ==, 2);
  {
    ClWireResult *expired = g_ptr_array_index (again->results, 0);
    g_autofree char *stored = result_json (g_ptr_array_index (again->results, 1));
    g_autofree char *original = result_json (g_ptr_array_index (first_reply->results, 5));

    g_assert_cmpint (expired->seq, ==, 5);
    g_assert_cmpint (expired->status, ==, CL_WIRE_STATUS_REJECTED);
    g_assert_cmpstr (expired->code, ==, "seq_expired");
    g_assert_cmpstr (stored, ==, original);
  }
  g_clear_pointer (&again, cl_wire_push_response_free);
  again = push_batch (env, ana, second);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *stored = result_json (g_ptr_array_index (again->results, i));
      g_autofree char *original = result_json (g_ptr_array_index (second_reply->results, i));

      g_assert_cmpstr (stored, ==, original);
    }
  g_assert_cmpint (again->last_seq, ==, 505);

  /* A kept seq under another body is still refused. */
  {
    g_autoptr(GPtrArray) reused = client_batch (ana, 1);
    g_autoptr(SrvTestReply) reply = NULL;

    ((ClWireMutation *) g_ptr_array_index (reused, 0))->seq = 505;
    reply = srv_test_push_raw (env, ana, reused);
    g_assert_cmpuint (reply->status, ==, 422);
  }

  /* The queue goes on from 506: no gap. */
  next = client_batch (ana, 1);
  after = push_batch (env, ana, next);
  g_assert_cmpint (after->last_seq, ==, 506);
  g_assert_cmpint (((ClWireResult *) g_ptr_array_index (after->results, 0))->status, ==,
                   CL_WIRE_STATUS_APPLIED);

  /* Bad retentions are refused. */
  g_assert_cmpint (srv_test_cli (env, &output, "gc", "--mutation-log-days", "0", NULL), !=, 0);
  g_assert_nonnull (strstr (output, "--mutation-log-days"));
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "gc", "--tombstone-days", "-3", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (logged (env, ana), ==, 501);
}

/* A device whose count the server does not accept (here: it reuses seqs 2 and 3 for other
 * mutations) is stuck until an administrator resets it; then its next push starts afresh
 * from the seq it sends, and the records it pushed before stay. Bad input is refused. */
static void
test_device_reset (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(ClWirePushResponse) after = NULL;
  g_autoptr(SrvTestReply) reused = NULL;
  g_autofree char *output = NULL;
  g_autofree char *code = NULL;

  g_free (srv_test_add_user (env, "ana", "advocate_dv", "14"));
  ana = srv_test_login (env, "ana");
  first = client_batch (ana, 3);
  g_clear_pointer (&after, cl_wire_push_response_free);
  after = push_batch (env, ana, first);
  g_assert_cmpint (after->last_seq, ==, 3);

  ana->next_seq = 2;
  again = client_batch (ana, 4);
  reused = srv_test_push_raw (env, ana, again);
  g_assert_cmpuint (reused->status, ==, 422);
  code = srv_test_reply_code (reused);
  g_assert_cmpstr (code, ==, "seq_reused");

  g_assert_cmpint (srv_test_cli (env, &output, "device", "reset", "not-a-uuid", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "reset",
                                 "6f1f7a3e-2b1c-4d5e-8f90-123456789abc", NULL), !=, 0);
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (srv_test_cli (env, &output, "device", "reset", ana->device_id, NULL), ==, 0);
  g_assert_nonnull (strstr (output, "pushed up to change 3"));
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM audit_log WHERE "
                                     "event = 'admin.device_reset'", NULL), ==, 1);

  g_clear_pointer (&after, cl_wire_push_response_free);
  after = push_batch (env, ana, again);
  g_assert_cmpint (after->last_seq, ==, 5);
  for (guint i = 0; i < after->results->len; i++)
    g_assert_cmpstr (((ClWireResult *) g_ptr_array_index (after->results, i))->status ==
                     CL_WIRE_STATUS_APPLIED ? "applied" : "not applied", ==, "applied");
  g_assert_cmpint (srv_test_sql_int (env, "SELECT count(*) FROM record WHERE type = 'client'",
                                     NULL), ==, 7);
  g_assert_false (srv_test_sql_int (env, "SELECT seq_reset::int FROM device WHERE id = $1",
                                    ana->device_id, NULL));
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/admin/user-set-cli", test_user_set_cli);
  g_test_add ("/server/admin/move", Fixture, NULL, fixture_set_up, test_move, fixture_tear_down);
  g_test_add ("/server/admin/add-command", Fixture, NULL, fixture_set_up, test_add_command,
              fixture_tear_down);
  g_test_add ("/server/admin/remove-command", Fixture, NULL, fixture_set_up,
              test_remove_command, fixture_tear_down);
  g_test_add_func ("/server/admin/gc-mutation-log", test_gc_mutation_log);
  g_test_add_func ("/server/admin/device-reset", test_device_reset);
  return g_test_run ();
}
