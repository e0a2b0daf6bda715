#!/usr/bin/env bash
# Builds dist/exup-agent_VERSION_amd64.deb, dist/exup-manager_VERSION_amd64.deb and the matching .rpm files
# from the static release binaries in BIN (default .build-static/release), with dpkg-deb and rpmbuild.
# Configuration from etc/, units from packaging/systemd, man pages from each command's own help, shell
# completions from the argument parser. C libraries are package dependencies, found from the binaries'
# NEEDED entries; the Swift runtime is linked in (--static-swift-stdlib).
# DIST (default dist/) is where they go; ONLY=exup-agent builds the agent's packages alone.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$repo/.build-static/release}
dist=${DIST:-$repo/dist}
only=${ONLY:-}
# VERSION-REVISION: the deb's Version as it is; the rpm's Version and Release.
version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' "$repo/Sources/ExupCore/ExupVersion.swift")
upstream=${version%-*}
revision=${version##*-}
stage=$(mktemp -d /tmp/exup-packages.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$dist"
binaries="exup exup-agent exup-manager"; [[ $only == exup-agent ]] && binaries=exup-agent
for b in $binaries; do [[ -x "$bin/$b" ]] || { echo "missing $bin/$b: build with make packages" >&2; exit 1; }; done
command -v patchelf >/dev/null || { echo "patchelf is needed (make packages installs it)" >&2; exit 1; }

# ---- man pages: every command at every depth and the two conffiles (scripts/manpages.py), gzipped -------
manpages() {   # manpages DIR PROGRAM...
  local dir=$1; shift
  local pages; pages=$(mktemp -d)
  python3 "$repo/scripts/manpages.py" "$bin" "$pages" "$version" "$@"
  for page in "$pages"/*; do
    local section=${page##*.}
    install -d "$dir/man$section"
    gzip -9n < "$page" > "$dir/man$section/$(basename "$page").gz"
  done
  rm -rf "$pages"
}
completions() {   # completions ROOT PROGRAM...: bash, zsh and fish, from the argument parser
  local root=$1; shift
  install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"
  for c in "$@"; do
    "$bin/$c" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/$c"
    "$bin/$c" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_$c"
    "$bin/$c" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/$c.fish"
  done
}

# ---- dependencies: the Debian packages that hold the libraries the binaries need --------------------------
debdeps() {
  local libs=() l path
  for b in "$@"; do
    while read -r l; do libs+=("$l"); done < <(objdump -p "$b" | awk '/NEEDED/ {print $2}')
  done
  for l in $(printf '%s\n' "${libs[@]}" | sort -u); do
    path=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ {print $NF; exit}')
    [[ -n $path ]] || { echo "no system library $l" >&2; exit 1; }
    # dpkg knows a library by the path its package ships (/lib/… before the /usr merge): try both.
    { dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null; } | head -1 | cut -d: -f1
  done | sort -u | paste -sd, | sed 's/,/, /g'
}

# ---- a staged tree for one package -------------------------------------------------------------------------
stage_common() {   # stage_common ROOT PACKAGE
  local root=$1 package=$2
  mkdir -p "$root/usr/share/doc/$package" "$root/etc/exup"
  cat > "$root/usr/share/doc/$package/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: exup
Source: https://github.com/exup/exup

Files: *
Copyright: 2026 The exup authors
License: Apache-2.0
 On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.
EOF
  printf 'exup (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- exup maintainers <maintainers@exup.invalid>  %s\n' \
    "$version" "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-0}")" | gzip -9n > "$root/usr/share/doc/$package/changelog.Debian.gz"
  # Not uploaded to Debian: there is no ITP bug for a first upload to close (see packaging/README.md).
  mkdir -p "$root/usr/share/lintian/overrides"
  echo "$package: initial-upload-closes-no-bugs" > "$root/usr/share/lintian/overrides/$package"
}

agent_root=$stage/exup-agent
install -D -s -m 0755 "$bin/exup-agent" "$agent_root/usr/sbin/exup-agent"
patchelf --remove-rpath "$agent_root/usr/sbin/exup-agent"   # SwiftPM's $ORIGIN: nothing is loaded from beside it
install -D -m 0640 "$repo/etc/exup/agent.toml" "$agent_root/etc/exup/agent.toml"   # may hold passwords
install -d -m 0755 "$agent_root/etc/exup/trusted-keys"
install -D -m 0644 "$repo/packaging/systemd/exup-agent.service" "$agent_root/lib/systemd/system/exup-agent.service"
manpages "$agent_root/usr/share/man" exup-agent
completions "$agent_root" exup-agent
stage_common "$agent_root" exup-agent

if [[ $only != exup-agent ]]; then
manager_root=$stage/exup-manager
install -D -s -m 0755 "$bin/exup-manager" "$manager_root/usr/sbin/exup-manager"
install -D -s -m 0755 "$bin/exup" "$manager_root/usr/bin/exup"
patchelf --remove-rpath "$manager_root/usr/sbin/exup-manager"
patchelf --remove-rpath "$manager_root/usr/bin/exup"
install -D -m 0640 "$repo/etc/exup/manager.toml" "$manager_root/etc/exup/manager.toml"   # group exup (postinst)
install -D -m 0644 "$repo/packaging/systemd/exup-manager.service" "$manager_root/lib/systemd/system/exup-manager.service"
manpages "$manager_root/usr/share/man" exup-manager exup
completions "$manager_root" exup exup-manager
stage_common "$manager_root" exup-manager
fi

# ---- .deb --------------------------------------------------------------------------------------------------
build_deb() {   # build_deb PACKAGE ROOT DESCRIPTION EXTRA-DEPENDS BINARIES...
  local package=$1 root=$2 description=$3 extra=$4; shift 4
  local control=$stage/$package-DEBIAN
  cp -a "$root" "$control-tree"
  mkdir -p "$control-tree/DEBIAN"
  cat > "$control-tree/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: amd64
Maintainer: exup maintainers <maintainers@exup.invalid>
Installed-Size: $(du -sk "$root" | cut -f1)
Depends: $(debdeps "$@")$extra
Section: admin
Priority: optional
Homepage: https://github.com/exup/exup
Description: $description
$(sed 's/^/ /' "$repo/packaging/deb/$package.description")
EOF
  (cd "$control-tree" && find etc -type f | sed 's|^|/|' | sort) > "$control-tree/DEBIAN/conffiles"
  for script in postinst prerm postrm; do
    install -m 0755 "$repo/packaging/deb/$package.$script" "$control-tree/DEBIAN/$script"
  done
  (cd "$control-tree" && find usr etc lib -type f -print0 | sort -z | xargs -0 md5sum) > "$control-tree/DEBIAN/md5sums"
  dpkg-deb --root-owner-group -Zxz --build "$control-tree" "$dist/${package}_${version}_amd64.deb" >/dev/null
  echo "built $dist/${package}_${version}_amd64.deb"
}
build_deb exup-agent "$agent_root" "keeps this server's firmware and software up to date (exup agent)" "" "$bin/exup-agent"
[[ $only == exup-agent ]] || build_deb exup-manager "$manager_root" "update repository, fleet manager and CLI for exup" ", adduser" "$bin/exup-manager" "$bin/exup"

# rpm dependencies: the library sonames the binaries need (what rpm's own finder would produce).
rpmdeps() { for b in "$@"; do objdump -p "$b" | awk '/NEEDED/ {print $2}'; done | sort -u | sed 's/$/()(64bit)/' | paste -sd, | sed 's/,/, /g'; }

# ---- .rpm --------------------------------------------------------------------------------------------------
build_rpm() {   # build_rpm PACKAGE ROOT BINARIES...
  local package=$1 root=$2 top=$stage/rpmbuild; shift 2
  mkdir -p "$top"/{BUILD,RPMS,SPECS,SRPMS,SOURCES}
  rpmbuild --quiet --define "_topdir $top" --define "_exup_version $upstream" --define "_exup_release $revision" --define "_exup_root $root" \
    --define "_exup_requires $(rpmdeps "$@")" \
    --define "_build_id_links none" --define "__os_install_post %{nil}" --define "_binary_payload w9.xzdio" \
    -bb "$repo/packaging/rpm/$package.spec"
  cp "$top/RPMS/x86_64/$package-$version.x86_64.rpm" "$dist/$package-$version.x86_64.rpm"
  echo "built $dist/$package-$version.x86_64.rpm"
}
build_rpm exup-agent "$agent_root" "$agent_root/usr/sbin/exup-agent"
[[ $only == exup-agent ]] || build_rpm exup-manager "$manager_root" "$manager_root/usr/sbin/exup-manager" "$manager_root/usr/bin/exup"
