/* cl-service-picker.c: a searchable list of the funder's service codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The service_code enumeration of common/cl-schema.h (VOCA PMT services A1 … E11), each
 * shown as its code and translated label and filtered as you type on both. Activating one
 * (or Enter in the search, once something is typed) emits ::picked with its code and closes
 * the window.
 */

#define G_LOG_DOMAIN "cl-service-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-gui-util.h"
#include "cl-schema.h"
#include "cl-service-picker.h"

struct _ClServicePicker
{
  AdwWindow           parent_instance;

  GtkSearchEntry     *search_entry;
  GtkListView        *list_view;
  GtkStack           *stack;

  GtkStringList      *codes;
  GtkStringFilter    *filter;
  GtkFilterListModel *filtered;
};

G_DEFINE_FINAL_TYPE (ClServicePicker, cl_service_picker, ADW_TYPE_WINDOW)

enum {
  PICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Items are "CODE\tlabel" so the filter matches both. */
static void
split_item (const char  *item,
            char       **code,
            const char **label)
{
  const char *tab = strchr (item, '\t');

  *code = g_strndup (item, tab != NULL ? (gsize) (tab - item) : strlen (item));
  *label = tab != NULL ? tab + 1 : "";
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *code = gtk_label_new (NULL);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_width_chars (GTK_LABEL (code), 4);
  gtk_label_set_xalign (GTK_LABEL (code), 0);
  gtk_widget_add_css_class (code, "numeric");
  gtk_widget_add_css_class (code, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), code);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *code_label = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (code_label);
  GtkStringObject *object = gtk_list_item_get_item (item);
  g_autofree char *code = NULL;
  const char *text;

  split_item (gtk_string_object_get_string (object), &code, &text);
  gtk_label_set_text (GTK_LABEL (code_label), code);
  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
update_stack (ClServicePicker *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
search_changed_cb (ClServicePicker *self)
{
  gtk_string_filter_set_search (self->filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_stack (self);
}

/* Enter in the search picks the first service it found; with nothing typed it only moves to
 * the list (a service is recorded for good: a stray Enter does not add the first code). */
static void
search_activate_cb (ClServicePicker *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    return;
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) == '\0')
    cl_list_focus_row (GTK_WIDGET (self->list_view));
  else
    cl_service_picker_pick (self, 0);
}

static void
list_activate_cb (ClServicePicker *self,
                  guint            position)
{
  cl_service_picker_pick (self, position);
}

static void
cl_service_picker_dispose (GObject *object)
{
  ClServicePicker *self = (ClServicePicker *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_SERVICE_PICKER);
  g_clear_object (&self->filtered);

  G_OBJECT_CLASS (cl_service_picker_parent_class)->dispose (object);
}

static void
cl_service_picker_class_init (ClServicePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_service_picker_dispose;

  /**
   * ClServicePicker::picked:
   * @code: a service_code code, e.g. "C1"
   */
  signals[PICKED] =
    g_signal_new ("picked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-service-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, ClServicePicker, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClServicePicker, list_view);
  gtk_widget_class_bind_template_child (widget_class, ClServicePicker, stack);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cl_service_picker_init (ClServicePicker *self)
{
  const ClEnum *services = cl_schema_lookup_enum ("service_code");
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkExpression *expression;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->codes = gtk_string_list_new (NULL);
  for (guint i = 0; i < services->n_values; i++)
    {
      g_autofree char *item = g_strdup_printf ("%s\t%s", services->values[i].code,
                                               g_dgettext (GETTEXT_PACKAGE,
                                                           services->values[i].label));
      gtk_string_list_append (self->codes, item);
    }

  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  self->filter = gtk_string_filter_new (expression);
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->codes),
                                              GTK_FILTER (self->filter));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  /* Escape in the search (which the entry takes for itself) closes the picker, as it does
   * anywhere else in it. */
  g_signal_connect_swapped (self->search_entry, "stop-search", G_CALLBACK (gtk_window_close),
                            self);
}

/**
 * cl_service_picker_new:
 *
 * Returns: (transfer none): a new picker, transient for @parent
 */
ClServicePicker *
cl_service_picker_new (GtkWindow *parent)
{
  return g_object_new (CL_TYPE_SERVICE_PICKER,
                       "transient-for", parent,
                       NULL);
}

void
cl_service_picker_set_search (ClServicePicker *self,
                              const char      *text)
{
  g_return_if_fail (CL_IS_SERVICE_PICKER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self);
}

guint
cl_service_picker_get_n_shown (ClServicePicker *self)
{
  g_return_val_if_fail (CL_IS_SERVICE_PICKER (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

/**
 * cl_service_picker_pick:
 * @position: a position among the services shown
 *
 * Emits ::picked with the service at @position and closes the picker.
 */
void
cl_service_picker_pick (ClServicePicker *self,
                        guint            position)
{
  g_autoptr(GtkStringObject) object = NULL;
  g_autofree char *code = NULL;
  const char *label;

  g_return_if_fail (CL_IS_SERVICE_PICKER (self));

  object = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  if (object == NULL)
    return;

  split_item (gtk_string_object_get_string (object), &code, &label);
  g_object_ref (self);
  g_signal_emit (self, signals[PICKED], 0, code);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}
