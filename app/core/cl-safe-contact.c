/* cl-safe-contact.c: is a contact safe for the client? (DOMAIN.md rule 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A client tells the advocate, channel by channel, whether being contacted that way is safe
 * (a safe_contact record per channel; the last one of a channel wins). A contact may touch
 * more than one channel: a phone call that leaves a voicemail reaches whoever holds the
 * phone and whoever plays its mailbox. The contact is safe only if every channel it touches
 * is; otherwise the warning is the strongest one (the client said it is not safe, before
 * nobody confirmed it is safe) and speaks of every channel that is not safe.
 */

#define G_LOG_DOMAIN "cl-safe-contact"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "cl-date.h"
#include "cl-safe-contact.h"
#include "cl-schema.h"

/* At most the contact's channel and, for a voicemail left on another channel, voicemail. */
#define MAX_TOUCHED 2

typedef struct
{
  const char *channel;
  ClSafety    safety;
  ClRecord   *preference;
} Touched;

void
cl_safe_contact_warning_free (ClSafeContactWarning *warning)
{
  if (warning == NULL)
    return;

  g_strfreev (warning->channels);
  g_free (warning->heading);
  g_free (warning->body);
  g_free (warning);
}

static ClRecord *
find_preference (GPtrArray  *preferences,
                 const char *channel)
{
  ClRecord *found = NULL;

  /* In creation order: the last one of a channel wins. */
  for (guint i = 0; preferences != NULL && i < preferences->len; i++)
    {
      ClRecord *record = g_ptr_array_index (preferences, i);

      if (!cl_record_get_deleted (record) &&
          g_strcmp0 (cl_record_get (record, "channel"), channel) == 0)
        found = record;
    }

  return found;
}

static ClSafety
preference_safety (ClRecord *preference)
{
  const char *safe = preference != NULL ? cl_record_get (preference, "safe") : NULL;

  if (g_strcmp0 (safe, "yes") == 0)
    return CL_SAFETY_SAFE;
  if (g_strcmp0 (safe, "no") == 0)
    return CL_SAFETY_NOT_SAFE;
  return CL_SAFETY_UNKNOWN;
}

static const char *
channel_label (const char *code)
{
  const ClEnumValue *value = cl_enum_lookup (cl_schema_lookup_enum ("channel"), code);

  return value != NULL ? g_dgettext (GETTEXT_PACKAGE, value->label) : code;
}

static char *
make_heading (ClSafety     safety,
              const char **labels,
              guint        n_labels)
{
  if (safety == CL_SAFETY_NOT_SAFE && n_labels == 1)
    /* Translators: a warning's title; %s is a contact channel, e.g. "Phone call" */
    return g_strdup_printf (_("Client Said “%s” Is Not Safe"), labels[0]);
  if (safety == CL_SAFETY_NOT_SAFE)
    /* Translators: a warning's title; the %s are contact channels */
    return g_strdup_printf (_("Client Said “%s” and “%s” Are Not Safe"), labels[0], labels[1]);
  if (n_labels == 1)
    /* Translators: a warning's title; %s is a contact channel, e.g. "Voicemail" */
    return g_strdup_printf (_("“%s” Not Confirmed Safe"), labels[0]);
  /* Translators: a warning's title; the %s are contact channels */
  return g_strdup_printf (_("“%s” and “%s” Not Confirmed Safe"), labels[0], labels[1]);
}

static void
append_channel (GString       *text,
                const Touched *touched)
{
  const char *label = channel_label (touched->channel);
  const char *confirmed_on = NULL;
  const char *confirmed_by = NULL;

  if (touched->preference != NULL)
    {
      confirmed_on = cl_record_get (touched->preference, "confirmed_on");
      confirmed_by = cl_record_get (touched->preference, "confirmed_by");
    }

  /* Whole sentences: languages join sentences their own way (Chinese without a space). */
  if (confirmed_on != NULL)
    {
      g_autofree char *date = cl_date_format_iso (confirmed_on);

      if (touched->safety == CL_SAFETY_NOT_SAFE && confirmed_by != NULL)
        /* Translators: a contact channel (e.g. "Phone call"), a date and a staff member */
        g_string_append_printf (text, _("The client said “%s” is not safe. Last confirmed on %s "
                                        "by %s."), label, date, confirmed_by);
      else if (touched->safety == CL_SAFETY_NOT_SAFE)
        /* Translators: a contact channel (e.g. "Phone call") and a date */
        g_string_append_printf (text, _("The client said “%s” is not safe. Last confirmed on "
                                        "%s."), label, date);
      else if (confirmed_by != NULL)
        /* Translators: a contact channel (e.g. "Phone call"), a date and a staff member */
        g_string_append_printf (text, _("Nobody has confirmed with the client that “%s” is "
                                        "safe. Last confirmed on %s by %s."),
                                label, date, confirmed_by);
      else
        /* Translators: a contact channel (e.g. "Phone call") and a date */
        g_string_append_printf (text, _("Nobody has confirmed with the client that “%s” is "
                                        "safe. Last confirmed on %s."), label, date);
    }
  else if (touched->safety == CL_SAFETY_NOT_SAFE)
    /* Translators: %s is a contact channel, e.g. "Phone call" */
    g_string_append_printf (text, _("The client said “%s” is not safe. It was never "
                                    "confirmed."), label);
  else
    /* Translators: %s is a contact channel, e.g. "Phone call" */
    g_string_append_printf (text, _("Nobody has confirmed with the client that “%s” is safe. "
                                    "It was never confirmed."), label);
}

/**
 * cl_safe_contact_check:
 * @preferences: (element-type ClRecord): the client's safe_contact records, in creation order
 * @channel: a code of the "channel" enum: how the advocate reaches the client
 * @outcome: (nullable): a code of the "contact_outcome" enum, or %NULL before the contact
 *
 * Rule 3 of DOMAIN.md. A contact touches @channel and, when @outcome is a voicemail left,
 * voicemail too: someone else may hear it. Each channel is safe only if the client said so
 * (no preference counts as unknown).
 *
 * Returns: (transfer full) (nullable): %NULL if every channel the contact touches is safe;
 *   otherwise the strongest warning, with the channels at its level and a heading and text
 *   that name every channel not confirmed safe
 */
ClSafeContactWarning *
cl_safe_contact_check (GPtrArray  *preferences,
                       const char *channel,
                       const char *outcome)
{
  Touched touched[MAX_TOUCHED];
  guint n_touched = 0;
  ClSafeContactWarning *warning;
  const char *labels[MAX_TOUCHED];
  guint n_labels = 0;
  gboolean agency_ok = TRUE;
  gboolean voicemail = FALSE;
  g_autoptr(GStrvBuilder) channels = g_strv_builder_new ();
  GString *text;

  g_return_val_if_fail (channel != NULL, NULL);

  touched[n_touched++].channel = channel;
  if (g_strcmp0 (outcome, "voicemail_safe") == 0 && !g_str_equal (channel, "voicemail"))
    touched[n_touched++].channel = "voicemail";

  for (guint i = 0; i < n_touched; i++)
    {
      const char *agency;

      touched[i].preference = find_preference (preferences, touched[i].channel);
      touched[i].safety = preference_safety (touched[i].preference);
      agency = touched[i].preference != NULL
        ? cl_record_get (touched[i].preference, "agency_ok") : NULL;
      agency_ok = agency_ok && g_strcmp0 (agency, "yes") == 0;
    }

  /* Strongest first, in the contact's order otherwise. */
  if (n_touched == MAX_TOUCHED && touched[1].safety > touched[0].safety)
    {
      Touched first = touched[0];

      touched[0] = touched[1];
      touched[1] = first;
    }

  if (touched[0].safety == CL_SAFETY_SAFE)
    return NULL;

  warning = g_new0 (ClSafeContactWarning, 1);
  warning->safety = touched[0].safety;

  text = g_string_new (NULL);
  for (guint i = 0; i < n_touched && touched[i].safety != CL_SAFETY_SAFE; i++)
    {
      if (touched[i].safety == warning->safety)
        {
          g_strv_builder_add (channels, touched[i].channel);
          labels[n_labels++] = channel_label (touched[i].channel);
        }
      if (i > 0)
        g_string_append_c (text, '\n');
      append_channel (text, &touched[i]);
      voicemail = voicemail || g_str_equal (touched[i].channel, "voicemail");
    }

  g_string_append (text, "\n\n");
  if (voicemail)
    g_string_append (text, _("Someone else may hear a voicemail. Leave one only when the "
                             "client confirmed voicemail is safe."));
  else
    g_string_append (text, _("Contacting the client this way may put them in danger."));

  g_string_append (text, "\n\n");
  if (agency_ok)
    g_string_append (text, _("The client allowed naming the agency."));
  else
    g_string_append (text, _("Do not name the agency."));

  warning->channels = g_strv_builder_end (channels);
  warning->heading = make_heading (warning->safety, labels, n_labels);
  warning->body = g_string_free (text, FALSE);

  return warning;
}

/**
 * cl_safe_contact_check_client:
 * @store: the open store
 * @client_id: (nullable): the client to contact
 *
 * cl_safe_contact_check() on the preferences of @client_id read from @store; unreadable,
 * every channel counts as unknown.
 */
ClSafeContactWarning *
cl_safe_contact_check_client (ClStore    *store,
                              const char *client_id,
                              const char *channel,
                              const char *outcome)
{
  g_autoptr(GPtrArray) preferences = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  if (client_id != NULL)
    {
      preferences = cl_store_list_children (store, "safe_contact", client_id, &error);
      if (preferences == NULL)
        g_debug ("Could not read safe-contact preferences: %s", error->message);
    }

  return cl_safe_contact_check (preferences, channel, outcome);
}
