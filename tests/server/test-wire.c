/* test-wire.c: the wire format's guard and codecs (common/cl-wire.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <sodium.h>

#include "cl-report.h"
#include "cl-schema.h"
#include "cl-seed.h"
#include "cl-wire.h"

static const ClWireLimits limits = { 1024 * 1024, 16, 65536, 64, 100000 };

static void
assert_guard (const char *doc,
              gssize      len,
              int         expected_code)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cl_wire_guard (doc, len < 0 ? strlen (doc) : (gsize) len, &limits, &error);

  if (expected_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, CL_WIRE_ERROR, expected_code);
    }
}

static void
test_guard_valid (void)
{
  const char *docs[] = {
    "{}", "[]", "0", "-1", "\"x\"", "true", "false", "null",
    " { \"a\" : [ 1 , 2 , { \"b\" : null } ] , \"c\" : \"\\u00e9\\n\\\"\" } ",
    "{\"emoji\":\"\\ud83d\\ude00\",\"raw\":\"é😀\"}",
    "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]",   /* brackets inside a string */
    "{\"a\":{\"a\":{\"a\":1}}}",                        /* the same name at other levels */
    "123456789012345",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    assert_guard (docs[i], -1, -1);
}

static void
test_guard_depth (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) ok = g_string_new (NULL);

  /* 100,000 levels: refused at level 17, in constant stack. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_guard (deep->str, deep->len, CL_WIRE_ERROR_TOO_DEEP);
  g_string_truncate (deep, 0);
  for (int i = 0; i < 50000; i++)
    g_string_append (deep, "{\"a\":");
  assert_guard (deep->str, deep->len, CL_WIRE_ERROR_TOO_DEEP);

  for (int i = 0; i < 16; i++)
    g_string_append_c (ok, '[');
  for (int i = 0; i < 16; i++)
    g_string_append_c (ok, ']');
  assert_guard (ok->str, ok->len, -1);
  g_string_prepend_c (ok, '[');
  g_string_append_c (ok, ']');
  assert_guard (ok->str, ok->len, CL_WIRE_ERROR_TOO_DEEP);
}

static void
test_guard_utf8 (void)
{
  assert_guard ("{\"a\":\"\xff\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);
  assert_guard ("{\"a\":\"\xc0\xaf\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);      /* overlong */
  assert_guard ("{\"a\":\"\xed\xa0\x80\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);  /* surrogate */
  assert_guard ("{\"a\":\"\xf4\x90\x80\x80\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);
  assert_guard ("{\"a\":\"\\ud800\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);
  assert_guard ("{\"a\":\"\\udc00\\ud800\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);
  assert_guard ("{\"a\":\"\\ud800\\u0041\"}", -1, CL_WIRE_ERROR_INVALID_UTF8);
}

static void
test_guard_nul (void)
{
  assert_guard ("{\"a\":\"x\0y\"}", 11, CL_WIRE_ERROR_NUL);
  assert_guard ("{\"a\":1}\0", 8, CL_WIRE_ERROR_NUL);
  assert_guard ("{\"a\":\"\\u0000\"}", -1, CL_WIRE_ERROR_NUL);
}

static void
test_guard_duplicates (void)
{
  assert_guard ("{\"a\":1,\"a\":2}", -1, CL_WIRE_ERROR_DUPLICATE_KEY);
  assert_guard ("{\"a\":1,\"\\u0061\":2}", -1, CL_WIRE_ERROR_DUPLICATE_KEY);
  assert_guard ("{\"x\":{\"a\":1,\"b\":{\"a\":3},\"a\":2}}", -1, CL_WIRE_ERROR_DUPLICATE_KEY);
  assert_guard ("[{\"a\":1},{\"a\":2}]", -1, -1);
}

static void
test_guard_numbers (void)
{
  assert_guard ("1e400", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":1e400}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":1.0}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":-0.5}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":1E2}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":1234567890123456}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":99999999999999999999999999999}", -1, CL_WIRE_ERROR_NUMBER);
  assert_guard ("{\"seq\":01}", -1, CL_WIRE_ERROR_SYNTAX);
  assert_guard ("{\"seq\":-}", -1, CL_WIRE_ERROR_SYNTAX);
  assert_guard ("{\"seq\":+1}", -1, CL_WIRE_ERROR_SYNTAX);
  assert_guard ("{\"seq\":NaN}", -1, CL_WIRE_ERROR_SYNTAX);
  assert_guard ("{\"seq\":Infinity}", -1, CL_WIRE_ERROR_SYNTAX);
}

static void
test_guard_syntax (void)
{
  const char *bad[] = {
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\" 1}", "{\"a\":1} x",
    "[1 2]", "/* c */ {}", "{\"a\":tru}", "{\"a\":nul}", "\"unterminated", "\"a\\x\"",
    "\"tab\there\"", "\"\\u12\"", "{\"a\":1}{}", "[\"a\" : 1]", "{,}", "[,1]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_guard (bad[i], -1, CL_WIRE_ERROR_SYNTAX);
}

static void
test_guard_limits (void)
{
  g_autoptr(GString) big = g_string_new ("\"");
  g_autoptr(GString) many = g_string_new ("[");
  ClWireLimits small = limits;

  for (int i = 0; i < 70000; i++)
    g_string_append_c (big, 'x');
  g_string_append_c (big, '"');
  assert_guard (big->str, big->len, CL_WIRE_ERROR_STRING_TOO_LONG);

  small.max_bytes = 10;
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (cl_wire_guard ("[1,2,3,4,5,6]", 13, &small, &error));
    g_assert_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_BODY_TOO_LARGE);
  }

  for (int i = 0; i < 200000; i++)
    g_string_append (many, "0,");
  g_string_append (many, "0]");
  assert_guard (many->str, many->len, CL_WIRE_ERROR_TOO_MANY_VALUES);

  {
    g_autoptr(GString) key = g_string_new ("{\"");
    for (int i = 0; i < 65; i++)
      g_string_append_c (key, 'k');
    g_string_append (key, "\":1}");
    assert_guard (key->str, key->len, CL_WIRE_ERROR_STRING_TOO_LONG);
  }
}

static ClWireMutation *
sample_mutation (gint64 seq)
{
  ClWireMutation *m = cl_wire_mutation_new ();

  m->seq = seq;
  m->id = cl_uuid_new ();
  m->type = g_strdup ("case");
  m->record = cl_uuid_new ();
  m->op = CL_WIRE_OP_PUT;
  m->base_version = 3;
  m->at = g_strdup ("2026-11-28T10:00:00Z");
  cl_wire_mutation_add_change (m, "status", "referred", "outreach");
  cl_wire_mutation_add_change (m, "command", NULL, "14");
  cl_wire_mutation_add_change (m, "assigned_to", "x", NULL);
  return m;
}

static void
test_push_roundtrip (void)
{
  g_autoptr(ClWirePushRequest) request = cl_wire_push_request_new (NULL);
  g_autoptr(ClWirePushRequest) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *again = NULL;
  gsize len;

  request->device_id = cl_uuid_new ();
  g_ptr_array_add (request->mutations, sample_mutation (1));
  g_ptr_array_add (request->mutations, sample_mutation (2));
  body = cl_wire_push_request_encode (request, &len);
  decoded = cl_wire_push_request_decode (body, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->mutations->len, ==, 2);
  again = cl_wire_push_request_encode (decoded, NULL);
  g_assert_cmpstr (body, ==, again);

  {
    ClWireMutation *m = g_ptr_array_index (decoded->mutations, 0);
    const ClWireFieldChange *c = cl_wire_mutation_get_change (m, "assigned_to");

    g_assert_cmpstr (c->old_value, ==, "x");
    g_assert_null (c->new_value);
    /* Changes are sorted by field. */
    g_assert_cmpstr (((ClWireFieldChange *) g_ptr_array_index (m->changes, 0))->field, ==,
                     "assigned_to");
  }
}

static void
assert_push_refused (const char *body,
                     int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClWirePushRequest) r = cl_wire_push_request_decode (body, strlen (body), &error);

  g_assert_null (r);
  g_assert_error (error, CL_WIRE_ERROR, code);
}

#define DEV "\"device_id\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abc\""
#define MUT(extra) \
  "{" DEV ",\"mutations\":[{\"seq\":1,\"id\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abd\"," \
  "\"type\":\"case\",\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abe\",\"op\":\"put\"," \
  "\"base_version\":0,\"at\":\"\"" extra "}]}"

static void
test_push_strict (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClWirePushRequest) ok = NULL;

  ok = cl_wire_push_request_decode (MUT (""), strlen (MUT ("")), &error);
  g_assert_no_error (error);

  assert_push_refused ("{" DEV ",\"mutations\":[],\"extra\":1}", CL_WIRE_ERROR_UNKNOWN_KEY);
  assert_push_refused ("{\"mutations\":[]}", CL_WIRE_ERROR_MISSING_KEY);
  assert_push_refused ("{" DEV ",\"mutations\":{}}", CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused ("{\"device_id\":\"nope\",\"mutations\":[]}", CL_WIRE_ERROR_INVALID_VALUE);
  assert_push_refused ("{\"device_id\":7,\"mutations\":[]}", CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused ("[]", CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused (MUT (",\"changes\":{\"status\":{\"old\":null}}"),
                       CL_WIRE_ERROR_MISSING_KEY);
  assert_push_refused (MUT (",\"changes\":{\"status\":{\"old\":null,\"new\":3}}"),
                       CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused (MUT (",\"changes\":{\"status\":{\"old\":null,\"new\":\"a\",\"x\":1}}"),
                       CL_WIRE_ERROR_UNKNOWN_KEY);
  assert_push_refused (MUT (",\"changes\":{\"Status\":{\"old\":null,\"new\":\"a\"}}"),
                       CL_WIRE_ERROR_INVALID_VALUE);
  assert_push_refused (MUT (",\"changes\":{\"status\":\"a\"}"), CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused (MUT (",\"unknown\":true"), CL_WIRE_ERROR_UNKNOWN_KEY);
  assert_push_refused ("{" DEV ",\"mutations\":[{\"seq\":\"1\"}]}", CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused ("{" DEV ",\"mutations\":[{\"seq\":0,\"id\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abd\",\"type\":\"case\",\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abe\",\"op\":\"put\",\"base_version\":0,\"at\":\"\"}]}",
                       CL_WIRE_ERROR_INVALID_VALUE);
  assert_push_refused ("{" DEV ",\"mutations\":[{\"seq\":1,\"id\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abd\",\"type\":\"case\",\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abe\",\"op\":\"upsert\",\"base_version\":0,\"at\":\"\"}]}",
                       CL_WIRE_ERROR_INVALID_VALUE);
  assert_push_refused ("{" DEV ",\"mutations\":[{\"seq\":1,\"id\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abd\",\"type\":\"case\",\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-"
                       "123456789abe\",\"op\":\"delete\",\"base_version\":0,\"at\":\"\","
                       "\"changes\":{\"a\":{\"old\":null,\"new\":null}}}]}",
                       CL_WIRE_ERROR_INVALID_VALUE);
  assert_push_refused ("{" DEV ",\"mutations\":[{\"seq\":true}]}", CL_WIRE_ERROR_WRONG_TYPE);
  assert_push_refused ("{" DEV ",\"mutations\":[],\"device_id\":\"x\"}",
                       CL_WIRE_ERROR_DUPLICATE_KEY);
}

static void
test_pull_roundtrip (void)
{
  g_autoptr(ClWirePullResponse) r = cl_wire_pull_response_new ();
  g_autoptr(ClWirePullResponse) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *again = NULL;
  ClWirePullItem *put;
  gsize len;

  put = cl_wire_pull_item_new (CL_WIRE_PULL_PUT, "case", "6f1f7a3e-2b1c-4d5e-8f90-123456789abe",
                               7);
  cl_wire_pull_item_set_field (put, "status", "active", 7);
  cl_wire_pull_item_set_field (put, "closed_at", NULL, 5);
  g_ptr_array_add (r->changes, put);
  g_ptr_array_add (r->changes,
                   cl_wire_pull_item_new (CL_WIRE_PULL_REMOVE, "note",
                                          "6f1f7a3e-2b1c-4d5e-8f90-123456789abf", 9));
  r->cursor = 12;
  r->more = TRUE;
  r->last_seq = 4;

  body = cl_wire_pull_response_encode (r, &len);
  d = cl_wire_pull_response_decode (body, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->changes->len, ==, 2);
  g_assert_true (d->more);
  again = cl_wire_pull_response_encode (d, NULL);
  g_assert_cmpstr (body, ==, again);

  /* A response that goes backwards or beyond its cursor is refused. */
  r->cursor = 8;
  g_free (body);
  body = cl_wire_pull_response_encode (r, &len);
  g_clear_pointer (&d, cl_wire_pull_response_free);
  d = cl_wire_pull_response_decode (body, len, &error);
  g_assert_null (d);
  g_assert_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE);
}

/* The streaming writer gives the page cl_wire_pull_response_encode() gives, from the
 * fields as the server's database renders them (spaces, any order of keys). */
static void
test_pull_writer (void)
{
  g_autoptr(ClWirePullWriter) w = cl_wire_pull_writer_new ();
  g_autoptr(ClWirePullResponse) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *again = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(ClWirePullResponse) r = cl_wire_pull_response_new ();
  ClWirePullItem *put;
  gsize len;

  cl_wire_pull_writer_add (w, CL_WIRE_PULL_PUT, "case", "6f1f7a3e-2b1c-4d5e-8f90-123456789abe",
                           7, "{ \"status\" : \"act\\\"ive\\n\", \"closed_at\" : null }",
                           "{\"status\": 7, \"closed_at\": 5}");
  cl_wire_pull_writer_add (w, CL_WIRE_PULL_DELETE, "note",
                           "6f1f7a3e-2b1c-4d5e-8f90-123456789abf", 8, NULL, NULL);
  cl_wire_pull_writer_add (w, CL_WIRE_PULL_REMOVE, "note",
                           "6f1f7a3e-2b1c-4d5e-8f90-123456789ab0", 9, NULL, NULL);
  g_assert_cmpuint (cl_wire_pull_writer_get_n_changes (w), ==, 3);
  g_assert_cmpuint (cl_wire_pull_writer_get_size (w), >, 200);
  body = cl_wire_pull_writer_finish (g_steal_pointer (&w), 12, TRUE, 4, &len);
  g_assert_cmpuint (len, ==, strlen (body));

  d = cl_wire_pull_response_decode (body, len, &error);
  g_assert_no_error (error);
  again = cl_wire_pull_response_encode (d, NULL);

  put = cl_wire_pull_item_new (CL_WIRE_PULL_PUT, "case", "6f1f7a3e-2b1c-4d5e-8f90-123456789abe",
                               7);
  cl_wire_pull_item_set_field (put, "status", "act\"ive\n", 7);
  cl_wire_pull_item_set_field (put, "closed_at", NULL, 5);
  g_ptr_array_add (r->changes, put);
  g_ptr_array_add (r->changes,
                   cl_wire_pull_item_new (CL_WIRE_PULL_DELETE, "note",
                                          "6f1f7a3e-2b1c-4d5e-8f90-123456789abf", 8));
  g_ptr_array_add (r->changes,
                   cl_wire_pull_item_new (CL_WIRE_PULL_REMOVE, "note",
                                          "6f1f7a3e-2b1c-4d5e-8f90-123456789ab0", 9));
  r->cursor = 12;
  r->more = TRUE;
  r->last_seq = 4;
  expected = cl_wire_pull_response_encode (r, NULL);
  g_assert_cmpstr (again, ==, expected);

  /* An empty page. */
  w = cl_wire_pull_writer_new ();
  g_free (body);
  body = cl_wire_pull_writer_finish (g_steal_pointer (&w), 30, FALSE, 0, &len);
  g_assert_cmpstr (body, ==, "{\"changes\":[],\"cursor\":30,\"more\":false,\"last_seq\":0}");
}

/* 64 characters, 128 bytes. */
#define LONG_NAME "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"

/* The login request: the device's name and a new password are optional. */
static void
test_login_request (void)
{
  const char *named = "{\"username\":\"a\",\"password\":\"p\",\"device_name\":\""
                      LONG_NAME "\",\"new_password\":\"a new one\"}";
  const char *bare = "{\"username\":\"a\",\"password\":\"p\"}";
  g_autoptr(ClWireLoginRequest) l = NULL;
  g_autoptr(ClWireLoginRequest) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;

  l = cl_wire_login_request_decode (named, strlen (named), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (l->device_name, ==, LONG_NAME);
  g_assert_cmpstr (l->new_password, ==, "a new one");
  encoded = cl_wire_login_request_encode (l, NULL);
  g_assert_cmpstr (encoded, ==, named);

  b = cl_wire_login_request_decode (bare, strlen (bare), &error);
  g_assert_no_error (error);
  g_assert_null (b->device_name);
  g_assert_null (b->new_password);
  g_clear_pointer (&encoded, g_free);
  encoded = cl_wire_login_request_encode (b, NULL);
  g_assert_cmpstr (encoded, ==, bare);

  g_assert_true (cl_wire_is_device_name ("ana@ws-14-dv"));
  g_assert_true (cl_wire_is_device_name ("Ordinateur de Zoë"));
  g_assert_false (cl_wire_is_device_name ("tab\there"));
  g_assert_false (cl_wire_is_device_name ("\x7f"));
  g_assert_false (cl_wire_is_device_name ("\xc3"));
  g_assert_false (cl_wire_is_device_name (""));
}

/* The refresh request and the refresh token a login answer must carry. */
static void
test_refresh (void)
{
  const char *good = "{\"refresh_token\":\"clr_" "abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123" "\"}";
  const char *answer = "{\"token\":\"clt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                       "\"device_id\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abc\","
                       "\"expires_at\":\"2026-12-28T10:00:00Z\","
                       "\"idle_expires_at\":\"2026-11-29T10:00:00Z\","
                       "\"user\":{\"username\":\"a\",\"role\":\"advocate_dv\",\"commands\":[]}}";
  g_autoptr(GError) error = NULL;
  g_autofree char *token = cl_wire_refresh_request_decode (good, strlen (good), &error);
  g_autofree char *encoded = NULL;
  g_autoptr(ClWireLoginResponse) login = NULL;

  g_assert_no_error (error);
  encoded = cl_wire_refresh_request_encode (token, NULL);
  g_assert_cmpstr (encoded, ==, good);

  g_assert_true (cl_wire_is_refresh_token (token));
  g_assert_false (cl_wire_is_refresh_token (NULL));
  g_assert_false (cl_wire_is_refresh_token ("clt_abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123"));
  g_assert_false (cl_wire_is_refresh_token ("clr_abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_012"));
  g_assert_false (cl_wire_is_refresh_token ("clr_abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123A"));
  g_assert_false (cl_wire_is_refresh_token ("clr_abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-/0123"));

  login = cl_wire_login_response_decode (answer, strlen (answer), &error);
  g_assert_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_MISSING_KEY);
  g_assert_null (login);
}

static void
test_small_messages (void)
{
  g_autoptr(GError) error = NULL;
  const char *login = "{\"username\":\"alice\",\"password\":\"p\",\"device_name\":\"ws\"}";
  g_autoptr(ClWireLoginRequest) l = cl_wire_login_request_decode (login, strlen (login), &error);
  const char *resolve = "{\"keep\":\"value\",\"value\":null}";
  g_autoptr(ClWireResolveRequest) rv = NULL;
  const char *err = "{\"error\":{\"code\":\"seq_gap\",\"message\":\"x\",\"expected_seq\":4}}";
  g_autoptr(ClWireErrorReply) e = NULL;
  const char *pull = "{\"cursor\":3,\"limit\":10,\"digest\":\"00000000000000ff\"}";
  g_autoptr(ClWirePullRequest) p = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (l->username, ==, "alice");

  rv = cl_wire_resolve_request_decode (resolve, strlen (resolve), &error);
  g_assert_no_error (error);
  g_assert_true (rv->has_value);
  g_assert_null (rv->value);

  e = cl_wire_error_reply_decode (err, strlen (err), &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->expected_seq, ==, 4);

  p = cl_wire_pull_request_decode (pull, strlen (pull), &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->limit, ==, 10);

#define REFUSED(fn, text, code)                                                  \
  G_STMT_START {                                                                 \
    g_autoptr(GError) e2 = NULL;                                                 \
    gpointer r2 = fn (text, strlen (text), &e2);                                 \
    g_assert_null (r2);                                                          \
    g_assert_error (e2, CL_WIRE_ERROR, code);                                    \
  } G_STMT_END

  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":-1}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":1,\"limit\":0}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":1,\"limit\":1001}",
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":1,\"digest\":\"XYZ\"}",
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":1.5}", CL_WIRE_ERROR_NUMBER);
  REFUSED (cl_wire_pull_request_decode, "{\"cursor\":false}", CL_WIRE_ERROR_WRONG_TYPE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"\",\"password\":\"p\","
           "\"device_name\":\"d\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\"}", CL_WIRE_ERROR_MISSING_KEY);
  /* A device name is 1 to 64 printable characters: not empty, no control or format
   * character (an escape sequence, a bidirectional override), no more than 64. */
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":\"\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":\"ws\\u001b[2J\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":\"ws\\n14\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":\"ws\\u202e41\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":\"" LONG_NAME "x\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"device_name\":7}", CL_WIRE_ERROR_WRONG_TYPE);
  REFUSED (cl_wire_login_request_decode, "{\"username\":\"a\",\"password\":\"p\","
           "\"new_password\":\"\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_resolve_request_decode, "{\"keep\":\"mine\",\"value\":\"x\"}",
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_resolve_request_decode, "{\"keep\":\"value\"}", CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (cl_wire_resolve_request_decode, "{\"keep\":\"both\"}", CL_WIRE_ERROR_INVALID_VALUE);
#undef REFUSED
}

#define CONFLICT(id, extra) \
  "{\"id\":\"" id "\",\"type\":\"case\"," \
  "\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abe\",\"server_value\":\"active\"," \
  "\"client_value\":\"on_hold\",\"server_version\":118,\"mine\":true" extra "}"
#define WHO ",\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"ben\"," \
  "\"server_by\":\"ana\",\"server_at\":\"2026-11-28T15:40:02Z\",\"this_device\":false"
#define ID1 "6f1f7a3e-2b1c-4d5e-8f90-123456789ab1"
#define ID2 "6f1f7a3e-2b1c-4d5e-8f90-123456789ab2"

/* GET /v1/conflicts: who and when on both sides; anything malformed refused whole. */
static void
test_conflict_list (void)
{
  const char *good = "{\"conflicts\":[" CONFLICT (ID1, ",\"field\":\"status\","
                                                    "\"kind\":\"field\"" WHO) ","
                     CONFLICT (ID2, ",\"field\":\"_deleted\",\"kind\":\"delete\","
                               "\"created_at\":\"2026-11-28T15:42:31Z\","
                               "\"client_by\":\"ben.k-2\",\"server_by\":null,"
                               "\"server_at\":null,\"this_device\":true") "]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cl_wire_conflict_list_decode (good, strlen (good), NULL, NULL, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *body = NULL;
  ClWireConflictInfo *info;
  gsize len;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  info = g_ptr_array_index (list, 0);
  g_assert_cmpstr (info->client_by, ==, "ben");
  g_assert_cmpstr (info->server_by, ==, "ana");
  g_assert_cmpstr (info->server_at, ==, "2026-11-28T15:40:02Z");
  g_assert_cmpstr (info->created_at, ==, "2026-11-28T15:42:31Z");
  g_assert_false (info->this_device);
  info = g_ptr_array_index (list, 1);
  g_assert_null (info->server_by);
  g_assert_null (info->server_at);
  g_assert_true (info->this_device);

  body = cl_wire_conflict_list_encode (list, list->len, FALSE, &len);
  again = cl_wire_conflict_list_decode (body, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_cmpstr (((ClWireConflictInfo *) g_ptr_array_index (again, 0))->server_by, ==, "ana");

#define REFUSED(text, code)                                                      \
  G_STMT_START {                                                                 \
    g_autoptr(GError) e2 = NULL;                                                 \
    g_autoptr(GPtrArray) r2 = cl_wire_conflict_list_decode (text, strlen (text), NULL, NULL, &e2); \
    g_assert_null (r2);                                                          \
    g_assert_error (e2, CL_WIRE_ERROR, code);                                    \
  } G_STMT_END
#define ONE(extra) "{\"conflicts\":[" CONFLICT (ID1, extra) "]}"
#define FIELD ",\"field\":\"status\",\"kind\":\"field\""

  /* Members missing, unknown, of the wrong type. */
  REFUSED (ONE (FIELD), CL_WIRE_ERROR_MISSING_KEY);
  REFUSED (ONE (FIELD WHO ",\"device\":\"x\""), CL_WIRE_ERROR_UNKNOWN_KEY);
  REFUSED ("{\"conflicts\":[" CONFLICT (ID1, FIELD ",\"created_at\":\"2026-11-28T15:42:31Z\","
           "\"client_by\":7,\"server_by\":null,\"server_at\":null,"
           "\"this_device\":false") "]}", CL_WIRE_ERROR_WRONG_TYPE);
  /* Values out of their form. */
  REFUSED (ONE (",\"field\":\"status\",\"kind\":\"merge\"" WHO), CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (",\"field\":\"_deleted\",\"kind\":\"field\"" WHO), CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (",\"field\":\"status\",\"kind\":\"delete\"" WHO), CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (FIELD ",\"created_at\":\"yesterday\",\"client_by\":\"ben\","
                "\"server_by\":null,\"server_at\":null,\"this_device\":false"),
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (FIELD ",\"created_at\":\"2026-02-30T15:42:31Z\",\"client_by\":\"ben\","
                "\"server_by\":null,\"server_at\":null,\"this_device\":false"),
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (FIELD ",\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"Ben <b>\","
                "\"server_by\":null,\"server_at\":null,\"this_device\":false"),
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (FIELD ",\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"ben\","
                "\"server_by\":\"ana\",\"server_at\":null,\"this_device\":false"),
           CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED (ONE (FIELD ",\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"ben\","
                "\"server_by\":\"ana\",\"server_at\":\"2026-11-28 15:40\","
                "\"this_device\":false"), CL_WIRE_ERROR_INVALID_VALUE);
  REFUSED ("{\"conflicts\":[" CONFLICT (ID1, FIELD ",\"created_at\":\"2026-11-28T15:42:31Z\","
           "\"client_by\":\"ben\",\"server_by\":null,\"server_at\":null,"
           "\"this_device\":true,\"mine\":false") "]}", CL_WIRE_ERROR_DUPLICATE_KEY);
  /* One conflict twice. */
  REFUSED ("{\"conflicts\":[" CONFLICT (ID1, FIELD WHO) "," CONFLICT (ID1, FIELD WHO) "]}",
           CL_WIRE_ERROR_INVALID_VALUE);
#undef ONE
#undef FIELD
#undef REFUSED

  /* Claims to be this device's but not this user's. */
  {
    const char *text = "{\"conflicts\":[{\"id\":\"" ID1 "\",\"type\":\"case\","
                       "\"record\":\"6f1f7a3e-2b1c-4d5e-8f90-123456789abe\","
                       "\"field\":\"status\",\"kind\":\"field\",\"server_value\":null,"
                       "\"client_value\":null,\"server_version\":1,"
                       "\"created_at\":\"2026-11-28T15:42:31Z\",\"client_by\":\"ben\","
                       "\"server_by\":null,\"server_at\":null,\"mine\":false,"
                       "\"this_device\":true}]}";
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GPtrArray) r2 = cl_wire_conflict_list_decode (text, strlen (text), NULL, NULL, &e2);

    g_assert_null (r2);
    g_assert_error (e2, CL_WIRE_ERROR, CL_WIRE_ERROR_INVALID_VALUE);
  }

  /* More than the server ever sends. */
  {
    g_autoptr(GString) many = g_string_new ("{\"conflicts\":[");
    g_autoptr(GError) e2 = NULL;
    g_autoptr(GPtrArray) r2 = NULL;

    for (guint i = 0; i <= CL_WIRE_MAX_CONFLICTS; i++)
      g_string_append_printf (many, "%s" CONFLICT ("6f1f7a3e-2b1c-4d5e-8f90-%012x",
                                                   ",\"field\":\"status\","
                                                   "\"kind\":\"field\"" WHO),
                              i > 0 ? "," : "", i);
    g_string_append (many, "]}");
    r2 = cl_wire_conflict_list_decode (many->str, many->len, NULL, NULL, &e2);
    g_assert_null (r2);
    g_assert_error (e2, CL_WIRE_ERROR, CL_WIRE_ERROR_TOO_MANY_ITEMS);
  }
}

static void
test_canonical_hash (void)
{
  g_autoptr(ClWireMutation) a = sample_mutation (5);
  g_autoptr(ClWireMutation) b = cl_wire_mutation_new ();
  guint8 ha[32], hb[32];

  b->seq = a->seq;
  b->id = g_strdup (a->id);
  b->type = g_strdup (a->type);
  b->record = g_strdup (a->record);
  b->op = a->op;
  b->base_version = a->base_version;
  b->at = g_strdup (a->at);
  /* Same changes, another order. */
  cl_wire_mutation_add_change (b, "assigned_to", "x", NULL);
  cl_wire_mutation_add_change (b, "command", NULL, "14");
  cl_wire_mutation_add_change (b, "status", "referred", "outreach");
  cl_wire_mutation_hash (a, ha);
  cl_wire_mutation_hash (b, hb);
  g_assert_cmpmem (ha, 32, hb, 32);

  cl_wire_mutation_add_change (b, "status", "referred", "active");
  cl_wire_mutation_hash (b, hb);
  g_assert_true (memcmp (ha, hb, 32) != 0);
}

static void
test_digest (void)
{
  guint64 a = 0, b = 0, c = 0;
  g_autofree char *hex = NULL;

  cl_wire_digest_add (&a, "6f1f7a3e-2b1c-4d5e-8f90-123456789abe", 1);
  cl_wire_digest_add (&a, "6f1f7a3e-2b1c-4d5e-8f90-123456789abf", 2);
  cl_wire_digest_add (&b, "6f1f7a3e-2b1c-4d5e-8f90-123456789abf", 2);
  cl_wire_digest_add (&b, "6f1f7a3e-2b1c-4d5e-8f90-123456789abe", 1);
  g_assert_cmpuint (a, ==, b);

  /* Unlike XOR, a record held twice does not vanish. */
  cl_wire_digest_add (&c, "6f1f7a3e-2b1c-4d5e-8f90-123456789abe", 1);
  cl_wire_digest_add (&c, "6f1f7a3e-2b1c-4d5e-8f90-123456789abe", 1);
  g_assert_cmpuint (c, !=, 0);

  hex = cl_wire_digest_to_hex (0);
  g_assert_cmpstr (hex, ==, "0000000000000000");
}

static void
test_seed_id (void)
{
  g_autofree char *a = cl_seed_id ("command", "14");
  g_autofree char *b = cl_seed_id ("command", "14");
  g_autofree char *c = cl_seed_id ("command", "PSA 2");

  g_assert_true (cl_is_uuid (a));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpint (a[14], ==, '4');
  /* Frozen: vaults made by earlier versions hold this id. */
  g_assert_cmpuint (strlen (a), ==, 36);
}

/* Every file of the checked-in fuzz corpus (adversarial inputs included) through every
 * decoder: no crash, no leak (under ASan in the fuzz build), nothing accepted twice
 * differently. */
static void
test_corpus (void)
{
  const char *path = g_getenv ("CASELOAD_FUZZ_CORPUS");
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n = 0, reports = 0;

  g_assert_nonnull (path);
  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      g_autoptr(GPtrArray) list = NULL;
      gsize len;

      if (!g_file_get_contents (file, &data, &len, NULL))
        continue;
      cl_wire_push_request_free (cl_wire_push_request_decode (data, len, NULL));
      cl_wire_pull_request_free (cl_wire_pull_request_decode (data, len, NULL));
      cl_wire_pull_response_free (cl_wire_pull_response_decode (data, len, NULL));
      cl_wire_push_response_free (cl_wire_push_response_decode (data, len, NULL));
      cl_wire_login_request_free (cl_wire_login_request_decode (data, len, NULL));
      cl_wire_login_response_free (cl_wire_login_response_decode (data, len, NULL));
      g_free (cl_wire_refresh_request_decode (data, len, NULL));
      {
        g_autofree char *bundle = NULL;

        cl_wire_trust_response_decode (data, len, &bundle, NULL);
      }
      cl_wire_resolve_request_free (cl_wire_resolve_request_decode (data, len, NULL));
      cl_wire_error_reply_free (cl_wire_error_reply_decode (data, len, NULL));
      list = cl_wire_conflict_list_decode (data, len, NULL, NULL, NULL);
      {
        /* A report result as the server answers one: read back and written again the
         * same; the adversarial ones refused. */
        g_autoptr(ClReportResult) result = cl_report_result_from_json (data, len, NULL);

        if (g_str_equal (name, "report-result.json"))
          {
            g_autofree char *again = NULL;

            g_assert_nonnull (result);
            again = cl_report_result_to_json (result, NULL);
            g_assert_cmpstr (again, ==, data);
            reports++;
          }
        else if (g_str_has_prefix (name, "adv-report-"))
          {
            g_assert_null (result);
            reports++;
          }
      }
      g_clear_pointer (&data, g_free);
      n++;
    }
  g_test_message ("%u corpus files decoded", n);
  g_assert_cmpuint (n, >, 10);
  g_assert_cmpuint (reports, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

  g_test_add_func ("/wire/guard/valid", test_guard_valid);
  g_test_add_func ("/wire/guard/depth", test_guard_depth);
  g_test_add_func ("/wire/guard/utf8", test_guard_utf8);
  g_test_add_func ("/wire/guard/nul", test_guard_nul);
  g_test_add_func ("/wire/guard/duplicate-keys", test_guard_duplicates);
  g_test_add_func ("/wire/guard/numbers", test_guard_numbers);
  g_test_add_func ("/wire/guard/syntax", test_guard_syntax);
  g_test_add_func ("/wire/guard/limits", test_guard_limits);
  g_test_add_func ("/wire/push/roundtrip", test_push_roundtrip);
  g_test_add_func ("/wire/push/strict", test_push_strict);
  g_test_add_func ("/wire/pull/roundtrip", test_pull_roundtrip);
  g_test_add_func ("/wire/pull/writer", test_pull_writer);
  g_test_add_func ("/wire/small-messages", test_small_messages);
  g_test_add_func ("/wire/login-request", test_login_request);
  g_test_add_func ("/wire/conflict-list", test_conflict_list);
  g_test_add_func ("/wire/canonical-hash", test_canonical_hash);
  g_test_add_func ("/wire/digest", test_digest);
  g_test_add_func ("/wire/seed-id", test_seed_id);
  g_test_add_func ("/wire/corpus", test_corpus);
  g_test_add_func ("/wire/refresh", test_refresh);
  return g_test_run ();
}
