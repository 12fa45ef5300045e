/* srv-notify.c: the service manager's notification protocol (sd_notify)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under systemd's Type=notify, $NOTIFY_SOCKET names a datagram socket (a path, or an
 * abstract name written with a leading '@'); each datagram is newline-separated
 * assignments such as READY=1, RELOADING=1, STOPPING=1, STATUS=…. Without the variable
 * there is nobody to tell, and nothing is sent.
 */

#define G_LOG_DOMAIN "srv-notify"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "srv-notify.h"

/**
 * srv_notify:
 * @state: newline-separated assignments, e.g. "READY=1\nSTATUS=Serving"
 *
 * Tells the service manager @state. A failure is logged: the service itself goes on.
 */
void
srv_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  gsize len;
  int fd;

  if (path == NULL || *path == '\0')
    return;
  len = strlen (path);
  if ((path[0] != '/' && path[0] != '@') || len >= sizeof address.sun_path)
    {
      g_message ("NOTIFY_SOCKET is not a Unix socket path or abstract name: not notifying");
      return;
    }
  memcpy (address.sun_path, path, len);
  if (path[0] == '@')
    address.sun_path[0] = '\0';

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_message ("Cannot notify the service manager: %s", g_strerror (errno));
      return;
    }
  if (sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &address,
              (socklen_t) (offsetof (struct sockaddr_un, sun_path) + len)) < 0)
    g_message ("Cannot notify the service manager: %s", g_strerror (errno));
  close (fd);
}
