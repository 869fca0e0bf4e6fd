"""Usage errors: exit 2, empty stdout, exactly one stderr line naming the bad argument."""

from __future__ import annotations

import pytest
from python_runner_harness import run_runner

USAGE_ERRORS = [
    pytest.param(["--approach", "fibers"], "--approach", id="unknown-approach"),
    pytest.param(["--approach", "asyncio", "--tasks", "0"], "--tasks", id="tasks-zero"),
    pytest.param(["--approach", "asyncio", "--tasks", "-5"], "--tasks", id="tasks-negative"),
    pytest.param(["--approach", "asyncio", "--tasks", "abc"], "--tasks", id="tasks-not-a-number"),
    pytest.param(["--approach", "asyncio", "--tasks=abc"], "--tasks", id="tasks-equals-form"),
    pytest.param(["--approach", "asyncio", "--tasks", "1.5"], "--tasks", id="tasks-fraction"),
    pytest.param(["--approach", "asyncio", "--tasks"], "--tasks", id="tasks-missing-value"),
    pytest.param(["--approach", "asyncio", "--io-ms", "abc"], "--io-ms", id="io-ms-not-a-number"),
    pytest.param(["--approach", "asyncio", "--io-ms", "0"], "--io-ms", id="io-ms-zero"),
    pytest.param(["--approach", "asyncio", "--io-ms", "nan"], "--io-ms", id="io-ms-nan"),
    pytest.param(["--approach", "threadpool", "--pool-size", "0"], "--pool-size", id="pool-size-zero"),
    pytest.param(["--workload", "cpu", "--approach", "multiprocessing", "--workers", "x"], "--workers", id="workers"),
    pytest.param(["--workload", "cpu", "--approach", "asyncio", "--repeat", "-1"], "--repeat", id="repeat"),
    pytest.param(
        ["--workload", "cpu", "--approach", "asyncio", "--payload-bytes", "0"],
        "--payload-bytes",
        id="payload",
    ),
    pytest.param(
        ["--workload", "cpu-loop", "--approach", "threading", "--loop-bytes", "0"], "--loop-bytes", id="loop-bytes"
    ),
    pytest.param(["--workload", "mixed", "--approach", "asyncio", "--loop-bytes", "x"], "--loop-bytes", id="mixed"),
    pytest.param(["--workload", "gpu", "--approach", "asyncio"], "--workload", id="unknown-workload"),
    pytest.param(["--workload", "io", "--approach", "multiprocessing"], "--approach", id="cpu-only-approach"),
    pytest.param(["--workload", "cpu", "--approach", "threadpool"], "--approach", id="io-only-approach"),
    pytest.param(["--workload", "io", "--approach", "asyncio-to-thread"], "--approach", id="mixed-only-approach"),
    pytest.param(["--workload", "mixed", "--approach", "multiprocessing"], "--approach", id="cpu-only-in-mixed"),
    pytest.param(["--tasks", "10"], "--approach", id="approach-missing"),
    pytest.param(["--approach", "asyncio", "--bogus", "1"], "--bogus", id="unknown-argument"),
    pytest.param(["--approach", "asyncio", "--task", "5"], "--task", id="no-abbreviations"),
    pytest.param(["--approach", "asyncio", "stray"], "stray", id="positional"),
]


@pytest.mark.parametrize(("args", "named"), USAGE_ERRORS)
def test_usage_error(args: list[str], named: str) -> None:
    result = run_runner(args, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("runner: error: ")
    assert named in lines[0]


def test_usage_error_message_format() -> None:
    result = run_runner(["--approach", "asyncio", "--tasks", "abc"], timeout=60)
    assert result.stderr == "runner: error: --tasks: expected an integer >= 1, got 'abc'\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_goes_to_stderr(flag: str) -> None:
    result = run_runner([flag], timeout=60)
    assert result.returncode == 0
    assert result.stdout == ""
    assert "usage: runner" in result.stderr
    flags = ("--workload", "--approach", "--tasks", "--io-ms", "--pool-size", "--workers", "--repeat", "--loop-bytes")
    for name in flags:
        assert name in result.stderr
