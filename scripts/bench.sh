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
# The same seeded fleet on each engine: SQLite (the default), and PostgreSQL (a throwaway cluster on
# loopback, durable commits, the fleet moved there with migrate-database), one manager each.
if wants manager; then
agents=${BENCH_AGENTS:-100000}
echo
echo "manager with $agents enrolled agents (release build; wrk on loopback, 2 threads, 64 connections, 10 s)"
fleet_data="$work/fleet"
export EXUP_BENCH_CREDENTIALS="$work/credentials"
"$bin/exup-bench" seed-agents "$fleet_data" "$agents" "$EXUP_BENCH_CREDENTIALS"
cp -a "$fleet_data" "$work/fleet-pg"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pgdir="$work/pg" pgport=$(( 40000 + RANDOM % 20000 ))
mkdir -p "$pgdir" && chmod 777 "$pgdir" "$work"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# Each step may fail (nothing to kill, a cluster not started) without skipping the next (set -e holds in traps).
stop_all() {
  kill $simpid $mpid $fpid 2>/dev/null || true
  if [[ -n "${pgbin:-}" && -f "$pgdir/data/postmaster.pid" ]]; then as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT
as_pg "$pgbin/initdb" -D "$pgdir/data" -U exup --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdir -c max_connections=100" start >/dev/null
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$pgport" -U exup -d postgres -c "CREATE DATABASE fleet"
pg_url="postgresql://exup@127.0.0.1:$pgport/fleet"
"$bin/exup-manager" migrate-database --data-dir "$work/fleet-pg" --to "$pg_url" --json > /dev/null
printf '[database]\nurl = "%s"\n' "$pg_url" > "$work/pg.toml"

wrk_figures() { awk '/Requests\/sec/ {rate=$2} /^ +99%/ {p99=$2} / [0-9]+ requests in/ {n=$1} /Non-2xx or 3xx/ {bad=$5} END {printf "%s %s %s\n", rate, p99, bad+0}'; }
page_ms() {   # median of 5 GETs of the page, in ms
  for _ in 1 2 3 4 5; do curl -fsS -o /dev/null -w '%{time_total}\n' -H "Cookie: exup_session=$2" "$1"; done |
    sort -n | sed -n 3p | awk '{printf "%.0f", $1 * 1000}'
}
# fleet_figures DATA [CONFIG]: one manager on DATA; prints "polls p99 bad reports p99 bad rss fleet-ms filter-ms".
fleet_figures() {
  local data=$1 config=${2:-} port=$(( 40000 + RANDOM % 20000 ))
  "$bin/exup-manager" serve --data-dir "$data" --listen "127.0.0.1:$port" ${config:+--config "$config"} > "$data.log" 2>&1 &
  fpid=$!
  for _ in $(seq 400); do grep -q "listening on" "$data.log" 2>/dev/null && break; sleep 0.05; done
  local polls reports rss token session
  polls=$(EXUP_BENCH_MODE=poll wrk -t2 -c64 -d10s --latency -s "$repo/scripts/bench/fleet.lua" "http://127.0.0.1:$port" | wrk_figures)
  reports=$(EXUP_BENCH_MODE=report wrk -t2 -c64 -d10s --latency -s "$repo/scripts/bench/fleet.lua" "http://127.0.0.1:$port" | wrk_figures)
  rss=$(awk '/VmHWM/ {print $2}' /proc/$fpid/status)
  token=$(cat "$data/admin.token")
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" -d '{"name":"bench","role":"viewer","password":"bench password"}' "http://127.0.0.1:$port/api/v1/users"
  session=$(curl -fsS -d '{"username":"bench","password":"bench password"}' "http://127.0.0.1:$port/api/v1/login" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
  local page filter
  page=$(page_ms "http://127.0.0.1:$port/fleet" "$session")
  filter=$(page_ms "http://127.0.0.1:$port/fleet?filter=update-available" "$session")
  kill "$fpid"; wait "$fpid" 2>/dev/null || true   # stopped before the caller reads its database
  echo "$polls $reports $rss $page $filter"
}
read -r s_polls s_pp99 s_pbad s_reports s_rp99 s_rbad s_rss s_page s_filter < <(fleet_figures "$fleet_data")
s_stored=$(sqlite3 "$fleet_data/manager.sqlite" "SELECT SUM(report_sequence) FROM agent" 2>/dev/null || echo "?")
read -r p_polls p_pp99 p_pbad p_reports p_rp99 p_rbad p_rss p_page p_filter < <(fleet_figures "$work/fleet-pg" "$work/pg.toml")
p_stored=$("$pgbin/psql" -X -q -A -t -h 127.0.0.1 -p "$pgport" -U exup -d fleet -c "SELECT SUM(report_sequence) FROM agent")
nginx_rate="(nginx not installed)"
if command -v nginx >/dev/null; then
  ngdir="$work/nginx" ngport=$(( 40000 + RANDOM % 20000 )); mkdir -p "$ngdir" && echo ok > "$ngdir/ok.txt"
  printf 'daemon off; master_process off; worker_processes 1; pid %s/pid; error_log %s/error.log;\nevents {}\nhttp { access_log off; client_body_temp_path %s/b; proxy_temp_path %s/p; fastcgi_temp_path %s/f; uwsgi_temp_path %s/u; scgi_temp_path %s/s;\n server { listen 127.0.0.1:%s; root %s; } }\n' \
    "$ngdir" "$ngdir" "$ngdir" "$ngdir" "$ngdir" "$ngdir" "$ngdir" "$ngport" "$ngdir" > "$ngdir/nginx.conf"
  nginx -c "$ngdir/nginx.conf" -p "$ngdir" & ngpid=$!
  for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$ngport/ok.txt" 2>/dev/null && break; sleep 0.05; done
  nginx_rate=$(wrk -t2 -c64 -d10s "http://127.0.0.1:$ngport/ok.txt" | awk '/Requests\/sec/ {print $2}')" req/s"
  kill "$ngpid"; wait "$ngpid" 2>/dev/null || true
fi
row() { printf '%-40s %-34s %s\n' "$1" "$2" "$3"; }
row "" "SQLite, one manager" "PostgreSQL, one manager"
row "directives poll, 304 (If-None-Match)" "$s_polls req/s, p99 $s_pp99" "$p_polls req/s, p99 $p_pp99"
row "report ingest (new sequence, durable)" "$s_reports req/s, p99 $s_rp99" "$p_reports req/s, p99 $p_rp99"
row "non-2xx/3xx answers (polls, reports)" "$s_pbad, $s_rbad" "$p_pbad, $p_rbad"
row "reports stored (sum of sequences)" "$s_stored" "$p_stored"
row "exup-manager peak RSS" "$(awk -v k="$s_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')" "$(awk -v k="$p_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
row "web: /fleet (200 servers shown)" "$s_page ms" "$p_page ms"
row "web: /fleet?filter=update-available" "$s_filter ms" "$p_filter ms"
row "reference: nginx, a small static file" "$nginx_rate" ""
echo "goals for SQLite on this machine: polls >= 25,000/s; reports >= 5,000/s with p99 < 50 ms; /fleet < 100 ms at 100,000 servers"
echo "two managers on one database behind HAProxy: not measured (several managers on one database are not supported yet)"

fi

# ---------------------------------------------------------------- the agent's footprint
if wants agent; then
source "$repo/scripts/bench/agent-footprint.sh"
fi
