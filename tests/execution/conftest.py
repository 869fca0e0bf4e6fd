"""Fixtures of the tests that reach a second Docker engine: the engine (with TLS), an ssh gateway to it,
and the environment docker-py's ssh transport reads. One of each per module: starting them takes seconds.
A machine without their tools skips with the reason; CONCBENCH_REQUIRE_DOCKER=1 makes that a failure."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.engines import MissingPrerequisite, SecondEngine, SshGateway, second_engine_or_skip, ssh_gateway, unavailable


@pytest.fixture(scope="module")
def engine() -> Iterator[SecondEngine]:
    with second_engine_or_skip(tls=True) as started:
        yield started


@pytest.fixture(scope="module")
def gateway(engine: SecondEngine) -> Iterator[SshGateway]:
    with contextlib.ExitStack() as stack:
        try:
            found = stack.enter_context(ssh_gateway(engine.socket))
        except MissingPrerequisite as exc:
            unavailable(f"no ssh gateway: {exc}")
        yield found


@pytest.fixture
def ssh_env(gateway: SshGateway, monkeypatch: pytest.MonkeyPatch) -> SshGateway:
    """The gateway, with its HOME and SSH_AUTH_SOCK in this process's environment for the test:
    docker-py's paramiko transport reads them when the client connects."""
    for name, value in gateway.env.items():
        monkeypatch.setenv(name, value)
    return gateway
