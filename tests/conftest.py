"""Shared fixtures. Real-Docker tests carry the `docker` marker: they skip with a reason where no
engine runs, and fail instead when CONCBENCH_REQUIRE_DOCKER=1 (CI), so they cannot silently vanish."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run slow tests (large sweeps)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --run-slow to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _require_docker() -> bool:
    return os.environ.get("CONCBENCH_REQUIRE_DOCKER") == "1"


@pytest.fixture(scope="session")
def docker_client() -> Iterator[object]:
    from concbench_poly.errors import EngineUnavailableError
    from concbench_poly.execution.docker_engine import connect, managed_containers

    try:
        client = connect()
    except EngineUnavailableError as exc:
        if _require_docker():
            pytest.fail(f"CONCBENCH_REQUIRE_DOCKER=1 but {exc}")
        pytest.skip(f"no Docker engine: {exc}")
    before = {c.id for c in managed_containers(client)}
    yield client
    # A test's containers have all exited by now; a running one belongs to a benchmark started by hand.
    leftovers = [c for c in managed_containers(client) if c.id not in before and c.status != "running"]
    for container in leftovers:
        container.remove(force=True)
    assert not leftovers, f"labelled containers left behind: {[c.name for c in leftovers]}"


@pytest.fixture(scope="session")
def runner_images(docker_client: object) -> dict[str, object]:
    """Every language's runner image, built (offline where no registry answers) once per session."""
    from concbench_poly.contract import contract
    from concbench_poly.execution.images import ImageBuilder
    from concbench_poly.paths import repo_root

    languages = contract().languages
    builder = ImageBuilder(docker_client, repo_root())  # type: ignore[arg-type]
    offline = not builder.registry_reachable([(language, None) for language in languages])
    return {language: builder.ensure(language, offline=offline) for language in languages}
