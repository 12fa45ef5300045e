/* cl-record.h: one record of the vault, as a GObject snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-schema.h"

G_BEGIN_DECLS

#define CL_TYPE_RECORD (cl_record_get_type ())
G_DECLARE_FINAL_TYPE (ClRecord, cl_record, CL, RECORD, GObject)

ClRecord      *cl_record_new            (const ClType *type,
                                         const char   *id);
const ClType  *cl_record_get_record_type (ClRecord    *self);
const char    *cl_record_get_type_name  (ClRecord     *self);
const char    *cl_record_get_id         (ClRecord     *self);
ClRecord      *cl_record_list_find      (GListModel   *records,
                                         const char   *id);
gint64         cl_record_get_version    (ClRecord     *self);
gboolean       cl_record_get_deleted    (ClRecord     *self);
const char    *cl_record_get_created_at (ClRecord     *self);
const char    *cl_record_get_updated_at (ClRecord     *self);
const char    *cl_record_get            (ClRecord     *self,
                                         const char   *field);
gboolean       cl_record_get_bool       (ClRecord     *self,
                                         const char   *field);

void           _cl_record_set_meta      (ClRecord     *self,
                                         gint64        version,
                                         gboolean      deleted,
                                         const char   *created_at,
                                         const char   *created_by,
                                         const char   *updated_at,
                                         const char   *updated_by);
void           _cl_record_take          (ClRecord     *self,
                                         const char   *field,
                                         char         *value);

G_END_DECLS
