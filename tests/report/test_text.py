"""The report's prose: the guide's sentences state the numbers behind each pick, and say what is missing."""

from __future__ import annotations

from concbench_poly.analysis.aggregate import ParallelismCaveat, ViewCaveat, summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.analysis.decision import decide
from concbench_poly.contract import contract
from concbench_poly.report.text import caveat_text, guide_text
from concbench_poly.results.model import RunResult
from tests.analysis.test_decision import io_python
from tests.factories import failed, ok


def text_of(runs: list[RunResult]) -> str:
    return guide_text(decide(summarize(runs, claims=NO_CLAIMS)))


def test_text_states_the_numbers() -> None:
    text = text_of(io_python(threading_mib=40.0, asyncio_mib=18.0))
    line = next(line for line in text.splitlines() if line.startswith("- Python, I/O-bound"))
    assert "asyncio \N{EM DASH} total 13.0 ms" in line
    assert "18.0 MiB memory" in line
    assert "threading: total 15.0 ms" in line and "40.0 MiB" in line
    assert "ThreadPool(50): total 212 ms" in line
    assert "Least memory (cgroup peak) among the approaches within 1.5x of the fastest total time" in line


def test_missing_languages_are_said_not_invented() -> None:
    text = text_of(io_python(40.0, 18.0))
    assert "- Node.js, I/O-bound: not measured." in text
    assert "- Go, CPU-bound: not measured." in text


def test_all_failed() -> None:
    runs = [failed("node", "worker_threads", "cpu", workers=4, kind="runner_crashed", message="worker died")]
    expected = "no approach completed (worker_threads(4): runner_crashed: worker died)"
    assert f"Node.js, CPU-bound (N=1000): {expected}" in text_of(runs)


def test_close_call_is_worded() -> None:
    runs = [ok("python", "threading", total_ms=13.0, peak_rss_mib=m, repetition=i) for i, m in enumerate((17, 18, 19))]
    runs += [ok("python", "asyncio", total_ms=13.0, peak_rss_mib=m, repetition=i) for i, m in enumerate((16, 17, 18))]
    assert "not significantly different from threading" in text_of(runs)


def test_empty_summary() -> None:
    # Every language of the contract and overall, for the two workloads the guide always has.
    assert text_of([]).count("not measured") == 2 * (len(contract().languages) + 1)


def test_caveats_are_worded_from_their_data() -> None:
    assert "end-to-end latency" in caveat_text(ViewCaveat(claim_view="end_to_end", shown_view="service"))
    assert "service latency" in caveat_text(ViewCaveat(claim_view="service", shown_view="end_to_end"))
    assert "the article's machine had 4 cores; this run had 2" in caveat_text(ParallelismCaveat(claimed=4, seen=2))
