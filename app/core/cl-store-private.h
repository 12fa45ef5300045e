/* cl-store-private.h: internals shared by the store, the case list and sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-store.h"

G_BEGIN_DECLS

void      _cl_store_read_lock          (ClStore       *self);
void      _cl_store_read_unlock        (ClStore       *self);
char     *_cl_store_view_where         (ClCaseView     view);
void      _cl_store_bind_view          (ClStore       *self,
                                        sqlite3_stmt  *stmt);
gboolean  _cl_store_refresh_dependents (ClStore       *self,
                                        const ClType  *type,
                                        ClRecord      *record,
                                        GError       **error);

gboolean  _cl_store_queue_mutation     (ClStore       *self,
                                        const ClType  *type,
                                        const char    *id,
                                        const char    *op,
                                        gint64         base_version,
                                        const char    *changes,
                                        const char    *now,
                                        GError       **error);

G_END_DECLS
