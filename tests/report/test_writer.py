"""write_report: the files it names exist, and regenerating them changes no byte."""

from __future__ import annotations

import json
from pathlib import Path

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.report.writer import write_report
from concbench_poly.results.model import RunResult
from concbench_poly.results.store import load_results, save_result
from tests.factories import failed, fixture_set


def report_of(results: list[RunResult], latency_view: str = "service") -> Report:
    return build_report(results, claims=load_claims(), latency_view=latency_view)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_writes_the_report_files(tmp_path: Path) -> None:
    files = write_report(tmp_path, report_of(fixture_set()))
    assert files.summary_json == tmp_path / "summary.json"
    assert files.report_md == tmp_path / "report.md"
    assert files.report_csv == tmp_path / "report.csv"
    assert files.report_html == tmp_path / "report.html"
    assert all(p.is_file() for p in files.paths)
    assert {p.suffix for p in files.plots} == {".png", ".svg"}
    assert set(_tree(tmp_path)) == {str(p.relative_to(tmp_path)) for p in files.paths}
    report = files.report_md.read_text(encoding="utf-8")
    for plot in files.plots:
        if plot.suffix == ".png":
            assert f"](plots/{plot.name})" in report
    assert json.loads(files.summary_json.read_text(encoding="utf-8"))["latency_view"] == "service"


def test_latency_view_is_passed_on(tmp_path: Path) -> None:
    files = write_report(tmp_path, report_of(fixture_set(), "end_to_end"), plots=False)
    assert files.plots == ()
    assert json.loads(files.summary_json.read_text(encoding="utf-8"))["latency_view"] == "end_to_end"
    assert "p99 end-to-end (ms)" in files.report_md.read_text(encoding="utf-8")


def test_rewriting_is_byte_identical(tmp_path: Path) -> None:
    write_report(tmp_path, report_of(fixture_set()))
    before = _tree(tmp_path)
    assert any(name.endswith(".png") for name in before) and any(name.endswith(".svg") for name in before)
    # Same results in another order (as another directory listing might give them): same bytes.
    write_report(tmp_path, report_of(list(reversed(fixture_set()))))
    assert _tree(tmp_path) == before


def test_report_from_a_results_directory_matches(tmp_path: Path) -> None:
    # What `concbench-poly report DIR` does: raw documents saved, loaded back, report rewritten.
    results_dir = tmp_path / "results"
    for result in fixture_set():
        save_result(results_dir, result)
    # Plots are left out here: their byte-identity is test_rewriting_is_byte_identical's job.
    write_report(results_dir, report_of(load_results(results_dir)), plots=False)
    direct = tmp_path / "direct"
    write_report(direct, report_of(fixture_set()), plots=False)
    from_disk = {k: v for k, v in _tree(results_dir).items() if not k.startswith("raw/")}
    assert from_disk == _tree(direct)


def test_all_failed_and_empty_inputs(tmp_path: Path) -> None:
    runs = [failed("python", "threading", tasks=n, kind="oom_killed", message="killed") for n in (1000, 10_000)]
    files = write_report(tmp_path / "failed", report_of(runs))
    report = files.report_md.read_text(encoding="utf-8")
    assert "FAILED 1/1: python runner, oom_killed" in report
    # Nothing was measured, so there are bars to annotate but no CDF and no scaling curve.
    assert sorted(p.name for p in files.plots if p.suffix == ".png") == ["cpu_time_io.png", "memory_io.png"]
    empty = write_report(tmp_path / "empty", report_of([]))
    assert empty.report_md.read_text(encoding="utf-8") == "# concbench-poly report\n\nNo measured runs.\n"
    assert empty.plots == ()
