"""error.at_failure: read where the submission stopped, before the started tasks are waited for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from python_runner_harness import RUNNER_DIR, SCHEMA_DIR, schema_errors

from concbench_runner import cli, concurrency_models, mixed_workload
from concbench_runner.arguments import parse_arguments
from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import SubmissionStopped
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.task_timing import TaskTimes

# The real worker function of asyncio-processpool, kept before a test replaces it.
HASH_IN_WORKER = mixed_workload.hash_in_worker
STARTS_BEFORE_FAILURE = 5
TASK_SECONDS = 0.5


def error_example() -> dict[str, Any]:
    document = json.loads((SCHEMA_DIR / "examples" / "valid" / "error_thread_start.json").read_text())
    assert isinstance(document, dict)
    return document


def test_collected_state_is_schema_valid() -> None:
    document = error_example()
    at_failure = collect_at_failure()
    assert at_failure is not None
    document["error"]["at_failure"] = at_failure
    assert schema_errors(document) == []
    assert at_failure["threads"] >= 1
    assert at_failure["memory_maps"] > 0
    assert at_failure["rss_bytes"] > 0
    assert at_failure["limits"]["max_map_count"] is None or at_failure["limits"]["max_map_count"] > 0


class FailingThread(threading.Thread):
    """A Thread whose start() fails like CPython's once STARTS_BEFORE_FAILURE threads have started."""

    started_so_far = 0

    def start(self) -> None:
        if FailingThread.started_so_far == STARTS_BEFORE_FAILURE:
            raise RuntimeError("can't start new thread")
        FailingThread.started_so_far += 1
        super().start()


def test_thread_per_task_reads_the_state_before_joining(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "Thread", FailingThread)  # what run_thread_per_task creates
    FailingThread.started_so_far = 0
    before = threading.active_count()
    times = TaskTimes(20)
    with pytest.raises(SubmissionStopped) as stopped:
        concurrency_models.run_thread_per_task(times, lambda index: time.sleep(TASK_SECONDS), MeasurementWindow())
    at_failure = stopped.value.at_failure
    assert at_failure is not None
    assert stopped.value.started == STARTS_BEFORE_FAILURE
    # The threads that did start were still sleeping when the state was read: all of them counted.
    assert at_failure["threads"] >= before + STARTS_BEFORE_FAILURE
    # ...and were joined afterwards.
    assert threading.active_count() == before


def loaded_after_a_run(args: list[str], modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter has loaded after one ok run of the runner with `args`."""
    code = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(RUNNER_DIR)!r})\n"
        "from concbench_runner.cli import main\n"
        f"main({args!r})\n"
        f"sys.stderr.write(json.dumps([name for name in {modules!r} if name in sys.modules]))\n"
    )
    command = [sys.executable, "-B", "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["status"] == "ok"
    loaded: list[str] = json.loads(result.stderr.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--approach", "threading"], ("asyncio", "concurrent.futures", "multiprocessing", "hashlib")),
        (["--approach", "threadpool", "--pool-size", "2"], ("asyncio", "multiprocessing", "hashlib")),
        (["--approach", "asyncio"], ("multiprocessing", "concurrent.futures.process", "hashlib")),
    ],
    ids=["threading", "threadpool", "asyncio"],
)
def test_io_runs_load_only_what_their_approach_needs(args: list[str], absent: tuple[str, ...]) -> None:
    """The whole process is compared with a bare program of the same task shape: an io run loads no
    module its approach does not use (asyncio alone is ~8 MB with ssl)."""
    assert loaded_after_a_run(["--workload", "io", "--tasks", "3", "--io-ms", "1", *args], absent) == []


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--workload", "cpu-loop", "--approach", "threading"], ("asyncio", "multiprocessing", "hashlib")),
        (["--workload", "cpu-loop", "--approach", "asyncio"], ("multiprocessing", "hashlib")),
        (["--workload", "mixed", "--approach", "threading"], ("asyncio", "multiprocessing", "hashlib")),
        (["--workload", "mixed", "--approach", "threadpool"], ("asyncio", "multiprocessing", "hashlib")),
        (["--workload", "mixed", "--approach", "asyncio"], ("multiprocessing", "hashlib")),
        (["--workload", "mixed", "--approach", "asyncio-to-thread"], ("multiprocessing", "hashlib")),
    ],
    ids=["cpu-loop-threading", "cpu-loop-asyncio", "mixed-threading", "mixed-threadpool", "mixed-asyncio", "to-thread"],
)
def test_loop_runs_load_no_hashlib_and_no_process_pool(args: list[str], absent: tuple[str, ...]) -> None:
    """FNV-1a is plain Python: cpu-loop and mixed runs load no hashlib, and only the approaches that fork
    workers load multiprocessing."""
    assert loaded_after_a_run(["--tasks", "3", "--io-ms", "1", "--loop-bytes", "16", *args], absent) == []


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (MemoryError(), "out_of_memory"),
        (BlockingIOError(11, "Resource temporarily unavailable"), "resource_exhausted"),
        (ValueError("a bug"), "internal"),
    ],
)
def test_every_failure_document_says_what_broke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception, kind: str
) -> None:
    """Whatever fails, the document carries at_failure; a resource error is one stderr line."""

    def fail(config: object, window: object) -> None:
        raise error

    monkeypatch.setattr(cli, "run_workload", fail)
    document, exit_code = cli.measure(parse_arguments(["--approach", "asyncio", "--tasks", "3"]))
    assert exit_code == cli.EXIT_RUN_FAILED
    assert schema_errors(document) == []
    assert document["error"]["kind"] == kind
    assert document["error"]["at_failure"]["threads"] >= 1
    stderr = capsys.readouterr().err
    if kind == "internal":
        assert "Traceback" in stderr  # a bug keeps its traceback
    else:
        assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_worker_pool_that_cannot_start_leaves_no_worker_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork that fails part-way (EAGAIN under a pids limit): the workers already forked are stopped,
    else multiprocessing's exit handler would wait for them forever."""
    import multiprocessing
    from multiprocessing.context import ForkProcess

    from concbench_runner.cpu_workload import run_cpu

    real_start = ForkProcess.start
    forks: list[int] = []

    def start(process: ForkProcess) -> None:
        if len(forks) == 1:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        real_start(process)

    monkeypatch.setattr(ForkProcess, "start", start)
    config = parse_arguments(["--workload", "cpu", "--approach", "multiprocessing", "--workers", "3", "--tasks", "2"])
    with pytest.raises(SubmissionStopped) as stopped:
        run_cpu(config, MeasurementWindow())
    assert stopped.value.while_doing == "starting 3 worker processes"
    assert stopped.value.at_failure is not None
    assert forks == [1]
    assert multiprocessing.active_children() == []


def die_in_worker(index: int, loop_bytes: int) -> tuple[int, int, int | None]:
    """A worker that the OOM killer ends in the middle of task 3 (the others run normally)."""
    if index == 3:
        os._exit(137)
    return HASH_IN_WORKER(index, loop_bytes)


def test_lost_worker_of_asyncio_processpool_is_reported_with_its_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker lost under asyncio-processpool (BrokenProcessPool): resource_exhausted, at_failure read
    before the pool was shut down, and no worker left behind."""
    import multiprocessing

    from concbench_runner.failures import TaskFailed, classify

    monkeypatch.setattr(mixed_workload, "hash_in_worker", die_in_worker)
    config = parse_arguments(["--workload", "mixed", "--approach", "asyncio-processpool", "--workers", "2"])
    config = config._replace(tasks=10, io_ms=1.0, loop_bytes=64)
    with pytest.raises(TaskFailed) as failed:
        mixed_workload.run_mixed(config, MeasurementWindow())
    assert classify(failed.value) == "resource_exhausted"
    assert failed.value.at_failure is not None
    assert multiprocessing.active_children() == []
