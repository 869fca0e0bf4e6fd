"""The schema's own examples validate (valid/) or fail (invalid/) as their folders say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_runner_harness import SCHEMA_DIR, schema_errors

VALID = sorted((SCHEMA_DIR / "examples" / "valid").glob("*.json"))
INVALID = sorted((SCHEMA_DIR / "examples" / "invalid").glob("*.json"))


def test_examples_exist() -> None:
    assert VALID
    assert INVALID


@pytest.mark.parametrize("path", VALID, ids=[path.stem for path in VALID])
def test_valid_example(path: Path) -> None:
    assert schema_errors(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", INVALID, ids=[path.stem for path in INVALID])
def test_invalid_example(path: Path) -> None:
    assert schema_errors(json.loads(path.read_text())) != []
