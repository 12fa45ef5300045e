/* cl-csv.h: RFC 4180 CSV reader and writer, bounded against hostile input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CL_CSV_ERROR (cl_csv_error_quark ())

typedef enum {
  CL_CSV_ERROR_SYNTAX,          /* a stray quote, or text after a closing quote */
  CL_CSV_ERROR_UNTERMINATED,    /* a quoted field runs to the end of the input */
  CL_CSV_ERROR_TOO_LONG,        /* a field or a record is over its size cap */
  CL_CSV_ERROR_TOO_MANY_FIELDS, /* a record has more fields than the cap */
  CL_CSV_ERROR_ENCODING,        /* not UTF-8, or a NUL byte */
} ClCsvError;

/* Default caps: generous for real data, small enough that a hostile file cannot exhaust
 * memory. Whatever the input, the reader holds at most one record. */
/* The UTF-8 byte order mark, which spreadsheets want before UTF-8 CSV. */
#define CL_CSV_BOM "\xef\xbb\xbf"

#define CL_CSV_DEFAULT_MAX_FIELD   (64 * 1024)
#define CL_CSV_DEFAULT_MAX_RECORD  (1024 * 1024)
#define CL_CSV_DEFAULT_MAX_FIELDS  512

typedef struct _ClCsvReader ClCsvReader;
typedef struct _ClCsvWriter ClCsvWriter;

GQuark        cl_csv_error_quark          (void);

ClCsvReader  *cl_csv_reader_new           (GInputStream  *stream);
void          cl_csv_reader_set_limits    (ClCsvReader   *self,
                                           gsize          max_field,
                                           gsize          max_record,
                                           guint          max_fields);
gboolean      cl_csv_reader_next          (ClCsvReader   *self,
                                           GPtrArray    **fields,
                                           GCancellable  *cancellable,
                                           GError       **error);
guint         cl_csv_reader_get_line      (ClCsvReader   *self);
void          cl_csv_reader_free          (ClCsvReader   *self);

ClCsvWriter  *cl_csv_writer_new           (GOutputStream *stream);
void          cl_csv_writer_add_bom       (ClCsvWriter   *self);
void          cl_csv_writer_set_ltr_columns (ClCsvWriter    *self,
                                           const gboolean *ltr,
                                           guint           n_columns);
gboolean      cl_csv_writer_write_record  (ClCsvWriter   *self,
                                           const char   **fields,
                                           guint          n_fields,
                                           GCancellable  *cancellable,
                                           GError       **error);
gboolean      cl_csv_writer_flush         (ClCsvWriter   *self,
                                           GCancellable  *cancellable,
                                           GError       **error);
void          cl_csv_writer_free          (ClCsvWriter   *self);

void          cl_csv_append_record        (GString       *out,
                                           const char   **fields,
                                           guint          n_fields);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCsvReader, cl_csv_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCsvWriter, cl_csv_writer_free)

G_END_DECLS
