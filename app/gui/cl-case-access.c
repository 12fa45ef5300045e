/* cl-case-access.c: who may see a restricted case
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Restricted cases (DOMAIN.md rule 4): while the case or its client is restricted, the
 * section shows who may see it (its named users; the assigned advocate always counts),
 * editable as usernames separated by commas. Restricting names the assigned advocate and
 * the current user when nobody is named yet; the server removes the case from everyone
 * else's devices at their next sync.
 */

#define G_LOG_DOMAIN "cl-case-access"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-access.h"
#include "cl-case-access.h"
#include "cl-gui-util.h"

struct _ClCaseAccess
{
  AdwPreferencesGroup  parent_instance;

  AdwEntryRow         *named_users_row;

  ClCasePage          *page;
  char                *named_users_shown;
  guint                loading;
};

static void cl_case_access_iface_init (ClCaseSectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClCaseAccess, cl_case_access, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_CASE_SECTION,
                                                      cl_case_access_iface_init))

static const ClField *
named_users_field (void)
{
  return cl_type_lookup_field (cl_schema_lookup_type ("case"), "named_users");
}

/* Who a case being restricted names when it names nobody yet: the current user and the
 * assigned advocate (when that is a username). %NULL when it already names someone. */
static char *
default_named_users (ClCasePage *page)
{
  ClRecord *case_record = cl_case_page_get_case (page);
  const char *me = cl_store_get_user (cl_case_page_get_store (page));
  const char *assigned = cl_record_get (case_record, "assigned_to");
  g_autofree char *user = me != NULL ? g_ascii_strdown (me, -1) : NULL;
  g_autofree char *advocate = assigned != NULL ? g_ascii_strdown (assigned, -1) : NULL;
  g_autoptr(GString) names = g_string_new (NULL);

  if (cl_record_get (case_record, "named_users") != NULL)
    return NULL;

  if (cl_is_username (user))
    g_string_append (names, user);
  if (cl_is_username (advocate))
    g_string_append_printf (names, ",%s", advocate);
  return cl_field_normalize (named_users_field (), names->str, NULL);
}

/**
 * cl_case_access_save_restricted:
 * @type: "case" or "client"
 * @values: the edit that restricts it
 *
 * Restricting: names the defaults in the same edit when nobody is named, then says what
 * happens to everyone else.
 */
void
cl_case_access_save_restricted (ClCasePage *page,
                                const char *type,
                                ClChanges  *values)
{
  g_autofree char *named = default_named_users (page);

  if (named != NULL && g_str_equal (type, "case"))
    cl_changes_set (values, "named_users", named);
  if (!cl_case_page_save_and_show (page, type, values, "restricted"))
    return;

  /* A restricted client restricts this case too: it gets its own named users. */
  if (named != NULL && g_str_equal (type, "client"))
    {
      g_autoptr(ClChanges) case_values = cl_changes_new ();

      cl_changes_set (case_values, "named_users", named);
      if (!cl_case_page_save_and_show (page, "case", case_values, "named_users"))
        return;
    }

  cl_case_page_show_message (page, _("Only the named users and the assigned advocate can see "
                                     "this case now; everyone else loses access after their "
                                     "next sync"));
}

/* The stored "ana;ben" as typed: "ana, ben". */
static char *
named_users_text (const char *value)
{
  g_auto(GStrv) names = g_strsplit (value != NULL ? value : "", ";", -1);

  return g_strjoinv (", ", names);
}

static void
named_users_commit (ClCaseAccess *self)
{
  GtkWidget *row = GTK_WIDGET (self->named_users_row);
  ClRecord *case_record;
  g_autoptr(ClChanges) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (self->loading > 0 || self->page == NULL || cl_case_page_get_store (self->page) == NULL)
    return;

  value = cl_field_normalize (named_users_field (),
                              gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  if (error != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, error->message);
      cl_case_page_show_message (self->page, error->message);
      return;
    }
  gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, NULL);

  case_record = cl_case_page_get_case (self->page);
  if (g_strcmp0 (value, cl_record_get (case_record, "named_users")) == 0)
    return;

  values = cl_changes_new ();
  cl_changes_set (values, "named_users", value);
  cl_case_page_save_and_show (self->page, "case", values, "named_users");
}

/* Section -------------------------------------------------------------------------- */

/* Shows who may see the case while it is restricted, without touching what is being
 * typed unless the saved value changed. */
static void
cl_case_access_reload (ClCaseSection *section)
{
  ClCaseAccess *self = CL_CASE_ACCESS (section);
  ClRecord *case_record = cl_case_page_get_case (self->page);
  const char *named;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self),
                          cl_access_restricted (case_record,
                                                cl_case_page_get_client (self->page)));

  named = cl_record_get (case_record, "named_users");
  if (g_strcmp0 (named, self->named_users_shown) == 0)
    return;

  g_free (self->named_users_shown);
  self->named_users_shown = g_strdup (named);
  text = named_users_text (named);
  self->loading++;
  gtk_editable_set_text (GTK_EDITABLE (self->named_users_row), text);
  self->loading--;
  gtk_widget_remove_css_class (GTK_WIDGET (self->named_users_row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->named_users_row), NULL);
}

static void
cl_case_access_flush (ClCaseSection *section)
{
  named_users_commit (CL_CASE_ACCESS (section));
}

static gboolean
cl_case_access_shows (ClCaseSection *section,
                      const char    *type)
{
  return g_strcmp0 (type, "case") == 0 || g_strcmp0 (type, "client") == 0;
}

static void
cl_case_access_iface_init (ClCaseSectionInterface *iface)
{
  iface->reload = cl_case_access_reload;
  iface->flush = cl_case_access_flush;
  iface->shows = cl_case_access_shows;
}

static void
cl_case_access_dispose (GObject *object)
{
  ClCaseAccess *self = CL_CASE_ACCESS (object);

  /* Before the row goes: its focus leaving saves nothing. */
  self->loading++;
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CASE_ACCESS);
  g_clear_pointer (&self->named_users_shown, g_free);

  G_OBJECT_CLASS (cl_case_access_parent_class)->dispose (object);
}

static void
cl_case_access_class_init (ClCaseAccessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_case_access_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-case-access.ui");
  gtk_widget_class_bind_template_child (widget_class, ClCaseAccess, named_users_row);
  gtk_widget_class_bind_template_callback (widget_class, named_users_commit);
}

static void
cl_case_access_init (ClCaseAccess *self)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->named_users_row),
                                 cl_case_field_label ("case", "named_users"));
  g_signal_connect_object (focus, "leave", G_CALLBACK (named_users_commit), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->named_users_row), focus);
}

GtkWidget *
cl_case_access_new (ClCasePage *page)
{
  ClCaseAccess *self = g_object_new (CL_TYPE_CASE_ACCESS, NULL);

  self->page = page;

  return GTK_WIDGET (self);
}
