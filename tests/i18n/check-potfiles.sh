#!/bin/sh
# check-potfiles.sh SRCDIR: every source file with translatable strings is listed in
# po/POTFILES.in, and every listed file exists, so no string escapes the translators.
set -eu
cd "$1"
status=0
for f in $(git ls-files 'app/*.c' 'app/*.ui' 'common/*.c' 'data/*.in' 2>/dev/null || true); do
  if grep -qE '(\b_\(|\bN_\(|\bC_\(|\bNC_\(|ngettext|translatable="yes")' "$f" &&
     ! grep -qxF "$f" po/POTFILES.in; then
    echo "$f has translatable strings but is not in po/POTFILES.in" >&2
    status=1
  fi
done
while read -r f; do
  case "$f" in ''|\#*) continue ;; esac
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist" >&2
    status=1
  fi
done < po/POTFILES.in
exit $status
