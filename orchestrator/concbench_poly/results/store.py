"""The results directory: raw documents saved as each run finishes, and read back for `report`.

Layout of a results directory (`--out`, default results/<UTC timestamp>/):
    run.json                        the invocation: run id, options, limits, host, wall time
    raw/<case key>.rep-<k>.json     one validated document per measured run (execution block included)
    raw/<case key>.warmup-<k>.json  warm-up runs: saved, never aggregated
    summary.json, report.md, report.csv, plots/   written by the report step from raw/ alone
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from concbench_poly.errors import ResultsDirError, SchemaError, UsageError
from concbench_poly.execution.base import RunRequest
from concbench_poly.files import write_atomic
from concbench_poly.json_format import dump_json
from concbench_poly.results.model import RunResult
from concbench_poly.results.schema import validate_document

RAW_DIR = "raw"
RUN_FILE = "run.json"


def raw_file_name(result: RunResult) -> str:
    return _file_name(result.case.key, result.warmup, result.repetition)


def request_file_name(request: RunRequest) -> str:
    """The file a request's result is saved as: how --resume knows which runs are done."""
    return _file_name(request.case.key, request.warmup, request.repetition)


def _file_name(key: str, warmup: bool, repetition: int) -> str:
    return f"{key}.{'warmup' if warmup else 'rep'}-{repetition}.json"


def has_results(out_dir: Path) -> bool:
    return (out_dir / RAW_DIR).is_dir() and any((out_dir / RAW_DIR).glob("*.json"))


def check_out_dir(out_dir: Path, *, resume: bool = False) -> None:
    """Refuse a directory that cannot take this invocation's results, without writing anything."""
    if resume:
        if not (out_dir / RUN_FILE).is_file():
            raise UsageError(f"--resume: {out_dir} has no {RUN_FILE}; it is not a results directory to continue")
        return
    if has_results(out_dir):
        raise UsageError(f"--out: {out_dir} already holds results; choose a new directory (or `report` it)")
    existing = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise UsageError(f"--out: {existing} is a file, not a directory")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(existing) else "permission denied"
        raise UsageError(f"--out: cannot write results under {existing} ({why})")


def _read_only(path: Path) -> bool:
    """Whether the file system holding path is mounted read-only (os.access cannot say why it refused)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def prepare_out_dir(out_dir: Path, *, resume: bool = False) -> Path:
    """A fresh results directory (or, resuming, the one the run was saved in): mixing two invocations'
    raw files would corrupt every median."""
    check_out_dir(out_dir, resume=resume)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--out: cannot write results to {out_dir} ({exc.strerror or exc})") from None
    return out_dir


def save_result(out_dir: Path, result: RunResult) -> Path:
    path = out_dir / RAW_DIR / raw_file_name(result)
    write_atomic(path, dump_json(result.document))
    return path


def load_run_info(out_dir: Path) -> dict[str, Any]:
    path = out_dir / RUN_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsDirError(f"{path}: not readable ({exc})") from None
    if not isinstance(info, dict):
        raise ResultsDirError(f"{path}: not a JSON object")
    return info


def save_run_info(out_dir: Path, info: dict[str, Any]) -> Path:
    path = out_dir / RUN_FILE
    write_atomic(path, dump_json(info))
    return path


def load_results(out_dir: Path) -> list[RunResult]:
    """Every raw document of a results directory, validated, in a stable order."""
    raw = out_dir / RAW_DIR
    if not out_dir.is_dir():
        raise UsageError(f"DIR: {out_dir} is not a results directory")
    files = sorted(raw.glob("*.json")) if raw.is_dir() else []
    if not files:
        raise ResultsDirError(f"{out_dir}: no raw results under {raw}")
    results: list[RunResult] = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ResultsDirError(f"{path}: not a JSON document ({exc})") from None
        try:
            results.append(RunResult.from_document(validate_document(document, source=str(path))))
        except SchemaError as exc:
            raise ResultsDirError(str(exc)) from None
    return results
