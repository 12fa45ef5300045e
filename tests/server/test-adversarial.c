/* test-adversarial.c: S7, hostile input to every endpoint, straight to the server (nginx
 * normally stands in front): 100,000-deep nesting, 10 MB strings, invalid UTF-8, NUL,
 * duplicate keys, 1e400, floods of values, random bytes. Pass: a clean 4xx every time, the
 * server alive, its memory bounded, and legitimate work still served.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "cl-schema.h"
#include "srv-test.h"

typedef struct {
  const char *method;
  const char *path;
  gboolean    auth;
} Endpoint;

typedef struct {
  const char *name;
  GBytes     *body;
} Payload;

static GBytes *
repeat (const char *prefix,
        const char *unit,
        gsize       count,
        const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (gsize i = 0; i < count; i++)
    g_string_append (s, unit);
  g_string_append (s, suffix);
  return g_string_free_to_bytes (s);
}

static GBytes *
bytes (const char *data,
       gsize       len)
{
  return g_bytes_new (data, len);
}

static GPtrArray *
payloads (void)
{
  GPtrArray *p = g_ptr_array_new ();
  GRand *rand = g_rand_new_with_seed (20261128);

#define ADD(n, b) G_STMT_START { Payload *x = g_new0 (Payload, 1); x->name = n; x->body = b; \
                                 g_ptr_array_add (p, x); } G_STMT_END
  ADD ("100,000-deep arrays", repeat ("", "[", 100000, ""));
  ADD ("100,000-deep objects", repeat ("", "{\"a\":", 100000, ""));
  {
    GString *closed = g_string_new (NULL);
    for (int i = 0; i < 100000; i++)
      g_string_append_c (closed, '[');
    for (int i = 0; i < 100000; i++)
      g_string_append_c (closed, ']');
    ADD ("100,000-deep, closed", g_string_free_to_bytes (closed));
  }
  ADD ("10 MB string", repeat ("{\"username\":\"", "xxxxxxxxxx", 1024 * 1024, "\"}"));
  ADD ("3 MB string", repeat ("{\"cursor\":0,\"x\":\"", "xxxxxxxxxx", 300 * 1024, "\"}"));
  ADD ("invalid UTF-8", bytes ("{\"username\":\"\xff\xfe\xfd\",\"password\":\"p\"}", 32));
  ADD ("overlong UTF-8", bytes ("{\"keep\":\"\xc0\xaf\"}", 14));
  ADD ("UTF-16 surrogate", bytes ("{\"keep\":\"\xed\xa0\x80\"}", 15));
  ADD ("NUL byte", bytes ("{\"cursor\":0}\0", 13));
  ADD ("NUL inside", bytes ("{\"keep\":\"th\0eirs\"}", 18));
  ADD ("escaped NUL", repeat ("{\"keep\":\"\\u0000\"}", "", 0, ""));
  ADD ("lone surrogate", repeat ("{\"keep\":\"\\udc00\"}", "", 0, ""));
  ADD ("duplicate keys", repeat ("{\"cursor\":0,\"cursor\":1}", "", 0, ""));
  ADD ("duplicate escaped", repeat ("{\"keep\":\"mine\",\"\\u006beep\":\"theirs\"}", "", 0, ""));
  ADD ("1e400", repeat ("{\"cursor\":1e400}", "", 0, ""));
  ADD ("-1e400", repeat ("{\"seq\":-1e400}", "", 0, ""));
  ADD ("huge integer", repeat ("{\"cursor\":", "9", 400, "}"));
  ADD ("float", repeat ("{\"cursor\":0.5}", "", 0, ""));
  ADD ("NaN", repeat ("{\"cursor\":NaN}", "", 0, ""));
  ADD ("300,000 values", repeat ("[", "0,", 300000, "0]"));
  ADD ("wide object", repeat ("{", "\"k\":0,", 1, "\"z\":1}"));
  ADD ("empty", bytes ("", 0));
  ADD ("not JSON", repeat ("GET / HTTP/1.1\r\n\r\n", "", 0, ""));
  ADD ("trailing data", repeat ("{\"cursor\":0}{}", "", 0, ""));
  ADD ("unknown key", repeat ("{\"cursor\":0,\"admin\":true}", "", 0, ""));
  ADD ("wrong types", repeat ("{\"device_id\":[],\"mutations\":\"all\"}", "", 0, ""));
  ADD ("array root", repeat ("[{\"cursor\":0}]", "", 0, ""));
  ADD ("string root", repeat ("\"cursor\"", "", 0, ""));
  for (int i = 0; i < 60; i++)
    {
      gsize len = g_rand_int_range (rand, 1, 4096);
      guint8 *data = g_malloc (len);

      for (gsize j = 0; j < len; j++)
        data[j] = (guint8) g_rand_int_range (rand, 0, 256);
      /* Half of them start like JSON, to get past the first byte. */
      if (i % 2 == 0)
        data[0] = '{';
      ADD ("random bytes", g_bytes_new_take (data, len));
    }
#undef ADD
  g_rand_free (rand);
  return p;
}

static gint64
vm_kb (SrvTestEnv *env,
       const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (env->server));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, key);
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (key) + 1, NULL, 10);
}

static void
test_s7_corpus (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autoptr(GPtrArray) all = payloads ();
  g_autofree char *conflicts_path = NULL;
  g_autofree char *client = NULL;
  g_autofree char *kase = NULL;
  gint64 hwm;
  guint answers = 0;
  Endpoint endpoints[] = {
    { "POST", "/v1/login", FALSE },
    { "POST", "/v1/push", TRUE },
    { "POST", "/v1/pull", TRUE },
    { "POST", NULL, TRUE },              /* /v1/conflicts/{id}/resolve */
    { "POST", "/v1/device/erased", TRUE },
    { "POST", "/v1/logout", TRUE },
  };

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  ana = srv_test_login (env, "ana");
  client = srv_test_new_client (env, ana, "Rose");
  kase = srv_test_new_case (env, ana, client, "14");
  {
    g_autofree char *id = cl_uuid_new ();
    conflicts_path = g_strdup_printf ("/v1/conflicts/%s/resolve", id);
  }

  for (guint e = 0; e < G_N_ELEMENTS (endpoints); e++)
    for (guint i = 0; i < all->len; i++)
      {
        Payload *p = g_ptr_array_index (all, i);
        gsize len;
        const char *data = g_bytes_get_data (p->body, &len);
        g_autoptr(SrvTestReply) reply = NULL;

        /* An empty body is a valid logout. */
        if (len == 0 && g_strcmp0 (endpoints[e].path, "/v1/logout") == 0)
          continue;
        reply = srv_test_request_full (env->session, "http://localhost", endpoints[e].method,
                                       endpoints[e].path != NULL ? endpoints[e].path
                                                                 : conflicts_path,
                                       endpoints[e].auth ? ana->token : NULL,
                                       "application/json", len > 0 ? data : "", len);
        if (reply->status < 400 || reply->status > 499)
          g_error ("%s %s with %s: %u %s", endpoints[e].method,
                   endpoints[e].path != NULL ? endpoints[e].path : conflicts_path, p->name,
                   reply->status, srv_test_reply_text (reply));
        answers++;
      }

  g_test_message ("%u hostile requests, every one a 4xx", answers);

  /* Alive, bounded, still serving. */
  {
    g_autoptr(SrvTestReply) health = srv_test_request (env, "GET", "/v1/health", NULL, NULL, 0);
    g_autoptr(ClWireResult) r = NULL;

    g_assert_cmpuint (health->status, ==, 200);
    r = srv_test_push_one (env, ana, srv_test_mutation (ana, "case", kase, CL_WIRE_OP_PUT,
                                                        srv_test_record_version (env, kase),
                                                        "status", "active", NULL));
    g_assert_cmpint (r->status, ==, CL_WIRE_STATUS_APPLIED);
  }
  /* Every connection of those requests is closed again. */
  {
    g_autofree char *fd_dir = g_strdup_printf ("/proc/%s/fd",
                                               g_subprocess_get_identifier (env->server));
    g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
    guint fds = 0;

    g_assert_nonnull (dir);
    while (g_dir_read_name (dir) != NULL)
      fds++;
    g_test_message ("server file descriptors after the run: %u", fds);
    g_assert_cmpuint (fds, <, 64);
  }
  hwm = vm_kb (env, "VmHWM:");
  g_test_message ("server peak resident memory: %" G_GINT64_FORMAT " kB", hwm);
  g_assert_cmpint (hwm, <, 512 * 1024);

  for (guint i = 0; i < all->len; i++)
    {
      Payload *p = g_ptr_array_index (all, i);
      g_bytes_unref (p->body);
      g_free (p);
    }
}

/* Well-formed requests with hostile values: each mutation refused alone, acknowledged. */
static void
test_s7_values (void)
{
  g_autoptr(SrvTestEnv) env = srv_test_env_new (NULL);
  g_autoptr(SrvTestDevice) ana = NULL;
  g_autofree char *client = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);
  const char *hostile[] = {
    "tab\there ok? no: \x01 control", "\x7f", "line\x0b", "\xe2\x80\xae" "rtl override in a name",
    "\xe2\x81\xa6" "isolate in a name" "\xe2\x81\xa9", "\xd8\xb9\xd9\x84\xd9\x8a" " Arabic is text",
  };
  guint rejected = 0;

  srv_test_add_user (env, "ana", "advocate_dv", "14");
  ana = srv_test_login (env, "ana");
  client = srv_test_new_client (env, ana, "Rose");

  while (long_text->len <= 64 * 1024)
    g_string_append (long_text, "0123456789abcdef");

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(ClWireResult) r = NULL;
      r = srv_test_push_one (env, ana, srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT,
                                                          srv_test_record_version (env, client),
                                                          "legal_name", hostile[i], NULL));
      if (r->status == CL_WIRE_STATUS_REJECTED)
        rejected++;
    }
  /* Control characters are refused, and in a name bidi controls too (a device sends the
   * normalized value, without them); other Unicode is text. */
  g_assert_cmpuint (rejected, ==, 5);

  {
    g_autoptr(GPtrArray) batch =
      g_ptr_array_new_with_free_func ((GDestroyNotify) cl_wire_mutation_free);
    g_autoptr(SrvTestReply) reply = NULL;

    /* Over 64 KiB: refused by the guard before any parsing. */
    g_ptr_array_add (batch, srv_test_mutation (ana, "client", client, CL_WIRE_OP_PUT, 0,
                                               "legal_name", long_text->str, NULL));
    reply = srv_test_push_raw (env, ana, batch);
    g_assert_cmpuint (reply->status, ==, 400);
  }
}

int
main (int   argc,
      char *argv[])
{
  srv_test_init (&argc, &argv);

  g_test_add_func ("/server/adversarial/s7-corpus", test_s7_corpus);
  g_test_add_func ("/server/adversarial/s7-values", test_s7_values);
  return g_test_run ();
}
