"""The fault-injection suite's machinery.

Every test fills its `fault` row (fault, expected status, observed, what was kept); at the end
pytest_terminal_summary prints the table of all rows, failed ones marked so, and writes it to
fault-table.txt under pytest's base temporary directory. The fixtures inject the faults for real: a
second Docker engine (tests/engines.py) for the faults that stop or kill an engine, small tmpfs
mounts for the storage faults, misbehaving images built from the offline base image, and the real
CLI as a subprocess. Each one removes what it made: mounts, containers, engines, processes, images.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.cases import Case, plan_cases
from concbench_poly.config import WorkloadParams
from concbench_poly.execution.base import RunRequest
from concbench_poly.execution.images import OFFLINE_BASE_IMAGE, ImageBuilder, ImageRef, ship_image
from concbench_poly.paths import repo_root
from concbench_poly.results.model import RunResult
from tests.conftest import REPO_ROOT
from tests.engines import SecondEngine, start_second_engine, stop_second_engine

# ---------------------------------------------------------------------------------------------------
# The table


@dataclass
class FaultRow:
    """One row of the table: what was injected, the status it should end in, what was seen, what was kept."""

    nodeid: str
    fault: str = ""
    expected: str = ""
    observed: str = "(not reached)"
    kept: str = ""
    outcome: str = "not run"

    def describe(self, fault: str, expected: str) -> None:
        self.fault, self.expected = fault, expected

    def observe(self, text: str, limit: int = 180, **paths: Path) -> None:
        """What was seen, paths shortened to their names (out=tmp/x/out -> <out>) and long text cut."""
        for name, path in paths.items():
            text = text.replace(str(path), f"<{name}>")
        text = " ".join(text.split())
        self.observed = text if len(text) <= limit else text[: limit - 3] + "..."


ROWS = pytest.StashKey[list[FaultRow]]()
ROW = pytest.StashKey[FaultRow]()
TABLE_FILE = pytest.StashKey[Path]()
COLUMNS = (("result", 7), ("fault", 28), ("expected", 28), ("observed", 40), ("kept", 44))


@pytest.fixture
def fault(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> FaultRow:
    row = FaultRow(request.node.nodeid)
    request.config.stash.setdefault(ROWS, []).append(row)
    request.config.stash[TABLE_FILE] = tmp_path_factory.getbasetemp() / "fault-table.txt"
    request.node.stash[ROW] = row
    return row


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    row = item.stash.get(ROW, None)
    if row is None and report.failed and "fault" in getattr(item, "fixturenames", ()):
        # Its setup failed before the `fault` fixture existed: the row is there all the same.
        row = item.stash[ROW] = FaultRow(item.nodeid)
        item.config.stash.setdefault(ROWS, []).append(row)
    if row is not None:
        if report.skipped:
            row.outcome = "skipped"
        elif report.failed:
            row.outcome = "FAILED" if report.when == "call" else f"ERROR ({report.when})"
        elif report.when == "call":
            row.outcome = "passed"
    return report


def render_table(rows: Sequence[FaultRow]) -> str:
    """Fixed-width columns, each cell wrapped within its column."""

    def line(cells: Sequence[str]) -> list[str]:
        wrapped = [textwrap.wrap(cell, width) or [""] for cell, (_, width) in zip(cells, COLUMNS, strict=True)]
        height = max(len(lines) for lines in wrapped)
        return [
            " | ".join(
                (lines[i] if i < len(lines) else "").ljust(width)
                for lines, (_, width) in zip(wrapped, COLUMNS, strict=True)
            ).rstrip()
            for i in range(height)
        ]

    rule = "-+-".join("-" * width for _, width in COLUMNS)
    out = [*line([name for name, _ in COLUMNS]), rule]
    for row in rows:
        out += line([row.outcome, row.fault or row.nodeid, row.expected, row.observed, row.kept])
        out.append(rule)
    failed = sum(1 for row in rows if row.outcome != "passed")
    out.append(f"{len(rows)} fault(s), {len(rows) - failed} as expected, {failed} not")
    return "\n".join(out) + "\n"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    rows = config.stash.get(ROWS, [])
    if not rows:
        return
    table = render_table(rows)
    terminalreporter.write_sep("=", "fault injection: fault -> expected status -> observed -> what was kept")
    for text in table.splitlines():
        terminalreporter.write_line(text)
    path = config.stash.get(TABLE_FILE, None)
    if path is not None:
        with contextlib.suppress(OSError):
            path.write_text(table, encoding="utf-8")
            terminalreporter.write_line(f"(table written to {path})")


# ---------------------------------------------------------------------------------------------------
# Cases, results, events


def io_case(language: str, approach: str, **params: Any) -> Case:
    [found] = [
        c for c in plan_cases((language,), ("io",), WorkloadParams(**params), (approach,)) if c.pool_size is None
    ]
    return found


def row_of(result: RunResult) -> str:
    """'timeout: python/asyncio (container 1a2b3c4d5e6f): killed after ...' for the observed column."""
    return "ok" if result.ok else f"{result.error_kind}: {result.error_message}"


@dataclass
class RecordedEvents:
    """The service's events, kept for assertions (notices are the one-line messages users see)."""

    notices: list[str] = field(default_factory=list)
    started: list[RunRequest] = field(default_factory=list)

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        self.started.append(request)

    def run_finished(self, result: RunResult) -> None:
        pass


def leftover_temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob(".*.tmp"))


# ---------------------------------------------------------------------------------------------------
# Misbehaving images (on the suite's engine)


@pytest.fixture(scope="session")
def fault_image(docker_client: Any, runner_images: dict[str, ImageRef]) -> Iterator[Callable[..., str]]:
    """build(name, script, files) -> the tag of an image whose entrypoint is that shell script.

    Built from the offline base image with COPY and ENTRYPOINT only (no RUN: no network needed); the
    container gets the runner's arguments as "$@" and ignores them. Removed at the end of the session.
    """
    base = OFFLINE_BASE_IMAGE if docker_client.images.list(name=OFFLINE_BASE_IMAGE) else runner_images["python"].tag
    built: list[str] = []

    def build(name: str, script: str, files: dict[str, bytes] | None = None) -> str:
        tag = f"concbench-poly/test-fault:{name}"
        dockerfile = (
            f"FROM {base}\nLABEL concbench-poly.managed=true\nCOPY . /fault/\n"
            'ENTRYPOINT ["/bin/sh", "/fault/fault.sh"]\n'
        )
        context = io.BytesIO()
        with tarfile.open(fileobj=context, mode="w") as tar:
            entries = {"Dockerfile": dockerfile.encode(), "fault.sh": script.encode(), **(files or {})}
            for path, data in entries.items():
                info = tarfile.TarInfo(path)
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
        context.seek(0)
        docker_client.images.build(fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True)
        built.append(tag)
        return tag

    yield build
    for tag in built:
        with contextlib.suppress(Exception):
            docker_client.images.remove(tag, force=True)


# ---------------------------------------------------------------------------------------------------
# Second engines


def current_go_image(client: Any) -> str:
    """The Go runner image the CLI's `--offline` would use now, built on the suite's engine if missing.

    Asked again for each test: the runner sources may change while the suite runs, and with them the tag.
    """
    return ImageBuilder(client, repo_root()).ensure("go", offline=True).tag


def ship(source: Any, target: Any, tag: str) -> None:
    ship_image(source, target, ImageRef("go", tag, None), "the second engine")


@pytest.fixture(scope="session")
def base_image(docker_client: Any, runner_images: dict[str, ImageRef]) -> bytes:
    """The offline base image's archive: an engine with it builds a runner image without bootstrapping one."""
    return b"".join(docker_client.images.get(OFFLINE_BASE_IMAGE).save(named=OFFLINE_BASE_IMAGE))


def clear_engine(engine: SecondEngine) -> None:
    with contextlib.suppress(Exception):
        for container in engine.client().containers.list(all=True):
            container.remove(force=True)


@pytest.fixture(scope="session")
def shared_engine(base_image: bytes) -> Iterator[SecondEngine]:
    engine = start_second_engine()
    try:
        engine.client().images.load(base_image)
        yield engine
    finally:
        stop_second_engine(engine)


@pytest.fixture
def go_image(docker_client: Any, shared_engine: SecondEngine) -> str:
    """The current Go runner image's tag, present on the suite's engine and on the shared second engine."""
    tag = current_go_image(docker_client)
    ship(docker_client, shared_engine.client(), tag)
    return tag


@pytest.fixture
def engine(shared_engine: SecondEngine, go_image: str) -> Iterator[SecondEngine]:
    """A second engine with the Go runner and the base image, without containers before and after each test."""
    clear_engine(shared_engine)
    yield shared_engine
    clear_engine(shared_engine)


@dataclass
class EngineSlot:
    """A second engine a test may kill, and start again on the same data-root (a "fresh" engine that
    still has its images)."""

    engine: SecondEngine

    def restart(self) -> SecondEngine:
        if self.engine.alive:
            self.engine.kill()
        forget_dead_containerd(self.engine.root)
        self.engine = start_second_engine(self.engine.root)
        return self.engine


def forget_dead_containerd(root: Path, timeout_s: float = 10.0) -> None:
    """A killed dockerd's containerd dies with it, but may stay a zombie until init reaps it; a dockerd
    started on the same root would take that zombie's pid file for a live containerd and wait for its
    socket in vain. Once it is dead, its pid file goes (its shims stay, for the new containerd)."""
    pidfile = root / "exec" / "containerd" / "containerd.pid"

    def dead() -> bool:
        try:
            stat = Path(f"/proc/{int(pidfile.read_text().strip())}/stat").read_text()
        except (OSError, ValueError):
            return True
        return stat[stat.rfind(")") + 2 :].startswith(("Z", "X"))

    if pidfile.exists():
        wait_for(dead, timeout_s, "the killed engine's containerd to die")
        pidfile.unlink(missing_ok=True)


@contextlib.contextmanager
def killable(main_client: Any) -> Iterator[EngineSlot]:
    """A second engine with the current Go runner image, which the test may kill and restart."""
    slot = EngineSlot(start_second_engine())
    try:
        ship(main_client, slot.engine.client(), current_go_image(main_client))
        yield slot
    finally:
        if not slot.engine.alive:
            # A killed dockerd leaves its containers' shims running: a dockerd started on the same
            # root takes them over, and stopping it properly ends them.
            with contextlib.suppress(RuntimeError):
                slot.restart()
        stop_second_engine(slot.engine)


def running_containers(client: Any) -> list[Any]:
    return list(client.containers.list(filters={"label": "concbench-poly.case", "status": "running"}))


def wait_for_run(client: Any, invocation: CliProcess, suffix: str = "", timeout_s: float = 60.0) -> Any:
    """The run container (its name ending in `suffix`) once it runs; fails at once if the CLI exits first."""

    def running() -> Any:
        found = [c for c in running_containers(client) if c.name.endswith(suffix)]
        if not found and invocation.process.poll() is not None:
            finished = invocation.finish()
            raise AssertionError(f"the CLI exited ({finished.returncode}) before its run: {finished.stderr}")
        return found

    [container] = wait_for(running, timeout_s, f"a running container named *{suffix}")
    return container


def wait_for(predicate: Callable[[], Any], timeout_s: float, what: str, poll_s: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


# ---------------------------------------------------------------------------------------------------
# The CLI as a subprocess


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@dataclass
class CliProcess:
    """One CLI subprocess; its stdout and stderr go to files, so a test can read stderr while it runs."""

    process: subprocess.Popen[bytes]
    started: float
    stdout_path: Path
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stderr_so_far(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def finish(self, timeout_s: float = 120.0) -> Finished:
        self.process.wait(timeout=timeout_s)
        stdout = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        return Finished(self.process.returncode, stdout, self.stderr_so_far(), time.monotonic() - self.started)


class Cli:
    """Starts `python -m concbench_poly ARGS` (or the test shim) and kills what is still running at teardown."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[CliProcess] = []

    def start(self, args: Sequence[str], *, docker_host: str | None = None, shim: Sequence[str] = ()) -> CliProcess:
        env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
        env.pop("DOCKER_HOST", None)
        if docker_host is not None:
            env["DOCKER_HOST"] = docker_host
        module = ["-m", "tests.faults.cli_shim", *shim, "--"] if shim else ["-m", "concbench_poly"]
        number = len(self.started)
        stdout_path, stderr_path = self.logs / f"cli-{number}.stdout", self.logs / f"cli-{number}.stderr"
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, *module, *args],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,  # a ^C at the test's terminal is not the signal under test
            )
        invocation = CliProcess(process, time.monotonic(), stdout_path, stderr_path)
        self.started.append(invocation)
        return invocation

    def run(self, args: Sequence[str], *, timeout_s: float = 120.0, **kwargs: Any) -> Finished:
        return self.start(args, **kwargs).finish(timeout_s)

    def cleanup(self) -> list[int]:
        """Kill (by pid, never by name) what a failed test left running; returns those pids."""
        left = []
        for invocation in self.started:
            if invocation.process.poll() is None:
                left.append(invocation.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(invocation.pid, signal.SIGKILL)
                invocation.process.wait()
        return left


@contextlib.contextmanager
def cli_launcher(logs: Path) -> Iterator[Cli]:
    logs.mkdir(parents=True, exist_ok=True)
    launcher = Cli(logs)
    try:
        yield launcher
    finally:
        launcher.cleanup()


@pytest.fixture
def no_plots(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process benchmarks write their report without plots: seconds of matplotlib no fault needs."""
    import concbench_poly.service
    from concbench_poly.report.writer import write_report

    monkeypatch.setattr(concbench_poly.service, "write_report", functools.partial(write_report, plots=False))


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    with cli_launcher(tmp_path / "cli") as launcher:
        yield launcher


# ---------------------------------------------------------------------------------------------------
# Storage


@dataclass
class Mounts:
    root: Path
    mounted: list[Path] = field(default_factory=list)

    def tmpfs(self, name: str, size: str, *, read_only: bool = False) -> Path:
        target = self.root / name
        target.mkdir(parents=True, exist_ok=True)
        options = f"size={size},mode=0755" + (",ro" if read_only else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)
        self.mounted.append(target)
        return target

    @staticmethod
    def remount_read_only(target: Path) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)

    def unmount_all(self) -> None:
        for target in reversed(self.mounted):
            if subprocess.run(["umount", str(target)], capture_output=True, check=False).returncode != 0:
                subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def mounted_under(root: Path) -> list[str]:
    lines = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    return [line.split()[1] for line in lines if line.split()[1].startswith(str(root))]


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Mounts]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    made = Mounts(tmp_path)
    yield made
    made.unmount_all()
    assert not mounted_under(tmp_path), "a tmpfs was left mounted"
