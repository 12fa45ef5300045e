#!/bin/sh
# check-po.sh SRCDIR: every language of po/LINGUAS has a .po file that msgfmt accepts
# (format strings, plural forms, headers) and that translates the whole interface.
set -eu
src=$1
status=0
langs=$(grep -v '^#' "$src/po/LINGUAS" | tr -s ' \n' ' ')
if [ -z "$langs" ]; then
  echo "po/LINGUAS lists no language" >&2
  exit 1
fi
for lang in $langs; do
  po="$src/po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "$lang: po/$lang.po is missing" >&2
    status=1
    continue
  fi
  if ! out=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$lang: $out" >&2
    status=1
    continue
  fi
  echo "$lang: $out"
  case "$out" in
    *untranslated*|*fuzzy*) echo "$lang: incomplete translation" >&2; status=1 ;;
  esac
done
exit $status
