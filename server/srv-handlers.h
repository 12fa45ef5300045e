/* srv-handlers.h: the endpoints, each run in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "srv-http.h"

G_BEGIN_DECLS

void srv_handle_health    (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_login     (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_refresh   (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_trust     (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_logout    (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_erased    (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_push      (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_pull      (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_conflicts (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_resolve   (SrvWorker *worker, SrvRequest *request, SrvResponse *response);
void srv_handle_report    (SrvWorker *worker, SrvRequest *request, SrvResponse *response);

G_END_DECLS
