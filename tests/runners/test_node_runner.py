"""The Node runner (runners/node/runner.js) against the runner contract and the result schema.

Runs the article's parameters (io: N=1000, D=10 ms; cpu: 1000 items, payload 64 B x 10000, 4
workers), validates every document with jsonschema's Draft 2020-12 validator (with format checks),
and checks only logical bounds, never timings that depend on the machine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.results.schema import current_schema

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "runners" / "node" / "runner.js"
SCHEMA = current_schema()  # result.schema.json completed with the runner contract
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH; the Node runner cannot run")

N_IO, D_IO = 1000, 10
N_CPU, REPEAT, PAYLOAD, WORKERS = 1000, 10000, 64, 4


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, str(RUNNER), *args], capture_output=True, text=True, timeout=timeout, check=False)


def parse_one_document(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout.endswith("\n"), proc.stdout[-200:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, f"stdout must be exactly one JSON document, got {len(lines)} lines"
    doc = json.loads(lines[0])
    assert isinstance(doc, dict)
    return doc


def assert_schema_valid(doc: dict[str, Any]) -> None:
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_validator_rejects_the_invalid_examples() -> None:
    # The validation used below must be able to fail.
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    invalid = sorted((REPO / "schema" / "examples" / "invalid").glob("*.json"))
    assert invalid
    for path in invalid:
        assert not validator.is_valid(json.loads(path.read_text())), path.name


def test_io_async_article_parameters() -> None:
    proc = run("--workload", "io", "--approach", "async", "--tasks", str(N_IO), "--io-ms", str(D_IO))
    assert proc.returncode == 0, proc.stderr
    doc = parse_one_document(proc)
    assert_schema_valid(doc)
    assert doc["status"] == "ok" and doc["error"] is None
    assert (doc["language"], doc["approach"]) == ("node", "async")
    assert doc["workload"] == {"kind": "io", "tasks": N_IO, "io_ms": D_IO, "pool_size": None, "workers": None}
    assert doc["checksum"] is None
    assert doc["runtime"]["name"] == "node"

    lat = doc["latency_ms"]
    # Node's timers count libuv's whole milliseconds: a timer may fire up to 1 ms early, and the runner
    # shows that rather than correcting it (wakeup_ms counts the early ones).
    assert lat["service"]["p50"] >= D_IO - 1
    assert lat["cdf"]["service"][0] >= D_IO - 1, "no task woke more than 1 ms before D"
    wakeup = doc["wakeup_ms"]
    assert wakeup["earliest"] >= -1
    assert (wakeup["early_tasks"] > 0) == (wakeup["earliest"] < 0), "the earliest wake-up is early iff some task was"
    assert doc["total_ms"] < N_IO * D_IO / 10, "tasks ran concurrently, not N x D"
    assert doc["total_ms"] >= lat["end_to_end"]["max"]
    assert lat["end_to_end"]["max"] >= lat["service"]["max"]
    assert len(lat["cdf"]["service"]) == len(lat["cdf"]["end_to_end"]) == 101
    assert lat["cdf"]["service"] == sorted(lat["cdf"]["service"])
    assert doc["throughput_per_s"] == pytest.approx(N_IO / (doc["total_ms"] / 1000), rel=1e-9)

    mem = doc["memory"]
    assert mem["peak_rss_bytes"] >= mem["baseline_rss_bytes"] > 0
    assert mem["per_task_bytes"] == pytest.approx((mem["peak_rss_bytes"] - mem["baseline_rss_bytes"]) / N_IO)
    assert set(mem["runtime"]) >= {"rss", "heapTotal", "heapUsed", "external", "arrayBuffers"}

    cpu = doc["cpu"]
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1

    # Every task is submitted and started (up to its first await) before any timer can fire: all N
    # were in flight and running at once, exactly, on any machine.
    concurrency = doc["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (N_IO, N_IO)
    # The last submission is inside the window.
    assert 0 <= concurrency["submit_ms"] <= doc["total_ms"]


def test_cpu_worker_threads_article_parameters() -> None:
    proc = run(
        "--workload", "cpu", "--approach", "worker_threads", "--tasks", str(N_CPU),
        "--repeat", str(REPEAT), "--payload-bytes", str(PAYLOAD), "--workers", str(WORKERS),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = parse_one_document(proc)
    assert_schema_valid(doc)
    assert doc["status"] == "ok"
    assert doc["workload"] == {
        "kind": "cpu", "tasks": N_CPU, "payload_bytes": PAYLOAD, "repeat": REPEAT,
        "pool_size": None, "workers": WORKERS,
    }  # fmt: skip
    expected = hashlib.sha256(bytes((0 + j) % 256 for j in range(PAYLOAD)) * REPEAT).hexdigest()
    assert doc["checksum"] == expected

    lat = doc["latency_ms"]
    assert lat["service"]["p50"] > 0
    assert lat["end_to_end"]["max"] >= lat["service"]["max"]
    assert doc["total_ms"] >= lat["end_to_end"]["max"]
    mem = doc["memory"]
    assert mem["peak_rss_bytes"] >= mem["baseline_rss_bytes"] > 0
    cpu = doc["cpu"]
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= WORKERS + 1, "the main thread and every worker were alive in the window"
    # A worker runs one task at a time; every task ran; a running task is in flight.
    concurrency = doc["concurrency"]
    assert 1 <= concurrency["peak_running"] <= WORKERS
    assert concurrency["peak_running"] <= concurrency["peak_in_flight"] <= N_CPU
    assert 0 <= concurrency["submit_ms"] <= doc["total_ms"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--approach", "async", "--tasks", "0"], "--tasks"),
        (["--approach", "async", "--tasks", "-5"], "--tasks"),
        (["--approach", "async", "--tasks", "abc"], "--tasks"),
        (["--approach", "async", "--tasks", "1.5"], "--tasks"),
        (["--approach", "async", "--tasks"], "--tasks"),
        (["--approach", "bogus"], "--approach"),
        (["--workload", "io", "--approach", "worker_threads"], "--approach"),
        (["--workload", "cpu", "--approach", "async"], "--approach"),
        (["--approach", "async", "--no-such-flag", "1"], "--no-such-flag"),
    ],
)
def test_usage_errors(args: list[str], named: str) -> None:
    proc = run(*args, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("runner: error: ")
    assert named in lines[0]


def test_help() -> None:
    proc = run("--help", timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert proc.stderr.startswith("usage:")


def test_status_error_is_a_valid_document_with_exit_1() -> None:
    proc = run(
        "--workload", "cpu", "--approach", "worker_threads", "--tasks", "2",
        "--payload-bytes", "1000000", "--repeat", "100000", "--workers", "1", timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    doc = parse_one_document(proc)
    assert_schema_valid(doc)
    assert doc["status"] == "error"
    assert doc["error"]["kind"] in {"resource_exhausted", "out_of_memory", "internal"}
    assert doc["error"]["message"]
