"""Exporters: golden files for the fixed fixture set, plus properties every rendering must keep.

Golden files live in tests/golden/; after an intended change, regenerate them with
`UPDATE_GOLDEN=1 python3 -m pytest tests/test_exporters.py` and review the diff.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
from pathlib import Path

import pytest

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.compare import comparison
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.config import MIB
from concbench_poly.json_format import dump_json
from concbench_poly.report import COMPARE_EXPORTERS, EXPORTERS
from concbench_poly.report.markdown import export_markdown
from tests.factories import failed, fixture_set, ok, variant_set

GOLDEN = Path(__file__).parents[1] / "golden"
EXTENSIONS = {"table": "txt", "markdown": "md", "json": "json", "csv": "csv"}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} missing: run the tests once with UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        lines = difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "now")
        diff = "".join(lines)
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")


@pytest.fixture(scope="module")
def e2e_report() -> Report:
    return build_report(fixture_set(), claims=load_claims(), latency_view="end_to_end")


def test_registry_names() -> None:
    assert set(EXPORTERS) == {"table", "markdown", "json", "csv"}
    assert set(COMPARE_EXPORTERS) == {"table", "markdown", "json", "csv"}


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_golden(fmt: str, report: Report) -> None:
    text = EXPORTERS[fmt](report)
    assert text.endswith("\n")
    check_golden(f"report.{EXTENSIONS[fmt]}", text)


def test_golden_end_to_end_table(e2e_report: Report) -> None:
    check_golden("report.end_to_end.txt", EXPORTERS["table"](e2e_report))


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_golden_compare(fmt: str, report: Report) -> None:
    b = build_report(variant_set(), claims=load_claims()).summary
    check_golden(f"compare.{EXTENSIONS[fmt]}", COMPARE_EXPORTERS[fmt](comparison(report.summary, b)))


def test_compare_data_formats_list_every_row(report: Report) -> None:
    # JSON and CSV hide nothing (the table hides rows without a verdict), so they are checked row by row.
    result = comparison(report.summary, build_report(variant_set(), claims=load_claims()).summary)
    rows = result.rows
    document = json.loads(COMPARE_EXPORTERS["json"](result))
    assert [(r["case"], r["figure"], r["verdict"]) for r in document["comparison"]] == [
        (r.case_key, r.figure, r.verdict) for r in rows
    ]
    records = list(csv.DictReader(io.StringIO(COMPARE_EXPORTERS["csv"](result))))
    assert len(records) == len(rows)
    slower = next(r for r in records if r["case"] == "io-go-goroutines-n1000" and r["figure"] == "total_ms")
    assert slower["verdict"] == "slower" and float(slower["ratio"]) == pytest.approx(1.5)
    assert float(slower["b_median"]) == pytest.approx(1.5 * float(slower["a_median"]))


def test_table_shows_every_article_row_with_expectations(report: Report) -> None:
    text = EXPORTERS["table"](report)
    for row in (*report.summary.claims.io, *report.summary.claims.cpu):
        assert row.label in text
    # Python threading (1000): measured 15.2 (14.8-16.1) ms against the article's 12-18 ms.
    assert "15.2 (14.8\N{EN DASH}16.1)" in text and "exp 12\N{EN DASH}18 \N{CHECK MARK}" in text
    # asyncio's 18.3 MiB against 4-8 MB is above; its totals spread by about 31%.
    assert "exp 4\N{EN DASH}8 \N{BALLOT X} above" in text
    assert "\N{PLUS-MINUS SIGN}31%!" in text
    assert "CPU user+sys (s)" in text


def test_table_footer_says_what_is_shown(report: Report, e2e_report: Report) -> None:
    service, e2e = EXPORTERS["table"](report), EXPORTERS["table"](e2e_report)
    assert "Latency shown: service latency" in service and "p99 service (ms)" in service
    assert "Latency shown: end-to-end latency" in e2e and "p99 end-to-end (ms)" in e2e
    assert "Memory shown: the cgroup peak" in service
    assert "over 2\N{EN DASH}3 measured runs per case" in service


def test_latency_caveats_follow_the_view(report: Report, e2e_report: Report) -> None:
    service, e2e = EXPORTERS["table"](report), EXPORTERS["table"](e2e_report)
    pool_note = "The article's p99 for a bounded pool is the wait of the last batches"
    timed_note = "The article timed this from task start, i.e. service latency"
    assert pool_note in service and timed_note not in service
    assert timed_note in e2e and pool_note not in e2e
    # In the end-to-end view the pool's 211 ms is compared like with like: no footnote on it.
    assert "│ 211                   │" in e2e
    # One reason, one footnote, however many cells it applies to.
    assert e2e.count(timed_note) == 1


def test_failure_rows_name_runner_and_error(report: Report) -> None:
    text = EXPORTERS["table"](report)
    assert "FAILED 3/3: node runner, runner_crashed" in text
    assert "node runner failed (runner_crashed): worker exited with code 1" in text
    assert "1 of 3 runs failed (node runner, timeout: run exceeded 120 s and was killed)" in text


def test_cpu_table_says_cpu_time_was_never_claimed(report: Report) -> None:
    text = EXPORTERS["table"](report)
    assert "it never measured CPU time" in text
    assert "The article's machine had 4 cores; this run had 1" in text


def test_unmeasured_article_rows_stay_visible() -> None:
    text = EXPORTERS["table"](build_report([ok("python", "asyncio")], claims=load_claims()))
    go_row = next(line for line in text.splitlines() if "Go goroutines (1000)" in line)
    assert "not measured" in go_row
    assert "CPU-bound: each task" not in text  # no CPU case was run at all, so no CPU table
    assert "- Go, CPU-bound: not measured." in text  # and the guide says so


def test_markdown_sections(report: Report) -> None:
    text = EXPORTERS["markdown"](report)
    for heading in (
        "## I/O-bound",
        "## CPU-bound",
        "## Mixed I/O + CPU",
        "## Simple, blocking",
        "## The article's decision guide, beside the measured picks",
        "## Decision guide",
        "## The article's analysis: memory per task",
        "## The article's analysis: memory at 10,000 and 100,000 tasks",
        "## Memory details",
        "## Latency, both views",
        "## Scale sweep",
        "## Environment",
        "## Method and sources",
    ):
        assert heading in text
    assert "| Go goroutines (1000)              | io             | 6.10 (6.00\N{EN DASH}6.20)" in text
    assert "StackInuse 1.52 MiB" in text  # int(6.1 MiB) // 4 = 1.52499 MiB
    assert "cpus 1, cpuset 0, memory 512 MiB, pids 4096, timeout 120 s" in text
    assert "## Plots" not in text
    with_plots = export_markdown(report, plots=[("plots/peak_rss_io.png", "Peak RSS, I/O-bound")])
    assert "![Peak RSS, I/O-bound](plots/peak_rss_io.png)" in with_plots


def test_markdown_has_no_sweep_section_without_sweeps() -> None:
    text = EXPORTERS["markdown"](build_report([ok("python", "asyncio")], claims=load_claims()))
    assert "## Scale sweep" not in text


def test_languages_the_article_never_measured_say_so() -> None:
    runs = [ok("python", "asyncio"), ok("java", "virtual-threads"), ok("rust", "tokio")]
    text = EXPORTERS["markdown"](build_report(runs, claims=load_claims()))
    assert "The article has no Java figures: measured only" in text
    assert "The article has no Rust figures: measured only" in text
    assert "The article has no Python" not in text


def test_markdown_escapes_cell_text() -> None:
    runs = [failed("python", "threading", kind="internal", message="bad | pipe <stderr>")]
    text = EXPORTERS["markdown"](build_report(runs, claims=load_claims()))
    assert "bad \\| pipe &lt;stderr&gt;" in text
    assert "bad | pipe" not in text


def test_csv_rows(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(EXPORTERS["csv"](report))))
    ok_cases = [c for c in report.summary.cases if c.completed]
    # One row per figure of a case that finished, one row for a case that never did.
    expected = sum(len(c.stats) + len(c.runtime_stats) for c in ok_cases) + len(report.summary.cases) - len(ok_cases)
    assert len(rows) == expected
    key = "io-python-asyncio-n1000"
    memory = next(r for r in rows if r["case"] == key and r["figure"] == "memory_bytes")
    assert memory["verdict"] == "above"
    # Expected bounds in bytes, like the median beside them.
    assert (float(memory["expected_lo"]), float(memory["expected_hi"])) == (4 * MIB, 8 * MIB)
    case = report.summary.case(key)
    assert case is not None
    peak_rss = case.stat("memory_bytes")
    assert peak_rss is not None and float(memory["median"]) == peak_rss.median
    broken = next(r for r in rows if r["case"] == "cpu-node-worker_threads-w4-n1000")
    error = "runner_crashed: worker exited with code 1"
    assert (broken["figure"], broken["ok_runs"], broken["error"]) == ("", "0", error)


def test_json_document(report: Report) -> None:
    text = EXPORTERS["json"](report)
    document = json.loads(text)
    assert text == dump_json(document)
    assert document["latency_view"] == "service" and document["memory_figure"] == "memory_bytes"
    assert [c["key"] for c in document["cases"]] == [c.key for c in report.summary.cases]
    threading = next(c for c in document["cases"] if c["key"] == "io-python-threading-n1000")
    assert threading["stats"]["total_ms"]["median"] == 15.2
    assert {c["column"]: c["verdict"] for c in threading["checks"]} == {
        "total": "within",
        "p50": "within",
        "p99": "within",
        "memory": "within",
    }
    assert [s["broke_at"] for s in document["sweeps"]][:3] == [100000, None, None]
    article = document["article"]
    assert article["blocking"]["threshold"] == 100
    mixed = {c["language"]: c for c in article["guide"] if c["workload"] == "mixed"}
    assert mixed["python"]["measured_pick"] == "mixed-python-asyncio-processpool-w2-n200-c2"
    assert mixed["python"]["agrees"] is True and mixed["python"]["cores"] == 2
    threads = next(c for c in article["per_task"] if c["label"] == "Python threading")
    assert threads["tasks"] == 10000 and threads["resident_verdict"] == "below"


def test_compare_table_says_what_changed(report: Report) -> None:
    result = comparison(report.summary, build_report(variant_set(), claims=load_claims()).summary)
    text = COMPARE_EXPORTERS["table"](result)
    assert "1.50x slower" in text  # Go I/O total time x1.5, ranges apart
    assert "2.00x smaller" in text  # Python asyncio peak RSS halved
    assert "only in A" in text  # Node.js was not run in B
    assert "Geometric mean of total time B/A" in text
