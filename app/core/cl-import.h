/* cl-import.h: all-or-nothing CSV import of one record type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-store.h"

G_BEGIN_DECLS

#define CL_IMPORT_ERROR (cl_import_error_quark ())

typedef enum {
  CL_IMPORT_ERROR_REJECTED,       /* some lines were bad: nothing was imported */
  CL_IMPORT_ERROR_EMPTY,          /* no header line */
  CL_IMPORT_ERROR_NOT_IMPORTABLE, /* audit events are never imported */
} ClImportError;

/* At most this many problems are kept; the rest are only counted. */
#define CL_IMPORT_MAX_PROBLEMS 10000

typedef struct {
  guint  line;     /* physical line of the file, from 1 (the header) */
  char  *column;   /* (nullable) the column concerned */
  char  *message;  /* translated; names the column and, at most, the value as written */
} ClImportProblem;

typedef struct {
  guint      n_rows;        /* data lines read (not counting the header) */
  guint      n_imported;    /* records created: all rows, or none */
  guint      n_bad_lines;   /* lines with at least one problem */
  guint      n_problems;    /* all problems, including those not kept */
  GPtrArray *problems;      /* ClImportProblem, in line order, at most CL_IMPORT_MAX_PROBLEMS */
} ClImportResult;

GQuark          cl_import_error_quark  (void);

ClImportResult *cl_import_result_new   (void);
void            cl_import_result_free  (ClImportResult *result);

gboolean        cl_import_csv          (ClStore         *store,
                                        const char      *type,
                                        GInputStream    *input,
                                        ClImportResult  *result,
                                        GCancellable    *cancellable,
                                        GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClImportResult, cl_import_result_free)

G_END_DECLS
