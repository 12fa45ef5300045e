/* cl-command-row.c: a row to choose a command, searchable by number and name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * New York has close to a hundred commands (precincts and PSAs); a plain drop-down makes an
 * advocate scroll through all of them. The row shows the command chosen; activating it opens
 * a popover with a search entry over the commands' numbers and names ("14", "mid",
 * "midtown s" all find the 14th Precinct, as g_str_match_string() matches: each word a
 * prefix, accents folded). Enter chooses the first command shown, Down moves into the list,
 * Escape closes without a change. The first entry, "Not set", clears the choice.
 */

#define G_LOG_DOMAIN "cl-command-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-command-row.h"

struct _ClCommandRow
{
  AdwActionRow        parent_instance;

  GtkStringList      *items;     /* "Not set", then each command's label; "cl-code" on each */
  char               *code;      /* the command chosen, or NULL */

  GtkWidget          *value_label;
  GtkWidget          *popover;
  GtkWidget          *search;
  GtkWidget          *list;
  GtkFilter          *filter;
  GtkFilterListModel *shown;
};

G_DEFINE_FINAL_TYPE (ClCommandRow, cl_command_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define CODE_KEY "cl-code"

static const char *
item_code (gpointer item)
{
  return g_object_get_data (G_OBJECT (item), CODE_KEY);
}

static gboolean
filter_cb (gpointer item,
           gpointer user_data)
{
  ClCommandRow *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  const char *code = item_code (item);
  const char *label = gtk_string_object_get_string (GTK_STRING_OBJECT (item));

  if (*text == '\0')
    return TRUE;
  /* "Not set" is there to clear the choice, not to be searched for. */
  if (code == NULL)
    return FALSE;
  return g_str_match_string (text, code, TRUE) || g_str_match_string (text, label, TRUE);
}

static void
show_choice (ClCommandRow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (g_strcmp0 (item_code (item), self->code) == 0)
        {
          gtk_label_set_text (GTK_LABEL (self->value_label),
                              gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
          return;
        }
    }
}

static void
choose_shown (ClCommandRow *self,
              guint         position)
{
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->shown), position);

  if (item == NULL)
    return;
  cl_command_row_set_code (self, item_code (item));
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
list_activate_cb (GtkListView  *list,
                  guint         position,
                  ClCommandRow *self)
{
  choose_shown (self, position);
}

static void
search_changed_cb (ClCommandRow *self)
{
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_activate_cb (ClCommandRow *self)
{
  choose_shown (self, 0);
}

static void
stop_search_cb (ClCommandRow *self)
{
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static gboolean
search_key_cb (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               ClCommandRow          *self)
{
  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;
  return gtk_widget_child_focus (self->list, GTK_DIR_TAB_FORWARD);
}

/* A command in the list: its number, then its name. */
static void
setup_item_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *code = gtk_label_new (NULL);
  GtkWidget *name = gtk_label_new (NULL);

  gtk_label_set_width_chars (GTK_LABEL (code), 6);
  gtk_label_set_xalign (GTK_LABEL (code), 0);
  gtk_widget_add_css_class (code, "dim-label");
  gtk_widget_add_css_class (code, "numeric");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), code);
  gtk_box_append (GTK_BOX (box), name);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_item_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  GtkStringObject *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *code = gtk_widget_get_first_child (box);
  const char *label = gtk_string_object_get_string (item);
  const char *number = item_code (item);
  g_autofree char *both = NULL;

  gtk_label_set_text (GTK_LABEL (code), number != NULL ? number : "");
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (code)), label);
  /* Translators: how a screen reader says a command: its number, then its name */
  both = number != NULL ? g_strdup_printf (C_("command", "%s, %s"), number, label)
                        : g_strdup (label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, both, -1);
}

static void
activated_cb (ClCommandRow *self)
{
  cl_command_row_popup (self);
}

static void
cl_command_row_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  ClCommandRow *self = CL_COMMAND_ROW (widget);

  GTK_WIDGET_CLASS (cl_command_row_parent_class)->size_allocate (widget, width, height, baseline);
  gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
cl_command_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ClCommandRow *self = CL_COMMAND_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_command_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ClCommandRow *self = CL_COMMAND_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      cl_command_row_set_code (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_command_row_dispose (GObject *object)
{
  ClCommandRow *self = CL_COMMAND_ROW (object);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_object (&self->items);
  g_clear_object (&self->shown);
  self->filter = NULL;

  G_OBJECT_CLASS (cl_command_row_parent_class)->dispose (object);
}

static void
cl_command_row_finalize (GObject *object)
{
  ClCommandRow *self = CL_COMMAND_ROW (object);

  g_free (self->code);

  G_OBJECT_CLASS (cl_command_row_parent_class)->finalize (object);
}

static void
cl_command_row_class_init (ClCommandRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cl_command_row_get_property;
  object_class->set_property = cl_command_row_set_property;
  object_class->dispose = cl_command_row_dispose;
  object_class->finalize = cl_command_row_finalize;
  widget_class->size_allocate = cl_command_row_size_allocate;

  /**
   * ClCommandRow:code:
   *
   * The code of the command chosen, or %NULL.
   */
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_command_row_init (ClCommandRow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys;
  GtkWidget *box;
  GtkWidget *scrolled;
  GtkWidget *arrow;

  self->value_label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->value_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->value_label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->value_label);
  arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
  g_signal_connect (self, "activated", G_CALLBACK (activated_cb), NULL);

  self->search = gtk_search_entry_new ();
  g_object_set (self->search, "placeholder-text", _("Number or name"), NULL);
  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->search, "activate", G_CALLBACK (search_activate_cb), self);
  g_signal_connect_swapped (self->search, "stop-search", G_CALLBACK (stop_search_cb), self);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_cb), self);
  gtk_widget_add_controller (self->search, keys);

  self->filter = GTK_FILTER (gtk_custom_filter_new (filter_cb, self, NULL));
  self->items = gtk_string_list_new (NULL);
  self->shown = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->items)),
                                           self->filter);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item_cb), NULL);
  self->list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->shown)))),
                                  g_object_ref (factory));
  gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (self->list), TRUE);
  gtk_widget_add_css_class (self->list, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Commands"), -1);
  g_signal_connect (self->list, "activate", G_CALLBACK (list_activate_cb), self);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->list);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), self->search);
  gtk_box_append (GTK_BOX (box), scrolled);

  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), box);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_BOTTOM);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_END);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
}

/**
 * cl_command_row_new:
 * @codes: the commands' codes
 * @labels: their names, in the same order
 *
 * Returns: (transfer floating): a new row, with no command chosen
 */
GtkWidget *
cl_command_row_new (GtkStringList *codes,
                    GtkStringList *labels)
{
  ClCommandRow *self;
  guint n;

  g_return_val_if_fail (GTK_IS_STRING_LIST (codes), NULL);
  g_return_val_if_fail (GTK_IS_STRING_LIST (labels), NULL);

  self = g_object_new (CL_TYPE_COMMAND_ROW, NULL);

  gtk_string_list_append (self->items, C_("value", "Not set"));
  n = g_list_model_get_n_items (G_LIST_MODEL (codes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = NULL;

      gtk_string_list_append (self->items, gtk_string_list_get_string (labels, i));
      item = g_list_model_get_item (G_LIST_MODEL (self->items), i + 1);
      g_object_set_data_full (item, CODE_KEY, g_strdup (gtk_string_list_get_string (codes, i)),
                              g_free);
    }
  show_choice (self);

  return GTK_WIDGET (self);
}

/**
 * cl_command_row_get_code:
 *
 * Returns: (nullable): the code of the command chosen
 */
const char *
cl_command_row_get_code (ClCommandRow *self)
{
  g_return_val_if_fail (CL_IS_COMMAND_ROW (self), NULL);

  return self->code;
}

/**
 * cl_command_row_get_label:
 *
 * Returns: what the row shows of the command chosen ("Not set" when none)
 */
const char *
cl_command_row_get_label (ClCommandRow *self)
{
  g_return_val_if_fail (CL_IS_COMMAND_ROW (self), NULL);

  return gtk_label_get_text (GTK_LABEL (self->value_label));
}

/**
 * cl_command_row_set_code:
 * @code: (nullable): a command's code; %NULL, or a code not in the list, chooses none
 */
void
cl_command_row_set_code (ClCommandRow *self,
                         const char   *code)
{
  guint n;
  const char *found = NULL;

  g_return_if_fail (CL_IS_COMMAND_ROW (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 1; code != NULL && i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (g_strcmp0 (item_code (item), code) == 0)
        found = item_code (item);
    }

  if (g_strcmp0 (found, self->code) == 0)
    return;
  g_free (self->code);
  self->code = g_strdup (found);
  show_choice (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
}

/**
 * cl_command_row_popup:
 *
 * Opens the list of commands with an empty search, the search focused (what activating
 * the row does).
 */
void
cl_command_row_popup (ClCommandRow *self)
{
  g_return_if_fail (CL_IS_COMMAND_ROW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search), "");
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_LESS_STRICT);
  gtk_popover_popup (GTK_POPOVER (self->popover));
  gtk_widget_grab_focus (self->search);
}

/**
 * cl_command_row_get_search:
 *
 * Returns: (transfer none): the popover's search entry
 */
GtkEditable *
cl_command_row_get_search (ClCommandRow *self)
{
  g_return_val_if_fail (CL_IS_COMMAND_ROW (self), NULL);

  return GTK_EDITABLE (self->search);
}

/**
 * cl_command_row_get_n_shown:
 *
 * Returns: how many commands the popover lists for what is typed in its search
 */
guint
cl_command_row_get_n_shown (ClCommandRow *self)
{
  g_return_val_if_fail (CL_IS_COMMAND_ROW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->shown));
}
