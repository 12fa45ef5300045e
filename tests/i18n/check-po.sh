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
# The template as the sources stand now: a translation must cover every current string.
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
(cd "$src" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
   --keyword=NC_:1c,2 --keyword=ngettext:1,2 --keyword=g_dngettext:2,3 \
   --add-comments=Translators --package-name=caseload -f po/POTFILES.in -o "$pot")

for lang in $langs; do
  po="$src/po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "$lang: po/$lang.po is missing" >&2
    status=1
    continue
  fi
  if ! out=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    if ! missing=$(msgcmp "$po" "$pot" 2>&1); then
    echo "$lang: strings of the current sources are not translated:" >&2
    echo "$missing" | head -n 20 >&2
    status=1
    continue
  fi
  echo "$lang: $out" >&2
    status=1
    continue
  fi
  if ! missing=$(msgcmp "$po" "$pot" 2>&1); then
    echo "$lang: strings of the current sources are not translated:" >&2
    echo "$missing" | head -n 20 >&2
    status=1
    continue
  fi
  echo "$lang: $out"
  case "$out" in
    *untranslated*|*fuzzy*) echo "$lang: incomplete translation" >&2; status=1 ;;
  esac
done
exit $status
