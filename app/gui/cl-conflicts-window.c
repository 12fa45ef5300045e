/* cl-conflicts-window.c: sync conflicts and refused changes, side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every open conflict (docs/SYNC.md, "Conflicts and their resolution") as a row: the
 * record and field, whether the change that lost was made on this workstation or elsewhere
 * (another of the user's, or a colleague's the user supervises), the server's value
 * ("theirs") beside the one that lost ("mine"), each with who changed it and when, and
 * Keep Theirs, Keep Mine or a new value. Resolving calls cl_sync_resolve(): the vault shows
 * the choice at once and the next round tells the server; when that round finds the choice
 * came too late, a toast says so, and when it was refused, a toast and the row, open
 * again, say so. Below them the changes the server refused
 * for good, with its reason, to redo and dismiss. The lists are short (a handful at a
 * time), so rows are built directly.
 */

#define G_LOG_DOMAIN "cl-conflicts-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cl-gui-util.h"

#include "cl-conflicts-window.h"

struct _ClConflictsWindow
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkStack        *stack;
  GtkWidget       *conflicts_heading;
  GtkListBox      *conflict_list;
  GtkWidget       *rejected_heading;
  GtkListBox      *rejected_list;

  ClContext       *context;
  GPtrArray       *conflicts;  /* (element-type ClConflict) */
  GPtrArray       *rows;       /* (element-type GtkWidget), one per conflict */
  GHashTable      *resolved;   /* conflict id → its title: resolved here, outcome not seen */
  GHashTable      *refused;    /* conflict ids whose choice made here the server refused */
};

G_DEFINE_FINAL_TYPE (ClConflictsWindow, cl_conflicts_window, ADW_TYPE_WINDOW)

static const ClField *
lookup_field (const char *record_type,
              const char *field)
{
  const ClType *type = cl_schema_lookup_type (record_type);

  return type != NULL ? cl_type_lookup_field (type, field) : NULL;
}

static const char *
type_label (const char *record_type)
{
  const ClType *type = cl_schema_lookup_type (record_type);

  return type != NULL ? g_dgettext (GETTEXT_PACKAGE, type->label) : record_type;
}

static const char *
field_label (const char *record_type,
             const char *field)
{
  const ClField *f = lookup_field (record_type, field);

  if (g_strcmp0 (field, "_deleted") == 0)
    return C_("conflict field", "Deleted");
  return f != NULL ? g_dgettext (GETTEXT_PACKAGE, f->label) : field;
}

/* A stored value as the advocate reads it elsewhere in the app. */
static char *
display_value (const char *record_type,
               const char *field,
               const char *value)
{
  const ClField *f = lookup_field (record_type, field);

  if (g_strcmp0 (field, "_deleted") == 0)
    return g_strdup (g_strcmp0 (value, "1") == 0 ? _("Deleted") : _("Kept"));
  if (value == NULL || *value == '\0')
    return g_strdup (_("(empty)"));
  if (f == NULL)
    return g_strdup (value);

  switch (f->kind)
    {
    case CL_FIELD_ENUM:
      return g_strdup (cl_enum_label (f->target, value));
    case CL_FIELD_ENUM_SET:
      return cl_enum_set_label (f->target, value);
    case CL_FIELD_DATE:
      return cl_format_date (value);
    case CL_FIELD_DATETIME:
      return cl_format_datetime (value);
    case CL_FIELD_BOOL:
      return g_strdup (g_strcmp0 (value, "1") == 0 ? _("Yes") : _("No"));
    case CL_FIELD_TEXT:
    case CL_FIELD_INT:
    case CL_FIELD_REF:
    case CL_FIELD_COMMAND:
    default:
      return g_strdup (value);
    }
}

static void
show_toast (ClConflictsWindow *self,
            const char        *text,
            guint              timeout,
            AdwToastPriority   priority)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *t = adw_toast_new (escaped);

  adw_toast_set_timeout (t, timeout);
  adw_toast_set_priority (t, priority);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
toast (ClConflictsWindow *self,
       const char        *text)
{
  show_toast (self, text, 3, ADW_TOAST_PRIORITY_NORMAL);
}

static char *
conflict_title (ClConflict *c)
{
  /* Translators: a record type and one of its fields, e.g. "Client: Phone" */
  return g_strdup_printf (C_("conflict title", "%s: %s"), type_label (c->record_type),
                          field_label (c->record_type, c->field));
}

static ClConflict *
find_conflict (GPtrArray  *conflicts,
               const char *id)
{
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      ClConflict *c = g_ptr_array_index (conflicts, i);

      if (g_strcmp0 (c->id, id) == 0)
        return c;
    }
  return NULL;
}

static void
resolve (ClConflictsWindow *self,
         const char        *conflict_id,
         const char        *keep,
         const char        *value)
{
  g_autoptr(GError) error = NULL;
  ClSync *sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;
  ClConflict *c = find_conflict (self->conflicts, conflict_id);

  if (sync == NULL || c == NULL)
    return;

  if (!cl_sync_resolve (sync, conflict_id, keep, value, &error))
    {
      toast (self, error->message);
      return;
    }
  g_hash_table_replace (self->resolved, g_strdup (conflict_id), conflict_title (c));
  g_hash_table_remove (self->refused, conflict_id);

  toast (self, g_str_equal (keep, "theirs") ? _("Kept the server’s version")
               : g_str_equal (keep, "mine") ? _("Kept your version")
               : _("Saved the new value"));
  cl_conflicts_window_reload (self);
  cl_context_sync_changed (self->context);
  cl_context_sync_now (self->context);
}

static void
keep_clicked_cb (GtkButton         *button,
                 ClConflictsWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "cl-conflict-id");
  const char *keep = g_object_get_data (G_OBJECT (button), "cl-keep");
  GtkEditable *entry = g_object_get_data (G_OBJECT (button), "cl-entry");
  g_autofree char *conflict_id = g_strdup (id);

  if (entry != NULL)
    {
      g_autofree char *value = g_strdup (gtk_editable_get_text (entry));

      resolve (self, conflict_id, keep, value);
    }
  else
    resolve (self, conflict_id, keep, NULL);
}

static void
new_value_changed_cb (GtkEditable *entry,
                      GtkWidget   *button)
{
  gtk_widget_set_sensitive (button, *gtk_editable_get_text (entry) != '\0');
}

/* "Changed by ana, 28/11/2026 at 15:42": who made one side of a conflict, and when. */
static char *
changed_by (const char *by,
            const char *at)
{
  g_autofree char *when = NULL;

  if (by == NULL)
    return g_strdup (_("Who made this change, and when, is not known"));
  if (at == NULL)
    /* Translators: %s is a staff username */
    return g_strdup_printf (_("Changed by %s"), by);
  when = cl_format_datetime (at);
  /* Translators: a staff username and a date and time, e.g. "Changed by ana, 11/28/2026 at 15:42" */
  return g_strdup_printf (_("Changed by %s, %s"), by, when);
}

static GtkWidget *
value_column (const char *heading,
              const char *value,
              const char *by,
              GtkWidget  *button)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (heading);
  GtkWidget *label = gtk_label_new (value);
  GtkWidget *author = gtk_label_new (by);

  gtk_widget_set_hexpand (box, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "caption-heading");
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_vexpand (label, TRUE);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_label_set_xalign (GTK_LABEL (author), 0);
  gtk_label_set_wrap (GTK_LABEL (author), TRUE);
  gtk_widget_add_css_class (author, "caption");
  gtk_widget_add_css_class (author, "dim-label");
  gtk_widget_set_halign (button, GTK_ALIGN_START);

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), author);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static GtkWidget *
keep_button (ClConflictsWindow *self,
             const char        *label,
             const char        *conflict_id,
             const char        *keep)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_object_set_data_full (G_OBJECT (button), "cl-conflict-id", g_strdup (conflict_id), g_free);
  g_object_set_data (G_OBJECT (button), "cl-keep", (gpointer) keep);
  g_signal_connect_object (button, "clicked", G_CALLBACK (keep_clicked_cb), self, 0);
  return button;
}

static GtkWidget *
conflict_row (ClConflictsWindow *self,
              ClConflict        *c)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *title;
  GtkWidget *when;
  GtkWidget *sides;
  GtkWidget *theirs;
  GtkWidget *mine;
  g_autofree char *title_text = conflict_title (c);
  g_autofree char *when_text = NULL;
  g_autofree char *relative = cl_format_relative (c->created_at);
  g_autofree char *server_value = display_value (c->record_type, c->field, c->server_value);
  g_autofree char *local_value = display_value (c->record_type, c->field, c->local_value);
  g_autofree char *server_by = changed_by (c->server_by, c->server_at);
  g_autofree char *local_by = changed_by (c->local_by,
                                          c->local_at != NULL ? c->local_at : c->created_at);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  title = gtk_label_new (title_text);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  when_text = c->elsewhere
              /* Translators: %s is when, e.g. "Today" or "3 days ago" */
              ? g_strdup_printf (_("From another workstation · found %s"), relative)
              /* Translators: %s is when, e.g. "Today" or "3 days ago" */
              : g_strdup_printf (_("From this workstation · found %s"), relative);
  when = gtk_label_new (when_text);
  gtk_label_set_xalign (GTK_LABEL (when), 0);
  gtk_label_set_wrap (GTK_LABEL (when), TRUE);
  gtk_widget_add_css_class (when, "dim-label");
  gtk_box_append (GTK_BOX (box), when);

  if (g_hash_table_contains (self->refused, c->id))
    {
      GtkWidget *refused = gtk_label_new (_("The server did not accept the last choice made "
                                            "here: this record may no longer be yours to "
                                            "change, or the value is not allowed. Choose "
                                            "again."));

      gtk_label_set_xalign (GTK_LABEL (refused), 0);
      gtk_label_set_wrap (GTK_LABEL (refused), TRUE);
      gtk_widget_add_css_class (refused, "warning");
      gtk_box_append (GTK_BOX (box), refused);
    }

  sides = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  gtk_box_set_homogeneous (GTK_BOX (sides), TRUE);
  /* Lost elsewhere, the losing change may be a colleague's: no "mine" and "theirs". */
  theirs = keep_button (self, c->elsewhere ? _("Keep _Server Value") : _("Keep _Theirs"), c->id,
                        "theirs");
  mine = keep_button (self, c->elsewhere ? _("_Apply This Change") : _("Keep _Mine"), c->id,
                      "mine");
  gtk_box_append (GTK_BOX (sides),
                  value_column (c->elsewhere ? _("On the Server") : _("On the Server (Theirs)"),
                                server_value, server_by, theirs));
  gtk_box_append (GTK_BOX (sides),
                  value_column (c->elsewhere ? _("Not Applied")
                                             : _("On This Workstation (Mine)"),
                                local_value, local_by, mine));
  gtk_box_append (GTK_BOX (box), sides);
  g_object_set_data (G_OBJECT (row), "cl-theirs", theirs);
  g_object_set_data (G_OBJECT (row), "cl-mine", mine);

  /* A deletion is kept or done, never given a value. */
  if (g_strcmp0 (c->field, "_deleted") != 0)
    {
      GtkWidget *other = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *entry = gtk_entry_new ();
      GtkWidget *use = keep_button (self, _("_Use New Value"), c->id, "value");

      gtk_widget_set_hexpand (entry, TRUE);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Or type a new value"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("New value"),
                                      -1);
      gtk_widget_set_sensitive (use, FALSE);
      g_object_set_data (G_OBJECT (use), "cl-entry", entry);
      g_signal_connect (entry, "changed", G_CALLBACK (new_value_changed_cb), use);
      gtk_box_append (GTK_BOX (other), entry);
      gtk_box_append (GTK_BOX (other), use);
      gtk_box_append (GTK_BOX (box), other);
      g_object_set_data (G_OBJECT (row), "cl-value", use);
      g_object_set_data (G_OBJECT (row), "cl-entry", entry);
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

/* Runs @op (discard or retry) on the refused change @id and shows the list again. */
static void
act_on_rejected (ClConflictsWindow *self,
                 const char        *id,
                 gboolean         (*op) (ClSync *, const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  ClSync *sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;

  if (sync == NULL)
    return;
  if (!op (sync, id, &error))
    toast (self, error->message);
  cl_conflicts_window_reload (self);
  cl_context_sync_changed (self->context);
}

static void
discard_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     ClConflictsWindow *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    act_on_rejected (self, g_object_get_data (G_OBJECT (dialog), "cl-mutation-id"),
                     cl_sync_discard_rejected);
}

static void
discard_clicked_cb (GtkButton         *button,
                    ClConflictsWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard This Change?"),
                                              _("The record shows again what the server "
                                                "holds. The change cannot be brought back."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "discard", _("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "cl-mutation-id",
                          g_strdup (g_object_get_data (G_OBJECT (button), "cl-mutation-id")),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
retry_clicked_cb (GtkButton         *button,
                  ClConflictsWindow *self)
{
  g_autofree char *id = g_strdup (g_object_get_data (G_OBJECT (button), "cl-mutation-id"));

  act_on_rejected (self, id, cl_sync_retry_rejected);
}

static char *
rejected_fields (ClRejected *r)
{
  g_autoptr(JsonObject) changes = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  /* A refused delete reads as a conflict on a delete does. */
  if (g_strcmp0 (r->op, "delete") == 0)
    return g_strdup (field_label (r->record_type, "_deleted"));
  changes = cl_rejected_parse_changes (r);
  members = json_object_get_members (changes);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (out->len > 0)
        g_string_append (out, _(", "));
      g_string_append (out, field_label (r->record_type, l->data));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A button of a refused change's row, kept on the row as "cl-@name"; it carries the
 * change's id. */
static void
rejected_button (ClConflictsWindow *self,
                 GtkWidget         *row,
                 const char        *name,
                 const char        *label,
                 const char        *tooltip,
                 const char        *mutation_id,
                 GCallback          clicked)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "cl-mutation-id", g_strdup (mutation_id), g_free);
  g_signal_connect_object (button, "clicked", clicked, self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data (G_OBJECT (row), name, button);
}

static GtkWidget *
rejected_row (ClConflictsWindow *self,
              ClRejected        *r)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *fields = rejected_fields (r);
  g_autofree char *relative = cl_format_relative (r->at);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  /* Translators: a record type and the fields of a refused change, e.g. "Case: Status" */
  title = g_strdup_printf (C_("rejected title", "%s: %s"), type_label (r->record_type), fields);
  /* Translators: the server's reason (in English), its code, and when */
  subtitle = g_strdup_printf (_("Refused %s: %s (%s)"), relative,
                              r->reason != NULL ? r->reason : "", r->code);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  rejected_button (self, row, "cl-retry", _("_Retry"),
                   _("Send this change again at the next sync"), r->mutation_id,
                   G_CALLBACK (retry_clicked_cb));
  rejected_button (self, row, "cl-discard", _("_Discard"),
                   _("Give up this change and show what the server holds"), r->mutation_id,
                   G_CALLBACK (discard_clicked_cb));
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/**
 * cl_conflicts_window_reload:
 *
 * Reads the open conflicts and refused changes again.
 */
void
cl_conflicts_window_reload (ClConflictsWindow *self)
{
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GError) error = NULL;
  ClSync *sync;

  g_return_if_fail (CL_IS_CONFLICTS_WINDOW (self));

  clear_list (self->conflict_list);
  clear_list (self->rejected_list);
  g_ptr_array_set_size (self->rows, 0);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);

  sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;
  if (sync != NULL)
    {
      self->conflicts = cl_sync_list_conflicts (sync, TRUE, &error);
      if (self->conflicts == NULL)
        g_debug ("Could not list conflicts: %s", error->message);
      g_clear_error (&error);
      rejected = cl_sync_list_rejected (sync, &error);
      if (rejected == NULL)
        g_debug ("Could not list refused changes: %s", error->message);
    }

  for (guint i = 0; self->conflicts != NULL && i < self->conflicts->len; i++)
    {
      GtkWidget *row = conflict_row (self, g_ptr_array_index (self->conflicts, i));

      gtk_list_box_append (self->conflict_list, row);
      g_ptr_array_add (self->rows, row);
    }
  for (guint i = 0; rejected != NULL && i < rejected->len; i++)
    gtk_list_box_append (self->rejected_list, rejected_row (self, g_ptr_array_index (rejected, i)));

  /* How many wait, however long the list: a supervisor's can hold thousands. */
  if (self->rows->len > 0)
    {
      g_autofree char *count = g_strdup_printf (ngettext ("%u conflict waits for a decision",
                                                          "%u conflicts wait for a decision",
                                                          self->rows->len), self->rows->len);
      adw_window_title_set_subtitle (self->window_title, count);
    }
  else
    adw_window_title_set_subtitle (self->window_title, "");
  gtk_widget_set_visible (self->conflicts_heading, self->rows->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->conflict_list), self->rows->len > 0);
  gtk_widget_set_visible (self->rejected_heading, rejected != NULL && rejected->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->rejected_list), rejected != NULL && rejected->len > 0);
  gtk_stack_set_visible_child_name (self->stack,
                                    self->rows->len > 0 || (rejected != NULL && rejected->len > 0)
                                    ? "list" : "empty");
}

/* Whether the open conflicts in the vault are the ones shown. */
static gboolean
same_conflicts (GPtrArray *a,
                GPtrArray *b)
{
  guint na = a != NULL ? a->len : 0;
  guint nb = b != NULL ? b->len : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    {
      ClConflict *ca = g_ptr_array_index (a, i);
      ClConflict *cb = g_ptr_array_index (b, i);

      if (g_strcmp0 (ca->id, cb->id) != 0 || g_strcmp0 (ca->server_by, cb->server_by) != 0 ||
          g_strcmp0 (ca->local_by, cb->local_by) != 0)
        return FALSE;
    }
  return TRUE;
}

/* After a round: say what became of the choices made here that the server had not seen,
 * and show conflicts fetched or closed meanwhile (without rebuilding the rows, and losing
 * a half-typed value, when nothing changed). */
static void
sync_finished_cb (ClConflictsWindow *self,
                  const GError      *error)
{
  ClSync *sync = cl_context_get_sync (self->context);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) open = NULL;
  GHashTableIter iter;
  gpointer id, title;

  if (sync == NULL || (all = cl_sync_list_conflicts (sync, FALSE, NULL)) == NULL)
    return;

  g_hash_table_iter_init (&iter, self->resolved);
  while (g_hash_table_iter_next (&iter, &id, &title))
    {
      ClConflict *c = find_conflict (all, id);
      g_autofree char *text = NULL;

      if (c != NULL && c->resolved_at == NULL)
        {
          /* Translators: %s is a record type and field, e.g. "Case: Status" */
          text = g_strdup_printf (_("Your choice for “%s” was not accepted"),
                                  (const char *) title);
          g_hash_table_add (self->refused, g_strdup (id));
        }
      else if (c != NULL && g_strcmp0 (c->resolution, "elsewhere") == 0)
        /* Translators: %s is a record type and field, e.g. "Case: Status" */
        text = g_strdup_printf (_("Someone else resolved “%s” first; their choice stands"),
                                (const char *) title);
      else if (c != NULL && g_strcmp0 (c->resolution, "renewed") == 0)
        /* Translators: %s is a record type and field, e.g. "Case: Status" */
        text = g_strdup_printf (_("“%s” changed again meanwhile; nothing was overwritten, and "
                                  "both values wait in a new conflict"), (const char *) title);
      else if (c != NULL && error != NULL)
        continue;  /* not sent yet: the next round tells */
      /* What became of a choice matters more than that it was made: shown at once, longer. */
      if (text != NULL)
        show_toast (self, text, 8, ADW_TOAST_PRIORITY_HIGH);
      g_hash_table_iter_remove (&iter);
    }

  open = cl_sync_list_conflicts (sync, TRUE, NULL);
  if (!same_conflicts (open, self->conflicts))
    cl_conflicts_window_reload (self);
}

static void
cl_conflicts_window_dispose (GObject *object)
{
  ClConflictsWindow *self = (ClConflictsWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_CONFLICTS_WINDOW);
  g_clear_object (&self->context);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->resolved, g_hash_table_unref);
  g_clear_pointer (&self->refused, g_hash_table_unref);

  G_OBJECT_CLASS (cl_conflicts_window_parent_class)->dispose (object);
}

static void
cl_conflicts_window_class_init (ClConflictsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_conflicts_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-conflicts-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, conflicts_heading);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, conflict_list);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, rejected_heading);
  gtk_widget_class_bind_template_child (widget_class, ClConflictsWindow, rejected_list);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cl_conflicts_window_init (ClConflictsWindow *self)
{
  self->rows = g_ptr_array_new ();
  self->resolved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cl_conflicts_window_new:
 *
 * Returns: (transfer none): a new window listing the open conflicts, transient for @parent
 */
ClConflictsWindow *
cl_conflicts_window_new (GtkWindow *parent,
                         ClContext *context)
{
  ClConflictsWindow *self;

  g_return_val_if_fail (CL_IS_CONTEXT (context), NULL);

  self = g_object_new (CL_TYPE_CONFLICTS_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->context = g_object_ref (context);
  g_signal_connect_object (context, "locking", G_CALLBACK (gtk_window_destroy), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "sync-finished", G_CALLBACK (sync_finished_cb), self,
                           G_CONNECT_SWAPPED);
  cl_conflicts_window_reload (self);
  return self;
}

guint
cl_conflicts_window_get_n_conflicts (ClConflictsWindow *self)
{
  g_return_val_if_fail (CL_IS_CONFLICTS_WINDOW (self), 0);

  return self->rows->len;
}

const char *
cl_conflicts_window_get_conflict_id (ClConflictsWindow *self,
                                     guint              position)
{
  g_return_val_if_fail (CL_IS_CONFLICTS_WINDOW (self), NULL);
  g_return_val_if_fail (self->conflicts != NULL && position < self->conflicts->len, NULL);

  return ((ClConflict *) g_ptr_array_index (self->conflicts, position))->id;
}

/**
 * cl_conflicts_window_get_button:
 * @keep: "theirs", "mine" or "value"
 *
 * Returns: (transfer none) (nullable): the button of a row that keeps @keep
 */
GtkButton *
cl_conflicts_window_get_button (ClConflictsWindow *self,
                                guint              position,
                                const char        *keep)
{
  g_autofree char *key = g_strconcat ("cl-", keep, NULL);

  g_return_val_if_fail (CL_IS_CONFLICTS_WINDOW (self), NULL);
  g_return_val_if_fail (position < self->rows->len, NULL);

  return g_object_get_data (g_ptr_array_index (self->rows, position), key);
}

/**
 * cl_conflicts_window_get_rejected_button:
 * @action: "retry" or "discard"
 *
 * Returns: (transfer none) (nullable): that button of the refused change at @position
 */
GtkButton *
cl_conflicts_window_get_rejected_button (ClConflictsWindow *self,
                                         guint              position,
                                         const char        *action)
{
  g_autofree char *key = g_strconcat ("cl-", action, NULL);
  GtkListBoxRow *row;

  g_return_val_if_fail (CL_IS_CONFLICTS_WINDOW (self), NULL);

  row = gtk_list_box_get_row_at_index (self->rejected_list, (int) position);
  return row != NULL ? g_object_get_data (G_OBJECT (row), key) : NULL;
}
