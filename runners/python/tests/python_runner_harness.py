"""Shared helpers for the Python runner's tests: run runner.py as a subprocess, validate its output."""

from __future__ import annotations

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
def load_schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA_PATH.read_text())
    assert isinstance(schema, dict)
    return schema


def schema_errors(document: object) -> list[str]:
    """Messages of every violation of schema/result.schema.json (with format checking)."""
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
