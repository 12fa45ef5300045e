/* cl-case-overview.c: a case's own fields, and how it closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The case's fields save as you go. Choosing "Closed" as the status asks for the reason
 * instead (the page's case.close); a closed case says when and why under the title. The
 * "Restricted" badge shows while the case or its client is restricted.
 */

#define G_LOG_DOMAIN "cl-case-overview"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-access.h"
#include "cl-case-overview.h"
#include "cl-gui-util.h"

struct _ClCaseOverview
{
  AdwPreferencesGroup  parent_instance;

  GtkWidget           *restricted_badge;

  ClCasePage          *page;
  ClRecordForm        *form;
};

static void cl_case_overview_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseOverview, cl_case_overview, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_overview_iface_init))

static const char * const case_fields[] = {
  "status", "track", "assigned_to", "command", "referral_received_at", "victim_role",
  "funding_sources", "restricted", "case_number", "first_contact_at", "next_due_on", NULL
};

static void
field_changed_cb (ClCaseOverview *self,
                  const char     *field,
                  const char     *old_value,
                  const char     *new_value,
                  ClRecordForm   *form)
{
  g_autoptr(ClChanges) values = cl_changes_new ();

  if (g_strcmp0 (field, "status") == 0 && g_strcmp0 (new_value, "closed") == 0)
    {
      /* Closing needs a reason: ask for it instead. */
      cl_record_form_set_value (form, "status", old_value);
      gtk_widget_activate_action (GTK_WIDGET (self), "case.close", NULL);
      return;
    }

  cl_changes_set (values, field, new_value);
  if (g_strcmp0 (field, "restricted") == 0 && g_strcmp0 (new_value, "1") == 0)
    cl_case_access_save_restricted (self->page, "case", values);
  else
    cl_case_page_save_and_show (self->page, "case", values, field);
}

/* Section -------------------------------------------------------------------------- */

static void
cl_case_overview_reload (ClCaseSection *section)
{
  ClCaseOverview *self = CL_CASE_OVERVIEW (section);
  ClRecord *case_record = cl_case_page_get_case (self->page);
  g_autofree char *text = NULL;

  cl_record_form_set_record (self->form, case_record);

  gtk_widget_set_visible (self->restricted_badge,
                          cl_access_restricted (case_record,
                                                cl_case_page_get_client (self->page)));

  /* A closed case says when and why. */
  if (g_strcmp0 (cl_record_get (case_record, "status"), "closed") == 0)
    {
      g_autofree char *date = cl_format_date (cl_record_get (case_record, "closed_at"));
      const char *reason = cl_enum_label ("closure_reason",
                                          cl_record_get (case_record, "closure_reason"));

      /* Translators: the first %s is a date, the second the reason the case closed */
      text = g_strdup_printf (_("Closed %s: %s"), date, reason != NULL ? reason : "");
    }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->form), text);
}

static void
cl_case_overview_flush (ClCaseSection *section)
{
  cl_record_form_flush (CL_CASE_OVERVIEW (section)->form);
}

static gboolean
cl_case_overview_shows (ClCaseSection *section,
                        const char    *type)
{
  /* The badge follows the client's restricted flag too. */
  return g_strcmp0 (type, "case") == 0 || g_strcmp0 (type, "client") == 0;
}

static void
cl_case_overview_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_overview_reload;
  iface->flush = cl_case_overview_flush;
  iface->shows = cl_case_overview_shows;
}

static void
cl_case_overview_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CL_TYPE_CASE_OVERVIEW);

  G_OBJECT_CLASS (cl_case_overview_parent_class)->dispose (object);
}

static void
cl_case_overview_class_init (ClCaseOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_overview_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-overview.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCaseOverview, restricted_badge);
}

static void
cl_case_overview_init (ClCaseOverview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_case_overview_new (ClCasePage *page)
{
  ClCaseOverview *self = g_object_new (CL_TYPE_CASE_OVERVIEW, NULL);

  self->page = page;
  self->form = cl_record_form_new ("case", case_fields, TRUE);
  if (cl_case_page_get_command_codes (page) != NULL)
    cl_record_form_set_commands (self->form, cl_case_page_get_command_codes (page),
                                 cl_case_page_get_command_labels (page));
  g_signal_connect_object (self->form, "field-changed", G_CALLBACK (field_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->form));

  return GTK_WIDGET (self);
}

ClRecordForm *
cl_case_overview_get_form (ClCaseOverview *self)
{
  g_return_val_if_fail (CL_IS_CASE_OVERVIEW (self), NULL);

  return self->form;
}
