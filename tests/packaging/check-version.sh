#!/bin/sh
# check-version.sh: PROGRAM --version prints "NAME VERSION", the version of meson.build.
#
#   check-version.sh PROGRAM NAME VERSION
set -u
got=$("$1" --version 2>&1)
if [ "$got" != "$2 $3" ]; then
  echo "$1 --version printed '$got', not '$2 $3'"
  exit 1
fi
echo "$got"
