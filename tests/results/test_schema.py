"""The orchestrator side of the shared schema: the same examples every runner's tests use."""

import json
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.errors import SchemaError
from concbench_poly.results.schema import parse_document, validate_document
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "schema" / "examples"


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.json")), ids=lambda p: p.name)
def test_valid_examples_pass(path: Path) -> None:
    validate_document(json.loads(path.read_text()), source=path.name)


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.json")), ids=lambda p: p.name)
def test_invalid_examples_fail_naming_the_source(path: Path) -> None:
    with pytest.raises(SchemaError, match=path.name):
        validate_document(json.loads(path.read_text()), source=path.name)


def test_unknown_schema_version_fails_loudly() -> None:
    document = json.loads((EXAMPLES / "invalid" / "unknown_schema_version.json").read_text())
    with pytest.raises(SchemaError, match="unknown schema_version 99"):
        validate_document(document, source="x")


def test_every_schema_property_has_a_description() -> None:
    schema = json.loads((REPO_ROOT / "schema" / "result.schema.json").read_text())
    missing: list[str] = []

    def walk(node: dict[str, Any], where: str) -> None:
        for name, prop in node.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{where}/{name}")
            walk(prop, f"{where}/{name}")

    walk(schema, "")
    for name, definition in schema["$defs"].items():
        walk(definition, f"$defs/{name}")
    assert not missing


@pytest.mark.parametrize("stdout", ["", "not json", '{"a": 1}{"b": 2}', "[1, 2]"])
def test_parse_document_rejects_anything_but_one_object(stdout: str) -> None:
    with pytest.raises(SchemaError, match="runner-x"):
        parse_document(stdout, source="runner-x")
