/* test-sync-engine.c: the sync engine's rounds against a small server in the test process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 (TLS with a test CA), in a thread of its own, speaks the wire
 * format through cl-wire.c: login, push, pull, conflicts and trust, with records, versions,
 * field versions, per-device seqs and the digest kept in memory. Real vaults run real
 * rounds (cl_sync_run()) against it: a push is accepted, another vault pulls it page by
 * page, a push on a stale version comes back as a conflict the vault lists, a connection
 * dropped in the middle of a page loses nothing, and a malformed page is refused with a
 * clear error and changes nothing. No PostgreSQL, nginx or caseload-server involved.
 */

#include <string.h>

#include <libsoup/soup.h>

#include "cl-schema.h"
#include "cl-sync.h"
#include "cl-test-stack.h"
#include "cl-test-util.h"
#include "cl-wire.h"

#define PASSWORD "fake-server-password"

/* The server --------------------------------------------------------------------------- */

typedef struct {
  char       *type;
  gint64      version;
  gboolean    deleted;
  GHashTable *fields;    /* field → value (nullable) */
  GHashTable *versions;  /* field → gint64 *: the version that last set it */
} FakeRecord;

typedef enum {
  PULL_NORMAL,
  PULL_DROP,        /* the next page: headers and half its body, then the connection closes */
  PULL_MALFORMED,   /* the next page: a 200 whose body is not a pull page */
} PullMode;

typedef struct {
  GMutex        lock;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;
  const char   *cert;
  const char   *key;

  GHashTable   *records;   /* id → FakeRecord */
  GHashTable   *tokens;    /* token → device id */
  GHashTable   *last_seq;  /* device id → gint64 * */
  GPtrArray    *conflicts; /* ClWireConflictInfo */
  gint64        clock;
  guint         page_size;
  PullMode      pull_mode;
  guint         pulls;     /* POST /v1/pull answered */
  guint         digests;   /* digests checked */
} FakeServer;

static void
fake_record_free (FakeRecord *r)
{
  g_free (r->type);
  g_hash_table_unref (r->fields);
  g_hash_table_unref (r->versions);
  g_free (r);
}

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            char              *body,
            gsize              len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, len);
}

static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *code,
             const char        *message)
{
  gsize len;
  char *body = cl_wire_error_reply_encode (code, message, NULL, &len);

  reply_json (msg, status, body, len);
}

/* The device a request's bearer token belongs to, or %NULL (then answered 401). */
static const char *
authorized (FakeServer        *s,
            SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  const char *device = NULL;

  if (auth != NULL && g_str_has_prefix (auth, "Bearer "))
    device = g_hash_table_lookup (s->tokens, auth + strlen ("Bearer "));
  if (device == NULL)
    reply_error (msg, 401, "token_invalid", "Sign in again");
  return device;
}

static char *
random_token (const char *prefix)
{
  GString *t = g_string_new (prefix);

  while (t->len < strlen (prefix) + 43)
    g_string_append_c (t, "abcdefghijklmnopqrstuvwxyz0123456789"[g_random_int_range (0, 36)]);
  return g_string_free (t, FALSE);
}

static void
handle_login (FakeServer        *s,
              SoupServerMessage *msg,
              GBytes            *body)
{
  g_autoptr(GError) error = NULL;
  ClWireLoginRequest *req = cl_wire_login_request_decode (g_bytes_get_data (body, NULL),
                                                          g_bytes_get_size (body), &error);
  const char * const commands[] = { "14", NULL };
  ClWireLoginResponse resp = { 0 };
  gsize len;
  char *out;

  if (req == NULL || strcmp (req->password, PASSWORD) != 0)
    {
      reply_error (msg, 401, "invalid_credentials", "Wrong username or password");
      if (req != NULL)
        cl_wire_login_request_free (req);
      return;
    }
  resp.token = random_token ("tok_");
  resp.refresh_token = random_token (CL_WIRE_REFRESH_PREFIX);
  resp.device_id = req->device_id != NULL ? g_strdup (req->device_id) : cl_uuid_new ();
  resp.expires_at = g_strdup ("2099-01-01T00:00:00Z");
  resp.idle_expires_at = g_strdup ("2099-01-01T00:00:00Z");
  resp.username = g_strdup (req->username);
  resp.role = g_strdup ("advocate_dv");
  resp.commands = g_strdupv ((char **) commands);
  g_hash_table_insert (s->tokens, g_strdup (resp.token), g_strdup (resp.device_id));
  if (!g_hash_table_contains (s->last_seq, resp.device_id))
    g_hash_table_insert (s->last_seq, g_strdup (resp.device_id), g_new0 (gint64, 1));
  out = cl_wire_login_response_encode (&resp, &len);
  reply_json (msg, 200, out, len);
  g_free (resp.token);
  g_free (resp.refresh_token);
  g_free (resp.device_id);
  g_free (resp.expires_at);
  g_free (resp.idle_expires_at);
  g_free (resp.username);
  g_free (resp.role);
  g_strfreev (resp.commands);
  cl_wire_login_request_free (req);
}

static void
set_field (FakeRecord *r,
           const char *field,
           const char *value,
           gint64      version)
{
  gint64 *v = g_new (gint64, 1);

  *v = version;
  g_hash_table_insert (r->fields, g_strdup (field), g_strdup (value));
  g_hash_table_insert (r->versions, g_strdup (field), v);
}

/* One mutation, the way caseload-server decides it (docs/PROTOCOL.md, "POST /v1/push"),
 * without its access rules: a field changed on the server since the mutation's base
 * version to another value than the one pushed is a conflict, and the server's value
 * stays; the other fields apply. */
static ClWireResult *
apply_mutation (FakeServer           *s,
                const ClWireMutation *m)
{
  ClWireResult *result = cl_wire_result_new ();
  FakeRecord *r = g_hash_table_lookup (s->records, m->record);
  g_autoptr(GPtrArray) applied = g_ptr_array_new ();

  result->seq = m->seq;
  result->id = g_strdup (m->id);
  if (r == NULL)
    {
      r = g_new0 (FakeRecord, 1);
      r->type = g_strdup (m->type);
      r->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      r->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (s->records, g_strdup (m->record), r);
    }

  for (guint i = 0; i < m->changes->len; i++)
    {
      const ClWireFieldChange *c = g_ptr_array_index (m->changes, i);
      gint64 *fv = g_hash_table_lookup (r->versions, c->field);
      const char *held = g_hash_table_lookup (r->fields, c->field);

      if (fv != NULL && *fv > m->base_version && g_strcmp0 (held, c->new_value) != 0)
        {
          ClWireConflictInfo *info = g_new0 (ClWireConflictInfo, 1);

          info->id = cl_uuid_new ();
          info->type = g_strdup (m->type);
          info->record = g_strdup (m->record);
          info->field = g_strdup (c->field);
          info->kind = g_strdup ("field");
          info->server_value = g_strdup (held);
          info->client_value = g_strdup (c->new_value);
          info->server_version = r->version;
          info->created_at = cl_now_utc ();
          info->client_by = g_strdup ("advocate1");
          info->mine = TRUE;
          info->this_device = TRUE;
          cl_wire_result_add_conflict (result, c->field, held, c->new_value, info->id);
          g_ptr_array_add (s->conflicts, info);
        }
      else
        g_ptr_array_add (applied, (gpointer) c);
    }

  if (applied->len > 0 || m->op == CL_WIRE_OP_DELETE)
    {
      r->version = ++s->clock;
      for (guint i = 0; i < applied->len; i++)
        {
          const ClWireFieldChange *c = g_ptr_array_index (applied, i);
          set_field (r, c->field, c->new_value, r->version);
        }
      r->deleted = m->op == CL_WIRE_OP_DELETE;
    }
  result->version = r->version;
  result->status = result->conflicts != NULL && result->conflicts->len > 0
                   ? CL_WIRE_STATUS_CONFLICT : CL_WIRE_STATUS_APPLIED;
  return result;
}

static void
handle_push (FakeServer        *s,
             SoupServerMessage *msg,
             GBytes            *body,
             const char        *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClWirePushRequest) req = NULL;
  g_autoptr(ClWirePushResponse) resp = cl_wire_push_response_new ();
  gint64 *last_seq = g_hash_table_lookup (s->last_seq, device);
  gsize len;
  char *out;

  req = cl_wire_push_request_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                     &error);
  if (req == NULL)
    {
      reply_error (msg, 400, "bad_request", error->message);
      return;
    }
  for (guint i = 0; i < req->mutations->len; i++)
    {
      const ClWireMutation *m = g_ptr_array_index (req->mutations, i);

      if (m->seq != *last_seq + 1)
        {
          reply_error (msg, 409, "seq_gap", "Unexpected seq");
          return;
        }
      g_ptr_array_add (resp->results, apply_mutation (s, m));
      *last_seq = m->seq;
    }
  resp->last_seq = *last_seq;
  out = cl_wire_push_response_encode (resp, &len);
  reply_json (msg, 200, out, len);
}

static gint
by_version (gconstpointer a,
            gconstpointer b)
{
  gint64 va = (*(ClWirePullItem **) a)->version, vb = (*(ClWirePullItem **) b)->version;

  return va < vb ? -1 : va > vb;
}

static guint64
server_digest (FakeServer *s)
{
  GHashTableIter iter;
  gpointer k, v;
  guint64 digest = 0;

  g_hash_table_iter_init (&iter, s->records);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (!((FakeRecord *) v)->deleted)
      cl_wire_digest_add (&digest, k, ((FakeRecord *) v)->version);
  return digest;
}

/* Answers a page in full but for its last half: the headers promise the whole body. */
static void
drop_mid_page (SoupServerMessage *msg,
               const char        *body,
               gsize              len)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json"
                                           "\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                           len);
  GOutputStream *out = g_io_stream_get_output_stream (stream);

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, body, len / 2, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static void
handle_pull (FakeServer        *s,
             SoupServerMessage *msg,
             GBytes            *body,
             const char        *device)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClWirePullRequest) req = NULL;
  g_autoptr(ClWirePullResponse) resp = cl_wire_pull_response_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_pull_item_free);
  GHashTableIter iter;
  gpointer k, v;
  guint limit = s->page_size;
  gsize len;
  char *out;

  req = cl_wire_pull_request_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                     &error);
  if (req == NULL)
    {
      reply_error (msg, 400, "bad_request", error->message);
      return;
    }
  s->pulls++;
  if (req->limit > 0 && (guint64) req->limit < limit)
    limit = req->limit;

  g_hash_table_iter_init (&iter, s->records);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      FakeRecord *r = v;
      ClWirePullItem *item;
      GHashTableIter fi;
      gpointer fk, fv;

      if (r->version <= req->cursor)
        continue;
      item = cl_wire_pull_item_new (r->deleted ? CL_WIRE_PULL_DELETE : CL_WIRE_PULL_PUT,
                                    r->type, k, r->version);
      g_hash_table_iter_init (&fi, r->fields);
      while (!r->deleted && g_hash_table_iter_next (&fi, &fk, &fv))
        cl_wire_pull_item_set_field (item, fk, fv,
                                     *(gint64 *) g_hash_table_lookup (r->versions, fk));
      g_ptr_array_add (items, item);
    }
  g_ptr_array_sort (items, by_version);

  for (guint i = 0; i < items->len && i < limit; i++)
    g_ptr_array_add (resp->changes, g_steal_pointer (&g_ptr_array_index (items, i)));
  resp->more = items->len > limit;
  resp->cursor = resp->more
                 ? ((ClWirePullItem *) g_ptr_array_index (resp->changes,
                                                          resp->changes->len - 1))->version
                 : s->clock;
  resp->last_seq = *(gint64 *) g_hash_table_lookup (s->last_seq, device);

  if (req->digest != NULL && resp->changes->len == 0)
    {
      g_autofree char *hex = cl_wire_digest_to_hex (server_digest (s));

      s->digests++;
      if (strcmp (hex, req->digest) != 0)
        {
          reply_error (msg, 412, "digest_mismatch", "This device's records differ");
          return;
        }
    }

  if (s->pull_mode == PULL_MALFORMED)
    {
      static const char page[] = "{\"changes\":[{\"op\":\"put\",\"type\":\"note\"}],"
                                 "\"cursor\":\"soon\",\"more\":false}";

      s->pull_mode = PULL_NORMAL;
      reply_json (msg, 200, g_strdup (page), strlen (page));
      return;
    }
  out = cl_wire_pull_response_encode (resp, &len);
  if (s->pull_mode == PULL_DROP && resp->changes->len > 0)
    {
      s->pull_mode = PULL_NORMAL;
      drop_mid_page (msg, out, len);
      g_free (out);
      return;
    }
  reply_json (msg, 200, out, len);
}

static void
handle_conflicts (FakeServer        *s,
                  SoupServerMessage *msg)
{
  gsize len;
  char *out = cl_wire_conflict_list_encode (s->conflicts, s->conflicts->len, FALSE, &len);

  reply_json (msg, 200, out, len);
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  FakeServer *s = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *device;

  g_mutex_lock (&s->lock);
  if (strcmp (path, "/v1/login") == 0)
    handle_login (s, msg, body);
  else if ((device = authorized (s, msg)) == NULL)
    ;
  else if (strcmp (path, "/v1/push") == 0)
    handle_push (s, msg, body, device);
  else if (strcmp (path, "/v1/pull") == 0)
    handle_pull (s, msg, body, device);
  else if (strcmp (path, "/v1/conflicts") == 0)
    handle_conflicts (s, msg);
  else if (strcmp (path, "/v1/trust") == 0)
    {
      gsize len;
      char *out = cl_wire_trust_response_encode (NULL, &len);

      reply_json (msg, 200, out, len);
    }
  else
    reply_error (msg, 404, "not_found", "No such route");
  g_mutex_unlock (&s->lock);
}

static gpointer
server_thread (gpointer data)
{
  FakeServer *s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (s->cert, s->key, &error);
  g_autoptr(GSList) uris = NULL;

  g_assert_no_error (error);
  g_main_context_push_thread_default (s->context);
  g_mutex_lock (&s->lock);
  s->server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (s->server, "/v1", handler, s, NULL);
  soup_server_listen_local (s->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                            SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (s->server);
  s->url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  g_mutex_unlock (&s->lock);

  g_main_loop_run (s->loop);
  g_clear_object (&s->server);
  g_main_context_pop_thread_default (s->context);
  return NULL;
}

static FakeServer *
fake_server_new (ClTestTls *tls)
{
  FakeServer *s = g_new0 (FakeServer, 1);

  g_mutex_init (&s->lock);
  s->cert = tls->server_cert;
  s->key = tls->server_key;
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  s->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) fake_record_free);
  s->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->last_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_conflict_info_free);
  s->page_size = 3;
  s->thread = g_thread_new ("fake-server", server_thread, s);
  while (TRUE)
    {
      gboolean up;

      g_mutex_lock (&s->lock);
      up = s->url != NULL;
      g_mutex_unlock (&s->lock);
      if (up)
        break;
      g_usleep (1000);
    }
  return s;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
fake_server_free (FakeServer *s)
{
  g_main_context_invoke (s->context, quit_loop, s->loop);
  g_thread_join (s->thread);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  g_hash_table_unref (s->records);
  g_hash_table_unref (s->tokens);
  g_hash_table_unref (s->last_seq);
  g_ptr_array_unref (s->conflicts);
  g_free (s->url);
  g_mutex_clear (&s->lock);
  g_free (s);
}

/* A field of a record as the server holds it, or %NULL. */
static char *
server_field (FakeServer *s,
              const char *id,
              const char *field)
{
  FakeRecord *r;
  char *value = NULL;

  g_mutex_lock (&s->lock);
  if ((r = g_hash_table_lookup (s->records, id)) != NULL)
    value = g_strdup (g_hash_table_lookup (r->fields, field));
  g_mutex_unlock (&s->lock);
  return value;
}

/* Another device's edit of @field, as the server would accept it. */
static void
server_edit (FakeServer *s,
             const char *id,
             const char *field,
             const char *value)
{
  FakeRecord *r;

  g_mutex_lock (&s->lock);
  r = g_hash_table_lookup (s->records, id);
  g_assert_nonnull (r);
  r->version = ++s->clock;
  set_field (r, field, value, r->version);
  g_mutex_unlock (&s->lock);
}

/* Vaults ------------------------------------------------------------------------------- */

typedef struct {
  ClTestVault  v;
  ClSync      *sync;
} Device;

typedef struct {
  ClTestTls  *tls;
  FakeServer *server;
  Device      a;
  Device      b;
} Fixture;

static ClTestTls *tls_shared;

static void
device_enroll (Fixture *f,
               Device  *d)
{
  g_autoptr(ClSecret) password = cl_secret_new_from_string (PASSWORD);
  g_autoptr(GError) error = NULL;

  cl_test_vault_setup (&d->v, NULL);
  d->sync = cl_sync_new (d->v.store);
  g_assert_true (cl_sync_enroll (d->sync, f->server->url, f->tls->ca, "advocate1", password,
                                 NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tls = tls_shared;
  f->server = fake_server_new (f->tls);
  device_enroll (f, &f->a);
  device_enroll (f, &f->b);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->a.sync);
  g_clear_object (&f->b.sync);
  cl_test_vault_teardown (&f->a.v, NULL);
  cl_test_vault_teardown (&f->b.v, NULL);
  fake_server_free (f->server);
}

/* A round that must succeed. */
static void
round_ok (Device       *d,
          ClSyncReport *out)
{
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };

  g_assert_true (cl_sync_run (d->sync, &report, NULL, &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = report;
  else
    cl_sync_report_clear (&report);
}

static gint64
count (Device     *d,
       const char *type)
{
  g_autoptr(GError) error = NULL;
  gint64 n = cl_store_count (d->v.store, type, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
cursor_of (Device *d)
{
  g_auto(ClSyncStatus) status = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (cl_sync_get_status (d->sync, &status, &error));
  g_assert_no_error (error);
  return status.cursor;
}

/* A case with its client and @n_notes notes, made on device A. */
static char *
make_case (Device *d,
           guint   n_notes)
{
  char *kase = cl_test_new_case (d->v.store, "Rosa Peña");

  for (guint i = 0; i < n_notes; i++)
    {
      g_autofree char *at = g_strdup_printf ("2026-11-%02uT10:00:00Z", i + 2);
      g_free (cl_test_create (d->v.store, "note", "case_id", kase, "at", at,
                              "text", "Met at the precinct", NULL));
    }
  return kase;
}

/* Tests -------------------------------------------------------------------------------- */

static void
test_push_pull (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *kase = make_case (&f->a, 4);
  g_autofree char *track = NULL;
  ClSyncReport report = { 0 };
  guint pulls;

  round_ok (&f->a, &report);
  /* The client, the case, four notes: all accepted, the outbox empty. */
  g_assert_cmpuint (report.pushed, ==, 6);
  g_assert_cmpuint (report.conflicts, ==, 0);
  g_assert_cmpint (cl_store_outbox_length (f->a.v.store, NULL), ==, 0);
  cl_sync_report_clear (&report);
  track = server_field (f->server, kase, "track");
  g_assert_cmpstr (track, ==, "dv");

  /* The other vault pulls them, three to a page. */
  pulls = f->server->pulls;
  round_ok (&f->b, &report);
  g_assert_cmpuint (report.pulled, ==, 6);
  g_assert_cmpuint (f->server->pulls - pulls, >=, 2);
  cl_sync_report_clear (&report);
  g_assert_cmpint (count (&f->b, "note"), ==, 4);
  g_assert_cmpint (count (&f->b, "case"), ==, 1);
  g_assert_cmpint (cursor_of (&f->b), ==, f->server->clock);

  /* An idle round: nothing moves, and the server checked the vault's digest. */
  pulls = f->server->digests;
  round_ok (&f->b, &report);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.pushed, ==, 0);
  g_assert_cmpuint (f->server->digests, >, pulls);
  cl_sync_report_clear (&report);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *kase = make_case (&f->a, 0);
  g_autoptr(ClChanges) edit = cl_changes_new ();
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(ClRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *held = NULL;
  ClConflict *c;
  ClSyncReport report = { 0 };

  round_ok (&f->a, NULL);
  /* Someone else reassigns the case on the server; this vault does too, offline. */
  server_edit (f->server, kase, "assigned_to", "maria");
  cl_changes_set (edit, "assigned_to", "jose");
  g_assert_true (cl_store_update (f->a.v.store, "case", kase, edit, &error));
  g_assert_no_error (error);

  round_ok (&f->a, &report);
  g_assert_cmpuint (report.conflicts, ==, 1);
  cl_sync_report_clear (&report);
  held = server_field (f->server, kase, "assigned_to");
  g_assert_cmpstr (held, ==, "maria");

  /* The vault lists it, both values, and now holds the server's. */
  conflicts = cl_sync_list_conflicts (f->a.sync, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (c->record_id, ==, kase);
  g_assert_cmpstr (c->field, ==, "assigned_to");
  g_assert_cmpstr (c->local_value, ==, "jose");
  g_assert_cmpstr (c->server_value, ==, "maria");
  g_assert_null (c->resolved_at);
  record = cl_store_get (f->a.v.store, "case", kase, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_record_get (record, "assigned_to"), ==, "maria");
}

static void
test_dropped_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *kase = make_case (&f->a, 7);
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };
  gint64 cursor;

  round_ok (&f->a, NULL);

  /* Pages of three: the first arrives whole, the second is cut in the middle. */
  f->server->page_size = 3;
  g_mutex_lock (&f->server->lock);
  f->server->pull_mode = PULL_DROP;
  g_mutex_unlock (&f->server->lock);
  g_assert_false (cl_sync_run (f->b.sync, &report, NULL, &error));
  g_assert_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK);
  g_assert_true (cl_sync_error_is_transient (error));
  cl_sync_report_clear (&report);
  g_clear_error (&error);

  /* Nothing of the cut page was applied and the cursor stayed where the vault's records
   * are: the next round takes up from there and the digest agrees. */
  cursor = cursor_of (&f->b);
  g_assert_cmpint (cursor, <, f->server->clock);
  g_assert_cmpint (count (&f->b, "note") + count (&f->b, "case") + count (&f->b, "client"),
                   <=, 9);
  round_ok (&f->b, &report);
  g_assert_cmpuint (report.pulled, ==, 9);
  cl_sync_report_clear (&report);
  g_assert_cmpint (count (&f->b, "note"), ==, 7);
  g_assert_cmpint (cursor_of (&f->b), ==, f->server->clock);
  round_ok (&f->b, NULL);
}

static void
test_malformed_page (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *kase = make_case (&f->a, 2);
  g_autoptr(GError) error = NULL;
  ClSyncReport report = { 0 };

  round_ok (&f->a, NULL);

  g_mutex_lock (&f->server->lock);
  f->server->pull_mode = PULL_MALFORMED;
  g_mutex_unlock (&f->server->lock);
  g_assert_false (cl_sync_run (f->b.sync, &report, NULL, &error));
  g_assert_error (error, CL_SYNC_ERROR, CL_SYNC_ERROR_PROTOCOL);
  g_assert_false (cl_sync_error_is_transient (error));
  g_assert_cmpstr (error->message, !=, "");
  g_test_message ("%s", error->message);
  /* It says what went wrong, and nothing of the vault's or the page's data. */
  g_assert_null (strstr (error->message, "Rosa"));
  cl_sync_report_clear (&report);

  g_assert_cmpint (count (&f->b, "case"), ==, 0);
  g_assert_cmpint (cursor_of (&f->b), ==, 0);

  /* A sound page afterwards: everything arrives. */
  round_ok (&f->b, &report);
  g_assert_cmpuint (report.pulled, ==, 4);
  cl_sync_report_clear (&report);
  g_assert_cmpint (count (&f->b, "note"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int status;

  cl_test_init (&argc, &argv);
  dir = g_dir_make_tmp ("caseload-sync-engine-XXXXXX", &error);
  g_assert_no_error (error);
  tls_shared = cl_test_tls_new (dir);

#define ADD(path, fn) \
  g_test_add ("/sync-engine/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("push-pull", test_push_pull);
  ADD ("conflict", test_conflict);
  ADD ("dropped-page", test_dropped_page);
  ADD ("malformed-page", test_malformed_page);
#undef ADD

  status = g_test_run ();
  cl_test_tls_free (tls_shared);
  cl_test_rm_rf (dir);
  return status;
}
