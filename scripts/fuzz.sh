#!/usr/bin/env bash
# Builds the libFuzzer targets in Tests/Fuzz with ASan and runs each for FUZZ_SECONDS (default 60),
# seeded with real packages and XML documents. Crashes land in fuzz-out/ (ignored by git).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
scratch="$repo/.build-fuzz"
out="$repo/fuzz-out"
mkdir -p "$out/corpus-package" "$out/corpus-xml"

(cd "$repo/Tests/Fuzz" && swift build -c release --sanitize fuzzer --sanitize address --scratch-path "$scratch")
(cd "$repo" && swift build)

# Seeds: a real signed package, deflated and stored, and the XML documents inside it.
seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
"$repo/.build/debug/exup" pkg keygen --out "$seed/keys" >/dev/null
"$repo/.build/debug/exup" pkg build --info "$repo/scripts/demo/ExUpInfo.xml" --payload "$repo/scripts/demo/payload" \
  --key "$seed/keys/vendor.key.pem" --out "$out/corpus-package/seed.zip" >/dev/null
(cd "$repo/scripts/demo" && zip -q0r "$out/corpus-package/seed-stored.zip" ExUpInfo.xml payload)
cp "$repo/scripts/demo/ExUpInfo.xml" "$out/corpus-xml/info.xml"
unzip -p "$out/corpus-package/seed.zip" ExUpHash.xml > "$out/corpus-xml/hash.xml"

for target in fuzz-package fuzz-xml; do
  corpus="$out/corpus-${target#fuzz-}"
  echo "== $target for ${seconds}s"
  (cd "$out" && "$scratch/release/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 | grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done' || true)
  if ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* >/dev/null 2>&1; then
    echo "fuzzing found failures: see $out" >&2; exit 1
  fi
done
echo "fuzzing found nothing in ${seconds}s per target"
