/* cl-date.h: dates and times, as stored and as people read and type them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* As stored and sent: YYYY-MM-DD, exactly. */
gboolean  cl_date_from_iso          (const char   *iso,
                                     GDate        *date);
char     *cl_date_to_iso            (const GDate  *date);

/* As people read and type them, in the user's locale (LC_TIME). */
gboolean  cl_date_locale_is_c       (void);
char     *cl_date_format            (const GDate  *date);
char     *cl_date_format_iso        (const char   *iso);
gboolean  cl_date_parse             (const char   *text,
                                     GDate        *date);
char     *cl_date_parse_to_iso      (const char   *text);

gboolean  cl_date_parse_time             (const char   *text,
                                     int          *hour,
                                     int          *minute);
char     *cl_date_format_time            (int           hour,
                                     int           minute);

/* A local date and time of day from and to a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ). */
char     *cl_datetime_parse_to_utc  (const char   *text,
                                     GTimeZone    *zone);
char     *cl_datetime_format_local  (const char   *utc,
                                     GTimeZone    *zone);

G_END_DECLS
