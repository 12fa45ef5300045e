/* cl-context.h: what an open Caseload session holds (vault, store, settings)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cl-secret.h"
#include "cl-store.h"
#include "cl-sync.h"
#include "cl-vault.h"

G_BEGIN_DECLS

#define CL_TYPE_CONTEXT (cl_context_get_type ())
G_DECLARE_FINAL_TYPE (ClContext, cl_context, CL, CONTEXT, GObject)

ClContext   *cl_context_new                 (const char          *vault_dir,
                                             GSettings           *settings);
const char  *cl_context_get_vault_dir       (ClContext           *self);
GSettings   *cl_context_get_settings        (ClContext           *self);
gboolean     cl_context_get_locked          (ClContext           *self);
gboolean     cl_context_get_demo            (ClContext           *self);
ClVault     *cl_context_get_vault           (ClContext           *self);
ClStore     *cl_context_get_store           (ClContext           *self);
gboolean     cl_context_vault_exists        (ClContext           *self);

void         cl_context_create_vault_async  (ClContext           *self,
                                             ClSecret            *passphrase,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     cl_context_create_vault_finish (ClContext           *self,
                                             GAsyncResult        *result,
                                             ClSecret           **recovery_key,
                                             GError             **error);
void         cl_context_unlock_async        (ClContext           *self,
                                             ClSecret            *passphrase,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     cl_context_unlock_finish       (ClContext           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         cl_context_recover_async       (ClContext           *self,
                                             ClSecret            *recovery_key,
                                             ClSecret            *new_passphrase,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     cl_context_recover_finish      (ClContext           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         cl_context_open_demo_async     (ClContext           *self,
                                             const char          *demo_dir,
                                             guint                n_cases,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     cl_context_open_demo_finish    (ClContext           *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         cl_context_lock                (ClContext           *self);
void         cl_context_discard_demo        (ClContext           *self);

ClSync      *cl_context_get_sync            (ClContext           *self);
gboolean     cl_context_get_syncing         (ClContext           *self);
const GError *cl_context_get_sync_error     (ClContext           *self);
const char   *cl_context_get_sync_notice    (ClContext           *self);
void         cl_context_sync_now            (ClContext           *self);
void         cl_context_sync_changed        (ClContext           *self);

G_END_DECLS
