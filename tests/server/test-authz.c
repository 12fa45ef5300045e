/* test-authz.c: S11, an authorization property test. Random sequences of (user, record,
 * operation) steps are sent to the server: creates, edits, moves, restrictions and
 * named-user edits of cases and clients, deletes, restores (a kept edit of a deleted
 * record), role and command changes (caseload-server user set), conflicting changes (two
 * users editing one field from the same version, or one editing and the other deleting),
 * resolutions of random conflicts by random users, forged cursors and forged ids. After
 * every step every route is compared with a small model of the access rules written here,
 * independently of server/srv-scope.c, srv-records.c and srv-conflicts.c: the answer to
 * each push (a record one may not see does not exist), a fresh pull and an incremental one
 * of every user, every page of every user's open conflicts (their own losing edits, and
 * for supervisors everyone's, only on records they read), the answer to each resolution
 * (one on a record the user may not read answers exactly as a conflict id never used), and
 * a server report of every user (who may ask, which cases it counts).
 * Pass: zero differences, every denial audited, a refused operation changes nothing.
 *
 * CASELOAD_TEST_S11_STEPS sets the number of steps (default 150, which fits CI).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cl-schema.h"
#include "srv-test.h"

/* ---- The model ---------------------------------------------------------------------- */

typedef enum { ADVOCATE, SUPERVISOR, DIRECTOR, DATA, ADMIN } Role;

/* Role and commands change as the steps run (user set). */
typedef struct {
  const char    *name;
  const char    *role_name;
  Role           role;
  const char    *commands[4];
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
  char       *values[3];   /* the values the server holds of restricted, named_users and
                            * assigned_to (%NULL: none) */
} Rec;

typedef struct {
  SrvTestEnv *env;
  GPtrArray  *recs;        /* Rec */
  GHashTable *by_id;       /* id → Rec */
  GRand      *rand;
  guint       denials;
  guint       ops;
  guint       applied;
  guint       restores;
  guint       role_changes;
  GHashTable *codes;       /* refusal code → how many (a GUINT_TO_POINTER) */
  GHashTable *incremental[G_N_ELEMENTS (users)];
  GPtrArray  *conflicts;   /* Conflict, open and closed, oldest first */
  char       *no_conflict; /* the answer to resolving a conflict id never used */
  guint       conflicts_made;
  guint       conflicts_listed;
  guint       resolved;
  guint       hidden_resolves;
  guint       max_pages;
} World;

/* A conflict the server recorded for the losing edit of @owner on @rec. */
typedef struct {
  char     *id;
  Rec      *rec;
  guint     owner;
  gboolean  open;
} Conflict;

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
    return c->creator == u;
  if (users[u].role == DIRECTOR)
    return named_on (u, c);
  return has_commands (u) && named_on (u, c) && holds (&users[u], c->command);
}

/* A client follows its live cases; without one, its creator, and directors unless it, or
 * one of its deleted cases, is restricted: a deleted case never widens it. */
static gboolean
sees_client (World *w,
             guint  u,
             Rec   *k)
{
  gboolean any_case = FALSE, restricted = k->restricted;

  for (guint i = 0; i < w->recs->len; i++)
    {
      Rec *c = g_ptr_array_index (w->recs, i);

      if (strcmp (c->type, "case") != 0 || strcmp (c->parent, k->id) != 0)
        continue;
      if (c->deleted)
        {
          restricted |= case_restricted (w, c);
          continue;
        }
      any_case = TRUE;
      if (sees_case (w, u, c))
        return TRUE;
    }
  if (any_case)
    return FALSE;
  if (k->creator == u)
    return TRUE;
  return users[u].role == DIRECTOR && !restricted;
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

/* Why a push on the existing record @r by @u is refused before anything else: a record
 * one may not read does not exist; one may read but not write is forbidden. */
static const char *
model_refusal (World *w,
               guint  u,
               Rec   *r)
{
  if (!model_can_read (w, u, r))
    return "not_found";
  if (!model_can_write (w, u, r))
    return "forbidden";
  return NULL;
}

/* Who sees a conflict (PROTOCOL.md, "GET /v1/conflicts"): the user whose edit lost, and
 * supervisors; both only while they read its record. */
static gboolean
model_sees_conflict (World    *w,
                     guint     u,
                     Conflict *c)
{
  return (c->owner == u || users[u].role == SUPERVISOR) && model_can_read (w, u, c->rec);
}

/* Whether @u sees every record whose scope a change of @r's scope fields changes: a case
 * and its client; a client and all its cases, deleted ones too. */
static gboolean
model_sees_rescoped (World *w,
                     guint  u,
                     Rec   *r)
{
  if (strcmp (r->type, "case") == 0)
    return model_can_read (w, u, r) && model_can_read (w, u, parent_of (w, r));
  if (!model_can_read (w, u, r))
    return FALSE;
  for (guint i = 0; i < w->recs->len; i++)
    {
      Rec *c = g_ptr_array_index (w->recs, i);

      if (strcmp (c->type, "case") == 0 && strcmp (c->parent, r->id) == 0 &&
          !model_can_read (w, u, c))
        return FALSE;
    }
  return TRUE;
}

/* Whether setting @values (restricted, named_users, assigned_to; @n of them) changes one. */
static gboolean
changes_scope_fields (Rec               *r,
                      const char *const *values,
                      guint              n)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (r->values[i], values[i]) != 0)
      return TRUE;
  return FALSE;
}

static void
set_scope_values (Rec               *r,
                  const char *const *values,
                  guint              n)
{
  for (guint i = 0; i < n; i++)
    {
      g_free (r->values[i]);
      r->values[i] = g_strdup (values[i]);
    }
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
  rec->values[0] = g_strdup ("1");
  rec->values[1] = g_steal_pointer (&names);
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

/* The conflicts the server kept for @u's losing change of @rec, answered in @r. */
static void
note_conflicts (World        *w,
                guint         u,
                Rec          *rec,
                ClWireResult *r)
{
  for (guint i = 0; r->conflicts != NULL && i < r->conflicts->len; i++)
    {
      ClWireConflict *wire = g_ptr_array_index (r->conflicts, i);
      Conflict *c = g_new0 (Conflict, 1);

      c->id = g_strdup (wire->conflict_id);
      c->rec = rec;
      c->owner = u;
      c->open = TRUE;
      g_ptr_array_add (w->conflicts, c);
      w->conflicts_made++;
    }
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
  if (code != NULL)
    g_hash_table_insert (w->codes, (gpointer) code,
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (w->codes,
                                                                                  code)) + 1));
  if (strcmp (status, "applied") == 0)
    w->applied++;
}

/* The expected answer to a change of an existing record: refused (@code set), a kept
 * conflict when the record is deleted, else applied. Returns whether refused. */
static gboolean
expect_change (World        *w,
               const char   *what,
               guint         u,
               Rec          *rec,
               ClWireResult *r,
               const char   *code)
{
  expect (w, what, u, r, code != NULL ? "rejected" : rec->deleted ? "conflict" : "applied",
          code);
  note_conflicts (w, u, rec, r);
  return code != NULL;
}

/* A kept edit of a deleted record (its conflict resolved "mine"): the record lives again. */
static gboolean
restore (World *w,
         guint  u,
         Rec   *rec,
         gint64 version)
{
  const char *value;
  const char *field = edit_field (rec->type, &value, w->rand);
  const char *code = model_refusal (w, u, rec);
  g_autoptr(ClWireResult) r = NULL;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *path = NULL;

  if (code == NULL && append_only (rec->type))
    code = "append_only";
  r = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id, CL_WIRE_OP_PUT,
                                     version, field, value, NULL));
  if (expect_change (w, "restore", u, rec, r, code))
    return TRUE;
  path = g_strdup_printf ("/v1/conflicts/%s/resolve",
                          ((ClWireConflict *) g_ptr_array_index (r->conflicts, 0))->conflict_id);
  reply = srv_test_request (w->env, "POST", path, users[u].device->token,
                            "{\"keep\":\"mine\"}", -1);
  if (reply->status != 200)
    g_error ("op %u: restoring %s %s by %s: %u %s", w->ops, rec->type, rec->id,
             users[u].name, reply->status, srv_test_reply_text (reply));
  ((Conflict *) g_ptr_array_index (w->conflicts, w->conflicts->len - 1))->open = FALSE;
  rec->deleted = FALSE;
  w->restores++;
  return FALSE;
}

/* A value for @field of a @type other than @avoid (an append-only type's field: any). */
static const char *
other_value (World      *w,
             const char *type,
             const char *avoid)
{
  const char *value;

  do
    edit_field (type, &value, w->rand);
  while (!append_only (type) && g_strcmp0 (value, avoid) == 0);
  return value;
}

/* Two different users for a change of @rec: mostly two who may both write it (when there
 * are), so that conflicts are made. */
static void
two_users (World *w,
           Rec   *rec,
           guint *u,
           guint *other)
{
  guint writers[G_N_ELEMENTS (users)], n = 0;

  *other = (*u + 1 + g_rand_int_range (w->rand, 0, G_N_ELEMENTS (users) - 1)) %
           G_N_ELEMENTS (users);
  if (g_rand_int_range (w->rand, 0, 4) == 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (model_can_write (w, i, rec))
      writers[n++] = i;
  if (n >= 2)
    {
      guint first = g_rand_int_range (w->rand, 0, n);

      *u = writers[first];
      *other = writers[(first + 1 + g_rand_int_range (w->rand, 0, n - 1)) % n];
    }
}

/* Two users change one record from the same version: @u edits a field, then @other
 * edits the same field to another value or deletes the record. The first change is
 * applied, the second is kept as a conflict of its user (each refused as any change of
 * theirs would be). Returns whether both were refused. */
static gboolean
conflicting_edits (World *w,
                   guint  u,
                   guint  other,
                   Rec   *rec,
                   gint64 version)
{
  const char *value, *field = edit_field (rec->type, &value, w->rand);
  g_autofree char *current = srv_test_sql (w->env, "SELECT fields->>$2 FROM record "
                                           "WHERE id = $1", rec->id, field, NULL);
  const char *code = model_refusal (w, u, rec);
  const char *other_code = model_refusal (w, other, rec);
  g_autoptr(ClWireResult) first = NULL;
  g_autoptr(ClWireResult) second = NULL;
  gboolean deletes = g_rand_int_range (w->rand, 0, 4) == 0;
  gboolean first_applied;
  const char *status;

  if (code == NULL && append_only (rec->type))
    code = "append_only";
  if (other_code == NULL && append_only (rec->type))
    other_code = "append_only";

  value = other_value (w, rec->type, current);
  first = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id, CL_WIRE_OP_PUT,
                                         version, field, value, NULL));
  expect_change (w, "first edit", u, rec, first, code);
  first_applied = first->status == CL_WIRE_STATUS_APPLIED;

  if (deletes)
    {
      /* A delete of a deleted record has nothing to do; of one edited since, it conflicts. */
      status = other_code != NULL ? "rejected" : first_applied ? "conflict" : "applied";
      second = push (w, other, srv_test_mutation (users[other].device, rec->type, rec->id,
                                                  CL_WIRE_OP_DELETE, version, NULL));
      expect (w, "stale delete", other, second, status, other_code);
      if (second->status == CL_WIRE_STATUS_APPLIED)
        rec->deleted = TRUE;
    }
  else
    {
      status = other_code != NULL ? "rejected"
               : rec->deleted || first_applied ? "conflict" : "applied";
      second = push (w, other, srv_test_mutation (users[other].device, rec->type, rec->id,
                                                  CL_WIRE_OP_PUT, version, field,
                                                  other_value (w, rec->type, value), NULL));
      expect (w, "stale edit", other, second, status, other_code);
    }
  note_conflicts (w, other, rec, second);
  return code != NULL && other_code != NULL;
}

/* A random user resolves a random conflict (open or closed, of anyone) keeping the
 * server's value: one the rules do not let them see is answered exactly as a conflict id
 * never used; a closed one they see as already resolved. */
static void
resolve_conflict (World *w,
                  guint  u)
{
  Conflict *c;
  g_autoptr(SrvTestReply) reply = NULL;
  g_autofree char *path = NULL;
  g_autofree char *code = NULL;

  if (w->conflicts->len == 0)
    return;
  c = g_ptr_array_index (w->conflicts, g_rand_int_range (w->rand, 0, w->conflicts->len));
  /* Half the time one who sees it, when someone does. */
  if (g_rand_boolean (w->rand))
    for (guint i = 0; i < G_N_ELEMENTS (users); i++)
      if (model_sees_conflict (w, (u + i) % G_N_ELEMENTS (users), c))
        {
          u = (u + i) % G_N_ELEMENTS (users);
          break;
        }
  path = g_strdup_printf ("/v1/conflicts/%s/resolve", c->id);
  if (!model_sees_conflict (w, u, c))
    {
      reply = srv_test_request (w->env, "POST", path, users[u].device->token,
                                g_rand_boolean (w->rand) ? "{\"keep\":\"theirs\"}"
                                                         : "{\"keep\":\"mine\"}", -1);
      if (reply->status != 404 || strcmp (srv_test_reply_text (reply), w->no_conflict) != 0)
        g_error ("op %u: %s resolving a conflict on %s %s they may not see: %u %s",
                 w->ops, users[u].name, c->rec->type, c->rec->id, reply->status,
                 srv_test_reply_text (reply));
      w->hidden_resolves++;
      return;
    }
  /* Seen: kept as it is ("mine" would change the record: the other steps do that). */
  reply = srv_test_request (w->env, "POST", path, users[u].device->token,
                            "{\"keep\":\"theirs\"}", -1);
  code = srv_test_reply_code (reply);
  if (c->open ? reply->status != 200 : (reply->status != 409 ||
                                        g_strcmp0 (code, "already_resolved") != 0))
    g_error ("op %u: %s resolving a conflict on %s %s (%s): %u %s", w->ops, users[u].name,
             c->rec->type, c->rec->id, c->open ? "open" : "resolved", reply->status,
             srv_test_reply_text (reply));
  if (c->open)
    w->resolved++;
  c->open = FALSE;
}

/* Another role and other commands for one of the first six users (user set). */
static void
change_role (World *w)
{
  static const struct { const char *name; Role role; } roles[] = {
    { "advocate_dv", ADVOCATE }, { "advocate_cv", ADVOCATE }, { "supervisor", SUPERVISOR },
    { "director", DIRECTOR },
  };
  guint u = g_rand_int_range (w->rand, 0, 6);
  guint r = g_rand_int_range (w->rand, 0, G_N_ELEMENTS (roles));
  const char *commands[4] = { NULL, };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *output = NULL;
  g_autofree char *before = g_strjoinv (",", (char **) users[u].commands);
  g_autofree char *after = NULL;
  guint n = 0;

  if (roles[r].role != DIRECTOR)
    {
      guint mask = g_rand_int_range (w->rand, 1, 1 << G_N_ELEMENTS (all_commands));

      for (guint c = 0; c < G_N_ELEMENTS (all_commands); c++)
        if (mask & (1u << c))
          commands[n++] = all_commands[c];
    }
  after = g_strjoinv (",", (char **) commands);
  if (strcmp (roles[r].name, users[u].role_name) == 0 && strcmp (before, after) == 0)
    return;

  g_ptr_array_add (argv, (gpointer) "set");
  g_ptr_array_add (argv, (gpointer) "--username");
  g_ptr_array_add (argv, (gpointer) users[u].name);
  g_ptr_array_add (argv, (gpointer) "--role");
  g_ptr_array_add (argv, (gpointer) roles[r].name);
  for (guint c = 0; c < n; c++)
    {
      g_ptr_array_add (argv, (gpointer) "--command");
      g_ptr_array_add (argv, (gpointer) commands[c]);
    }
  while (argv->len < 11)
    g_ptr_array_add (argv, NULL);
  if (srv_test_cli (w->env, &output, "user",
                    argv->pdata[0], argv->pdata[1], argv->pdata[2], argv->pdata[3],
                    argv->pdata[4], argv->pdata[5], argv->pdata[6], argv->pdata[7],
                    argv->pdata[8], argv->pdata[9], argv->pdata[10], NULL) != 0)
    g_error ("op %u: user set %s %s %s: %s", w->ops, users[u].name, roles[r].name, after,
             output);
  w->role_changes++;
  users[u].role_name = roles[r].name;
  users[u].role = roles[r].role;
  memcpy (users[u].commands, commands, sizeof commands);
}

/* One random operation on one random record by one random user. */
static void
random_op (World *w)
{
  guint u = g_rand_int_range (w->rand, 0, G_N_ELEMENTS (users));
  Rec *rec = g_ptr_array_index (w->recs, g_rand_int_range (w->rand, 0, w->recs->len));
  int kind = g_rand_int_range (w->rand, 0, 100);
  gint64 version;
  g_autofree char *before = NULL;
  g_autoptr(ClWireResult) r = NULL;
  const char *refusal;
  gboolean denied = FALSE;

  /* Cases and clients more often than their share: their steps change scopes. */
  for (int tries = 0; tries < 3 && strcmp (rec->type, "case") != 0 &&
       strcmp (rec->type, "client") != 0; tries++)
    rec = g_ptr_array_index (w->recs, g_rand_int_range (w->rand, 0, w->recs->len));
  version = srv_test_record_version (w->env, rec->id);
  before = srv_test_sql (w->env, "SELECT version || fields::text || scope::text || deleted "
                         "FROM record WHERE id = $1", rec->id, NULL);
  refusal = model_refusal (w, u, rec);

  w->ops++;
  if (kind < 25 && rec->deleted)
    denied = restore (w, u, rec, version);
  else if (kind < 30)
    {
      /* Edit a field. */
      const char *value;
      const char *field = edit_field (rec->type, &value, w->rand);
      const char *code = refusal;

      if (code == NULL && append_only (rec->type))
        code = "append_only";
      r = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id, CL_WIRE_OP_PUT,
                                         version, field, value, NULL));
      denied = expect_change (w, "edit", u, rec, r, code);
    }
  else if (kind < 42)
    {
      /* Delete (of a deleted record: nothing to do). */
      const char *code = refusal;

      if (code == NULL && append_only (rec->type))
        code = "append_only";
      r = push (w, u, srv_test_mutation (users[u].device, rec->type, rec->id,
                                         CL_WIRE_OP_DELETE, version, NULL));
      expect (w, "delete", u, r, code != NULL ? "rejected" : "applied", code);
      denied = code != NULL;
      if (r->status == CL_WIRE_STATUS_APPLIED)
        rec->deleted = TRUE;
    }
  else if (kind < 52 && strcmp (rec->type, "case") == 0)
    {
      /* Move a case to another command. */
      const char *to = all_commands[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (all_commands))];
      gboolean moves = strcmp (to, rec->command) != 0;
      const char *code = refusal;

      if (code == NULL && moves && !holds (&users[u], to))
        code = "forbidden";
      else if (code == NULL && moves && !rec->deleted && !model_sees_rescoped (w, u, rec))
        code = "affects_hidden";
      r = push (w, u, srv_test_mutation (users[u].device, "case", rec->id, CL_WIRE_OP_PUT,
                                         version, "command", to, NULL));
      denied = expect_change (w, "move", u, rec, r, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          g_free (rec->command);
          rec->command = g_strdup (to);
        }
    }
  else if (kind < 62 && strcmp (rec->type, "case") == 0)
    {
      /* Restrict a case (or lift it), naming users. */
      g_autofree char *named_value = NULL;
      g_autofree char *assigned_value = NULL;
      const char *values[3];
      const char *code = refusal;
      gboolean restricted;
      guint named;
      int assigned;

      random_restriction (w, &restricted, &named, &assigned, &named_value, &assigned_value);
      values[0] = restricted ? "1" : "0";
      values[1] = named_value;
      values[2] = assigned_value;
      if (code == NULL && !rec->deleted && changes_scope_fields (rec, values, 3) &&
          !model_sees_rescoped (w, u, rec))
        code = "affects_hidden";
      r = push (w, u, srv_test_mutation (users[u].device, "case", rec->id, CL_WIRE_OP_PUT,
                                         version, "restricted", values[0],
                                         "named_users", named_value,
                                         "assigned_to", assigned_value, NULL));
      denied = expect_change (w, "restrict", u, rec, r, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          rec->restricted = restricted;
          rec->named = named;
          rec->assigned = assigned;
          set_scope_values (rec, values, 3);
        }
    }
  else if (kind < 62 && strcmp (rec->type, "client") == 0)
    {
      /* Restrict a client (or lift it). */
      gboolean restricted = !rec->restricted;
      const char *values[1] = { restricted ? "1" : "0" };
      const char *code = refusal;

      if (code == NULL && !rec->deleted && changes_scope_fields (rec, values, 1) &&
          !model_sees_rescoped (w, u, rec))
        code = "affects_hidden";
      r = push (w, u, srv_test_mutation (users[u].device, "client", rec->id, CL_WIRE_OP_PUT,
                                         version, "restricted", values[0], NULL));
      denied = expect_change (w, "restrict client", u, rec, r, code);
      if (r->status == CL_WIRE_STATUS_APPLIED)
        {
          rec->restricted = restricted;
          set_scope_values (rec, values, 1);
        }
    }
  else if (kind < 80)
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
      Rec *p;

      if (strcmp (rec->type, "case") == 0)
        {
          const char *children[] = { "note", "task", "contact" };
          type = children[g_rand_int_range (w->rand, 0, 3)];
          parent = rec->id;
          allowed = refusal == NULL;
        }
      else if (strcmp (rec->type, "client") == 0)
        {
          if (g_rand_boolean (w->rand))
            {
              type = "safe_contact";
              allowed = refusal == NULL;
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
              allowed = refusal == NULL && holds (&users[u], command) &&
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
      /* A parent one may not see does not exist. */
      p = parent != NULL ? g_hash_table_lookup (w->by_id, parent) : NULL;
      if (p != NULL && (p->deleted || !model_can_read (w, u, p)))
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
          const char *values[3] = { new_case.restricted ? "1" : "0", named_value,
                                    assigned_value };

          added->restricted = new_case.restricted;
          added->named = new_case.named;
          added->assigned = new_case.assigned;
          if (restriction)
            set_scope_values (added, values, 3);
        }
    }
  else if (kind < 86)
    change_role (w);
  else if (kind < 95)
    {
      guint other;

      two_users (w, rec, &u, &other);
      denied = conflicting_edits (w, u, other, rec, version);
    }
  else if (kind < 98)
    resolve_conflict (w, u);
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

/* The count of "Cases checked" in @u's data-quality report, or -1 when refused (403). */
static gint64
report_checked (World *w,
                guint  u)
{
  /* Internal figures for supervisors and directors; data staff get figures for outside
   * use, with nothing small enough to suppress. */
  const char *body = users[u].role == DATA
                     ? "{\"from\": \"2026-01-01\", \"to\": \"2026-12-31\", "
                       "\"today\": \"2026-12-01\", \"threshold\": 0}"
                     : "{\"from\": \"2026-01-01\", \"to\": \"2026-12-31\", "
                       "\"today\": \"2026-12-01\", \"outside\": false}";
  g_autoptr(SrvTestReply) reply = srv_test_request (w->env, "POST", "/v1/reports/data-quality",
                                                    users[u].device->token, body, -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *tables;

  if (reply->status == 403)
    return -1;
  if (reply->status != 200)
    g_error ("after op %u: report of %s: %u", w->ops, users[u].name, reply->status);
  json_parser_load_from_data (parser, srv_test_reply_text (reply), -1, &error);
  g_assert_no_error (error);
  tables = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "tables");
  for (guint t = 0; t < json_array_get_length (tables); t++)
    {
      JsonObject *table = json_array_get_object_element (tables, t);
      JsonArray *rows = json_object_get_array_member (table, "rows");
      const char *column;

      if (strcmp (json_object_get_string_member (table, "key"), "cases") != 0)
        continue;
      column = json_object_get_string_member (
        json_array_get_object_element (json_object_get_array_member (table, "columns"), 0),
        "key");
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);

          if (strcmp (json_object_get_string_member (row, "key"), "checked") == 0)
            return json_object_get_int_member (json_object_get_object_member (row, "cells"),
                                               column);
        }
    }
  g_error ("the data-quality report has no cases checked");
}

/* The model's report: supervisors, directors and data staff ask; each counts the live
 * cases it may read (data staff: every unrestricted one), supervisors in their commands.
 * The fixture's cases are all open. */
static gint64
model_checked (World *w,
               guint  u)
{
  gint64 n = 0;

  if (users[u].role != SUPERVISOR && users[u].role != DIRECTOR && users[u].role != DATA)
    return -1;
  for (guint i = 0; i < w->recs->len; i++)
    {
      Rec *c = g_ptr_array_index (w->recs, i);
      Rec *client;

      if (strcmp (c->type, "case") != 0 || c->deleted)
        continue;
      /* No report counts a case whose client is deleted (docs/REPORTS.md). */
      client = parent_of (w, c);
      if (client != NULL && client->deleted)
        continue;
      if (users[u].role == DATA)
        n += !case_restricted (w, c);
      else
        n += sees_case (w, u, c) && (users[u].role == DIRECTOR || holds (&users[u], c->command));
    }
  return n;
}

/* Every page of @u's open conflicts (GET /v1/conflicts, then ?after= the last one) holds
 * exactly those the rules let them see, each once, with the right record and owner. */
static void
compare_conflicts (World *w,
                   guint  u)
{
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *after = NULL;
  gboolean more = TRUE;
  gint64 total = -1;
  guint expected = 0, pages = 0;

  while (more)
    {
      g_autofree char *path = after != NULL ? g_strdup_printf ("/v1/conflicts?after=%s", after)
                                            : g_strdup ("/v1/conflicts");
      g_autoptr(SrvTestReply) reply = srv_test_request (w->env, "GET", path,
                                                        users[u].device->token, NULL, 0);
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) error = NULL;
      const char *text = srv_test_reply_text (reply);
      gint64 page_total;

      if (reply->status != 200)
        g_error ("after op %u: %s's conflicts: %u %s", w->ops, users[u].name, reply->status,
                 text);
      page = cl_wire_conflict_list_decode (text, strlen (text), &page_total, &more, &error);
      g_assert_no_error (error);
      g_assert_true (total < 0 || total == page_total);
      total = page_total;
      g_assert_true (page->len > 0 || !more);
      for (guint i = 0; i < page->len; i++)
        {
          ClWireConflictInfo *info = g_ptr_array_index (page, i);

          g_free (after);
          after = g_strdup (info->id);
          if (!g_hash_table_add (listed, g_steal_pointer (&info->id)))
            g_error ("after op %u: %s's conflicts list %s twice", w->ops, users[u].name,
                     after);
        }
      pages++;
    }
  w->max_pages = MAX (w->max_pages, pages);

  for (guint i = 0; i < w->conflicts->len; i++)
    {
      Conflict *c = g_ptr_array_index (w->conflicts, i);
      gboolean model = c->open && model_sees_conflict (w, u, c);
      gboolean server = g_hash_table_contains (listed, c->id);

      if (model != server)
        g_error ("after op %u: %s sees the %s conflict of %s on %s %s%s: rules %d, server %d",
                 w->ops, users[u].name, c->open ? "open" : "resolved", users[c->owner].name,
                 c->rec->type, c->rec->id, c->rec->deleted ? " (deleted)" : "", model, server);
      expected += model;
    }
  w->conflicts_listed += expected;
  if (g_hash_table_size (listed) != expected || total != expected)
    g_error ("after op %u: %s's conflicts: %u listed, total %" G_GINT64_FORMAT ", the rules %u",
             w->ops, users[u].name, g_hash_table_size (listed), total, expected);
}

/* Every user pulls everything, from its last cursor and from the start, and asks for a
 * report: what they get is exactly what the rules let them read. */
static void
compare_reads (World *w)
{
  for (guint u = 0; u < G_N_ELEMENTS (users); u++)
    {
      g_autoptr(GHashTable) fresh = NULL;
      g_autoptr(SrvTestReply) probe = NULL;
      guint expected = 0;
      gint64 cursor, checked, model_count;

      /* The same user's incremental copy (puts, deletes, removes) must agree. It goes
       * first: a pull from the start marks the device as filled under the new scope. An
       * account that may now read more is told to start again (user set). */
      probe = srv_test_pull_raw (w->env, users[u].device, users[u].device->cursor, 1, NULL);
      if (probe->status == 410)
        {
          g_autofree char *code = srv_test_reply_code (probe);

          g_assert_cmpstr (code, ==, "scope_changed");
          g_clear_pointer (&w->incremental[u], g_hash_table_unref);
          users[u].device->cursor = 0;
        }
      else
        g_assert_cmpuint (probe->status, ==, 200);
      w->incremental[u] = srv_test_pull_all (w->env, users[u].device, w->incremental[u]);
      cursor = users[u].device->cursor;
      users[u].device->cursor = 0;
      fresh = srv_test_pull_all (w->env, users[u].device, NULL);
      users[u].device->cursor = cursor;

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

      compare_conflicts (w, u);
      checked = report_checked (w, u);
      model_count = model_checked (w, u);
      if (checked != model_count)
        g_error ("after op %u: %s's report counts %" G_GINT64_FORMAT " cases, the rules %"
                 G_GINT64_FORMAT, w->ops, users[u].name, checked, model_count);
    }
}

/* Whether a run has seen enough of each outcome for its counts to prove something. */
static gboolean
s11_covered (World *w)
{
  return w->denials > 10 && w->applied > 10 &&
         GPOINTER_TO_UINT (g_hash_table_lookup (w->codes, "not_found")) > 0 &&
         w->role_changes > 0 && w->conflicts_made > 0 && w->conflicts_listed > 0;
}

static void
test_s11 (void)
{
  World w = { 0 };
  const char *steps_env = g_getenv ("CASELOAD_TEST_S11_STEPS");
  guint steps = steps_env != NULL ? (guint) strtoul (steps_env, NULL, 10) : 150;
  guint32 seed_value = (guint32) g_test_rand_int ();

  w.env = srv_test_env_new ("[login]\naccount-limit=1000\naddress-limit=1000\n");
  w.recs = g_ptr_array_new ();
  w.by_id = g_hash_table_new (g_str_hash, g_str_equal);
  w.codes = g_hash_table_new (g_str_hash, g_str_equal);
  w.rand = g_rand_new_with_seed (seed_value);
  w.conflicts = g_ptr_array_new ();
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
  {
    g_autofree char *unused = cl_uuid_new ();
    g_autofree char *path = g_strdup_printf ("/v1/conflicts/%s/resolve", unused);
    g_autoptr(SrvTestReply) reply = srv_test_request (w.env, "POST", path,
                                                      users[0].device->token,
                                                      "{\"keep\":\"theirs\"}", -1);

    g_assert_cmpuint (reply->status, ==, 404);
    w.no_conflict = g_strdup (srv_test_reply_text (reply));
  }

  /* The steps are random: a run goes on past @steps (up to four times as many) until it
   * has exercised every kind of outcome the checks below count on. */
  compare_reads (&w);
  for (guint i = 0; i < steps || (!s11_covered (&w) && i < steps * 4); i++)
    {
      random_op (&w);
      compare_reads (&w);
      if ((i + 1) % 1000 == 0)
        {
          g_test_message ("%u steps: zero differences so far", i + 1);
          fflush (stdout);
        }
    }

  /* Every refused mutation is in the audit log; forged cursors are security entries. */
  g_assert_cmpint (srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE event = "
                                     "'denied' AND outcome = 'forbidden'", NULL), ==, w.denials);
  g_assert_cmpint (srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE security AND "
                                     "outcome = 'cursor_invalid'", NULL), ==,
                   srv_test_sql_int (w.env, "SELECT count(*) FROM audit_log WHERE security AND "
                                     "outcome = 'device_mismatch'", NULL));
  g_test_message ("%u steps (%u applied, %u forbidden, %u not found, %u affecting hidden "
                  "records, %u restores, %u role changes, %u conflicts made, %u resolved, "
                  "%u resolutions of unseen conflicts) on %u records by %u users, each "
                  "followed by every user's pulls, conflicts (%u listed in all, at most %u "
                  "pages) and report: zero differences", w.ops, w.applied, w.denials,
                  GPOINTER_TO_UINT (g_hash_table_lookup (w.codes, "not_found")),
                  GPOINTER_TO_UINT (g_hash_table_lookup (w.codes, "affects_hidden")),
                  w.restores, w.role_changes, w.conflicts_made, w.resolved, w.hidden_resolves,
                  w.recs->len, (guint) G_N_ELEMENTS (users), w.conflicts_listed, w.max_pages);
  g_assert_true (s11_covered (&w));

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
      for (guint v = 0; v < G_N_ELEMENTS (r->values); v++)
        g_free (r->values[v]);
      g_free (r);
    }
  for (guint i = 0; i < w.conflicts->len; i++)
    {
      Conflict *c = g_ptr_array_index (w.conflicts, i);
      g_free (c->id);
      g_free (c);
    }
  g_ptr_array_unref (w.conflicts);
  g_free (w.no_conflict);
  g_ptr_array_unref (w.recs);
  g_hash_table_unref (w.by_id);
  g_hash_table_unref (w.codes);
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
