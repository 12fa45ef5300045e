/* cl-secret.c: secrets in locked, guarded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ClSecret keeps its bytes in sodium_malloc() memory (guard pages, mlock'ed, wiped by
 * sodium_free()). The bytes are always followed by a NUL so a passphrase can be handed to
 * C APIs as a string. This file also holds cl_secure_init(), the process-wide hardening
 * every program and test calls first: libsodium, no core dumps, and a SQLite allocator
 * that wipes every block it frees, so decrypted pages do not linger in the heap after the
 * vault is locked (DESIGN.md §4).
 */

#define G_LOG_DOMAIN "cl-secret"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "cl-secret.h"

/* The largest passphrase file we read; anything bigger is not a passphrase. */
#define SECRET_FILE_MAX 4096

struct _ClSecret
{
  gsize   len;
  guint8 *data;   /* sodium_malloc (len + 1), data[len] == 0 */
};

/* Wipe-on-free SQLite allocator ------------------------------------------------------- */

/* Every block carries its size in a header so xFree can wipe all of it. 16 bytes keep
 * the 16-byte alignment malloc() gives (SQLite needs 8). */
#define WIPE_HEADER 16

static void *
wipe_malloc (int n)
{
  guint8 *block;

  if (n <= 0)
    return NULL;
  block = malloc ((size_t) n + WIPE_HEADER);
  if (block == NULL)
    return NULL;
  *(size_t *) block = (size_t) n;
  return block + WIPE_HEADER;
}

static void
wipe_free (void *p)
{
  guint8 *block;
  size_t n;

  if (p == NULL)
    return;
  block = (guint8 *) p - WIPE_HEADER;
  n = *(size_t *) block;
  sodium_memzero (block, n + WIPE_HEADER);
  free (block);
}

static int
wipe_size (void *p)
{
  if (p == NULL)
    return 0;
  return (int) *(size_t *) ((guint8 *) p - WIPE_HEADER);
}

/* Never realloc() in place: the old block would be released unwiped. */
static void *
wipe_realloc (void *p,
              int   n)
{
  void *q;
  int old;

  if (p == NULL)
    return wipe_malloc (n);
  q = wipe_malloc (n);
  if (q == NULL)
    return NULL;
  old = wipe_size (p);
  memcpy (q, p, (size_t) MIN (old, n));
  wipe_free (p);
  return q;
}

static int
wipe_roundup (int n)
{
  if (n <= 0 || n > G_MAXINT - 8)
    return 0;
  return (n + 7) & ~7;
}

static int
wipe_init (void *app_data)
{
  return SQLITE_OK;
}

static void
wipe_shutdown (void *app_data)
{
}

static const sqlite3_mem_methods wipe_methods = {
  wipe_malloc,
  wipe_free,
  wipe_realloc,
  wipe_size,
  wipe_roundup,
  wipe_init,
  wipe_shutdown,
  NULL,
};

/**
 * cl_secure_init:
 *
 * Process-wide hardening; call it first thing in main() of every program and test, before
 * anything touches SQLite. Initializes libsodium, disables core dumps (RLIMIT_CORE 0 and
 * PR_SET_DUMPABLE 0) and installs the wipe-on-free SQLite allocator. Idempotent and
 * thread-safe.
 */
void
cl_secure_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      struct rlimit no_core = { 0, 0 };
      int rc;

      if (sodium_init () < 0)
        g_error ("libsodium could not be initialized");

      if (setrlimit (RLIMIT_CORE, &no_core) != 0)
        g_warning ("Could not disable core dumps: %s", g_strerror (errno));
      if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        g_warning ("Could not mark the process non-dumpable: %s", g_strerror (errno));

      rc = sqlite3_config (SQLITE_CONFIG_MALLOC, &wipe_methods);
      if (rc != SQLITE_OK)
        g_critical ("SQLite was used before cl_secure_init(): decrypted pages will not be "
                    "wiped when freed (%s)", sqlite3_errstr (rc));
      rc = sqlite3_initialize ();
      if (rc != SQLITE_OK)
        g_error ("SQLite could not be initialized: %s", sqlite3_errstr (rc));

      g_once_init_leave (&initialized, 1);
    }
}

/* ClSecret ---------------------------------------------------------------------------- */

/**
 * cl_secret_new:
 * @len: the number of bytes
 *
 * Returns: (transfer full): a zero-filled secret of @len bytes (plus a terminating NUL)
 */
ClSecret *
cl_secret_new (gsize len)
{
  ClSecret *secret;

  g_return_val_if_fail (len < G_MAXSIZE - 1, NULL);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialized");

  secret = g_new0 (ClSecret, 1);
  secret->len = len;
  secret->data = sodium_malloc (len + 1);
  if (secret->data == NULL)
    g_error ("Out of secure memory allocating %" G_GSIZE_FORMAT " bytes", len + 1);
  sodium_memzero (secret->data, len + 1);
  return secret;
}

ClSecret *
cl_secret_new_from_string (const char *text)
{
  ClSecret *secret;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  len = strlen (text);
  secret = cl_secret_new (len);
  memcpy (secret->data, text, len);
  return secret;
}

/* Reads at most SECRET_FILE_MAX bytes straight into secure memory. @what names the
 * source in messages (a path or "file descriptor N"; never the content). */
static ClSecret *
read_secret_fd (int          fd,
                const char  *what,
                GError     **error)
{
  guint8 *buf;
  gsize cap = SECRET_FILE_MAX + 1;
  gsize len = 0;
  ClSecret *secret = NULL;

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialized");

  buf = sodium_malloc (cap);
  if (buf == NULL)
    g_error ("Out of secure memory");

  for (;;)
    {
      gssize n = read (fd, buf + len, cap - len);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not read the secret from %s: %s"),
                       what, g_strerror (saved_errno));
          goto out;
        }
      if (n == 0)
        break;
      len += n;
      if (len > SECRET_FILE_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       ngettext ("The secret in %s is longer than %d byte; that is not a "
                                 "passphrase file.",
                                 "The secret in %s is longer than %d bytes; that is not a "
                                 "passphrase file.", SECRET_FILE_MAX), what, SECRET_FILE_MAX);
          goto out;
        }
    }

  /* Strip exactly one trailing newline (LF or CRLF), as editors and echo add one. */
  if (len > 0 && buf[len - 1] == '\n')
    {
      len--;
      if (len > 0 && buf[len - 1] == '\r')
        len--;
    }

  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The secret in %s is empty."), what);
      goto out;
    }
  if (memchr (buf, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The secret in %s contains a NUL byte."), what);
      goto out;
    }

  secret = cl_secret_new (len);
  memcpy (secret->data, buf, len);

out:
  sodium_free (buf);
  return secret;
}

/**
 * cl_secret_new_from_file:
 * @path: a passphrase file
 * @error: return location for an error
 *
 * Reads a secret from @path without leaving copies in ordinary memory. One trailing
 * newline is removed; empty files, files larger than 4 KiB and files containing NUL bytes
 * are refused.
 *
 * Returns: (transfer full): the secret, or %NULL with @error set
 */
ClSecret *
cl_secret_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *display = NULL;
  ClSecret *secret;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display = g_filename_display_name (path);
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not open %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }

  /* Regular files are checked up front; pipes (e.g. <(…) in a shell) are read up to the
   * cap. */
  if (fstat (fd, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                       _("%s is a folder, not a passphrase file."), display);
          close (fd);
          return NULL;
        }
      if (S_ISREG (st.st_mode) && st.st_size > SECRET_FILE_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       ngettext ("The secret in %s is longer than %d byte; that is not a "
                                 "passphrase file.",
                                 "The secret in %s is longer than %d bytes; that is not a "
                                 "passphrase file.", SECRET_FILE_MAX), display, SECRET_FILE_MAX);
          close (fd);
          return NULL;
        }
    }

  secret = read_secret_fd (fd, display, error);
  close (fd);
  return secret;
}

/**
 * cl_secret_new_from_fd:
 * @fd: a readable file descriptor; it is read to its end but not closed
 * @error: return location for an error
 *
 * Like cl_secret_new_from_file() for an already open descriptor (for example
 * `caseloadctl --passphrase-fd 3`).
 *
 * Returns: (transfer full): the secret, or %NULL with @error set
 */
ClSecret *
cl_secret_new_from_fd (int      fd,
                       GError **error)
{
  g_autofree char *what = NULL;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  what = g_strdup_printf (_("file descriptor %d"), fd);
  return read_secret_fd (fd, what, error);
}

ClSecret *
cl_secret_dup (const ClSecret *secret)
{
  ClSecret *copy;

  g_return_val_if_fail (secret != NULL, NULL);

  copy = cl_secret_new (secret->len);
  memcpy (copy->data, secret->data, secret->len);
  return copy;
}

guint8 *
cl_secret_get_data (ClSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);

  return secret->data;
}

const char *
cl_secret_get_string (const ClSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);

  return (const char *) secret->data;
}

gsize
cl_secret_get_len (const ClSecret *secret)
{
  g_return_val_if_fail (secret != NULL, 0);

  return secret->len;
}

/**
 * cl_secret_equal:
 *
 * Compares two secrets in constant time (for a given length).
 */
gboolean
cl_secret_equal (const ClSecret *a,
                 const ClSecret *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  return sodium_memcmp (a->data, b->data, a->len) == 0;
}

void
cl_secret_free (ClSecret *secret)
{
  if (secret == NULL)
    return;
  sodium_free (secret->data);
  secret->data = NULL;
  secret->len = 0;
  g_free (secret);
}
