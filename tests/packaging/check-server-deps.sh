#!/bin/sh
# check-server-deps.sh: a server-only build (`meson setup -Dgui=false`, as
# docs/DEPLOYMENT.md does) finds every pkg-config dependency it asks for in a package of
# `tools/install-deps --server`.
#
#   check-server-deps.sh SOURCE_ROOT
set -u
source=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

if ! meson setup "$tmp/build" "$source" -Dgui=false >"$tmp/setup.log" 2>&1; then
  cat "$tmp/setup.log"
  echo "meson setup -Dgui=false failed"
  exit 1
fi
profile=$("$source/tools/install-deps" --server --list)
names=$(meson introspect "$tmp/build" --dependencies |
        python3 -c 'import json, sys; print("\n".join(sorted({d["name"] for d in json.load(sys.stdin)})))')
[ -n "$names" ] || { echo "meson introspect listed no dependency"; exit 1; }
for name in $names; do
  pc=$(pkg-config --path "$name") || { echo "pkg-config does not know $name"; status=1; continue; }
  package=$(dpkg -S "$pc" | sed 's/:.*//')
  if printf '%s\n' $profile | grep -qx "$package"; then
    echo "$name: $package"
  else
    echo "$name comes from $package, which tools/install-deps --server does not install"
    status=1
  fi
done
if printf '%s\n' $names | grep -q '^gtk4$\|^libadwaita'; then
  echo "the server-only build asks for GTK"
  status=1
fi
exit $status
