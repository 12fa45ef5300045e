/* cl-gui-test.c: what the desktop tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#include "cl-drafts.h"
#include "cl-gui-test.h"
#include "cl-secret.h"
#include "cl-test-util.h"

static guint login1_owner_id;

/* Runs the main loop for @ms milliseconds. */
void
cl_gui_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Saves a PNG of @window into $CASELOAD_SCREENSHOT_DIR (a test artifact), if set. */
void
cl_gui_test_screenshot_window (GtkWindow  *window,
                               const char *name)
{
  const char *dir = g_getenv ("CASELOAD_SCREENSHOT_DIR");
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;

  g_mkdir_with_parents (dir, 0755);
  cl_gui_test_spin (400);

  /* On a loaded machine the window may not have been laid out and drawn yet (after a
   * lock, a resize or a theme change): give it up to five seconds. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      if (gtk_widget_get_mapped (widget) && width > 0 && height > 0)
        {
          snapshot = gtk_snapshot_new ();
          gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
          node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
        }
      if (node == NULL)
        cl_gui_test_spin (100);
    }
  if (node == NULL)
    g_error ("Screenshot “%s”: the window drew nothing for five seconds (mapped %d, %d×%d)",
             name, gtk_widget_get_mapped (widget), width, height);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  /* A run in another locale keeps its own shots beside the English ones. */
  if (cl_gui_test_in_test_locale ())
    path = g_strdup_printf ("%s/%s-%s.png", dir, g_getenv ("LANGUAGE"), name);
  else
    path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
run_tests_cb (gpointer data)
{
  GApplication *app = data;

  g_object_set_data (G_OBJECT (app), "cl-test-status", GINT_TO_POINTER (g_test_run ()));
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app)
{
  if (g_object_get_data (G_OBJECT (app), "cl-test-started") != NULL)
    return;
  g_object_set_data (G_OBJECT (app), "cl-test-started", GINT_TO_POINTER (TRUE));
  g_idle_add (run_tests_cb, app);
}

/**
 * cl_gui_test_run_app:
 *
 * Runs @app and, once it is activated (its window shown), the tests added with
 * g_test_add_func(); quits when they are done.
 *
 * Returns: g_test_run()'s status
 */
int
cl_gui_test_run_app (GApplication *app,
                     const char   *argv0)
{
  char *app_argv[] = { (char *) argv0, NULL };

  g_object_set_data (G_OBJECT (app), "cl-test-status", GINT_TO_POINTER (1));
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  g_application_run (app, 1, app_argv);
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (app), "cl-test-status"));
}

/* Compiles @locale (localedef, package locales) and the build's translations for its
 * language (msgfmt from $CASELOAD_TEST_PO_DIR) into @dir; sets the environment to it.
 * Returns the language ("ar"). */
static char *
compile_locale (const char *dir,
                const char *locale)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  char *language;
  int status = 0;
  const char *dot;

  dot = strchr (locale, '.');
  input = g_strndup (locale, dot != NULL ? (gsize) (dot - locale) : strlen (locale));
  out = g_build_filename (dir, locale, NULL);
  language = g_strndup (input, strcspn (input, "_"));

  {
    const char *args[] = { "localedef", "-i", input, "-f", "UTF-8", out, NULL };

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                       NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("Could not compile the %s locale with localedef (package locales): %s",
               locale, error->message);
  }

  /* English is the program's own. */
  if (!g_str_equal (language, "en"))
    {
      /* zh_CN and zh_TW have catalogs of their own, the others one for the language. */
      g_autofree char *po = g_strdup_printf ("%s/%s.po", g_getenv ("CASELOAD_TEST_PO_DIR"),
                                             input);
      g_autofree char *catalog = g_file_test (po, G_FILE_TEST_EXISTS) ? g_strdup (input)
                                                                      : g_strdup (language);
      g_autofree char *mo_dir = g_build_filename (dir, catalog, "LC_MESSAGES", NULL);
      g_autofree char *mo = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
      const char *args[] = { "msgfmt", "-o", mo, NULL, NULL };

      g_free (po);
      po = g_strdup_printf ("%s/%s.po", g_getenv ("CASELOAD_TEST_PO_DIR"), catalog);
      args[3] = po;

      g_mkdir_with_parents (mo_dir, 0700);
      if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                         NULL, NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        g_error ("Could not compile %s with msgfmt: %s", po, error->message);
      g_free (language);
      language = g_steal_pointer (&catalog);
    }

  g_setenv ("CASELOAD_TEST_LOCALEDIR", dir, TRUE);
  g_setenv ("LOCPATH", dir, TRUE);
  g_setenv ("LC_ALL", locale, TRUE);
  g_setenv ("LANG", locale, TRUE);
  g_setenv ("LANGUAGE", language, TRUE);
  return language;
}

/* The first locale of $CASELOAD_TEST_LOCALE (a list of locales, separated by spaces). */
static char *
first_locale (void)
{
  const char *locales = g_getenv ("CASELOAD_TEST_LOCALE");

  return g_strndup (locales, strcspn (locales, " "));
}

/* Compiles the first locale of $CASELOAD_TEST_LOCALE and the build's translations for its
 * language into a temporary directory, then runs the test again in that locale. */
static void
reexec_in_locale (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("caseload-locale-XXXXXX", &error);
  g_autofree char *locale = first_locale ();

  g_assert_no_error (error);
  g_free (compile_locale (dir, locale));
  execv (argv[0], argv);
  g_error ("Could not run the test again: %s", g_strerror (errno));
}

/**
 * cl_gui_test_locales:
 *
 * A test run in several languages, one after the other in one process, is given them
 * as $CASELOAD_TEST_LOCALE, a list of locales separated by spaces: it starts in the
 * first, and goes to each of the others with cl_gui_test_switch_locale().
 *
 * Returns: (transfer full): the locales of $CASELOAD_TEST_LOCALE, none without it
 */
char **
cl_gui_test_locales (void)
{
  const char *locales = g_getenv ("CASELOAD_TEST_LOCALE");

  return g_strsplit_set (locales != NULL ? locales : "", " ", -1);
}

/**
 * cl_gui_test_switch_locale:
 *
 * Goes to @locale: compiled, with the build's translations, and set as the process's
 * locale and text direction. Widgets made from then on speak its language.
 */
void
cl_gui_test_switch_locale (const char *locale)
{
  g_autofree char *language = NULL;

  g_assert_nonnull (g_getenv ("CASELOAD_TEST_LOCALEDIR"));
  language = compile_locale (g_getenv ("CASELOAD_TEST_LOCALEDIR"), locale);
  if (setlocale (LC_ALL, "") == NULL)
    g_error ("The locale %s cannot be set", locale);
  /* gettext reads the catalogs again. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CASELOAD_TEST_LOCALEDIR"));
  textdomain (GETTEXT_PACKAGE);
  gtk_widget_set_default_direction (gtk_get_locale_direction ());
}

/**
 * cl_gui_test_language:
 *
 * Returns: (transfer full): the language the process speaks now ("ar", "zh_TW"; "en"
 * without a test locale)
 */
char *
cl_gui_test_language (void)
{
  const char *language = g_getenv ("LANGUAGE");

  return g_strdup (g_getenv ("CASELOAD_TEST_LOCALEDIR") != NULL && language != NULL
                   ? language : "en");
}

/**
 * cl_gui_test_init:
 * @name: the program's name, for its temporary directory
 *
 * What every desktop test program does first: secure memory, the locale (with
 * $CASELOAD_TEST_LOCALE set, the program runs again in that real locale with the build's
 * translations), fast key derivation, an in-memory GSettings, the system bus pointed at the
 * private D-Bus session, g_test_init(), and checks for that session and the display.
 *
 * Returns: (transfer full): a new temporary directory for the test's vaults
 */
char *
cl_gui_test_init (int          *argc,
                  char       ***argv,
                  const char   *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("caseload-%s-XXXXXX", name);
  const char *locale = g_getenv ("CASELOAD_TEST_LOCALE");
  char *dir;

  cl_secure_init ();

  if (locale != NULL && g_getenv ("CASELOAD_TEST_LOCALEDIR") == NULL)
    reexec_in_locale (*argv);
  setlocale (LC_ALL, "");
  if (g_getenv ("CASELOAD_TEST_LOCALEDIR") != NULL)
    bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CASELOAD_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_setenv ("CASELOAD_TEST_FAST_KDF", "1", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* logind's signals come from the test (cl_gui_test_play_logind()), on the private bus
   * the test runs in. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_getenv ("DBUS_SESSION_BUS_ADDRESS"), TRUE);
  g_test_init (argc, argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_error ("The gui tests need a private D-Bus session: run them under dbus-run-session");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    g_error ("The gui tests need a display: run them under xvfb-run");

  dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  return dir;
}

/* Removes @tmp_dir and the compiled locale, if any. */
void
cl_gui_test_cleanup (const char *tmp_dir)
{
  if (login1_owner_id != 0)
    g_bus_unown_name (login1_owner_id);
  login1_owner_id = 0;
  cl_test_rm_rf (tmp_dir);
  if (g_getenv ("CASELOAD_TEST_LOCALEDIR") != NULL)
    cl_test_rm_rf (g_getenv ("CASELOAD_TEST_LOCALEDIR"));
}

/* Whether the program runs in the locale of $CASELOAD_TEST_LOCALE. */
gboolean
cl_gui_test_in_test_locale (void)
{
  return g_getenv ("CASELOAD_TEST_LOCALE") != NULL;
}

/* A visible toplevel window of @type, or NULL. */
gpointer
cl_gui_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* Sends the signal @interface.@name from @path on the bus of @bus_type, as the desktop
 * would (the screen saver on the session bus, logind on the system bus). */
void
cl_gui_test_emit_signal (GBusType    bus_type,
                         const char *path,
                         const char *interface,
                         const char *name,
                         GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (bus_type, NULL, &error);

  g_assert_no_error (error);
  g_dbus_connection_emit_signal (bus, NULL, path, interface, name, parameters, &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (bus, NULL, &error);
  g_assert_no_error (error);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Owns org.freedesktop.login1 on the system bus (the private bus of the test, see
 * cl_gui_test_init()), so that the signals the test sends come from logind. Idempotent. */
void
cl_gui_test_play_logind (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  gboolean acquired = FALSE;

  if (login1_owner_id != 0)
    return;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  login1_owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.login1",
                                                  G_BUS_NAME_OWNER_FLAGS_NONE,
                                                  name_acquired_cb, NULL, &acquired, NULL);
  WAIT_UNTIL (acquired, 5000);
  cl_gui_test_spin (200);
}

/* How many entries typed before a lock @store keeps. */
guint
cl_gui_test_n_drafts (ClStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = cl_drafts_list (store, &error);

  g_assert_no_error (error);
  return drafts->len;
}

/**
 * cl_gui_test_make_ca:
 * @dir: where the key and certificate go
 *
 * Returns: (transfer full): the PEM of a throwaway CA certificate made with openssl, for
 *   a vault that is to look enrolled
 */
char *
cl_gui_test_make_ca (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_key = g_build_filename (dir, "ca.key", NULL);
  g_autofree char *ca_file = g_build_filename (dir, "ca.pem", NULL);
  char *ca = NULL;
  const char *openssl[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
                            "-out", ca_file, "-days", "2", "-subj", "/CN=Caseload Test CA",
                            NULL };
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) openssl, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_assert_true (g_file_get_contents (ca_file, &ca, NULL, NULL));
  return ca;
}

/* Keys and windows ---------------------------------------------------------------------- */

static Display *
xdisplay (void)
{
  return gdk_x11_display_get_xdisplay (gdk_display_get_default ());
}

/* Gives @window the keyboard focus, as a click on it would. */
void
cl_gui_test_focus_window (GtkWindow *window)
{
  Window xid;

  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)), 2000);
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
  XSetInputFocus (xdisplay (), xid, RevertToParent, CurrentTime);
  XSync (xdisplay (), False);
  WAIT_UNTIL (gtk_window_is_active (window), 2000);
}

/* Presses and releases @keysym on the X server the test runs under (XTest), with the
 * modifiers @first and @second (keysyms, or 0) held. */
void
cl_gui_test_press (guint keysym,
                   guint first,
                   guint second)
{
  Display *d = xdisplay ();
  guint mods[] = { first, second };

  for (guint i = 0; i < G_N_ELEMENTS (mods); i++)
    if (mods[i] != 0)
      XTestFakeKeyEvent (d, XKeysymToKeycode (d, mods[i]), True, CurrentTime);
  XTestFakeKeyEvent (d, XKeysymToKeycode (d, keysym), True, CurrentTime);
  XTestFakeKeyEvent (d, XKeysymToKeycode (d, keysym), False, CurrentTime);
  for (guint i = G_N_ELEMENTS (mods); i > 0; i--)
    if (mods[i - 1] != 0)
      XTestFakeKeyEvent (d, XKeysymToKeycode (d, mods[i - 1]), False, CurrentTime);
  XSync (d, False);
  cl_gui_test_spin (150);
}

/* Types lower-case letters, digits, spaces and dashes, a key press each. */
void
cl_gui_test_type (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    cl_gui_test_press (*p == ' ' ? XK_space : *p == '-' ? XK_minus : (guint) *p, 0, 0);
}

/**
 * cl_gui_test_expect_discard_question:
 * @parent: the window the question is asked over
 *
 * Waits for the question whether to discard what was typed over @parent and checks it:
 * "Discard Changes?", Keep Editing the default and the Escape answer, Discard destructive.
 * Gives it the keyboard, and waits for Keep Editing to have the focus.
 *
 * Returns: (transfer none): the question
 */
AdwMessageDialog *
cl_gui_test_expect_discard_question (GtkWindow *parent)
{
  AdwMessageDialog *question;

  WAIT_UNTIL ((question = cl_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (question)) == parent);
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==,
                   g_dgettext (GETTEXT_PACKAGE, "Discard Changes?"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "keep");
  g_assert_cmpstr (adw_message_dialog_get_close_response (question), ==, "keep");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (question, "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  cl_gui_test_focus_window (GTK_WINDOW (question));
  WAIT_UNTIL (gtk_window_get_focus (GTK_WINDOW (question)) ==
              cl_gui_test_find_child (GTK_WIDGET (question), GTK_TYPE_BUTTON,
                                      g_dgettext (GETTEXT_PACKAGE, "_Keep Editing")), 2000);
  return question;
}

/**
 * cl_gui_test_find_child:
 * @label: (nullable): for a button, its label (with its mnemonic)
 *
 * Returns: (transfer none) (nullable): the first descendant of @widget (or @widget) of
 *   @type, labelled @label unless %NULL
 */
GtkWidget *
cl_gui_test_find_child (GtkWidget  *widget,
                        GType       type,
                        const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cl_gui_test_find_child (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The edits of @store waiting to be sent: the outbox without the audit events (opening a
 * case is audited, and audit events sync like records). */
gint64
cl_gui_test_outbox_length (ClStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = cl_store_outbox_length (store, &error);
  gint64 audit;

  g_assert_no_error (error);
  audit = cl_store_count (store, "audit", NULL, &error);
  g_assert_no_error (error);
  return n - audit;
}

/* Returns: (transfer none): @app's main window (the one with the case list) */
ClWindow *
cl_gui_test_main_window (ClApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (CL_IS_WINDOW (l->data))
      return CL_WINDOW (l->data);
  g_assert_not_reached ();
}

/* Returns: (transfer none): the store of @app's unlocked vault */
ClStore *
cl_gui_test_store (ClApplication *app)
{
  ClStore *store = cl_context_get_store (cl_application_get_context (app));

  g_assert_nonnull (store);
  return store;
}

/* Returns: (transfer full) (nullable): @field of the stored record @type @id, which must
 * exist */
char *
cl_gui_test_stored (ClStore    *store,
                    const char *type,
                    const char *id,
                    const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClRecord) record = cl_store_get (store, type, id, &error);

  g_assert_no_error (error);
  return g_strdup (cl_record_get (record, field));
}
