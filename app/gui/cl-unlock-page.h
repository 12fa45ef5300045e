/* cl-unlock-page.h: the only thing shown while the vault is locked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_UNLOCK_PAGE (cl_unlock_page_get_type ())
G_DECLARE_FINAL_TYPE (ClUnlockPage, cl_unlock_page, CL, UNLOCK_PAGE, AdwBin)

void       cl_unlock_page_set_context        (ClUnlockPage *self,
                                              ClContext    *context);
void       cl_unlock_page_reset              (ClUnlockPage *self);
void       cl_unlock_page_unlock             (ClUnlockPage *self,
                                              const char   *passphrase);
gboolean   cl_unlock_page_get_busy           (ClUnlockPage *self);
const char *cl_unlock_page_get_error         (ClUnlockPage *self);
gboolean   cl_unlock_page_get_by_keyboard    (ClUnlockPage *self);

G_END_DECLS
