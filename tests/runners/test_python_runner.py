"""The Python runner at the article's parameters: all six approach/workload pairs, as a subprocess.

Each document must satisfy schema/result.schema.json (Draft 2020-12, formats checked) and the
logical bounds that hold on any machine. Figures are never compared with timing expectations.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.results.schema import current_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = REPO_ROOT / "runners" / "python" / "runner.py"

# The article: 1,000 tasks; io waits 10 ms; ThreadPool(50); multiprocessing(4);
# cpu hashes sha256(data * 10000) with 64-byte data.
N = 1000
D = 10
POOL_SIZE = 50
WORKERS = 4
PAYLOAD_BYTES = 64
REPEAT = 10000

PAIRS = [
    ("io", "threading"),
    ("io", "asyncio"),
    ("io", "threadpool"),
    ("cpu", "threading"),
    ("cpu", "asyncio"),
    ("cpu", "multiprocessing"),
]


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(current_schema(), format_checker=FormatChecker())


@cache
def run(workload: str, approach: str) -> dict[str, Any]:
    """Run one pair once per test session; exit 0 and exactly one JSON line on stdout."""
    args = ["--workload", workload, "--approach", approach, "--tasks", str(N)]
    if workload == "io":
        args += ["--io-ms", str(D), "--pool-size", str(POOL_SIZE)]
    else:
        args += ["--payload-bytes", str(PAYLOAD_BYTES), "--repeat", str(REPEAT), "--workers", str(WORKERS)]
    completed = subprocess.run(
        [sys.executable, str(RUNNER), *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.endswith("\n") and completed.stdout.count("\n") == 1
    document = json.loads(completed.stdout)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize(("workload", "approach"), PAIRS)
def test_document_is_schema_valid(workload: str, approach: str) -> None:
    document = run(workload, approach)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator().iter_errors(document)]
    assert errors == []
    assert document["status"] == "ok"
    assert document["error"] is None
    assert document["language"] == "python"
    assert (document["workload"]["kind"], document["approach"]) == (workload, approach)
    assert document["workload"]["tasks"] == N


@pytest.mark.parametrize(("workload", "approach"), PAIRS)
def test_logical_bounds(workload: str, approach: str) -> None:
    document = run(workload, approach)
    total = document["total_ms"]
    latency = document["latency_ms"]
    memory = document["memory"]
    cpu = document["cpu"]
    assert total > 0
    assert document["throughput_per_s"] == pytest.approx(N / (total / 1000))
    assert latency["end_to_end"]["max"] <= total
    for kind in ("service", "end_to_end"):
        assert len(latency["cdf"][kind]) == 101
        assert latency["cdf"][kind][50] == latency[kind]["p50"]
    assert latency["service"]["p99"] <= latency["end_to_end"]["max"]
    assert memory["peak_rss_bytes"] >= memory["baseline_rss_bytes"] > 0
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1
    # Every task ran, and a running task is in flight (submitted <= started for each task).
    concurrency = document["concurrency"]
    assert 1 <= concurrency["peak_running"] <= concurrency["peak_in_flight"] <= N
    # The last submission is inside the window.
    assert 0 <= concurrency["submit_ms"] <= total


@pytest.mark.parametrize("approach", ["threading", "asyncio", "threadpool"])
def test_io_every_task_waits_its_duration(approach: str) -> None:
    document = run("io", approach)
    assert document["latency_ms"]["service"]["p50"] >= D
    assert document["latency_ms"]["cdf"]["service"][0] >= D
    assert document["checksum"] is None


def test_io_threadpool_runs_in_rounds_of_pool_size() -> None:
    document = run("io", "threadpool")
    rounds = N // POOL_SIZE
    assert document["workload"]["pool_size"] == POOL_SIZE
    assert document["total_ms"] >= rounds * D
    # Guaranteed: each pool thread runs one task at a time, each for >= D, none before the window
    # opened, so at most POOL_SIZE * (rounds - 1) tasks finish before rounds * D. The other POOL_SIZE
    # (or more) finish at >= rounds * D after the window opened and were submitted at most submit_ms
    # after it: their end-to-end is >= rounds * D - submit_ms, and with nearest rank the 990th of
    # 1000 values is among the top 50, so p99 is too.
    p99 = document["latency_ms"]["end_to_end"]["p99"]
    submit_ms = document["concurrency"]["submit_ms"]
    assert p99 >= rounds * D - submit_ms
    # Whenever submitting took at most D (the usual case, the pool's threads being started before the
    # window), that bound is at least (rounds - 1) * D: the queue really holds nearly all 20 rounds.
    if submit_ms <= D:
        assert p99 >= (rounds - 1) * D
    # The pool's threads are started before the window (its first Threads read) and no more start
    # inside it: the largest count seen is the main thread plus exactly POOL_SIZE pool threads.
    assert document["cpu"]["peak_threads"] == POOL_SIZE + 1


def test_io_asyncio_is_concurrent() -> None:
    document = run("io", "asyncio")
    assert document["workload"]["pool_size"] is None
    assert document["total_ms"] < N * D / 10
    # All N tasks are created before the loop runs any, and all start in one loop iteration before
    # any timer can fire: exactly N in flight and running at once, on any machine.
    concurrency = document["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (N, N)


def test_io_threadpool_runs_at_most_pool_size_tasks() -> None:
    concurrency = run("io", "threadpool")["concurrency"]
    assert 1 <= concurrency["peak_running"] <= POOL_SIZE
    # Generous, not exact: the tasks beyond the pool were submitted before the first one finished,
    # so they queued. N in flight is typical on an idle machine but not guaranteed (the last
    # submissions can come after the first completions; ~750 of 1000 on a loaded 2-core box).
    assert concurrency["peak_in_flight"] > POOL_SIZE


def test_cpu_asyncio_runs_one_task_at_a_time() -> None:
    # Each coroutine hashes without awaiting: one runs at a time, all were submitted up front.
    concurrency = run("cpu", "asyncio")["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (1, N)


def test_cpu_multiprocessing_runs_at_most_workers_tasks() -> None:
    # A worker process runs one task at a time.
    assert 1 <= run("cpu", "multiprocessing")["concurrency"]["peak_running"] <= WORKERS


@pytest.mark.parametrize("approach", ["threading", "asyncio", "multiprocessing"])
def test_cpu_checksum_matches_hashlib(approach: str) -> None:
    document = run("cpu", approach)
    payload_0 = bytes(j % 256 for j in range(PAYLOAD_BYTES))
    assert document["checksum"] == hashlib.sha256(payload_0 * REPEAT).hexdigest()
    assert document["workload"]["workers"] == (WORKERS if approach == "multiprocessing" else None)
