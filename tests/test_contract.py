"""The runner contract is the registry: what it lists is what the orchestrator plans, lists and accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from concbench_poly.cases import plan_cases
from concbench_poly.cli import app
from concbench_poly.config import WorkloadParams
from concbench_poly.contract import CONTRACT_ENV, ContractError, contract, parse_contract
from concbench_poly.results.schema import validate_document
from tests.conftest import REPO_ROOT
from tests.factories import ok_document

CONTRACT_FILE = REPO_ROOT / "schema" / "runner_contract.json"


def _document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def dummy_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The repository's contract plus one approach, `fibers`, for Python's I/O workload."""
    document = _document()
    document["languages"]["python"]["approaches"]["fibers"] = {
        "label": "fibers",
        "workloads": ["io"],
        "kind": "threads",
    }
    path = tmp_path / "runner_contract.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setenv(CONTRACT_ENV, str(path))
    yield path


def test_the_registry_is_read_from_the_contract() -> None:
    document = _document()
    registry = contract()
    assert registry.languages == tuple(document["languages"])
    for runner in registry.runners:
        assert runner.approach_names == tuple(document["languages"][runner.language]["approaches"])
    assert registry.schema_version == document["schema_version"]
    assert WorkloadParams().tasks == document["options"]["tasks"]["default"]
    assert WorkloadParams().pool_sizes == tuple(document["options"]["pool_size"]["suite_values"])


def test_a_contract_entry_alone_adds_an_approach(dummy_contract: Path) -> None:
    assert "fibers" in contract().runner("python").approaches_for("io")
    planned = plan_cases(("python",), ("io",), WorkloadParams(), ("fibers",))
    assert [(c.approach, c.label) for c in planned] == [("fibers", "Python fibers (1000)")]
    result = CliRunner().invoke(app, ["list", "--workload", "io"])
    assert result.exit_code == 0, result.output
    assert "io\tpython\tfibers\tPython fibers (1000)\tio-python-fibers-n1000" in result.output.splitlines()


def test_the_schema_takes_its_enums_from_the_contract(dummy_contract: Path) -> None:
    document = ok_document("python", "asyncio")
    document["approach"] = "fibers"
    validate_document(document, source="fibers run")
    document["language"] = "go"  # fibers is Python's, not Go's
    with pytest.raises(Exception, match="fibers"):
        validate_document(document, source="fibers run")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["languages"]["go"]["approaches"]["goroutines"].update(workloads=["gpu"]), "unknown workload"),
        (lambda d: d["languages"]["go"]["approaches"]["goroutines"].update(sized_by="threads"), "sized_by"),
        (lambda d: d["workloads"]["io"]["options"].append("wait_ms"), "unknown option"),
        (lambda d: d.pop("schema_version"), "schema_version"),
    ],
)
def test_a_contradictory_contract_is_refused(change: Any, message: str) -> None:
    document = _document()
    change(document)
    with pytest.raises(ContractError, match=message):
        parse_contract(document, source="contract under test")
