/* cl-sync-indicator.c: the header bar's sync state, and Sync Now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A split button: its icon and tooltip say whether the vault is up to date, how many
 * changes wait to be sent, whether the workstation is offline, not connected to a server,
 * or why the last round failed; a click syncs now (app.sync-now), the menu offers the
 * conflicts and the server settings. Hidden while locked and in the demo, which never
 * syncs. The tooltip is also the accessible label: the button shows only an icon. During a
 * first pull it tells the records pulled of the total.
 */

#define G_LOG_DOMAIN "cl-sync-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "cl-sync-indicator.h"

struct _ClSyncIndicator
{
  AdwBin          parent_instance;

  AdwSplitButton *split_button;
  GtkStack       *icon_stack;
  GtkImage       *icon;
  GtkSpinner     *spinner;
  GtkLabel       *count_label;
  GtkWidget      *sync_button;    /* the split button's main part */

  ClContext      *context;
  ClSync         *followed;       /* (unowned, weak): the engine whose progress is shown */
  const char     *state;
  gint64          pending;
};

G_DEFINE_FINAL_TYPE (ClSyncIndicator, cl_sync_indicator, ADW_TYPE_BIN)

static void
show (ClSyncIndicator *self,
      const char      *state,
      const char      *icon_name,
      const char      *tooltip)
{
  gboolean busy = g_strcmp0 (state, "syncing") == 0;

  self->state = state;
  gtk_image_set_from_icon_name (self->icon, icon_name);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->icon_stack, busy ? "spinner" : "icon");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->split_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->split_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  /* The button that takes the focus is the split button's inner one: a screen reader
   * names it, not the split button (GTK 4.8 read its type and the count). */
  if (self->sync_button != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                    -1);
}

/* Names the split button's two inner buttons, which are what takes the focus. */
static void
name_inner_buttons (ClSyncIndicator *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->split_button));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_MENU_BUTTON (child))
        {
          GtkWidget *toggle = gtk_widget_get_first_child (child);

          gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sync Options"),
                                          -1);
          if (toggle != NULL)
            {
              gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sync Options"),
                                              -1);
              /* Or GTK 4.8 says "Sync Options" twice, this label and its menu button's. */
              gtk_accessible_reset_relation (GTK_ACCESSIBLE (toggle),
                                             GTK_ACCESSIBLE_RELATION_LABELLED_BY);
            }
        }
      else if (GTK_IS_BUTTON (child))
        self->sync_button = child;
    }
}

static char *
waiting_text (gint64 pending)
{
  /* Translators: changes made on this workstation that the server has not received yet */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%lld change waiting to be sent",
                                       "%lld changes waiting to be sent",
                                       (gulong) pending), (long long) pending);
}

/**
 * cl_sync_indicator_refresh:
 *
 * Reads the state again (the context's ::sync-changed does this by itself).
 */
void
cl_sync_indicator_refresh (ClSyncIndicator *self)
{
  g_auto(ClSyncStatus) status = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *tooltip = NULL;
  const GError *sync_error;
  ClSync *sync;

  g_return_if_fail (CL_IS_SYNC_INDICATOR (self));

  sync = self->context != NULL ? cl_context_get_sync (self->context) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self), sync != NULL);
  if (sync != NULL)
    cl_sync_indicator_follow (self, sync);
  self->pending = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);

  if (sync == NULL || !cl_sync_get_status (sync, &status, &error))
    {
      self->state = NULL;
      gtk_spinner_set_spinning (self->spinner, FALSE);
      return;
    }

  self->pending = status.pending;
  if (status.pending > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, status.pending);

      gtk_label_set_text (self->count_label, count);
      gtk_widget_set_visible (GTK_WIDGET (self->count_label), TRUE);
      waiting = waiting_text (status.pending);
    }

  sync_error = cl_context_get_sync_error (self->context);

  if (cl_context_get_syncing (self->context))
    show (self, "syncing", "emblem-synchronizing-symbolic", _("Syncing…"));
  else if (!cl_sync_is_enrolled (sync))
    {
      if (waiting != NULL)
        /* Translators: %s is "N changes waiting to be sent" */
        tooltip = g_strdup_printf (_("Not connected to a server. %s"), waiting);
      show (self, "not-connected", "network-offline-symbolic",
            tooltip != NULL ? tooltip : _("Not connected to a server"));
    }
  else if (g_error_matches (sync_error, CL_SYNC_ERROR, CL_SYNC_ERROR_AUTH))
    show (self, "error", "dialog-password-symbolic",
          _("Sign in again to sync: your session with the server ended"));
  else if (g_error_matches (sync_error, CL_SYNC_ERROR, CL_SYNC_ERROR_NETWORK) ||
           !g_network_monitor_get_network_available (g_network_monitor_get_default ()))
    {
      /* Translators: %s is "N changes waiting to be sent", or nothing */
      tooltip = g_strdup_printf (_("Offline: changes are kept and sent when the server can be reached. %s"),
                                 waiting != NULL ? waiting : "");
      show (self, "offline", "network-offline-symbolic", g_strstrip (tooltip));
    }
  else if (sync_error != NULL)
    {
      /* Translators: %s is the reason, from the sync engine */
      tooltip = g_strdup_printf (_("Sync failed: %s"), sync_error->message);
      show (self, "error", "network-error-symbolic", tooltip);
    }
  else if (status.open_conflicts > 0 || status.rejected > 0)
    {
      gint64 n = status.open_conflicts + status.rejected;

      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%lld change needs attention",
                                              "%lld changes need attention",
                                              (gulong) n), (long long) n);
      show (self, "attention", "dialog-warning-symbolic", tooltip);
    }
  else if (status.pending > 0)
    show (self, "pending", "emblem-synchronizing-symbolic", waiting);
  else
    show (self, "up-to-date", "emblem-ok-symbolic", _("Up to date"));
}

static void
changed_cb (ClSyncIndicator *self)
{
  cl_sync_indicator_refresh (self);
}

/* A first pull's progress comes from the thread running the round; it is shown from the
 * main context, if the indicator is still there. */
typedef struct {
  GWeakRef indicator;
} ProgressTarget;

typedef struct {
  ProgressTarget *target;
  guint           pulled;
  guint           total;
} ProgressNote;

static void
progress_target_clear (gpointer data)
{
  g_weak_ref_clear (&((ProgressTarget *) data)->indicator);
}

static void
progress_target_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, progress_target_clear);
}

static void
progress_note_free (gpointer data)
{
  ProgressNote *note = data;

  progress_target_release (note->target);
  g_free (note);
}

static gboolean
progress_note_show (gpointer data)
{
  ProgressNote *note = data;
  g_autoptr(ClSyncIndicator) self = g_weak_ref_get (&note->target->indicator);
  g_autofree char *text = NULL;

  /* A note that arrives after its round ended is not shown. */
  if (self == NULL || (self->context != NULL && !cl_context_get_syncing (self->context)))
    return G_SOURCE_REMOVE;
  /* Translators: a first sync's progress; the first %u is how many records came so far,
   * the second how many it brings in all */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u record pulled",
                                       "%u of %u records pulled", note->total),
                          note->pulled, note->total);
  show (self, "syncing", "emblem-synchronizing-symbolic", text);
  return G_SOURCE_REMOVE;
}

static void
progress_cb (guint    pulled,
             guint    total,
             gpointer user_data)
{
  ProgressNote *note = g_new0 (ProgressNote, 1);

  note->target = g_atomic_rc_box_acquire (user_data);
  note->pulled = pulled;
  note->total = total;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, progress_note_show, note,
                              progress_note_free);
}

/**
 * cl_sync_indicator_follow:
 * @sync: the engine whose rounds the indicator shows
 *
 * Shows the progress of @sync's first pulls (the context's engine is followed by
 * itself).
 */
void
cl_sync_indicator_follow (ClSyncIndicator *self,
                          ClSync          *sync)
{
  ProgressTarget *target;

  g_return_if_fail (CL_IS_SYNC_INDICATOR (self));
  g_return_if_fail (CL_IS_SYNC (sync));

  if (self->followed == sync)
    return;
  g_set_weak_pointer (&self->followed, sync);
  target = g_atomic_rc_box_new0 (ProgressTarget);
  g_weak_ref_init (&target->indicator, self);
  cl_sync_set_progress_func (sync, progress_cb, target, progress_target_release);
}

/**
 * cl_sync_indicator_get_text:
 *
 * Returns: (nullable): what the indicator says (its tooltip and accessible label)
 */
const char *
cl_sync_indicator_get_text (ClSyncIndicator *self)
{
  g_return_val_if_fail (CL_IS_SYNC_INDICATOR (self), NULL);

  return gtk_widget_get_tooltip_text (GTK_WIDGET (self->split_button));
}

static void
cl_sync_indicator_dispose (GObject *object)
{
  ClSyncIndicator *self = (ClSyncIndicator *)object;

  /* The split button is the bin's child: AdwBin unparents it (disposing the template
   * as well unparented it twice). */
  g_clear_object (&self->context);
  g_clear_weak_pointer (&self->followed);

  G_OBJECT_CLASS (cl_sync_indicator_parent_class)->dispose (object);
}

static void
cl_sync_indicator_class_init (ClSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_sync_indicator_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/caseload/Caseload/cl-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, ClSyncIndicator, split_button);
  gtk_widget_class_bind_template_child (widget_class, ClSyncIndicator, icon_stack);
  gtk_widget_class_bind_template_child (widget_class, ClSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, ClSyncIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClSyncIndicator, count_label);
}

static void
cl_sync_indicator_init (ClSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  name_inner_buttons (self);
}

void
cl_sync_indicator_set_context (ClSyncIndicator *self,
                               ClContext       *context)
{
  g_return_if_fail (CL_IS_SYNC_INDICATOR (self));
  g_return_if_fail (CL_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (context, "sync-changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::locked", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::syncing", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  cl_sync_indicator_refresh (self);
}

/**
 * cl_sync_indicator_get_state:
 *
 * Returns: (nullable): "up-to-date", "pending", "syncing", "offline", "not-connected",
 *   "attention" or "error"; %NULL while hidden
 */
const char *
cl_sync_indicator_get_state (ClSyncIndicator *self)
{
  g_return_val_if_fail (CL_IS_SYNC_INDICATOR (self), NULL);

  return self->state;
}

gint64
cl_sync_indicator_get_pending (ClSyncIndicator *self)
{
  g_return_val_if_fail (CL_IS_SYNC_INDICATOR (self), 0);

  return self->pending;
}
