"""Turns what an executor saw (RawRun) into a validated result document. Pure: no I/O.

A runner that printed a valid document keeps it; everything else (OOM kill, time limit, invalid
output, a crash before printing) becomes a schema-valid status "error" document naming the runner,
the approach and the container, so a failed run is a row in the report, never a lost run.
"""

from __future__ import annotations

import signal
from typing import Any

from concbench_poly.cases import Case
from concbench_poly.contract import contract
from concbench_poly.errors import SchemaError
from concbench_poly.execution.base import RawRun, RunRequest, stderr_tail
from concbench_poly.results.document import error_document, execution_json
from concbench_poly.results.model import RunResult
from concbench_poly.results.schema import parse_document, validate_document


def to_result(raw: RawRun, request: RunRequest, host: dict[str, Any]) -> RunResult:
    case = request.case
    who = f"{case.language}/{case.approach} ({raw.where})"
    # OOM first: a run whose worker was OOM-killed may then hang until the time limit.
    if raw.oom_killed:
        limit = request.limits.memory_bytes / (1024 * 1024)
        document = error_document(case, "oom_killed", f"{who}: killed by the OOM killer (memory limit {limit:g} MiB)")
    elif raw.timed_out:
        document = error_document(case, "timeout", f"{who}: killed after the {request.limits.timeout_s:g} s time limit")
    else:
        document = _runner_document(raw, case, who)
    document["execution"] = execution_json(raw, request, host, raw.executor)
    return RunResult.from_document(validate_document(document, source=who))


def failed_result(request: RunRequest, kind: str, message: str, executor: str, host: dict[str, Any]) -> RunResult:
    """A run that never produced a RawRun (build failure, engine down): still a saved error row."""
    document = error_document(request.case, kind, message)
    document["execution"] = execution_json(None, request, host, executor)
    return RunResult.from_document(validate_document(document, source=message))


def _runner_document(raw: RawRun, case: Case, who: str) -> dict[str, Any]:
    """The runner's own document where it printed a valid one; else the ending classified from what
    the executor saw: the runtime's last words on stderr, a signal, a crash, or invalid output."""
    try:
        document = parse_document(raw.stdout, source=who)
    except SchemaError as exc:
        return error_document(case, *_ending(raw, case, who, str(exc)))
    if (document["language"], document["approach"]) != (case.language, case.approach):
        return error_document(
            case,
            "invalid_output",
            f"{who}: printed a result for {document['language']}/{document['approach']}",
        )
    if document["status"] == "ok" and raw.exit_code not in (0, None):
        return error_document(case, "runner_crashed", f"{who}: printed status ok but exited with code {raw.exit_code}")
    return document


def _ending(raw: RawRun, case: Case, who: str, invalid: str) -> tuple[str, str]:
    """(kind, message) of a run without a valid document, as BenchExec names terminations."""
    runner = contract().find_runner(case.language)
    words = next((w for w in runner.last_words if w.stderr in raw.stderr), None) if runner else None
    if words is not None:
        return words.kind, f"{case.language}: {words.says} at {case.tasks:,} tasks ({who})"
    signal_number = _signal(raw)
    if signal_number is not None:
        name = _signal_name(signal_number)
        return "killed_by_signal", f"{who}: killed by signal {signal_number} ({name}): {_tail(raw)}"
    if raw.exit_code not in (0, None):
        return "runner_crashed", f"{who}: exited with code {raw.exit_code} without a result: {_tail(raw)}"
    return "invalid_output", invalid


def _signal(raw: RawRun) -> int | None:
    """The signal that ended the runner: a negative return code (local), or 128 + N (a container)."""
    if raw.exit_code is None:
        return None
    if raw.exit_code < 0:
        return -raw.exit_code
    if raw.container_id is not None and 128 < raw.exit_code < 128 + 65:
        return raw.exit_code - 128
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


def _tail(raw: RawRun) -> str:
    return stderr_tail(raw.stderr, 3) or "no stderr"
