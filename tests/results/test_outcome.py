import json
from dataclasses import replace

import pytest

from concbench_poly.cases import plan_cases
from concbench_poly.config import Limits, WorkloadParams
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.results.outcome import to_result
from tests.fakes import runner_document

HOST = {"kernel": "k", "cpu_model": "c", "cpu_count": 2, "docker_version": "20.10", "cgroup_version": 1}


@pytest.fixture
def request_() -> RunRequest:
    [case] = plan_cases(("python",), ("io",), WorkloadParams(), ("asyncio",))
    return RunRequest(case, Limits(memory_bytes=64 * 1024 * 1024), run_id="r1", repetition=2)


def raw(**overrides: object) -> RawRun:
    fields: dict[str, object] = {
        "executor": "docker",
        "stdout": "",
        "stderr": "",
        "exit_code": 0,
        "timed_out": False,
        "wall_ms": 12.0,
        "oom_killed": False,
        "container_id": "abcdef0123456789",
        "image": "img:tag",
        "image_id": "sha256:1",
    }
    fields.update(overrides)
    return RawRun(**fields)  # type: ignore[arg-type]


def test_a_valid_document_is_kept_and_gains_the_execution_block(request_: RunRequest) -> None:
    result = to_result(raw(stdout=json.dumps(runner_document(request_))), request_, HOST)
    assert result.ok
    execution = result.document["execution"]
    assert execution["repetition"] == 2 and execution["container_id"] == "abcdef0123456789"
    assert execution["host"]["docker_version"] == "20.10"
    assert execution["limits"]["memory_bytes"] == 64 * 1024 * 1024


def test_oom_kill_becomes_an_error_row_naming_runner_and_container(request_: RunRequest) -> None:
    result = to_result(raw(oom_killed=True, exit_code=137), request_, HOST)
    assert not result.ok and result.error_kind == "oom_killed"
    assert result.error_message is not None
    assert "python/asyncio" in result.error_message and "abcdef012345" in result.error_message
    assert "64 MiB" in result.error_message


def test_timeout_wins_over_everything_else(request_: RunRequest) -> None:
    result = to_result(raw(timed_out=True, exit_code=137, stdout="{}"), request_, HOST)
    assert result.error_kind == "timeout"


@pytest.mark.parametrize("stdout", ["Traceback (most recent call last):", '{"schema_version": 1}', "{} {}"])
def test_invalid_output_is_reported_not_crashed_on(request_: RunRequest, stdout: str) -> None:
    result = to_result(raw(stdout=stdout), request_, HOST)
    assert result.error_kind == "invalid_output"
    assert result.error_message is not None
    assert "python/asyncio" in result.error_message


def test_a_signal_is_named_from_a_containers_exit_code(request_: RunRequest) -> None:
    result = to_result(raw(exit_code=139, stderr="line1\nSegmentation fault"), request_, HOST)
    assert result.error_kind == "killed_by_signal"
    assert result.error_message is not None
    assert "signal 11 (SIGSEGV)" in result.error_message and "Segmentation fault" in result.error_message


def test_a_signal_is_named_from_a_local_return_code(request_: RunRequest) -> None:
    result = to_result(raw(exit_code=-6, container_id=None, stderr="abort"), request_, HOST)
    assert result.error_kind == "killed_by_signal"
    assert result.error_message is not None and "signal 6 (SIGABRT)" in result.error_message


def test_a_silent_crash_reports_exit_code_and_stderr(request_: RunRequest) -> None:
    result = to_result(raw(exit_code=3, stderr="line1\nboom"), request_, HOST)
    assert result.error_kind == "runner_crashed"
    assert result.error_message is not None and "code 3" in result.error_message and "boom" in result.error_message


def test_the_runtimes_last_words_classify_a_death_it_could_not_report(request_: RunRequest) -> None:
    go = replace(request_, case=replace(request_.case, language="go", approach="goroutines", tasks=10**12))
    dump = "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nruntime.throw(...)\n" * 20
    result = to_result(raw(exit_code=2, stderr=dump), go, HOST)
    assert result.error_kind == "out_of_memory"
    assert result.error_message is not None
    assert result.error_message.startswith("go: runtime out of memory at 1,000,000,000,000 tasks")
    assert "goroutine 1" not in result.error_message  # the dump stays in stderr_tail, not in the reason


def test_a_document_for_another_approach_is_invalid_output(request_: RunRequest) -> None:
    document = runner_document(request_)
    document["approach"] = "threading"
    result = to_result(raw(stdout=json.dumps(document)), request_, HOST)
    assert result.error_kind == "invalid_output"
