/* cl-a11y.c: accessible names GTK 4.8 gets wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 names a button with a mnemonic twice, once with its underscore ("_Log Log"): a
 * screen reader says both. Such a button is given its label's text as its accessible label,
 * kept up to date when the label changes.
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
 * Names every button with a mnemonic label in @root (and below) by its label's text.
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

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cl_a11y_name_mnemonic_buttons (child);
}
