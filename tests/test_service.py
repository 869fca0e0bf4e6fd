"""service.benchmark against the fake executor: ordering, saving as it goes, failure rows, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from concbench_poly.config import Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.execution.suite import SilentEvents
from concbench_poly.results.store import load_results
from concbench_poly.service import benchmark
from tests.fakes import FakeExecutor, ok_run, oom_killed_run


def options(**overrides: object) -> RunOptions:
    # The article's two workloads, without a core-count axis: these tests are about the run loop.
    base: dict[str, object] = {
        "repetitions": Repetitions(warmup=1, repeat=2),
        "executor": "local",
        "workloads": ("io", "cpu"),
        "cores": None,
    }
    base.update(overrides)
    return RunOptions(**base)  # type: ignore[arg-type]


def test_runs_go_in_rounds_warmups_first_one_at_a_time(tmp_path: Path) -> None:
    fake = FakeExecutor()
    outcome = benchmark(options(languages=("go", "node")), tmp_path, SilentEvents(), executor=fake)
    run = outcome.run
    keys = [(r.case.key, r.warmup, r.repetition) for r in fake.requests]
    cases = [
        "io-go-goroutines-n1000",
        "cpu-go-goroutines-n1000",
        "io-node-async-n1000",
        "cpu-node-worker_threads-w4-n1000",
    ]
    assert keys == [
        *((c, True, 0) for c in cases),
        *((c, False, 0) for c in cases),
        *((c, False, 1) for c in cases),
    ], "a warm-up round, then measured rounds that each run every case once"
    assert len(run.results) == 12 and not run.failures
    saved = load_results(tmp_path)
    assert len(saved) == 12 and sum(r.warmup for r in saved) == 4
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["complete"] is True and info["runs"] == 12 and info["executor"] == "local"
    assert all(path.is_file() for path in outcome.files.paths)
    assert {c.key for c in outcome.report.summary.cases} == set(cases)


def test_a_failed_run_is_a_saved_row_and_the_others_still_run(tmp_path: Path) -> None:
    def behaviour(request: RunRequest) -> RawRun:
        if request.case.language == "python":
            return oom_killed_run(request)
        return ok_run(request)

    run = benchmark(
        options(languages=("python", "go"), workloads=("io",)),
        tmp_path,
        SilentEvents(),
        executor=FakeExecutor(behaviour),
    ).run
    kinds = {r.case.language: r.error_kind for r in run.results if not r.warmup}
    assert kinds == {"python": "oom_killed", "go": None}
    assert {r.case.language for r in load_results(tmp_path) if r.ok} == {"go"}


def test_interrupt_keeps_finished_results_and_marks_the_run_incomplete(tmp_path: Path) -> None:
    calls = []

    def behaviour(request: RunRequest) -> RawRun:
        calls.append(request)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return ok_run(request)

    with pytest.raises(KeyboardInterrupt):
        benchmark(options(languages=("go",)), tmp_path, SilentEvents(), executor=FakeExecutor(behaviour))
    saved = load_results(tmp_path)
    assert [r.error_kind for r in saved].count(None) == 2
    assert [r.error_kind for r in saved if not r.ok] == ["interrupted"]
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["complete"] is False and info["runs"] == 3


def test_sweep_runs_small_points_first_and_skips_past_a_break(tmp_path: Path) -> None:
    def behaviour(request: RunRequest) -> RawRun:
        if request.case.language == "python" and request.case.tasks >= 10_000:
            return oom_killed_run(request)
        return ok_run(request)

    fake = FakeExecutor(behaviour)
    opts = options(
        languages=("python", "go"),
        workloads=("io",),
        approaches=("threading", "goroutines"),
        repetitions=Repetitions(warmup=0, repeat=1),
        params=WorkloadParams(),
        task_counts=(1000, 10_000, 100_000),
    )
    run = benchmark(opts, tmp_path, SilentEvents(), executor=fake).run
    asked = [(r.case.language, r.case.tasks) for r in fake.requests]
    assert asked == [("python", 1000), ("python", 10_000), ("go", 1000), ("go", 10_000), ("go", 100_000)]
    python = {r.case.tasks: r for r in run.results if r.case.language == "python"}
    assert python[10_000].error_kind == "oom_killed"
    assert python[100_000].error_kind == "oom_killed"  # the cause of the break, carried forward
    assert "smaller point already failed (N=10000: oom_killed)" in (python[100_000].error_message or "")


def test_an_unexpected_executor_error_is_a_row_naming_the_run(tmp_path: Path) -> None:
    def behaviour(request: RunRequest) -> RawRun:
        if request.case.language == "go":
            raise OSError(24, "Too many open files")
        return ok_run(request)

    run = benchmark(
        options(languages=("go", "node"), workloads=("io",)), tmp_path, SilentEvents(), executor=FakeExecutor(behaviour)
    ).run
    failed = [r for r in run.results if not r.ok]
    assert {r.case.language for r in failed} == {"go"}
    assert all(r.error_kind == "internal" and "go/goroutines" in (r.error_message or "") for r in failed)
    assert all(r.ok for r in run.results if r.case.language == "node")


def test_machine_checks_are_read_around_runs_on_this_machine(tmp_path: Path) -> None:
    here, elsewhere = FakeExecutor(), FakeExecutor()
    here.on_this_machine = True
    benchmark(options(languages=("go",), workloads=("io",)), tmp_path / "here", SilentEvents(), executor=here)
    benchmark(options(languages=("go",), workloads=("io",)), tmp_path / "away", SilentEvents(), executor=elsewhere)
    [checked, *_] = load_results(tmp_path / "here")
    checks = {"governors", "turbo", "siblings", "siblings_busy", "steal"}
    assert set(checked.document["execution"]["host_checks"]) == checks
    assert all(r.document["execution"]["host_checks"] is None for r in load_results(tmp_path / "away"))


def test_compare_refuses_runs_of_different_workloads_unless_allowed(tmp_path: Path) -> None:
    from dataclasses import replace

    from concbench_poly.errors import UsageError
    from concbench_poly.service import compare_directories

    base = options(languages=("go",), workloads=("io",))
    benchmark(base, tmp_path / "a", SilentEvents(), executor=FakeExecutor())
    slower_wait = replace(base, params=replace(base.params, io_ms=5.0))
    benchmark(slower_wait, tmp_path / "b", SilentEvents(), executor=FakeExecutor())
    with pytest.raises(UsageError, match=r"io_ms 10 in A, 5 in B"):
        compare_directories(tmp_path / "a", tmp_path / "b", "service")
    allowed = compare_directories(tmp_path / "a", tmp_path / "b", "service", allow_different=True)
    assert [(d.aspect, d.a, d.b) for d in allowed.workload_differences] == [("io_ms", (10.0,), (5.0,))]
    same = compare_directories(tmp_path / "a", tmp_path / "a", "service")
    assert same.same_results and not same.workload_differences


def test_an_incomplete_run_says_so_and_marks_its_picks_partial(tmp_path: Path) -> None:
    from concbench_poly.report.text import guide_text
    from concbench_poly.service import report_directory

    calls: list[RunRequest] = []

    def stop_at_the_third(request: RunRequest) -> RawRun:
        calls.append(request)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return ok_run(request)

    with pytest.raises(KeyboardInterrupt):
        benchmark(
            options(
                languages=("python",),
                workloads=("io",),
                repetitions=Repetitions(warmup=0, repeat=1),
                blocking_counts=(),  # the article's four I/O cases only
            ),
            tmp_path,
            SilentEvents(),
            executor=FakeExecutor(stop_at_the_third),
        )
    outcome = report_directory(tmp_path, "service")
    assert outcome.report.incomplete
    assert outcome.report.missing == ("Python ThreadPool(100)",)
    text = guide_text(outcome.report.guide)
    assert "Python, I/O-bound (N=1000): partial: " in text
    assert "ThreadPool(100) never ran" in text
    assert (tmp_path / "report.md").read_text(encoding="utf-8").count("INCOMPLETE RUN") == 1


def test_mixed_is_calibrated_to_milliseconds_of_one_cores_work(tmp_path: Path) -> None:
    # The fake's cpu-loop runs take 20 ms for 200 tasks of 16384 bytes: 163,840 bytes per ms on one core.
    fake = FakeExecutor()
    opts = options(
        languages=("go",), workloads=("mixed",), params=WorkloadParams(cpu_ms=2.0, loop_bytes=16384), cores=(1,)
    )
    outcome = benchmark(opts, tmp_path, SilentEvents(), executor=fake)
    calibration, *runs = fake.requests
    assert calibration.case.workload == "cpu-loop" and calibration.limits.cpus == 1.0
    assert calibration.case.tasks == 200 and calibration.case.loop_bytes == 16384
    assert {r.case.workload for r in runs} == {"mixed"}
    assert {r.case.loop_bytes for r in runs} == {round(2.0 * 200 * 16384 / 20.0)}
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["options"]["params"]["mixed_loop_bytes"] == [["go", 327680]]
    assert outcome.report.plan is not None and outcome.report.plan.mixed_cpu_ms == 2.0
    # Calibration is not a result: nothing of it is saved beside the runs.
    assert all(r.case.workload == "mixed" for r in load_results(tmp_path))
