#!/usr/bin/env bash
# The agent's next package, for the self-update test: this source tree copied to .build-packages/next-src
# (its build kept there between runs), the packaging revision raised by one, built static, packaged alone
# into .build-packages/next-dist. Prints the .deb's path.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache="$repo/.build-packages"
src="$cache/next-src"
mkdir -p "$src"
# Copy the tree without builds, VCS and the version file (tar keeps modification times, so the next
# build is incremental); the version file is written only when its content changes.
(cd "$repo" && tar --exclude=./.git --exclude='./.build*' --exclude=./dist --exclude=./Sources/ExupCore/ExupVersion.swift -cf - .) | (cd "$src" && tar -xf -)
version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' "$repo/Sources/ExupCore/ExupVersion.swift")
next="${version%-*}-$(( ${version##*-} + 1 ))"
sed "s/static let string = \"$version\"/static let string = \"$next\"/" "$repo/Sources/ExupCore/ExupVersion.swift" > "$cache/next-version.swift"
cmp -s "$cache/next-version.swift" "$src/Sources/ExupCore/ExupVersion.swift" || cp "$cache/next-version.swift" "$src/Sources/ExupCore/ExupVersion.swift"
cd "$src"
swift build -c release --static-swift-stdlib --product exup-agent >&2
BIN=.build/release DIST="$cache/next-dist" ONLY=exup-agent scripts/packages.sh >&2
echo "$cache/next-dist/exup-agent_${next}_amd64.deb"
