/* cl-schema.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The registry of record types and their fields: the one description of the data model
 * that the vault, caseloadctl, the sync wire format and caseload-server all share.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_SCHEMA_ERROR (cl_schema_error_quark ())

typedef enum {
  CL_SCHEMA_ERROR_UNKNOWN_TYPE,
  CL_SCHEMA_ERROR_UNKNOWN_FIELD,
  CL_SCHEMA_ERROR_INVALID_VALUE,
  CL_SCHEMA_ERROR_REQUIRED,
  CL_SCHEMA_ERROR_READ_ONLY,
} ClSchemaError;

typedef enum {
  CL_FIELD_TEXT,      /* free text, valid UTF-8, no NUL, at most CL_FIELD_TEXT_MAX bytes */
  CL_FIELD_DATE,      /* YYYY-MM-DD */
  CL_FIELD_DATETIME,  /* YYYY-MM-DDTHH:MM:SSZ (UTC) */
  CL_FIELD_INT,       /* decimal integer, 0 … 1,000,000,000 */
  CL_FIELD_BOOL,      /* "0" or "1" (true/false/yes/no accepted on input) */
  CL_FIELD_ENUM,      /* one code of an enumeration */
  CL_FIELD_ENUM_SET,  /* several codes of an enumeration, stored sorted, joined by ';' */
  CL_FIELD_REF,       /* the id of a record of another type */
  CL_FIELD_COMMAND,   /* the code of a command (precinct or PSA), e.g. "14" or "PSA 2" */
} ClFieldKind;

#define CL_FIELD_TEXT_MAX (64 * 1024)

typedef enum {
  CL_FIELD_REQUIRED   = 1 << 0, /* must be present when the record is created */
  CL_FIELD_PII        = 1 << 1, /* identifies a client: never in logs or funder reports */
  CL_FIELD_RESTRICTED = 1 << 2, /* restricted tier (complaint numbers, dockets, …) */
  CL_FIELD_SEARCH     = 1 << 3, /* indexed by full-text search */
  CL_FIELD_IMMUTABLE  = 1 << 4, /* set when the record is created, never changed */
  CL_FIELD_DERIVED    = 1 << 5, /* computed by the store; not writable */
  CL_FIELD_USER_SET   = 1 << 6, /* text: staff usernames, stored lower-case, sorted, joined by ';' */
} ClFieldFlags;

/* The most usernames a CL_FIELD_USER_SET value holds. */
#define CL_FIELD_USER_SET_MAX 64

typedef struct {
  const char *code;   /* stable code, stored and exchanged */
  const char *label;  /* English label, marked N_() for translation */
} ClEnumValue;

typedef struct {
  const char        *name;
  const ClEnumValue *values;
  guint              n_values;
} ClEnum;

typedef struct {
  const char   *name;    /* snake_case: SQL column, CSV column, JSON key */
  const char   *label;   /* N_() */
  ClFieldKind   kind;
  const char   *target;  /* enumeration name (ENUM, ENUM_SET) or type name (REF) */
  ClFieldFlags  flags;
} ClField;

typedef enum {
  CL_TYPE_APPEND_ONLY = 1 << 0, /* rows are never edited or deleted (contacts, services, notes, audit) */
  CL_TYPE_REFERENCE   = 1 << 1, /* reference data (commands, partners, staff) */
  CL_TYPE_LOCAL_ONLY  = 1 << 2, /* never synced */
} ClTypeFlags;

typedef struct {
  const char    *name;        /* type name used by caseloadctl and the wire format */
  const char    *table;       /* SQL table name (quoted where it is a keyword) */
  const char    *label;       /* N_() */
  const char    *parent;      /* field that links the record to its client or case, or NULL */
  ClTypeFlags    flags;
  const ClField *fields;
  guint          n_fields;
} ClType;

/* Columns every record carries, besides its fields. */
#define CL_RECORD_COLUMNS "id, version, created_at, created_by, updated_at, updated_by, deleted"

GQuark          cl_schema_error_quark    (void);

const ClType   *cl_schema_types          (guint       *n_types);
const ClType   *cl_schema_lookup_type    (const char  *name);
const ClField  *cl_type_lookup_field     (const ClType *type,
                                          const char   *name);
const ClEnum   *cl_schema_lookup_enum    (const char  *name);
const ClEnum   *cl_schema_enums          (guint       *n_enums);
const ClEnumValue *cl_enum_lookup        (const ClEnum *enumeration,
                                          const char   *code);
const char     *cl_field_kind_to_string  (ClFieldKind  kind);

char           *cl_field_normalize       (const ClField *field,
                                          const char    *value,
                                          GError       **error);
gboolean        cl_is_uuid               (const char  *text);
gboolean        cl_is_username           (const char  *text);
char           *cl_uuid_new              (void);
char           *cl_now_utc               (void);

G_END_DECLS
