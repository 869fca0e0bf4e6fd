"""Documents of schema_version 1 stay readable: validated against their frozen schema, read into
today's model with what they did not record left missing."""

from __future__ import annotations

import copy
import json
from typing import Any

from concbench_poly.results.model import RunResult
from concbench_poly.results.schema import validate_document
from concbench_poly.results.upgrade import to_current
from tests.conftest import REPO_ROOT

V1 = REPO_ROOT / "tests" / "data" / "results_v1_main" / "raw"


def v1_document(name: str = "cpu-python-asyncio-n200.rep-0.json") -> dict[str, Any]:
    document: dict[str, Any] = json.loads((V1 / name).read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    return document


def test_a_v1_document_validates_against_its_frozen_schema_and_reads() -> None:
    document = validate_document(v1_document(), source="v1")
    result = RunResult.from_document(document)
    assert result.ok and result.measurement is not None
    assert result.measurement.wakeup is None and result.measurement.checks is None  # never recorded in v1
    assert result.document == v1_document(), "the saved document is read, never rewritten"


def test_v1_process_pools_are_split_into_own_peak_and_the_sum() -> None:
    # Version 1 added the workers' VmHWM into peak_rss_bytes and kept that part in the runtime view.
    document = v1_document()
    document["approach"] = "multiprocessing"
    document["workload"]["workers"] = 4
    memory = document["memory"]
    memory["peak_rss_bytes"] = 101 * 2**20
    memory["runtime"] |= {"worker_peak_rss_bytes": 76 * 2**20, "worker_processes_reporting": 4}
    memory["cgroup_peak_bytes"] = None
    upgraded = to_current(validate_document(copy.deepcopy(document), source="v1 pool"))
    assert upgraded["schema_version"] == 2
    assert upgraded["memory"]["peak_rss_bytes"] == 25 * 2**20
    assert upgraded["memory"]["processes"] == {"count": 5, "peak_rss_sum_bytes": 101 * 2**20}
    measurement = RunResult.from_document(document).measurement
    assert measurement is not None and measurement.memory_bytes == 101 * 2**20  # no cgroup: the flagged sum
