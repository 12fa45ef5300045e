/* cl-changes.c: an ordered list of field = value assignments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-changes"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-changes.h"
#include "cl-store.h"

struct _ClChanges
{
  gatomicrefcount  ref_count;
  GPtrArray       *fields;
  GPtrArray       *values;
};

G_DEFINE_BOXED_TYPE (ClChanges, cl_changes, cl_changes_ref, cl_changes_unref)

ClChanges *
cl_changes_new (void)
{
  ClChanges *self = g_new0 (ClChanges, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->values = g_ptr_array_new_with_free_func (g_free);
  return self;
}

ClChanges *
cl_changes_ref (ClChanges *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cl_changes_unref (ClChanges *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_ptr_array_unref (self->fields);
      g_ptr_array_unref (self->values);
      g_free (self);
    }
}

/**
 * cl_changes_set:
 * @value: (nullable): the new value; %NULL or "" clears the field
 *
 * Sets @field, replacing an earlier assignment of the same field.
 */
void
cl_changes_set (ClChanges  *self,
                const char *field,
                const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (field != NULL);

  for (guint i = 0; i < self->fields->len; i++)
    if (strcmp (g_ptr_array_index (self->fields, i), field) == 0)
      {
        g_free (self->values->pdata[i]);
        self->values->pdata[i] = g_strdup (value);
        return;
      }
  g_ptr_array_add (self->fields, g_strdup (field));
  g_ptr_array_add (self->values, g_strdup (value));
}

/**
 * cl_changes_parse:
 * @assignment: "field=value", as caseloadctl takes it
 */
gboolean
cl_changes_parse (ClChanges   *self,
                  const char  *assignment,
                  GError     **error)
{
  const char *eq;
  g_autofree char *field = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (assignment != NULL, FALSE);

  eq = strchr (assignment, '=');
  if (eq == NULL || eq == assignment)
    {
      g_set_error (error, CL_STORE_ERROR, CL_STORE_ERROR_INVALID,
                   _("Expected field=value, got “%s”"), assignment);
      return FALSE;
    }
  field = g_strndup (assignment, eq - assignment);
  cl_changes_set (self, g_strstrip (field), eq + 1);
  return TRUE;
}

guint
cl_changes_get_n (ClChanges *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->fields->len;
}

const char *
cl_changes_get_field (ClChanges *self,
                      guint      i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->fields->len, NULL);
  return g_ptr_array_index (self->fields, i);
}

const char *
cl_changes_get_value (ClChanges *self,
                      guint      i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->values->len, NULL);
  return g_ptr_array_index (self->values, i);
}

gboolean
cl_changes_lookup (ClChanges   *self,
                   const char  *field,
                   const char **value)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->fields->len; i++)
    if (strcmp (g_ptr_array_index (self->fields, i), field) == 0)
      {
        if (value != NULL)
          *value = g_ptr_array_index (self->values, i);
        return TRUE;
      }
  return FALSE;
}
