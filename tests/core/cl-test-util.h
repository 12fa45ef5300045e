/* cl-test-util.h: fixtures shared by the core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-secret.h"
#include "cl-store.h"
#include "cl-vault.h"

G_BEGIN_DECLS

typedef struct {
  char    *dir;
  ClVault *vault;
  ClStore *store;
} ClTestVault;

void      cl_test_init              (int          *argc,
                                     char       ***argv);
void      cl_test_vault_setup       (ClTestVault  *fixture,
                                     gconstpointer data);
void      cl_test_vault_teardown    (ClTestVault  *fixture,
                                     gconstpointer data);
void      cl_test_rm_rf             (const char   *path);
char     *cl_test_create            (ClStore      *store,
                                     const char   *type,
                                     ...) G_GNUC_NULL_TERMINATED;
char     *cl_test_new_case          (ClStore      *store,
                                     const char   *legal_name);
gsize     cl_test_count_in_files    (const char   *dir,
                                     const char   *needle);
char     *cl_test_pdf_text          (const char   *path,
                                     guint         page);
guint     cl_test_pdf_pages         (const char   *path);

#define CL_TEST_PASSPHRASE "correct horse battery staple"

G_END_DECLS
