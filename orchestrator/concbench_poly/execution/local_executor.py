"""Runs the runners as host processes: pinned with CPU affinity, memory-limited where the OS allows.

This is what a newcomer without Docker gets. The results say executor "local" and carry the limits
that were really applied (memory_bytes is null where no cgroup could be made).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from concbench_poly.contract import contract
from concbench_poly.errors import ImageBuildError, RunnerFailedError
from concbench_poly.execution import interrupts
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.execution.core_locks import local_core_lock
from concbench_poly.execution.host import host_info
from concbench_poly.execution.images import runtime_files, source_digest
from concbench_poly.execution.invocation import Invocation
from concbench_poly.execution.local_cgroup import LocalCgroup, create_cgroup, reap_cgroups
from concbench_poly.execution.machine import Machine, local_machine
from concbench_poly.execution.prepare import prepare_source
from concbench_poly.paths import cache_dir
from concbench_poly.results.document import runner_args


def runner_command(language: str, root: Path) -> list[str]:
    """The contract's local command for a language, its runner built first where it needs a build."""
    runner = contract().runner(language)
    source = root / runner.source_dir
    binary = build_runner(language, root) if runner.local.build else None
    command = [_fill(word, source, binary) for word in runner.local.command]
    if not runner.local.command[0].startswith("{"):
        command[0] = _tool(command[0], language)
    return command


def build_runner(language: str, root: Path) -> Path:
    """Run the contract's build once per source hash, into the user's cache directory."""
    runner = contract().runner(language)
    assert runner.local.build is not None
    source = root / runner.source_dir
    try:
        prepare_source(language, root, image=False)
    except ImageBuildError as exc:
        raise RunnerFailedError(str(exc)) from None
    # The default runtime's files: what another runtime's image fetched is not this build's.
    binary = (
        cache_dir() / f"{language}-runner-{source_digest(source, {}, files=runtime_files(source, language, None))[:12]}"
    )
    if binary.is_file():
        return binary
    binary.parent.mkdir(parents=True, exist_ok=True)
    command = [_fill(word, source, binary) for word in runner.local.build]
    command[0] = _tool(command[0], language)
    env = {**os.environ, **dict(runner.local.build_env)}
    result = subprocess.run(command, cwd=source, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RunnerFailedError(f"{language}: building the runner in {source} failed: {result.stderr.strip()[-500:]}")
    return binary


def _fill(word: str, source: Path, binary: Path | None) -> str:
    return word.replace("{source}", str(source)).replace("{binary}", str(binary))


def _tool(name: str, language: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RunnerFailedError(f"{language}: `{name}` is not on PATH, so the local executor cannot run it")
    return path


class LocalExecutor:
    name = "local"
    on_this_machine = True

    def __init__(self, root: Path) -> None:
        self._root = root
        self._commands: dict[str, list[str]] = {}

    def host_info(self) -> dict[str, Any]:
        return host_info(docker_version=None)

    def machine(self) -> Machine:
        return local_machine()

    def reap(self, current: Invocation) -> list[str]:
        return reap_cgroups()

    def lock_cores(
        self, cores: Sequence[int], current: Invocation, expires: float, *, wait: bool, notice: Callable[[str], None]
    ) -> AbstractContextManager[None]:
        return local_core_lock(cores, current, wait=wait, notice=notice)

    def _command(self, language: str) -> list[str]:
        if language not in self._commands:
            self._commands[language] = runner_command(language, self._root)
        return self._commands[language]

    def run(self, request: RunRequest) -> RawRun:
        command = self._command(request.case.language) + runner_args(request.case)
        limits = request.limits
        cpus = sorted(set(limits.cpuset_list()) & os.sched_getaffinity(0))
        if not cpus:  # never run unpinned: the result would claim a pinning it did not have
            raise RunnerFailedError(f"--cpuset {limits.cpuset}: none of these CPUs is available to this process")
        cgroup = create_cgroup(limits.memory_bytes, limits.cpus, limits.pids)
        try:
            return self._run(command, request, cpus, cgroup)
        finally:
            if cgroup is not None:
                cgroup.remove()

    def _run(self, command: list[str], request: RunRequest, cpus: list[int], cgroup: LocalCgroup | None) -> RawRun:
        def confine() -> None:  # runs in the child before exec
            os.sched_setaffinity(0, cpus)
            if cgroup is not None:
                cgroup.join()

        started = time.perf_counter_ns()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            preexec_fn=confine,
            start_new_session=True,
        )
        timed_out = False
        try:
            with interrupts.on_force(lambda: _kill_group(process)):
                stdout, stderr = process.communicate(timeout=request.limits.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            stdout, stderr = process.communicate()
        except BaseException:
            _kill_group(process)  # ^C, SIGTERM: never leave a runner behind
            process.communicate()
            raise
        wall_ms = (time.perf_counter_ns() - started) / 1e6
        oom_killed = cgroup.oom_kills() > 0 if cgroup is not None else None
        cgroup_peak = cgroup.peak_bytes() if cgroup is not None else None
        return RawRun(
            executor=self.name,
            stdout=stdout.decode("utf-8", errors="replace"),
            stderr=stderr.decode("utf-8", errors="replace"),
            exit_code=process.returncode,
            timed_out=timed_out,
            wall_ms=wall_ms,
            oom_killed=oom_killed,
            cgroup_peak_bytes=cgroup_peak,
            applied_limits={
                "cpus": cgroup.cpus if cgroup is not None else None,
                "cpuset": ",".join(map(str, cpus)),
                "memory_bytes": cgroup.memory_bytes if cgroup is not None else None,
                "pids": cgroup.pids if cgroup is not None else None,
                "timeout_s": request.limits.timeout_s,
            },
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
