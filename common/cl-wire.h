/* cl-wire.h: the sync wire format shared by caseload-server and the app's sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that crosses the network is decoded here, by the same code on both sides:
 *
 *  1. cl_wire_guard() checks the raw bytes before any JSON parser sees them: size, nesting
 *     depth (string-aware, iterative), UTF-8 validity, NUL bytes and \u0000, strict JSON
 *     grammar, duplicate member names (json-glib silently keeps the last one), integer-only
 *     bounded numbers, string and member-name lengths and the number of values.
 *  2. json-glib parses what passed the guard.
 *  3. The message decoders check the shape strictly (unknown keys rejected, types exact,
 *     required keys present, integers bounded) and fill plain C structs.
 *
 * docs/PROTOCOL.md is the contract these functions implement.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CL_WIRE_ERROR (cl_wire_error_quark ())

/* Each code has a stable machine name (cl_wire_error_code()) used in error answers. */
typedef enum {
  CL_WIRE_ERROR_BODY_TOO_LARGE,   /* body_too_large */
  CL_WIRE_ERROR_TOO_DEEP,         /* too_deep */
  CL_WIRE_ERROR_INVALID_UTF8,     /* invalid_utf8 */
  CL_WIRE_ERROR_NUL,              /* nul_character */
  CL_WIRE_ERROR_SYNTAX,           /* invalid_json */
  CL_WIRE_ERROR_DUPLICATE_KEY,    /* duplicate_key */
  CL_WIRE_ERROR_NUMBER,           /* invalid_number */
  CL_WIRE_ERROR_STRING_TOO_LONG,  /* string_too_long */
  CL_WIRE_ERROR_TOO_MANY_VALUES,  /* too_many_values */
  CL_WIRE_ERROR_UNKNOWN_KEY,      /* unknown_key */
  CL_WIRE_ERROR_MISSING_KEY,      /* missing_key */
  CL_WIRE_ERROR_WRONG_TYPE,       /* wrong_type */
  CL_WIRE_ERROR_INVALID_VALUE,    /* invalid_value */
  CL_WIRE_ERROR_TOO_MANY_ITEMS,   /* too_many_items */
} ClWireError;

GQuark      cl_wire_error_quark  (void);
const char *cl_wire_error_code   (const GError *error);

/* Protocol limits (docs/PROTOCOL.md, "Limits"). */
#define CL_WIRE_MAX_DEPTH          16
#define CL_WIRE_MAX_KEY            64
#define CL_WIRE_MAX_STRING         (64 * 1024)        /* = CL_FIELD_TEXT_MAX */
#define CL_WIRE_MAX_PUSH_BYTES     (4 * 1024 * 1024)
#define CL_WIRE_MAX_RESPONSE_BYTES (32 * 1024 * 1024)
#define CL_WIRE_MAX_SMALL_BYTES    (16 * 1024)        /* login, pull, logout, resolve */
#define CL_WIRE_MAX_MUTATIONS      500
#define CL_WIRE_MAX_PULL_LIMIT     1000
#define CL_WIRE_MAX_CONFLICTS      1000               /* GET /v1/conflicts: one page at most */
#define CL_WIRE_MAX_INT            G_GINT64_CONSTANT (9007199254740991) /* 2^53 - 1 */
#define CL_WIRE_DIGEST_HEX_LEN     16

typedef struct {
  gsize max_bytes;   /* the whole document */
  guint max_depth;   /* nested arrays and objects */
  gsize max_string;  /* decoded bytes of one string value */
  gsize max_key;     /* decoded bytes of one member name */
  guint max_values;  /* values (scalars, arrays, objects) in the document */
  gboolean decimals; /* numbers may have a fraction (report results); else integers only */
} ClWireLimits;

gboolean    cl_wire_guard        (const char          *data,
                                  gsize                len,
                                  const ClWireLimits  *limits,
                                  GError             **error);
JsonNode   *cl_wire_parse        (const char          *data,
                                  gsize                len,
                                  const ClWireLimits  *limits,
                                  GError             **error);

/* Strict object checking for decoders. */
typedef enum {
  CL_WIRE_STRING,
  CL_WIRE_STRING_OR_NULL,
  CL_WIRE_INT,
  CL_WIRE_BOOL,
  CL_WIRE_OBJECT,
  CL_WIRE_ARRAY,
} ClWireKind;

typedef struct {
  const char *name;
  ClWireKind  kind;
  gboolean    required;
} ClWireMember;

gboolean    cl_wire_check_object (JsonNode            *node,
                                  const char          *where,
                                  const ClWireMember  *members,
                                  guint                n_members,
                                  GError             **error);

/* ---- Mutations ------------------------------------------------------------------------ */

typedef enum {
  CL_WIRE_OP_PUT,
  CL_WIRE_OP_DELETE,
} ClWireOp;

typedef struct {
  char *field;
  char *old_value;  /* (nullable) */
  char *new_value;  /* (nullable) */
} ClWireFieldChange;

typedef struct {
  gint64     seq;
  char      *id;            /* the mutation's UUID */
  char      *type;          /* record type name, checked by the server against cl-schema */
  char      *record;        /* record UUID */
  ClWireOp   op;
  gint64     base_version;
  char      *at;            /* client time, informative */
  GPtrArray *changes;       /* (element-type ClWireFieldChange), sorted by field */
} ClWireMutation;

ClWireMutation *cl_wire_mutation_new        (void);
void            cl_wire_mutation_free       (ClWireMutation       *mutation);
void            cl_wire_mutation_add_change (ClWireMutation       *mutation,
                                             const char           *field,
                                             const char           *old_value,
                                             const char           *new_value);
const ClWireFieldChange *
                cl_wire_mutation_get_change (const ClWireMutation *mutation,
                                             const char           *field);
char           *cl_wire_mutation_canonical  (const ClWireMutation *mutation);
void            cl_wire_mutation_hash       (const ClWireMutation *mutation,
                                             guint8                out[32]);
const char     *cl_wire_op_to_string        (ClWireOp              op);

/* ---- Push ----------------------------------------------------------------------------- */

typedef struct {
  char      *device_id;
  GPtrArray *mutations;     /* (element-type ClWireMutation) */
} ClWirePushRequest;

typedef enum {
  CL_WIRE_STATUS_APPLIED,
  CL_WIRE_STATUS_CONFLICT,
  CL_WIRE_STATUS_REJECTED,
} ClWireStatus;

typedef struct {
  char *field;
  char *server_value;  /* (nullable) */
  char *client_value;  /* (nullable) */
  char *conflict_id;
} ClWireConflict;

typedef struct {
  gint64        seq;
  char         *id;
  ClWireStatus  status;
  gint64        version;
  GPtrArray    *conflicts;  /* (element-type ClWireConflict) */
  char         *code;       /* (nullable): set when rejected */
  char         *message;    /* (nullable) */
} ClWireResult;

typedef struct {
  GPtrArray *results;       /* (element-type ClWireResult) */
  gint64     last_seq;
  char      *revoked;       /* (nullable): "retire" when the device is being retired */
} ClWirePushResponse;

ClWirePushRequest  *cl_wire_push_request_new        (const char               *device_id);
void                cl_wire_push_request_free       (ClWirePushRequest        *request);
ClWirePushRequest  *cl_wire_push_request_decode     (const char               *data,
                                                     gsize                     len,
                                                     GError                  **error);
char               *cl_wire_push_request_encode     (const ClWirePushRequest  *request,
                                                     gsize                    *len);

ClWireResult       *cl_wire_result_new              (void);
void                cl_wire_result_free             (ClWireResult             *result);
void                cl_wire_result_add_conflict     (ClWireResult             *result,
                                                     const char               *field,
                                                     const char               *server_value,
                                                     const char               *client_value,
                                                     const char               *conflict_id);
JsonNode           *cl_wire_result_to_json          (const ClWireResult       *result);
ClWireResult       *cl_wire_result_from_json        (JsonNode                 *node,
                                                     const char               *where,
                                                     GError                  **error);
const char         *cl_wire_status_to_string        (ClWireStatus              status);

ClWirePushResponse *cl_wire_push_response_new       (void);
void                cl_wire_push_response_free      (ClWirePushResponse       *response);
ClWirePushResponse *cl_wire_push_response_decode    (const char               *data,
                                                     gsize                     len,
                                                     GError                  **error);
char               *cl_wire_push_response_encode    (const ClWirePushResponse *response,
                                                     gsize                    *len);

/* ---- Pull ----------------------------------------------------------------------------- */

typedef struct {
  gint64  cursor;
  gint64  limit;     /* 0: the server's default */
  char   *digest;    /* (nullable): CL_WIRE_DIGEST_HEX_LEN lower-case hex digits */
  gboolean count;    /* from cursor 0: ask for the number of changes to come (total) */
} ClWirePullRequest;

typedef enum {
  CL_WIRE_PULL_PUT,
  CL_WIRE_PULL_DELETE,
  CL_WIRE_PULL_REMOVE,
} ClWirePullOp;

typedef struct {
  ClWirePullOp  op;
  char         *type;
  char         *record;
  gint64        version;
  GHashTable   *fields;          /* (nullable) field → value (nullable): put only */
  GHashTable   *field_versions;  /* (nullable) field → gint64* : put only */
} ClWirePullItem;

typedef struct {
  GPtrArray *changes;       /* (element-type ClWirePullItem), by version */
  gint64     cursor;
  gboolean   more;
  gint64     last_seq;
  gint64     total;         /* changes from cursor 0 on, when counted; else -1 */
} ClWirePullResponse;

ClWirePullRequest  *cl_wire_pull_request_new        (void);
void                cl_wire_pull_request_free       (ClWirePullRequest        *request);
ClWirePullRequest  *cl_wire_pull_request_decode     (const char               *data,
                                                     gsize                     len,
                                                     GError                  **error);
char               *cl_wire_pull_request_encode     (const ClWirePullRequest  *request,
                                                     gsize                    *len);

ClWirePullItem     *cl_wire_pull_item_new           (ClWirePullOp              op,
                                                     const char               *type,
                                                     const char               *record,
                                                     gint64                    version);
void                cl_wire_pull_item_free          (ClWirePullItem           *item);
void                cl_wire_pull_item_set_field     (ClWirePullItem           *item,
                                                     const char               *field,
                                                     const char               *value,
                                                     gint64                    version);
const char         *cl_wire_pull_op_to_string       (ClWirePullOp              op);

ClWirePullResponse *cl_wire_pull_response_new       (void);
void                cl_wire_pull_response_free      (ClWirePullResponse       *response);
ClWirePullResponse *cl_wire_pull_response_decode    (const char               *data,
                                                     gsize                     len,
                                                     GError                  **error);
char               *cl_wire_pull_response_encode    (const ClWirePullResponse *response,
                                                     gsize                    *len);

/* A pull page written as its items come, without a tree: the same JSON as
 * cl_wire_pull_response_encode() gives. A put's fields and field versions are JSON objects
 * already, as the server's database renders them: @fields_json maps each field to its
 * value (a string or null), @versions_json each field to the version that set it (the
 * same fields). */
typedef struct _ClWirePullWriter ClWirePullWriter;

ClWirePullWriter   *cl_wire_pull_writer_new         (void);
void                cl_wire_pull_writer_free        (ClWirePullWriter         *writer);
void                cl_wire_pull_writer_add         (ClWirePullWriter         *writer,
                                                     ClWirePullOp              op,
                                                     const char               *type,
                                                     const char               *record,
                                                     gint64                    version,
                                                     const char               *fields_json,
                                                     const char               *versions_json);
guint               cl_wire_pull_writer_get_n_changes (const ClWirePullWriter *writer);
gsize               cl_wire_pull_writer_get_size    (const ClWirePullWriter   *writer);
void                cl_wire_pull_writer_set_total   (ClWirePullWriter         *writer,
                                                     gint64                    total);
char               *cl_wire_pull_writer_finish      (ClWirePullWriter         *writer,
                                                     gint64                    cursor,
                                                     gboolean                  more,
                                                     gint64                    last_seq,
                                                     gsize                    *len);

/* The state digest (docs/PROTOCOL.md, "Digest"): the sum modulo 2^64 of, per live record
 * the device holds with a version above 0 (seeded records nobody edited are left out), the
 * first 8 bytes (big-endian) of SHA-256("<record id>:<version>").
 * A sum is order-independent and, unlike XOR, does not cancel duplicates. */
void                cl_wire_digest_add              (guint64                  *digest,
                                                     const char               *record_id,
                                                     gint64                    version);
char               *cl_wire_digest_to_hex           (guint64                   digest);
gboolean            cl_wire_is_device_name          (const char               *name);

/* ---- Login ---------------------------------------------------------------------------- */

typedef struct {
  char *username;
  char *password;
  char *device_name;  /* (nullable): 1 to 64 printable characters, shown to administrators */
  char *device_id;    /* (nullable): re-authenticate this device instead of enrolling one */
  char *new_password; /* (nullable): the password from now on (a reset one must change) */
} ClWireLoginRequest;

typedef struct {
  char  *token;
  char  *refresh_token;  /* exchanged at POST /v1/refresh for a new pair */
  char  *device_id;
  char  *expires_at;
  char  *idle_expires_at;
  char  *username;
  char  *role;
  GStrv  commands;
} ClWireLoginResponse;

void                 cl_wire_login_request_free     (ClWireLoginRequest        *request);
ClWireLoginRequest  *cl_wire_login_request_decode   (const char                *data,
                                                     gsize                      len,
                                                     GError                   **error);
char                *cl_wire_login_request_encode   (const ClWireLoginRequest  *request,
                                                     gsize                     *len);
void                 cl_wire_login_response_free    (ClWireLoginResponse       *response);
ClWireLoginResponse *cl_wire_login_response_decode  (const char                *data,
                                                     gsize                      len,
                                                     GError                   **error);
char                *cl_wire_login_response_encode  (const ClWireLoginResponse *response,
                                                     gsize                     *len);

/* POST /v1/refresh: its answer is a ClWireLoginResponse. */
#define CL_WIRE_REFRESH_PREFIX "clr_"
gboolean             cl_wire_is_refresh_token       (const char                *token);
char                *cl_wire_refresh_request_decode (const char                *data,
                                                     gsize                      len,
                                                     GError                   **error);
char                *cl_wire_refresh_request_encode (const char                *refresh_token,
                                                     gsize                     *len);

/* ---- Trust bundle (GET /v1/trust) ------------------------------------------------------ */

#define CL_WIRE_MAX_TRUST_BYTES   (32 * 1024)
#define CL_WIRE_MAX_TRUST_CERTS   16

gboolean             cl_wire_check_trust_bundle     (const char                *pem,
                                                     gsize                      len,
                                                     GError                   **error);
gboolean             cl_wire_trust_response_decode  (const char                *data,
                                                     gsize                      len,
                                                     char                     **bundle,
                                                     GError                   **error);
char                *cl_wire_trust_response_encode  (const char                *bundle,
                                                     gsize                     *len);

/* ---- Conflicts ------------------------------------------------------------------------ */

typedef struct {
  char     *id;
  char     *type;
  char     *record;
  char     *field;
  char     *kind;           /* "field", "deleted" (edit of a deleted record), "delete" */
  char     *server_value;   /* (nullable) */
  char     *client_value;   /* (nullable) */
  gint64    server_version;
  char     *created_at;     /* when the losing edit reached the server */
  char     *client_by;      /* the username of who made the losing edit */
  char     *server_by;      /* (nullable): who made the value that won, when known */
  char     *server_at;      /* (nullable): when the server received it; set with server_by */
  gboolean  mine;           /* the asking user made the losing edit */
  gboolean  this_device;    /* ... on the asking device */
} ClWireConflictInfo;

typedef struct {
  char *keep;               /* "theirs", "mine" or "value" */
  char *value;              /* (nullable): with keep = "value" */
  gboolean has_value;
} ClWireResolveRequest;

void                  cl_wire_conflict_info_free    (ClWireConflictInfo         *info);
GPtrArray            *cl_wire_conflict_list_decode  (const char                 *data,
                                                     gsize                       len,
                                                     gint64                     *total,
                                                     gboolean                   *more,
                                                     GError                    **error);
char                 *cl_wire_conflict_list_encode  (GPtrArray                  *infos,
                                                     gint64                      total,
                                                     gboolean                    more,
                                                     gsize                      *len);
void                  cl_wire_resolve_request_free  (ClWireResolveRequest       *request);
ClWireResolveRequest *cl_wire_resolve_request_decode (const char                *data,
                                                      gsize                      len,
                                                      GError                   **error);
char                 *cl_wire_resolve_request_encode (const ClWireResolveRequest *request,
                                                      gsize                     *len);

/* ---- Errors --------------------------------------------------------------------------- */

typedef struct {
  char   *code;
  char   *message;
  gint64  expected_seq;     /* seq_gap: the seq the server expects; else -1 */
  gint64  seq;              /* seq_reused: the seq used for another mutation; else -1 */
  char   *mode;             /* (nullable) device_revoked: "retire" or "lost" */
  gint64  retry_after;      /* too_many_attempts: seconds; else -1 */
  char   *conflict_id;      /* (nullable) field_changed: the conflict that replaced the one
                             * being resolved */
} ClWireErrorReply;

void              cl_wire_error_reply_free   (ClWireErrorReply       *reply);
ClWireErrorReply *cl_wire_error_reply_decode (const char             *data,
                                              gsize                   len,
                                              GError                **error);
char             *cl_wire_error_reply_encode (const char             *code,
                                              const char             *message,
                                              JsonObject             *extra,
                                              gsize                  *len);

/* Encodes any node compactly. */
char             *cl_wire_node_to_data       (JsonNode               *node,
                                              gsize                  *len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireMutation, cl_wire_mutation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePushRequest, cl_wire_push_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireResult, cl_wire_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePushResponse, cl_wire_push_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePullWriter, cl_wire_pull_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePullRequest, cl_wire_pull_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePullItem, cl_wire_pull_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWirePullResponse, cl_wire_pull_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireLoginRequest, cl_wire_login_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireLoginResponse, cl_wire_login_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireConflictInfo, cl_wire_conflict_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireResolveRequest, cl_wire_resolve_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClWireErrorReply, cl_wire_error_reply_free)

G_END_DECLS
