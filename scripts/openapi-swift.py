#!/usr/bin/env python3
"""openapi.yaml -> the Swift that swift-openapi-generator makes of it, committed beside the code.

`scripts/openapi-swift.py` runs the pinned generator (Tools/openapi-generator; or $OPENAPI_GENERATOR, a
built swift-openapi-generator) once per configuration in scripts/openapi-generator/ and writes its files
where the configuration says, each stamped with the SHA-256 of the document and the configuration it came
from. Foundation's URL, Data and Date are taken from FoundationEssentials, so what links the
generated code does not pull in the whole of Foundation (ICU). `--check` fails when a stamp is not what
the document and configuration give now (make format-check runs it: edit openapi.yaml, then `make openapi`).
"""
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
document = root / "openapi.yaml"
configurations = root / "scripts/openapi-generator"
# Each configuration and the folder its generated files go to (that folder holds nothing else).
OUTPUTS = {"types.yaml": root / "Sources/ManagerAPIModel", "client.yaml": root / "Sources/exup/Generated"}
GENERATOR_VERSION = "1.14.3"


def stamp(config: pathlib.Path, body: str) -> str:
    """The second line of a generated file: what it came from, and its own text (so a hand edit shows)."""
    digest = hashlib.sha256()
    for part in (document.read_bytes(), config.read_bytes(), GENERATOR_VERSION.encode(), body.encode("utf-8")):
        digest.update(hashlib.sha256(part).digest())
    return f"// From openapi.yaml by swift-openapi-generator {GENERATOR_VERSION} ({config.name}); stamp {digest.hexdigest()}\n"


def generator() -> str:
    if os.environ.get("OPENAPI_GENERATOR"):
        return os.environ["OPENAPI_GENERATOR"]
    tool = root / "Tools/openapi-generator"
    subprocess.run(["swift", "build", "-c", "release", "--package-path", str(tool), "--product", "swift-openapi-generator"], check=True)
    bin_path = subprocess.run(
        ["swift", "build", "-c", "release", "--package-path", str(tool), "--show-bin-path"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return str(pathlib.Path(bin_path) / "swift-openapi-generator")


def essentials(text: str) -> str:
    return re.sub(r"\bFoundation\.", "FoundationEssentials.", text)


def generate() -> None:
    tool = generator()
    for name, folder in OUTPUTS.items():
        config = configurations / name
        with tempfile.TemporaryDirectory() as scratch:
            subprocess.run(
                [tool, "generate", str(document), "--config", str(config), "--output-directory", scratch], check=True, capture_output=True
            )
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.swift"):
                old.unlink()
            for produced in sorted(pathlib.Path(scratch).glob("*.swift")):
                body = essentials(produced.read_text(encoding="utf-8"))
                text = "// swift-format-ignore-file\n" + stamp(config, body) + body
                (folder / produced.name).write_text(text, encoding="utf-8")
                print(f"wrote {(folder / produced.name).relative_to(root)}")


def check() -> int:
    stale = 0
    for name, folder in OUTPUTS.items():
        files = sorted(folder.glob("*.swift"))
        if not files:
            print(f"{folder.relative_to(root)}: no generated files; run make openapi")
            stale += 1
        for file in files:
            lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
            if len(lines) < 2 or lines[1] != stamp(configurations / name, "".join(lines[2:])):
                print(f"{file.relative_to(root)} is not what openapi.yaml and {name} generate (edited by hand, or stale); run make openapi")
                stale += 1
    return 1 if stale else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    generate()
