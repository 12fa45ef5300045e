/* test-authz.c: S11, an authorization property test. Random (user, record, operation)
 * triples, forged cursors and forged ids included, are sent to the server and compared with
 * a small model of the access rules written here, independently of server/srv-scope.c:
 * roles and commands, and restricted cases and clients visible to named users only.
 * Pass: zero differences in what is read and what is written, every denial audited, a
 * denied operation changes nothing.
 *
 * CASELOAD_TEST_LONG=1 runs ten times as many operations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

/* ---- The model ---------------------------------------------------------------------- */

typedef enum { ADVOCATE, SUPERVISOR, DIRECTOR, DATA, ADMIN } Role;

typedef struct {
  const char    *name;
  const char    *role_name;
  Role           role;
  const char    *commands[3];
  SrvTestDevice *device;
} User;

static User users[] = {
  { "a14", "advocate_dv", ADVOCATE, { "14", NULL } },
  { "b14", "advocate_cv", ADVOCATE, { "14", "PSA 2", NULL } },
  { "a20", "advocate_cv", ADVOCATE, { "20", NULL } },
  { "s1420", "supervisor", SUPERVISOR, { "14", "20", NULL } },
  { "spsa", "supervisor", SUPERVISOR, { "PSA 2", NULL } },
  { "dir", "director", DIRECTOR, { NULL } },
  { "dat", "data", DATA, { NULL } },
  { "adm", "admin", ADMIN, { NULL } },
};

static const char *all_commands[] = { "14", "20", "PSA 2" };

typedef struct {
  char       *id;
  const char *type;
  char       *parent;      /* case_id or client_id */
  char       *command;     /* cases */
  guint       creator;     /* index in users */
  gboolean    deleted;
  gboolean    restricted;  /* cases and clients */
  guint       named;       /* cases: the named users, a bit per index in users */
  int         assigned;    /* cases: the assigned advocate's index, or -1 (none, free text) */
} Rec;

typedef struct {
  SrvTestEnv *env;
  GPtrArray  *recs;        /* Rec */
  GHashTable *by_id;       /* id → Rec */
  GRand      *rand;
  guint       denials;
  guint       ops;
  guint       applied;
  GHashTable *incremental[G_N_ELEMENTS (users)];
} World;

static gboolean
holds (const User *u,
       const char *command)
{
  for (guint i = 0; u->commands[i] != NULL; i++)
    if (strcmp (u->commands[i], command) == 0)
      return TRUE;
  return FALSE;
}

/* The access rules, from first principles: PROTOCOL.md, "Scope", and DOMAIN.md rule 4. */

static gboolean
has_commands (guint u)
{
  return users[u].role == ADVOCATE || users[u].role == SUPERVISOR;
}

static Rec *
parent_of (World *w,
           Rec   *r)
{
  return g_hash_table_lookup (w->by_id, r->parent);
}

/* A case is restricted when it or its client is. */
static gboolean
case_restricted (World *w,
                 Rec   *c)
{
  Rec *client = parent_of (w, c);

  return c->restricted || (client != NULL && client->restricted);
}

/* The named users and the assigned advocate. */
static gboolean
named_on (guint  u,
          Rec   *c)
{
  return (c->named & (1u << u)) != 0 || c->assigned == (int) u;
}

static gboolean
sees_case (World *w,
           guint  u,
           Rec   *c)
{
  gboolean nobody_named = c->named == 0 && c->assigned < 0;

  if (!case_restricted (w, c))
    return users[u].role == DIRECTOR || (has_commands (u) && holds (&users[u], c->command));
  if (nobody_named)
    return has_commands (u) && c->creator == u;
  if (users[u].role == DIRECTOR)
    return named_on (u, c);
  return has_commands (u) && named_on (u, c) && holds (&users[u], c->command);
}

/* A client follows its cases (deleted ones too); without one, its creator, and directors
 * unless it is restricted. */
static gboolean
sees_client (World *w,
             guint  u,
             Rec   *k)
{
  gboolean any_case = FALSE;

  for (guint i = 0; i < w->recs->len; i++)
    {
      Rec *c = g_ptr_array_index (w->recs, i);

      if (strcmp (c->type, "case") != 0 || strcmp (c->parent, k->id) != 0)
        continue;
      any_case = TRUE;
      if (sees_case (w, u, c))
        return TRUE;
    }
  if (any_case)
    return FALSE;
  if (users[u].role == DIRECTOR)
    return !k->restricted;
  return has_commands (u) && k->creator == u;
}

static gboolean
model_can_read (World *w,
                guint  u,
                Rec   *r)
{
  Rec *parent;

  if (strcmp (r->type, "partner") == 0)
    return TRUE;
  if (strcmp (r->type, "audit") == 0)
    return r->creator == u;
  if (strcmp (r->type, "case") == 0)
    return sees_case (w, u, r);
  if (strcmp (r->type, "client") == 0)
    return sees_client (w, u, r);
  parent = parent_of (w, r);
  if (strcmp (parent->type, "case") == 0)
    return sees_case (w, u, parent);
  return sees_client (w, u, parent);
}

/* Advocates and supervisors write the case content they read; nobody else writes any. */
static gboolean
model_can_write (World *w,
                 guint  u,
                 Rec   *r)
{
  if (strcmp (r->type, "audit") == 0)
    return r->creator == u;
  if (strcmp (r->type, "partner") == 0)
    return users[u].role == ADMIN || users[u].role == SUPERVISOR;
  return has_commands (u) && model_can_read (w, u, r);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The named_users value of a set of users, normalized: sorted, ';' between. */
static char *
names_of (guint mask)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    if (mask & (1u << u))
      g_ptr_array_add (names, (gpointer) users[u].name);
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (";", (char **) names->pdata);
}

/* A random restriction for a case: the flag, named users (often nobody), an assigned
 * advocate as a username (any letter case), as free text naming nobody, or none. */
static void
random_restriction (World     *w,
                    gboolean  *restricted,
                    guint     *named,
                    int       *assigned,
                    char     **named_value,
                    char     **assigned_value)
{
  int pick = g_rand_int_range (w->rand, 0, 4);

  *restricted = g_rand_int_range (w->rand, 0, 3) > 0;
  *named = 0;
  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    if (g_rand_int_range (w->rand, 0, 4) == 0)
      *named |= 1u << u;
  *named_value = names_of (*named);
  *assigned = -1;
  *assigned_value = NULL;
  if (pick == 1)
    *assigned_value = g_strdup ("Somebody Else");
  else if (pick >= 2)
    {
      *assigned = g_rand_int_range (w->rand, 0, G_N_ELEMENTS (users));
      *assigned_value = pick == 2 ? g_strdup (users[*assigned].name)
                                  : g_ascii_strup (users[*assigned].name, -1);
    }
}

static gboolean
append_only (const char *type)
{
  return strcmp (type, "note") == 0 || strcmp (type, "contact") == 0 ||
         strcmp (type, "audit") == 0;
}

/* ---- Talking to the server ------------------------------------------------------------ */

static ClWireResult *
push (World          *w,
      guint           u,
      ClWireMutation *m)
{
  return srv_test_push_one (w->env, users[u].device, m);
}

static Rec *
add_rec (World      *w,
         const char *id,
         const char *type,
         const char *parent,
         const char *command,
         guint       creator)
{
  Rec *r = g_new0 (Rec, 1);

  r->id = g_strdup (id);
  r->type = type;
  r->parent = g_strdup (parent);
  r->command = g_strdup (command);
  r->creator = creator;
  r->assigned = -1;
  g_ptr_array_add (w->recs, r);
  g_hash_table_insert (w->by_id, r->id, r);
  return r;
}

static ClWireMutation *
create_mutation (World      *w,
                 guint       u,
                 const char *type,
                 const char *id,
                 const char *parent,
                 const char *command)
{
  SrvTestDevice *d = users[u].device;

  if (strcmp (type, "client") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "pseudonym", "P", NULL);
  if (strcmp (type, "case") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "client_id", parent,
                              "command", command, "track", "cv", "status", "referred", NULL);
  if (strcmp (type, "note") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "case_id", parent,
                              "at", "2026-11-28T10:00:00Z", "text", "n", NULL);
  if (strcmp (type, "task") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "case_id", parent,
                              "due", "2026-12-01", "title", "t", NULL);
  if (strcmp (type, "contact") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "case_id", parent,
                              "at", "2026-11-28T10:00:00Z", "channel", "phone",
                              "outcome", "reached", NULL);
  if (strcmp (type, "safe_contact") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "client_id", parent,
                              "channel", "sms", "safe", "yes", NULL);
  if (strcmp (type, "partner") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "name", "Org", NULL);
  if (strcmp (type, "audit") == 0)
    return srv_test_mutation (d, type, id, CL_WIRE_OP_PUT, 0, "user", users[u].name,
                              "at", "2026-11-28T10:00:00Z", "action", "view", NULL);
  g_assert_not_reached ();
}

/* Creates through a user allowed to, as set-up. */
static char *
seed (World      *w,
      guint       u,
      const char *type,
      const char *parent,
      const char *command)
{
  char *id = cl_uuid_new ();
  g_autoptr(ClWireResult) r = push (w, u, create_mutation (w, u, type, id, parent, command));

  if (r->status != CL_WIRE_STATUS_APPLIED)
    g_error ("seeding %s by %s: %s", type, users[u].name, r->code);
  add_rec (w, id, type, parent, command, u);
  return id;
}

/* A restricted case naming @named (a bit per user), or a restricted lone client
 * (@command %NULL). */
static char *
seed_restricted (World      *w,
                 guint       u,
                 const char *parent,
                 const char *command,
                 guint       named)
{
  char *id = cl_uuid_new ();
  g_autofree char *names = names_of (named);
  g_autoptr(ClWireResult) r = NULL;
  Rec *rec;

  if (command == NULL)
    r = push (w, u, srv_test_mutation (users[u].device, "client", id, CL_WIRE_OP_PUT, 0,
                                       "pseudonym", "P", "restricted", "1", NULL));
  else
    r = push (w, u, srv_test_mutation (users[u].device, "case", id, CL_WIRE_OP_PUT, 0,
                                       "client_id", parent, "command", command, "track", "dv",
                                       "status", "active", "restricted", "1",
                                       "named_users", names, NULL));
  if (r->status != CL_WIRE_STATUS_APPLIED)
    g_error ("seeding a restricted record by %s: %s", users[u].name, r->code);
  rec = add_rec (w, id, command != NULL ? "case" : "client", parent, command, u);
  rec->restricted = TRUE;
  rec->named = named;
  return id;
}

static const char *
edit_field (const char *type,
            const char **value,
            GRand      *rand)
{
  static const char *statuses[] = { "referred", "outreach", "active", "on_hold" };

  if (strcmp (type, "case") == 0)
    {
      *value = statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))];
      return "status";
    }
  *value = g_rand_boolean (rand) ? "alpha" : "beta";
  if (strcmp (type, "client") == 0) return "pseudonym";
  if (strcmp (type, "task") == 0) return "title";
  if (strcmp (type, "note") == 0) return "text";
  if (strcmp (type, "contact") == 0) { *value = "no_answer"; return "outcome"; }
  if (strcmp (type, "safe_contact") == 0) return "safe_times";
  if (strcmp (type, "partner") == 0) return "name";
  if (strcmp (type, "audit") == 0) return "reason";
  g_assert_not_reached ();
}

static void
expect (World        *w,
        const char   *what,
        guint         u,
        ClWireResult *r,
        const char   *status,
        const char   *code)
{
  if (strcmp (cl_wire_status_to_string (r->status), status) != 0 || g_strcmp0 (r->code, code) != 0)
    g_error ("op %u: %s by %s: server said %s/%s, the rules say %s/%s", w->ops, what,
             users[u].name, cl_wire_status_to_string (r->status), r->code, status, code);
  if (g_strcmp0 (code, "forbidden") == 0)
    w->denials++;
  if (strcmp (status, "applied") == 0)
    w->applied++;
}

/* One random operation on one random record by one random user. */
static void
random_op (World *w)
{
  guint u = g_rand_int_range (w->rand, 0, G_N_ELEMENTS (users));
  Rec *rec = g_ptr_array_index (w->recs, g_rand_int_range (w->rand, 0, w->recs->len));
  int kind = g_rand_int_range (w->rand, 0, 100);
  gint64 version = srv_test_record_version (w->env, rec->id);
  g_autofree char *before = srv_test_sql (w->env, "SELECT version || fields::text || "
                                          "scope::text || deleted FROM record WHERE id = $1",
                                          rec->id, NULL);
  g_autoptr(ClWireResult) r = NULL;
  gboolean writable = model_can_write (w, u, rec);
  gboolean denied = FALSE;

  w->ops++;
  if (kind < 40)
    {
      /* Edit a field. */
      const char *value;
      const char *field = edit_field (rec->type, &value, w->rand);
      const char *status = "applied", *code = NULL;

      r = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id, CL_WIRE_OP_PUT,
                                         version, field, value, NULL));
      if (!writable)
        status = "rejected", code = "forbidden", denied = TRUE;
      else if (append_only (rec->type))
        status = "rejected", code = "append_only", denied = TRUE;
      else if (rec->deleted)
        status = "conflict";
      expect (w, "edit", u, r, status, code);
    }
  else if (kind < 50)
    {
      /* Delete. */
      const char *status = "applied", *code = NULL;

      r = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id,
                                         CL_WIRE_OP_DELETE, version, NULL));
      if (!writable)
        status = "rejected", code = "forbidden", denied = TRUE;
      else if (append_only (rec->type))
        status = "rejected", code = "append_only", denied = TRUE;
      expect (w, "delete", u, r, status, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        rec->deleted = TRUE;
    }
  else if (kind < 65 && strcmp (rec->type, "case") == 0)
    {
      /* Move a case to another command. */
      const char *to = all_commands[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (all_commands))];
      const char *status = "applied", *code = NULL;

      r = push (w, u, srv_test_mutation (users[u].device, "case", rec->id, CL_WIRE_OP_PUT,
                                         version, "command", to, NULL));
      if (!writable || (strcmp (to, rec->command) != 0 && !holds (&users[u], to)))
        status = "rejected", code = "forbidden", denied = TRUE;
      else if (rec->deleted)
        status = "conflict";
      expect (w, "move", u, r, status, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          g_free (rec->command);
          rec->command = g_strdup (to);
        }
    }
  else if (kind < 75 && strcmp (rec->type, "case") == 0)
    {
      /* Restrict a case (or lift it), naming users. */
      const char *status = "applied", *code = NULL;
      g_autofree char *named_value = NULL;
      g_autofree char *assigned_value = NULL;
      gboolean restricted;
      guint named;
      int assigned;

      random_restriction (w, &restricted, &named, &assigned, &named_value, &assigned_value);
      r = push (w, u, srv_test_mutation (users[u].device, "case", rec->id, CL_WIRE_OP_PUT,
                                         version, "restricted", restricted ? "1" : "0",
                                         "named_users", named_value,
                                         "assigned_to", assigned_value, NULL));
      if (!writable)
        status = "rejected", code = "forbidden", denied = TRUE;
      else if (rec->deleted)
        status = "conflict";
      expect (w, "restrict", u, r, status, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          rec->restricted = restricted;
          rec->named = named;
          rec->assigned = assigned;
        }
    }
  else if (kind < 75 && strcmp (rec->type, "client") == 0)
    {
      /* Restrict a client (or lift it). */
      const char *status = "applied", *code = NULL;
      gboolean restricted = !rec->restricted;

      r = push (w, u, srv_test_mutation (users[u].device, "client", rec->id, CL_WIRE_OP_PUT,
                                         version, "restricted", restricted ? "1" : "0", NULL));
      if (!writable)
        status = "rejected", code = "forbidden", denied = TRUE;
      else if (rec->deleted)
        status = "conflict";
      expect (w, "restrict client", u, r, status, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        rec->restricted = restricted;
    }
  else if (kind < 90)
    {
      /* Create something under this record (or a case for this client, or a lone
       * client, a partner, an audit event). */
      g_autofree char *id = cl_uuid_new ();
      g_autofree char *named_value = NULL;
      g_autofree char *assigned_value = NULL;
      const char *type, *parent = NULL, *command = NULL, *status = "applied", *code = NULL;
      Rec new_case = { .id = id, .type = "case", .creator = u, .assigned = -1 };
      gboolean restriction = FALSE;
      gboolean allowed;

      if (strcmp (rec->type, "case") == 0)
        {
          const char *children[] = { "note", "task", "contact" };
          type = children[g_rand_int_range (w->rand, 0, 3)];
          parent = rec->id;
          allowed = writable;
        }
      else if (strcmp (rec->type, "client") == 0)
        {
          if (g_rand_boolean (w->rand))
            {
              type = "safe_contact";
              allowed = writable;
            }
          else
            {
              /* A case, a third of them restricted: the creator must be allowed to
               * write it where it goes, named on it when it names anyone. */
              type = "case";
              command = all_commands[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (all_commands))];
              new_case.parent = rec->id;
              new_case.command = (char *) command;
              restriction = g_rand_int_range (w->rand, 0, 3) == 0;
              if (restriction)
                random_restriction (w, &new_case.restricted, &new_case.named,
                                    &new_case.assigned, &named_value, &assigned_value);
              allowed = writable && holds (&users[u], command) &&
                        sees_case (w, u, &new_case);
            }
          parent = rec->id;
        }
      else
        {
          const char *loose[] = { "client", "partner", "audit" };
          type = loose[g_rand_int_range (w->rand, 0, 3)];
          if (strcmp (type, "client") == 0)
            allowed = users[u].role == ADVOCATE || users[u].role == SUPERVISOR;
          else if (strcmp (type, "partner") == 0)
            allowed = users[u].role == ADMIN || users[u].role == SUPERVISOR;
          else
            allowed = TRUE;
        }

      /* A case made with a random restriction carries all of it, named users and assigned
       * advocate too when the flag is off: under a restricted client they still count. */
      if (restriction)
        r = push (w, u, srv_test_mutation (users[u].device, "case", id, CL_WIRE_OP_PUT, 0,
                                           "client_id", parent, "command", command,
                                           "track", "cv", "status", "referred",
                                           "restricted", new_case.restricted ? "1" : "0",
                                           "named_users", named_value,
                                           "assigned_to", assigned_value, NULL));
      else
        r = push (w, u, create_mutation (w, u, type, id, parent, command));
      if (parent != NULL && ((Rec *) g_hash_table_lookup (w->by_id, parent))->deleted)
        status = "rejected", code = "parent_not_found";
      else if (!allowed)
        status = "rejected", code = "forbidden";
      {
        g_autofree char *what = g_strdup_printf ("create %s (%s) under %s %s", type,
                                                 new_case.restricted ? "restricted" : "open",
                                                 rec->type, rec->id);

        expect (w, what, u, r, status, code);
      }
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          Rec *added = add_rec (w, id, type, parent, command, u);

          added->restricted = new_case.restricted;
          added->named = new_case.named;
          added->assigned = new_case.assigned;
        }
    }
  else
    {
      /* Forgeries: another device's id in a push, a cursor from the future, a
       * conflict id out of thin air. */
      g_autoptr(SrvTestReply) reply = NULL;
      g_autoptr(GPtrArray) batch =
        g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
      guint other = (u + 1) % G_N_ELEMENTS (users);
      ClWirePushRequest request = { users[other].device->device_id, batch };
      g_autofree char *body = NULL;
      g_autofree char *conflict = cl_uuid_new ();
      g_autofree char *path = g_strdup_printf ("/v1/conflicts/%s/resolve", conflict);
      ClWireMutation *m;
      gsize len;

      m = srv_test_mutation (users[u].device, rec->type, rec->id, CL_WIRE_OP_DELETE, version,
                             NULL);
      m->seq = users[u].device->next_seq;
      g_ptr_array_add (batch, m);
      body = cl_wire_push_request_encode (&request, &len);
      reply = srv_test_request (w->env, "POST", "/v1/push", users[u].device->token, body, len);
      g_assert_cmpuint (reply->status, ==, 403);
      g_clear_pointer (&reply, srv_test_reply_free);

      reply = srv_test_pull_raw (w->env, users[u].device,
                                 srv_test_sql_int (w->env, "SELECT v FROM sync_clock", NULL) +
                                 g_rand_int_range (w->rand, 1, 1000000), 0, NULL);
      g_assert_cmpuint (reply->status, ==, 410);
      g_clear_pointer (&reply, srv_test_reply_free);

      reply = srv_test_request (w->env, "POST", path, users[u].device->token,
                                "{\"keep\":\"theirs\"}", -1);
      g_assert_cmpuint (reply->status, ==, 404);
      denied = TRUE;
    }

  /* A refused operation leaves the record exactly as it was. */
  if (denied)
    {
      g_autofree char *after = srv_test_sql (w->env, "SELECT version || fields::text || "
                                             "scope::text || deleted FROM record WHERE id = $1",
                                             rec->id, NULL);
      g_assert_cmpstr (before, ==, after);
    }
}

/* Every user pulls everything: what they get is exactly what the rules let them read. */
static void
compare_reads (World *w)
{
  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_autoptr(GHashTable) fresh = NULL;
      guint expected = 0;
      gint64 cursor = users[u].device->cursor;

      users[u].device->cursor = 0;
      fresh = srv_test_pull_all (w->env, users[u].device, NULL);
      users[u].device->cursor = cursor;
      /* The same user's incremental copy (puts, deletes, removes) must agree. */
      w->incremental[u] = srv_test_pull_all (w->env, users[u].device, w->incremental[u]);

      for (guint i = 0; i < w->recs->len; i++)
        {
          Rec *r = g_ptr_array_index (w->recs, i);
          gboolean model = !r->deleted && model_can_read (w, u, r);
          gboolean server = g_hash_table_contains (fresh, r->id);
          gboolean incremental = g_hash_table_contains (w->incremental[u], r->id);

          if (model != server || model != incremental)
            g_error ("after op %u: %s reads %s %s: rules %d, server %d, incremental %d",
                     w->ops, users[u].name, r->type, r->id, model, server, incremental);
          expected += model;
        }
      /* Nothing else either (reference data edited by nobody stays at version 0). */
      g_assert_cmpuint (g_hash_table_size (fresh), ==, expected);
      g_assert_cmpuint (g_hash_table_size (w->incremental[u]), ==, expected);
    }
}

static void
test_s11 (void)
{
  World w = { 0 };
  guint rounds = g_getenv ("CASELOAD_TEST_LONG") != NULL ? 40 : 4;
  guint per_round = 60;
  guint32 seed_value = (guint32) g_test_rand_int ();

  w.env = srv_test_env_new ("[login]\naccount-limit=1000\naddress-limit=1000\n");
  w.recs = g_ptr_array_new ();
  w.by_id = g_hash_table_new (g_str_hash, g_str_equal);
  w.rand = g_rand_new_with_seed (seed_value);
  g_test_message ("model seed %u (rerun with the same --seed to repeat)", seed_value);

  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_autofree char *commands = g_strjoinv (",", (char **) users[u].commands);
      g_free (srv_test_add_user (w.env, users[u].name, users[u].role_name, commands));
      users[u].device = srv_test_login (w.env, users[u].name);
    }

  /* A small world: clients and cases in each command, one client in two commands, lone
   * clients, children of every kind, a partner, audit events. */
  for (guint c = 0; c < G_N_ELEMENTS (all_commands); c++)
    for (int i = 0; i < 2; i++)
      {
        guint u = c == 0 ? 0 : c == 1 ? 2 : 1;
        g_autofree char *client = seed (&w, u, "client", NULL, NULL);
        g_autofree char *kase = seed (&w, u, "case", client, all_commands[c]);

        g_free (seed (&w, u, "note", kase, NULL));
        g_free (seed (&w, u, "task", kase, NULL));
        g_free (seed (&w, u, "contact", kase, NULL));
        g_free (seed (&w, u, "safe_contact", client, NULL));
      }
  {
    g_autofree char *shared = seed (&w, 3, "client", NULL, NULL);
    g_free (seed (&w, 3, "case", shared, "14"));
    g_free (seed (&w, 3, "case", shared, "20"));
    g_free (seed (&w, 3, "safe_contact", shared, NULL));
  }
  /* Restricted: a case in 14 naming a14 and the director, with children; one in 20 naming
   * nobody (its creator's); a lone client. */
  {
    g_autofree char *client = seed (&w, 0, "client", NULL, NULL);
    g_autofree char *kase = seed_restricted (&w, 0, client, "14", 1u << 0 | 1u << 5);
    g_autofree char *client20 = seed (&w, 3, "client", NULL, NULL);
    g_autofree char *kase20 = seed_restricted (&w, 3, client20, "20", 0);

    g_free (seed (&w, 0, "note", kase, NULL));
    g_free (seed (&w, 0, "safe_contact", client, NULL));
    g_free (seed (&w, 3, "task", kase20, NULL));
    g_free (seed_restricted (&w, 2, NULL, NULL, 0));
  }
  g_free (seed (&w, 0, "client", NULL, NULL));
  g_free (seed (&w, 2, "client", NULL, NULL));
  g_free (seed (&w, 7, "partner", NULL, NULL));
  g_free (seed (&w, 0, "audit", NULL, NULL));
  g_free (seed (&w, 5, "audit", NULL, NULL));

  compare_reads (&w);
  for (guint round = 0; round < rounds; round++)
    {
      for (guint i = 0; i < per_round; i++)
        random_op (&w);
      compare_reads (&w);
    }

  /* Every refused mutation is in the audit log; forged cursors are security entries. */
  g_assert_cmpint (srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'forbidden'", NULL), ==, w.denials);
  g_assert_cmpint (srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE security AND "
                                     "outcome = 'cursor_invalid'", NULL), ==,
                   srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE security AND "
                                     "outcome = 'device_mismatch'", NULL));
  g_test_message ("%u operations (%u applied, %u forbidden) on %u records by %u users: "
                  "zero differences", w.ops, w.applied, w.denials, w.recs->len,
                  (guint) G_N_ELEMENTS (users));
  g_assert_cmpuint (w.denials, >, 10);
  g_assert_cmpuint (w.applied, >, 10);

  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_clear_pointer (&users[u].device, srv_test_device_free);
      g_clear_pointer (&w.incremental[u], g_hash_table_unref);
    }
  for (guint i = 0; i < w.recs->len; i++)
    {
      Rec *r = g_ptr_array_index (w.recs, i);
      g_free (r->id);
      g_free (r->parent);
      g_free (r->command);
      g_free (r);
    }
  g_ptr_array_unref (w.recs);
  g_hash_table_unref (w.by_id);
  g_rand_free (w.rand);
  srv_test_env_free (w.env);
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/authz/s11-property", test_s11);
  return g_test_run ();
}
