/* cl-store-private.h: internals shared by the store, the case list and sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "cl-case-summary.h"
#include "cl-schema.h"
#include "cl-sql.h"
#include "cl-store.h"

G_BEGIN_DECLS

/* The phone number with the usual separators dropped, so that "3475555706" finds
 * "347-555-5706" and "(347) 555-5706" (match_expression joins typed digits likewise). */
#define CL_PHONE_DIGITS_SQL(col) \
  "replace(replace(replace(replace(replace(replace(replace(coalesce(" col ", ''), " \
  "'-', ''), ' ', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')"

/* The search documents (docid, body) of the cases that are not deleted; a caller adds
 * "AND c.id = ?" for one case. */
#define CL_CASE_SEARCH_DOCUMENTS_SQL \
  "SELECT c.rowid, " \
  "  coalesce(k.legal_name, '') || ' ' || coalesce(k.preferred_name, '') || ' ' || " \
  "  coalesce(k.pseudonym, '') || ' ' || coalesce(k.phone, '') || ' ' || " \
  "  " CL_PHONE_DIGITS_SQL ("k.phone") " || ' ' || " \
  "  coalesce(c.case_number, '') || ' ' || " \
  "  coalesce((SELECT group_concat(complaint_number, ' ') FROM referral " \
  "            WHERE case_id = c.id AND deleted = 0), '') || ' ' || " \
  "  coalesce((SELECT group_concat(docket, ' ') FROM legal_matter " \
  "            WHERE case_id = c.id AND deleted = 0), '') || ' ' || " \
  "  coalesce((SELECT group_concat(claim_number, ' ') FROM compensation " \
  "            WHERE case_id = c.id AND deleted = 0), '') " \
  "FROM cases c LEFT JOIN client k ON k.id = c.client_id " \
  "WHERE c.deleted = 0"

/* A case summary from a row of CL_CASE_SUMMARY_COLUMNS (at @offset). */
ClCaseSummary *_cl_case_summary_new_from_row    (sqlite3_stmt *stmt);
ClCaseSummary *_cl_case_summary_new_from_row_at (sqlite3_stmt *stmt,
                                                 int           offset);

/* For the store's own files (cl-store*.c), with the store's lock held. */
sqlite3  *_cl_store_open_db            (ClStore       *self,
                                        GError       **error);
ClSqlCache *_cl_store_stmts            (ClStore       *self);
char     *_cl_store_column_dup         (sqlite3_stmt  *stmt,
                                        int            col);
gboolean  _cl_store_type_is            (const ClType  *type,
                                        const char    *name);
gboolean  _cl_store_add_history        (ClStore       *self,
                                        const ClType  *type,
                                        ClRecord      *record,
                                        const char    *op,
                                        const char    *field,
                                        const char    *old_value,
                                        const char    *new_value,
                                        const char    *now,
                                        GError       **error);

char     *_cl_store_sequential_id      (guint32       *next);
char     *_cl_store_new_mutation_id    (ClStore       *self);

sqlite3  *_cl_store_get_db             (ClStore       *self);
void      _cl_store_emit_changed       (ClStore       *self,
                                        const char    *type,
                                        const char    *id);
char     *_cl_store_meta_get           (ClStore       *self,
                                        const char    *key,
                                        GError       **error);
gint64    _cl_store_meta_get_int       (ClStore       *self,
                                        const char    *key);
gboolean  _cl_store_meta_set           (ClStore       *self,
                                        const char    *key,
                                        const char    *value,
                                        GError       **error);
void      _cl_store_read_lock          (ClStore       *self);
void      _cl_store_read_unlock        (ClStore       *self);
char     *_cl_store_view_where         (ClCaseView     view);
void      _cl_store_bind_view          (ClStore       *self,
                                        sqlite3_stmt  *stmt);
gboolean  _cl_store_refresh_dependents (ClStore       *self,
                                        const ClType  *type,
                                        ClRecord      *record,
                                        GError       **error);

/* The outbox's change format (cl-store-outbox.c). */
typedef struct {
  char *field;
  char *old_value;   /* (nullable) */
  char *new_value;   /* (nullable) */
} ClOutboxChange;

void      _cl_outbox_change_free       (ClOutboxChange *change);
GString  *_cl_outbox_changes_new       (void);
void      _cl_outbox_changes_add       (GString       *changes,
                                        const char    *field,
                                        const char    *old_value,
                                        const char    *new_value);
void      _cl_outbox_changes_close     (GString       *changes);
GPtrArray *_cl_outbox_changes_parse    (const char    *changes,
                                        GError       **error);
gboolean  _cl_outbox_changes_has       (const char    *changes,
                                        const char    *field);
GBytes   *_cl_outbox_changes_pack      (const char    *changes);
char     *_cl_outbox_column_changes    (sqlite3_stmt  *stmt,
                                        int            column,
                                        GError       **error);
gboolean  _cl_outbox_move_to_sent      (sqlite3       *db,
                                        gint64         first,
                                        gint64         last,
                                        const char    *acked_at,
                                        GError       **error);
gboolean  _cl_outbox_requeue_sent      (sqlite3       *db,
                                        gint64         after_seq,
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
