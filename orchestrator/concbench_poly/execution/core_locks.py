"""Exclusive cores: never two benchmarks on the same cores at once, through either executor.

Docker: the lock lives on the engine, so that two machines driving one engine also exclude each
other. A core is held by a marker container named after it, created (never started) from a tiny
empty image: creating a container by name is atomic on the engine, so exactly one invocation wins.
Local: a flock'd file per core in a directory every user of the machine shares; the kernel drops the
lock when its holder dies. Either way a second benchmark waits with a message, or refuses.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors
import requests.exceptions

from concbench_poly.config import MANAGED_LABEL
from concbench_poly.errors import ConcbenchError
from concbench_poly.execution.invocation import PREFIX, Invocation, from_labels, is_gone

LOCK_IMAGE = "concbench-poly/lock:1"
LOCK_NAME = "concbench-poly-core-{core}"
KIND_LABEL = PREFIX + "kind"
CORE_LABEL = PREFIX + "core"
EXPIRES_LABEL = PREFIX + "expires"
LOCAL_LOCK_DIR = Path("/tmp/concbench-poly-locks")
POLL_S = 2.0

Notice = Callable[[str], None]


class CoresBusyError(ConcbenchError):
    """The cores are held by another running benchmark and --no-wait was given."""


@contextmanager
def docker_core_lock(
    client: docker.DockerClient,
    cores: Sequence[int],
    invocation: Invocation,
    expires: float,
    *,
    wait: bool,
    notice: Notice,
    poll_s: float = POLL_S,
) -> Iterator[None]:
    """Hold every core of `cores` (in ascending order, so two invocations cannot deadlock)."""
    _ensure_lock_image(client)
    held: list[Any] = []
    try:
        for core in sorted(set(cores)):
            held.append(_acquire_docker(client, core, invocation, expires, wait, notice, poll_s))
        yield
    finally:
        for marker in held:
            # An engine lost during the run cannot be asked: the marker is reaped by the next invocation.
            with contextlib.suppress(docker.errors.DockerException, requests.exceptions.RequestException):
                marker.remove(force=True)


def _acquire_docker(
    client: docker.DockerClient,
    core: int,
    invocation: Invocation,
    expires: float,
    wait: bool,
    notice: Notice,
    poll_s: float,
) -> Any:
    name = LOCK_NAME.format(core=core)
    labels = {**invocation.labels(), KIND_LABEL: "core-lock", CORE_LABEL: str(core), EXPIRES_LABEL: f"{expires:.0f}"}
    announced = None
    while True:
        try:
            return client.containers.create(LOCK_IMAGE, command=["none"], name=name, labels=labels, network_mode="none")
        except docker.errors.APIError as exc:
            if exc.status_code != 409:
                raise
        try:
            marker = client.containers.get(name)
        except docker.errors.NotFound:
            continue  # released between our create and our look: try again at once
        owner = from_labels(marker.labels)
        expires_at = float(marker.labels.get(EXPIRES_LABEL, "0") or 0)
        if is_gone(owner, time.time(), expires_at):
            notice(f"core {core}: removing the lock of {owner.describe() if owner else 'an unknown holder'}, gone")
            with contextlib.suppress(docker.errors.APIError):
                marker.remove(force=True)
            continue
        holder = owner.describe() if owner else f"marker {name}"
        if not wait:
            raise CoresBusyError(f"core {core} is held by {holder}; --no-wait does not wait for it")
        if announced != holder:
            notice(f"waiting for core {core}: held by {holder}")
            announced = holder
        time.sleep(poll_s)


def _ensure_lock_image(client: docker.DockerClient) -> None:
    """An image with nothing in it: a marker is created, never started, so it needs no files."""
    try:
        client.images.get(LOCK_IMAGE)
        return
    except docker.errors.ImageNotFound:
        pass
    empty = io.BytesIO()
    tarfile.open(fileobj=empty, mode="w").close()
    repository, tag = LOCK_IMAGE.split(":")
    client.api.import_image_from_data(
        empty.getvalue(), repository=repository, tag=tag, changes=[f"LABEL {MANAGED_LABEL}=true"]
    )


@contextmanager
def local_core_lock(
    cores: Sequence[int],
    invocation: Invocation,
    *,
    wait: bool,
    notice: Notice,
    lock_dir: Path = LOCAL_LOCK_DIR,
    poll_s: float = POLL_S,
) -> Iterator[None]:
    lock_dir.mkdir(mode=0o1777, exist_ok=True)
    handles: list[IO[str]] = []
    try:
        for core in sorted(set(cores)):
            handles.append(_acquire_local(lock_dir / f"core-{core}.lock", core, invocation, wait, notice, poll_s))
        yield
    finally:
        for handle in handles:
            handle.close()  # closing drops the flock


def _acquire_local(path: Path, core: int, invocation: Invocation, wait: bool, notice: Notice, poll_s: float) -> IO[str]:
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the lock's life
    with contextlib.suppress(OSError):
        os.chmod(path, 0o666)  # every user of the machine must be able to take it after us
    announced = None
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _holder(handle.read()) or f"another process ({path})"
            if not wait:
                handle.close()
                raise CoresBusyError(f"core {core} is held by {holder}; --no-wait does not wait for it") from None
            if announced != holder:
                notice(f"waiting for core {core}: held by {holder}")
                announced = holder
            time.sleep(poll_s)
            continue
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(invocation.labels()))
        handle.flush()
        return handle


def _holder(text: str) -> str | None:
    with contextlib.suppress(ValueError):
        owner = from_labels(json.loads(text))
        if owner is not None:
            return owner.describe()
    return None


def created_epoch(attrs: dict[str, Any]) -> float:
    """A container's creation time from its attrs ('2026-11-27T02:54:57.581478123Z')."""
    stamp = str(attrs.get("Created", ""))
    main, _, fraction = stamp.rstrip("Z").partition(".")
    try:
        return datetime.fromisoformat(main + "+00:00").timestamp() + float(f"0.{fraction[:6] or 0}")
    except ValueError:
        return 0.0
