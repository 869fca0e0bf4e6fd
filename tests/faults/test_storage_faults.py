"""The results directory fails under the run: a full disk, a disk remounted read-only mid-run, a read-only
disk from the start. Real tmpfs mounts as --out and the real CLI (in-process); the runs themselves come
from the fake executor, since no engine takes part in these faults. Every case: one line naming the
path and what was saved, the runs saved before intact, no temporary file anywhere, run.json finalised
as incomplete where it could be written, and the line saying so where it could not."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import concbench_poly.service
from concbench_poly.cli import app
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.results.store import RUN_FILE, load_results
from tests.fakes import FakeExecutor, ok_run
from tests.faults.conftest import FaultRow, Mounts, leftover_temp_files

KEY = "io-go-goroutines-n1000"


def run_cli(monkeypatch: pytest.MonkeyPatch, executor: FakeExecutor, out: Path, repeat: int) -> Any:
    monkeypatch.setattr(concbench_poly.service, "open_executor", lambda options, events: executor)
    args = ["run", "go", "--approach", "goroutines", "--workload", "io", "--warmup", "0", "--repeat", str(repeat)]
    return CliRunner().invoke(app, [*args, "--executor", "local", "--out", str(out), "--quiet"])


def on_run(number: int, action: Callable[[], None]) -> Callable[[RunRequest], RawRun]:
    """A runner that does `action` during its run number `number` (1-based), and succeeds."""
    calls: list[RunRequest] = []

    def behaviour(request: RunRequest) -> RawRun:
        calls.append(request)
        if len(calls) == number:
            action()
        return ok_run(request)

    return behaviour


def fill(path: Path) -> None:
    """Another writer takes every free block of the file system."""
    with open(path, "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def one_line(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    [line] = lines
    return str(line)


def saved_rows(out: Path) -> list[str]:
    """The raw documents on disk: each must load and validate."""
    results = load_results(out)
    assert all(r.ok for r in results)
    return sorted(p.name for p in (out / "raw").glob("*.json"))


def test_disk_full(fault: FaultRow, mounts: Mounts, monkeypatch: pytest.MonkeyPatch) -> None:
    fault.describe(
        "disk full: 64 KiB tmpfs as --out fills up with results", "exit 1, storage line; run.json: incomplete"
    )
    out = mounts.tmpfs("out", "64k")
    result = run_cli(monkeypatch, FakeExecutor(), out, repeat=40)
    fault.observe(f"exit {result.exit_code}: {result.stderr.strip()}", out=out)
    assert result.exit_code == 1
    rows = saved_rows(out)
    saved = len(rows)
    assert 0 < saved < 40
    failed = out / "raw" / f"{KEY}.rep-{saved}.json"
    line = one_line(result)
    assert line == (
        f"error: storage: no space left on the device (ENOSPC) at {failed} while saving a result; "
        f"{saved} run(s) saved in {out}; run.json records it as incomplete"
    )
    assert not failed.exists() and not leftover_temp_files(out)
    info = json.loads((out / RUN_FILE).read_text())
    assert info["complete"] is False and info["runs"] == saved
    assert info["stopped"].startswith("storage: no space left on the device (ENOSPC)")
    fault.kept = f"{saved} raw rows intact; run.json complete=false, stopped names ENOSPC; no .tmp file"


def test_disk_full_run_json_too(fault: FaultRow, mounts: Mounts, monkeypatch: pytest.MonkeyPatch) -> None:
    fault.describe("disk full: another writer fills --out during run 3", "exit 1, storage line; run.json unwritable")
    out = mounts.tmpfs("out", "256k")
    result = run_cli(monkeypatch, FakeExecutor(on_run(3, lambda: fill(out / "filler"))), out, repeat=5)
    fault.observe(f"exit {result.exit_code}: {result.stderr.strip()}", out=out)
    assert result.exit_code == 1
    assert saved_rows(out) == [f"{KEY}.rep-0.json", f"{KEY}.rep-1.json"]
    assert one_line(result) == (
        f"error: storage: no space left on the device (ENOSPC) at {out}/raw/{KEY}.rep-2.json while saving a "
        f"result; 2 run(s) saved in {out}; run.json could not be written either "
        f"(no space left on the device (ENOSPC) at {out}/run.json)"
    )
    assert not leftover_temp_files(out)
    info = json.loads((out / RUN_FILE).read_text())  # as written when the run began: incomplete
    assert info["complete"] is False and info["stopped"] is None
    fault.kept = "2 raw rows intact; run.json as written at the start (complete=false); no .tmp file"


def test_read_only_mid_run(fault: FaultRow, mounts: Mounts, monkeypatch: pytest.MonkeyPatch) -> None:
    fault.describe("read-only disk: --out remounted ro during run 3", "exit 1, storage line; run.json unwritable")
    out = mounts.tmpfs("out", "1m")
    result = run_cli(monkeypatch, FakeExecutor(on_run(3, lambda: Mounts.remount_read_only(out))), out, repeat=5)
    fault.observe(f"exit {result.exit_code}: {result.stderr.strip()}", out=out)
    assert result.exit_code == 1
    assert saved_rows(out) == [f"{KEY}.rep-0.json", f"{KEY}.rep-1.json"]
    assert one_line(result) == (
        f"error: storage: read-only file system (EROFS) at {out}/raw/{KEY}.rep-2.json while saving a result; "
        f"2 run(s) saved in {out}; run.json could not be written either "
        f"(read-only file system (EROFS) at {out}/run.json)"
    )
    assert not leftover_temp_files(out)
    info = json.loads((out / RUN_FILE).read_text())
    assert info["complete"] is False
    fault.kept = "2 raw rows intact; run.json as written at the start (complete=false); no .tmp file"


def test_read_only_from_the_start(fault: FaultRow, mounts: Mounts, monkeypatch: pytest.MonkeyPatch) -> None:
    fault.describe("read-only disk from the start", "refused before anything runs: exit 2")
    mount = mounts.tmpfs("ro", "64k", read_only=True)
    executor = FakeExecutor()
    result = run_cli(monkeypatch, executor, mount / "results", repeat=2)
    fault.observe(f"exit {result.exit_code}: {result.stderr.strip()}", mount=mount)
    assert result.exit_code == 2
    assert one_line(result) == f"error: --out: cannot write results under {mount} (read-only file system)"
    assert executor.requests == [] and list(mount.iterdir()) == []
    fault.kept = "nothing (nothing ran, nothing written)"
