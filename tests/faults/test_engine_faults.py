"""The engine fails: down before the run, SIGKILLed with a run in flight (then --resume on a fresh engine),
and an image that cannot be built. Each on a second dockerd of its own (tests/engines.py), never the
suite's engine; the CLI runs for real as a subprocess pointed at it with DOCKER_HOST."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import concbench_poly.service
from concbench_poly.config import Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.paths import repo_root
from concbench_poly.results.store import RUN_FILE, load_results
from concbench_poly.service import benchmark
from tests.engines import start_second_engine, stop_second_engine
from tests.faults.conftest import (
    EngineSlot,
    FaultRow,
    Finished,
    RecordedEvents,
    cli_launcher,
    killable,
    leftover_temp_files,
    row_of,
    wait_for_run,
)

pytestmark = pytest.mark.docker

KEY = "io-go-goroutines-n10"


def go_run(io_ms: int, repeat: int = 1) -> list[str]:
    return [
        "run", "go", "--approach", "goroutines", "--workload", "io", "--tasks", "10", "--io-ms", str(io_ms),
        "--warmup", "0", "--repeat", str(repeat), "--executor", "docker", "--offline",
    ]  # fmt: skip


def test_daemon_down_before_the_run(fault: FaultRow, docker_client: Any, tmp_path: Path) -> None:
    fault.describe("daemon down before the run (`all --executor docker`)", "exit 1, one line, nothing written")
    engine = start_second_engine()
    stop_second_engine(engine)
    out = tmp_path / "out"
    with cli_launcher(tmp_path / "cli") as cli:
        finished = cli.run(["all", "--executor", "docker", "--out", str(out)], docker_host=engine.url, timeout_s=60)
    fault.observe(f"exit {finished.returncode}: {finished.stderr.strip()}", engine=engine.root)
    assert finished.returncode == 1
    [line] = finished.lines()
    assert line.startswith("error: no Docker engine answers (")
    assert line.endswith("); start dockerd or use --executor local")
    assert finished.stdout == ""
    assert not out.exists()
    fault.kept = "nothing: --out was never created"


@dataclass(frozen=True)
class EngineLoss:
    """A 3-run invocation whose engine was SIGKILLed during run 2, as it was left right after."""

    slot: EngineSlot
    out: Path
    finished: Finished
    info: dict[str, Any]
    raw: dict[str, bytes]
    reported: bool  # report.md was written


@pytest.fixture(scope="module")
def engine_loss(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineLoss]:
    out = tmp_path_factory.mktemp("engine-loss") / "out"
    with killable(docker_client) as slot, cli_launcher(out.parent / "cli") as cli:
        invocation = cli.start(
            [*go_run(io_ms=2000, repeat=3), "--out", str(out)], docker_host=slot.engine.url, shim=["--no-plots"]
        )
        wait_for_run(slot.engine.client(), invocation, "-rep1")
        slot.engine.kill()
        finished = invocation.finish(60)
        raw = {p.name: p.read_bytes() for p in sorted((out / "raw").glob("*.json"))}
        info = json.loads((out / RUN_FILE).read_text())
        yield EngineLoss(slot, out, finished, info, raw, (out / "report.md").is_file())


def test_daemon_killed_during_a_run(fault: FaultRow, engine_loss: EngineLoss) -> None:
    fault.describe("daemon SIGKILLed during run 2 of 3", "run 2 engine_lost, run 3 not tried, run.json stopped")
    out, finished, info = engine_loss.out, engine_loss.finished, engine_loss.info
    fault.observe(f"exit {finished.returncode}; run.json stopped: {info['stopped']}", limit=200, out=out)
    assert info["cases"] == [KEY], "the test expects `run go --tasks 10 --approach goroutines` to plan one case"
    assert finished.returncode == 1
    assert sorted(engine_loss.raw) == [f"{KEY}.rep-0.json", f"{KEY}.rep-1.json"]
    first, lost = (json.loads(engine_loss.raw[f"{KEY}.rep-{k}.json"]) for k in (0, 1))
    assert first["status"] == "ok"
    assert lost["error"]["kind"] == "engine_lost"
    assert lost["error"]["message"].startswith("go/goroutines: Docker engine failed during concbench-")
    assert info["complete"] is False and info["runs"] == 2
    assert info["stopped"].startswith("engine lost at run 2 of 3 (go/goroutines: Docker engine failed during ")
    assert info["stopped"].endswith(
        f"1 run(s) not tried: `concbench-poly all --resume {out}` tries them once the engine is back"
    )
    assert f"concbench-poly: {info['stopped']}" in finished.stderr  # said as it happened
    # Then the invocation ends as any other with failed runs: its report written, no traceback.
    assert "Traceback" not in finished.stderr, finished.stderr
    assert finished.lines()[-1] == "1 case(s) had failed runs: Go goroutines (10) [io]"
    assert engine_loss.reported
    assert not leftover_temp_files(out)
    fault.kept = "run 1 ok and run 2's engine_lost row in raw/; run.json complete=false, stopped names the loss"


def test_resume_after_the_engine_is_back(fault: FaultRow, engine_loss: EngineLoss) -> None:
    fault.describe("--resume on a fresh engine after the loss", "runs 2 and 3 only; run 1 kept; complete")
    out = engine_loss.out
    engine = engine_loss.slot.restart()
    client = engine.client()
    since = int(time.time()) - 1
    with cli_launcher(out.parent / "cli-resume") as cli:
        finished = cli.run(["all", "--resume", str(out)], docker_host=engine.url, shim=["--no-plots"])
    created = [
        event["Actor"]["Attributes"]["name"]
        for event in client.events(
            since=since, until=int(time.time()) + 1, decode=True, filters={"type": "container", "event": "create"}
        )
    ]
    runs = sorted(name.rsplit("-", 1)[1] for name in created if name.startswith("concbench-2"))
    results = {r.repetition: r for r in load_results(out)}
    info = json.loads((out / RUN_FILE).read_text())
    fault.observe(f"exit {finished.returncode}; containers run: {', '.join(runs)}; complete={info['complete']}")
    assert finished.returncode == 0, finished.stderr
    assert runs == ["rep1", "rep2"], "only what was not done runs again"
    assert (out / "raw" / f"{KEY}.rep-0.json").read_bytes() == engine_loss.raw[f"{KEY}.rep-0.json"]
    assert sorted(results) == [0, 1, 2] and all(r.ok for r in results.values()), [row_of(r) for r in results.values()]
    assert info["complete"] is True and info["stopped"] is None and info["runs"] == 3
    assert len(info["sessions"]) == 2
    assert "removed 2 thing(s) left by invocations that are gone" in finished.stderr  # the lost run, the core lock
    assert not client.containers.list(all=True)
    fault.kept = "run 1's file byte for byte; runs 2 and 3 ok; run.json complete=true, 2 sessions"


@pytest.mark.usefixtures("no_plots")
def test_image_build_failure(
    fault: FaultRow, engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, go_image: str
) -> None:
    fault.describe("image build failure (python's Dockerfile broken)", "build_failed rows naming python; go runs")
    real = repo_root()
    root = tmp_path / "repo"
    (root / "runners" / "python").mkdir(parents=True)
    (root / "runners" / "python" / "Dockerfile").write_text("FROM scratch\nCOPY the-toolchain /usr/bin/\n")
    (root / "runners" / "go").symlink_to(real / "runners" / "go")
    monkeypatch.setattr(concbench_poly.service, "repo_root", lambda: root)
    options = RunOptions(
        params=WorkloadParams(tasks=10, io_ms=1),
        repetitions=Repetitions(warmup=0, repeat=2),
        languages=("python", "go"),
        workloads=("io",),
        approaches=("asyncio", "goroutines"),
        executor="docker",
        offline=True,
    )
    events = RecordedEvents()
    outcome = benchmark(options, tmp_path / "out", events, executor=DockerExecutor(engine.client()))
    results = outcome.run.results
    kinds = sorted({(r.case.language, r.error_kind) for r in results}, key=str)
    fault.observe("; ".join(f"{language}: {kind or 'ok'}" for language, kind in kinds))
    assert kinds == [("go", None), ("python", "build_failed")]
    python = [r for r in results if r.case.language == "python"]
    assert {r.error_message for r in python} == {
        "python: the runner image could not be built; see the build error above"
    }
    [said] = [n for n in events.notices if "failed" in n]
    assert said.startswith("python: building concbench-poly/python:") and "the-toolchain" in said
    saved = load_results(tmp_path / "out")
    assert sorted((r.case.key, r.repetition, r.error_kind) for r in saved) == sorted(
        (r.case.key, r.repetition, r.error_kind) for r in results
    )
    info = json.loads((tmp_path / "out" / RUN_FILE).read_text())
    assert info["complete"] is True
    assert go_image in {ref["tag"] for ref in info["images"]}
    assert (tmp_path / "out" / "report.md").is_file()
    fault.kept = f"{len(python)} build_failed rows naming python, {len(results) - len(python)} ok go rows, the report"
