#!/bin/sh
# check-build-catalogs.sh CASELOADCTL PODIR: an uninstalled build speaks the catalogs of its
# own tree (CASELOAD_LOCALEDIR, as tools/run-app sets it): Spanish with it, English without.
set -eu
ctl=$1
podir=$2
out=$(CASELOAD_LOCALEDIR="$podir" LANG=es_US.UTF-8 LC_ALL=es_US.UTF-8 LANGUAGE=es "$ctl" --help 2>&1 || true)
case "$out" in
  Uso:*) ;;
  *) echo "caseloadctl --help is not in Spanish with CASELOAD_LOCALEDIR=$podir:" >&2
     echo "$out" | head -n 5 >&2
     exit 1 ;;
esac
# Without the override it falls back to the installed catalogs (none in a build tree): English.
out=$(LANG=es_US.UTF-8 LC_ALL=es_US.UTF-8 LANGUAGE=es CASELOAD_LOCALEDIR=/nonexistent "$ctl" --help 2>&1 || true)
case "$out" in
  Usage:*) ;;
  *) echo "caseloadctl --help without catalogs is not English" >&2; exit 1 ;;
esac
echo "ok"
