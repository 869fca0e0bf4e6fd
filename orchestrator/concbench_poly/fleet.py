"""A fleet: one suite on several Docker engines. The service behind `all --host/--hosts`.

The suite runs serially on each host (one container at a time, as on one machine) and the hosts run
in parallel, one worker thread per host. The driving machine builds each image once and ships it to
every host that lacks it, so all hosts run the same bits (--build-on-host builds on each instead).
A host that cannot be reached, or fails mid-run, stops alone: its reason is saved and the others go on.

Layout of a fleet's results directory:
    fleet.json                      the fleet: hosts (no credentials), options, reference, status
    <host>/run.json, <host>/raw/    each host's run, exactly as a one-machine run saves it
    <host>/report.md ...            each host's own report
    fleet.md, fleet-summary.json, fleet.csv   the hosts side by side
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import docker

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.fleet import FleetReport, HostData, build_fleet_report
from concbench_poly.config import RunOptions, options_json, run_options_from_json
from concbench_poly.errors import ConcbenchError, EngineUnavailableError, ResultsDirError, UsageError
from concbench_poly.execution.base import Executor
from concbench_poly.execution.docker_engine import ENGINE_ERRORS, connect, connect_host
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.hosts import HostSpec, host_from_json
from concbench_poly.execution.images import ImageRef, ship_image
from concbench_poly.execution.interrupts import interruption
from concbench_poly.execution.invocation import INVOCATION_LABEL
from concbench_poly.execution.suite import Events, new_run_id
from concbench_poly.files import write_atomic
from concbench_poly.json_format import dump_json
from concbench_poly.report.writer import write_fleet_report
from concbench_poly.results.model import RunResult
from concbench_poly.results.store import RUN_FILE, has_results, load_results, load_run_info, save_run_info

# The fleet's own record, beside the hosts' folders, as run.json is a run's (the side-by-side report
# is fleet.md, fleet-summary.json and fleet.csv).
FLEET_FILE = "fleet.json"


@dataclass(frozen=True)
class FleetOptions:
    """Everything a fleet invocation needs: the one-machine options, and the hosts to run them on."""

    run: RunOptions
    hosts: tuple[HostSpec, ...]
    reference: str  # the host the others are compared with
    build_on_host: bool = False

    def host_options(self, host: HostSpec) -> RunOptions:
        """The run on one host: its limit overrides, its cpuset for the core-count axis, its name on every case."""
        run = self.run
        return replace(
            run,
            limits=host.limits(run.limits),
            axis_cpuset=host.cpuset if host.cpuset is not None else run.axis_cpuset,
            # A host given its own quota runs without a core-count axis, as --cpus does on one machine.
            cores=None if host.cpus is not None else run.cores,
            executor="docker",
            host=host.name,
        )


def fleet_options(
    run: RunOptions, hosts: Sequence[HostSpec], reference: str | None, build_on_host: bool
) -> FleetOptions:
    if not hosts:
        raise UsageError("--host: a fleet needs at least one host")
    names = [h.name for h in hosts]
    if reference is not None and reference not in names:
        raise UsageError(f"--reference: {reference!r} is not one of the hosts ({', '.join(names)})")
    if run.executor == "local":
        raise UsageError("--executor local: a fleet runs on Docker engines (--host/--hosts)")
    return FleetOptions(run, tuple(hosts), reference or names[0], build_on_host)


@dataclass(frozen=True)
class HostOutcome:
    host: HostSpec
    out_dir: Path
    results: tuple[RunResult, ...]
    error: str | None  # why it stopped early or never started; None: it finished

    @property
    def failures(self) -> tuple[RunResult, ...]:
        return tuple(r for r in self.results if not r.ok)


@dataclass(frozen=True)
class FleetOutcome:
    hosts: tuple[HostOutcome, ...]
    report: FleetReport
    files: tuple[Path, ...]
    wall_s: float
    interrupted: bool = False

    @property
    def failed_hosts(self) -> tuple[HostOutcome, ...]:
        return tuple(h for h in self.hosts if h.error is not None)


HostEventsFor = Callable[[str], Events]


class HostEngine(Protocol):
    """One host as the fleet drives it: the seam fleet tests replace (executor.py's is the one below it)."""

    def executor(self) -> Executor: ...

    def ship(self, images: Sequence[ImageRef]) -> list[str]:
        """Bring the images the host lacks; returns the tags it had to be sent."""
        ...

    def kill_runs(self, run_id: str) -> None:
        """Kill this invocation's running containers (from the main thread, on an interrupt)."""
        ...


@dataclass
class DockerHost:
    spec: HostSpec
    client: docker.DockerClient
    source: docker.DockerClient | None  # the driving machine's engine, where the images were built

    def executor(self) -> Executor:
        return DockerExecutor(self.client, host=self.spec)

    def ship(self, images: Sequence[ImageRef]) -> list[str]:
        if self.source is None:
            return []
        where = f"host {self.spec.name}"
        return [ref.tag for ref in images if ship_image(self.source, self.client, ref, where)[1]]

    def kill_runs(self, run_id: str) -> None:
        with contextlib.suppress(*ENGINE_ERRORS):
            for container in self.client.containers.list(filters={"label": f"{INVOCATION_LABEL}={run_id}"}):
                with contextlib.suppress(*ENGINE_ERRORS):
                    container.kill()


def open_docker_host(spec: HostSpec, source: docker.DockerClient | None) -> HostEngine:
    return DockerHost(spec, connect_host(spec), source)


OpenHost = Callable[[HostSpec, "docker.DockerClient | None"], HostEngine]


def is_fleet_dir(out_dir: Path) -> bool:
    return (out_dir / FLEET_FILE).is_file()


def fleet_benchmark(
    fleet: FleetOptions,
    out_dir: Path,
    events: Events,
    *,
    host_events: HostEventsFor | None = None,
    resume: bool = False,
    wait_for_cores: bool = True,
    open_host: OpenHost = open_docker_host,
    driver: Callable[[], docker.DockerClient] = connect,
) -> FleetOutcome:
    """Run the suite on every host at once (each serially), then write the fleet report.

    resume: hosts whose run finished keep their results; the others continue (or start). open_host and
    driver are the seams to the engines (tests bring their own).
    """
    from concbench_poly.service import planned_cases

    planned_cases(fleet.run)  # an unknown language or approach is refused before anything is written
    started = time.perf_counter()
    record = _start_record(fleet, out_dir, resume)
    source, images = (None, []) if fleet.build_on_host else _driver_images(fleet, driver, events)
    stop = threading.Event()
    engines: dict[str, HostEngine] = {}
    for_host = host_events or (lambda name: events)
    todo = [h for h in fleet.hosts if not (resume and _host_complete(out_dir / h.name))]
    if resume and len(todo) < len(fleet.hosts):
        events.notice(f"--resume: {len(fleet.hosts) - len(todo)} host(s) finished already; resuming {len(todo)}")
    outcomes: dict[str, HostOutcome] = {}
    interrupted = False
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(todo)), thread_name_prefix="host") as pool:
        futures = {
            pool.submit(
                _run_host, fleet, host, out_dir, source, images, record["run_id"], for_host(host.name), stop,
                engines, open_host, resume, wait_for_cores,
            ): host
            for host in todo
        }  # fmt: skip
        try:
            _wait_all(futures)
        except KeyboardInterrupt:
            # Signals reach the main thread only: stop every host's suite, kill what runs now, and let
            # each worker save its interrupted row and run.json before the interrupt goes on up.
            interrupted = True
            stop.set()
            events.notice(f"{interruption()}: stopping every host (a second one forces out at once)")
            for engine in list(engines.values()):
                engine.kill_runs(record["run_id"])
            _wait_all(futures)
        for future, host in futures.items():
            outcomes[host.name] = future.result()
    hosts = tuple(
        outcomes.get(h.name) or HostOutcome(h, out_dir / h.name, tuple(load_results(out_dir / h.name)), None)
        for h in fleet.hosts
    )
    wall_s = time.perf_counter() - started
    record.update(
        complete=all(h.error is None for h in hosts),
        stopped=None if not interrupted else f"interrupted ({interruption()})",
        finished_at=_stamp(),
        wall_s=round(wall_s, 3),
        hosts_failed={h.host.name: h.error for h in hosts if h.error is not None},
    )
    _save_record(out_dir, record)
    report = fleet_report(out_dir, fleet.run.latency_view)
    files = _write(out_dir, report)
    outcome = FleetOutcome(hosts, report, files, wall_s, interrupted)
    if interrupted:
        raise FleetInterrupted(outcome)
    return outcome


class FleetInterrupted(KeyboardInterrupt):
    """The fleet was interrupted; every host saved what it had, and the fleet report was written."""

    def __init__(self, outcome: FleetOutcome) -> None:
        super().__init__()
        self.outcome = outcome


def _wait_all(futures: dict[concurrent.futures.Future[HostOutcome], HostSpec]) -> None:
    """Wait in short slices: a blocking wait would hold off KeyboardInterrupt until every host ended."""
    pending = set(futures)
    while pending:
        _, pending = concurrent.futures.wait(pending, timeout=0.5)


def _run_host(
    fleet: FleetOptions,
    host: HostSpec,
    out_dir: Path,
    source: docker.DockerClient | None,
    images: Sequence[ImageRef],
    run_id: str,
    events: Events,
    stop: threading.Event,
    engines: dict[str, HostEngine],
    open_host: OpenHost,
    resume: bool,
    wait_for_cores: bool,
) -> HostOutcome:
    """One host's whole run, in its worker thread; never raises: what went wrong is its outcome."""
    from concbench_poly.service import benchmark

    host_dir = out_dir / host.name
    try:
        engine = open_host(host, source)
    except EngineUnavailableError as exc:
        return _host_failed(fleet, host, host_dir, run_id, str(exc), events)
    engines[host.name] = engine
    try:
        for tag in engine.ship(images):
            events.notice(f"shipped {tag} from the driving machine")
        resumed = resume and has_results(host_dir)
        if resume and not resumed:
            # It never ran a case (unreachable last time): start it afresh in its folder.
            with contextlib.suppress(FileNotFoundError):
                (host_dir / RUN_FILE).unlink()
        outcome = benchmark(
            fleet.host_options(host),
            host_dir,
            events,
            executor=engine.executor(),
            resume=resumed,
            wait_for_cores=wait_for_cores,
            run_id=run_id,
            should_stop=stop.is_set,
        )
    except KeyboardInterrupt:
        return HostOutcome(host, host_dir, _saved(host_dir), f"interrupted ({interruption()})")
    except ConcbenchError as exc:
        reason = str(exc).splitlines()[0]
        if not (host_dir / RUN_FILE).is_file():
            return _host_failed(fleet, host, host_dir, run_id, reason, events)
        events.notice(reason)
        return HostOutcome(host, host_dir, _saved(host_dir), reason)
    info = load_run_info(host_dir)
    error = None if info.get("complete") else str(info.get("stopped") or "stopped early")
    return HostOutcome(host, host_dir, outcome.run.results, error)


def _saved(host_dir: Path) -> tuple[RunResult, ...]:
    try:
        return tuple(load_results(host_dir)) if has_results(host_dir) else ()
    except ResultsDirError:
        return ()


def _host_failed(
    fleet: FleetOptions, host: HostSpec, host_dir: Path, run_id: str, reason: str, events: Events
) -> HostOutcome:
    """A host that never ran a case still gets its folder and run.json: the saved row of why."""
    events.notice(reason)
    try:
        host_dir.mkdir(parents=True, exist_ok=True)
        save_run_info(
            host_dir,
            {
                "run_id": run_id,
                "executor": "docker",
                "host_spec": host.public(),
                "options": options_json(fleet.host_options(host)),
                "complete": False,
                "stopped": reason,
                "runs": 0,
            },
        )
    except OSError as exc:
        events.notice(f"{host_dir}: could not record why host {host.name} failed ({exc})")
    return HostOutcome(host, host_dir, (), reason)


def _driver_images(
    fleet: FleetOptions, driver: Callable[[], docker.DockerClient], events: Events
) -> tuple[docker.DockerClient, list[ImageRef]]:
    """Every runner image built once, on the driving machine's own engine: the source of every ship."""
    from concbench_poly.service import ensure_images, image_targets

    try:
        client = driver()
    except EngineUnavailableError as exc:
        raise EngineUnavailableError(
            f"{exc}: the driving machine builds the fleet's images; --build-on-host builds on each host instead"
        ) from None
    return client, ensure_images(client, image_targets(fleet.run), fleet.run.offline, events)


def _host_complete(host_dir: Path) -> bool:
    try:
        return bool(load_run_info(host_dir).get("complete"))
    except ResultsDirError:
        return False


def _start_record(fleet: FleetOptions, out_dir: Path, resume: bool) -> dict[str, Any]:
    if resume:
        resumed = load_fleet_record(out_dir)
        resumed.update(complete=False, stopped=None)
        resumed["sessions"] = [*resumed.get("sessions", []), {"started_at": _stamp()}]
        _save_record(out_dir, resumed)
        return resumed
    if is_fleet_dir(out_dir) or has_results(out_dir):
        raise UsageError(f"--out: {out_dir} already holds results; choose a new directory (or `report` it)")
    for host in fleet.hosts:
        if has_results(out_dir / host.name):
            raise UsageError(f"--out: {out_dir / host.name} already holds results; choose a new directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot write results to {out_dir} ({exc.strerror or exc})") from None
    record: dict[str, Any] = {
        "fleet_version": 1,
        "run_id": new_run_id(),
        "started_at": _stamp(),
        "hosts": [h.public() for h in fleet.hosts],
        "reference": fleet.reference,
        "build_on_host": fleet.build_on_host,
        "options": options_json(fleet.run),
        "complete": False,
        "stopped": None,
    }
    _save_record(out_dir, record)
    return record


def load_fleet_record(out_dir: Path) -> dict[str, Any]:
    path = out_dir / FLEET_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsDirError(f"{path}: not readable ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("hosts"), list):
        raise ResultsDirError(f"{path}: not a fleet record")
    return record


def resume_fleet_options(out_dir: Path) -> FleetOptions:
    """The fleet a results directory was run with (its fleet record), for --resume."""
    record = load_fleet_record(out_dir)
    run = run_options_from_json(record.get("options") or {}, source=str(out_dir / FLEET_FILE))
    hosts = tuple(host_from_json(h) for h in record["hosts"])
    return FleetOptions(run, hosts, str(record.get("reference") or hosts[0].name), bool(record.get("build_on_host")))


def fleet_report(out_dir: Path, latency_view: str) -> FleetReport:
    """The side-by-side report from what the fleet's folders hold (pure but for reading them)."""
    from concbench_poly.service import plan_of

    record = load_fleet_record(out_dir)
    data = []
    for public in record["hosts"]:
        host_dir = out_dir / str(public["name"])
        info = load_run_info(host_dir) if (host_dir / RUN_FILE).is_file() else None
        results = tuple(load_results(host_dir)) if has_results(host_dir) else ()
        plan = plan_of(info) if info else None
        data.append(HostData(str(public["name"]), public, info, results, plan))
    return build_fleet_report(data, str(record.get("reference") or data[0].name), load_claims(), latency_view)


def report_fleet_directory(out_dir: Path, latency_view: str) -> tuple[FleetReport, tuple[Path, ...]]:
    """`report DIR` on a fleet: each host's report, then the fleet's, rebuilt from the saved runs."""
    from concbench_poly.service import report_directory

    for public in load_fleet_record(out_dir)["hosts"]:
        host_dir = out_dir / str(public["name"])
        if has_results(host_dir):
            report_directory(host_dir, latency_view)
    report = fleet_report(out_dir, latency_view)
    return report, _write(out_dir, report)


def _write(out_dir: Path, report: FleetReport) -> tuple[Path, ...]:
    try:
        return write_fleet_report(out_dir, report)
    except OSError as exc:
        raise ResultsDirError(f"{out_dir}: writing the fleet report failed ({exc}); the raw results are kept") from None


def _save_record(out_dir: Path, record: dict[str, Any]) -> None:
    write_atomic(out_dir / FLEET_FILE, dump_json(record))


def _stamp() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
