#!/usr/bin/env bash
# The install test (make test-packages): the .debs installed with apt into a fresh Debian root made by
# debootstrap (cached in .build-packages/), the agent's and units' checks there, an enrolment of the
# chrooted agent against a manager on this host's loopback, lintian and rpmlint, and the .rpms inspected and
# installed with rpm --root into a copy of that root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/ExupCore/ExupVersion.swift)
cache="$repo/.build-packages"
root="$cache/debian-root"
mkdir -p "$cache"
step() { printf '\n== %s\n' "$*"; }

step "lintian and rpmlint"
lintian --fail-on error --tag-display-limit 0 dist/exup-agent_"$version"_amd64.deb dist/exup-manager_"$version"_amd64.deb 2>&1 | grep -v "root privileges" || true
lintian --fail-on error dist/*.deb >/dev/null 2>&1 || { echo "lintian found errors" >&2; exit 1; }
rpmlint -c packaging/rpmlint.toml dist/*.rpm > "$cache/rpmlint.txt" 2>&1 || true
tail -1 "$cache/rpmlint.txt"
if grep -q " E: " "$cache/rpmlint.txt"; then grep " E: " "$cache/rpmlint.txt" >&2; exit 1; fi

step "a Debian root with systemd (debootstrap, cached)"
if [[ ! -x "$root/usr/bin/systemctl" ]]; then
  rm -rf "$root.tmp"
  debootstrap --variant=minbase --include=systemd,ca-certificates bookworm "$root.tmp" http://deb.debian.org/debian >/dev/null
  mv "$root.tmp" "$root"
fi
work=$(mktemp -d "$cache/run.XXXXXX")
cp -a "$root" "$work/root"
r="$work/root"
cleanup() {
  [[ -n ${mpid:-} ]] && kill "$mpid" 2>/dev/null
  for m in proc sys dev; do umount -l "$r/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mount -t proc proc "$r/proc"; mount --rbind /sys "$r/sys"; mount --rbind /dev "$r/dev"
cp /etc/resolv.conf "$r/etc/resolv.conf"
cp dist/exup-agent_"$version"_amd64.deb dist/exup-manager_"$version"_amd64.deb "$r/tmp/"

step "apt-get install ./exup-agent.deb ./exup-manager.deb"
chroot "$r" apt-get update -qq
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/exup-agent_${version}_amd64.deb" "/tmp/exup-manager_${version}_amd64.deb" >/dev/null
chroot "$r" exup-agent --version
chroot "$r" exup --version
test "$(stat -c %a "$r/etc/exup/agent.toml")" = 644
chroot "$r" systemctl is-enabled exup-agent.service exup-manager.service
getent passwd exup >/dev/null 2>&1 || chroot "$r" getent passwd exup >/dev/null

step "exup-agent status with no daemon"
chroot "$r" exup-agent status --json

step "systemd-analyze verify on the installed units"
systemd-analyze verify --root="$r" /lib/systemd/system/exup-agent.service /lib/systemd/system/exup-manager.service 2>&1 | grep -v "man exup" || true
if systemd-analyze verify --root="$r" /lib/systemd/system/exup-agent.service /lib/systemd/system/exup-manager.service 2>&1 | grep -v "man exup" | grep -q .; then
  echo "systemd-analyze verify complains" >&2; exit 1
fi

step "the chrooted agent enrols with a manager on this host's loopback"
mport=$(( 30000 + RANDOM % 20000 ))
.build/debug/exup-manager serve --data-dir "$work/manager" --listen "127.0.0.1:$mport" > "$work/manager.log" 2>&1 &
mpid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/manager.log" 2>/dev/null && break; sleep 0.05; done
token=$(EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat "$work/manager/admin.token")" .build/debug/exup agents token create --expires 1h)
cat > "$r/etc/exup/agent.toml" <<TOML
[ipmi]
driver = "none"
[inventory]
package-system = "dpkg"
packages = ["exup-agent"]
[manager]
url = "http://127.0.0.1:$mport"
enrolment-token = "$token"
[agent]
name = "chrooted"
state-dir = "/var/lib/exup/agent"
cache-dir = "/var/cache/exup/agent"
socket = "/run/exup/agent.sock"
TOML
chroot "$r" exup-agent run --once
EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat "$work/manager/admin.token")" .build/debug/exup server show chrooted | head -8

step "remove keeps configuration and state; purge deletes them"
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq exup-agent >/dev/null
test -f "$r/etc/exup/agent.toml" && test -d "$r/var/lib/exup/agent"
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq exup-agent >/dev/null
test ! -e "$r/etc/exup/agent.toml" && test ! -e "$r/var/lib/exup/agent"
echo "removed: configuration and state kept; purged: gone"

step "the .rpm files: requirements, scriptlets, contents; installed with rpm --root"
for p in exup-agent exup-manager; do
  rpm -qp --requires "dist/$p-$version.x86_64.rpm" | grep -v rpmlib | paste -sd' '
  rpm -qp --scripts "dist/$p-$version.x86_64.rpm" | grep -c systemctl
  rpm -qp --list "dist/$p-$version.x86_64.rpm" | grep -E "bin/|\.service|\.toml"
done
# A copy of the Debian root the .debs were tried in (their C libraries are there), the debs purged.
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq exup-manager >/dev/null
for m in proc sys dev; do umount -l "$r/$m" 2>/dev/null || true; done
cp -a "$r" "$work/rpmroot"
rpm --root "$work/rpmroot" --initdb
rpm -i --nodeps --root "$work/rpmroot" "dist/exup-agent-$version.x86_64.rpm" "dist/exup-manager-$version.x86_64.rpm" 2>&1 | grep -v "Alien\|assuming you know" || true
chroot "$work/rpmroot" /usr/sbin/exup-agent --version
chroot "$work/rpmroot" /usr/bin/exup --version
chroot "$work/rpmroot" getent passwd exup >/dev/null
echo "packages: all checks passed"
