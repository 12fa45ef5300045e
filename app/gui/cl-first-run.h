/* cl-first-run.h: create a vault (or explore a demo) the first time Caseload starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cl-context.h"

G_BEGIN_DECLS

#define CL_TYPE_FIRST_RUN (cl_first_run_get_type ())
G_DECLARE_FINAL_TYPE (ClFirstRun, cl_first_run, CL, FIRST_RUN, AdwBin)

void        cl_first_run_set_context      (ClFirstRun *self,
                                           ClContext  *context);
void        cl_first_run_set_offer_server (ClFirstRun *self,
                                           gboolean    offer_server);
void        cl_first_run_reset            (ClFirstRun *self);
gboolean    cl_first_run_reopen_demo      (ClFirstRun *self);
const char *cl_first_run_get_page         (ClFirstRun *self);
void        cl_first_run_set_passphrase   (ClFirstRun *self,
                                           const char *passphrase,
                                           const char *confirmation);
int         cl_first_run_get_strength     (ClFirstRun *self);
void        cl_first_run_set_stored       (ClFirstRun *self,
                                           gboolean    stored);
const char *cl_first_run_get_recovery_key (ClFirstRun *self);
int         cl_first_run_estimate_strength (const char *passphrase);

G_END_DECLS
