/* cl-record.c: one record of the vault, as a GObject snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-record"

#include <string.h>

#include "cl-record.h"

struct _ClRecord
{
  GObject       parent_instance;

  const ClType *type;
  char         *id;
  gint64        version;
  gboolean      deleted;
  char         *created_at;
  char         *created_by;
  char         *updated_at;
  char         *updated_by;
  char        **values;   /* one per field of the type, NULL when empty */
};

G_DEFINE_FINAL_TYPE (ClRecord, cl_record, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TYPE_NAME,
  PROP_ID,
  PROP_VERSION,
  PROP_DELETED,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cl_record_finalize (GObject *object)
{
  ClRecord *self = (ClRecord *) object;

  if (self->values != NULL)
    for (guint i = 0; i < self->type->n_fields; i++)
      g_free (self->values[i]);
  g_free (self->values);
  g_free (self->id);
  g_free (self->created_at);
  g_free (self->created_by);
  g_free (self->updated_at);
  g_free (self->updated_by);

  G_OBJECT_CLASS (cl_record_parent_class)->finalize (object);
}

static void
cl_record_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ClRecord *self = CL_RECORD (object);

  switch (prop_id)
    {
    case PROP_TYPE_NAME:
      g_value_set_string (value, self->type->name);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;
    case PROP_DELETED:
      g_value_set_boolean (value, self->deleted);
      break;
    case PROP_CREATED_AT:
      g_value_set_string (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_string (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_record_class_init (ClRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_record_finalize;
  object_class->get_property = cl_record_get_property;

  properties[PROP_TYPE_NAME] =
    g_param_spec_string ("type-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VERSION] =
    g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED] =
    g_param_spec_boolean ("deleted", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED_AT] =
    g_param_spec_string ("created-at", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPDATED_AT] =
    g_param_spec_string ("updated-at", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_record_init (ClRecord *self)
{
}

ClRecord *
cl_record_new (const ClType *type,
               const char   *id)
{
  ClRecord *self;

  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (CL_TYPE_RECORD, NULL);
  self->type = type;
  self->id = g_strdup (id);
  self->values = g_new0 (char *, type->n_fields);
  return self;
}

const ClType *
cl_record_get_record_type (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  return self->type;
}

const char *
cl_record_get_type_name (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  return self->type->name;
}

const char *
cl_record_get_id (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  return self->id;
}

/**
 * cl_record_list_find:
 * @records: a list of #ClRecord
 *
 * Returns: (transfer full) (nullable): the record of @records whose id is @id
 */
ClRecord *
cl_record_list_find (GListModel *records,
                     const char *id)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (records), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (records); i++)
    {
      g_autoptr(ClRecord) record = g_list_model_get_item (records, i);

      if (g_strcmp0 (cl_record_get_id (record), id) == 0)
        return g_steal_pointer (&record);
    }
  return NULL;
}

gint64
cl_record_get_version (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), 0);
  return self->version;
}

gboolean
cl_record_get_deleted (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), FALSE);
  return self->deleted;
}

const char *
cl_record_get_created_at (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  return self->created_at;
}

const char *
cl_record_get_updated_at (ClRecord *self)
{
  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  return self->updated_at;
}

static int
field_index (ClRecord   *self,
             const char *field)
{
  for (guint i = 0; i < self->type->n_fields; i++)
    if (strcmp (self->type->fields[i].name, field) == 0)
      return i;
  return -1;
}

/**
 * cl_record_get:
 *
 * Returns: (nullable): the field's stored value, or %NULL when it is empty
 */
const char *
cl_record_get (ClRecord   *self,
               const char *field)
{
  int i;

  g_return_val_if_fail (CL_IS_RECORD (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  i = field_index (self, field);
  g_return_val_if_fail (i >= 0, NULL);
  return self->values[i];
}

gboolean
cl_record_get_bool (ClRecord   *self,
                    const char *field)
{
  const char *v = cl_record_get (self, field);
  return v != NULL && strcmp (v, "1") == 0;
}

static void
set_str (char       **slot,
         const char  *value)
{
  if (*slot != value)
    {
      g_free (*slot);
      *slot = g_strdup (value);
    }
}

void
_cl_record_set_meta (ClRecord   *self,
                     gint64      version,
                     gboolean    deleted,
                     const char *created_at,
                     const char *created_by,
                     const char *updated_at,
                     const char *updated_by)
{
  self->version = version;
  self->deleted = deleted;
  set_str (&self->created_at, created_at);
  set_str (&self->created_by, created_by);
  set_str (&self->updated_at, updated_at);
  set_str (&self->updated_by, updated_by);
}

void
_cl_record_take (ClRecord   *self,
                 const char *field,
                 char       *value)
{
  int i = field_index (self, field);

  g_return_if_fail (i >= 0);
  g_free (self->values[i]);
  self->values[i] = value;
}
