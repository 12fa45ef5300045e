/* cl-gui-test.h: what the desktop tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <gtk/gtk.h>

#include "cl-application.h"
#include "cl-store.h"
#include "cl-window.h"

G_BEGIN_DECLS

/* How many times longer than its nominal time a wait may take before the test fails: a
 * machine whose two cores are shared by several builds and suites runs the app several
 * times slower than a quiet one. A wait returns as soon as its condition holds, so only a
 * failing test takes longer. */
#define CL_GUI_TEST_WAIT_SLACK 4

/* Runs the main loop until @expr holds; fails the test after @ms milliseconds (times
 * %CL_GUI_TEST_WAIT_SLACK). */
#define WAIT_UNTIL(expr, ms)                                                      \
  G_STMT_START {                                                                  \
    gint64 _end = g_get_monotonic_time () +                                       \
                  (gint64) (ms) * 1000 * CL_GUI_TEST_WAIT_SLACK;                   \
    while (!(expr))                                                               \
      {                                                                           \
        if (g_get_monotonic_time () > _end)                                       \
          g_error ("%s:%d: timed out after %d ms waiting for %s",                 \
                   __FILE__, __LINE__, (int) (ms) * CL_GUI_TEST_WAIT_SLACK, #expr);\
        if (!g_main_context_iteration (NULL, FALSE))                              \
          g_usleep (1000);                                                        \
      }                                                                           \
  } G_STMT_END

void cl_gui_test_spin              (guint       ms);
void cl_gui_test_screenshot_window (GtkWindow  *window,
                                    const char *name);
char *cl_gui_test_make_ca          (const char *dir);
int  cl_gui_test_run_app           (GApplication *app,
                                    const char   *argv0);

char    *cl_gui_test_init           (int          *argc,
                                     char       ***argv,
                                     const char   *name);
void     cl_gui_test_cleanup        (const char   *tmp_dir);
gboolean cl_gui_test_in_test_locale (void);
char   **cl_gui_test_locales        (void);
void     cl_gui_test_switch_locale  (const char   *locale);
char    *cl_gui_test_language       (void);
gpointer cl_gui_test_find_window    (GType         type);

void     cl_gui_test_emit_signal    (GBusType      bus_type,
                                     const char   *path,
                                     const char   *interface,
                                     const char   *name,
                                     GVariant     *parameters);
void     cl_gui_test_play_logind    (void);
guint    cl_gui_test_n_drafts       (ClStore      *store);
gint64   cl_gui_test_outbox_length  (ClStore      *store);

void       cl_gui_test_focus_window (GtkWindow    *window);
void       cl_gui_test_press        (guint         keysym,
                                     guint         first,
                                     guint         second);
void       cl_gui_test_type         (const char   *text);
GtkWidget *cl_gui_test_find_child   (GtkWidget    *widget,
                                     GType         type,
                                     const char   *label);
AdwMessageDialog *cl_gui_test_expect_discard_question (GtkWindow *parent);

ClWindow *cl_gui_test_main_window   (ClApplication *app);
ClStore  *cl_gui_test_store         (ClApplication *app);
char     *cl_gui_test_stored        (ClStore       *store,
                                     const char    *type,
                                     const char    *id,
                                     const char    *field);

G_END_DECLS
