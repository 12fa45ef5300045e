/* cl-changes.h: an ordered list of field = value assignments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _ClChanges ClChanges;

#define CL_TYPE_CHANGES (cl_changes_get_type ())

GType        cl_changes_get_type   (void) G_GNUC_CONST;
ClChanges   *cl_changes_new        (void);
ClChanges   *cl_changes_ref        (ClChanges   *self);
void         cl_changes_unref      (ClChanges   *self);
void         cl_changes_set        (ClChanges   *self,
                                    const char  *field,
                                    const char  *value);
gboolean     cl_changes_parse      (ClChanges   *self,
                                    const char  *assignment,
                                    GError     **error);
guint        cl_changes_get_n      (ClChanges   *self);
const char  *cl_changes_get_field  (ClChanges   *self,
                                    guint        i);
const char  *cl_changes_get_value  (ClChanges   *self,
                                    guint        i);
gboolean     cl_changes_lookup     (ClChanges   *self,
                                    const char  *field,
                                    const char **value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClChanges, cl_changes_unref)

G_END_DECLS
