/* test-wire-pull-total.c: a first pull's count (request "count", response "total")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The request carries "count" only when asked, so a server older than the member never
 * sees it unasked; the page carries "total" only when the server counted, so a device
 * older than the member never gets it; a total that is not a count is refused.
 */

#include <string.h>

#include "cl-wire.h"

static void
test_request (void)
{
  g_autoptr(ClWirePullRequest) r = cl_wire_pull_request_new ();
  g_autoptr(ClWirePullRequest) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *counted = NULL;
  gsize len;

  plain = cl_wire_pull_request_encode (r, &len);
  g_assert_null (strstr (plain, "count"));
  r->count = TRUE;
  counted = cl_wire_pull_request_encode (r, &len);
  g_assert_nonnull (strstr (counted, "\"count\":true"));
  d = cl_wire_pull_request_decode (counted, len, &error);
  g_assert_no_error (error);
  g_assert_true (d->count);
  g_clear_pointer (&d, cl_wire_pull_request_free);
  d = cl_wire_pull_request_decode (plain, strlen (plain), &error);
  g_assert_no_error (error);
  g_assert_false (d->count);
  g_clear_pointer (&d, cl_wire_pull_request_free);
  d = cl_wire_pull_request_decode ("{\"cursor\":0,\"count\":1}", 22, &error);
  g_assert_null (d);
  g_assert_error (error, CL_WIRE_ERROR, CL_WIRE_ERROR_WRONG_TYPE);
}

static void
test_response (void)
{
  g_autoptr(ClWirePullWriter) w = cl_wire_pull_writer_new ();
  g_autoptr(ClWirePullWriter) counted = cl_wire_pull_writer_new ();
  g_autoptr(ClWirePullResponse) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *again = NULL;
  const char *negative = "{\"changes\":[],\"cursor\":3,\"more\":false,\"last_seq\":0,"
                         "\"total\":-1}";
  gsize len;

  body = cl_wire_pull_writer_finish (g_steal_pointer (&w), 12, TRUE, 4, &len);
  g_assert_null (strstr (body, "total"));
  d = cl_wire_pull_response_decode (body, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->total, ==, -1);
  g_clear_pointer (&d, cl_wire_pull_response_free);
  g_clear_pointer (&body, g_free);

  cl_wire_pull_writer_set_total (counted, 210000);
  body = cl_wire_pull_writer_finish (g_steal_pointer (&counted), 12, TRUE, 4, &len);
  d = cl_wire_pull_response_decode (body, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->total, ==, 210000);
  again = cl_wire_pull_response_encode (d, &len);
  g_assert_cmpstr (again, ==, body);
  g_clear_pointer (&d, cl_wire_pull_response_free);

  d = cl_wire_pull_response_decode (negative, strlen (negative), &error);
  g_assert_null (d);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wire/pull-total/request", test_request);
  g_test_add_func ("/wire/pull-total/response", test_response);
  return g_test_run ();
}
