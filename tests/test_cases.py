"""Planning cases from the contract and the user's choices; keys, labels and the runner command line."""

from __future__ import annotations

import pytest

from concbench_poly.cases import Case, blocking_cases, plan_cases, sweep_cases
from concbench_poly.config import WorkloadParams
from concbench_poly.contract import contract
from concbench_poly.errors import UsageError
from concbench_poly.results.document import runner_args


def test_default_plan_covers_the_articles_rows() -> None:
    cases = plan_cases(("python", "go", "node"), ("io", "cpu"), WorkloadParams())  # the article's languages
    # The article's rows, in its order; approaches the article has no row for (uvloop) may sit between them.
    io_labels = [c.label for c in cases if c.workload == "io" and c.approach != "uvloop"]
    assert io_labels == [
        "Python threading (1000)",
        "Python asyncio (1000)",
        "Python ThreadPool(50)",
        "Python ThreadPool(100)",
        "Go goroutines (1000)",
        "Node.js async (1000)",
    ]
    cpu_labels = [c.label for c in cases if c.workload == "cpu"]
    assert cpu_labels == [
        "Python threading (1000)",
        "Python asyncio (1000)",
        "Python multiprocessing(4)",
        "Go goroutines (1000)",
        "Node.js worker_threads(4)",
    ]
    assert len({c.key for c in cases}) == len(cases), "case keys name result files, so they must be unique"


def test_the_blocking_scenario_adds_few_task_python_io_cases() -> None:
    params = WorkloadParams()
    cases = blocking_cases(("python", "go"), ("io", "cpu"), params, (10, 50, params.tasks))
    # threading, asyncio and the first pool size at each count but the headline N (the plan has it).
    assert [c.label for c in cases] == [
        "Python threading (10)",
        "Python asyncio (10)",
        "Python ThreadPool(50)",
        "Python threading (50)",
        "Python asyncio (50)",
        "Python ThreadPool(50)",
    ]
    assert [c.tasks for c in cases if c.approach == "threadpool"] == [10, 50]
    assert blocking_cases(("go",), ("io",), params, (10,)) == []
    assert blocking_cases(("python",), ("cpu",), params, (10,)) == []
    only = blocking_cases(("python",), ("io",), params, (10,), approaches=("asyncio",))
    assert [c.approach for c in only] == ["asyncio"]


def test_mixed_cases_take_their_languages_calibrated_bytes() -> None:
    params = WorkloadParams(loop_bytes=16384, mixed_loop_bytes=(("python", 2400), ("go", 310_000)))
    python = plan_cases(("python", "go", "node"), ("mixed",), params)
    by_language = {c.language: c.loop_bytes for c in python}
    # Node.js was not calibrated: its mixed tasks hash loop_bytes, as the notice says.
    assert by_language == {"python": 2400, "go": 310_000, "node": 16384}
    assert {c.io_ms for c in python} == {params.io_ms}


def test_runner_args_follow_the_contract() -> None:
    [pool50] = [
        c for c in plan_cases(("python",), ("io",), WorkloadParams(io_ms=2.5), ("threadpool",)) if c.pool_size == 50
    ]
    assert runner_args(pool50) == [
        "--workload",
        "io",
        "--approach",
        "threadpool",
        "--tasks",
        "1000",
        "--io-ms",
        "2.5",
        "--pool-size",
        "50",
    ]
    [mp] = plan_cases(("python",), ("cpu",), WorkloadParams(repeat=7, workers=3), ("multiprocessing",))
    assert runner_args(mp)[-6:] == ["--payload-bytes", "64", "--repeat", "7", "--workers", "3"]


def test_unknown_language_and_approach_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="'cobol'"):
        plan_cases(("cobol",), ("io",), WorkloadParams())
    with pytest.raises(UsageError, match="fibers"):
        plan_cases(("python",), ("io",), WorkloadParams(), ("fibers",))


def test_an_approach_without_the_workload_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nothing to run"):
        plan_cases(("node",), ("io",), WorkloadParams(), ("worker_threads",))


def test_new_dimensions_leave_the_article_keys_alone() -> None:
    base = Case("python", "asyncio", "io", 1000, io_ms=10)
    assert (base.key, base.label) == ("io-python-asyncio-n1000", "Python asyncio (1000)")
    varied = Case("python", "asyncio", "io", 1000, io_ms=10, runtime="3.13t", cores=2, host="lab-a")
    assert varied.key == "lab-a.io-python-rt3.13t-asyncio-n1000-c2"
    assert varied.label == "Python 3.13t asyncio (1000)"
    assert len({base.key, varied.key}) == 2


def test_sweep_plans_every_count_smallest_first_per_approach() -> None:
    cases = sweep_cases(("go",), ("io",), WorkloadParams(), [10_000, 1000, 10_000])
    assert [(c.approach, c.tasks) for c in cases] == [("goroutines", 1000), ("goroutines", 10_000)]


def test_each_runtime_is_its_own_set_of_cases() -> None:
    from concbench_poly.cases import plan_cases

    runtimes = (("python", "3.11"), ("python", "3.13t"))
    cases = plan_cases(("python", "go"), ("io",), WorkloadParams(), ("asyncio", "goroutines"), runtimes=runtimes)
    assert [(c.language, c.runtime, c.label) for c in cases] == [
        ("python", "3.11", "Python 3.11 asyncio (1000)"),
        ("python", "3.13t", "Python 3.13t asyncio (1000)"),
        ("go", None, "Go goroutines (1000)"),  # a language not named keeps its default, unlabelled
    ]
    assert len({c.key for c in cases}) == 3


def test_an_approach_only_some_runtimes_have() -> None:
    from concbench_poly.cases import cases_for

    python = contract().runner("python")
    limited = [a for a in python.approaches if a.runtimes is not None]
    if not limited:
        pytest.skip("the contract has no Python approach limited to some runtimes")
    approach = limited[0]
    having = next(r.name for r in python.runtimes if approach.on(r.name))
    lacking = [r.name for r in python.runtimes if not approach.on(r.name)]
    assert approach.name in {c.approach for c in cases_for("python", "io", WorkloadParams(), runtime=having)}
    for runtime in lacking:
        assert approach.name not in {c.approach for c in cases_for("python", "io", WorkloadParams(), runtime=runtime)}
