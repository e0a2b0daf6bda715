#!/usr/bin/env bash
# Measured figures for the release build. Prints; asserts nothing (tests never time anything).
#   package verification: `exup pkg verify` vs `openssl dgst -sha256` on the same package file, and
#   exup's peak RSS at two package sizes (it must stay flat).
set -euo pipefail
bin=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
sizes=${BENCH_SIZES_MIB:-"64 512"}
runs=${BENCH_RUNS:-3}
# which parts to run (all by default): verify inventory repository manager agent
parts=" ${BENCH_PARTS:-verify inventory repository manager agent} "
wants() { [[ "$parts" == *" $1 "* ]]; }
work=$(mktemp -d /tmp/exup-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

now_ns() { date +%s%N; }
# best wall time (s) and the peak RSS (KiB) of a command over $runs runs
measure() {
  local best=999999999999 rss=0 t0 t1 r
  for _ in $(seq "$runs"); do
    t0=$(now_ns)
    /usr/bin/time -f '%M' -o rss.txt "$@" >/dev/null
    t1=$(now_ns)
    (( t1 - t0 < best )) && best=$((t1 - t0))
    r=$(tail -1 rss.txt); (( r > rss )) && rss=$r
  done
  echo "$best $rss"
}

"$bin/exup" pkg keygen --out keys >/dev/null
mkdir trust && cp keys/vendor.pub.pem trust/
printf '#!/bin/sh\nexit 0\n' > apply.sh
simpid= mpid= fpid=
if wants verify; then
echo "exup package verification ($(nproc) cores, $(openssl version | cut -d' ' -f1-2), best of $runs runs, page cache warm)"
printf '%-10s %-26s %-26s %-8s %s\n' "package" "exup pkg verify" "openssl dgst -sha256" "ratio" "exup peak RSS"
for mib in $sizes; do
  rm -rf payload && mkdir -p payload/firmware && cp apply.sh payload/ && chmod 755 payload/apply.sh
  openssl rand -out payload/firmware/image.bin $((mib * 1024 * 1024))
  sed "s/bmc-r120h-2.31/bench-$mib/" "$repo/scripts/demo/ExUpInfo.xml" > ExUpInfo.xml
  "$bin/exup" pkg build --info ExUpInfo.xml --payload payload --key keys/vendor.key.pem --out "bench-$mib.zip" >/dev/null
  rm -rf payload
  bytes=$(stat -c %s "bench-$mib.zip")
  cat "bench-$mib.zip" > /dev/null
  read -r exup_ns exup_rss < <(measure "$bin/exup" pkg verify --trusted-keys trust "bench-$mib.zip")
  read -r ossl_ns _ < <(measure openssl dgst -sha256 "bench-$mib.zip")
  exup_mbs=$(awk -v b="$bytes" -v n="$exup_ns" 'BEGIN { printf "%.0f", b / (n / 1e9) / 1e6 }')
  ossl_mbs=$(awk -v b="$bytes" -v n="$ossl_ns" 'BEGIN { printf "%.0f", b / (n / 1e9) / 1e6 }')
  ratio=$(awk -v a="$ossl_ns" -v b="$exup_ns" 'BEGIN { printf "%.2f", a / b }')
  printf '%-10s %-26s %-26s %-8s %s\n' "$mib MiB" \
    "$(awk -v n="$exup_ns" 'BEGIN { printf "%.3f s", n / 1e9 }'), $exup_mbs MB/s" \
    "$(awk -v n="$ossl_ns" 'BEGIN { printf "%.3f s", n / 1e9 }'), $ossl_mbs MB/s" \
    "${ratio}x" "$(awk -v k="$exup_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
  rm -f "bench-$mib.zip"
done
echo "ratio = exup throughput / openssl throughput (goal: 0.90x or better); RSS goal: under 32 MiB at any size"

fi

# ---------------------------------------------------------------- inventory
if wants inventory; then
echo
echo "inventory against a simulated BMC (ipmi_sim on loopback; best of $runs runs)"
port=$(( 20000 + RANDOM % 20000 ))
"$bin/exup-sim-bmc" "$port" > "$work/sim.out" 2>&1 &
simpid=$!
trap 'kill $simpid 2>/dev/null; wait $simpid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.05; done
mkdir -p -m 700 "$work/sdr-agent" "$work/sdr-tools"
cat > "$work/agent.toml" <<TOML
[ipmi]
driver = "lan-2.0"
host = "127.0.0.1"
port = $port
username = "admin"
password = "secret"
workarounds = ["opensesspriv"]
timeout-ms = 2000
sdr-cache-dir = "$work/sdr-agent"
[inventory]
packages = ["openssl"]
TOML
"$bin/exup-agent" inventory --config "$work/agent.toml" >/dev/null || true   # warm the SDR cache
B=(-h "127.0.0.1:$port" -u admin -p secret --driver-type=LAN_2_0 -W opensesspriv -l ADMIN)
ipmi-sensors "${B[@]}" --sdr-cache-directory="$work/sdr-tools" >/dev/null 2>&1
ipmi-fru "${B[@]}" --sdr-cache-directory="$work/sdr-tools" >/dev/null 2>&1
read -r agent_ns agent_rss < <(measure "$bin/exup-agent" inventory --config "$work/agent.toml")
tools() { bmc-info "${B[@]}" --get-system-info >/dev/null && bmc-info "${B[@]}" >/dev/null && ipmi-fru "${B[@]}" --sdr-cache-directory="$work/sdr-tools" >/dev/null && ipmi-sensors "${B[@]}" --sdr-cache-directory="$work/sdr-tools" >/dev/null; }
best=999999999999; for _ in $(seq "$runs"); do t0=$(now_ns); tools; t1=$(now_ns); (( t1 - t0 < best )) && best=$((t1 - t0)); done
tools_rss=0
for cmd in "bmc-info ${B[*]} --get-system-info" "bmc-info ${B[*]}" "ipmi-fru ${B[*]} --sdr-cache-directory=$work/sdr-tools" "ipmi-sensors ${B[*]} --sdr-cache-directory=$work/sdr-tools"; do
  /usr/bin/time -f '%M' -o rss.txt $cmd >/dev/null; r=$(tail -1 rss.txt); (( r > tools_rss )) && tools_rss=$r
done
printf '%-44s %8.1f ms   peak RSS %6.1f MiB\n' "exup-agent inventory (model, BMC, BIOS, SDR, sensors, dpkg)" \
  "$(awk -v n="$agent_ns" 'BEGIN { print n / 1e6 }')" "$(awk -v k="$agent_rss" 'BEGIN { print k / 1024 }')"
printf '%-44s %8.1f ms   peak RSS %6.1f MiB (largest of the four)\n' "bmc-info x2 + ipmi-fru + ipmi-sensors" \
  "$(awk -v n="$best" 'BEGIN { print n / 1e6 }')" "$(awk -v k="$tools_rss" 'BEGIN { print k / 1024 }')"

fi

# ---------------------------------------------------------------- repository
if wants repository; then
echo
echo "repository with 10,000 packages over 100 models (release build; wrk on loopback, 2 threads, 50 connections, 5 s)"
repo_data="$work/repo"
"$bin/exup-bench" seed-repository "$repo_data" 10000 100 2>/dev/null
mport=$(( 40000 + RANDOM % 20000 ))
"$bin/exup-manager" serve --data-dir "$repo_data" --listen "127.0.0.1:$mport" > "$work/manager.log" 2>&1 &
mpid=$!
trap 'kill $simpid $mpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q "listening on" "$work/manager.log" 2>/dev/null && break; sleep 0.05; done
password=$(cat "$repo_data/repository.password")
url="http://127.0.0.1:$mport/repo/v1/metadata/timestamp.json"
etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $password" "$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
ok=$(wrk -t2 -c50 -d5s -H "Authorization: Bearer $password" "$url" | awk '/Requests\/sec/ {print $2}')
nm=$(wrk -t2 -c50 -d5s -H "Authorization: Bearer $password" -H "If-None-Match: $etag" "$url" | awk '/Requests\/sec/ {print $2}')
rss=$(awk '/VmHWM/ {print $2}' /proc/$mpid/status)
printf '%-44s %10s req/s\n' "timestamp.json, 200 (full body)" "$ok"
printf '%-44s %10s req/s\n' "timestamp.json, 304 (If-None-Match)" "$nm"
printf '%-44s %10.1f MiB\n' "exup-manager peak RSS" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"

fi

# ---------------------------------------------------------------- manager: polls and reports
if wants manager; then
echo
echo "manager with 10,000 enrolled agents (release build; wrk on loopback, 2 threads, 64 connections, 10 s)"
fleet_data="$work/fleet"
export EXUP_BENCH_CREDENTIALS="$work/credentials"
"$bin/exup-bench" seed-agents "$fleet_data" 10000 "$EXUP_BENCH_CREDENTIALS"
fport=$(( 40000 + RANDOM % 20000 ))
"$bin/exup-manager" serve --data-dir "$fleet_data" --listen "127.0.0.1:$fport" > "$work/fleet.log" 2>&1 &
fpid=$!
trap 'kill $simpid $mpid $fpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q "listening on" "$work/fleet.log" 2>/dev/null && break; sleep 0.05; done
wrk_figures() { awk '/Requests\/sec/ {rate=$2} /^ +99%/ {p99=$2} / [0-9]+ requests in/ {n=$1} /Non-2xx or 3xx/ {bad=$5} END {printf "%s %s %s\n", rate, p99, bad+0}'; }
read -r polls poll_p99 poll_bad < <(EXUP_BENCH_MODE=poll wrk -t2 -c64 -d10s --latency -s "$repo/scripts/bench/fleet.lua" "http://127.0.0.1:$fport" | wrk_figures)
read -r reports report_p99 report_bad < <(EXUP_BENCH_MODE=report wrk -t2 -c64 -d10s --latency -s "$repo/scripts/bench/fleet.lua" "http://127.0.0.1:$fport" | wrk_figures)
stored=$(sqlite3 "$fleet_data/manager.sqlite" "SELECT SUM(report_sequence) FROM agent" 2>/dev/null || echo "?")
frss=$(awk '/VmHWM/ {print $2}' /proc/$fpid/status)
printf '%-44s %10s req/s   p99 %s   non-2xx/3xx %s\n' "directives poll, 304 (If-None-Match)" "$polls" "$poll_p99" "$poll_bad"
printf '%-44s %10s req/s   p99 %s   non-2xx/3xx %s\n' "report ingest (new sequence, durable)" "$reports" "$report_p99" "$report_bad"
printf '%-44s %10s (each accepted report raised one sequence)\n' "reports stored, counted in SQLite" "$stored"
printf '%-44s %10.1f MiB\n' "exup-manager peak RSS" "$(awk -v k="$frss" 'BEGIN { print k / 1024 }')"

# The fleet page for that fleet: 200 servers a page, and the Table 21 filter that reads every server.
admin_token=$(cat "$fleet_data/admin.token")
curl -fsS -o /dev/null -H "Authorization: Bearer $admin_token" -d '{"name":"bench","role":"viewer","password":"bench password"}' "http://127.0.0.1:$fport/api/v1/users"
session=$(curl -fsS -d '{"username":"bench","password":"bench password"}' "http://127.0.0.1:$fport/api/v1/login" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
page_ms() {   # median of 5 GETs of the page, in ms
  for _ in 1 2 3 4 5; do curl -fsS -o /dev/null -w '%{time_total}\n' -H "Cookie: exup_session=$session" "http://127.0.0.1:$fport$1"; done |
    sort -n | sed -n 3p | awk '{printf "%.0f", $1 * 1000}'
}
printf '%-44s %10s ms\n' "web: /fleet (10,000 servers, 200 shown)" "$(page_ms /fleet)"
printf '%-44s %10s ms\n' "web: /fleet?filter=update-available" "$(page_ms '/fleet?filter=update-available')"

fi

# ---------------------------------------------------------------- the agent's footprint
if wants agent; then
source "$repo/scripts/bench/agent-footprint.sh"
fi
