/* fuzz-wire.c: libFuzzer target for every decoder of untrusted input in common/cl-wire.c,
 * and the reader of the server's report results (common/cl-report-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server decodes requests (login, push, pull, resolve, empty bodies) and the app's sync
 * engine decodes responses (login, push, pull, conflicts, errors) with the same functions:
 * one input goes through all of them. Built only with clang (tests/server/meson.build):
 *
 *   CC=clang meson setup build-fuzz -Dgui=false
 *   meson test -C build-fuzz --suite fuzz          # a short run, as in CI
 *   build-fuzz/tests/server/fuzz-wire -max_total_time=3600 NEW_DIR tests/fuzz/corpus
 */

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "cl-report.h"
#include "cl-wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  const char *text = (const char *) data;
  static const ClWireLimits tight = { 1 << 20, 8, 256, 16, 4096 };

  if (!initialized)
    {
      if (sodium_init () < 0)
        abort ();
      initialized = TRUE;
    }

  {
    g_autoptr(GError) error = NULL;
    (void) cl_wire_guard (text, size, &tight, &error);
    /* A refusal always says why, with a stable code. */
    if (error != NULL && cl_wire_error_code (error) == NULL)
      abort ();
  }

  cl_wire_push_request_free (cl_wire_push_request_decode (text, size, NULL));
  cl_wire_pull_request_free (cl_wire_pull_request_decode (text, size, NULL));
  cl_wire_login_request_free (cl_wire_login_request_decode (text, size, NULL));
  cl_wire_resolve_request_free (cl_wire_resolve_request_decode (text, size, NULL));
  cl_wire_push_response_free (cl_wire_push_response_decode (text, size, NULL));
  cl_wire_pull_response_free (cl_wire_pull_response_decode (text, size, NULL));
  cl_wire_login_response_free (cl_wire_login_response_decode (text, size, NULL));
  g_free (cl_wire_refresh_request_decode (text, size, NULL));
  {
    char *bundle = NULL;

    cl_wire_trust_response_decode (text, size, &bundle, NULL);
    g_free (bundle);
  }
  cl_wire_error_reply_free (cl_wire_error_reply_decode (text, size, NULL));
  {
    GPtrArray *list = cl_wire_conflict_list_decode (text, size, NULL, NULL, NULL);
    if (list != NULL)
      g_ptr_array_unref (list);
  }

  /* What decodes must encode and decode to the same thing. */
  {
    g_autoptr(ClReportResult) result = cl_report_result_from_json (text, size, NULL);

    if (result != NULL)
      {
        gsize len;
        g_autofree char *again = cl_report_result_to_json (result, &len);
        g_autoptr(ClReportResult) round = cl_report_result_from_json (again, len, NULL);
        g_autofree char *third = NULL;

        if (round == NULL)
          abort ();
        third = cl_report_result_to_json (round, NULL);
        if (strcmp (again, third) != 0)
          abort ();
      }
  }
  {
    g_autoptr(ClWirePushRequest) push = cl_wire_push_request_decode (text, size, NULL);

    if (push != NULL)
      {
        gsize len;
        g_autofree char *again = cl_wire_push_request_encode (push, &len);
        g_autoptr(ClWirePushRequest) round = cl_wire_push_request_decode (again, len, NULL);
        g_autofree char *third = NULL;

        if (round == NULL)
          abort ();
        third = cl_wire_push_request_encode (round, NULL);
        if (strcmp (again, third) != 0)
          abort ();
      }
  }
  return 0;
}
