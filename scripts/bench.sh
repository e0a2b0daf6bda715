#!/usr/bin/env bash
# Measured figures for the release build. Prints; asserts nothing (tests never time anything).
#   package verification: `exup pkg verify` vs `openssl dgst -sha256` on the same package file, and
#   exup's peak RSS at two package sizes (it must stay flat).
set -euo pipefail
bin=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
sizes=${BENCH_SIZES_MIB:-"64 512"}
runs=${BENCH_RUNS:-3}
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
