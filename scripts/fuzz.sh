#!/usr/bin/env bash
# Builds the libFuzzer targets in Tests/Fuzz with ASan and runs each on its seed corpus, for FUZZ_SECONDS
# (default 60) or, with FUZZ_RUNS set, for that many executions (the release check: FUZZ_RUNS=10000000).
# FUZZ_TARGETS picks some (default: all). Crashes land in fuzz-out/ (ignored by git).
# The targets are parsers only: nothing here opens a socket (a fuzzer of the running manager belongs in a
# network namespace with loopback only; see docs/security.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
targets=${FUZZ_TARGETS:-"fuzz-package fuzz-xml fuzz-toml fuzz-tuf fuzz-multipart fuzz-agent-json"}
scratch="$repo/.build-fuzz"
out="$repo/fuzz-out"
for target in $targets; do mkdir -p "$out/corpus-${target#fuzz-}"; done

(cd "$repo/Tests/Fuzz" && swift build -c release --sanitize fuzzer --sanitize address --scratch-path "$scratch")
(cd "$repo" && swift build --product exup)

# Seeds: a real signed package, deflated and stored, and the XML documents inside it; the shipped
# configuration files; TUF metadata, a multipart upload and an agent report in their real shapes.
seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
"$repo/.build/debug/exup" pkg keygen --out "$seed/keys" >/dev/null
mkdir -p "$out/corpus-package" "$out/corpus-xml" "$out/corpus-toml" "$out/corpus-tuf" "$out/corpus-multipart" "$out/corpus-agent-json"
"$repo/.build/debug/exup" pkg build --info "$repo/scripts/demo/ExUpInfo.xml" --payload "$repo/scripts/demo/payload" \
  --key "$seed/keys/vendor.key.pem" --out "$out/corpus-package/seed.zip" >/dev/null
(cd "$repo/scripts/demo" && zip -q0r "$out/corpus-package/seed-stored.zip" ExUpInfo.xml payload)
cp "$repo/scripts/demo/ExUpInfo.xml" "$out/corpus-xml/info.xml"
unzip -p "$out/corpus-package/seed.zip" ExUpHash.xml > "$out/corpus-xml/hash.xml"
cp "$repo/etc/exup/agent.toml" "$out/corpus-toml/agent.toml"
cp "$repo/etc/exup/manager.toml" "$out/corpus-toml/manager.toml"
printf '[server]\nlisten = "127.0.0.1:8080"\ntrusted-proxies = ["10.0.0.5", "10.0.0.6"]\n[repository.upstream]\nurl = "https://up"\nsync-interval = 24\n' > "$out/corpus-toml/tables.toml"
cat > "$out/corpus-tuf/root.json" <<'JSON'
{"signatures":[{"keyid":"ab","sig":"00"}],"signed":{"_type":"root","consistent_snapshot":true,"expires":"2030-01-01T00:00:00Z","keys":{"ab":{"keytype":"ed25519","keyval":{"public":"00"},"scheme":"ed25519"}},"roles":{"root":{"keyids":["ab"],"threshold":1},"snapshot":{"keyids":["ab"],"threshold":1},"targets":{"keyids":["ab"],"threshold":1},"timestamp":{"keyids":["ab"],"threshold":1}},"spec_version":"1.0.31","version":1}}
JSON
cat > "$out/corpus-tuf/targets.json" <<'JSON'
{"signatures":[],"signed":{"_type":"targets","delegations":{"keys":{},"roles":[{"keyids":["ab"],"name":"models/x","paths":["models/x/*"],"terminating":true,"threshold":1}]},"expires":"2030-01-01T00:00:00Z","spec_version":"1.0.31","targets":{"models/x/p.zip":{"custom":{"exup":{"info":{}}},"hashes":{"sha256":"00"},"length":1}},"version":2}}
JSON
cat > "$out/corpus-tuf/timestamp.json" <<'JSON'
{"signatures":[],"signed":{"_type":"timestamp","expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"length":10,"hashes":{"sha256":"00"},"version":3}},"spec_version":"1.0.31","version":3}}
JSON
printf 'XyZ\n--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name="files"; filename="a.zip"\r\nContent-Type: application/zip\r\n\r\nPK\x03\x04\r\n--XyZ--\r\n' > "$out/corpus-multipart/upload"
cat > "$out/corpus-agent-json/report.json" <<'JSON'
{"schema":1,"sequence":3,"identity":{"model":"Express5800/R120h-1M","os":"debian:12","hostname":"web01","bootID":"b1","agentVersion":"0.1.0"},"modules":[{"id":"bmc-firmware","name":"BMC firmware","version":"2.15","source":"ipmi"}],"activities":{},"previousVersions":{"bmc-firmware":"2.10"},"items":[{"itemID":1,"state":"succeeded","percent":100,"message":"ok"}],"refusals":[]}
JSON
printf '{"token":"exup1.secret.abc","name":"web01","hostname":"web01"}' > "$out/corpus-agent-json/enrol.json"

for target in $targets; do
  corpus="$out/corpus-${target#fuzz-}"
  if [[ -n $runs ]]; then limit=(-runs="$runs"); echo "== $target for $runs executions"; else limit=(-max_total_time="$seconds"); echo "== $target for ${seconds}s"; fi
  start=$(date +%s)
  (cd "$out" && "$scratch/release/$target" "${limit[@]}" -max_len=65536 -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 | grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done' || true)
  echo "   $target took $(( $(date +%s) - start ))s"
  if ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* >/dev/null 2>&1; then
    echo "fuzzing found failures: see $out" >&2; exit 1
  fi
done
echo "fuzzing found nothing (${runs:-${seconds}s} per target)"
