/* cl-refdata.h: seeded reference data (NYC commands, funder category lists)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *code;       /* "14", "PSA 2" */
  const char *type;       /* command_type code */
  const char *name;
  const char *borough;    /* borough code */
  const char *active_from;
} ClCommandSeed;

/* A funder category list in one version: which local enumeration it classifies and, per
 * local code, the funder category it is reported under. Versions change at fiscal-year
 * boundaries; old versions stay so old reports reproduce. */
typedef struct {
  const char *local_code;
  const char *funder_code;
  const char *funder_label;
} ClCategoryMapEntry;

typedef struct {
  const char               *list;        /* "pmt_victimization", … */
  const char               *version;     /* "PMT-2023" */
  const char               *valid_from;  /* first day of the fiscal year it applies to */
  const char               *enumeration; /* local enumeration it maps */
  const ClCategoryMapEntry *entries;
  guint                     n_entries;
} ClCategoryList;

const ClCommandSeed  *cl_refdata_commands        (guint *n_commands);
const ClCategoryList *cl_refdata_category_lists  (guint *n_lists);
char                 *cl_refdata_command_label   (const char *code,
                                                  const char *name);
const char           *cl_refdata_funder_label    (const char *label);

G_END_DECLS
