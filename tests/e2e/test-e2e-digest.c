/* test-e2e-digest.c: the vault's kept digest through pulls, purges and resolutions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The digest a vault sends on an idle pull is kept by the vault (migration 10), not summed
 * over every record. After each round here (a push, a pull of another workstation's work,
 * a pulled delete, a conflict and its resolution, a case leaving the vault's scope and
 * purged) the kept value equals the sum recomputed over the vault's records, and the
 * server, which compares it with its own, never asks for a full resync it did not have to.
 */

#define G_LOG_DOMAIN "test-e2e-digest"

#include <string.h>

#include "cl-e2e.h"
#include "cl-schema.h"
#include "cl-wire.h"

/* The kept value, and the sum recomputed from the vault's live synced records. */
static void
assert_kept (ClE2eClient *client)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autofree char *rows = NULL;
  g_autofree char *kept = NULL;
  g_auto(GStrv) lines = NULL;
  const ClType *types;
  guint64 digest = 0;
  guint n;

  types = cl_schema_types (&n);
  for (guint i = 0; i < n; i++)
    if (!(types[i].flags & CL_TYPE_LOCAL_ONLY))
      g_string_append_printf (sql, "%sSELECT id, version FROM %s WHERE version > 0 AND "
                              "deleted = 0", sql->len > 0 ? " UNION ALL " : "",
                              types[i].table);
  rows = cl_e2e_vault_rows (client, sql->str);
  lines = g_strsplit (rows, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;

      if (*lines[i] == '\0')
        continue;
      cols = g_strsplit (lines[i], "|", 2);
      g_assert_cmpuint (g_strv_length (cols), ==, 2);
      cl_wire_digest_add (&digest, cols[0], g_ascii_strtoll (cols[1], NULL, 10));
    }
  kept = cl_e2e_vault_rows (client, "SELECT printf ('%016x', value) FROM sync_digest");
  g_assert_true (g_str_has_suffix (kept, "\n"));
  kept[strlen (kept) - 1] = '\0';
  {
    g_autofree char *want = cl_wire_digest_to_hex (digest);
    g_assert_cmpstr (kept, ==, want);
  }
}

/* A round that needed no full resync, with the vault's kept digest right after it. */
static void
sync_settled (ClE2eClient *client)
{
  ClE2eSync s = { 0 };

  cl_e2e_sync_logged (client, &s);
  g_assert_false (s.full_resync);
  cl_e2e_sync_clear (&s);
  assert_kept (client);
}

static void
test_digest (void)
{
  g_autoptr(ClTestStack) stack = cl_test_stack_new (cl_e2e_tls (), NULL, NULL);
  g_autoptr(ClE2eClient) a1 = NULL;
  g_autoptr(ClE2eClient) a2 = NULL;
  g_autoptr(ClE2eClient) cole = NULL;
  g_autofree char *kase = NULL;
  g_autofree char *task = NULL;
  g_autofree char *conflict = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;
  ClE2eSync s = { 0 };
  int status;

  cl_test_stack_user_add (stack, "ana", "advocate_dv", "14");
  cl_test_stack_user_add (stack, "cole", "advocate_dv", "75");
  a1 = cl_e2e_client_new (stack, "ana", NULL);
  a2 = cl_e2e_client_new (stack, "ana", NULL);
  cole = cl_e2e_client_new (stack, "cole", NULL);

  /* Pushed from one workstation, pulled into the other: the same digest. */
  kase = cl_e2e_new_case (a1, "Digest Client", "14");
  g_free (cl_e2e_note (a1, kase, "digest note one"));
  {
    g_autofree char *parent = g_strconcat ("case_id=", kase, NULL);
    task = cl_e2e_add (a1, "task", parent, "title=Call back", "due=2026-12-01", NULL);
  }
  g_free (cl_e2e_new_case (cole, "Elsewhere Client", "75"));
  sync_settled (cole);
  sync_settled (a1);
  sync_settled (a2);
  sync_settled (a1);
  d1 = cl_e2e_vault_rows (a1, "SELECT value FROM sync_digest");
  d2 = cl_e2e_vault_rows (a2, "SELECT value FROM sync_digest");
  g_assert_cmpstr (d1, !=, "0\n");
  g_assert_cmpstr (d1, ==, d2);

  /* A delete, pulled by the other workstation. */
  out = cl_e2e_ctl (a1, NULL, &status, &err, "delete", "task", task, NULL);
  g_assert_cmpint (status, ==, 0);
  sync_settled (a1);
  sync_settled (a2);

  /* A conflict, and its resolution told to the server and pulled back. */
  conflict = cl_e2e_make_conflict (a1, a2, kase, "alpha", "bravo");
  assert_kept (a2);
  cl_e2e_resolve (a2, conflict, "mine");
  sync_settled (a2);
  sync_settled (a1);
  sync_settled (a2);

  /* Ana moves to 75: 14's case, client and note leave both vaults, 75's arrive. */
  g_clear_pointer (&out, g_free);
  out = cl_test_stack_admin (stack, &status, "user", "set", "--username", "ana",
                             "--command", "75", NULL);
  g_assert_cmpint (status, ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      ClE2eClient *client = i == 0 ? a1 : a2;

      cl_e2e_sync_logged (client, &s);
      g_assert_true (s.full_resync);
      g_assert_cmpuint (s.purged, >=, 3);
      cl_e2e_sync_clear (&s);
      assert_kept (client);
      sync_settled (client);
    }
}

int
main (int    argc,
      char **argv)
{
  cl_e2e_init (&argc, &argv);

  g_test_add_func ("/e2e/digest/kept", test_digest);
  return g_test_run ();
}
