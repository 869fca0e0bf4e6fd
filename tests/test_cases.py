"""Planning cases from the contract and the user's choices; keys, labels and the runner command line."""

from __future__ import annotations

import pytest

from concbench_poly.cases import Case, plan_cases, sweep_cases
from concbench_poly.config import WorkloadParams
from concbench_poly.contract import contract
from concbench_poly.errors import UsageError
from concbench_poly.results.document import runner_args


def test_default_plan_covers_the_articles_rows() -> None:
    cases = plan_cases(contract().languages, ("io", "cpu"), WorkloadParams())
    io_labels = [c.label for c in cases if c.workload == "io"]
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
    with pytest.raises(UsageError, match="'rust'"):
        plan_cases(("rust",), ("io",), WorkloadParams())
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
