/* cl-first-run.c: create a vault (or explore a demo) the first time Caseload starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Welcome → passphrase (twice, with strength feedback) → the vault is created off the main
 * thread → the recovery key, shown once, with Save (a file of mode 0600) and Print, and a
 * check box that it was stored before Continue. Or: Explore a Demo, which creates a vault
 * of synthetic cases (cl_demo_generate) beside the real one and opens it. A demo is kept
 * until the advocate leaves it (the window's Leave Demo): Explore a Demo, and the next start
 * of the app (cl_first_run_reopen_demo), open it as it was left.
 *
 * Later, when sync lands, enrolling the workstation joins this flow.
 */

#define G_LOG_DOMAIN "cl-first-run"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cl-enroll-dialog.h"
#include "cl-first-run.h"
#include "cl-gui-util.h"

#define DEFAULT_DEMO_CASES 1000

struct _ClFirstRun
{
  AdwBin              parent_instance;

  GtkWidget          *back_button;
  GtkStack           *stack;
  AdwStatusPage      *welcome_page;
  AdwPasswordEntryRow *passphrase_row;
  AdwPasswordEntryRow *confirm_row;
  GtkLevelBar        *strength_bar;
  GtkLabel           *strength_label;
  GtkLabel           *error_label;
  GtkWidget          *confirm_button;
  AdwStatusPage      *working_page;
  GtkSpinner         *spinner;
  GtkLabel           *key_label;
  GtkCheckButton     *stored_check;
  GtkWidget          *continue_button;

  ClContext          *context;
  GCancellable       *cancellable;
  ClSecret           *recovery_key;
  GtkFileChooserNative *chooser;
  gboolean            offer_server;
};

G_DEFINE_FINAL_TYPE (ClFirstRun, cl_first_run, ADW_TYPE_BIN)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Strength ------------------------------------------------------------------------- */

/**
 * cl_first_run_estimate_strength:
 *
 * A rough estimate, for feedback only: 0 too short, 1 weak, 2 fair, 3 good, 4 strong.
 * Length counts most; character variety and several words help; repeats and common
 * passwords hurt.
 */
int
cl_first_run_estimate_strength (const char *passphrase)
{
  static const char * const common[] = {
    "password", "passw0rd", "123456", "qwerty", "letmein", "welcome", "caseload",
    "nypd", "precinct", "iloveyou", "admin", "abc123", NULL
  };
  g_autofree char *lower = NULL;
  gboolean has_lower = FALSE, has_upper = FALSE, has_digit = FALSE, has_other = FALSE;
  GHashTable *seen;
  glong len;
  guint unique, words = 1;
  double pool = 0, bits;

  if (passphrase == NULL)
    return 0;

  len = g_utf8_strlen (passphrase, -1);
  if (len < CL_VAULT_MIN_PASSPHRASE)
    return 0;

  seen = g_hash_table_new (NULL, NULL);
  for (const char *p = passphrase; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_islower (c))
        has_lower = TRUE;
      else if (g_unichar_isupper (c))
        has_upper = TRUE;
      else if (g_unichar_isdigit (c))
        has_digit = TRUE;
      else if (c == ' ')
        words++;
      else
        has_other = TRUE;

      g_hash_table_add (seen, GUINT_TO_POINTER (c));
    }
  unique = g_hash_table_size (seen);
  g_hash_table_unref (seen);

  pool += has_lower ? 26 : 0;
  pool += has_upper ? 26 : 0;
  pool += has_digit ? 10 : 0;
  pool += has_other ? 33 : 0;
  pool += words > 1 ? 1 : 0;
  pool = MAX (pool, 10);

  bits = len * log2 (pool);

  /* Repeats ("aaaaaaaa", "abababab") carry little. */
  if (unique < (guint) len / 3)
    bits /= 3;
  else if (unique < (guint) len / 2)
    bits /= 1.5;

  lower = g_utf8_strdown (passphrase, -1);
  for (guint i = 0; common[i] != NULL; i++)
    if (strstr (lower, common[i]) != NULL)
      bits -= 20;

  if (words >= 4)
    bits += 10;

  if (bits < 40)
    return 1;
  if (bits < 60)
    return 2;
  if (bits < 80)
    return 3;
  return 4;
}

static void
show_error (ClFirstRun *self,
            const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_strength (ClFirstRun *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  int strength = cl_first_run_estimate_strength (text);
  g_autoptr(GError) weak = NULL;
  gboolean acceptable = cl_vault_check_passphrase (text, &weak);
  g_autofree char *feedback = NULL;

  /* Long enough but easy to guess: the vault's own rule says why. */
  if (strength > 0 && !acceptable)
    strength = 1;
  gtk_level_bar_set_value (self->strength_bar, strength);

  switch (strength)
    {
    case 0:
      if (*text == '\0')
        feedback = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "At least %d character.",
                                                 "At least %d characters.",
                                                 CL_VAULT_MIN_PASSPHRASE),
                                    CL_VAULT_MIN_PASSPHRASE);
      else
        feedback = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Too short: at least %d character.",
                                                 "Too short: at least %d characters.",
                                                 CL_VAULT_MIN_PASSPHRASE),
                                    CL_VAULT_MIN_PASSPHRASE);
      break;

    case 1:
      feedback = acceptable ? g_strdup (_("Weak: easy to guess. Add words or make it longer."))
                            : g_strdup (weak->message);
      break;

    case 2:
      feedback = g_strdup (_("Fair. A few more words would make it strong."));
      break;

    case 3:
      feedback = g_strdup (_("Good."));
      break;

    case 4:
    default:
      feedback = g_strdup (_("Strong."));
      break;
    }

  gtk_label_set_text (self->strength_label, feedback);

  if (*again != '\0' && g_strcmp0 (text, again) != 0)
    show_error (self, _("The passphrases do not match."));
  else
    show_error (self, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "first-run.create-vault",
                                 acceptable && strength >= 2 && g_strcmp0 (text, again) == 0);
}

static void
passphrase_changed_cb (ClFirstRun *self)
{
  update_strength (self);
}

/* Enter in the passphrase moves on to repeating it. */
static void
passphrase_activated_cb (ClFirstRun *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
}

static void
confirm_activated_cb (ClFirstRun *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "first-run.create-vault", NULL);
}

static void
stored_toggled_cb (ClFirstRun *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "first-run.finish",
                                 gtk_check_button_get_active (self->stored_check));
}

static void
show_page (ClFirstRun *self,
           const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_widget_set_visible (self->back_button, g_str_equal (name, "passphrase"));
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "working"));
}

static void
clear_passphrases (ClFirstRun *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
}

/* Creating ------------------------------------------------------------------------- */

static void
create_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ClFirstRun) self = user_data;
  g_autoptr(GError) error = NULL;
  ClSecret *key = NULL;

  if (!cl_context_create_vault_finish (CL_CONTEXT (object), result, &key, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_page (self, "passphrase");
      /* Translators: %s is the reason */
      {
        g_autofree char *message = g_strdup_printf (_("Could not create the vault: %s"),
                                                    error->message);
        show_error (self, message);
      }
      return;
    }

  g_clear_pointer (&self->recovery_key, cl_secret_free);
  self->recovery_key = key;

  gtk_label_set_text (self->key_label, key != NULL ? cl_secret_get_string (key) : "");
  gtk_check_button_set_active (self->stored_check, FALSE);
  stored_toggled_cb (self);
  show_page (self, "recovery");
}

static void
create_vault_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);
  g_autoptr(ClSecret) passphrase = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (self->context == NULL || cl_first_run_estimate_strength (text) < 2 ||
      !cl_vault_check_passphrase (text, NULL) ||
      g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (self->confirm_row))) != 0)
    return;

  passphrase = cl_secret_new_from_string (text);
  clear_passphrases (self);

  adw_status_page_set_title (self->working_page, _("Creating Your Vault…"));
  adw_status_page_set_description (self->working_page,
                                   _("Deriving the encryption key takes a moment."));
  show_page (self, "working");

  cl_context_create_vault_async (self->context, passphrase, self->cancellable,
                                 create_done_cb, g_object_ref (self));
}

/* Recovery key --------------------------------------------------------------------- */

static char *
recovery_document (ClFirstRun *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%x");

  return g_strdup_printf ("%s\n\n%s\n\n%s\n%s\n",
                          _("Caseload recovery key"),
                          cl_secret_get_string (self->recovery_key),
                          /* Translators: %s is a date */
                          date,
                          _("Keep this key locked away. Anyone who has it and this "
                            "computer's vault can read every case in it."));
}

static gboolean
write_private_file (const char  *path,
                    const char  *contents,
                    GError     **error)
{
  gsize len = strlen (contents);
  gsize done = 0;
  int fd;

  /* Mode 0600 from the start, and again in case the file was already there. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }

  while (done < len)
    {
      gssize n = write (fd, contents + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s",
                       g_strerror (saved));
          return FALSE;
        }
      done += n;
    }

  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

static void
chooser_response_cb (ClFirstRun           *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *document = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->recovery_key != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;

      if (path == NULL)
        show_error (self, _("Choose a file on this computer or a removable drive."));
      else
        {
          document = recovery_document (self);
          if (!write_private_file (path, document, &error))
            {
              /* Translators: %s is the reason */
              g_autofree char *message = g_strdup_printf (_("Could not save the key: %s"),
                                                          error->message);
              show_error (self, message);
            }
          else
            show_error (self, NULL);
          memset (document, 0, strlen (document));
        }
    }

  g_clear_object (&self->chooser);
}

static void
save_key_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);

  if (self->recovery_key == NULL)
    return;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Save the Recovery Key"),
                                               cl_widget_get_window (widget),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser),
                                     /* Translators: a file name */
                                     _("caseload-recovery-key.txt"));
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              ClFirstRun        *self)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) title_font = pango_font_description_from_string ("Sans Bold 18");
  g_autoptr(PangoFontDescription) key_font = pango_font_description_from_string ("Monospace 14");
  g_autoptr(PangoFontDescription) body_font = pango_font_description_from_string ("Sans 11");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%x");
  int height;
  double y = 0;

  if (self->recovery_key == NULL)
    return;

  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);

  pango_layout_set_font_description (layout, title_font);
  pango_layout_set_text (layout, _("Caseload recovery key"), -1);
  cairo_move_to (cr, 0, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, NULL, &height);
  y += height + 24;

  pango_layout_set_font_description (layout, key_font);
  pango_layout_set_text (layout, cl_secret_get_string (self->recovery_key), -1);
  cairo_move_to (cr, 0, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, NULL, &height);
  y += height + 24;

  pango_layout_set_font_description (layout, body_font);
  {
    /* Translators: %s is a date */
    g_autofree char *text = g_strdup_printf (_("Created on %s.\n\nIf the passphrase of this "
                                               "workstation's vault is forgotten, this key "
                                               "opens it. Keep it locked away: anyone who has "
                                               "it and the vault can read every case."),
                                             date);
    pango_layout_set_text (layout, text, -1);
  }
  cairo_move_to (cr, 0, y);
  pango_cairo_show_layout (cr, layout);
}

static void
print_key_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;

  if (self->recovery_key == NULL)
    return;

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_job_name (operation, _("Caseload recovery key"));
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (draw_page_cb), self, 0);

  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               cl_widget_get_window (widget), &error) ==
      GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      /* Translators: %s is the reason */
      g_autofree char *message = g_strdup_printf (_("Could not print: %s"), error->message);
      show_error (self, message);
    }
}

static void
finish_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);

  if (!gtk_check_button_get_active (self->stored_check))
    return;

  g_clear_pointer (&self->recovery_key, cl_secret_free);
  gtk_label_set_text (self->key_label, "");
  gtk_check_button_set_active (self->stored_check, FALSE);

  /* The optional last step: the organization's server. */
  if (self->offer_server && self->context != NULL && cl_context_get_sync (self->context) != NULL)
    {
      show_page (self, "server");
      return;
    }

  g_signal_emit (self, signals[DONE], 0);
}

static void
enroll_closed_cb (ClFirstRun *self)
{
  ClSync *sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;

  if (sync != NULL && cl_sync_is_enrolled (sync) &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "server") == 0)
    g_signal_emit (self, signals[DONE], 0);
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  ClEnrollDialog *dialog;

  if (self->context == NULL || cl_context_get_sync (self->context) == NULL)
    return;

  dialog = cl_enroll_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->context);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (enroll_closed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  g_signal_emit (widget, signals[DONE], 0);
}

/* Demo ----------------------------------------------------------------------------- */

static void
demo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClFirstRun) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cl_context_open_demo_finish (CL_CONTEXT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_page (self, "welcome");
      {
        /* Translators: %s is the reason */
        g_autofree char *message = g_strdup_printf (_("Could not create the demo: %s"),
                                                    error->message);
        adw_status_page_set_description (self->welcome_page, message);
      }
      return;
    }

  g_signal_emit (self, signals[DONE], 0);
}

static char *
demo_vault_dir (ClFirstRun *self)
{
  return g_strconcat (cl_context_get_vault_dir (self->context), "-demo", NULL);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);
  g_autofree char *demo_dir = NULL;
  const char *env = g_getenv ("CASELOAD_DEMO_CASES");
  guint n_cases = DEFAULT_DEMO_CASES;

  if (self->context == NULL)
    return;

  if (env != NULL && *env != '\0')
    n_cases = (guint) CLAMP (g_ascii_strtoull (env, NULL, 10), 1, 1000000);

  demo_dir = demo_vault_dir (self);

  /* A demo explored before is opened as it was left, never made anew over it. */
  if (cl_vault_exists (demo_dir))
    adw_status_page_set_title (self->working_page, _("Opening the Demo Vault…"));
  else
    adw_status_page_set_title (self->working_page, _("Creating a Demo Vault…"));
  adw_status_page_set_description (self->working_page,
                                   _("Made-up cases, clients and contacts: nothing in it is "
                                     "real. Its passphrase is caseload-demo."));
  show_page (self, "working");

  cl_context_open_demo_async (self->context, demo_dir, n_cases, self->cancellable,
                              demo_done_cb, g_object_ref (self));
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);

  clear_passphrases (self);
  update_strength (self);
  show_page (self, "passphrase");
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  ClFirstRun *self = CL_FIRST_RUN (widget);

  clear_passphrases (self);
  show_page (self, "welcome");
}

/* Object --------------------------------------------------------------------------- */

static void
cl_first_run_dispose (GObject *object)
{
  ClFirstRun *self = (ClFirstRun *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_pointer (&self->recovery_key, cl_secret_free);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_FIRST_RUN);

  G_OBJECT_CLASS (cl_first_run_parent_class)->dispose (object);
}

static void
cl_first_run_class_init (ClFirstRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_first_run_dispose;

  /**
   * ClFirstRun::done:
   *
   * The vault exists and is open (the recovery key was stored), or the demo is open.
   */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-first-run.ui");
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, stack);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, strength_label);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, working_page);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, key_label);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, stored_check);
  gtk_widget_class_bind_template_child (widget_class, ClFirstRun, continue_button);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, stored_toggled_cb);

  gtk_widget_class_install_action (widget_class, "first-run.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "first-run.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "first-run.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "first-run.create-vault", NULL,
                                   create_vault_action);
  gtk_widget_class_install_action (widget_class, "first-run.save-key", NULL, save_key_action);
  gtk_widget_class_install_action (widget_class, "first-run.print-key", NULL,
                                   print_key_action);
  gtk_widget_class_install_action (widget_class, "first-run.finish", NULL, finish_action);
  gtk_widget_class_install_action (widget_class, "first-run.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "first-run.skip", NULL, skip_action);
}

static void
cl_first_run_init (ClFirstRun *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cl_password_set_tooltips (GTK_EDITABLE (self->passphrase_row));
  cl_password_set_tooltips (GTK_EDITABLE (self->confirm_row));

  self->cancellable = g_cancellable_new ();

  gtk_level_bar_add_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_LOW, 1);
  gtk_level_bar_add_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_HIGH, 3);
  gtk_level_bar_add_offset_value (self->strength_bar, GTK_LEVEL_BAR_OFFSET_FULL, 4);

  adw_status_page_set_icon_name (self->welcome_page, APPLICATION_ID);

  update_strength (self);
  stored_toggled_cb (self);
}

void
cl_first_run_set_context (ClFirstRun *self,
                          ClContext  *context)
{
  g_return_if_fail (CL_IS_FIRST_RUN (self));
  g_return_if_fail (CL_IS_CONTEXT (context));

  g_set_object (&self->context, context);
}

/**
 * cl_first_run_set_offer_server:
 *
 * Whether the first run ends with the optional "connect to your organization's server"
 * step (the window's does; a first run shown elsewhere need not).
 */
void
cl_first_run_set_offer_server (ClFirstRun *self,
                               gboolean    offer_server)
{
  g_return_if_fail (CL_IS_FIRST_RUN (self));

  self->offer_server = !!offer_server;
}

/**
 * cl_first_run_reset:
 *
 * Back to the welcome page, forgetting anything typed and the recovery key shown.
 */
void
cl_first_run_reset (ClFirstRun *self)
{
  g_return_if_fail (CL_IS_FIRST_RUN (self));

  clear_passphrases (self);
  g_clear_pointer (&self->recovery_key, cl_secret_free);
  gtk_label_set_text (self->key_label, "");
  gtk_check_button_set_active (self->stored_check, FALSE);
  show_error (self, NULL);
  show_page (self, "welcome");
}

/**
 * cl_first_run_get_page:
 *
 * Returns: "welcome", "passphrase", "working", "recovery" or "server"
 */
const char *
cl_first_run_get_page (ClFirstRun *self)
{
  g_return_val_if_fail (CL_IS_FIRST_RUN (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * cl_first_run_set_passphrase:
 *
 * Types a passphrase and its confirmation, as the advocate would.
 */
void
cl_first_run_set_passphrase (ClFirstRun *self,
                             const char *passphrase,
                             const char *confirmation)
{
  g_return_if_fail (CL_IS_FIRST_RUN (self));

  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), passphrase);
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), confirmation);
}

int
cl_first_run_get_strength (ClFirstRun *self)
{
  g_return_val_if_fail (CL_IS_FIRST_RUN (self), 0);

  return (int) gtk_level_bar_get_value (self->strength_bar);
}

/**
 * cl_first_run_set_stored:
 *
 * What ticking "I stored the recovery key" does.
 */
void
cl_first_run_set_stored (ClFirstRun *self,
                         gboolean    stored)
{
  g_return_if_fail (CL_IS_FIRST_RUN (self));

  gtk_check_button_set_active (self->stored_check, stored);
}

/**
 * cl_first_run_get_recovery_key:
 *
 * Returns: the recovery key shown, or "" once the first run is done
 */
const char *
cl_first_run_get_recovery_key (ClFirstRun *self)
{
  g_return_val_if_fail (CL_IS_FIRST_RUN (self), NULL);

  return gtk_label_get_text (self->key_label);
}

/**
 * cl_first_run_reopen_demo:
 *
 * When a demo vault was explored before (and not left), opens it again, as "Explore a
 * Demo" would; ::done follows.
 *
 * Returns: whether there was a demo to open
 */
gboolean
cl_first_run_reopen_demo (ClFirstRun *self)
{
  g_autofree char *demo_dir = NULL;

  g_return_val_if_fail (CL_IS_FIRST_RUN (self), FALSE);

  if (self->context == NULL)
    return FALSE;

  demo_dir = demo_vault_dir (self);
  if (!cl_vault_exists (demo_dir))
    return FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self), "first-run.demo", NULL);
  return TRUE;
}
