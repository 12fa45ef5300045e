#!/bin/sh
# check-install.sh: `meson install` into a temporary root holds every file under the prefix
# that docs/DEPLOYMENT.md and the manual pages name (the base backup's script executable),
# systemd-analyze verify accepts the units, systemd-sysusers and systemd-tmpfiles make the
# account and directories they promise, and NEWS starts with this version.
#
#   check-install.sh BUILD_ROOT SOURCE_ROOT PREFIX VERSION UNIT_DIR SYSUSERS_DIR TMPFILES_DIR
#
# The account and directory part runs as root, or under fakeroot otherwise.
set -u

if [ "${1:-}" = accounts ]; then
  # check-install.sh accounts ROOT SYSUSERS_FILE TMPFILES_FILE EXAMPLE_CONF (as root or
  # under fakeroot)
  root=$2 example=$5
  status=0
  mkdir -p "$root/etc" "$root/var/lib" "$root/var/backups"
  # A Debian base system's accounts (base-passwd): www-data is always there.
  printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n' \
    >"$root/etc/passwd"
  printf 'root:x:0:\nwww-data:x:33:\n' >"$root/etc/group"
  systemd-sysusers --root="$root" "$3" || status=1
  systemd-tmpfiles --root="$root" --create "$4" || status=1
  uid=$(awk -F: '$1 == "caseload" { print $3 }' "$root/etc/passwd")
  gid=$(awk -F: '$1 == "caseload" { print $3 }' "$root/etc/group")
  if [ -z "$uid" ] || [ -z "$gid" ]; then
    echo "sysusers.d: no caseload user or group"
    exit 1
  fi
  awk -F: '$1 == "caseload" && $4 == "www-data" { found = 1 } END { exit !found }' \
    "$root/etc/group" || { echo "sysusers.d: www-data is not in the caseload group"; status=1; }
  for expect in "etc/caseload 750 0 $gid" "etc/caseload/server.conf 640 0 $gid" \
                "var/lib/caseload 750 $uid $gid" "var/backups/caseload 750 $uid $gid"; do
    set -- $expect
    got=$(stat -c '%a %u %g' "$root/$1" 2>/dev/null)
    if [ "$got" != "$2 $3 $4" ]; then
      echo "tmpfiles.d: /$1 is '${got:-missing}', not '$2 $3 $4' (mode, uid, gid)"
      status=1
    fi
  done
  cmp -s "$root/etc/caseload/server.conf" "$example" ||
    { echo "tmpfiles.d: /etc/caseload/server.conf is not the example"; status=1; }
  exit $status
fi

build=$1 source=$2 prefix=$3 version=$4 unitdir=$5 sysusersdir=$6 tmpfilesdir=$7
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
status=0

if ! meson install -C "$build" --no-rebuild --destdir "$dest" --quiet >"$dest/install.log" 2>&1
then
  cat "$dest/install.log"
  echo "meson install failed"
  exit 1
fi

# Every path under /usr that the deployment guide and the manual pages name (the guide
# installs with --prefix=/usr), under this build's prefix.
named=$(cat "$source/docs/DEPLOYMENT.md" "$source"/data/*.[18] |
        sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' |
        grep -o '/usr/[A-Za-z0-9_./@-]*' | sed -e 's/[.]*$//' | sort -u)
[ -n "$named" ] || { echo "no path found in the docs"; exit 1; }
for path in $named; do
  installed="$dest$prefix${path#/usr}"
  if [ ! -e "$installed" ]; then
    echo "not installed: $path (looked for $installed)"
    status=1
  fi
done

[ -x "$dest$prefix/libexec/caseload/caseload-server-basebackup" ] ||
  { echo "libexec/caseload/caseload-server-basebackup is not installed executable"; status=1; }

# systemd-analyze verify in the temporary root, with the system's own units beside ours.
mkdir -p "$dest/usr/lib/systemd/system"
for unit in /lib/systemd/system/*.*; do
  [ -f "$unit" ] && [ "$(readlink -f "$unit")" != /dev/null ] || continue
  [ -e "$dest/usr/lib/systemd/system/${unit##*/}" ] || cp -L "$unit" "$dest/usr/lib/systemd/system/"
done
# The system's programs the units run (pg_dump, mv), as on the machine the units go to.
for cmd in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\(\/[^ ]*\).*/\1/p' "$dest$unitdir"/caseload-server*); do
  if [ ! -e "$dest$cmd" ] && [ -x "$cmd" ]; then
    mkdir -p "$dest${cmd%/*}"
    cp -L "$cmd" "$dest$cmd"
  fi
done
cp "$dest$unitdir/caseload-server@.service" "$dest$unitdir/caseload-server@verify.service"
out=$(MANPATH="$dest$prefix/share/man" systemd-analyze verify --root="$dest" \
        "$dest$unitdir/caseload-server.service" "$dest$unitdir/caseload-server@verify.service" \
        "$dest$unitdir/caseload-server-gc.service" "$dest$unitdir/caseload-server-gc.timer" \
        "$dest$unitdir/caseload-server-backup.service" \
        "$dest$unitdir/caseload-server-backup.timer" \
        "$dest$unitdir/caseload-server-basebackup.service" \
        "$dest$unitdir/caseload-server-basebackup.timer" 2>&1)
rc=$?
rm -f "$dest$unitdir/caseload-server@verify.service"
if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q caseload; then
  printf '%s\n' "$out" | grep caseload
  echo "systemd-analyze verify refused the units ($rc)"
  status=1
fi
grep -q -- '--listen unix:/run/caseload/%i.sock serve' "$dest$unitdir/caseload-server@.service" ||
  { echo "caseload-server@.service does not listen on /run/caseload/INSTANCE.sock"; status=1; }

wrap=
[ "$(id -u)" -eq 0 ] || wrap=fakeroot
$wrap sh "$0" accounts "$dest" "$dest$sysusersdir/caseload-server.conf" \
  "$dest$tmpfilesdir/caseload-server.conf" "$source/data/caseload-server.conf" || status=1

first=$(sed -n 's/^Version \([^ ]*\)$/\1/p' "$source/NEWS" | head -n 1)
if [ "$first" != "$version" ]; then
  echo "NEWS starts with version '$first', the project is $version"
  status=1
fi

[ $status -eq 0 ] && echo "installed tree, units, sysusers.d, tmpfiles.d and NEWS: good"
exit $status
