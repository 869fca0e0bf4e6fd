"""docker-compose.yml must run a benchmark under the same limits as the orchestrator's defaults."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from concbench_poly.config import CONTAINER_TMPFS, CONTAINER_USER, DEFAULT_LIMITS, MANAGED_LABEL, parse_memory
from concbench_poly.contract import contract
from concbench_poly.execution.docker_engine import container_config
from concbench_poly.execution.images import build_args
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"])


def test_one_service_per_runner(services: dict[str, Any]) -> None:
    assert set(services) == set(contract().languages)
    for language, service in services.items():
        assert service["build"]["context"] == contract().runner(language).source_dir


@pytest.mark.parametrize("language", contract().languages)
def test_service_limits_equal_the_orchestrator_defaults(services: dict[str, Any], language: str) -> None:
    service = services[language]
    expected = container_config("img", [], DEFAULT_LIMITS, {})
    assert str(service["cpuset"]) == expected["cpuset_cpus"]
    assert float(service["cpus"]) * 1e9 == expected["nano_cpus"]
    assert parse_memory(str(service["mem_limit"])) == expected["mem_limit"]
    assert parse_memory(str(service["memswap_limit"])) == expected["memswap_limit"]
    assert int(service["pids_limit"]) == expected["pids_limit"]
    assert service["network_mode"] == expected["network_mode"]
    assert service["read_only"] is True
    assert service["user"] == CONTAINER_USER
    assert service["cap_drop"] == ["ALL"]
    assert any(opt.startswith("no-new-privileges") for opt in service["security_opt"])
    assert str(service["labels"][MANAGED_LABEL]) == "true"
    assert [t.split(":")[0] for t in service["tmpfs"]] == list(CONTAINER_TMPFS)


@pytest.mark.parametrize("language", contract().languages)
def test_compose_default_bases_are_the_official_ones(services: dict[str, Any], language: str) -> None:
    args = services[language]["build"]["args"]
    for name, image in build_args(language, offline=False).items():
        assert args[name].endswith(f":-{image}}}"), f"{language} {name}: {args[name]}"
