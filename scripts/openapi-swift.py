#!/usr/bin/env python3
"""openapi.yaml -> the Swift that swift-openapi-generator makes of it, committed beside the code.

`scripts/openapi-swift.py` runs the pinned generator (Tools/openapi-generator; or $OPENAPI_GENERATOR, a
built swift-openapi-generator) once per configuration in scripts/openapi-generator/, each with a filter that
leaves out the operations marked `x-exup-hand-routed`, and writes its files where OUTPUTS says, each stamped with the SHA-256 of the document and the configuration it came
from. Foundation's URL, Data and Date are taken from FoundationEssentials, so what links the
generated code does not pull in the whole of Foundation (ICU). `--check` fails when a stamp is not what
the document and configuration give now (make format-check runs it: edit openapi.yaml, then `make openapi`).
"""
import hashlib
import json
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
OUTPUTS = {
    "types.yaml": root / "Sources/ManagerAPIModel/Generated",
    "client.yaml": root / "Sources/exup/Generated",
    "server.yaml": root / "Sources/ManagerAPI/Generated",
}
GENERATOR_VERSION = "1.14.3"
# Schemas the CLI reads from a hand-routed operation's answer (the streamed upload's AddResult).
EXTRA_SCHEMAS = ["AddResult"]


def generator_document() -> dict:
    """The document as the generator is given it. swift-openapi-generator 1.x skips the `null` schema, so
    it would drop a property declared `anyOf: [$ref, {type: 'null'}]` (a nullable reference) and one that
    may only be null. Here the first becomes the plain reference (the generated optional decodes null as
    absent, as the API takes it) and the second an unconstrained value, which the handler checks is null.
    The document the server serves and the fuzzer tests is openapi.yaml as written."""
    import yaml

    spec = yaml.safe_load(document.read_text(encoding="utf-8"))

    def simplify(schema):
        if not isinstance(schema, dict):
            return schema
        alternatives = schema.get("anyOf")
        if isinstance(alternatives, list) and len(alternatives) == 2 and {"type": "null"} in alternatives:
            reference = next(a for a in alternatives if a != {"type": "null"})
            schema = {key: value for key, value in schema.items() if key != "anyOf"} | reference
        if schema.get("type") == "null":
            schema = {key: value for key, value in schema.items() if key != "type"}
        for key in ("properties",):
            if isinstance(schema.get(key), dict):
                schema[key] = {name: simplify(value) for name, value in schema[key].items()}
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                schema[key] = simplify(schema[key])
        for key in ("oneOf", "allOf", "anyOf"):
            if isinstance(schema.get(key), list):
                schema[key] = [simplify(value) for value in schema[key]]
        return schema

    spec["components"]["schemas"] = {name: simplify(value) for name, value in spec["components"]["schemas"].items()}
    return spec


def effective_configuration(config: pathlib.Path) -> str:
    """The configuration as given plus a filter: every operation but those marked x-exup-hand-routed."""
    import yaml

    spec = yaml.safe_load(document.read_text(encoding="utf-8"))
    operations = [
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation and not operation.get("x-exup-hand-routed")
    ]
    lines = ["filter:", "  operations:"] + [f"  - {name}" for name in sorted(operations)]
    lines += ["  schemas:"] + [f"  - {name}" for name in EXTRA_SCHEMAS]
    return config.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n"


def stamp(config: pathlib.Path, body: str) -> str:
    """The second line of a generated file: what it came from, and its own text (so a hand edit shows)."""
    digest = hashlib.sha256()
    for part in (document.read_bytes(), effective_configuration(config).encode(), GENERATOR_VERSION.encode(), body.encode("utf-8")):
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
            effective = pathlib.Path(scratch) / "openapi-generator-config.yaml"
            effective.write_text(effective_configuration(config), encoding="utf-8")
            given = pathlib.Path(scratch) / "openapi.json"
            given.write_text(json.dumps(generator_document()), encoding="utf-8")
            output = pathlib.Path(scratch) / "out"
            output.mkdir()
            subprocess.run([tool, "generate", str(given), "--config", str(effective), "--output-directory", str(output)], check=True)
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.swift"):
                old.unlink()
            for produced in sorted(output.glob("*.swift")):
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
