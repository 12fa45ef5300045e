/* cl-record-form.c: a preferences group of rows editing some fields of one record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows come from the schema (common/cl-schema.h): an entry row for text, numbers and
 * dates (with a calendar for dates), a combo row for an enumeration or a command, a switch
 * for a yes/no field and an expander of check buttons for a set of codes.
 *
 * With autosave, a row commits when the advocate presses Enter, clicks its apply button,
 * moves the focus elsewhere, or when cl_record_form_flush() is called (before the view
 * changes or the vault locks); a committed value that differs from the saved one is emitted
 * as ::field-changed for the owner to store. Without autosave the form only collects values
 * (cl_record_form_collect()) for a record about to be created.
 *
 * What a new record's form shows can be kept as typed (cl_record_form_dup_input()) and shown
 * again (cl_record_form_set_input()): the window keeps it in the vault when the vault locks
 * before the record was added. When the form goes away it empties its entries first, with
 * their undo history turned off: GtkEntryBuffer wipes the memory that held the text, and no
 * undo step keeps a copy.
 */

#define G_LOG_DOMAIN "cl-record-form"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cl-command-row.h"
#include "cl-date.h"
#include "cl-gui-util.h"
#include "cl-l10n.h"
#include "cl-record-form.h"

typedef struct {
  ClRecordForm  *form;
  const ClField *field;
  GtkWidget     *row;
  GtkWidget     *toggle;      /* GtkSwitch of a yes/no field */
  GtkWidget     *calendar;    /* GtkCalendar of a date field */
  GtkWidget     *popover;
  GPtrArray     *checks;      /* GtkCheckButton per code of a set */
  char          *saved;       /* the value last loaded or committed */
  char          *shown;       /* what the row showed then, as row_raw_value() reads it */
  guint          has_unset : 1;
  guint          read_only : 1;
} FieldRow;

struct _ClRecordForm
{
  AdwPreferencesGroup  parent_instance;

  const ClType        *type;
  ClRecord            *record;
  GPtrArray           *rows;
  GtkStringList       *command_codes;
  GtkStringList       *command_labels;
  guint                loading;
  guint                autosave : 1;
  guint                unchosen : 1;
  guint                modified : 1;
  guint                wiped : 1;
};

G_DEFINE_FINAL_TYPE (ClRecordForm, cl_record_form, ADW_TYPE_PREFERENCES_GROUP)

enum {
  FIELD_CHANGED,
  INPUT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void commit_row (FieldRow *fr);

static void
field_row_free (FieldRow *fr)
{
  g_clear_pointer (&fr->checks, g_ptr_array_unref);
  g_clear_pointer (&fr->saved, g_free);
  g_clear_pointer (&fr->shown, g_free);
  g_free (fr);
}

static FieldRow *
find_row (ClRecordForm *self,
          const char   *field)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (fr->field->name, field) == 0)
        return fr;
    }

  return NULL;
}

static const char *
field_label (const ClField *field)
{
  return g_dgettext (GETTEXT_PACKAGE, field->label);
}

/* The value a row shows, as typed (not yet normalized). */
static char *
row_raw_value (FieldRow *fr)
{
  if (fr->read_only)
    return g_strdup (fr->saved);

  switch (fr->field->kind)
    {
    case CL_FIELD_ENUM:
      {
        guint pos = adw_combo_row_get_selected (ADW_COMBO_ROW (fr->row));
        return g_strdup (cl_enum_code_at (fr->field->target, pos, fr->has_unset));
      }

    case CL_FIELD_COMMAND:
      if (CL_IS_COMMAND_ROW (fr->row))
        return g_strdup (cl_command_row_get_code (CL_COMMAND_ROW (fr->row)));
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (fr->row)));

    case CL_FIELD_BOOL:
      return g_strdup (gtk_switch_get_active (GTK_SWITCH (fr->toggle)) ? "1" : "0");

    case CL_FIELD_ENUM_SET:
      {
        const ClEnum *e = cl_schema_lookup_enum (fr->field->target);
        GString *out = g_string_new (NULL);

        for (guint i = 0; i < fr->checks->len; i++)
          if (gtk_check_button_get_active (g_ptr_array_index (fr->checks, i)))
            {
              if (out->len > 0)
                g_string_append_c (out, ';');
              g_string_append (out, e->values[i].code);
            }

        return g_string_free (out, FALSE);
      }

    case CL_FIELD_DATE:
    case CL_FIELD_DATETIME:
      if (!fr->read_only)
        {
          /* Typed in the locale's format (or ISO): stored as ISO. What cannot be read is
           * returned as typed, for the field's check to refuse. */
          const char *text = gtk_editable_get_text (GTK_EDITABLE (fr->row));
          char *value = fr->field->kind == CL_FIELD_DATE
                        ? cl_date_parse_to_iso (text) : cl_datetime_parse_to_utc (text, NULL);

          return value != NULL ? value : g_strdup (text);
        }
      return g_strdup (fr->saved);

    case CL_FIELD_TEXT:
    case CL_FIELD_INT:
    case CL_FIELD_REF:
    default:
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (fr->row)));
    }
}

static void
show_row_value (FieldRow   *fr,
                const char *value)
{
  ClRecordForm *self = fr->form;

  self->loading++;

  if (fr->read_only)
    {
      g_autofree char *shown = NULL;

      if (fr->field->kind == CL_FIELD_DATE)
        shown = cl_format_date (value);
      else if (fr->field->kind == CL_FIELD_DATETIME)
        shown = cl_format_datetime (value);
      else if (fr->field->kind == CL_FIELD_ENUM)
        shown = g_strdup (cl_enum_label (fr->field->target, value));
      else if (fr->field->kind == CL_FIELD_ENUM_SET)
        shown = cl_enum_set_label (fr->field->target, value);
      else if (fr->field->kind == CL_FIELD_BOOL)
        shown = g_strdup (value == NULL ? "" : g_strcmp0 (value, "1") == 0 ? _("Yes") : _("No"));
      else
        shown = g_strdup (value != NULL ? value : "");

      adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), shown);
      self->loading--;
      return;
    }

  switch (fr->field->kind)
    {
    case CL_FIELD_ENUM:
      {
        guint pos = cl_enum_position (fr->field->target, value, fr->has_unset);
        adw_combo_row_set_selected (ADW_COMBO_ROW (fr->row),
                                    pos == GTK_INVALID_LIST_POSITION ? 0 : pos);
      }
      break;

    case CL_FIELD_COMMAND:
      if (CL_IS_COMMAND_ROW (fr->row))
        cl_command_row_set_code (CL_COMMAND_ROW (fr->row), value);
      else
        gtk_editable_set_text (GTK_EDITABLE (fr->row), value != NULL ? value : "");
      break;

    case CL_FIELD_BOOL:
      gtk_switch_set_active (GTK_SWITCH (fr->toggle), g_strcmp0 (value, "1") == 0);
      break;

    case CL_FIELD_ENUM_SET:
      {
        const ClEnum *e = cl_schema_lookup_enum (fr->field->target);
        g_auto(GStrv) codes = g_strsplit (value != NULL ? value : "", ";", -1);
        g_autofree char *labels = cl_enum_set_label (fr->field->target, value);

        for (guint i = 0; i < fr->checks->len; i++)
          gtk_check_button_set_active (g_ptr_array_index (fr->checks, i),
                                       g_strv_contains ((const char * const *) codes,
                                                        e->values[i].code));
        adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (fr->row), labels);
      }
      break;

    case CL_FIELD_DATETIME:
      {
        g_autofree char *local = value != NULL ? cl_datetime_format_local (value, NULL) : NULL;
        gtk_editable_set_text (GTK_EDITABLE (fr->row), local != NULL ? local : "");
      }
      break;

    case CL_FIELD_DATE:
      {
        g_autofree char *local = cl_date_format_iso (value);
        gtk_editable_set_text (GTK_EDITABLE (fr->row), local);
      }
      break;

    case CL_FIELD_TEXT:
    case CL_FIELD_INT:
    case CL_FIELD_REF:
    default:
      gtk_editable_set_text (GTK_EDITABLE (fr->row), value != NULL ? value : "");
      break;
    }

  gtk_widget_remove_css_class (fr->row, "error");

  g_free (fr->shown);
  fr->shown = row_raw_value (fr);

  self->loading--;
}

static char *
describe_invalid (FieldRow     *fr,
                  const GError *error)
{
  const char *label = field_label (fr->field);

  switch (fr->field->kind)
    {
    case CL_FIELD_DATE:
      {
        g_autofree char *today = cl_today ();
        g_autofree char *example = cl_date_format_iso (today);

        /* Translators: the first %s is a field name such as "Due", the second today's date
         * as the user's locale writes it */
        return g_strdup_printf (_("%s: write a date such as %s"), label, example);
      }

    case CL_FIELD_DATETIME:
      {
        g_autofree char *now = cl_now_utc ();
        g_autofree char *example = cl_datetime_format_local (now, NULL);

        /* Translators: the first %s is a field name such as "Received", the second the
         * present date and time as the user's locale writes them */
        return g_strdup_printf (_("%s: write a date and time such as %s"), label, example);
      }

    case CL_FIELD_INT:
      /* Translators: %s is a field name such as "Duration (minutes)" */
      return g_strdup_printf (_("%s: write a whole number"), label);

    case CL_FIELD_COMMAND:
      /* Translators: %s is a field name such as "Command" */
      return g_strdup_printf (_("%s: write a command code such as 14 or PSA 2"), label);

    case CL_FIELD_TEXT:
    case CL_FIELD_ENUM:
    case CL_FIELD_ENUM_SET:
    case CL_FIELD_BOOL:
    case CL_FIELD_REF:
    default:
      return g_strdup (error->message);
    }
}

/**
 * cl_record_form_check_when:
 * @type: a record type
 * @field: one of its fields
 * @value: (nullable): a normalized value of @field
 *
 * When a contact, a note or a disclosure happened is now or before: it can be back-dated,
 * never dated ahead.
 *
 * Returns: whether @value may be saved; else sets @error
 */
gboolean
cl_record_form_check_when (const char  *type,
                           const char  *field,
                           const char  *value,
                           GError     **error)
{
  static const char * const past_types[] = { "contact", "note", "disclosure", NULL };
  g_autofree char *now = NULL;

  if (value == NULL || g_strcmp0 (field, "at") != 0 ||
      !g_strv_contains (past_types, type))
    return TRUE;

  now = cl_now_utc ();
  if (strcmp (value, now) <= 0)
    return TRUE;

  g_set_error_literal (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE,
                       _("“When” can’t be in the future"));
  return FALSE;
}

/* Normalizes the row's value; on error marks the row and returns FALSE. */
static gboolean
normalize_row (FieldRow  *fr,
               char     **out_value,
               GError   **error)
{
  g_autofree char *raw = row_raw_value (fr);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = cl_field_normalize (fr->field, raw, &local_error);

  if (local_error != NULL)
    {
      g_autofree char *message = describe_invalid (fr, local_error);

      gtk_widget_add_css_class (fr->row, "error");
      gtk_widget_set_tooltip_text (fr->row, message);
      g_set_error_literal (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_INVALID_VALUE, message);
      return FALSE;
    }

  if (value == NULL && (fr->field->flags & CL_FIELD_REQUIRED) != 0)
    {
      /* Translators: %s is a field name such as "Title" */
      g_autofree char *message = g_strdup_printf (_("%s is required"), field_label (fr->field));

      gtk_widget_add_css_class (fr->row, "error");
      gtk_widget_set_tooltip_text (fr->row, message);
      g_set_error_literal (error, CL_SCHEMA_ERROR, CL_SCHEMA_ERROR_REQUIRED, message);
      return FALSE;
    }

  if (!cl_record_form_check_when (fr->form->type->name, fr->field->name, value, &local_error))
    {
      gtk_widget_add_css_class (fr->row, "error");
      gtk_widget_set_tooltip_text (fr->row, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  gtk_widget_remove_css_class (fr->row, "error");
  gtk_widget_set_tooltip_text (fr->row, NULL);
  *out_value = g_steal_pointer (&value);

  return TRUE;
}

static void
commit_row (FieldRow *fr)
{
  ClRecordForm *self = fr->form;
  g_autofree char *raw = NULL;
  g_autofree char *value = NULL;
  g_autofree char *old = NULL;

  if (self->loading > 0 || fr->read_only || !self->autosave || self->record == NULL)
    return;

  /* Only what a person changed: a row still showing what it was filled with commits
   * nothing, even where the widget cannot hold the value exactly (a date and time shown to
   * the minute). */
  raw = row_raw_value (fr);
  if (g_strcmp0 (raw, fr->shown) == 0)
    return;

  if (!normalize_row (fr, &value, NULL))
    return;

  /* An unset yes/no field shows as "no": not a change. */
  if (g_strcmp0 (value, fr->saved) == 0 ||
      (fr->field->kind == CL_FIELD_BOOL && fr->saved == NULL && g_strcmp0 (value, "0") == 0))
    return;

  old = g_steal_pointer (&fr->saved);
  fr->saved = g_strdup (value);
  g_free (fr->shown);
  fr->shown = g_steal_pointer (&raw);

  if (fr->field->kind == CL_FIELD_ENUM_SET)
    {
      g_autofree char *labels = cl_enum_set_label (fr->field->target, value);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (fr->row), labels);
    }

  g_signal_emit (self, signals[FIELD_CHANGED], 0, fr->field->name, old, value);
}

static void
input_changed (FieldRow *fr)
{
  if (fr->form->loading > 0)
    return;

  fr->form->modified = TRUE;
  gtk_widget_remove_css_class (fr->row, "error");
  g_signal_emit (fr->form, signals[INPUT_CHANGED], 0);
}

static void
entry_changed_cb (GtkEditable *editable,
                  FieldRow    *fr)
{
  input_changed (fr);
}

static void
entry_commit_cb (GtkWidget *row,
                 FieldRow  *fr)
{
  commit_row (fr);
}

/* Enter in a new record's form adds it: the dialog's default button. */
static void
entry_activated_cb (GtkWidget *row,
                    FieldRow  *fr)
{
  GtkRoot *root = gtk_widget_get_root (row);
  GtkWidget *button = GTK_IS_WINDOW (root) ? gtk_window_get_default_widget (GTK_WINDOW (root))
                                           : NULL;

  if (fr->form->autosave || button == NULL)
    commit_row (fr);
  else
    gtk_widget_activate (button);
}

static void
focus_leave_cb (GtkEventControllerFocus *controller,
                FieldRow                *fr)
{
  commit_row (fr);
}

static void
selected_cb (GObject    *object,
             GParamSpec *pspec,
             FieldRow   *fr)
{
  input_changed (fr);
  commit_row (fr);
}

static void
switch_cb (GObject    *object,
           GParamSpec *pspec,
           FieldRow   *fr)
{
  input_changed (fr);
  commit_row (fr);
}

static void
check_toggled_cb (GtkCheckButton *check,
                  FieldRow       *fr)
{
  input_changed (fr);
  commit_row (fr);
}

static void
day_selected_cb (GtkCalendar *calendar,
                 FieldRow    *fr)
{
  g_autoptr(GDateTime) picked = gtk_calendar_get_date (calendar);
  g_autofree char *text = NULL;
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (picked), g_date_time_get_month (picked),
                  g_date_time_get_year (picked));
  text = cl_date_format (&date);

  gtk_editable_set_text (GTK_EDITABLE (fr->row), text);
  gtk_popover_popdown (GTK_POPOVER (fr->popover));
  commit_row (fr);
}

static void
popover_show_cb (GtkPopover *popover,
                 FieldRow   *fr)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (fr->row));
  g_autoptr(GDateTime) date = NULL;
  GDate typed;

  /* The calendar opens on the date typed, else on today. */
  if (cl_date_parse (text, &typed))
    date = g_date_time_new_local (g_date_get_year (&typed), g_date_get_month (&typed),
                                  g_date_get_day (&typed), 0, 0, 0);
  else
    date = g_date_time_new_now_local ();

  g_signal_handlers_block_by_func (fr->calendar, day_selected_cb, fr);
  gtk_calendar_select_day (GTK_CALENDAR (fr->calendar), date);
  g_signal_handlers_unblock_by_func (fr->calendar, day_selected_cb, fr);
}

static GtkWidget *
create_entry_row (FieldRow *fr)
{
  GtkWidget *row = adw_entry_row_new ();
  GtkEventController *focus;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (fr->field));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), fr->form->autosave);

  g_signal_connect (row, "changed", G_CALLBACK (entry_changed_cb), fr);
  g_signal_connect (row, "apply", G_CALLBACK (entry_commit_cb), fr);
  g_signal_connect (row, "entry-activated", G_CALLBACK (entry_activated_cb), fr);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), fr);
  gtk_widget_add_controller (row, focus);

  if (fr->field->kind == CL_FIELD_INT)
    adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_DIGITS);
  if (cl_l10n_field_is_ltr (fr->field))
    cl_editable_set_ltr (GTK_EDITABLE (row));

  if (fr->field->kind == CL_FIELD_DATE)
    {
      GtkWidget *button = gtk_menu_button_new ();

      fr->calendar = gtk_calendar_new ();
      fr->popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (fr->popover), fr->calendar);
      gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), fr->popover);
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      cl_widget_set_label (button, _("Pick a Date"));
      g_signal_connect (fr->calendar, "day-selected", G_CALLBACK (day_selected_cb), fr);
      g_signal_connect (fr->popover, "show", G_CALLBACK (popover_show_cb), fr);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
    }

  return row;
}

static GtkWidget *
create_row (FieldRow *fr)
{
  ClRecordForm *self = fr->form;
  const ClField *field = fr->field;
  GtkWidget *row;

  if (fr->read_only)
    {
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (field));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_add_css_class (row, "property");
      /* Nothing to do there: Tab passes it by. */
      gtk_widget_set_focusable (row, FALSE);
      return row;
    }

  switch (field->kind)
    {
    case CL_FIELD_ENUM:
      {
        g_autoptr(GtkStringList) labels = NULL;

        /* A new record's required choice starts unchosen: a careless Add records no
         * default the advocate did not pick. */
        fr->has_unset = (field->flags & CL_FIELD_REQUIRED) == 0 || self->unchosen;
        labels = cl_enum_string_list_new (field->target,
                                          !fr->has_unset ? NULL
                                          : (field->flags & CL_FIELD_REQUIRED) != 0
                                            ? C_("value", "Choose…")
                                            : C_("value", "Not set"));
        row = adw_combo_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (field));
        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
        g_signal_connect (row, "notify::selected", G_CALLBACK (selected_cb), fr);
      }
      return row;

    case CL_FIELD_COMMAND:
      if (self->command_labels != NULL)
        {
          fr->has_unset = TRUE;
          row = cl_command_row_new (self->command_codes, self->command_labels);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (field));
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          g_signal_connect (row, "notify::code", G_CALLBACK (selected_cb), fr);
          return row;
        }
      return create_entry_row (fr);

    case CL_FIELD_BOOL:
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (field));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      fr->toggle = gtk_switch_new ();
      gtk_widget_set_valign (fr->toggle, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), fr->toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), fr->toggle);
      g_signal_connect (fr->toggle, "notify::active", G_CALLBACK (switch_cb), fr);
      return row;

    case CL_FIELD_ENUM_SET:
      {
        const ClEnum *e = cl_schema_lookup_enum (field->target);

        row = adw_expander_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field_label (field));
        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        fr->checks = g_ptr_array_new ();

        for (guint i = 0; i < e->n_values; i++)
          {
            GtkWidget *item = adw_action_row_new ();
            GtkWidget *check = gtk_check_button_new ();

            adw_preferences_row_set_title (ADW_PREFERENCES_ROW (item),
                                           g_dgettext (GETTEXT_PACKAGE, e->values[i].label));
            adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (item), FALSE);
            gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
            adw_action_row_add_prefix (ADW_ACTION_ROW (item), check);
            adw_action_row_set_activatable_widget (ADW_ACTION_ROW (item), check);
            g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), fr);
            g_ptr_array_add (fr->checks, check);
            adw_expander_row_add_row (ADW_EXPANDER_ROW (row), item);
          }
      }
      return row;

    case CL_FIELD_TEXT:
    case CL_FIELD_DATE:
    case CL_FIELD_DATETIME:
    case CL_FIELD_INT:
    case CL_FIELD_REF:
    default:
      return create_entry_row (fr);
    }
}

/* Empties every entry without committing anything. With undo off first, no undo step
 * keeps a copy of the text, and the entry buffer wipes the memory it held. */
static void
wipe_rows (ClRecordForm *self)
{
  self->loading++;

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (fr->row != NULL && GTK_IS_EDITABLE (fr->row))
        {
          gtk_editable_set_enable_undo (GTK_EDITABLE (fr->row), FALSE);
          gtk_editable_set_text (GTK_EDITABLE (fr->row), "");
        }
    }

  self->loading--;
}

static void
cl_record_form_dispose (GObject *object)
{
  ClRecordForm *self = (ClRecordForm *)object;

  /* Forget the record first: nothing emptied here may be committed. */
  g_clear_object (&self->record);
  if (!self->wiped)
    {
      self->wiped = TRUE;
      wipe_rows (self);
    }
  g_clear_object (&self->command_codes);
  g_clear_object (&self->command_labels);

  G_OBJECT_CLASS (cl_record_form_parent_class)->dispose (object);
}

static void
cl_record_form_finalize (GObject *object)
{
  ClRecordForm *self = (ClRecordForm *)object;

  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (cl_record_form_parent_class)->finalize (object);
}

static void
cl_record_form_class_init (ClRecordFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_record_form_dispose;
  object_class->finalize = cl_record_form_finalize;

  /**
   * ClRecordForm::field-changed:
   * @field: the field's name
   * @old_value: (nullable): the value before
   * @new_value: (nullable): the new, normalized value
   *
   * Emitted in autosave mode when the advocate commits a new value.
   */
  signals[FIELD_CHANGED] =
    g_signal_new ("field-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * ClRecordForm::input-changed:
   *
   * Emitted on every edit, committed or not.
   */
  signals[INPUT_CHANGED] =
    g_signal_new ("input-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cl_record_form_init (ClRecordForm *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) field_row_free);
}

/**
 * cl_record_form_new:
 * @type_name: a record type of the schema
 * @fields: the fields to show, in order
 * @autosave: whether committed edits are emitted as ::field-changed
 *
 * Returns: (transfer floating): a new form
 */
ClRecordForm *
cl_record_form_new (const char         *type_name,
                    const char * const *fields,
                    gboolean            autosave)
{
  ClRecordForm *self;

  g_return_val_if_fail (type_name != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  self = g_object_new (CL_TYPE_RECORD_FORM, NULL);
  self->type = cl_schema_lookup_type (type_name);
  self->autosave = !!autosave;

  g_return_val_if_fail (self->type != NULL, self);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      const ClField *field = cl_type_lookup_field (self->type, fields[i]);
      FieldRow *fr;

      if (field == NULL)
        {
          g_critical ("No field %s in %s", fields[i], type_name);
          continue;
        }

      fr = g_new0 (FieldRow, 1);
      fr->form = self;
      fr->field = field;
      fr->read_only = (field->flags & CL_FIELD_DERIVED) != 0 ||
                      (autosave && (field->flags & CL_FIELD_IMMUTABLE) != 0);
      g_ptr_array_add (self->rows, fr);
    }

  return self;
}

/**
 * cl_record_form_set_read_only:
 *
 * Shows every field as text, for a record that is not edited (an append-only one). Call
 * before the first cl_record_form_set_record().
 */
void
cl_record_form_set_read_only (ClRecordForm *self)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      g_return_if_fail (fr->row == NULL);
      fr->read_only = TRUE;
    }
}

/**
 * cl_record_form_set_unchosen:
 *
 * Lets a new record's required choices start unchosen ("Choose…"), so that a careless Add
 * records no default the advocate did not pick. Call before the first
 * cl_record_form_set_record().
 */
void
cl_record_form_set_unchosen (ClRecordForm *self)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));
  g_return_if_fail (!self->autosave);

  self->unchosen = TRUE;
}

const char *
cl_record_form_get_type_name (ClRecordForm *self)
{
  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  return self->type->name;
}

static void
ensure_rows (ClRecordForm *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (fr->row == NULL)
        {
          fr->row = create_row (fr);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), fr->row);
          show_row_value (fr, fr->saved);
        }
    }
}

/**
 * cl_record_form_set_commands:
 * @codes: the command codes
 * @labels: their names, in the same order
 *
 * Lets command fields offer the known commands. Call before the form is shown.
 */
void
cl_record_form_set_commands (ClRecordForm  *self,
                             GtkStringList *codes,
                             GtkStringList *labels)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));
  g_return_if_fail (GTK_IS_STRING_LIST (codes));
  g_return_if_fail (GTK_IS_STRING_LIST (labels));

  g_set_object (&self->command_codes, codes);
  g_set_object (&self->command_labels, labels);
}

/**
 * cl_record_form_set_record:
 * @record: (nullable): the record to show, or %NULL to empty the form
 */
void
cl_record_form_set_record (ClRecordForm *self,
                           ClRecord     *record)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));
  g_return_if_fail (!record || CL_IS_RECORD (record));

  g_set_object (&self->record, record);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      g_free (fr->saved);
      fr->saved = record != NULL ? g_strdup (cl_record_get (record, fr->field->name)) : NULL;
    }

  ensure_rows (self);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      show_row_value (fr, fr->saved);
    }
}

/**
 * cl_record_form_get_record:
 *
 * Returns: (transfer none) (nullable): the record shown
 */
ClRecord *
cl_record_form_get_record (ClRecordForm *self)
{
  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  return self->record;
}

/**
 * cl_record_form_set_value:
 *
 * Shows @value in the row of @field without committing it (a default in a new record, or
 * the value an undo restored).
 */
void
cl_record_form_set_value (ClRecordForm *self,
                          const char   *field,
                          const char   *value)
{
  FieldRow *fr;

  g_return_if_fail (CL_IS_RECORD_FORM (self));

  ensure_rows (self);

  fr = find_row (self, field);
  g_return_if_fail (fr != NULL);

  if (self->autosave)
    {
      g_free (fr->saved);
      fr->saved = g_strdup (value);
    }

  show_row_value (fr, value);
}

/**
 * cl_record_form_dup_value:
 *
 * Returns: (transfer full) (nullable): the normalized value the row of @field shows, or
 *   %NULL when it is empty or invalid
 */
char *
cl_record_form_dup_value (ClRecordForm *self,
                          const char   *field)
{
  FieldRow *fr;
  char *value = NULL;

  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  ensure_rows (self);

  fr = find_row (self, field);
  g_return_val_if_fail (fr != NULL, NULL);

  {
    g_autofree char *raw = row_raw_value (fr);
    value = cl_field_normalize (fr->field, raw, NULL);
  }

  return value;
}

/**
 * cl_record_form_get_row:
 *
 * Returns: (transfer none) (nullable): the row editing @field
 */
GtkWidget *
cl_record_form_get_row (ClRecordForm *self,
                        const char   *field)
{
  FieldRow *fr;

  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  ensure_rows (self);

  fr = find_row (self, field);
  return fr != NULL ? fr->row : NULL;
}

/**
 * cl_record_form_collect:
 *
 * Checks every row and collects the non-empty values, for a record to create.
 *
 * Returns: (transfer full) (nullable): the values, or %NULL with @error set (the first
 *   problem; every invalid row is marked)
 */
ClChanges *
cl_record_form_collect (ClRecordForm  *self,
                        GError       **error)
{
  g_autoptr(ClChanges) changes = cl_changes_new ();
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  ensure_rows (self);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      g_autofree char *value = NULL;
      g_autoptr(GError) row_error = NULL;

      if (fr->read_only)
        continue;

      if (!normalize_row (fr, &value, &row_error))
        {
          /* The keyboard goes to the first field to put right. */
          if (first_error == NULL)
            {
              first_error = g_steal_pointer (&row_error);
              gtk_widget_grab_focus (fr->row);
            }
          continue;
        }

      if (value != NULL)
        cl_changes_set (changes, fr->field->name, value);
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return NULL;
    }

  return g_steal_pointer (&changes);
}

/**
 * cl_record_form_get_modified:
 *
 * Returns: whether the advocate changed a row since the form was filled (defaults and
 *   values shown with cl_record_form_set_value() or cl_record_form_set_input() do not count)
 */
gboolean
cl_record_form_get_modified (ClRecordForm *self)
{
  g_return_val_if_fail (CL_IS_RECORD_FORM (self), FALSE);

  return self->modified;
}

/**
 * cl_record_form_dup_input:
 *
 * What every editable row shows, as typed: half-typed and invalid values too, so an entry
 * can be kept and shown again with cl_record_form_set_input().
 *
 * Returns: (transfer full): field -> value (%NULL for an empty row), in the form's order
 */
ClChanges *
cl_record_form_dup_input (ClRecordForm *self)
{
  ClChanges *input;

  g_return_val_if_fail (CL_IS_RECORD_FORM (self), NULL);

  ensure_rows (self);

  input = cl_changes_new ();
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      g_autofree char *value = NULL;

      if (fr->read_only)
        continue;

      /* A date as typed, in the locale's format, not as it would be stored. */
      if (fr->field->kind == CL_FIELD_DATE || fr->field->kind == CL_FIELD_DATETIME)
        value = g_strdup (gtk_editable_get_text (GTK_EDITABLE (fr->row)));
      else
        value = row_raw_value (fr);
      cl_changes_set (input, fr->field->name, value != NULL && *value != '\0' ? value : NULL);
      if (value != NULL)
        explicit_bzero (value, strlen (value));
    }

  return input;
}

/**
 * cl_record_form_set_input:
 * @input: field -> value, as cl_record_form_dup_input() returned them
 *
 * Shows values as they were typed, without committing them. Fields the form does not
 * show are ignored.
 */
void
cl_record_form_set_input (ClRecordForm *self,
                          ClChanges    *input)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));
  g_return_if_fail (input != NULL);

  ensure_rows (self);

  for (guint i = 0; i < cl_changes_get_n (input); i++)
    {
      FieldRow *fr = find_row (self, cl_changes_get_field (input, i));
      const char *value = cl_changes_get_value (input, i);

      if (fr == NULL || fr->read_only)
        continue;

      /* Entries take the text as typed (a date and time stays in local time). */
      if (ADW_IS_ENTRY_ROW (fr->row))
        {
          self->loading++;
          gtk_editable_set_text (GTK_EDITABLE (fr->row), value != NULL ? value : "");
          self->loading--;
        }
      else
        show_row_value (fr, value);
    }
}

/**
 * cl_record_form_flush:
 *
 * Commits what the advocate typed but did not yet confirm.
 */
void
cl_record_form_flush (ClRecordForm *self)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));

  /* Combo rows, switches and check buttons commit as they change: only typed text can be
   * pending. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (fr->row != NULL && ADW_IS_ENTRY_ROW (fr->row))
        commit_row (fr);
    }
}

/**
 * cl_record_form_revert_focus:
 * @focus: the widget that has the keyboard
 *
 * When @focus is in a row of the form that shows something not yet committed, shows the
 * saved value again, without committing anything; the focus stays.
 *
 * Returns: whether a row was put back
 */
gboolean
cl_record_form_revert_focus (ClRecordForm *self,
                             GtkWidget    *focus)
{
  g_return_val_if_fail (CL_IS_RECORD_FORM (self), FALSE);
  g_return_val_if_fail (GTK_IS_WIDGET (focus), FALSE);

  if (!self->autosave)
    return FALSE;

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      g_autofree char *raw = NULL;

      if (fr->row == NULL || fr->read_only ||
          (focus != fr->row && !gtk_widget_is_ancestor (focus, fr->row)))
        continue;

      raw = row_raw_value (fr);
      if (g_strcmp0 (raw, fr->shown) == 0)
        return FALSE;

      show_row_value (fr, fr->saved);
      return TRUE;
    }

  return FALSE;
}

/**
 * cl_record_form_clear:
 *
 * Forgets the record and empties every row, without committing anything.
 */
void
cl_record_form_clear (ClRecordForm *self)
{
  g_return_if_fail (CL_IS_RECORD_FORM (self));

  g_clear_object (&self->record);

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      g_clear_pointer (&fr->saved, g_free);
      if (fr->row != NULL)
        show_row_value (fr, NULL);
    }
}
