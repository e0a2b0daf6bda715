#!/usr/bin/env python3
"""openapi.yaml (the API's one document) -> what is generated from it.

Writes Sources/ManagerAPI/OpenAPIDocument+JSON.swift, a Swift string literal of the document as JSON
(the manager serves it at /api/v1/openapi.json and needs no YAML reader at run time), and docs/api.md,
the API reference. `--check` fails when either is not what the YAML gives (make format-check runs it:
edit openapi.yaml, then `make openapi`).
"""
import json
import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
source = root / "openapi.yaml"
target = root / "Sources/ManagerAPI/OpenAPIDocument+JSON.swift"
reference = root / "docs/api.md"
METHODS = ("get", "put", "post", "delete", "patch")


def load() -> dict:
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.1"):
        sys.exit(f"{source}: not an OpenAPI 3.1 document")
    return document


def one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def reference_text(document: dict) -> str:
    """The API reference: every operation with its access, parameters, body and answers."""
    schemes = document["components"]["securitySchemes"]
    out = [
        "# The manager's API",
        "",
        "Generated from `openapi.yaml` by `make openapi`; do not edit. The manager serves the same document as",
        "JSON at `GET /api/v1/openapi.json`.",
        "",
        "\n\n".join(one_line(paragraph) for paragraph in document["info"].get("description", "").split("\n\n")),
        "",
        "Credentials (`Authorization: Bearer …`):",
        "",
    ]
    for name, scheme in schemes.items():
        out.append(f"- `{name}`: {one_line(scheme.get('description', ''))}")
    by_tag: dict = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                by_tag.setdefault((operation.get("tags") or ["Other"])[0], []).append((path, method, operation))
    for tag, operations in by_tag.items():
        out += ["", f"## {tag}"]
        for path, method, operation in operations:
            out += ["", f"### `{method.upper()} {path}` ({operation['operationId']})", "", one_line(operation.get("summary", ""))]
            if operation.get("description"):
                out += ["", one_line(operation["description"])]
            security = operation.get("security", document.get("security", []))
            names = sorted({name for requirement in security for name in requirement})
            out += ["", "Credentials: " + (", ".join(f"`{n}`" for n in names) if names else "none")]
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            if parameters:
                out.append("")
                for parameter in parameters:
                    if "$ref" in parameter:
                        parameter = document["components"]["parameters"][parameter["$ref"].split("/")[-1]]
                    required = " (required)" if parameter.get("required") else ""
                    out.append(f"- {parameter['in']} `{parameter['name']}`{required}: {one_line(parameter.get('description', ''))}")
            body = operation.get("requestBody")
            if body:
                kinds = ", ".join(f"`{kind}`" for kind in body.get("content", {}))
                out += ["", f"Body: {kinds}" + (f": {one_line(body['description'])}" if body.get("description") else "")]
            out += ["", "| status | answer |", "|---|---|"]
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].split("/")[-1]]
                out.append(f"| {status} | {one_line(response.get('description', ''))} |")
    out += schema_text(document)
    return "\n".join(out) + "\n"


def type_text(schema: dict) -> str:
    """A property's type in a few words: `string` (date-time), `[ServerSummary]`, `OnLostContact` or null."""
    if "$ref" in schema:
        return f"[{schema['$ref'].split('/')[-1]}](#{schema['$ref'].split('/')[-1].lower()})"
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            return " or ".join(type_text(alternative) for alternative in schema[combined])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "enum" in schema:
        choices = "one of " + ", ".join(f"`{value}`" for value in schema["enum"] if value is not None)
        return choices + (" or null" if "null" in kinds or None in schema["enum"] else "")
    words = []
    for kind in kinds:
        if kind == "array":
            words.append("array of " + type_text(schema.get("items", {})))
        elif kind == "string" and schema.get("format"):
            words.append(f"string ({schema['format']})")
        else:
            words.append(str(kind))
    return " or ".join(words)


def schema_text(document: dict) -> list:
    """Every schema: its fields, their types, whether required, and what they mean."""
    out = ["", "## Schemas"]
    for name, schema in document["components"]["schemas"].items():
        out += ["", f"### {name}"]
        if schema.get("description"):
            out += ["", one_line(schema["description"])]
        properties = schema.get("properties")
        if properties:
            required = set(schema.get("required", []))
            out += ["", "| field | type | required | meaning |", "|---|---|---|---|"]
            for field, prop in properties.items():
                out.append(
                    f"| `{field}` | {one_line(type_text(prop))} | {'yes' if field in required else 'no'} | {one_line(prop.get('description', ''))} |"
                )
            if schema.get("additionalProperties") is False:
                out += ["", "Other fields are refused."]
        else:
            out += ["", f"Type: {one_line(type_text(schema))}"]
    return out


def rendered(document: dict) -> str:
    text = json.dumps(document, indent=1, ensure_ascii=False)
    if "\"##" in text:
        sys.exit(f"{source}: the sequence \"## cannot go in a Swift raw string literal")
    return (
        "// swift-format-ignore-file\n"
        "// Generated from openapi.yaml by scripts/openapi-json.py (make openapi). Do not edit.\n\n"
        "extension OpenAPIDocument {\n"
        "    /// The document, as JSON.\n"
        f'    static let json = ##"""\n{text}\n"""##\n'
        "}\n"
    )


if __name__ == "__main__":
    document = load()
    outputs = {target: rendered(document), reference: reference_text(document)}
    for path, text in outputs.items():
        if "--check" in sys.argv[1:]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                sys.exit(f"{path.relative_to(root)} is not what openapi.yaml gives: run make openapi")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    if "--check" in sys.argv[1:]:
        print("openapi: the served document and docs/api.md match openapi.yaml")
