#!/bin/sh
# The store is the only way into the vault: the desktop's widgets and caseloadctl's commands
# call the core's API and never SQLite itself. Both link the core (a static library that
# brings SQLCipher onto the link line), so the linker alone cannot refuse it: this lists the
# symbols their own object files need and fails on any of SQLite's or SQLCipher's.
#
# Usage: check-layering.sh OBJECT|ARCHIVE|DIRECTORY-OF-OBJECTS...
set -eu

command -v nm >/dev/null || { echo "nm (binutils) is needed" >&2; exit 1; }
[ $# -gt 0 ] || { echo "usage: $0 OBJECT-OR-ARCHIVE..." >&2; exit 1; }

files=""
for arg in "$@"; do
  [ -e "$arg" ] || { echo "$arg: missing" >&2; exit 1; }
  if [ -d "$arg" ]; then
    files="$files $(find "$arg" -name '*.o' | sort | tr '\n' ' ')"
  else
    files="$files $arg"
  fi
done
set -- $files
[ $# -gt 0 ] || { echo "no object files found" >&2; exit 1; }

status=0
for file in "$@"; do
  found=$(nm --undefined-only --no-sort "$file" 2>/dev/null |
          awk '$NF ~ /^(sqlite3|sqlcipher)_/ { print $NF }' | sort -u)
  if [ -n "$found" ]; then
    echo "$file calls SQL directly:" $found >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "no SQL outside the core in $# files"
exit $status
