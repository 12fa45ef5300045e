/* cl-access.h: restricted cases in the vault, the one rule (DOMAIN.md rule 4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-store.h"

G_BEGIN_DECLS

/* The rule in SQL, 1 or 0: a case is restricted when it (@case_flag, the case's
 * "restricted" column, or NULL) or its client (@client_flag) is. */
#define CL_ACCESS_SQL_RESTRICTED(case_flag, client_flag) \
  "(coalesce(" case_flag ", 0) | coalesce(" client_flag ", 0))"

gboolean  cl_access_restricted        (ClRecord       *case_record,
                                       ClRecord       *client);
gboolean  cl_access_identifying       (const ClField  *field);
char     *cl_access_sql_restricted    (const ClType   *type,
                                       const char     *alias);
gboolean  cl_access_record_restricted (ClStore        *store,
                                       const char     *type_name,
                                       const char     *id,
                                       gboolean       *restricted,
                                       GError        **error);

G_END_DECLS
