"""Runs that end badly: each becomes a saved error row of the right kind, naming the runner, and the
container or process it ran in is gone. Real containers on the suite's engine (misbehaving images built
from the offline base image), real local processes, a real image build that fails."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.cases import Case, plan_cases
from concbench_poly.config import MIB, Limits, Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution.base import Executor, RunRequest
from concbench_poly.execution.docker_engine import managed_containers
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.images import ImageRef
from concbench_poly.execution.local_executor import LocalExecutor
from concbench_poly.execution.suite import SilentEvents, run_suite
from concbench_poly.paths import repo_root
from concbench_poly.results.model import RunResult
from concbench_poly.results.store import RUN_FILE, load_results, raw_file_name
from tests.fakes import runner_document
from tests.faults.conftest import FaultRow, io_case, leftover_temp_files, row_of

LIMITS = Limits(cpus=1.0, cpuset="0", memory_bytes=256 * MIB, pids=256, timeout_s=60)


def run_once(executor: Executor, case: Case, limits: Limits, out: Path) -> RunResult:
    """One measured run of one case through the suite: the result as it was saved."""
    options = RunOptions(
        limits=limits,
        repetitions=Repetitions(warmup=0, repeat=1),
        executor="docker" if isinstance(executor, DockerExecutor) else "local",
        languages=(case.language,),
        workloads=(case.workload,),
    )
    [result] = run_suite(options, [case], out, SilentEvents(), executor).results
    return result


def kept_row(out: Path, result: RunResult) -> str:
    """The saved row must be the result itself: same kind, same message, in raw/<key>.rep-0.json."""
    path = out / "raw" / raw_file_name(result)
    assert path.is_file(), f"{path} was not saved"
    [saved] = load_results(out)
    assert (saved.error_kind, saved.error_message) == (result.error_kind, result.error_message)
    assert json.loads((out / RUN_FILE).read_text())["complete"] is True
    assert not leftover_temp_files(out)
    return f"raw/{path.name}: {saved.error_kind} row naming {result.case.language}/{result.case.approach}"


def assert_no_container(client: Any, result: RunResult) -> None:
    container_id = result.document["execution"]["container_id"]
    assert container_id, "the row does not name its container"
    assert not client.containers.list(all=True, filters={"id": container_id}), "the run's container was left behind"
    assert not managed_containers(client, result.document["execution"]["run_id"])


@pytest.mark.docker
def test_oom_kill(fault: FaultRow, docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path) -> None:
    fault.describe("OOM kill (docker, real python runner, 32 MiB)", "oom_killed")
    # Each cpu task materialises payload * repeat = 64 MiB: under 32 MiB only the OOM killer ends it.
    [case] = plan_cases(("python",), ("cpu",), WorkloadParams(tasks=4, repeat=1024 * 1024), ("threading",))
    executor = DockerExecutor(docker_client, runner_images)
    result = run_once(executor, case, Limits(memory_bytes=32 * MIB, pids=256, timeout_s=120), tmp_path)
    fault.observe(row_of(result), limit=110)
    assert result.error_kind == "oom_killed"
    assert result.document["execution"]["oom_killed"] is True
    message = result.error_message or ""
    assert message.startswith("python/threading (container ")
    assert "killed by the OOM killer (memory limit 32 MiB)" in message
    fault.kept = kept_row(tmp_path, result)
    assert_no_container(docker_client, result)


@pytest.mark.docker
def test_time_limit(fault: FaultRow, docker_client: Any, fault_image: Callable[..., str], tmp_path: Path) -> None:
    fault.describe("time limit (docker, runner sleeps 600 s, limit 2 s)", "timeout")
    executor = DockerExecutor(
        docker_client, {"python": ImageRef("python", fault_image("sleep", "exec sleep 600\n"), None)}
    )
    result = run_once(executor, io_case("python", "asyncio", tasks=10, io_ms=1), Limits(pids=64, timeout_s=2), tmp_path)
    fault.observe(row_of(result), limit=110)
    assert result.error_kind == "timeout"
    assert (result.error_message or "").startswith("python/asyncio (container ")
    assert "killed after the 2 s time limit" in (result.error_message or "")
    fault.kept = kept_row(tmp_path, result)
    assert_no_container(docker_client, result)


CRASHES = [
    ("segv", "SIGSEGV", 11, "Segmentation fault"),
    ("abort", "SIGABRT", 6, "Aborted"),
]


@pytest.mark.docker
@pytest.mark.parametrize(("name", "signame", "number", "shell_says"), CRASHES, ids=[c[0] for c in CRASHES])
def test_runner_crash_in_a_container(
    fault: FaultRow,
    docker_client: Any,
    fault_image: Callable[..., str],
    tmp_path: Path,
    name: str,
    signame: str,
    number: int,
    shell_says: str,
) -> None:
    fault.describe(f"runner crash: {signame} (docker)", f"killed_by_signal, naming {number} {signame}")
    # PID 1 of a container cannot be ended by a signal it sends itself: the runner is the child.
    script = f"sh -c 'kill -{signame.removeprefix('SIG')} $$'\n"
    executor = DockerExecutor(docker_client, {"python": ImageRef("python", fault_image(name, script), None)})
    result = run_once(executor, io_case("python", "asyncio", tasks=10, io_ms=1), LIMITS, tmp_path)
    fault.observe(row_of(result), limit=110)
    assert result.error_kind == "killed_by_signal"
    message = result.error_message or ""
    assert message.startswith("python/asyncio (container ")
    assert f"killed by signal {number} ({signame})" in message and shell_says in message
    assert result.document["execution"]["exit_code"] == 128 + number
    fault.kept = kept_row(tmp_path, result)
    assert_no_container(docker_client, result)


class CrashingLocal(LocalExecutor):
    """The local executor, its runner command replaced by one that kills itself with a signal."""

    def __init__(self, command: Sequence[str]) -> None:
        super().__init__(repo_root())
        self._crash = list(command)

    def _command(self, language: str) -> list[str]:
        return list(self._crash)


@pytest.mark.parametrize(("name", "signame", "number", "shell_says"), CRASHES, ids=[c[0] for c in CRASHES])
def test_runner_crash_as_a_local_process(
    fault: FaultRow, tmp_path: Path, name: str, signame: str, number: int, shell_says: str
) -> None:
    fault.describe(f"runner crash: {signame} (local)", f"killed_by_signal, naming {number} {signame}")
    executor = CrashingLocal(["/bin/sh", "-c", f"ulimit -c 0; kill -{signame.removeprefix('SIG')} $$", "runner"])
    out = tmp_path / "out"
    result = run_once(executor, io_case("python", "asyncio", tasks=10, io_ms=1), LIMITS, out)
    fault.observe(row_of(result), limit=110)
    assert result.error_kind == "killed_by_signal"
    message = result.error_message or ""
    assert message.startswith("python/asyncio (local process): ")
    assert f"killed by signal {number} ({signame})" in message
    assert result.document["execution"]["exit_code"] == -number
    fault.kept = kept_row(out, result)


def half_document(case: Case) -> bytes:
    """Half of a valid result document for the case: what a runner killed mid-write leaves."""
    text = json.dumps(runner_document(RunRequest(case, LIMITS, "half")), indent=2)
    return text[: len(text) // 2].encode()


OUTPUTS: list[tuple[str, str, Callable[[Case], dict[str, bytes]], str]] = [
    ("invalid", "echo 'this is not json'\n", lambda case: {}, "invalid JSON ('this is not json')"),
    (
        "truncated",
        "base64 -d /fault/half.b64\n",
        lambda case: {"half.b64": base64.b64encode(half_document(case))},
        "truncated output (half a valid document)",
    ),
    ("empty", "exit 0\n", lambda case: {}, "empty output, exit 0"),
]


@pytest.mark.docker
@pytest.mark.parametrize(("name", "script", "files", "prints"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_output_that_is_not_a_result(
    fault: FaultRow,
    docker_client: Any,
    fault_image: Callable[..., str],
    tmp_path: Path,
    name: str,
    script: str,
    files: Callable[[Case], dict[str, bytes]],
    prints: str,
) -> None:
    fault.describe(f"{prints} (docker)", "invalid_output")
    case = io_case("python", "asyncio", tasks=10, io_ms=1)
    executor = DockerExecutor(
        docker_client, {"python": ImageRef("python", fault_image(name, script, files(case)), None)}
    )
    result = run_once(executor, case, LIMITS, tmp_path)
    fault.observe(row_of(result), limit=110)
    assert result.error_kind == "invalid_output"
    assert result.document["execution"]["exit_code"] == 0
    assert "python/asyncio (container " in (result.error_message or "")
    fault.kept = kept_row(tmp_path, result)
    assert_no_container(docker_client, result)
