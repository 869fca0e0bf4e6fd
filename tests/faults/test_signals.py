"""SIGINT and SIGTERM to the real CLI with a run in flight, and a second signal during the cleanup.

`concbench-poly run go ... --io-ms 30000` runs as a subprocess against a second engine; the signal is
sent once its container runs. The first signal stops cleanly: 128 + N, a line saying what was kept, the
interrupted row saved, run.json finalised, nothing labelled left. A second one during the cleanup
(made slow on purpose by the test shim) forces a quick exit, and the runner does not outlive it.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from concbench_poly.execution.docker_engine import managed_containers, reap_containers
from concbench_poly.execution.invocation import this_invocation
from concbench_poly.results.store import RUN_FILE, load_results
from tests.engines import SecondEngine
from tests.faults.conftest import Cli, FaultRow, leftover_temp_files, wait_for, wait_for_run

pytestmark = pytest.mark.docker

SLOW_GO = [
    "run", "go", "--approach", "goroutines", "--workload", "io", "--tasks", "10", "--io-ms", "30000",
    "--warmup", "0", "--repeat", "1", "--executor", "docker", "--offline", "--quiet",
]  # fmt: skip


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


@pytest.mark.parametrize(
    ("number", "called", "code"),
    [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)],
    ids=["int", "term"],
)
def test_a_signal_stops_the_invocation_cleanly(
    fault: FaultRow, engine: SecondEngine, cli: Cli, tmp_path: Path, number: int, called: str, code: int
) -> None:
    name = signal.Signals(number).name
    fault.describe(f"{name} with a run in flight (real CLI)", f"exit {code}; interrupted row; nothing left running")
    out = tmp_path / "out"
    client = engine.client()
    invocation = cli.start([*SLOW_GO, "--out", str(out)], docker_host=engine.url)
    container = wait_for_run(client, invocation)
    runner_pid = container.attrs["State"]["Pid"]
    invocation.signal(number)
    finished = invocation.finish(30)
    fault.observe(f"exit {finished.returncode} after {finished.seconds:.0f} s: {finished.stderr.strip()}", out=out)
    assert finished.returncode == code
    assert finished.lines() == [
        f"interrupted ({called}): the running runner was stopped and removed; finished runs are saved in {out} "
        f"(`concbench-poly all --resume {out}` goes on)"
    ]
    assert not managed_containers(client), "a labelled container (run or core lock) was left"
    wait_for(lambda: gone(runner_pid), 10, "the runner process to be gone")
    info = json.loads((out / RUN_FILE).read_text())
    assert info["complete"] is False and info["stopped"] == f"interrupted ({called}) at run 1 of 1"
    [row] = load_results(out)
    assert (row.error_kind, row.error_message) == ("interrupted", f"go/goroutines: interrupted ({called})")
    assert not leftover_temp_files(out)
    fault.kept = "the interrupted row; run.json complete=false, stopped names the signal"


def test_a_second_signal_during_cleanup_forces_a_quick_exit(
    fault: FaultRow, engine: SecondEngine, cli: Cli, tmp_path: Path
) -> None:
    fault.describe("SIGINT, then SIGTERM during the (slow) cleanup", "quick exit 130; runner killed; reaped later")
    out, removing = tmp_path / "out", tmp_path / "removing"
    client = engine.client()
    invocation = cli.start(
        [*SLOW_GO, "--out", str(out)], docker_host=engine.url, shim=["--slow-removal", str(removing)]
    )
    container = wait_for_run(client, invocation)
    runner_pid = container.attrs["State"]["Pid"]
    invocation.signal(signal.SIGINT)
    wait_for(removing.exists, 30, "the cleanup to begin")
    second = time.monotonic()
    invocation.signal(signal.SIGTERM)
    finished = invocation.finish(30)
    took = time.monotonic() - second
    info = json.loads((out / RUN_FILE).read_text())
    fault.observe(f"exit {finished.returncode} {took:.1f} s after the second signal; stopped: {info['stopped']}")
    assert finished.returncode == 130  # 128 + the first signal
    assert took < 5, "the second signal waited for the cleanup"
    wait_for(lambda: gone(runner_pid), 10, "the runner process to be gone")
    container.reload()
    assert container.status == "exited", "the runner was not killed"
    assert info["complete"] is False and info["stopped"] == "forced out by a second SIGTERM"
    # What the forced exit left (the stopped container, the core lock) goes with the next invocation.
    left = {c.name for c in managed_containers(client)}
    assert left == {container.name, "concbench-poly-core-0"}
    assert set(reap_containers(client, this_invocation("the-next-one", 300))) == left
    assert not managed_containers(client)
    fault.kept = "run.json complete=false, stopped names the second signal; leftovers reaped by the next invocation"
