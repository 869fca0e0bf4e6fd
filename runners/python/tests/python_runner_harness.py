"""Shared helpers for the Python runner's tests: run runner.py as a subprocess, validate its output."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RUNNER_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = RUNNER_DIR.parents[1]
RUNNER = RUNNER_DIR / "runner.py"
SCHEMA_DIR = REPO_ROOT / "schema"
SCHEMA_PATH = SCHEMA_DIR / "result.schema.json"
CONTRACT_PATH = SCHEMA_DIR / "runner_contract.json"

# The article's parameters: 1,000 tasks of 10 ms; ThreadPool(50); sha256 of 64 bytes x 10,000.
ARTICLE_TASKS = 1000
ARTICLE_IO_MS = 10
ARTICLE_POOL_SIZE = 50


@dataclass(frozen=True)
class RunnerResult:
    returncode: int
    stdout: str
    stderr: str

    def document(self) -> dict[str, Any]:
        """The single JSON document on stdout (one line, newline-terminated)."""
        assert self.stdout.endswith("\n"), self.stdout[-200:]
        assert self.stdout.count("\n") == 1, "stdout must hold exactly one JSON line"
        parsed = json.loads(self.stdout)
        assert isinstance(parsed, dict)
        return parsed


def run_runner(
    args: Sequence[str],
    *,
    runner: Path = RUNNER,
    interpreter: str = sys.executable,
    python_flags: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> RunnerResult:
    completed = subprocess.run(
        [interpreter, *python_flags, str(runner), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        cwd=cwd,
        check=False,
    )
    return RunnerResult(completed.returncode, completed.stdout, completed.stderr)


@cache
def load_contract() -> dict[str, Any]:
    """schema/runner_contract.json: the one owner of languages, approaches, options, error kinds, exit codes."""
    contract = json.loads(CONTRACT_PATH.read_text())
    assert isinstance(contract, dict)
    return contract


def compose_schema(schema: dict[str, Any], contract: dict[str, Any]) -> dict[str, Any]:
    """The result schema with what the contract owns filled in: schema/README.md's seven steps, in order.

    result.schema.json leaves these enums out so that it cannot disagree with the contract; validating
    against it alone would accept any language, approach, error kind or schema_version.
    """
    composed = copy.deepcopy(schema)
    properties = composed["properties"]
    languages: dict[str, Any] = contract["languages"]
    # 1. the current schema_version.
    properties["schema_version"]["const"] = contract["schema_version"]
    # 2. the languages, in file order.
    properties["language"]["enum"] = list(languages)
    # 3. every language's approaches, in file order, each name once.
    approaches: list[str] = []
    for language in languages.values():
        approaches += [name for name in language["approaches"] if name not in approaches]
    properties["approach"]["enum"] = approaches
    # 4. runner error kinds, then orchestrator error kinds.
    kinds = contract["error_kinds"]
    properties["error"]["oneOf"][1]["properties"]["kind"]["enum"] = [*kinds["runner"], *kinds["orchestrator"]]
    # 5. per language, only that language's approaches.
    composed.setdefault("allOf", []).extend(
        {
            "if": {"properties": {"language": {"const": name}}, "required": ["language"]},
            "then": {"properties": {"approach": {"enum": list(language["approaches"])}}},
        }
        for name, language in languages.items()
    )
    workloads: dict[str, Any] = contract["workloads"]
    workload = properties["workload"]
    # 6. the workloads, in file order.
    workload["properties"]["kind"]["enum"] = list(workloads)
    # 7. per workload, its options are required.
    workload.setdefault("allOf", []).extend(
        {"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]}, "then": {"required": spec["options"]}}
        for name, spec in workloads.items()
    )
    return composed


@cache
def load_schema() -> dict[str, Any]:
    """schema/result.schema.json composed with schema/runner_contract.json (schema/README.md)."""
    schema = json.loads(SCHEMA_PATH.read_text())
    assert isinstance(schema, dict)
    return compose_schema(schema, load_contract())


def schema_errors(document: object) -> list[str]:
    """Messages of every violation of the composed schema (with format checking)."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(load_schema(), format_checker=FormatChecker())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def run_ok(args: Sequence[str], **kwargs: Any) -> dict[str, Any]:
    """Run the runner, expect exit 0 and a schema-valid status ok document."""
    result = run_runner(args, **kwargs)
    assert result.returncode == 0, result.stderr[-2000:]
    document = result.document()
    assert schema_errors(document) == []
    assert document["status"] == "ok"
    return document


def independent_checksum(payload_bytes: int, repeat: int) -> str:
    """hex sha256(payload_0 * repeat), payload_0 byte j = j % 256, computed without the runner's code."""
    import hashlib

    payload = bytes(j % 256 for j in range(payload_bytes))
    return hashlib.sha256(payload * repeat).hexdigest()
