/* test-restricted.c: restricted cases and clients, visible to named users only (DOMAIN.md
 * rule 4; docs/PROTOCOL.md, "Scope"): who reads a restricted case and what hangs off it,
 * who may write it, and what devices pull when a case becomes restricted, loses or gains
 * a named user, or is opened up again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-schema.h"
#include "srv-migrate.h"
#include "srv-test.h"

typedef struct {
  SrvTestEnv    *env;
  SrvTestDevice *ana;    /* advocate, 14: creates the case */
  SrvTestDevice *ben;    /* advocate, 14 */
  SrvTestDevice *cy;     /* advocate, 20 */
  SrvTestDevice *sue;    /* supervisor, 14 and 20 */
  SrvTestDevice *sam;    /* supervisor, 14 */
  SrvTestDevice *dir;    /* director */
  SrvTestDevice *dora;   /* director */
  SrvTestDevice *dat;    /* data */

  /* Ana's client, its case in 14 and what hangs off both. */
  char          *client;
  char          *kase;
  char          *children[5];  /* note, contact, task, referral (the case's), safe_contact */
} Fixture;

static ClWireResult *
push (Fixture        *f,
      SrvTestDevice  *device,
      ClWireMutation *m)
{
  return srv_test_push_one (f->env, device, m);
}

static char *
create (Fixture       *f,
        SrvTestDevice *device,
        const char    *type,
        const char    *parent,
        const char    *field,
        const char    *value,
        ...)
{
  char *id = cl_uuid_new ();
  ClWireMutation *m = srv_test_mutation (device, type, id, CL_WIRE_OP_PUT, 0,
                                         strcmp (type, "safe_contact") == 0 ? "client_id"
                                                                            : "case_id",
                                         parent, field, value, NULL);
  g_autoptr(ClWireResult) r = NULL;
  va_list ap;

  va_start (ap, value);
  for (const char *name = va_arg (ap, const char *); name != NULL;
       name = va_arg (ap, const char *))
    cl_wire_mutation_add_change (m, name, NULL, va_arg (ap, const char *));
  va_end (ap);
  r = push (f, device, m);
  g_assert_cmpstr (cl_wire_status_to_string (r->status), ==, "applied");
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->env = srv_test_env_new (NULL);
  g_free (srv_test_add_user (f->env, "ana", "advocate_dv", "14"));
  g_free (srv_test_add_user (f->env, "ben", "advocate_cv", "14"));
  g_free (srv_test_add_user (f->env, "cy", "advocate_cv", "20"));
  g_free (srv_test_add_user (f->env, "sue", "supervisor", "14,20"));
  g_free (srv_test_add_user (f->env, "sam", "supervisor", "14"));
  g_free (srv_test_add_user (f->env, "dir", "director", NULL));
  g_free (srv_test_add_user (f->env, "dora", "director", NULL));
  g_free (srv_test_add_user (f->env, "dat", "data", NULL));
  f->ana = srv_test_login (f->env, "ana");
  f->ben = srv_test_login (f->env, "ben");
  f->cy = srv_test_login (f->env, "cy");
  f->sue = srv_test_login (f->env, "sue");
  f->sam = srv_test_login (f->env, "sam");
  f->dir = srv_test_login (f->env, "dir");
  f->dora = srv_test_login (f->env, "dora");
  f->dat = srv_test_login (f->env, "dat");

  f->client = srv_test_new_client (f->env, f->ana, "Rose");
  f->kase = srv_test_new_case (f->env, f->ana, f->client, "14");
  f->children[0] = create (f, f->ana, "note", f->kase, "at", "2026-11-28T10:00:00Z",
                           "text", "Met at precinct", NULL);
  f->children[1] = create (f, f->ana, "contact", f->kase, "at", "2026-11-28T10:00:00Z",
                           "channel", "phone", "outcome", "reached", NULL);
  f->children[2] = create (f, f->ana, "task", f->kase, "due", "2026-12-01", "title", "Call",
                           NULL);
  f->children[3] = create (f, f->ana, "referral", f->kase, "received_at",
                           "2026-11-27T10:00:00Z", "source", "walk_in", NULL);
  f->children[4] = create (f, f->ana, "safe_contact", f->client, "channel", "sms",
                           "safe", "yes", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  SrvTestDevice *devices[] = { f->ana, f->ben, f->cy, f->sue, f->sam, f->dir, f->dora, f->dat };

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    srv_test_device_free (devices[i]);
  for (guint i = 0; i < G_N_ELEMENTS (f->children); i++)
    g_free (f->children[i]);
  g_free (f->client);
  g_free (f->kase);
  srv_test_env_free (f->env);
}

/* Sets fields of the case (or client) through @device; returns the result's status. */
static char *
edit (Fixture       *f,
      SrvTestDevice *device,
      const char    *type,
      const char    *id,
      const char    *field,
      const char    *value,
      ...)
{
  ClWireMutation *m = srv_test_mutation (device, type, id, CL_WIRE_OP_PUT,
                                         srv_test_record_version (f->env, id),
                                         field, value, NULL);
  g_autoptr(ClWireResult) r = NULL;
  va_list ap;

  va_start (ap, value);
  for (const char *name = va_arg (ap, const char *); name != NULL;
       name = va_arg (ap, const char *))
    cl_wire_mutation_add_change (m, name, NULL, va_arg (ap, const char *));
  va_end (ap);
  r = push (f, device, m);
  return g_strdup (r->code != NULL ? r->code : cl_wire_status_to_string (r->status));
}

#define EDIT_OK(...) G_STMT_START { \
    g_autofree char *_code = edit (__VA_ARGS__, NULL); \
    g_assert_cmpstr (_code, ==, "applied"); \
  } G_STMT_END

/* How many of the case, its children, the client and its safe-contact preference a
 * holder of @state has: all 7 or none, never a part. */
static guint
held (Fixture    *f,
      GHashTable *state)
{
  guint n = g_hash_table_contains (state, f->kase) + g_hash_table_contains (state, f->client);

  for (guint i = 0; i < G_N_ELEMENTS (f->children); i++)
    n += g_hash_table_contains (state, f->children[i]);
  g_assert_true (n == 0 || n == 7);
  return n;
}

static gboolean
sees (Fixture       *f,
      SrvTestDevice *device)
{
  g_autoptr(GHashTable) fresh = NULL;
  gint64 cursor = device->cursor;

  device->cursor = 0;
  fresh = srv_test_pull_all (f->env, device, NULL);
  device->cursor = cursor;
  return held (f, fresh) == 7;
}

/* Named users only: named advocates and supervisors of the case's command, named
 * directors; never anyone else, never a named user outside the command, never the data
 * role. */
static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *other_client = srv_test_new_client (f->env, f->ben, "Lily");
  g_autofree char *other_case = srv_test_new_case (f->env, f->ben, other_client, "14");
  g_autoptr(GHashTable) s_ben = NULL;
  g_autoptr(GHashTable) s_dir = NULL;

  /* Before: the whole command, the supervisors, every director. */
  g_assert_true (sees (f, f->ben));
  g_assert_true (sees (f, f->sam));
  g_assert_true (sees (f, f->dir));
  g_assert_false (sees (f, f->cy));

  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana;cy;dora;sue");

  g_assert_true (sees (f, f->ana));
  g_assert_true (sees (f, f->sue));
  g_assert_true (sees (f, f->dora));
  g_assert_false (sees (f, f->ben));
  g_assert_false (sees (f, f->sam));
  g_assert_false (sees (f, f->dir));
  /* Named, but an advocate of another command: naming never widens a role's scope. */
  g_assert_false (sees (f, f->cy));
  g_assert_false (sees (f, f->dat));

  /* The rest of the command stays as it was. */
  s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  g_assert_true (g_hash_table_contains (s_ben, other_case));
  g_assert_true (g_hash_table_contains (s_ben, other_client));
  s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_assert_true (g_hash_table_contains (s_dir, other_case));

  /* The scope names users, never client data. */
  {
    g_autofree char *scope = srv_test_sql (f->env, "SELECT scope::text FROM record "
                                           "WHERE id = $1", f->kase, NULL);
    g_assert_cmpstr (scope, ==, "{named:ana,named:ana:14,named:cy,named:cy:14,named:dora,"
                     "named:dora:14,named:sue,named:sue:14,restricted}");
  }
}

/* Restricting, naming and opening up again reach every device on its next pull. */
static void
test_transitions (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GHashTable) s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  g_autoptr(GHashTable) s_sue = srv_test_pull_all (f->env, f->sue, NULL);
  g_autoptr(GHashTable) s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_autoptr(GHashTable) s_ana = srv_test_pull_all (f->env, f->ana, NULL);
  g_autoptr(ClWirePullResponse) p = NULL;

  g_assert_cmpuint (held (f, s_ben), ==, 7);
  g_assert_cmpuint (held (f, s_dir), ==, 7);

  /* Restricted, naming ana and sue: ben and the director are told to remove all 7. */
  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana;sue");
  p = srv_test_pull (f->env, f->ben, f->ben->cursor, 0);
  g_assert_cmpuint (p->changes->len, ==, 7);
  for (guint i = 0; i < p->changes->len; i++)
    g_assert_cmpint (((ClWirePullItem *) g_ptr_array_index (p->changes, i))->op, ==,
                     CL_WIRE_PULL_REMOVE);
  srv_test_pull_all (f->env, f->ben, s_ben);
  srv_test_pull_all (f->env, f->dir, s_dir);
  srv_test_pull_all (f->env, f->sue, s_sue);
  srv_test_pull_all (f->env, f->ana, s_ana);
  g_assert_cmpuint (held (f, s_ben), ==, 0);
  g_assert_cmpuint (held (f, s_dir), ==, 0);
  g_assert_cmpuint (held (f, s_sue), ==, 7);
  g_assert_cmpuint (held (f, s_ana), ==, 7);

  /* Sue is no longer named: she removes it; ana keeps it. */
  EDIT_OK (f, f->ana, "case", f->kase, "named_users", "ana");
  srv_test_pull_all (f->env, f->sue, s_sue);
  srv_test_pull_all (f->env, f->ana, s_ana);
  g_assert_cmpuint (held (f, s_sue), ==, 0);
  g_assert_cmpuint (held (f, s_ana), ==, 7);

  /* Ben becomes the assigned advocate: the assigned advocate always counts as named. */
  EDIT_OK (f, f->ana, "case", f->kase, "assigned_to", "ben");
  srv_test_pull_all (f->env, f->ben, s_ben);
  g_assert_cmpuint (held (f, s_ben), ==, 7);
  EDIT_OK (f, f->ana, "case", f->kase, "assigned_to", NULL);
  srv_test_pull_all (f->env, f->ben, s_ben);
  g_assert_cmpuint (held (f, s_ben), ==, 0);

  /* Opened up again: everyone who saw it before gets it back, at its current state. */
  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "0");
  srv_test_pull_all (f->env, f->ben, s_ben);
  srv_test_pull_all (f->env, f->sue, s_sue);
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_cmpuint (held (f, s_ben), ==, 7);
  g_assert_cmpuint (held (f, s_sue), ==, 7);
  g_assert_cmpuint (held (f, s_dir), ==, 7);
  g_assert_cmpstr (g_hash_table_lookup (((ClWirePullItem *) g_hash_table_lookup (s_ben, f->kase))->fields,
                                        "restricted"), ==, "0");

  /* Incremental copies agree with fresh pulls (the digest too). */
  {
    g_autoptr(SrvTestReply) r = srv_test_pull_raw (f->env, f->ben, f->ben->cursor, 0, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
}

/* Pushes by someone not named are refused and audited, and change nothing: to those who
 * may not see the case, it does not exist. */
static void
test_push_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *note = cl_uuid_new ();
  g_autofree char *other_case = cl_uuid_new ();
  gint64 denials;

  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana;dora;sue");
  denials = srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = 'denied'",
                              NULL);
  before = srv_test_sql (f->env, "SELECT string_agg(id::text || version || fields::text, ',' "
                         "ORDER BY id) FROM record WHERE type <> 'audit'", NULL);

  {
    g_autofree char *c1 = edit (f, f->ben, "case", f->kase, "status", "active", NULL);
    g_autofree char *c2 = edit (f, f->ben, "case", f->kase, "restricted", "0", NULL);
    g_autofree char *c3 = edit (f, f->ben, "client", f->client, "pseudonym", "Mine", NULL);
    g_autofree char *c4 = edit (f, f->ben, "task", f->children[2], "done", "1", NULL);
    g_autofree char *c5 = edit (f, f->sam, "case", f->kase, "named_users", "sam", NULL);
    g_autofree char *c6 = edit (f, f->dora, "case", f->kase, "status", "active", NULL);
    g_autoptr(ClWireResult) r7 = push (f, f->ben,
                                       srv_test_mutation (f->ben, "note", note, CL_WIRE_OP_PUT,
                                                          0, "case_id", f->kase,
                                                          "at", "2026-11-28T11:00:00Z",
                                                          "text", "x", NULL));
    /* A new case for the restricted case's client widens nothing either. */
    g_autoptr(ClWireResult) r8 = push (f, f->ben,
                                       srv_test_mutation (f->ben, "case", other_case,
                                                          CL_WIRE_OP_PUT, 0,
                                                          "client_id", f->client,
                                                          "command", "14", "track", "dv",
                                                          "status", "referred", NULL));

    g_assert_cmpstr (c1, ==, "not_found");
    g_assert_cmpstr (c2, ==, "not_found");
    g_assert_cmpstr (c3, ==, "not_found");
    g_assert_cmpstr (c4, ==, "not_found");
    g_assert_cmpstr (c5, ==, "not_found");
    /* A named director reads it, and writes nothing, as ever. */
    g_assert_cmpstr (c6, ==, "forbidden");
    g_assert_cmpstr (r7->code, ==, "parent_not_found");
    g_assert_cmpstr (r8->code, ==, "parent_not_found");
  }
  after = srv_test_sql (f->env, "SELECT string_agg(id::text || version || fields::text, ',' "
                        "ORDER BY id) FROM record WHERE type <> 'audit'", NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'forbidden'", NULL), ==,
                   denials + 1);
  g_assert_cmpint (srv_test_sql_int (f->env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'hidden'", NULL), ==, 5);

  /* The named supervisor writes it. */
  EDIT_OK (f, f->sue, "case", f->kase, "status", "active");
  EDIT_OK (f, f->sue, "task", f->children[2], "done", "1");
}

/* The answer to a push on @id by @device, as "code|message". */
static char *
answer (Fixture        *f,
        SrvTestDevice  *device,
        ClWireMutation *m)
{
  g_autoptr(ClWireResult) r = push (f, device, m);

  return g_strdup_printf ("%s|%s|%s", cl_wire_status_to_string (r->status), r->code,
                          r->message);
}

/* A push naming a record the user may not see answers exactly as one naming a record that
 * never existed: no "forbidden" or "type_mismatch" tells it is there. */
static void
test_no_oracle (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *unused = cl_uuid_new ();
  gint64 version;

  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana");
  version = srv_test_record_version (f->env, f->kase);

  for (guint i = 0; i < 6; i++)
    {
      const char *type = i % 3 == 0 ? "case" : i % 3 == 1 ? "note" : "client";
      SrvTestDevice *who = i < 3 ? f->ben : f->cy;
      g_autofree char *hidden = NULL;
      g_autofree char *never = NULL;

      /* An edit, of the right type or not. */
      hidden = answer (f, who, srv_test_mutation (who, type, f->kase, CL_WIRE_OP_PUT, version,
                                                  "status", "active", NULL));
      never = answer (f, who, srv_test_mutation (who, type, unused, CL_WIRE_OP_PUT, version,
                                                 "status", "active", NULL));
      g_assert_cmpstr (hidden, ==, never);
      g_clear_pointer (&hidden, g_free);
      g_clear_pointer (&never, g_free);

      /* A delete. */
      hidden = answer (f, who, srv_test_mutation (who, type, f->client, CL_WIRE_OP_DELETE,
                                                  version, NULL));
      never = answer (f, who, srv_test_mutation (who, type, unused, CL_WIRE_OP_DELETE,
                                                 version, NULL));
      g_assert_cmpstr (hidden, ==, never);
      g_assert_nonnull (strstr (hidden, "not_found"));
      g_clear_pointer (&hidden, g_free);
      g_clear_pointer (&never, g_free);
    }

  /* A new record under it. */
  {
    g_autofree char *n1 = cl_uuid_new ();
    g_autofree char *n2 = cl_uuid_new ();
    g_autofree char *hidden = answer (f, f->ben, srv_test_mutation (f->ben, "note", n1,
                                                                    CL_WIRE_OP_PUT, 0,
                                                                    "case_id", f->kase,
                                                                    "at", "2026-11-28T11:00:00Z",
                                                                    "text", "x", NULL));
    g_autofree char *never = answer (f, f->ben, srv_test_mutation (f->ben, "note", n2,
                                                                   CL_WIRE_OP_PUT, 0,
                                                                   "case_id", unused,
                                                                   "at", "2026-11-28T11:00:00Z",
                                                                   "text", "x", NULL));
    g_assert_cmpstr (hidden, ==, never);
    g_assert_nonnull (strstr (hidden, "parent_not_found"));
  }

  /* Its task's id for a new task of one's own case: refused, nothing changes. */
  {
    g_autofree char *client = srv_test_new_client (f->env, f->ben, "Lily");
    g_autofree char *own = srv_test_new_case (f->env, f->ben, client, "14");
    g_autofree char *before = srv_test_sql (f->env, "SELECT version || fields::text || "
                                            "parent_id FROM record WHERE id = $1",
                                            f->children[2], NULL);
    g_autofree char *after = NULL;
    g_autoptr(ClWireResult) r = push (f, f->ben,
                                      srv_test_mutation (f->ben, "task", f->children[2],
                                                         CL_WIRE_OP_PUT, 0,
                                                         "case_id", own, "title", "t",
                                                         "due", "2026-12-01", NULL));

    g_assert_cmpstr (r->code, ==, "forbidden");
    after = srv_test_sql (f->env, "SELECT version || fields::text || parent_id FROM record "
                          "WHERE id = $1", f->children[2], NULL);
    g_assert_cmpstr (before, ==, after);
  }
}

/* Creating a restricted case: the creator must be named, or name nobody (then the case is
 * the creator's alone, so it never becomes invisible to everyone). */
static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *client = srv_test_new_client (f->env, f->ben, "Iris");
  g_autofree char *others = cl_uuid_new ();
  g_autofree char *nobody = cl_uuid_new ();
  g_autoptr(ClWireResult) r1 = NULL;
  g_autoptr(ClWireResult) r2 = NULL;
  g_autoptr(GHashTable) s_ben = NULL;
  g_autoptr(GHashTable) s_ana = NULL;
  g_autoptr(GHashTable) s_dir = NULL;

  r1 = push (f, f->ben, srv_test_mutation (f->ben, "case", others, CL_WIRE_OP_PUT, 0,
                                           "client_id", client, "command", "14",
                                           "track", "dv", "status", "referred",
                                           "restricted", "1", "named_users", "ana", NULL));
  g_assert_cmpstr (r1->code, ==, "forbidden");

  r2 = push (f, f->ben, srv_test_mutation (f->ben, "case", nobody, CL_WIRE_OP_PUT, 0,
                                           "client_id", client, "command", "14",
                                           "track", "dv", "status", "referred",
                                           "restricted", "1", "assigned_to", "Not A Username",
                                           NULL));
  g_assert_cmpstr (cl_wire_status_to_string (r2->status), ==, "applied");
  s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  s_ana = srv_test_pull_all (f->env, f->ana, NULL);
  s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_assert_true (g_hash_table_contains (s_ben, nobody));
  g_assert_true (g_hash_table_contains (s_ben, client));
  g_assert_false (g_hash_table_contains (s_ana, nobody));
  g_assert_false (g_hash_table_contains (s_ana, client));
  g_assert_false (g_hash_table_contains (s_dir, nobody));
  g_assert_false (g_hash_table_contains (s_dir, client));
  g_assert_false (g_hash_table_contains (s_ben, others));

  /* A named user in any letter case as the assigned advocate counts. */
  EDIT_OK (f, f->ben, "case", nobody, "assigned_to", "Ana");
  g_clear_pointer (&s_ana, g_hash_table_unref);
  g_clear_pointer (&s_ben, g_hash_table_unref);
  s_ana = srv_test_pull_all (f->env, f->ana, NULL);
  s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  g_assert_true (g_hash_table_contains (s_ana, nobody));
  g_assert_false (g_hash_table_contains (s_ben, nobody));
}

/* A restricted client makes all its cases restricted, each visible to its own named users;
 * the client is visible to the named users of its cases. A client with an unrestricted
 * case stays visible to that case's command. */
static void
test_restricted_client (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *case20 = srv_test_new_case (f->env, f->sue, f->client, "20");
  g_autoptr(GHashTable) s_cy = NULL;
  g_autoptr(GHashTable) s_ben = NULL;
  g_autoptr(GHashTable) s_sue = NULL;
  g_autoptr(GHashTable) s_dir = NULL;

  EDIT_OK (f, f->sue, "case", case20, "named_users", "cy");
  EDIT_OK (f, f->ana, "case", f->kase, "named_users", "sue");
  s_cy = srv_test_pull_all (f->env, f->cy, NULL);
  s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_assert_true (g_hash_table_contains (s_cy, f->client));
  g_assert_cmpuint (held (f, s_ben), ==, 7);

  /* The case in 14 alone restricted, naming sue only (ana hands it over): the client
   * still shows in 20 and to directors. */
  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1");
  srv_test_pull_all (f->env, f->cy, s_cy);
  srv_test_pull_all (f->env, f->ben, s_ben);
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_true (g_hash_table_contains (s_cy, f->client));
  g_assert_true (g_hash_table_contains (s_cy, f->children[4]));
  g_assert_false (g_hash_table_contains (s_cy, f->kase));
  g_assert_cmpuint (held (f, s_ben), ==, 0);
  g_assert_true (g_hash_table_contains (s_dir, f->client));
  g_assert_false (g_hash_table_contains (s_dir, f->kase));
  g_assert_false (sees (f, f->ana));
  EDIT_OK (f, f->sue, "case", f->kase, "restricted", "0");

  /* The client restricted: both cases are, each to its named users (sue in 14 and 20 is
   * named on the case in 14 only; ana created that case but is not named on it). Ana, who
   * cannot see the case in 20, may not restrict it: only someone who sees both cases. */
  {
    g_autofree char *code = edit (f, f->ana, "client", f->client, "restricted", "1", NULL);
    g_assert_cmpstr (code, ==, "affects_hidden");
  }
  EDIT_OK (f, f->sue, "client", f->client, "restricted", "1");
  srv_test_pull_all (f->env, f->cy, s_cy);
  srv_test_pull_all (f->env, f->ben, s_ben);
  srv_test_pull_all (f->env, f->dir, s_dir);
  s_sue = srv_test_pull_all (f->env, f->sue, NULL);
  g_assert_true (g_hash_table_contains (s_cy, case20));
  g_assert_true (g_hash_table_contains (s_cy, f->client));
  g_assert_false (g_hash_table_contains (s_cy, f->kase));
  g_assert_cmpuint (held (f, s_ben), ==, 0);
  g_assert_cmpuint (held (f, s_sue), ==, 7);
  g_assert_false (g_hash_table_contains (s_sue, case20));
  g_assert_false (g_hash_table_contains (s_dir, f->client));
  g_assert_false (g_hash_table_contains (s_dir, case20));
  g_assert_false (sees (f, f->ana));

  /* Cy, named on the case in 20 only, may not lift it: that would open the case in 14,
   * where he is not named, to its whole command. Nothing changes. */
  {
    g_autofree char *before = srv_test_sql (f->env, "SELECT string_agg(id::text || version || "
                                            "scope::text, ',' ORDER BY id) FROM record", NULL);
    g_autofree char *code = edit (f, f->cy, "client", f->client, "restricted", "0", NULL);
    g_autofree char *after = srv_test_sql (f->env, "SELECT string_agg(id::text || version || "
                                           "scope::text, ',' ORDER BY id) FROM record", NULL);

    g_assert_cmpstr (code, ==, "affects_hidden");
    g_assert_cmpstr (before, ==, after);
    srv_test_pull_all (f->env, f->ben, s_ben);
    g_assert_cmpuint (held (f, s_ben), ==, 0);
  }

  /* Lifted by someone named on both: back to the commands. */
  EDIT_OK (f, f->cy, "case", case20, "named_users", "cy;sue");
  EDIT_OK (f, f->sue, "client", f->client, "restricted", "0");
  srv_test_pull_all (f->env, f->ben, s_ben);
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_cmpuint (held (f, s_ben), ==, 7);
  g_assert_true (g_hash_table_contains (s_dir, case20));
}

/* Deleting a case takes its command out of its client's scope: the other command's devices
 * remove the client at their next pull. Restoring the case brings it back. */
static void
test_delete_rescopes (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *case20 = srv_test_new_case (f->env, f->sue, f->client, "20");
  g_autoptr(GHashTable) s_cy = srv_test_pull_all (f->env, f->cy, NULL);
  g_autoptr(GHashTable) s_dir = NULL;
  g_autoptr(ClWireResult) del = NULL;
  g_autoptr(ClWireResult) edit20 = NULL;
  g_autoptr(ClWirePullResponse) p = NULL;
  g_autoptr(SrvTestReply) resolved = NULL;
  g_autofree char *path = NULL;
  gboolean removed = FALSE;

  g_assert_true (g_hash_table_contains (s_cy, f->client));
  g_assert_true (g_hash_table_contains (s_cy, f->children[4]));

  del = push (f, f->sue, srv_test_mutation (f->sue, "case", case20, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, case20), NULL));
  g_assert_cmpstr (cl_wire_status_to_string (del->status), ==, "applied");
  p = srv_test_pull (f->env, f->cy, f->cy->cursor, 0);
  for (guint i = 0; i < p->changes->len; i++)
    {
      ClWirePullItem *item = g_ptr_array_index (p->changes, i);

      removed |= strcmp (item->record, f->client) == 0 && item->op == CL_WIRE_PULL_REMOVE;
    }
  g_assert_true (removed);
  srv_test_pull_all (f->env, f->cy, s_cy);
  g_assert_false (g_hash_table_contains (s_cy, f->client));
  g_assert_false (g_hash_table_contains (s_cy, f->children[4]));
  g_assert_false (g_hash_table_contains (s_cy, case20));
  {
    g_autofree char *scope = srv_test_sql (f->env, "SELECT scope::text FROM record "
                                           "WHERE id = $1", f->client, NULL);
    g_assert_cmpstr (scope, ==, "{cmd:14}");
  }

  /* Restored (an edit of the deleted case, kept): the client is in 20 again. */
  edit20 = push (f, f->cy, srv_test_mutation (f->cy, "case", case20, CL_WIRE_OP_PUT,
                                              srv_test_record_version (f->env, case20),
                                              "status", "active", NULL));
  g_assert_cmpstr (cl_wire_status_to_string (edit20->status), ==, "conflict");
  path = g_strdup_printf ("/v1/conflicts/%s/resolve",
                          ((ClWireConflict *) g_ptr_array_index (edit20->conflicts, 0))->conflict_id);
  resolved = srv_test_request (f->env, "POST", path, f->cy->token, "{\"keep\":\"mine\"}", -1);
  g_assert_cmpuint (resolved->status, ==, 200);
  srv_test_pull_all (f->env, f->cy, s_cy);
  g_assert_true (g_hash_table_contains (s_cy, f->client));
  g_assert_true (g_hash_table_contains (s_cy, f->children[4]));
  g_assert_true (g_hash_table_contains (s_cy, case20));

  /* A client whose only case was restricted and is deleted stays restricted: the directors
   * do not get it. */
  EDIT_OK (f, f->sue, "case", case20, "restricted", "1", "named_users", "sue");
  EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana");
  s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_assert_false (g_hash_table_contains (s_dir, f->client));
  g_clear_pointer (&del, cl_wire_result_free);
  del = push (f, f->ana, srv_test_mutation (f->ana, "case", f->kase, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, f->kase), NULL));
  g_assert_cmpstr (cl_wire_status_to_string (del->status), ==, "applied");
  g_clear_pointer (&del, cl_wire_result_free);
  del = push (f, f->sue, srv_test_mutation (f->sue, "case", case20, CL_WIRE_OP_DELETE,
                                            srv_test_record_version (f->env, case20), NULL));
  g_assert_cmpstr (cl_wire_status_to_string (del->status), ==, "applied");
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_false (g_hash_table_contains (s_dir, f->client));
  g_assert_false (sees (f, f->sue));
}

/* A lone restricted client: its creator's, not the directors'. */
static void
test_lone_client (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *lone = cl_uuid_new ();
  g_autoptr(ClWireResult) r = push (f, f->ana, srv_test_mutation (f->ana, "client", lone,
                                                                  CL_WIRE_OP_PUT, 0,
                                                                  "pseudonym", "Iris",
                                                                  "restricted", "1", NULL));
  g_autoptr(GHashTable) s_ana = NULL;
  g_autoptr(GHashTable) s_dir = NULL;

  g_assert_cmpstr (cl_wire_status_to_string (r->status), ==, "applied");
  s_ana = srv_test_pull_all (f->env, f->ana, NULL);
  s_dir = srv_test_pull_all (f->env, f->dir, NULL);
  g_assert_true (g_hash_table_contains (s_ana, lone));
  g_assert_false (g_hash_table_contains (s_dir, lone));

  EDIT_OK (f, f->ana, "client", lone, "restricted", "0");
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_true (g_hash_table_contains (s_dir, lone));
  EDIT_OK (f, f->ana, "client", lone, "restricted", "1");
  srv_test_pull_all (f->env, f->dir, s_dir);
  g_assert_false (g_hash_table_contains (s_dir, lone));
}

/* The answer of @device to a report: its status, and the JSON without its generation
 * time. @extra is added to the request's members. */
static char *
report_full (Fixture       *f,
             SrvTestDevice *device,
             const char    *name,
             const char    *extra,
             guint         *status)
{
  g_autofree char *body = g_strdup_printf ("{\"from\": \"2026-01-01\", \"to\": \"2026-12-31\", "
                                           "\"today\": \"2026-12-01\"%s}", extra);
  g_autofree char *path = g_strconcat ("/v1/reports/", name, NULL);
  g_autoptr(SrvTestReply) reply = srv_test_request (f->env, "POST", path, device->token, body,
                                                    -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;

  *status = reply->status;
  if (reply->status != 200)
    return NULL;
  json_parser_load_from_data (parser, srv_test_reply_text (reply), -1, &error);
  g_assert_no_error (error);
  json_object_remove_member (json_node_get_object (json_parser_get_root (parser)),
                             "generated_at");
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

/* Internal figures, which a supervisor or director may ask for. */
static char *
report (Fixture       *f,
        SrvTestDevice *device,
        const char    *name)
{
  guint status;
  char *json = report_full (f, device, name, ", \"outside\": false", &status);

  g_assert_cmpuint (status, ==, 200);
  return json;
}

/* Reports count a restricted case for its named users only, and name nothing; advocates
 * ask none, and small cells are suppressed unless internal figures are asked for. */
static void
test_reports_scope (Fixture       *f,
                    gconstpointer  data)
{
  const char *names[] = { "caseload", "referrals", "outreach", "data-quality" };

  /* Counted in each: open, assigned, referred in the period, contacted. */
  EDIT_OK (f, f->ana, "case", f->kase, "status", "active", "assigned_to", "ana",
           "referral_received_at", "2026-11-27T10:00:00Z");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *open_sam = NULL, *open_sue = NULL, *open_dir = NULL;
      g_autofree char *open_dora = NULL, *open_dat = NULL;
      g_autofree char *restricted_sam = NULL, *restricted_sue = NULL, *restricted_dir = NULL;
      g_autofree char *restricted_dora = NULL, *restricted_dat = NULL;
      guint status;

      EDIT_OK (f, f->ana, "case", f->kase, "restricted", "0");
      open_sam = report (f, f->sam, names[i]);
      open_sue = report (f, f->sue, names[i]);
      open_dir = report (f, f->dir, names[i]);
      open_dora = report (f, f->dora, names[i]);
      open_dat = report_full (f, f->dat, names[i], ", \"threshold\": 0", &status);
      g_assert_cmpuint (status, ==, 200);
      EDIT_OK (f, f->ana, "case", f->kase, "restricted", "1", "named_users", "ana;dora;sue");
      restricted_sam = report (f, f->sam, names[i]);
      restricted_sue = report (f, f->sue, names[i]);
      restricted_dir = report (f, f->dir, names[i]);
      restricted_dora = report (f, f->dora, names[i]);
      restricted_dat = report_full (f, f->dat, names[i], ", \"threshold\": 0", &status);
      g_assert_cmpuint (status, ==, 200);

      /* Named: counted as before. Not named: no longer counted. */
      g_assert_cmpstr (open_sue, ==, restricted_sue);
      g_assert_cmpstr (open_dora, ==, restricted_dora);
      g_assert_cmpstr (open_sam, !=, restricted_sam);
      g_assert_cmpstr (open_dir, !=, restricted_dir);
      g_assert_cmpstr (open_dat, !=, restricted_dat);
      g_assert_null (strstr (restricted_sue, f->kase));
      g_assert_null (strstr (restricted_sue, f->client));
      g_assert_null (strstr (restricted_sue, "Rose"));
      g_assert_null (strstr (restricted_sue, "Met at precinct"));
    }

  /* Narrowed to the named advocate, the unnamed supervisor's report counts nothing. */
  {
    g_autofree char *narrowed = NULL;
    g_autofree char *nobody = NULL;
    guint status;

    narrowed = report_full (f, f->sam, "caseload", ", \"outside\": false, \"advocate\": \"ana\"",
                            &status);
    g_assert_cmpuint (status, ==, 200);
    nobody = report_full (f, f->sam, "caseload", ", \"outside\": false, \"advocate\": \"zed\"",
                          &status);
    g_assert_cmpuint (status, ==, 200);
    /* The same answer but for the parameter echoed. */
    memcpy (strstr (nobody, "\"advocate\":\"zed\"") + strlen ("\"advocate\":\""), "ana", 3);
    g_assert_cmpstr (narrowed, ==, nobody);
  }

  /* Advocates ask none; data staff get no internal figures. */
  {
    guint status;
    g_autofree char *ben = report_full (f, f->ben, "caseload", "", &status);
    g_autofree char *dat = NULL;
    g_autofree char *sue = NULL;

    g_assert_cmpuint (status, ==, 403);
    g_assert_null (ben);
    dat = report_full (f, f->dat, "caseload", ", \"outside\": false", &status);
    g_assert_cmpuint (status, ==, 403);
    /* Suppressed unless asked otherwise. */
    sue = report_full (f, f->sue, "caseload", "", &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (sue, "\"suppressed\":true"));
    g_clear_pointer (&sue, g_free);
    sue = report (f, f->sue, "caseload");
    g_assert_nonnull (strstr (sue, "\"suppressed\":false"));
  }
}

/* Migration 3: cases restricted before it get their named users' scope, and the devices
 * that may no longer see them are told to remove them. */
static void
test_migration (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GHashTable) s_ben = NULL;
  g_autofree char *output = NULL;

  /* Written for schema 9 as the latest: a new migration adds its undoing below. */
  g_assert_cmpint (srv_migrate_latest (), ==, 9);

  /* A database of schema 2: the flag set, scopes by command (pulled while the running
   * server still has its columns), then without the columns and tables of migrations 4 to 9. */
  srv_test_sql (f->env, "UPDATE record SET fields = fields || '{\"restricted\": \"1\", "
                "\"assigned_to\": \"ana\"}' WHERE id = $1", f->kase, NULL);
  s_ben = srv_test_pull_all (f->env, f->ben, NULL);
  g_assert_cmpuint (held (f, s_ben), ==, 7);
  srv_test_sql (f->env, "DROP TRIGGER record_digest ON record", NULL);
  srv_test_sql (f->env, "DROP TABLE record_digest, record_digest_delta, record_digest_fold",
                NULL);
  srv_test_sql (f->env, "DROP FUNCTION record_digest_track (), record_digest_fold (), "
                "record_digest_term (uuid, bigint)", NULL);
  srv_test_sql (f->env, "DROP TABLE refresh_token", NULL);
  srv_test_sql (f->env, "ALTER TABLE device DROP COLUMN signed_in_at", NULL);
  srv_test_sql (f->env, "ALTER TABLE account DROP COLUMN password_must_change", NULL);
  srv_test_sql (f->env, "ALTER TABLE device ALTER COLUMN name SET NOT NULL", NULL);
  srv_test_sql (f->env, "ALTER TABLE conflict DROP COLUMN superseded_by", NULL);
  srv_test_sql (f->env, "ALTER TABLE device DROP COLUMN seq_reset", NULL);
  srv_test_sql (f->env, "ALTER TABLE conflict DROP CONSTRAINT conflict_resolution_check", NULL);
  srv_test_sql (f->env, "ALTER TABLE conflict ADD CONSTRAINT conflict_resolution_check "
                "CHECK (resolution IN ('theirs', 'mine', 'value'))", NULL);
  srv_test_sql (f->env, "ALTER TABLE account DROP COLUMN scope_epoch", NULL);
  srv_test_sql (f->env, "ALTER TABLE device DROP COLUMN scope_epoch", NULL);
  srv_test_sql (f->env, "ALTER TABLE login_throttle DROP COLUMN next_at", NULL);
  srv_test_sql (f->env, "DELETE FROM schema_migrations WHERE version >= 3", NULL);

  g_assert_cmpint (srv_test_cli (f->env, &output, "migrate", NULL), ==, 0);
  /* It reminds to back up first, then says what it applied. */
  g_assert_cmpstr (output, ==,
                   "Migrating the database from schema 2 to 9. A migration cannot be undone: "
                   "back up the database first (pg_dump; docs/DEPLOYMENT.md)\n"
                   "Applied migrations 003, 004, 005, 006, 007, 008, 009\n");
  srv_test_pull_all (f->env, f->ben, s_ben);
  g_assert_cmpuint (held (f, s_ben), ==, 0);
  g_assert_true (sees (f, f->ana));
  g_assert_false (sees (f, f->dir));
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/server/restricted/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("scope", test_scope);
  ADD ("transitions", test_transitions);
  ADD ("push-refused", test_push_refused);
  ADD ("no-oracle", test_no_oracle);
  ADD ("create", test_create);
  ADD ("restricted-client", test_restricted_client);
  ADD ("delete-rescopes", test_delete_rescopes);
  ADD ("lone-client", test_lone_client);
  ADD ("reports-scope", test_reports_scope);
  ADD ("migration", test_migration);
#undef ADD
  return g_test_run ();
}
