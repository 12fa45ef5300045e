/* cl-a11y.c: accessible names GTK 4.8 gets wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 names a button with a mnemonic twice, once with its underscore ("_Log Log"): a
 * screen reader says both. Such a button is given its label's text as its accessible label,
 * kept up to date when the label changes. A button with an icon only, as libadwaita's
 * "Show Text" button of a password row, GTK 4.8 names by its icon's type ("GtkImage"): it
 * is given its tooltip, kept up to date too. The button inside a GtkDropDown, GTK 4.8
 * names "GtkToggleButton": it is labelled by its drop-down.
 */

#define G_LOG_DOMAIN "cl-a11y"

#include "config.h"

#include "cl-a11y.h"

static void
name_button (GtkWidget *button)
{
  GtkWidget *child = GTK_IS_CHECK_BUTTON (button) ? gtk_widget_get_last_child (button)
                                                  : gtk_button_get_child (GTK_BUTTON (button));
  const char *text = GTK_IS_LABEL (child) ? gtk_label_get_text (GTK_LABEL (child)) : NULL;

  if (text != NULL && *text != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    text, -1);
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

/**
 * cl_a11y_name_mnemonic_buttons:
 *
 * Names every button with a mnemonic label in @root (and below) by its label's text,
 * every button with an icon only by its tooltip, and the button of every drop-down by the
 * drop-down.
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

  g_signal_connect (stack, "notify::visible-child", G_CALLBACK (visible_child_cb), NULL);
  visible_child_cb (stack);
}
