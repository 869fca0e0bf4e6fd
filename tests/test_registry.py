import pytest

from concbench_poly.config import WorkloadParams
from concbench_poly.errors import UsageError
from concbench_poly.registry import RUNNERS, plan_cases


def test_default_plan_covers_the_articles_rows() -> None:
    cases = plan_cases(tuple(RUNNERS), ("io", "cpu"), WorkloadParams())
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
    assert pool50.runner_args() == [
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
    assert mp.runner_args()[-6:] == ["--payload-bytes", "64", "--repeat", "7", "--workers", "3"]


def test_unknown_language_and_approach_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="'rust'"):
        plan_cases(("rust",), ("io",), WorkloadParams())
    with pytest.raises(UsageError, match="fibers"):
        plan_cases(("python",), ("io",), WorkloadParams(), ("fibers",))


def test_an_approach_without_the_workload_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nothing to run"):
        plan_cases(("node",), ("io",), WorkloadParams(), ("worker_threads",))
