#!/usr/bin/env python3
"""Every target declares what it imports: each module a target's Swift files import must be one of its
dependencies (or the standard library). Run by `make test`; prints each gap and exits 1."""
import glob
import json
import re
import subprocess
import sys

STANDARD = {"Foundation", "FoundationEssentials", "Glibc", "Musl", "Dispatch", "Synchronization", "Testing", "XCTest"}
# `import X` at the top level or inside an `#if` (4 spaces); deeper lines are other languages in strings.
IMPORT = re.compile(r"^(?:    )?(?:@testable |@preconcurrency )?import (\w+)\s*$", re.M)

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
gaps = 0
for target in package["targets"]:
    name = target["name"]
    path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
    declared = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "product", "target"):
            if kind in dependency:
                declared.add(dependency[kind][0])
    imported = set()
    for file in glob.glob(path + "/**/*.swift", recursive=True):
        imported |= set(IMPORT.findall(open(file, encoding="utf-8").read()))
    for module in sorted(imported - declared - STANDARD - {name}):
        print(f"{name} imports {module} without declaring it in Package.swift")
        gaps += 1
sys.exit(1 if gaps else 0)
