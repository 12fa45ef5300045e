/* cl-export.h: CSV and JSON export of one record type, audited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cl-store.h"

G_BEGIN_DECLS

typedef enum {
  CL_EXPORT_FORMAT_CSV,
  CL_EXPORT_FORMAT_JSON,
} ClExportFormat;

gboolean    cl_export_format_from_string (const char      *text,
                                          ClExportFormat  *format);

gboolean    cl_export                    (ClStore         *store,
                                          const char      *type,
                                          ClExportFormat   format,
                                          gboolean         bom,
                                          GOutputStream   *output,
                                          const char      *reason,
                                          gint64          *n_records,
                                          GCancellable    *cancellable,
                                          GError         **error);

JsonNode   *cl_export_record_to_json     (ClRecord        *record);

G_END_DECLS
