/* cl-case-summary.c: one row of a case list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cl-case-summary"

#include "cl-case-summary.h"
#include "cl-store-private.h"

struct _ClCaseSummary
{
  GObject   parent_instance;

  char     *id;
  char     *client_id;
  char     *display_name;
  char     *case_number;
  char     *status;
  char     *track;
  char     *command;
  char     *assigned_to;
  char     *last_activity;
  char     *next_due;
  gboolean  restricted;
};

G_DEFINE_FINAL_TYPE (ClCaseSummary, cl_case_summary, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CLIENT_ID,
  PROP_DISPLAY_NAME,
  PROP_CASE_NUMBER,
  PROP_STATUS,
  PROP_TRACK,
  PROP_COMMAND,
  PROP_ASSIGNED_TO,
  PROP_LAST_ACTIVITY,
  PROP_NEXT_DUE,
  PROP_RESTRICTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cl_case_summary_finalize (GObject *object)
{
  ClCaseSummary *self = (ClCaseSummary *) object;

  g_free (self->id);
  g_free (self->client_id);
  g_free (self->display_name);
  g_free (self->case_number);
  g_free (self->status);
  g_free (self->track);
  g_free (self->command);
  g_free (self->assigned_to);
  g_free (self->last_activity);
  g_free (self->next_due);

  G_OBJECT_CLASS (cl_case_summary_parent_class)->finalize (object);
}

static void
cl_case_summary_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ClCaseSummary *self = CL_CASE_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_CLIENT_ID: g_value_set_string (value, self->client_id); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, self->display_name); break;
    case PROP_CASE_NUMBER: g_value_set_string (value, self->case_number); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_TRACK: g_value_set_string (value, self->track); break;
    case PROP_COMMAND: g_value_set_string (value, self->command); break;
    case PROP_ASSIGNED_TO: g_value_set_string (value, self->assigned_to); break;
    case PROP_LAST_ACTIVITY: g_value_set_string (value, self->last_activity); break;
    case PROP_NEXT_DUE: g_value_set_string (value, self->next_due); break;
    case PROP_RESTRICTED: g_value_set_boolean (value, self->restricted); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_prop (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
cl_case_summary_class_init (ClCaseSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_case_summary_finalize;
  object_class->get_property = cl_case_summary_get_property;

  properties[PROP_ID] = string_prop ("id");
  properties[PROP_CLIENT_ID] = string_prop ("client-id");
  properties[PROP_DISPLAY_NAME] = string_prop ("display-name");
  properties[PROP_CASE_NUMBER] = string_prop ("case-number");
  properties[PROP_STATUS] = string_prop ("status");
  properties[PROP_TRACK] = string_prop ("track");
  properties[PROP_COMMAND] = string_prop ("command");
  properties[PROP_ASSIGNED_TO] = string_prop ("assigned-to");
  properties[PROP_LAST_ACTIVITY] = string_prop ("last-activity");
  properties[PROP_NEXT_DUE] = string_prop ("next-due");
  properties[PROP_RESTRICTED] =
    g_param_spec_boolean ("restricted", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_case_summary_init (ClCaseSummary *self)
{
}

static char *
col (sqlite3_stmt *stmt,
     int           i)
{
  const char *text = (const char *) sqlite3_column_text (stmt, i);
  return text != NULL ? g_strdup (text) : NULL;
}

/* Reads a row of CL_CASE_SUMMARY_COLUMNS. A restricted client is shown by pseudonym
 * only (or the case number) so a list on screen never names them. */
ClCaseSummary *
_cl_case_summary_new_from_row_at (sqlite3_stmt *stmt,
                                  int           o)
{
  ClCaseSummary *self = g_object_new (CL_TYPE_CASE_SUMMARY, NULL);
  const char *pseudonym = (const char *) sqlite3_column_text (stmt, o + 3);

  self->id = col (stmt, o + 0);
  self->client_id = col (stmt, o + 1);
  self->case_number = col (stmt, o + 4);
  self->status = col (stmt, o + 5);
  self->track = col (stmt, o + 6);
  self->command = col (stmt, o + 7);
  self->assigned_to = col (stmt, o + 8);
  self->last_activity = col (stmt, o + 9);
  self->next_due = col (stmt, o + 10);
  self->restricted = sqlite3_column_int (stmt, o + 11) != 0;
  if (self->restricted)
    self->display_name = g_strdup (pseudonym != NULL && *pseudonym ? pseudonym : self->case_number);
  else
    self->display_name = col (stmt, o + 2);
  if (self->display_name == NULL)
    self->display_name = g_strdup (self->case_number);
  return self;
}

ClCaseSummary *
_cl_case_summary_new_from_row (sqlite3_stmt *stmt)
{
  return _cl_case_summary_new_from_row_at (stmt, 0);
}

const char *
cl_case_summary_get_id (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->id;
}

const char *
cl_case_summary_get_client_id (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->client_id;
}

const char *
cl_case_summary_get_display_name (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->display_name;
}

const char *
cl_case_summary_get_case_number (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->case_number;
}

const char *
cl_case_summary_get_status (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->status;
}

const char *
cl_case_summary_get_track (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->track;
}

const char *
cl_case_summary_get_command (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->command;
}

const char *
cl_case_summary_get_assigned_to (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->assigned_to;
}

const char *
cl_case_summary_get_last_activity (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->last_activity;
}

const char *
cl_case_summary_get_next_due (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), NULL);
  return self->next_due;
}

gboolean
cl_case_summary_get_restricted (ClCaseSummary *self)
{
  g_return_val_if_fail (CL_IS_CASE_SUMMARY (self), FALSE);
  return self->restricted;
}
