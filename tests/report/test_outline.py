"""The report's outline: what it says beside the tables, from the data and the contract."""

from __future__ import annotations

from concbench_poly.analysis.aggregate import summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.contract import contract
from concbench_poly.report.outline import method_lines
from tests.factories import ok


def test_a_measured_runtimes_memory_note_is_in_the_method() -> None:
    note = contract().runner("java").runtime_memory_note
    assert note, "the contract gives Java a memory note"
    lines = method_lines(summarize([ok("java", "virtual-threads"), ok("python", "asyncio")], claims=NO_CLAIMS))
    assert f"Java memory: {note}" in lines


def test_no_memory_note_for_a_runtime_not_measured() -> None:
    lines = method_lines(summarize([ok("python", "asyncio")], claims=NO_CLAIMS))
    assert not [line for line in lines if line.startswith("Java memory: ")]
