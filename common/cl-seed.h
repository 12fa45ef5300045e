/* cl-seed.h: deterministic ids of seeded reference records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *cl_seed_id (const char *kind,
                  const char *key);

G_END_DECLS
