/* cl-a11y.c: accessible names GTK 4.8 gets wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 names a button with a mnemonic twice, once with its underscore ("_Log Log"): a
 * screen reader says both. Such a button is given its label's text as its accessible label,
 * kept up to date when the label changes. A button with an icon only, as libadwaita's
 * "Show Text" button of a password row, GTK 4.8 names by its icon's type ("GtkImage"): it
 * is given its tooltip, kept up to date too. The button inside a GtkDropDown, GTK 4.8
 * names "GtkToggleButton": it is labelled by its drop-down. A libadwaita expander row
 * (libadwaita 1.2) has no name at all, and an action row is named by its title alone
 * ("Call back"): such rows are named by what they are, their title and their subtitle.
 * The pages of a stack not shown GTK 4.8 shows a screen reader too (a preferences window's
 * search entry, with search disabled): they are hidden.
 */

#define G_LOG_DOMAIN "cl-a11y"

#include "config.h"

#include "cl-a11y.h"

#include <adwaita.h>
#include <glib/gi18n.h>

static void
name_button (GtkWidget *button)
{
  GtkWidget *child = GTK_IS_CHECK_BUTTON (button) ? gtk_widget_get_last_child (button)
                                                  : gtk_button_get_child (GTK_BUTTON (button));
  const char *text = GTK_IS_LABEL (child) ? gtk_label_get_text (GTK_LABEL (child)) : NULL;

  if (text != NULL && *text != '\0')
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      text, -1);
      /* The label, its mnemonic widget's, is said after this one otherwise. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (button),
                                     GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    }
}

static void
name_by_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  if (tooltip != NULL && *tooltip != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    tooltip, -1);
}

static gboolean
icon_only (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL &&
         GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget))) &&
         gtk_widget_get_tooltip_text (widget) != NULL;
}

static gboolean
uses_mnemonic (GtkWidget *widget)
{
  /* One whose label is set later is named then. */
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_use_underline (GTK_BUTTON (widget));
  if (GTK_IS_CHECK_BUTTON (widget))
    return gtk_check_button_get_use_underline (GTK_CHECK_BUTTON (widget));
  return FALSE;
}

static void
name_row (GtkWidget *row)
{
  const char *parts[3] = { g_object_get_data (G_OBJECT (row), "cl-a11y-kind"),
                           adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), NULL };
  g_autofree char *label = NULL;

  if (ADW_IS_ACTION_ROW (row))
    parts[2] = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  else if (ADW_IS_EXPANDER_ROW (row))
    parts[2] = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL && *parts[i] != '\0')
      {
        char *joined = label == NULL ? g_strdup (parts[i])
                         /* Translators: a row to a screen reader, one part then the next */
                         : g_strdup_printf (C_("accessible", "%s, %s"), label, parts[i]);

        g_free (label);
        label = joined;
      }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label != NULL ? label : "", -1);
}

/**
 * cl_a11y_name_row:
 * @row: an #AdwActionRow or #AdwExpanderRow
 * @kind: (nullable): what the row is ("Contact"), said first
 *
 * Names @row, for a screen reader, by @kind, its title and its subtitle, kept up to date
 * as they change.
 */
void
cl_a11y_name_row (GtkWidget  *row,
                  const char *kind)
{
  g_return_if_fail (ADW_IS_ACTION_ROW (row) || ADW_IS_EXPANDER_ROW (row));

  g_object_set_data_full (G_OBJECT (row), "cl-a11y-kind", g_strdup (kind), g_free);
  if (g_object_get_data (G_OBJECT (row), "cl-a11y-named") == NULL)
    {
      g_object_set_data (G_OBJECT (row), "cl-a11y-named", GINT_TO_POINTER (TRUE));
      g_signal_connect (row, "notify::title", G_CALLBACK (name_row), NULL);
      g_signal_connect (row, "notify::subtitle", G_CALLBACK (name_row), NULL);
      /* Or GTK 4.8 says the title again after the label. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    }
  name_row (row);
}

/**
 * cl_a11y_name_mnemonic_buttons:
 *
 * Names every button with a mnemonic label in @root (and below) by its label's text,
 * every button with an icon only by its tooltip, the button of every drop-down by the
 * drop-down, and every expander row by its title and subtitle; hides the pages not shown
 * of every stack (cl_a11y_hide_stack_pages()).
 */
void
cl_a11y_name_mnemonic_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (uses_mnemonic (root))
    {
      name_button (root);
      g_signal_connect (root, "notify::label", G_CALLBACK (name_button), NULL);
    }
  else if (GTK_IS_DROP_DOWN (root))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_TOGGLE_BUTTON (child))
          gtk_accessible_update_relation (GTK_ACCESSIBLE (child),
                                          GTK_ACCESSIBLE_RELATION_LABELLED_BY, root, NULL,
                                          -1);
    }
  else if (ADW_IS_EXPANDER_ROW (root))
    cl_a11y_name_row (root, NULL);
  else if (GTK_IS_STACK (root))
    cl_a11y_hide_stack_pages (GTK_STACK (root));
  else if (icon_only (root))
    {
      name_by_tooltip (root);
      g_signal_connect (root, "notify::tooltip-text", G_CALLBACK (name_by_tooltip), NULL);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cl_a11y_name_mnemonic_buttons (child);
}

static void
visible_child_cb (GtkStack *stack)
{
  GtkWidget *shown = gtk_stack_get_visible_child (stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN,
                                 child != shown, -1);
}

/**
 * cl_a11y_hide_stack_pages:
 *
 * GTK 4.8 shows a screen reader every page of a #GtkStack, those not shown too: the pages
 * of @stack other than the visible one are marked hidden, as the visible child changes.
 */
void
cl_a11y_hide_stack_pages (GtkStack *stack)
{
  g_return_if_fail (GTK_IS_STACK (stack));

  if (g_object_get_data (G_OBJECT (stack), "cl-a11y-hides") == NULL)
    {
      g_object_set_data (G_OBJECT (stack), "cl-a11y-hides", GINT_TO_POINTER (TRUE));
      g_signal_connect (stack, "notify::visible-child", G_CALLBACK (visible_child_cb), NULL);
    }
  visible_child_cb (stack);
}
