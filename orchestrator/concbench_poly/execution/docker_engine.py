"""Connecting to the Docker engine, and the labelled container lifecycle every run goes through."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import docker.errors
import docker.tls
import requests.exceptions
from docker.models.containers import Container

from concbench_poly.config import CONTAINER_TMPFS, CONTAINER_USER, MANAGED_LABEL, Limits
from concbench_poly.errors import EngineUnavailableError
from concbench_poly.execution.core_locks import EXPIRES_LABEL, created_epoch
from concbench_poly.execution.hosts import HostSpec
from concbench_poly.execution.invocation import GRACE_S, INVOCATION_LABEL, Invocation, from_labels, is_gone

CASE_LABEL = "concbench-poly.case"

# ChunkedEncodingError: the engine died in the middle of a response (a `wait` in flight when it is killed).
ENGINE_ERRORS = (
    docker.errors.DockerException,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def connect(timeout_s: float = 120.0) -> docker.DockerClient:
    """A client that has answered a ping; EngineUnavailableError says why not."""
    # The timeout bounds every API call (removing a container of 1M threads takes a while); waiting
    # for a run has its own limit.
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except ENGINE_ERRORS as exc:
        raise EngineUnavailableError(
            f"no Docker engine answers ({_first_line(exc)}); start dockerd or use --executor local"
        ) from None
    return client


class VerifiedTlsConfig(docker.tls.TLSConfig):
    """docker-py's TLSConfig, made to verify against the host's own CA whatever the environment says.

    requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE replace a session's `verify` (docker-py issue
    #2433, open): where either is set, as on many CI machines, a plain TLSConfig checks the engine
    against the system bundle, and a private CA's engine fails with CERTIFICATE_VERIFY_FAILED. A
    client that does not trust the environment keeps its CA; it also ignores HTTP(S)_PROXY and
    .netrc, which have no business on a connection to an engine. docker-py configures the client
    before it first asks the engine for its API version, so that first request is covered too."""

    def configure_client(self, client: docker.APIClient) -> None:
        super().configure_client(client)
        client.trust_env = False


def connect_host(host: HostSpec, timeout_s: float = 120.0) -> docker.DockerClient:
    """A client of one fleet host that has answered a ping; EngineUnavailableError names the host."""
    try:
        if host.transport == "tcp":
            tls: docker.tls.TLSConfig | bool = False
            if host.tls is not None:
                # verify=True: the engine's certificate must chain to the host's CA (never switched off).
                tls = VerifiedTlsConfig(
                    client_cert=(str(host.tls.cert), str(host.tls.key)), ca_cert=str(host.tls.ca), verify=True
                )
            client = docker.DockerClient(base_url=host.url, tls=tls, timeout=int(timeout_s))
        else:
            # ssh:// goes through paramiko, which reads the user's ~/.ssh/config, known_hosts and agent;
            # the ssh CLI transport (use_ssh_client=True) broke its pipe against a second engine here.
            client = docker.DockerClient(base_url=host.url, timeout=int(timeout_s), use_ssh_client=False)
        client.ping()
    except (*ENGINE_ERRORS, OSError) as exc:
        raise EngineUnavailableError(
            f"host {host.name} ({host.url}): no Docker engine answers ({_first_line(exc)})"
        ) from None
    return client


def engine_version(client: docker.DockerClient) -> str | None:
    try:
        version = client.version().get("Version")
    except ENGINE_ERRORS:
        return None
    return str(version) if version else None


def container_config(image: str, command: list[str], limits: Limits, labels: dict[str, str]) -> dict[str, Any]:
    """Every isolation setting of a benchmark container, in one place (pure, so tests can read it)."""
    return {
        "image": image,
        "command": command,
        "cpuset_cpus": limits.cpuset,
        "nano_cpus": limits.nano_cpus,
        "mem_limit": limits.memory_bytes,
        # Equal to mem_limit: no swap, so an over-limit run is OOM-killed instead of slowed down.
        "memswap_limit": limits.memory_bytes,
        "pids_limit": limits.pids,
        "network_mode": "none",
        "read_only": True,
        "tmpfs": dict(CONTAINER_TMPFS),
        "user": CONTAINER_USER,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "labels": {MANAGED_LABEL: "true", **labels},
        # The result is read back from the logs, so the driver must be one that can be read.
        "log_config": {"type": "json-file", "config": {}},
    }


@contextmanager
def benchmark_container(
    client: docker.DockerClient,
    config: dict[str, Any],
    *,
    name: str,
    keep: bool = False,
) -> Iterator[Container]:
    """Create a container and always remove it afterwards (unless keep), even if start fails or ^C."""
    container = client.containers.create(name=name, **config)
    try:
        yield container
    finally:
        if not keep:
            remove_quietly(container)


def remove_quietly(container: Container) -> None:
    """Cleanup must never cost a finished measurement; `concbench-poly clean` catches what is left."""
    with contextlib.suppress(*ENGINE_ERRORS):
        container.remove(force=True)


def managed_containers(client: docker.DockerClient, run_id: str | None = None) -> list[Container]:
    filters = [f"{MANAGED_LABEL}=true"] + ([f"{INVOCATION_LABEL}={run_id}"] if run_id else [])
    return list(client.containers.list(all=True, filters={"label": filters}))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def reap_containers(client: docker.DockerClient, current: Invocation) -> list[str]:
    """Remove labelled containers (runs and core locks) whose invocation is gone; returns their names."""
    now = time.time()
    removed = []
    for container in managed_containers(client):
        labels = container.labels or {}
        owner = from_labels(labels)
        # Only this very invocation's own things are skipped: a resumed run reuses its run id, and what
        # the dead invocation of that run id left (a container of the same name) must go.
        if owner is not None and owner.labels() == current.labels():
            continue
        if EXPIRES_LABEL in labels:
            deadline = float(labels[EXPIRES_LABEL] or 0)
        else:
            limit = owner.time_limit_s if owner is not None else 24 * 3600 - GRACE_S
            deadline = created_epoch(container.attrs) + limit + GRACE_S
        if is_gone(owner, now, deadline):
            removed.append(str(container.name or container.id))
            remove_quietly(container)
    return removed
