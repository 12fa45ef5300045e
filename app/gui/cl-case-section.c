/* cl-case-section.c: one section of the case page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The case page (cl-case-page.c) only hosts sections: the overview, the client, who may see
 * a restricted case, safe contact, the contact log, one section per kind of record and the
 * history. Each is a preferences group with its own class and template; the page asks each
 * to show the records again (reload), to save what was typed and not yet confirmed (flush),
 * and whether it lists records of a type (shows), so that a change reloads only the
 * sections it touches. Sections save through the page, which emits ::edited for undo.
 */

#define G_LOG_DOMAIN "cl-case-section"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-a11y.h"
#include "cl-case-section.h"
#include "cl-gui-util.h"
#include "cl-schema.h"

G_DEFINE_INTERFACE (ClCaseSection, cl_case_section, GTK_TYPE_WIDGET)

static void
cl_case_section_default_init (ClCaseSectionInterface *iface)
{
}

/**
 * cl_case_section_reload:
 *
 * Shows the page's records again.
 */
void
cl_case_section_reload (ClCaseSection *self)
{
  g_return_if_fail (CL_IS_CASE_SECTION (self));

  CL_CASE_SECTION_GET_IFACE (self)->reload (self);
}

/**
 * cl_case_section_flush:
 *
 * Saves what was typed and not yet confirmed.
 */
void
cl_case_section_flush (ClCaseSection *self)
{
  ClCaseSectionInterface *iface;

  g_return_if_fail (CL_IS_CASE_SECTION (self));

  iface = CL_CASE_SECTION_GET_IFACE (self);
  if (iface->flush != NULL)
    iface->flush (self);
}

/**
 * cl_case_section_shows:
 * @type: a record type
 *
 * Returns: whether the section lists records of @type
 */
gboolean
cl_case_section_shows (ClCaseSection *self,
                       const char    *type)
{
  ClCaseSectionInterface *iface;

  g_return_val_if_fail (CL_IS_CASE_SECTION (self), FALSE);

  iface = CL_CASE_SECTION_GET_IFACE (self);
  return iface->shows != NULL && iface->shows (self, type);
}

/* Helpers of several sections ------------------------------------------------------ */

void
cl_case_append_part (GString    *out,
                     const char *part)
{
  if (part == NULL || *part == '\0')
    return;
  if (out->len > 0)
    /* Translators: separates the parts of a row's subtitle */
    g_string_append (out, _(" · "));
  g_string_append (out, part);
}

const char *
cl_case_field_label (const char *type,
                     const char *field)
{
  const ClField *f = cl_type_lookup_field (cl_schema_lookup_type (type), field);

  return f != NULL ? g_dgettext (GETTEXT_PACKAGE, f->label) : field;
}

/* A row describing @record, holding it as "cl-record"; activating it opens the record. */
GtkWidget *
cl_case_record_row_new (ClRecord       *record,
                        ClDescribeFunc  describe)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *icon = NULL;
  GtkWidget *row = adw_action_row_new ();

  describe (record, &title, &subtitle, &icon);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  cl_a11y_name_row (row, g_dgettext (GETTEXT_PACKAGE,
                                     cl_record_get_record_type (record)->label));
  g_object_set_data_full (G_OBJECT (row), "cl-record", g_object_ref (record), g_object_unref);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));

  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      gtk_widget_add_css_class (image, g_str_equal (icon, "dialog-warning-symbolic")
                                         ? "warning" : "error");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), image);
    }

  return row;
}

/* Shows the live @records in @store, in their order or newest first. */
void
cl_case_fill_store (GListStore *store,
                    GPtrArray  *records,
                    gboolean    newest_first)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();

  for (guint i = 0; i < records->len; i++)
    {
      guint j = newest_first ? records->len - 1 - i : i;
      ClRecord *record = g_ptr_array_index (records, j);

      if (!cl_record_get_deleted (record))
        g_ptr_array_add (items, record);
    }

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       items->pdata, items->len);
}
