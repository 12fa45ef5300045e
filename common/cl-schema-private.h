/* cl-schema-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cl-schema.h"

G_BEGIN_DECLS

const ClType *_cl_schema_type_table (guint *n_types);
const ClEnum *_cl_schema_enum_table (guint *n_enums);

G_END_DECLS
