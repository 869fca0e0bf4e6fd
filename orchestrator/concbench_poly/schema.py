"""The one result schema (schema/result.schema.json): loading it and validating documents against it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.errors import SchemaError
from concbench_poly.paths import repo_root

SUPPORTED_SCHEMA_VERSIONS = frozenset({1})


def schema_path() -> Path:
    return repo_root() / "schema" / "result.schema.json"


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_document(document: Any, *, source: str) -> dict[str, Any]:
    """Return the document if valid; raise SchemaError naming the source and the first problem."""
    if not isinstance(document, dict):
        raise SchemaError(f"{source}: expected a JSON object, got {type(document).__name__}")
    version = document.get("schema_version")
    if version is None:
        raise SchemaError(f"{source}: schema_version is missing")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        raise SchemaError(
            f"{source}: unknown schema_version {version!r}; this concbench-poly reads "
            f"{', '.join(map(str, sorted(SUPPORTED_SCHEMA_VERSIONS)))}"
        )
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
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
