"""The fleet service against fake hosts: one folder per host, failures stay with their host, --resume
goes on only where a host did not finish, and the side-by-side report lines the hosts up."""

from __future__ import annotations

import json
from pathlib import Path

import docker
import pytest

from concbench_poly.config import Repetitions, RunOptions
from concbench_poly.errors import EngineUnavailableError, UsageError
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.execution.hosts import HostSpec
from concbench_poly.execution.suite import SilentEvents
from concbench_poly.fleet import (
    FLEET_FILE,
    FleetOptions,
    HostEngine,
    OpenHost,
    fleet_benchmark,
    fleet_options,
    report_fleet_directory,
    resume_fleet_options,
)
from concbench_poly.results.store import load_results
from tests.fakes import FakeExecutor, FakeHost, ok_run

HOST_A = HostSpec("lab-a", "unix:///run/a.sock", "unix", cpuset="0")
HOST_B = HostSpec("lab-b", "ssh://bench@lab-b", "ssh", cpuset="1", labels=(("rack", "r2"),))


def fleet() -> FleetOptions:
    run = RunOptions(
        languages=("go",), workloads=("io",), repetitions=Repetitions(warmup=0, repeat=2), cores=None, executor="docker"
    )
    return fleet_options(run, (HOST_A, HOST_B), None, True)  # build_on_host: the fakes need no images


def opener(hosts: dict[str, FakeHost], unreachable: frozenset[str] = frozenset()) -> OpenHost:
    def open_host(spec: HostSpec, source: docker.DockerClient | None) -> HostEngine:
        if spec.name in unreachable:
            raise EngineUnavailableError(f"host {spec.name} ({spec.url}): no Docker engine answers (refused)")
        return hosts.setdefault(spec.name, FakeHost())

    return open_host


def test_every_host_runs_the_suite_into_its_own_folder(tmp_path: Path) -> None:
    hosts: dict[str, FakeHost] = {}
    outcome = fleet_benchmark(fleet(), tmp_path, SilentEvents(), open_host=opener(hosts))
    assert not outcome.failed_hosts
    for name, cpuset in (("lab-a", "0"), ("lab-b", "1")):
        requests = hosts[name].fake.requests
        assert [r.case.key for r in requests] == [f"{name}.io-go-goroutines-n1000"] * 2
        assert {r.limits.cpuset for r in requests} == {cpuset}, "each host's own cpuset"
        saved = load_results(tmp_path / name)
        assert len(saved) == 2 and all(r.case.host == name for r in saved)
        assert json.loads((tmp_path / name / "run.json").read_text())["complete"] is True
    record = json.loads((tmp_path / FLEET_FILE).read_text())
    assert record["complete"] is True and [h["name"] for h in record["hosts"]] == ["lab-a", "lab-b"]
    assert {p.name for p in outcome.files} == {"fleet.md", "fleet-summary.json", "fleet.csv"}
    report = outcome.report
    assert report.reference == "lab-a"
    total = next(r for r in report.rows if r.figure == "total_ms")
    assert total.key == "io-go-goroutines-n1000" and [c.group for c in total.cells] == ["lab-a", "lab-b"]
    # The fakes answer alike: the same medians, so nothing is called outside the noise.
    assert total.cells[1].ratio == 1.0 and total.cells[1].verdict == "no significant difference"


def test_an_unreachable_host_is_a_saved_reason_and_the_others_go_on(tmp_path: Path) -> None:
    hosts: dict[str, FakeHost] = {}
    outcome = fleet_benchmark(
        fleet(), tmp_path, SilentEvents(), open_host=opener(hosts, unreachable=frozenset({"lab-b"}))
    )
    assert [h.host.name for h in outcome.failed_hosts] == ["lab-b"]
    assert len(load_results(tmp_path / "lab-a")) == 2
    info = json.loads((tmp_path / "lab-b" / "run.json").read_text())
    assert info["complete"] is False and "no Docker engine answers" in info["stopped"]
    assert "lab-b" in json.loads((tmp_path / FLEET_FILE).read_text())["hosts_failed"]
    markdown = (tmp_path / "fleet.md").read_text()
    assert "INCOMPLETE FLEET RUN" in markdown and "no Docker engine answers" in markdown

    # --resume: lab-a keeps its results byte for byte; only lab-b runs, now that it answers.
    before = {p.name: p.read_bytes() for p in (tmp_path / "lab-a" / "raw").iterdir()}
    again: dict[str, FakeHost] = {}
    resumed = fleet_benchmark(
        resume_fleet_options(tmp_path), tmp_path, SilentEvents(), open_host=opener(again), resume=True
    )
    assert not resumed.failed_hosts and list(again) == ["lab-b"]
    assert {p.name: p.read_bytes() for p in (tmp_path / "lab-a" / "raw").iterdir()} == before
    assert len(load_results(tmp_path / "lab-b")) == 2
    assert json.loads((tmp_path / FLEET_FILE).read_text())["complete"] is True


def test_an_engine_lost_mid_run_stops_only_its_host(tmp_path: Path) -> None:
    calls: list[RunRequest] = []

    def dies_on_the_second(request: RunRequest) -> RawRun:
        calls.append(request)
        if len(calls) == 2:
            raise EngineUnavailableError("host lab-b: Docker engine failed during the run: Response ended prematurely")
        return ok_run(request)

    hosts = {"lab-b": FakeHost(FakeExecutor(dies_on_the_second))}
    outcome = fleet_benchmark(fleet(), tmp_path, SilentEvents(), open_host=opener(hosts))
    assert [h.host.name for h in outcome.failed_hosts] == ["lab-b"]
    assert len(load_results(tmp_path / "lab-a")) == 2
    lost = [r for r in load_results(tmp_path / "lab-b") if not r.ok]
    assert [r.error_kind for r in lost] == ["engine_lost"]


def test_report_rebuilds_the_fleet_report_byte_for_byte(tmp_path: Path) -> None:
    outcome = fleet_benchmark(fleet(), tmp_path, SilentEvents(), open_host=opener({}))
    written = {p.name: p.read_bytes() for p in outcome.files}
    _, files = report_fleet_directory(tmp_path, "service")
    assert {p.name: p.read_bytes() for p in files} == written


def test_a_used_directory_and_a_stranger_reference_are_refused(tmp_path: Path) -> None:
    fleet_benchmark(fleet(), tmp_path, SilentEvents(), open_host=opener({}))
    with pytest.raises(UsageError, match="already holds results"):
        fleet_benchmark(fleet(), tmp_path, SilentEvents(), open_host=opener({}))
    with pytest.raises(UsageError, match="--reference: 'lab-z' is not one of the hosts"):
        fleet_options(RunOptions(), (HOST_A, HOST_B), "lab-z", False)


def test_a_host_pinned_to_one_core_runs_the_core_axis_at_one_core_only() -> None:
    from concbench_poly.execution.machine import Machine, resolve_core_axis

    run = RunOptions(workloads=("cpu-loop",), cores=(), executor="docker")
    options = fleet_options(run, [HOST_A, HostSpec("wide", "unix:///run/w.sock", "unix", cpuset="0-1")], None, False)
    two_cpus = Machine(name="vm", cpus=frozenset({0, 1}), memory_bytes=2**34)
    narrow, notes = resolve_core_axis(options.host_options(HOST_A), two_cpus)
    assert narrow.cores == (1,) and notes == []
    wide, _ = resolve_core_axis(options.host_options(options.hosts[1]), two_cpus)
    assert wide.cores == (1, 2)
