"""A second Docker engine beside the one the suite uses: for faults that stop or kill an engine, and
for fleet tests. Never the suite's own engine: killing that would fail every other test.

It runs with its own data-root, exec-root, socket and pidfile, and `--bridge none --iptables=false`
so it leaves the first engine's networking alone. It has no images: ship_image() copies one from
another engine (save and load through the SDK), as a fleet ships its images.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

START_TIMEOUT_S = 60.0


@dataclass
class SecondEngine:
    root: Path
    process: subprocess.Popen[bytes]

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=120)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the daemon, as a crash would: the containers it started are left to containerd."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def log_tail(self, lines: int = 20) -> str:
        text = (self.root / "dockerd.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def start_second_engine(root: Path | None = None) -> SecondEngine:
    """Start a dockerd of our own and wait for it to answer; raises RuntimeError with its log if not."""
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise RuntimeError("dockerd is not installed (apt-get install docker.io)")
    # A short path: a unix socket path must stay under 108 bytes.
    root = root or Path(tempfile.mkdtemp(prefix="cb-engine-", dir="/tmp"))
    log = open(root / "dockerd.log", "wb")  # noqa: SIM115 - the daemon writes it for its whole life
    process = subprocess.Popen(
        [
            dockerd,
            "--data-root",
            str(root / "data"),
            "--exec-root",
            str(root / "exec"),
            "-H",
            f"unix://{root / 'docker.sock'}",
            "--pidfile",
            str(root / "docker.pid"),
            "--bridge",
            "none",
            "--iptables=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    engine = SecondEngine(root=root, process=process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not engine.alive:
            raise RuntimeError(f"the second dockerd exited:\n{engine.log_tail()}")
        with contextlib.suppress(Exception):
            engine.client().ping()
            return engine
        time.sleep(0.5)
    engine.kill()
    raise RuntimeError(f"the second dockerd did not answer in {START_TIMEOUT_S:g} s:\n{engine.log_tail()}")


def stop_second_engine(engine: SecondEngine) -> None:
    """Stop it, remove whatever it still runs, and delete its files."""
    if engine.alive:
        with contextlib.suppress(Exception):
            client = engine.client()
            for container in client.containers.list(all=True):
                container.remove(force=True)
        engine.process.send_signal(signal.SIGTERM)
        try:
            engine.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            engine.kill()
    # Unmount what the daemon left mounted (a killed one leaves its overlay mounts) before deleting.
    with contextlib.suppress(OSError):
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
        for line in sorted((m.split()[1] for m in mounts if str(engine.root) in m), key=len, reverse=True):
            subprocess.run(["umount", "-l", line], check=False, capture_output=True)
    shutil.rmtree(engine.root, ignore_errors=True)


@contextlib.contextmanager
def second_engine() -> Iterator[SecondEngine]:
    engine = start_second_engine()
    try:
        yield engine
    finally:
        stop_second_engine(engine)


def ship_image(source: Any, target: Any, tag: str) -> None:
    """Copy one image between engines through the SDK (docker save | docker load)."""
    image = source.images.get(tag)
    data = b"".join(image.save(named=True))
    target.images.load(data)
