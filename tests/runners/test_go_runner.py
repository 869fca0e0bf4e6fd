"""The Go runner (runners/go) against the runner contract (runners/README.md).

Builds the binary the way the image does (CGO_ENABLED=0, GOTOOLCHAIN=local: no toolchain download),
runs the article's io and cpu workloads, validates every document against
schema/result.schema.json and checks only logical bounds, never machine-dependent timings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from concbench_poly.results.schema import current_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
GO_DIR = REPO_ROOT / "runners" / "go"

# The article's parameters.
IO_TASKS, IO_MS = 1000, 10
CPU_TASKS, CPU_REPEAT, CPU_PAYLOAD = 1000, 10000, 64

RUN_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def runner_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("`go` is not on PATH: the Go runner cannot be built here (it needs Go >= 1.23)")
    out = tmp_path_factory.mktemp("go-runner") / "runner"
    env = {**os.environ, "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    proc = subprocess.run(
        [go, "build", "-o", str(out), "."],
        cwd=GO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"go build failed ({proc.returncode}):\n{proc.stderr}"
    return out


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = current_schema()  # result.schema.json completed with the runner contract
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def run_runner(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def ok_document(proc: subprocess.CompletedProcess[str], validator: Draft202012Validator) -> dict[str, Any]:
    """Exit 0, one JSON document on stdout and nothing else, valid against the schema."""
    assert proc.returncode == 0, f"exit {proc.returncode}, stderr: {proc.stderr}"
    assert proc.stdout.endswith("\n")
    assert proc.stdout.count("\n") == 1, "stdout must hold exactly one JSON document on one line"
    doc: dict[str, Any] = json.loads(proc.stdout)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert doc["status"] == "ok" and doc["error"] is None
    assert doc["language"] == "go" and doc["approach"] == "goroutines"
    assert doc["runtime"]["name"] == "go" and doc["runtime"]["version"].startswith("go")
    return doc


def check_logical_bounds(doc: dict[str, Any]) -> None:
    """What must hold for every ok run on any machine."""
    n = doc["workload"]["tasks"]
    total = doc["total_ms"]
    assert total > 0
    assert doc["throughput_per_s"] == pytest.approx(n / (total / 1000), rel=1e-9)

    lat = doc["latency_ms"]
    service, e2e = lat["cdf"]["service"], lat["cdf"]["end_to_end"]
    assert len(service) == len(e2e) == 101
    assert service == sorted(service) and e2e == sorted(e2e)
    # end_to_end_i >= service_i for each task, hence for every order statistic.
    assert all(e >= s for e, s in zip(e2e, service, strict=True))
    assert service[50] == lat["service"]["p50"] and service[100] == lat["service"]["max"]
    assert e2e[99] == lat["end_to_end"]["p99"]
    # The window holds every submission and completion.
    assert lat["end_to_end"]["max"] <= total

    mem = doc["memory"]
    assert mem["peak_rss_bytes"] >= mem["baseline_rss_bytes"] > 0
    assert mem["per_task_bytes"] == pytest.approx((mem["peak_rss_bytes"] - mem["baseline_rss_bytes"]) / n)
    for key in ("HeapAlloc", "HeapSys", "StackInuse", "StackSys", "Sys", "NumGC", "NumGoroutine"):
        assert key in mem["runtime"], key
    assert mem["runtime"]["Sys"] > 0

    cpu = doc["cpu"]
    assert cpu["user_s"] + cpu["system_s"] > 0
    assert cpu["peak_threads"] >= 1

    env = doc["environment"]
    assert env["cpu_count"] >= 1 and env["parallelism"] >= 1

    # Every task ran, and a running task is in flight (submitted <= started for each task). Nothing
    # more is guaranteed for goroutines: spawning can be slower than D, so not all N need overlap.
    concurrency = doc["concurrency"]
    assert 1 <= concurrency["peak_running"] <= concurrency["peak_in_flight"] <= n
    # The last submission is inside the window.
    assert 0 <= concurrency["submit_ms"] <= total


def test_io_goroutines_article_run(runner_binary: Path, validator: Draft202012Validator) -> None:
    proc = run_runner(
        runner_binary,
        "--workload", "io", "--approach", "goroutines", "--tasks", str(IO_TASKS), "--io-ms", str(IO_MS),
    )  # fmt: skip
    doc = ok_document(proc, validator)
    assert proc.stderr == ""
    check_logical_bounds(doc)
    assert doc["workload"] == {
        "kind": "io", "tasks": IO_TASKS, "io_ms": IO_MS, "pool_size": None, "workers": None,
    }  # fmt: skip
    assert doc["checksum"] is None
    lat = doc["latency_ms"]
    # time.Sleep never returns early: no task's service time is below D.
    assert lat["cdf"]["service"][0] >= IO_MS
    assert lat["service"]["p50"] >= IO_MS
    # Tasks wait concurrently: far below N x D (a tenth of it, generous on a noisy machine).
    assert doc["total_ms"] < IO_TASKS * IO_MS / 10


def test_cpu_goroutines_article_run(runner_binary: Path, validator: Draft202012Validator) -> None:
    proc = run_runner(
        runner_binary,
        "--workload", "cpu", "--approach", "goroutines", "--tasks", str(CPU_TASKS),
        "--repeat", str(CPU_REPEAT), "--payload-bytes", str(CPU_PAYLOAD),
    )  # fmt: skip
    doc = ok_document(proc, validator)
    check_logical_bounds(doc)
    assert doc["workload"] == {
        "kind": "cpu", "tasks": CPU_TASKS, "payload_bytes": CPU_PAYLOAD, "repeat": CPU_REPEAT,
        "pool_size": None, "workers": None,
    }  # fmt: skip
    expected = hashlib.sha256(bytes((0 + j) % 256 for j in range(CPU_PAYLOAD)) * CPU_REPEAT).hexdigest()
    assert doc["checksum"] == expected


def test_schema_validation_is_effective(runner_binary: Path, validator: Draft202012Validator) -> None:
    """The validator used above does reject a broken document of this runner."""
    proc = run_runner(runner_binary, "--approach", "goroutines", "--tasks", "5", "--io-ms", "1")
    doc = ok_document(proc, validator)
    broken = dict(doc, latency_ms={**doc["latency_ms"], "service": {"p50": "1"}})
    assert not validator.is_valid(broken)
    assert not validator.is_valid({k: v for k, v in doc.items() if k != "checksum"})


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--approach", "goroutines", "--tasks", "0"], "--tasks"),
        (["--approach", "goroutines", "--tasks", "-5"], "--tasks"),
        (["--approach", "goroutines", "--tasks", "abc"], "--tasks"),
        (["--approach", "goroutines", "--tasks"], "--tasks"),
        (["--approach", "goroutines", "--tasks=-5"], "--tasks"),
        (["--approach", "bogus"], "--approach"),
        (["--approach", "threading", "--workload", "io"], "--approach"),
        (["--workload", "cpu"], "--approach"),
        (["--approach", "goroutines", "--io-ms", "0"], "--io-ms"),
        (["--approach", "goroutines", "--no-such-arg", "1"], "--no-such-arg"),
        (["--approach", "goroutines", "extra"], "extra"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_usage_errors(runner_binary: Path, args: list[str], named: str) -> None:
    proc = run_runner(runner_binary, *args)
    assert proc.returncode == 2, f"exit {proc.returncode}, stderr: {proc.stderr!r}"
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and proc.stderr.endswith("\n"), f"stderr is not one line: {proc.stderr!r}"
    assert named in lines[0]
    assert lines[0].startswith("runner: error: ")


def test_help(runner_binary: Path) -> None:
    proc = run_runner(runner_binary, "--help")
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert "--approach" in proc.stderr
