"""Two invocations aimed at the same core, and what dead invocations leave behind.

The second invocation waits with a message and runs after the first, or with --no-wait refuses: through
the docker executor (marker containers on a second engine) and the local executor (flock'd files, in a
lock directory of the test's own so no benchmark of someone else's interferes). A run container and a
core-lock marker labelled by an invocation whose process is gone are removed by the next invocation,
which says so in one line.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from concbench_poly.config import Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution import core_locks
from concbench_poly.execution.docker_engine import CASE_LABEL, managed_containers
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.invocation import Invocation, machine_name
from concbench_poly.results.store import RUN_FILE
from concbench_poly.service import benchmark
from tests.engines import SecondEngine
from tests.faults.conftest import Cli, CliProcess, FaultRow, RecordedEvents, row_of, wait_for, wait_for_run

HELD = r"core 0 is held by invocation (\S+) \(pid {pid} on .+, since \d\d:\d\d:\d\d\)"


def go_run(io_ms: int) -> list[str]:
    return [
        "run", "go", "--approach", "goroutines", "--workload", "io", "--tasks", "10", "--io-ms", str(io_ms),
        "--warmup", "0", "--repeat", "1", "--executor", "docker", "--offline",
    ]  # fmt: skip


def python_local_run(io_ms: int) -> list[str]:
    return [
        "run", "python", "--approach", "asyncio", "--workload", "io", "--tasks", "10", "--io-ms", str(io_ms),
        "--warmup", "0", "--repeat", "1", "--executor", "local",
    ]  # fmt: skip


def contend(fault: FaultRow, first: CliProcess, start: Callable[[list[str]], CliProcess], tmp_path: Path) -> str:
    """While `first` holds core 0 (a 30 s run in flight), a --no-wait invocation refuses and a waiting one
    says whom it waits for and runs nothing; once `first` is stopped, the waiting one runs."""
    refused_out, waited_out = tmp_path / "refused", tmp_path / "waited"
    no_wait = start(["--no-wait", "--out", str(refused_out)]).finish(60)
    waiting = start(["--out", str(waited_out)])
    wait_for(
        lambda: "waiting for core 0" in waiting.stderr_so_far() or waiting.process.poll() is not None,
        60,
        "the second invocation to wait",
    )
    still_waiting = waiting.process.poll() is None and not waited_out.exists()
    first.signal(signal.SIGINT)
    first_done = first.finish(60)
    waited = waiting.finish(60)
    holder = re.search(HELD.format(pid=first.pid), no_wait.stderr)
    said = [line for line in waited.lines() if "waiting for core" in line]
    fault.observe(
        f"--no-wait: exit {no_wait.returncode}, {no_wait.stderr.strip()} | waiting: {'; '.join(said)}; "
        f"ran once the first stopped: exit {waited.returncode}",
        limit=400,
        out=tmp_path,
    )
    assert no_wait.returncode == 1
    assert holder is not None, no_wait.stderr
    assert no_wait.lines() == [f"error: {holder.group(0)}; --no-wait does not wait for it"]
    assert not refused_out.exists(), "a refused invocation wrote something"
    assert still_waiting, f"the second invocation did not wait: {waiting.stderr_so_far()}"
    assert said == ["concbench-poly: waiting for core 0: held by " + holder.group(0).removeprefix("core 0 is held by ")]
    assert first_done.returncode == 130, first_done.stderr
    assert waited.returncode == 0, waited.stderr
    first_info = json.loads((tmp_path / "first" / RUN_FILE).read_text())
    waited_info = json.loads((waited_out / RUN_FILE).read_text())
    assert first_info["run_id"] == holder.group(1)
    assert waited_info["sessions"][0]["started_at"] > first_info["finished_at"], "the two ran at the same time"
    assert waited_info["complete"] is True
    return "nothing from the refused one; the waiting one's results, all run after the first had ended"


@pytest.mark.docker
def test_concurrent_invocations_docker(fault: FaultRow, engine: SecondEngine, cli: Cli, tmp_path: Path) -> None:
    fault.describe("two invocations on core 0 (docker: marker containers)", "--no-wait: exit 1; else waits, runs after")
    shim = ["--no-plots"]
    first = cli.start([*go_run(30000), "--quiet", "--out", str(tmp_path / "first")], docker_host=engine.url, shim=shim)
    wait_for_run(engine.client(), first)

    def start(args: list[str]) -> CliProcess:
        return cli.start([*go_run(io_ms=100), *args], docker_host=engine.url, shim=shim)

    fault.kept = contend(fault, first, start, tmp_path)
    assert not managed_containers(engine.client()), "a container or core-lock marker was left"


def test_concurrent_invocations_local(fault: FaultRow, cli: Cli, tmp_path: Path) -> None:
    fault.describe("two invocations on core 0 (local: flock)", "--no-wait: exit 1; else waits, runs after")
    locks = tmp_path / "locks"
    shim = ["--lock-dir", str(locks), "--no-plots"]
    first = cli.start([*python_local_run(io_ms=30000), "--quiet", "--out", str(tmp_path / "first")], shim=shim)

    def runs() -> bool:
        if first.process.poll() is not None:
            raise AssertionError(f"the first invocation exited: {first.finish().stderr}")
        return (tmp_path / "first" / RUN_FILE).is_file()  # written once the cores are held, before the first run

    wait_for(runs, 60, "the first invocation to hold core 0 and run")

    def start(args: list[str]) -> CliProcess:
        return cli.start([*python_local_run(io_ms=100), *args], shim=shim)

    fault.kept = contend(fault, first, start, tmp_path)


def dead_invocation(run_id: str) -> Invocation:
    """An invocation on this machine whose process has exited (and whose start time matches no process)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return Invocation(run_id, machine_name(), child.pid, "1", time.time() - 60, 300.0)


def quick_go_options() -> RunOptions:
    return RunOptions(
        params=WorkloadParams(tasks=10, io_ms=1),
        repetitions=Repetitions(warmup=0, repeat=1),
        languages=("go",),
        workloads=("io",),
        approaches=("goroutines",),
        executor="docker",
        offline=True,
    )


@pytest.mark.docker
@pytest.mark.usefixtures("no_plots")
def test_stale_container_of_a_dead_invocation(
    fault: FaultRow, engine: SecondEngine, go_image: str, tmp_path: Path
) -> None:
    fault.describe("a run container left running by a dead invocation", "removed before the run, one-line notice")
    client = engine.client()
    dead = dead_invocation("20200101T000000000000Z")
    stale = client.containers.run(
        go_image,
        ["--workload", "io", "--approach", "goroutines", "--tasks", "1", "--io-ms", "600000"],
        name=f"concbench-{dead.run_id}-io-go-goroutines-n1-rep0",
        labels={**dead.labels(), CASE_LABEL: "io-go-goroutines-n1"},
        network_mode="none",
        detach=True,
    )
    assert stale.status in ("created", "running")
    events = RecordedEvents()
    outcome = benchmark(
        quick_go_options(), tmp_path / "out", events, executor=DockerExecutor(client), wait_for_cores=False
    )
    fault.observe("; ".join(events.notices) + f"; then the run: {row_of(outcome.run.results[0])}")
    assert events.notices[0] == f"removed 1 thing(s) left by invocations that are gone: {stale.name}"
    assert not client.containers.list(all=True, filters={"id": str(stale.id)})
    assert outcome.run.results[0].ok
    assert not managed_containers(client)
    fault.kept = "the new run's results; nothing of the dead invocation"


@pytest.mark.docker
@pytest.mark.usefixtures("no_plots")
def test_stale_core_lock_of_a_dead_invocation(fault: FaultRow, engine: SecondEngine, tmp_path: Path) -> None:
    fault.describe("a core-lock marker left by a dead invocation", "removed before the run, one-line notice")
    client = engine.client()
    dead = dead_invocation("20200101T000000000001Z")
    core_locks._ensure_lock_image(client)
    labels = {
        **dead.labels(),
        core_locks.KIND_LABEL: "core-lock",
        core_locks.CORE_LABEL: "0",
        core_locks.EXPIRES_LABEL: f"{time.time() + 3600:.0f}",  # its bound has not passed: only its pid is gone
    }
    marker = client.containers.create(
        core_locks.LOCK_IMAGE, command=["none"], name="concbench-poly-core-0", labels=labels, network_mode="none"
    )
    events = RecordedEvents()
    # --no-wait: a marker left in place would fail the test at once instead of waiting for ever.
    outcome = benchmark(
        quick_go_options(), tmp_path / "out", events, executor=DockerExecutor(client), wait_for_cores=False
    )
    fault.observe("; ".join(events.notices) + f"; then the run: {row_of(outcome.run.results[0])}")
    assert events.notices[0] == "removed 1 thing(s) left by invocations that are gone: concbench-poly-core-0"
    assert not client.containers.list(all=True, filters={"id": str(marker.id)})
    assert outcome.run.results[0].ok
    assert not managed_containers(client)
    fault.kept = "the new run's results; the marker gone"
