"""Runs a runner image in a pinned, locked-down container through the docker SDK."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import Any

import docker
import docker.errors
import requests.exceptions

from concbench_poly.config import MANAGED_LABEL
from concbench_poly.errors import EngineUnavailableError, RunnerFailedError
from concbench_poly.execution import interrupts
from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.execution.core_locks import docker_core_lock
from concbench_poly.execution.docker_engine import (
    CASE_LABEL,
    ENGINE_ERRORS,
    benchmark_container,
    container_config,
    engine_version,
    reap_containers,
)
from concbench_poly.execution.host import engine_host_info, host_info
from concbench_poly.execution.hosts import HostSpec
from concbench_poly.execution.images import ImageRef
from concbench_poly.execution.invocation import INVOCATION_LABEL, Invocation
from concbench_poly.execution.machine import Machine, docker_machine
from concbench_poly.results.document import limits_json, runner_args

# After a kill, the engine needs a moment to record the exit; this bounds that wait.
KILL_GRACE_S = 30.0


class DockerExecutor:
    name = "docker"

    def __init__(
        self,
        client: docker.DockerClient,
        images: Mapping[str, ImageRef] | Iterable[ImageRef] | None = None,
        host: HostSpec | None = None,
    ) -> None:
        self._client = client
        self._images: dict[tuple[str, str | None], ImageRef] = {}
        self.use_images(images or ())
        self.host = host
        # An engine behind a unix socket runs its containers on this machine.
        self.on_this_machine = (
            host.on_this_machine
            if host is not None
            else str(client.api.base_url).startswith(("http+docker://localhost", "unix:"))
        )
        self._host_info: dict[str, Any] | None = None

    def host_info(self) -> dict[str, Any]:
        if self.on_this_machine:
            return host_info(docker_version=engine_version(self._client))
        if self._host_info is None:
            try:
                info = self._client.info()
            except ENGINE_ERRORS as exc:
                raise EngineUnavailableError(f"{self._where}: the Docker engine did not answer `info`: {exc}") from exc
            self._host_info = engine_host_info(info, engine_version(self._client), self._cpuinfo())
        return self._host_info

    @property
    def _where(self) -> str:
        return f"host {self.host.name}" if self.host is not None else "docker"

    def _cpuinfo(self) -> str | None:
        """/proc/cpuinfo of the engine's machine, read by a throwaway container of a runner image."""
        image = next((ref.tag for ref in self._images.values() if ref.tag), None)
        if image is None:
            return None
        try:
            output = self._client.containers.run(
                image,
                ["/proc/cpuinfo"],
                entrypoint=["cat"],
                remove=True,
                network_mode="none",
                labels={MANAGED_LABEL: "true"},
            )
        except ENGINE_ERRORS:
            return None
        return output.decode("utf-8", errors="replace") if isinstance(output, bytes) else None

    def machine(self) -> Machine:
        try:
            machine = docker_machine(self._client.info())
        except ENGINE_ERRORS as exc:
            raise EngineUnavailableError(f"{self._where}: the Docker engine did not answer `info`: {exc}") from exc
        return machine if self.host is None else replace(machine, name=f"host {self.host.name} ({machine.name})")

    def reap(self, current: Invocation) -> list[str]:
        return reap_containers(self._client, current)

    def lock_cores(
        self, cores: Sequence[int], current: Invocation, expires: float, *, wait: bool, notice: Callable[[str], None]
    ) -> AbstractContextManager[None]:
        return docker_core_lock(self._client, cores, current, expires, wait=wait, notice=notice)

    @property
    def client(self) -> docker.DockerClient:
        return self._client

    def use_images(self, images: Mapping[str, ImageRef] | Iterable[ImageRef]) -> None:
        """The images the runs use, once built (the limits are checked before anything is built): one
        per language and runtime (a mapping by language is taken by its values)."""
        refs = images.values() if isinstance(images, Mapping) else images
        self._images = {(ref.language, ref.runtime): ref for ref in refs}

    def run(self, request: RunRequest) -> RawRun:
        image = self._images[(request.case.language, request.case.runtime)]
        # Every container names its invocation, so a reaper can tell whether its owner is gone.
        owner = request.invocation.labels() if request.invocation else {INVOCATION_LABEL: request.run_id}
        labels = {**owner, CASE_LABEL: request.case.key}
        config = container_config(image.tag, runner_args(request.case), request.limits, labels)
        created: list[Any] = []

        def kill_created() -> None:
            for container in created:
                _kill_quietly(container)

        try:
            with (
                # A second signal does not wait for the removal: the runner is killed now, the
                # stopped container reaped by the next invocation. Registered before the container
                # exists, so that it is still registered while the removal (the cleanup) runs.
                interrupts.on_force(kill_created),
                benchmark_container(self._client, config, name=request.name, keep=request.keep) as container,
            ):
                created.append(container)
                container.start()
                timed_out = _wait(container, request.limits.timeout_s)
                container.reload()
                state = container.attrs["State"]
                stdout = container.logs(stdout=True, stderr=False).decode("utf-8", errors="replace")
                stderr = container.logs(stdout=False, stderr=True).decode("utf-8", errors="replace")
                return RawRun(
                    executor=self.name,
                    stdout=stdout,
                    stderr=stderr,
                    exit_code=state.get("ExitCode"),
                    timed_out=timed_out,
                    wall_ms=container_wall_ms(state),
                    oom_killed=bool(state.get("OOMKilled")),
                    image=image.tag,
                    image_id=image.image_id,
                    container_id=container.id,
                    applied_limits=limits_json(request.limits),
                )
        except docker.errors.APIError as exc:
            # The engine answered but refused (bad cpuset, missing image...): this run's problem.
            raise RunnerFailedError(
                f"{request.case.language}/{request.case.approach}: Docker refused {request.name}: "
                f"{exc.explanation or exc}"
            ) from exc
        except ENGINE_ERRORS as exc:
            raise EngineUnavailableError(
                f"{request.case.language}/{request.case.approach}: Docker engine failed during {request.name}: {exc}"
            ) from exc


def _kill_quietly(container: Any) -> None:
    with contextlib.suppress(*ENGINE_ERRORS):
        container.kill()


def _wait(container: Any, timeout_s: float) -> bool:
    """Wait for exit; on the time limit kill the container. Returns whether it timed out."""
    try:
        container.wait(timeout=timeout_s)
        return False
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        # It may have exited between the timeout and the kill.
        with contextlib.suppress(docker.errors.APIError):
            container.kill()
        container.wait(timeout=KILL_GRACE_S)
        return True


def container_wall_ms(state: Mapping[str, Any]) -> float | None:
    """StartedAt..FinishedAt of the container, from the engine's nanosecond timestamps."""
    started, finished = state.get("StartedAt"), state.get("FinishedAt")
    if not started or not finished or finished.startswith("0001-"):
        return None
    return (_parse_engine_time_ns(finished) - _parse_engine_time_ns(started)) / 1e6


def _parse_engine_time_ns(stamp: str) -> int:
    """'2026-11-26T15:40:00.123456789Z' -> ns since the epoch (datetime keeps only microseconds)."""
    main, _, rest = stamp.partition(".")
    fraction = rest.rstrip("Z").split("+")[0].split("-")[0] if rest else "0"
    seconds = datetime.fromisoformat(main + "+00:00").timestamp()
    return int(seconds) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9])
