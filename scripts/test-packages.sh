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
# Every binary runs with /proc, /sys and /dev mounted in its root (the Swift runtime reads its arguments
# from /proc/self/cmdline, libdispatch its threads from /proc/self/task); they are unmounted before a
# root is copied or booted, and always at the end, also when a step fails.
mount_root() { mount -t proc proc "$1/proc"; mount --rbind /sys "$1/sys"; mount --make-rslave "$1/sys"; mount --rbind /dev "$1/dev"; mount --make-rslave "$1/dev"; }
unmount_root() { local m; for m in proc sys dev; do while mountpoint -q "$1/$m" 2>/dev/null; do umount -R -l "$1/$m" 2>/dev/null || break; done; done; }
cleanup() {
  local status=$?
  set +e
  [[ -n ${npid:-} ]] && { kill -KILL "$npid" 2>/dev/null; wait "$npid" 2>/dev/null; }
  [[ -n ${mpid:-} ]] && kill "$mpid" 2>/dev/null
  unmount_root "$r"
  unmount_root "$work/rpmroot"
  if grep -q " $work/" /proc/self/mounts; then
    echo "still mounted under $work, left in place:" >&2; grep " $work/" /proc/self/mounts >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
# A root without /proc: each installed binary refuses with one line and a non-zero exit.
refuses_without_proc() {
  local root=$1 binary=$2 out status=0
  out=$(chroot "$root" "$binary" --version 2>&1) || status=$?
  if [[ $status == 0 || $out != "/proc is not mounted: $(basename "$binary") needs it"* ]]; then
    echo "$binary without /proc: exit $status, printed: $out" >&2; return 1
  fi
  echo "without /proc: $out (exit $status)"
}
mount_root "$r"
cp /etc/resolv.conf "$r/etc/resolv.conf"
cp dist/exup-agent_"$version"_amd64.deb dist/exup-manager_"$version"_amd64.deb "$r/tmp/"

step "apt-get install ./exup-agent.deb ./exup-manager.deb"
chroot "$r" apt-get update -qq
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "/tmp/exup-agent_${version}_amd64.deb" "/tmp/exup-manager_${version}_amd64.deb" >/dev/null
chroot "$r" exup-agent --version
chroot "$r" exup --version
test "$(chroot "$r" stat -c %a:%U:%G /etc/exup/agent.toml)" = 640:root:root
test "$(chroot "$r" stat -c %a:%U:%G /etc/exup/manager.toml)" = 640:root:exup
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
.build/debug/exup pkg keygen --out "$work/keys" >/dev/null
mkdir -p "$work/manager/trusted-keys" && cp "$work/keys/vendor.pub.pem" "$work/manager/trusted-keys/"
.build/debug/exup-manager serve --data-dir "$work/manager" --listen "127.0.0.1:$mport" > "$work/manager.log" 2>&1 &
mpid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/manager.log" 2>/dev/null && break; sleep 0.05; done
token=$(EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat "$work/manager/admin.token")" .build/debug/exup agents token create --expires 1h)
# The model from an SMBIOS fixture (this host has no DMI); the OS from the root's own os-release.
mkdir -p "$r/srv/exup-node/sys/class/dmi/id" "$r/srv/exup-node/etc"
echo "exup-test-node" > "$r/srv/exup-node/sys/class/dmi/id/product_name"
cp -L "$r/etc/os-release" "$r/srv/exup-node/etc/os-release"
cat > "$r/etc/exup/agent.toml" <<TOML
[ipmi]
driver = "none"
[inventory]
root = "/srv/exup-node"
package-system = "dpkg"
packages = ["exup-agent"]
[manager]
url = "http://127.0.0.1:$mport"
enrolment-token = "$token"
[agent]
name = "chrooted"
poll-interval-seconds = 5
state-dir = "/var/lib/exup/agent"
cache-dir = "/var/cache/exup/agent"
socket = "/run/exup/agent.sock"
TOML
chroot "$r" exup-agent run --once
EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat "$work/manager/admin.token")" .build/debug/exup server show chrooted | head -8

step "the packaged manager serves its pages (templates compiled into the binary)"
wport=$(( 30000 + RANDOM % 20000 ))
chroot "$r" exup-manager serve --data-dir /tmp/exup-web-check --listen "127.0.0.1:$wport" > "$work/web.log" 2>&1 &
wpid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/web.log" 2>/dev/null && break; sleep 0.05; done
curl -fsS "http://127.0.0.1:$wport/login" | grep -q '<form method="post" action="/login">' || { echo "the packaged manager's login page is missing" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$wport/static/exup.css" | grep -q "font:" || { echo "the packaged manager's stylesheet is missing" >&2; exit 1; }
kill "$wpid"; wait "$wpid" 2>/dev/null || true
echo "the packaged exup-manager serves /login and its stylesheet"

step "the agent updates itself through its own package (the root booted with systemd-nspawn)"
next_deb=$(scripts/next-agent-package.sh)
next=$(dpkg-deb --show --showformat='${Version}' "$next_deb")
exup() { EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat "$work/manager/admin.token")" .build/debug/exup "$@"; }
# Waits up to $1 s for the server's JSON (exup server show) to satisfy the Python expression $2 (on `s`).
await_server() {
  local seconds=$1 test=$2
  for _ in $(seq $(( seconds * 2 ))); do
    exup server show chrooted --json > "$work/server.json" 2>/dev/null &&
      python3 -c "import json,sys; s=json.load(open('$work/server.json')); sys.exit(0 if ($test) else 1)" && return 0
    sleep 0.5
  done
  echo "timed out waiting for: $test" >&2; cat "$work/server.json" >&2; return 1
}
cp "$work/keys/vendor.pub.pem" "$r/etc/exup/trusted-keys/"
unmount_root "$r"
for b in /usr/sbin/exup-agent /usr/bin/exup /usr/sbin/exup-manager; do refuses_without_proc "$r" "$b"; done
# --keep-unit and --register=no: this host has no systemd of its own to ask for a scope or a machine.
systemd-nspawn -D "$r" --boot --register=no --keep-unit --console=passive --quiet > "$work/nspawn.log" 2>&1 &
npid=$!
inside() { nsenter -t "$leader" -a -r -w env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
leader=
for _ in $(seq 100); do
  leader=$(pgrep -P "$npid" -x systemd || true)
  [[ -n $leader ]] && inside systemctl is-system-running 2>/dev/null | grep -qE "running|degraded" && break
  sleep 0.2
done
[[ -n $leader ]] || { echo "the container did not boot" >&2; cat "$work/nspawn.log" >&2; exit 1; }
inside systemctl start exup-agent.service
await_server 60 "any(m['id'] == 'exup-agent' and m['current'] == '$version' for m in s['modules']) and s['model'] == 'exup-test-node'"
before=$(inside systemctl show --property=MainPID --value exup-agent.service)
exup pkg build --from-deb "$next_deb" --model exup-test-node --key "$work/keys/vendor.key.pem" --out "$work/agent-update.zip"
exup repo add "$work/agent-update.zip"
await_server 30 "any(m['id'] == 'exup-agent' and m['available'] == '$next' for m in s['modules'])"
exup approve chrooted --module exup-agent
await_server 180 "any(i['module'] == 'exup-agent' and i['state'] in ('succeeded', 'failed') for i in s['run']['items'])"
python3 -c "import json; s=json.load(open('$work/server.json')); [print('item:', i['state'], '-', i.get('message')) for i in s['run']['items']]"
await_server 30 "any(i['module'] == 'exup-agent' and i['state'] == 'succeeded' for i in s['run']['items'])"
await_server 30 "any(m['id'] == 'exup-agent' and m['current'] == '$next' and m['status'] == 'latest' for m in s['modules'])"
after=$(inside systemctl show --property=MainPID --value exup-agent.service)
test "$(inside exup-agent --version)" = "$next"
test "$(inside dpkg-query --show --showformat='${Version}' exup-agent)" = "$next"
test "$(inside systemctl is-active exup-agent.service)" = active
[[ $before != "$after" ]] || { echo "the agent was not restarted" >&2; exit 1; }
inside journalctl --no-pager -q -u exup-agent.service | grep -E "stopping: item|starting" | tail -3
echo "self-update: $version -> $next, agent pid $before -> $after, the manager sees $next (latest)"
kill -TERM "$npid"
for _ in $(seq 100); do kill -0 "$npid" 2>/dev/null || break; sleep 0.2; done
kill -KILL "$npid" 2>/dev/null || true
wait "$npid" 2>/dev/null || true
npid=
mount_root "$r"

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
# The agent's .rpm wraps as its self-update with the version the agent reports (VERSION-RELEASE).
exup pkg build --from-rpm "dist/exup-agent-$version.x86_64.rpm" --model exup-test-node --key "$work/keys/vendor.key.pem" \
  --out "$work/agent-rpm-update.zip" --json | python3 -c "import json,sys; r=json.load(sys.stdin); assert r['version'] == '$version', r; print('rpm self-update:', r['id'])"
# A copy of the Debian root the .debs were tried in (their C libraries are there), the debs purged.
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq exup-manager >/dev/null
unmount_root "$r"
cp -a "$r" "$work/rpmroot"
rpm --root "$work/rpmroot" --initdb
rpm -i --nodeps --root "$work/rpmroot" "dist/exup-agent-$version.x86_64.rpm" "dist/exup-manager-$version.x86_64.rpm" 2>&1 | grep -v "Alien\|assuming you know" || true
for b in /usr/sbin/exup-agent /usr/bin/exup /usr/sbin/exup-manager; do refuses_without_proc "$work/rpmroot" "$b"; done
mount_root "$work/rpmroot"
test "$(chroot "$work/rpmroot" /usr/sbin/exup-agent --version)" = "$version"
test "$(chroot "$work/rpmroot" /usr/bin/exup --version)" = "$version"
test "$(chroot "$work/rpmroot" /usr/sbin/exup-manager --version)" = "$version"
echo "rpm root: exup-agent, exup, exup-manager --version print $version"
chroot "$work/rpmroot" getent passwd exup >/dev/null
unmount_root "$work/rpmroot"
echo "packages: all checks passed"
