/* cl-case-client.c: the client of a case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client's fields save as you go; restricting the client restricts every case of
 * theirs (cl-case-access.c).
 */

#define G_LOG_DOMAIN "cl-case-client"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-case-access.h"
#include "cl-case-client.h"

struct _ClCaseClient
{
  AdwPreferencesGroup  parent_instance;

  ClCasePage          *page;
  ClRecordForm        *form;
};

static void cl_case_client_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseClient, cl_case_client, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_client_iface_init))

static const char * const client_fields[] = {
  "preferred_name", "legal_name", "pseudonym", "phone", "email", "preferred_language",
  "interpreter_needed", "age_band", "special_classifications", "restricted", NULL
};

static void
field_changed_cb (ClCaseClient *self,
                  const char   *field,
                  const char   *old_value,
                  const char   *new_value,
                  ClRecordForm *form)
{
  g_autoptr(ClChanges) values = cl_changes_new ();

  cl_changes_set (values, field, new_value);
  if (g_strcmp0 (field, "restricted") == 0 && g_strcmp0 (new_value, "1") == 0)
    cl_case_access_save_restricted (self->page, "client", values);
  else
    cl_case_page_save_and_show (self->page, "client", values, field);
}

/* Section -------------------------------------------------------------------------- */

static void
cl_case_client_reload (ClCaseSection *section)
{
  ClCaseClient *self = CL_CASE_CLIENT (section);

  cl_record_form_set_record (self->form, cl_case_page_get_client (self->page));
}

static void
cl_case_client_flush (ClCaseSection *section)
{
  cl_record_form_flush (CL_CASE_CLIENT (section)->form);
}

static gboolean
cl_case_client_shows (ClCaseSection *section,
                      const char    *type)
{
  return g_strcmp0 (type, "client") == 0;
}

static void
cl_case_client_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_client_reload;
  iface->flush = cl_case_client_flush;
  iface->shows = cl_case_client_shows;
}

static void
cl_case_client_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CL_TYPE_CASE_CLIENT);

  G_OBJECT_CLASS (cl_case_client_parent_class)->dispose (object);
}

static void
cl_case_client_class_init (ClCaseClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_client_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-client.ui");
}

static void
cl_case_client_init (ClCaseClient *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->form = cl_record_form_new ("client", client_fields, TRUE);
  g_signal_connect_object (self->form, "field-changed", G_CALLBACK (field_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->form));
}

GtkWidget *
cl_case_client_new (ClCasePage *page)
{
  ClCaseClient *self = g_object_new (CL_TYPE_CASE_CLIENT, NULL);

  self->page = page;

  return GTK_WIDGET (self);
}

ClRecordForm *
cl_case_client_get_form (ClCaseClient *self)
{
  g_return_val_if_fail (CL_IS_CASE_CLIENT (self), NULL);

  return self->form;
}
