/* cl-case-history.c: what changed on a case, newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every entry opens what it changed: a record in its dialog (to be read, when the record
 * is append-only), the case, the client or a safe-contact preference in its section.
 */

#define G_LOG_DOMAIN "cl-case-history"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-a11y.h"
#include "cl-case-history.h"
#include "cl-gui-util.h"

struct _ClCaseHistory
{
  AdwPreferencesGroup  parent_instance;

  GtkListBox          *list;

  ClCasePage          *page;
};

static void cl_case_history_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseHistory, cl_case_history, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_history_iface_init))

/* @hide_value: whether the new value stays off the screen (an ACP client's address) */
static char *
describe_history (ClHistoryEntry *entry,
                  gboolean        hide_value)
{
  const ClType *type = cl_schema_lookup_type (entry->record_type);
  const char *type_label = type != NULL ? g_dgettext (GETTEXT_PACKAGE, type->label)
                                        : entry->record_type;

  if (g_strcmp0 (entry->op, "create") == 0)
    /* Translators: %s is a kind of record, e.g. "Contact" */
    return g_strdup_printf (_("%s added"), type_label);

  if (g_strcmp0 (entry->op, "delete") == 0)
    /* Translators: %s is a kind of record, e.g. "Task" */
    return g_strdup_printf (_("%s deleted"), type_label);

  if (entry->field != NULL)
    {
      const ClField *field = type != NULL ? cl_type_lookup_field (type, entry->field) : NULL;
      const char *label = field != NULL ? g_dgettext (GETTEXT_PACKAGE, field->label)
                                        : entry->field;
      const char *value = entry->new_value;
      g_autofree char *shown = NULL;

      if (field != NULL && field->kind == CL_FIELD_ENUM)
        value = cl_enum_label (field->target, value);
      else if (field != NULL && field->kind == CL_FIELD_ENUM_SET)
        value = shown = cl_enum_set_label (field->target, value);
      else if (field != NULL && field->kind == CL_FIELD_BOOL)
        value = g_strcmp0 (value, "1") == 0 ? _("Yes") : _("No");

      if (hide_value)
        /* Translators: first %s is a kind of record, the second a field */
        return g_strdup_printf (_("%s: “%s” changed"), type_label, label);

      if (value == NULL || *value == '\0')
        /* Translators: first %s is a kind of record, the second a field */
        return g_strdup_printf (_("%s: “%s” cleared"), type_label, label);

      /* Translators: first %s is a kind of record, then a field and its new value */
      return g_strdup_printf (_("%s: “%s” set to %s"), type_label, label, value);
    }

  /* Translators: %s is a kind of record, e.g. "Case" */
  return g_strdup_printf (_("%s changed"), type_label);
}

static void
cl_case_history_reload (ClCaseSection *section)
{
  ClCaseHistory *self = CL_CASE_HISTORY (section);
  ClRecord *case_record = cl_case_page_get_case (self->page);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *row;
  guint shown = 0;
  /* An ACP client's addresses before the substitute never show (DOMAIN.md rule 6). */
  gboolean acp = cl_record_get_bool (cl_case_page_get_client (self->page), "acp_participant");

  while ((row = gtk_list_box_get_row_at_index (self->list, 0)) != NULL)
    gtk_list_box_remove (self->list, GTK_WIDGET (row));

  entries = cl_store_history (cl_case_page_get_store (self->page),
                              cl_record_get_id (case_record), &error);
  if (entries == NULL)
    {
      g_debug ("Could not read the history: %s", error->message);
      return;
    }

  /* Newest first; a long history shows its latest 100 lines. */
  for (guint i = entries->len; i > 0 && shown < 100; i--, shown++)
    {
      ClHistoryEntry *entry = g_ptr_array_index (entries, i - 1);
      GtkWidget *new_row = adw_action_row_new ();
      gboolean hide = acp && g_strcmp0 (entry->record_type, "client") == 0 &&
                      g_strcmp0 (entry->field, "address") == 0;
      g_autofree char *title = describe_history (entry, hide);
      g_autofree char *at = cl_format_datetime (entry->at);
      g_autofree char *subtitle = NULL;

      if (entry->by != NULL)
        /* Translators: when, and who made a change */
        subtitle = g_strdup_printf (_("%s by %s"), at, entry->by);
      else
        subtitle = g_strdup (at);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (new_row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (new_row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (new_row), subtitle);
      cl_a11y_name_row (new_row, NULL);
      g_object_set_data_full (G_OBJECT (new_row), "cl-type", g_strdup (entry->record_type),
                              g_free);
      g_object_set_data_full (G_OBJECT (new_row), "cl-id", g_strdup (entry->record_id),
                              g_free);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (new_row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (new_row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_append (self->list, new_row);
    }
}

/* Every entry opens what it changed. */
static void
row_activated_cb (ClCaseHistory *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list)
{
  cl_case_page_open_record (self->page, g_object_get_data (G_OBJECT (row), "cl-type"),
                            g_object_get_data (G_OBJECT (row), "cl-id"));
}

/* Activates the row at @index, as a click on it does. */
void
cl_case_history_activate_row (ClCaseHistory *self,
                              guint          index)
{
  GtkListBoxRow *row;

  g_return_if_fail (CL_IS_CASE_HISTORY (self));

  row = gtk_list_box_get_row_at_index (self->list, index);
  g_return_if_fail (row != NULL);
  g_signal_emit_by_name (self->list, "row-activated", row);
}

static gboolean
cl_case_history_shows (ClCaseSection *section,
                       const char    *type)
{
  /* Every change of the case is in its history. */
  return TRUE;
}

static void
cl_case_history_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_history_reload;
  iface->shows = cl_case_history_shows;
}

static void
cl_case_history_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CL_TYPE_CASE_HISTORY);

  G_OBJECT_CLASS (cl_case_history_parent_class)->dispose (object);
}

static void
cl_case_history_class_init (ClCaseHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_history_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-history.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCaseHistory, list);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
cl_case_history_init (ClCaseHistory *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_case_history_new (ClCasePage *page)
{
  ClCaseHistory *self = g_object_new (CL_TYPE_CASE_HISTORY, NULL);

  self->page = page;

  return GTK_WIDGET (self);
}

guint
cl_case_history_get_n_rows (ClCaseHistory *self)
{
  guint n = 0;

  g_return_val_if_fail (CL_IS_CASE_HISTORY (self), 0);

  while (gtk_list_box_get_row_at_index (self->list, n) != NULL)
    n++;
  return n;
}
