#!/bin/sh
# check-plurals.sh SRCDIR: every ngettext entry of every catalog has as many plural forms
# as its Plural-Forms header says (six in Arabic, three in Polish and Russian, one in
# Chinese and Korean), and every form is translated: a missing form shows English, an
# extra one is never used.
set -eu
src=$1
status=0
for lang in $(grep -v '^#' "$src/po/LINGUAS"); do
  po="$src/po/$lang.po"
  awk -v lang="$lang" '
    function finish() {
      if (plural && forms != nplurals) {
        printf "%s: line %d: %d plural forms, the header says %d\n", lang, start, forms, nplurals
        bad = 1
      }
      if (plural && empty) {
        printf "%s: line %d: an empty plural form\n", lang, start
        bad = 1
      }
      plural = 0; forms = 0; empty = 0
    }
    /^#~/ { next }
    /Plural-Forms:/ {
      if (match($0, /nplurals=[0-9]+/))
        nplurals = substr($0, RSTART + 9, RLENGTH - 9) + 0
    }
    /^msgid / { finish(); start = NR }
    /^msgid_plural / { plural = 1 }
    /^msgstr\[[0-9]+\] / {
      if (pending_empty) empty = 1
      forms++
      if ($0 ~ /^msgstr\[[0-9]+\] ""$/) { pending_empty = 1 } else { pending_empty = 0 }
      next
    }
    /^"/ { if (pending_empty) pending_empty = 0; next }
    /^$/ { if (pending_empty) empty = 1; pending_empty = 0; finish() }
    END {
      if (pending_empty) empty = 1
      finish()
      if (nplurals == 0) { printf "%s: no Plural-Forms header\n", lang; bad = 1 }
      exit bad
    }
  ' "$po" || status=1
done
exit $status
