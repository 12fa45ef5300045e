/* cl-refdata.c: seeded reference data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * NYC's commands: 78 precincts (the 77 historical ones and the 116th) and the nine Police
 * Service Areas of the Housing Bureau. They are seeded once into a new vault as editable
 * records; administrators correct and extend them like any other record.
 *
 * Their names are stored in English, as seeded, and shown in the user's language while they
 * are the seeded ones (cl_refdata_command_label()): a translated ordinal and type ("43rd
 * Precinct" is "Precinto 43"), or a translated name. A name an administrator changed is
 * shown as written. Funder categories without a local code of their own ("Not Reported")
 * likewise (cl_refdata_funder_label()); JSON and the wire keep the stable codes.
 */

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cl-refdata.h"

static const ClCommandSeed commands[] = {
  { "1", "precinct", "1st Precinct", "manhattan", NULL },
  { "5", "precinct", "5th Precinct", "manhattan", NULL },
  { "6", "precinct", "6th Precinct", "manhattan", NULL },
  { "7", "precinct", "7th Precinct", "manhattan", NULL },
  { "9", "precinct", "9th Precinct", "manhattan", NULL },
  { "10", "precinct", "10th Precinct", "manhattan", NULL },
  { "13", "precinct", "13th Precinct", "manhattan", NULL },
  { "14", "precinct", NC_("command name", "Midtown South Precinct"), "manhattan", NULL },
  { "17", "precinct", "17th Precinct", "manhattan", NULL },
  { "18", "precinct", NC_("command name", "Midtown North Precinct"), "manhattan", NULL },
  { "19", "precinct", "19th Precinct", "manhattan", NULL },
  { "20", "precinct", "20th Precinct", "manhattan", NULL },
  { "22", "precinct", NC_("command name", "Central Park Precinct"), "manhattan", NULL },
  { "23", "precinct", "23rd Precinct", "manhattan", NULL },
  { "24", "precinct", "24th Precinct", "manhattan", NULL },
  { "25", "precinct", "25th Precinct", "manhattan", NULL },
  { "26", "precinct", "26th Precinct", "manhattan", NULL },
  { "28", "precinct", "28th Precinct", "manhattan", NULL },
  { "30", "precinct", "30th Precinct", "manhattan", NULL },
  { "32", "precinct", "32nd Precinct", "manhattan", NULL },
  { "33", "precinct", "33rd Precinct", "manhattan", NULL },
  { "34", "precinct", "34th Precinct", "manhattan", NULL },
  { "40", "precinct", "40th Precinct", "bronx", NULL },
  { "41", "precinct", "41st Precinct", "bronx", NULL },
  { "42", "precinct", "42nd Precinct", "bronx", NULL },
  { "43", "precinct", "43rd Precinct", "bronx", NULL },
  { "44", "precinct", "44th Precinct", "bronx", NULL },
  { "45", "precinct", "45th Precinct", "bronx", NULL },
  { "46", "precinct", "46th Precinct", "bronx", NULL },
  { "47", "precinct", "47th Precinct", "bronx", NULL },
  { "48", "precinct", "48th Precinct", "bronx", NULL },
  { "49", "precinct", "49th Precinct", "bronx", NULL },
  { "50", "precinct", "50th Precinct", "bronx", NULL },
  { "52", "precinct", "52nd Precinct", "bronx", NULL },
  { "60", "precinct", "60th Precinct", "brooklyn", NULL },
  { "61", "precinct", "61st Precinct", "brooklyn", NULL },
  { "62", "precinct", "62nd Precinct", "brooklyn", NULL },
  { "63", "precinct", "63rd Precinct", "brooklyn", NULL },
  { "66", "precinct", "66th Precinct", "brooklyn", NULL },
  { "67", "precinct", "67th Precinct", "brooklyn", NULL },
  { "68", "precinct", "68th Precinct", "brooklyn", NULL },
  { "69", "precinct", "69th Precinct", "brooklyn", NULL },
  { "70", "precinct", "70th Precinct", "brooklyn", NULL },
  { "71", "precinct", "71st Precinct", "brooklyn", NULL },
  { "72", "precinct", "72nd Precinct", "brooklyn", NULL },
  { "73", "precinct", "73rd Precinct", "brooklyn", NULL },
  { "75", "precinct", "75th Precinct", "brooklyn", NULL },
  { "76", "precinct", "76th Precinct", "brooklyn", NULL },
  { "77", "precinct", "77th Precinct", "brooklyn", NULL },
  { "78", "precinct", "78th Precinct", "brooklyn", NULL },
  { "79", "precinct", "79th Precinct", "brooklyn", NULL },
  { "81", "precinct", "81st Precinct", "brooklyn", NULL },
  { "83", "precinct", "83rd Precinct", "brooklyn", NULL },
  { "84", "precinct", "84th Precinct", "brooklyn", NULL },
  { "88", "precinct", "88th Precinct", "brooklyn", NULL },
  { "90", "precinct", "90th Precinct", "brooklyn", NULL },
  { "94", "precinct", "94th Precinct", "brooklyn", NULL },
  { "100", "precinct", "100th Precinct", "queens", NULL },
  { "101", "precinct", "101st Precinct", "queens", NULL },
  { "102", "precinct", "102nd Precinct", "queens", NULL },
  { "103", "precinct", "103rd Precinct", "queens", NULL },
  { "104", "precinct", "104th Precinct", "queens", NULL },
  { "105", "precinct", "105th Precinct", "queens", NULL },
  { "106", "precinct", "106th Precinct", "queens", NULL },
  { "107", "precinct", "107th Precinct", "queens", NULL },
  { "108", "precinct", "108th Precinct", "queens", NULL },
  { "109", "precinct", "109th Precinct", "queens", NULL },
  { "110", "precinct", "110th Precinct", "queens", NULL },
  { "111", "precinct", "111th Precinct", "queens", NULL },
  { "112", "precinct", "112th Precinct", "queens", NULL },
  { "113", "precinct", "113th Precinct", "queens", NULL },
  { "114", "precinct", "114th Precinct", "queens", NULL },
  { "115", "precinct", "115th Precinct", "queens", NULL },
  { "116", "precinct", "116th Precinct", "queens", "2023-12-01" },
  { "120", "precinct", "120th Precinct", "staten_island", NULL },
  { "121", "precinct", "121st Precinct", "staten_island", NULL },
  { "122", "precinct", "122nd Precinct", "staten_island", NULL },
  { "123", "precinct", "123rd Precinct", "staten_island", NULL },
  { "PSA 1", "psa", "Police Service Area 1", "brooklyn", NULL },
  { "PSA 2", "psa", "Police Service Area 2", "brooklyn", NULL },
  { "PSA 3", "psa", "Police Service Area 3", "brooklyn", NULL },
  { "PSA 4", "psa", "Police Service Area 4", "manhattan", NULL },
  { "PSA 5", "psa", "Police Service Area 5", "manhattan", NULL },
  { "PSA 6", "psa", "Police Service Area 6", "manhattan", NULL },
  { "PSA 7", "psa", "Police Service Area 7", "bronx", NULL },
  { "PSA 8", "psa", "Police Service Area 8", "bronx", NULL },
  { "PSA 9", "psa", "Police Service Area 9", "queens", NULL },
};

/* Race/ethnicity: several answers are reported as "Multiple Races" by the report engine;
 * a single answer maps as below. The categories with a local code of the same name are
 * shown with that code's label; the others are translated here. */
static const ClCategoryMapEntry pmt_race_2023[] = {
  { "american_indian", "american_indian", "American Indian or Alaska Native" },
  { "asian", "asian", "Asian" },
  { "black", "black", "Black or African American" },
  { "hispanic", "hispanic", "Hispanic or Latino" },
  { "pacific_islander", "pacific_islander", "Native Hawaiian or Other Pacific Islander" },
  { "white", "white", "White Non-Latino or Caucasian" },
  { "other_race", "other_race", "Some Other Race" },
  { "declined", "not_reported", NC_("funder category", "Not Reported") },
  { "not_asked", "not_tracked", NC_("funder category", "Not Tracked") },
};

/* Lists with no entries classify every code of their enumeration as itself. */
#define IDENTITY(l, v, from, e) { l, v, from, e, NULL, 0 }

static const ClCategoryList lists[] = {
  IDENTITY ("pmt_victimization", "PMT-2023", "2023-10-01", "victimization_type"),
  IDENTITY ("pmt_service", "PMT-2023", "2023-10-01", "service_code"),
  IDENTITY ("pmt_special", "PMT-2023", "2023-10-01", "special_classification"),
  IDENTITY ("pmt_gender", "PMT-2023", "2023-10-01", "gender"),
  IDENTITY ("pmt_age", "PMT-2023", "2023-10-01", "age_band"),
  { "pmt_race", "PMT-2023", "2023-10-01", "race_ethnicity",
    pmt_race_2023, G_N_ELEMENTS (pmt_race_2023) },
};

const ClCommandSeed *
cl_refdata_commands (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}

const ClCategoryList *
cl_refdata_category_lists (guint *n_lists)
{
  *n_lists = G_N_ELEMENTS (lists);
  return lists;
}

static const ClCommandSeed *
seeded_command (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].code, code))
      return &commands[i];
  return NULL;
}

/* "1st Precinct" in the user's language: English needs the ordinal's suffix, so there is
 * one string per suffix; other languages write the number alike in all four. */
static char *
precinct_name (guint number)
{
  guint tens = number % 100;

  if (tens >= 11 && tens <= 13)
    /* Translators: a precinct's name; %u is its number */
    return g_strdup_printf (C_("command name", "%uth Precinct"), number);
  switch (number % 10)
    {
    case 1:
      /* Translators: a precinct's name; %u is its number */
    return g_strdup_printf (C_("command name", "%ust Precinct"), number);
    case 2:
      /* Translators: a precinct's name; %u is its number */
    return g_strdup_printf (C_("command name", "%und Precinct"), number);
    case 3:
      /* Translators: a precinct's name; %u is its number */
    return g_strdup_printf (C_("command name", "%urd Precinct"), number);
    default:
      /* Translators: a precinct's name; %u is its number */
    return g_strdup_printf (C_("command name", "%uth Precinct"), number);
    }
}

/**
 * cl_refdata_command_label:
 * @code: a command's code ("43", "PSA 2")
 * @name: (nullable): its name as stored
 *
 * Returns: (transfer full): the name to show: translated while it is the seeded one, else
 *   @name, or @code without a name
 */
char *
cl_refdata_command_label (const char *code,
                          const char *name)
{
  const ClCommandSeed *seed;

  g_return_val_if_fail (code != NULL, NULL);

  if (name == NULL)
    return g_strdup (code);
  seed = seeded_command (code);
  if (seed == NULL || !g_str_equal (seed->name, name))
    return g_strdup (name);
  if (g_str_equal (seed->type, "psa"))
    /* Translators: a command's name; %s is its number */
    return g_strdup_printf (C_("command name", "Police Service Area %s"), code + strlen ("PSA "));
  if (g_ascii_isdigit (name[0]))
    return precinct_name ((guint) strtoul (code, NULL, 10));
  /* The precincts with a name of their own. */
  return g_strdup (g_dpgettext2 (NULL, "command name", name));
}

/**
 * cl_refdata_funder_label:
 * @label: a funder category's label as stored
 *
 * Returns: @label in the user's language if it is a seeded one, else @label
 */
const char *
cl_refdata_funder_label (const char *label)
{
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    for (guint j = 0; j < lists[i].n_entries; j++)
      if (g_str_equal (lists[i].entries[j].funder_label, label))
        return g_dpgettext2 (NULL, "funder category", label);
  return label;
}
