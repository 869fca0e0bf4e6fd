"""The result schema: the current version composed with the runner contract, older versions frozen.

schema/README.md states the composition and the version rule. A document names its version; the
current one is validated against result.schema.json + runner_contract.json, an older one against its
frozen copy in schema/versions/, and a version neither knows is refused, naming both.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.contract import Contract, contract, contract_path
from concbench_poly.errors import SchemaError
from concbench_poly.paths import repo_root

_FROZEN = re.compile(r"^result\.v(\d+)\.schema\.json$")


def schema_dir() -> Path:
    return repo_root() / "schema"


def schema_path() -> Path:
    return schema_dir() / "result.schema.json"


def frozen_versions() -> dict[int, Path]:
    """Older versions kept readable: {version: its frozen schema file}."""
    found: dict[int, Path] = {}
    versions = schema_dir() / "versions"
    for path in sorted(versions.glob("result.v*.schema.json")) if versions.is_dir() else []:
        match = _FROZEN.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def supported_versions() -> tuple[int, ...]:
    return tuple(sorted({*frozen_versions(), contract().schema_version}))


def compose(schema: dict[str, Any], registry: Contract) -> dict[str, Any]:
    """result.schema.json completed with what the contract owns (schema/README.md, steps 1-7)."""
    composed = copy.deepcopy(schema)
    properties = composed["properties"]
    properties["schema_version"]["const"] = registry.schema_version
    properties["language"]["enum"] = list(registry.languages)
    properties["approach"]["enum"] = list(registry.all_approaches())
    properties["error"]["oneOf"][1]["properties"]["kind"]["enum"] = list(registry.error_kinds)
    composed.setdefault("allOf", [])
    composed["allOf"] += [
        {
            "if": {"properties": {"language": {"const": runner.language}}, "required": ["language"]},
            "then": {"properties": {"approach": {"enum": list(runner.approach_names)}}},
        }
        for runner in registry.runners
    ]
    workload = properties["workload"]
    workload["properties"]["kind"]["enum"] = list(registry.workload_names)
    workload.setdefault("allOf", [])
    workload["allOf"] += [
        {
            "if": {"properties": {"kind": {"const": spec.name}}, "required": ["kind"]},
            "then": {"required": list(spec.options)},
        }
        for spec in registry.workloads
    ]
    return composed


def current_schema() -> dict[str, Any]:
    return _current_schema(contract_path())


@cache
def _current_schema(_contract: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return compose(schema, contract())


@cache
def _validator(version: int, _contract: Path) -> Draft202012Validator:
    if version == contract().schema_version:
        schema = _current_schema(_contract)
    else:
        schema = json.loads(frozen_versions()[version].read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_document(document: Any, *, source: str) -> dict[str, Any]:
    """Return the document if valid; raise SchemaError naming the source and the first problem."""
    if not isinstance(document, dict):
        raise SchemaError(f"{source}: expected a JSON object, got {type(document).__name__}")
    version = document.get("schema_version")
    if version is None:
        raise SchemaError(f"{source}: schema_version is missing")
    known = supported_versions()
    if not isinstance(version, int) or isinstance(version, bool) or version not in known:
        raise SchemaError(
            f"{source}: unknown schema_version {version!r}; this concbench-poly reads {', '.join(map(str, known))}"
        )
    validator = _validator(version, contract_path())
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(f"{source}: {where}: {first.message}{more}")
    return document


def parse_document(text: str, *, source: str) -> dict[str, Any]:
    """Parse a runner's stdout (exactly one JSON document) and validate it."""
    stripped = text.strip()
    if not stripped:
        raise SchemaError(f"{source}: printed nothing on stdout")
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError as exc:
        excerpt = stripped[:120].replace("\n", "\\n")
        raise SchemaError(f"{source}: stdout is not one JSON document ({exc.msg}); starts with {excerpt!r}") from None
    return validate_document(document, source=source)
