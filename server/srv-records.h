/* srv-records.h: records in PostgreSQL, the version clock and scope upkeep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "srv-scope.h"

G_BEGIN_DECLS

/* SQL: whether the session whose read tokens (srv_scope_read_tokens()) are the JSON array
 * bound as parameter @tokens, and which reads all case content when the boolean parameter
 * @all is true, reads record @r. The one read rule of the server: pulls, the digest,
 * push answers (srv_records_readable()) and reports all use it. */
#define SRV_RECORDS_SQL_READS(r, tokens, all) \
  "(" r ".scope && ARRAY(SELECT jsonb_array_elements_text(" tokens "::jsonb)) " \
  "OR (" all "::boolean AND " r ".type <> 'audit' " \
  "AND NOT " r ".scope @> ARRAY['" SRV_SCOPE_TOKEN_RESTRICTED "']))"

/* The version clock of one transaction: the first take locks the sync_clock row until the
 * transaction ends; later takes count on in memory; srv_clock_finish() stores the last. */
typedef struct {
  PGconn   *conn;
  gboolean  locked;
  gint64    first;
  gint64    last;
} SrvClock;

void      srv_clock_init        (SrvClock    *clock,
                                 PGconn      *conn);
gboolean  srv_clock_lock        (SrvClock    *clock,
                                 GError     **error);
gboolean  srv_clock_take        (SrvClock    *clock,
                                 gint64      *version,
                                 GError     **error);
gboolean  srv_clock_take_n      (SrvClock    *clock,
                                 gint64       n,
                                 gint64      *first,
                                 GError     **error);
gboolean  srv_clock_finish      (SrvClock    *clock,
                                 GError     **error);

typedef struct {
  char       *id;
  char       *type;
  gint64      version;
  gboolean    deleted;
  GHashTable *fields;     /* field → value; a null value is absent */
  GHashTable *versions;   /* field → gint64*: the version of its last change */
  char       *parent_id;
  GStrv       scope;
  char       *created_by;
} SrvRecord;

SrvRecord  *srv_record_new            (const char  *id,
                                       const char  *type);
void        srv_record_free           (SrvRecord   *record);
const char *srv_record_get            (SrvRecord   *record,
                                       const char  *field);
gint64      srv_record_field_version  (SrvRecord   *record,
                                       const char  *field);
void        srv_record_set            (SrvRecord   *record,
                                       const char  *field,
                                       const char  *value,
                                       gint64       version);

SrvRecord  *srv_record_load           (PGconn      *conn,
                                       const char  *id,
                                       gboolean     for_update,
                                       GError     **error);
gboolean    srv_record_load_many      (PGconn      *conn,
                                       GPtrArray   *ids,
                                       GHashTable  *records,
                                       GError     **error);
gboolean    srv_record_insert         (PGconn      *conn,
                                       SrvRecord   *record,
                                       const char  *account_id,
                                       GError     **error);
gboolean    srv_record_update         (PGconn      *conn,
                                       SrvRecord   *record,
                                       const char  *account_id,
                                       GError     **error);
gboolean    srv_record_command_exists (PGconn      *conn,
                                       const char  *code,
                                       gboolean    *exists,
                                       GError     **error);
gboolean    srv_records_refresh_case  (PGconn      *conn,
                                       SrvClock    *clock,
                                       SrvRecord   *case_record,
                                       GError     **error);
gboolean    srv_records_refresh_deleted (PGconn    *conn,
                                       SrvClock    *clock,
                                       SrvRecord   *record,
                                       GError     **error);
gboolean    srv_records_readable      (PGconn      *conn,
                                       const SrvSession *session,
                                       const char  *id,
                                       gboolean    *readable,
                                       GError     **error);
gboolean    srv_records_rescope_readable (PGconn   *conn,
                                       const SrvSession *session,
                                       SrvRecord   *record,
                                       gboolean    *readable,
                                       GError     **error);
gboolean    srv_records_scope_field   (const char  *type,
                                       const char  *field);
gboolean    srv_records_refresh_scope (PGconn      *conn,
                                       SrvClock    *clock,
                                       SrvRecord   *record,
                                       GError     **error);

char       *srv_json_strv             (GStrv        strv);
GStrv       srv_json_parse_strv       (const char  *json);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrvRecord, srv_record_free)

G_END_DECLS
