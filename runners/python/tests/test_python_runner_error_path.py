"""A task that cannot start: status error, exit 1, a schema-valid document, started tasks joined.

RLIMIT_AS (set in the child before exec) makes thread stacks impossible to map once a few dozen
8 MiB stacks are reserved, so Thread.start() fails with "can't start new thread". Unlike
RLIMIT_NPROC it also applies to root. error.at_failure must show the state that failed (read before
the started threads were joined) and the limit that bound it.
"""

from __future__ import annotations

import re
import resource

import pytest
from python_runner_harness import run_runner, schema_errors

ADDRESS_SPACE_LIMIT = 256 << 20  # enough for the interpreter, far too little for 1000 x 8 MiB stacks
THREAD_STACK = 8 << 20
TASKS = 1000


def limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_STACK, (THREAD_STACK, THREAD_STACK))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(["--approach", "threading"], r"can't start new thread", id="threading"),
        # The pool's threads start before the window, so the failure comes before any task.
        pytest.param(
            ["--approach", "threadpool", "--pool-size", str(TASKS)],
            r"can't start new thread while starting pool thread (\d+) of 1000",
            id="threadpool",
        ),
    ],
)
def test_thread_start_failure_is_reported(extra: list[str], message: str) -> None:
    # Tasks wait long enough that every started thread is still alive when the limit is hit.
    result = run_runner(
        ["--workload", "io", "--tasks", str(TASKS), "--io-ms", "300", *extra],
        preexec_fn=limit_address_space,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    document = result.document()
    assert schema_errors(document) == []
    assert document["status"] == "error"
    assert document["error"]["kind"] == "resource_exhausted"
    match = re.fullmatch(message + r" \(after (\d+) of (\d+) tasks\)", document["error"]["message"])
    assert match, document["error"]["message"]
    *threads, started, tasks = (int(group) for group in match.groups())
    assert tasks == TASKS
    if threads:  # threadpool: thread k failed after k - 1 pool threads started, no task submitted
        assert 1 < threads[0] <= TASKS
        assert started == 0
    else:  # threading: a thread per task, so some tasks started first
        assert 0 < started < TASKS
    assert document["latency_ms"] is None
    assert document["total_ms"] is None
    assert "concurrency" not in document
    assert document["environment"]["cpu_count"] >= 1
    assert "Traceback" not in result.stdout
    # A resource that ran out is reported in one stderr line, never a traceback.
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    at_failure = document["error"]["at_failure"]
    # Read before the started threads were joined: they are all still waiting, beside the main thread
    # (threadpool: the pool threads started so far).
    alive = threads[0] - 1 if threads else started
    assert at_failure["threads"] >= alive + 1
    assert at_failure["memory_maps"] > alive  # every thread stack is at least one mapping
    assert at_failure["rss_bytes"] > 0
    limits = at_failure["limits"]
    # The limit that broke the run is named, and the virtual size is up against it.
    assert limits["rlimit_as_bytes"] == ADDRESS_SPACE_LIMIT
    assert ADDRESS_SPACE_LIMIT - 2 * THREAD_STACK < at_failure["vm_size_bytes"] <= ADDRESS_SPACE_LIMIT
    for name in ("pid_max", "threads_max", "max_map_count"):
        assert limits[name] is None or limits[name] > 0


def test_unlimited_run_of_the_same_size_succeeds() -> None:
    """The control: without the limit the same run is ok, so the limit is what failed it."""
    result = run_runner(["--workload", "io", "--approach", "threading", "--tasks", "50", "--io-ms", "300"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.document()["status"] == "ok"
